"""Gibberish runs: keyboard mash ('asdfgh'), unpronounceable consonant runs, random character soup."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ..context import CheckContext
from ..registry import SegmentCheck, register
from ..values import Finding, Segment
from ._surface import wordset

_TOKEN = re.compile(r"\S+")
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ž]+")
_VOWELS = set("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿāăąēėęěīįōőœūůűų")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# five neighbouring keys: no word of the supported languages holds such a run ('wert' and 'erty' are words)
_KEYBOARD_RUNS = {row[i:i + 5] for row in _ROWS for i in range(len(row) - 4)}
_KEYBOARD_RUNS |= {r[::-1] for r in _KEYBOARD_RUNS}
_SOUP = re.compile(r"(?=\S*[A-Za-z])(?=\S*\d)(?=(?:\S*[#$%&*!^~|]){2})[^\s=<>(){}\[\]]{8,}")
#: Latin-script languages whose words the consonant and lexicon tests understand
LATIN_LANGS = wordset("en de fr es it pt nl sv da nb no fi pl cs sk sl hr ro hu tr ca id ms lt lv et")


#: longest consonant run a real word may have; compounding languages allow long runs ('Angstschweiß')
CONSONANT_RUN = {"de": 8, "nl": 7, "pl": 7, "cs": 7, "sk": 7, "hr": 7, "sl": 7, "hu": 7, "sv": 7, "da": 7, "nb": 7,
                 "no": 7}


@lru_cache(maxsize=1)
def _wordfreq_languages() -> frozenset[str]:
    try:
        from wordfreq import available_languages
    except ImportError:
        return frozenset()
    return frozenset(available_languages())


def _known(word: str, lang: str) -> bool:
    if lang not in _wordfreq_languages():
        return False
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang) > 0


def _longest_consonant_run(word: str) -> int:
    best = run = 0
    for ch in word.lower():
        run = 0 if ch in _VOWELS else run + 1
        best = max(best, run)
    return best


def gibberish_reason(token: str, lang: str) -> str | None:
    """Why ``token`` looks like gibberish, or None when it looks like a word, name, number or code."""
    if _SOUP.fullmatch(token) and not re.search(r"[/@]|://|\.\w{2,4}$", token):
        return "a soup of letters, digits and symbols"
    for word in _LATIN_WORD.findall(token):
        low = word.lower()
        if len(word) < 4 or _known(low, lang):
            continue
        if any(low[i:i + 5] in _KEYBOARD_RUNS for i in range(len(low) - 4)):
            return "keys that sit next to each other on a keyboard"
        if re.search(r"(.)\1\1\1", low):
            return "the same letter four or more times"
        if word[0].isupper() or word.isupper():
            continue  # names and acronyms may look odd
        vowel_share = sum(c in _VOWELS for c in low) / len(low)
        if _longest_consonant_run(low) >= CONSONANT_RUN.get(lang, 5) or (len(low) >= 6 and vowel_share < 0.15):
            return "an unpronounceable run of consonants"
    return None


@register
class Gibberish(SegmentCheck):
    id = "gibberish"
    description = "Keyboard mash, unpronounceable letter runs or random character soup (e.g. 'xkqzvw', 'asdfgh')."
    category = "fluency/garbled"
    severity = "major"
    #: keyboard mash is no word of the language and surprises a language model: it says why
    subsumes = frozenset({"rare-word", "lm-fluency"})

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        lang = ctx.tgt_lang or "en"
        if lang not in LATIN_LANGS:
            return
        run: list[tuple[int, int, str]] = []
        for m in _TOKEN.finditer(seg.text):
            core = m.group().strip(".,;:!?\"'“”‘’()[]{}")
            reason = gibberish_reason(core, lang) if core else None
            if reason:
                s = m.start() + m.group().find(core)
                run.append((s, s + len(core), reason))
                continue
            yield from self._emit(seg, run)
            run = []
        yield from self._emit(seg, run)

    def _emit(self, seg: Segment, run: list[tuple[int, int, str]]) -> Iterator[Finding]:
        if not run:
            return
        start, end = run[0][0], run[-1][1]
        text = seg.text[start:end]
        words = "words" if len(run) > 1 else "word"
        yield self.flag(seg, start, end, f"'{text}' is not a {words} of the language: {run[0][2]}.",
                        suggestion="delete it or restore the intended text", confidence=0.9 if len(run) > 1 else 0.75)
