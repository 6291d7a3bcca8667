"""What a check may read besides the document: the settings, the languages and the run's shared work."""

from __future__ import annotations

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

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def record_model(self, role: str, name: str) -> None:
        """Name the model that served ``role`` in this run (it goes into the report signature)."""
        self.models[role] = name
