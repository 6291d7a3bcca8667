"""Casing: a sentence that starts in lowercase."""

from __future__ import annotations

import pytest
from helpers import spans


# -- lowercase sentence start ------------------------------------------------------
def test_lowercase_sentence_start_positive():
    text = "They celebrated over them. social networks lit up. Later! they left."
    assert spans("lowercase-sentence-start", text) == [(27, 33, "social"), (58, 62, "they")]


@pytest.mark.parametrize("text", [
    "Officials in the U.S. said so. Prices rose, e.g. for fuel, i.e. for everyone.",
    "He paused... then went on. It was fine… mostly.",
    'She shouted "Stop!" and ran. "Why?" asked the boy.',
    "See example.com. it works. Mail jane.doe@example.org today.",
    "Steps: 1. open the file 2. save it. Buy an iPhone. iPhones are popular.",
    "He met Dr. smith and Mr. jones on Jan. fifth at approx. noon.",
])
def test_lowercase_sentence_start_negative(text):
    assert spans("lowercase-sentence-start", text) == []
