r"""Networks with a width argument, in the NTK and in the mean-field (muP) parameterisation.

Both models return one scalar per sample and take flattened inputs of shape (batch, d)
(the CNN folds them back into images). Weights are drawn iid standard normal and
every layer multiplies by :math:`1/\sqrt{\text{fan-in}}` (Jacot et al. 2018):

.. math::
    h^1 = W^1 x/\sqrt d \ (+\beta b^1), \qquad
    h^{l+1} = W^{l+1}\phi(h^l)/\sqrt n \ (+\beta b^{l+1}), \qquad
    f(x) = s_n\, v\cdot \phi(h^L),

with ReLU :math:`\phi`, width :math:`n`, ``depth`` = L hidden layers and readout scale

* ``"ntk"`` (lazy): :math:`s_n = 1/\sqrt n`; train with step :math:`\eta`.
* ``"mup"`` (mean-field / muP, Bordelon & Pehlevan 2022): :math:`s_n = 1/(\gamma_0 n)`;
  train with step :math:`\eta \gamma_0^2 n` (the model's ``lr_scale``).

With these steps both have the *same* tangent kernel dynamics at initialisation
(:math:`\partial_t f = -\eta K_{\rm NTK}(f - y)/P`), but in the mean-field
parameterisation the hidden features move by O(:math:`\gamma_0`) at any width, while in
the NTK parameterisation they freeze as :math:`n \to \infty` (lazy training).
The NTK parameterisation with :math:`\gamma_0 = 1/\sqrt n` *is* the mean-field one.

The CNN replaces the dense hidden layers by 3 x 3 convolutions with ``width`` channels
(padding 1, fan-in :math:`9 C`) and pools the last feature map by its spatial mean.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._validation import check_choice, check_int, check_real
from ._deps import require_torch

__all__ = ["make_mlp", "make_cnn", "make_model", "network_seed", "PARAMETERIZATIONS", "MODEL_NAMES"]

PARAMETERIZATIONS = ("ntk", "mup")
MODEL_NAMES = ("mlp", "cnn")


@lru_cache(maxsize=1)
def _classes() -> dict[str, Any]:
    """Define the torch module classes once, on first use (torch is imported here)."""
    torch = require_torch("the empirical network models")
    scaled_net = _scaled_net_class(torch)
    return {"MLP": _mlp_class(torch, scaled_net), "CNN": _cnn_class(torch, scaled_net)}


def _scaled_net_class(torch: Any) -> Any:
    """The common base: readout scale, learning-rate scale and a description."""
    nn = torch.nn

    class ScaledNet(nn.Module):
        """Common part: readout scale, learning-rate scale and a description."""

        def _setup_readout(self, width: int, parameterization: str, gamma0: float) -> None:
            self.width = width
            self.parameterization = parameterization
            self.gamma0 = gamma0
            if parameterization == "ntk":
                self.readout_scale = 1.0 / math.sqrt(width)
                self.lr_scale = 1.0
            else:
                self.readout_scale = 1.0 / (gamma0 * width)
                self.lr_scale = gamma0**2 * width

        def n_params(self) -> int:
            return sum(int(p.numel()) for p in self.parameters())

    return ScaledNet


def _mlp_class(torch: Any, base: Any) -> Any:
    """The ReLU MLP of :func:`make_mlp`, on the common ``base``."""
    nn = torch.nn
    F = torch.nn.functional

    class MLP(base):
        def __init__(self, input_dim, width, depth, parameterization, gamma0, bias_std,
                     generator, dtype):
            super().__init__()
            self._setup_readout(width, parameterization, gamma0)
            self.depth = depth
            self.bias_std = bias_std
            dims = [input_dim] + [width] * depth
            self.weights = nn.ParameterList(
                nn.Parameter(torch.randn(dims[i + 1], dims[i], generator=generator, dtype=dtype))
                for i in range(depth)
            )
            self.scales = [1.0 / math.sqrt(d) for d in dims[:-1]]
            if bias_std > 0:
                self.biases = nn.ParameterList(
                    nn.Parameter(torch.randn(width, generator=generator, dtype=dtype))
                    for _ in range(depth)
                )
            else:
                self.biases = None
            self.readout = nn.Parameter(torch.randn(width, generator=generator, dtype=dtype))

        def features(self, x):
            h = x
            for i, w in enumerate(self.weights):
                h = F.linear(h, w) * self.scales[i]
                if self.biases is not None:
                    h = h + self.bias_std * self.biases[i]
                h = F.relu(h)
            return h

        def forward(self, x):
            return (self.features(x) @ self.readout) * self.readout_scale

    return MLP


def _cnn_class(torch: Any, base: Any) -> Any:
    """The ReLU CNN of :func:`make_cnn`, on the common ``base``."""
    nn = torch.nn
    F = torch.nn.functional

    class CNN(base):
        def __init__(self, image_shape, width, depth, parameterization, gamma0, generator,
                     dtype):
            super().__init__()
            self._setup_readout(width, parameterization, gamma0)
            self.depth = depth
            self.image_shape = tuple(image_shape)
            chans = [image_shape[0]] + [width] * depth
            self.kernels = nn.ParameterList(
                nn.Parameter(
                    torch.randn(chans[i + 1], chans[i], 3, 3, generator=generator, dtype=dtype)
                )
                for i in range(depth)
            )
            self.scales = [1.0 / math.sqrt(9 * c) for c in chans[:-1]]
            self.readout = nn.Parameter(torch.randn(width, generator=generator, dtype=dtype))

        def features(self, x):
            h = x.reshape(x.shape[0], *self.image_shape)
            for i, k in enumerate(self.kernels):
                h = F.relu(F.conv2d(h, k, padding=1) * self.scales[i])
            return h.mean(dim=(2, 3))

        def forward(self, x):
            return (self.features(x) @ self.readout) * self.readout_scale

    return CNN


def _generator(seed: int) -> Any:
    torch = require_torch("the empirical network models")
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def _dtype(dtype: str) -> Any:
    torch = require_torch("the empirical network models")
    check_choice("dtype", dtype, ("float64", "float32"))
    return torch.float64 if dtype == "float64" else torch.float32


def make_mlp(
    input_dim: int,
    width: int,
    *,
    depth: int = 1,
    parameterization: str = "ntk",
    gamma0: float = 1.0,
    bias_std: float = 0.0,
    seed: int = 0,
    dtype: str = "float64",
) -> Any:
    r"""A ReLU MLP with ``depth`` hidden layers of ``width`` units and one scalar output.

    Parameters
    ----------
    input_dim : int
        Input dimension d.
    width : int
        Hidden width n (>= 1).
    depth : int
        Number of hidden layers L (>= 1); ``depth=1`` is the two-layer network whose
        infinite-width NTK is the arc-cosine kernel (:func:`arccos_ntk`).
    parameterization : {"ntk", "mup"}
        Readout scale :math:`1/\sqrt n` (lazy) or :math:`1/(\gamma_0 n)` (mean-field).
    gamma0 : float
        Feature-learning strength of the mean-field parameterisation (> 0; unused for ntk).
    bias_std : float
        Bias multiplier :math:`\beta` (0: no biases).
    seed : int
        Seed of the initial weights (a ``torch.Generator``; the global RNG is untouched).
    dtype : {"float64", "float32"}

    Returns
    -------
    torch.nn.Module
        Maps (batch, d) to (batch,); has attributes ``width``, ``parameterization``,
        ``lr_scale`` (multiply the step by it) and ``n_params()``.
    """
    input_dim = check_int("input_dim", input_dim, low=1)
    width = check_int("width", width, low=1)
    depth = check_int("depth", depth, low=1)
    check_choice("parameterization", parameterization, PARAMETERIZATIONS)
    gamma0 = check_real("gamma0", gamma0, low=0.0, low_open=True)
    bias_std = check_real("bias_std", bias_std, low=0.0)
    seed = check_int("seed", seed, low=0)
    cls = _classes()["MLP"]
    return cls(input_dim, width, depth, parameterization, gamma0, bias_std, _generator(seed),
               _dtype(dtype))


def make_cnn(
    image_shape: tuple[int, int, int],
    width: int,
    *,
    depth: int = 2,
    parameterization: str = "ntk",
    gamma0: float = 1.0,
    seed: int = 0,
    dtype: str = "float64",
) -> Any:
    r"""A small ReLU CNN: ``depth`` 3 x 3 convolutions with ``width`` channels, mean pool, linear readout.

    Parameters
    ----------
    image_shape : (C, H, W)
        Shape of one image; inputs arrive flattened, (batch, C*H*W).
    width : int
        Channels n of every convolution (>= 1).
    depth : int
        Number of convolutions (>= 1).
    parameterization, gamma0, seed, dtype
        As in :func:`make_mlp`.
    """
    if image_shape is None or len(tuple(image_shape)) != 3:
        raise InvalidParameterError(
            "`model` 'cnn' needs image data with a shape (channels, height, width); "
            f"got image_shape={image_shape!r} (use digits, or an .npz whose X is (P, H, W) "
            "or (P, C, H, W))."
        )
    shape = tuple(check_int("image_shape", s, low=1) for s in image_shape)
    width = check_int("width", width, low=1)
    depth = check_int("depth", depth, low=1)
    check_choice("parameterization", parameterization, PARAMETERIZATIONS)
    gamma0 = check_real("gamma0", gamma0, low=0.0, low_open=True)
    seed = check_int("seed", seed, low=0)
    cls = _classes()["CNN"]
    return cls(shape, width, depth, parameterization, gamma0, _generator(seed), _dtype(dtype))


def make_model(
    name: str,
    dataset: Any,
    width: int,
    *,
    depth: int | None = None,
    parameterization: str = "ntk",
    gamma0: float = 1.0,
    seed: int = 0,
    dtype: str = "float64",
) -> Any:
    """``make_mlp`` or ``make_cnn`` sized for ``dataset`` (a :class:`Dataset`).

    ``depth`` defaults to 1 hidden layer (MLP) or 2 convolutions (CNN).
    """
    check_choice("model", name, MODEL_NAMES)
    if name == "mlp":
        return make_mlp(dataset.n_features, width, depth=1 if depth is None else depth,
                        parameterization=parameterization, gamma0=gamma0, seed=seed, dtype=dtype)
    return make_cnn(dataset.image_shape, width, depth=2 if depth is None else depth,
                    parameterization=parameterization, gamma0=gamma0, seed=seed, dtype=dtype)


def network_seed(seed: int, width: int) -> int:
    """Seed of the network of ``width`` in a run with root ``seed`` (the same in every function)."""
    return int(np.random.SeedSequence([seed, width]).generate_state(1)[0])
