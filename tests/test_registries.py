"""One test over every registered optimiser and model: a new entry is tested with no new code.

For each (model, optimiser) pair the model supports:
* theory against exact simulation (of the optimiser, or of the simulated optimiser a
  theory-only one is the limit of) within 3 standard errors on a small case;
* the stability limit honoured: at the largest stable step the theory gives a finite,
  non-negative curve, and 2 % beyond it a one-line InvalidParameterError, never a NaN;
* the optimiser's JSON record round trips, and the CLI lists it in ``--help``.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, LossCurves, Spectrum
from scaling_dynamics.models import MODELS
from scaling_dynamics.optimizers import OPTIMIZERS, optimizer_from_dict
from scaling_dynamics.theory import spectral_edge

SPEC = Spectrum.power_law(a=1.5, b=1.25, M=1000, sigma=0.2)
N, P, SEEDS = 250, 500, 24
PAIRS = [(m, o) for m in MODELS for o in OPTIMIZERS if o in MODELS[m].theory.optimizers]


def _times(optimizer) -> np.ndarray:
    """A few times in the optimiser's own clock (whole steps for discrete optimisers)."""
    _, per_time = optimizer.simulation_stand_in()
    base = np.array([0, 1, 3, 10, 30, 100])
    if optimizer.discrete:
        return base
    return np.round(base * per_time) / per_time  # times at whole steps of the stand-in


@pytest.mark.parametrize(("model_name", "name"), PAIRS)
def test_theory_agrees_with_simulation(model_name, name):
    """Each model's own small case (``Model.example_problem``): within 3 s.e. (+ its rtol)."""
    model, optimizer = MODELS[model_name], OPTIMIZERS[name].example()
    case = model.example_problem()
    spec, n, p, options = case["spectrum"], case["N"], case["P"], case["options"]
    stand_in, per_time = optimizer.simulation_stand_in()
    assert stand_in.name in model.simulation.optimizers
    times = _times(optimizer)
    theory = model.predict(spec, n, p, times, optimizer=optimizer, **options)
    sim = model.simulate(spec, n, p, np.round(times * per_time).astype(int) if per_time != 1.0
                         else times, optimizer=stand_in, n_seeds=case["n_seeds"], seed=11,
                         **options)
    assert isinstance(theory, LossCurves) and theory.time_unit == optimizer.time_unit
    sem = sim.test_loss_sem[1:] if sim.test_loss_sem is not None else 0.0
    allowed = 3.0 * sem + case["rtol"] * theory.test_loss[1:]
    gap = np.abs(sim.test_loss[1:] - theory.test_loss[1:])
    assert np.all(gap < allowed), f"{name}: gaps {gap} allowed {allowed}"


def _edge_eta(optimizer) -> float:
    mu = spectral_edge(SPEC, N, P).mu_max if optimizer.full_batch else \
        spectral_edge(SPEC, N, math.inf).mu_max
    return optimizer.stability_limit() / mu


@pytest.mark.parametrize(("model_name", "name"), PAIRS)
def test_stability_limit_is_honoured(model_name, name):
    model, optimizer = MODELS[model_name], OPTIMIZERS[name].example()
    if not math.isfinite(optimizer.stability_limit()):
        assert optimizer.stability_limit() == math.inf
        return
    times = [0, 1, 10, 100]

    def run(eta):
        return model.predict(SPEC, N, P, times, optimizer=dataclasses.replace(optimizer, eta=eta))

    edge = _edge_eta(optimizer)
    with pytest.raises(InvalidParameterError, match="eta"):
        run(1.02 * edge)
    lo, hi = 0.01 * edge, 1.02 * edge  # the largest stable step, by bisection
    for _ in range(10):
        mid = 0.5 * (lo + hi)
        try:
            run(mid)
            lo = mid
        except InvalidParameterError:
            hi = mid
    curve = run(lo)
    assert np.all(np.isfinite(curve.test_loss)) and np.all(curve.test_loss >= 0)
    with pytest.raises(InvalidParameterError, match="eta"):
        run(1.02 * hi)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_record_round_trips_through_json(name):
    optimizer = OPTIMIZERS[name].example()
    record = json.loads(json.dumps(optimizer.to_dict()))
    assert record["optimizer"] == name
    assert optimizer_from_dict(record) == optimizer


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_cli_lists_every_optimizer(name, capsys):
    from cli_helpers import run_cli

    code, out, _ = run_cli(capsys, "theory", "--help")
    assert code == 0
    assert name in out
    for option in OPTIMIZERS[name].cli_options:
        assert f"--{option}" in out


@pytest.mark.parametrize("model_name", list(MODELS))
def test_models_refuse_what_they_do_not_support(model_name):
    model = MODELS[model_name]
    unsupported = [o for o in OPTIMIZERS if o not in model.simulation.optimizers]
    for name in unsupported:
        with pytest.raises(InvalidParameterError, match="not supported"):
            from scaling_dynamics.models import simulate

            simulate(SPEC, N, P, [1], model=model_name, optimizer=OPTIMIZERS[name].example())
    if not model.simulation.infinite_M:
        from scaling_dynamics.models import simulate

        with pytest.raises(InvalidParameterError, match="`M` must be finite"):
            simulate(Spectrum.power_law(1.5, 1.25, M=math.inf), N, P, [1], model=model_name)
