"""The simulator against independent references: ODE integration, literal iteration, limits."""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import scaling_dynamics as sd
from scaling_dynamics import InvalidParameterError, ProblemTooLargeError, Spectrum, simulate
from scaling_dynamics.simulate._seeding import run_streams

SPEC = Spectrum.power_law(a=1.5, b=1.25, M=120, sigma=0.3)


def _draws(spec, N, P, seed, run=0, member=0):
    """The data and projection that run ``run`` of ``simulate(..., seed=seed)`` uses."""
    st = run_streams(seed, run + 1, member + 1)[run]
    M = spec.M
    X = st.data.standard_normal((P, M)) * np.sqrt(spec.eigenvalues)
    eps = st.data.standard_normal(P)
    y = X @ spec.target_weights + spec.sigma * eps
    Y = st.projections[member].standard_normal((N, M)) / math.sqrt(N)
    return X, y, Y


def _losses(spec, X, y, Y, w):
    v = spec.target_weights - Y.T @ w
    r = X @ (Y.T @ w) - y
    return float(np.sum(spec.eigenvalues * v * v)), float(r @ r) / X.shape[0]


@pytest.mark.parametrize("N, P", [(40, 70), (70, 40), (200, 150)])
def test_exact_gradient_flow_matches_ode_integration(N, P):
    """Independent reference: integrate dw/dt = -Phi^T (Phi w - y)/P with an adaptive ODE solver."""
    times = [0.0, 0.5, 3.0, 20.0, 150.0]
    res = simulate(SPEC, N, P, times, n_seeds=1, seed=7)
    X, y, Y = _draws(SPEC, N, P, 7)
    Phi = X @ Y.T
    K, h = Phi.T @ Phi / P, Phi.T @ y / P
    sol = solve_ivp(lambda t, w: h - K @ w, (0, times[-1]), np.zeros(N), t_eval=times,
                    rtol=1e-11, atol=1e-13, method="DOP853")
    for j in range(len(times)):
        test, train = _losses(SPEC, X, y, Y, sol.y[:, j])
        assert res.test_loss[j] == pytest.approx(test, rel=1e-7)
        assert res.train_loss[j] == pytest.approx(train, rel=1e-7)


def test_exact_gradient_flow_equals_small_step_gd_with_error_linear_in_eta():
    """Literal GD with step eta after tau/eta steps approaches exact GF at time tau, error O(eta).

    Stated tolerance: relative difference below 2 * eta at every time, and halving eta
    halves the difference (ratio in [1.8, 2.2]).
    """
    spec = Spectrum.power_law(1.5, 1.25, 80, sigma=0.2)
    taus = np.array([1.0, 4.0, 10.0])
    exact = simulate(spec, 30, 50, taus, n_seeds=1, seed=3)
    errors = []
    for eta in (0.02, 0.01):
        steps = np.round(taus / eta)
        gd = simulate(spec, 30, 50, steps, n_seeds=1, seed=3,
                      optimizer=sd.GradientDescent(eta), method="literal")
        rel = np.abs(gd.test_loss - exact.test_loss) / exact.test_loss
        assert np.all(rel < 2 * eta)
        errors.append(rel)
    ratio = errors[0] / errors[1]
    assert np.all((ratio > 1.8) & (ratio < 2.2))


@pytest.mark.parametrize("N, P, M", [(30, 50, 80), (50, 30, 80), (90, 100, 60), (90, 60, 60)])
def test_all_routes_agree(N, P, M):
    spec = Spectrum.power_law(1.6, 1.3, M, sigma=0.4)
    times = [0, 1, 10, 1e3, 1e6]
    from scaling_dynamics.simulate import route_costs

    results = [simulate(spec, N, P, times, n_seeds=2, seed=1, route=r) for r in route_costs(N, P, M)]
    assert len(results) >= 2
    for other in results[1:]:
        np.testing.assert_allclose(other.test_loss_seeds, results[0].test_loss_seeds, rtol=1e-8)
        np.testing.assert_allclose(other.train_loss_seeds, results[0].train_loss_seeds,
                                   rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize(
    "optimizer",
    [sd.GradientFlow(), sd.GradientDescent(0.5), sd.Momentum(0.3, 0.7), sd.OnlineSGD(0.3, 4)],
    ids=["gf", "gd", "momentum", "sgd"],
)
@pytest.mark.parametrize("N, P", [(20, 30), (math.inf, 30), (20, math.inf)])
def test_initial_loss_is_sum_of_task_power(optimizer, N, P):
    res = simulate(SPEC, N, P, [0, 5], optimizer=optimizer, n_seeds=3, seed=0)
    expected = float(np.sum(SPEC.eigenvalues * SPEC.target_weights**2))
    np.testing.assert_allclose(res.test_loss_seeds[:, 0], expected, rtol=1e-12)


@pytest.mark.parametrize("sigma", [0.0, 0.5])
@pytest.mark.parametrize("N, P, M", [(60, 40, 80), (40, 40, 40), (math.inf, 30, 50)])
def test_train_loss_vanishes_when_the_model_interpolates(sigma, N, P, M):
    """sigma = 0 (and also with noise): N >= P, M >= P means zero training error at t -> inf.

    With N = P = M the smallest kernel eigenvalue can be ~1e-9, so "long" means t = 1e12.
    """
    spec = Spectrum.power_law(1.5, 1.25, M, sigma=sigma)
    res = simulate(spec, N, P, [0, 1e12], n_seeds=3, seed=5)
    assert np.all(res.train_loss_seeds[:, 0] > 0.1)
    assert np.all(res.train_loss_seeds[:, -1] < 1e-10)


def test_train_loss_does_not_vanish_when_underparameterised():
    res = simulate(SPEC, 20, 60, [1e8], n_seeds=2, seed=5)
    assert np.all(res.train_loss_seeds > 1e-3)


def test_population_limit_train_equals_test_plus_noise():
    res = simulate(SPEC, 40, math.inf, [0, 1, 100], n_seeds=2, seed=2)
    np.testing.assert_allclose(res.train_loss_seeds, res.test_loss_seeds + SPEC.sigma**2)


def test_infinite_n_and_p_is_the_exact_mode_decay():
    """Exact up to the round-off floor of v (about 1e-16 |w*|), i.e. absolute 1e-27 here."""
    times = np.array([0.0, 0.3, 7.0, 1e4])
    res = simulate(SPEC, math.inf, math.inf, times, n_seeds=1)
    lam, w = SPEC.eigenvalues, SPEC.target_weights
    expected = (lam[:, None] * w[:, None] ** 2 * np.exp(-2 * lam[:, None] * times)).sum(0)
    np.testing.assert_allclose(res.test_loss, expected, rtol=1e-12, atol=1e-27)


def test_very_long_times_are_finite_and_converged():
    res = simulate(SPEC, 50, 80, [1e4, 1e6, 1e7], n_seeds=2, seed=9)
    assert np.all(np.isfinite(res.test_loss_seeds))
    # the minimum-norm least-squares solution is reached: nothing changes between 1e6 and 1e7
    np.testing.assert_allclose(res.test_loss_seeds[:, 1], res.test_loss_seeds[:, 2], rtol=1e-6)


def test_same_seed_same_result_and_runs_independent_of_n_seeds():
    a = simulate(SPEC, 30, 40, [1, 10], n_seeds=3, seed=11)
    b = simulate(SPEC, 30, 40, [1, 10], n_seeds=3, seed=11)
    c = simulate(SPEC, 30, 40, [1, 10], n_seeds=5, seed=11)
    d = simulate(SPEC, 30, 40, [1, 10], n_seeds=3, seed=12)
    np.testing.assert_array_equal(a.test_loss_seeds, b.test_loss_seeds)
    np.testing.assert_array_equal(a.test_loss_seeds, c.test_loss_seeds[:3])
    assert not np.allclose(a.test_loss_seeds, d.test_loss_seeds)


def test_mean_and_standard_error_over_seeds():
    res = simulate(SPEC, 30, 40, [1, 10], n_seeds=6, seed=4)
    np.testing.assert_allclose(res.test_loss, res.test_loss_seeds.mean(0))
    np.testing.assert_allclose(res.test_loss_sem, res.test_loss_seeds.std(0, ddof=1) / math.sqrt(6))
    one = simulate(SPEC, 30, 40, [1, 10], n_seeds=1, seed=4)
    assert one.test_loss_sem is None


@pytest.mark.parametrize("beta", [0.0, 0.6])
def test_discrete_closed_forms_equal_literal_iteration(beta):
    opt = sd.Momentum(0.4, beta) if beta else sd.GradientDescent(0.4)
    steps = [0, 1, 2, 7, 30, 120]
    exact = simulate(SPEC, 40, 60, steps, optimizer=opt, n_seeds=2, seed=8)
    literal = simulate(SPEC, 40, 60, steps, optimizer=opt, n_seeds=2, seed=8, method="literal")
    np.testing.assert_allclose(exact.test_loss_seeds, literal.test_loss_seeds, rtol=1e-9)
    np.testing.assert_allclose(exact.train_loss_seeds, literal.train_loss_seeds, rtol=1e-9)


def test_momentum_with_zero_beta_is_gradient_descent():
    steps = [1, 3, 50, 1000]
    gd = simulate(SPEC, 30, 40, steps, optimizer=sd.GradientDescent(0.7), n_seeds=2)
    hb = simulate(SPEC, 30, 40, steps, optimizer=sd.Momentum(0.7, 0.0), n_seeds=2)
    np.testing.assert_allclose(gd.test_loss_seeds, hb.test_loss_seeds, rtol=1e-10)


def test_unstable_step_is_refused_with_the_limit():
    with pytest.raises(InvalidParameterError, match=r"eta \* mu_max < 2, i.e. eta < "):
        simulate(SPEC, 30, 40, [1, 2], optimizer=sd.GradientDescent(50.0), n_seeds=1)
    with pytest.raises(InvalidParameterError, match=r"2B/\(B\+1\)"):
        simulate(SPEC, 30, None, [1, 2], optimizer=sd.OnlineSGD(50.0, 2), n_seeds=1)
    # every mode stable, but the batch noise fed back by many modes makes the loss diverge
    flat = Spectrum.from_arrays(np.ones(400), np.ones(400) / 20)
    with pytest.raises(InvalidParameterError, match=r"batch-noise gain A_K = .* must be < 1"):
        simulate(flat, 400, None, [1, 2], optimizer=sd.OnlineSGD(0.2, 1), n_seeds=1)


def test_sgd_with_infinite_n_expected_equals_per_mode_recursion():
    """theory.md section 4: N = inf reduces exactly to the per-mode second-moment recursion."""
    eta, B, sigma = 0.5, 3, SPEC.sigma
    steps = np.array([0, 1, 5, 40, 300])
    res = simulate(SPEC, math.inf, None, steps, optimizer=sd.OnlineSGD(eta, B), n_seeds=1,
                   method="expected")
    lam, C = SPEC.eigenvalues, SPEC.target_weights**2
    out = []
    for t in range(steps.max() + 1):
        if t in steps:
            out.append(np.sum(lam * C))
        L = np.sum(lam * C)
        C = (1 - 2 * eta * lam + eta**2 * (B + 1) / B * lam**2) * C + eta**2 * lam * (L + sigma**2) / B
    np.testing.assert_allclose(res.test_loss, out, rtol=1e-10)


def _paired_z(a, b):
    d = a - b
    return np.abs(d.mean(0)) / (d.std(0, ddof=1) / math.sqrt(d.shape[0]) + 1e-300)


@pytest.mark.parametrize("method", ["sample", "literal"])
def test_sgd_samples_average_to_the_exact_expectation(method):
    """Sampled SGD (reduced or literal) is unbiased for the exact expectation given each projection."""
    spec = Spectrum.power_law(1.5, 1.25, 60, sigma=0.3)
    opt = sd.OnlineSGD(0.4, 4)  # batch-noise gain A_K ~ 0.3: stable
    steps = [0, 5, 30, 150]
    n = 160 if method == "sample" else 60
    samp = simulate(spec, 15, None, steps, optimizer=opt, n_seeds=n, seed=21, method=method)
    expd = simulate(spec, 15, None, steps, optimizer=opt, n_seeds=n, seed=21, method="expected")
    assert np.all(_paired_z(samp.test_loss_seeds[:, 1:], expd.test_loss_seeds[:, 1:]) < 3.5)
    # the batch loss estimates L + sigma^2
    assert np.all(_paired_z(samp.train_loss_seeds[:, 1:], expd.train_loss_seeds[:, 1:]) < 3.5)


@pytest.mark.parametrize("N, route", [(20, "primal"), (20, "dual"), (60, "modes")])
def test_ensemble_equals_average_of_literal_members(N, route):
    """An ensemble's error is the average of its members' errors (same data, own projections).

    Every route: the members share the training data, which no route may alter.
    """
    spec = Spectrum.power_law(1.5, 1.25, 50, sigma=0.3)
    P, E, eta, steps = 30, 3, 0.5, [0, 4, 60]
    res = simulate(spec, N, P, steps, optimizer=sd.GradientDescent(eta), n_seeds=1, seed=6,
                   ensemble=E, route=route)
    vs = []
    for e in range(E):
        X, y, Y = _draws(spec, N, P, 6, member=e)
        Phi = X @ Y.T
        w, v_t = np.zeros(N), []
        for t in range(max(steps) + 1):
            if t in steps:
                v_t.append(spec.target_weights - Y.T @ w)
            w = w - eta * Phi.T @ (Phi @ w - y) / P
        vs.append(np.array(v_t))
    v = np.mean(vs, axis=0)
    test = (spec.eigenvalues * v**2).sum(1)
    prediction = X @ (spec.target_weights[:, None] - v.T)
    train = ((prediction - y[:, None]) ** 2).mean(0)
    np.testing.assert_allclose(res.test_loss, test, rtol=1e-9)
    np.testing.assert_allclose(res.train_loss, train, rtol=1e-9)


def test_ensemble_of_one_is_the_plain_model():
    a = simulate(SPEC, 30, 40, [1, 100], n_seeds=2, seed=3)
    b = simulate(SPEC, 30, 40, [1, 100], n_seeds=2, seed=3, ensemble=1)
    np.testing.assert_array_equal(a.test_loss_seeds, b.test_loss_seeds)


def test_torch_backend_agrees_with_numpy():
    pytest.importorskip("torch")
    for opt in (sd.GradientFlow(), sd.Momentum(0.3, 0.5)):
        times = [0, 1, 10, 100]
        a = simulate(SPEC, 40, 60, times, optimizer=opt, n_seeds=2, seed=1)
        b = simulate(SPEC, 40, 60, times, optimizer=opt, n_seeds=2, seed=1, backend="torch:cpu")
        assert b.backend == "torch:cpu"
        np.testing.assert_allclose(a.test_loss_seeds, b.test_loss_seeds, rtol=1e-9)
        np.testing.assert_allclose(a.train_loss_seeds, b.train_loss_seeds, rtol=1e-9)
    a = simulate(SPEC, 40, None, [0, 20], optimizer=sd.OnlineSGD(0.3, 2), n_seeds=2)
    b = simulate(SPEC, 40, None, [0, 20], optimizer=sd.OnlineSGD(0.3, 2), n_seeds=2,
                 backend="torch")
    np.testing.assert_allclose(a.test_loss_seeds, b.test_loss_seeds, rtol=1e-9)


def test_cuda_backend_without_a_gpu_is_refused_with_the_alternatives():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present: 'torch:cuda' is valid here")
    with pytest.raises(InvalidParameterError, match="needs a CUDA GPU.*'torch:cpu'"):
        simulate(SPEC, 10, 10, [1], backend="torch:cuda")


def test_too_large_is_refused_before_allocating():
    import tracemalloc

    big = Spectrum.power_law(1.5, 1.25, 200_000)
    tracemalloc.start()
    with pytest.raises(ProblemTooLargeError, match=r"needs about .* GiB of memory but only"):
        simulate(big, 200_000, 200_000, [1.0], n_seeds=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 50e6  # the spectrum arrays themselves (3.2 MB) but no N x M matrix


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"N": 0}, r"`N` must be a positive integer or inf; got 0"),
        ({"N": -5}, r"`N` must be a positive integer or inf; got -5"),
        ({"P": 2.5}, r"`P` must be a positive integer or inf; got 2.5"),
        ({"times": [1, -1]}, r"`times` must contain only non-negative numbers; entry 1 is -1.0"),
        ({"times": [1, float("nan")]}, r"`times` must contain only finite numbers"),
        ({"n_seeds": 0}, r"`seeds` must be an integer >= 1; got 0"),
        ({"ensemble": 0}, r"`ensemble` must be an integer >= 1; got 0"),
        ({"seed": -1}, r"`seed` must be an integer >= 0; got -1"),
        ({"method": "magic"}, r"`method` must be one of"),
        ({"backend": "tpu"}, r"`backend` must be one of 'numpy', 'torch'"),
        ({"route": "primal", "N": 500}, r"route 'primal' is not possible|cheapest"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    args = {"spectrum": SPEC, "N": 20, "P": 30, "times": [1.0], "n_seeds": 1}
    args.update(kwargs)
    if "route" in kwargs:
        args["N"] = math.inf
    with pytest.raises(InvalidParameterError, match=message):
        simulate(**args)


def test_discrete_optimizers_need_whole_steps():
    with pytest.raises(InvalidParameterError, match=r"whole numbers of steps.*entry 1 is 2.5"):
        simulate(SPEC, 20, 30, [1, 2.5], optimizer=sd.GradientDescent(0.1), n_seeds=1)


def test_other_refusals():
    with pytest.raises(InvalidParameterError, match="M = inf"):
        simulate(Spectrum.power_law(1.5, 1.2, math.inf), 10, 10, [1.0])
    with pytest.raises(InvalidParameterError, match="`spectrum` must be a Spectrum"):
        simulate([1, 2, 3], 10, 10, [1.0])
    with pytest.raises(InvalidParameterError, match="ensemble.*only simulated for full-batch"):
        simulate(SPEC, 10, None, [1], optimizer=sd.OnlineSGD(0.1, 1), ensemble=2)
    with pytest.raises(InvalidParameterError, match="'literal' is not available"):
        simulate(SPEC, 10, 10, [1.0], method="literal")
    with pytest.raises(InvalidParameterError, match=r"optimizer 'gd' needs `eta`"):
        sd.make_optimizer("gd")
    with pytest.raises(InvalidParameterError, match=r"does not use `batch`"):
        sd.make_optimizer("gd", eta=0.1, batch=3)
    with pytest.raises(InvalidParameterError, match=r"`eta` must be a number > 0; got -0.1"):
        sd.GradientDescent(-0.1)
    with pytest.raises(InvalidParameterError, match=r"`beta` must be a number in \[0, 1\); got 1.0"):
        sd.Momentum(0.1, 1.0)
    with pytest.raises(InvalidParameterError, match=r"`batch` must be an integer >= 1; got 0"):
        sd.OnlineSGD(0.1, 0)
