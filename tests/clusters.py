"""Real Dask and Ray clusters on localhost, each server, worker and node a process of its own.

Used by ``tests/test_engines_cluster.py`` and ``bench/engines.py``. Every process is started
in a process group of its own and :meth:`Processes.stop_all` ends every one (the leader
first, politely, then the group and every descendant by SIGKILL); every port is a free
one; every wait has a limit and raises :class:`ClusterError` rather than hang.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: one token for every Ray process started here (Ray clusters use token authentication by default)
RAY_TOKEN = secrets.token_hex(32)


class ClusterError(RuntimeError):
    """A cluster process that did not start, or a wait that ran out."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _tail(log: Path | None) -> str:
    return log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 90.0, proc: subprocess.Popen | None = None,
               log: Path | None = None) -> None:
    """Until ``condition()``; ClusterError (with the log's tail) when ``proc`` exits or ``timeout`` s pass."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise ClusterError(f"{what}: the process exited with {proc.returncode}\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise ClusterError(f"{what}: not within {timeout:.0f} s\n{_tail(log)}")
        time.sleep(0.2)


def cluster_env(**extra: str) -> dict[str, str]:
    """The environment of every process here: this checkout first on the path, no network, the Ray token."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": RAY_TOKEN,
            "PYTHONUNBUFFERED": "1", **extra}


class Processes:
    """Processes started here, each in its own process group; :meth:`stop_all` ends every one."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, args: list[str], log: Path, cwd: Path) -> subprocess.Popen:
        with log.open("ab") as fh:
            proc = subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd,
                                    env=cluster_env(), start_new_session=True)
        self.procs.append(proc)
        return proc

    @staticmethod
    def tree(proc: subprocess.Popen) -> list:
        """``proc`` and its descendants now (psutil processes)."""
        import psutil

        try:
            root = psutil.Process(proc.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL ``proc``, its process group and every descendant: a worker dying without warning."""
        import psutil

        tree = self.tree(proc)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for p in tree:
            with contextlib.suppress(psutil.Error):
                p.kill()
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        import psutil

        trees = {proc.pid: self.tree(proc) for proc in self.procs}
        for proc in reversed(self.procs):  # the leader stops its own children (`ray start --block` does)
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 20
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            for p in trees[proc.pid]:
                with contextlib.suppress(psutil.Error):
                    p.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)


class DaskCluster:
    """``dask scheduler`` on a free port of 127.0.0.1 and ``dask worker`` processes (1 thread each) over TCP."""

    def __init__(self, procs: Processes, folder: Path) -> None:
        self.procs, self.folder = procs, folder
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        log = folder / "scheduler.log"
        self.scheduler = procs.start([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                      str(self.port), "--no-dashboard"], log, folder)
        wait_until(lambda: port_open(self.port), "dask scheduler", proc=self.scheduler, log=log)
        self.workers: list[subprocess.Popen] = []

    def add_worker(self) -> subprocess.Popen:
        n = len(self.workers)
        folder = self.folder / f"worker{n}"
        folder.mkdir()
        proc = self.procs.start([sys.executable, "-m", "dask", "worker", self.address, "--nthreads", "1",
                                 "--nworkers", "1", "--no-dashboard", "--name", f"w{n}", "--local-directory",
                                 str(folder), "--death-timeout", "60"], folder / "worker.log", folder)
        self.workers.append(proc)
        return proc

    def alive(self) -> list[subprocess.Popen]:
        return [w for w in self.workers if w.poll() is None]

    def wait_for(self, n: int) -> None:
        """Until the scheduler has exactly ``n`` workers."""
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            wait_until(lambda: len(client.nthreads()) == n, f"{n} dask workers", log=self.folder / "scheduler.log")

    def ensure(self, n: int = 2) -> None:
        """Start workers until ``n`` are alive, and wait until the scheduler has them all."""
        while len(self.alive()) < n:
            self.add_worker()
        self.wait_for(n)


class RayCluster:
    """``ray start --head`` (1 CPU) and further ``ray start --address=...`` nodes (1 CPU each) on 127.0.0.1."""

    def __init__(self, procs: Processes) -> None:
        self.procs = procs
        # short: Ray's socket paths live under it and must fit in 107 bytes
        self.folder = Path(tempfile.mkdtemp(prefix="mtray-"))
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.head = self._start(["--head", "--port", str(self.port), "--include-dashboard", "false",
                                 "--dashboard-port", str(free_port()), "--temp-dir", str(self.folder)], "head")
        self.nodes: list[subprocess.Popen] = []

    def _start(self, args: list[str], name: str) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        ports = ["--node-manager-port", "--object-manager-port", "--dashboard-agent-listen-port",
                 "--dashboard-agent-grpc-port", "--metrics-export-port", "--runtime-env-agent-port"]
        proc = self.procs.start([sys.executable, "-m", "ray.scripts.scripts", "start", "--block", *args,
                                 "--node-ip-address", "127.0.0.1", "--num-cpus", "1", "--object-store-memory",
                                 str(100 * 1024 * 1024), "--disable-usage-stats",
                                 *[x for p in ports for x in (p, str(free_port()))]], log, self.folder)
        wait_until(lambda: "Ray runtime started" in log.read_text(errors="replace"), f"ray {name}", proc=proc,
                   log=log, timeout=120)
        return proc

    def add_node(self) -> subprocess.Popen:
        node = self._start(["--address", self.address], f"node{len(self.nodes)}")
        self.nodes.append(node)
        return node

    def alive(self) -> list[subprocess.Popen]:
        """The nodes besides the head that are alive."""
        return [n for n in self.nodes if n.poll() is None]

    def ensure(self, n: int = 2) -> None:
        """Start nodes until the head and ``n - 1`` more are alive (1 CPU each)."""
        while len(self.alive()) < n - 1:
            self.add_node()

    def remove_folder(self) -> None:
        """Remove the temporary folder (after :meth:`Processes.stop_all`; a dying process may still write)."""
        for _ in range(20):
            shutil.rmtree(self.folder, ignore_errors=True)
            if not self.folder.exists():
                return
            time.sleep(0.5)
