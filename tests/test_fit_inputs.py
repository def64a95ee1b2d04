"""`fit` inputs (issue 19, item 1): every layout of the same rows gives the same LossTable,
an unknown layout is refused in one line, and simulate --out files fit end to end."""

import json
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import run_cli

from scaling_dynamics._errors import InvalidParameterError
from scaling_dynamics.scaling import read_loss_table, read_loss_tables

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def rows(table):
    """The rows of a table in (N, t) order, whatever order the layout gave them."""
    order = np.lexsort((table.steps, table.model_size))
    return np.stack([table.model_size, table.steps, table.loss])[:, order]


@pytest.mark.parametrize("name, options", [
    ("runs_long.csv", {"model_size_column": "width", "steps_column": "step"}),
    ("runs_wide.csv", {}),
    ("runs.npz", {}),
])
def test_each_shipped_layout_gives_the_rows_of_runs_csv(name, options):
    ref = read_loss_table(EXAMPLES / "runs.csv")  # the Chinchilla layout params,tokens,loss
    table = read_loss_table(EXAMPLES / name, **options)
    assert table.n_points == ref.n_points == 35
    np.testing.assert_array_equal(rows(table), rows(ref))


def test_wide_pattern_names_the_loss_columns(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("step,loss_N64,loss_N128,lr\n10,0.9,0.8,1\n100,0.5,,1\n")
    table = read_loss_table(p, wide="loss_N{N}")
    np.testing.assert_array_equal(rows(table), [[64, 64, 128], [10, 100, 10], [0.9, 0.5, 0.8]])
    with pytest.raises(InvalidParameterError, match=r"one \{N\}"):
        read_loss_table(p, wide="loss")
    with pytest.raises(InvalidParameterError, match="no column matches --wide"):
        read_loss_table(p, wide="val_{N}")


def test_simulate_and_theory_files_read_N_from_their_parameters(tmp_path):
    from scaling_dynamics.results import LossCurves

    sim = read_loss_table(EXAMPLES / "sim_N64.csv")
    curves = LossCurves.load(EXAMPLES / "sim_N64.csv")
    assert set(sim.model_size) == {64.0}
    np.testing.assert_array_equal(sim.steps, curves.times)
    np.testing.assert_array_equal(sim.loss, curves.test_loss)
    theory = LossCurves.load(EXAMPLES / "theory_N256.json")
    theory.save(tmp_path / "t.csv")  # the same curve as CSV: the same table
    a, b = read_loss_table(EXAMPLES / "theory_N256.json"), read_loss_table(tmp_path / "t.csv")
    np.testing.assert_array_equal(rows(a), rows(b))
    assert set(a.model_size) == {256.0}
    both = read_loss_tables([EXAMPLES / "sim_N64.csv", EXAMPLES / "theory_N256.json"])
    assert both.n_points == sim.n_points + a.n_points


def test_unknown_layouts_are_refused_in_one_line_with_the_columns_and_options(tmp_path,
                                                                              capsys):
    p = tmp_path / "mine.csv"
    p.write_text("run,width,step,eval\nr0,64,10,0.5\n")
    code, out, err = run_cli(capsys, "fit", str(p))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    for word in ("'run', 'width', 'step', 'eval'", "--size-column", "--steps-column",
                 "--loss-column", "--wide", ".npz"):
        assert word in err
    np.savez(tmp_path / "a.npz", width=[1.0], t=[1.0], loss=[1.0])
    with pytest.raises(InvalidParameterError, match="the arrays are 'width', 't', 'loss'"):
        read_loss_table(tmp_path / "a.npz")
    assert read_loss_table(tmp_path / "a.npz", model_size_column="width").n_points == 1
    (tmp_path / "x.json").write_text(json.dumps({"a": 1}))
    with pytest.raises(InvalidParameterError, match="the keys are 'a'"):
        read_loss_table(tmp_path / "x.json")


def test_simulate_out_files_of_three_sizes_fit_end_to_end(tmp_path, capsys):
    files = []
    for n in (32, 64, 128):
        f = tmp_path / f"N{n}.csv"
        code, _, err = run_cli(capsys, "simulate", "--N", str(n), "--M", "1000", "--seeds", "1",
                               "--times", "log:1:1000:6", "--out", str(f))
        assert code == 0, err
        files.append(str(f))
    code, out, err = run_cli(capsys, "fit", *files, "--bootstrap", "0", "--starts", "4",
                             "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["data"]["n_points"] == 18
    assert result["chinchilla"]["alpha"] > 0
