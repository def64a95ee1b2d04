"""The feature-learning theory at finite N, its frontier and its crossover constant.

* gamma = 0: the contour nodes of the deterministic equivalent give the random-feature
  theory's loss (an independent route: Talbot inversion of the resolvent) for N < M,
  N > M and M = inf;
* gamma > 0: the seed mean of the exact simulation (one SVD per draw), for the loss and,
  sharper, for the gain over the lazy run on the same draws; the N = inf theory fails
  the same check (so it can fail);
* the crossover time reproduces the shared doc's section 5 table, and the constant
  measured at gamma_ref predicts direct runs at two other gammas;
* compute-optimal --gamma and exponents --gamma, and sweeps over gamma.
"""

from __future__ import annotations

import json
import math
from contextlib import redirect_stdout
from io import StringIO

import numpy as np
import pytest

from scaling_dynamics import Spectrum
from scaling_dynamics import predict as predict_random_features
from scaling_dynamics.cli import main
from scaling_dynamics.models import predict
from scaling_dynamics.models.feature_learning import draw_nodes, flow_losses
from scaling_dynamics.models.feature_learning._simulate import draw_projection
from scaling_dynamics.scaling import crossover, crossover_time
from scaling_dynamics.simulate._seeding import run_streams

FL = "feature-learning"


@pytest.mark.parametrize(("M", "N"), [(1024, 256), (400, 600), (math.inf, 300)])
def test_gamma_zero_contour_nodes_are_the_random_feature_theory(M, N):
    spec = Spectrum.power_law(a=2.0, b=2.0, M=M)
    t = np.logspace(-1, 6, 15)
    fl = predict(spec, N, math.inf, t, model=FL, gamma=0.0).test_loss
    rf = predict_random_features(spec, N, math.inf, t).test_loss
    np.testing.assert_allclose(fl, rf, rtol=1e-7)


def _simulated(spec, N, gammas, times, seeds):
    """Losses of the exact reduction, shape (seeds, gammas, times): one SVD per draw."""
    lam, wstar = np.asarray(spec.eigenvalues), np.asarray(spec.target_weights)
    out = np.empty((seeds, len(gammas), len(times)))
    for i, st in enumerate(run_streams(0, seeds)):
        nodes = draw_nodes(lam, wstar, draw_projection(st, N, lam.size))
        for j, g in enumerate(gammas):
            out[i, j] = flow_losses(nodes, g, times, rel_step=0.01)
    return out


def test_finite_N_theory_is_the_seed_mean_of_the_simulation():
    """N = 128, M = 512, beta = 0.5, gamma = 1 and 10, 10 draws: within 3 s.e., also for
    the gain over the lazy run on the same draws (a smaller s.e.); the N = inf theory is
    more than 5 s.e. off."""
    spec = Spectrum.power_law(a=2.0, b=2.0, M=512)
    times = np.array([1.0, 10.0, 100.0])
    seeds, gammas = 10, (0.0, 1.0, 10.0)
    sim = _simulated(spec, 128, gammas, times, seeds)
    lazy_theory = predict(spec, 128, math.inf, times, model=FL, gamma=0.0).test_loss
    for j, g in enumerate(gammas[1:], start=1):
        theory = predict(spec, 128, math.inf, times, model=FL, gamma=g).test_loss
        infinite = predict(spec, math.inf, math.inf, times, model=FL, gamma=g).test_loss
        mean, sem = sim[:, j].mean(0), sim[:, j].std(0, ddof=1) / math.sqrt(seeds)
        assert np.all(np.abs(theory - mean) < 3 * sem)
        gain = sim[:, j] - sim[:, 0]
        gmean, gsem = gain.mean(0), gain.std(0, ddof=1) / math.sqrt(seeds)
        assert np.all(np.abs((theory - lazy_theory) - gmean) < 3 * gsem)
        assert np.max(np.abs(infinite - mean) / sem) > 5


# doc section 5: t_x at gamma = 1e-4 .. 1e-1 (alpha = 2)
DOC_TX = {0.3: [1.01e6, 3.76e4, 1.40e3, 49.8], 0.5: [1.054e8, 1.053e6, 1.038e4, 88.7]}


@pytest.mark.parametrize("beta", [0.3, 0.5])
def test_crossover_time_reproduces_the_doc_table(beta):
    for gamma, want in zip((1e-4, 1e-3, 1e-2, 1e-1), DOC_TX[beta], strict=True):
        assert crossover_time(1.0 + 2.0 * beta, 2.0, gamma) == pytest.approx(want, rel=6e-3)


@pytest.mark.parametrize(("a", "gammas"), [(1.6, (1e-4, 1e-2)), (2.0, (1e-4, 1e-3))])
def test_crossover_constant_predicts_direct_runs_at_two_gammas(a, gammas):
    """c measured at gamma_ref (t_x ~ 1e4) against direct runs at two other gammas
    (beta = 0.3, 0.5; the constant drifts once t_x falls below ~100, see the docs)."""
    x = crossover(a=a, b=2.0)
    assert x.reference_gamma not in gammas
    for gamma in gammas:
        direct = crossover_time(a, 2.0, gamma)
        assert x.constant * gamma**x.exponent == pytest.approx(direct, rel=0.02)
    assert crossover(a=a, b=2.0, gamma=10.0).measured_time is None  # rich from t = 10


def cli_json(*argv):
    buf = StringIO()
    with redirect_stdout(buf):
        assert main([*argv, "--format", "json"]) == 0
    return json.loads(buf.getvalue())


def test_exponents_gamma_prints_the_measured_crossover():
    out = cli_json("exponents", "--a", "2", "--b", "2", "--gamma", "0.01")["feature_learning"]
    x = out["crossover"]
    assert x["constant"] == pytest.approx(1.038, rel=2e-3)  # 1.038e4 * 0.01^2 (doc)
    assert x["measured_time"] == pytest.approx(1.038e4, rel=2e-3)
    assert "crossover" not in cli_json("exponents", "--a", "4", "--b", "2",
                                       "--gamma", "1")["feature_learning"]  # easy task


def test_sweep_over_gamma_for_theory_and_compute_optimal(tmp_path):
    """gamma is a grid axis; gamma = 0 is today's random-feature frontier, gamma = 1 the
    feature-learning one with its closed forms (rich hard: 2(a-1)/(a+b+1) = 0.4)."""
    from scaling_dynamics.sweeps import Store, run_sweep

    grid = tmp_path / "grid.toml"
    grid.write_text('command = "compute-optimal"\n[options]\na = 2.0\nb = 2.0\n'
                    'compute = "1e2,1e3"\ngrid = 3\n[axes]\ngamma = [0.0, 1.0]\n')
    assert run_sweep(grid, tmp_path / "co", jobs=1).n_computed == 2
    points = {r["params"]["gamma"]: r["result"]
              for r in Store.open(tmp_path / "co").scan().ok.values()}
    plain = cli_json("compute-optimal", "--a", "2", "--b", "2", "--compute", "1e2,1e3",
                     "--grid", "3", "--no-progress")
    for key in ("model_size", "loss", "fitted"):
        assert points[0.0][key] == plain[key]
    assert "feature_learning" not in points[0.0]
    rich = points[1.0]["feature_learning"]
    assert rich["closed_form"]["compute_loss"] == pytest.approx(0.4)
    assert points[1.0]["loss"][1] < points[0.0]["loss"][1]  # feature learning helps

    grid.write_text('command = "theory"\n[options]\nN = 100\nM = 400\nP = "inf"\n'
                    'times = "1,100"\n[axes]\ngamma = [0.1, 1.0]\n')
    assert run_sweep(grid, tmp_path / "th", jobs=1).n_computed == 2
    spec = Spectrum.power_law(a=1.5, b=1.25, M=400)
    for r in Store.open(tmp_path / "th").scan().ok.values():
        want = predict(spec, 100, math.inf, [1.0, 100.0], model=FL, gamma=r["params"]["gamma"])
        np.testing.assert_allclose(r["result"]["test_loss"], want.test_loss, rtol=1e-12)
