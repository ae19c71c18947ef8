"""Analysis on top of the solver: numbers only, used by the figures, the CLI and the app."""

from .analogy import RingForces, ring_forces
from .efficiency import EFFICIENCIES, Threshold, bisect, efficiency, sign_change_angles, threshold, with_angle
from .hodograph import Hodograph, hodograph

__all__ = ["EFFICIENCIES", "Hodograph", "RingForces", "Threshold", "bisect", "efficiency", "hodograph",
           "ring_forces", "sign_change_angles", "threshold", "with_angle"]
