"""Any input file into a Document: plain text, JSONL and CSV/TSV pairs here, translation files through
:mod:`checker.io.formats`.

Every reader returns a :class:`~checker.values.Document`. Problems with the input
raise :class:`~checker.errors.InputError` with a one-line message that names the file
(and the line, where there is one). Files are opened and decoded by :mod:`checker.io.files`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ..errors import InputError
from ..langid import detect_document_language, normalise_lang
from ..segment import build_document, build_pair_document
from ..values import Document
from .files import FORMATS, TRANSLATION_FILES, detect_format, display_name, read_text

__all__ = ["FORMATS", "InputError", "detect_format", "load_input", "pair_plain_texts", "parse_delimited", "parse_jsonl"]


def pair_unit(obj: dict[str, Any], where: str) -> dict[str, Any]:
    """The unit (``target``, ``source``, ``id``) of one JSONL object or CSV row; InputError at ``where`` if malformed."""
    if "target" not in obj:
        raise InputError(f"{where}: no \"target\" field")
    target = obj["target"]
    source = obj.get("source")
    if not isinstance(target, str):
        raise InputError(f"{where}: \"target\" must be a string")
    if source is not None and not isinstance(source, str):
        raise InputError(f"{where}: \"source\" must be a string")
    uid = obj.get("id")
    return {"target": target, "source": source, "id": None if uid is None else str(uid)}


def parse_jsonl(text: str, name: str) -> list[dict[str, Any]]:
    """Units of a JSONL text: one object per line with ``target`` (``source``, ``id`` optional)."""
    units = []
    for lineno, line in enumerate(text.split("\n"), 1):  # only \n ends a record: U+2028 may sit inside a string
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}: line {lineno}: not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise InputError(f"{name}: line {lineno}: JSON nested too deeply") from None
        if not isinstance(obj, dict):
            raise InputError(f"{name}: line {lineno}: expected a JSON object")
        units.append(pair_unit(obj, f"{name}: line {lineno}"))
    if not units:
        raise InputError(f"{name}: no records")
    return units


def require_target_column(header: list[str], name: str) -> None:
    """InputError (one line, whatever the header holds) when a CSV/TSV header has no 'target' column."""
    if "target" not in header:
        found = ", ".join(" ".join(h.split()) for h in header if h.strip()) or "none"
        raise InputError(f"{name}: header must have a 'target' column (found: {found})")


def parse_delimited(text: str, name: str, delimiter: str) -> list[dict[str, Any]]:
    """Units of a CSV/TSV text with a header naming ``target`` (and ``source``, ``id``)."""
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        require_target_column(header, name)
        reader.fieldnames = header
        units = []
        for row in reader:
            lineno = reader.line_num
            if None in row:
                raise InputError(f"{name}: line {lineno}: more fields than the header has")
            if row.get("target") is None:
                raise InputError(f"{name}: line {lineno}: fewer fields than the header has")
            units.append(pair_unit({k: v for k, v in row.items() if k in ("source", "target", "id")},
                                    f"{name}: line {lineno}"))
    except csv.Error as exc:
        raise InputError(f"{name}: malformed {'TSV' if delimiter == chr(9) else 'CSV'} ({exc})") from None
    if not units:
        raise InputError(f"{name}: no rows")
    return units


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
    units = parse_jsonl(text, name) if kind == "jsonl" else parse_delimited(text, name, "," if kind == "csv" else "\t")
    if source_path is not None:
        src_lines = [ln for ln in read_text(source_path).splitlines() if ln.strip()]
        if len(src_lines) != len(units):
            raise InputError(
                f"{source_path}: {len(src_lines)} source lines but {name} has {len(units)} targets; counts must match"
            )
        for unit, src in zip(units, src_lines, strict=True):
            unit["source"] = src
    return build_pair_document(units, src_lang, tgt_lang, name=name)


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
