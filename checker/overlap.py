"""Drop findings that another finding already explains.

Two checks often see the same problem from different sides: a segment left in German is
``untranslated`` *and* full of ``rare-word`` and ``foreign-fragment`` hits; a missing ``<b>`` is a
``placeholder-mismatch`` *and* an ``inline-tags`` finding, and lowers the pair's similarity there;
``asdfghjkl`` is ``gibberish``, a ``rare-word`` and a surprise to ``lm-fluency``. Counting each would
multiply the penalty and clutter the report: one problem is one finding, kept by the best-placed check.
So a finding is dropped when a finding of a check that *subsumes* it covers its span in the same
segment, on the same side (overlaps it, for a check whose span is approximate, unless it covers its
whole translation), or when its unit has no translation at all.

Which check subsumes which, and whose span is approximate, are facts of each check: its ``subsumes``
and ``loose_span`` attributes (:class:`checker.registry.Check`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence

from .values import Finding, Segment


def subsumptions() -> dict[str, frozenset[str]]:
    """check id -> the checks whose findings inside its span it explains, for every check that has some."""
    from .selection import all_checks

    return {cid: cls.subsumes for cid, cls in all_checks().items() if cls.subsumes}


def loose_checks() -> frozenset[str]:
    """Ids of the checks whose span is approximate (``loose_span``)."""
    from .selection import all_checks

    return frozenset(cid for cid, cls in all_checks().items() if cls.loose_span)


def _covers(outer: Finding, inner: Finding, loose: bool) -> bool:
    if outer.segment != inner.segment or outer.side != inner.side:
        return False
    if outer.start == outer.end:  # a zero-width (whole-segment) finding explains the segment
        return True
    if loose:  # an approximate span: any overlap counts
        return outer.start < inner.end and inner.start < outer.end
    return outer.start <= inner.start and inner.end <= outer.end


def _missing_target(f: Finding) -> bool:
    """A finding that says the unit has no translation at all (``unit-state``: untranslated or empty)."""
    return f.check == "unit-state" and f.category == "accuracy/untranslated"


def drop_subsumed(findings: Iterable[Finding], subsumes: Mapping[str, frozenset[str]] | None = None,
                  segments: Sequence[Segment] | None = None, loose: frozenset[str] | None = None) -> list[Finding]:
    """``findings`` without those a subsuming finding of the same segment and side covers.

    ``subsumes`` defaults to the registered checks' :func:`subsumptions`, ``loose`` to their
    :func:`loose_checks`: a finding of those is covered by any subsuming finding it overlaps, unless
    it covers its whole translation (its segment in ``segments``), which a finding on part of it
    does not explain. A unit with no translation explains every other finding of its segment: a
    placeholder, number or sentence 'missing from the translation' is missing because all of it is.
    """
    findings = list(findings)
    subsumes = subsumptions() if subsumes is None else subsumes
    loose = loose_checks() if loose is None else loose
    bounds = {s.index: (s.start, s.end) for s in segments or ()}

    def approximate(f: Finding) -> bool:
        if f.check not in loose:
            return False
        whole = bounds.get(f.segment)
        return not (f.side == "target" and whole is not None and f.start <= whole[0] and f.end >= whole[1])

    outer_checks: dict[str, list[str]] = {}  # inner check -> the checks that subsume it
    for outer, inners in subsumes.items():
        for inner in inners:
            outer_checks.setdefault(inner, []).append(outer)
    empty = {f.segment for f in findings if _missing_target(f)}
    groups: dict[tuple[int, str, str], list[Finding]] = {}
    for f in findings:
        if f.check in subsumes:
            groups.setdefault((f.segment, f.side, f.check), []).append(f)
    if not groups and not empty:
        return findings
    reach = {key: _Reach(group) for key, group in groups.items()}
    out = []
    for f in findings:
        if f.segment in empty and not _missing_target(f):
            continue
        overlap = approximate(f)
        if any((r := reach.get((f.segment, f.side, o))) is not None and r.covers(f, overlap)
               for o in outer_checks.get(f.check, ())):
            continue
        out.append(f)
    return out


class _Reach:
    """The findings of one check in one segment and side, sorted by start, with the furthest end so far (and the
    runner-up): whether one of them covers a finding is a binary search, so :func:`drop_subsumed` is O(n log n)
    (20,000 tags in one XLIFF target, each with two findings, took 70 s when every pair was compared)."""

    def __init__(self, group: list[Finding]) -> None:
        self.whole = [f for f in group if f.start == f.end]  # zero-width: explains the whole segment
        spans = sorted((f for f in group if f.start < f.end), key=lambda f: f.start)
        self.starts = [f.start for f in spans]
        self.best: list[tuple[Finding, Finding | None]] = []
        first: Finding | None = None
        second: Finding | None = None
        for f in spans:
            if first is None or f.end > first.end:
                first, second = f, first
            elif second is None or f.end > second.end:
                second = f
            self.best.append((first, second))

    def covers(self, inner: Finding, overlap: bool) -> bool:
        """Whether a finding of the group other than ``inner`` covers it (:func:`_covers`; ``overlap`` for a loose span)."""
        if any(o is not inner for o in self.whole):
            return True
        if overlap:  # one that starts before inner ends and ends after inner starts
            k, need = bisect.bisect_left(self.starts, inner.end), inner.start + 1
        else:  # one that starts at or before inner and ends at or after inner's end
            k, need = bisect.bisect_right(self.starts, inner.start), inner.end
        if k == 0:
            return False
        first, second = self.best[k - 1]
        outer = second if first is inner else first
        return outer is not None and outer.end >= need
