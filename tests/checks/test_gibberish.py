"""Gibberish: tokens no language would write."""

from __future__ import annotations

import pytest
from helpers import spans


# -- gibberish ---------------------------------------------------------------------------
def test_gibberish_positive():
    text = "The report was asdfgh jklqwe late. He wrote xkqzvwt today. Pay with x7#kQ%9zP now."
    assert [t for *_, t in spans("gibberish", text)] == ["asdfgh jklqwe", "xkqzvwt", "x7#kQ%9zP"]


@pytest.mark.parametrize("text", [
    "The strengths and rhythms of the Hezbollah militia surprised Suebsaeng.",
    "Run pip install numpy==2.4 and open https://example.com/a1b2c3 or mail me@example.org.",
    "Zbigniew Brzezinski met the CEO of NVIDIA in Szczecin.",
])
def test_gibberish_negative(text):
    assert spans("gibberish", text) == []
