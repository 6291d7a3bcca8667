"""Shared state handed to every check: settings, languages and lazily loaded resources."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .config import Config

_RESOURCES: dict[str, Any] = {}
_LOCK = threading.Lock()


def shared_resource(key: str, factory: Callable[[], Any]) -> Any:
    """Process-wide cache: build ``factory()`` once per ``key`` and reuse it.

    Models are expensive (seconds to load, hundreds of MB), so every check and
    every report in a process share one instance.
    """
    if key in _RESOURCES:
        return _RESOURCES[key]
    with _LOCK:
        if key not in _RESOURCES:
            _RESOURCES[key] = factory()
        return _RESOURCES[key]


def clear_resources() -> None:
    """Forget every cached resource (tests, or to free memory)."""
    with _LOCK:
        _RESOURCES.clear()


@dataclass
class CheckContext:
    """What a check may read besides the document."""

    config: Config
    src_lang: str | None = None
    tgt_lang: str | None = None
    #: per-run scratch space shared by checks (e.g. embeddings computed once)
    cache: dict[str, Any] = field(default_factory=dict)
    #: non-fatal problems (a model that failed to load) reported in the Report
    warnings: list[str] = field(default_factory=list)

    def resource(self, key: str, factory: Callable[[], Any]) -> Any:
        return shared_resource(key, factory)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
