"""Quote marks on the wrong side of a word, detached, unbalanced, or followed by a stray fragment.

Machine translation often moves a closing quote off the word it closes
(``leave Iraq, "said``), leaves it hanging after a space (``country. "``) or
glues it to the wrong word (``play" Another``). Straight quotes are paired by
position within a paragraph (1st opens, 2nd closes, ...), which is what tells
an opening quote from a closing one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..context import CheckContext
from ..registry import Check, register
from ..values import Document, Finding
from ._surface import iter_blocks, wordset

#: reporting verbs that follow a quotation: '..., "said' means the quote is on the wrong side
REPORTING_VERBS = wordset(
    "said says say added adds told tells wrote writes tweeted tweets asked asks explained explains noted notes "
    "replied replies continued continues insisted insists stressed stresses argued argues warned warns "
    "declared declares announced announces recalled recalls concluded concludes admitted admits"
)

_DETACHED_END = re.compile(r"([.!?,;:…])([ \t\u00a0]+)([\"”])[ \t]*$")
_DETACHED_MID = re.compile(r"([.!?,;:…])([ \t\u00a0]+)([\"”])(?=[ \t]+[\"“A-Z])")
_WRONG_SIDE = re.compile(r"([,.!?])([ \t\u00a0]+)([\"“])([a-z][\w'-]*)")
_GLUED_CLOSE = re.compile(r"(?<!\w)(\w+)([\"”])([ \t]+)([A-Z][\w'-]*)")
_GLUED_BOTH = re.compile(r"([a-z])([\"“”])([A-Za-z])")
# 'country." region".': after a quotation closed with a full stop, 1-3 lowercase words closed by another quote,
# or a single lowercase word ending the paragraph
_FRAGMENT = re.compile(
    r"(\.)([\"”])([ \t]+)([a-z][\w'-]*(?:[ \t]+[a-z][\w'-]*){0,2})([\"”][.!?,]?)"
    r"|(\.)([\"”])([ \t]+)([a-z][\w'-]*)([.!?])[ \t]*$"
)


@dataclass
class QuoteIssue:
    kind: str
    start: int  # offsets into the block
    end: int
    message: str
    suggestion: str | None
    confidence: float


def _straight_positions(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if ch == '"']


def _is_closing(pos: int, quotes: list[int]) -> bool:
    """By position: the 2nd, 4th, ... straight quote in a paragraph closes a quotation."""
    return quotes.index(pos) % 2 == 1


def _opens_sentence(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in ".!?:"


#: languages whose quotations open with „ and close with “ (German style)
LOW_HIGH_LANGS = wordset("de cs sk sl hr bg et lt lv is ka sr ro")


def analyse_quotes(text: str, lang: str | None = "en") -> list[QuoteIssue]:
    """All quote problems of one paragraph; 'unbalanced' only when nothing else explains the count."""
    quotes = _straight_positions(text)
    issues: list[QuoteIssue] = []
    for rx in (_DETACHED_END, _DETACHED_MID):
        for m in rx.finditer(text):
            issues.append(QuoteIssue(
                "detached", m.start(2), m.end(3),
                f"Closing quote separated from '{m.group(1)}' by a space: it should follow the punctuation directly.",
                f"remove the space: '{m.group(1)}{m.group(3)}'", 0.9))
    for m in _WRONG_SIDE.finditer(text):
        q = m.start(3)
        word = m.group(4)
        closing = m.group(3) == '"' and _is_closing(q, quotes)
        if not (closing or word.lower() in REPORTING_VERBS):
            continue
        issues.append(QuoteIssue(
            "wrong-side", m.start(2), m.end(3),
            f"Closing quote on the wrong side of the space: it is glued to '{word}' instead of closing after "
            f"'{m.group(1)}'.",
            f"write '{m.group(1)}{m.group(3)} {word}'", 0.9 if closing else 0.75))
    for m in _GLUED_CLOSE.finditer(text):
        q = m.start(2)
        if m.group(2) != '"' or not _is_closing(q, quotes):
            continue
        opener = quotes[quotes.index(q) - 1]
        inner = text[opener + 1:q]
        if not _opens_sentence(text, opener) or len(inner.split()) < 2 or inner.rstrip()[-1:] in ".,!?;:…":
            continue
        issues.append(QuoteIssue(
            "wrong-side", q, q + 1,
            f"Quote mark glued to '{m.group(1)}' closes a quotation with no punctuation and is followed by "
            f"'{m.group(4)}': it probably belongs before '{m.group(4)}' (an opening quote).",
            f"move the quote: '{m.group(1)} \"{m.group(4)}'", 0.6))
    for m in _GLUED_BOTH.finditer(text):
        issues.append(QuoteIssue(
            "wrong-side", m.start(2), m.end(2),
            f"Quote mark glued between '{m.group(1)}' and '{m.group(3)}' with no space on either side.",
            "add a space on the side where the quotation starts or ends", 0.8))
    for m in _FRAGMENT.finditer(text):
        word_group = 4 if m.group(4) else 9
        frag_start, frag_end = m.start(word_group), m.end()
        issues.append(QuoteIssue(
            "fragment", frag_start, frag_end,
            f"Stray fragment '{m.group(word_group)}' after the closing quote: a leftover of a mistranslated or "
            "duplicated phrase.",
            f"delete '{text[frag_start:frag_end]}'", 0.85))
    if not issues:
        issues.extend(_unbalanced(text, quotes, lang))
    return issues


def _unbalanced(text: str, quotes: list[int], lang: str | None = "en") -> list[QuoteIssue]:
    out: list[QuoteIssue] = []
    if lang in LOW_HIGH_LANGS:
        openers, closers = {"„": "“", "»": "«"}, {"“", "”", "«"}
    elif lang in ("fr", "es", "it", "pt", "ru", "uk", "el", "ca", "no", "nb"):
        openers, closers = {"«": "»", "“": "”", "„": "“"}, {"»", "”"}
    else:
        openers, closers = {"“": "”"}, {"”"}
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in openers and not (ch in closers and stack):
            stack.append(i)
        elif ch in closers:
            if stack:
                stack.pop()
            else:
                out.append(QuoteIssue("unbalanced", i, i + 1, f"Closing quote '{ch}' with no opening quote before it.",
                                      "add the opening quote or remove this one", 0.7))
    # a quotation running on into the next paragraph legitimately leaves its opening quote unclosed
    for i in stack:
        if i > 0:
            out.append(QuoteIssue("unbalanced", i, i + 1, f"Opening quote '{text[i]}' never closed in this paragraph.",
                                  "add the closing quote or remove this one", 0.6))
    if len(quotes) % 2 == 1 and not (quotes[0] == 0 and len(quotes) == 1):
        # the first quote whose spacing contradicts its position is where the count went wrong
        culprit = quotes[-1]
        for k, q in enumerate(quotes):
            before = text[q - 1] if q > 0 else " "
            after = text[q + 1] if q + 1 < len(text) else " "
            looks_opening = before.isspace() and not after.isspace()
            looks_closing = not before.isspace() and (after.isspace() or after in ".,;:!?")
            if (k % 2 == 1 and looks_opening) or (k % 2 == 0 and looks_closing):
                culprit = q
                break
        out.append(QuoteIssue("unbalanced", culprit, culprit + 1,
                              f"Odd number of quote marks ({len(quotes)}) in this paragraph: one is missing or extra.",
                              "add the missing quote or remove the extra one", 0.5))
    return out


class _QuoteCheck(Check):
    """Emits the issues of one kind found by :func:`analyse_quotes`."""

    kind = ""

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        cache = ctx.cache.setdefault("quote-issues", {})
        sources = {(seg.start, seg.end): seg.source for seg in doc.segments if seg.source}
        for block in iter_blocks(doc):
            key = (block.start, block.end)
            if key not in cache:
                cache[key] = analyse_quotes(block.text, ctx.tgt_lang)
            source = sources.get(key)
            for issue in cache[key]:
                if issue.kind != self.kind:
                    continue
                if issue.kind == "unbalanced" and source and source_unbalanced(source, ctx.src_lang):
                    continue  # the unit is part of a longer quotation: the source is unbalanced too
                yield self.flag_doc(doc, block.start + issue.start, block.start + issue.end, issue.message,
                                    suggestion=issue.suggestion, confidence=issue.confidence)


def source_unbalanced(source: str, lang: str | None) -> bool:
    """True when the source's own quotes do not pair up (any quote style)."""
    straight = source.count('"') % 2 == 1
    curly = sum(source.count(c) for c in "“”„«»「」『』") % 2 == 1
    return straight or curly or bool(_unbalanced(source, _straight_positions(source), lang))


@register
class DetachedQuote(_QuoteCheck):
    id = "detached-quote"
    description = "A closing quote separated from its sentence by a space (e.g. 'the country. \"')."
    category = "fluency/punctuation"
    severity = "minor"
    kind = "detached"


@register
class WrongSideQuote(_QuoteCheck):
    id = "wrong-side-quote"
    description = "A quote mark glued to the wrong word (e.g. 'leave Iraq, \"said', 'play\" Another')."
    category = "fluency/punctuation"
    severity = "minor"
    kind = "wrong-side"


@register
class StrayQuoteFragment(_QuoteCheck):
    id = "stray-quote-fragment"
    description = "A short stray fragment after a closing quote (e.g. 'the country.\" region\".')."
    category = "fluency/grammar"
    severity = "major"
    kind = "fragment"


@register
class UnbalancedQuotes(_QuoteCheck):
    id = "unbalanced-quotes"
    description = "Quote marks that do not pair up within a paragraph (when no other quote problem explains it)."
    category = "fluency/punctuation"
    severity = "minor"
    kind = "unbalanced"
