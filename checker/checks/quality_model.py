"""The learned quality score: a network trained on human judgements scores each segment and marks its words.

A post-scoring step (:class:`~checker.registry.PostScorer`) over :mod:`checker.qe`: the first
six layers of multilingual-e5-small, fine-tuned on MLQE-PE direct assessments, post-edit
tags and WMT23 professional MQM ratings. For each segment (with its source when there is
one) it predicts

* a score on the 0-100 direct-assessment scale (docs/quality-model.md says what 90, 70
  and 50 mean, and how well it agrees with human judges on data it never saw), which
  replaces the MQM-penalty score (kept as ``penalty_score``);
* for each word, the probability that a post-editor would change it. Words above the
  ``min_probability`` of the model's operating point become findings; with a source, source
  words the translation seems to have lost or mistranslated become findings on the source.

One problem is reported once: a learned span that overlaps a finding of another check (a
rule with a precise message) or an inline code is dropped, and a segment another check
already gave a major or critical finding gets no learned spans. A segment with a critical
finding keeps the lower of its learned and penalty scores. A document longer than ``max_document_words`` is read up
to there (the report says where it stopped); the segments after it keep their penalty scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from ..codes import code_spans
from ..context import CheckContext
from ..errors import ConfigError, ModelError
from ..registry import PostScore, PostScorer, register
from ..resources import exception_line, load_once
from ..scoring import document_score
from ..values import Document, Finding, Segment

CHECK_ID = "learned-quality"
#: good and fair on the DA scale: raters give 70-90 to a translation that "closely preserves the meaning" and
#: 51-69 to one that is "understandable, generally the same meaning, some errors" (MLQE-PE guidelines)
GOOD_FAIR = (70.0, 50.0)


def load_estimator(spec: str | None) -> Any:
    """The quality model named by ``spec`` (a folder; None: the packaged one), once per process."""

    def build() -> Any:
        try:
            from ..qe.estimator import QualityEstimator

            return QualityEstimator(spec)
        except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
            where = f"{spec}" if spec else "the packaged quality model"
            raise ModelError(f"cannot load {where}: {exception_line(exc)}") from None

    return load_once(f"qe:{spec or ''}", build)


@register
class LearnedQuality(PostScorer):
    """Segment scores and word-level findings from the learned quality model."""

    id = CHECK_ID
    description = ("A small network trained on human judgements (MLQE-PE direct assessments and post-edits, WMT23 MQM) "
                   "scores each segment 0-100 and marks the words a post-editor would likely change; with a source, "
                   "also source words the translation lost or mistranslated.")
    category = "accuracy/mistranslation"
    severity = "minor"
    default_enabled = True
    requires = "qe"
    models = ("qe_model",)
    params: ClassVar[dict[str, Any]] = {
        "min_probability": None,  # word findings from this BAD probability (None: the model's operating point)
        "major_probability": None,  # ... and major from this one (None: the model's)
        "max_chars": 3000,  # characters of a segment the model reads (longer segments: the start)
        # English targets: add the language model's fluency term to the score (checker.qe.lm_term; the packaged
        # SmolLM2, whose surprisals lm-fluency computes anyway). false: the quality models' score alone
        "lm_term": True,
        # words of a document the model reads (0: all); the segments after them keep their penalty score, and the
        # report says where it stopped (checker.budget)
        "max_document_words": 50_000,
    }

    def __init__(self, **overrides: Any) -> None:
        super().__init__(**overrides)
        self._estimates: dict[int, Any] = {}

    @classmethod
    def validate(cls, settings: Mapping[str, Any]) -> None:
        """``lm_term`` must be true or false (a quoted word would switch the term on by accident)."""
        if not isinstance(settings.get("lm_term", True), bool):
            raise ConfigError(f"{CHECK_ID}: lm_term must be true or false, not {settings['lm_term']!r}")

    def run(self, doc: Document, ctx: CheckContext) -> Iterable[Finding]:
        try:
            est = load_estimator(ctx.config.qe_model)
        except ModelError as exc:
            ctx.warn(f"{self.id}: {exc}; penalty scores kept")
            return ()
        from ..lm import set_threads

        set_threads()
        live = [s for s in doc.segments if s.text.strip()]
        limit = int(self.settings["max_chars"])
        long = sum(len(s.text) > limit for s in live)
        if long:
            ctx.warn(f"{self.id}: {long} segment(s) longer than {limit} characters: only their start was scored")
        texts = [s.text[:limit] for s in live]
        excess = self._lm_excess(texts, doc, ctx) if est.lm_term is not None else None
        estimates = est.estimate(texts, [(s.source or "")[:limit] or None for s in live], tgt_lang=ctx.tgt_lang,
                                 lm_excess=excess)
        self._estimates = {s.index: e for s, e in zip(live, estimates, strict=True)}
        cut = [f"unit {s.id}" if s.id is not None else f"#{s.index}" for s, e in zip(live, estimates, strict=True) if e.cut]
        if cut:
            pieces = max(m.network.cfg.max_target_pieces for m in est.models.values())
            which = ", ".join(cut[:5]) + (", ..." if len(cut) > 5 else "")
            ctx.warn(f"{self.id}: {len(cut)} segment(s) with a sentence longer than the quality model reads at once "
                     f"({pieces} sub-words of each side, about 150 English words: {which}): only its start was scored")
        ctx.record_model("quality", est.name + ("; fluency term from SmolLM2's word surprisal" if excess else ""))
        return ()

    def _lm_excess(self, texts: list[str], doc: Document, ctx: CheckContext) -> list[float | None] | None:
        """English targets' mean word excess under the packaged language model (the fluency term of the score,
        fitted on its scale: a model named by ``--lm-model`` serves ``lm-fluency`` alone), reusing the surprisals
        ``lm-fluency`` computed; None for other languages, with ``lm_term`` off, or (with a warning) when the
        language model cannot load."""
        if not self.settings["lm_term"] or (doc.tgt_lang or ctx.tgt_lang or "").lower() != "en" or not texts:
            return None
        from .. import lm
        from ..qe.lm_term import excesses

        try:
            lm.get_model()
        except Exception as exc:  # missing package or broken install: the models' own scores stand
            ctx.warn(f"{self.id}: fluency term skipped: language model unavailable ({exception_line(exc)})")
            return None
        return excesses(texts, ctx.cache.setdefault("lm_surprisals", {}))

    # -- findings ----------------------------------------------------------------------------------------
    def _thresholds(self, est: Any) -> tuple[float, float]:
        low = self.settings["min_probability"]
        high = self.settings["major_probability"]
        return (float(low if low is not None else est.thresholds["minor"]),
                float(high if high is not None else est.thresholds["major"]))

    def _word_findings(self, seg: Segment, est: Any, taken: list[tuple[int, int, str]]) -> list[Finding]:
        from ..qe.estimator import flagged_spans

        out: list[Finding] = []
        low, high = self._thresholds(est)

        def free(start: int, end: int, side: str) -> bool:
            return not any(s < end and start < e and sd == side for s, e, sd in taken)

        for start, end, p in flagged_spans(est.target_words, low, seg.text):
            if not free(start, end, "target"):
                continue
            word = seg.text[start:end]
            if est.with_source:
                msg = (f"'{word}' may not translate the source correctly: the quality model expects a post-editor to "
                       f"change it (probability {p:.2f})")
                category = "accuracy/mistranslation"
            else:
                msg = (f"'{word}' reads as a translation error: the quality model expects a post-editor to change it "
                       f"(probability {p:.2f})")
                category = "fluency/garbled"
            out.append(self.flag(seg, start, end, msg, severity="major" if p >= high else "minor", category=category,
                                 confidence=round(p, 3)))
        if est.source_words and seg.source:
            for start, end, p in flagged_spans(est.source_words, high, seg.source):
                if not free(start, end, "source"):
                    continue
                word = seg.source[start:end]
                msg = (f"'{word}' in the source seems lost or mistranslated in the target (quality model, "
                       f"probability {p:.2f})")
                out.append(self.flag_source(seg, start, end, msg, severity="minor", category="accuracy/omission",
                                            confidence=round(p, 3)))
        return out

    # -- scores ------------------------------------------------------------------------------------------
    def rescore(self, doc: Document, findings: list[Finding], ctx: CheckContext) -> PostScore | None:
        if not self._estimates:
            return None
        by_seg: dict[int, list[Finding]] = {}
        for f in findings:
            by_seg.setdefault(f.segment, []).append(f)
        scores: dict[int, float] = {}
        new: list[Finding] = []
        for seg in doc.segments:
            est = self._estimates.get(seg.index)
            if est is None:
                continue
            own = by_seg.get(seg.index, [])
            score = est.score
            if any(f.severity == "critical" for f in own):
                score = min(score, seg.score)  # a critical rule finding the model cannot see caps the segment
            scores[seg.index] = round(score, 2)
            seg.extra["quality"] = {k: round(v, 4) for k, v in est.heads.items()}
            if est.lm_excess is not None:
                seg.extra["quality"]["lm_excess"] = round(est.lm_excess, 4)
            seg.extra["quality_model"] = est.model
            if est.windows > 1:
                seg.extra["quality_windows"] = est.windows  # a long segment, read in windows of (aligned) sentences
            if est.cut:
                seg.extra["quality_cut"] = True  # a pair with a sentence too long to read whole: its start was read
            if any(f.severity in ("major", "critical") for f in own):
                continue  # the segment's problem is already reported, precisely: its learned spans would repeat it
            base = seg.start
            taken = [(f.start - base, f.end - base, "target") if f.side == "target" else (f.start, f.end, f.side)
                     for f in own]
            taken += [(a, b, "target") for a, b in seg.extra.get("protected_spans") or ()]  # inline codes
            taken += [(a, b, "source") for a, b in code_spans(seg.source)]
            new.extend(f for f in self._word_findings(seg, est, taken) if not ctx.config.ignored(f.text))
        document = document_score(scores.get(s.index, s.score) for s in doc.segments)
        return PostScore(scores, document, new, bands=GOOD_FAIR)
