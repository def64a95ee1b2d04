"""`scaling-dynamics reproduce`: --list, one tiny figure with its report, one-line errors."""

from __future__ import annotations

import json
import os

import pytest

from scaling_dynamics.cli import COMMANDS, main
from scaling_dynamics.reproduce import FIGURES


def test_reproduce_is_a_registered_command():
    assert COMMANDS["reproduce"][0] == "reproduce"


def test_list_prints_one_line_per_figure(capsys):
    assert main(["reproduce", "--list"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == len(FIGURES)
    for line, name in zip(out, FIGURES, strict=True):
        assert line.startswith(name + " ") and len(line.split(None, 1)[1]) > 10


def test_list_as_json(capsys):
    assert main(["reproduce", "--list", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [f["name"] for f in doc["figures"]] == list(FIGURES)


def test_one_tiny_figure_with_report(tmp_path, capsys):
    out = tmp_path / "rep"
    code = main(["reproduce", "ensembling", "--out", str(out), "--preset", "tiny",
                 "--format", "json", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0
    doc = json.loads(captured.out)  # stdout is exactly one JSON object
    (fig,) = doc["figures"]
    assert fig["name"] == "ensembling" and fig["preset"] == "tiny"
    assert os.path.isfile(fig["path"]) and os.path.isfile(fig["data_path"])
    assert fig["agreement"] and isinstance(doc["all_agree"], bool)
    assert doc["report"] == os.path.join(str(out), "index.html")
    html = open(doc["report"], encoding="utf-8").read()
    assert 'title="ensembling.png"' in html and 'src="data:image/png;base64,' in html
    assert 'src="ensembling.png"' not in html  # embedded, not linked
    # progress on stderr, nothing else on stdout
    assert "[1/1] ensembling" in captured.err


@pytest.mark.parametrize("argv,needle", [
    (["reproduce", "no-such-figure", "--out", "x"], "`NAME` must be 'all' or one of"),
    (["reproduce", "--out", "x"], "`NAME` is required"),
])
def test_bad_names_exit_2_with_one_line(argv, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()  # nothing created for a bad name


def test_out_that_is_a_file_exits_2(tmp_path, capsys):
    f = tmp_path / "file.txt"
    f.write_text("not a folder")
    assert main(["reproduce", "sgd", "--out", str(f), "--preset", "tiny"]) == 2
    err = capsys.readouterr().err
    assert "cannot create --out folder" in err and err.count("\n") == 1


def test_jobs_must_be_positive(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["reproduce", "sgd", "--jobs", "0"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--jobs" in err and err.count("\n") == 1


def test_full_and_preset_are_exclusive(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["reproduce", "sgd", "--full", "--preset", "tiny"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_failing_figure_is_reported_and_the_exit_status_is_1(tmp_path, capsys, monkeypatch):
    from dataclasses import replace

    from scaling_dynamics import ConvergenceError

    def broken(out_dir, preset, progress):
        raise ConvergenceError("response solve did not converge (test)")

    monkeypatch.setitem(FIGURES, "sgd", replace(FIGURES["sgd"], make=broken))
    code = main(["reproduce", "sgd", "--out", str(tmp_path), "--preset", "tiny",
                 "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1
    doc = json.loads(captured.out)
    assert doc["figures"] == [] and doc["failed"][0]["name"] == "sgd"
    assert "figure sgd failed: response solve did not converge (test)" in captured.err
