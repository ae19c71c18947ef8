"""``spinstack analyze`` of an SI stack: thresholds in nm (text) and m (JSON, with a "unit"), J in A/m^2,
and ``--bounds`` with units ("1 nm:20 nm"); reduced reports keep their numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import spinstack as ss
from spinstack import si
from spinstack.analysis import SignReport, Threshold, sign_report, threshold
from spinstack.cli import main
from spinstack.errors import SpinstackError
from spinstack.io import format_sign_report, sign_report_to_dict
from spinstack.io.signreport import parse_bounds

E = 1.602176634e-19

SI_FILE = """\
units = "SI"
current = "1e11 A/m^2"
[materials.F1]
type = "ferromagnet"
rho = "100 nOhm*m"
beta = 0.5
l_sf = "10 nm"
[materials.F2]
type = "ferromagnet"
rho = "100 nOhm*m"
beta = 0.5
l_sf = "10 nm"
[materials.N]
type = "normal"
rho = "20 nOhm*m"
l_sf = "300 nm"
[[layers]]
material = "F1"
thickness = "3 nm"
magnetization = [0, 0, 1]
[[layers]]
material = "N"
thickness = "6 nm"
[[layers]]
material = "F2"
thickness = "3 nm"
magnetization = { theta = 60 }
[[interfaces]]
node = 1
AR = "0.5 fOhm*m^2"
gamma = 0.7
G_mix = ["5e14 Ohm^-1*m^-2", "1e13 Ohm^-1*m^-2"]
"""

SPACER = "layers[1].thickness"


def si_valve() -> ss.Stack:
    F1 = si.ferromagnet("F1", rho="100 nOhm*m", beta=0.5, l_sf="10 nm")
    F2 = si.ferromagnet("F2", rho="100 nOhm*m", beta=0.5, l_sf="10 nm")
    N = si.normal("N", rho="20 nOhm*m", l_sf="300 nm")
    interface = si.interface(1, AR="0.5 fOhm*m^2", gamma=0.7, G_mix=["5e14 Ohm^-1*m^-2", "1e13 Ohm^-1*m^-2"])
    return si.stack([si.layer(F1, "3 nm", [0, 0, 1]), si.layer(N, "6 nm"), si.layer(F2, "3 nm", ss.polar(60))],
                    current_density="1e11 A/m^2", interfaces=[interface])


@pytest.fixture(scope="module")
def report() -> SignReport:
    return sign_report(si_valve(), (0.0, 30.0), [SPACER, "materials.F2.p"], None)


def test_the_file_is_the_built_stack(tmp_path):
    path = tmp_path / "si.toml"
    path.write_text(SI_FILE)
    loaded, built = ss.solve(ss.load_stack(path)), ss.solve(si_valve())
    np.testing.assert_allclose(loaded.accumulation, built.accumulation, rtol=1e-12, atol=1e-40)


def test_json_thresholds_in_metres_with_their_unit(report):
    data = sign_report_to_dict(report, "SI")
    assert data["units"] == "SI"
    spacer = [t for t in data["thresholds"] if t["parameter"] == SPACER]
    polar = [t for t in data["thresholds"] if t["parameter"] == "materials.F2.p"]
    assert {t["unit"] for t in spacer} == {"m"} and {t["unit"] for t in polar} == {""}
    found = [t for t in spacer if t["value"] is not None]
    assert found  # g1 turns negative below ~10 nm of spacer at theta = 0
    item = next(i for i in report.thresholds if i.path == SPACER and i.which == "g1")
    assert found[0]["value"] == pytest.approx(float(item.value[0]), rel=1e-15)  # SI base: m
    assert 1e-9 < found[0]["value"] < 1e-7
    assert spacer[0]["bounds"] == pytest.approx([6e-11, 6e-7])


def test_text_thresholds_in_nm(report):
    text = format_sign_report(report, "si.toml", "SI")
    item = next(i for i in report.thresholds if i.path == SPACER and i.which == "g1")
    from spinstack.io.tables import number

    assert f"{number(float(item.value[0]) * 1e9)} nm" in text
    assert "0.06 .. 600 nm" in text
    assert text.count("0.001 .. 0.999\n") == 4  # p: dimensionless, no unit (the table's last column)
    assert "e-0" not in text  # no metres in the text


def test_reduced_reports_unchanged():
    F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Ferromagnet("F2", 1.0, 0.9, 0.5), ss.Normal("N", 3.0, 10.0)
    stack = ss.Stack([ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 0.5), ss.Layer(F2, 1.5, ss.polar(40))])
    report = sign_report(stack, (0.0,), [SPACER], (0.1, 5.0))
    data = sign_report_to_dict(report)
    assert data["units"] == "reduced"
    assert {t["unit"] for t in data["thresholds"]} == {"reduced"}
    assert data["thresholds"][0]["bounds"] == [0.1, 5.0]
    text = format_sign_report(report, "x.toml")
    assert "nm" not in text and "0.1 .. 5" in text


def test_current_is_shown_as_j_and_above_turns_below():
    # J = e j0 with e < 0: the order of the bounds and the side of a threshold flip
    j0 = np.array([-6e29])
    item = Threshold("current", "g2", np.array([30.0]), j0, np.array([True]), np.array([True]), (-1e30, -1e29))
    report = SignReport(30.0, 0.1, 0.2, {"g1": np.array([]), "g2": np.array([])}, [item], {"current": (-1e30, -1e29)})
    entry = sign_report_to_dict(report, "SI")["thresholds"][0]
    assert entry["unit"] == "A/m^2"
    assert entry["value"] == pytest.approx(6e29 * E)
    assert entry["bounds"] == pytest.approx([1e29 * E, 1e30 * E])
    assert entry["negative_above"] is False  # g2 < 0 for larger j0 = smaller J
    text = format_sign_report(report, "x", "SI")
    assert "A/m^2" in text and "g2 < 0 below it" in text and "current (J)" in text
    reduced = sign_report_to_dict(report)["thresholds"][0]
    assert reduced["value"] == -6e29 and reduced["negative_above"] is True


# ------------------------------------------------------------------ --bounds
def test_parse_bounds_with_units():
    assert parse_bounds("1 nm:20 nm", "SI", [SPACER]) == pytest.approx((1e-9, 2e-8))
    assert parse_bounds("1e-9:2e-8", "SI", [SPACER]) == (1e-9, 2e-8)  # plain numbers: SI base units
    assert parse_bounds("10 Å:2e-8", "SI", [SPACER]) == pytest.approx((1e-9, 2e-8))
    assert parse_bounds("1e10 A/m^2:1e12 A/m^2", "SI", ["current"]) == pytest.approx((1e12 / -E, 1e10 / -E))
    assert parse_bounds("10 %:90 %", "SI", ["materials.F2.p"]) == pytest.approx((0.1, 0.9))
    assert parse_bounds("10 deg:80 deg", "SI", ["layers[2].magnetization.theta"]) == pytest.approx((10.0, 80.0))
    assert parse_bounds("0.1:5", "reduced", [SPACER]) == (0.1, 5.0)
    assert parse_bounds(None, "SI", [SPACER]) is None
    # the default parameters of analyze (p of F1 and F2) when none are named
    assert parse_bounds("5 %:95 %", "SI", (), si_valve()) == pytest.approx((0.05, 0.95))


@pytest.mark.parametrize("text, units, paths, fragment", [
    ("1 nm:20 nm", "reduced", [SPACER], "need an SI stack"),
    ("1 nm", "SI", [SPACER], "LOW:HIGH"),
    ("1 nm:2 nm:3 nm", "SI", [SPACER], "LOW:HIGH"),
    ("1 nm:20 A/m^2", "SI", [SPACER], "expected a length"),
    ("1 foo:2 nm", "SI", [SPACER], "unknown unit"),
    ("1 nm:2 nm", "SI", [SPACER, "materials.F2.p"], "different kinds"),
    ("1 nm:2 nm", "SI", ["materials.F2.p"], "dimensionless"),
])
def test_parse_bounds_errors(text, units, paths, fragment):
    with pytest.raises(SpinstackError, match="--bounds") as caught:
        parse_bounds(text, units, paths)
    assert fragment in str(caught.value)


def test_cli_analyze_si_file(tmp_path):
    path = tmp_path / "si.toml"
    path.write_text(SI_FILE)
    runner = CliRunner()
    result = runner.invoke(main, ["analyze", str(path), "--parameter", SPACER, "--bounds", "1 nm:20 nm",
                                  "--theta", "0", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["units"] == "SI"
    entry = next(t for t in data["thresholds"] if t["efficiency"] == "g1")
    assert entry["unit"] == "m" and entry["bounds"] == pytest.approx([1e-9, 2e-8])
    expected = threshold(ss.load_stack(path), SPACER, "g1", theta=0.0, bounds=(1e-9, 2e-8))
    assert expected.found[0]
    assert entry["value"] == pytest.approx(float(expected.value[0]), rel=1e-12)
    text = runner.invoke(main, ["analyze", str(path), "--parameter", SPACER, "--bounds", "1 nm:20 nm"])
    assert text.exit_code == 0 and "1 .. 20 nm" in text.stdout
    # the same range in SI base units; bare numbers are refused, as in SI files (they were read as metres)
    base = runner.invoke(main, ["analyze", str(path), "--parameter", SPACER, "--bounds", "1e-9 m:2e-8 m", "--json",
                                "--theta", "0"])
    assert json.loads(base.stdout)["thresholds"] == data["thresholds"]
    plain = runner.invoke(main, ["analyze", str(path), "--parameter", SPACER, "--bounds", "1:20"])
    assert plain.exit_code == 2 and plain.stdout == "" and len(plain.stderr.splitlines()) == 1
    assert 'a bare number has no unit (a length in an SI stack) for layers[1].thickness: write the bounds with ' \
           'one, e.g. "1 nm:20 nm" or "1 m:20 m"' in plain.stderr
    bad = runner.invoke(main, ["analyze", str(path), "--parameter", SPACER, "--bounds", "1 nm:2 A"])
    assert bad.exit_code == 2 and bad.stdout == "" and "--bounds" in bad.stderr and len(bad.stderr.splitlines()) == 1
