"""Mode sums: exact sets, and the compression that makes M = 1e7 and M = inf possible."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum, predict
from scaling_dynamics.theory import mode_set


def test_exact_set_merges_equal_eigenvalues():
    lam = np.array([1.0, 0.5, 0.5, 0.25])
    w = np.array([1.0, 2.0, -1.0, 3.0])
    ms = mode_set(Spectrum.from_arrays(lam, w))
    assert ms.method == "exact" and ms.n_nodes == 3
    f = lambda x: x / (0.3 + x) ** 2  # noqa: E731
    assert np.isclose(ms.sum(f(ms.eigenvalues)), np.sum(f(lam)), rtol=1e-15)
    assert np.isclose(ms.sum(f(ms.eigenvalues), task=True), np.sum(w**2 * f(lam)), rtol=1e-15)
    assert ms.trace == lam.sum() and ms.initial_loss == np.sum(lam * w**2)


@pytest.mark.parametrize("a,b", [(1.5, 1.25), (2.2, 1.6), (1.2, 1.05)])
def test_compressed_sums_match_exact_sums(a, b):
    # every sum of the theory: lambda^p H(z) H(z') with and without w*^2, at z that the
    # contours visit (right and left half plane, |z| down to the set's min_scale)
    s = Spectrum.power_law(a, b, 30_000)
    exact = mode_set(s, compress="off")
    comp = mode_set(s, compress="on", min_scale=1e-4)
    assert comp.n_nodes < 300
    zs = [2.0, 0.1 + 0.1j, -0.02 + 0.05j, 1e-3 * (1 + 2j), -4e-4 + 3e-4j, 2e-4]
    for z in zs:
        for zp in (z, np.conj(z), 0.5):
            for p in (1, 2, 3):
                for task in (False, True):
                    f = lambda x: x**p / ((z + 0.7 * x) * (zp + 0.7 * x))  # noqa: B023, E731
                    e = exact.sum(f(exact.eigenvalues), task=task)
                    c = comp.sum(f(comp.eigenvalues), task=task)
                    assert abs(c - e) <= 1e-9 * abs(e), (z, zp, p, task, c, e)


def test_infinite_spectrum_totals_are_zeta_values():
    s = Spectrum.power_law(1.5, 1.25, math.inf)
    ms = mode_set(s, min_scale=1e-6)
    assert abs(ms.trace / float(mpmath.zeta(1.25)) - 1) < 1e-14
    assert abs(ms.initial_loss / float(mpmath.zeta(1.5)) - 1) < 1e-14
    # a tail-dominated sum: sum_k lambda_k^2 / (z + lambda_k), z small, against mpmath
    z = 1e-5
    f = lambda x: x * x / (z + x)  # noqa: E731
    ref = mpmath.nsum(lambda k: k**-2.5 / (z + k**-1.25), [1, mpmath.inf], method="e+r")
    assert abs(ms.sum(f(ms.eigenvalues)) / float(ref) - 1) < 1e-8


def test_compressed_curves_match_uncompressed_curves():
    # the acceptance criterion of the compression: within 1e-4 relative (we see ~1e-9)
    s = Spectrum.power_law(1.5, 1.25, 20_000, sigma=0.3)
    t = np.geomspace(1e-2, 1e7, 8)
    for N, P in [(1000, 2000), (3000, 1000), (500, math.inf)]:
        comp = predict(s, N, P, t, compress="on")
        exact = predict(s, N, P, t, compress="off")
        assert comp.diagnostics["n_mode_nodes"] < 300
        floor = 1e-10 * s.initial_loss
        for key in ("test_loss", "train_loss"):
            a, b = getattr(comp, key), getattr(exact, key)
            assert np.all(np.abs(a - b) <= 1e-7 * np.abs(b) + floor), (N, P, key)
        np.testing.assert_allclose(comp.extra["bias"], exact.extra["bias"], rtol=1e-7)


def test_huge_and_infinite_spectra_are_compressed_and_ordered():
    # M = 1e7 and M = inf run on a few hundred nodes; the modes beyond 1e7 only add task
    # power the model cannot learn, so the loss is larger with M = inf at every time
    t = np.array([1.0, 100.0, 1e4])
    c7 = predict(Spectrum.power_law(1.5, 1.25, 10**7), 1000, 2000, t)
    cinf = predict(Spectrum.power_law(1.5, 1.25, math.inf), 1000, 2000, t)
    assert c7.diagnostics["n_mode_nodes"] < 600 and cinf.diagnostics["n_mode_nodes"] < 600
    assert np.all(cinf.test_loss > c7.test_loss)


def test_compression_options_are_validated():
    with pytest.raises(InvalidParameterError, match="`compress` must be one of"):
        mode_set(Spectrum.power_law(1.5, 1.25, 100), compress="yes")
    with pytest.raises(InvalidParameterError, match="needs a finite M"):
        mode_set(Spectrum.power_law(1.5, 1.25, math.inf), compress="off")
    with pytest.raises(InvalidParameterError, match="power-law spectra only"):
        mode_set(Spectrum.from_arrays([1.0, 0.5], [1.0, 1.0]), compress="on")
