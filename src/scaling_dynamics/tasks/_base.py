"""The :class:`Task` record and :class:`Output`, the result every task returns."""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._spec import Spec

__all__ = ["Task", "Output", "bind"]


@dataclass(frozen=True)
class Output:
    """What one task call gives: its JSON form, its table, its notes and its status.

    Attributes
    ----------
    data : dict
        Exactly the object ``scaling-dynamics CMD --format json`` prints.
    text : str
        The table the command prints without ``--format json``.
    notes : tuple of str
        Lines for stderr whatever the format (a report written, figures that failed).
    table_notes : tuple of str
        Lines for stderr after the table only (files saved).
    status : int
        The command's exit status (0; 1 when part of the work failed).
    value : object
        The library result behind ``data`` (LossCurves, a frontier...), for Python callers.
    """

    data: dict[str, Any]
    text: str = ""
    notes: tuple[str, ...] = ()
    table_notes: tuple[str, ...] = ()
    status: int = 0
    value: Any = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``data``)."""
        return self.data

    def format(self) -> str:
        """The table (``text``)."""
        return self.text


@dataclass(frozen=True)
class Task:
    """One sweepable command: its function, its options and how it is run.

    ``function(**options)`` takes the options as keyword arguments (Python values or
    their command-line text; names are the long options with '-' -> '_'; others at
    their defaults) and returns an :class:`Output`.

    ``writes_folder`` is True for a task that writes files into its ``out`` folder on
    every call (the folder defaults to one under the current directory: ``compare``,
    ``reproduce``, ``scaling-figure``). A sweep gives each point of such a task its own
    folder in the store, ``STORE/outputs/<key>/``; tasks whose ``out`` is optional write
    nothing in a sweep.
    """

    name: str
    function: Callable[..., Output]
    spec: Spec
    help: str
    takes_seed: bool = False
    writes_folder: bool = False

    def __call__(self, **options: Any) -> Output:
        return self.function(**options)


def bind(name: str, spec: Spec, options: dict[str, Any]) -> Namespace:
    """The complete, converted options of one call as a namespace (like argparse's)."""
    return Namespace(**spec.bind(name, options))
