"""Converters of option text: sizes ('inf'), numbers, integers, times ('log:a:b:n'), ranges.

Each takes the text of one option and returns its value, raising
``argparse.ArgumentTypeError`` with a short message (argparse prints it; grid
validation puts it in its one-line error), or :class:`InvalidParameterError` for
the list options that are checked when the task runs (``times``, ``compute``).
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from typing import Any

from .._errors import InvalidParameterError

__all__ = ["size", "real", "bounded", "integer", "count", "seed", "positive_int", "modes",
           "parse_times", "parse_compute", "DEFAULT_TIMES", "DEFAULT_COMPUTE", "MAX_EXACT",
           "MAX_TIMES", "ascii_int", "exponent", "sigma", "MAX_EXPONENT", "MAX_SIGMA"]

#: Default times: 13 log-spaced points from 1 to 10^4 (gradient-flow time or steps).
DEFAULT_TIMES = "log:1:1e4:13"
#: Budgets of the theory frontier when --compute is not given.
DEFAULT_COMPUTE = "log:1e4:1e10:7"


#: Largest finite size or count accepted from text: 2^53, the largest float64 that is an
#: exact integer (larger sizes are the limit N = inf for every purpose of the model).
MAX_EXACT = 2**53
#: Latest time accepted (gradient-flow time or steps): the theory is checked up to here.
MAX_TIME = 1e20
#: Most entries a time or budget list may have: more would not change a curve and would
#: only cost time and memory (``log:1:1e15:3000000``).
MAX_TIMES = 100_000


def _fail(text: str, allowed: str, name: str | None = None) -> argparse.ArgumentTypeError:
    what = f"`{name}` must be" if name else "expected"
    return argparse.ArgumentTypeError(f"{what} {allowed}; got {text!r}")


def _number(text: str, allowed: str, name: str | None = None) -> float:
    """``float(text)`` for plain ASCII text only; text that overflows to inf is refused.

    ``float`` also reads Unicode digits ('١٢'), '1_000' and surrounding whitespace of any
    kind, and turns '1e400' into inf: none of that is a number a user meant to type.
    """
    t = text.strip()
    if not t or not t.isascii() or "_" in t:
        raise _fail(text, allowed, name)
    try:
        x = float(t)
    except ValueError:
        raise _fail(text, allowed, name) from None
    if math.isinf(x) and "inf" not in t.lower():
        raise _fail(text, allowed + " (it overflows float64)", name)
    return x


def _as_given(x: float) -> float | int:
    """A parsed number as the library's messages print it: an int when it is whole."""
    return int(x) if math.isfinite(x) and x.is_integer() else x


def size(name: str) -> Callable[[str], float | int]:
    """A size option: a positive integer up to 2^53, or 'inf'.

    Text that is not a number (or overflows float64) and finite sizes above 2^53 are refused
    here; zero, negative and fractional sizes reach the library's check
    (``_validation.check_size``), which names them the same way.
    """
    allowed = "a positive integer or inf"

    def convert(text: str) -> float | int:
        x = _number(text, allowed, name)
        if math.isnan(x):
            raise _fail(text, allowed, name)
        if math.isinf(x) and x > 0:
            return math.inf
        if x > MAX_EXACT:
            raise argparse.ArgumentTypeError(
                f"`{name}` must be {allowed} (finite sizes at most 2^53 = {MAX_EXACT:.4g}; "
                f"larger ones are the limit inf); got {_as_given(x)}"
            )
        return _as_given(x)

    convert.__name__ = f"size {name}"
    return convert


def real(text: str) -> float:
    """A number (``float(text)``, ASCII only; nan and overflowing text refused)."""
    x = _number(text, "a number")
    if math.isnan(x):
        raise _fail(text, "a number")
    return x


def bounded(name: str, low: float, high: float, *, low_open: bool = False,
            allow_inf: bool = False) -> Callable[[str], float]:
    """A number in ``[low, high]`` (``(low, high]`` with ``low_open``); named in messages.

    Messages follow ``_validation.check_real``: "`name` must be a number > low; got x".
    """
    lower = f"a number {'>' if low_open else '>='} {low:g}"
    both = f"{lower} and <= {high:g}" if math.isfinite(high) else lower

    def convert(text: str) -> float:
        x = _number(text, both, name)
        if math.isnan(x):
            raise _fail(text, both, name)
        if allow_inf and math.isinf(x) and x > 0:
            return x
        if not (x > low if low_open else x >= low):
            raise argparse.ArgumentTypeError(f"`{name}` must be {lower}; got {x!r}")
        if not x <= high:
            raise argparse.ArgumentTypeError(f"`{name}` must be {both}; got {x!r}")
        return x

    convert.__name__ = "real"
    return convert


#: Largest exponent a or b accepted: k^-b underflows past it for every k > 1 that matters,
#: and the mode sums' series overflow float64 beyond ~30.
MAX_EXPONENT = 20.0
#: Largest noise level: sigma^2 must stay far inside float64.
MAX_SIGMA = 1e100


def exponent(name: str) -> Callable[[str], float]:
    """A power-law exponent ``a`` or ``b``: a number in (1, 20]."""
    return bounded(name, 1.0, MAX_EXPONENT, low_open=True)


def sigma(text: str) -> float:
    """A label-noise level: a number in [0, 1e100]."""
    return bounded("sigma", 0.0, MAX_SIGMA)(text)


sigma.__name__ = "real"


def integer(text: str) -> int:
    """An integer, also written as a float with no fraction (``2e3``), |n| <= 2^63 - 1."""
    allowed = "an integer"
    t = text.strip()
    if t.isascii() and re.fullmatch(r"[+-]?[0-9]+", t):
        n = int(t)
    else:
        x = _number(text, allowed)
        if not (math.isfinite(x) and x.is_integer()):
            raise _fail(text, allowed)
        n = int(x)
    if abs(n) > 2**63 - 1:
        raise _fail(text, "an integer of magnitude < 2^63")
    return n


def count(name: str, low: int, high: int, why: str = "") -> Callable[[str], int]:
    """An integer in ``[low, high]``, named in messages; ``why`` explains the upper limit.

    Messages follow ``_validation.check_int``: "`name` must be an integer >= low; got n".
    """
    lower = f"an integer >= {low}"
    both = f"{lower} and <= {high:_}".replace("_", ",") + (f" ({why})" if why else "")

    def convert(text: str) -> int:
        try:
            n = integer(text)
        except argparse.ArgumentTypeError:
            raise _fail(text, both, name) from None
        if n < low:
            raise argparse.ArgumentTypeError(f"`{name}` must be {lower}; got {n}")
        if n > high:
            raise argparse.ArgumentTypeError(f"`{name}` must be {both}; got {n:.4g}")
        return n

    convert.__name__ = "integer"
    return convert


def seed(text: str) -> int:
    """A random seed: an integer in [0, 2^63 - 1] (numpy refuses negative seeds)."""
    allowed = "an integer in [0, 2^63 - 1]"
    try:
        n = integer(text)
    except argparse.ArgumentTypeError:
        raise _fail(text, allowed, "seed") from None
    if n < 0:
        raise _fail(text, allowed, "seed")
    return n


seed.__name__ = "integer"


def ascii_int(text: str) -> int:
    """``int(text)`` for ASCII digits only (``int`` reads '١٢' as 12); argparse names it "int"."""
    t = text.strip()
    if not (t.isascii() and re.fullmatch(r"[+-]?[0-9]+", t)) or len(t) > 19:
        raise ValueError(f"invalid literal for int(): {text!r}")
    return int(t)


ascii_int.__name__ = "int"


def positive_int(text: str) -> int:
    """An integer >= 1 written as an integer (``--jobs``)."""
    t = text.strip()
    if not (t.isascii() and re.fullmatch(r"\+?[0-9]+", t)) or not 1 <= int(t) <= 2**31:
        raise argparse.ArgumentTypeError(f"expected a positive integer (at most 2^31); got {text!r}")
    return int(t)


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


def parse_times(text: str, *, integer: bool = False, name: str = "times",
                high: float = MAX_TIME) -> Any:
    """Parse ``"1,10,100"`` or ``"log:START:STOP:NUM"`` (NUM log-spaced points) into an array.

    With ``integer=True`` (step counts) log-spaced points are rounded and duplicates removed.
    Every entry must be a plain ASCII number (no empty entries as in ``1,,2``, no nan, no
    text that overflows to inf); at most :data:`MAX_TIMES` entries, checked before any
    array is built.
    """
    import numpy as np

    usage = f"`{name}` must be a comma list like 1,10,100 or log:START:STOP:NUM"
    if not isinstance(text, str):
        raise InvalidParameterError(f"{usage}; got {text!r}.")
    t = text.strip()

    def number(part: str) -> float:
        try:
            x = _number(part, "a number")
        except argparse.ArgumentTypeError:
            raise InvalidParameterError(f"{usage}; got {text!r} (entry {part!r}).") from None
        if math.isnan(x):
            raise InvalidParameterError(f"{usage}; got {text!r} (entry {part!r}).")
        return x

    if t.startswith("log:"):
        parts = t[4:].split(":")
        if len(parts) != 3:
            raise InvalidParameterError(f"{usage}; got {text!r}.")
        start, stop, num_f = (number(x) for x in parts)
        if not (0 < start <= stop and math.isfinite(stop) and math.isfinite(num_f)
                and num_f.is_integer() and num_f >= 1):
            raise InvalidParameterError(
                f"`{name}` log:START:STOP:NUM needs 0 < START <= STOP (finite) and a whole "
                f"NUM >= 1; got {text!r}."
            )
        if num_f > MAX_TIMES:
            raise InvalidParameterError(
                f"`{name}` asks for {num_f:.4g} times; at most {MAX_TIMES:_} are allowed "
                f"(each costs work and memory); got {text!r}.".replace("_", ",")
            )
        _in_range(np.array([start, stop]), name, text, high)
        values = np.geomspace(start, stop, int(num_f))
        if integer:
            values = np.unique(np.round(values))
        return values
    parts = t.split(",")
    if len(parts) > MAX_TIMES:
        raise InvalidParameterError(
            f"`{name}` lists {len(parts)} times; at most {MAX_TIMES:_} are allowed; "
            f"got {text[:40]!r}...".replace("_", ",")
        )
    if any(not p.strip() for p in parts) and t:
        raise InvalidParameterError(f"{usage} with no empty entries; got {text!r}.")
    if not t:
        raise InvalidParameterError(f"`{name}` must list at least one time; got an empty list.")
    values = np.array([number(p) for p in parts], dtype=np.float64)
    return _in_range(values, name, text, high)


def _in_range(values: Any, name: str, text: str, high: float) -> Any:
    """Refuse entries above ``high`` (one line naming the first offender)."""

    bad = ~(values <= high) & ~(values < 0)  # negatives: the library's message
    if bad.any():
        raise InvalidParameterError(
            f"`{name}` must be at most {high:g}; got {float(values[bad][0])!r} in {text!r}."
        )
    return values


def parse_compute(text: str) -> Any:
    """``C1,C2,...`` or ``log:START:STOP:NUM`` into positive finite budgets."""
    import numpy as np

    values = parse_times(text, name="compute", high=1e300)
    if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise InvalidParameterError(f"`compute` must list positive finite budgets; got {text!r}.")
    return values
