"""Record the discrete optimisers' theory values that tests/test_discrete_theory_speed_accuracy.py pins.

Run from a checkout *before* the contour speed-up (issue 18) to record the reference:
``PYTHONPATH=src python tests/data/make_discrete_theory_reference.py OUT.json``.
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np

from scaling_dynamics import GradientDescent, Momentum, OnlineSGD, Spectrum
from scaling_dynamics.theory import predict

DEFAULT_STEPS = [1, 2, 5, 10, 22, 46, 100, 215, 464, 1000, 2154, 4642, 10000]
GRID = [1, 2, 3, 5, 8, 13, 20, 35, 60, 100, 200, 500, 1000, 3000, 10000]
SGD_STEPS = [1, 2, 5, 10, 17, 30, 60, 100, 300, 1000, 3000, 10000, 100000]

CASES = [
    # name, (a, b, M, sigma), N, P, optimizer (name, args), steps
    ("hb-0.99", (1.5, 1.25, 1000, 0.0), 100, 200, ("momentum", (0.01, 0.99)), DEFAULT_STEPS),
    ("hb-0.9", (1.5, 1.25, 1000, 0.0), 100, 200, ("momentum", (0.01, 0.9)), DEFAULT_STEPS),
    ("hb-0.5", (1.5, 1.25, 1000, 0.3), 200, 400, ("momentum", (0.5, 0.5)), GRID),
    ("hb-0.8", (1.5, 1.25, 1000, 0.0), 400, 200, ("momentum", (0.5, 0.8)), GRID),
    ("hb-0.95-noise", (1.5, 1.25, 1000, 0.3), 200, 400, ("momentum", (0.05, 0.95)), GRID),
    ("gd-0.5", (1.5, 1.25, 1000, 0.3), 200, 400, ("gd", (0.5,)), GRID),
    ("gd-edge", (1.5, 1.25, 1000, 0.0), 200, 400, ("gd", (1.407,)), GRID),
    ("sgd-bench", (1.5, 1.25, 6400, 0.0), 1600, None, ("sgd", (0.25, 8)), SGD_STEPS),
    ("sgd-noise", (1.5, 1.25, 1000, 0.3), 100, None, ("sgd", (0.2, 1)), SGD_STEPS),
    ("sgd-edge", (1.5, 1.25, 1000, 0.0), 100, None, ("sgd", (1.2, 32)), SGD_STEPS),
    ("sgd-inf", (1.5, 1.25, math.inf, 0.3), 1000, None, ("sgd", (0.5, 4)), SGD_STEPS),
]

OPT = {"momentum": Momentum, "gd": GradientDescent, "sgd": OnlineSGD}


def run(case):
    name, (a, b, M, sigma), N, P, (opt, args), steps = case
    c = predict(Spectrum.power_law(a, b, M, sigma=sigma), N, P, np.array(steps),
                optimizer=OPT[opt](*args))
    return {"test": c.test_loss.tolist(), "train": c.train_loss.tolist()}


if __name__ == "__main__":
    out = {}
    for case in CASES:
        out[case[0]] = run(case)
        print(case[0], out[case[0]]["test"][:3], flush=True)
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=0)
