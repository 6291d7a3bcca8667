"""Findings that another finding explains are dropped, and only those."""

import pytest

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


# -- one problem, one finding (the best-placed check keeps it) ------------------------------------------------------
PO_HEAD = 'msgid ""\nmsgstr ""\n"Language: de\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
PO_UNITS = [("Open the file", "Die Datei öffnen"), ("Save your changes before closing.",
             "Speichern Sie Ihre Änderungen vor dem Schließen."), ("Print the report", "Den Bericht drucken"),
            ("Close the window", "Das Fenster schließen"), ("Your settings were saved.",
                                                            "Ihre Einstellungen wurden gespeichert.")]
XLIFF_UNITS = [("Welcome to the dashboard.", "Willkommen im Dashboard."),
               ("Log out of your account.", "Melden Sie sich von Ihrem Konto ab."),
               ("Open the help page.", "Öffnen Sie die Hilfeseite."), ("Print the report.", "Drucken Sie den Bericht."),
               ("Close the window.", "Schließen Sie das Fenster."),
               ("Your settings were saved.", "Ihre Einstellungen wurden gespeichert.")]


def six_unit_po(tmp_path, source: str = "Copied %s to %s.", target: str = "%s kopiert."):
    """A 6-unit PO file whose third entry lost a ``%s``."""
    units = [*PO_UNITS[:2], (source, target), *PO_UNITS[2:]]
    body = "".join(f'#, c-format\nmsgid "{s}"\nmsgstr "{t}"\n\n' for s, t in units)
    path = tmp_path / "six.po"
    path.write_text(PO_HEAD + body, encoding="utf-8")
    return path


def seven_unit_xliff(tmp_path):
    """A 7-unit XLIFF file whose second unit lost its <g> tag pair."""
    units = [XLIFF_UNITS[0], ('Click <g id="1">Save</g> to keep your changes.',
                              "Klicken Sie auf Speichern, um Ihre Änderungen zu behalten."), *XLIFF_UNITS[1:]]
    body = "".join(f'<trans-unit id="u{i}"><source>{s}</source><target state="translated">{t}</target></trans-unit>\n'
                   for i, (s, t) in enumerate(units, 1))
    path = tmp_path / "seven.xlf"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:'
                    'document:1.2"><file original="app.html" source-language="en" target-language="de" '
                    f'datatype="html"><body>\n{body}</body></file></xliff>\n', encoding="utf-8")
    return path


def test_a_dropped_placeholder_is_one_finding_and_both_checks_name_the_same_one(tmp_path):
    from checker.config import Config
    from checker.io.readers import load_input
    from checker.pipeline import run_checks

    doc = load_input(str(six_unit_po(tmp_path)))
    seen = {}
    for check in ("placeholder-mismatch", "inline-tags"):
        (f,) = run_checks(load_input(str(six_unit_po(tmp_path))), Config(only=[check])).findings
        seen[check] = (f.side, f.start, f.end)
    assert seen["placeholder-mismatch"] == seen["inline-tags"] == ("source", 13, 15)  # "Copied %s to %s.": the last
    report = run_checks(doc, Config(only=["placeholder-mismatch", "inline-tags"]))
    assert [(f.check, f.severity) for f in report.findings] == [("placeholder-mismatch", "critical")]


def test_an_exact_finding_explains_a_similarity_span_around_it_but_not_a_whole_sentence_verdict():
    from checker.values import Segment

    segments = [Segment(0, 0, 40, "x" * 40, source="y" * 40)]
    narrowed = _f("source-similarity", 16, 23, side="source")  # '{0}, um' around the lost '{0}'
    kept = drop_subsumed([_f("placeholder-mismatch", 16, 19, side="source"), narrowed], segments=segments)
    assert [f.check for f in kept] == ["placeholder-mismatch"]
    whole = _f("source-similarity", 0, 40)  # the translation may not mean what the source says: its own news
    changed = _f("number-mismatch", 27, 31)
    assert drop_subsumed([whole, changed], segments=segments) == [whole, changed]


def test_keyboard_mash_is_gibberish_only():
    kept = drop_subsumed([_f("gibberish", 16, 25), _f("lm-fluency", 12, 25), _f("rare-word", 16, 25)])
    assert [f.check for f in kept] == ["gibberish"]


def test_a_six_unit_po_and_a_seven_unit_xliff_with_one_error_each_score_by_the_unit(tmp_path):
    from checker.config import Config
    from checker.io.readers import load_input
    from checker.pipeline import run_checks
    from checker.selection import all_checks

    light = Config(disable=[cid for cid, c in all_checks().items() if c.requires])
    po = run_checks(load_input(str(six_unit_po(tmp_path))), light)
    assert [f.check for f in po.findings] == ["placeholder-mismatch"]
    assert po.score == pytest.approx(500 / 6, abs=0.01)  # the broken unit scores 0; the file 83.33, not 0
    xlf = run_checks(load_input(str(seven_unit_xliff(tmp_path))), light)
    assert [f.check for f in xlf.findings] == ["placeholder-mismatch"]
    assert xlf.score == pytest.approx(600 / 7, abs=0.01)


@pytest.mark.slow  # every default check, the language model and the cross-lingual encoder included
def test_with_every_default_check_each_planted_error_is_one_finding(tmp_path):
    import checker
    from checker.io.readers import load_input
    from checker.pipeline import run_checks

    po = run_checks(load_input(str(six_unit_po(tmp_path))))
    assert [f.check for f in po.findings] == ["placeholder-mismatch"] and po.penalty_score > 80
    xlf = run_checks(load_input(str(seven_unit_xliff(tmp_path))))
    assert [f.check for f in xlf.findings] == ["placeholder-mismatch"] and xlf.penalty_score > 80
    pairs = checker.check_pairs([("Klicken Sie auf {0}, um fortzufahren.", "Click to continue."),
                                 ("Bitte lesen Sie die Anleitung sorgfältig.",
                                  "Please read the asdfghjkl instructions carefully.")], "de", "en")
    assert [(f.segment, f.check) for f in pairs.findings] == [(0, "placeholder-mismatch"), (1, "gibberish")]
    text = checker.check_text("The committee met asdfghjkl on Monday to discuss the budget.", "en")
    assert [(f.check, f.text) for f in text.findings] == [("gibberish", "asdfghjkl")]
