"""Closed-form scaling exponents of the power-law family (theory.md section 5).

With m = min(a - 1, 2b): time L ~ t^-(a-1)/b; data L ~ P^-m; model L ~ N^-m;
compute-optimal L* ~ C^-(a-1)m/(a-1+bm), N* ~ C^(a-1)/(a-1+bm), t* ~ C^bm/(a-1+bm)
with C = N t. Loss exponents are printed as decay rates (positive), allocation
exponents as growth rates. The *_single values are what the theory gives for one
model: model_single = min(a-1, b), and for a - 1 > b the frontier L* ~ C^-(a-1)/a,
N* ~ C^(a-b)/a, t* ~ C^b/a (docs/scaling.md); they equal the paper's when a - 1 <= b.

examples:
  scaling-dynamics exponents --a 1.5 --b 1.25
  scaling-dynamics exponents --a 4 --b 1.2 --format json
"""

from __future__ import annotations

import argparse
import sys

from ._common import _float, print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("power law (theory.md section 1)")
    g.add_argument("--a", type=_float, default=1.5,
                   help="task-power exponent: lambda_k (w*_k)^2 = k^-a, a > 1 (default %(default)s)")
    g.add_argument("--b", type=_float, default=1.25,
                   help="eigenvalue exponent: lambda_k = k^-b, b > 1 (default %(default)s)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table for people, json for programs (default %(default)s)")


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


def run(args: argparse.Namespace) -> int:
    from ..scaling import closed_form_exponents

    e = closed_form_exponents(args.a, args.b)
    if args.format == "json":
        print_json(e.to_dict())
        return 0
    lines = [f"# closed-form exponents, a={e.a:g}, b={e.b:g}, m=min(a-1, 2b)={e.m:g}, "
             f"regime {e.regime}"]
    for key, meaning in _ROWS:
        lines.append(f"{key:>21}  {getattr(e, key):10.6g}   {meaning}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
