"""Task ``simulate``: loss curves of the random-feature model, mean and sem over seeds."""

from __future__ import annotations

from typing import Any

from ._base import Output, bind
from ._curves import (
    add_max_seconds_argument,
    add_model_arguments,
    add_output_arguments,
    curves_output,
    optimizer_from_args,
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
    from ..models import simulate as run
    from ._convert import parse_times

    args = bind("simulate", SPEC, options)
    optimizer = optimizer_from_args(args)
    curves = run(
        spectrum_from_args(args), args.N, args.P,
        parse_times(args.times, integer=optimizer.discrete),
        optimizer=optimizer, n_seeds=args.seeds, seed=args.seed, ensemble=args.ensemble,
        backend=args.backend, method=args.method, progress=args.progress,
        max_seconds=args.max_seconds,
    )
    return curves_output(curves, args.out)
