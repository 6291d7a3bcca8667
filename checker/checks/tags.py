"""Inline tags and placeholders: the codes of the source must come back in the target.

Codes are the tokens the readers render XLIFF/TMX inline elements as (``{x1}``,
``{g1}``..``{/g1}``) and placeholders in any text (``%s``, ``%1$d``,
``%(name)s``, ``{0}``, ``{{var}}``, ``${var}``, ``<b>``..``</b>``); see
:mod:`checker.codes`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..codes import Code, find_codes
from ..context import CheckContext
from ..registry import SegmentCheck, register
from ..values import Finding, Segment


def pairing_errors(codes: list[Code]) -> list[tuple[Code, str]]:
    """Codes that close nothing open, close out of nesting order, or are never closed."""
    openers = {c.opens for c in codes if c.opens}
    stack: list[Code] = []
    errors: list[tuple[Code, str]] = []
    for c in codes:
        if c.opens:
            stack.append(c)
        elif c.closes and c.closes in openers:
            if not any(o.opens == c.closes for o in stack):
                errors.append((c, f"{c.token} closes {c.closes} before it is opened"))
            elif stack[-1].opens != c.closes:
                errors.append((c, f"{c.token} closes {c.closes} while {stack[-1].token} is still open (tags cross)"))
                stack = [o for o in stack if o.opens != c.closes]
            else:
                stack.pop()
    return errors


@register
class InlineTags(SegmentCheck):
    id = "inline-tags"
    description = "Inline tags and placeholders ({x1}, %s, {0}, <b>) of the source missing, added or misordered in the target."
    category = "accuracy/omission"
    severity = "major"
    needs_source = True
    subsumes = frozenset({"source-similarity"})
    #: a tag pair's span is wider than each of its tags
    loose_span = True

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        if not seg.text.strip() or not seg.source:
            return  # untranslated units are unit-state's business
        src, tgt = find_codes(seg.source), find_codes(seg.text)
        if not src and not tgt:
            return
        src_n, tgt_n = Counter(c.token for c in src), Counter(c.token for c in tgt)
        missing = {t: n - tgt_n[t] for t, n in src_n.items() if n > tgt_n[t]}
        extra = {t: n - src_n[t] for t, n in tgt_n.items() if n > src_n[t]}
        yield from self._missing(seg, src, missing)
        for c in _last(tgt, extra):
            yield self.flag(seg, c.start, c.end, f"{c.token} is in the target but not in the source.",
                            category="accuracy/addition", suggestion="remove it, or check the source")
        if missing or extra or pairing_errors(src):
            return
        for c, why in pairing_errors(tgt):
            yield self.flag(seg, c.start, c.end, f"Broken tag pair: {why}.", category="fluency/garbled",
                            suggestion="put the tags back in the order of the source")
        src_seq = [c.token for c in src if c.unnumbered_printf]
        tgt_seq = [c for c in tgt if c.unnumbered_printf]
        if src_seq != [c.token for c in tgt_seq]:
            first = next(c for c, t in zip(tgt_seq, src_seq, strict=True) if c.token != t)
            yield self.flag(
                seg, first.start, tgt_seq[-1].end,
                f"Placeholders {', '.join(c.token for c in tgt_seq)} are in a different order from the source "
                f"({', '.join(src_seq)}); unnumbered placeholders take their values by position.",
                category="accuracy/mistranslation", suggestion="keep the source order or number them (%1$s, %2$d)",
            )

    def _missing(self, seg: Segment, src: list[Code], missing: dict[str, int]) -> Iterator[Finding]:
        lost = _last(src, missing)
        ids = {id(c) for c in lost}
        for c in lost:
            if c.closes and any(id(o) in ids and o.opens == c.closes for o in lost):
                continue  # reported with its opening tag
            end = c.end
            if c.opens:
                closer = next((o for o in lost if o.closes == c.opens and o.start > c.start), None)
                end = closer.end if closer else end
            what = "Tag pair" if end != c.end else "Inline code"
            yield self.flag_source(seg, c.start, end, f"{what} {c.token} of the source is missing from the target.")


def _last(codes: list[Code], counts: dict[str, int]) -> list[Code]:
    """The last ``counts[token]`` occurrences of each token: the ones with no partner on the other side."""
    out: list[Code] = []
    left = dict(counts)
    for c in reversed(codes):
        if left.get(c.token, 0) > 0:
            out.append(c)
            left[c.token] -= 1
    return sorted(out, key=lambda c: c.start)
