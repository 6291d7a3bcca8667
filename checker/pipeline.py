"""Run the selected checks over a document and build a :class:`Report`.

The steps of :func:`run_checks`, in order:

1. select the checks the :class:`Config` asks for (:mod:`checker.selection`);
2. align a target document with its unaligned source document, when a check needs sources;
3. run every check of role ``"check"``, then the :meth:`~checker.registry.PostScorer.run` of
   every post-scoring step that can score this document; a check that crashes costs only its
   own findings (the report says so);
4. tidy the findings: each gets its segment; findings on inline codes, duplicates and those
   a subsuming finding explains are dropped; the severity and ignore filters apply;
5. score: MQM-style penalty points per word (:mod:`checker.scoring`);
6. rescore: each post-scoring step may replace the scores
   (:meth:`~checker.registry.PostScorer.rescore`); the penalty scores stay as ``penalty_score``.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Sequence

from . import align, codes
from ._version import __version__
from .config import Config
from .context import CheckContext
from .overlap import drop_subsumed
from .registry import Check, PostScore, PostScorer
from .scoring import score_segments
from .selection import select_checks
from .values import Document, Finding, Report, Segment, severity_at_least

ProgressFn = Callable[[str, int, int], None]


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


def _apply(result: PostScore, segments: Sequence[Segment]) -> float:
    """Write a step's scores into the segments, each keeping its penalty score; returns the new document score."""
    for seg in segments:
        if seg.index in result.segments:
            seg.extra.setdefault("penalty_score", round(seg.score, 2))
            seg.score = float(result.segments[seg.index])
    return float(result.document)


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
    checks = [c for c in selection.checks if c.role == "check"]
    steps: list[PostScorer] = []
    for step in selection.checks:
        if isinstance(step, PostScorer):
            if reason := step.unsupported(doc, ctx):
                ctx.warn(reason)
            else:
                steps.append(step)
    runs: list[Check] = [*checks, *steps]
    n = len(runs)
    text_len = len(doc.text)
    for i, check in enumerate(runs):
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

    def keep(f: Finding) -> bool:
        return severity_at_least(f.severity, config.min_severity) and not config.ignored(f.text)

    _assign_segments(findings, doc.segments)
    findings = codes.drop_findings_on_codes(findings, doc.segments)  # inline tags/placeholders are not prose
    findings = [f for f in drop_subsumed(_dedupe(findings)) if keep(f)]
    score = score_segments(doc.segments, findings)
    penalty_score = None
    results: list[PostScore] = []
    for step in steps:  # each step reads the penalty scores and the same findings
        t = time.perf_counter()
        try:
            result = step.rescore(doc, findings, ctx)
        except Exception as exc:  # a broken step costs its score, not the report
            errors.append(f"check {step.id} failed: {type(exc).__name__}: {exc}")
            result = None
        if result is not None:
            results.append(result)
        timings[step.id] += time.perf_counter() - t
    for result in results:  # several steps: the last, by id, sets the scores
        penalty_score = score if penalty_score is None else penalty_score
        score = _apply(result, doc.segments)
        findings.extend(f for f in result.findings if severity_at_least(f.severity, config.min_severity))
    timings["total"] = time.perf_counter() - t0
    signature = {
        "version": __version__,
        "checks": {c.id: c.settings for c in selection.checks},
        "config": config.signature(),
        "models": dict(ctx.models),
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
