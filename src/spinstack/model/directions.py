"""Directions by name: the film geometry's axes, shared by magnetizations and anisotropy axes."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..errors import StackError
from . import checks

#: Named directions.  The stack axis x is the film normal (perpendicular to the layers); y and z lie
#: in the film plane.  (A polar angle theta is measured from +z, an in-plane axis: theta = 0 is in plane.)
DIRECTIONS: dict[str, tuple[float, float, float]] = {
    "normal": (1.0, 0.0, 0.0), "+normal": (1.0, 0.0, 0.0), "-normal": (-1.0, 0.0, 0.0),
    "+x": (1.0, 0.0, 0.0), "-x": (-1.0, 0.0, 0.0),
    "+y": (0.0, 1.0, 0.0), "-y": (0.0, -1.0, 0.0),
    "+z": (0.0, 0.0, 1.0), "-z": (0.0, 0.0, -1.0),
}
GEOMETRY = ("x is the film normal (perpendicular to the layers), y and z lie in the film plane; theta is "
            "measured from +z, in the plane")


def direction(value: Any, path: str = "magnetization") -> np.ndarray:
    """A unit vector [x, y, z] from a direction name, a vector or ``{"theta": deg, "phi": deg}``.

    Parameters
    ----------
    value
        ``"normal"`` (= ``"+x"``, the film normal: perpendicular to the layers), ``"-normal"``,
        ``"+x"``, ``"-x"``, or the in-plane ``"+y"``, ``"-y"``, ``"+z"``, ``"-z"``; or any non-zero
        vector (normalised), shape ``(..., 3)``; or polar angles in degrees, theta from +z (which
        lies in the film plane) and phi from +x, so ``{theta = 90, phi = 0}`` is the normal.
    path
        Names the value in error messages.

    Returns
    -------
    numpy.ndarray
        The unit vector(s), shape ``(..., 3)``, read-only.

    Raises
    ------
    StackError
        An unknown name (the message lists the names and says which axis is which), or a bad vector.
    """
    if isinstance(value, str):
        vector = DIRECTIONS.get(value.strip())
        if vector is None:
            names = ", ".join(f'"{name}"' for name in DIRECTIONS)
            raise StackError(path, f"unknown direction {json.dumps(value[:40])} (named directions: {names}; {GEOMETRY})")
        return checks.frozen(np.array(vector))
    return checks.direction(value, path)
