"""Running a sweep: the missing points of a grid, on local processes or a Dask cluster.

This module only decides which points are missing, hands them to an executor
(:mod:`._executors`), and writes each result to the store as it arrives. Results are written by this process (the
client), so Dask workers need no access to the store's file system.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._records import Record
from .._validation import check_int
from .._version import __version__
from ..tasks import TASKS
from ._executors import Dask, Executor, Outcome, Processes, Serial
from ._grid import MAX_POINTS, Grid, Point, load_grid
from ._keys import jsonable as _jsonable
from ._store import POINT_FORMAT, SkippedFile, Store, result_checksum

__all__ = ["run_sweep", "SweepReport", "PointFailure", "default_jobs"]


@dataclass(frozen=True)
class PointFailure(Record):
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



# --------------------------------------------------------------------------- the sweep
def _with_folder(st: Store, point: Point) -> Point:
    """The point with its own ``out`` folder in the store, ``STORE/outputs/<key>``."""
    return replace(point, kwargs={**point.kwargs, "out": st.output_dir(point.key)})


def _record(point: Point, outcome: Outcome, run_id: str, store: Store) -> dict[str, Any]:
    argv = list(point.argv)
    out = point.kwargs.get("out")
    if out is not None:  # a task that writes a folder: the point's own, in the store
        argv += ["--out", out]
    record: dict[str, Any] = {
        "format": POINT_FORMAT,
        "key": point.key,
        "version": __version__,
        "command": point.command,
        "params": _jsonable(point.params),
        "seed_derived": point.seed_derived,
        "argv": argv,
        "status": outcome["status"],
    }
    if out is not None:  # relative to the store, so that it can be moved
        record["out"] = os.path.relpath(out, store.path).replace(os.sep, "/")
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
    max_points: int = MAX_POINTS,
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
    max_points : int, optional
        The largest grid accepted when ``grid`` is a path (:func:`load_grid`).

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
        grid = load_grid(grid, max_points=max_points)
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
    if TASKS[grid.command].writes_folder:  # never the current directory, never shared
        todo = [_with_folder(st, p) for p in todo]
    executor = _executor_for(scheduler, jobs, len(todo))
    tally = _Tally(st, grid, grid.n_points - len(todo), executor, progress)
    interrupted = False
    try:
        tally.show()
        for point, outcome in executor.run(todo):
            tally.store(point, outcome)
            if on_stored is not None:
                on_stored(point, tally.last)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        executor.close(cancel=interrupted)
        tally.close(interrupted)
    return SweepReport(
        store=st.path,
        command=grid.command,
        n_points=grid.n_points,
        n_present=tally.n_present,
        n_computed=tally.n_computed,
        failures=tuple(tally.failures),
        skipped=scan.skipped,
        executor=executor.name,
        workers=executor.workers,
        wall_time_s=time.perf_counter() - started,
        compute_time_s=tally.compute_time,
        run_id=tally.journal.run_id,
    )


def _executor_for(scheduler: str | None, jobs: int, n_todo: int) -> Executor:
    """Dask with a scheduler; this process for one job or point; else local processes."""
    if scheduler is not None:
        return Dask(scheduler)
    if jobs == 1 or n_todo <= 1:
        return Serial()
    return Processes(min(jobs, n_todo))


class _Tally:
    """Writes each outcome to the store and journal, counts it and moves the bar."""

    def __init__(self, st: Store, grid: Grid, n_present: int, executor: Executor,
                 progress: bool | None) -> None:
        self.st, self.executor = st, executor
        self.n_present = n_present
        self.n_computed = 0
        self.compute_time = 0.0
        self.failures: list[PointFailure] = []
        self.outstanding = grid.n_points - n_present
        self.last: dict[str, Any] = {}
        self.journal = st.journal()
        self.journal.log("start", grid=grid.source, command=grid.command,
                         n_points=grid.n_points, n_present=n_present, executor=executor.name,
                         workers=executor.workers, version=__version__)
        self.bar = progress_bar(grid.n_points, f"sweep {grid.command}", progress, unit="pt")
        self.bar.update(n_present)

    def show(self) -> None:
        self.bar.set_postfix_str(
            f"running {self.executor.running(self.outstanding)}, failed {len(self.failures)}",
            refresh=True,
        )

    def store(self, point: Point, outcome: Outcome) -> None:
        self.outstanding -= 1
        if outcome["status"] == "ok" and outcome.get("version") != __version__:
            outcome = {**outcome, "status": "failed",
                       "error": f"computed by scaling-dynamics {outcome.get('version')} "
                                f"but the sweep runs {__version__}"}
        record = self.last = _record(point, outcome, self.journal.run_id, self.st)
        self.st.write(record)
        elapsed = float(outcome.get("elapsed_s") or 0.0)
        self.compute_time += elapsed
        self.journal.log("stored", key=point.key, status=record["status"], elapsed_s=elapsed)
        if record["status"] == "ok":
            self.n_computed += 1
        else:
            self.failures.append(PointFailure(point.key, dict(point.params), record["error"]))
        self.bar.update(1)
        self.show()

    def close(self, interrupted: bool) -> None:
        self.bar.close()
        self.st.sync()
        self.journal.log("interrupted" if interrupted else "end", n_computed=self.n_computed,
                         n_failed=len(self.failures))
        self.journal.close()
