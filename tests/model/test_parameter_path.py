"""The one path grammar (model.paths.ParameterPath) and the one quantity/unit registry (units.QUANTITIES).

Every path form is parsed to what it names, its kind, the registry quantity of its numbers, its units in
reduced and SI stacks and its labels; every refusal has one message, the same for reading and setting.
The registry's SI factors are recomputed from scipy.constants, and the units sweeps store, the JSON
writes, texts print and figures draw are checked to be the registry's.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import scipy.constants as sc

import spinstack as ss
from spinstack import si
from spinstack.model.paths import ParameterPath, parameter_value, parse, with_parameter
from spinstack.units import KINDS, QUANTITIES, REPORTS, Q_, energy_unit, format_number

# path -> (owner, parameter, material, index, component, kind, quantity, vector, reduced units, SI units)
FORMS = {
    "current": ("stack", "current", None, None, None, "current", "current", False, "reduced", "A m-2"),
    "theta": ("stack", "theta", None, None, None, "angle_between", "angle", False, "degree", "degree"),
    "field": ("stack", "field", None, None, None, "field", "field", True, "reduced", "J m-1"),  # eps = eE, as held
    "field.y": ("stack", "field", None, None, "y", "field_component", "field", False, "reduced", "V m-1"),
    "field.z": ("stack", "field", None, None, "z", "field_component", "field", False, "reduced", "V m-1"),
    "materials.Co.D": ("material", "D", "Co", None, None, "conductance", "conductivity", False, "reduced",
                       "J-1 s-1 m-1"),
    "materials.Co.D_perp": ("material", "D_perp", "Co", None, None, "conductance", "conductivity", False, "reduced",
                            "J-1 s-1 m-1"),
    "materials.Co.p": ("material", "p", "Co", None, None, "polarisation", "dimensionless", False, "1", "1"),
    "materials.Pt.theta_SH": ("material", "theta_SH", "Pt", None, None, "spin_hall_angle", "dimensionless", False,
                              "1", "1"),
    "materials.Cu.l": ("material", "l", "Cu", None, None, "length", "length", False, "reduced", "m"),
    "materials.Co.l_J": ("material", "l_J", "Co", None, None, "length", "length", False, "reduced", "m"),
    "materials.Co.l_phi": ("material", "l_phi", "Co", None, None, "length", "length", False, "reduced", "m"),
    "layers[1].thickness": ("layer", "thickness", None, 1, None, "length", "length", False, "reduced", "m"),
    "layers[-1].magnetization": ("layer", "magnetization", None, -1, None, "direction", None, True, "reduced",
                                 "SI base units"),
    "layers[2].magnetization.theta": ("layer", "magnetization", None, 2, "theta", "direction_angle", "angle", False,
                                      "degree", "degree"),
    "layers[0].magnetization.phi": ("layer", "magnetization", None, 0, "phi", "direction_angle", "angle", False,
                                    "degree", "degree"),
    "left.magnetization": ("left", "magnetization", None, None, None, "direction", None, True, "reduced",
                           "SI base units"),
    "right.magnetization.phi": ("right", "magnetization", None, None, "phi", "direction_angle", "angle", False,
                                "degree", "degree"),
    "right.g_mix": ("right", "g_mix", None, None, None, "mixing_conductance", "interface_conductance", True,
                    "reduced", "J-1 s-1 m-2"),
    "left.g_mix.real": ("left", "g_mix", None, None, "real", "mixing_component", "interface_conductance", False,
                        "reduced", "J-1 s-1 m-2"),
    "right.g_mix.imag": ("right", "g_mix", None, None, "imag", "mixing_component", "interface_conductance", False,
                         "reduced", "J-1 s-1 m-2"),
    "right.g_s": ("right", "g_s", None, None, None, "spin_sink", "interface_conductance", False, "reduced",
                  "J-1 s-1 m-2"),
}


@pytest.mark.parametrize("text", list(FORMS))
def test_every_form_is_parsed_once_to_what_it_names(text: str) -> None:
    owner, parameter, material, index, component, kind, quantity, vector, reduced, si_units = FORMS[text]
    path = parse(text)
    assert path is parse(text)  # parsed once: the same object every time
    assert (path.text, path.owner, path.parameter, path.material, path.index, path.component) == (
        text, owner, parameter, material, index, component)
    assert (path.kind, path.quantity, path.vector) == (kind, quantity, vector)
    assert path.units("reduced") == reduced and path.units("SI") == si_units
    assert path.units_entry is (None if quantity is None else QUANTITIES[quantity])


def test_units_of_the_numbers_a_stack_holds_and_of_those_a_sweep_takes() -> None:
    """A sweep takes an SI current as J and a field component as E (as the file gives them); the stack holds
    j0 = J/e and eps = eE, whose units are the registry's model units."""
    assert parse("current").given_as_reported and parse("field.y").given_as_reported
    assert not parse("materials.Co.D").given_as_reported and not parse("right.g_s").given_as_reported
    assert parse("current").units("SI", as_swept=False) == QUANTITIES["current"].model_udunits == "m-2 s-1"
    assert parse("field.z").units("SI", as_swept=False) == QUANTITIES["field"].model_udunits == "J m-1"
    assert parse("materials.Co.D").units("SI", as_swept=False) == "J-1 s-1 m-1"


# ---------------------------------------------------------------- labels
STACK = ss.Stack([ss.Layer(ss.Ferromagnet("F1", 1.0, 0.5, 2.0), 1.5, [0, 0, 1]), ss.Layer(ss.Normal("Cu", 3.0, 10.0), 2.0),
                  ss.Layer(ss.Ferromagnet("F2", 1.0, 0.3, 2.0), 1.5, [1, 0, 0])])


@pytest.mark.parametrize(("text", "unit", "si_", "label"), [
    ("theta", "", False, r"angle $\theta$ between $\mathbf{m}_1$ and $\mathbf{m}_2$ (deg)"),
    ("current", "", False, r"current $j_0$"),
    ("current", "A/m$^2$", True, r"current density $J$ (A/m$^2$)"),
    ("materials.F2.p", "", False, r"$p_{\mathrm{F2}}$"),
    ("materials.F2.p", "", True, r"$p_{\mathrm{F2}}$"),
    ("materials.Cu.l", "nm", True, r"$l_{\mathrm{Cu}}$ (nm)"),
    ("materials.Cu.D", "S/m", True, r"$e^2 D_{\mathrm{Cu}}$ (S/m)"),
    ("materials.F1.D_perp", "S/m", True, r"$e^2 D_{\perp,\mathrm{F1}}$ (S/m)"),
    ("materials.F1.l_phi", "", False, r"$l_{\phi,\mathrm{F1}}$"),
    ("materials.Pt_2.theta_SH", "", False, r"$\theta_{\mathrm{SH},\mathrm{Pt\_2}}$"),
    ("layers[1].thickness", "", False, r"thickness $d$ of layer 1 (Cu) (reduced units)"),
    ("layers[-1].thickness", "nm", True, r"thickness $d$ of layer -1 (F2) (nm)"),
    ("layers[2].magnetization.theta", "deg", True, "layers[2].magnetization.theta (deg)"),
])
def test_figure_labels(text: str, unit: str, si_: bool, label: str) -> None:
    assert parse(text).label(unit, si=si_, stack=STACK) == label


@pytest.mark.parametrize(("text", "system", "name"), [
    ("theta", "reduced", "angle theta between m1 and m2"),
    ("current", "SI", "charge current density J (conventional current along +x)"),
    ("current", "reduced", "current j0 (particle flux along +x)"),
    ("field.y", "SI", "in-plane electric field E_y"),
    ("field.z", "reduced", "in-plane field eps_z = e E_z"),
    ("materials.F2.p", "reduced", "polarization p of F2"),
    ("materials.Cu.D", "SI", "conductance D of Cu"),
    ("materials.Cu.l", "SI", "spin diffusion length l of Cu"),
    ("layers[1].thickness", "SI", "thickness of layers[1] (Cu)"),
    ("layers[-1].magnetization.theta", "SI", "polar angle of the magnetization of layers[-1] (F2)"),
    ("right.magnetization.phi", "SI", "azimuth of the magnetization of right"),
    ("left.g_mix.imag", "SI", "imaginary part of the mixing conductance of the left end"),
    ("right.g_s", "SI", "spin-sink conductance g_s of the right end"),
])
def test_long_names(text: str, system: str, name: str) -> None:
    assert parse(text).long_name(system, STACK) == name


# ---------------------------------------------------------------- refusals
UNKNOWN = "unknown parameter path (see spinstack.model.paths for the forms)"


@pytest.mark.parametrize(("text", "reason"), [
    ("foo", UNKNOWN),
    ("current.x", UNKNOWN),
    ("materials", UNKNOWN),
    ("materials.F1", UNKNOWN),
    ("layers[1].colour", UNKNOWN),
    ("layers[x].thickness", UNKNOWN),
    ("layers[0].thickness.x", UNKNOWN),
    ("layers[0].g_mix", UNKNOWN),
    ("left.thickness", UNKNOWN),
    ("left", UNKNOWN),
    ("right.g_s.real", UNKNOWN),
    ("field.x", "x is the film normal: the in-plane field has no x component (field.y or field.z)"),
    ("field.w", "unknown component 'w' of field (expected y or z)"),
    ("left.g_mix.x", "unknown component 'x' of g_mix (expected real or imag)"),
    ("layers[0].magnetization.psi", "unknown parameter (expected magnetization, magnetization.theta or "
                                    "magnetization.phi)"),
])
def test_refusals_of_the_form_are_the_same_for_reading_and_setting(text: str, reason: str) -> None:
    message = "^" + re.escape(f"{text}: {reason}") + "$"
    with pytest.raises(ss.StackError, match=message):
        parse(text)
    with pytest.raises(ss.StackError, match=message):
        parameter_value(STACK, text)
    with pytest.raises(ss.StackError, match=message):
        with_parameter(STACK, text, 1.0)
    lenient = parse(text, strict=False)
    assert (lenient.kind, lenient.quantity, lenient.owner) == ("unknown", None, "unknown")


@pytest.mark.parametrize(("text", "reason"), [
    ("materials.X.D", "no material named 'X' in this stack"),
    ("materials.Cu.p", "unknown parameter (expected one of: D, l, theta_SH)"),
    ("materials.F1.colour", "unknown parameter (expected one of: D, p, l, l_J, l_phi, D_perp, Ms, alpha, K_u, gamma, easy_axis)"),
    ("layers[3].thickness", "no such layer: the stack has 3 layers"),
    ("layers[-4].magnetization.phi", "no such layer: the stack has 3 layers"),
    ("layers[1].magnetization", "not a ferromagnet: it has no magnetization"),
    ("left.magnetization.theta", "the left end is a reservoir: it has no parameters"),
    ("field.y", "this stack has no in-plane field"),
    ("theta", UNKNOWN + "; the angle between m1 and m2 is set by spinstack.analysis.with_angle"),
])
def test_refusals_on_a_stack_are_the_same_for_reading_and_setting(text: str, reason: str) -> None:
    parse(text)  # a well-formed path: the stack refuses it
    message = "^" + re.escape(f"{text}: {reason}") + "$"
    with pytest.raises(ss.StackError, match=message):
        parameter_value(STACK, text)
    with pytest.raises(ss.StackError, match=message):
        with_parameter(STACK, text, 0.5)


def test_open_end_and_lead_refusals() -> None:
    pt = ss.Normal("Pt", 2.0, 1.4, 0.19)
    film = ss.Stack([ss.Layer(pt, 3.0)], left=ss.Open(), right=ss.Lead(pt), current=0.0, field=[0, 1, 0])
    with pytest.raises(ss.StackError, match=r"^left\.g_s: the left end is an open face: it has no parameters$"):
        parameter_value(film, "left.g_s")
    with pytest.raises(ss.StackError, match="^" + re.escape(f"right.g_mix.real: {UNKNOWN}") + "$"):
        with_parameter(film, "right.g_mix.real", 1.0)  # a lead has no mixing conductance
    assert float(parameter_value(film, "field.y")) == 1.0


# ---------------------------------------------------------------- the registry
def test_registry_factors_equal_scipy_constants() -> None:
    """Every SI factor of MODEL.md 7 recomputed from CODATA (scipy.constants): e, hbar."""
    e, hbar = sc.e, sc.hbar
    expected = {"length": 1.0, "accumulation": 1.0 / e, "potential": 1.0 / e, "spin_current": e, "torque": hbar / 2,
                "resistance_area": 1.0 / e**2, "current": -e, "conductivity": e**2, "interface_conductance": e**2,
                "field": -1.0 / e, "sheet_current": -e, "angle": 1.0, "dimensionless": 1.0,
                # dynamics (MODEL.md 9): SI numbers held as they are
                "magnetization": 1.0, "anisotropy": 1.0, "gyromagnetic_ratio": 1.0, "magnetic_field": 1.0,
                "temperature": 1.0, "area": 1.0, "time": 1.0, "exchange": 1.0}
    assert set(expected) == set(QUANTITIES)
    for name, factor in expected.items():
        assert QUANTITIES[name].to_unit == pytest.approx(factor, rel=1e-15), name
    assert si.ELEMENTARY_CHARGE == sc.e and si.ELECTRON_CHARGE == -sc.e
    assert si.HBAR == pytest.approx(sc.hbar, rel=1e-15)


@pytest.mark.parametrize("name", [name for name, entry in QUANTITIES.items() if entry.dimensional])
def test_report_unit_and_base_unit_agree_in_pint(name: str) -> None:
    """to_base / to_unit is the size of one report unit in the SI base unit of the quantity's dimension (1 eV in
    J, ...), and the UDUNITS and mathtext spellings name the same unit as the text one."""
    entry = QUANTITIES[name]
    one = Q_(1.0, entry.unit).to(KINDS[entry.dimension].unit).magnitude
    assert one == pytest.approx(entry.to_base / entry.to_unit, rel=1e-14)
    udunits = re.sub(r"([A-Za-z]+)(-?\d+)", r"\1**\2", entry.udunits).replace(" ", "*")
    assert Q_(1.0, udunits).to(entry.unit).magnitude == pytest.approx(1.0, rel=1e-15)
    if entry.readable is not None:
        shown = entry.readable.text.replace("Ohm", "ohm").replace(" ", "*")
        assert Q_(1.0, entry.unit).to(shown).magnitude == pytest.approx(entry.readable.factor, rel=1e-14)


def test_reports_are_the_dimensioned_registry_entries() -> None:
    assert si.REPORTS is REPORTS and si.report is ss.units.report
    assert set(REPORTS) == {name for name, entry in QUANTITIES.items() if entry.dimensional} - {"potential"}
    for name, entry in REPORTS.items():
        assert float(si.report(2.0, name)) == 2.0 * entry.to_unit
        assert float(si.to_reduced(si.from_reduced(3.0, name), name)) == pytest.approx(3.0, rel=1e-15)
    with pytest.raises(KeyError, match="unknown kind 'angle'"):
        si.report(1.0, "angle")


@pytest.mark.parametrize(("value", "digits", "notation", "text"), [
    (123456.0, 6, "general", "123456"), (-0.0, 6, "general", "0"), (1e-7, 6, "general", "1e-07"),
    (math.nan, 6, "general", "nan"), (0.5, 3, "short", "0.5"), (123456.0, 3, "short", "1.23e+05"),
    (-2.5e-5, 3, "short", "-2.50e-05"), (0.0, 3, "short", "0"), (1e11, 3, "tex", r"1.00\times10^{11}"),
    (-0.0, 3, "tex", "0"), (12.5, 3, "tex", "12.5"), (math.inf, 3, "tex", "inf"),
])
def test_one_number_formatter(value: float, digits: int, notation: str, text: str) -> None:
    assert format_number(value, digits, notation=notation) == text


def test_energy_units_by_magnitude() -> None:
    assert [energy_unit(v)[0] for v in (2.0, 1.0, 0.999, 5e-6, 1e-9, 1e-12)] == ["eV", "eV", "meV", "ueV", "neV",
                                                                               "neV"]


# ---------------------------------------------------------------- sweeps, JSON, texts and figures use it
def _si_valve() -> ss.Stack:
    Co = si.ferromagnet("Co", rho="60 nOhm*m", beta=0.46, l_sf="60 nm")
    Cu = si.normal("Cu", rho="5 nOhm*m", l_sf="450 nm")
    return si.stack([si.layer(Co, "4 nm", [0, 0, 1]), si.layer(Cu, "10 nm"), si.layer(Co, "4 nm", [1, 0, 0])],
                    current_density="1e11 A/m^2")


def test_sweep_json_text_and_figure_units_come_from_the_registry() -> None:
    from spinstack._sweep.variables import CATALOGUE, axis_long_name, axis_units
    from spinstack.io.jsonout import solution_to_dict
    from spinstack.io.signreport import _scale
    from spinstack.io.summary import format_summary
    from spinstack.plot.style import path_label
    from spinstack.plot.units import FigureUnits, parameter_scale, stored_scale

    stack = _si_valve()
    for name in ("torque", "accumulation", "tau_DL", "resistance_area"):
        assert CATALOGUE[name].units("SI") == QUANTITIES[CATALOGUE[name].si_kind].udunits
    for text in FORMS:
        if text not in ("theta",) and not parse(text).vector:
            assert axis_units(text, "SI") == parse(text).units("SI")
    assert axis_long_name("layers[1].thickness", stack) == parse("layers[1].thickness").long_name("SI", stack)

    solution = ss.solve(stack)
    data = solution_to_dict(solution)
    torque = solution.reduced.torque[2] * QUANTITIES["torque"].to_unit
    np.testing.assert_array_equal(data["layers"][2]["torque"], torque + 0.0)
    assert data["current"] == float(stack.current * QUANTITIES["current"].to_unit)
    assert _scale("current", "SI").unit == QUANTITIES["current"].unit
    assert _scale("materials.Co.D", "SI").factor == QUANTITIES["conductivity"].to_unit
    assert _scale("layers[1].thickness", "SI", text=True).unit == QUANTITIES["length"].shown_text == "nm"
    assert f"RA_P = 0.539776 {QUANTITIES['resistance_area'].shown_text}" in format_summary(solution, "valve")

    figure = FigureUnits("SI")
    torque_scale = figure.scale("torque", solution.reduced.torque)
    assert torque_scale.base == QUANTITIES["torque"].tex
    stored = stored_scale(QUANTITIES["torque"].udunits, solution.reduced.torque * QUANTITIES["torque"].to_unit)
    assert stored.unit == torque_scale.unit  # a sweep's stored torque is drawn in the unit a profile uses
    assert stored_scale(parse("materials.Co.D").units("SI"), [1e44]).base == QUANTITIES["conductivity"].tex
    scale = parameter_scale("layers[1].thickness", "SI")
    assert scale.factor == QUANTITIES["length"].shown_factor and scale.unit == QUANTITIES["length"].shown_tex
    assert path_label("layers[1].thickness", stack) == parse("layers[1].thickness").label("nm", si=True, stack=stack)
