"""Figures of a macrospin run (spinstack.plot.dynamics) and ``spinstack plot`` of a saved one: what a reader checks.

Real runs come from :func:`spinstack.dynamics` (examples/co-cu-py.toml without its resistive interfaces: the
fast kernel): a steady oscillator and a small current x field ensemble.  Synthetic datasets of the same schema
(trajectories.SCHEMA) give the cases a short run cannot: every end state at once, a switching pulse, two free
layers, open ends, no stored reference.  Each test checks that the drawn numbers are the dataset's (in the units
the labels state), the labels and legends, and that no two texts overlap.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import spinstack as ss
from spinstack.cli import main
from spinstack.errors import SpinstackError
from spinstack.macrospin import Macrospins, oscillation_frequency, power_spectrum
from spinstack.plot import dynamics as figures
from spinstack.plot.dynamics import (STATE_COLOURS, available_kinds, dynamics_figure, figure_kinds,
                                     plot_final_states, plot_magnetization, plot_orbit, plot_resistance,
                                     plot_state_diagram, write_dynamics_figure)

from .drawing import draw, label_factor

ROOT = Path(__file__).resolve().parents[2]
START = np.array([[0.0, math.sin(0.1), math.cos(0.1)]])  # 0.1 rad from m_ref = +z (the fixed Co)


def clean_valve() -> ss.Stack:
    return dataclasses.replace(ss.load_stack(ROOT / "examples" / "co-cu-py.toml"), interfaces=())


def spins(stack: ss.Stack, **changes) -> Macrospins:
    """Py free (Ms 8e5 A/m, alpha 0.01, K_u 5e4 J/m^3 along z), 20 mT along z, J = -5e10 A/m^2: beyond both
    thresholds of this valve (P at -1.9e10, AP at -7.6e9 A/m^2), a steady orbit about z at 11 GHz."""
    values = dict(free=2, Ms=8e5, alpha=0.01, K_u=5e4, easy_axis=(0, 0, 1), field=(0, 0, 0.02), current=-5e10)
    values.update(changes)
    return Macrospins(stack, **values)


@pytest.fixture(scope="module")
def oscillator() -> xr.Dataset:
    """One run, 4 ns saved every 5 ps (~2 s)."""
    return ss.dynamics(spins(clean_valve()), duration=4e-9, save_every=5e-12, initial=START, progress=False)


@pytest.fixture(scope="module")
def ensemble() -> xr.Dataset:
    """4 currents x 3 fields along z, 1.5 ns saved every 10 ps, from m near +y (~10 s)."""
    return ss.dynamics(spins(clean_valve()), duration=1.5e-9, save_every=1e-11, progress=False,
                       initial=np.array([[0.0, 0.98, 0.2]]),
                       vary={"current": np.linspace(-6e10, 1.5e10, 4),
                             "dynamics.field[2]": np.array([-0.03, 0.0, 0.03])})


# ------------------------------------------------------------------ synthetic datasets of the schema
def synthetic(vary: dict[str, tuple[np.ndarray, str]] | None = None, layers: tuple[int, ...] = (2,),
              count: int = 400, step: float = 5e-12, reference: bool = True) -> xr.Dataset:
    """A dataset of the dynamics schema: m turning about z at 7 GHz (layer k at 7 (k + 1) GHz) on a cone of 0.3 rad,
    R(t) = 1 + 0.01 m_z in fOhm m^2, J = -5e10 A/m^2, and for ensembles the five end states in turn."""
    vary = vary or {}
    time = np.arange(count) * step
    shape = tuple(len(values) for values, _ in vary.values())
    m = np.empty((count,) + shape + (len(layers), 3))
    for position, layer in enumerate(layers):
        phase = 2 * math.pi * 7e9 * (position + 1) * time
        m[..., position, :] = np.moveaxis(np.broadcast_to(
            np.stack([np.sin(0.3) * np.cos(phase), np.sin(0.3) * np.sin(phase), np.cos(0.3) + 0 * phase]),
            shape + (3, count)), -1, 0)
    dims = tuple(vary)
    coords = {"time": ("time", time, {"units": "s", "long_name": "time"}),
              "layer": ("layer", np.array(layers)), "component": ("component", ["x", "y", "z"]),
              "configuration": ("configuration", ["P", "AP"])}
    for name, (values, units) in vary.items():
        coords[name] = (name, values, {"units": units})
    names = np.array(["P", "AP", "precession", "static", "undetermined"])
    states = names[np.arange(int(np.prod(shape)) * len(layers)) % 5].reshape(shape + (len(layers),))
    frequency = np.where(states == "precession", 7.5e9, np.nan)
    data = {"m": (("time", *dims, "layer", "component"), m),
            "resistance_area": (("time", *dims), (1 + 0.01 * m[..., 0, 2]) * 1e-15, {"units": "ohm m2"}),
            "state": ((*dims, "layer"), states),
            "frequency": ((*dims, "layer"), frequency, {"units": "Hz"}),
            "switching_time": ((*dims, "layer"), np.full(shape + (len(layers),), np.nan), {"units": "s"}),
            "critical_current": ((*dims, "layer", "configuration"), np.zeros(shape + (len(layers), 2)),
                                 {"units": "A m-2"})}
    if "current" not in vary:
        data["current"] = (("time", *dims), np.full((count,) + shape, -5e10), {"units": "A m-2"})
    if reference:
        data["reference"] = ("component", np.array([0.0, 0.0, 1.0]))
    return xr.Dataset(data, coords=coords, attrs={"spinstack_kind": "dynamics"})


def pulse() -> xr.Dataset:
    """One run through a current pulse (0 -> -3e11 A/m^2 at 0.5-0.6 ns, back at 1.5-1.6 ns) in which m_z turns from
    -1 to +1 as tanh((t - 1 ns) / 0.1 ns): the switching time is 1 ns."""
    run = synthetic(count=600)
    time = run["time"].values
    mz = np.tanh((time - 1e-9) / 1e-10)
    transverse = np.sqrt(1 - mz**2)
    run["m"].values[:, 0, :] = np.stack([0 * mz, transverse, mz], axis=-1)
    run["current"].values[:] = np.interp(time, [0, 0.5e-9, 0.6e-9, 1.5e-9, 1.6e-9, 3e-9],
                                         [0, 0, -3e11, -3e11, 0, 0])
    run["switching_time"].values[:] = 1e-9
    return run


def lines_by_gid(figure) -> dict[str, object]:
    return {artist.get_gid(): artist for ax in figure.axes for artist in [*ax.lines, *ax.collections, *ax.patches]
            if artist.get_gid()}


def legend_texts(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


# ------------------------------------------------------------------ kinds
def test_the_kinds_of_a_run_and_of_ensembles(oscillator, ensemble):
    assert available_kinds(oscillator) == ("magnetization", "orbit", "resistance")
    assert available_kinds(ensemble) == ("state-diagram",)
    assert figure_kinds(ensemble, {"current": -6e10}) == ("final-states",)
    assert figure_kinds(ensemble, {"current": -6e10, "dynamics.field[2]": 0.0}) == available_kinds(oscillator)
    three = synthetic({"current": (np.array([1.0, 2.0]), "A m-2"), "dynamics.field[2]": (np.array([0.0, 0.1]), "T"),
                       "dynamics.temperature": (np.array([0.0, 300.0]), "K")})
    with pytest.raises(SpinstackError, match=r"varies 3 parameters .*select values of the others"):
        figure_kinds(three)


# ------------------------------------------------------------------ m(t)
def test_magnetization_draws_the_runs_components_in_ns(oscillator):
    figure = plot_magnetization(oscillator)
    draw(figure)
    (ax,) = figure.axes  # a constant drive: no twin axis
    drawn = lines_by_gid(figure)
    for component in "xyz":
        line = drawn[f"m:2:{component}"]
        np.testing.assert_array_equal(line.get_xdata(), oscillator["time"].values * 1e9)
        np.testing.assert_array_equal(line.get_ydata(), oscillator["m"].sel(layer=2, component=component).values)
    assert ax.get_xlabel() == "time $t$ (ns)"
    assert "layer 2" in ax.get_ylabel()
    assert legend_texts(ax) == ["$m_x$", "$m_y$", "$m_z$"]
    assert ax.get_title() == r"constant drive $J$ = $-5.00\times10^{10}$ A/m$^2$"


def test_magnetization_of_a_pulse_has_the_drive_on_a_twin_axis_and_the_switching_time():
    run = pulse()
    figure = plot_magnetization(run)
    draw(figure)
    ax, twin = figure.axes
    drawn = lines_by_gid(figure)
    drive = drawn["current:2"]
    factor = label_factor(twin.get_ylabel())
    # the drive's own power of ten (the pulse peaks at |J| = 1e11..1e12): its ticks are single digits, not hundreds
    assert twin.get_ylabel() == "current density $J$ ($10^{11}$ A/m$^2$)"
    np.testing.assert_allclose(drive.get_ydata(), run["current"].values * factor, rtol=1e-15)
    assert 1.0 <= np.max(np.abs(drive.get_ydata())) < 10.0
    assert list(drive.get_xdata()) == list(run["time"].values * 1e9)
    switching = drawn["switching:2"]
    assert switching.get_xdata()[0] == pytest.approx(1.0, rel=1e-14)  # ns
    assert legend_texts(ax) == ["$m_x$", "$m_y$", "$m_z$", "switching, $t_s$ = 1 ns", "drive $J(t)$"]
    assert ax.get_title() == ""  # the drive varies: on its axis, not in the title


def test_two_free_layers_get_a_panel_each_and_layer_selects_one():
    run = synthetic(layers=(0, 2))
    figure = plot_magnetization(run)
    draw(figure)
    assert [ax.get_ylabel() for ax in figure.axes] == ["magnetization $\\mathbf{m}$, layer 0",
                                                       "magnetization $\\mathbf{m}$, layer 2"]
    np.testing.assert_array_equal(lines_by_gid(figure)["m:0:y"].get_ydata(), run["m"].sel(layer=0, component="y"))
    alone = plot_magnetization(run, layer=2)
    assert len(alone.axes) == 1 and "m:0:x" not in lines_by_gid(alone)
    with pytest.raises(SpinstackError, match=r"layer 1: not a free layer of this run \(free: 0, 2\)"):
        plot_magnetization(run, layer=1)


def test_an_ensemble_member_is_selected_by_its_nearest_value(ensemble):
    with pytest.raises(SpinstackError, match=r"draws one run: select one value of current and dynamics.field\[2\]"):
        plot_magnetization(ensemble)
    figure = plot_magnetization(ensemble, select={"current": "-3.4e10", "dynamics.field[2]": 0.031})
    draw(figure)
    member = ensemble.sel({"current": ensemble["current"].values[1], "dynamics.field[2]": 0.03})
    np.testing.assert_array_equal(lines_by_gid(figure)["m:2:z"].get_ydata(), member["m"].sel(layer=2, component="z"))
    title = figure.axes[0].get_title()
    assert r"$-3.50\times10^{10}$ A/m$^2$" in title and "= 30 mT" in title
    with pytest.raises(SpinstackError, match="select temperature: not a varied parameter"):
        plot_magnetization(ensemble, select={"temperature": 1})


# ------------------------------------------------------------------ the orbit
def test_orbit_is_the_path_on_the_unit_sphere_with_its_ends_and_the_reference(oscillator):
    figure = plot_orbit(oscillator)
    draw(figure)
    ax = figure.axes[0]
    drawn = lines_by_gid(figure)
    m = oscillator["m"].sel(layer=2).transpose("time", "component").values
    path = drawn["orbit:2"]
    segments = np.asarray(path._segments3d)
    np.testing.assert_array_equal(segments[:, 0], m[:-1])
    np.testing.assert_array_equal(segments[:, 1], m[1:])
    np.testing.assert_allclose(path.get_array(), 0.5 * (oscillator["time"].values[:-1] +
                                                        oscillator["time"].values[1:]) * 1e9, rtol=1e-15)
    np.testing.assert_array_equal(np.ravel(drawn["start:2"]._offsets3d), m[0])
    np.testing.assert_array_equal(np.ravel(drawn["end:2"]._offsets3d), m[-1])
    assert "sphere" in drawn and "reference:2" in drawn
    shaft = np.asarray(drawn["reference:2"]._segments3d)[0]  # the shaft (the head's two strokes follow)
    np.testing.assert_allclose(shaft[np.argsort(shaft[:, 2])], [[0, 0, 0], [0, 0, 1.3]], atol=1e-15)
    assert legend_texts(ax) == ["start", "end", r"reference $\mathbf{m}_{\rm ref}$"]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == ("$m_x$", "$m_y$", "$m_z$")
    assert figure.axes[1].get_ylabel() == "time $t$ (ns)"  # the colour bar
    assert ax.get_xlim() == ax.get_ylim() == ax.get_zlim() == (-1.05, 1.05)


def test_orbit_without_a_stored_reference_has_no_arrow():
    figure = plot_orbit(synthetic(reference=False))
    draw(figure)
    assert "reference:2" not in lines_by_gid(figure)
    assert legend_texts(figure.axes[0]) == ["start", "end"]


# ------------------------------------------------------------------ R(t) and its spectrum
def test_resistance_and_its_spectrum_are_the_runs(oscillator):
    figure = plot_resistance(oscillator)
    draw(figure)
    left, right = figure.axes[:2]
    drawn = lines_by_gid(figure)
    assert left.get_ylabel() == r"resistance-area $RA$ (f$\Omega$ m$^2$)"
    np.testing.assert_allclose(drawn["resistance"].get_ydata(), oscillator["resistance_area"].values * 1e15,
                               rtol=1e-15)
    spectrum = power_spectrum(oscillator["time"].values, oscillator["resistance_area"].values)
    positive = spectrum.density > 0
    np.testing.assert_allclose(drawn["spectrum"].get_xdata(), spectrum.frequency[positive] * 1e-9, rtol=1e-15)
    np.testing.assert_allclose(drawn["spectrum"].get_ydata(), spectrum.density[positive] * 1e30, rtol=1e-14)
    assert right.get_yscale() == "log"
    assert right.get_xlabel() == "frequency $f$ (GHz)"
    peak = drawn["peak"].get_xdata()[0]
    assert peak == pytest.approx(spectrum.peak * 1e-9, rel=1e-15)
    # the orbit is centred on m_ref: R turns twice a turn (the peak at 2 f of m's turns over the last half)
    frequency = oscillation_frequency(oscillator["time"].values, oscillator["m"].isel(layer=0).values)
    assert peak == pytest.approx(2 * frequency * 1e-9, abs=0.05 * spectrum.resolution * 1e-9)
    # the orbit-frequency line is the stored precession frequency's (MODEL.md 9d): only for a precession
    if str(oscillator["state"].item()) == "precession":
        assert drawn["precession"].get_xdata()[0] == pytest.approx(float(oscillator["frequency"].item()) * 1e-9,
                                                                   rel=1e-15)
    else:
        assert math.isnan(float(oscillator["frequency"].item())) and "precession" not in drawn
    assert legend_texts(right)[0] == f"peak {peak:.4g} GHz (bin {spectrum.resolution * 1e-9:.2g} GHz)"
    window = drawn["window"]  # the last half, shaded
    assert window.get_x() == pytest.approx(2.0, rel=1e-14)
    assert window.get_x() + window.get_width() == pytest.approx(4.0, rel=1e-14)


@pytest.mark.parametrize("value, text", [(np.nan, "no spectrum: R is undefined (open ends)"),
                                         (2e-15, "no spectrum: R is constant")])
def test_resistance_without_a_spectrum_says_why(value, text):
    run = synthetic()
    run["resistance_area"].values[:] = value
    figure = plot_resistance(run)
    draw(figure)
    assert [t.get_text() for t in figure.axes[1].texts] == [text]
    assert "spectrum" not in lines_by_gid(figure)


# ------------------------------------------------------------------ ensembles
FIVE = {"current": (np.linspace(-4e10, 4e10, 5), "A m-2"), "dynamics.field[2]": (np.array([-0.02, 0.0, 0.02]), "T")}


def test_state_diagram_colours_every_member_by_its_state():
    run = synthetic(FIVE, count=20)
    run["critical_current"].values[..., 0, 0] = 1.5e10 + 1e11 * run["dynamics.field[2]"].values  # P, per field
    run["critical_current"].values[..., 0, 1] = np.nan  # no AP threshold
    figure = plot_state_diagram(run)
    draw(figure)
    ax = figure.axes[0]
    mesh = lines_by_gid(figure)["states:2"]
    codes = np.asarray(mesh.get_array()).reshape(3, 5)  # (field, current)
    names = list(STATE_COLOURS)
    expected = run["state"].sel(layer=2).transpose("dynamics.field[2]", "current").values
    assert [[names[c] for c in row] for row in codes] == expected.tolist()
    # each cell's colour is its state's
    colours = mesh.to_rgba(mesh.get_array()).reshape(3, 5, 4)
    for row, states in zip(colours, expected):
        for colour, state in zip(row, states):
            np.testing.assert_allclose(colour, mcolors.to_rgba(STATE_COLOURS[state]), atol=1e-12)
    assert ax.get_xlabel() == "current density $J$ ($10^{9}$ A/m$^2$)"
    assert ax.get_ylabel() == "applied field $B_z$ (mT)"
    legend = ax.get_legend()
    assert legend_texts(ax) == ["P (parallel)", "AP (antiparallel)", "steady precession", "static, tilted",
                                "undetermined", "$J_c$ of P (linear stability)", "$J_c$ of AP (linear stability): none"]
    for patch, state in zip(legend.get_patches(), STATE_COLOURS):
        np.testing.assert_allclose(patch.get_facecolor(), mcolors.to_rgba(STATE_COLOURS[state]), atol=1e-12)
    critical = lines_by_gid(figure)["critical:2:P"]
    np.testing.assert_allclose(critical.get_xdata(), (1.5e10 + 1e11 * np.array([-0.02, 0.0, 0.02])) * 1e-9,
                               rtol=1e-14)
    np.testing.assert_allclose(critical.get_ydata(), [-20.0, 0.0, 20.0], rtol=1e-14)


def test_state_diagram_with_the_current_along_y():
    """x = the field: the map is transposed and the J_c line runs across it horizontally."""
    run = synthetic(FIVE, count=20)
    run["critical_current"].values[..., 0, 0] = 1.5e10 + 1e11 * run["dynamics.field[2]"].values
    figure = plot_state_diagram(run, x="dynamics.field[2]")
    draw(figure)
    ax = figure.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("applied field $B_z$ (mT)", "current density $J$ ($10^{9}$ A/m$^2$)")
    codes = np.asarray(lines_by_gid(figure)["states:2"].get_array()).reshape(5, 3)  # (current, field)
    expected = run["state"].sel(layer=2).transpose("current", "dynamics.field[2]").values
    assert [[list(STATE_COLOURS)[c] for c in row] for row in codes] == expected.tolist()
    critical = lines_by_gid(figure)["critical:2:P"]
    np.testing.assert_allclose(critical.get_xdata(), [-20.0, 0.0, 20.0], rtol=1e-14)
    np.testing.assert_allclose(critical.get_ydata(), [13.0, 15.0, 17.0], rtol=1e-14)
    with pytest.raises(SpinstackError, match=r"x: 'theta' is not a varied parameter"):
        plot_state_diagram(run, x="theta")


def test_state_diagram_of_a_real_ensemble(ensemble):
    figure = plot_state_diagram(ensemble)
    draw(figure)
    mesh = lines_by_gid(figure)["states:2"]
    names = list(STATE_COLOURS)
    states = ensemble["state"].sel(layer=2).transpose("dynamics.field[2]", "current").values
    assert [names[c] for c in np.asarray(mesh.get_array()).ravel()] == states.ravel().tolist()
    for state in ("P", "AP"):
        line = lines_by_gid(figure)[f"critical:2:{state}"]
        values = ensemble["critical_current"].sel(layer=2, configuration=state).isel(current=0).values
        np.testing.assert_allclose(line.get_xdata(), values * 1e-9, rtol=1e-15)
        np.testing.assert_allclose(line.get_ydata(), ensemble["dynamics.field[2]"].values * 1e3, rtol=1e-15)
    present = {f"{figures.STATE_NAMES[s]}" for s in np.unique(states)}
    assert present <= set(legend_texts(figure.axes[0]))
    with pytest.raises(SpinstackError, match="a state diagram needs a run varied along two parameters"):
        plot_state_diagram(ensemble.isel(current=0))


def test_final_states_of_a_one_parameter_ensemble(ensemble):
    line = ensemble.sel({"dynamics.field[2]": 0.03})
    figure = dynamics_figure(ensemble, "final-states", select={"dynamics.field[2]": 0.03})
    draw(figure)
    top, bottom = figure.axes[:2]
    drawn = lines_by_gid(figure)
    final = line["m"].sel(layer=2).isel(time=-1).transpose("current", "component").values
    projection = final @ line["reference"].isel(current=0).values
    np.testing.assert_allclose(drawn["projection:2"].get_offsets(),
                               np.column_stack([line["current"].values * 1e-9, projection]), rtol=1e-15)
    frequency = line["frequency"].sel(layer=2).values
    finite = np.isfinite(frequency)
    np.testing.assert_allclose(drawn["frequency:2"].get_offsets(),
                               np.column_stack([line["current"].values[finite] * 1e-9, frequency[finite] * 1e-9]),
                               rtol=1e-15)
    assert top.get_ylabel() == r"final $\mathbf{m}\cdot\mathbf{m}_{\rm ref}$"
    assert bottom.get_xlabel() == "current density $J$ ($10^{9}$ A/m$^2$)"
    assert "= 30 mT" in figure.get_suptitle()
    # the members' colours are their states'
    colours = drawn["projection:2"].get_facecolors()
    for colour, state in zip(colours, line["state"].sel(layer=2).values):
        np.testing.assert_allclose(colour, mcolors.to_rgba(STATE_COLOURS[str(state)]), atol=1e-12)
    for state in ("P", "AP"):  # at 30 mT: P at -1.9e10, AP at -7.6e9 A/m^2, inside the currents drawn
        value = float(line["critical_current"].sel(layer=2, configuration=state).isel(current=0)) * 1e-9
        assert -60 < value < 15
        assert drawn[f"critical:2:{state}"].get_xdata()[0] == pytest.approx(value, rel=1e-15)
        assert f"$J_c$ of {state}" in legend_texts(top)


def test_final_states_without_a_reference_draws_the_end_components():
    run = synthetic({"current": (np.linspace(-4e10, 4e10, 5), "A m-2")}, reference=False, count=20)
    figure = plot_final_states(run)
    draw(figure)
    drawn = lines_by_gid(figure)
    for component in "xyz":
        np.testing.assert_allclose(drawn[f"final:2:{component}"].get_offsets()[:, 1],
                                   run["m"].sel(layer=2, component=component).isel(time=-1).values, rtol=1e-15)
    assert "no $\\mathbf{m}_{\\rm ref}$ stored" in figure.axes[0].get_ylabel()


# ------------------------------------------------------------------ files and the command line
def test_write_refuses_what_is_not_a_dynamics_figure(tmp_path, oscillator):
    with pytest.raises(SpinstackError, match="kind 'profiles': a dynamics run draws magnetization"):
        write_dynamics_figure(oscillator, "profiles", tmp_path / "x.png")
    with pytest.raises(SpinstackError, match="not a dynamics run"):
        dynamics_figure(oscillator.drop_attrs(), "orbit")
    with pytest.raises(SpinstackError, match="unknown figure format"):
        write_dynamics_figure(oscillator, "orbit", tmp_path / "x.jpg")


@pytest.fixture(scope="module")
def saved(tmp_path_factory, oscillator, ensemble) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("runs")
    paths = {"run": folder / "run.nc", "ensemble": folder / "ensemble.nc"}
    oscillator.to_netcdf(paths["run"], engine="h5netcdf")
    ensemble.to_netcdf(paths["ensemble"], engine="h5netcdf")
    return paths


def test_plot_draws_every_figure_of_a_saved_run(saved, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["plot", str(saved["run"])])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["run-magnetization.png", "run-orbit.png", "run-resistance.png"]
    for name in result.output.split():
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    result = CliRunner().invoke(main, ["plot", str(saved["run"]), "--out", "figs.svg"])
    assert result.output.split() == ["figs-magnetization.svg", "figs-orbit.svg", "figs-resistance.svg"]
    result = CliRunner().invoke(main, ["plot", str(saved["run"]), "--kind", "orbit", "--out", "o.pdf"])
    assert result.exit_code == 0 and result.output.split() == ["o.pdf"]
    assert (tmp_path / "o.pdf").read_bytes().startswith(b"%PDF")


def test_plot_of_a_saved_ensemble(saved, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["plot", str(saved["ensemble"])])
    assert result.exit_code == 0 and result.output.split() == ["ensemble-state-diagram.png"]
    result = CliRunner().invoke(main, ["plot", str(saved["ensemble"]), "--sel", "current=-6e10 A/m^2"])
    assert result.exit_code == 0 and result.output.split() == ["ensemble-final-states.png"]
    result = CliRunner().invoke(main, ["plot", str(saved["ensemble"]), "--sel", "current=-6e10",
                                       "--sel", "dynamics.field[2]=0", "--kind", "resistance"])
    assert result.exit_code == 0 and result.output.split() == ["ensemble-resistance.png"]


@pytest.mark.parametrize("arguments, message", [
    (["--kind", "orbit"], "the orbit figure draws one run: select one value of current and dynamics.field[2]"),
    (["--kind", "profiles"], "kind 'profiles': a dynamics run draws"),
    (["--var", "m"], "--var goes with a saved sweep; a dynamics run takes --kind, --sel and --out"),
    (["--sel", "theta=3"], "select theta: not a varied parameter of this run"),
    (["--sel", "current"], "expected DIM=VALUE"),
])
def test_plot_refuses_in_one_line(saved, tmp_path, monkeypatch, arguments, message):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["plot", str(saved["ensemble"]), *arguments])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and message in result.output
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_dynamics_kind_on_a_stack_file_is_refused():
    result = CliRunner().invoke(main, ["plot", str(ROOT / "examples" / "co-cu-py.toml"), "--kind", "orbit"])
    assert result.exit_code == 2 and "--kind orbit goes with a saved dynamics run" in result.output


def test_the_final_states_frequencies_are_the_precessions_only():
    """MODEL.md 9d's frequency is the precession's: a P member holding a ring-down frequency (a file written
    before the summary dropped it) is not drawn, and the guide line is broken there (NaN), never joining the
    precessions on either side of it (10 currents, the five states in turn: precessions at members 2 and 7)."""
    line = synthetic({"current": (np.linspace(-5e10, 4e10, 10), "A m-2")})
    states = line["state"].sel(layer=2).values.astype(str)
    frequency = np.where(states == "precession", 7.5e9, 4.49e9)  # every other member: a stale ring-down
    line["frequency"].loc[{"layer": 2}] = frequency
    figure = dynamics_figure(line, "final-states")
    draw(figure)
    drawn = lines_by_gid(figure)
    precessing = states == "precession"
    assert precessing.any() and not precessing.all()
    xs = line["current"].values * 1e-9
    np.testing.assert_allclose(drawn["frequency:2"].get_offsets(),
                               np.column_stack([xs[precessing], np.full(precessing.sum(), 7.5)]), rtol=1e-15)
    guide = drawn["frequency-line:2"]
    np.testing.assert_array_equal(np.isnan(guide.get_ydata()), ~precessing)
    np.testing.assert_allclose(guide.get_xdata(), xs, rtol=1e-15)


# ------------------------------------------------------------------ what a new reader was misled by (issue 15 review)
def test_state_diagram_breaks_a_critical_line_where_its_branch_changes_and_keys_its_dash():
    """J_c(AP) changes sign between two fields (AP stable at J = 0 below B_K, unstable above: the threshold's
    meaning flips): the line is not joined across (a NaN between), and the legend's keys show each line's dash."""
    fields = np.array([-0.02, 0.0, 0.02, 0.04])
    run = synthetic({"current": (np.linspace(-2e11, 2e11, 5), "A m-2"), "dynamics.field[2]": (fields, "T")},
                    count=20)
    run["critical_current"].values[..., 0, 0] = 1e11  # P: one branch
    run["critical_current"].values[..., 0, 1] = np.array([-1e11, -0.9e11, 1.2e11, 1.5e11])  # AP: jumps at 10 mT
    figure = plot_state_diagram(run)
    draw(figure)
    ap = lines_by_gid(figure)["critical:2:AP"]
    np.testing.assert_array_equal(np.isnan(ap.get_xdata()), [False, False, True, False, False])
    np.testing.assert_allclose(np.asarray(ap.get_xdata())[[0, 1, 3, 4]], [-100.0, -90.0, 120.0, 150.0], rtol=1e-14)
    np.testing.assert_allclose(np.asarray(ap.get_ydata())[[0, 1, 3, 4]], [-20.0, 0.0, 20.0, 40.0], rtol=1e-14)
    p_line = lines_by_gid(figure)["critical:2:P"]
    assert not np.any(np.isnan(p_line.get_xdata()))  # one sign: one line
    legend = figure.axes[0].get_legend()
    keys = {text.get_text(): handle for text, handle in zip(legend.get_texts(), legend.legend_handles)}
    assert keys["$J_c$ of P (linear stability)"].get_linestyle() == "-"
    assert keys["$J_c$ of AP (linear stability)"].get_linestyle() == "--"
    for state in ("P", "AP"):  # no marker over the dash's gap
        assert keys[f"$J_c$ of {state} (linear stability)"].get_marker() in ("None", "", None)


def test_state_diagram_title_says_how_long_the_runs_were_and_where_they_started():
    run = synthetic(FIVE, count=20)
    start = np.array([0.0, math.sin(math.radians(2.9)), math.cos(math.radians(2.9))])
    run["m"].values[0] = start
    figure = plot_state_diagram(run)
    assert figure.axes[0].get_title() == r"end state of layer 2, 95 ps runs from P (2.9° off $\mathbf{m}_{\rm ref}$)"
    run["m"].values[0] = -start
    assert "runs from AP (2.9° off $-\\mathbf{m}_{\\rm ref}$)" in plot_state_diagram(run).axes[0].get_title()
    run.attrs["temperature"] = 300.0
    assert plot_state_diagram(run).axes[0].get_title().endswith(", $T$ = 300 K")


def test_thermal_runs_name_their_temperature_in_every_title():
    run = synthetic()
    run.attrs["temperature"] = 300.0
    title = plot_magnetization(run).axes[0].get_title()
    assert title == r"$T$ = 300 K, constant drive $J$ = $-5.00\times10^{10}$ A/m$^2$"
    assert "$T$ = 300 K" in plot_orbit(run).get_suptitle()
    assert "$T$ = 300 K" in plot_resistance(run).get_suptitle()
    cold = synthetic()
    assert "$T$" not in plot_resistance(cold).get_suptitle()


def test_a_spectrum_peak_is_marked_only_where_it_stands_out_of_the_noise():
    """Thermal-like R(t): red noise (its largest bin at the low end) with and without a line at 14 GHz."""
    rng = np.random.default_rng(3)
    time = np.arange(4000) * 5e-12
    red = np.cumsum(rng.normal(size=time.size)) * 1e-3  # a random walk: PSD ~ 1/f^2, highest in the lowest bins
    red -= np.linspace(red[0], red[-1], red.size)
    noisy = power_spectrum(time, red)
    assert math.isfinite(noisy.peak) and noisy.peak < 1e9  # the spectrum's largest local maximum: a noise bin
    assert math.isnan(figures.standing_peak(noisy))
    line = red + 0.05 * np.sin(2 * math.pi * 14e9 * time)
    spectrum = power_spectrum(time, line)
    assert figures.standing_peak(spectrum) == pytest.approx(14e9, abs=spectrum.resolution)
    run = synthetic(count=time.size)
    run["resistance_area"].values[:] = (3 + red) * 1e-15
    figure = plot_resistance(run)
    draw(figure)
    assert "peak" not in lines_by_gid(figure)
    assert legend_texts(figure.axes[1])[0] == "no peak 30x above the PSD around it (noise)"


def test_refusals_name_every_sel_needed():
    run = synthetic(FIVE, count=20)
    with pytest.raises(SpinstackError) as caught:
        plot_final_states(run)
    text = str(caught.value)
    assert "--sel 'dynamics.field[2]=0' (over current)" in text and "--sel current=0 (over dynamics.field[2])" in text
    with pytest.raises(SpinstackError) as caught:
        plot_magnetization(run)
    assert "e.g. --sel current=0 --sel 'dynamics.field[2]=0'" in str(caught.value)
    with pytest.raises(SpinstackError, match="this run draws --kind final-states"):
        plot_state_diagram(run.isel({"dynamics.field[2]": 0}))
