"""The packaged SmolLM2 in plain torch, read from the weights mtcheck caches (no transformers on the way).

transformers' model code costs 2-3 s of imports and loading in every new process; the network itself is a
small Llama: RMSNorm, rotary positions, grouped-query attention, a SwiGLU MLP, tied embeddings. This module
runs the same network from the cached ``config.json`` / ``model.safetensors`` / ``tokenizer.json``
(:func:`checker.lm.load_packaged_lm` writes them on the first run, through transformers' GGUF loader):

* every step as transformers does it, in the same number type (RMSNorm in float32, rotary frequencies
  rounded to the compute type as ``model.to(bfloat16)`` rounds them), so the surprisals are the same
  (``tests/test_lm.py`` holds them equal on the sample);
* q/k/v and gate/up are one matrix product each instead of three and two;
* the tokenizer is the cached ``tokenizer.json`` read by ``tokenizers`` (what transformers' fast tokenizer wraps).

It offers what :func:`checker.lm.token_surprisals` and :func:`checker.lm.decode_token` use of a transformers
model and tokenizer, nothing more.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
import torch.nn.functional as F

#: what the port reads; any other architecture goes through transformers
ARCHITECTURE = "LlamaForCausalLM"


def readable(folder: Path) -> bool:
    """Whether ``folder`` holds a Llama causal LM in the files this port reads."""
    try:
        cfg = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (cfg.get("architectures") == [ARCHITECTURE] and cfg.get("tie_word_embeddings", False)
            and all((Path(folder) / f).is_file() for f in ("model.safetensors", "tokenizer.json"))
            and cfg.get("rope_parameters", {}).get("rope_type", "default") == "default"
            and cfg.get("hidden_act", "silu") == "silu" and not cfg.get("attention_bias") and not cfg.get("mlp_bias"))


class PieceTokenizer:
    """``tokenizer.json`` through ``tokenizers``, with the calls of a transformers fast tokenizer mtcheck makes."""

    is_fast = True

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(path))

    def __call__(self, text: str, add_special_tokens: bool = False, return_offsets_mapping: bool = False) -> dict:
        enc = self._tok.encode(text, add_special_tokens=add_special_tokens)
        out: dict[str, Any] = {"input_ids": list(enc.ids)}
        if return_offsets_mapping:
            out["offset_mapping"] = list(enc.offsets)
        return out

    def convert_ids_to_tokens(self, ids: int | list[int]) -> str | list[str]:
        if isinstance(ids, int):
            return self._tok.id_to_token(ids)
        return [self._tok.id_to_token(i) for i in ids]

    def decode(self, ids: list[int]) -> str:
        return self._tok.decode(list(ids), skip_special_tokens=False)

    def get_vocab(self) -> dict[str, int]:
        return self._tok.get_vocab()


class TorchLlama:
    """A tied-embedding Llama causal LM; ``base_model(...)`` gives the final hidden states, ``get_output_embeddings()``
    the vocabulary projection, as transformers' ``LlamaForCausalLM`` does."""

    def __init__(self, folder: Path, dtype: torch.dtype) -> None:
        from safetensors.torch import load_file

        cfg = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
        self.heads, self.kv_heads = int(cfg["num_attention_heads"]), int(cfg["num_key_value_heads"])
        self.head_dim = int(cfg.get("head_dim") or cfg["hidden_size"] // self.heads)
        self.intermediate = int(cfg["intermediate_size"])
        self.eps = float(cfg["rms_norm_eps"])
        self.dtype = dtype
        theta = float(cfg.get("rope_parameters", {}).get("rope_theta", cfg.get("rope_theta", 10000.0)))
        inv_freq = 1.0 / (theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float) / self.head_dim))
        self.inv_freq = inv_freq.to(dtype).float()  # as transformers' buffer after model.to(dtype)
        w = {k: v.to(dtype) for k, v in load_file(str(Path(folder) / "model.safetensors")).items()}
        self.embed = w["model.embed_tokens.weight"]
        self.norm = w["model.norm.weight"]
        self.layers = []
        for i in range(int(cfg["num_hidden_layers"])):
            p = f"model.layers.{i}."
            self.layers.append((
                w[p + "input_layernorm.weight"],
                torch.cat([w[p + f"self_attn.{n}_proj.weight"] for n in ("q", "k", "v")]),
                w[p + "self_attn.o_proj.weight"],
                w[p + "post_attention_layernorm.weight"],
                torch.cat([w[p + "mlp.gate_proj.weight"], w[p + "mlp.up_proj.weight"]]),
                w[p + "mlp.down_proj.weight"],
            ))
        self.base_model = _Body(self)

    def _rms(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return weight * h.to(x.dtype)

    def hidden_states(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The final (normed) hidden state of every position; rows are right-padded, ``attention_mask`` marks tokens."""
        batch, width = input_ids.shape
        x = self.embed[input_ids]
        freqs = torch.arange(width, dtype=torch.float)[:, None] * self.inv_freq
        angles = torch.cat((freqs, freqs), -1)
        cos, sin = angles.cos().to(self.dtype), angles.sin().to(self.dtype)
        mask = torch.ones(width, width, dtype=torch.bool).tril()[None, None] & attention_mask.bool()[:, None, None, :]
        q_size, kv_size, half = self.heads * self.head_dim, self.kv_heads * self.head_dim, self.head_dim // 2
        repeat = self.heads // self.kv_heads

        def rotate(t: torch.Tensor) -> torch.Tensor:
            return t * cos + torch.cat((-t[..., half:], t[..., :half]), -1) * sin

        def heads(t: torch.Tensor, n: int) -> torch.Tensor:
            return t.reshape(batch, width, n, self.head_dim).transpose(1, 2)

        def shared(t: torch.Tensor) -> torch.Tensor:  # grouped-query attention: each key/value head serves `repeat`
            return t[:, :, None].expand(batch, self.kv_heads, repeat, width, self.head_dim).reshape(
                batch, self.heads, width, self.head_dim)

        for norm1, qkv, out, norm2, gate_up, down in self.layers:
            y = F.linear(self._rms(x, norm1), qkv)
            q = rotate(heads(y[..., :q_size], self.heads))
            k = shared(rotate(heads(y[..., q_size:q_size + kv_size], self.kv_heads)))
            v = shared(heads(y[..., q_size + kv_size:], self.kv_heads))
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=self.head_dim ** -0.5)
            x = x + F.linear(a.transpose(1, 2).reshape(batch, width, q_size), out)
            g = F.linear(self._rms(x, norm2), gate_up)
            x = x + F.linear(F.silu(g[..., :self.intermediate]) * g[..., self.intermediate:], down)
        return self._rms(x, self.norm)

    def get_output_embeddings(self) -> Any:
        return lambda h: F.linear(h, self.embed)


class _Body:
    """``model.base_model(input_ids=..., attention_mask=..., use_cache=False).last_hidden_state``, as transformers has it."""

    def __init__(self, lm: TorchLlama) -> None:
        self._lm = lm

    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, use_cache: bool = False) -> Any:
        return SimpleNamespace(last_hidden_state=self._lm.hidden_states(input_ids, attention_mask))


def load(folder: Path, dtype: str) -> tuple[PieceTokenizer, TorchLlama]:
    """The tokenizer and the network of the Llama in ``folder``, in ``dtype`` (``bfloat16`` or ``float32``)."""
    return PieceTokenizer(Path(folder) / "tokenizer.json"), TorchLlama(Path(folder), getattr(torch, dtype))
