"""Speed of the mean-field theory: one gradient-flow curve (100 log times), before and after.

Issue 18's rows: one `predict` curve of 100 log-spaced times from 1e-2 to 1e6 for the power
law a = 1.5, b = 1.25 at N = 1000, P = 2000 with M = 1e4, M = inf, and M = 1e7 with the
spectrum's construction included. Each row is timed in a fresh worker process for every
source tree given (``--tree NAME=PATH``, e.g. the code before a change and after it); the
workers run alternately, round after round, and each reports its best time, so a busy
machine slows both trees alike. A second table times the checked-out tree against one
16-seed simulation of the same problems (``--seeds 0`` skips it).

    python benchmarks/bench_theory_speed.py --tree before=/work/base/src --tree after=src \
        [--rounds 5] [--repeats 5] [--seeds 16]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

ROWS = {
    "M = 1e4": "Spectrum.power_law(1.5, 1.25, 10**4)",
    "M = inf": "Spectrum.power_law(1.5, 1.25, math.inf)",
    "M = 1e7, spectrum construction included": None,
}

WORKER = r"""
import json, math, sys, time
import numpy as np
from scaling_dynamics import Spectrum, predict
times = np.geomspace(1e-2, 1e6, 100)
repeats = int(sys.argv[1])
def best(fn):
    fn()
    b = math.inf
    for _ in range(repeats):
        t = time.perf_counter(); fn(); b = min(b, time.perf_counter() - t)
    return b
s4 = Spectrum.power_law(1.5, 1.25, 10**4)
si = Spectrum.power_law(1.5, 1.25, math.inf)
out = {
    "M = 1e4": best(lambda: predict(s4, 1000, 2000, times)),
    "M = inf": best(lambda: predict(si, 1000, 2000, times)),
    "M = 1e7, spectrum construction included":
        best(lambda: predict(Spectrum.power_law(1.5, 1.25, 10**7), 1000, 2000, times)),
}
d = predict(s4, 1000, 2000, times).diagnostics
out["_nodes"] = d.get("n_mode_nodes")
print(json.dumps(out))
"""


def run_worker(path: str, repeats: int) -> dict:
    env = {**os.environ, "PYTHONPATH": os.path.abspath(path)}
    proc = subprocess.run([sys.executable, "-c", WORKER, str(repeats)], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def side_by_side(trees: dict[str, str], rounds: int, repeats: int) -> str:
    best = {name: {row: math.inf for row in ROWS} for name in trees}
    for _ in range(rounds):
        for name, path in trees.items():
            got = run_worker(path, repeats)
            for row in ROWS:
                best[name][row] = min(best[name][row], got[row])
        print(best, flush=True)
    names = list(trees)
    head = "| curve (N = 1000, P = 2000, 100 log times) | " + " | ".join(
        f"{n} s" for n in names) + (" | speed-up |" if len(names) == 2 else " |")
    lines = [head, "|---" * (len(names) + 1 + (len(names) == 2)) + "|"]
    for row in ROWS:
        vals = [best[n][row] for n in names]
        cells = " | ".join(f"{v:.4f}" for v in vals)
        ratio = f" | {vals[0] / vals[1]:.1f}x |" if len(names) == 2 else " |"
        lines.append(f"| {row} | {cells}{ratio}")
    return "\n".join(lines)


def against_simulation(seeds: int, repeats: int) -> str:
    from scaling_dynamics import Spectrum, predict, simulate

    times = np.geomspace(1e-2, 1e6, 100)
    rows = []
    for M, N, P, sigma in [(1e4, 1000, 2000, 0.0), (1e4, 2000, 1000, 0.5),
                           (1e4, 1000, math.inf, 0.0), (1e4, 1500, 1500, 0.5)]:
        spec = Spectrum.power_law(1.5, 1.25, int(M), sigma=sigma)
        predict(spec, N, P, times)
        t_theory = math.inf
        for _ in range(repeats):
            start = time.perf_counter()
            curves = predict(spec, N, P, times)
            t_theory = min(t_theory, time.perf_counter() - start)
        start = time.perf_counter()
        simulate(spec, N, P, times, n_seeds=seeds, seed=0, progress=False)
        t_sim = time.perf_counter() - start
        d = curves.diagnostics
        rows.append(f"| {int(M)} | {N} | {P} | {sigma} | {d['n_mode_nodes']} | {d['n_windows']} | "
                    f"{t_theory:.4f} | {t_sim:.1f} | {t_sim / t_theory:.0f} |")
        print(rows[-1], flush=True)
    return ("| M | N | P | sigma | mode nodes | windows | theory s | simulation s "
            f"({seeds} seeds) | ratio |\n|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", default=[],
                        help="NAME=PATH of a source tree (the folder holding scaling_dynamics)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=16)
    args = parser.parse_args()
    trees = dict(t.split("=", 1) for t in args.tree) or {"this tree": "src"}
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _machine import load_line, write_result

    load_before = load_line()
    table = side_by_side(trees, args.rounds, args.repeats)
    body = (
        "One gradient-flow curve = `predict` at 100 log-spaced times from 1e-2 to 1e6, power "
        "law a = 1.5, b = 1.25, N = 1000, P = 2000; best of "
        f"{args.rounds} worker processes x {args.repeats} calls after a warm-up, the trees' "
        "workers alternating round by round in one run (so load hits both alike). Trees: "
        + ", ".join(f"`{n}` = {p}" for n, p in trees.items()) + ".\n\n"
        + f"At the start: {load_before}\n\n" + table + "\n"
    )
    if args.seeds > 0:
        body += ("\nThe checked-out tree against one `simulate` call with "
                 f"{args.seeds} seeds at the same times (exact eigenbasis route), M = 1e4:\n\n"
                 + against_simulation(args.seeds, args.repeats) + "\n")
    path = write_result("theory_speed", "Theory speed: one gradient-flow curve of 100 times", body)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
