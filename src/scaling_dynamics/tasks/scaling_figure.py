"""Task ``scaling-figure``: one of the scaling-law figures (PNG and JSON) from the theory."""

from __future__ import annotations

from typing import Any

from ._base import Output, bind
from ._convert import exponent, sigma, size
from ._curves import add_format_argument, add_progress_arguments
from ._spec import Spec

__all__ = ["SPEC", "scaling_figure", "FIGURE_NAMES", "make_one"]

FIGURE_NAMES = ("bottlenecks", "frontier", "finite-size", "train-test-gap", "wider-is-better",
                "ensembling", "all")


def declare(parser: Any) -> None:
    parser.add_argument("name", metavar="NAME", choices=FIGURE_NAMES,
                        help="one of: " + ", ".join(FIGURE_NAMES))
    g = parser.add_argument_group("model (theory.md section 1; M infinite)")
    g.add_argument("--a", type=exponent("a"), default=1.5,
                   help="task-power exponent, a > 1 (default %(default)s)")
    g.add_argument("--b", type=exponent("b"), default=1.25,
                   help="eigenvalue exponent, b > 1 (default %(default)s)")
    g.add_argument("--sigma", type=sigma, default=None,
                   help="label noise (default 0; 0.5 for train-test-gap and wider-is-better)")
    g.add_argument("--P", type=size("P"), default=None,
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


SPEC = Spec()
declare(SPEC)


def make_one(name: str, out: str, **kwargs: Any) -> tuple[list[str], Any]:
    """The one way to the figure code: (names made, their results) for ``name`` or 'all'.

    The figures are entries of reproduce's one registry (their scaling variants).
    """
    from ..reproduce import SCALING_FIGURES, make_scaling_figure

    names = list(SCALING_FIGURES) if name == "all" else [name]
    return names, [make_scaling_figure(n, out, **kwargs) for n in names]


def scaling_figure(**options: Any) -> Output:
    """Make figure ``name`` (or 'all') in folder ``out``; returns each figure's summary."""
    args = bind("scaling-figure", SPEC, options)
    _, results = make_one(args.name, args.out, a=args.a, b=args.b, sigma=args.sigma, P=args.P,
                          quick=args.quick, simulate=args.simulate, progress=args.progress)
    lines = []
    for r in results:
        lines.append(f"{r.name}: {r.path}\n")
        lines += [f"  {k}: {v}\n" for k, v in r.summary.items()]
    return Output({"figures": [r.to_dict() for r in results]}, "".join(lines), value=results)
