"""Long targets are cut into windows of whole sentences, each within the pieces a quality model reads."""

from __future__ import annotations

import re
from itertools import pairwise

from checker.qe.windows import sentence_starts, window_spans


def word_starts(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\S+", text)]


def pieces_in(span: tuple[int, int], starts: list[int]) -> int:
    return sum(span[0] <= s < span[1] for s in starts)


def test_a_text_within_the_limit_is_one_window():
    text = "One short sentence. And another."
    assert window_spans(text, word_starts(text), 10) == [(0, len(text))]


def test_windows_end_after_a_sentence_cover_the_text_and_hold_at_most_the_limit():
    text = " ".join(f"Sentence number {i} has exactly six words." for i in range(1, 8))  # 7 x 7 words
    starts = word_starts(text)
    spans = window_spans(text, starts, 16)
    assert len(spans) > 1 and spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(b == c for (_, b), (c, _) in pairwise(spans))  # contiguous, nothing lost
    assert all(pieces_in(sp, starts) <= 16 for sp in spans)
    assert all(text[a:b].rstrip().endswith(".") for a, b in spans)  # whole sentences
    assert [pieces_in(sp, starts) for sp in spans] == [14, 14, 14, 7]


def test_a_sentence_longer_than_the_limit_is_cut_at_a_space():
    text = " ".join(["word"] * 30) + "."
    starts = word_starts(text)
    spans = window_spans(text, starts, 12)
    assert all(pieces_in(sp, starts) <= 12 for sp in spans)
    assert all(text[b - 1] == " " for _, b in spans[:-1]) and spans[-1][1] == len(text)


def test_pieces_without_width_cannot_stop_the_cut():
    text = "ab" * 5
    spans = window_spans(text, [0] * 8 + [4, 6], 3)  # eight pieces at one offset
    assert spans[-1][1] == len(text) and all(b > a for a, b in spans)


def test_sentence_starts_follow_closing_quotes_and_cjk_stops():
    assert sentence_starts('He said "Yes." Then he left! 好。 完') == [15, 29, 32]
