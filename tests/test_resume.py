"""Resumable corpus runs: an interrupted run continues with no record lost or written twice."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import checker.corpus as corpus
from checker import Config
from checker.corpus import CorpusOptions, run_corpus
from checker.io.readers import InputError
from checker.selection import all_checks

ROOT = Path(__file__).resolve().parent.parent
LIGHT = [cid for cid, c in all_checks().items() if c.requires]
TARGETS = ["Die Katze sass auf der Matte .", "Es hat den ganzen ganzen Tag geregnet.", "Bitte starten Sie neu.",
           "Er sagte \u201eHallo.", "Die Preise stiegen um 5 %!!", "Alles in Ordnung."]


def write_corpus(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": str(i), "source": f"Sentence number {i}.", "target": TARGETS[i % len(TARGETS)]},
                                ensure_ascii=False) + "\n")
    return path


def options(src: Path, out: Path | None, **kw) -> CorpusOptions:
    return CorpusOptions(str(src), output=str(out) if out else None, jobs=1, src_lang="en", tgt_lang="de",
                         config=Config(disable=list(LIGHT)), **kw)


def uninterrupted(src: Path, batch_size: int) -> str:
    buf = io.StringIO()
    run_corpus(options(src, None, batch_size=batch_size), stdout=buf)
    return buf.getvalue()


def interrupt_after(monkeypatch, batches: int) -> None:
    """Make the run raise KeyboardInterrupt (as Ctrl-C does) when checking batch number ``batches``."""
    real, seen = corpus.check_batch, []

    def flaky(job, first, records):
        seen.append(first)
        if len(seen) > batches:
            raise KeyboardInterrupt
        return real(job, first, records)

    monkeypatch.setattr(corpus, "check_batch", flaky)


def test_resume_after_interrupt_truncates_a_torn_tail_and_completes(tmp_path, monkeypatch):
    src, out = write_corpus(tmp_path / "in.jsonl", 23), tmp_path / "out.jsonl"
    interrupt_after(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        run_corpus(options(src, out, batch_size=4))
    partial = out.with_name("out.jsonl.partial")
    assert not out.exists() and partial.exists()
    assert len(partial.read_text(encoding="utf-8").splitlines()) == 12
    with partial.open("ab") as fh:  # a write cut short by a kill: bytes past the checkpoint
        fh.write(b'{"index": 12, "score": 10')
    monkeypatch.undo()
    summary = run_corpus(options(src, out, batch_size=4, resume=True))
    assert summary.resumed_from == 12 and summary.records == 23
    assert out.read_text(encoding="utf-8") == uninterrupted(src, 4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_resume_refuses_a_checkpoint_made_with_other_settings(tmp_path, monkeypatch):
    src, out = write_corpus(tmp_path / "in.jsonl", 10), tmp_path / "out.jsonl"
    interrupt_after(monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt):
        run_corpus(options(src, out, batch_size=4))
    monkeypatch.undo()
    with pytest.raises(InputError, match="different batch_size"):
        run_corpus(options(src, out, batch_size=5, resume=True))


def test_without_resume_or_checkpoint_the_run_starts_over(tmp_path, monkeypatch):
    src, out = write_corpus(tmp_path / "in.jsonl", 10), tmp_path / "out.jsonl"
    interrupt_after(monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt):
        run_corpus(options(src, out, batch_size=4))
    monkeypatch.undo()
    assert run_corpus(options(src, out, batch_size=4)).resumed_from == 0
    assert out.read_text(encoding="utf-8") == uninterrupted(src, 4)
    out.unlink()
    assert run_corpus(options(src, out, batch_size=4, resume=True)).resumed_from == 0  # nothing to resume
    assert out.read_text(encoding="utf-8") == uninterrupted(src, 4)


def cli_command(src: Path, out: Path, *extra: str, jobs: int = 1) -> list[str]:
    return [sys.executable, "-m", "checker", "check", str(src), "--format", "jsonl", "-o", str(out), "--jobs", str(jobs),
            "--batch-size", "20", "--src-lang", "en", "--tgt-lang", "de", "--disable", ",".join(LIGHT), *extra]


def default_sigint() -> None:
    """Ctrl-C's default action in the child: a shell running the tests in the background (nohup, CI) starts
    them with SIGINT ignored, and Python keeps an ignored SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def checkpointed(out: Path) -> int:
    try:
        return json.loads(out.with_name(out.name + ".ckpt").read_text(encoding="utf-8"))["records"]
    except (OSError, ValueError, KeyError):
        return 0


def workers_exit(pids: list[int], timeout: float = 15) -> bool:
    """Whether every process in ``pids`` is gone (or a zombie) within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "jobs"), [(signal.SIGKILL, 1), (signal.SIGINT, 1), (signal.SIGKILL, 2)])
def test_killed_cli_run_resumes_to_the_uninterrupted_output(tmp_path, sig, jobs):
    src = write_corpus(tmp_path / "in.jsonl", 3000)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    full = tmp_path / "full.jsonl"
    subprocess.run(cli_command(src, full, "--quiet"), cwd=ROOT, env=env, check=True, timeout=300)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(cli_command(src, out, jobs=jobs), cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
                            preexec_fn=default_sigint)
    deadline = time.monotonic() + 120
    while checkpointed(out) < 200 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    children = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    assert len(children) >= (jobs if jobs > 1 else 0)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 130), err
    assert workers_exit(children), "worker processes outlived the killed run"
    if sig == signal.SIGINT:
        assert "--resume" in err and "Traceback" not in err
    assert not out.exists(), "the run finished before it was interrupted"
    done = checkpointed(out)
    assert 200 <= done < 3000
    resumed = subprocess.run(cli_command(src, out, "--resume"), cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed after {done}" in resumed.stderr
    assert out.read_bytes() == full.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.jsonl", "in.jsonl", "out.jsonl"]


@pytest.mark.slow
def test_a_dead_worker_is_a_one_line_error_and_the_run_resumes(tmp_path):
    src = write_corpus(tmp_path / "in.jsonl", 3000)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    full = tmp_path / "full.jsonl"
    subprocess.run(cli_command(src, full, "--quiet"), cwd=ROOT, env=env, check=True, timeout=300)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(cli_command(src, out, jobs=2), cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while checkpointed(out) < 200 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    workers = [c for c in psutil.Process(proc.pid).children() if "spawn_main" in " ".join(c.cmdline())]
    assert workers
    workers[0].kill()  # as the kernel's out-of-memory killer would
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "a worker process died" in err and "--resume" in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    resumed = subprocess.run(cli_command(src, out, "--resume"), cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_bytes() == full.read_bytes()


def test_resume_of_a_finished_run_checks_nothing_and_reports_the_output(tmp_path, monkeypatch, capsys):
    from checker.cli import main

    src = write_corpus(tmp_path / "in.jsonl", 12)
    out = tmp_path / "out.jsonl"
    base = ["check", str(src), "--format", "jsonl", "--src-lang", "en", "--tgt-lang", "de", "--disable", ",".join(LIGHT),
            "-o", str(out), "--resume"]
    assert main(base) == 0  # no checkpoint yet: a plain run
    first = out.read_bytes()
    records = [json.loads(x) for x in first.decode().splitlines()]
    mean = sum(r["score"] for r in records) / len(records)
    capsys.readouterr()

    def boom(*_a, **_k):
        raise AssertionError("a finished run was checked again")

    monkeypatch.setattr(corpus, "check_batch", boom)
    assert main(base) == 0
    err = capsys.readouterr().err
    assert "is complete" in err and "nothing to resume" in err and f"mean score {mean:.2f}" in err
    assert out.read_bytes() == first and not list(tmp_path.glob("out.jsonl.*"))
    # --fail-under still judges the finished output
    assert main([*base, "--fail-under", f"{mean + 0.5:.2f}"]) == 1
    # a damaged output is a one-line error, not a traceback
    out.write_text("not json\n", encoding="utf-8")
    assert main(base) == 2
    assert "line 1 is not a JSON record" in capsys.readouterr().err
