"""Terminology from a glossary: required target terms and do-not-translate terms.

A glossary is a CSV (TSV for ``.tsv``) file, one term a row::

    source,target,flag          <- optional header
    file,Datei,                 <- 'file' in the source needs 'Datei' in the target
    Acme Cloud,,dnt             <- empty target or 'dnt': keep the term as it is

Matching ignores case (acronyms such as ``PDF`` excepted) and accepts simple
inflections of a term's last word (plural -s/-es/-ies, German -e/-en/-er/-em/-n);
in compounding target languages (de, nl, sv, da, nb, fi) the term may sit inside
a compound ("Textdatei").
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..context import CheckContext
from ..errors import ConfigError
from ..registry import Check, register
from ..values import Document, Finding, Segment

_HEADER_WORDS = {"source", "source term", "source_term", "src", "term"}
_DNT_FLAGS = {"dnt", "do-not-translate", "do not translate", "keep", "protected"}
_SUFFIX = r"(?:s|es|en|e|n|er|em|ern|'s|’s)?"
COMPOUNDING = {"de", "nl", "sv", "da", "nb", "no", "fi", "is"}


@dataclass(frozen=True)
class Term:
    """One glossary entry: ``source`` must become one of ``targets`` (``dnt``: stay as it is)."""

    source: str
    targets: tuple[str, ...]
    dnt: bool
    row: int

    @property
    def allowed(self) -> tuple[str, ...]:
        return (self.source, *self.targets) if self.dnt else self.targets


def load_glossary(path: str | Path) -> list[Term]:
    """Terms of a glossary file; ConfigError naming the row for a bad row."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"glossary {p}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"glossary {p}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"glossary {p}: not UTF-8 text") from None
    delimiter = "\t" if p.suffix.lower() in (".tsv", ".tab") else ","
    merged: dict[str, Term] = {}
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    try:
        for row in reader:
            n = reader.line_num
            cells = [c.strip() for c in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if not merged and cells[0].lower() in _HEADER_WORDS:
                continue
            term = _parse_row(cells, n, p)
            key = term.source.casefold()
            if key in merged:
                old = merged[key]
                term = Term(old.source, tuple(dict.fromkeys(old.targets + term.targets)), old.dnt and term.dnt, old.row)
            merged[key] = term
    except csv.Error as exc:
        raise ConfigError(f"glossary {p}: row {reader.line_num}: malformed CSV ({exc})") from None
    if not merged:
        raise ConfigError(f"glossary {p}: no terms")
    return list(merged.values())


def _parse_row(cells: list[str], n: int, p: Path) -> Term:
    where = f"glossary {p}: row {n}"
    if len(cells) > 3:
        raise ConfigError(f"{where}: {len(cells)} columns; expected source term, target term and an optional 'dnt' flag")
    source = cells[0]
    target = cells[1] if len(cells) > 1 else ""
    flag = cells[2].lower() if len(cells) > 2 else ""
    if not source:
        raise ConfigError(f"{where}: empty source term")
    if flag and flag not in _DNT_FLAGS:
        raise ConfigError(f"{where}: unknown flag {cells[2]!r} (use 'dnt' or leave it empty)")
    dnt = bool(flag) or not target
    if dnt and target and target != source:
        raise ConfigError(f"{where}: a do-not-translate term cannot have a different target ({target!r})")
    return Term(source, () if dnt else (target,), dnt, n)


def term_regex(term: str, *, compound: bool = False, ignore_case: bool = False) -> re.Pattern[str]:
    """A pattern for ``term`` with simple inflections of its last word.

    Case is ignored unless the term is an acronym (``PDF``) and ``ignore_case`` is off.
    """
    words = term.split()
    parts = [re.escape(w) for w in words]
    last = words[-1]
    if len(last) > 2 and last[-1] in "yY":
        parts[-1] = re.escape(last[:-1]) + "(?:y|ies)"
    body = r"[\s\-]+".join(parts) + _SUFFIX
    flags = 0 if (len(term) > 1 and term.isupper() and not ignore_case) else re.IGNORECASE
    if compound:
        return re.compile(body, flags)
    return re.compile(rf"(?<!\w){body}(?!\w)", flags)


@register
class Terminology(Check):
    id = "terminology"
    description = "Glossary terms: a required target term missing, or a do-not-translate term translated."
    category = "terminology"
    severity = "major"
    needs_source = True
    params: ClassVar[dict[str, Any]] = {"glossary": None}

    @classmethod
    def validate(cls, settings: Mapping[str, Any]) -> None:
        """A glossary that cannot be read is a usage error, not a failed check."""
        if settings.get("glossary"):
            load_glossary(settings["glossary"])

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        path = self.settings.get("glossary")
        if not path:
            return
        terms = load_glossary(path)
        compound = (doc.tgt_lang or ctx.tgt_lang or "") in COMPOUNDING
        src_res = sorted(((t, term_regex(t.source)) for t in terms), key=lambda x: -len(x[0].source))
        tgt_res = {t.source: [term_regex(a, compound=compound, ignore_case=True) for a in t.allowed] for t in terms}
        for seg in doc.segments:
            if not seg.source or not seg.text.strip() or seg.extra.get("state") in ("untranslated", "empty"):
                continue
            yield from self._segment(seg, src_res, tgt_res)

    def _segment(self, seg: Segment, src_res, tgt_res) -> Iterator[Finding]:
        taken: list[tuple[int, int]] = []
        reported: set[str] = set()
        for term, rx in src_res:
            for m in rx.finditer(seg.source or ""):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                taken.append((m.start(), m.end()))
                if term.source in reported:
                    continue
                reported.add(term.source)
                yield from self._judge(seg, term, m, tgt_res[term.source])

    def _judge(self, seg: Segment, term: Term, m: re.Match[str], allowed) -> Iterator[Finding]:
        name = f"unit {seg.id}" if seg.id else f"segment {seg.index + 1}"
        found = [hit for rx in allowed if (hit := rx.search(seg.text))]
        if term.dnt:
            if not found:
                f = self.flag_source(seg, m.start(), m.end(),
                                     f"Do-not-translate term '{term.source}' (glossary row {term.row}) is not kept "
                                     f"as is in the target of {name}.")
                f.suggestion = f"keep '{term.source}' untranslated"
                yield f
            elif not any(term.source in h.group(0) for h in found):
                hit = found[0]
                yield self.flag(seg, hit.start(), hit.end(),
                                f"Do-not-translate term '{term.source}' is written '{hit.group(0)}'.",
                                severity="minor", suggestion=term.source)
            return
        if not found:
            want = " or ".join(f"'{t}'" for t in term.targets)
            f = self.flag_source(seg, m.start(), m.end(),
                                 f"Glossary (row {term.row}): '{term.source}' should be translated as {want}, "
                                 f"which is missing from the target of {name}.")
            f.suggestion = term.targets[0]
            yield f
