"""Sweeps: wall time of one simulation sweep serially, on 2 local processes and on a
2-worker local Dask cluster, and the scheduling overhead per point of 1000 cheap points.

The simulation sweep runs ``--repeats`` rounds (default 3) with the executors
interleaved, each run into an empty store, and the table gives every run and the
best (other work on a shared machine slows some runs); the 1000-point sweeps run
once per executor. The simulation sweep is a 24-point grid of uneven
points (N from 32 to 1024, P from 256 to 4096, M = 2000, 4 seeds). The Dask
cluster is a ``distributed.LocalCluster`` with two worker processes of one thread
each, started before the clock (as a running cluster would be); its start-up time
is reported apart.

Overhead per point = (workers x wall - sum of the time spent inside the command) / points:
the worker-seconds each point costs beyond its own computation (argument
handling, process hand-over or Dask scheduling, writing and fsync-ing the record,
the journal, progress). It is measured on 1000 points of ``exponents`` (closed
form, ~0 compute: pure overhead) and on 1000 tiny simulations (or 1000 cheap
``theory`` points once that command exists).

    python benchmarks/bench_sweeps.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
import warnings

from _machine import write_result

from scaling_dynamics.cli import COMMANDS
from scaling_dynamics.sweeps import load, parse_grid, run_sweep

SIMULATION = {
    "command": "simulate",
    "options": {"a": 1.5, "b": 1.25, "M": 2000, "seeds": 4, "times": "log:1:1e4:17"},
    "axes": {"N": {"log": [32, 1024], "num": 8}, "P": [256, 1024, 4096]},
}
EXPONENTS = {  # 1000 closed-form points: the command costs ~nothing
    "command": "exponents",
    "axes": {"a": {"linear": [1.1, 5.0], "num": 40}, "b": {"linear": [1.05, 3.0], "num": 25}},
}
TINY_SIMULATIONS = {  # 1000 tiny simulations
    "command": "simulate",
    "options": {"M": 50, "P": 30, "seeds": 1, "times": "1,10,100"},
    "axes": {"N": {"linear": [10, 49], "num": 40}, "a": {"linear": [1.2, 3.6], "num": 25}},
}
CHEAP_THEORY = {  # used instead of the tiny simulations when `theory` exists
    "command": "theory",
    "options": {"M": 200, "P": 100, "times": "1,10,100"},
    "axes": {"N": {"linear": [10, 49], "num": 40}, "a": {"linear": [1.2, 3.6], "num": 25}},
}


def timed_sweep(grid, folder: str, **kwargs):
    if os.path.exists(folder):
        shutil.rmtree(folder)
    report = run_sweep(grid, folder, progress=False, **kwargs)
    assert report.n_failed == 0, report.failures[:3]
    return report


def identical(folders: list[str]) -> bool:
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tables = [load(f) for f in folders]
    try:
        for t in tables[1:]:
            pd.testing.assert_frame_equal(tables[0], t, check_exact=True)
    except AssertionError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default=None, help="where the stores go (default: a temp dir)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="rounds of the simulation sweep, executors interleaved (default 3)")
    args = parser.parse_args()
    import distributed

    work = args.workdir or tempfile.mkdtemp(prefix="bench-sweeps-")
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    cluster_start = time.perf_counter() - start
    address = cluster.scheduler_address
    configs = [("serial (in process)", {"jobs": 1}), ("--jobs 2 (processes)", {"jobs": 2}),
               ("Dask LocalCluster, 2 workers", {"scheduler": address})]

    try:
        # ------------------------------------------------------------------ simulation sweep
        # Rounds interleave the executors so that other work on the machine, if any,
        # weighs on all of them alike; the table reports each run and the best.
        grid = parse_grid(SIMULATION)
        walls: dict[str, list[float]] = {label: [] for label, _ in configs}
        compute: dict[str, list[float]] = {label: [] for label, _ in configs}
        workers: dict[str, int] = {}
        folders = []
        for round_ in range(args.repeats):
            for label, kw in configs:
                folder = os.path.join(work, f"sim{round_}-" + label.split()[0].strip("-"))
                r = timed_sweep(grid, folder, **kw)
                walls[label].append(r.wall_time_s)
                compute[label].append(r.compute_time_s)
                workers[label] = r.workers
                if round_ == 0:
                    folders.append(folder)
                print(f"round {round_}: {label}: {r.wall_time_s:.1f} s", flush=True)
        same_sim = identical(folders)
        serial_best = min(walls[configs[0][0]])
        rows = []
        for label, _ in configs:
            best = min(walls[label])
            i = walls[label].index(best)
            runs = ", ".join(f"{w:.1f}" for w in walls[label])
            rows.append(f"| {label} | {workers[label]} | {grid.n_points} | {runs} | {best:.1f} | "
                        f"{compute[label][i]:.1f} | {serial_best / best:.2f} |")
            print(rows[-1], flush=True)

        # ------------------------------------------------------------------ overhead
        cheap = [("exponents (closed form)", EXPONENTS)]
        if "theory" in COMMANDS:
            cheap.append(("theory (M = 200, P = 100, 3 times)", CHEAP_THEORY))
            cheap_note = "cheap theory points"
        else:
            cheap.append(("simulate (M = 50, P = 30, 1 seed, 3 times)", TINY_SIMULATIONS))
            cheap_note = ("tiny simulations, because the `theory` command did not exist yet "
                          "when this was recorded")
        orows = []
        same_cheap = []
        for name, spec in cheap:
            g = parse_grid(spec)
            folders = []
            for label, kw in configs:
                folder = os.path.join(work, f"{spec['command']}-" + label.split()[0].strip("-"))
                r = timed_sweep(g, folder, **kw)
                folders.append(folder)
                overhead = (r.workers * r.wall_time_s - r.compute_time_s) / r.n_computed
                orows.append(
                    f"| {name} | {label} | {r.n_computed} | {r.wall_time_s:.2f} | "
                    f"{1e3 * r.compute_time_s / r.n_computed:.2f} | {1e3 * overhead:.2f} | "
                    f"{r.n_computed / r.wall_time_s:.0f} |"
                )
                print(orows[-1], flush=True)
            # resuming a complete sweep: validate the grid, scan the store, compute nothing
            t0 = time.perf_counter()
            again = run_sweep(spec and parse_grid(spec), folders[0], jobs=1, progress=False)
            resume = time.perf_counter() - t0
            assert again.n_computed == 0
            t0 = time.perf_counter()
            frame = load(folders[0])
            load_s = time.perf_counter() - t0
            orows.append(f"| {name} | re-run of the complete sweep (nothing to compute) | 0 | "
                         f"{resume:.2f} | | | |")
            orows.append(f"| {name} | `sweeps.load` of the store ({len(frame)} rows) | | "
                         f"{load_s:.2f} | | | |")
            same_cheap.append(identical(folders))
    finally:
        cluster.close()

    load_after = os.getloadavg()[0]
    body = (
        f"Load average (1 min) of the machine before / after the runs: {load_before:.1f} / "
        f"{load_after:.1f} (other work on the machine, if any, competes for the 2 cores).\n\n"
        "## One simulation sweep\n\n"
        "24 points: N = 32..1024 (8 log-spaced) x P = 256, 1024, 4096; M = 2000, a = 1.5, "
        "b = 1.25, 4 seeds, 17 times, gradient flow. Each run starts from an empty store; "
        f"{args.repeats} rounds with the executors interleaved; speed-up = best serial wall / "
        "best wall. "
        f"Dask cluster start-up (not in the wall times): {cluster_start:.1f} s. "
        f"Tables bit-identical across the three runs: {'yes' if same_sim else 'NO'}.\n\n"
        "| executor | workers | points | wall s of each run | best wall s | in-command s (sum, "
        "best run) | speed-up vs serial |\n"
        "|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "## Scheduling overhead per point (1000 cheap points)\n\n"
        f"Overhead per point = (workers x wall - sum of in-command time) / points. The "
        f"second grid uses {cheap_note}. Tables bit-identical across executors: "
        f"{', '.join('yes' if s else 'NO' for s in same_cheap)}.\n\n"
        "| points | executor | points | wall s | in-command ms/point | overhead ms/point "
        "(worker time) | points/s |\n|---|---|---|---|---|---|---|\n" + "\n".join(orows) + "\n"
    )
    path = write_result("sweeps", "Sweeps: executors and overhead", body)
    print(body)
    print(f"wrote {path}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
