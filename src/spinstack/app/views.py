"""The explorer's live figures: native Bokeh plots whose data sources are replaced on every change.

Bokeh rather than matplotlib images: a change only ships the new numbers over the
websocket and the browser redraws its canvas, which keeps a control change under
200 ms end to end (a matplotlib redraw of the four figures takes seconds on a shared
machine).  The geometry is that of the matplotlib figures (:mod:`spinstack.plot`): both take
their numbers from :mod:`spinstack.analysis` (the fold, the pieces of the hodographs, the
analogy's forces) and what is in view from :mod:`spinstack.plot.frames`; the colours are
:mod:`spinstack.plot.style`'s:

* :class:`AccumulationView`: the folded mu_s hodograph with the magnetization axes
  (rails), the rings and the balanced forces of the mechanical analogy (seed section 3);
* :class:`SpinCurrentView`: the folded j_s hodograph with the jumps Delta j_s at the F
  faces, the torque arrows (seed eq. 12);
* :class:`ProfilesView`: mu_s(x) and j_s(x) across the stack, x, y, z components;
* :class:`EfficiencyView`: g1(theta), g2(theta) with the sign changes and the stack's
  own angle marked (seed eq. 1).

Each view splits an update in two: :meth:`prepare` computes every number (and may
raise), :meth:`show` only assigns data sources; so a failure leaves the figures as they
were.  A view built with an SI :class:`~spinstack.app.display.Display` draws its numbers
in that display's units (nm, eV, A/m^2) and names them in its axis labels.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from bokeh.models import (ColumnDataSource, HoverTool, LabelSet, Legend, LegendItem, Range1d, Span, VeeHead,
                          Arrow)
from bokeh.core.properties import value as text_value
from bokeh.events import Tap
from bokeh.plotting import figure

from ..analysis.analogy import folded_ring_forces, force_balance
from ..analysis.efficiencies import efficiency, sign_change_angles
from ..analysis.hodographs import (hodograph_pieces, magnetization_axes, one_sided_spin_current, to_fold,
                                  torque_nodes)
from ..model import Lead, Stack
from ..model.paths import with_parameter
from ..plot import style
from ..plot.frames import END_BAND, arrows_through, label_anchor, lead_extent, nice, ring_labels, square_box
from ..solution import Solution, solve
from .display import Display, plain_unit, scaled

Data = dict[str, dict[str, Any]]

_POINTS = ("x", "y", "x0", "y0", "x1", "y1")

HODOGRAPH_SAMPLES = 49
_PROFILE_SAMPLES = 49
_THETA = np.linspace(0.0, 180.0, 181)
_TOOLS = "pan,wheel_zoom,box_zoom,reset,save"
# the profiles are 165 px tall: five tools overflow to "..." and hide save; wheel zoom goes (box zoom stays)
_PROFILE_TOOLS = "pan,box_zoom,reset,save"
_SUBSCRIPT = str.maketrans("0123456789+-", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089\u208a\u208b")
_END_NAMES = {"reservoir": "res.", "open": "open", "insulator": "ins."}  # short: the bands are narrow
_FORCE_NAMES = {
    # F1: short enough that the two-column legend fits under the frame (it reached 34 px left of the figure: over
    # the controls on the page, cut off in the PNG/SVG export); "(F)": of an F layer's cord
    "driving": "drive \u00b1p j\u2080 m (F), \u00b1\u03b3 j\u2080 m (interface)",
    "elastic": "elastic reaction of the F cord",
    "tension": "tension of the N cord",
    "interface": "pull of the interface spring",
    "rail": "rail reaction (\u2212torque share)",
}


def sub(text: object) -> str:
    """Digits and signs as Unicode subscripts (Bokeh draws no mathtext without MathJax)."""
    return str(text).translate(_SUBSCRIPT)


def axis_names(stack: Stack) -> dict[int, str]:
    """Plain-text names of the magnetization axes by element (0 = left end, L + 1 = right end)."""
    names: dict[int, str] = {}
    if isinstance(stack.left, Lead) and stack.left.is_ferromagnet:
        names[0] = "m\u029f"
    for count, index in enumerate(stack.ferromagnet_indices, start=1):
        names[index + 1] = "m" + sub(count)
    if isinstance(stack.right, Lead) and stack.right.is_ferromagnet:
        names[len(stack.layers) + 1] = "m\u0280"
    return names


def _fold_axes(axes: bool) -> tuple[str, str]:
    """The fold frame's axis names: along m1 and normal to it, or (no magnetization at all) the stack's own
    largest direction (:func:`spinstack.analysis.hodograph`)."""
    if axes:
        return "along m\u2081", "normal to m\u2081 (fold plane)"
    return "along its largest direction", "normal to it (fold plane)"


def _square_figure(size: int, title: str) -> Any:
    # fixed, equal frame sizes and a square data box keep the aspect ratio equal
    p = figure(frame_width=size, frame_height=size, title=title, tools=_TOOLS, toolbar_location="right",
               x_range=Range1d(-1, 1), y_range=Range1d(-1, 1))
    p.toolbar.logo = None
    p.grid.grid_line_alpha = 0.35
    return p


def _fit(bounds: Any, low: float, high: float, pad: float = 0.08) -> None:
    """Make the Range1d ``bounds`` show [low, high], moving it only when it must.

    A range change makes the browser lay the whole page out again (~20 ms a range on a
    loaded machine), while new data in a fixed frame only repaints a canvas; so the range
    stays while the data fit inside and fill more than half of it.
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        return
    span = high - low if high > low else max(abs(high), 1.0)
    start, end = bounds.start, bounds.end
    if start <= low and high <= end and span >= 0.55 * (end - start):
        return
    bounds.update(start=float(low - pad * span), end=float(high + pad * span))


def _restart(*ranges: Any) -> None:
    """Put fitted ranges back to where a new figure's start ([-1, 1]): the next :func:`_fit` fits them as on a
    new page (:meth:`renew`; within one held update only the final values travel)."""
    for bounds in ranges:
        bounds.update(start=-1.0, end=1.0)


def _fit_box(p: Any, box: tuple[float, float, float, float]) -> None:
    """Keep a square view (equal aspect) around ``box``, changed only when it must (see :func:`_fit`)."""
    x, y = p.x_range, p.y_range
    inside = x.start <= box[0] and box[1] <= x.end and y.start <= box[2] and box[3] <= y.end
    if inside and (box[1] - box[0]) >= 0.7 * (x.end - x.start):
        return
    center, half = np.array([box[0] + box[1], box[2] + box[3]]) / 2, 0.55 * (box[1] - box[0])
    x.update(start=float(center[0] - half), end=float(center[0] + half))
    y.update(start=float(center[1] - half), end=float(center[1] + half))


def _axes_data(solution: Solution, fold: Any, box: tuple[float, float, float, float],
               arrows: list[tuple[np.ndarray, np.ndarray]] | None = None) -> Data:
    """Rails through the origin (far beyond the view) and one label per distinct + end, beside the rail and, when
    ``arrows`` (start, end) are given, moved out from the rail until no arrow runs through it (C: a collinear
    stack's forces lie along the rail and its name sat on them)."""
    names = axis_names(solution.stack)
    size = max(box[1] - box[0], box[3] - box[2])
    lines, groups = [], []
    for element, m in magnetization_axes(solution):
        u = to_fold(fold, element, m)
        lines.append(np.array([-10 * size * u, 10 * size * u]))
        unit = u / max(np.linalg.norm(u), 1e-300)
        for group in groups:
            if np.linalg.norm(group[1] - unit) < 1e-6:
                group[0].append(names[element])
                break
        else:
            groups.append(([names[element]], unit))
    center = np.array([0.5 * (box[0] + box[1]), 0.5 * (box[2] + box[3])])

    def end_label(direction: np.ndarray, name: str = "") -> np.ndarray:
        """Where the rail along ``direction`` leaves the view: a little inside, beside the rail, clear of the
        arrows (its 13 px name's box, about 0.022 of the frame per character)."""
        reach = np.inf
        for component, low, high in ((direction[0], box[0], box[1]), (direction[1], box[2], box[3])):
            if component > 1e-12:
                reach = min(reach, high / component)
            elif component < -1e-12:
                reach = min(reach, low / component)
        reach = 0.0 if not np.isfinite(reach) else 0.86 * reach
        normal = np.array([-direction[1], direction[0]])
        where = reach * direction
        inward = 1.0 if np.dot(normal, center - where) >= 0 else -1.0
        half = np.array([0.011 * len(name) + 0.01, 0.03]) * size
        for side in (inward, -inward):
            for away in (0.045, 0.09, 0.13):
                candidate = where + away * size * normal * side
                if not arrows_through(candidate - half, candidate + half, arrows or [])[0]:
                    return candidate
        return where + 0.045 * size * normal * inward

    placed: list[np.ndarray] = []
    text = []
    for labels, unit in groups:
        # the + end, unless another label sits there already: then the - end, named -m
        name = ", ".join(labels)
        where = end_label(unit, name)
        if any(np.linalg.norm(where - other) < 0.12 * size for other in placed):
            name = ", ".join("\u2212" + label for label in labels)
            where = end_label(-unit, name)
        placed.append(where)
        text.append(name)
    lx = [float(p[0]) for p in placed]
    ly = [float(p[1]) for p in placed]
    return {"axes": joined(lines), "axis_labels": {"x": lx, "y": ly, "text": text}}


_CORDS = ("cord_F", "cord_N", "cord_lead_F", "cord_lead_N")


def _cords(solution: Solution, quantity: str, fold: Any) -> tuple[Data, list[np.ndarray]]:
    """Folded pieces by kind (F, N, leads of either kind) and the list of all pieces."""
    found: dict[str, list[np.ndarray]] = {name: [] for name in _CORDS}
    for piece in hodograph_pieces(solution, quantity, fold):
        folded = to_fold(fold, piece.element, piece.points)
        found[("cord_lead_" if piece.lead else "cord_") + piece.kind].append(folded)
    return {name: joined(pieces) for name, pieces in found.items()}, [p for ps in found.values() for p in ps]


def _in_units(data: Data, factor: float) -> Data:
    """A hodograph's data (every point and its view box) multiplied by ``factor``: a change of unit."""
    if factor == 1.0:
        return data
    out = {name: scaled(columns, factor, _POINTS) for name, columns in data.items() if name != "_box"}
    out["_box"] = {"box": tuple(factor * float(v) for v in data["_box"]["box"])}
    return out


def _add_cords(p: Any, sources: dict[str, ColumnDataSource], alpha: float = 1.0) -> None:
    for name in _CORDS:
        kind = name[-1]
        p.line("x", "y", source=sources[name], line_color=style.CURVE[kind], line_width=3.0 if kind == "F" else 2.2,
               line_alpha=alpha, line_dash="dashed" if "lead" in name else "solid")


def _add_axes(p: Any, sources: dict[str, ColumnDataSource]) -> None:
    p.line("x", "y", source=sources["axes"], line_color=style.GUIDE, line_width=1.4)
    p.add_layout(LabelSet(x="x", y="y", text="text", source=sources["axis_labels"], text_font_size="13px",
                          text_align="center", text_baseline="middle", text_color=style.INK,
                          background_fill_color="white", background_fill_alpha=0.8))
    p.scatter([0.0], [0.0], marker="cross", size=10, color=style.INK)


def joined(pieces: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Pieces (n_i, 2) as one polyline with NaN breaks: one glyph and two buffers per update
    instead of two buffers per piece (the websocket message is what costs time)."""
    if not pieces:
        return {"x": np.zeros(0), "y": np.zeros(0)}
    gap = np.full((1, 2), np.nan)
    points = np.vstack([part for piece in pieces for part in (np.asarray(piece, dtype=float), gap)][:-1])
    return {"x": points[:, 0], "y": points[:, 1]}


def _sources(*names: str) -> dict[str, ColumnDataSource]:
    return {name: ColumnDataSource() for name in names}


def _same_columns(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether two sources' data are equal (NaN equal to NaN: the breaks between pieces)."""
    if old.keys() != new.keys():
        return False
    for key, value in new.items():
        a, b = np.asarray(old[key]), np.asarray(value)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fiu" and b.dtype.kind in "fiu":
            if not np.array_equal(a, b, equal_nan=True):
                return False
        elif not np.array_equal(a, b):
            return False
    return True


#: the significant digits a figure's coordinates keep (L), relative to the largest magnitude in their column: a
#: millionth of a figure's span is a thousandth of a pixel, and 0.123457 is 8 characters of the update's JSON
#: where 0.12345678901234567 is 19.  Never for numbers a user reads (a hover's values: ``readable``).
PLOTTED_DIGITS = 6


def plotted(column: Any) -> Any:
    """A column (an array or a list) as the JSON list sent for drawing it: floats to :data:`PLOTTED_DIGITS`
    significant digits of the column's largest magnitude (NaN breaks and infinities as they are); any other
    column as it is."""
    try:
        values = np.asarray(column) if isinstance(column, (list, np.ndarray)) else None
    except ValueError:  # a ragged list (a multi-line's pieces): as it is
        values = None
    if values is None or values.dtype.kind != "f" or values.size == 0:
        return column.tolist() if isinstance(column, np.ndarray) else column
    finite = np.abs(values[np.isfinite(values)])
    largest = float(finite.max()) if finite.size else 0.0
    if largest == 0.0:
        return values.tolist()
    decimals = PLOTTED_DIGITS - 1 - int(np.floor(np.log10(largest)))
    return np.round(values, decimals).tolist()


def _show(sources: dict[str, ColumnDataSource], data: Data, readable: frozenset[str] = frozenset()) -> None:
    """Send ``data``'s sources that changed, and of each only the columns that changed.

    Plain lists travel inside the one JSON message; numpy arrays would each be a binary buffer, two websocket
    frames apiece, and the frames (not the bytes) are what makes an update slow.  Coordinates are rounded
    (:func:`plotted`) except in the sources named in ``readable`` (a hover shows their values).  An unchanged
    source is not sent at all (Bokeh would send it: its NaN breaks never compare equal), so the browser
    neither parses it nor re-maps its glyphs; a source whose columns are the same ones gets only its
    changed columns (one event: Bokeh's ``data.update``), e.g. an arrow's new end without its colours and
    names.
    """
    for name, columns in data.items():
        if name in sources:
            source = sources[name]
            exact = name in readable
            new = {key: value.tolist() if exact and isinstance(value, np.ndarray) else value if exact
                   else plotted(value) for key, value in columns.items()}
            old = source.data
            if old.keys() == new.keys():
                changed = {key: value for key, value in new.items() if not _same_columns({key: old[key]},
                                                                                        {key: value})}
                if not changed:
                    continue
                if len(changed) < len(new):
                    source.data.update(changed)
                    continue
            source.data = new


#: the gap between a two-column legend's columns (C: ``spacing=0`` keeps the rows tight, and BokehJS uses it
#: for the columns too: the second column's swatch touched the first column's longest name, "on its axis━Δjₛ")
LEGEND_COLUMNS_CSS = ".bk-grid { column-gap: 14px; }"


class _FoldedView:
    """What the two folded hodograph views share: a square figure in the fold plane with the magnetization
    axes and the cords of ``quantity``, a legend below it, axis labels in the display's unit; the data
    converted to that unit, and the view fitted to the data's box."""

    quantity: str
    symbol: str

    def _start(self, display: Display | None, size: int, title: str, sources: tuple[str, ...],
               cord_alpha: float = 1.0) -> Any:
        """The figure with the axes and the cords drawn, its data sources those and ``sources``."""
        self.factor = getattr(display, self.quantity).factor if display is not None else 1.0
        self.sources = _sources("axes", "axis_labels", *_CORDS, *sources)
        p = _square_figure(size, title)
        _add_axes(p, self.sources)
        _add_cords(p, self.sources, alpha=cord_alpha)
        return p

    def _finish(self, p: Any, items: list[Any], display: Display | None, axes: bool) -> None:
        """The legend of ``items`` (none when empty) below the frame and the axis labels; ``p`` is the figure."""
        if items:
            p.add_layout(Legend(items=items, ncols=2, label_text_font_size="11px", padding=2, spacing=0, margin=2,
                                border_line_alpha=0, stylesheets=[LEGEND_COLUMNS_CSS]), "below")
        unit = display.unit(self.quantity) if display is not None else ""
        along, normal = _fold_axes(axes)
        p.xaxis.axis_label = self.symbol + " " + normal + unit
        p.yaxis.axis_label = self.symbol + " " + along + unit
        self.figure = p

    def _data(self, data: Data, solution: Solution, fold: Any, box: tuple[float, float, float, float],
              arrows: list[tuple[np.ndarray, np.ndarray]] | None = None, **views: dict[str, Any]) -> Data:
        """``data`` (the cords) with the axes fitted to ``box`` (their names clear of ``arrows``), the ``views``'
        own sources and the box, in the display's unit."""
        data.update(_axes_data(solution, fold, box, arrows))
        data.update(views)
        data["_box"] = {"box": box}
        return _in_units(data, self.factor)

    def renew(self) -> None:
        """Another stack comes next (the explorer's :meth:`~spinstack.app.explorer.Explorer.replace`): fit the
        view to it as a new figure would be."""
        _restart(self.figure.x_range, self.figure.y_range)

    def show(self, data: Data) -> None:
        _show(self.sources, data)
        _fit_box(self.figure, data["_box"]["box"])


#: what the folded mu_s hodograph shows, for the page (seed section 3; the README's "Figures" section)
ANALOGY_HELP = (
    "<b>Folded</b>: \u03bc\u209b(x) is a curve in three-dimensional spin space; each layer's piece is turned about "
    "the magnetization axes so that the whole curve lies in one plane (lengths, angles and the forces' sizes kept). "
    "<b>Rails</b>: the magnetization axes m through the origin (grey lines). "
    "<b>Rings</b> (circles \u03bc\u2096, k the node): the nodes next to an F layer; a ring slides without friction "
    "on its rail, so along the rail the forces balance by themselves and across it the rail pushes back; the ring "
    "presses on the rail with minus that push: the spin-transfer torque share of that face. "
    "<b>Cords</b>: each layer's piece of \u03bc\u209b(x) (orange in an F layer, blue in an N layer, dashed in a "
    "lead) is an elastic cord pulling on the rings at its ends with its spin current; an F cord also drives its "
    "rings with \u00b1p j\u2080 m. A resistive interface is a spring between two rings at one node (\u03bc\u2096\u208b "
    "and \u03bc\u2096\u208a); a magnetic interface (spin asymmetry \u03b3) also drives its two rings with "
    "\u00b1\u03b3 j\u2080 m of the F side's m (the table's \u201cdrive\u201d on an interface ring: "
    "\u03b3 j\u2080, e.g. 75 for \u03b3 = 0.75 at j\u2080 = 100; two numbers where an F cord and an interface "
    "both drive the ring). The forces on every ring sum to zero (the table: magnitudes, and |sum|). "
    "More: the README's \u201cFigures\u201d section and the seed paper, section 3 (Figs. 2-5, eqs. 7-10).")


#: what the folded mu_s hodograph of a page driven in plane shows (F1: no forces are drawn there, so the analogy's
#: text about them, the force table and gamma j0 did not fit the page)
RAILS_HELP = (
    "<b>Folded</b>: \u03bc\u209b(x) is a curve in three-dimensional spin space; each layer's piece is turned about "
    "the magnetization axes so that the whole curve lies in one plane (lengths and angles kept). "
    "<b>Rails</b>: the magnetization axes m through the origin (grey lines). "
    "<b>Rings</b> (circles \u03bc\u2096, k the node): the nodes next to an F layer, the ends of "
    "its piece. <b>Cords</b>: each layer's piece of \u03bc\u209b(x) (orange in an F layer, blue in an N layer, dashed "
    "in a lead). A page driven in plane draws no forces: the spin Hall source of the heavy metal is not one of the "
    "mechanical analogy's forces, so there is no force table here; the torques are the numbers above the figures "
    "and the curve at the right. More: the README's \u201cFigures\u201d section.")


def _swatch(p: Any, glyph: str, **visuals: Any) -> Any:
    """A renderer that draws nothing in the frame but its legend swatch: one point at NaN (BokehJS draws no legend
    glyph for a renderer without data, so ``p.line([], [])`` gave labels without colours)."""
    source = ColumnDataSource({"x": [np.nan], "y": [np.nan]})
    return getattr(p, glyph)("x", "y", source=source, **visuals)


def balance_table(table: dict[str, Any], unit: str = "") -> str:
    """The force balance (:func:`spinstack.plot.analogy.force_balance` columns, as :meth:`AccumulationView.prepare`
    gives them) as an HTML table: one row per ring, |force| per kind and |sum| (zero up to round-off)."""
    kinds = table["kinds"]
    head = "".join(f"<th{_PAD}>{_BALANCE_NAMES[kind]}</th>" for kind in kinds)
    rows = []
    for r, name in enumerate(table["ring"]):
        # U (review): round-off showed as "2.404e-17" in one row's rail column and "0e+00" in another's sum: a
        # size below ROUND_OFF of the row's largest force is 0, in every column alike
        floor = ROUND_OFF * max((abs(float(v)) for kind in kinds for v in table[kind][r]), default=0.0)

        def short(value: float, floor: float = floor) -> str:
            return "0" if abs(value) <= floor else _short(value)

        cells = []
        for kind in kinds:
            sizes = table[kind][r]
            text = ("2\u00d7" + short(sizes[0]) if len(sizes) == 2 and short(sizes[0]) == short(sizes[1])
                    else " / ".join(short(v) for v in sizes) if sizes else "\u2013")
            cells.append(f"<td{_PAD}>{text}</td>")
        total = float(table["sum"][r])
        rows.append(f"<tr><td style='padding: 0 5px; text-align: left'>{name}</td>{''.join(cells)}"
                    f"<td{_PAD}>{'0' if abs(total) <= floor else format(total, '.0e')}</td></tr>")
    return ('<table class="force-balance" style="font-family: monospace; font-size: 11px; border-collapse: collapse;'
            ' text-align: right">'
            f'<caption style="text-align: left; font-family: sans-serif">forces on each ring, |force|{unit}; '
            'rail = |torque share|; |sum| = 0: the balance</caption>'
            f'<tr><th style="text-align: left">ring</th>{head}<th{_PAD}>|sum|</th></tr>{"".join(rows)}</table>')


_PAD = " style='padding: 0 5px'"
#: a force of the balance table smaller than this fraction of its row's largest is round-off, shown as 0
ROUND_OFF = 1e-12
_BALANCE_NAMES = {"driving": "drive", "elastic": "elastic", "tension": "tension", "interface": "interface",
                  "rail": "rail"}


def _short(value: float) -> str:
    return f"{value:.4g}"


class AccumulationView(_FoldedView):
    """Folded mu_s hodograph with the analogy: rails, rings, cords and the forces on every ring.

    Besides :attr:`figure`: :attr:`table` (a Panel pane, the force balance of every ring in the page's
    units, :func:`balance_table`) and :attr:`explanation` (a Panel pane, :data:`ANALOGY_HELP` folded
    under a summary line) for the page to place.
    """

    quantity, symbol = "accumulation", "\u03bc\u209b"

    def __init__(self, size: int = 340, interfaces: bool = False, display: Display | None = None,
                 analogy: bool = True, axes: bool = True) -> None:
        import panel as pn  # the page's panes; the figure is plain Bokeh

        # an in-plane drive's spin Hall source is not one of the analogy's forces: rails and rings only
        self.analogy = analogy
        self.size = size
        p = self._start(display, size, "\u03bc\u209b hodograph, folded: the mechanical analogy" if analogy
                        else "\u03bc\u209b hodograph, folded: rails and rings",
                        ("rings", "joints", "forces", "ring_labels", "scale", "scale_label"), cord_alpha=0.55)
        arrows = Arrow(source=self.sources["forces"], x_start="x0", y_start="y0", x_end="x1", y_end="y1",
                       line_color="color", line_width=2.6,
                       end=VeeHead(size=10, fill_color="color", line_color="color"))
        p.add_layout(arrows)
        p.scatter("x", "y", source=self.sources["rings"], size=15, fill_color="white", line_color=style.INK,
                  line_width=2.0)
        p.scatter("x", "y", source=self.sources["joints"], size=8, fill_color=style.GUIDE, line_color=style.INK)
        p.add_layout(LabelSet(x="x", y="y", text="text", source=self.sources["ring_labels"], x_offset="dx",
                              y_offset="dy", text_align="align", text_baseline="baseline", text_font_size="12px",
                              text_color=style.INK, background_fill_color="white", background_fill_alpha=0.7))
        # the force scale: an arrow of a round size in the lower right corner, placed by show()
        p.add_layout(Arrow(source=self.sources["scale"], x_start="x0", y_start="y0", x_end="x1", y_end="y1",
                           line_color=style.INK, line_width=2.0,
                           end=VeeHead(size=8, fill_color=style.INK, line_color=style.INK)))
        p.add_layout(LabelSet(x="x", y="y", text="text", source=self.sources["scale_label"], text_align="right",
                              text_baseline="bottom", y_offset=4, text_font_size="11px", text_color=style.INK,
                              background_fill_color="white", background_fill_alpha=0.8))
        self.force_unit = display.unit("spin_current") if display is not None else ""
        self.spin_current_factor = display.spin_current.factor if display is not None else 1.0
        items = []
        # L: the interface drive's entry is always there, shown while the stack has interfaces (show()): a structure
        # edit setting or removing an interface keeps the figure (explorer._signature), only the legend changes
        kinds = ("driving", "elastic", "tension", "rail", "interface") if analogy else ()
        self.interface_item = None
        for kind in kinds:
            items.append(LegendItem(label=_FORCE_NAMES[kind], visible=kind != "interface" or interfaces,
                                    renderers=[_swatch(p, "line", line_color=style.FORCE[kind], line_width=3)]))
            if kind == "interface":
                self.interface_item = items[-1]
        self.ring_item = LegendItem(label="ring (slides on its rail)", renderers=[_swatch(
            p, "scatter", size=11, fill_color="white", line_color=style.INK, line_width=2.0)])
        items.append(self.ring_item)
        self.joint_item = LegendItem(label="free joint of two N cords", renderers=[_swatch(
            p, "scatter", size=7, fill_color=style.GUIDE, line_color=style.INK)], visible=False)
        items.append(self.joint_item)
        self.rail_item = LegendItem(label="rail = magnetization axis", renderers=[_swatch(
            p, "line", line_color=style.GUIDE, line_width=1.4)])
        items.append(self.rail_item)
        # F1: a swatch of its own for each kind of cord (one entry with both lines drew them on each other, orange
        # and blue blended to an olive that read as the elastic reaction's green)
        self.cord_items = [LegendItem(label=f"{kind} cord: \u03bc\u209b(x) in an {kind} layer", renderers=[
            _swatch(p, "line", line_color=style.CURVE[kind], line_width=3.0 if kind == "F" else 2.2, line_alpha=0.55)])
            for kind in "FN"]
        items.extend(self.cord_items)
        self._finish(p, items, display, axes)
        self.table = pn.pane.HTML("", width=size + 60, margin=(0, 10), css_classes=["force-balance"],
                                  visible=analogy)
        summary, text = (("what the analogy shows: folded, rails, rings, cords", ANALOGY_HELP) if analogy
                         else ("what the hodograph shows: folded, rails, rings", RAILS_HELP))
        self.explanation = pn.pane.HTML(
            f"<details><summary style='cursor: pointer'>{summary}"
            f"</summary><div style='font-size: 12px; line-height: 1.35'>{text}</div></details>",
            width=size + 60, margin=(0, 10), css_classes=["analogy-help"])

    def prepare(self, solution: Solution, fold: Any) -> Data:
        """The figure's data; ``fold`` is :func:`spinstack.analysis.hodograph` of ``solution``.

        Besides the sources: ``"_table"`` (:func:`spinstack.plot.analogy.force_balance` in the page's
        spin-current unit: ``ring`` names, ``kinds``, per kind the magnitudes on each ring, ``sum``) and
        ``"_scale"`` (the force-scale arrow's length in data units and its label).
        """
        # the fold rotations depend on the axes only: two samples per layer give the same forces, cheaply
        rings = folded_ring_forces(solution, 2)
        if not self.analogy:
            rings = [dataclasses.replace(ring, forces=()) for ring in rings]
        data, pieces = _cords(solution, "accumulation", fold)
        cords = np.vstack([np.zeros((1, 2)), *pieces])
        size = float(np.abs(cords).max()) or 1.0  # relative, not a floor: SI accumulations are ~1e-23 J
        largest = max((np.linalg.norm(f.vector) for ring in rings for f in ring.forces), default=0.0)
        # one scale for every force: the largest arrow spans 45 % of the hodograph's reach (as plot_analogy)
        scale = 0.45 * size / largest if largest > 0 else 1.0
        forces: dict[str, list[Any]] = {"x0": [], "y0": [], "x1": [], "y1": [], "color": [], "kind": []}
        spread = 0.018 * 2.5 * size
        for ring in rings:
            normal = np.array([-ring.axis[1], ring.axis[0]])
            along = [f for f in ring.forces if np.any(ring.axis)
                     and abs(np.dot(f.vector, normal)) < 1e-9 * max(np.linalg.norm(f.vector), 1e-300)]
            for f in ring.forces:
                start = ring.position.copy()
                if f in along and len(along) > 1:  # forces along the rail side by side, none hidden
                    start = start + spread * (along.index(f) - 0.5 * (len(along) - 1)) * normal
                end = start + scale * f.vector
                for key, value in zip(("x0", "y0", "x1", "y1"), (*start, *end)):
                    forces[key].append(float(value))
                forces["color"].append(style.FORCE[f.kind])
                forces["kind"].append(f.kind)
        tips = np.array([[x, y] for x, y in zip(forces["x1"], forces["y1"])]).reshape(-1, 2)
        box = square_box(np.vstack([cords, tips]), margin=0.12)
        railed = [ring for ring in rings if np.any(ring.axis)]
        free = [ring for ring in rings if not np.any(ring.axis)]
        # each name beside its ring where no arrow, rail or other name is (as plot_analogy), in pixels
        arrows = [(np.array([x0, y0]), np.array([x1, y1]))
                  for x0, y0, x1, y1 in zip(forces["x0"], forces["y0"], forces["x1"], forces["y1"])]
        # one label for rings at one point (a collinear stack's mu_1 and mu_2): "mu_1, mu_2"
        placed = ring_labels(rings, arrows, box[1] - box[0])
        away = [label.distance * self.size for label in placed]  # pixels to the name's near edge (box = frame)
        labels = {"x": [float(label.position[0]) for label in placed],
                  "y": [float(label.position[1]) for label in placed],
                  "text": [", ".join("\u03bc" + sub(rings[i].label) for i in label.rings) for label in placed],
                  "dx": [float(d * np.cos(label.angle)) for d, label in zip(away, placed)],
                  "dy": [float(d * np.sin(label.angle)) for d, label in zip(away, placed)],
                  "align": [label_anchor(label.angle)[0] for label in placed],
                  "baseline": [{"center": "middle"}.get(label_anchor(label.angle)[1], label_anchor(label.angle)[1])
                               for label in placed]}
        out = self._data(data, solution, fold, box, arrows,
                         rings={"x": [r.position[0] for r in railed], "y": [r.position[1] for r in railed]},
                         joints={"x": [r.position[0] for r in free], "y": [r.position[1] for r in free]},
                         ring_labels=labels, forces=forces)
        balance = force_balance(rings, self.spin_current_factor)
        out["_table"] = {"ring": ["\u03bc" + sub(r.label) for r in rings], **balance}
        # the scale arrow: a round force in the page's unit, at most half the largest
        shown = nice(largest * self.spin_current_factor / 2.0) if largest > 0 else 0.0
        out["_scale"] = {"length": scale * shown / self.spin_current_factor * self.factor,
                         "text": f"force {_short(shown)}{self.force_unit}"}
        # the legend names what this stack has (a YIG page has neither rails nor rings)
        out["_legend"] = {"joints": bool(free), "rings": bool(railed), "rails": bool(len(out["axes"]["x"])),
                          "interfaces": bool(solution.stack.interfaces),  # L: see interface_item
                          # F1: a cord kind's entry while the stack has such cords (a YIG page has no F cord)
                          **{f"cords_{kind}": bool(len(data[f"cord_{kind}"]["x"])
                                                   or len(data[f"cord_lead_{kind}"]["x"])) for kind in "FN"}}
        return out

    def show(self, data: Data) -> None:
        super().show(data)
        x, y = self.figure.x_range, self.figure.y_range
        scale = data["_scale"]
        width, height = x.end - x.start, y.end - y.start
        length = scale["length"]  # half the largest force at most: 23 % of the hodograph's reach
        arrow = {"x0": [], "y0": [], "x1": [], "y1": []}
        label: dict[str, list[Any]] = {"x": [], "y": [], "text": []}
        if self.analogy and length > 0:
            right, bottom = x.end - 0.05 * width, y.start + 0.05 * height
            arrow = {"x0": [right - length], "y0": [bottom], "x1": [right], "y1": [bottom]}
            label = {"x": [right], "y": [bottom], "text": [scale["text"]]}
        _show(self.sources, {"scale": arrow, "scale_label": label},  # (a measure: its length is read, 2 points)
              readable=frozenset({"scale", "scale_label"}))
        for item, present in zip((self.joint_item, self.ring_item, self.rail_item, self.interface_item,
                                  *self.cord_items), data["_legend"].values()):
            if item is not None and item.visible != present:  # L: no interface entry without the analogy
                item.visible = present
        if self.analogy:
            text = balance_table(data["_table"], self.force_unit)
            if self.table.object != text:
                self.table.object = text


#: a jump's name ("\u0394j\u209b1", 12 px in a 340 px frame) as a box: width and height, fractions of the frame
_JUMP_LABEL = (0.12, 0.055)


def _jump_label_places(jumps: list[tuple[np.ndarray, np.ndarray]], size: float) -> list[np.ndarray]:
    """Where to centre each jump's name: beside its arrow (the side away from the origin first), the first place
    whose box (:data:`_JUMP_LABEL`) is clear of every jump arrow and of the names placed before it.

    C (issue 16, second pass): at a small angle (the Dynamics tab's start, 5 degrees) the two jumps lie side by
    side and their names, each at the middle of its arrow, were written on each other.
    """
    half = 0.5 * np.array(_JUMP_LABEL) * size
    placed: list[np.ndarray] = []
    found = []
    for tail, head in jumps:
        direction = head - tail
        normal = np.array([-direction[1], direction[0]]) / max(np.linalg.norm(direction), 1e-300)
        if np.dot(normal, 0.5 * (tail + head)) < 0:
            normal = -normal  # the side away from the origin first
        first = 0.5 * (tail + head) + 0.07 * size * normal
        where = first
        for distance in (0.07, 0.11, 0.15):
            candidates = np.array([tail + along * direction + side * distance * size * normal
                                   for along in (0.5, 0.35, 0.65, 0.2, 0.8) for side in (1.0, -1.0)])
            crossed = arrows_through(candidates - half, candidates + half, jumps)  # an arrow through the box
            clear = [c for c, hit in zip(candidates, crossed)
                     if not hit and all(np.any(np.abs(c - other) >= 2.0 * half) for other in placed)]  # nor a name
            if clear:
                where = clear[0]
                break
        placed.append(where)
        found.append(where)
    return found


class SpinCurrentView(_FoldedView):
    """Folded j_s hodograph with the jump Delta j_s at every F face: the torque arrows."""

    quantity, symbol = "spin_current", "j\u209b"

    def __init__(self, size: int = 340, display: Display | None = None, axes: bool = True) -> None:
        p = self._start(display, size, "j\u209b hodograph, folded: torques \u0394j\u209b",
                        ("ends", "jumps", "jump_labels"))
        p.scatter("x", "y", source=self.sources["ends"], size=5, color="color")
        p.add_layout(Arrow(source=self.sources["jumps"], x_start="x0", y_start="y0", x_end="x1", y_end="y1",
                           line_color=style.PURPLE, line_width=2.6,
                           end=VeeHead(size=11, fill_color=style.PURPLE, line_color=style.PURPLE)))
        p.add_layout(LabelSet(x="x", y="y", text="text", source=self.sources["jump_labels"], text_font_size="12px",
                              text_color=style.PURPLE, text_align="center", text_baseline="middle"))
        # an F layer's j_s stays on its axis; the items of what a stack has are shown (no F: a YIG page)
        self.items = {kind: LegendItem(label=label, renderers=[_swatch(p, "line", line_color=color, line_width=3)])
                      for kind, label, color in (("F", "F layer: on its axis", style.CURVE["F"]),
                                                 ("N", "N layer", style.CURVE["N"]),
                                                 ("jumps", "\u0394j\u209b at an F face (torque)", style.PURPLE))}
        self._finish(p, list(self.items.values()), display, axes)

    def prepare(self, solution: Solution, fold: Any) -> Data:
        """The figure's data; ``fold`` is :func:`spinstack.analysis.hodograph` of ``solution``."""
        data, pieces = _cords(solution, "spin_current", fold)
        cords = np.vstack([np.zeros((1, 2)), *pieces])
        ends: dict[str, list[Any]] = {"x": [], "y": [], "color": []}
        for piece in hodograph_pieces(solution, "spin_current", fold):
            if piece.lead:
                continue
            folded = to_fold(fold, piece.element, piece.points[[0, -1]])
            ends["x"] += [float(v) for v in folded[:, 0]]
            ends["y"] += [float(v) for v in folded[:, 1]]
            ends["color"] += [style.CURVE[piece.kind]] * 2
        scale = style.robust_scale(solution.spin_current_left, solution.spin_current_right)
        jumps: dict[str, list[float]] = {"x0": [], "y0": [], "x1": [], "y1": []}
        heads = []
        for k in torque_nodes(solution):
            before, after = one_sided_spin_current(solution, k)
            if np.linalg.norm(before - after) <= 1e-9 * scale:
                continue
            tail, head = to_fold(fold, k + 1, after), to_fold(fold, k, before)
            for key, value in zip(("x0", "y0", "x1", "y1"), (*tail, *head)):
                jumps[key].append(float(value))
            heads.append((k, tail, head))
        box = square_box(np.vstack([cords] + [np.array([t, h]) for _, t, h in heads]))
        size = max(box[1] - box[0], box[3] - box[2])
        labels: dict[str, list[Any]] = {"x": [], "y": [], "text": []}
        for k, where in zip((k for k, _, _ in heads), _jump_label_places([(t, h) for _, t, h in heads], size)):
            labels["x"].append(float(where[0]))
            labels["y"].append(float(where[1]))
            labels["text"].append("\u0394j\u209b" + sub(k))
        out = self._data(data, solution, fold, box, [(tail, head) for _, tail, head in heads], ends=ends, jumps=jumps,
                         jump_labels=labels)
        out["_legend"] = {"F": bool(len(data["cord_F"]["x"]) or len(data["cord_lead_F"]["x"])),
                          "N": bool(len(data["cord_N"]["x"]) or len(data["cord_lead_N"]["x"])), "jumps": bool(heads)}
        return out

    def show(self, data: Data) -> None:
        super().show(data)
        for kind, present in data["_legend"].items():
            if self.items[kind].visible != present:
                self.items[kind].visible = present


class ProfilesView:
    """mu_s(x) above j_s(x), x, y, z components in the stack's spin-space frame, layers shaded."""

    _QUANTITIES = (("accumulation", "spin accumulation \u03bc\u209b"), ("spin_current", "spin current j\u209b"))

    def __init__(self, width: int = 450, height: int = 165, display: Display | None = None) -> None:
        self.display = display
        self.sources: dict[str, ColumnDataSource] = _sources("strips", "names", "faces", "layers", "leads")
        figures = []
        for quantity, label in self._QUANTITIES:
            p = figure(frame_width=width, frame_height=height, tools=_PROFILE_TOOLS, toolbar_location="right",
                       x_range=figures[0].x_range if figures else Range1d(0, 1), y_range=Range1d(-1, 1))
            p.toolbar.logo = None
            p.vstrip("x0", "x1", source=self.sources["strips"], fill_color="color", line_alpha=0, fill_alpha=0.7)
            p.vspan("x", source=self.sources["faces"], line_color=style.GUIDE, line_width=1)
            p.add_layout(Span(location=0.0, dimension="width", line_color=style.GUIDE, line_width=1))
            items = []
            for c in "xyz":
                column = f"{quantity}_{c}"
                solid = p.line("x", column, source=self.sources["layers"], line_width=2.2,
                               line_color=style.COMPONENT[c])
                dashed = p.line("x", column, source=self.sources["leads"], line_width=2.2,
                                line_color=style.COMPONENT[c], line_dash="dashed")
                items.append(LegendItem(label=c, renderers=[solid, dashed]))
            # no background: the legend's box reaches a few pixels into the frame and hid the end of "open"
            p.add_layout(Legend(items=items, label_text_font_size="11px", padding=2, spacing=0,
                                border_line_alpha=0, background_fill_alpha=0), "right")
            p.yaxis.axis_label = label + (display.unit(quantity) if display is not None else "")
            p.grid.grid_line_alpha = 0.3
            figures.append(p)
        # per-name alignment: an end's narrow band is named from the frame's edge inwards (centred, "open" was
        # clipped to "oper" by the frame)
        figures[0].add_layout(LabelSet(x="x", y=height - 14, y_units="screen", text="text", x_offset="dx",
                                       source=self.sources["names"], text_align="align", text_font_size="size",
                                       text_color=style.INK))
        figures[0].title.text = "profiles along the stack (dashed: in a lead)"
        figures[-1].xaxis.axis_label = "position x (" + (plain_unit(display.length) if display is not None
                                                         and display.si else "reduced units") + ")"
        self.figures = figures

    @staticmethod
    def _lead_samples(solution: Solution, side: str, extent: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x, mu_s, j_s in a lead, its face taken from the lead's side (as :func:`spinstack.plot.profiles.sample`)."""
        end = float(solution.node_positions[-1])
        if side == "left":
            x = np.linspace(-extent, 0.0, _PROFILE_SAMPLES)
            inner = x.copy()
            inner[-1] = np.nextafter(0.0, -np.inf)
        else:
            x = np.linspace(end, end + extent, _PROFILE_SAMPLES)
            inner = x.copy()
            inner[0] = np.nextafter(end, np.inf)
        mu, js = solution.spin_accumulation(inner), solution.spin_current(inner)
        if side == "left":
            js[-1] = solution.spin_current_in
        else:
            js[0] = solution.spin_current_out
        return x, mu, js

    def prepare(self, solution: Solution, fold: Any) -> Data:
        """The figures' data; ``fold`` is :func:`spinstack.analysis.hodograph` of ``solution`` (its samples)."""
        stack = solution.stack
        nodes = np.asarray(solution.node_positions, dtype=float)
        left, right = lead_extent(solution, "left"), lead_extent(solution, "right")
        strips: dict[str, list[Any]] = {"x0": [], "x1": [], "color": []}
        names: dict[str, list[Any]] = {"x": [], "text": [], "align": [], "dx": [], "size": []}
        for i, layer in enumerate(stack.layers):
            strips["x0"].append(float(nodes[i]))
            strips["x1"].append(float(nodes[i + 1]))
            strips["color"].append(style.FILL["F" if layer.is_ferromagnet else "N"])
            names["x"].append(float(0.5 * (nodes[i] + nodes[i + 1])))
            names["text"].append(layer.material.name)
            names["align"].append("center")
            names["dx"].append(0)
            names["size"].append("12px")
        for side, end, x0, x1 in (("left", stack.left, -left, 0.0),
                                  ("right", stack.right, float(nodes[-1]), float(nodes[-1]) + right)):
            lead = isinstance(end, Lead)
            strips["x0"].append(x0)
            strips["x1"].append(x1)
            band = None if lead else END_BAND.get(end.kind, END_BAND["reservoir"])
            strips["color"].append("#f2f2f2" if lead else band[0])
            names["text"].append(end.material.name if lead else _END_NAMES.get(end.kind, band[2]))
            if lead:  # a lead's band is wide: its name centred
                names["x"].append(0.5 * (x0 + x1))
                names["align"].append("center")
                names["dx"].append(0)
                names["size"].append("12px")
            else:  # a narrow band: its name smaller, from the frame's edge (the band's outer edge) inwards
                names["x"].append(x0 if side == "left" else x1)
                names["align"].append("left" if side == "left" else "right")
                names["dx"].append(2 if side == "left" else -2)
                names["size"].append("10px")
        data: Data = {"strips": strips, "names": names, "faces": {"x": [float(x) for x in nodes]}}

        # layers: the hodograph's samples (faces from each layer's own side, so the jumps of j_s show)
        regions = {"layers": [(fold.x[i], fold.accumulation[i], fold.spin_current[i]) for i in range(len(fold.x))],
                   "leads": [self._lead_samples(solution, side, extent)
                             for side, extent in (("left", left), ("right", right))
                             if isinstance(getattr(stack, side), Lead)]}
        for name, parts in regions.items():
            gap = np.full(1, np.nan)
            columns: dict[str, Any] = {"x": np.concatenate([v for x, _, _ in parts for v in (x, gap)])
                                       if parts else np.zeros(0)}
            for q, quantity in enumerate(("accumulation", "spin_current")):
                for i, c in enumerate("xyz"):
                    pieces = [v for part in parts for v in (part[1 + q][:, i], gap)]
                    columns[f"{quantity}_{c}"] = np.concatenate(pieces) if parts else np.zeros(0)
            data[name] = columns
        data["_range"] = {"range": (-left, float(nodes[-1]) + right)}
        for quantity, _ in self._QUANTITIES:
            values = np.concatenate([np.asarray(data[name][f"{quantity}_{c}"], dtype=float)
                                     for name in regions for c in "xyz"] + [np.zeros(1)])
            low, high = float(np.nanmin(values)), float(np.nanmax(values))
            # room at the top for the layer names of the upper panel
            data["_range"][quantity] = (low, high + (0.15 * (high - low) if quantity == "accumulation" else 0.0))
        return self._in_units(data)

    def _in_units(self, data: Data) -> Data:
        """Positions in the display's length unit, mu_s and j_s in theirs (factors 1 when reduced)."""
        if self.display is None or not self.display.si:
            return data
        length = self.display.length.factor
        factors = {f"{quantity}_{c}": getattr(self.display, quantity).factor
                   for quantity, _ in self._QUANTITIES for c in "xyz"}
        out: Data = {}
        for name, columns in data.items():
            if name == "_range":
                out[name] = {key: tuple(v * (length if key == "range" else getattr(self.display, key).factor)
                                        for v in value) for key, value in columns.items()}
                continue
            out[name] = {key: (np.asarray(value, dtype=float) * factors.get(key, length)
                               if key in factors or key in ("x", "x0", "x1") else value)
                         for key, value in columns.items()}
        return out

    def renew(self) -> None:
        """Another stack comes next: its ranges fitted as on new figures."""
        _restart(*(figure_.y_range for figure_ in self.figures))

    def show(self, data: Data) -> None:
        _show(self.sources, data)
        low, high = data["_range"]["range"]
        self.figures[0].x_range.update(start=low, end=high)  # equal values send nothing
        for figure_, (quantity, _) in zip(self.figures, self._QUANTITIES):
            _fit(figure_.y_range, *data["_range"][quantity])


def pick_direction(m1: Any, m2: Any, theta: float) -> tuple[float, float]:
    """The direction (polar angle from +z, azimuth from +x, degrees) at ``theta`` degrees from ``m1`` in the plane
    of ``m1`` and ``m2``, on the side of ``m2`` (the plane through +x when the two are collinear): where a tap on
    g(theta) turns m2."""
    m1 = np.asarray(m1, dtype=float) / np.linalg.norm(m1)
    m2 = np.asarray(m2, dtype=float) / np.linalg.norm(m2)
    across = m2 - np.dot(m2, m1) * m1
    if np.linalg.norm(across) < 1e-9:  # collinear: any plane through m1; the one nearest to +x (else +y)
        across = np.array([1.0, 0.0, 0.0]) - m1[0] * m1
        if np.linalg.norm(across) < 1e-9:
            across = np.array([0.0, 1.0, 0.0]) - m1[1] * m1
    across /= np.linalg.norm(across)
    angle = np.deg2rad(theta)
    m = np.cos(angle) * m1 + np.sin(angle) * across
    polar = float(np.degrees(np.arccos(np.clip(m[2], -1.0, 1.0))))
    azimuth = float(np.degrees(np.arctan2(m[1], m[0]))) if np.hypot(m[0], m[1]) > 1e-12 else 0.0
    return polar, azimuth


class EfficiencyView:
    """g1(theta), g2(theta) of a two-F stack; sign changes dotted and labelled, the stack's own angle dashed.

    A tap on the figure calls the callbacks given to :meth:`on_pick` with the angle tapped (degrees).
    """

    def __init__(self, width: int = 370, height: int = 300) -> None:
        self.sources = _sources("curves", "zeros", "mark_points")
        self._key: Any = None
        self._curves: Data = {}
        self._picks: list[Any] = []
        p = figure(frame_width=width, frame_height=height, tools=_TOOLS + ",tap", toolbar_location="right",
                   x_range=Range1d(0, 180), y_range=Range1d(-1, 1),
                   title="efficiencies: T₂ = j₀ g₂(θ) m₂×(m₁×m₂) (seed eq. 1)")
        p.toolbar.logo = None
        p.add_layout(Span(location=0.0, dimension="width", line_color=style.GUIDE, line_width=1))
        p.vspan("x", source=self.sources["zeros"], line_color="color", line_dash="dotted", line_width=1.5)
        # each sign change named along its line, from the top of the frame down
        p.add_layout(LabelSet(x="x", y=height - 6, y_units="screen", text="text", source=self.sources["zeros"],
                              angle=np.pi / 2, text_align="right", text_baseline="bottom", x_offset=-2,
                              text_font_size="11px", text_color="color", background_fill_color="white",
                              background_fill_alpha=0.8))
        self.mark = Span(location=0.0, dimension="height", line_color=style.INK, line_dash="dashed", line_width=1.2)
        p.add_layout(self.mark)
        g1 = p.line("theta", "g1", source=self.sources["curves"], line_color=style.EFFICIENCY["g1"], line_width=4)
        # g2 dashed on top: where g1 = g2 (two equal magnets) both stay visible
        g2 = p.line("theta", "g2", source=self.sources["curves"], line_color=style.EFFICIENCY["g2"], line_width=2.2,
                    line_dash=[7, 4])
        p.scatter("x", "y", source=self.sources["mark_points"], size=9, fill_color="color", line_color="white")
        self.items = [LegendItem(label="g₁ (torque on F₁)", renderers=[g1]),
                      LegendItem(label="g₂ (torque on F₂)", renderers=[g2])]
        # below the frame: inside it would cover a curve somewhere
        # spacing: BokehJS measures the subscript digits narrower than they are drawn
        self.legend = Legend(items=self.items, orientation="horizontal", label_text_font_size="12px", padding=2,
                             margin=2, spacing=16, border_line_alpha=0)
        p.add_layout(self.legend, "below")
        p.add_tools(HoverTool(renderers=[g2], tooltips=[("θ", "@theta{0.0}°"), ("g₁", "@g1{0.0000}"),
                                                       ("g₂", "@g2{0.0000}")], mode="vline"))
        p.xaxis.axis_label = "angle θ between m₁ and m₂ (deg); tap to set it"
        # U (review): "|Tᵢ| / (j₀ sin θ)" hid the sign (the asymmetric preset's g₂ < 0); the title gives T₂'s
        # form, the label T₁'s (MODEL.md 3: T₁ = -j₀ g₁ m₁×(m₂×m₁))
        p.yaxis.axis_label = "signed gᵢ(θ): T₁ = j₀ g₁ m₁×(m₁×m₂)"
        p.xaxis.ticker = list(range(0, 181, 30))
        p.grid.grid_line_alpha = 0.3
        p.on_event(Tap, self._tapped)
        self.figure = p

    def on_pick(self, callback: Any) -> None:
        """Call ``callback(theta)`` (degrees, 0 to 180) when the figure is tapped (clicked) at angle theta."""
        self._picks.append(callback)

    def _tapped(self, event: Any) -> None:
        if event.x is None or not np.isfinite(event.x):
            return
        theta = float(np.clip(round(float(event.x), 1), 0.0, 180.0))
        for callback in self._picks:
            callback(theta)

    def prepare(self, solution: Solution, theta: float, g1: float, g2: float, key: Any = None) -> Data:
        """The figure's data at the stack's own angle ``theta`` (degrees), where g1, g2 are given.

        ``key``: when not None and equal to the previous call's, the curves and their sign
        changes are reused (they do not depend on where m1 and m2 point, only on the angle
        between them, when nothing else in the stack is magnetic).
        """
        if key is None or key != self._key:
            stack = solution.stack
            values = efficiency(stack, _THETA)
            zeros: dict[str, list[Any]] = {"x": [], "color": [], "text": []}
            for name in ("g1", "g2"):
                for angle in sign_change_angles(stack, name):
                    zeros["x"].append(float(angle))
                    zeros["color"].append(style.EFFICIENCY[name])
                    zeros["text"].append(f"{sub(name)} = 0 at \u03b8 = {float(angle):.1f}\u00b0")
            g1_curve, g2_curve = np.real(values.g1), np.real(values.g2)
            scale = float(np.nanmax(np.abs(np.concatenate([g1_curve, g2_curve])))) if g1_curve.size else 0.0
            self._curves = {"curves": {"theta": _THETA, "g1": g1_curve, "g2": g2_curve}, "zeros": zeros,
                            "_legend": {"equal": bool(np.allclose(g1_curve, g2_curve, rtol=0.0,
                                                                  atol=1e-9 * max(scale, 1e-300),
                                                                  equal_nan=True))}}
            self._key = key
        curves = self._curves["curves"]
        values = np.concatenate([curves["g1"], curves["g2"], [0.0, g1, g2]])
        values = values[np.isfinite(values)]
        return {**self._curves,
                "mark_points": {"x": [theta, theta], "y": [g1, g2],
                                "color": [style.EFFICIENCY["g1"], style.EFFICIENCY["g2"]]},
                "_mark": {"theta": theta, "range": (float(values.min()), float(values.max()))}}

    def renew(self) -> None:
        """Another stack comes next: its range fitted as on a new figure."""
        _restart(self.figure.y_range)

    def show(self, data: Data) -> None:
        _show(self.sources, data, readable=frozenset({"curves"}))  # (the hover reads theta, g1, g2)
        self.mark.location = data["_mark"]["theta"]
        _fit(self.figure.y_range, *data["_mark"]["range"])
        # equal magnets: one curve under the other, and the legend says so
        labels = (("g\u2081 = g\u2082 (equal magnets)", "g\u2082 (dashed)") if data["_legend"]["equal"]
                  else ("g\u2081 (torque on F\u2081)", "g\u2082 (torque on F\u2082)"))
        for item, label in zip(self.items, labels):
            if getattr(item.label, "value", item.label) != label:
                item.label = text_value(label)  # a plain string assigned later would name a data column


class SpinOrbitView:
    """tau_DL, tau_FL of F1 against the thickness of the spin Hall layer, the stack's own thickness dashed
    (the 1 - sech(d/l) rise of MODEL.md 8g, limit 4); for a stack without an F layer, the SMR instead."""

    _SAMPLES = 97

    def __init__(self, stack: Stack, width: int = 370, height: int = 300, display: Display | None = None) -> None:
        self.display = display
        self.layer = next((i for i, layer in enumerate(stack.layers)
                           if not layer.is_ferromagnet and np.any(layer.material.theta_SH)), None)
        self.torques = bool(stack.ferromagnet_indices)
        self.sources = _sources("curves", "mark_points")
        names = ("\u03c4_DL of F\u2081", "\u03c4_FL of F\u2081") if self.torques else ("SMR longitudinal",
                                                                                      "SMR transverse")
        what = "torques on F\u2081" if self.torques else "spin Hall magnetoresistance"
        where = f" against the thickness of layer {self.layer}" if self.layer is not None else ""
        p = figure(frame_width=width, frame_height=height, tools=_TOOLS, toolbar_location="right",
                   x_range=Range1d(0, 1), y_range=Range1d(-1, 1), title=what + where)
        p.toolbar.logo = None
        p.add_layout(Span(location=0.0, dimension="width", line_color=style.GUIDE, line_width=1))
        self.mark = Span(location=0.0, dimension="height", line_color=style.INK, line_dash="dashed", line_width=1.2)
        p.add_layout(self.mark)
        first = p.line("d", "first", source=self.sources["curves"], line_color=style.EFFICIENCY["g1"], line_width=4)
        second = p.line("d", "second", source=self.sources["curves"], line_color=style.EFFICIENCY["g2"], line_width=2)
        p.scatter("x", "y", source=self.sources["mark_points"], size=9, fill_color="color", line_color="white")
        # below the frame: inside it covered tau_FL (near zero, along the bottom)
        p.add_layout(Legend(items=[LegendItem(label=names[0], renderers=[first]),
                                   LegendItem(label=names[1], renderers=[second])],
                            orientation="horizontal", label_text_font_size="12px", padding=2, margin=2,
                            spacing=16, border_line_alpha=0), "below")
        length = display.unit("length") if display is not None and display.si else ""
        torque = display.unit("torque") if display is not None and display.si else ""
        p.xaxis.axis_label = f"thickness d of layer {self.layer}" + length if self.layer is not None else "d"
        p.yaxis.axis_label = ("\u03c4" + torque) if self.torques else "SMR (relative)"
        p.grid.grid_line_alpha = 0.3
        self.figure = p

    def prepare(self, solution: Solution) -> Data:
        """The curves over 0 < d <= max(4 l, 1.5 d) of the spin Hall layer and the stack's own point."""
        stack = solution.stack
        if self.layer is None or not (stack.has_field and np.any(stack.field)):
            return {"curves": {"d": [], "first": [], "second": []}, "mark_points": {"x": [], "y": [], "color": []},
                    "_mark": {"d": 0.0, "x": (0.0, 1.0), "y": (-1.0, 1.0)}}
        layer = stack.layers[self.layer]
        d, l = float(layer.thickness), float(layer.material.l)
        top = max(4.0 * l if np.isfinite(l) else 4.0 * d, 1.5 * d)
        thicknesses = np.linspace(top / self._SAMPLES, top, self._SAMPLES)
        curve = solve(with_parameter(stack, f"layers[{self.layer}].thickness", thicknesses)).reduced
        own = self._values(solution.reduced)
        values = self._values(curve)
        x_scale = self.display.length.factor if self.display is not None and self.display.si else 1.0
        y_scale = self.display.torque.factor if self.torques and self.display is not None and self.display.si else 1.0
        first, second = values[0] * y_scale, values[1] * y_scale
        shown = np.concatenate([first, second, [0.0, own[0] * y_scale, own[1] * y_scale]])
        shown = shown[np.isfinite(shown)]
        return {"curves": {"d": thicknesses * x_scale, "first": first, "second": second},
                "mark_points": {"x": [d * x_scale] * 2, "y": [float(own[0]) * y_scale, float(own[1]) * y_scale],
                                "color": [style.EFFICIENCY["g1"], style.EFFICIENCY["g2"]]},
                "_mark": {"d": d * x_scale, "x": (0.0, top * x_scale),
                          "y": (float(shown.min()), float(shown.max())) if shown.size else (-1.0, 1.0)}}

    def _values(self, solution: Solution) -> tuple[np.ndarray, np.ndarray]:
        if self.torques:
            damping, field_like = solution.spin_orbit_torque
            index = solution.stack.ferromagnet_indices[0]
            return np.real(damping[..., index]), np.real(field_like[..., index])
        smr = solution.smr
        return np.asarray(smr.longitudinal), np.asarray(smr.transverse)

    def renew(self) -> None:
        """Another stack comes next: its range fitted as on a new figure."""
        _restart(self.figure.y_range)

    def show(self, data: Data) -> None:
        _show(self.sources, data)
        self.mark.location = data["_mark"]["d"]
        self.figure.x_range.update(start=data["_mark"]["x"][0], end=data["_mark"]["x"][1])
        _fit(self.figure.y_range, *data["_mark"]["y"])


__all__ = ["ANALOGY_HELP", "AccumulationView", "EfficiencyView", "ProfilesView", "SpinCurrentView", "SpinOrbitView", "axis_names",
           "balance_table", "pick_direction", "plotted", "sub"]
