"""Sweep grid files: schema, expansion, canonical keys, derived seeds, and the messages of bad grids."""

from __future__ import annotations

import hashlib
import os

import pytest

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.cli import main
from scaling_dynamics.sweeps import derive_seed, load_grid, parse_grid, point_key

BASE = """
command = "simulate"
[options]
M = 50
P = 30
seeds = 2
times = "1,10,100"
"""


def grid_file(tmp_path, text, name="grid.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_axes_ranges_and_cases_expand_in_order(tmp_path):
    g = load_grid(grid_file(tmp_path, BASE + """
[axes]
N = { log = [10, 1000], num = 5 }        # integer ends: rounded integers
a = { linear = [1.5, 2.5], num = 3 }
[[cases]]
optimizer = "gf"
[[cases]]
optimizer = "gd"
eta = 0.5
"""))
    assert g.command == "simulate"
    assert g.axes["N"] == (10, 32, 100, 316, 1000)
    assert g.axes["a"] == (1.5, 2.0, 2.5)
    assert g.n_points == 2 * 5 * 3
    first, last = g.points[0], g.points[-1]
    assert first.params["optimizer"] == "gf" and first.params["N"] == 10 and first.params["a"] == 1.5
    assert last.params["optimizer"] == "gd" and last.params["eta"] == 0.5
    assert (last.params["N"], last.params["a"]) == (1000, 2.5)
    # the command line of a point is exactly what a user would type
    assert first.argv[:3] == ("simulate", "--M", "50")
    assert first.argv[-3:] == ("--format", "json", "--no-progress")
    assert len(set(g.keys)) == g.n_points


def test_integer_log_range_drops_duplicates_and_float_range_rounds(tmp_path):
    g = load_grid(grid_file(tmp_path, BASE + "[axes]\nN = { log = [1, 4], num = 7 }\n"
                                            "sigma = { log = [1e-3, 1.0], num = 4 }\n"))
    assert g.axes["N"] == (1, 2, 3, 4)
    assert g.axes["sigma"] == (0.001, 0.01, 0.1, 1.0)  # 12 significant digits: no 0.010000000000000002


def test_spellings_of_one_value_are_one_point(tmp_path):
    g = load_grid(grid_file(tmp_path, BASE + '[axes]\nN = [20, 2e1, "20", 40]\nb = [2, 2.0]\n'))
    assert g.n_points == 2
    assert [p.params["N"] for p in g.points] == [20, 40]
    assert g.points[0].params["b"] == 2.0


def test_point_key_is_stable_and_changes_with_the_version():
    key = point_key("simulate", {"N": 20, "a": 1.5, "P": float("inf")}, "0.1.0")
    # the documented canonical text (docs/sweeps.md): a change would orphan every store
    text = b'{"command":"simulate","params":{"N":20,"P":"inf","a":1.5},"version":"0.1.0"}'
    assert key == hashlib.sha256(text).hexdigest()[:24]
    assert key == point_key("simulate", {"P": "inf", "a": 1.5, "N": 20}, "0.1.0")
    assert point_key("simulate", {"N": 20, "a": 1.5, "P": float("inf")}, "0.2.0") != key
    assert point_key("simulate", {"N": 21, "a": 1.5, "P": float("inf")}, "0.1.0") != key


def test_seeds_derive_from_the_point_not_its_place(tmp_path):
    g1 = load_grid(grid_file(tmp_path, BASE + "[axes]\nN = [10, 20, 40]\n", "a.toml"))
    g2 = load_grid(grid_file(tmp_path, BASE.replace("M = 50\n", "") + "[axes]\nN = [40, 10]\n"
                             "M = [50]\n", "b.toml"))
    seeds1 = {p.params["N"]: p.params["seed"] for p in g1.points}
    seeds2 = {p.params["N"]: p.params["seed"] for p in g2.points}
    assert seeds1[10] == seeds2[10] and seeds1[40] == seeds2[40]
    assert len(set(seeds1.values())) == 3
    assert all(0 <= s < 2**52 for s in seeds1.values())
    assert all(p.seed_derived for p in g1.points)
    p = g1.points[0]
    assert p.params["seed"] == derive_seed("simulate", {k: v for k, v in p.params.items()
                                                          if k != "seed"})
    assert ("--seed", str(p.params["seed"])) == p.argv[p.argv.index("--seed"):][:2]


def test_seeds_written_in_the_grid_are_used_as_written(tmp_path):
    g = load_grid(grid_file(tmp_path, BASE + "[axes]\nN = [10, 20]\nseed = [0, 1, 2]\n"))
    assert g.n_points == 6
    assert sorted({p.params["seed"] for p in g.points}) == [0, 1, 2]
    assert not any(p.seed_derived for p in g.points)
    shared = load_grid(grid_file(tmp_path, BASE + "seed = 7\n[axes]\nN = [10, 20]\n", "s.toml"))
    assert {p.params["seed"] for p in shared.points} == {7}


BAD_GRIDS = [
    ('command = "simulate"\n[axes\nN = 1\n', "not valid TOML"),
    ("[options]\nN = 20\n", "`command` is missing"),
    ('command = "simulat"\n', "did you mean 'simulate'"),
    ('command = "sweep"\n', "`command` must be one of"),
    (BASE + "[axes]\nNN = [1, 2]\n", "`axes.NN`: 'simulate' has no option --NN (did you mean 'N'?)"),
    (BASE + "[axes]\nN = []\n", "`axes.N` must list at least one value"),
    (BASE + "[axes]\nN = { log = [0, 10], num = 3 }\n", "`axes.N.log` needs START > 0"),
    (BASE + "[axes]\nN = { log = [1, 10] }\n", "`axes.N.num` must be an integer >= 1"),
    (BASE + "[axes]\nN = { logs = [1, 10], num = 2 }\n", "`axes.N` must be a list of values or a range"),
    (BASE + "[axes]\nN = 20\n", "`axes.N` must be a list of values or a range"),
    (BASE + '[axes]\nN = [20, "abc"]\n', "`axes.N[1]` = 'abc' is not valid for simulate --N"),
    (BASE + "[axes]\na = [true]\n", "`axes.a[0]` must be a number or a string"),
    (BASE + 'optimizer = "adam"\n', "`options.optimizer` must be one of 'gf', 'gd'"),
    (BASE + 'format = "json"\n', "`options.format` cannot be set in a grid"),
    (BASE + "[axes]\nM = [50, 100]\n", "`axes.M` is also set as `options.M`"),
    (BASE + "[axis]\nN = [1]\n", "`axis` is not a grid key (did you mean 'axes'?)"),
    ('command = "simulate"\noptions = 3\n', "`options` must be a table"),
    (BASE + '[axes]\n"--N" = [1]\n', "write option names without dashes"),
    (BASE + "[[cases]]\nNN = 3\n", "`cases[0].NN`"),
    (BASE + "[axes]\nN = { log = [1, 1e9], num = 2000 }\nb = { linear = [1.1, 3], num = 600 }\n",
     "the grid has 1200000 points"),
]


@pytest.mark.parametrize(("text", "message"), BAD_GRIDS)
def test_bad_grids_name_the_key_and_the_problem(tmp_path, text, message):
    path = grid_file(tmp_path, text)
    with pytest.raises(InvalidParameterError) as info:
        load_grid(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_bad_grid_on_the_command_line_is_one_line_and_runs_nothing(tmp_path, capsys):
    path = grid_file(tmp_path, BASE + "[axes]\nNN = [1, 2]\n")
    store = tmp_path / "store"
    code = main(["sweep", str(path), "--store", str(store)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "scaling-dynamics sweep: error:" in err and "`axes.NN`" in err
    assert not os.path.exists(store)


def test_parse_grid_accepts_a_dict():
    g = parse_grid({"command": "simulate", "options": {"M": 50}, "axes": {"N": [10, 20]}})
    assert g.n_points == 2 and g.source == "<grid>"
    with pytest.raises(InvalidParameterError, match="<grid>: `command` must be one of"):
        parse_grid({"command": 3})


EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")


@pytest.mark.parametrize("name", ["sweep_simulate.toml", "sweep_theory.toml"])
def test_example_grids_are_valid(name):
    path = os.path.join(EXAMPLES, name)
    command = "theory" if "theory" in name else "simulate"
    g = load_grid(path)
    assert g.command == command and g.n_points >= 12


# --------------------------------------------------------------------------- bounded expansion
HUGE_GRIDS = [
    # one axis with a huge num (float and integer spellings), before expansion
    ("[axes]\nN = { log = [1, 1e9], num = 1e12 }\n", 10**12),
    # an integer range has at most one value per integer between its ends
    ("[axes]\nN = { log = [1, 1000000000], num = 1000000000000 }\n", 10**9),
    ("[axes]\nb = { linear = [1.1, 3], num = 1e18 }\n", 10**18),
    # many modest axes whose product is huge
    ("[axes]\nN = { log = [1, 1e9], num = 900 }\nP = { log = [1, 1e9], num = 900 }\n"
     "a = { linear = [1.1, 3], num = 900 }\nb = { linear = [1.1, 3], num = 900 }\n", 900**4),
    # cases multiply the axes
    ("[axes]\nN = { log = [1, 1e9], num = 1000 }\nb = { linear = [1.1, 3], num = 200 }\n"
     + "[[cases]]\noptimizer = \"gf\"\n" * 3, 3 * 1000 * 200),
]


@pytest.mark.parametrize(("axes", "count"), HUGE_GRIDS)
def test_huge_grids_are_refused_with_the_count_before_expansion(tmp_path, axes, count):
    import time

    path = grid_file(tmp_path, BASE + axes)
    start = time.perf_counter()
    with pytest.raises(InvalidParameterError) as info:
        load_grid(path)
    assert time.perf_counter() - start < 5  # counted, never expanded
    message = str(info.value)
    assert f"the grid has {count} points" in message
    assert "at most 100000 are allowed" in message and "--max-points" in message
    assert "\n" not in message


def test_max_points_raises_the_limit_and_integer_ranges_count_distinct_values(tmp_path):
    text = BASE + "[axes]\nN = { log = [1, 1e9], num = 300 }\nb = [1.25, 1.5]\n"
    path = grid_file(tmp_path, text)
    with pytest.raises(InvalidParameterError, match="the grid has 600 points .*at most 500"):
        load_grid(path, max_points=500)
    assert load_grid(path, max_points=600).n_points == 600
    # 10**6 values asked for between 1 and 1000: at most 1000 distinct integers, so allowed
    dense = load_grid(grid_file(tmp_path, BASE + "[axes]\nN = { log = [1, 1000], num = 1e6 }\n",
                                "dense.toml"))
    assert dense.n_points == 1000 and dense.axes["N"][:3] == (1, 2, 3)
    with pytest.raises(InvalidParameterError, match="`max_points` must be"):
        load_grid(path, max_points=0)


def test_expansion_is_linear_in_the_points(tmp_path):
    """20,000 distinct values (the old de-duplication was quadratic: ~10 s here)."""
    import time

    path = grid_file(tmp_path, BASE + "[axes]\nN = { log = [1, 1e12], num = 20000 }\n")
    start = time.perf_counter()
    grid = load_grid(path)
    assert grid.n_points == len(grid.axes["N"]) > 15_000
    assert time.perf_counter() - start < 6


def test_dry_run_shows_the_count_and_max_points_on_the_command_line(tmp_path, capsys):
    path = grid_file(tmp_path, BASE + "[axes]\nN = { log = [1, 1e9], num = 300 }\n"
                     "b = [1.25, 1.5]\n")
    store = tmp_path / "store"
    code = main(["sweep", str(path), "--store", str(store), "--dry-run"])
    out, _ = capsys.readouterr()
    assert code == 0 and "600 points of `simulate` (0 stored, 600 to compute)" in out
    assert "N (300 values): 1, 1.07176688545, " in out and ", ..., 1000000000" in out
    code = main(["sweep", str(path), "--store", str(store), "--dry-run", "--max-points", "100"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "the grid has 600 points" in err and "at most 100" in err
    assert not os.path.exists(store)
