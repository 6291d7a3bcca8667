"""From texts to network inputs: piece ids, token types, masks, and piece <-> word maps."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .bases import Base, Tokenizer

IGNORE = -100
Span = tuple[int, int]


@dataclass
class Encoded:
    """One (target, source) pair laid out for the network.

    ``ids`` is ``<s> target </s> [</s> source </s>]``. Target pieces sit at
    ``ids[1:1 + n_target]``; source pieces, when present, at
    ``ids[source_start:source_start + n_source]``. ``target_word`` /
    ``source_word`` give each piece's word index (-1: none, e.g. a bare ``▁``).
    """

    ids: list[int]
    n_target: int
    target_offsets: list[Span]
    target_word: list[int]
    source_start: int = 0
    n_source: int = 0
    source_offsets: list[Span] | None = None
    source_word: list[int] | None = None
    #: pieces of the target or the source were cut (beyond ``max_target`` / ``max_source``)
    cut: bool = False

    @property
    def target_only_length(self) -> int:
        return self.n_target + 2

    def length(self, with_source: bool) -> int:
        """Positions the network reads: the whole pair, or the target alone (without a source, or when asked)."""
        return len(self.ids) if with_source and self.n_source else self.target_only_length

    def types(self, with_source: bool) -> list[int]:
        n = self.target_only_length
        if not with_source or not self.n_source:
            return [0] * n
        return [0] * n + [1] * (len(self.ids) - n)


def piece_words(text: str, offsets: Sequence[Span], words: Sequence[Span]) -> list[int]:
    """Index of the word holding each piece's first visible character (-1 for none)."""
    starts = [s for s, _ in words]
    out = []
    for s, e in offsets:
        while s < e and text[s].isspace():
            s += 1
        if s >= e:
            out.append(-1)
            continue
        i = bisect.bisect_right(starts, s) - 1
        out.append(i if i >= 0 and words[i][0] <= s < max(words[i][1], words[i][0] + 1) else -1)
    return out


def encode_pair(tok: Tokenizer, target: str, source: str | None, target_words: Sequence[Span],
                source_words: Sequence[Span] | None = None, max_target: int = 200, max_source: int = 200) -> Encoded:
    """Lay out one pair; pieces beyond ``max_target`` / ``max_source`` are cut."""
    t = tok.encode(target)
    t_ids, t_off = t.ids[:max_target], t.offsets[:max_target]
    ids = [tok.bos, *t_ids, tok.eos]
    enc = Encoded(ids=ids, n_target=len(t_ids), target_offsets=t_off,
                  target_word=piece_words(target, t_off, target_words), cut=len(t.ids) > max_target)
    if source:
        s = tok.encode(source)
        s_ids, s_off = s.ids[:max_source], s.offsets[:max_source]
        enc.source_start = len(ids) + 1
        enc.ids = [*ids, tok.eos, *s_ids, tok.eos]
        enc.n_source = len(s_ids)
        enc.source_offsets = s_off
        enc.source_word = piece_words(source, s_off, source_words or [])
        enc.cut = enc.cut or len(s.ids) > max_source
    return enc


def piece_labels(piece_word: Sequence[int], bad: Sequence[bool] | None) -> list[int]:
    """1/0 per piece from its word's BAD/OK tag (IGNORE for pieces without a word or no tags)."""
    if bad is None:
        return [IGNORE] * len(piece_word)
    return [IGNORE if w < 0 or w >= len(bad) else int(bad[w]) for w in piece_word]


def sentence_labels(labels: Sequence[dict[str, float]], names: Sequence[str],
                    stats: dict[str, tuple[float, float]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Each segment's sentence labels standardised by ``stats`` (mean, sd), (N, len(names)), and which are known."""
    y = torch.zeros((len(labels), len(names)))
    known = torch.zeros_like(y)
    for i, row in enumerate(labels):
        for j, name in enumerate(names):
            if name in row:
                mean, sd = stats[name]
                y[i, j] = (row[name] - mean) / sd
                known[i, j] = 1.0
    return y, known


class WordVectors:
    """The frozen word-embedding rows of a base encoder, read from its package.

    ``preload()`` reads the whole matrix once (training: fastest lookups; e5's is
    ~384 MB dequantised); otherwise only the rows a batch needs are read.
    """

    def __init__(self, base: Base, dtype: torch.dtype = torch.float32) -> None:
        self.base = base
        self.dtype = dtype
        self._table: torch.Tensor | None = None

    def preload(self) -> None:
        if self._table is None:
            self._table = torch.from_numpy(np.ascontiguousarray(self.base.word_table()))

    def __call__(self, ids: torch.Tensor) -> torch.Tensor:
        if self._table is not None:
            return torch.nn.functional.embedding(ids, self._table)
        flat = ids.reshape(-1).numpy()
        uniq, inverse = np.unique(flat, return_inverse=True)
        rows = torch.from_numpy(np.ascontiguousarray(self.base.word_rows(uniq))).to(self.dtype)
        return rows[torch.from_numpy(inverse)].reshape(*ids.shape, -1)


@dataclass
class Batch:
    ids: torch.Tensor
    attention: torch.Tensor
    types: torch.Tensor
    target_mask: torch.Tensor
    with_source: list[bool]


def collate(items: Sequence[Encoded], with_source: Sequence[bool], pad_id: int) -> Batch:
    """Pad a list of encodings into tensors; ``with_source[i]`` False cuts item i to its target."""
    lengths = [e.length(ws) for e, ws in zip(items, with_source, strict=True)]
    width = max(lengths)
    n = len(items)
    ids = torch.full((n, width), pad_id, dtype=torch.long)
    attention = torch.zeros((n, width), dtype=torch.long)
    types = torch.zeros((n, width), dtype=torch.long)
    target_mask = torch.zeros((n, width), dtype=torch.bool)
    for i, (e, ws, length) in enumerate(zip(items, with_source, lengths, strict=True)):
        ids[i, :length] = torch.tensor(e.ids[:length])
        attention[i, :length] = 1
        types[i, :length] = torch.tensor(e.types(ws)[:length])
        target_mask[i, 1:1 + e.n_target] = True
    return Batch(ids, attention, types, target_mask, [bool(ws and e.n_source) for e, ws in zip(items, with_source, strict=True)])
