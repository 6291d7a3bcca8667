"""Text into Documents: sentences with exact character offsets, or one segment per translation unit.

A target-only text is cut into blocks at line breaks (headlines, bylines and debris
lines are their own blocks), then each block into sentences with pysbd's character
spans (:func:`build_document`). Offsets always index the original string, so
``text[s.start:s.end] == s.text``. Pairs become one segment per unit, the targets
joined with newlines (:func:`build_pair_document`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import pysbd
from pysbd.languages import LANGUAGE_CODES

from .codes import code_spans
from .langid import detect_document_language, normalise_lang
from .values import Document, Segment

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


#: a line longer than this is cut into sentences by a plain rule (:func:`rule_sentences`), not by pysbd, which takes
#: about 10 s a megabyte (a whole book on one line: minutes instead of most of an hour)
LONG_BLOCK_CHARS = 100_000
#: a sentence end: . ! ? … then closing quotes (German „…“ too) and white space; or a CJK stop, with or without it
_RULE_END_RE = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019\u201c\u00bb)\]]*\s+"
                          r"|[\u3002\uff01\uff1f]+[\"'\u201d\u2019\u300d\u300f)\]]*\s*")
#: what may open the next sentence besides a capital or a digit: an opening quote (German „ too) or bracket
_SENTENCE_OPENERS = "\"'\u201c\u2018\u201e\u201a\u00ab(["
_ABBREVIATION_WORDS = ("mr mrs ms dr prof st jr sr vs etc e.g i.e no nos fig figs vol ch pp inc ltd co corp gen col lt sgt "
                       "capt rev hon jan feb mar apr jun jul aug sep sept oct nov dec approx ca")
_RULE_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())


def rule_sentences(block: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``block`` by a plain rule, in linear time: a sentence ends after . ! ? or
    a CJK full stop (and any closing quotes) when a capital (or caseless) letter, a digit, an opening quote or the end
    follows,
    and not after a one-letter initial or a common abbreviation. Ends keep their trailing space."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _RULE_END_RE.finditer(block):
        end = m.end()
        nxt = block[end:end + 1]
        cjk = block[m.start()] in "\u3002\uff01\uff1f"
        if not cjk and nxt and not ((nxt.isalpha() and not nxt.islower()) or nxt.isdigit() or nxt in _SENTENCE_OPENERS):
            continue
        if block[m.start()] == ".":
            before = block[max(start, m.start() - 12):m.start()].split()
            word = before[-1].lower() if before else ""
            if (len(word) == 1 and word.isalpha()) or word in _RULE_ABBREVIATIONS:
                continue
        out.append((start, end))
        start = end
    if start < len(block):
        out.append((start, len(block)))
    return out


def split_sentences(text: str, lang: str | None = "en") -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``, whitespace trimmed: pysbd, or :func:`rule_sentences` for a line
    over :data:`LONG_BLOCK_CHARS`."""
    spans: list[tuple[int, int]] = []
    for bs, be in split_blocks(text):
        block = text[bs:be]
        try:
            if len(block) > LONG_BLOCK_CHARS:
                pieces = [(ws + s, ws + e) for ws, we in _windows(block) for s, e in rule_sentences(block[ws:we])]
            else:
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


def build_document(text: str, tgt_lang: str | None = None, name: str = "<text>") -> Document:
    """A target-only document: ``text`` cut into sentences with exact offsets."""
    lang = normalise_lang(tgt_lang) or detect_document_language(text)
    doc = Document(text=text, segments=segment_text(text, lang), tgt_lang=lang, name=name)
    long = [text.count("\n", 0, s) + 1 for s, e in split_blocks(text) if e - s > LONG_BLOCK_CHARS] \
        if len(text) > LONG_BLOCK_CHARS else []
    if long:
        doc.notes.append(f"{name}: line{'s' * (len(long) > 1)} {', '.join(map(str, long[:10]))}"
                         f"{' and more' if len(long) > 10 else ''} (over {LONG_BLOCK_CHARS:,} characters) cut into "
                         "sentences by full stops and capitals, not by pysbd (which takes about 10 s a megabyte)")
    return doc


def build_pair_document(
    pairs: Iterable[tuple[str | None, str] | dict[str, Any]],
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    name: str = "<pairs>",
) -> Document:
    """A document of translation units; targets are joined with newlines.

    ``pairs`` holds ``(source, target)`` tuples or dicts with ``target`` and
    optional ``source`` and ``id``. Each segment's inline codes and placeholders
    (:func:`checker.codes.code_spans`) go into ``extra["protected_spans"]``: they are not prose.
    """
    segments: list[Segment] = []
    parts: list[str] = []
    pos = 0
    for i, item in enumerate(pairs):
        if isinstance(item, dict):
            source, target, uid = item.get("source"), item.get("target", ""), item.get("id")
        else:
            source, target = item
            uid = None
        target = target or ""
        segments.append(
            Segment(index=i, start=pos, end=pos + len(target), text=target, source=source,
                    id=None if uid is None else str(uid), block=i)
        )
        parts.append(target)
        pos += len(target) + 1
    text = "\n".join(parts)
    src = normalise_lang(src_lang)
    tgt = normalise_lang(tgt_lang)
    if tgt is None:
        tgt = detect_document_language(text)
    if src is None:
        sources = "\n".join(s.source for s in segments if s.source)
        src = detect_document_language(sources) if sources else None
    for seg in segments:
        seg.src_lang, seg.tgt_lang = src, tgt
        if spans := code_spans(seg.text):
            seg.extra["protected_spans"] = spans
    return Document(text=text, segments=segments, src_lang=src, tgt_lang=tgt, paired=True, name=name)
