"""A fluency term for English targets: the language model's mean word excess, added to the learned score.

The quality models read a sentence through a sentence encoder; SmolLM2 (:mod:`checker.lm`) reads it word by
word and says how much less likely each word is in its context than its frequency predicts (its *excess*,
:mod:`checker.word_surprisal`). A fluent post-edit has a lower mean excess than its raw MT in most pairs, and
that signal is partly independent of the encoders'. So, for an English target, the learned score becomes::

    score - weight[mode] * (mean_excess - mean) / sd        (clipped to 0-100)

with ``mean``/``sd`` the feature's spread on the validation slice's English targets and one ``weight`` per
mode (with the source / target only), chosen on the validation slice by the sum of Pearson r with DA,
post-edit wins and within-source Kendall tau (:func:`fit_lm_term`, run by ``make train``). It is saved as
``lm_term.json`` beside the models; a folder without it gets no term.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

LM_TERM_FILE = "lm_term.json"
#: the weights tried per mode (score points per standard deviation of the mean excess)
WEIGHTS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)


@dataclass
class LmTerm:
    """The fitted term: the feature's centre and spread, and a weight per mode (``source`` / ``target``)."""

    mean: float
    sd: float
    weights: dict[str, float]
    #: which language model's surprisals it was fitted on (another model's would be on another scale)
    lm: str = ""
    figures: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> LmTerm | None:
        path = Path(folder) / LM_TERM_FILE
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: data[k] for k in ("mean", "sd", "weights", "lm", "figures") if k in data})

    def save(self, folder: Path) -> None:
        (Path(folder) / LM_TERM_FILE).write_text(json.dumps(asdict(self), indent=1, sort_keys=True) + "\n",
                                                 encoding="utf-8")

    def adjust(self, score: float, excess: float | None, with_source: bool) -> float:
        """``score`` with the term added (unchanged without an ``excess``)."""
        weight = self.weights.get("source" if with_source else "target", 0.0)
        if excess is None or not weight or self.sd <= 0:
            return score
        return float(np.clip(score - weight * (excess - self.mean) / self.sd, 0.0, 100.0))


def excesses(texts: Sequence[str], known: dict | None = None) -> list[float | None]:
    """The mean word excess of each text under the packaged language model (:func:`checker.word_surprisal.mean_excess`).

    ``known`` maps texts to :class:`checker.lm.TokenSurprisal` already computed (``lm-fluency`` fills such a
    cache in a run); it is read and filled.
    """
    from ..lm import known_surprisals
    from ..word_surprisal import mean_excess

    return [mean_excess(t, ts) for t, ts in zip(texts, known_surprisals(texts, {} if known is None else known),
                                                strict=True)]


def choose_weight(evaluate: Callable[[float], dict[str, float]], weights: Sequence[float] = WEIGHTS
                  ) -> tuple[float, dict[float, dict[str, float]]]:
    """The weight whose figures (``evaluate(weight)``: r, post-edit wins, within-source tau) sum highest; ties go
    to the smaller weight. Returns it and every weight's figures."""
    tried = {w: evaluate(w) for w in weights}
    best = max(weights, key=lambda w: (round(sum(tried[w].values()), 6), -w))
    return best, tried
