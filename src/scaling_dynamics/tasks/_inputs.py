"""``--store DIR [--where K=V ...]``: tasks that read a sweep store instead of a file.

Reading a store is the business of :mod:`scaling_dynamics.sweeps`, a layer above
the tasks; it registers its reader here when imported (:func:`register_store_reader`),
so tasks read stores without importing the layer above them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._errors import InvalidParameterError
from .._frames import parse_value

__all__ = ["add_store_arguments", "parse_where", "where_from_args", "StoreInput", "read_store",
           "register_store_reader"]

#: (store, size, time, loss, where, constants) -> StoreInput; set by scaling_dynamics.sweeps.
_reader: Callable[..., StoreInput] | None = None


def register_store_reader(reader: Callable[..., StoreInput]) -> None:
    """Install the function that reads a store (called by ``scaling_dynamics.sweeps``)."""
    global _reader
    _reader = reader


def add_store_arguments(parser: Any, what: str) -> None:
    g = parser.add_argument_group("sweep store input (scaling-dynamics sweep)")
    g.add_argument("--store", metavar="DIR", default=None,
                   help=f"read {what} from a sweep store (see scaling-dynamics sweep)")
    g.add_argument("--where", metavar="K=V", action="append", default=[],
                   help="keep only the store's points with parameter K equal to V "
                   "(repeatable), e.g. --where P=1000 --where optimizer=gf")


def parse_where(items: list[str], example: str = "K=V (e.g. P=1000)") -> dict[str, Any]:
    """``["K=V", ...]`` as ``{K: value}``, values parsed as the store parses them."""
    where: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidParameterError(f"`where` must look like {example}; got {item!r}.")
        where[key.strip()] = parse_value(value)
    return where


def where_from_args(args: Any) -> dict[str, Any]:
    """``--where`` of a task that reads ``--store``; refused without a store."""
    where = parse_where(args.where)
    if where and not args.store:
        raise InvalidParameterError("`where` selects points of a sweep store; give --store DIR.")
    return where


@dataclass(frozen=True)
class StoreInput:
    """What a task reads from ``--store``: the loss rows and the fixed parameters."""

    table: Any  # scaling.LossTable
    constants: dict[str, Any] = field(default_factory=dict)


def read_store(args: Any, *, size: str = "N", time: str = "time",
               loss: str = "test_loss", constants: tuple[str, ...] = ()) -> StoreInput:
    """Read the store once: its (size, time, loss) rows as a ``scaling.LossTable``, and the
    ``constants`` that have one value at every selected point (others are left out)."""
    where = where_from_args(args)
    if _reader is None:
        raise InvalidParameterError(
            "`store` needs the sweep reader: import scaling_dynamics.sweeps first."
        )
    return _reader(args.store, size=size, time=time, loss=loss, where=where,
                   constants=constants)
