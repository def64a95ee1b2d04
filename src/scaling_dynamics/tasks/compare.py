"""Task ``compare``: theory against simulation, deviations in standard errors, a figure.

    deviation = (theory - simulation mean) / sem

with the sem floored at the theory's numerical accuracy, 1e-10 x (max L + sigma^2) for the
random-feature theory and 1e-3 x (max L + sigma^2) for the feature-learning theory (its
stated accuracy, docs/feature-learning.md).
"""

from __future__ import annotations

import math
import os
from typing import Any

from .._errors import InvalidParameterError
from ._base import Output, bind
from ._curves import (
    add_format_argument,
    add_max_seconds_argument,
    add_model_arguments,
    add_progress_arguments,
    model_from_args,
    optimizer_from_args,
    predict_model_curves,
    simulate_curves,
    spectrum_from_args,
)
from ._spec import Spec
from .theory import add_theory_arguments

__all__ = ["SPEC", "compare", "deviations", "THEORY_ACCURACY"]

#: Relative numerical accuracy of the theory, used to floor the standard error.
THEORY_ACCURACY = 1e-10
#: The same for the feature-learning theory (N = inf continuum equations, 1e-3 relative).
FEATURE_LEARNING_ACCURACY = 1e-3


def declare(parser: Any) -> None:
    add_model_arguments(parser, with_seeds=True, defaults={"seeds": 16})
    add_theory_arguments(parser)
    g = parser.add_argument_group("output")
    g.add_argument("--out", metavar="DIR", default="compare",
                   help="folder for simulation.json, theory.json and comparison.png "
                   "(created if needed; default %(default)s)")
    add_format_argument(g)
    g.add_argument("--backend", default="numpy",
                   help="simulation backend: numpy (default), torch, torch:cpu or torch:cuda")
    add_max_seconds_argument(g)
    add_progress_arguments(g, bars="progress bars")


SPEC = Spec()
declare(SPEC)


def deviations(theory: Any, simulation: Any, accuracy: float = THEORY_ACCURACY
               ) -> dict[str, Any]:
    """(theory - simulation) / sem for test and train, sem floored at the theory's accuracy."""
    import numpy as np

    sigma2 = float(simulation.params.get("sigma", 0.0) or 0.0) ** 2
    floor = accuracy * (float(np.max(np.abs(theory.test_loss))) + sigma2)
    out = {}
    for key in ("test_loss", "train_loss"):
        sem = getattr(simulation, key + "_sem")
        denom = np.sqrt(np.asarray(sem) ** 2 + floor**2)
        out[key] = (getattr(theory, key) - getattr(simulation, key)) / denom
    return out


def _files(out: str) -> dict[str, str]:
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise InvalidParameterError(f"cannot create --out folder {out!r}: {exc.strerror}.") from None
    return {
        "simulation": os.path.join(out, "simulation.json"),
        "theory": os.path.join(out, "theory.json"),
        "figure": os.path.join(out, "comparison.png"),
    }


def compare(**options: Any) -> Output:
    """Run theory and simulation on one problem; write both and a figure into ``out``."""
    import numpy as np

    from ..plots.curves import comparison_figure
    from ._convert import parse_times

    args = bind("compare", SPEC, options)
    if args.seeds < 2:
        raise InvalidParameterError(
            f"`seeds` must be at least 2 to estimate a standard error; got {args.seeds}."
        )
    spectrum = spectrum_from_args(args)
    optimizer = optimizer_from_args(args)
    times = parse_times(args.times, integer=optimizer.discrete)
    if not np.any(times > 0):
        raise InvalidParameterError(
            f"`times` must include a time > 0 for compare (its figure has a log time axis); "
            f"got {args.times!r}."
        )
    theory = predict_model_curves(spectrum, args, times, optimizer)
    sim = simulate_curves(spectrum, args, times, optimizer)
    fl = model_from_args(args)[0] == "feature-learning"
    dev = deviations(theory, sim, FEATURE_LEARNING_ACCURACY if fl else THEORY_ACCURACY)
    files = _files(args.out)
    sim.save(files["simulation"])
    theory.save(files["theory"])
    comparison_figure(theory, sim, deviations=dev, path=files["figure"])
    max_test = float(np.max(np.abs(dev["test_loss"])))
    max_train = float(np.max(np.abs(dev["train_loss"])))
    data = {
        "times": sim.times,
        "test_loss_simulation": sim.test_loss,
        "test_loss_sem": sim.test_loss_sem,
        "test_loss_theory": theory.test_loss,
        "test_deviation": dev["test_loss"],
        "train_loss_simulation": sim.train_loss,
        "train_loss_sem": sim.train_loss_sem,
        "train_loss_theory": theory.train_loss,
        "train_deviation": dev["train_loss"],
        "max_abs_test_deviation": max_test,
        "max_abs_train_deviation": max_train,
        "params": sim.params,
        "theory_wall_time_s": theory.diagnostics.get("wall_time_s"),
        "simulation_wall_time_s": sim.diagnostics.get("wall_time_s"),
        "files": files,
    }
    return Output(data, _table(theory, sim, dev, max_test, max_train),
                  table_notes=(f"saved {files['figure']}, {files['simulation']}, "
                               f"{files['theory']}",),
                  value=(theory, sim))


def _table(theory: Any, sim: Any, dev: dict[str, Any], max_test: float, max_train: float) -> str:
    p = sim.params
    keys = ("a", "b", "M", "N", "P", "sigma", "gamma", "ensemble", "seeds")
    head = ", ".join(f"{k}={p[k]}" for k in keys if k in p and p[k] is not None)
    lines = [
        f"# compare theory with simulation: {head}",
        "# deviation = (theory - simulation mean) / sem",
        f"{'t':>10}  {'test sim':>11} {'± sem':>9} {'test theory':>11} {'dev':>6}  "
        f"{'train sim':>11} {'± sem':>9} {'train theory':>12} {'dev':>6}",
    ]
    for i, t in enumerate(sim.times):
        lines.append(
            f"{t:10.4g}  {sim.test_loss[i]:11.5g} {sim.test_loss_sem[i]:9.2g} "
            f"{theory.test_loss[i]:11.5g} {_fmt_dev(dev['test_loss'][i])}  "
            f"{sim.train_loss[i]:11.5g} {sim.train_loss_sem[i]:9.2g} "
            f"{theory.train_loss[i]:12.5g} {_fmt_dev(dev['train_loss'][i])}"
        )
    lines.append(f"# max |deviation|: test {max_test:.2f}, train {max_train:.2f}")
    return "\n".join(lines) + "\n"


def _fmt_dev(x: float) -> str:
    return f"{x:6.2f}" if math.isfinite(x) else f"{'nan':>6}"
