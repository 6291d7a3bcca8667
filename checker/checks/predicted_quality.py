"""The calibrated score: segment scores predicted from measured features, fitted on professional MQM ratings.

A post-scoring step (:class:`~checker.registry.PostScorer`): after every check has run and
the penalty scores are set, it predicts each segment's MQM score with the ridge
regression of :mod:`checker.calibration` and replaces the scores; the penalty scores
stay in ``penalty_score``. Off by default (see docs/calibration.md for why).
"""

from __future__ import annotations

from typing import Any, ClassVar

from .. import calibration as cal
from ..context import CheckContext
from ..registry import PostScore, PostScorer, register
from ..scoring import document_score
from ..values import Document, Finding


def _paired(doc: Document) -> bool:
    return (doc.paired and any(s.source for s in doc.segments)) or doc.source_text is not None


@register
class PredictedQuality(PostScorer):
    """Replaces the penalty scores with scores predicted from the features of :mod:`checker.calibration`."""

    id = cal.CHECK_ID
    description = ("Segment scores predicted from length, similarity, word frequency, findings (and LM surprisal when "
                   "lm-fluency ran), calibrated on professional MQM ratings (WMT23); flags segments predicted low. "
                   "The penalty score stays in penalty_score.")
    category = cal.FLAG_CATEGORY
    severity = "minor"
    default_enabled = False
    requires = "embeddings"
    models = ("crosslingual_model",)
    params: ClassVar[dict[str, Any]] = {}

    def unsupported(self, doc: Document, ctx: CheckContext) -> str | None:
        """Any language pair with a source (its own calibration or the generic one); English without."""
        if not cal.mode_for(_paired(doc), ctx.src_lang, ctx.tgt_lang):
            return f"calibrated score: no calibration for target language {ctx.tgt_lang!r}; penalty score kept"
        return None

    def rescore(self, doc: Document, findings: list[Finding], ctx: CheckContext) -> PostScore | None:
        """Each segment's predicted MQM (``extra["predicted_mqm"]``) mapped to a score, capped by its penalty score
        when it has a critical finding; the document score is their mean, as for the penalty scores
        (:func:`checker.scoring.document_score`). None, after a warning, when a model it needs cannot load."""
        paired = _paired(doc)
        mode = cal.mode_for(paired, ctx.src_lang, ctx.tgt_lang)
        segments = doc.segments
        live = [s for s in segments if s.text.strip() and (not paired or (s.source or "").strip())]
        if not live:
            return None
        # the LM variant only when this run already scored the targets with the LM (lm-fluency): no extra model load
        variants = [True, False] if "lm_surprisals" in ctx.cache else [False]
        for with_lm in variants:
            model = cal.fitted_model(mode, with_lm)
            try:
                rows = cal.segment_feature_rows(live, findings, model, ctx)
                break
            except Exception as exc:  # a missing model must not cost the report
                if not with_lm:
                    ctx.warn(f"calibrated score unavailable ({type(exc).__name__}: {exc}); penalty score kept")
                    return None
        by_seg: dict[int, list[Finding]] = {}
        for f in findings:
            by_seg.setdefault(f.segment, []).append(f)
        predicted = model.predict(rows)
        scores: dict[int, float] = {}
        for seg, mqm in zip(live, predicted, strict=True):
            seg.extra["predicted_mqm"] = round(float(mqm), 3)
            scores[seg.index] = cal.combine(cal.score_from_mqm(float(mqm)), seg.score, by_seg.get(seg.index, []))
        lm_note = " + LM" if "lm" in model.needs else ""
        ctx.record_model("calibration", f"{mode}{lm_note} ({cal.load_params().get('version', '?')})")
        document = document_score(round(scores.get(s.index, s.score), 2) for s in segments)
        return PostScore(scores, document, cal.flag_findings(live, predicted, mode, "lm" in model.needs))
