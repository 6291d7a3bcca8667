"""SRT subtitles through the ``srt`` library: each cue is one target-only unit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...errors import InputError
from .units import make_unit


def _clock(td) -> str:
    import srt

    return srt.timedelta_to_srt_timestamp(td)


def iter_srt_units(text: str, name: str) -> Iterator[dict[str, Any]]:
    """Cues of an SRT text: id = cue number, target = the cue's lines, ``time`` = its timing."""
    import srt

    try:
        for cue in srt.parse(text):
            target = cue.content
            yield make_unit(str(cue.index), None, target, "translated" if target.strip() else "empty",
                            time=f"{_clock(cue.start)} --> {_clock(cue.end)}")
    except srt.SRTParseError as exc:
        where = text[: getattr(exc, "expected_start", 0)].count("\n") + 1
        raise InputError(f"{name}: malformed SRT near line {where}: expected a cue number and a timing line") from None
    except (OverflowError, ValueError) as exc:  # a timestamp too large for a timedelta (found by atheris)
        raise InputError(f"{name}: malformed SRT: a cue timing is out of range ({exc})") from None
