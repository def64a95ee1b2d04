"""Task ``spectrum``: a network's kernel spectrum and task power on data; fitted a and b.

Eigenvalues lambda_k of K/P give b (lambda_k ~ k^-b) and the target's power on each
eigenvector gives a (task power ~ k^-a), with bootstrap intervals.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .._errors import InvalidParameterError
from ._base import Output, bind
from ._convert import bounded, count, exponent, modes, seed, sigma
from ._curves import add_format_argument, add_progress_arguments
from ._spec import Spec

__all__ = ["SPEC", "spectrum"]


def declare(parser: Any) -> None:
    d = parser.add_argument_group("data")
    d.add_argument("--dataset", default="digits", metavar="digits|synthetic|FILE.npz",
                   help="digits: scikit-learn's handwritten digits, 0-4 against 5-9 (no download); "
                   "synthetic: Gaussian power-law data (--a --b --M --sigma); or an .npz with "
                   "arrays X and y (default %(default)s)")
    d.add_argument("--samples", type=count("samples", 2, 2**31), default=None,
                   help="number of samples P the kernel is measured on (default: all; 1000 for "
                   "synthetic)")
    d.add_argument("--a", type=exponent("a"), default=1.5, help="synthetic data: task-power exponent")
    d.add_argument("--b", type=exponent("b"), default=1.25, help="synthetic data: eigenvalue exponent")
    d.add_argument("--M", type=count("M", 1, 2**31), default=1000, help="synthetic data: input dimension")
    d.add_argument("--sigma", type=sigma, default=0.0, help="synthetic data: label noise")
    m = parser.add_argument_group("network and kernel")
    m.add_argument("--model", default="mlp", choices=("mlp", "cnn", "linear"),
                   help="mlp: ReLU MLP; cnn: small ReLU CNN (image data); linear: the inputs "
                   "as features (default %(default)s)")
    m.add_argument("--width", type=count("width", 1, 2**31), default=256,
                   help="hidden units (mlp) or channels (cnn) (default %(default)s)")
    m.add_argument("--depth", type=count("depth", 1, 64), default=None,
                   help="hidden layers (mlp, default 1) or convolutions (cnn, default 2)")
    m.add_argument("--kernel", default="ntk", choices=("ntk", "features"),
                   help="ntk: neural tangent kernel at initialisation; features: kernel of the "
                   "last hidden layer's features (default %(default)s)")
    m.add_argument("--seed", type=seed, default=0,
                   help="seed of the initialisation and of the sample order (default %(default)s)")
    m.add_argument("--memory-limit", type=bounded("memory-limit", 0.0, 2.0**40, low_open=True), default=1024.0, metavar="MIB",
                   help="MiB of Jacobian rows held at once by the NTK (default %(default)s)")
    f = parser.add_argument_group("fit")
    f.add_argument("--modes", type=modes, default=None, metavar="FIRST:LAST",
                   help="modes of the fit (1-based, inclusive); default: the widest straight "
                   "range, chosen automatically")
    f.add_argument("--bootstrap", type=count("bootstrap", 0, 100_000, "each resample is one more fit"), default=1000,
                   help="bootstrap resamples for the intervals (default %(default)s)")
    f.add_argument("--confidence", type=bounded("confidence", 0.0, 1.0, low_open=True), default=0.95,
                   help="level of the intervals (default %(default)s)")
    o = parser.add_argument_group("output")
    add_format_argument(o)
    o.add_argument("--out", metavar="DIR", default=None,
                   help="write spectrum.npz, spectrum.png and spectrum.json to DIR")
    add_progress_arguments(o, bars="progress bars")


SPEC = Spec()
declare(SPEC)


def _physical_memory() -> float:
    """Bytes of memory of this machine (inf when unknown)."""
    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return float("inf")


def _check_data_size(args: Any) -> None:
    """Refuse, before drawing data, a kernel (P x P) or synthetic inputs (P x M) that do not
    fit in a quarter of this machine's memory."""
    P = args.samples if args.samples is not None else (1000 if args.dataset == "synthetic" else 0)
    M = args.M if args.dataset == "synthetic" else 0
    need = 8.0 * (float(P) ** 2 + float(P) * M)
    limit = _physical_memory() / 4
    if need > limit:
        raise InvalidParameterError(
            f"`samples` = {P} (M = {M}) needs about {need / 2**30:.4g} GiB for the kernel "
            f"(P x P) and the inputs; the limit is {limit / 2**30:.4g} GiB (a quarter of this "
            "machine's memory): reduce --samples or --M."
        )


def _check_network_size(args: Any, data: Any) -> None:
    """Refuse, before building it, a network whose parameters (and so one Jacobian row of
    the NTK) do not fit in ``memory-limit`` MiB, or in the machine's memory."""
    width = args.width
    if args.model == "cnn":
        shape = getattr(data, "image_shape", None) or (1,)
        depth = 2 if args.depth is None else args.depth
        n_params = 9.0 * shape[0] * width + 9.0 * (depth - 1) * width**2 + 2.0 * width * depth
    else:
        depth = 1 if args.depth is None else args.depth
        n_params = (float(data.n_features) * width + (depth - 1) * float(width) ** 2
                     + 2.0 * width * depth + 1)
    need = 8.0 * n_params  # one float64 per parameter: one Jacobian row, or the weights
    limit = min(args.memory_limit * 2**20, _physical_memory() / 4)
    if need > limit:
        raise InvalidParameterError(
            f"`width` = {width} (depth {depth}) gives a network of about {n_params:.3g} "
            f"parameters, {need / 2**20:.4g} MiB per copy (one NTK Jacobian row); the limit is "
            f"{limit / 2**20:.4g} MiB (--memory-limit, at most a quarter of this machine's "
            "memory): reduce --width or --depth."
        )


def _kernel(args: Any, data: Any) -> tuple[Any, dict[str, Any]]:
    from ..empirical import empirical_ntk, feature_kernel, make_model

    if args.model == "linear":
        K = feature_kernel(data.X)
        return K, {"model": "linear", "kernel": "features", "n_params": K.n_params}
    if args.width < 1:
        raise InvalidParameterError(f"`width` must be an integer >= 1; got {args.width}.")
    _check_network_size(args, data)
    net = make_model(args.model, data, args.width, depth=args.depth, seed=args.seed)
    if args.kernel == "ntk":
        if not args.memory_limit > 0:
            raise InvalidParameterError(
                f"`memory-limit` must be a positive number of MiB; got {args.memory_limit:g}."
            )
        K = empirical_ntk(net, data.X, memory_limit=int(args.memory_limit * 2**20),
                          progress=args.progress)
    else:
        K = feature_kernel(net.features, data.X, normalize=True)
    return K, {"model": args.model, "kernel": args.kernel, "width": args.width,
               "depth": net.depth, "n_params": net.n_params()}


def _save(out: str, result: dict[str, Any], spec: Any, fit: Any) -> tuple[str, ...]:
    """spectrum.npz, spectrum.png and spectrum.json in ``out``; sets ``result["files"]``."""
    from ..plots.spectra import plot_spectrum
    from ..results import encode_params

    os.makedirs(out, exist_ok=True)
    files = {"spectrum": os.path.join(out, "spectrum.npz"),
             "figure": os.path.join(out, "spectrum.png"),
             "summary": os.path.join(out, "spectrum.json")}
    spec.save(files["spectrum"], a=fit.a, b=fit.b, a_ci=fit.a_ci, b_ci=fit.b_ci,
              modes_used=fit.modes_used)
    plot_spectrum(spec, fit, path=files["figure"])
    result["files"] = files
    with open(files["summary"], "w", encoding="utf-8") as fh:
        fh.write(json.dumps(encode_params(result), indent=1, allow_nan=False) + "\n")
    return (f"saved {', '.join(files.values())}",)


def _text(spec: Any, fit: Any, meta: dict[str, Any], result: dict[str, Any]) -> str:
    lo, hi = fit.modes_used
    pct = round(100 * fit.confidence)
    lines = [
        f"# spectrum: {spec.label}; {meta.get('n_params')} parameters; "
        f"kernel {result['kernel_wall_time_s']:.2f} s",
        f"b = {fit.b:.3f}  {pct}% [{fit.b_ci[0]:.3f}, {fit.b_ci[1]:.3f}]   "
        "(eigenvalues lambda_k ~ k^-b)",
        f"a = {fit.a:.3f}  {pct}% [{fit.a_ci[0]:.3f}, {fit.a_ci[1]:.3f}]   "
        "(task power lambda_k w*_k^2 ~ k^-a)",
        f"modes used: {lo}..{hi} ({fit.range_selection}) of {spec.n_modes}",
    ]
    return "\n".join(lines) + "\n"


def spectrum(**options: Any) -> Output:
    """Measure the kernel spectrum on ``dataset`` and fit a, b; ``out`` writes the files."""
    from ..empirical import fit_exponents, load_dataset, measure_spectrum

    args = bind("spectrum", SPEC, options)
    extra = ({"a": args.a, "b": args.b, "M": args.M, "sigma": args.sigma}
             if args.dataset == "synthetic" else {})
    _check_data_size(args)
    data = load_dataset(args.dataset, args.samples, seed=args.seed, **extra)
    K, meta = _kernel(args, data)
    what = f"{meta['model']}" + (f" width {meta['width']}" if "width" in meta else "")
    spec = measure_spectrum(
        K, data.y, label=f"{meta['kernel']} of {what} on {data.name}, P={data.n_samples}",
        info={"dataset": data.name, **meta},
    )
    fit = fit_exponents(spec, modes=args.modes, n_bootstrap=args.bootstrap,
                        confidence=args.confidence, seed=args.seed)
    result: dict[str, Any] = {
        "a": fit.a, "b": fit.b, "a_ci": list(fit.a_ci), "b_ci": list(fit.b_ci),
        "modes_used": list(fit.modes_used), "n_modes_fitted": fit.n_modes,
        "range_selection": fit.range_selection, "confidence": fit.confidence,
        "b_rms_residual": fit.b_rms_residual, "a_amplitude": fit.a_amplitude,
        "b_amplitude": fit.b_amplitude, "dataset": data.name, "samples": data.n_samples,
        **meta,
        "n_modes": spec.n_modes, "initial_loss": spec.total_power,
        "kernel_wall_time_s": K.diagnostics.get("wall_time_s"),
        "jacobian_bytes_held": K.diagnostics.get("jacobian_bytes_held"),
    }
    notes = _save(args.out, result, spec, fit) if args.out else ()
    return Output(result, _text(spec, fit, meta, result), table_notes=notes, value=(spec, fit))
