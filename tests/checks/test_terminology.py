"""Glossary loading and the terminology check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, find

from checker.api import check_pairs
from checker.checks.terminology import load_glossary, term_regex
from checker.config import Config
from checker.errors import ConfigError
from checker.io.readers import load_input
from checker.pipeline import run_checks

GLOSSARY = ROOT / "samples" / "formats" / "glossary.csv"


def terms_report(pairs, glossary, tgt="de"):
    return check_pairs(pairs, "en", tgt, config=Config(only=["terminology"], params={"terminology": {"glossary": str(glossary)}}))


def test_load_glossary_header_dnt_and_alternatives(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text("source,target,flag\n# comment\nfile,Datei,\nfile,Akte,\nAcme Cloud,,dnt\nPDF,PDF\n\n", "utf-8")
    terms = {t.source: t for t in load_glossary(p)}
    assert terms["file"].targets == ("Datei", "Akte") and not terms["file"].dnt
    assert terms["Acme Cloud"].dnt and terms["PDF"].dnt is False and terms["PDF"].targets == ("PDF",)


@pytest.mark.parametrize("content, message", [
    ("file,Datei\n,Ordner\n", "row 2: empty source term"),
    ("file,Datei\nfolder,Ordner,x,y\n", "row 2: 4 columns"),
    ("file,Datei,maybe\n", "row 1: unknown flag 'maybe'"),
    ("Acme,Akme,dnt\n", "row 1: a do-not-translate term cannot have a different target"),
    ("source,target\n", "no terms"),
])
def test_bad_glossary_rows_name_the_row(tmp_path, content, message):
    p = tmp_path / "g.csv"
    p.write_text(content, "utf-8")
    with pytest.raises(ConfigError, match=message):
        load_glossary(p)


def test_bad_glossary_on_the_cli_is_a_one_line_error_exit_2(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text("file,Datei\n,Ordner\n", "utf-8")
    r = subprocess.run([sys.executable, "-m", "checker", "check", str(ROOT / "samples/formats/demo.po"), "--glossary", str(p)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "row 2: empty source term" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("term, text, hit", [
    ("file", "Two Files here", "Files"),
    ("box", "three boxes", "boxes"),
    ("company", "all companies", "companies"),
    ("Datei", "mit den Dateien", "Dateien"),
    ("Kunde", "des Kunden", "Kunden"),
    ("file", "profile", None),
    ("PDF", "a pdf file", None),
])
def test_term_regex_case_and_inflection(term, text, hit):
    m = term_regex(term).search(text)
    assert (m.group(0) if m else None) == hit


def test_compound_targets_count_in_compounding_languages(tmp_path):
    report = terms_report([("Open the text file.", "Öffnen Sie die Textdatei.")], GLOSSARY)
    assert find(report, "terminology") == []
    report = terms_report([("Open the text file.", "Ouvrez le fichier texte.")], GLOSSARY, tgt="fr")
    assert len(find(report, "terminology")) == 1


def test_required_term_missing_and_dnt_translated_on_the_right_unit():
    doc = load_input(str(ROOT / "samples/formats/demo.xlf"))
    report = run_checks(doc, Config(only=["terminology"], params={"terminology": {"glossary": str(GLOSSARY)}}))
    got = sorted((report.segments[f.segment].id, f.side, f.start, f.end, f.text) for f in find(report, "terminology"))
    assert got == [
        ("upload", "source", 9, 13, "file"),
        ("upload", "source", 17, 27, "Acme Cloud"),
        ("welcome-again", "source", 15, 24, "dashboard"),
    ]
    sugg = {f.text: f.suggestion for f in find(report, "terminology")}
    assert sugg["file"] == "Datei" and "keep 'Acme Cloud'" in sugg["Acme Cloud"]


def test_dnt_case_change_is_minor_and_in_the_target():
    report = terms_report([("Save as PDF.", "Als Pdf speichern.")], GLOSSARY)
    (f,) = find(report, "terminology")
    assert f.severity == "minor" and f.side == "target" and f.text == "Pdf" and f.suggestion == "PDF"
    report = terms_report([("Save as pdf.", "Als Pdf speichern.")], GLOSSARY)
    assert find(report, "terminology") == []  # acronyms match case-sensitively in the source
    report = terms_report([("Upload to Acme Cloud.", "In die acme cloud hochladen.")], GLOSSARY)
    (f,) = find(report, "terminology")
    assert f.severity == "minor" and f.side == "target" and f.text == "acme cloud"


def test_longest_term_wins_and_no_glossary_means_no_findings(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text("file,Datei\nfile name,Dateiname\n", "utf-8")
    report = terms_report([("Enter the file name.", "Geben Sie den Dateinamen ein.")], p)
    assert find(report, "terminology") == []
    report = check_pairs([("Open the file.", "Öffnen.")], "en", "de", config=Config(only=["terminology"]))
    assert find(report, "terminology") == []


def test_glossary_in_mtcheck_toml_is_relative_to_that_file(tmp_path):
    from checker.config import load_config

    project = tmp_path / "project"
    project.mkdir()
    (project / "terms.csv").write_text("file,Datei\n", encoding="utf-8")
    (project / "mtcheck.toml").write_text('[checks.terminology]\nglossary = "terms.csv"\n', encoding="utf-8")
    glossary = load_config(project / "mtcheck.toml")["params"]["terminology"]["glossary"]
    assert Path(glossary) == project / "terms.csv"
    # from another directory, the same file is found
    r = subprocess.run([sys.executable, "-m", "checker", "check", str(ROOT / "samples/formats/demo.po"),
                        "--config", str(project / "mtcheck.toml"), "--only", "terminology", "--format", "json"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    # an absolute path stays as it is
    (project / "mtcheck.toml").write_text(f'[checks.terminology]\nglossary = "{GLOSSARY.as_posix()}"\n', encoding="utf-8")
    assert load_config(project / "mtcheck.toml")["params"]["terminology"]["glossary"] == GLOSSARY.as_posix()
