"""Magnetization dynamics: macrospin LLGS with the exact torque of the transport solution (MODEL.md 9).

:class:`Macrospins` (which F layers move, their constants, fields and drive), :func:`effective_field` and
:func:`energy` (MODEL.md 9b), :func:`simulate` (the adaptive Dormand-Prince integration, MODEL.md 9a),
:func:`critical_currents` and :func:`thresholds` (linear stability, MODEL.md 9d).
Submodules are imported on first use of a name.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["Coupling", "Macrospins", "RightHandSide", "critical_currents", "effective_field", "energy", "linearisations",
           "simulate", "thresholds"]

_WHERE = {"Coupling": "spec", "Macrospins": "spec", "GAMMA_ELECTRON": "spec", "MU0": "spec",
          "effective_field": "fields", "energy": "fields", "simulate": "integrate", "RightHandSide": "integrate",
          "critical_currents": "stability", "thresholds": "stability", "linearisations": "stability"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
