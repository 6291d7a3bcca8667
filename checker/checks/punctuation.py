"""Punctuation damage: stray spaces, missing spaces, doubled marks."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import CheckContext
from ..model import Finding, Segment
from ..registry import SegmentCheck, register

# a space (not a line break) before , . ; : ! ? that follows a word or closing mark
_SPACE_BEFORE = re.compile(r"(?<=[\w\)\]\"”’])([ \t\u00a0]+)([,.;:!?])(?![.\d])")
_FRENCH = {"fr"}


@register
class SpaceBeforePunctuation(SegmentCheck):
    id = "space-before-punctuation"
    description = "A space before , . ; : ! or ? (e.g. 'Lebanon , the')."
    category = "fluency/punctuation"
    severity = "minor"

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        lang = ctx.tgt_lang or "en"
        for m in _SPACE_BEFORE.finditer(seg.text):
            mark = m.group(2)
            if lang in _FRENCH and mark in ";:!?":
                continue  # French typography puts a (thin) space there
            # an ellipsis or an inline list like "a . b" is left alone when the mark repeats
            yield self.flag(
                seg, m.start(1), m.end(2),
                f"Space before '{mark}': punctuation attaches to the preceding word.",
                suggestion=f"remove the space before '{mark}'",
            )
