"""Executors of a sweep: in this process, local spawned processes, or a Dask cluster.

The scheduling is done by existing engines: :class:`concurrent.futures.ProcessPoolExecutor`
(spawned processes) on one machine, :class:`dask.distributed.Client` on a cluster.
Each runs :func:`._worker.compute_point` on ``(point.command, point.kwargs)`` and
yields ``(point, outcome)`` as points finish.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .._blas import single_thread_environment
from .._errors import MissingDependencyError, ScalingDynamicsError
from .._version import __version__
from ._grid import Point
from ._worker import compute_point, worker_version

__all__ = ["Executor", "Serial", "Processes", "Dask", "Outcome"]

Outcome = dict[str, Any]


class Executor:
    """Runs points and yields ``(point, outcome)`` as they finish."""

    name = ""
    workers = 1

    def running(self, outstanding: int) -> int:
        return min(outstanding, self.workers)

    def run(self, points: Sequence[Point]) -> Iterator[tuple[Point, Outcome]]:
        raise NotImplementedError

    def close(self, *, cancel: bool) -> None:
        pass


class Serial(Executor):
    """In this process, one point after another."""

    name = "serial"

    def run(self, points: Sequence[Point]) -> Iterator[tuple[Point, Outcome]]:
        for point in points:
            yield point, compute_point(point.command, point.kwargs)


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


class Processes(Executor):
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
                    future = pool.submit(compute_point, todo[0].command, todo[0].kwargs)
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


class Dask(Executor):
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
                compute_point, point.command, point.kwargs, key=f"sweep-point-{point.key}-{os.urandom(4).hex()}",
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
