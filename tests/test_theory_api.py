"""The public API of scaling_dynamics.theory: results, conventions, validation, H_k and rho_k."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

import scaling_dynamics as sd
from scaling_dynamics import (
    GradientFlow,
    InvalidParameterError,
    LossCurves,
    Spectrum,
    predict,
    simulate,
)
from scaling_dynamics.theory import (
    bias,
    decompose_loss,
    timescale_density,
    transfer_functions,
)

SPEC = Spectrum.power_law(1.5, 1.25, 400, sigma=0.5)


def test_predict_is_exported_and_returns_loss_curves():
    assert sd.predict is predict
    c = predict(SPEC, 100, 200, [0, 1, 10])
    assert isinstance(c, LossCurves)
    assert (c.source, c.backend, c.time_unit) == ("theory", "theory", "time")
    assert c.test_loss_sem is None and c.test_loss_seeds is None
    assert set(c.extra) == {"bias", "variance_projection", "variance_data"}
    assert c.diagnostics["wall_time_s"] > 0


def test_params_match_the_simulation():
    t = [1.0, 10.0]
    th = predict(SPEC, 100, math.inf, t, ensemble=2)
    sim = simulate(SPEC, 100, math.inf, t, n_seeds=2, ensemble=2)
    common = {k: v for k, v in sim.params.items() if k not in ("seeds", "method")}
    assert th.params == common


def test_time_zero_is_exact_and_conventions_hold():
    c = predict(SPEC, 100, 200, [0.0, 1e-3])
    assert c.test_loss[0] == SPEC.initial_loss
    assert c.train_loss[0] == SPEC.initial_loss + 0.25
    # P = inf: the train loss is the population loss, L + sigma^2
    p = predict(SPEC, 100, math.inf, [0.5, 50.0])
    np.testing.assert_allclose(p.train_loss, p.test_loss + 0.25, rtol=1e-10)


def test_vector_of_times_equals_separate_calls():
    t = [0.3, 3.0, 3e3]
    together = predict(SPEC, 120, 250, t)
    for i, ti in enumerate(t):
        alone = predict(SPEC, 120, 250, [ti])
        assert abs(alone.test_loss[0] - together.test_loss[i]) < 1e-9 * SPEC.initial_loss


def test_results_save_and_reload(tmp_path):
    c = predict(SPEC, 100, 200, [0.0, 1.0, 100.0], ensemble=3)
    for name in ("c.json", "c.csv"):
        c.save(tmp_path / name)
        assert LossCurves.load(tmp_path / name).equals(c)


def test_decomposition_adds_up():
    t = [1.0, 100.0, 1e4]
    E = 5
    d = decompose_loss(SPEC, 100, 200, t, ensemble=E)
    c = predict(SPEC, 100, 200, t, ensemble=E)
    np.testing.assert_allclose(d.test_loss, c.test_loss, rtol=1e-12)
    np.testing.assert_allclose(d.bias + d.variance_data + d.variance_projection / E, c.test_loss,
                               rtol=1e-12)
    assert np.all(d.variance_projection > 0) and np.all(d.variance_data > 0)
    np.testing.assert_allclose(bias(SPEC, 100, 200, t), d.bias, rtol=1e-12)
    # N = inf: the projection is the identity, there is no projection variance
    n_inf = decompose_loss(SPEC, math.inf, 200, t)
    np.testing.assert_allclose(n_inf.variance_projection, 0, atol=1e-10)


def test_bias_is_built_from_the_transfer_functions():
    t = [2.0, 200.0]
    H = transfer_functions(SPEC, 100, 200, t)
    B = np.sum(SPEC.task_power[:, None] * H.values**2, axis=0)
    np.testing.assert_allclose(bias(SPEC, 100, 200, t), B, rtol=1e-9)


def _marchenko_pastur(gamma):
    lo, hi = (1 - math.sqrt(gamma)) ** 2, (1 + math.sqrt(gamma)) ** 2

    def density(x):
        return math.sqrt(max((hi - x) * (x - lo), 0.0)) / (2 * math.pi * gamma * x)

    return lo, hi, density, max(0.0, 1 - 1 / gamma)


def test_isotropic_density_is_marchenko_pastur():
    # lambda_k = 1, P = inf: F = A^T A / N is a Wishart matrix with ratio gamma = M / N, so
    # rho_k(u) is the Marchenko-Pastur law and the atom at u = 0 has weight 1 - 1/gamma.
    M, N = 300, 150
    s = Spectrum.from_arrays(np.ones(M), np.ones(M))
    lo, hi, mp, atom = _marchenko_pastur(M / N)
    u = np.linspace(lo + 0.05, hi - 0.05, 25)
    d = timescale_density(s, N, math.inf, u, modes=[1])
    np.testing.assert_allclose(d.density[0], [mp(x) for x in u], rtol=1e-7)
    assert abs(d.atom_at_zero[0] - atom) < 1e-8
    outside = timescale_density(s, N, math.inf, [hi + 0.5, 0.5 * lo], modes=[1])
    assert np.all(np.abs(outside.density) < 1e-8)
    # H(t) = atom + int mp(x) exp(-x t) dx
    t = np.array([0.5, 3.0])
    H = transfer_functions(s, N, math.inf, t, modes=[1]).values[0]
    ref = [atom + quad(lambda x, ti=ti: mp(x) * math.exp(-x * ti), lo, hi, epsabs=1e-13)[0]
           for ti in t]
    np.testing.assert_allclose(H, ref, rtol=1e-8)


def test_density_integrates_to_the_transfer_function():
    s = Spectrum.power_law(1.5, 1.25, 300)
    u = np.geomspace(1e-6, 5, 4000)
    d = timescale_density(s, 80, 160, u, modes=[1, 10, 100])
    lu = np.log(u)
    mass = np.trapezoid(d.density * u, lu, axis=1) + d.atom_at_zero
    np.testing.assert_allclose(mass, 1.0, atol=3e-3)
    H = transfer_functions(s, 80, 160, [10.0], modes=[1, 10, 100]).values[:, 0]
    Ht = np.trapezoid(d.density * u * np.exp(-10 * u), lu, axis=1) + d.atom_at_zero
    np.testing.assert_allclose(Ht, H, atol=3e-3)


def test_transfer_functions_without_projection_and_data_limits():
    t = [0.0, 1.0, 50.0]
    H = transfer_functions(SPEC, math.inf, math.inf, t, modes=[1, 2, 50])
    np.testing.assert_allclose(H.values, np.exp(-np.outer(H.eigenvalues, t)), rtol=1e-9,
                               atol=1e-12)
    assert H.modes.tolist() == [1, 2, 50]


def test_predict_refuses_an_object_that_is_not_an_optimiser():
    # predict dispatches on the optimiser registry; anything else is one clear line
    with pytest.raises(InvalidParameterError, match="`optimizer` must be GradientFlow"):
        predict(SPEC, 100, 200, [1.0], optimizer="gd")


def test_gradient_flow_is_accepted_explicitly():
    c = predict(SPEC, 100, 200, [1.0], optimizer=GradientFlow())
    assert c.params["optimizer"] == "gf"


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"N": 0}, "`N` must be a positive integer"),
        ({"P": -5}, "`P` must be a positive integer"),
        ({"P": None}, "`P` must be a positive integer or inf for gradient flow"),
        ({"times": [-1.0]}, "`times` must contain only non-negative"),
        ({"times": [1.0, math.nan]}, "`times` must contain only finite"),
        ({"ensemble": 0}, "`ensemble` must be an integer >= 1"),
        ({"n_nodes": 60}, "`n_nodes` must be an integer"),
        ({"compress": "maybe"}, "`compress` must be one of"),
        ({"spectrum": "power law"}, "`spectrum` must be a Spectrum"),
        ({"optimizer": "gf"}, "`optimizer` must be GradientFlow"),
    ],
)
def test_invalid_arguments_name_the_parameter(kwargs, match):
    args = {"spectrum": SPEC, "N": 100, "P": 200, "times": [1.0]}
    args.update(kwargs)
    with pytest.raises(InvalidParameterError, match=match):
        predict(args.pop("spectrum"), args.pop("N"), args.pop("P"), args.pop("times"), **args)


def test_transfer_and_density_validation():
    with pytest.raises(InvalidParameterError, match="`modes` must list"):
        transfer_functions(Spectrum.power_law(1.5, 1.25, math.inf), 10, 20, [1.0])
    with pytest.raises(InvalidParameterError, match="between 1 and M"):
        transfer_functions(SPEC, 10, 20, [1.0], modes=[401])
    with pytest.raises(InvalidParameterError, match="both inf"):
        timescale_density(SPEC, math.inf, math.inf, [1.0])
    with pytest.raises(InvalidParameterError, match="`u` must contain only positive"):
        timescale_density(SPEC, 10, 20, [0.0], modes=[1])


def test_low_memory_path_gives_the_same_curves(monkeypatch):
    # huge exact spectra take the sums one weight at a time; the answer must not change
    import scaling_dynamics.theory._correlations as corr

    s = Spectrum.power_law(1.5, 1.25, 1500, sigma=0.5)
    t = [1.0, 100.0]
    a = predict(s, 300, 600, t, ensemble=2)
    monkeypatch.setattr(corr, "_BLOCK", 10)
    b = predict(s, 300, 600, t, ensemble=2)
    np.testing.assert_allclose(b.test_loss, a.test_loss, rtol=1e-13)
    np.testing.assert_allclose(b.train_loss, a.train_loss, rtol=1e-13)
