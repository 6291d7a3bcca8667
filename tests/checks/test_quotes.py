"""Quote checks: detached, wrong side, stray fragment, unbalanced."""

from __future__ import annotations

import pytest
from helpers import spans


def test_detached_closing_quote_at_paragraph_end():
    text = 'She said: "We will stay in the country. "\n\nThen she left.'
    assert spans("detached-quote", text) == [(39, 41, ' "')]


def test_detached_quote_between_spaces_mid_paragraph():
    text = '"We are ready. " He left the room.'
    assert spans("detached-quote", text) == [(14, 16, ' "')]


@pytest.mark.parametrize("text", [
    'She said: "We will stay."',
    'He called it "fake" and left. "Nonsense," she replied.',
])
def test_detached_quote_negative(text):
    assert spans("detached-quote", text) == []


def test_closing_quote_glued_to_the_next_word():
    text = '"The Americans should leave Iraq, "said the fighter on Wednesday.'
    found = spans("wrong-side-quote", text)
    assert found == [(33, 35, ' "')]


def test_reporting_verb_marks_a_wrong_side_quote_even_when_parity_says_opening():
    text = 'He wrote "hello" to her, "tweeted the aide.'
    assert spans("wrong-side-quote", text) == [(24, 26, ' "')]


def test_opening_quote_glued_to_the_previous_word():
    text = '"Alexa, play" Another One Bites the Dust," she tweeted.'
    assert spans("wrong-side-quote", text) == [(12, 13, '"')]


def test_quote_glued_between_two_words():
    assert spans("wrong-side-quote", 'He said"We are ready."') == [(7, 8, '"')]


@pytest.mark.parametrize("text", [
    '"We will not leave," said the fighter.',
    'He said, "we will not leave."',
    'The so-called "maximum pressure" campaign failed.',
    '"Stop." The guard raised his hand.',
])
def test_wrong_side_quote_negative(text):
    assert spans("wrong-side-quote", text) == []


def test_stray_fragment_after_closing_quote():
    text = 'He said that "the plan covers the country." region".'
    assert spans("stray-quote-fragment", text) == [(44, 52, 'region".')]
    assert spans("stray-quote-fragment", 'They said "we stay." forever.') == [(21, 29, "forever.")]


@pytest.mark.parametrize("text", [
    'He said that "the plan covers the country." The region agreed.',
    'She shouted "Stop!" and ran.',
    'He said "stop." then left the room.',
])
def test_stray_fragment_negative(text):
    assert spans("stray-quote-fragment", text) == []


def test_unbalanced_curly_and_straight_quotes():
    assert spans("unbalanced-quotes", "He said “we stay and left.") == [(8, 9, "“")]
    assert spans("unbalanced-quotes", "She wrote ”fine” twice.") == [(10, 11, "”"), (15, 16, "”")]
    assert spans("unbalanced-quotes", 'The "plan was "good" today.') == [(14, 15, '"')]


@pytest.mark.parametrize("text", [
    "He said “we stay” and left.",
    'The "plan" was "good" today.',
    "“A quotation running on\n\n“into the next paragraph.”",
])
def test_unbalanced_quotes_negative(text):
    assert spans("unbalanced-quotes", text) == []
