"""Corpus throughput: pairs/s and peak memory of `mtcheck check` streaming a synthetic JSONL corpus.

    python bench/corpus.py                       # 10k pairs: local --jobs 1 and 2, dask and ray with 2 workers
    python bench/corpus.py --sizes 10000 100000  # also 100k (several minutes on 2 cores)
    python bench/corpus.py --profiles full fast --runs local:1 local:2
    python bench/corpus.py --sizes 1000 --direction de-en --profiles full fast   # English targets: the LM check runs
    python bench/corpus.py --sizes 10000 1000000 --runs local:1 --only doubled-word   # flat memory on 1M pairs
    python bench/corpus.py --sizes 2000 --runs local:1 --disable learned-quality       # what the learned score costs

Each run is a fresh `mtcheck check` subprocess (start-up and model loading included),
so the figures are what a user sees. Peak memory is the largest resident set of the
run's process tree (the CLI plus its workers), sampled every 0.2 s with psutil.
The corpus is synthetic: English sources with German-ish targets built from word
lists, with about 15 % of targets carrying an artifact (a doubled word, a space
before punctuation, an untranslated source, a stray quote, a truncated target).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent

SUBJ = [("The committee", "Der Ausschuss"), ("Our new system", "Unser neues System"), ("The minister", "Die Ministerin"),
        ("A small company", "Ein kleines Unternehmen"), ("The city council", "Der Stadtrat"), ("This report", "Dieser Bericht"),
        ("The engineers", "Die Ingenieure"), ("Every user", "Jeder Nutzer"), ("The old bridge", "Die alte Brücke"),
        ("The research team", "Das Forschungsteam")]
VERB = [("approved", "genehmigte"), ("rejected", "lehnte ab"), ("discussed", "besprach"), ("published", "veröffentlichte"),
        ("reviewed", "prüfte"), ("delayed", "verschob"), ("announced", "kündigte an"), ("changed", "änderte")]
OBJ = [("the budget", "den Haushalt"), ("the plan", "den Plan"), ("the results", "die Ergebnisse"),
       ("a new law", "ein neues Gesetz"), ("the schedule", "den Zeitplan"), ("the software update", "das Software-Update"),
       ("the contract", "den Vertrag"), ("the annual figures", "die Jahreszahlen")]
TAIL = [("after a long debate", "nach einer langen Debatte"), ("on Monday", "am Montag"), ("in 2024", "im Jahr 2024"),
        ("without any comment", "ohne jeden Kommentar"), ("for the third time", "zum dritten Mal"),
        ("despite strong protests", "trotz heftiger Proteste"), ("", "")]


def synthetic_pair(rng: random.Random, i: int) -> dict[str, str]:
    """One English-German pair; about 15 % carry an artifact."""
    parts = [rng.choice(SUBJ), rng.choice(VERB), rng.choice(OBJ), rng.choice(TAIL)]
    src = " ".join(p[0] for p in parts if p[0]) + "."
    tgt = " ".join(p[1] for p in parts if p[1]) + "."
    if rng.random() < 0.3:  # a second sentence
        more = [rng.choice(SUBJ), rng.choice(VERB), rng.choice(OBJ)]
        src += " " + " ".join(p[0] for p in more) + "."
        tgt += " " + " ".join(p[1] for p in more) + "."
    roll = rng.random()
    if roll < 0.03:
        words = tgt.split()
        k = rng.randrange(len(words))
        tgt = " ".join([*words[:k + 1], words[k], *words[k + 1:]])
    elif roll < 0.06:
        tgt = tgt[:-1] + " ."
    elif roll < 0.09:
        tgt = src
    elif roll < 0.12:
        tgt = '"' + tgt
    elif roll < 0.15:
        tgt = " ".join(tgt.split()[:2])
    return {"id": str(i), "source": src, "target": tgt}


def write_corpus(path: Path, n: int, seed: int = 0, direction: str = "en-de") -> None:
    """``n`` pairs as JSONL; ``de-en`` swaps the sides (English targets: the language-model check runs)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            pair = synthetic_pair(rng, i)
            if direction == "de-en":
                pair["source"], pair["target"] = pair["target"], pair["source"]
            fh.write(json.dumps(pair, ensure_ascii=False) + "\n")


def run(corpus: Path, out: Path, engine: str, jobs: int, profile: str, direction: str,
        only: str | None = None, disable: str | None = None) -> dict[str, float]:
    """One CLI run; wall seconds and peak RSS (MB) of its process tree."""
    src, tgt = direction.split("-")
    cmd = [sys.executable, "-m", "checker", "check", str(corpus), "--format", "jsonl", "-o", str(out), "--quiet",
           "--src-lang", src, "--tgt-lang", tgt, "--jobs", str(jobs), "--engine", engine, "--profile", profile]
    if only:
        cmd += ["--only", only]
    if disable:
        cmd += ["--disable", disable]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.2)
    seconds = time.perf_counter() - t0
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"run failed ({' '.join(cmd)}):\n{err}")
    return {"seconds": seconds, "peak_mb": peak / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    ap.add_argument("--runs", nargs="+", default=["local:1", "local:2", "dask:2", "ray:2"],
                    help="ENGINE:JOBS pairs to time")
    ap.add_argument("--profiles", nargs="+", default=["full"], choices=["full", "fast"])
    ap.add_argument("--direction", default="en-de", choices=["en-de", "de-en"],
                    help="de-en gives English targets, so the English language-model check runs too")
    ap.add_argument("--only", metavar="ID[,ID]", help="run only these checks (the streaming machinery's own cost)")
    ap.add_argument("--disable", metavar="ID[,ID]", help="switch these checks off (what one check costs)")
    args = ap.parse_args()
    print(f"{'pairs':>7} {'dir':>5} {'profile':>7} {'engine':>6} {'jobs':>4} {'seconds':>8} {'pairs/s':>8} {'peak MB':>8}"
          f" {'load':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            corpus = Path(tmp) / f"corpus-{n}.jsonl"
            write_corpus(corpus, n, direction=args.direction)
            for profile in args.profiles:
                for spec in args.runs:
                    engine, jobs = spec.split(":")
                    out = Path(tmp) / "out.jsonl"
                    r = run(corpus, out, engine, int(jobs), profile, args.direction, args.only, args.disable)
                    lines = sum(1 for _ in out.open(encoding="utf-8"))
                    assert lines == n, f"{lines} output lines for {n} pairs"
                    label = f"only:{args.only}" if args.only else f"-{args.disable}" if args.disable else profile
                    print(f"{n:>7} {args.direction:>5} {label:>7} {engine:>6} {jobs:>4} {r['seconds']:>8.1f} "
                          f"{n / r['seconds']:>8.0f} {r['peak_mb']:>8.0f} {os.getloadavg()[0]:>5.1f}", flush=True)


if __name__ == "__main__":
    main()
