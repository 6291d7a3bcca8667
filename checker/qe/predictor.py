"""Run the network over many pairs in length-sorted batches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .features import Encoded, WordVectors, collate
from .network import QualityNetwork


@dataclass
class RawPrediction:
    """Network outputs for one pair: sentence heads and a BAD probability per piece."""

    sentence: np.ndarray  # (len(sentence_targets),) standardised units
    target_bad: np.ndarray  # (n_target,)
    source_bad: np.ndarray | None  # (n_source,) when the source was used


def token_budget_batches(lengths: Sequence[int], max_tokens: int, max_items: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, each under a padded-token budget."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = lengths[i]
        if (current and (len(current) + 1) * width > max_tokens) or len(current) >= max_items:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class Predictor:
    """Batches encodings through a :class:`QualityNetwork` in inference mode."""

    def __init__(self, network: QualityNetwork, vectors: WordVectors, pad_id: int, max_tokens: int = 4096,
                 max_items: int = 64) -> None:
        self.network = network.eval()
        self.vectors = vectors
        self.pad_id = pad_id
        self.max_tokens = max_tokens
        self.max_items = max_items

    @torch.inference_mode()
    def run(self, items: Sequence[Encoded], with_source: Sequence[bool],
            progress: Callable[[int], None] | None = None) -> list[RawPrediction]:
        lengths = [e.length(ws) for e, ws in zip(items, with_source, strict=True)]
        out: list[RawPrediction | None] = [None] * len(items)
        for idx in token_budget_batches(lengths, self.max_tokens, self.max_items):
            batch = collate([items[i] for i in idx], [with_source[i] for i in idx], self.pad_id)
            heads = self.network(self.vectors(batch.ids), batch.attention, batch.types, batch.target_mask)
            sent = heads["sentence"].float().numpy()
            tprob = torch.sigmoid(heads["target_tags"].float()).numpy()
            sprob = torch.sigmoid(heads["source_tags"].float()).numpy()
            for row, i in enumerate(idx):
                e = items[i]
                src = None
                if batch.with_source[row]:
                    src = sprob[row, e.source_start:e.source_start + e.n_source].copy()
                out[i] = RawPrediction(sent[row].copy(), tprob[row, 1:1 + e.n_target].copy(), src)
            if progress:
                progress(len(idx))
        return out  # type: ignore[return-value]


def word_probabilities(piece_probs: np.ndarray, piece_word: Sequence[int], n_words: int, how: str = "max") -> np.ndarray:
    """Per-word BAD probability from its pieces (``max``, ``first`` or ``mean``); 0 for words with no piece."""
    out = np.zeros(n_words, dtype=np.float32)
    seen = np.zeros(n_words, dtype=bool)
    sums = np.zeros(n_words, dtype=np.float32)
    counts = np.zeros(n_words, dtype=np.float32)
    for p, w in zip(piece_probs, piece_word, strict=False):
        if w < 0 or w >= n_words:
            continue
        if how == "max":
            out[w] = max(out[w], p)
        elif how == "first" and not seen[w]:
            out[w] = p
        sums[w] += p
        counts[w] += 1
        seen[w] = True
    if how == "mean":
        out = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0).astype(np.float32)
    return out
