"""Whole-unit comparisons with the source: copies, untranslated targets, end punctuation, CJK punctuation, length."""

from __future__ import annotations

from helpers import pair_findings, pair_spans


def test_identical_to_source():
    text = "The committee approved the new budget for the coming year."
    assert pair_spans("identical-to-source", text, text) == [("target", 0, len(text), text)]
    assert pair_spans("identical-to-source", "Angela Merkel", "Angela Merkel") == []
    assert pair_spans("identical-to-source", text, text, "en", "en") == []


def test_untranslated_target():
    found = pair_findings("untranslated", "Der Ausschuss billigte den neuen Haushalt für das kommende Jahr.",
                     "The committee approved the new budget for the year.", "de", "en")
    assert found == []
    found = pair_findings("untranslated", "The committee approved the new budget for the coming year after a debate.",
                     "The committee approved the new budget for the year after a debate.")
    assert [(f.start, f.severity) for f in found] == [(0, "major")]


def test_end_punctuation_mismatch():
    assert pair_spans("end-punctuation-mismatch", "Do you want to save the changes to this file?",
                 "Möchten Sie die Änderungen an dieser Datei speichern.") == [("target", 52, 53, ".")]
    assert pair_spans("end-punctuation-mismatch", "Do you want to save the changes?", "Möchten Sie speichern?") == []
    assert pair_spans("end-punctuation-mismatch", "Close the door.", "Schließen Sie die Tür!") == []
    assert pair_spans("end-punctuation-mismatch", "Police arrest 15", "Polizei nimmt 15 fest.") == []


def test_cjk_punctuation_in_latin_target():
    found = pair_findings("cjk-punctuation", "欧盟官员：接收过程。", "EU official：the process，is slow。", "zh", "en")
    assert [(f.text, f.suggestion) for f in found] == [("：", "use ':'"), ("，", "use ','"), ("。", "use '.'")]
    assert pair_spans("cjk-punctuation", "欧盟官员。", "EU officials met.", "zh", "en") == []


def test_ascii_punctuation_inside_chinese_target():
    found = pair_findings("cjk-punctuation", "EU officials met, and talked.", "欧盟官员开会,并且讨论了.", "en", "zh")
    assert [f.text for f in found] == [",", "."]


def test_length_ratio():
    src = "The committee approved the new budget for the coming year after a long debate."
    assert [f.text for f in pair_findings("length-ratio", src, "Der Ausschuss.")] == ["Der Ausschuss."]
    ok = "Der Ausschuss billigte nach einer langen Debatte den neuen Haushalt für das kommende Jahr."
    assert pair_findings("length-ratio", src, ok) == []
    assert pair_findings("length-ratio", "OK", "Einverstanden, alles klar") == []
    long = ok + " " + ok + " " + ok
    assert [f.category for f in pair_findings("length-ratio", src, long)] == ["accuracy/addition"]
