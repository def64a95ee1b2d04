"""Work and memory are estimated before a simulation starts; what cannot finish is refused."""

from __future__ import annotations

import time

import numpy as np
import pytest

import scaling_dynamics as sd
from scaling_dynamics import InvalidParameterError, ProblemTooLargeError
from scaling_dynamics.simulate import estimate_seconds

SPEC = sd.Spectrum.power_law(1.5, 1.25, M=400)


def _refused_fast(match, **kwargs):
    args = {"spectrum": SPEC, "N": 100, "P": 200, "times": [1, 10], **kwargs}
    start = time.perf_counter()
    with pytest.raises(ProblemTooLargeError, match=match) as info:
        sd.simulate(**args)
    assert time.perf_counter() - start < 2.0  # refused before any work
    assert "\n" not in str(info.value)
    return str(info.value)


def test_a_billion_seeds_is_refused_with_the_estimate():
    msg = _refused_fast("GiB of memory|would take at least", n_seeds=10**9)
    assert "seeds" in msg


def test_sgd_for_1e15_steps_is_refused_with_the_time_estimate_and_the_limit():
    msg = _refused_fast("would take at least", P=None, times=[1, 10**15],
                        optimizer=sd.OnlineSGD(0.1, 4))
    assert "max_seconds = 3600" in msg and "raise max_seconds" in msg


@pytest.mark.parametrize("method", ["expected", "literal"])
def test_every_sgd_method_is_bounded(method):
    _refused_fast("would take at least", P=None, times=[1, 10**13],
                  optimizer=sd.OnlineSGD(0.1, 4), method=method)


def test_literal_gd_is_bounded():
    _refused_fast("would take at least", times=[1, 10**12], optimizer=sd.GradientDescent(0.1),
                  method="literal")


def test_huge_sizes_are_refused_not_overflowing():
    _refused_fast("GiB of memory", N=1e308, P=1e308)


def test_the_limit_can_be_lowered_and_raised():
    _refused_fast("would take at least", n_seeds=4, max_seconds=1e-9)
    curves = sd.simulate(SPEC, 100, 200, [1, 10], n_seeds=2, max_seconds=1e6)
    assert np.all(np.isfinite(curves.test_loss))
    with pytest.raises(InvalidParameterError, match="max_seconds"):
        sd.simulate(SPEC, 100, 200, [1, 10], max_seconds=-1)


def test_the_estimate_is_not_pessimistic():
    # measured here: a small run takes longer than its estimate (the estimate errs fast)
    times = np.geomspace(1, 1e4, 20)
    start = time.perf_counter()
    sd.simulate(SPEC, 100, 200, times, n_seeds=4)
    took = time.perf_counter() - start
    assert estimate_seconds(100, 200, 400, times, "primal", "exact", 4, 1, 1) < took
