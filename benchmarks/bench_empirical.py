"""Empirical kernels of real networks: cost of the blocked NTK, and the end-to-end digits run.

Part ``kernels``: wall time and peak memory of ``empirical_ntk`` (torch.func, blocked)
against sample count P, width and memory budget, for a one-hidden-layer ReLU MLP and a
two-convolution CNN on the digits; each configuration runs in a fresh subprocess so its
peak resident memory (``resource.getrusage(...).ru_maxrss``) is its own, reported as the
increase over the process's peak before the kernel (imports, data and a warm-up done).
The closed-form NumPy NTK of the same MLP is timed beside it.

Part ``digits``: the end-to-end run of ``docs/empirical.md``: NTK spectra of MLPs of widths
16..4096 on the digits (0-4 against 5-9), fitted a and b, linearised networks trained by GD
at every width and P in (50, 100, 200, 400), the model's prediction from the widest
network's spectrum (the theory when installed, and the simulator), the measured and
predicted exponents, and the same network trained non-linearly in the NTK (lazy) and
mean-field (muP) parameterisations. Figures go to ``docs/figures/``.

    python benchmarks/bench_empirical.py [--part kernels|digits|all] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def _set_threads(n: int) -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


# ---------------------------------------------------------------------------- one kernel
def one_kernel(spec: dict) -> dict:
    """Run in a subprocess: time and peak memory of one blocked NTK."""
    import resource

    import numpy as np
    import torch

    from scaling_dynamics.empirical import (
        empirical_ntk,
        load_digits_binary,
        make_cnn,
        make_mlp,
        two_layer_relu_ntk,
    )

    torch.set_num_threads(spec["threads"])
    data = load_digits_binary(spec["P"], seed=0)
    if spec["model"] == "mlp":
        model = make_mlp(64, spec["width"], depth=1, seed=1)
    else:
        model = make_cnn((1, 8, 8), spec["width"], depth=2, seed=1)
    empirical_ntk(model, data.X[:4])  # warm-up: torch.func tracing, thread pools
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()
    K = empirical_ntk(model, data.X, memory_limit=spec["memory_limit"])
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out = {**spec, "n_params": K.n_params, "wall_s": wall, "peak_increase": peak - before,
           "peak_rss": peak, **{k: K.diagnostics[k] for k in
                                ("block_size", "n_blocks", "blocks_held",
                                 "jacobian_evaluations", "jacobian_bytes_held", "kernel_bytes")}}
    if spec["model"] == "mlp":
        W = model.weights[0].detach().numpy()
        v = model.readout.detach().numpy()
        start = time.perf_counter()
        K2 = two_layer_relu_ntk(data.X, W, v)
        out["numpy_s"] = time.perf_counter() - start
        out["numpy_max_diff"] = float(np.max(np.abs(K2.matrix - K.matrix)))
    return out


def part_kernels(threads: int) -> str:
    gib = 1 << 30
    configs = []
    for width in (256, 1024, 4096):
        for P in (500, 1797):
            configs.append({"model": "mlp", "width": width, "P": P, "memory_limit": gib})
    configs.append({"model": "mlp", "width": 1024, "P": 1797, "memory_limit": 64 << 20})
    configs.append({"model": "mlp", "width": 4096, "P": 1797, "memory_limit": 4 * gib})
    for width in (16, 64):
        for P in (500, 1797):
            configs.append({"model": "cnn", "width": width, "P": P, "memory_limit": gib})
    rows = []
    mib = 2.0**20
    for spec in configs:
        spec = {**spec, "threads": threads}
        proc = subprocess.run([sys.executable, __file__, "--one-kernel", json.dumps(spec)],
                              capture_output=True, text=True, check=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        numpy_col = (f"{r['numpy_s']:.2f} ({r['numpy_max_diff']:.0e})" if "numpy_s" in r
                     else "-")
        rows.append(
            f"| {r['model']} | {r['width']} | {r['n_params']} | {r['P']} | "
            f"{r['memory_limit'] / mib:.0f} | {r['block_size']} x {r['n_blocks']} "
            f"(hold {r['blocks_held']}) | {r['jacobian_evaluations']} | {r['wall_s']:.2f} | "
            f"{r['jacobian_bytes_held'] / mib:.0f} | {r['kernel_bytes'] / mib:.0f} | "
            f"{r['peak_increase'] / mib:.0f} | {numpy_col} |"
        )
        print(rows[-1], flush=True)
    return (
        f"Blocked empirical NTK (torch.func, float64) on the digits, {threads} torch/BLAS "
        "thread(s). `blocks` = block size x number of blocks (blocks held at once); "
        "`evals` = Jacobian blocks computed (more than the number of blocks when the budget "
        "forces recomputation); `J held` = largest amount of Jacobian rows alive at once; "
        "`peak +` = increase of the process's peak resident memory during the kernel "
        "(ru_maxrss; includes the P x P result and torch's work space). `numpy` = the "
        "closed-form NumPy NTK of the same one-hidden-layer MLP (largest difference from "
        "torch.func in brackets).\n\n"
        "| model | width | params | P | budget MiB | blocks | evals | time s | J held MiB | "
        "K MiB | peak + MiB | numpy s (diff) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )


# ---------------------------------------------------------------------------- digits run
def _available_methods() -> list[str]:
    try:
        from scaling_dynamics.theory import predict  # noqa: F401
    except ImportError:
        return ["simulation"]
    return ["theory", "simulation"]


def part_digits(threads: int, figures: str, quick: bool = False) -> tuple[str, dict]:
    import numpy as np
    import torch

    from scaling_dynamics.empirical import (
        arccos_ntk,
        compare_with_prediction,
        fit_exponents,
        load_digits_binary,
        measure_spectrum,
        network_exponents,
        train_linearized,
        train_networks,
    )
    from scaling_dynamics.plots.empirical import plot_feature_learning, plot_prediction
    from scaling_dynamics.plots.spectra import plot_spectra_by_width, plot_spectrum

    torch.set_num_threads(threads)
    timings = {}
    data = load_digits_binary(seed=0)
    n_test = 497
    widths = (16, 64, 256) if quick else (16, 64, 256, 1024, 4096)
    nl_widths = (16, 64) if quick else (16, 64, 256, 1024)
    counts = (50, 100) if quick else (50, 100, 200, 400)
    steps = np.concatenate([[0.0], np.unique(np.round(np.geomspace(1, 4e5, 34)))])
    t0 = time.perf_counter()
    run = train_linearized(data, widths=widths, sample_counts=counts, n_test=n_test,
                           steps=steps, memory_limit=4 << 30, progress=True)
    timings["kernels and linearised training"] = time.perf_counter() - t0
    fit = fit_exponents(run.spectrum, seed=0)
    mu1 = float(run.spectrum.eigenvalues[0])
    window = (10.0 / (run.eta * mu1), 100.0 / (run.eta * mu1))  # eta mu_1 t from 10 to 100
    pool = np.arange(run.n_pool)
    ref = measure_spectrum(arccos_ntk(data.X[pool]), data.y[pool], label="arc-cosine (infinite)")
    fits = {w: fit_exponents(run.spectra[w], seed=0) for w in widths}
    ref_fit = fit_exponents(ref, seed=0)
    os.makedirs(figures, exist_ok=True)
    plot_spectrum(run.spectrum, fit, path=os.path.join(figures, "empirical_digits_spectrum.png"))
    plot_spectra_by_width(run.spectra, reference=ref,
                          title="NTK spectra of one-hidden-layer ReLU MLPs on digits (P = "
                          f"{run.n_pool})",
                          path=os.path.join(figures, "empirical_spectra_by_width.png"))

    t0 = time.perf_counter()
    nl_steps = np.concatenate([[0.0], np.unique(np.round(np.geomspace(1, 1e3 if quick else 1e4,
                                                                        25)))])
    networks = train_networks(data, widths=nl_widths, P=max(counts), n_test=n_test,
                              steps=nl_steps, eta=run.eta, progress=False)
    timings[f"non-linear training ({2 * len(nl_widths)} networks)"] = time.perf_counter() - t0

    comparisons = {}
    scale = None
    for method in _available_methods():
        # the theory fits N/width; the simulator then cross-checks it at the same N
        t0 = time.perf_counter()
        comparisons[method] = compare_with_prediction(run, method=method, fit=fit,
                                                      time_window=window, networks=networks,
                                                      n_scale=scale, n_seeds=8, progress=True)
        scale = comparisons[method].n_scale
        timings[f"prediction ({method})"] = time.perf_counter() - t0
    main = comparisons.get("theory", comparisons["simulation"])
    plot_prediction(main, path=os.path.join(figures, "empirical_prediction.png"))
    plot_feature_learning(networks, main, frontiers=network_exponents(networks, main),
                          path=os.path.join(figures, "empirical_feature_learning.png"))
    t0 = time.perf_counter()
    ext_spec = run.spectrum.to_spectrum(extend_to=10 * run.n_pool, fit=fit)
    extended = compare_with_prediction(run, method=main.method, fit=fit, spectrum=ext_spec,
                                       time_window=window, n_scale=main.n_scale)
    timings[f"prediction with power-law tail ({main.method})"] = time.perf_counter() - t0

    out = []
    out.append("## Setup\n")
    out.append(
        f"digits 0-4 (+1) against 5-9 (-1); pool of {run.n_pool} training samples, "
        f"{run.n_test} test samples; one-hidden-layer ReLU MLP (NTK parameterisation, no "
        f"biases), widths {', '.join(map(str, widths))}; GD step eta = 0.25/mu_1 = "
        f"{run.eta:.4f} (mu_1 = {mu1:.4f}, the top eigenvalue of K/P of the widest network), "
        f"the same for the non-linear networks; training sizes P = "
        f"{', '.join(map(str, counts))}; time window of the time exponent: steps "
        f"{window[0]:g}-{window[1]:g} (eta mu_1 t from 10 to 100); {threads} torch/BLAS "
        "thread(s).\n"
    )
    out.append(f"## Spectra and fitted exponents (pool of {run.n_pool} samples)\n")
    out.append("| kernel | a [95% CI] | b [95% CI] | modes used | b rms residual |")
    out.append("|---|---|---|---|---|")
    for w in widths:
        f = fits[w]
        out.append(f"| NTK width {w} | {f.a:.3f} [{f.a_ci[0]:.3f}, {f.a_ci[1]:.3f}] | "
                   f"{f.b:.3f} [{f.b_ci[0]:.3f}, {f.b_ci[1]:.3f}] | {f.modes_used[0]}..."
                   f"{f.modes_used[1]} | {f.b_rms_residual:.3f} |")
    out.append(f"| arc-cosine (infinite width) | {ref_fit.a:.3f} [{ref_fit.a_ci[0]:.3f}, "
               f"{ref_fit.a_ci[1]:.3f}] | {ref_fit.b:.3f} [{ref_fit.b_ci[0]:.3f}, "
               f"{ref_fit.b_ci[1]:.3f}] | {ref_fit.modes_used[0]}...{ref_fit.modes_used[1]} | "
               f"{ref_fit.b_rms_residual:.3f} |")
    rel = {w: float(np.sqrt(np.mean((run.spectra[w].eigenvalues[:200] /
                                     ref.eigenvalues[:200] - 1) ** 2))) for w in widths}
    out.append("\nRMS relative difference of the first 200 eigenvalues from the arc-cosine "
               "kernel's: " + ", ".join(f"width {w}: {rel[w]:.3f}" for w in widths) + ".\n")
    out.append("## Width -> model size N (fitted)\n")
    for method, cmp in comparisons.items():
        if not cmp.size_fits:
            out.append(f"{method}: the same c = {cmp.n_scale:.2f} (not refitted).\n")
            continue
        out.append(f"{method}: c = N/width = {cmp.n_scale:.2f}; per width: " + ", ".join(
            f"{w}: N = {f.N:g} (N/width {f.ratio:.2f}, rms log error {f.rms_log_error:.3f}"
            f"{', at bound' if f.at_bound else ''})" for w, f in cmp.size_fits.items()) + ".\n")
    out.append("## Exponents: measured against predicted\n")
    for method, cmp in comparisons.items():
        out.append(f"Model solved by the {method}:\n")
        out.append(cmp.table_markdown())
    out.append("Sensitivity to the unmeasured tail: the same comparison with the spectrum "
               f"continued beyond mode {fit.modes_used[1]} by the fitted power laws up to mode "
               f"{10 * run.n_pool} (L(0) = {ext_spec.initial_loss:.3f} instead of "
               f"{run.spectrum.total_power:.3f}), model solved by the {extended.method} at the "
               "same c:\n")
    out.append(extended.table_markdown())
    out.append("## Test loss at selected steps, widest network (measured / predicted)\n")
    pick = [40, 400, 4000, 40000, 400000]
    idx = [int(np.argmin(np.abs(steps - s))) for s in pick]
    widest = max(widths)
    head = "| P | " + " | ".join(f"step {int(steps[i])}" for i in idx) + " |"
    out.append(head)
    out.append("|---" * (len(idx) + 1) + "|")
    for P in counts:
        m = run.curves[(widest, P)].test_loss
        cells = []
        for i in idx:
            cell = f"{m[i]:.3f}"
            for cmp in comparisons.values():
                cell += f" / {cmp.predicted[(widest, P)].test_loss[i]:.3f}"
            cells.append(cell)
        out.append(f"| {P} | " + " | ".join(cells) + " |")
    out.append("\n(measured / " + " / ".join(comparisons) + ")\n")
    out.append(f"## Non-linear training at P = {networks.P}: lazy (NTK) against feature "
               "learning (muP)\n")
    out.append("| width | lazy: min test loss (step) | muP: min test loss (step) | "
               "lazy at 400 steps | muP at 400 steps |")
    out.append("|---|---|---|---|---|")
    j100 = int(np.argmin(np.abs(nl_steps - 400)))
    for w in networks.widths:
        lz, mp = networks.curves[("ntk", w)], networks.curves[("mup", w)]
        il, im = int(np.argmin(lz.test_loss)), int(np.argmin(mp.test_loss))
        out.append(f"| {w} | {lz.test_loss[il]:.3f} ({int(nl_steps[il])}) | "
                   f"{mp.test_loss[im]:.3f} ({int(nl_steps[im])}) | {lz.test_loss[j100]:.3f} | "
                   f"{mp.test_loss[j100]:.3f} |")
    kernel_pred = main.predicted[(widest, networks.P)]
    out.append(f"\nKernel prediction (N = inf, {main.method}) at P = {networks.P}: min "
               f"{np.min(kernel_pred.test_loss):.3f}, at 400 steps "
               f"{kernel_pred.test_loss[int(np.argmin(np.abs(steps - 400)))]:.3f}; linearised "
               f"widest network: min {np.min(run.curves[(widest, networks.P)].test_loss):.3f}.\n")
    out.append("## Kernels of this run (P = 1797, budget 4 GiB)\n")
    for w in widths:
        dg = run.diagnostics[f"width_{w}"]
        out.append(f"* width {w}: {dg['n_params']} parameters, {dg['wall_time_s']:.1f} s, "
                   f"{dg['jacobian_evaluations']} Jacobian blocks of {dg['block_size']} rows, "
                   f"{dg['jacobian_bytes_held'] / 2**20:.0f} MiB of Jacobian rows held")
    out.append("\n## Wall times\n")
    for k, v in timings.items():
        out.append(f"* {k}: {v:.1f} s")
    summary = {
        "fit": fit.to_dict(),
        "comparisons": {m: c.to_dict() for m, c in comparisons.items()},
        "timings": timings,
    }
    return "\n".join(out), summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("kernels", "digits", "all"), default="all")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch/BLAS threads (default 1: stable timings on a shared machine)")
    parser.add_argument("--figures", default=os.path.join(os.path.dirname(__file__), "..",
                                                          "docs", "figures"))
    parser.add_argument("--quick", action="store_true",
                        help="digits part at reduced sizes (a smoke run; not recorded)")
    parser.add_argument("--one-kernel", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    _set_threads(args.threads)
    if args.one_kernel:
        print(json.dumps(one_kernel(json.loads(args.one_kernel))))
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _machine import write_result

    def load() -> str:
        one, five, _ = os.getloadavg()
        return f"load average {one:.1f} (1 min) / {five:.1f} (5 min)"

    if args.part in ("kernels", "all"):
        start = load()
        body = part_kernels(args.threads)
        body += f"\n\nMachine load (shared with other jobs): {start} at the start, {load()} at the end."
        print(f"wrote {write_result('empirical_kernels', 'Empirical NTK: time and memory', body)}")
    if args.part in ("digits", "all"):
        start = load()
        body, summary = part_digits(args.threads, args.figures, args.quick)
        body += f"\n\nMachine load (shared with other jobs): {start} at the start, {load()} at the end."
        print(body)
        if args.quick:
            return
        path = write_result("empirical_digits", "Digits: predicted against measured", body)
        with open(path.replace(".md", ".json"), "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=1, default=float)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
