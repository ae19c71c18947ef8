"""Analysis on top of the solver: numbers only, used by the figures, the CLI and the app.

The names below are imported when first used (:mod:`spinstack._lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:  # the table of re-exports (read by spinstack._lazy.exports; imported when a name is first used)
    from .analogy import RingForces, ring_forces
    from .efficiencies import (EFFICIENCIES, SignMap, SignReport, Threshold, bisect, default_threshold_parameters,
                             efficiency, seed_eq15_boundaries, sign_change_angles, sign_map, sign_report, threshold,
                             with_angle)
    from .hodographs import Hodograph, hodograph
    from .resistance import Magnetoresistance, magnetoresistance, resistance_curve
    from .spin_orbit import (PLANES, SmrCurve, TorqueCurve, chen_smr, smr_angle, smr_scan_plane, smr_thickness,
                             spin_hall_layer, torque_thickness)

__all__ = ["EFFICIENCIES", "Hodograph", "Magnetoresistance", "magnetoresistance", "resistance_curve", "RingForces", "SignMap",
           "SignReport", "default_threshold_parameters", "sign_report", "Threshold", "bisect", "efficiency", "hodograph",
           "seed_eq15_boundaries", "sign_map", "ring_forces", "sign_change_angles", "threshold", "with_angle",
           "PLANES", "SmrCurve", "TorqueCurve", "chen_smr", "smr_angle", "smr_scan_plane", "smr_thickness",
           "spin_hall_layer", "torque_thickness"]

__getattr__, __dir__ = exports(__name__, __file__)
