"""Kernels of real networks: torch.func NTK against explicit gradients, the analytic NumPy NTK
and the infinite-width (arc-cosine) limit; blocked memory; the optional-dependency message."""

import subprocess
import sys

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.empirical import (
    arccos_ntk,
    feature_kernel,
    two_layer_relu_ntk,
)

torch = pytest.importorskip("torch")

from scaling_dynamics.empirical import empirical_ntk, make_cnn, make_mlp  # noqa: E402


def explicit_ntk(model, X):
    """Per-sample gradients one at a time with torch.autograd.grad (no torch.func)."""
    rows = []
    for x in X:
        out = model(torch.as_tensor(x[None], dtype=torch.float64))
        grads = torch.autograd.grad(out.sum(), [p for p in model.parameters()])
        rows.append(torch.cat([g.reshape(-1) for g in grads]).detach().numpy())
    J = np.array(rows)
    return J @ J.T


@pytest.mark.parametrize("which", ["mlp", "cnn"])
def test_torch_func_ntk_equals_explicit_per_sample_gradients(rng, which):
    if which == "mlp":
        X = rng.standard_normal((9, 5))
        model = make_mlp(5, 7, depth=2, bias_std=0.5, seed=3)
    else:
        X = rng.standard_normal((9, 2 * 5 * 4))
        model = make_cnn((2, 5, 4), 3, depth=2, seed=4)
    ref = explicit_ntk(model, X)
    row_bytes = model.n_params() * 8
    # blocks of 2 samples, room for 3 blocks: several panels, later blocks recomputed
    blocked = empirical_ntk(model, X, block_size=2, memory_limit=3 * 2 * row_bytes)
    whole = empirical_ntk(model, X)
    assert blocked.diagnostics["n_blocks"] == 5 and blocked.diagnostics["blocks_held"] == 2
    assert blocked.diagnostics["jacobian_evaluations"] > 5
    assert blocked.diagnostics["jacobian_bytes_held"] <= 3 * 2 * row_bytes
    np.testing.assert_allclose(blocked.matrix, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(whole.matrix, ref, rtol=1e-12, atol=1e-12)
    assert blocked.n_params == model.n_params()


def test_numpy_two_layer_ntk_equals_torch_ntk_of_the_same_weights(rng):
    X = rng.standard_normal((11, 6))
    model = make_mlp(6, 13, depth=1, seed=5)
    W = model.weights[0].detach().numpy()
    v = model.readout.detach().numpy()
    np.testing.assert_allclose(two_layer_relu_ntk(X, W, v).matrix,
                               empirical_ntk(model, X).matrix, rtol=1e-12, atol=1e-13)


def test_two_layer_ntk_approaches_arccos_kernel_at_rate_width_to_minus_half(rng):
    """Entries of the width-n NTK fluctuate around the arc-cosine kernel by ~ n^-1/2."""
    X = rng.standard_normal((8, 5))
    exact = arccos_ntk(X, depth=1).matrix
    widths = np.array([32, 128, 512, 2048])
    errors = []
    for n in widths:
        e = [np.sqrt(np.mean((empirical_ntk(make_mlp(5, int(n), seed=s), X).matrix - exact) ** 2))
             for s in range(6)]
        errors.append(np.mean(e))
    slope = np.polyfit(np.log(widths), np.log(errors), 1)[0]
    assert -0.62 < slope < -0.38, (slope, errors)
    assert errors[-1] / np.sqrt(np.mean(exact**2)) < 0.05


def test_deep_arccos_recursion_matches_a_wide_three_layer_network(rng):
    X = rng.standard_normal((6, 4))
    exact = arccos_ntk(X, depth=2, bias_std=0.3).matrix
    err = {}
    for n in (32, 2048):
        runs = [empirical_ntk(make_mlp(4, n, depth=2, bias_std=0.3, seed=s), X).matrix
                for s in range(3)]
        err[n] = np.mean([np.sqrt(np.mean((K - exact) ** 2)) for K in runs])
    assert err[2048] < err[32] / 4  # ~ (2048/32)^-1/2 = 1/8 expected
    assert err[2048] / np.sqrt(np.mean(exact**2)) < 0.07


def test_feature_kernel_of_a_callable_map_and_of_a_matrix(rng):
    X = rng.standard_normal((7, 3))
    phi = np.tanh(X @ rng.standard_normal((3, 10)))
    K1 = feature_kernel(phi, normalize=True).matrix
    W = rng.standard_normal((3, 10))
    K3 = feature_kernel(lambda x: np.tanh(x @ W), X, block_size=3).matrix
    np.testing.assert_allclose(K1, phi @ phi.T / 10)
    np.testing.assert_allclose(K3, np.tanh(X @ W) @ np.tanh(X @ W).T, rtol=1e-13)
    model = make_mlp(3, 5, seed=0)
    K4 = feature_kernel(model.features, X, normalize=True).matrix
    feats = model.features(torch.as_tensor(X)).detach().numpy()
    np.testing.assert_allclose(K4, feats @ feats.T / 5, rtol=1e-12)


def test_bad_inputs_are_refused_with_the_parameter_named(rng):
    model = make_mlp(3, 4)
    with pytest.raises(InvalidParameterError, match="`X` must be a 2-dimensional"):
        empirical_ntk(model, np.ones(3))
    with pytest.raises(InvalidParameterError, match="`X` must contain only finite"):
        empirical_ntk(model, np.array([[1.0, np.nan, 0.0]]))
    with pytest.raises(InvalidParameterError, match="`model` must be a torch.nn.Module"):
        empirical_ntk(lambda x: x, np.ones((2, 3)))
    wide_out = torch.nn.Linear(3, 2).double()
    with pytest.raises(InvalidParameterError, match="one scalar per sample"):
        empirical_ntk(wide_out, np.ones((4, 3)))
    with pytest.raises(InvalidParameterError, match="`width` must be an integer >= 1"):
        make_mlp(3, 0)


def test_without_torch_the_package_imports_and_says_how_to_install():
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['sklearn'] = None\n"
        "import numpy as np, scaling_dynamics, scaling_dynamics.empirical as e\n"
        "import scaling_dynamics.cli.spectrum\n"
        "print(e.arccos_ntk(np.eye(3)).matrix.shape)\n"
        "for f in (lambda: e.make_mlp(3, 4), lambda: e.empirical_ntk(None, np.eye(2)),\n"
        "          lambda: e.load_digits_binary()):\n"
        "    try:\n"
        "        f()\n"
        "    except scaling_dynamics.MissingDependencyError as exc:\n"
        "        print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "(3, 3)"
    assert len(lines) == 4
    for line in lines[1:]:
        assert 'pip install "scaling-dynamics[empirical]"' in line
