"""Where batches are checked: in this process, a local process pool, Dask or Ray.

Every engine maps :func:`checker.corpus.check_batch` over batches and yields the
results **in input order**, with a bounded number of batches in flight (so memory
stays flat on any corpus). Models are loaded once per worker process: each
worker warms them when it starts and keeps them in the process-wide cache
(:func:`checker.context.shared_resource`).

* ``local`` (default): ``--jobs 1`` checks in this process; more jobs use a
  ``ProcessPoolExecutor`` of spawned workers.
* ``dask``: a ``dask.distributed`` client; a ``LocalCluster`` of ``--jobs``
  single-threaded worker processes, or the scheduler at ``--engine-address``
  (``tcp://host:8786``).
* ``ray``: one Ray actor per worker (models loaded in the actor's constructor);
  a local Ray instance with ``--jobs`` CPUs, or the cluster at ``--engine-address``
  (``ray://host:10001`` or ``auto``).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, TypeVar

from .io.readers import InputError

ENGINES = ("local", "dask", "ray")
#: batches in flight per worker: enough to keep every worker busy, few enough to bound memory
WINDOW_PER_WORKER = 3

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def ordered(submit: Callable[[T], Any], result: Callable[[Any], R], items: Iterable[T], window: int) -> Iterator[R]:
    """Submit ``items`` with at most ``window`` pending; yield their results in order."""
    pending: deque[Any] = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


class Engine:
    """Base engine: checks batches in this process."""

    name = "local"

    def __init__(self, fn: Callable[..., R], job: Any, jobs: int = 1) -> None:
        self.fn, self.job, self.jobs = fn, job, max(1, jobs)

    def map(self, batches: Iterable[tuple[int, list[Any]]]) -> Iterator[Any]:
        for first, batch in batches:
            yield self.fn(self.job, first, batch)

    def close(self) -> None:
        """Release workers; safe to call twice."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _exit_with_parent(parent: int, interval: float = 1.0) -> None:
    """Exit this process soon after ``parent`` dies (a ``kill -9`` of the CLI must not leave idle workers)."""
    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            os._exit(1)


def _pool_init(init: Callable[..., None], parent: int, *args: Any) -> None:
    """Pool worker start-up: watch the parent process, then run ``init``."""
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="mtcheck-parent-watch").start()
    init(*args)


class PoolEngine(Engine):
    """A local pool of spawned worker processes (spawn: no inherited model or thread state).

    Workers exit by themselves when the main process dies, even by ``kill -9``.
    """

    def __init__(self, fn: Callable[..., Any], job: Any, jobs: int, init: Callable[..., None], threads: int) -> None:
        super().__init__(fn, job, jobs)
        self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=get_context("spawn"),
                                        initializer=_pool_init, initargs=(init, os.getpid(), job, threads))

    def map(self, batches: Iterable[tuple[int, list[Any]]]) -> Iterator[Any]:
        return ordered(lambda b: self.pool.submit(self.fn, self.job, *b), lambda f: f.result(), batches,
                       self.jobs * WINDOW_PER_WORKER)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine(Engine):
    """Batches as Dask futures on a distributed client (local cluster or a scheduler address)."""

    name = "dask"

    def __init__(self, fn: Callable[..., Any], job: Any, jobs: int, init: Callable[..., None], threads: int,
                 address: str | None = None) -> None:
        super().__init__(fn, job, jobs)
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise InputError("--engine dask needs `pip install \"dask[distributed]\"`") from None
        self.cluster = None
        if address:
            self.client = Client(address)
        else:
            self.cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)
        self.client.run(init, job, threads)  # warm the models once on every worker
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, batches: Iterable[tuple[int, list[Any]]]) -> Iterator[Any]:
        return ordered(lambda b: self.client.submit(self.fn, self.job, *b, pure=False), lambda f: f.result(), batches,
                       self.workers * WINDOW_PER_WORKER)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


class _RayWorker:
    """A Ray actor holding warmed models; checks the batches sent to it."""

    def __init__(self, fn: Callable[..., Any], init: Callable[..., None], job: Any, threads: int) -> None:
        init(job, threads)
        self.fn, self.job = fn, job

    def check(self, first: int, batch: list[Any]) -> Any:
        return self.fn(self.job, first, batch)


class RayEngine(Engine):
    """Batches sent round-robin to one Ray actor per worker (local Ray or a cluster address)."""

    name = "ray"

    def __init__(self, fn: Callable[..., Any], job: Any, jobs: int, init: Callable[..., None], threads: int,
                 address: str | None = None) -> None:
        super().__init__(fn, job, jobs)
        try:
            import ray
        except ImportError:
            raise InputError("--engine ray needs `pip install ray`") from None
        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
            if address:
                ray.init(address=address, **kwargs)
            else:
                ray.init(num_cpus=self.jobs, **kwargs)
        actor = ray.remote(num_cpus=1)(_RayWorker)
        self.actors = [actor.remote(fn, init, job, threads) for _ in range(self.jobs)]
        self.turn = 0

    def _submit(self, b: tuple[int, list[Any]]) -> Any:
        actor = self.actors[self.turn % len(self.actors)]
        self.turn += 1
        return actor.check.remote(*b)

    def map(self, batches: Iterable[tuple[int, list[Any]]]) -> Iterator[Any]:
        return ordered(self._submit, self.ray.get, batches, len(self.actors) * WINDOW_PER_WORKER)

    def close(self) -> None:
        for a in getattr(self, "actors", []):
            self.ray.kill(a)
        self.actors = []
        if self.started and self.ray.is_initialized():
            self.ray.shutdown()
            self.started = False


def make_engine(name: str, fn: Callable[..., Any], job: Any, jobs: int, init: Callable[..., None],
                address: str | None = None) -> Engine:
    """The engine ``name`` with ``jobs`` workers; each worker gets ``cores // jobs`` threads (at least 1)."""
    if name not in ENGINES:
        raise InputError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")
    if address and name == "local":
        raise InputError("--engine-address needs --engine dask or --engine ray")
    threads = max(1, default_jobs() // max(1, jobs))
    if name == "dask":
        return DaskEngine(fn, job, jobs, init, threads, address)
    if name == "ray":
        return RayEngine(fn, job, jobs, init, threads, address)
    if jobs <= 1:
        return Engine(fn, job, 1)  # in this process: models load lazily on the first batch
    return PoolEngine(fn, job, jobs, init, threads)
