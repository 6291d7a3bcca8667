"""The demo contract on samples/mt_news_article_en.txt.

Every punctuation, quote, fragment and debris artifact of the article is flagged
by the right check with a narrow span; clean sentences stay clean; at least 70%
of all findings of the default run are real artifacts (hand-labelled below).
"""

from __future__ import annotations

import pytest

import checker
from checker.selection import all_checks

#: (check id, a unique piece of the article, the exact span that check must flag inside it)
SURFACE_ARTIFACTS: list[tuple[str, str, str]] = [
    ("scraping-debris", "date 2020-01-03 Loading", "date 2020-01-03"),
    ("scraping-debris", "2020-01-03 Loading...", "Loading..."),
    ("stray-quote-fragment", 'across the country." region".', 'region".'),
    ("detached-quote", 'wherever they are in the world. "', ' "'),
    ("space-before-punctuation", "U.S. outposts in the country .", " ."),
    ("wrong-side-quote", 'should leave Iraq, "said', ' "'),
    ("detached-quote", 'We will expel them from our country. "', ' "'),
    ("detached-quote", 'bases of events in the coming days. "', ' "'),
    ("space-before-punctuation", "Afghanistan, Lebanon , the", " ,"),
    ("wrong-side-quote", 'potentially at risk, "said Majd', ' "'),
    ("lowercase-sentence-start", "victory rounds over them. social networks", "social"),
    ("wrong-side-quote", 'Alexa, play" Another', '"'),
    ("wrong-side-quote", 'Bites the Dust, "tweeted', ' "'),
]

#: other real translation errors of the article (garbled phrases, calques, mistranslations) that other checks
#: (fluency, adequacy) may flag; findings on them count as correct when measuring precision
OTHER_ARTIFACTS: list[str] = [
    "outpost Orient aligned",
    "Famous, Soleimani",
    "taking victory rounds",
    "bases of events",
    "unreflected escalation",
    "would suggest to US government officials or soldiers are potentially at risk",
    "he planned further attacks by Iranian-backed militias",
    "is actively developing plans",
    "end the tangles between",
    "reached a difficult and unrecognized alignment",
    "has been one of the main adversaries of the United States for 15 years, when",
    "Iranian leaders resisted compliance",
    "for example.",
    "Iran that has been surrounded by the United States",
    "can serve to focus",
    "the so-called Islamic State",
    "the war against Islamic State",
]

#: sentences with no artifact: no finding may touch them
CLEAN_SENTENCES: list[str] = [
    "According to Iraqi reports, Soleimani was killed in a strike that occurred near Baghdad International Airport.",
    "The airport, which houses US and Iraqi allied forces, was also hit by rockets by unknown militants on Thursday.",
    "In addition to the 5,000 troops in Iraq, nearly 10,000 more are deployed to the Middle East, including Saudi Arabia,",
    '"And they will probably regret it," he told reporters.',
    "But the United States has long feared that direct military action against Iran would lead to an entirely new",
    "He canceled the nuclear deal with Iran and, in April, designated the Quds Force as a terrorist group.",
    "Secretary of State Mike Pompeo has made this point on several occasions.",
    "Tensions between the United States and Iranian proxies operating in Iraq were bubbling even before Soleimani",
    "Hassam Abbas, a 31-year-old member of Asaib Ahl al-Haq, a Shia militia in Iraq, said that US troops in Iraq are",
    "—With additional reporting by Christopher Dickey and Asawin Suebsaeng",
    "The strike against Soleimani came days after supporters of an Iranian-backed Iraqi militia, Kataib Hezbollah,",
]


#: checks that load a model (the language model takes minutes on a busy 2-core machine): the fast tests leave
#: them out; the full default run is tested once, marked slow
HEAVY = [cid for cid, cls in all_checks().items() if cls.requires]


@pytest.fixture(scope="module")
def light_report(sample_text):
    return checker.check_text(sample_text, tgt_lang="en", disable=HEAVY)


def _span(text: str, piece: str, inner: str) -> tuple[int, int]:
    assert text.count(piece) == 1, f"labelled piece not unique: {piece!r}"
    start = text.index(piece) + piece.index(inner)
    return start, start + len(inner)


def _real_spans(text: str) -> list[tuple[int, int]]:
    spans = [_span(text, piece, inner) for _, piece, inner in SURFACE_ARTIFACTS]
    for piece in OTHER_ARTIFACTS:
        start = text.index(piece)
        spans.append((start, start + len(piece)))
    return spans


@pytest.mark.parametrize(("check_id", "piece", "inner"), SURFACE_ARTIFACTS, ids=[f"{c}:{p[:25]}" for c, p, _ in
                                                                               SURFACE_ARTIFACTS])
def test_every_surface_artifact_is_flagged_with_a_narrow_span(light_report, sample_text, check_id, piece, inner):
    start, end = _span(sample_text, piece, inner)
    hits = [f for f in light_report.findings if f.check == check_id and f.start == start and f.end == end]
    assert hits, f"{check_id} did not flag {inner!r} in {piece!r}"
    assert hits[0].message and sample_text[hits[0].start:hits[0].end] == hits[0].text


@pytest.mark.parametrize("sentence", CLEAN_SENTENCES, ids=[s[:30] for s in CLEAN_SENTENCES])
def test_clean_sentences_stay_clean(light_report, sample_text, sentence):
    assert _touching(light_report, sample_text, sentence) == []


@pytest.mark.slow
def test_clean_sentences_stay_clean_in_the_full_default_run(sample_report, sample_text):
    assert [(s[:30], _touching(sample_report, sample_text, s)) for s in CLEAN_SENTENCES
            if _touching(sample_report, sample_text, s)] == []


def _touching(report, text: str, sentence: str) -> list[tuple[str, str]]:
    start = text.index(sentence)
    end = start + len(sentence)
    return [(f.check, f.text) for f in report.findings if f.side == "target" and f.start < end and start < f.end]


def test_at_least_70_percent_of_findings_are_real_artifacts(light_report, sample_text):
    _assert_precision(light_report, sample_text)


@pytest.mark.slow
def test_at_least_70_percent_of_findings_are_real_artifacts_in_the_full_default_run(sample_report, sample_text):
    _assert_precision(sample_report, sample_text)


def _assert_precision(report, sample_text: str) -> None:
    real = _real_spans(sample_text)
    findings = [f for f in report.findings if f.side == "target"]
    assert findings
    correct = [f for f in findings if any(f.start < e and s < max(f.end, f.start + 1) for s, e in real)]
    precision = len(correct) / len(findings)
    wrong = [(f.check, f.text) for f in findings if f not in correct]
    assert precision >= 0.7, f"precision {precision:.2f}; not artifacts: {wrong}"


def test_sample_report_has_no_check_errors(light_report):
    assert not [e for e in light_report.errors if e.startswith("check ")]
