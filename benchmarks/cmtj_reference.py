"""cmtj's side of the issue-15 state-diagram benchmark: a current x field diagram of a spin-valve free layer,
integrated point by point by cmtj with its fixed-polarizer Slonczewski torque.

Run on demand (not a test; ``pip install cmtj``, in the ``test`` extra):

    python benchmarks/cmtj_reference.py                       # 10 x 10 points of 20 ns, timed
    python benchmarks/cmtj_reference.py --currents 100 --fields 100   # the full 100 x 100 reference
    python benchmarks/cmtj_reference.py --spinstack            # and spinstack's ensemble of the same grid

It prints the wall and CPU time per point and the time the 100 x 100 diagram takes (measured, or
extrapolated from the points run), then the diagram as letters (P, A = AP, O = precession, T = static
tilted).  With ``--spinstack`` the same grid runs as one spinstack ensemble (``spinstack.macrospin.simulate``)
of the same free layer as the Py layer of ``examples/co-cu-py.toml`` (Co fixed along +z), with its exact,
self-consistent torque instead of cmtj's fitted one, timed in the same run: both times and their ratio.
(The torques differ, so the diagrams differ; their polarity too: in spinstack J > 0 runs along +x, from
Co to Py, electrons the other way, and destabilises P.)

The device (thin film, normal x; easy axis, polarizer and field along z):

* free layer: Ms = 8e5 A/m, d = 4 nm (the example's Py), K_u = 5e4 J/m^3, alpha = 0.01, demagnetizing factors (1, 0, 0);
* cmtj's torque: rate += [-G a_J eta m x (m x p) + G a_J eta beta m x p] / (1 + alpha^2),
  a_J = hbar J / (e Ms_T d), eta = P L^2 / (L^2 + 1 + (L^2 - 1) m . p) (Slonczewski's angular form,
  cmtj's default), here P = 0.4, L = 2, beta = 0, p = +z fixed;
* sign: J > 0 pushes m toward p (stabilises P), J < 0 toward AP.

Units are mapped to MODEL.md 9's as in ``tests/macrospin/test_against_cmtj.py``: Ms_T = mu0 Ms,
K_cmtj = K mu0 / mu0_cmtj, H = B / mu0_cmtj; gamma is then cmtj's G / mu0_cmtj.  The closed-form
thresholds (MODEL.md 9d, Sun/Katine) printed at the end are in the same units, a check of the diagram.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

MU0 = 1.25663706212e-6  # T m/A
HBAR = 1.054571817e-34  # J s
ELEMENTARY_CHARGE = 1.602176634e-19  # C


@dataclass(frozen=True)
class SpinValveFreeLayer:
    """The free layer and cmtj's torque parameters (SI; see the module docstring)."""

    saturation_magnetization: float = 8.0e5  # A/m
    thickness: float = 4.0e-9  # m, the Py layer of examples/co-cu-py.toml
    anisotropy: float = 5.0e4  # J/m^3, easy axis z
    damping: float = 0.01
    polarization: float = 0.4  # cmtj's spinPolarisation P
    spacer_parameter: float = 2.0  # cmtj's SlonczewskiSpacerLayerParameter (Slonczewski's Lambda)
    tilt_degrees: float = 2.0  # initial tilt off +z (P), in the x-z plane

    def efficiency(self, cos_angle: float) -> float:
        """eta(m . p) of Slonczewski's form as cmtj writes it."""
        lam2 = self.spacer_parameter**2
        return self.polarization * lam2 / (lam2 + 1.0 + (lam2 - 1.0) * cos_angle)

    def critical_currents(self, field: float) -> tuple[float, float]:
        """(J_c of P, J_c of AP) in A/m^2 at applied field B_z = ``field`` (T): MODEL.md 9d with b = 0.

        cmtj's damping-like rate G a_J eta m x (p x m) is gamma T / (Ms d) for a torque per area
        T = a m x (p x m) with a = hbar J eta / e (times mu0_cmtj / mu0 = 1 - 2.9e-5, left out).
        P is unstable for J below the first, AP for J above the second.
        """
        ms, d, alpha = self.saturation_magnetization, self.thickness, self.damping
        b_k = 2.0 * self.anisotropy / ms
        per_current = HBAR / (ELEMENTARY_CHARGE * ms * d)  # a / (gamma eta J), in T per (A/m^2)
        p_state = -alpha * (field + b_k + MU0 * ms / 2.0) / (per_current * self.efficiency(1.0))
        ap_state = alpha * (-field + b_k + MU0 * ms / 2.0) / (per_current * self.efficiency(-1.0))
        return p_state, ap_state


def cmtj_run(layer: SpinValveFreeLayer, current: float, field: float, duration: float, time_step: float,
             save_every: float) -> tuple[np.ndarray, np.ndarray]:
    """One cmtj integration (RK4, fixed step): times (s) and m (n, 3) at current density J (A/m^2) and B_z (T)."""
    import cmtj

    mu0_cmtj = cmtj.constants.PhysicalConstants.magnetic_permeability()
    tilt = np.radians(layer.tilt_degrees)
    demag = [cmtj.CVector(1.0, 0.0, 0.0), cmtj.CVector(0.0, 0.0, 0.0), cmtj.CVector(0.0, 0.0, 0.0)]
    free = cmtj.Layer.createSTTLayer(
        "free", cmtj.CVector(np.sin(tilt), 0.0, np.cos(tilt)), cmtj.CVector(0.0, 0.0, 1.0),
        MU0 * layer.saturation_magnetization, layer.thickness, 1.0e-16, demag, damping=layer.damping,
        SlonczewskiSpacerLayerParameter=layer.spacer_parameter, beta=0.0, spinPolarisation=layer.polarization)
    free.setReferenceLayer(cmtj.CVector(0.0, 0.0, 1.0))
    junction = cmtj.Junction([free])
    junction.setLayerAnisotropyDriver("free", cmtj.constantDriver(layer.anisotropy * MU0 / mu0_cmtj))
    junction.setLayerExternalFieldDriver("free", cmtj.AxialDriver(
        cmtj.constantDriver(0.0), cmtj.constantDriver(0.0), cmtj.constantDriver(field / mu0_cmtj)))
    junction.setLayerCurrentDriver("free", cmtj.constantDriver(current))
    # cmtj truncates total / step and write / step to integers: half a step more keeps the intended counts;
    # step i (from i h) is logged under time i h with the m it ends on
    steps, every = round(duration / time_step), round(save_every / time_step)
    junction.runSimulation((steps + 0.5) * time_step, time_step, (every + 0.5) * time_step, solverMode=cmtj.RK4)
    log = junction.getLog()
    m = np.stack([log["free_mx"], log["free_my"], log["free_mz"]], axis=-1)
    return np.asarray(log["time"]) + time_step, m


def classify(m: np.ndarray) -> str:
    """P / A(P) within 1 degree of +-z at the end, O (precession: m_z still moving over the last half), T (tilted)."""
    last_half = m[len(m) // 2:, 2]
    cos_one_degree = np.cos(np.radians(1.0))
    if last_half[-1] > cos_one_degree:
        return "P"
    if last_half[-1] < -cos_one_degree:
        return "A"
    return "O" if np.ptp(last_half) > 1e-3 else "T"


#: spinstack's tolerances for the diagram (benchmarks/dynamics.py: |m - m_ref| <= 5e-5 over 20 ns at these)
DIAGRAM_RTOL, DIAGRAM_ATOL = 1e-9, 1e-11


def spinstack_diagram(layer: SpinValveFreeLayer, currents: np.ndarray, fields: np.ndarray, duration: float,
                      save_every: float) -> np.ndarray:
    """spinstack's states (fields, currents) of the same grid: one ensemble, the exact torque of co-cu-py.toml
    (its interface-free version while the compiled integrator does not take the interfaces: said on stdout)."""
    from pathlib import Path

    import spinstack as ss
    from spinstack.macrospin import Macrospins, simulate

    import dataclasses

    from spinstack.macrospin import compiled

    stack = ss.load_stack(Path(__file__).resolve().parents[1] / "examples" / "co-cu-py.toml")
    assert stack.layers[2].thickness == layer.thickness, "the device's d is the example's Py thickness"
    why = compiled.refusal(Macrospins(stack, free=2, Ms=layer.saturation_magnetization, alpha=layer.damping))
    if why is not None:
        print(f"spinstack: co-cu-py.toml without its interfaces ({why})")
        stack = dataclasses.replace(stack, interfaces=())
    applied = np.zeros((len(fields), len(currents), 3))
    applied[..., 2] = fields[:, None]
    tilt = np.radians(layer.tilt_degrees)
    spins = Macrospins(stack, free=2, Ms=layer.saturation_magnetization, alpha=layer.damping, K_u=layer.anisotropy,
                       easy_axis=(0.0, 0.0, 1.0), field=applied, current=currents[None, :])
    run = simulate(stack, spins, duration=duration, save_every=save_every, rtol=DIAGRAM_RTOL, atol=DIAGRAM_ATOL,
                   initial=np.array([[np.sin(tilt), 0.0, np.cos(tilt)]]))
    m = np.moveaxis(run.m.sel(layer=2).values, 0, -2)  # (fields, currents, time, component)
    return np.vectorize(lambda i, j: classify(m[i, j]))(*np.indices(m.shape[:2]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--currents", type=int, default=10, help="points along J (default 10)")
    parser.add_argument("--fields", type=int, default=10, help="points along B_z (default 10)")
    parser.add_argument("--duration", type=float, default=20e-9, help="s per run (default 20e-9)")
    parser.add_argument("--time-step", type=float, default=1e-13, help="cmtj's RK4 step, s (default 1e-13)")
    # past both devices' thresholds (spinstack's co-cu-py Py loses P near +1e12 A/m^2, cmtj's layer near -1.5e11)
    parser.add_argument("--current-range", type=float, nargs=2, default=(-1.5e12, 1.5e12), metavar=("LOW", "HIGH"))
    parser.add_argument("--field-range", type=float, nargs=2, default=(-0.02, 0.06), metavar=("LOW", "HIGH"))
    parser.add_argument("--spinstack", action="store_true", help="also run the grid as one spinstack ensemble")
    arguments = parser.parse_args(argv)

    import cmtj

    layer = SpinValveFreeLayer()
    currents = np.linspace(*arguments.current_range, arguments.currents)
    fields = np.linspace(*arguments.field_range, arguments.fields)

    states = np.empty((len(fields), len(currents)), dtype="<U1")
    wall, cpu = time.perf_counter(), time.process_time()
    for i, field in enumerate(fields):
        for j, current in enumerate(currents):
            _, m = cmtj_run(layer, current, field, arguments.duration, arguments.time_step, save_every=1e-11)
            states[i, j] = classify(m)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    points = states.size
    print(f"cmtj {cmtj.__version__}: {points} points of {arguments.duration * 1e9:g} ns, RK4 h = "
          f"{arguments.time_step:g} s: {wall:.2f} s wall, {cpu:.2f} s CPU ({1e3 * wall / points:.2f} ms per point)")
    print(f"100 x 100 diagram point by point: {1e4 * wall / points:.0f} s wall"
          + (" (measured)" if points == 10_000 else " (extrapolated)"))
    print("rows: B_z (T), columns: J from %.3g to %.3g A/m^2" % tuple(arguments.current_range))
    for field, row in zip(fields[::-1], states[::-1]):
        jc_p, jc_ap = layer.critical_currents(field)
        print(f"{field:+8.4f}  {''.join(row)}   J_c(P) {jc_p:+.3g}  J_c(AP) {jc_ap:+.3g}")
    if arguments.spinstack:
        spinstack_diagram(layer, currents, fields, 1e-12, save_every=1e-12)  # numba's compilation is not timed
        ours, ours_cpu = time.perf_counter(), time.process_time()
        diagram = spinstack_diagram(layer, currents, fields, arguments.duration, save_every=1e-10)
        ours, ours_cpu = time.perf_counter() - ours, time.process_time() - ours_cpu
        print(f"spinstack (exact torque, one ensemble of {points}): {ours:.2f} s wall, {ours_cpu:.2f} s CPU; "
              f"cmtj / spinstack = {wall / ours:.3g} (wall), {cpu / ours_cpu:.3g} (CPU)")
        for field, row in zip(fields[::-1], diagram[::-1]):
            print(f"{field:+8.4f}  {''.join(row)}")


if __name__ == "__main__":
    main()
