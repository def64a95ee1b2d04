"""The spectral edge mu_max of the mean-field theory and the stability limits it sets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scaling_dynamics import GradientDescent, InvalidParameterError, Momentum, OnlineSGD, Spectrum
from scaling_dynamics.theory import predict, spectral_edge


def test_no_projection_no_data_gives_the_top_eigenvalue():
    s = Spectrum.power_law(1.5, 1.25, 300)
    e = spectral_edge(s, math.inf, math.inf)
    assert e.mu_max == 1.0 and e.kind == "atom"


@pytest.mark.parametrize("M,N", [(400, 100), (300, 300), (200, 400)])
def test_isotropic_population_edge_is_marchenko_pastur(M, N):
    """lambda_k = 1, P = inf: F = A^T A / N has the Marchenko-Pastur edge (1 + sqrt(M/N))^2."""
    iso = Spectrum.from_arrays([1.0] * M, [M**-0.5] * M)
    e = spectral_edge(iso, N, math.inf)
    assert e.mu_max == pytest.approx((1 + math.sqrt(M / N)) ** 2, rel=1e-8)
    assert e.kind == "band"
    assert e.mu_max <= e.norm_bound * (1 + 1e-9)  # the bisection stops 1e-10 to the right


def test_edge_agrees_with_sampled_top_eigenvalues(rng):
    """Isotropic bulk: within 3 % of the mean top eigenvalue; power law: inside the draws' spread."""
    M, N, P = 400, 200, 300
    iso = Spectrum.from_arrays([1.0] * M, [M**-0.5] * M)
    pl = Spectrum.power_law(1.5, 1.25, 1000)
    tops = {"iso": [], "pl": []}
    for _ in range(6):
        for key, spec, (n, p) in (("iso", iso, (N, P)), ("pl", pl, (200, 400))):
            m = spec.eigenvalues.size
            A = rng.standard_normal((n, m)) / math.sqrt(n)
            X = rng.standard_normal((p, m)) * np.sqrt(spec.eigenvalues)
            K = (A @ (X.T @ X) @ A.T) / p  # A G A^T / N with G = Psi^T Psi / P
            tops[key].append(np.linalg.eigvalsh(K)[-1])
    e_iso = spectral_edge(iso, N, P).mu_max
    assert e_iso == pytest.approx(9.616, abs=2e-3)  # docs/optimizers.md: 9.62
    assert abs(np.mean(tops["iso"]) / e_iso - 1) < 0.03
    e_pl = spectral_edge(pl, 200, 400).mu_max
    assert e_pl == pytest.approx(1.2085, abs=1e-3)  # docs/optimizers.md: 1.21
    assert min(tops["pl"]) * 0.9 < e_pl < max(tops["pl"]) * 1.1
    assert spectral_edge(pl, 200, 400).norm_bound > 10 * e_pl  # the norm bound is loose


@pytest.mark.parametrize(
    "opt_of_edge,needle",
    [
        (lambda mu: GradientDescent(2.05 / mu), "eta * mu_max < 2, i.e. eta < "),
        (lambda mu: Momentum(2.5 / mu, 0.2), "eta * mu_max < 2 (1 + beta) = 2.4, i.e. eta < "),
    ],
)
def test_step_beyond_the_limit_is_refused_with_the_limit(opt_of_edge, needle):
    s = Spectrum.power_law(1.5, 1.25, 200)
    mu = spectral_edge(s, 50, 100).mu_max
    with pytest.raises(InvalidParameterError, match="beyond the stability limit") as info:
        predict(s, 50, 100, [1, 10], optimizer=opt_of_edge(mu))
    msg = str(info.value)
    assert needle in msg and f"mu_max = {mu:.6g}" in msg
    assert len(msg.splitlines()) == 1
    # just below the limit is accepted
    ok = GradientDescent(1.95 / mu)
    assert np.all(np.isfinite(predict(s, 50, 100, [1, 10], optimizer=ok).test_loss))


def test_sgd_limits_are_stated():
    s = Spectrum.power_law(1.5, 1.25, 200, sigma=0.3)
    mu = spectral_edge(s, 50, math.inf).mu_max
    with pytest.raises(InvalidParameterError, match=r"2B/\(B\+1\) = 1.6, i.e. eta < "):
        predict(s, 50, None, [1], optimizer=OnlineSGD(1.65 / mu, 4))
    # N = inf, B = 1: every mode is stable but the batch-noise gain A_K exceeds 1
    with pytest.raises(InvalidParameterError, match=r"A_K .* must be < 1"):
        predict(s, math.inf, None, [1], optimizer=OnlineSGD(0.7, 1))
