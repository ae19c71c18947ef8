"""Stack files and reports of the in-plane drive (MODEL.md 8; STACK_FORMAT.md 'In-plane drive')."""

from __future__ import annotations

import json

import numpy as np
import pytest

import spinstack as ss
from spinstack import si
from spinstack.io import format_summary, solution_to_dict
from spinstack.io.stackfile import stack_from_dict

PT_CO = {
    "current": 0, "field": [0, 1, 0],
    "materials": {"Pt": {"type": "normal", "D": 2.0, "l": 1.4, "theta_SH": 0.19},
                  "Co": {"type": "ferromagnet", "D": 1.0, "p": 0.4, "l": 5.0}},
    "left": {"kind": "open"},
    "layers": [{"material": "Pt", "thickness": 3.0}, {"material": "Co", "thickness": 1.5, "magnetization": [1, 0, 0]}],
    "right": {"kind": "open"},
}


def test_reduced_file_and_json_give_the_reference_numbers():
    solution = ss.solve(stack_from_dict(PT_CO, "pt-co.toml"))
    data = solution_to_dict(solution)
    json.dumps(data, allow_nan=False)
    assert data["resistance_area"] is None and data["magnetoresistance"] is None
    in_plane = data["in_plane"]
    assert in_plane["sigma_hat"] == [0.0, 0.0, 1.0]
    (torque,) = in_plane["spin_orbit_torque"]
    assert torque["layer"] == 1
    # MODEL.md 8h: transparent tau_DL = 0.2920480, tau_FL = 0, smr.long = -0.0126302
    assert torque["tau_DL"] == pytest.approx(0.2920480, abs=1e-6)
    assert torque["tau_FL"] == pytest.approx(0.0, abs=1e-12)
    assert in_plane["smr"]["long"] == pytest.approx(-0.0126302, abs=1e-6)
    text = format_summary(solution, "pt-co.toml")
    assert "ends: left open" in text and "tau_DL = 0.292048, tau_FL = 0" in text
    assert "resistance-area: not defined" in text


def test_insulator_end_in_files_and_reports():
    data = dict(PT_CO, layers=PT_CO["layers"][:1], right={"kind": "insulator", "magnetization": [1, 0, 0],
                                                          "g_mix": [0.7, 0.2]})
    solution = ss.solve(stack_from_dict(data, "yig.toml"))
    out = solution_to_dict(solution)["in_plane"]
    # MODEL.md 8h: Pt/insulator smr.long(m = x) = -0.0213821, smr.trans(m = x) = -0.0007159; limit 5 torque
    assert out["smr"]["long"] == pytest.approx(-0.0213821, abs=1e-6)
    assert out["smr"]["trans"] == pytest.approx(-0.0007159, abs=1e-6)
    assert out["insulator_spin_orbit_torque"]["right"]["tau_DL"] == pytest.approx(0.1494896, abs=1e-6)
    assert "torque on the right insulator end" in format_summary(solution, "yig.toml")


def si_pt_co(field):
    return {"units": "SI", "current": "0 A/m^2", "field": field,
            "materials": {"Pt": {"type": "normal", "rho": "200 nOhm*m", "l_sf": "1.4 nm", "theta_SH": 0.1},
                          "Co": {"type": "ferromagnet", "rho": "150 nOhm*m", "beta": 0.4, "l_sf": "5 nm"}},
            "left": {"kind": "open"},
            "layers": [{"material": "Pt", "thickness": "5 nm"},
                       {"material": "Co", "thickness": "1 nm", "magnetization": [1, 0, 0]}],
            "right": {"kind": "open"}}


def test_si_current_density_in_a_layer_gives_the_textbook_torque():
    """tau_DL = (hbar / 2|e|) theta_SH J (1 - sech(d/l)) (MODEL.md 8g limit 4 in SI; J the Pt current density)."""
    solution = ss.solve(stack_from_dict(si_pt_co({"layer": 0, "current_density": [0, "1e11 A/m^2", 0]}), "si.toml"))
    data = solution_to_dict(solution)["in_plane"]
    expected = si.HBAR / (2 * si.ELEMENTARY_CHARGE) * 0.1 * 1e11 * (1 - 1 / np.cosh(5 / 1.4))
    assert data["spin_orbit_torque"][0]["tau_DL"] == pytest.approx(expected, rel=1e-10)
    # conventional current along +y: sigma_hat = E_hat x xhat = -z (MODEL.md 8a)
    assert data["sigma_hat"] == pytest.approx([0.0, 0.0, -1.0])
    # E = rho J in the Pt layer: 2e4 V/m
    assert data["field"] == pytest.approx([0.0, 2e4, 0.0], rel=1e-12)
    same = ss.solve(stack_from_dict(si_pt_co([0, "20 kV/m", 0]), "si.toml"))
    np.testing.assert_allclose(same.torque, solution.torque, rtol=1e-12)
    assert "E = [0, 20000, 0] V/m" in format_summary(solution, "si.toml")


def test_si_insulator_conductances_are_divided_by_e_squared():
    data = si_pt_co([0, "20 kV/m", 0])
    data["layers"] = data["layers"][:1]
    data["right"] = {"kind": "insulator", "magnetization": [0, 0, 1], "G_mix": ["5e14 Ohm^-1*m^-2", "1e13 Ohm^-1*m^-2"],
                     "G_s": "1e13 Ohm^-1*m^-2"}
    stack = stack_from_dict(data, "si.toml")
    np.testing.assert_allclose(stack.right.g_mix, np.array([5e14, 1e13]) / si.ELECTRON_CHARGE**2, rtol=1e-15)
    np.testing.assert_allclose(stack.right.g_s, 1e13 / si.ELECTRON_CHARGE**2, rtol=1e-15)


@pytest.mark.parametrize("name", ["pt-co-sot", "w-cofeb-sot", "ta-cofeb-sot", "yig-pt-smr", "thin-co-coherent"])
def test_cli_solves_the_in_plane_examples(name):
    from click.testing import CliRunner

    from spinstack.cli import main

    runner = CliRunner()
    text = runner.invoke(main, ["solve", f"examples/{name}.toml"])
    assert text.exit_code == 0, text.output
    assert "in-plane field" in text.output
    data = json.loads(runner.invoke(main, ["solve", f"examples/{name}.toml", "--json"]).output)
    assert data["resistance_area"] is None and data["in_plane"]["smr"] is not None


def test_examples_signs_follow_the_spin_hall_angle():
    """Pt (theta_SH > 0) and W (< 0) give opposite damping-like torques for the same current direction."""
    pt = ss.solve(ss.load_stack("examples/pt-co-sot.toml")).spin_orbit_torque[0][1]
    w = ss.solve(ss.load_stack("examples/w-cofeb-sot.toml")).spin_orbit_torque[0][1]
    assert pt > 0 > w


def test_thin_coherent_ferromagnet_example():
    """examples/thin-co-coherent.toml: MODEL.md 8h ZLF table at d_F = 0.5: tau_DL = 0.0633, tau_FL = -0.0809."""
    damping, field_like = ss.solve(ss.load_stack("examples/thin-co-coherent.toml")).spin_orbit_torque
    assert damping[1] == pytest.approx(0.0633, abs=6e-5)
    assert field_like[1] == pytest.approx(-0.0809, abs=6e-5)


def si_coherent(**coherence):
    data = si_pt_co([0, "20 kV/m", 0])
    data["materials"]["Co"].update(coherence)
    return stack_from_dict(data, "si.toml")


def test_si_coherent_ferromagnet_converts_like_the_reduced_one():
    """l_J, l_phi are lengths; D_perp is a conductivity sigma_perp, D_perp = sigma_perp / e^2 (MODEL.md 7, 8f)."""
    given = si_coherent(l_J="1 nm", l_phi="2 nm", D_perp="3e6 S/m")
    cobalt = given.layers[1].material
    assert float(cobalt.l_J) == pytest.approx(1e-9, rel=1e-15) and float(cobalt.l_phi) == pytest.approx(2e-9, rel=1e-15)
    assert float(cobalt.transverse_conductance) == pytest.approx(3e6 / si.ELECTRON_CHARGE**2, rel=1e-15)
    # the reduced default D / (1 - p^2) is 1 / (e^2 rho_F): giving sigma_perp = 1/rho_F changes nothing
    default = ss.solve(si_coherent(l_J="1 nm", l_phi="2 nm"))
    explicit = ss.solve(si_coherent(l_J="1 nm", l_phi="2 nm", D_perp=f"{1 / 150e-9!r} S/m"))
    np.testing.assert_allclose(explicit.torque, default.torque, rtol=1e-12, atol=0)
    # and it matters when it differs: a smaller transverse conductance lets less spin in
    assert abs(ss.solve(given).spin_orbit_torque[0][1]) != pytest.approx(abs(default.spin_orbit_torque[0][1]), rel=1e-3)


def test_bare_contact_reports_no_smr():
    """Two leads and no layer: the SMR is relative to the layers' in-plane current, so JSON says null and the
    summary says why (it was 0/0)."""
    data = {"current": 1, "field": [0, 1, 0], "materials": PT_CO["materials"],
            "left": {"kind": "lead", "material": "Pt"},
            "right": {"kind": "lead", "material": "Co", "magnetization": [1, 0, 0]}}
    solution = ss.solve(stack_from_dict(data, "bare.toml"))
    out = solution_to_dict(solution)
    json.dumps(out, allow_nan=False)
    assert out["in_plane"]["smr"] is None
    assert "spin Hall magnetoresistance: not defined (no layer carries the in-plane current" in \
        format_summary(solution, "bare.toml")
