"""The shipped quality-estimation model: load it, and save a trained one."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from .network import NetworkConfig, QualityNetwork

WEIGHTS_FILE = "qe.safetensors"
META_FILE = "qe.json"


def save_model(net: QualityNetwork, stats: dict, figures: dict, cfg: Any, out_dir: Path, extra: dict | None = None) -> None:
    """fp16 weights + a JSON file with the shape, label statistics, training settings and figures."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in net.state_dict().items()}
    save_file(state, str(out_dir / WEIGHTS_FILE))
    meta = {"network": net.cfg.to_dict(), "label_stats": stats, "training": asdict(cfg), "validation": figures,
            **(extra or {})}
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_network(model_dir: Path) -> tuple[QualityNetwork, dict]:
    """The network in float32 and its metadata."""
    meta = json.loads((Path(model_dir) / META_FILE).read_text(encoding="utf-8"))
    net = QualityNetwork(NetworkConfig(**meta["network"]))
    state = {k: v.float() for k, v in load_file(str(Path(model_dir) / WEIGHTS_FILE)).items()}
    net.load_state_dict(state)
    return net.eval(), meta


# -- runtime -----------------------------------------------------------------------------------------------
import re  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import numpy as np  # noqa: E402

PACKAGED_DIR = Path(__file__).resolve().parent.parent / "data" / "qe"
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
WORD_RE = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+(?:['’\-][^\W_{_CJK}]+)*|[^\w\s]|_+")


def default_dtype() -> str:
    """``bfloat16`` where the CPU multiplies it natively (about 2.4x faster here), else ``float32``;
    ``MTCHECK_QE_DTYPE`` overrides."""
    import os

    forced = os.environ.get("MTCHECK_QE_DTYPE", "").strip().lower()
    if forced in ("float32", "bfloat16"):
        return forced
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="ignore")
    except OSError:
        return "float32"
    return "bfloat16" if ("avx512_bf16" in flags or "amx_bf16" in flags) else "float32"


def split_words(text: str) -> list[tuple[int, int]]:
    """Word spans the tags are reported on: words, single punctuation marks, single CJK characters."""
    return [m.span() for m in WORD_RE.finditer(text)]


@dataclass
class WordEstimate:
    """One word and the model's probability that a post-editor would change it."""

    start: int
    end: int
    text: str
    probability: float


@dataclass
class Estimate:
    """What the model says about one segment."""

    score: float  # 0-100, calibrated to direct assessments (see docs/quality-model.md)
    heads: dict[str, float]  # raw head outputs in label units: da (z), hter, mqm (squashed)
    target_words: list[WordEstimate] = field(default_factory=list)
    source_words: list[WordEstimate] | None = None
    with_source: bool = False


class QualityEstimator:
    """Loads the trained network once and scores segments in batches."""

    def __init__(self, model_dir: str | Path | None = None, e5_path: str | Path | None = None,
                 dtype: str | None = None) -> None:
        from .e5_weights import E5Weights
        from .features import WordVectors
        from .predictor import Predictor
        from .subwords import SubwordTokenizer

        self.model_dir = Path(model_dir) if model_dir is not None else PACKAGED_DIR
        self.network, self.meta = load_network(self.model_dir)
        self.dtype = dtype or default_dtype()
        if self.dtype == "bfloat16":
            self.network.to(torch.bfloat16)
        self.weights = E5Weights(e5_path)
        self.tokenizer = SubwordTokenizer(self.weights)
        self.predictor = Predictor(self.network, WordVectors(self.weights, getattr(torch, self.dtype)), self.tokenizer.pad)
        self.names = list(self.network.cfg.sentence_targets)
        self.stats = self.meta["label_stats"]
        cal = self.meta.get("calibration", {})
        self.head_weights: dict[str, float] = cal.get("head_weights", {"da": 1.0})
        self.knots = {mode: (np.asarray(cal.get(mode, {}).get("knots_x", [-3.0, 2.0]), float),
                             np.asarray(cal.get(mode, {}).get("knots_y", [0.0, 100.0]), float))
                      for mode in ("source", "target")}

    @property
    def name(self) -> str:
        return self.meta.get("name", self.model_dir.name)

    def combined(self, standardised: np.ndarray) -> float:
        """The head mix the calibration maps to 0-100 (standardised units; higher is better)."""
        return float(sum(w * standardised[self.names.index(h)] for h, w in self.head_weights.items()))

    def to_score(self, z: float, with_source: bool) -> float:
        xs, ys = self.knots["source" if with_source else "target"]
        return float(np.clip(np.interp(z, xs, ys), 0.0, 100.0))

    def threshold(self, with_source: bool) -> float:
        """BAD-probability above which a word is flagged (chosen on validation data for best MCC)."""
        mode = self.meta.get("calibration", {}).get("source" if with_source else "target", {})
        return float(mode.get("threshold", 0.5))

    def operating_point(self, with_source: bool) -> dict[str, float]:
        """BAD probabilities from which words become minor / major findings (chosen on validation precision)."""
        mode = self.meta.get("calibration", {}).get("source" if with_source else "target", {})
        minor = float(mode.get("minor", 0.9))
        return {"minor": minor, "major": max(minor, float(mode.get("major", 0.97)))}

    def estimate(self, targets: Sequence[str], sources: Sequence[str | None] | None = None,
                 progress: Callable[[int], None] | None = None,
                 target_words: Sequence[Sequence[tuple[int, int]]] | None = None) -> list[Estimate]:
        """Score each target (with its source where given).

        ``target_words`` overrides the word spans tags are reported on (default: :func:`split_words`).
        """
        from .features import encode_pair

        cfg = self.network.cfg
        sources = list(sources) if sources is not None else [None] * len(targets)
        words = [list(w) for w in target_words] if target_words is not None else [split_words(t) for t in targets]
        encs = [encode_pair(self.tokenizer, t, s, w, split_words(s) if s else None, cfg.max_target_pieces,
                            cfg.max_source_pieces) for t, s, w in zip(targets, sources, words, strict=True)]
        raw = self.predictor.run(encs, [bool(s) for s in sources], progress)
        out = []
        from .predictor import word_probabilities

        for t, s, w, e, r in zip(targets, sources, words, encs, raw, strict=True):
            heads = {n: float(r.sentence[j] * self.stats[n][1] + self.stats[n][0]) for j, n in enumerate(self.names)}
            tprobs = word_probabilities(r.target_bad, e.target_word, len(w))
            est = Estimate(score=self.to_score(self.combined(r.sentence), r.source_bad is not None), heads=heads, with_source=r.source_bad is not None,
                           target_words=[WordEstimate(a, b, t[a:b], float(p)) for (a, b), p in zip(w, tprobs, strict=True)])
            if r.source_bad is not None and s:
                sw = split_words(s)
                sprobs = word_probabilities(r.source_bad, e.source_word or [], len(sw))
                est.source_words = [WordEstimate(a, b, s[a:b], float(p)) for (a, b), p in zip(sw, sprobs, strict=True)]
            out.append(est)
        return out


def flagged_spans(words: Sequence[WordEstimate], threshold: float, text: str) -> list[tuple[int, int, float]]:
    """Runs of words at or above ``threshold`` merged into spans ``(start, end, highest probability)``.

    Two flagged words join when only spaces separate them; a flagged run never
    starts or ends on a lone punctuation mark.
    """
    spans: list[tuple[int, int, float]] = []
    for w in words:
        if w.probability < threshold:
            continue
        if spans and not text[spans[-1][1]:w.start].strip():
            s, _, p = spans[-1]
            spans[-1] = (s, w.end, max(p, w.probability))
        else:
            spans.append((w.start, w.end, w.probability))
    return [(s, e, p) for s, e, p in spans if any(ch.isalnum() for ch in text[s:e])]
