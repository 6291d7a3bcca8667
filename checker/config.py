"""Run settings: which checks run, with which thresholds and models, and what is ignored.

Settings come in four layers, each over the one before:

1. the defaults of :class:`Config`;
2. the ``MTCHECK_*`` environment variables (:data:`ENVIRONMENT`, read here and nowhere else);
3. a settings file, ``mtcheck.toml`` (:func:`load_config`);
4. explicit options: command-line flags, the page's sidebar, keyword arguments of the library.

:func:`resolve_config` is the one place where they meet; the command line, the web page
and the library all build their :class:`Config` with it, so the same settings give the
same report signature whichever face made them. Example ``mtcheck.toml``::

    [checks]
    disable = ["doubled-word"]           # ids or categories
    enable = ["context-outlier"]         # checks that are off by default
    min_severity = "minor"               # drop findings below this
    ignore = ["\\bGmbH\\b"]              # regexes: findings whose text matches are dropped
    ignore_file = ".mtcheckignore"       # one regex per line, '#' comments (relative to this file)

    [checks.terminology]
    glossary = "terms.csv"               # source,target rows (relative to this file)

    [checks.length-ratio]                # per-check thresholds
    max_ratio = 2.5

    [model]
    embedding = "/path/to/sentence-transformers-model"
    lm = "/path/to/causal-language-model"   # lm-fluency's model (default: the packaged SmolLM2-135M)
    qe = "/path/to/quality-model"           # a model folder from `python -m checker.qe.train --out DIR`
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .values import SEVERITY_RANK

#: every environment variable mtcheck reads, and what it sets
ENVIRONMENT: dict[str, str] = {
    "MTCHECK_MODEL": "the target-only sentence-embedding model (like --model)",
    "MTCHECK_CROSSLINGUAL_MODEL": "the source-target sentence-embedding model (like --crosslingual-model)",
    "MTCHECK_LM_MODEL": "lm-fluency's causal language model (like --lm-model)",
    "MTCHECK_QE_MODEL": "the learned quality model's folder (like --qe-model; default: the one in the package)",
    "MTCHECK_QE_DTYPE": "float32 or bfloat16: the quality model's number type (default: bfloat16 where the CPU has it)",
    "MTCHECK_LM_DTYPE": "float32 or bfloat16: the language model's number type (default: bfloat16 where the CPU has it)",
    "MTCHECK_ENCODER_DTYPE": "float32 or bfloat16: the matrix products of the cross-lingual sentence encoders, usem3 "
                             "and e5 (default: bfloat16 where the CPU has it)",
    "MTCHECK_THREADS": "threads for the models (default: the cores other processes leave idle)",
    "MTCHECK_CACHE": "folder for the language model's unpacked weights (default: ~/.cache/mtcheck)",
    "MTCHECK_ENGINE_ADDRESS": "the Dask scheduler or Ray cluster of --engine dask|ray (like --engine-address)",
    "MTCHECK_ENGINE_TIMEOUT": "seconds to reach a cluster and to wait for a worker (default: 30)",
    "MTCHECK_APP_MODEL_FIELDS": "1 shows the web page's model fields, which load any folder the server can read as a "
                                "model (like `mtcheck app --model-fields`; default: hidden)",
}
#: the variables that name a setting of :class:`Config` (the others tune the process, not the checks)
ENVIRONMENT_SETTINGS: dict[str, str] = {
    "MTCHECK_MODEL": "embedding_model",
    "MTCHECK_CROSSLINGUAL_MODEL": "crosslingual_model",
    "MTCHECK_LM_MODEL": "lm_model",
    "MTCHECK_QE_MODEL": "qe_model",
}
#: variables that tune the process without changing a finding or a score
RESULT_NEUTRAL_ENVIRONMENT = frozenset({"MTCHECK_THREADS", "MTCHECK_CACHE", "MTCHECK_ENGINE_ADDRESS",
                                        "MTCHECK_ENGINE_TIMEOUT"})
#: variables of the web page, not of a run (not recorded in a report)
PAGE_ENVIRONMENT = frozenset({"MTCHECK_APP_MODEL_FIELDS"})
#: list settings that options add to the settings file's lists (other settings replace the file's)
LIST_SETTINGS = ("enable", "disable", "ignore")


def environment_value(name: str) -> str | None:
    """The value of the ``MTCHECK_*`` variable ``name``, or None when it is unset or blank."""
    if name not in ENVIRONMENT:
        raise KeyError(f"{name} is not one of mtcheck's environment variables")
    return os.environ.get(name, "").strip() or None


#: the variables that choose a model's number type, and the types they take
DTYPE_VARIABLES = ("MTCHECK_QE_DTYPE", "MTCHECK_LM_DTYPE", "MTCHECK_ENCODER_DTYPE")
DTYPES = ("float32", "bfloat16")


def parse_threads(raw: str | None) -> int | None:
    """A ``MTCHECK_THREADS`` value as a thread count; None when unset or 0 (mtcheck decides)."""
    if raw is None:
        return None
    try:
        n = int(raw)
    except ValueError:
        n = -1
    if n < 0:
        raise ConfigError(f"MTCHECK_THREADS must be a whole number of threads (0: mtcheck decides), not {raw!r}")
    return n or None


def parse_dtype(name: str, raw: str | None) -> str | None:
    """A ``MTCHECK_*_DTYPE`` value, lowercased; None when unset."""
    if raw is None:
        return None
    if raw.lower() not in DTYPES:
        raise ConfigError(f"{name} must be {' or '.join(DTYPES)}, not {raw!r}")
    return raw.lower()


def environment_threads() -> int | None:
    """``MTCHECK_THREADS`` as a thread count, None when unset or 0; a bad value raises :class:`ConfigError`."""
    return parse_threads(environment_value("MTCHECK_THREADS"))


def check_process_environment(values: Mapping[str, str]) -> None:
    """Raise :class:`ConfigError` (one line) for a thread count or number type that mtcheck cannot use."""
    parse_threads(values.get("MTCHECK_THREADS"))
    for name in DTYPE_VARIABLES:
        parse_dtype(name, values.get(name))


def _process_environment() -> dict[str, str]:
    """The process-tuning variables that are set (the setting variables are recorded as their settings)."""
    return {name: value for name in ENVIRONMENT if name not in ENVIRONMENT_SETTINGS and name not in PAGE_ENVIRONMENT
            and (value := environment_value(name)) is not None}


def environment_flag(name: str) -> bool:
    """Whether the ``MTCHECK_*`` variable ``name`` is switched on (1, true, yes or on)."""
    return (environment_value(name) or "").lower() in ("1", "true", "yes", "on")


@dataclass
class Config:
    """The settings of one run. Build it with :func:`resolve_config`, or directly (the environment still applies)."""

    enable: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    only: list[str] | None = None
    min_severity: str = "minor"
    ignore: list[str] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: target-only sentence-embedding model (path or name) for context-outlier; None = packaged default
    embedding_model: str | None = None
    #: cross-lingual encoder for every language ("usem3", "e5", "st:<path-or-name>"); None: chosen by language
    crosslingual_model: str | None = None
    #: causal language model (folder or cached name) for lm-fluency; None = the packaged SmolLM2-135M
    lm_model: str | None = None
    #: folder of a quality model trained with ``python -m checker.qe.train``; None = the packaged one
    qe_model: str | None = None
    seed: int = 0
    #: the process-tuning ``MTCHECK_*`` variables set when this Config was made (threads, number type, cache)
    environment: dict[str, str] = field(default_factory=_process_environment)

    def __post_init__(self) -> None:
        if self.min_severity not in SEVERITY_RANK:
            raise ConfigError(f"min_severity must be one of {', '.join(SEVERITY_RANK)}, not {self.min_severity!r}")
        self._ignore_res = []
        for pat in self.ignore:
            try:
                self._ignore_res.append(re.compile(pat))
            except re.error as exc:
                raise ConfigError(f"bad ignore pattern {pat!r}: {exc}") from None
        check_process_environment(self.environment)
        for name, setting in ENVIRONMENT_SETTINGS.items():  # the environment layer: under every explicit setting
            if getattr(self, setting) is None:
                setattr(self, setting, environment_value(name))

    def ignored(self, text: str) -> bool:
        """True when a finding's text matches an ignore pattern."""
        return any(r.search(text) for r in self._ignore_res)

    def signature(self, *, results_only: bool = False) -> dict[str, Any]:
        """Every setting, for the report (``results_only``: without what cannot change a finding or a score)."""
        sig: dict[str, Any] = {
            "enable": sorted(self.enable),
            "disable": sorted(self.disable),
            "only": sorted(self.only) if self.only is not None else None,
            "min_severity": self.min_severity,
            "ignore": list(self.ignore),
            "params": self.params,
            "model": self.embedding_model,  # the key outputs have always had
            "crosslingual_model": self.crosslingual_model,
            "seed": self.seed,
        }
        # only when set: outputs written before these existed still resume
        if self.lm_model:
            sig["lm_model"] = self.lm_model
        if self.qe_model:
            sig["qe_model"] = self.qe_model
        env = {k: v for k, v in self.environment.items() if not (results_only and k in RESULT_NEUTRAL_ENVIRONMENT)}
        if env:
            sig["environment"] = dict(sorted(env.items()))
        return sig


def read_ignore_file(path: str | Path) -> list[str]:
    """Regexes from an ignore file: one per line, blank lines and '#' comments skipped."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read ignore file {p}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"ignore file {p} is not UTF-8 text") from None
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def load_config(path: str | Path | None = None, search_dir: str | Path = ".") -> dict[str, Any]:
    """Settings (keyword arguments of :class:`Config`) from a TOML file.

    With no ``path``, ``mtcheck.toml`` in ``search_dir`` is used when present.
    Paths in the file (``ignore_file``, a glossary) are relative to the file.
    """
    if path is None:
        candidate = Path(search_dir) / "mtcheck.toml"
        if not candidate.is_file():
            return {}
        path = candidate
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config {p}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config {p} is not valid TOML: {exc}") from None
    out: dict[str, Any] = {}
    checks = data.get("checks", {})
    if not isinstance(checks, dict):
        raise ConfigError(f"config {p}: [checks] must be a table")
    params: dict[str, dict[str, Any]] = {}
    from_ignore_file: list[str] = []
    for key, value in checks.items():
        if key in ("enable", "disable", "ignore", "only"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"config {p}: checks.{key} must be a list of strings")
            out[key] = value
        elif key == "min_severity":
            out["min_severity"] = str(value)
        elif key == "ignore_file":  # added to `ignore` below, wherever the two stand in the table
            from_ignore_file += read_ignore_file(p.parent / str(value))
        elif isinstance(value, dict):
            params[key] = value
        else:
            raise ConfigError(f"config {p}: unknown setting checks.{key}")
    if from_ignore_file:
        out["ignore"] = out.get("ignore", []) + from_ignore_file
    glossary = params.get("terminology", {}).get("glossary")
    if isinstance(glossary, str) and glossary and not Path(glossary).expanduser().is_absolute():
        # like ignore_file: a path in the file is relative to the file, wherever mtcheck runs from
        params["terminology"] = {**params["terminology"], "glossary": str(p.parent / glossary)}
    if params:
        out["params"] = params
    model = data.get("model", {})
    if isinstance(model, dict):
        if "embedding" in model:
            out["embedding_model"] = str(model["embedding"])
        if "crosslingual" in model:
            out["crosslingual_model"] = str(model["crosslingual"])
        if "lm" in model:
            out["lm_model"] = str(model["lm"])
        if "qe" in model:
            out["qe_model"] = str(model["qe"])
    return out


def resolve_config(options: Mapping[str, Any] | None = None, *, file_settings: Mapping[str, Any] | None = None,
                   replace: Iterable[str] = ()) -> Config:
    """The :class:`Config` of a run: defaults < ``MTCHECK_*`` environment < ``file_settings`` < ``options``.

    ``file_settings`` are what :func:`load_config` read from a settings file. In ``options``,
    ``enable``, ``disable`` and ``ignore`` add to the file's lists (as a flag adds to
    ``mtcheck.toml``) unless named in ``replace``; ``params`` merge check by check; any other
    option replaces the file's value. A setting named in ``replace`` takes the option's value,
    or its default when ``options`` lacks it. ``None`` options are left out.
    """
    known = {f.name for f in fields(Config)}
    merged: dict[str, Any] = dict(file_settings or {})
    replace = set(replace)
    for key in replace:
        merged.pop(key, None)
    for key, value in (options or {}).items():
        if key not in known:
            raise ConfigError(f"unknown setting {key!r}")
        if value is None:
            continue
        if key in LIST_SETTINGS and key not in replace:
            merged[key] = list(merged.get(key, [])) + list(value)
        elif key == "params" and key not in replace:
            params = {cid: dict(p) for cid, p in merged.get("params", {}).items()}
            for cid, p in value.items():
                params[cid] = {**params.get(cid, {}), **p}
            merged["params"] = params
        else:
            merged[key] = value
    return Config(**merged)
