"""Document language: fastText decides what it is sure of (whole or by sentences); seeded langdetect the rest."""

from __future__ import annotations

import pytest

from checker import langid

LONG_EN = ("The committee approved the new budget after a long debate in parliament on Tuesday. Members of the "
           "opposition said that the plan would raise taxes for working families, while the government insisted that "
           "it would create thousands of new jobs in the poorer regions of the country.")


def test_a_long_text_fasttext_is_sure_of_needs_no_langdetect(monkeypatch):
    called: list[str] = []
    monkeypatch.setattr(langid, "_langdetect", lambda text: called.append(text) or [("de", 0.99)])
    assert langid.detect_language(LONG_EN)[0] == "en" and not called


def test_a_long_text_fasttext_is_unsure_of_is_decided_by_langdetect(monkeypatch):
    monkeypatch.setattr(langid, "_fasttext", lambda text, k=3: [("en", 0.6), ("nl", 0.3)])
    monkeypatch.setattr(langid, "_langdetect", lambda text: [("nl", 0.97)])
    assert langid.detect_language(LONG_EN) == ("nl", 0.97)
    monkeypatch.setattr(langid, "_langdetect", lambda text: [])  # langdetect gives up: fastText's best guess
    assert langid.detect_language(LONG_EN) == ("en", 0.6)


def test_a_long_text_fasttext_is_sure_of_sentence_by_sentence_needs_no_langdetect(monkeypatch):
    called: list[str] = []
    # read whole, fastText hesitates (web debris, names); read a sentence at a time (k=1), it is sure
    monkeypatch.setattr(langid, "_fasttext", lambda text, k=3: [("en", 0.97)] if k == 1 else [("en", 0.6)])
    monkeypatch.setattr(langid, "_langdetect", lambda text: called.append(text) or [("de", 0.99)])
    assert langid.detect_language(LONG_EN) == ("en", pytest.approx(0.97)) and not called
    # sentences it is unsure of (Nepali read as Hindi, say) leave the decision to langdetect
    monkeypatch.setattr(langid, "_fasttext", lambda text, k=3: [("hi", 0.7)])
    assert langid.detect_language(LONG_EN) == ("de", 0.99) and called


def test_a_short_text_is_fasttexts_and_a_text_without_letters_is_unknown(monkeypatch):
    monkeypatch.setattr(langid, "_langdetect", lambda text: [("de", 0.99)])
    assert langid.detect_language("Der Hund schläft.")[0] == "de"
    assert langid.detect_language("12 34 !!") == (None, 0.0)


def test_real_detection_is_deterministic():
    text = "Der Ausschuss billigte den neuen Haushalt nach einer langen Debatte. " * 4
    assert {langid.detect_language(text) for _ in range(3)} == {langid.detect_language(text)}
    assert langid.detect_document_language(text) == "de"
