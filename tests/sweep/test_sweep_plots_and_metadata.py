"""Sweeps as a new user meets them: SI plots in readable units, options that belong to the other kind of
file refused, maps that need no --sel for a dimension with one choice, and a `stack` attribute that
holds the stack file's quantities (issue 13, outside review of sweeps).

References: the numbers drawn are the dataset's own times the unit's factor (1e9 for nm, ...); the
resistance-area at theta = 0 is :func:`spinstack.analysis.magnetoresistance`'s parallel RA; the stored
stack is read back by the stack file reader and must solve to the same numbers as the stack it describes.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
pint = pytest.importorskip("pint")

import spinstack as ss  # noqa: E402
from spinstack import si  # noqa: E402
from spinstack.analysis import magnetoresistance  # noqa: E402
from spinstack.cli import main  # noqa: E402
from spinstack.io import stack_from_dict  # noqa: E402
from spinstack.plot import plot_sweep  # noqa: E402
from spinstack.units import Q_  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "seed-fnf.toml"
SOT = EXAMPLES / "pt-co-sot.toml"
CO_CU_PY = EXAMPLES / "co-cu-py.toml"
PT = "layers[0].thickness"
CO_THETA = "layers[1].magnetization.theta"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def sot_line():
    return ss.sweep(ss.load_stack(SOT), {PT: np.linspace(0.5e-9, 10e-9, 20)})


@pytest.fixture(scope="module")
def sot_map():
    return ss.sweep(ss.load_stack(SOT), {CO_THETA: np.linspace(0.0, 180.0, 7), PT: np.linspace(0.5e-9, 10e-9, 20)})


def _offsets(ax) -> tuple[str, str]:
    ax.figure.canvas.draw()
    return ax.xaxis.get_major_formatter().get_offset(), ax.yaxis.get_major_formatter().get_offset()


# ------------------------------------------------------------------ 2: SI plots in readable units
def test_si_line_reads_nm_and_micro_joules_without_offsets(sot_line):
    ax = plot_sweep(sot_line)  # tau_DL, the default of an in-plane drive
    assert ax.get_xlabel() == "thickness of layers[0] (Pt) (nm)"
    assert ax.get_ylabel() == r"damping-like torque ($10^{-6}$ J/m$^2$)"
    assert _offsets(ax) == ("", "")  # no "1e-8" or "1e-6" in a corner
    (line,) = ax.get_lines()[-1:]
    np.testing.assert_allclose(line.get_xdata(), sot_line[PT].values * 1e9, rtol=1e-15)
    np.testing.assert_allclose(line.get_ydata(), sot_line.tau_DL.sel(layer=1).values * 1e6, rtol=1e-15)
    assert 1.0 <= np.max(np.abs(line.get_ydata())) < 1000.0


def test_si_map_of_the_default_variable_needs_no_layer(sot_map):
    """Co is the only F layer: its tau_DL is the map, Pt's zeros are not a choice (item 4)."""
    ax = plot_sweep(sot_map)
    assert ax.get_title() == "layer = 1 (Co) (the only one not zero)"
    assert ax.get_ylabel() == "thickness of layers[0] (Pt) (nm)"
    assert ax.get_xlabel() == "polar angle of the magnetization of layers[1] (Co) (deg)"
    colour_bar = ax.figure.axes[-1]
    assert colour_bar.get_ylabel() == r"damping-like torque ($10^{-6}$ J/m$^2$)"
    mesh = ax.collections[0]
    expected = sot_map.tau_DL.sel(layer=1).transpose(PT, CO_THETA).values * 1e6
    np.testing.assert_allclose(np.ma.filled(mesh.get_array(), np.nan).reshape(expected.shape), expected,
                               rtol=1e-15)


def test_resistance_area_in_femto_ohm_square_metres_and_accumulation_in_micro_ev():
    stack = ss.load_stack(CO_CU_PY)
    ds = ss.sweep(stack, {"theta": np.linspace(0.0, 180.0, 5)})
    ax = plot_sweep(ds, "resistance_area")
    assert ax.get_ylabel() == r"resistance-area product (f$\Omega$ m$^2$)"
    line = ax.get_lines()[-1]
    # theta = 0 is the parallel state: the independent two-solve RA_P of analysis.magnetoresistance, in fOhm m^2
    assert line.get_ydata()[0] == pytest.approx(magnetoresistance(stack).parallel * 1e15, rel=1e-12)
    assert 1.0 < line.get_ydata()[0] < 10.0  # 3.005 fOhm m^2, as `spinstack solve` prints
    ax = plot_sweep(ds, "accumulation", select={"node": 1, "component": "z"})
    assert ax.get_ylabel() == r"spin accumulation ($\mu$eV)"
    np.testing.assert_allclose(ax.get_lines()[-1].get_ydata(),
                               ds.accumulation.sel(node=1, component="z").values * 1e6, rtol=1e-14)


def test_current_axis_of_an_si_sweep_in_powers_of_a_thousand():
    ds = ss.sweep(ss.load_stack(CO_CU_PY), {"current": np.linspace(-1e11, 1e11, 5)}, variables="resistance_area")
    ax = plot_sweep(ds)
    assert ax.get_xlabel().endswith(r"($10^{9}$ A/m$^2$)")
    np.testing.assert_allclose(ax.get_lines()[-1].get_xdata(), np.linspace(-100.0, 100.0, 5), rtol=1e-15)
    assert _offsets(ax) == ("", "")


def test_select_an_si_coordinate_by_a_quantity_and_see_it_in_nm(sot_map):
    by_quantity = plot_sweep(sot_map, select={PT: "5 nm"})
    by_number = plot_sweep(sot_map, select={PT: 5e-9})
    assert by_quantity.get_title() == by_number.get_title() == f"{PT} = 5 nm"
    np.testing.assert_array_equal(by_quantity.get_lines()[-1].get_ydata(), by_number.get_lines()[-1].get_ydata())
    with pytest.raises(ss.SpinstackError, match=r"select layers\[0\]\.thickness: expected a length"):
        plot_sweep(sot_map, select={PT: "5 V"})


def test_reduced_sweeps_keep_their_labels():
    ds = ss.sweep(ss.load_stack(SEED), {"layers[1].thickness": np.linspace(0.5, 4.0, 5)})
    ax = plot_sweep(ds, "torque", select={"layer": 2})
    assert ax.get_xlabel() == "thickness of layers[1] (N) (reduced units)"
    assert ax.get_ylabel() == "spin-transfer torque (reduced units)"
    np.testing.assert_array_equal(ax.get_lines()[-1].get_xdata(), ds["layers[1].thickness"].values)


# ------------------------------------------------------------------ 4: maps and the parts they need
def test_a_part_dimension_of_length_one_needs_no_selection():
    ds = ss.sweep(ss.load_stack(SEED), {"theta": np.linspace(0.0, 180.0, 7), "materials.F2.p": [0.2, 0.5, 0.8]})
    ax = plot_sweep(ds.isel(layer=[2]), "torque", select={"component": "x"})
    assert ax.get_title() == "component = x, layer = 2 (F2)"


def test_a_map_with_several_choices_names_them():
    ds = ss.sweep(ss.load_stack(SEED), {"theta": np.linspace(0.0, 180.0, 7), "materials.F2.p": [0.2, 0.5, 0.8]})
    with pytest.raises(ss.SpinstackError) as caught:
        plot_sweep(ds, "torque")
    assert str(caught.value) == ("a map of torque needs one value of layer and component (not zero for layer 0 (F1) "
                                 "component x; layer 2 (F2) component x; layer 2 (F2) component z): select it "
                                 "(e.g. --sel layer=0)")
    with pytest.raises(ss.SpinstackError, match=r"one value of component \(not zero for x, z\).*--sel component=x"):
        plot_sweep(ds, "torque", select={"layer": 2})


def test_cli_plot_of_a_two_dimensional_sot_sweep(tmp_path):
    target = tmp_path / "sot2.nc"
    runner = CliRunner()
    made = runner.invoke(main, ["sweep", str(SOT), "--vary", f"{CO_THETA}=0:180:7", "--vary", f"{PT}=0.5 nm:10 nm:6",
                                "--out", str(target)])
    assert made.exit_code == 0, made.output
    drawn = runner.invoke(main, ["plot", str(target), "--out", str(tmp_path / "map.png")])
    assert drawn.exit_code == 0, drawn.output
    assert (tmp_path / "map.png").stat().st_size > 0


# ------------------------------------------------------------------ 3: options for the other kind of file
@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    target = tmp_path_factory.mktemp("saved") / "g2.nc"
    ss.sweep(ss.load_stack(SEED), {"theta": np.linspace(0.0, 180.0, 5)}, out=target).close()
    return target


@pytest.mark.parametrize("arguments, fragment", [
    (["--kind", "hodograph"], "--kind goes with a stack file (.toml); a saved sweep (.nc, .zarr) takes --var, --sel"),
    (["--kind", "profiles"], "--kind goes with a stack file"),  # the default, given explicitly, is refused too
])
def test_kind_with_a_sweep_file_is_refused(saved, tmp_path, arguments, fragment):
    result = CliRunner().invoke(main, ["plot", str(saved), *arguments, "--out", str(tmp_path / "x.png")])
    assert result.exit_code == 2
    assert result.stdout == "" and fragment in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("arguments, fragment", [
    (["--var", "g1"], "--var goes with a saved sweep (.nc, .zarr, from 'spinstack sweep'); a stack file takes --kind"),
    (["--sel", "layer=2"], "--sel goes with a saved sweep"),
    (["--var", "g1", "--sel", "layer=2"], "--var and --sel go with a saved sweep"),
])
def test_sweep_options_with_a_stack_file_are_refused(tmp_path, arguments, fragment):
    result = CliRunner().invoke(main, ["plot", str(SEED), *arguments, "--out", str(tmp_path / "x.png")])
    assert result.exit_code == 2
    assert result.stdout == "" and fragment in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def test_options_that_belong_are_still_taken(saved, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["plot", str(saved), "--var", "g1", "--out", str(tmp_path / "a.png")]).exit_code == 0
    assert runner.invoke(main, ["plot", str(SEED), "--kind", "efficiency", "--out",
                                str(tmp_path / "b.png")]).exit_code == 0


# ------------------------------------------------------------------ 5: the stack attribute
def _stored(ds) -> dict:
    return json.loads(ds.attrs["stack"])


def _same(value: str, given: str) -> bool:
    return math.isclose(Q_(value).to_base_units().m, Q_(given).to_base_units().m, rel_tol=1e-14)


def test_si_stack_attribute_holds_the_files_quantities():
    file = tomllib.loads(CO_CU_PY.read_text())
    ds = ss.sweep(ss.load_stack(CO_CU_PY), {"layers[1].thickness": [10e-9]}, variables="resistance_area")
    stored = _stored(ds)
    assert stored["units"] == "SI" and stored["current"] == "1e+11 A/m^2"
    assert _same(stored["current"], file["current"])
    for name in ("Co", "Cu"):
        for key, given in file["materials"][name].items():
            kept = stored["materials"][name][key]
            assert kept == given if not isinstance(given, str) or key == "type" else _same(kept, given), (name, key)
    assert _same(stored["materials"]["Py"]["rho"], file["materials"]["Py"]["rho"])
    for kept, given in zip(stored["layers"], file["layers"]):
        assert kept["material"] == given["material"] and _same(kept["thickness"], given["thickness"])
    for kept, given in zip(stored["interfaces"][:2], file["interfaces"][:2]):
        assert _same(kept["AR"], given["AR"]) and kept["gamma"] == pytest.approx(given["gamma"], rel=1e-14)
        assert all(_same(a, b) for a, b in zip(kept["G_mix"], given["G_mix"]))
    assert "D" not in json.dumps(stored["materials"])  # the solver's numbers are not what a file says


def _negative_zeros(value) -> list:
    if isinstance(value, dict):
        return [z for v in value.values() for z in _negative_zeros(v)]
    if isinstance(value, list):
        return [z for v in value for z in _negative_zeros(v)]
    if isinstance(value, float) and value == 0.0 and math.copysign(1.0, value) < 0:
        return [value]
    if isinstance(value, str) and value.split(" ")[0] in ("-0", "-0.0"):
        return [value]
    return []


def test_no_negative_zero_in_the_stack_attribute(sot_line):
    stored = _stored(sot_line)
    assert stored["current"] == "0 A/m^2" and _negative_zeros(stored) == []
    assert stored["field"] == ["0 V/m", "20000 V/m", "0 V/m"]  # the file's 1e11 A/m^2 in Pt of 200 nOhm m
    reduced = ss.Stack([ss.Layer(ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0), 1.0, [0, 0, 1]),
                        ss.Layer(ss.Normal("N", D=3.0, l=10.0), 2.0)], current=-0.0)
    assert _negative_zeros(_stored(ss.sweep(reduced, {"materials.F.p": [0.5]}))) == []


def _every_feature_si_stacks() -> list[ss.Stack]:
    """SI stacks with what describe() has to turn back into file keys: coherent F (l_J, l_phi, D_perp),
    theta_SH, an insulator end, leads (one magnetic), resistive and transparent interfaces with spin memory
    loss and mixing conductances, an in-plane field, l_sf = inf."""
    Pt = si.normal("Pt", rho="200 nOhm*m", l_sf="1.4 nm", theta_SH=0.068)
    Co = si.ferromagnet("Co", rho="150 nOhm*m", beta=0.4, l_sf="5 nm", l_J="1 nm", l_phi="2 nm", D_perp="1e7 S/m")
    Cu = si.normal("Cu", rho="5 nOhm*m", l_sf="inf")
    Py = si.ferromagnet("Py", rho="150 nOhm*m", beta=0.7, l_sf="5.5 nm")
    layers = [si.layer(Pt, "5 nm"), si.layer(Co, "1 nm", [0, 0.6, 0.8]), si.layer(Cu, "3 nm"),
              si.layer(Co, "2 nm", "normal")]
    interfaces = [si.interface(1, "0.5 fOhm*m^2", 0.7, ["5e14 S/m^2", "1e13 S/m^2"], 0.2),
                  si.interface(2, "0 fOhm*m^2", 0.0, ["inf", "0 S/m^2"])]
    e2 = si.ELECTRON_CHARGE**2
    insulator = ss.Insulator([0, 1, 0], np.array([5e14, 1e13]) / e2, 1e12 / e2)
    return [si.stack(layers, None, insulator, current_density="0 A/m^2", interfaces=interfaces,
                     field=[0, "2e4 V/m", "-1e4 V/m"]),
            si.stack(layers, si.lead(Cu), si.lead(Py, [1, 0, 0]), current_density="-2e10 A/m^2",
                     interfaces=interfaces, field=[0, "2e4 V/m", 0])]


@pytest.mark.parametrize("stack", [*(ss.load_stack(path) for path in sorted(EXAMPLES.glob("*.toml"))),
                                   *_every_feature_si_stacks()],
                         ids=[*(path.name for path in sorted(EXAMPLES.glob("*.toml"))), "si-insulator", "si-leads"])
def test_the_stack_attribute_reads_back_as_the_same_stack(stack):
    name, material = next(iter(stack.materials.items()))  # a one-point sweep of a value the stack already has
    ds = ss.sweep(stack, {f"materials.{name}.D": [float(material.D)]}, variables="accumulation")
    text = ds.attrs["stack"]
    back = stack_from_dict(json.loads(text), "the sweep's stack attribute")
    assert back.units == stack.units and _negative_zeros(json.loads(text)) == []
    original, rebuilt = ss.solve(stack).reduced, ss.solve(back).reduced
    # 15 significant digits per stored quantity: the solution moves by no more than a few parts in 1e15
    for name in ("accumulation", "torque"):
        expected = getattr(original, name)
        np.testing.assert_allclose(getattr(rebuilt, name), expected, rtol=0,
                                   atol=1e-13 * np.max(np.abs(expected), initial=0.0), err_msg=name)
