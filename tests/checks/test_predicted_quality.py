"""The predicted-quality post-scoring step: calibrated scores in a report, the penalty score kept."""

from __future__ import annotations

import json

import pytest

import checker
from checker import calibration as cal
from checker.errors import ModelError
from checker.render import render

PAIRS_EN_DE = [
    ("The committee approved the new budget after a long debate.",
     "Der Ausschuss genehmigte den neuen Haushalt nach einer langen Debatte."),
    ("Please restart the computer before installing the update.",
     "Bitte starten Sie den Computer neu, bevor Sie das Update installieren."),
]


# -- in a report ---------------------------------------------------------------------------------
def test_target_only_needs_no_model():
    text = "The committee approved the new budget after a long debate. It will take effect next year."
    report = checker.check_text(text, tgt_lang="en", enable=["predicted-quality"], disable=["lm-fluency"])
    assert report.penalty_score is not None
    for seg in report.segments:
        assert seg.extra["predicted_mqm"] <= 0
        assert seg.score == pytest.approx(cal.score_from_mqm(seg.extra["predicted_mqm"]), abs=0.01)


def test_missing_model_warns_and_keeps_penalty_score(monkeypatch):
    def broken(*_a, **_k):
        raise ModelError("model files missing")

    monkeypatch.setattr("checker.embeddings.crosslingual_encoder", broken)
    report = checker.check_pairs(PAIRS_EN_DE, "en", "de", only=["predicted-quality", "doubled-word"])
    assert report.penalty_score is None
    assert any("calibrated score unavailable" in e and "penalty score kept" in e for e in report.errors)
    assert all("predicted_mqm" not in s.extra for s in report.segments)
    assert report.score == pytest.approx(100.0)


def test_off_by_default():
    report = checker.check_text("The committee approved the budget.", tgt_lang="en",
                                disable=["lm-fluency", "learned-quality"])
    assert report.penalty_score is None and cal.CHECK_ID not in report.checks_run


@pytest.mark.slow
def test_check_pairs_sets_predicted_mqm_and_penalty_score():
    report = checker.check_pairs([*PAIRS_EN_DE, ("The meeting starts at 10 o'clock.", "Das Wetter ist heute schön.")],
                                 "en", "de", only=["predicted-quality", "number-mismatch"])
    assert report.penalty_score is not None
    assert all(s.extra["predicted_mqm"] <= 0 and "penalty_score" in s.extra for s in report.segments)
    assert report.signature["models"]["calibration"].startswith("en-de")
    # an unrelated "translation" is predicted worse than the two real ones
    assert report.segments[2].extra["predicted_mqm"] < min(s.extra["predicted_mqm"] for s in report.segments[:2])
    assert json.loads(render(report, "json"))["penalty_score"] == pytest.approx(report.penalty_score, abs=0.01)


@pytest.mark.slow
def test_english_target_uses_the_lm_variant_when_lm_fluency_ran():
    text = "The committee approved the new budget after a long debate. It will take effect in the next year."
    report = checker.check_text(text, tgt_lang="en", enable=["predicted-quality"])
    assert report.signature["models"]["calibration"].startswith("target-only + LM")
    assert all(s.extra["predicted_mqm"] <= 0 for s in report.segments)
