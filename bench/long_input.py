"""Time and peak memory of `mtcheck check` on very long inputs: a long text, and one enormous line in each format.

    python bench/long_input.py                       # a 20 MB text, and a 50 MB single line as txt, PO, SRT, JSONL
    python bench/long_input.py --text-mb 5 --line-mb 10 --kinds txt,jsonl --profile fast

Each case is one whole `mtcheck check FILE --format json -o OUT` process (default checks unless --profile fast);
the inputs are the sample article repeated (paragraphs for the text, one line for the rest). Prints, per case:
seconds, CPU seconds (on a busy machine the figure that does not depend on the others' load), peak resident
memory (sampled every 0.2 s), exit status, and the notes the report gives on what the checks left out or read in
pieces. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "mt_news_article_en.txt"


def write_inputs(folder: Path, text_mb: float, line_mb: float, kinds: list[str]) -> list[tuple[str, Path]]:
    article = SAMPLE.read_text(encoding="utf-8")
    cases = []
    if text_mb:
        n = int(text_mb * 1e6)
        path = folder / "long.txt"
        path.write_text(((article + "\n") * (n // (len(article) + 1) + 1))[:n], encoding="utf-8")
        cases.append((f"text {text_mb:g} MB (paragraphs)", path))
    line = " ".join(article.split()) + " "
    n = int(line_mb * 1e6)
    one = (line * (n // len(line) + 1))[:n].strip()
    for kind in kinds:
        path = folder / f"line.{kind}"
        if kind == "txt":
            path.write_text(one + "\n", encoding="utf-8")
        elif kind == "jsonl":
            path.write_text(json.dumps({"id": "1", "target": one}, ensure_ascii=False) + "\n", encoding="utf-8")
        elif kind == "po":
            path.write_text('msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "Source."\nmsgstr "'
                            + one.replace("\\", "\\\\").replace('"', '\\"') + '"\n', encoding="utf-8")
        elif kind == "srt":
            path.write_text("1\n00:00:01,000 --> 00:00:05,000\n" + one + "\n", encoding="utf-8")
        else:
            raise SystemExit(f"unknown kind {kind}")
        cases.append((f"one {line_mb:g} MB line, {kind}", path))
    return cases


def run(path: Path, out: Path, profile: str, timeout: float) -> tuple[float, float, float, int]:
    """(seconds, CPU seconds, peak resident MB sampled every 0.2 s, exit status) of one check run."""
    import resource

    import psutil

    used = resource.getrusage(resource.RUSAGE_CHILDREN)

    cmd = [sys.executable, "-m", "checker", "check", str(path), "--format", "json", "-o", str(out), "--quiet",
           "--tgt-lang", "en", "--profile", profile]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    watched = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss + sum(c.memory_info().rss for c in watched.children(True)))
        except psutil.Error:
            pass
        if time.perf_counter() - t > timeout:
            proc.kill()
        time.sleep(0.2)
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode:
        print(err.strip()[-500:], file=sys.stderr)
    seconds = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
    return seconds, cpu, peak / 2**20, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--text-mb", type=float, default=20)
    ap.add_argument("--line-mb", type=float, default=50)
    ap.add_argument("--kinds", default="txt,po,srt,jsonl")
    ap.add_argument("--profile", choices=("full", "fast"), default="full")
    ap.add_argument("--timeout", type=float, default=3600)
    args = ap.parse_args()
    kinds = [k for k in args.kinds.split(",") if k] if args.line_mb else []
    with tempfile.TemporaryDirectory(prefix="mtcheck-long-") as tmp:
        folder = Path(tmp)
        for label, path in write_inputs(folder, args.text_mb, args.line_mb, kinds):
            out = folder / "report.json"
            seconds, cpu, peak, code = run(path, out, args.profile, args.timeout)
            notes = []
            if code == 0:
                report = json.loads(out.read_text(encoding="utf-8"))
                notes = [e for e in report["errors"] if " read " in e or " skipped " in e or "cut into sentences" in e]
                out.unlink()
            print(f"{label}: {seconds:.0f} s ({cpu:.0f} s of CPU), peak {peak:.0f} MB, exit {code}, "
                  f"{len(notes)} note(s)", flush=True)
            for note in notes:
                print(f"    {note[:200]}", flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
