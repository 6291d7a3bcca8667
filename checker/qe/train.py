"""Train the quality-estimation network on MLQE-PE and WMT23 MQM (``python -m checker.qe.train``).

Reproducible: fixed seeds, two threads, deterministic batching. Prints the
validation figures after each epoch and writes the weights (fp16 safetensors)
and ``qe.json`` (shape, label statistics, threshold, calibration, figures).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .bases import Base, Tokenizer, load_base
from .corpora import Example, Splits, load_splits, ranked_pairs
from .features import IGNORE, Encoded, WordVectors, collate, encode_pair, piece_labels, sentence_labels
from .lm_term import LmTerm
from .network import NetworkConfig, QualityNetwork, network_from_base
from .predictor import token_budget_batches

#: word findings are shown from the probability at which this share of validation words flagged are BAD
FINDING_PRECISION = {"minor": 0.75, "major": 0.9}


@dataclass
class TrainConfig:
    seed: int = 13
    #: the pre-trained encoder to start from: "e5" (multilingual, any pair) or "minilm" (English targets only)
    base: str = "e5"
    layers: int = 6
    frozen_layers: int = 3
    epochs: int = 2
    batch_tokens: int = 2400
    max_items: int = 48
    lr: float = 8e-5
    head_lr: float = 5e-4
    weight_decay: float = 0.01
    warmup: float = 0.06
    target_only_share: float = 0.35
    bad_weight: float = 1.5
    tag_loss: float = 1.0
    source_tag_loss: float = 0.5
    sentence_loss: dict[str, float] = field(default_factory=lambda: {"da": 1.0, "hter": 0.5, "mqm": 1.0})
    limit_per_pair: int | None = None
    validation_limit: int | None = None
    validation_share: float = 0.04
    #: folder to keep the frozen layers' output in between runs (None: recompute each run)
    cache_dir: str | None = None
    #: comma-separated language pairs to train and validate on (None: all), e.g. "ro-en,zh-en"
    pairs: str | None = None
    use_mlqe: bool = True
    use_wmt: bool = True
    #: also train on the MLQE-PE post-edits, as targets with every word OK
    post_edits: bool = False
    #: weight of the pairwise ranking loss (post-edit above its MT, the better of two systems by MQM); 0: off
    rank_loss: float = 0.0
    #: ranked pairs drawn per epoch at most (None: all of them)
    rank_pairs: int | None = 12000
    #: ranked pairs per ranking batch (one ranking batch rides along with a regular batch)
    rank_batch: int = 16
    #: post-edits rank above their MT only where the post-editor changed at least this share of the words
    rank_min_hter: float = 0.1
    #: after the epochs, train the sentence head alone with a ranking loss on the encoder's pooled states
    #: (:mod:`checker.qe.rank_heads`: minutes, where the ranking loss through the encoder costs an hour an epoch)
    rank_heads: bool = False
    threads: int = 2
    bf16: bool = False

    def modes(self) -> list[tuple[str, bool]]:
        """The input modes this model serves: with the source, and/or the target alone."""
        return [("target", False)] if self.target_only_share >= 1.0 else [("source", True), ("target", False)]

    def keep(self, examples: Sequence[Example]) -> list[Example]:
        wanted = {p.strip() for p in self.pairs.split(",")} if self.pairs else None
        return [ex for ex in examples if wanted is None or ex.pair in wanted]

    def splits(self, data_dir: Path) -> Splits:
        """The data this configuration trains and validates on: its corpora and pairs, limited as it says."""
        splits = load_splits(data_dir, use_mlqe=self.use_mlqe, use_wmt=self.use_wmt,
                             validation_share=self.validation_share, post_edits=self.post_edits)
        splits.train = limit(self.keep(splits.train), self.limit_per_pair, self.seed)
        splits.validation = limit(self.keep(splits.validation), self.validation_limit, self.seed)
        return splits


@dataclass
class Prepared:
    example: Example
    encoded: Encoded
    target_labels: list[int]
    source_labels: list[int] | None


def prepare(examples: Sequence[Example], tok: Tokenizer, net: NetworkConfig, with_source: bool = True) -> list[Prepared]:
    out = []
    for ex in examples:
        enc = encode_pair(tok, ex.target, ex.source if with_source else None, ex.target_words, ex.source_words,
                          net.max_target_pieces, net.max_source_pieces)
        src_labels = piece_labels(enc.source_word, ex.source_bad) if enc.source_word is not None else None
        out.append(Prepared(ex, enc, piece_labels(enc.target_word, ex.target_bad), src_labels))
    return out


def label_stats(items: Sequence[Prepared], names: Sequence[str]) -> dict[str, tuple[float, float]]:
    stats = {}
    for name in names:
        vals = np.array([p.example.labels[name] for p in items if name in p.example.labels], float)
        stats[name] = (float(vals.mean()), float(vals.std() or 1.0)) if len(vals) else (0.0, 1.0)
    return stats


def batch_targets(items: Sequence[Prepared], with_source: Sequence[bool], width: int, names: Sequence[str],
                  stats: dict[str, tuple[float, float]]) -> dict[str, torch.Tensor]:
    n = len(items)
    tags = torch.full((n, width), IGNORE, dtype=torch.long)
    src_tags = torch.full((n, width), IGNORE, dtype=torch.long)
    sent, sent_mask = sentence_labels([p.example.labels for p in items], names, stats)
    for i, (p, ws) in enumerate(zip(items, with_source, strict=True)):
        e = p.encoded
        tags[i, 1:1 + e.n_target] = torch.tensor(p.target_labels, dtype=torch.long)
        if ws and e.n_source and p.source_labels is not None:
            src_tags[i, e.source_start:e.source_start + e.n_source] = torch.tensor(p.source_labels, dtype=torch.long)
    return {"tags": tags, "source_tags": src_tags, "sentence": sent, "sentence_mask": sent_mask}


def tag_loss(logits: torch.Tensor, labels: torch.Tensor, bad_weight: float) -> torch.Tensor:
    mask = labels != IGNORE
    if not mask.any():
        return logits.sum() * 0.0
    y = labels[mask].float()
    weight = torch.where(y > 0, bad_weight, 1.0)
    return F.binary_cross_entropy_with_logits(logits[mask].float(), y, weight=weight)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def build_network(cfg: TrainConfig, base: Base) -> QualityNetwork:
    return network_from_base(base, cfg.layers, cfg.frozen_layers)


def cache_bottom(net: QualityNetwork, vectors: WordVectors, items: Sequence[Prepared], with_source: bool,
                 pad: int) -> list[torch.Tensor]:
    """fp16 hidden states after the frozen layers, per item (they never change during training)."""
    was_training = net.training
    net.eval()
    encs = [p.encoded for p in items]
    flags = [with_source and bool(e.n_source) for e in encs]
    lengths = [e.length(f) for e, f in zip(encs, flags, strict=True)]
    out: list[torch.Tensor] = [torch.empty(0)] * len(items)
    with torch.inference_mode():
        for idx in token_budget_batches(lengths, 8192, 128):
            batch = collate([encs[i] for i in idx], [flags[i] for i in idx], pad)
            x = net.bottom(vectors(batch.ids), batch.attention, batch.types)
            for row, i in enumerate(idx):
                out[i] = x[row, : lengths[i]].to(torch.float16).clone()
    net.train(was_training)
    return out


def cached_bottoms(net: QualityNetwork, vectors: WordVectors, items: Sequence[Prepared], pad: int, cfg: TrainConfig,
                   log=print) -> dict[bool, list[torch.Tensor]]:
    """The frozen layers' output for every item, with and without its source.

    With ``cfg.cache_dir`` the states are kept on disk by example id (they depend only on
    the pre-trained layers and the input), so other settings and later runs skip the
    ~30 minutes it takes to compute them for the whole corpus on 2 cores.
    """
    path = None
    known: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    if cfg.cache_dir:
        sides = "target" if cfg.target_only_share >= 1.0 else "both"
        key = f"bottom-{cfg.base}-L{cfg.frozen_layers}-{sides}-{net.cfg.max_target_pieces}-{net.cfg.max_source_pieces}.pt"
        path = Path(cfg.cache_dir) / key
        if path.is_file():
            known = torch.load(path, weights_only=True)
            log(f"read {len(known)} cached states from {path}")
    todo = [i for i, p in enumerate(items) if p.example.id not in known]
    if todo:
        sub = [items[i] for i in todo]
        without = cache_bottom(net, vectors, sub, False, pad)
        with_src = without if cfg.target_only_share >= 1.0 else cache_bottom(net, vectors, sub, True, pad)
        for i, a, b in zip(todo, with_src, without, strict=True):
            known[items[i].example.id] = (a, b)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.save(known, path)
    return {True: [known[p.example.id][0] for p in items], False: [known[p.example.id][1] for p in items]}


def stack_cached(states: Sequence[torch.Tensor], n_targets: Sequence[int]) -> tuple[torch.Tensor, ...]:
    """Pad cached states into (B, T, H) with attention and target masks."""
    width = max(s.shape[0] for s in states)
    n, h = len(states), states[0].shape[1]
    x = torch.zeros((n, width, h))
    attention = torch.zeros((n, width), dtype=torch.long)
    target_mask = torch.zeros((n, width), dtype=torch.bool)
    for i, (s, nt) in enumerate(zip(states, n_targets, strict=True)):
        x[i, : s.shape[0]] = s.float()
        attention[i, : s.shape[0]] = 1
        target_mask[i, 1:1 + nt] = True
    return x, attention, target_mask


def plan_epochs(items: Sequence[Prepared], cfg: TrainConfig) -> list[tuple[list[bool], list[list[int]]]]:
    """Per epoch: which items are read with their source, and the batches in training order.

    Items of similar length share a batch (a little random jitter, so batches differ between
    epochs); batches come in random order. Everything is drawn from one seeded generator.
    """
    rng = random.Random(cfg.seed)
    plans = []
    for _ in range(cfg.epochs):
        with_source = [bool(p.encoded.n_source) and rng.random() >= cfg.target_only_share for p in items]
        lengths = [p.encoded.length(ws) for p, ws in zip(items, with_source, strict=True)]
        jitter = [ln + rng.random() * 4 for ln in lengths]
        batches = token_budget_batches(jitter, cfg.batch_tokens, cfg.max_items)
        rng.shuffle(batches)
        plans.append((with_source, batches))
    return plans


def plan_ranking(n_pairs: int, n_batches: Sequence[int], cfg: TrainConfig) -> list[dict[int, tuple[list[int], bool]]]:
    """Per epoch: at which regular batch each ranking batch rides along, its pairs, and whether it reads sources.

    Drawn from a generator of its own, so the regular batches are the same with or without ranking.
    """
    rng = random.Random(cfg.seed + 1)
    plans: list[dict[int, tuple[list[int], bool]]] = []
    for n in n_batches:
        order = list(range(n_pairs))
        rng.shuffle(order)
        order = order[: cfg.rank_pairs] if cfg.rank_pairs is not None else order
        chunks = [order[k:k + cfg.rank_batch] for k in range(0, len(order), cfg.rank_batch)]
        at: dict[int, tuple[list[int], bool]] = {}
        for k, chunk in enumerate(chunks):  # spread evenly; with more chunks than batches some share a batch
            at.setdefault(min(n - 1, k * n // len(chunks)), ([], rng.random() >= cfg.target_only_share))[0].extend(chunk)
        plans.append(at)
    return plans


def run_network(net: QualityNetwork, vectors: WordVectors, sel: Sequence[Prepared], with_source: Sequence[bool],
                states: Sequence[torch.Tensor] | None, pad: int, bf16: bool) -> tuple[dict[str, torch.Tensor], list[bool], int]:
    """Head outputs for ``sel`` (from the cached frozen layers' ``states`` when given), which items were read
    with their source, and the padded width."""
    if states is not None:
        ws = [w and bool(p.encoded.n_source) for p, w in zip(sel, with_source, strict=True)]
        x, attention, target_mask = stack_cached(states, [p.encoded.n_target for p in sel])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            return net.top(x, attention, target_mask), ws, x.shape[1]
    batch = collate([p.encoded for p in sel], with_source, pad)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        outs = net(vectors(batch.ids), batch.attention, batch.types, batch.target_mask)
    return outs, list(batch.with_source), batch.ids.shape[1]


def rank_loss(sentence: torch.Tensor, names: Sequence[str]) -> torch.Tensor:
    """RankNet loss of sentence heads over rows laid out better, worse, better, worse, ...: every head should
    score the better translation higher (``hter``: lower)."""
    sign = torch.tensor([-1.0 if n == "hter" else 1.0 for n in names])
    gap = (sentence[0::2] - sentence[1::2]) * sign
    return F.softplus(-2.0 * gap).mean()


def limit(examples: list[Example], per_pair: int | None, seed: int) -> list[Example]:
    if per_pair is None:
        return examples
    rng = random.Random(seed)
    by: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for ex in examples:
        by[(ex.corpus, ex.pair)].append(ex)
    out: list[Example] = []
    for key in sorted(by):
        group = by[key]
        rng.shuffle(group)
        out.extend(group[:per_pair])
    return out


def train(cfg: TrainConfig, data_dir: Path, out_dir: Path | None, log=print) -> dict:
    """Train, print figures per epoch, save the final weights to ``out_dir``; return the summary."""
    from .evaluation import evaluate_all  # local: evaluation imports the runtime estimator

    torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    t0 = time.time()
    base = load_base(cfg.base)
    tok = base.tokenizer
    splits = cfg.splits(data_dir)
    train_ex = splits.train
    net = build_network(cfg, base)
    names = list(net.cfg.sentence_targets)
    items = prepare(train_ex, tok, net.cfg, with_source=cfg.target_only_share < 1.0)
    stats = label_stats(items, names)
    log(f"settings: {asdict(cfg)}")
    log(f"train {len(items)} examples, validation {len(splits.validation)}; prepared in {time.time() - t0:.0f} s")
    vectors = WordVectors(base)
    vectors.preload()

    caches: dict[bool, list[torch.Tensor]] = {}
    if cfg.frozen_layers:
        t_cache = time.time()
        caches = cached_bottoms(net, vectors, items, tok.pad, cfg, log)
        log(f"cached the {cfg.frozen_layers} frozen layers' output in {time.time() - t_cache:.0f} s")
        for n, p in net.named_parameters():
            frozen = not n.startswith("layers.") or int(n.split(".")[1]) < cfg.frozen_layers
            if frozen and not n.startswith(("sentence", "target_tags", "source_tags")):
                p.requires_grad_(False)
    pairs = ranked_pairs(train_ex, cfg.rank_min_hter) if cfg.rank_loss else []
    # the pairs' translations are training items already, encoded above; only their post-edits are new
    known = {p.example.id: p for p in items}
    known.update((p.example.id, p) for p in prepare([ex for pair in pairs for ex in pair if ex.id not in known],
                                                     tok, net.cfg, with_source=cfg.target_only_share < 1.0))
    ranked = [known[ex.id] for pair in pairs for ex in pair]
    rank_caches = cached_bottoms(net, vectors, ranked, tok.pad, cfg, log) if cfg.frozen_layers and ranked else {}
    if pairs:
        log(f"ranking: {len(pairs)} pairs (better, worse) of the same source, {cfg.rank_pairs or 'all'} per epoch")
    heads = [p for n, p in net.named_parameters() if n.startswith(("sentence", "target_tags", "source_tags"))]
    head_ids = {id(p) for p in heads}
    body = [p for p in net.parameters() if id(p) not in head_ids and p.requires_grad]
    opt = torch.optim.AdamW([{"params": body, "lr": cfg.lr}, {"params": heads, "lr": cfg.head_lr}],
                            weight_decay=cfg.weight_decay)
    plans = plan_epochs(items, cfg)
    rank_plans = plan_ranking(len(pairs), [len(b) for _, b in plans], cfg) if pairs else [{} for _ in plans]
    total = len(plans[0][1]) * cfg.epochs if plans else 1
    warm = max(1, int(cfg.warmup * total))

    def lr_factor(s: int) -> float:
        """Linear warm-up, then linear decay to 0."""
        return s / warm if s < warm else max(0.0, (total - s) / max(1, total - warm))

    history = []
    step = 0
    for epoch, (with_source, batches) in enumerate(plans):
        net.train()
        t_epoch = time.time()
        running: dict[str, float] = defaultdict(float)
        for b, idx in enumerate(batches):
            for group, base_lr in zip(opt.param_groups, (cfg.lr, cfg.head_lr), strict=True):
                group["lr"] = base_lr * lr_factor(step)
            sel = [items[i] for i in idx]
            states = [caches[w and bool(items[i].encoded.n_source)][i] for i, w in
                      zip(idx, (with_source[i] for i in idx), strict=True)] if caches else None
            outs, ws, width = run_network(net, vectors, sel, [with_source[i] for i in idx], states, tok.pad, cfg.bf16)
            target = batch_targets(sel, ws, width, names, stats)
            sent = outs["sentence"].float()
            losses = {}
            for j, name in enumerate(names):
                m = target["sentence_mask"][:, j]
                if m.sum() > 0:
                    err = ((sent[:, j] - target["sentence"][:, j]) ** 2 * m).sum() / m.sum()
                    losses[name] = cfg.sentence_loss.get(name, 1.0) * err
            losses["tags"] = cfg.tag_loss * tag_loss(outs["target_tags"], target["tags"], cfg.bad_weight)
            losses["source_tags"] = cfg.source_tag_loss * tag_loss(outs["source_tags"], target["source_tags"], cfg.bad_weight)
            if b in rank_plans[epoch]:
                chunk, rank_source = rank_plans[epoch][b]
                rows = [r for k in chunk for r in (2 * k, 2 * k + 1)]
                rsel = [ranked[r] for r in rows]
                rws = [rank_source and bool(ranked[2 * k].encoded.n_source and ranked[2 * k + 1].encoded.n_source)
                       for k in chunk for _ in (0, 1)]
                rstates = [rank_caches[w][r] for r, w in zip(rows, rws, strict=True)] if rank_caches else None
                routs, _, _ = run_network(net, vectors, rsel, rws, rstates, tok.pad, cfg.bf16)
                losses["rank"] = cfg.rank_loss * rank_loss(routs["sentence"].float(), names)
            loss = sum(losses.values())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in net.parameters() if p.requires_grad], 1.0)
            opt.step()
            step += 1
            for k, v in losses.items():
                running[k] += float(v.detach())
            if (b + 1) % 100 == 0 or b + 1 == len(batches):
                rate = sum(len(batches[k]) for k in range(b + 1)) / (time.time() - t_epoch)
                parts = " ".join(f"{k} {v / (b % 100 + 1):.3f}" for k, v in running.items())
                log(f"epoch {epoch + 1} batch {b + 1}/{len(batches)} {rate:.1f} ex/s {parts}")
                running.clear()
        log(f"epoch {epoch + 1} done in {time.time() - t_epoch:.0f} s")
        summary = evaluate_all(net, base, stats, splits.validation, label="validation", log=log, vectors=vectors,
                               modes=cfg.modes())
        history.append(summary)
    extra: dict[str, Any] = {}
    if cfg.rank_heads:
        from .rank_heads import HeadConfig, refit_head

        with torch.no_grad():  # the weights as saved (fp16), so this equals --rank-heads-of on the saved model
            for value in net.state_dict().values():
                value.copy_(value.to(torch.float16).to(value.dtype))
        extra["rank_heads"] = refit_head(net, base, splits, stats, HeadConfig(seed=cfg.seed), cfg.target_only_share,
                                         cfg.sentence_loss, log, vectors)
    calibration = fit_calibration(net, base, stats, splits.validation, log, vectors, cfg.modes())
    result = {"config": asdict(cfg), "label_stats": stats, "history": history, "seconds": time.time() - t0,
              "calibration": calibration}
    if out_dir is not None:
        from .estimator import save_model

        save_model(net, stats, history[-1], cfg, out_dir, {"calibration": calibration, **extra,
                                                           "train_seconds": round(time.time() - t0)})
        log(f"saved to {out_dir}")
    return result


def fit_calibration(net: QualityNetwork, base: Base, stats: dict, validation: Sequence[Example], log=print,
                    vectors: WordVectors | None = None,
                    modes: Sequence[tuple[str, bool]] = (("source", True), ("target", False))) -> dict:
    """Head mix, 0-100 scale and word threshold, per mode, chosen on the validation slice."""
    from .evaluation import predict_modes
    from .predictor import word_probabilities
    from .score_scale import choose_head_weights, fit_scale

    names = list(net.cfg.sentence_targets)
    runs = predict_modes(net, base, validation, modes, vectors)
    # one head mix for both modes (chosen on the with-source run where there is one: every head sees everything)
    encs, raw = runs.get("source") or runs["target"]
    heads = {n: np.array([r.sentence[j] for r in raw]) for j, n in enumerate(names)}
    mlqe: dict[str, list[int]] = defaultdict(list)
    wmt: dict[str, list[int]] = defaultdict(list)
    for i, ex in enumerate(validation):
        (mlqe if ex.corpus == "mlqe" else wmt)[ex.pair].append(i)
    da = np.array([ex.labels.get("da", np.nan) for ex in validation])
    mqm = np.array([ex.extra.get("mqm", np.nan) for ex in validation])
    mix, objective = choose_head_weights(heads, mlqe, wmt, da, mqm, [ex.group for ex in validation])
    log(f"head mix {mix} (validation objective {objective:.3f})")
    out: dict = {"head_weights": mix}
    for mode, (encs, raw) in runs.items():
        z = np.array([sum(w * r.sentence[names.index(h)] for h, w in mix.items()) for r in raw])
        idx = [i for i, ex in enumerate(validation) if ex.corpus == "mlqe"]
        xs, ys = fit_scale(z[idx], [validation[i].extra["da_mean"] for i in idx])
        words: dict[str, tuple[list[float], list[bool]]] = {}  # per corpus: BAD probabilities and gold tags
        for i, ex in enumerate(validation):
            if ex.target_bad is None:
                continue
            probs, gold = words.setdefault(ex.corpus, ([], []))
            probs.extend(word_probabilities(raw[i].target_bad, encs[i].target_word, len(ex.target_words)).tolist())
            gold.extend(ex.target_bad)
        out[mode] = {"knots_x": xs, "knots_y": ys, **word_thresholds(words)}
        log(f"{mode}: word threshold {out[mode]['threshold']:.3f} (validation MCC {out[mode]['validation_mcc']:.3f}); "
            f"scale {list(zip(xs, ys, strict=True))[::4]}")
    return out


def word_thresholds(words: dict[str, tuple[list[float], list[bool]]]) -> dict[str, Any]:
    """From validation words' BAD probabilities and gold tags, per corpus: the MCC-best threshold on MLQE-PE, and
    the finding thresholds: the lowest that reach :data:`FINDING_PRECISION` on *every* corpus (post-edits of
    weak MT, where most sentences hold errors, and professional MQM of strong news MT, where few do)."""
    from .score_scale import precision_threshold, word_threshold

    threshold, m = word_threshold(*words["mlqe"])
    minor = max(precision_threshold(p, g, FINDING_PRECISION["minor"]) for p, g in words.values())
    major = max(minor, *(precision_threshold(p, g, FINDING_PRECISION["major"]) for p, g in words.values()))
    return {"threshold": threshold, "validation_mcc": round(m, 4), "minor": round(minor, 4), "major": round(major, 4),
            "minor_by_corpus": {c: round(precision_threshold(p, g, FINDING_PRECISION["minor"]), 4)
                                for c, (p, g) in words.items()}}


def fit_pairing(folder: Path, data_dir: Path, log=print) -> dict:
    """Word thresholds for English text read by both models of ``folder`` (``english`` and ``pair``).

    Such text is scored by the mean of the two models' scores and its words by the mean of their BAD
    probabilities; the thresholds for that mean are fitted on the English model's validation slice, as
    :func:`fit_calibration` fits each model's own, and saved in the English model's ``qe.json`` as
    ``calibration.with_pair`` (the estimator uses them when both models are there). Those words become no
    findings (see the comment below); the fitted finding thresholds are kept as ``fitted_minor`` / ``fitted_major``.
    """
    from .estimator import META_FILE, PAIRED_CALIBRATION, TrainedModel

    english, pair = TrainedModel(Path(folder) / "english"), TrainedModel(Path(folder) / "pair")
    validation = config_of(english.meta).splits(data_dir).validation
    targets, words = [ex.target for ex in validation], [ex.target_words for ex in validation]
    both = [m.estimate(targets, [None] * len(targets), words) for m in (english, pair)]
    per_corpus: dict[str, tuple[list[float], list[bool]]] = {}
    for ex, a, b in zip(validation, *both, strict=True):
        if ex.target_bad is None:
            continue
        probs, gold = per_corpus.setdefault(ex.corpus, ([], []))
        probs.extend((wa.probability + wb.probability) / 2 for wa, wb in zip(a.target_words, b.target_words, strict=True))
        gold.extend(ex.target_bad)
    fitted = word_thresholds(per_corpus)
    # the mean's words are no findings: at the thresholds fitted here (0.80 in the shipped models) bench/fluency.py
    # counted 3.3 learned false alarms per 500 words of human-written news, against lm-fluency's 0.6 (the 100
    # WMT23 validation segments are too few to hold the precision). The MCC threshold and the probabilities stay.
    fitted["fitted_minor"], fitted["fitted_major"] = fitted["minor"], fitted["major"]
    fitted["minor"] = fitted["major"] = 1.0
    meta = english.meta
    meta["calibration"][PAIRED_CALIBRATION] = fitted
    (english.folder / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    log(f"english+pair words: threshold {fitted['threshold']:.3f} (validation MCC {fitted['validation_mcc']:.3f}); "
        f"no findings (precision thresholds would be {fitted['fitted_minor']:.3f} / {fitted['fitted_major']:.3f})")
    return fitted


def fit_lm_term(folder: Path, data_dir: Path, log=print) -> LmTerm:
    """Fit the language model's fluency term for English targets (:mod:`checker.qe.lm_term`) on the validation
    slice of the models in ``folder`` and save it there as ``lm_term.json``.

    The slice's English targets (MLQE-PE into English, WMT23 zh-en validation documents) and the post-edits of the
    changed MLQE-PE ones are scored by the models (without a term) and by SmolLM2; for each mode the weight of
    :data:`~checker.qe.lm_term.WEIGHTS` whose Pearson r with DA (mean over pairs), post-edit wins (mean over pairs)
    and within-source Kendall tau with MQM sum highest is kept.
    """
    from .. import lm
    from .corpora import post_edit_of
    from .estimator import QualityEstimator
    from .lm_term import choose_weight, excesses
    from .metrics import kendall_within, pearson

    t0 = time.time()
    est = QualityEstimator(folder)
    est.lm_term = None  # the models' own scores: the term is fitted on top of them
    reader = est.models.get("english") or next(iter(est.models.values()))
    validation = [ex for ex in config_of(reader.meta).splits(data_dir).validation if ex.pair.endswith("-en")]
    post_edits = {ex.id: pe.target for ex in validation if ex.corpus == "mlqe" and (pe := post_edit_of(ex))}
    texts = [ex.target for ex in validation] + list(post_edits.values())
    excess = dict(zip(texts, excesses(texts), strict=True))
    spread = np.array([v for ex in validation if (v := excess[ex.target]) is not None])
    mean, sd = float(spread.mean()), float(spread.std())
    pairs = sorted({ex.pair for ex in validation if ex.corpus == "mlqe"})
    wmt = [ex for ex in validation if ex.corpus != "mlqe" and "mqm" in ex.extra]
    weights: dict[str, float] = {}
    figures: dict[str, Any] = {}
    for mode, with_source in (("source", True), ("target", False)):
        def scores(targets: list[str], exs: list[Example], ws: bool = with_source) -> dict[str, float]:
            got = est.estimate(targets, [ex.source if ws else None for ex in exs], tgt_lang="en")
            return {ex.id: e.score for ex, e in zip(exs, got, strict=True)}

        edited = [ex for ex in validation if ex.id in post_edits]
        mt = scores([ex.target for ex in validation], validation)
        pe = scores([post_edits[ex.id] for ex in edited], edited)

        def evaluate(weight: float, ws: bool = with_source, mt: dict = mt, pe: dict = pe) -> dict[str, float]:
            term = LmTerm(mean, sd, {"source" if ws else "target": weight})

            def mt_score(ex: Example) -> float:
                return term.adjust(mt[ex.id], excess[ex.target], ws)

            rs, wins = [], []
            for pair in pairs:
                exs = [ex for ex in validation if ex.pair == pair and ex.corpus == "mlqe"]
                rs.append(pearson([mt_score(ex) for ex in exs], [ex.labels["da"] for ex in exs]))
                wins.append(float(np.mean([term.adjust(pe[ex.id], excess[post_edits[ex.id]], ws) > mt_score(ex)
                                           for ex in exs if ex.id in pe])))
            got = {"r": float(np.mean(rs)), "pe_wins": float(np.mean(wins))}
            if wmt:
                got["tau_within"] = kendall_within([ex.group for ex in wmt], [mt_score(ex) for ex in wmt],
                                                   [ex.extra["mqm"] for ex in wmt])
            return {k: v for k, v in got.items() if np.isfinite(v)}  # a figure the slice cannot give is left out

        weights[mode], tried = choose_weight(evaluate)
        figures[mode] = {str(w): {k: round(v, 4) for k, v in f.items()} for w, f in tried.items()}
        for w, f in tried.items():
            log(f"lm term, {mode}: weight {w:g}: " + ", ".join(f"{k} {v:.3f}" for k, v in f.items())
                + ("  <- chosen" if w == weights[mode] else ""))
    term = LmTerm(round(mean, 6), round(sd, 6), weights, lm.MODEL_NAME,
                  {"validation": figures, "texts": len(texts), "seconds": round(time.time() - t0)})
    term.save(folder)
    log(f"lm term: weights {weights} (score points per sd {sd:.3f} of the mean word excess), {time.time() - t0:.0f} s")
    return term


def config_of(meta: dict) -> TrainConfig:
    """The training settings a saved model's ``qe.json`` records."""
    cfg = meta.get("training", {})
    return TrainConfig(**{k: v for k, v in cfg.items() if k in {f.name for f in fields(TrainConfig)}})


def recalibrate(model_dir: Path, data_dir: Path, log=print) -> dict:
    """Refit the head mix, score scale and word thresholds of a saved model on the validation slice."""
    from .estimator import META_FILE, load_network

    net, meta = load_network(model_dir)
    base = load_base(net.cfg.base)
    tc = config_of(meta)
    validation = tc.splits(data_dir).validation  # the slice the model was calibrated on when it was trained
    meta["calibration"] = fit_calibration(net, base, meta["label_stats"], validation, log, modes=tc.modes())
    (Path(model_dir) / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return meta["calibration"]


def rank_heads(model_dir: Path, data_dir: Path, out_dir: Path | None = None, seed: int | None = None,
               log=print, threads: int = 2, limit_per_pair: int | None = None) -> dict:
    """The ranking stage (:func:`checker.qe.rank_heads.refit_head`) on the saved model in ``model_dir``, then its
    scale and thresholds refitted on the validation slice; saved to ``out_dir`` (default: in place).
    ``seed`` defaults to the model's own; ``limit_per_pair`` reads at most that many segments per corpus and pair
    (quick experiments, tests)."""
    from .estimator import load_network, save_model
    from .rank_heads import HeadConfig, refit_head

    torch.set_num_threads(threads)
    t0 = time.time()
    net, meta = load_network(model_dir)
    base = load_base(net.cfg.base)
    tc = config_of(meta)
    splits = replace(tc, limit_per_pair=limit_per_pair or tc.limit_per_pair,
                     validation_limit=limit_per_pair or tc.validation_limit).splits(data_dir)
    vectors = WordVectors(base)
    vectors.preload()
    stats = meta["label_stats"]
    head_cfg = HeadConfig(seed=tc.seed if seed is None else seed)
    info = refit_head(net, base, splits, stats, head_cfg, tc.target_only_share, tc.sentence_loss, log, vectors)
    meta["calibration"] = fit_calibration(net, base, stats, splits.validation, log, vectors, tc.modes())
    meta["rank_heads"] = info
    target = Path(out_dir or model_dir)
    extra = {k: v for k, v in meta.items() if k not in {"network", "label_stats", "training", "validation"}}
    save_model(net, stats, meta.get("validation", {}), replace(tc, rank_heads=True), target, extra)
    log(f"saved to {target} in {time.time() - t0:.0f} s")
    return info


#: the settings of the two shipped models (``make train`` trains both); flags override them
RECIPES: dict[str, dict[str, Any]] = {
    # multilingual-e5-small, layers 4-6 fine-tuned (1-3 kept, their output cached): any pair, with or without source
    # then its sentence head alone with a ranking loss (post-edits above their MT, the better of two systems by MQM)
    "pair": {"base": "e5", "layers": 6, "frozen_layers": 3, "epochs": 3, "lr": 1e-4, "target_only_share": 0.35,
             "rank_heads": True},
    # all-MiniLM-L6-v2, every layer fine-tuned, English targets alone (MLQE-PE into English, WMT23 zh-en), with the
    # ranking loss (post-edits above their MT, the better of two systems by MQM)
    "english": {"base": "minilm", "layers": 6, "frozen_layers": 0, "epochs": 2, "lr": 5e-5, "target_only_share": 1.0,
                "pairs": "et-en,ne-en,ro-en,ru-en,si-en,zh-en", "rank_loss": 1.0},
}
HELP = {
    "seed": "seed of every random choice (batches, dropout, initial heads)",
    "base": "pre-trained encoder: e5 (multilingual) or minilm (English targets only)",
    "layers": "encoder layers kept from the base",
    "frozen_layers": "bottom layers kept as pre-trained (their output is computed once and cached)",
    "epochs": "passes over the training data",
    "batch_tokens": "padded tokens per batch",
    "max_items": "segments per batch at most",
    "lr": "peak learning rate of the encoder layers (linear warm-up and decay)",
    "head_lr": "peak learning rate of the heads",
    "target_only_share": "share of training segments read without their source (1: a target-only model)",
    "bad_weight": "loss weight of BAD words against OK ones",
    "limit_per_pair": "train on at most N segments per corpus and pair (quick experiments)",
    "validation_limit": "validate on at most N segments per corpus and pair",
    "validation_share": "share of MLQE-PE train held out (by a hash of the id) to choose thresholds and scale",
    "cache_dir": "keep the frozen layers' output here between runs",
    "pairs": "comma-separated pairs to train and validate on (default: all)",
    "use_mlqe": "train on MLQE-PE", "use_wmt": "train on the WMT23 MQM training documents",
    "post_edits": "also train on the MLQE-PE post-edits (every word OK, HTER 0, the DA without the edits' cost)",
    "rank_loss": "weight of a ranking loss: a post-edit above its MT, the better of two systems' MQM (0: off)",
    "rank_pairs": "ranked pairs drawn per epoch at most",
    "rank_batch": "ranked pairs per ranking batch",
    "rank_min_hter": "a post-edit ranks above its MT only where at least this share of the words changed",
    "rank_heads": "then train the sentence head alone with a ranking loss on the encoder's pooled states (minutes)",
    "threads": "torch threads", "bf16": "train in bfloat16 autocast",
}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m checker.qe.train",
        description="Train mtcheck's quality models on MLQE-PE and WMT23 MQM (../shared/data) with fixed seeds, "
                    "print the validation figures, and save the weights and their calibration.",
        epilog="Examples:\n  python -m checker.qe.train --out checker/data/qe        # both shipped models (make train)\n"
               "  python -m checker.qe.train --recipe english --epochs 1  # one model, one epoch, nothing saved\n"
               "  python -m checker.qe.train --recalibrate DIR            # refit scale and thresholds only\n"
               "  python -m checker.qe.train --rank-heads-of DIR          # the ranking stage alone (minutes)\n"
               "  python -m checker.qe.train --fit-lm-term DIR            # the LM fluency term alone (minutes)\n"
               "Then: python bench/qe.py [--model DIR] prints the held-out figures.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "data",
                    help="folder with mlqe_pe_*.jsonl and wmt23_general_mqm_*.jsonl (default: ../shared/data)")
    ap.add_argument("--out", type=Path, default=None,
                    help="save here (with --recipe all: OUT/pair and OUT/english); default: save nothing")
    ap.add_argument("--recipe", choices=[*RECIPES, "all"], default="all", help="which model to train (default: all)")
    ap.add_argument("--recalibrate", type=Path, default=None, metavar="DIR",
                    help="only refit the score scale and word thresholds of the model in DIR on the validation slice")
    ap.add_argument("--fit-pairing", type=Path, default=None, metavar="DIR",
                    help="only refit the word thresholds of English text read by both models in DIR (DIR/english, "
                         "DIR/pair); --recipe all with --out does this after training")
    ap.add_argument("--fit-lm-term", type=Path, default=None, metavar="DIR",
                    help="only refit the language model's fluency term for English targets of the models in DIR "
                         "(DIR/lm_term.json; minutes); --recipe all with --out does this after training")
    ap.add_argument("--rank-heads-of", type=Path, default=None, metavar="DIR",
                    help="only train the sentence head of the saved model in DIR with a ranking loss, its encoder "
                         "kept (what --rank-heads does after training; minutes), then refit its scale and thresholds")
    kinds = {f.name: f.type for f in fields(TrainConfig)}
    for name, value in asdict(TrainConfig()).items():
        if name == "sentence_loss":
            continue
        flag, doc = f"--{name.replace('_', '-')}", HELP.get(name, "")
        if isinstance(value, bool):
            ap.add_argument(flag, type=lambda s: s.lower() in ("1", "true", "yes"), default=argparse.SUPPRESS,
                            metavar="BOOL", help=f"{doc} (default: {value} or the recipe's)")
        else:
            kind = type(value) if value is not None else (str if "str" in str(kinds[name]) else int)
            ap.add_argument(flag, type=kind, default=argparse.SUPPRESS, help=f"{doc} (default: {value} or the recipe's)")
    args = ap.parse_args(argv)
    given = {k: getattr(args, k) for k in asdict(TrainConfig()) if hasattr(args, k)}
    if not (args.data / "mlqe_pe_train.jsonl").is_file():
        print(f"error: no mlqe_pe_train.jsonl in {args.data} (pass --data)", file=sys.stderr)
        return 2
    log = lambda m: print(m, flush=True)  # noqa: E731
    from .estimator import META_FILE

    wanted = [d for d in (args.recalibrate, args.rank_heads_of) if d] + (
        [args.fit_lm_term / "english", args.fit_lm_term / "pair"] if args.fit_lm_term else []) + (
        [args.fit_pairing / "english", args.fit_pairing / "pair"] if args.fit_pairing else [])
    for folder in wanted:
        if not (folder / META_FILE).is_file():
            print(f"error: no quality model in {folder} (no {META_FILE})", file=sys.stderr)
            return 2
    if args.recalibrate:
        recalibrate(args.recalibrate, args.data, log=log)
        return 0
    if args.fit_pairing:
        fit_pairing(args.fit_pairing, args.data, log=log)
        return 0
    if args.fit_lm_term:
        fit_lm_term(args.fit_lm_term, args.data, log=log)
        return 0
    if args.rank_heads_of:
        rank_heads(args.rank_heads_of, args.data, args.out, seed=given.get("seed"), log=log,
                   threads=given.get("threads", 2), limit_per_pair=given.get("limit_per_pair"))
        return 0
    names = list(RECIPES) if args.recipe == "all" else [args.recipe]
    for name in names:
        cfg = TrainConfig(**{**RECIPES[name], **given})
        out = None if args.out is None else (args.out / name if args.recipe == "all" else args.out)
        log(f"== {name} model" + (f" -> {out}" if out else ""))
        train(cfg, args.data, out, log=log)
    if args.recipe == "all" and args.out is not None:
        log("== english + pair: thresholds for the mean of their word probabilities")
        fit_pairing(args.out, args.data, log=log)
        log("== english targets: the language model's fluency term")
        fit_lm_term(args.out, args.data, log=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
