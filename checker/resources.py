"""Process-wide resources: models loaded once (quietly) and shared, and the cores this process may use.

Models are expensive (seconds to load, hundreds of MB), so every check and every
report in a process share one instance of each (:func:`shared_resource`). A model
that cannot load is remembered too (:func:`load_once`): the next run gets the same
one-line :class:`~checker.errors.ModelError` at once instead of a second slow failure.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import ModelError

T = TypeVar("T")

_RESOURCES: dict[str, Any] = {}
_LOCK = threading.Lock()


def shared_resource(key: str, factory: Callable[[], T]) -> T:
    """Process-wide cache: build ``factory()`` once per ``key`` and reuse it."""
    if key in _RESOURCES:
        return _RESOURCES[key]
    with _LOCK:
        if key not in _RESOURCES:
            _RESOURCES[key] = factory()
        return _RESOURCES[key]


class _Failed:
    """A load that raised :class:`ModelError`, kept so that it fails the same way next time."""

    def __init__(self, error: ModelError) -> None:
        self.error = error


def load_once(key: str, factory: Callable[[], T]) -> T:
    """:func:`shared_resource` for a model: a :class:`ModelError` from ``factory`` is remembered and raised
    again on every later call with ``key``, without retrying."""

    def attempt() -> T | _Failed:
        try:
            return factory()
        except ModelError as exc:
            return _Failed(exc)

    result = shared_resource(key, attempt)
    if isinstance(result, _Failed):
        raise result.error
    return result


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system tells, else every core)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@dataclass(frozen=True)
class CpuSample:
    """CPU time counters at one moment: the machine's (``/proc/stat`` jiffies) and this process's own (s)."""

    idle: int
    total: int
    own: float


def cpu_sample() -> CpuSample | None:
    """The counters now, or None where ``/proc/stat`` cannot be read (not Linux)."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
        idle, total = values[3] + values[4], sum(values)  # idle + iowait, all
    except (OSError, ValueError, IndexError):
        return None
    t = os.times()
    return CpuSample(idle, total, t.user + t.system)


#: the counters when this module was first imported (at mtcheck's start), and when
_IMPORTED = (time.monotonic(), cpu_sample())


def first_cpu_sample(min_age: float, max_age: float) -> CpuSample | None:
    """The counters taken when mtcheck was imported, if that was between ``min_age`` and ``max_age`` seconds ago
    (long enough to measure over, recent enough to say what the machine does now); else None."""
    at, sample = _IMPORTED
    return sample if min_age <= time.monotonic() - at <= max_age else None


@contextmanager
def quiet_loading() -> Iterator[None]:
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


def compute_dtype(variable: str) -> str:
    """``bfloat16`` where the CPU multiplies it natively (AVX512-BF16 or AMX: several times faster than fp32),
    else ``float32``; the ``MTCHECK_*`` ``variable`` (``float32`` or ``bfloat16``) overrides."""
    from pathlib import Path

    from .config import environment_value, parse_dtype

    forced = parse_dtype(variable, environment_value(variable))
    if forced is not None:
        return forced
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="ignore")
    except OSError:
        return "float32"
    return "bfloat16" if ("avx512_bf16" in flags or "amx_bf16" in flags) else "float32"
