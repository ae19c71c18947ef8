"""The browser explorer (``spinstack explore``): a local Panel app over the solver.

Controls for every parameter of a stack, live folded hodographs with the analogy's
forces and the torque arrows, profiles, g1/g2(theta) and a plain-words status line.
Panel and Bokeh are the optional extra ``app``; importing this package does not need
them, :func:`build_app` and :func:`serve` do.  The presets are imported when first used
(:mod:`spinstack._lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._lazy import exports

if TYPE_CHECKING:  # the table of re-exports (read by spinstack._lazy.exports; imported when a name is first used)
    from ..model import Stack  # (annotations only)
    from .presets import PRESETS, asymmetric_stack, preset, seed_stack, three_f_stack


def build_app(stack: Stack | None = None, label: str = "given stack") -> Any:
    """The explorer page for ``stack`` (the seed preset when omitted), a Panel object; see :mod:`.explorer`."""
    from .explorer import build_app as _build

    return _build(stack, label)


def serve(stack: Stack | None = None, label: str = "given stack", port: int | None = None,
          show: bool = False) -> None:
    """Serve the explorer on 127.0.0.1 until interrupted; see :func:`spinstack.app.server.serve`."""
    from .server import serve as _serve

    _serve(stack, label, port, show)


__all__ = ["PRESETS", "asymmetric_stack", "build_app", "preset", "seed_stack", "serve", "three_f_stack"]

__getattr__, __dir__ = exports(__name__, __file__)
