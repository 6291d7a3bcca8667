"""Any input file into a Document: plain text, JSONL and CSV/TSV pairs here, translation files through
:mod:`checker.io.formats`.

Every reader returns a :class:`~checker.values.Document`. Problems with the input
raise :class:`~checker.errors.InputError` with a one-line message that names the file
(and the line, where there is one). Files are opened and decoded by :mod:`checker.io.files`.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..langid import detect_document_language, normalise_lang
from ..segment import build_document, build_pair_document
from ..values import Document
from .files import FORMATS, TRANSLATION_FILES, detect_format, display_name, read_text
from .records import delimited_records, jsonl_records, lines_of, pair_unit, require_target_column, surrogate_note

__all__ = ["FORMATS", "InputError", "detect_format", "load_input", "pair_plain_texts", "pair_unit", "parse_delimited",
           "parse_jsonl", "require_target_column"]


def _records(text: str, name: str, kind: str):
    if kind == "jsonl":
        return jsonl_records(lines_of(text), name)
    return delimited_records(lines_of(text), name, "," if kind == "csv" else "\t")


def _units(text: str, name: str, kind: str) -> tuple[list[dict[str, Any]], list[int]]:
    """The units of a JSONL/CSV/TSV text, and the lines of those whose lone surrogates were replaced."""
    units, repaired = [], []
    for rec in _records(text, name, kind):
        if rec.unit is not None:
            units.append(rec.unit)
            if rec.unit.get("replaced"):
                repaired.append(rec.line)
    if not units:
        raise InputError(f"{name}: no records" if kind == "jsonl" else f"{name}: no rows")
    return units, repaired


def parse_jsonl(text: str, name: str) -> list[dict[str, Any]]:
    """Units of a JSONL text: one object per line with ``target`` (``source``, ``id`` optional).

    Lines end at ``\\n``, ``\\r\\n`` or ``\\r``, as when streaming (U+2028 may sit inside a string).
    A unit whose lone surrogates were replaced carries ``replaced`` (:mod:`checker.io.records`).
    """
    return _units(text, name, "jsonl")[0]


def parse_delimited(text: str, name: str, delimiter: str) -> list[dict[str, Any]]:
    """Units of a CSV/TSV text with a header naming ``target`` (and ``source``, ``id``); quotes read strictly."""
    return _units(text, name, "tsv" if delimiter == "\t" else "csv")[0]


def load_input(
    path: str,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    source_path: str | None = None,
    fmt: str | None = None,
) -> Document:
    """Read ``path`` (``-`` = stdin) into a Document.

    ``source_path`` gives the source for a target file: for plain text it is
    paired line by line when both have the same number of non-blank lines and
    otherwise kept as an unaligned source document.
    """
    name = display_name(path)
    kind = detect_format(path, fmt)
    if kind in TRANSLATION_FILES:  # streamed translation files, see checker.io.formats
        from .formats import load_units_document

        return load_units_document(path, kind, src_lang, tgt_lang, name, source_path)
    text = read_text(path, name)
    if kind == "text":
        if source_path is None:
            return build_document(text, tgt_lang, name=name)
        return pair_plain_texts(read_text(source_path), text, name, source_path, src_lang, tgt_lang)
    units, repaired = _units(text, name, kind)
    if source_path is not None:
        src_lines = [ln for ln in read_text(source_path).splitlines() if ln.strip()]
        if len(src_lines) != len(units):
            raise InputError(
                f"{source_path}: {len(src_lines)} source lines but {name} has {len(units)} targets; counts must match"
            )
        for unit, src in zip(units, src_lines, strict=True):
            unit["source"] = src
    doc = build_pair_document(units, src_lang, tgt_lang, name=name)
    if repaired:
        doc.notes.append(surrogate_note(name, repaired))
    return doc


def pair_plain_texts(
    src_text: str, tgt_text: str, name: str, source_name: str, src_lang: str | None, tgt_lang: str | None
) -> Document:
    """Source and target plain texts: line-aligned pairs when the line counts match,
    else the target document with the source kept whole for sentence alignment."""
    src_lines = [ln for ln in src_text.splitlines() if ln.strip()]
    tgt_lines = [ln for ln in tgt_text.splitlines() if ln.strip()]
    if len(src_lines) == len(tgt_lines):
        units = [{"source": s, "target": t, "id": str(i + 1)} for i, (s, t) in enumerate(zip(src_lines, tgt_lines, strict=True))]
        return build_pair_document(units, src_lang, tgt_lang, name=name)
    doc = build_document(tgt_text, tgt_lang, name=name)
    doc.source_text = src_text
    doc.src_lang = normalise_lang(src_lang) or detect_document_language(src_text)
    return doc
