"""The command line through a subprocess (formats, exit codes) and in-process (input errors, switches)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import main
from checker.selection import all_checks

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "mt_news_article_en.txt"
DIRTY = 'The talks failed .\nHe said the the plan was "good. "\nLoading...\n'
#: checks that load a model are switched off: these tests are about the command line, not the models
HEAVY = ",".join(cid for cid, cls in all_checks().items() if cls.requires)
LIGHT = ["--disable", HEAVY] if HEAVY else []


def mtcheck(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "NO_COLOR": "1",
           "PYTHONPATH": str(ROOT)}
    if args and args[0] == "check":
        args = (*args, *LIGHT)
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, cwd=cwd or ROOT,
                          env=env, input=stdin, timeout=120)


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args, *LIGHT] if args and args[0] == "check" else list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def dirty(tmp_path: Path) -> Path:
    p = tmp_path / "dirty.txt"
    p.write_text(DIRTY, encoding="utf-8")
    return p


# -- output formats (subprocess) -------------------------------------------------------
@pytest.fixture(scope="module")
def sample_json() -> dict:
    proc = mtcheck("check", str(SAMPLE), "--format", "json", "--tgt-lang", "en")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_json_offsets_index_the_input_exactly(sample_json):
    text = SAMPLE.read_text(encoding="utf-8")
    assert sample_json["findings"]
    assert isinstance(sample_json["score"], float)
    for f in sample_json["findings"]:
        assert set(f) >= {"start", "end", "text", "check", "category", "severity", "message", "confidence"}
        if f["side"] == "target":
            assert text[f["start"]:f["end"]] == f["text"]
    for s in sample_json["segments"]:
        assert text[s["start"]:s["end"]] == s["text"]


def test_text_format_shows_findings_and_score():
    proc = mtcheck("check", "-", "--format", "text", "--tgt-lang", "en", stdin=DIRTY)
    assert proc.returncode == 0, proc.stderr
    assert "space-before-punctuation" in proc.stdout and "doubled-word" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_jsonl_format_one_line_per_input_line(tmp_path):
    rows = [{"id": "a", "source": "Die Gespräche scheiterten.", "target": "The talks failed ."},
            {"id": "b", "source": "Er kam um 5 Uhr.", "target": "He came at 6 o'clock."},
            {"id": "c", "source": "Gut.", "target": "Good."}]
    p = tmp_path / "pairs.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    proc = mtcheck("check", str(p), "--format", "jsonl", "--src-lang", "de", "--tgt-lang", "en",
                   "--only", "space-before-punctuation,number-mismatch")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(ln) for ln in proc.stdout.splitlines()]
    assert [ln["id"] for ln in lines] == ["a", "b", "c"]
    for row, line in zip(rows, lines, strict=True):
        assert isinstance(line["score"], float)
        for f in line["findings"]:
            if f["side"] == "target":
                assert row["target"][f["start"]:f["end"]] == f["text"]
    assert [f["check"] for f in lines[0]["findings"]] == ["space-before-punctuation"]
    assert [f["text"] for f in lines[1]["findings"]] == ["6"]
    assert lines[2]["findings"] == []


def test_csv_format(dirty):
    proc = mtcheck("check", str(dirty), "--format", "csv", "--tgt-lang", "en")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert {"space-before-punctuation", "doubled-word", "detached-quote", "scraping-debris"} <= {r["check"] for r in rows}


def test_html_format_to_output_file(dirty, tmp_path):
    out = tmp_path / "report.html"
    proc = mtcheck("check", str(dirty), "--format", "html", "--tgt-lang", "en", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "doubled-word" in html
    assert dirty.read_text(encoding="utf-8") == DIRTY  # input untouched


# -- exit codes (subprocess) ----------------------------------------------------------------
def test_exit_1_below_fail_under(dirty):
    proc = mtcheck("check", str(dirty), "--tgt-lang", "en", "--format", "json", "--fail-under", "99.9")
    assert proc.returncode == 1
    assert "below --fail-under" in proc.stderr


@pytest.mark.parametrize("args", [
    ("check", "--no-such-option", "x.txt"),
    ("check", str(SAMPLE), "--disable", "no-such-check"),
    ("check", str(SAMPLE), "--format", "yaml"),
    ("check", str(ROOT / "no-such-file.txt")),
])
def test_exit_2_bad_usage_one_line_no_traceback(args):
    proc = mtcheck(*args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("mtcheck: error:")


def test_checks_listing():
    proc = mtcheck("checks", "--json")
    assert proc.returncode == 0
    ids = {c["id"] for c in json.loads(proc.stdout)}
    assert {"space-before-punctuation", "wrong-side-quote", "scraping-debris", "number-mismatch",
            "placeholder-mismatch", "identical-to-source", "length-ratio", "wrong-language"} <= ids


# -- bad input (in-process: same code path, no interpreter start-up) -------------------------
@pytest.mark.parametrize(("content", "message"), [
    (b"", "file is empty"),
    (b"   \n\n", "file is empty"),
    (b"\x00\x01\x02binary\x00data", "binary"),
    (b"caf\xe9 au lait\n", "not valid UTF-8"),
])
def test_bad_input_files(capsys, tmp_path, content, message):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    code, _, err = run_main(capsys, "check", str(p))
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_missing_file(capsys, tmp_path):
    code, _, err = run_main(capsys, "check", str(tmp_path / "missing.txt"))
    assert code == 2 and "no such file" in err


def test_malformed_jsonl_names_the_line(capsys, tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"target": "Fine."}\n{"target": "Broken"\n', encoding="utf-8")
    code, _, err = run_main(capsys, "check", str(p))
    assert code == 2 and "line 2" in err


def test_source_count_mismatch(capsys, tmp_path):
    tgt = tmp_path / "t.jsonl"
    tgt.write_text('{"target": "One."}\n{"target": "Two."}\n', encoding="utf-8")
    src = tmp_path / "s.txt"
    src.write_text("Eins.\nZwei.\nDrei.\n", encoding="utf-8")
    code, _, err = run_main(capsys, "check", str(tgt), "--source", str(src))
    assert code == 2 and "3 source lines" in err and "2 targets" in err


# -- switches ---------------------------------------------------------------------------------
def _checks_in(out: str) -> set[str]:
    return {f["check"] for f in json.loads(out)["findings"]}


def test_disable_and_min_severity(capsys, dirty):
    code, out, _ = run_main(capsys, "check", str(dirty), "--tgt-lang", "en", "--format", "json")
    assert code == 0 and {"space-before-punctuation", "doubled-word"} <= _checks_in(out)
    code, out, _ = run_main(capsys, "check", str(dirty), "--tgt-lang", "en", "--format", "json",
                            "--disable", "doubled-word,fluency/punctuation")
    found = _checks_in(out)
    assert "doubled-word" not in found and "space-before-punctuation" not in found and "scraping-debris" in found
    text = "The cafÃ© was closed .\n"
    p = dirty.with_name("sev.txt")
    p.write_text(text, encoding="utf-8")
    code, out, _ = run_main(capsys, "check", str(p), "--tgt-lang", "en", "--format", "json", "--min-severity", "major")
    assert _checks_in(out) == {"mojibake"}


def test_ignore_file(capsys, dirty, tmp_path):
    ignore = tmp_path / "ignore.txt"
    ignore.write_text("# drop the debris line\n^Loading\n", encoding="utf-8")
    code, out, _ = run_main(capsys, "check", str(dirty), "--tgt-lang", "en", "--format", "json", "--ignore-file",
                            str(ignore))
    assert code == 0
    assert "Loading..." not in {f["text"] for f in json.loads(out)["findings"]}


def test_mtcheck_toml_in_working_directory(tmp_path, dirty):
    (tmp_path / "mtcheck.toml").write_text('[checks]\ndisable = ["doubled-word", "scraping-debris"]\n', encoding="utf-8")
    proc = mtcheck("check", str(dirty), "--tgt-lang", "en", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    found = _checks_in(proc.stdout)
    assert "doubled-word" not in found and "scraping-debris" not in found and "space-before-punctuation" in found
