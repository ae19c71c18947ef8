"""Analysis on top of the solver: numbers only, used by the figures, the CLI and the app."""

from .analogy import RingForces, ring_forces
from .efficiency import (EFFICIENCIES, SignMap, Threshold, bisect, efficiency, seed_eq15_boundaries, sign_change_angles,
                         sign_map, threshold, with_angle)
from .hodograph import Hodograph, hodograph

__all__ = ["EFFICIENCIES", "Hodograph", "RingForces", "SignMap", "Threshold", "bisect", "efficiency", "hodograph", "seed_eq15_boundaries", "sign_map",
           "ring_forces", "sign_change_angles", "threshold", "with_angle"]
