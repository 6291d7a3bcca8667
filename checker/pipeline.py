"""Run the selected checks over a document and build a :class:`Report`."""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import __version__, align, calibration  # calibration registers the opt-in "predicted-quality"
from .config import Config
from .context import CheckContext
from .langid import detect_document_language, normalise_lang
from .model import Document, Finding, Report, Segment, severity_at_least
from .overlap import drop_subsumed
from .registry import select_checks
from .scoring import score_segments
from .segment import segment_text

ProgressFn = Callable[[str, int, int], None]


def build_document(text: str, tgt_lang: str | None = None, name: str = "<text>") -> Document:
    """A target-only document: ``text`` cut into sentences with exact offsets."""
    lang = normalise_lang(tgt_lang) or detect_document_language(text)
    return Document(text=text, segments=segment_text(text, lang), tgt_lang=lang, name=name)


def build_pair_document(
    pairs: Iterable[tuple[str | None, str] | dict[str, Any]],
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    name: str = "<pairs>",
) -> Document:
    """A document of translation units; targets are joined with newlines.

    ``pairs`` holds ``(source, target)`` tuples or dicts with ``target`` and
    optional ``source`` and ``id``.
    """
    segments: list[Segment] = []
    parts: list[str] = []
    pos = 0
    for i, item in enumerate(pairs):
        if isinstance(item, dict):
            source, target, uid = item.get("source"), item.get("target", ""), item.get("id")
        else:
            source, target = item
            uid = None
        target = target or ""
        segments.append(
            Segment(index=i, start=pos, end=pos + len(target), text=target, source=source,
                    id=None if uid is None else str(uid), block=i)
        )
        parts.append(target)
        pos += len(target) + 1
    text = "\n".join(parts)
    src = normalise_lang(src_lang)
    tgt = normalise_lang(tgt_lang)
    if tgt is None:
        tgt = detect_document_language(text)
    if src is None:
        sources = "\n".join(s.source for s in segments if s.source)
        src = detect_document_language(sources) if sources else None
    from .io.formats.codes import protected_spans  # inline tags/placeholders: not prose

    for seg in segments:
        seg.src_lang, seg.tgt_lang = src, tgt
        if spans := protected_spans(seg.text):
            seg.extra["protected_spans"] = spans
    return Document(text=text, segments=segments, src_lang=src, tgt_lang=tgt, paired=True, name=name)


def _assign_segments(findings: list[Finding], segments: Sequence[Segment]) -> None:
    starts = [s.start for s in segments]
    for f in findings:
        if f.side != "target" or not segments:
            continue
        i = max(0, bisect.bisect_right(starts, f.start) - 1)
        # a finding at the very end of one segment belongs to it, not the next
        if f.start == f.end and i > 0 and f.start == segments[i].start and f.start == segments[i - 1].end:
            i -= 1
        f.segment = segments[i].index


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, int, int, str, int]] = set()
    out = []
    for f in sorted(findings, key=lambda f: (f.segment, f.start, f.end, f.check)):
        # source-side offsets index each unit's own source, so the unit is part of the key
        key = (f.check, f.start, f.end, f.side, f.segment if f.side != "target" else -1)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def run_checks(doc: Document, config: Config | None = None, progress: ProgressFn | None = None) -> Report:
    """Run every selected check on ``doc`` and score the result."""
    config = config or Config()
    t0 = time.perf_counter()
    paired = (doc.paired and any(s.source for s in doc.segments)) or doc.source_text is not None
    selection = select_checks(config.enable, config.disable, config.params, paired=paired, only=config.only)
    ctx = CheckContext(config=config, src_lang=doc.src_lang, tgt_lang=doc.tgt_lang)
    findings: list[Finding] = []
    timings: dict[str, float] = {}
    errors: list[str] = []
    if align.needs_alignment(doc) and any(c.needs_source for c in selection.checks):
        t = time.perf_counter()  # source checks need each segment's source: align the documents first
        try:
            align.align_document(doc, ctx)
        except Exception as exc:
            errors.append(f"sentence alignment failed: {type(exc).__name__}: {exc}")
        timings["alignment"] = time.perf_counter() - t
    n = len(selection.checks)
    text_len = len(doc.text)
    for i, check in enumerate(selection.checks):
        if progress:
            progress(check.id, i, n)
        t = time.perf_counter()
        try:
            for f in check.run(doc, ctx):
                if f.side == "target":
                    f.start = max(0, min(f.start, text_len))
                    f.end = max(f.start, min(f.end, text_len))
                findings.append(f)
        except Exception as exc:  # one broken check must not hide the others
            errors.append(f"check {check.id} failed: {type(exc).__name__}: {exc}")
        timings[check.id] = time.perf_counter() - t
    if progress:
        progress("", n, n)
    _assign_segments(findings, doc.segments)
    from .io.formats.codes import drop_findings_on_codes  # inline tags/placeholders are not prose

    findings = drop_findings_on_codes(findings, doc.segments)
    findings = [
        f for f in drop_subsumed(_dedupe(findings))
        if severity_at_least(f.severity, config.min_severity) and not config.ignored(f.text)
    ]
    score = score_segments(doc.segments, findings)
    penalty_score = None
    if any(c.id == calibration.CHECK_ID for c in selection.checks):
        t = time.perf_counter()  # calibrated score; the plain MQM-penalty score stays in penalty_score
        calibrated = calibration.apply(doc.segments, findings, ctx, paired)
        if calibrated is not None:
            penalty_score, score = score, calibrated
        timings["calibration"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    signature = {
        "version": __version__,
        "checks": {c.id: c.settings for c in selection.checks},
        "config": config.signature(),
        "models": ctx.cache.get("models", {}),
    }
    return Report(
        text=doc.text,
        segments=doc.segments,
        findings=findings,
        score=score,
        penalty_score=penalty_score,
        src_lang=doc.src_lang,
        tgt_lang=doc.tgt_lang,
        checks_run=[c.id for c in selection.checks],
        timings=timings,
        version=__version__,
        signature=signature,
        paired=doc.paired,
        name=doc.name,
        errors=errors + ctx.warnings,
    )
