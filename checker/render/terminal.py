"""Terminal output with rich: highlighted text, a findings table and a summary."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..scoring import score_band
from .spans import highlight_runs

if TYPE_CHECKING:
    from ..values import Report

STYLES = {"minor": "black on yellow", "major": "bold white on dark_orange3", "critical": "bold white on red"}
SEV_STYLES = {"minor": "yellow", "major": "dark_orange3", "critical": "bold red"}
#: the colour of a score, by its band (:func:`checker.scoring.score_band`)
BAND_COLOURS = {"good": "green", "fair": "yellow", "poor": "red"}


def plain_console(stream) -> Console:
    """A console for files and pipes: no colour, no highlighting, lines as long as they are."""
    return Console(file=stream, no_color=True, highlight=False, soft_wrap=False)


def render_text(report: Report, *, console: Console | None = None, show_text: bool = True,
                max_findings: int | None = None) -> str:
    """The report as a terminal shows it. With ``console`` it is printed there (its colours and width) and ''
    is returned; without one, the plain text is returned."""
    if console is not None:
        render_terminal(report, console, show_text, max_findings)
        return ""
    buf = io.StringIO()
    render_terminal(report, plain_console(buf), show_text, max_findings)
    return buf.getvalue()


def _highlighted(text: str, findings, offset: int, numbers: dict[int, int], side: str = "target") -> Text:
    """``text`` with the spans of ``side`` highlighted, each followed by its findings' numbers where it ends.

    ``offset`` is where ``text`` starts in the text the findings index (the document, the source
    document, or 0 for a unit's own source)."""
    if side != "target":  # highlighting reads target spans: hand it the source side's as such, numbered alike
        copies = [(replace(f, side="target"), f) for f in findings if f.side == side]
        numbers = {**numbers, **{id(c): numbers[id(f)] for c, f in copies}}
        findings = [c for c, _ in copies]
    out = Text()
    for run in highlight_runs(text, findings, offset):
        chunk = text[run.start:run.end]
        if not run.findings:
            out.append(chunk)
            continue
        out.append(chunk, style=STYLES[run.severity or "minor"])
        ends_here = [f for f in run.findings if max(f.end, f.start + 1) - offset <= run.end]
        if ends_here:
            out.append("[" + ",".join(str(numbers[id(f)]) for f in ends_here) + "]", style="dim")
    return out


def render_terminal(report: Report, console: Console, show_text: bool = True, max_findings: int | None = None) -> None:
    """Print the report: the text with numbered highlights, the findings, a summary."""
    numbers = {id(f): i for i, f in enumerate(report.findings, 1)}
    if show_text:
        if report.paired:
            for seg in report.segments:
                fs = report.findings_for(seg.index)
                label = seg.id or str(seg.index)
                sim = f" sim {seg.similarity:.2f}" if seg.similarity is not None else ""
                console.print(Text(f"#{label}  score {seg.score:.0f}{sim}", style="bold"))
                if seg.source:
                    console.print(Text("  src: ", style="dim")
                                  + _highlighted(seg.source, fs, seg.source_start or 0, numbers, side="source"))
                console.print(Text("  tgt: ", style="dim") + _highlighted(seg.text, fs, seg.start, numbers))
        else:
            console.print(_highlighted(report.text, report.findings, 0, numbers))
            if report.source_text is not None and any(f.side == "source" for f in report.findings):
                console.print()
                console.print(Text("Source", style="bold"))
                console.print(_highlighted(report.source_text, report.findings, 0, numbers, side="source"))
        console.print()
    if report.findings:
        shown = report.findings if max_findings is None else report.findings[:max_findings]
        if console.width < 110:
            _findings_list(report, shown, console, numbers)
        else:
            _findings_table(report, shown, console, numbers)
        if max_findings is not None and len(report.findings) > max_findings:
            console.print(f"… {len(report.findings) - max_findings} more findings (use --format json for all)")
    sev = report.counts("severity")
    cats = ", ".join(f"{k} {v}" for k, v in sorted(report.counts("category").items())) or "none"
    colour = BAND_COLOURS[score_band(report.score, report.bands)]
    n = len(report.findings)
    summary = (
        f"[bold {colour}]score {report.score:.1f}/100[/]"
        + (f" (learned from human judgements; MQM-penalty score {report.penalty_score:.1f})" if report.penalty_score is not None
           else "")
        + f"   {n} finding{'s' * (n != 1)} "
        f"({sev.get('critical', 0)} critical, {sev.get('major', 0)} major, {sev.get('minor', 0)} minor)\n"
        f"{report.word_count} words, {len(report.segments)} segments, target {report.tgt_lang}"
        + (f", source {report.src_lang}" if report.src_lang else "")
        + f", {len(report.checks_run)} checks in {report.timings.get('total', 0):.2f} s\n"
        f"by category: {escape(cats)}"
    )
    for err in report.errors:
        summary += f"\n[yellow]note:[/] {escape(err)}"
    console.print(Panel(summary, title=escape(report.name), expand=False))


def _where(report: Report, f) -> str:
    """Where a finding is: its unit's id or number, or line:col in the text (``src`` line:col in the source
    document, for a source-side finding of a text checked against one)."""
    seg = report.segments[f.segment]
    if seg.id:
        return seg.id
    if report.paired:
        return str(f.segment)
    if f.side == "source":
        return "src " + _line_col(report.source_text, f.start) if report.source_text is not None else f"src {f.segment}"
    return _line_col(report.text, f.start)


def _shown_text(f) -> str:
    return escape(repr(f.text)[1:-1]) if f.text.strip() else repr(f.text)


def _findings_table(report: Report, shown, console: Console, numbers: dict[int, int]) -> None:
    table = Table(title="Findings", show_lines=False, expand=True)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("where", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("text", overflow="fold", max_width=28)
    table.add_column("why", overflow="fold")
    for f in shown:
        why = f.message + (f" ({f.suggestion})" if f.suggestion else "")
        table.add_row(str(numbers[id(f)]), _where(report, f), Text(f.severity, style=SEV_STYLES[f.severity]), f.check,
                      _shown_text(f), why)
    console.print(table)


def _findings_list(report: Report, shown, console: Console, numbers: dict[int, int]) -> None:
    """Narrow terminals: one heading line per finding, the reason indented below it."""
    console.print(Text("Findings", style="bold"))
    for f in shown:
        head = Text(f"[{numbers[id(f)]}] ", style="dim") + Text(_where(report, f) + "  ")
        head += Text(f.severity, style=SEV_STYLES[f.severity]) + Text(f"  {f.check}  ") + Text(
            repr(f.text) if not f.text.strip() else f"'{f.text}'", style="bold")
        console.print(head)
        why = f.message + (f" ({f.suggestion})" if f.suggestion else "")
        console.print(Padding(Text(why), (0, 0, 0, 4)))


def _line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{col}"
