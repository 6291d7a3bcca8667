"""A self-contained HTML report: highlighted text, summary and findings table."""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import TYPE_CHECKING

from ..scoring import score_band
from .spans import highlight_runs

if TYPE_CHECKING:
    from ..values import Report

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.55}
h1{font-size:1.4em;margin-bottom:.2em} .meta{color:#666;font-size:.9em}
.score{font-size:2.2em;font-weight:700} .good{color:#2e7d32} .fair{color:#b26a00} .poor{color:#c62828}
.doc{white-space:pre-wrap;background:#fafafa;border:1px solid #e3e3e3;border-radius:6px;padding:1em 1.2em}
mark{border-radius:3px;padding:0 1px;cursor:help}
mark.minor{background:#fff3b0} mark.major{background:#ffc7a8} mark.critical{background:#ff8f8f}
table{border-collapse:collapse;width:100%;font-size:.9em;margin-top:1em}
th,td{border-bottom:1px solid #e6e6e6;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f2} td.t{font-family:ui-monospace,monospace;white-space:pre-wrap}
.sev{font-weight:600} .sev.minor{color:#8a6d00} .sev.major{color:#c45100} .sev.critical{color:#b00020}
.pairs td{width:50%} .seg-score{color:#666;font-size:.85em}
.chips span{display:inline-block;margin:.15em .3em .15em 0;padding:.1em .5em;border-radius:1em;background:#eee;font-size:.85em}
"""


def marked_text(text: str, findings, offset: int = 0) -> str:
    """``text`` as HTML with each flagged span in a ``<mark class=SEVERITY title=REASONS>``."""
    out = []
    for run in highlight_runs(text, findings, offset):
        chunk = escape(text[run.start:run.end])
        if not run.findings:
            out.append(chunk)
            continue
        tip = "\n".join(f"[{f.severity}] {f.check}: {f.message}" for f in run.findings)
        out.append(f'<mark class="{run.severity}" title="{escape(tip, quote=True)}">{chunk}</mark>')
    return "".join(out)


def marked_source(text: str, findings, offset: int = 0) -> str:
    """``text``, a source, as HTML with the source-side spans of ``findings`` marked (an omission, say);
    ``offset`` is where ``text`` starts in what they index (the unit's source, or the source document)."""
    return marked_text(text, [replace(f, side="target") for f in findings if f.side == "source"], offset)


def render_body(report: Report) -> str:
    """The highlighted text alone: a source/target table for pairs, else the document (and its source document)."""
    if report.paired:
        rows = []
        for seg in report.segments:
            fs = report.findings_for(seg.index)
            sim = f" · similarity {seg.similarity:.2f}" if seg.similarity is not None else ""
            rows.append(
                f"<tr><td>{marked_source(seg.source or '', fs, seg.source_start or 0)}</td><td>{marked_text(seg.text, fs, seg.start)}"
                f'<div class="seg-score">#{escape(seg.id or str(seg.index))} · score {seg.score:.1f}{sim}</div></td></tr>'
            )
        return '<table class="pairs"><tr><th>Source</th><th>Target</th></tr>' + "".join(rows) + "</table>"
    body = f'<div class="doc">{marked_text(report.text, report.findings, 0)}</div>'
    if report.source_text is not None:
        body += f'<h2>Source</h2><div class="doc source">{marked_source(report.source_text, report.findings)}</div>'
    return body


def render_html(report: Report) -> str:
    """The whole report as one HTML page (no external assets)."""
    sev = report.counts("severity")
    cat = report.counts("category")
    chips = "".join(f"<span>{escape(k)}: {v}</span>" for k, v in sorted(cat.items()))
    head = (
        f"<h1>mtcheck report: {escape(report.name)}</h1>"
        f'<div class="meta">mtcheck {escape(report.version)} · target language {escape(str(report.tgt_lang))}'
        + (f" · source language {escape(str(report.src_lang))}" if report.src_lang else "")
        + f" · {report.word_count} words · {len(report.segments)} segments</div>"
        f'<p><span class="score {score_band(report.score, report.bands)}">{report.score:.1f}</span> / 100 &nbsp; '
        + (f"(learned from human judgements; MQM-penalty score {report.penalty_score:.1f}) &nbsp; "
           if report.penalty_score is not None else "")
        + f"{len(report.findings)} findings: {sev.get('critical', 0)} critical, {sev.get('major', 0)} major, "
        f"{sev.get('minor', 0)} minor</p><div class=\"chips\">{chips}</div>"
    )
    body = render_body(report)
    frows = []
    for i, f in enumerate(report.findings, 1):
        seg = report.segments[f.segment] if report.segments else None
        where = escape(seg.id) if seg is not None and seg.id else str(f.segment)
        side = " <small>(source)</small>" if f.side == "source" else ""
        frows.append(
            f"<tr><td>{i}</td><td>{where}</td><td>{f.start}–{f.end}{side}</td>"
            f'<td class="sev {f.severity}">{f.severity}</td><td>{escape(f.check)}<br><small>{escape(f.category)}</small></td>'
            f'<td class="t">{escape(f.text)}</td><td>{escape(f.message)}'
            + (f"<br><small>suggestion: {escape(f.suggestion)}</small>" if f.suggestion else "")
            + "</td></tr>"
        )
    table = (
        "<h2>Findings</h2><table><tr><th>#</th><th>Segment</th><th>Span</th><th>Severity</th><th>Check</th>"
        "<th>Text</th><th>Why</th></tr>" + "".join(frows) + "</table>"
    )
    errors = "".join(f"<p class='meta'>note: {escape(e)}</p>" for e in report.errors)
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>mtcheck: {escape(report.name)}</title><style>{CSS}</style></head><body>"
        f"{head}{errors}{body}{table}</body></html>\n"
    )
