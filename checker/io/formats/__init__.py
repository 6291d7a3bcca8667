"""Translation exchange formats: XLIFF 1.2/2.x, PO/POT, TMX and SRT.

:func:`iter_units` streams the units of a file as dicts (``id``, ``source``,
``target``, ``state``, ``notes``, ``src_lang``, ``tgt_lang``, ``context``...);
:func:`load_units_document` turns them into a :class:`~checker.values.Document`
with one segment per unit and the unit's state in ``Segment.extra`` (the
inline code spans go into ``extra["protected_spans"]``, see :mod:`checker.codes`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...segment import build_pair_document
from ...values import Document
from ..files import EXTENSIONS, TRANSLATION_FILES, display_name, open_seekable, read_text_bytes
from .units import STATES, make_unit

__all__ = ["KINDS", "STATES", "iter_units", "load_units_document", "make_unit"]

#: the translation file kinds read here
KINDS = TRANSLATION_FILES


def kind_of(path: str | Path) -> str | None:
    """The translation file kind of ``path`` by its extension, or None."""
    kind = EXTENSIONS.get(Path(path).suffix.lower())
    return kind if kind in KINDS else None


def iter_units(path: str | Path, kind: str | None = None, tgt_lang: str | None = None,
               name: str | None = None) -> Iterator[dict[str, Any]]:
    """Stream the translation units of ``path`` (``-`` = stdin) one dict at a time.

    ``kind`` is ``xliff``, ``po``, ``tmx`` or ``srt`` (default: by extension);
    ``tgt_lang`` picks the target language of a multilingual TMX.
    """
    name = name or display_name(path)
    kind = kind or kind_of(path)
    if kind not in KINDS:
        raise InputError(f"{name}: not a translation file kind mtcheck reads ({', '.join(KINDS)})")
    with open_seekable(path, name) as fh:
        if kind in ("xliff", "tmx"):
            from .xml_units import iter_xml_units

            yield from iter_xml_units(fh, name, kind, tgt_lang)
        elif kind == "po":
            from .po import iter_po_units

            yield from iter_po_units(fh, name)
        else:
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
    name = name or display_name(path)
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
