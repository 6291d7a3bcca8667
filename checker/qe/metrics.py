"""Agreement with human judgements: the figures the QE benchmark prints."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 3 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def mcc(pred: Sequence[bool], gold: Sequence[bool]) -> float:
    """Matthews correlation of binary BAD tags (the WMT QE word-level metric)."""
    p, g = np.asarray(pred, bool), np.asarray(gold, bool)
    tp = float(np.sum(p & g))
    tn = float(np.sum(~p & ~g))
    fp = float(np.sum(p & ~g))
    fn = float(np.sum(~p & g))
    den = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return float((tp * tn - fp * fn) / den) if den else 0.0


def best_threshold(probs: Sequence[float], gold: Sequence[bool], grid: Sequence[float] | None = None) -> tuple[float, float]:
    """The probability threshold with the highest MCC, and that MCC."""
    grid = grid if grid is not None else np.arange(0.05, 0.96, 0.025)
    probs_a = np.asarray(probs)
    scores = [(mcc(probs_a >= t, gold), float(t)) for t in grid]
    m, t = max(scores)
    return t, m


def kendall(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall tau-b (NaN when undefined)."""
    from scipy import stats  # here, not at the top: scipy.stats takes a second to import and scoring never needs it

    if len(x) < 2:
        return float("nan")
    tau = stats.kendalltau(x, y).statistic
    return float(tau) if tau == tau else float("nan")


def kendall_within(groups: Sequence[str], x: Sequence[float], y: Sequence[float]) -> float:
    """Mean Kendall tau over groups (e.g. the systems' translations of one source), ignoring undefined ones."""
    by: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by[g].append(i)
    xa, ya = np.asarray(x, float), np.asarray(y, float)
    taus = [kendall(xa[i], ya[i]) for i in by.values() if len(i) > 1]
    taus = [t for t in taus if t == t]
    return float(np.mean(taus)) if taus else float("nan")


def span_f1(pred: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]) -> tuple[float, float, float]:
    """Character-level precision, recall and F1 of predicted spans against gold spans."""
    p = {c for s, e in pred for c in range(s, e)}
    g = {c for s, e in gold for c in range(s, e)}
    if not p and not g:
        return 1.0, 1.0, 1.0
    tp = len(p & g)
    prec = tp / len(p) if p else 0.0
    rec = tp / len(g) if g else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1
