"""The check registry: every check has an id, a category, a severity and a message.

A check is a small class registered with :func:`register`. Target-side checks
usually subclass :class:`SegmentCheck` and implement :meth:`SegmentCheck.check_segment`;
checks that need the whole document (batched model calls, context) subclass
:class:`Check` and implement :meth:`Check.run`.

Adding a check::

    @register
    class ShoutingCheck(SegmentCheck):
        id = "shouting"
        description = "A whole sentence in capital letters."
        category = "style/awkward"
        severity = "minor"

        def check_segment(self, seg, ctx):
            if seg.text.isupper():
                yield self.flag(seg, 0, len(seg.text), "The sentence is all capitals.")
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .model import CATEGORIES, SEVERITY_RANK, Document, Finding, Segment

if TYPE_CHECKING:
    from .config import Config
    from .context import CheckContext

CHECKS: dict[str, type[Check]] = {}


class Check:
    """Base class of all checks."""

    id: ClassVar[str] = ""
    description: ClassVar[str] = ""
    category: ClassVar[str] = ""
    severity: ClassVar[str] = "minor"
    needs_source: ClassVar[bool] = False
    #: checks that are registered but off unless enabled (slow or experimental)
    default_enabled: ClassVar[bool] = True
    #: name of a heavy resource the check needs ("embeddings", "lm"), for listings
    requires: ClassVar[str | None] = None
    #: tunable thresholds with defaults; overridden from config
    params: ClassVar[dict[str, Any]] = {}

    def __init__(self, **overrides: Any) -> None:
        unknown = set(overrides) - set(self.params)
        if unknown:
            raise ValueError(f"check {self.id!r} has no setting {', '.join(sorted(unknown))}")
        self.settings: dict[str, Any] = {**self.params, **overrides}

    def run(self, doc: Document, ctx: CheckContext) -> Iterable[Finding]:
        """Yield findings for the whole document."""
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------
    def make_finding(self, start: int, end: int, text: str, message: str, *, severity: str | None = None,
                 category: str | None = None, **fields: Any) -> Finding:
        """A finding of this check; its category and severity unless the call names others."""
        return Finding(check=self.id, category=category or self.category, severity=severity or self.severity,
                       start=start, end=end, text=text, message=message, **fields)

    def flag(
        self,
        seg: Segment,
        start: int,
        end: int,
        message: str,
        *,
        severity: str | None = None,
        category: str | None = None,
        suggestion: str | None = None,
        confidence: float = 1.0,
    ) -> Finding:
        """A finding at ``seg.text[start:end]`` (offsets relative to the segment)."""
        start = max(0, min(start, len(seg.text)))
        end = max(start, min(end, len(seg.text)))
        return self.make_finding(seg.start + start, seg.start + end, seg.text[start:end], message, severity=severity,
                             category=category, segment=seg.index, suggestion=suggestion, confidence=confidence)

    def flag_doc(
        self,
        doc: Document,
        start: int,
        end: int,
        message: str,
        *,
        severity: str | None = None,
        category: str | None = None,
        suggestion: str | None = None,
        confidence: float = 1.0,
    ) -> Finding:
        """A finding at ``doc.text[start:end]`` (document offsets); the pipeline assigns the segment."""
        return self.make_finding(start, end, doc.text[start:end], message, severity=severity, category=category,
                             suggestion=suggestion, confidence=confidence)

    def flag_source(
        self,
        seg: Segment,
        start: int,
        end: int,
        message: str,
        *,
        severity: str | None = None,
        category: str | None = None,
        confidence: float = 1.0,
    ) -> Finding:
        """A finding whose span lies in the segment's *source* text.

        ``start``/``end`` are offsets into ``seg.source`` and stay so (``side="source"``;
        :meth:`checker.model.Report.unit_span` reads them that way).
        """
        src = seg.source or ""
        start = max(0, min(start, len(src)))
        end = max(start, min(end, len(src)))
        return self.make_finding(start, end, src[start:end], message, severity=severity, category=category,
                             segment=seg.index, confidence=confidence, side="source")

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {
            "id": cls.id,
            "description": cls.description,
            "category": cls.category,
            "severity": cls.severity,
            "needs_source": cls.needs_source,
            "default_enabled": cls.default_enabled,
            "requires": cls.requires,
            "params": dict(cls.params),
        }


class SegmentCheck(Check):
    """A check that looks at one segment at a time."""

    #: run on the source side too? (no: checks describe the target)
    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        for seg in doc.segments:
            if self.needs_source and not seg.source:
                continue
            yield from self.check_segment(seg, ctx)

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterable[Finding]:
        raise NotImplementedError


def register(cls: type[Check]) -> type[Check]:
    """Class decorator adding a check to the registry."""
    if not cls.id:
        raise ValueError(f"{cls.__name__} has no id")
    if cls.id in CHECKS and CHECKS[cls.id] is not cls:
        raise ValueError(f"duplicate check id {cls.id!r}")
    if cls.category not in CATEGORIES:
        raise ValueError(f"{cls.id}: unknown category {cls.category!r}")
    if cls.severity not in SEVERITY_RANK:
        raise ValueError(f"{cls.id}: unknown severity {cls.severity!r}")
    CHECKS[cls.id] = cls
    return cls


def all_checks() -> dict[str, type[Check]]:
    """All registered checks, importing the built-in check modules first."""
    from . import checks  # noqa: F401  (registers the built-ins)

    return dict(sorted(CHECKS.items()))


@dataclass
class Selection:
    """Which checks run, with the reason others do not."""

    checks: list[Check]
    skipped: dict[str, str] = field(default_factory=dict)


def select_checks(
    enable: Iterable[str] = (),
    disable: Iterable[str] = (),
    params: dict[str, dict[str, Any]] | None = None,
    paired: bool = False,
    only: Iterable[str] | None = None,
) -> Selection:
    """Instantiate the checks to run.

    ``only`` restricts to the named checks; ``enable`` switches on checks that are
    off by default; ``disable`` switches checks off. Unknown ids raise ValueError.
    Ids may be given as a category prefix (``fluency/punctuation``) too.
    """
    registry = all_checks()
    params = params or {}

    def expand(names: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for name in names:
            name = name.strip()
            if not name:
                continue
            if name in registry:
                out.add(name)
                continue
            matched = {cid for cid, c in registry.items() if c.category == name or c.category.startswith(name + "/")}
            if not matched:
                raise ValueError(f"unknown check {name!r} (see `mtcheck checks`)")
            out |= matched
        return out

    only_ids = expand(only) if only is not None else None
    on = expand(enable)
    off = expand(disable)
    for cid in params:
        if cid not in registry:
            raise ValueError(f"settings given for unknown check {cid!r}")
    chosen: list[Check] = []
    skipped: dict[str, str] = {}
    for cid, cls in registry.items():
        if only_ids is not None and cid not in only_ids:
            skipped[cid] = "not selected"
            continue
        if cid in off:
            skipped[cid] = "disabled"
            continue
        if not cls.default_enabled and cid not in on and (only_ids is None or cid not in only_ids):
            skipped[cid] = "off by default"
            continue
        if cls.needs_source and not paired:
            skipped[cid] = "needs a source"
            continue
        chosen.append(cls(**params.get(cid, {})))
    return Selection(chosen, skipped)


def selected_ids(config: Config) -> set[str]:
    """Ids of the checks ``config`` selects (those that need a source included)."""
    return {c.id for c in select_checks(config.enable, config.disable, config.params, paired=True,
                                        only=config.only).checks}
