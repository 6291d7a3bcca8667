"""Encoding damage: mojibake and characters that do not belong in text."""

from __future__ import annotations

import pytest
from helpers import spans

import checker


# -- encoding -------------------------------------------------------------------------
def test_mojibake_positive():
    text = "The cafÃ© said itâ€™s closed."
    found = spans("mojibake", text)
    assert found == [(4, 9, "cafÃ©"), (15, 21, "itâ€™s")]
    report = checker.check_text(text, tgt_lang="en", only=["mojibake"])
    assert report.findings[0].suggestion == "replace with 'café'"


@pytest.mark.parametrize("text", ["A naïve café in São Paulo costs €5.", "Москва и Straße “quoted”."])
def test_mojibake_negative(text):
    assert spans("mojibake", text) == []


def test_bad_characters():
    text = "Broken \ufffd char and a\u200bzero width and a bell\x07."
    assert spans("bad-characters", text) == [(7, 8, "\ufffd"), (19, 20, "\u200b"), (41, 42, "\x07")]
    assert spans("bad-characters", "Plain text\twith a tab.") == []
