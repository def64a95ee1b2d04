"""A grid file's top-level layout: its keys and tables, and its size counted before expansion.

``count_points`` multiplies the axes' sizes by the number of cases without building a
single point, so a grid of 1e12 points is refused (``check_count``) in constant time.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

from .._errors import InvalidParameterError
from ._axes import axis_size
from ._options import fmt as _fmt
from ._options import task_options

__all__ = ["check_top", "tables", "count_points", "check_count", "TOP_KEYS"]

TOP_KEYS = ("command", "options", "axes", "cases", "name", "description")


def check_top(data: Any, where: str) -> None:
    """The top-level keys: known ones only, ``command`` present, strings where due."""
    if not isinstance(data, Mapping):
        raise InvalidParameterError(f"{where}: a grid must be a table; got {type(data).__name__}.")
    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), TOP_KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InvalidParameterError(
            f"{where}: `{unknown[0]}` is not a grid key{hint}; allowed top-level keys: "
            f"{', '.join(TOP_KEYS)} (options of the command go in [options] or [axes])."
        )
    if "command" not in data:
        raise InvalidParameterError(
            f"{where}: `command` is missing: name the command to run, e.g. command = \"simulate\"."
        )


def tables(data: Mapping[str, Any], where: str) -> tuple[dict, dict, list[dict[str, Any]]]:
    """``[options]``, ``[axes]`` and ``[[cases]]`` (``[{}]`` when there are none)."""
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            raise InvalidParameterError(f"{where}: `{key}` must be a string; got {_fmt(data[key])}.")

    def table(key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise InvalidParameterError(
                f"{where}: `{key}` must be a table ([{key}] with one option per line); "
                f"got {_fmt(value)}."
            )
        return dict(value)

    cases_raw = data.get("cases", [])
    if not isinstance(cases_raw, list) or not all(isinstance(c, dict) for c in cases_raw):
        raise InvalidParameterError(
            f"{where}: `cases` must be an array of tables ([[cases]] blocks); got {_fmt(cases_raw)}."
        )
    return table("options"), table("axes"), [dict(c) for c in cases_raw] or [{}]


def count_points(data: Mapping[str, Any], *, source: str = "<grid>") -> int:
    """How many points grid ``data`` expands to (at most: duplicates are not counted out),
    computed from the axes' sizes and the number of cases without expanding anything."""
    check_top(data, source)
    task_options(data["command"], source)
    _, axes_spec, cases = tables(data, source)
    return len(cases) * math.prod(axis_size(k, v, source) for k, v in axes_spec.items())


def check_count(data: Mapping[str, Any], where: str, max_points: int) -> None:
    """Refuse a grid of more than ``max_points`` points, counted before any expansion."""
    n_total = count_points(data, source=where)
    if n_total <= max_points:
        return
    _, axes_spec, cases = tables(data, where)
    sizes = [f"{k} {axis_size(k, v, where)}" for k, v in axes_spec.items()]
    if len(cases) > 1:
        sizes.append(f"{len(cases)} cases")
    raise InvalidParameterError(
        f"{where}: the grid has {n_total} points ({' x '.join(sizes)}); at most "
        f"{max_points} "
        f"are allowed: raise the limit with --max-points (max_points=), or split the grid "
        f"into several grids sharing one store."
    )
