"""Whole-process times of the command line: import, --help, one theory curve, a frontier.

Each command runs as a fresh process (``python -m scaling_dynamics ...``) against two
source trees side by side: ``--before`` (e.g. a checkout of main before a change) and
this checkout, alternating run by run so both see the same machine load. Reported per
command: the best wall time of ``--repeat`` runs and the best CPU time (user + system of
the child: less sensitive to other processes on a shared machine than wall time).
Reference rows give the floor: the bare interpreter, NumPy, and scipy.special.

Python compiles a module's source on every import unless its bytecode is cached; with
``PYTHONDONTWRITEBYTECODE`` set (as on the project's shared machine) nothing is cached, so
every run compiles the library's modules (~250 KB of source for a theory run). The main
table uses the environment as it is and says which; a second table times the theory
command with bytecode cached (``PYTHONPYCACHEPREFIX`` in a temporary folder, warmed up
first), as an installed package runs.

Usage::

    python benchmarks/bench_startup.py --before /path/to/main-checkout [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import write_result  # noqa: E402

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: (label, python arguments)
COMMANDS = [
    ("`import scaling_dynamics.cli`", ["-c", "import scaling_dynamics.cli"]),
    ("`scaling-dynamics --help`", ["-m", "scaling_dynamics", "--help"]),
    ("`scaling-dynamics theory --M 1e4 --N 1000 --P 2000`",
     ["-m", "scaling_dynamics", "theory", "--M", "1e4", "--N", "1000", "--P", "2000"]),
    ("`scaling-dynamics compute-optimal --a 1.5 --b 1.25 --compute log:1e4:1e12:50`",
     ["-m", "scaling_dynamics", "compute-optimal", "--a", "1.5", "--b", "1.25",
      "--compute", "log:1e4:1e12:50"]),
]
REFERENCES = [
    ("`python -c pass` (interpreter)", ["-c", "pass"]),
    ("`import numpy`", ["-c", "import numpy"]),
    ("`import numpy, scipy.special`", ["-c", "import numpy, scipy.special"]),
]


#: Set by --cached: the environment of every child (bytecode cached in a temporary folder).
BASE_ENV: dict[str, str] = {}


def bytecode_env(prefix: str) -> dict[str, str]:
    """The environment with bytecode written to and read from ``prefix``."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=prefix)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_once(args: list[str], src: str | None) -> tuple[float, float]:
    """(wall s, CPU s) of one child process."""
    env = dict(BASE_ENV or os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def best_of(args: list[str], srcs: list[str | None], repeat: int) -> list[tuple[float, float]]:
    """Best wall and best CPU per source tree, the trees alternating run by run."""
    best = [(float("inf"), float("inf")) for _ in srcs]
    for _ in range(repeat):
        for i, src in enumerate(srcs):
            wall, cpu = run_once(args, src)
            best[i] = (min(best[i][0], wall), min(best[i][1], cpu))
    return best


#: Run in each tree: the 50-budget frontier in-process, counting the theory's calls, (N, t)
#: points and contour windows (one per decade of a call's times, as the theory cuts them),
#: CPU best of 3 after a warm-up; prints one JSON object.
COUNT_FRONTIER = """
import json, math, resource, time
import numpy as np
import scaling_dynamics.theory as th
from scaling_dynamics import Spectrum
from scaling_dynamics.scaling import compute_optimal_frontier
calls, points, windows = [0], [0], [0]
predict = th.predict
def counted(spectrum, N, P, times, **kw):
    calls[0] += 1
    points[0] += np.size(times)
    start = -1.0
    for t in np.sort(np.asarray(times, dtype=float)):
        if start < 0 or t > 10.0 * start:
            start, windows[0] = t, windows[0] + 1
    return predict(spectrum, N, P, times, **kw)
th.predict = counted
spectrum, budgets = Spectrum.power_law(1.5, 1.25, math.inf), np.geomspace(1e4, 1e12, 50)
compute_optimal_frontier(spectrum, budgets[::49], progress=False)
cpus = []
for _ in range(3):
    calls[0] = points[0] = windows[0] = 0
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    fr = compute_optimal_frontier(spectrum, budgets, progress=False)
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpus.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
print(json.dumps({"calls": calls[0], "points": points[0], "windows": windows[0],
                  "cpu": min(cpus), "N": fr.model_size.tolist(), "L": fr.loss.tolist(),
                  "fitted": fr.fitted()}))
"""


def count_frontier(src: str) -> dict:
    env = dict(os.environ, PYTHONPATH=src)
    out = subprocess.run([sys.executable, "-c", COUNT_FRONTIER], env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def frontier_rows(before: str, after: str) -> list[str]:
    """Theory calls, (N, t) points and CPU of the frontier in both trees; how far they differ."""
    import numpy as np

    b, a = count_frontier(before), count_frontier(after)
    dn = float(np.max(np.abs(np.array(a["N"]) / np.array(b["N"]) - 1)))
    dl = float(np.max(np.abs(np.array(a["L"]) / np.array(b["L"]) - 1)))
    lower = float(np.max(np.array(a["L"]) / np.array(b["L"]) - 1))
    de = max(abs(a["fitted"][k] - b["fitted"][k]) for k in a["fitted"])
    return [
        "| frontier of 50 budgets 1e4..1e12 (in-process) | before | after |",
        "|---|---|---|",
        f"| theory calls | {b['calls']} | {a['calls']} |",
        f"| (N, t) points evaluated | {b['points']} | {a['points']} |",
        f"| contour windows (decades of t per call, summed) | {b.get('windows', '')} | "
        f"{a.get('windows', '')} |",
        f"| CPU s (frontier only, best of 3) | {b['cpu']:.3f} | {a['cpu']:.3f} |",
        "",
        f"After against before: N* within {dn:.1e} relative (both within the search's "
        f"`xatol` = 2e-3 in log N), L* within {dl:.1e} relative (after - before at most "
        f"{lower:+.1e} relative), fitted exponents within {de:.1e}.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True,
                        help="checkout to compare against (its src/ is put on PYTHONPATH)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per command and tree")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    before = os.path.join(os.path.abspath(args.before), "src")
    after = os.path.join(HERE, "src")
    load0 = os.getloadavg()
    rows = [
        "| command | before wall s | after wall s | before CPU s | after CPU s |",
        "|---|---|---|---|---|",
    ]
    for label, cmd in COMMANDS:
        repeat = args.repeat if "compute-optimal" not in label else max(2, args.repeat // 3)
        (bw, bc), (aw, ac) = best_of(cmd, [before, after], repeat)
        rows.append(f"| {label} | {bw:.3f} | {aw:.3f} | {bc:.3f} | {ac:.3f} |")
        print(rows[-1], flush=True)
    for label, cmd in REFERENCES:
        ((w, c),) = best_of(cmd, [None], args.repeat)
        rows.append(f"| reference: {label} | {w:.3f} | | {c:.3f} | |")
        print(rows[-1], flush=True)
    frontier = frontier_rows(before, after)
    print("\n".join(frontier), flush=True)
    cached = [
        "| with bytecode cached | before wall s | after wall s | before CPU s | after CPU s |",
        "|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as prefix:
        BASE_ENV.update(bytecode_env(prefix))
        for label, cmd in COMMANDS[:3]:
            best_of(cmd, [before, after], 1)  # writes the bytecode
            (bw, bc), (aw, ac) = best_of(cmd, [before, after], args.repeat)
            cached.append(f"| {label} | {bw:.3f} | {aw:.3f} | {bc:.3f} | {ac:.3f} |")
            print(cached[-1], flush=True)
        BASE_ENV.clear()
    load1 = os.getloadavg()
    bytecode = ("not cached (`PYTHONDONTWRITEBYTECODE` is set: every run compiles the "
                "library's modules)" if os.environ.get("PYTHONDONTWRITEBYTECODE")
                else "cached as the environment allows")
    body = (
        f"Before: `{args.before}`; after: this checkout. Each command is a fresh process, "
        f"best of {args.repeat} runs (compute-optimal: best of {max(2, args.repeat // 3)}), "
        "the two trees alternating run by run. CPU = user + system time of the child. "
        f"Bytecode in the first table: {bytecode}; the second table caches it "
        "(`PYTHONPYCACHEPREFIX`, warmed up), as an installed package runs.\n\n"
        f"Load average (1 min) at the start and end: {load0[0]:.1f}, {load1[0]:.1f} on "
        f"{os.cpu_count()} cores: wall times on a busy machine are upper bounds; compare "
        "the columns of one row.\n\n" + "\n".join(rows) + "\n\n" + "\n".join(cached)
        + "\n\n" + "\n".join(frontier)
    )
    if not args.no_write:
        print(write_result("startup", "Start-up and whole-command times", body))


if __name__ == "__main__":
    main()
