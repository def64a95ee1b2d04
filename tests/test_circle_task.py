"""The circle task (issue 16, item 6): a muP ReLU network trained online, at tiny sizes.

The full run (width 256 for q = 1, 4096 for q = 2.5; 4000 steps) is recorded in
benchmarks/results/feature_learning.md; here the machinery is checked with properties that
can fail: the closed-form NTK equals torch's, the initial NTK decays as k^-2, training lowers
the loss, the lazy network follows gradient flow with its initial NTK, gamma0 -> 0 converges
(linearly) to one lazy curve, per-q widths equal separate runs, and the wide-network lazy
curve equals the feature-space formula.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError
from scaling_dynamics._errors import MissingDependencyError
from scaling_dynamics.empirical import circle_ntk, circle_task, predicted_circle_slopes
from scaling_dynamics.empirical._circle import _slopes

TINY = dict(width=32, seeds=2, steps=300, batch=32, eta=0.5, K=64, n_test=256, ntk_grid=64,
            n_records=10)


def test_predicted_slopes_follow_the_closed_forms():
    assert predicted_circle_slopes(1.0) == pytest.approx((0.5, 0.5, 2 / 3))
    assert predicted_circle_slopes(2.5) == pytest.approx((2.0, 2.0, 2.0))


def test_slope_fit_recovers_a_power_law():
    t = np.logspace(0, 3, 13)
    loss = np.stack([3.0 * t**-0.7, 5.0 * t**-0.7])[None, None]
    slopes, windows = _slopes(t[None, None], loss, 1.0)
    assert slopes == pytest.approx(0.7, rel=1e-12)
    assert windows[0, 0] == pytest.approx([100.0, 1000.0])


def test_closed_form_ntk_equals_torchs():
    pytest.importorskip("torch")
    from scaling_dynamics.empirical import empirical_ntk, make_mlp

    net = make_mlp(2, 16, depth=1, parameterization="mup", gamma0=0.7, bias_std=0.5, seed=3)
    theta = np.linspace(0, 2 * np.pi, 20, endpoint=False)
    X = np.stack([np.cos(theta), np.sin(theta)], 1)
    want = empirical_ntk(net, X, progress=False).matrix * net.lr_scale
    w = {"W": net.weights[0].detach().numpy(), "b": net.biases[0].detach().numpy(),
         "v": net.readout.detach().numpy()}
    np.testing.assert_allclose(circle_ntk(w, X, 0.5), want, rtol=1e-10, atol=1e-14)


@pytest.fixture(scope="module")
def tiny():
    pytest.importorskip("torch")
    return circle_task((1.0, 2.5), (0.001, 0.01, 1.0), **TINY)


def test_initial_ntk_decays_as_k_to_the_minus_two(tiny):
    assert 1.6 < tiny.alpha < 2.6
    # Fourier eigenvalues of the measured kernel: k^2 lambda_k roughly constant for k = 4..16
    lam = tiny.fourier_eigenvalues
    k = np.arange(4, 17)
    ratio = k**2 * lam[k]
    assert ratio.max() / ratio.min() < 2.0
    np.testing.assert_allclose(tiny.beta, [0.5, 2.0])


def test_training_lowers_the_loss(tiny):
    first, last = tiny.loss_mean[..., 0], tiny.loss_mean[..., -1]
    assert np.all(last < 0.3 * first)
    assert np.all(np.isfinite(tiny.slope_mean)) and np.all(tiny.slope_sem >= 0)


def test_lazy_network_follows_gradient_flow_with_its_initial_ntk(tiny):
    """gamma0 = 0.001 against its own linearisation (measured: within 5 %; SGD noise and the
    finite step are the rest), while the rich network (gamma0 = 1) leaves it."""
    th = tiny.lazy_theory[:, 0, 1:]
    assert np.max(np.abs(tiny.loss_mean[:, 0, 1:] / th - 1)) < 0.15
    rich = tiny.loss_mean[:, 2, 1:] / tiny.lazy_theory[:, 2, 1:] - 1
    assert np.max(np.abs(rich)) > 0.3


def test_small_gamma0_converges_to_one_lazy_curve(tiny):
    """Same weights, same angles: L(0.01) - L(0.001) is ~10x smaller than L(1) - L(0.001)."""
    L = tiny.loss_mean
    near = np.max(np.abs(L[:, 1] - L[:, 0]))
    far = np.max(np.abs(L[:, 2] - L[:, 0]))
    assert near < 0.2 * far


@pytest.mark.parametrize("kwargs, match", [
    (dict(q=0.4), "`q` must be"),
    (dict(gamma0=0.0), "`gamma0` must be"),
    (dict(seeds=1), "`seeds` must be"),
    (dict(K=200, n_test=256), "`n_test` must be"),
])
def test_bad_options_are_refused_in_one_line(kwargs, match):
    pytest.importorskip("torch")
    with pytest.raises(InvalidParameterError, match=match) as err:
        circle_task(**{**TINY, **kwargs})
    assert "\n" not in str(err.value)


def test_without_torch_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependencyError, match="scaling-dynamics\\[empirical\\]"):
        circle_task(**TINY)


def test_result_is_plain_data(tiny):
    d = tiny.to_dict()
    assert d["q"] == [1.0, 2.5] and len(d["slope_mean"]) == 2
    assert "ntk_eigenvalues" not in d
    assert all(math.isfinite(x) for x in np.ravel(d["loss_mean"]))


def test_per_q_widths_train_each_q_at_its_own_width():
    """width=(32, 48): each q's rows equal a run of that q alone at that width (same angles,
    same initial weights), and alpha comes from the first q's width."""
    pytest.importorskip("torch")
    kw = {**TINY, "steps": 100}
    both = circle_task((1.0, 2.5), (0.01, 1.0), **{**kw, "width": (32, 48)})
    for i, (q, w) in enumerate(((1.0, 32), (2.5, 48))):
        alone = circle_task((q,), (0.01, 1.0), **{**kw, "width": w})
        np.testing.assert_allclose(both.loss_mean[i], alone.loss_mean[0], rtol=1e-12)
        np.testing.assert_allclose(both.lazy_theory[i], alone.lazy_theory[0], rtol=1e-12)
        if i == 0:
            assert both.alpha == alone.alpha
    assert both.settings["width"] == [32, 48]
    with pytest.raises(InvalidParameterError, match="`width` must be one int or one per q"):
        circle_task((1.0, 2.5), 0.01, **{**kw, "width": (32, 48, 64)})


def test_lazy_curve_of_a_wide_network_equals_the_feature_space_formula():
    """4n > G switches _lazy_curves to the G x G kernel; check it against the n-space
    formula L = |y|^2/G - n sum_j c_j^2 (1 - exp(-2 m_j t))/m_j written out here."""
    from scaling_dynamics.empirical._circle import _lazy_curves

    rng = np.random.default_rng(1)
    n, K, G, q = 80, 64, 256, 2.5                      # 4n = 320 features > G = 256 angles
    w = {"W": rng.standard_normal((n, 2)), "b": rng.standard_normal(n),
         "v": rng.standard_normal(n)}
    t = np.geomspace(1.0, 1e4, 9)
    theta = 2 * np.pi * np.arange(G) / G
    X = np.stack([np.cos(theta), np.sin(theta)], 1)
    y = np.cos(np.outer(theta, np.arange(1, K + 1))) @ np.arange(1, K + 1.0) ** -q
    h = X @ w["W"].T / math.sqrt(2) + 0.5 * w["b"]
    g = (h > 0) * w["v"]
    Phi = np.concatenate([np.maximum(h, 0), g * X[:, :1] / math.sqrt(2),
                          g * X[:, 1:] / math.sqrt(2), g * 0.5], 1)
    m, V = np.linalg.eigh(Phi.T @ Phi / (n * G))
    c = V.T @ (Phi.T @ y) / (n * G)
    keep = m > 1e-12 * m[-1]
    want = y @ y / G - n * (-np.expm1(-2 * np.outer(t, m[keep])) / m[keep]) @ c[keep] ** 2
    np.testing.assert_allclose(_lazy_curves([w], 0.5, q, K, t), want, rtol=1e-8)
