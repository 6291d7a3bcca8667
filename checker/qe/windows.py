"""Long targets read in windows: runs of whole sentences, each within the sub-words a quality model reads.

The networks read at most ``max_target_pieces`` sub-words of a target (200 for the shipped models, about 150
English words); a paragraph beyond that would be scored on its start, and the words after the cut never tagged.
A target read without a source is therefore cut into consecutive windows, after a sentence where one fits
(else at the last space, else at a sub-word), and each window is read whole.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

#: where a new sentence starts: after . ! ? … (and their CJK forms), closing quotes or brackets, then white space
_SENTENCE_START = re.compile(r"(?<=[.!?…。！？])[\"'”’»)\]]*\s+")


def sentence_starts(text: str) -> list[int]:
    """Character offsets at which a sentence of ``text`` (other than the first) starts."""
    return [m.end() for m in _SENTENCE_START.finditer(text) if m.end() < len(text)]


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
