"""``--store DIR [--where K=V ...]``: commands that read a sweep store instead of a file."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from .._errors import InvalidParameterError

__all__ = ["add_store_arguments", "parse_where", "where_from_args", "StoreInput", "read_store"]


def add_store_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    g = parser.add_argument_group("sweep store input (scaling-dynamics sweep)")
    g.add_argument("--store", metavar="DIR", default=None,
                   help=f"read {what} from a sweep store (see scaling-dynamics sweep)")
    g.add_argument("--where", metavar="K=V", action="append", default=[],
                   help="keep only the store's points with parameter K equal to V "
                   "(repeatable), e.g. --where P=1000 --where optimizer=gf")


def parse_where(items: list[str], example: str = "K=V (e.g. P=1000)") -> dict[str, Any]:
    """``["K=V", ...]`` as ``{K: value}``, values parsed as the store parses them."""
    from ..sweeps._table import parse_value

    where: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidParameterError(f"`where` must look like {example}; got {item!r}.")
        where[key.strip()] = parse_value(value)
    return where


def where_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """``--where`` of a command that reads ``--store``; refused without a store."""
    where = parse_where(args.where)
    if where and not args.store:
        raise InvalidParameterError("`where` selects points of a sweep store; give --store DIR.")
    return where


@dataclass(frozen=True)
class StoreInput:
    """What a command reads from ``--store``: the loss rows and the fixed parameters."""

    table: Any  # scaling.LossTable
    constants: dict[str, Any] = field(default_factory=dict)


def read_store(args: argparse.Namespace, *, size: str = "N", time: str = "time",
               loss: str = "test_loss", constants: tuple[str, ...] = ()) -> StoreInput:
    """Read the store once: its (size, time, loss) rows as a ``scaling.LossTable``, and the
    ``constants`` that have one value at every selected point (others are left out)."""
    from ..sweeps import load, to_loss_table
    from ..sweeps._table import select

    where = where_from_args(args)
    frame = load(args.store)
    table = to_loss_table(frame, size=size, time=time, loss=loss, where=where)
    selected = select(frame, where)
    out: dict[str, Any] = {}
    for name in constants:
        if name in selected.columns:
            values = selected[name].dropna().unique()
            if len(values) == 1:
                out[name] = values[0].item() if hasattr(values[0], "item") else values[0]
    return StoreInput(table, out)
