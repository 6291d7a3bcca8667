"""Run every benchmark in turn and print its figures (``make bench``).

    python bench/run_all.py                 # the quick set: surface checks, language id, fluency, adequacy, formats,
                                            # corpus, engines
    python bench/run_all.py --with-calibration   # also refit/evaluate the MQM calibration (needs ../shared/data)
    python bench/run_all.py --with-coverage      # also the encoders' language coverage on MLQE-PE (~15 min)
    python bench/run_all.py --with-qe            # also the learned quality model against human judgements (~20 min)
    python bench/run_all.py --only synthetic fluency

Each benchmark is a script of its own in ``bench/`` and can be run alone with its own options
(see its docstring). Benchmarks that read ``../shared/data`` skip those parts when it is absent.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: name -> arguments; the default run keeps each benchmark to a few minutes on 2 cores
BENCHES: dict[str, list[str]] = {
    "synthetic": [],
    "langid": [],
    "fluency": [],
    "adequacy": [],
    "formats": [],
    "corpus": [],
    "engines": ["--pairs", "5000", "--repeat", "1"],
}
#: run only when asked (--with-calibration, --with-coverage, --with-qe or --only)
OPTIONAL: dict[str, list[str]] = {"calibrate": ["--no-write"], "coverage": [], "qe": []}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[*BENCHES, *OPTIONAL], help="run only these benchmarks")
    parser.add_argument("--with-calibration", action="store_true", help="also run bench/calibrate.py --no-write")
    parser.add_argument("--with-coverage", action="store_true", help="also run bench/coverage.py (e5 is slow)")
    parser.add_argument("--with-qe", action="store_true", help="also run bench/qe.py (needs ../shared/data)")
    args = parser.parse_args(argv)
    names = args.only or [*BENCHES, *(["calibrate"] if args.with_calibration else []),
                          *(["coverage"] if args.with_coverage else []), *(["qe"] if args.with_qe else [])]
    failed = []
    for name in names:
        extra = BENCHES[name] if name in BENCHES else OPTIONAL[name]
        print(f"\n===== bench/{name}.py {' '.join(extra)}".rstrip(), flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(HERE / f"{name}.py"), *extra])
        print(f"===== {name}: exit {rc}, {time.perf_counter() - t0:.0f} s", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
