"""Long targets are cut into windows of whole sentences, each within the pieces a quality model reads."""

from __future__ import annotations

import re
from itertools import pairwise

from checker.qe.windows import align_by_length, pair_windows, sentence_starts, window_spans
from checker.segment import rule_sentences


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
    german = "Er sagte: „Ja.“ Dann ging er."
    assert [german[i:] for i in sentence_starts(german)] == ["Dann ging er."]
    chinese = "他说：「好。」然后走了。今天很好！"  # no space after a CJK stop
    assert [chinese[i:] for i in sentence_starts(chinese)] == ["然后走了。今天很好！", "今天很好！"]


def test_sentence_spans_cover_the_text():
    text = "One. Two! Three?"
    assert rule_sentences(text) == [(0, 5), (5, 10), (10, 16)]


def test_sentences_align_one_to_one_and_a_split_sentence_two_to_one():
    assert align_by_length([40, 60, 50], [44, 66, 55]) == [((0, 1), (0, 1)), ((1, 2), (1, 2)), ((2, 3), (2, 3))]
    # the second source sentence became two target sentences; the ratio of lengths is the pair's own (here 2)
    assert align_by_length([40, 120, 50], [80, 110, 130, 100]) == [((0, 1), (0, 1)), ((1, 2), (1, 3)),
                                                                   ((2, 3), (3, 4))]


def test_an_added_target_sentence_is_not_dropped():
    beads = align_by_length([50, 50, 50], [50, 50, 20, 50])
    assert beads[0][0][0] == 0 and beads[-1][0][1] == 3 and beads[-1][1][1] == 4  # both sides covered
    assert all(s1 - s0 <= 2 and t1 - t0 <= 2 for (s0, s1), (t0, t1) in beads)


def test_pair_windows_pair_whole_aligned_sentences_cover_both_texts_and_fit():
    source = " ".join(f"Satz {i} hat hier genau sechs Wörter." for i in range(1, 9))
    target = " ".join(f"Sentence {i} has here exactly seven words, really." for i in range(1, 9))
    s_starts, t_starts = word_starts(source), word_starts(target)
    wins = pair_windows(source, target, s_starts, t_starts, 20, 20)
    assert len(wins) == 4
    assert wins[0][0][0] == 0 and wins[0][1][0] == 0 and wins[-1][0][1] == len(source) and wins[-1][1][1] == len(target)
    assert all(b == c for ((_, b), _), ((c, _), _) in pairwise(wins))  # source windows contiguous
    assert all(b == c for (_, (_, b)), (_, (c, _)) in pairwise(wins))  # target windows contiguous
    for (sa, sb), (ta, tb) in wins:
        assert pieces_in((sa, sb), s_starts) <= 20 and pieces_in((ta, tb), t_starts) <= 20
        n = source[sa:sb].split()[1]
        assert target[ta:tb].split()[1] == n  # the windows hold each other's translations
    assert pair_windows("Kurz.", "Short.", [0], [0], 20, 20) == [((0, 5), (0, 6))]


def test_a_pair_whose_one_sentence_is_too_long_stays_one_window():
    source, target = "wort " * 50, "word " * 50
    assert pair_windows(source, target, word_starts(source), word_starts(target), 20, 20) == [
        ((0, len(source)), (0, len(target)))]


def test_pair_windows_of_random_texts_cover_both_sides_contiguously_and_never_leave_a_side_empty():
    import random

    rng = random.Random(3)

    def text(n: int) -> str:
        return " ".join(" ".join(["w"] * rng.randint(1, 30)) + rng.choice([".", "!", "?", "", ","]) for _ in range(n))

    for _ in range(300):
        source, target = text(rng.randint(0, 12)), text(rng.randint(0, 12))
        wins = pair_windows(source, target, word_starts(source), word_starts(target), rng.randint(5, 60),
                            rng.randint(5, 60))
        assert wins[0][0][0] == 0 and wins[0][1][0] == 0
        assert wins[-1][0][1] == len(source) and wins[-1][1][1] == len(target)
        assert all(a[0][1] == b[0][0] and a[1][1] == b[1][0] for a, b in pairwise(wins))
        if len(wins) > 1:
            assert all(source[a:b].strip() and target[c:d].strip() for (a, b), (c, d) in wins)
