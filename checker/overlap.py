"""Drop findings that another finding already explains.

Two checks often see the same problem from different sides: a segment left in German is
``untranslated`` *and* full of ``rare-word`` and ``foreign-fragment`` hits; a missing ``<b>`` is a
``placeholder-mismatch`` *and* an ``inline-tags`` finding. Counting both would double the penalty
and clutter the report, so a finding is dropped when a finding of a check that *subsumes* it covers
its span in the same segment, on the same side, or when its unit has no translation at all.

Which check subsumes which is a fact of each check: its ``subsumes`` attribute
(:class:`checker.registry.Check`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .values import Finding


def subsumptions() -> dict[str, frozenset[str]]:
    """check id -> the checks whose findings inside its span it explains, for every check that has some."""
    from .selection import all_checks

    return {cid: cls.subsumes for cid, cls in all_checks().items() if cls.subsumes}


def _covers(outer: Finding, inner: Finding) -> bool:
    if outer.segment != inner.segment or outer.side != inner.side:
        return False
    if outer.start == outer.end:  # a zero-width (whole-segment) finding explains the segment
        return True
    if inner.check == "inline-tags":  # a tag pair's span is wider than each tag: any overlap counts
        return outer.start < inner.end and inner.start < outer.end
    return outer.start <= inner.start and inner.end <= outer.end


def _missing_target(f: Finding) -> bool:
    """A finding that says the unit has no translation at all (``unit-state``: untranslated or empty)."""
    return f.check == "unit-state" and f.category == "accuracy/untranslated"


def drop_subsumed(findings: Iterable[Finding], subsumes: Mapping[str, frozenset[str]] | None = None) -> list[Finding]:
    """``findings`` without those a subsuming finding of the same segment and side covers.

    ``subsumes`` defaults to the registered checks' :func:`subsumptions`. A unit with no
    translation explains every other finding of its segment: a placeholder, number or
    sentence 'missing from the translation' is missing because all of it is.
    """
    findings = list(findings)
    subsumes = subsumptions() if subsumes is None else subsumes
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
        if any(o is not f and f.check in subsumes[o.check] and _covers(o, f) for o in outers):
            continue
        out.append(f)
    return out
