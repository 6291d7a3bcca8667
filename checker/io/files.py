"""Files in and out: what kind a file is, opening, reading and decoding it, and writing atomically.

Every reader of :mod:`checker.io` opens its input here, so a missing, unreadable,
binary or non-UTF-8 file is the same one-line :class:`~checker.errors.InputError`
whatever its kind. Input files are only ever opened for reading; output is written
through a temporary file and a rename, so a reader never sees half a file.
Imports nothing from the package but its errors.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..errors import InputError

#: refuse whole-file reads above this size (bytes); streaming readers have no limit
MAX_BYTES = 200 * 1024 * 1024

#: the input kinds mtcheck reads
FORMATS: tuple[str, ...] = ("text", "jsonl", "csv", "tsv", "xliff", "po", "tmx", "srt")
#: translation exchange files: one unit per trans-unit / entry / tu / cue (:mod:`checker.io.formats`)
TRANSLATION_FILES: tuple[str, ...] = ("xliff", "po", "tmx", "srt")
#: record files that can be streamed (:mod:`checker.io.stream`)
RECORD_FILES: tuple[str, ...] = ("jsonl", "csv", "tsv")
#: file extension -> input kind; any other extension reads as text
EXTENSIONS: dict[str, str] = {
    ".txt": "text", ".text": "text", ".md": "text", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlf": "xliff", ".xliff": "xliff", ".sdlxliff": "xliff",
    ".mqxliff": "xliff", ".po": "po", ".pot": "po", ".tmx": "tmx", ".srt": "srt",
}
#: translation/document formats mtcheck does not read: an error, not a garbled plain-text read
UNSUPPORTED_EXTENSIONS: tuple[str, ...] = (
    ".docx", ".doc", ".odt", ".pdf", ".xlsx", ".xls", ".pptx", ".zip", ".mo", ".ts", ".resx",
    ".strings", ".properties", ".vtt", ".sbv", ".ass", ".ssa", ".tbx", ".idml",
)


def detect_format(path: str | Path, fmt: str | None = None) -> str:
    """Input kind from ``fmt`` or the file extension; unknown extensions read as text."""
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown input format {fmt!r} (choose from {', '.join(FORMATS)})")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in UNSUPPORTED_EXTENSIONS:
        raise InputError(f"{path}: unsupported file type {suffix!r} (mtcheck reads {', '.join(FORMATS)}): "
                         "save it as one of these, plain text say")
    return EXTENSIONS.get(suffix, "text")


def display_name(path: str | Path) -> str:
    """How messages name an input: ``<stdin>`` for ``-``, else the path as given."""
    return "<stdin>" if str(path) == "-" else str(path)


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


@contextmanager
def open_seekable(path: str | Path, name: str) -> Iterator[IO[bytes]]:
    """A seekable binary stream of a non-empty file (stdin is read into memory)."""
    if str(path) == "-":
        yield io.BytesIO(sys.stdin.buffer.read())
        return
    with open_input(path, name) as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            raise InputError(f"{name}: file is empty")
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


def read_text(path: str, name: str | None = None) -> str:
    """The decoded text of ``path`` (``-`` is stdin): :func:`read_bytes`, then :func:`read_text_bytes`."""
    return read_text_bytes(read_bytes(path), name or str(path))


def write_atomic(path: str | Path, data: str) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
