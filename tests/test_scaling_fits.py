"""Chinchilla-style fits: recover known parameters from noisy synthetic data; refuse bad data."""

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.scaling import fit_chinchilla, read_loss_table
from scaling_dynamics.scaling._frontier import optimize_frontier

TRUE = {"E": 0.3, "A": 40.0, "alpha": 0.45, "B": 25.0, "beta": 0.35}


def synthetic(rng, noise=0.01, sizes=6, steps=8):
    N, t = np.meshgrid(np.geomspace(1e2, 1e4, sizes), np.geomspace(1e2, 1e5, steps))
    N, t = N.ravel(), t.ravel()
    L = TRUE["E"] + TRUE["A"] * N ** -TRUE["alpha"] + TRUE["B"] * t ** -TRUE["beta"]
    return N, t, L * np.exp(noise * rng.standard_normal(N.size))


def test_recovers_known_parameters_from_noisy_data_with_honest_intervals(rng):
    N, t, L = synthetic(rng, noise=0.01)
    fit = fit_chinchilla(N, t, L, n_bootstrap=40, seed=1)
    assert fit.alpha == pytest.approx(TRUE["alpha"], abs=0.03)
    assert fit.beta == pytest.approx(TRUE["beta"], abs=0.03)
    assert fit.E == pytest.approx(TRUE["E"], abs=0.05)
    assert fit.A == pytest.approx(TRUE["A"], rel=0.2)
    assert fit.B == pytest.approx(TRUE["B"], rel=0.2)
    for k in ("alpha", "beta", "E"):
        lo, hi = fit.intervals[k]
        assert lo <= getattr(fit, k) <= hi and hi - lo < 0.2
    # Allocation exponents follow from alpha, beta and add up to one.
    assert fit.exponent_params + fit.exponent_steps == pytest.approx(1.0)
    assert fit.exponent_params == pytest.approx(0.35 / 0.8, abs=0.03)
    # Held-out largest-compute points are predicted to about the noise level.
    assert fit.holdout is not None and fit.holdout.n_test >= 9
    assert fit.holdout.rmse_log < 0.05
    assert fit.rmse_log == pytest.approx(0.01, abs=0.004)


def test_noise_free_fit_is_exact_and_allocation_matches_a_brute_force_frontier():
    N, t = np.meshgrid([1e2, 3e2, 1e3, 3e3], [1e3, 1e4, 1e5])
    L = 0.5 + 20 * N**-0.4 + 30 * t**-0.3
    fit = fit_chinchilla(N.ravel(), t.ravel(), L.ravel(), n_bootstrap=0, holdout_fraction=None)
    assert (fit.alpha, fit.beta) == pytest.approx((0.4, 0.3), abs=1e-3)
    assert fit.intervals == {} and fit.holdout is None
    # The closed-form allocation equals a numerical argmin over N of the fitted law.
    C = np.geomspace(1e5, 1e9, 5)
    alloc = fit.allocation(C)
    fr = optimize_frontier(lambda n, tt: fit.predict(n, tt), C, xatol=1e-6)
    np.testing.assert_allclose(fr.model_size, alloc.model_size, rtol=1e-3)
    np.testing.assert_allclose(fr.loss, alloc.loss, rtol=1e-8)


@pytest.mark.parametrize("n,t,L,match", [
    ([1, 2, 3], [1, 2, 3], [1, 1, 1], "too few points"),
    ([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 1, 1], "loss.*> 0.*row 2"),
    ([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [1, 1, -1, 1, 1, 1], "loss"),
    ([1, 2, 3, 4, 5, np.nan], [1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], "model_size.*NaN.*row 5"),
    ([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5], [1, 1, 1, 1, 1, 1], "same length"),
    ([7, 7, 7, 7, 7, 7], [1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], "distinct model sizes"),
    ([1, 2, 3, 4, 5, 6], [5, 5, 5, 5, 5, 5], [1, 1, 1, 1, 1, 1], "distinct step counts"),
])
def test_refuses_data_it_cannot_fit_with_a_clear_message(n, t, L, match):
    with pytest.raises(InvalidParameterError, match=match):
        fit_chinchilla(n, t, L, n_bootstrap=0)


def test_bad_options_are_refused_by_name(rng):
    N, t, L = synthetic(rng)
    for kw, name in [({"n_starts": 0}, "n_starts"), ({"confidence": 1.5}, "confidence"),
                     ({"huber_delta": -1}, "huber_delta"), ({"holdout_fraction": 1.0},
                                                            "holdout_fraction")]:
        with pytest.raises(InvalidParameterError, match=f"`{name}`"):
            fit_chinchilla(N, t, L, n_bootstrap=0, **kw)


def test_csv_reading_finds_columns_by_name_and_names_bad_lines(tmp_path, rng):
    N, t, L = synthetic(rng)
    p = tmp_path / "runs.csv"
    p.write_text("# my sweep\nparams,tokens,lr,loss\n"
                 + "".join(f"{a},{b},0.1,{c}\n" for a, b, c in zip(N, t, L, strict=True)))
    table = read_loss_table(p)
    np.testing.assert_allclose(table.loss, L)
    np.testing.assert_allclose(table.model_size, N)
    (tmp_path / "missing.csv").write_text("params,lr,loss\n1,2,3\n")
    with pytest.raises(InvalidParameterError, match="missing a column for the steps"):
        read_loss_table(tmp_path / "missing.csv")
    (tmp_path / "nan.csv").write_text("N,steps,loss\n1,2,3\n4,5,nan\n")
    with pytest.raises(InvalidParameterError, match="line 3.*positive finite"):
        read_loss_table(tmp_path / "nan.csv")
    (tmp_path / "text.csv").write_text("N,steps,loss\n1,two,3\n")
    with pytest.raises(InvalidParameterError, match="line 2.*'two'"):
        read_loss_table(tmp_path / "text.csv")
    with pytest.raises(InvalidParameterError, match="cannot read"):
        read_loss_table(tmp_path / "nope.csv")
    with pytest.raises(InvalidParameterError, match="no column named 'xx'"):
        read_loss_table(p, loss_column="xx")
