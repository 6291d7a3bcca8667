"""Input is never silently lost or misread: broken CSV quotes, nested XLIFF units, a changed input under --resume,
UTF-16/32, NUL bytes anywhere, CR-only and mixed line ends, long CSV fields, lone surrogates, a streamed run
that stops part-way.

Each test reproduces one failure of a hostile-input review (docs/reliability.md lists them).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import checker.corpus as corpus
from checker import Config
from checker.cli import main
from checker.corpus import CorpusOptions, run_corpus
from checker.errors import InputError
from checker.io.readers import load_input
from checker.io.stream import iter_records, read_records

ROOT = Path(__file__).resolve().parent.parent
ONLY = ["--only", "doubled-word"]


def units_of(doc) -> list[tuple[str | None, str]]:
    return [(s.source, s.text) for s in doc.segments]


def streamed(path: Path, kind: str, skip_bad: bool = False) -> list:
    return list(read_records(str(path), kind, skip_bad))


def mtcheck(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "NO_COLOR": "1", "PYTHONPATH": str(ROOT),
           "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, cwd=ROOT, env=env,
                          input=stdin, timeout=180)


# -- CSV: an unterminated quote ---------------------------------------------------------------------------------

BROKEN_CSV = 'source,target\nOne.,"Eins.\nTwo.,Zwei.\nThree.,Drei.\nFour.,"Vier."\nFive.,Fünf.\n'


def test_csv_unterminated_quote_stops_with_the_line_where_it_opens(tmp_path):
    """Was: the rows after the quote were swallowed into one segment, exit 0 (whole-file and streamed)."""
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN_CSV, encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.csv: line 2: malformed CSV: a quoted field .*not closed") as whole:
        load_input(str(path))
    with pytest.raises(InputError, match=r"broken.csv: line 2: malformed CSV") as stream:
        streamed(path, "csv")
    assert str(whole.value) == str(stream.value)
    path.write_text('source,target\nOne.,"Eins.\nTwo.,Zwei.\n', encoding="utf-8")  # never closed: runs to the end
    with pytest.raises(InputError, match=r"line 2: malformed CSV: a quoted field .*unexpected end of data"):
        load_input(str(path))


def test_csv_unterminated_quote_with_skip_bad_is_reported_and_the_rows_after_it_read(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN_CSV, encoding="utf-8")
    recs = streamed(path, "csv", skip_bad=True)
    assert [(r.line, r.unit["target"] if r.unit else None) for r in recs] == [
        (2, None), (3, "Zwei."), (4, "Drei."), (5, "Vier."), (6, "Fünf.")]
    assert "not closed" in recs[0].error
    out = tmp_path / "out.jsonl"
    code = main(["check", str(path), "--format", "jsonl", "--skip-bad", "-o", str(out), *ONLY])
    assert code == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x.get("line") for x in lines if "error" in x] == [2] and len(lines) == 5


def test_csv_quoted_newlines_are_still_one_field(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text('id,source,target\n1,"Hi, you","Hallo,\ndu"\n2,Yes,Ja\n', encoding="utf-8")
    assert units_of(load_input(str(path))) == [("Hi, you", "Hallo,\ndu"), ("Yes", "Ja")]
    assert [r.line for r in streamed(path, "csv")] == [2, 4]


# -- XLIFF: a trans-unit inside a trans-unit --------------------------------------------------------------------

NESTED = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2"><file source-language="en" target-language="de" datatype="plaintext" original="x"><body>
  <trans-unit id="outer"><source>Open the file.</source><target>Datei öffnen.</target>
    <trans-unit id="inner"><source>Save the file.</source><target>Datei speichern.</target></trans-unit>
  </trans-unit>
  <trans-unit id="last"><source>Close.</source><target>Schließen.</target></trans-unit>
</body></file></xliff>
"""


def test_nested_xliff_trans_unit_is_read_not_dropped(tmp_path):
    """Was: the inner trans-unit vanished without notice."""
    path = tmp_path / "nested.xlf"
    path.write_text(NESTED, encoding="utf-8")
    doc = load_input(str(path))
    assert [s.id for s in doc.segments] == ["outer", "inner", "last"]
    assert [s.text for s in doc.segments] == ["Datei öffnen.", "Datei speichern.", "Schließen."]
    out = tmp_path / "annotated.xlf"  # --annotate finds the same three units, in the same order
    code = main(["check", str(path), "--annotate", str(out), "--format", "json", "-o", str(tmp_path / "r.json"),
                 "--only", "unit-state"])
    assert code == 0
    assert [s.id for s in load_input(str(out)).segments] == ["outer", "inner", "last"]


# -- --resume: the whole consumed input is fingerprinted ------------------------------------------------------


def _corpus(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": str(i), "target": f"Satz Nummer {i} " + "lang " * 100}) + "\n")
    return path


def _interrupted(monkeypatch, src: Path, out: Path, batches: int) -> None:
    real, seen = corpus.check_batch, []

    def flaky(job, first, records):
        seen.append(first)
        if len(seen) > batches:
            raise KeyboardInterrupt
        return real(job, first, records)

    monkeypatch.setattr(corpus, "check_batch", flaky)
    with pytest.raises(KeyboardInterrupt):
        run_corpus(_opts(src, out))
    monkeypatch.undo()


def _opts(src: Path, out: Path, resume: bool = False) -> CorpusOptions:
    return CorpusOptions(str(src), output=str(out), jobs=1, batch_size=100, tgt_lang="de", resume=resume,
                         config=Config(only=["doubled-word"]))


def test_resume_refuses_an_input_edited_after_its_first_64_kb(tmp_path, monkeypatch):
    """Was: only the first 64 KB were fingerprinted, so an edit further in resumed into records that no longer
    matched the output."""
    src, out = _corpus(tmp_path / "in.jsonl", 400), tmp_path / "out.jsonl"
    _interrupted(monkeypatch, src, out, 2)  # 200 records (about 70 KB) checked
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    assert sum(len(x) for x in lines[:150]) > 65536
    lines[150] = lines[150].replace("Nummer", "NUMMER")  # same size, inside what was consumed
    stat = src.stat()
    src.write_text("".join(lines), encoding="utf-8")
    os.utime(src, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with its old modification time
    with pytest.raises(InputError, match="changed since the interrupted run"):
        run_corpus(_opts(src, out, resume=True))


def test_resume_refuses_an_input_changed_after_what_was_consumed(tmp_path, monkeypatch):
    src, out = _corpus(tmp_path / "in.jsonl", 400), tmp_path / "out.jsonl"
    _interrupted(monkeypatch, src, out, 2)
    with src.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"target": "Ein neuer Satz."}) + "\n")
    with pytest.raises(InputError, match="changed since the interrupted run"):
        run_corpus(_opts(src, out, resume=True))


def test_resume_of_an_unchanged_input_still_completes(tmp_path, monkeypatch):
    src, out = _corpus(tmp_path / "in.jsonl", 400), tmp_path / "out.jsonl"
    _interrupted(monkeypatch, src, out, 2)
    summary = run_corpus(_opts(src, out, resume=True))
    assert summary.resumed_from == 200 and summary.records == 400
    assert [json.loads(x)["index"] for x in out.read_text(encoding="utf-8").splitlines()] == list(range(400))


# -- encodings and NUL bytes -----------------------------------------------------------------------------------

TEXT = "Die Katze sass auf der Matte.\nEs regnete den ganzen Tag.\n"
JSONL = '{"source": "The cat sat.", "target": "Die Katze saß."}\n{"source": "Rain.", "target": "Regen €."}\n'
CSV = "source,target\nThe cat sat.,Die Katze saß.\nRain.,Regen €.\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
@pytest.mark.parametrize(("name", "content"), [("doc.txt", TEXT), ("pairs.jsonl", JSONL), ("pairs.csv", CSV)])
def test_utf16_and_utf32_with_a_bom_are_decoded(tmp_path, codec, name, content):
    """Was: 'looks like a binary file (NUL bytes)'."""
    path = tmp_path / name
    bom = {"utf-16-be": b"\xfe\xff"}.get(codec, b"")
    path.write_bytes(bom + content.encode(codec))
    (tmp_path / "utf8").mkdir()
    plain = tmp_path / "utf8" / name
    plain.write_text(content, encoding="utf-8")
    assert units_of(load_input(str(path))) == units_of(load_input(str(plain)))
    if name != "doc.txt":
        kind = name.rsplit(".", 1)[1]
        assert [r.unit for r in streamed(path, kind)] == [r.unit for r in streamed(plain, kind)]


@pytest.mark.parametrize(("name", "stream"), [("doc.txt", False), ("pairs.jsonl", False), ("pairs.csv", False),
                                              ("pairs.jsonl", True), ("pairs.csv", True)])
def test_a_nul_byte_after_the_first_8_kb_is_refused(tmp_path, name, stream):
    """Was: only the first 8 KB were looked at."""
    filler = {"doc.txt": "Ein Satz.\n", "pairs.jsonl": '{"target": "Ein Satz."}\n', "pairs.csv": "x,Ein Satz.\n"}[name]
    head = "source,target\n" if name.endswith(".csv") else ""
    bad = {"doc.txt": "Ein\x00Satz.\n", "pairs.jsonl": '{"target": "Ein\x00Satz."}\n', "pairs.csv": "x,Ein\x00Satz.\n"}[name]
    path = tmp_path / name
    path.write_text(head + filler * 1000 + bad + filler, encoding="utf-8")
    assert path.stat().st_size > 8192
    with pytest.raises(InputError, match=r"line 1002|NUL"):
        if stream:
            streamed(path, name.rsplit(".", 1)[1])
        else:
            load_input(str(path))


# -- line ends ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["\r", "\r\n", "mixed"])
@pytest.mark.parametrize("kind", ["jsonl", "csv", "tsv"])
def test_cr_only_and_mixed_line_endings_read_alike_whole_and_streamed(tmp_path, kind, ending):
    """Was: CR-only and mixed line ends failed when streaming ('universal-newline mode?'), and CR-only JSONL was
    'not valid JSON (Extra data)' either way."""
    rows = {"jsonl": ['{"source": "One.", "target": "Eins."}', "", '{"source": "Two.", "target": "Zwei."}',
                      '{"source": "Three.", "target": "Drei."}'],
            "csv": ["source,target", "One.,Eins.", "", "Two.,Zwei.", 'Three.,"Drei."'],
            "tsv": ["source\ttarget", "One.\tEins.", "", "Two.\tZwei.", "Three.\tDrei."]}[kind]
    ends = ["\n", "\r", "\r\n", "\r", "\n"] if ending == "mixed" else [ending] * len(rows)
    path = tmp_path / f"pairs.{kind}"
    path.write_bytes("".join(r + e for r, e in zip(rows, ends, strict=False)).encode("utf-8"))
    expected = [("One.", "Eins."), ("Two.", "Zwei."), ("Three.", "Drei.")]
    assert units_of(load_input(str(path))) == expected
    recs = streamed(path, kind)
    assert [(r.unit["source"], r.unit["target"]) for r in recs] == expected
    lf = tmp_path / f"lf.{kind}"
    lf.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert [r.line for r in recs] == [r.line for r in streamed(lf, kind)]  # the same line numbers


def test_cr_only_plain_text_breaks_blocks_like_newlines(tmp_path):
    lf, cr = tmp_path / "lf.txt", tmp_path / "cr.txt"
    lf.write_bytes(b"Headline here\nThe body starts. It goes on\n")
    cr.write_bytes(b"Headline here\rThe body starts. It goes on\r")
    assert [s.text for s in load_input(str(cr)).segments] == [s.text for s in load_input(str(lf)).segments]


# -- long CSV fields -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "tsv"])
def test_csv_fields_as_long_as_a_jsonl_line_are_read(tmp_path, kind):
    """Was: fields over 131,072 characters were refused although JSONL takes 16 MB lines."""
    sep = "," if kind == "csv" else "\t"
    long = "Wort " * 60_000  # 300,000 characters
    path = tmp_path / f"long.{kind}"
    path.write_text(f"source{sep}target\nShort.{sep}{long}\n", encoding="utf-8")
    assert [s.text for s in load_input(str(path)).segments] == [long]
    assert streamed(path, kind)[0].unit["target"] == long


# -- lone surrogates -------------------------------------------------------------------------------------------------

SURROGATE_JSONL = b'{"id": "a", "source": "Hello.", "target": "Hallo \\ud800 Welt."}\n{"target": "Gut."}\n'


@pytest.mark.parametrize("fmt", ["text", "json", "html", "csv", "jsonl"])
def test_lone_surrogate_in_jsonl_is_replaced_on_output_and_reported(tmp_path, fmt):
    """Was: text/json/html output failed with an encoding error that named no file, after bytes on stdout."""
    path = tmp_path / "pairs.jsonl"
    path.write_bytes(SURROGATE_JSONL)
    proc = mtcheck("check", str(path), "--format", fmt, "--tgt-lang", "de", *ONLY)
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode("utf-8")  # valid UTF-8 throughout
    assert "Traceback" not in proc.stderr.decode()
    if fmt != "csv":  # the CSV report has rows for findings only
        assert "\ufffd" in out or "\\ufffd" in out
    if fmt == "json":
        assert any("lone surrogate" in e and "line 1" in e for e in json.loads(out)["errors"])
    if fmt == "jsonl":  # streamed: the warning goes to stderr
        assert "lone surrogate" in proc.stderr.decode()


def test_lone_surrogate_is_reported_by_the_library_and_annotate_keeps_the_escape(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_bytes(SURROGATE_JSONL)
    doc = load_input(str(path))
    assert doc.segments[0].text == "Hallo \ufffd Welt." and doc.notes and "line 1" in doc.notes[0]
    out = tmp_path / "annotated.jsonl"
    assert main(["check", str(path), "--annotate", str(out), "--format", "json", "-o", str(tmp_path / "r.json"),
                 "--only", "bad-characters"]) == 0
    assert out.read_bytes().splitlines()[0].count(b"\\ud800") == 1


# -- a streamed run that stops part-way --------------------------------------------------------------------------


def test_streamed_run_to_stdout_that_stops_on_a_bad_line_says_how_many_records_were_written(tmp_path, capsys):
    """Was: records up to a batch boundary, then the bad-line error alone."""
    path = tmp_path / "pairs.jsonl"
    good = [json.dumps({"target": f"Satz {i}."}) for i in range(12)]
    path.write_text("\n".join([*good, "not json", *good]) + "\n", encoding="utf-8")
    code = main(["check", str(path), "--format", "jsonl", "--batch-size", "2", "--jobs", "1", *ONLY])
    out, err = capsys.readouterr()
    assert code == 2
    written = len(out.splitlines())
    assert 0 < written <= 12
    assert "line 13: not valid JSON" in err and f"{written} records were written" in err
    assert len(err.strip().splitlines()) == 1


def test_stream_reader_handles_stdin_like_a_file():
    recs = list(iter_records(io.BytesIO(JSONL.encode("utf-16")), "<stdin>", "jsonl"))
    assert [r.unit["target"] for r in recs] == ["Die Katze saß.", "Regen €."]
