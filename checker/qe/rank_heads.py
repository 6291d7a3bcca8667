"""Refit a trained model's sentence head with a ranking loss, its encoder kept as it is.

A direct assessment is one number per source sentence, so a model trained on it learns much of what makes a
*source* hard and little of what tells two translations of one source apart. Training the whole encoder with a
ranking loss (``--rank-loss``) costs an hour an epoch on 2 cores; this stage costs minutes: the encoder's pooled
states of every training segment and of the segments it is ranked against are computed once, then the sentence
head alone (two small layers, started from the trained ones) learns the regression it was trained with plus a
RankNet loss on (better, worse) translations of one source (a post-edit above its MT, the better of two systems
by MQM: :func:`checker.qe.corpora.ranked_pairs`). The 0-100 scale and word thresholds are then refitted on the
validation slice. Run by ``python -m checker.qe.train --rank-heads DIR`` (``make train`` runs it on the pair
model).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .bases import Base, Tokenizer
from .corpora import Example, Splits, post_edit_of, ranked_pairs
from .features import Encoded, WordVectors, collate, encode_pair, sentence_labels
from .metrics import kendall_within, pearson
from .network import QualityNetwork
from .predictor import token_budget_batches

Key = tuple[str, bool]  # (example id, read with its source)


@dataclass
class HeadConfig:
    """Settings of the head-only ranking stage, chosen on the validation slice for the pair model: of 19
    settings (ranking weight 0-3, 2-15 epochs, learning rate 3e-5 to 1e-3, batch, weight decay), the best sum of the validation
    figures :func:`refit_head` prints (Pearson with DA, post-edit wins, Kendall tau within a source; with the
    source and without)."""

    seed: int = 13
    #: weight of the RankNet loss against the regression on the human labels
    rank_loss: float = 2.0
    epochs: int = 3
    lr: float = 3e-4
    #: segments per regression batch; each batch also takes ``batch // 2`` ranked pairs
    batch: int = 256
    weight_decay: float = 0.01
    #: post-edits rank above their MT only where the post-editor changed at least this share of the words
    min_hter: float = 0.1


def pooled_states(net: QualityNetwork, vectors: WordVectors, encs: Sequence[Encoded], with_source: Sequence[bool],
                  pad: int, dtype: torch.dtype, progress: Callable[[int], None] | None = None) -> torch.Tensor:
    """The sentence head's input (the ``<s>`` state beside the mean of the target pieces) for each encoding, (N, 2H)."""
    out = torch.zeros((len(encs), 2 * net.cfg.hidden))
    lengths = [e.length(ws) for e, ws in zip(encs, with_source, strict=True)]
    was_training = net.training
    net.eval()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
        for idx in token_budget_batches(lengths, 4096, 64):
            batch = collate([encs[i] for i in idx], [with_source[i] for i in idx], pad)
            x = net.bottom(vectors(batch.ids), batch.attention, batch.types, upto=len(net.layers))
            out[idx] = net.pooled(x, batch.target_mask).float()
            if progress:
                progress(len(idx))
    net.train(was_training)
    return out


class FeatureTable:
    """Pooled states by (example id, with source), computed once for everything the stage reads."""

    def __init__(self, net: QualityNetwork, vectors: WordVectors, tokenizer: Tokenizer, dtype: torch.dtype) -> None:
        self.net, self.vectors, self.tokenizer, self.dtype = net, vectors, tokenizer, dtype
        self.rows: dict[Key, int] = {}
        self.table = torch.zeros((0, 2 * net.cfg.hidden))

    def add(self, wanted: Sequence[tuple[Example, bool]], log: Callable[[str], None] = print) -> None:
        todo = list({(ex.id, ws): (ex, ws) for ex, ws in wanted if (ex.id, ws) not in self.rows}.values())
        if not todo:
            return
        t0, done = time.time(), [0]
        cfg = self.net.cfg

        def progress(n: int) -> None:
            done[0] += n
            if done[0] // 5000 != (done[0] - n) // 5000:
                log(f"  pooled states: {done[0]}/{len(todo)} ({done[0] / (time.time() - t0):.0f}/s)")

        encs = [encode_pair(self.tokenizer, ex.target, ex.source if ws else None, ex.target_words,
                            ex.source_words, cfg.max_target_pieces, cfg.max_source_pieces) for ex, ws in todo]
        feats = pooled_states(self.net, self.vectors, encs, [ws for _, ws in todo], self.tokenizer.pad, self.dtype, progress)
        start = len(self.table)
        self.table = torch.cat([self.table, feats])
        for k, (ex, ws) in enumerate(todo):
            self.rows[(ex.id, ws)] = start + k
        log(f"  pooled states of {len(todo)} segments in {time.time() - t0:.0f} s")

    def __getitem__(self, keys: Sequence[Key]) -> torch.Tensor:
        return self.table[[self.rows[k] for k in keys]]


def draw_modes(examples: Sequence[Example], pairs: Sequence[tuple[Example, Example]], target_only_share: float,
               seed: int) -> tuple[list[bool], list[bool]]:
    """Whether each training example, and each ranked pair (both sides alike), is read with its source; the same
    share of target-only reading as the model was trained with."""
    rng = random.Random(seed)
    ex_modes = [bool(ex.source) and rng.random() >= target_only_share for ex in examples]
    pair_modes = [bool(a.source and b.source) and rng.random() >= target_only_share for a, b in pairs]
    return ex_modes, pair_modes


def head_losses(head: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, m: torch.Tensor, better: torch.Tensor,
                worse: torch.Tensor, weights: torch.Tensor, sign: torch.Tensor, rank_weight: float) -> dict[str, torch.Tensor]:
    """Masked squared error on the labels (per head, weighted as in training) and RankNet on the pairs."""
    pred = head(x)
    per_head = ((pred - y) ** 2 * m).sum(0) / m.sum(0).clamp(min=1.0)
    out = {"regression": (per_head * weights).sum()}
    if rank_weight and len(better):
        gap = (head(better) - head(worse)) * sign
        out["rank"] = rank_weight * F.softplus(-2.0 * gap).mean()
    return out


def train_head(head: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, m: torch.Tensor, better: torch.Tensor,
               worse: torch.Tensor, names: Sequence[str], loss_weights: dict[str, float], cfg: HeadConfig,
               log: Callable[[str], None] = print) -> None:
    """AdamW over shuffled batches of segments, each with a batch of ranked pairs; linear decay; seeded."""
    gen = torch.Generator().manual_seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    weights = torch.tensor([loss_weights.get(n, 1.0) for n in names])
    sign = torch.tensor([-1.0 if n == "hter" else 1.0 for n in names])
    opt = torch.optim.AdamW(head.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = max(1, (len(x) + cfg.batch - 1) // cfg.batch)
    total, step = steps_per_epoch * cfg.epochs, 0
    rank_batch = max(1, cfg.batch // 2)
    head.train()
    for epoch in range(cfg.epochs):
        order = torch.randperm(len(x), generator=gen)
        rank_order = torch.randperm(len(better), generator=gen) if len(better) else torch.zeros(0, dtype=torch.long)
        running: dict[str, float] = defaultdict(float)
        for b in range(steps_per_epoch):
            for group in opt.param_groups:
                group["lr"] = cfg.lr * (1.0 - step / total)
            idx = order[b * cfg.batch:(b + 1) * cfg.batch]
            ridx = rank_order[(b * rank_batch) % max(1, len(rank_order)):][:rank_batch]
            losses = head_losses(head, x[idx], y[idx], m[idx], better[ridx], worse[ridx], weights, sign, cfg.rank_loss)
            loss = sum(losses.values())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            for k, v in losses.items():
                running[k] += float(v.detach()) / steps_per_epoch
        log(f"  head epoch {epoch + 1}: " + " ".join(f"{k} {v:.4f}" for k, v in running.items()))
    head.eval()


def validation_figures(head: torch.nn.Module, table: FeatureTable, validation: Sequence[Example],
                       post_edits: dict[str, Example], names: Sequence[str], mode: bool) -> dict[str, float]:
    """On the validation slice, read one way (``mode``: with the source): mean Pearson of the DA head with the DA
    over the MLQE-PE pairs, the share of changed MLQE-PE translations whose post-edit the DA head scores higher,
    and the WMT23 Kendall tau of the DA head within each source segment."""
    j = names.index("da")
    with torch.no_grad():
        score = head(table[[(ex.id, mode) for ex in validation]])[:, j].numpy()
        by_pair: dict[str, list[int]] = defaultdict(list)
        for i, ex in enumerate(validation):
            by_pair[f"{ex.corpus}:{ex.pair}"].append(i)
        rs = [pearson(score[idx], [validation[i].labels["da"] for i in idx])
              for key, idx in by_pair.items() if key.startswith("mlqe")]
        changed = [i for i, ex in enumerate(validation) if ex.id in post_edits]
        pe = head(table[[(post_edits[validation[i].id].id, mode) for i in changed]])[:, j].numpy()
        wmt = [i for i, ex in enumerate(validation) if "mqm" in ex.extra]
        within = kendall_within([validation[i].group for i in wmt], score[wmt],
                                [validation[i].extra["mqm"] for i in wmt]) if wmt else float("nan")
    return {"r_da": float(np.nanmean(rs)) if rs else float("nan"),
            "pe_wins": float(np.mean(pe > score[changed])) if changed else float("nan"), "tau_within": within}


def refit_head(net: QualityNetwork, base: Base, splits: Splits, stats: dict, cfg: HeadConfig,
               target_only_share: float, loss_weights: dict[str, float], log: Callable[[str], None] = print,
               vectors: WordVectors | None = None) -> dict:
    """Train ``net``'s sentence head (in place) on its encoder's pooled states of ``splits.train`` and their
    ranked pairs, each read with its source or without as the model was trained (``target_only_share`` of
    them without), on the regression (``loss_weights`` per head) and the ranking loss; returns the settings and
    the validation figures before and after."""
    from .estimator import default_dtype

    t0 = time.time()
    names = list(net.cfg.sentence_targets)
    if vectors is None:
        vectors = WordVectors(base)
        vectors.preload()
    table = FeatureTable(net, vectors, base.tokenizer, getattr(torch, default_dtype()))
    train_ex = splits.train
    pairs = ranked_pairs(train_ex, cfg.min_hter)
    ex_modes, pair_modes = draw_modes(train_ex, pairs, target_only_share, cfg.seed)
    val_pe = {ex.id: pe for ex in splits.validation if ex.corpus == "mlqe" and (pe := post_edit_of(ex)) is not None}
    modes = [False] if target_only_share >= 1.0 else [True, False]
    log(f"sentence head with a ranking loss: {len(train_ex)} training segments, {len(pairs)} ranked pairs, "
        f"validation {len(splits.validation)} ({len(val_pe)} with a post-edit); settings {asdict(cfg)}")
    table.add([*zip(train_ex, ex_modes, strict=True),
               *((ex, ws) for pair, ws in zip(pairs, pair_modes, strict=True) for ex in pair),
               *((ex, ws) for ex in [*splits.validation, *val_pe.values()] for ws in modes)], log)

    def figures() -> dict[str, dict[str, float]]:
        return {("source" if ws else "target"): validation_figures(net.sentence, table, splits.validation, val_pe,
                                                                   names, ws) for ws in modes}

    before = figures()
    x = table[[(ex.id, ws) for ex, ws in zip(train_ex, ex_modes, strict=True)]]
    y, m = sentence_labels([ex.labels for ex in train_ex], names, stats)
    better = table[[(a.id, ws) for (a, _), ws in zip(pairs, pair_modes, strict=True)]]
    worse = table[[(b.id, ws) for (_, b), ws in zip(pairs, pair_modes, strict=True)]]
    train_head(net.sentence, x, y, m, better, worse, names, loss_weights, cfg, log)
    after = figures()
    for mode in before:
        log(f"[validation {mode}] before: " + " ".join(f"{k} {v:.3f}" for k, v in before[mode].items())
            + " | after: " + " ".join(f"{k} {v:.3f}" for k, v in after[mode].items()))
    return {"settings": asdict(cfg), "ranked_pairs": len(pairs), "before": before, "after": after,
            "seconds": round(time.time() - t0)}
