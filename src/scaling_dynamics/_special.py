r"""Special functions the start of every command needs, without importing scipy.special.

``import scipy.special`` costs 0.1-0.2 s (it loads scipy's array-API layer and LAPACK
wrappers); a power-law spectrum needs only the Hurwitz zeta function for its sums
:math:`\sum_{k=lo}^{hi} k^{-s}`, and the compressed mode sums only Gauss-Legendre nodes
(``numpy.polynomial.legendre.leggauss``). This module gives the zeta function in plain
Python floats, to ~1e-15 relative (checked against scipy.special.zeta in the tests).
"""

from __future__ import annotations

import math

__all__ = ["hurwitz_zeta"]

#: Direct terms before the Euler-Maclaurin tail; with _B2J below the remainder is below
#: 1e-17 relative for every s > 1 and q >= 1 (the first omitted term is
#: B_20/20! * s(s+1)...(s+18) / (q+n)^(s+19), n = 12).
_DIRECT = 12
#: Bernoulli numbers B_2, B_4, ..., B_18.
_B2J = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798)


def hurwitz_zeta(s: float, q: float = 1.0) -> float:
    r"""Hurwitz zeta :math:`\zeta(s, q) = \sum_{k=0}^\infty (q + k)^{-s}` for ``s > 1``, ``q > 0``.

    Euler-Maclaurin summation: the first :data:`_DIRECT` terms directly, then

    .. math:: \int_{Q}^\infty x^{-s}\,dx + \tfrac12 Q^{-s}
              + \sum_{j\ge1} \frac{B_{2j}}{(2j)!}\, s(s+1)\cdots(s+2j-2)\, Q^{-s-2j+1},
              \qquad Q = q + n.

    ``s = inf`` gives ``q**-inf`` (1 at q = 1, else 0); ``q = inf`` gives 0.
    """
    s, q = float(s), float(q)
    if not s > 1.0 or not q > 0.0:
        raise ValueError(f"hurwitz_zeta needs s > 1 and q > 0; got s={s!r}, q={q!r}")
    if math.isinf(q):
        return 0.0
    if math.isinf(s):
        return 1.0 if q == 1.0 else (0.0 if q > 1.0 else math.inf)
    total = math.fsum((q + k) ** -s for k in range(_DIRECT))
    big_q = q + _DIRECT
    tail = big_q ** (1.0 - s) / (s - 1.0) + 0.5 * big_q ** -s
    rising = s  # s (s+1) ... (s+2j-2)
    power = big_q ** (-s - 1.0)
    fact = 2.0  # (2j)!
    for j, b2j in enumerate(_B2J, start=1):
        term = b2j / fact * rising * power
        tail += term
        if abs(term) < 1e-18 * abs(total + tail):
            break
        rising *= (s + 2 * j - 1) * (s + 2 * j)
        power /= big_q * big_q
        fact *= (2 * j + 1) * (2 * j + 2)
    return total + tail
