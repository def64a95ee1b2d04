"""Task ``compute-optimal``: the theory's compute-optimal frontier N*, t*, L* (C = N t).

For each budget C, minimises L(N, t = C/N) over log N (followed along the frontier on a lattice);
with ``store``, the frontier measured on a sweep with the theory's beside it.
"""

from __future__ import annotations

import math
import os
from typing import Any

from ._base import Output, bind
from ._convert import DEFAULT_COMPUTE, bounded, count, exponent, parse_compute, sigma, size
from ._curves import add_format_argument, add_progress_arguments
from ._inputs import add_store_arguments, read_store, where_from_args
from ._spec import Spec

__all__ = ["SPEC", "compute_optimal", "MAX_GRID", "MAX_EVALUATIONS"]

#: Most sizes in the bracketing grid (the grid only brings the smallest budget near).
MAX_GRID = 10_000
#: Most theory evaluations one frontier may cost (about 10 ms each: ~15 minutes).
MAX_EVALUATIONS = 100_000


def _check_budgets(budgets: Any, grid: int, min_steps: float) -> None:
    """Refuse, before any work, budgets that cannot give a frontier or cost too much."""
    from .._errors import InvalidParameterError

    if len(set(budgets.tolist())) < 2:
        raise InvalidParameterError(
            "`compute` must list at least 2 different budgets to fit the frontier's "
            f"exponents; got {budgets.size} ({', '.join(f'{c:g}' for c in budgets[:3])})."
        )
    smallest = float(budgets.min())
    if not smallest / min_steps > 1.0:
        raise InvalidParameterError(
            f"`min-steps` must be below the smallest budget (N <= C / min-steps must allow "
            f"N > 1); got {min_steps:g} with C = {smallest:g}."
        )
    evaluations = grid + 12 * budgets.size
    if evaluations > MAX_EVALUATIONS:
        raise InvalidParameterError(
            f"`compute` and `grid` ask for about {evaluations:.3g} theory evaluations "
            f"(grid + 12 per budget; ~10 ms each); at most {MAX_EVALUATIONS:_} are allowed: "
            f"give fewer budgets or a smaller grid.".replace("_", ",")
        )


def declare(parser: Any) -> None:
    g = parser.add_argument_group("model (theory.md section 1)")
    g.add_argument("--a", type=exponent("a"), default=1.5,
                   help="task-power exponent, a > 1 (default %(default)s)")
    g.add_argument("--b", type=exponent("b"), default=1.25,
                   help="eigenvalue exponent, b > 1 (default %(default)s)")
    g.add_argument("--M", type=size("M"), default=math.inf,
                   help="number of modes (default inf)")
    g.add_argument("--P", type=size("P"), default=math.inf,
                   help="training samples; inf for fresh data (default inf)")
    g.add_argument("--sigma", type=sigma, default=0.0,
                   help="label-noise standard deviation (default %(default)s)")
    g.add_argument("--gamma", type=bounded("gamma", 0.0, math.inf), default=None,
                   help="richness gamma > 0: the frontier of the feature-learning model's "
                   "finite-N theory (P = inf), fitted exponents beside its closed forms "
                   "(docs/feature-learning.md); 0 or absent: the random-feature model")
    f = parser.add_argument_group("frontier")
    f.add_argument("--compute", default=None,
                   help="budgets C = N t: C1,C2,... or log:START:STOP:NUM (default "
                   f"{DEFAULT_COMPUTE}; with --store, 12 budgets inside the data's range)")
    f.add_argument("--grid", type=count("grid", 3, MAX_GRID, "each size is one theory evaluation per budget"), default=17,
                   help="sizes in the log grid the smallest budget walks to reach the frontier "
                   "(default %(default)s)")
    f.add_argument("--min-steps", type=bounded("min-steps", 0.0, 1e300, low_open=True), default=1.0,
                   help="smallest training time allowed, so N <= C / min-steps "
                   "(default %(default)s)")
    add_store_arguments(parser, "measured loss curves (columns N, time, test_loss)")
    o = parser.add_argument_group("output")
    add_format_argument(o)
    o.add_argument("--out", metavar="DIR", default=None,
                   help="write frontier.json and frontier.png to DIR")
    add_progress_arguments(o)


SPEC = Spec()
declare(SPEC)


def _frontier_rows(fr: Any) -> list[str]:
    """The frontier's column header and one row per budget: C, N*, t*, L*, at_bound."""
    lines = [f"{'C':>12}  {'N*':>12}  {'t*':>12}  {'L*':>12}  at_bound"]
    for c, n, t, ll, ab in zip(fr.compute, fr.model_size, fr.steps, fr.loss, fr.at_bound,
                               strict=True):
        lines.append(f"{c:12.4g}  {n:12.6g}  {t:12.6g}  {ll:12.6g}  {'yes' if ab else ''}")
    return lines


def _table(fr: Any, head: str | None = None) -> str:
    p = fr.params
    if head is None:
        head = (f"# compute-optimal frontier (theory, gradient flow): a={p['a']:g}, "
                f"b={p['b']:g}, M={p['M']}, P={p['P']}, sigma={p['sigma']:g}; C = N t")
    lines = [head, *_frontier_rows(fr)]
    if any(fr.at_bound):
        lines.append("# at_bound yes: no interior optimum at that budget (N* is at the edge of "
                     "the search range); left out of the fitted exponents")
    lines.append(f"{'exponent':>16}  {'fitted':>8}  {'paper':>8}  {'single':>8}")
    fitted = fr.fitted()
    for k in ("compute_loss", "compute_params", "compute_steps"):
        paper = getattr(fr.expected, k) if fr.expected is not None else math.nan
        single = getattr(fr.expected, k + "_single") if fr.expected is not None else math.nan
        lines.append(f"{k:>16}  {fitted[k]:8.4f}  {paper:8.4f}  {single:8.4f}")
    if fr.expected is not None:
        lines.append(f"# regime {fr.expected.regime}: paper's forms use m = min(a-1, 2b); "
                     "single-model forms differ when a - 1 > b (docs/scaling.md)")
    return "\n".join(lines) + "\n"


def _save(out: str, record: dict[str, Any], frontier: Any, extra: Any,
          labels: tuple[str, str] | None = None) -> tuple[str, ...]:
    """``OUT/frontier.json`` (the printed record) and ``OUT/frontier.png``; the note."""
    from ..plots.scaling import plot_frontier
    from ..results import write_json

    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "frontier.json"), record)
    plot_frontier(frontier, os.path.join(out, "frontier.png"), extra=extra, labels=labels)
    return (f"saved {os.path.join(out, 'frontier.png')} and frontier.json",)


def _feature_learning(args: Any, spectrum: Any, budgets: Any) -> Output:
    """The feature-learning theory's frontier at richness ``gamma`` > 0 (finite-N theory)."""
    from .._errors import InvalidParameterError
    from ..scaling import feature_learning_frontier

    if not math.isinf(args.P):
        raise InvalidParameterError(
            f"`P` = {args.P:g} is not supported with --gamma {args.gamma:g}: the feature-learning "
            "theory is derived at P = inf only (finite data with gamma > 0 is not).")
    fl = feature_learning_frontier(spectrum, budgets, args.gamma, n_grid=args.grid,
                                   min_steps=args.min_steps, progress=args.progress)
    fr = fl.frontier
    record = fr.to_dict()
    record["feature_learning"] = {k: v for k, v in fl.to_dict().items() if k != "frontier"}
    notes = _save(args.out, record, fr, None) if args.out else ()
    return Output(record, _feature_learning_table(fl), table_notes=notes, value=fl)


def _feature_learning_table(fl: Any) -> str:
    p, fr = fl.params, fl.frontier
    head = (f"# compute-optimal frontier (feature-learning finite-N theory, gradient flow): "
            f"a={p['a']:g}, b={p['b']:g}, M={p['M']}, P=inf, gamma={fl.gamma:g}; C = N t")
    lines = [head, *_frontier_rows(fr)]
    if any(fr.at_bound):
        lines.append("# at_bound yes: no interior optimum at that budget; left out of the fits")
    lines.append(f"{'exponent':>16}  {'fitted':>8}  {'rich':>8}  {'lazy':>8}")
    fitted = fr.fitted()

    def show(v: Any) -> str:
        return f"{v:8.4f}" if v is not None else f"{'-':>8}"

    for k in ("compute_loss", "compute_params", "compute_steps"):
        lines.append(f"{k:>16}  {fitted[k]:8.4f}  {show(fl.closed_form[k])}  "
                     f"{show(fl.closed_form_lazy[k])}")
    lines.append(f"# regime {fl.regime}: closed forms for hard tasks (beta < 1): rich "
                 "L* ~ C^-2(a-1)/(a+b+1), N* ~ C^2/(a+b+1); lazy (a-1)/(b+1), 1/(b+1)")
    return "\n".join(lines) + "\n"


def _from_store(args: Any) -> Output:
    """Frontier of a sweep's measured curves, with the theory's beside it."""
    from ..optimizers import GradientFlow
    from ..scaling import closed_form_exponents, compute_optimal_frontier
    from ..scaling._data_frontier import frontier_from_table
    from ..spectra import Spectrum

    stored = read_store(args, constants=("a", "b", "M", "P", "sigma", "optimizer"))
    table, const = stored.table, stored.constants
    expected = None
    if "a" in const and "b" in const and const["a"] is not None and const["b"] is not None:
        expected = closed_form_exponents(const["a"], const["b"])
    budgets = None if args.compute is None else parse_compute(args.compute)
    if budgets is not None:
        _check_budgets(budgets, args.grid, args.min_steps)
    measured = frontier_from_table(table, budgets, expected=expected,
                                   params={"label": f"measured: {table.source}"})
    theory = None
    # the theory frontier is gradient flow's: drawn beside sweeps that used gradient flow
    if expected is not None and const.get("optimizer", GradientFlow.name) == GradientFlow.name:
        spectrum = Spectrum.power_law(const["a"], const["b"], const.get("M", math.inf),
                                      const.get("sigma") or 0.0)
        theory = compute_optimal_frontier(spectrum, measured.compute, P=const.get("P", math.inf),
                                          n_grid=args.grid, min_steps=args.min_steps,
                                          progress=args.progress)
    record = {"measured": measured.to_dict(),
              "theory": None if theory is None else theory.to_dict()}
    notes = _save(args.out, record, measured, theory, labels=("measured", "theory")) \
        if args.out else ()
    text = _table(measured, f"# compute-optimal frontier measured on {table.source}")
    text += _table(theory) if theory is not None else (
        "# no theory frontier: the sweep does not fix a power law (a, b) with gradient flow\n")
    return Output(record, text, table_notes=notes, value=(measured, theory))


def compute_optimal(**options: Any) -> Output:
    """The theory's frontier for budgets ``compute``; ``out`` writes frontier.json/.png."""
    from ..scaling import compute_optimal_frontier
    from ..spectra import Spectrum

    args = bind("compute-optimal", SPEC, options)
    if args.store:
        if args.gamma:
            from .._errors import InvalidParameterError

            raise InvalidParameterError(
                f"`gamma` = {args.gamma:g} computes the feature-learning theory's frontier; it "
                "does not apply with --store (leave one out).")
        return _from_store(args)
    where_from_args(args)  # refuses --where without --store
    spectrum = Spectrum.power_law(args.a, args.b, args.M, args.sigma)
    budgets = parse_compute(DEFAULT_COMPUTE if args.compute is None else args.compute)
    _check_budgets(budgets, args.grid, args.min_steps)
    if args.gamma:
        return _feature_learning(args, spectrum, budgets)
    fr = compute_optimal_frontier(spectrum, budgets, P=args.P, n_grid=args.grid,
                                  min_steps=args.min_steps, progress=args.progress,
                                  iso_compute=bool(args.out))
    reference = None
    if args.out and not math.isinf(fr.params["P"]):
        reference = compute_optimal_frontier(spectrum, budgets, P=math.inf, n_grid=args.grid,
                                             min_steps=args.min_steps, progress=args.progress)
    record = fr.to_dict()
    notes = _save(args.out, record, fr, reference) if args.out else ()
    return Output(record, _table(fr), table_notes=notes, value=fr)
