"""Helpers shared by the surface checks: paragraph blocks, literal spans (URLs, e-mails, abbreviations)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..context import CheckContext
from ..registry import Check
from ..values import Document, Finding

URL_RE = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.I)
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# bare domains and file names: example.com, report.pdf, config.yaml (group "span"). Matching starts only where a
# run of [\w-] starts outside a dotted chain (leading dashes skipped), so a long token like x-x-x... or x.x.x...
# costs linear, not quadratic, time
DOMAIN_RE = re.compile(r"(?<![\w-])(?<!\w\.)-*+\b(?P<span>[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|de|fr|uk|co|info|ai|"
                       r"dev|app|html?|php|pdf|txt|csv|json|ya?ml|py|js|exe|zip|png|jpe?g))\b", re.I)
# tokens with inner dots that are not sentence ends: U.S., e.g., a.m., Ph.D.
DOTTED_ABBR_RE = re.compile(r"\b(?:[A-Za-z]\.){2,}")

def wordset(words: str) -> frozenset[str]:
    """A frozenset of the space-separated ``words``."""
    return frozenset(words.split())


#: abbreviations after which a full stop does not end a sentence (lower-cased, without the dot)
ABBREVIATIONS = wordset(
    "e.g i.e etc vs cf approx al fig figs no nos p pp vol ch sec art para ed eds mr mrs ms dr prof st jr sr "
    "inc ltd co corp dept est govt gen col lt sgt capt rev hon jan feb mar apr jun jul aug sep sept oct nov dec "
    "mon tue wed thu fri sat sun min max ca approx resp esp incl excl viz op ibid plc llc gmbh "
    "bzw ggf usw vgl evtl inkl zzgl sog nr mio mrd tsd abs bd jh"
)


@dataclass
class Block:
    """A paragraph (a line of a plain-text document, or one unit of a pair document)."""

    start: int
    end: int
    text: str


def iter_blocks(doc: Document) -> Iterator[Block]:
    """Blocks of ``doc`` in order: consecutive segments with the same block number."""
    current: list[int] | None = None
    last_block = None
    for seg in doc.segments:
        if current is not None and seg.block == last_block and seg.start >= current[1]:
            current[1] = seg.end
            continue
        if current is not None:
            yield Block(current[0], current[1], doc.text[current[0]:current[1]])
        current = [seg.start, seg.end]
        last_block = seg.block
    if current is not None:
        yield Block(current[0], current[1], doc.text[current[0]:current[1]])


class BlockCheck(Check):
    """A check that reads one paragraph at a time: implement :meth:`check_block`."""

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        for block in iter_blocks(doc):
            yield from self.check_block(doc, block, ctx)
            ctx.progress(block.end, len(doc.text), "characters")

    def check_block(self, doc: Document, block: Block, ctx: CheckContext) -> Iterator[Finding]:
        raise NotImplementedError


def literal_spans(text: str) -> list[tuple[int, int]]:
    """Spans of URLs, e-mail addresses, domains/file names and dotted abbreviations: literals whose dots and
    marks punctuation rules must not judge (inline codes are :func:`checker.codes.code_spans`).

    Sorted and merged where they overlap, so :func:`inside` is a binary search."""
    spans: list[tuple[int, int]] = []
    for rx in (URL_RE, EMAIL_RE, DOTTED_ABBR_RE):
        spans.extend(m.span() for m in rx.finditer(text))
    spans.extend(m.span("span") for m in DOMAIN_RE.finditer(text))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """True when ``pos`` lies inside one of ``spans`` (sorted, not overlapping: :func:`literal_spans`)."""
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def word_before(text: str, pos: int) -> str:
    """The run of non-space characters that ends at ``pos`` (scanned backwards: no copy of the text before it)."""
    start = pos
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:pos]


def is_abbreviation(token: str) -> bool:
    """True for 'e.g.', 'U.S.', 'Dr.', 'etc.': a token whose final full stop does not end a sentence."""
    core = token.strip("\"'“”‘’([{")
    if not core.endswith("."):
        return False
    core = core[:-1]
    if not core:
        return False
    if "." in core or (len(core) == 1 and core.isalpha()):
        return True
    return core.lower() in ABBREVIATIONS
