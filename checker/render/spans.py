"""Cut a text into runs of plain and flagged characters for highlighting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..values import SEVERITY_RANK, Finding


@dataclass
class Run:
    start: int
    end: int
    findings: list[Finding]

    @property
    def severity(self) -> str | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=SEVERITY_RANK.__getitem__)


def highlight_runs(text: str, findings: Sequence[Finding], offset: int = 0) -> list[Run]:
    """Runs covering ``text``; each carries the target findings overlapping it.

    Zero-width findings (a missing space, say) are widened to the next character
    so they can be seen. ``offset`` is the document offset of ``text``.
    """
    n = len(text)
    spans = []
    for f in findings:
        if f.side != "target":
            continue
        s, e = f.start - offset, f.end - offset
        if e <= s:
            e = s + 1
            if e > n:
                s, e = n - 1, n
        s, e = max(0, s), min(n, e)
        if s < e:
            spans.append((s, e, f))
    cuts = {0, n}
    for s, e, _ in spans:
        cuts.add(s)
        cuts.add(e)
    points = sorted(cuts)
    runs: list[Run] = []
    for a, b in pairwise(points):
        covering = [f for s, e, f in spans if s <= a and e >= b]
        if runs and not covering and not runs[-1].findings:
            runs[-1].end = b
        else:
            runs.append(Run(a, b, covering))
    return runs
