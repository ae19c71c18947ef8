"""Issue-15 dynamics figures, in one run: the exact-torque right-hand side, an ensemble of 1e4, and the 100 x 100
state diagram beside cmtj computing it point by point.

Run on demand (not a test):

    python benchmarks/dynamics.py                     # everything (~2-3 min on two free cores)
    python benchmarks/dynamics.py --rows 20            # 20 of the 100 field rows, extrapolated (said so)
    python benchmarks/dynamics.py --cmtj-points 0      # without cmtj

It prints:

1. one right-hand-side evaluation of a single trajectory (us): a 4-layer stack (Cu lead / Co 8 nm / Cu 10 nm
   / Py 4 nm / Cu 5 nm / Cu lead, Py free), 20 ns at the default tolerances, wall time of the run divided
   by its evaluations (the exact torque of the whole stack, the field, the LLG and the step's arithmetic);
2. the 100 x 100 (current x field) state diagram of 20-ns runs of the spin valve examples/co-cu-py.toml
   (Py free: Ms 8e5 A/m, K_u 5e4 J/m^3 along z, alpha 0.01, thin film, initial tilt 2 degrees from +z, as
   benchmarks/cmtj_reference.py's device; J from -1.5e12 to 1.5e12 A/m^2, B_z from -0.02 to 0.06 T) as ONE
   simulate() ensemble of 1e4 members, wall and CPU, and from
   the same run the time per member per evaluation (ns);
3. its accuracy: a sample of members run again at rtol 1e-11 (atol 1e-13), the largest |m - m_ref| over
   every saved time;
4. cmtj (fixed-polarizer Slonczewski torque, RK4 h = 0.1 ps) on ``--cmtj-points`` points of the same grid one
   by one, extrapolated to the 1e4 points, and the ratio cmtj / spinstack (wall).

The diagram's tolerances: simulate's defaults, DOP853 at rtol 1e-9, atol 1e-11.  Measured on 40 random members of
the grid over 20 ns against DOP853 at rtol 1e-11 (max |m - m_ref| over all saved times: worst member; 90%
quantile; right-hand-side evaluations per member):
DP5    rtol 1e-9: 7.0e-5, 6.5e-7, 47049;
DOP853 rtol 1e-7: 1.3e-3, 8.8e-6, 12616; 3e-8: 3.7e-4, 2.3e-6, 13967; 1e-8: 1.1e-4, 6.7e-7, 15444;
       3e-9: 3.3e-5, 1.9e-7, 17182; 1e-9: 1.1e-5, 5.8e-8, 19080; 1e-10: 1.1e-6, 5.1e-9, 23992.
So DOP853 at the defaults is 6x more accurate than DP5 was with 2.5x fewer evaluations.  The worst member
precesses (a phase error, growing with time and rtol).  m is saved every 0.1 ns (201 points per member; every
10 ps would be 0.5 GB for 1e4 members and cost landing steps).
The spin valve is co-cu-py.toml with its four resistive interfaces (its interface-free version where the compiled
path refuses them; the run says which).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

DIAGRAM_RTOL, DIAGRAM_ATOL = 1e-9, 1e-11
DURATION = 20e-9
SAVE_EVERY = 1e-10
# J (A/m^2) and B_z (T) of the grid: the currents reach past both devices' thresholds at these fields (spinstack's
# co-cu-py Py loses P at J ~ +0.93e12 .. +1.05e12 by its exact torque, cmtj's Slonczewski layer at -1.5e11), so the
# diagram holds P, switched and precessing members (with +-3e11 every spinstack member stays P)
CURRENTS = (-1.5e12, 1.5e12)
FIELDS = (-0.02, 0.06)


def timed(function, *args, **keywords):
    """(result, wall s, CPU s) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **keywords)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def member_evaluations(run, method: str) -> int:
    """Right-hand-side evaluations summed over the members: per step those of the pair (FSAL: DP5 6, DOP853 12),
    and 2 for the first step."""
    from spinstack.macrospin.tableaux import tableau

    members = int(np.prod(run.m.shape[1:-2], dtype=np.int64))
    return tableau(method).evaluations * (run.attrs["accepted_steps"] + run.attrs["rejected_steps"]) + 2 * members


def spin_valve(interface_free: bool = False):
    """co-cu-py.toml, or its interface-free version (asked for, or when the compiled path refuses the interfaces)."""
    import spinstack as ss
    from spinstack.macrospin import Macrospins, compiled

    stack = ss.load_stack(ROOT / "examples" / "co-cu-py.toml")
    if interface_free:
        return dataclasses.replace(stack, interfaces=()), "examples/co-cu-py.toml WITHOUT its interfaces (asked for)"
    why = compiled.refusal(Macrospins(stack, free=2, Ms=8e5, alpha=0.01))
    if why is None:
        return stack, "examples/co-cu-py.toml (resistive interfaces)"
    return dataclasses.replace(stack, interfaces=()), f"examples/co-cu-py.toml WITHOUT its interfaces ({why})"


def single_trajectory(stack, method: str) -> None:
    from spinstack.macrospin import Macrospins, simulate

    layers = stack.layers + (dataclasses.replace(stack.layers[1], thickness=np.asarray(5e-9)),)
    four = dataclasses.replace(stack, layers=layers, interfaces=tuple(i for i in stack.interfaces if i.node < 4))
    spins = Macrospins(four, free=2, Ms=8e5, alpha=0.01, K_u=5e4, easy_axis=(0, 0, 1), field=(0, 0, 0.02),
                       current=-2e11)
    start = np.array([[math.sin(0.5), 0.0, math.cos(0.5)]])
    simulate(four, spins, 1e-11, 1e-11, initial=start)  # compiled (or loaded from numba's cache) before timing
    run, wall, cpu = timed(simulate, four, spins, DURATION, SAVE_EVERY, initial=start, method=method)
    count = run.attrs["torque_evaluations"]
    print(f"1. single trajectory, {len(four.layers)}-layer stack ({run.attrs['backend']}): {count} evaluations in "
          f"{wall:.3f} s wall, {cpu:.3f} s CPU: {1e6 * wall / count:.2f} us per evaluation "
          f"({1e6 * cpu / count:.2f} us CPU; target <= 5 us)")


def diagram(stack, rows: int, side: int, method: str):
    """The first ``rows`` field rows of the side x side diagram as one ensemble: (run, wall, cpu, spins)."""
    from spinstack.macrospin import Macrospins, simulate

    currents = np.linspace(*CURRENTS, side)
    fields = np.linspace(*FIELDS, side)[:rows]
    applied = np.zeros((rows, side, 3))
    applied[..., 2] = fields[:, None]
    spins = Macrospins(stack, free=2, Ms=8e5, alpha=0.01, K_u=5e4, easy_axis=(0.0, 0.0, 1.0), field=applied,
                       current=currents[None, :])
    tilt = math.radians(2.0)
    start = np.array([[math.sin(tilt), 0.0, math.cos(tilt)]])
    simulate(stack, spins, 1e-12, 1e-12, initial=start)  # the parallel loop compiled (or loaded) before timing
    run, wall, cpu = timed(simulate, stack, spins, DURATION, SAVE_EVERY, initial=start, rtol=DIAGRAM_RTOL,
                           atol=DIAGRAM_ATOL, method=method)
    return run, wall, cpu, spins, start


def accuracy(stack, run, spins, start, sample: int) -> tuple[float, float]:
    """max |m - m_ref| over the saved times of ``sample`` members picked at random, m_ref by DOP853 at rtol 1e-11:
    the worst member's and the 90% quantile over the members."""
    from spinstack.macrospin import Macrospins, simulate

    rng = np.random.default_rng(15)
    shape = spins.batch_shape
    picks = [np.unravel_index(k, shape) for k in rng.choice(int(np.prod(shape)), size=sample, replace=False)]
    field = np.array([np.broadcast_to(spins.field, shape + (3,))[p] for p in picks])
    current = np.array([np.broadcast_to(spins.current, shape)[p] for p in picks])
    chosen = Macrospins(stack, free=2, Ms=8e5, alpha=0.01, K_u=5e4, easy_axis=(0.0, 0.0, 1.0), field=field,
                        current=current)
    reference = simulate(stack, chosen, DURATION, SAVE_EVERY, initial=start, rtol=1e-11, atol=1e-13, method="DOP853")
    found = np.stack([run.m.values[(slice(None),) + p] for p in picks], axis=1)
    errors = np.abs(found - reference.m.values).max(axis=(0, 2, 3))
    return float(errors.max()), float(np.quantile(errors, 0.9))


def cmtj_seconds(points: int, side: int) -> tuple[float, float]:
    """cmtj's wall and CPU time per point, over ``points`` points spread over the grid (20 ns, h = 0.1 ps)."""
    import cmtj_reference as reference

    layer = reference.SpinValveFreeLayer()
    currents = np.linspace(*CURRENTS, side)
    fields = np.linspace(*FIELDS, side)
    rng = np.random.default_rng(15)
    grid = [(fields[i], currents[j]) for i, j in zip(rng.integers(0, side, points), rng.integers(0, side, points))]
    wall, cpu = time.perf_counter(), time.process_time()
    for field, current in grid:
        reference.cmtj_run(layer, current, field, DURATION, 1e-13, save_every=1e-11)
    return (time.perf_counter() - wall) / points, (time.process_time() - cpu) / points


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100, help="field rows of the 100 run (the rest extrapolated)")
    parser.add_argument("--cmtj-points", type=int, default=20, help="cmtj points timed (0: none)")
    parser.add_argument("--sample", type=int, default=40, help="members re-run at rtol 1e-11 for the accuracy")
    parser.add_argument("--method", default=None, help="the integrator's pair, DOP853 or DP5 (default: simulate's)")
    parser.add_argument("--interface-free", action="store_true", help="the valve without its resistive interfaces")
    arguments = parser.parse_args(argv)
    side = 100

    import numba

    from spinstack.macrospin import final_states
    from spinstack.macrospin.integrate import DEFAULT_METHOD

    method = arguments.method or DEFAULT_METHOD
    stack, name = spin_valve(arguments.interface_free)
    print(f"spin valve: {name}; numba {numba.__version__}, {numba.get_num_threads()} threads")
    single_trajectory(stack, method)

    run, wall, cpu, spins, start = diagram(stack, arguments.rows, side, method)
    members = arguments.rows * side
    scale = side / arguments.rows
    evaluations = member_evaluations(run, method)
    said = "measured" if arguments.rows == side else f"extrapolated from {arguments.rows} of {side} rows"
    print(f"2. state diagram {side} x {side} of {DURATION * 1e9:g}-ns runs ({run.attrs['backend']}, {method}, "
          f"rtol {DIAGRAM_RTOL:g}, atol {DIAGRAM_ATOL:g}): {wall * scale:.1f} s wall, {cpu * scale:.1f} s CPU ({said}; target <= 60 s)")
    print(f"   per member per evaluation (ensemble of {members}): {1e9 * wall / evaluations:.1f} ns wall, "
          f"{1e9 * cpu / evaluations:.1f} ns CPU (target <= 100 ns); "
          f"{(run.attrs['accepted_steps'] + run.attrs['rejected_steps']) / members:.0f} steps, "
          f"{evaluations / members:.0f} evaluations per member")
    error, typical = accuracy(stack, run, spins, start, arguments.sample)
    print(f"3. accuracy: max |m - m_ref| over all saved times, worst of {arguments.sample} random members {error:.2e}, "
          f"90% of them below {typical:.2e} (m_ref: DOP853 at rtol 1e-11)")
    states = final_states(run, np.array([0.0, 0.0, 1.0]))
    kinds, counts = np.unique(states.state.values, return_counts=True)
    print("   final states: " + ", ".join(f"{kind} {count}" for kind, count in zip(kinds, counts)))
    if arguments.cmtj_points:
        import cmtj

        point, point_cpu = cmtj_seconds(arguments.cmtj_points, side)
        total = point * side * side
        print(f"4. cmtj {cmtj.__version__} point by point (RK4 h = 0.1 ps, fixed polarizer): {1e3 * point:.1f} ms wall, "
              f"{1e3 * point_cpu:.1f} ms CPU per point -> {total:.0f} s for {side * side} points (extrapolated from "
              f"{arguments.cmtj_points}); cmtj / spinstack = {total / (wall * scale):.1f} (wall), "
              f"{point_cpu * side * side / (cpu * scale):.1f} (CPU)")


if __name__ == "__main__":
    main()
