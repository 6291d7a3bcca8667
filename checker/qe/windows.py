"""Long segments read in windows: runs of whole sentences, each within the sub-words a quality model reads.

The networks read at most ``max_target_pieces`` sub-words of a target and ``max_source_pieces`` of a source (200
each for the shipped models, about 150 English words); a paragraph beyond that would be scored on its start, and
the words after the cut never tagged.

* A target read without a source is cut into consecutive windows, after a sentence where one fits (else at the
  last space, else at a sub-word), and each window is read whole (:func:`window_spans`).
* A pair is cut into windows of aligned sentences (:func:`pair_windows`): both sides are split into sentences,
  the sentences aligned by their lengths (Gale and Church's method, which needs no model and no language), and
  consecutive aligned groups are read together while both sides fit.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from itertools import accumulate

from ..segment import rule_sentences


def sentence_starts(text: str) -> list[int]:
    """Character offsets at which a sentence of ``text`` (other than the first) starts
    (:func:`checker.segment.rule_sentences`: no language needed, abbreviations and initials kept whole)."""
    return [a for a, _ in rule_sentences(text)[1:]]


def window_spans(text: str, piece_starts: Sequence[int], limit: int) -> list[tuple[int, int]]:
    """Consecutive ``(start, end)`` character spans covering ``text``, each holding at most ``limit`` of the pieces
    starting at ``piece_starts`` (sorted), cut after a sentence where one fits."""
    if len(piece_starts) <= limit:
        return [(0, len(text))]
    starts = list(piece_starts)
    cuts = sentence_starts(text)
    out: list[tuple[int, int]] = []
    lo, i = 0, 0
    while len(starts) - i > limit:
        bound = starts[i + limit]  # the first piece that would not fit starts here
        fitting = [c for c in cuts if lo < c <= bound]
        if fitting:
            cut = fitting[-1]
        else:
            space = text.rfind(" ", lo + 1, bound + 1)
            cut = space + 1 if space > lo else bound
        if cut <= lo:  # pieces without width at one offset: step past them
            cut = next((s for s in starts[i:] if s > lo), len(text))
        out.append((lo, cut))
        lo = cut
        i = bisect.bisect_left(starts, cut)
    out.append((lo, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


Span = tuple[int, int]
#: Gale and Church (1993): how often each bead (source sentences, target sentences) occurs in parallel text,
#: and the variance of one side's length given the other's (per character)
BEAD_PRIORS = {(1, 1): 0.89, (1, 0): 0.0045, (0, 1): 0.0045, (2, 1): 0.045, (1, 2): 0.045, (2, 2): 0.011}
LENGTH_VARIANCE = 6.8


def _bead_cost(source_chars: int, target_chars: int, ratio: float, prior: float) -> float:
    """-log of the bead's prior times the probability of its length difference (Gale and Church)."""
    expected = source_chars * ratio
    mean = max((expected + target_chars) / 2, 1.0)
    delta = abs(target_chars - expected) / math.sqrt(mean * LENGTH_VARIANCE)
    return -math.log(max(math.erfc(delta / math.sqrt(2)), 1e-300)) - math.log(prior)


def align_by_length(source_lengths: Sequence[int], target_lengths: Sequence[int]) -> list[tuple[Span, Span]]:
    """Beads ``((s0, s1), (t0, t1))``: source sentences s0..s1-1 translated by target sentences t0..t1-1, in order,
    covering both sides. The lengths are in characters; their ratio is the pair's own (so a Chinese source or a
    German target needs no setting)."""
    n, m = len(source_lengths), len(target_lengths)
    ratio = (sum(target_lengths) / sum(source_lengths)) if sum(source_lengths) else 1.0
    s_cum = [0, *accumulate(source_lengths)]
    t_cum = [0, *accumulate(target_lengths)]
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for (di, dj), prior in BEAD_PRIORS.items():
                a, b = i + di, j + dj
                if a > n or b > m:
                    continue
                c = cost[i][j] + _bead_cost(s_cum[a] - s_cum[i], t_cum[b] - t_cum[j], ratio, prior)
                if c < cost[a][b]:
                    cost[a][b], back[a][b] = c, (di, dj)
    beads: list[tuple[Span, Span]] = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        assert step is not None  # 1-0 and 0-1 beads reach every cell
        di, dj = step
        beads.append(((i - di, i), (j - dj, j)))
        i, j = i - di, j - dj
    return beads[::-1]


def pair_windows(source: str, target: str, source_piece_starts: Sequence[int], target_piece_starts: Sequence[int],
                 source_limit: int, target_limit: int) -> list[tuple[Span, Span]]:
    """Consecutive ``(source span, target span)`` windows covering both texts, each a run of aligned sentences
    (:func:`align_by_length`) holding at most the limits' pieces on each side where its sentences allow (a
    sentence longer than a limit is a window of its own, read on its start). Every window has text on both sides."""
    if len(source_piece_starts) <= source_limit and len(target_piece_starts) <= target_limit:
        return [((0, len(source)), (0, len(target)))]
    s_sent, t_sent = rule_sentences(source), rule_sentences(target)
    if not s_sent or not t_sent:
        return [((0, len(source)), (0, len(target)))]
    beads = align_by_length([b - a for a, b in s_sent], [b - a for a, b in t_sent])

    def span(sents: list[Span], lo: int, hi: int) -> Span | None:
        return (sents[lo][0], sents[hi - 1][1]) if hi > lo else None

    def pieces(sp: Span | None, starts: Sequence[int]) -> int:
        return 0 if sp is None else bisect.bisect_left(starts, sp[1]) - bisect.bisect_left(starts, sp[0])

    def one_sided(group: list[tuple[Span, Span]]) -> bool:
        """Its sentences have no counterpart on one side (only 1-0 or only 0-1 beads)."""
        return group[0][0][0] == group[-1][0][1] or group[0][1][0] == group[-1][1][1]

    groups: list[list[tuple[Span, Span]]] = []
    used = (0, 0)
    for bead in beads:
        (s0, s1), (t0, t1) = bead
        need = (pieces(span(s_sent, s0, s1), source_piece_starts), pieces(span(t_sent, t0, t1), target_piece_starts))
        if groups and used[0] + need[0] <= source_limit and used[1] + need[1] <= target_limit:
            groups[-1].append(bead)
            used = (used[0] + need[0], used[1] + need[1])
        else:
            groups.append([bead])
            used = need
    # a window with one side empty joins the window before it (the first such window, the one after it)
    merged: list[list[tuple[Span, Span]]] = []
    for g in groups:
        if merged and one_sided(g):
            merged[-1] += g
        else:
            merged.append(g)
    if len(merged) > 1 and one_sided(merged[0]):
        merged[:2] = [merged[0] + merged[1]]
    out = []
    for k, g in enumerate(merged):  # spans run to the next window's start, so both texts are covered
        s_lo = 0 if k == 0 else s_sent[g[0][0][0]][0]
        t_lo = 0 if k == 0 else t_sent[g[0][1][0]][0]
        s_hi = len(source) if k == len(merged) - 1 else s_sent[merged[k + 1][0][0][0]][0]
        t_hi = len(target) if k == len(merged) - 1 else t_sent[merged[k + 1][0][1][0]][0]
        out.append(((s_lo, s_hi), (t_lo, t_hi)))
    return out
