"""Sentence alignment of a target document with an unaligned source document.

Both sides are cut into sentences; sentences are embedded with the cross-lingual
encoder and aligned by dynamic programming over 1-1, 1-2, 2-1, 1-0 and 0-1
links. A link costs ``1 - cosine`` (a merged pair is encoded as one sentence and
costs ``merge_penalty`` more, and only counts when the merge beats each part
alone); leaving a sentence unlinked costs ``skip_cost``. Linked target segments
get their ``source`` and ``similarity``; unlinked sentences are what the
``sentence-alignment`` check reports as omissions and additions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .embeddings import embed, on_common_scale, role_encoder, similarity_matrix
from .segment import split_sentences

if TYPE_CHECKING:
    from .context import CheckContext
    from .values import Document

#: cost of leaving one sentence unlinked; a 1-1 link is kept while its cosine > 1 - 2 * SKIP_COST
SKIP_COST = 0.4
#: extra cost of a 1-2 or 2-1 link over its 1 - cosine
MERGE_PENALTY = 0.05
#: a merged link must beat the better of its parts alone by this much
MIN_MERGE_GAIN = 0.03

_MOVES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))


@dataclass
class Link:
    """Source sentence indices linked to target sentence indices (one side may be empty)."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    similarity: float | None = None

    @property
    def kind(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass
class Alignment:
    """The links of a document pair and where each source sentence lies in ``source_text``."""

    links: list[Link]
    source_text: str
    source_spans: list[tuple[int, int]]
    best_similarity: dict[int, float] = field(default_factory=dict)  # unlinked source sentence -> best cosine

    def source_sentence(self, i: int) -> str:
        s, e = self.source_spans[i]
        return self.source_text[s:e]


def align_matrices(
    sim: np.ndarray,
    merged_src: dict[tuple[int, int], float] | None = None,
    merged_tgt: dict[tuple[int, int], float] | None = None,
    skip_cost: float = SKIP_COST,
    merge_penalty: float = MERGE_PENALTY,
    min_merge_gain: float = MIN_MERGE_GAIN,
) -> list[Link]:
    """Links from sentence similarities by dynamic programming.

    ``sim[i, j]`` is the cosine of source ``i`` and target ``j``;
    ``merged_src[i, j]`` that of sources ``i, i+1`` joined and target ``j``;
    ``merged_tgt[i, j]`` that of source ``i`` and targets ``j, j+1`` joined.
    Merges missing from the dicts are not considered.
    """
    merged_src = merged_src or {}
    merged_tgt = merged_tgt or {}
    n, m = sim.shape
    inf = float("inf")
    cost = np.full((n + 1, m + 1), inf)
    back = np.zeros((n + 1, m + 1), dtype=np.int8)
    cost[0, 0] = 0.0

    def link_cost(di: int, dj: int, i: int, j: int) -> float:
        # the link covers sources i-di..i-1 and targets j-dj..j-1
        if di == 1 and dj == 1:
            return 1.0 - sim[i - 1, j - 1]
        if di == 0 or dj == 0:
            return skip_cost
        if di == 2:
            merged = merged_src.get((i - 2, j - 1))
            parts = max(sim[i - 2, j - 1], sim[i - 1, j - 1])
        else:
            merged = merged_tgt.get((i - 1, j - 2))
            parts = max(sim[i - 1, j - 2], sim[i - 1, j - 1])
        if merged is None:
            return inf
        if merged - parts < min_merge_gain:
            return inf
        return 1.0 - merged + merge_penalty

    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best, arg = inf, -1
            for k, (di, dj) in enumerate(_MOVES):
                if i < di or j < dj:
                    continue
                prev = cost[i - di, j - dj]
                if prev == inf:
                    continue
                c = prev + link_cost(di, dj, i, j)
                if c < best:
                    best, arg = c, k
            cost[i, j] = best
            back[i, j] = arg
    links: list[Link] = []
    i, j = n, m
    while i > 0 or j > 0:
        di, dj = _MOVES[back[i, j]]
        links.append(Link(tuple(range(i - di, i)), tuple(range(j - dj, j))))
        i, j = i - di, j - dj
    links.reverse()
    return links


def merges_near_gaps(links: list[Link]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Merges worth encoding after a first pass without merges: each unlinked sentence joined with a
    neighbour that has a 1-1 link. Returns (sources i, i+1 -> target j) and (targets j, j+1 -> source i)
    as sets of (first index, other side index)."""
    src_to_tgt = {ln.src[0]: ln.tgt[0] for ln in links if len(ln.src) == 1 and len(ln.tgt) == 1}
    tgt_to_src = {t: s for s, t in src_to_tgt.items()}
    src_merges: set[tuple[int, int]] = set()
    tgt_merges: set[tuple[int, int]] = set()
    for ln in links:
        if ln.src and not ln.tgt:
            i = ln.src[0]
            src_merges |= {(min(i, k), src_to_tgt[k]) for k in (i - 1, i + 1) if k in src_to_tgt}
        elif ln.tgt and not ln.src:
            j = ln.tgt[0]
            tgt_merges |= {(min(j, k), tgt_to_src[k]) for k in (j - 1, j + 1) if k in tgt_to_src}
    return src_merges, tgt_merges


def align_texts(ctx: CheckContext, sources: list[str], targets: list[str]) -> list[Link] | None:
    """Links between two sentence lists, with each link's cosine; None when no encoder loads.

    A first pass links single sentences only; merges are then encoded only next to the sentences it
    left unlinked, and a second pass decides with them.
    """
    enc = role_encoder(ctx, "crosslingual")
    if enc is None:
        return None
    n = len(sources)
    vecs = embed(ctx, enc, sources + targets, within=(0.0, 0.9))
    vs, vt = vecs[:n], vecs[n:]
    sim = similarity_matrix(enc, vs, vt)
    links = align_matrices(sim)
    src_cand, tgt_cand = merges_near_gaps(links)
    if src_cand or tgt_cand:
        src_list, tgt_list = sorted(src_cand), sorted(tgt_cand)
        joined = [f"{sources[i]} {sources[i + 1]}" for i, _ in src_list] + [f"{targets[j]} {targets[j + 1]}" for j, _ in tgt_list]
        jv = embed(ctx, enc, joined)
        merged_src = {(i, j): float(on_common_scale(enc, jv[k] @ vt[j])) for k, (i, j) in enumerate(src_list)}
        merged_tgt = {(i, j): float(on_common_scale(enc, jv[len(src_list) + k] @ vs[i]))
                      for k, (j, i) in enumerate(tgt_list)}
        links = align_matrices(sim, merged_src, merged_tgt)
    else:
        merged_src, merged_tgt = {}, {}
    for link in links:
        if not link.src or not link.tgt:
            continue
        if len(link.src) == 2:
            link.similarity = merged_src[link.src[0], link.tgt[0]]
        elif len(link.tgt) == 2:
            link.similarity = merged_tgt[link.src[0], link.tgt[0]]
        else:
            link.similarity = float(sim[link.src[0], link.tgt[0]])
    return links


def align_document(doc: Document, ctx: CheckContext) -> Alignment | None:
    """Align ``doc.segments`` with the sentences of ``doc.source_text`` and fill in each segment's source.

    The alignment is kept in ``ctx.alignment`` for the ``sentence-alignment`` check.
    """
    if doc.source_text is None or not doc.segments:
        return None
    spans = split_sentences(doc.source_text, doc.src_lang)
    sources = [doc.source_text[s:e] for s, e in spans]
    links = align_texts(ctx, sources, [seg.text for seg in doc.segments])
    if links is None:
        return None
    alignment = Alignment(links, doc.source_text, spans)
    for link in links:
        if not link.src or not link.tgt:
            continue
        s0, e0 = spans[link.src[0]][0], spans[link.src[-1]][1]
        for t in link.tgt:
            seg = doc.segments[t]
            seg.source = doc.source_text[s0:e0]
            seg.source_start = s0
            seg.src_lang = doc.src_lang
            seg.similarity = link.similarity
            seg.extra["alignment"] = link.kind
    unlinked = [link.src[0] for link in links if not link.tgt]
    if unlinked:
        enc = role_encoder(ctx, "crosslingual")
        if enc is not None:
            vs = embed(ctx, enc, [sources[i] for i in unlinked])
            vt = embed(ctx, enc, [seg.text for seg in doc.segments])
            best = similarity_matrix(enc, vs, vt).max(axis=1)
            alignment.best_similarity = {i: float(b) for i, b in zip(unlinked, best, strict=True)}
    ctx.alignment = alignment
    return alignment


def needs_alignment(doc: Document) -> bool:
    """A plain target document with a source document and no per-segment sources."""
    return doc.source_text is not None and not any(seg.source for seg in doc.segments)
