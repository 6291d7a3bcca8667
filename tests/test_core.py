"""The data model, registry, segmentation, scoring and library API."""

from __future__ import annotations

import json

import pytest

import checker
from checker.render import render
from checker.render.records import segment_records
from checker.scoring import count_words, score_from_penalty
from checker.segment import segment_text
from checker.selection import all_checks, select_checks
from checker.values import Finding


def test_segments_keep_exact_offsets(sample_text):
    segs = segment_text(sample_text, "en")
    assert len(segs) > 30
    for s in segs:
        assert sample_text[s.start:s.end] == s.text
        assert s.text == s.text.strip()


def test_segmentation_does_not_split_abbreviations():
    text = "Dr. Smith met U.S. officials in Jan. 2020. They talked."
    segs = segment_text(text, "en")
    assert [s.text for s in segs] == ["Dr. Smith met U.S. officials in Jan. 2020.", "They talked."]


def test_every_check_is_described():
    checks = all_checks()
    assert checks
    for cid, cls in checks.items():
        d = cls.describe()
        assert d["id"] == cid and d["description"] and d["category"] and d["severity"]


def test_select_checks_unknown_id_is_an_error():
    with pytest.raises(ValueError, match="unknown check"):
        select_checks(disable=["no-such-check"])


def test_disable_by_category():
    sel = select_checks(disable=["fluency/punctuation"])
    assert all(c.category != "fluency/punctuation" for c in sel.checks)


def test_scoring_formula():
    assert score_from_penalty(0, 20) == 100
    assert score_from_penalty(5, 25) == pytest.approx(80)
    assert score_from_penalty(1, 2) == pytest.approx(90)  # MIN_WORDS floor
    assert count_words("It's a well-known fact, 5,000 troops.") == 6


def test_check_text_report_shape():
    report = checker.check_text("The cat sat on the mat .", tgt_lang="en")
    data = json.loads(render(report, "json"))
    assert set(data) >= {"score", "segments", "findings", "version", "signature"}
    f = data["findings"][0]
    assert set(f) >= {"start", "end", "text", "check", "category", "severity", "message", "confidence"}
    assert report.text[f["start"]:f["end"]] == f["text"]


def test_finding_rejects_bad_severity():
    with pytest.raises(ValueError):
        Finding("x", "fluency/grammar", "fatal", 0, 1, "a", "m")


def test_min_severity_and_ignore_filters():
    text = "The cat sat on the mat ."
    assert checker.check_text(text, tgt_lang="en", min_severity="major").findings == []
    assert checker.check_text(text, tgt_lang="en", ignore=[r"^ \.$"]).findings == []


def test_check_pairs_offsets_relative_to_unit():
    report = checker.check_pairs([("Hallo Welt.", "Hello world ."), ("Gut.", "Fine .")], "de", "en")
    recs = segment_records(report)
    assert len(recs) == 2
    for rec in recs:
        for f in rec["findings"]:
            assert rec["target"][f["start"]:f["end"]] == f["text"]


def test_csv_gives_document_and_unit_offsets():
    import csv
    import io

    import checker

    report = checker.check_pairs([("Hello.", "Hallo."), ("Good day.", "Guten Tag .")], "en", "de",
                                 only=["space-before-punctuation"])
    (row,) = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    target = "Guten Tag ."
    assert target[int(row["unit_start"]):int(row["unit_end"])] == " ."
    assert report.text[int(row["start"]):int(row["end"])] == " ."


def test_document_score_is_the_mean_of_the_segment_scores():
    from checker.scoring import document_score

    # one critical finding in one of six short units costs that unit, not the file
    report = checker.check_pairs([("Open the file", "Die Datei öffnen"), ("Deleted %s files.", "Dateien gelöscht."),
                                  *[(f"Item {i}", f"Eintrag {i}") for i in range(4)]], "en", "de",
                                 only=["placeholder-mismatch"])
    assert [s.score for s in report.segments] == [100.0, 0.0, 100.0, 100.0, 100.0, 100.0]
    assert report.score == document_score(s.score for s in report.segments) == pytest.approx(500 / 6)
    assert document_score([]) == 100.0


def test_report_segment_and_finding_read_well_when_printed():
    report = checker.check_text("The strike came days after the attack . Officials said the talks had failed.",
                                tgt_lang="en", only=["space-before-punctuation"])
    assert repr(report) == ("Report('<text>': score 99.5/100, 1 finding (0 critical, 0 major, 1 minor), "
                            "13 words, 2 segments)")
    assert str(report).splitlines() == [
        "<text>: score 99.5/100, 1 finding (0 critical, 0 major, 1 minor), 13 words, 2 segments",
        "  Finding(minor space-before-punctuation [37:39] ' .': Space before '.': punctuation attaches to the preceding wor…)",
    ]
    assert repr(report.segments[0]) == "Segment(#0, score 99.0, [0:39] 'The strike came days after the attack .')"
    seg = checker.check_pairs([("Hallo Welt, wie geht es dir heute Abend? Gut, danke.", "Hello world.")], "de", "en",
                              only=["length-ratio"]).segments[0]
    assert repr(seg).startswith("Segment(#0, score ") and "source 'Hallo Welt, wie geht es dir heute Abend…')" in repr(seg)
    f = Finding("placeholder-mismatch", "accuracy/omission", "critical", 6, 9, "{0}", "Placeholder '{0}' is missing.",
                side="source")
    assert repr(f) == "Finding(critical placeholder-mismatch [6:9] of the source '{0}': Placeholder '{0}' is missing.)"
