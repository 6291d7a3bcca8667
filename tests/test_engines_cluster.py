"""Dask and Ray for real: a scheduler, workers and nodes as separate processes on localhost.

The cluster tests start ``dask scheduler`` with two ``dask worker`` processes over TCP,
and ``ray start --head`` with a second ``ray start --address=...`` node, run a corpus
through the command line with ``--engine-address``, kill a worker with SIGKILL part-way,
and compare the output byte for byte with the in-process run. Every process they start
is in a process group of its own and is stopped when the module ends; every port is a
free one; every wait has a limit.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clusters import DaskCluster, Processes, RayCluster, cluster_env, free_port, port_open, wait_until
from helpers import ROOT

from checker import __version__, cli
from checker.config import Config
from checker.corpus import CorpusJob, _localised, portable_job
from checker.engines import EngineError, host_port, prepare

PAIRS = 4000
BATCH = 25
#: the output lines written when a worker is killed (the run is well under way, far from done)
KILL_AT = 600
#: seconds any one command or wait may take before the test fails instead of hanging
LIMIT = 240
GLOSSARY = "budget,Haushalt\ncommittee,Ausschuss\ncontract,Vertrag\n"
ENV = cluster_env(MTCHECK_ENGINE_TIMEOUT="30")


def _write_corpus(path: Path, n: int) -> None:
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_corpus(path, n)


# -- a corpus and its in-process output ------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path | bytes]:
    """A synthetic corpus, a glossary named by a relative path, and the output of the in-process run."""
    work = tmp_path_factory.mktemp("corpus")
    _write_corpus(work / "pairs.jsonl", PAIRS)
    (work / "terms.csv").write_text(GLOSSARY, encoding="utf-8")
    proc = run_cli(work, "local.jsonl", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    expected = (work / "local.jsonl").read_bytes()
    records = [json.loads(line) for line in expected.splitlines()]
    assert [r["index"] for r in records] == list(range(PAIRS))
    assert any(f["check"] == "terminology" for r in records for f in r["findings"]), "the glossary finds nothing"
    return {"work": work, "expected": expected}


def cli_args(work: Path, out: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "checker", "check", str(work / "pairs.jsonl"), "--format", "jsonl", "-o",
            str(work / out), "--quiet", "--profile", "fast", "--src-lang", "en", "--tgt-lang", "de",
            "--glossary", "terms.csv", "--batch-size", str(BATCH), *extra]


def run_cli(work: Path, out: str, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """One ``mtcheck check`` run in ``work`` (the glossary is relative to it, the workers run elsewhere)."""
    return subprocess.run(cli_args(work, out, *extra), cwd=work, env=env or ENV, capture_output=True,
                          text=True, timeout=LIMIT)


def run_cli_killing(work: Path, out: str, victims: list[subprocess.Popen], procs: Processes, *extra: str,
                    env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, int]:
    """A run in which ``victims`` are SIGKILLed once ``KILL_AT`` output lines are written; (result, lines then)."""
    partial = work / f"{out}.partial"
    partial.unlink(missing_ok=True)
    (work / out).unlink(missing_ok=True)
    run = subprocess.Popen(cli_args(work, out, *extra), cwd=work, env=env or ENV, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        def lines() -> int:
            try:
                return partial.read_bytes().count(b"\n")
            except FileNotFoundError:
                return 0

        wait_until(lambda: lines() >= KILL_AT or run.poll() is not None, "output lines", timeout=LIMIT)
        assert run.poll() is None, f"the run ended before a worker could be killed: {run.stderr.read()}"
        killed_at = lines()
        assert killed_at < PAIRS
        for victim in victims:
            procs.kill(victim)
        stdout, stderr = run.communicate(timeout=LIMIT)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        raise
    return subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr), killed_at


def assert_same(work: Path, out: str, expected: bytes) -> None:
    got = (work / out).read_bytes()
    assert [json.loads(line)["index"] for line in got.splitlines()] == list(range(PAIRS))
    assert got == expected
    assert not (work / f"{out}.partial").exists() and not (work / f"{out}.ckpt").exists()


# -- the clusters: Dask (a scheduler and workers over TCP) and Ray (a head and a node) -----------------


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory) -> Iterator[DaskCluster]:
    pytest.importorskip("distributed")
    procs = Processes()
    try:
        cluster = DaskCluster(procs, tmp_path_factory.mktemp("dask"))
        cluster.ensure(2)
        yield cluster
    finally:
        procs.stop_all()


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[RayCluster]:
    pytest.importorskip("ray")
    procs = Processes()
    cluster = None
    try:
        cluster = RayCluster(procs)
        cluster.ensure(2)
        yield cluster
    finally:
        procs.stop_all()
        if cluster is not None:
            cluster.remove_folder()


# -- both: the records of the local run, and a worker killed part-way ---------------------


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["dask", "ray"])
def test_a_cluster_gives_the_records_of_the_local_run(corpus, engine, request):
    cluster = request.getfixturevalue(f"{engine}_cluster")
    cluster.ensure(2)
    work = corpus["work"]
    proc = run_cli(work, f"{engine}.jsonl", "--engine", engine, "--engine-address", cluster.address)
    assert proc.returncode == 0, proc.stderr
    assert_same(work, f"{engine}.jsonl", corpus["expected"])


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["dask", "ray"])
def test_a_worker_killed_part_way_loses_nothing(corpus, engine, request):
    """A Dask worker (nanny and worker process) or a whole Ray node SIGKILLed mid-run: its batches run again
    on the other worker, and the output is complete, in order and the same bytes as the local run's."""
    cluster = request.getfixturevalue(f"{engine}_cluster")
    cluster.ensure(2)
    work = corpus["work"]
    env = cluster_env(MTCHECK_ENGINE_ADDRESS=cluster.address, MTCHECK_ENGINE_TIMEOUT="30")  # no --engine-address
    victim = cluster.alive()[-1]
    proc, killed_at = run_cli_killing(work, f"{engine}-kill.jsonl", [victim], cluster.procs, "--engine", engine, env=env)
    assert proc.returncode == 0, proc.stderr
    assert KILL_AT <= killed_at < PAIRS
    assert_same(work, f"{engine}-kill.jsonl", corpus["expected"])
    assert victim not in cluster.alive()


# -- Dask: every worker lost, a scheduler without workers ------------------------------


@pytest.mark.slow
def test_dask_cluster_without_workers_stops_with_a_resume_hint_then_resumes(corpus, dask_cluster):
    """Every worker killed part-way: one line naming --resume (exit 2); new workers, --resume, the same bytes."""
    dask_cluster.ensure(2)
    work = corpus["work"]
    proc, killed_at = run_cli_killing(work, "dask-lost.jsonl", dask_cluster.alive(), dask_cluster.procs, "--engine",
                                      "dask", "--engine-address", dask_cluster.address,
                                      env=cluster_env(MTCHECK_ENGINE_TIMEOUT="3"))
    assert proc.returncode == 2, proc.stderr
    message = proc.stderr.strip().splitlines()
    assert len(message) == 1 and "no dask worker left" in message[0] and "--resume" in message[0], proc.stderr
    assert killed_at <= (work / "dask-lost.jsonl.partial").read_bytes().count(b"\n") < PAIRS
    dask_cluster.ensure(2)
    proc = run_cli(work, "dask-lost.jsonl", "--engine", "dask", "--engine-address", dask_cluster.address, "--resume")
    assert proc.returncode == 0, proc.stderr
    assert_same(work, "dask-lost.jsonl", corpus["expected"])


@pytest.mark.slow
def test_a_dead_dask_scheduler_stops_the_run_with_a_resume_hint(corpus, tmp_path):
    procs = Processes()
    try:
        cluster = DaskCluster(procs, tmp_path)
        cluster.ensure(2)
        proc, _ = run_cli_killing(corpus["work"], "dask-headless.jsonl", [cluster.scheduler], procs, "--engine", "dask",
                                  "--engine-address", cluster.address, env=cluster_env(MTCHECK_ENGINE_TIMEOUT="5"))
    finally:
        procs.stop_all()
    assert proc.returncode == 2
    # distributed logs one line of its own as it gives up reconnecting; mtcheck's line comes last
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"mtcheck: error: lost the Dask scheduler at {cluster.address} (")
    assert last.endswith(f"run the same command with --resume to continue {corpus['work'] / 'dask-headless.jsonl'}")


@pytest.mark.slow
def test_dask_scheduler_without_workers_is_refused_in_time(tmp_path, corpus):
    procs = Processes()
    try:
        port = free_port()
        log = tmp_path / "scheduler.log"
        proc = procs.start([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                            "--no-dashboard"], log, tmp_path)
        wait_until(lambda: port_open(port), "dask scheduler", proc=proc, log=log)
        t0 = time.monotonic()
        done = run_cli(corpus["work"], "none.jsonl", "--engine", "dask", "--engine-address", f"tcp://127.0.0.1:{port}",
                       env=cluster_env(MTCHECK_ENGINE_TIMEOUT="3"))
    finally:
        procs.stop_all()
    assert done.returncode == 2
    assert done.stderr.strip() == f"mtcheck: error: the Dask scheduler at tcp://127.0.0.1:{port} has no workers (waited 3 s)"
    assert time.monotonic() - t0 < 60
    assert not (corpus["work"] / "none.jsonl.partial").exists()


@pytest.mark.slow
def test_a_ray_cluster_without_its_token_is_one_line(ray_cluster, tmp_path):
    """Ray's core logs a line a second while it retries; mtcheck holds them back and says what is missing."""
    (tmp_path / "pairs.jsonl").write_text('{"source": "Hello.", "target": "Hallo."}\n', encoding="utf-8")
    env = cluster_env(HOME=str(tmp_path))  # no ~/.ray/auth_token either
    for name in ("RAY_AUTH_TOKEN", "RAY_AUTH_MODE", "RAY_AUTH_TOKEN_PATH"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "checker", "check", "pairs.jsonl", "--format", "jsonl", "--engine",
                           "ray", "--engine-address", ray_cluster.address], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=LIMIT)
    assert done.returncode == 2
    assert done.stderr == (f"mtcheck: error: cannot connect to the Ray cluster at {ray_cluster.address}: "
                           "it wants its authentication token (set RAY_AUTH_TOKEN)\n")


# -- errors that need no cluster -------------------------------------------------------


@pytest.mark.parametrize(("engine", "scheme"), [("dask", "tcp://"), ("ray", "")])
def test_an_unreachable_address_is_one_line_and_quick(tmp_path, engine, scheme):
    (tmp_path / "pairs.jsonl").write_text('{"source": "Hello.", "target": "Hallo."}\n', encoding="utf-8")
    address = f"{scheme}127.0.0.1:{free_port()}"
    env = cluster_env(MTCHECK_ENGINE_ADDRESS=address)
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "checker", "check", "pairs.jsonl", "--format", "jsonl", "--engine",
                           engine, "-o", "out.jsonl"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=LIMIT)
    assert done.returncode == 2
    what = {"dask": "Dask scheduler", "ray": "Ray cluster"}[engine]
    assert done.stderr.strip() == f"mtcheck: error: cannot reach the {what} at {address}: Connection refused"
    assert time.monotonic() - t0 < 60
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.jsonl"]


@pytest.mark.parametrize(("engine", "module", "hint"), [("dask", "distributed", 'pip install "dask[distributed]"'),
                                                         ("ray", "ray", "pip install ray")])
def test_a_missing_engine_package_is_one_line(tmp_path, capsys, monkeypatch, engine, module, hint):
    path = tmp_path / "pairs.jsonl"
    path.write_text('{"source": "Hello.", "target": "Hallo."}\n' * 3, encoding="utf-8")
    monkeypatch.setitem(sys.modules, module, None)
    if engine == "dask":
        monkeypatch.setitem(sys.modules, "dask.distributed", None)
    rc = cli.main(["check", str(path), "--format", "jsonl", "--engine", engine, "--batch-size", "1", "-q"])
    assert rc == 2
    assert capsys.readouterr().err == f"mtcheck: error: --engine {engine} needs `{hint}`\n"


def test_engine_addresses_parse_and_bad_ones_are_one_line():
    assert host_port("tcp://10.0.0.5:8786", 8786) == ("10.0.0.5", 8786)
    assert host_port("head.example:7000", 6379) == ("head.example", 7000)
    assert host_port("ray://head", 10001) == ("head", 10001)
    assert host_port("tls://[::1]:9000", 8786) == ("::1", 9000)
    assert host_port("auto", 6379) is None
    with pytest.raises(EngineError, match="not HOST:PORT"):
        host_port("tcp://head:port", 8786)


def test_the_job_a_worker_gets_carries_the_glossary_text(tmp_path, monkeypatch):
    """A worker runs elsewhere: the glossary goes as text and is read from a file of the worker's own."""
    (tmp_path / "terms.tsv").write_text("budget\tHaushalt\n", encoding="utf-8")
    (tmp_path / "model").mkdir()
    monkeypatch.chdir(tmp_path)
    config = Config(params={"terminology": {"glossary": "terms.tsv"}})
    config.lm_model = "model"
    job = portable_job(CorpusJob(config, "en", "de"))
    assert job.glossary == ("terms.tsv", "budget\tHaushalt\n")
    assert job.config.lm_model == str(tmp_path / "model")
    assert config.lm_model == "model" and config.params["terminology"]["glossary"] == "terms.tsv"  # untouched
    monkeypatch.chdir(ROOT)
    local = _localised(job)
    path = Path(local.config.params["terminology"]["glossary"])
    assert path.name == "terms.tsv" and path.read_text(encoding="utf-8") == "budget\tHaushalt\n"
    assert _localised(job).config.params["terminology"]["glossary"] == str(path)  # written once


def test_a_worker_with_another_mtcheck_version_is_refused():
    with pytest.raises(EngineError, match=f"runs mtcheck {__version__}, the driver 0.0.0: install the same version"):
        prepare(lambda *a: None, None, 1, False, uuid.uuid4().hex, "0.0.0")
