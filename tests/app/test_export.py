"""The explorer's exports without a browser: the stack file round trip, the numbers table and its CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

import spinstack
from spinstack.analysis.analogy import ring_forces
from spinstack.io.stackwriter import dumps_stack
from spinstack.model.paths import with_parameter
from tests.strategies import structure

pn = pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app.explorer import App  # noqa: E402
from spinstack.app.display import display_for, plain_unit  # noqa: E402
from spinstack.app.export import (COLUMNS, HEADERS, edited_file_name, numbers_csv, numbers_rows,  # noqa: E402
                                  stack_file_name)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _app(name: str) -> App:
    return App(spinstack.load_stack(EXAMPLES / name), f"file: {name}")


def _downloaded(app: App, tmp_path: Path) -> spinstack.Stack:
    """What the stack button's callback gives, saved and read back by load_stack."""
    target = tmp_path / app.exports.stack_button.filename
    target.write_text(app.exports.stack_button.callback().getvalue())
    return spinstack.load_stack(target)


def _assert_same(a: spinstack.Stack, b: spinstack.Stack) -> None:
    left, right = structure(a), structure(b)
    assert sorted(key for key in set(left) | set(right) if left.get(key) != right.get(key)) == []


def test_the_stack_file_of_moved_controls_is_the_with_parameter_stack(tmp_path: Path) -> None:
    """seed-fnf.toml with four controls moved: the downloaded file loads to the stack with_parameter builds."""
    app = _app("seed-fnf.toml")
    controls = app.explorer.controls
    controls.widget("layers[2].magnetization").value = 37.5
    controls.widget("layers[1].thickness").value = 0.7
    controls.widget("materials.N.D").value = 2.5
    controls.widget("current").value = "\u2212"
    expected = spinstack.load_stack(EXAMPLES / "seed-fnf.toml")
    for path, value in (("layers[2].magnetization", {"theta": 37.5, "phi": 0.0}), ("layers[1].thickness", 0.7),
                        ("materials.N.D", 2.5), ("current", -1.0)):
        expected = with_parameter(expected, path, value)
    assert app.exports.stack_button.filename == "seed-fnf.toml"
    loaded = _downloaded(app, tmp_path)
    _assert_same(loaded, expected)
    assert dumps_stack(loaded) == dumps_stack(expected)


def test_an_si_stack_file_round_trips_to_the_bit(tmp_path: Path) -> None:
    """co-cu-py.toml (SI): boxes in nm and S/m; the file written from them loads to the same doubles."""
    app = _app("co-cu-py.toml")
    app.explorer.controls.widget("layers[1].thickness").value = 7.5  # nm on the page
    app.explorer.controls.widget("layers[2].magnetization").value = 120.0
    expected = app.explorer.base
    for path, value in app.explorer.controls.changes():
        expected = with_parameter(expected, path, value)
    loaded = _downloaded(app, tmp_path)
    _assert_same(loaded, expected)
    assert float(loaded.layers[1].thickness) == pytest.approx(7.5e-9, rel=1e-15)


def test_an_invalid_box_exports_the_last_valid_stack(tmp_path: Path) -> None:
    app = _app("seed-fnf.toml")
    app.explorer.controls.widget("layers[2].magnetization").value = 20.0
    app.explorer.controls.widget("layers[1].thickness").value = 0.0  # refused: the page keeps theta = 20
    assert app.explorer.alert.visible
    loaded = _downloaded(app, tmp_path)
    assert float(loaded.layers[1].thickness) == 2.0
    _assert_same(loaded, with_parameter(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"),
                                        "layers[2].magnetization.theta", 20.0))


def _read(text: str) -> list[dict[str, str]]:
    rows = [dict(zip(COLUMNS, row.values())) for row in csv.DictReader(io.StringIO(text))]
    assert text.splitlines()[0] == ",".join(f'"{HEADERS[key]}"' if "," in HEADERS[key] else HEADERS[key]
                                            for key in COLUMNS)
    assert rows and list(rows[0]) == list(COLUMNS)
    return rows


@pytest.mark.parametrize("name", ["seed-fnf.toml", "co-cu-py.toml", "py-cu-py-gmr.toml"])
def test_the_csv_numbers_are_the_solver_numbers(name: str) -> None:
    """Torques, mu_s at every node (both sides of an interface) and the ring forces, to the bit, in the page's
    units (the model numbers times the page's display factors: an SI page's uueV, nm, 10^9 A/m^2)."""
    stack = spinstack.load_stack(EXAMPLES / name)
    model = spinstack.solve(stack).reduced
    display = display_for(model)
    rows = _read(numbers_csv(numbers_rows(stack)))

    def vectors(prefix: str) -> np.ndarray:
        return np.array([[float(row[axis]) for axis in "xyz"] for row in rows if row["quantity"].startswith(prefix)])

    np.testing.assert_array_equal(vectors("torque"),
                                  np.real(model.torque[list(stack.ferromagnet_indices)]) * display.torque.factor)
    interfaces = {interface.node for interface in stack.interfaces}
    expected_mu = []
    for node in range(len(model.node_positions)):
        expected_mu.append(model.accumulation[node])
        if node in interfaces:
            expected_mu.append(model.accumulation_right[node])
    np.testing.assert_array_equal(vectors("\u03bc\u209b"), np.real(np.array(expected_mu)) * display.accumulation.factor)
    rings = ring_forces(model)
    forces = [getattr(rings, field)[ring] for ring in range(len(rings.nodes))
              for field in ("driving_left", "driving_right", "cord_left", "cord_right", "rail_reaction", "spring_load")
              if np.any(getattr(rings, field)[ring] != 0)]
    np.testing.assert_array_equal(vectors("force"), np.real(np.array(forces)) * display.spin_current.factor)
    units = {row["unit"] for row in rows}
    shown = {plain_unit(getattr(display, kind)) for kind in ("torque", "accumulation", "spin_current")}
    assert units == ({"reduced"} if stack.units == "reduced" else shown), units
    if name == "co-cu-py.toml":  # the status line's and the figures' units
        assert units == {"10\u207b\u2076 J/m\u00b2", "\u00b5eV", "10\u2079 A/m\u00b2"}
    for row in rows:  # every row names its unit in its quantity
        assert row["quantity"].endswith(f"({row['unit']})"), row


def test_an_si_table_is_in_the_units_the_page_shows_and_names_rings_as_the_figure() -> None:
    """Reviewer: the SI table said 1.021738e-4 eV and x = 8e-09 m where the page shows ueV and nm, and
    "ring 0 at node 0" where the figure and the force table say mu_0- / mu_0+."""
    app = _app("co-cu-py.toml")
    app.exports.numbers.collapsed = False
    data = app.exports.source.data
    first = data["quantity"].index("\u03bc\u209b, left of the interface (\u00b5eV)")
    assert data["z"][first] == pytest.approx(102.17375998194997, rel=1e-12)  # 1.021738e-4 eV in ueV
    assert data["where"][first + 2] == "node 1 (x = 8 nm)"
    wheres = {where for where, quantity in zip(data["where"], data["quantity"]) if quantity.startswith("force")}
    assert {"\u03bc\u2080\u208b (node 0)", "\u03bc\u2080\u208a (node 0)"} <= wheres
    assert not any("ring" in where for where in data["where"])
    # the force names of the figure's legend
    assert any(q.startswith("force: tension of the N cord") for q in data["quantity"])
    assert any(q.startswith("force: elastic reaction of the F cord") for q in data["quantity"])
    # headers name where the unit is
    titles = [column.title for column in app.exports.table.columns]
    assert titles == [HEADERS[key] for key in COLUMNS] and titles[0] == "quantity (unit)"


def test_the_numbers_card_names_forces_only_where_the_page_draws_the_analogy() -> None:
    sot = _app("pt-co-sot.toml")  # in-plane: no analogy, no forces
    assert "forces" not in sot.exports.numbers.title
    seed = _app("seed-fnf.toml")
    assert "forces of the analogy" in seed.exports.numbers.title
    seed.show_stack(spinstack.load_stack(EXAMPLES / "pt-co-sot.toml"), "file: pt-co-sot.toml")
    assert "forces" not in seed.exports.numbers.title


def test_the_table_is_filled_when_opened_and_follows_the_controls() -> None:
    app = _app("seed-fnf.toml")
    assert app.exports.source.data["x"] == []  # closed: nothing computed, nothing sent
    app.exports.numbers.collapsed = False
    torque = app.exports.source.data["x"][1]
    assert torque == float(np.real(spinstack.solve(app.explorer.stack).torque[2][0]))
    app.explorer.controls.widget("layers[2].magnetization").value = 90.0
    moved = spinstack.solve(with_parameter(app.explorer.base, "layers[2].magnetization.theta", 90.0))
    assert app.exports.source.data["x"][1] == float(np.real(moved.torque[2][0])) != torque


@pytest.mark.parametrize(("name", "path", "value"), [("seed-fnf.toml", "layers[2].magnetization", 90.0),
                                                    ("co-cu-py.toml", "layers[2].magnetization", 30.0),
                                                    ("co-cu-py.toml", "layers[1].thickness", 11.0)])
def test_a_move_with_the_table_open_solves_once_and_the_table_is_a_fresh_solves(monkeypatch, name: str, path: str,
                                                                                value: float) -> None:
    """Review (issue 16): the open numbers table solved the stack shown again at every move (Exports.refresh ->
    numbers_rows), two solves per move; it now takes the explorer's solution (Explorer.solution).  Every solve
    of the page's modules is counted; the table is the one numbers_rows makes from a fresh solve, to the bit."""
    import spinstack.app.explorer as explorer_module
    import spinstack.app.export as export_module
    import spinstack.app.views as views_module

    app = _app(name)
    app.exports.numbers.collapsed = False
    calls = []

    def counted(stack, *args, **kwargs):
        calls.append(stack)
        return spinstack.solve(stack, *args, **kwargs)

    for module in (explorer_module, export_module, views_module):
        monkeypatch.setattr(module, "solve", counted)
    before = app.explorer.stack
    app.explorer.controls.widget(path).value = value
    assert app.explorer.stack is not before and len(calls) == 1 and calls[0] is app.explorer.stack
    monkeypatch.undo()
    fresh = numbers_rows(app.explorer.stack, forces=True, display=app.explorer.display)
    assert app.exports.source.data == {key: [row[key] for row in fresh] for key in COLUMNS}
    assert app.exports.source.data["x"]  # filled


def test_an_in_plane_page_has_no_forces_in_its_table() -> None:
    stack = spinstack.load_stack(EXAMPLES / "pt-co-sot.toml")
    quantities = {row["quantity"].split(" (")[0] for row in numbers_rows(stack, forces=False)}
    assert quantities == {"torque", "\u03bc\u209b"}


@pytest.mark.parametrize("name", ["seed-fnf.toml", "co-cu-py.toml"])
def test_the_table_writes_the_page_symbols_and_the_csv_header_stays_ascii(name: str) -> None:
    """C (issue 16, second pass): the table and CSV said "mu_s" where the page (axes, numbers card, analogy) says
    \u03bc\u209b; the cells now use the page's symbols, the CSV's header row (the columns' names a script reads)
    stays ASCII; no cell shows a negative zero."""
    app = _app(name)
    app.exports.numbers.collapsed = False
    data = app.exports.source.data
    accumulation = [q for q in data["quantity"] if "\u03bc\u209b" in q]
    assert accumulation and all(q.startswith("\u03bc\u209b") for q in accumulation)
    assert not any("mu_s" in text for text in data["quantity"] + data["where"])
    assert "\u03bc\u209b" in app.exports.numbers.title  # the card's title, as the page says it
    text = numbers_csv(app.exports.rows())
    header, first = text.splitlines()[:2]
    assert header.isascii() and header == ",".join(HEADERS[key] for key in COLUMNS)
    assert "mu_s" not in text and "\u03bc\u209b" in text and ",-0.0," not in text
    assert all(str(value) != "-0.0" for axis in "xyz" for value in data[axis])


@pytest.mark.parametrize(("label", "preset", "expected"), [
    ("file: seed-fnf.toml", None, "seed-fnf.toml"), ("file: stack.TOML", None, "stack.TOML"),
    ("file: my.stack", None, "my.toml"), ("given stack", None, "stack.toml"),
    ("file: x.toml", "three-f", "three-f.toml"),
])
def test_the_file_name_comes_from_the_loaded_file(label: str, preset: str | None, expected: str) -> None:
    assert stack_file_name(label, preset) == expected


def test_the_interface_drive_of_the_force_table_is_explained_in_the_help_and_the_legend() -> None:
    """Reviewer: the force table's "drive" on an interface ring (75 on mu_0- of co-cu-py, gamma = 0.75) was
    explained nowhere: the help and the legend spoke of +-p j0 m of F cords only."""
    from spinstack.app.views import ANALOGY_HELP

    app = _app("co-cu-py.toml")
    table = app.explorer.accumulation.table.object
    row = next(line for line in table.split("\n") if "\u03bc\u2080\u208b" in line)
    assert "75" in row  # gamma j0 = 0.75 x 100 (10^9 A/m^2)
    assert "\u00b1\u03b3 j\u2080 m" in ANALOGY_HELP and "interface" in ANALOGY_HELP.split("\u00b1\u03b3 j\u2080 m")[0]
    labels = [item.label.value if hasattr(item.label, "value") else item.label
              for item in app.explorer.accumulation.figure.legend[0].items]
    assert any("\u03b3 j\u2080 m" in str(label) and "interface" in str(label) for label in labels), labels


def test_an_si_thickness_help_links_to_the_si_section() -> None:
    """Reviewer: the SI thickness "?" opened "Reduced units (the seed's)" instead of the SI units section."""
    from spinstack.app.docs import link

    si_box = _app("co-cu-py.toml").explorer.controls.widget("layers[0].thickness")
    reduced_box = _app("seed-fnf.toml").explorer.controls.widget("layers[0].thickness")
    assert link("stack-format", "SI units") in si_box.description and "Reduced" not in si_box.description
    assert link("stack-format", "Reduced units") in reduced_box.description
    assert link("stack-format", "SI units") != link("stack-format", "Reduced units")


def test_an_edited_stack_downloads_under_a_name_of_its_own() -> None:
    """Review (issue 16, item 9): an edited stack downloaded as seed-fnf.toml and, saved beside the file,
    replaced it; now seed-fnf-edited.toml (its CSV too) while the stack differs from the one loaded."""
    app = _app("seed-fnf.toml")
    exports = app.exports

    def names() -> tuple[str, str]:
        exports.stack_button.callback()
        exports.csv_button.callback()
        return exports.stack_button.filename, exports.csv_button.filename

    assert names() == ("seed-fnf.toml", "seed-fnf-numbers.csv")
    widget = app.explorer.controls.widget("layers[2].magnetization")
    start = widget.value
    widget.value = 45.0
    assert names() == ("seed-fnf-edited.toml", "seed-fnf-edited-numbers.csv")
    widget.value = start  # the loaded stack again
    assert names() == ("seed-fnf.toml", "seed-fnf-numbers.csv")
    app.show_stack(with_parameter(app.explorer.stack, "layers[1].thickness", 2.5))  # as a structure edit: no label
    assert names()[0] == "seed-fnf-edited.toml"
    assert edited_file_name("stack.TOML") == "stack-edited.TOML" and edited_file_name("stack") == "stack-edited"


def test_the_numbers_table_is_as_wide_as_its_columns_and_fits_its_longest_quantity() -> None:
    """Review (issue 16, item 8): the quantity column cut "force: elastic reaction of the F cord (left) (reduce"
    and the stretched table's header ran on past the rows; the table is now at most its columns' width, and the
    quantity column holds its longest name at 6.5 px a character (the browser test measures the cells)."""
    app = _app("co-cu-py.toml")
    app.exports.numbers.collapsed = False
    table = app.exports.table
    assert table.max_width == sum(column.width for column in table.columns) + 2
    longest = max(len(text) for text in app.exports.source.data["quantity"])
    assert table.columns[0].width >= 6.5 * longest
