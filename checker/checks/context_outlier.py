"""Target-only context check: a sentence unrelated to the sentences around it.

Each sentence is compared with the mean embedding of up to ``window`` sentences
on either side (monolingual encoder: the packaged English MiniLM for English
targets, multilingual USE otherwise, or ``--model``). A sentence whose cosine to
its neighbourhood is far below the document's typical value is flagged. Off by
default: it loads sentence-transformers (7-9 s) and its evidence is synthetic
(foreign sentences inserted into news documents; see bench/adequacy.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from ..context import CheckContext
from ..embeddings import embed, role_encoder
from ..registry import Check, register
from ..text import count_words
from ..values import Document, Finding


def neighbour_similarity(vecs: np.ndarray, window: int) -> np.ndarray:
    """Cosine of each row to the normalised mean of its ``window`` neighbours on each side."""
    n = len(vecs)
    out = np.zeros(n, dtype=np.float64)
    for i in range(n):
        idx = [j for j in range(max(0, i - window), min(n, i + window + 1)) if j != i]
        if not idx:
            out[i] = 1.0
            continue
        mean = vecs[idx].mean(axis=0)
        norm = float(np.linalg.norm(mean))
        out[i] = float(vecs[i] @ mean / norm) if norm > 0 else 0.0
    return out


def outlier_scores(sims: np.ndarray) -> np.ndarray:
    """How many robust deviations (median absolute deviation) each value lies below the median."""
    med = float(np.median(sims))
    mad = float(np.median(np.abs(sims - med))) * 1.4826
    return (med - sims) / max(mad, 0.02)


@register
class ContextOutlier(Check):
    id = "context-outlier"
    description = "A sentence unrelated to its neighbours (a stray or misplaced sentence)."
    category = "other/context"
    severity = "minor"
    default_enabled = False
    requires = "embeddings"
    long_segments = "split"
    models = ("embedding_model",)
    params: ClassVar[dict[str, Any]] = {
        "window": 2,  # neighbours on each side
        "max_similarity": 0.15,  # flag only when the cosine to the neighbourhood is below this ...
        "min_deviation": 2.5,  # ... and this many robust deviations below the document's median
        "min_words": 4,  # shorter sentences (headlines, datelines) are not judged
        "min_sentences": 5,  # documents shorter than this are not judged
    }

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        segs = [s for s in doc.segments if count_words(s.text) >= self.settings["min_words"]]
        if len(segs) < self.settings["min_sentences"]:
            return
        enc = role_encoder(ctx, "monolingual", doc.tgt_lang)
        if enc is None:
            return
        vecs = embed(ctx, enc, [s.text for s in segs], within=(0.0, 1.0))
        sims = neighbour_similarity(vecs, self.settings["window"])
        devs = outlier_scores(sims)
        for seg, sim, dev in zip(segs, sims, devs, strict=True):
            if sim < self.settings["max_similarity"] and dev >= self.settings["min_deviation"]:
                yield self.flag(
                    seg, 0, len(seg.text),
                    f"This sentence has similarity {sim:.2f} to the {self.settings['window'] * 2} sentences around it, "
                    f"{dev:.1f} deviations below this document's median {float(np.median(sims)):.2f}: "
                    "it may not belong here.",
                    confidence=min(1.0, dev / (2 * self.settings["min_deviation"])))
