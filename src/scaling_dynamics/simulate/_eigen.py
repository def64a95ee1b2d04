r"""Diagonalise the training problem once; every time point is then a cheap product.

Notation (theory.md section 1): data features :math:`X = \Psi = Z\Lambda^{1/2}`
(P x M), projection :math:`Y = A/\sqrt N` (N x M), student features
:math:`\Phi = X Y^\top` (P x N), labels :math:`y = X w^* + \sigma\epsilon`.
Training minimises :math:`\hat L/2 = |\Phi w - y|^2/(2P)` from :math:`w = 0`, so
every optimiser's weights are a function of the kernel
:math:`K = \Phi^\top\Phi/P = Y G Y^\top` (:math:`G = X^\top X/P`) applied to
:math:`h = \Phi^\top y/P`:

.. math::  w_t = q_t(K)\,h, \qquad v_t = w^* - Y^\top w_t = w^* - T\,(q_t(\mu)\odot c),

with :math:`K = U\operatorname{diag}(\mu)U^\top`, :math:`T = Y^\top U` (M x r) and
:math:`c = U^\top h`. The function :math:`q_t` depends on the optimiser
(gradient flow: :math:`q_t(\mu) = (1-e^{-\mu t})/\mu`).

Three routes give :math:`(\mu, T, c)`, and the cheapest is chosen by a flop count:

``primal``  eigendecompose K (N x N).
``dual``    eigendecompose :math:`\Phi\Phi^\top/P` (P x P) with eigenvectors V; then
            :math:`w_t = \Phi^\top V q_t(\mu) V^\top y/P`, so :math:`T = Y^\top\Phi^\top V`,
            :math:`c = V^\top y/P` (no division by small eigenvalues).
``modes``   (N >= M) thin QR :math:`Y = QR`, eigendecompose :math:`S = R G R^\top = W\mu W^\top`
            (M x M); :math:`T = R^\top W`, :math:`c = W^\top R\, X^\top y/P`; Q is never formed.

Each route diagonalises with the backend's :meth:`~._backends.Backend.eigh_basis`: on
NumPy a tridiagonal reduction whose eigenvectors are applied as Householder reflectors
and never formed (:mod:`._tridiagonal`), so neither U nor T costs an n^3 product unless
a block of times is wider than half of r; the diagnostics name the eigensolver. Every
eigensolver reads one triangle, which defines the symmetric matrix; products
like :math:`Y\Lambda Y^\top` that are symmetric only up to round-off need no averaging.

``N = inf`` means :math:`Y = I` (the student sees the teacher's features);
``P = inf`` means :math:`G = \Lambda` and :math:`h = Y\Lambda w^*` (population
gradient; label noise averages out); both infinite is the ``diagonal`` route
:math:`\mu = \lambda`, :math:`T = I`.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._backends import Backend

__all__ = ["Eigensystem", "route_costs", "choose_route", "decompose", "ROUTES"]

ROUTES = ("auto", "primal", "dual", "modes")
_EIGH_COST = 10.0  # flops of a symmetric eigendecomposition with vectors, in units of n^3


@dataclass
class Eigensystem:
    r"""Eigenvalues ``mu`` (host, clipped at 0), ``c`` (r,) and the map :math:`T` (M x r).

    T is kept factored, :math:`T = L_1 \cdots L_j\, U`, with the route's matrices ``left``
    (applied right to left; empty: :math:`T = U`) and the eigenvector ``basis`` (None:
    T = identity). :meth:`map` applies it to an r x k block without forming T when the
    block is narrow (``basis.implicit``); a wide block forms T once, as a dense
    eigendecomposition would have.
    """

    mu: np.ndarray
    c: Any
    route: str
    left: tuple[Any, ...] = ()
    basis: Any = None
    #: the backend's product (``left`` is applied with it)
    matmul: Any = field(default=None, repr=False, compare=False)
    #: wall seconds of the stages: "products" (matrix products), "eigh"
    timings: dict[str, float] = field(default_factory=dict)
    _T: Any = field(default=None, repr=False, compare=False)

    #: form T once a block has more than this fraction of r columns (flop break-even:
    #: about 2n^3 to form U plus 2Mn^2 for T, against about 6n^2 per implicit column)
    FORM_AT = 0.5

    @property
    def solver(self) -> str:
        """Which eigensolver produced the system (for the run's diagnostics)."""
        return "diagonal" if self.basis is None else self.basis.solver

    def map(self, coef: Any) -> Any:
        r""":math:`T\,\mathrm{coef}` for an r x k block ``coef``."""
        if self.basis is None:
            return coef
        if self._T is None and (not self.basis.implicit
                                or coef.shape[1] > self.FORM_AT * coef.shape[0]):
            self._T = self._chain(self.basis.dense())
        if self._T is not None:
            return self.matmul(self._T, coef)
        return self._chain(self.basis.apply(coef))

    def _chain(self, B: Any) -> Any:
        for L in reversed(self.left):
            B = self.matmul(L, B)
        return B


def route_costs(N: float, P: float, M: int) -> dict[str, float]:
    """Approximate flop counts of each valid route (invalid routes are absent; may be inf)."""
    N, P, M = float(N), float(P), float(M)  # huge sizes give inf, never an overflow
    fin_n, fin_p = math.isfinite(N), math.isfinite(P)
    costs: dict[str, float] = {}
    if not fin_n and not fin_p:
        return {"diagonal": float(M)}
    if fin_n:
        build = P * M * N + P * N * N if fin_p else N * N * M
        costs["primal"] = build + _EIGH_COST * N * N * N + M * N * N
    if fin_p:
        n_eff = N if fin_n else M
        build = (P * M * N if fin_n else 0.0) + n_eff * P * P
        costs["dual"] = build + _EIGH_COST * P * P * P + n_eff * P * P + (M * N * P if fin_n else 0.0)
    if not fin_n or N >= M:
        qr = 2.0 * N * M * M if fin_n else 0.0
        gram = P * M * M if fin_p else M * M
        costs["modes"] = qr + gram + 2.0 * M * M * M + _EIGH_COST * M * M * M + M * M * M
    return costs


def choose_route(N: float, P: float, M: int, route: str = "auto") -> str:
    costs = route_costs(N, P, M)
    if route == "auto":
        return min(costs, key=costs.get)
    if route not in costs:
        from .._errors import InvalidParameterError

        raise InvalidParameterError(
            f"route {route!r} is not possible for N={N}, P={P}, M={M}; "
            f"possible: {', '.join(sorted(costs))}."
        )
    return route


class _Stages:
    """Wall time per stage ("products", "eigh"), synchronising the backend around each."""

    def __init__(self, be: Backend) -> None:
        self.be = be
        self.timings: dict[str, float] = {"products": 0.0, "eigh": 0.0}

    @contextmanager
    def __call__(self, name: str):
        self.be.synchronize()
        start = time.perf_counter()
        yield
        self.be.synchronize()
        self.timings[name] += time.perf_counter() - start


def _primal(be, stage, lam, wstar, X, y, Y):
    """N x N kernel :math:`K = \\Phi^\top\\Phi/P` (or :math:`Y\\Lambda Y^\top` at P = inf)."""
    with stage("products"):
        if X is not None:
            P = X.shape[0]
            Phi = be.matmul(X, Y.T)
            K = be.gram(Phi, 1.0 / P, transpose=True)
            h = be.matmul(Phi.T, y) / P
            del Phi
        else:
            K = be.gram(Y * lam**0.5, 1.0, transpose=False)
            h = be.matmul(Y, lam * wstar)
    with stage("eigh"):
        mu, U = be.eigh_basis(K)
        del K
        c = U.apply_t(h)
    return mu, c, (Y.T,), U


def _dual(be, stage, lam, wstar, X, y, Y):
    """P x P Gram matrix :math:`\\Phi\\Phi^\top/P`, mapped back through :math:`\\Phi^\top`."""
    with stage("products"):
        P = X.shape[0]
        Phi = be.matmul(X, Y.T) if Y is not None else X
        Kd = be.gram(Phi, 1.0 / P, transpose=False)
    with stage("eigh"):
        mu, V = be.eigh_basis(Kd)
        del Kd
        c = V.apply_t(y) / P
    left = (Y.T, Phi.T) if Y is not None else (Phi.T,)
    return mu, c, left, V


def _modes(be, stage, lam, wstar, X, y, Y):
    """M x M: :math:`R G R^\top` with :math:`Y^\top = QR` and G the empirical covariance."""
    with stage("products"):
        if X is not None:
            P = X.shape[0]
            G = be.gram(X, 1.0 / P, transpose=True, full=Y is not None)
            g = be.matmul(X.T, y) / P
        else:
            G = None
            g = lam * wstar
        if Y is not None:
            R = be.qr_r(Y)
            S = be.matmul(R * lam, R.T) if G is None else be.matmul(be.matmul(R, G), R.T)
            g = be.matmul(R, g)
        else:
            R = None
            S = G  # N = inf and P finite (P = inf is the diagonal route)
    with stage("eigh"):
        mu, W = be.eigh_basis(S)
        del S
        c = W.apply_t(g)
    return mu, c, ((R.T,) if R is not None else ()), W


_ROUTES = {"primal": _primal, "dual": _dual, "modes": _modes}


def decompose(
    be: Backend,
    route: str,
    lam: Any,
    wstar: Any,
    X: Any | None,
    y: Any | None,
    Y: Any | None,
) -> Eigensystem:
    r"""Compute :math:`(\mu, T, c)` by ``route``. ``X``/``y`` None: P = inf; ``Y`` None: N = inf."""
    if route == "diagonal":
        return Eigensystem(mu=be.to_numpy(lam).copy(), c=lam * wstar, route=route)
    stage = _Stages(be)
    mu, c, left, basis = _ROUTES[route](be, stage, lam, wstar, X, y, Y)
    mu_h = np.clip(be.to_numpy(mu).astype(np.float64), 0.0, None)
    return Eigensystem(mu=mu_h, c=c, route=route, left=left, basis=basis,
                       matmul=be.matmul, timings=stage.timings)
