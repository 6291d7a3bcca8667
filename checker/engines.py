"""Where batches are checked: in this process, a local process pool, Dask or Ray.

Every engine maps :func:`checker.corpus.check_batch` over batches and yields the
results **in input order**, with a bounded number of batches in flight (so memory
stays flat on any corpus). Models are loaded once per worker process and kept in
the process-wide cache (:func:`checker.resources.shared_resource`).

* ``local`` (default): ``--jobs 1`` checks in this process; more jobs use a
  ``ProcessPoolExecutor`` of spawned workers, each warmed when it starts.
* ``dask``: batches as ``dask.distributed`` futures; a ``LocalCluster`` of
  ``--jobs`` single-threaded worker processes, or the scheduler at
  ``--engine-address`` (``tcp://host:8786``).
* ``ray``: batches as Ray tasks; a local Ray instance with ``--jobs`` CPUs, or the
  cluster at ``--engine-address`` (``host:6379`` from a cluster node, ``auto``, or
  ``ray://host:10001`` with ``ray[client]``).

On a cluster (an address) each worker sets itself up on its first batch of a run
(:func:`run_remote`: threads, models, the same mtcheck version as the driver), so
workers that join late or are restarted need nothing from the driver. A batch
whose worker dies is run again on another worker (Dask: the scheduler reschedules
it, ``retries``; Ray: ``max_retries``), up to :data:`RETRIES` times; results still
come out in input order. When no worker is left for :func:`engine_timeout`
seconds, or a batch keeps killing workers, the run stops with
:class:`WorkerLost` (one line; ``--resume`` continues it).
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .config import environment_threads, environment_value
from .errors import InputError
from .resources import available_cores

ENGINES = ("local", "dask", "ray")
#: batches in flight per worker: enough to keep every worker busy, few enough to bound memory
WINDOW_PER_WORKER = 3
#: times a batch is run again after its worker died (or it failed) before the run stops
RETRIES = 3
#: seconds to reach a cluster, and to wait when it has no worker left (``MTCHECK_ENGINE_TIMEOUT``)
DEFAULT_TIMEOUT = 30.0
#: seconds between looks at the cluster while waiting for a batch
POLL = 2.0

T = TypeVar("T")
R = TypeVar("R")


class EngineError(InputError):
    """An engine that cannot be used: package missing, cluster unreachable, no workers (one line, exit 2)."""


class WorkerLost(EngineError):
    """Cluster workers died and a batch could not be finished elsewhere; the run can be resumed."""


def engine_timeout() -> float:
    """Seconds to wait for a cluster (to connect, for a first worker, for a worker when none is left)."""
    raw = environment_value("MTCHECK_ENGINE_TIMEOUT") or ""
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise EngineError(f"MTCHECK_ENGINE_TIMEOUT must be a positive number of seconds, not {raw!r}")
    return value


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def host_port(address: str, default_port: int) -> tuple[str, int] | None:
    """Host and port of a cluster address (``tcp://h:p``, ``ray://h:p``, ``h:p``, ``[::1]:p``); None for
    addresses without one (Ray's ``auto``/``local``, Dask's ``inproc://``)."""
    scheme, _, rest = address.rpartition("://")
    if address in ("auto", "local") or scheme in ("inproc", "ucx"):
        return None
    parts = urlsplit("//" + rest)
    try:
        port = parts.port or default_port
    except ValueError:
        raise EngineError(f"--engine-address {address!r}: not HOST:PORT") from None
    if not parts.hostname:
        raise EngineError(f"--engine-address {address!r}: no host")
    return parts.hostname, port


def reach(address: str, default_port: int, what: str, timeout: float) -> None:
    """Refuse an address nothing answers on (a TCP connect), before a client library retries it for minutes."""
    hp = host_port(address, default_port)
    if hp is None:
        return
    try:
        socket.create_connection(hp, timeout=min(timeout, 10.0)).close()
    except OSError as exc:
        reason = exc.strerror or _first_line(exc)
        raise EngineError(f"cannot reach the {what} at {address}: {reason}") from None


class _HeldStderr:
    """Hold what is written to file descriptor 2 (C++ libraries too) and write it out at the end, unless
    :meth:`drop` was called: Ray's core logs every failed attempt to reach a cluster, a line a second."""

    def __enter__(self) -> _HeldStderr:
        import tempfile

        self.text, self.dropped = "", False
        sys.stderr.flush()
        self.saved = os.dup(2)
        self.file = tempfile.TemporaryFile()
        os.dup2(self.file.fileno(), 2)
        return self

    def drop(self) -> None:
        self.dropped = True

    def __exit__(self, *exc: object) -> None:
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.file.seek(0)
        data = self.file.read()
        self.file.close()
        self.text = data.decode("utf-8", "replace")
        if data and not self.dropped:
            sys.stderr.write(self.text)
            sys.stderr.flush()


def ordered(submit: Callable[[T], Any], result: Callable[[Any], R], items: Iterable[T], window: int) -> Iterator[R]:
    """Submit ``items`` with at most ``window`` pending; yield their results in order."""
    pending: deque[Any] = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


# -- on a worker -----------------------------------------------------------------------

_READY: set[str] = set()
_READY_LOCK = threading.Lock()


def prepare(init: Callable[..., None], job: Any, threads: int | None, own: bool, run: str, version: str) -> None:
    """Set this worker process up for run ``run`` once: check the mtcheck version, then ``init``
    (threads, models). ``threads`` None: the worker's ``MTCHECK_THREADS``, else 1 (one batch per
    core, like Ray's one CPU per task). ``own``: a worker this run started (it may ignore Ctrl-C)."""
    if run in _READY:
        return
    with _READY_LOCK:
        if run in _READY:
            return
        from ._version import __version__

        if __version__ != version:
            raise EngineError(f"a worker on {socket.gethostname()} runs mtcheck {__version__}, the driver {version}: "
                              "install the same version everywhere")
        if threads is None:
            threads = environment_threads() or 1
        init(job, threads, own)
        _READY.add(run)


def run_remote(fn: Callable[..., Any], setup: tuple[Any, ...], first: int, batch: list[Any]) -> Any:
    """One batch on a Dask or Ray worker: set the worker up on its first batch of the run, then check."""
    prepare(*setup)
    return fn(setup[1], first, batch)


# -- engines -----------------------------------------------------------------------------


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
                                        initializer=_pool_init, initargs=(init, os.getpid(), job, threads, True))

    def map(self, batches: Iterable[tuple[int, list[Any]]]) -> Iterator[Any]:
        return ordered(lambda b: self.pool.submit(self.fn, self.job, *b), lambda f: f.result(), batches,
                       self.jobs * WINDOW_PER_WORKER)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _ClusterEngine(Engine):
    """What the Dask and Ray engines share: the per-run worker set-up and the wait for a batch."""

    what = "cluster"

    def __init__(self, fn: Callable[..., Any], job: Any, jobs: int, init: Callable[..., None], threads: int,
                 address: str | None) -> None:
        from ._version import __version__

        super().__init__(fn, job, jobs)
        self.address = address
        self.timeout = engine_timeout()
        # on a cluster the workers choose their threads and keep Ctrl-C; a local cluster is ours
        self.setup = (init, job, None if address else threads, not address, uuid.uuid4().hex, __version__)
        self.slots = self.jobs

    def _workers(self) -> int:
        """Task slots the cluster has now."""
        raise NotImplementedError

    def _submit(self, batch: tuple[int, list[Any]]) -> Any:
        """Send one batch; a future of its result."""
        raise NotImplementedError

    def _result(self, future: Any) -> Any:
        """The result of a future from :meth:`_submit`, waiting as long as workers are there to compute it."""
        raise NotImplementedError

    def map(self, batches: Iterable[tuple[int, list[Any]]]) -> Iterator[Any]:
        return ordered(self._submit, self._result, batches, self.slots * WINDOW_PER_WORKER)

    def _wait(self, get: Callable[[float], Any], timeouts: tuple[type[BaseException], ...]) -> Any:
        """``get(POLL)`` until it answers; WorkerLost when the cluster has had no worker for ``timeout`` s."""
        idle_since: float | None = None
        while True:
            try:
                return get(POLL)
            except timeouts:
                if self._workers() > 0:
                    idle_since = None
                elif idle_since is None:
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > self.timeout:
                    raise WorkerLost(f"no {self.name} worker left on the {self.what} at {self.address or 'localhost'} "
                                     f"for {self.timeout:.0f} s") from None


class _NoAllExit(logging.Filter):
    """Drops asyncio's "Task exception was never retrieved" for distributed's internal ``AllExit``: a client
    closed while fetching a result from a worker that died leaves one behind, a traceback on stderr."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and type(record.exc_info[1]).__name__ == "AllExit")


_ASYNCIO_FILTER = _NoAllExit()


class DaskEngine(_ClusterEngine):
    """Batches as Dask futures on a distributed client (a local cluster, or the scheduler at an address)."""

    name = "dask"
    what = "Dask scheduler"

    def __init__(self, fn: Callable[..., Any], job: Any, jobs: int, init: Callable[..., None], threads: int,
                 address: str | None = None) -> None:
        super().__init__(fn, job, jobs, init, threads, address)
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise EngineError("--engine dask needs `pip install \"dask[distributed]\"`") from None
        self.client: Any = None
        self.cluster: Any = None
        # "Couldn't gather keys, rescheduling" after a worker died: the rescheduling is the normal course here
        self.log = logging.getLogger("distributed.client")
        self.log_level = self.log.level
        self.log.setLevel(logging.ERROR)
        logging.getLogger("asyncio").addFilter(_ASYNCIO_FILTER)  # the same filter object: added once
        try:
            if address:
                reach(address, 8786, self.what, self.timeout)
                try:
                    self.client = Client(address, timeout=self.timeout, set_as_default=False)
                except (OSError, TimeoutError) as exc:
                    raise EngineError(f"cannot connect to the Dask scheduler at {address}: {_first_line(exc)}") from None
                try:
                    self.client.wait_for_workers(1, timeout=self.timeout)
                except TimeoutError:
                    raise EngineError(f"the Dask scheduler at {address} has no workers "
                                      f"(waited {self.timeout:.0f} s)") from None
                self.slots = max(1, self._workers())
            else:
                self.cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=40)
                self.client = Client(self.cluster, set_as_default=False)
                self.client.run(prepare, *self.setup)  # our own workers: warm every one before the first batch
        except BaseException:
            self.close()
            raise

    def _workers(self) -> int:
        return sum(self.client.nthreads().values())

    def _submit(self, batch: tuple[int, list[Any]]) -> Any:
        return self.client.submit(run_remote, self.fn, self.setup, *batch, pure=False, retries=RETRIES)

    def _result(self, future: Any) -> Any:
        from distributed.scheduler import KilledWorker

        done = threading.Event()
        future.add_done_callback(lambda _: done.set())

        def get(timeout: float) -> Any:
            # waiting on an event, not on future.result(timeout=...): that one leaves a task behind
            # each time it times out, which prints a traceback when the client closes
            if not done.wait(timeout):
                raise TimeoutError
            return future.result(timeout=self.timeout)

        try:
            return self._wait(get, (TimeoutError,))
        except KilledWorker as exc:
            raise WorkerLost(f"Dask gave up on a batch: the workers running it kept dying ({_first_line(exc)})") from None
        except (CancelledError, OSError) as exc:  # OSError: distributed's CommClosedError, a scheduler that died
            raise WorkerLost(f"lost the Dask scheduler at {self.address or 'localhost'} "
                             f"({type(exc).__name__})") from None
        except ImportError as exc:
            raise EngineError(f"a Dask worker cannot run mtcheck ({_first_line(exc)}): install mtcheck, "
                              "the same version, on every worker") from None

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
        self.log.setLevel(self.log_level)


class RayEngine(_ClusterEngine):
    """Batches as Ray tasks (a local Ray instance, or the cluster at an address)."""

    name = "ray"
    what = "Ray cluster"

    def __init__(self, fn: Callable[..., Any], job: Any, jobs: int, init: Callable[..., None], threads: int,
                 address: str | None = None) -> None:
        super().__init__(fn, job, jobs, init, threads, address)
        try:
            import ray
        except ImportError:
            raise EngineError("--engine ray needs `pip install ray`") from None
        self.ray = ray
        self.started = False
        try:
            if not ray.is_initialized():
                kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                          "configure_logging": False}
                if address:
                    reach(address, 10001 if address.startswith("ray://") else 6379, self.what, self.timeout)
                    failed: Exception | None = None
                    with _HeldStderr() as held:
                        try:
                            ray.init(address=address, **kwargs)
                        except Exception as exc:
                            held.drop()
                            failed = exc
                    if failed is not None:
                        reason = _first_line(failed)
                        if "Unauthenticated" in held.text or "InvalidAuthToken" in held.text:
                            reason = "it wants its authentication token (set RAY_AUTH_TOKEN)"
                        raise EngineError(f"cannot connect to the Ray cluster at {address}: {reason}") from None
                else:
                    ray.init(num_cpus=self.jobs, **kwargs)
                self.started = True
            if address:
                self.slots = max(1, self._wait_for_cpus())
            self.remote = ray.remote(num_cpus=1, max_retries=RETRIES)(run_remote)
        except BaseException:
            self.close()
            raise

    def _workers(self) -> int:
        return int(self.ray.cluster_resources().get("CPU", 0))

    def _wait_for_cpus(self) -> int:
        deadline = time.monotonic() + self.timeout
        while (cpus := self._workers()) < 1:
            if time.monotonic() > deadline:
                raise EngineError(f"the Ray cluster at {self.address} has no CPUs (waited {self.timeout:.0f} s)")
            time.sleep(0.5)
        return cpus

    def _submit(self, batch: tuple[int, list[Any]]) -> Any:
        return self.remote.remote(self.fn, self.setup, *batch)

    def _result(self, ref: Any) -> Any:
        from ray.exceptions import GetTimeoutError, RayError, RayTaskError

        try:
            return self._wait(lambda t: self.ray.get(ref, timeout=t), (GetTimeoutError,))
        except RayTaskError as exc:  # the batch itself raised: a one-line error stays one line
            cause = getattr(exc, "cause", None)
            if isinstance(cause, EngineError):
                raise type(cause)(str(cause)) from None
            if isinstance(cause, ImportError):
                raise EngineError(f"a Ray worker cannot run mtcheck ({_first_line(cause)}): install mtcheck, "
                                  "the same version, on every node") from None
            raise
        except RayError as exc:  # worker or node died and the retries ran out
            raise WorkerLost(f"Ray gave up on a batch: {type(exc).__name__}: {_first_line(exc)}") from None

    def close(self) -> None:
        if self.started and self.ray.is_initialized():
            self.ray.shutdown()
        self.started = False


def make_engine(name: str, fn: Callable[..., Any], job: Any, jobs: int, init: Callable[..., None],
                address: str | None = None) -> Engine:
    """The engine ``name`` with ``jobs`` workers; each worker gets ``cores // jobs`` threads (at least 1).

    With an ``address`` the cluster's workers are used, however many it has (``jobs`` is ignored).
    ``init(job, threads, own)`` sets a worker process up (``own``: a worker this run started).
    """
    if name not in ENGINES:
        raise InputError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")
    if address and name == "local":
        raise InputError("--engine-address needs --engine dask or --engine ray")
    threads = max(1, available_cores() // max(1, jobs))
    if name == "dask":
        return DaskEngine(fn, job, jobs, init, threads, address)
    if name == "ray":
        return RayEngine(fn, job, jobs, init, threads, address)
    if jobs <= 1:
        return Engine(fn, job, 1)  # in this process: models load lazily on the first batch
    return PoolEngine(fn, job, jobs, init, threads)
