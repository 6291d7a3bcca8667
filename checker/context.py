"""What a check may read besides the document: the settings, the languages and the run's shared work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .config import Config

if TYPE_CHECKING:
    from .align import Alignment


@dataclass
class CheckContext:
    """Handed to every check of one run (a new one per report)."""

    config: Config
    src_lang: str | None = None
    tgt_lang: str | None = None
    #: per-run scratch space shared by checks (e.g. embeddings computed once)
    cache: dict[str, Any] = field(default_factory=dict)
    #: non-fatal problems (a model that failed to load) reported in the Report
    warnings: list[str] = field(default_factory=list)
    #: the models this run used, by role (the report signature's ``models``)
    models: dict[str, str] = field(default_factory=dict)
    #: the sentence alignment of a target document with its unaligned source (:mod:`checker.align`)
    alignment: Alignment | None = None
    #: set by the pipeline while a step runs: where :meth:`progress` reports go
    on_progress: Callable[[int, int, str, tuple[float, float]], None] | None = None

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def progress(self, done: int, total: int, what: str = "segments", within: tuple[float, float] = (0.0, 1.0)) -> None:
        """Say how far the running step is: ``done`` of ``total`` ``what``. A step of several passes says which
        part of it each count covers with ``within`` (the first of two passes ``(0, .5)``, the second ``(.5, 1)``).
        Cheap to call per sentence: the pipeline passes a few reports a second on."""
        if self.on_progress is not None:
            self.on_progress(done, total, what, within)

    def record_model(self, role: str, name: str) -> None:
        """Name the model that served ``role`` in this run (it goes into the report signature)."""
        self.models[role] = name
