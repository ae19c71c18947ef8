"""The explorer's way out: the present stack as a stack file, every figure at once, the numbers as a table.

* **stack file**: the stack the page shows (the last valid one), written by
  :func:`spinstack.io.stackwriter.dumps_stack`; :func:`spinstack.load_stack` reads it back to the
  same stack, number for number.  Named after the loaded file (``seed-fnf.toml``; a preset:
  ``seed.toml``).
* **figures**: one PNG or one SVG holding every figure of the page, in the rows they make on
  the page (what stands between them left out), drawn in the browser by BokehJS (each
  figure's own export, the one behind a figure's save tool; the SVG from its SVG canvas): no
  webdriver, nothing extra on the server.  Named ``<stack file>-figures.png`` / ``.svg``.
* **numbers**: the torque on every F layer, \u03bc\u209b (mu_s) at every node (both sides of a resistive
  interface) and, where the page draws the analogy, the forces on every ring
  (:func:`spinstack.analysis.analogy.ring_forces`), the rings named as the figure names them
  (``\u03bc\u2080\u208b``, ``\u03bc\u2081``), in the page's units (:mod:`spinstack.app.display`: reduced, or
  for an SI stack the units the figures and the status line show, e.g. \u00b5eV, nm, 10\u2079 A/m\u00b2),
  each row's unit in its quantity's name and in the unit column, as a table on the page and as CSV (a
  download and a copy to the clipboard).  The CSV numbers are the solver's doubles times the page's
  unit factor, written with ``repr``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, DataTable, ScientificFormatter, TableColumn

from ..analysis.analogy import ring_forces
from ..errors import SpinstackError
from ..io.stackwriter import dumps_stack
from ..model import Stack
from ..solution import Solution, solve
from .display import Display, display_for, plain_unit
from .views import sub

__all__ = ["COLUMNS", "EDITED_SUFFIX", "Exports", "HEADERS", "FIGURES_SCRIPT", "MU_S", "QUANTITY_WIDTH",
           "edited_file_name", "numbers_csv", "numbers_rows", "stack_file_name"]

#: the columns of the numbers table and its CSV
COLUMNS = ("quantity", "where", "x", "y", "z", "unit")
#: the header of each column (table and CSV): the unit differs from row to row (torque, mu_s, force), so the
#: quantity names its unit and the x, y, z headers say where to read it
HEADERS = {"quantity": "quantity (unit)", "where": "where", "x": "x (row's unit)", "y": "y (row's unit)",
           "z": "z (row's unit)", "unit": "unit"}

#: the spin accumulation as the page writes it (the figures' axes, the numbers card's title, the analogy's rings):
#: the table and the CSV's cells use the page's symbols (the CSV is UTF-8, as its units already were: 10⁹
#: A/m², µeV); the CSV's header row stays ASCII (:data:`HEADERS`), the names a script reads the columns by
MU_S = "\u03bc\u209b"
#: the analogy's forces on a ring, by RingForces field, as the table names them
_FORCES = {"driving_left": "driving force, left cord", "driving_right": "driving force, right cord",
           "cord_left": "left cord", "cord_right": "right cord", "rail_reaction": "rail reaction",
           "spring_load": "interface spring load"}
#: a cord's pull on a ring, by RingForces.left_cord / right_cord, as the figure's legend names it
_CORDS = {"elastic": "elastic reaction of the F cord", "tension": "tension of the N cord",
          "interface": "pull of the interface spring"}


#: the width (px) of the numbers table's quantity column: its longest name, "force: elastic reaction of the F cord
#: (right) (10⁹ A/m²)", in the table's 13 px font, and a margin
QUANTITY_WIDTH = 370
#: what a table needs besides its columns' widths (px): its border
TABLE_FRAME = 2
#: what an edited stack's file name gets before ``.toml`` (F1: the loaded file's own name replaced the file when
#: the download was saved beside it, though it is another stack)
EDITED_SUFFIX = "-edited"


def stack_file_name(label: str, preset: str | None = None) -> str:
    """The stack file's name: the loaded file's (``"file: seed-fnf.toml"`` -> ``seed-fnf.toml``), a preset's
    name + ``.toml``, or ``stack.toml``."""
    if preset is not None:
        return f"{preset}.toml"
    name = label.removeprefix("file: ").strip()
    if label.startswith("file: ") and name:
        return name if name.lower().endswith(".toml") else name.rsplit(".", 1)[0] + ".toml"
    return "stack.toml"


def edited_file_name(name: str) -> str:
    """An edited stack's file name: ``name`` with :data:`EDITED_SUFFIX` before its extension
    (``seed-fnf.toml`` -> ``seed-fnf-edited.toml``), so that saved beside the loaded file it does not replace it."""
    stem, dot, extension = name.rpartition(".")
    return f"{stem}{EDITED_SUFFIX}{dot}{extension}" if dot else name + EDITED_SUFFIX


def _unit(display: Display, kind: str) -> str:
    scale = getattr(display, kind)
    return "reduced" if scale.reduced else plain_unit(scale)


def numbers_rows(stack: Stack, forces: bool = True, display: Display | None = None,
                 solution: Solution | None = None) -> list[dict[str, Any]]:
    """The table's rows for ``stack`` (solved here unless ``solution`` is given): dicts with the keys of
    :data:`COLUMNS`.

    Parameters
    ----------
    stack
        A single-configuration stack.
    forces
        Add the analogy's forces on every ring (the page leaves them out for an in-plane drive,
        where it draws no analogy).
    display
        The page's units (the explorer's :class:`~spinstack.app.display.Display`: chosen once from its start
        stack); the stack's own (:func:`~spinstack.app.display.display_for`) when omitted.
    solution
        The solution of ``stack`` (or its ``reduced`` form) when the caller has it: the explorer's, of the stack
        it shows, so that a control's move solves once, not once more for the table.
    """
    if solution is None:
        solution = solve(stack)
    if display is None:
        display = display_for(solution)
    model = solution.reduced  # model numbers (SI base units): the display's factors convert them
    rows: list[dict[str, Any]] = []

    def add(quantity: str, where: str, vector: Any, kind: str) -> None:
        factor = getattr(display, kind).factor
        x, y, z = (float(v) * factor + 0.0 for v in np.real(vector))  # + 0.0: no "-0" in the table
        unit = _unit(display, kind)
        rows.append({"quantity": f"{quantity} ({unit})", "where": where, "x": x, "y": y, "z": z, "unit": unit})

    for index in stack.ferromagnet_indices:
        add("torque", f"layer {index} ({stack.layers[index].material.name})", model.torque[index], "torque")
    positions = model.node_positions
    length = _unit(display, "length")
    interfaces = {interface.node for interface in stack.interfaces} if stack.interfaces else set()
    for node in range(len(positions)):
        shown = float(positions[node]) * display.length.factor
        where = f"node {node} (x = {shown:.6g}{'' if length == 'reduced' else ' ' + length})"
        if node in interfaces:
            add(f"{MU_S}, left of the interface", where, model.accumulation[node], "accumulation")
            add(f"{MU_S}, right of the interface", where, model.accumulation_right[node], "accumulation")
        else:
            add(MU_S, where, model.accumulation[node], "accumulation")
    if forces:
        try:
            rings = ring_forces(model)
        except SpinstackError:  # no analogy for this stack: the torques and mu_s stand alone
            return rows
        for ring, node in enumerate(rings.nodes):
            # the figure's and the force table's name: mu_k, or mu_k- / mu_k+ for the two rings of an interface
            side = rings.side(ring)
            for field, name in _FORCES.items():
                vector = getattr(rings, field)[ring]
                if field in ("cord_left", "cord_right"):  # as the figure's legend names the cord's pull
                    cord = (rings.left_cord if field == "cord_left" else rings.right_cord)[ring]
                    name = f"{_CORDS.get(cord, cord)} ({name.split()[0]})"
                if np.any(vector != 0):
                    add(f"force: {name}", f"\u03bc{sub(f'{node}{side}')} (node {node})", vector, "spin_current")
    return rows


def numbers_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV (header :data:`COLUMNS`; numbers with ``repr``: they read back to the same doubles)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([HEADERS[key] for key in COLUMNS])
    for row in rows:
        writer.writerow([repr(row[key]) if isinstance(row[key], float) else row[key] for key in COLUMNS])
    return text.getvalue()


# Every Bokeh figure of the page exported by BokehJS (PlotView.export: what a figure's save tool
# saves; "svg" paints it anew on an SVG canvas) and put into one PNG or one SVG, downloaded by the
# browser: the figures in the rows they make on the page, the rows stacked without what stands
# between them (controls, tables), each row from the left edge.  A figure scaled down by the page
# (a phone) is placed as if unscaled.  %(kind)s is filled in by Python.
FIGURES_SCRIPT = """
const kind = %(kind)s;
const name = stack_button.filename.replace(/\\.toml$/i, "") + "-figures." + kind;
const plots = [], seen = new Set();
const walk = (view) => {
  if (view == null || seen.has(view)) return;
  seen.add(view);
  const type = view.model != null ? view.model.constructor.__name__ : "";
  if (type === "Figure" || type === "Plot") { plots.push(view); return; }
  for (const child of view.child_views ?? []) walk(child);
};
for (const view of Object.values(Bokeh.index)) walk(view);
const shown = plots.map((view) => ({view, rect: view.el.getBoundingClientRect()}))
  .filter(({view, rect}) => rect.width > 0 && rect.height > 0 && view.bbox.width > 0);
if (shown.length === 0) return;
const scale = Math.min(...shown.map(({view, rect}) => rect.width / view.bbox.width));
// rows of figures (overlapping in height) stacked without the page's gaps, each from the left edge
shown.sort((a, b) => a.rect.top - b.rect.top || a.rect.left - b.rect.left);
const rows = [];
for (const item of shown) {
  const row = rows[rows.length - 1];
  if (row != null && item.rect.top < row.bottom) {
    row.items.push(item);
    row.bottom = Math.max(row.bottom, item.rect.bottom);
  } else {
    rows.push({items: [item], top: item.rect.top, bottom: item.rect.bottom});
  }
}
const placed = [];
let offset = 0;
for (const row of rows) {
  const left = Math.min(...row.items.map(({rect}) => rect.left));
  let height = 0;
  for (const {view, rect} of row.items) {
    const y = offset + Math.round((rect.top - row.top) / scale);
    placed.push({view, x: Math.round((rect.left - left) / scale), y});
    height = Math.max(height, y + view.bbox.height - offset);
  }
  offset += height + 10;
}
const width = Math.max(...placed.map(({view, x}) => x + view.bbox.width));
const height = Math.max(...placed.map(({view, y}) => y + view.bbox.height));
const save = (blob) => {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
};
if (kind === "svg") {
  const parts = placed.map(({view, x, y}) => {
    const svg = view.export("svg", false).ctx.get_serialized_svg(true).replace(/^<\\?xml[^>]*>\\s*/, "");
    return svg.replace("<svg ", `<svg x="${x}" y="${y}" `);
  });
  const text = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
               `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
               `<rect width="100%%" height="100%%" fill="white"/>${parts.join("")}</svg>`;
  save(new Blob([text], {type: "image/svg+xml"}));
} else {
  const layers = placed.map((item) => ({...item, layer: item.view.export("png", true)}));
  const ratio = Math.max(...layers.map(({layer}) => layer.pixel_ratio ?? 1));
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(width * ratio);
  canvas.height = Math.ceil(height * ratio);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "white";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (const {layer, x, y, view} of layers) {
    ctx.drawImage(layer.canvas, x * ratio, y * ratio, view.bbox.width * ratio, view.bbox.height * ratio);
  }
  canvas.toBlob(save, "image/png");
}
"""

# The numbers table's rows as CSV text, to the clipboard (127.0.0.1 is a secure context)
_COPY_CSV = """
const columns = %(columns)s;
const quote = (value) => {
  const text = String(value);
  return /[",\\n]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
};
const data = source.data;
const headers = %(headers)s;
const lines = [columns.map((c) => quote(headers[c])).join(",")];
for (let i = 0; i < data[columns[0]].length; i++) lines.push(columns.map((c) => quote(data[c][i])).join(","));
navigator.clipboard.writeText(lines.join("\\n") + "\\n").then(
  () => { button.label = "copied \\u2713"; setTimeout(() => { button.label = "copy CSV"; }, 1500); },
  () => { button.label = "copy failed"; });
"""

_COPY_LINK = """
navigator.clipboard.writeText(window.location.href).then(
  () => { button.label = "link copied \\u2713"; setTimeout(() => { button.label = "copy link"; }, 1500); },
  () => { button.label = "copy failed"; });
"""


class Exports:
    """The export buttons and the numbers table of a page.

    Parameters
    ----------
    stack
        Returns the stack the page shows (the explorer's last valid stack).
    file_name
        Returns the stack file's name (:func:`stack_file_name`).
    forces
        Returns whether the page draws the analogy (its forces go into the table).
    display
        Returns the page's units (None: the stack's own).
    edited
        Returns whether the stack shown differs from the one loaded (a file, a preset): its downloads are then
        named with :data:`EDITED_SUFFIX` (``seed-fnf-edited.toml``), asked at the click.
    solution
        Returns the solution of the stack ``stack`` returns (the explorer's :attr:`Explorer.solution`), or None
        to solve it here.

    Attributes
    ----------
    buttons : the toolbar's widgets (stack file, figures PNG/SVG, numbers CSV, copy link)
    numbers : the collapsible card holding the numbers table; it is filled when opened and kept
        current while open (:meth:`refresh`)
    """

    def __init__(self, stack: Callable[[], Stack], file_name: Callable[[], str],
                 forces: Callable[[], bool], display: Callable[[], Display | None] = lambda: None,
                 edited: Callable[[], bool] = lambda: False,
                 solution: Callable[[], Solution | None] = lambda: None) -> None:
        self._stack = stack
        self._solution = solution
        self._loaded_name = file_name
        self._edited = edited
        self._forces = forces
        self._display = display
        self.stack_button = pn.widgets.FileDownload(callback=self._toml, filename=file_name(), embed=False,
                                                    label="\u2913 stack", width=78, margin=(5, 2),
                                                    css_classes=["export-stack"],
                                                    description="the stack shown, as a TOML stack file "
                                                                "(spinstack solve/explore read it)")
        self.csv_button = pn.widgets.FileDownload(callback=self._csv, filename=self._csv_name(), embed=False,
                                                  label="\u2913 CSV", width=68, margin=(5, 2),
                                                  css_classes=["export-csv"],
                                                  description="torques, \u03bc\u209b at the nodes and the analogy's "
                                                              "forces, as CSV")
        self.png_button = self._figures_button("png")
        self.svg_button = self._figures_button("svg")
        self.link_button = pn.widgets.Button(label="copy link", width=86, margin=(5, 2), css_classes=["copy-link"],
                                             description="the page's address with its state (the moved controls)")
        self.link_button.js_on_click(args={"button": self.link_button}, code=_COPY_LINK)
        self.buttons = (self.stack_button, self.png_button, self.svg_button, self.csv_button, self.link_button)

        self.source = ColumnDataSource({key: [] for key in COLUMNS})
        number = ScientificFormatter(precision=6, power_limit_low=-3, power_limit_high=5)
        # F1: the quantity column as wide as its longest name ("force: elastic reaction of the F cord (right)
        # (10⁹ A/m²)" was cut at 260 px)
        columns = [TableColumn(field="quantity", title=HEADERS["quantity"], width=QUANTITY_WIDTH),
                   TableColumn(field="where", title=HEADERS["where"], width=170),
                   *(TableColumn(field=axis, title=HEADERS[axis], formatter=number, width=110) for axis in "xyz"),
                   TableColumn(field="unit", title=HEADERS["unit"], width=90)]
        # columns keep their widths (a phone scrolls the table sideways instead of cutting every cell); the table
        # no wider than they are (F1: stretched, its header's rule ran on past the rows' last column)
        self.table = DataTable(source=self.source, columns=columns, index_position=None, height=300,
                               autosize_mode="none", reorderable=False, sizing_mode="stretch_width",
                               max_width=sum(column.width for column in columns) + TABLE_FRAME,
                               css_classes=["numbers-table"])
        copy = pn.widgets.Button(label="copy CSV", width=90, margin=(5, 2), css_classes=["copy-csv"])
        copy.js_on_click(args={"source": self.source, "button": copy},
                         code=_COPY_CSV % {"columns": json.dumps(COLUMNS), "headers": json.dumps(HEADERS)})
        # the table joins the page when the card is first opened: a DataTable rendered hidden (in a closed
        # card) fails in BokehJS 3.9 (its grid is not made yet when the page's layout resizes it)
        self._table_parts = (copy, pn.pane.Bokeh(self.table, sizing_mode="stretch_width"))
        self.numbers = pn.Card(title=self._title(),
                               collapsed=True, sizing_mode="stretch_width", max_width=1200, margin=(5, 5),
                               css_classes=["numbers-card"])
        self.numbers.param.watch(lambda event: None if event.new else self.refresh(), "collapsed")

    def _title(self) -> str:
        """The numbers card's title: the forces of the analogy only where the page draws it (not in-plane)."""
        forces = ", forces of the analogy" if self._forces() else ""
        return f"numbers: torques, \u03bc\u209b at the nodes{forces}"

    def _figures_button(self, kind: str) -> Any:
        button = pn.widgets.Button(label=f"\u2913 {kind.upper()}", width=68, margin=(5, 2),
                                   css_classes=[f"export-{kind}"],
                                   description=f"every figure of the page, in one {kind.upper()} file")
        # the file's name from the stack button's (it follows a preset switch)
        button.js_on_click(args={"stack_button": self.stack_button},
                           code=FIGURES_SCRIPT % {"kind": json.dumps(kind)})
        return button

    def _file_name(self) -> str:
        """The stack file's name: the loaded one's, with :data:`EDITED_SUFFIX` when the stack shown was edited."""
        name = self._loaded_name()
        return edited_file_name(name) if self._edited() else name

    def _csv_name(self, file_name: str | None = None) -> str:
        return (file_name or self._file_name()).rsplit(".", 1)[0] + "-numbers.csv"

    def rows(self) -> list[dict[str, Any]]:
        """The numbers of the stack shown (:func:`numbers_rows`)."""
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return numbers_rows(self._stack(), forces=self._forces(), display=self._display(),
                                solution=self._solution())

    def _toml(self) -> io.StringIO:
        # the name as the stack is now (FileDownload reads it after this callback): edited or not
        self.stack_button.filename = self._file_name()
        return io.StringIO(dumps_stack(self._stack()))

    def _csv(self) -> io.StringIO:
        self.csv_button.filename = self._csv_name()
        return io.StringIO(numbers_csv(self.rows()))

    def renamed(self) -> None:
        """The page's stack changed (a preset chosen): new file names, and the table anew."""
        name = self._file_name()  # once: whether the stack was edited is a comparison of two stack files
        self.stack_button.filename = name
        self.csv_button.filename = self._csv_name(name)
        if self.numbers.title != self._title():
            self.numbers.title = self._title()
        self.refresh()

    def refresh(self, _stack: Stack | None = None) -> None:
        """Fill the table with the numbers of the stack shown, if it is open (closed, it costs nothing)."""
        if self.numbers.collapsed:
            return
        if not self.numbers.objects:
            self.numbers.objects = list(self._table_parts)
        rows = self.rows()
        self.source.data = {key: [row[key] for row in rows] for key in COLUMNS}
