"""SI stacks in SI, in and out (issue 13, items 1 and 3 of the review).

* Every number the summary, the JSON and the sign report print for every SI example is in readable SI
  units: an SI stack holds converted model numbers (g = G/e^2 ~ 1e52, D = 1/(e^2 rho) ~ 1e46,
  j0 = J/e ~ 1e30, RA e^2 ~ 1e-53), and one printed raw is far outside 1e-30 .. 1e20.  The insulator
  end's G_mix and G_s used to be printed so (``g_mix = [1.94782e+52, 3.89564e+50]``).
* The conductances come back as the file wrote them, and the SI example's printed torque and SMR
  are MODEL.md 8g's closed forms evaluated with the file's SI quantities (an independent check of
  the units, not of the conversion table against itself).
* A refused SI value is quoted as the file wrote it (``AR = "1e-200 fOhm*m^2"`` was refused with
  "got 2.5669699665355696e-253", the converted AR e^2), with the accepted range in the file's unit.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import spinstack as ss
from spinstack.analysis import sign_report
from spinstack.errors import StackError
from spinstack.io import format_sign_report, format_summary, sign_report_to_dict, solution_to_dict
from spinstack.units import to_si

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SI_EXAMPLES = sorted(p for p in EXAMPLES.glob("*.toml") if tomllib.loads(p.read_text()).get("units") == "SI")

HBAR = 6.62607015e-34 / (2 * math.pi)  # J s (exact h, SI 2019)
E = 1.602176634e-19  # C (exact, SI 2019)

# readable SI magnitudes: spin currents ~1e11 A/m^2, G_mix ~1e15 S/m^2, RA ~1e-15 Ohm m^2, mu_s ~1e-6 eV;
# model numbers of an SI stack are 1e28 .. 1e52 (or 1e-53 for RA e^2)
SMALLEST_SHOWN, LARGEST_SHOWN = 1e-30, 1e20
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def numbers_in_text(text: str) -> list[float]:
    return [float(match) for match in _NUMBER.findall(text)]


def numbers_in_json(data: Any) -> list[float]:
    if isinstance(data, bool) or data is None or isinstance(data, str):
        return []
    if isinstance(data, (int, float)):
        return [float(data)]
    items = data.values() if isinstance(data, dict) else data
    return [number for item in items for number in numbers_in_json(item)]


def assert_readable(numbers: list[float], where: str) -> None:
    raw = [n for n in numbers if n != 0 and not SMALLEST_SHOWN <= abs(n) <= LARGEST_SHOWN]
    assert not raw, f"{where}: numbers in internal units: {raw[:5]}"


def test_the_examples_hold_an_si_insulator():
    """The gap that let item 1 through: no SI example had an insulator end."""
    names = [p.name for p in SI_EXAMPLES]
    assert "yig-pt-smr-si.toml" in names and len(names) >= 7
    ends = [tomllib.loads(p.read_text()).get(side, {}).get("kind") for p in SI_EXAMPLES for side in ("left", "right")]
    assert "insulator" in ends


@pytest.mark.parametrize("path", SI_EXAMPLES, ids=lambda p: p.name)
def test_every_printed_number_of_an_si_example_is_in_si_units(path):
    solution = ss.solve(ss.load_stack(path))
    text = format_summary(solution, path.name)
    assert_readable(numbers_in_text(text), f"{path.name} summary")
    data = solution_to_dict(solution)
    assert data["units"] == "SI"
    assert_readable(numbers_in_json(data), f"{path.name} --json")
    if solution.efficiency_problem is None:  # spinstack analyze: two F layers and a CPP current
        report = sign_report(solution.stack, [30.0])
        assert_readable(numbers_in_text(format_sign_report(report, path.name, "SI")), f"{path.name} analyze")
        assert_readable(numbers_in_json(sign_report_to_dict(report, "SI")), f"{path.name} analyze --json")


def _si(value: Any, kind: str = "area_conductance") -> float:
    return float(to_si(value, kind, "test"))


def _shown(value: float) -> str:
    return f"{value + 0.0:.6g}"


@pytest.mark.parametrize("path", SI_EXAMPLES, ids=lambda p: p.name)
def test_conductances_come_back_in_siemens_per_square_metre_as_written(path):
    """Every G_mix and G_s of the file (insulator ends, interfaces) is printed in Ohm^-1 m^-2 with its value."""
    data = tomllib.loads(path.read_text())
    text = format_summary(ss.solve(ss.load_stack(path)), path.name)
    ends = next(line for line in text.splitlines() if line.startswith("ends: "))
    for side in ("left", "right"):
        table = data.get(side, {})
        if table.get("kind") != "insulator":
            continue
        real, imaginary = (_si(v) for v in table["G_mix"])
        sink = _si(table.get("G_s", "0 S/m^2"))
        assert (f"magnetic insulator (m = " in ends and
                f"G_mix = [{_shown(real)}, {_shown(imaginary)}] Ohm^-1 m^-2, G_s = {_shown(sink)} Ohm^-1 m^-2)" in ends), ends
    for interface in data.get("interfaces", []):
        if "G_mix" in interface:
            real, imaginary = (_si(v) for v in interface["G_mix"])
            assert f"[{_shown(real)}, {_shown(imaginary)}]" in text


def test_the_si_insulator_line_quotes_the_file():
    text = format_summary(ss.solve(ss.load_stack(EXAMPLES / "yig-pt-smr-si.toml")), "yig-pt-smr-si.toml")
    assert ("ends: left open (no spin current crosses it), right magnetic insulator (m = [0, 0.707107, 0.707107], "
            "G_mix = [5e+14, 1e+13] Ohm^-1 m^-2, G_s = 1e+12 Ohm^-1 m^-2)") in text.splitlines()


def test_a_reduced_insulator_line_keeps_its_numbers():
    text = format_summary(ss.solve(ss.load_stack(EXAMPLES / "yig-pt-smr.toml")), "yig-pt-smr.toml")
    assert "right magnetic insulator (m = [1, 0, 0], g_mix = [0.7, 0.2], g_s = 0)" in text


def _pt_on_yig() -> dict[str, float]:
    """The SI quantities of examples/yig-pt-smr-si.toml (Pt from the library: l_sf 1.4 nm, theta_SH 0.068)."""
    data = tomllib.loads((EXAMPLES / "yig-pt-smr-si.toml").read_text())
    right = data["right"]
    return {"theta": 0.068, "l": 1.4e-9, "d": _si(data["layers"][0]["thickness"], "length"),
            "sigma": 1.0 / _si(data["materials"]["Pt"]["rho"], "resistivity"),
            "J": _si(data["field"]["current_density"][1], "current_density"),
            "G_r": _si(right["G_mix"][0]), "G_i": _si(right["G_mix"][1])}


def test_the_si_example_torque_is_the_closed_form_in_joules_per_square_metre():
    """MODEL.md 8g limit 5 in SI quantities: tau_DL + i tau_FL = (hbar/2|e|) theta |J| 2 l G~ tanh(d/2l) /
    (sigma + 2 l G~ coth(d/l)), G~ = G_r - i G_i (Chen's sigma + 2 lambda G coth, 8d), m not along sigma_hat.
    The part of mu_s along m (sunk by G_s) exerts no torque."""
    q = _pt_on_yig()
    mixing = q["G_r"] - 1j * q["G_i"]
    l, d = q["l"], q["d"]
    expected = (HBAR / (2 * E) * q["theta"] * abs(q["J"]) * 2 * l * mixing * math.tanh(d / (2 * l))
                / (q["sigma"] + 2 * l * mixing / math.tanh(d / l)))
    data = solution_to_dict(ss.solve(ss.load_stack(EXAMPLES / "yig-pt-smr-si.toml")))
    torque = data["in_plane"]["insulator_spin_orbit_torque"]["right"]
    assert torque["tau_DL"] == pytest.approx(expected.real, rel=1e-12)
    assert torque["tau_FL"] == pytest.approx(expected.imag, rel=1e-10)


def test_the_si_example_smr_without_sink_is_chens_form():
    """MODEL.md 8g limit 6 (Chen et al., PRB 87, 144411) with the file's SI quantities, G_s set to 0."""
    from spinstack.model.paths import with_parameter

    q = _pt_on_yig()
    theta, l, d = q["theta"], q["l"], q["d"]
    G = q["G_r"] + 1j * q["G_i"]
    X = 2 * l * G * math.tanh(d / (2 * l)) ** 2 / (q["sigma"] + 2 * l * G / math.tanh(d / l))
    drho0 = -theta**2 * (2 * l / d) * math.tanh(d / (2 * l))
    drho1, drho2 = theta**2 * (l / d) * X.real, -theta**2 * (l / d) * X.imag
    m = np.array([0.0, 1.0, 1.0]) / math.sqrt(2.0)  # the file's {theta = 45, phi = 90}
    eps_hat = np.array([0.0, -1.0, 0.0])  # eps = eE, E along the current (+y), e < 0
    sigma_hat = np.cross([1.0, 0.0, 0.0], eps_hat)
    m_eps, m_sigma = m @ eps_hat, m @ sigma_hat
    stack = with_parameter(ss.load_stack(EXAMPLES / "yig-pt-smr-si.toml"), "right.g_s", 0.0)
    smr = solution_to_dict(ss.solve(stack))["in_plane"]["smr"]
    assert smr["long"] == pytest.approx(drho0 + drho1 * (1 - m_sigma**2), rel=1e-12)
    assert smr["trans"] == pytest.approx(drho1 * m_eps * m_sigma + drho2 * m[0], rel=1e-10)


# ------------------------------------------------------------------ thresholds of coherence parameters
COHERENT = """\
units = "SI"
current = "1e11 A/m^2"
[materials.Co]
type = "ferromagnet"
rho = "100 nOhm*m"
beta = 0.5
l_sf = "10 nm"
l_J = "2 nm"
D_perp = "1e7 S/m"
[materials.Cu]
type = "normal"
rho = "20 nOhm*m"
l_sf = "300 nm"
[[layers]]
material = "Co"
thickness = "3 nm"
magnetization = [0, 0, 1]
[[layers]]
material = "Cu"
thickness = "6 nm"
[[layers]]
material = "Co"
thickness = "3 nm"
magnetization = { theta = 60 }
"""


def test_thresholds_of_d_perp_and_l_j_are_reported_in_s_per_m_and_nm(tmp_path):
    """D_perp (held as sigma_perp/e^2 ~ 4e44) was reported raw as "SI base units"; l_J in m as "SI base units"."""
    path = tmp_path / "coherent.toml"
    path.write_text(COHERENT)
    report = sign_report(ss.load_stack(path), [30.0], ["materials.Co.D_perp", "materials.Co.l_J"])
    data = sign_report_to_dict(report, "SI")
    by_path = {item["parameter"]: item for item in data["thresholds"]}
    assert by_path["materials.Co.D_perp"]["unit"] == "S/m"
    # default bounds: the value / 100 .. x 100, here of sigma_perp = 1e7 S/m
    np.testing.assert_allclose(by_path["materials.Co.D_perp"]["bounds"], [1e5, 1e9], rtol=1e-12)
    assert by_path["materials.Co.l_J"]["unit"] == "m"
    np.testing.assert_allclose(by_path["materials.Co.l_J"]["bounds"], [2e-11, 2e-7], rtol=1e-12)
    text = format_sign_report(report, "coherent.toml", "SI")
    assert "materials.Co.D_perp (e^2 D_perp)" in text and "1e+09 S/m" in text
    assert "0.02 .. 200 nm" in text and "SI base units" not in text


# ------------------------------------------------------------------ refusals quote the file
CPP = """\
units = "SI"
current = {current}
[materials.F]
type = "ferromagnet"
{F_rho}
beta = 0.5
l_sf = {F_l_sf}
l_J = {F_l_J}
l_phi = {F_l_phi}
D_perp = {F_D_perp}
[materials.N]
type = "normal"
{N_rho}
l_sf = {N_l_sf}
[left]
kind = "lead"
material = "N"
[[layers]]
material = "F"
thickness = {thickness}
magnetization = [0, 0, 1]
[[layers]]
material = "N"
thickness = "5 nm"
[[interfaces]]
node = 1
AR = {AR}
gamma = 0.5
G_mix = [{G_r}, {G_i}]
"""

IN_PLANE = """\
units = "SI"
current = "0 A/m^2"
field = {field}
[materials.Pt]
rho = "200 nOhm*m"
[left]
kind = "open"
[[layers]]
material = "Pt"
thickness = "3 nm"
[right]
kind = "insulator"
magnetization = [0, 1, 0]
G_mix = [{ins_G_r}, {ins_G_i}]
G_s = {ins_G_s}
"""

GOOD = {"current": '"1e11 A/m^2"', "F_rho": 'rho = "100 nOhm*m"', "F_l_sf": '"10 nm"', "F_l_J": '"1 nm"',
        "F_l_phi": '"2 nm"', "F_D_perp": '"1e7 S/m"', "N_rho": 'rho = "20 nOhm*m"', "N_l_sf": '"300 nm"',
        "thickness": '"3 nm"', "AR": '"0.5 fOhm*m^2"', "G_r": '"5e14 Ohm^-1*m^-2"', "G_i": '"1e13 Ohm^-1*m^-2"',
        "field": '[0, "2e4 V/m", 0]', "ins_G_r": '"5e14 Ohm^-1*m^-2"', "ins_G_i": '"1e13 Ohm^-1*m^-2"',
        "ins_G_s": '"1e12 Ohm^-1*m^-2"'}

# (placeholder, the path of the refusal, a value the solve cannot hold, how it is written around the value)
OUT_OF_RANGE = [
    ("current", "current", "1e-175 A/m^2", "{}"),
    ("current", "current", "1e170 A/m^2", "{}"),
    ("F_rho", "materials.F.rho", "1e-120 Ohm*m", "rho = {}"),
    ("N_rho", "materials.N.rho", "1e200 nOhm*m", "rho = {}"),
    ("N_rho", "materials.N.conductivity", "1e120 S/m", "conductivity = {}"),
    ("F_l_sf", "materials.F.l_sf", "1e-200 nm", "{}"),
    ("N_l_sf", "materials.N.l_sf", "1e200 um", "{}"),
    ("F_l_J", "materials.F.l_J", "1e-200 nm", "{}"),
    ("F_l_phi", "materials.F.l_phi", "1e170 m", "{}"),
    ("F_D_perp", "materials.F.D_perp", "1e-200 S/m", "{}"),
    ("thickness", "layers[0].thickness", "1e-200 nm", "{}"),
    ("AR", "interfaces[0].AR", "1e-200 fOhm*m^2", "{}"),
    ("AR", "interfaces[0].AR", "1e220 fOhm*m^2", "{}"),
    ("G_r", "interfaces[0].G_mix[0]", "1e-200 Ohm^-1*m^-2", "{}"),
    ("G_i", "interfaces[0].G_mix[1]", "-1e130 Ohm^-1*m^-2", "{}"),
    ("field", "field[1]", "1e-140 V/m", '[0, {}, 0]'),
    ("field", "field.current_density[2]", "1e-180 A/m^2",
     '{{ layer = 0, current_density = [0, "1e11 A/m^2", {}] }}'),
    ("ins_G_r", "right.G_mix[0]", "1e130 Ohm^-1*m^-2", "{}"),
    ("ins_G_s", "right.G_s", "1e-200 Ohm^-1*m^-2", "{}"),
]


def _file(tmp_path: Path, placeholder: str, text: str) -> Path:
    values = dict(GOOD, **{placeholder: text})
    template = IN_PLANE if placeholder in ("field",) or placeholder.startswith("ins_") else CPP
    path = tmp_path / "stack.toml"
    path.write_text(template.format(**values))
    return path


def test_the_templates_load(tmp_path):
    assert ss.load_stack(_file(tmp_path, "current", GOOD["current"])).units == "SI"
    assert ss.load_stack(_file(tmp_path, "field", GOOD["field"])).has_field


@pytest.mark.parametrize("placeholder, path, value, around", OUT_OF_RANGE,
                         ids=[f"{case[1]}={case[2]}" for case in OUT_OF_RANGE])
def test_a_value_the_solve_cannot_hold_is_refused_as_written(tmp_path, placeholder, path, value, around):
    written = json.dumps(value)
    with pytest.raises(StackError) as caught:
        ss.load_stack(_file(tmp_path, placeholder, around.format(written)))
    error = caught.value
    assert error.path == path
    assert error.reason.endswith(f"got {written}"), error.reason
    # the accepted range, in the unit the file wrote: the value is outside it, and the range is the real one
    unit = value.split(" ", 1)[1]
    found = re.fullmatch(rf"must lie between (\S+) and (\S+) {re.escape(unit)} in magnitude \(.*\), got .*", error.reason)
    assert found, error.reason
    low, high = float(found[1]), float(found[2])
    size = abs(float(value.split(" ")[0]))
    assert not low <= size <= high
    sign = "-" if value.startswith("-") else ""
    for inside in (low * 1.001, high / 1.001):
        ss.load_stack(_file(tmp_path, placeholder, around.format(json.dumps(f"{sign}{inside:.17g} {unit}"))))


# the sign and dimension refusals quote the file's value too
OTHER_REFUSALS = [
    ("F_rho", "materials.F.rho", '"-5 nOhm*m"', "rho = {}"),
    ("thickness", "layers[0].thickness", '"-3 nm"', "{}"),
    ("thickness", "layers[0].thickness", '"3 nOhm"', "{}"),
    ("AR", "interfaces[0].AR", '"-0.5 fOhm*m^2"', "{}"),
    ("G_r", "interfaces[0].G_mix[0]", '"-5e14 Ohm^-1*m^-2"', "{}"),
    ("ins_G_s", "right.G_s", '"-1e12 Ohm^-1*m^-2"', "{}"),
    ("F_D_perp", "materials.F.D_perp", '"0 S/m"', "{}"),
]


@pytest.mark.parametrize("placeholder, path, written, around", OTHER_REFUSALS,
                         ids=[f"{case[1]}={case[2]}" for case in OTHER_REFUSALS])
def test_other_refusals_quote_the_file(tmp_path, placeholder, path, written, around):
    with pytest.raises(StackError) as caught:
        ss.load_stack(_file(tmp_path, placeholder, around.format(written)))
    assert caught.value.path == path
    assert f"got {written}" in caught.value.reason, caught.value.reason
