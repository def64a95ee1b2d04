"""Grid files: the TOML schema, its validation and its expansion into points.

A grid names one task (a command of the command line), the options every point shares and
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

Every option name and value is checked against the task's parameter spec
(``scaling_dynamics.tasks``, the same converters the command line uses) before
anything runs, so a typo gets a message naming the key. Keys and seeds:
:mod:`._keys`; axes: :mod:`._axes`. The full schema is in ``docs/sweeps.md``.
"""

from __future__ import annotations

import itertools
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._validation import check_int, read_input_text
from ..tasks import Param
from ._axes import MAX_POINTS, expand_axis
from ._keys import canonical_json, derive_seed, point_key
from ._layout import check_count as _check_count
from ._layout import check_top as _check_top
from ._layout import count_points as count_points
from ._layout import tables as _tables
from ._options import Checker, TaskOptions, task_options
from ._options import to_text as _to_text

__all__ = [
    "Grid",
    "Point",
    "load_grid",
    "parse_grid",
    "point_key",
    "derive_seed",
    "canonical_json",
    "MAX_POINTS",
    "MAX_GRID_BYTES",
    "count_points",
]


#: Grids of more points than this show a progress bar while they are expanded.
_BAR_FROM = 20_000

#: (canonical value, argv fragment) of one option of one point.
Chosen = tuple[Any, list[str]]


# --------------------------------------------------------------------------- points and grids
@dataclass(frozen=True)
class Point:
    """One grid point.

    Attributes
    ----------
    index : int
        Position in the grid (informative: results never depend on it).
    command : str
        The task (``scaling_dynamics.tasks.TASKS``) that computes the point.
    params : dict
        Canonical parameters: the options the grid sets (named as in the grid),
        converted by the task's converters, plus ``seed`` for tasks that take one.
    argv : tuple of str
        The exact command line, ``(command, "--N", "64", ..., "--format", "json")``;
        ``scaling-dynamics *argv`` recomputes the point alone.
    key : str
        :func:`point_key` of ``command`` and ``params`` (file name in the store).
    seed_derived : bool
        True when ``params["seed"]`` was derived by :func:`derive_seed`.
    kwargs : dict
        The keyword arguments of the task function: ``params`` under the options'
        Python names (``min_steps``), with ``progress=False``. The worker computes
        the point as ``TASKS[command].function(**kwargs)``.
    """

    index: int
    command: str
    params: dict[str, Any]
    argv: tuple[str, ...]
    key: str
    seed_derived: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict, repr=False)


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


# --------------------------------------------------------------------------- parsing
#: The largest grid file read (a guard against a FIFO or /dev/zero given as the grid).
MAX_GRID_BYTES = 16 << 20


def load_grid(path: str | os.PathLike[str], *, max_points: int = MAX_POINTS) -> Grid:
    """Read and validate a TOML grid file; see ``docs/sweeps.md`` for the schema.

    ``max_points`` is the largest grid accepted (see :func:`parse_grid`). The file must
    be a regular file of at most :data:`MAX_GRID_BYTES` bytes.

    Raises
    ------
    InvalidParameterError
        With a one-line message naming the file, the key and the problem.
    """
    path = os.fspath(path)
    text = read_input_text(path, "grid file", limit=MAX_GRID_BYTES)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidParameterError(f"{path}: not valid TOML: {exc}.") from None
    return parse_grid(data, source=path, text=text, max_points=max_points)


class _Placement:
    """Every key is a known option, set in one place only ([options], [axes] or a case)."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.params: dict[str, Param] = {}  # grid key -> option
        self._placed: dict[str, tuple[str, str]] = {}  # option name -> (group, location)

    def claim(self, key: str, loc: str, group: str, local: dict[str, str]) -> Param:
        param = self.checker.param(key, loc)
        where = self.checker.where
        prev = self._placed.get(param.name)
        if prev is not None and prev[0] != group:
            raise InvalidParameterError(
                f"{where}: `{loc}` is also set as `{prev[1]}`; set each option in one place "
                f"([options], [axes] or [[cases]])."
            )
        if param.name in local:
            raise InvalidParameterError(
                f"{where}: `{loc}` and `{local[param.name]}` set the same option of "
                f"{self.checker.options.name}."
            )
        local[param.name] = loc
        self._placed.setdefault(param.name, (group, loc))
        self.params[key] = param
        return param


def _convert_all(
    place: _Placement, options: dict[str, Any], axes_spec: dict[str, Any],
    cases: list[dict[str, Any]],
) -> tuple[dict[str, Chosen], dict[str, list[Chosen]], list[dict[str, Chosen]]]:
    """Every value of the grid converted: fixed options, axis values, case options."""
    checker = place.checker
    fixed: dict[str, Chosen] = {}
    local: dict[str, str] = {}
    for key, value in options.items():
        loc = f"options.{key}"
        fixed[key] = checker.value(key, place.claim(key, loc, "options", local), value, loc)
    axis_items: dict[str, list[Chosen]] = {}
    local = {}
    for key, value in axes_spec.items():
        loc = f"axes.{key}"
        param = place.claim(key, loc, "axes", local)
        values = expand_axis(key, value, checker.where)
        axis_items[key] = [checker.value(key, param, v, f"{loc}[{i}]")
                           for i, v in enumerate(values)]
    case_items: list[dict[str, Chosen]] = []
    for ci, case in enumerate(cases):
        converted: dict[str, Chosen] = {}
        local = {}
        for key, value in case.items():
            loc = f"cases[{ci}].{key}"
            converted[key] = checker.value(key, place.claim(key, loc, "cases", local), value, loc)
        case_items.append(converted)
    return fixed, axis_items, case_items


def _check_required(opts: TaskOptions, place: _Placement, shared: set[str],
                    case_items: list[dict[str, Chosen]], where: str) -> None:
    """Required options and positionals must be set for every point."""
    for param in opts.task.spec.params.values():
        if not param.required or param.name in shared:
            continue
        if all(param.name in {place.params[k].name for k in case} for case in case_items):
            continue
        raise InvalidParameterError(
            f"{where}: {opts.name} needs `{param.keys[0]}` for every point; set it in [options] "
            f"or [axes]."
        )


def _check_exclusive(opts: TaskOptions, place: _Placement, points: list[Point],
                     where: str) -> None:
    """Options of one mutually exclusive group (``--full``, ``--preset``) never meet."""
    for names in opts.task.spec.exclusive():
        for point in points:
            given = [k for k, v in point.params.items()
                     if k in place.params and place.params[k].name in names
                     and v not in (None, False)]
            if len(given) > 1:
                shown = " ".join(f"{k}={_to_text(v)}" for k, v in point.params.items())
                raise InvalidParameterError(
                    f"{where}: the point {shown} is not a valid {opts.name} command line: "
                    f"argument --{given[1]}: not allowed with argument --{given[0]}."
                )


def parse_grid(data: Mapping[str, Any], *, source: str = "<grid>", text: str = "",
               max_points: int = MAX_POINTS) -> Grid:
    """Validate a grid given as a dict (the parsed TOML) and expand its points.

    The points are counted first (:func:`count_points`, from the axes' sizes): a grid of
    more than ``max_points`` (default :data:`MAX_POINTS`) is refused with its count and
    the limit before anything is expanded, so a typo like ``num = 1e12`` never hangs.
    """
    where = source
    max_points = check_int("max_points", max_points, low=1)
    _check_top(data, where)
    opts = task_options(data["command"], where)
    options, axes_spec, cases = _tables(data, where)
    _check_count(data, where, max_points)
    place = _Placement(Checker(opts, where))
    fixed, axis_items, case_items = _convert_all(place, options, axes_spec, cases)
    shared = {place.params[k].name for k in (*fixed, *axis_items)}
    _check_required(opts, place, shared, case_items, where)
    points = _expand(opts, place, fixed, axis_items, case_items)
    _check_exclusive(opts, place, points, where)
    axes: dict[str, tuple[Any, ...]] = {}
    for key, items in axis_items.items():
        distinct: dict[str, Any] = {}  # canonical JSON -> value: linear time, in order
        for canon, _ in items:
            distinct.setdefault(canonical_json(canon), canon)
        axes[key] = tuple(distinct.values())
    return Grid(
        command=opts.name,
        options=options,
        axes=axes,
        cases=tuple(cases),
        points=tuple(points),
        source=source,
        name=str(data.get("name", "")),
        description=str(data.get("description", "")),
        text=text,
    )


def _expand(opts: TaskOptions, place: _Placement, fixed: dict[str, Chosen],
            axis_items: dict[str, list[Chosen]],
            case_items: list[dict[str, Chosen]]) -> list[Point]:
    """The points: cases outermost, then the axes in file order; duplicates dropped."""
    points: list[Point] = []
    seen: set[str] = set()
    axis_names = list(axis_items)
    total = len(case_items) * math.prod(len(v) for v in axis_items.values())
    # ~0.1 ms a point: a bar (on a terminal) where the expansion takes over ~2 s
    bar = progress_bar(total, "expanding grid", None if total > _BAR_FROM else False,
                       unit="pt")
    with bar:
        for case in case_items:
            for combo in itertools.product(*(axis_items[k] for k in axis_names)):
                chosen: dict[str, Chosen] = {**fixed, **case, **dict(zip(axis_names, combo,
                                                                          strict=True))}
                point = _make_point(opts, place.params, chosen, len(points))
                if point.key not in seen:
                    seen.add(point.key)
                    points.append(point)
                bar.update(1)
    return points


def _make_point(opts: TaskOptions, params_of: Mapping[str, Param], chosen: Mapping[str, Chosen],
                index: int) -> Point:
    """One point: canonical parameters, derived seed, its command line and keyword arguments."""
    params = {k: v[0] for k, v in chosen.items()}
    optional = [x for key, (_, frag) in chosen.items() if params_of[key].flags for x in frag]
    positional = [x for name in opts.positionals for key, (_, frag) in chosen.items()
                  if params_of[key].name == name for x in frag]
    derived = False
    if opts.has_seed and not any(params_of[k].name == "seed" for k in chosen):
        seed = derive_seed(opts.name, params)
        params["seed"] = seed
        optional += ["--seed", str(seed)]
        derived = True
    tail = ["--format", "json"] + ([opts.progress_flag] if opts.progress_flag else [])
    argv = (opts.name, *positional, *optional, *tail)
    kwargs = {("seed" if k == "seed" and k not in params_of else params_of[k].name): v
              for k, v in params.items()}
    if opts.progress_flag:
        kwargs["progress"] = False
    return Point(index, opts.name, params, argv, point_key(opts.name, params), derived, kwargs)
