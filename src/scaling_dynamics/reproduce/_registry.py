"""The registry of reproduced figures, and running one or all of them."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from .._blas import single_thread_environment
from .._errors import InvalidParameterError, ScalingDynamicsError
from .._validation import check_choice, check_int
from . import (
    _fig_bottlenecks,
    _fig_circle,
    _fig_dynamics,
    _fig_ensembles,
    _fig_feature_learning,
    _fig_finite_size,
    _fig_generalization,
    _fig_optimizers,
    _fig_timescales,
)
from . import _scaling_figures as _scaling
from ._types import PRESETS, FigureResult, FigureSpec

__all__ = ["FIGURES", "figure_names", "make_figure", "make_figures"]


#: name -> FigureSpec, in the order of the report (the paper's order of ideas); the weights
#: are the wall times (s) of the default preset in one recorded run, used to start the
#: largest figures first when several are made at once. The one registry of figures: the
#: entries with a theory-only variant (``FigureSpec.scaling``) also serve ``scaling-figure``.
FIGURES: dict[str, FigureSpec] = {
    spec.name: spec
    for spec in (
        FigureSpec(_fig_dynamics.NAME, _fig_dynamics.TITLE, _fig_dynamics.SUMMARY,
                   _fig_dynamics.make, 120),
        FigureSpec(_fig_bottlenecks.BOTTLENECKS, _fig_bottlenecks.BOTTLENECKS_TITLE,
                   _fig_bottlenecks.BOTTLENECKS_SUMMARY, _fig_bottlenecks.make_bottlenecks, 49,
                   _scaling.BOTTLENECKS),
        FigureSpec(_fig_bottlenecks.FRONTIER, _fig_bottlenecks.FRONTIER_TITLE,
                   _fig_bottlenecks.FRONTIER_SUMMARY, _fig_bottlenecks.make_frontier, 20,
                   _scaling.FRONTIER),
        FigureSpec(_fig_finite_size.NAME, _fig_finite_size.TITLE, _fig_finite_size.SUMMARY,
                   _fig_finite_size.make, 36, _scaling.FINITE_SIZE),
        FigureSpec(_fig_generalization.GAP, _fig_generalization.GAP_TITLE,
                   _fig_generalization.GAP_SUMMARY, _fig_generalization.make_gap, 47,
                   _scaling.TRAIN_TEST_GAP),
        FigureSpec(_fig_generalization.WIDER, _fig_generalization.WIDER_TITLE,
                   _fig_generalization.WIDER_SUMMARY, _fig_generalization.make_wider, 45,
                   _scaling.WIDER_IS_BETTER),
        FigureSpec(_fig_ensembles.ENSEMBLING, _fig_ensembles.ENSEMBLING_TITLE,
                   _fig_ensembles.ENSEMBLING_SUMMARY, _fig_ensembles.make_ensembling, 72,
                   _scaling.ENSEMBLING),
        FigureSpec(_fig_ensembles.BIAS_VARIANCE, _fig_ensembles.BIAS_VARIANCE_TITLE,
                   _fig_ensembles.BIAS_VARIANCE_SUMMARY, _fig_ensembles.make_bias_variance, 78),
        FigureSpec(_fig_timescales.NAME, _fig_timescales.TITLE, _fig_timescales.SUMMARY,
                   _fig_timescales.make, 53),
        FigureSpec(_fig_optimizers.SGD, _fig_optimizers.SGD_TITLE, _fig_optimizers.SGD_SUMMARY,
                   _fig_optimizers.make_sgd, 50),
        FigureSpec(_fig_optimizers.OPTIMIZERS, _fig_optimizers.OPTIMIZERS_TITLE,
                   _fig_optimizers.OPTIMIZERS_SUMMARY, _fig_optimizers.make_optimizers, 23),
        FigureSpec(_fig_feature_learning.NAME, _fig_feature_learning.TITLE,
                   _fig_feature_learning.SUMMARY, _fig_feature_learning.make, 10),
        FigureSpec(_fig_circle.NAME, _fig_circle.TITLE, _fig_circle.SUMMARY, _fig_circle.make,
                   60),
    )
}


def figure_names() -> list[str]:
    """The registered figure names, in report order."""
    return list(FIGURES)


def make_figure(name: str, out_dir: str | os.PathLike[str], preset: str = "default", *,
                progress: bool | None = None) -> FigureResult:
    """Make one figure: compute theory and simulations, save ``<out_dir>/<name>.png`` and
    ``<name>.json``, and return its :class:`FigureResult`.

    Parameters
    ----------
    name : str
        One of :data:`FIGURES` (``scaling-dynamics reproduce --list``).
    out_dir : path
        Output folder (created).
    preset : {"tiny", "default", "full"}
        Sizes: ``tiny`` for tests (seconds), ``default`` (all figures in about a minute
        on 2 quiet cores), ``full`` (the paper's sizes).
    progress : bool or None
        Progress bars on stderr (``None``: only on a terminal).
    """
    _check_name(name)
    check_choice("preset", preset, PRESETS)
    return FIGURES[name].make(os.fspath(out_dir), preset, progress)


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or name not in FIGURES:
        raise InvalidParameterError(
            f"`name` must be one of {', '.join(FIGURES)} (or 'all'); got {name!r}."
        )


def _verdict(r: FigureResult) -> str:
    if not r.agreement:
        return "theory only"
    return "agrees" if r.agrees else f"max deviation {r.max_abs_deviation:.2f} sem"


def _finished(k: int, total: int, name: str, r: FigureResult, started: float) -> str:
    """The line announcing figure ``k`` of ``total``: its time, verdict and the total so far."""
    return (f"[{k}/{total}] {name}: {r.wall_time_s:.1f} s, {_verdict(r)} "
            f"(total {time.perf_counter() - started:.0f} s)")


def _make_in_worker(name: str, out_dir: str, preset: str) -> FigureResult:
    """Entry point of a worker process (no progress bars: several would interleave)."""
    return make_figure(name, out_dir, preset, progress=False)


def make_figures(names: Sequence[str] | None, out_dir: str | os.PathLike[str],
                 preset: str = "default", *, progress: bool | None = None,
                 log: Any = None, failures: list[tuple[str, str]] | None = None,
                 jobs: int = 1) -> list[FigureResult]:
    """Make several figures (``None``: all), announcing each on ``log`` (default stderr).

    Parameters
    ----------
    names : sequence of str or None
        Figure names (``None``: every registered figure).
    out_dir : path
        Output folder.
    preset : {"tiny", "default", "full"}
    progress : bool or None
        Progress bars on stderr (serial runs only).
    log : file, optional
        Where the one-line announcements go (default stderr).
    failures : list, optional
        With a list, a figure that raises a :class:`ScalingDynamicsError` (a solver that
        does not converge, a step size the theory finds unstable...) is recorded there as
        ``(name, message)`` and the others are still made; without it the error propagates.
    jobs : int
        Figures made at once. ``1``: one after the other in this process. More: that many
        fresh worker processes, each with one BLAS thread (several multi-threaded BLAS
        libraries on the same cores slow each other down badly), the largest figures first.
        The workers are *spawned*, so a script that calls this with ``jobs > 1`` must do so
        under ``if __name__ == "__main__":`` (as for any multiprocessing code).

    Returns
    -------
    list of FigureResult
        In the order of ``names`` (failed figures left out).
    """
    names = figure_names() if names is None else list(names)
    for n in names:
        _check_name(n)
    check_choice("preset", preset, PRESETS)
    jobs = check_int("jobs", jobs, low=1)
    log = sys.stderr if log is None else log
    out_dir = os.fspath(out_dir)
    started = time.perf_counter()
    total = len(names)

    def announce(text: str) -> None:
        log.write(text + "\n")
        log.flush()

    def failed(n: str, exc: ScalingDynamicsError, k: int) -> None:
        if failures is None:
            raise exc
        failures.append((n, str(exc)))
        announce(f"[{k}/{total}] {n}: FAILED: {exc}")

    if jobs == 1 or total == 1:
        done = _make_serial(names, out_dir, preset, progress, announce, failed, started)
    else:
        done = _make_parallel(names, out_dir, preset, jobs, announce, failed, started)
    return [done[n] for n in names if n in done]


def _make_serial(names: list[str], out_dir: str, preset: str, progress: bool | None,
                 announce: Any, failed: Any, started: float) -> dict[str, FigureResult]:
    """One figure after the other in this process, each announced before and after."""
    total = len(names)
    done: dict[str, FigureResult] = {}
    for k, n in enumerate(names, 1):
        announce(f"[{k}/{total}] {n} ({preset}) ...")
        try:
            done[n] = make_figure(n, out_dir, preset, progress=progress)
        except ScalingDynamicsError as exc:
            failed(n, exc, k)
            continue
        announce(_finished(k, total, n, done[n], started))
    return done


def _make_parallel(names: list[str], out_dir: str, preset: str, jobs: int, announce: Any,
                   failed: Any, started: float) -> dict[str, FigureResult]:
    import concurrent.futures as cf
    import multiprocessing

    order = sorted(names, key=lambda n: -FIGURES[n].weight)
    total = len(names)
    announce(f"making {total} figures ({preset}) in {min(jobs, total)} worker processes ...")
    done: dict[str, FigureResult] = {}
    # spawned workers read the *_NUM_THREADS variables when they import numpy
    with single_thread_environment():
        ctx = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(max_workers=min(jobs, total), mp_context=ctx) as pool:
            futures = {pool.submit(_make_in_worker, n, out_dir, preset): n for n in order}
            for k, fut in enumerate(cf.as_completed(futures), 1):
                n = futures[fut]
                try:
                    r = fut.result()
                except ScalingDynamicsError as exc:
                    try:
                        failed(n, exc, k)
                    except ScalingDynamicsError:
                        pool.shutdown(wait=False, cancel_futures=True)
                        raise
                    continue
                done[n] = r
                announce(_finished(k, total, n, r, started))
    return done
