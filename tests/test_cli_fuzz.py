"""Every option of every command against hostile values (issue 17, sections 2 and 3).

The options are enumerated from ``scaling_dynamics.tasks.TASKS``, so a new option is
fuzzed as soon as it is declared. Each case runs the command in-process
(``scaling_dynamics.cli.main``) in an empty working directory, with a cheap baseline
for the other options, and asserts one of:

- a refusal: exit status != 0, exactly one line on stderr, no traceback, the line names
  the option (or, for a file argument, the file), no warning raised, nothing written;
- a success (never for the values of ``MUST_REFUSE`` given to a numeric option): exit status 0, one JSON object on stdout with no NaN anywhere and no
  infinite loss, within a time limit (nothing unbounded is started).

Values that are legitimately accepted (``inf`` for N, a folder named ``nan`` for --out)
simply run; what is checked then is that the run is finite and bounded.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import signal
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scaling_dynamics.cli import main
from scaling_dynamics.tasks import TASKS, Param

#: Hostile option values: zero, negative, huge, overflowing, not-a-number, infinities, empty,
#: empty list entries, Unicode digits, huge integers, wrong types, odd spellings.
HOSTILE = ("0", "-1", "1e308", "1e400", "nan", "inf", "-inf", "", "1,,2", "١٢",
           str(10**30), "1e9", "1000000000", "abc", "1.5", "-1e308", "1_000", "0x10",
           "log:1:1e15:3000000")

#: Values no numeric option may accept: not a number, overflowing to inf, an empty entry,
#: non-ASCII digits, odd spellings that ``float`` or ``int`` would read anyway.
MUST_REFUSE = {"nan", "1e400", "١٢", "1,,2", "", "abc", "1_000", "0x10"}

#: Options that take a list of numbers as text (no converter: parsed when the task runs).
NUMBER_LISTS = {"times", "compute"}

#: Seconds a successful run may take before it counts as unbounded work.
TIME_LIMIT = 60

#: Cheap settings of each command (the fuzzed option replaces its own entry).
#: "{data}" / "{spectrum}" are input files; "{out}" a folder that must not exist on failure.
BASELINE: dict[str, dict[str, str | None]] = {
    "simulate": {"N": "20", "P": "40", "M": "50", "seeds": "2", "times": "1,10"},
    "theory": {"N": "20", "P": "40", "M": "50", "times": "1,10"},
    "predict": {"spectrum": "{spectrum}", "N": "20", "P": "40", "times": "1,10"},
    "compare": {"N": "20", "P": "40", "M": "50", "seeds": "2", "times": "1,10", "out": "{out}"},
    "exponents": {},
    "compute-optimal": {"compute": "1e4,1e5,1e6", "grid": "5"},
    "fit": {"data": "{data}", "bootstrap": "0", "starts": "2", "holdout": "0"},
    "scaling-figure": {"name": "finite-size", "quick": None, "out": "{out}"},
    "reproduce": {"name": "sgd", "preset": "tiny", "no_report": None, "out": "{out}"},
    "spectrum": {"dataset": "synthetic", "samples": "60", "M": "20", "width": "16",
                 "bootstrap": "10"},
}

#: Commands whose successful runs take seconds (figures, simulations): the slow marker.
HEAVY = {"compare", "scaling-figure", "reproduce", "spectrum", "simulate"}


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise _Timeout

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A loss CSV and a spectrum file outside the working directories of the cases."""
    root = tmp_path_factory.mktemp("fuzz-inputs")
    rows = ["N,time,loss"]
    for n in (100, 300, 1000, 3000):
        for t in (10, 100, 1000, 10000):
            rows.append(f"{n},{t},{0.2 + 3 * n ** -0.4 + 2 * t ** -0.3:.8g}")
    (root / "data.csv").write_text("\n".join(rows) + "\n")
    k = np.arange(1, 101, dtype=np.float64)
    np.savez(root / "spectrum.npz", eigenvalues=k**-1.25, target_weights=k**-0.125)
    return {"data": str(root / "data.csv"), "spectrum": str(root / "spectrum.npz")}


def _argv(command: str, settings: dict[str, str | None]) -> list[str]:
    spec = TASKS[command].spec
    argv = [command]
    for name, value in settings.items():
        p = spec.params[name]
        if p.kind == "positional":
            argv.insert(1, value or "")
        elif p.kind == "flag":
            argv.append(p.flags[0])
        else:
            argv += [p.flags[0] + "=" + str(value)] if value is not None else [p.flags[0]]
    return argv


def _fuzzed(spec_params: dict[str, Param]) -> list[Param]:
    """Options that take a value (flags take none; ``format`` is fixed to json)."""
    return [p for p in spec_params.values() if p.kind != "flag" and p.name != "format"]


def _nan_or_inf_loss(obj: Any, key: str = "") -> str | None:
    """Where a NaN (anywhere) or an infinite loss is in the printed JSON, if anywhere."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            bad = _nan_or_inf_loss(v, str(k))
            if bad:
                return f"{k}/{bad}" if bad is not True else k
        return None
    if isinstance(obj, list):
        for v in obj:
            bad = _nan_or_inf_loss(v, key)
            if bad:
                return bad
        return None
    if isinstance(obj, str) and obj.lower() == "nan":
        return key or "nan"
    if isinstance(obj, float) and (math.isnan(obj) or (math.isinf(obj) and "loss" in key)):
        return key or "value"
    if isinstance(obj, str) and obj.lower() in ("inf", "-inf") and "loss" in key:
        return key
    return None


def _run(argv: list[str], cwd: Path) -> tuple[int, str, str, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            warnings.simplefilter("always")
            try:
                with _time_limit(TIME_LIMIT):
                    code = main(argv)
            except SystemExit as exc:
                code = int(exc.code or 0)
            except _Timeout:
                code = -999
    finally:
        os.chdir(old)
    seen = [f"{w.category.__name__}: {w.message}" for w in caught
            if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))]
    return code, out.getvalue(), err.getvalue(), seen


def _names(p: Param) -> list[str]:
    return [k.lower().replace("_", "-") for k in p.keys] + [p.name.lower().replace("_", "-")]


def _problems(command: str, p: Param, value: str, inputs: dict[str, str],
              tmp: Path) -> list[str]:
    """What is wrong with one case (empty: nothing)."""
    cwd = tmp / "cwd"
    cwd.mkdir()
    out_dir = str(tmp / "out")
    settings = {k: (v.format(out=out_dir, **inputs) if v else v)
                for k, v in BASELINE[command].items() if k != p.name}
    settings[p.name] = value
    settings["format"] = "json"
    argv = _argv(command, settings)
    code, stdout, stderr, seen = _run(argv, cwd)
    case = f"{' '.join(repr(a) for a in argv)}"
    if code == -999:
        return [f"{case}: still running after {TIME_LIMIT} s (unbounded work)"]
    bad = []
    if "Traceback" in stderr or "internal error" in stderr:
        bad.append(f"{case}: traceback\n{stderr[-800:]}")
    if code != 0:
        lines = [ln for ln in stderr.splitlines() if ln.strip()]
        if len(lines) != 1:
            bad.append(f"{case}: exit {code} with {len(lines)} lines on stderr:\n{stderr[-800:]}")
        text = stderr.lower().replace("_", "-")
        named = any(n in text for n in _names(p))
        if not named and p.converter is None and p.choices is None:
            named = value.lower() in stderr.lower()  # a file argument: the file's name
        if not named:
            bad.append(f"{case}: the error does not name `{p.keys[0]}`: {stderr.strip()!r}")
        if seen:
            bad.append(f"{case}: warnings on a refusal: {seen}")
        left = sorted(os.listdir(cwd)) + (["out"] if os.path.exists(out_dir) else [])
        if left:
            bad.append(f"{case}: refused but wrote {left}")
        return bad
    if value in MUST_REFUSE and (p.converter is not None or p.name in NUMBER_LISTS):
        bad.append(f"{case}: accepted silently (exit 0)")
    try:
        data = json.loads(stdout)
    except ValueError:
        return bad + [f"{case}: exit 0 without one JSON object on stdout: {stdout[:200]!r}"]
    where = _nan_or_inf_loss(data)
    if where:
        bad.append(f"{case}: exit 0 with a non-finite number at {where}")
    return bad


def _cases(heavy: bool) -> list[Any]:
    out = []
    for command, task in TASKS.items():
        if (command in HEAVY) != heavy:
            continue
        for p in _fuzzed(task.spec.params):
            marks = [pytest.mark.slow] if heavy else []
            out.append(pytest.param(command, p.name, id=f"{command}--{p.keys[0]}", marks=marks))
    return out


def _check(command: str, name: str, inputs: dict[str, str], tmp_path: Path) -> None:
    p = TASKS[command].spec.params[name]
    if p.choices is not None:
        values: tuple[str, ...] = ("", "nan", "١٢", "abc")
    elif p.name == "out":  # any name is a folder: an empty one, and one under a file
        values = ("", inputs["data"] + "/sub")
    else:
        values = HOSTILE
    problems = []
    for i, value in enumerate(values):
        tmp = tmp_path / f"case{i}"
        tmp.mkdir()
        problems += _problems(command, p, value, inputs, tmp)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("command", "name"), _cases(heavy=False))
def test_hostile_values(command: str, name: str, inputs: dict[str, str], tmp_path: Path) -> None:
    _check(command, name, inputs, tmp_path)


@pytest.mark.parametrize(("command", "name"), _cases(heavy=True))
def test_hostile_values_heavy(command: str, name: str, inputs: dict[str, str],
                              tmp_path: Path) -> None:
    _check(command, name, inputs, tmp_path)


def test_every_option_is_fuzzed() -> None:
    """The table covers every option that takes a value, of every command."""
    ids = {(c, n) for c, t in TASKS.items() for n in (p.name for p in _fuzzed(t.spec.params))}
    covered = {tuple(c.values) for c in _cases(False) + _cases(True)}
    assert ids == covered
    assert set(BASELINE) == set(TASKS)


# -- sweep: a command of its own (not a task); its options come from its parser


def _sweep_options() -> list[Any]:
    """The value-taking options of `sweep`, from the parser the command line builds."""
    import argparse

    from scaling_dynamics.cli import build_parser

    parser = build_parser(only="sweep")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out = []
    for action in sub.choices["sweep"]._actions:
        if action.nargs == 0 or action.dest in ("help", "format"):
            continue
        out.append(action)
    return out


#: Options of `sweep` read only when a grid runs (the others when a store is read).
_SWEEP_RUN = {"target", "store", "jobs", "scheduler"}


@pytest.fixture(scope="module")
def sweep_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("fuzz-sweep")
    grid = root / "grid.toml"
    grid.write_text('command = "theory"\n[options]\ntimes = "1,10"\nM = 50\n[axes]\nN = [10, 20]\n')
    store = root / "store"
    assert main(["sweep", str(grid), "--store", str(store), "--jobs", "1", "--no-progress"]) == 0
    return {"grid": str(grid), "store": str(store)}


@pytest.mark.parametrize("dest", [a.dest for a in _sweep_options()])
def test_hostile_sweep_values(dest: str, sweep_inputs: dict[str, str], tmp_path: Path) -> None:
    run = dest in _SWEEP_RUN
    problems = []
    for i, value in enumerate(HOSTILE):
        tmp = tmp_path / f"case{i}"
        tmp.mkdir()
        (tmp / "cwd").mkdir()
        out = tmp / "out"
        settings: dict[str, str] = (
            {"target": sweep_inputs["grid"], "store": str(out / "store"), "jobs": "1"} if run
            else {"target": sweep_inputs["store"], "plot": str(out / "p.png")})
        settings[dest] = value
        target = settings.pop("target")
        argv = ["sweep", "--format=json", "--no-progress"]
        for k, v in settings.items():
            opt = next(a for a in _sweep_options() if a.dest == k).option_strings[-1]
            argv.append(f"{opt}={v}")
        argv += ["--", target]
        code, stdout, stderr, seen = _run(argv, tmp / "cwd")
        case = " ".join(repr(a) for a in argv)
        if "Traceback" in stderr or "internal error" in stderr or code == -999:
            problems.append(f"{case}: traceback or unbounded\n{stderr[-600:]}")
        elif code != 0:
            lines = [ln for ln in stderr.splitlines() if ln.strip()]
            text = stderr.lower()
            if len(lines) != 1:
                problems.append(f"{case}: {len(lines)} lines on stderr:\n{stderr[-600:]}")
            if dest.replace("_", "-") not in text and value.lower() not in text:
                problems.append(f"{case}: the error names neither `{dest}` nor the value: "
                                f"{stderr.strip()!r}")
            if os.path.exists(out) or os.listdir(tmp / "cwd"):
                problems.append(f"{case}: refused but wrote files")
    assert not problems, "\n".join(problems)


# -- the cases of issue 17 by name: files, and work refused before it starts


def _one_line_refusal(argv: list[str], cwd: Path, needle: str) -> str:
    code, stdout, stderr, seen = _run(argv, cwd)
    assert code not in (0, -999), (argv, code, stdout[:200])
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr
    assert needle in stderr, stderr
    return stderr


def _npz(path: Path, **arrays: Any) -> str:
    k = np.arange(1, 51, dtype=np.float64)
    base = {"eigenvalues": k**-1.25, "target_weights": k**-0.125}
    base.update(arrays)
    np.savez(path, **base)
    return str(path)


def test_bad_spectrum_files_are_one_line_errors(tmp_path: Path) -> None:
    good = _npz(tmp_path / "good.npz")
    data = Path(good).read_bytes()
    (tmp_path / "truncated.npz").write_bytes(data[: len(data) // 2])
    cases = {
        str(tmp_path / "truncated.npz"): "damaged or truncated",
        _npz(tmp_path / "complex.npz", eigenvalues=(np.arange(1, 51) ** -1.25) + 0j):
            "complex values",
        _npz(tmp_path / "sigma1d.npz", sigma=np.array([0.1, 0.2])): "`sigma` in spectrum file",
        _npz(tmp_path / "sigmatext.npz", sigma=np.array("abc")): "`sigma` in spectrum file",
    }
    for path, needle in cases.items():
        _one_line_refusal(["predict", "--spectrum", path, "--times", "1"], tmp_path, needle)


def test_csv_rows_with_extra_fields_or_unicode_digits_are_refused(tmp_path: Path) -> None:
    rows = [f"{n},{t},{1 + n ** -0.5 + t ** -0.3:.6g}" for n in (10, 100, 1000)
            for t in (1, 10, 100, 1000)]
    extra = tmp_path / "extra.csv"
    extra.write_text("N,time,loss\n" + "\n".join(r + ",9" for r in rows) + "\n")
    _one_line_refusal(["fit", str(extra), "--bootstrap", "0"], tmp_path,
                      "line 2: 4 fields but the header names 3")
    digits = tmp_path / "digits.csv"
    digits.write_text("N,time,loss\n" + "\n".join(rows[:-1] + ["١٠,1,2"]) + "\n")
    _one_line_refusal(["fit", str(digits), "--bootstrap", "0"], tmp_path, "must hold a number")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_inputs_that_never_end_are_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    _one_line_refusal(["fit", str(fifo)], tmp_path, "not a regular file")
    _one_line_refusal(["predict", "--spectrum", str(fifo)], tmp_path, "not a regular file")
    if os.path.exists("/dev/zero"):
        _one_line_refusal(["fit", "/dev/zero"], tmp_path, "not a regular file")


@pytest.mark.parametrize(("argv", "needle"), [
    (["fit", "{data}", "--bootstrap", "1e18"], "`bootstrap` must be an integer >= 0 and <= 100,000"),
    (["compute-optimal", "--grid", "1e18"], "`grid` must be an integer >= 3 and <= 10,000"),
    (["compute-optimal", "--compute", "log:1e4:1e10:50000", "--grid", "10000"],
     "theory evaluations"),
    (["compute-optimal", "--compute", "1e6"], "at least 2 different budgets"),
    (["theory", "--times", "log:1:1e15:3000000"], "at most 100,000"),
    (["simulate", "--times", "log:1:1e15:3000000"], "at most 100,000"),
    (["theory", "--times", "1,,2"], "no empty entries"),
    (["theory", "--times", "1e308"], "`times` must be at most 1e+20"),
    (["spectrum", "--width", "1e9"], "`width` = 1000000000"),
    (["spectrum", "--samples", "1e9"], "`samples` = 1000000000"),
    (["simulate", "--seeds", "1e15", "--N", "20", "--P", "40", "--M", "50"], "GiB of memory"),
    (["compare", "--seeds", "1e9", "--out", "{out}"], "GiB of memory"),
    (["exponents", "--a", "1e308"], "`a` must be a number > 1 and <= 20"),
    (["exponents", "--fit-decades", "2"], "give --store DIR"),
    (["theory", "--N", "1e400"], "overflows float64"),
    (["theory", "--sigma", "1e308"], "`sigma` must be a number >= 0 and <= 1e+100"),
    (["theory", "--N", "1e308"], "at most 2^53"),
    (["fit", "{data}", "--seed", "-1"], "`seed` must be an integer in [0, 2^63 - 1]"),
    (["compare", "--times", "0", "--out", "{out}"], "a time > 0"),
])
def test_work_that_cannot_finish_is_refused_at_once(argv: list[str], needle: str,
                                                    inputs: dict[str, str],
                                                    tmp_path: Path) -> None:
    import time

    (tmp_path / "cwd").mkdir()
    argv = [a.format(out=str(tmp_path / "out"), **inputs) for a in argv]
    started = time.perf_counter()
    _one_line_refusal(argv, tmp_path / "cwd", needle)
    assert time.perf_counter() - started < 10  # refused before the work, not during it
    assert not (tmp_path / "out").exists() and not os.listdir(tmp_path / "cwd")
