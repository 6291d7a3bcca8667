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


def test_the_output_extension_sets_the_format_unless_format_is_given(capsys, dirty, tmp_path):
    for name, looks_like in (("r.json", lambda t: json.loads(t)["findings"]), ("r.jsonl", lambda t: json.loads(
            t.splitlines()[0])), ("r.csv", lambda t: t.startswith("segment,") or "check" in t.splitlines()[0]),
            ("r.HTML", lambda t: t.lstrip().lower().startswith("<!doctype html")), ("r.txt", lambda t: "score" in t)):
        code, _, err = run_main(capsys, "check", str(dirty), "--tgt-lang", "en", "-o", str(tmp_path / name))
        assert code == 0, err
        assert looks_like((tmp_path / name).read_text(encoding="utf-8")), name
    code, _, err = run_main(capsys, "check", str(dirty), "--tgt-lang", "en", "-f", "csv", "-o", str(tmp_path / "x.json"))
    assert code == 0 and "doubled-word" in (tmp_path / "x.json").read_text(encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))  # --format wins over the extension


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


# -- what a new user hits first (issue 14) ----------------------------------------------------
def test_a_bad_output_format_is_one_line_and_a_hint_without_the_usage():
    proc = mtcheck("check", str(SAMPLE), "--format", "xml")
    assert proc.returncode == 2 and "usage:" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("mtcheck: error: argument --format/-f: invalid choice: 'xml'")
    assert line.endswith("see 'mtcheck check --help'")


def test_language_names_are_read_as_codes_with_a_note(capsys, tmp_path):
    p = tmp_path / "pairs.jsonl"
    p.write_text('{"source": "Das Treffen ist am Montag.", "target": "The meeting is on Monday."}\n'
                 '{"source": "Er kam um fünf Uhr.", "target": "He came at five o\'clock."}\n', encoding="utf-8")
    code, out, err = run_main(capsys, "check", str(p), "--src-lang", "german", "--tgt-lang", "English", "--format", "json")
    assert code == 0
    assert "--src-lang 'german' read as de (German)" in err and "--tgt-lang 'English' read as en (English)" in err
    report = json.loads(out)
    assert (report["src_lang"], report["tgt_lang"]) == ("de", "en") and report["findings"] == []
    code, out, _ = run_main(capsys, "check", str(p), "--src-lang", "de-DE", "--tgt-lang", "en_GB", "--format", "json")
    assert code == 0 and (json.loads(out)["src_lang"], json.loads(out)["tgt_lang"]) == ("de", "en")


@pytest.mark.parametrize(("option", "value"), [("--src-lang", "xx"), ("--tgt-lang", "klingon"), ("--tgt-lang", "e")])
def test_an_unknown_language_is_a_one_line_error_listing_what_is_accepted(capsys, dirty, option, value):
    code, out, err = run_main(capsys, "check", str(dirty), option, value)
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith(f"mtcheck: error: {option}: '{value}' is not a language mtcheck knows: use an ISO 639-1 code")
    assert "or an English name (German, Chinese)" in line


def test_one_document_score_in_every_format_and_for_the_gate(tmp_path):
    # six units, one with a lost placeholder: text, JSON, HTML and a streamed JSONL corpus give one score
    rows = [{"source": "Open the file", "target": "Die Datei öffnen"}, {"source": "Copied %s to %s.", "target": "%s kopiert."},
            *({"source": f"Item {i} is ready", "target": f"Eintrag {i} ist fertig"} for i in range(4))]
    p = tmp_path / "six.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    lang = ("--src-lang", "en", "--tgt-lang", "de")
    score = json.loads(mtcheck("check", str(p), *lang, "--format", "json").stdout)["score"]
    assert score == pytest.approx(500 / 6, abs=0.01)
    text = mtcheck("check", str(p), *lang, "--format", "text").stdout
    assert f"score {score:.1f}/100" in text
    html = mtcheck("check", str(p), *lang, "--format", "html").stdout
    assert f'<span class="score good">{score:.1f}</span>' in html or f">{score:.1f}</span>" in html
    streamed = mtcheck("check", str(p), *lang, "--format", "jsonl")
    records = [json.loads(ln) for ln in streamed.stdout.splitlines()]
    assert sum(r["score"] for r in records) / len(records) == pytest.approx(score, abs=0.005)
    assert f"mean score {score:.2f}" in streamed.stderr
    for fmt in ("text", "json", "jsonl", "csv", "html"):  # 83.333...: between 83.333 and 83.334 in every format
        assert mtcheck("check", str(p), *lang, "--format", fmt, "--fail-under", "83.333").returncode == 0, fmt
        assert mtcheck("check", str(p), *lang, "--format", fmt, "--fail-under", "83.334").returncode == 1, fmt


def test_a_large_input_is_offered_the_fast_profile(capsys, tmp_path):
    p = tmp_path / "long.txt"
    p.write_text("Der Ausschuss hat den Plan am Montag gebilligt und die Mittel freigegeben. " * 200, encoding="utf-8")
    base = ["check", str(p), "--tgt-lang", "de", "--only", "lm-fluency,doubled-word", "--format", "json"]
    assert main(base) == 0
    err = capsys.readouterr().err
    assert "mtcheck: note: 2,400 words: the model-backed checks (lm-fluency) take most of the time" in err
    assert "--profile fast skips them" in err
    for extra in (["--profile", "fast"], ["--quiet"]):
        assert main([*base, *extra]) == 0
        assert "--profile fast" not in capsys.readouterr().err
    short = tmp_path / "short.txt"
    short.write_text("Der Ausschuss hat den Plan gebilligt.", encoding="utf-8")
    assert main(["check", str(short), "--tgt-lang", "de", "--only", "lm-fluency"]) == 0
    assert "--profile fast" not in capsys.readouterr().err


def test_a_large_streamed_corpus_is_offered_the_fast_profile(capsys, tmp_path):
    p = tmp_path / "big.jsonl"
    row = json.dumps({"source": "Der Ausschuss hat den Plan am Montag gebilligt.", "target": "Der Plan wurde gebilligt."})
    p.write_text((row + "\n") * 1200, encoding="utf-8")  # over 100 KB
    args = ["check", str(p), "--format", "jsonl", "--tgt-lang", "de", "--only", "lm-fluency", "-o", str(tmp_path / "o")]
    assert main(args) == 0
    assert "bytes: the model-backed checks (lm-fluency) take most of the time" in capsys.readouterr().err
    assert main([*args, "--profile", "fast"]) == 0
    assert "--profile fast" not in capsys.readouterr().err


def test_source_spans_are_numbered_on_the_source_lines_and_highlighted_in_html(capsys, tmp_path):
    src, tgt = tmp_path / "src.txt", tmp_path / "tgt.txt"
    src.write_text("Click {0} to continue.\nThe price is {1} euros.\n", encoding="utf-8")
    tgt.write_text("Click to continue.\nThe price is {1} euros.\n", encoding="utf-8")
    args = ["check", str(tgt), "--source", str(src), "--src-lang", "en", "--tgt-lang", "en", "--only",
            "placeholder-mismatch", "--no-color"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "  src: Click {0}[1] to continue." in out and "[1] 1  critical  placeholder-mismatch  '{0}'" in out
    assert main([*args, "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert '<td>Click <mark class="critical" title="[critical] placeholder-mismatch: Placeholder' in html


@pytest.mark.slow  # aligning the documents loads the cross-lingual encoder
def test_source_spans_of_a_separate_source_document_have_its_line_and_column(capsys, tmp_path):
    src, tgt = tmp_path / "src.txt", tmp_path / "tgt.txt"
    src.write_text("Das Treffen ist am Montag.\nKlicken Sie auf {0}, um fortzufahren. Der Preis beträgt 25 Euro.\n"
                   "Es gibt drei Optionen.\n", encoding="utf-8")
    tgt.write_text("The meeting is on Monday. Click to continue.\nThe price is 25 euros. There are three options.\n",
                   encoding="utf-8")
    args = ["check", str(tgt), "--source", str(src), "--src-lang", "de", "--tgt-lang", "en", "--only",
            "placeholder-mismatch,source-similarity", "--no-color"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Klicken Sie auf {0}[1], um fortzufahren." in out  # the source document, numbered
    assert "[1] src 2:17  critical  placeholder-mismatch  '{0}'" in out
    assert main([*args, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    (f,) = report["findings"]
    assert report["source_text"][f["start"]:f["end"]] == "{0}"
    assert main([*args, "--format", "html"]) == 0
    assert '<h2>Source</h2><div class="doc source">Das Treffen ist am Montag.\nKlicken Sie auf <mark class="critical"' \
        in capsys.readouterr().out


def test_an_unsupported_file_type_names_input_format_only_on_the_command_line(capsys, tmp_path):
    p = tmp_path / "report.docx"
    p.write_bytes(b"PK\x03\x04not really a docx")
    code, _, err = run_main(capsys, "check", str(p))
    assert code == 2 and "unsupported file type '.docx'" in err and err.rstrip().endswith("with --input-format")
