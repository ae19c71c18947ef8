"""Real stacks in SI units: a Co/Cu/Py spin valve, a wavy torque, and the GMR of Py/Cu/Py.

The three stack files (``co-cu-py.toml``, ``wavy-torque.toml``, ``py-cu-py-gmr.toml``) take
what they can from the built-in, cited library (Py beta and l_sf, Py/Cu AR* and gamma,
all at 4.2 K; ``spinstack materials``) and state everything else in the file as an
assumption ("assumed, order of magnitude; not from a read source").  Checked here:

* the library numbers in the files are the library's (a partial library entry, Py, has
  no rho: every file gives it; the GMR file's second permalloy, Py2, copies Py's values);
* the wavy torque: g2 changes sign once in (0, 90) deg, at the root that a plain bisection
  of :func:`spinstack.analysis.efficiency` finds, and there the spin accumulation at F2's
  face is parallel to m2 (F2 absorbs no transverse spin); g2 < 0 below, > 0 above;
* the GMR ratio of :func:`spinstack.analysis.magnetoresistance` is positive and equals
  (R_AP - R_P)/R_P from two explicit solves with m2 = +m1 and m2 = -m1;
* spin conservation in every stack: the spin current entering from the left lead minus
  the one leaving into the right lead equals the spin deposited at the nodes plus the
  spin flipped in the layers; the deposits are transverse to the local m and add up, face
  by face, to the torque on each F layer (no spin memory loss here: delta = 0);
* the figure set of each stack is written.

Run:  python examples/real_stacks.py [OUT_DIR]   (figures go to figures/ by default)
"""

from __future__ import annotations

import dataclasses
import pathlib
import sys

import numpy as np

import spinstack as ss
from spinstack import si
from spinstack.analysis import efficiency, magnetoresistance, sign_change_angles, with_angle
from spinstack.io import load_stack
from spinstack.io.libraryfile import load_library

HERE = pathlib.Path(__file__).resolve().parent
FILES = {"co_cu_py": HERE / "co-cu-py.toml", "wavy": HERE / "wavy-torque.toml", "gmr": HERE / "py-cu-py-gmr.toml"}


def bisect_g2(stack: ss.Stack, low: float, high: float, tolerance: float = 1e-11) -> float:
    """The angle (degrees) in [low, high] where g2 changes sign, by plain bisection of ``efficiency``."""
    g_low = float(efficiency(stack, low).g2)
    assert g_low * float(efficiency(stack, high).g2) < 0, "no sign change in the bracket"
    while high - low > tolerance:
        middle = 0.5 * (low + high)
        g_middle = float(efficiency(stack, middle).g2)
        if np.sign(g_middle) == np.sign(g_low):
            low, g_low = middle, g_middle
        else:
            high = middle
    return 0.5 * (low + high)


def collinear(stack: ss.Stack, sign: float) -> ss.Stack:
    """The stack with m2 = sign * m1, built directly (not through ``with_angle``)."""
    first, second = stack.ferromagnet_indices
    layers = list(stack.layers)
    old = layers[second]
    layers[second] = dataclasses.replace(old, magnetization=sign * np.asarray(stack.layers[first].magnetization))
    return dataclasses.replace(stack, layers=layers)  # keeps every other field (field, interfaces, units, ...)


def check_library_numbers(stacks: dict[str, ss.Stack]) -> None:
    """The numbers the files take from the library are the library's."""
    built_in = load_library()
    py = built_in.material("Py")
    assert py.missing == ("rho",), "the library's Py has no sourced rho: the files give it"
    pair = built_in.interface("Py/Cu")
    reference = si.interface(0, AR=pair.values["AR"].si, gamma=pair.values["gamma"].si,
                             G_mix=["5e14 Ohm^-1*m^-2", "0 Ohm^-1*m^-2"])
    for stack in stacks.values():
        for layer in stack.layers:
            if layer.material.name in ("Py", "Py2"):  # Py2: the GMR file's copy of Py
                assert float(layer.material.p) == float(py.values["beta"].si)
                assert float(layer.material.l) == float(py.values["l_sf"].si)
        for contact in stack.interfaces:
            names = {stack.layers[i].material.name for i in (contact.node - 1, contact.node)
                     if 0 <= i < len(stack.layers)}
            if names & {"Py", "Py2"}:
                assert float(contact.g_up) == float(reference.g_up) and float(contact.g_dn) == float(reference.g_dn)


def check_conservation(solution: ss.Solution) -> float:
    """Spin in - spin out = deposits + spin-flip losses; deposits are the torques. Returns the worst relative error."""
    solution = solution.reduced  # one unit for all: spin currents (an SI solution reports torques in J/m^2)
    stack = solution.stack
    scale = max(float(np.abs(solution.spin_current_in).max()), float(np.abs(solution.spin_current_out).max()))
    balance = (solution.spin_current_in - solution.spin_current_out
               - solution.deposit.sum(axis=0) - solution.spin_flip_loss.sum(axis=0))
    errors = [float(np.abs(balance).max()) / scale]
    # every deposit sits at the face of an F layer and is transverse to its m; face by face they are its torque
    torque = np.zeros_like(solution.torque)
    for node, deposit in enumerate(solution.deposit):
        touching = [i for i in (node - 1, node) if 0 <= i < len(stack.layers)
                    and isinstance(stack.layers[i].material, ss.Ferromagnet)]
        if not touching:
            errors.append(float(np.abs(deposit).max()) / scale)
            continue
        assert len(touching) == 1, "no F/F contact in these stacks"
        m = np.asarray(stack.layers[touching[0]].magnetization, dtype=float)
        errors.append(abs(float(deposit @ m)) / scale)
        torque[touching[0]] += deposit
    errors.append(float(np.abs(torque - solution.torque).max()) / scale)
    # hence: in - out = the torques + the spin-flip losses
    total = solution.torque.sum(axis=0) + solution.spin_flip_loss.sum(axis=0)
    errors.append(float(np.abs(solution.spin_current_in - solution.spin_current_out - total).max()) / scale)
    worst = max(errors)
    assert worst < 1e-12, worst
    return worst


def main(out_dir: pathlib.Path) -> dict:
    """Load the three files, assert the wavy torque, the GMR and conservation, write the figure sets."""
    import matplotlib.pyplot as plt

    from spinstack.plot import write_figure_set

    stacks = {key: load_stack(path) for key, path in FILES.items()}
    assert all(stack.units == "SI" and len(stack.interfaces) == 4 for stack in stacks.values())
    check_library_numbers(stacks)
    results: dict = {}

    # the wavy torque: one sign change of g2 inside (0, 90) deg, none of g1
    wavy = stacks["wavy"]
    roots, roots_g1 = sign_change_angles(wavy, "g2"), sign_change_angles(wavy, "g1")
    assert roots.shape == (1,) and roots_g1.shape == (0,), (roots, roots_g1)
    angle = float(roots[0])
    assert 0.0 < angle < 90.0
    by_bisection = bisect_g2(wavy, 1.0, 89.0)
    np.testing.assert_allclose(angle, by_bisection, rtol=0, atol=1e-8)
    curve_theta = np.array([0.0, 0.5 * angle, angle - 1.0, angle + 1.0, 90.0, 180.0])
    curve = efficiency(wavy, curve_theta)
    assert (curve.g2[:3] < 0).all() and (curve.g2[3:] > 0).all() and (curve.g1 > 0).all()
    at_root = ss.solve(with_angle(wavy, angle))
    m2 = np.asarray(at_root.stack.layers[2].magnetization)
    face = at_root.accumulation[2]  # just left of node 2: the Cu side of the Cu/Py interface
    assert np.linalg.norm(np.cross(face, m2)) < 1e-8 * np.linalg.norm(face)
    own = ss.solve(wavy)
    results.update(wavy_g2_sign_change_deg=angle, wavy_g2_by_bisection_deg=by_bisection,
                   wavy_g1=float(own.efficiency().g1), wavy_g2=float(own.efficiency().g2),
                   wavy_g2_at_0=float(curve.g2[0]))

    # GMR: (R_AP - R_P) / R_P, from magnetoresistance and from two explicit solves
    for key in ("gmr", "co_cu_py"):
        stack = stacks[key]
        mr = magnetoresistance(stack)
        parallel = float(ss.solve(collinear(stack, +1.0)).resistance_area)
        antiparallel = float(ss.solve(collinear(stack, -1.0)).resistance_area)
        np.testing.assert_allclose([float(mr.parallel), float(mr.antiparallel)], [parallel, antiparallel],
                                   rtol=1e-12)
        ratio = (antiparallel - parallel) / parallel
        assert float(mr.ratio) > 0
        np.testing.assert_allclose(float(mr.ratio), ratio, rtol=1e-10)
        results[f"{key}_RA_P_fOhm_m2"] = parallel * 1e15  # an SI stack's solution reports Ohm m^2
        results[f"{key}_RA_AP_fOhm_m2"] = antiparallel * 1e15
        results[f"{key}_gmr"] = float(mr.ratio)

    # conservation and torques, every stack in its own configuration; torques in J/m^2
    out_dir = pathlib.Path(out_dir)
    figures: list[pathlib.Path] = []
    for key, stack in stacks.items():
        solution = ss.solve(stack)
        results[f"{key}_conservation_error"] = check_conservation(solution)
        torque = solution.torque  # J/m^2: an SI stack's solution reports SI (MODEL.md 7)
        results[f"{key}_torque_F1_J_m2"] = float(np.linalg.norm(torque[stack.ferromagnet_indices[0]]))
        results[f"{key}_torque_F2_J_m2"] = float(np.linalg.norm(torque[stack.ferromagnet_indices[1]]))
        figures += write_figure_set(solution, out_dir, FILES[key].stem, ".png")
        plt.close("all")
    return {**results, "figures": figures}


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    results = main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path("figures"))
    for key, value in results.items():
        if key != "figures":
            print(f"{key:>28} = {value:.12g}")
    print("figures:", *map(str, results["figures"]), sep="\n  ")
