"""The check registry: every check is a small class with an id, a category, a severity and a reason.

A check is registered with :func:`register` (which validates it) and holds every fact
about itself as a class attribute: what it needs (a source, a model), what it
subsumes, its role, its settings and their defaults. Listings, the command line,
the page, the generated ``docs/checks.md`` and the pipeline read these attributes;
nothing about a check is written anywhere else. The built-in checks live one kind
per module in :mod:`checker.checks`; :func:`checker.selection.all_checks` loads them.

Target-side checks usually subclass :class:`SegmentCheck` and implement
:meth:`SegmentCheck.check_segment`; checks that need the whole document (batched
model calls, context) subclass :class:`Check` and implement :meth:`Check.run`.
A step that replaces the scores after every check has run subclasses
:class:`PostScorer` (see there).

Adding a check::

    @register
    class ShoutingCheck(SegmentCheck):
        id = "shouting"
        description = "A whole sentence in capital letters."
        category = "style/awkward"
        severity = "minor"

        def check_segment(self, seg, ctx):
            if seg.text.isupper():
                yield self.flag(seg, 0, len(seg.text), "The sentence is all capitals.")
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import ConfigError
from .values import CATEGORIES, SEVERITY_RANK, Document, Finding, Segment

if TYPE_CHECKING:
    from .context import CheckContext

#: what a registered class is: a check that emits findings, or a step that rescores after every check
ROLES: tuple[str, ...] = ("check", "post-score")
#: the settings (fields of :class:`checker.config.Config`) that name a model, and the option that sets each
MODEL_SETTINGS: dict[str, str] = {
    "embedding_model": "--model",
    "crosslingual_model": "--crosslingual-model",
    "lm_model": "--lm-model",
    "qe_model": "--qe-model",
}

CHECKS: dict[str, type[Check]] = {}


class Check:
    """Base class of all checks."""

    id: ClassVar[str] = ""
    description: ClassVar[str] = ""
    category: ClassVar[str] = ""
    severity: ClassVar[str] = "minor"
    needs_source: ClassVar[bool] = False
    #: checks that are registered but off unless enabled (slow or experimental)
    default_enabled: ClassVar[bool] = True
    #: name of a heavy resource the check needs ("embeddings", "lm", "spacy"): listings, the fast profile
    requires: ClassVar[str | None] = None
    #: the settings that choose the models it loads (keys of :data:`MODEL_SETTINGS`)
    models: ClassVar[tuple[str, ...]] = ()
    #: ids of the checks whose findings inside this one's span it explains (:mod:`checker.overlap`)
    subsumes: ClassVar[frozenset[str]] = frozenset()
    #: its span only approximates where the problem lies (a tag pair, a clause, a language model's edit): a finding
    #: that subsumes it explains it where the two overlap, unless it covers its whole translation
    loose_span: ClassVar[bool] = False
    #: a model check's way with a segment over :data:`checker.budget.MODEL_SEGMENT_CHARS`: "split" into its
    #: sentences, "skip" it (with a note), "whole" (read as it is), or None: a rule check on the target alone reads a
    #: unit over RULE_SEGMENT_CHARS in windows; a ``max_document_words`` setting bounds what it reads
    long_segments: ClassVar[str | None] = None
    #: "check", or "post-score" for a :class:`PostScorer`
    role: ClassVar[str] = "check"
    #: tunable thresholds with defaults; overridden from config
    params: ClassVar[dict[str, Any]] = {}

    def __init__(self, **overrides: Any) -> None:
        unknown = set(overrides) - set(self.params)
        if unknown:
            raise ConfigError(f"check {self.id!r} has no setting {', '.join(sorted(unknown))}")
        self.settings: dict[str, Any] = {**self.params, **overrides}

    @classmethod
    def validate(cls, settings: Mapping[str, Any]) -> None:
        """Raise :class:`~checker.errors.ConfigError` for ``settings`` (defaults included) this check cannot use.

        The command line calls it before any work, so a bad setting (an unreadable
        glossary, say) is a one-line usage error rather than a failed check.
        """

    def run(self, doc: Document, ctx: CheckContext) -> Iterable[Finding]:
        """Yield findings for the whole document."""
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------
    def make_finding(self, start: int, end: int, text: str, message: str, *, severity: str | None = None,
                 category: str | None = None, **fields: Any) -> Finding:
        """A finding of this check; its category and severity unless the call names others."""
        return Finding(check=self.id, category=category or self.category, severity=severity or self.severity,
                       start=start, end=end, text=text, message=message, **fields)

    def flag(
        self,
        seg: Segment,
        start: int,
        end: int,
        message: str,
        *,
        severity: str | None = None,
        category: str | None = None,
        suggestion: str | None = None,
        confidence: float = 1.0,
    ) -> Finding:
        """A finding at ``seg.text[start:end]`` (offsets relative to the segment)."""
        start = max(0, min(start, len(seg.text)))
        end = max(start, min(end, len(seg.text)))
        return self.make_finding(seg.start + start, seg.start + end, seg.text[start:end], message, severity=severity,
                             category=category, segment=seg.index, suggestion=suggestion, confidence=confidence)

    def flag_doc(
        self,
        doc: Document,
        start: int,
        end: int,
        message: str,
        *,
        severity: str | None = None,
        category: str | None = None,
        suggestion: str | None = None,
        confidence: float = 1.0,
    ) -> Finding:
        """A finding at ``doc.text[start:end]`` (document offsets); the pipeline assigns the segment."""
        return self.make_finding(start, end, doc.text[start:end], message, severity=severity, category=category,
                             suggestion=suggestion, confidence=confidence)

    def flag_source(
        self,
        seg: Segment,
        start: int,
        end: int,
        message: str,
        *,
        severity: str | None = None,
        category: str | None = None,
        confidence: float = 1.0,
    ) -> Finding:
        """A finding whose span lies in the segment's *source* text (``side="source"``).

        ``start``/``end`` are offsets into ``seg.source``. When the source was aligned from a
        source document (``seg.source_start`` is set) the finding's offsets index that document,
        like the target side's index the target text; :meth:`checker.values.Report.unit_span`
        gives the offsets into ``seg.source`` either way.
        """
        src = seg.source or ""
        start = max(0, min(start, len(src)))
        end = max(start, min(end, len(src)))
        base = seg.source_start or 0
        return self.make_finding(base + start, base + end, src[start:end], message, severity=severity,
                             category=category, segment=seg.index, confidence=confidence, side="source")

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """Every fact about the check, for listings (``mtcheck checks --json``) and the generated docs."""
        return {
            "id": cls.id,
            "description": cls.description,
            "category": cls.category,
            "severity": cls.severity,
            "needs_source": cls.needs_source,
            "default_enabled": cls.default_enabled,
            "requires": cls.requires,
            "params": dict(cls.params),
            "role": cls.role,
            "models": list(cls.models),
            "subsumes": sorted(cls.subsumes),
            "loose_span": cls.loose_span,
            "long_segments": cls.long_segments,
            "module": cls.__module__,
        }


class SegmentCheck(Check):
    """A check that looks at one segment at a time."""

    #: run on the source side too? (no: checks describe the target)
    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        n = len(doc.segments)
        for i, seg in enumerate(doc.segments, 1):
            if not (self.needs_source and not seg.source):
                yield from self.check_segment(seg, ctx)
            ctx.progress(i, n)

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterable[Finding]:
        raise NotImplementedError


@dataclass
class PostScore:
    """What a :class:`PostScorer` returns: new scores, 0-100.

    ``segments`` maps a segment's index to its new score; a segment left out keeps
    its penalty score. ``document`` is the new document score. ``findings`` are
    flags about whole segments added after scoring: they count in no score, and
    only the run's minimum severity applies to them (word-level findings belong
    in :meth:`PostScorer.run`, where every filter applies).
    """

    segments: dict[int, float]
    document: float
    findings: list[Finding] = field(default_factory=list)
    #: the good and fair bounds of this scale (None: the penalty scores' 90 and 70)
    bands: tuple[float, float] | None = None


class PostScorer(Check):
    """A step that runs after every check and may replace the MQM-penalty scores: the hook for learned and
    calibrated scores.

    It registers like a check (``@register``, an id, a category for its findings, settings
    in ``params``, ``default_enabled``) and is selected like one. The pipeline then uses it in
    two places (:func:`checker.pipeline.run_checks`):

    1. :meth:`run`, after every check of role ``"check"`` has run (so it may read what they
       left in ``ctx.cache``, e.g. the language model's surprisals). Its findings, word-level
       spans say, join the checks' findings *before* deduplication, subsumption, the
       severity and ignore filters and the penalty score, like any check's.
    2. :meth:`rescore`, after the penalty scores are set: it reads the final findings and
       the segments (each with its penalty ``score``) and returns a :class:`PostScore`, or
       None to keep the penalty scores. The pipeline writes the new scores; each rescored
       segment keeps its penalty score in ``extra["penalty_score"]`` and the report keeps
       the document's in ``Report.penalty_score``. When several steps run, each reads the
       penalty scores, and the last by id sets the scores.

    A new instance serves each run, so a step whose model gives spans and scores in one pass
    may compute both in :meth:`run`, keep them on ``self`` and return the scores from :meth:`rescore`.

    What it needs is declared, and checked before it runs: ``needs_source`` (a source for
    each segment), ``source_languages`` / ``target_languages`` (None: any). A document it
    cannot score gets the warning :meth:`unsupported` returns and keeps its penalty
    scores. A model it loads is named with ``ctx.record_model(role, name)`` (the report
    signature) and, when it cannot load, reported with ``ctx.warn``; the penalty scores
    then stay. Example::

        @register
        class LengthScore(PostScorer):  # each segment scored by how close its length is to its source's
            id = "length-score"
            description = "Segment scores from the length ratio (an example)."
            category = "accuracy/mistranslation"
            needs_source = True
            default_enabled = False
            target_languages = frozenset({"de", "fr"})

            def rescore(self, doc, findings, ctx):
                scores = {s.index: 100 * min(len(s.text), len(s.source)) / max(len(s.text), len(s.source), 1)
                          for s in doc.segments if s.source}
                document = sum(scores.values()) / len(scores) if scores else 100.0
                return PostScore(scores, document)
    """

    role: ClassVar[str] = "post-score"
    #: source languages it can read (None: any)
    source_languages: ClassVar[frozenset[str] | None] = None
    #: target languages it can score (None: any)
    target_languages: ClassVar[frozenset[str] | None] = None

    def unsupported(self, doc: Document, ctx: CheckContext) -> str | None:
        """Why this step cannot score ``doc`` (a warning for the report), or None when it can."""
        src, tgt = doc.src_lang or ctx.src_lang, doc.tgt_lang or ctx.tgt_lang
        has_source = any(s.source for s in doc.segments)
        if self.needs_source and not has_source:
            return f"{self.id}: needs a source; penalty score kept"
        if self.target_languages is not None and tgt not in self.target_languages:
            return f"{self.id}: no model for target language {tgt!r}; penalty score kept"
        if self.source_languages is not None and has_source and src not in self.source_languages:
            return f"{self.id}: no model for source language {src!r}; penalty score kept"
        return None

    def run(self, doc: Document, ctx: CheckContext) -> Iterable[Finding]:
        """Findings to add before deduplication and scoring (default: none)."""
        return ()

    def rescore(self, doc: Document, findings: list[Finding], ctx: CheckContext) -> PostScore | None:
        """New scores for ``doc`` given its final ``findings``; None keeps the penalty scores."""
        raise NotImplementedError


def register(cls: type[Check]) -> type[Check]:
    """Class decorator adding a check to the registry."""
    if not cls.id:
        raise ValueError(f"{cls.__name__} has no id")
    if cls.id in CHECKS and CHECKS[cls.id] is not cls:
        raise ValueError(f"duplicate check id {cls.id!r}")
    if cls.category not in CATEGORIES:
        raise ValueError(f"{cls.id}: unknown category {cls.category!r}")
    if cls.severity not in SEVERITY_RANK:
        raise ValueError(f"{cls.id}: unknown severity {cls.severity!r}")
    if cls.role not in ROLES:
        raise ValueError(f"{cls.id}: unknown role {cls.role!r}")
    if unknown := set(cls.models) - set(MODEL_SETTINGS):
        raise ValueError(f"{cls.id}: unknown model setting {', '.join(sorted(unknown))}")
    CHECKS[cls.id] = cls
    return cls
