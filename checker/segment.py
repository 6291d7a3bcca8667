"""Sentence segmentation that keeps exact character offsets.

Text is cut into blocks at line breaks (headlines, bylines and debris lines are
their own blocks), then each block into sentences with pysbd's character
spans. Offsets always index the original string, so ``text[s.start:s.end] == s.text``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd
from pysbd.languages import LANGUAGE_CODES

from .model import Segment

_BLOCK_RE = re.compile(r"[^\n]+")


@lru_cache(maxsize=16)
def _segmenter(lang: str) -> pysbd.Segmenter:
    code = lang if lang in LANGUAGE_CODES else "en"
    return pysbd.Segmenter(language=code, clean=False, char_span=True)


def split_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line."""
    out = []
    for m in _BLOCK_RE.finditer(text):
        s, e = m.span()
        chunk = m.group()
        if not chunk.strip():
            continue
        # trim surrounding whitespace but keep offsets
        s += len(chunk) - len(chunk.lstrip())
        e -= len(chunk) - len(chunk.rstrip())
        out.append((s, e))
    return out


#: pysbd's time grows faster than linearly with block length, so longer blocks are cut into windows first
MAX_SBD_CHARS = 10_000
_WINDOW_END_RE = re.compile(r"[.!?\u3002\uff01\uff1f]\s|\s")


def _windows(block: str, size: int = MAX_SBD_CHARS) -> list[tuple[int, int]]:
    """(start, end) windows of at most ``size`` characters, cut after a sentence end or a space where possible."""
    out, pos = [], 0
    while len(block) - pos > size:
        cut = pos + size
        ends = [m.end() for m in _WINDOW_END_RE.finditer(block, pos + size // 2, pos + size)]
        strong = [e for e in ends if block[e - 2] in ".!?\u3002\uff01\uff1f"]
        if strong or ends:
            cut = (strong or ends)[-1]
        out.append((pos, cut))
        pos = cut
    out.append((pos, len(block)))
    return out


def split_sentences(text: str, lang: str | None = "en") -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    for bs, be in split_blocks(text):
        block = text[bs:be]
        try:
            pieces = [(ws + p.start, ws + p.end) for ws, we in _windows(block)
                      for p in _segmenter(lang or "en").segment(block[ws:we])]
        except Exception:  # pysbd can fail on odd input; fall back to the whole block
            pieces = [(0, len(block))]
        if not pieces:
            pieces = [(0, len(block))]
        covered = 0
        for ps, pe in pieces:
            ps = max(ps, covered)
            pe = max(pe, ps)
            chunk = block[ps:pe]
            if chunk.strip():
                lead = len(chunk) - len(chunk.lstrip())
                trail = len(chunk) - len(chunk.rstrip())
                spans.append((bs + ps + lead, bs + pe - trail))
            covered = pe
        if covered < len(block) and block[covered:].strip():
            rest = block[covered:]
            lead = len(rest) - len(rest.lstrip())
            spans.append((bs + covered + lead, be - (len(rest) - len(rest.rstrip()))))
    return spans


def segment_text(text: str, lang: str | None = "en") -> list[Segment]:
    """Segments of a target-only document, with block numbers."""
    segs: list[Segment] = []
    blocks = split_blocks(text)
    bi = 0
    for s, e in split_sentences(text, lang):
        while bi + 1 < len(blocks) and s >= blocks[bi][1]:
            bi += 1
        segs.append(Segment(index=len(segs), start=s, end=e, text=text[s:e], tgt_lang=lang, block=bi))
    return segs
