"""Tokens that must come back from the source: numbers, dates, placeholders, URLs and e-mail addresses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers import pair_findings, pair_spans

import checker
from checker.checks.source_tokens import find_dates, find_placeholders, parse_number


@pytest.mark.parametrize(("raw", "lang", "value"), [
    ("5,000", "en", "5000"), ("5.000", "de", "5000"), ("5 000", "fr", "5000"), ("5,5", "de", "5.5"),
    ("1,234.56", "en", "1234.56"), ("1.234,56", "de", "1234.56"), ("12,5", "en", "12.5"), ("2020", "en", "2020"),
])
def test_parse_number_by_language(raw, lang, value):
    assert parse_number(raw, lang) == Decimal(value)


def test_numbers_match_across_conventions():
    assert pair_spans("number-mismatch", "In addition to the 5,000 troops, 2.5 million people fled.",
                 "Neben den 5.000 Soldaten flohen 2,5 Millionen Menschen.") == []
    assert pair_spans("number-mismatch", "Three people were hurt.", "Drei Menschen wurden verletzt.") == []


def test_number_changed_missing_added():
    assert pair_spans("number-mismatch", "5,000 troops arrived.", "6.000 Soldaten kamen an.") == [("target", 0, 5, "6.000")]
    assert pair_spans("number-mismatch", "5,000 troops arrived in 12 trucks.", "5.000 Soldaten kamen an.") == [
        ("source", 24, 26, "12")]
    found = pair_findings("number-mismatch", "Troops arrived.", "Die 300 Soldaten kamen an.")
    assert [(f.text, f.category) for f in found] == [("300", "accuracy/addition")]


def test_number_in_source_format_is_a_locale_error():
    found = pair_findings("number-mismatch", "5,000 troops arrived.", "5,000 Soldaten kamen an.")
    assert [(f.start, f.end, f.category, f.severity) for f in found] == [(0, 5, "locale/number", "minor")]
    assert found[0].suggestion == "write 5.000"


def test_find_dates_normalises_formats():
    assert [d for d, *_ in find_dates("on 3 January 2020 and 2020-01-04", "en")] == [(2020, 1, 3), (2020, 1, 4)]
    assert [d for d, *_ in find_dates("am 3. Januar 2020 und am 04.01.2020", "de")] == [(2020, 1, 3), (2020, 1, 4)]
    assert [d for d, *_ in find_dates("on 1/4/2020", "en")] == [(2020, 1, 4)]
    assert [d for d, *_ in find_dates("2月10日 and February 11 and 12. März", "en")] == [(0, 2, 10), (0, 2, 11), (0, 3, 12)]
    assert find_dates("It may 5 times be late; see page 10 of March.", "en") == []


def test_date_mismatch():
    assert pair_spans("date-mismatch", "It happened on January 3, 2020.", "Es geschah am 3. Januar 2020.") == []
    assert pair_spans("date-mismatch", "It happened on January 3, 2020.", "Es geschah am 4. Januar 2020.") == [
        ("target", 14, 28, "4. Januar 2020")]


def test_placeholders_found():
    text = "Hello {0}, {name} and {{user}}: %s %d %(count)s %1$s <b>bold</b><br/> &nbsp;"
    assert [p for p, *_ in find_placeholders(text)] == [
        "{0}", "{name}", "{{user}}", "%s", "%d", "%(count)s", "%1$s", "<b>", "</b>", "<br/>", "&nbsp;"]


def test_placeholder_missing_changed_added():
    src = "Click {0} to open %s <b>now</b>."
    assert pair_spans("placeholder-mismatch", src, "Klicken Sie auf {0}, um %s <b>jetzt</b> zu öffnen.") == []
    found = pair_findings("placeholder-mismatch", src, "Klicken Sie auf {1}, um <b>jetzt</b> zu öffnen.")
    assert [(f.side, f.text, f.severity) for f in found] == [("target", "{1}", "critical"), ("source", "%s", "critical")]
    found = pair_findings("placeholder-mismatch", "Open the file.", "Öffnen Sie <i>die Datei</i>.")
    assert [(f.text, f.category) for f in found] == [("<i>", "accuracy/addition"), ("</i>", "accuracy/addition")]


def test_url_and_email_mismatch():
    src = "Visit https://example.com or mail info@example.com today."
    assert pair_spans("url-mismatch", src, "Besuchen Sie https://example.com oder schreiben Sie an info@example.com.") == []
    assert pair_spans("url-mismatch", src, "Besuchen Sie https://example.org heute.") == [
        ("target", 13, 32, "https://example.org"), ("source", 34, 50, "info@example.com")]


def test_number_multipliers_and_cjk_numbers():
    assert pair_spans("number-mismatch", "去年收到超92万份庇护申请。", "Last year it received over 920,000 asylum applications.",
                 "zh", "en") == []
    assert pair_spans("number-mismatch", "The plan costs 4.2 billion dollars.", "Der Plan kostet 4,2 Milliarden Dollar.") == []
    assert pair_spans("number-mismatch", "据法新社2月10日报道", "According to AFP on February 11", "zh", "en") == []
    assert pair_spans("date-mismatch", "据法新社2月10日报道", "According to AFP on February 11", "zh", "en") == [
        ("target", 20, 31, "February 11")]
    assert pair_spans("date-mismatch", "周五（2月10日）", "On Friday (February 10, 2023)", "zh", "en") == []


def test_source_side_findings_of_different_units_are_all_kept():
    pairs = [("{0} files", "Dateien"), ("{0} folders", "Ordner")]
    report = checker.check_pairs(pairs, "en", "de", only=["placeholder-mismatch"])
    assert [(f.segment, f.side, f.start, f.end) for f in report.findings] == [(0, "source", 0, 3), (1, "source", 0, 3)]


def test_percent_sign_before_a_word_is_not_a_placeholder():
    assert find_placeholders("Die Preise stiegen um 20 % gegenüber 2022 und 5 % sind neu.") == []
