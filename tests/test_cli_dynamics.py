"""``spinstack dynamics FILE [--json] [--out traj.nc] [--vary PATH=START:STOP:NUM ...] [--duration ...]``.

The command prints what spinstack.dynamics computes (summary or STACK_FORMAT's JSON), writes its file only
when complete, and refuses bad input with one stderr line naming the file, the key and the reason, exit
status 2, nothing written.
"""

from __future__ import annotations

import json
import math
import os
import signal

import numpy as np
import pytest
from click.testing import CliRunner

import spinstack as ss
from spinstack import trajectories
from spinstack._sweep import interrupt
from spinstack.cli import main
from spinstack.io import dynamics_to_dict
from tests.data import FOLDER

VALVE = FOLDER / "free-valve.toml"
PY = 2
LAYER_KEYS = {"layer", "m_final", "state", "frequency", "switching_time", "critical_current"}


@pytest.fixture
def valve(tmp_path):
    """The free valve copied into an empty folder (so that "nothing written" can be checked by listing it)."""
    target = tmp_path / "valve.toml"
    target.write_text(VALVE.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def invoke(*arguments: str):
    return CliRunner().invoke(main, ["dynamics", *map(str, arguments)])


def assert_refused(result, file, *parts: str) -> None:
    """Nothing on stdout, one stderr line naming the file and each part, exit status 2."""
    assert result.exit_code == 2, (result.output, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("spinstack: error: "), result.stderr
    assert str(file) in lines[0]
    for part in parts:
        assert part in lines[0], (part, lines[0])


# ------------------------------------------------------------------ output
def test_the_summary_names_every_free_layers_state_and_thresholds(valve):
    result = invoke(valve)
    assert result.exit_code == 0, result.stderr
    run = ss.dynamics(ss.load_stack(valve))
    critical = run.critical_current.sel(layer=PY).values
    lines = result.stdout.splitlines()
    assert lines[0] == f"{valve}: macrospin dynamics of 1 free layer over 2e-10 s (21 saved points)"
    assert lines[1] == "  current: -2e+11 A/m^2"
    assert lines[2].startswith(f"  layer {PY}: {run.state.values[0]}, frequency ")
    assert f"P {ss.units.format_number(critical[0], 4)} A/m^2, AP {ss.units.format_number(critical[1], 4)} A/m^2" \
        in lines[3]
    assert "final m = [" in lines[3] and result.stderr == ""


def test_json_is_exactly_the_contract(valve):
    result = invoke(valve, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"layers", "duration", "current"}
    (layer,) = data["layers"]
    assert set(layer) == LAYER_KEYS
    assert layer["layer"] == PY and type(layer["layer"]) is int
    assert len(layer["m_final"]) == 3 and all(type(v) is float for v in layer["m_final"])
    assert abs(np.linalg.norm(layer["m_final"]) - 1) < 1e-12
    assert layer["state"] in ("P", "AP", "precession", "static", "undetermined")
    assert layer["frequency"] is None or type(layer["frequency"]) is float
    assert layer["switching_time"] is None or type(layer["switching_time"]) is float
    assert set(layer["critical_current"]) == {"P", "AP"}
    assert all(type(v) is float for v in layer["critical_current"].values())
    assert data["duration"] == ss.load_stack(valve).dynamics.duration and data["current"] == -2e11
    # the numbers of the Python API
    run = ss.dynamics(ss.load_stack(valve))
    assert data == json.loads(json.dumps(dynamics_to_dict(run)))
    np.testing.assert_array_equal(layer["m_final"], run.m.isel(time=-1).sel(layer=PY).values)
    assert layer["critical_current"]["P"] == ss.critical_currents(ss.load_stack(valve))[PY]["P"]


def test_json_of_an_ensemble_says_how_its_members_are_laid_out(valve):
    result = invoke(valve, "--json", "--vary", "current=-3e11 A/m^2:3e11 A/m^2:3", "--vary",
                    "dynamics.field[2]=0 mT:20 mT:2", "--duration", "0.1 ns")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"layers", "duration", "current", "vary", "members", "layout"}
    assert data["vary"] == [{"path": "current", "units": "A m-2", "values": [-3e11, 0.0, 3e11]},
                            {"path": "dynamics.field[2]", "units": "T", "values": [0.0, 0.02]}]
    assert data["members"] == 6 and "nested list" in data["layout"]
    (layer,) = data["layers"]
    assert set(layer) == LAYER_KEYS
    assert np.shape(layer["m_final"]) == (3, 2, 3) and np.shape(layer["state"]) == (3, 2)
    assert np.shape(layer["frequency"]) == (3, 2) and np.shape(layer["critical_current"]["AP"]) == (3, 2)
    assert data["current"] == [[-3e11, -3e11], [0.0, 0.0], [3e11, 3e11]]
    stack = ss.load_stack(valve)
    run = ss.dynamics(stack, duration=1e-10, vary={"current": np.linspace(-3e11, 3e11, 3),
                                                   "dynamics.field[2]": np.linspace(0, 0.02, 2)})
    np.testing.assert_array_equal(layer["m_final"], run.m.isel(time=-1, layer=0).values)
    assert layer["state"] == run.state.isel(layer=0).values.tolist()


def test_out_writes_a_netcdf_file_xarray_reopens_with_the_schema(valve, tmp_path):
    import xarray as xr

    target = tmp_path / "traj.nc"
    result = invoke(valve, "--out", target, "--vary", "materials.Py.alpha=0.01:0.05:3", "--chunk", "2")
    assert result.exit_code == 0, result.stderr
    assert f"  trajectories: {target}" in result.stdout and "layer 2: " in result.stdout
    assert sorted(os.listdir(tmp_path)) == ["traj.nc", "valve.toml"]
    whole = ss.dynamics(ss.load_stack(valve), vary={"materials.Py.alpha": np.linspace(0.01, 0.05, 3)})
    with xr.open_dataset(target, engine="h5netcdf") as reread:
        assert reread.attrs["spinstack_kind"] == "dynamics" and reread.attrs["source"] == str(valve)
        assert reread.m.dims == ("time", "materials.Py.alpha", "layer", "component")
        assert reread.critical_current.dims == ("materials.Py.alpha", "layer", "configuration")
        for name in ("m", "current", "resistance_area", "frequency", "switching_time", "critical_current"):
            np.testing.assert_array_equal(reread[name].values, whole[name].values)
            assert reread[name].attrs["units"] == whole[name].attrs["units"]
        assert reread.state.values.tolist() == whole.state.values.tolist()


def test_duration_and_save_every_replace_the_files(valve):
    result = invoke(valve, "--json", "--duration", "50 ps", "--save-every", "25 ps")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["duration"] == 5e-11


# ------------------------------------------------------------------ bad input: one line, exit 2, nothing written
@pytest.mark.parametrize("arguments, parts", [
    (["--duration", "0 ns"], ["--duration: must be > 0"]),
    (["--duration", "-1 ns"], ["--duration: must be > 0"]),
    (["--duration", "30"], ["--duration: a bare number has no unit"]),
    (["--duration", "3 m"], ["--duration: expected a time"]),
    (["--save-every", "0 s"], ["--save-every: must be > 0"]),
    (["--duration", "1 ms", "--out", "traj.nc"], ["duration: 0.001 s needs about", "integration steps per member"]),
    (["--vary", "bogus=1:2:3"], ["--vary bogus: unknown parameter path; dynamics varies current"]),
    (["--vary", "current=1:2:3"], ["--vary 'current=1:2:3': a bare number has no unit"]),
    (["--vary", "dynamics.field[2]=0:5:3"], ["dynamics.field[2]=0:5:3", "a bare number has no unit"]),
    (["--vary", "dynamics.field[2]=0 mT:5 mT:0"], ["NUM must be at least 1"]),
    (["--vary", "dynamics.field[2]=0 mT:5 mT"], ["expected START:STOP:NUM"]),
    (["--vary", "materials.Co.Ms=1 kA/m:2 kA/m:2"], ["--vary materials.Co.Ms: no free layer is made of 'Co'"]),
    (["--vary", "materials.Py.Ms=-1 kA/m:2 kA/m:2"], ["--vary materials.Py.Ms: must be > 0"]),
    (["--vary", "dynamics.duration=1 ns:2 ns:2"], ["dynamics.duration: is one for the whole ensemble"]),
    (["--vary", "current=1 A/m^2:2 A/m^2:2", "--vary", "current=1 A/m^2:2 A/m^2:2"], ["given twice"]),
    (["--out", "traj.h5"], ["unknown file format '.h5'"]),
    # review R1: refused before any array or file, with the numbers
    (["--save-every", "1e-18 s", "--duration", "2 ns", "--out", "huge.nc"],
     ["save_every: 1e-18 s over a run of 2e-09 s saves 2e+09 points per member (80 GB of m, J and R per member)"]),
    (["--save-every", "1e-18 s", "--duration", "2 ns"], ["saves 2e+09 points per member", "MAX_SAVED_POINTS = 1e+07"]),
    (["--vary", "materials.Py.Ms=-1 kA/m:900 kA/m:3"], ["--vary materials.Py.Ms: must be > 0 (A/m), got values from "
                                                        "-1000 to 900000"]),
    (["--vary", "dynamics.field.z=0 T:1e300 T:2"], ["--vary dynamics.field.z: |B_app| must be at most 1000 T"]),
    (["--vary", "bogus=1:2:3"], ["dynamics.field[0|1|2] (or dynamics.field.x|y|z)"]),
])
def test_bad_options_are_one_line_and_write_nothing(valve, tmp_path, arguments, parts, monkeypatch):
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    monkeypatch.chdir(tmp_path)  # a relative --out lands here
    result = invoke(valve, *arguments)
    assert_refused(result, valve, *parts)
    assert os.listdir(tmp_path) == ["valve.toml"]


@pytest.mark.parametrize("edit, parts", [
    (("units = \"SI\"\n", ""), ["dynamics needs an SI stack"]),  # a reduced-units file asking for dynamics
    (("Ms = \"800 kA/m\"\n", ""), ["Ms"]),  # a free layer without Ms
    (("duration = \"0.2 ns\"\n", "duration = \"-1 ns\"\n"), ["dynamics.duration"]),
    (("duration = \"0.2 ns\"\n", ""), ["duration: not given, and the stack has no [dynamics] duration"]),
    (('field = ["0 mT", "0 mT", "10 mT"]', 'field = ["0 mT", "0 mT", "1e300 T"]'),
     ["dynamics.field: |B_app| must be at most 1000 T, got 1e+300 T"]),
    # a seed the run's NetCDF file cannot hold (int64): was an internal error after the run, exit 1
    (("duration = \"0.2 ns\"\n", "duration = \"0.2 ns\"\nseed = 123456789012345678901234567890\n"),
     ["dynamics.seed: must be an integer from 0 to 2^63 - 1 = 9223372036854775807, got 123456789012345678901234567890"]),
])
def test_bad_files_are_one_line_naming_the_key(valve, tmp_path, edit, parts):
    text = valve.read_text(encoding="utf-8")
    assert edit[0] in text
    valve.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    result = invoke(valve, "--out", tmp_path / "traj.nc")
    assert_refused(result, valve, *parts)
    assert os.listdir(tmp_path) == ["valve.toml"]


@pytest.mark.parametrize("arguments, duration, every", [
    (["--save-every", "1 ns", "--duration", "0.2 ns"], "2e-10", "1e-09"),  # both on the command line
    (["--save-every", "1 ns"], "2e-10", "1e-09"),  # the file's duration (0.2 ns)
    (["--duration", "5 ps"], "5e-12", "1e-11"),  # the file's save_every (10 ps)
])
def test_save_every_beyond_the_duration_is_refused_as_in_a_file(valve, tmp_path, arguments, duration, every,
                                                                 monkeypatch):
    """A save interval longer than the run is refused from the command line (exit 2, nothing written) in the
    file's one line, wherever each value comes from."""
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    monkeypatch.chdir(tmp_path)
    result = invoke(valve, *arguments, "--out", "traj.nc")
    assert_refused(result, valve, f"save_every: must be at most the duration ({duration} s), got {every} s")
    assert os.listdir(tmp_path) == ["valve.toml"]
    text = valve.read_text(encoding="utf-8")
    valve.write_text(text.replace('save_every = "10 ps"', 'save_every = "1 ns"'), encoding="utf-8")
    assert_refused(invoke(valve), valve, "dynamics.save_every: must be at most the duration (2e-10 s), got 1e-09 s")


def test_a_zarr_run_with_a_users_file_in_it_is_never_replaced(valve, tmp_path):
    pytest.importorskip("zarr")
    target = tmp_path / "z.zarr"
    assert invoke(valve, "--out", target).exit_code == 0
    (target / "NOTES.txt").write_text("my notes")
    before = sorted(str(p.relative_to(target)) for p in target.rglob("*"))
    assert_refused(invoke(valve, "--out", target, "--duration", "50 ps"), valve,
                   f"{target}: exists and holds 'NOTES.txt', which spinstack does not write")
    assert (target / "NOTES.txt").read_text() == "my notes"
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == before
    assert sorted(os.listdir(tmp_path)) == ["valve.toml", "z.zarr"]


def test_a_file_that_is_not_a_dynamics_run_is_never_replaced(valve, tmp_path):
    notes = tmp_path / "notes.nc"
    notes.write_text("mine")
    assert_refused(invoke(valve, "--out", notes), valve, "exists and is not a spinstack dynamics file")
    assert notes.read_text() == "mine"
    # its own earlier run is replaced
    target = tmp_path / "traj.nc"
    assert invoke(valve, "--out", target).exit_code == 0
    assert invoke(valve, "--out", target, "--duration", "50 ps").exit_code == 0
    with ss.trajectories.open_dynamics(target) as reread:
        assert reread.attrs["duration"] == 5e-11


def test_a_signal_stops_the_run_between_blocks_and_writes_nothing(valve, tmp_path, monkeypatch):
    real = trajectories.simulate
    calls = []

    def signalled(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            interrupt.active()._note(signal.SIGINT, None)  # Ctrl-C while the first block runs
        return real(*args, **kwargs)

    monkeypatch.setattr(trajectories, "simulate", signalled)
    target = tmp_path / "traj.nc"
    result = invoke(valve, "--out", target, "--vary", "materials.Py.alpha=0.01:0.05:3", "--chunk", "1")
    assert result.exit_code == 128 + signal.SIGINT
    assert result.stdout == "" and len(calls) == 1
    assert result.stderr.strip() == f"spinstack: error: {valve}: dynamics stopped by SIGINT; {target} was not written"
    assert os.listdir(tmp_path) == ["valve.toml"]


# ------------------------------------------------------------------ review R1: sizes, no fixed F, plots
def test_refusals_for_memory_and_disk_speak_the_command_lines_language(valve, tmp_path, monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    monkeypatch.setattr(trajectories, "_memory_total", lambda: 1000)
    result = invoke(valve)
    assert_refused(result, valve, "the run's trajectories need 880 B", "--out on the command line")
    assert "out='" not in result.stderr
    monkeypatch.setattr(trajectories, "_memory_total", lambda: 10 ** 12)
    monkeypatch.setattr(trajectories.shutil, "disk_usage",
                        lambda path: SimpleNamespace(total=10 ** 6, used=0, free=900))
    result = invoke(valve, "--out", tmp_path / "traj.nc")
    assert_refused(result, valve, "traj.nc: the run's file would take about 952 B (uncompressed), more than the "
                                  "900 B free")
    assert os.listdir(tmp_path) == ["valve.toml"]


def test_without_a_fixed_f_the_summary_says_there_is_nothing_to_be_parallel_to(valve):
    text = valve.read_text(encoding="utf-8")
    valve.write_text(text.replace('material = "Co"\nthickness = "8 nm"\nmagnetization = [0, 0, 1]',
                                  'material = "Cu"\nthickness = "8 nm"'), encoding="utf-8")
    result = invoke(valve)
    assert result.exit_code == 0, result.stderr
    line = [line for line in result.stdout.splitlines() if "critical currents" in line]
    assert line == [line[0]] and line[0].startswith(
        "    critical currents: none (no fixed F to be parallel to: every F layer is free and no F lead stays put, "
        "so P and AP (m = +-m_ref) are undefined); final m = [")
    as_json = json.loads(invoke(valve, "--json").stdout)
    layer, = as_json["layers"]
    assert layer["critical_current"] == {"P": None, "AP": None}


def test_plot_of_a_state_diagram_with_a_one_point_axis_is_silent(valve, tmp_path):
    run = invoke(valve, "--vary", "current=1e12 A/m^2:-1e12 A/m^2:2", "--vary", "dynamics.field.z=10 mT:10 mT:1",
                 "--out", tmp_path / "ens.nc")
    assert run.exit_code == 0, run.stderr
    result = CliRunner().invoke(main, ["plot", str(tmp_path / "ens.nc"), "--out", str(tmp_path / "ens.png")])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "ens-state-diagram.png").exists()


# ------------------------------------------------------------------ thermal runs, progress bar, frequency
@pytest.fixture
def hot_valve(tmp_path):
    """The free valve at 300 K (100 nm x 100 nm pillar, seed 3), no drive, starting near P."""
    text = VALVE.read_text(encoding="utf-8").replace('current = "-2e11 A/m^2"', 'current = "0 A/m^2"')
    text = text.replace("magnetization = [0, 0.3, -1]", "magnetization = [0, 0.02, 1]")
    text += 'temperature = "300 K"\narea = "100 nm * 100 nm"\nseed = 3\n'
    target = tmp_path / "hot.toml"
    target.write_text(text, encoding="utf-8")
    return target


def test_a_thermal_run_says_its_temperature_and_keeps_only_the_attributes_that_apply(hot_valve, tmp_path):
    out = tmp_path / "hot.nc"
    result = invoke(hot_valve, "--out", out)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[2].startswith("  temperature: 300 K (thermal field, seed 3; P / AP on the mean m"), lines
    data = json.loads(invoke(hot_valve, "--json").stdout)
    assert data["temperature"] == 300.0 and set(data) == {"layers", "duration", "current", "temperature"}
    with trajectories.open_dynamics(out) as run:
        attrs = run.attrs
        # stochastic Heun at a fixed step: no error control's tolerances or accepted steps; its step and seed
        assert not {"rtol", "atol", "accepted_steps"} & set(attrs), sorted(attrs)
        assert attrs["dt"] > 0 and attrs["temperature"] == 300.0
        assert attrs["seed"] == 3 and isinstance(attrs["seed"], (int, np.integer))
        assert json.loads(attrs["macrospins"])["seed"] == 3 and type(json.loads(attrs["macrospins"])["seed"]) is int
        state, frequency = str(run.state.values[0]), float(run.frequency.values[0])
    assert (state == "precession") == np.isfinite(frequency)
    # at 0 K the same file keeps the adaptive integrator's attributes and says no temperature
    cold = ss.dynamics(ss.load_stack(VALVE))
    assert {"rtol", "atol", "accepted_steps"} <= set(cold.attrs) and "dt" not in cold.attrs
    assert "seed" not in cold.attrs and "temperature" not in dynamics_to_dict(cold)
    assert "temperature" not in invoke(VALVE).stdout


@pytest.mark.parametrize("flag, shown", [("--progress", True), ("--no-progress", False), (None, False)])
def test_the_progress_bar_is_forced_on_or_off(valve, flag, shown):
    """--progress draws the bar on stderr even off a terminal (CliRunner's stderr is no terminal), --no-progress
    never; without either, off a terminal, none."""
    result = invoke(valve, *([flag] if flag else []))
    assert result.exit_code == 0, result.stderr
    assert ("dynamics:" in result.stderr and "100/100 %" in result.stderr) == shown, result.stderr
    assert result.stdout.startswith(f"{valve}: macrospin dynamics")


def test_the_frequency_is_only_a_precessions(valve):
    """MODEL.md 9d: in the JSON a frequency is a number only where the state is a precession (null elsewhere)."""
    result = invoke(valve, "--json", "--vary", "current=-3e11 A/m^2:3e11 A/m^2:4", "--duration", "0.1 ns")
    assert result.exit_code == 0, result.stderr
    (layer,) = json.loads(result.stdout)["layers"]
    for state, frequency in zip(layer["state"], layer["frequency"]):
        assert (frequency is not None) == (state == "precession"), (state, frequency)


# ------------------------------------------------------------------ realizations and the waveform's amplitude
def test_realizations_nest_innermost_in_the_json_with_each_configurations_state_fractions(hot_valve):
    result = invoke(hot_valve, "--json", "--realizations", "3", "--vary", "dynamics.field[2]=0 mT:10 mT:2")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    run = ss.dynamics(ss.load_stack(hot_valve), realizations=3, vary={"dynamics.field[2]": [0.0, 0.01]})
    assert data == dynamics_to_dict(run)
    assert data["realizations"] == 3 and data["members"] == 6
    assert "then over the realizations (innermost, fastest)" in data["layout"]
    layer, = data["layers"]
    assert np.shape(layer["m_final"]) == (2, 3, 3) and np.shape(layer["state"]) == (2, 3)
    assert np.shape(layer["switching_time"]) == (2, 3) and np.shape(data["current"]) == (2, 3)
    assert np.shape(layer["critical_current"]["P"]) == (2, 3)
    fractions = layer["state_fractions"]
    assert list(fractions) == ["P", "AP", "precession", "static", "undetermined"]
    for i in range(2):  # the share of the 3 realizations of configuration i ending in each state
        for state, share in fractions.items():
            assert share[i] == layer["state"][i].count(state) / 3
        assert math.isclose(sum(share[i] for share in fractions.values()), 1.0, rel_tol=0, abs_tol=1e-15)
    # without vary: one level (the realizations), the fractions plain numbers
    single = json.loads(invoke(hot_valve, "--json", "--realizations", "2").stdout)
    assert np.shape(single["layers"][0]["state"]) == (2,) and "vary" not in single
    assert all(isinstance(share, float) for share in single["layers"][0]["state_fractions"].values())
    summary = invoke(hot_valve, "--realizations", "2").stdout.splitlines()
    assert summary[1] == ("  realizations: 2 of the thermal noise per configuration (the states below are counted "
                          "over every member)"), summary


def test_a_run_with_realizations_plots_its_switching_probability(hot_valve, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the figures land here
    out = tmp_path / "hot.nc"
    assert invoke(hot_valve, "--out", out, "--realizations", "2", "--vary",
                  "current=-1e11 A/m^2:1e11 A/m^2:3").exit_code == 0
    plotted = CliRunner().invoke(main, ["plot", str(out)])
    assert plotted.exit_code == 0, plotted.stderr
    assert plotted.stdout.split() == ["hot-final-states.png"] and (tmp_path / "hot-final-states.png").is_file()
    one = CliRunner().invoke(main, ["plot", str(out), "--kind", "magnetization", "--sel", "current=0",
                                    "--sel", "realization=1", "--out", str(tmp_path / "one.png")])
    assert one.exit_code == 0, one.stderr


@pytest.mark.parametrize("arguments, parts", [
    (["--realizations", "0"], ["--realizations: must be a whole number >= 1", "got '0'"]),
    (["--realizations", "2.5"], ["--realizations: must be a whole number >= 1", "got '2.5'"]),
    (["--realizations", "many"], ["--realizations: must be a whole number >= 1"]),
])
def test_bad_realizations_are_one_line_and_write_nothing(hot_valve, tmp_path, arguments, parts, monkeypatch):
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    result = invoke(hot_valve, *arguments, "--out", tmp_path / "traj.nc")
    assert_refused(result, hot_valve, *parts)
    assert not (tmp_path / "traj.nc").exists()


def test_realizations_at_zero_kelvin_are_refused_in_one_line(valve, tmp_path, monkeypatch):
    monkeypatch.setattr(trajectories, "simulate", lambda *a, **k: pytest.fail("integrated before refusing"))
    result = invoke(valve, "--realizations", "3", "--out", tmp_path / "traj.nc")
    assert_refused(result, valve, "--realizations: the run is at 0 K (no temperature > 0): it is deterministic")
    assert os.listdir(tmp_path) == ["valve.toml"]


def test_the_waveforms_amplitude_is_varied_from_the_command_line(valve):
    text = valve.read_text(encoding="utf-8")
    valve.write_text(text + 'waveform = [["0.05 ns", "0 A/m^2"], ["0.06 ns", "-3e11 A/m^2"], '
                            '["0.12 ns", "-3e11 A/m^2"], ["0.13 ns", "0 A/m^2"]]\n', encoding="utf-8")
    result = invoke(valve, "--json", "--vary", "dynamics.waveform_scale=0.5:2:3")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["vary"] == [{"path": "dynamics.waveform_scale", "units": "1", "values": [0.5, 1.25, 2.0]}]
    assert data["current"] is None and data["current_range"] == [-6e11, 0.0]  # the scaled waveform's extremes
    refused = invoke(valve, "--vary", "current=1 A/m^2:2 A/m^2:2")
    assert_refused(refused, valve, "vary its amplitude with dynamics.waveform_scale")
    valve.write_text(text, encoding="utf-8")  # no waveform: nothing to scale
    assert_refused(invoke(valve, "--vary", "dynamics.waveform_scale=0.5:2:3"), valve,
                   "--vary dynamics.waveform_scale: no waveform to scale")
