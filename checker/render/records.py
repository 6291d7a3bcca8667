"""Per-segment records (JSONL output): offsets relative to each segment's target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..values import Report


def segment_records(report: Report) -> list[dict[str, Any]]:
    """One dict per segment, in input order, findings re-based onto the segment text."""
    by_seg: dict[int, list[dict[str, Any]]] = {s.index: [] for s in report.segments}
    for f in report.findings:
        d = f.to_dict()
        d["start"], d["end"] = report.unit_span(f)
        d.pop("segment", None)
        by_seg.setdefault(f.segment, []).append(d)
    out = []
    for seg in report.segments:
        rec: dict[str, Any] = {}
        if seg.id is not None:
            rec["id"] = seg.id
        rec["index"] = seg.index
        rec["score"] = round(seg.score, 2)
        if seg.similarity is not None:
            rec["similarity"] = round(seg.similarity, 4)
        rec["findings"] = by_seg.get(seg.index, [])
        if seg.source is not None:
            rec["source"] = seg.source
        rec["target"] = seg.text
        for k, v in seg.extra.items():
            rec.setdefault(k, v)
        out.append(rec)
    return out
