"""Selecting rows of a table by parameter values (``--where K=V``), below every layer.

Shared by the sweep tables, the commands that read a store and the sweep plots, so
none of them imports the others for it.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._errors import InvalidParameterError

__all__ = ["parse_value", "select", "sort_value", "values_of"]


def sort_value(v: Any) -> tuple[int, Any]:
    if v is None:
        return (3, "")
    if isinstance(v, bool):
        return (1, int(v))
    if isinstance(v, numbers.Real):
        return (0, float(v))
    if isinstance(v, str):
        return (2, v)
    return (2, json.dumps(v, sort_keys=True, default=str))


def parse_value(text: str) -> Any:
    """A ``--where`` value: an integer, a number, ``inf``, ``true``/``false`` or a string."""
    t = text.strip()
    low = t.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("inf", "+inf", "infinity"):
        return math.inf
    try:
        x = float(t)
    except ValueError:
        return t
    return int(x) if x.is_integer() and "." not in t and "e" not in low else x


def values_of(series: Any) -> str:
    vals = sorted({v for v in series.tolist()}, key=sort_value)
    shown = ", ".join(repr(v) for v in vals[:8])
    return shown + (", ..." if len(vals) > 8 else "")


def select(frame: Any, where: Mapping[str, Any] | None) -> Any:
    """Rows of ``frame`` whose columns equal the values in ``where``."""
    if not where:
        return frame
    if not isinstance(where, Mapping):
        raise InvalidParameterError(f"`where` must be a dict of column -> value; got {where!r}.")
    mask = np.ones(len(frame), dtype=bool)
    for name, value in where.items():
        if name not in frame.columns:
            raise InvalidParameterError(
                f"`where` names `{name}`, which is not a column of the sweep; columns: "
                f"{', '.join(map(str, frame.columns))}."
            )
        col = frame[name]
        if isinstance(value, str) and col.map(lambda v: isinstance(v, numbers.Real)).all():
            value = parse_value(value)
        match = (col == value).to_numpy(dtype=bool)
        if not match.any():
            raise InvalidParameterError(
                f"`where`: no point has {name} = {value!r}; its values are {values_of(col)}."
            )
        mask &= match
    out = frame[mask]
    if len(out) == 0:
        raise InvalidParameterError(f"`where`: no point matches {dict(where)!r} all at once.")
    return out
