"""What a model-backed check reads of a long input: bounded work whatever the input's size.

The rule checks take time in proportion to the text (seconds for megabytes); a model takes about a
thousand times as long per word, so a 20 MB text or a 50 MB single unit would keep the language
model busy for hours. Two bounds keep a run in minutes, and the report says what each left out:

* a segment longer than :data:`MODEL_SEGMENT_CHARS` (a whole book in one JSONL line, say) is split into
  its sentences for a check whose ``long_segments`` is ``"split"`` (the language model, the parser,
  which read sentences anyway), and left out for one whose ``long_segments`` is ``"skip"`` (a sentence
  encoder reads only the first few hundred tokens of a unit, so its similarity would not describe it);
* a check with a ``max_words`` setting reads the document's segments in order until that many words,
  and leaves the rest out (``max_words = 0`` in ``[checks.ID]`` of ``mtcheck.toml``: no limit).

:func:`model_view` gives a check the document it is to read: the same text (every offset holds), with
only the segments it reads. Target findings find their segments again by offset in the pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from .text import count_words
from .values import Document, Segment

if TYPE_CHECKING:
    from .registry import Check

#: a segment longer than this (characters) is too long for a model check as one piece
MODEL_SEGMENT_CHARS = 10_000


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


def _pieces(seg: Segment, lang: str | None) -> Iterator[Segment]:
    """The sentences of a long segment, a window of text at a time (so a budget that stops early splits no more)."""
    from .segment import MAX_SBD_CHARS, _windows, split_sentences

    for ws, we in _windows(seg.text, MAX_SBD_CHARS):
        for s, e in split_sentences(seg.text[ws:we], lang):
            yield Segment(index=seg.index, start=seg.start + ws + s, end=seg.start + ws + e,
                          text=seg.text[ws + s:ws + e], id=seg.id, src_lang=seg.src_lang, tgt_lang=seg.tgt_lang,
                          block=seg.block)


def model_view(doc: Document, check: Check) -> tuple[Document, list[str]]:
    """The document ``check`` reads (``doc`` itself when nothing is left out or split) and notes for the report."""
    mode = getattr(check, "long_segments", None)
    limit = int(check.settings.get("max_words") or 0)
    if mode is None and not limit:
        return doc, []
    notes: list[str] = []
    segments: list[Segment] = []
    skipped: list[int] = []
    split: list[int] = []
    words = 0
    stop: Segment | None = None  # the first piece left out for the word budget

    def pieces() -> Iterator[Segment]:
        for seg in doc.segments:
            if len(seg.text) > MODEL_SEGMENT_CHARS and mode == "split":
                split.append(seg.index)
                yield from _pieces(seg, doc.tgt_lang)
            elif mode == "skip" and max(len(seg.text), len(seg.source or "")) > MODEL_SEGMENT_CHARS:
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
    if split:
        notes.append(f"{check.id}: read segment{'s' * (len(split) > 1)} {_ranges(split)} sentence by sentence "
                     f"(over {MODEL_SEGMENT_CHARS:,} characters)")
    if skipped:
        notes.append(f"{check.id}: skipped segment{'s' * (len(skipped) > 1)} {_ranges(skipped)}: over "
                     f"{MODEL_SEGMENT_CHARS:,} characters, longer than its model reads")
    if stop is not None:
        notes.append(f"{check.id}: read the first {words:,} words (its max_words setting is {limit:,}); nothing from "
                     f"character {stop.start:,} on (segment {stop.index:,} of {len(doc.segments):,}) was read by it "
                     f"(raise or zero [checks.{check.id}] max_words in mtcheck.toml to read it all)")
    if not split and not skipped and stop is None:
        return doc, notes
    if split:  # pieces of one segment share its index: number the view's segments afresh for the check
        segments = [replace(seg, index=i) if seg.index != i else seg for i, seg in enumerate(segments)]
    return replace(doc, segments=segments), notes
