"""Streaming readers for corpora: JSONL and CSV/TSV read one record at a time.

Memory stays flat whatever the file size: lines are read one by one (a line
longer than :data:`MAX_LINE_BYTES` is refused rather than buffered). Each record
comes out as a :class:`Record` holding its 1-based line number and either a unit
dict (``target``, ``source``, ``id``) or, for a malformed record, an error message.

Malformed records: by default the first one raises :class:`InputError` naming the
line. With ``skip_bad=True`` it is yielded as an error record instead, so the
caller can write an error line in its place and count it; nothing is lost silently.
Problems that make the rest of the file unreadable (no header, a CSV quoting
error, an unreadable file) always raise.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from ..errors import InputError
from .files import RECORD_FILES, detect_format, display_name, open_input
from .readers import pair_unit, require_target_column

#: longest line (bytes) a streaming reader accepts; longer ones are an error, not a memory spike
MAX_LINE_BYTES = 16 * 1024 * 1024
STREAM_FORMATS = RECORD_FILES


@dataclass
class Record:
    """One input record: a unit to check, or the reason it cannot be checked."""

    line: int
    unit: dict[str, Any] | None = None
    error: str | None = None


def stream_kind(path: str, fmt: str | None = None) -> str | None:
    """``jsonl``/``csv``/``tsv`` when ``path`` (or ``fmt``) is a record format that streams, else None."""
    kind = detect_format(path, fmt)
    return kind if kind in STREAM_FORMATS else None


def input_fingerprint(path: str, size: int = 65536) -> str:
    """A hash of the first ``size`` bytes: tells a resumed run it reads the same file."""
    with open_input(path) as fh:
        return hashlib.sha256(fh.read(size)).hexdigest()[:16]


def _decoded_lines(fh: IO[bytes], name: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line, line ends kept; refuses huge lines, binary and bad UTF-8."""
    lineno = 0
    while True:
        raw = fh.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise InputError(f"{name}: line {lineno}: longer than {MAX_LINE_BYTES // (1024 * 1024)} MB")
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: line {lineno}: not valid UTF-8 (byte {exc.start} of the line); "
                             "re-save the file as UTF-8") from None
        yield lineno, text


def _bad(name: str, lineno: int, message: str, skip_bad: bool) -> Record:
    if not skip_bad:
        raise InputError(f"{name}: line {lineno}: {message}")
    return Record(lineno, error=message)


def iter_jsonl(fh: IO[bytes], name: str, skip_bad: bool = False) -> Iterator[Record]:
    """Records of a JSONL stream: one object per line with ``target`` (``source``, ``id`` optional).

    Blank lines are skipped, as the whole-file reader does.
    """
    for lineno, line in _decoded_lines(fh, name):
        if not line.strip():
            continue
        if "\x00" in line:
            yield _bad(name, lineno, "NUL byte in the line (binary data?)", skip_bad)
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _bad(name, lineno, f"not valid JSON ({exc.msg})", skip_bad)
            continue
        except RecursionError:
            yield _bad(name, lineno, "JSON nested too deeply", skip_bad)
            continue
        if not isinstance(obj, dict):
            yield _bad(name, lineno, "expected a JSON object", skip_bad)
            continue
        try:
            unit = pair_unit(obj, "")
        except InputError as exc:
            yield _bad(name, lineno, str(exc).lstrip(": "), skip_bad)
            continue
        yield Record(lineno, unit=unit)


def iter_delimited(fh: IO[bytes], name: str, delimiter: str, skip_bad: bool = False) -> Iterator[Record]:
    """Records of a CSV/TSV stream with a header naming ``target`` (and ``source``, ``id``)."""
    kind = "TSV" if delimiter == "\t" else "CSV"
    lines = (text for _, text in _decoded_lines(fh, name))
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        require_target_column(header, name)
        width = len(header)
        for row in reader:
            lineno = reader.line_num
            if not row:
                continue  # blank line
            if len(row) > width:
                yield _bad(name, lineno, "more fields than the header has", skip_bad)
                continue
            if len(row) < width:
                yield _bad(name, lineno, "fewer fields than the header has", skip_bad)
                continue
            fields = {k: v for k, v in zip(header, row, strict=True) if k in ("source", "target", "id")}
            yield Record(lineno, unit=pair_unit(fields, ""))
    except csv.Error as exc:
        raise InputError(f"{name}: line {reader.line_num}: malformed {kind} ({exc})") from None


def iter_records(fh: IO[bytes], name: str, kind: str, skip_bad: bool = False) -> Iterator[Record]:
    """Records of an open stream of kind ``jsonl``, ``csv`` or ``tsv``; at least one, else InputError."""
    if kind == "jsonl":
        records = iter_jsonl(fh, name, skip_bad)
    elif kind in ("csv", "tsv"):
        records = iter_delimited(fh, name, "," if kind == "csv" else "\t", skip_bad)
    else:
        raise InputError(f"{name}: {kind} input cannot be streamed (use JSONL, CSV or TSV)")
    seen = False
    for rec in records:
        seen = True
        yield rec
    if not seen:
        raise InputError(f"{name}: no records")


def read_records(path: str, fmt: str | None = None, skip_bad: bool = False) -> Iterator[Record]:
    """Records of the file at ``path`` (``-`` = stdin), read lazily."""
    name = display_name(path)
    kind = stream_kind(path, fmt)
    if kind is None:
        raise InputError(f"{name}: only JSONL, CSV and TSV input can be streamed")
    with open_input(path) as fh:
        yield from iter_records(fh, name, kind, skip_bad)
