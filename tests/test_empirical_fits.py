"""Fits of a and b: recovery from kernels with known exponents, refusals with clear messages."""

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum
from scaling_dynamics.empirical import (
    feature_kernel,
    fit_exponents,
    measure_spectrum,
    select_mode_range,
    synthetic_power_law,
)


@pytest.mark.parametrize(("a", "b", "seed"), [(1.5, 1.25, 0), (2.0, 1.5, 1), (1.2, 2.0, 2)])
def test_fit_recovers_a_and_b_within_0_05_from_a_sampled_kernel(a, b, seed):
    """Kernel K = X X^T of P = 1000 Gaussian samples with covariance k^-b and task power k^-a."""
    data = synthetic_power_law(1000, a=a, b=b, M=2000, seed=seed)
    spec = measure_spectrum(feature_kernel(data.X), data.y)
    fit = fit_exponents(spec, n_bootstrap=200, seed=seed)
    assert abs(fit.b - b) < 0.05, fit
    assert abs(fit.a - a) < 0.05, fit
    assert fit.b_ci[0] <= fit.b <= fit.b_ci[1] and fit.a_ci[0] <= fit.a <= fit.a_ci[1]
    assert fit.range_selection == "auto" and fit.n_modes >= 100


def test_exact_power_law_is_recovered_exactly_on_a_given_range():
    fit = fit_exponents(Spectrum.power_law(a=1.7, b=1.3, M=400), modes=(5, 300), n_bootstrap=20)
    assert fit.modes_used == (5, 300) and fit.n_modes == 296 and fit.range_selection == "given"
    assert fit.a == pytest.approx(1.7, abs=1e-9) and fit.b == pytest.approx(1.3, abs=1e-9)
    assert fit.a_amplitude == pytest.approx(1.0, rel=1e-9)
    assert fit.b_amplitude == pytest.approx(1.0, rel=1e-9)
    d = fit.to_dict()
    assert d["modes_used"] == [5, 300] and len(d["a_ci"]) == 2


def test_automatic_range_skips_a_distorted_head_and_tail():
    k = np.arange(1, 1001, dtype=float)
    lam = k**-1.4
    lam[:3] *= 20.0  # outlying top modes
    lam[600:] *= np.exp(-(k[600:] - 600) / 50)  # collapsing tail
    lam = np.sort(lam)[::-1]
    lo, hi = select_mode_range(lam)
    assert lo >= 3 and hi <= 620
    fit = fit_exponents(lam, k**-1.8, n_bootstrap=20)
    assert fit.b == pytest.approx(1.4, abs=0.02)


def test_too_short_spectra_are_refused():
    with pytest.raises(InvalidParameterError, match="too short to fit: 5 modes, at least 8"):
        fit_exponents(np.array([5.0, 4, 3, 2, 1]), np.ones(5))
    with pytest.raises(InvalidParameterError, match="too short for an automatic fit range"):
        fit_exponents(np.arange(12, 0, -1.0), np.ones(12))
    with pytest.raises(InvalidParameterError, match="must hold at least 8 modes; got 3..6"):
        fit_exponents(Spectrum.power_law(1.5, 1.2, 100), modes=(3, 6))


def test_spectra_that_do_not_decrease_are_refused():
    k = np.arange(1, 101, dtype=float)
    with pytest.raises(InvalidParameterError, match="sorted in decreasing order.*mode 2"):
        fit_exponents(k**0.5, k**-1.5)
    with pytest.raises(InvalidParameterError, match="do not decrease over modes 1..50"):
        fit_exponents(np.ones(100), k**-1.5, modes=(1, 50))
    with pytest.raises(InvalidParameterError, match="no power on modes"):
        fit_exponents(k**-1.5, np.zeros(100), modes=(1, 50))


def test_bad_arguments_name_the_parameter():
    k = np.arange(1, 101, dtype=float)
    with pytest.raises(InvalidParameterError, match="`task_power` is required"):
        fit_exponents(k**-1.5)
    with pytest.raises(InvalidParameterError, match="`confidence` must be"):
        fit_exponents(k**-1.5, k**-2, confidence=1.5)
    with pytest.raises(InvalidParameterError, match="`modes` must be a pair"):
        fit_exponents(k**-1.5, k**-2, modes=5)
    with pytest.raises(InvalidParameterError, match="same length"):
        fit_exponents(k**-1.5, k[:50] ** -2)
