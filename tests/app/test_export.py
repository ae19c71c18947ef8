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
from spinstack.app.export import COLUMNS, numbers_csv, numbers_rows, stack_file_name  # noqa: E402

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
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and list(rows[0]) == list(COLUMNS)
    return rows


@pytest.mark.parametrize("name", ["seed-fnf.toml", "co-cu-py.toml", "py-cu-py-gmr.toml"])
def test_the_csv_numbers_are_the_solver_numbers(name: str) -> None:
    """Torques, mu_s at every node (both sides of an interface) and the ring forces, to the bit."""
    stack = spinstack.load_stack(EXAMPLES / name)
    solution = spinstack.solve(stack)
    rows = _read(numbers_csv(numbers_rows(stack)))

    def vectors(prefix: str) -> np.ndarray:
        return np.array([[float(row[axis]) for axis in "xyz"] for row in rows if row["quantity"].startswith(prefix)])

    np.testing.assert_array_equal(vectors("torque"), np.real(solution.torque[list(stack.ferromagnet_indices)]))
    interfaces = {interface.node for interface in stack.interfaces}
    expected_mu = []
    for node in range(len(solution.node_positions)):
        expected_mu.append(solution.accumulation[node])
        if node in interfaces:
            expected_mu.append(solution.accumulation_right[node])
    np.testing.assert_array_equal(vectors("mu_s"), np.real(np.array(expected_mu)))
    rings = ring_forces(solution)
    forces = [getattr(rings, field)[ring] for ring in range(len(rings.nodes))
              for field in ("driving_left", "driving_right", "cord_left", "cord_right", "rail_reaction", "spring_load")
              if np.any(getattr(rings, field)[ring] != 0)]
    np.testing.assert_array_equal(vectors("force"), np.real(np.array(forces)))
    units = {row["unit"] for row in rows}
    assert units == ({"reduced"} if stack.units == "reduced" else {"J/m^2", "eV", "A/m^2"}), units


def test_the_table_is_filled_when_opened_and_follows_the_controls() -> None:
    app = _app("seed-fnf.toml")
    assert app.exports.source.data["x"] == []  # closed: nothing computed, nothing sent
    app.exports.numbers.collapsed = False
    torque = app.exports.source.data["x"][1]
    assert torque == float(np.real(spinstack.solve(app.explorer.stack).torque[2][0]))
    app.explorer.controls.widget("layers[2].magnetization").value = 90.0
    moved = spinstack.solve(with_parameter(app.explorer.base, "layers[2].magnetization.theta", 90.0))
    assert app.exports.source.data["x"][1] == float(np.real(moved.torque[2][0])) != torque


def test_an_in_plane_page_has_no_forces_in_its_table() -> None:
    stack = spinstack.load_stack(EXAMPLES / "pt-co-sot.toml")
    quantities = {row["quantity"] for row in numbers_rows(stack, forces=False)}
    assert quantities == {"torque", "mu_s"}


@pytest.mark.parametrize(("label", "preset", "expected"), [
    ("file: seed-fnf.toml", None, "seed-fnf.toml"), ("file: stack.TOML", None, "stack.TOML"),
    ("file: my.stack", None, "my.toml"), ("given stack", None, "stack.toml"),
    ("file: x.toml", "three-f", "three-f.toml"),
])
def test_the_file_name_comes_from_the_loaded_file(label: str, preset: str | None, expected: str) -> None:
    assert stack_file_name(label, preset) == expected
