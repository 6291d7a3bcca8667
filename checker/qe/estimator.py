"""The shipped quality models: load them, route each segment to one, and save a trained one.

Two models ship in ``checker/data/qe`` (``make train`` rebuilds both from ``../shared/data``):

* ``pair/`` — multilingual-e5-small's first six layers, fine-tuned on all seven MLQE-PE pairs and
  on WMT23 MQM: any segment with a source, and targets in languages other than English;
* ``english/`` — all-MiniLM-L6-v2, fine-tuned on the English targets alone: English without a source.

A folder holding one model (``qe.json`` + ``qe.safetensors``, as ``python -m checker.qe.train
--out DIR`` writes) serves every segment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from .lm_term import LmTerm
from .network import NetworkConfig, QualityNetwork
from .score_scale import strict_knots

WEIGHTS_FILE = "qe.safetensors"
META_FILE = "qe.json"
PACKAGED_DIR = Path(__file__).resolve().parent.parent / "data" / "qe"
#: the models of a packaged folder, in the order they are tried for a segment they both could read
ROLES = ("english", "pair")
#: the English model's calibration entry for English text read by both models (see ``QualityEstimator._pair_up``)
PAIRED_CALIBRATION = "with_pair"
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
WORD_RE = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+(?:['’\-][^\W_{_CJK}]+)*|[^\w\s]|_+")


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


def default_dtype() -> str:
    """``bfloat16`` where the CPU multiplies it natively (about 2.4x faster here), else ``float32``;
    ``MTCHECK_QE_DTYPE`` overrides."""
    from ..resources import compute_dtype

    return compute_dtype("MTCHECK_QE_DTYPE")


def thresholds_of(calibration: dict) -> dict[str, float]:
    """The minor / major finding thresholds and the MCC-best one from a calibration entry."""
    minor = float(calibration.get("minor", 0.9))
    return {"minor": minor, "major": max(minor, float(calibration.get("major", 0.97))),
            "mcc": float(calibration.get("threshold", 0.5))}


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
    """What a model says about one segment."""

    score: float  # 0-100 on the direct-assessment scale (docs/quality-model.md)
    heads: dict[str, float]  # raw head outputs in label units: da (z), hter, mqm (squashed)
    model: str  # which model read it
    with_source: bool = False
    target_words: list[WordEstimate] = field(default_factory=list)
    source_words: list[WordEstimate] | None = None
    #: BAD probabilities from which a word is a minor / major finding, and the benchmark's best-MCC threshold
    thresholds: dict[str, float] = field(default_factory=dict)
    #: the language model's mean word excess (nats) added to the score as a fluency term (English targets)
    lm_excess: float | None = None
    #: windows of (aligned) sentences a segment longer than the network reads was read in (:mod:`checker.qe.windows`)
    windows: int = 1
    #: a window (a sentence, or aligned sentences) was longer than the network reads: only its start was read
    cut: bool = False


class TrainedModel:
    """One trained network (a folder with ``qe.json`` and ``qe.safetensors``), ready to score segments."""

    def __init__(self, folder: str | Path, dtype: str | None = None) -> None:
        from .bases import load_base
        from .features import WordVectors
        from .predictor import Predictor

        self.folder = Path(folder)
        self.network, self.meta = load_network(self.folder)
        self.dtype = dtype or default_dtype()
        if self.dtype == "bfloat16":
            self.network.to(torch.bfloat16)
        self.base = load_base(self.network.cfg.base)
        self.tokenizer = self.base.tokenizer
        self.predictor = Predictor(self.network, WordVectors(self.base, getattr(torch, self.dtype)), self.tokenizer.pad)
        self.names = list(self.network.cfg.sentence_targets)
        self.stats = self.meta["label_stats"]
        cal = self.meta.get("calibration", {})
        self.head_weights: dict[str, float] = cal.get("head_weights", {"da": 1.0})
        self.modes = {m: cal[m] for m in ("source", "target") if m in cal}
        #: each mode's 0-100 scale, read once (every segment's score goes through it)
        self.scales = {m: strict_knots(c.get("knots_x", [-3.0, 2.0]), c.get("knots_y", [0.0, 100.0]))
                       for m, c in self.modes.items()}
        self.reads_source = self.meta.get("training", {}).get("target_only_share", 0.0) < 1.0

    @property
    def name(self) -> str:
        return f"{self.folder.name} ({self.base.description}, {self.network.cfg.layers} layers, {self.dtype})"

    def _mode_name(self, with_source: bool) -> str | None:
        wanted = "source" if with_source else "target"
        return wanted if wanted in self.modes else next(iter(self.modes), None)

    def _mode(self, with_source: bool) -> dict:
        name = self._mode_name(with_source)
        return self.modes[name] if name else {}

    def to_score(self, standardised: np.ndarray, with_source: bool) -> float:
        """The head mix mapped onto the 0-100 scale fitted for the mode."""
        z = float(sum(w * standardised[self.names.index(h)] for h, w in self.head_weights.items()))
        name = self._mode_name(with_source)
        xs, ys = self.scales[name] if name else ([-3.0, 2.0], [0.0, 100.0])
        return float(np.clip(np.interp(z, xs, ys), 0.0, 100.0))

    def thresholds(self, with_source: bool) -> dict[str, float]:
        return thresholds_of(self._mode(with_source))

    def estimate(self, targets: Sequence[str], sources: Sequence[str | None], words: Sequence[list[tuple[int, int]]],
                 progress: Callable[[int], None] | None = None) -> list[Estimate]:
        """An estimate per target (with its source where given). A segment longer than the network reads is read in
        windows of whole sentences (:mod:`checker.qe.windows`; a pair in windows of aligned sentences): its score
        and heads are the windows' means weighted by their target characters, and each word's probability comes
        from the window it starts in."""
        sources = [s if self.reads_source else None for s in sources]
        source_words = [split_words(s) if s else None for s in sources]
        encs = self._encode(targets, sources, words, source_words)
        # the encoding says which segments were cut: only those are split (and tokenised again, in windows)
        spans: dict[int, list[tuple[tuple[int, int] | None, tuple[int, int]]]] = {}
        for i, (t, s, e) in enumerate(zip(targets, sources, encs, strict=True)):
            if e.cut:
                sp = self.pair_windows(s, t) if s else [(None, w) for w in self.windows(t)]
                if len(sp) > 1:
                    spans[i] = sp
        if not spans:
            return self._read(targets, sources, words, source_words, encs, progress)
        plain = [i for i in range(len(targets)) if i not in spans]

        def pick(values: Sequence[Any]) -> list[Any]:
            return [values[i] for i in plain]

        out: dict[int, Estimate] = dict(zip(plain, self._read(pick(targets), pick(sources), pick(words),
                                                               pick(source_words), pick(encs), progress), strict=True))
        out.update(self._read_windows(targets, sources, words, source_words, spans))
        return [out[i] for i in range(len(targets))]

    def _read_windows(self, targets: Sequence[str], sources: Sequence[str | None],
                      words: Sequence[list[tuple[int, int]]], source_words: Sequence[list[tuple[int, int]] | None],
                      spans: dict[int, list[tuple[tuple[int, int] | None, tuple[int, int]]]]) -> dict[int, Estimate]:
        """Estimates of the segments ``spans`` cuts into windows (``i -> [(source span or None, target span)]``):
        every window is read whole, and the segment gets their target-character-weighted mean and each word the
        probability of the window it starts in."""
        parts = [(i, src, tgt) for i, sp in spans.items() for src, tgt in sp]

        def inside(spans_of: Sequence[tuple[int, int]], a: int, b: int) -> tuple[list[int], list[tuple[int, int]]]:
            """The words starting in a..b (a word cut by the window's end keeps its span up to it), and their spans
            in the window's text."""
            ks = [k for k, (x, _) in enumerate(spans_of) if a <= x < b]
            return ks, [(spans_of[k][0] - a, min(spans_of[k][1], b) - a) for k in ks]

        mine_words = [inside(words[i], *tgt) for i, _, tgt in parts]
        mine_source = [inside(source_words[i] or [], *src) if src else ([], None) for i, src, _ in parts]
        texts = [targets[i][slice(*tgt)] for i, _, tgt in parts]
        srcs = [sources[i][slice(*src)] if src else None for i, src, _ in parts]  # type: ignore[index]
        t_spans = [w for _, w in mine_words]
        s_spans = [w for _, w in mine_source]
        read = self._read(texts, srcs, t_spans, s_spans, self._encode(texts, srcs, t_spans, s_spans), None)
        out: dict[int, Estimate] = {}
        for i in spans:
            mine = [(tgt[1] - tgt[0], tw[0], sw[0], e) for (j, _, tgt), tw, sw, e
                    in zip(parts, mine_words, mine_source, read, strict=True) if j == i]
            sizes = np.array([size for size, _, _, _ in mine], float)
            first = mine[0][3]
            est = Estimate(score=float(np.average([e.score for *_, e in mine], weights=sizes)),
                           heads={h: float(np.average([e.heads[h] for *_, e in mine], weights=sizes))
                                  for h in first.heads},
                           model=first.model, with_source=first.with_source, thresholds=first.thresholds,
                           windows=len(mine), cut=any(e.cut for *_, e in mine))
            for _, ks, sks, e in mine:
                est.target_words += [WordEstimate(*words[i][k], targets[i][slice(*words[i][k])], w.probability)
                                     for k, w in zip(ks, e.target_words, strict=True)]
                if e.source_words is not None:
                    sw_all = source_words[i] or []
                    est.source_words = (est.source_words or []) + [
                        WordEstimate(*sw_all[k], sources[i][slice(*sw_all[k])], w.probability)  # type: ignore[index]
                        for k, w in zip(sks, e.source_words, strict=True)]
            out[i] = est
        return out

    def _piece_starts(self, text: str) -> list[int]:
        """Where each sub-word of ``text`` starts (a piece's offset may start at the space before its word: it
        counts from the word)."""
        return [a + len(text[a:b]) - len(text[a:b].lstrip()) for a, b in self.tokenizer.encode(text).offsets]

    def windows(self, text: str) -> list[tuple[int, int]]:
        """The character spans a target read alone is read in: one, unless it has more pieces than the network
        reads."""
        from .windows import window_spans

        return window_spans(text, self._piece_starts(text), self.network.cfg.max_target_pieces - 4)

    def pair_windows(self, source: str, target: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """The (source, target) character spans a pair is read in: one, unless a side has more pieces than the
        network reads (:func:`checker.qe.windows.pair_windows`)."""
        from .windows import pair_windows

        cfg = self.network.cfg
        return pair_windows(source, target, self._piece_starts(source), self._piece_starts(target),
                            cfg.max_source_pieces - 4, cfg.max_target_pieces - 4)

    def _encode(self, targets: Sequence[str], sources: Sequence[str | None], words: Sequence[list[tuple[int, int]]],
                source_words: Sequence[list[tuple[int, int]] | None]) -> list[Any]:
        """Each pair laid out for the network (:func:`checker.qe.features.encode_pair`; pieces beyond its limits cut)."""
        from .features import encode_pair

        cfg = self.network.cfg
        return [encode_pair(self.tokenizer, t, s, w, sw, cfg.max_target_pieces, cfg.max_source_pieces)
                for t, s, w, sw in zip(targets, sources, words, source_words, strict=True)]

    def _read(self, targets: Sequence[str], sources: Sequence[str | None], words: Sequence[list[tuple[int, int]]],
              source_words: Sequence[list[tuple[int, int]] | None], encs: Sequence[Any],
              progress: Callable[[int], None] | None = None) -> list[Estimate]:
        """One pass of the network over encoded pairs, as estimates on the targets' (and sources') words."""
        from .predictor import word_probabilities

        raw = self.predictor.run(list(encs), [bool(s) for s in sources], progress)
        out = []
        for t, s, w, sw, e, r in zip(targets, sources, words, source_words, encs, raw, strict=True):
            with_source = r.source_bad is not None
            heads = {n: float(r.sentence[j] * self.stats[n][1] + self.stats[n][0]) for j, n in enumerate(self.names)}
            tprobs = word_probabilities(r.target_bad, e.target_word, len(w))
            est = Estimate(score=self.to_score(r.sentence, with_source), heads=heads, model=self.folder.name,
                           with_source=with_source, thresholds=self.thresholds(with_source), cut=e.cut,
                           target_words=[WordEstimate(a, b, t[a:b], float(p)) for (a, b), p in zip(w, tprobs, strict=True)])
            if with_source and sw is not None:
                sprobs = word_probabilities(r.source_bad, e.source_word or [], len(sw))
                est.source_words = [WordEstimate(a, b, s[a:b], float(p)) for (a, b), p in zip(sw, sprobs, strict=True)]
            out.append(est)
        return out


class QualityEstimator:
    """The quality models of a folder; each segment is read by the one made for it."""

    def __init__(self, model_dir: str | Path | None = None, dtype: str | None = None) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else PACKAGED_DIR
        if (self.model_dir / META_FILE).is_file():
            self.models = {"any": TrainedModel(self.model_dir, dtype)}
        else:
            self.models = {role: TrainedModel(self.model_dir / role, dtype) for role in ROLES
                           if (self.model_dir / role / META_FILE).is_file()}
        if not self.models:
            raise FileNotFoundError(f"no quality model in {self.model_dir} (no {META_FILE})")
        #: the language model's fluency term for English targets (:mod:`checker.qe.lm_term`), if fitted
        self.lm_term = LmTerm.load(self.model_dir)

    @property
    def name(self) -> str:
        return "; ".join(m.name for m in self.models.values())

    def _pair_up(self, english: list[Estimate], pair: list[Estimate]) -> None:
        """English text alone, read by both models: the mean of their scores (the two err differently: MLQE-PE
        dev into English, Pearson 0.556 against 0.544 and 0.490 alone) and of their word probabilities, read
        against thresholds fitted for that mean (``calibration.with_pair``; word MCC 0.303 against 0.285). A
        model folder without those thresholds keeps the English model's words."""
        fitted = self.models["english"].meta.get("calibration", {}).get(PAIRED_CALIBRATION)
        for e, o in zip(english, pair, strict=True):
            e.score = (e.score + o.score) / 2
            e.model = "english+pair"
            if fitted:
                for w, v in zip(e.target_words, o.target_words, strict=True):
                    w.probability = (w.probability + v.probability) / 2
                e.thresholds = thresholds_of(fitted)

    def route(self, has_source: bool, tgt_lang: str | None) -> str:
        """Which model reads a segment: English without a source goes to ``english`` (scored by the mean of the
        English and the pair model, see :meth:`estimate`), the rest to ``pair``."""
        if "any" in self.models:
            return "any"
        if not has_source and tgt_lang in (None, "en") and "english" in self.models:
            return "english"
        return "pair" if "pair" in self.models else next(iter(self.models))

    def estimate(self, targets: Sequence[str], sources: Sequence[str | None] | None = None,
                 tgt_lang: str | None = None, progress: Callable[[int], None] | None = None,
                 target_words: Sequence[Sequence[tuple[int, int]]] | None = None,
                 lm_excess: Sequence[float | None] | None = None) -> list[Estimate]:
        """Score each target (with its source where given).

        ``target_words`` overrides the word spans tags are reported on (default: :func:`split_words`).
        ``lm_excess`` gives English targets' mean word excess (:func:`checker.qe.lm_term.excesses`): with a
        fitted :class:`~checker.qe.lm_term.LmTerm` it moves their scores; None (or a None entry) leaves them.
        """
        sources = list(sources) if sources is not None else [None] * len(targets)
        words = [list(w) for w in target_words] if target_words is not None else [split_words(t) for t in targets]
        groups: dict[str, list[int]] = {}
        for i, s in enumerate(sources):
            groups.setdefault(self.route(bool(s), tgt_lang), []).append(i)
        out: list[Estimate | None] = [None] * len(targets)
        for role, idx in groups.items():
            got = self.models[role].estimate([targets[i] for i in idx], [sources[i] for i in idx],
                                             [words[i] for i in idx], progress)
            if role == "english" and "pair" in self.models:
                self._pair_up(got, self.models["pair"].estimate([targets[i] for i in idx], [None] * len(idx),
                                                                [words[i] for i in idx], None))
            for i, e in zip(idx, got, strict=True):
                out[i] = e
        if self.lm_term is not None and lm_excess is not None:
            for e, x in zip(out, lm_excess, strict=True):
                if e is not None and x is not None:
                    e.lm_excess = x
                    e.score = self.lm_term.adjust(e.score, x, e.with_source)
        return out  # type: ignore[return-value]


def flagged_spans(words: Sequence[WordEstimate], threshold: float, text: str) -> list[tuple[int, int, float]]:
    """Runs of words at or above ``threshold`` merged into spans ``(start, end, highest probability)``.

    Two flagged words join when only spaces separate them; punctuation marks at either
    end of a run are left out of it (a run of punctuation alone is no span). A threshold of 1
    or more flags nothing (it is what calibration sets where no threshold reaches the precision).
    """
    if threshold >= 1.0:
        return []
    runs: list[list[WordEstimate]] = []
    for w in words:
        if w.probability < threshold:
            continue
        if runs and not text[runs[-1][-1].end:w.start].strip():
            runs[-1].append(w)
        else:
            runs.append([w])
    spans = []
    for run in runs:
        wordy = [i for i, w in enumerate(run) if any(ch.isalnum() for ch in w.text)]
        if wordy:
            kept = run[wordy[0]:wordy[-1] + 1]
            spans.append((kept[0].start, kept[-1].end, max(w.probability for w in kept)))
    return spans
