"""The shipped quality model: loads offline from the package, deterministic, any language pair."""

from __future__ import annotations

import pytest

from checker.qe.estimator import PACKAGED_DIR, QualityEstimator, WordEstimate, flagged_spans, split_words


@pytest.fixture(scope="session")
def estimator():
    return QualityEstimator()


def test_weights_ship_inside_the_package_and_are_small():
    files = {str(p.relative_to(PACKAGED_DIR)): p.stat().st_size for p in PACKAGED_DIR.rglob("*") if p.is_file()}
    assert {f"{role}/{name}" for role in ("pair", "english") for name in ("qe.safetensors", "qe.json")} <= set(files)
    assert sum(files.values()) < 60 * 2**20


def test_loads_offline_from_the_package(estimator, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert estimator.model_dir == PACKAGED_DIR
    assert set(estimator.models) == {"pair", "english"}
    assert all(m.network.cfg.layers >= 1 for m in estimator.models.values())


def test_english_without_a_source_is_read_by_the_english_model_the_rest_by_the_pair_model(estimator):
    assert estimator.route(False, "en") == "english" and estimator.route(False, None) == "english"
    assert estimator.route(True, "en") == "pair" and estimator.route(False, "de") == "pair"
    (english,) = estimator.estimate(["The committee approved the new budget."], tgt_lang="en")
    (pair,) = estimator.estimate(["Der Ausschuss stimmte zu."], tgt_lang="de")
    assert english.model == "english+pair" and pair.model == "pair"
    text = ["The committee approved the new budget."]
    alone = [m.estimate(text, [None], [split_words(text[0])], None)[0].score for m in estimator.models.values()]
    assert english.score == pytest.approx(sum(alone) / 2)  # English alone: the mean of both models' scores


def test_english_alone_reads_the_mean_of_both_models_words_against_thresholds_fitted_for_it(estimator):
    text = "The committee approved the the new budget yesterday evening."
    words = [split_words(text)]
    (paired,) = estimator.estimate([text], tgt_lang="en")
    alone = [m.estimate([text], [None], words, None)[0] for m in estimator.models.values()]
    means = [sum(e.target_words[i].probability for e in alone) / 2 for i in range(len(words[0]))]
    assert [w.probability for w in paired.target_words] == pytest.approx(means)
    fitted = estimator.models["english"].meta["calibration"]["with_pair"]
    assert paired.thresholds["mcc"] == pytest.approx(fitted["threshold"])
    assert paired.thresholds["minor"] >= 1.0  # no word findings for English text alone (docs/quality-model.md)


def test_scores_are_deterministic_and_on_the_0_100_scale(estimator):
    targets = ["The committee approved the new budget after a long debate.", "Committee the budget new approved debate."]
    first = estimator.estimate(targets)
    second = estimator.estimate(list(reversed(targets)))[::-1]  # other batch order, same numbers
    assert [e.score for e in first] == [e.score for e in second]
    assert all(0.0 <= e.score <= 100.0 for e in first)
    assert first[0].score > first[1].score  # word salad scores lower than the fluent sentence


@pytest.mark.parametrize("source, target", [
    ("Le comité a approuvé le nouveau budget.", "The committee approved the new budget."),  # fr-en: not trained
    ("今日はいい天気です。", "오늘은 날씨가 좋습니다."),  # ja-ko: neither side trained
    ("", "A target without a source."),
    ("Source only.", ""),
])
def test_pairs_outside_the_training_data_get_a_score_and_no_crash(estimator, source, target):
    (est,) = estimator.estimate([target], [source or None])
    assert 0.0 <= est.score <= 100.0
    assert [(w.start, w.end) for w in est.target_words] == split_words(target)


def test_a_very_long_segment_is_cut_not_refused(estimator):
    (est,) = estimator.estimate(["word " * 2000])
    assert 0.0 <= est.score <= 100.0 and len(est.target_words) == 2000


def test_flagged_words_merge_into_narrow_spans():
    text = "He went at home , yesterday ."
    probabilities = [0.1, 0.2, 0.9, 0.8, 0.95, 0.1, 0.7]
    words = [WordEstimate(s, e, text[s:e], p) for (s, e), p in zip(split_words(text), probabilities, strict=True)]
    assert [(text[s:e], round(p, 2)) for s, e, p in flagged_spans(words, 0.5, text)] == [("at home", 0.9)]
    certain = [WordEstimate(w.start, w.end, w.text, 1.0) for w in words]
    assert flagged_spans(certain, 1.0, text) == []  # a threshold of 1: calibration found none precise enough


def test_a_long_target_alone_is_read_in_windows_and_every_word_gets_its_windows_probability(estimator):
    text = " ".join(f"Der Ausschuss billigte am Tag {i} den neuen Haushalt nach einer langen Debatte in Berlin."
                     for i in range(1, 16))
    model = estimator.models["pair"]
    spans = model.windows(text)
    assert len(spans) > 1 and spans[-1][1] == len(text)
    (est,) = estimator.estimate([text], tgt_lang="de")
    assert est.windows == len(spans) and not est.cut
    words = split_words(text)
    assert [(w.start, w.end) for w in est.target_words] == words  # every word, past the cut too
    last = text[spans[-1][0]:]
    (alone,) = model.estimate([last], [None], [split_words(last)])
    tail = [w for w in est.target_words if w.start >= spans[-1][0]]
    # read alone or batched with the other windows: bfloat16 sums in another order move a probability by < 0.02
    assert [w.probability for w in tail] == pytest.approx([w.probability for w in alone.target_words], abs=0.02)
    parts = [model.estimate([text[a:b]], [None], [split_words(text[a:b])])[0].score for a, b in spans]
    assert est.score == pytest.approx(sum(s * (b - a) for s, (a, b) in zip(parts, spans, strict=True)) / len(text),
                                      abs=0.5)


def test_a_long_pair_is_read_in_windows_of_aligned_sentences_and_every_word_on_both_sides_is_tagged(estimator):
    source = " ".join(f"The committee approved the new budget on day {i} after a long debate in the capital."
                      for i in range(1, 16))
    target = " ".join(f"Der Ausschuss billigte am Tag {i} den neuen Haushalt nach langer Debatte in der Hauptstadt."
                      for i in range(1, 16))
    model = estimator.models["pair"]
    spans = model.pair_windows(source, target)
    assert len(spans) > 1 and spans[-1][0][1] == len(source) and spans[-1][1][1] == len(target)
    long_pair, short_pair = estimator.estimate([target, "Der Ausschuss billigte den Haushalt."],
                                               [source, "The committee approved the budget."], tgt_lang="de")
    assert long_pair.windows == len(spans) and not long_pair.cut and long_pair.with_source
    assert short_pair.windows == 1 and not short_pair.cut
    assert [(w.start, w.end) for w in long_pair.target_words] == split_words(target)
    assert [(w.start, w.end) for w in long_pair.source_words] == split_words(source)
    (sa, sb), (ta, tb) = spans[-1]
    (alone,) = model.estimate([target[ta:tb]], [source[sa:sb]], [split_words(target[ta:tb])])
    tail = [w for w in long_pair.target_words if w.start >= ta]
    assert [w.probability for w in tail] == pytest.approx([w.probability for w in alone.target_words], abs=0.02)
    source_tail = [w for w in long_pair.source_words if w.start >= sa]
    assert [w.probability for w in source_tail] == pytest.approx([w.probability for w in alone.source_words], abs=0.02)


def test_a_pair_with_a_sentence_longer_than_the_model_reads_is_marked_cut_and_a_short_one_is_not(estimator):
    source = ", ".join(f"the committee approved the new budget on day {i} after a long debate" for i in range(1, 16))
    target = ", ".join(f"der Ausschuss billigte am Tag {i} den neuen Haushalt nach langer Debatte" for i in range(1, 16))
    long_pair, short_pair = estimator.estimate([target, "Der Ausschuss billigte den Haushalt."],
                                               [source, "The committee approved the budget."], tgt_lang="de")
    assert long_pair.cut and long_pair.windows == 1 and not short_pair.cut
