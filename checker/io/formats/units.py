"""The unit dict every format reader yields, and the states a unit can be in."""

from __future__ import annotations

from typing import Any

__all__ = ["STATES", "make_unit"]

#: translated: has a target; fuzzy: a target marked as draft/needs review;
#: empty: a target that is blank; untranslated: no target at all
STATES = ("translated", "fuzzy", "empty", "untranslated")


def make_unit(
    uid: str,
    source: str | None,
    target: str | None,
    state: str,
    notes: list[str] | None = None,
    *,
    raw_state: str | None = None,
    context: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One translation unit: ``id``, ``source``, ``target`` ('' when missing), ``state``, ``notes``...

    ``raw_state`` is the state as the file writes it (XLIFF ``state``, PO flags).
    """
    if state not in STATES:
        raise ValueError(f"unknown unit state {state!r}")
    unit: dict[str, Any] = {"id": str(uid), "source": source, "target": target or "", "state": state,
                            "notes": notes or [], "raw_state": raw_state, "context": context}
    unit.update(extra)
    return unit
