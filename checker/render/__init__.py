"""Renderers: a :class:`~checker.values.Report` into text, JSON, JSONL, CSV or HTML.

One table, :data:`RENDERERS`, maps each output format to a function of the report;
the command line (``--format``) and the web page (its downloads) both go through
:func:`render`, so the same report gives the same bytes on either face.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..values import Report
from .html import render_html
from .records import segment_records
from .tabular import findings_csv
from .terminal import render_text


def render_json(report: Report) -> str:
    """The whole report as one JSON object."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def render_jsonl(report: Report) -> str:
    """One JSON line per segment (unit), findings re-based onto the segment (:func:`segment_records`)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in segment_records(report))


#: output format -> renderer; ``text`` takes the options of :func:`checker.render.terminal.render_text`
RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "jsonl": render_jsonl,
    "csv": findings_csv,
    "html": render_html,
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)


def render(report: Report, fmt: str, **options: Any) -> str:
    """``report`` in the output format ``fmt`` (a key of :data:`RENDERERS`)."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})") from None
    return renderer(report, **options)
