"""Consistency inside one file: one source, one translation; one translation, one source.

Units are compared after collapsing whitespace; for "same target, different
sources" the sources are also compared without case and edge punctuation, so
"Save" and "Save." count as the same source. Units in different contexts (PO
``msgctxt``, XLIFF ``resname``) may legitimately differ and are not compared.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any, ClassVar

from ..context import CheckContext
from ..registry import Check, register
from ..values import Document, Finding, Segment

_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _loose(text: str) -> str:
    return _EDGE_PUNCT.sub("", _norm(text).casefold())


def _name(seg: Segment) -> str:
    return f"unit {seg.id}" if seg.id else f"segment {seg.index + 1}"


def _short(text: str, n: int = 60) -> str:
    text = _norm(text)
    return text if len(text) <= n else text[: n - 1] + "…"


@register
class Consistency(Check):
    id = "consistency"
    description = "The same source translated differently in one file, or one translation used for different sources."
    category = "terminology"
    severity = "minor"
    needs_source = True
    params: ClassVar[dict[str, Any]] = {"min_chars": 2}

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        segs = [s for s in doc.segments
                if s.source and _norm(s.source) and _norm(s.text)
                and len(_norm(s.text)) >= self.settings["min_chars"]
                and s.extra.get("state") not in ("untranslated", "empty")]
        by_source: dict[tuple, list[Segment]] = defaultdict(list)
        by_target: dict[tuple, list[Segment]] = defaultdict(list)
        for s in segs:
            ctx_key = s.extra.get("context")
            by_source[(ctx_key, _norm(s.source))].append(s)
            by_target[(ctx_key, _norm(s.text))].append(s)
        for group in by_source.values():
            yield from self._different_targets(group)
        for group in by_target.values():
            yield from self._different_sources(group)

    def _different_targets(self, group: list[Segment]) -> Iterator[Finding]:
        variants = Counter(_norm(s.text) for s in group)
        if len(variants) < 2:
            return
        top = max(variants.values())
        main = next(_norm(s.text) for s in group if variants[_norm(s.text)] == top)  # commonest, first on ties
        ref = next(s for s in group if _norm(s.text) == main)
        for s in group:
            if _norm(s.text) != main:
                yield self.flag(
                    s, 0, len(s.text),
                    f"Same source as {_name(ref)} ('{_short(s.source or '')}') but translated differently: "
                    f"{_name(ref)} has '{_short(ref.text)}'.",
                    suggestion=ref.text, confidence=0.6,
                )

    def _different_sources(self, group: list[Segment]) -> Iterator[Finding]:
        first = group[0]
        for s in group[1:]:
            if _loose(s.source or "") != _loose(first.source or ""):
                yield self.flag(
                    s, 0, len(s.text),
                    f"Same translation as {_name(first)} for a different source: '{_short(s.source or '')}' here, "
                    f"'{_short(first.source or '')}' there.",
                    category="style/awkward", confidence=0.4,
                )
