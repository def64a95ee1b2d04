"""Validation helpers used at the public boundary.

Messages follow one format: ``"`name` must be <what is allowed>; got <value>."``
Internals trust validated inputs and do not re-check.
"""

from __future__ import annotations

import math
import numbers
import os
import stat
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
    "open_input",
    "read_input_text",
    "MAX_INPUT_BYTES",
    "MAX_TEXT_BYTES",
]

#: The largest binary input file read (``.npz`` spectra and data sets, also the sum of
#: an archive's uncompressed members): 4 GiB. Larger files are refused before reading.
MAX_INPUT_BYTES = 4 << 30

#: The largest text input file read (CSV loss data, saved loss curves, grid files, sweep
#: store records): 256 MiB.
MAX_TEXT_BYTES = 256 << 20

_FILE_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


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


def _check_unpacked_size(archive: Any, what: str, path: Any) -> None:
    """Refuse an archive whose members unpack to more than :data:`MAX_INPUT_BYTES`."""
    members = getattr(getattr(archive, "zip", None), "infolist", lambda: [])()
    total = sum(int(getattr(m, "file_size", 0)) for m in members)
    if total > MAX_INPUT_BYTES:
        raise InvalidParameterError(
            f"cannot read {what} {path!r}: its arrays unpack to {_size_text(total)}, over the "
            f"limit of {_size_text(MAX_INPUT_BYTES)} for {what}s."
        )


def _size_text(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


@contextmanager
def open_input(path: str | os.PathLike[str], what: str, *,
               limit: int | None = None) -> Iterator[Any]:
    """Open the user's file ``path`` for binary reading, bounded, for the ``with`` block.

    The file is opened without blocking (``O_NONBLOCK``: a FIFO with no writer opens at
    once) and its type checked before a byte is read: a FIFO, a device (``/dev/zero``),
    a socket or a directory is refused in one line, and so is a regular file larger than
    ``limit`` bytes, naming its size and the limit. The same path therefore never hangs
    and never reads without end. Other errors (missing, no permission) become
    ``"cannot read <what> '<path>': <reason>."``. ``limit`` defaults to
    :data:`MAX_INPUT_BYTES`.
    """
    path = os.fspath(path)
    limit = MAX_INPUT_BYTES if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InvalidParameterError(
            f"cannot read {what} {path!r}: {exc.strerror or exc}."
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((k for test, k in _FILE_KINDS if test(info.st_mode)), "not a regular file")
            raise InvalidParameterError(
                f"cannot read {what} {path!r}: it is {kind}, not a regular file; "
                f"give the path of a file."
            )
        if info.st_size > limit:
            raise InvalidParameterError(
                f"cannot read {what} {path!r}: it is {_size_text(info.st_size)} "
                f"({info.st_size} bytes), over the limit of {_size_text(limit)} for {what}s."
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        yield fh


def read_input_text(path: str | os.PathLike[str], what: str, *,
                    limit: int | None = None,
                    not_text: str = "it is not a UTF-8 text file") -> str:
    """The UTF-8 text of the user's file ``path``, read through :func:`open_input`.

    At most ``limit`` bytes are read even if the file grows while it is read; a file that
    is not UTF-8 text is refused in one line (``not_text`` says why). ``limit`` defaults
    to :data:`MAX_TEXT_BYTES`.
    """
    path = os.fspath(path)
    limit = MAX_TEXT_BYTES if limit is None else limit
    with open_input(path, what, limit=limit) as fh:
        try:
            raw = fh.read(limit + 1)
        except OSError as exc:
            raise InvalidParameterError(
                f"cannot read {what} {path!r}: {exc.strerror or exc}."
            ) from None
    if len(raw) > limit:
        raise InvalidParameterError(
            f"cannot read {what} {path!r}: it is over the limit of {_size_text(limit)} for "
            f"{what}s."
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameterError(
            f"cannot read {what} {path!r}: {not_text}."
        ) from None


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
        with open_input(path, what) as fh:
            is_npz = fh.read(4) == b"PK\x03\x04"  # an .npz file is a zip archive
            if not is_npz:
                raise InvalidParameterError(f"cannot read {what} {path!r}: it is not an .npz archive; {hint}")
            fh.seek(0)
            with np.load(fh, allow_pickle=False) as archive:
                _check_unpacked_size(archive, what, path)
                yield archive
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        if isinstance(exc, InvalidParameterError):
            raise
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        if isinstance(exc, (EOFError, zipfile.BadZipFile, zlib.error)):
            reason = f"the archive is damaged or truncated ({exc})"
        raise InvalidParameterError(f"cannot read {what} {path!r}: {reason}") from None
