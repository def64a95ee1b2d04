"""Reading a store back: a tidy table, loss tables for fits, and LossCurves.

:func:`load` turns every sound record of a store into rows of one pandas
DataFrame: one row per point and time, a column for every parameter. The
functions the scaling commands use (:func:`to_loss_table`, :func:`to_curves`)
are built on it or on the same records.
"""

from __future__ import annotations

import numbers
import os
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._errors import InvalidParameterError, MissingDependencyError
from .._frames import parse_value as parse_value
from .._frames import select as select
from .._frames import sort_value as _sort_value
from .._frames import values_of as _values
from ..results import LossCurves, decode_params
from ._store import Store, StoreScan

__all__ = [
    "load",
    "to_loss_table",
    "to_curves",
    "StoreWarning",
    "read_store",
]

#: Result entries that vary from run to run of the same point (left out of tables).
VOLATILE = frozenset({"wall_time_s"})
#: Metadata of a LossCurves JSON that is not a parameter of the experiment.
_CURVE_META = ("source", "seed", "backend", "version", "time_unit")


class StoreWarning(UserWarning):
    """A store held corrupted or foreign files, or results of other versions (skipped)."""


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise MissingDependencyError(
            "sweep tables need pandas: pip install 'scaling-dynamics[sweeps]'."
        ) from None
    return pandas


def read_store(store: str | os.PathLike[str] | Store, *, versions: str = "current",
               warn: bool = True) -> StoreScan:
    """Scan a store, warning (:class:`StoreWarning`) about every file it skipped."""
    st = store if isinstance(store, Store) else Store.open(store)
    scan = st.scan(versions=versions)
    problems = scan.problems()
    if warn and problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5
                                           else "")
        warnings.warn(f"sweep store {st.path}: skipped {shown}", StoreWarning, stacklevel=3)
    return scan


def _is_scalar(x: Any) -> bool:
    return x is None or isinstance(x, (str, bool, numbers.Number))


def _ordered(records: Mapping[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Records sorted by their parameters (then key); and the parameter names in order."""
    names: list[str] = []
    for key in sorted(records):
        for name in records[key]["params"]:
            if name not in names:
                names.append(name)
    decoded = {k: decode_params(r["params"]) for k, r in records.items()}

    def order(key: str) -> tuple[Any, ...]:
        p = decoded[key]
        return (*(_sort_value(p.get(n)) for n in names), key)

    return [records[k] for k in sorted(records, key=order)], names


def _flatten(prefix: str, value: Mapping[str, Any], out: dict[str, Any]) -> None:
    for k, v in value.items():
        name = f"{prefix}.{k}"
        if isinstance(v, Mapping):
            _flatten(name, v, out)
        else:
            out[name] = v


def _rows_of(record: dict[str, Any], *, timings: bool) -> list[dict[str, Any]]:
    params = decode_params(record["params"])
    base: dict[str, Any] = {"point": record["key"], "command": record["command"], **params}
    if record["status"] != "ok":
        base.update(status="failed", error=record.get("error", ""))
        return [base]
    result = decode_params(record["result"])
    extra = result.get("params") if isinstance(result, Mapping) else None
    if isinstance(extra, Mapping):
        for k, v in extra.items():
            if k not in base and k not in VOLATILE and _is_scalar(v):
                base[k] = v
    times = result.get("times")
    n = len(times) if isinstance(times, list) and times and all(
        isinstance(t, numbers.Real) for t in times) else None
    scalars: dict[str, Any] = {}
    series: dict[str, list[Any]] = {}
    for k, v in result.items():
        if k == "params" or k in VOLATILE:
            continue
        if n is not None and isinstance(v, list) and len(v) == n and all(map(_is_scalar, v)):
            series["time" if k == "times" else k] = v
        elif isinstance(v, Mapping):
            _flatten(k, v, scalars)
        elif k not in base:
            scalars[k] = v
    base.update(scalars)
    if timings:
        base.update(elapsed_s=record.get("elapsed_s"), computed_at=record.get("computed_at"))
    if n is None:
        return [base]
    return [{**base, **{k: v[i] for k, v in series.items()}} for i in range(n)]


def load(
    store: str | os.PathLike[str],
    *,
    versions: str = "current",
    include_failed: bool = False,
    timings: bool = False,
) -> Any:
    """The whole sweep as one tidy pandas DataFrame.

    One row per point and time (one row per point for commands whose result has no
    ``times``), sorted by the parameters. Columns:

    * ``point`` (the key) and ``command``;
    * every parameter the grid set (with the derived ``seed``), then the scalar
      entries of the result's ``params`` that the grid did not set (``a``, ``b``,
      ``M``..., ``version``);
    * ``time`` and every result entry with one value per time (``test_loss``,
      ``test_loss_sem``, ``train_loss``...); other scalar entries, nested ones as
      ``outer.inner``.

    Timings (``wall_time_s``) are left out, so the table of a sweep is identical
    however it was run; ``timings=True`` adds ``elapsed_s`` and ``computed_at``.

    Parameters
    ----------
    store : path
        A store directory written by :func:`run_sweep` / ``scaling-dynamics sweep``.
    versions : {"current", "all"}
        Keep only points computed by this package version (default) or all of them.
    include_failed : bool
        Add one row per failed point with ``status = "failed"`` and its ``error``.
    timings : bool
        Add the per-point ``elapsed_s`` and ``computed_at``.

    Returns
    -------
    pandas.DataFrame
        ``frame.attrs`` holds ``parameters`` (the grid's parameter columns),
        ``store`` (its path) and ``skipped`` (files reported and not used).

    Warns
    -----
    StoreWarning
        When corrupted or foreign files (or points of another version) were skipped.
    """
    pd = _pandas()
    st = Store.open(store)
    scan = read_store(st, versions=versions)
    records = dict(scan.ok)
    if include_failed:
        records.update(scan.failed)
    ordered, names = _ordered(records)
    rows = [row for rec in ordered for row in _rows_of(rec, timings=timings)]
    frame = pd.DataFrame(rows)
    if include_failed and len(frame) and "status" in frame:
        frame["status"] = frame["status"].fillna("ok")
    frame.attrs["parameters"] = names
    frame.attrs["store"] = st.path
    frame.attrs["skipped"] = scan.problems()
    return frame


# --------------------------------------------------------------------------- loss tables
def to_loss_table(
    store: str | os.PathLike[str] | Any,
    *,
    size: str = "N",
    time: str = "time",
    loss: str = "test_loss",
    where: Mapping[str, Any] | None = None,
) -> Any:
    """(model size, steps, loss) rows of a sweep: the input of fits and frontiers.

    Returns the :class:`scaling_dynamics.scaling.LossTable` that
    ``scaling_dynamics.scaling`` fits take (``model_size``, ``steps``, ``loss``;
    ``compute = model_size * steps``), validated by its ``as_loss_table``: one row per
    point and time, sorted by size, time and seed. Replicate points (an explicit
    ``seed`` axis) give separate rows.

    Parameters
    ----------
    store : path or DataFrame
        A store directory, or a table from :func:`load`.
    size, time, loss : str
        Columns to use (defaults ``N``, ``time``, ``test_loss``); ``time`` may be any
        numeric column, e.g. ``P`` for loss against data.
    where : dict, optional
        Fix the other swept parameters, e.g. ``{"a": 1.5, "optimizer": "gf"}``.

    Raises
    ------
    InvalidParameterError
        If a column is missing; if a parameter other than ``size``, ``time`` and the
        seed still varies (the rows would mix different experiments; the message
        names it and its values); if a size, time or loss is not a positive finite
        number (e.g. ``N = inf`` or ``t = 0``: exclude them with ``where`` or the grid).
    """
    from ..scaling._data import as_loss_table

    pd = _pandas()
    if isinstance(store, pd.DataFrame):
        frame, origin = store, str(store.attrs.get("store", "table"))
    else:
        frame = load(store)
        origin = frame.attrs["store"]
    if len(frame) == 0:
        raise InvalidParameterError("the sweep holds no successful point to tabulate.")
    for role, name in (("size", size), ("time", time), ("loss", loss)):
        if name not in frame.columns:
            raise InvalidParameterError(
                f"`{role}` must be a column of the sweep; got {name!r} (columns: "
                f"{', '.join(map(str, frame.columns))})."
            )
    frame = select(frame, where)
    if "status" in frame.columns:
        frame = frame[frame["status"] == "ok"]
    params = [c for c in frame.attrs.get("parameters", []) if c in frame.columns]
    varying = [c for c in params if c not in (size, time, "seed")
               and frame[c].astype(str).nunique() > 1]
    if varying:
        detail = "; ".join(f"{c}: {_values(frame[c])}" for c in varying)
        raise InvalidParameterError(
            f"the sweep also varies {', '.join(varying)} ({detail}); choose one value with "
            f"`where`, e.g. where={{{varying[0]!r}: {frame[varying[0]].iloc[0]!r}}}."
        )
    sort_cols = [size, time] + (["seed"] if "seed" in frame.columns else [])
    frame = frame.sort_values(sort_cols, kind="stable")

    def numeric(role: str, name: str) -> np.ndarray:
        try:
            values = frame[name].to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidParameterError(
                f"`{role}` column {name!r} must be numeric to build a loss table."
            ) from None
        bad = ~(np.isfinite(values) & (values > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidParameterError(
                f"`{role}` column {name!r} must hold positive finite numbers for a loss table; "
                f"point {frame['point'].iloc[i]} has {name} = {values[i]!r} (leave it out with "
                f"`where` or the grid)."
            )
        return values

    detail = f" where {dict(where)}" if where else ""
    return as_loss_table(
        numeric("size", size), numeric("time", time), numeric("loss", loss),
        source=f"sweep store {origin}{detail}",
    )


# --------------------------------------------------------------------------- curves
def to_curves(
    store: str | os.PathLike[str],
    *,
    where: Mapping[str, Any] | None = None,
    versions: str = "current",
) -> list[LossCurves]:
    """The points of a store whose results are loss curves, as :class:`LossCurves`.

    Works for the commands that print a ``LossCurves`` JSON (``simulate``, ``theory``).
    Each curve's ``params`` are those its command recorded, plus the grid's
    parameters; ``diagnostics["sweep_point"]`` is its store key. The order is that of
    :func:`load`. ``where`` selects points by parameter, as in :func:`to_loss_table`.
    """
    scan = read_store(store, versions=versions)
    ordered, _ = _ordered(scan.ok)
    out: list[LossCurves] = []
    for rec in ordered:
        result = rec["result"]
        params = decode_params(rec["params"])
        if where:
            merged = {**decode_params(result.get("params", {})), **params}
            if any(k not in merged or not _equal(merged[k], v) for k, v in where.items()):
                continue
        if not all(k in result for k in ("times", "test_loss", "train_loss")):
            raise InvalidParameterError(
                f"point {rec['key']} ({rec['command']}) has no loss curves (times, test_loss, "
                f"train_loss); to_curves reads the results of simulate or theory."
            )
        d = dict(result)
        p = dict(d.pop("params", {}) or {})
        for k in _CURVE_META:
            if k in p:
                d[k] = p.pop(k)
        diagnostics = {"sweep_point": rec["key"]}
        if "wall_time_s" in p:
            diagnostics["wall_time_s"] = p.pop("wall_time_s")
        for k, v in rec["params"].items():
            p.setdefault(k, v)
        d["params"] = p
        d["diagnostics"] = diagnostics
        out.append(LossCurves.from_dict(d))
    if where and not out:
        raise InvalidParameterError(f"`where`: no point of the sweep matches {dict(where)!r}.")
    return out


def _equal(a: Any, b: Any) -> bool:
    if isinstance(b, str) and isinstance(a, numbers.Real) and not isinstance(a, bool):
        b = parse_value(b)
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return float(a) == float(b)
    return a == b


def store_input(store: str | os.PathLike[str], *, size: str = "N", time: str = "time",
                loss: str = "test_loss", where: Mapping[str, Any] | None = None,
                constants: tuple[str, ...] = ()) -> Any:
    """What a task reads from ``--store``: its (size, time, loss) rows as a LossTable, and
    the ``constants`` that have one value at every selected point (others are left out).

    Registered with ``scaling_dynamics.tasks`` when this package is imported.
    """
    from ..tasks._inputs import StoreInput

    frame = load(store)
    table = to_loss_table(frame, size=size, time=time, loss=loss, where=where)
    selected = select(frame, where)
    out: dict[str, Any] = {}
    for name in constants:
        if name in selected.columns:
            values = selected[name].dropna().unique()
            if len(values) == 1:
                out[name] = values[0].item() if hasattr(values[0], "item") else values[0]
    return StoreInput(table, out)
