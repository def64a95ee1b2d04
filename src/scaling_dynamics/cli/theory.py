"""Predict test and train loss curves of gradient flow with the mean-field (DMFT) theory.

Takes the model options of `simulate` and prints the same keys (times, test_loss,
train_loss, params) without the standard errors. Milliseconds per curve, any N, P, M
(each may be inf). test_loss is the excess over the noise floor sigma^2; train_loss is
the mean squared error on the training set. Gradient flow by default; other optimisers
as far as scaling_dynamics.theory provides their theory (otherwise: a one-line error).

examples:
  scaling-dynamics theory
  scaling-dynamics theory --a 1.5 --b 1.25 --M inf --N 1000 --P 4000 --times log:1e-2:1e7:40
  scaling-dynamics theory --M 1e7 --N 500 --P inf --sigma 0.5 --format json
  scaling-dynamics theory --N 250 --P 500 --ensemble 4 --out curves.csv
"""

from __future__ import annotations

import argparse

from ._common import (
    add_model_arguments,
    add_output_arguments,
    emit_curves,
    optimizer_from_args,
    parse_times,
    spectrum_from_args,
)


def add_theory_arguments(parser: argparse.ArgumentParser) -> None:
    """Solver options shared by `theory` and `compare`."""
    g = parser.add_argument_group("theory solver")
    g.add_argument("--nodes", type=int, default=18,
                   help="Talbot contour nodes per Laplace variable, 8..40 (default %(default)s: "
                   "the float64 optimum)")
    g.add_argument("--compress", choices=("auto", "on", "off"), default="auto",
                   help="compress the mode sums of a power law (auto: when M > 2048 or "
                   "M = inf) (default %(default)s)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser, with_seeds=False)
    add_theory_arguments(parser)
    add_output_arguments(parser, out_help="also save the result to FILE (.json or .csv), "
                         "with the bias and variance curves")


def run(args: argparse.Namespace) -> int:
    from ..theory import predict

    spectrum = spectrum_from_args(args)
    optimizer = optimizer_from_args(args)
    times = parse_times(args.times, integer=optimizer.discrete)
    curves = predict(
        spectrum,
        args.N,
        args.P,
        times,
        optimizer=optimizer,
        ensemble=args.ensemble,
        n_nodes=args.nodes,
        compress=args.compress,
        progress=args.progress,
    )
    emit_curves(curves, args)
    return 0
