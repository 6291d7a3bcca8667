"""Where output goes, without destroying anything on the way.

* ``-`` is standard output; a character device, a FIFO or a socket (``/dev/null``, a named pipe) is
  written through, as a shell's ``>`` would: only a regular file (or a new path) is written through a
  temporary file and a rename (:func:`checker.io.files.write_atomic`), which would replace a device.
* An output that names an input (the same path after symbolic links, or the same file through a hard
  link: the same device and inode), another output, or a file the run keeps beside it
  (``X.partial``, ``X.ckpt``, ``X.lock``) is refused before any work (:func:`refuse_clashes`).
* One run at a time writes an output: :func:`output_lock` holds an exclusive ``flock`` on ``X.lock``
  and refuses a second run with one line.
* A path that cannot be written (a directory, a path under a regular file, no permission) is one
  :class:`~checker.errors.InputError` line before any work (:func:`check_writable`).

Imports nothing from the package but its errors and :mod:`checker.io.files`.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..errors import InputError
from .files import write_atomic

#: files a run may keep beside its output ``X``: the partial output and checkpoint of a streamed run, the lock
COMPANIONS: tuple[str, ...] = (".partial", ".ckpt", ".lock")
#: first line of a lock file mtcheck made (a lock file without it is not mtcheck's to delete)
LOCK_MARK = b"mtcheck output lock\n"


def is_stdout(path: str | None) -> bool:
    return path == "-"


def is_special(path: str | Path) -> bool:
    """Whether ``path`` is an existing file that is not a regular file or a directory (a device, FIFO, socket)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def writes_through(path: str | None) -> bool:
    """Whether output to ``path`` is written straight into it (stdout, a device, a FIFO) rather than renamed into place."""
    return path is not None and (is_stdout(path) or is_special(path))


def _identity(path: str | Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _same(a: str | Path, b: str | Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    ia = _identity(a)
    return ia is not None and ia == _identity(b)


def refuse_clashes(outputs: Mapping[str, str | None], inputs: Mapping[str, str | None]) -> None:
    """InputError when an output (option -> path) names an input (what -> path), another output, or a file the run
    keeps beside an output (``X.partial``, ``X.ckpt``, ``X.lock``) that is an input. Paths are compared after
    symbolic links and by device and inode (hard links). ``-`` and devices/FIFOs are never the same as a file."""
    files = {opt: p for opt, p in outputs.items() if p and not writes_through(p)}
    given = {what: p for what, p in inputs.items() if p and p != "-"}
    for opt, out in files.items():
        for what, path in given.items():
            if _same(out, path):
                raise InputError(f"{opt} {out} is the {what} input ({path}); input files are never modified: "
                                 "choose another output path")
            for suffix in COMPANIONS:
                if _same(out + suffix, path):
                    raise InputError(f"{opt} {out}: the run keeps {out + suffix} beside it, which is the {what} "
                                     f"input; input files are never modified or deleted: choose another output path")
    names = list(files.items())
    for i, (opt, out) in enumerate(names):
        for other, path in names[i + 1:]:
            if _same(out, path):
                raise InputError(f"{other} {path} is also the {opt} output; give each output its own path")


def check_writable(path: str, option: str = "--output") -> None:
    """InputError (one line) when ``path`` cannot be written: a directory, a path under a regular file, a folder
    without write permission. ``-`` and devices/FIFOs are fine; missing folders will be made."""
    if writes_through(path):
        return
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{option} {path}: is a directory; name a file")
    parent = p.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{option} {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{option} {path}: permission denied (cannot write in {parent})")
    if p.exists() and not os.access(p, os.W_OK):
        raise InputError(f"{option} {path}: permission denied")


def cannot_write(path: str | Path, exc: OSError) -> InputError:
    """The one-line error for an OSError met while writing ``path``."""
    reason = exc.strerror or str(exc)
    return InputError(f"{path}: cannot write ({reason})")


def write_output(path: str, data: str) -> None:
    """Write ``data`` to ``path``: stdout for ``-``, straight into a device or FIFO, atomically into a file."""
    try:
        if is_stdout(path):
            sys.stdout.write(data)
            sys.stdout.flush()
        elif is_special(path):
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(data)
        else:
            write_atomic(os.path.realpath(path), data)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise cannot_write(path, exc) from None


@contextmanager
def open_through(path: str) -> Iterator[IO[str]]:
    """A text stream that writes straight into ``path`` (``-``: stdout, left open; a device or FIFO: opened here)."""
    if is_stdout(path):
        yield sys.stdout
        return
    try:
        fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115  (closed by the with below)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    with fh:
        yield fh


def lock_path(path: str | Path) -> Path:
    return Path(str(path) + ".lock")


@contextmanager
def output_lock(path: str | None) -> Iterator[None]:
    """Hold an exclusive lock on output ``path`` (``flock`` on ``PATH.lock``) for the ``with`` block.

    A second run that asks for the same output while the lock is held gets a one-line InputError. The
    lock file is removed afterwards when this run made it (or a run killed earlier left it: it starts with
    :data:`LOCK_MARK`); a file of that name mtcheck did not write is left alone. Nothing to lock for
    stdout, a device or a FIFO. The lock is released by the kernel if the process dies.
    """
    if path is None or writes_through(path):
        yield
        return
    import fcntl

    real = os.path.realpath(path)
    lock = lock_path(real)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    fd = -1
    ours = False
    for _ in range(20):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
            os.write(fd, LOCK_MARK)
            ours = True
        except FileExistsError:
            try:
                fd = os.open(lock, os.O_RDONLY)
            except FileNotFoundError:  # the run that held it just removed it: try again
                continue
            except OSError as exc:
                raise cannot_write(lock, exc) from None
            ours = os.pread(fd, len(LOCK_MARK), 0) == LOCK_MARK
        except OSError as exc:
            raise cannot_write(lock, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise InputError(f"{path}: another mtcheck run is writing it (it holds {lock}); wait for that run to "
                                 "finish or choose another output path") from None
            raise cannot_write(lock, exc) from None
        if _identity(lock) == (os.fstat(fd).st_dev, os.fstat(fd).st_ino):
            break
        os.close(fd)  # locked a file its run removed in the meantime: lock the one at the path now
        fd = -1
    if fd < 0:
        raise InputError(f"{path}: could not lock {lock}; is another mtcheck run starting on it?")
    try:
        yield
    finally:
        if ours:
            try:
                os.unlink(lock)
            except OSError:
                pass
        os.close(fd)
