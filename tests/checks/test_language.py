"""Wrong language: a sentence or long clause in another language."""

from __future__ import annotations

import pytest
from helpers import spans


# -- wrong language ------------------------------------------------------------------------
def test_wrong_language_sentence():
    text = ("The minister arrived in Berlin on Monday. Der Minister sprach lange mit den Journalisten über die Lage. "
            "He left on Tuesday.")
    found = spans("wrong-language", text)
    assert found == [(42, 103, "Der Minister sprach lange mit den Journalisten über die Lage.")]


@pytest.mark.parametrize("text", [
    "Hassam Abbas, a member of Asaib Ahl al-Haq, spoke to Kataib Hezbollah fighters in Baghdad.",
    "The motto Liberté, égalité, fraternité is well known. The film La Dolce Vita was shown.",
    "The strike in Iraq on Thursday came after a long campaign of maximum pressure on the economy.",
])
def test_wrong_language_negative(text):
    assert spans("wrong-language", text) == []
