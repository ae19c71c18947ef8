"""What a sweep does around its solves: theta checked once (no turned stack built to validate it), each block's
stack turned once, files written without being read back, and the numbers those shortcuts must not change.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

import spinstack as ss  # noqa: E402
from spinstack._sweep import plan as plan_module  # noqa: E402
from spinstack.analysis import efficiency, with_angle  # noqa: E402
from spinstack.cli import main  # noqa: E402
from spinstack.sweeps import open_sweep, write_sweep  # noqa: E402

sweep_module = importlib.import_module("spinstack.sweeps")

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "seed-fnf.toml"


@pytest.fixture(scope="module")
def seed() -> ss.Stack:
    return ss.load_stack(SEED)


@pytest.fixture
def turns(monkeypatch):
    """How many angles each call of the sweep's turning of m2 received."""
    calls: list[int] = []
    original = plan_module.set_angle

    def counted(stack, theta):
        calls.append(int(np.size(theta)))
        return original(stack, theta)

    monkeypatch.setattr(plan_module, "set_angle", counted)
    return calls


@pytest.mark.parametrize("variables", [["g1", "g2", "g1_field"], None])
def test_a_theta_sweep_builds_no_stack_and_equals_direct_solves(seed, turns, monkeypatch, variables):
    """Theta alone: validated without turning m2, and every block solved by the prepared system (m2 turned in
    the solve): no Stack is built after the sweep's own."""
    built: list[int] = []
    original = ss.Stack.__post_init__
    monkeypatch.setattr(ss.Stack, "__post_init__", lambda self: built.append(1) or original(self))
    theta = np.linspace(0.0, 180.0, 1001)
    ds = ss.sweep(seed, {"theta": theta}, variables=variables, chunk_size=300)
    assert turns == [] and built == []
    monkeypatch.undo()
    direct = efficiency(seed, theta)
    for name in ("g1", "g2", "g1_field"):
        np.testing.assert_allclose(ds[name].values, getattr(direct, name), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(ds.g1_field.values[[0, -1]], direct.g1_field[[0, -1]])  # the limits
    if variables is None:
        solved = ss.solve(with_angle(seed, theta))
        for name in ("torque", "accumulation", "resistance_area", "spin_resistance_area"):
            np.testing.assert_allclose(ds[name].values, getattr(solved, name), rtol=1e-12, atol=1e-14)


def test_theta_with_other_axes_turns_each_block_once(seed, turns):
    parameters = {"materials.F2.p": np.linspace(0.1, 0.9, 5), "theta": np.linspace(0.0, 180.0, 7),
                  "layers[1].thickness": np.array([0.5, 2.0, 4.0])}
    ds = ss.sweep(seed, parameters, chunk_size=21)
    plan = plan_module.Plan(plan_module.parse_axes(seed, parameters), 21)
    assert turns == [7] * plan.n_blocks  # once per block, with the block's angles
    for i, p in enumerate(parameters["materials.F2.p"]):
        for k, d in enumerate(parameters["layers[1].thickness"]):
            stack = ss.model.paths.with_parameter(ss.model.paths.with_parameter(seed, "materials.F2.p", p),
                                                  "layers[1].thickness", d)
            direct = efficiency(stack, parameters["theta"])
            np.testing.assert_allclose(ds.g2.values[i, :, k], direct.g2, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("values, index", [([0.0, np.inf, 3.0], "(1,)"), ([-np.inf], "(0,)")])
def test_a_non_finite_angle_is_refused_by_its_path_in_one_line(seed, values, index):
    with pytest.raises(ss.StackError) as caught:
        ss.sweep(seed, {"theta": np.array(values)})
    assert caught.value.path == "theta"
    assert caught.value.reason == f"must be finite, got {'inf' if np.inf in values else '-inf'} at index {index}"
    assert "\n" not in str(caught.value)


def test_theta_of_touching_ferromagnets_is_still_refused_when_it_breaks_their_contact():
    F, N = ss.Ferromagnet("F", 1.0, 0.5, 2.0), ss.Normal("N", 3.0, 10.0)
    touching = ss.Stack([ss.Layer(N, 1.0), ss.Layer(F, 1.0, [0, 0, 1]), ss.Layer(F, 1.0, [0, 0, -1])])
    ds = ss.sweep(touching, {"theta": [0.0, 180.0]}, variables=["torque"])  # collinear: allowed
    assert ds.torque.shape == (2, 3, 3)
    with pytest.raises(ss.StackError, match="touch but are not collinear"):
        ss.sweep(touching, {"theta": [0.0, 90.0]})


def test_a_zipped_axis_with_theta_checks_its_other_paths(seed):
    with pytest.raises(ss.StackError) as caught:
        ss.sweep(seed, {("theta", "materials.F2.p"): ([10.0, 20.0], [0.5, 1.5])})
    assert caught.value.path == "materials.F2.p" and "index (1,)" in caught.value.reason


def test_write_sweep_writes_what_sweep_writes_and_returns_the_path(seed, tmp_path):
    parameters = {"theta": np.linspace(0.0, 180.0, 31), "materials.F2.p": np.array([0.2, 0.6])}
    path = write_sweep(seed, parameters, tmp_path / "written.nc", chunk_size=20)
    assert path == tmp_path / "written.nc" and path.is_file()
    with open_sweep(path) as written, ss.sweep(seed, parameters, out=tmp_path / "opened.nc", chunk_size=20) as opened:
        assert set(written.data_vars) == set(opened.data_vars)
        for name in written.data_vars:
            np.testing.assert_array_equal(written[name].values, opened[name].values)
        in_memory = ss.sweep(seed, parameters)
        for name in in_memory.data_vars:
            np.testing.assert_array_equal(written[name].values, in_memory[name].values)


def test_the_command_writes_the_file_without_opening_it(tmp_path, monkeypatch):
    opened: list[str] = []
    original = sweep_module.open_sweep
    monkeypatch.setattr(sweep_module, "open_sweep", lambda *a, **k: opened.append(str(a[0])) or original(*a, **k))
    target = tmp_path / "cli.nc"
    result = CliRunner().invoke(main, ["sweep", str(SEED), "--vary", "theta=0:180:19", "--out", str(target),
                                       "--variables", "g1,g2"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target) and opened == []
    with open_sweep(target) as ds:
        direct = efficiency(ss.load_stack(SEED), np.linspace(0.0, 180.0, 19))
        np.testing.assert_allclose(ds.g2.values, direct.g2, rtol=1e-12, atol=1e-15)


def test_an_si_sweep_in_memory_equals_its_file_bit_for_bit(tmp_path):
    """Blocks held in memory are converted into the result directly, blocks for a file through arrays of their
    own: both write the same numbers (SI report units, every variable, with an in-plane field)."""
    stack = ss.load_stack(ROOT / "examples" / "yig-pt-smr-si.toml")
    parameters = {"right.magnetization.phi": np.linspace(0.0, 180.0, 9), "layers[0].thickness": np.array([2e-9, 5e-9])}
    in_memory = ss.sweep(stack, parameters, chunk_size=4)
    path = write_sweep(stack, parameters, tmp_path / "si.nc", chunk_size=4)
    assert {"torque", "accumulation", "tau_DL", "smr_long"} <= set(in_memory.data_vars)
    with open_sweep(path) as written:
        for name in in_memory.data_vars:
            np.testing.assert_array_equal(written[name].values, in_memory[name].values, strict=True)
    for i, phi in enumerate(parameters["right.magnetization.phi"]):
        direct = ss.solve(ss.model.paths.with_parameter(ss.model.paths.with_parameter(
            stack, "right.magnetization.phi", phi), "layers[0].thickness", 5e-9))
        np.testing.assert_allclose(in_memory.accumulation.values[i, 1], direct.accumulation, rtol=1e-12, atol=0)
        np.testing.assert_allclose(in_memory.smr_long.values[i, 1], direct.smr.longitudinal, rtol=1e-12, atol=0)
