"""Units a translation file marks as not done: untranslated, empty or fuzzy.

The readers of :mod:`checker.io.formats` put a unit's state into
``Segment.extra["state"]``; for other paired inputs a blank target next to a
source counts as empty.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import CheckContext
from ..registry import SegmentCheck, register
from ..values import Finding, Segment


@register
class UnitState(SegmentCheck):
    id = "unit-state"
    description = "Translation units left untranslated, empty, or marked fuzzy / needing review."
    long_segments = "whole"  # reads the unit's state, not its text
    category = "accuracy/untranslated"
    severity = "major"

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        state = seg.extra.get("state")
        if state is None and seg.source and seg.source.strip() and not seg.text.strip():
            state = "empty"
        name = f"Unit {seg.id}" if seg.id else f"Segment {seg.index + 1}"
        if state == "untranslated":
            yield self.flag(seg, 0, len(seg.text), f"{name} has no translation.",
                            suggestion="translate it")
        elif state == "empty":
            yield self.flag(seg, 0, len(seg.text), f"{name} has an empty translation.",
                            suggestion="translate it")
        elif state == "fuzzy":
            raw = seg.extra.get("raw_state")
            why = f" ({raw})" if raw else ""
            yield self.flag(seg, 0, len(seg.text),
                            f"{name} is marked as a draft that needs review{why}.",
                            severity="minor", category="style/awkward", confidence=0.5,
                            suggestion="review the translation and clear the fuzzy/draft mark")
