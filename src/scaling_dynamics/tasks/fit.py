"""Task ``fit``: a Chinchilla-style law and this model's theory fitted to loss data.

L = E + A N^-alpha + B t^-beta (Huber loss on log L), and with ``theory`` the
mean-field theory L = s_L (L_theory(a, b; N s_N, t s_t) + sigma^2); each with its
compute-optimal allocation (C = N t, with intervals), a held-out check, and forecasts
``fit.forecast(N, t, level=confidence)`` at the ``predict_at`` points (``predictions``).
"""

from __future__ import annotations

import argparse
import math
import os
from typing import Any

from .._errors import InvalidParameterError
from ._base import Output, bind
from ._convert import bounded, count, parse_compute, real, seed, sigma, size
from ._curves import add_format_argument, add_progress_arguments
from ._inputs import add_store_arguments, read_store, where_from_args
from ._spec import Spec

__all__ = ["SPEC", "fit", "MAX_BOOTSTRAP", "MAX_POINTS", "point"]

#: Most --predict-at points in one call.
MAX_POINTS = 1000


def point(text: str) -> tuple[float, float]:
    """A forecast point ``N:T``: model size and steps, both positive finite numbers."""
    allowed = "N:T with model size N > 0 and steps T > 0 (e.g. 1024:1e5)"
    parts = text.split(":")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"`predict-at` must be {allowed}; got {text!r}")
    try:
        n, t = real(parts[0]), real(parts[1])
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"`predict-at` must be {allowed}; got {text!r}") from None
    if not (0 < n < math.inf and 0 < t < math.inf):
        raise argparse.ArgumentTypeError(f"`predict-at` must be {allowed}; got {text!r}")
    return (n, t)


point.__name__ = "point"

#: Most bootstrap resamples: each is one more fit, and beyond ~1e4 an interval's end points
#: no longer move.
MAX_BOOTSTRAP = 100_000


def declare(parser: Any) -> None:
    parser.add_argument("data", metavar="DATA", nargs="*", default=None,
                        help="data files, concatenated (or give --store): CSV tables (long, "
                        "Chinchilla-style params,tokens,loss, or wide: one loss column per N), "
                        "the .csv/.json of simulate/theory --out (one N each), or an .npz with "
                        "arrays N, t, loss")
    add_store_arguments(parser, "the (N, time, loss) rows")
    c = parser.add_argument_group("columns (found by name when not given)")
    c.add_argument("--size-column", default=None, help="column of the model size N")
    c.add_argument("--steps-column", default=None, help="column of the steps or tokens t")
    c.add_argument("--loss-column", default=None, help="column of the loss")
    c.add_argument("--wide", metavar="PATTERN", default=None,
                   help="a wide table: its loss columns, with {N} where the model size stands, "
                   "e.g. 'loss_N{N}' (default: columns N=64, N=128, ... are found)")
    f = parser.add_argument_group("fit")
    f.add_argument("--bootstrap", type=count("bootstrap", 0, MAX_BOOTSTRAP, "each resample is one more fit"), default=100,
                   help="bootstrap resamples for confidence intervals, 0 for none "
                   "(default %(default)s)")
    f.add_argument("--confidence", type=bounded("confidence", 0.0, 1.0, low_open=True), default=0.95,
                   help="level of the bootstrap intervals (default %(default)s)")
    f.add_argument("--starts", type=count("starts", 1, 1000), default=16,
                   help="local optimisations from the best grid starts (default %(default)s)")
    f.add_argument("--huber-delta", type=bounded("huber-delta", 0.0, 1e6, low_open=True), default=1e-3,
                   help="Huber threshold on log residuals (default %(default)s)")
    f.add_argument("--holdout", type=bounded("holdout", 0.0, 1.0), default=0.2,
                   help="fraction of points with the largest compute held out and predicted; "
                   "0 to skip (default %(default)s)")
    f.add_argument("--theory", dest="theory", action="store_true", default=False,
                   help="also fit the mean-field theory: a, b, sigma and the scales of N, t, L "
                   "(tabulates the theory for ~30 candidate (a, b); about a minute)")
    f.add_argument("--theory-evaluations", type=count("theory-evaluations", 1, 1000, "each tabulates the theory, ~2 s"), default=8,
                   help="(a, b) candidates tabulated in the theory fit's basin search, before "
                   "its least-squares polish with the exact theory (default %(default)s)")
    s = parser.add_argument_group("setting of the runs (theory fit)")
    s.add_argument("--M", type=size("M"), default=math.inf,
                   help="teacher modes of the runs (default inf)")
    s.add_argument("--P", type=size("P"), default=math.inf,
                   help="training samples of the runs; inf for fresh data (default inf)")
    s.add_argument("--sigma", type=sigma, default=None,
                   help="label noise, when known: fixes sigma (default: fitted)")
    s.add_argument("--fix", metavar="NAME=VALUE", action="append", default=[],
                   help="hold a theory-fit parameter fixed (repeatable): a, b, model_scale, "
                   "time_scale, loss_scale, sigma; e.g. --fix model_scale=1")
    f.add_argument("--compute", default=None,
                   help="budgets C1,C2,... at which to print the allocations, with intervals "
                   "from the bootstrap (default: 5 budgets from the data's largest C up to "
                   "100x)")
    f.add_argument("--predict-at", metavar="N:T", type=point, action="append", default=[],
                   help="forecast the loss at model size N and steps T, with an interval at "
                   "--confidence from the bootstrap (repeatable; written under `predictions`)")
    f.add_argument("--seed", type=seed, default=0, help="bootstrap seed (default %(default)s)")
    o = parser.add_argument_group("output")
    add_format_argument(o)
    o.add_argument("--out", metavar="DIR", default=None,
                   help="write fit.json and fit.png to DIR")
    add_progress_arguments(o, bars="progress bars")


SPEC = Spec()
declare(SPEC)


def _points(given: list[Any]) -> list[tuple[float, float]]:
    """The --predict-at points (parsed ``N:T`` text or (N, T) pairs), checked."""
    out = []
    for p in given:
        if isinstance(p, str):
            p = point(p)
        try:
            n, t = (float(x) for x in p)
        except (TypeError, ValueError):
            raise InvalidParameterError(
                f"`predict-at` must be N:T with model size N > 0 and steps T > 0; got {p!r}."
            ) from None
        if not (0 < n < math.inf and 0 < t < math.inf):
            raise InvalidParameterError(
                f"`predict-at` must be N:T with model size N > 0 and steps T > 0; got {p!r}."
            )
        out.append((n, t))
    if len(out) > MAX_POINTS:
        raise InvalidParameterError(
            f"`predict-at` takes at most {MAX_POINTS} points; got {len(out)}."
        )
    return out


def _budgets(compute: str | None, table: Any) -> list[float]:
    if compute is None:
        import numpy as np

        top = float(table.compute.max())
        return np.geomspace(top, 100 * top, 5).tolist()
    values = parse_compute(compute).tolist()
    return values


def _format_chinchilla(fit: Any, alloc: Any) -> list[str]:
    iv = fit.intervals
    lines = [f"# Chinchilla-style fit: L = E + A N^-alpha + B t^-beta ({fit.n_points} points, "
             f"Huber delta {fit.huber_delta:g}, rmse(log) {fit.rmse_log:.4f})"]
    for k in ("E", "A", "alpha", "B", "beta", "exponent_params", "exponent_steps",
              "exponent_loss"):
        ci = f"  [{iv[k][0]:.4g}, {iv[k][1]:.4g}]" if k in iv else ""
        lines.append(f"{k:>16}  {getattr(fit, k):12.6g}{ci}")
    return lines + _format_alloc(alloc, fit.holdout)


def _interval_text(iv: Any, i: int) -> str:
    if iv is None or not all(math.isfinite(float(x)) for x in iv[i]):
        return ""
    return f" [{iv[i][0]:.4g}, {iv[i][1]:.4g}]"


def _format_alloc(alloc: Any, holdout: Any) -> list[str]:
    ivs = (alloc.model_size_interval, alloc.steps_interval, alloc.loss_interval)
    if all(iv is None for iv in ivs):
        lines = [f"{'C':>16}  {'N*':>12}  {'t*':>12}  {'L*':>12}"]
        for c, n, t, ll in zip(alloc.compute, alloc.model_size, alloc.steps, alloc.loss,
                               strict=True):
            lines.append(f"{c:16.6g}  {n:12.6g}  {t:12.6g}  {ll:12.6g}")
    else:
        lines = [f"{'C':>16}  {'N* [interval]':>32}  {'t* [interval]':>32}  "
                 f"{'L* [interval]':>32}"]
        for i, c in enumerate(alloc.compute):
            cells = [f"{v[i]:.6g}{_interval_text(iv, i)}"
                     for v, iv in zip((alloc.model_size, alloc.steps, alloc.loss), ivs,
                                      strict=True)]
            lines.append(f"{c:16.6g}  " + "  ".join(f"{x:>32}" for x in cells))
    if holdout is not None:
        lines.append(f"  held out: {holdout.n_test} points with C >= {holdout.compute_threshold:.4g}"
                     f"; fit on {holdout.n_train}: rmse(log) {holdout.rmse_log:.4f}, "
                     f"max relative error {holdout.max_rel_error:.3%}")
    return lines


def _interval(f: Any) -> list[float] | None:
    return [f.low, f.high] if math.isfinite(f.low) and math.isfinite(f.high) else None


def _predictions(points: list[tuple[float, float]], fits: dict[str, Any],
                 level: float) -> list[dict[str, Any]]:
    """One entry per point: N, t and each law's forecast and interval (null when not fitted)."""
    if not points:
        return []
    n = [p[0] for p in points]
    t = [p[1] for p in points]
    out = [{"N": float(a), "t": float(b)} for a, b in zip(n, t, strict=True)]
    for name in ("theory", "chinchilla"):
        fit = fits.get(name)
        forecasts = [None] * len(points) if fit is None else fit.forecast(n, t, level=level)
        for entry, f in zip(out, forecasts, strict=True):
            entry[name] = None if f is None else f.loss
            entry[name + "_interval"] = None if f is None else _interval(f)
    return out


def _format_predictions(preds: list[dict[str, Any]], level: float) -> list[str]:
    lines = [f"# forecasts (intervals at {level:g})",
             f"{'N':>12}  {'t':>12}  {'chinchilla [interval]':>34}  {'theory [interval]':>34}"]
    for p in preds:
        cells = []
        for name in ("chinchilla", "theory"):
            if p[name] is None:
                cells.append("-")
                continue
            iv = p[name + "_interval"]
            cells.append(f"{p[name]:.6g}" + ("" if iv is None else f" [{iv[0]:.4g}, {iv[1]:.4g}]"))
        lines.append(f"{p['N']:12.6g}  {p['t']:12.6g}  {cells[0]:>34}  {cells[1]:>34}")
    return lines


def _table_of(args: Any) -> Any:
    """The (N, t, loss) rows: from the DATA files or from the store."""
    from ..scaling import read_loss_tables
    from ..scaling._data import as_loss_table
    from ..scaling._fits import MIN_POINTS_CHINCHILLA

    data = [args.data] if isinstance(args.data, (str, os.PathLike)) else list(args.data or ())
    if bool(data) == (args.store is not None):
        raise InvalidParameterError("give either DATA files or --store DIR (one of them).")
    if args.store is not None:
        table = read_store(args, size=args.size_column or "N", time=args.steps_column or "time",
                           loss=args.loss_column or "test_loss").table
        return as_loss_table(table.model_size, table.steps, table.loss,
                             min_points=MIN_POINTS_CHINCHILLA, source=table.source)
    where_from_args(args)  # refuses --where without --store
    return read_loss_tables(data, model_size_column=args.size_column,
                            steps_column=args.steps_column, loss_column=args.loss_column,
                            wide=args.wide, min_points=MIN_POINTS_CHINCHILLA)


def _fit_theory(args: Any, table: Any, holdout: float | None) -> Any:
    from ..scaling import fit_theory

    if args.theory_evaluations < 1:
        raise InvalidParameterError(
            f"`theory-evaluations` must be an integer >= 1; got {args.theory_evaluations}."
        )
    return fit_theory(table.model_size, table.steps, table.loss, huber_delta=args.huber_delta,
                      holdout_fraction=holdout, coarse_evaluations=args.theory_evaluations,
                      fine_evaluations=0, M=args.M, P=args.P, sigma=args.sigma,
                      fix=_parse_fix(args.fix), level=args.confidence, progress=args.progress)


def _parse_fix(items: Any) -> dict[str, float]:
    """``["model_scale=1", ...]`` -> ``{"model_scale": 1.0}`` (names checked by the fit)."""
    items = [items] if isinstance(items, str) else list(items or ())
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = str(item).partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            raise InvalidParameterError(
                f"`fix` must be NAME=VALUE (e.g. model_scale=1); got {item!r}."
            ) from None
    return out


def _save(out: str, result: dict[str, Any], table: Any, chin: Any, theory: Any,
          allocations: tuple[Any, Any]) -> tuple[str, ...]:
    from ..plots import save_figure
    from ..plots.scaling import plot_fits
    from ..results import write_json

    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "fit.json"), result)
    save_figure(plot_fits(table, chin, theory, allocations=allocations),
                os.path.join(out, "fit.png"))
    return (f"saved {os.path.join(out, 'fit.json')} and fit.png",)


def fit(**options: Any) -> Output:
    """Fit the laws to ``data`` (one file or a list, concatenated) or a ``store``; ``out`` writes fit.json and fit.png."""
    from ..scaling import fit_chinchilla

    args = bind("fit", SPEC, options)
    points = _points(args.predict_at)
    table = _table_of(args)
    budgets = _budgets(args.compute, table)
    holdout = None if args.holdout == 0 else args.holdout
    chin = fit_chinchilla(table.model_size, table.steps, table.loss,
                          huber_delta=args.huber_delta, n_starts=args.starts,
                          n_bootstrap=args.bootstrap, confidence=args.confidence,
                          holdout_fraction=holdout, seed=args.seed, progress=args.progress)
    chin_alloc = chin.allocation(budgets)
    theory = _fit_theory(args, table, holdout) if args.theory else None
    theory_alloc = None if theory is None else theory.allocation(budgets)
    preds = _predictions(points, {"chinchilla": chin, "theory": theory}, args.confidence)
    result = {"data": {"source": table.source, "n_points": table.n_points},
              "chinchilla": chin.to_dict(), "chinchilla_allocation": chin_alloc.to_dict()}
    if theory is not None:
        result["theory"] = theory.to_dict()
        result["theory_allocation"] = theory_alloc.to_dict()
    if preds:
        result["predictions"] = preds
    notes = (_save(args.out, result, table, chin, theory, (chin_alloc, theory_alloc))
             if args.out else ())
    lines = [f"# {table.source}: {table.n_points} points"] + _format_chinchilla(chin, chin_alloc)
    if theory is not None:
        lines += theory.format_lines() + _format_alloc(theory_alloc, theory.holdout)
    if preds:
        lines += _format_predictions(preds, args.confidence)
    return Output(result, "\n".join(lines) + "\n", table_notes=notes, value=(chin, theory))
