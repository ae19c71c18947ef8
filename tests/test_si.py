"""SI input and output (MODEL.md 7): quantities with units, conversions, SI files against Python and reduced numbers."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.constants as scipy_constants
from click.testing import CliRunner

import spinstack as ss
from spinstack import analysis, si
from spinstack.cli import main
from spinstack.io import format_summary, load_stack, solution_to_dict
from spinstack.units import Q_, registry, to_si

FAKE_LIBRARY = Path(__file__).with_name("data") / "fake_library.toml"
e = -1.602176634e-19  # MODEL.md 7: the electron's charge
hbar = 6.62607015e-34 / (2 * math.pi)

SI_FILE = """
units = "SI"
current = "1e11 A/m^2"

[materials.SiF]
type = "ferromagnet"
rho = "60 nOhm*m"
beta = 0.46
l_sf = "60 nm"

[materials.SiN]
type = "normal"
rho = "5 nOhm*m"
l_sf = "450 nm"

[[layers]]
material = "SiF"
thickness = "4 nm"
magnetization = [0, 0, 1]

[[layers]]
material = "SiN"
thickness = "10 nm"

[[layers]]
material = "SiF"
thickness = "4 nm"
magnetization = { theta = 60, phi = 0 }
"""

INTERFACE = """
[[interfaces]]
node = 1
AR = "0.5 fOhm*m^2"
gamma = 0.7
G_mix = ["0.55e15 Ohm^-1*m^-2", "0.01e15 Ohm^-1*m^-2"]
delta = 0.2
"""


def write(tmp_path: Path, text: str, name: str = "stack.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def python_stack(interfaces: bool = False) -> ss.Stack:
    """SI_FILE (+ INTERFACE) built with spinstack.si."""
    F = si.ferromagnet("SiF", rho="60 nOhm*m", beta=0.46, l_sf="60 nm")
    N = si.normal("SiN", rho="5 nOhm*m", l_sf="450 nm")
    contacts = [si.interface(1, AR="0.5 fOhm*m^2", gamma=0.7,
                             G_mix=["0.55e15 Ohm^-1*m^-2", "0.01e15 Ohm^-1*m^-2"], delta=0.2)] if interfaces else []
    return si.stack([si.layer(F, "4 nm", [0, 0, 1]), si.layer(N, "10 nm"), si.layer(F, "4 nm", {"theta": 60, "phi": 0})],
                    current_density="1e11 A/m^2", interfaces=contacts)


# ------------------------------------------------------------------ quantities (spinstack.units)
@pytest.mark.parametrize("text", ["50 nOhm*m", "5 uOhm*cm", "5 µΩ·cm", "5 μΩ cm", "5 microohm*cm", "50 nohm m",
                                  "5e-8 Ohm*m", "5e-8 ohm*m", "5e-8 Ω·m"])
def test_spellings_of_a_resistivity(text):
    assert to_si(text, "resistivity", "rho") == pytest.approx(5e-8, rel=1e-14)


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("4 nm", "length", 4e-9), ("40 Å", "length", 4e-9), ("0.004 um", "length", 4e-9),
    ("0.5 fOhm*m^2", "area_resistance", 5e-16), ("0.5 fΩ m²", "area_resistance", 5e-16),
    ("0.55e15 Ohm^-1*m^-2", "area_conductance", 0.55e15), ("5.5e14 S/m^2", "area_conductance", 5.5e14),
    ("1e11 A/m^2", "current_density", 1e11), ("1e7 A/cm^2", "current_density", 1e11),
    ("2e8 S/m", "conductivity", 2e8), ("46 %", "dimensionless", 0.46), ("4.2 K", "temperature", 4.2),
])
def test_quantities_in_si_base_units(text, kind, value):
    assert to_si(text, kind, "x") == pytest.approx(value, rel=1e-14)


def test_plain_numbers_are_si_base_units_and_quantities_are_accepted():
    assert to_si(4e-9, "length", "d") == 4e-9
    assert to_si(Q_(4, "nm"), "length", "d") == pytest.approx(4e-9)
    np.testing.assert_allclose(to_si(Q_(np.array([1.0, 2.0]), "nm"), "length", "d"), [1e-9, 2e-9])
    np.testing.assert_allclose(to_si(np.array([1e-9, 2e-9]), "length", "d"), [1e-9, 2e-9])
    assert to_si("inf", "length", "l_sf", allow_inf=True) == math.inf
    assert registry() is registry()


def test_quantities_of_another_pint_registry_are_accepted():
    import pint

    other = pint.UnitRegistry()
    assert to_si(other.Quantity(4, "nm"), "length", "d") == pytest.approx(4e-9)


@pytest.mark.parametrize(("value", "message"), [
    ("4 nm", 'rho: expected a resistivity (e.g. "60 nOhm*m"), got "4 nm" (dimension [length])'),
    ("60 nOhmm", 'rho: expected a resistivity (e.g. "60 nOhm*m"), got "60 nOhmm": unknown unit "nOhmm"'),
    ("abc", 'rho: expected a resistivity (e.g. "60 nOhm*m"), got "abc": unknown unit "abc"'),
    ("-60 nOhm*m", 'rho: must be > 0, got "-60 nOhm*m"'),
    ("nan nOhm*m", 'rho: must be a number, got "nan nOhm*m"'),
    ("inf nOhm*m", 'rho: must be finite, got "inf nOhm*m"'),
    (True, 'rho: expected a resistivity (e.g. "60 nOhm*m"), got true'),
    (None, 'rho: expected a resistivity (e.g. "60 nOhm*m"), got None'),
])
def test_bad_quantities_name_key_and_value(value, message):
    with pytest.raises(ss.StackError) as caught:
        to_si(value, "resistivity", "rho", sign="positive")
    assert str(caught.value) == message


def test_bad_element_of_a_batch_is_located():
    with pytest.raises(ss.StackError, match=r"^thickness: must be > 0, got -2e-09 m at index \(1,\)$"):
        si.layer(si.normal("N", 5e-9, 1e-6), Q_(np.array([1.0, -2.0]), "nm"))


# ------------------------------------------------------------------ conversions (MODEL.md 7)
def test_normal_metal_D_is_one_over_e2_rho():
    N = si.normal("Cu", rho="5 nOhm*m", l_sf="450 nm")
    assert float(N.D) == pytest.approx(1 / (e**2 * 5e-9), rel=1e-14)
    assert float(N.l) == pytest.approx(450e-9)
    assert float(si.normal("Cu", conductivity="2e8 S/m", l_sf="inf").D) == pytest.approx(float(N.D), rel=1e-14)
    assert si.normal("Cu", rho=5e-9).l == math.inf


def test_ferromagnet_D_is_valet_fert_rho_star_and_sigma_is_the_measured_rho():
    F = si.ferromagnet("Co", rho="60 nOhm*m", beta=0.46, l_sf="60 nm")
    rho_star = 60e-9 / (1 - 0.46**2)
    assert float(F.D) == pytest.approx(1 / (e**2 * rho_star), rel=1e-14)  # MODEL.md 7: D = 1/(e^2 rho*)
    assert float(F.p) == 0.46  # p = beta
    # MODEL.md 1: sigma_F = D/(1 - p^2) must be the measured conductivity 1/(e^2 rho_F)
    assert float(F.conductivity) == pytest.approx(1 / (e**2 * 60e-9), rel=1e-14)


def test_current_density_gives_j0_over_the_negative_electron_charge():
    stack = si.stack([si.layer(si.normal("N", 5e-9, 1e-6), "1 nm")], current_density="1e11 A/m^2")
    assert stack.units == "SI"
    assert float(stack.current) == pytest.approx(1e11 / e, rel=1e-15)
    assert float(stack.current) < 0  # conventional current +x: electrons flow along -x


def test_interface_conductances_are_si_conductances_over_e2():
    contact = si.interface(3, AR="0.5 fOhm*m^2", gamma=0.7, G_mix=["0.55e15 Ohm^-1*m^-2", "-0.01e15 Ohm^-1*m^-2"],
                           delta=0.2)
    AR = 0.5e-15
    assert float(contact.g_up) == pytest.approx(1 / (2 * AR * (1 - 0.7)) / e**2, rel=1e-14)  # MODEL.md 3b
    assert float(contact.g_dn) == pytest.approx(1 / (2 * AR * (1 + 0.7)) / e**2, rel=1e-14)
    np.testing.assert_allclose(contact.g_mix, np.array([0.55e15, -0.01e15]) / e**2, rtol=1e-14)
    assert float(contact.delta) == 0.2 and contact.node == 3
    plain = si.interface(3, AR=0.5e-15)
    assert float(plain.gamma) == pytest.approx(0.0) and plain.g_mix is None


@pytest.mark.parametrize(("kwargs", "path", "reason"), [
    ({"AR": "-1 fOhm*m^2"}, "AR", 'must be >= 0, got "-1 fOhm*m^2"'),
    ({"AR": "1 fOhm"}, "AR", "expected a resistance-area product"),
    ({}, "AR", "missing"),
    ({"AR": 1e-15, "gamma": 1.0}, "gamma", "must lie strictly between -1 and 1, got 1.0"),
    ({"AR": 1e-15, "G_mix": "1e15 S/m^2"}, "G_mix", "must be a pair [Re, Im]"),
    ({"AR": 1e-15, "G_mix": ["-1e15 S/m^2", 0.0]}, "G_mix[0]", 'must be >= 0, got "-1e15 S/m^2"'),
    ({"AR": 1e-15, "G_mix": np.array([-1e15, 0.0])}, "G_mix[0]", "must be >= 0"),
    ({"AR": 1e-15, "delta": -0.5}, "delta", "must be >= 0, got -0.5"),
])
def test_bad_interfaces_in_python(kwargs, path, reason):
    with pytest.raises(ss.StackError) as caught:
        si.interface(1, **kwargs)
    assert caught.value.path == path and reason in caught.value.reason


def test_builders_take_batches():
    thickness = Q_(np.linspace(1, 10, 5), "nm")
    F = si.ferromagnet("F", rho="60 nOhm*m", beta=np.array([0.2, 0.4, 0.6, 0.7, 0.8]), l_sf="60 nm")
    N = si.normal("N", rho=np.full(5, 5e-9), l_sf="450 nm")
    stack = si.stack([si.layer(F, "4 nm", [0, 0, 1]), si.layer(N, thickness), si.layer(F, "4 nm", [1, 0, 0])],
                     current_density=np.full(5, 1e11))
    assert stack.batch_shape == (5,)
    mixing = si.mixing_conductance([np.array([1e15, 2e15]), "0 S/m^2"], "G_mix")
    assert mixing.shape == (2, 2)
    assert ss.solve(stack).accumulation.shape == (5, 4, 3)


@pytest.mark.parametrize("kind", sorted(si.REPORTS))
def test_to_reduced_inverts_from_reduced(kind):
    values = np.array([1.5e-3, -2.0, 7.0e22])
    quantity = si.from_reduced(values, kind)
    assert quantity.units == registry().Unit(si.REPORTS[kind].unit)
    np.testing.assert_allclose(si.to_reduced(quantity, kind), values, rtol=1e-14)
    np.testing.assert_allclose(si.to_reduced(str(quantity[0]), kind), values[0], rtol=1e-12)


def test_report_units_follow_model_section_7():
    assert si.from_reduced(-e * 1e-6, "accumulation").to("ueV").magnitude == pytest.approx(1.0)  # mu [J] -> eV
    assert si.from_reduced(1.0, "spin_current").m_as("A/m^2") == pytest.approx(-e)  # |e| j_s
    assert si.from_reduced(2.0, "torque").m_as("J/m^2") == pytest.approx(hbar)  # (hbar/2) x spin current
    assert si.from_reduced(e**2, "resistance_area").m_as("ohm*m^2") == pytest.approx(1.0)  # r / e^2
    assert si.from_reduced(1e11 / e, "current").m_as("A/m^2") == pytest.approx(1e11)  # J = e j0
    assert si.to_reduced("1 ueV", "accumulation") == pytest.approx(-e * 1e-6)
    with pytest.raises(KeyError, match="unknown kind"):
        si.from_reduced(1.0, "mu")


# ------------------------------------------------------------------ SI stacks solve like reduced ones
def test_si_stack_and_the_same_numbers_in_reduced_units_give_identical_solutions():
    stack = python_stack(interfaces=True)
    reduced = ss.Stack(stack.layers, left=stack.left, right=stack.right, current=stack.current,
                       interfaces=stack.interfaces, units="reduced")
    a, b = ss.solve(stack).reduced, ss.solve(reduced)  # the SI stack's model numbers
    np.testing.assert_array_equal(a.accumulation, b.accumulation)
    np.testing.assert_array_equal(a.torque, b.torque)
    np.testing.assert_array_equal(a.resistance_area, b.resistance_area)


def test_si_stack_agrees_with_a_rescaled_reduced_stack():
    """Lengths in nm, D in 1/(e^2 nOhm m), j0 in units of 1e11 A/m^2 / e: the model has no constants (MODEL.md 7)."""
    D0 = 1 / (e**2 * 1e-9)  # D of a 1 nOhm*m metal
    j0 = 1e11 / e
    F = ss.Ferromagnet("F", D=(1 - 0.46**2) / 60, p=0.46, l=60.0)
    N = ss.Normal("N", D=1 / 5, l=450.0)
    reduced = ss.Stack([ss.Layer(F, 4.0, [0, 0, 1]), ss.Layer(N, 10.0), ss.Layer(F, 4.0, ss.polar(60))], current=1.0)
    a, b = ss.solve(python_stack()).reduced, ss.solve(reduced)  # the SI stack's model numbers
    mu_scale = j0 * 1e-9 / D0  # mu = j0 l / D
    np.testing.assert_allclose(a.accumulation, b.accumulation * mu_scale, rtol=1e-12, atol=1e-12 * abs(mu_scale))
    np.testing.assert_allclose(a.torque, b.torque * j0, rtol=1e-12, atol=1e-12 * abs(j0))
    assert float(a.resistance_area) == pytest.approx(float(b.resistance_area) * 1e-9 / D0, rel=1e-12)
    assert float(a.efficiency().g2) == pytest.approx(float(b.efficiency().g2), rel=1e-12)


def test_ohmic_resistance_area_is_the_sum_of_d_rho():
    """Transparent interfaces: RA - spin part = sum of d rho (rho_F as measured, not rho*)."""
    solution = ss.solve(python_stack())
    ohmic = solution.resistance_area - solution.spin_resistance_area  # Ohm m^2 (an SI stack reports SI)
    assert float(ohmic) == pytest.approx(2 * 4e-9 * 60e-9 + 10e-9 * 5e-9, rel=1e-12)


def test_f_n_contact_spin_resistance_is_valet_fert():
    """A single F/N contact of leads: RA_spin = beta^2 rho*_F l_F rho_N l_N / (rho*_F l_F + rho_N l_N)
    (from seed eq. 8 with MODEL.md 4; the Valet-Fert spin-coupled interface resistance)."""
    beta, rho_F, l_F, rho_N, l_N = 0.46, 60e-9, 60e-9, 5e-9, 450e-9
    F = si.ferromagnet("F", rho=rho_F, beta=beta, l_sf=l_F)
    N = si.normal("N", rho=rho_N, l_sf=l_N)
    solution = ss.solve(si.stack([], left=si.lead(F, [0, 0, 1]), right=si.lead(N), current_density="1e9 A/m^2"))
    rho_star = rho_F / (1 - beta**2)
    expected = beta**2 * rho_star * l_F * rho_N * l_N / (rho_star * l_F + rho_N * l_N)
    assert float(solution.spin_resistance_area) == pytest.approx(expected, rel=1e-12)  # Ohm m^2


# ------------------------------------------------------------------ SI files
def test_si_file_equals_python_builders_bit_for_bit(tmp_path):
    from_file = load_stack(write(tmp_path, SI_FILE + INTERFACE))
    built = python_stack(interfaces=True)
    assert from_file.units == "SI"
    for a, b in zip(from_file.layers, built.layers):
        assert (float(a.material.D), float(a.material.l), float(a.thickness)) == (float(b.material.D),
                                                                                   float(b.material.l), float(b.thickness))
    assert float(from_file.current) == float(built.current)
    (i,), (j,) = from_file.interfaces, built.interfaces
    assert (float(i.g_up), float(i.g_dn), float(i.delta)) == (float(j.g_up), float(j.g_dn), float(j.delta))
    np.testing.assert_array_equal(i.g_mix, j.g_mix)
    np.testing.assert_array_equal(ss.solve(from_file).accumulation, ss.solve(built).accumulation)


def test_si_file_and_reduced_file_with_the_converted_numbers_agree(tmp_path):
    """SI -> reduced round trip through files: write the SI stack's numbers as a reduced file."""
    stack = load_stack(write(tmp_path, SI_FILE + INTERFACE))
    F, N = stack.layers[0].material, stack.layers[1].material
    i, = stack.interfaces
    reduced = f"""
current = {float(stack.current)!r}
[materials.SiF]
type = "ferromagnet"
D = {float(F.D)!r}
p = {float(F.p)!r}
l = {float(F.l)!r}
[materials.SiN]
type = "normal"
D = {float(N.D)!r}
l = {float(N.l)!r}
[[layers]]
material = "SiF"
thickness = {float(stack.layers[0].thickness)!r}
magnetization = [0, 0, 1]
[[layers]]
material = "SiN"
thickness = {float(stack.layers[1].thickness)!r}
[[layers]]
material = "SiF"
thickness = {float(stack.layers[2].thickness)!r}
magnetization = {{ theta = 60, phi = 0 }}
[[interfaces]]
node = 1
g_up = {float(i.g_up)!r}
g_dn = {float(i.g_dn)!r}
g_mix = [{float(i.g_mix[0])!r}, {float(i.g_mix[1])!r}]
delta = {float(i.delta)!r}
"""
    other = load_stack(write(tmp_path, reduced, "reduced.toml"))
    assert other.units == "reduced"
    si_json, reduced_json = solution_to_dict(ss.solve(stack)), solution_to_dict(ss.solve(other))
    assert si_json["units"] == "SI" and reduced_json["units"] == "reduced"
    assert si_json["efficiency"] == reduced_json["efficiency"]
    for k, (a, b) in enumerate(zip(si_json["nodes"], reduced_json["nodes"])):
        assert a["x"] == b["x"]
        np.testing.assert_allclose(a["mu_s"], np.array(b["mu_s"]) / -e, rtol=1e-15)
        np.testing.assert_allclose(a["mu_s_right"], np.array(b["mu_s_right"]) / -e, rtol=1e-15)
    for a, b in zip(si_json["layers"], reduced_json["layers"]):
        np.testing.assert_allclose(a["spin_current_left"], np.array(b["spin_current_left"]) * -e, rtol=1e-15)
        if b["torque"] is not None:
            np.testing.assert_allclose(a["torque"], np.array(b["torque"]) * hbar / 2, rtol=1e-15)
    assert si_json["current"] == pytest.approx(1e11, rel=1e-15)
    assert si_json["resistance_area"]["total"] == pytest.approx(reduced_json["resistance_area"]["total"] / e**2,
                                                                rel=1e-15)


@pytest.mark.parametrize(("quantity", "bare", "path", "unit"), [
    ('"60 nOhm*m"', "6e-8", "materials.SiF.rho", '"6e-08 nOhm*m" or, in SI base units, "6e-08 ohm*m"'),
    ('"4 nm"', "4", "layers[0].thickness", '"4 nm" or, in SI base units, "4 m"'),
    ('"1e11 A/m^2"', "1e11", "current", '"1e+11 A/m^2" (a current density)'),
    ('"450 nm"', "4.5e-7", "materials.SiN.l_sf", '"4.5e-07 nm" or, in SI base units, "4.5e-07 m"'),
])
def test_bare_numbers_in_an_si_file_are_refused_with_their_unit(tmp_path, quantity, bare, path, unit):
    """A bare number used to be read in SI base units: thickness = 3 (meant in nm) made a 3 m layer."""
    assert SI_FILE.count(quantity) >= 1
    with pytest.raises(ss.StackError, match=r"^\S+: " + re.escape(f"{path}: a bare number has no unit: write it "
                                                                     f"with one, e.g. {unit}")):
        load_stack(write(tmp_path, SI_FILE.replace(quantity, bare, 1)))


def test_python_si_numbers_stay_si_base_units():
    """spinstack.si keeps taking plain numbers in SI base units, as it documents."""
    material = si.normal("Cu", rho=5e-9, l_sf=4.5e-7)
    assert float(material.D) == float(si.normal("Cu", rho="5 nOhm*m", l_sf="450 nm").D)
    assert float(si.layer(material, 4e-9).thickness) == float(si.layer(material, "4 nm").thickness) == 4e-9


def test_conductivity_and_infinite_l_sf_in_a_file(tmp_path):
    text = SI_FILE.replace('rho = "5 nOhm*m"\nl_sf = "450 nm"', 'conductivity = "2e8 S/m"\nl_sf = "inf"')
    material = load_stack(write(tmp_path, text)).layers[1].material
    assert float(material.D) == pytest.approx(1 / (e**2 * 5e-9), rel=1e-14)
    assert material.l == math.inf


def test_si_json_and_summary(tmp_path):
    path = write(tmp_path, SI_FILE)
    solution = ss.solve(load_stack(path))
    data = solution_to_dict(solution)
    assert data["units"] == "SI"
    assert data["current"] == pytest.approx(1e11)
    assert data["nodes"][1]["x"] == pytest.approx(4e-9)
    assert data["layers"][1]["x"] == pytest.approx([4e-9, 14e-9])
    assert max(abs(c) for node in data["nodes"] for c in node["mu_s"]) == pytest.approx(
        np.abs(solution.reduced.accumulation).max() / -e)
    text = format_summary(solution, "si.toml")
    lines = text.splitlines()
    assert lines[0] == ("si.toml: units SI, current density J = 1e+11 A/m^2 (conventional current along +x; "
                        "electrons flow along -x: j0 = J/e)")
    assert "x (nm)" in text and "thickness (nm)" in text and "torque [x, y, z] (J/m^2)" in text
    assert "mu_s [x, y, z] (ueV)" in text  # a few ueV at 1e11 A/m^2
    RA = float(solution.reduced.resistance_area) / e**2 * 1e15
    assert f"  total RA = {RA:.6g} fOhm m^2" in lines
    layer_rows = text.split("\n\n")[1].splitlines()
    assert layer_rows[3].split()[3:6] == ["4", "..", "14"]


def test_reduced_summary_has_no_units(tmp_path):
    text = format_summary(ss.solve(load_stack(Path(__file__).parents[1] / "examples" / "seed-fnf.toml")), "s.toml")
    assert "(nm)" not in text and "fOhm" not in text and "eV" not in text


def test_solve_si_file_on_the_command_line(tmp_path):
    path = write(tmp_path, SI_FILE + INTERFACE)
    runner = CliRunner()
    result = runner.invoke(main, ["solve", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["units"] == "SI"
    assert data["nodes"][1]["mu_s"] != data["nodes"][1]["mu_s_right"]  # a resistive interface splits node 1
    result = runner.invoke(main, ["solve", str(path)])
    assert result.exit_code == 0
    assert "resistive interfaces (MODEL.md 3b)" in result.stdout
    assert "AR* (fOhm m^2)" in result.stdout


# ------------------------------------------------------------------ the library in SI files and Python
LIBRARY_FILE = """
units = "SI"
current = "1e11 A/m^2"

[[layers]]
material = "TestCo"
thickness = "4 nm"
magnetization = [0, 0, 1]

[[layers]]
material = "TestCu"
thickness = "10 nm"

[[layers]]
material = "TestCo"
thickness = "4 nm"
magnetization = [1, 0, 0]
"""


def test_library_materials_by_name(tmp_path):
    stack = load_stack(write(tmp_path, LIBRARY_FILE), library=FAKE_LIBRARY)
    co, cu = stack.layers[0].material, stack.layers[1].material
    assert co is stack.layers[2].material  # one material per name
    assert isinstance(co, ss.Ferromagnet) and isinstance(cu, ss.Normal)
    reference = si.ferromagnet("TestCo", rho="60 nOhm*m", beta=0.46, l_sf="60 nm")
    assert (float(co.D), float(co.p), float(co.l)) == (float(reference.D), float(reference.p), float(reference.l))
    assert float(cu.D) == pytest.approx(1 / (e**2 * 5e-9), rel=1e-14) and cu.l == math.inf


def test_library_material_overridden_key_by_key(tmp_path):
    text = LIBRARY_FILE + '\n[materials.TestCo]\nl_sf = "40 nm"\n'
    co = load_stack(write(tmp_path, text), library=FAKE_LIBRARY).layers[0].material
    assert float(co.l) == pytest.approx(40e-9)
    assert float(co.p) == 0.46  # the rest from the library
    python = si.material("TestCo", library=FAKE_LIBRARY, l_sf="40 nm")
    assert float(python.D) == float(co.D) and float(python.l) == float(co.l)
    # conductivity in the file replaces the library's rho
    cu = si.material("TestCu", library=FAKE_LIBRARY, rho="10 nOhm*m")
    assert float(cu.D) == pytest.approx(1 / (e**2 * 1e-8), rel=1e-14)


def test_library_interface_pair_with_an_override(tmp_path):
    text = LIBRARY_FILE + '\n[[interfaces]]\nnode = 2\npair = "TestCu/TestCo"\nAR = "1 fOhm*m^2"\n'
    contact, = load_stack(write(tmp_path, text), library=FAKE_LIBRARY).interfaces
    reference = si.interface(2, AR="1 fOhm*m^2", gamma=0.7, G_mix=["0.55e15 Ohm^-1*m^-2", "0.01e15 Ohm^-1*m^-2"],
                             delta=0.1)
    assert (float(contact.g_up), float(contact.g_dn), float(contact.delta)) == (
        float(reference.g_up), float(reference.g_dn), float(reference.delta))
    np.testing.assert_array_equal(contact.g_mix, reference.g_mix)
    python = si.interface(2, pair="TestCo/TestCu", AR="1 fOhm*m^2", library=FAKE_LIBRARY)
    assert float(python.g_up) == float(contact.g_up)


@pytest.mark.parametrize(("text", "path", "reason"), [
    (LIBRARY_FILE.replace('"TestCu"', '"Cux"'), "layers[1].material",
     'undefined material "Cux": no [materials.Cux] table and not in the library (defined: none; '
     "library: TestCo, TestCu)"),
    (LIBRARY_FILE + '\n[materials.TestCo]\nlsf = "40 nm"\n', "materials.TestCo.lsf",
     "unknown key (expected one of: type, rho, conductivity, beta, l_sf, theta_SH, l_J, l_phi, D_perp, Ms, alpha, K_u, easy_axis, gamma)"),
    (LIBRARY_FILE + '\n[materials.TestCo]\nl_sf = "40 kg"\n', "materials.TestCo.l_sf", "expected a length"),
    (LIBRARY_FILE + '\n[materials.Other]\nl_sf = "40 nm"\n', "materials.Other.type",
     'missing ("normal" or "ferromagnet"); "Other" is not a library material that could supply it '
     "(library: TestCo, TestCu)"),
    (LIBRARY_FILE + '\n[[interfaces]]\nnode = 1\npair = "TestCo/Nope"\n', "interfaces[0].pair",
     'unknown library interface "TestCo/Nope" (library pairs: TestCo/TestCu)'),
])
def test_library_errors_in_files(tmp_path, text, path, reason):
    with pytest.raises(ss.StackError) as caught:
        load_stack(write(tmp_path, text), library=FAKE_LIBRARY)
    assert caught.value.path == path
    assert reason in caught.value.reason


def test_a_missing_library_is_reported_where_a_name_needs_it(tmp_path):
    with pytest.raises(ss.StackError) as caught:
        load_stack(write(tmp_path, LIBRARY_FILE), library=tmp_path / "none.toml")
    assert caught.value.path == "layers[0].material"
    assert "the materials library cannot be read" in caught.value.reason
    assert "no such library file" in caught.value.reason
    # a file that defines its materials does not need the library
    assert load_stack(write(tmp_path, SI_FILE, "full.toml"), library=tmp_path / "none.toml").units == "SI"


def test_python_library_errors():
    with pytest.raises(ss.StackError, match=r"materials\.Nope: not in the built-in library \(available: TestCo, TestCu\)"):
        si.material("Nope", library=FAKE_LIBRARY)
    with pytest.raises(ss.StackError, match=r"materials\.TestCo\.lsf: unknown key"):
        si.material("TestCo", library=FAKE_LIBRARY, lsf="1 nm")
    with pytest.raises(ss.StackError, match=r"materials\.TestCu\.beta: not allowed"):
        si.material("TestCu", library=FAKE_LIBRARY, beta=0.2)
    layer = si.layer("TestCo", "2 nm", [0, 0, 1], library=FAKE_LIBRARY)
    assert layer.material.name == "TestCo" and float(layer.thickness) == pytest.approx(2e-9)


def test_a_library_pair_must_join_the_materials_of_its_node(tmp_path):
    """pair = "TestCu/TestCo" names the library's Co/Cu interface: at a node between other materials it is an
    error, not silently applied."""
    other = '\n[materials.Other]\ntype = "ferromagnet"\nrho = "60 nOhm*m"\nbeta = 0.4\nl_sf = "40 nm"\n'
    text = (LIBRARY_FILE.replace('material = "TestCo"', 'material = "Other"', 1) + other
            + '\n[[interfaces]]\nnode = 1\npair = "TestCu/TestCo"\n')
    with pytest.raises(ss.StackError, match=r'interfaces\[0\]\.pair: the library interface "TestCu/TestCo" does '
                                            r"not join the materials at node 1 \(Other \| TestCu\)"):
        load_stack(write(tmp_path, text), library=FAKE_LIBRARY)


def test_the_examples_of_docs_stack_format_load(tmp_path):
    """Both TOML examples of docs/STACK_FORMAT.md parse (the SI one with fake library names)."""
    text = (Path(__file__).parents[1] / "docs" / "STACK_FORMAT.md").read_text(encoding="utf-8")
    blocks = text.split("```toml\n")[1:]
    reduced, in_si = (block.split("```")[0] for block in blocks[:2])
    # the example's last F1 layer (theta = 60) touches its F1 lead (m = +x): not collinear, which the
    # model refuses (MODEL.md 1); turn the lead with the layer
    reduced = reduced.replace("magnetization = [1, 0, 0] ", "magnetization = { theta = 60 }")
    stack = load_stack(write(tmp_path, reduced, "reduced.toml"))
    assert stack.units == "reduced" and len(stack.interfaces) == 1
    in_si = in_si.replace('"Py"', '"TestCo"').replace('"Cu/Py"', '"TestCu/TestCo"').replace(
        "[materials.Cu]", "[materials.TestCu]").replace('material = "Cu"', 'material = "TestCu"')
    stack = load_stack(write(tmp_path, in_si, "si.toml"), library=FAKE_LIBRARY)
    assert stack.units == "SI" and [i.node for i in stack.interfaces] == [1, 2]
    assert float(stack.interfaces[1].gamma) == pytest.approx(0.6)
    assert np.isfinite(ss.solve(stack).accumulation).all()


# ------------------------------------------------------------------ one number per quantity (issue 13, item 3)
EXAMPLES = Path(__file__).parents[1] / "examples"
# MODEL.md 7's report factors, from scipy.constants (independent of spinstack.si)
_HBAR, _E = scipy_constants.hbar, scipy_constants.e
TO_SI = {"length": 1.0, "accumulation": 1 / _E, "spin_current": _E, "torque": _HBAR / 2,
         "resistance_area": 1 / _E**2, "current": -_E, "sheet_current": -_E}


def cli_json(path: Path) -> dict:
    result = CliRunner().invoke(main, ["solve", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_an_si_solution_reports_what_the_cli_json_and_a_sweep_report():
    """Co/Cu/Py with resistive interfaces: every dimensional output of the Python solution is the
    CLI's --json number (bit for bit: one conversion, si.REPORTS), the sweep's, and the model number
    times MODEL.md 7's factor."""
    path = EXAMPLES / "co-cu-py.toml"
    stack = load_stack(path)
    solution, model = ss.solve(stack), ss.solve(stack).reduced
    data = cli_json(path)
    assert model.reduced is model and solution.reduced is not solution
    # the model numbers are those of the same stack read as reduced numbers
    twin = ss.solve(dataclasses.replace(stack, units="reduced"))
    np.testing.assert_array_equal(model.torque, twin.torque)
    assert twin.reduced is twin

    def same(public, json_value, reduced, kind):
        np.testing.assert_array_equal(public, np.asarray(json_value, dtype=float))
        np.testing.assert_allclose(public, reduced * TO_SI[kind], rtol=1e-14, atol=0)

    same(solution.current, data["current"], model.current, "current")
    assert float(solution.current) == pytest.approx(1e11, rel=1e-15)  # the file's J
    same(solution.node_positions, [node["x"] for node in data["nodes"]], model.node_positions, "length")
    same(solution.accumulation, [node["mu_s"] for node in data["nodes"]], model.accumulation, "accumulation")
    same(solution.accumulation_right, [node["mu_s_right"] for node in data["nodes"]], model.accumulation_right,
         "accumulation")
    same(solution.spin_current_left, [layer["spin_current_left"] for layer in data["layers"]],
         model.spin_current_left, "spin_current")
    same(solution.spin_current_right, [layer["spin_current_right"] for layer in data["layers"]],
         model.spin_current_right, "spin_current")
    for i in stack.ferromagnet_indices:
        same(solution.torque[i], data["layers"][i]["torque"], model.torque[i], "torque")
    same(solution.resistance_area, data["resistance_area"]["total"], model.resistance_area, "resistance_area")
    same(solution.spin_resistance_area, data["resistance_area"]["spin"], model.spin_resistance_area,
         "resistance_area")
    assert solution.torque[2, 2] == pytest.approx(-6.85885e-6, rel=1e-5)  # J/m^2, not 1e29 particle fluxes
    # magnetoresistance: analysis in SI like the solution, the JSON's numbers
    mr, mr_model = analysis.magnetoresistance(stack), analysis.magnetoresistance(stack, reduced=True)
    same(mr.parallel, data["magnetoresistance"]["parallel"], mr_model.parallel, "resistance_area")
    same(mr.antiparallel, data["magnetoresistance"]["antiparallel"], mr_model.antiparallel, "resistance_area")
    assert float(mr.ratio) == data["magnetoresistance"]["gmr"]
    np.testing.assert_array_equal(analysis.resistance_curve(stack, 0.0), mr.parallel)
    # the rest of the outputs, against the model numbers
    x = np.linspace(-5e-9, 27e-9, 33)
    for name, kind in (("spin_accumulation", "accumulation"), ("spin_current", "spin_current"),
                       ("electrochemical_potential", "accumulation")):
        np.testing.assert_allclose(getattr(solution, name)(x), getattr(model, name)(x) * TO_SI[kind], rtol=1e-14)
    for name in ("deposit", "spin_flip_loss", "spin_current_in", "spin_current_out"):
        np.testing.assert_allclose(getattr(solution, name), getattr(model, name) * TO_SI["spin_current"], rtol=1e-14)
    for side in zip(solution.interface_currents(1), model.interface_currents(1)):
        np.testing.assert_allclose(side[0], side[1] * TO_SI["spin_current"], rtol=1e-14)
    assert float(solution.efficiency().g2) == float(model.efficiency().g2) == data["efficiency"]["g2"]
    # the sweep of the stack's own spacer thickness: the same numbers (a batched solve: to round-off)
    ds = ss.sweep(stack, {"layers[1].thickness": [float(stack.layers[1].thickness)]}, progress=False)
    np.testing.assert_allclose(ds.torque.values[0], solution.torque, rtol=1e-12, atol=1e-12 * np.abs(solution.torque).max())
    np.testing.assert_allclose(ds.accumulation.values[0], solution.accumulation, rtol=1e-12,
                               atol=1e-12 * np.abs(solution.accumulation).max())
    np.testing.assert_allclose(ds.resistance_area.values[0], solution.resistance_area, rtol=1e-12)
    # and the text summary prints them
    text = CliRunner().invoke(main, ["solve", str(path)]).stdout
    assert f"{float(np.linalg.norm(solution.torque[2])):.6g}" in text
    assert f"total RA = {float(solution.resistance_area) * 1e15:.6g} fOhm m^2" in text


SI_HM_ON_INSULATOR = """
units = "SI"
current = "0 A/m^2"
field = [0, "2e4 V/m", 0]
[materials.HM]
type = "normal"
rho = "200 nOhm*m"
l_sf = "1.4 nm"
theta_SH = 0.1
[left]
kind = "open"
[[layers]]
material = "HM"
thickness = "3 nm"
[right]
kind = "insulator"
magnetization = [0.6, 0.8, 0]
G_mix = ["5e14 Ohm^-1*m^-2", "1e13 Ohm^-1*m^-2"]
"""


@pytest.mark.parametrize("name", ["ta-cofeb-sot", "w-cofeb-sot", "hm-on-insulator"])
def test_an_si_spin_orbit_solution_reports_what_the_cli_json_and_a_sweep_report(name, tmp_path):
    """tau_DL, tau_FL (J/m^2), the SMR's dI and I0 (A/m) and the insulator's torque, as JSON and sweeps give them."""
    path = EXAMPLES / f"{name}.toml" if (EXAMPLES / f"{name}.toml").exists() else write(tmp_path, SI_HM_ON_INSULATOR)
    stack = load_stack(path)
    solution = ss.solve(stack)
    model = solution.reduced
    data = cli_json(path)["in_plane"]
    damping, field_like = solution.spin_orbit_torque
    for entry in data["spin_orbit_torque"]:
        i = entry["layer"]
        assert (damping[i], field_like[i]) == (entry["tau_DL"], entry["tau_FL"])
        np.testing.assert_allclose([damping[i], field_like[i]],
                                   np.array([model.spin_orbit_torque[0][i], model.spin_orbit_torque[1][i]]) * _HBAR / 2,
                                   rtol=1e-14)
    smr = solution.smr
    np.testing.assert_array_equal(smr.change, data["smr"]["dI"])
    np.testing.assert_array_equal(smr.total, data["smr"]["I0"])
    np.testing.assert_allclose(smr.total, model.smr.total * TO_SI["sheet_current"], rtol=1e-14)
    assert (float(smr.longitudinal), float(smr.transverse)) == (data["smr"]["long"], data["smr"]["trans"])
    assert float(smr.longitudinal) == float(model.smr.longitudinal)
    assert stack.units == "SI" and (stack.ferromagnet_indices or solution.torque_ends)
    for side, torque in solution.torque_ends.items():
        np.testing.assert_array_equal(torque, data["torque_ends"][side])
        np.testing.assert_allclose(torque, model.torque_ends[side] * _HBAR / 2, rtol=1e-14)
    if stack.ferromagnet_indices:  # a sweep of the heavy metal's own thickness
        ds = ss.sweep(stack, {"layers[0].thickness": [float(stack.layers[0].thickness)]}, progress=False)
        np.testing.assert_allclose(ds.tau_DL.values[0], damping, rtol=1e-12, atol=1e-12 * np.abs(damping).max())
        # torque_thickness in SI: the solution's tau_DL at the stack's own thickness, and limit 4 converted alike
        curve = analysis.torque_thickness(stack, [float(stack.layers[0].thickness)])
        in_model = analysis.torque_thickness(stack, [float(stack.layers[0].thickness)], reduced=True)
        index = stack.ferromagnet_indices[0]
        np.testing.assert_allclose(curve.damping_like[0], damping[index], rtol=1e-12)
        np.testing.assert_allclose(curve.damping_like, in_model.damping_like * _HBAR / 2, rtol=1e-14)
        assert curve.closed_form is not None  # transparent HM/F with an open outer face: MODEL.md 8g limit 4
        np.testing.assert_allclose(curve.closed_form, in_model.closed_form * _HBAR / 2, rtol=1e-14)


def test_si_ring_forces_and_hodograph_take_the_stack_and_report_si():
    stack = load_stack(EXAMPLES / "co-cu-py.toml")
    solution = ss.solve(stack)
    forces, model = analysis.ring_forces(stack), analysis.ring_forces(solution.reduced)
    np.testing.assert_array_equal(forces.position, analysis.ring_forces(solution).position)
    np.testing.assert_allclose(forces.position, model.position * TO_SI["accumulation"], rtol=1e-14)
    for name in ("driving_left", "driving_right", "cord_left", "cord_right", "rail_reaction", "spring_load"):
        np.testing.assert_allclose(getattr(forces, name), getattr(model, name) * TO_SI["spin_current"], rtol=1e-14)
    np.testing.assert_allclose(forces.total, 0.0, atol=1e-12 * np.abs(forces.driving_left).max())
    fold, fold_model = analysis.hodograph(stack, 9), analysis.hodograph(solution.reduced, 9)
    np.testing.assert_allclose(fold.accumulation, fold_model.accumulation * TO_SI["accumulation"], rtol=1e-14)
    np.testing.assert_allclose(fold.spin_current, fold_model.spin_current * TO_SI["spin_current"], rtol=1e-14)
    np.testing.assert_array_equal(fold.rotation, fold_model.rotation)
    np.testing.assert_allclose(fold.accumulation[:, 0], solution.accumulation_right[:-1], rtol=1e-12)  # left faces


# ------------------------------------------------------------------ dynamics keys (MODEL.md 9) through spinstack.si
def _same(built: object, loaded: object, where: str) -> None:
    """Every field of two model objects (dataclasses, tuples, arrays, numbers, names) equal to the last bit."""
    if dataclasses.is_dataclass(built) and not isinstance(built, type):
        assert type(built) is type(loaded), where
        for field in dataclasses.fields(built):
            _same(getattr(built, field.name), getattr(loaded, field.name), f"{where}.{field.name}")
    elif isinstance(built, (tuple, list)):
        assert isinstance(loaded, (tuple, list)) and len(built) == len(loaded), where
        for index, (a, b) in enumerate(zip(built, loaded)):
            _same(a, b, f"{where}[{index}]")
    elif built is None or isinstance(built, (str, bool)):
        assert built == loaded and type(built) is type(loaded), f"{where}: {built!r} != {loaded!r}"
    else:
        assert np.shape(built) == np.shape(loaded), where
        np.testing.assert_array_equal(np.asarray(built), np.asarray(loaded), err_msg=where)


def _same_right_hand_side(built: ss.Stack, loaded: ss.Stack) -> None:
    """Macrospins.from_stack of both: every field, and dm/dt at a few times and directions, to the last bit."""
    from spinstack.macrospin import Macrospins
    from spinstack.macrospin.equation import RightHandSide

    spins = Macrospins.from_stack(built), Macrospins.from_stack(loaded)
    _same(*spins, "macrospins")
    rng = np.random.default_rng(15)
    m = rng.normal(size=(4, len(spins[0].free), 3))
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    for t in (0.0, 5.5e-10, 1.3e-9, 2.65e-9, 5e-9):  # before, on the ramp, on and after the plateau of a pulse
        first, second = (RightHandSide(each)(t, m) for each in spins)
        assert np.all(np.isfinite(first)) and np.any(first != 0)
        np.testing.assert_array_equal(first, second, err_msg=f"dm/dt at t = {t}")


def test_si_builds_the_dynamics_switching_example_as_its_file_does():
    """examples/dynamics-switching.toml written with spinstack.si: the same stack in every field (materials' Ms,
    alpha, K_u, easy_axis, gamma; layers' free and demag; [dynamics]), the same macrospins and dm/dt."""
    loaded = load_stack(EXAMPLES / "dynamics-switching.toml")
    co = si.ferromagnet("Co", rho="60 nOhm*m", beta=0.5, l_sf="50 nm")
    cu = si.normal("Cu", rho="5 nOhm*m", l_sf="500 nm")
    py = si.material("Py", rho="150 nOhm*m", Ms="800 kA/m", alpha=0.01, K_u="10 kJ/m^3", easy_axis=[0, 0, 1])
    g_mix = ["5e14 Ohm^-1*m^-2", "0 Ohm^-1*m^-2"]
    built = si.stack(
        [si.layer(co, "8 nm", [0, 0, 1]), si.layer(cu, "10 nm"), si.layer(py, "3 nm", [0, 0.05, 1], free=True)],
        si.lead(cu), si.lead(cu), current_density="2e12 A/m^2",
        interfaces=[si.interface(0, AR="0.5 fOhm*m^2", gamma=0.75, G_mix=g_mix),
                    si.interface(1, AR="0.5 fOhm*m^2", gamma=0.75, G_mix=g_mix),
                    si.interface(2, pair="Py/Cu", G_mix=g_mix), si.interface(3, pair="Py/Cu", G_mix=g_mix)],
        dynamics=si.dynamics(field=["0 mT", "0 mT", "0 mT"], duration="10 ns", save_every="5 ps",
                             waveform=[("0.5 ns", "0 A/m^2"), ("0.6 ns", "2e12 A/m^2"), ("2.6 ns", "2e12 A/m^2"),
                                       ("2.7 ns", "0 A/m^2")]))
    _same(built, loaded, "stack")
    assert built.free_indices == loaded.free_indices == (2,)
    assert built.materials["Py"].Ms == 8e5 and built.materials["Py"].gamma is None
    assert built.dynamics.duration == 1e-8 and built.layers[2].demag is None
    _same_right_hand_side(built, loaded)
    # the keywords of si.dynamics as a mapping: the same settings
    again = si.stack(built.layers, si.lead(cu), si.lead(cu), current_density="2e12 A/m^2",
                     interfaces=built.interfaces, dynamics={"duration": "10 ns", "save_every": "5 ps", "waveform": [
                         ("0.5 ns", "0 A/m^2"), ("0.6 ns", "2e12 A/m^2"), ("2.6 ns", "2e12 A/m^2"),
                         ("2.7 ns", "0 A/m^2")]})
    _same(again, loaded, "stack")


EVERY_DYNAMICS_KEY = """
units = "SI"
current = "-3e11 A/m^2"

[materials.Co]
type = "ferromagnet"
rho = "60 nOhm*m"
beta = 0.5
l_sf = "50 nm"
Ms = "1.4 MA/m"
alpha = 0.005
gamma = "1.8e11 rad/(s*T)"

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
easy_axis = {theta = 80, phi = 30}

[[layers]]
material = "Co"
thickness = "6 nm"
magnetization = "+z"
free = true
demag = [0.9, 0.04, 0.06]

[[layers]]
material = "Cu"
thickness = "4 nm"

[[layers]]
material = "Py"
thickness = "3 nm"
magnetization = [0, 0.05, 1]
free = true
demag = [1, 0, 0]

[dynamics]
field = ["1 mT", "-2 mT", "5 mT"]
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


def test_si_takes_every_dynamics_key_as_a_file_does(tmp_path):
    """Every dynamics key of STACK_FORMAT.md (gamma, demag, two free layers, temperature, area, seed, a field in
    every direction, a coupling), written with spinstack.si in units and as plain SI numbers: the file's stack."""
    loaded = load_stack(write(tmp_path, EVERY_DYNAMICS_KEY))
    co = si.ferromagnet("Co", rho="60 nOhm*m", beta=0.5, l_sf="50 nm", Ms="1.4 MA/m", alpha=0.005,
                        gamma="1.8e11 rad/(s*T)")
    cu = si.normal("Cu", rho="5 nOhm*m", l_sf="500 nm")
    py = si.ferromagnet("Py", rho="150 nOhm*m", beta=0.7, l_sf="5.5 nm", Ms="800 kA/m", alpha=0.01,
                        K_u="2 kJ/m^3", easy_axis={"theta": 80, "phi": 30})
    layers = [si.layer(co, "6 nm", "+z", free=True, demag=[0.9, 0.04, 0.06]), si.layer(cu, "4 nm"),
              si.layer(py, "3 nm", [0, 0.05, 1], free=True, demag=[1, 0, 0])]
    waveform = [("0 ns", "0 A/m^2"), ("1 ns", "-3e11 A/m^2"), ("3 ns", "-3e11 A/m^2"), ("3.1 ns", "0 A/m^2")]
    built = si.stack(layers, current_density="-3e11 A/m^2", dynamics=si.dynamics(
        field=["1 mT", "-2 mT", "5 mT"], duration="30 ns", save_every="10 ps", temperature="300 K",
        area="50 nm * 100 nm", seed=7, waveform=waveform, couplings=[si.coupling((0, 2), "0.05 mJ/m^2")]))
    _same(built, loaded, "stack")
    assert built.free_indices == (0, 2)
    _same_right_hand_side(built, loaded)
    # numbers in SI base units and pint Quantities mean the same (up to pint's own rounding of prefixes)
    plain = si.stack(
        [si.layer(si.ferromagnet("Co", rho=60e-9, beta=0.5, l_sf=50e-9, Ms=1.4e6, alpha=0.005, gamma=1.8e11),
                  6e-9, "+z", free=True, demag=np.array([0.9, 0.04, 0.06])),
         si.layer(si.normal("Cu", rho=5e-9, l_sf=500e-9), 4e-9),
         si.layer(si.ferromagnet("Py", rho=150e-9, beta=0.7, l_sf=5.5e-9, Ms=Q_(800, "kA/m"), alpha=0.01,
                                 K_u=2e3, easy_axis={"theta": 80, "phi": 30}),
                  3e-9, [0, 0.05, 1], free=True, demag=[1, 0, 0])],
        current_density=-3e11, dynamics={"field": np.array([1e-3, -2e-3, 5e-3]), "duration": 3e-8,
                                         "save_every": 1e-11, "temperature": 300, "area": 5e-15, "seed": 7,
                                         "waveform": [(0, 0), (1e-9, -3e11), (3e-9, -3e11), (3.1e-9, 0)],
                                         "couplings": [((0, 2), 5e-5)]})
    for name in ("Ms", "alpha", "K_u", "easy_axis", "gamma"):
        for material in ("Co", "Py"):
            value = getattr(loaded.materials[material], name)
            if value is not None:
                np.testing.assert_allclose(getattr(plain.materials[material], name), value, rtol=1e-15,
                                           err_msg=f"{material}.{name}")
    for index in (0, 2):
        np.testing.assert_array_equal(plain.layers[index].demag, loaded.layers[index].demag)
        assert plain.layers[index].free
    for name in ("field", "duration", "save_every", "temperature", "area"):
        np.testing.assert_allclose(getattr(plain.dynamics, name), getattr(loaded.dynamics, name), rtol=1e-15,
                                   atol=1e-18, err_msg=name)
    np.testing.assert_allclose(plain.dynamics.waveform[0], loaded.dynamics.waveform[0], rtol=1e-15)
    np.testing.assert_array_equal(plain.dynamics.waveform[1], loaded.dynamics.waveform[1])
    assert plain.dynamics.seed == 7 and plain.dynamics.couplings[0].layers == (0, 2)
    np.testing.assert_allclose(plain.dynamics.couplings[0].J, 5e-5, rtol=1e-15)


@pytest.mark.parametrize(("build", "path", "reason"), [
    (lambda: si.ferromagnet("Py", rho="150 nOhm*m", beta=0.7, Ms="800 kA/m", alpha=0.01, gamma="28 GHz/T"),
     "materials.Py.gamma", "write the gyromagnetic ratio in rad/(s*T)"),
    (lambda: si.ferromagnet("Py", rho="150 nOhm*m", beta=0.7, Ms=Q_(1, "T"), alpha=0.01),
     "materials.Py.Ms", "expected a magnetization"),
    (lambda: si.ferromagnet("Py", rho="150 nOhm*m", beta=0.7, Ms="-800 kA/m"), "materials.Py.Ms", "> 0"),
    (lambda: si.ferromagnet("Py", rho="150 nOhm*m", beta=0.7, alpha=-0.1), "materials.Py.alpha", ">= 0"),
    (lambda: si.ferromagnet("Py", rho="150 nOhm*m", beta=0.7, K_u="2 kJ/m^3"), "materials.Py.easy_axis",
     "missing: K_u needs the anisotropy axis"),
    (lambda: si.material("Cu", rho="5 nOhm*m", Ms="800 kA/m"), "materials.Cu.Ms",
     "only a ferromagnet has macrospin constants"),
    (lambda: si.material("Py", rho="150 nOhm*m", Mss=1), "materials.Py.Mss", "K_u, easy_axis, gamma)"),
    (lambda: si.layer(si.normal("Cu", rho="5 nOhm*m"), "4 nm", free=True), "free", "only a ferromagnet moves"),
    (lambda: si.layer(si.ferromagnet("Co", rho="60 nOhm*m", beta=0.5), "4 nm", "+z", demag=[1, 1, 0]), "demag",
     "must sum to 1"),
    (lambda: si.dynamics(field=["5 mT", 0]), "dynamics.field", "must be the applied field"),
    (lambda: si.dynamics(field=["5 mT", "1 A/m^2", 0]), "dynamics.field[1]", "expected a magnetic field"),
    (lambda: si.dynamics(duration="10 nm"), "dynamics.duration", "expected a time"),
    (lambda: si.dynamics(temperature="300 K"), "dynamics.area", "missing: a temperature > 0 needs"),
    (lambda: si.dynamics(waveform=[("1 ns", "0 A/m^2"), ("0.5 ns", "1 A/m^2")]), "dynamics.waveform[1]",
     "the times must increase strictly"),
    (lambda: si.dynamics(waveform=[("1 ns", "1 T")]), "dynamics.waveform[0][1]", "expected a current density"),
    (lambda: si.dynamics(couplings=[((0, 2), "1 J/m^3")]), "dynamics.coupling[0].J", "expected an energy per area"),
    (lambda: si.dynamics(couplings=[((0,), "1 mJ/m^2")]), "dynamics.coupling[0].layers", "two layer indices"),
])
def test_si_dynamics_errors_name_the_files_key(build, path, reason):
    with pytest.raises(ss.StackError) as caught:
        build()
    assert caught.value.path == path, str(caught.value)
    assert reason in caught.value.reason, str(caught.value)
