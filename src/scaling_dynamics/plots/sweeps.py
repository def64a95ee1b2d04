"""Figures of a sweep: a loss against a swept parameter, one line per value of another.

Works on the tidy table of :func:`scaling_dynamics.sweeps.load` (one row per point
and time). Replicate points (an explicit ``seed`` axis) are averaged, with their
standard error as a band; a single point's band is its own ``<loss>_sem`` (the
standard error over the seeds of a simulation).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._frames import select
from ._base import new_figure, sequential_colors

__all__ = ["plot_sweep"]


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _label(v: Any) -> str:
    return f"{v:g}" if _is_number(v) else str(v)


def _pick(values: list[Any], n: int) -> list[Any]:
    """At most ``n`` of the sorted ``values``, spread evenly on a log scale of the index."""
    if len(values) <= n:
        return values
    idx = np.unique(np.round(np.geomspace(1, len(values), n)).astype(int) - 1)
    return [values[i] for i in idx]


def plot_sweep(
    frame: Any,
    *,
    x: str | None = None,
    y: str = "test_loss",
    hue: str | None = None,
    where: Mapping[str, Any] | None = None,
    max_lines: int = 8,
    title: str | None = None,
) -> Any:
    """Plot ``y`` (a loss) against the swept parameter ``x``, one line per value of ``hue``.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table from :func:`scaling_dynamics.sweeps.load`.
    x : str, optional
        The horizontal axis; default: the first swept numeric parameter (``time``
        when nothing else varies).
    y : str
        The column to plot (default ``test_loss``).
    hue : str, optional
        One line per value of this column; default ``time`` when ``x`` is a parameter,
        else the one other swept parameter.
    where : dict, optional
        Fix other swept parameters, e.g. ``{"a": 1.5}`` (callers that have selected
        the rows already, like ``scaling-dynamics sweep --plot``, leave it out).
    max_lines : int
        At most this many lines (values of ``hue`` spread on a log scale of their rank).
    title : str, optional
        Default: "<y> against <x>" and the parameters shared by every point.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidParameterError
        If a column is missing or more parameters vary than ``x`` and ``hue`` can show
        (the message names them; fix them with ``where``).
    """
    if len(frame) == 0:
        raise InvalidParameterError("the sweep holds no successful point to plot.")
    frame = select(frame, where)
    if "status" in frame.columns:
        frame = frame[frame["status"] == "ok"]
    params = [c for c in frame.attrs.get("parameters", []) if c in frame.columns]
    for name, col in (("y", y), ("x", x), ("hue", hue)):
        if col is not None and col not in frame.columns:
            raise InvalidParameterError(
                f"`{name}` must be a column of the sweep; got {col!r} (columns: "
                f"{', '.join(map(str, frame.columns))})."
            )
    varying = [c for c in params if c != "seed" and frame[c].astype(str).nunique() > 1]
    x, hue = _axes(frame, varying, x, hue)
    fig, ax = new_figure()
    x_numeric = bool(frame[x].map(_is_number).all())
    categories = sorted(set(frame[x].tolist()), key=str) if not x_numeric else []
    all_x, all_y, dropped = _draw(ax, frame, x, y, hue, max_lines, categories)
    if not all_y:
        raise InvalidParameterError(f"no finite value of `{x}` to plot.")
    if x_numeric and min(all_x) > 0:
        ax.set_xscale("log")
    if min(all_y) > 0:
        ax.set_yscale("log")
    if not x_numeric:
        ax.set_xticks(range(len(categories)), [str(c) for c in categories])
    unit = ""
    if x == "time" and "time_unit" in frame.columns:
        unit = " (steps)" if (frame["time_unit"] == "steps").all() else " t"
    ax.set_xlabel(f"{x}{unit}" + (" (inf not shown)" if dropped else ""))
    ax.set_ylabel(y.replace("_", " "))
    if hue is not None:
        ax.legend(title=hue, fontsize="small")
    if title is None:
        title = _title(frame, params, varying, x, y, hue, where)
    ax.set_title(title, fontsize="medium")
    return fig


def _axes(frame: Any, varying: list[str], x: str | None,
          hue: str | None) -> tuple[str, str | None]:
    """``x`` (default: the first numeric swept parameter, else time) and ``hue``; refuses
    a sweep that varies more than the two can show."""
    has_time = "time" in frame.columns and frame["time"].nunique() > 1
    if x is None:
        numeric = [c for c in varying if frame[c].map(_is_number).all()]
        x = numeric[0] if numeric else (varying[0] if varying else ("time" if has_time else None))
        if x is None:
            raise InvalidParameterError("nothing varies in this sweep: there is no axis to plot.")
    if hue is None:
        others = [c for c in varying if c != x]
        if x != "time" and has_time:
            hue = "time"
        elif others:
            hue = others[0]
    rest = [c for c in varying if c not in (x, hue)]
    if rest:
        detail = "; ".join(
            f"{c}: {', '.join(_label(v) for v in sorted(set(frame[c].tolist()), key=str)[:6])}"
            for c in rest)
        raise InvalidParameterError(
            f"the sweep also varies {', '.join(rest)} ({detail}); fix them with `where` "
            f"(--where {rest[0]}=VALUE) or choose them as x or hue."
        )
    return x, hue


def _line(sub: Any, x: str, y: str, x_numeric: bool, categories: list[Any],
          sem_col: str | None) -> tuple[list[float], list[float], list[float], bool]:
    """One line's (x, mean y, sem) points: replicates averaged (sem of the mean) or the
    point's own ``<y>_sem``; infinite x dropped (the flag says so)."""
    xs, ys, es = [], [], []
    dropped = False
    for xv, grp in sub.groupby(x, sort=True):
        vals = grp[y].to_numpy(dtype=np.float64)
        if x_numeric and not math.isfinite(float(xv)):
            dropped = True
            continue
        xs.append(float(xv) if x_numeric else categories.index(xv))
        ys.append(float(np.mean(vals)))
        if len(vals) > 1:
            es.append(float(np.std(vals, ddof=1) / math.sqrt(len(vals))))
        elif sem_col is not None:
            es.append(float(grp[sem_col].to_numpy(dtype=np.float64)[0]))
        else:
            es.append(0.0)
    return xs, ys, es, dropped


def _draw(ax: Any, frame: Any, x: str, y: str, hue: str | None, max_lines: int,
          categories: list[Any]) -> tuple[list[float], list[float], bool]:
    """One line per shown value of ``hue`` with its band; all x, all y, whether inf was dropped."""
    x_numeric = not categories
    hue_values = [None] if hue is None else sorted(set(frame[hue].tolist()),
                                                   key=lambda v: (not _is_number(v), v if
                                                                  _is_number(v) else str(v)))
    shown = _pick(hue_values, max_lines)
    sem_col = f"{y}_sem" if f"{y}_sem" in frame.columns else None
    all_x: list[float] = []
    all_y: list[float] = []
    dropped = False
    for value, color in zip(shown, sequential_colors(len(shown)), strict=True):
        sub = frame if hue is None else frame[frame[hue] == value]
        xs, ys, es, lost = _line(sub, x, y, x_numeric, categories, sem_col)
        dropped = dropped or lost
        if not xs:
            continue
        xa, ya, ea = np.array(xs), np.array(ys), np.array(es)
        label = None if hue is None else f"{hue} = {_label(value)}"
        ax.plot(xa, ya, marker="o", ms=3.5, lw=1.4, color=color, label=label)
        if np.any(ea > 0):
            ax.fill_between(xa, ya - ea, ya + ea, color=color, alpha=0.2, lw=0)
        all_x.extend(xa.tolist())
        all_y.extend(ya.tolist())
    return all_x, all_y, dropped


def _title(frame: Any, params: list[str], varying: list[str], x: str, y: str,
           hue: str | None, where: Mapping[str, Any] | None) -> str:
    """The default title: "<y> against <x>" and the parameters every point shares."""
    fixed = [c for c in params if c not in (x, hue, "seed", "times") and c not in varying
             and frame[c].map(lambda v: _is_number(v) or isinstance(v, str)).all()]
    parts = [f"{c}={_label(frame[c].iloc[0])}" for c in fixed[:6]]
    parts += [f"{k}={_label(v)}" for k, v in (where or {}).items() if k not in fixed]
    shared = ", ".join(parts)
    return f"{y.replace('_', ' ')} against {x}" + (f"\n{shared}" if shared else "")
