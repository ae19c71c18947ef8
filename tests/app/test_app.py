"""The explorer without a browser: presets, the page built from each, controls and updates in Python."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pytest

import spinstack
from spinstack.app import PRESETS, preset
from spinstack.app.status import readout
from spinstack.model.paths import parameter_value, with_parameter

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pn = pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app import build_app  # noqa: E402
from spinstack.app.explorer import Explorer  # noqa: E402


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
    assert "reversed current" in reversed_ and "pulls F2 towards F1" in reversed_


def test_a_control_change_re_solves_and_an_invalid_value_is_reported_inline() -> None:
    explorer = Explorer(preset("seed"))
    explorer.controls.widget("layers[2].magnetization").value = 30.0
    expected = spinstack.solve(with_parameter(preset("seed"), "layers[2].magnetization.theta", 30.0)).efficiency().g2
    assert f'id="g2">{float(expected):.8g}<' in explorer.numbers.text
    before = explorer.numbers.text

    explorer.controls.widget("layers[1].thickness").value = 0.0
    assert explorer.alert.visible
    assert "layers[1].thickness: must be &gt; 0, got 0.0" in explorer.alert.object
    assert explorer.numbers.text == before  # the last valid state stays on show

    explorer.controls.widget("layers[1].thickness").value = 2.0
    assert not explorer.alert.visible
    explorer.controls.widget("materials.F2.p").value = 1.0
    assert "materials.F2.p: must lie strictly between -1 and 1" in explorer.alert.object
    explorer.controls.widget("materials.F2.p").value = 0.5
    assert not explorer.alert.visible
    assert explorer.numbers.text.split("computed")[0] == before.split("computed")[0]


def test_current_sign_toggle() -> None:
    explorer = Explorer(preset("seed"))
    explorer.controls.current.value = "\u2212"
    assert "reversed current" in explorer.status.text
    assert float(explorer.stack.current) == -1.0


def test_batches_are_refused() -> None:
    stack = with_parameter(preset("seed"), "layers[1].thickness", np.array([1.0, 2.0]))
    with pytest.raises(spinstack.SpinstackError, match="single configuration"):
        build_app(stack)


def test_in_plane_stacks_are_refused_with_a_message() -> None:
    with pytest.raises(spinstack.SpinstackError, match="in-plane drives"):
        build_app(spinstack.load_stack(EXAMPLES / "pt-co-sot.toml"))


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
    assert explorer.controls.widget("layers[1].thickness").value == pytest.approx(10.0, rel=1e-12)  # Cu 10 nm
    assert explorer.controls.widget("materials.Cu.l").value == pytest.approx(1e9 * float(stack.materials["Cu"].l))
    # e^2 D shown in 10^k S/m: for Cu (normal) that is 1/rho
    shown = explorer.controls.widget("materials.Cu.D").value
    factor = explorer.display.parameter("materials.Cu.D").factor
    assert shown / factor == pytest.approx(float(stack.materials["Cu"].D), rel=1e-11)
    assert factor == pytest.approx(si.ELECTRON_CHARGE**2 / 10.0 ** explorer.display.parameter("materials.Cu.D").power)
    solution = spinstack.solve(stack)
    # torque per area (hbar/2) |deposited spin current| in J/m^2, shown in units of 10^power J/m^2
    joules = si.HBAR / 2 * np.linalg.norm(solution.torque[2])
    power = explorer.display.torque.power
    assert f"F2: {joules / 10.0**power:.4g}" in explorer.numbers.text
    assert "J/m\u00b2" in explorer.numbers.text and "f\u03a9 m\u00b2" in explorer.numbers.text
    r = float(solution.resistance_area) * si.REPORTS["resistance_area"].to_unit * 1e15
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
    explorer.controls.widget("layers[1].thickness").value = -1.0
    assert explorer.alert.visible and "layers[1].thickness: must be &gt; 0" in explorer.alert.object


def test_a_reduced_stack_is_shown_as_it_is() -> None:
    explorer = Explorer(preset("seed"))
    assert not explorer.display.si and explorer.display.torque.factor == 1.0
    assert explorer.profiles.figures[-1].xaxis.axis_label == "position x (reduced units)"
    assert explorer.controls.widget("layers[1].thickness").value == float(preset("seed").layers[1].thickness)
