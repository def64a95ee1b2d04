"""The theory fit recovers a, b and sigma of the library's own runs, with honest intervals.

Data: the theory's test loss (gradient flow) at N = 16..512, t = 1..1e4 in seven settings
(M finite and infinite, P finite and infinite, noise 0 and 0.5 %), fitted in the setting
of the runs (``M=``, ``P=``) with the scales fixed at 1 (the library's runs are in
theory units). Checked everywhere: a within 0.03, b within 0.05, sigma within 0.02, every
true value inside its reported 90 % interval. sigma enters only as the floor sigma^2, so
the data must resolve a floor of (0.02)^2 = 4e-4 when the true sigma is 0: with 0.5 %
noise that takes runs reaching losses near 0.01 (a = 2, b = 1.5 here; at a = 1.5 the loss
stays above 0.2 and sigma = 0 came out at 0.05); at a = 1.5 the noisy settings carry a
true sigma > 0, which the floor resolves. The full version (free scales, more settings)
is benchmarks/bench_theory_fit.py.
"""

import math
import warnings

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum
from scaling_dynamics._errors import ScalingDynamicsWarning
from scaling_dynamics.scaling import fit_theory
from scaling_dynamics.theory import predict

SIZES = (16, 32, 64, 128, 256, 512)
TIMES = np.geomspace(1, 1e4, 6)
UNIT = {"model_scale": 1.0, "time_scale": 1.0, "loss_scale": 1.0}


def runs(a, b, M, P, sigma, noise, seed=0):
    rng = np.random.default_rng(seed)
    spec = Spectrum.power_law(a, b, M, sigma=sigma)
    rows = []
    for n in SIZES:
        loss = predict(spec, n, P, TIMES).test_loss + sigma**2
        loss = loss * np.exp(noise * rng.standard_normal(TIMES.size))
        rows += [(n, t, x) for t, x in zip(TIMES, loss, strict=True)]
    return np.array(rows).T


SETTINGS = [  # a, b, M, P, sigma, noise
    (1.5, 1.25, math.inf, math.inf, 0.0, 0.0),
    (2.0, 1.5, math.inf, math.inf, 0.0, 0.005),  # losses down to 0.011: floor resolved
    (1.5, 1.25, math.inf, math.inf, 0.1, 0.005),  # losses >= 0.25, a floor of 0.01
    (1.8, 1.4, 300, math.inf, 0.0, 0.005),
    (1.5, 1.25, 300, math.inf, 0.2, 0.0),
    (1.5, 1.25, math.inf, 400, 0.3, 0.005),
    (1.8, 1.4, 1000, 200, 0.2, 0.0),
]


@pytest.mark.parametrize("a, b, M, P, sigma, noise", SETTINGS)
def test_recovers_a_b_sigma_inside_the_intervals(a, b, M, P, sigma, noise):
    N, t, L = runs(a, b, M, P, sigma, noise)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = fit_theory(N, t, L, M=M, P=P, fix=UNIT, holdout_fraction=None,
                         coarse_evaluations=3)
    assert not [w for w in caught if "structured residuals" in str(w.message)]
    assert fit.undetermined == {}
    assert fit.a == pytest.approx(a, abs=0.03)
    assert fit.b == pytest.approx(b, abs=0.05)
    assert fit.sigma == pytest.approx(sigma, abs=0.02)
    for name, truth in (("a", a), ("b", b), ("sigma", sigma)):
        lo, hi = fit.intervals[name]
        assert lo <= truth <= hi, (name, truth, lo, hi)
    assert set(fit.fixed) == set(UNIT) and "model_scale" not in fit.intervals


def test_a_known_sigma_and_fixed_parameters_are_held():
    N, t, L = runs(1.5, 1.25, math.inf, math.inf, 0.0, 0.005, seed=2)
    fit = fit_theory(N, t, L, sigma=0.0, fix={"model_scale": 1.0, "time_scale": 1.0},
                     holdout_fraction=None, coarse_evaluations=3)
    assert fit.sigma == 0.0 and fit.model_scale == 1.0 and fit.time_scale == 1.0
    assert fit.free == ("a", "b", "loss_scale")
    assert fit.a == pytest.approx(1.5, abs=0.03)


def test_refuses_unknown_or_invalid_fixed_parameters():
    N, t, L = runs(1.5, 1.25, math.inf, math.inf, 0.0, 0.0)
    with pytest.raises(InvalidParameterError, match="`fix` names a parameter"):
        fit_theory(N, t, L, fix={"floor": 0.1})
    with pytest.raises(InvalidParameterError, match="`fix a`"):
        fit_theory(N, t, L, fix={"a": 0.5})
    with pytest.raises(InvalidParameterError, match="`P`"):
        fit_theory(N, t, L, P=-3)


def test_cli_fits_in_the_runs_setting_with_fixed_scales(capsys, tmp_path):
    import json

    from cli_helpers import run_cli

    N, t, L = runs(1.5, 1.25, 300, math.inf, 0.0, 0.0)
    p = tmp_path / "runs.csv"
    p.write_text("N,steps,loss\n" + "".join(f"{n:g},{s:.10g},{x:.12g}\n"
                                            for n, s, x in zip(N, t, L, strict=True)))
    fixes = [x for k in UNIT for x in ("--fix", f"{k}=1")]
    code, out, err = run_cli(capsys, "fit", str(p), "--theory", "--M", "300", *fixes,
                             "--theory-evaluations", "2", "--bootstrap", "0", "--holdout", "0",
                             "--compute", "1e5", "--format", "json", "--no-progress")
    assert code == 0, err
    d = json.loads(out)
    th = d["theory"]
    alloc = d["theory_allocation"]
    (lo, hi), = alloc["loss_interval"]
    assert lo < alloc["loss"][0] < hi
    (n_lo, n_hi), = alloc["model_size_interval"]
    assert n_lo <= alloc["model_size"][0] <= n_hi
    assert th["M"] == 300 and th["fixed"] == UNIT and th["free"] == ["a", "b", "sigma"]
    assert abs(th["a"] - 1.5) < 0.03 and abs(th["b"] - 1.25) < 0.05
    assert th["intervals"]["a"][0] <= 1.5 <= th["intervals"]["a"][1]
    for bad in (["--fix", "model_scale"], ["--fix", "floor=1"], ["--M", "-2"]):
        code, out, err = run_cli(capsys, "fit", str(p), "--theory", *bad, "--bootstrap", "0")
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, (bad, err)


def test_warns_when_the_runs_had_a_finite_teacher_the_fit_ignores():
    # Runs at M = 300 fitted as if M = inf: the plateau leaves structured residuals.
    T = np.geomspace(1, 1e4, 8)
    spec = Spectrum.power_law(1.5, 1.25, 300)
    N = np.repeat([16.0, 64.0, 256.0], T.size)
    t = np.tile(T, 3)
    L = np.concatenate([predict(spec, int(n), math.inf, T).test_loss for n in (16, 64, 256)])
    with pytest.warns(ScalingDynamicsWarning, match="finite teacher or data set"):
        fit_theory(N, t, L, holdout_fraction=None, coarse_evaluations=2, max_evaluations=20)
