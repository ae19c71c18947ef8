"""The explorer's dynamics page: m(t) of the free layers played on the unit sphere next to the hodographs.

For a stack with free layers (an SI file with ``free = true`` layers and their constants, STACK_FORMAT.md
"Dynamics") the page integrates the LLGS equation with the exact torque (:func:`spinstack.dynamics`, the
compiled integrator) at the current typed in its box (A/m^2, the file's sign: positive along +x, electrons
flowing from right to left), and plays the result:

* the unit sphere in an orthographic view that the two view sliders turn (azimuth and elevation of the
  viewer), its front half drawn solid and its back half faint, the trail of every free layer's m(t) up to the
  present frame and its arrow, the fixed layer's m_ref;
* the folded mu_s and j_s hodographs (the explorer's :class:`~spinstack.app.views.AccumulationView` and
  :class:`~spinstack.app.views.SpinCurrentView`) of the stack with the free layers at the frame's m, solved
  when the frame is first shown and kept;
* in words: the end state and precession frequency of the run (:func:`spinstack.dynamics`), the critical
  currents of linear stability (:func:`spinstack.critical_currents`), the frame's time and m.

The run never blocks the page: a worker thread integrates it in prefixes of growing length from t = 0
(:func:`prefix_durations`), each a separate call of :func:`spinstack.dynamics` whose saved points are exactly
the first points of the whole run (the integrator's steps land on the saved times and do not depend on the
duration: the prefixes agree with the full run to the last bit), so the first frames come after a fraction of
the run; a new current or duration cancels the run in progress (the integrator's progress callback raises in
its thread).  The server's event loop polls the worker (a periodic callback) and moves the frames: no Bokeh
model is touched from the thread.  The first run after installing spinstack compiles the integrator for
minutes (:mod:`spinstack.macrospin.compilation`): the page says so while it waits.
"""

from __future__ import annotations

import html
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, LabelSet, Range1d
from bokeh.plotting import figure

from ..analysis import hodograph
from ..errors import SpinstackError, numerical_failure
from ..model import Stack
from ..model.paths import parse, with_parameter
from ..plot import style
from ..solution import solve
from .controls import ARIA_TAG, INVALID_CSS, NumberBox, number_text
from .display import Display
from .views import HODOGRAPH_SAMPLES, AccumulationView, SpinCurrentView

__all__ = ["DYNAMICS_HOLDER", "DYNAMICS_TITLE", "DynamicsPage", "MAX_FRAMES", "NO_DYNAMICS", "PREPARING",
           "SINGLE_TAB_CSS", "explorer_tabs", "follow_explorer", "has_dynamics", "may_have_dynamics",
           "prefix_durations", "show_dynamics", "si_current", "sphere_view", "stop_dynamics"]

#: Window width (CSS px) from which the page's controls, notice and numbers are a column beside the figures (W:
#: over them, the sphere and the two hodographs took ~1220 of 1920 px, a third of the window empty at the right)
WIDE = 1800
#: The rules of that layout (a stylesheet of the FlexBox holding the two blocks): below :data:`WIDE` the controls'
#: block is a row of its own, the figures wrap below it (side by side at 1366 px, one column on a phone).
DYNAMICS_CSS = f"""
.dyn-side {{ flex: 0 0 100%; }}
.dyn-figures {{ flex: 0 1 auto; max-width: 100%; }}
@media (min-width: {WIDE}px) {{ .dyn-side {{ flex: 0 0 520px; margin-right: 12px; }} }}
"""
#: the most saved points a run of the page keeps (more: save_every is raised to duration / (MAX_FRAMES - 1))
MAX_FRAMES = 4001
#: the first prefix integrated: this fraction of the run (at least FIRST_FRAMES saved points)
FIRST_FRACTION = 1 / 16
FIRST_FRAMES = 40
#: milliseconds between two frames while playing (and between two polls of the worker)
TICK_MS = 60
#: the most frames whose hodographs are kept
MAX_KEPT = 3000
#: saved points of the trail drawn behind m (the last ones up to the frame)
TRAIL = 600
#: the playing speeds offered: saved points advanced per tick
SPEEDS = {"1 point / frame": 1, "2 points / frame": 2, "5 points / frame": 5, "20 points / frame": 20}
#: colours of the free layers' trails (first, second, third ...)
_LAYER_COLORS = (style.FORCE["tension"], style.FORCE["driving"], style.FORCE["elastic"], style.FORCE["interface"])
_SPHERE_SAMPLES = 181
_SUBSCRIPT = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")
_BACK_ALPHA = 0.28  # everything behind the sphere's limb: faint


class _Cancelled(Exception):
    """Raised in the worker's progress callback when the run it integrates is no longer wanted."""


def has_dynamics(stack: Stack) -> bool:
    """Whether the dynamics page applies: an SI single-configuration stack with at least one free layer."""
    return (stack.units == "SI" and stack.batch_shape == ()
            and any(getattr(layer, "free", False) for layer in stack.layers))


def prefix_durations(duration: float, save_every: float, first_fraction: float = FIRST_FRACTION,
                     first_frames: int = FIRST_FRAMES, growth: float = 4.0) -> list[float]:
    """The durations (s) of the growing prefixes a run of ``duration`` s is integrated in, the last ``duration``.

    Each is a whole number of ``save_every`` (so its saved times are the run's first ones): the first about
    ``first_fraction`` of the run but at least ``first_frames`` saved intervals, each next ``growth`` times the
    one before.  The total work is at most growth / (growth - 1) times the run's.
    """
    intervals = duration / save_every
    steps = max(first_frames, math.ceil(first_fraction * intervals))
    durations = []
    while steps < intervals * (1 - 1e-9):
        durations.append(steps * save_every)
        steps = math.ceil(growth * steps)
    durations.append(duration)
    return durations


def sphere_view(azimuth: float, elevation: float) -> np.ndarray:
    """The orthographic view's frame (3, 3): rows the screen's right and up directions and the direction toward
    the viewer, for a viewer at ``azimuth`` (degrees, from +x toward +y) and ``elevation`` (degrees above the
    x-y plane); a point p is drawn at (p . right, p . up) and is in front of the sphere when p . toward >= 0."""
    phi, eps = math.radians(azimuth), math.radians(elevation)
    toward = np.array([math.cos(eps) * math.cos(phi), math.cos(eps) * math.sin(phi), math.sin(eps)])
    right = np.array([-math.sin(phi), math.cos(phi), 0.0])
    up = np.cross(toward, right)
    return np.array([right, up, toward])


def _split(points: np.ndarray, frame: np.ndarray) -> dict[str, list[float]]:
    """A polyline on the sphere (n, 3) projected by ``frame``: columns front x/y and back x/y, NaN where the
    point is on the other side (each segment drawn on the side of its start: the lines are dense)."""
    projected = points @ frame.T
    front = projected[:, 2] >= 0
    # a segment crossing the limb is drawn on both sides: no gap at the limb
    front_shown = front | np.r_[front[1:], False] | np.r_[False, front[:-1]]
    back_shown = ~front | np.r_[~front[1:], False] | np.r_[False, ~front[:-1]]
    return {"fx": np.where(front_shown, projected[:, 0], np.nan).tolist(),
            "fy": np.where(front_shown, projected[:, 1], np.nan).tolist(),
            "bx": np.where(back_shown, projected[:, 0], np.nan).tolist(),
            "by": np.where(back_shown, projected[:, 1], np.nan).tolist()}


def _sphere_grid() -> np.ndarray:
    """Parallels every 30 degrees of latitude and meridians every 30 degrees of longitude, as one polyline
    (NaN rows between the circles)."""
    angle = np.linspace(0.0, 2 * np.pi, _SPHERE_SAMPLES)
    circles = []
    for latitude in np.radians([-60, -30, 0, 30, 60]):
        circles.append(np.column_stack([np.cos(latitude) * np.cos(angle), np.cos(latitude) * np.sin(angle),
                                        np.full_like(angle, np.sin(latitude))]))
    for longitude in np.radians(np.arange(0, 180, 30)):
        circles.append(np.column_stack([np.cos(angle) * np.cos(longitude), np.cos(angle) * np.sin(longitude),
                                        np.sin(angle)]))
    gap = np.full((1, 3), np.nan)
    return np.vstack([part for circle in circles for part in (circle, gap)][:-1])


@dataclass
class _Run:
    """What the worker thread hands to the page (read and written under the page's lock)."""

    generation: int
    dataset: Any = None          # the longest prefix integrated so far (xarray.Dataset)
    complete: bool = False       # the dataset is the whole run
    error: str | None = None     # a refusal or failure, in words
    started: float = field(default_factory=time.monotonic)
    cold: bool | None = None     # the integrator compiles first (compilation.cache_is_cold)


class DynamicsPage:
    """Controls, sphere, hodographs and numbers of the dynamics of one stack.

    Parameters
    ----------
    stack
        An SI stack with free layers (:func:`has_dynamics`): the start values (current, [dynamics] duration
        and save_every; 5 ns and 5 ps without a [dynamics] table).
    display
        The units of the hodographs (the explorer's :class:`~spinstack.app.display.Display`); model units
        when omitted.

    Raises
    ------
    SpinstackError
        If the stack has no free layer or is not a single SI configuration.
    """

    def __init__(self, stack: Stack, display: Display | None = None) -> None:
        if not has_dynamics(stack):
            raise SpinstackError("the dynamics page takes a single SI stack with free layers (free = true)")
        self.base = stack
        self.display = display
        self.free = [i for i, layer in enumerate(stack.layers) if getattr(layer, "free", False)]
        table = getattr(stack, "dynamics", None)
        duration = getattr(table, "duration", None) or 5e-9
        save_every = getattr(table, "save_every", None) or 5e-12
        self.stack = stack
        self._lock = threading.Lock()
        self._generation = 0
        self._run: _Run | None = None
        self._worker: threading.Thread | None = None
        self._shown_generation = -1
        self.frames = np.zeros((0, len(self.free), 3))  # m of every saved point received (time, free layer, 3)
        # D: a [dynamics] waveform drives the run instead of the current box: J (A/m^2) of every saved point
        # received (the hodographs of a frame are those of the drive at its time); None: the box's constant J
        self.waveform = table is not None and table.waveform is not None
        self.drive: np.ndarray | None = None
        self.times = np.zeros(0)
        self.frame = 0
        # (run, frame) -> (mu_s data, j_s data): solved once, by the page or ahead of the player by a thread
        self._hodographs: dict[tuple[int, int], tuple[Any, Any]] = {}
        self._wanted = threading.Condition()
        self._goal: tuple[Any, ...] | None = None
        self._prefetcher: threading.Thread | None = None
        self._closed = False
        self.hodograph_frame = -1  # the frame whose hodographs are shown
        self._solve_seconds = 0.05  # the last hodograph solve's duration (the prefetcher aims that far ahead)
        self._callback: Any = None
        self._critical: str = ""
        self._frame_error: str | None = None  # why the hodographs of the frame shown could not be solved
        self.save_every = float(save_every)
        current = si_current(stack)

        # ---- controls
        # the Transport tab's number boxes (typed text parsed on the server: no spinner arrows adding binary
        # noise such as 11.700000000000001), named for screen readers and marked red (aria-invalid) when bad
        self.current = NumberBox(label="current J (A/m\u00b2, + along +x)", value=f"{current:.6g}", width=190,
                                 css_classes=["dyn-current"], tags=[ARIA_TAG + "dynamics: current density J (A/m\u00b2)"],
                                 stylesheets=[INVALID_CSS])
        if self.waveform:  # D: the file's (or the structure card's) waveform drives the run, not this box
            # U (review): the box showed the unused constant current (1e+11): it shows the waveform's span
            drive = np.asarray(table.scaled_waveform()[1], dtype=float)
            self.current.param.update(disabled=True, label="current J (A/m\u00b2): the waveform's span",
                                      value=f"{drive.min():.3g} \u2026 {drive.max():.3g}")
        self.duration = NumberBox(label="duration (ns)", value=number_text(round(duration * 1e9, 9)), width=110,
                                  css_classes=["dyn-duration"], tags=[ARIA_TAG + "dynamics: duration of the run (ns)"],
                                  stylesheets=[INVALID_CSS])
        self.play = pn.widgets.Toggle(label="Play", value=False, color="primary", width=100,
                                      css_classes=["dyn-play"])
        self.speed = pn.widgets.Select(label="speed", options=SPEEDS, value=1, width=150, css_classes=["dyn-speed"])
        # F1: the sliders' accessible names (controls.ACCESSIBLE_NAMES reads the aria: tag), as the controls have
        self.scrub = pn.widgets.IntSlider(label="saved point", start=0, end=1, value=0, width=330,
                                          css_classes=["dyn-frame"], tags=[ARIA_TAG + "saved point of the run"])
        self.azimuth = pn.widgets.FloatSlider(label="view azimuth (\u00b0)", start=-180, end=180, step=5, value=15,
                                              width=180, css_classes=["dyn-azimuth"],
                                              tags=[ARIA_TAG + "view azimuth of the sphere (degrees)"])
        self.elevation = pn.widgets.FloatSlider(label="view elevation (\u00b0)", start=-90, end=90, step=5,
                                                value=15, width=180, css_classes=["dyn-elevation"],
                                                tags=[ARIA_TAG + "view elevation of the sphere (degrees)"])
        self.notice = pn.pane.HTML("", max_width=520, sizing_mode="stretch_width", css_classes=["dyn-notice"])
        self.numbers = pn.pane.HTML("", max_width=520, sizing_mode="stretch_width", css_classes=["dyn-numbers"])

        # ---- figures
        self._grid = _sphere_grid()
        self.sphere = self._sphere_figure()
        self.accumulation = AccumulationView(size=330, interfaces=bool(stack.interfaces), display=display)
        self.spin_current = SpinCurrentView(size=330, display=display)

        self.current.param.watch(self._restart, "value")
        self.duration.param.watch(self._restart, "value")
        self.play.param.watch(self._played, "value")
        self.scrub.param.watch(self._scrubbed, "value")
        self.azimuth.param.watch(self._turned, "value")
        self.elevation.param.watch(self._turned, "value")
        self._draw_grid()
        self.layout = self._layout()
        self.show_frame(0, force=True)  # the start state, before any run
        self._say_critical()
        self._settings = _settings_words(stack)
        self._say(None, None, False, None)  # "Press Play ..." and the critical currents, before any run

    # ------------------------------------------------------------------ the run (worker thread)
    def run_stack(self) -> Stack:
        """The stack of the present controls (the current of the box, A/m^2; with a waveform, which drives the run
        and whose span the box shows, the stack as given)."""
        if self.waveform:
            return self.base
        try:
            value = self.current.number()
        except ValueError as error:
            raise SpinstackError(f"current: {error}; type a number in A/m^2 such as -7e12"[:200]) from None
        if not math.isfinite(value):
            raise SpinstackError(f"current: must be a finite number in A/m^2 such as -7e12, got {self.current.value!r}"
                                 [:200])
        return with_parameter(self.base, "current", f"{value!r} A/m^2")

    def run_settings(self) -> tuple[float, float]:
        """(duration, save_every) in s of the present controls; save_every raised so that at most
        :data:`MAX_FRAMES` points are kept."""
        try:
            nanoseconds = self.duration.number()
        except ValueError as error:
            raise SpinstackError(f"duration: {error}"[:200]) from None
        if not (math.isfinite(nanoseconds) and nanoseconds > 0):
            raise SpinstackError(f"duration: must be a number > 0 (ns), got {self.duration.value!r}")
        duration = nanoseconds * 1e-9
        save_every = min(self.save_every, duration)
        if duration / save_every + 1 > MAX_FRAMES:
            save_every = duration / (MAX_FRAMES - 1)
        return duration, save_every

    def start(self) -> None:
        """Cancel the run in progress (if any) and integrate the present controls' run in a worker thread."""
        from ..macrospin.compilation import cache_is_cold, loop_for

        with self._lock:
            self._generation += 1
            run = _Run(self._generation)
            self._run = run
        bad = self.invalid()
        self._mark(bad)
        if bad:  # nothing runs, nothing plays: the frames of an earlier current are not this box's
            with self._lock:
                run.error = "; ".join(bad.values())
            self.play.value = False
            self._ensure_ticking()
            return
        stack = self.run_stack()
        duration, save_every = self.run_settings()
        try:
            run.cold = cache_is_cold(loop_for(1))
        except Exception:  # nothing to tell: the page just waits
            run.cold = None
        self.stack = stack
        self._say_critical()
        worker = threading.Thread(target=self._integrate, args=(run, stack, duration, save_every),
                                  name=f"spinstack-dynamics-{run.generation}", daemon=True)
        self._worker = worker
        worker.start()
        self._ensure_ticking()

    def invalid(self) -> dict[str, str]:
        """The boxes holding no valid value: {"current" or "duration": the reason}, empty when Play may run."""
        bad: dict[str, str] = {}
        for name, check in (("current", self.run_stack), ("duration", self.run_settings)):
            try:
                check()
            except SpinstackError as error:
                bad[name] = str(error)
        return bad

    def _mark(self, bad: dict[str, str]) -> None:
        """The boxes of ``bad`` red (class ``ctl-invalid``: the page's script sets ``aria-invalid``), the others not."""
        for name, box in (("current", self.current), ("duration", self.duration)):
            classes = [c for c in box.css_classes if c != "ctl-invalid"] + (["ctl-invalid"] if name in bad else [])
            if classes != list(box.css_classes):  # a class change re-lays out the page: only when it changes
                box.css_classes = classes

    def _integrate(self, run: _Run, stack: Stack, duration: float, save_every: float) -> None:
        """The worker: the run's prefixes one after the other, each handed over as soon as it is done."""
        from ..trajectories import dynamics

        def check(fraction: float) -> None:
            if self._generation != run.generation:
                raise _Cancelled

        try:
            prefixes = prefix_durations(duration, save_every)
            for number, length in enumerate(prefixes):
                check(0.0)
                dataset = dynamics(stack, duration=length, save_every=save_every, progress=check)
                with self._lock:
                    if self._generation != run.generation:
                        return
                    run.dataset = dataset
                    run.complete = number == len(prefixes) - 1
        except _Cancelled:
            return
        except SpinstackError as error:
            with self._lock:
                run.error = str(error)
        except FloatingPointError as error:  # valid but extreme parameters: the CLI's words, not "internal error"
            with self._lock:
                run.error = numerical_failure(error)
        except Exception as error:  # a bug: said on the page, the page keeps serving
            with self._lock:
                run.error = f"internal error, please report it: {type(error).__name__}: {error}"

    def wait(self, timeout: float = 600.0) -> None:
        """Block until the present run's worker has ended (tests and scripts; the page never waits)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        self.poll()

    def stop(self) -> None:
        """Cancel the run in progress and stop the periodic callback (the page is gone)."""
        with self._lock:
            self._generation += 1
        self._closed = True
        with self._wanted:
            self._wanted.notify()
        self.play.value = False
        if self._callback is not None:
            self._callback.stop()
            self._callback = None

    @property
    def run(self) -> _Run | None:
        """The present run's state (the dataset of its longest prefix so far, its error, whether complete)."""
        return self._run

    # ------------------------------------------------------------------ the page (server's event loop)
    def _ensure_ticking(self) -> None:
        if self._callback is None and pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
            self._callback = pn.state.add_periodic_callback(self.poll, period=TICK_MS)

    def poll(self) -> None:
        """Take what the worker has handed over, advance the frame while playing and redraw: one tick."""
        with self._lock:
            run = self._run
            dataset = run.dataset if run is not None else None
            complete = run.complete if run is not None else False
            error = run.error if run is not None else None
        if run is not None and dataset is not None and (run.generation != self._shown_generation
                                                        or len(dataset.time) != len(self.times)):
            self._take(run.generation, dataset)
        self._say(run, dataset, complete, error)
        if self.play.value and len(self.times):
            last = len(self.times) - 1
            step = int(self.speed.value)
            if self.frame >= last:
                if complete:  # the end of the whole run: start again
                    self.show_frame(0)
                # otherwise wait for the next prefix
            else:
                self.show_frame(min(self.frame + step, last), exact=False)
            self._ahead()
        if (run is None or complete or error is not None) and not self.play.value and self._callback is not None:
            self._callback.stop()
            self._callback = None

    def _take(self, generation: int, dataset: Any) -> None:
        """A prefix arrived: its m and times become the frames (a new run starts again at frame 0)."""
        new_run = generation != self._shown_generation
        self.frames = np.asarray(dataset.m.transpose("time", "layer", "component").values, dtype=float)
        self.times = np.asarray(dataset.time.values, dtype=float)
        self.drive = np.asarray(dataset.current.values, dtype=float).reshape(len(self.times)) \
            if self.waveform and "current" in dataset else None
        self._dataset = dataset
        if new_run:
            with self._lock:
                self._shown_generation = generation
                self._hodographs.clear()
            self.frame = 0
        with pn.io.hold():
            self.scrub.end = max(len(self.times) - 1, 1)
            self.show_frame(0 if new_run else self.frame, force=True)

    def show_frame(self, index: int, force: bool = False, exact: bool = True) -> None:
        """Draw saved point ``index``: the sphere's trail and arrows, the hodographs of that m, the numbers.

        ``exact=False`` (the player): the hodographs of ``index`` if they are solved already, else those of the
        latest solved frame before it (the numbers say which), so that m(t) moves at the player's pace however
        long a solve takes; paused or scrubbed, the frame's own are solved at once."""
        if not force and index == self.frame:
            return
        self.frame = index
        if self.scrub.value != index:
            self.scrub.value = index  # (its watcher sees the same frame and returns)
        with pn.io.hold():
            self._draw_trajectory()
            shown = index if exact or not len(self.frames) else self._latest_solved(index)
            if shown is not None and (shown != self.hodograph_frame or force or exact):
                failure = None
                try:
                    accumulation, spin_current = self.hodographs(shown)
                except SpinstackError as error:
                    failure = str(error)
                except FloatingPointError as error:  # valid but extreme numbers at this m: the CLI's words
                    failure = numerical_failure(error)
                except Exception as error:  # a bug: said on the page, which keeps serving (as _integrate)
                    failure = f"internal error, please report it: {type(error).__name__}: {error}"
                else:
                    self.accumulation.show(accumulation)
                    self.spin_current.show(spin_current)
                    self.hodograph_frame = shown
                self._tell_frame(shown, failure)
            self._say_frame()

    def _tell_frame(self, index: int, failure: str | None) -> None:
        """The notice says why the hodographs of saved point ``index`` are not shown (the figures keep the last
        frame solved), or no longer says it once a frame's are."""
        if failure is not None:
            when = f"t = {self.times[index] * 1e9:.4f} ns" if len(self.times) else "the start"
            failure = f"hodographs at {when} not shown: {failure}"
        if failure != self._frame_error:
            self._frame_error = failure
            with self._lock:
                run = self._run
                state = (run.dataset, run.complete, run.error) if run is not None else (None, False, None)
            self._say(run, *state)

    def _latest_solved(self, index: int) -> int | None:
        """The latest frame at or before ``index`` whose hodographs are solved (None: none of this run)."""
        with self._lock:
            solved = [frame for generation, frame in self._hodographs
                      if generation == self._shown_generation and frame <= index]
        return max(solved) if solved else None

    def magnetizations(self, index: int) -> np.ndarray:
        """m of the free layers (n_free, 3) at saved point ``index`` (the stack's own before any run)."""
        if len(self.frames):
            return self.frames[index]
        return np.array([self.base.layers[i].magnetization for i in self.free], dtype=float)

    def frame_stack(self, index: int) -> Stack:
        """The run's stack with the free layers at their m of saved point ``index`` (and, driven by a waveform,
        the current density of that time)."""
        stack = self._driven(self.stack, self.frame_current(index))
        for layer, m in zip(self.free, self.magnetizations(index)):
            stack = with_parameter(stack, f"layers[{layer}].magnetization", m)
        return stack

    def frame_current(self, index: int) -> float | None:
        """The waveform's current density (A/m^2) at saved point ``index``; None: the run's constant current."""
        if self.drive is not None and len(self.drive):
            return float(self.drive[index])
        if self.waveform:  # before a run: the waveform's first current
            return float(np.asarray(self.base.dynamics.scaled_waveform()[1], dtype=float).reshape(-1)[0])
        return None

    @staticmethod
    def _driven(stack: Stack, current: float | None) -> Stack:
        return stack if current is None else with_parameter(stack, "current", f"{current!r} A/m^2")

    def hodographs(self, index: int) -> tuple[Any, Any]:
        """The mu_s and j_s hodographs' data of saved point ``index`` (solved once per frame, then kept)."""
        key = (self._shown_generation, index if len(self.frames) else -1)
        with self._lock:
            found = self._hodographs.get(key)
        if found is None:
            found = self._solve_frame(self._driven(self.stack, self.frame_current(index)), self.magnetizations(index))
            with self._lock:
                self._hodographs[key] = found
        return found

    def _solve_frame(self, stack: Stack, magnetizations: np.ndarray) -> tuple[Any, Any]:
        """The hodographs' data of ``stack`` with the free layers at ``magnetizations`` (no Bokeh model touched:
        the prefetching thread calls it too)."""
        for layer, m in zip(self.free, magnetizations):
            stack = with_parameter(stack, f"layers[{layer}].magnetization", m)
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            solution = solve(stack).reduced
            fold = hodograph(solution, HODOGRAPH_SAMPLES)
            return self.accumulation.prepare(solution, fold), self.spin_current.prepare(solution, fold)

    def _ahead(self) -> None:
        """Ask the prefetching thread for the frames the player reaches next (started on first use)."""
        with self._wanted:
            self._goal = (self._shown_generation, self.stack, self.frames, self.frame, int(self.speed.value),
                          self.drive)
            self._wanted.notify()
        if self._prefetcher is None:
            self._prefetcher = threading.Thread(target=self._prefetch, name="spinstack-dynamics-hodographs",
                                                daemon=True)
            self._prefetcher.start()

    def _prefetch(self) -> None:
        """The prefetching thread: solves the hodographs of the frame the player reaches when the solve ends."""
        while not self._closed:
            with self._wanted:
                goal = self._goal
                if goal is None:
                    self._wanted.wait(0.5)
                    continue
            generation, stack, frames, frame, step, drive = goal
            # the frame the player will show when this solve ends: solved just in time
            ahead = step * (1 + math.ceil(self._solve_seconds / (TICK_MS / 1e3)))
            todo = min(frame + ahead, len(frames) - 1)
            with self._lock:
                done = (generation, todo) in self._hodographs
            if done:
                with self._wanted:
                    if self._goal is goal:
                        self._wanted.wait(0.5)
                continue
            try:
                began = time.perf_counter()
                current = None if drive is None or not len(drive) else float(drive[todo])
                found = self._solve_frame(self._driven(stack, current), frames[todo])
                self._solve_seconds = time.perf_counter() - began
            except Exception:  # (FloatingPointError, a refusal): the page solves it itself and says why
                with self._wanted:
                    if self._goal is goal:
                        self._goal = None
                continue
            with self._lock:
                if generation == self._shown_generation:
                    self._hodographs[(generation, todo)] = found
                    if len(self._hodographs) > MAX_KEPT:  # the oldest frames go first (dicts keep insertion order)
                        for key in list(self._hodographs)[:len(self._hodographs) - MAX_KEPT]:
                            del self._hodographs[key]

    # ------------------------------------------------------------------ controls
    def _restart(self, event: Any) -> None:
        self.start()

    def _played(self, event: Any) -> None:
        if event.new:
            bad = self.invalid()
            if bad:  # refused: the box is marked and the reason said; no earlier current's frames play
                self._mark(bad)
                with self._lock:
                    if self._run is None or self._run.error is None:
                        self._generation += 1
                        self._run = _Run(self._generation)
                    self._run.error = "; ".join(bad.values())
                self.play.value = False
                self.poll()
                return
        self.play.label = "Pause" if event.new else "Play"
        if event.new:
            if self._run is None or self._run.error is not None:
                self.start()
            self._ensure_ticking()
        elif len(self.times):
            self.show_frame(self.frame, force=True)  # paused: the frame's own hodographs

    def _scrubbed(self, event: Any) -> None:
        if len(self.times):
            self.show_frame(min(int(event.new), len(self.times) - 1))

    def _turned(self, event: Any) -> None:
        with pn.io.hold():
            self._draw_grid()
            self._draw_trajectory()

    # ------------------------------------------------------------------ drawing
    def _view(self) -> np.ndarray:
        return sphere_view(float(self.azimuth.value), float(self.elevation.value))

    def _sphere_figure(self) -> Any:
        p = figure(width=380, height=380, match_aspect=True, toolbar_location=None, tools="",
                   title="m(t) on the unit sphere (front solid, back faint)",
                   x_range=Range1d(-1.32, 1.32), y_range=Range1d(-1.32, 1.32))
        p.axis.visible = False
        p.grid.visible = False
        p.outline_line_color = None
        angle = np.linspace(0, 2 * np.pi, _SPHERE_SAMPLES)
        p.line(np.cos(angle).tolist(), np.sin(angle).tolist(), line_color=style.INK, line_width=1.5)  # the limb
        self._sources = {name: ColumnDataSource(data) for name, data in {
            "grid": {"fx": [], "fy": [], "bx": [], "by": []},
            "axes": {"x0": [], "y0": [], "x1": [], "y1": [], "alpha": [], "dash": []},
            "axis_labels": {"x": [], "y": [], "text": [], "alpha": []},
            "arrows": {"x0": [], "y0": [], "x1": [], "y1": [], "color": [], "alpha": []},
            "tips": {"x": [], "y": [], "color": [], "fill": []},
        }.items()}
        grid = self._sources["grid"]
        p.line("fx", "fy", source=grid, line_color=style.GUIDE, line_width=0.8, line_alpha=0.8)
        p.line("bx", "by", source=grid, line_color=style.GUIDE, line_width=0.8, line_alpha=_BACK_ALPHA,
               line_dash="dotted")
        p.segment("x0", "y0", "x1", "y1", source=self._sources["axes"], line_color=style.INK, line_width=1.2,
                  line_alpha="alpha")
        p.add_layout(LabelSet(x="x", y="y", text="text", source=self._sources["axis_labels"], text_font_size="13px",
                              text_color=style.INK, text_alpha="alpha", text_align="center",
                              text_baseline="middle"))
        self._trails = []
        for k, layer in enumerate(self.free):
            color = _LAYER_COLORS[k % len(_LAYER_COLORS)]
            # F1: one NaN point from the start: BokehJS draws no legend swatch for a line without data (the legend
            # had names without colours until a run began); a NaN point draws nothing in the frame
            source = ColumnDataSource({"fx": [np.nan], "fy": [np.nan], "bx": [np.nan], "by": [np.nan]})
            p.line("fx", "fy", source=source, line_color=color, line_width=2.2,
                   legend_label=f"{self._name(layer)}: layer {layer} ({self.base.layers[layer].material.name}), free")
            p.line("bx", "by", source=source, line_color=color, line_width=2.0, line_alpha=_BACK_ALPHA)
            self._trails.append(source)
        p.segment("x0", "y0", "x1", "y1", source=self._sources["arrows"], line_color="color", line_width=3.5,
                  line_alpha="alpha")
        p.scatter("x", "y", source=self._sources["tips"], size=13, line_color="color", fill_color="fill",
                  line_width=2.5)
        p.legend.location = "bottom_left"
        p.legend.label_text_font_size = "11px"
        p.legend.background_fill_alpha = 0.6
        p.legend.border_line_alpha = 0
        p.legend.padding = 2
        return p

    def _name(self, layer: int) -> str:
        """m of F layer ``layer`` as the hodographs name it: m with the F layer's number (m\u2081, m\u2082 ...)."""
        return "m" + str(list(self.base.ferromagnet_indices).index(layer) + 1).translate(_SUBSCRIPT)

    def _fixed_directions(self) -> list[tuple[str, np.ndarray]]:
        """The fixed F layers' m (the reference of P and AP), labelled as on the page."""
        fixed = []
        for i in self.base.ferromagnet_indices:
            if i not in self.free:
                fixed.append((f"{self._name(i)} (fixed)",
                              np.asarray(self.base.layers[i].magnetization, dtype=float)))
        return fixed

    def _draw_grid(self) -> None:
        view = self._view()
        self._sources["grid"].data = _split(self._grid, view)
        axes = {"x0": [], "y0": [], "x1": [], "y1": [], "alpha": [], "dash": []}
        labels = {"x": [], "y": [], "text": [], "alpha": []}
        named = [(name, vector) for name, vector in zip("xyz", np.eye(3))]
        for name, vector in self._fixed_directions():  # along an axis: one arrow, both names
            unit = vector / np.linalg.norm(vector)
            same = [k for k, (_, axis) in enumerate(named) if abs(float(np.dot(axis, unit))) > 1 - 1e-12]
            if same:
                axis_name, axis = named[same[0]]
                sign = "" if np.dot(axis, unit) > 0 else "\u2212"
                named[same[0]] = (f"{axis_name} = {sign}{name}", axis)
            else:
                named.append((name, unit))
        for name, vector in named:
            vector = vector / np.linalg.norm(vector)
            tip = view @ (1.18 * vector)
            alpha = 1.0 if tip[2] >= -1e-12 else 0.4
            axes["x0"].append(0.0)
            axes["y0"].append(0.0)
            axes["x1"].append(float(tip[0]))
            axes["y1"].append(float(tip[1]))
            axes["alpha"].append(alpha)
            axes["dash"].append("solid")
            where = view @ (1.26 * vector)
            labels["x"].append(float(where[0]))
            labels["y"].append(float(where[1]))
            labels["text"].append(name)
            labels["alpha"].append(alpha)
        self._sources["axes"].data = axes
        self._sources["axis_labels"].data = labels

    def _draw_trajectory(self) -> None:
        view = self._view()
        arrows = {"x0": [], "y0": [], "x1": [], "y1": [], "color": [], "alpha": []}
        tips = {"x": [], "y": [], "color": [], "fill": []}
        now = self.magnetizations(self.frame)
        for k, source in enumerate(self._trails):
            color = _LAYER_COLORS[k % len(_LAYER_COLORS)]
            if len(self.frames):
                trail = self.frames[max(0, self.frame - TRAIL):self.frame + 1, k]
                source.data = _split(trail, view)
            else:  # (a NaN point, not none: the legend's swatch stays)
                source.data = {"fx": [np.nan], "fy": [np.nan], "bx": [np.nan], "by": [np.nan]}
            tip = view @ (now[k] / np.linalg.norm(now[k]))
            front = tip[2] >= 0
            arrows["x0"].append(0.0)
            arrows["y0"].append(0.0)
            arrows["x1"].append(float(tip[0]))
            arrows["y1"].append(float(tip[1]))
            arrows["color"].append(color)
            arrows["alpha"].append(1.0 if front else 0.45)
            tips["x"].append(float(tip[0]))
            tips["y"].append(float(tip[1]))
            tips["color"].append(color)
            tips["fill"].append(color if front else "white")  # a hollow tip: m points away from the viewer
        self._sources["arrows"].data = arrows
        self._sources["tips"].data = tips

    # ------------------------------------------------------------------ words
    def _say_critical(self) -> None:
        from ..trajectories import critical_currents

        try:
            found = critical_currents(self.stack)
        except (SpinstackError, FloatingPointError) as error:
            text = numerical_failure(error) if isinstance(error, FloatingPointError) else str(error)
            self._critical = f"critical currents: {html.escape(text)}"
            return
        parts = []
        for layer, states in found.items():
            for state in ("P", "AP"):
                value = states[state]
                parts.append(f"J<sub>c</sub>({state}, layer {layer}) = "
                             + ("none" if value is None else f"{value:.3g} A/m\u00b2"))
        self._critical = ("linear stability: " + ", ".join(parts)) if parts else ""

    def _say(self, run: _Run | None, dataset: Any, complete: bool, error: str | None) -> None:
        if run is None:
            text = ("Press Play to integrate m(t) " + ("driven by the waveform" if self.waveform else "at this current")
                    + " and watch it.")
        elif error is not None:
            text = f'<span class="dyn-error" style="color:#b3261e"><b>{html.escape(error)}</b></span>'
        elif dataset is None:
            waited = time.monotonic() - run.started
            if run.cold:
                text = ("compiling the dynamics integrator (first run only, cached on disk): a few minutes "
                        "(2-6 on 2 cores) &hellip;")
            elif waited > 2.0:
                text = f"integrating &hellip; ({waited:.0f} s; a first run may be compiling the integrator)"
            else:
                text = "integrating &hellip;"
        else:
            end = float(dataset.time.values[-1])
            if complete:
                states = []
                for layer in self.free:
                    state = str(dataset.state.sel(layer=layer).values)
                    frequency = float(dataset.frequency.sel(layer=layer).values)
                    words = f"layer {layer}: <b>{html.escape(state)}</b>"
                    if math.isfinite(frequency):
                        words += f" at <b>{frequency / 1e9:.4g} GHz</b>"
                    states.append(words)
                text = "end state (over the run): " + "; ".join(states)
            else:
                text = f"integrating &hellip; {end * 1e9:.3g} ns of the run ready"
        frame_error = "" if self._frame_error is None else (
            f'<div class="dyn-frame-error" style="color:#b3261e">{html.escape(self._frame_error)}</div>')
        notice = (f'<div id="dyn-notice"><div style="font-size:1.05em">{text}</div>{frame_error}'
                  f'<div class="dyn-settings" style="color:#555">{html.escape(getattr(self, "_settings", ""))}</div>'
                  f'<div style="color:#555">{self._critical}</div></div>')
        if self.notice.object != notice:
            self.notice.object = notice

    def _say_frame(self) -> None:
        m = self.magnetizations(self.frame)
        when = f"t = <b id='dyn-time'>{self.times[self.frame] * 1e9:.4f}</b> ns" if len(self.times) else \
            "t = <b id='dyn-time'>0</b> (start)"
        vectors = ", ".join(f"{self._name(layer)} = ({m[k, 0]:+.3f}, {m[k, 1]:+.3f}, {m[k, 2]:+.3f})"
                            for k, layer in enumerate(self.free))
        behind = ""
        if len(self.times) and 0 <= self.hodograph_frame != self.frame:
            behind = (f' &nbsp; <span style="color:#888">(hodographs at t = {self.times[self.hodograph_frame] * 1e9:.4f}'
                      ' ns: solving)</span>')
        self.numbers.object = f'<div style="font-family: monospace">{when} &nbsp; {vectors}{behind}</div>'

    def _layout(self) -> Any:
        """The controls, the notice and the numbers over the sphere and the two hodographs; from :data:`WIDE` px of
        window the controls, notice and numbers are a column at the left of the figures (:data:`DYNAMICS_CSS`)."""
        controls = pn.FlexBox(self.current, self.duration, self.play, self.speed, self.scrub, flex_wrap="wrap",
                              align_items="end", sizing_mode="stretch_width")
        side = pn.Column(controls, self.notice, self.numbers, margin=0, sizing_mode=None, css_classes=["dyn-side"])
        views = pn.Row(self.azimuth, self.elevation)  # 2 x 180 px: fits a phone's 390
        # a right margin: the mu_s figure's legend reaches left of its frame, onto the elevation slider's end
        sphere = pn.Column(pn.pane.Bokeh(self.sphere), views, margin=(0, 24, 0, 0))
        figures = pn.FlexBox(sphere, pn.pane.Bokeh(self.accumulation.figure), pn.pane.Bokeh(self.spin_current.figure),
                             flex_wrap="wrap", align_items="flex-start", margin=0, sizing_mode=None,
                             css_classes=["dyn-figures"])
        body = pn.FlexBox(side, figures, flex_wrap="wrap", align_items="flex-start", margin=0,
                          sizing_mode="stretch_width", stylesheets=[DYNAMICS_CSS])
        return pn.Column(body, sizing_mode="stretch_width", css_classes=["dynamics-page"])


def _settings_words(stack: Stack) -> str:
    """D: the run's [dynamics] settings in words (the structure card sets them): applied field, temperature and
    area, the drive."""
    table = stack.dynamics
    field = np.asarray(table.field if table is not None else np.zeros(3), dtype=float).reshape(-1, 3)[0] * 1e3
    parts = [f"applied field \u03bc\u2080H = ({', '.join(f'{b:.4g}' for b in field)}) mT"]
    temperature = float(np.asarray(table.temperature).reshape(-1)[0]) if table is not None else 0.0
    area = "" if table is None or table.area is None else \
        f", area {float(np.asarray(table.area).reshape(-1)[0]) * 1e18:.4g} nm\u00b2"
    parts.append(f"T = {temperature:.4g} K{area}")
    if table is not None and table.waveform is not None:
        times, currents = table.waveform
        parts.append(f"driven by the waveform ({len(times)} points, {float(times[0]) * 1e9:.4g} to "
                     f"{float(times[-1]) * 1e9:.4g} ns)")
    return "run: " + "; ".join(parts) + " (structure card)"


def si_current(stack: Stack) -> float:
    """The current density J of an SI stack in A/m^2, the file's sign convention (the stack holds j0 = J / e)."""
    return float(stack.current) * parse("current").units_entry.to_base


#: The tab not shown takes no height (C): Panel hides it with ``visibility: hidden`` (laid out, its figures kept
#: ready), so the Dynamics tab was as tall as the Transport tab below its own ~600 px (~750 px of blank page at
#: 1366 px, ~1800 on a phone before the numbers card); its height is cut to 0 instead, its width and widgets kept.
TABS_CSS = '.bk-panel-models-layout-Column[style*="visibility: hidden"] { max-height: 0; overflow: hidden; }'


#: D: the tab headers are not shown while the Transport tab is the only one (a reduced stack), nor while the
#: Dynamics tab's holder says that the stack shown has no free layer (:data:`NO_DYNAMICS`; the headers follow the
#: tabs' pages in the Tabs' shadow root): the page looks as without tabs.  An SI page has both tabs from the start,
#: so an edit that frees a layer (or fixes it) changes one class of the small holder, not the Tabs' children (a
#: change of those made Panel walk every model of the page and BokehJS lay the whole page out again: ~0.9 s per
#: edit in the browser, 2 s when the page was wrapped in new Tabs)
SINGLE_TAB_CSS = ".bk-header:has(.bk-tab:only-child), .no-dynamics ~ .bk-header { display: none; }"
#: the class of the Dynamics tab's holder while the stack shown has no free layer (the tab is not offered)
NO_DYNAMICS = "no-dynamics"
#: the class of the Dynamics tab's holder (a layout boundary of the page: server.LAYOUT_BOUNDARIES)
DYNAMICS_HOLDER = "dynamics-holder"
#: the Dynamics tab's title
DYNAMICS_TITLE = "Dynamics: m(t)"


def may_have_dynamics(stack: Stack) -> bool:
    """Whether a structure edit can give ``stack`` a dynamics page (:func:`has_dynamics`): a single SI
    configuration (its layers may be made free)."""
    return stack.units == "SI" and stack.batch_shape == ()


def explorer_tabs(explorer: Any) -> Any:
    """The page's body: Tabs with the explorer's layout ("Transport") and, for an SI stack
    (:func:`may_have_dynamics`), a "Dynamics" tab beside it, offered while the stack has free layers
    (:func:`has_dynamics`; otherwise its holder has the class :data:`NO_DYNAMICS` and no header is shown:
    :data:`SINGLE_TAB_CSS`; with one tab neither).  The same Tabs follow every later stack of the explorer
    (:func:`follow_explorer`).

    The Dynamics tab's :class:`DynamicsPage` (``explorer.dynamics``; None while there is none) is made when the
    tab is first shown for the stack, and its figures sent then: the page's ~0.4 s of building and ~300 kB of
    models are not part of the edit that frees a layer (nor of the first page), but of opening the tab, which
    says meanwhile that it is being prepared (:data:`PREPARING`).  (Made on the server's next tick after the
    edit instead, its update landed in the edit's repaint or in the user's next input: 1.9 s median for the
    edit at load 10 instead of 0.9 s.)"""
    explorer.dynamics = None
    tabs = pn.Tabs(("Transport", explorer.layout), dynamic=False, sizing_mode="stretch_width",
                   css_classes=["explorer-tabs"], stylesheets=[TABS_CSS, SINGLE_TAB_CSS])
    tabs.param.watch(lambda _event: show_dynamics(tabs, explorer), "active")
    follow_explorer(tabs, explorer)
    return tabs


def show_dynamics(tabs: Any, explorer: Any) -> DynamicsPage | None:
    """The Dynamics tab of ``tabs`` (:func:`explorer_tabs`) filled with the page of the explorer's stack when it is
    the tab shown (the page made then, once per stack); the page, None without a Dynamics tab or while it is not
    shown and was not made yet.  The Dynamics tab shown for a stack without free layers: the Transport tab is."""
    page = explorer.dynamics
    if len(tabs.objects) < 2 or tabs.active != 1:
        return page
    if not has_dynamics(explorer.base):
        tabs.active = 0  # not offered (its header hidden): nothing to show there
        return page
    if page is None:
        page = explorer.dynamics = DynamicsPage(explorer.base, display=explorer.display)
    holder = tabs.objects[1]
    note = holder.objects[0]  # PREPARING: hidden beside the page (shown again when the stack changes)
    if list(holder.objects) != [note, page.layout]:
        note.visible = False
        holder.objects = [note, page.layout]  # an old stack's page (hidden) leaves the browser now
    return page


def follow_explorer(tabs: Any, explorer: Any) -> None:
    """The Tabs of :func:`explorer_tabs` after the explorer shows another stack (its old dynamics page stopped:
    :func:`stop_dynamics`): the Transport tab holds ``explorer.layout`` (the same object when the explorer kept
    its figures, so the browser keeps that tab's models and views: nothing of it is sent again); the Dynamics
    tab's holder is offered or not (its class :data:`NO_DYNAMICS`) and says :data:`PREPARING` for the new stack's
    page (made when the tab is shown: :func:`show_dynamics`; at once when it is; the old page hidden meanwhile).
    The Tabs' list changes only when the Transport layout does or the stack's units do (an SI page has both
    tabs, a reduced one the Transport tab alone)."""
    explorer.dynamics = None
    free = has_dynamics(explorer.base)
    if free:
        wanted = 2
    else:
        wanted = 2 if may_have_dynamics(explorer.base) else 1
        if tabs.active != 0:
            tabs.active = 0  # the Dynamics tab is no longer offered: the Transport tab is shown
    classes = [DYNAMICS_HOLDER] + ([] if free else [NO_DYNAMICS])
    present = list(tabs.objects)
    if len(present) == wanted and present[0] is explorer.layout:
        holder = present[1] if wanted == 2 else None
    elif wanted == 2:
        holder = pn.Column(_preparing(), sizing_mode="stretch_width", css_classes=classes)
        tabs[:] = [("Transport", explorer.layout), (DYNAMICS_TITLE, holder)]
    else:
        tabs[:] = [("Transport", explorer.layout)]
        return
    if holder is None:
        return
    if list(holder.css_classes) != classes:  # one class of a layout boundary: the tab offered or not
        holder.css_classes = classes
    if free and tabs.active == 1:
        show_dynamics(tabs, explorer)  # shown: the new stack's page at once
        return
    # the old page hidden and the note shown: two properties, no change of the holder's children (which made
    # Panel walk every model of the page: 30-40 ms of the edit); the old page leaves when the tab is shown
    note, *old = holder.objects
    for pane in old:
        if pane.visible:
            pane.visible = False
    if not note.visible:
        note.visible = True


#: what the Dynamics tab shows while its page is made and sent (the tab's first showing for a stack: ~1-3 s)
PREPARING = "preparing the dynamics page &hellip;"


def _preparing() -> Any:
    return pn.pane.HTML(f'<div style="color:#555; padding:12px 4px">{PREPARING}</div>', sizing_mode="stretch_width",
                        css_classes=["dyn-preparing"])


def stop_dynamics(explorer: Any) -> None:
    """Stop the dynamics page of ``explorer`` if it has one (its run and its periodic callback)."""
    page = getattr(explorer, "dynamics", None)
    if page is not None:
        page.stop()
