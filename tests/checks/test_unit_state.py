"""Unit states: untranslated, empty and fuzzy units of translation files."""

from __future__ import annotations

import pytest
from helpers import by_unit, check_sample


# -- unit states ------------------------------------------------------------------------
@pytest.mark.parametrize("name, expected", [
    ("demo.xlf", {"logout": "style/awkward", "delete": "accuracy/untranslated", "help": "accuracy/untranslated"}),
    ("demo20.xlf", {"u3": "style/awkward", "u4": "accuracy/untranslated"}),
    ("demo.po", {"Save changes": "style/awkward", "Print the report": "accuracy/untranslated"}),
    ("demo.tmx", {"t3": "accuracy/untranslated"}),
    ("demo.srt", {"2": "accuracy/untranslated"}),
])
def test_unit_state_findings(name, expected):
    _, report = check_sample(name)
    got = {uid: fs[0].category for uid, fs in by_unit(report, "unit-state").items()}
    assert got == expected
    for fs in by_unit(report, "unit-state").values():
        assert fs[0].severity == ("minor" if fs[0].category == "style/awkward" else "major")
