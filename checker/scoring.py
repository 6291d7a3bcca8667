"""MQM-style scoring.

Each finding costs penalty points by severity: minor 1, major 5, critical 10,
except minor punctuation findings, which cost 0.1 (the WMT MQM convention:
a stray space is real damage but does not change meaning). Each penalty is
weighted by the finding's confidence.

    segment score  = 100 * max(0, 1 - penalty(segment) / max(words(segment), MIN_WORDS))
    document score = the mean of the segment scores

so one major error in a 25-word sentence gives that sentence 80, and a document
of forty such sentences with ten major errors among them scores 95. ``MIN_WORDS``
stops a one-word segment with one minor error from dropping to zero. Every
sentence or unit counts the same in the document score, and one problem costs at
most its own segment: a file of six units with one critical error scores 83.3,
not 0. The mean is what a streamed corpus (``--format jsonl``) reports too, so
the document score is one number whichever way the file is read. Segment scores
are kept to two decimals, as every output writes them.

When a segment has a source-target similarity (embedding checks), its score is
also capped by that similarity (see :func:`similarity_cap`), so a pair that
means something else scores low even with no surface finding.
"""

from __future__ import annotations

from collections.abc import Iterable

from .text import count_words
from .values import PENALTY_BANDS, Finding, Segment

SEVERITY_WEIGHTS: dict[str, float] = {"minor": 1.0, "major": 5.0, "critical": 10.0}
PUNCTUATION_MINOR_WEIGHT = 0.1
MIN_WORDS = 10


def score_band(score: float, bands: tuple[float, float] = PENALTY_BANDS) -> str:
    """``good``, ``fair`` or ``poor`` by the scale's ``bands`` (penalty scores: 90 and 70; the learned score's are
    in ``Report.bands``): how every face colours a score."""
    good, fair = bands
    return "good" if score >= good else "fair" if score >= fair else "poor"


def penalty(finding: Finding) -> float:
    """Penalty points of one finding."""
    if finding.severity == "minor" and finding.category == "fluency/punctuation":
        weight = PUNCTUATION_MINOR_WEIGHT
    else:
        weight = SEVERITY_WEIGHTS[finding.severity]
    return weight * max(0.0, min(1.0, finding.confidence))


def score_from_penalty(points: float, words: int) -> float:
    return 100.0 * max(0.0, 1.0 - points / max(words, MIN_WORDS))


def similarity_cap(similarity: float | None, threshold: float | None) -> float:
    """Highest score a segment may get given its source-target similarity.

    At or above ``threshold`` there is no cap; below it the cap falls linearly
    to 0 at similarity 0.
    """
    if similarity is None or threshold is None or threshold <= 0:
        return 100.0
    if similarity >= threshold:
        return 100.0
    return max(0.0, 100.0 * similarity / threshold)


def document_score(segment_scores: Iterable[float]) -> float:
    """The document score: the mean of its segment scores (100 for a document with no segment).

    Not rounded: the segment scores are (to two decimals, as every output writes them), so a streamed corpus,
    which averages its records' scores, gets this very number, and ``--fail-under`` judges it alike."""
    scores = list(segment_scores)
    return sum(scores) / len(scores) if scores else 100.0


def score_segments(segments: list[Segment], findings: Iterable[Finding]) -> float:
    """Set each segment's score and return the document score (:func:`document_score`)."""
    per_seg: dict[int, float] = {}
    for f in findings:
        per_seg[f.segment] = per_seg.get(f.segment, 0.0) + penalty(f)
    for seg in segments:
        score = score_from_penalty(per_seg.get(seg.index, 0.0), count_words(seg.text))
        cap = similarity_cap(seg.similarity, seg.extra.get("similarity_threshold"))
        seg.score = round(min(score, cap), 2)
    return document_score(seg.score for seg in segments)
