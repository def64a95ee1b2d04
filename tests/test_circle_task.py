"""The circle task (issue 16, item 6): a muP ReLU network trained online, at tiny sizes.

The full run (width 512, 6000 steps) is recorded in benchmarks/results/feature_learning.md;
here the machinery is checked with properties that can fail: the closed-form NTK equals
torch's, the initial NTK decays as k^-2, training lowers the loss, the lazy network follows
gradient flow with its initial NTK, and gamma0 -> 0 converges (linearly) to one lazy curve.
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
