"""The paper reproduction: every figure at tiny sizes, the agreement bookkeeping, the HTML report.

One module-scoped run makes all figures at the ``tiny`` preset (seconds each); the tests
check each PNG, the agreement and exponents it reports, and the report built from them,
opened in a real headless Chromium (skipped, saying why, where none is installed).
"""

from __future__ import annotations

import io
import json
import math
import os
import re

import numpy as np
import pytest
from _chromium import check_page, find_chromium
from _figure_checks import capture_saved_figures, figure_problems

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.reproduce import (
    AGREEMENT_THRESHOLD,
    FIGURES,
    CurveAgreement,
    ExponentCheck,
    FigureResult,
    compare_curve,
    load_results,
    make_figure,
    make_figures,
    write_report,
)
from scaling_dynamics.reproduce._agreement import seed_statistics
from scaling_dynamics.reproduce._spectral import _weights
from scaling_dynamics.spectra import Spectrum

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

try:
    import torch  # noqa: F401
    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False
#: Figures that train real networks (torch, an optional dependency): left out without it.
NEEDS_TORCH = {"circle-task"}
NAMES = [n for n in FIGURES if HAVE_TORCH or n not in NEEDS_TORCH]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce_tiny")
    log = io.StringIO()
    with capture_saved_figures() as saved:
        results = make_figures(NAMES, out, "tiny", progress=False, log=log)
    return out, {r.name: r for r in results}, log.getvalue(), saved


# ---------------------------------------------------------------------------- each figure
@pytest.mark.parametrize("name", NAMES)
def test_figure_is_a_valid_png_with_agreement_reported(tiny_run, name):
    from matplotlib.image import imread

    out, results, *_ = tiny_run
    r = results[name]
    assert r.name == name and r.preset == "tiny"
    assert os.path.dirname(r.path) == str(out)
    with open(r.path, "rb") as fh:
        assert fh.read(8) == PNG_SIGNATURE
    img = imread(r.path)
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 400
    assert img[..., :3].std() > 0.01  # not a blank canvas
    assert os.path.getsize(r.path) < 300_000
    # every figure puts theory over simulation and says how well they agree
    assert r.agreement, f"{name}: no theory-vs-simulation comparison reported"
    for a in r.agreement:
        assert a.n_points >= 2 and a.n_seeds >= 1
        assert math.isfinite(a.max_abs_deviation) and a.max_abs_deviation >= 0
        assert a.agrees == (a.max_abs_deviation <= AGREEMENT_THRESHOLD)
    statement = r.agreement_statement()
    assert "standard errors" in statement
    if not r.agrees:
        bad = [a for a in r.agreement if not a.agrees]
        assert all(a.label in statement for a in bad)
    for e in r.exponents:
        assert math.isfinite(e.measured) and math.isfinite(e.predicted) and e.source
    # every caption states its teacher (the paper's a = 1.5 for the model figures, a = 2q for
    # the circle task)
    assert re.search(r"\ba = \d", r.caption) and r.params
    # the numbers behind the figure are saved and the record round-trips
    with open(r.data_path, encoding="utf-8") as fh:
        record = json.load(fh)
    assert FigureResult.from_dict(record["result"]).to_dict() == r.to_dict()
    assert record["figure"]["panels"]


@pytest.mark.parametrize("name", NAMES)
def test_figure_is_readable(tiny_run, name):
    """No overlapping tick labels, no path or dict in a title, legend numbers rounded."""
    *_, saved = tiny_run
    figures = [fig for path, fig in saved if os.path.basename(path) == f"{name}.png"]
    assert len(figures) == 1
    assert figure_problems(figures[0], name) == []


def test_progress_is_announced_per_figure(tiny_run):
    _, results, log, _ = tiny_run
    for i, name in enumerate(NAMES, 1):
        assert f"[{i}/{len(NAMES)}] {name}" in log


def test_exponents_measured_where_the_paper_predicts_them(tiny_run):
    _, results, *_ = tiny_run
    # the frontier's exponents from the theory are close to the closed forms even at tiny sizes
    frontier = [e for e in results["frontier"].exponents if "theory frontier" in e.source]
    assert len(frontier) == 6
    assert all(abs(e.difference) < 0.03 for e in frontier)
    time_theory = [e for e in results["bottlenecks"].exponents
                   if e.quantity.startswith("time") and e.source.startswith("theory")]
    assert len(time_theory) == 1 and abs(time_theory[0].difference) < 0.01


def test_tiny_agreement_of_the_deterministic_and_well_resolved_curves(tiny_run):
    """Curves whose simulation is exact (N = P = inf) match the theory to round-off."""
    _, results, *_ = tiny_run
    exact = [a for a in results["bottlenecks"].agreement if "deterministic" in a.label]
    assert len(exact) == 1 and exact[0].agrees and exact[0].n_seeds == 1


def test_figures_in_worker_processes_match_the_serial_run(tiny_run, tmp_path):
    """jobs > 1: fresh processes with one BLAS thread each; same numbers, same order."""
    _, serial, *_ = tiny_run
    before = os.environ.get("OPENBLAS_NUM_THREADS")
    log = io.StringIO()
    names = ["sgd", "ensembling"]
    results = make_figures(names, tmp_path, "tiny", jobs=2, log=log)
    assert [r.name for r in results] == names
    assert os.environ.get("OPENBLAS_NUM_THREADS") == before
    assert "2 worker processes" in log.getvalue()
    for r in results:
        assert os.path.isfile(r.path)
        assert [a.max_abs_deviation for a in r.agreement] == pytest.approx(
            [a.max_abs_deviation for a in serial[r.name].agreement], rel=1e-9)


def test_unknown_figure_and_preset_are_refused(tmp_path):
    with pytest.raises(InvalidParameterError, match="`name` must be one of"):
        make_figure("figure-99", tmp_path)
    with pytest.raises(InvalidParameterError, match="`preset` must be one of"):
        make_figure("sgd", tmp_path, preset="huge")
    with pytest.raises(InvalidParameterError, match="`name` must be one of"):
        make_figures(["sgd", "nope"], tmp_path, "tiny")
    with pytest.raises(InvalidParameterError, match="`jobs` must be an integer >= 1"):
        make_figures(["sgd"], tmp_path, "tiny", jobs=0)


# ---------------------------------------------------------------------------- agreement
def test_compare_curve_counts_deviations_in_standard_errors():
    x = np.array([1.0, 10.0, 100.0, 1000.0])
    theory = np.array([1.0, 0.5, 0.25, 0.125])
    sim = theory + np.array([0.0, 0.02, -0.05, 0.0])
    sem = np.full(4, 0.01)
    a = compare_curve("demo", x, theory, sim, sem, n_seeds=8)
    assert a.n_points == 4 and a.n_seeds == 8
    assert a.max_abs_deviation == pytest.approx(5.0)
    assert a.worst_x == 100.0 and a.above_threshold == (100.0,) and not a.agrees
    assert "t = 100" in a.statement()
    ok = compare_curve("demo", x, theory, theory + 0.02, sem)
    assert ok.agrees and ok.max_abs_deviation == pytest.approx(2.0)
    assert CurveAgreement.from_dict(a.to_dict()) == a


def test_compare_curve_floors_the_standard_error_at_the_theory_accuracy():
    x = np.array([1.0, 2.0])
    th = np.array([1.0, 1e-25])
    # deterministic simulation (sem 0) equal to the theory up to round-off: agreement
    a = compare_curve("exact", x, th, th * (1 + 1e-13), np.zeros(2))
    assert a.agrees
    # ... but a real difference is caught even with sem 0
    b = compare_curve("exact", x, th, th * 1.001, np.zeros(2))
    assert not b.agrees


def test_compare_curve_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="shapes differ"):
        compare_curve("bad", [1, 2], [1, 2], [1], [1, 1])


def test_seed_statistics_is_the_mean_and_standard_error():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((10, 3))
    mean, sem = seed_statistics(data)
    np.testing.assert_allclose(mean, data.mean(0))
    np.testing.assert_allclose(sem, data.std(0, ddof=1) / np.sqrt(10))


def test_exponent_check_difference():
    e = ExponentCheck("time", 0.41, 0.4, "theory")
    assert e.difference == pytest.approx(0.01)
    assert ExponentCheck.from_dict(e.to_dict()) == e


# ---------------------------------------------------------------------------- spectral weights
@pytest.mark.parametrize("N,P", [(6, math.inf), (math.inf, 7), (6, 9), (9, 5)])
def test_sampled_timescale_weights_reproduce_the_matrix_exponential(N, P):
    """atom + sum_j c_jk exp(-mu_j t) equals (exp(-F G t))_kk of the same draw."""
    from scipy.linalg import expm

    spec = Spectrum.power_law(1.5, 1.25, 12)
    lam = spec.eigenvalues
    k = 3
    seed = 11
    mu, c = _weights(spec, N, P, k, np.random.default_rng(seed))
    # rebuild the same draw
    rng = np.random.default_rng(seed)
    M = lam.size
    G = np.diag(lam)
    if math.isfinite(P):
        X = rng.standard_normal((P, M)) * np.sqrt(lam)
        G = X.T @ X / P
    F = np.eye(M)
    if math.isfinite(N):
        A = rng.standard_normal((N, M))
        F = A.T @ A / N
    for t in (0.3, 2.0, 25.0):
        direct = expm(-F @ G * t)[k - 1, k - 1]
        from_weights = (1.0 - c.sum()) + np.sum(c * np.exp(-mu * t))
        assert from_weights == pytest.approx(direct, rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------------------- report
def test_report_lists_every_figure_exponent_and_verdict(tiny_run):
    out, results, *_ = tiny_run
    loaded = load_results(out)
    assert [r.name for r in loaded] == NAMES
    path = write_report(loaded, out, command="scaling-dynamics reproduce all --preset tiny")
    assert path == os.path.join(str(out), "index.html")
    text = open(path, encoding="utf-8").read()
    for r in results.values():
        assert f'title="{r.name}.png"' in text
        assert f'id="{r.name}"' in text
    assert "Measured against predicted exponents" in text
    assert text.count("<tr>") > len(NAMES)
    for r in results.values():
        for e in r.exponents:
            assert f"{e.measured:.4f}" in text
    assert "http://" not in text and "https://" not in text  # nothing fetched from the web


def test_report_is_one_self_contained_file_with_every_figure_embedded(tiny_run, tmp_path):
    """index.html alone shows every figure: each image is a data: URI of its PNG, and the
    page refers to no other file (moved away from the PNGs, it still has every figure)."""
    import base64
    import re
    import shutil

    out, results, *_ = tiny_run
    loaded = load_results(out)
    path = write_report(loaded, out)
    alone = tmp_path / "sent" / "index.html"
    alone.parent.mkdir()
    shutil.copy(path, alone)
    text = alone.read_text(encoding="utf-8")
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", text)
    external = [r for r in refs if not (r.startswith("data:") or r.startswith("#"))]
    assert external == [], f"the page refers to other files: {external[:5]}"
    assert "url(" not in text and "@import" not in text
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == len(results)
    for r, encoded in zip(loaded, images, strict=True):
        with open(os.path.join(str(out), f"{r.name}.png"), "rb") as fh:
            assert base64.b64decode(encoded) == fh.read()  # the PNG beside it, byte for byte
    assert all(os.path.isfile(os.path.join(str(out), f"{n}.png")) for n in results)  # kept too


def test_report_refuses_a_missing_folder(tmp_path):
    with pytest.raises(InvalidParameterError, match="`out_dir` must be an existing folder"):
        write_report([], tmp_path / "nope")


_CHROMIUM = find_chromium()
_NO_BROWSER = ("no headless browser installed: install Debian's chromium "
               "(apt-get install chromium) to open the report in a real browser")


@pytest.mark.skipif(_CHROMIUM is None, reason=_NO_BROWSER)
def test_report_opens_in_a_real_browser_with_every_image_and_no_errors(tiny_run, tmp_path):
    import shutil

    out, results, *_ = tiny_run
    path = write_report(load_results(out), out)
    alone = tmp_path / "sent" / "index.html"  # without the PNGs: the page must carry them
    alone.parent.mkdir()
    shutil.copy(path, alone)
    seen = check_page(str(alone), str(tmp_path / "profile"), chromium=_CHROMIUM)
    assert seen.title.startswith("Reproduction")
    assert len(seen.images) == len(results)
    assert all(i["src"].startswith("data:image/png;base64,") for i in seen.images)
    broken = [i for i in seen.images if not (i["complete"] and i["naturalWidth"] > 0)]
    assert not broken, f"images that did not load: {broken}"
    assert seen.errors == []


@pytest.mark.skipif(_CHROMIUM is None, reason=_NO_BROWSER)
def test_browser_check_catches_a_broken_image_and_a_console_error(tiny_run, tmp_path):
    """Negative control: the same check fails on a page that has both faults."""
    out, results, *_ = tiny_run
    page = tmp_path / "bad.html"
    good = os.path.join(str(out), "sgd.png")
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
        f"<title>bad</title></head><body><img src='file://{good}'><img src='missing.png'>"
        "<script>console.error('deliberate');</script></body></html>", encoding="utf-8")
    seen = check_page(str(page), str(tmp_path / "profile"), chromium=_CHROMIUM)
    widths = sorted(i["naturalWidth"] for i in seen.images)
    assert widths[0] == 0 and widths[1] > 0
    assert any("deliberate" in e for e in seen.errors)
    assert any("missing.png" in e for e in seen.errors)
