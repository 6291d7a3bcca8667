"""What the page shows, built from a Report: tables, chart data, highlighted HTML, downloads.

Pure functions of the report (no Streamlit calls), so they are tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from checker.render import render
from checker.render.html import marked_source, marked_text
from checker.scoring import score_band
from checker.values import SEVERITIES, Finding, Report, Segment

#: most serious first, for pickers and counts
SEVERITY_ORDER: tuple[str, ...] = tuple(reversed(SEVERITIES))
SEVERITY_COLOURS = {"minor": "#ffe58a", "major": "#ffb38a", "critical": "#ff7b7b"}

CSS = """
<style>
.mt-doc{{white-space:pre-wrap;line-height:1.7;font-size:1rem;padding:.2rem .1rem}}
.mt-doc mark,.mt-pairs mark,.mt-legend mark{{color:#1f1f1f;border-radius:3px;padding:0 2px;cursor:help}}
.mt-doc mark.minor,.mt-pairs mark.minor,.mt-legend mark.minor{{background:{minor}}}
.mt-doc mark.major,.mt-pairs mark.major,.mt-legend mark.major{{background:{major}}}
.mt-doc mark.critical,.mt-pairs mark.critical,.mt-legend mark.critical{{background:{critical}}}
.mt-legend{{font-size:.85rem;opacity:.85;margin:0 0 .4rem 0}}
.mt-legend mark{{margin-right:.6rem}}
.mt-pairs{{border-collapse:collapse;width:100%;table-layout:fixed;font-size:.93rem}}
.mt-pairs th,.mt-pairs td{{border-bottom:1px solid rgba(128,128,128,.25);padding:.45rem .5rem;text-align:left;vertical-align:top}}
.mt-pairs th{{font-weight:600}}
.mt-pairs col.id{{width:3.2rem}} .mt-pairs col.sim{{width:5.6rem}} .mt-pairs col.score{{width:3.9rem}}
.mt-pairs td.num,.mt-pairs th.num{{text-align:right;font-variant-numeric:tabular-nums;overflow:hidden;text-overflow:ellipsis}}
.mt-pairs td.low{{color:#c62828;font-weight:600}}
.mt-pairs td.text{{white-space:pre-wrap;overflow-wrap:anywhere}}
</style>
""".format(**SEVERITY_COLOURS)

FINDING_COLUMNS = ["sentence", "severity", "category", "check", "text", "message", "suggestion", "confidence",
                   "side", "start", "end"]


def legend_html() -> str:
    """A one-line key to the highlight colours."""
    marks = "".join(f'<mark class="{s}">{s}</mark>' for s in SEVERITY_ORDER)
    return f'<div class="mt-legend">{marks} hover a highlighted span for the reason</div>'


def text_html(report: Report) -> str:
    """The checked text with every flagged span highlighted in place (hover: severity, check, message)."""
    return f'{CSS}{legend_html()}<div class="mt-doc">{marked_text(report.text, report.findings)}</div>'


def is_bilingual(report: Report) -> bool:
    """True when some segment has a source to show beside it."""
    return any(seg.source for seg in report.segments)


#: a segment id up to this long names it on the page; a longer one (a PO entry's id is its whole msgid) gives way to
#: its number, the id in a tooltip
SHORT_ID = 12


def segment_label(seg: Segment) -> str:
    """How the page names a segment: its id when short (an XLIFF id, a line number), else its number."""
    if seg.id and len(seg.id) <= SHORT_ID and not any(ch.isspace() for ch in seg.id):
        return seg.id
    return str(seg.index + 1)


def _source_html(seg: Segment, findings: list[Finding]) -> str:
    """The segment's source with source-side spans (an omission, say) highlighted."""
    return marked_source(seg.source or "", findings, seg.source_start or 0)


def pairs_html(report: Report) -> str:
    """Side-by-side source and target, one row per segment, with its similarity and score; long text wraps."""
    rows = []
    for seg in report.segments:
        fs = report.findings_for(seg.index)
        threshold = seg.extra.get("similarity_threshold")
        sim_cls = "num low" if seg.similarity is not None and threshold is not None and seg.similarity < threshold else "num"
        sim = "–" if seg.similarity is None else f"{seg.similarity:.2f}"
        label = segment_label(seg)
        title = f' title="{escape(seg.id, quote=True)}"' if seg.id and seg.id != label else ""
        rows.append(
            f"<tr><td class=\"num\"{title}>{escape(label)}</td><td class=\"text\">{_source_html(seg, fs)}</td>"
            f"<td class=\"text\">{marked_text(seg.text, fs, seg.start)}</td>"
            f"<td class=\"{sim_cls}\">{sim}</td><td class=\"num\">{seg.score:.1f}</td></tr>"
        )
    cols = '<colgroup><col class="id"><col><col><col class="sim"><col class="score"></colgroup>'
    head = "<tr><th>#</th><th>Source</th><th>Target</th><th>Similarity</th><th>Score</th></tr>"
    return f'{CSS}{legend_html()}<table class="mt-pairs">{cols}{head}{"".join(rows)}</table>'


def findings_frame(report: Report) -> pd.DataFrame:
    """One row per finding, in document order."""
    rows = []
    for f in report.findings:
        seg = report.segments[f.segment] if 0 <= f.segment < len(report.segments) else None
        rows.append({
            "sentence": segment_label(seg) if seg is not None else str(f.segment + 1),
            "severity": f.severity,
            "category": f.category,
            "check": f.check,
            "text": f.text,
            "message": f.message,
            "suggestion": f.suggestion or "",
            "confidence": round(f.confidence, 2),
            "side": f.side,
            "start": f.start,
            "end": f.end,
        })
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def filter_findings(
    frame: pd.DataFrame,
    categories: list[str] | None = None,
    severities: list[str] | None = None,
    checks: list[str] | None = None,
) -> pd.DataFrame:
    """Rows whose category, severity and check are among those picked (an empty pick keeps all)."""
    keep = pd.Series(True, index=frame.index)
    for column, picked in (("category", categories), ("severity", severities), ("check", checks)):
        if picked:
            keep &= frame[column].isin(picked)
    return frame[keep].reset_index(drop=True)


def segment_frame(report: Report) -> pd.DataFrame:
    """One row per sentence (or pair): its score, finding count and a preview of the text."""
    counts = report.counts("segment")
    rows = [{
        "sentence": seg.index + 1,
        "label": segment_label(seg),
        "score": round(seg.score, 2),
        "bar": max(round(seg.score, 2), MIN_BAR),
        "findings": counts.get(seg.index, 0),
        "band": score_band(seg.score, report.bands),
        "preview": seg.text if len(seg.text) <= 90 else seg.text[:87] + "…",
        "similarity": None if seg.similarity is None else round(seg.similarity, 3),
    } for seg in report.segments]
    return pd.DataFrame(rows, columns=["sentence", "label", "score", "bar", "findings", "band", "preview", "similarity"])


def score_help(report: Report) -> str:
    """What the document score is, for the score's tooltip."""
    good, fair = report.bands
    if report.penalty_score is None:
        return (f"100 minus MQM-style penalties per word count; good from {good:g}, fair from {fair:g} "
                "(docs/scoring.md)")
    return (f"Learned from human judgements: the mean score (0-100) raters would give; good from {good:g}, fair from "
            f"{fair:g}. MQM-penalty score: {report.penalty_score:.1f} (docs/scoring.md)")


#: the shortest bar drawn: a sentence that scores 0 still shows (in its band's colour), its worst of all
MIN_BAR = 3.0


def score_chart(frame: pd.DataFrame):
    """A bar per sentence, its score on a 0-100 axis (at least :data:`MIN_BAR` high, so a sentence that scores 0
    is seen), coloured by band; hover shows the score and the text."""
    import altair as alt

    bands = alt.Scale(domain=["good", "fair", "poor"], range=["#43a047", "#fb8c00", "#e53935"])
    n = len(frame)
    return (
        alt.Chart(frame)
        .transform_calculate(left="datum.sentence - 0.42", right="datum.sentence + 0.42")
        .mark_rect()
        .encode(
            x=alt.X("left:Q", title="sentence", scale=alt.Scale(domain=[0.5, n + 0.5], nice=False),
                    axis=alt.Axis(format="d", tickMinStep=1, grid=False)),
            x2="right:Q",
            y=alt.Y("bar:Q", title="score", scale=alt.Scale(domain=[0, 100])),
            y2=alt.datum(0),
            color=alt.Color("band:N", scale=bands, legend=alt.Legend(orient="top", direction="horizontal", title=None)),
            tooltip=["label", "score", "findings", "preview"],
        )
        .properties(height=300)
    )


def finding_detail(row: pd.Series) -> str:
    """One findings-table row in full, as Markdown: what the table's narrow columns cut off."""
    lines = [f"**{row['severity']}** · `{row['check']}` · {row['category']} · sentence {row['sentence']}"
             + (" · source side" if row["side"] == "source" else ""),
             f"**Flagged:** `{row['text']}`" if str(row["text"]).strip() else f"**Flagged:** {row['text']!r}",
             f"**Why:** {row['message']}"]
    if row["suggestion"]:
        lines.append(f"**Suggestion:** {row['suggestion']}")
    return "\n\n".join(lines)


def verdict(score: float, fail_under: float | None) -> bool | None:
    """Pass (True) or fail (False) against a ``--fail-under`` threshold; None when there is none."""
    if fail_under is None:
        return None
    return score >= fail_under


@dataclass(frozen=True)
class Download:
    label: str
    file_name: str
    mime: str
    data: bytes


_DOWNLOADS = (("JSON", "json", "application/json"), ("CSV", "csv", "text/csv"), ("HTML report", "html", "text/html"))


def downloads(report: Report) -> list[Download]:
    """The JSON, CSV and HTML reports: the bytes ``mtcheck check --format F -o FILE`` writes."""
    stem = Path(report.name).stem or "report"
    return [Download(label, f"{stem}.mtcheck.{fmt}", mime, render(report, fmt).encode("utf-8"))
            for label, fmt, mime in _DOWNLOADS]
