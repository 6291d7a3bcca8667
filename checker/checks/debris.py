"""Scraping debris and web boilerplate left in the text ('Loading...', a lone date line, 'Read more')."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import CheckContext
from ..registry import Check, register
from ..values import Document, Finding
from ._surface import iter_blocks

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE = (rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}|\d{{1,2}}\.? {_MONTH},? \d{{4}}|"
         rf"{_MONTH} \d{{1,2}},? \d{{4}})(?:,? (?:at )?\d{{1,2}}[:.]\d{{2}}(?: ?[ap]\.?m\.?)?)?")
_DATE_LABEL = r"(?:date|dated|published|updated|last updated|posted|posted on|created|modified|datum|stand)"

#: (pattern, what it is, severity). Matched as whole pieces of a line (see ScrapingDebris).
STANDALONE: list[tuple[str, str, str]] = [
    (rf"{_DATE_LABEL}:? {_DATE}", "a date label left from the web page", "minor"),
    (_DATE, "a lone date left from the web page", "minor"),
    (r"loading(?:\.\.\.|…)?|please wait(?:\.\.\.|…)?", "a page-loading placeholder", "minor"),
    (r"read more|read more:|continue reading|show more|see more|load more|more »|click here(?: to [\w ]{1,30})?",
     "a link label", "minor"),
    (r"advertisement|advert|sponsored(?: content)?|anzeige|werbung|publicit[ée]", "an advertisement marker", "major"),
    (r"share(?: this(?: article| story| page)?)?|share on (?:facebook|twitter|x|whatsapp|linkedin|email)|tweet|"
     r"email|print|facebook|twitter|whatsapp|linkedin|pinterest|reddit|copy link",
     "a share button label", "minor"),
    (r"(?:sign up|subscribe)(?: (?:to|for) (?:our|the) newsletter)?|follow us(?: on [\w ]{1,20})?|"
     r"back to top|skip to (?:main )?content|log ?in|sign in|menu|home|comments?(?: \(\d+\))?|related(?: articles| stories)?",
     "a page navigation label", "minor"),
    (r"(?:©|\(c\)|copyright)[\w ,.©-]{0,60}|all rights reserved\.?", "a copyright line", "minor"),
]
#: boilerplate that is debris wherever it appears, even inside a sentence
ANYWHERE: list[tuple[str, str, str]] = [
    (r"\bloading(?:\.\.\.|…)", "a page-loading placeholder", "minor"),
    (r"\bADVERTISEMENT\b|(?<=[a-z,] )Advertisement(?= [a-z])", "an advertisement marker", "major"),
    (r"\b(?:we|this (?:web)?site) uses? cookies\b[^.!?\n]{0,120}[.!?]?|\baccept (?:all )?cookies\b|\bcookie settings\b|"
     r"\bmanage cookies\b", "a cookie banner", "major"),
    (r"\b(?:click|tap) here to (?:read|see|learn|find out) more\b[.!]?|\bshare on (?:facebook|twitter|whatsapp|linkedin)\b",
     "a web page link label", "minor"),
    # a capitalised 'Read more' where a sentence ends (or a line starts) and nothing of the sentence follows it:
    # the next sentence, a headline, or the end of the line ('read more books' and 'Read more about it.' stay)
    (r"(?-i:(?:(?m:^)|(?<=[.!?:\"”’)] )|(?<=[a-z] ))(?:Read more|Read More|READ MORE|Continue reading|CONTINUE READING)"
     r"(?:\s*(?::|»|›|>|…|\.\.\.))?(?=\s+[A-Z\"“‘]|\s*$))", "a link label", "minor"),
    (r"\bskip to (?:main )?content\b|\bsign up for our newsletter\b|\bsubscribe to our newsletter\b",
     "a page navigation label", "minor"),
]
_SEPARATORS = r"[\s|•·/»>–—:-]*"
_STANDALONE_RE = [(re.compile(rf"(?:{p})(?=$|{_SEPARATORS[:-1]}+)", re.I), what, sev) for p, what, sev in STANDALONE]
_ANYWHERE_RE = [(re.compile(p, re.I if "ADVERTISEMENT" not in p else 0), what, sev) for p, what, sev in ANYWHERE]
_SEP_RE = re.compile(_SEPARATORS)


def debris_line(line: str) -> list[tuple[int, int, str, str]] | None:
    """Debris pieces of a line made only of debris ('date 2020-01-03 Loading...'), else None."""
    pos = 0
    pieces: list[tuple[int, int, str, str]] = []
    while True:
        pos = _SEP_RE.match(line, pos).end()
        if pos >= len(line):
            return pieces or None
        for rx, what, sev in _STANDALONE_RE:
            m = rx.match(line, pos)
            if m and m.end() > pos:
                pieces.append((m.start(), m.end(), what, sev))
                pos = m.end()
                break
        else:
            return None


@register
class ScrapingDebris(Check):
    id = "scraping-debris"
    description = "Web page debris: 'Loading...', a lone date line, 'Read more', share buttons, cookie banners, ads."
    category = "other/boilerplate"
    severity = "minor"

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        sourced = {(seg.start, seg.end) for seg in doc.segments if seg.source}
        for block in iter_blocks(doc):
            if (block.start, block.end) in sourced:
                continue  # a unit with a source: the translation carries whatever the source holds
            taken: list[tuple[int, int]] = []
            pieces = debris_line(block.text)
            for s, e, what, sev in pieces or []:
                taken.append((s, e))
                yield self.flag_doc(doc, block.start + s, block.start + e,
                                  f"'{block.text[s:e]}' is {what}, not part of the text: scraping debris.",
                                  severity=sev, suggestion="delete it", confidence=0.9)
            for rx, what, sev in _ANYWHERE_RE:
                for m in rx.finditer(block.text):
                    s, e = m.span()
                    if any(a < e and s < b for a, b in taken):
                        continue
                    taken.append((s, e))
                    yield self.flag_doc(doc, block.start + s, block.start + e,
                                      f"'{m.group()}' is {what}, not part of the text: scraping debris.",
                                      severity=sev, suggestion="delete it", confidence=0.85)
