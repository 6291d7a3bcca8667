"""Streaming readers for corpora: JSONL and CSV/TSV read one record at a time.

Memory stays flat whatever the file size: lines are read one by one (a line
longer than :data:`MAX_LINE_CHARS` characters is refused rather than buffered). Each record
comes out as a :class:`Record` holding its 1-based line number and either a unit
dict (``target``, ``source``, ``id``) or, for a malformed record, an error message.
The lines and the records are those the whole-file readers see (:mod:`checker.io.records`):
UTF-8, or UTF-16/32 with a byte-order mark; lines ending at ``\\n``, ``\\r\\n`` or ``\\r``.

Malformed records: by default the first one raises :class:`InputError` naming the
line. With ``skip_bad=True`` it is yielded as an error record instead, so the
caller can write an error line in its place and count it; nothing is lost silently.
Problems that make the rest of the file unreadable (no header, bytes that do not
decode, an unreadable file) always raise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from ..errors import InputError
from .files import RECORD_FILES, detect_format, display_name, open_input, text_lines
from .records import MAX_LINE_CHARS, Record, delimited_records, jsonl_records

__all__ = ["MAX_LINE_CHARS", "STREAM_FORMATS", "Record", "iter_records", "read_records",
           "stream_kind"]

STREAM_FORMATS = RECORD_FILES


def stream_kind(path: str, fmt: str | None = None) -> str | None:
    """``jsonl``/``csv``/``tsv`` when ``path`` (or ``fmt``) is a record format that streams, else None."""
    kind = detect_format(path, fmt)
    return kind if kind in STREAM_FORMATS else None


def iter_records(fh: IO[bytes], name: str, kind: str, skip_bad: bool = False, digest: Any = None) -> Iterator[Record]:
    """Records of an open stream of kind ``jsonl``, ``csv`` or ``tsv``; at least one, else InputError.

    ``digest`` (a hashlib object) is fed every line as it is read: after the n-th record it holds the
    hash of exactly the lines that far (the readers read no further than the record they yield).
    """
    lines = text_lines(fh, name, MAX_LINE_CHARS, digest)
    if kind == "jsonl":
        records = jsonl_records(lines, name, skip_bad)
    elif kind in ("csv", "tsv"):
        records = delimited_records(lines, name, "," if kind == "csv" else "\t", skip_bad)
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
