"""Inline codes and placeholders in text, and the findings about them that are not about prose."""

from __future__ import annotations

from helpers import FORMAT_SAMPLES

from checker.codes import drop_findings_on_codes, find_codes
from checker.io.readers import load_input
from checker.values import Finding


# -- inline codes ---------------------------------------------------------------------
def test_find_codes_kinds():
    toks = [c.token for c in find_codes("Hi {0}, %s and %1$d, %(n)s, {{v}}, ${x}, <b>x</b>, {x1}{/g2} 50% off, 100%%")]
    assert toks == ["{0}", "%s", "%1$d", "%(n)s", "{{v}}", "${x}", "<b>", "</b>", "{x1}", "{/g2}"]


def test_findings_on_codes_are_dropped_but_prose_findings_stay():
    doc = load_input(str(FORMAT_SAMPLES / "demo.xlf"))
    seg = doc.segments[2]  # "Sie haben {x1} neue Dateien in {x2}."
    a = seg.text.index("{x2}")
    on_code = Finding("space-before-punctuation", "fluency/punctuation", "minor", seg.start + a + 3, seg.start + a + 5,
                      "}.", "x", segment=seg.index)
    prose = Finding("doubled-word", "fluency/grammar", "minor", seg.start, seg.start + 9, "Sie haben", "x",
                    segment=seg.index)
    own = Finding("inline-tags", "accuracy/addition", "major", seg.start + a, seg.start + a + 4, "{x2}", "x",
                  segment=seg.index)
    lost = Finding("placeholder-mismatch", "accuracy/addition", "major", seg.start + a, seg.start + a + 4, "{x2}", "x",
                   segment=seg.index)
    assert drop_findings_on_codes([on_code, prose, own, lost], doc.segments) == [prose, own, lost]
