"""Inline codes in text: tag tokens and placeholders, which are markup, not prose. Imports nothing.

The XLIFF/TMX readers render inline elements as tokens the translator recognises
(:func:`checker.io.formats.xml_units.render_inline`): ``<x id="1"/>`` is ``{x1}``,
``<g id="2">..</g>`` is ``{g2}..{/g2}``, a begin/end pair (``bpt``/``ept``,
``bx``/``ex``, ``sc``/``ec``) is ``{bpt1}``..``{/bpt1}``. A token starting with
``{/`` closes the token of the same name. :func:`find_codes` finds these tokens
and common placeholders (printf ``%s``/``%1$d``/``%(name)s``, ICU/format
``{0}``/``{name}``, ``{{var}}``, ``${var}`` and HTML tags) in any text;
:func:`code_spans` gives their spans, which checks must not flag as prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def code_spans(text: str | None) -> list[list[int]]:
    """``[start, end]`` of every code in ``text``: spans other checks must not flag as prose."""
    return [[c.start, c.end] for c in find_codes(text)]


def drop_findings_on_codes(findings: list, segments: list, keep: tuple[str, ...] = ("inline-tags",)) -> list:
    """Findings minus those about inline codes rather than prose.

    A fluency finding (punctuation, spelling, grammar...) on the target is
    dropped when it overlaps a span in its segment's ``extra["protected_spans"]`` (its :func:`code_spans`)
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
