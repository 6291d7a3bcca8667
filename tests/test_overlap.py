"""Findings that another finding explains are dropped, and only those."""

from checker.overlap import drop_subsumed
from checker.values import Finding


def _f(check: str, start: int, end: int, segment: int = 0, side: str = "target") -> Finding:
    return Finding(check=check, category="accuracy/untranslated", severity="major", start=start, end=end,
                   text="x" * (end - start), message="m", segment=segment, side=side)


def test_untranslated_segment_explains_the_words_inside_it():
    kept = drop_subsumed([_f("untranslated", 0, 30), _f("rare-word", 5, 10), _f("foreign-fragment", 12, 20)])
    assert [f.check for f in kept] == ["untranslated"]


def test_nothing_is_dropped_outside_the_span_or_in_another_segment_or_side():
    findings = [_f("wrong-language", 10, 30), _f("rare-word", 0, 8), _f("rare-word", 12, 16, segment=1),
                _f("rare-word", 12, 16, side="source")]
    assert drop_subsumed(findings) == findings


def test_unrelated_checks_are_never_dropped():
    findings = [_f("untranslated", 0, 30), _f("space-before-punctuation", 5, 7), _f("number-mismatch", 10, 12)]
    assert drop_subsumed(findings) == findings


def test_placeholder_mismatch_explains_an_overlapping_tag_finding():
    kept = drop_subsumed([_f("placeholder-mismatch", 6, 9, side="source"), _f("inline-tags", 6, 17, side="source")])
    assert [f.check for f in kept] == ["placeholder-mismatch"]


def test_pipeline_reports_an_untranslated_pair_once():
    import checker

    text = "Klicken Sie hier, um die Datei zu speichern."
    only = ["identical-to-source", "untranslated", "rare-word", "foreign-fragment"]
    report = checker.check_pairs([(text, text)], "de", "en", only=only)
    assert [f.check for f in report.findings] == ["identical-to-source"]


def test_a_unit_with_no_translation_explains_every_other_finding_of_its_segment():
    empty = _f("unit-state", 0, 0)  # category accuracy/untranslated: the target is missing
    others = [_f("placeholder-mismatch", 0, 2, side="source"), _f("number-mismatch", 4, 6, side="source")]
    kept = drop_subsumed([empty, *others, _f("placeholder-mismatch", 0, 2, segment=1, side="source")])
    assert [(f.check, f.segment) for f in kept] == [("unit-state", 0), ("placeholder-mismatch", 1)]
    # a fuzzy unit has a translation: its other findings stay
    fuzzy = Finding(check="unit-state", category="style/awkward", severity="minor", start=0, end=5, text="x" * 5,
                    message="m", segment=0)
    assert drop_subsumed([fuzzy, *others]) == [fuzzy, *others]


def test_pipeline_reports_an_untranslated_po_unit_once(tmp_path):
    from checker.io.readers import load_input
    from checker.pipeline import run_checks

    p = tmp_path / "one.po"
    p.write_text('msgid ""\nmsgstr ""\n"Language: de\\n"\n\nmsgid "%d items"\nmsgstr ""\n', "utf-8")
    report = run_checks(load_input(str(p)))
    assert [f.check for f in report.findings] == ["unit-state"]
