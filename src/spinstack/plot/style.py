"""Colours, labels and the small conventions every spinstack figure shares (one place).

Colours follow the Okabe-Ito palette (readable with the common colour-vision
deficiencies and in greyscale print).  Quantities of a reduced stack are in the
reduced units of the seed paper (MODEL.md 7): lengths, energies (mu_s, mu_0) and
spin currents (j_s, hbar/2 per unit area and time) carry no physical constants.
An SI stack is drawn in nm, eV (meV, ueV), A/m^2 and J/m^2: the scales and unit
labels come from :mod:`spinstack.plot.units`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..model import Lead, Stack
from ..model.paths import parse
from ..units import QUANTITIES, format_number
from .units import REDUCED, Scale, figure_units, parameter_scale

# ------------------------------------------------------------------ palette
BLUE, SKY, GREEN, ORANGE, VERMILLION, PURPLE, YELLOW = (
    "#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#F0E442")
INK = "#222222"      # text, rings, nodes
GUIDE = "#8a8a8a"    # interfaces, zero lines, axes of spin space

#: background fills of the regions of a profile
FILL = {"F": "#f8dcb8", "N": "#dde8f3", "reservoir": "#c9c9c9"}
#: hatch of the semi-infinite leads and of the reservoirs
HATCH = {"lead": "///", "reservoir": "xx"}

#: curves of the hodographs: F segments (on their axis) and N cords
CURVE = {"F": ORANGE, "N": BLUE}

#: vector components in the original spin-space frame, magnitude and projection
COMPONENT = {"x": BLUE, "y": GREEN, "z": VERMILLION, "magnitude": INK, "longitudinal": INK}

#: the forces of the mechanical analogy (seed section 3)
FORCE = {"driving": VERMILLION, "elastic": GREEN, "tension": BLUE, "interface": PURPLE, "rail": INK}
FORCE_LABEL = {
    "driving": r"driving force $\pm p\,j_0\,\mathbf{m}$",
    "elastic": r"elastic reaction of the F cord",
    "tension": r"tension of the N cord",
    "interface": r"pull of the interface spring",
    "rail": r"rail reaction ($-$torque share)",
}

#: efficiency functions (seed eq. 1) and their regions of negative sign
EFFICIENCY = {"g1": BLUE, "g2": VERMILLION}
NEGATIVE_FILL = {"g1": SKY, "g2": ORANGE}

# ------------------------------------------------------------------ labels
UNITS = REDUCED
X_LABEL = rf"position $x$ ({UNITS})"
_PROFILED = ("accumulation", "spin_current", "potential")
SYMBOL = {name: QUANTITIES[name].symbol for name in _PROFILED}
NAME = {name: QUANTITIES[name].long_name for name in _PROFILED}
QUANTITIES_PROFILED = _PROFILED

FONT_SMALL = 8
FONT_NORMAL = 9


#: symbols of the quantities as shown for an SI stack (spin currents as |e| j_s, MODEL.md 7)
SI_SYMBOL = {name: QUANTITIES[name].si_symbol for name in _PROFILED}


def quantity_label(quantity: str, scale: Scale | None = None) -> str:
    """Axis label of a profile quantity, with its symbol and units.

    Without ``scale`` (or with a reduced one) the label of reduced units, e.g.
    ``"spin accumulation $\\mu_s$"``; with an SI scale the symbol as shown and the unit,
    e.g. ``"spin current $|e|\\,j_s$ ($10^{9}$ A/m$^2$)"``.
    """
    if scale is None or scale.reduced:
        return rf"{NAME[quantity]} ${SYMBOL[quantity]}$"
    return scale.label(rf"{NAME[quantity]} ${SI_SYMBOL[quantity]}$")


def x_label(scale: Scale | None = None) -> str:
    """The position axis: :data:`X_LABEL` for reduced stacks, ``"position $x$ (nm)"`` for SI ones."""
    return X_LABEL if scale is None or scale.reduced else scale.label(r"position $x$")


def check_quantity(quantity: str, allowed: tuple[str, ...] = QUANTITIES_PROFILED) -> str:
    if quantity not in allowed:
        raise ValueError(f"quantity must be one of {', '.join(map(repr, allowed))}, got {quantity!r}")
    return quantity


# ------------------------------------------------------------- magnet names
def magnet_labels(stack: Stack) -> dict[int, str]:
    """Mathtext names of the magnetization axes by element index (0 = left end, L + 1 = right end).

    F layers are m1, m2, ... from left to right (as in the efficiencies, seed eq. 1);
    ferromagnetic leads are m_L and m_R.
    """
    labels: dict[int, str] = {}
    if isinstance(stack.left, Lead) and stack.left.is_ferromagnet:
        labels[0] = r"$\mathbf{m}_L$"
    for count, index in enumerate(stack.ferromagnet_indices, start=1):
        labels[index + 1] = rf"$\mathbf{{m}}_{count}$"
    if isinstance(stack.right, Lead) and stack.right.is_ferromagnet:
        labels[len(stack.layers) + 1] = r"$\mathbf{m}_R$"
    return labels


def path_label(path: str, stack: Stack | None = None, scale: Scale | None = None) -> str:
    """A readable axis label for a parameter path (``materials.F2.p`` -> ``$p_{F2}$``).

    For an SI ``stack`` the label names the unit the values are shown in
    (``scale``, default :func:`~spinstack.plot.units.parameter_scale`): thicknesses
    and spin diffusion lengths in nm, the current as J in A/m^2, D as e^2 D in S/m
    (:meth:`spinstack.model.paths.ParameterPath.label`).
    """
    si = stack is not None and figure_units(stack).si
    if si and scale is None:
        scale = parameter_scale(path, "SI")
    return parse(path, strict=False).label(scale.unit if si else "", si=si, stack=stack)


def ratio_label(path: str, reference: str, stack: Stack | None = None) -> str:
    """``$p_{F2}/p_{F1}$`` for two material paths, else ``path / reference``."""
    top, bottom = path_label(path, stack), path_label(reference, stack)
    if top.startswith("$") and top.endswith("$") and bottom.startswith("$") and bottom.endswith("$"):
        return f"{top[:-1]}/{bottom[1:]}"
    return f"{top} / {bottom}"


def number(value: float, digits: int = 3) -> str:
    """A compact, fixed-width-friendly rendering of a force or torque value (:func:`spinstack.units.format_number`)."""
    return format_number(value, digits, notation="short")


# ------------------------------------------------------------------- axes
def new_axes(ax: Any = None, *, figsize: tuple[float, float] = (6.4, 4.0), projection: str | None = None) -> Any:
    """``ax`` itself, or the Axes of a new pyplot figure (pyplot is imported only here)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    return fig.add_subplot(projection=projection)


def new_figure(fig: Any = None, *, figsize: tuple[float, float]) -> Any:
    """``fig`` itself, or a new pyplot figure with constrained layout."""
    if fig is not None:
        return fig
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, layout="constrained")


def _share(spec: Any) -> tuple[float, float]:
    """The fraction of its figure's width and height that the grid cells of ``spec`` (a SubplotSpec) span."""
    grid = spec.get_gridspec()
    rows, columns = grid.get_geometry()
    widths = grid.get_width_ratios() or [1.0] * columns
    heights = grid.get_height_ratios() or [1.0] * rows
    width = sum(widths[c] for c in spec.colspan) / sum(widths)
    height = sum(heights[r] for r in spec.rowspan) / sum(heights)
    parent = getattr(grid, "_subplot_spec", None)  # a grid nested in a cell of another (subgridspec)
    if parent is not None:
        outer = _share(parent)
        width, height = width * outer[0], height * outer[1]
    return width, height


def make_room(ax: Any, size: tuple[float, float]) -> None:
    """Let the place of ``ax`` (a subplot) hold a drawing of ``size`` inches (width, height).

    A figure too small for it is enlarged (its other Axes grow in proportion), and a figure
    without a layout engine is given the constrained layout, which keeps labels, legends and
    neighbouring panels apart.  Axes that are not subplots (``fig.add_axes``) are left as they are.
    """
    spec = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
    if spec is None:
        return
    fig = ax.figure
    width, height = fig.get_size_inches()
    share = _share(spec)
    needed = (max(width, size[0] / share[0]), max(height, size[1] / share[1]))
    if needed[0] > width * (1 + 1e-9) or needed[1] > height * (1 + 1e-9):
        fig.set_size_inches(*needed)
    if fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")


def new_panels(fig: Any = None, ax: Any = None, *, shape: tuple[int, int], figsize: tuple[float, float],
               projections: tuple[str | None, ...] | None = None, sharex: bool = False) -> tuple[Any, list[Any]]:
    """The figure and the Axes of a figure of ``shape`` = (rows, columns) panels, row by row.

    ``ax``: one Axes, whose place in its figure is divided into the panels (the Axes itself is
    removed: it must be a subplot; a figure too small for ``figsize`` there is enlarged, see
    :func:`make_room`), or a sequence of Axes, one per panel, used as they are.
    Otherwise new panels in ``fig``, or in a new figure of ``figsize``.  ``projections`` gives each
    panel's projection (``"3d"``) for new panels.
    """
    rows, columns = shape
    count = rows * columns
    projections = projections or (None,) * count
    if fig is not None and ax is not None:
        raise ValueError("give fig (a Figure to draw into) or ax (Axes to draw into), not both")
    if ax is not None and not hasattr(ax, "get_subplotspec"):  # one Axes per panel
        axes = list(ax)
        if len(axes) != count:
            raise ValueError(f"ax: expected one Axes (divided into the {count} panels) or {count} Axes, got {len(axes)}")
        return axes[0].figure, axes
    if ax is not None:
        spec = ax.get_subplotspec()
        if spec is None:
            raise ValueError("ax: an Axes divided into panels must be a subplot (from add_subplot or subplots)")
        fig = ax.figure
        make_room(ax, figsize)  # the panels, their labels and legends need the room of their own figure
        ax.remove()
        grid = spec.subgridspec(rows, columns)
    else:
        fig = new_figure(fig, figsize=figsize)
        grid = fig.add_gridspec(rows, columns)
    if all(projection is None for projection in projections):
        return fig, list(np.ravel(grid.subplots(sharex=sharex, squeeze=False)))
    return fig, [fig.add_subplot(grid[i // columns, i % columns], projection=projections[i]) for i in range(count)]


def robust_scale(*arrays: np.ndarray) -> float:
    """Largest finite |value| among ``arrays`` (1 when everything vanishes)."""
    largest = 0.0
    for array in arrays:
        values = np.abs(np.asarray(array, dtype=float))
        values = values[np.isfinite(values)]
        if values.size:
            largest = max(largest, float(values.max()))
    return largest if largest > 0 else 1.0
