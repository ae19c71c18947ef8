"""The three dynamics examples, run through the Python API, with what they do checked and printed.

* ``dynamics-switching.toml``: a 2 ns current pulse of +2e12 A/m^2 switches the free Py layer of a Co/Cu/Py
  valve from P to AP (linear-stability threshold +4.58e11 A/m^2); the resistance-area rises by the GMR.
* ``dynamics-oscillator.toml``: the wavy-torque stack (g2 < 0 below 38.5 degrees) at zero applied field and
  J = -7e12 A/m^2, beyond BOTH thresholds (P and AP both destabilised by J < 0, MODEL.md 9d): steady
  precession (MODEL.md 9e check 6).
* ``dynamics-diagram.toml``: the Co/Cu/Py valve at constant current and field along the easy axis, the stack
  of a current x field state diagram; a coarse grid is integrated here as ONE ensemble (every member its own
  step size) and printed as a map of final states beside the linear-stability lines, every run starting from
  P (2.9 degrees off it); checked: a run ends in P or AP only where linear stability calls that state stable
  at its (J, B), and precesses only where P, its start, is unstable.  Linear stability does not choose between
  two stable ends: a precession where AP is stable too (bistability; on a finer grid, e.g. 30-50 mT above
  J_c(AP)) is allowed and counted.

Each file is loaded with :func:`spinstack.load_stack` (its free layer, constants and ``[dynamics]`` table),
turned into macrospins by :meth:`spinstack.macrospin.Macrospins.from_stack`, integrated by
:func:`spinstack.macrospin.simulate` and summarised by :func:`spinstack.macrospin.final_states` (MODEL.md 9d).
The numbers printed are the ones quoted in the files' comments.

Run:  python examples/dynamics_examples.py [--no-diagram]   (the diagram grid takes the longest)
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

import spinstack as ss
from spinstack.macrospin import Macrospins, critical_currents, final_states, linearisations, power_spectrum, simulate

HERE = pathlib.Path(__file__).resolve().parent
FILES = {name: HERE / f"dynamics-{name}.toml" for name in ("switching", "oscillator", "diagram")}
PY = 2  # the free layer's stack index in all three files
REFERENCE = np.array([0.0, 0.0, 1.0])  # the fixed Co layer: the P direction


def switching() -> dict[str, float]:
    stack = ss.load_stack(FILES["switching"])
    spins = Macrospins.from_stack(stack)
    critical = critical_currents(stack, spins)[PY]
    run = simulate(stack, spins, stack.dynamics.duration, stack.dynamics.save_every)
    summary = final_states(run, spins)
    state, switched = str(summary.state.values[0]), float(summary.switching_time.values[0])
    resistance = run.resistance_area.values
    pulse = float(np.max(spins.waveform[1]))
    print(f"switching: J_c(P) = {critical['P']:.3e} A/m^2, J_c(AP) = {critical['AP']:.3e} A/m^2; pulse {pulse:.2e} A/m^2 "
          f"({pulse / critical['P']:.1f} J_c) -> {state}, m . m_Co changes sign at {switched * 1e9:.3f} ns; "
          f"RA {resistance[0] * 1e15:.4f} -> {resistance[-1] * 1e15:.4f} fOhm m^2 "
          f"(GMR {100 * (resistance[-1] / resistance[0] - 1):.1f} %)")
    assert critical["AP"] < 0 < critical["P"] < pulse  # g2 > 0: J > 0 destabilises P
    assert state == "AP" and 0.6e-9 < switched < 2.6e-9  # during the pulse's plateau
    assert resistance[-1] > resistance[0]
    return {"J_c_P": critical["P"], "J_c_AP": critical["AP"], "switching_time": switched}


def oscillator() -> dict[str, float]:
    stack = ss.load_stack(FILES["oscillator"])
    spins = Macrospins.from_stack(stack)
    critical = critical_currents(stack, spins)[PY]
    current = float(spins.current)
    duration = stack.dynamics.duration
    run = simulate(stack, spins, duration, stack.dynamics.save_every)
    summary = final_states(run, spins)
    state, frequency = str(summary.state.values[0]), float(summary.frequency.values[0])
    last_half = run.time.values >= duration / 2
    m = run.m.values[last_half, 0]
    resistance = run.resistance_area.values[last_half]
    spectrum = power_spectrum(run.time.values, run.resistance_area.values)
    print(f"oscillator: J_c(P) = {critical['P']:.3e} A/m^2, J_c(AP) = {critical['AP']:.3e} A/m^2; J = {current:.2e} "
          f"A/m^2 ({current / critical['P']:.2f} J_c(P)), zero field -> {state} at {frequency / 1e9:.4f} GHz; "
          f"last half: m_y {m[:, 1].min():+.3f}..{m[:, 1].max():+.3f}, m_x {m[:, 0].min():+.3f}..{m[:, 0].max():+.3f}, "
          f"m_z {m[:, 2].min():.3f}..{m[:, 2].max():.3f}; RA {resistance.min() * 1e15:.4f}..{resistance.max() * 1e15:.4f} "
          f"fOhm m^2, its spectrum peaks at {spectrum.peak / 1e9:.3f} GHz")
    assert critical["P"] < critical["AP"] < 0 and current < critical["P"]  # beyond both thresholds, one polarity
    assert state == "precession" and frequency > 0
    return {"J_c_P": critical["P"], "J_c_AP": critical["AP"], "frequency": frequency}


def diagram(currents: np.ndarray, fields: np.ndarray) -> np.ndarray:
    """Final states of the free layer over currents x fields (B_app along +z, the P direction), from P."""
    stack = ss.load_stack(FILES["diagram"])
    grid_current, grid_field = np.meshgrid(currents, fields, indexing="ij")
    applied = np.zeros(grid_field.shape + (3,))
    applied[..., 2] = grid_field
    spins = Macrospins.from_stack(stack, current=grid_current, field=applied)
    run = simulate(stack, spins, stack.dynamics.duration, stack.dynamics.save_every)
    summary = final_states(run, spins)
    states = summary.state.values[..., 0]
    lines = critical_currents(stack, Macrospins.from_stack(stack, field=applied[0]))[PY]  # J_c(P), J_c(AP) per field
    symbols = {"P": "P", "AP": "A", "precession": "~", "static": "s", "undetermined": "?"}
    print(f"diagram ({stack.dynamics.duration * 1e9:g} ns runs from P; rows: field B_z, columns: current J in 1e12 A/m^2; "
          "P, A = AP, ~ = precession, s = static tilted, ? = undetermined)")
    print("   B_z (mT)  J_c(P)  J_c(AP) | " + " ".join(f"{j / 1e12:+5.2f}" for j in currents))
    for k, field in enumerate(fields):
        print(f"   {field * 1e3:+7.1f}  {lines['P'][k] / 1e12:+6.2f}  {lines['AP'][k] / 1e12:+6.2f}  | "
              + " ".join(f"{symbols[s]:>5}" for s in states[:, k]))
    frequencies = summary.frequency.values[..., 0][states == "precession"]
    if len(frequencies):
        print(f"   precession frequencies {frequencies.min() / 1e9:.2f}..{frequencies.max() / 1e9:.2f} GHz")
    # the simulated end states against linear stability at each (J, B): a run ends in P or AP only where that
    # state is stable, and (started from P) precesses only where P is unstable; linear stability does not say
    # which of two possible ends a run from P reaches, so a precession where AP is stable (bistability) is counted
    bistable = 0
    for k in range(len(fields)):
        linear = linearisations(stack, Macrospins.from_stack(stack, field=applied[0, k]))[PY]
        stable = {state: np.asarray(linear[state].stable(currents)) for state in ("P", "AP")}
        for j in range(len(currents)):
            if states[j, k] in stable:
                assert stable[states[j, k]][j], (currents[j], fields[k], states[j, k])
            if states[j, k] == "precession":
                assert not stable["P"][j], (currents[j], fields[k])
                bistable += bool(stable["AP"][j])
    print(f"   {bistable} precessing run(s) where AP is linearly stable too (bistable: from P they precess)")
    return states


def main(arguments: list[str]) -> None:
    switching()
    oscillator()
    if "--no-diagram" not in arguments:
        diagram(np.linspace(-1e12, 3e12, 9), np.linspace(-0.1, 0.3, 9))


if __name__ == "__main__":
    main(sys.argv[1:])
