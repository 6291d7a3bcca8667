"""A tiny quality model trains end to end on a handful of invented rows, deterministically."""

from __future__ import annotations

import json

import pytest

from checker.qe.corpora import MLQE_DEV, MLQE_TRAIN, token_spans
from checker.qe.train import TrainConfig, main, train

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
