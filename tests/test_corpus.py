"""Streaming corpus runs: readers, batching, engines and the CLI contract."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from checker import Config
from checker.cli import main
from checker.corpus import CorpusOptions, check_batch, profile_disables, run_corpus
from checker.io.readers import InputError, load_input
from checker.io.stream import Record, iter_records, read_records
from checker.pipeline import run_checks
from checker.render import render
from checker.selection import all_checks

#: the model-free checks: fast, and enough to exercise findings and offsets
LIGHT = [cid for cid, c in all_checks().items() if c.requires]

UNITS = [
    {"id": "a", "source": "The cat sat on the mat.", "target": "Die Katze sass auf der Matte ."},
    {"id": "b", "source": "It rained all day.", "target": "Es hat den ganzen ganzen Tag geregnet."},
    {"id": "c", "source": "Please restart the computer.", "target": "Bitte starten Sie den Computer neu."},
    {"id": "d", "source": "He said hello.", "target": "Er sagte \u201eHallo."},
    {"id": "e", "source": "Prices rose by 5%.", "target": "Die Preise stiegen um 5 %!!"},
]


def write_jsonl(path: Path, units: list[dict], repeat: int = 1) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(repeat):
            for u in units:
                fh.write(json.dumps({**u, "id": f"{u['id']}{i}"}, ensure_ascii=False) + "\n")
    return path


def light_config() -> Config:
    return Config(disable=list(LIGHT))


def records_of(data: bytes, kind: str, skip_bad: bool = False) -> list[Record]:
    return list(iter_records(io.BytesIO(data), "x", kind, skip_bad))


# -- readers -----------------------------------------------------------------------


def test_jsonl_records_keep_line_numbers_and_skip_blank_lines():
    recs = records_of(b'{"target": "a"}\n\n{"target": "b", "source": "B", "id": 7}\n', "jsonl")
    assert [(r.line, r.unit["target"]) for r in recs] == [(1, "a"), (3, "b")]
    assert recs[1].unit == {"target": "b", "source": "B", "id": "7"}


@pytest.mark.parametrize(("data", "message"), [
    (b'{"target": "a"}\n{"target": \n', "line 2: not valid JSON"),
    (b'{"target": "a"}\n[1, 2]\n', "line 2: expected a JSON object"),
    (b'{"source": "a"}\n', 'line 1: no "target" field'),
    (b'{"target": 5}\n', 'line 1: "target" must be a string'),
    (b'{"target": "a"}\n\xff\xfe\n', "line 2: not valid UTF-8"),
    (b"\n\n", "no records"),
])
def test_malformed_jsonl_is_a_one_line_error_naming_the_line(data, message):
    with pytest.raises(InputError, match=message) as exc:
        records_of(data, "jsonl")
    assert "\n" not in str(exc.value)


def test_skip_bad_turns_malformed_lines_into_error_records():
    recs = records_of(b'{"target": "a"}\nnot json\n{"target": "b"}\n', "jsonl", skip_bad=True)
    assert [r.line for r in recs] == [1, 2, 3]
    assert recs[1].unit is None and "not valid JSON" in recs[1].error


def test_overlong_line_is_refused_not_buffered(monkeypatch):
    monkeypatch.setattr("checker.io.stream.MAX_LINE_CHARS", 100)
    with pytest.raises(InputError, match="line 2: longer than"):
        records_of(b'{"target": "a"}\n{"target": "' + b"x" * 500 + b'"}\n', "jsonl")


def test_csv_and_tsv_records_with_quoted_newlines_and_bad_rows():
    data = b'id,source,target\n1,"Hi, you","Hallo,\ndu"\n2,Yes,Ja\n3,too,many,fields\n'
    recs = records_of(data, "csv", skip_bad=True)
    assert [r.unit["target"] for r in recs[:2]] == ["Hallo,\ndu", "Ja"]
    assert recs[1].line == 4 and recs[2].error == "more fields than the header has"
    with pytest.raises(InputError, match="line 5: more fields"):
        records_of(data, "csv")
    tsv = records_of(b"target\tsource\nJa\tYes\n", "tsv")
    assert tsv[0].unit == {"target": "Ja", "source": "Yes", "id": None}
    with pytest.raises(InputError, match="header must have a 'target' column"):
        records_of(b"a,b\n1,2\n", "csv")


def test_read_records_refuses_plain_text_and_missing_files(tmp_path):
    (tmp_path / "t.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="only JSONL, CSV and TSV"):
        list(read_records(str(tmp_path / "t.txt")))
    with pytest.raises(InputError, match="no such file"):
        list(read_records(str(tmp_path / "missing.jsonl")))


# -- batches and the runner -------------------------------------------------------------


def test_check_batch_indexes_records_and_keeps_error_records_in_place():
    from checker.corpus import CorpusJob

    recs = [Record(1, unit=dict(UNITS[0])), Record(2, error="not valid JSON"), Record(3, unit=dict(UNITS[1]))]
    result = check_batch(CorpusJob(light_config(), "en", "de"), 10, recs)
    out = [json.loads(line) for line in result.lines]
    assert [o["index"] for o in out] == [10, 11, 12]
    assert out[1] == {"index": 11, "line": 2, "error": "not valid JSON"}
    assert (result.checked, result.bad) == (2, 1)
    for o in (out[0], out[2]):
        for f in o["findings"]:
            assert o["target"][f["start"]:f["end"]] == f["text"]


@pytest.mark.parametrize("batch_size", [1, 3, 256])
def test_streamed_records_equal_the_whole_document_records(tmp_path, batch_size):
    path = write_jsonl(tmp_path / "in.jsonl", UNITS, repeat=3)
    doc = load_input(str(path), "en", "de")
    expected = render(run_checks(doc, light_config()), "jsonl")
    buf = io.StringIO()
    summary = run_corpus(CorpusOptions(str(path), batch_size=batch_size, jobs=1, src_lang="en", tgt_lang="de",
                                       config=light_config()), stdout=buf)
    assert buf.getvalue() == expected
    assert summary.records == summary.checked == 15
    assert any(json.loads(line)["findings"] for line in expected.splitlines())


def test_output_file_is_written_whole_and_leaves_no_partial(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", UNITS, repeat=2)
    out = tmp_path / "out" / "r.jsonl"
    run_corpus(CorpusOptions(str(path), output=str(out), batch_size=4, jobs=1, src_lang="en", tgt_lang="de",
                             config=light_config()))
    assert len(out.read_text(encoding="utf-8").splitlines()) == 10
    assert sorted(p.name for p in out.parent.iterdir()) == ["r.jsonl"]


def test_profile_fast_drops_exactly_the_model_backed_checks():
    models = {cid for cid, c in all_checks().items() if c.requires}
    assert {"lm-fluency", "source-similarity"} <= models
    assert set(profile_disables("fast")) == models
    assert profile_disables("full") == []
    with pytest.raises(ValueError, match="unknown profile"):
        profile_disables("turbo")


# -- the command line ---------------------------------------------------------------------


def cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_streams_jsonl_one_line_per_input_line_in_order(tmp_path, capsys):
    path = write_jsonl(tmp_path / "in.jsonl", UNITS, repeat=2)
    code, out, err = cli(["check", str(path), "--format", "jsonl", "--src-lang", "en", "--tgt-lang", "de",
                          "--batch-size", "3", "--disable", ",".join(LIGHT)], capsys)
    assert code == 0
    lines = [json.loads(x) for x in out.splitlines()]
    assert [r["id"] for r in lines] == [f"{u['id']}{i}" for i in range(2) for u in UNITS]
    assert [r["index"] for r in lines] == list(range(10))
    assert "10 records" in err and "mean score" in err


def test_cli_fail_under_uses_the_mean_score(tmp_path, capsys):
    path = write_jsonl(tmp_path / "in.jsonl", UNITS)
    base = ["check", str(path), "--format", "jsonl", "--src-lang", "en", "--tgt-lang", "de", "--disable", ",".join(LIGHT)]
    _, out, _ = cli(base, capsys)
    mean = sum(json.loads(x)["score"] for x in out.splitlines()) / len(UNITS)
    assert mean < 100
    assert cli([*base, "--fail-under", f"{mean + 0.5:.2f}"], capsys)[0] == 1
    assert cli([*base, "--fail-under", f"{mean - 0.5:.2f}"], capsys)[0] == 0


def test_cli_skip_bad_counts_bad_lines_and_default_stops_at_them(tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    path.write_text('{"target": "Ein Satz."}\n{broken\n{"target": "Noch einer."}\n', encoding="utf-8")
    base = ["check", str(path), "--format", "jsonl", "--tgt-lang", "de", "--disable", ",".join(LIGHT)]
    code, out, err = cli(base, capsys)
    assert code == 2 and "line 2: not valid JSON" in err and "Traceback" not in err
    code, out, err = cli([*base, "--skip-bad"], capsys)
    assert code == 0
    assert [("error" in json.loads(x)) for x in out.splitlines()] == [False, True, False]
    assert "1 bad" in err


@pytest.mark.parametrize(("extra", "message"), [
    (["--resume"], "--resume needs --output"),
    (["--jobs", "0"], "--jobs must be at least 1"),
    (["--batch-size", "0"], "--batch-size must be at least 1"),
])
def test_cli_corpus_option_errors_are_one_line(tmp_path, capsys, extra, message):
    path = write_jsonl(tmp_path / "in.jsonl", UNITS)
    code, _, err = cli(["check", str(path), "--format", "jsonl", *extra], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_cli_corpus_options_need_streamable_input_and_jsonl_output(tmp_path, capsys):
    txt = tmp_path / "t.txt"
    txt.write_text("Ein Satz.\n", encoding="utf-8")
    code, _, err = cli(["check", str(txt), "--jobs", "2", "--format", "jsonl"], capsys)
    assert code == 2 and "only JSONL, CSV and TSV" in err
    path = write_jsonl(tmp_path / "in.jsonl", UNITS)
    code, _, err = cli(["check", str(path), "--resume", "-o", str(tmp_path / "o.json"), "--format", "json"], capsys)
    assert code == 2 and "add --format jsonl" in err


# -- engines: same records, same order ---------------------------------------------------


def engine_output(tmp_path: Path, engine: str, jobs: int) -> str:
    path = write_jsonl(tmp_path / "in.jsonl", UNITS, repeat=4)
    buf = io.StringIO()
    run_corpus(CorpusOptions(str(path), batch_size=3, jobs=jobs, engine=engine, src_lang="en", tgt_lang="de",
                             config=light_config()), stdout=buf)
    return buf.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize(("engine", "jobs"), [("local", 2), ("dask", 2), ("ray", 1)])
def test_engines_give_the_records_of_the_in_process_run(tmp_path, engine, jobs):
    pytest.importorskip({"local": "concurrent.futures", "dask": "distributed", "ray": "ray"}[engine])
    expected = engine_output(tmp_path, "local", 1)
    assert len(expected.splitlines()) == 20
    assert engine_output(tmp_path, engine, jobs) == expected


def test_a_run_that_fails_before_any_record_leaves_no_output_files(tmp_path, capsys):
    bad = tmp_path / "in.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = cli(["check", str(bad), "--format", "jsonl", "-o", str(tmp_path / "out.jsonl")], capsys)
    assert code == 2 and "header must have a 'target' column" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_progress_bar_shows_rate_on_request(tmp_path, capsys):
    path = write_jsonl(tmp_path / "in.jsonl", UNITS, repeat=2)
    code, _, err = cli(["check", str(path), "--format", "jsonl", "--progress", "--batch-size", "2", "--tgt-lang", "de",
                        "-o", str(tmp_path / "o.jsonl"), "--disable", ",".join(LIGHT)], capsys)
    assert code == 0 and "10/10" in err and "pairs/s" in err
