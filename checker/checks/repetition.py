"""Doubled words ('the the'), repetition loops ('both both both') and hallucinated duplicated clauses."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from ..context import CheckContext
from ..registry import Check, register
from ..values import Document, Finding
from ._surface import iter_blocks, wordset

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_ALNUM = re.compile(r"[^\W_]+")

#: doubled words that are grammatical ("he had had", "that that", "what it is is") or idiomatic
LEGIT_DOUBLES: dict[str, frozenset[str]] = {
    "en": wordset("had that is do bye no so ha yeah blah there her very well now chop tut knock ho hush"
                    " pooh tom"),
    "de": wordset("die der das dass sie ist war wird"),
    "fr": wordset("nous vous"),
    "nl": wordset("dat die"),
}
#: function words: a capitalised repeat of one of these is an error, of anything else a name ('Bora Bora')
_FUNCTION = wordset("the a an and or of in on to for with at by from is was are were it this that")
#: interjections that legitimately repeat three or more times
LEGIT_LOOPS = wordset("ha haha he hi la na no yes yeah blah bla go bye tick tock knock ding dong boom bang ho"
                        " very really")


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


def _only_space_between(text: str, a: int, b: int) -> bool:
    return text[a:b].strip(" \t\u00a0") == ""


def _same_text(text: str, unit: list[tuple[str, int, int]], other: list[tuple[str, int, int]]) -> bool:
    """Two runs of the same words hold the same numbers too: 'on day 1 ..., on day 2 ...' differ only in what the
    words skip (digits), and an enumeration is no loop. Punctuation inside them may differ."""
    def alnum(run: list[tuple[str, int, int]]) -> list[str]:
        return _ALNUM.findall(text[run[0][1]:run[-1][2]].lower())

    return alnum(unit) == alnum(other)


def _gap_ok(text: str, a: int, b: int) -> bool:
    """Between two repeats of a phrase: spaces and at most light punctuation."""
    return bool(re.fullmatch(r"[\s,;:.!?\"“”'’()\-–—]*", text[a:b])) and "\n" not in text[a:b]


@register
class DoubledWord(Check):
    id = "doubled-word"
    description = "The same word twice in a row (e.g. 'the the'), except grammatical doubles such as 'had had'."
    category = "fluency/grammar"
    severity = "minor"

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        legit = LEGIT_DOUBLES.get(ctx.tgt_lang or "en", frozenset())
        for block in iter_blocks(doc):
            text = block.text
            toks = _tokens(text)
            for i in range(1, len(toks)):
                word, s, e = toks[i]
                prev, ps, pe = toks[i - 1]
                if word != prev or not _only_space_between(text, pe, s):
                    continue
                if i + 1 < len(toks) and toks[i + 1][0] == word and _only_space_between(text, e, toks[i + 1][1]):
                    continue  # three or more: a repetition loop
                if i >= 2 and toks[i - 2][0] == word and _only_space_between(text, toks[i - 2][2], ps):
                    continue
                if word in legit:
                    continue
                first, second = text[ps:pe], text[s:e]
                if first[0].isupper() and second[0].isupper() and word not in _FUNCTION:
                    continue  # names such as 'Bora Bora', 'Walla Walla'
                yield self.flag_doc(
                    doc, block.start + pe, block.start + e,
                    f"Doubled word '{second}': the word is written twice in a row.",
                    suggestion=f"delete the second '{second}'", confidence=0.9,
                )


@register
class RepetitionLoop(Check):
    id = "repetition-loop"
    description = "A word repeated 3+ times or a phrase/clause repeated back to back (hallucinated duplication)."
    category = "accuracy/addition"
    severity = "major"
    params: ClassVar[dict[str, Any]] = {"max_phrase_words": 40, "min_phrase_chars": 8}

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        for block in iter_blocks(doc):
            yield from self._block(doc, block.start, block.text)
        yield from self._repeated_blocks(doc)

    def _block(self, doc: Document, offset: int, text: str) -> Iterator[Finding]:
        toks = _tokens(text)
        words = [t[0] for t in toks]
        max_n = int(self.settings["max_phrase_words"])
        i = 0
        while i < len(toks):
            found = None
            for n in range(1, min(max_n, (len(toks) - i) // 2) + 1):
                if words[i + n] != words[i]:
                    continue  # a repeat starts with the unit's first word: the rest is not worth comparing
                unit = words[i:i + n]
                reps = 1
                while words[i + reps * n:i + (reps + 1) * n] == unit and _gap_ok(
                        text, toks[i + reps * n - 1][2], toks[i + reps * n][1]) and _same_text(
                        text, toks[i:i + n], toks[i + reps * n:i + (reps + 1) * n]):
                    reps += 1
                if n == 1 and (reps < 3 or unit[0] in LEGIT_LOOPS):
                    continue
                if reps < 2:
                    continue
                phrase_chars = toks[i + n - 1][2] - toks[i][1]
                if n > 1 and phrase_chars < int(self.settings["min_phrase_chars"]):
                    continue
                found = (n, reps)
                break
            if not found:
                i += 1
                continue
            n, reps = found
            first_end = toks[i + n - 1][2]
            end = toks[i + reps * n - 1][2]
            shown = text[toks[i][1]:first_end]
            what = f"'{shown}' repeated {reps} times" if n == 1 else f"The phrase '{shown}' is repeated"
            yield self.flag_doc(
                doc, offset + first_end, offset + end,
                f"{what} back to back: a repetition loop typical of machine translation.",
                suggestion="delete the repeats", confidence=0.9 if n > 1 or reps >= 3 else 0.7,
            )
            i += reps * n

    def _repeated_blocks(self, doc: Document) -> Iterator[Finding]:
        """A whole paragraph repeated right after itself (plain-text documents only)."""
        if doc.paired:
            return
        blocks = list(iter_blocks(doc))
        for a, b in itertools.pairwise(blocks):
            if len(_tokens(a.text)) >= 5 and _tokens(a.text) and [t[0] for t in _tokens(a.text)] == [
                    t[0] for t in _tokens(b.text)]:
                yield self.flag_doc(doc, b.start, b.end,
                                  "This paragraph repeats the one before it word for word.",
                                  suggestion="delete the duplicate paragraph", confidence=0.9)
