"""Trained networks: the closed-form linearised network against explicit GD on its Taylor
expansion; the non-linear lazy network approaching it as width grows; the two parameterisations."""

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.empirical import linearized_learning_curves

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from scaling_dynamics.empirical import (  # noqa: E402
    empirical_ntk,
    load_digits_binary,
    make_cnn,
    make_mlp,
    train_linearized,
    train_network,
)


def explicit_jacobian(model, X):
    rows = []
    for x in X:
        out = model(torch.as_tensor(x[None], dtype=torch.float64))
        grads = torch.autograd.grad(out.sum(), list(model.parameters()))
        rows.append(torch.cat([g.reshape(-1) for g in grads]).detach().numpy())
    return np.array(rows)


def test_linearised_curves_equal_gd_on_the_taylor_expanded_network(rng):
    """theta <- theta - eta J_tr^T (J_tr theta - y)/P, f = J theta: iterated in parameter space."""
    X = rng.standard_normal((30, 4))
    y = np.sign(X[:, 0] + 0.3 * X[:, 1])
    model = make_mlp(4, 16, depth=2, seed=2)
    J = explicit_jacobian(model, X)
    tr, te = np.arange(20), np.arange(20, 30)
    K = J @ J.T
    eta = 1.5 / np.linalg.eigvalsh(K[np.ix_(tr, tr)] / 20)[-1]  # eta mu_max = 1.5: oscillating
    steps = np.array([0, 1, 2, 3, 7, 20, 50])
    curves = linearized_learning_curves(K, y, tr, te, steps, eta)
    theta = np.zeros(J.shape[1])
    test, train = [], []
    for t in range(51):
        if t in steps:
            test.append(np.mean((J[te] @ theta - y[te]) ** 2))
            train.append(np.mean((J[tr] @ theta - y[tr]) ** 2))
        theta -= eta * J[tr].T @ (J[tr] @ theta - y[tr]) / 20
    np.testing.assert_allclose(curves.test_loss, test, rtol=1e-9)
    np.testing.assert_allclose(curves.train_loss, train, rtol=1e-9, atol=1e-14)
    assert curves.test_loss[0] == pytest.approx(np.mean(y[te] ** 2))
    assert curves.source == "measurement" and curves.time_unit == "steps"
    # gradient flow at time eta * t is the small-step limit
    small = linearized_learning_curves(K, y, tr, te, [4000], eta / 1000)
    flow = linearized_learning_curves(K, y, tr, te, [4], eta, optimizer="gf")
    assert small.test_loss[0] == pytest.approx(flow.test_loss[0], rel=2e-3)
    with pytest.raises(InvalidParameterError, match="beyond the stability limit"):
        linearized_learning_curves(K, y, tr, te, steps, 2.5 * eta / 1.5)


def test_mean_field_model_has_the_ntk_dynamics_at_initialisation(rng):
    """NTK(muP) x lr_scale = NTK(NTK parameterisation): same weights, same first-step dynamics."""
    X = rng.standard_normal((6, 3 * 16))
    for make in (lambda p: make_mlp(48, 32, depth=2, parameterization=p, gamma0=0.7, seed=1),
                 lambda p: make_cnn((3, 4, 4), 8, parameterization=p, gamma0=0.7, seed=1)):
        lazy, rich = make("ntk"), make("mup")
        assert lazy.lr_scale == 1.0 and rich.lr_scale == pytest.approx(0.7**2 * lazy.width)
        np.testing.assert_allclose(empirical_ntk(rich, X).matrix * rich.lr_scale,
                                   empirical_ntk(lazy, X).matrix, rtol=1e-12)


def test_lazy_network_approaches_its_linearisation_as_width_grows():
    data = load_digits_binary(120, seed=3)
    train, test = data.split(80)
    steps = [0, 1, 5, 20, 60]
    gaps = {}
    for width in (32, 1024):
        model = make_mlp(64, width, seed=width)
        K = empirical_ntk(model, data.X)
        eta = 1.0 / np.linalg.eigvalsh(K.matrix[:80, :80] / 80)[-1]
        lin = linearized_learning_curves(K, data.y, np.arange(80), np.arange(80, 120), steps, eta)
        net = train_network(model, train, test, steps, eta, dtype="float64")
        assert net.test_loss[0] == pytest.approx(lin.test_loss[0])
        gaps[width] = np.max(np.abs(net.test_loss - lin.test_loss))
    assert gaps[1024] < gaps[32] / 5  # ~ 1/width expected (factor 32)
    assert gaps[1024] < 0.01  # test loss ~0.25 here: within 4 %


def test_train_linearized_runs_every_width_and_size():
    data = load_digits_binary(260, seed=0)
    run = train_linearized(data, widths=(8, 64), sample_counts=(40, 120), n_test=100,
                           steps=[0, 1, 10, 100, 1000])
    assert set(run.curves) == {(8, 40), (8, 120), (64, 40), (64, 120)}
    assert run.widest == 64 and run.spectrum.n_samples == 160 and run.n_test == 100
    assert run.eta == pytest.approx(0.25 / run.spectrum.eigenvalues[0])
    for curves in run.curves.values():
        assert curves.test_loss[0] == pytest.approx(1.0)  # labels +-1
        assert curves.test_loss.min() < 0.85  # even width 8 on 40 samples learns
        assert curves.params["P"] in (40, 120)
    assert run.curves[(64, 120)].test_loss[-1] < run.curves[(64, 40)].test_loss[-1]


def test_a_diverging_network_run_raises_a_clear_error():
    from scaling_dynamics import ConvergenceError

    data = load_digits_binary(60, seed=2)
    train, test = data.split(40)
    with pytest.raises(ConvergenceError, match="diverged by step 200.*smaller `eta`"):
        train_network(make_mlp(64, 16, seed=0), train, test, [0, 200], 1e3, dtype="float64")


def test_a_repeated_step_fills_every_slot_that_asks_for_it():
    """steps [0, 5, 5, 2]: both slots of step 5 hold its loss (one used to stay unset)."""
    data = load_digits_binary(60, seed=2)
    train, test = data.split(40)
    run = train_network(make_mlp(64, 16, seed=0), train, test, [0, 5, 5, 2], 0.1,
                        dtype="float64")
    once = train_network(make_mlp(64, 16, seed=0), train, test, [0, 2, 5], 0.1,
                         dtype="float64")
    assert run.test_loss[1] == run.test_loss[2] == once.test_loss[2]
    assert run.train_loss[1] == run.train_loss[2] == once.train_loss[2]
    assert run.test_loss[3] == once.test_loss[1]
