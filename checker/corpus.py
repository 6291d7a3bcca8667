"""Check a corpus of any size: stream records in, write one JSON line per record out, in order.

Records are read lazily (:mod:`checker.io.stream`), grouped into batches of
``batch_size``, each batch checked with :func:`checker.check_pairs` (one report,
split per unit with :func:`checker.render.records.segment_records`) on an engine
(:mod:`checker.engines`: this process, a process pool, Dask or Ray), and the
results written as they come, in input order.

Output records are those of ``mtcheck check pairs.jsonl --format jsonl``:
``id``, ``index`` (0-based record number), ``score``, ``similarity`` (when the
embedding checks run), ``findings`` (offsets into that record's target),
``source``, ``target``. A malformed record read with ``skip_bad`` becomes
``{"index": i, "line": n, "error": "..."}`` in its place, and is counted.

Resumable output (:class:`FileSink`): records go to ``PATH.partial``; after each
batch the file is flushed and fsynced and ``PATH.ckpt`` (records done, bytes,
running totals) replaced atomically. A resumed run truncates the partial file to
the checkpointed byte count, skips that many input records and goes on; the
finished file is renamed to ``PATH``, so ``PATH`` is never half-written.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from stat import S_ISREG
from typing import IO, Any

from ._version import __version__
from .api import check_pairs
from .config import Config, environment_value
from .engines import WorkerLost, make_engine
from .errors import ConfigError, InputError
from .io.files import display_name, open_input
from .io.output import cannot_write, check_writable, open_through, output_lock, writes_through
from .io.records import surrogate_note
from .io.stream import Record, iter_records, stream_kind
from .render.records import segment_records
from .resources import available_cores

BATCH_SIZE = 256
#: distinct run warnings (a check that failed, a model that did not load) kept for the summary
MAX_ERRORS = 100
PROFILES = ("full", "fast")
_WARM_UNIT = {"source": "The committee approved the budget.", "target": "Der Ausschuss billigte den Haushalt.", "id": None}


def profile_disables(profile: str | None) -> list[str]:
    """Check ids a profile switches off: ``fast`` drops every model-backed check (sentence embeddings and
    the language model, the learned quality model), leaving the rule and dictionary checks; ``full`` drops nothing."""
    if profile in (None, "full"):
        return []
    if profile != "fast":
        raise ConfigError(f"unknown profile {profile!r} (choose from {', '.join(PROFILES)})")
    from .selection import all_checks

    return [cid for cid, c in all_checks().items() if c.requires]


@dataclass
class CorpusJob:
    """What a worker needs to check a batch (sent to every worker, so small and picklable)."""

    config: Config
    src_lang: str | None = None
    tgt_lang: str | None = None
    #: the glossary's file name and text, for workers that cannot read the driver's file (:func:`portable_job`)
    glossary: tuple[str, str] | None = None


#: the settings that may name a model folder
_MODEL_SETTINGS = ("embedding_model", "crosslingual_model", "lm_model")


def _absolute(spec: str) -> str:
    """A model setting with a relative folder that exists here made absolute (``st:`` prefix kept)."""
    prefix, path = ("st:", spec[3:]) if spec.startswith("st:") else ("", spec)
    p = Path(path).expanduser()
    return prefix + str(p.resolve()) if not p.is_absolute() and p.exists() else spec


def portable_job(job: CorpusJob) -> CorpusJob:
    """``job`` for workers in other processes or on other machines: the glossary travels as text
    (a worker's working directory, or machine, is not the driver's) and model folders given as
    relative paths become absolute (on other machines they must exist at the same path)."""
    config = copy.copy(job.config)
    for name in _MODEL_SETTINGS:
        value = getattr(config, name, None)
        if isinstance(value, str) and value:
            setattr(config, name, _absolute(value))
    glossary = None
    path = config.params.get("terminology", {}).get("glossary")
    if path:
        glossary = (Path(path).name, Path(path).read_text(encoding="utf-8-sig"))
    return CorpusJob(config, job.src_lang, job.tgt_lang, glossary)


_GLOSSARY_FILES: dict[str, str] = {}
_GLOSSARY_LOCK = threading.Lock()


def _localised(job: CorpusJob) -> CorpusJob:
    """On a worker: ``job`` reading its carried glossary from a file of this process (written once per text)."""
    if job.glossary is None:
        return job
    name, text = job.glossary
    key = hashlib.sha256(f"{name}\0{text}".encode()).hexdigest()
    with _GLOSSARY_LOCK:
        if key not in _GLOSSARY_FILES:
            import atexit
            import shutil
            import tempfile

            folder = tempfile.mkdtemp(prefix="mtcheck-glossary-")
            atexit.register(shutil.rmtree, folder, True)
            (Path(folder) / name).write_text(text, encoding="utf-8")
            _GLOSSARY_FILES[key] = str(Path(folder) / name)
    config = copy.copy(job.config)
    config.params = {**config.params, "terminology": {**config.params["terminology"], "glossary": _GLOSSARY_FILES[key]}}
    return CorpusJob(config, job.src_lang, job.tgt_lang)


@dataclass
class BatchResult:
    first: int
    lines: list[str]
    checked: int = 0
    bad: int = 0
    score_sum: float = 0.0
    errors: list[str] = field(default_factory=list)


def _dumps(record: dict[str, Any]) -> str:
    """One JSON line; text with lone surrogates (valid JSON escapes, invalid UTF-8) is written escaped."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record, ensure_ascii=True)
    return line


def _unit_records(job: CorpusJob, units: list[dict[str, Any]], errors: list[str]) -> list[dict[str, Any]]:
    """Records of ``units``, checked together; if that fails, one by one so one bad unit costs only itself."""
    try:
        report = check_pairs(units, job.src_lang, job.tgt_lang, config=job.config)
        errors.extend(report.errors)
        return segment_records(report)
    except Exception as exc:
        if len(units) == 1:
            return [{"error": f"internal error checking this record: {type(exc).__name__}: {exc}"}]
        return [rec for unit in units for rec in _unit_records(job, [unit], errors)]


def check_batch(job: CorpusJob, first: int, records: list[Record]) -> BatchResult:
    """Check one batch; one JSON line per record, ``index`` counted from ``first``."""
    job = _localised(job)
    errors: list[str] = []
    units = [r.unit for r in records if r.unit is not None]
    checked = iter(_unit_records(job, units, errors) if units else [])
    result = BatchResult(first=first, lines=[])
    for i, rec in enumerate(records):
        if rec.unit is None:
            out: dict[str, Any] = {"index": first + i, "line": rec.line, "error": rec.error}
        else:
            out = next(checked)
            out["index"] = first + i
        if "error" in out:
            out.setdefault("line", rec.line)
            result.bad += 1
        else:
            result.checked += 1
            result.score_sum += out["score"]
        result.lines.append(_dumps(out))
    result.errors = list(dict.fromkeys(errors))
    return result


def init_worker(job: CorpusJob, threads: int, own: bool = True) -> None:
    """Worker start-up: limit math threads to this worker's share of cores, then load the models once.

    Workers this run started (``own``) ignore Ctrl-C: the main process handles it, stops the pool
    and keeps the checkpoint. A cluster's workers keep their own handling.
    """
    if own and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["MTCHECK_THREADS"] = str(threads)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    except ImportError:
        pass
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    check_batch(job, 0, [Record(0, unit=dict(_WARM_UNIT))])


def batched(records: Iterable[Record], size: int, first: int = 0) -> Iterator[tuple[int, list[Record]]]:
    """(index of the first record, records) for consecutive batches of ``size``."""
    it = iter(records)
    while batch := list(islice(it, size)):
        yield first, batch
        first += len(batch)


# -- output -------------------------------------------------------------------


class StreamSink:
    """Records to an already open text stream (stdout), flushed per batch; nothing to resume."""

    done = 0
    totals: dict[str, float] = {}  # noqa: RUF012  (read-only default)

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, result: BatchResult, totals: dict[str, float]) -> None:
        self.stream.write("".join(line + "\n" for line in result.lines))
        self.stream.flush()

    def finish(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        """Nothing to release."""


class FileSink:
    """Records to ``PATH.partial`` with a checkpoint per batch; renamed to ``PATH`` when complete.

    ``source`` is the input's size and modification time when the run began: a checkpoint keeps them with the hash
    of every input line consumed so far, and a resumed run refuses an input that changed (:meth:`check_consumed`).
    A ``PATH.partial`` or ``PATH.ckpt`` that mtcheck did not write is never overwritten or deleted.
    """

    def __init__(self, path: str, meta: dict[str, Any], resume: bool, source: dict[str, int] | None = None) -> None:
        self.path = Path(os.path.realpath(path))
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.ckpt = self.path.with_name(self.path.name + ".ckpt")
        self.meta = meta
        self.source = source or {}
        self.done = 0
        self.totals: dict[str, float] = {}
        self.consumed: str | None = None
        self.fh: IO[bytes] | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise cannot_write(path, exc) from None
        state = self._load_checkpoint() if resume else None
        #: ``--resume`` of a run that finished: PATH is there, its partial file and checkpoint are gone
        self.complete = resume and state is None and self.path.is_file() and not self.partial.exists()
        try:
            if self.complete:
                pass
            elif state is not None:
                self.done, self.totals = int(state["records"]), dict(state["totals"])
                self.consumed = state.get("input", {}).get("consumed")
                self.fh = self.partial.open("r+b")
                self.fh.truncate(int(state["bytes"]))  # drop whatever was written after the last checkpoint
                self.fh.seek(0, os.SEEK_END)
            else:
                self._refuse_foreign_files()
                self.ckpt.unlink(missing_ok=True)
                self.fh = self.partial.open("wb")
        except OSError as exc:
            raise cannot_write(self.partial, exc) from None
        self.resumed = state is not None

    def _refuse_foreign_files(self) -> None:
        """InputError when ``PATH.ckpt`` or ``PATH.partial`` exists and is not what an mtcheck run leaves there."""
        ours = "mtcheck never deletes or overwrites a file it did not write: move it away or choose another --output"
        ckpt_ok = self._checkpoint_state() is not None
        if self.ckpt.exists() and not ckpt_ok:
            raise InputError(f"{self.ckpt} exists and is not an mtcheck checkpoint; {ours}")
        if self.partial.exists() and not ckpt_ok and not _looks_like_records(self.partial):
            raise InputError(f"{self.partial} exists and is not mtcheck's partial output; {ours}")

    def _checkpoint_state(self) -> dict[str, Any] | None:
        try:
            state = json.loads(self.ckpt.read_text(encoding="utf-8"))
            int(state["records"]), int(state["bytes"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return state if isinstance(state.get("meta"), dict) else None

    def _load_checkpoint(self) -> dict[str, Any] | None:
        if not self.ckpt.is_file() or not self.partial.is_file():
            return None
        state = self._checkpoint_state()
        if state is None:
            raise InputError(f"{self.ckpt}: unreadable checkpoint; run without --resume to start over")
        if state.get("meta") != self.meta:
            changed = sorted(k for k in self.meta if state.get("meta", {}).get(k) != self.meta[k])
            raise InputError(f"--resume: {self.path} was started with a different {', '.join(changed) or 'setup'}; "
                             "run without --resume to start over")
        if self.partial.stat().st_size < int(state["bytes"]) or int(state["records"]) < 0:
            raise InputError(f"{self.partial}: shorter than its checkpoint says; run without --resume to start over")
        before = state.get("input", {})
        changed = [what for what, key in (("size", "size"), ("modification time", "mtime_ns"))
                   if before.get(key) != self.source.get(key)]
        if changed:
            raise InputError(f"--resume: {self.meta.get('input')} changed since the interrupted run (its "
                             f"{' and '.join(changed)}); run without --resume to start over")
        return state

    def check_consumed(self, records: int, digest: str) -> None:
        """InputError when the first ``records`` records of the input (hashed as ``digest``) are not those checked."""
        if records < self.done or digest != self.consumed:
            raise InputError(f"--resume: {self.meta.get('input')} changed since the interrupted run (its first "
                             f"{self.done} records are not the ones checked); run without --resume to start over")

    def write(self, result: BatchResult, totals: dict[str, float], consumed: str | None = None) -> None:
        data = "".join(line + "\n" for line in result.lines).encode("utf-8")
        try:
            self.fh.write(data)
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.done += len(result.lines)
            state = {"records": self.done, "bytes": self.fh.tell(), "totals": totals, "meta": self.meta,
                     "input": {**self.source, "consumed": consumed}}
            tmp = self.ckpt.with_name(self.ckpt.name + ".tmp")
            with tmp.open("w", encoding="utf-8") as fh:
                json.dump(state, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.ckpt)
        except OSError as exc:
            raise cannot_write(self.partial, exc) from None

    def finish(self) -> None:
        self.fh.close()
        try:
            os.replace(self.partial, self.path)
        except OSError as exc:
            raise cannot_write(self.path, exc) from None
        self.ckpt.unlink(missing_ok=True)

    def close(self) -> None:
        if self.fh is None:
            return
        if not self.fh.closed:
            self.fh.close()
        if self.done == 0 and self.partial.exists():  # failed before the first batch: leave nothing behind
            self.partial.unlink(missing_ok=True)
            self.ckpt.unlink(missing_ok=True)


def _looks_like_records(path: Path) -> bool:
    """Whether ``path`` is empty or starts with a record line of mtcheck's (a partial output it may replace)."""
    try:
        with path.open("rb") as fh:
            first = fh.readline(1 << 20)
        if not first.strip():
            return path.stat().st_size == 0 or not first
        rec = json.loads(first)
    except (OSError, ValueError):
        return False
    return isinstance(rec, dict) and "index" in rec


# -- the run --------------------------------------------------------------------


@dataclass
class CorpusOptions:
    """Settings of one corpus run (the CLI fills these from its options)."""

    path: str
    fmt: str | None = None
    output: str | None = None
    resume: bool = False
    jobs: int = 0  # 0 = every core
    batch_size: int = BATCH_SIZE
    engine: str = "local"
    engine_address: str | None = None
    skip_bad: bool = False
    progress: bool = False
    src_lang: str | None = None
    tgt_lang: str | None = None
    config: Config = field(default_factory=Config)


@dataclass
class CorpusSummary:
    records: int = 0
    checked: int = 0
    bad: int = 0
    score_sum: float = 0.0
    resumed_from: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    #: ``--resume`` found the output already complete: nothing was checked, the figures are read from it
    already_complete: bool = False

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.checked if self.checked else None

    @property
    def rate(self) -> float:
        """Records per second in this run (resumed records not counted)."""
        return (self.records - self.resumed_from) / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        mean = "n/a" if self.mean_score is None else f"{self.mean_score:.2f}"
        bad = f", {self.bad} bad" if self.bad else ""
        if self.already_complete:  # nothing ran: no time or rate to give
            return f"{self.records} records{bad}, mean score {mean}"
        resumed = f", resumed after {self.resumed_from}" if self.resumed_from else ""
        return (f"{self.records} records{bad}{resumed}; mean score {mean}; "
                f"{self.seconds:.1f} s, {self.rate:.{0 if self.rate >= 10 else 1}f} records/s")


def _meta(opts: CorpusOptions, kind: str) -> dict[str, Any]:
    """What a checkpoint must agree on for a resume to be sound."""
    settings = json.dumps([opts.config.signature(results_only=True), opts.src_lang, opts.tgt_lang, opts.skip_bad],
                          sort_keys=True, default=str)
    return {
        "input": str(Path(opts.path).resolve()),
        "format": kind,
        "batch_size": opts.batch_size,
        "settings": hashlib.sha256(settings.encode()).hexdigest()[:16],
        "version": __version__,
    }


class _Progress:
    """A tqdm bar on stderr: records done, rate and ETA (total estimated from the bytes read so far)."""

    def __init__(self, enabled: bool, size: int | None, initial: int) -> None:
        self.bar = None
        self.size = size
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=None, initial=initial, unit=" pairs", file=sys.stderr, dynamic_ncols=True,
                            smoothing=0.1)

    def update(self, n: int, done: int, position: int | None) -> None:
        if self.bar is None:
            return
        if self.size and position:
            self.bar.total = max(done, round(done * self.size / position))
        self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def summarise_output(path: Path) -> CorpusSummary:
    """Records, bad records and mean score of a finished output file (for ``--resume`` of a finished run)."""
    summary = CorpusSummary(already_complete=True)
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                rec = json.loads(line)
            except ValueError:
                raise InputError(f"{path}: line {n} is not a JSON record; run without --resume to check again") from None
            summary.records += 1
            if not isinstance(rec, dict) or "error" in rec:
                summary.bad += 1
            elif isinstance(rec.get("score"), int | float):
                summary.checked += 1
                summary.score_sum += rec["score"]
    summary.resumed_from = summary.records
    return summary


def run_corpus(opts: CorpusOptions, stdout: IO[str] | None = None) -> CorpusSummary:
    """Stream ``opts.path`` through the checks and write one JSON line per record.

    Output goes to ``opts.output`` (a file: through a partial file and a checkpoint, under a lock that
    refuses a second run on the same output; ``-``, a device or a FIFO: written through) or, without
    one, to ``stdout``. Raises :class:`InputError` for unusable input; one met part-way says how many
    records were written before it.
    """
    name = display_name(opts.path)
    kind = stream_kind(opts.path, opts.fmt)
    if kind is None:
        raise InputError(f"{name}: only JSONL, CSV and TSV input can be streamed")
    if opts.batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    to_file = bool(opts.output) and not writes_through(opts.output)
    if opts.resume and (not to_file or opts.path == "-"):
        raise InputError("--resume needs --output PATH (a file) and an input file (not stdin)")
    if opts.output:
        check_writable(opts.output)
    with output_lock(opts.output if to_file else None):
        if opts.output and not to_file:
            with open_through(opts.output) as stream:
                return _run(opts, name, kind, StreamSink(stream))
        if to_file:
            source = {}
            if opts.path != "-":
                st = os.stat(opts.path)
                source = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
            sink: FileSink | StreamSink = FileSink(opts.output, _meta(opts, kind) if opts.path != "-" else {},
                                                   opts.resume, source)
        else:
            sink = StreamSink(stdout or sys.stdout)
        return _run(opts, name, kind, sink)


def _run(opts: CorpusOptions, name: str, kind: str, sink: FileSink | StreamSink) -> CorpusSummary:
    t0 = time.perf_counter()
    if isinstance(sink, FileSink) and sink.complete:
        summary = summarise_output(sink.path)
        summary.seconds = time.perf_counter() - t0
        return summary
    summary = CorpusSummary(records=sink.done, resumed_from=sink.done, **sink.totals)
    job = CorpusJob(opts.config, opts.src_lang, opts.tgt_lang)
    if opts.engine != "local":
        job = portable_job(job)
    jobs = opts.jobs or available_cores()
    bar = _Progress(False, None, 0)
    positions: dict[int, tuple[int | None, str]] = {}
    repaired: list[int] = []  # lines whose lone surrogates were replaced (the first few)
    n_repaired = 0
    try:
        with open_input(opts.path) as fh:
            stat = os.fstat(fh.fileno())
            size = stat.st_size if S_ISREG(stat.st_mode) else None  # for the ETA; a pipe has none
            bar = _Progress(opts.progress, size, sink.done)
            digest = hashlib.sha256()  # every input line read so far: what a checkpoint vouches for
            records = iter_records(fh, name, kind, opts.skip_bad, digest)
            if isinstance(sink, FileSink) and sink.done:
                skipped = sum(1 for _ in islice(records, sink.done))
                sink.check_consumed(skipped, digest.hexdigest())

            def tracked() -> Iterator[tuple[int, list[Record]]]:
                nonlocal n_repaired
                for first, batch in batched(records, opts.batch_size, sink.done):
                    positions[first] = (fh.tell() if size is not None else None, digest.hexdigest())
                    for rec in batch:
                        if rec.unit is not None and rec.unit.get("replaced"):
                            n_repaired += 1
                            if len(repaired) < 10:
                                repaired.append(rec.line)
                    yield first, batch

            batches = tracked()
            try:
                head = list(islice(batches, 2))  # one batch only: no point starting workers
                engine = make_engine(opts.engine, check_batch, job,
                                     jobs if len(head) > 1 or opts.engine != "local" else 1, init_worker,
                                     opts.engine_address)
                with engine:
                    for result in engine.map(chain(head, batches)):
                        summary.records += len(result.lines)
                        summary.checked += result.checked
                        summary.bad += result.bad
                        summary.score_sum += result.score_sum
                        new = [e for e in result.errors if e not in summary.errors]
                        summary.errors.extend(new[:max(0, MAX_ERRORS - len(summary.errors))])
                        totals = {"checked": summary.checked, "bad": summary.bad, "score_sum": summary.score_sum}
                        position, consumed = positions.pop(result.first, (None, None))
                        if isinstance(sink, FileSink):
                            sink.write(result, totals, consumed)
                        else:
                            sink.write(result, totals)
                        bar.update(len(result.lines), summary.records, position)
            except InputError as exc:  # the input went bad part-way: say what was written before it
                written = summary.records - summary.resumed_from
                if not written:
                    raise
                where = "" if isinstance(sink, StreamSink) else f" to {sink.partial}"
                message = f"{exc}; {written} records were written{where} before it stopped"
                # lost workers keep their kind: the command line adds how to resume
                raise (WorkerLost(message) if isinstance(exc, WorkerLost) else InputError(message)) from None
        sink.finish()
    finally:
        bar.close()
        sink.close()
    if n_repaired:
        summary.errors.insert(0, surrogate_note(name, repaired, n_repaired))
    summary.seconds = time.perf_counter() - t0
    return summary


# -- command line -----------------------------------------------------------------


def add_arguments(parser: Any) -> None:
    """The corpus options of ``mtcheck check`` (an argparse parser or group)."""
    from .engines import ENGINES

    g = parser.add_argument_group("corpora (JSONL/CSV/TSV streamed record by record; see docs: scale)")
    g.add_argument("--stream", action="store_true",
                   help="stream the input (automatic for JSONL/CSV/TSV input with --format jsonl)")
    g.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: every core)")
    g.add_argument("--batch-size", type=int, default=BATCH_SIZE, metavar="N",
                   help=f"records per batch (default {BATCH_SIZE})")
    g.add_argument("--resume", action="store_true",
                   help="with --output: continue an interrupted run where it stopped")
    g.add_argument("--skip-bad", action="store_true",
                   help="write an error record for a malformed input record instead of stopping")
    g.add_argument("--engine", choices=ENGINES, default="local", help="where batches run (default: local)")
    g.add_argument("--engine-address", metavar="ADDR",
                   help="Dask scheduler (tcp://host:8786) or Ray cluster (host:6379, auto, ray://host:10001) "
                        "(also MTCHECK_ENGINE_ADDRESS)")
    g.add_argument("--progress", action="store_true", help="progress bar even when stderr is not a terminal")
    g.add_argument("--profile", choices=PROFILES, default="full",
                   help="fast: skip the model-backed checks (embeddings, language model, the learned quality model: "
                        "penalty scores); full: every default check")


def wants_stream(args: Any) -> bool:
    """Whether ``mtcheck check`` should stream; InputError when corpus options meet an input that cannot."""
    kind = stream_kind(args.file, args.input_format)
    forced = [opt for opt, on in (("--stream", args.stream), ("--resume", args.resume), ("--skip-bad", args.skip_bad),
                                  ("--jobs", args.jobs is not None), ("--engine", args.engine != "local")) if on]
    if forced:
        if kind is None:
            raise InputError(f"{' '.join(forced)}: only JSONL, CSV and TSV input can be streamed")
        if args.format != "jsonl":
            raise InputError(f"{' '.join(forced)}: streamed output is JSONL; add --format jsonl (or write to an "
                             "--output ending in .jsonl)")
        if args.source:
            raise InputError(f"{' '.join(forced)}: --source cannot be streamed; put the source in the records")
        return True
    return kind is not None and args.format == "jsonl" and not args.source


def engine_address(args: Any) -> str | None:
    """``--engine-address``, else ``MTCHECK_ENGINE_ADDRESS`` (for ``--engine dask|ray`` only)."""
    if args.engine_address or args.engine == "local":
        return args.engine_address
    return environment_value("MTCHECK_ENGINE_ADDRESS")


def run_from_args(args: Any, config: Config) -> int:
    """``mtcheck check`` in streaming mode; exit status as :func:`checker.cli.main` documents."""
    if args.jobs is not None and args.jobs < 1:
        raise InputError("--jobs must be at least 1")
    opts = CorpusOptions(
        path=args.file, fmt=args.input_format, output=args.output, resume=args.resume, jobs=args.jobs or 0,
        batch_size=args.batch_size, engine=args.engine, engine_address=engine_address(args), skip_bad=args.skip_bad,
        progress=args.progress or (not args.quiet and sys.stderr.isatty()), src_lang=args.src_lang,
        tgt_lang=args.tgt_lang, config=config,
    )
    hint = f"; run the same command with --resume to continue {args.output}" if args.output else ""
    try:
        summary = run_corpus(opts)
    except KeyboardInterrupt:
        print(f"mtcheck: interrupted{hint}", file=sys.stderr)
        return 130
    except BrokenProcessPool:
        print(f"mtcheck: error: a worker process died (killed, or out of memory?){hint}", file=sys.stderr)
        return 2
    except WorkerLost as exc:
        print(f"mtcheck: error: {exc}{hint}", file=sys.stderr)
        return 2
    for err in summary.errors:
        print(f"mtcheck: warning: {err}", file=sys.stderr)
    if summary.already_complete:
        print(f"mtcheck: {args.output} is complete (its run finished): nothing to resume; {summary.line()}. "
              "Run without --resume to check again.", file=sys.stderr)
    elif not args.quiet:
        print(f"mtcheck: {summary.line()}", file=sys.stderr)
    mean = summary.mean_score
    if args.fail_under is not None and mean is not None and mean < args.fail_under:
        print(f"mtcheck: mean score {mean:.1f} is below --fail-under {args.fail_under:g}", file=sys.stderr)
        return 1
    return 0
