"""The real-stack examples (SI files with the cited library): examples/real_stacks.py passes its own
asserts and writes its figures; its key numbers; every number in the files is either the library's or
marked as assumed; the analysis keeps the interfaces of a stack when it turns m2."""

from __future__ import annotations

import dataclasses
import importlib.util
import pathlib
import re

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

import spinstack as ss  # noqa: E402
from spinstack import si  # noqa: E402
from spinstack.analysis import efficiency, magnetoresistance, resistance_curve, with_angle  # noqa: E402
from spinstack.cli import main as cli  # noqa: E402
from spinstack.io import load_stack  # noqa: E402

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
FILES = ("co-cu-py.toml", "wavy-torque.toml", "py-cu-py-gmr.toml")
ASSUMED = "assumed, order of magnitude; not from a read source"
QUANTITY = re.compile(r"^(rho|conductivity|beta|l_sf|AR|gamma|G_mix|delta)\s*=")


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.slow  # the whole example script: three stacks, fifteen figures (~10-20 s)
def test_real_stacks_script(tmp_path):
    r = load_script("real_stacks").main(tmp_path)
    figures = r["figures"]
    assert len(figures) == 15  # five kinds for each of the three stacks
    for path in figures:
        path = pathlib.Path(path)
        assert path.parent == tmp_path and path.suffix == ".png"
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000, path
    assert sorted(tmp_path.glob("*.png")) == sorted(map(pathlib.Path, figures))
    # the wavy torque: g2 < 0 below the sign change, which lies in (0, 90) deg
    assert 0 < r["wavy_g2_sign_change_deg"] < 90
    assert r["wavy_g2_sign_change_deg"] == pytest.approx(r["wavy_g2_by_bisection_deg"], abs=1e-8)
    assert r["wavy_g2_sign_change_deg"] == pytest.approx(38.7745, abs=1e-3)
    assert r["wavy_g2"] < 0 < r["wavy_g1"] and r["wavy_g2_at_0"] < 0
    # GMR ratios
    assert r["gmr_gmr"] == pytest.approx((r["gmr_RA_AP_fOhm_m2"] - r["gmr_RA_P_fOhm_m2"]) / r["gmr_RA_P_fOhm_m2"])
    assert r["gmr_gmr"] == pytest.approx(0.2479, abs=1e-4)
    assert r["co_cu_py_gmr"] == pytest.approx(0.1998, abs=1e-4)
    for key in ("co_cu_py", "wavy", "gmr"):
        assert r[f"{key}_conservation_error"] < 1e-12
    assert r["gmr_torque_F1_J_m2"] == 0 == r["gmr_torque_F2_J_m2"]  # antiparallel: no torque
    assert r["co_cu_py_torque_F1_J_m2"] > 0 and r["co_cu_py_torque_F2_J_m2"] > 0


@pytest.mark.parametrize("name", FILES)
def test_every_number_is_the_librarys_or_marked_assumed(name):
    """Honesty of the example files: each material or interface value says where it comes from."""
    lines = (EXAMPLES / name).read_text(encoding="utf-8").splitlines()
    values = [line for line in lines if QUANTITY.match(line)]
    assert values
    for line in values:
        assert ASSUMED in line or "LIBRARY" in line, line
    # library pairs say so too
    for line in lines:
        if line.startswith("pair ="):
            assert "LIBRARY" in line, line


@pytest.mark.parametrize("name", FILES)
def test_cli_solve_analyze_figures(tmp_path, name):
    runner = CliRunner()
    path = str(EXAMPLES / name)
    for command in (["solve", path], ["solve", path, "--json"], ["analyze", path]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 0, (command, result.output)
    if name == "wavy-torque.toml":  # the sign change of g2 that gives the file its name
        assert re.search(r"g2: 38\.77\d* deg", result.stdout), result.stdout
    result = runner.invoke(cli, ["figures", path, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("*.png"))) == 5


def test_files_without_rho_for_the_partial_library_py_fail_on_that_key(tmp_path):
    """Py in the library has no sourced rho: drop it from a file and the error names materials.Py.rho."""
    text = (EXAMPLES / "wavy-torque.toml").read_text(encoding="utf-8")
    text = re.sub(r'\n\[materials\.Py\][^\[]*', "\n", text)
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["solve", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"spinstack: error: {path}: materials.Py.rho: not in the built-in library "
                             "(no sourced value): give it in [materials.Py]\n")


# ------------------------------------------------- the analysis keeps a stack's interfaces
def test_with_angle_keeps_interfaces_and_units():
    stack = load_stack(EXAMPLES / "co-cu-py.toml")
    turned = with_angle(stack, 30.0)
    assert turned.units == "SI" and turned.interfaces == stack.interfaces
    # efficiency and R(theta) at the file's own angle (90 deg) are those of a plain solve
    own = ss.solve(stack)
    at_90 = efficiency(stack, 90.0)
    assert float(at_90.g2) == pytest.approx(float(own.efficiency().g2), rel=1e-12)
    assert float(resistance_curve(stack, 90.0)) == pytest.approx(float(own.resistance_area), rel=1e-12)
    # and the interfaces matter: without them the GMR is another number
    bare = dataclasses.replace(stack, interfaces=())
    assert abs(float(magnetoresistance(bare).ratio) - float(magnetoresistance(stack).ratio)) > 1e-3


def test_library_values_reach_the_model():
    """Py's beta and l_sf in a file's stack are the library's; its rho is the file's."""
    stack = load_stack(EXAMPLES / "py-cu-py-gmr.toml")
    py = stack.layers[0].material
    reference = si.ferromagnet("Py", rho="150 nOhm*m", beta=0.65, l_sf="5.5 nm")
    assert (float(py.D), float(py.p), float(py.l)) == pytest.approx(
        (float(reference.D), float(reference.p), float(reference.l)), rel=1e-15)
    assert np.isfinite(ss.solve(stack).accumulation).all()
