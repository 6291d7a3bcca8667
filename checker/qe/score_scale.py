"""From network outputs to the 0-100 score people read, fitted on validation data.

The score is the network's sentence heads mixed (``head_weights``, standardised
units) and mapped monotonically onto the mean direct assessment (DA, 0-100) that
MLQE-PE's raters gave translations with that mix: a segment scored 70 is one
raters scored about 70 on average. The map is an isotonic regression, stored as
knots for ``numpy.interp``.

The MLQE-PE rating guidelines describe the DA scale: 0-10 incorrect or
nonsense; 11-29 a few correct keywords, but the overall meaning differs from the
source; 30-50 major mistakes; 51-69 understandable, generally the same meaning
as the source, some errors; 70-90 closely preserves the meaning, a few grammar
mistakes; 91-100 perfect or near perfect.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .metrics import best_threshold, kendall, kendall_within, pearson

#: validation groups (knots) of the 0-100 scale
KNOTS = 20


def strict_knots(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    """Knots with no flat stretch: each run of equal ``ys`` (groups the isotonic fit pooled) becomes one knot
    at the mean of its ``xs``, so the linear map between knots is strictly increasing and no two
    different head values tie on the 0-100 scale."""
    out_x: list[float] = []
    out_y: list[float] = []
    run: list[float] = []
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        run.append(float(x))
        if i + 1 == len(ys) or ys[i + 1] != y:
            out_x.append(sum(run) / len(run))
            out_y.append(float(y))
            run = []
    return out_x, out_y


def fit_scale(z: Sequence[float], da_mean: Sequence[float], bins: int = KNOTS) -> tuple[list[float], list[float]]:
    """Increasing knots mapping the head mix ``z`` to expected DA (0-100).

    The validation segments are cut into ``bins`` groups of equal size by ``z``; each knot is
    a group's median ``z`` and its raters' mean DA, with adjacent groups pooled where the
    means would decrease (isotonic regression on the groups). Between knots the map is
    linear and pooled groups are one knot (:func:`strict_knots`), so two different translations
    never tie; one knot beyond each end, 5 points further on, lets scores reach past the
    validation range.
    """
    from sklearn.isotonic import IsotonicRegression

    z_a, y = np.asarray(z, float), np.asarray(da_mean, float)
    order = np.argsort(z_a)
    groups = [g for g in np.array_split(order, min(bins, len(order))) if len(g)]
    xs = np.array([np.median(z_a[g]) for g in groups])
    sizes = np.array([len(g) for g in groups], float)
    means = np.array([y[g].mean() for g in groups])
    ys = IsotonicRegression(increasing=True).fit(xs, means, sample_weight=sizes).predict(xs)
    xs, keep = np.unique(np.round(xs, 4), return_index=True)
    ys = ys[keep]
    xs_l, ys_l = strict_knots(xs.tolist(), ys.tolist())
    xs, ys = np.array(xs_l), np.array(ys_l)
    span = float(xs[-1] - xs[0]) or 1.0
    xs = np.concatenate([[xs[0] - span], xs, [xs[-1] + span]])
    ys = np.concatenate([[max(0.0, ys[0] - 5.0)], ys, [min(100.0, ys[-1] + 5.0)]])
    ys = np.maximum.accumulate(np.clip(ys, 0.0, 100.0))
    xs_l, ys_l = strict_knots(xs.round(4).tolist(), ys.round(3).tolist())
    return [round(x, 4) for x in xs_l], ys_l


def choose_head_weights(heads: dict[str, np.ndarray], mlqe: dict[str, list[int]], wmt: dict[str, list[int]],
                        da: np.ndarray, mqm: np.ndarray, groups: Sequence[str]) -> tuple[dict[str, float], float]:
    """The mix of standardised heads that ranks both kinds of human judgement best on validation.

    Objective: mean Pearson with DA over MLQE pairs plus mean Kendall tau (overall
    and within source) over WMT pairs. ``hter`` enters negatively (lower is better).
    """
    best: tuple[float, dict[str, float]] = (-np.inf, {"da": 1.0})
    for w_mqm in (0.0, 0.25, 0.5, 1.0, 2.0):
        for w_hter in (0.0, 0.5, 1.0):
            w = {"da": 1.0, "mqm": w_mqm, "hter": -w_hter}
            z = sum(c * heads[h] for h, c in w.items() if h in heads)
            r = np.nanmean([pearson(z[i], da[i]) for i in mlqe.values()]) if mlqe else 0.0
            tau = np.nanmean([kendall(z[i], mqm[i]) + kendall_within([groups[k] for k in i], z[i], mqm[i])
                              for i in wmt.values()]) / 2 if wmt else 0.0
            obj = float(r + tau)
            if obj > best[0]:
                best = (obj, {k: v for k, v in w.items() if v})
    return best[1], best[0]


def word_threshold(probs: Sequence[float], gold: Sequence[bool]) -> tuple[float, float]:
    """The BAD-probability threshold with the best MCC on validation words."""
    return best_threshold(probs, gold)


def precision_threshold(probs: Sequence[float], gold: Sequence[bool], precision: float) -> float:
    """The lowest threshold whose flagged words are BAD at least ``precision`` of the time (1.0: none reach it)."""
    p = np.asarray(probs, float)
    g = np.asarray(gold, bool)
    order = np.argsort(-p)
    hits = np.cumsum(g[order])
    prec = hits / np.arange(1, len(p) + 1)
    ok = np.nonzero(prec >= precision)[0]
    ok = ok[ok >= 19]  # at least 20 flagged words, so one lucky word does not set it
    if not len(ok):
        return 1.0
    return float(p[order][ok[-1]])
