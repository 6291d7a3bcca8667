"""Punctuation checks: space before, missing space after, doubled marks, unbalanced brackets."""

from __future__ import annotations

import pytest
from helpers import spans


def test_space_before_punctuation_positive():
    text = "Iraq, Lebanon , the Gulf states and the country ."
    assert spans("space-before-punctuation", text) == [(13, 15, " ,"), (47, 49, " .")]


@pytest.mark.parametrize("text", ["He paid 3.50 dollars.", "Wait ... what?", "Le prix : dix euros !"])
def test_space_before_punctuation_negative(text):
    lang = "fr" if text.startswith("Le") else "en"
    assert spans("space-before-punctuation", text, lang) == []


def test_missing_space_after_positive():
    text = "The talks ended.Next week they resume,and then stop."
    assert spans("missing-space-after-punctuation", text) == [(15, 17, ".N"), (37, 39, ",a")]


@pytest.mark.parametrize("text", [
    "The rate rose to 3.5 percent in the U.S. last year.",
    "See https://example.com/Path.Html or www.example.org for details.",
    "Write to jane.Doe@example.com or open config.yaml now.",
    "It costs 1,000 euros, e.g. for Node.js users.",
])
def test_missing_space_after_negative(text):
    assert spans("missing-space-after-punctuation", text) == []


def test_doubled_punctuation_positive():
    text = "He left,, then came back.. Really?? Yes,."
    assert spans("doubled-punctuation", text) == [(7, 9, ",,"), (24, 26, ".."), (33, 35, "??"), (39, 41, ",.")]


@pytest.mark.parametrize("text", [
    "Wait... what?! It was… fine.",
    "Run ../setup.sh and count 1..10 in std::vector.",
    "He lives in the U.S.. He works.",
])
def test_doubled_punctuation_negative(text):
    assert spans("doubled-punctuation", text) == []


def test_unbalanced_brackets_positive():
    text = "The plan (approved in May was dropped. Later it returned]."
    found = spans("unbalanced-brackets", text)
    assert [(s, e) for s, e, _ in found] == [(9, 10), (56, 57)]
    assert [t for *_, t in found] == ["(", "]"]


@pytest.mark.parametrize("text", [
    "The plan (approved in May) was dropped [see below].",
    "Options: 1) save, 2) quit. Nice :)",
    "Steps: a) open the file b) save it.",
])
def test_unbalanced_brackets_negative(text):
    assert spans("unbalanced-brackets", text) == []




@pytest.mark.parametrize(("text", "suggestion"), [
    ("It was a good year .Critics loved it.", "move the space after '.': 'year. Critics'"),  # split into two sentences
    ("Iraq, Lebanon , the Gulf.", "remove the space before ','"),
    ("The end .", "remove the space before '.'"),
])
def test_the_space_before_punctuation_suggestion_gives_correct_text(text, suggestion):
    import checker

    (f,) = checker.check_text(text, "en", only=["space-before-punctuation", "missing-space-after-punctuation"]).findings
    assert (f.check, f.suggestion) == ("space-before-punctuation", suggestion)
