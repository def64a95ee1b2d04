"""The tasks registry: one data path for the command line and the sweeps."""

import json
import subprocess
import sys
from contextlib import redirect_stdout
from io import StringIO

import pytest

from scaling_dynamics._errors import InvalidParameterError
from scaling_dynamics.cli import COMMANDS, build_parser, main
from scaling_dynamics.sweeps import load_grid, parse_grid, run_sweep
from scaling_dynamics.sweeps._store import Store
from scaling_dynamics.tasks import TASKS


def test_importing_sweeps_imports_no_cli_module():
    code = ("import scaling_dynamics.sweeps, sys; "
            "bad = [m for m in sys.modules if m.startswith('scaling_dynamics.cli')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_command_but_sweep_is_a_task_with_the_same_help():
    assert set(COMMANDS) - {"sweep"} == set(TASKS)
    for name, task in TASKS.items():
        assert COMMANDS[name][1] == task.help


@pytest.mark.parametrize("name", sorted(TASKS))
def test_cli_options_and_defaults_come_from_the_task_spec(name):
    parser = build_parser(only=name)
    sub = next(a for a in parser._actions if a.dest == "command").choices[name]
    actions = {}
    for a in sub._actions:  # the first action of a dest sets its default (--progress)
        if a.dest != "help":
            actions.setdefault(a.dest, a)
    spec = TASKS[name].spec.params
    assert set(actions) == set(spec)
    for dest, action in actions.items():
        assert action.default == spec[dest].default, dest
        assert action.type is spec[dest].converter, dest


def _cli_json(argv):
    buf = StringIO()
    with redirect_stdout(buf):
        assert main(argv) == 0
    return json.loads(buf.getvalue())


def test_a_task_called_with_python_values_prints_what_the_cli_prints():
    out = TASKS["theory"].function(M=400, N=100, P=float("inf"), times="1,10,100")
    plain = json.loads(json.dumps(out.to_dict(), default=list))
    cli = _cli_json(["theory", "--M", "400", "--N", "100", "--P", "inf", "--times", "1,10,100",
                     "--format", "json"])
    for d in (plain, cli):
        d["params"].pop("wall_time_s")
        d["params"]["P"] = str(d["params"]["P"])
    assert plain["test_loss"] == cli["test_loss"] and plain["params"] == cli["params"]


def test_unknown_or_invalid_options_are_one_line_errors():
    with pytest.raises(InvalidParameterError, match="has no option `NN`"):
        TASKS["simulate"].function(NN=3)
    with pytest.raises(InvalidParameterError, match="`N` = 'abc' is not valid for simulate"):
        TASKS["simulate"].function(N="abc")


def test_a_sweep_point_stores_what_a_direct_call_of_its_task_returns(tmp_path):
    grid = parse_grid({"command": "simulate",
                       "options": {"M": 50, "P": 30, "seeds": 2, "times": "1,10"},
                       "axes": {"N": [10, 20]}})
    store = tmp_path / "store"
    assert run_sweep(grid, store, jobs=1).n_computed == 2
    for point in grid.points:
        assert point.kwargs["N"] == point.params["N"] and point.kwargs["progress"] is False
        record, _ = Store.open(store).read(point.key)
        out = TASKS[point.command].function(**point.kwargs).to_dict()
        buf = StringIO()
        with redirect_stdout(buf):
            from scaling_dynamics.cli._common import print_json

            print_json(out)
        direct = json.loads(buf.getvalue())
        direct["params"].pop("wall_time_s")
        stored = dict(record["result"], params=dict(record["result"]["params"]))
        stored["params"].pop("wall_time_s")
        assert stored == direct


def test_grid_keys_use_option_spellings_and_kwargs_python_names(tmp_path):
    path = tmp_path / "g.toml"
    path.write_text('command = "compute-optimal"\n[options]\ncompute = "1e4,1e6"\n'
                    '[axes]\nmin-steps = [1, 2]\n')
    grid = load_grid(path)
    assert [p.params["min-steps"] for p in grid.points] == [1.0, 2.0]
    assert [p.kwargs["min_steps"] for p in grid.points] == [1.0, 2.0]
