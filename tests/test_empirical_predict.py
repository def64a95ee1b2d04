"""Prediction against reality: exponents read off curves, model size fits, a tiny end-to-end run."""

import math

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, LossCurves, Spectrum
from scaling_dynamics.empirical import fit_model_size, measure_exponents, model_curves


def surface_curves(widths, steps, alpha=0.4, beta=0.6):
    """L(n, t) = t^-alpha + n^-beta, for reading exponents back."""
    out = {}
    for w in widths:
        L = steps**-alpha + w**-beta
        out[w] = LossCurves(times=steps, test_loss=L, train_loss=L, params={"P": 10})
    return out


def test_exponents_are_read_back_from_a_known_loss_surface():
    steps = np.geomspace(1, 1e14, 141)
    widths = [2**k for k in range(2, 15)] + [10**12]
    e = measure_exponents(surface_curves(widths, steps), time_window=(10, 1000))
    assert e.time == pytest.approx(0.4, abs=0.01)
    assert e.width == pytest.approx(0.6, abs=0.01)
    # frontier of t^-a + n^-b with C = n t: L* ~ C^-(ab/(a+b)) = C^-0.24
    e2 = measure_exponents(surface_curves(widths[:-1], steps), compute_range=(1e4, 1e10))
    assert e2.compute == pytest.approx(0.24, abs=0.02)
    assert np.all(np.diff(e2.frontier_width) >= 0)  # wider models win at larger budgets
    with pytest.raises(InvalidParameterError, match="at least 2 widths"):
        measure_exponents(surface_curves([4], steps))
    with pytest.raises(InvalidParameterError, match="`time_window`"):
        measure_exponents(surface_curves([4, 8], steps), time_window=(5, 5))


def test_model_size_fit_recovers_the_size_of_a_simulated_curve():
    spec = Spectrum.power_law(a=1.6, b=1.3, M=400)
    steps = np.array([1, 3, 10, 30, 100, 300, 1000.0])
    truth = model_curves(spec, 60, 150, steps, 0.5, method="simulation", n_seeds=16, seed=5)
    truth = truth.with_params(P=150)
    fit = fit_model_size(truth, spec, 0.5, 20, method="simulation", n_seeds=16, seed=5)
    assert fit.N == pytest.approx(60, rel=0.05) and fit.ratio == pytest.approx(3, rel=0.05)
    assert fit.rms_log_error < 0.01 and not fit.at_bound


def test_theory_matches_simulation_on_a_measured_non_power_law_spectrum(rng):
    """The spectrum of an RBF kernel on 2-d data with a smooth target is not a power law."""
    from scaling_dynamics.empirical import measure_spectrum
    from scaling_dynamics.theory import predict

    X = rng.uniform(-1, 1, (300, 2))
    K = np.exp(-np.sum((X[:, None] - X[None]) ** 2, axis=-1) / 0.3)
    y = np.sin(3 * X[:, 0]) * np.cos(2 * X[:, 1])
    spec = measure_spectrum(K, y, rtol=1e-10).to_spectrum()
    times = np.array([0.0, 1, 10, 100, 1000, 1e4])
    gaps = []
    for N, P in ((60, 90), (600, 900)):
        th = predict(spec, N, P, times)
        sim = model_curves(spec, N, P, times, 1.0, method="simulation", n_seeds=24, seed=2)
        z = (sim.test_loss - th.test_loss) / np.maximum(sim.test_loss_sem, 1e-12)
        assert np.all(np.abs(z[1:]) < 4), (N, P, z)
        gaps.append(np.max(np.abs(sim.test_loss / th.test_loss - 1)))
    # mean-field theory is exact as N, P grow: ~12 % apart at N = 60, ~3 % at N = 600
    assert gaps[1] < 0.06 and gaps[1] < gaps[0] / 2, gaps


def test_tiny_end_to_end_run_on_digits(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    from scaling_dynamics.empirical import (
        compare_with_prediction,
        load_digits_binary,
        network_exponents,
        train_linearized,
        train_networks,
    )

    data = load_digits_binary(400, seed=1)
    steps = np.concatenate([[0], np.unique(np.round(np.geomspace(1, 3000, 12)))])
    run = train_linearized(data, widths=(8, 32, 256), sample_counts=(40, 80), n_test=150,
                           steps=steps)
    nets = train_networks(data, widths=(8, 32), P=80, n_test=150, steps=steps[:8], eta=run.eta)
    cmp = compare_with_prediction(run, time_window=(5, 50), networks=nets)
    assert cmp.method == "theory" and set(cmp.size_fits) == {8, 32}
    assert cmp.n_scale > 0 and math.isfinite(cmp.n_scale)
    assert set(cmp.predicted) == set(run.curves)
    for key, pred in cmp.predicted.items():
        assert pred.source == "theory"
        np.testing.assert_array_equal(pred.times, run.curves[key].times)
        assert pred.test_loss[0] == pytest.approx(run.spectrum.total_power)
    names = [r.name.split(":")[0] for r in cmp.rows]
    assert names == ["time", "data", "width", "compute-optimal"]
    assert all(math.isfinite(r.measured) and math.isfinite(r.predicted) for r in cmp.rows)
    assert math.isfinite(cmp.rows[0].lazy) and math.isfinite(cmp.rows[0].feature_learning)
    # the widest network and the model on its own spectrum learn at the same rate early on
    meas = run.curves[(256, 80)].test_loss
    pred = cmp.predicted[(256, 80)].test_loss
    early = (steps >= 5) & (steps <= 50)
    assert np.max(np.abs(np.log(meas[early] / pred[early]))) < 0.35
    # the simulator, at the theory's N, gives the same predictions (an independent solution)
    sim = compare_with_prediction(run, method="simulation", n_scale=cmp.n_scale, n_seeds=8,
                                  time_window=(5, 50))
    assert sim.size_fits == {} and sim.n_scale == cmp.n_scale
    for key in [(8, 80), (32, 80), (256, 80)]:
        ratio = sim.predicted[key].test_loss[1:] / cmp.predicted[key].test_loss[1:]
        assert np.max(np.abs(np.log(ratio))) < 0.12, (key, ratio)
    table = cmp.table_markdown()
    assert table.count("\n") == 6 and "closed form" in table and "muP" in table
    assert cmp.to_dict()["method"] == "theory"
    from scaling_dynamics.plots.empirical import plot_feature_learning, plot_prediction
    from scaling_dynamics.plots.spectra import plot_spectra_by_width

    figures = [plot_prediction(cmp, path=tmp_path / "prediction.png"),
               plot_feature_learning(nets, cmp, frontiers=network_exponents(nets, cmp),
                                     path=tmp_path / "features.png"),
               plot_spectra_by_width(run.spectra, path=tmp_path / "widths.png")]
    for fig, name in zip(figures, ("prediction", "features", "widths"), strict=True):
        assert (tmp_path / f"{name}.png").stat().st_size > 0
        assert fig._suptitle is not None
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_title()


def test_the_plots_of_networks_import_no_empirical_module():
    import subprocess
    import sys

    code = ("import sys, scaling_dynamics.plots.empirical; "
            "print([m for m in sys.modules if m.startswith('scaling_dynamics.empirical')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stdout
