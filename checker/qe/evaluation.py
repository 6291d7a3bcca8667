"""Figures against human judgements, per language pair and per mode (with source / target only)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from .bases import Base
from .corpora import Example
from .features import WordVectors, encode_pair
from .metrics import best_threshold, kendall, kendall_within, mcc, pearson
from .network import QualityNetwork
from .predictor import Predictor, RawPrediction, word_probabilities


def predict_examples(net: QualityNetwork, base: Base, examples: Sequence[Example], with_source: bool,
                     vectors: WordVectors | None = None) -> tuple[list, list[RawPrediction]]:
    tok = base.tokenizer
    encs = [encode_pair(tok, ex.target, ex.source if with_source else None, ex.target_words, ex.source_words,
                        net.cfg.max_target_pieces, net.cfg.max_source_pieces) for ex in examples]
    predictor = Predictor(net, vectors or WordVectors(base), tok.pad)
    was_training = net.training
    raw = predictor.run(encs, [with_source] * len(encs))
    net.train(was_training)
    return encs, raw


def predict_modes(net: QualityNetwork, base: Base, examples: Sequence[Example],
                  modes: Sequence[tuple[str, bool]], vectors: WordVectors | None = None) -> dict[str, tuple[list, list]]:
    """:func:`predict_examples` for each ``(mode, with_source)``, the word vectors read once."""
    if vectors is None:
        vectors = WordVectors(base)
        vectors.preload()
    return {mode: predict_examples(net, base, examples, with_source, vectors) for mode, with_source in modes}


def sentence_values(raw: Sequence[RawPrediction], names: Sequence[str], stats: dict) -> dict[str, np.ndarray]:
    out = {}
    for j, name in enumerate(names):
        mean, sd = stats[name]
        out[name] = np.array([r.sentence[j] * sd + mean for r in raw])
    return out


def figures(examples: Sequence[Example], encs: Sequence, raw: Sequence[RawPrediction], names: Sequence[str],
            stats: dict, threshold: float | None = None, how: str = "max") -> dict:
    """Per pair: Pearson of each head with the human label, word MCC; WMT: Kendall overall and within source."""
    vals = sentence_values(raw, names, stats)
    by: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, ex in enumerate(examples):
        by[(ex.corpus, ex.pair)].append(i)
    result: dict[str, dict] = {}
    for (corpus, pair), idx in sorted(by.items()):
        row: dict[str, float] = {"n": len(idx)}
        words_p: list[float] = []
        words_g: list[bool] = []
        for i in idx:
            ex = examples[i]
            if ex.target_bad is None:
                continue
            probs = word_probabilities(raw[i].target_bad, encs[i].target_word, len(ex.target_words), how)
            words_p.extend(probs.tolist())
            words_g.extend(ex.target_bad)
        if corpus == "mlqe":
            gold = [examples[i].labels["da"] for i in idx]
            for name in names:
                row[f"r_{name}"] = pearson(vals[name][idx], gold)
            if "hter" in vals:
                row["r_hter_vs_hter"] = pearson(vals["hter"][idx], [examples[i].labels["hter"] for i in idx])
        else:
            gold = [examples[i].extra["mqm"] for i in idx]
            groups = [examples[i].group for i in idx]
            for name in names:
                sign = -1.0 if name == "hter" else 1.0
                row[f"tau_{name}"] = kendall(sign * vals[name][idx], gold)
                row[f"tau_within_{name}"] = kendall_within(groups, sign * vals[name][idx], gold)
            length = [-len(examples[i].target) for i in idx]
            row["tau_neg_length"] = kendall(length, gold)
        if words_g:
            t_best, m_best = best_threshold(words_p, words_g)
            row["mcc_best"], row["threshold_best"] = m_best, t_best
            if threshold is not None:
                row["mcc"] = mcc(np.asarray(words_p) >= threshold, words_g)
        result[f"{corpus}:{pair}"] = row
    return result


def evaluate_all(net: QualityNetwork, base: Base, stats: dict,
                 examples: Sequence[Example], label: str, log: Callable[[str], None] = print,
                 threshold: float | None = None, vectors: WordVectors | None = None,
                 modes: Sequence[tuple[str, bool]] = (("source", True), ("target", False))) -> dict:
    """Figures with the source and with the target alone; logs a compact table."""
    names = list(net.cfg.sentence_targets)
    out = {}
    for mode, (encs, raw) in predict_modes(net, base, examples, modes, vectors).items():
        out[mode] = figures(examples, encs, raw, names, stats, threshold)
        for key, row in out[mode].items():
            cells = " ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items())
            log(f"[{label} {mode}] {key}: {cells}")
        mlqe = [r for k, r in out[mode].items() if k.startswith("mlqe")]
        if mlqe:
            log(f"[{label} {mode}] MLQE mean r_da {np.nanmean([r['r_da'] for r in mlqe]):.3f} "
                f"mean mcc_best {np.nanmean([r.get('mcc_best', np.nan) for r in mlqe]):.3f}")
    return out
