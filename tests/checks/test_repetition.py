"""Repetition: doubled words and repetition loops."""

from __future__ import annotations

import pytest
from helpers import spans


# -- doubled words and repetition loops ----------------------------------------------
def test_doubled_word_positive():
    text = "We saw the the house. The The report was late."
    assert spans("doubled-word", text) == [(10, 14, " the"), (25, 29, " The")]


@pytest.mark.parametrize("text", [
    "He had had enough.",
    "She said that that was fine.",
    "What it is is a problem.",
    "They flew to Bora Bora and Walla Walla.",
    "It was both both both wrong.",
])
def test_doubled_word_negative(text):
    assert spans("doubled-word", text) == []


def test_doubled_word_german_allow_list():
    assert spans("doubled-word", "Das sind die Leute, die die Arbeit machen.", "de") == []


def test_repetition_loop_word_and_phrase():
    text = "It was both both both wrong. We went to the city, we went to the city again."
    assert spans("repetition-loop", text) == [(11, 21, " both both"), (48, 69, ", we went to the city")]


def test_repetition_loop_repeated_paragraph():
    text = "The minister resigned on Friday evening.\nThe minister resigned on Friday evening.\n"
    assert spans("repetition-loop", text) == [(41, 81, "The minister resigned on Friday evening.")]


@pytest.mark.parametrize("text", [
    "Ha ha ha, very funny. Prices rose again and again, step by step.",
    "She said no, no, no to the plan.",
    "The city council met in the city hall.",
])
def test_repetition_loop_negative(text):
    assert spans("repetition-loop", text) == []


def test_phrases_that_differ_in_a_number_are_no_loop():
    text = "The committee met on day 1 in the capital. The committee met on day 2 in the capital."
    assert spans("repetition-loop", text) == []
    assert spans("repetition-loop", "Step 1: click OK. Step 2: click OK. Step 3: click OK.") == []
    looped = "The committee met on day 1 in the capital. The committee met on day 1 in the capital."
    assert spans("repetition-loop", looped) != []
