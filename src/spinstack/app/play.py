"""Play a theta sweep in the explorer: theta, the angle between the first two F layers' magnetizations, runs
0 -> 180 -> 0 degrees while the page shows each step it can.

The sweep keeps its pace in time (:data:`DEGREES_PER_SECOND`), like a slider dragged at an even speed:
a new angle is set only once the previous one is shown (no queue of stale frames), and the angle set
is the one the clock has reached, so a slow solve drops frames instead of slowing the sweep.  m2 turns
in the plane of m1 and m2 as they were when the play started (:func:`~spinstack.app.views.pick_direction`,
as a tap on g(theta) does), through the angle boxes, so every figure and number follows as for a user's
move.  Pause leaves theta where it is; Play again goes on from there.  A move of m2 by the user during a
play (its box or slider, undo, a tap on g(theta)) pauses it where the user put m2.  Undo takes a whole play back in
one step (:meth:`~spinstack.app.session.Session.hold` while it plays).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import panel as pn

from .views import pick_direction

#: how fast theta runs (degrees per second of the sweep): 0 -> 180 -> 0 in 12 s
DEGREES_PER_SECOND = 30.0
#: decimals of the angles the play sets in the boxes (what the boxes show during a play)
DECIMALS = 1
#: how often the player looks whether the page is ready for a new angle (ms)
TICK_MS = 40
#: labels of the play/pause button
PLAY, PAUSE = "\u25b6 play \u03b8 sweep", "\u275a\u275a pause"
#: the disabled button's label on a page with more than two F layers, where theta (and g(theta)) is undefined:
#: the status line shows theta = \u2014 there, so the button says why it does not sweep
UNDEFINED = "\u03b8 sweep: needs exactly 2 F layers"
#: the button's help tooltip
PLAY_HELP = ("Sweeps \u03b8, the angle between m\u2081 and m\u2082, 0 \u2192 180 \u2192 0\u00b0 (m\u2082 turns in "
             "the plane of m\u2081 and m\u2082; 12 s a sweep), showing each angle the solver is ready for. "
             "Pause leaves \u03b8 where it is; undo takes the whole play back.")


def sweep_angle(phase: float) -> float:
    """Theta (degrees) at ``phase`` degrees along the sweep 0 -> 180 -> 0 (phase 0 to 360)."""
    phase = min(max(phase, 0.0), 360.0)
    return phase if phase <= 180.0 else 360.0 - phase


class ThetaPlayer:
    """The play/pause button of an explorer page and the sweep it plays.

    Parameters
    ----------
    page
        The :class:`~spinstack.app.explorer.App` (its ``explorer`` and ``session`` are read when needed:
        another stack may be shown meanwhile).
    clock
        Seconds, monotonic (tests pass their own).
    schedule
        ``schedule(tick, milliseconds)`` starts calling ``tick`` periodically and returns an object with
        ``stop()``; None: Panel's periodic callback of the served page (none outside a served page: the
        caller calls :meth:`tick`).
    """

    def __init__(self, page: Any, clock: Callable[[], float] = time.monotonic,
                 schedule: Callable[[Callable[[], None], int], Any] | None = None) -> None:
        self.page = page
        self.clock = clock
        self.schedule = schedule
        self.phase = 0.0  # degrees along the sweep (0 -> 360 is theta 0 -> 180 -> 0)
        self.frames = 0  # angles set so far (the tests read it)
        self._plane: tuple[Any, Any] | None = None  # m1 and the m2 of the play's start: the plane of the turn
        self._last = 0.0
        self._callback: Any = None
        self._shown: tuple[Any, float] | None = None  # the theta box and the angle the player last set in it
        self.button = pn.widgets.Toggle(label=PLAY, value=False, width=150, margin=(8, 5, 5, 5),
                                        css_classes=["theta-play"], color="primary",
                                        variant="outline")
        self.button.param.watch(self._pressed, "value")

    # ------------------------------------------------------------------ state
    @property
    def playing(self) -> bool:
        return self._plane is not None

    @property
    def available(self) -> bool:
        """Whether the page has a theta to sweep: exactly two F layers (theta, the angle between m1 and m2, is
        undefined with more: the status shows theta = \u2014), driven across the stack (a g(theta) page)."""
        stack = self.page.explorer.stack
        return len(stack.ferromagnet_indices) == 2 and not self.page.explorer.in_plane

    @property
    def offered(self) -> bool:
        """Whether the button is shown: a stack driven across with two F layers or more (disabled, saying why,
        when theta is undefined)."""
        stack = self.page.explorer.stack
        return len(stack.ferromagnet_indices) >= 2 and not self.page.explorer.in_plane

    @staticmethod
    def _served() -> bool:
        return pn.state.curdoc is not None and pn.state.curdoc.session_context is not None

    def follow(self) -> None:
        """The page shows another stack (or new controls): a play under way stops; the button shows where a
        theta can be swept."""
        self.pause()
        self.phase = 0.0
        available = self.available
        self.button.visible = self.offered
        self.button.disabled = not available
        label, width = (PLAY, 150) if available else (UNDEFINED, 250)
        if self.button.label != label:
            self.button.label = label
        if self.button.width != width:
            self.button.width = width

    def _pressed(self, event: Any) -> None:
        if event.new:
            self.play()
        else:
            self.pause()

    # ------------------------------------------------------------------ play / pause
    def play(self) -> None:
        """Start (or go on with) the sweep from the present theta."""
        if not self.available:
            self.button.value = False
            return
        explorer = self.page.explorer
        first, second = explorer.stack.ferromagnet_indices[:2]
        m1 = np.asarray(explorer.stack.layers[first].magnetization, dtype=float)
        m2 = np.asarray(explorer.stack.layers[second].magnetization, dtype=float)
        self._plane = (m1, m2)
        theta = float(np.degrees(np.arccos(np.clip(np.dot(m1, m2) / np.linalg.norm(m1) / np.linalg.norm(m2),
                                                   -1.0, 1.0))))
        # a paused play goes on where it was (on its way up or down); else up from the present theta
        if abs(sweep_angle(self.phase) - theta) > 1e-3:
            self.phase = theta
        self.page.session.hold()  # one undo step for the whole play
        self._last = self.clock()
        if self.button.label != PAUSE:
            self.button.label = PAUSE
        if not self.button.value:
            self.button.value = True
        if self._callback is None:
            self._callback = self._start_ticks()

    def _start_ticks(self) -> Any:
        if self.schedule is not None:
            return self.schedule(self.tick, TICK_MS)
        if self._served():
            return pn.state.add_periodic_callback(self.tick, period=TICK_MS)
        return None

    def pause(self) -> None:
        """Stop the sweep where it is (theta stays); the play is one undo step."""
        callback, self._callback = self._callback, None
        if callback is not None:
            callback.stop()
        if self.button.value:
            self.button.value = False
        self.button.label = PLAY if self.available else UNDEFINED
        self._shown = None
        if self._plane is not None:
            self._plane = None
            self.page.session.release_hold()

    def tick(self) -> None:
        """Set the angle the clock has reached, if the page has shown the previous one; at 0 after 180: done."""
        if self._plane is None:
            return
        now = self.clock()
        if getattr(self.page.explorer, "_solving", False):  # the previous angle is still being solved
            return
        if self._shown is not None and self._shown[0].value != self._shown[1]:
            self.pause()  # the user moved m2 (its box or slider, undo, a tap on g(theta)): the play gives way
            return
        self.phase = min(360.0, self.phase + DEGREES_PER_SECOND * (now - self._last))
        self._last = now
        self._set(sweep_angle(self.phase))
        if self.phase >= 360.0:
            self.phase = 0.0
            self.pause()

    def _set(self, theta: float) -> None:
        """Turn m2 to ``theta`` degrees from m1 in the play's plane, through its angle boxes (one update)."""
        explorer = self.page.explorer
        m1, m2 = self._plane
        polar, azimuth = pick_direction(m1, m2, theta)
        second = explorer.stack.ferromagnet_indices[1]
        path = f"layers[{second}].magnetization"
        theta_box, phi_box = next(c for c in explorer.controls.controls if c.path == path).widgets[:2]
        # a tenth of a degree: the box reads 37.4 during a play, not 37.412345 (steps are ~1 degree apart)
        widgets = {theta_box: round(polar, DECIMALS)}
        if 1e-6 < polar < 180.0 - 1e-6:  # at a pole the azimuth is any: leave it
            widgets[phi_box] = round(azimuth, DECIMALS)
        self.frames += 1
        self._shown = (theta_box, widgets[theta_box])
        explorer.controls.assign(widgets)


__all__ = ["DEGREES_PER_SECOND", "UNDEFINED", "ThetaPlayer", "sweep_angle"]
