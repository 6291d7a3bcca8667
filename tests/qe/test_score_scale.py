"""The 0-100 score scale: monotone, strictly increasing, and faithful to the raters' means."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from checker.qe.score_scale import fit_scale, precision_threshold, strict_knots


def test_pooled_groups_become_one_knot_so_no_two_head_values_tie():
    xs, ys = strict_knots([0.0, 1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 20.0, 20.0, 30.0])
    assert xs == [0.0, 2.0, 4.0] and ys == [10.0, 20.0, 30.0]
    assert np.interp(1.5, xs, ys) < np.interp(2.5, xs, ys)


def test_fitted_scale_is_strictly_increasing_and_tracks_the_raters():
    rng = np.random.default_rng(0)
    z = rng.normal(size=2000)
    da = np.clip(60 + 15 * z + rng.normal(scale=25, size=2000), 0, 100)
    xs, ys = fit_scale(z, da)
    assert all(b > a for a, b in pairwise(xs)) and all(b > a for a, b in pairwise(ys))
    top = z > np.quantile(z, 0.9)
    assert abs(np.interp(np.median(z[top]), xs, ys) - da[top].mean()) < 5  # a score means the raters' mean there


def test_precision_threshold_reaches_the_asked_precision():
    rng = np.random.default_rng(1)
    gold = rng.random(5000) < 0.3
    probs = np.where(gold, rng.beta(5, 2, 5000), rng.beta(2, 5, 5000))
    t = precision_threshold(probs, gold, 0.9)
    assert t < 1.0 and gold[probs >= t].mean() >= 0.9
