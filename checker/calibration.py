"""Calibrated segment scores: predict the human MQM score of a translation from measured features.

A small ridge regression (standardised features, fitted by ``bench/calibrate.py`` on WMT 2023
professional MQM ratings; the parameters ship in ``checker/data/calibration.json``) maps the
features of each segment to a predicted MQM score (0 = no error, -5 = one major error).

Features (all computed here; the bench script calls these same functions):

* length: characters/words of source and target, log length ratio and its deviation from the
  ratio typical of the language pair;
* numbers: digit groups of the source missing from the target, and added ones;
* similarity (with a source): cross-lingual cosine (multilingual USE); the lowest clause-level
  similarity on each side (each clause against its best match on the other side) is measured by the
  bench but not shipped (no held-out gain, and it costs ~0.1 s per pair);
* word frequency (wordfreq, any language it knows): mean Zipf frequency, share of rare words,
  unknown words;
* fluency (English targets): SmolLM2 token surprisal - mean, max, tokens above ``HIGH_SURPRISAL`` -
  in the modes' ``lm_variant``, used only when ``lm-fluency`` already scored the targets in this run;
* heuristic findings: MQM penalty points and counts by severity of the model-free checks.

Scores: ``predicted_mqm`` maps to a 0-100 segment score by ``100 * exp(predicted_mqm / SCALE)``
(monotone, so it ranks exactly like the prediction), capped by the plain penalty score when the
segment has a critical finding. The document score is the mean of the segment scores. A segment predicted at
or below the mode's ``flag_below`` gets a whole-segment finding whose message gives the held-out
precision of such flags. Held-out figures: docs/calibration.md.

This module is the fitted model and its features (``bench/calibrate.py`` fits it with these same
functions); the step that applies it to a report, after every check, is the post-scoring step
``predicted-quality`` (:mod:`checker.checks.predicted_quality`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .registry import CHECKS
from .scoring import count_words, penalty, score_from_penalty
from .text import ANY_WORD_RE, CLAUSE_BREAK_RE, is_cjk
from .values import Finding, Segment

if TYPE_CHECKING:
    from .context import CheckContext
    from .embeddings import Encoder
    from .lm import TokenSurprisal

PARAMS_PATH = Path(__file__).parent / "data" / "calibration.json"
MODES: tuple[str, ...] = ("en-de", "zh-en", "generic-pair", "target-only")
#: predicted MQM -> score: 100 * exp(mqm / SCALE); one major error (-5) gives 82, -25 gives 37
SCALE = 25.0
#: a token above this surprisal (nats) counts as a fluency outlier
HIGH_SURPRISAL = 10.0
#: a word below this Zipf frequency counts as rare
RARE_ZIPF = 2.5
#: at most this many clauses per side for the clause-level similarity
MAX_CLAUSES = 12
CHECK_ID = "predicted-quality"
#: the category of a low-prediction flag
FLAG_CATEGORY = "accuracy/mistranslation"
#: what each mode was fitted on (for messages)
MODE_DATA = {"en-de": "en-de", "zh-en": "zh-en", "generic-pair": "en-de and zh-en",
             "target-only": "zh-en English targets (no source)"}

_NUMBER = re.compile(r"\d+(?:[.,'\u00a0\u202f ]\d{3})*(?:[.,]\d+)?")


# -- features -----------------------------------------------------------------------------------

def numbers(text: str) -> list[str]:
    """Digit groups with their separators removed ("1,500" and "1.500" both give "1500")."""
    return [re.sub(r"\D", "", m.group()) for m in _NUMBER.finditer(text)]


def length_features(source: str | None, target: str, expected_log_ratio: float = 0.0) -> dict[str, float]:
    """Length, length ratio and number agreement of one segment (no model needed)."""
    f = {
        "tgt_chars": math.log1p(len(target)),
        "tgt_words": math.log1p(count_words(target)),
    }
    if source is None:
        return f
    ratio = math.log((len(target) + 1) / (len(source) + 1)) - expected_log_ratio
    src_nums, tgt_nums = numbers(source), numbers(target)
    missing = sum(1 for n in set(src_nums) if n not in tgt_nums)
    added = sum(1 for n in set(tgt_nums) if n not in src_nums)
    f.update({
        "src_chars": math.log1p(len(source)),
        "src_words": math.log1p(count_words(source)),
        "len_ratio": ratio,
        "len_ratio_dev": abs(ratio),
        "numbers_missing": float(missing),
        "numbers_added": float(added),
    })
    return f


def expected_log_ratio(source: str | None, target: str, ratios: dict[str, float]) -> float:
    """Typical log length ratio for the scripts of ``source`` and ``target`` (``length_ratios`` of the params)."""
    if source is None:
        return 0.0
    src_cjk, tgt_cjk = is_cjk(source), is_cjk(target)
    if src_cjk and not tgt_cjk:
        return ratios["cjk_source"]
    if tgt_cjk and not src_cjk:
        return -ratios["cjk_source"]
    return ratios["same_script"]


@lru_cache(maxsize=8)
def _wordfreq_langs() -> frozenset[str]:
    try:
        import wordfreq
    except ImportError:
        return frozenset()
    return frozenset(wordfreq.available_languages())


def word_features(target: str, lang: str | None) -> dict[str, float]:
    """Word-frequency fluency (wordfreq): mean Zipf frequency and the share of rare and unknown words."""
    if not lang or lang not in _wordfreq_langs():
        return {}
    import wordfreq

    words = [w for w in wordfreq.tokenize(target, lang) if not any(ch.isdigit() for ch in w)]
    if not words:
        return {"zipf_mean": 0.0, "rare_frac": 0.0, "unknown_words": 0.0}
    zipf = np.array([wordfreq.zipf_frequency(w, lang) for w in words])
    return {"zipf_mean": float(zipf.mean()), "rare_frac": float((zipf < RARE_ZIPF).mean()),
            "unknown_words": float((zipf == 0).sum())}


def clauses(text: str) -> list[str]:
    """Clauses of ``text`` split at punctuation (Latin and CJK); the whole text if it has one."""
    parts = [p.strip() for p in CLAUSE_BREAK_RE.split(text)]
    parts = [p for p in parts if ANY_WORD_RE.search(p)]
    if len(parts) > MAX_CLAUSES:  # merge neighbours so every part of the text stays covered
        size = math.ceil(len(parts) / MAX_CLAUSES)
        parts = [" ".join(parts[i:i + size]) for i in range(0, len(parts), size)]
    return parts or [text]


def similarity_features(sources: Sequence[str], targets: Sequence[str], encoder: Encoder,
                        known: dict[str, np.ndarray] | None = None, clause_level: bool = True) -> list[dict[str, float]]:
    """Sentence cosine and (``clause_level``) lowest clause-level cosine (each clause vs. its best match) per pair."""
    from .embeddings import encode_unique

    known = {} if known is None else known
    if not clause_level:
        encode_unique(encoder, list(sources) + list(targets), known)
        return [{"similarity": float(known[s] @ known[t])} for s, t in zip(sources, targets, strict=True)]
    src_cl = [clauses(s) for s in sources]
    tgt_cl = [clauses(t) for t in targets]
    everything = list(sources) + list(targets) + [c for cl in src_cl + tgt_cl for c in cl]
    encode_unique(encoder, everything, known)
    out = []
    for s, t, sc, tc in zip(sources, targets, src_cl, tgt_cl, strict=True):
        sims = np.vstack([known[c] for c in sc]) @ np.vstack([known[c] for c in tc]).T
        out.append({
            "similarity": float(known[s] @ known[t]),
            "clause_min_tgt": float(sims.max(axis=0).min()),  # a target clause unlike any source clause
            "clause_min_src": float(sims.max(axis=1).min()),  # a source clause missing from the target
        })
    return out


def lm_features(ts: TokenSurprisal) -> dict[str, float]:
    """Fluency features from the token surprisals of one text."""
    s = np.asarray(ts.surprisals, dtype=np.float64)
    if s.size == 0:
        return {"lm_mean": 0.0, "lm_max": 0.0, "lm_high": 0.0}
    return {"lm_mean": float(s.mean()), "lm_max": float(s.max()), "lm_high": float((s >= HIGH_SURPRISAL).sum())}


def counted_checks() -> set[str]:
    """Checks whose findings are features: the model-free ones (embedding/LM checks are measured directly;
    post-scoring steps are not checks)."""
    return {cid for cid, cls in CHECKS.items() if cls.requires is None and cls.role == "check"}


def finding_features(findings: Iterable[Finding], words: int, counted: set[str] | None = None) -> dict[str, float]:
    """Penalty points, counts by severity and the plain penalty score (0-1) of one segment's heuristic findings."""
    counted = counted_checks() if counted is None else counted
    f = {"find_penalty": 0.0, "find_minor": 0.0, "find_major": 0.0}
    for x in findings:
        if x.check not in counted:
            continue
        f["find_penalty"] += penalty(x)
        f["find_minor" if x.severity == "minor" else "find_major"] += 1.0
    f["find_score"] = score_from_penalty(f["find_penalty"], words) / 100.0
    return f


# -- the fitted model ---------------------------------------------------------------------------
@dataclass
class LinearModel:
    """Ridge regression on standardised features; predicts MQM (or a transform of it)."""

    features: list[str]
    means: list[float]
    scales: list[float]
    coefs: list[float]
    intercept: float
    target: str = "mqm"  # "mqm", or "log": the model predicts -log1p(-mqm)
    needs: tuple[str, ...] = ()

    def predict(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        """Predicted MQM (<= 0) of each feature row; a feature a row lacks counts as its mean."""
        if not rows:
            return np.zeros(0)
        x = np.array([[r.get(n, m) for n, m in zip(self.features, self.means, strict=True)] for r in rows])
        z = (x - np.array(self.means)) / np.array(self.scales)
        y = z @ np.array(self.coefs) + self.intercept
        if self.target == "log":
            y = -np.expm1(np.maximum(-y, 0.0))
        return np.minimum(y, 0.0)

    def to_dict(self) -> dict[str, Any]:
        return {"features": self.features, "means": self.means, "scales": self.scales, "coefs": self.coefs,
                "intercept": self.intercept, "target": self.target,
                "needs": list(self.needs)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LinearModel:
        return cls(list(d["features"]), [float(v) for v in d["means"]], [float(v) for v in d["scales"]],
                   [float(v) for v in d["coefs"]], float(d["intercept"]), d.get("target", "mqm"),
                   tuple(d.get("needs", ())))


@lru_cache(maxsize=1)
def load_params(path: str = str(PARAMS_PATH)) -> dict[str, Any]:
    """The shipped calibration: ``{"modes": {mode: model dict}, "data": ..., "version": ...}``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def fitted_model(mode: str, with_lm: bool = False) -> LinearModel:
    """The model of ``mode``; with ``with_lm``, its variant with LM features when one ships."""
    d = load_params()["modes"][mode]
    return LinearModel.from_dict(d["lm_variant"] if with_lm and "lm_variant" in d else d)


def mode_for(paired: bool, src_lang: str | None, tgt_lang: str | None) -> str:
    """Which calibration applies: the language pair's own, a generic pair one, or target-only."""
    if not paired:
        return "target-only" if tgt_lang in (None, "en") else ""
    key = f"{src_lang}-{tgt_lang}"
    return key if key in load_params()["modes"] else "generic-pair"


def score_from_mqm(mqm: float) -> float:
    """The documented monotone map of a predicted MQM score to 0-100."""
    return 100.0 * math.exp(min(0.0, mqm) / SCALE)


def combine(calibrated: float, penalty_score: float, findings: Iterable[Finding]) -> float:
    """A segment with a critical finding scores no higher than its penalty score."""
    if any(f.severity == "critical" for f in findings):
        return min(calibrated, penalty_score)
    return calibrated


def flag_findings(segments: Sequence[Segment], predicted: Sequence[float], mode: str, with_lm: bool) -> list[Finding]:
    """A finding on each segment predicted at or below the mode's ``flag_below`` (fitted on the ratings)."""
    d = load_params()["modes"][mode]
    d = d["lm_variant"] if with_lm and "lm_variant" in d else d
    below, precision, rate = d.get("flag_below"), d.get("flag_precision"), d.get("major_rate")
    if below is None or precision is None or rate is None:
        return []
    out = []
    for seg, mqm in zip(segments, predicted, strict=True):
        if mqm > below:
            continue
        out.append(Finding(
            check=CHECK_ID, category=FLAG_CATEGORY, severity="minor", start=seg.start, end=seg.end,
            text=seg.text, segment=seg.index, confidence=float(precision),
            message=(f"predicted MQM {mqm:.1f}, at or below {below:.1f}: of the WMT23 {MODE_DATA.get(mode, mode)} "
                     f"segments predicted this low (held out), {precision:.0%} had a major error marked by professional "
                     f"reviewers (all segments: {rate:.0%}); a whole-segment flag, not the error's place"),
        ))
    return out


# -- applying it to a report --------------------------------------------------------------------
def segment_feature_rows(segments: Sequence[Segment], findings: Sequence[Finding], model: LinearModel,
                         ctx: CheckContext) -> list[dict[str, float]]:
    """Every feature ``model`` needs, for each segment, reusing similarities and embeddings of the run."""
    by_seg: dict[int, list[Finding]] = {}
    for f in findings:
        by_seg.setdefault(f.segment, []).append(f)
    counted = counted_checks()
    ratios = load_params()["length_ratios"]
    rows = []
    for seg in segments:
        source = seg.source if "source" in model.needs else None
        row = length_features(source, seg.text, expected_log_ratio(source, seg.text, ratios))
        row.update(finding_features(by_seg.get(seg.index, []), count_words(seg.text), counted))
        row.update(word_features(seg.text, seg.tgt_lang or ctx.tgt_lang))
        rows.append(row)
    if "embeddings" in model.needs:
        from .embeddings import crosslingual_encoder

        enc = crosslingual_encoder(ctx.config)
        known = ctx.cache.setdefault("embeddings", {}).setdefault(enc.name, {})
        sims = similarity_features([s.source or "" for s in segments], [s.text for s in segments], enc, known,
                                   clause_level=any(n.startswith("clause_") for n in model.features))
        for row, sim in zip(rows, sims, strict=True):
            row.update(sim)
    if "lm" in model.needs:
        from .lm import known_surprisals

        surprisals = known_surprisals([s.text for s in segments], ctx.cache.setdefault("lm_surprisals", {}))
        for row, ts in zip(rows, surprisals, strict=True):
            row.update(lm_features(ts))
    return rows
