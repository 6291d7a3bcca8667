"""Records of JSONL and CSV/TSV input: one parser for the whole-file readers and the streaming ones.

Both read the same lines (:func:`checker.io.files.text_lines` for a stream, :func:`lines_of` for a
decoded text: each ends at ``\\n``, ``\\r\\n`` or a lone ``\\r``), so a file reads the same records, with
the same line numbers, whichever way it is read.

* JSONL: one object per line with ``target`` (``source``, ``id`` optional); blank lines are skipped.
* CSV/TSV: a header naming ``target`` (and ``source``, ``id``). Quotes are read strictly: a quoted field
  that never closes (which would swallow the rows after it into one field) is an error naming the line
  where it opens, not a silent merge. Fields may be as long as a JSONL line (:data:`MAX_FIELD_CHARS`).
* A lone surrogate (``"\\ud800"`` in JSON: half a UTF-16 pair, not a character) cannot be written as
  UTF-8; it is replaced by U+FFFD and the unit says how many were (``unit["replaced"]``), so the run can
  say so in its report.

A malformed record is an :class:`~checker.errors.InputError` naming the line, or with ``skip_bad``
a :class:`Record` with the reason, in its place.
"""

from __future__ import annotations

import csv
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

from ..errors import InputError

#: the longest line a JSONL reader and the longest field a CSV/TSV reader accept (characters)
MAX_LINE_CHARS = 16 * 1024 * 1024
MAX_FIELD_CHARS = MAX_LINE_CHARS
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


@dataclass
class Record:
    """One input record: a unit to check, or the reason it cannot be checked."""

    line: int
    unit: dict[str, Any] | None = None
    error: str | None = None


class BadRecord(Exception):
    """A record that cannot be read; the rest of the file can."""


def lines_of(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line with its end) of a decoded text, split as a stream is (``\\n``, ``\\r\\n``, ``\\r``)."""
    return enumerate(StringIO(text, newline=""), 1)


def replace_surrogates(text: str) -> tuple[str, int]:
    """``text`` with every lone surrogate replaced by U+FFFD, and how many there were."""
    if not _SURROGATE.search(text):
        return text, 0
    return _SURROGATE.subn(REPLACEMENT, text)


def surrogate_note(name: str, lines: list[int], count: int | None = None) -> str:
    """The report's note on the ``count`` records (default: as many as ``lines``, the first of their line numbers)
    whose lone surrogates were replaced."""
    n = len(lines) if count is None else count
    shown = ", ".join(map(str, lines[:10])) + (f" and {n - len(lines[:10])} more" if n > len(lines[:10]) else "")
    return (f"{name}: lone surrogates (half a UTF-16 pair, e.g. \\ud800, which no UTF-8 file can hold) were "
            f"replaced by U+FFFD in {n} record{'s' * (n != 1)} (line{'s' * (n != 1)} {shown})")


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
    uid = None if uid is None else str(uid)
    replaced = 0
    target, n = replace_surrogates(target)
    replaced += n
    if source is not None:
        source, n = replace_surrogates(source)
        replaced += n
    if uid is not None:
        uid, n = replace_surrogates(uid)
        replaced += n
    unit = {"target": target, "source": source, "id": uid}
    if replaced:
        unit["replaced"] = replaced
    return unit


def require_target_column(header: list[str], name: str) -> None:
    """InputError (one line, whatever the header holds) when a CSV/TSV header has no 'target' column."""
    if "target" not in header:
        found = ", ".join(" ".join(h.split()) for h in header if h.strip()) or "none"
        raise InputError(f"{name}: header must have a 'target' column (found: {found})")


def _bad(name: str, lineno: int, message: str, skip_bad: bool) -> Record:
    if not skip_bad:
        raise InputError(f"{name}: line {lineno}: {message}")
    return Record(lineno, error=message)


def jsonl_unit(line: str) -> dict[str, Any]:
    """The unit of one JSONL line; :class:`BadRecord` with the reason when it has none."""
    if "\x00" in line:
        raise BadRecord("NUL byte in the line (binary data?)")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadRecord(f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise BadRecord("JSON nested too deeply") from None
    if not isinstance(obj, dict):
        raise BadRecord("expected a JSON object")
    try:
        return pair_unit(obj, "")
    except InputError as exc:
        raise BadRecord(str(exc).lstrip(": ")) from None


def jsonl_records(lines: Iterable[tuple[int, str]], name: str, skip_bad: bool = False) -> Iterator[Record]:
    """Records of JSONL lines; blank lines are skipped."""
    for lineno, line in lines:
        if not line.strip():
            continue
        try:
            yield Record(lineno, unit=jsonl_unit(line))
        except BadRecord as exc:
            yield _bad(name, lineno, str(exc), skip_bad)


def _quote_problem(exc: csv.Error, start: int, end: int) -> str:
    if start == end:
        return f"a stray quote ({exc})"
    return (f"a quoted field that opens on this line is not closed properly (read to line {end}; an unterminated "
            f"quote swallows the rows after it) ({exc})")


class _Feed:
    """Lines for the csv reader (a replay first), remembering those the current record took."""

    def __init__(self, lines: Iterable[tuple[int, str]]) -> None:
        self.source = iter(lines)
        self.replay: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        item = self.replay.popleft() if self.replay else next(self.source)
        self.taken.append(item)
        return item[1]


def delimited_records(lines: Iterable[tuple[int, str]], name: str, delimiter: str,
                      skip_bad: bool = False) -> Iterator[Record]:
    """Records of CSV/TSV lines with a header naming ``target`` (and ``source``, ``id``).

    A quoting error is reported at the line where its record starts; with ``skip_bad`` the record is an error
    record and reading goes on from the line after that one, so only the broken row is lost.
    """
    kind = "TSV" if delimiter == "\t" else "CSV"
    feed = _Feed(lines)
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        raise InputError(f"{name}: line 1: malformed {kind} header ({exc})") from None
    require_target_column(header, name)
    width = len(header)
    while True:
        feed.taken.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if not feed.taken:
                raise InputError(f"{name}: malformed {kind} ({exc})") from None
            start, end = feed.taken[0][0], feed.taken[-1][0]
            yield _bad(name, start, f"malformed {kind}: {_quote_problem(exc, start, end)}", skip_bad)
            feed.replay.extendleft(reversed(feed.taken[1:]))  # read on from the line after the broken one
            continue
        lineno = feed.taken[0][0] if feed.taken else 0
        if not row:
            continue  # a blank line
        if len(row) > width:
            yield _bad(name, lineno, "more fields than the header has", skip_bad)
            continue
        if len(row) < width:
            yield _bad(name, lineno, "fewer fields than the header has", skip_bad)
            continue
        if any("\x00" in field for field in row):
            yield _bad(name, lineno, "NUL byte in the row (binary data?)", skip_bad)
            continue
        fields = {k: v for k, v in zip(header, row, strict=True) if k in ("source", "target", "id")}
        yield Record(lineno, unit=pair_unit(fields, f"{name}: line {lineno}"))


# a field may be as long as a JSONL line (the csv module's default is 131,072 characters)
if csv.field_size_limit() < MAX_FIELD_CHARS:
    csv.field_size_limit(MAX_FIELD_CHARS)
