"""Document language identification: fastText lite alone, seeded langdetect alone, and mtcheck's rule.

mtcheck lets fastText lite decide a long text when its probability reaches ``checker.langid.SURE``,
read whole or sentence by sentence (the share of letters in sentences it gives that language, weighted
by its probability), and asks langdetect (seeded; its 55 profiles take about half a second to load,
once per process) only for the rest. Documents are built from ``../shared/data`` (MLQE-PE dev sources and targets, WMT23
sources and translations): 2-20 random sentences of one language, at least 200 characters. Prints,
per threshold, how many documents fastText alone decides and how many of those it gets wrong; then
the accuracy of each detector and of the rule, per language; then how often the rule needs langdetect,
and its load time.

    python bench/langid.py            # 300 documents a language
    python bench/langid.py --docs 50
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
LOAD = "import time; t = time.perf_counter(); from checker import langid; langid._langdetect_factory(); " \
       "print(time.perf_counter() - t)"


def sentences() -> dict[str, list[str]]:
    """Sentences by language from MLQE-PE dev and WMT23 (read at run time, never copied)."""
    from checker.qe.corpora import read_jsonl

    by: dict[str, list[str]] = {}
    files = [("mlqe_pe_dev.jsonl", None), ("wmt23_general_mqm_ende.jsonl", "en-de"), ("wmt23_general_mqm_zhen.jsonl", "zh-en")]
    for name, pair in files:
        for row in read_jsonl(DATA / name):
            src, tgt = (pair or row["pair"]).split("-")
            by.setdefault(src, []).append(row["source"])
            by.setdefault(tgt, []).append(row["target"])
    return by


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=300, help="documents tried per language (default 300)")
    args = ap.parse_args()
    if not (DATA / "mlqe_pe_dev.jsonl").is_file():
        print(f"needs {DATA} (MLQE-PE and WMT23 files): skipped")
        return 0
    from checker import langid

    rng = random.Random(0)
    rows = []  # (language, fastText's (language, probability), langdetect's language, the rule's language, vote)
    for lang, sents in sorted(sentences().items()):
        for _ in range(args.docs):
            text = " ".join(rng.sample(sents, min(len(sents), rng.choice([2, 3, 5, 10, 20]))))
            if len(text) < 200:
                continue
            fast = langid._fasttext(text[:5000])
            slow = langid._langdetect(text[:5000])
            rows.append((lang, fast[0] if fast else ("", 0.0), slow[0][0] if slow else "",
                         langid.detect_language(text)[0], langid._sentence_vote(text[:5000])))
    print(f"{len(rows)} documents of 2-20 sentences (>= 200 characters), {len({r[0] for r in rows})} languages")
    print("\nfastText alone, from a probability of: documents it decides, of them wrong")
    for th in (0.5, 0.6, 0.7, 0.8, 0.9):
        decided = [r for r in rows if r[1][1] >= th]
        print(f"  {th:.1f}: {len(decided):5d} ({len(decided) / len(rows):.0%}), wrong {sum(r[1][0] != r[0] for r in decided)}"
              + ("   <- mtcheck's SURE" if th == langid.SURE else ""))
    print("\nper language: documents, wrong with fastText alone / langdetect alone / mtcheck's rule")
    for lang in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == lang]
        wrong = Counter()
        for r in mine:
            wrong["fast"] += r[1][0] != lang
            wrong["slow"] += r[2] != lang
            wrong["rule"] += r[3] != lang
        print(f"  {lang}: {len(mine):4d}  {wrong['fast']:3d} / {wrong['slow']:3d} / {wrong['rule']:3d}")
    sure = sum(r[1][1] >= langid.SURE or r[4][1] >= langid.SURE for r in rows)
    voted = [r for r in rows if r[1][1] < langid.SURE and r[4][1] >= langid.SURE]
    print(f"\nsentence vote: decides {len(voted)} more ({len(voted) / len(rows):.0%}), wrong "
          f"{sum(r[4][0] != r[0] for r in voted)}")
    load = float(subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True, check=True,
                                cwd=ROOT).stdout.split()[-1])
    print(f"langdetect's profiles load in {load:.2f} s (new process): the rule skips it for {sure / len(rows):.0%} "
          "of these documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
