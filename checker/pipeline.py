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

Steps 1-3 are :func:`collect` (a :class:`CheckRun`), steps 4-6 :func:`finish`, which can be
done again with another minimum severity without checking again. A ``progress`` callback
hears of every step and, within the long ones, of their sentences (:class:`Progress`).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from . import align, codes
from ._version import __version__
from .budget import check_view
from .config import Config
from .context import CheckContext
from .overlap import drop_subsumed
from .registry import Check, PostScore, PostScorer
from .scoring import score_segments
from .selection import Selection, select_checks
from .values import PENALTY_BANDS, Document, Finding, Report, Segment, severity_at_least

#: step weights for the overall progress: what a step that loads a model costs next to a rule check
_WEIGHTS = {"lm": 20.0, "embeddings": 5.0, "spacy": 3.0}
#: the fewest seconds between two progress reports within a step
PROGRESS_INTERVAL = 0.1


@dataclass(frozen=True)
class Progress:
    """How far a run is: step ``step`` (a check id, ``alignment`` or ``scoring``), the ``index``-th of ``steps``,
    with ``done`` of its ``total`` ``what`` (sentences, say) done; ``fraction`` (0-1) is the whole run's share done,
    each step weighted by what it costs."""

    step: str
    index: int
    steps: int
    done: int
    total: int
    what: str
    fraction: float

    def __str__(self) -> str:
        if self.step == "scoring":
            return "scoring"
        count = f": {self.done}/{self.total} {self.what}" if self.total else ""
        return f"{self.step}{count} (step {self.index + 1} of {self.steps})"


ProgressFn = Callable[[Progress], None]


class _Tracker:
    """Turns the steps' counts (:meth:`CheckContext.progress`) into :class:`Progress` reports, a few per second."""

    def __init__(self, progress: ProgressFn | None, steps: list[tuple[str, float]]) -> None:
        self.progress = progress
        self.steps = steps
        self.total = sum(w for _, w in steps) or 1.0
        self.index = 0
        self.before = 0.0
        self.last = 0.0

    def start(self, index: int, segments: int, ctx: CheckContext) -> None:
        self.index = index
        self.before = sum(w for _, w in self.steps[:index])
        ctx.on_progress = self.update
        self._emit(0, segments, "segments", 0.0)

    def update(self, done: int, total: int, what: str, within: tuple[float, float]) -> None:
        now = time.monotonic()
        if done < total and now - self.last < PROGRESS_INTERVAL:
            return
        lo, hi = within
        self._emit(done, total, what, lo + (hi - lo) * (done / total if total else 1.0))

    def _emit(self, done: int, total: int, what: str, share: float) -> None:
        if self.progress is None:
            return
        self.last = time.monotonic()
        name, weight = self.steps[self.index] if self.index < len(self.steps) else ("scoring", 0.0)
        fraction = min(1.0, (self.before + weight * max(0.0, min(1.0, share))) / self.total)
        self.progress(Progress(name, self.index, len(self.steps), done, total, what, fraction))

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(Progress("scoring", len(self.steps), len(self.steps), 0, 0, "", 1.0))


def _weight(check: Check) -> float:
    if isinstance(check, PostScorer):
        return 10.0
    return _WEIGHTS.get(check.requires or "", 1.0)


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


def _apply(result: PostScore, segments: Sequence[Segment], penalties: dict[int, float]) -> float:
    """Write a step's scores into the segments, each keeping its penalty score; returns the new document score."""
    for seg in segments:
        if seg.index in result.segments:
            seg.extra["penalty_score"] = penalties[seg.index]
            seg.score = round(float(result.segments[seg.index]), 2)
    return round(float(result.document), 2)


@dataclass
class CheckRun:
    """What the checks found in a document, before it is tidied and scored (:func:`collect`).

    :func:`finish` turns it into a :class:`Report`, and can do so again with another minimum
    severity without running a check again: the web page's *Minimum severity* filters this way.
    """

    doc: Document
    config: Config
    selection: Selection
    ctx: CheckContext
    steps: list[PostScorer]
    findings: list[Finding]
    timings: dict[str, float]
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run_checks(doc: Document, config: Config | None = None, progress: ProgressFn | None = None) -> Report:
    """Run every selected check on ``doc`` and score the result (:func:`collect`, then :func:`finish`).

    ``progress``, when given, is called with a :class:`Progress` as each step starts and, within
    the long ones, every few tenths of a second as their sentences are done.
    """
    return finish(collect(doc, config, progress))


def collect(doc: Document, config: Config | None = None, progress: ProgressFn | None = None) -> CheckRun:
    """Select the checks, align the document with its source document when one is needed, run every check and
    every post-scoring step's ``run``: the raw findings, not yet tidied or scored."""
    config = config or Config()
    t0 = time.perf_counter()
    paired = (doc.paired and any(s.source for s in doc.segments)) or doc.source_text is not None
    selection = select_checks(config.enable, config.disable, config.params, paired=paired, only=config.only)
    ctx = CheckContext(config=config, src_lang=doc.src_lang, tgt_lang=doc.tgt_lang)
    findings: list[Finding] = []
    timings: dict[str, float] = {}
    errors: list[str] = []
    aligning = align.needs_alignment(doc) and any(c.needs_source for c in selection.checks)
    checks = [c for c in selection.checks if c.role == "check"]
    steps: list[PostScorer] = []
    for step in selection.checks:
        if isinstance(step, PostScorer):
            if reason := step.unsupported(doc, ctx):
                ctx.warn(reason)
            else:
                steps.append(step)
    runs: list[Check] = [*checks, *steps]
    tracker = _Tracker(progress, [("alignment", _WEIGHTS["embeddings"])] * aligning + [(c.id, _weight(c)) for c in runs])
    if aligning:
        tracker.start(0, len(doc.segments), ctx)
        t = time.perf_counter()  # source checks need each segment's source: align the documents first
        try:
            align.align_document(doc, ctx)
        except Exception as exc:
            errors.append(f"sentence alignment failed: {type(exc).__name__}: {exc}")
        timings["alignment"] = time.perf_counter() - t
    text_len = len(doc.text)
    for i, check in enumerate(runs, int(aligning)):
        t = time.perf_counter()
        view, notes = check_view(doc, check)  # what a check reads of a long input (checker.budget)
        for note in notes:
            ctx.warn(note)
        tracker.start(i, len(view.segments), ctx)
        try:
            for f in check.run(view, ctx):
                if f.side == "target":
                    f.start = max(0, min(f.start, text_len))
                    f.end = max(f.start, min(f.end, text_len))
                findings.append(f)
        except Exception as exc:  # one broken check must not hide the others
            errors.append(f"check {check.id} failed: {type(exc).__name__}: {exc}")
        timings[check.id] = time.perf_counter() - t
    ctx.on_progress = None
    tracker.finish()
    return CheckRun(doc, config, selection, ctx, steps, findings, timings, errors, time.perf_counter() - t0)


def finish(run: CheckRun, min_severity: str | None = None) -> Report:
    """The :class:`Report` of a :class:`CheckRun`: findings tidied (segments assigned; those on inline codes,
    duplicates and those another finding explains dropped; the severity and ignore filters applied), penalty
    scores set, then each post-scoring step's scores. ``min_severity`` overrides the run's setting."""
    t0 = time.perf_counter()
    config = run.config if min_severity in (None, run.config.min_severity) else replace(run.config, min_severity=min_severity)
    doc, ctx = run.doc, run.ctx
    timings = dict(run.timings)
    errors = list(run.errors)

    def keep(f: Finding) -> bool:
        return severity_at_least(f.severity, config.min_severity) and not config.ignored(f.text)

    findings = list(run.findings)
    _assign_segments(findings, doc.segments)
    findings = codes.drop_findings_on_codes(findings, doc.segments)  # inline tags/placeholders are not prose
    findings = [f for f in drop_subsumed(_dedupe(findings), segments=doc.segments) if keep(f)]
    for seg in doc.segments:
        seg.extra.pop("penalty_score", None)
    score = score_segments(doc.segments, findings)
    penalties = {seg.index: seg.score for seg in doc.segments}
    penalty_score = None
    bands = PENALTY_BANDS
    results: list[PostScore] = []
    for step in run.steps:  # each step reads the penalty scores and the same findings
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
        score = _apply(result, doc.segments, penalties)
        bands = result.bands or PENALTY_BANDS
        findings.extend(f for f in result.findings if severity_at_least(f.severity, config.min_severity))
    timings["total"] = run.seconds + time.perf_counter() - t0
    signature = {
        "version": __version__,
        "checks": {c.id: c.settings for c in run.selection.checks},
        "config": config.signature(),
        "models": dict(ctx.models),
    }
    return Report(
        text=doc.text,
        segments=doc.segments,
        findings=findings,
        score=score,
        penalty_score=penalty_score,
        bands=bands,
        src_lang=doc.src_lang,
        tgt_lang=doc.tgt_lang,
        checks_run=[c.id for c in run.selection.checks],
        timings=timings,
        version=__version__,
        signature=signature,
        paired=doc.paired,
        name=doc.name,
        errors=doc.notes + errors + ctx.warnings,
        source_text=doc.source_text,
    )
