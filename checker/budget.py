"""What a check reads of a long input: bounded time and memory whatever the input's size.

The rule checks take time in proportion to the text (seconds per megabyte); a model takes about a
thousand times as long per word, so a 20 MB text would keep the language model busy for hours, and
one 50 MB unit (a whole book on one JSONL line) is a "sentence" no model and few rules are made for.
So, and the report says what each bound left out:

* a unit longer than :data:`RULE_SEGMENT_CHARS` is read by the target-side rule checks in windows of at
  most :data:`MODEL_SEGMENT_CHARS`, cut after a sentence end or a space (each window a paragraph of its
  own), so no check holds more than a window's words at once (the rule checks that compare a unit with
  its source read it whole: they take time in proportion to it);
* a segment longer than :data:`MODEL_SEGMENT_CHARS` is read sentence by sentence by a model check whose
  ``long_segments`` is ``"split"`` (the language model, the parser, which read sentences anyway), and
  skipped by one whose ``long_segments`` is ``"skip"`` (a sentence encoder reads only the first few
  hundred tokens of a unit, so its similarity would not describe it);
* a check with a ``max_document_words`` setting reads the document's segments in order until that many words,
  and leaves the rest out (``max_document_words = 0`` in ``[checks.ID]`` of ``mtcheck.toml``: no limit).

:func:`check_view` gives a check the document it is to read: the same text (every offset holds), with
only the segments it reads. Target findings find their segments again by offset in the pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .text import count_words
from .values import Document, Segment

if TYPE_CHECKING:
    from .registry import Check

#: a segment longer than this (characters) is too long for a model check as one piece
MODEL_SEGMENT_CHARS = 10_000
#: a unit longer than this (characters) is read by the rule checks on the target alone in windows
RULE_SEGMENT_CHARS = 100_000


def _ranges(indices: list[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``1-3, 7`` (at most five ranges, then how many more)."""
    spans: list[list[int]] = []
    for i in indices:
        if spans and i <= spans[-1][1] + 1:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    shown = [f"{a:,}" if a == b else f"{a:,}-{b:,}" for a, b in spans[:5]]
    return ", ".join(shown) + (f" and {len(spans) - 5} more ranges" if len(spans) > 5 else "")


@lru_cache(maxsize=4)
def _window_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where the windows of a long text start and end (found once, not once per check)."""
    from .segment import MAX_SBD_CHARS, _windows

    return tuple(_windows(text, min(MAX_SBD_CHARS, MODEL_SEGMENT_CHARS)))


def _windows(seg: Segment) -> Iterator[tuple[int, int]]:
    yield from _window_spans(seg.text)


def _pieces(seg: Segment, lang: str | None, sentences: bool) -> Iterator[Segment]:
    """The windows of a long segment (or, with ``sentences``, their sentences), one at a time, so a budget that
    stops early cuts no more."""
    from .segment import split_sentences

    for ws, we in _windows(seg):
        spans = split_sentences(seg.text[ws:we], lang) if sentences else [(0, we - ws)]
        for s, e in spans:
            yield Segment(index=seg.index, start=seg.start + ws + s, end=seg.start + ws + e,
                          text=seg.text[ws + s:ws + e], id=seg.id, src_lang=seg.src_lang, tgt_lang=seg.tgt_lang,
                          block=-1 if sentences else -2)  # -2: a window is a paragraph of its own


def _mode(check: Check) -> tuple[str | None, int]:
    """How ``check`` reads long segments, and from what length."""
    mode = getattr(check, "long_segments", None)
    if mode == "whole":
        return None, 0
    if mode is not None:
        return mode, MODEL_SEGMENT_CHARS
    if check.role == "check" and not check.requires and not check.needs_source:  # a rule check on the target alone
        return "window", RULE_SEGMENT_CHARS
    return None, 0


def check_view(doc: Document, check: Check) -> tuple[Document, list[str]]:
    """The document ``check`` reads (``doc`` itself when nothing is left out or cut) and notes for the report."""
    mode, longest = _mode(check)
    limit = int(check.settings.get("max_document_words") or 0)
    if (mode is None or not any(len(s.text) > longest or len(s.source or "") > longest for s in doc.segments)) \
            and not limit:
        return doc, []
    notes: list[str] = []
    segments: list[Segment] = []
    skipped: list[int] = []
    cut: list[int] = []
    words = 0
    stop: Segment | None = None  # the first segment (or piece) left out for the word budget

    def pieces() -> Iterator[Segment]:
        for seg in doc.segments:
            if mode in ("split", "window") and len(seg.text) > longest:
                cut.append(seg.index)
                yield from _pieces(seg, doc.tgt_lang, sentences=mode == "split")
            elif mode == "skip" and max(len(seg.text), len(seg.source or "")) > longest:
                skipped.append(seg.index)
            else:
                yield seg

    for seg in pieces():
        if limit:
            n = count_words(seg.text)
            if words + n > limit and segments:
                stop = seg
                break
            words += n
        segments.append(seg)
    many = "s" * (len(cut + skipped) > 1)
    if cut and mode == "split":
        notes.append(f"{check.id}: read segment{many} {_ranges(cut)} sentence by sentence (over {longest:,} characters)")
    elif cut:  # the same words for every rule check: the report says it once
        notes.append(f"the rule checks read segment{many} {_ranges(cut)} in windows of up to {MODEL_SEGMENT_CHARS:,} "
                     f"characters (over {longest:,} characters)")
    if skipped:
        notes.append(f"{check.id}: skipped segment{many} {_ranges(skipped)}: over {longest:,} characters, longer than "
                     "its model reads")
    if stop is not None:
        notes.append(f"{check.id}: read the first {words:,} words (its max_document_words setting is {limit:,}); "
                     f"nothing from character {stop.start:,} on (segment {stop.index:,} of {len(doc.segments):,}) was "
                     f"read by it (raise or zero [checks.{check.id}] max_document_words in mtcheck.toml to read it all)")
    if not cut and not skipped and stop is None:
        return doc, notes
    if cut:  # pieces share their segment's index and block: number the view's segments and blocks afresh
        blocks: dict[tuple[str, int], int] = {}
        renumbered = []
        for i, seg in enumerate(segments):
            key = ("window", i) if seg.block == -2 else ("sentences of", seg.index) if seg.block == -1 else \
                ("block", seg.block)
            renumbered.append(replace(seg, index=i, block=blocks.setdefault(key, len(blocks))))
        segments = renumbered
    return replace(doc, segments=segments), notes
