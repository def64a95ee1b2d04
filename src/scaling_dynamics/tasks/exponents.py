"""Task ``exponents``: closed-form scaling exponents, or one measured on a sweep store.

With m = min(a - 1, 2b): time L ~ t^-(a-1)/b; data L ~ P^-m; model L ~ N^-m;
compute-optimal L* ~ C^-(a-1)m/(a-1+bm) (theory.md section 5).
"""

from __future__ import annotations

import math
from typing import Any

from .._errors import InvalidParameterError
from ._base import Output, bind
from ._convert import bounded, exponent
from ._curves import add_format_argument
from ._inputs import add_store_arguments, read_store, where_from_args
from ._spec import Spec

__all__ = ["SPEC", "exponents"]


def declare(parser: Any) -> None:
    g = parser.add_argument_group("power law (theory.md section 1)")
    g.add_argument("--a", type=exponent("a"), default=1.5,
                   help="task-power exponent: lambda_k (w*_k)^2 = k^-a, a > 1 (default %(default)s)")
    g.add_argument("--b", type=exponent("b"), default=1.25,
                   help="eigenvalue exponent: lambda_k = k^-b, b > 1 (default %(default)s)")
    g.add_argument("--gamma", type=bounded("gamma", 0.0, math.inf), default=None,
                   help="also print the feature-learning model's exponents at richness "
                   "gamma >= 0 (lazy and rich time exponents, regime, crossover, width and "
                   "compute-optimal exponents; docs/feature-learning.md)")
    add_store_arguments(parser, "loss curves and measure an exponent on them")
    m = parser.add_argument_group("measured exponent (with --store)")
    m.add_argument("--x", choices=("N", "P", "time"), default="N",
                   help="the resource whose exponent is measured (default %(default)s)")
    m.add_argument("--at-time", type=bounded("at-time", 0.0, 1e300), default=None,
                   help="time at which L(N) or L(P) is read (default: the latest stored time)")
    m.add_argument("--fit-decades", type=bounded("fit-decades", 0.0, 300.0, low_open=True), default=None,
                   help="fit only the last DECADES decades of x (default: all points)")
    add_format_argument(parser)


SPEC = Spec()
declare(SPEC)

_ROWS = (
    ("time", "L ~ t^-x           (N, P infinite)"),
    ("data", "L ~ P^-x           (t, N infinite)"),
    ("model", "L ~ N^-x           (t, P infinite; paper's m)"),
    ("model_single", "L ~ N^-x           (one model: min(a-1, b))"),
    ("compute_loss", "L* ~ C^-x          (C = N t)"),
    ("compute_params", "N* ~ C^x"),
    ("compute_steps", "t* ~ C^x"),
    ("compute_loss_single", "L* ~ C^-x          (one model; = paper's when a-1 <= b)"),
    ("compute_params_single", "N* ~ C^x           (one model)"),
    ("compute_steps_single", "t* ~ C^x           (one model)"),
)

_CLOSED_KEY = {"N": "model", "P": "data", "time": "time"}


def _rows(args: Any) -> tuple[Any, Any, Any, Any]:
    """(stored input, x, loss, time read) of the measured exponent."""
    import numpy as np

    if args.x == "time":
        stored = read_store(args, size="N", time="time", constants=("a", "b"))
        table = stored.table
        sizes = np.unique(table.model_size)
        if sizes.size != 1:
            raise InvalidParameterError(
                f"the time exponent needs one model size; the sweep has N = "
                f"{', '.join(f'{n:g}' for n in sizes[:6])}: fix one with --where N=..."
            )
        return stored, table.steps, table.loss, None
    stored = read_store(args, size=args.x, time="time", constants=("a", "b"))
    table = stored.table
    at = float(table.steps.max()) if args.at_time is None else args.at_time
    rows = np.isclose(table.steps, at, rtol=1e-9)
    if not rows.any():
        raise InvalidParameterError(
            f"`at-time` = {at:g} is not a stored time; stored: "
            f"{', '.join(f'{t:g}' for t in np.unique(table.steps)[:10])}."
        )
    return stored, table.model_size[rows], table.loss[rows], at


def _measured(args: Any) -> dict[str, Any]:
    """The exponent of the stored loss against ``args.x``, with the closed form if known."""
    import numpy as np

    from ..scaling import closed_form_exponents
    from ..scaling._data_frontier import loss_exponent

    stored, x, loss, at = _rows(args)
    exponent, stderr = loss_exponent(x, loss, fit_decades=args.fit_decades)
    const = stored.constants
    out = {"x": args.x, "at_time": at, "measured": exponent, "stderr": stderr,
           "n_points": int(np.unique(x).size), "source": stored.table.source,
           "closed_form": None}
    if const.get("a") is not None and const.get("b") is not None:
        e = closed_form_exponents(const["a"], const["b"])
        out.update(a=e.a, b=e.b, closed_form=getattr(e, _CLOSED_KEY[args.x]))
        if args.x == "N":
            out["closed_form_single"] = e.model_single
    return out


def _measured_table(m: dict[str, Any]) -> str:
    where = f" at t = {m['at_time']:g}" if m["at_time"] is not None else ""
    lines = [f"# {m['source']}: L ~ {m['x']}^-x{where} over {m['n_points']} values",
             f"{'measured':>21}  {m['measured']:10.6g}   (± {m['stderr']:.2g})"]
    if m["closed_form"] is not None:
        lines.append(f"{'closed form':>21}  {m['closed_form']:10.6g}   "
                     f"(a={m['a']:g}, b={m['b']:g}; theory.md section 5)")
    if "closed_form_single" in m:
        lines.append(f"{'one model':>21}  {m['closed_form_single']:10.6g}   "
                     "(min(a-1, b), docs/scaling.md)")
    return "\n".join(lines) + "\n"


def exponents(**options: Any) -> Output:
    """Closed-form exponents of (a, b); with ``store``, the exponent measured on a sweep."""
    from ..scaling import closed_form_exponents

    args = bind("exponents", SPEC, options)
    if args.store:
        if args.gamma is not None:
            raise InvalidParameterError(
                f"`gamma` = {args.gamma:g} gives the feature-learning model's closed-form "
                "exponents; it does not apply with --store (leave one out).")
        m = _measured(args)
        return Output(m, _measured_table(m), value=m)
    where_from_args(args)  # refuses --where without --store
    for name in ("at_time", "fit_decades"):
        if getattr(args, name) is not None:
            raise InvalidParameterError(
                f"`{name.replace('_', '-')}` = {getattr(args, name):g} applies to an exponent "
                "measured on a sweep store; give --store DIR (or leave it out)."
            )
    e = closed_form_exponents(args.a, args.b)
    data = e.to_dict()
    if args.gamma is not None:
        from ..models.feature_learning import feature_learning_exponents

        fl = feature_learning_exponents(args.a, args.b, args.gamma)
        data["feature_learning"] = fl.to_dict()
        cross = None
        if fl.regime == "hard":
            from ..scaling import crossover

            cross = crossover(args.a, args.b, args.gamma)
            data["feature_learning"]["crossover"] = cross.to_dict()
    lines = [f"# closed-form exponents, a={e.a:g}, b={e.b:g}, m=min(a-1, 2b)={e.m:g}, "
             f"regime {e.regime}"]
    for key, meaning in _ROWS:
        lines.append(f"{key:>21}  {getattr(e, key):10.6g}   {meaning}")
    if args.gamma is not None:
        lines.extend(_feature_learning_rows(fl))
        if cross is not None:
            lines.extend(_crossover_rows(cross))
    return Output(data, "\n".join(lines) + "\n", value=e)


_FL_ROWS = (
    ("chi_lazy", "L ~ t^-x           (gamma = 0: beta)"),
    ("chi_rich", "L ~ t^-x           (gamma > 0: beta max(1, 2/(1+beta)))"),
    ("chi", "L ~ t^-x           (at this gamma)"),
    ("crossover_gamma_exponent", "t_x ~ gamma^x      (lazy -> rich crossover; hard tasks)"),
    ("width_exponent", "L ~ N^-x           (width bottleneck: alpha min(beta, 2))"),
    ("loss_compute_exponent", "L* ~ C^-x          (C = N t; hard tasks)"),
    ("width_compute_exponent", "N* ~ C^x           (hard tasks)"),
)


def _feature_learning_rows(fl: Any) -> list[str]:
    """The table rows of the feature-learning exponents (``exponents --gamma``)."""
    lines = [f"# feature-learning model (docs/feature-learning.md), gamma={fl.gamma:g}: "
             f"alpha=b={fl.alpha:g}, beta=(a-1)/b={fl.beta:g}, regime {fl.regime}"]
    for key, meaning in _FL_ROWS:
        value = getattr(fl, key)
        shown = f"{value:10.6g}" if value is not None else f"{'-':>10}"
        lines.append(f"{key:>24}  {shown}   {meaning}")
    return lines


def _crossover_rows(x: Any) -> list[str]:
    """The measured crossover constant and time (``exponents --gamma`` on a hard task)."""
    measured = f"{x.measured_time:10.6g}" if x.measured_time is not None else f"{'-':>10}"
    return [
        "# crossover t_x: first t >= 10 where the local slope of the N = M = inf theory "
        "reaches (beta + chi_rich)/2",
        f"{'crossover_constant':>24}  {x.constant:10.6g}   t_x = c gamma^{x.exponent:.4g} "
        f"(measured at gamma_ref = {x.reference_gamma:.3g})",
        f"{'crossover_time':>24}  {x.predicted_time:10.6g}   c gamma^x at this gamma",
        f"{'crossover_time_measured':>24}  {measured}   direct theory run at this gamma "
        "(- : rich from t = 10, or gamma = 0)",
    ]
