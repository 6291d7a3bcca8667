"""MQM-style scoring.

Each finding costs penalty points by severity: minor 1, major 5, critical 10,
except minor punctuation findings, which cost 0.1 (the WMT MQM convention:
a stray space is real damage but does not change meaning). Each penalty is
weighted by the finding's confidence.

    segment score  = 100 * max(0, 1 - penalty(segment) / max(words(segment), MIN_WORDS))
    document score = 100 * max(0, 1 - penalty(document) / max(words(document), MIN_WORDS))

so one major error in a 25-word sentence gives that sentence 80, and a document
of 1,000 words with ten major errors scores 95. ``MIN_WORDS`` stops a one-word
segment with one minor error from dropping to zero.

When a segment has a source-target similarity (embedding checks), its score is
also capped by that similarity (see :func:`similarity_cap`), so a pair that
means something else scores low even with no surface finding.
"""

from __future__ import annotations

from collections.abc import Iterable

from .text import count_words
from .values import Finding, Segment

SEVERITY_WEIGHTS: dict[str, float] = {"minor": 1.0, "major": 5.0, "critical": 10.0}
PUNCTUATION_MINOR_WEIGHT = 0.1
MIN_WORDS = 10
#: a score at or above the first bound is good, at or above the second fair, below it poor
SCORE_BANDS: tuple[tuple[float, str], ...] = ((90.0, "good"), (70.0, "fair"))


def score_band(score: float) -> str:
    """``good`` (90 and up), ``fair`` (70 to 90) or ``poor`` (below 70): how every face colours a score."""
    return next((band for bound, band in SCORE_BANDS if score >= bound), "poor")


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


def score_segments(segments: list[Segment], findings: Iterable[Finding]) -> float:
    """Set each segment's score and return the document score."""
    per_seg: dict[int, float] = {}
    total = 0.0
    for f in findings:
        p = penalty(f)
        per_seg[f.segment] = per_seg.get(f.segment, 0.0) + p
        total += p
    words_total = 0
    capped_loss = 0.0
    for seg in segments:
        words = count_words(seg.text)
        words_total += words
        score = score_from_penalty(per_seg.get(seg.index, 0.0), words)
        cap = similarity_cap(seg.similarity, seg.extra.get("similarity_threshold"))
        if cap < score:
            # the capped part counts towards the document as penalty points
            capped_loss += (score - cap) / 100.0 * max(words, MIN_WORDS)
            score = cap
        seg.score = score
    return score_from_penalty(total + capped_loss, words_total)
