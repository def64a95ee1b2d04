"""Task ``theory``: loss curves predicted by the mean-field (DMFT) theory."""

from __future__ import annotations

from typing import Any

from ._base import Output, bind
from ._convert import ascii_int
from ._curves import (
    add_model_arguments,
    add_output_arguments,
    curves_output,
    optimizer_from_args,
    predict_model_curves,
    spectrum_from_args,
)
from ._spec import Spec

__all__ = ["SPEC", "theory", "add_theory_arguments", "predict_curves"]


def add_theory_arguments(parser: Any) -> None:
    """Solver options shared by `theory` and `compare`."""
    g = parser.add_argument_group("theory solver")
    g.add_argument("--nodes", type=ascii_int, default=18,
                   help="contour nodes per Laplace variable, 8..40 (default %(default)s: the "
                   "float64 optimum of a Talbot contour; gradient flow uses 4/3 as many on "
                   "one hyperbola per decade of times)")
    g.add_argument("--compress", choices=("auto", "on", "off"), default="auto",
                   help="compress the mode sums of a power law (auto: when M > 2048 or "
                   "M = inf) (default %(default)s)")


def declare(parser: Any) -> None:
    add_model_arguments(parser, with_seeds=False)
    add_theory_arguments(parser)
    add_output_arguments(parser, out_help="also save the result to FILE (.json or .csv), "
                         "with the bias and variance curves")


SPEC = Spec()
declare(SPEC)


def predict_curves(args: Any) -> Output:
    """The theory's curves for bound options ``args`` (shared with ``predict``)."""
    from ._convert import parse_times

    optimizer = optimizer_from_args(args)
    curves = predict_model_curves(spectrum_from_args(args), args,
                                  parse_times(args.times, integer=optimizer.discrete), optimizer)
    return curves_output(curves, args.out)


def theory(**options: Any) -> Output:
    """Predict (``scaling_dynamics.theory.predict``) and return the curves; ``out`` saves them."""
    return predict_curves(bind("theory", SPEC, options))
