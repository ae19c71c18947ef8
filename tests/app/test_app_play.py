"""Playing a theta sweep in the explorer (issue 16, "play a theta sweep"): spinstack.app.play.ThetaPlayer.

The player is driven by hand here (its clock and its ticks); the browser test of the button is
``test_theta_play_in_the_browser`` in :mod:`tests.app.test_app_play_browser`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import spinstack
from spinstack.app.explorer import App
from spinstack.app.play import DEGREES_PER_SECOND, PAUSE, PLAY, UNDEFINED, sweep_angle
from spinstack.app.presets import preset
from spinstack.model.paths import with_parameter
from tests.app.conftest import ManualClock as Clock

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
THETA = "layers[2].magnetization.theta"


def _app(background: Any = None) -> tuple[App, Clock]:
    app = App(preset("seed"), "seed", background=background)
    clock = Clock()
    app.player.clock = clock
    return app, clock


def _shown_theta(app: App) -> float:
    text = app.explorer.numbers.text
    return float(text.split('id="theta">')[1].split("<")[0])


def _solver_g2(theta: float) -> float:
    return float(spinstack.solve(with_parameter(preset("seed"), THETA, theta)).efficiency().g2)


def test_the_sweep_runs_0_to_180_to_0() -> None:
    assert [sweep_angle(phase) for phase in (0.0, 45.0, 180.0, 270.0, 360.0, 400.0, -5.0)] == [
        0.0, 45.0, 180.0, 90.0, 0.0, 0.0, 0.0]


def test_a_play_sweeps_theta_up_to_180_and_back_to_0_showing_each_angle() -> None:
    """From the seed's 60 degrees, one tick a second: 90, 120, 150, 180, 150, ..., 0, then the play ends; every
    angle shown with the solver's g2 (m2 turns in the plane of m1 and m2: theta is the angle between them)."""
    app, clock = _app()
    player = app.player
    assert player.available and player.button.visible and player.button.label == PLAY
    player.button.value = True  # as the button does it
    assert player.playing and player.button.label == PAUSE
    shown = []
    for _ in range(12):
        clock.time += 30.0 / DEGREES_PER_SECOND  # 30 degrees of sweep
        player.tick()
        shown.append(_shown_theta(app))
        if not player.playing:
            break
    assert shown == [90.0, 120.0, 150.0, 180.0, 150.0, 120.0, 90.0, 60.0, 30.0, 0.0]
    assert not player.playing and player.button.value is False and player.button.label == PLAY
    assert f'id="g2">{_solver_g2(0.0):.8g}<' in app.explorer.numbers.text
    assert app.explorer.controls.widget("layers[2].magnetization").value == 0.0


def test_the_boxes_show_a_tenth_of_a_degree_during_a_play() -> None:
    """Reviewer: the theta box showed 6 decimals during a play (37.412345)."""
    app, clock = _app()
    app.player.play()
    clock.time += 0.4123456  # 12.37 degrees of sweep: theta 72.37...
    app.player.tick()
    box = app.explorer.controls.widget("layers[2].magnetization")
    assert box.text == "72.4" and box.value == 72.4
    app.player.pause()


def test_pause_leaves_theta_where_it_is_and_play_goes_on_from_there() -> None:
    app, clock = _app()
    player = app.player
    player.play()
    for _ in range(5):  # up to 180, then down to 150
        clock.time += 1.0
        player.tick()
    assert _shown_theta(app) == 150.0
    player.button.value = False  # pause
    clock.time += 10.0
    player.tick()  # no play: nothing moves
    assert not player.playing and _shown_theta(app) == 150.0
    assert f'id="g2">{_solver_g2(150.0):.8g}<' in app.explorer.numbers.text
    player.button.value = True  # on its way down, from 150
    clock.time += 1.0
    player.tick()
    assert _shown_theta(app) == 120.0


def test_a_whole_play_is_one_undo_step() -> None:
    app, clock = _app()
    session, player = app.session, app.player
    assert not session.history.can_undo
    player.play()
    for _ in range(4):
        clock.time += 1.0
        player.tick()
    player.pause()
    assert _shown_theta(app) == 180.0 and app.player.frames == 4
    assert session.history.can_undo
    session.undo()  # one step: back to the file's 60 degrees
    assert _shown_theta(app) == 60.0 and not session.history.can_undo
    session.redo()
    assert _shown_theta(app) == 180.0


def test_an_angle_still_being_solved_is_not_followed_by_another_and_stale_angles_are_dropped() -> None:
    """Served, the solves run elsewhere: the player sets no new angle while one is being solved, and then the
    angle the clock has reached (the frames between are dropped, the sweep keeps its pace)."""
    queued: list[tuple[Any, Any]] = []
    app, clock = _app(background=lambda work, done: queued.append((work, done)))
    player = app.player
    player.play()
    clock.time += 1.0
    player.tick()  # 90: being solved
    assert len(queued) == 1 and player.frames == 1
    for _ in range(3):
        clock.time += 1.0
        player.tick()  # still solving: nothing set
    assert player.frames == 1 and len(queued) == 1
    work, done = queued.pop()
    done(work())
    assert _shown_theta(app) == 90.0
    player.tick()  # the clock is at 60 + 4 * 30 = 180 now: 120 and 150 are dropped
    assert player.frames == 2
    work, done = queued.pop()
    done(work())
    assert _shown_theta(app) == 180.0
    player.pause()


def test_another_stack_stops_the_play_and_an_in_plane_page_has_none() -> None:
    app, clock = _app()
    app.player.play()
    clock.time += 1.0
    app.player.tick()
    app.menu.value = "three-f"  # another stack: the play stops
    assert not app.player.playing
    # three F layers: theta is undefined (the status says theta = -), the button is shown disabled saying why
    assert "id=\"theta\">\u2014<" in app.explorer.numbers.text
    assert app.player.button.visible and app.player.button.disabled and app.player.button.label == UNDEFINED
    assert app.player.button.width == 250  # the whole reason shown
    assert not app.player.available
    app.player.play()
    assert not app.player.playing and not app.player.button.value
    app.menu.value = "seed"  # two F layers again: offered
    assert not app.player.button.disabled and app.player.button.label == PLAY
    sot = App(spinstack.load_stack(EXAMPLES / "pt-co-sot.toml"), "pt-co-sot")
    assert not sot.player.available and not sot.player.button.visible
    sot.player.play()
    assert not sot.player.playing


def test_the_play_gives_way_to_the_user() -> None:
    """A move of m2 by the user during a play (its box, its slider, undo) pauses the play where the user put it."""
    app, clock = _app()
    app.player.play()
    clock.time += 1.0
    app.player.tick()
    assert _shown_theta(app) == 90.0
    app.explorer.controls.widget("layers[2].magnetization").value = 20.0  # typed in the box
    clock.time += 1.0
    app.player.tick()
    assert not app.player.playing and _shown_theta(app) == 20.0
    assert app.player.button.value is False


@pytest.mark.parametrize("theta", [0.0, 180.0])
def test_a_play_from_collinear_magnets_turns_m2_in_a_plane_through_x(theta: float) -> None:
    """m1 and m2 collinear span no plane: the sweep turns m2 in the plane through +x (as a tap does)."""
    app, clock = _app()
    app.explorer.controls.widget("layers[2].magnetization").value = theta
    app.player.play()
    clock.time += 1.0
    app.player.tick()
    assert _shown_theta(app) == (30.0 if theta == 0.0 else 150.0)
    m2 = np.asarray(app.explorer.stack.layers[2].magnetization, dtype=float)
    assert abs(m2[1]) < 1e-12  # in the x-z plane
    app.player.pause()
