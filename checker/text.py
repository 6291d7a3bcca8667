"""Facts about plain text that every layer shares: words, CJK characters, clause breaks. Imports nothing.

Scoring counts words with :func:`count_words`; the meaning checks and the
calibrated score cut sentences into clauses at :data:`CLAUSE_BREAK_RE`; the
checks that treat Chinese and Japanese text apart read :data:`HAN_KANA`.
"""

from __future__ import annotations

import re

#: Chinese characters and Japanese kana, as a character-class body
HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
#: Korean syllables, as a character-class body
HANGUL = "\uac00-\ud7af"
#: one CJK character (Han, kana or Hangul): each counts as a word
CJK_RE = re.compile(f"[{HAN_KANA}{HANGUL}]")
#: one Han or kana character (Chinese and Japanese, whose punctuation is full-width)
HAN_KANA_RE = re.compile(f"[{HAN_KANA}]")
#: a word: letters and digits with inner hyphens, apostrophes and decimal marks ("well-known", "5,000")
WORD_RE = re.compile(r"\w+(?:[-'’]\w+|[.,]\d+)*", re.UNICODE)
#: where one clause ends and the next starts: commas, semicolons, colons, brackets, dashes (Latin and
#: full-width), and the space after a sentence end
CLAUSE_BREAK_RE = re.compile(
    r"\s*[,;:()\u2013\u2014\uff0c\uff1b\uff1a\u3001\u3002\uff08\uff09]\s*|\s+-\s+|(?<=[.!?])\s+")
#: a run of word characters (a clause needs one to count)
ANY_WORD_RE = re.compile(r"\w+", re.UNICODE)


def count_words(text: str) -> int:
    """Words in ``text``; each CJK character counts as one word."""
    cjk = len(CJK_RE.findall(text))
    rest = CJK_RE.sub(" ", text)
    return cjk + len(WORD_RE.findall(rest))


def is_cjk(text: str) -> bool:
    """True when at least a third of the letters are CJK characters."""
    letters = sum(ch.isalpha() for ch in text)
    return letters > 0 and len(CJK_RE.findall(text)) * 3 >= letters


def clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses between :data:`CLAUSE_BREAK_RE` breaks that hold a word."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in CLAUSE_BREAK_RE.finditer(text):
        if m.start() > pos and ANY_WORD_RE.search(text, pos, m.start()):
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text) and ANY_WORD_RE.search(text, pos):
        spans.append((pos, len(text.rstrip())))
    return spans
