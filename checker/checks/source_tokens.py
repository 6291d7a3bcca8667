"""Tokens that must survive translation: numbers, dates, URLs, e-mail addresses and placeholders.

Numbers are compared by value, read with each side's conventions (``5,000`` in
English, ``5.000`` in German and ``5 000`` in French are all five thousand).
Dates are compared as (year, month, day). Placeholders and tags must come
through unchanged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..context import CheckContext
from ..registry import SegmentCheck, register
from ..values import Finding, Segment
from ._surface import EMAIL_RE, URL_RE, wordset

# -- placeholders -----------------------------------------------------------------
PLACEHOLDER_RE = re.compile(
    r"\{\{\s*[\w.]+\s*\}\}"                # {{var}}
    r"|\{\d+(?:,[^{}]*)?\}|\{[A-Za-z_]\w*(?::[^{}]*)?\}"  # {0}, {0,number}, {name}, {name:fmt}
    r"|%(?:\d+\$)?[-+#0]*\d*(?:\.\d+)?[sdifuxXeEgGc@](?![A-Za-z])"  # %s, %d, %1$s, %.2f
    r"|%\([\w.]+\)[sdifr]"                 # %(name)s
    r"|\$\{\w+\}"                          # ${var}
    r"|</?[A-Za-z][\w-]*(?:\s+[\w-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>"  # <b>, </b>, <br/>, <a href="...">
    r"|&(?:[a-z]+|#\d+);"                  # &nbsp; &#160;
)

# -- numbers ------------------------------------------------------------------------
# not part of a name such as 'G7', 'COVID-19' or 'F-22'
_NUMBER_RE = re.compile(r"(?<![A-Za-z\d.,])(?<![A-Za-z]-)\d{1,3}(?:[ \u00a0\u202f,.'’]\d{3})+(?:[.,]\d+)?(?![A-Za-z\d])"
                        r"|(?<![A-Za-z\d.,])(?<![A-Za-z]-)\d+(?:[.,]\d+)?")
_CJK_NUMERAL_RE = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_CJK_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}
_CJK_BIG = {"万": 10**4, "亿": 10**8}
#: number words and characters that multiply the number before them ('92万' = '920,000' = '920 thousand')
MULTIPLIERS: dict[str, int] = {
    "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "千": 10**3,
    "thousand": 10**3, "million": 10**6, "millions": 10**6, "mn": 10**6, "billion": 10**9, "bn": 10**9,
    "trillion": 10**12, "tausend": 10**3, "millionen": 10**6, "mio": 10**6, "milliarde": 10**9,
    "milliarden": 10**9, "mrd": 10**9, "mille": 10**3, "milliard": 10**9, "milliards": 10**9, "mil": 10**3,
    "millón": 10**6, "millones": 10**6,
}
_MULTIPLIER_RE = re.compile(r"\s?[多余几]?(万|萬|亿|億|千)|\s+([A-Za-zóé]+)\b\.?")
#: languages writing 1,000.5 (the rest write 1.000,5 or 1 000,5)
DECIMAL_POINT_LANGS = wordset("en zh ja ko th he ms hi ga")

# -- dates --------------------------------------------------------------------------
MONTHS: dict[str, int] = {}
for _names in (
    "january february march april may june july august september october november december",
    "januar februar märz april mai juni juli august september oktober november dezember",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
):
    for _i, _m in enumerate(_names.split(), 1):
        MONTHS.setdefault(_m, _i)
        MONTHS.setdefault(_m[:3], _i)
MONTHS["sept"] = 9
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
#: full month names only: 'mar', 'sept' and friends are too ambiguous without a year
_MONTH_FULL = "|".join(sorted((m for m in MONTHS if len(m) > 3), key=len, reverse=True))
_MONTH_FULL += "|" + "|".join(rf"{m}\." for m in sorted(m for m in MONTHS if len(m) <= 4))  # 'Jan.', 'Sept.'

DATE_RES = [
    ("ymd", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("ymd", re.compile(r"(\d{4})\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?[日号]")),
    ("ym", re.compile(r"(\d{4})\s?年\s?(\d{1,2})\s?月")),
    ("dmy", re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")),
    ("slash", re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")),
    ("d_month_y", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?({_MONTH_ALT})\.?,?\s+"
                             rf"(?:de\s+)?(\d{{4}})\b", re.I)),
    ("month_d_y", re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)),
    # dates without a year ('2月10日', 'February 10', '10. Februar'): the year is unknown (0)
    ("md", re.compile(r"(\d{1,2})\s?月\s?(\d{1,2})\s?[日号]")),
    ("month_y", re.compile(rf"\b({_MONTH_FULL})\s+(?:of\s+|de\s+)?(\d{{4}})\b", re.I)),
    ("month_d", re.compile(rf"\b({_MONTH_FULL})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?![.,:]?\d)", re.I)),
    ("d_month", re.compile(rf"\b(\d{{1,2}})(?:(?:st|nd|rd|th)\s+of\s+|(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?)"
                           rf"({_MONTH_FULL})(?!\w)", re.I)),
]


_DIGIT = re.compile(r"\d")


def find_placeholders(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]


def find_dates(text: str, lang: str | None) -> list[tuple[tuple[int, int, int], int, int, str]]:
    """((year, month, day), start, end, text) of each date; year 0 when not given; d/m vs m/d by language."""
    out: list[tuple[tuple[int, int, int], int, int, str]] = []
    if not _DIGIT.search(text):
        return out  # every pattern needs a digit; the month-name ones are slow to try everywhere
    taken: list[tuple[int, int]] = []
    for kind, rx in DATE_RES:
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            g = m.groups()
            if kind == "ymd":
                y, mo, d = int(g[0]), int(g[1]), int(g[2])
            elif kind == "dmy":
                d, mo, y = int(g[0]), int(g[1]), int(g[2])
            elif kind == "slash":
                a, b, y = int(g[0]), int(g[1]), int(g[2])
                d, mo = (b, a) if (lang or "en") == "en" and a <= 12 else (a, b)
            elif kind == "d_month_y":
                d, mo, y = int(g[0]), MONTHS[g[1].lower().rstrip(".")], int(g[2])
            elif kind == "month_d_y":
                mo, d, y = MONTHS[g[0].lower().rstrip(".")], int(g[1]), int(g[2])
            elif kind == "md":
                mo, d, y = int(g[0]), int(g[1]), 0
            elif kind == "ym":
                y, mo, d = int(g[0]), int(g[1]), 0
            elif kind == "month_y":
                y, mo, d = int(g[1]), MONTHS[g[0].lower().rstrip(".")], 0
            else:
                month = g[0] if kind == "month_d" else g[1]
                if month in ("may", "mai"):
                    continue  # 'may' the verb
                d = int(g[1] if kind == "month_d" else g[0])
                mo, y = MONTHS[month.lower().rstrip(".")], 0
            if not (1 <= mo <= 12 and 0 <= d <= 31):
                continue
            taken.append(m.span())
            out.append(((y, mo, d), m.start(), m.end(), m.group()))
    return sorted(out, key=lambda item: item[1])


def parse_number(raw: str, lang: str | None) -> Decimal | None:
    """Value of a number written with ``lang``'s separators ('5,000' en = '5.000' de = 5000)."""
    s = raw.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    point = (lang or "en") in DECIMAL_POINT_LANGS
    seps = [c for c in s if c in " ,.'"]
    if not seps:
        clean = s
    elif len(set(seps)) > 1:
        dec = seps[-1]  # both kinds: the last one is the decimal separator
        clean = "".join(c for c in s[: s.rfind(dec)] if c not in " ,.'") + "." + s[s.rfind(dec) + 1:]
    else:
        sep = seps[0]
        groups = re.split(r"[ ,.']", s)
        grouped = all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
        if sep in " '":
            clean = s.replace(sep, "")
        elif len(seps) > 1 or (grouped and ((sep == "," and point) or (sep == "." and not point))):
            clean = s.replace(sep, "")  # thousands separators
        else:
            clean = s.replace(sep, ".")
    try:
        return Decimal(clean.replace(" ", ""))
    except InvalidOperation:
        return None


def format_number(value: Decimal, lang: str | None) -> str:
    """``value`` written with ``lang``'s separators: 5000.5 -> '5,000.5' (en), '5.000,5' (de), '5 000,5' (fr)."""
    point = (lang or "en") in DECIMAL_POINT_LANGS
    text = f"{value.normalize():f}"
    whole, _, frac = text.partition(".")
    group = "," if point else (" " if lang == "fr" else ".")
    digits = whole.lstrip("-")
    grouped = f"{int(digits):,}".replace(",", group) if len(digits) > 4 or (len(digits) == 4 and lang != "es") else digits
    sign = "-" if whole.startswith("-") else ""
    return sign + grouped + (("." if point else ",") + frac if frac else "")


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        for i in range(s, e):
            chars[i] = " "
    return "".join(chars)


@dataclass
class Number:
    value: Decimal
    candidates: frozenset[Decimal]  # the value, and the value times a following 'million' / '万'
    start: int
    end: int
    raw: str


def find_numbers(text: str, lang: str | None, skip: list[tuple[int, int]]) -> list[Number]:
    masked = _masked(text, skip)
    out = []
    for m in _NUMBER_RE.finditer(masked):
        value = parse_number(m.group(), lang)
        if value is None:
            continue
        cands = {value}
        after = _MULTIPLIER_RE.match(masked, m.end())
        if after:
            word = (after.group(1) or after.group(2) or "").lower()
            if word in MULTIPLIERS:
                cands.add(value * MULTIPLIERS[word])
        out.append(Number(value, frozenset(cands), m.start(), m.end(), m.group()))
    if (lang or "") in ("zh", "ja"):
        for m in _CJK_NUMERAL_RE.finditer(masked):
            value = cjk_numeral(m.group())
            if value is not None and value >= 2:  # '一' is mostly 'a'/'one' in words
                out.append(Number(Decimal(value), frozenset({Decimal(value)}), m.start(), m.end(), m.group()))
    return sorted(out, key=lambda n: n.start)


def cjk_numeral(text: str) -> int | None:
    """Value of a Chinese numeral such as '二十' (20), '四十八' (48) or '三千五百万'; None for a lone unit."""
    if text in _CJK_UNITS or text in _CJK_BIG or text in ("百", "千"):
        return None
    total = section = digit = 0
    for ch in text:
        if ch in _CJK_DIGITS:
            digit = _CJK_DIGITS[ch]
        elif ch in _CJK_UNITS:
            section += (digit or 1) * _CJK_UNITS[ch]
            digit = 0
        else:  # 万, 亿
            total += (section + digit) * _CJK_BIG[ch]
            section = digit = 0
    return total + section + digit


def match_numbers(src: list[Number], tgt: list[Number], src_spelled: Counter[Decimal],
                  tgt_spelled: Counter[Decimal]) -> tuple[list[Number], list[Number]]:
    """(missing source numbers, extra target numbers) after pairing equal values; spelled-out numbers count too."""
    unmatched = list(src)
    extra: list[Number] = []
    for t in tgt:
        j = next((k for k, s in enumerate(unmatched) if s.candidates & t.candidates), None)
        if j is not None:
            unmatched.pop(j)
        elif src_spelled[t.value] > 0:
            src_spelled[t.value] -= 1
        else:
            extra.append(t)
    missing = []
    for s in unmatched:
        if tgt_spelled[s.value] > 0:
            tgt_spelled[s.value] -= 1
        else:
            missing.append(s)
    return missing, extra


def _token_spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for rx in (URL_RE, EMAIL_RE, PLACEHOLDER_RE) for m in rx.finditer(text)]
    return spans


_SPELLED = {
    "en": "zero one two three four five six seven eight nine ten eleven twelve",
    "de": "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
    "fr": "zéro un deux trois quatre cinq six sept huit neuf dix onze douze",
    "es": "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce",
    "it": "zero uno due tre quattro cinque sei sette otto nove dieci undici dodici",
    "pt": "zero um dois três quatro cinco seis sete oito nove dez onze doze",
}


def spelled_values(text: str, lang: str | None) -> Counter[Decimal]:
    """Small numbers written as words (0-12), so '3' against 'three' is not a mismatch."""
    words = _SPELLED.get(lang or "", "").split()
    out: Counter[Decimal] = Counter()
    low = text.lower()
    for value, word in enumerate(words):
        out[Decimal(value)] += len(re.findall(rf"\b{word}\b", low))
    return out


@register
class NumberMismatch(SegmentCheck):
    id = "number-mismatch"
    description = "A number in the source missing or changed in the translation, or one added (5,000 = 5.000 = 5 000)."
    category = "accuracy/mistranslation"
    severity = "major"
    needs_source = True
    #: a number lost or changed is also what lowers the pair's similarity there
    subsumes = frozenset({"source-similarity"})

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        src, tgt = seg.source or "", seg.text
        src_lang, tgt_lang = seg.src_lang or ctx.src_lang, seg.tgt_lang or ctx.tgt_lang
        src_skip = _token_spans(src) + [(s, e) for _, s, e, _ in find_dates(src, src_lang)]
        tgt_skip = _token_spans(tgt) + [(s, e) for _, s, e, _ in find_dates(tgt, tgt_lang)]
        missing, extra = match_numbers(find_numbers(src, src_lang, src_skip), find_numbers(tgt, tgt_lang, tgt_skip),
                                       spelled_values(src, src_lang), spelled_values(tgt, tgt_lang))
        for t in extra:
            as_source = parse_number(t.raw, src_lang)
            same = next((m for m in missing if as_source is not None and as_source in m.candidates), None)
            if same is not None:
                missing.remove(same)
                yield self.flag(seg, t.start, t.end,
                                f"'{t.raw}' keeps the source's number format: in '{tgt_lang}' it reads as "
                                f"{format_number(t.value, tgt_lang)}, not {format_number(as_source, tgt_lang)}.",
                                category="locale/number", severity="minor",
                                suggestion=f"write {format_number(as_source, tgt_lang)}")
            elif missing:
                twin = missing.pop(0)
                yield self.flag(seg, t.start, t.end, f"Number '{t.raw}' does not match the source's '{twin.raw}'.",
                                suggestion=f"use '{twin.raw}' (in the target's number format)")
            else:
                yield self.flag(seg, t.start, t.end, f"Number '{t.raw}' is not in the source.",
                                category="accuracy/addition", suggestion="check the number against the source",
                                confidence=0.8)
        for m in missing:
            yield self.flag_source(seg, m.start, m.end, f"Number '{m.raw}' in the source is missing from the "
                                   "translation.", category="accuracy/omission", confidence=0.8)


@register
class DateMismatch(SegmentCheck):
    id = "date-mismatch"
    description = "A date in the source missing or changed in the translation (formats compared as year-month-day)."
    category = "locale/date"
    severity = "major"
    needs_source = True
    subsumes = frozenset({"source-similarity"})

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        src_dates = find_dates(seg.source or "", seg.src_lang or ctx.src_lang)
        tgt_dates = find_dates(seg.text, seg.tgt_lang or ctx.tgt_lang)
        missing = list(src_dates)
        extra = []
        for t in tgt_dates:
            j = next((k for k, m in enumerate(missing) if _same_date(m[0], t[0])), None)
            if j is None:
                extra.append(t)
            else:
                missing.pop(j)
        for _, s, e, raw in extra:
            if missing:
                twin = missing.pop(0)
                yield self.flag(seg, s, e, f"Date '{raw}' is not the source's date '{twin[3]}'.",
                                suggestion=f"use the source's date ({twin[3]})")
            else:
                # a date spelled out for a name such as '9/11' is common: report, but as minor
                yield self.flag(seg, s, e, f"Date '{raw}' is not in the source.", severity="minor",
                                category="accuracy/addition", suggestion="check the date against the source",
                                confidence=0.6)
        for _, s, e, raw in missing:
            yield self.flag_source(seg, s, e, f"Date '{raw}' in the source is missing from the translation.",
                                   category="accuracy/omission")


def _same_date(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    """Same month and day, and the same year unless one side leaves the year out."""
    return a[1:] == b[1:] and (a[0] == b[0] or 0 in (a[0], b[0]))


class _ExactTokenCheck(SegmentCheck):
    """Tokens that must appear in the target exactly as in the source."""

    needs_source = True
    what = ""
    missing_severity = "major"

    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        raise NotImplementedError

    def check_segment(self, seg: Segment, ctx: CheckContext) -> Iterator[Finding]:
        src = self.tokens(seg.source or "")
        tgt = self.tokens(seg.text)
        missing = Counter(t for t, *_ in src) - Counter(t for t, *_ in tgt)
        extra = Counter(t for t, *_ in tgt) - Counter(t for t, *_ in src)
        # of a token the source has more often than the target, the last ones are those without a partner
        # (what inline-tags says too, so the two point at the same '%s')
        missing_items = last_occurrences(src, missing)
        left = Counter(missing)
        for tok, s, e in tgt:
            if extra[tok] <= 0:
                continue
            extra[tok] -= 1
            twin = next((m for m in missing_items if left[m[0]] > 0), None)
            if twin:
                left[twin[0]] -= 1
                missing_items.remove(twin)
                yield self.flag(seg, s, e, f"{self.what.capitalize()} '{tok}' was changed; the source has '{twin[0]}'.",
                                severity=self.missing_severity, suggestion=f"use '{twin[0]}' exactly")
            else:
                yield self.flag(seg, s, e, f"{self.what.capitalize()} '{tok}' is not in the source.",
                                category="accuracy/addition", suggestion="remove it or check the source")
        for tok, s, e in missing_items:
            yield self.flag_source(seg, s, e, f"{self.what.capitalize()} '{tok}' in the source is missing from the "
                                   "translation.", severity=self.missing_severity, category="accuracy/omission")


def last_occurrences(tokens: list[tuple[str, int, int]], counts: Counter) -> list[tuple[str, int, int]]:
    """The last ``counts[token]`` occurrences of each token, in text order."""
    left = Counter(counts)
    out = []
    for item in reversed(tokens):
        if left[item[0]] > 0:
            out.append(item)
            left[item[0]] -= 1
    return out[::-1]


@register
class PlaceholderMismatch(_ExactTokenCheck):
    id = "placeholder-mismatch"
    description = "Placeholders and tags ({0}, %s, %(name)s, {{var}}, <b>...</b>) missing, changed or added."
    category = "accuracy/mistranslation"
    severity = "critical"
    #: a lost placeholder is an inline code inline-tags reports too, and lowers the pair's similarity there
    subsumes = frozenset({"inline-tags", "source-similarity"})
    what = "placeholder"
    missing_severity = "critical"

    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        return find_placeholders(text)


@register
class UrlMismatch(_ExactTokenCheck):
    id = "url-mismatch"
    description = "URLs and e-mail addresses in the source missing, changed or added in the translation."
    category = "accuracy/mistranslation"
    severity = "major"
    subsumes = frozenset({"source-similarity"})
    what = "link"

    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        out = [(m.group(), m.start(), m.end()) for m in URL_RE.finditer(text)]
        out += [(m.group(), m.start(), m.end()) for m in EMAIL_RE.finditer(text)
                if not any(s <= m.start() < e for _, s, e in out)]
        return out
