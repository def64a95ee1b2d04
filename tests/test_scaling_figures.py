"""Each scaling figure is made by one call at tiny sizes, saved as a PNG with its numbers."""

import json

import pytest

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.scaling._figures import FIGURES, make_figure


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_figure_is_written_with_its_data(tmp_path, name):
    r = make_figure(name, tmp_path, quick=True)
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
