"""A sentence that starts with a lowercase word after a full stop ('over them. social networks')."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import CheckContext
from ..registry import Check, register
from ..values import Document, Finding
from ._surface import inside, is_abbreviation, iter_blocks, literal_spans, word_before

# sentence punctuation, whitespace, then a lowercase word; a quote or bracket after the mark is handled below
_LOWER_START = re.compile(r"([.!?])([ \t\u00a0]+)([a-z][\w'’-]*)")
#: scripts with no letter case, or languages where a lowercase start is normal after these marks
_CASELESS = {"zh", "ja", "ko", "th", "ar", "he", "fa", "hi", "ka"}


@register
class LowercaseSentenceStart(Check):
    id = "lowercase-sentence-start"
    description = "A sentence that starts with a lowercase word after . ! or ? (e.g. 'over them. social networks')."
    category = "fluency/grammar"
    severity = "minor"

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        if (ctx.tgt_lang or "en") in _CASELESS:
            return
        for block in iter_blocks(doc):
            text = block.text
            protected = literal_spans(text)
            for m in _LOWER_START.finditer(text):
                mark_at, word = m.start(1), m.group(3)
                if inside(mark_at, protected):
                    continue
                if mark_at > 0 and text[mark_at - 1] in ".…":
                    continue  # an ellipsis may run on in lowercase
                token = word_before(text, mark_at + 1)
                if is_abbreviation(token) or re.fullmatch(r"\(?\d+[.)]?", token) or token[:1] in "([":
                    continue  # "e.g. this", "U.S. officials", list markers "1. item"
                if re.search(r"[A-Z]", word) or re.match(r"[a-z]\)", text[m.start(3):m.start(3) + 2]):
                    continue  # brand names like iPhone, eBay; "a) ..." list items
                yield self.flag_doc(
                    doc, block.start + m.start(3), block.start + m.end(3),
                    f"'{word}' starts a sentence in lowercase after '{text[mark_at]}': the sentence was cut in the "
                    f"wrong place (the '{text[mark_at]}' does not belong) or the capital letter is missing.",
                    suggestion=f"remove the '{text[mark_at]}' or write '{word[0].upper() + word[1:]}'",
                    confidence=0.8,
                )
