"""Checking grid values against a task's parameter spec (``scaling_dynamics.tasks``).

Each key of a grid names an option of the task (its long option without ``--``, or
a positional's name) and each value is converted by that option's own converter,
so the grid accepts exactly what the command line accepts, and a typo gets a
one-line message naming the key. No parser is involved: the spec is data.
"""

from __future__ import annotations

import argparse
import difflib
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from ..tasks import TASKS, Param, Task
from ..tasks._spec import to_text

__all__ = ["TaskOptions", "task_options", "Checker", "to_text", "fmt"]

#: Options that the sweep sets itself or that make no sense in a grid.
RESERVED = {
    "format": "the sweep asks every point for --format json itself",
    "out": "the sweep stores each point's result itself",
    "progress": "the sweep shows its own progress bar",
    "help": "it is not a computation",
}


@dataclass(frozen=True)
class TaskOptions:
    """The options of one task as a grid sees them."""

    task: Task
    by_key: dict[str, Param]  # grid key (long option without "--", or positional name)
    positionals: tuple[str, ...]  # names, in declaration order
    has_seed: bool
    progress_flag: str | None  # "--no-progress" where the task shows progress

    @property
    def name(self) -> str:
        return self.task.name


def task_options(command: Any, where: str) -> TaskOptions:
    """The options of task ``command``; a one-line error if it is not a task."""
    sweepable = sorted(TASKS)
    if not isinstance(command, str) or command not in TASKS:
        listed = ", ".join(repr(c) for c in sweepable)
        hint = ""
        if isinstance(command, str):
            close = difflib.get_close_matches(command, sweepable, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InvalidParameterError(
            f"{where}: `command` must be one of {listed}; got {command!r}{hint}."
        )
    task = TASKS[command]
    params = task.spec.params
    by_key = {key: p for p in params.values() for key in p.keys}
    positionals = tuple(p.name for p in params.values() if p.kind == "positional")
    has_seed = "seed" in params and params["seed"].kind == "value"
    flag = "--no-progress" if "progress" in params else None
    return TaskOptions(task, by_key, positionals, has_seed, flag)


def fmt(value: Any) -> str:
    return repr(value)


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


class Checker:
    """Validates option values against one task's spec; memoises conversions."""

    def __init__(self, options: TaskOptions, where: str) -> None:
        self.options = options
        self.where = where
        self._memo: dict[tuple[str, str], Any] = {}

    def param(self, key: Any, loc: str) -> Param:
        """The option named by grid key ``key`` (a one-line error if there is none)."""
        opts, where = self.options, self.where
        if not isinstance(key, str) or not key:
            raise InvalidParameterError(f"{where}: `{loc}` is not a valid option name.")
        if key.startswith("-"):
            raise InvalidParameterError(
                f"{where}: `{loc}`: write option names without dashes "
                f"(`{key.lstrip('-')}`, not `{key}`)."
            )
        param = opts.by_key.get(key)
        if param is None and key not in RESERVED:
            close = difflib.get_close_matches(key, sorted(opts.by_key), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InvalidParameterError(
                f"{where}: `{loc}`: {opts.name!r} has no option --{key}{hint}; "
                f"see scaling-dynamics {opts.name} --help."
            )
        reason = RESERVED.get(key if param is None else param.name)
        if reason is not None:
            raise InvalidParameterError(f"{where}: `{loc}` cannot be set in a grid: {reason}.")
        assert param is not None
        return param

    def value(self, key: str, param: Param, value: Any, loc: str) -> tuple[Any, list[str]]:
        """Return (canonical value, argv fragment) of ``key = value``."""
        where, command = self.where, self.options.name
        opt = f"--{key}" if param.flags else None
        if param.kind == "flag":
            if not isinstance(value, bool):
                raise InvalidParameterError(
                    f"{where}: `{loc}` must be true or false ({command} --{key} is a flag); "
                    f"got {fmt(value)}."
                )
            return value, ([opt] if value else [])
        if param.kind == "append":
            if not isinstance(value, list):
                raise InvalidParameterError(
                    f"{where}: `{loc}` must be a list ({command} --{key} takes several values); "
                    f"got {fmt(value)}."
                )
            converted = [self._convert(key, param, v, f"{loc}[{i}]") for i, v in enumerate(value)]
            texts = [to_text(v) for v in value]
            canon = [_canonical(c) if _canonical(c) is not None else t
                     for c, t in zip(converted, texts, strict=True)]
            return canon, [x for t in texts for x in (opt, t)]
        converted = self._convert(key, param, value, loc)
        text = to_text(value)
        canon = _canonical(converted)
        return (text if canon is None else canon), ([opt, text] if opt else [text])

    def _convert(self, key: str, param: Param, value: Any, loc: str) -> Any:
        where, command = self.where, self.options.name
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            kind = "a boolean" if isinstance(value, bool) else type(value).__name__
            raise InvalidParameterError(
                f"{where}: `{loc}` must be a number or a string for {command} --{key}; "
                f"got {kind} {fmt(value)}."
            )
        text = to_text(value)
        memo = (key, text)
        if memo in self._memo:
            return self._memo[memo]
        try:
            out = text if param.converter is None else param.converter(text)
        except argparse.ArgumentTypeError as exc:
            raise InvalidParameterError(
                f"{where}: `{loc}` = {fmt(value)} is not valid for {command} --{key}: {exc}"
            ) from None
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(
                f"{where}: `{loc}` = {fmt(value)} is not valid for {command} --{key}: {exc}."
            ) from None
        if param.choices is not None and out not in param.choices:
            listed = ", ".join(repr(c) for c in param.choices)
            raise InvalidParameterError(
                f"{where}: `{loc}` must be one of {listed} for {command} --{key}; "
                f"got {fmt(value)}."
            )
        self._memo[memo] = out
        return out
