"""Closed-form exponents of the feature-learning model against docs/feature-learning.md section 8."""

from __future__ import annotations

import pytest

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.models.feature_learning import feature_learning_exponents


def _ab(alpha, beta):
    """The library's (a, b) of the talk's (alpha, beta): b = alpha, a = 1 + alpha beta."""
    return 1.0 + alpha * beta, alpha


# alpha = 2 (doc section 4): beta -> lazy chi, rich chi
@pytest.mark.parametrize(("beta", "lazy", "rich"), [(0.3, 0.3, 0.4615), (0.5, 0.5, 0.6667),
                                                    (1.5, 1.5, 1.5)])
def test_time_exponents(beta, lazy, rich):
    a, b = _ab(2.0, beta)
    assert feature_learning_exponents(a, b, 0.0).chi == pytest.approx(lazy, abs=5e-5)
    e = feature_learning_exponents(a, b, 1.0)
    assert e.chi == pytest.approx(rich, abs=5e-5)
    assert (e.chi_lazy, e.chi_rich) == pytest.approx((lazy, rich), abs=5e-5)
    assert e.alpha == 2.0 and e.beta == pytest.approx(beta)


@pytest.mark.parametrize(("alpha", "beta", "regime"), [
    (2.0, 0.3, "hard"), (2.0, 0.999, "hard"), (2.0, 1.0, "easy"), (2.0, 1.5, "easy"),
    (2.0, 1.6, "super-easy"), (1.5, 1.3, "easy"), (1.5, 1.4, "super-easy"),
])
def test_regimes(alpha, beta, regime):
    """hard beta < 1; easy up to 2 - 1/alpha (1.5 at alpha = 2, 1.333 at 1.5); super-easy beyond."""
    assert feature_learning_exponents(*_ab(alpha, beta), 1.0).regime == regime


@pytest.mark.parametrize(("a", "b"), [(1.6, 2.0), (2.0, 2.0), (1.45, 1.5)])
def test_compute_optimal_exponents_hard(a, b):
    lazy = feature_learning_exponents(a, b, 0.0)
    rich = feature_learning_exponents(a, b, 0.5)
    assert lazy.loss_compute_exponent == pytest.approx((a - 1) / (b + 1))
    assert rich.loss_compute_exponent == pytest.approx(2 * (a - 1) / (a + b + 1))
    assert lazy.width_compute_exponent == pytest.approx(1 / (b + 1))
    assert rich.width_compute_exponent == pytest.approx(2 / (a + b + 1))
    assert rich.chi == pytest.approx(2 * (a - 1) / (a - 1 + b))
    assert rich.crossover_gamma_exponent == pytest.approx(-1 / (1 - (a - 1) / b))
    assert lazy.width_exponent == rich.width_exponent == pytest.approx(a - 1)


def test_easy_tasks_are_unchanged_by_gamma():
    lazy, rich = (feature_learning_exponents(4.0, 2.0, g) for g in (0.0, 10.0))
    assert lazy.chi == rich.chi == 1.5 and rich.loss_compute_exponent is None
    assert feature_learning_exponents(9.0, 2.0).width_exponent == 4.0  # alpha min(beta, 2)


def test_invalid_inputs_are_refused():
    with pytest.raises(InvalidParameterError, match="`gamma`"):
        feature_learning_exponents(2.0, 2.0, -1.0)
    with pytest.raises(InvalidParameterError, match="`a`"):
        feature_learning_exponents(1.0, 2.0)
    assert feature_learning_exponents(2.0, 2.0, 1.0).to_dict()["regime"] == "hard"
