"""Output never destroys a file: devices and FIFOs are written through, no input is ever overwritten or
deleted, two runs cannot write one output at once, and files get the user's umask.

Each test reproduces one failure of a hostile-input review (docs/reliability.md lists them).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
#: one cheap check: these tests are about where output goes, not about the checks
ONLY = ["--only", "doubled-word"]
TEXT = "The the cat sat on the mat.\nIt rained all day.\n"
GLOSSARY = "source,target\ncat,Katze\n"


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args, *ONLY])
    out, err = capsys.readouterr()
    return code, out, err


def mtcheck(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "checker", *args, *ONLY], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=timeout)


def one_line_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("mtcheck: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    p = tmp_path / "doc.txt"
    p.write_text(TEXT, encoding="utf-8")
    return p


@pytest.fixture
def pairs(tmp_path: Path) -> Path:
    p = tmp_path / "pairs.jsonl"
    p.write_text("".join(json.dumps({"id": str(i), "source": "The cat.", "target": f"Die die Katze {i}."}) + "\n"
                         for i in range(6)), encoding="utf-8")
    return p


# -- devices, FIFOs and '-' are written through ---------------------------------------------------------------


def _read_fifo(fifo: Path) -> subprocess.Popen:
    return subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)


def _fifo_output(reader: subprocess.Popen) -> bytes:
    try:
        out, _ = reader.communicate(timeout=30)
    except subprocess.TimeoutExpired:  # nobody ever opened the FIFO for writing
        reader.kill()
        reader.communicate()
        return b""
    return out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_report_to_a_fifo_is_written_through_and_the_fifo_stays(tmp_path, doc, capsys):
    """Was: the atomic rename replaced the FIFO with a regular file (and the reader waited forever)."""
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    reader = _read_fifo(fifo)
    code, _, err = run_main(capsys, "check", str(doc), "--format", "json", "-o", str(fifo))
    data = _fifo_output(reader)
    assert code == 0, err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(data)["findings"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_streamed_records_to_a_fifo_are_written_through(tmp_path, pairs, capsys):
    """Was: the corpus sink wrote FIFO.partial and renamed it over the FIFO."""
    fifo = tmp_path / "records.fifo"
    os.mkfifo(fifo)
    reader = _read_fifo(fifo)
    code, _, err = run_main(capsys, "check", str(pairs), "--format", "jsonl", "-o", str(fifo))
    data = _fifo_output(reader)
    assert code == 0, err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [json.loads(line)["index"] for line in data.decode().splitlines()] == list(range(6))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.jsonl", "records.fifo"]


@pytest.mark.parametrize("stream", [False, True])
def test_output_to_a_character_device_writes_through(tmp_path, doc, pairs, capsys, stream):
    """Was: -o /dev/full (as root) replaced the real device with a regular file. A null device made here stands
    in for /dev/null, so a regression cannot touch the real one."""
    dev = tmp_path / "null"
    try:
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    args = [str(pairs), "--format", "jsonl"] if stream else [str(doc), "--format", "json"]
    code, _, err = run_main(capsys, "check", *args, "-o", str(dev))
    assert code == 0, err
    assert stat.S_ISCHR(dev.lstat().st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".null", "null."))]


def test_output_dash_is_stdout(tmp_path, doc, capsys, monkeypatch):
    """Was: -o - wrote a file named '-'."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(capsys, "check", str(doc), "--format", "json", "-o", "-")
    assert code == 0, err
    assert json.loads(out)["findings"]
    assert not (tmp_path / "-").exists()


# -- no input is ever overwritten ----------------------------------------------------------------------------


def _inputs(tmp_path: Path, target: Path) -> dict[str, Path]:
    """Every kind of input a run reads besides FILE, with a file each (the source has FILE's line count)."""
    src = tmp_path / "source.txt"
    src.write_text("\n".join("Die Katze sass auf der Matte." for _ in target.read_text(encoding="utf-8").splitlines()),
                   encoding="utf-8")
    glossary = tmp_path / "terms.csv"
    glossary.write_text(GLOSSARY, encoding="utf-8")
    ignore = tmp_path / "ignore.txt"
    ignore.write_text("xyzzy\n", encoding="utf-8")
    config = tmp_path / "settings.toml"
    config.write_text("[checks]\n", encoding="utf-8")
    hard = tmp_path / "hard.txt"
    os.link(target, hard)
    soft = tmp_path / "soft.txt"
    soft.symlink_to(target)
    return {"--source": src, "--glossary": glossary, "--ignore-file": ignore, "--config": config,
            "a hard link to FILE": hard, "a symlink to FILE": soft}


@pytest.mark.parametrize("which", ["--source", "--glossary", "--ignore-file", "--config", "a hard link to FILE",
                                   "a symlink to FILE"])
@pytest.mark.parametrize("option", ["-o", "--annotate"])
def test_an_output_naming_any_input_is_refused(tmp_path, doc, capsys, which, option):
    """Was: only FILE itself was refused; -o naming the source, the glossary, the ignore file or the settings file
    (or FILE through a link) silently overwrote it. --annotate names an output too."""
    target = doc
    if option == "--annotate":  # --annotate needs a translation file
        target = tmp_path / "units.jsonl"
        target.write_text('{"target": "Die die Katze."}\n{"target": "Es regnete."}\n', encoding="utf-8")
    paths = _inputs(tmp_path, target)
    args = ["check", str(target), "--tgt-lang", "de"]
    if which.startswith("--"):
        args += [which, str(paths[which])]
    before = {p: p.read_bytes() for p in [target, *paths.values()]}
    code, _, err = run_main(capsys, *args, option, str(paths[which]))
    assert code == 2
    assert "input" in one_line_error(err)
    assert {p: p.read_bytes() for p in [target, *paths.values()]} == before
    assert paths["a symlink to FILE"].is_symlink()


def test_annotate_naming_the_output_is_refused(tmp_path, capsys):
    """Was: --annotate X -o X wrote the report, then the annotated copy over it."""
    units = tmp_path / "units.jsonl"
    units.write_text('{"source": "The cat.", "target": "Die die Katze."}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run_main(capsys, "check", str(units), "-o", str(out), "--annotate", str(tmp_path / "." / "out.jsonl"))
    assert code == 2
    assert "--annotate" in one_line_error(err)
    assert not out.exists()


# -- no file the run did not create is deleted ---------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".partial", ".ckpt", ".lock"])
def test_an_input_named_like_the_runs_own_files_is_never_deleted(tmp_path, pairs, capsys, suffix):
    """Was: an input named X.partial or X.ckpt with -o X was deleted as a stale checkpoint."""
    out = tmp_path / "out.jsonl"
    victim = out.with_name(out.name + suffix)
    victim.write_bytes(pairs.read_bytes())
    code, _, err = run_main(capsys, "check", str(victim), "--input-format", "jsonl", "--format", "jsonl", "-o", str(out))
    assert code == 2
    assert "input" in one_line_error(err)
    assert victim.read_bytes() == pairs.read_bytes()


@pytest.mark.parametrize("suffix", [".partial", ".ckpt"])
def test_a_file_mtcheck_did_not_write_at_the_checkpoint_paths_is_kept(tmp_path, pairs, capsys, suffix):
    """A user's own out.jsonl.ckpt (not an input, not a checkpoint) is not mtcheck's to delete or overwrite."""
    out = tmp_path / "out.jsonl"
    theirs = out.with_name(out.name + suffix)
    theirs.write_text("my notes, not a checkpoint\n", encoding="utf-8")
    code, _, err = run_main(capsys, "check", str(pairs), "--format", "jsonl", "-o", str(out))
    assert code == 2
    assert str(theirs) in one_line_error(err)
    assert theirs.read_text(encoding="utf-8") == "my notes, not a checkpoint\n"
    assert not out.exists()


# -- one writer per output ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_a_second_run_on_a_locked_output_is_refused_with_one_line(tmp_path, doc, pairs, capsys, stream):
    """Was: two runs with the same -o wrote one file at once (a torn line, the other's records, a traceback)."""
    from checker.io.output import output_lock

    out = tmp_path / ("out.jsonl" if stream else "out.json")
    args = [str(pairs), "--format", "jsonl"] if stream else [str(doc), "--format", "json"]
    with output_lock(str(out)):
        code, _, err = run_main(capsys, "check", *args, "-o", str(out))
    assert code == 2
    assert "another mtcheck run" in one_line_error(err)
    assert not out.exists() and not out.with_name(out.name + ".partial").exists()
    code, _, err = run_main(capsys, "check", *args, "-o", str(out))  # the lock went with the first run
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == [out.name]


def test_two_cli_runs_with_the_same_output_one_refused_the_other_complete(tmp_path):
    """The first run reads a FIFO the test feeds only after the second run was refused, so the first surely holds
    the output's lock meanwhile (a race on a fast machine otherwise: 3,000 records take 0.3 s)."""
    rows = "".join(json.dumps({"id": str(i), "target": f"Die die Katze Nummer {i} sass da."}) + "\n"
                   for i in range(3000))
    fifo = tmp_path / "fed.jsonl"
    os.mkfifo(fifo)
    plain = tmp_path / "plain.jsonl"
    plain.write_text(rows, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}

    def cmd(path):
        return [sys.executable, "-m", "checker", "check", str(path), "--format", "jsonl", "-o", str(out), "--jobs",
                "1", "--batch-size", "20", "--tgt-lang", "de", *ONLY]

    first = subprocess.Popen(cmd(fifo), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        with open(fifo, "w", encoding="utf-8") as feed:  # opens once the first run opened the FIFO to read it
            deadline = time.monotonic() + 120
            while not out.with_name("out.jsonl.lock").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            second = subprocess.run(cmd(plain), capture_output=True, text=True, env=env, timeout=120)
            feed.write(rows)
    finally:
        _, err1 = first.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode == 2, second.stderr
    assert "another mtcheck run" in one_line_error(second.stderr)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["index"] for line in lines] == list(range(3000))


# -- files get the user's umask ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o022, 0o002])
@pytest.mark.parametrize("kind", ["report", "annotate", "records"])
def test_output_files_follow_the_umask(tmp_path, pairs, capsys, mask, kind):
    """Was: the report and the annotated copy were created mode 0600 (a temporary file's mode)."""
    out = tmp_path / "out.x"
    args = {"report": [str(pairs), "--format", "json", "-o", str(out)],
            "annotate": [str(pairs), "--format", "json", "--annotate", str(out)],
            "records": [str(pairs), "--format", "jsonl", "-o", str(out)]}[kind]
    old = os.umask(mask)
    try:
        code, _, err = run_main(capsys, "check", *args)
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask


def test_overwriting_an_output_keeps_its_mode(tmp_path, doc, capsys):
    out = tmp_path / "report.json"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    code, _, err = run_main(capsys, "check", str(doc), "--format", "json", "-o", str(out))
    assert code == 0, err
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


# -- an output that cannot be written: exit 2, one line -----------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("where", ["a directory", "under a file"])
def test_an_output_that_cannot_be_written_exits_2_with_one_line(tmp_path, doc, pairs, where, stream):
    """Was: exit 1 (the --fail-under code) and a traceback."""
    blocker = tmp_path / "plain.txt"
    blocker.write_text("x", encoding="utf-8")
    out = tmp_path if where == "a directory" else blocker / "report.json"
    args = [str(pairs), "--format", "jsonl"] if stream else [str(doc), "--format", "json"]
    proc = mtcheck("check", *args, "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    assert str(out) in one_line_error(proc.stderr)
    assert blocker.read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_output_in_a_read_only_directory_exits_2_with_one_line(tmp_path, doc):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        proc = mtcheck("check", str(doc), "--format", "json", "-o", str(ro / "report.json"))
    finally:
        ro.chmod(0o700)
    assert proc.returncode == 2
    assert "report.json" in one_line_error(proc.stderr)
