"""Engines compared: pairs/s of the local pool, a localhost Dask cluster and a localhost Ray cluster.

    python bench/engines.py                                # 20k pairs, --profile fast, 2 workers, 2 runs each
    python bench/engines.py --pairs 50000 --repeat 3 --profile full
    python bench/engines.py --engines dask --dask-address tcp://head:8786   # a cluster of yours instead

All runs check the same synthetic corpus (``bench/corpus.py``'s English-German pairs) with
the same settings; every output is compared byte for byte with the first local run's.
Each run is a whole ``mtcheck check`` process (start-up, connecting, model loading on the
workers included), as a user would time it. The engines, each in a phase of its own so
that one's idle processes do not slow another's runs:

* ``local``: ``--jobs 1`` (this process) and ``--jobs N`` (a pool of N spawned workers);
* ``dask``: ``dask scheduler`` and N ``dask worker --nthreads 1`` processes over TCP on
  127.0.0.1, run with ``--engine dask --engine-address tcp://127.0.0.1:PORT``;
* ``ray``: ``ray start --head`` and N-1 further ``ray start --address=...`` nodes, 1 CPU each,
  run with ``--engine ray --engine-address 127.0.0.1:PORT``.

The clusters are started by ``tests/clusters.py`` (the code of the cluster tests) before
their phase and stopped after it; starting them is not timed. ``peak MB`` is the largest
resident set of the run's process tree plus the cluster's processes (sampled every 0.2 s);
``load`` is the 1-minute load average when the run ended (other jobs on the machine show
here: a 2-core machine with load 4 gives each run about half the CPU it would have alone).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from clusters import DaskCluster, Processes, RayCluster, cluster_env  # noqa: E402
from corpus import write_corpus  # noqa: E402


def run(corpus: Path, out: Path, profile: str, engine_args: list[str], cluster: Processes | None) -> dict[str, float]:
    """One ``mtcheck check`` run: wall seconds, peak MB (the run's processes and the cluster's), load at the end."""
    cmd = [sys.executable, "-m", "checker", "check", str(corpus), "--format", "jsonl", "-o", str(out), "--quiet",
           "--src-lang", "en", "--tgt-lang", "de", "--profile", profile, *engine_args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=cluster_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            others = [p for c in (cluster.procs if cluster else []) for p in Processes.tree(c)]
            peak = max(peak, sum(p.memory_info().rss for p in tree + others))
        except psutil.Error:
            pass
        time.sleep(0.2)
    seconds = time.perf_counter() - t0
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"run failed ({' '.join(cmd)}):\n{err}")
    return {"seconds": seconds, "peak_mb": peak / 1e6, "load": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=2, help="pool workers, Dask workers and Ray CPUs (default 2)")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each engine (default 2)")
    ap.add_argument("--profile", default="fast", choices=["fast", "full"])
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--engines", nargs="+", default=["local", "dask", "ray"], choices=["local", "dask", "ray"])
    ap.add_argument("--dask-address", help="use this Dask scheduler instead of starting one")
    ap.add_argument("--ray-address", help="use this Ray cluster instead of starting one")
    args = ap.parse_args()
    n, w = args.pairs, args.workers
    print(f"# {n} pairs, --profile {args.profile}, --batch-size {args.batch_size}, {w} workers; "
          f"{psutil.cpu_count()} cores ({platform.processor() or platform.machine()}), "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB; load before: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'engine':>6} {'workers':>7} {'run':>3} {'seconds':>8} {'pairs/s':>8} {'peak MB':>8} {'load':>5} same")
    rates: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        write_corpus(corpus, n)
        expected: bytes | None = None
        batch = ["--batch-size", str(args.batch_size)]

        def phase(label: str, engine_args: list[str], cluster: Processes | None = None) -> None:
            nonlocal expected
            for i in range(args.repeat):
                out = Path(tmp) / "out.jsonl"
                r = run(corpus, out, args.profile, [*engine_args, *batch], cluster)
                got = out.read_bytes()
                expected = expected if expected is not None else got
                rate = n / r["seconds"]
                rates.setdefault(label, []).append(rate)
                engine, workers = label.split(":")
                print(f"{engine:>6} {workers:>7} {i + 1:>3} {r['seconds']:>8.1f} {rate:>8.0f} {r['peak_mb']:>8.0f} "
                      f"{r['load']:>5.1f} {'yes' if got == expected else 'NO'}", flush=True)

        if "local" in args.engines:
            phase("local:1", ["--jobs", "1"])
            phase(f"local:{w}", ["--jobs", str(w)])
        for engine in ("dask", "ray"):
            if engine not in args.engines:
                continue
            given = args.dask_address if engine == "dask" else args.ray_address
            procs = Processes()
            ray_cluster = None
            try:
                address = given
                if not address and engine == "dask":
                    cluster = DaskCluster(procs, Path(tempfile.mkdtemp(dir=tmp)))
                    cluster.ensure(w)
                    address = cluster.address
                elif not address:
                    ray_cluster = RayCluster(procs)
                    ray_cluster.ensure(w)
                    address = ray_cluster.address
                phase(f"{engine}:{w if not given else '?'}", ["--engine", engine, "--engine-address", address],
                      None if given else procs)
            finally:
                procs.stop_all()
                if ray_cluster is not None:
                    ray_cluster.remove_folder()
    print("median pairs/s: " + ", ".join(f"{k} {statistics.median(v):.0f}" for k, v in rates.items()))


if __name__ == "__main__":
    main()
