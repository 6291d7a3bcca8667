"""learned-quality: the learned model's scores replace the penalty scores; its word findings never repeat a rule's."""

from __future__ import annotations

import pytest

import checker
from checker.checks.quality_model import CHECK_ID
from tests.helpers import PARALLEL, ROMANIAN, find

pytestmark = pytest.mark.slow  # loads the quality models (a few seconds, once per session)


def test_the_learned_score_is_the_default_and_the_penalty_score_stays():
    report = checker.check_text("The committee approved the new budget after a long debate.", tgt_lang="en")
    assert CHECK_ID in report.checks_run
    assert report.penalty_score is not None
    seg = report.segments[0]
    assert "penalty_score" in seg.extra and set(seg.extra["quality"]) >= {"da", "hter", "mqm"}
    assert report.score == pytest.approx(seg.score)  # one segment: the document score is its score
    assert "quality" in report.signature["models"]


def test_word_salad_scores_below_the_fluent_sentence():
    good, bad = (checker.check_text(t, tgt_lang="en", only=[CHECK_ID]).score for t in
                 ("The government wants to lower taxes for small companies.",
                  "Government the taxes wants lower for companies small to the."))
    assert bad < good - 5


def test_a_mistranslation_scores_below_the_faithful_translation():
    unrelated = "The bus to Munich runs twice every day because of the sun."
    gaps = []
    for lang, pairs in PARALLEL.items():
        for src, tgt in pairs:
            faithful, wrong = (checker.check_pairs([(src, t)], lang, "en", only=[CHECK_ID]).score for t in (tgt, unrelated))
            gaps.append(faithful - wrong)
    assert min(gaps) > 0 and sum(gaps) / len(gaps) > 20, gaps  # shipped model: 9-44 points, 30 on average


def test_a_romanian_file_gets_scores_and_no_meaning_drift_findings():
    report = checker.check_pairs(ROMANIAN, "ro", "en")
    assert not find(report, "source-similarity")
    assert all(0 <= s.score <= 100 for s in report.segments)
    assert {s.extra["quality_model"] for s in report.segments} == {"pair"}


def test_a_learned_span_never_repeats_a_rule_finding():
    text = "The strike came days after the attack . Officials said that the talks had had failed yesterday."
    report = checker.check_text(text, tgt_lang="en", params={CHECK_ID: {"min_probability": 0.0}})
    rules = [f for f in report.findings if f.check != CHECK_ID]
    learned = find(report, CHECK_ID)
    assert rules and learned  # at probability 0 every word run is flagged, except where a rule already is
    for f in learned:
        assert not any(r.segment == f.segment and r.side == f.side and r.start < f.end and f.start < r.end for r in rules)


def test_word_findings_carry_a_category_a_reason_and_the_probability():
    text = "Government the taxes wants lower for companies small to the."
    report = checker.check_text(text, tgt_lang="en", only=[CHECK_ID], params={CHECK_ID: {"min_probability": 0.3}})
    found = find(report, CHECK_ID)
    assert found
    for f in found:
        assert f.category == "fluency/garbled" and "post-editor" in f.message and 0.3 <= f.confidence <= 1.0
        assert text[f.start:f.end] == f.text and f.text.strip() == f.text


def test_source_words_the_translation_lost_become_source_findings():
    src = "Der Zug nach Hamburg fährt heute wegen eines schweren Sturms an der Küste nicht."
    report = checker.check_pairs([(src, "The train is not running.")], "de", "en", only=[CHECK_ID],
                                 params={CHECK_ID: {"major_probability": 0.3}})
    lost = [f for f in find(report, CHECK_ID) if f.side == "source"]
    assert lost and all(f.category == "accuracy/omission" for f in lost)
    assert all(src[f.start:f.end] == f.text for f in lost)


def test_a_model_folder_that_cannot_load_is_a_warning_and_the_penalty_scores_stay(tmp_path):
    report = checker.check_text("A plain sentence.", tgt_lang="en", qe_model=str(tmp_path / "missing"))
    assert report.penalty_score is None
    assert any(CHECK_ID in e and "cannot load" in e for e in report.errors)


def test_switched_off_it_leaves_the_penalty_score():
    report = checker.check_text("A plain sentence.", tgt_lang="en", disable=[CHECK_ID])
    assert report.penalty_score is None and CHECK_ID not in report.checks_run


def test_learned_scores_are_banded_on_their_own_scale():
    report = checker.check_text("The committee approved the new budget after a long debate.", tgt_lang="en")
    assert report.bands == (70.0, 50.0) and report.to_dict()["bands"] == {"good": 70.0, "fair": 50.0}
    plain = checker.check_text("The committee approved the new budget after a long debate.", tgt_lang="en",
                               disable=[CHECK_ID])
    assert plain.bands == (90.0, 70.0) and plain.penalty_score is None


def test_a_long_document_is_read_up_to_its_word_budget_and_the_rest_keeps_penalty_scores():
    text = "\n\n".join(f"The council met on day {i} and approved the plan." for i in range(1, 7))
    report = checker.check_text(text, tgt_lang="en", params={CHECK_ID: {"max_document_words": 25}})
    scored = [s for s in report.segments if "quality" in s.extra]
    assert 0 < len(scored) < len(report.segments)
    assert all("penalty_score" not in s.extra for s in report.segments if "quality" not in s.extra)
    assert any(CHECK_ID in e and "max_document_words" in e for e in report.errors)


def test_english_scores_take_the_language_models_fluency_term():
    text = "The committee approved the new budget after a long debate."
    report = checker.check_text(text, tgt_lang="en")
    quality = report.segments[0].extra["quality"]
    assert isinstance(quality["lm_excess"], float)
    assert "fluency term" in report.signature["models"]["quality"]
    off = checker.check_text(text, tgt_lang="en", params={CHECK_ID: {"lm_term": False}})
    assert "lm_excess" not in off.segments[0].extra["quality"]
    assert "fluency term" not in off.signature["models"]["quality"]
    alone = checker.check_text(text, tgt_lang="en", only=[CHECK_ID])  # lm-fluency off: the term reads the LM itself
    assert alone.score == pytest.approx(report.score)


def test_other_target_languages_get_no_fluency_term():
    report = checker.check_pairs([("The dog sleeps in the garden.", "Der Hund schläft im Garten.")], "en", "de")
    assert "lm_excess" not in report.segments[0].extra["quality"]
    assert "fluency term" not in report.signature["models"]["quality"]


def test_lm_term_must_be_a_boolean():
    from checker.config import Config
    from checker.errors import ConfigError
    from checker.selection import validate_settings

    validate_settings(Config(params={CHECK_ID: {"lm_term": False}}))
    with pytest.raises(ConfigError, match="lm_term must be true or false"):
        validate_settings(Config(params={CHECK_ID: {"lm_term": "no"}}))


def test_a_pair_with_a_sentence_longer_than_the_model_reads_says_only_its_start_was_scored():
    source = ", ".join(f"the committee approved the new budget on day {i} after a long debate" for i in range(1, 16))
    target = ", ".join(f"der Ausschuss billigte am Tag {i} den neuen Haushalt nach langer Debatte" for i in range(1, 16))
    report = checker.check_pairs([("A short one.", "Ein kurzer."), (source, target)], "en", "de", only=[CHECK_ID])
    assert any(CHECK_ID in e and "words: #1)" in e and "only its start was scored" in e for e in report.errors)
    assert report.segments[1].extra["quality_cut"] and "quality_cut" not in report.segments[0].extra
    short = checker.check_pairs([("The budget passed.", "Der Haushalt wurde gebilligt.")], "en", "de", only=[CHECK_ID])
    assert not any("only its start" in e for e in short.errors)


def test_a_long_pair_of_sentences_is_read_in_windows_without_a_note():
    source = " ".join(f"The committee approved the new budget on day {i} after a long debate." for i in range(1, 16))
    target = " ".join(f"Der Ausschuss billigte am Tag {i} den neuen Haushalt nach langer Debatte." for i in range(1, 16))
    report = checker.check_pairs([(source, target)], "en", "de", only=[CHECK_ID])
    seg = report.segments[0]
    assert seg.extra["quality_windows"] > 1 and "quality_cut" not in seg.extra
    assert not any("only its start" in e for e in report.errors)


def test_a_long_target_alone_is_read_in_windows_and_says_how_many():
    target = " ".join(f"Der Ausschuss billigte am Tag {i} den neuen Haushalt nach langer Debatte." for i in range(1, 16))
    report = checker.check_pairs([(None, target)], None, "de", only=[CHECK_ID])
    seg = report.segments[0]
    assert seg.extra["quality_windows"] > 1 and "quality_cut" not in seg.extra
    assert not any("only its start" in e for e in report.errors)
