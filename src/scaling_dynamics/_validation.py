"""Validation helpers used at the public boundary.

Messages follow one format: ``"`name` must be <what is allowed>; got <value>."``
Internals trust validated inputs and do not re-check.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ._errors import InvalidParameterError

__all__ = [
    "check_real",
    "check_int",
    "check_size",
    "check_choice",
    "as_float_array",
    "parse_size",
    "open_npz",
    "check_regular_file",
    "MAX_INPUT_BYTES",
]

#: Largest input file read (a loss CSV, a spectrum or data archive): 4 GiB.
MAX_INPUT_BYTES = 4 * 2**30


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return repr(value) if isinstance(value, str) else str(value)


def _short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages about bad input."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_real(
    name: str,
    value: Any,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
    allow_inf: bool = False,
) -> float:
    """Return ``value`` as a float after checking it lies in the given interval.

    ``low_open``/``high_open`` exclude the end points. Non-finite values are
    refused unless ``allow_inf`` (``nan`` is always refused).
    """
    if math.isinf(high) and math.isinf(low):
        allowed = "a real number"
    elif math.isinf(high):
        allowed = f"a number {'>' if low_open else '>='} {low:g}"
    elif math.isinf(low):
        allowed = f"a number {'<' if high_open else '<='} {high:g}"
    else:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        allowed = f"a number in {lo}{low:g}, {high:g}{hi}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(f"`{name}` must be {allowed}; got {_fmt(value)}.")
    x = float(value)
    if math.isnan(x) or (math.isinf(x) and not allow_inf):
        raise InvalidParameterError(f"`{name}` must be {allowed} (finite); got {_fmt(value)}.")
    if x < low or x > high or (low_open and x == low) or (high_open and x == high):
        raise InvalidParameterError(f"`{name}` must be {allowed}; got {_fmt(value)}.")
    return x


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int after checking ``low <= value <= high``.

    Floats that are whole numbers (``2000.0``) are accepted.
    """
    bounds = []
    if low is not None:
        bounds.append(f">= {low}")
    if high is not None:
        bounds.append(f"<= {high}")
    allowed = "an integer" + (" " + " and ".join(bounds) if bounds else "")
    if isinstance(value, bool):
        raise InvalidParameterError(f"`{name}` must be {allowed}; got {_fmt(value)}.")
    if isinstance(value, numbers.Integral):
        n = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
        n = int(value)
    else:
        raise InvalidParameterError(f"`{name}` must be {allowed}; got {_fmt(value)}.")
    if (low is not None and n < low) or (high is not None and n > high):
        raise InvalidParameterError(f"`{name}` must be {allowed}; got {n}.")
    return n


def check_size(name: str, value: Any, *, allow_inf: bool = True) -> float | int:
    """A model size (N, P, M): a positive integer, or ``inf`` where the limit is allowed."""
    if isinstance(value, str):
        value = parse_size(name, value)
    if (
        allow_inf
        and isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isinf(float(value))
        and float(value) > 0
    ):
        return math.inf
    try:
        return check_int(name, value, low=1)
    except InvalidParameterError:
        extra = " or inf" if allow_inf else ""
        raise InvalidParameterError(
            f"`{name}` must be a positive integer{extra}; got {_fmt(value)}."
        ) from None


def parse_size(name: str, text: str) -> float | int:
    """Parse ``"2000"``, ``"2e3"`` or ``"inf"`` into a size (validated by the caller)."""
    t = text.strip().lower()
    if t in {"inf", "infinity", "+inf"}:
        return math.inf
    try:
        x = float(t)
    except ValueError:
        raise InvalidParameterError(
            f"`{name}` must be a positive integer or inf; got {text!r}."
        ) from None
    return int(x) if math.isfinite(x) and x.is_integer() else x


def check_choice(name: str, value: Any, options: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``options``; otherwise name the valid ones."""
    opts = list(options)
    if value not in opts:
        listed = ", ".join(repr(o) for o in opts)
        raise InvalidParameterError(f"`{name}` must be one of {listed}; got {_fmt(value)}.")
    return value


def as_float_array(
    name: str,
    values: Any,
    *,
    ndim: int = 1,
    positive: bool = False,
    nonnegative: bool = False,
    min_length: int = 1,
) -> np.ndarray:
    """Convert ``values`` to a float64 array, refusing non-finite or out-of-range entries."""
    if np.iscomplexobj(values):
        raise InvalidParameterError(
            f"`{name}` must be an array of real numbers; got complex values."
        )
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"`{name}` must be an array of real numbers; got {_short_repr(values)}."
        ) from None
    if arr.ndim != ndim:
        raise InvalidParameterError(
            f"`{name}` must be a {ndim}-dimensional array; got shape {arr.shape}."
        )
    if arr.shape[0] < min_length:
        raise InvalidParameterError(
            f"`{name}` must have at least {min_length} "
            f"{'entry' if min_length == 1 else 'entries'}; got {arr.shape[0]}."
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise InvalidParameterError(
            f"`{name}` must contain only finite numbers; entry {i} is {float(arr.ravel()[i])!r}."
        )
    if positive and (arr <= 0).any():
        i = int(np.flatnonzero((arr <= 0).ravel())[0])
        raise InvalidParameterError(
            f"`{name}` must contain only positive numbers; entry {i} is {float(arr.ravel()[i])!r}."
        )
    if nonnegative and (arr < 0).any():
        i = int(np.flatnonzero((arr < 0).ravel())[0])
        raise InvalidParameterError(
            f"`{name}` must contain only non-negative numbers; entry {i} is {float(arr.ravel()[i])!r}."
        )
    return arr


def check_times(name: str, values: Any, *, integer: bool = False) -> np.ndarray:
    """Times at which a curve is evaluated: finite, non-negative, 1-d.

    With ``integer=True`` (discrete optimisers, time counted in steps) every
    entry must be a whole number.
    """
    if np.isscalar(values):
        values = [values]
    arr = as_float_array(name, values, nonnegative=True)
    if integer:
        frac = arr != np.round(arr)
        if frac.any():
            i = int(np.flatnonzero(frac)[0])
            raise InvalidParameterError(
                f"`{name}` must be whole numbers of steps for a discrete optimiser; "
                f"entry {i} is {float(arr[i])!r}."
            )
    return arr


def check_regular_file(path: str | os.PathLike[str], what: str,
                       limit: int = MAX_INPUT_BYTES) -> None:
    """Refuse, before reading, what is not a regular file of at most ``limit`` bytes.

    A FIFO, a device (``/dev/zero``) or a socket would be read forever or block; a
    directory cannot be read. Raises ``OSError`` (missing file) or
    :class:`InvalidParameterError`.
    """
    import stat

    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise InvalidParameterError(f"cannot read {what} {os.fspath(path)!r}: it is a folder.")
    if not stat.S_ISREG(st.st_mode):
        raise InvalidParameterError(
            f"cannot read {what} {os.fspath(path)!r}: it is not a regular file (a pipe or a "
            "device would never end); save the data to a file first."
        )
    if st.st_size > limit:
        raise InvalidParameterError(
            f"cannot read {what} {os.fspath(path)!r}: it has {st.st_size / 2**30:.3g} GiB; at "
            f"most {limit / 2**30:.3g} GiB are read."
        )


@contextmanager
def open_npz(path: str | os.PathLike[str], what: str, hint: str) -> Iterator[Any]:
    """Open ``path`` as an ``.npz`` archive (no pickles) for the ``with`` block.

    A file that is not a zip archive is refused before numpy sees it (``np.load`` would
    return a bare array for ``.npy`` or suggest unpickling anything else); ``hint`` says
    how to write a valid one. Read errors, in opening or in the block, become
    ``"cannot read <what> '<path>': <reason>"``.
    """
    import zipfile
    import zlib

    try:
        check_regular_file(path, what)
        with open(path, "rb") as fh:
            is_npz = fh.read(4) == b"PK\x03\x04"  # an .npz file is a zip archive
        if not is_npz:
            raise InvalidParameterError(f"cannot read {what} {path!r}: it is not an .npz archive; {hint}")
        with np.load(path, allow_pickle=False) as archive:
            yield archive
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        if isinstance(exc, InvalidParameterError):
            raise
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        if isinstance(exc, (EOFError, zipfile.BadZipFile, zlib.error)):
            reason = f"the archive is damaged or truncated ({exc})"
        raise InvalidParameterError(f"cannot read {what} {path!r}: {reason}") from None
