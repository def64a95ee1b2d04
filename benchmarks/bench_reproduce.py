"""The full paper reproduction at the default preset: run time and the agreement table.

Runs ``scaling-dynamics reproduce all --out DIR`` exactly as a user would (a fresh
process, default preset unless told otherwise), then tabulates for every figure its wall
time, how many theory curves agree with their simulation points within 3 standard errors,
the largest deviation, and every measured exponent against its closed form. The machine's
load average before and after is recorded, since other processes slow the run.

    python benchmarks/bench_reproduce.py [--out DIR] [--preset default|full|tiny]
                                         [--threads N] [--copy-figures docs/figures]

``--threads N`` sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS for the run
(default: leave the environment alone). ``--copy-figures`` copies a few PNGs (named
``reproduce_<name>.png``) into a folder, e.g. for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from _machine import write_result

README_FIGURES = ("loss-dynamics", "frontier", "wider-is-better", "timescales")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="output folder (default: a temporary one)")
    parser.add_argument("--preset", default="default", choices=("tiny", "default", "full"))
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--copy-figures", default=None, metavar="DIR")
    parser.add_argument("--no-record", action="store_true",
                        help="print the table without writing benchmarks/results/reproduce.md")
    args = parser.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="reproduce_")
    env = dict(os.environ)
    if args.threads is not None:
        for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[key] = str(args.threads)
    exe = shutil.which("scaling-dynamics")
    cmd = ([exe] if exe else [sys.executable, "-m", "scaling_dynamics"]) + [
        "reproduce", "all", "--out", out, "--format", "json", "--no-progress"]
    if args.preset != "default":
        cmd += ["--preset", args.preset]
    load_before = os.getloadavg()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_after = os.getloadavg()
    if proc.returncode != 0:
        sys.exit(f"reproduce failed with status {proc.returncode}")
    doc = json.loads(proc.stdout)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)

    lines = [
        "| figure | time (s) | curves within 3 s.e. | points | max abs deviation (s.e.) | "
        "beyond 3 s.e. |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for f in doc["figures"]:
        agr = f["agreement"]
        ok = sum(a["agrees"] for a in agr)
        pts = sum(a["n_points"] for a in agr)
        worst = max((float(a["max_abs_deviation"]) for a in agr), default=float("nan"))
        bad = "; ".join(
            f"{a['label']} at {a['x_name']} = "
            + ", ".join(f"{float(x):.3g}" for x in a["above_threshold"][:4])
            + (" ..." if len(a["above_threshold"]) > 4 else "")
            for a in agr if not a["agrees"]) or "-"
        lines.append(f"| {f['name']} | {f['wall_time_s']:.1f} | {ok} / {len(agr)} | {pts} | "
                     f"{worst:.2f} | {bad} |")
    n_fig = len(doc["figures"])
    n_ok = sum(all(a["agrees"] for a in f["agreement"]) for f in doc["figures"])
    exps = [
        "| figure | exponent | measured | predicted | difference | measured from |",
        "|---|---|---:|---:|---:|---|",
    ]
    for f in doc["figures"]:
        for e in f["exponents"]:
            exps.append(f"| {f['name']} | {e['quantity']} | {float(e['measured']):.4f} | "
                        f"{float(e['predicted']):.4f} | {float(e['difference']):+.4f} | "
                        f"{e['source']} |")
    notes = [f"- {f['name']}: {n}" for f in doc["figures"] for n in f["notes"]]
    threads = env.get("OPENBLAS_NUM_THREADS", "not set in the environment")
    threads += (f"; the command makes the figures in {min(os.cpu_count() or 1, 11)} worker "
                "processes (its default --jobs, one per core) with one BLAS thread each")
    body = "\n".join([
        "Command: `scaling-dynamics reproduce all --out DIR"
        + ("" if args.preset == "default" else f" --preset {args.preset}") + "`",
        "",
        f"Total wall time: **{wall:.0f} s** ({wall / 60:.1f} min); CPU time of the run "
        f"(user + system): {cpu:.0f} s. BLAS threads: {threads}.",
        f"Load average before / after (1, 5, 15 min): "
        f"{' / '.join(f'{x:.1f}' for x in load_before)} -> "
        f"{' / '.join(f'{x:.1f}' for x in load_after)} "
        "(other processes on the machine slow the run; CPU time is the better measure of work).",
        "",
        f"Figures whose every theory curve lies within 3 standard errors of its simulation "
        f"points: {n_ok} of {n_fig}.",
        "",
        "## Agreement of theory and simulation, per figure",
        "",
        *lines,
        "",
        "## Measured against predicted exponents",
        "",
        *exps,
        *(["", "## Notes", "", *notes] if notes else []),
    ])
    print(body)
    if args.copy_figures:
        os.makedirs(args.copy_figures, exist_ok=True)
        for name in README_FIGURES:
            src = os.path.join(out, f"{name}.png")
            if os.path.exists(src):
                shutil.copyfile(src, os.path.join(args.copy_figures, f"reproduce_{name}.png"))
    if not args.no_record:
        name = "reproduce" if args.preset == "default" else f"reproduce_{args.preset}"
        path = write_result(name, f"Paper reproduction ({args.preset} preset)", body)
        print(f"\nwrote {path}; figures and report in {out}")


if __name__ == "__main__":
    main()
