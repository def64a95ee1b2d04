"""The compute-optimal frontier's search on eight settings, two source trees side by side.

For each setting (power laws a, b; finite M; finite P with and without noise; the
feature-learning theory) the frontier is computed in a fresh process per tree
(``--before``, e.g. a checkout of main before a change, and this checkout). Reported per
setting: theory calls, CPU seconds (best of ``--repeat``, after a warm-up), how far N*
moved (relative), the largest relative change of L* each way (positive: the after tree's
L* is higher, i.e. worse) and of the fitted exponents.

Usage::

    python benchmarks/bench_frontier_search.py --before /path/to/main-checkout
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import write_result  # noqa: E402

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: name -> (spectrum a, b, M, sigma; frontier keywords; budgets as geomspace arguments)
SETTINGS = {
    "a=1.5, b=1.25, 50 budgets 1e4..1e12": ((1.5, 1.25, "inf", 0.0), {}, (1e4, 1e12, 50)),
    "a=2, b=1.5, 9 budgets 1e4..1e10": ((2.0, 1.5, "inf", 0.0), {"n_grid": 9}, (1e4, 1e10, 9)),
    "a=4, b=1.25, 9 budgets 1e4..1e10": ((4.0, 1.25, "inf", 0.0), {"n_grid": 9}, (1e4, 1e10, 9)),
    "a=1.15, b=2, 9 budgets 1e4..1e12": ((1.15, 2.0, "inf", 0.0), {}, (1e4, 1e12, 9)),
    "P=3000, sigma=0.2, 13 budgets 1e4..1e8": ((1.5, 1.25, "inf", 0.2), {"P": 3000},
                                                (1e4, 1e8, 13)),
    "M=1e4, 13 budgets 1e4..1e10": ((1.5, 1.25, 1e4, 0.0), {}, (1e4, 1e10, 13)),
    "P=1000, 20 budgets 1e3..1e9": ((1.5, 1.25, "inf", 0.0), {"P": 1000}, (1e3, 1e9, 20)),
    "feature learning a=b=2, gamma=1, 9 budgets 1e3..1e7": ((2.0, 2.0, "inf", 0.0),
                                                            {"gamma": 1.0}, (1e3, 1e7, 9)),
}

RUN = """
import json, math, resource, sys
import numpy as np
from scaling_dynamics import Spectrum
from scaling_dynamics.scaling import compute_optimal_frontier, feature_learning_frontier
(a, b, M, sigma), kw, (lo, hi, n), repeat = json.loads(sys.argv[1])
spectrum = Spectrum.power_law(a, b, float(M), sigma)
budgets = np.geomspace(lo, hi, int(n))
def frontier():
    if "gamma" in kw:
        return feature_learning_frontier(spectrum, budgets, kw["gamma"]).frontier
    return compute_optimal_frontier(spectrum, budgets, progress=False, **kw)
compute_optimal_frontier(Spectrum.power_law(1.5, 1.25, math.inf), [1e4, 1e5], n_grid=5)
cpus = []
for _ in range(repeat):
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    fr = frontier()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpus.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
print(json.dumps({"calls": fr.n_evaluations, "cpu": min(cpus), "N": fr.model_size.tolist(),
                  "L": fr.loss.tolist(), "fitted": fr.fitted(),
                  "at_bound": int(fr.at_bound.sum())}))
"""


def run(src: str, setting: tuple, repeat: int) -> dict:
    env = dict(os.environ, PYTHONPATH=src)
    out = subprocess.run([sys.executable, "-c", RUN, json.dumps([*setting, repeat])], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True,
                        help="checkout to compare against (its src/ is put on PYTHONPATH)")
    parser.add_argument("--repeat", type=int, default=2, help="frontiers per setting and tree")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    before = os.path.join(os.path.abspath(args.before), "src")
    after = os.path.join(HERE, "src")
    rows = [
        "| setting | calls before | calls after | CPU s before | CPU s after | N* moved "
        "| L* after/before - 1 (max, min) | exponents moved | at bound |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, setting in SETTINGS.items():
        b, a = run(before, setting, args.repeat), run(after, setting, args.repeat)
        dn = float(np.max(np.abs(np.array(a["N"]) / np.array(b["N"]) - 1)))
        dl = np.array(a["L"]) / np.array(b["L"]) - 1
        de = max(abs(a["fitted"][k] - b["fitted"][k]) for k in a["fitted"])
        rows.append(f"| {name} | {b['calls']} | {a['calls']} | {b['cpu']:.2f} | {a['cpu']:.2f} "
                    f"| {dn:.1e} | {dl.max():+.1e}, {dl.min():+.1e} | {de:.1e} "
                    f"| {b['at_bound']}, {a['at_bound']} |")
        print(rows[-1], flush=True)
    body = (
        f"Before: `{args.before}`; after: this checkout. One fresh process per setting and "
        f"tree, CPU best of {args.repeat} frontiers after a warm-up. `N* moved`: largest "
        "|N*_after / N*_before - 1|. L*: positive means the after tree's optimum is higher.\n\n"
        + "\n".join(rows)
    )
    if not args.no_write:
        print(write_result("frontier_search", "Compute-optimal frontier search, before and after",
                           body))


if __name__ == "__main__":
    main()
