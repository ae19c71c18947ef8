"""The dynamics keys of SI stack files (STACK_FORMAT.md "Dynamics", MODEL.md 9): read in SI, kept on the Stack,
and every bad value refused in one line naming the file, the key and the reason (the CLI's exit 2)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import spinstack as ss
from spinstack.io import StackFileError, load_stack
from spinstack.macrospin.spec import GAMMA_ELECTRON, Macrospins
from spinstack.model.dynamics import Dynamics

#: an SI spin valve with every dynamics key (STACK_FORMAT.md's example, made complete)
VALVE = """\
units = "SI"
current = "-1e11 A/m^2"

[materials.Co]
type = "ferromagnet"
rho = "60 nOhm*m"
beta = 0.5
l_sf = "50 nm"

[materials.Cu]
type = "normal"
rho = "5 nOhm*m"
l_sf = "500 nm"

[materials.Py]
type = "ferromagnet"
rho = "150 nOhm*m"
beta = 0.7
l_sf = "5.5 nm"
Ms = "800 kA/m"
alpha = 0.01
K_u = "2 kJ/m^3"
easy_axis = [0, 0, 1]
gamma = "1.7e11 rad/(s*T)"

[[layers]]
material = "Co"
thickness = "8 nm"
magnetization = [0, 0, 1]

[[layers]]
material = "Cu"
thickness = "10 nm"

[[layers]]
material = "Py"
thickness = "3 nm"
magnetization = [0, 0.05, 1]
free = true
demag = [0.9, 0.04, 0.06]

[dynamics]
field = ["0 mT", "1 mT", "5 mT"]
duration = "30 ns"
save_every = "10 ps"
temperature = "300 K"
area = "50 nm * 100 nm"
seed = 7
waveform = [["0 ns", "0 A/m^2"], ["1 ns", "-3e11 A/m^2"], ["3 ns", "-3e11 A/m^2"], ["3.1 ns", "0 A/m^2"]]

[[dynamics.coupling]]
layers = [0, 2]
J = "0.05 mJ/m^2"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dynamics.toml"
    path.write_text(text, encoding="utf-8")
    return path


def changed(old: str, new: str, text: str = VALVE) -> str:
    """``text`` with ``old`` (which must occur once) replaced by ``new``."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


# ------------------------------------------------------------------ a good file
def test_every_key_is_read_in_si(tmp_path: Path) -> None:
    stack = load_stack(write(tmp_path, VALVE))
    py = stack.materials["Py"]
    assert (float(py.Ms), float(py.alpha), float(py.K_u), float(py.gamma)) == (8e5, 0.01, 2e3, 1.7e11)
    np.testing.assert_array_equal(py.easy_axis, [0.0, 0.0, 1.0])
    co = stack.materials["Co"]
    assert co.Ms is co.alpha is co.K_u is co.easy_axis is co.gamma is None
    assert stack.free_indices == (2,)
    assert [layer.free for layer in stack.layers] == [False, False, True]
    np.testing.assert_array_equal(stack.layers[2].demag, [0.9, 0.04, 0.06])
    assert stack.layers[0].demag is None
    dynamics = stack.dynamics
    assert isinstance(dynamics, Dynamics)
    np.testing.assert_allclose(dynamics.field, [0.0, 1e-3, 5e-3], rtol=1e-15)
    assert dynamics.duration == pytest.approx(30e-9, rel=1e-15)
    assert dynamics.save_every == pytest.approx(10e-12, rel=1e-15)
    assert float(dynamics.temperature) == 300.0
    assert float(dynamics.area) == pytest.approx(50e-9 * 100e-9, rel=1e-15)  # "50 nm * 100 nm" -> m^2
    assert dynamics.seed == 7
    times, currents = dynamics.waveform
    np.testing.assert_allclose(times, [0.0, 1e-9, 3e-9, 3.1e-9], rtol=1e-15)
    np.testing.assert_array_equal(currents, [0.0, -3e11, -3e11, 0.0])
    (coupling,) = dynamics.couplings
    assert coupling.layers == (0, 2) and float(coupling.J) == pytest.approx(5e-5, rel=1e-15)
    assert stack.batch_shape == ()


def test_the_transport_of_a_dynamics_file_is_that_of_the_same_file_without_the_keys(tmp_path: Path) -> None:
    """The keys describe the magnet, not the transport: the static solve is the same to the bit."""
    plain = VALVE.split("[dynamics]")[0]
    for key in ("Ms", "alpha", "K_u", "easy_axis", "gamma"):
        plain = re.sub(rf"^{key} = .*\n", "", plain, flags=re.M)
    plain = plain.replace("free = true\n", "").replace("demag = [0.9, 0.04, 0.06]\n", "")
    with_keys = ss.solve(load_stack(write(tmp_path, VALVE)))
    without = ss.solve(load_stack(write(tmp_path, plain)))
    np.testing.assert_array_equal(with_keys.torque, without.torque)
    np.testing.assert_array_equal(with_keys.resistance_area, without.resistance_area)


def test_named_axes_and_defaults(tmp_path: Path) -> None:
    """easy_axis takes the magnetization's forms (names, {theta, phi}); a [dynamics] table may be empty."""
    text = changed("easy_axis = [0, 0, 1]", 'easy_axis = "+y"')
    text = changed("gamma = \"1.7e11 rad/(s*T)\"\n", "", text)
    text = changed(VALVE[VALVE.index("[dynamics]"):], "[dynamics]\n", text)
    stack = load_stack(write(tmp_path, text))
    np.testing.assert_array_equal(stack.materials["Py"].easy_axis, [0.0, 1.0, 0.0])
    assert stack.materials["Py"].gamma is None
    dynamics = stack.dynamics
    np.testing.assert_array_equal(dynamics.field, [0.0, 0.0, 0.0])
    assert dynamics.duration is dynamics.save_every is dynamics.area is dynamics.seed is dynamics.waveform is None
    assert float(dynamics.temperature) == 0.0 and dynamics.couplings == ()
    text = changed('easy_axis = "+y"', "easy_axis = { theta = 90, phi = 90 }", text)
    np.testing.assert_allclose(load_stack(write(tmp_path, text)).materials["Py"].easy_axis, [0, 1, 0], atol=1e-16)


def test_a_library_material_takes_macrospin_constants(tmp_path: Path) -> None:
    """A [materials.Py] table giving only rho and the constants: the library completes the transport keys."""
    text = changed('type = "ferromagnet"\nrho = "150 nOhm*m"\nbeta = 0.7\nl_sf = "5.5 nm"\n', 'rho = "150 nOhm*m"\n')
    py = load_stack(write(tmp_path, text)).materials["Py"]
    assert float(py.Ms) == 8e5 and float(py.alpha) == 0.01 and float(py.p) == 0.65  # the library's beta


def test_from_stack_takes_the_files_keys(tmp_path: Path) -> None:
    stack = load_stack(write(tmp_path, VALVE))
    spins = Macrospins.from_stack(stack)
    assert spins.free == (2,)
    np.testing.assert_array_equal(spins.Ms, [8e5])
    np.testing.assert_array_equal(spins.alpha, [0.01])
    np.testing.assert_array_equal(spins.gamma, [1.7e11])
    np.testing.assert_array_equal(spins.K_u, [2e3])
    np.testing.assert_array_equal(spins.easy_axis, [[0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(spins.demag, [[0.9, 0.04, 0.06]])
    np.testing.assert_array_equal(spins.field, stack.dynamics.field)
    (coupling,) = spins.couplings
    assert (coupling.a, coupling.b, float(coupling.J_ex)) == (0, 2, float(stack.dynamics.couplings[0].J))
    assert spins.current is None  # the waveform drives
    np.testing.assert_array_equal(spins.waveform[0], stack.dynamics.waveform[0])
    np.testing.assert_array_equal(spins.waveform[1], stack.dynamics.waveform[1])
    assert float(spins.current_at(2e-9)) == -3e11
    assert float(spins.current_at(3.05e-9)) == pytest.approx(-1.5e11, rel=1e-9)
    assert float(spins.temperature) == 300.0 and float(spins.area) == float(stack.dynamics.area)
    assert spins.seed == 7
    np.testing.assert_array_equal(spins.thickness, [float(stack.layers[2].thickness)])


def test_from_stack_defaults_and_overrides(tmp_path: Path) -> None:
    """Without gamma, K_u, demag, [dynamics]: |gamma_e|, no anisotropy, the thin film, zero field, the stack's
    own current; overrides win over the file."""
    text = VALVE.split("[dynamics]")[0]
    for line in ('K_u = "2 kJ/m^3"\n', "easy_axis = [0, 0, 1]\n", 'gamma = "1.7e11 rad/(s*T)"\n',
                 "demag = [0.9, 0.04, 0.06]\n"):
        text = changed(line, "", text)
    stack = load_stack(write(tmp_path, text))
    spins = Macrospins.from_stack(stack)
    np.testing.assert_array_equal(spins.gamma, [GAMMA_ELECTRON])
    np.testing.assert_array_equal(spins.K_u, [0.0])
    np.testing.assert_array_equal(spins.easy_axis, [[0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(spins.demag, [[1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(spins.field, [0.0, 0.0, 0.0])
    assert spins.couplings == () and spins.waveform is None
    assert float(spins.current) == pytest.approx(-1e11, rel=1e-15)  # J in A/m^2 from the stack's j0
    assert float(spins.temperature) == 0.0
    overridden = Macrospins.from_stack(stack, alpha=0.05, field=(0.0, 0.0, 0.01), current=2e11)
    np.testing.assert_array_equal(overridden.alpha, [0.05])
    np.testing.assert_array_equal(overridden.field, [0.0, 0.0, 0.01])
    assert float(overridden.current) == 2e11
    np.testing.assert_array_equal(overridden.Ms, [8e5])


def test_from_stack_refuses_reduced_stacks_and_stacks_without_a_free_layer(tmp_path: Path) -> None:
    reduced = load_stack(Path(__file__).resolve().parents[2] / "examples" / "seed-fnf.toml")
    with pytest.raises(ss.StackError, match=r"^units: dynamics needs an SI stack"):
        Macrospins.from_stack(reduced)
    fixed = load_stack(write(tmp_path, changed("free = true\n", "")))
    with pytest.raises(ss.StackError, match=r"^free: the stack has no free layer: mark an F layer free = true"):
        Macrospins.from_stack(fixed)
    # naming a layer whose material has no Ms: said by name, not as a NaN
    with pytest.raises(ss.StackError, match=r"^Ms: missing: give Ms"):
        Macrospins.from_stack(fixed, free=(0,))
    assert Macrospins.from_stack(fixed, free=(0,), Ms=1.4e6, alpha=0.02).free == (0,)


# ------------------------------------------------------------------ bad input: one line, file, key, reason
REDUCED = """\
current = 1.0
[materials.F]
type = "ferromagnet"
D = 1.0
p = 0.5
l = 2.0
[materials.N]
type = "normal"
D = 1.0
l = 3.0
[[layers]]
material = "F"
thickness = 1.0
magnetization = "+z"
[[layers]]
material = "N"
thickness = 1.0
[[layers]]
material = "F"
thickness = 1.0
magnetization = "+x"
"""

BAD = [
    # a reduced file asking for dynamics
    (REDUCED + "[dynamics]\nduration = 1.0\n", "dynamics", "dynamics needs an SI stack"),
    (REDUCED + "free = true\n", "layers[2].free", "dynamics needs an SI stack"),
    (REDUCED + "demag = [1, 0, 0]\n", "layers[2].demag", "dynamics needs an SI stack"),
    (changed("l = 2.0\n", "l = 2.0\nMs = 1.0\n", REDUCED), "materials.F.Ms", "dynamics needs an SI stack"),
    # a free layer without Ms or alpha
    (changed('Ms = "800 kA/m"\n', ""), "materials.Py.Ms", "missing: layers[2] is free and needs it"),
    (changed("alpha = 0.01\n", ""), "materials.Py.alpha", "missing: layers[2] is free and needs it"),
    # the constants' ranges and units
    (changed('Ms = "800 kA/m"', 'Ms = "0 kA/m"'), "materials.Py.Ms", "must be > 0"),
    (changed('Ms = "800 kA/m"', 'Ms = "-800 kA/m"'), "materials.Py.Ms", "must be > 0"),
    (changed('Ms = "800 kA/m"', "Ms = 800000"), "materials.Py.Ms", 'a bare number has no unit: write it with one, e.g. "800000 A/m" (a magnetization)'),
    (changed('Ms = "800 kA/m"', 'Ms = "1 T"'), "materials.Py.Ms", "expected a magnetization"),
    (changed("alpha = 0.01", "alpha = -0.01"), "materials.Py.alpha", "must be >= 0 (Gilbert damping)"),
    # 1e154 overflowed the solve with no key named ("numerical failure while solving (overflow encountered in det)")
    (changed("alpha = 0.01", "alpha = 1e100"), "materials.Py.alpha", "must be at most 1000 (Gilbert damping"),
    (changed("alpha = 0.01", 'alpha = "0.01"'), "materials.Py.alpha", "must be a number"),
    (changed("easy_axis = [0, 0, 1]\n", ""), "materials.Py.easy_axis", "missing: K_u needs the anisotropy axis"),
    (changed("easy_axis = [0, 0, 1]", "easy_axis = [0, 0, 0]"), "materials.Py.easy_axis", "non-zero"),
    (changed("easy_axis = [0, 0, 1]", 'easy_axis = "up"'), "materials.Py.easy_axis", "unknown direction"),
    (changed('gamma = "1.7e11 rad/(s*T)"', 'gamma = "28 GHz/T"'), "materials.Py.gamma", "differs from gamma by 2 pi"),
    (changed('gamma = "1.7e11 rad/(s*T)"', 'gamma = "-1.7e11 rad/(s*T)"'), "materials.Py.gamma", "must be > 0"),
    (changed('K_u = "2 kJ/m^3"', 'K_u = "2 kJ"'), "materials.Py.K_u", "expected an energy density"),
    (changed('l_sf = "500 nm"', 'l_sf = "500 nm"\nMs = "1 kA/m"'), "materials.Cu.Ms", "only a ferromagnet"),
    # layers
    (changed("demag = [0.9, 0.04, 0.06]", "demag = [1.1, -0.04, -0.06]"), "layers[2].demag", "must be non-negative"),
    (changed("demag = [0.9, 0.04, 0.06]", "demag = [0.9, 0.04, 0.04]"), "layers[2].demag", "must sum to 1"),
    (changed("demag = [0.9, 0.04, 0.06]", "demag = [1, 0]"), "layers[2].demag", "must be a 3-vector"),
    (changed('thickness = "10 nm"', 'thickness = "10 nm"\nfree = true'), "layers[1].free", "only a ferromagnet moves"),
    (changed('thickness = "10 nm"', 'thickness = "10 nm"\ndemag = [1, 0, 0]'), "layers[1].demag",
     "only a ferromagnet has demagnetizing factors"),
    (changed("free = true", 'free = "yes"'), "layers[2].free", "must be true or false"),
    (changed("[[layers]]\nmaterial = \"Co\"", '[left]\nkind = "lead"\nmaterial = "Co"\nmagnetization = "+z"\nfree = true\n\n'
             '[[layers]]\nmaterial = "Cu"\nthickness = "5 nm"\n\n[[layers]]\nmaterial = "Co"'),
     "left.free", "a lead cannot be free"),
    # [dynamics]
    (changed('duration = "30 ns"', 'duration = "0 ns"'), "dynamics.duration", "must be > 0"),
    (changed('duration = "30 ns"', 'duration = "-1 ns"'), "dynamics.duration", "must be > 0"),
    (changed('duration = "30 ns"', 'duration = "30 nm"'), "dynamics.duration", "expected a time"),
    (changed('save_every = "10 ps"', 'save_every = "0 ps"'), "dynamics.save_every", "must be > 0"),
    (changed('save_every = "10 ps"', 'save_every = "31 ns"'), "dynamics.save_every", "must be at most the duration"),
    (changed('temperature = "300 K"', 'temperature = "-1 K"'), "dynamics.temperature", "must be >= 0"),
    (changed('temperature = "300 K"', "temperature = 300"), "dynamics.temperature", "a bare number has no unit"),
    (changed('area = "50 nm * 100 nm"\n', ""), "dynamics.area", "missing: a temperature > 0 needs the pillar area"),
    (changed('area = "50 nm * 100 nm"', 'area = "50 nm"'), "dynamics.area", "expected an area"),
    (changed('area = "50 nm * 100 nm"', 'area = "0 nm^2"'), "dynamics.area", "must be > 0"),
    (changed("seed = 7", "seed = -1"), "dynamics.seed", "must be an integer from 0 to 2^63 - 1 = 9223372036854775807, got -1"),
    (changed("seed = 7", "seed = 1.5"), "dynamics.seed", "must be an integer from 0 to 2^63 - 1 = 9223372036854775807, got 1.5"),
    # above what a run's NetCDF file holds (a signed 64-bit attribute): --out x.nc ended in an internal error
    (changed("seed = 7", "seed = 9223372036854775808"), "dynamics.seed", "must be an integer from 0 to 2^63 - 1 = 9223372036854775807, got 9223372036854775808"),
    (changed("seed = 7", "seed = 123456789012345678901234567890"), "dynamics.seed",
     "must be an integer from 0 to 2^63 - 1 = 9223372036854775807, got 123456789012345678901234567890"),
    (changed('field = ["0 mT", "1 mT", "5 mT"]', 'field = ["0 mT", "5 mT"]'), "dynamics.field", "must be a 3-vector"),
    (changed('field = ["0 mT", "1 mT", "5 mT"]', 'field = ["0 mT", "1 A/m", "5 mT"]'), "dynamics.field[1]",
     "expected a magnetic field"),
    (changed('["3 ns", "-3e11 A/m^2"]', '["0.5 ns", "-3e11 A/m^2"]'), "dynamics.waveform[2]",
     "the times must increase strictly"),
    (changed('["3 ns", "-3e11 A/m^2"]', '["1 ns", "-3e11 A/m^2"]'), "dynamics.waveform[2]",
     "the times must increase strictly"),
    (changed('["3 ns", "-3e11 A/m^2"]', '["3 ns"]'), "dynamics.waveform[2]", "must be a pair [time, current density]"),
    (changed('["3 ns", "-3e11 A/m^2"]', '["3 ns", "-3e11 A"]'), "dynamics.waveform[2][1]", "expected a current density"),
    (changed("layers = [0, 2]", "layers = [0, 1]"), "dynamics.coupling[0].layers", "layer 1 is not an F layer"),
    (changed("layers = [0, 2]", "layers = [2, 2]"), "dynamics.coupling[0].layers", "names layer 2 twice"),
    (changed("layers = [0, 2]", "layers = [0, 5]"), "dynamics.coupling[0].layers", "layer 5 does not exist"),
    (changed("layers = [0, 2]", "layers = [0]"), "dynamics.coupling[0].layers", "must be two layer indices"),
    (changed('J = "0.05 mJ/m^2"', 'J = "0.05 mJ"'), "dynamics.coupling[0].J", "expected an energy per area"),
    (changed('J = "0.05 mJ/m^2"\n', ""), "dynamics.coupling[0].J", "missing (exchange energy per area"),
    # the waveform's amplitude: a pure number, finite, only with a waveform (issue 15)
    (changed("seed = 7", 'seed = 7\nwaveform_scale = "2"'), "dynamics.waveform_scale", "must be a number"),
    (changed("seed = 7", "seed = 7\nwaveform_scale = inf"), "dynamics.waveform_scale", "must be finite"),
    (changed("seed = 7", "seed = 7\nwaveform_scale = [1, 2]"), "dynamics.waveform_scale", "must be a single value"),
    (changed("seed = 7", "seed = 7\nwaveform_scale = 1e300"), "dynamics.waveform_scale",
     "scales the waveform's currents beyond the largest drive"),
    (re.sub(r"waveform = .*\n", "waveform_scale = 2\n", VALVE), "dynamics.waveform_scale", "no waveform to scale"),
    # unknown keys (a typo must never be ignored)
    (changed("seed = 7", "sead = 7"), "dynamics.sead", "unknown key (expected one of: field, duration, save_every"),
    (changed('J = "0.05 mJ/m^2"', 'J = "0.05 mJ/m^2"\nK = 1'), "dynamics.coupling[0].K", "unknown key"),
    (changed("alpha = 0.01", "alpah = 0.01"), "materials.Py.alpah", "unknown key"),
    (changed("free = true", "fre = true"), "layers[2].fre", "unknown key"),
]


@pytest.mark.parametrize(("text", "key", "reason"), BAD, ids=[f"{key}:{reason[:30]}" for _, key, reason in BAD])
def test_bad_dynamics_input_is_one_line_naming_file_key_and_reason(tmp_path: Path, text: str, key: str,
                                                                   reason: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(StackFileError) as caught:
        load_stack(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {key}: "), message
    assert reason in message, message


def test_the_cli_exits_2_with_the_same_line(tmp_path: Path) -> None:
    path = write(tmp_path, changed("alpha = 0.01", "alpha = -0.01"))
    result = subprocess.run([sys.executable, "-m", "spinstack", "solve", str(path)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2, result.stderr
    assert f"{path}: materials.Py.alpha: must be >= 0 (Gilbert damping)" in result.stderr
    assert result.stdout == ""


def test_the_dynamics_example_of_docs_stack_format_loads(tmp_path: Path) -> None:
    """The [dynamics] example of docs/STACK_FORMAT.md, after a fixed Co layer and a Cu spacer, loads as written."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "STACK_FORMAT.md").read_text(encoding="utf-8")
    section = text.split("## Dynamics keys")[1]
    example = section.split("```toml\n")[1].split("```")[0]
    parts = VALVE.split("[[layers]]")
    head = VALVE.split("[materials.Py]")[0] + "[[layers]]" + parts[1] + "[[layers]]" + parts[2]  # Co, Cu
    stack = load_stack(write(tmp_path, head + example))
    assert stack.free_indices == (2,) and stack.layers[2].material.name == "Py"
    assert float(stack.materials["Py"].Ms) == 8e5 and float(stack.dynamics.area) == pytest.approx(5e-15, rel=1e-15)
    assert stack.dynamics.couplings[0].layers == (0, 2)
    spins = Macrospins.from_stack(stack)
    assert spins.free == (2,) and float(spins.gamma[0]) == GAMMA_ELECTRON


def test_waveform_scale_multiplies_the_waveforms_currents(tmp_path: Path) -> None:
    """``waveform_scale = 1.5``: Dynamics keeps the waveform as written and the scale; the macrospins' drive is
    the currents times 1.5 (bit for bit the product), the times unchanged; a path sets it as an array (an
    ensemble of amplitudes), and without a scale the path reads 1."""
    from spinstack.model.paths import parameter_value, with_parameter

    plain = load_stack(write(tmp_path, VALVE))
    assert plain.dynamics.waveform_scale is None and float(parameter_value(plain, "dynamics.waveform_scale")) == 1.0
    scaled = load_stack(write(tmp_path, changed("seed = 7", "seed = 7\nwaveform_scale = 1.5")))
    assert float(scaled.dynamics.waveform_scale) == 1.5
    np.testing.assert_array_equal(scaled.dynamics.waveform[1], plain.dynamics.waveform[1])
    times, currents = Macrospins.from_stack(scaled).waveform
    np.testing.assert_array_equal(times, plain.dynamics.waveform[0])
    np.testing.assert_array_equal(currents, plain.dynamics.waveform[1] * 1.5)
    batch = with_parameter(plain, "dynamics.waveform_scale", np.array([0.5, -2.0]))
    assert batch.batch_shape == (2,)
    np.testing.assert_array_equal(Macrospins.from_stack(batch).waveform[1],
                                  plain.dynamics.waveform[1][:, None] * np.array([0.5, -2.0]))


# ------------------------------------------------------------------ plain numbers (issue 15 review, cosmetics)
PULSE = 'waveform = [["1 ns", "0 A/m^2"], ["1.2 ns", "-5e11 A/m^2"], ["4 ns", "-5e11 A/m^2"], ["4.2 ns", "0 A/m^2"]]'


def test_a_waveforms_own_values_come_out_exactly(tmp_path: Path) -> None:
    """The user's pulse (-5e11 A/m^2 from 1.2 to 4 ns) at the 5 ps saved times: J(t) is -5e11 exactly on the flat
    segment and the corners' values at the corners (the old (1 - w) J_k + w J_k+1 gave -500000000000.00006 at
    1.245 ns, ...: that the grid hits such times is checked), linear in between; the JSON's current_range of a run
    is [-5e11, 0.0] exactly."""
    text = changed('waveform = [["0 ns", "0 A/m^2"], ["1 ns", "-3e11 A/m^2"], ["3 ns", "-3e11 A/m^2"], '
                   '["3.1 ns", "0 A/m^2"]]', PULSE)
    spins = Macrospins.from_stack(load_stack(write(tmp_path, text)))
    times = np.arange(0, 1001) * 5e-12
    drive = spins.current_at(times)
    flat = (times >= 1.2e-9) & (times <= 4e-9)
    assert np.all(drive[flat] == -5e11) and np.all(drive[(times <= 1e-9) | (times >= 4.2e-9)] == 0.0)
    np.testing.assert_array_equal(spins.current_at(spins.waveform[0]), [0.0, -5e11, -5e11, 0.0])
    weight = (times[flat] - 1.2e-9) / (4e-9 - 1.2e-9)
    assert np.any((1 - weight) * -5e11 + weight * -5e11 != -5e11)  # the grid meets the old formula's rounding
    ramp = (times > 1e-9) & (times < 1.2e-9)
    np.testing.assert_allclose(drive[ramp], -5e11 * (times[ramp] - 1e-9) / 2e-10, rtol=1e-12)
    from spinstack.io import dynamics_to_dict
    from spinstack.trajectories import dynamics

    short = changed('temperature = "300 K"\n', "", text.replace('duration = "30 ns"', 'duration = "1.3 ns"'))
    run = dynamics(load_stack(write(tmp_path, short)), save_every=5e-12)
    assert dynamics_to_dict(run)["current_range"] == [-5e11, 0.0]
    assert run.current.values.min() == -5e11


def test_the_macrospins_repr_shows_plain_numbers(tmp_path: Path) -> None:
    """No array(...) wrappers, no negative zero (a current of -0.0 shows 0.0), the waveform as (t, J) pairs, the
    stack by its layers."""
    stack = load_stack(write(tmp_path, changed('current = "-1e11 A/m^2"', 'current = "0 A/m^2"')))
    spins = Macrospins.from_stack(stack)
    text = repr(spins)
    assert "array(" not in text and "-0.0" not in text
    assert text.startswith("Macrospins(stack=<Stack SI: Co 8 nm / Cu 10 nm / Py 3 nm>, free=(2,), Ms=[800000.0], ")
    assert "current=None" in text and "waveform=[(0.0, 0.0), (1e-09, -300000000000.0), " in text
    assert "couplings=(Coupling(0, 2, 5e-05),)" in text and "seed=7" in text
    constant = Macrospins(stack, free=2, Ms=8e5, alpha=0.01, current=-0.0, field=(0.0, -0.0, 0.005))
    assert "current=0.0" in repr(constant) and "field=[0.0, 0.0, 0.005]" in repr(constant)
    ensemble = Macrospins(stack, free=2, Ms=8e5, alpha=0.01, current=np.linspace(-1e11, 1e11, 20))
    assert "current=<array (20,): -100000000000.0 to 100000000000.0>" in repr(ensemble)
