"""The explorer's starting stacks, built in Python (``examples/`` is not part of the package).

* ``seed``: the seed paper's N / F1 / N / F2 / N spin valve (Appendix I), the numbers of
  ``examples/seed-fnf.toml``: m2 at 60 degrees from m1, g1 = g2 > 0.
* ``asymmetric``: seed Fig. 5, the numbers of ``examples/asymmetric-fnf.toml``: a weakly
  polarising F1, a strongly polarising and relaxing F2, a thin spacer; g2 < 0 below
  63.55 degrees (the wavy torque of seed section 3.3, eq. 15).
* ``three-f``: F1 / N / F2 / N / F3 with non-coplanar magnetizations (seed conclusions:
  each N chain has its own hodograph plane; the fold brings them into one).

All in the seed's reduced units, ends are reservoirs (the seed's l -> 0 electrodes).
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Ferromagnet, Layer, Normal, Stack


def seed_stack() -> Stack:
    """N / F1 / N / F2 / N of seed Appendix I (``examples/seed-fnf.toml``)."""
    f1 = Ferromagnet("F1", D=1.0, p=0.5, l=2.0)
    f2 = Ferromagnet("F2", D=1.0, p=0.5, l=2.0)
    spacer = Normal("N", D=3.0, l=10.0)
    return Stack([Layer(f1, 1.5, [0.0, 0.0, 1.0]),
                  Layer(spacer, 2.0),
                  Layer(f2, 1.5, {"theta": 60.0, "phi": 0.0})], current=1.0)


def asymmetric_stack() -> Stack:
    """Seed Fig. 5: g2 < 0 at 40 degrees (``examples/asymmetric-fnf.toml``)."""
    f1 = Ferromagnet("F1", D=1.0, p=0.3, l=2.0)
    spacer = Normal("N", D=3.0, l=10.0)
    f2 = Ferromagnet("F2", D=1.0, p=0.9, l=0.5)
    return Stack([Layer(f1, 1.5, [0.0, 0.0, 1.0]),
                  Layer(spacer, 0.5),
                  Layer(f2, 1.5, {"theta": 40.0, "phi": 0.0})], current=1.0)


def three_f_stack() -> Stack:
    """F1 / N / F2 / N / F3, m1 along z, m2 in the x-z plane, m3 out of it (non-coplanar)."""
    f1 = Ferromagnet("F1", D=1.0, p=0.5, l=2.0)
    f2 = Ferromagnet("F2", D=1.0, p=0.5, l=2.0)
    f3 = Ferromagnet("F3", D=1.0, p=0.7, l=1.0)
    spacer = Normal("N", D=3.0, l=10.0)
    return Stack([Layer(f1, 1.5, [0.0, 0.0, 1.0]),
                  Layer(spacer, 2.0),
                  Layer(f2, 1.0, {"theta": 60.0, "phi": 0.0}),
                  Layer(spacer, 2.0),
                  Layer(f3, 1.5, {"theta": 90.0, "phi": 90.0})], current=1.0)


#: name -> (menu label, factory)
PRESETS: dict[str, tuple[str, Callable[[], Stack]]] = {
    "seed": ("seed spin valve F1/N/F2 (App. I)", seed_stack),
    "asymmetric": ("asymmetric F1/N/F2, g2 < 0 (Fig. 5)", asymmetric_stack),
    "three-f": ("three F layers, non-coplanar", three_f_stack),
}


def preset(name: str) -> Stack:
    """The preset stack called ``name`` (a key of :data:`PRESETS`)."""
    try:
        return PRESETS[name][1]()
    except KeyError:
        raise KeyError(f"no preset {name!r} (expected one of {', '.join(PRESETS)})") from None


__all__ = ["PRESETS", "asymmetric_stack", "preset", "seed_stack", "three_f_stack"]
