"""CSV of findings, one row per finding."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..values import Report

CSV_FIELDS = [
    "segment", "segment_id", "start", "end", "side", "text", "check", "category",
    "severity", "confidence", "message", "suggestion", "segment_score", "unit_start", "unit_end",
]
"""``start``/``end`` index the whole input text (target side) or the unit's source (source side);
``unit_start``/``unit_end`` index the unit's own target or source, like the JSONL records."""


def findings_csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for f in report.findings:
        seg = report.segments[f.segment] if report.segments else None
        unit_start, unit_end = report.unit_span(f)
        w.writerow({
            "segment": f.segment,
            "segment_id": seg.id if seg else None,
            "start": f.start,
            "end": f.end,
            "side": f.side,
            "text": f.text,
            "check": f.check,
            "category": f.category,
            "severity": f.severity,
            "confidence": round(f.confidence, 3),
            "message": f.message,
            "suggestion": f.suggestion or "",
            "segment_score": round(seg.score, 2) if seg else "",
            "unit_start": unit_start,
            "unit_end": unit_end,
        })
    return buf.getvalue()
