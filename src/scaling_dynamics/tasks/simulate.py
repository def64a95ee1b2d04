"""Task ``simulate``: loss curves of a model (random features; feature learning with
``gamma`` > 0), mean and sem over seeds."""

from __future__ import annotations

from typing import Any

from ._base import Output, bind
from ._curves import (
    add_max_seconds_argument,
    add_model_arguments,
    add_output_arguments,
    curves_output,
    optimizer_from_args,
    simulate_curves,
    spectrum_from_args,
)
from ._spec import Spec

__all__ = ["SPEC", "simulate"]


def declare(parser: Any) -> None:
    add_model_arguments(parser)
    g = parser.add_argument_group("simulation")
    g.add_argument("--backend", default="numpy",
                   help="numpy (default), torch (GPU when present), torch:cpu or torch:cuda")
    g.add_argument("--method", default="auto",
                   choices=("auto", "exact", "literal", "sample", "expected"),
                   help="exact eigenbasis solution (gf/gd/momentum), literal step-by-step "
                   "reference, sample (sgd) or expected (sgd averaged over batches given the "
                   "projection) (default %(default)s)")
    add_max_seconds_argument(g)
    add_output_arguments(parser)


SPEC = Spec()
declare(SPEC)


def simulate(**options: Any) -> Output:
    """Simulate (``scaling_dynamics.simulate``) and return the curves; ``out`` saves them."""
    from ._convert import parse_times

    args = bind("simulate", SPEC, options)
    optimizer = optimizer_from_args(args)
    curves = simulate_curves(spectrum_from_args(args), args,
                             parse_times(args.times, integer=optimizer.discrete), optimizer,
                             method=args.method)
    return curves_output(curves, args.out)
