"""mtcheck: find machine-translation artifacts and score translations.

    >>> import checker
    >>> report = checker.check_text("The cat sat on the mat .")
    >>> [f.check for f in report.findings]
    ['space-before-punctuation']
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import check_document, check_pairs, check_text
from .config import Config, ConfigError
from .model import Document, Finding, Report, Segment
from .registry import CHECKS, Check, SegmentCheck, all_checks, register

__all__ = [
    "CHECKS",
    "Check",
    "Config",
    "ConfigError",
    "Document",
    "Finding",
    "Report",
    "Segment",
    "SegmentCheck",
    "__version__",
    "all_checks",
    "check_document",
    "check_pairs",
    "check_text",
    "register",
]
