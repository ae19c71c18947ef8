"""Labelled sweeps (spinstack.sweep): values equal direct solves, blocks do not change a bit, files round-trip.

References: every sampled value is the library's own unbatched :func:`spinstack.solve`
(or :func:`spinstack.analysis.efficiency` for theta sweeps) at that configuration.
"""

from __future__ import annotations

import importlib
import dataclasses
import json
import re
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")
pytest.importorskip("h5py")

import spinstack as ss  # noqa: E402
from spinstack.analysis import efficiency, with_angle  # noqa: E402
from spinstack.cli import main  # noqa: E402
from spinstack.model.paths import with_parameter  # noqa: E402
from spinstack.sweeps import open_sweep, parse_range  # noqa: E402

sweep_module = importlib.import_module("spinstack.sweeps")

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed-fnf.toml"
FN_CONTACT = ROOT / "examples" / "fn-contact.toml"


@pytest.fixture(scope="module")
def seed() -> ss.Stack:
    return ss.load_stack(SEED)


THETA = np.linspace(0.0, 180.0, 13)
P2 = np.linspace(-0.9, 0.9, 7)
SPACER = np.array([0.5, 1.0, 2.5, 4.0])
GRID = {"theta": THETA, "materials.F2.p": P2, "layers[1].thickness": SPACER}


def _direct(stack: ss.Stack, theta: float | None = None, **paths: float) -> ss.Solution:
    for path, value in paths.items():
        stack = with_parameter(stack, path, value)
    if theta is not None:
        stack = with_angle(stack, theta)
    return ss.solve(stack)


# ------------------------------------------------------------------ values
def test_sampled_values_equal_direct_solves(seed, rng):
    ds = ss.sweep(seed, GRID)
    assert dict(ds.sizes) == {"theta": 13, "materials.F2.p": 7, "layers[1].thickness": 4, "layer": 3, "node": 4,
                              "component": 3}
    for _ in range(12):
        i, j, k = rng.integers(13), rng.integers(7), rng.integers(4)
        solution = _direct(seed, THETA[i], **{"materials.F2.p": P2[j], "layers[1].thickness": SPACER[k]})
        g = solution.efficiency()
        at = ds.isel(theta=i, **{"materials.F2.p": j, "layers[1].thickness": k})
        for name in ("g1", "g2", "g1_field", "g2_field"):
            np.testing.assert_allclose(at[name].values, getattr(g, name), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(at.torque.values, solution.torque, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(at.accumulation.values, solution.accumulation, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(at.resistance_area.values, solution.resistance_area, rtol=1e-14)
        np.testing.assert_allclose(at.spin_resistance_area.values, solution.spin_resistance_area, rtol=1e-13)


def test_theta_sweep_equals_analysis_efficiency(seed):
    theta = np.linspace(0.0, 180.0, 361)
    ds = ss.sweep(seed, {"theta": theta})
    expected = efficiency(seed, theta)
    for name in ("g1", "g2", "g1_field", "g2_field"):
        np.testing.assert_array_equal(ds[name].values, getattr(expected, name))


def test_other_paths_current_and_magnetization_angles(seed):
    ds = ss.sweep(seed, {"current": [-2.0, 0.5], "layers[2].magnetization.phi": [0.0, 90.0],
                         "materials.N.l": [3.0, np.inf]})
    solution = _direct(seed, **{"current": -2.0, "layers[2].magnetization.phi": 90.0, "materials.N.l": np.inf})
    at = ds.isel(current=0, **{"layers[2].magnetization.phi": 1, "materials.N.l": 1})
    np.testing.assert_allclose(at.torque.values, solution.torque, rtol=1e-13, atol=1e-15)
    assert ds["layers[2].magnetization.phi"].attrs["units"] == "degree"


def test_zipped_axis_is_the_diagonal_of_the_outer_product(seed):
    values = np.linspace(0.1, 0.8, 6)
    outer = ss.sweep(seed, {"materials.F1.p": values, "materials.F2.p": values[::-1], "theta": [30.0, 120.0]})
    zipped = ss.sweep(seed, {("materials.F1.p", "materials.F2.p"): (values, values[::-1]), "theta": [30.0, 120.0]})
    dim = "materials.F1.p,materials.F2.p"
    assert zipped.g2.dims == (dim, "theta")
    assert zipped["materials.F2.p"].dims == (dim,)
    np.testing.assert_array_equal(zipped["materials.F2.p"].values, values[::-1])
    index = np.arange(6)
    for name in ("g1", "g2", "torque", "accumulation", "resistance_area"):
        diagonal = outer[name].values[index, index]
        np.testing.assert_array_equal(zipped[name].values, diagonal)


def test_theta_turns_m2_after_the_other_paths(seed):
    """theta is the angle to whatever m1 the sweep sets: here m1 tilted to 90 degrees."""
    ds = ss.sweep(seed, {"layers[0].magnetization.theta": [90.0], "theta": [40.0]})
    tilted = with_parameter(seed, "layers[0].magnetization.theta", 90.0)
    np.testing.assert_array_equal(ds.g2.values.reshape(()), efficiency(tilted, 40.0).g2)


def test_interfaces_and_units_survive_a_theta_sweep(seed):
    with_interface = dataclasses.replace(seed, interfaces=[ss.Interface(1, 2.0, 1.0, g_mix=[1.5, 0.1])])
    ds = ss.sweep(with_interface, {"theta": [0.0, 45.0, 180.0]})
    turned = dataclasses.replace(with_angle(with_interface, 45.0), interfaces=with_interface.interfaces)
    solution = ss.solve(turned)
    np.testing.assert_allclose(ds.torque.values[1], solution.torque, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(ds.g2.values[1], solution.efficiency().g2, rtol=1e-13)


def test_si_current_is_swept_as_the_charge_current_density():
    """An SI file's `current` is J in A/m^2; a sweep of `current` over an SI stack takes and labels it the same
    way (j0 = J / e inside, MODEL.md 7), so the point J = 1e11 A/m^2 is the file's own solution."""
    stack = ss.load_stack(ROOT / "examples" / "co-cu-py.toml")  # current = "1e11 A/m^2"
    ds = ss.sweep(stack, {"current": [-1e11, 1e11]})
    assert ds.current.attrs["units"] == "A m-2" and "charge current density J" in ds.current.attrs["long_name"]
    own = ss.solve(stack).torque  # an SI solution reports J/m^2, as the sweep
    np.testing.assert_allclose(ds.torque.values[1], own, rtol=1e-13, atol=1e-30)
    np.testing.assert_allclose(ds.torque.values[0], -own, rtol=1e-13, atol=1e-30)


def test_si_stack_reports_si_units():
    from spinstack import si

    Co = si.ferromagnet("Co", rho="60 nOhm*m", beta=0.46, l_sf="60 nm")
    Cu = si.normal("Cu", rho="5 nOhm*m", l_sf="450 nm")
    stack = si.stack([si.layer(Co, "4 nm", [0, 0, 1]), si.layer(Cu, "10 nm"), si.layer(Co, "4 nm", [1, 0, 0])],
                     current_density="1e11 A/m^2")
    ds = ss.sweep(stack, {"layers[1].thickness": [5e-9, 1e-8]})
    assert ds.attrs["units_system"] == "SI"
    assert (ds.accumulation.attrs["units"], ds.torque.attrs["units"], ds.resistance_area.attrs["units"]) == \
        ("eV", "J m-2", "ohm m2")
    assert ds["layers[1].thickness"].attrs["units"] == "m" and ds.g2.attrs["units"] == "1"
    solution = ss.solve(stack)  # its spacer is 10 nm; an SI solution reports what the sweep stores
    np.testing.assert_allclose(ds.accumulation.values[1], solution.accumulation, rtol=1e-13)
    np.testing.assert_allclose(ds.torque.values[1], solution.torque, rtol=1e-13, atol=1e-30)
    np.testing.assert_allclose(ds.resistance_area.values[1], solution.resistance_area, rtol=1e-13)
    np.testing.assert_allclose(ds.torque.values[1], si.report(solution.reduced.torque, "torque"), rtol=1e-13, atol=1e-30)


# -------------------------------------------------------------- labels
def test_coordinates_units_descriptions_and_provenance(seed):
    ds = ss.sweep(seed, {"theta": [0.0, 90.0], "materials.F2.p": [0.2, 0.4]}, source=SEED)
    assert ds.torque.dims == ("theta", "materials.F2.p", "layer", "component")
    assert ds.accumulation.dims == ("theta", "materials.F2.p", "node", "component")
    assert list(ds.component.values) == ["x", "y", "z"]
    assert list(ds.material.values) == ["F1", "N", "F2"] and ds.material.dims == ("layer",)
    assert list(ds.node.values) == [0, 1, 2, 3]
    for name, variable in ds.data_vars.items():
        assert {"units", "long_name", "description"} <= set(variable.attrs), name
        assert variable.attrs["description"]
    assert ds.g2.attrs["units"] == "1" and ds.torque.attrs["units"] == "reduced"
    assert ds.theta.attrs["units"] == "degree" and ds["materials.F2.p"].attrs["long_name"] == "polarization p of F2"
    assert ds.attrs["spinstack_version"] == ss.__version__
    assert ds.attrs["units_system"] == "reduced"
    assert ds.attrs["source"] == str(SEED) and ds.attrs["source_text"] == SEED.read_text()
    assert json.loads(ds.attrs["sweep"]) == {"theta": ["theta"], "materials.F2.p": ["materials.F2.p"]}
    described = json.loads(ds.attrs["stack"])
    assert described["materials"]["F2"]["p"] == 0.5 and described["layers"][1]["thickness"] == 2.0


def test_single_f_stack_has_no_efficiencies_and_variables_subset():
    stack = ss.load_stack(FN_CONTACT)
    ds = ss.sweep(stack, {"materials.F.p": [0.2, 0.5]})
    assert set(ds.data_vars) == {"torque", "accumulation", "resistance_area", "spin_resistance_area"}
    only = ss.sweep(stack, {"materials.F.p": [0.2, 0.5]}, variables=["resistance_area"])
    assert set(only.data_vars) == {"resistance_area"} and "layer" not in only.coords
    np.testing.assert_array_equal(only.resistance_area.values, ds.resistance_area.values)
    with pytest.raises(ss.SpinstackError, match="g2 is not defined for this stack"):
        ss.sweep(stack, {"materials.F.p": [0.2]}, variables="g2")


# --------------------------------------------------------------- blocks
def test_chunked_equals_unchunked_bit_for_bit(seed):
    whole = ss.sweep(seed, GRID, chunk_size=10**6)
    for chunk_size in (5, 7, 28, 29, 100):
        xr.testing.assert_identical(ss.sweep(seed, GRID, chunk_size=chunk_size), whole)
    small = {"theta": THETA[::4], "materials.F2.p": P2[::3]}
    xr.testing.assert_identical(ss.sweep(seed, small, chunk_size=1), ss.sweep(seed, small))


def test_block_grid_tiles_the_sweep(seed):
    from spinstack._sweep.plan import Plan, parse_axes

    plan = Plan(parse_axes(seed, GRID), 10)  # 13 x 7 x 4: blocks of 2 x 4 along the middle axis
    assert plan.split == (1, 2) and plan.block_shape == (1, 2, 4)
    covered = np.zeros(plan.shape, dtype=int)
    for _, region in plan.regions():
        covered[region] += 1
        assert covered[region].size <= 10
    assert (covered == 1).all() and plan.n_blocks == 13 * 4


def test_dask_without_a_cluster_is_lazy_and_identical(seed):
    pytest.importorskip("dask")
    lazy = ss.sweep(seed, GRID, dask=True, chunk_size=20)
    assert type(lazy.g2.data).__module__.startswith("dask")
    assert lazy.torque.data.chunks[:3] == ((1,) * 13, (5, 2), (4,))
    xr.testing.assert_identical(lazy.compute(), ss.sweep(seed, GRID))


def test_stack_pickles_for_workers(seed):
    import pickle

    again = pickle.loads(pickle.dumps(seed))
    assert again.batch_shape == () and np.array_equal(ss.solve(again).torque, ss.solve(seed).torque)


# ---------------------------------------------------------------- files
@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_file_round_trip(seed, tmp_path, suffix):
    if suffix == ".zarr":
        pytest.importorskip("zarr")
    target = tmp_path / f"result{suffix}"
    memory = ss.sweep(seed, GRID, source=SEED)
    for chunk_size in (30, 10**6):
        with ss.sweep(seed, GRID, out=target, chunk_size=chunk_size, source=SEED) as streamed:
            xr.testing.assert_identical(streamed.load(), memory)
        with open_sweep(target) as reopened:
            xr.testing.assert_identical(reopened.load(), memory)
    reader = xr.open_zarr if suffix == ".zarr" else xr.open_dataset
    with reader(target) as plain:  # plain xarray reads it too, without warnings
        np.testing.assert_array_equal(plain.g2.values, memory.g2.values)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left behind


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_failed_sweep_leaves_the_old_file(seed, tmp_path, suffix, monkeypatch):
    if suffix == ".zarr":
        pytest.importorskip("zarr")
    target = tmp_path / f"result{suffix}"
    ss.sweep(seed, {"theta": [0.0, 90.0]}, out=target).close()
    calls = []

    def failing(job):
        calls.append(job)
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return evaluate(job)

    from spinstack._sweep import runners
    from spinstack._sweep.evaluate import evaluate

    monkeypatch.setattr(runners, "evaluate", failing)
    with pytest.raises(RuntimeError, match="worker lost"):
        ss.sweep(seed, GRID, out=target, chunk_size=10)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    with open_sweep(target) as old:
        assert dict(old.sizes)["theta"] == 2


def test_peak_memory_follows_the_block_not_the_sweep(seed, tmp_path):
    """Streaming to a file: numpy's peak allocation is set by chunk_size, the sweep's size does not matter."""

    def peak(points: int, chunk_size: int) -> int:
        side = int(np.sqrt(points))
        grid = {"theta": np.linspace(0.0, 180.0, side), "materials.F2.p": np.linspace(0.01, 0.99, side)}
        tracemalloc.start()
        try:
            ss.sweep(seed, grid, out=tmp_path / f"{points}-{chunk_size}.nc", chunk_size=chunk_size).close()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    ss.sweep(seed, {"theta": [0.0]}, out=tmp_path / "warm-up.nc").close()  # imports are not the sweep's memory
    # few blocks each: tracemalloc slows every Python allocation down, and a block makes many
    small, large = peak(60**2, 2_000), peak(120**2, 2_000)
    wider = peak(120**2, 8_000)
    assert large < 1.3 * small  # 4 times the points, the same peak
    assert wider > 2.0 * large  # 4 times the block, a larger peak
    assert large < 2_000 * 4_000  # a few kB per configuration of the block


def test_in_memory_result_too_large_is_refused_before_solving(seed, monkeypatch):
    monkeypatch.setattr(sweep_module, "_MEMORY_SHARE", 1e-12)
    with pytest.raises(ss.SpinstackError, match="stream it to disk with out="):
        ss.sweep(seed, {"theta": [0.0, 1.0]})


# ------------------------------------------------------------- progress
def test_progress_bar_only_when_asked_or_on_a_terminal(seed, capsys):
    ss.sweep(seed, {"theta": np.linspace(0, 180, 50)}, chunk_size=10)
    assert capsys.readouterr().err == ""  # stderr is not a terminal here
    ss.sweep(seed, {"theta": np.linspace(0, 180, 50)}, chunk_size=10, progress=True)
    err = capsys.readouterr().err
    assert "sweep" in err and "50/50" in err
    ss.sweep(seed, {"theta": np.linspace(0, 180, 50)}, chunk_size=10, progress=False)
    assert capsys.readouterr().err == ""


def test_automatic_bar_waits_a_second_on_a_terminal(monkeypatch):
    from spinstack._sweep import progress

    monkeypatch.setattr(progress, "_is_terminal", lambda: True)
    bar = progress.progress_bar(10, None)
    assert bar.delay == progress.DELAY and not bar.disable
    bar.close()
    monkeypatch.setattr(progress, "_is_terminal", lambda: False)
    assert isinstance(progress.progress_bar(10, None), progress._Silent)


# ---------------------------------------------------------- bad input
@pytest.mark.parametrize("parameters, message", [
    ({"materials.F9.p": [0.1]}, "materials.F9.p: no material named 'F9'"),
    ({"layers[7].thickness": [1.0]}, r"layers\[7\].thickness: no such layer"),
    ({"layers[1].colour": [1.0]}, r"layers\[1\].colour: unknown parameter"),
    ({"layers[1].thickness": [1.0, -2.0]}, r"layers\[1\].thickness: must be > 0, got -2.0"),
    ({"materials.F2.p": [0.5, 1.0]}, "materials.F2.p: "),
    ({"layers[2].magnetization": [1.0]}, r"layers\[2\].magnetization: a direction .* cannot be swept"),
    ({"materials.F2.p": []}, "materials.F2.p: no sweep values"),
    ({"materials.F2.p": [[0.1, 0.2]]}, "must be one-dimensional"),
    ({"materials.F2.p": [0.1, np.nan]}, "must not be NaN"),
    ({"materials.F2.p": ["a"]}, "sweep values must be numbers"),
    ({("materials.F1.p", "materials.F2.p"): ([0.1, 0.2], [0.3])}, "zipped values must have equal lengths"),
    ({("materials.F1.p", "materials.F2.p"): [0.1, 0.2, 0.3]}, "one array of values per path"),
    ({"materials.F2.p": [0.1], ("theta", "materials.F2.p"): ([1.0], [0.2])}, "materials.F2.p: swept twice"),
    ({}, "non-empty mapping"),
])
def test_bad_parameters_fail_before_anything_is_solved(seed, parameters, message):
    with pytest.raises(ss.SpinstackError, match=message):
        ss.sweep(seed, parameters)


def test_other_bad_input(seed, tmp_path):
    with pytest.raises(ss.StackError, match="theta: the angle between m1 and m2 needs exactly two F layers"):
        ss.sweep(ss.load_stack(FN_CONTACT), {"theta": [10.0]})
    batched = with_parameter(seed, "materials.F2.p", [0.1, 0.2])
    with pytest.raises(ss.SpinstackError, match="single-configuration stack"):
        ss.sweep(batched, {"theta": [10.0]})
    with pytest.raises(ss.SpinstackError, match="chunk_size must be a positive integer"):
        ss.sweep(seed, {"theta": [10.0]}, chunk_size=0)
    with pytest.raises(ss.SpinstackError, match="unknown sweep file format '.csv'"):
        ss.sweep(seed, {"theta": [10.0]}, out=tmp_path / "x.csv")
    with pytest.raises(ss.SpinstackError, match="does not exist"):
        ss.sweep(seed, {"theta": [10.0]}, out=tmp_path / "missing" / "x.nc")
    with pytest.raises(ss.SpinstackError, match="unknown variable 'g3'"):
        ss.sweep(seed, {"theta": [10.0]}, variables=["g3"])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text, message", [
    ("theta", "expected PATH=START:STOP:NUM"),
    ("theta=0:180", "expected START:STOP:NUM"),
    ("theta=a:180:3", "START and STOP must be numbers"),
    ("theta=0:180:2.5", "NUM must be a whole number"),
    ("theta=0:180:0", "NUM must be at least 1"),
    ("theta=0:inf:3", "must be finite"),
])
def test_parse_range_rejects(text, message):
    with pytest.raises(ss.SpinstackError, match=message):
        parse_range(text)


def test_parse_range():
    path, values = parse_range("layers[1].thickness=0.5:2:4")
    assert path == "layers[1].thickness"
    np.testing.assert_array_equal(values, [0.5, 1.0, 1.5, 2.0])
    np.testing.assert_array_equal(parse_range("theta=30:90:1")[1], [30.0])


# ------------------------------------------------------------------ CLI
def invoke(*arguments: str):
    return CliRunner().invoke(main, [str(a) for a in arguments])


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("spinstack: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_cli_sweep_then_plot_line_and_map(seed, tmp_path):
    line = tmp_path / "line.nc"
    result = invoke("sweep", SEED, "--vary", "theta=0:180:19", "--out", line)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(line) and result.stderr == ""
    with open_sweep(line) as saved:
        np.testing.assert_array_equal(saved.g2.values, efficiency(seed, np.linspace(0, 180, 19)).g2)
        assert saved.attrs["source"] == str(SEED)

    grid = tmp_path / "map.zarr"
    result = invoke("sweep", SEED, "--vary", "theta=0:180:7", "--vary", "materials.F2.p=-0.9:0.9:5",
                    "--out", grid, "--chunk-size", "4", "--variables", "g1,g2,torque")
    assert result.exit_code == 0, result.output
    with open_sweep(grid) as saved:
        assert set(saved.data_vars) == {"g1", "g2", "torque"}
        xr.testing.assert_identical(saved.load(), ss.sweep(seed, {"theta": np.linspace(0, 180, 7),
                                                                   "materials.F2.p": np.linspace(-0.9, 0.9, 5)},
                                                           variables=["g1", "g2", "torque"], source=str(SEED)))

    for source, extra, name in ((line, (), "line.png"), (grid, (), "map.png"),
                                (grid, ("--var", "torque", "--sel", "layer=2", "--sel", "component=x"), "t.svg"),
                                (line, ("--var", "torque", "--sel", "material=F2"), "t2.png")):
        figure = tmp_path / name
        result = invoke("plot", source, *extra, "--out", figure)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == str(figure) and figure.stat().st_size > 5_000


def test_cli_sweep_default_output_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("sweep", SEED, "--vary", "theta=0:90:3")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "seed-fnf-sweep.nc" and (tmp_path / "seed-fnf-sweep.nc").is_file()
    result = invoke("plot", "seed-fnf-sweep.nc")
    assert result.exit_code == 0 and (tmp_path / "seed-fnf-sweep-g2.png").is_file()


@pytest.mark.parametrize("arguments, fragments", [
    (("--vary", "materials.F9.p=0:1:3"), ("seed-fnf.toml", "--vary materials.F9.p: no material named 'F9'")),
    (("--vary", "layers[1].thickness=-1:1:3"), ("layers[1].thickness: must be > 0",)),
    (("--vary", "theta=0:180"), ("--vary 'theta=0:180': expected START:STOP:NUM",)),
    (("--vary", "theta=0:180:x"), ("NUM must be a whole number",)),
    (("--vary", "theta=0:1:2", "--vary", "theta=0:1:3"), ("a parameter is given twice",)),
    (("--vary", "theta=0:180:3", "--out", "x.txt"), ("unknown sweep file format '.txt'",)),
    (("--vary", "theta=0:180:3", "--variables", "g7"), ("unknown variable 'g7'",)),
])
def test_cli_sweep_bad_input(tmp_path, monkeypatch, arguments, fragments):
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(invoke("sweep", SEED, *arguments), *fragments)
    assert list(tmp_path.iterdir()) == []


def test_cli_sweep_needs_vary_and_a_readable_file(tmp_path):
    assert invoke("sweep", SEED).exit_code == 2  # click's usage error
    assert_one_line_error(invoke("sweep", tmp_path / "none.toml", "--vary", "theta=0:1:2"), "none.toml")


def test_cli_plot_of_a_sweep_bad_input(seed, tmp_path):
    cube = tmp_path / "cube.nc"
    ss.sweep(seed, GRID, out=cube).close()
    assert_one_line_error(invoke("plot", cube, "--out", tmp_path / "a.png"), "varies along 3 swept dimensions")
    assert_one_line_error(invoke("plot", cube, "--var", "g7", "--out", tmp_path / "a.png"), "no variable 'g7'")
    assert_one_line_error(invoke("plot", cube, "--var", "torque", "--sel", "theta=60", "--out", tmp_path / "a.png"),
                          "needs one value of layer and component")
    assert_one_line_error(invoke("plot", cube, "--sel", "colour=3", "--out", tmp_path / "a.png"), "select colour")
    assert_one_line_error(invoke("plot", tmp_path / "missing.nc"), "missing.nc: no such file")
    result = invoke("plot", cube, "--sel", "theta=60", "--out", tmp_path / "ok.png")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cube.nc", "ok.png"]


# ---------------------------------------------------------------- the in-plane drive (MODEL.md 8)
def test_sweep_of_a_spin_orbit_stack_over_the_heavy_metal_thickness():
    """tau_DL against d_Pt follows (hbar / 2|e|) theta_SH J (1 - sech(d/l)) (MODEL.md 8g limit 4, SI)."""
    from spinstack import si

    stack = ss.load_stack("examples/pt-co-sot.toml")
    d = np.linspace(0.5e-9, 10e-9, 7)
    ds = ss.sweep(stack, {"layers[0].thickness": d})
    assert {"tau_DL", "tau_FL", "smr_long", "smr_trans"} <= set(ds.data_vars)
    assert "resistance_area" not in ds  # no charge current crosses an open end
    assert ds.tau_DL.attrs["units"] == "J m-2"
    # the Pt current density is fixed by the file (1e11 A/m^2), so the field stays E = rho J
    # theta_SH = 0.068 and l_sf = 1.4 nm of Pt from the built-in library (arXiv:1410.1601, arXiv:1111.3702)
    expected = si.HBAR / (2 * si.ELEMENTARY_CHARGE) * 0.068 * 1e11 * (1 - 1 / np.cosh(d / 1.4e-9))
    np.testing.assert_allclose(ds.tau_DL.sel(layer=1).values, expected, rtol=1e-10)
    np.testing.assert_allclose(ds.tau_FL.sel(layer=1).values, 0.0, atol=1e-20)
    with pytest.raises(ss.SpinstackError, match="resistance_area is not defined"):
        ss.sweep(stack, {"layers[0].thickness": d}, variables=["resistance_area"])


def test_sweep_without_a_field_offers_no_in_plane_variables():
    stack = ss.load_stack("examples/seed-fnf.toml")
    with pytest.raises(ss.SpinstackError, match="tau_DL is not defined for this stack \\(no in-plane field\\)"):
        ss.sweep(stack, {"theta": [10.0, 20.0]}, variables=["tau_DL"])


@pytest.mark.parametrize(("address", "reason"), [("notanaddress", "not an address of the form tcp://HOST:PORT"),
                                                  ("tcp://127.0.0.1:1", "cannot connect")])
def test_cli_bad_scheduler_is_one_line(address, reason, tmp_path):
    """A malformed or unreachable --scheduler is the user's to fix: exit 2, one line (was an internal error)."""
    result = invoke("sweep", SEED, "--vary", "theta=0:180:5", "--out", tmp_path / "x.nc", "--scheduler", address)
    assert_one_line_error(result, f"scheduler {address!r}", reason)
    assert not any(tmp_path.iterdir())


def test_cli_unwritable_output_is_one_line():
    result = invoke("sweep", SEED, "--vary", "theta=0:180:5", "--out", "/proc/spinstack-test.nc")
    assert_one_line_error(result, "/proc/spinstack-test.nc: cannot write the sweep")


@pytest.mark.parametrize("paths", [("theta", "layers[2].magnetization.theta"), ("layers[1].thickness", "layers[-2].thickness"),
                                   ("theta", "layers[-1].magnetization.phi")])
def test_two_paths_that_set_the_same_parameter_are_refused(paths):
    """theta turns m2 as a whole; negative indices name the same layers: one of the two axes would do nothing."""
    stack = ss.load_stack(SEED)
    with pytest.raises(ss.StackError, match="sets the same parameter as another swept path"):
        ss.sweep(stack, {paths[0]: [0.5, 1.0], paths[1]: [1.0, 2.0]})
    ds = ss.sweep(stack, {"layers[2].magnetization.theta": [10.0, 20.0], "layers[2].magnetization.phi": [0.0, 30.0]})
    assert ds.g2.shape == (2, 2)  # theta and phi of one direction are independent


# ------------------------------------------------------------------ vectors: refused, swept by component
EXAMPLES = ROOT / "examples"


def _driven_valve() -> ss.Stack:
    """F1/Pt/F2 driven by a current and an in-plane field (the reviewer's full.toml in miniature)."""
    F1, F2 = ss.Ferromagnet("F1", D=1.0, p=0.5, l=2.0), ss.Ferromagnet("F2", D=1.3, p=0.3, l=3.0)
    spacer = ss.Normal("Pt", D=2.0, l=1.4, theta_SH=0.2)
    return ss.Stack([ss.Layer(F1, 1.5, ss.polar(10, 30)), ss.Layer(spacer, 2.0), ss.Layer(F2, 1.2, ss.polar(50, 20))],
                    current=1.0, field=[0.0, 0.7, 0.3])


@pytest.mark.parametrize("stack, path, values, alternatives", [
    ("valve", "field", [0.0, 0.5, 1.0], "field.y or field.z"),
    ("yig", "right.g_mix", [0.2, 1.5], "right.g_mix.real (g_r) or right.g_mix.imag (g_i)"),
    ("valve", "layers[2].magnetization", [0.0, 0.0, 1.0], "layers[2].magnetization.theta or "),
])
def test_a_vector_path_is_refused_and_its_components_named(stack, path, values, alternatives, tmp_path):
    """field with 3 values and g_mix with 2 were read as the vector itself: every point had the answer of
    field = [0, 0.5, 1] (or g_mix = [0.2, 1.5]), exit 0, in Python and on the command line."""
    stack = _driven_valve() if stack == "valve" else ss.load_stack(EXAMPLES / "yig-pt-smr.toml")
    with pytest.raises(ss.StackError, match=rf"^{re.escape(path)}: .*cannot be swept as numbers: sweep .*"
                                            rf"{re.escape(alternatives)}"):
        ss.sweep(stack, {path: values})
    source = tmp_path / "stack.toml"
    source.write_text(EXAMPLES.joinpath("yig-pt-smr.toml").read_text() if "g_mix" in path else VALVE_FILE)
    out = tmp_path / "out.nc"
    assert_one_line_error(invoke("sweep", source, "--vary", f"{path}=0:1:{len(values)}", "--out", out),
                          f"--vary {path}:", "cannot be swept as numbers", alternatives)
    assert not out.exists()


VALVE_FILE = """
current = 1.0
field = [0, 0.7, 0.3]
[materials.F1]
type = "ferromagnet"
D = 1.0
p = 0.5
l = 2.0
[materials.F2]
type = "ferromagnet"
D = 1.3
p = 0.3
l = 3.0
[materials.Pt]
type = "normal"
D = 2.0
l = 1.4
theta_SH = 0.2
[[layers]]
material = "F1"
thickness = 1.5
magnetization = { theta = 10, phi = 30 }
[[layers]]
material = "Pt"
thickness = 2.0
[[layers]]
material = "F2"
thickness = 1.2
magnetization = { theta = 50, phi = 20 }
"""


def test_the_field_is_swept_by_its_components():
    stack = _driven_valve()
    y, z = np.array([0.1, 0.55, 1.0]), np.array([-0.5, 0.0, 0.8])
    swept = ss.sweep(stack, {"field.y": y, "field.z": z})
    assert swept["field.y"].attrs["long_name"] == "in-plane field eps_y = e E_y"
    for i, j in np.ndindex(3, 3):
        direct = ss.solve(with_parameter(stack, "field", [0.0, y[i], z[j]]))
        np.testing.assert_allclose(swept.tau_DL.values[i, j], direct.spin_orbit_torque[0], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(swept.torque.values[i, j], direct.torque, rtol=1e-12, atol=1e-15)
    assert np.ptp(swept.tau_DL.values[:, 0, 0]) > 0.01  # not the same at every point


def test_an_insulator_mixing_conductance_is_swept_by_its_parts():
    stack = ss.load_stack(EXAMPLES / "yig-pt-smr.toml")
    g_r, g_i = np.array([0.2, 1.5]), np.array([0.0, 0.2, 1.0])
    swept = ss.sweep(stack, {"right.g_mix.real": g_r, "right.g_mix.imag": g_i})
    for i, j in np.ndindex(2, 3):
        direct = ss.solve(with_parameter(stack, "right.g_mix", [g_r[i], g_i[j]]))
        np.testing.assert_allclose(swept.smr_long.values[i, j], direct.smr.longitudinal, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(swept.smr_trans.values[i, j], direct.smr.transverse, rtol=1e-12, atol=1e-15)
    assert np.ptp(swept.smr_long.values[:, 0]) > 1e-3


def test_an_si_field_component_is_swept_as_the_electric_field(tmp_path):
    """pt-co-sot.toml drives its Pt with J = 1e11 A/m^2 at rho = 200 nOhm m: E = 2e4 V/m; tau is linear in E."""
    stack = ss.load_stack(EXAMPLES / "pt-co-sot.toml")
    swept = ss.sweep(stack, {"field.y": [2e4, 4e4]})
    assert swept["field.y"].attrs["units"] == "V m-1"
    tau = ss.solve(stack).spin_orbit_torque[0]
    np.testing.assert_allclose(swept.tau_DL.values[0], tau, rtol=1e-12)
    np.testing.assert_allclose(swept.tau_DL.values[1], 2 * tau, rtol=1e-12)
    out = tmp_path / "e.nc"
    result = invoke("sweep", EXAMPLES / "pt-co-sot.toml", "--vary", "field.y=20 kV/m:4e4 V/m:2", "--out", out)
    assert result.exit_code == 0, result.output
    with open_sweep(out) as saved:
        np.testing.assert_allclose(saved.tau_DL.values, swept.tau_DL.values, rtol=1e-14)


# ------------------------------------------------------------------ the command line: SI units, compact numbers
CO_CU_PY = EXAMPLES / "co-cu-py.toml"


def test_an_si_range_takes_units_and_refuses_bare_numbers():
    """A bare number in --vary was read in SI base units: layers[1].thickness=1:10:4 swept a 1-10 m spacer
    (g2 = 0, exit 0), while "1 nm:10 nm:4" was refused ("START and STOP must be numbers")."""
    si_stack, reduced = ss.load_stack(CO_CU_PY), ss.load_stack(SEED)
    path, values = parse_range("layers[1].thickness=1 nm:10 nm:4", si_stack)
    assert path == "layers[1].thickness"
    np.testing.assert_allclose(values, [1e-9, 4e-9, 7e-9, 1e-8], rtol=1e-15)
    np.testing.assert_allclose(parse_range("layers[1].thickness=10 Å:1e-8 m:2", si_stack)[1], [1e-9, 1e-8], rtol=1e-15)
    np.testing.assert_allclose(parse_range("current=1e10 A/m^2:1 GA/m^2:2", si_stack)[1], [1e10, 1e9], rtol=1e-15)
    np.testing.assert_allclose(parse_range("materials.Co.D=1e7 S/m:2e7 S/m:2", si_stack)[1],
                               [1e7 / ss.si.ELEMENTARY_CHARGE**2, 2e7 / ss.si.ELEMENTARY_CHARGE**2], rtol=1e-14)
    np.testing.assert_array_equal(parse_range("layers[1].thickness=0:0:1", si_stack)[1], [0.0])  # 0 is 0 in any unit
    # angles and p stay numbers (units allowed), as in files
    np.testing.assert_array_equal(parse_range("theta=0:180:3", si_stack)[1], [0.0, 90.0, 180.0])
    np.testing.assert_allclose(parse_range("materials.Co.p=10 %:50 %:2", si_stack)[1], [0.1, 0.5])
    np.testing.assert_array_equal(parse_range("materials.F2.p=0.1:0.5:2", reduced)[1], [0.1, 0.5])
    for text, stack, fragment in [
        ("layers[1].thickness=1:10:4", si_stack, "a bare number has no unit (a length in an SI stack): write the "
                                                 "range with one, e.g. layers[1].thickness=1 nm:10 nm:4 or 1 m:10 m:4"),
        ("current=1e10:1e12:3", si_stack, "e.g. current=1e+10 A/m^2:1e+12 A/m^2:3"),
        ("layers[1].thickness=1 A/m^2:10 nm:4", si_stack, "expected a length"),
        ("theta=0:1 nm:3", si_stack, "expected an angle"),
        ("layers[1].thickness=1 nm:10 nm:4", reduced, "quantities with units need an SI stack"),
        ("layers[1].thickness=1 nm:10 nm:4", None, "START and STOP must be numbers"),
    ]:
        with pytest.raises(ss.SpinstackError, match=re.escape(fragment)):
            parse_range(text, stack)


def test_cli_si_sweep_with_units(tmp_path):
    out = tmp_path / "t.nc"
    assert_one_line_error(invoke("sweep", CO_CU_PY, "--vary", "layers[1].thickness=1:10:4", "--out", out),
                          "co-cu-py.toml: --vary 'layers[1].thickness=1:10:4': a bare number has no unit")
    assert not out.exists()
    result = invoke("sweep", CO_CU_PY, "--vary", "layers[1].thickness=1 nm:10 nm:4", "--out", out)
    assert result.exit_code == 0, result.output
    stack = ss.load_stack(CO_CU_PY)
    with open_sweep(out) as saved:
        np.testing.assert_allclose(saved["layers[1].thickness"].values, [1e-9, 4e-9, 7e-9, 1e-8], rtol=1e-15)
        for index, thickness in enumerate(saved["layers[1].thickness"].values):
            direct = ss.solve(with_parameter(stack, "layers[1].thickness", thickness))
            np.testing.assert_allclose(saved.torque.values[index], direct.torque, rtol=1e-12, atol=1e-20)
        assert np.all(np.abs(saved.g2.values) > 0.01)  # a nm spacer: g2 far from the 0 of a metre of Cu


def test_a_huge_num_is_shown_compactly():
    """--vary NUM=1e300 printed the 301 digits of int(1e300) in its line."""
    for text, shown in (("theta=0:180:1e300", "NUM = 1e+300 values"),
                        ("theta=0:180:" + "1" * 400, "NUM = about 10^399")):
        with pytest.raises(ss.SpinstackError, match=re.escape(shown)) as caught:
            parse_range(text)
        assert len(str(caught.value)) < 250, str(caught.value)
