"""Short printed summaries of result records: a few lines of shapes and key numbers.

A result of :mod:`scaling_dynamics.scaling` or :mod:`scaling_dynamics.empirical` prints as
its class name and one line per key field: numbers to 4 significant digits, arrays as
their shape and range, nested results by name, never the arrays themselves (``to_dict()``
has everything).

>>> import numpy as np
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Fit:
...     slope: float
...     curve: np.ndarray
...     flags: np.ndarray
...     __repr__ = summary_repr
>>> Fit(np.float64(0.123456), np.linspace(1.0, 2.0, 1000), np.array([True, False]))
Fit(
  slope=0.1235
  curve=shape (1000,), 1 .. 2
  flags=1 of 2 true
)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["summary_repr", "short_value"]


def _number(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x):.4g}"


def short_value(value: Any) -> str:
    """One short line for ``value``: a number, a shape and range, a name; never a wall."""
    if value is None or isinstance(value, (bool, np.bool_, int, float, np.number)):
        return "None" if value is None else _number(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        first = getattr(value, "_repr_fields", ("",))[0].split()
        inner = ", ".join(f"{n}={short_value(getattr(value, n))}" for n in first)
        return f"{type(value).__name__}({inner or '...'})"
    if isinstance(value, Mapping):
        items = list(value.items())
        if len(items) <= 4 and all(isinstance(v, (int, float, np.number, str, type(None)))
                                   for _, v in items):
            return "{" + ", ".join(f"{k}: {short_value(v)}" for k, v in items) + "}"
        return f"dict of {len(items)} entries ({', '.join(str(k) for k, _ in items[:4])}" + (
            ", ...)" if len(items) > 4 else ")")
    if isinstance(value, (list, tuple)) and not value:
        return "[]" if isinstance(value, list) else "()"
    try:
        a = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything unusual: its type is enough
        return type(value).__name__
    if a.dtype == object:
        return f"{type(value).__name__} of {len(value)}"
    if a.dtype == bool:
        return f"{int(a.sum())} of {a.size} true"
    if not np.issubdtype(a.dtype, np.number):
        return f"{type(value).__name__} of {a.size}"
    if a.ndim == 1 and a.size <= 4:
        inner = ", ".join(_number(x) for x in a)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    finite = a[np.isfinite(a)] if np.issubdtype(a.dtype, np.floating) else a
    shape = f"shape {a.shape}"
    if finite.size == 0:
        return shape + (", no finite values" if a.size else "")
    lo, hi = finite.min(), finite.max()
    extra = "" if finite.size == a.size else f" ({a.size - finite.size} not finite)"
    return f"{shape}, {_number(lo)} .. {_number(hi)}{extra}"


def summary_repr(self: Any) -> str:
    """``ClassName(``, one line of ``field=short value`` per group of fields, ``)``.

    The class may list the fields worth showing in ``_repr_fields``: each entry is one
    line, several names separated by spaces share it (default: every field, one a line).
    The fields not shown are named on a last line, so the summary stays a few lines long.
    """
    names = [f.name for f in dataclasses.fields(self)]
    groups = [g.split() for g in getattr(self, "_repr_fields", names)]
    lines = [f"{type(self).__name__}("]
    lines += ["  " + ", ".join(f"{n}={short_value(getattr(self, n))}" for n in g) for g in groups]
    shown = {n for g in groups for n in g}
    rest = [n for n in names if n not in shown]
    if rest:
        listed = ", ".join(rest)
        lines.append(f"  ... {len(rest)} more: {listed}" if len(listed) <= 70
                     else f"  ... {len(rest)} more fields")
    lines.append(")")
    return "\n".join(lines)
