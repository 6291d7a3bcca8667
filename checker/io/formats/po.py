"""Streaming PO/POT reader on top of translate-toolkit's ``pypo``.

The file is cut into entries at blank lines (PO entries never contain one) and
parsed a batch at a time by ``pypo``, with the header entry in front of every
batch so the declared charset applies, so memory stays flat on large files.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from ...errors import InputError
from .units import make_unit

BATCH = 2000


def iter_entry_blocks(fh: IO[bytes]) -> Iterator[tuple[int, list[bytes]]]:
    """``(first line number, lines)`` of each blank-line separated block of a PO file."""
    block: list[bytes] = []
    start = 1
    for lineno, line in enumerate(fh, 1):
        if line.strip():
            if not block:
                start = lineno
            block.append(line if line.endswith(b"\n") else line + b"\n")
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def parse_block(data: bytes, name: str, where: int):
    """Parse PO bytes with ``pypo``; InputError naming the line on a syntax error."""
    from translate.storage import pypo

    try:
        return pypo.pofile(data)
    except Exception as exc:  # pypo raises ValueError and friends with no line
        raise InputError(f"{name}: malformed PO near line {where}: {exc}") from None


def eligible(unit) -> bool:
    """The PO entries mtcheck checks: not the header, not obsolete, with a msgid."""
    return not unit.isheader() and not unit.isobsolete() and bool(unit.source)


def plural_forms(unit) -> list[tuple[str, str]]:
    """``(source, target)`` of each form of a ``pypo`` unit: one for a plain entry; for a plural entry
    ``(msgid, msgstr[0])``, then ``(msgid_plural, msgstr[k])`` for every further form."""
    source = str(unit.source)
    target = str(unit.target) if unit.target is not None else ""
    if not unit.hasplural():
        return [(source, target)]
    sources = [str(x) for x in unit.source.strings]
    targets = [str(x) for x in unit.target.strings] if unit.target is not None else [""]
    plural_source = sources[1] if len(sources) > 1 else source
    return [(source if k == 0 else plural_source, t) for k, t in enumerate(targets or [""])]


def po_units(unit) -> list[dict[str, Any]]:
    """The unit dicts of one ``pypo`` unit: one per plural form (``msgstr[k]``), each checked on its own.

    The first form keeps the entry's id (``context|msgid``); form k adds ``[k]`` to it.
    """
    ctx = unit.getcontext() or None
    notes = [n for n in (unit.getnotes("translator"), unit.getnotes("developer")) if n]
    forms = plural_forms(unit)
    base = f"{ctx}|{forms[0][0]}" if ctx else forms[0][0]
    out = []
    for k, (source, target) in enumerate(forms):
        if not target.strip():
            state = "untranslated"
        elif unit.isfuzzy():
            state = "fuzzy"
        else:
            state = "translated"
        extra = {"plural": True, "plural_form": k} if unit.hasplural() else {}
        out.append(make_unit(base if k == 0 else f"{base}[{k}]", source, target, state, notes,
                             raw_state="fuzzy" if unit.isfuzzy() else None, context=ctx, **extra))
    return out


def iter_po_units(fh: IO[bytes], name: str) -> Iterator[dict[str, Any]]:
    """Units of a PO/POT stream, one dict each, with the header's ``Language``."""
    header = b""
    tgt_lang: str | None = None
    batch: list[bytes] = []
    first_line = 1
    ordinal = 0

    def flush(blocks: list[bytes], where: int) -> Iterator[dict[str, Any]]:
        nonlocal ordinal
        store = parse_block(header + b"".join(blocks), name, where)
        for unit in store.units:
            if eligible(unit):
                for d in po_units(unit):
                    ordinal += 1
                    d["src_lang"], d["tgt_lang"] = None, tgt_lang
                    yield d

    for lineno, block in iter_entry_blocks(fh):
        if ordinal == 0 and not batch and not header:  # the header, if any, is the first entry
            first = parse_block(b"".join(block), name, lineno)
            if first.units and first.units[0].isheader():
                header = b"".join(block) + b"\n"
                tgt_lang = first.gettargetlanguage() or None
                continue
        if not batch:
            first_line = lineno
        batch.append(b"".join(block) + b"\n")
        if len(batch) >= BATCH:
            yield from flush(batch, first_line)
            batch = []
    if batch:
        yield from flush(batch, first_line)
