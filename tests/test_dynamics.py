"""spinstack.dynamics and spinstack.critical_currents (src/spinstack/trajectories.py): the facade of MODEL.md 9.

The facade adds no numbers of its own: every trajectory must be macrospin.simulate's for the same macrospins
(compared to 0.0), every summary final_states' of that run, every critical current macrospin.stability's;
an ensemble member equals the single run with that parameter; blocks, files and Dask change nothing.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import signal
import time
import tracemalloc

import numpy as np
import pytest

import spinstack as ss
from spinstack import trajectories
from spinstack.errors import SpinstackError, StackError
from spinstack.macrospin import Macrospins, final_states, simulate
from spinstack.macrospin.stability import critical_currents as linear_stability
from spinstack.model.dynamics import Dynamics
from tests.data import FOLDER

VALVE = FOLDER / "free-valve.toml"
PY = 2
NUMBERS = ("m", "current", "resistance_area", "frequency", "switching_time", "critical_current", "reference")


@pytest.fixture(scope="module")
def stack() -> ss.Stack:
    return ss.load_stack(VALVE)


@pytest.fixture(scope="module")
def spins(stack) -> Macrospins:
    """Built by hand (not from the file's keys): the facade takes a Macrospins as well."""
    return Macrospins(stack, free=PY, Ms=7e5, alpha=0.03, K_u=4e3, easy_axis=(0, 0, 1), field=(0, 0, 0.02),
                      current=-1.5e11)


def same(a, b) -> None:
    """Equal to the last bit (NaN where NaN), dims and coordinates too."""
    assert a.dims == b.dims
    np.testing.assert_array_equal(np.asarray(a.values), np.asarray(b.values))


def close(a, b) -> None:
    """Equal but for the last bits: a stack path makes the stack a batch, whose torque the solver may take by
    another route than a single configuration's (1e-16 apart per evaluation, measured)."""
    assert a.dims == b.dims
    np.testing.assert_allclose(np.asarray(a.values, dtype=float), np.asarray(b.values, dtype=float), rtol=1e-12,
                               atol=1e-13)


def file_set(folder) -> set[str]:
    return set(os.listdir(folder))


# ------------------------------------------------------------------ one run: the numbers of simulate
def test_one_run_of_a_macrospins_is_simulate_to_the_last_bit(stack, spins):
    run = ss.dynamics(spins, duration=2e-10, save_every=1e-11)
    reference = simulate(stack, spins, 2e-10, 1e-11)
    for name in ("m", "current", "resistance_area"):
        same(run[name], reference[name])
    same(run.time, reference.time)
    summary = final_states(reference, spins)
    for name in ("state", "frequency", "switching_time"):
        same(run[name], summary[name])
    expected = linear_stability(stack, spins)[PY]
    np.testing.assert_array_equal(run.critical_current.sel(layer=PY).values, [expected["P"], expected["AP"]])
    np.testing.assert_array_equal(run.reference.values, [0.0, 0.0, 1.0])


def test_a_stack_file_runs_with_its_own_keys(stack):
    run = ss.dynamics(stack)
    spins = Macrospins.from_stack(stack)
    reference = simulate(stack, spins, stack.dynamics.duration, stack.dynamics.save_every)
    for name in ("m", "current", "resistance_area"):
        same(run[name], reference[name])
    assert run.attrs["duration"] == stack.dynamics.duration
    assert run.attrs["save_every"] == 1e-11
    assert run.sizes["time"] == 21
    # the arguments replace the file's durations
    short = ss.dynamics(stack, duration=5e-11, save_every=2.5e-11)
    np.testing.assert_array_equal(short.time.values, [0.0, 2.5e-11, 5e-11])
    same(short.m, simulate(stack, spins, 5e-11, 2.5e-11).m)


def test_tolerances_and_initial_state_reach_simulate(stack, spins):
    start = np.array([[0.3, 0.4, -0.866]])
    run = ss.dynamics(spins, duration=1e-10, save_every=1e-11, rtol=1e-7, atol=1e-9, initial=start)
    reference = simulate(stack, spins, 1e-10, 1e-11, rtol=1e-7, atol=1e-9, initial=start)
    same(run.m, reference.m)
    assert run.attrs["rtol"] == 1e-7 and run.attrs["atol"] == 1e-9


def test_the_dataset_carries_units_names_and_provenance(stack):
    run = ss.dynamics(stack, source=VALVE)
    for name in run.variables:
        if name in ("layer", "component", "configuration", "time") or name in run.data_vars:
            assert run[name].attrs["units"] and run[name].attrs["long_name"], name
    assert run.m.attrs["units"] == "1" and run.current.attrs["units"] == "A m-2"
    assert run.resistance_area.attrs["units"] == "ohm m2" and run.critical_current.attrs["units"] == "A m-2"
    assert run.frequency.attrs["units"] == "Hz" and run.switching_time.attrs["units"] == "s"
    assert run.time.attrs["units"] == "s"
    assert list(run.layer.values) == [PY] and list(run.component.values) == ["x", "y", "z"]
    assert list(run.configuration.values) == ["P", "AP"]
    attrs = run.attrs
    assert attrs["spinstack_kind"] == "dynamics" and attrs["spinstack_version"] == ss.__version__
    assert attrs["source"] == str(VALVE) and attrs["source_text"] == VALVE.read_text(encoding="utf-8")
    assert len(ss.io.stack_from_dict(json.loads(attrs["stack"]), "attrs").layers) == 3
    spins = json.loads(attrs["macrospins"])
    assert spins["free"] == [PY] and spins["Ms"] == {"value": [8e5], "unit": "A/m"} and spins["alpha"]["value"] == [0.02]
    assert spins["field"]["value"] == [0.0, 0.0, 0.01] and spins["current"]["value"] == -2e11
    assert attrs["rtol"] == 1e-9 and attrs["atol"] == 1e-11 and attrs["temperature"] == 0.0
    assert json.loads(attrs["reference_direction"]) == [0.0, 0.0, 1.0] and attrs["reference_layer"] == 0
    assert json.loads(attrs["vary"]) == []
    assert run.state.dims == ("layer",) and run.state.dtype.kind == "U"


def test_critical_currents_facade_is_linear_stability_of_the_files_macrospins(stack):
    found = ss.critical_currents(stack)
    expected = linear_stability(stack, Macrospins.from_stack(stack))
    assert found == {PY: {"P": expected[PY]["P"], "AP": expected[PY]["AP"]}}
    assert all(type(value) is float for value in found[PY].values())
    assert found[PY]["P"] < 0  # P is destabilised by electrons flowing from the free layer (J < 0 here, 9a)


def test_critical_currents_are_none_where_the_state_is_no_equilibrium(stack):
    tilted = Macrospins.from_stack(stack, field=(0, 0.01, 0.01))  # B_app off the reference axis
    assert ss.critical_currents(tilted) == {PY: {"P": None, "AP": None}}
    run = ss.dynamics(tilted, duration=2e-11, save_every=1e-11)
    assert np.isnan(run.critical_current.values).all()


# ------------------------------------------------------------------ ensembles
def test_every_member_of_an_ensemble_is_its_own_single_run(stack, spins):
    currents, fields = np.array([-2e11, 0.0, 1e11]), np.array([0.0, 0.03])
    run = ss.dynamics(spins, duration=1e-10, save_every=1e-11,
                      vary={"current": currents, "dynamics.field[2]": fields, "materials.Py.alpha": [0.01, 0.05]})
    assert run.m.dims == ("time", "current", "dynamics.field[2]", "materials.Py.alpha", "layer", "component")
    assert run.state.dims == ("current", "dynamics.field[2]", "materials.Py.alpha", "layer")
    assert run.critical_current.dims == ("current", "dynamics.field[2]", "materials.Py.alpha", "layer",
                                         "configuration")
    np.testing.assert_array_equal(run["current"].values, currents)  # a varied current is its coordinate
    np.testing.assert_array_equal(run["dynamics.field[2]"].values, fields)
    assert run["current"].attrs["units"] == "A m-2" and run["dynamics.field[2]"].attrs["units"] == "T"
    assert run["materials.Py.alpha"].attrs["units"] == "1"
    assert json.loads(run.attrs["vary"]) == ["current", "dynamics.field[2]", "materials.Py.alpha"]
    assert run.attrs["members"] == 12
    for i, j, k in [(0, 0, 0), (2, 1, 1), (1, 1, 0)]:
        member = dataclasses.replace(spins, current=currents[i], field=(0, 0, fields[j]), alpha=[0.01, 0.05][k])
        alone = ss.dynamics(member, duration=1e-10, save_every=1e-11)
        at = {"current": i, "dynamics.field[2]": j, "materials.Py.alpha": k}
        for name in ("m", "resistance_area", "state", "frequency", "switching_time", "critical_current"):
            same(run[name].isel(at), alone[name])


def test_a_varied_stack_parameter_reads_the_macrospins_again(stack):
    thickness = np.array([3e-9, 5e-9])
    run = ss.dynamics(stack, vary={"layers[2].thickness": thickness, "materials.Py.Ms": [6e5, 9e5]})
    for i, d in enumerate(thickness):
        for j, ms in enumerate([6e5, 9e5]):
            member = ss.model.paths.with_parameter(stack, "layers[2].thickness", d)
            alone = ss.dynamics(Macrospins.from_stack(member, Ms=ms), duration=2e-10, save_every=1e-11)
            at = {"layers[2].thickness": i, "materials.Py.Ms": j}
            for name in ("m", "current", "resistance_area", "switching_time", "critical_current"):
                close(run[name].isel(at), alone[name])
            same(run.state.isel(at), alone.state)


def test_a_file_key_varied_as_a_stack_path_reaches_the_macrospins(stack):
    # the easy axis is a key of the file's material, read by Macrospins.from_stack (not one of the facade's own
    # Macrospins paths): the macrospins are read again from each block's stack
    path, values = "materials.Py.easy_axis.theta", [0.0, 40.0]
    run = ss.dynamics(stack, duration=5e-11, vary={path: values})
    for i, value in enumerate(values):
        member = ss.model.paths.with_parameter(stack, path, value)
        close(run.m.isel({path: i}), ss.dynamics(member, duration=5e-11).m)
    assert np.abs(run.m.isel({path: 0}) - run.m.isel({path: 1})).max() > 1e-6  # and it does change the motion
    # and the free layer's starting direction, a key of its layer
    path = "layers[2].magnetization.theta"
    run = ss.dynamics(stack, duration=5e-11, vary={path: [10.0, 170.0]})
    for i, value in enumerate([10.0, 170.0]):
        member = ss.model.paths.with_parameter(stack, path, value)
        close(run.m.isel({path: i}), ss.dynamics(member, duration=5e-11).m)


def test_a_varied_reference_layer_gives_a_reference_per_member(stack):
    run = ss.dynamics(stack, duration=3e-11, vary={"layers[0].magnetization.theta": [0.0, 180.0]})
    np.testing.assert_allclose(run.reference.values, [[0, 0, 1], [0, 0, -1]], atol=1e-15)
    assert run.attrs["reference_direction"] == "per member: see reference"


def test_blocks_change_no_number(stack, spins):
    vary = {"current": np.linspace(-2e11, 2e11, 5), "dynamics.field[2]": [0.0, 0.01, 0.04]}
    whole = ss.dynamics(spins, duration=1e-10, save_every=1e-11, vary=vary)
    for chunk in (1, 2, 4, 7):
        blocks = ss.dynamics(spins, duration=1e-10, save_every=1e-11, vary=vary, chunk=chunk)
        for name in NUMBERS + ("state",):
            same(blocks[name], whole[name])
    # a stack path too (the stack a batch of the block's values)
    vary = {"layers[2].thickness": [3e-9, 4e-9, 5e-9], "materials.Py.Ms": [6e5, 9e5]}
    whole = ss.dynamics(stack, vary=vary)
    for chunk in (1, 4):
        blocks = ss.dynamics(stack, vary=vary, chunk=chunk)
        for name in NUMBERS + ("state",):
            same(blocks[name], whole[name])


# ------------------------------------------------------------------ files
@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_a_run_streamed_to_a_file_reopens_with_the_schema(spins, tmp_path, suffix):
    import xarray as xr

    vary = {"current": [-2e11, 1e11], "dynamics.field[2]": [0.0, 0.01, 0.02]}
    whole = ss.dynamics(spins, duration=1e-10, save_every=1e-11, vary=vary)
    target = tmp_path / f"traj{suffix}"
    with ss.dynamics(spins, duration=1e-10, save_every=1e-11, vary=vary, out=target, chunk=2) as lazy:
        assert lazy.m.encoding.get("source") or suffix == ".zarr"  # read from the file, not held in memory
    assert file_set(tmp_path) == {target.name}  # the temporary name is gone
    assert trajectories.is_dynamics_file(target)
    with xr.open_dataset(target, engine="h5netcdf" if suffix == ".nc" else "zarr") as reread:
        for name in NUMBERS:
            same(reread[name], whole[name])
            assert reread[name].attrs["units"] == whole[name].attrs["units"]
            assert reread[name].attrs["long_name"] == whole[name].attrs["long_name"]
        assert reread.state.dims == whole.state.dims
        assert reread.state.values.tolist() == whole.state.values.tolist()
        for coordinate in ("time", "layer", "component", "configuration", "dynamics.field[2]"):
            np.testing.assert_array_equal(reread[coordinate].values, whole[coordinate].values)
            assert reread[coordinate].attrs["units"] == whole[coordinate].attrs["units"]
        for key, value in whole.attrs.items():
            assert reread.attrs[key] == value, key


def test_dask_blocks_are_the_same_numbers(spins, tmp_path):
    import dask

    vary = {"current": [-2e11, 0.0, 1e11], "dynamics.field[2]": [0.0, 0.02]}
    whole = ss.dynamics(spins, duration=1e-10, save_every=1e-11, vary=vary)
    lazy = ss.dynamics(spins, duration=1e-10, save_every=1e-11, vary=vary, dask=True, chunk=2)
    assert lazy.m.chunks is not None  # nothing integrated yet
    with dask.config.set(scheduler="synchronous"):
        computed = lazy.compute()
    for name in NUMBERS + ("state",):
        same(computed[name], whole[name])
    with dask.config.set(scheduler="synchronous"):
        with ss.dynamics(spins, duration=1e-10, save_every=1e-11, vary=vary, dask=True, chunk=2,
                         out=tmp_path / "traj.nc") as stored:
            assert stored.m.chunks is not None
            same(stored.m.compute(), whole.m)


def test_streaming_holds_one_block_not_the_run(spins, tmp_path):
    """24 members x 1001 saved points: m alone is 0.58 MB, and the resistance-area solve of every saved point
    needs ~0.5 kB per point; streamed in blocks of 2 members the peak is a block's, about 1/12 of the whole."""
    vary = {"dynamics.field[2]": np.linspace(0.0, 0.05, 24)}
    size = 1001 * 24 * 3 * 8
    # the same runs once untraced first: whatever they compile or cache is not counted
    ss.dynamics(spins, duration=1e-11, save_every=1e-14, vary=vary, out=tmp_path / "w.nc", chunk=2).close()
    ss.dynamics(spins, duration=1e-11, save_every=1e-14, vary=vary)
    tracemalloc.start()
    try:
        ss.dynamics(spins, duration=1e-11, save_every=1e-14, vary=vary, out=tmp_path / "a.nc", chunk=2).close()
        _, streamed = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        ss.dynamics(spins, duration=1e-11, save_every=1e-14, vary=vary)
        _, held = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held > size  # the in-memory run holds it all
    assert streamed < held / 6, (streamed, held)


def test_an_interrupted_run_leaves_nothing_and_keeps_the_old_file(spins, tmp_path, monkeypatch):
    vary = {"current": [-2e11, 1e11], "dynamics.field[2]": [0.0, 0.01]}
    target = tmp_path / "traj.nc"
    ss.dynamics(spins, duration=3e-11, vary=vary, out=target).close()
    before = target.read_bytes()
    calls = []
    real = trajectories.simulate

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(trajectories, "simulate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ss.dynamics(spins, duration=6e-11, vary=vary, out=target, chunk=1)
    assert len(calls) == 2
    assert file_set(tmp_path) == {"traj.nc"} and target.read_bytes() == before
    calls.clear()
    with pytest.raises(KeyboardInterrupt):
        ss.dynamics(spins, duration=6e-11, vary=vary, out=tmp_path / "new.zarr", chunk=1)
    assert len(calls) == 2
    assert file_set(tmp_path) == {"traj.nc"}


@pytest.mark.parametrize("name", ["traj.nc", "traj.zarr"])
def test_the_integrator_is_compiled_before_the_file_exists(spins, tmp_path, name, monkeypatch):
    """numba compiles the integrator at its first call (minutes on a cold cache): that call now comes before the
    run's (temporary) file is created, so an interrupt or a kill while it compiles leaves nothing.  The first
    call here is slow, as a compilation is, and looks at the folder."""
    from spinstack.macrospin import integrate

    real = integrate.simulate
    seen: list[list[str]] = []

    def compiling(*args, **kwargs):
        seen.append(sorted(os.listdir(tmp_path)))
        if len(seen) == 1:
            time.sleep(0.5)  # compiling
        return real(*args, **kwargs)

    monkeypatch.setattr(integrate, "simulate", compiling)
    vary = {"current": [-2e11, 1e11, 3e11], "dynamics.field[2]": [0.0, 0.01]}
    run = ss.dynamics(spins, duration=3e-11, vary=vary, out=tmp_path / name, chunk=4)
    assert seen[0] == [] and any(seen[1:])  # the blocks write into the file, the first call came before it
    reference = ss.dynamics(spins, duration=3e-11, vary=vary, chunk=4)
    np.testing.assert_array_equal(run.m.values, reference.m.values)  # the warm-up changes no number
    assert file_set(tmp_path) == {name}


def test_a_signal_while_the_integrator_compiles_stops_at_once_with_nothing_written(spins, tmp_path, monkeypatch):
    """The command line holds signals until a block ends (then removes the file); before the file exists there is
    nothing to remove, and a Ctrl-C during a cold cache's minutes of compilation stops at once."""
    from spinstack._sweep import interrupt
    from spinstack.macrospin import integrate

    real = integrate.simulate

    def compiling(*args, **kwargs):
        interrupt.active()._note(signal.SIGINT, None)  # Ctrl-C while numba compiles
        return real(*args, **kwargs)

    monkeypatch.setattr(integrate, "simulate", compiling)
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("a block ran after the signal"))
    with pytest.raises(interrupt.Interrupted):
        with interrupt.deferred():  # as the command line holds it
            ss.dynamics(spins, duration=3e-11, vary={"current": [-2e11, 1e11]}, out=tmp_path / "traj.nc")
    assert file_set(tmp_path) == set()


@pytest.mark.parametrize("name", ["notes.nc", "store.zarr"])
def test_a_file_spinstack_did_not_write_is_never_replaced(spins, tmp_path, name, monkeypatch):
    target = tmp_path / name
    if name.endswith(".zarr"):
        target.mkdir()
        (target / "mine.txt").write_text("keep")
    else:
        target.write_text("keep")
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    with pytest.raises(SpinstackError, match="exists and is not a spinstack dynamics file"):
        ss.dynamics(spins, duration=3e-11, out=target)
    assert (target / "mine.txt" if name.endswith(".zarr") else target).read_text() == "keep"
    assert file_set(tmp_path) == {name}


@pytest.mark.parametrize("stray, kind", [
    ("NOTES.txt", "file"),  # the reported loss: a second --out z.zarr deleted the note (exit 0)
    ("m/notes.txt", "file"),  # inside an array folder
    ("m/c/0/0/7", "file"),  # a chunk key past the array's grid
    ("mine/zarr.json", "array"),  # a whole Zarr array the group's consolidated metadata does not name
])
def test_a_zarr_run_holding_anything_spinstack_did_not_write_is_never_replaced(spins, tmp_path, stray, kind,
                                                                               monkeypatch):
    pytest.importorskip("zarr")
    target = tmp_path / "run.zarr"
    ss.dynamics(spins, duration=3e-11, out=target).close()
    ss.dynamics(spins, duration=3e-11, out=target).close()  # its own earlier run is replaced
    member = target / stray
    member.parent.mkdir(parents=True, exist_ok=True)
    if kind == "array":
        member.write_text((target / "current" / "zarr.json").read_text())
        shown = "mine"
    else:
        member.write_text("precious")
        shown = stray
    before = sorted(str(p.relative_to(target)) for p in target.rglob("*"))
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    with pytest.raises(SpinstackError, match=f"run.zarr: exists and holds {shown!r}, which spinstack does not "
                                             "write; spinstack replaces only files it wrote"):
        ss.dynamics(spins, duration=6e-11, out=target)
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == before
    assert file_set(tmp_path) == {"run.zarr"}
    with ss.trajectories.open_dynamics(target) as old:
        assert old.attrs["duration"] == 3e-11


def test_a_run_too_large_for_memory_is_refused_with_its_size(spins, monkeypatch):
    monkeypatch.setattr(trajectories, "_memory_total", lambda: 10 ** 5)
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    # 1002 saved points x 2 members x (m: 3 + J, R: 2) x 8 bytes
    with pytest.raises(SpinstackError, match=r"the run's trajectories need 80\.2 kB \(2 members x 1002 saved points x 40 "
                                             r"bytes\), more than this machine's memory \(100 kB\) allows: stream them "
                                             r"to a file \(out= in Python, --out on the command line; \.nc or \.zarr\)"):
        ss.dynamics(spins, duration=1e-10, save_every=1e-13, vary={"current": [1e10, 2e10]})


# ------------------------------------------------------------------ progress
def test_progress_reaches_a_callable_from_inside_the_blocks(spins, monkeypatch):
    seen = []
    real = trajectories.simulate

    def reporting(*args, progress, **kwargs):  # simulate's own reports (MODEL: fraction of the slowest member)
        progress(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(trajectories, "_takes_progress", lambda: True)
    monkeypatch.setattr(trajectories, "simulate", reporting)
    ss.dynamics(spins, duration=2e-11, vary={"current": [1e10, 2e10, 3e10, 4e10]}, chunk=2, progress=seen.append)
    assert seen == [0.25, 0.5, 0.75, 1.0]


def test_progress_true_draws_a_bar_on_stderr(spins, capsys):
    ss.dynamics(spins, duration=2e-11, progress=True)
    assert "dynamics" in capsys.readouterr().err
    ss.dynamics(spins, duration=2e-11, progress=False)
    ss.dynamics(spins, duration=2e-11)  # not a terminal: silent
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------ bad input, before any work
@pytest.mark.parametrize("arguments, message", [
    ({"duration": 0.0}, "duration: must be a finite number > 0"),
    ({"duration": -1e-9}, "duration: must be a finite number > 0"),
    ({"duration": math.inf}, "duration: must be a finite number > 0"),
    ({"save_every": 0.0}, "save_every: must be a finite number > 0"),
    ({"rtol": -1.0}, "rtol: must be a finite number > 0"),
    ({"chunk": 0}, "chunk: must be a whole number >= 1"),
    ({"vary": {"bogus": [1.0]}}, "bogus: unknown parameter path; dynamics varies current"),
    ({"vary": {"dynamics.field": [1.0]}}, "dynamics.field: a vector cannot be varied as numbers"),
    ({"vary": {"dynamics.field[3]": [1.0]}}, r"dynamics.field\[3\]: the applied field has components"),
    ({"vary": {"dynamics.duration": [1e-9]}}, "dynamics.duration: is one for the whole ensemble"),
    ({"vary": {"materials.Co.Ms": [1e5]}}, "materials.Co.Ms: no free layer is made of 'Co'"),
    ({"vary": {"layers[0].alpha": [0.1]}}, r"layers\[0\].alpha: layer 0 is not a free layer"),
    ({"vary": {"materials.Py.Ms": [8e5, -1.0]}}, "materials.Py.Ms: must be > 0"),
    ({"vary": {"layers[1].thickness": [1e-9, -1e-9]}}, r"layers\[1\].thickness: must be > 0"),
    ({"vary": {"current": []}}, "current: no values"),
    ({"vary": {"current": [[1.0, 2.0]]}}, "current: values must be one-dimensional"),
    ({"vary": {"current": [np.nan]}}, "current: values must be finite"),
    ({"initial": np.ones((2, 3))}, "initial: must be"),
    ({"out": "traj.h5"}, "unknown file format '.h5'"),
    ({"duration": 1e-3}, r"duration: 0.001 s needs about \d\.\d+e\+\d+ integration steps per member"),
    ({"out": "/no/such/folder/traj.nc"}, "the folder '/no/such/folder' does not exist"),
])
def test_bad_input_is_refused_by_name_before_any_work(stack, arguments, message, monkeypatch):
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    with pytest.raises(SpinstackError, match=message):
        ss.dynamics(stack, **arguments)


def test_save_every_beyond_the_duration_is_refused_as_in_a_file(stack, monkeypatch):
    """save_every > duration: the file's rule and wording at the Python door too, wherever each value comes from
    (the call's or the file's: 0.2 ns and 10 ps); save_every == duration is a run of two points."""
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    assert stack.dynamics.duration == 2e-10 and stack.dynamics.save_every == 1e-11
    for keywords, duration, every in [({"save_every": 1e-9, "duration": 2e-10}, "2e-10", "1e-09"),
                                      ({"save_every": 1e-9}, "2e-10", "1e-09"), ({"duration": 5e-12}, "5e-12", "1e-11")]:
        with pytest.raises(SpinstackError) as refused:
            ss.dynamics(stack, **keywords)
        assert str(refused.value) == f"save_every: must be at most the duration ({duration} s), got {every} s"
    with pytest.raises(StackError) as refused:  # the file's own rule (model.dynamics.Dynamics), the same words
        Dynamics(duration=2e-10, save_every=1e-9)
    assert str(refused.value) == "dynamics.save_every: must be at most the duration (2e-10 s), got 1e-09 s"
    monkeypatch.undo()  # save_every == duration (the file's 10 ps): a run of its two ends
    assert ss.dynamics(stack, duration=1e-11).sizes["time"] == 2


def test_a_waveform_drive_is_not_varied_as_a_current(stack):
    pulse = Macrospins.from_stack(stack, current=[(0.0, 0.0), (1e-11, -2e11)])
    with pytest.raises(StackError, match="current: the drive is a piecewise-linear waveform"):
        ss.dynamics(pulse, vary={"current": [1e10]})
    run = ss.dynamics(pulse, duration=3e-11, save_every=1e-11)
    np.testing.assert_array_equal(run.current.values, [0.0, -2e11, -2e11, -2e11])


def test_a_stack_without_durations_or_free_layers_is_refused(spins):
    bare = dataclasses.replace(spins.stack, dynamics=None)
    with pytest.raises(SpinstackError, match="duration: not given, and the stack has no"):
        ss.dynamics(Macrospins.from_stack(bare))
    fixed = ss.load_stack(FOLDER.parent.parent / "examples" / "co-cu-py.toml")
    with pytest.raises(StackError, match="free: the stack has no free layer"):
        ss.dynamics(fixed, duration=1e-10)
    with pytest.raises(SpinstackError, match="already an ensemble"):
        ss.dynamics(dataclasses.replace(spins, current=[1e10, 2e10]), duration=1e-10)
    with pytest.raises(SpinstackError, match="takes a spinstack.Stack"):
        ss.dynamics("free-valve.toml")


@pytest.mark.slow
def test_dask_blocks_on_a_cluster_are_the_same_numbers(stack, tmp_path):
    """On a local cluster of two worker processes (spec TOOLING.md): the blocks travel by pickle and come back
    the same numbers, lazily and into a file."""
    distributed = pytest.importorskip("distributed")
    vary = {"current": [-2e11, 0.0, 1e11], "dynamics.field[2]": [0.0, 0.02]}
    whole = ss.dynamics(stack, vary=vary)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        computed = ss.dynamics(stack, vary=vary, dask=True, chunk=2).compute()
        with ss.dynamics(stack, vary=vary, dask=True, chunk=2, out=tmp_path / "traj.nc") as stored:
            stored = stored.compute()
    for name in NUMBERS + ("state",):
        same(computed[name], whole[name])
        same(stored[name], whole[name])


# ------------------------------------------------------------------ refusals before any work (review R1)
def only_free(tmp_path) -> ss.Stack:
    """The valve with its fixed Co layer made Cu: the free Py is the only F (no fixed F layer, no F lead)."""
    text = VALVE.read_text(encoding="utf-8").replace('material = "Co"\nthickness = "8 nm"\nmagnetization = [0, 0, 1]',
                                                     'material = "Cu"\nthickness = "8 nm"')
    path = tmp_path / "only-free.toml"
    path.write_text(text, encoding="utf-8")
    return ss.load_stack(path)


def test_too_many_saved_points_are_refused_before_any_array_on_every_door(stack, spins, tmp_path):
    """2e9 saved points (save_every 1e-18 s over 2 ns) would be 80 GB per member (16 GB for the times alone):
    refused with the numbers by the facade (with and without out), simulate and simulate_thermal, before any
    array of them exists and before any file."""
    from spinstack.macrospin import simulate_thermal
    from spinstack.macrospin.equation import MAX_SAVED_POINTS

    hot = dataclasses.replace(spins, temperature=300.0, area=1e-16, current=0.0)
    doors = {"dynamics, out": lambda: ss.dynamics(stack, duration=2e-9, save_every=1e-18, out=tmp_path / "huge.nc"),
             "dynamics": lambda: ss.dynamics(stack, duration=2e-9, save_every=1e-18),
             "simulate": lambda: simulate(stack, spins, 2e-9, 1e-18),
             "simulate_thermal": lambda: simulate_thermal(stack, hot, 2e-9, 1e-18, max_steps=1e30)}
    tracemalloc.start()
    try:
        for door, call in doors.items():
            with pytest.raises(SpinstackError, match=r"^save_every: 1e-18 s over a run of 2e-09 s saves 2e\+09 points "
                                                     r"per member \(80 GB of m, J and R per member\), more than "
                                                     r"MAX_SAVED_POINTS = 1e\+07"):
                call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1e9  # imports aside, nothing of the run's size (16 GB of saved times alone) was allocated
    assert list(tmp_path.iterdir()) == []
    assert MAX_SAVED_POINTS == 10_000_000
    # just above the cap, an ensemble: its total is named too
    with pytest.raises(SpinstackError, match=r"saves 1e\+07 points per member .*for the 3 members"):
        simulate(stack, dataclasses.replace(spins, current=np.array([1e11, 2e11, 3e11])), 1e-9 * 1.0000001, 1e-16)


def test_a_file_larger_than_the_free_disk_space_is_refused_with_its_size(stack, tmp_path, monkeypatch):
    """30 members x (at most 22 saved points, floor(20 intervals) + 2, x 40 bytes + the member's summary, 48
    bytes, and m_ref, 24): 28560 bytes."""
    from types import SimpleNamespace

    asked = []

    def disk(path, free=999):
        asked.append(os.fspath(path))
        return SimpleNamespace(total=10 ** 12, used=10 ** 12 - free, free=free)

    monkeypatch.setattr(trajectories.shutil, "disk_usage", disk)
    vary = {"current": np.linspace(1e11, 2e11, 30)}
    with pytest.raises(SpinstackError, match=r"big\.nc: the run's file would take about 28\.6 kB \(uncompressed\), "
                                             r"more than the 999 B free on the file system of "):
        ss.dynamics(stack, vary=vary, out=tmp_path / "big.nc")
    assert asked == [os.fspath(tmp_path.resolve())]
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(trajectories.shutil, "disk_usage", lambda path: disk(path, 28560))  # just enough
    with ss.dynamics(stack, vary=vary, out=tmp_path / "big.nc") as run:
        assert run.sizes["time"] == 21 and run.sizes["current"] == 30


def test_a_block_larger_than_memory_is_refused_with_out_too(stack, tmp_path, monkeypatch):
    """With out= the blocks are still held in memory: one too large is refused with its numbers."""
    monkeypatch.setattr(trajectories, "_memory_total", lambda: 1000)  # 750 bytes allowed; a member is (at most) 22 x 40
    with pytest.raises(SpinstackError, match=r"^a block of 1 member x 22 saved points needs 880 B in memory, more "
                                             r"than this machine's memory \(1 kB\) allows: save fewer points"):
        ss.dynamics(stack, out=tmp_path / "traj.nc")
    with pytest.raises(SpinstackError, match=r"need 880 B \(1 member x 22 saved points x 40 bytes\).*out= in "
                                             r"Python, --out on the command line"):
        ss.dynamics(stack)
    assert list(tmp_path.iterdir()) == []


def test_without_a_fixed_f_both_python_doors_say_so_and_take_a_reference(tmp_path):
    alone = only_free(tmp_path)
    with pytest.raises(SpinstackError, match="^no fixed F to be parallel to: every F layer is free and no F lead"):
        ss.critical_currents(alone)
    run = ss.dynamics(alone)
    assert np.isnan(run.critical_current.values).all()
    assert run.attrs["critical_current_note"].startswith("no fixed F to be parallel to")
    assert run.attrs["reference_origin"] == "no fixed F: the first free layer's starting m"
    # reference= on both doors: the thresholds of m_ref = +z exist (the field and the axis are along z)
    given = ss.critical_currents(alone, reference=(0, 0, 2))
    spins = Macrospins.from_stack(alone)
    assert given == {PY: {s: v for s, v in linear_stability(alone, spins, reference=(0, 0, 1))[PY].items()}}
    steered = ss.dynamics(alone, reference=(0, 0, 2))
    assert steered.attrs["reference_origin"] == "given (reference=)" and "critical_current_note" not in steered.attrs
    np.testing.assert_array_equal(steered.reference.values, [0.0, 0.0, 1.0])
    for state, value in given[PY].items():
        expected = np.nan if value is None else value
        np.testing.assert_array_equal(steered.critical_current.sel(layer=PY, configuration=state).values, expected)
    with pytest.raises(SpinstackError, match=r"^reference: must be a non-zero 3-vector"):
        ss.dynamics(alone, reference=(0, 0, 0))


def test_an_f_lead_is_the_reference_of_the_run(tmp_path):
    """The valve's fixed Co layer as a Co lead on the left: P/AP and the thresholds refer to the lead's m."""
    text = VALVE.read_text(encoding="utf-8")
    text = text.replace('material = "Co"\nthickness = "8 nm"\nmagnetization = [0, 0, 1]',
                        'material = "Cu"\nthickness = "8 nm"')
    text = text.replace('[left]\nkind = "lead"\nmaterial = "Cu"', '[left]\nkind = "lead"\nmaterial = "Co"\n'
                                                                  'magnetization = [0, 0, -1]')
    path = tmp_path / "f-lead.toml"
    path.write_text(text, encoding="utf-8")
    lead = ss.load_stack(path)
    run = ss.dynamics(lead)
    assert run.attrs["reference_origin"] == "the left F lead" and run.attrs["reference_layer"] == -1
    np.testing.assert_array_equal(run.reference.values, [0.0, 0.0, -1.0])
    expected = ss.critical_currents(lead)[PY]
    assert all(value is not None for value in expected.values())
    np.testing.assert_array_equal(run.critical_current.sel(layer=PY).values, [expected["P"], expected["AP"]])


def test_bad_vary_values_and_fields_are_named_plainly(stack):
    with pytest.raises(StackError, match=r"^materials\.Py\.Ms: must be > 0 \(A/m\), got values from -1000 to 900000$"):
        ss.dynamics(stack, vary={"materials.Py.Ms": np.linspace(-1e3, 9e5, 3)})
    for vary in ({"dynamics.field.z": [0.0, 1e300]}, {"dynamics.field[0]": [2e3]}):
        with pytest.raises(StackError, match=r"^dynamics\.field\.z|^dynamics\.field\[0\]") as caught:
            ss.dynamics(stack, vary=vary)
        assert "|B_app| must be at most 1000 T" in str(caught.value)
    with pytest.raises(StackError, match=r"dynamics\.field\[0\|1\|2\] \(or dynamics\.field\.x\|y\|z\)"):
        ss.dynamics(stack, vary={"dynamics.nothing.here": [1.0]})


# ------------------------------------------------------------------ realizations of the thermal noise (issue 15)
SHORT = dict(duration=1e-10, save_every=2e-11)


@pytest.fixture(scope="module")
def hot(stack) -> ss.Stack:
    """The valve at 300 K without a drive: the torque is 0 at every stage, the compiled thermal kernel runs."""
    from spinstack.model.paths import with_parameter

    warm = with_parameter(with_parameter(stack, "dynamics.area", 1e-16), "dynamics.temperature", 300.0)
    return with_parameter(warm, "current", 0.0)


def test_realizations_are_the_last_dimension_of_every_member_variable(hot):
    run = ss.dynamics(hot, realizations=3, vary={"dynamics.field[2]": [0.0, 0.01]}, **SHORT)
    for name in ("m", "current", "resistance_area", "state", "frequency", "switching_time", "critical_current",
                 "reference"):
        dims = run[name].dims
        assert dims[dims.index("dynamics.field[2]") + 1] == "realization", (name, dims)
    np.testing.assert_array_equal(run["realization"].values, [0, 1, 2])
    assert run.attrs["realizations"] == 3 and run.attrs["members"] == 6
    assert json.loads(run.attrs["vary"]) == ["dynamics.field[2]"]  # the varied parameters only
    # linear stability and m_ref do not see the noise: the same for every realization
    for name in ("critical_current", "reference"):
        for r in (1, 2):
            same(run[name].isel(realization=r), run[name].isel(realization=0))


def test_realizations_reproduce_differ_and_do_not_depend_on_blocks_or_their_number(hot):
    four = ss.dynamics(hot, realizations=4, **SHORT)
    same(four.m, ss.dynamics(hot, realizations=4, **SHORT).m)  # the same seed: the same numbers
    same(four.m, ss.dynamics(hot, realizations=4, chunk=1, **SHORT).m)  # blocks of one realization
    # realization r alone (N = r + 1) is realization r of a larger N, to the last bit
    same(ss.dynamics(hot, realizations=2, **SHORT).m, four.m.isel(realization=slice(0, 2)))
    end = four.m.isel(time=-1, layer=0).values
    apart = np.abs(end[:, None] - end[None, :]).max(axis=-1)
    assert np.min(apart[np.triu_indices(4, 1)]) > 1e-4, apart  # every pair of realizations differs
    other = dataclasses.replace(hot, dynamics=dataclasses.replace(hot.dynamics, seed=(hot.dynamics.seed or 0) + 7))
    assert np.max(np.abs(ss.dynamics(other, realizations=4, **SHORT).m.values - four.m.values)) > 1e-4


def test_realization_r_of_a_configuration_is_the_same_whatever_else_is_varied(hot):
    """The file's Py (alpha = 0.02) alone and inside an ensemble varying alpha, in blocks of two members: the
    same realizations to the last bit at the same step dt (the default step depends on every configuration)."""
    alone = ss.dynamics(hot, realizations=3, **SHORT)
    inside = ss.dynamics(hot, realizations=3, vary={"materials.Py.alpha": [0.01, 0.02, 0.05]}, chunk=2,
                         dt=alone.attrs["dt"], **SHORT)
    assert inside.attrs["dt"] == alone.attrs["dt"]
    same(inside.m.sel({"materials.Py.alpha": 0.02}), alone.m)
    # common random numbers: the other configurations' realizations are driven by the same noise, not equal
    assert np.max(np.abs(inside.m.isel({"materials.Py.alpha": 0}).values - alone.m.values)) > 1e-6


def test_a_thermal_ensemble_in_blocks_is_the_whole_ensemble_and_simulates_numbers(hot):
    """Without realizations each member's noise is keyed by its flat index in the whole ensemble, and every
    block runs at the ensemble's one step: blocks of one member give the whole run's numbers (before, each block
    keyed its members from 0, so every block of one member drew the same noise)."""
    vary = {"materials.Py.alpha": [0.01, 0.02, 0.05]}
    whole = ss.dynamics(hot, vary=vary, **SHORT)
    same(whole.m, ss.dynamics(hot, vary=vary, chunk=1, **SHORT).m)
    reference = simulate(hot, Macrospins.from_stack(hot, alpha=np.array([[0.01], [0.02], [0.05]])), **SHORT)
    np.testing.assert_array_equal(reference.m.values, whole.m.values)
    assert reference.attrs["dt"] == whole.attrs["dt"]


def test_realizations_of_a_driven_run_take_the_exact_torque(stack):
    """With a current (numpy stochastic Heun, the exact torque at every stage) the blocks change nothing too."""
    from spinstack.model.paths import with_parameter

    warm = with_parameter(with_parameter(stack, "dynamics.area", 1e-16), "dynamics.temperature", 300.0)
    options = dict(duration=1e-11, save_every=5e-12, realizations=2)
    whole = ss.dynamics(warm, vary={"current": [-2e11, 2e11]}, **options)
    same(whole.m, ss.dynamics(warm, vary={"current": [-2e11, 2e11]}, chunk=1, **options).m)
    assert np.max(np.abs(whole.m.isel(realization=0).values - whole.m.isel(realization=1).values)) > 0


def test_thermal_equilibrium_over_realizations_is_boltzmanns(stack):
    """1000 realizations of one configuration started isotropic (K_u V / k_B T = 0.5, B_z = 5 mT, alpha = 1,
    J = 0, the thin film's demagnetizing field) after 8 ns: the share ending with m_z > 0 and the mean m_z against
    Boltzmann's distribution exp(-E V / k_B T) over the sphere (E of macrospin.fields.energy: over phi in closed
    form, on a 4001-point grid in m_z).  Bounds: 4 standard errors, binomial sqrt(p (1 - p) / N) for the share and
    std / sqrt(N) for the mean (the realizations are independent)."""
    from scipy.special import i0e

    from spinstack.macrospin.spec import MU0
    from spinstack.macrospin.thermal import BOLTZMANN
    from spinstack.model.paths import with_parameter

    temperature, K_u, Ms, thickness, field, count = 300.0, 5e3, 8e5, 4e-9, 5e-3, 1000
    area = 0.5 * BOLTZMANN * temperature / (K_u * thickness)
    warm = with_parameter(with_parameter(stack, "current", 0.0), "materials.Py.alpha", 1.0)
    warm = with_parameter(with_parameter(warm, "dynamics.field.z", field), "dynamics.area", area)
    warm = with_parameter(warm, "dynamics.temperature", temperature)
    start = np.random.default_rng(7).normal(size=(count, 1, 3))
    run = ss.dynamics(warm, duration=8e-9, save_every=4e-9, realizations=count, initial=start)
    m_z = run.m.isel(time=-1, layer=0).sel(component="z").values
    # E V / k_B T = -k c^2 - h c + b cos^2(phi) with c = m_z and the demagnetizing b = mu0 Ms^2 (1 - c^2) V / (2 k_B T):
    # over phi, the integral of exp(-b cos^2 phi) is 2 pi exp(-b/2) I0(b/2) = 2 pi i0e(b/2) (the 4001 x 8000 grid
    # this replaces gave the same share and mean to 1e-15, in ~10 s)
    c = np.linspace(-1.0, 1.0, 4001)
    per_kT = area * thickness / (BOLTZMANN * temperature)
    demagnetizing = 0.5 * MU0 * Ms ** 2 * (1 - c ** 2) * per_kT
    log_weight = (K_u * c ** 2 + Ms * field * c) * per_kT + np.log(i0e(demagnetizing / 2))
    weight = np.exp(log_weight - log_weight.max())
    share = float(weight[c > 0].sum() / weight.sum())
    mean = float((weight * c).sum() / weight.sum())
    error = math.sqrt(share * (1 - share) / count)
    assert abs(np.mean(m_z > 0) - share) < 4 * error, (np.mean(m_z > 0), share, error)
    assert abs(np.mean(m_z) - mean) < 4 * np.std(m_z, ddof=1) / math.sqrt(count), (np.mean(m_z), mean)
    assert 0.6 < share < 0.7  # the field's bias is resolved: 1/2 would be 9 errors away


@pytest.mark.parametrize("keywords, message", [
    (dict(realizations=0), "realizations: must be a whole number >= 1"),
    (dict(realizations=2.5), "realizations: must be a whole number >= 1"),
    (dict(realizations=True), "realizations: must be a whole number >= 1"),
    (dict(realizations=3, dt=-1e-13), "dt: must be a finite number > 0"),
])
def test_bad_realizations_are_refused_before_any_work(hot, keywords, message, monkeypatch):
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    with pytest.raises(SpinstackError, match=message):
        ss.dynamics(hot, **SHORT, **keywords)


@pytest.mark.parametrize("keywords, message", [
    (dict(realizations=3), r"^realizations: the run is at 0 K \(no temperature > 0\): it is deterministic"),
    (dict(dt=1e-13), r"^dt: the fixed step of a thermal run; this run is at 0 K"),
])
def test_realizations_and_a_step_are_refused_at_zero_kelvin(stack, keywords, message, monkeypatch):
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    with pytest.raises(SpinstackError, match=message) as raised:
        ss.dynamics(stack, **SHORT, **keywords)
    assert "\n" not in str(raised.value)


# ------------------------------------------------------------------ the waveform's amplitude (issue 15)
PULSE = '[["0.05 ns", "0 A/m^2"], ["0.06 ns", "-3e11 A/m^2"], ["0.12 ns", "-3e11 A/m^2"], ["0.13 ns", "0 A/m^2"]]'


def pulsed(tmp_path, name: str, pulse: str = PULSE, extra: str = "") -> ss.Stack:
    target = tmp_path / name
    target.write_text(VALVE.read_text(encoding="utf-8") + f"waveform = {pulse}\n{extra}", encoding="utf-8")
    return ss.load_stack(target)


def test_waveform_scale_is_the_waveform_with_its_currents_multiplied(tmp_path):
    doubled = ss.dynamics(pulsed(tmp_path, "doubled.toml", PULSE.replace("-3e11", "-6e11")))
    written = pulsed(tmp_path, "plain.toml")
    for run in (ss.dynamics(pulsed(tmp_path, "scaled.toml", extra="waveform_scale = 2\n")),
                ss.dynamics(written, vary={"dynamics.waveform_scale": [0.5, 2.0]}).sel(
                    {"dynamics.waveform_scale": 2.0}),
                # a varied scale replaces the file's, it does not multiply it
                ss.dynamics(pulsed(tmp_path, "twice.toml", extra="waveform_scale = 3\n"),
                            vary={"dynamics.waveform_scale": [2.0]}).isel({"dynamics.waveform_scale": 0}),
                # macrospins built by hand: their own waveform is scaled
                ss.dynamics(Macrospins.from_stack(written), vary={"dynamics.waveform_scale": [2.0]}).isel(
                    {"dynamics.waveform_scale": 0})):
        for name in ("m", "current", "resistance_area", "switching_time"):
            same(run[name], doubled[name])
    varied = ss.dynamics(written, vary={"dynamics.waveform_scale": [0.5, 2.0]})
    assert varied["dynamics.waveform_scale"].attrs["units"] == "1"
    assert float(varied.current.min()) == -6e11 and float(varied.current.max()) == 0.0


@pytest.mark.parametrize("vary, message", [
    ({"dynamics.waveform_scale": [1.0, np.inf]}, "dynamics.waveform_scale: values must be finite"),
    ({"dynamics.waveform_scale": [1e300]}, "dynamics.waveform_scale: scales the waveform's currents beyond"),
    ({"current": [1e11]}, "a constant current cannot be varied with it; vary its amplitude with "
                          "dynamics.waveform_scale"),
])
def test_bad_waveform_scales_are_refused_by_name(tmp_path, vary, message, monkeypatch):
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    with pytest.raises(StackError, match=message):
        ss.dynamics(pulsed(tmp_path, "plain.toml"), vary=vary)


def test_a_waveform_scale_without_a_waveform_is_refused(stack, monkeypatch):
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    with pytest.raises(StackError, match=r"^dynamics.waveform_scale: no waveform to scale"):
        ss.dynamics(stack, vary={"dynamics.waveform_scale": [1.0, 2.0]})


# ------------------------------------------------------------------ review F3: names, drives and messages
@pytest.mark.parametrize("vary, message", [
    ({"dynamics.field.z": [0.0, 0.1], "dynamics.field[2]": [-0.5]},
     r"^dynamics.field\[2\]: dynamics.field.z and dynamics.field\[2\] name the same parameter: vary it once$"),
    ({"dynamics.field[0]": [0.0], "dynamics.field.x": [0.01]},
     r"^dynamics.field.x: dynamics.field\[0\] and dynamics.field.x name the same parameter: vary it once$"),
    ({"materials.Py.Ms": [4e5, 1.6e6], "layers[2].Ms": [8e5]},
     r"^layers\[2\].Ms: materials.Py.Ms and layers\[2\].Ms name the same parameter: vary it once$"),
    ({"layers[-1].K_u": [1e3], "materials.Py.K_u": [2e3]},
     r"^materials.Py.K_u: layers\[-1\].K_u and materials.Py.K_u name the same parameter: vary it once$"),
    ({"layers[2].alpha": [0.01, 0.5], "layers[-1].alpha": [0.01]},
     r"^layers\[-1\].alpha: layers\[2\].alpha and layers\[-1\].alpha name the same parameter: vary it once$"),
    ({"layers[1].thickness": [5e-9], "layers[-2].thickness": [8e-9]},
     r"^layers\[-2\].thickness: layers\[1\].thickness and layers\[-2\].thickness name the same parameter"),
])
def test_one_parameter_under_two_names_is_refused_before_any_work(stack, vary, message, monkeypatch):
    """The later name used to win silently (the first one's values never reached the run)."""
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    with pytest.raises(StackError, match=message):
        ss.dynamics(stack, vary=vary)


def test_a_varied_temperature_without_an_area_names_the_key_to_give(stack, monkeypatch):
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    with pytest.raises(StackError, match=r"^dynamics.temperature: values > 0 need dynamics.area, the pillar area A"):
        ss.dynamics(stack, vary={"dynamics.temperature": [0.0, 300.0]})


def test_the_step_count_refusal_says_what_each_door_can_change(stack, monkeypatch):
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    with pytest.raises(SpinstackError) as raised:
        ss.dynamics(stack, duration=1e-3)
    message = str(raised.value)
    assert "shorten the run (--duration; duration= in Python)" in message and "in Python a looser rtol=" in message
    assert "fastest precession, up to 2.93e+10 Hz" in message  # gamma (B_K + B_app + mu0 Ms): 1.05 T here


#: a pulse between two saved points (every 10 ps): J(t) saved is 0 at every one of them
HIDDEN = '[["0.101 ns", "0 A/m^2"], ["0.103 ns", "-3e11 A/m^2"], ["0.107 ns", "-3e11 A/m^2"], ["0.109 ns", "0 A/m^2"]]'


def test_a_pulse_between_the_saved_points_is_still_a_waveform_run(tmp_path):
    """The drive reported is the waveform's own over [0, duration], not J at the saved times (review F3: a pulse
    missed by the saved points made JSON "current": 0.0, the summary "current: 0 A/m^2")."""
    from spinstack.io import dynamics_to_dict

    run = ss.dynamics(pulsed(tmp_path, "hidden.toml", HIDDEN), out=tmp_path / "hidden.nc")
    try:
        assert np.all(run.current.values == 0.0)  # what the saved points show
        assert run.attrs["drive"] == "waveform"
        assert trajectories.drive_range(run) == (-3e11, 0.0)
        data = dynamics_to_dict(run)
        assert data["current"] is None and data["current_range"] == [-3e11, 0.0]
        assert "\n  current: waveform from -3e+11 A/m^2 to 0 A/m^2\n" in trajectories.format_summary(run)
        # a file written before the attribute: the waveform of its macrospins attribute
        older = run.copy()
        del older.attrs["drive"], older.attrs["waveform_range"]
        assert trajectories.drive_range(older) == (-3e11, 0.0)
    finally:
        run.close()


def test_the_drive_range_is_the_waveforms_over_the_run_times_each_scale(tmp_path, stack):
    from spinstack.io import dynamics_to_dict

    # a pulse after the end of the run: a waveform run at 0 (held at its first value)
    late = ss.dynamics(pulsed(tmp_path, "late.toml", HIDDEN.replace("0.10", "0.50")))
    assert trajectories.drive_range(late) == (0.0, 0.0) and dynamics_to_dict(late)["current"] is None
    # a ramp cut by the end of the run: its value at t = duration
    ramp = ss.dynamics(pulsed(tmp_path, "ramp.toml", '[["0 ns", "0 A/m^2"], ["0.4 ns", "-4e11 A/m^2"]]'))
    assert trajectories.drive_range(ramp) == (-2e11, 0.0)
    # a varied scale multiplies each member's waveform (and replaces the file's)
    varied = ss.dynamics(pulsed(tmp_path, "scaled.toml", HIDDEN, extra="waveform_scale = 5\n"),
                         vary={"dynamics.waveform_scale": [-1.0, 2.0]})
    assert trajectories.drive_range(varied) == (-6e11, 3e11)
    assert dynamics_to_dict(varied)["current_range"] == [-6e11, 3e11]
    assert trajectories.drive_range(varied.sel({"dynamics.waveform_scale": -1.0})) == (0.0, 3e11)
    assert "  current: waveform from -6e+11 A/m^2 to 3e+11 A/m^2 (over the members)\n" in \
        trajectories.format_summary(varied)
    # a constant drive stays one
    constant = ss.dynamics(stack, duration=2e-11)
    assert constant.attrs["drive"] == "constant" and trajectories.drive_range(constant) is None
    assert dynamics_to_dict(constant)["current"] == -2e11


def test_the_magnetization_figure_of_a_hidden_pulse_names_the_waveform(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from spinstack.plot.dynamics import plot_magnetization

    fig = plot_magnetization(ss.dynamics(pulsed(tmp_path, "hidden.toml", HIDDEN)))
    try:
        title = fig.axes[0].get_title()
        assert title.startswith("waveform drive $J$ from $-3") and "constant drive" not in title, title
    finally:
        plt.close(fig)
