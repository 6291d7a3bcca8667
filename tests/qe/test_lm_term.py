"""The language model's fluency term of the learned score (English targets): arithmetic, storage, choice."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from checker.qe.lm_term import LM_TERM_FILE, LmTerm, choose_weight
from checker.word_surprisal import mean_excess, unigram_surprisal


def test_a_word_less_likely_than_usual_lowers_the_score_by_the_weight_per_sd():
    term = LmTerm(mean=2.0, sd=0.5, weights={"source": 6.0, "target": 3.0})
    assert term.adjust(70.0, 2.0, with_source=True) == pytest.approx(70.0)  # at the mean: unchanged
    assert term.adjust(70.0, 2.5, with_source=True) == pytest.approx(64.0)  # one sd worse: 6 points
    assert term.adjust(70.0, 1.5, with_source=False) == pytest.approx(73.0)  # one sd better, target only: 3
    assert term.adjust(99.0, -10.0, with_source=False) == 100.0 and term.adjust(1.0, 50.0, True) == 0.0


def test_no_excess_no_weight_or_no_spread_leaves_the_score():
    assert LmTerm(2.0, 0.5, {"source": 6.0}).adjust(55.0, None, True) == 55.0
    assert LmTerm(2.0, 0.5, {"source": 6.0}).adjust(55.0, 9.0, False) == 55.0  # no target weight
    assert LmTerm(2.0, 0.0, {"source": 6.0}).adjust(55.0, 9.0, True) == 55.0


def test_a_fitted_term_is_saved_beside_the_models_and_read_back(tmp_path):
    assert LmTerm.load(tmp_path) is None
    LmTerm(1.25, 0.75, {"source": 4.0, "target": 2.0}, "some LM", {"texts": 3}).save(tmp_path)
    assert (tmp_path / LM_TERM_FILE).is_file()
    assert LmTerm.load(tmp_path) == LmTerm(1.25, 0.75, {"source": 4.0, "target": 2.0}, "some LM", {"texts": 3})


def test_the_weight_with_the_best_sum_of_figures_is_chosen_ties_to_the_smaller():
    sums = {0.0: 1.0, 1.0: 1.2, 2.0: 1.3, 3.0: 1.3, 4.0: 1.1}
    best, tried = choose_weight(lambda w: {"r": sums[w] / 2, "pe_wins": sums[w] / 2}, list(sums))
    assert best == 2.0 and set(tried) == set(sums)
    best, _ = choose_weight(lambda w: {"r": 0.5}, [0.0, 1.0])
    assert best == 0.0  # nothing gained: no term


def test_mean_excess_is_over_the_words_after_the_first():
    text = "The cat sat"
    offsets = [(0, 3), (4, 7), (8, 11)]
    ts = SimpleNamespace(offsets=offsets, surprisals=[9.0, 20.0, 4.0])
    expected = ((20.0 - unigram_surprisal("cat")) + (4.0 - unigram_surprisal("sat"))) / 2
    assert mean_excess(text, ts) == pytest.approx(expected)
    assert mean_excess("Hello", SimpleNamespace(offsets=[(0, 5)], surprisals=[3.0])) is None


def test_numbers_are_left_out_of_the_mean_excess():
    text = "On 2020-01-03 it rained"
    offsets = [(0, 2), (3, 13), (14, 16), (17, 23)]
    ts = SimpleNamespace(offsets=offsets, surprisals=[5.0, 1.0, 3.0, 6.0])
    expected = ((3.0 - unigram_surprisal("it")) + (6.0 - unigram_surprisal("rained"))) / 2
    assert mean_excess(text, ts) == pytest.approx(expected)
    assert mean_excess("Call 555 1234", SimpleNamespace(offsets=[(0, 4), (5, 8), (9, 13)], surprisals=[1.0] * 3)) is None
