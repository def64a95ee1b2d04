"""Converters of option text: sizes ('inf'), numbers, integers, times ('log:a:b:n'), ranges.

Each takes the text of one option and returns its value, raising
``argparse.ArgumentTypeError`` with a short message (argparse prints it; grid
validation puts it in its one-line error), or :class:`InvalidParameterError` for
the list options that are checked when the task runs (``times``, ``compute``).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

from .._errors import InvalidParameterError
from .._validation import parse_size

__all__ = ["size", "real", "integer", "positive_int", "modes", "parse_times", "parse_compute",
           "DEFAULT_TIMES", "DEFAULT_COMPUTE"]

#: Default times: 13 log-spaced points from 1 to 10^4 (gradient-flow time or steps).
DEFAULT_TIMES = "log:1:1e4:13"
#: Budgets of the theory frontier when --compute is not given.
DEFAULT_COMPUTE = "log:1e4:1e10:7"


def size(name: str) -> Callable[[str], float | int]:
    """A size option: a positive integer or 'inf' (``_validation.parse_size``)."""

    def convert(text: str) -> float | int:
        try:
            value = parse_size(name, text)
        except InvalidParameterError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return value

    convert.__name__ = f"size {name}"
    return convert


def real(text: str) -> float:
    """A number (``float(text)``)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number; got {text!r}") from None


def integer(text: str) -> int:
    """An integer, also written as a float with no fraction (``2e3``)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer; got {text!r}") from None
    if not x.is_integer():
        raise argparse.ArgumentTypeError(f"expected an integer; got {text!r}")
    return int(x)


def positive_int(text: str) -> int:
    """An integer >= 1 written as an integer (``--jobs``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def modes(text: str) -> tuple[int, int]:
    """``FIRST:LAST`` mode numbers with 1 <= FIRST < LAST."""
    try:
        lo, hi = (int(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected FIRST:LAST mode numbers like 5:200; got {text!r}"
        ) from None
    if not 1 <= lo < hi:
        raise argparse.ArgumentTypeError(f"expected 1 <= FIRST < LAST; got {text!r}")
    return lo, hi


def parse_times(text: str, *, integer: bool = False) -> Any:
    """Parse ``"1,10,100"`` or ``"log:START:STOP:NUM"`` (NUM log-spaced points) into an array.

    With ``integer=True`` (step counts) log-spaced points are rounded and duplicates removed.
    """
    import numpy as np

    t = text.strip()
    if t.startswith("log:"):
        parts = t[4:].split(":")
        try:
            start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
            if len(parts) != 3:
                raise ValueError
        except (ValueError, IndexError):
            raise InvalidParameterError(
                f"`times` must be a comma list like 1,10,100 or log:START:STOP:NUM; got {text!r}."
            ) from None
        if not (start > 0 and stop >= start and num >= 1 and math.isfinite(stop)):
            raise InvalidParameterError(
                f"`times` log:START:STOP:NUM needs 0 < START <= STOP (finite) and NUM >= 1; got {text!r}."
            )
        values = np.geomspace(start, stop, num)
        if integer:
            values = np.unique(np.round(values))
        return values
    try:
        values = np.array([float(x) for x in t.split(",") if x.strip()], dtype=np.float64)
    except ValueError:
        raise InvalidParameterError(
            f"`times` must be a comma list like 1,10,100 or log:START:STOP:NUM; got {text!r}."
        ) from None
    if values.size == 0:
        raise InvalidParameterError("`times` must list at least one time; got an empty list.")
    return values


def parse_compute(text: str) -> Any:
    """``C1,C2,...`` or ``log:START:STOP:NUM`` into positive finite budgets."""
    import numpy as np

    try:
        values = parse_times(text)
    except InvalidParameterError:
        raise InvalidParameterError(
            f"`compute` must be a comma list like 1e4,1e6 or log:START:STOP:NUM; got {text!r}."
        ) from None
    if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise InvalidParameterError(f"`compute` must list positive finite budgets; got {text!r}.")
    return values
