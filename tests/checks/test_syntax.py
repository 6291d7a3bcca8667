"""broken-clause: clause structure from spaCy's en_core_web_sm (optional)."""

from __future__ import annotations

import pytest

from checker.checks import syntax
from checker.config import Config
from checker.pipeline import run_checks
from checker.segment import build_document


def clause_findings(text: str, lang: str = "en"):
    return run_checks(build_document(text, lang), Config(only=["broken-clause"]))


def test_missing_parser_is_a_warning_not_a_crash(monkeypatch):
    def unavailable():
        raise ImportError("no module named en_core_web_sm")

    monkeypatch.setattr(syntax, "parser", unavailable)
    report = clause_findings("The report would suggest that the officials in the capital are at risk.")
    assert report.findings == []
    assert any("broken-clause skipped" in e for e in report.errors)


def test_other_languages_are_not_parsed(monkeypatch):
    monkeypatch.setattr(syntax, "parser", lambda: pytest.fail("the English parser must not load for German"))
    report = clause_findings("Der Bericht legt nahe, dass die Beamten in der Hauptstadt gefährdet sind.", "de")
    assert report.findings == [] and report.errors == []


@pytest.mark.slow
def test_clause_whose_subject_became_an_object_is_flagged():
    broken = "The new figures would suggest to the engineers and the drivers are working longer hours than before."
    report = clause_findings(broken)
    assert [f.text for f in report.findings] == ["drivers are"], [f.message for f in report.findings]
    assert "no subject" in report.findings[0].message
    fixed = broken.replace("suggest to", "suggest that")
    assert clause_findings(fixed).findings == []


@pytest.mark.slow
@pytest.mark.parametrize("sentence, flagged", [
    ("The farmers said they was expecting a poor harvest after the long drought.", "they was"),
    ("The minister said he have no plans to resign before the election in May.", "he have"),
    ("The farmers said they were expecting a poor harvest after the long drought.", None),
    ("The minister said he has no plans to resign before the election in May.", None),
])
def test_pronoun_and_verb_that_disagree_in_number(sentence, flagged):
    found = [f.text for f in clause_findings(sentence).findings]
    assert found == ([flagged] if flagged else []), found


@pytest.mark.slow
@pytest.mark.parametrize("opener, flagged", [("Remarkable", True), ("Typical", True), ("Meanwhile", False),
                                              ("However", False), ("Finally", False),
                                              ("True", False), ("Worse", False)])
def test_bare_adjective_opening_a_sentence(opener, flagged):
    text = f"{opener}, the council approved the budget for the new bridge on Tuesday evening."
    found = [f.text for f in clause_findings(text).findings]
    assert found == ([f"{opener},"] if flagged else []), found


@pytest.mark.slow
def test_clean_english_is_not_flagged():
    text = ("The library will close for two weeks in August while the heating system is replaced. "
            "Staff said they were looking forward to welcoming visitors back after the summer. "
            "Officials said that the work, which was approved in May, would cost about 80,000 pounds.")
    report = clause_findings(text)
    assert report.findings == [] and report.errors == [], [f.message for f in report.findings]
