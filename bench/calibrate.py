"""Calibrate mtcheck's segment score on professional MQM ratings (WMT 2023, en-de and zh-en).

Reads ``<repo>/../shared/data/wmt23_general_mqm_{ende,zhen}.jsonl`` at run time (never copied),
computes the features of :mod:`checker.calibration` for every segment (cached in ``bench/.cache/``),
fits one ridge model per mode on out-of-fold splits by ``seg_id`` (no source sentence in both
train and test), prints held-out Kendall tau (overall and within item) and Major-span P/R/F1 next
to the baselines, then refits on all segments and writes ``checker/data/calibration.json``.

    python bench/calibrate.py --lm-only   # SmolLM2 surprisal of the zh-en targets (about 2.5 min on 2 cores in bf16; resumable)
    python bench/calibrate.py             # features (cached; about 6 min the first time), evaluation, parameters
    python bench/calibrate.py --no-write  # evaluate only

Without LM scores for at least ``LM_MIN_ROWS`` zh-en targets the LM variants are not fitted.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import math
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from checker import calibration as cal  # noqa: E402
from checker.scoring import count_words, score_from_penalty  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / "bench" / ".cache"
FILES = {"en-de": "wmt23_general_mqm_ende.jsonl", "zh-en": "wmt23_general_mqm_zhen.jsonl"}
FOLDS = 5
SEED = 0
ALPHAS = (0.1, 1.0, 10.0, 100.0, 1000.0)
SIMILARITY_VERSION = "cosine + clause minima, v1"
#: measured (see "ablation" in the output) but not in the shipped models: no held-out gain, ~0.1 s per pair to compute
UNSHIPPED = ("clause_min_src", "clause_min_tgt")
#: flag at most this share of segments (lowest predictions): flagging (nearly) all would match any span
FLAG_MAX_SHARE = 0.30
LM_BATCH = 64
#: the LM variants are fitted only when at least this many zh-en targets have LM scores
LM_MIN_ROWS = 1000
REFRESH_FINDINGS = "--refresh-findings" in sys.argv
_REFRESHED: set[str] = set()


# -- data and caches ----------------------------------------------------------------------------
def load_rows(pair: str) -> list[dict[str, Any]]:
    path = DATA / FILES[pair]
    if not path.is_file():
        sys.exit(f"calibrate: {path} not found (the MQM data lives in <repo>/../shared/data)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def file_hash(*paths: Path) -> str:
    h = hashlib.sha1()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def cached(name: str, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` stored in ``bench/.cache/name.json`` and reused while ``key`` matches."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.json"
    if path.is_file():
        stored = json.loads(path.read_text())
        if stored.get("key") == key:
            return stored["value"]
    t = time.perf_counter()
    value = compute()
    print(f"  computed {name} in {time.perf_counter() - t:.1f} s", flush=True)
    path.write_text(json.dumps({"key": key, "value": value}))
    return value


def data_key(pair: str) -> str:
    return file_hash(DATA / FILES[pair])


def item_order(rows: list[dict[str, Any]]) -> list[int]:
    """Row indices, whole items (all systems of one seg_id) together, items in a seeded random order."""
    items = sorted({r["seg_id"] for r in rows})
    rank = {g: k for k, g in enumerate(np.random.default_rng(SEED).permutation(items).tolist())}
    return sorted(range(len(rows)), key=lambda i: (rank[rows[i]["seg_id"]], i))


def lm_surprisals(pair: str, rows: list[dict[str, Any]], compute: bool = True,
                  max_rows: int | None = None) -> list[dict[str, Any] | None]:
    """Token surprisals of every target, appended batch by batch to a resumable cache.

    Items are scored in a seeded random order, so a partly filled cache is a random sample of whole
    items; ``max_rows`` caps the cache (a compute budget); with ``compute=False`` the missing rows are None.
    """
    from checker import lm

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"lm_{pair}_{data_key(pair)}.jsonl"
    done: dict[int, dict[str, Any]] = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            if line.strip():
                rec = json.loads(line)
                done[rec["i"]] = rec
    order = item_order(rows)
    todo = [i for i in (order if max_rows is None else order[:max_rows]) if i not in done]
    if todo and compute:
        t = time.perf_counter()
        model = lm.get_model()
        print(f"  LM loaded in {model.load_seconds:.1f} s; {len(todo)} targets to score", flush=True)
        with path.open("a") as out:
            for b in range(0, len(todo), LM_BATCH):
                idx = todo[b:b + LM_BATCH]
                for i, ts in zip(idx, lm.token_surprisals([rows[i]["target"] for i in idx], model), strict=True):
                    rec = {"i": i, "s": [round(x, 3) for x in ts.surprisals], "o": ts.offsets}
                    out.write(json.dumps(rec) + "\n")
                    done[i] = rec
                out.flush()
                print(f"  LM {pair}: {b + len(idx)}/{len(todo)} ({time.perf_counter() - t:.0f} s)", flush=True)
    return [done.get(i) for i in range(len(rows))]


def as_surprisal(rec: dict[str, Any], text: str) -> Any:
    from checker.lm import TokenSurprisal

    return TokenSurprisal(text, [""] * len(rec["s"]), [tuple(o) for o in rec["o"]], rec["s"])


def similarity_rows(pair: str, rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    def compute() -> list[dict[str, float]]:
        from checker.embeddings import crosslingual_encoder

        return cal.similarity_features([r["source"] for r in rows], [r["target"] for r in rows], crosslingual_encoder())

    # keyed on the clause splitter and the similarity definitions (bump SIMILARITY_VERSION when they change)
    code = inspect.getsource(cal.clauses) + SIMILARITY_VERSION
    key = f"{data_key(pair)}-{hashlib.sha1(code.encode()).hexdigest()[:12]}"
    return cached(f"similarity_{pair}", key, compute)


def word_rows(pair: str, rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    tgt = pair.split("-")[1]
    code = inspect.getsource(cal.word_features) + str(cal.RARE_ZIPF)
    key = f"{data_key(pair)}-{hashlib.sha1(code.encode()).hexdigest()[:12]}"
    return cached(f"words_{pair}", key, lambda: [cal.word_features(r["target"], tgt) for r in rows])


def finding_rows(pair: str, rows: list[dict[str, Any]], with_source: bool) -> list[list[dict[str, Any]]]:
    """Findings of the model-free checks per row (segment-relative offsets), from ``check_pairs``.

    Each system's translation of each document is checked as one document, as a user would check it
    (checking all systems together would make document-level checks such as ``consistency`` compare
    different systems' translations of the same sentence)."""
    def compute() -> list[list[dict[str, Any]]]:
        from checker import check_pairs
        from checker.selection import all_checks

        heavy = [cid for cid, cls in all_checks().items() if cls.requires is not None]
        src, tgt = pair.split("-")
        docs: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            docs[(r["system"], r["doc"])].append(i)
        out: list[list[dict[str, Any]]] = [[] for _ in rows]
        for idx in docs.values():
            pairs = [(rows[i]["source"] if with_source else None, rows[i]["target"]) for i in idx]
            report = check_pairs(pairs, src_lang=src if with_source else None, tgt_lang=tgt, disable=heavy)
            for f in report.findings:
                d = {"check": f.check, "category": f.category, "severity": f.severity, "confidence": f.confidence,
                     "side": f.side, "start": f.start, "end": f.end}
                if f.side == "target":
                    seg = report.segments[f.segment]
                    d["start"], d["end"] = f.start - seg.start, f.end - seg.start
                out[idx[f.segment]].append(d)
        return out

    from checker.selection import all_checks

    # keyed on the data and the set of checks: checks change under active development, so a
    # snapshot is reused until `--refresh-findings` (or a check is added or removed)
    key = f"per-doc-{data_key(pair)}-{hashlib.sha1(' '.join(all_checks()).encode()).hexdigest()[:12]}"
    name = f"findings_{pair}_{'pair' if with_source else 'target'}"
    if REFRESH_FINDINGS and name not in _REFRESHED:
        _REFRESHED.add(name)
        (CACHE / f"{name}.json").unlink(missing_ok=True)
    return cached(name, key, compute)


def as_findings(items: list[dict[str, Any]]) -> list[Any]:
    from checker.values import Finding

    return [Finding(check=d["check"], category=d["category"], severity=d["severity"], start=0, end=0, text="",
                    message="", confidence=d["confidence"], side=d["side"]) for d in items]


# -- features per mode --------------------------------------------------------------------------
def expected_ratios(data: dict[str, list[dict[str, Any]]]) -> dict[str, float]:
    """Mean log length ratio (target/source characters) of each pair's human-preferred translations."""
    out = {}
    for pair, rows in data.items():
        best = [r for r in rows if r["mqm"] >= -1.0]
        out["cjk_source" if pair == "zh-en" else "same_script"] = float(
            np.mean([math.log((len(r["target"]) + 1) / (len(r["source"]) + 1)) for r in best]))
    return out


def feature_table(pair: str, rows: list[dict[str, Any]], mode: str, ratios: dict[str, float],
                  use_lm: bool) -> tuple[list[int], list[dict[str, float]], list[list[Any]]]:
    """Feature rows for ``mode``: the row indices used (those with LM scores when the LM is used),
    their features and the findings behind them."""
    with_source = MODE_SPECS[mode][1]
    raw = finding_rows(pair, rows, with_source)
    sims = similarity_rows(pair, rows) if with_source else None
    lms = lm_surprisals(pair, rows, compute=False) if use_lm else None
    used = [i for i in range(len(rows)) if lms is None or lms[i] is not None]
    words = word_rows(pair, rows)
    table, found = [], []
    for i in used:
        r = rows[i]
        found.append(as_findings(raw[i]))
        src = r["source"] if with_source else None
        feats = cal.length_features(src, r["target"], cal.expected_log_ratio(src, r["target"], ratios))
        feats.update(cal.finding_features(found[-1], count_words(r["target"]), cal.counted_checks()))
        feats.update(words[i])
        if sims is not None:
            feats.update(sims[i])
        if lms is not None:
            feats.update(cal.lm_features(as_surprisal(lms[i], r["target"])))
        table.append(feats)
    return used, table, found


# -- model fitting ------------------------------------------------------------------------------
def folds(groups: list[Any]) -> np.ndarray:
    """Fold of each row: seg_ids shuffled with a fixed seed, dealt into FOLDS folds."""
    uniq = sorted(set(groups), key=str)
    order = np.random.default_rng(SEED).permutation(len(uniq))
    fold_of = {g: int(k % FOLDS) for g, k in zip(uniq, order, strict=True)}
    return np.array([fold_of[g] for g in groups])


def to_target(mqm: np.ndarray, kind: str) -> np.ndarray:
    return -np.log1p(-mqm) if kind == "log" else mqm


def fit(table: list[dict[str, float]], names: list[str], mqm: np.ndarray, kind: str, extra: dict[str, Any],
        groups: list[Any] | None = None, item_features: tuple[str, ...] = ()) -> cal.LinearModel:
    """Ridge on standardised features.

    With ``groups`` (two-stage, still one linear model): the coefficients of the features other than
    ``item_features`` are fitted within items (each item's means subtracted: how translations of one
    source differ), then ``item_features`` and the intercept are fitted on what that leaves.
    """
    from sklearn.linear_model import RidgeCV

    x = np.array([[r[n] for n in names] for r in table])
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    z, y = (x - means) / scales, to_target(mqm, kind)
    if groups is None:
        ridge = RidgeCV(alphas=ALPHAS).fit(z, y)
        return cal.LinearModel(names, means.tolist(), scales.tolist(), ridge.coef_.tolist(), float(ridge.intercept_),
                               kind, **extra)
    within = [i for i, n in enumerate(names) if n not in item_features]
    item = [i for i, n in enumerate(names) if n in item_features]
    index: dict[Any, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        index[g].append(i)
    zd, yd = z[:, within].copy(), y.copy()
    for idx in index.values():
        zd[idx] -= zd[idx].mean(axis=0)
        yd[idx] -= yd[idx].mean()
    b = RidgeCV(alphas=ALPHAS, fit_intercept=False).fit(zd, yd).coef_
    rest = y - z[:, within] @ b
    stage2 = RidgeCV(alphas=ALPHAS).fit(z[:, item], rest) if item else None
    coefs = np.zeros(len(names))
    coefs[within] = b
    if stage2 is not None:
        coefs[item] = stage2.coef_
    intercept = float(stage2.intercept_) if stage2 is not None else float(rest.mean())
    return cal.LinearModel(names, means.tolist(), scales.tolist(), coefs.tolist(), intercept, kind, **extra)


def fit_how(table, names, mqm, kind, extra, groups, item_features, how: str) -> cal.LinearModel:
    """``how``: "plain" ridge, "two-stage" (see :func:`fit`), or "blend": the mean of the two (still linear)."""
    if how == "plain":
        return fit(table, names, mqm, kind, extra)
    two = fit(table, names, mqm, kind, extra, groups, item_features)
    if how == "two-stage":
        return two
    one = fit(table, names, mqm, kind, extra)
    two.coefs = [(a + b) / 2 for a, b in zip(one.coefs, two.coefs, strict=True)]
    two.intercept = (one.intercept + two.intercept) / 2
    return two


def out_of_fold(table, names, mqm, fold, kind, extra, groups, item_features, how) -> np.ndarray:
    pred = np.zeros(len(table))
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        g = [x for x, m in zip(groups, train, strict=True) if m]
        model = fit_how([t for t, m in zip(table, train, strict=True) if m], names, mqm[train], kind, extra, g,
                        item_features, how)
        pred[test] = model.predict([t for t, m in zip(table, test, strict=True) if m])
    return pred


def hgb_out_of_fold(table, names, mqm, fold) -> np.ndarray:
    from sklearn.ensemble import HistGradientBoostingRegressor

    x = np.array([[r[n] for n in names] for r in table])
    pred = np.zeros(len(table))
    for k in range(FOLDS):
        m = HistGradientBoostingRegressor(max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=SEED)
        pred[fold == k] = m.fit(x[fold != k], mqm[fold != k]).predict(x[fold == k])
    return pred


# -- metrics ------------------------------------------------------------------------------------
def taus(score: np.ndarray, mqm: np.ndarray, groups: list[Any]) -> tuple[float, float]:
    """Kendall tau over all segments, and the mean of per-item taus (items with any variation)."""
    from scipy.stats import kendalltau

    overall = float(kendalltau(score, mqm).statistic)
    by: dict[Any, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by[g].append(i)
    within = []
    for idx in by.values():
        t = kendalltau(score[idx], mqm[idx]).statistic
        if not math.isnan(t):
            within.append(t)
    return overall, float(np.mean(within)) if within else float("nan")


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def span_prf(pred: list[list[tuple[int, int]]], gold: list[list[tuple[int, int]]]) -> tuple[float, float, float, int]:
    """Span-level P/R/F1 by character overlap: a predicted span is right when it overlaps a gold span."""
    tp_p = sum(any(overlaps(p, g) for g in gs) for ps, gs in zip(pred, gold, strict=True) for p in ps)
    n_p = sum(len(ps) for ps in pred)
    tp_g = sum(any(overlaps(g, p) for p in ps) for ps, gs in zip(pred, gold, strict=True) for g in gs)
    n_g = sum(len(gs) for gs in gold)
    p = tp_p / n_p if n_p else 0.0
    r = tp_g / n_g if n_g else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), n_p


def gold_spans(row: dict[str, Any], majors_only: bool) -> list[tuple[int, int]]:
    spans = {tuple(e["span"]) for e in row["errors"]
             if e["span"] and e["span"][1] > e["span"][0] and (e["severity"] == "Major" or not majors_only)}
    return sorted(spans)


def with_flags(pred: np.ndarray, below: float, heur: list[list[tuple[int, int]]],
               lens: list[int]) -> list[list[tuple[int, int]]]:
    """Finding spans once ``predicted-quality`` flags every segment predicted at or below ``below`` (whole target)."""
    return [h + ([(0, n)] if p <= below else []) for p, h, n in zip(pred, heur, lens, strict=True)]


def best_threshold(pred: np.ndarray, heur: list[list[tuple[int, int]]], gold: list[list[tuple[int, int]]],
                   lens: list[int]) -> float:
    """The predicted-MQM threshold (a quantile from 2% to ``FLAG_MAX_SHARE``) that maximises Major-span F1 of all
    findings; -inf (no flags) when none improves on the heuristic findings alone."""
    best, best_f1 = -math.inf, span_prf(heur, gold)[2]
    for q in np.arange(0.02, FLAG_MAX_SHARE + 1e-9, 0.02):
        below = float(np.quantile(pred, q))
        f1 = span_prf(with_flags(pred, below, heur, lens), gold)[2]
        if f1 > best_f1:
            best, best_f1 = below, f1
    return best


def held_out_flags(table: list[dict[str, float]], fit_args: tuple, fold: np.ndarray, heur: list[list[tuple[int, int]]],
                   gold: list[list[tuple[int, int]]], lens: list[int]) -> tuple[dict[str, tuple[float, ...]], float]:
    """Major-span P/R/F1 on held-out folds: heuristic findings, segment flags, both. Each fold's threshold is
    chosen on its training folds (in-sample predictions), then applied to the held-out fold.

    Also returns the held-out precision of the flags alone (share of flagged segments with a Major error)."""
    flags: list[list[tuple[int, int]]] = [[] for _ in table]
    for k in range(FOLDS):
        train = [i for i in range(len(table)) if fold[i] != k]
        test = [i for i in range(len(table)) if fold[i] == k]
        model = fit_how([table[i] for i in train], fit_args[0], fit_args[1][train], *fit_args[2:4],
                        [fit_args[4][i] for i in train], *fit_args[5:])
        below = best_threshold(model.predict([table[i] for i in train]), [heur[i] for i in train],
                               [gold[i] for i in train], [lens[i] for i in train])
        for i, p in zip(test, model.predict([table[i] for i in test]), strict=True):
            flags[i] = [(0, lens[i])] if p <= below else []
    both = [h + f for h, f in zip(heur, flags, strict=True)]
    out = {"heuristic findings": span_prf(heur, gold), "predicted-quality flags": span_prf(flags, gold),
           "all findings (shipped)": span_prf(both, gold),
           "baseline: flag every segment": span_prf([[(0, n)] for n in lens], gold),
           "baseline: flag longest 30%": span_prf(with_flags(-np.array(lens, dtype=float), float(
               np.quantile(-np.array(lens, dtype=float), FLAG_MAX_SHARE)), [[] for _ in lens], lens), gold)}
    return out, out["predicted-quality flags"][0]


# -- the run ------------------------------------------------------------------------------------
MODE_SPECS = {
    # mode: (pairs it is fitted on, uses a source, uses the LM)
    "en-de": (("en-de",), True, False),
    "zh-en": (("zh-en",), True, False),
    "generic-pair": (("en-de", "zh-en"), True, False),
    "target-only": (("zh-en",), False, False),
    # with SmolLM2 surprisal, on the items the LM cache holds: shipped as the modes' "lm_variant"
    "zh-en +LM": (("zh-en",), True, True),
    "target-only +LM": (("zh-en",), False, True),
}


def evaluate_mode(mode: str, data: dict[str, list[dict[str, Any]]], ratios: dict[str, float]) -> dict[str, Any]:
    pairs, with_source, use_lm = MODE_SPECS[mode]
    rows, table, found, heur = [], [], [], []
    for pair in pairs:
        used, t, f = feature_table(pair, data[pair], mode, ratios, use_lm)
        rows += [data[pair][i] for i in used]
        table += t
        found += f
        spans = finding_spans(finding_rows(pair, data[pair], with_source))
        heur += [spans[i] for i in used]
    names = sorted(n for n in table[0] if n not in UNSHIPPED)
    mqm = np.array([r["mqm"] for r in rows])
    groups = [(r["doc"].split(":")[-1], r["seg_id"]) for r in rows]
    fold = folds(groups)
    needs = (("source", "embeddings") if with_source else ()) + (("lm",) if use_lm else ())
    extra = {"needs": needs}
    words = np.array([count_words(r["target"]) for r in rows])
    penalty_score = np.array([score_from_penalty(t["find_penalty"], int(w)) for t, w in zip(table, words, strict=True)])
    results: dict[str, Any] = {"mode": mode, "n": len(rows), "items": len(set(groups))}
    item_features = ("src_chars", "src_words") if with_source else ("tgt_chars", "tgt_words")
    best, best_tau, best_pred = ("mqm", "plain"), -2.0, None
    for kind in ("mqm", "log"):
        for how in ("plain", "two-stage", "blend"):
            pred = out_of_fold(table, names, mqm, fold, kind, extra, groups, item_features, how)
            t = taus(pred, mqm, groups)
            results[f"ridge[{kind}, {how}]"] = t
            if t[0] + t[1] > best_tau:
                best, best_tau, best_pred = (kind, how), t[0] + t[1], pred
    results["hgb"] = taus(hgb_out_of_fold(table, names, mqm, fold), mqm, groups)
    calibrated = np.array([cal.combine(cal.score_from_mqm(p), ps, f)
                           for p, ps, f in zip(best_pred, penalty_score, found, strict=True)])
    results["score: calibrated"] = taus(calibrated, mqm, groups)
    results["score: penalty (plain)"] = taus(penalty_score, mqm, groups)
    results["baseline: length"] = taus(-np.array([len(r["target"]) for r in rows], dtype=float), mqm, groups)
    if with_source:
        results["baseline: cosine"] = taus(np.array([t["similarity"] for t in table]), mqm, groups)
    if with_source:
        pred = out_of_fold(table, sorted(table[0]), mqm, fold, best[0], extra, groups, item_features, best[1])
        results["ablation: + clause-level similarity"] = taus(pred, mqm, groups)
    if use_lm:
        results["baseline: LM mean surprisal"] = taus(-np.array([t["lm_mean"] for t in table]), mqm, groups)
        no_lm = [n for n in names if not n.startswith("lm_")]
        pred = out_of_fold(table, no_lm, mqm, fold, best[0], extra, groups, item_features, best[1])
        results["same rows, without LM features"] = taus(pred, mqm, groups)
    results["model"] = fit_how(table, names, mqm, best[0], extra, groups, item_features, best[1])
    gold = [gold_spans(r, True) for r in rows]
    lens = [len(r["target"]) for r in rows]
    fit_args = (names, mqm, best[0], extra, groups, item_features, best[1])
    results["spans"], results["flag_precision"] = held_out_flags(table, fit_args, fold, heur, gold, lens)
    results["major_rate"] = float(np.mean([bool(g) for g in gold]))
    results["flag_below"] = best_threshold(results["model"].predict(table), heur, gold, lens)
    results["kind"] = ", ".join(best)
    results["pred"], results["rows"], results["found"] = best_pred, rows, found
    return results


def finding_spans(found_raw: list[list[dict[str, Any]]], check: str | None = None) -> list[list[tuple[int, int]]]:
    return [[(d["start"], d["end"]) for d in items if d["side"] == "target" and d["end"] > d["start"]
             and (check is None or d["check"] == check)] for items in found_raw]


def span_report(pair: str, rows: list[dict[str, Any]], with_source: bool) -> list[str]:
    raw = finding_rows(pair, rows, with_source)
    major = [gold_spans(r, True) for r in rows]
    anym = [gold_spans(r, False) for r in rows]
    lines = [f"Span overlap with human error spans, {pair} targets ({'with' if with_source else 'no'} source):",
             f"  {'finder':34} {'spans':>6} {'P(major)':>8} {'R(major)':>8} {'F1(major)':>9} {'P(any)':>7}"]
    checks = sorted({d["check"] for items in raw for d in items})
    candidates = [("all heuristic findings", finding_spans(raw))] + [(c, finding_spans(raw, c)) for c in checks]
    for name, spans in candidates:
        p, r, f1, n = span_prf(spans, major)
        pa = span_prf(spans, anym)[0]
        lines.append(f"  {name:34} {n:6d} {p:8.3f} {r:8.3f} {f1:9.3f} {pa:7.3f}")
    if pair == "zh-en" and not with_source:
        lms = lm_surprisals(pair, rows, compute=False)
        have = [i for i, rec in enumerate(lms) if rec is not None]
        for level in (cal.HIGH_SURPRISAL, 14.0):
            spans = [[tuple(o) for o, x in zip(lms[i]["o"], lms[i]["s"], strict=True) if x >= level and o[1] > o[0]]
                     for i in have]
            p, r, f1, n = span_prf(spans, [major[i] for i in have])
            pa = span_prf(spans, [anym[i] for i in have])[0]
            lines.append(f"  {f'LM token >= {level:g} nats':34} {n:6d} {p:8.3f} {r:8.3f} {f1:9.3f} {pa:7.3f}"
                         f"  ({len(have)} targets scored)")
    return lines


def print_mode(res: dict[str, Any]) -> None:
    """Taus, coefficients and held-out Major-span figures of one evaluated mode."""
    print(f"  {res['n']} segments, {res['items']} items, {FOLDS}-fold by seg_id; ridge target: {res['kind']}")
    print(f"  {'score':34} {'tau':>7} {'tau within item':>16}")
    for k, v in res.items():
        if isinstance(v, tuple):
            print(f"  {k:34} {v[0]:7.3f} {v[1]:16.3f}")
    m: cal.LinearModel = res["model"]
    coefs = sorted(zip(m.features, m.coefs, strict=True), key=lambda x: -abs(x[1]))
    print("  coefficients (standardised): " + ", ".join(f"{n} {c:+.3f}" for n, c in coefs))
    print(f"  Major-span overlap, held out; flags: predicted MQM <= a threshold fitted on the training folds "
          f"(shipped: {res['flag_below']:.2f}, at most the lowest {FLAG_MAX_SHARE:.0%})")
    print(f"  {'findings':34} {'P':>7} {'R':>7} {'F1':>7} {'spans':>6}")
    for k, (p, r, f1, n) in res["spans"].items():
        print(f"  {k:34} {p:7.3f} {r:7.3f} {f1:7.3f} {n:6d}")


def shipped(res: dict[str, Any]) -> dict[str, Any]:
    """The parameters of one mode as written to calibration.json, with its held-out figures."""
    return res["model"].to_dict() | {
        "flag_below": round(res["flag_below"], 4), "flag_precision": round(res["flag_precision"], 4),
        "major_rate": round(res["major_rate"], 4),
        "held_out": {k: [round(v[0], 4), round(v[1], 4)] for k, v in res.items() if isinstance(v, tuple)},
        "spans_held_out": {k: [round(x, 4) for x in v[:3]] for k, v in res["spans"].items()}}


def summary(results: dict[str, dict[str, Any]]) -> list[str]:
    """A markdown table of the headline figures (held out) of every mode."""
    lines = ["| mode | segments | calibrated tau / within | penalty score | length | cosine | Major-span P / R / F1 "
             "(all findings) | heuristic findings F1 | flag every segment F1 |", "|" + "---|" * 9]
    for mode, r in results.items():
        def t(key: str, r: dict[str, Any] = r) -> str:
            return f"{r[key][0]:.3f} / {r[key][1]:.3f}" if key in r else "-"
        sp = r["spans"]
        p, rec, f1, _ = sp["all findings (shipped)"]
        lines.append(f"| {mode} | {r['n']} | {t('score: calibrated')} | {t('score: penalty (plain)')} | "
                     f"{t('baseline: length')} | {t('baseline: cosine')} | {p:.3f} / {rec:.3f} / {f1:.3f} | "
                     f"{sp['heuristic findings'][2]:.3f} | {sp['baseline: flag every segment'][2]:.3f} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true", help="evaluate only; do not write checker/data/calibration.json")
    ap.add_argument("--lm-only", action="store_true", help="only fill the LM surprisal cache")
    ap.add_argument("--lm-rows", type=int, default=None, metavar="N",
                    help="with --lm-only: score at most the first N zh-en targets (whole items, seeded order)")
    ap.add_argument("--refresh-findings", action="store_true", help="re-run the heuristic checks (else cached)")
    ap.add_argument("--per-check", action="store_true", help="also print span overlap of every heuristic check")
    args = ap.parse_args()
    t0 = time.perf_counter()
    data = {pair: load_rows(pair) for pair in FILES}
    if args.lm_only:
        lm_surprisals("zh-en", data["zh-en"], max_rows=args.lm_rows)
        return
    ratios = expected_ratios(data)
    out: dict[str, Any] = {
        "version": 2, "data": "WMT23 general MQM (google/wmt-mqm-human-evaluation): en-de 1,040 and zh-en 3,770 segments",
        "length_ratios": ratios, "score_scale": cal.SCALE, "modes": {}}
    results = {}
    for mode in cal.MODES:
        print(f"== {mode}", flush=True)
        results[mode] = res = evaluate_mode(mode, data, ratios)
        print_mode(res)
        out["modes"][mode] = shipped(res)
    lm_rows = sum(rec is not None for rec in lm_surprisals("zh-en", data["zh-en"], compute=False))
    if lm_rows < LM_MIN_ROWS:
        print(f"LM variants skipped: {lm_rows} zh-en targets have LM scores (fill the cache with --lm-only)")
    for mode in ("zh-en +LM", "target-only +LM") if lm_rows >= LM_MIN_ROWS else ():
        print(f"== {mode}: used when the LM already ran in the report (lm-fluency)", flush=True)
        results[mode] = res = evaluate_mode(mode, data, ratios)
        print_mode(res)
        out["modes"][mode.split(" ")[0]]["lm_variant"] = shipped(res)
    if args.per_check:
        for pair, with_source in (("en-de", True), ("zh-en", True), ("zh-en", False)):
            print("\n".join(span_report(pair, data[pair], with_source)))
    print("\n".join(summary(results)))
    if not args.no_write:
        path = cal.PARAMS_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=1) + "\n")
        print(f"wrote {path.relative_to(ROOT)}")
    print(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
