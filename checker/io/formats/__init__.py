"""Translation exchange formats: XLIFF 1.2/2.x, PO/POT, TMX and SRT.

:func:`iter_units` streams the units of a file as dicts (``id``, ``source``,
``target``, ``state``, ``notes``, ``src_lang``, ``tgt_lang``, ``context``...);
:func:`load_units_document` turns them into a :class:`~checker.model.Document`
with one segment per unit and the unit's state in ``Segment.extra`` (the
pipeline adds the inline code spans as ``extra["protected_spans"]``).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ...model import Document
from ..readers import open_input
from .units import STATES, InputError, make_unit

__all__ = ["EXTENSIONS", "KINDS", "STATES", "iter_units", "load_units_document", "make_unit"]

#: format kinds read here, by file extension
EXTENSIONS = {".xlf": "xliff", ".xliff": "xliff", ".sdlxliff": "xliff", ".mqxliff": "xliff",
              ".po": "po", ".pot": "po", ".tmx": "tmx", ".srt": "srt"}
KINDS = ("xliff", "po", "tmx", "srt")


def kind_of(path: str | Path) -> str | None:
    return EXTENSIONS.get(Path(path).suffix.lower())


@contextmanager
def _open_binary(path: str | Path, name: str) -> Iterator[IO[bytes]]:
    """A seekable binary stream of a non-empty file (stdin is read into memory)."""
    if str(path) == "-":
        yield io.BytesIO(sys.stdin.buffer.read())
        return
    with open_input(path, name) as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            raise InputError(f"{name}: file is empty")
        yield fh


def iter_units(path: str | Path, kind: str | None = None, tgt_lang: str | None = None,
               name: str | None = None) -> Iterator[dict[str, Any]]:
    """Stream the translation units of ``path`` (``-`` = stdin) one dict at a time.

    ``kind`` is ``xliff``, ``po``, ``tmx`` or ``srt`` (default: by extension);
    ``tgt_lang`` picks the target language of a multilingual TMX.
    """
    name = name or ("<stdin>" if str(path) == "-" else str(path))
    kind = kind or kind_of(path)
    if kind not in KINDS:
        raise InputError(f"{name}: not a translation file kind mtcheck reads ({', '.join(KINDS)})")
    with _open_binary(path, name) as fh:
        if kind in ("xliff", "tmx"):
            from .xml_units import iter_xml_units

            yield from iter_xml_units(fh, name, kind, tgt_lang)
        elif kind == "po":
            from .po import iter_po_units

            yield from iter_po_units(fh, name)
        else:
            from ..readers import read_text_bytes
            from .subtitles import iter_srt_units

            yield from iter_srt_units(read_text_bytes(fh.read(), name), name)


def load_units_document(
    path: str | Path,
    kind: str | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    name: str | None = None,
    source_path: str | None = None,
) -> Document:
    """A paired Document with one segment per unit of ``path``.

    Languages given here win over those the file declares; missing ones are
    detected. ``source_path`` pairs an SRT target with an SRT source cue by cue.
    """
    from ...pipeline import build_pair_document

    name = name or ("<stdin>" if str(path) == "-" else str(path))
    kind = kind or kind_of(path)
    units = list(iter_units(path, kind, tgt_lang, name))
    if not units:
        raise InputError(f"{name}: no translatable units")
    if source_path is not None:
        if kind != "srt":
            raise InputError(f"{name}: {kind.upper()} files carry their own source; drop --source")
        sources = list(iter_units(source_path, "srt"))
        if len(sources) != len(units):
            raise InputError(f"{source_path}: {len(sources)} cues but {name} has {len(units)}; counts must match")
        for unit, src in zip(units, sources, strict=True):
            unit["source"] = src["target"]
    file_src = next((u.get("src_lang") for u in units if u.get("src_lang")), None)
    file_tgt = next((u.get("tgt_lang") for u in units if u.get("tgt_lang")), None)
    doc = build_pair_document(units, src_lang or file_src, tgt_lang or file_tgt, name=name)
    for seg, unit in zip(doc.segments, units, strict=True):
        seg.extra["state"] = unit["state"]
        for key in ("raw_state", "context", "time"):
            if unit.get(key):
                seg.extra[key] = unit[key]
    return doc
