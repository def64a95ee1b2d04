"""Simulate the random-feature model and print its loss curves (mean and standard error over seeds).

Gradient flow is solved exactly (one eigendecomposition per seed, any times, even
t = 1e6); gd and momentum exactly in integer steps; sgd samples one-pass SGD with
fresh batches. test_loss is the excess over the noise floor sigma^2; train_loss is
the mean squared error on the training set.

examples:
  scaling-dynamics simulate
  scaling-dynamics simulate --a 1.5 --b 1.25 --M 2000 --N 500 --P 1000 --seeds 16 \\
      --times 1,10,100,1000,1e6 --format json
  scaling-dynamics simulate --optimizer momentum --eta 0.5 --beta 0.8 --times log:1:1e4:20
  scaling-dynamics simulate --optimizer sgd --eta 0.5 --batch 8 --N 400 --times log:1:1e4:20
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    g = parser.add_argument_group("simulation")
    g.add_argument("--backend", default="numpy",
                   help="numpy (default), torch (GPU when present), torch:cpu or torch:cuda")
    g.add_argument("--method", default="auto",
                   choices=("auto", "exact", "literal", "sample", "expected"),
                   help="exact eigenbasis solution (gf/gd/momentum), literal step-by-step "
                   "reference, sample (sgd) or expected (sgd averaged over batches given the "
                   "projection) (default %(default)s)")
    add_output_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from ..simulate import simulate

    spectrum = spectrum_from_args(args)
    optimizer = optimizer_from_args(args)
    times = parse_times(args.times, integer=optimizer.discrete)
    curves = simulate(
        spectrum,
        args.N,
        args.P,
        times,
        optimizer=optimizer,
        n_seeds=args.seeds,
        seed=args.seed,
        ensemble=args.ensemble,
        backend=args.backend,
        method=args.method,
        progress=args.progress,
    )
    emit_curves(curves, args)
    return 0
