"""Compute-optimal frontier of gradient flow from the mean-field theory (C = N t).

For each budget C, finds the model size N* minimising the theory's test loss
L(N, t = C/N) with a bounded Brent search on log N (after a bracketing grid), and
fits L* ~ C^-x, N* ~ C^x, t* ~ C^x. Compares them with the closed forms of
theory.md section 5 (the paper's, m = min(a-1, 2b)) and with the single-model
forms, which differ when a - 1 > b (docs/scaling.md). With a finite --P the
frontier bends as data run out; the plot then also shows the P = inf frontier.

With --store DIR the frontier is measured on a sweep's loss curves (model sizes N
and times; the loss at t = C/N interpolated in log-log, never extrapolated) and the
theory's frontier for the sweep's a, b, M, P and sigma is computed at the same
budgets beside it.

examples:
  scaling-dynamics compute-optimal --a 1.5 --b 1.25 --compute 1e4,1e6,1e8,1e10
  scaling-dynamics compute-optimal --a 1.5 --b 1.25 --P 10000 --compute log:1e4:1e10:7 \\
      --out frontier/
  scaling-dynamics compute-optimal --a 4 --b 1.25 --format json
  scaling-dynamics compute-optimal --store sweeps/sim --where P=inf --out frontier/
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from typing import Any

from ._common import _float, _int, _size, add_format_argument, add_progress_arguments, print_json
from ._store import add_store_arguments, read_store, where_from_args

#: Budgets of the theory frontier when --compute is not given.
DEFAULT_COMPUTE = "log:1e4:1e10:7"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("model (theory.md section 1)")
    g.add_argument("--a", type=_float, default=1.5,
                   help="task-power exponent, a > 1 (default %(default)s)")
    g.add_argument("--b", type=_float, default=1.25,
                   help="eigenvalue exponent, b > 1 (default %(default)s)")
    g.add_argument("--M", type=_size("M"), default=math.inf,
                   help="number of modes (default inf)")
    g.add_argument("--P", type=_size("P"), default=math.inf,
                   help="training samples; inf for fresh data (default inf)")
    g.add_argument("--sigma", type=_float, default=0.0,
                   help="label-noise standard deviation (default %(default)s)")
    f = parser.add_argument_group("frontier")
    f.add_argument("--compute", default=None,
                   help="budgets C = N t: C1,C2,... or log:START:STOP:NUM (default "
                   f"{DEFAULT_COMPUTE}; with --store, 12 budgets inside the data's range)")
    f.add_argument("--grid", type=_int, default=17,
                   help="sizes in the bracketing grid of the optimiser (default %(default)s)")
    f.add_argument("--min-steps", type=_float, default=1.0,
                   help="smallest training time allowed, so N <= C / min-steps "
                   "(default %(default)s)")
    add_store_arguments(parser, "measured loss curves (columns N, time, test_loss)")
    o = parser.add_argument_group("output")
    add_format_argument(o)
    o.add_argument("--out", metavar="DIR", default=None,
                   help="write frontier.json and frontier.png to DIR")
    add_progress_arguments(o)


def parse_compute(text: str):
    """``C1,C2,...`` or ``log:START:STOP:NUM`` into positive finite budgets."""
    import numpy as np

    from .._errors import InvalidParameterError
    from ._common import parse_times

    try:
        values = parse_times(text)
    except InvalidParameterError:
        raise InvalidParameterError(
            f"`compute` must be a comma list like 1e4,1e6 or log:START:STOP:NUM; got {text!r}."
        ) from None
    if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise InvalidParameterError(f"`compute` must list positive finite budgets; got {text!r}.")
    return values


def _table(fr, head: str | None = None) -> str:
    p = fr.params
    if head is None:
        head = (f"# compute-optimal frontier (theory, gradient flow): a={p['a']:g}, "
                f"b={p['b']:g}, M={p['M']}, P={p['P']}, sigma={p['sigma']:g}; C = N t")
    lines = [head, f"{'C':>12}  {'N*':>12}  {'t*':>12}  {'L*':>12}  at_bound"]
    for c, n, t, ll, ab in zip(fr.compute, fr.model_size, fr.steps, fr.loss, fr.at_bound,
                               strict=True):
        lines.append(f"{c:12.4g}  {n:12.6g}  {t:12.6g}  {ll:12.6g}  {'yes' if ab else ''}")
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


def _run_store(args: argparse.Namespace) -> int:
    """Frontier of a sweep's measured curves, with the theory's beside it."""
    from ..scaling import closed_form_exponents, compute_optimal_frontier
    from ..scaling._data_frontier import frontier_from_table
    from ..spectra import Spectrum

    stored = read_store(args, constants=("a", "b", "M", "P", "sigma", "optimizer"))
    table, const = stored.table, stored.constants
    expected = None
    if "a" in const and "b" in const and const["a"] is not None and const["b"] is not None:
        expected = closed_form_exponents(const["a"], const["b"])
    budgets = None if args.compute is None else parse_compute(args.compute)
    measured = frontier_from_table(table, budgets, expected=expected,
                                   params={"label": f"measured: {table.source}"})
    theory = None
    if expected is not None and const.get("optimizer", "gf") == "gf":
        P = const.get("P", math.inf)
        spectrum = Spectrum.power_law(const["a"], const["b"], const.get("M", math.inf),
                                      const.get("sigma") or 0.0)
        theory = compute_optimal_frontier(spectrum, measured.compute, P=P, n_grid=args.grid,
                                          min_steps=args.min_steps, progress=args.progress)
    record = {"measured": measured.to_dict(),
              "theory": None if theory is None else theory.to_dict()}
    if args.out:
        _save(args.out, record, measured, theory, labels=("measured", "theory"))
    if args.format == "json":
        print_json(record)
        return 0
    sys.stdout.write(_table(measured, f"# compute-optimal frontier measured on {table.source}"))
    if theory is not None:
        sys.stdout.write(_table(theory))
    else:
        sys.stdout.write("# no theory frontier: the sweep does not fix a power law (a, b) "
                         "with gradient flow\n")
    if args.out:
        sys.stderr.write(f"saved {os.path.join(args.out, 'frontier.png')} and frontier.json\n")
    return 0


def _save(out: str, record: dict[str, Any], frontier: Any, extra: Any,
          labels: tuple[str, str] | None = None) -> None:
    """``OUT/frontier.json`` (the printed record) and ``OUT/frontier.png``."""
    from ..plots.scaling import plot_frontier
    from ..results import write_json

    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "frontier.json"), record)
    plot_frontier(frontier, os.path.join(out, "frontier.png"), extra=extra, labels=labels)


def run(args: argparse.Namespace) -> int:
    from ..scaling import compute_optimal_frontier
    from ..spectra import Spectrum

    if args.store:
        return _run_store(args)
    where_from_args(args)  # refuses --where without --store
    spectrum = Spectrum.power_law(args.a, args.b, args.M, args.sigma)
    budgets = parse_compute(args.compute or DEFAULT_COMPUTE)
    fr = compute_optimal_frontier(spectrum, budgets, P=args.P, n_grid=args.grid,
                                  min_steps=args.min_steps, progress=args.progress)
    reference = None
    if args.out and not math.isinf(fr.params["P"]):
        reference = compute_optimal_frontier(spectrum, budgets, P=math.inf, n_grid=args.grid,
                                             min_steps=args.min_steps, progress=args.progress)
    record = fr.to_dict()
    if args.out:
        _save(args.out, record, fr, reference)
    if args.format == "json":
        print_json(record)
    else:
        sys.stdout.write(_table(fr))
        if args.out:
            sys.stderr.write(f"saved {os.path.join(args.out, 'frontier.png')} and frontier.json\n")
    return 0
