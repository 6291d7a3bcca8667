"""The plain values that flow through mtcheck: Document and Segment in, Finding and Report out.

Readers produce a :class:`Document` of :class:`Segment` objects, checks emit
:class:`Finding` objects, and the pipeline returns a :class:`Report`, which
:mod:`checker.render` turns into text, JSON, JSONL, CSV or HTML. These are values:
they know how to describe themselves (``to_dict``) and nothing about where they
go. Imports nothing from the package but :mod:`checker.text`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .text import count_words

SEVERITIES: tuple[str, ...] = ("minor", "major", "critical")
SEVERITY_RANK: dict[str, int] = {name: i for i, name in enumerate(SEVERITIES)}

#: MQM-style categories used by the checks.
CATEGORIES: tuple[str, ...] = (
    "accuracy/mistranslation",
    "accuracy/omission",
    "accuracy/addition",
    "accuracy/untranslated",
    "fluency/grammar",
    "fluency/punctuation",
    "fluency/spelling",
    "fluency/garbled",
    "fluency/word-choice",
    "fluency/encoding",
    "style/awkward",
    "locale/number",
    "locale/date",
    "terminology",
    "other/boilerplate",
    "other/context",
)


_STR_FINDINGS = 10
#: the good and fair bounds of MQM-penalty scores (:func:`checker.scoring.score_band`): a score at or above the
#: first is good, at or above the second fair, below it poor; a post-scoring step may give its own (``Report.bands``)
PENALTY_BANDS: tuple[float, float] = (90.0, 70.0)


def _preview(text: str | None, width: int = 40, quote: bool = True) -> str:
    """``text`` cut to ``width`` characters (with an ellipsis), quoted like repr() when ``quote``."""
    text = text or ""
    short = text if len(text) <= width else text[:width - 1] + "…"
    return repr(short) if quote else short


def severity_at_least(severity: str, minimum: str) -> bool:
    """True when ``severity`` is at least as serious as ``minimum``."""
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[minimum]


@dataclass
class Segment:
    """One sentence (target-only text) or one translation unit (pairs).

    ``start``/``end`` are Python string offsets of ``text`` in the document text.
    """

    index: int
    start: int
    end: int
    text: str
    source: str | None = None
    id: str | None = None
    src_lang: str | None = None
    tgt_lang: str | None = None
    block: int = 0  # index of the line/paragraph block the segment came from
    score: float = 100.0
    similarity: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: where ``source`` starts in the document's source text, when it was aligned from a source document
    source_start: int | None = None

    def __repr__(self) -> str:
        label = f"id={self.id!r}" if self.id is not None else f"#{self.index}"
        source = f", source {_preview(self.source)}" if self.source is not None else ""
        return f"Segment({label}, score {self.score:.1f}, [{self.start}:{self.end}] {_preview(self.text)}{source})"

    def to_dict(self) -> dict[str, Any]:
        d = {
            "index": self.index,
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 2),
        }
        if self.source is not None:
            d["source"] = self.source
        if self.source_start is not None:
            d["source_start"] = self.source_start
        if self.similarity is not None:
            d["similarity"] = round(self.similarity, 4)
        if self.extra:
            d.update(self.extra)
        return d


@dataclass
class Finding:
    """One flagged span with the reason it was flagged.

    ``start``/``end`` index the document text (``Report.text``); ``segment`` is
    the index of the segment holding the span. ``side`` is ``"target"`` unless
    the span points into the source (an omission, say).
    """

    check: str
    category: str
    severity: str
    start: int
    end: int
    text: str
    message: str
    segment: int = 0
    suggestion: str | None = None
    confidence: float = 1.0
    side: str = "target"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITY_RANK:
            raise ValueError(f"unknown severity {self.severity!r}")
        if self.start > self.end:
            raise ValueError("finding start after end")

    def __repr__(self) -> str:
        where = f"[{self.start}:{self.end}]" + (f" of the {self.side}" if self.side != "target" else "")
        return f"Finding({self.severity} {self.check} {where} {_preview(self.text)}: {_preview(self.message, 60, quote=False)})"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["confidence"] = round(self.confidence, 3)
        if d["suggestion"] is None:
            del d["suggestion"]
        return d


@dataclass
class Document:
    """Input to the checks: the target text and its segments.

    For target-only text ``text`` is the input exactly as decoded. For pairs the
    targets are joined with newlines so every finding still has a document
    offset; per-unit offsets are ``finding.start - segment.start``.
    """

    text: str
    segments: list[Segment]
    src_lang: str | None = None
    tgt_lang: str | None = None
    paired: bool = False
    name: str = "<text>"
    source_text: str | None = None  # unaligned source document, if any
    #: what the reader had to change in the input (lone surrogates replaced, say): the report's warnings
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    """Result of checking a document."""

    text: str
    segments: list[Segment]
    findings: list[Finding]
    score: float
    src_lang: str | None
    tgt_lang: str | None
    checks_run: list[str]
    timings: dict[str, float]
    version: str
    signature: dict[str, Any]
    paired: bool = False
    name: str = "<text>"
    errors: list[str] = field(default_factory=list)
    #: the plain MQM-penalty document score when a calibrated score replaced ``score``
    penalty_score: float | None = None
    #: the good and fair bounds of ``score``'s scale (:func:`checker.scoring.score_band`): 90 and 70 for penalty
    #: scores; a post-scoring step may set its own (the learned score: 70 and 50 on the DA scale)
    bands: tuple[float, float] = PENALTY_BANDS
    #: the source document the segments were aligned with (``--source`` with a target-only text), if any;
    #: source-side findings of its segments index it
    source_text: str | None = None

    def __repr__(self) -> str:
        return f"Report({self.name!r}: {self.summary()})"

    def __str__(self) -> str:
        lines = [f"{self.name}: {self.summary()}"]
        lines += [f"  {f!r}" for f in self.findings[:_STR_FINDINGS]]
        if len(self.findings) > _STR_FINDINGS:
            lines.append(f"  … {len(self.findings) - _STR_FINDINGS} more")
        return "\n".join(lines)

    def summary(self) -> str:
        """One line: the score to one decimal, the findings by severity, words and segments."""
        sev = self.counts("severity")
        counts = ", ".join(f"{sev.get(name, 0)} {name}" for name in reversed(SEVERITIES))
        n, segs = len(self.findings), len(self.segments)
        return (f"score {self.score:.1f}/100, {n} finding{'s' * (n != 1)} ({counts}), "
                f"{self.word_count} words, {segs} segment{'s' * (segs != 1)}")

    # -- views ---------------------------------------------------------------
    def findings_for(self, segment: int) -> list[Finding]:
        """Findings that lie in segment ``segment``."""
        return [f for f in self.findings if f.segment == segment]

    def counts(self, key: str = "severity") -> dict[str, int]:
        """Counts of findings by ``severity``, ``category`` or ``check``."""
        out: dict[str, int] = {}
        for f in self.findings:
            k = getattr(f, key)
            out[k] = out.get(k, 0) + 1
        return out

    def unit_span(self, f: Finding) -> tuple[int, int]:
        """``f``'s offsets into its own unit: the segment's target, or (``side == "source"``) its source."""
        if not self.segments or not 0 <= f.segment < len(self.segments):
            return f.start, f.end
        seg = self.segments[f.segment]
        if f.side == "target":
            return f.start - seg.start, f.end - seg.start
        base = seg.source_start
        if base is not None and base <= f.start and f.end <= base + len(seg.source or ""):
            return f.start - base, f.end - base
        return f.start, f.end

    @property
    def word_count(self) -> int:
        return sum(count_words(s.text) for s in self.segments)

    # -- serialisation -------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "score": round(self.score, 2),
            **({"penalty_score": round(self.penalty_score, 2)} if self.penalty_score is not None else {}),
            "bands": {"good": self.bands[0], "fair": self.bands[1]},
            "src_lang": self.src_lang,
            "tgt_lang": self.tgt_lang,
            "words": self.word_count,
            "segments": [s.to_dict() for s in self.segments],
            **({"source_text": self.source_text} if self.source_text is not None else {}),
            "findings": [f.to_dict() for f in self.findings],
            "counts": {
                "severity": self.counts("severity"),
                "category": self.counts("category"),
            },
            "checks_run": self.checks_run,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "version": self.version,
            "signature": self.signature,
            "errors": self.errors,
        }
