"""Readers for the input kinds: plain text, JSONL and CSV/TSV pairs.

Every reader returns a :class:`~checker.model.Document`. Problems with the input
raise :class:`InputError` with a one-line message that names the file (and the
line, where there is one). Input files are only ever opened for reading.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ..model import Document
from ..pipeline import build_document, build_pair_document

#: refuse whole-file reads above this size (bytes); streaming readers have no limit
MAX_BYTES = 200 * 1024 * 1024


class InputError(ValueError):
    """Input that cannot be checked; the message is one line for the user."""


@contextmanager
def open_input(path: str | Path, name: str | None = None) -> Iterator[IO[bytes]]:
    """The input as a binary stream (``-`` is stdin), with one-line errors for unreadable paths."""
    name = name or str(path)
    if str(path) == "-":
        yield sys.stdin.buffer
        return
    p = Path(path)
    if not p.exists():
        raise InputError(f"{name}: no such file")
    if p.is_dir():
        raise InputError(f"{name}: is a directory, not a file")
    try:
        fh = p.open("rb")
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    with fh:
        yield fh


def read_bytes(path: str, max_bytes: int = MAX_BYTES) -> bytes:
    """All bytes of ``path`` (``-`` is stdin), refusing missing, directory and huge inputs."""
    with open_input(path) as fh:
        if fh is not sys.stdin.buffer:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise InputError(f"{path}: file is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit")
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise InputError(f"{path}: input over the {max_bytes / 1e6:.0f} MB limit")
    return data


def read_text_bytes(data: bytes, name: str) -> str:
    """Decode UTF-8 (a BOM is dropped), refusing empty, binary and non-UTF-8 input."""
    if not data.strip():
        raise InputError(f"{name}: file is empty")
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}: not valid UTF-8 (byte {exc.start}, line {line}); re-save the file as UTF-8") from None
    if not text.strip():
        raise InputError(f"{name}: file is empty")
    return text


def _pair_dict(obj: dict[str, Any], where: str) -> dict[str, Any]:
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
        units.append(_pair_dict(obj, f"{name}: line {lineno}"))
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
            units.append(_pair_dict({k: v for k, v in row.items() if k in ("source", "target", "id")},
                                    f"{name}: line {lineno}"))
    except csv.Error as exc:
        raise InputError(f"{name}: malformed {'TSV' if delimiter == chr(9) else 'CSV'} ({exc})") from None
    if not units:
        raise InputError(f"{name}: no rows")
    return units


def read_plain_lines(text: str) -> list[str]:
    return text.splitlines()


Loader = Callable[[str, str, "str | None", "str | None"], Document]


def _load_text(text: str, name: str, src_lang: str | None, tgt_lang: str | None) -> Document:
    doc = build_document(text, tgt_lang, name=name)
    return doc


def _load_units(units: list[dict[str, Any]], name: str, src_lang: str | None, tgt_lang: str | None) -> Document:
    return build_pair_document(units, src_lang, tgt_lang, name=name)


FORMATS = ("text", "jsonl", "csv", "tsv", "xliff", "po", "tmx", "srt")
_EXT = {".txt": "text", ".text": "text", ".md": "text", ".jsonl": "jsonl", ".ndjson": "jsonl",
        ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlf": "xliff", ".xliff": "xliff", ".sdlxliff": "xliff",
        ".mqxliff": "xliff", ".po": "po", ".pot": "po", ".tmx": "tmx", ".srt": "srt"}
#: translation/document formats mtcheck does not read: an error, not a garbled plain-text read
_UNSUPPORTED_EXT = (".docx", ".doc", ".odt", ".pdf", ".xlsx", ".xls", ".pptx", ".zip", ".mo", ".ts", ".resx",
                    ".strings", ".properties", ".vtt", ".sbv", ".ass", ".ssa", ".tbx", ".idml")


def detect_format(path: str, fmt: str | None = None) -> str:
    """Input kind from ``fmt`` or the file extension; unknown extensions read as text."""
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown input format {fmt!r} (choose from {', '.join(FORMATS)})")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in _UNSUPPORTED_EXT:
        raise InputError(f"{path}: unsupported file type {suffix!r} (mtcheck reads {', '.join(FORMATS)}; "
                         "use --input-format to read it as one of these)")
    return _EXT.get(suffix, "text")


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
    name = "<stdin>" if path == "-" else path
    kind = detect_format(path, fmt)
    if kind in ("xliff", "po", "tmx", "srt"):  # streamed translation files, see checker.io.formats
        from .formats import load_units_document

        return load_units_document(path, kind, src_lang, tgt_lang, name, source_path)
    text = read_text_bytes(read_bytes(path), name)
    if kind == "text":
        if source_path is None:
            return _load_text(text, name, src_lang, tgt_lang)
        src_text = read_text_bytes(read_bytes(source_path), source_path)
        return pair_plain_texts(src_text, text, name, source_path, src_lang, tgt_lang)
    units = parse_jsonl(text, name) if kind == "jsonl" else parse_delimited(text, name, "," if kind == "csv" else "\t")
    if source_path is not None:
        src_lines = [ln for ln in read_text_bytes(read_bytes(source_path), source_path).splitlines() if ln.strip()]
        if len(src_lines) != len(units):
            raise InputError(
                f"{source_path}: {len(src_lines)} source lines but {name} has {len(units)} targets; counts must match"
            )
        for unit, src in zip(units, src_lines, strict=True):
            unit["source"] = src
    return _load_units(units, name, src_lang, tgt_lang)


def pair_plain_texts(
    src_text: str, tgt_text: str, name: str, source_name: str, src_lang: str | None, tgt_lang: str | None
) -> Document:
    """Source and target plain texts: line-aligned pairs when the line counts match,
    else the target document with the source kept whole for sentence alignment."""
    from ..langid import detect_document_language, normalise_lang

    src_lines = [ln for ln in src_text.splitlines() if ln.strip()]
    tgt_lines = [ln for ln in tgt_text.splitlines() if ln.strip()]
    if len(src_lines) == len(tgt_lines):
        units = [{"source": s, "target": t, "id": str(i + 1)} for i, (s, t) in enumerate(zip(src_lines, tgt_lines, strict=True))]
        return build_pair_document(units, src_lang, tgt_lang, name=name)
    doc = build_document(tgt_text, tgt_lang, name=name)
    doc.source_text = src_text
    doc.src_lang = normalise_lang(src_lang) or detect_document_language(src_text)
    return doc
