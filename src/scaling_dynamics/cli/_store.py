"""``--store DIR [--where K=V ...]``: commands that read a sweep store instead of a file."""

from __future__ import annotations

import argparse
from typing import Any

from .._errors import InvalidParameterError

__all__ = ["add_store_arguments", "where_from_args", "store_loss_table", "store_constants"]


def add_store_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    g = parser.add_argument_group("sweep store input (scaling-dynamics sweep)")
    g.add_argument("--store", metavar="DIR", default=None,
                   help=f"read {what} from a sweep store (see scaling-dynamics sweep)")
    g.add_argument("--where", metavar="K=V", action="append", default=[],
                   help="keep only the store's points with parameter K equal to V "
                   "(repeatable), e.g. --where P=1000 --where optimizer=gf")


def where_from_args(args: argparse.Namespace) -> dict[str, Any]:
    from ..sweeps._table import parse_value

    where: dict[str, Any] = {}
    for item in args.where:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidParameterError(f"`where` must look like K=V (e.g. P=1000); got {item!r}.")
        where[key.strip()] = parse_value(value)
    if where and not args.store:
        raise InvalidParameterError("`where` selects points of a sweep store; give --store DIR.")
    return where


def store_loss_table(args: argparse.Namespace, *, size: str = "N", time: str = "time",
                     loss: str = "test_loss") -> Any:
    """The store's (size, time, loss) rows as a ``scaling.LossTable``."""
    from ..sweeps import to_loss_table

    return to_loss_table(args.store, size=size, time=time, loss=loss,
                         where=where_from_args(args))


def store_constants(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    """Values of parameters that are the same at every selected point (others are left out)."""
    from ..sweeps import load
    from ..sweeps._table import select

    frame = select(load(args.store), where_from_args(args))
    out: dict[str, Any] = {}
    for name in names:
        if name in frame.columns:
            values = frame[name].dropna().unique()
            if len(values) == 1:
                out[name] = values[0].item() if hasattr(values[0], "item") else values[0]
    return out
