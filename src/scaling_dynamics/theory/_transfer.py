r"""Transfer functions :math:`H_k(t)` and the density of timescales :math:`\rho_k(u)`.

The mean error of mode ``k`` (averaged over data and projection) is
:math:`\langle v_k(t)\rangle = H_k(t)\, w^*_k`, with

.. math::  H_k(z) = \frac{1}{z + \lambda_k R_1(z) R_3(z)}, \qquad
           H_k(t) = \int \rho_k(u)\, e^{-ut}\, du, \qquad
           \rho_k(u) = -\frac1\pi \operatorname{Im} H_k(-u + i0)

(theory.md section 2). :math:`H_k(0) = 1`. When the model cannot learn every mode
(:math:`M > \min(N, P)`), :math:`\rho_k` has an atom at :math:`u = 0` of weight
:math:`H_k(\infty) = \lim_{z\to 0} zH_k(z) = 1/(1 + \lambda_k\kappa)`, the fraction of mode
``k`` never learned; the rest is a continuous density on :math:`u > 0`.

:math:`H_k(t)` is a one-variable Talbot inversion (24 nodes, ~1e-12 accuracy).
:math:`\rho_k(u)` needs the responses on the branch cut: they are solved at
:math:`z = -u + i\eta u` for :math:`\eta = 1, 10^{-1}, \dots, 10^{-4}, 10^{-6}, \dots,
10^{-10}`, each stage warm
started from the previous one so that the solution follows the physical branch down to
the axis (the first stage itself is solved along decreasing ``u``, each block warm
started from the last); the density is then :math:`-\operatorname{Im} H_k/\pi` at the last stage (its
error is of order :math:`\eta`, i.e. 1e-10 relative, except within
:math:`\sim\eta u` of a band edge).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._blas import small_products
from .._errors import InvalidParameterError
from .._validation import as_float_array, check_int, check_size, check_times
from ..spectra import Spectrum
from ._inversion import DEFAULT_NODES_1D, MAX_NODES, talbot_rule
from ._limits import limit_loss
from ._modesums import expected_nodes, mode_set
from ._problem import check_compress, check_spectrum
from ._responses import solve_along_path, solve_on_modes

__all__ = ["TransferFunctions", "TimescaleDensity", "transfer_functions", "timescale_density"]

_MAX_DEFAULT_MODES = 10_000
# Im z / |Re z| at each stage; the last sets the accuracy of the density (error ~ eta)
_ETA_STAGES = (1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-8, 1e-10)


@dataclass(frozen=True, eq=False)
class TransferFunctions:
    r""":math:`H_k(t)` for selected modes.

    Attributes
    ----------
    times : ndarray, shape (n_times,)
    modes : ndarray of int, shape (n_modes,)
        Mode indices ``k`` (1-based, as in :math:`\lambda_k = k^{-b}`).
    eigenvalues : ndarray, shape (n_modes,)
    values : ndarray, shape (n_modes, n_times)
        :math:`H_k(t)`; the mean error of mode k is ``values[i] * w*_k``.
    """

    times: np.ndarray
    modes: np.ndarray
    eigenvalues: np.ndarray
    values: np.ndarray


@dataclass(frozen=True, eq=False)
class TimescaleDensity:
    r""":math:`\rho_k(u)` for selected modes on a grid of rates ``u > 0``.

    Attributes
    ----------
    u : ndarray, shape (n_u,)
        Rates (inverse timescales) ``u > 0``.
    modes : ndarray of int, shape (n_modes,)
    eigenvalues : ndarray, shape (n_modes,)
    density : ndarray, shape (n_modes, n_u)
        Continuous part of :math:`\rho_k(u)`.
    atom_at_zero : ndarray, shape (n_modes,)
        Weight of the atom at ``u = 0`` (the part of mode k never learned).
    """

    u: np.ndarray
    modes: np.ndarray
    eigenvalues: np.ndarray
    density: np.ndarray
    atom_at_zero: np.ndarray


def _select_modes(spectrum: Spectrum, modes: Any) -> tuple[np.ndarray, np.ndarray]:
    if modes is None:
        if not spectrum.is_finite or spectrum.M > _MAX_DEFAULT_MODES:
            raise InvalidParameterError(
                f"`modes` must list the mode indices (1-based) when M > {_MAX_DEFAULT_MODES} or "
                f"M = inf; got None with M = {spectrum.M}."
            )
        k = np.arange(1, int(spectrum.M) + 1)
    else:
        arr = np.atleast_1d(np.asarray(modes))
        if arr.ndim != 1 or arr.size == 0:
            raise InvalidParameterError(
                f"`modes` must be a non-empty 1-d list of mode indices; got shape {arr.shape}."
            )
        k = np.array([check_int("modes", int(x) if float(x).is_integer() else x, low=1)
                      for x in arr.tolist()])
        if spectrum.is_finite and k.max() > spectrum.M:
            raise InvalidParameterError(
                f"`modes` must be between 1 and M = {spectrum.M}; got {int(k.max())}."
            )
    if spectrum.is_power_law:
        lam = k.astype(np.float64) ** (-float(spectrum.b))
    else:
        lam = np.asarray(spectrum.eigenvalues)[k - 1]
    return k, lam


def transfer_functions(
    spectrum: Spectrum,
    N: int | float,
    P: int | float,
    times: Any,
    *,
    modes: Any = None,
    n_nodes: int = DEFAULT_NODES_1D,
    compress: str = "auto",
) -> TransferFunctions:
    r"""Transfer functions :math:`H_k(t) = \mathcal L^{-1}[1/(z + \lambda_k R_1R_3)](t)`.

    Parameters
    ----------
    spectrum : Spectrum
    N, P : int or math.inf
    times : array_like
        Gradient-flow times ``>= 0`` (:math:`H_k(0) = 1`).
    modes : array_like of int, optional
        Mode indices k (1-based); default all modes (M <= 10000 only).
    n_nodes : int
        Talbot nodes (default 24).
    compress : {"auto", "on", "off"}

    Returns
    -------
    TransferFunctions

    Examples
    --------
    >>> import numpy as np
    >>> from scaling_dynamics import Spectrum
    >>> from scaling_dynamics.theory import transfer_functions
    >>> s = Spectrum.power_law(a=1.5, b=1.25, M=500)
    >>> H = transfer_functions(s, N=np.inf, P=np.inf, times=[0, 2.0], modes=[1, 4])
    >>> np.allclose(H.values[:, 1], np.exp(-2.0 * H.eigenvalues), rtol=1e-10)
    True
    """
    spectrum = check_spectrum(spectrum)
    N, P = check_size("N", N), check_size("P", P)
    t = check_times("times", times)
    n_nodes = check_int("n_nodes", n_nodes, low=4, high=MAX_NODES)
    compress = check_compress(compress)
    k, lam = _select_modes(spectrum, modes)
    values = np.ones((k.size, t.size))
    pos = np.flatnonzero(t > 0)
    with small_products(expected_nodes(spectrum, compress)):
        if pos.size:
            rule = talbot_rule(t[pos], n_nodes)
            ms = mode_set(spectrum, min_scale=float(np.abs(rule.nodes).min()), compress=compress)
            from ._correlations import solve_on_rule

            resp = solve_on_rule(ms, N, P, rule)
            rho = resp.rho.reshape(rule.nodes.shape)
            H = 1.0 / (rule.nodes[:, :, None] + rho[:, :, None] * lam[None, None, :])
            values[:, pos] = np.real(np.einsum("tj,tjk->kt", rule.weights, H))
    return TransferFunctions(times=t, modes=k, eigenvalues=lam, values=values)


def timescale_density(
    spectrum: Spectrum,
    N: int | float,
    P: int | float,
    u: Any,
    *,
    modes: Any = None,
    compress: str = "auto",
) -> TimescaleDensity:
    r"""Density of timescales :math:`\rho_k(u) = -\frac1\pi\operatorname{Im}H_k(-u + i0)`.

    Parameters
    ----------
    spectrum : Spectrum
    N, P : int or math.inf
        At least one finite (with ``N = P = inf`` every :math:`\rho_k` is a delta at
        :math:`u = \lambda_k` and there is no density to evaluate).
    u : array_like
        Positive rates.
    modes : array_like of int, optional
        Mode indices k (1-based); default all modes (M <= 10000 only).
    compress : {"auto", "on", "off"}
        Exact mode sums are recommended here (the branch cut makes compressed sums less
        accurate); ``"auto"`` keeps them exact up to M = 2048.

    Returns
    -------
    TimescaleDensity

    Examples
    --------
    >>> import numpy as np
    >>> from scaling_dynamics import Spectrum
    >>> from scaling_dynamics.theory import timescale_density
    >>> s = Spectrum.power_law(a=1.5, b=1.25, M=400)
    >>> d = timescale_density(s, N=100, P=np.inf, u=np.geomspace(1e-4, 10, 400), modes=[1])
    >>> bool(np.all(d.density >= -1e-12)), bool(0 < d.atom_at_zero[0] < 1)
    (True, True)
    """
    spectrum = check_spectrum(spectrum)
    N, P = check_size("N", N), check_size("P", P)
    if math.isinf(N) and math.isinf(P):
        raise InvalidParameterError(
            "`N` and `P` are both inf: every rho_k is then a point mass at u = lambda_k "
            "(H_k(t) = exp(-lambda_k t)), with no density to evaluate."
        )
    uu = as_float_array("u", np.atleast_1d(np.asarray(u, dtype=object)).tolist(), positive=True)
    compress = check_compress(compress)
    k, lam = _select_modes(spectrum, modes)
    with small_products(expected_nodes(spectrum, compress)):
        ms = mode_set(spectrum, min_scale=float(uu.min()) * 1e-3, compress=compress)
        # stage 0 (z = -u + iu) by continuation along decreasing u, then down to the axis
        order = np.argsort(-uu, kind="stable")
        first = solve_along_path(ms, N, P, -uu[order] + 1j * uu[order])
        r1 = np.empty_like(first.R1)
        r3 = np.empty_like(first.R3)
        r1[order], r3[order] = first.R1, first.R3
        for eta in _ETA_STAGES[1:]:
            z = -uu + 1j * uu * eta
            r = solve_on_modes(ms, N, P, z, guess=(r1, r3))
            r1, r3 = r.R1, r.R3
        rho = r1 * r3
        H = 1.0 / (z[None, :] + lam[:, None] * rho[None, :])
        density = -H.imag / math.pi
    lim = limit_loss(spectrum, N, P, compress=compress)
    if math.isfinite(lim.kappa):
        atom = 1.0 / (1.0 + lam * lim.kappa)
    else:
        atom = np.zeros(lam.size)
    return TimescaleDensity(u=uu, modes=k, eigenvalues=lam, density=density, atom_at_zero=atom)
