"""Grid files: the TOML schema, its validation and its expansion into points.

A grid names one command of the command line, the options every point shares and
the axes that vary; the grid is the Cartesian product of the axes (times the
``[[cases]]``, if any)::

    command = "simulate"

    [options]                      # fixed: the command's long options without "--"
    M = 2000
    seeds = 4
    times = "log:1:1e4:20"

    [axes]                         # varied
    N = [64, 128, 256]
    P = { log = [128, 4096], num = 6 }      # 6 log-spaced values (integers: the ends are)

    [[cases]]                      # optional: option sets that go together
    optimizer = "gf"
    [[cases]]
    optimizer = "gd"
    eta = 0.5

Every option name and value is checked against the command's own argparse parser
before anything runs, so a typo gets a message naming the key. The full schema is
in ``docs/sweeps.md``.

Canonical parameters and keys
-----------------------------
A point is the command plus the options the grid sets, each converted by the
command's own parser (so ``N = 2000``, ``N = 2e3`` and ``N = "2000"`` are one
point). Its key is ``sha256(command, canonical parameters, package version)``;
options the grid does not set take the command's defaults of that version.

Seeds
-----
For commands with a ``--seed`` option the seed is part of the point. If the grid
sets ``seed`` (in ``[options]``: one seed shared by every point, i.e. common
random numbers; as an axis: replicates) it is used as written. Otherwise each
point gets ``seed = derive_seed(command, parameters)``: a 52-bit integer from a
hash of its other canonical parameters. It depends on nothing else (not the
worker, the scheduler, the order of the grid or the package version), so a point
gives the same numbers however the sweep is run, and points differing in any
parameter use independent random streams.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import itertools
import json
import math
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._version import __version__

__all__ = [
    "Grid",
    "Point",
    "load_grid",
    "parse_grid",
    "point_key",
    "derive_seed",
    "canonical_json",
    "MAX_POINTS",
]

#: The largest grid accepted (a guard against a typo like num = 1e9).
MAX_POINTS = 1_000_000

_TOP_KEYS = ("command", "options", "axes", "cases", "name", "description")
_RANGE_KINDS = ("log", "linear")
#: Option destinations that the sweep sets itself or that make no sense in a grid.
_RESERVED = {
    "format": "the sweep asks every point for --format json itself",
    "out": "the sweep stores each point's result itself",
    "progress": "the sweep shows its own progress bar",
    "help": "it is not a computation",
}
_SIGNIFICANT_DIGITS = 12


# --------------------------------------------------------------------------- canonical form
def _jsonable(value: Any) -> Any:
    """Plain JSON data: infinities as "inf", numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if math.isnan(x):
            return "nan"
        return x
    if value is None or isinstance(value, str):
        return value
    return str(value)


def canonical_json(obj: Any) -> str:
    """Compact JSON with sorted keys: the text that keys and seeds hash.

    Floats are written with Python's shortest round-trip ``repr``, so the text of a
    value is the same on every platform.
    """
    return json.dumps(_jsonable(obj), sort_keys=True, separators=(",", ":"), allow_nan=False)


def point_key(command: str, params: Mapping[str, Any], version: str = __version__) -> str:
    """Key of a point: the first 24 hex digits of ``sha256(command, params, version)``.

    ``params`` are the canonical parameters (seed included); ``version`` is the package
    version, so a new version never reuses an old result.
    """
    text = canonical_json({"command": command, "params": dict(params), "version": version})
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def derive_seed(command: str, params: Mapping[str, Any]) -> int:
    """Seed of a point: ``sha256(command, params without "seed")`` cut to 52 bits.

    52 bits keep the seed exact through any float conversion (a float64 holds
    integers up to 2^53 exactly) while collisions stay negligible (about n^2 / 2^53
    for n points).
    """
    rest = {k: v for k, v in params.items() if k != "seed"}
    text = canonical_json({"command": command, "params": rest, "purpose": "seed"})
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 12


# --------------------------------------------------------------------------- points and grids
@dataclass(frozen=True)
class Point:
    """One grid point.

    Attributes
    ----------
    index : int
        Position in the grid (informative: results never depend on it).
    command : str
        Command of the command line that computes the point.
    params : dict
        Canonical parameters: the options the grid sets, converted by the command's
        parser, plus ``seed`` for commands that take one.
    argv : tuple of str
        The exact command line, ``(command, "--N", "64", ..., "--format", "json")``;
        ``scaling-dynamics *argv`` recomputes the point alone.
    key : str
        :func:`point_key` of ``command`` and ``params`` (file name in the store).
    seed_derived : bool
        True when ``params["seed"]`` was derived by :func:`derive_seed`.
    """

    index: int
    command: str
    params: dict[str, Any]
    argv: tuple[str, ...]
    key: str
    seed_derived: bool = False


@dataclass(frozen=True)
class Grid:
    """A validated grid file: the command, its fixed options, the axes and the points.

    Attributes
    ----------
    command : str
    options : dict
        Fixed options (as written in the file).
    axes : dict of str to tuple
        Each axis' distinct values (canonical, after expanding ranges).
    cases : tuple of dict
        The ``[[cases]]`` option sets (``({},)`` when there are none).
    points : tuple of Point
        Every point, duplicates removed, in grid order (cases outermost, then the
        axes in file order, the first axis varying slowest).
    source : str
        Where the grid came from (file path or ``"<grid>"``).
    name, description : str
    text : str
        The TOML text, kept with the store for provenance ("" when built from a dict).
    """

    command: str
    options: dict[str, Any]
    axes: dict[str, tuple[Any, ...]]
    cases: tuple[dict[str, Any], ...]
    points: tuple[Point, ...]
    source: str = "<grid>"
    name: str = ""
    description: str = ""
    text: str = field(default="", repr=False)

    @property
    def n_points(self) -> int:
        return len(self.points)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.points)


# --------------------------------------------------------------------------- command specs
class _ParseError(Exception):
    pass


class _RaisingParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _ParseError(message)


@dataclass(frozen=True)
class _CommandSpec:
    name: str
    parser: argparse.ArgumentParser
    options: dict[str, argparse.Action]  # key (long option without "--") -> action
    positionals: dict[str, argparse.Action]  # dest -> action
    has_seed: bool
    progress_flag: str | None  # e.g. "--no-progress"


def _command_spec(command: Any, where: str) -> _CommandSpec:
    from ..cli import COMMANDS

    sweepable = sorted(c for c in COMMANDS if c != "sweep")
    if not isinstance(command, str) or command not in COMMANDS or command == "sweep":
        listed = ", ".join(repr(c) for c in sweepable)
        hint = ""
        if isinstance(command, str):
            close = difflib.get_close_matches(command, sweepable, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InvalidParameterError(
            f"{where}: `command` must be one of {listed}; got {command!r}{hint}."
        )
    import importlib

    module = importlib.import_module(f"scaling_dynamics.cli.{COMMANDS[command][0]}")
    parser = _RaisingParser(prog=f"scaling-dynamics {command}", add_help=False)
    module.add_arguments(parser)
    options: dict[str, argparse.Action] = {}
    positionals: dict[str, argparse.Action] = {}
    progress_flag = None
    for action in parser._actions:
        if not action.option_strings:
            positionals[action.dest] = action
            continue
        for opt in action.option_strings:
            if opt.startswith("--"):
                options[opt[2:]] = action
                if action.dest == "progress" and action.const is False:
                    progress_flag = opt
    fmt = next((a for k, a in options.items() if a.dest == "format"), None)
    if fmt is None or "json" not in (fmt.choices or ()):
        raise InvalidParameterError(
            f"{where}: `command` = {command!r} cannot be swept: it has no `--format json` "
            f"output (sweepable commands: {', '.join(sweepable)})."
        )
    has_seed = "seed" in options and options["seed"].dest == "seed"
    return _CommandSpec(command, parser, options, positionals, has_seed, progress_flag)


def _fmt(value: Any) -> str:
    return repr(value)


def _to_text(value: Any) -> str:
    """A TOML scalar as the command-line text that parses back to the same value."""
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    return str(value)


def _canonical(value: Any) -> Any:
    """The converted value if it is plain data, else None (the caller keeps the text)."""
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)) and all(
        v is None or isinstance(v, (bool, int, float, str)) for v in value
    ):
        return list(value)
    return None


class _Checker:
    """Validates option values against one command's parser; memoises conversions."""

    def __init__(self, spec: _CommandSpec, where: str) -> None:
        self.spec = spec
        self.where = where
        self._memo: dict[tuple[str, str], Any] = {}

    def action(self, key: str, loc: str) -> argparse.Action:
        spec = self.spec
        if not isinstance(key, str) or not key:
            raise InvalidParameterError(f"{self.where}: `{loc}` is not a valid option name.")
        if key.startswith("-"):
            raise InvalidParameterError(
                f"{self.where}: `{loc}`: write option names without dashes "
                f"(`{key.lstrip('-')}`, not `{key}`)."
            )
        action = spec.options.get(key)
        if action is None and key in spec.positionals:
            action = spec.positionals[key]
        if action is None:
            names = sorted(set(spec.options) | set(spec.positionals))
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InvalidParameterError(
                f"{self.where}: `{loc}`: {spec.name!r} has no option --{key}{hint}; "
                f"see scaling-dynamics {spec.name} --help."
            )
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            raise InvalidParameterError(f"{self.where}: `{loc}` cannot be set in a grid.")
        reason = _RESERVED.get(action.dest)
        if reason is not None:
            raise InvalidParameterError(
                f"{self.where}: `{loc}` cannot be set in a grid: {reason}."
            )
        return action

    def value(self, key: str, action: argparse.Action, value: Any, loc: str) -> tuple[Any, list[str]]:
        """Return (canonical value, argv fragment) of ``key = value``."""
        where, command = self.where, self.spec.name
        opt = f"--{key}" if action.option_strings else None
        if action.nargs == 0:  # a flag: store_true, store_false, store_const, count
            if not isinstance(value, bool):
                raise InvalidParameterError(
                    f"{where}: `{loc}` must be true or false ({command} --{key} is a flag); "
                    f"got {_fmt(value)}."
                )
            return value, ([opt] if value else [])
        many = action.nargs in ("+", "*") or isinstance(action.nargs, int)
        repeat = isinstance(action, argparse._AppendAction)
        if many or repeat:
            if not isinstance(value, list):
                raise InvalidParameterError(
                    f"{where}: `{loc}` must be a list ({command} --{key} takes several values); "
                    f"got {_fmt(value)}."
                )
            items = value
        else:
            items = [value]
        converted = []
        for i, item in enumerate(items):
            item_loc = f"{loc}[{i}]" if (many or repeat) else loc
            converted.append(self._convert(key, action, item, item_loc))
        if many or repeat:
            texts = [_to_text(v) for v in items]
            if repeat:
                frag = [x for t in texts for x in (opt, t)]
            else:
                frag = ([opt] if opt else []) + texts
            canon = [_canonical(c) if _canonical(c) is not None else t
                     for c, t in zip(converted, texts, strict=True)]
            return canon, frag
        text = _to_text(value)
        canon = _canonical(converted[0])
        return (text if canon is None else canon), ([opt, text] if opt else [text])

    def _convert(self, key: str, action: argparse.Action, value: Any, loc: str) -> Any:
        where, command = self.where, self.spec.name
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            kind = "a boolean" if isinstance(value, bool) else type(value).__name__
            raise InvalidParameterError(
                f"{where}: `{loc}` must be a number or a string for {command} --{key}; "
                f"got {kind} {_fmt(value)}."
            )
        text = _to_text(value)
        memo = (key, text)
        if memo in self._memo:
            return self._memo[memo]
        conv = action.type
        try:
            if conv is None:
                out = text
            elif callable(conv):
                out = conv(text)
            else:  # pragma: no cover - argparse registry names are not used by this package
                out = self.spec.parser._registry_get("type", conv, conv)(text)
        except argparse.ArgumentTypeError as exc:
            raise InvalidParameterError(
                f"{where}: `{loc}` = {_fmt(value)} is not valid for {command} --{key}: {exc}"
            ) from None
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(
                f"{where}: `{loc}` = {_fmt(value)} is not valid for {command} --{key}: {exc}."
            ) from None
        if action.choices is not None and out not in action.choices:
            listed = ", ".join(repr(c) for c in action.choices)
            raise InvalidParameterError(
                f"{where}: `{loc}` must be one of {listed} for {command} --{key}; "
                f"got {_fmt(value)}."
            )
        self._memo[memo] = out
        return out


# --------------------------------------------------------------------------- axes
def _round_sig(x: float) -> float:
    return float(f"{x:.{_SIGNIFICANT_DIGITS}g}")


def _expand_axis(name: str, spec: Any, where: str) -> tuple[Any, ...]:
    loc = f"axes.{name}"
    if isinstance(spec, list):
        if not spec:
            raise InvalidParameterError(f"{where}: `{loc}` must list at least one value; got [].")
        return tuple(spec)
    if isinstance(spec, dict):
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
        num = spec.get("num")
        if isinstance(num, bool) or not isinstance(num, int) or num < 1:
            raise InvalidParameterError(
                f"{where}: `{loc}.num` must be an integer >= 1 (the number of values); "
                f"got {'nothing' if num is None else _fmt(num)}."
            )
        if num > MAX_POINTS:
            raise InvalidParameterError(
                f"{where}: `{loc}.num` must be at most {MAX_POINTS}; got {num}."
            )
        integer = spec.get("integer", all(isinstance(e, int) for e in ends))
        if not isinstance(integer, bool):
            raise InvalidParameterError(
                f"{where}: `{loc}.integer` must be true or false; got {_fmt(integer)}."
            )
        grid = np.geomspace(start, stop, num) if kind == "log" else np.linspace(start, stop, num)
        if integer:
            values: list[Any] = []
            for v in grid:
                n = int(round(float(v)))
                if n not in values:
                    values.append(n)
            return tuple(values)
        return tuple(_round_sig(float(v)) for v in grid)
    raise InvalidParameterError(
        f"{where}: `{loc}` must be a list of values or a range {{log = [START, STOP], num = K}}; "
        f"got {_fmt(spec)} (a value shared by every point goes in [options])."
    )


# --------------------------------------------------------------------------- parsing
def load_grid(path: str | os.PathLike[str]) -> Grid:
    """Read and validate a TOML grid file; see ``docs/sweeps.md`` for the schema.

    Raises
    ------
    InvalidParameterError
        With a one-line message naming the file, the key and the problem.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise InvalidParameterError(f"cannot read grid file {path!r}: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InvalidParameterError(f"{path}: not a UTF-8 text file.") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidParameterError(f"{path}: not valid TOML: {exc}.") from None
    return parse_grid(data, source=path, text=text)


def parse_grid(data: Mapping[str, Any], *, source: str = "<grid>", text: str = "") -> Grid:
    """Validate a grid given as a dict (the parsed TOML) and expand its points."""
    where = source
    if not isinstance(data, Mapping):
        raise InvalidParameterError(f"{where}: a grid must be a table; got {type(data).__name__}.")
    unknown = [k for k in data if k not in _TOP_KEYS]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), _TOP_KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InvalidParameterError(
            f"{where}: `{unknown[0]}` is not a grid key{hint}; allowed top-level keys: "
            f"{', '.join(_TOP_KEYS)} (options of the command go in [options] or [axes])."
        )
    if "command" not in data:
        raise InvalidParameterError(
            f"{where}: `command` is missing: name the command to run, e.g. command = \"simulate\"."
        )
    spec = _command_spec(data["command"], where)
    checker = _Checker(spec, where)
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

    options = table("options")
    axes_spec = table("axes")
    cases_raw = data.get("cases", [])
    if not isinstance(cases_raw, list) or not all(isinstance(c, dict) for c in cases_raw):
        raise InvalidParameterError(
            f"{where}: `cases` must be an array of tables ([[cases]] blocks); got {_fmt(cases_raw)}."
        )
    cases = [dict(c) for c in cases_raw] or [{}]

    # Every key is a known option, set in one place only.
    placed: dict[str, tuple[str, str]] = {}  # option dest -> (group, location)

    def claim(loc: str, group: str, action: argparse.Action, local: dict[str, str]) -> None:
        prev = placed.get(action.dest)
        if prev is not None and prev[0] != group:
            raise InvalidParameterError(
                f"{where}: `{loc}` is also set as `{prev[1]}`; set each option in one place "
                f"([options], [axes] or [[cases]])."
            )
        if action.dest in local:
            raise InvalidParameterError(
                f"{where}: `{loc}` and `{local[action.dest]}` set the same option of {spec.name}."
            )
        local[action.dest] = loc
        placed.setdefault(action.dest, (group, loc))

    actions: dict[str, argparse.Action] = {}
    fixed: dict[str, tuple[Any, list[str]]] = {}
    local: dict[str, str] = {}
    for key, value in options.items():
        loc = f"options.{key}"
        action = checker.action(key, loc)
        claim(loc, "options", action, local)
        actions[key] = action
        fixed[key] = checker.value(key, action, value, loc)

    axes: dict[str, tuple[Any, ...]] = {}
    axis_items: dict[str, list[tuple[Any, list[str]]]] = {}
    local = {}
    for key, value in axes_spec.items():
        loc = f"axes.{key}"
        action = checker.action(key, loc)
        claim(loc, "axes", action, local)
        actions[key] = action
        values = _expand_axis(key, value, where)
        axis_items[key] = [checker.value(key, action, v, f"{loc}[{i}]") for i, v in enumerate(values)]
        distinct: list[Any] = []
        for canon, _ in axis_items[key]:
            if canon not in distinct:
                distinct.append(canon)
        axes[key] = tuple(distinct)

    case_items: list[dict[str, tuple[Any, list[str]]]] = []
    for ci, case in enumerate(cases):
        converted = {}
        local = {}
        for key, value in case.items():
            loc = f"cases[{ci}].{key}"
            action = checker.action(key, loc)
            claim(loc, "cases", action, local)
            actions[key] = action
            converted[key] = checker.value(key, action, value, loc)
        case_items.append(converted)

    # Required options and positionals must be set for every point.
    shared = {actions[k].dest for k in (*fixed, *axis_items)}
    for action in spec.parser._actions:
        needed = action.required or (not action.option_strings and action.nargs not in ("?", "*"))
        if not needed or action.dest in shared:
            continue
        if all(action.dest in {actions[k].dest for k in case} for case in case_items):
            continue
        name = action.option_strings[-1].lstrip("-") if action.option_strings else action.dest
        raise InvalidParameterError(
            f"{where}: {spec.name} needs `{name}` for every point; set it in [options] or [axes]."
        )

    n_total = len(case_items) * math.prod(len(v) for v in axis_items.values())
    if n_total > MAX_POINTS:
        raise InvalidParameterError(
            f"{where}: the grid has {n_total} points; at most {MAX_POINTS} are allowed "
            f"(split it into several grids sharing one store)."
        )

    points: list[Point] = []
    seen: set[str] = set()
    axis_names = list(axis_items)
    for case in case_items:
        for combo in itertools.product(*(axis_items[k] for k in axis_names)):
            chosen: dict[str, tuple[Any, list[str]]] = {}
            chosen.update(fixed)
            chosen.update(case)
            chosen.update(zip(axis_names, combo, strict=True))
            point = _make_point(spec, actions, chosen, len(points))
            if point.key in seen:
                continue
            seen.add(point.key)
            points.append(point)
    _check_point_parses(spec, points, where)
    return Grid(
        command=spec.name,
        options=options,
        axes=axes,
        cases=tuple(cases),
        points=tuple(points),
        source=source,
        name=str(data.get("name", "")),
        description=str(data.get("description", "")),
        text=text,
    )


def _make_point(
    spec: _CommandSpec,
    actions: Mapping[str, argparse.Action],
    chosen: Mapping[str, tuple[Any, list[str]]],
    index: int,
) -> Point:
    params = {k: v[0] for k, v in chosen.items()}
    positional: list[str] = []
    optional: list[str] = []
    for key, (_, frag) in chosen.items():
        if actions[key].option_strings:
            optional.extend(frag)
    for dest in spec.positionals:  # positionals in the parser's order
        for key, (_, frag) in chosen.items():
            if actions[key].dest == dest:
                positional.extend(frag)
    derived = False
    if spec.has_seed and not any(actions[k].dest == "seed" for k in chosen):
        seed = derive_seed(spec.name, params)
        params["seed"] = seed
        optional += ["--seed", str(seed)]
        derived = True
    tail = ["--format", "json"]
    if spec.progress_flag:
        tail.append(spec.progress_flag)
    argv = (spec.name, *positional, *optional, *tail)
    return Point(index, spec.name, params, argv, point_key(spec.name, params), derived)


def _check_point_parses(spec: _CommandSpec, points: Sequence[Point], where: str) -> None:
    """Parse the first point of each distinct option set with the command's parser.

    The values were checked one by one already; this catches what only a whole
    command line shows (options that exclude each other, a missing positional).
    """
    checked: set[frozenset[str]] = set()
    for point in points:
        shape = frozenset(point.params)
        if shape in checked:
            continue
        checked.add(shape)
        try:
            spec.parser.parse_args(list(point.argv[1:]))
        except _ParseError as exc:
            shown = " ".join(f"{k}={_to_text(v)}" for k, v in point.params.items())
            raise InvalidParameterError(
                f"{where}: the point {shown} is not a valid {spec.name} command line: {exc}."
            ) from None
