"""The registry of reproduced figures, and running one or all of them."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from .._errors import InvalidParameterError
from .._validation import check_choice
from . import (
    _fig_bottlenecks,
    _fig_dynamics,
    _fig_ensembles,
    _fig_finite_size,
    _fig_generalization,
    _fig_optimizers,
    _fig_timescales,
)
from ._types import PRESETS, FigureResult, FigureSpec

__all__ = ["FIGURES", "figure_names", "make_figure", "make_figures"]


#: name -> FigureSpec, in the order of the report (the paper's order of ideas).
FIGURES: dict[str, FigureSpec] = {
    spec.name: spec
    for spec in (
        FigureSpec(_fig_dynamics.NAME, _fig_dynamics.TITLE, _fig_dynamics.SUMMARY,
                   _fig_dynamics.make),
        FigureSpec(_fig_bottlenecks.BOTTLENECKS, _fig_bottlenecks.BOTTLENECKS_TITLE,
                   _fig_bottlenecks.BOTTLENECKS_SUMMARY, _fig_bottlenecks.make_bottlenecks),
        FigureSpec(_fig_bottlenecks.FRONTIER, _fig_bottlenecks.FRONTIER_TITLE,
                   _fig_bottlenecks.FRONTIER_SUMMARY, _fig_bottlenecks.make_frontier),
        FigureSpec(_fig_finite_size.NAME, _fig_finite_size.TITLE, _fig_finite_size.SUMMARY,
                   _fig_finite_size.make),
        FigureSpec(_fig_generalization.GAP, _fig_generalization.GAP_TITLE,
                   _fig_generalization.GAP_SUMMARY, _fig_generalization.make_gap),
        FigureSpec(_fig_generalization.WIDER, _fig_generalization.WIDER_TITLE,
                   _fig_generalization.WIDER_SUMMARY, _fig_generalization.make_wider),
        FigureSpec(_fig_ensembles.ENSEMBLING, _fig_ensembles.ENSEMBLING_TITLE,
                   _fig_ensembles.ENSEMBLING_SUMMARY, _fig_ensembles.make_ensembling),
        FigureSpec(_fig_ensembles.BIAS_VARIANCE, _fig_ensembles.BIAS_VARIANCE_TITLE,
                   _fig_ensembles.BIAS_VARIANCE_SUMMARY, _fig_ensembles.make_bias_variance),
        FigureSpec(_fig_timescales.NAME, _fig_timescales.TITLE, _fig_timescales.SUMMARY,
                   _fig_timescales.make),
        FigureSpec(_fig_optimizers.SGD, _fig_optimizers.SGD_TITLE, _fig_optimizers.SGD_SUMMARY,
                   _fig_optimizers.make_sgd),
        FigureSpec(_fig_optimizers.OPTIMIZERS, _fig_optimizers.OPTIMIZERS_TITLE,
                   _fig_optimizers.OPTIMIZERS_SUMMARY, _fig_optimizers.make_optimizers),
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
        Sizes: ``tiny`` for tests (seconds), ``default`` (all figures within about 10 minutes
        on 2 cores), ``full`` (the paper's sizes).
    progress : bool or None
        Progress bars on stderr (``None``: only on a terminal).
    """
    if not isinstance(name, str) or name not in FIGURES:
        raise InvalidParameterError(
            f"`name` must be one of {', '.join(FIGURES)} (or 'all'); got {name!r}."
        )
    check_choice("preset", preset, PRESETS)
    return FIGURES[name].make(os.fspath(out_dir), preset, progress)


def make_figures(names: Sequence[str] | None, out_dir: str | os.PathLike[str],
                 preset: str = "default", *, progress: bool | None = None,
                 log: Any = None) -> list[FigureResult]:
    """Make several figures (``None``: all), announcing each on ``log`` (default stderr)."""
    names = figure_names() if names is None else list(names)
    for n in names:
        if n not in FIGURES:
            raise InvalidParameterError(
                f"`name` must be one of {', '.join(FIGURES)} (or 'all'); got {n!r}."
            )
    check_choice("preset", preset, PRESETS)
    log = sys.stderr if log is None else log
    results = []
    started = time.perf_counter()
    for i, n in enumerate(names, 1):
        log.write(f"[{i}/{len(names)}] {n} ({preset}) ...\n")
        log.flush()
        r = make_figure(n, out_dir, preset, progress=progress)
        verdict = "agrees" if r.agrees else f"max deviation {r.max_abs_deviation:.2f} sem"
        if not r.agreement:
            verdict = "theory only"
        log.write(f"[{i}/{len(names)}] {n}: {r.wall_time_s:.1f} s, {verdict} "
                  f"(total {time.perf_counter() - started:.0f} s)\n")
        log.flush()
        results.append(r)
    return results
