"""Analysis on top of the solver: numbers only, used by the figures, the CLI and the app."""

from .analogy import RingForces, ring_forces
from .efficiency import (EFFICIENCIES, SignMap, SignReport, Threshold, bisect, default_threshold_parameters, sign_report, efficiency, seed_eq15_boundaries, sign_change_angles,
                         sign_map, threshold, with_angle)
from .hodograph import Hodograph, hodograph
from .resistance import Magnetoresistance, magnetoresistance, resistance_curve

__all__ = ["EFFICIENCIES", "Hodograph", "Magnetoresistance", "magnetoresistance", "resistance_curve", "RingForces", "SignMap", "SignReport", "default_threshold_parameters", "sign_report", "Threshold", "bisect", "efficiency", "hodograph", "seed_eq15_boundaries", "sign_map",
           "ring_forces", "sign_change_angles", "threshold", "with_angle"]
from .spin_orbit import (PLANES, SmrCurve, TorqueCurve, chen_smr, rotation_plane, smr_angle, smr_thickness,
                         spin_hall_layer, torque_thickness)

__all__ += ["PLANES", "SmrCurve", "TorqueCurve", "chen_smr", "rotation_plane", "smr_angle", "smr_thickness",
            "spin_hall_layer", "torque_thickness"]
