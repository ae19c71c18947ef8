"""The explorer without a browser: presets, the page built from each, controls and updates in Python."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import spinstack
from spinstack.app import PRESETS, preset
from spinstack.app.status import format_number, readout
from spinstack.model.paths import parameter_value, with_parameter

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pn = pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app import build_app  # noqa: E402
from spinstack.app.explorer import _STATUS_COLOR, Explorer  # noqa: E402


@pytest.mark.parametrize("name", ["seed", "asymmetric"])
def test_two_f_presets_have_the_numbers_of_the_example_files(name: str) -> None:
    """The presets are the stacks of examples/seed-fnf.toml and examples/asymmetric-fnf.toml."""
    file = EXAMPLES / {"seed": "seed-fnf.toml", "asymmetric": "asymmetric-fnf.toml"}[name]
    loaded, built = spinstack.load_stack(file), preset(name)
    paths = [path for path, _ in loaded._parameters()]
    assert paths == [path for path, _ in built._parameters()]
    for path in paths:
        np.testing.assert_allclose(parameter_value(built, path), parameter_value(loaded, path), rtol=0, atol=1e-15)


def test_three_f_preset_is_non_coplanar() -> None:
    stack = preset("three-f")
    m = [stack.layers[i].magnetization for i in stack.ferromagnet_indices]
    assert len(m) == 3
    assert abs(np.dot(m[0], np.cross(m[1], m[2]))) > 0.1  # triple product: not in one plane


@pytest.mark.parametrize("name", list(PRESETS))
def test_build_app_for_every_preset(name: str) -> None:
    page = build_app(preset(name))
    assert isinstance(page, pn.viewable.Viewable)
    explorer = Explorer(preset(name))
    shown = readout(spinstack.solve(preset(name)))
    assert html.escape(shown.status) in explorer.status.text
    if name == "three-f":
        assert 'id="g2">\u2014<' in explorer.numbers.text  # no g2 with three F layers
    else:
        assert f'id="g2">{shown.g2:.8g}<' in explorer.numbers.text


def test_asymmetric_status_says_f2_is_pushed_away() -> None:
    """Seed Fig. 5: g2 < 0 at 40 deg, the current pushes F2 away from F1 (seed section 3.3)."""
    status = readout(spinstack.solve(preset("asymmetric"))).status
    assert status.startswith("g2 < 0: the current pushes F2 away from F1")
    reversed_ = readout(spinstack.solve(with_parameter(preset("asymmetric"), "current", -1.0))).status
    assert "electrons flowing from F2 to F1" in reversed_ and "pulls F2 towards F1" in reversed_


def test_a_file_current_is_not_called_reversed() -> None:
    """examples/co-cu-py.toml: J > 0 as the file gives it (electrons along -x, j0 < 0) was described as
    "the current (reversed current) pushes F2 ..."; the words say which way the electrons flow instead."""
    stack = spinstack.load_stack(EXAMPLES / "co-cu-py.toml")
    assert float(stack.current) < 0  # J = e j0 with e < 0
    explorer = Explorer(stack)
    status = explorer.status.text
    assert "reversed" not in status
    # the file's own sign, J > 0, in the user's convention, and which way the electrons flow
    assert "the current (J &gt; 0: electrons flowing from F2 to F1) " in status
    assert explorer.controls.current.value == "+"  # the "+" button: J > 0 as the file gives it (was "-")
    assert explorer.controls.changes() == []
    explorer.controls.current.value = "\u2212"  # J < 0: j0 > 0, electrons from F1 to F2
    assert float(explorer.stack.current) == pytest.approx(-float(stack.current), rel=1e-15)
    assert "the current (J &lt; 0: electrons flowing from F1 to F2) " in explorer.status.text


def test_a_control_change_re_solves_and_an_invalid_value_is_reported_inline() -> None:
    explorer = Explorer(preset("seed"))
    explorer.controls.widget("layers[2].magnetization").value = 30.0
    expected = spinstack.solve(with_parameter(preset("seed"), "layers[2].magnetization.theta", 30.0)).efficiency().g2
    assert f'id="g2">{float(expected):.8g}<' in explorer.numbers.text
    before = explorer.numbers.text

    explorer.controls.widget("layers[1].thickness").value = "0"
    assert explorer.alert.visible
    # the control's label on the page, not the path
    assert "d of layer 1 (N): must be &gt; 0, got 0" in explorer.alert.object
    assert "layers[1]" not in explorer.alert.object
    assert explorer.numbers.text.split("computed")[0] == before.split("computed")[0]  # the last valid state

    explorer.controls.widget("layers[1].thickness").value = "2"
    assert not explorer.alert.visible
    explorer.controls.widget("materials.F2.p").value = "1"
    assert "p of F2: must lie strictly between -1 and 1" in explorer.alert.object
    explorer.controls.widget("materials.F2.p").value = "0.5"
    assert not explorer.alert.visible
    assert explorer.numbers.text.split("computed")[0] == before.split("computed")[0]


def test_current_sign_toggle() -> None:
    explorer = Explorer(preset("seed"))
    explorer.controls.current.value = "\u2212"
    assert "electrons flowing from F2 to F1" in explorer.status.text
    assert float(explorer.stack.current) == -1.0


def test_batches_are_refused() -> None:
    stack = with_parameter(preset("seed"), "layers[1].thickness", np.array([1.0, 2.0]))
    with pytest.raises(spinstack.SpinstackError, match="single configuration"):
        build_app(stack)


@pytest.mark.parametrize("name", ["pt-co-sot", "yig-pt-smr", "thin-co-coherent", "ta-cofeb-sot"])
def test_in_plane_stacks_show_spin_orbit_torques_and_smr(name: str) -> None:
    """MODEL.md 8: the numbers are the solver's tau_DL, tau_FL and SMR; no analogy forces (the spin Hall
    source is not one of them); the right panel is the torque (or SMR) against the heavy metal's thickness."""
    stack = spinstack.load_stack(EXAMPLES / f"{name}.toml")
    explorer = Explorer(stack)
    assert isinstance(build_app(stack), pn.viewable.Viewable)
    solution = spinstack.solve(stack).reduced  # the stack's numbers: the page's Display converts them
    smr = solution.smr
    assert f'id="smr-long">{float(smr.longitudinal) + 0.0:.6g}<' in explorer.numbers.text
    assert f'id="smr-trans">{float(smr.transverse) + 0.0:.6g}<' in explorer.numbers.text
    assert not explorer.accumulation.sources["forces"].data["x0"]
    if stack.ferromagnet_indices:
        damping, _ = solution.spin_orbit_torque
        value = float(damping[stack.ferromagnet_indices[0]]) * explorer.display.torque.factor
        assert f"F1: {value:.5g}" in explorer.numbers.text
        way = "towards" if value > 0 else "away from"
        assert f"turns m of F\u2081 {way} \u03c3\u0302" in explorer.status.text
    # the curve passes through the stack's own point
    curves, marks = explorer.spin_orbit.sources["curves"].data, explorer.spin_orbit.sources["mark_points"].data
    assert len(curves["d"]) == 97 and np.all(np.isfinite(curves["first"]))
    assert marks["x"][0] == pytest.approx(float(stack.layers[explorer.spin_orbit.layer].thickness)
                                          * explorer.display.length.factor)


def test_in_plane_controls_move_the_heavy_metal_and_the_field() -> None:
    """Thickness of Pt and the field's direction re-solve; limit 4: tau_DL = theta |j_in| (1 - sech(d/l))."""
    Pt, Co = spinstack.Normal("Pt", 2.0, 1.4, 0.19), spinstack.Ferromagnet("Co", 1.0, 0.4, 5.0)
    stack = spinstack.Stack([spinstack.Layer(Pt, 3.0), spinstack.Layer(Co, 1.5, [1.0, 0.0, 0.0])],
                            left=spinstack.Open(), right=spinstack.Open(), current=0.0, field=[0.0, 1.0, 0.0])
    explorer = Explorer(stack)
    with pytest.raises(KeyError):
        explorer.controls.widget("current")  # no charge current crosses an open end
    explorer.controls.widget("layers[0].thickness").value = 2.0
    expected = 0.19 * 2.0 * (1 - 1 / np.cosh(2.0 / 1.4))
    assert f"F1: {expected:.5g}" in explorer.numbers.text
    explorer.controls.widget("field").value = 90.0  # eps along +z: sigma_hat = xhat x zhat = -y
    assert 'id="sigma">[0, -1, 0]<' in explorer.numbers.text
    explorer.controls.widget("materials.Pt.theta_SH").value = -0.19
    assert "away from" in explorer.status.text


def test_si_field_control_shows_the_direction_of_e() -> None:
    """An SI stack's field control turns E (and J), the direction its file gives: examples/pt-co-sot.toml has
    E along +y, which the control showed as eps = eE at -180 deg; sigma_hat = E_hat x xhat (MODEL.md 8a)."""
    explorer = Explorer(spinstack.load_stack(EXAMPLES / "pt-co-sot.toml"))
    widget = explorer.controls.widget("field")
    assert "aria:direction of E (and J) in the y-z plane (deg from +y)" in widget.tags and widget.value == 0.0
    assert 'id="sigma">[0, 0, -1]<' in explorer.numbers.text  # yhat x xhat = -zhat
    assert "E\u0302 \u00d7 x\u0302" in str(explorer.controls.panel.objects[0].object)
    assert explorer.controls.changes() == []  # shown as it is, not moved
    widget.value = 90.0  # E along +z: sigma_hat = zhat x xhat = +y; eps = eE along -z
    assert 'id="sigma">[0, 1, 0]<' in explorer.numbers.text
    field = np.asarray(explorer.stack.field, dtype=float)
    assert field[1] == 0.0 and field[2] < 0.0


def test_narrow_end_bands_are_named_inside_the_frame() -> None:
    """The "open" bands of examples/pt-co-sot.toml were named centred, wider than the band: the frame clipped
    the name to "oper".  A narrow band's name starts at the frame's edge and runs inwards, smaller; a lead's
    wide band keeps its name centred."""
    for file, ends in (("pt-co-sot.toml", ("open", "open")), ("co-cu-py.toml", ("Cu", "Cu"))):
        explorer = Explorer(spinstack.load_stack(EXAMPLES / file))
        names = explorer.profiles.sources["names"].data
        start, end = explorer.profiles.figures[0].x_range.start, explorer.profiles.figures[0].x_range.end
        left, right = len(names["text"]) - 2, len(names["text"]) - 1  # the ends follow the layers
        assert (names["text"][left], names["text"][right]) == ends
        if ends[0] == "open":
            assert (names["x"][left], names["align"][left], names["dx"][left]) == (pytest.approx(start), "left", 2)
            assert (names["x"][right], names["align"][right], names["dx"][right]) == (pytest.approx(end), "right", -2)
        else:
            assert names["align"][left] == names["align"][right] == "center"
            assert start < names["x"][left] < 0.0 and names["x"][right] < end


def test_preset_menu_switches_the_stack() -> None:
    from spinstack.app.explorer import App

    app = App(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"), "file: seed-fnf.toml")
    assert list(app.menu.options)[0] == "file: seed-fnf.toml"
    app.menu.value = "three-f"
    assert len(app.explorer.stack.ferromagnet_indices) == 3
    assert app.body.objects == [app.explorer.layout]
    app.menu.value = "__given__"
    assert len(app.explorer.stack.ferromagnet_indices) == 2


def test_explore_command_reports_a_bad_file_in_one_line(tmp_path: Path) -> None:
    """Bad input never starts a server: one stderr line, exit status 2 (as every command)."""
    from click.testing import CliRunner

    from spinstack.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text((EXAMPLES / "seed-fnf.toml").read_text().replace("thickness = 2.0", "thickness = 0"))
    result = CliRunner().invoke(main, ["explore", str(bad), "--port", "1"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().startswith("spinstack: error: ")
    assert "layers[1].thickness: must be > 0" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_explore_command_refuses_a_taken_port() -> None:
    import socket

    from click.testing import CliRunner

    from spinstack.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["explore", "--port", str(port)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"--port {port}: cannot listen on 127.0.0.1:{port}" in result.stderr


def test_an_si_stack_is_shown_in_readable_units_and_controls_convert_back() -> None:
    """examples/co-cu-py.toml: boxes in nm and S/m, numbers in J/m^2 and fOhm m^2 (MODEL.md 7), figures in nm, ueV."""
    from spinstack import si

    stack = spinstack.load_stack(EXAMPLES / "co-cu-py.toml")
    explorer = Explorer(stack)
    assert explorer.controls.widget("layers[1].thickness").value == "10"  # Cu 10 nm
    assert float(explorer.controls.widget("materials.Cu.l").value) == pytest.approx(1e9 * float(stack.materials["Cu"].l))
    # e^2 D shown in 10^k S/m: for Cu (normal) that is 1/rho
    shown = float(explorer.controls.widget("materials.Cu.D").value)
    factor = explorer.display.parameter("materials.Cu.D").factor
    assert shown / factor == pytest.approx(float(stack.materials["Cu"].D), rel=1e-11)
    assert factor == pytest.approx(si.ELECTRON_CHARGE**2 / 10.0 ** explorer.display.parameter("materials.Cu.D").power)
    solution = spinstack.solve(stack)  # an SI solution reports what the page shows
    # torque per area (hbar/2) |deposited spin current| in J/m^2, shown in units of 10^power J/m^2
    joules = np.linalg.norm(solution.torque[2])
    assert joules == pytest.approx(si.HBAR / 2 * np.linalg.norm(solution.reduced.torque[2]), rel=1e-15)
    power = explorer.display.torque.power
    assert f"F2: {joules / 10.0**power:.4g}" in explorer.numbers.text
    assert "J/m\u00b2" in explorer.numbers.text and "f\u03a9 m\u00b2" in explorer.numbers.text
    r = float(solution.resistance_area) * 1e15  # Ohm m^2 -> fOhm m^2
    assert f'id="resistance">{r:.6g}<' in explorer.numbers.text
    assert explorer.profiles.figures[-1].xaxis.axis_label == "position x (nm)"
    assert explorer.accumulation.figure.yaxis.axis_label.endswith("eV)")

    # a box in nm changes the stack in metres; g2 is the solver's for that stack
    explorer.controls.widget("layers[1].thickness").value = 12.0
    assert float(explorer.stack.layers[1].thickness) == pytest.approx(12e-9, rel=1e-12)
    expected = spinstack.solve(with_parameter(stack, "layers[1].thickness", 12e-9)).efficiency().g2
    assert f'id="g2">{float(expected):.8g}<' in explorer.numbers.text
    # the profile data are in nm: the last face sits at the stack's length in nm
    faces = explorer.profiles.sources["faces"].data["x"]
    assert faces[-1] == pytest.approx(1e9 * float(explorer.stack.layers[0].thickness + 12e-9
                                                  + explorer.stack.layers[2].thickness), rel=1e-12)
    explorer.controls.widget("layers[1].thickness").value = "-1"
    # the label with its unit, and the value as typed (the model's number is in metres)
    assert explorer.alert.visible and "<b>d of layer 1 (Cu) (nm): must be &gt; 0, got -1</b>" in explorer.alert.object


def test_a_reduced_stack_is_shown_as_it_is() -> None:
    explorer = Explorer(preset("seed"))
    assert not explorer.display.si and explorer.display.torque.factor == 1.0
    assert explorer.profiles.figures[-1].xaxis.axis_label == "position x (reduced units)"
    assert float(explorer.controls.widget("layers[1].thickness").value) == float(preset("seed").layers[1].thickness)


def test_a_burst_of_changes_is_coalesced_and_ends_on_the_last_value() -> None:
    """Issue 16 item 2: a slider drag sends many values faster than they are solved; served, only the newest
    values are solved once the running solve ends (the latest value wins), and the page ends on the last one.

    The background runner here queues the solves and runs them when the test says (a served session runs
    them in a worker thread and hands the result back on the document's next tick)."""
    queued: list[tuple[Any, Any]] = []
    explorer = Explorer(preset("seed"), background=lambda work, done: queued.append((work, done)))
    slider = explorer.controls.widget("layers[2].magnetization")
    angles = np.linspace(61.0, 100.0, 40)
    for index, theta in enumerate(angles):
        slider.value = float(theta)
        if index % 10 == 9 and queued:  # a solve ends now and then during the drag
            work, done = queued.pop(0)
            done(work())
    while queued:
        work, done = queued.pop(0)
        done(work())
    assert explorer.changes_seen == 40
    assert explorer.solves <= 6, explorer.solves  # one per solve that ended, and the last values: not 40
    expected = spinstack.solve(with_parameter(preset("seed"), "layers[2].magnetization.theta", 100.0)).efficiency()
    assert f'id="g2">{float(expected.g2):.8g}<' in explorer.numbers.text
    assert f'id="theta">{format_number(100.0)}<' in explorer.numbers.text
    assert float(explorer.stack.layers[2].magnetization[0]) == pytest.approx(np.sin(np.deg2rad(100.0)), abs=1e-15)
    assert explorer.updates == explorer.solves + 1  # the start state and every solve's result were shown


def test_a_stale_error_is_not_shown_and_the_newest_value_is() -> None:
    """A bad value followed at once by a good one: the bad value's message is dropped (its value is gone),
    the good one is solved and shown."""
    queued: list[tuple[Any, Any]] = []
    explorer = Explorer(preset("seed"), background=lambda work, done: queued.append((work, done)))
    box = explorer.controls.widget("layers[1].thickness")
    box.value = 0.0  # starts a solve that will fail
    box.value = 3.0  # arrives while it runs
    assert explorer.solves == 1
    while queued:
        work, done = queued.pop(0)
        done(work())
    assert explorer.solves == 2
    assert not explorer.alert.visible
    assert float(explorer.stack.layers[1].thickness) == 3.0


# ---------------------------------------------------------------- typed input, errors, signs (issue 16, 5-7)
@pytest.mark.parametrize(("text", "expected"), [
    ("1.5", 1.5), (" 2.5 ", 2.5), ("-3e-2", -0.03), ("\u22121.5", -1.5), (".5", 0.5), ("7.", 7.0), ("+4E3", 4000.0),
    ("inf", np.inf), ("Infinity", np.inf), ("\u221e", np.inf), ("-inf", -np.inf), ("+\u221e", np.inf)])
def test_a_typed_number_is_read_as_typed(text: str, expected: float) -> None:
    from spinstack.app.controls import parse_number

    assert parse_number(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("1,5", "'1,5' has a comma: use a point: 1.5"),  # was read as 15
    ("1,500.5", "'1,500.5' has a comma: use a point as the decimal mark and no thousands separator"),
    ("", "empty: type a number"), ("   ", "empty: type a number"),  # was NaN
    ("nan", "not a number: 'nan'"), ("1_000", "not a number: '1_000'"), ("abc", "not a number: 'abc'"),
    ("1.2.3", "not a number: '1.2.3'")])
def test_a_box_that_holds_no_number_says_why(text: str, reason: str) -> None:
    from spinstack.app.controls import parse_number

    with pytest.raises(ValueError) as refused:
        parse_number(text)
    assert str(refused.value) == reason


def test_a_box_shows_twelve_significant_digits() -> None:
    """A number set from Python (a step, a unit change) is shown without binary noise: 2.4 + 0.1 -> 2.5."""
    from spinstack.app.controls import NumberBox, number_text

    assert 2.4 + 0.1 + 1e-15 != 2.5 and number_text(2.4 + 0.1 + 1e-15) == "2.5"
    assert number_text(12.499999999999998) == "12.5" and number_text(np.inf) == "inf"
    box = NumberBox(label="d", value="1")
    box.value = 0.1 + 0.2  # 0.30000000000000004
    assert box._process_param_change({"value": box.value})["value"] == "0.3"
    assert box.number() == 0.1 + 0.2  # the number itself is not rounded


def test_inf_in_an_l_box_is_no_spin_flip_and_refused_where_the_model_refuses_it() -> None:
    explorer = Explorer(preset("seed"))
    explorer.controls.widget("materials.N.l").value = "inf"  # the README: inf is accepted for l
    assert not explorer.alert.visible
    assert float(explorer.stack.materials["N"].l) == np.inf
    expected = spinstack.solve(with_parameter(preset("seed"), "materials.N.l", np.inf)).efficiency().g2
    assert f'id="g2">{float(expected):.8g}<' in explorer.numbers.text
    explorer.controls.widget("layers[1].thickness").value = "\u221e"
    assert explorer.alert.visible and "d of layer 1 (N): " in explorer.alert.object


def test_every_bad_box_is_listed_by_its_label_and_marked() -> None:
    """Three boxes wrong at once (a comma, an emptied box, p = 1): all three are reported, each under the
    label the page shows, and each box is marked; correcting them clears the message and the marks."""
    explorer = Explorer(preset("seed"))
    before = explorer.numbers.text.split("computed")[0]
    boxes = {path: explorer.controls.widget(path) for path in ("layers[1].thickness", "materials.F1.l",
                                                               "materials.F2.p")}
    boxes["layers[1].thickness"].value = "1,5"
    boxes["materials.F1.l"].value = ""
    boxes["materials.F2.p"].value = "1"
    message = explorer.alert.object
    assert explorer.alert.visible
    lines = re.findall("<b>(.*?)</b>", message)  # each in bold, shown literally (docs.plain)
    assert lines == ["d of layer 1 (N): &#x27;1,5&#x27; has a comma: use a point: 1.5",
                     "l of F1: empty: type a number",
                     "p of F2: must lie strictly between -1 and 1, got 1"]
    assert "correct the values to go on" in message
    for path, box in boxes.items():
        assert "ctl-invalid" in box.css_classes, path
    assert "ctl-invalid" not in explorer.controls.widget("layers[0].thickness").css_classes
    assert explorer.numbers.text.split("computed")[0] == before  # the figures keep the last valid stack

    boxes["layers[1].thickness"].value = "1.5"
    boxes["materials.F1.l"].value = "2"
    assert "ctl-invalid" not in boxes["layers[1].thickness"].css_classes
    assert re.findall("<b>(.*?)</b>", explorer.alert.object) == ["p of F2: must lie strictly between -1 and 1, got 1"]
    boxes["materials.F2.p"].value = "0.5"
    assert not explorer.alert.visible
    assert all("ctl-invalid" not in box.css_classes for box in boxes.values())
    assert float(explorer.stack.layers[1].thickness) == 1.5


def test_the_error_floats_over_the_page() -> None:
    """The message is placed out of the page's flow (fixed over the window's corner): it moves no figure."""
    from spinstack.app.explorer import ERROR_STYLES

    explorer = Explorer(preset("seed"))
    assert explorer.alert.styles["position"] == "fixed" == ERROR_STYLES["position"]


def test_every_control_has_a_name_and_the_page_script_applies_it() -> None:
    """Every control widget carries its accessible name (the label shown, with its material on an SI page)
    for the page's script (spinstack.app.controls.ACCESSIBLE_NAMES), and the boxes a help tooltip."""
    from spinstack.app.controls import ACCESSIBLE_NAMES, ARIA_TAG, NumberBox

    explorer = Explorer(spinstack.load_stack(EXAMPLES / "co-cu-py.toml"))
    names = []
    for control in explorer.controls.controls:
        for widget in control.widgets:
            tags = [tag for tag in widget.tags if tag.startswith(ARIA_TAG)]
            assert len(tags) == 1, control.path
            names.append(tags[0][len(ARIA_TAG):])
            if isinstance(widget, NumberBox):
                assert "Docs: <a href=\"/docs/" in widget.description  # a link to the docs
    assert "l of Cu (nm)" in names and "\u03b8 of F\u2082 (layer 2) (deg)" in names and "J" in names
    assert len(set(names)) == len(names)  # no two controls share a name
    assert "aria-label" in ACCESSIBLE_NAMES and "aria-invalid" in ACCESSIBLE_NAMES


def test_the_symbols_of_the_numbers_line_are_explained() -> None:
    """"r", "|T|", g1, g2 were unexplained: each symbol carries its definition and where the docs give it."""
    from spinstack.app.status import EXPLANATIONS

    explorer = Explorer(preset("seed"))
    for key in ("theta", "g", "torque", "resistance"):
        assert f'<abbr title="{html.escape(EXPLANATIONS[key])}"' in explorer.numbers.text, key
    assert "resistance-area product" in EXPLANATIONS["resistance"] and "Docs: docs/MODEL.md" in EXPLANATIONS["torque"]
    in_plane = Explorer(spinstack.load_stack(EXAMPLES / "pt-co-sot.toml"))
    for key in ("sigma", "spin_orbit", "smr"):
        assert f'<abbr title="{html.escape(EXPLANATIONS[key])}"' in in_plane.numbers.text, key


#: normal metals whose names are no CSS words: a space, an underscore, what an escape of a space would give, a
#: hyphen, a non-ASCII letter (each with its own D, so every box is a distinct control)
_ODD_NAMES = ("Cu spacer", "Cu_spacer", "Cu_20_spacer", "Cu-spacer", "Cu\u2082")


def _page_classes(layout: Any) -> set[str]:
    """Every CSS class of every Bokeh model of a Panel page (as the browser gets them)."""
    return {token for model in layout.get_root().references() for token in (getattr(model, "css_classes", None) or [])}


def test_a_material_name_with_a_space_gives_a_page(tmp_path: Path) -> None:
    """``[materials."Cu spacer"]`` solved with ``spinstack solve`` but the explorer showed a blank page: the class
    ``ctl-materials-Cu spacer-D`` holds a space, which the browser refuses (InvalidCharacterError) and Bokeh
    then renders nothing.  Every class of the page (controls, structure card) is a CSS word, distinct names
    give distinct classes, ordinary names keep theirs."""
    import re

    from spinstack.app.explorer import App

    materials = "".join(f'[materials."{name}"]\ntype = "normal"\nD = {2.0 + k}\nl = 10.0\n\n'
                        for k, name in enumerate(_ODD_NAMES))
    layers = "".join(f'[[layers]]\nmaterial = "{name}"\nthickness = 1.0\n\n' for name in _ODD_NAMES[1:])
    path = tmp_path / "odd.toml"
    path.write_text(
        'units = "reduced"\ncurrent = 1.0\n\n[materials.F1]\ntype = "ferromagnet"\nD = 1.0\np = 0.5\nl = 2.0\n\n'
        + materials
        + '[[layers]]\nmaterial = "F1"\nthickness = 1.5\nmagnetization = [0, 0, 1]\n\n'
        + f'[[layers]]\nmaterial = "{_ODD_NAMES[0]}"\nthickness = 2.0\n\n'
        + '[[layers]]\nmaterial = "F1"\nthickness = 1.5\nmagnetization = { theta = 60, phi = 0 }\n\n' + layers,
        encoding="utf-8")
    app = App(spinstack.load_stack(path), "file: odd.toml")
    app.structure.card.collapsed = False  # its listing and choices name the materials
    classes = _page_classes(app.layout)
    assert [token for token in classes if not re.fullmatch(r"[A-Za-z0-9_-]+", token)] == []
    boxes = {name: app.explorer.controls.widget(f"materials.{name}.D") for name in _ODD_NAMES}
    words = {name: next(c for c in box.css_classes if c.startswith("ctl-materials-")) for name, box in boxes.items()}
    assert len(set(words.values())) == len(_ODD_NAMES), words  # distinct names, distinct classes
    assert words["Cu-spacer"] == "ctl-materials-Cu-spacer-D"  # letters, digits and "-" as they are
    assert {"ctl-layers-1-thickness", "ctl-layers-2-magnetization-theta", "ctl-materials-F1-p"} <= classes
    seed = _page_classes(App(preset("seed")).layout)
    assert {"ctl-materials-N-D", "ctl-materials-F2-p", "ctl-layers-2-magnetization-theta"} <= seed


def test_a_material_name_with_a_space_in_a_dynamics_stack_gives_a_page(tmp_path: Path) -> None:
    """The same with the Dynamics tab (its controls, hodographs and legends name the layers' materials)."""
    import re

    from spinstack.app.explorer import App

    text = (EXAMPLES / "dynamics-oscillator.toml").read_text(encoding="utf-8")
    path = tmp_path / "oscillator.toml"
    # the library's Py under another name: its library keys given
    free = '[materials."Py free"]\ntype = "ferromagnet"\nbeta = 0.65\nl_sf = "5.5 nm"'
    path.write_text(text.replace("[materials.Py]", free).replace('material = "Py"', 'material = "Py free"'),
                    encoding="utf-8")
    app = App(spinstack.load_stack(path), "file: oscillator.toml")
    assert "Py free" in app.explorer.stack.materials
    classes = _page_classes(app.layout)
    assert "explorer-tabs" in classes and "ctl-materials-Py_20_free-p" in classes  # the tab is there
    assert [token for token in classes if not re.fullmatch(r"[A-Za-z0-9_-]+", token)] == []


@pytest.mark.parametrize("file, mixing", [("seed-fnf.toml", [0.0, 0.0]), ("co-cu-py.toml", [1.0, 0.0]),
                                          ("co-cu-py.toml", [2.0, 0.0])])
def test_a_g_that_is_zero_to_round_off_is_shown_as_zero_and_as_no_torque(file: str, mixing: list[float]) -> None:
    """F2: G_mix = 0 at F1's face (seed-fnf; exactly no torque on F1) gave g1 = -7.4e-17, shown as a sign in the
    warning colour ("g1 < 0: it pulls F1 towards F2"); co-cu-py with G_mix = 1-2 Ohm^-1 m^-2 (its own is 5e14)
    flipped g1 between -3.6e-15 and +3.6e-15."""
    from spinstack import si
    from spinstack.model import Interface, edit

    stack = spinstack.load_stack(EXAMPLES / file)
    if stack.units == "SI":
        interface = si.interface(1, AR="0.5 fOhm*m^2", gamma=0.0, G_mix=[f"{g} Ohm^-1*m^-2" for g in mixing])
    else:
        interface = Interface.from_valet_fert(1, 0.5, 0.0, mixing)
    stack = edit.set_interface(stack, interface)
    solution = spinstack.solve(stack).reduced
    raw = float(np.real(solution.efficiency().g1))
    assert abs(raw) < 1e-13  # the round-off the page showed (here -7.4e-17, -3.6e-15, +3.6e-15)
    shown = readout(solution)
    assert shown.g1 == 0.0 and shown.g2 == float(np.real(solution.efficiency().g2))  # a real g unchanged
    assert "g1 = 0: it exerts no torque on F1" in shown.status and "g1 <" not in shown.status
    explorer = Explorer(stack)
    assert 'id="g1">0<' in explorer.numbers.text
    assert _STATUS_COLOR[False] in explorer.status.text  # g2 > 0 and g1 = 0: not the colour of a negative g
