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

    by_segment: dict[int, list[Finding]] = {}
    empty = {f.segment for f in findings if _missing_target(f)}
    for f in findings:
        if f.check in subsumes:
            by_segment.setdefault(f.segment, []).append(f)
    if not by_segment and not empty:
        return findings
    out = []
    for f in findings:
        if f.segment in empty and not _missing_target(f):
            continue
        outers = by_segment.get(f.segment, ())
        if any(o is not f and f.check in subsumes[o.check] and _covers(o, f, approximate(f)) for o in outers):
            continue
        out.append(f)
    return out
