"""``--annotate``: a copy of the input file with mtcheck's findings as notes on each unit.

XLIFF 1.2 gets ``<note from="mtcheck">`` in the ``trans-unit``, XLIFF 2.x a
``<note category="mtcheck">`` in the unit's ``<notes>``, TMX a ``<note>`` at the
head of the ``<tu>``, PO ``# mtcheck:`` translator comments and JSONL an
``"mtcheck"`` list on each line and CSV/TSV an ``mtcheck`` column. Nothing else in the file changes; the input is
only read, and the copy is written atomically.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path

from ..errors import InputError
from ..values import Finding, Report
from .files import read_text
from .output import write_output
from .records import lines_of

ANNOTATABLE = ("xliff", "tmx", "po", "jsonl", "csv", "tsv")
_XLIFF1_PRIORITY = {"critical": "1", "major": "3", "minor": "5"}


def check_annotatable(kind: str, path: str, out: str) -> None:
    """InputError before any work when ``--annotate`` cannot be honoured."""
    if kind not in ANNOTATABLE:
        raise InputError(f"--annotate writes notes into {', '.join(ANNOTATABLE)} files; {kind} files cannot carry "
                         "them (use --format jsonl or csv for the findings)")
    if path == "-":
        raise InputError("--annotate needs an input file, not stdin")
    if Path(out).resolve() == Path(path).resolve():
        raise InputError("--annotate must not name the input file (input files are never modified)")


def note_text(f: Finding, report: Report) -> str:
    """One line describing a finding, with offsets into the unit's target (or source)."""
    start, end = report.unit_span(f)
    where = f"{f.side} {start}-{end}"
    text = " ".join(f.text.split())
    quoted = f' "{text}"' if text else ""
    fix = f" Suggestion: {' '.join(f.suggestion.split())}" if f.suggestion else ""
    return f"mtcheck {f.severity} {f.check} ({f.category}) at {where}{quoted}: {' '.join(f.message.split())}{fix}"


def unit_notes(report: Report) -> dict[int, list[tuple[str, str]]]:
    """``(severity, note text)`` of each finding, by segment (= unit) index."""
    notes: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for f in sorted(report.findings, key=lambda f: (f.segment, f.side != "target", f.start)):
        notes[f.segment].append((f.severity, note_text(f, report)))
    return notes


def annotate(path: str, kind: str, report: Report, out: str) -> int:
    """Write the annotated copy of ``path`` to ``out``; returns the number of notes written."""
    notes = unit_notes(report)
    if kind in ("xliff", "tmx"):
        data = _annotate_xml(path, kind, notes, len(report.segments))
    elif kind == "po":
        data = _annotate_po(path, notes, len(report.segments))
    elif kind == "jsonl":
        data = _annotate_jsonl(path, notes, len(report.segments))
    elif kind in ("csv", "tsv"):
        data = _annotate_delimited(path, "\t" if kind == "tsv" else ",", notes, len(report.segments))
    else:
        raise InputError(f"--annotate cannot write {kind} files")
    write_output(out, data)
    return sum(len(v) for v in notes.values())


def _mismatch(path: str, n_file: int, n_report: int) -> InputError:
    return InputError(f"{path}: has {n_file} units but the report has {n_report}; the file changed while checking?")


def _insert(parent, child, index: int) -> None:
    """Insert ``child`` at ``index`` keeping the surrounding indentation."""
    indent = parent.text if parent.text and not parent.text.strip() else None
    if index >= len(parent):
        last = parent[-1] if len(parent) else None
        if last is not None:
            child.tail, last.tail = last.tail, (parent[-2].tail if len(parent) > 1 else indent) or last.tail
        parent.append(child)
    else:
        child.tail = indent if index == 0 else parent[index - 1].tail
        parent.insert(index, child)


def _annotate_xml(path: str, kind: str, notes: dict[int, list[tuple[str, str]]], n_segments: int) -> str:
    from lxml import etree

    from .formats.xml_units import dialect_of, is_unit, localname, safe_parser

    try:
        tree = etree.parse(path, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: malformed XML: {exc}") from None
    root = tree.getroot()
    dialect = dialect_of(root, path, kind)
    units = [el for el in root.iter() if isinstance(el.tag, str) and is_unit(el, dialect)]
    if len(units) != n_segments:
        raise _mismatch(path, len(units), n_segments)
    ns = etree.QName(root.tag).namespace
    q = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
    for i, unit in enumerate(units):
        for severity, text in notes.get(i, []):
            if dialect == "xliff1":
                note = etree.Element(q("note"), {"from": "mtcheck", "priority": _XLIFF1_PRIORITY[severity]})
                note.text = text
                _insert(unit, note, len(unit))
            elif dialect == "xliff2":
                box = next((c for c in unit if localname(c) == "notes"), None)
                note = etree.Element(q("note"), {"category": "mtcheck"})
                note.text = text
                if box is None:  # <notes> must be the unit's first child
                    box = etree.Element(q("notes"))
                    _insert(unit, box, 0)
                    box.text = (unit.text or "") + "  " if unit.text and not unit.text.strip() else None
                    box.append(note)
                    note.tail = unit.text if unit.text and not unit.text.strip() else None
                else:
                    _insert(box, note, len(box))
            else:
                note = etree.Element("note")
                note.text = text
                first_tuv = next((j for j, c in enumerate(unit) if localname(c) == "tuv"), len(unit))
                _insert(unit, note, first_tuv)
    body = etree.tostring(tree, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _annotate_po(path: str, notes: dict[int, list[tuple[str, str]]], n_segments: int) -> str:
    from .formats.po import eligible, iter_entry_blocks, parse_block, plural_forms

    out: list[str] = []
    ordinal = 0
    header = b""
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        parts = data.decode("utf-8-sig").split("\n")  # the same lines iter_entry_blocks counts
    except UnicodeDecodeError:
        raise InputError(f"{path}: --annotate needs a UTF-8 PO file") from None
    lines = [ln + "\n" for ln in parts[:-1]] + ([parts[-1]] if parts[-1] else [])

    pos = 0  # lines of the file copied so far
    for lineno, block in iter_entry_blocks(io.BytesIO(data)):
        store = parse_block(header + b"".join(block), path, lineno)
        if not header and store.units and store.units[0].isheader() and ordinal == 0:
            header = b"".join(block) + b"\n"
        units = [u for u in store.units if eligible(u)]
        comments = []
        for unit in units:
            forms = plural_forms(unit)  # one report segment per plural form, as the reader makes them
            for k in range(len(forms)):
                label = f"msgstr[{k}]: " if unit.hasplural() else ""
                comments += [f"# {label}{t}\n" for _, t in notes.get(ordinal, [])]
                ordinal += 1
        out.extend(lines[pos: lineno - 1])
        out.extend(comments)
        pos = lineno - 1
    out.extend(lines[pos:])
    if ordinal != n_segments:
        raise _mismatch(path, ordinal, n_segments)
    return "".join(out)


def _json_line(obj: dict) -> str:
    """One JSON line, UTF-8 where it can be; a lone surrogate (no UTF-8 can hold it) keeps its ``\\ud800`` escape."""
    line = json.dumps(obj, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(obj, ensure_ascii=True)
    return line


def _annotate_jsonl(path: str, notes: dict[int, list[tuple[str, str]]], n_segments: int) -> str:
    out = []
    i = 0
    for _, line in lines_of(read_text(path)):  # the lines the reader read (UTF-16 too; \r ends a line)
        if not line.strip():
            out.append(line)
            continue
        obj = json.loads(line)
        if notes.get(i):
            obj["mtcheck"] = [t for _, t in notes[i]]
        out.append(_json_line(obj) + "\n")
        i += 1
    if i != n_segments:
        raise _mismatch(path, i, n_segments)
    return "".join(out)


def _annotate_delimited(path: str, delimiter: str, notes: dict[int, list[tuple[str, str]]], n_segments: int) -> str:
    """CSV/TSV with an ``mtcheck`` column (replaced if the file already has one); blank rows stay blank."""
    import csv

    text = read_text(path)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = rows[0]
    col = next((j for j, h in enumerate(header) if h.strip().lower() == "mtcheck"), None)
    if col is None:
        header.append("mtcheck")
        col = len(header) - 1
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if "\r\n" in text else "\n")
    writer.writerow(header)
    i = 0
    for row in rows[1:]:
        if not row:  # csv.DictReader (the reader) skips blank rows
            writer.writerow(row)
            continue
        row += [""] * (col + 1 - len(row))
        row[col] = " | ".join(t for _, t in notes.get(i, []))
        writer.writerow(row)
        i += 1
    if i != n_segments:
        raise _mismatch(path, i, n_segments)
    return buf.getvalue()
