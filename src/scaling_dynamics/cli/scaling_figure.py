"""Make one of the scaling-law figures from the mean-field theory, saved as PNG (and JSON).

figures:
  bottlenecks      loss and local exponent along the time, model and data sweeps
  frontier         compute-optimal frontier (P = inf, and a finite P)
  finite-size      L(t,N) - L(t,inf) and L(t,P) - L(t,inf): 1/N early, task exponent late
  train-test-gap   train and test loss for several P (noise 0.5)
  wider-is-better  plentiful vs scarce data, and optimal early stopping (noise 0.5)
  ensembling       E models of size N against one model of size E N
  all              every figure above
The fit figure comes from `scaling-dynamics fit DATA.csv --out DIR`; the frontier of
any (a, b, P) and budgets from `scaling-dynamics compute-optimal ... --out DIR`.

examples:
  scaling-dynamics scaling-figure bottlenecks --out figures/
  scaling-dynamics scaling-figure all --a 2 --b 1.5 --out figures/
  scaling-dynamics scaling-figure bottlenecks --simulate --out figures/
  scaling-dynamics scaling-figure wider-is-better --P 300 --quick --format json
"""

from __future__ import annotations

import argparse
import sys

from ._common import _float, _size, add_format_argument, add_progress_arguments, print_json

_NAMES = ("bottlenecks", "frontier", "finite-size", "train-test-gap", "wider-is-better",
          "ensembling", "all")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", choices=_NAMES,
                        help="one of: " + ", ".join(_NAMES))
    g = parser.add_argument_group("model (theory.md section 1; M infinite)")
    g.add_argument("--a", type=_float, default=1.5,
                   help="task-power exponent, a > 1 (default %(default)s)")
    g.add_argument("--b", type=_float, default=1.25,
                   help="eigenvalue exponent, b > 1 (default %(default)s)")
    g.add_argument("--sigma", type=_float, default=None,
                   help="label noise (default 0; 0.5 for train-test-gap and wider-is-better)")
    g.add_argument("--P", type=_size("P"), default=None,
                   help="samples: finite-P frontier, scarce data of wider-is-better, data of "
                   "ensembling (defaults per figure)")
    f = parser.add_argument_group("figure")
    f.add_argument("--quick", action="store_true",
                   help="tiny sizes (seconds; far from the asymptotic regime)")
    f.add_argument("--simulate", action="store_true",
                   help="bottlenecks: confirm the sweeps by exact simulation (M = 2000; slow)")
    o = parser.add_argument_group("output")
    o.add_argument("--out", metavar="DIR", default=".",
                   help="folder for NAME.png and NAME.json (default: current folder)")
    add_format_argument(o)
    add_progress_arguments(o, bars="progress bars")


def run(args: argparse.Namespace) -> int:
    from ..reproduce import SCALING_FIGURES as FIGURES
    from ..reproduce import make_scaling_figure as make_figure

    names = list(FIGURES) if args.name == "all" else [args.name]
    results = []
    for name in names:
        results.append(make_figure(name, args.out, a=args.a, b=args.b, sigma=args.sigma,
                                   P=args.P, quick=args.quick, simulate=args.simulate,
                                   progress=args.progress))
        if args.format != "json":
            r = results[-1]
            sys.stdout.write(f"{r.name}: {r.path}\n")
            for k, v in r.summary.items():
                sys.stdout.write(f"  {k}: {v}\n")
    if args.format == "json":
        print_json({"figures": [r.to_dict() for r in results]})
    return 0
