"""The explorer's dynamics page, at the Python level: its trajectory is spinstack.dynamics's, a frame's hodographs
are the solver's at that m, a new current cancels the run in progress, the sphere's projection."""

from __future__ import annotations

import dataclasses
import html
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

import panel  # noqa: E402

import spinstack  # noqa: E402
from spinstack.analysis import hodograph  # noqa: E402
from spinstack.app.dynamics_page import (DynamicsPage, explorer_tabs, has_dynamics,  # noqa: E402
                                         prefix_durations, si_current, sphere_view)
from spinstack.app.views import HODOGRAPH_SAMPLES, AccumulationView, SpinCurrentView, plotted  # noqa: E402
from spinstack.model.paths import with_parameter  # noqa: E402

OSCILLATOR = Path(__file__).resolve().parents[2] / "examples" / "dynamics-oscillator.toml"


@pytest.fixture(scope="module")
def oscillator() -> spinstack.Stack:
    return spinstack.load_stack(OSCILLATOR)


def _frames(dataset) -> np.ndarray:
    return dataset.m.transpose("time", "layer", "component").values


def test_the_page_plays_the_trajectory_of_spinstack_dynamics(oscillator) -> None:
    page = DynamicsPage(oscillator)
    assert si_current(oscillator) == pytest.approx(-7e12, rel=1e-15)
    page.current.value = "-5e12"  # starts the run (the box's watcher)
    page.duration.value = 3.0      # ns: cancels it and starts another
    page.wait()
    assert page.run.complete and page.run.error is None
    expected = spinstack.dynamics(with_parameter(oscillator, "current", "-5e12 A/m^2"), duration=3e-9,
                                  save_every=5e-12, progress=False)
    assert page.times.shape == (601,)
    np.testing.assert_allclose(page.times, expected.time.values, rtol=0, atol=1e-24)
    # the prefixes the page integrates are the run's first points to the last bit: the same as one call
    np.testing.assert_allclose(page.frames, _frames(expected), rtol=0, atol=1e-12)
    state = str(expected.state.values[0])
    assert state in page.notice.object
    assert "-3.58e+12" in page.notice.object and "-4.43e+11" in page.notice.object  # critical currents


def test_prefixes_are_whole_saved_intervals_ending_at_the_duration() -> None:
    durations = prefix_durations(12e-9, 5e-12)
    assert durations[-1] == 12e-9
    assert durations == sorted(durations)
    assert durations[0] == pytest.approx(12e-9 / 16, rel=1e-12)
    for length in durations[:-1]:
        assert (length / 5e-12) == pytest.approx(round(length / 5e-12), abs=1e-9)
    assert prefix_durations(1e-10, 5e-12) == [1e-10]  # a short run: one piece


def _assert_same(got, expected, where: str) -> None:
    """Numbers equal to 1e-12 of the largest of their column (NaN where NaN), anything else exactly."""
    if isinstance(expected, str) or not np.iterable(expected):
        if isinstance(expected, (float, np.floating)):
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-300, nan_ok=True), where
        else:
            assert got == expected, where
        return
    array = np.asarray(expected, dtype=object)
    if array.dtype != object or all(isinstance(v, (float, int, np.number)) for v in array.ravel()):
        numbers = np.asarray(expected, dtype=float)
        scale = max(float(np.nanmax(np.abs(numbers), initial=0.0)), 1e-300)
        np.testing.assert_allclose(np.asarray(got, dtype=float), numbers, rtol=0, atol=1e-12 * scale, err_msg=where)
        return
    assert len(got) == len(expected), where
    for k, (a, b) in enumerate(zip(got, expected)):
        _assert_same(a, b, f"{where}[{k}]")


def test_a_frame_shows_the_hodographs_of_the_solver_at_that_m(oscillator) -> None:
    page = DynamicsPage(oscillator)
    page.duration.value = 1.0
    page.wait()
    index = 137
    page.show_frame(index)
    m = page.frames[index, 0]
    # the same stack built another way: the free layer replaced directly
    layers = list(oscillator.layers)
    layers[2] = dataclasses.replace(layers[2], magnetization=m)
    solution = spinstack.solve(dataclasses.replace(oscillator, layers=layers)).reduced
    fold = hodograph(solution, HODOGRAPH_SAMPLES)
    accumulation = AccumulationView(size=330, interfaces=True).prepare(solution, fold)
    spin_current = SpinCurrentView(size=330).prepare(solution, fold)
    shown = page.hodographs(index)
    for expected, got in zip((accumulation, spin_current), shown):
        assert expected.keys() == got.keys()
        for name in expected:
            assert expected[name].keys() == got[name].keys()
            for column, values in expected[name].items():
                _assert_same(got[name][column], values, f"{name}.{column}")
    # and the figures show them: the j_s source holds the torque arrows of that m (as sent: views.plotted)
    assert page.spin_current.sources["jumps"].data["x0"] == pytest.approx(
        plotted(list(spin_current["jumps"]["x0"])), abs=1e-12 * max(map(abs, spin_current["jumps"]["x0"])))
    assert page.hodographs(index) is shown  # solved once per frame


def test_a_new_current_cancels_the_run_in_progress(oscillator) -> None:
    page = DynamicsPage(oscillator)
    page.duration.value = 400.0  # ns: long enough to be running when the current changes
    first = page.run
    deadline = time.monotonic() + 600
    while first.dataset is None and time.monotonic() < deadline:  # its first prefix has arrived: it is running
        time.sleep(0.01)
    old_worker = page._worker
    page.duration.value = 0.5
    page.current.value = "-6e12"
    second = page.run
    assert second is not first
    old_worker.join(60)
    assert not old_worker.is_alive()  # cancelled by its progress callback, long before its 400 ns
    assert not first.complete
    page.wait()
    assert second.complete
    expected = spinstack.dynamics(with_parameter(oscillator, "current", "-6e12 A/m^2"), duration=0.5e-9,
                                  save_every=5e-12, progress=False)
    np.testing.assert_allclose(page.frames, _frames(expected), rtol=0, atol=1e-12)
    assert page.frame == 0 and page.scrub.end == len(expected.time) - 1


def test_a_bad_current_is_said_and_nothing_runs(oscillator) -> None:
    page = DynamicsPage(oscillator)
    page.current.value = "1,5e12"
    page.poll()
    assert page.run.error is not None and "current" in page.run.error
    assert "dyn-error" in page.notice.object
    assert page._worker is None


def test_play_is_refused_while_a_box_is_invalid_and_the_box_is_marked(oscillator) -> None:
    page = DynamicsPage(oscillator)
    page.duration.value = 0.3
    page.wait()
    assert page.run.complete and len(page.times) > 1  # frames of the valid current -7e12 are there
    page.current.value = "-7e12,5"  # typed and Enter: refused
    page.poll()
    assert "ctl-invalid" in page.current.css_classes and "ctl-invalid" not in page.duration.css_classes
    assert "comma" in page.run.error and "dyn-error" in page.notice.object
    page.play.value = True  # Play pressed: refused, it does not play the earlier current's frames
    assert page.play.value is False and page.play.label == "Play"
    assert "current" in page.run.error and "dyn-error" in page.notice.object
    frame = page.frame
    page.poll()
    assert page.frame == frame
    page.duration.value = "0"
    assert "ctl-invalid" in page.duration.css_classes
    page.play.value = True
    assert page.play.value is False and "duration" in page.run.error and "current" in page.run.error
    page.current.value = "-6e12"  # corrected: unmarked, and it runs
    page.duration.value = "0.2"
    assert not {"ctl-invalid"} & (set(page.current.css_classes) | set(page.duration.css_classes))
    page.wait()
    assert page.run.error is None and page.run.complete
    page.play.value = True
    assert page.play.value is True and page.play.label == "Pause"
    page.stop()


def test_the_boxes_are_number_boxes_with_accessible_names(oscillator) -> None:
    from spinstack.app.controls import ARIA_TAG, NumberBox

    page = DynamicsPage(oscillator)
    for box in (page.current, page.duration):
        assert isinstance(box, NumberBox)  # typed text: no spinner arrows (12 - 3 x 0.1 was 11.700000000000001)
        names = [tag[len(ARIA_TAG):] for tag in box.tags if tag.startswith(ARIA_TAG)]
        assert len(names) == 1 and "dynamics" in names[0]
    assert page.current.value == "-7e+12"
    page.duration.value = 11.7
    assert page.duration.number() == 11.7
    page.stop()


def test_playing_advances_the_frames(oscillator) -> None:
    page = DynamicsPage(oscillator)
    page.duration.value = 0.5
    page.wait()
    page.play.value = True
    assert page.play.label == "Pause"
    seen = {page.frame}
    deadline = time.monotonic() + 60
    while len(seen) < 5 and time.monotonic() < deadline:
        page.poll()
        seen.add(page.frame)
        time.sleep(0.02)
    assert sorted(seen)[:5] == [0, 1, 2, 3, 4]
    page.stop()
    assert not page.play.value


def test_the_sphere_view_is_a_rotation_and_splits_front_from_back() -> None:
    view = sphere_view(35.0, 20.0)
    np.testing.assert_allclose(view @ view.T, np.eye(3), atol=1e-15)
    assert np.linalg.det(view) == pytest.approx(1.0, abs=1e-15)  # right, up, toward: right-handed
    # the viewer's own direction is drawn at the centre, in front
    toward = view[2]
    np.testing.assert_allclose(view @ toward, [0, 0, 1], atol=1e-15)
    assert view[1, 2] > 0  # +z is up on the screen for a positive elevation


def test_only_si_stacks_with_free_layers_have_the_page(oscillator) -> None:
    assert has_dynamics(oscillator)
    seed = spinstack.load_stack(OSCILLATOR.parent / "seed-fnf.toml")
    assert not has_dynamics(seed)

    class Plain:  # what explorer_tabs reads of an explorer
        base, display, layout = seed, None, panel.Column()

    explorer = Plain()
    tabs = explorer_tabs(explorer)
    assert list(tabs.objects) == [explorer.layout] and explorer.dynamics is None


def test_the_page_stops_with_its_threads(oscillator) -> None:
    page = DynamicsPage(oscillator)
    page.duration.value = 0.5
    page.wait()
    page.play.value = True
    page.poll()  # starts the prefetching thread
    prefetcher = page._prefetcher
    assert prefetcher is not None and prefetcher.is_alive()
    page.stop()
    prefetcher.join(5)
    assert not prefetcher.is_alive()
    assert all(thread.name != prefetcher.name for thread in threading.enumerate())


def test_a_cold_integrator_is_announced_while_the_page_waits(oscillator, monkeypatch) -> None:
    import spinstack.macrospin.compilation as compilation
    import spinstack.trajectories as trajectories

    release = threading.Event()
    real = trajectories.dynamics

    def slow(*args, **kwargs):  # the first compilation: minutes before the first prefix
        release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(compilation, "cache_is_cold", lambda kernel: True)
    monkeypatch.setattr(trajectories, "dynamics", slow)
    page = DynamicsPage(oscillator)
    page.duration.value = 0.3
    page.poll()
    assert "compiling the dynamics integrator (first run only" in page.notice.object
    assert page.run.dataset is None
    release.set()
    page.wait()
    assert page.run.complete and "end state" in page.notice.object and "compiling" not in page.notice.object


def test_while_playing_the_hodographs_are_of_a_frame_shown_and_paused_of_the_frame_itself(oscillator) -> None:
    page = DynamicsPage(oscillator)
    page.duration.value = 0.5
    page.wait()
    page.play.value = True
    for _ in range(30):
        page.poll()
        time.sleep(0.03)
        assert 0 <= page.hodograph_frame <= page.frame
        _, spin_current = page.hodographs(page.hodograph_frame)
        assert page.spin_current.sources["jumps"].data["x0"] == plotted(list(spin_current["jumps"]["x0"]))
        if page.hodograph_frame != page.frame:
            assert "solving" in page.numbers.object
    assert page.frame >= 30  # m(t) moved one saved point a tick, whatever the solves took
    page.play.value = False
    assert page.hodograph_frame == page.frame and "solving" not in page.numbers.object
    page.stop()


def test_the_sphere_legend_has_its_swatches_before_a_run(oscillator) -> None:
    """Review (issue 16, item 5): before Play the sphere's legend had names without colours (BokehJS draws no
    swatch for a line without data): every entry's line has a row from the start."""
    from bokeh.models import Legend

    page = DynamicsPage(oscillator)
    items = [item for legend in page.sphere.select(type=Legend) for item in legend.items]
    assert len(items) == len(page.free) >= 1
    for item in items:
        assert item.renderers and all(min(len(column) for column in renderer.data_source.data.values()) >= 1
                                      for renderer in item.renderers)
    page.stop()


def test_the_view_sliders_have_accessible_names(oscillator) -> None:
    """Review (issue 16, item 11): azimuth, elevation and the saved point had no accessible name."""
    from spinstack.app.controls import ARIA_TAG

    page = DynamicsPage(oscillator)
    names = {}
    for slider in (page.azimuth, page.elevation, page.scrub):
        found = [tag[len(ARIA_TAG):] for tag in slider.tags if tag.startswith(ARIA_TAG)]
        assert len(found) == 1, slider.name
        names[slider.name] = found[0]
    assert "azimuth" in names[page.azimuth.name] and "elevation" in names[page.elevation.name]
    assert "saved point" in names[page.scrub.name]
    page.stop()


def test_a_solve_overflowing_double_precision_is_said_in_the_cli_words(oscillator, monkeypatch) -> None:
    """Attacker review (issue 16): a FloatingPointError out of the run or the critical currents (valid but
    extreme parameters) was told as "internal error, please report it", or not caught at all; the page says
    what the CLI says (errors.numerical_failure) and keeps serving."""
    import spinstack.trajectories as trajectories
    from spinstack.errors import numerical_failure

    def overflow(*args, **kwargs):
        raise FloatingPointError("overflow encountered in multiply")

    monkeypatch.setattr(trajectories, "critical_currents", overflow)
    monkeypatch.setattr(trajectories, "dynamics", overflow)
    page = DynamicsPage(oscillator)
    page.duration.value = 0.3
    page.wait()
    words = numerical_failure(FloatingPointError("overflow encountered in multiply"))
    assert page.run.error == words and "internal error" not in page.notice.object
    assert f"critical currents: {words}" in page.notice.object
    page.stop()


def test_a_frame_whose_hodographs_overflow_is_said_and_the_page_keeps_serving(oscillator, monkeypatch) -> None:
    """Issue 16: a FloatingPointError while solving one frame's hodographs (on the page's thread: show_frame, from
    the player's poll or a scrub) escaped from the server's callback; the notice says it in the CLI's words
    (errors.numerical_failure), the figures keep the last frame solved, and the next frame that solves is shown
    and the words go.  (No real stack found: the model refuses currents, G_mix ... whose solve would overflow
    double precision, MODEL.md's bounds; the solve is made to raise.)"""
    import spinstack.app.dynamics_page as dynamics_page
    from spinstack.errors import numerical_failure

    page = DynamicsPage(oscillator)
    assert "Press Play" in page.notice.object and "dyn-frame-error" not in page.notice.object
    solve = dynamics_page.solve
    failing = {"on": True}

    def overflowing(stack, *args, **kwargs):
        if failing["on"]:
            raise FloatingPointError("overflow encountered in multiply")
        return solve(stack, *args, **kwargs)

    monkeypatch.setattr(dynamics_page, "solve", overflowing)
    before = {name: list(column) for name, column in page.spin_current.sources["jumps"].data.items()}
    page.duration.value = 0.3
    page.wait()  # the run's first frame is shown: its solve raises, the page says why
    assert page.run.complete and page.run.error is None and len(page.times) == 61
    words = numerical_failure(FloatingPointError("overflow encountered in multiply"))
    assert f"hodographs at t = 0.0000 ns not shown: {words}" in html.unescape(page.notice.object)
    assert page.hodograph_frame == -1 or page.hodograph_frame == 0  # (the start's, solved before the run)
    page.scrub.value = 10  # a scrub: the same, at that frame
    assert "hodographs at t = 0.0500 ns not shown" in html.unescape(page.notice.object)
    assert page.frame == 10
    for name, column in page.spin_current.sources["jumps"].data.items():
        assert list(column) == before[name]  # the figures keep what they showed
    failing["on"] = False
    page.scrub.value = 11  # the next frame solves: shown, the words gone
    assert page.hodograph_frame == 11 and "dyn-frame-error" not in page.notice.object
    solution = spinstack.solve(page.frame_stack(11)).reduced
    expected = SpinCurrentView(size=330).prepare(solution, hodograph(solution, HODOGRAPH_SAMPLES))
    assert page.spin_current.sources["jumps"].data["x0"] == plotted(list(expected["jumps"]["x0"]))
    page.stop()
