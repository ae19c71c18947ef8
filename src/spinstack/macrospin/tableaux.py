"""The embedded Runge-Kutta pairs of the deterministic integrators (:mod:`.integrate`, :mod:`.compiled`).

Each pair is a :class:`Tableau` with FSAL (first same as last): its last stage is the right-hand side at
the new solution, which is the next step's first stage.  A step of S + 1 stages (rows 0 .. S of ``A``) costs
S evaluations; row S of ``A`` is the propagated solution's weights ``B`` and ``C[S] = 1``, so the point of the
last stage is the new solution itself.

* ``"DP5"``: Dormand-Prince 5(4) (Hairer, Norsett & Wanner, Solving ODEs I, Table II.5.2): 6 evaluations per
  step, the error of the embedded fourth-order solution, step-size exponent 1/5.
* ``"DOP853"``: Dormand-Prince 8(5,3) (Hairer, Norsett & Wanner, II.10; Hairer's DOP853, as
  ``scipy.integrate.solve_ivp(method="DOP853")``): 12 evaluations per step, the error estimate of DOP853
  combining the fifth- and third-order ones, ``err = |h| |e5|^2 / sqrt((|e5|^2 + 0.01 |e3|^2) n)``, step-size
  exponent 1/8.  Its coefficients are scipy's (``scipy.integrate._ivp.dop853_coefficients``, Hairer's
  values), read when first asked for; tests/macrospin/test_compiled.py checks the order conditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

__all__ = ["METHODS", "Tableau", "tableau"]

#: the pairs :func:`tableau` knows
METHODS = ("DOP853", "DP5")


@dataclass(frozen=True)
class Tableau:
    """An embedded FSAL Runge-Kutta pair.

    Attributes
    ----------
    name
        ``"DP5"`` or ``"DOP853"``.
    A
        (S + 1, S + 1) stage weights, row ``s`` for stage ``s`` (row S: the propagated solution).
    B
        (S + 1,) weights of the propagated solution (``B[S] = 0``).
    C
        (S + 1,) stage times as fractions of the step.
    E
        (S + 1,) weights of the error estimate (DP5: fifth minus fourth order; DOP853: its fifth-order one).
    E3
        (S + 1,) DOP853's third-order error weights (zeros for DP5, whose norm does not use them).
    exponent
        1 / (q + 1), q the order of the error estimate: the step-size controller's and the first step's.
    combined
        True: DOP853's combined norm |h| |e5|^2 / sqrt((|e5|^2 + 0.01 |e3|^2) n); False: RMS of h E.k / scale.
    """

    name: str
    A: np.ndarray
    B: np.ndarray
    C: np.ndarray
    E: np.ndarray
    E3: np.ndarray
    exponent: float
    combined: bool

    @property
    def evaluations(self) -> int:
        """Right-hand-side evaluations per step (FSAL: the stages but the first)."""
        return self.A.shape[0] - 1


def _dp5() -> Tableau:
    rows = [[], [1 / 5], [3 / 40, 9 / 40], [44 / 45, -56 / 15, 32 / 9],
            [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
            [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
            [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]]
    A = np.zeros((7, 7))
    for row, values in enumerate(rows):
        A[row, :len(values)] = values
    B5 = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0])
    B4 = np.array([5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40])
    return Tableau("DP5", A, B5, np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0]), B5 - B4, np.zeros(7), 1 / 5,
                   False)


def _dop853() -> Tableau:
    from scipy.integrate._ivp import dop853_coefficients as hairer

    stages = hairer.N_STAGES  # 12, and the FSAL stage
    A = np.zeros((stages + 1, stages + 1))
    A[:stages, :stages] = hairer.A[:stages, :stages]
    A[stages, :stages] = hairer.B
    B = np.zeros(stages + 1)
    B[:stages] = hairer.B
    C = np.array(hairer.C[:stages + 1], dtype=float)
    C[stages] = 1.0
    return Tableau("DOP853", A, B, C, np.array(hairer.E5, dtype=float), np.array(hairer.E3, dtype=float), 1 / 8, True)


@cache
def tableau(method: str) -> Tableau:
    """The pair called ``method`` (one of :data:`METHODS`); read-only arrays."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    pair = _dop853() if method == "DOP853" else _dp5()
    for array in (pair.A, pair.B, pair.C, pair.E, pair.E3):
        array.flags.writeable = False
    return pair
