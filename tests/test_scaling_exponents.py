"""Closed-form exponents (theory.md section 5) against hand-computed values, and the command."""

import json

import pytest
from cli_helpers import run_cli

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.scaling import closed_form_exponents


def test_paper_example_a_1p5_b_1p25_by_hand():
    # m = min(0.5, 2.5) = 0.5; a - 1 + b m = 0.5 + 0.625 = 1.125
    e = closed_form_exponents(1.5, 1.25)
    assert e.m == 0.5
    assert e.time == pytest.approx(0.4)  # 0.5 / 1.25
    assert e.data == e.model == 0.5
    assert e.compute_loss == pytest.approx(0.25 / 1.125)  # 0.2222
    assert e.compute_params == pytest.approx(0.5 / 1.125)  # 0.4444
    assert e.compute_steps == pytest.approx(0.625 / 1.125)  # 0.5556
    assert e.model_single == 0.5 and e.regime == "a-1<=b"


def test_cifar5m_values_quoted_in_the_paper():
    # a = 1.15, b = 2: L* ~ C^-(a-1)/(1+b) = C^-0.05, N* ~ C^(1/3), t* ~ C^(2/3).
    e = closed_form_exponents(1.15, 2.0)
    assert e.compute_loss == pytest.approx(0.05)
    assert e.compute_params == pytest.approx(1 / 3)
    assert e.compute_steps == pytest.approx(2 / 3)


def test_easy_task_where_m_is_2b():
    # a = 4, b = 1.2: a - 1 = 3 > 2b = 2.4, so m = 2.4; a - 1 + b m = 3 + 2.88 = 5.88.
    e = closed_form_exponents(4.0, 1.2)
    assert e.m == pytest.approx(2.4) and e.regime == "a-1>2b"
    assert e.time == pytest.approx(2.5)
    assert e.compute_loss == pytest.approx(3 * 2.4 / 5.88)
    assert e.compute_params == pytest.approx(3 / 5.88)
    assert e.compute_steps == pytest.approx(2.88 / 5.88)
    assert e.model_single == pytest.approx(1.2)


def test_single_model_forms_by_hand():
    # a - 1 = 3 > b = 1.25: L* ~ C^-(a-1)/a = C^-3/4, N* ~ C^(a-b)/a = C^(2.75/4),
    # t* ~ C^b/a = C^(1.25/4); below the boundary they equal the paper's forms.
    e = closed_form_exponents(4.0, 1.25)
    assert e.model_single == 1.25
    assert (e.compute_loss_single, e.compute_params_single, e.compute_steps_single) == (
        pytest.approx(0.75), pytest.approx(0.6875), pytest.approx(0.3125))
    h = closed_form_exponents(1.5, 1.25)
    assert (h.compute_loss_single, h.compute_params_single) == (h.compute_loss,
                                                                h.compute_params)
    # Continuous at the boundary a - 1 = b: both give L* ~ C^-b/(1+b), N* ~ C^1/(1+b).
    lo, hi = closed_form_exponents(2.5 - 1e-9, 1.5), closed_form_exponents(2.5 + 1e-9, 1.5)
    assert lo.compute_loss_single == pytest.approx(hi.compute_loss_single, abs=1e-6)
    assert hi.compute_params_single == pytest.approx(1 / 2.5, abs=1e-6)


def test_middle_regime_and_allocation_sums_to_one():
    e = closed_form_exponents(3.0, 1.25)
    assert e.regime == "b<a-1<=2b" and e.m == 2.0 and e.model_single == 1.25
    for a, b in [(1.1, 1.01), (2.0, 3.0), (7.0, 1.5)]:
        e = closed_form_exponents(a, b)
        assert e.compute_params + e.compute_steps == pytest.approx(1.0)
        # L* = N*^-m along the frontier:
        assert e.compute_loss == pytest.approx(e.m * e.compute_params)


@pytest.mark.parametrize("a,b,name", [(1.0, 1.5, "`a`"), (1.5, 0.9, "`b`"),
                                      (float("nan"), 1.5, "`a`"), (1.5, float("inf"), "`b`")])
def test_invalid_exponents_are_refused_by_name(a, b, name):
    with pytest.raises(InvalidParameterError, match=name):
        closed_form_exponents(a, b)


def test_cli_json_has_the_promised_keys(capsys):
    code, out, err = run_cli(capsys, "exponents", "--a", "1.5", "--b", "1.25", "--format", "json")
    assert code == 0 and err == ""
    d = json.loads(out)
    assert {"time", "data", "model", "compute_loss", "compute_params", "compute_steps"} <= set(d)
    assert d["time"] == pytest.approx(0.4) and d["compute_params"] == pytest.approx(4 / 9)


def test_cli_table_and_bad_options_exit_2_with_one_line(capsys):
    code, out, _ = run_cli(capsys, "exponents", "--a", "2", "--b", "1.5")
    assert code == 0 and "compute_steps" in out and "0.6" in out
    for bad in (["--a", "1"], ["--b", "abc"], ["--a", "nan"]):
        code, out, err = run_cli(capsys, "exponents", *bad)
        assert code == 2 and out == ""
        assert len(err.strip().splitlines()) == 1 and "error" in err
