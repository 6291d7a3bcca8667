"""The pipeline's post-scoring hook: a registered PostScorer replaces the scores, the penalty scores stay beside them,
its findings go through every filter, and a document it cannot score keeps its penalty scores with a warning."""

from __future__ import annotations

from typing import ClassVar

import pytest

import checker
from checker.registry import CHECKS, PostScore, PostScorer, register


class HalfScore(PostScorer):
    """Halves every segment's score; flags the word 'bad' (twice: a duplicate the pipeline must drop)."""

    id = "half-score"
    description = "A test step: half the penalty score."
    category = "fluency/word-choice"
    severity = "major"
    default_enabled = False
    target_languages = frozenset({"en"})
    seen: ClassVar[list] = []

    def run(self, doc, ctx):
        for seg in doc.segments:
            at = seg.text.find("bad")
            if at >= 0:
                yield self.flag(seg, at, at + 3, "a bad word")
                yield self.flag(seg, at, at + 3, "a bad word")

    def rescore(self, doc, findings, ctx):
        HalfScore.seen.append([f.check for f in findings])
        ctx.record_model("half", "halving 1.0")
        scores = {s.index: s.score / 2 for s in doc.segments}
        flag = self.flag(doc.segments[0], 0, len(doc.segments[0].text), "half", severity="minor")
        return PostScore(scores, sum(scores.values()) / len(scores), [flag])


@pytest.fixture
def half_score():
    register(HalfScore)
    HalfScore.seen.clear()
    yield HalfScore
    del CHECKS[HalfScore.id]


def test_a_post_scorer_replaces_the_scores_and_keeps_the_penalty_scores(half_score):
    text = "The talks failed . This is a bad plan."
    plain = checker.check_text(text, "en", only=["space-before-punctuation"])
    report = checker.check_text(text, "en", only=["space-before-punctuation", "half-score"])
    assert report.penalty_score is not None
    assert report.penalty_score < plain.score  # the step's own finding counts in the penalty score
    for seg in report.segments:
        assert seg.score == pytest.approx(seg.extra["penalty_score"] / 2, abs=0.01)
    assert report.score == pytest.approx(sum(s.score for s in report.segments) / 2, abs=0.01)
    assert report.signature["models"]["half"] == "halving 1.0"
    bad = [f for f in report.findings if f.check == "half-score" and f.text == "bad"]
    assert len(bad) == 1  # deduplicated like any check's
    assert HalfScore.seen == [["space-before-punctuation", "half-score"]]  # rescore sees the final findings
    assert any(f.check == "half-score" and f.severity == "minor" for f in report.findings)  # the late flag


def test_a_post_scorers_findings_obey_the_filters(half_score):
    report = checker.check_text("This is a bad plan.", "en", only=["half-score"], ignore=["bad"], min_severity="major")
    assert [f for f in report.findings if f.check == "half-score"] == []


def test_a_document_the_step_cannot_score_keeps_its_penalty_scores(half_score):
    report = checker.check_text("Das ist ein Plan .", "de", only=["space-before-punctuation", "half-score"])
    assert report.penalty_score is None and all("penalty_score" not in s.extra for s in report.segments)
    assert any("half-score: no model for target language 'de'" in e for e in report.errors)
    assert HalfScore.seen == []


def test_post_scorers_are_registered_like_checks():
    from checker.selection import all_checks

    steps = {cid for cid, cls in all_checks().items() if cls.role == "post-score"}
    assert steps == {"learned-quality", "predicted-quality"}
    assert all(issubclass(all_checks()[cid], PostScorer) for cid in steps)


class QuarterScore(PostScorer):
    """A second test step: a quarter of the score it reads."""

    id = "quarter-score"
    description = "A test step: a quarter of the penalty score."
    category = "fluency/word-choice"
    default_enabled = False

    def rescore(self, doc, findings, ctx):
        scores = {s.index: s.score / 4 for s in doc.segments}
        return PostScore(scores, sum(scores.values()) / len(scores))


def test_several_steps_each_read_the_penalty_scores_and_the_last_by_id_wins(half_score):
    register(QuarterScore)
    try:
        report = checker.check_text("The talks failed .", "en", only=["space-before-punctuation", "half-score",
                                                                       "quarter-score"])
    finally:
        del CHECKS[QuarterScore.id]
    (seg,) = report.segments
    assert seg.score == pytest.approx(seg.extra["penalty_score"] / 4, abs=0.01)
    assert report.score == pytest.approx(report.penalty_score / 4, abs=0.01)


def test_a_step_declares_the_source_languages_it_reads(half_score):
    class FromGerman(HalfScore):
        id = "from-german"
        target_languages = None
        source_languages = frozenset({"de"})

    register(FromGerman)
    try:
        german = checker.check_pairs([("Hallo Welt.", "Hello world .")], "de", "en", only=["from-german"])
        french = checker.check_pairs([("Bonjour le monde.", "Hello world .")], "fr", "en", only=["from-german"])
    finally:
        del CHECKS[FromGerman.id]
    assert german.penalty_score is not None and not german.errors
    assert french.penalty_score is None
    assert any("from-german: no model for source language 'fr'" in e for e in french.errors)


def test_progress_is_reported_per_sentence_within_each_step(monkeypatch):
    from checker import pipeline

    monkeypatch.setattr(pipeline, "PROGRESS_INTERVAL", 0.0)  # every report, not a few a second
    seen = []
    text = " ".join(f"Sentence number {i} is here ." for i in range(30))
    checker.check_text(text, "en", only=["space-before-punctuation", "doubled-word", "scraping-debris"],
                       progress=seen.append)
    steps = list(dict.fromkeys(p.step for p in seen))
    assert sorted(steps[:-1]) == ["doubled-word", "scraping-debris", "space-before-punctuation"] and steps[-1] == "scoring"
    first = [p for p in seen if p.step == "space-before-punctuation"]
    assert [p.done for p in first] == list(range(31)) and {p.total for p in first} == {30}  # each of the 30 sentences
    n = steps.index("space-before-punctuation") + 1
    assert str(first[12]) == f"space-before-punctuation: 12/30 segments (step {n} of 3)"
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


@pytest.mark.slow  # the language model
def test_the_language_model_reports_its_sentences_and_its_repairs(monkeypatch):
    from checker import pipeline

    monkeypatch.setattr(pipeline, "PROGRESS_INTERVAL", 0.0)
    seen = []
    text = " ".join(f"The committee met on day {i} and approved the the plan for next year." for i in range(40))
    checker.check_text(text, "en", only=["lm-fluency"], progress=seen.append)
    lm = [p for p in seen if p.step == "lm-fluency"]
    assert {p.what for p in lm} >= {"sentences"} and max(p.done for p in lm if p.what == "sentences") == 40
    assert len(lm) > 3 and [p.fraction for p in lm] == sorted(p.fraction for p in lm)
