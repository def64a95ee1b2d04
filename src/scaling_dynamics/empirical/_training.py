r"""Non-linear networks trained by full-batch gradient descent, from the zero function.

The same network as the linearised one (NTK or mean-field parameterisation, see
:mod:`._models`) trained by full-batch gradient descent on :math:`\hat L/2` with step
:math:`\eta \times` ``model.lr_scale``, with the initial function subtracted.

Losses follow ``docs/conventions.md``: test loss = mean squared error on held-out samples
(labels of real data are noise-free, :math:`\sigma = 0`), train loss = mean squared error on
the training samples; time counts steps.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import ConvergenceError
from .._progress import progress_bar
from .._validation import check_choice, check_int, check_real, check_times
from .._version import __version__
from ..optimizers import make_optimizer, slots_by_step
from ..results import LossCurves
from ..scaling._summary import summary_repr
from ._data import Dataset
from ._deps import require_torch
from ._models import make_model, network_seed

__all__ = ["NetworkRuns", "train_network", "train_networks"]


def train_network(
    model: Any,
    train: Dataset,
    test: Dataset,
    steps: Any,
    eta: float,
    *,
    dtype: str = "float32",
    progress: bool | None = None,
) -> LossCurves:
    r"""Train a copy of ``model`` by full-batch GD on :math:`\hat L/2`, from :math:`f - f_0 = 0`.

    The network's output is centred, :math:`\tilde f(x;\theta) = f(x;\theta) - f(x;\theta_0)`
    (:math:`\theta_0` fixed), so training starts from the zero function like the model, and
    the update is :math:`\theta \leftarrow \theta - \eta\,s\,\nabla_\theta \hat L/2` with
    :math:`s` = ``model.lr_scale`` (1 for the NTK parameterisation, :math:`\gamma_0^2 n` for
    the mean-field one).

    Parameters
    ----------
    model : torch.nn.Module
        A network from :func:`make_mlp` / :func:`make_cnn` (left unchanged: a copy is trained).
    train, test : Dataset
    steps : array_like
        Step counts at which to record the losses (whole numbers >= 0).
    eta : float
        Step size in kernel units (> 0).
    dtype : {"float32", "float64"}
    progress : bool or None

    Returns
    -------
    LossCurves
        ``source="measurement"``; a run that diverges raises :class:`ConvergenceError`.
    """
    torch = require_torch("train_network")
    eta = check_real("eta", eta, low=0.0, low_open=True)
    opt = make_optimizer("gd", eta=eta)
    t = check_times("steps", steps, integer=True)
    check_choice("dtype", dtype, ("float32", "float64"))
    tdtype = torch.float32 if dtype == "float32" else torch.float64
    net = copy.deepcopy(model).to(tdtype)
    lr = eta * float(getattr(model, "lr_scale", 1.0))
    data = [torch.as_tensor(a, dtype=tdtype) for a in (train.X, train.y, test.X, test.y)]
    started = time.perf_counter()
    test_loss, train_loss = _full_batch_gd(torch, net, lr, *data, t, eta=eta, progress=progress)
    return LossCurves(
        times=t,
        test_loss=test_loss,
        train_loss=train_loss,
        params={
            "model": "network",
            "parameterization": getattr(model, "parameterization", "unknown"),
            "width": getattr(model, "width", None),
            "gamma0": getattr(model, "gamma0", None),
            "P": train.n_samples,
            "n_test": test.n_samples,
            "eta": eta,
            "lr": lr,
            "optimizer": opt.name,
            "dtype": dtype,
        },
        source="measurement",
        backend="torch:cpu",
        version=__version__,
        time_unit="steps",
        diagnostics={"wall_time_s": time.perf_counter() - started},
    )


def _full_batch_gd(torch: Any, net: Any, lr: float, xtr: Any, ytr: Any, xte: Any, yte: Any,
                   t: np.ndarray, *, eta: float, progress: bool | None,
                   ) -> tuple[np.ndarray, np.ndarray]:
    r"""Train ``net`` in place, :math:`\theta \leftarrow \theta - lr\,\nabla \hat L/2`, on the centred output.

    Returns the test and train mean squared errors at steps ``t`` (a step asked for twice
    fills both slots); raises :class:`ConvergenceError` when the train loss is not finite.
    """
    with torch.no_grad():
        f0_tr = net(xtr).reshape(-1).clone()
        f0_te = net(xte).reshape(-1).clone()
    params = [p for p in net.parameters() if p.requires_grad]
    record = slots_by_step(t)  # step -> every output slot that asks for it
    test_loss = np.empty(t.size)
    train_loss = np.empty(t.size)
    last = int(t.max())
    with progress_bar(last + 1, "GD steps", progress, unit="step") as bar:
        for step in range(last + 1):
            out = net(xtr).reshape(-1) - f0_tr
            loss = 0.5 * torch.mean((out - ytr) ** 2)
            if step in record:
                with torch.no_grad():
                    i = record[step]
                    train_loss[i] = float(2.0 * loss)
                    test_loss[i] = float(torch.mean((net(xte).reshape(-1) - f0_te - yte) ** 2))
                if not np.isfinite(train_loss[i[0]]):
                    raise ConvergenceError(
                        f"training diverged by step {step} (eta = {eta:g}, lr = {lr:g}); "
                        "use a smaller `eta`."
                    )
            if step == last:
                break
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g in zip(params, grads, strict=True):
                    p.sub_(lr * g)
            bar.update(1)
    return test_loss, train_loss


@dataclass(frozen=True, eq=False)
class NetworkRuns:
    """Non-linear networks trained at several widths in several parameterisations.

    Attributes
    ----------
    curves : dict of (parameterization, width) to LossCurves
    widths : tuple of int
    parameterizations : tuple of str
    eta : float
    P, n_test : int
    """

    __repr__ = summary_repr

    curves: dict[tuple[str, int], LossCurves]
    widths: tuple[int, ...]
    parameterizations: tuple[str, ...]
    eta: float
    P: int
    n_test: int
    info: dict[str, Any] = field(default_factory=dict)


def train_networks(
    dataset: Dataset,
    *,
    model: str = "mlp",
    widths: Any = (16, 64, 256),
    parameterizations: Any = ("ntk", "mup"),
    P: int = 400,
    n_test: int = 500,
    steps: Any = None,
    eta: float = 1.0,
    gamma0: float = 1.0,
    depth: int | None = None,
    seed: int = 0,
    dtype: str = "float32",
    progress: bool | None = None,
) -> NetworkRuns:
    """:func:`train_network` for every parameterisation and width, on the split of :func:`train_linearized`.

    Networks of the same width share their initial weights across parameterisations (seed
    :func:`network_seed`, as in :func:`train_linearized`), so the lazy network starts exactly
    where the linearised one does.
    """
    widths_t = tuple(sorted({check_int("widths", w, low=1) for w in np.atleast_1d(widths)}))
    params_t = tuple(check_choice("parameterizations", p, ("ntk", "mup"))
                     for p in np.atleast_1d(parameterizations))
    n_test = check_int("n_test", n_test, low=1, high=dataset.n_samples - 2)
    n_pool = dataset.n_samples - n_test
    P = check_int("P", P, low=1, high=n_pool)
    if steps is None:
        steps = np.concatenate([[0.0], np.unique(np.round(np.geomspace(1, 3000, 20)))])
    train = dataset.subset(np.arange(P))
    test = dataset.subset(np.arange(n_pool, dataset.n_samples))
    curves: dict[tuple[str, int], LossCurves] = {}
    for param in params_t:
        for w in widths_t:
            net = make_model(model, dataset, w, depth=depth, parameterization=param,
                             gamma0=gamma0, seed=network_seed(seed, w))
            curves[(param, w)] = train_network(net, train, test, steps, eta, dtype=dtype,
                                               progress=progress)
    return NetworkRuns(curves=curves, widths=widths_t, parameterizations=params_t, eta=eta, P=P,
                       n_test=n_test, info={"dataset": dataset.name, "model": model,
                                            "gamma0": gamma0, "seed": seed})
