"""Bad encoding: mojibake ('cafÃ©', 'itâ€™s'), replacement characters and stray control characters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ..context import CheckContext
from ..registry import SegmentCheck, register
from ..values import Finding, Segment

_NON_ASCII_TOKEN = re.compile(r"(?<!\S)\S*[^\x00-\x7f]\S*")
# UTF-8 read as Latin-1/cp1252: 'Ã' or 'Â' or 'â€' followed by a continuation-looking character
_MOJIBAKE_HINT = re.compile(r"[ÃÂ][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                            r"\u2013-\u203a\u20ac\u2122]|â€|Ð[\x80-\xbf]|Ñ[\x80-\xbf]")
# C0 controls except tab/newline/carriage return, DEL, C1 controls, U+FFFD, a BOM or zero-width space inside text
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufeff\u200b\ue000-\uf8ff]+")


def _describe(ch: str) -> str:
    if ch == "\ufffd":
        return "the replacement character U+FFFD (text that could not be decoded)"
    name = unicodedata.name(ch, "")
    return f"the invisible character U+{ord(ch):04X}{f' ({name.lower()})' if name else ' (a control character)'}"


@register
class Mojibake(SegmentCheck):
    id = "mojibake"
    description = "Text decoded with the wrong encoding (mojibake), e.g. 'cafÃ©' or 'itâ€™s'."
    category = "fluency/encoding"
    severity = "major"
    subsumes = frozenset({"rare-word", "gibberish", "lm-fluency", "bad-characters"})

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        import ftfy

        for m in _NON_ASCII_TOKEN.finditer(seg.text):
            token = m.group()
            fixed = ftfy.fix_encoding(token)
            if fixed != token:
                yield self.flag(seg, m.start(), m.end(),
                                f"'{token}' is mojibake: UTF-8 text decoded as another encoding; it should read '{fixed}'.",
                                suggestion=f"replace with '{fixed}'", confidence=0.95)
            elif _MOJIBAKE_HINT.search(token):
                yield self.flag(seg, m.start(), m.end(),
                                f"'{token}' looks like mojibake (UTF-8 bytes shown as Latin-1/Windows-1252 characters).",
                                suggestion="re-decode the text as UTF-8", confidence=0.7)


@register
class BadCharacters(SegmentCheck):
    id = "bad-characters"
    description = "Replacement characters (U+FFFD), control characters, stray BOMs or zero-width spaces in the text."
    category = "fluency/encoding"
    severity = "major"

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        for m in _BAD_CHARS.finditer(seg.text):
            ch = m.group()[0]
            severity = "major" if ch == "\ufffd" or ord(ch) < 0x20 else "minor"
            yield self.flag(seg, m.start(), m.end(),
                            f"The text contains {_describe(ch)}: a sign of broken encoding or copy-paste debris.",
                            severity=severity, suggestion="delete it or restore the intended character")
