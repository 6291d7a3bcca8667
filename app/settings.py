"""The sidebar's settings, turned into a :class:`checker.Config` by the resolver the CLI uses
(:func:`checker.config.resolve_config`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checker import Config, all_checks
from checker.config import environment_flag, load_config, resolve_config
from checker.errors import ConfigError
from checker.selection import select_checks
from checker.values import CATEGORIES

AUTO = "auto"

#: language pickers: code -> name (any code the library knows also works through the API and CLI)
LANGUAGES: dict[str, str] = {
    AUTO: "Detect automatically",
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "pl": "Polish", "cs": "Czech", "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish",
    "ar": "Arabic", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "sv": "Swedish", "da": "Danish",
}


def language_label(code: str) -> str:
    return LANGUAGES[code] if code == AUTO else f"{LANGUAGES[code]} ({code})"


def language_code(choice: str) -> str | None:
    """The code for a picker choice; None lets the library detect the language."""
    return None if choice == AUTO else choice


def load_defaults(search_dir: str | Path = ".") -> dict[str, Any]:
    """Settings from ``mtcheck.toml`` in ``search_dir`` (as ``mtcheck check`` reads it); {} without one.

    Raises :class:`checker.ConfigError` for a file that cannot be used.
    """
    return load_config(None, search_dir)


def check_ids() -> list[str]:
    """Every registered check id, sorted."""
    return list(all_checks())


def default_checks(base: dict[str, Any] | None = None) -> list[str]:
    """The checks ``mtcheck check`` runs with these settings and no options (source checks included)."""
    base = base or {}
    selection = select_checks(base.get("enable", []), base.get("disable", []), base.get("params"), paired=True,
                              only=base.get("only"))
    return sorted(c.id for c in selection.checks)


def check_descriptions() -> dict[str, str]:
    return {cid: cls.description for cid, cls in all_checks().items()}


#: the sidebar's check groups: the first part of the checks' MQM categories, in the typology's order
GROUP_LABELS: dict[str, str] = {"accuracy": "Accuracy", "fluency": "Fluency", "style": "Style", "locale": "Locale",
                                "terminology": "Terminology", "other": "Other (boilerplate, context)"}


def check_groups() -> dict[str, list[str]]:
    """Check ids by group (:data:`GROUP_LABELS`), each group's ids sorted."""
    order = list(dict.fromkeys(c.split("/")[0] for c in CATEGORIES))
    groups: dict[str, list[str]] = {}
    for cid, cls in all_checks().items():
        groups.setdefault(cls.category.split("/")[0], []).append(cid)
    return {g: sorted(groups[g]) for g in sorted(groups, key=lambda g: order.index(g) if g in order else len(order))}


def model_fields_enabled() -> bool:
    """Whether the operator lets the page's visitors name a model (``mtcheck app --model-fields``, or
    MTCHECK_APP_MODEL_FIELDS=1): a model field loads any folder the server can read. Off by default."""
    return environment_flag("MTCHECK_APP_MODEL_FIELDS")


def page_config(
    selected: list[str], min_severity: str = "minor", embedding_model: str | None = None,
    base: dict[str, Any] | None = None, lm_model: str | None = None,
) -> Config:
    """A Config running exactly the ``selected`` checks (those that need a source run only with one).

    ``base`` holds the ``mtcheck.toml`` settings (thresholds, ignore patterns). When the selection is
    the default one the Config equals the CLI's (same report signature); otherwise the choice
    replaces the file's enable/disable/only lists. ``embedding_model`` and ``lm_model`` are the
    model fields' text (an empty embedding box means the packaged model, whatever the file says);
    None when the page shows no model fields: the operator's settings (file, environment) stand.
    """
    registry = all_checks()
    chosen = set(selected)
    unknown = chosen - set(registry)
    if unknown:
        raise ConfigError(f"unknown check {', '.join(sorted(unknown))}")
    options: dict[str, Any] = {"min_severity": min_severity,
                               "embedding_model": (embedding_model or "").strip() or None,
                               "lm_model": (lm_model or "").strip() or None}
    # an empty box means the packaged default, whatever the file says
    replace: tuple[str, ...] = ("embedding_model",) if embedding_model is not None else ()
    if sorted(chosen) != default_checks(base):
        options["enable"] = sorted(cid for cid in chosen if not registry[cid].default_enabled)
        options["disable"] = sorted(cid for cid, cls in registry.items() if cls.default_enabled and cid not in chosen)
        replace += ("enable", "disable", "only")
    return resolve_config(options, file_settings=base, replace=replace)
