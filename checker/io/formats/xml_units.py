"""Streaming readers for XLIFF 1.2, XLIFF 2.x and TMX.

The file is read with :func:`lxml.etree.iterparse` under safe settings (no
entity expansion, no network, no DTD loading, no huge trees); each unit is
turned into a dict as soon as its closing tag is read and then freed, so memory
stays flat however many units the file has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from ...errors import InputError
from .units import make_unit

SAFE_PARSE = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: XLIFF 1.2 target@state values meaning "not translated yet" / "needs another look"
_XLIFF1_UNTRANSLATED = {"new", "needs-translation"}
_XLIFF1_FUZZY = {"needs-adaptation", "needs-l10n", "needs-review-adaptation", "needs-review-l10n",
                 "needs-review-translation"}


# -- inline content: XML inline elements rendered as the tokens of checker.codes ----------------
_STANDALONE = {"x", "ph", "it", "ut", "bx", "ex", "bpt", "ept", "sc", "ec", "sm", "em"}
_NATIVE_CODE = {"ph", "bpt", "ept", "it", "ut"}  # content is the original code, not translatable text
_PAIRED = {"g", "pc"}
_CLOSING_OF = {"ept": "bpt", "ex": "bx", "ec": "sc"}
_ANNOTATIONS = {"mrk", "hi", "sub"}


def localname(el: etree._Element) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _code_id(el: etree._Element, name: str, ordinal: int) -> str:
    if name in ("bpt", "ept") and el.get("i") is not None:
        key = el.get("i")
    elif name in ("ex", "ec"):
        key = el.get("rid") or el.get("startRef") or el.get("id") or el.get("i")
    elif name == "bx":
        key = el.get("rid") or el.get("id")
    else:
        key = el.get("id") or el.get("x") or el.get("i")
    key = re.sub(r"[^\w.:-]", "_", key) if key else str(ordinal)
    return key


def render_inline(el: etree._Element | None) -> str | None:
    """Text of a ``source``/``target``/``seg`` element with inline codes as tokens.

    ``None`` when the element is missing.
    """
    if el is None:
        return None
    parts: list[str] = []
    counter = [0]
    _render_into(el, parts, counter)
    return "".join(parts)


def _render_into(el: etree._Element, parts: list[str], counter: list[int]) -> None:
    if el.text:
        parts.append(el.text)
    for child in el:
        if isinstance(child, etree._Entity):
            parts.append(child.text or "")
        elif isinstance(child.tag, str):
            name = localname(child)
            counter[0] += 1
            if name in _PAIRED:
                key = _code_id(child, name, counter[0])
                parts.append(f"{{{name}{key}}}")
                _render_into(child, parts, counter)
                parts.append(f"{{/{name}{key}}}")
            elif name in _CLOSING_OF:
                parts.append(f"{{/{_CLOSING_OF[name]}{_code_id(child, name, counter[0])}}}")
            elif name in _STANDALONE:
                if name not in ("sm", "em"):  # XLIFF 2 annotation markers carry no code
                    parts.append(f"{{{name}{_code_id(child, name, counter[0])}}}")
            elif name == "cp" and child.get("hex"):
                try:
                    parts.append(chr(int(child.get("hex"), 16)))
                except (ValueError, OverflowError):
                    pass
            elif name in _ANNOTATIONS or name not in _NATIVE_CODE:
                _render_into(child, parts, counter)
        if child.tail:
            parts.append(child.tail)


#: the only elements iterparse reports (any namespace): roots, language carriers, units
_EVENT_TAGS = [f"{{*}}{t}" for t in ("xliff", "tmx", "file", "header", "trans-unit", "unit", "tu")]


def safe_parser() -> etree.XMLParser:
    """An XML parser that expands no entities and fetches nothing."""
    return etree.XMLParser(remove_blank_text=False, **SAFE_PARSE)


def unit_tag(dialect: str) -> str:
    return {"xliff1": "trans-unit", "xliff2": "unit", "tmx": "tu"}[dialect]


def is_unit(el: etree._Element, dialect: str) -> bool:
    """True for the elements the readers turn into units (and ``--annotate`` writes notes on)."""
    if localname(el) != unit_tag(dialect):
        return False
    return not (dialect == "xliff1" and el.get("translate", "yes").lower() == "no")


def dialect_of(root: etree._Element, name: str, expected: str) -> str:
    """``xliff1``, ``xliff2`` or ``tmx`` from the root element; InputError if it is neither."""
    tag = localname(root)
    if expected == "tmx":
        if tag != "tmx":
            raise InputError(f"{name}: not a TMX file (root element <{tag}>)")
        return "tmx"
    if tag != "xliff":
        raise InputError(f"{name}: not an XLIFF file (root element <{tag}>)")
    version = root.get("version") or ""
    ns = etree.QName(root.tag).namespace or ""
    return "xliff2" if version.startswith("2") or ":xliff:document:2" in ns else "xliff1"


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if localname(c) == name]


def _child(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if localname(c) == name:
            return c
    return None


def _notes(el: etree._Element) -> list[str]:
    return [(n.text or "").strip() for n in el.iter() if localname(n) == "note" and (n.text or "").strip()]


def _xliff1_unit(el: etree._Element, ordinal: int) -> dict[str, Any]:
    source = render_inline(_child(el, "source"))
    target_el = _child(el, "target")
    target = render_inline(target_el)
    raw = (target_el.get("state") if target_el is not None else None) or ""
    if target is None:
        state = "untranslated"
    elif not target.strip():
        state = "empty"
    elif raw in _XLIFF1_UNTRANSLATED or raw in _XLIFF1_FUZZY:
        state = "fuzzy"
    else:
        state = "translated"
    uid = el.get("id") or el.get("resname") or str(ordinal)
    notes = [(n.text or "").strip() for n in _children(el, "note") if (n.text or "").strip()]
    return make_unit(uid, source, target, state, notes, raw_state=raw or None)


def _xliff2_unit(el: etree._Element, ordinal: int) -> dict[str, Any]:
    sources: list[str] = []
    targets: list[str] = []
    has_target = False
    states: list[str] = []
    for part in el:
        kind = localname(part)
        if kind not in ("segment", "ignorable"):
            continue
        sources.append(render_inline(_child(part, "source")) or "")
        tgt = render_inline(_child(part, "target"))
        has_target = has_target or tgt is not None
        targets.append(tgt or "")
        if kind == "segment" and part.get("state"):
            states.append(part.get("state"))
    target = "".join(targets) if has_target else None
    if target is None:
        state = "untranslated"
    elif not target.strip():
        state = "empty"
    elif "initial" in states:
        state = "fuzzy"  # a target still marked as a draft
    else:
        state = "translated"
    notes_el = _child(el, "notes")
    notes = _notes(notes_el) if notes_el is not None else []
    return make_unit(el.get("id") or str(ordinal), "".join(sources), target, state, notes,
                     raw_state=",".join(states) or None)


def _lang_matches(lang: str | None, wanted: str | None) -> bool:
    if not lang or not wanted:
        return False
    a, b = lang.lower().replace("_", "-"), wanted.lower().replace("_", "-")
    return a == b or a.split("-")[0] == b.split("-")[0]


def _tmx_unit(el: etree._Element, ordinal: int, langs: dict[str, str | None]) -> dict[str, Any]:
    tuvs = [(t.get(XML_LANG) or t.get("lang"), t) for t in _children(el, "tuv")]
    src_lang = langs.get("src")
    if not src_lang or src_lang == "*all*":
        src_lang = tuvs[0][0] if tuvs else None
    src_tuv = next((t for lang, t in tuvs if _lang_matches(lang, src_lang)), None)
    tgt_lang = langs.get("tgt")
    tgt_tuv = None
    for lang, t in tuvs:
        if t is src_tuv:
            continue
        if tgt_lang is None or _lang_matches(lang, tgt_lang):
            tgt_tuv, tgt_lang = t, tgt_lang or lang
            break
    if langs.get("tgt") is None and tgt_lang:
        langs["tgt"] = tgt_lang  # the first target language seen is the document's
    source = render_inline(_child(src_tuv, "seg")) if src_tuv is not None else None
    target = render_inline(_child(tgt_tuv, "seg")) if tgt_tuv is not None else None
    state = "untranslated" if target is None else ("empty" if not target.strip() else "translated")
    notes = [(n.text or "").strip() for n in _children(el, "note") if (n.text or "").strip()]
    return make_unit(el.get("tuid") or str(ordinal), source, target, state, notes)


def iter_xml_units(fh: IO[bytes], name: str, expected: str, tgt_lang: str | None = None) -> Iterator[dict[str, Any]]:
    """Units of an XLIFF (``expected="xliff"``) or TMX (``"tmx"``) stream, one dict each.

    Every dict carries ``src_lang``/``tgt_lang`` as read from the file so far.
    """
    dialect: str | None = None
    langs: dict[str, str | None] = {"src": None, "tgt": tgt_lang}
    ordinal = 0
    depth = 0
    try:
        for event, el in etree.iterparse(fh, events=("start", "end"), tag=_EVENT_TAGS, remove_comments=True, **SAFE_PARSE):
            if event == "start":
                if dialect is None:
                    dialect = dialect_of(el, name, expected)
                    if dialect == "xliff2":
                        langs["src"], langs["tgt"] = el.get("srcLang"), tgt_lang or el.get("trgLang")
                name_ = localname(el)
                if dialect == "xliff1" and name_ == "file" and langs["src"] is None:
                    langs["src"] = el.get("source-language")
                    langs["tgt"] = langs["tgt"] or el.get("target-language")
                elif dialect == "tmx" and name_ == "header":
                    langs["src"] = el.get("srclang")
                if name_ == unit_tag(dialect):
                    depth += 1
                continue
            if dialect is None or localname(el) != unit_tag(dialect):
                continue
            depth -= 1
            if depth == 0:
                # a unit nested in a unit (invalid, but seen) is read too, after the one around it: the order of
                # the file's start tags, which --annotate follows
                for found in el.iter(*_EVENT_TAGS[-3:]):
                    if not is_unit(found, dialect):
                        continue
                    ordinal += 1
                    if dialect == "xliff1":
                        unit = _xliff1_unit(found, ordinal)
                    elif dialect == "xliff2":
                        unit = _xliff2_unit(found, ordinal)
                    else:
                        unit = _tmx_unit(found, ordinal, langs)
                    unit["src_lang"] = None if langs["src"] == "*all*" else langs["src"]
                    unit["tgt_lang"] = langs["tgt"]
                    yield unit
                el.clear(keep_tail=False)
                parent = el.getparent()
                if parent is not None:  # drop the finished units so memory stays flat
                    while el.getprevious() is not None:
                        del parent[0]
        if dialect is None:  # iterparse reported no root it knows
            raise InputError(f"{name}: not {'a TMX' if expected == 'tmx' else 'an XLIFF'} file (no <{expected}> root element)")
    except etree.XMLSyntaxError as exc:
        line = f" line {exc.lineno}:" if getattr(exc, "lineno", None) else ""
        message = f"{name}: malformed XML:{line} {exc.msg if hasattr(exc, 'msg') else exc}".replace(":  ", ": ")
        raise InputError(message.replace("\n", "")) from None
