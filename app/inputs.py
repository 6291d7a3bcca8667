"""Turn what the page received (pasted text, uploaded files) into a Document.

Text and uploads go through the command line's reader, :func:`checker.io.readers.load_input`,
so every input kind ``mtcheck check`` reads (by file extension) is read the same way here,
and an upload gives the same Document as the same file on the command line.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from checker.errors import InputError
from checker.io.readers import load_input
from checker.values import Document

#: the page refuses bigger inputs; the command line has no such limit
MAX_BYTES = 5 * 1024 * 1024
PASTED_NAME = "pasted text"


@dataclass(frozen=True)
class Upload:
    """One input: its file name (the extension chooses the reader) and its bytes."""

    name: str
    data: bytes

    @classmethod
    def from_text(cls, text: str, name: str = PASTED_NAME) -> Upload:
        return cls(name, text.encode("utf-8"))


def _safe_name(name: str) -> str:
    """The file name without any directory part (uploads name files, not paths), NUL and other control
    characters and lone surrogates dropped: what the page calls the upload."""
    name = "".join(ch for ch in name if ch.isprintable() and not "\ud800" <= ch <= "\udfff")
    base = Path(name.replace("\\", "/")).name.strip()
    return base if base not in ("", ".", "..") else "upload.txt"


def _disk_name(name: str, default_suffix: str) -> str:
    """A short ASCII name for the temporary copy: the upload's extension (which chooses the reader) on ``upload``.
    The user's own name can be longer than a file system allows (90 Japanese characters are 270 bytes)."""
    suffix = Path(_safe_name(name)).suffix.lower()
    if not suffix or len(suffix) > 16 or not suffix[1:].isascii() or not suffix[1:].isalnum():
        suffix = default_suffix if not suffix else ".txt"
    return "upload" + suffix


def _check_size(upload: Upload) -> None:
    size = len(upload.data)
    if size > MAX_BYTES:
        raise InputError(
            f"{_safe_name(upload.name)}: {size / 1e6:.1f} MB is over the page's {MAX_BYTES / 1e6:.0f} MB limit; "
            "check big files with the mtcheck command instead"
        )
    if not upload.data.strip():
        raise InputError(f"{_safe_name(upload.name)}: is empty; paste a translation or upload a file with text in it")


def _write(folder: Path, upload: Upload, default_suffix: str) -> Path:
    folder.mkdir()
    path = folder / _disk_name(upload.name, default_suffix)
    path.write_bytes(upload.data)
    return path


def load_document(
    target: Upload | None,
    source: Upload | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> Document:
    """The Document for a target (and optional source) upload, read exactly as the CLI reads files.

    Raises :class:`InputError` with a one-line message for missing, empty, binary,
    non-UTF-8, malformed or too large input.
    """
    if target is None:
        raise InputError("nothing to check: paste a translation, upload a file or try the sample")
    _check_size(target)
    if source is not None:
        _check_size(source)
    with tempfile.TemporaryDirectory(prefix="mtcheck-app-") as tmp:
        root = Path(tmp)
        tgt_path = _write(root / "target", target, ".txt")
        src_path = _write(root / "source", source, ".txt") if source is not None else None
        try:
            doc = load_input(str(tgt_path), src_lang, tgt_lang, str(src_path) if src_path else None)
        except InputError as exc:  # name the user's file, not the temporary copy
            message = str(exc).replace(str(tgt_path), _safe_name(target.name))
            if src_path is not None:
                message = message.replace(str(src_path), _safe_name(source.name))
            raise InputError(message) from None
    doc.name = _safe_name(target.name)
    doc.notes = [note.replace(str(tgt_path), doc.name) for note in doc.notes]
    return doc
