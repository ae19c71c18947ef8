"""Magnetization dynamics: macrospin LLGS with the exact torque of the transport solution (MODEL.md 9).

:class:`Macrospins` (which F layers move, their constants, fields and drive), :func:`effective_field` and
:func:`energy` (MODEL.md 9b), :func:`simulate` (the adaptive Dormand-Prince integration, MODEL.md 9a; at a
temperature > 0 :func:`simulate_thermal`, stochastic Heun with the thermal field of 9b),
:func:`critical_currents` and :func:`thresholds` (linear stability, MODEL.md 9d), :func:`final_states` (the end-of-run
state, precession frequency and switching time, MODEL.md 9d), :func:`power_spectrum` (of R(t) or any saved signal).

The names below are imported when first used (:mod:`spinstack._lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:  # the table of re-exports (read by spinstack._lazy.exports; imported when a name is first used)
    from .fields import effective_field, energy
    from .integrate import RightHandSide, simulate
    from .spec import GAMMA_ELECTRON, MU0, Coupling, Macrospins
    from .spectrum import Spectrum, power_spectrum
    from .stability import critical_currents, linearisations, thresholds
    from .states import (STATES, FinalState, final_state, final_states, oscillation_frequency, reference_direction,
                         switching_time)
    from .thermal import simulate_thermal

__all__ = ["Coupling", "FinalState", "GAMMA_ELECTRON", "MU0", "Macrospins", "RightHandSide", "STATES", "Spectrum",
           "critical_currents", "effective_field", "energy", "final_state", "final_states", "linearisations",
           "oscillation_frequency", "power_spectrum", "reference_direction", "simulate", "simulate_thermal",
           "switching_time", "thresholds"]

__getattr__, __dir__ = exports(__name__, __file__)
