"""A tiny quality model trains end to end on a handful of invented rows, deterministically."""

from __future__ import annotations

import json

import pytest
import torch

from checker.qe.corpora import MLQE_DEV, MLQE_TRAIN, Example, post_edit_examples, ranked_pairs, token_spans, words_of
from checker.qe.train import TrainConfig, main, plan_ranking, rank_loss, train

ROWS = [
    ("Der Hund schläft im Garten.", "The dog sleeps in the garden.", [], 0.8),
    ("Der Hund schläft im Garten.", "The dog sleep at garden the.", [2, 3, 4, 5], -1.2),
    ("Ich trinke gern Kaffee am Morgen.", "I like drinking coffee in the morning.", [], 0.7),
    ("Ich trinke gern Kaffee am Morgen.", "I drink gladly coffee on morning.", [2, 4, 5], -0.9),
    ("Das Wetter ist heute schön.", "The weather is nice today.", [], 0.9),
    ("Das Wetter ist heute schön.", "The weather is today beautiful Wetter.", [3, 4, 5], -1.1),
    ("Wir fahren morgen nach Berlin.", "We are driving to Berlin tomorrow.", [], 0.6),
    ("Wir fahren morgen nach Berlin.", "We drive tomorrow after Berlin.", [2, 3], -0.8),
]


def write_rows(path, rows, split: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for i, (src, tgt, bad, z) in enumerate(rows):
            tokens = tgt.replace(".", " .").split()
            stoks = src.replace(".", " .").split()
            fh.write(json.dumps({
                "pair": "de-en", "split": split, "id": f"de-en-{split}-{i}", "source": src, "target": tgt,
                "da_mean": 50 + 30 * z, "da_z_mean": z, "da_scores": [], "hter": len(bad) / len(tokens),
                "source_tokens": stoks, "target_tokens": tokens,
                "target_tags": ["BAD" if k in bad else "OK" for k in range(len(tokens))],
                "gap_tags": ["OK"] * (len(tokens) + 1), "source_tags": ["OK"] * len(stoks),
                "post_edit": " ".join(tokens),
            }) + "\n")


@pytest.fixture
def tiny_data(tmp_path):
    write_rows(tmp_path / MLQE_TRAIN, ROWS * 3, "train")
    write_rows(tmp_path / MLQE_DEV, ROWS, "dev")
    return tmp_path


def test_token_spans_survive_escapes_quotes_and_joiners():
    text = 'He said “yes” & le\u200dft.'
    spans = token_spans(text, ["He", "said", '"', "yes", '"', "&amp;", "left", "."])
    assert [text[s:e] for s, e in spans] == ["He", "said", "“", "yes", "”", "&", "le\u200dft", "."]


@pytest.mark.slow
def test_tiny_model_trains_saves_and_reloads(tiny_data, tmp_path):
    from checker.qe.estimator import QualityEstimator

    cfg = TrainConfig(layers=1, epochs=1, validation_share=0.3, batch_tokens=400)
    out = tmp_path / "model"
    first = train(cfg, tiny_data, out, log=lambda m: None)
    again = train(cfg, tiny_data, None, log=lambda m: None)
    # fixed seeds: the same figures twice (to float rounding: threaded CPU kernels may sum in another order)
    for a, b in zip(first["history"], again["history"], strict=True):
        for mode in a:
            for key, row in a[mode].items():
                assert row == pytest.approx(b[mode][key], abs=1e-4, nan_ok=True)
    est = QualityEstimator(out)
    scores = [e.score for e in est.estimate(["The dog sleeps in the garden."], ["Der Hund schläft im Garten."])]
    assert 0.0 <= scores[0] <= 100.0
    meta = json.loads((out / "qe.json").read_text())
    assert meta["network"]["layers"] == 1 and set(meta["calibration"]) >= {"head_weights", "source", "target"}


def test_missing_data_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["--data", str(tmp_path)]) == 2
    assert "no mlqe_pe_train.jsonl" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--recalibrate", "--rank-heads-of", "--fit-pairing", "--fit-lm-term"])
def test_a_folder_without_a_model_is_one_line_and_exit_2(tiny_data, tmp_path, capsys, flag):
    assert main(["--data", str(tiny_data), flag, str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no quality model in ") and err.count("\n") == 1


def mlqe(i: int, target: str, post_edit: str, hter: float, da: float = 0.0) -> Example:
    return Example(target=target, source="Quelle.", pair="de-en", corpus="mlqe", id=f"m{i}",
                   target_words=words_of(target), target_bad=[True] * len(words_of(target)),
                   source_words=[(0, 7)], source_bad=[True], labels={"da": da, "hter": hter}, group=f"m{i}",
                   extra={"post_edit": post_edit})


def wmt(system: str, mqm: float, group: str = "zh-en:1") -> Example:
    return Example(target=f"Output of {system}.", source="来源。", pair="zh-en", corpus="wmt23", id=f"{group}:{system}",
                   labels={"mqm": mqm}, group=group, extra={"mqm": mqm})


def test_ranked_pairs_put_the_post_edit_and_the_smaller_mqm_penalty_first():
    edited = mlqe(1, "He go home .", "He goes home .", hter=0.25)
    barely = mlqe(2, "A long sentence with one small slip in it .", "A long sentence with one small slip in it !",
                  hter=0.05)
    good, bad, close = wmt("a", 0.0), wmt("b", -5.0), wmt("c", -5.5)
    pairs = ranked_pairs([edited, barely, good, bad, close, wmt("d", -9.0, group="zh-en:2")])
    first = pairs[0]
    assert first[0].target == "He goes home." and first[1] is edited  # detokenised post-edit above its MT
    assert first[0].target_bad == [False] * 4 and first[0].source_bad == [False]
    assert not any(p[1] is barely for p in pairs)  # under min_hter: no pair
    ranked = {(a.extra["mqm"], b.extra["mqm"]) for a, b in pairs[1:]}
    assert ranked == {(0.0, -5.0), (0.0, -5.5)}  # -5 vs -5.5 is under one point; other groups never pair


def test_post_edit_examples_credit_the_edits_cost_back_to_da():
    rows = [mlqe(i, "He go home .", "He goes home .", hter=h, da=-2 * h) for i, h in enumerate((0.1, 0.3, 0.5))]
    pes = post_edit_examples(rows)
    assert [pe.labels["hter"] for pe in pes] == [0.0] * 3
    assert [pe.labels["da"] for pe in pes] == pytest.approx([0.0] * 3)  # slope -2: da + 2 * hter


@pytest.mark.parametrize("n_pairs, n_batches, per_batch", [(10, 4, 3), (10, 2, 3), (5, 20, 2)])
def test_every_drawn_pair_rides_along_once_per_epoch(n_pairs, n_batches, per_batch):
    cfg = TrainConfig(rank_batch=per_batch, rank_pairs=None)
    plans = plan_ranking(n_pairs, [n_batches, n_batches], cfg)
    for at in plans:
        assert all(0 <= step < n_batches for step in at)
        assert sorted(k for chunk, _ in at.values() for k in chunk) == list(range(n_pairs))
    assert plans == plan_ranking(n_pairs, [n_batches, n_batches], cfg)  # seeded
    capped = plan_ranking(n_pairs, [n_batches], TrainConfig(rank_batch=per_batch, rank_pairs=3))[0]
    assert sum(len(chunk) for chunk, _ in capped.values()) == 3


def test_rank_loss_falls_as_the_better_translation_scores_higher():
    names = ["da", "hter"]
    right = torch.tensor([[1.0, 0.1], [0.0, 0.5]])  # better first: higher DA, lower HTER
    wrong = torch.tensor([[0.0, 0.5], [1.0, 0.1]])
    assert rank_loss(right, names) < rank_loss(torch.zeros(2, 2), names) < rank_loss(wrong, names)


@pytest.mark.slow
def test_tiny_model_trains_with_the_ranking_loss(tiny_data):
    lines: list[str] = []
    cfg = TrainConfig(layers=1, epochs=1, validation_share=0.3, batch_tokens=400, rank_loss=1.0, rank_batch=2)
    result = train(cfg, tiny_data, None, log=lines.append)
    assert any(line.startswith("ranking: ") for line in lines)
    assert any(" rank " in line for line in lines if line.startswith("epoch 1 batch"))
    assert result["history"]


@pytest.mark.slow
def test_two_tiny_models_pair_up_with_thresholds_fitted_for_their_mean(tiny_data, tmp_path):
    from checker.qe.estimator import PAIRED_CALIBRATION, QualityEstimator
    from checker.qe.lm_term import WEIGHTS, LmTerm
    from checker.qe.train import fit_lm_term, fit_pairing

    quiet = lambda m: None  # noqa: E731
    common = {"layers": 1, "epochs": 1, "validation_share": 0.3, "batch_tokens": 400}
    train(TrainConfig(base="minilm", frozen_layers=0, target_only_share=1.0, **common), tiny_data, tmp_path / "english", quiet)
    train(TrainConfig(**common), tiny_data, tmp_path / "pair", quiet)
    fitted = fit_pairing(tmp_path, tiny_data, log=quiet)
    meta = json.loads((tmp_path / "english" / "qe.json").read_text())
    assert meta["calibration"][PAIRED_CALIBRATION] == fitted and 0.0 < fitted["threshold"] < 1.0
    (est,) = QualityEstimator(tmp_path).estimate(["The dog sleeps in the garden."], tgt_lang="en")
    assert est.model == "english+pair" and est.thresholds["mcc"] == pytest.approx(fitted["threshold"])
    # then the language model's fluency term, fitted on the same validation slice and saved beside the models
    term = fit_lm_term(tmp_path, tiny_data, log=quiet)
    assert LmTerm.load(tmp_path) == term and set(term.weights) == {"source", "target"} and term.sd > 0
    assert all(w in WEIGHTS for w in term.weights.values()) and set(term.figures["validation"]["target"]) == {
        str(w) for w in WEIGHTS}
    assert QualityEstimator(tmp_path).lm_term == term


def test_head_training_learns_to_rank_pairs_the_labels_cannot_tell_apart():
    from checker.qe.rank_heads import HeadConfig, train_head

    torch.manual_seed(0)
    names = ["da", "hter"]
    x = torch.randn(256, 8)
    y = torch.stack([x[:, 0], -x[:, 0]], dim=1)  # the labels read feature 0 only
    m = torch.ones_like(y)
    worse = torch.randn(128, 8)
    better = worse.clone()
    better[:, 1] += 1.0  # the better translation differs in feature 1, which the labels never show
    heldout_worse = torch.randn(64, 8)
    heldout_better = heldout_worse.clone()
    heldout_better[:, 1] += 1.0

    def wins(head) -> float:
        with torch.no_grad():
            return float((head(heldout_better)[:, 0] > head(heldout_worse)[:, 0]).float().mean())

    results = {}
    for weight in (0.0, 1.0):
        torch.manual_seed(1)
        head = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
        train_head(head, x, y, m, better, worse, names, {"da": 1.0, "hter": 0.5},
                   HeadConfig(rank_loss=weight, epochs=30, lr=1e-2, batch=64), log=lambda s: None)
        results[weight] = wins(head)
    assert results[1.0] > 0.95 and results[1.0] > results[0.0] + 0.2


@pytest.mark.slow
def test_the_sentence_head_alone_is_refitted_with_the_ranking_loss(tiny_data, tmp_path):
    from safetensors.torch import load_file

    cfg = TrainConfig(layers=1, epochs=1, validation_share=0.3, batch_tokens=400)
    out = tmp_path / "model"
    train(cfg, tiny_data, out, log=lambda m: None)
    before = load_file(str(out / "qe.safetensors"))
    for dest in ("a", "b"):
        assert main(["--data", str(tiny_data), "--rank-heads-of", str(out), "--out", str(tmp_path / dest)]) == 0
    after = load_file(str(tmp_path / "a" / "qe.safetensors"))
    again = load_file(str(tmp_path / "b" / "qe.safetensors"))
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith("sentence.") for k in changed)
    assert all(torch.equal(after[k], again[k]) for k in after)  # seeded
    meta = json.loads((tmp_path / "a" / "qe.json").read_text())
    assert meta["training"]["rank_heads"] and meta["rank_heads"]["ranked_pairs"] > 0
    assert set(meta["rank_heads"]["after"]) == {"source", "target"}


@pytest.mark.slow
def test_a_recipe_with_rank_heads_runs_the_stage_after_its_epochs(tiny_data):
    lines: list[str] = []
    cfg = TrainConfig(layers=1, epochs=1, validation_share=0.3, batch_tokens=400, rank_heads=True)
    train(cfg, tiny_data, None, log=lines.append)
    assert any(line.startswith("sentence head with a ranking loss") for line in lines)
    assert any(line.startswith("[validation source] before:") for line in lines)
