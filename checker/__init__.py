"""mtcheck: find machine-translation artifacts and score translations.

    >>> import checker
    >>> report = checker.check_text("The cat sat on the mat .")
    >>> [f.check for f in report.findings]
    ['space-before-punctuation']

The house, bottom up: :mod:`checker.errors`, :mod:`checker.text` and :mod:`checker.values`
(the plain values) import nothing else; :mod:`checker.config` resolves the settings;
:mod:`checker.registry` is what a check is, :mod:`checker.checks` the built-in ones and
:mod:`checker.selection` which of them run; :mod:`checker.pipeline` runs them and scores;
:mod:`checker.io` reads files, :mod:`checker.render` writes reports; :mod:`checker.api`,
:mod:`checker.cli` and the web page (``app/``) are the three faces. See docs/architecture.md.
"""

from __future__ import annotations

from ._version import __version__
from .api import check_document, check_pairs, check_text
from .config import Config, resolve_config
from .errors import ConfigError, DependencyError, InputError, ModelError, MtcheckError
from .registry import CHECKS, Check, PostScore, PostScorer, SegmentCheck, register
from .selection import all_checks
from .values import Document, Finding, Report, Segment

__all__ = [
    "CHECKS",
    "Check",
    "Config",
    "ConfigError",
    "DependencyError",
    "Document",
    "Finding",
    "InputError",
    "ModelError",
    "MtcheckError",
    "PostScore",
    "PostScorer",
    "Report",
    "Segment",
    "SegmentCheck",
    "__version__",
    "all_checks",
    "check_document",
    "check_pairs",
    "check_text",
    "register",
    "resolve_config",
]
