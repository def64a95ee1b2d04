"""Options and output shared by the tasks that produce loss curves (simulate, theory...)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

from ._convert import DEFAULT_TIMES, bounded, count, exponent, integer, real, seed, sigma, size

__all__ = ["add_model_arguments", "add_output_arguments", "add_format_argument",
           "add_progress_arguments", "spectrum_from_args", "optimizer_from_args", "curves_json",
           "format_table", "curves_output", "model_from_args", "simulate_curves"]


def add_model_arguments(parser: Any, *, with_seeds: bool = True, defaults: dict | None = None) -> None:
    """The experiment options shared by ``simulate``, ``theory`` and ``compare``."""
    d = {"a": 1.5, "b": 1.25, "M": 1000, "N": 250, "P": 500, "seeds": 8}
    d.update(defaults or {})
    g = parser.add_argument_group("model (theory.md section 1)")
    g.add_argument("--a", type=exponent("a"), default=d["a"],
                   help="task-power exponent: lambda_k (w*_k)^2 = k^-a, a > 1 (default %(default)s)")
    g.add_argument("--b", type=exponent("b"), default=d["b"],
                   help="eigenvalue exponent: lambda_k = k^-b, b > 1 (default %(default)s)")
    g.add_argument("--M", type=size("M"), default=d["M"],
                   help="number of teacher modes (default %(default)s)")
    g.add_argument("--spectrum", metavar="FILE.npz", default=None,
                   help="use a measured spectrum (arrays eigenvalues, target_weights[, sigma]) "
                   "instead of the power law given by --a --b --M")
    g.add_argument("--N", type=size("N"), default=d["N"],
                   help="model size (number of random features); 'inf' for the kernel limit "
                   "(default %(default)s)")
    g.add_argument("--P", type=size("P"), default=d["P"],
                   help="number of training samples; 'inf' for the population limit; ignored by "
                   "sgd (default %(default)s)")
    g.add_argument("--sigma", type=sigma, default=None,
                   help="label-noise standard deviation (default 0, or the spectrum file's)")
    add_richness_arguments(g)
    o = parser.add_argument_group("optimiser")
    add_optimizer_arguments(o)
    o.add_argument("--ensemble", type=count("ensemble", 1, 2**53), default=1,
                   help="average the predictions of E models that share the data but not the "
                   "projection (default %(default)s)")
    t = parser.add_argument_group("times")
    t.add_argument("--times", default=DEFAULT_TIMES,
                   help="comma list T1,T2,... or log:START:STOP:NUM (default %(default)s)")
    if with_seeds:
        s = parser.add_argument_group("seeds")
        s.add_argument("--seeds", type=count("seeds", 1, 2**53), default=d["seeds"],
                       help="number of independent draws of data and projection "
                       "(default %(default)s)")
        s.add_argument("--seed", type=seed, default=0,
                       help="root seed; the same seed gives identical results (default %(default)s)")


def add_richness_arguments(group: Any) -> None:
    """``--model`` (the registry) and ``--gamma`` (richness of the feature-learning model)."""
    from ..models import MODELS

    listed = "; ".join(f"{name}: {entry[1]}" for name, entry in MODELS.entries.items())
    group.add_argument("--model", default=None, choices=tuple(MODELS),
                       help=f"{listed} (default: random-features, or feature-learning when "
                       "--gamma > 0; docs/feature-learning.md)")
    group.add_argument("--gamma", type=bounded("gamma", 0.0, math.inf), default=None,
                       help="richness of the feature-learning model, >= 0; gamma > 0 selects "
                       "it (P = inf only; its theory: N = inf and gf only) (default 0: the "
                       "random-feature model)")


def model_from_args(args: Any) -> tuple[str, dict[str, Any]]:
    """The registry name of the model to run and its own options (``gamma``), from the
    ``--model``/``--gamma`` options; ``--model random-features --gamma G > 0`` is refused."""
    from .._errors import InvalidParameterError
    from ..models import DEFAULT_MODEL

    gamma = getattr(args, "gamma", None)
    model = getattr(args, "model", None)
    if model is None:
        model = "feature-learning" if gamma else DEFAULT_MODEL
    if model == "feature-learning":
        if getattr(args, "ensemble", 1) != 1:
            raise InvalidParameterError(
                f"`ensemble` = {args.ensemble} is not supported by the feature-learning "
                "model; supported: 1.")
        return model, {"gamma": 0.0 if gamma is None else gamma}
    if gamma:
        raise InvalidParameterError(
            f"`gamma` = {gamma:g} needs the feature-learning model; the {model} model has no "
            "richness (leave out --model, or give --model feature-learning).")
    return model, {}


@contextlib.contextmanager
def _naming_gamma(args: Any) -> Iterator[None]:
    """A refusal by the feature-learning model says which option chose that model."""
    from .._errors import InvalidParameterError

    try:
        yield
    except InvalidParameterError as exc:
        chosen = ("--model feature-learning" if args.model
                  else f"--gamma {args.gamma:g} > 0 selects the feature-learning model")
        raise InvalidParameterError(f"{exc} ({chosen})") from None


def simulate_curves(spectrum: Any, args: Any, times: Any, optimizer: Any, *,
                    method: str = "auto") -> Any:
    """``models.simulate`` with the options of ``args`` that the chosen model takes."""
    from .._errors import InvalidParameterError
    from ..models import simulate

    model, own = model_from_args(args)
    if model == "feature-learning":
        with _naming_gamma(args):
            if args.backend != "numpy":
                raise InvalidParameterError(
                    f"`backend` {args.backend!r} is not supported by the feature-learning "
                    "model; supported: numpy.")
            return simulate(spectrum, args.N, args.P, times, model=model, optimizer=optimizer,
                            n_seeds=args.seeds, seed=args.seed, method=method, **own)
    return simulate(spectrum, args.N, args.P, times, optimizer=optimizer, n_seeds=args.seeds,
                    seed=args.seed, ensemble=args.ensemble, backend=args.backend,
                    method=method, progress=args.progress, max_seconds=args.max_seconds)


def predict_model_curves(spectrum: Any, args: Any, times: Any, optimizer: Any) -> Any:
    """``models.predict`` with the options of ``args`` that the chosen model takes (the
    feature-learning theory has its own resolution: --nodes and --compress do not apply)."""
    from ..models import predict

    model, own = model_from_args(args)
    if model == "feature-learning":
        with _naming_gamma(args):
            return predict(spectrum, args.N, args.P, times, model=model, optimizer=optimizer,
                           **own)
    return predict(spectrum, args.N, args.P, times, optimizer=optimizer,
                   ensemble=args.ensemble, n_nodes=args.nodes, compress=args.compress,
                   progress=args.progress)


def add_format_argument(group: Any) -> None:
    """``--format table|json`` on a parser or argument group."""
    group.add_argument("--format", choices=("table", "json"), default="table",
                       help="table for people, json for programs: one JSON object on stdout "
                       "(default %(default)s)")


def add_progress_arguments(group: Any, *, bars: str = "the progress bar") -> None:
    """``--progress`` / ``--no-progress`` (default: bars only on a terminal)."""
    group.add_argument("--progress", dest="progress", action="store_true", default=None,
                       help=f"always show {bars} on stderr (default: only on a terminal)")
    group.add_argument("--no-progress", dest="progress", action="store_false",
                       help=f"never show {bars}")


def add_output_arguments(parser: Any, *, out_help: str | None = None) -> None:
    g = parser.add_argument_group("output")
    add_format_argument(g)
    g.add_argument("--out", metavar="FILE", default=None,
                   help=out_help or "also save the full result (per-seed curves included) to FILE "
                   "(.json or .csv)")
    add_progress_arguments(g)


def spectrum_from_args(args: Any) -> Any:
    from ..spectra import Spectrum

    if args.spectrum:
        spec = Spectrum.load(args.spectrum)
        return spec if args.sigma is None else spec.with_sigma(args.sigma)
    return Spectrum.power_law(args.a, args.b, args.M, 0.0 if args.sigma is None else args.sigma)


def add_optimizer_arguments(group: Any) -> None:
    """``--optimizer`` and every optimiser's hyper-parameter options, from the registry."""
    from ..optimizers import OPTIMIZERS, cli_options

    described = "; ".join(f"{name}: {cls.summary}" for name, cls in OPTIMIZERS.items())
    group.add_argument("--optimizer", default="gf", choices=tuple(OPTIMIZERS),
                       help=f"{described}. Discrete optimisers count time in steps "
                       "(default %(default)s)")
    for option, (spec, users) in cli_options().items():
        group.add_argument(f"--{option}", type=integer if spec.kind is int else real,
                           default=None, help=f"{spec.help} ({', '.join(users)})")


def add_max_seconds_argument(group: Any) -> None:
    """``--max-seconds``: the limit on a simulation's estimated run time."""
    group.add_argument("--max-seconds", type=bounded("max-seconds", 0.0, math.inf, low_open=True, allow_inf=True), default=3600.0,
                       help="refuse, before starting, a simulation estimated to take longer "
                       "(default %(default)s)")


def optimizer_from_args(args: Any) -> Any:
    from ..optimizers import cli_option_names, make_optimizer

    return make_optimizer(args.optimizer,
                          **{opt: getattr(args, opt) for opt in cli_option_names()})


def curves_json(curves: Any) -> dict[str, Any]:
    """The command-line JSON of a LossCurves: times, losses (and sem), params with metadata."""
    d: dict[str, Any] = {"times": curves.times, "test_loss": curves.test_loss}
    if curves.source == "simulation":
        d["test_loss_sem"] = curves.test_loss_sem
    d["train_loss"] = curves.train_loss
    if curves.source == "simulation":
        d["train_loss_sem"] = curves.train_loss_sem
    params = dict(curves.params)
    params.update(
        source=curves.source,
        seed=curves.seed,
        backend=curves.backend,
        version=curves.version,
        time_unit=curves.time_unit,
    )
    if "wall_time_s" in curves.diagnostics:
        params["wall_time_s"] = curves.diagnostics["wall_time_s"]
    d["params"] = params
    return d


def format_table(curves: Any) -> str:
    """A plain-text table of the curves with a one-line header of parameters."""
    p = curves.params
    from ..optimizers import cli_options

    fields = tuple(dict.fromkeys(spec.field for spec, _ in cli_options().values()))
    keys = ("a", "b", "M", "N", "P", "sigma", "gamma", "optimizer", *fields, "ensemble", "seeds")
    head = ", ".join(f"{k}={p[k]}" for k in keys if k in p and p[k] is not None)
    unit = "step" if curves.time_unit == "steps" else "t"
    sim = curves.source == "simulation" and curves.test_loss_sem is not None
    lines = [f"# {curves.source}: {head}"]
    if sim:
        lines.append(f"{unit:>12}  {'test_loss':>12}  {'± sem':>10}  {'train_loss':>12}  {'± sem':>10}")
        for i, t in enumerate(curves.times):
            lines.append(
                f"{t:12.6g}  {curves.test_loss[i]:12.6g}  {curves.test_loss_sem[i]:10.3g}  "
                f"{curves.train_loss[i]:12.6g}  {curves.train_loss_sem[i]:10.3g}"
            )
    else:
        lines.append(f"{unit:>12}  {'test_loss':>12}  {'train_loss':>12}")
        for i, t in enumerate(curves.times):
            lines.append(f"{t:12.6g}  {curves.test_loss[i]:12.6g}  {curves.train_loss[i]:12.6g}")
    return "\n".join(lines) + "\n"


def curves_output(curves: Any, out: str | None) -> Any:
    """The Output of a curves task; saves ``curves`` to ``out`` first when given."""
    from ._base import Output

    if out:
        curves.save(out)
    return Output(curves_json(curves), format_table(curves),
                  table_notes=(f"saved {out}",) if out else (), value=curves)
