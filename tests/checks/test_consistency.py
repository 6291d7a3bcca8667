"""Consistency inside one file: one source, one translation, and the other way round."""

from __future__ import annotations

from helpers import FORMAT_SAMPLES, find

from checker.api import check_pairs
from checker.config import Config
from checker.io.readers import load_input
from checker.pipeline import run_checks


def report_for(pairs):
    units = [{"id": f"u{i + 1}", "source": s, "target": t} for i, (s, t) in enumerate(pairs)]
    return check_pairs(units, "en", "de", config=Config(only=["consistency"]))


def test_same_source_translated_differently_flags_the_odd_one_and_names_the_majority():
    report = report_for([("Open the file.", "Öffnen Sie die Datei."), ("Save.", "Speichern."),
                         ("Open the file.", "Datei aufmachen."), ("Open  the file.", "Öffnen Sie die Datei.")])
    (f,) = find(report, "consistency")
    seg = report.segments[f.segment]
    assert seg.id == "u3" and (f.start - seg.start, f.end - seg.start) == (0, len("Datei aufmachen."))
    assert "unit u1" in f.message and f.category == "terminology" and f.suggestion == "Öffnen Sie die Datei."


def test_same_target_for_different_sources_is_style():
    report = report_for([("Close the window.", "Fenster schließen."), ("Close the dialog.", "Fenster schließen."),
                         ("Close the window", "Fenster schließen.")])
    (f,) = find(report, "consistency")
    assert report.segments[f.segment].id == "u2" and f.category == "style/awkward" and "unit u1" in f.message


def test_consistent_files_and_untranslated_units_give_nothing():
    report = report_for([("Yes", "Ja"), ("Yes", "Ja"), ("No", "Nein")])
    assert find(report, "consistency") == []
    doc = load_input(str(FORMAT_SAMPLES / "demo.xlf"))
    report = run_checks(doc, Config(only=["consistency"]))
    got = [(report.segments[f.segment].id, f.category) for f in find(report, "consistency")]
    assert got == [("welcome-again", "terminology")]  # empty 'delete' and missing 'help' are not compared


def test_po_contexts_are_not_compared_and_findings_name_units():
    doc = load_input(str(FORMAT_SAMPLES / "demo.po"))
    report = run_checks(doc, Config(only=["consistency"]))
    (f,) = find(report, "consistency")
    assert report.segments[f.segment].id == "Open folder" and "unit Open file" in f.message
    units = [{"id": "a", "source": "Open", "target": "Öffnen"}, {"id": "b", "source": "Open", "target": "Offen"}]
    doc = check_pairs(units, "en", "de", config=Config(only=["consistency"]))
    assert len(find(doc, "consistency")) == 1
