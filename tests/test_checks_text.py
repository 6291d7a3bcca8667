"""Target-only text checks: casing, repetition, debris, encoding, gibberish, wrong language."""

from __future__ import annotations

import pytest

import checker


def spans(check_id: str, text: str, lang: str = "en") -> list[tuple[int, int, str]]:
    report = checker.check_text(text, tgt_lang=lang, only=[check_id])
    assert not report.errors
    return [(f.start, f.end, f.text) for f in report.findings]


# -- lowercase sentence start ------------------------------------------------------
def test_lowercase_sentence_start_positive():
    text = "They celebrated over them. social networks lit up. Later! they left."
    assert spans("lowercase-sentence-start", text) == [(27, 33, "social"), (58, 62, "they")]


@pytest.mark.parametrize("text", [
    "Officials in the U.S. said so. Prices rose, e.g. for fuel, i.e. for everyone.",
    "He paused... then went on. It was fine… mostly.",
    'She shouted "Stop!" and ran. "Why?" asked the boy.',
    "See example.com. it works. Mail jane.doe@example.org today.",
    "Steps: 1. open the file 2. save it. Buy an iPhone. iPhones are popular.",
    "He met Dr. smith and Mr. jones on Jan. fifth at approx. noon.",
])
def test_lowercase_sentence_start_negative(text):
    assert spans("lowercase-sentence-start", text) == []


# -- doubled words and repetition loops ----------------------------------------------
def test_doubled_word_positive():
    text = "We saw the the house. The The report was late."
    assert spans("doubled-word", text) == [(10, 14, " the"), (25, 29, " The")]


@pytest.mark.parametrize("text", [
    "He had had enough.",
    "She said that that was fine.",
    "What it is is a problem.",
    "They flew to Bora Bora and Walla Walla.",
    "It was both both both wrong.",
])
def test_doubled_word_negative(text):
    assert spans("doubled-word", text) == []


def test_doubled_word_german_allow_list():
    assert spans("doubled-word", "Das sind die Leute, die die Arbeit machen.", "de") == []


def test_repetition_loop_word_and_phrase():
    text = "It was both both both wrong. We went to the city, we went to the city again."
    assert spans("repetition-loop", text) == [(11, 21, " both both"), (48, 69, ", we went to the city")]


def test_repetition_loop_repeated_paragraph():
    text = "The minister resigned on Friday evening.\nThe minister resigned on Friday evening.\n"
    assert spans("repetition-loop", text) == [(41, 81, "The minister resigned on Friday evening.")]


@pytest.mark.parametrize("text", [
    "Ha ha ha, very funny. Prices rose again and again, step by step.",
    "She said no, no, no to the plan.",
    "The city council met in the city hall.",
])
def test_repetition_loop_negative(text):
    assert spans("repetition-loop", text) == []


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
])
def test_debris_positive(text, flagged):
    assert [t for *_, t in spans("scraping-debris", text)] == flagged


@pytest.mark.parametrize("text", [
    "You can read more about the plan in the report.",
    "Click here to download the installer, then share the link by email.",
    "The home page loads in 2 seconds. The advertisement market shrank in 2020.",
    "On 3 January 2020 the strike happened.",
])
def test_debris_negative(text):
    assert spans("scraping-debris", text) == []


def test_debris_is_not_flagged_in_units_with_a_source():
    report = checker.check_pairs([("Teilen", "Share"), ("Drucken", "Print")], "de", "en", only=["scraping-debris"])
    assert report.findings == []


# -- encoding -------------------------------------------------------------------------
def test_mojibake_positive():
    text = "The cafÃ© said itâ€™s closed."
    found = spans("mojibake", text)
    assert found == [(4, 9, "cafÃ©"), (15, 21, "itâ€™s")]
    report = checker.check_text(text, tgt_lang="en", only=["mojibake"])
    assert report.findings[0].suggestion == "replace with 'café'"


@pytest.mark.parametrize("text", ["A naïve café in São Paulo costs €5.", "Москва и Straße “quoted”."])
def test_mojibake_negative(text):
    assert spans("mojibake", text) == []


def test_bad_characters():
    text = "Broken \ufffd char and a\u200bzero width and a bell\x07."
    assert spans("bad-characters", text) == [(7, 8, "\ufffd"), (19, 20, "\u200b"), (41, 42, "\x07")]
    assert spans("bad-characters", "Plain text\twith a tab.") == []


# -- gibberish ---------------------------------------------------------------------------
def test_gibberish_positive():
    text = "The report was asdfgh jklqwe late. He wrote xkqzvwt today. Pay with x7#kQ%9zP now."
    assert [t for *_, t in spans("gibberish", text)] == ["asdfgh jklqwe", "xkqzvwt", "x7#kQ%9zP"]


@pytest.mark.parametrize("text", [
    "The strengths and rhythms of the Hezbollah militia surprised Suebsaeng.",
    "Run pip install numpy==2.4 and open https://example.com/a1b2c3 or mail me@example.org.",
    "Zbigniew Brzezinski met the CEO of NVIDIA in Szczecin.",
])
def test_gibberish_negative(text):
    assert spans("gibberish", text) == []


# -- wrong language ------------------------------------------------------------------------
def test_wrong_language_sentence():
    text = ("The minister arrived in Berlin on Monday. Der Minister sprach lange mit den Journalisten über die Lage. "
            "He left on Tuesday.")
    found = spans("wrong-language", text)
    assert found == [(42, 103, "Der Minister sprach lange mit den Journalisten über die Lage.")]


@pytest.mark.parametrize("text", [
    "Hassam Abbas, a member of Asaib Ahl al-Haq, spoke to Kataib Hezbollah fighters in Baghdad.",
    "The motto Liberté, égalité, fraternité is well known. The film La Dolce Vita was shown.",
    "The strike in Iraq on Thursday came after a long campaign of maximum pressure on the economy.",
])
def test_wrong_language_negative(text):
    assert spans("wrong-language", text) == []
