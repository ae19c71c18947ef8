"""The compiled integrator (spinstack.macrospin.compiled) against the Python path of spinstack.macrospin.integrate,
and its pairs (spinstack.macrospin.tableaux) against their order conditions and scipy's DOP853.

Both paths run the same pair (DOP853 or DP5) step for step (the same controller, first step, landing on saved times and on a
waveform's corners, renormalisation) with the same exact torque, so at the same tolerances they agree to
round-off: measured <= 4e-14 in m over these runs (the same accepted steps); asserted 1e-10 (a round-off difference may flip one
step's acceptance, after which the two differ by the integration error, ~rtol).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

import spinstack as ss
from spinstack.macrospin import compiled
from spinstack.macrospin.integrate import simulate
from spinstack.macrospin.equation import RightHandSide
from spinstack.macrospin.spec import Coupling, Macrospins
from spinstack.macrospin.tableaux import METHODS, tableau
from spinstack.model.paths import with_parameter

pytestmark = pytest.mark.skipif(not compiled.AVAILABLE, reason="numba is not installed")

ROOT = Path(__file__).resolve().parents[2]
PY = 2
MS = 8.0e5
TIGHT = dict(rtol=1e-10, atol=1e-12)


@pytest.fixture(scope="module")
def valve() -> ss.Stack:
    return ss.load_stack(ROOT / "examples" / "co-cu-py.toml")


@pytest.fixture(scope="module")
def clean_valve(valve) -> ss.Stack:
    """An interface-free SI Co/Cu/Py (the example without its AR* keys)."""
    return dataclasses.replace(valve, interfaces=())


def both(stack: ss.Stack, spins: Macrospins, duration: float, save_every: float, **options):
    """The compiled run and the Python run of the same problem."""
    return tuple(simulate(stack, spins, duration, save_every, backend=backend, **options)
                 for backend in ("compiled", "python"))


def assert_same(fast, slow, m_tolerance: float = 1e-10) -> None:
    assert fast.attrs["backend"] == "compiled" and slow.attrs["backend"] == "python"
    np.testing.assert_array_equal(fast.time.values, slow.time.values)
    difference = np.abs(fast.m.values - slow.m.values).max()
    assert difference <= m_tolerance, difference
    np.testing.assert_allclose(fast.resistance_area.values, slow.resistance_area.values, rtol=1e-12)
    np.testing.assert_array_equal(fast.current.values, slow.current.values)
    # the same method: the same number of steps (to a flipped acceptance or two)
    assert abs(fast.attrs["accepted_steps"] - slow.attrs["accepted_steps"]) <= 2 + 1e-3 * slow.attrs["accepted_steps"]
    assert abs(fast.attrs["torque_evaluations"] - slow.attrs["torque_evaluations"]) <= 12 + \
        1e-3 * slow.attrs["torque_evaluations"]


@pytest.mark.parametrize("method", METHODS)
def test_a_single_run_repeats_the_python_path(clean_valve, method):
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.02, K_u=5e3, easy_axis=(0, 0, 1),
                       field=(0.002, 0.01, 0.03), current=-2e11)
    start = np.array([[math.sin(2.0) * math.cos(0.8), math.sin(2.0) * math.sin(0.8), math.cos(2.0)]])
    fast, slow = both(clean_valve, spins, 5e-10, 1e-11, initial=start, method=method, **TIGHT)
    assert fast.attrs["integrator"] == slow.attrs["integrator"]
    assert method in fast.attrs["integrator"] or "5(4)" in fast.attrs["integrator"]
    assert_same(fast, slow)
    assert np.abs(fast.m.values[-1] - fast.m.values[0]).max() > 0.1  # it moved
    assert np.ptp(fast.resistance_area.values) > 0


@pytest.mark.parametrize("method", METHODS)
def test_an_ensemble_with_waveforms_repeats_the_python_path(clean_valve, method):
    """Members differ in field (2) and in the pulse's height (3): a (2, 3) ensemble, each member its own steps;
    the pulse's corners fall on saved times (1e-10 = 10 x 1e-11 up to round-off) and between them."""
    heights = np.array([-3e11, -1e11, 2e11])
    pulse = [(0.0, 0.0), (1e-10, heights), (2.05e-10, heights), (2.5e-10, 1e11)]
    fields = np.array([[[0.0, 0.0, 0.01]], [[0.0, 0.02, 0.2]]])  # (2, 1, 3)
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.01, K_u=5e3, easy_axis=(0, 0, 1), field=fields,
                       current=pulse)
    assert spins.batch_shape == (2, 3)
    fast, slow = both(clean_valve, spins, 3e-10, 1e-11, initial=np.array([[0.6, 0.0, 0.8]]), method=method, **TIGHT)
    assert fast.m.dims == ("time", "member_0", "member_1", "layer", "component")
    assert_same(fast, slow)
    np.testing.assert_allclose(fast.current.values[[5, 15, 20, 25], 1], [heights / 2, heights, heights, [1e11] * 3],
                               rtol=1e-12)


def test_two_coupled_free_layers_repeat_the_python_path(clean_valve):
    spins = Macrospins(clean_valve, free=(0, PY), Ms=[1.4e6, MS], alpha=[0.01, 0.03], K_u=[0.0, 5e3],
                       easy_axis=(0, 0, 1), field=(0, 0.01, 0.02), couplings=[Coupling(0, PY, -5e-4)],
                       current=np.array([-2e11, 1e11]))  # two members
    start = np.array([[0.0, 0.6, 0.8], [0.1, 0.8, -0.6]])
    fast, slow = both(clean_valve, spins, 3e-10, 1e-11, initial=start, **TIGHT)
    assert_same(fast, slow)
    assert np.ptp(fast.m.values[:, :, 0, 1]) > 0.05 and np.ptp(fast.m.values[:, :, 1, 1]) > 0.05  # both layers move


def test_a_coupling_to_a_fixed_layer_and_the_default_tolerances(clean_valve):
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.05, K_u=5e3, easy_axis=(0, 1, 1),
                       demag=(0.8, 0.15, 0.05), field=(0.01, -0.02, 0.03), couplings=[(0, PY, 2e-4)], current=1e11)
    fast, slow = both(clean_valve, spins, 5e-10, 5e-11, initial=np.array([[0.0, 1.0, 0.0]]))
    assert_same(fast, slow)


def test_the_resistive_valve_repeats_the_python_path(valve):
    """co-cu-py with its resistive interfaces, once the chain kernel takes them."""
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.02, K_u=5e3, easy_axis=(0, 0, 1), field=(0, 0, 0.02),
                       current=-2e11)
    if (why := compiled.refusal(spins)) is not None:
        pytest.skip(f"the compiled path does not take it yet: {why}")
    fast, slow = both(valve, spins, 2e-10, 1e-11, initial=np.array([[0.0, 0.6, 0.8]]), **TIGHT)
    assert_same(fast, slow)


def test_the_cache_files_are_named_after_the_kernel_they_call():
    """numba's cache does not see a change of a called kernel: the compiled loop's cache names carry a fingerprint of
    kernels.py (and solver/compiled.py), so machine code built with an older chain kernel is never loaded."""
    import hashlib

    from spinstack.solver import compiled as solver_compiled
    from spinstack.solver import kernels

    sources = b"".join(Path(module.__file__).read_bytes() for module in (kernels, solver_compiled))
    fingerprint = hashlib.sha256(sources).hexdigest()[:16]
    for name in ("_rates", "_advance", "_advance_serial", "_advance_parallel"):
        assert getattr(compiled, name).py_func.__qualname__ == f"{name}_{fingerprint}"


# ------------------------------------------------------------------ which path runs
def test_the_compiled_path_is_chosen_when_it_can_be(clean_valve):
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.01, field=(0, 0, 0.05), current=0)
    assert compiled.refusal(spins) is None
    assert simulate(clean_valve, spins, 1e-11, 1e-11).attrs["backend"] == "compiled"
    # a batched stack (its own parameters an ensemble) runs on the Python path, and names why for "compiled"
    batched = with_parameter(clean_valve, "layers[1].thickness", np.array([8e-9, 10e-9]))
    spins = Macrospins(batched, free=PY, Ms=MS, alpha=0.01, field=(0, 0, 0.05), current=-1e11)
    assert "batched" in compiled.refusal(spins)
    assert simulate(batched, spins, 1e-11, 1e-11).attrs["backend"] == "python"
    with pytest.raises(ss.SpinstackError, match="backend 'compiled' does not take these macrospins: the stack's own "
                                                "parameters are batched"):
        simulate(batched, spins, 1e-11, 1e-11, backend="compiled")
    with pytest.raises(ss.SpinstackError, match="backend must be 'python', 'compiled' or None"):
        simulate(batched, spins, 1e-11, 1e-11, backend="numba")


@pytest.mark.parametrize("backend", ["python", "compiled"])
def test_progress_reports_fractions_of_the_run(clean_valve, backend, monkeypatch):
    from spinstack.macrospin import integrate

    monkeypatch.setattr(compiled, "_REPORT_EVERY", 0.0)  # every call of the loop reports
    monkeypatch.setattr(integrate, "_REPORT_EVERY", 0.0)
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.01, field=(0, 0, 0.05), current=-1e11)
    seen: list[float] = []
    run = simulate(clean_valve, spins, 2e-10, 1e-10, backend=backend, progress=seen.append)
    quiet = simulate(clean_valve, spins, 2e-10, 1e-10, backend=backend)
    np.testing.assert_array_equal(run.m.values, quiet.m.values)  # reporting does not change a step
    assert len(seen) >= 3 and seen[-1] == 1.0
    assert all(0.0 <= value <= 1.0 for value in seen) and seen == sorted(seen)
    assert 0.0 < seen[len(seen) // 2] < 1.0


# ------------------------------------------------------------------ the pairs
@pytest.mark.parametrize("method, order", [("DP5", 5), ("DOP853", 8)])
def test_the_pairs_satisfy_their_quadrature_conditions(method, order):
    """Row sums of A are the stage times, B integrates t^q exactly up to the order, A's last row is B (FSAL)."""
    pair = tableau(method)
    stages = pair.A.shape[0] - 1
    np.testing.assert_allclose(pair.A[:stages].sum(axis=1), pair.C[:stages], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(pair.A[stages], pair.B)
    assert pair.C[stages] == 1.0 and pair.B[stages] == 0.0
    assert np.all(np.triu(pair.A) == 0.0)  # explicit
    for q in range(order):
        assert abs(pair.B @ pair.C ** q - 1 / (q + 1)) <= 1e-14, q
    assert abs(pair.B @ pair.C ** order - 1 / (order + 1)) > 1e-8  # and no further
    assert abs(pair.E.sum()) <= 1e-15 and abs(pair.E3.sum()) <= 1e-15  # error weights: differences of solutions


def _fixed_steps(pair, rate, y, t_end: float, steps: int):
    """The pair's propagated solution with ``steps`` equal steps, and its last step's two error estimates."""
    h = t_end / steps
    t = 0.0
    for _ in range(steps):
        stages = [rate(t, y)]
        for row in range(1, pair.A.shape[0]):
            stages.append(rate(t + pair.C[row] * h, y + h * sum(a * k for a, k in zip(pair.A[row, :row], stages))))
        estimates = (h * sum(e * k for e, k in zip(pair.E, stages)), h * sum(e * k for e, k in zip(pair.E3, stages)))
        y = y + h * sum(b * k for b, k in zip(pair.B, stages))
        t += h
    return y, estimates


@pytest.mark.parametrize("method, order, h, estimates", [("DP5", 5, 0.1, (5,)), ("DOP853", 8, 0.6, (6, 4))])
def test_the_pairs_converge_at_their_order(method, order, h, estimates):
    """A forced nonlinear pendulum (a system: the order conditions of systems, not only the scalar ones): one
    step's error falls as h^(order + 1) (against 32 steps of h / 32), its error estimates as h^(q + 1) (DP5: the
    4th-order embedded solution; DOP853: its 5th- and 3rd-order estimates).  (h: where the error is past its
    pre-asymptotic wobble and above round-off.)"""
    pair = tableau(method)
    rate = lambda t, y: np.array([y[1], -math.sin(y[0]) - 0.1 * y[1] + 0.3 * math.cos(1.3 * t)])  # noqa: E731
    y0 = np.array([1.2, 0.0])
    local = [np.abs(_fixed_steps(pair, rate, y0, width, 1)[0] - _fixed_steps(pair, rate, y0, width, 32)[0]).max()
             for width in (h, h / 2)]
    assert abs(math.log2(local[0] / local[1]) - (order + 1)) < 0.25, local
    one = [_fixed_steps(pair, rate, y0, width, 1)[1] for width in (0.2, 0.1)]
    for which, power in enumerate(estimates):
        ratio = np.abs(one[0][which]).max() / np.abs(one[1][which]).max()
        assert abs(math.log2(ratio) - power) < 0.1, (which, ratio)


def test_dop853_repeats_scipy_dop853_at_tight_tolerances(valve):
    """The compiled DOP853 (renormalised m, steps landing on saved times) and scipy's solve_ivp DOP853 of the same
    right-hand side (MODEL.md 9a, no renormalisation, dense output at the saved times), both at rtol 1e-12: each
    is accurate to ~1e-11, so they agree to 1e-10 over 2 ns of a precessing, torque-driven run."""
    from scipy.integrate import solve_ivp

    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.02, K_u=5e3, easy_axis=(0, 0, 1), field=(0.002, 0.01, 0.03),
                       current=-2e11)
    if (why := compiled.refusal(spins)) is not None:
        pytest.skip(f"the compiled path does not take it: {why}")
    initial = np.array([[math.sin(2.0) * math.cos(0.8), math.sin(2.0) * math.sin(0.8), math.cos(2.0)]])
    run = simulate(valve, spins, 2e-9, 1e-11, initial=initial, rtol=1e-12, atol=1e-14, method="DOP853",
                   backend="compiled")
    rhs = RightHandSide(spins)
    reference = solve_ivp(lambda t, y: rhs(t, y.reshape(1, 3)).reshape(-1), (0.0, 2e-9), initial.reshape(-1),
                          method="DOP853", rtol=1e-12, atol=1e-14, t_eval=run.time.values)
    assert reference.success
    found = run.m.sel(layer=PY).values
    difference = np.abs(found - reference.y.T).max()
    assert difference < 1e-10, difference
    assert np.abs(found[-1] - found[0]).max() > 0.1  # it moved far


def test_a_method_the_integrators_do_not_know_is_refused(clean_valve):
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.01, field=(0, 0, 0.05), current=-1e11)
    with pytest.raises(ss.SpinstackError, match="method must be one of 'DOP853', 'DP5', got 'RK45'"):
        simulate(clean_valve, spins, 1e-11, 1e-11, method="RK45")


def test_a_member_does_not_depend_on_the_ensemble_it_runs_in(clean_valve):
    """700 members (more than the 256 slots of a part: finished members hand their slots to waiting ones, and the
    parts run on the threads) against a few of them run alone: every member's steps are its own, bit for bit."""
    currents = np.linspace(-2e11, 2e11, 700)
    fields = np.stack([np.zeros(700), 0.01 * np.sin(np.arange(700.0)), np.linspace(0.0, 0.2, 700)], axis=-1)
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.02, K_u=5e3, easy_axis=(0, 0, 1), field=fields,
                       current=currents)
    start = np.array([[0.6, 0.0, 0.8]])
    every = simulate(clean_valve, spins, 1e-10, 2e-11, initial=start, backend="compiled")
    picks = np.array([0, 255, 256, 511, 699])
    alone = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.02, K_u=5e3, easy_axis=(0, 0, 1), field=fields[picks],
                       current=currents[picks])
    few = simulate(clean_valve, alone, 1e-10, 2e-11, initial=start, backend="compiled")
    np.testing.assert_array_equal(every.m.values[:, picks], few.m.values)
    assert np.ptp(every.m.values[-1, :, 0, 1]) > 0.01  # the members differ


_INTERRUPTED_RUN = """
import sys, time
import spinstack as ss
from spinstack.macrospin.integrate import simulate
from spinstack.macrospin.spec import Macrospins
stack = ss.load_stack(sys.argv[1])
spins = Macrospins.from_stack(stack)
simulate(stack, spins, 1e-10, 1e-11, backend="compiled", max_steps=1e9)  # compiled (or read from the cache)
# before the clock, with the arguments of the long run: a cold cache compiles no other variant under the Ctrl-C
print("ready", flush=True)
began = time.perf_counter()
try:
    simulate(stack, spins, 2e-5, 1e-9, backend="compiled", max_steps=1e9)  # ~1.5 min uninterrupted
except KeyboardInterrupt:
    print(f"interrupted after {time.perf_counter() - began:.2f} s", flush=True)
"""


def test_a_ctrl_c_stops_a_single_compiled_run_within_a_second(tmp_path):
    """One long compiled call would hold a Ctrl-C until the run ends (Python runs signal handlers between
    bytecodes): the loop returns to Python every ~0.25 s, so the interrupt lands within about that."""
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "run.py"
    script.write_text(_INTERRUPTED_RUN)
    process = subprocess.Popen([sys.executable, str(script), str(ROOT / "examples" / "dynamics-switching.toml")],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        time.sleep(1.0)
        sent = time.perf_counter()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
        waited = time.perf_counter() - sent
    finally:
        process.kill()
    assert output.startswith("interrupted after"), output
    assert waited < 5.0, waited  # (1 s plus the load of a shared machine; uninterrupted: ~100 s)
