"""Whole-unit comparisons with the source: copied or untranslated targets, end punctuation, length ratio,
and CJK/Latin punctuation that does not suit the target language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from ..context import CheckContext
from ..langid import language_scores, letter_count
from ..registry import SegmentCheck, register
from ..text import HAN_KANA, HAN_KANA_RE
from ..values import Finding, Segment
from .language import WORD_LEVEL_CHECKS
from .source_tokens import PLACEHOLDER_RE

_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_CLOSERS = "\"'”’“‘»«›‹)]}」』）】 \t"
_END_CLASS = {"?": "?", "？": "?", "!": "!", "！": "!", ".": ".", "。": ".", "．": ".", "…": "…",
              ":": ":", "：": ":", ";": ";", "；": ";"}
_END_NAMES = {"?": "a question mark", "!": "an exclamation mark", ".": "a full stop", "…": "an ellipsis",
              ":": "a colon", ";": "a semicolon", None: "no closing punctuation"}
CJK_LANGS = frozenset({"zh", "ja", "ko"})
_CJK_PUNCT = re.compile(r"[，。！？：；、「」『』（）【】《》〈〉～]")
_ASCII_BETWEEN_CJK = re.compile(rf"(?<=[{HAN_KANA}])[,.!?:;](?=[{HAN_KANA}]|$)")
_LATIN_FOR = {"，": ",", "。": ".", "！": "!", "？": "?", "：": ":", "；": ";", "、": ",", "（": "(", "）": ")",
              "「": '"', "」": '"', "『": '"', "』": '"', "【": "[", "】": "]", "《": '"', "》": '"', "〈": '"', "〉": '"',
              "～": "~"}

#: characters per English character, by language (text length relative to English; from parallel corpora)
LENGTH_FACTOR: dict[str, float] = {
    "en": 1.0, "de": 1.2, "fr": 1.18, "es": 1.15, "it": 1.15, "pt": 1.12, "nl": 1.15, "sv": 1.05, "da": 1.05,
    "nb": 1.05, "fi": 1.1, "pl": 1.12, "cs": 1.05, "ru": 1.12, "uk": 1.1, "tr": 1.05, "ro": 1.12, "hu": 1.12,
    "el": 1.15, "ar": 0.95, "he": 0.85, "zh": 0.32, "ja": 0.42, "ko": 0.45, "hi": 1.05, "th": 0.95, "vi": 1.15,
}


def _translatable(text: str) -> bool:
    """True when a text has words to translate (not just a number, code, a URL or a name or two)."""
    stripped = PLACEHOLDER_RE.sub(" ", text)
    words = _LETTER_WORD.findall(stripped)
    if len(words) < 3:
        return False
    return len(words) >= 5 or any(w[0].islower() for w in words)


def _end_mark(text: str) -> str | None:
    t = text.rstrip(_CLOSERS)
    if t.endswith("..."):
        return "…"
    return _END_CLASS.get(t[-1:]) if t else None


@register
class IdenticalToSource(SegmentCheck):
    id = "identical-to-source"
    description = "The target is a copy of the source although the languages differ (an untranslated unit)."
    category = "accuracy/untranslated"
    severity = "critical"
    subsumes = WORD_LEVEL_CHECKS | {"wrong-language", "untranslated"}
    needs_source = True

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        src_lang, tgt_lang = seg.src_lang or ctx.src_lang, seg.tgt_lang or ctx.tgt_lang
        if src_lang and tgt_lang and src_lang == tgt_lang:
            return
        if " ".join((seg.source or "").split()) != " ".join(seg.text.split()) or not _translatable(seg.text):
            return
        yield self.flag(seg, 0, len(seg.text), "The target is identical to the source: it was not translated.",
                        suggestion=f"translate the text into '{tgt_lang or 'the target language'}'")


@register
class UntranslatedTarget(SegmentCheck):
    id = "untranslated"
    description = "The target is still in the source language (detected), though not an exact copy."
    category = "accuracy/untranslated"
    severity = "major"
    subsumes = WORD_LEVEL_CHECKS | {"wrong-language"}
    needs_source = True
    params: ClassVar[dict[str, Any]] = {"min_letters": 20, "min_prob": 0.5, "max_target_prob": 0.05}

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        src_lang, tgt_lang = seg.src_lang or ctx.src_lang, seg.tgt_lang or ctx.tgt_lang
        if not src_lang or not tgt_lang or src_lang == tgt_lang:
            return
        if " ".join((seg.source or "").split()) == " ".join(seg.text.split()):
            return  # identical-to-source reports exact copies
        if letter_count(seg.text) < self.settings["min_letters"] or not _translatable(seg.text):
            return
        scores = language_scores(seg.text, k=5)
        if scores.get(src_lang, 0.0) >= self.settings["min_prob"] and scores.get(tgt_lang, 0.0) < self.settings[
                "max_target_prob"]:
            yield self.flag(seg, 0, len(seg.text),
                            f"The target is in the source language '{src_lang}' (probability {scores[src_lang]:.2f}), "
                            f"not in '{tgt_lang}'.", suggestion=f"translate it into '{tgt_lang}'",
                            confidence=scores[src_lang])


@register
class EndPunctuationMismatch(SegmentCheck):
    id = "end-punctuation-mismatch"
    description = "The target ends with other punctuation than the source (a question that became a statement)."
    category = "fluency/punctuation"
    severity = "minor"
    needs_source = True

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        src_end, tgt_end = _end_mark(seg.source or ""), _end_mark(seg.text)
        if src_end == tgt_end:
            return
        pair = {src_end, tgt_end}
        if src_end is None and tgt_end == ".":
            return  # a full stop added to a headline or label
        if pair == {".", None} and letter_count(seg.source or "") < 40:
            return  # short labels drop full stops freely
        if pair in ({".", "!"}, {".", ";"}, {".", "…"}, {".", ":"}):
            return  # language conventions differ (German imperatives take '!')
        confidence = 0.9 if "?" in pair else 0.6
        t = seg.text.rstrip(_CLOSERS)
        start, end = (len(t) - 1 if tgt_end else len(t)), len(t)
        if tgt_end == "…" and t.endswith("..."):
            start = len(t) - 3
        yield self.flag(seg, start, end,
                        f"The source ends with {_END_NAMES[src_end]} but the target with {_END_NAMES[tgt_end]}.",
                        suggestion="end the target like the source" if src_end else "check the closing punctuation",
                        confidence=confidence)


@register
class ScriptPunctuation(SegmentCheck):
    id = "cjk-punctuation"
    description = "Full-width CJK punctuation (，。) in a Latin-script target, or ASCII punctuation inside CJK text."
    category = "fluency/punctuation"
    severity = "minor"

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        lang = seg.tgt_lang or ctx.tgt_lang
        if not lang:
            return
        if lang not in CJK_LANGS:
            for m in _CJK_PUNCT.finditer(seg.text):
                if HAN_KANA_RE.search(seg.text[max(0, m.start() - 1):m.end() + 1]):
                    continue  # quoted CJK text keeps its own punctuation
                latin = _LATIN_FOR.get(m.group(), m.group())
                yield self.flag(seg, m.start(), m.end(),
                                f"Full-width CJK punctuation '{m.group()}' in '{lang}' text.",
                                suggestion=f"use '{latin}'")
        elif lang in {"zh", "ja"} and len(HAN_KANA_RE.findall(seg.text)) >= 4:
            for m in _ASCII_BETWEEN_CJK.finditer(seg.text):
                yield self.flag(seg, m.start(), m.end(),
                                f"ASCII punctuation '{m.group()}' inside '{lang}' text, which takes full-width marks.",
                                suggestion="use the full-width mark", confidence=0.8)


@register
class LengthRatio(SegmentCheck):
    id = "length-ratio"
    description = "A target much shorter (truncated?) or much longer than expected for the language pair."
    category = "accuracy/omission"
    severity = "major"
    needs_source = True
    params: ClassVar[dict[str, Any]] = {"min_source_chars": 30, "min_ratio": 0.5, "max_ratio": 2.2}

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        src = (seg.source or "").strip()
        tgt = seg.text.strip()
        if len(src) * LENGTH_FACTOR.get(seg.src_lang or ctx.src_lang or "", 1.0) < self.settings["min_source_chars"]:
            return
        if not tgt:
            yield self.flag(seg, 0, 0, "The target is empty although the source has text.", severity="critical")
            return
        expected = LENGTH_FACTOR.get(seg.tgt_lang or ctx.tgt_lang or "", 1.0) / LENGTH_FACTOR.get(
            seg.src_lang or ctx.src_lang or "", 1.0)
        relative = (len(tgt) / len(src)) / expected
        if relative < self.settings["min_ratio"]:
            yield self.flag(seg, 0, len(seg.text),
                            f"The target is {relative:.0%} of the length expected from the source "
                            f"({len(tgt)} vs {len(src)} characters): it may be truncated or leave something out.",
                            suggestion="compare with the source for missing text",
                            confidence=min(1.0, 0.5 + (self.settings["min_ratio"] - relative)))
        elif relative > self.settings["max_ratio"]:
            yield self.flag(seg, 0, len(seg.text),
                            f"The target is {relative:.1f} times the length expected from the source "
                            f"({len(tgt)} vs {len(src)} characters): it may add text that is not in the source.",
                            category="accuracy/addition", severity="minor",
                            suggestion="compare with the source for added text", confidence=0.6)
