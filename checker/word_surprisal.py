"""Word-level surprisal: a language model's token surprisals summed per word, against the word's frequency.

A word's *excess* is how much less likely it is in its context than out of it
(surprisal minus unigram surprisal, in nats). ``lm-fluency`` looks for words
whose excess spikes; the learned quality score uses a sentence's mean excess as
a fluency term for English targets (:mod:`checker.qe.lm_term`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from math import log

WORD_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
LN10 = log(10.0)


@lru_cache(maxsize=65536)
def unigram_surprisal(word: str, lang: str = "en") -> float:
    """-ln p(word) from wordfreq (unknown words count as one in a billion).

    A hyphenated compound costs the sum of its parts: English coins them freely
    ('anti-Washington', 'twelve-second') and the model pays for every part too.
    """
    from wordfreq import zipf_frequency

    parts = [p for p in word.lower().split("-") if p]
    return sum((9.0 - zipf_frequency(p, lang)) * LN10 for p in parts or [word.lower()])


@dataclass
class Word:
    """A word of a sentence with its model surprisal (sum over its tokens)."""

    start: int
    end: int
    text: str
    surprisal: float
    unigram: float
    first_token: int  # index of its first token in the sentence's TokenSurprisal
    gap_before: str = ""  # the text between the previous word and this one

    @property
    def excess(self) -> float:
        """How much less likely the word is in context than out of context (nats)."""
        return self.surprisal - self.unigram


def sentence_words(text: str, ts, lang: str = "en") -> list[Word]:
    """Words of ``text`` with the summed surprisal of the tokens that start inside them."""
    words: list[Word] = []
    t = 0
    n = len(ts.offsets)
    last = 0
    for m in WORD_RE.finditer(text):
        a, b = m.span()
        while t < n and ts.offsets[t][0] < a:
            t += 1
        first = t
        total = 0.0
        while t < n and ts.offsets[t][0] < b:
            total += ts.surprisals[t]
            t += 1
        if t > first:
            words.append(Word(a, b, m.group(), total, unigram_surprisal(m.group(), lang), first, text[last:a]))
            last = b
    return words


def mean_excess(text: str, ts) -> float | None:
    """Mean excess (nats) of the words of ``text`` after the first (which has no context), from its
    :class:`~checker.lm.TokenSurprisal` ``ts``; None when no such word is left.

    Words with a digit are left out: a number is rare out of context and often predictable in it (the digits of a
    date), so its excess says nothing about fluency (``lm-fluency`` skips them too).
    """
    words = [w for w in sentence_words(text, ts)[1:] if not any(ch.isdigit() for ch in w.text)]
    return sum(w.excess for w in words) / len(words) if words else None
