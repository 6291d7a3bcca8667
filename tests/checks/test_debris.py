"""Scraping debris: page furniture left in the text."""

from __future__ import annotations

import pytest
from helpers import spans

import checker


# -- scraping debris -----------------------------------------------------------------
def test_debris_line_of_date_and_loading():
    text = " date 2020-01-03 Loading...\n\nThe strike happened on Thursday."
    found = spans("scraping-debris", text)
    assert found == [(1, 16, "date 2020-01-03"), (17, 27, "Loading...")]


@pytest.mark.parametrize(("text", "flagged"), [
    ("The talks failed.\nRead more\nShare | Tweet | Email\n", ["Read more", "Share", "Tweet", "Email"]),
    ("Published: January 3, 2020 at 10:15\nThe talks failed.", ["Published: January 3, 2020 at 10:15"]),
    ("The minister said ADVERTISEMENT the plan would go ahead.", ["ADVERTISEMENT"]),
    ("We use cookies to improve your experience. Accept all cookies\nThe talks failed.",
     ["We use cookies to improve your experience.", "Accept all cookies"]),
    # an inline 'Read more' where a sentence ends: before the next sentence, a headline or the line's end
    ("The talks failed on Monday. Read more The minister resigned a day later.", ["Read more"]),
    ("The talks failed on Monday. Read more: Minister resigns\nThe end.", ["Read more:"]),
    ("The talks failed on Monday Read more", ["Read more"]),
    ("The plan was approved. READ MORE » Talks fail", ["READ MORE »"]),
])
def test_debris_positive(text, flagged):
    assert [t for *_, t in spans("scraping-debris", text)] == flagged


@pytest.mark.parametrize("text", [
    "You can read more about the plan in the report.",
    "Read more about it later.",
    "They Read More than ever before.",
    'She said: "Read more books."',
    "Click here to download the installer, then share the link by email.",
    "The home page loads in 2 seconds. The advertisement market shrank in 2020.",
    "On 3 January 2020 the strike happened.",
])
def test_debris_negative(text):
    assert spans("scraping-debris", text) == []


def test_debris_is_not_flagged_in_units_with_a_source():
    report = checker.check_pairs([("Teilen", "Share"), ("Drucken", "Print")], "de", "en", only=["scraping-debris"])
    assert report.findings == []
