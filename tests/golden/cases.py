"""The golden cases: a broad set of CLI and Python calls whose numbers must never change.

Recorded once before the redesign of issue 15 (``python tests/golden/cases.py --record``) and
re-run by ``tests/test_golden.py``: every number must match its recording to 1e-6 relative.
Each case returns a JSON-able object; values that depend on the machine or the clock
(wall times, versions, paths) are dropped by :func:`scrub` before comparing.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RECORDING = HERE / "recorded.json"

#: Keys whose values depend on the machine, the clock or the checkout, never on the maths.
VOLATILE = {"wall_time_s", "seconds", "version", "elapsed_s", "wall_s", "created", "timestamp",
            "path", "out", "store", "backend_label", "duration_s", "time_s", "hostname", "file",
            "files", "written", "machine"}

#: Commands without a --progress/--no-progress option.
NO_PROGRESS_OPTION = {"exponents"}

SMALL = ["--a", "1.5", "--b", "1.25", "--M", "400", "--N", "100", "--P", "200"]


def cli_json(*argv: str) -> object:
    """Run the CLI in-process with ``--format json`` and return its one JSON object."""
    from scaling_dynamics.cli import main

    buf, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
            quiet = [] if argv[0] in NO_PROGRESS_OPTION else ["--no-progress"]
            code = main([*argv, "--format", "json", *quiet])
    except SystemExit as exc:
        code = exc.code
    if code not in (0, None):
        raise RuntimeError(f"{argv} exited {code}: {err.getvalue()[-2000:]}")
    return json.loads(buf.getvalue())


def cli_out_dir(argv: list[str], suffix: str = ".json") -> dict[str, object]:
    """Run a command that writes into ``--out DIR``; return its stdout JSON and every JSON file."""
    with tempfile.TemporaryDirectory() as tmp:
        stdout = cli_json(*argv, "--out", tmp)
        files = {p.relative_to(tmp).as_posix(): json.loads(p.read_text())
                 for p in sorted(Path(tmp).rglob("*" + suffix))}
    return {"stdout": stdout, "files": files}


def sweep_case() -> object:
    from scaling_dynamics.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        grid = Path(tmp) / "grid.toml"
        grid.write_text(
            'name = "golden"\ncommand = "theory"\n[options]\nM = 400\ntimes = "1,10,100"\n'
            "[axes]\nN = [50, 100]\nP = [100, 400]\n"
        )
        store = str(Path(tmp) / "st")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main(["sweep", str(grid), "--store", store, "--no-progress"])
        summary = cli_json("sweep", store, "--summary")
        fit = cli_json("compute-optimal", "--store", store, "--where", "P=400")
    return {"summary": summary, "compute_optimal_store": fit}


def fit_case() -> object:
    import numpy as np

    rows = ["N,steps,loss"]
    rng = np.random.default_rng(3)
    for N in (16, 32, 64, 128, 256):
        for t in (10, 30, 100, 300, 1000, 3000):
            loss = 0.1 + 3.0 * N**-0.5 + 2.0 * t**-0.4
            rows.append(f"{N},{t},{loss * math.exp(0.01 * rng.standard_normal()):.10g}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "runs.csv"
        path.write_text("\n".join(rows) + "\n")
        return cli_json("fit", str(path), "--bootstrap", "20", "--compute", "1e4,1e6")


def plain(obj: object) -> object:
    """Any result object as plain JSON data: dataclass fields, arrays as lists (library-independent)."""
    import dataclasses

    import numpy as np

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return plain(obj.tolist())
    if isinstance(obj, (np.floating, np.integer, np.bool_)):
        return obj.item()
    if isinstance(obj, complex):
        return [obj.real, obj.imag]
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return repr(obj)


def python_cases() -> dict[str, object]:
    import numpy as np

    import scaling_dynamics as sd
    from scaling_dynamics import theory

    spec = sd.Spectrum.power_law(a=1.5, b=1.25, M=400, sigma=0.2)
    out: dict[str, object] = {}
    hbf = theory.predict(spec, N=100, P=200, times=[0.5, 5, 50, 500],
                         optimizer=theory.HeavyBallFlow(mass=2.0))
    out["heavy_ball_flow"] = hbf
    out["limit_loss"] = theory.limit_loss(spec, N=100, P=200)
    out["limit_loss_ensemble"] = theory.limit_loss(spec, N=100, P=200, ensemble=3)
    out["decompose_loss"] = theory.decompose_loss(spec, N=100, P=200, times=[1, 10, 100])
    out["spectral_edge"] = theory.spectral_edge(spec, N=100, P=200)
    out["sgd_limit"] = theory.sgd_limit(spec, N=100, eta=0.5, batch_size=4)
    tf = theory.transfer_functions(spec, N=100, P=200, times=[1, 10, 100])
    out["transfer_functions"] = tf
    td = theory.timescale_density(spec, N=100, P=200, u=np.geomspace(1e-3, 1, 6), modes=[1, 5, 20])
    out["timescale_density"] = td
    ens = sd.simulate(spec, N=80, P=160, times=[1, 10, 100], n_seeds=2, ensemble=2, seed=5)
    out["simulate_ensemble"] = ens
    lit = sd.simulate(spec, N=40, P=80, times=[0, 1, 5, 20], n_seeds=2, seed=1,
                      optimizer=sd.GradientDescent(eta=0.5), method="literal")
    out["simulate_gd_literal"] = lit
    lit_sgd = sd.simulate(spec, N=40, P=None, times=[0, 1, 5, 20], n_seeds=2, seed=1,
                          optimizer=sd.OnlineSGD(eta=0.3, batch_size=2), method="literal")
    out["simulate_sgd_literal"] = lit_sgd
    from scaling_dynamics import scaling

    out["exponents_steep"] = scaling.closed_form_exponents(4.0, 1.25)
    Ns = np.repeat([16.0, 32.0, 64.0], 4)
    ts = np.tile([1.0, 10.0, 100.0, 1000.0], 3)
    truth = [theory.predict(sd.Spectrum.power_law(1.5, 1.25, M=math.inf), N=int(n), P=math.inf,
                            times=[t]).test_loss[0] for n, t in zip(Ns, ts, strict=True)]
    fit = scaling.fit_theory(Ns, ts, truth, coarse_evaluations=4, fine_evaluations=2,
                             coarse_table=(6, 8), fine_table=(6, 8), n_inner_starts=1)
    out["fit_theory"] = fit
    return {"py_" + k: plain(v) for k, v in out.items()}


def cli_cases() -> dict[str, object]:
    gd = ["--optimizer", "gd", "--eta", "0.5"]
    hb = ["--optimizer", "momentum", "--eta", "0.4", "--beta", "0.5"]
    sgd = ["--optimizer", "sgd", "--eta", "0.5", "--batch", "4"]
    t = ["--times", "1,3,10,30,100"]
    cases: dict[str, object] = {
        "simulate_default": cli_json("simulate"),
        "simulate_noise": cli_json("simulate", *SMALL, "--sigma", "0.3", "--seeds", "3", *t),
        "simulate_gd": cli_json("simulate", *SMALL, *gd, "--seeds", "3", *t),
        "simulate_momentum": cli_json("simulate", *SMALL, *hb, "--seeds", "3", *t),
        "simulate_sgd": cli_json("simulate", *SMALL, *sgd, "--seeds", "3", *t),
        "simulate_sgd_expected": cli_json("simulate", *SMALL, *sgd, "--seeds", "3", *t,
                                          "--method", "expected"),
        "simulate_ensemble": cli_json("simulate", *SMALL, "--ensemble", "3", "--seeds", "2", *t),
        "simulate_N_inf": cli_json("simulate", "--M", "300", "--N", "inf", "--P", "200",
                                   "--seeds", "2", *t),
        "simulate_P_inf": cli_json("simulate", "--M", "300", "--N", "100", "--P", "inf",
                                   "--seeds", "2", *t),
        "theory_default": cli_json("theory"),
        "theory_noise": cli_json("theory", *SMALL, "--sigma", "0.3", *t),
        "theory_gd": cli_json("theory", *SMALL, *gd, *t),
        "theory_momentum": cli_json("theory", *SMALL, *hb, *t),
        "theory_sgd": cli_json("theory", *SMALL, *sgd, *t),
        "theory_ensemble": cli_json("theory", *SMALL, "--ensemble", "3", *t),
        "theory_all_inf": cli_json("theory", "--N", "inf", "--P", "inf", "--M", "inf",
                                   "--times", "1,10,100,1e3,1e4,1e5,1e6"),
        "theory_M_inf": cli_json("theory", "--N", "300", "--P", "600", "--M", "inf", *t),
        "theory_M_1e7": cli_json("theory", "--N", "300", "--P", "600", "--M", "1e7", *t),
        "exponents": cli_json("exponents", "--a", "1.5", "--b", "1.25"),
        "exponents_steep": cli_json("exponents", "--a", "4", "--b", "1.25"),
        "compute_optimal": cli_json("compute-optimal", "--compute", "1e4,1e5,1e6,1e7"),
        "compute_optimal_P": cli_json("compute-optimal", "--compute", "1e4,1e5,1e6",
                                      "--P", "3000", "--sigma", "0.2"),
        "compare": cli_out_dir(["compare", *SMALL, "--seeds", "3", *t]),
        "compare_momentum": cli_out_dir(["compare", *SMALL, *hb, "--seeds", "3", *t]),
        "scaling_figure": cli_out_dir(["scaling-figure", "all", "--quick"]),
        "fit": fit_case(),
        "sweep": sweep_case(),
    }
    return cases


def reproduce_cases() -> dict[str, object]:
    return {"reproduce_tiny": cli_out_dir(["reproduce", "all", "--preset", "tiny", "--no-report", "--jobs", "1"])}


def all_cases() -> dict[str, object]:
    return {**cli_cases(), **python_cases(), **reproduce_cases()}


def scrub(value: object) -> object:
    """Drop machine- and clock-dependent entries and name temporary folders ``<tmp>``."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()
                if k not in VOLATILE and not k.endswith("wall_time_s")}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return re.sub(r"/tmp/[^/\s']+", "<tmp>", value)
    return value


def differences(got: object, want: object, where: str = "", rtol: float = 1e-6,
                atol: float = 1e-12) -> list[str]:
    """Every place where ``got`` and ``want`` differ beyond ``rtol`` (numbers) or at all (rest)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{where}: expected an object, got {type(got).__name__}"]
        out = [f"{where}/{k}: missing" for k in want if k not in got]
        out += [f"{where}/{k}: new key" for k in got if k not in want]
        for k in want:
            if k in got:
                out += differences(got[k], want[k], f"{where}/{k}", rtol, atol)
        return out
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{where}: length {len(got) if isinstance(got, list) else '?'} != {len(want)}"]
        out = []
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            out += differences(g, w, f"{where}[{i}]", rtol, atol)
        return out
    numeric = (int, float)
    if isinstance(want, numeric) and not isinstance(want, bool) and isinstance(got, numeric):
        if math.isnan(want) and math.isnan(got):
            return []
        if want == got or abs(got - want) <= atol + rtol * abs(want):
            return []
        return [f"{where}: {got!r} != {want!r}"]
    if isinstance(want, str) and isinstance(got, str) and want != got:
        return [f"{where}: {got!r} != {want!r}"]
    return [] if got == want else [f"{where}: {got!r} != {want!r}"]


def _jsonable(obj: object) -> object:
    return json.loads(json.dumps(obj, default=float, allow_nan=True))


if __name__ == "__main__":
    if "--record" not in sys.argv:
        sys.exit("usage: python tests/golden/cases.py --record   (overwrites recorded.json)")
    cases = scrub(_jsonable(all_cases()))
    RECORDING.write_text(json.dumps(cases, indent=1, sort_keys=True, allow_nan=True) + "\n")
    print(f"recorded {len(cases)} cases to {RECORDING}")
