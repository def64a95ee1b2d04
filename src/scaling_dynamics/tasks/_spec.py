"""Parameter specs of tasks: one declaration for the command line and for grid files.

A task declares its options with the calls of :mod:`argparse` (``add_argument``,
``add_argument_group``, ``add_mutually_exclusive_group``) on a :class:`Spec`, which
records them as :class:`Param` entries (name, converter, default, choices, help).
The command line replays the record into its parser (:meth:`Spec.add_to`), so the
options, defaults and ``--help`` text are declared once; sweeps validate grid
values with the same converters without any parser (:meth:`Param.convert`), and
:meth:`Spec.bind` turns keyword arguments into the complete, converted options of
one call (defaults filled in, as argparse fills them).
"""

from __future__ import annotations

import argparse
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .._errors import InvalidParameterError

__all__ = ["Param", "Spec", "ConversionError", "to_text"]

_FLAG_ACTIONS = {"store_true": False, "store_false": True}


class ConversionError(ValueError):
    """A value a converter refuses (the message is the converter's)."""


def to_text(value: Any) -> str:
    """A scalar as the command-line text that converts back to the same value."""
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    return str(value)


@dataclass(frozen=True)
class Param:
    """One option of a task.

    Attributes
    ----------
    name : str
        Keyword name: the long option without ``--``, ``-`` -> ``_`` (its argparse dest).
    flags : tuple of str
        Option strings (``("--N",)``); empty for a positional.
    converter : callable or None
        Text -> value (the argparse ``type``); None keeps the text.
    default, choices, help :
        As given to argparse (``choices`` None when free).
    kind : str
        ``"value"``, ``"flag"`` (true/false switch), ``"append"`` (repeatable) or
        ``"positional"``.
    required : bool
    group : int
        Index of the argparse group it belongs to (-1: the parser itself).
    kwargs : dict
        Every argparse keyword, replayed by :meth:`Spec.add_to`.
    """

    name: str
    flags: tuple[str, ...]
    converter: Callable[[str], Any] | None
    default: Any
    choices: tuple[Any, ...] | None
    help: str | None
    kind: str
    required: bool
    group: int
    kwargs: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def keys(self) -> tuple[str, ...]:
        """Names a grid may use: the long options without ``--`` (or the name)."""
        longs = tuple(f[2:] for f in self.flags if f.startswith("--"))
        return longs or (self.name,)

    def convert(self, value: Any) -> Any:
        """One value (text or Python scalar) converted as the command line converts it.

        Raises :class:`ConversionError` with the converter's message, or for a value
        outside ``choices``.
        """
        if value is None:
            return None
        if self.kind == "flag":
            return bool(value)
        conv = self.converter
        if conv is not None and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            try:
                value = conv(to_text(value))
            except argparse.ArgumentTypeError as exc:
                raise ConversionError(str(exc)) from None
            except (TypeError, ValueError) as exc:
                raise ConversionError(f"{exc}.") from None
        elif conv is None and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = to_text(value)
        if self.choices is not None and value not in self.choices:
            raise ConversionError(f"must be one of {', '.join(repr(c) for c in self.choices)}")
        return value


def _annotation(p: Param) -> str:
    """The type of a parameter's value, as text (from its kind and converter)."""
    if p.kind == "flag":
        return "bool | None" if p.default is None else "bool"
    if p.kind == "append":
        return "list[str]"
    name = getattr(p.converter, "__name__", "")
    kind = {"real": "float", "integer": "int", "int": "int", "positive_int": "int",
            "modes": "tuple[int, int]"}.get(name, "int | float" if name.startswith("size") else "str")
    return kind if p.default is not None or p.required else f"{kind} | None"


def _name_of(flags: tuple[str, ...], kwargs: Mapping[str, Any]) -> str:
    if "dest" in kwargs:
        return str(kwargs["dest"])
    longs = [f for f in flags if f.startswith("--")]
    word = (longs[0] if longs else flags[0]).lstrip("-")
    return word.replace("-", "_")


class _Group:
    """What ``add_argument_group`` returns: adds its arguments to the spec."""

    def __init__(self, spec: Spec, index: int) -> None:
        self._spec, self._index = spec, index

    def add_argument(self, *flags: str, **kwargs: Any) -> None:
        self._spec._add(self._index, flags, kwargs)


class Spec:
    """The options of one task, recorded in declaration order (argparse's API)."""

    def __init__(self) -> None:
        self.params: dict[str, Param] = {}
        #: (kind, title) of each group: kind "group" or "exclusive".
        self.groups: list[tuple[str, str | None]] = []
        self._order: list[tuple[str, Any]] = []  # ("group", index) / ("param", name)

    # -- declaring (the argparse calls the task modules use)
    def add_argument(self, *flags: str, **kwargs: Any) -> None:
        self._add(-1, flags, kwargs)

    def add_argument_group(self, title: str | None = None) -> _Group:
        return self._new_group("group", title)

    def add_mutually_exclusive_group(self) -> _Group:
        return self._new_group("exclusive", None)

    def _new_group(self, kind: str, title: str | None) -> _Group:
        self.groups.append((kind, title))
        self._order.append(("group", len(self.groups) - 1))
        return _Group(self, len(self.groups) - 1)

    def _add(self, group: int, flags: tuple[str, ...], kwargs: dict[str, Any]) -> None:
        name = _name_of(flags, kwargs)
        action = kwargs.get("action")
        positional = not flags[0].startswith("-")
        if action in _FLAG_ACTIONS:
            kind, default = "flag", kwargs.get("default", _FLAG_ACTIONS[action])
        elif action == "append":
            kind, default = "append", kwargs.get("default")
        else:
            kind, default = ("positional" if positional else "value"), kwargs.get("default")
        if name in self.params:  # a second flag of one option (--progress/--no-progress)
            self._order.append(("alias", (group, flags, kwargs)))
            return
        choices = kwargs.get("choices")
        required = bool(kwargs.get("required")) or (positional and kwargs.get("nargs") not in ("?", "*"))
        self.params[name] = Param(
            name=name, flags=() if positional else tuple(flags),
            converter=kwargs.get("type"), default=default,
            choices=None if choices is None else tuple(choices), help=kwargs.get("help"),
            kind=kind, required=required, group=group, kwargs=dict(kwargs),
        )
        self._order.append(("param", (name, tuple(flags))))

    def override(self, name: str, **kwargs: Any) -> None:
        """Change argparse keywords of a declared option (e.g. make it required)."""
        p = self.params[name]
        merged = {**p.kwargs, **kwargs}
        self.params[name] = replace(p, kwargs=merged, help=merged.get("help"),
                                    required=bool(merged.get("required", p.required)))

    # -- using
    def add_to(self, parser: argparse.ArgumentParser) -> None:
        """Declare every option on ``parser``, in the recorded order and groups."""
        made: list[Any] = []
        for what, item in self._order:
            if what == "group":
                kind, title = self.groups[item]
                made.append(parser.add_argument_group(title) if kind == "group"
                            else parser.add_mutually_exclusive_group())
                continue
            if what == "param":
                name, flags = item
                p = self.params[name]
                target = parser if p.group < 0 else made[p.group]
                target.add_argument(*flags, **p.kwargs)
            else:
                group, flags, kwargs = item
                (parser if group < 0 else made[group]).add_argument(*flags, **kwargs)

    def signature(self) -> inspect.Signature:
        """Keyword-only parameters with the spec's defaults and value types.

        Set as the ``__signature__`` of a task function, so ``help()`` and editors show
        its options although the defaults live in the spec only.
        """
        params = [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default,
                                    annotation=_annotation(p))
                  for p in self.params.values()]
        return inspect.Signature(params, return_annotation="Output")

    def exclusive(self) -> list[tuple[str, ...]]:
        """Names of the options in each mutually exclusive group."""
        out = []
        for i, (kind, _) in enumerate(self.groups):
            if kind == "exclusive":
                out.append(tuple(p.name for p in self.params.values() if p.group == i))
        return out

    def bind(self, task: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """Every option of one call: ``kwargs`` converted, the others at their defaults.

        Raises :class:`InvalidParameterError` for an unknown name or a value the
        option's converter refuses (one line naming the option).
        """
        unknown = [k for k in kwargs if k not in self.params]
        if unknown:
            raise InvalidParameterError(
                f"{task} has no option `{unknown[0]}`; options: {', '.join(self.params)}."
            )
        out: dict[str, Any] = {}
        for name, p in self.params.items():
            if name in kwargs:
                value = kwargs[name]
                try:
                    if p.kind == "append":
                        value = [p.convert(v) for v in (value or [])]
                    else:
                        value = p.convert(value)
                except ConversionError as exc:
                    raise InvalidParameterError(
                        f"`{p.keys[0]}` = {value!r} is not valid for {task}: {exc}"
                    ) from None
            else:
                value = p.default
                if isinstance(value, str) and p.converter is not None and p.kind == "value":
                    value = p.converter(value)  # argparse converts string defaults too
                if p.kind == "append":
                    value = list(value or [])
            out[name] = value
        for names in self.exclusive():
            given = [n for n in names if n in kwargs and kwargs[n] not in (None, False)]
            if len(given) > 1:
                raise InvalidParameterError(
                    f"`{given[0]}` and `{given[1]}` cannot be given together for {task}."
                )
        return out
