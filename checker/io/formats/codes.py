"""Inline codes: XML inline tags rendered as visible tokens, and placeholders found in text.

XLIFF/TMX inline elements become tokens the translator recognises: ``<x id="1"/>``
is ``{x1}``, ``<g id="2">..</g>`` is ``{g2}..{/g2}``, a begin/end pair
(``bpt``/``ept``, ``bx``/``ex``, ``sc``/``ec``) is ``{bpt1}``..``{/bpt1}``. A
token starting with ``{/`` closes the token of the same name. :func:`find_codes`
finds these tokens and common placeholders (printf ``%s``/``%1$d``/``%(name)s``,
ICU/format ``{0}``/``{name}``, ``{{var}}``, ``${var}`` and HTML tags) in any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # lxml is only needed to render XML; the pipeline imports this module for every run
    from lxml import etree

#: a code in text: our tag tokens and the usual placeholder syntaxes
_CODE = re.compile(
    r"\{\{\s*[\w.$:-]+\s*\}\}"                     # {{var}}
    r"|\$\{[\w.:-]+\}"                             # ${var}
    r"|\{/?[\w.:$-]*\}"                            # {0} {name} {x1} {/g1}
    r"|%(?:\d+\$)?[-+#0]*(?:\d+|\*)?(?:\.\d+)?(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfFgGcsp@]"   # %s %1$d %.2f
    r"|%\(\w+\)[-+#0]*\d*(?:\.\d+)?[diouxXeEfFgGcsr]"                                     # %(name)s
    r"|</?[A-Za-z][\w:-]*(?:\s+[\w:-]+(?:=(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s<>]+))?)*\s*/?>"  # <b> </b> <br/>
)
_UNNUMBERED_PRINTF = re.compile(r"%(?!\d+\$)[-+#0]*(?:\d+|\*)?(?:\.\d+)?(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfFgGcsp@]")
_HTML_CLOSE = re.compile(r"</([A-Za-z][\w:-]*)\s*>")
_HTML_OPEN = re.compile(r"<([A-Za-z][\w:-]*)")


@dataclass(frozen=True)
class Code:
    """One inline code or placeholder at ``text[start:end]``."""

    token: str
    start: int
    end: int

    @property
    def closes(self) -> str | None:
        """Name of the code this one closes (``{/g1}`` closes ``{g1}``, ``</b>`` closes ``<b>``)."""
        if self.token.startswith("{/"):
            return "{" + self.token[2:]
        m = _HTML_CLOSE.fullmatch(self.token)
        return f"<{m.group(1)}>" if m else None

    @property
    def opens(self) -> str | None:
        """Name this code opens, for matching with :attr:`closes`."""
        if self.token.startswith("{") and not self.token.startswith(("{/", "{{")) and _looks_like_tag_token(self.token):
            return self.token
        if self.token.startswith("<") and not self.token.startswith("</") and not self.token.endswith("/>"):
            m = _HTML_OPEN.match(self.token)
            return f"<{m.group(1)}>" if m else None
        return None

    @property
    def unnumbered_printf(self) -> bool:
        return bool(_UNNUMBERED_PRINTF.fullmatch(self.token))


def _looks_like_tag_token(token: str) -> bool:
    return bool(re.fullmatch(r"\{(?:g|pc|bpt|bx|sc)[\w.:-]*\}", token))


def normalise_token(token: str) -> str:
    """The identity of a code: ``{ 0 }`` and ``{0}`` are the same placeholder."""
    return re.sub(r"\s+", "", token) if token.startswith("{") else token


def find_codes(text: str | None) -> list[Code]:
    """Every inline code and placeholder in ``text``, in order."""
    if not text:
        return []
    return [Code(normalise_token(m.group(0)), m.start(), m.end()) for m in _CODE.finditer(text) if m.group(0) != "%%"]


def protected_spans(text: str | None) -> list[list[int]]:
    """``[start, end]`` of every code in ``text``: spans other checks must not flag as prose."""
    return [[c.start, c.end] for c in find_codes(text)]


# -- XML inline content ---------------------------------------------------------
_STANDALONE = {"x", "ph", "it", "ut", "bx", "ex", "bpt", "ept", "sc", "ec", "sm", "em"}
_NATIVE_CODE = {"ph", "bpt", "ept", "it", "ut"}  # content is the original code, not translatable text
_PAIRED = {"g", "pc"}
_CLOSING_OF = {"ept": "bpt", "ex": "bx", "ec": "sc"}
_ANNOTATIONS = {"mrk", "hi", "sub"}


def localname(el: etree._Element) -> str:
    from lxml import etree

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
    from lxml import etree

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


def drop_findings_on_codes(findings: list, segments: list, keep: tuple[str, ...] = ("inline-tags",)) -> list:
    """Findings minus those about inline codes rather than prose.

    A fluency finding (punctuation, spelling, grammar...) on the target is
    dropped when it overlaps a span in its segment's ``extra["protected_spans"]``
    and, outside those spans, holds no letter or digit (a "missing space" between
    ``.`` and ``{x1}``, a bracket of ``{0}``). Accuracy findings (a placeholder
    added or lost) and those of the ``keep`` checks always stay.
    """
    by_index = {s.index: s for s in segments if s.extra.get("protected_spans")}
    if not by_index:
        return findings
    out = []
    for f in findings:
        seg = by_index.get(f.segment)
        if seg is None or f.side != "target" or f.check in keep or not f.category.startswith("fluency/"):
            out.append(f)
            continue
        start, end = f.start - seg.start, max(f.end - seg.start, f.start - seg.start + 1)
        spans = [(a, b) for a, b in seg.extra["protected_spans"] if a < end and start < b]
        if not spans:
            out.append(f)
            continue
        rest = "".join(ch for i, ch in enumerate(seg.text[start:end], start) if not any(a <= i < b for a, b in spans))
        if any(ch.isalnum() for ch in rest):
            out.append(f)
    return out
