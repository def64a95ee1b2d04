"""Each scaling figure is made by one call at tiny sizes, saved as a PNG with its numbers."""

import json
import subprocess
import sys

import pytest
from _figure_checks import capture_saved_figures, figure_problems

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.reproduce import SCALING_FIGURES as FIGURES
from scaling_dynamics.reproduce import make_scaling_figure as make_figure


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_figure_is_written_with_its_data(tmp_path, name):
    with capture_saved_figures() as saved:
        r = make_figure(name, tmp_path, quick=True)
    # readable: no overlapping tick labels, no path or dict in a title, legend numbers rounded
    assert [figure_problems(fig, name) for _, fig in saved] == [[]]
    png = tmp_path / f"{name}.png"
    assert r.path == str(png) and png.stat().st_size > 20_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((tmp_path / f"{name}.json").read_text())
    assert data and r.summary


def test_figure_summaries_carry_the_physics(tmp_path):
    r = make_figure("wider-is-better", tmp_path, quick=True)
    assert r.summary == {"rich_monotone": True, "scarce_reversed": True,
                         "early_stopped_monotone": True}
    r = make_figure("ensembling", tmp_path, quick=True)
    assert r.summary["one model of size E N beats E of size N"] == {"E=2": True, "E=4": True}


def test_unknown_figure_is_refused():
    with pytest.raises(InvalidParameterError, match="`name`"):
        make_figure("heatmap", ".")


def test_every_scaling_figure_is_an_entry_of_the_one_registry():
    import scaling_dynamics.reproduce as reproduce
    from scaling_dynamics.reproduce import _registry

    names = list(FIGURES)
    assert names == ["bottlenecks", "frontier", "finite-size", "train-test-gap",
                     "wider-is-better", "ensembling"]
    # reproduce's registry is the one object both commands read
    assert reproduce.FIGURES is _registry.FIGURES
    for name in names:
        spec = reproduce.FIGURES[name]
        assert spec.name == name and spec.scaling is not None
        assert FIGURES[name] == spec.scaling.description
    # every name the command accepts (less "all") is served by that registry
    from scaling_dynamics.tasks.scaling_figure import FIGURE_NAMES

    accepted = [n for n in FIGURE_NAMES if n != "all"]
    assert sorted(accepted) == sorted(n for n, s in reproduce.FIGURES.items()
                                      if s.scaling is not None)


def test_scaling_imports_no_plotting_module():
    code = ("import sys, scaling_dynamics.scaling; "
            "print([m for m in sys.modules if m.startswith('scaling_dynamics.plots')"
            "])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stdout
