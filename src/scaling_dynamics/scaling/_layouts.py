"""Loss data files in the layouts users have, read as one :class:`LossTable`.

* a long CSV table, one row per (N, t): columns found by name (:data:`COLUMN_ALIASES`,
  e.g. ``N,steps,loss`` or the Chinchilla-style ``params,tokens,loss``) or named;
* a wide CSV table, one loss column per N: ``times,N=64,N=128`` (or any pattern with
  ``{N}``, e.g. ``wide="loss_N{N}"``); empty cells are skipped;
* the ``.csv`` or ``.json`` that ``simulate --out`` / ``theory --out`` write
  (``LossCurves.save``): one curve at the N of its parameters (``test_loss`` over
  ``times``; the point t = 0 is left out, it is the same at every N);
* an ``.npz`` with 1-D arrays N, t, loss (names as for the long table).

Several files are read one by one and concatenated (:func:`read_loss_tables`). A file
whose layout is none of these is refused in one line that lists its columns and the
options that map them. Every file is read through the size and type limits of
:mod:`scaling_dynamics._validation`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._validation import open_npz, read_input_text
from ._data import _ROLE_TEXT, COLUMN_ALIASES, LossTable, as_loss_table

__all__ = ["read_loss_table", "read_loss_tables", "LAYOUT_OPTIONS"]

_CURVES_TAG = "# scaling-dynamics LossCurves v1"
_WIDE_DEFAULT = re.compile(r"^N\s*=\s*(\S+)$", re.IGNORECASE)
_WHAT = "loss data file"

#: The ways to map a file, as the one-line error of an unreadable layout lists them.
LAYOUT_OPTIONS = (
    "map them with --size-column, --steps-column and --loss-column (a long table, one row "
    "per N and t), or --wide 'loss_N{N}' naming the loss columns of a wide table (one per N, "
    "e.g. times,N=64,N=128), or give the files simulate/theory --out write, or an .npz with "
    "arrays N, t, loss"
)


def _layout_error(path: str, names: Sequence[str], why: str, kind: str = "columns") -> Exception:
    found = ", ".join(repr(h) for h in names) or "none"
    return InvalidParameterError(f"{path}: cannot read this layout: {why}; the {kind} are "
                                 f"{found}; {LAYOUT_OPTIONS}.")


def _find(names: Sequence[str], role: str, chosen: str | None, path: str,
          kind: str = "columns") -> int | None:
    lowered = [h.strip().lower() for h in names]
    if chosen is not None:
        if chosen.strip().lower() not in lowered:
            raise _layout_error(path, names, f"no column named {chosen!r} for the "
                                f"{_ROLE_TEXT[role]}", kind)
        return lowered.index(chosen.strip().lower())
    for alias in COLUMN_ALIASES[role]:
        if alias in lowered:
            return lowered.index(alias)
    return None


def _missing(names: Sequence[str], role: str, path: str, kind: str = "columns") -> Exception:
    return _layout_error(path, names, f"missing a column for the {_ROLE_TEXT[role]} (looked "
                         f"for {', '.join(COLUMN_ALIASES[role])})", kind)


def _number(text: str, where: str, column: str, what: str) -> float:
    text = text.strip()
    try:
        if not text.isascii() or "_" in text:
            raise ValueError(text)
        x = float(text)
    except ValueError:
        raise InvalidParameterError(
            f"{where}: the {what} column {column!r} must hold a number; got {text!r}."
        ) from None
    if math.isnan(x) or math.isinf(x) or x <= 0:
        why = "losses are fitted in log space" if what == "loss" else "sizes and steps"
        raise InvalidParameterError(
            f"{where}: the {what} column {column!r} must be a positive finite number "
            f"({why}); got {text!r}."
        )
    return x


def _wide_pattern(wide: str | None) -> re.Pattern[str]:
    if wide is None:
        return _WIDE_DEFAULT
    if wide.count("{N}") != 1:
        raise InvalidParameterError(
            f"`wide` names the loss columns of a wide table with one {{N}} where the model "
            f"size stands, e.g. 'loss_N{{N}}' or 'N={{N}}'; got {wide!r}."
        )
    before, after = wide.strip().split("{N}")
    return re.compile("^" + re.escape(before) + r"(\S+?)" + re.escape(after) + "$",
                      re.IGNORECASE)


def _read_csv(path: str, text: str, size: str | None, steps: str | None, loss: str | None,
              wide: str | None) -> tuple[list[float], list[float], list[float]]:
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline=""))
                if r and not r[0].lstrip().startswith("#")]
    except csv.Error as exc:
        raise InvalidParameterError(f"cannot read {path!r} as CSV: {exc}.") from None
    if not rows:
        raise InvalidParameterError(f"{path}: the file is empty; expected a CSV with a header row.")
    header, body = rows[0], rows[1:]
    pattern = _wide_pattern(wide)
    wide_cols = [(j, m.group(1)) for j, h in enumerate(header)
                 if (m := pattern.match(h.strip())) is not None]
    j_n = None if wide is not None else _find(header, "model_size", size, path)
    j_t = _find(header, "steps", steps, path)
    j_l = None if wide is not None else _find(header, "loss", loss, path)
    if j_t is None or (j_n is None or j_l is None) and not wide_cols:
        role = "steps" if j_t is None else "model_size" if j_n is None else "loss"
        if wide is not None:
            raise _layout_error(path, header, f"no column matches --wide {wide!r}"
                                if not wide_cols else "missing a column for the steps")
        raise _missing(header, role, path)
    is_long = j_n is not None and j_l is not None
    ns: list[float] = []
    ts: list[float] = []
    ys: list[float] = []
    sizes = {j: _number(v, path, header[j], "model size") for j, v in wide_cols}
    for line_no, row in enumerate(body, start=2):
        where = f"{path}, line {line_no}"
        if len(row) > len(header):
            raise InvalidParameterError(
                f"{where}: {len(row)} fields but the header names {len(header)}; a value "
                "has a comma too many or the header lacks a column."
            )
        cell = [(row[j] if j < len(row) else "") for j in range(len(header))]
        t = _number(cell[j_t], where, header[j_t], _ROLE_TEXT["steps"])
        if is_long:
            assert j_n is not None and j_l is not None
            ns.append(_number(cell[j_n], where, header[j_n], _ROLE_TEXT["model_size"]))
            ts.append(t)
            ys.append(_number(cell[j_l], where, header[j_l], "loss"))
            continue
        for j, n in sizes.items():
            if cell[j].strip():  # a wide table may lack some (N, t)
                ns.append(n)
                ts.append(t)
                ys.append(_number(cell[j], where, header[j], "loss"))
    return ns, ts, ys


def _curve(path: str, params: Any, times: Any, losses: Any, loss: str
           ) -> tuple[list[float], list[float], list[float]]:
    """One simulate/theory curve: (N, t, loss) rows at the N of its parameters."""
    n = params.get("N") if isinstance(params, dict) else None
    try:
        n_value = float(n)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        n_value = math.nan
    if not (math.isfinite(n_value) and n_value > 0):
        raise InvalidParameterError(
            f"{path}: a curve at N = {n!r}; a fit needs a finite model size N > 0 in the "
            "parameters of each simulate/theory file."
        )
    t = np.asarray([float(x) for x in times], dtype=np.float64)
    y = np.asarray([float(x) for x in losses], dtype=np.float64)
    if t.shape != y.shape:
        raise InvalidParameterError(f"{path}: {t.size} times but {y.size} values of {loss!r}.")
    keep = t != 0  # L(0) is the same at every N
    return [n_value] * int(keep.sum()), t[keep].tolist(), y[keep].tolist()


def _read_curves_csv(path: str, text: str, loss: str | None
                     ) -> tuple[list[float], list[float], list[float]]:
    lines = text.splitlines()
    try:
        meta = json.loads(lines[1][2:]) if len(lines) > 2 and lines[1].startswith("# ") else None
    except json.JSONDecodeError:
        meta = None
    if not isinstance(meta, dict):
        raise InvalidParameterError(f"{path}: a simulate/theory CSV without its parameter line.")
    rows = [r for r in csv.reader(lines[2:]) if r]
    header = [h.strip() for h in rows[0]] if rows else []
    name = loss or "test_loss"
    for role, col in (("steps", "times"), ("loss", name)):
        if col not in header:
            raise _layout_error(path, header, f"no column {col!r} for the {_ROLE_TEXT[role]}")
    jt, jl = header.index("times"), header.index(name)
    return _curve(path, meta.get("params"), [r[jt] for r in rows[1:]],
                  [r[jl] for r in rows[1:]], name)


def _read_curves_json(path: str, loss: str | None) -> tuple[list[float], list[float], list[float]]:
    text = read_input_text(path, _WHAT)
    try:
        d = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidParameterError(f"cannot read {path!r} as JSON: {exc}.") from None
    name = loss or "test_loss"
    keys = list(d) if isinstance(d, dict) else []
    if not keys or "times" not in d or not isinstance(d.get(name), list):
        raise _layout_error(path, keys, f"not the JSON simulate/theory --out write (keys "
                            f"'params', 'times', {name!r})", "keys")
    return _curve(path, d.get("params"), d["times"], d[name], name)


def _read_npz(path: str, size: str | None, steps: str | None, loss: str | None
              ) -> tuple[Any, Any, Any]:
    with open_npz(path, _WHAT, "write it with numpy.savez(path, N=..., t=..., loss=...).") as z:
        names = list(z.files)
        idx = {}
        for role, chosen in (("model_size", size), ("steps", steps), ("loss", loss)):
            j = _find(names, role, chosen, path, "arrays")
            if j is None:
                raise _missing(names, role, path, "arrays")
            idx[role] = names[j]
        return tuple(np.asarray(z[idx[r]]) for r in ("model_size", "steps", "loss"))


def read_loss_table(
    path: str | os.PathLike[str],
    *,
    model_size_column: str | None = None,
    steps_column: str | None = None,
    loss_column: str | None = None,
    wide: str | None = None,
    min_points: int = 1,
) -> LossTable:
    """Read model size, steps (or tokens) and loss from one file, in any layout above.

    Columns are found by name (case-insensitive; see :data:`COLUMN_ALIASES`) unless
    named; lines starting with ``#`` are skipped. ``wide`` names the loss columns of a
    wide table, with ``{N}`` where the size stands (default: columns ``N=<size>``).

    Raises
    ------
    InvalidParameterError
        If the file cannot be read, its layout is none of the above (the message lists the
        columns found and the options), or a value is not a positive finite number (the
        message names the line).
    """
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".npz":
        n, t, y = _read_npz(path, model_size_column, steps_column, loss_column)
    elif suffix == ".json":
        n, t, y = _read_curves_json(path, loss_column)
    else:
        text = read_input_text(path, _WHAT)
        if text.startswith(_CURVES_TAG):
            n, t, y = _read_curves_csv(path, text, loss_column)
        else:
            n, t, y = _read_csv(path, text, model_size_column, steps_column, loss_column, wide)
    return as_loss_table(n, t, y, min_points=min_points, source=path)


def read_loss_tables(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    min_points: int = 1,
    **options: Any,
) -> LossTable:
    """Read each file with :func:`read_loss_table` (same ``options``) and concatenate them,
    e.g. the ``simulate --out`` files of several N."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not paths:
        raise InvalidParameterError("no data files given.")
    tables = [read_loss_table(p, **options) for p in paths]
    names = [t.source for t in tables]
    source = ", ".join(names) if len(names) <= 3 else f"{names[0]} and {len(names) - 1} more files"
    return as_loss_table(np.concatenate([t.model_size for t in tables]),
                         np.concatenate([t.steps for t in tables]),
                         np.concatenate([t.loss for t in tables]),
                         min_points=min_points, source=source)
