"""Record the gradient-flow reference curves of tests/test_theory_speed_accuracy.py.

Run once with the code *before* the windowed-contour change of issue 18 on the path, e.g.

    PYTHONPATH=/work/base/src python tests/data/theory_reference.py

It writes ``theory_reference.json`` beside this file: for every case, the curves of the
default ``predict`` (per-time Talbot contours, 18 nodes) and of a slow reference (Talbot
with 24 nodes per variable and, where the spectrum allows, exact mode sums).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

TIMES = np.geomspace(1e-2, 1e6, 33)

#: name -> (M, N, P, sigma, ensemble); M = 0 means inf
CASES = {
    "M1e4_N<P": (1e4, 1000, 2000, 0.0, 1),
    "M1e4_N>P_noise": (1e4, 2000, 1000, 0.5, 1),
    "M1e4_Pinf": (1e4, 1000, math.inf, 0.0, 1),
    "M1e4_N=P_noise_ens3": (1e4, 1500, 1500, 0.5, 3),
    "M1e7_N<P": (1e7, 1000, 2000, 0.0, 1),
    "Minf_N<P": (math.inf, 1000, 2000, 0.0, 1),
    "Minf_N>P_noise_ens4": (math.inf, 400, 100, 0.3, 4),
    "Minf_Ninf": (math.inf, math.inf, 500, 0.2, 1),
    "M400_exact_N<P": (400, 100, 200, 0.0, 1),
    "M400_exact_N>P_noise": (400, 300, 100, 0.5, 2),
}


def curves(M, N, P, sigma, ensemble, **options):
    from scaling_dynamics import Spectrum, predict

    spec = Spectrum.power_law(1.5, 1.25, M if math.isinf(M) else int(M), sigma=sigma)
    c = predict(spec, N, P, TIMES, ensemble=ensemble, **options)
    return {"test": c.test_loss.tolist(), "train": c.train_loss.tolist(),
            "scale": spec.initial_loss + sigma**2}


def main() -> None:
    out = {"times": TIMES.tolist(), "cases": {}}
    for name, (M, N, P, sigma, E) in CASES.items():
        slow = {"n_nodes": 24}
        if math.isfinite(M) and M <= 1e4:
            slow["compress"] = "off"
        out["cases"][name] = {
            "default": curves(M, N, P, sigma, E),
            "slow": curves(M, N, P, sigma, E, **slow),
        }
        print(name, flush=True)
    path = Path(__file__).with_name("theory_reference.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
