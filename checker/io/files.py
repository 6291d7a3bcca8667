"""Files in and out: what kind a file is, opening, reading and decoding it, and writing atomically.

Every reader of :mod:`checker.io` opens its input here, so a missing, unreadable,
binary (a NUL byte anywhere) or undecodable file is the same one-line
:class:`~checker.errors.InputError` whatever its kind. Text is UTF-8, or UTF-16/32 with a
byte-order mark; :func:`text_lines` streams it line by line, ending lines where the whole-file
readers do. Input files are only ever opened for reading; a regular output file is written
through a temporary file and a rename, so a reader never sees half a file (devices, FIFOs and
stdout are written through: :mod:`checker.io.output`). Imports nothing from the package but its errors.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

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


#: byte-order marks and the codec each means, UTF-32 first (its little-endian mark starts like UTF-16's)
BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def bom_encoding(head: bytes) -> tuple[str, str]:
    """(codec, name) of input starting with ``head``: UTF-16/32 by their byte-order mark, else UTF-8 (BOM dropped)."""
    for bom, codec, label in BOMS:
        if head.startswith(bom):
            return codec, label
    return "utf-8-sig", "UTF-8"


def _nul_error(name: str, line: int, utf16: bool) -> InputError:
    hint = "; UTF-16 without a byte-order mark? re-save the file as UTF-8" if utf16 else ""
    return InputError(f"{name}: looks like a binary file (NUL byte on line {line}), not text{hint}")


def read_text_bytes(data: bytes, name: str) -> str:
    """Decode UTF-8 (a BOM is dropped), or UTF-16/UTF-32 with a byte-order mark, refusing empty, binary (a NUL
    byte anywhere) and undecodable input."""
    if not data.strip():
        raise InputError(f"{name}: file is empty")
    codec, label = bom_encoding(data[:4])
    if codec == "utf-8-sig":
        nul = data.find(b"\x00")
        if nul >= 0:
            sample = data[:256]
            utf16 = max(sample[0::2].count(0), sample[1::2].count(0)) * 4 >= len(sample)  # every other byte
            raise _nul_error(name, data.count(b"\n", 0, nul) + 1, utf16)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        if codec != "utf-8-sig":
            raise InputError(f"{name}: not valid {label} (byte {exc.start}); re-save the file as UTF-8") from None
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}: not valid UTF-8 (byte {exc.start}, line {line}); re-save the file as UTF-8") from None
    if codec != "utf-8-sig" and (nul := text.find("\x00")) >= 0:
        raise _nul_error(name, text.count("\n", 0, nul) + 1, False)
    if not text.strip():
        raise InputError(f"{name}: file is empty")
    return text


#: characters a decoder left for bytes it could not decode (the ``surrogateescape`` handler)
_UNDECODED = re.compile("[\udc80-\udcff]")


def text_lines(fh: IO[bytes], name: str, max_chars: int, digest: Any = None) -> Iterator[tuple[int, str]]:
    """(line number, line with its end) of a binary stream, decoded like :func:`read_text_bytes` (UTF-8, or UTF-16/32
    with a byte-order mark) and split where the whole-file readers split: at ``\\n``, ``\\r\\n`` and a lone ``\\r``.

    Memory stays flat: a line over ``max_chars`` characters is an InputError, not a buffer. Bytes that do not decode
    are an InputError naming their line. ``digest`` (a hashlib object), when given, is fed every line read (UTF-8),
    so a caller can fingerprint what it has consumed.
    """
    if not hasattr(fh, "peek"):
        fh = io.BufferedReader(fh)  # type: ignore[arg-type]
    codec, label = bom_encoding(fh.peek(4)[:4])
    text = io.TextIOWrapper(fh, encoding=codec, errors="surrogateescape", newline="")
    try:
        lineno = 0
        while True:
            try:
                line = text.readline(max_chars + 1)
            except UnicodeDecodeError as exc:  # a codec that cannot escape (a truncated UTF-16 tail)
                raise InputError(f"{name}: line {lineno + 1}: not valid {label} ({exc.reason})") from None
            if not line:
                return
            lineno += 1
            if len(line) > max_chars and not line.endswith(("\n", "\r")):
                raise InputError(f"{name}: line {lineno}: longer than {max_chars:,} characters")
            bad = _UNDECODED.search(line)
            if bad:
                at = len(line[: bad.start()].encode("utf-8", "surrogateescape"))
                raise InputError(f"{name}: line {lineno}: not valid {label} (byte {at} of the line); "
                                 "re-save the file as UTF-8")
            if digest is not None:
                digest.update(line.encode("utf-8", "surrogatepass"))
            yield lineno, line
    finally:
        try:
            text.detach()  # the caller owns the binary stream (stdin, say): leave it open
        except ValueError:
            pass


def read_text(path: str, name: str | None = None) -> str:
    """The decoded text of ``path`` (``-`` is stdin): :func:`read_bytes`, then :func:`read_text_bytes`."""
    return read_text_bytes(read_bytes(path), name or str(path))


def _umask() -> int:
    """The process's umask (read from /proc where it can be, without changing it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    """The mode a written file gets: an existing file's own, else 0666 less the umask (as any tool creates files)."""
    try:
        st = target.stat()
        if stat.S_ISREG(st.st_mode):
            return stat.S_IMODE(st.st_mode)
    except OSError:
        pass
    return 0o666 & ~_umask()


def write_atomic(path: str | Path, data: str) -> None:
    """Write ``data`` to the regular file ``path`` through a temporary file and a rename.

    The file gets the mode it had, or the user's umask when it is new (not the temporary file's 0600).
    Devices, FIFOs and stdout are written through instead (:func:`checker.io.output.write_output`).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
