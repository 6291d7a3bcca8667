"""Punctuation damage: stray spaces, missing spaces, doubled marks."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import CheckContext
from ..registry import Check, register
from ..values import Document, Finding, Segment
from ._surface import Block, BlockCheck, inside, iter_blocks, literal_spans

# a space (not a line break) before , . ; : ! ? that follows a word or closing mark
_SPACE_BEFORE = re.compile(r"(?<=[\w\)\]\"”’])([ \t\u00a0]+)([,.;:!?])(?![.\d])")
_FRENCH = {"fr"}


@register
class SpaceBeforePunctuation(Check):
    id = "space-before-punctuation"
    description = "A space before , . ; : ! or ? (e.g. 'Lebanon , the')."
    category = "fluency/punctuation"
    severity = "minor"

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        n = len(doc.segments)
        for i, seg in enumerate(doc.segments, 1):  # the text after a segment tells where its last space belongs
            yield from self._check(seg, doc.text[seg.end:seg.end + 40] if not doc.paired else "", ctx)
            ctx.progress(i, n)

    def _check(self, seg: Segment, following: str, ctx: CheckContext) -> Iterator[Finding]:
        lang = ctx.tgt_lang or "en"
        for m in _SPACE_BEFORE.finditer(seg.text):
            mark = m.group(2)
            if lang in _FRENCH and mark in ";:!?":
                continue  # French typography puts a (thin) space there
            # an ellipsis or an inline list like "a . b" is left alone when the mark repeats
            rest = seg.text[m.end(2):] + (following if m.end(2) == len(seg.text) else "")
            if rest[:1].isalpha() or rest[:1] in tuple("\"“'‘("):  # 'year .Critics': the space goes after the mark
                word = re.search(r"\S*$", seg.text[:m.start(1)]).group()
                nxt = re.match(r"\S*", rest).group()
                suggestion = f"move the space after '{mark}': '{word}{mark} {nxt}'"
            else:
                suggestion = f"remove the space before '{mark}'"
            yield self.flag(
                seg, m.start(1), m.end(2),
                f"Space before '{mark}': punctuation attaches to the preceding word.",
                suggestion=suggestion,
            )


# a lowercase word, sentence punctuation, then a word with no space between: "end.Next", "one,two"
_MISSING_SPACE = re.compile(r"(?<![\w.])([A-Za-z]*[a-z]{2}[\)\]\"”’]?)([.!?;:,])([A-Za-z][a-z]+)")
_URL_SCHEMES = {"http", "https", "ftp", "mailto", "file", "tel", "urn"}


@register
class MissingSpaceAfterPunctuation(BlockCheck):
    id = "missing-space-after-punctuation"
    description = "No space after sentence punctuation between two words (e.g. 'end.Next', 'one,two')."
    category = "fluency/punctuation"
    severity = "minor"

    def check_block(self, doc: Document, block: Block, ctx: CheckContext) -> Iterator[Finding]:
        text = block.text
        protected = literal_spans(text)
        for m in _MISSING_SPACE.finditer(text):
            mark, nxt = m.group(2), m.group(3)
            if inside(m.start(2), protected):
                continue
            if mark in ".!?" and not nxt[0].isupper():
                continue  # "file.txt", "node.js": a lowercase word after a dot is a name, not a sentence
            if mark == ":" and m.group(1).lower() in _URL_SCHEMES:
                continue
            token = re.match(r"\S*", text[m.start():]).group()
            if re.search(r"[/@\\=<>_]|\w\.\w+\.\w", token):
                continue  # code, paths, e-mails, dotted identifiers
            yield self.flag_doc(
                doc, block.start + m.start(2), block.start + m.end(2) + 1,
                f"No space after '{mark}' before '{nxt}': the words run together.",
                suggestion=f"add a space after '{mark}'",
            )


# ",," ";;" "!!" "??" ",." ".." (two dots, not an ellipsis) and "::" at a word end
_DOUBLED = re.compile(
    r"(?<![.\s/\\\d])(\.\.)(?![./\\\w])"      # "end.." but not "...", "../", "1..10"
    r"|(,,|;;|!!|\?\?|,\.|,;|;,|\.;)(?![,;!?.])"
    r"|(?<=\w)(::)(?=\s|$)"
)


@register
class DoubledPunctuation(BlockCheck):
    id = "doubled-punctuation"
    description = "Doubled punctuation such as ',,' '..' ';;' ',.' (not '...', '…' or '?!')."
    category = "fluency/punctuation"
    severity = "minor"

    def check_block(self, doc: Document, block: Block, ctx: CheckContext) -> Iterator[Finding]:
        text = block.text
        protected = literal_spans(text)
        for m in _DOUBLED.finditer(text):
            marks = m.group()
            if inside(m.start(), protected):
                continue  # "U.S.." and URLs: the abbreviation check owns the first dot
            keep = f"'{marks[0]}'" if marks[0] == marks[1] else "one of them"
            yield self.flag_doc(
                doc, block.start + m.start(), block.start + m.end(),
                f"Doubled punctuation '{marks}': one mark is enough.",
                suggestion=f"keep {keep}",
            )


_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}
# list markers and smileys that use a lone bracket: "1)", "a)", ":)", ";-("
_LONE_OK = re.compile(r"(?:^|(?<=\s))(?:\d{1,2}|[a-zA-Z]|[ivx]{1,4})\)|(?<![\w\]])[:;]-?[()\[\]](?![\w\[\]])")


def _bracket_count_differs(text: str) -> bool:
    """True when a text opens more or fewer brackets than it closes (ASCII and full-width)."""
    return any(text.count(o) != text.count(c) for o, c in ("()", "[]", "{}", "（）", "【】"))


@register
class UnbalancedBrackets(Check):
    id = "unbalanced-brackets"
    description = "A bracket ( [ { opened and never closed, or closed without being opened, in one paragraph."
    category = "fluency/punctuation"
    severity = "minor"

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        sources = {(seg.start, seg.end): seg.source for seg in doc.segments if seg.source}
        for block in iter_blocks(doc):
            source = sources.get((block.start, block.end))
            if source and _bracket_count_differs(source):
                continue  # the unit cuts through a bracket in the source too
            text = block.text
            # list markers ("1)", "a)") and smileys (":)", ":-(") may stand alone: they are only excused when unmatched
            lone_ok = {m.end() - 1 for m in _LONE_OK.finditer(text)}
            protected = literal_spans(text)
            stack: list[tuple[str, int]] = []
            bad: list[tuple[int, str]] = []
            for i, ch in enumerate(text):
                if (ch not in _OPEN and ch not in _CLOSE) or inside(i, protected):
                    continue
                if ch in _OPEN:
                    stack.append((ch, i))
                elif stack and stack[-1][0] == _CLOSE[ch]:
                    stack.pop()
                elif i not in lone_ok:
                    bad.append((i, f"Closing '{ch}' with no matching '{_CLOSE[ch]}' before it."))
            bad.extend((i, f"'{ch}' is opened here and never closed with '{_OPEN[ch]}'.") for ch, i in stack
                       if i not in lone_ok)
            for i, message in sorted(bad):
                yield self.flag_doc(doc, block.start + i, block.start + i + 1, message,
                                  suggestion="add the missing bracket or remove this one", confidence=0.8)
