"""Word-frequency checks: unknown English words and short untranslated fragments (no language model)."""

from __future__ import annotations

import pytest

from checker.config import Config
from checker.pipeline import run_checks
from checker.segment import build_document

LEXICAL = ["rare-word", "foreign-fragment"]

CLEAN = (
    "The city council approved a well-funded budget on Tuesday after a debate that lasted six hours. "
    "Officials in Paris said the money would be spent on repairing the region's bridges. "
    "Visit https://example.com/unreflected-page or write to press@example.org for details. "
    "The mayor's decision was welcomed by Hassan Rouhani and Angela Merkel, per the statement. "
    "A spokesman said the plan was a de facto compromise between the two parties."
)


def lexical(text: str, lang: str = "en", only: list[str] = LEXICAL):
    return run_checks(build_document(text, lang), Config(only=only))


def test_sample_calque_unreflected_is_flagged(sample_text):
    report = lexical(sample_text)
    rare = [f for f in report.findings if f.check == "rare-word"]
    assert [f.text for f in rare] == ["unreflected"]
    f = rare[0]
    assert sample_text[f.start:f.end] == "unreflected"
    assert "unreflected" in f.message and f.category == "fluency/word-choice"


def test_clean_english_has_no_lexical_findings():
    report = lexical(CLEAN)
    assert report.findings == [], [(f.check, f.text) for f in report.findings]


@pytest.mark.parametrize(
    ("text", "fragment", "lang"),
    [
        ("We met him yesterday, und zwar in the morning before the meeting.", "und zwar", "de"),
        ("The report was, par exemple, three weeks late and badly written.", "par exemple", "fr"),
        ("They said the new stadium was muy bueno for the whole team.", "muy bueno", "es"),
    ],
)
def test_untranslated_fragment_is_flagged_with_exact_span(text, fragment, lang):
    report = lexical(text)
    hits = [f for f in report.findings if f.check == "foreign-fragment"]
    assert len(hits) == 1
    f = hits[0]
    assert f.text == fragment == text[f.start:f.end]
    assert f"'{lang}'" in f.message


def test_fragment_in_the_known_source_language_only():
    doc = build_document("We met him yesterday, und zwar in the morning, par exemple at nine.", "en")
    doc.src_lang = "de"
    report = run_checks(doc, Config(only=LEXICAL))
    assert [f.text for f in report.findings] == ["und zwar"]


def test_rare_word_skips_other_target_languages():
    report = lexical("Der Bürgermeister hat die unreflektierte Eskalation kritisiert.", "de", only=["rare-word"])
    assert report.findings == []


def test_misspelt_and_coined_words_are_flagged():
    report = lexical("The government gave an unreflected exmaple of its new plan for the railways.")
    assert sorted(f.text for f in report.findings) == ["exmaple", "unreflected"]


def test_a_lone_word_common_in_english_is_not_a_foreign_fragment():
    report = lexical("The police force said some protesters threw objects and set a police van on fire.")
    assert report.findings == []
    report = lexical("The minister said, ohne any doubt, that the plan would be approved by the council.")
    assert [f.text for f in report.findings if f.check == "foreign-fragment"] == ["ohne"]
