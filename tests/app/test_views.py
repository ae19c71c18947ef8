"""The explorer's figures as a reader sees them (issue 16 items 1 and 8): legends with swatches, the force
balance against the solver's forces, the force scale, g(theta)'s labels and a tap that sets theta."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import spinstack
from spinstack.analysis import hodograph
from spinstack.analysis.analogy import folded_ring_forces, ring_forces
from spinstack.analysis.efficiencies import sign_change_angles
from spinstack.app.status import readout

pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from bokeh.events import Tap  # noqa: E402
from bokeh.models import Legend  # noqa: E402

from spinstack.app.explorer import _start_display  # noqa: E402
from spinstack.app.views import (AccumulationView, EfficiencyView, SpinCurrentView, SpinOrbitView,  # noqa: E402
                                 balance_table, pick_direction)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = ["seed-fnf", "asymmetric-fnf", "co-cu-py", "py-cu-py-gmr", "pt-co-sot", "yig-pt-smr-si"]


def _views(name: str) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """The solution of ``examples/<name>.toml`` and its views (as the explorer builds them), each shown once,
    with the data each was shown."""
    stack = spinstack.load_stack(EXAMPLES / f"{name}.toml")
    display = _start_display(stack)
    solution = spinstack.solve(stack).reduced
    fold = hodograph(solution, 49)
    in_plane = stack.has_field or stack.has_boundary_ends
    views: dict[str, Any] = {
        "accumulation": AccumulationView(interfaces=bool(stack.interfaces), display=display, analogy=not in_plane),
        "spin_current": SpinCurrentView(display=display)}
    shown = {name: view.prepare(solution, fold) for name, view in views.items()}
    if in_plane:
        views["spin_orbit"] = SpinOrbitView(stack, display=display)
        shown["spin_orbit"] = views["spin_orbit"].prepare(solution)
    elif solution.efficiency_problem is None:
        numbers = readout(solution)
        views["efficiency"] = EfficiencyView()
        shown["efficiency"] = views["efficiency"].prepare(solution, numbers.theta, numbers.g1, numbers.g2)
    for name, view in views.items():
        view.show(shown[name])
    return solution, views, shown


def _label(item: Any) -> str:
    """A legend entry's text; a label that names a data column (a plain string assigned after construction:
    BokehJS shows "Invalid field") is refused."""
    assert hasattr(item.label, "value"), f"legend label {item.label!r} is a field, not a text"
    return item.label.value


def _rows(renderer: Any) -> int:
    data = renderer.data_source.data
    return min((len(column) for column in data.values()), default=0)


@pytest.mark.parametrize("name", FILES)
def test_every_legend_entry_has_a_swatch_to_draw(name: str) -> None:
    """BokehJS draws no legend glyph for a renderer without data: every visible entry's renderers have a row
    (the issue: both hodograph legends showed text only)."""
    _, views, _ = _views(name)
    figures = [view.figure for view in views.values()]
    entries = 0
    for figure in figures:
        for legend in figure.select(type=Legend):
            for item in legend.items:
                if item.visible:
                    entries += 1
                    assert item.renderers, item.label
                    assert all(_rows(renderer) >= 1 for renderer in item.renderers), item.label
    assert entries >= 4


def test_the_legend_names_only_what_the_stack_has() -> None:
    """The YIG page (no F layer, no rail) names no F layer, no ring, no rail and no torque jump."""
    _, views, _ = _views("yig-pt-smr-si")
    shown = {_label(item) for view in views.values() for legend in view.figure.select(type=Legend)
             for item in legend.items if item.visible}
    assert not [label for label in shown if "F layer" in label or "ring" in label or "rail" in label
                or "F face" in label], shown
    _, views, _ = _views("co-cu-py")
    shown = {_label(item) for legend in views["accumulation"].figure.select(type=Legend) for item in legend.items
             if item.visible}
    assert {"ring (slides on its rail)", "rail = magnetization axis", "pull of the interface spring"} <= shown


@pytest.mark.parametrize("name", ["seed-fnf", "asymmetric-fnf", "co-cu-py", "py-cu-py-gmr"])
def test_force_balance_table_holds_the_solvers_forces_and_sums_to_zero(name: str) -> None:
    """Every number of the table is the magnitude of a force of analysis.analogy.ring_forces (the 3D forces:
    the fold turns them, keeping their length) in the page's unit, and the forces on each ring sum to zero."""
    solution, views, shown = _views(name)
    table = shown["accumulation"]["_table"]
    factor = views["accumulation"].spin_current_factor
    forces = ring_forces(solution)
    assert len(table["ring"]) == len(forces.nodes)
    largest = 0.0
    for r in range(len(forces.nodes)):
        expected: dict[str, list[float]] = {kind: [] for kind in table["kinds"]}
        for kind, vector in (("driving", forces.driving_left[r]), ("driving", forces.driving_right[r]),
                             (forces.left_cord[r], forces.cord_left[r]), (forces.right_cord[r], forces.cord_right[r]),
                             ("rail", forces.rail_reaction[r])):
            if np.any(vector):
                expected[kind].append(float(np.linalg.norm(vector)) * factor)
        if np.any(forces.axis[r]) and not expected["rail"]:
            expected["rail"].append(0.0)
        for kind in table["kinds"]:
            np.testing.assert_allclose(table[kind][r], expected[kind], rtol=1e-12, atol=0)
            largest = max([largest, *expected[kind]])
        # the balance of eq. 10 in 3D, and the table's sum
        total = (forces.driving_left[r] + forces.driving_right[r] + forces.cord_left[r] + forces.cord_right[r]
                 + forces.rail_reaction[r])
        assert np.linalg.norm(total) * factor <= 1e-12 * largest
    assert max(table["sum"]) <= 1e-12 * largest
    html = views["accumulation"].table.object
    assert html == balance_table(table, views["accumulation"].force_unit)
    assert html.count("<tr>") == len(table["ring"]) + 1


@pytest.mark.parametrize("name", ["seed-fnf", "co-cu-py"])
def test_force_scale_arrow_is_a_round_force_at_the_scale_of_the_arrows(name: str) -> None:
    solution, views, shown = _views(name)
    view = views["accumulation"]
    arrow = view.sources["scale"].data
    length = arrow["x1"][0] - arrow["x0"][0]
    text = view.sources["scale_label"].data["text"][0]
    value = float(text.split()[1])
    mantissa = value / 10 ** np.floor(np.log10(value))
    assert np.isclose(mantissa, 1.0) or np.isclose(mantissa, 2.0) or np.isclose(mantissa, 5.0), text
    if view.force_unit:
        assert text.endswith(view.force_unit)
    # the largest force arrow drawn against its force in the page's unit: the same scale
    forces = shown["accumulation"]["forces"]
    drawn = np.hypot(np.subtract(forces["x1"], forces["x0"]), np.subtract(forces["y1"], forces["y0"])).max()
    largest = max(np.linalg.norm(f.vector) for ring in folded_ring_forces(solution, 2) for f in ring.forces)
    np.testing.assert_allclose(length / value, drawn / (largest * view.spin_current_factor), rtol=1e-12)
    x = view.figure.x_range
    assert x.start < arrow["x0"][0] < arrow["x1"][0] < x.end


def test_g_of_theta_says_when_the_curves_coincide_and_where_the_sign_changes() -> None:
    _, views, _ = _views("seed-fnf")  # equal magnets: g1 = g2
    labels = [_label(item) for item in views["efficiency"].items]
    assert labels[0].startswith("g\u2081 = g\u2082")
    assert views["efficiency"].figure.renderers  # g2 is dashed on top of g1
    dashed = [r for r in views["efficiency"].figure.renderers if getattr(r.glyph, "y", None) == "g2"]
    assert dashed and dashed[0].glyph.line_dash != []
    solution, views, _ = _views("asymmetric-fnf")
    labels = [_label(item) for item in views["efficiency"].items]
    assert "=" not in labels[0]
    angles = sign_change_angles(solution.stack, "g2")
    assert len(angles) == 1
    assert views["efficiency"].sources["zeros"].data["text"] == [f"g\u2082 = 0 at \u03b8 = {angles[0]:.1f}\u00b0"]


def test_tap_on_g_of_theta_calls_on_pick_with_the_angle() -> None:
    view = EfficiencyView()
    picked: list[float] = []
    view.on_pick(picked.append)
    view._tapped(Tap(view.figure, x=123.44, y=0.1))
    view._tapped(Tap(view.figure, x=190.0, y=0.1))
    assert picked == [123.4, 180.0]


@pytest.mark.parametrize("m1, m2", [([0, 0, 1], [1, 0, 0]), ([0, 0, 1], [0, 0, 1]), ([1, 1, 0], [0, 1, 1]),
                                    ([0, 0, -1], [0.3, -0.4, 0.5])])
@pytest.mark.parametrize("theta", [0.0, 37.5, 90.0, 155.0, 180.0])
def test_pick_direction_sets_the_angle_from_m1_in_the_plane_of_m1_and_m2(m1: list[float], m2: list[float],
                                                                         theta: float) -> None:
    polar, azimuth = pick_direction(m1, m2, theta)
    m = spinstack.model.checks.polar(polar, azimuth)
    u1, u2 = np.asarray(m1, float) / np.linalg.norm(m1), np.asarray(m2, float) / np.linalg.norm(m2)
    np.testing.assert_allclose(np.degrees(np.arccos(np.clip(np.dot(m, u1), -1, 1))), theta, atol=1e-6)
    if np.linalg.norm(np.cross(u1, u2)) > 1e-9:  # in their plane, on m2's side
        assert abs(np.dot(m, np.cross(u1, u2))) < 1e-12
        if 0.0 < theta < 180.0:
            assert np.dot(m - np.dot(m, u1) * u1, u2) > 0


def test_explorer_tap_on_g_of_theta_sets_theta() -> None:
    from spinstack.app.explorer import Explorer

    explorer = Explorer(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"))
    explorer._pick_theta(100.0)
    deadline = time.monotonic() + 30  # the update may run on another thread
    while '<b id="theta">100</b>' not in explorer.numbers.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert '<b id="theta">100</b>' in explorer.numbers.text


@pytest.mark.parametrize("case", ["dynamics-oscillator", "seed at 5 deg"])
def test_the_jump_names_of_the_spin_current_hodograph_are_apart(case: str) -> None:
    """C (issue 16, second pass): at a small angle (the Dynamics tab starts 5 degrees from parallel) the jumps
    lie side by side and their names, each at its arrow's middle, were written on each other.  Each name's box
    (12 px text in the 340 px frame) is clear of the others' and no jump arrow runs through it."""
    import spinstack
    from spinstack.analysis import hodograph
    from spinstack.app.presets import seed_stack
    from spinstack.app.views import _JUMP_LABEL, SpinCurrentView
    from spinstack.model.paths import with_parameter

    examples = Path(__file__).resolve().parents[2] / "examples"
    stack = (with_parameter(seed_stack(), "layers[2].magnetization.theta", 5.0) if case.startswith("seed")
             else spinstack.load_stack(examples / f"{case}.toml"))
    solution = spinstack.solve(stack)
    data = SpinCurrentView().prepare(solution, hodograph(solution, 33))
    x0, x1, y0, y1 = data["_box"]["box"]
    half = 0.5 * np.array(_JUMP_LABEL) * max(x1 - x0, y1 - y0)
    names = np.column_stack([data["jump_labels"]["x"], data["jump_labels"]["y"]])
    jumps = data["jumps"]
    assert len(names) == len(jumps["x0"]) >= 2
    for i, name in enumerate(names):
        for other in names[:i]:
            assert np.any(np.abs(name - other) >= 2.0 * half), (name, other)
        for tail_x, tail_y, head_x, head_y in zip(jumps["x0"], jumps["y0"], jumps["x1"], jumps["y1"]):
            along = np.linspace(0.0, 1.0, 401)[:, None]
            points = np.array([tail_x, tail_y]) + along * np.array([head_x - tail_x, head_y - tail_y])
            assert not np.any(np.all(np.abs(points - name) < half, axis=1)), name


@pytest.mark.parametrize("jumps", [[((0.25, 0.009), (-0.803, 0.337)), ((0.224, -0.442), (-0.841, 0.841))],
                                   [((-0.292, 0.372), (0.31, -0.685)), ((0.303, -0.728), (-0.442, -0.103))]])
def test_no_jump_arrow_clips_a_jump_names_box(jumps: list) -> None:
    """The jump names' places are tested against the arrows exactly (plot.frames.arrows_through, the test the ring
    names use): two crossing jumps where the 41 points per arrow sampled before missed an arrow clipping the
    first name's box, checked here with 100 001 points per arrow."""
    from spinstack.app.views import _JUMP_LABEL, _jump_label_places

    arrows = [(np.array(tail), np.array(head)) for tail, head in jumps]
    size = 2.0
    half = 0.5 * np.array(_JUMP_LABEL) * size
    along = np.linspace(0.0, 1.0, 100_001)[:, None]
    points = np.vstack([tail + along * (head - tail) for tail, head in arrows])
    for name in _jump_label_places(arrows, size):
        assert not np.any(np.all(np.abs(points - name) < half, axis=1)), name


@pytest.mark.parametrize("case", ["seed at 180 deg", "py-cu-py-gmr", "seed"])
def test_the_rail_names_are_clear_of_the_force_arrows(case: str) -> None:
    """C (issue 16, second pass): a collinear stack's forces lie along the rail, and the rail's name ("m\u2081"),
    beside the rail near the view's edge, sat on them (the seed at 180 degrees); it moves out from the rail until
    no arrow runs through its box (13 px text, about 0.022 of the frame per character)."""
    import spinstack
    from spinstack.app.presets import seed_stack
    from spinstack.model.paths import with_parameter

    examples = Path(__file__).resolve().parents[2] / "examples"
    stack = (with_parameter(seed_stack(), "layers[2].magnetization.theta", 180.0) if case.startswith("seed at")
             else seed_stack() if case == "seed" else spinstack.load_stack(examples / f"{case}.toml"))
    solution = spinstack.solve(stack)
    data = AccumulationView().prepare(solution, hodograph(solution, 33))
    x0, x1, y0, y1 = data["_box"]["box"]
    size = max(x1 - x0, y1 - y0)
    forces = data["forces"]
    along = np.linspace(0.0, 1.0, 401)[:, None]
    points = np.vstack([np.array([a, b]) + along * np.array([c - a, d - b])
                        for a, b, c, d in zip(forces["x0"], forces["y0"], forces["x1"], forces["y1"])])
    labels = data["axis_labels"]
    assert labels["text"]
    for x, y, text in zip(labels["x"], labels["y"], labels["text"]):
        half = np.array([0.011 * len(text) + 0.01, 0.03]) * size
        assert not np.any(np.all(np.abs(points - np.array([x, y])) < half, axis=1)), text
        assert x0 < x < x1 and y0 < y < y1, text  # still in view


def test_each_kind_of_cord_has_a_swatch_of_its_own() -> None:
    """Review (issue 16, item 4): the one "cord" entry drew its orange and blue lines on each other, blended to an
    olive that read as the elastic reaction's green; now an F cord and an N cord entry, one line each, in the
    colours the figure draws them."""
    from spinstack.plot import style

    _, views, _ = _views("seed-fnf")
    cords = [item for legend in views["accumulation"].figure.select(type=Legend) for item in legend.items
             if item.visible and "cord:" in _label(item)]
    assert [_label(item).split(" cord:")[0] for item in cords] == ["F", "N"]
    assert all(len(item.renderers) == 1 for item in cords)
    colours = [item.renderers[0].glyph.line_color for item in cords]
    assert colours == [style.CURVE["F"], style.CURVE["N"]] and colours[0] != colours[1]


def test_an_in_plane_page_explains_its_hodograph_without_the_analogy_forces() -> None:
    """Review (issue 16, item 10): pt-co-sot's page draws rails and rings only, but its text explained forces, the
    force table and gamma j0; the seed page keeps the analogy's text."""
    from spinstack.app.views import ANALOGY_HELP, RAILS_HELP

    _, views, _ = _views("pt-co-sot")
    text = views["accumulation"].explanation.object
    assert RAILS_HELP in text and ANALOGY_HELP not in text
    for word in ("\u03b3 j\u2080", "table:", "analogy shows", "forces on every ring", "elastic cord"):
        assert word not in text, word
    assert "no force" in text
    _, views, _ = _views("seed-fnf")
    assert ANALOGY_HELP in views["accumulation"].explanation.object


def test_the_efficiency_axis_says_g_is_signed_and_how() -> None:
    """U (review, issue 16): the y label "gᵢ(θ) = |Tᵢ| / (j₀ sin θ)" hid the sign, while the asymmetric preset's
    g₂ is negative; the label says signed and gives T₁'s form (the title gives T₂'s)."""
    from spinstack.app.views import EfficiencyView

    view = EfficiencyView()
    label = view.figure.yaxis.axis_label
    assert "signed" in label and "|" not in label and "T₁ = j₀ g₁ m₁×(m₁×m₂)" in label
    assert "T₂ = j₀ g₂(θ) m₂×(m₁×m₂)" in view.figure.title.text


def test_the_force_table_shows_round_off_as_zero_in_every_row_alike() -> None:
    """U (review, issue 16): the rail column read "0e+00" in one row and "2.404e-17" in another (round-off): a size
    below 1e-12 of its row's largest force is 0 in every column, the sum's included; real sizes keep 4 digits."""
    from spinstack.app.views import ROUND_OFF

    table = {"kinds": ["driving", "rail"], "ring": ["μ₁", "μ₂"], "driving": [[0.5, 0.5], [0.5, 0.25]],
             "rail": [[0.0], [2.404e-17]], "sum": [0.0, 3.1e-17]}
    html = balance_table(table)
    rows = html.split("<tr>")[2:]
    assert [row.count("<td style='padding: 0 5px'>0</td>") for row in rows] == [2, 2], rows
    assert "e-17" not in html and "e+00" not in html and "0.25" in html and "2×0.5" in html
    # a real imbalance (above the round-off) still shows
    assert "1e-06" in balance_table({**table, "sum": [0.0, 1e-6]})
    # the examples' own tables: every number shown is 0 or above the round-off of its row
    _, views, shown = _views("wavy-torque")
    data = shown["accumulation"]["_table"]
    html = views["accumulation"].table.object
    for r, row in enumerate(html.split("<tr>")[2:]):
        largest = max(v for kind in data["kinds"] for v in data[kind][r])
        numbers = [float(text) for cell in row.split("<td")[2:]
                   for text in cell.split(">", 1)[1].split("<", 1)[0].replace("2×", "").split(" / ")
                   if text not in ("\u2013",)]
        assert all(v == 0.0 or v > ROUND_OFF * largest for v in numbers), row


def test_three_f_layers_show_no_angle_and_no_degree_sign() -> None:
    """U (review, issue 16): the three-F preset's numbers line read "θ = —°"; it reads "θ = —", and a two-F stack
    keeps its degrees."""
    from spinstack.app.explorer import App
    from spinstack.app.presets import seed_stack, three_f_stack

    text = App(three_f_stack(), "preset").explorer.numbers.text
    assert '<b id="theta">\u2014</b> &nbsp;' in text and "\u2014</b>\u00b0" not in text
    assert '<b id="theta">60</b>\u00b0' in App(seed_stack(), "preset").explorer.numbers.text
