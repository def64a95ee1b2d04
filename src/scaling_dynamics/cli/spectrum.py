"""Measure a network's kernel spectrum and task power on data, and fit the exponents a and b.

The kernel is the network's NTK at initialisation (torch.func, in memory-bounded blocks),
or with --kernel features the plain kernel of its last hidden layer; --model linear uses
the inputs themselves as features (K = X X^T). Its eigenvalues lambda_k (of K/P) and the
target's power on each eigenvector give b (lambda_k ~ k^-b) and a (task power ~ k^-a),
with bootstrap intervals. --out DIR writes spectrum.npz (read by `scaling-dynamics predict
--spectrum` and Spectrum.load), spectrum.png and spectrum.json. Needs the optional
dependencies: pip install "scaling-dynamics[empirical]".

examples:
  scaling-dynamics spectrum --dataset digits --model mlp --width 256 --out runs/digits
  scaling-dynamics spectrum --dataset digits --model cnn --width 32 --samples 800 --format json
  scaling-dynamics spectrum --dataset synthetic --a 1.5 --b 1.25 --M 2000 --model linear
  scaling-dynamics spectrum --dataset mydata.npz --model mlp --width 512 --modes 5:200
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from .._errors import InvalidParameterError
from ._common import _float, _int, add_format_argument, add_progress_arguments, print_json


def _modes(text: str) -> tuple[int, int]:
    try:
        lo, hi = (int(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected FIRST:LAST mode numbers like 5:200; got {text!r}"
        ) from None
    if not 1 <= lo < hi:
        raise argparse.ArgumentTypeError(f"expected 1 <= FIRST < LAST; got {text!r}")
    return lo, hi


def add_arguments(parser: argparse.ArgumentParser) -> None:
    d = parser.add_argument_group("data")
    d.add_argument("--dataset", default="digits", metavar="digits|synthetic|FILE.npz",
                   help="digits: scikit-learn's handwritten digits, 0-4 against 5-9 (no download); "
                   "synthetic: Gaussian power-law data (--a --b --M --sigma); or an .npz with "
                   "arrays X and y (default %(default)s)")
    d.add_argument("--samples", type=_int, default=None,
                   help="number of samples P the kernel is measured on (default: all; 1000 for "
                   "synthetic)")
    d.add_argument("--a", type=_float, default=1.5, help="synthetic data: task-power exponent")
    d.add_argument("--b", type=_float, default=1.25, help="synthetic data: eigenvalue exponent")
    d.add_argument("--M", type=_int, default=1000, help="synthetic data: input dimension")
    d.add_argument("--sigma", type=_float, default=0.0, help="synthetic data: label noise")
    m = parser.add_argument_group("network and kernel")
    m.add_argument("--model", default="mlp", choices=("mlp", "cnn", "linear"),
                   help="mlp: ReLU MLP; cnn: small ReLU CNN (image data); linear: the inputs "
                   "as features (default %(default)s)")
    m.add_argument("--width", type=_int, default=256,
                   help="hidden units (mlp) or channels (cnn) (default %(default)s)")
    m.add_argument("--depth", type=_int, default=None,
                   help="hidden layers (mlp, default 1) or convolutions (cnn, default 2)")
    m.add_argument("--kernel", default="ntk", choices=("ntk", "features"),
                   help="ntk: neural tangent kernel at initialisation; features: kernel of the "
                   "last hidden layer's features (default %(default)s)")
    m.add_argument("--seed", type=_int, default=0,
                   help="seed of the initialisation and of the sample order (default %(default)s)")
    m.add_argument("--memory-limit", type=_float, default=1024.0, metavar="MIB",
                   help="MiB of Jacobian rows held at once by the NTK (default %(default)s)")
    f = parser.add_argument_group("fit")
    f.add_argument("--modes", type=_modes, default=None, metavar="FIRST:LAST",
                   help="modes of the fit (1-based, inclusive); default: the widest straight "
                   "range, chosen automatically")
    f.add_argument("--bootstrap", type=_int, default=1000,
                   help="bootstrap resamples for the intervals (default %(default)s)")
    f.add_argument("--confidence", type=_float, default=0.95,
                   help="level of the intervals (default %(default)s)")
    o = parser.add_argument_group("output")
    add_format_argument(o)
    o.add_argument("--out", metavar="DIR", default=None,
                   help="write spectrum.npz, spectrum.png and spectrum.json to DIR")
    add_progress_arguments(o, bars="progress bars")


def _kernel(args: argparse.Namespace, data: Any) -> tuple[Any, dict[str, Any]]:
    from ..empirical import empirical_ntk, feature_kernel, make_model

    if args.model == "linear":
        K = feature_kernel(data.X)
        return K, {"model": "linear", "kernel": "features", "n_params": K.n_params}
    if args.width < 1:
        raise InvalidParameterError(f"`width` must be an integer >= 1; got {args.width}.")
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


def run(args: argparse.Namespace) -> int:
    from ..empirical import fit_exponents, load_dataset, measure_spectrum

    kwargs = {}
    if args.dataset == "synthetic":
        kwargs = {"a": args.a, "b": args.b, "M": args.M, "sigma": args.sigma}
    data = load_dataset(args.dataset, args.samples, seed=args.seed, **kwargs)
    K, meta = _kernel(args, data)
    what = f"{meta['model']}" + (f" width {meta['width']}" if "width" in meta else "")
    spectrum = measure_spectrum(
        K, data.y, label=f"{meta['kernel']} of {what} on {data.name}, P={data.n_samples}",
        info={"dataset": data.name, **meta},
    )
    fit = fit_exponents(spectrum, modes=args.modes, n_bootstrap=args.bootstrap,
                        confidence=args.confidence, seed=args.seed)
    result: dict[str, Any] = {
        "a": fit.a,
        "b": fit.b,
        "a_ci": list(fit.a_ci),
        "b_ci": list(fit.b_ci),
        "modes_used": list(fit.modes_used),
        "n_modes_fitted": fit.n_modes,
        "range_selection": fit.range_selection,
        "confidence": fit.confidence,
        "b_rms_residual": fit.b_rms_residual,
        "a_amplitude": fit.a_amplitude,
        "b_amplitude": fit.b_amplitude,
        "dataset": data.name,
        "samples": data.n_samples,
        **meta,
        "n_modes": spectrum.n_modes,
        "initial_loss": spectrum.total_power,
        "kernel_wall_time_s": K.diagnostics.get("wall_time_s"),
        "jacobian_bytes_held": K.diagnostics.get("jacobian_bytes_held"),
    }
    if args.out:
        from ..plots.spectra import plot_spectrum

        os.makedirs(args.out, exist_ok=True)
        files = {
            "spectrum": os.path.join(args.out, "spectrum.npz"),
            "figure": os.path.join(args.out, "spectrum.png"),
            "summary": os.path.join(args.out, "spectrum.json"),
        }
        spectrum.save(files["spectrum"], a=fit.a, b=fit.b, a_ci=fit.a_ci, b_ci=fit.b_ci,
                      modes_used=fit.modes_used)
        plot_spectrum(spectrum, fit, path=files["figure"])
        result["files"] = files
        with open(files["summary"], "w", encoding="utf-8") as fh:
            from ..results import encode_params

            fh.write(json.dumps(encode_params(result), indent=1, allow_nan=False) + "\n")
    if args.format == "json":
        print_json(result)
        return 0
    lo, hi = fit.modes_used
    pct = round(100 * fit.confidence)
    lines = [
        f"# spectrum: {spectrum.label}; {meta.get('n_params')} parameters; "
        f"kernel {result['kernel_wall_time_s']:.2f} s",
        f"b = {fit.b:.3f}  {pct}% [{fit.b_ci[0]:.3f}, {fit.b_ci[1]:.3f}]   "
        "(eigenvalues lambda_k ~ k^-b)",
        f"a = {fit.a:.3f}  {pct}% [{fit.a_ci[0]:.3f}, {fit.a_ci[1]:.3f}]   "
        "(task power lambda_k w*_k^2 ~ k^-a)",
        f"modes used: {lo}..{hi} ({fit.range_selection}) of {spectrum.n_modes}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    if args.out:
        sys.stderr.write(f"saved {', '.join(result['files'].values())}\n")
    return 0
