"""Inline tags and placeholders: the codes of the source must come back in the target."""

from __future__ import annotations

from helpers import by_unit, check_sample, find, unit_offsets


def test_inline_tags_findings_land_on_the_right_units():
    _, report = check_sample("demo.xlf")
    tags = by_unit(report, "inline-tags")
    assert set(tags) == {"save"}
    (f,) = tags["save"]
    assert f.side == "source" and f.text == "{g1}Save{/g1}" and unit_offsets(report, f) == (6, 19)
    _, report = check_sample("demo20.xlf")
    (f,) = find(report, "inline-tags")
    assert report.segments[f.segment].id == "u2" and f.text == "{ph2}"


def test_inline_tags_reordered_printf_and_broken_pair():
    _, report = check_sample("demo.po")
    tags = by_unit(report, "inline-tags")
    assert [f.text for f in tags["Deleted %(count)d files from %(folder)s."]] == ["%(folder)s"]
    (order,) = tags["Copied %s to %d places."]
    assert order.category == "accuracy/mistranslation" and unit_offsets(report, order) == (0, 11)
    _, report = check_sample("demo.tmx")
    (f,) = find(report, "inline-tags")
    assert report.segments[f.segment].id == "t2" and f.text == "{/bpt1}" and unit_offsets(report, f) == (6, 13)


def test_inline_tags_in_tsv_placeholders():
    _, report = check_sample("demo.tsv")
    (f,) = find(report, "inline-tags")
    assert report.segments[f.segment].id == "1" and f.text == "{0}" and f.side == "source"
