"""Axes of a grid: a list of values, or a log or linear range expanded into values.

``{log = [START, STOP], num = K}`` gives K log-spaced values (integers when both
ends are integers, duplicates dropped; otherwise rounded to 12 significant digits),
``{linear = [START, STOP], num = K}`` K evenly spaced ones.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from ._options import fmt as _fmt

__all__ = ["expand_axis", "axis_size", "MAX_POINTS"]

#: The largest grid accepted by default (a guard against a typo like num = 1e9): its
#: points are counted before anything is expanded, and a grid with more is refused with
#: the count (``max_points=`` / ``sweep --max-points`` raise the limit).
MAX_POINTS = 100_000

_RANGE_KINDS = ("log", "linear")
_SIGNIFICANT_DIGITS = 12


def _round_sig(x: float) -> float:
    return float(f"{x:.{_SIGNIFICANT_DIGITS}g}")


def axis_size(name: str, spec: Any, where: str) -> int:
    """How many values axis ``name`` has (at most), computed without expanding it.

    A list has its length; a range ``num`` values, or fewer for an integer range (at most
    one per integer between its ends). The spec is checked as :func:`expand_axis` checks it.
    """
    loc = f"axes.{name}"
    if isinstance(spec, list):
        return len(spec)
    if not isinstance(spec, dict):
        expand_axis(name, spec, where)  # raises the one-line error for a bad spec
        return 0
    kind, start, stop = _range_ends(loc, spec, where)
    num = _num(loc, spec, where)
    if _is_integer(loc, spec, kind, where):
        return min(num, int(abs(round(stop) - round(start))) + 1)
    return num


def _num(loc: str, spec: dict[str, Any], where: str) -> int:
    """``num`` of a range: an integer >= 1 (a whole float such as ``1e3`` is accepted)."""
    num = spec.get("num")
    if isinstance(num, float) and math.isfinite(num) and num.is_integer():
        num = int(num)
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise InvalidParameterError(
            f"{where}: `{loc}.num` must be an integer >= 1 (the number of values); "
            f"got {'nothing' if num is None else _fmt(num)}."
        )
    return num


def _is_integer(loc: str, spec: dict[str, Any], kind: str, where: str) -> bool:
    integer = spec.get("integer", all(isinstance(e, int) for e in spec[kind]))
    if not isinstance(integer, bool):
        raise InvalidParameterError(
            f"{where}: `{loc}.integer` must be true or false; got {_fmt(integer)}."
        )
    return integer


def expand_axis(name: str, spec: Any, where: str) -> tuple[Any, ...]:
    """The values of axis ``name``: the list as written, or the range expanded."""
    loc = f"axes.{name}"
    if isinstance(spec, list):
        if not spec:
            raise InvalidParameterError(f"{where}: `{loc}` must list at least one value; got [].")
        return tuple(spec)
    if isinstance(spec, dict):
        return _expand_range(loc, spec, where)
    raise InvalidParameterError(
        f"{where}: `{loc}` must be a list of values or a range {{log = [START, STOP], num = K}}; "
        f"got {_fmt(spec)} (a value shared by every point goes in [options])."
    )


def _range_ends(loc: str, spec: dict[str, Any], where: str) -> tuple[str, float, float]:
    """(kind, START, STOP) of a range, checked."""
    kinds = [k for k in _RANGE_KINDS if k in spec]
    unknown = sorted(set(spec) - {*_RANGE_KINDS, "num", "integer"})
    if unknown or len(kinds) != 1:
        raise InvalidParameterError(
            f"{where}: `{loc}` must be a list of values or a range "
            f"{{log = [START, STOP], num = K}} or {{linear = [START, STOP], num = K}} "
            f"(optional integer = true); got keys {sorted(spec)}."
        )
    kind = kinds[0]
    ends = spec[kind]
    if (
        not isinstance(ends, list)
        or len(ends) != 2
        or any(isinstance(e, bool) or not isinstance(e, (int, float)) for e in ends)
    ):
        raise InvalidParameterError(
            f"{where}: `{loc}.{kind}` must be two numbers [START, STOP]; got {_fmt(ends)}."
        )
    start, stop = float(ends[0]), float(ends[1])
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise InvalidParameterError(
            f"{where}: `{loc}.{kind}` must be finite numbers; got {_fmt(ends)}."
        )
    if kind == "log" and not (start > 0 and stop > 0):
        raise InvalidParameterError(
            f"{where}: `{loc}.log` needs START > 0 and STOP > 0; got {_fmt(ends)}."
        )
    return kind, start, stop


def _expand_range(loc: str, spec: dict[str, Any], where: str) -> tuple[Any, ...]:
    """K values from START to STOP: geomspace (log) or linspace (linear)."""
    kind, start, stop = _range_ends(loc, spec, where)
    num = _num(loc, spec, where)
    integer = _is_integer(loc, spec, kind, where)
    # callers count the values first (axis_size) and refuse a grid over its limit, so
    # num is bounded here; duplicates are dropped in linear time (dict keeps the order)
    grid = np.geomspace(start, stop, num) if kind == "log" else np.linspace(start, stop, num)
    if integer:
        return tuple(dict.fromkeys(int(n) for n in np.rint(grid).tolist()))
    return tuple(_round_sig(float(v)) for v in grid)
