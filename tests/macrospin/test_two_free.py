"""Two free layers that settle exactly collinear (a user's Py 10 nm fixed / Py 4 nm free / Py 3 nm free valve).

Both free layers relax to +-z (the fixed layer's axis, the easy axis and the field) and their transverse
components decay exponentially: after ~1.9 ns they are ~1e-180, the stage slopes ~1e-170, and DOP853's two
error sums (squares of error / (atol + rtol |m|)) underflow, the fifth-order one to 0 and the third-order one
to a subnormal.  The combined norm |h| upper / sqrt(upper + 0.01 lower) was then 0 / 0 = NaN: a rejected step
that the controller never shrank, retried for ever (``spinstack dynamics`` of 5 ns seemed to hang).  These
tests run through that state on both backends and check the motion before it against an independent
integration (scipy's DOP853 of MODEL.md 9a written out here, with the stack's exact torque).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

import spinstack as ss
from spinstack.macrospin import Macrospins, simulate

FREE = (2, 4)  # stack indices of the two free Py layers
TWO_FREE = """
units = "SI"
current = "1e12 A/m^2"

[materials.Py]
rho = "150 nOhm*m"
Ms = "800 kA/m"
alpha = 0.01
K_u = "10 kJ/m^3"
easy_axis = "+z"

[materials.Cu]
rho = "5 nOhm*m"

[left]
kind = "lead"
material = "Cu"

[[layers]]
material = "Py"
thickness = "10 nm"
magnetization = [0, 0, 1]

[[layers]]
material = "Cu"
thickness = "5 nm"

[[layers]]
material = "Py"
thickness = "4 nm"
magnetization = { theta = 170, phi = 90 }
free = true

[[layers]]
material = "Cu"
thickness = "5 nm"

[[layers]]
material = "Py"
thickness = "3 nm"
magnetization = { theta = 2, phi = 90 }
free = true

[right]
kind = "lead"
material = "Cu"

[dynamics]
field = ["0 mT", "0 mT", "20 mT"]
duration = "5 ns"
save_every = "2 ps"

[[dynamics.coupling]]
layers = [2, 4]
J = "-0.02 mJ/m^2"
"""
# the file's constants, for the independent right-hand side
MS, ALPHA, K_U, FIELD, J_EX = 8.0e5, 0.01, 1.0e4, np.array([0.0, 0.0, 0.02]), -2.0e-5
THICKNESS = np.array([4e-9, 3e-9])
GAMMA, MU0 = 1.76085963023e11, 4e-7 * math.pi
# a run that has not finished after this many seconds of wall time is stuck (the whole file runs in ~10 s)
STUCK = 60.0


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> ss.Stack:
    path = tmp_path_factory.mktemp("two-free") / "twofree.toml"
    path.write_text(TWO_FREE)
    return ss.load_stack(path)


@pytest.fixture(params=["python", "compiled"])
def backend(request) -> str:
    from spinstack.macrospin import compiled

    if request.param == "compiled" and not compiled.AVAILABLE:
        pytest.skip("numba is not installed")
    return request.param


def watchdog():
    """A progress callback that fails the test instead of letting a stuck run hang the suite."""
    start = time.perf_counter()

    def progress(fraction: float) -> None:
        if fraction < 1.0 and time.perf_counter() - start > STUCK:
            raise AssertionError(f"the run is stuck at {fraction:.4f} of its duration after {STUCK:g} s")

    return progress


def independent_rate(prepared, spins: Macrospins, m: np.ndarray) -> np.ndarray:
    """dm/dt of MODEL.md 9a written out for this stack (Landau-Lifshitz form; fields of 9b; the exact torque)."""
    m = m / np.linalg.norm(m, axis=-1, keepdims=True)
    field = np.empty_like(m)
    for i in range(2):
        field[i] = (FIELD + (2 * K_U / MS) * m[i, 2] * np.array([0.0, 0.0, 1.0])  # applied, anisotropy along z
                    - MU0 * MS * np.array([m[i, 0], 0.0, 0.0])  # demagnetizing, N = (1, 0, 0)
                    + (J_EX / (MS * THICKNESS[i])) * m[1 - i])  # interlayer exchange with the other free layer
    every = spins.all_magnetizations(m)
    torque = prepared.torques(every)[..., list(FREE), :]  # J/m^2, the stack's own J = 1e12 A/m^2
    tau = GAMMA * torque / (MS * THICKNESS[:, None])
    rate = (-GAMMA * np.cross(m, field) - ALPHA * GAMMA * np.cross(m, np.cross(m, field)) + tau
            + ALPHA * np.cross(m, tau))
    return rate / (1 + ALPHA ** 2)


def test_the_run_goes_through_the_collinear_state_and_follows_an_independent_dop853(stack, backend):
    from scipy.integrate import solve_ivp

    spins = Macrospins.from_stack(stack)
    run = simulate(stack, spins, duration=2.5e-9, save_every=1e-11, backend=backend, method="DOP853",
                   progress=watchdog())
    m = run.m.values
    # it went through ~1.9 ns (the transverse components ~1e-180, where the error sums underflow) to the end
    assert np.all(np.abs(m[-1, :, :2]) < 1e-150), m[-1]
    np.testing.assert_array_equal(m[-1, :, 2], [-1.0, 1.0])  # the 4 nm layer antiparallel, the 3 nm one parallel
    # each step after the transverse motion died out is one save interval (no collapse of the step)
    assert run.attrs["rejected_steps"] < 20 and run.attrs["accepted_steps"] < 400, run.attrs
    # the first nanosecond (the switching and relaxation) against scipy's DOP853 of 9a
    prepared = ss.finalize(stack)
    early = run.time.values <= 1e-9
    reference = solve_ivp(lambda t, y: independent_rate(prepared, spins, y.reshape(2, 3)).reshape(-1),
                          (0.0, 1e-9), spins.initial.reshape(-1), method="DOP853", rtol=1e-10, atol=1e-12,
                          t_eval=run.time.values[early])
    assert reference.success
    expected = reference.y.T.reshape(-1, 2, 3)
    expected /= np.linalg.norm(expected, axis=-1, keepdims=True)
    assert np.abs(m[early] - expected).max() < 1e-6, np.abs(m[early] - expected).max()
    assert np.abs(m[0, 0] - m[early][-1, 0]).max() > 0.1  # the 4 nm layer did move (from 170 degrees to -z)


@pytest.mark.parametrize("method", ["DOP853", "DP5"])
@pytest.mark.parametrize("transverse", [1e-170, 1e-181, 1e-300])
def test_a_start_a_hair_off_collinear_runs_in_save_sized_steps(stack, backend, transverse, method):
    spins = Macrospins.from_stack(stack)
    initial = np.array([[0.0, transverse, -1.0], [0.0, transverse, 1.0]])
    run = simulate(stack, spins, duration=2e-10, save_every=1e-11, initial=initial, backend=backend,
                   method=method, progress=watchdog())
    # 20 save intervals: the errors are far below atol, so one step each (they used to be retried for ever)
    assert run.attrs["accepted_steps"] <= 21 + 10 and run.attrs["rejected_steps"] == 0, run.attrs
    m = run.m.values
    assert np.all(np.isfinite(m))
    np.testing.assert_array_equal(m[:, :, 2], np.broadcast_to([-1.0, 1.0], m.shape[:2]))
    # the equilibrium is stable (damped): the transverse components never grow beyond their start
    assert np.abs(m[:, :, :2]).max() <= 1.000001 * transverse
