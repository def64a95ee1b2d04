"""Running a sweep: the missing points of a grid, on local processes or a Dask cluster.

The scheduling is done by existing engines: :class:`concurrent.futures.ProcessPoolExecutor`
(spawned processes) on one machine, :class:`dask.distributed.Client` on a cluster.
This module only decides which points are missing, hands them over, and writes
each result to the store as it arrives. Results are written by this process (the
client), so Dask workers need no access to the store's file system.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from .._blas import single_thread_environment
from .._errors import InvalidParameterError, MissingDependencyError, ScalingDynamicsError
from .._progress import progress_bar
from .._validation import check_int
from .._version import __version__
from ._grid import Grid, Point, _jsonable, load_grid
from ._store import POINT_FORMAT, SkippedFile, Store, result_checksum
from ._worker import compute_point, worker_version

__all__ = ["run_sweep", "SweepReport", "PointFailure", "default_jobs"]

Outcome = dict[str, Any]


@dataclass(frozen=True)
class PointFailure:
    """A point whose computation failed: its key, parameters and the one-line error."""

    key: str
    params: dict[str, Any]
    error: str


@dataclass(frozen=True)
class SweepReport:
    """What one call of :func:`run_sweep` did.

    Attributes
    ----------
    store : str
        Path of the store.
    command : str
    n_points : int
        Points in the grid.
    n_present : int
        Points already stored before this run (not recomputed).
    n_computed : int
        Points computed and stored successfully by this run.
    failures : tuple of PointFailure
        Points that failed in this run (recorded in the store; re-runs retry them).
    skipped : tuple of SkippedFile
        Corrupted or foreign files found in the store (reported; grid points among
        them were recomputed and overwritten).
    executor : str
        ``"serial"``, ``"processes"`` or ``"dask"``.
    workers : int
        Processes (or Dask worker threads) used.
    wall_time_s : float
    compute_time_s : float
        Sum over the points of the time spent inside the command.
    run_id : str
        Name of this run's journal in ``DIR/log``.
    """

    store: str
    command: str
    n_points: int
    n_present: int
    n_computed: int
    failures: tuple[PointFailure, ...]
    skipped: tuple[SkippedFile, ...]
    executor: str
    workers: int
    wall_time_s: float
    compute_time_s: float
    run_id: str

    @property
    def n_failed(self) -> int:
        return len(self.failures)

    @property
    def complete(self) -> bool:
        """True when every point of the grid is stored successfully."""
        return self.n_present + self.n_computed == self.n_points


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# --------------------------------------------------------------------------- executors
class _Executor:
    """Runs points and yields ``(point, outcome)`` as they finish."""

    name = ""
    workers = 1

    def running(self, outstanding: int) -> int:
        return min(outstanding, self.workers)

    def run(self, points: Sequence[Point]) -> Iterator[tuple[Point, Outcome]]:
        raise NotImplementedError

    def close(self, *, cancel: bool) -> None:
        pass


class _Serial(_Executor):
    """In this process, one point after another."""

    name = "serial"

    def run(self, points: Sequence[Point]) -> Iterator[tuple[Point, Outcome]]:
        for point in points:
            yield point, compute_point(point.argv)


def _exit_with_parent(sentinel: int) -> None:
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(1)


def _init_local_worker() -> None:
    """Worker start-up: Ctrl-C is the parent's business; die if the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # tqdm's default lock is a multiprocessing semaphore, which a terminated worker would
    # leave registered (a "leaked semaphore" warning); a thread lock is all a worker needs.
    from tqdm import tqdm

    tqdm.set_lock(threading.RLock())
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), daemon=True).start()


class _Processes(_Executor):
    """A pool of spawned processes (``concurrent.futures.ProcessPoolExecutor``)."""

    name = "processes"

    def __init__(self, jobs: int) -> None:
        self.workers = jobs
        self._pool: cf.ProcessPoolExecutor | None = None

    def _start(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_local_worker,
        )

    def run(self, points: Sequence[Point]) -> Iterator[tuple[Point, Outcome]]:
        # A short queue (two points per worker) keeps workers busy while leaving the
        # rest unsubmitted, so an interrupted sweep leaves nothing behind.
        todo = collections.deque(points)
        pending: dict[cf.Future[Outcome], Point] = {}

        def top_up(pool: cf.ProcessPoolExecutor) -> None:
            while todo and len(pending) < 2 * self.workers:
                try:
                    future = pool.submit(compute_point, todo[0].argv)
                except BrokenProcessPool:
                    return  # the futures in flight fail; a new pool takes the rest
                pending[future] = todo.popleft()

        while todo:
            # Spawned workers start on the first submissions and inherit the environment
            # then: one BLAS thread even for libraries a command imports later.
            with single_thread_environment():
                pool = self._pool = self._start()
                top_up(pool)
            while pending:
                done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    point = pending.pop(future)
                    yield point, _outcome_of(future)
                top_up(pool)
            if todo:  # a worker died (out of memory, a crash) and broke the pool
                self.close(cancel=False)

    def close(self, *, cancel: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if cancel:  # stop the running points now rather than after they finish
            processes = list((getattr(pool, "_processes", None) or {}).values())
            for proc in processes:
                with contextlib.suppress(Exception):
                    proc.terminate()
        pool.shutdown(wait=True, cancel_futures=cancel)


def _outcome_of(future: Any) -> Outcome:
    """The outcome of a finished future; an exception (worker lost...) is a failure."""
    try:
        return future.result()
    except KeyboardInterrupt:
        raise
    except BrokenProcessPool:
        message = ["a worker process died while this point was running or queued (out of "
                   "memory, or a crash); re-run the sweep to retry it"]
    except BaseException as exc:  # noqa: BLE001 - any lost task is a failed point
        message = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return {"status": "failed", "error": message[0] if message else "the task was lost",
            "exit_code": None, "stderr": "", "elapsed_s": 0.0, "version": __version__}


class _Dask(_Executor):
    """A ``dask.distributed`` cluster reached at a scheduler address."""

    name = "dask"

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise MissingDependencyError(
                "`scheduler` needs Dask: pip install 'scaling-dynamics[sweeps]'."
            ) from None
        try:
            self._client = Client(address, timeout=30, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ScalingDynamicsError(
                f"cannot reach the Dask scheduler at {address!r}: {exc}"
            ) from None
        try:
            versions = self._client.run(worker_version)
        except Exception as exc:  # noqa: BLE001 - e.g. workers cannot import the package
            self._client.close()
            raise ScalingDynamicsError(
                f"the Dask workers at {address!r} cannot run scaling-dynamics ({exc}); "
                f"install scaling-dynamics {__version__} on them."
            ) from None
        wrong = {w: v for w, v in versions.items() if v != __version__}
        if wrong:
            worker, version = next(iter(wrong.items()))
            self._client.close()
            raise ScalingDynamicsError(
                f"the Dask worker {worker} runs scaling-dynamics {version} but this client runs "
                f"{__version__}; install the same version on every worker."
            )
        self.workers = max(1, sum(self._client.nthreads().values()))
        self._futures: list[Any] = []

    def run(self, points: Sequence[Point]) -> Iterator[tuple[Point, Outcome]]:
        from distributed import as_completed

        by_key = {}
        for point in points:
            future = self._client.submit(
                compute_point, point.argv, key=f"sweep-point-{point.key}-{os.urandom(4).hex()}",
                pure=False,
            )
            by_key[future.key] = point
            self._futures.append(future)
        for future in as_completed(self._futures, loop=self._client.loop):
            point = by_key[future.key]
            yield point, _outcome_of(future)
            future.release()

    def close(self, *, cancel: bool) -> None:
        if cancel and self._futures:
            with contextlib.suppress(Exception):
                self._client.cancel(self._futures)
        self._futures = []
        with contextlib.suppress(Exception):
            self._client.close()


# --------------------------------------------------------------------------- the sweep
def _record(point: Point, outcome: Outcome, run_id: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "format": POINT_FORMAT,
        "key": point.key,
        "version": __version__,
        "command": point.command,
        "params": _jsonable(point.params),
        "seed_derived": point.seed_derived,
        "argv": list(point.argv),
        "status": outcome["status"],
    }
    if outcome["status"] == "ok":
        record["result"] = outcome["result"]
        record["result_sha256"] = result_checksum(outcome["result"])
    else:
        record["error"] = outcome.get("error", "unknown error")
        record["exit_code"] = outcome.get("exit_code")
    record.update(
        stderr=outcome.get("stderr", ""),
        elapsed_s=outcome.get("elapsed_s"),
        computed_at=time.time(),
        run=run_id,
        host=outcome.get("host"),
        pid=outcome.get("pid"),
    )
    return record


def run_sweep(
    grid: Grid | str | os.PathLike[str],
    store: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    on_stored: Callable[[Point, dict[str, Any]], None] | None = None,
) -> SweepReport:
    """Compute the points of ``grid`` that ``store`` does not hold yet.

    Parameters
    ----------
    grid : Grid or path
        A grid from :func:`load_grid`, or the path of a TOML grid file.
    store : path
        The store directory (created if needed).
    jobs : int, optional
        Local worker processes (default: the number of cores). ``1`` runs the points
        in this process. Ignored with ``scheduler``.
    scheduler : str, optional
        Address of a ``dask.distributed`` scheduler (``tcp://host:8786``): run the
        points on that cluster instead. Needs the ``sweeps`` extra.
    progress : bool, optional
        Progress bar on stderr (points done, running, failed); default: only on a
        terminal.
    on_stored : callable, optional
        Called as ``on_stored(point, record)`` after each record is written.

    Returns
    -------
    SweepReport
        Counts, failures and timings. A failed point is recorded in the store with
        its error and the other points go on; re-running the sweep retries it.

    Notes
    -----
    Every point runs with one BLAS thread and a seed derived from its parameters
    (``docs/sweeps.md``), so the stored numbers are bit-identical whatever ``jobs``
    or ``scheduler``. A point is "present" when the store holds a sound, successful
    record for its key; corrupted files are reported and their points recomputed.
    """
    if not isinstance(grid, Grid):
        grid = load_grid(grid)
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise InvalidParameterError(
            f"`scheduler` must be the address of a Dask scheduler, like tcp://host:8786; "
            f"got {scheduler!r}."
        )
    jobs = default_jobs() if jobs is None else check_int("jobs", jobs, low=1)
    started = time.perf_counter()
    st = Store.create(store)
    st.keep_grid(grid.text)
    scan = st.scan()
    todo = [p for p in grid.points if p.key not in scan.ok]
    n_present = grid.n_points - len(todo)
    skipped = scan.skipped

    executor: _Executor
    if scheduler is not None:
        executor = _Dask(scheduler)
    elif jobs == 1 or len(todo) <= 1:
        executor = _Serial()
    else:
        executor = _Processes(min(jobs, len(todo)))

    failures: list[PointFailure] = []
    n_computed = 0
    compute_time = 0.0
    journal = st.journal()
    journal.log("start", grid=grid.source, command=grid.command, n_points=grid.n_points,
                n_present=n_present, executor=executor.name, workers=executor.workers,
                version=__version__)
    bar = progress_bar(grid.n_points, f"sweep {grid.command}", progress, unit="pt")
    bar.update(n_present)
    outstanding = len(todo)

    def show() -> None:
        bar.set_postfix_str(
            f"running {executor.running(outstanding)}, failed {len(failures)}", refresh=True
        )

    interrupted = False
    try:
        show()
        for point, outcome in executor.run(todo):
            outstanding -= 1
            if outcome["status"] == "ok" and outcome.get("version") != __version__:
                outcome = {**outcome, "status": "failed",
                           "error": f"computed by scaling-dynamics {outcome.get('version')} "
                                    f"but the sweep runs {__version__}"}
            record = _record(point, outcome, journal.run_id)
            st.write(record)
            elapsed = float(outcome.get("elapsed_s") or 0.0)
            compute_time += elapsed
            journal.log("stored", key=point.key, status=record["status"], elapsed_s=elapsed)
            if record["status"] == "ok":
                n_computed += 1
            else:
                failures.append(PointFailure(point.key, dict(point.params), record["error"]))
            bar.update(1)
            show()
            if on_stored is not None:
                on_stored(point, record)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        executor.close(cancel=interrupted)
        bar.close()
        st.sync()
        journal.log("interrupted" if interrupted else "end", n_computed=n_computed,
                    n_failed=len(failures))
        journal.close()
    return SweepReport(
        store=st.path,
        command=grid.command,
        n_points=grid.n_points,
        n_present=n_present,
        n_computed=n_computed,
        failures=tuple(failures),
        skipped=skipped,
        executor=executor.name,
        workers=executor.workers,
        wall_time_s=time.perf_counter() - started,
        compute_time_s=compute_time,
        run_id=journal.run_id,
    )
