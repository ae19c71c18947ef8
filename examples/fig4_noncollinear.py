"""Seed Fig. 4 (sections 3.2, 3.3): the non-collinear N / F1 / N / F2 / N spin valve, g1, g2 > 0.

``seed-fnf.toml`` is the seed's Appendix I structure: F1 / N / F2 between two
ideal electrodes (reservoirs, mu_s = 0 at their faces), m2 turned by theta = 60
deg from m1.  Checked here against the seed's closed forms, recomputed with plain
numpy from the stack file's own numbers (G = D / (2 l), G~ = G coth(d/l),
A_i = G~_i + G~_N, B = G~_N / cosh(d_N/l_N) = G_N / sinh(d_N/l_N)):

* eq. (14): mu1 = j0 (A2 p1 - B cos p2) / Det, mu2 = j0 (B cos p1 - A1 p2) / Det,
  Det = A1 A2 - B^2 cos^2 theta (the rings sit at mu1 m1 and mu2 m2);
* eq. (13) and (12): the spin current jumps at the F1/N and N/F2 faces are the torques,
  Delta j_s1 = B mu2 m1 x (m2 x m1), Delta j_s2 = B mu1 m2 x (m1 x m2) (Appendix II),
  hence g1 = -B mu2 / j0 and g2 = B mu1 / j0, both > 0 here;
* the hodograph of mu_s is planar (plane of m1 and m2); in N the cord sags towards
  the origin: its midpoint is (mu1 m1 + mu2 m2) / (2 cosh(d_N / 2 l_N));
* the analogy: on each ring the forces along the rail balance (eq. 10) and the rail
  load is the torque.

Run:  python examples/fig4_noncollinear.py [OUT_DIR]   (figures go to figures/ by default)
"""

from __future__ import annotations

import pathlib
import sys
import tomllib

import numpy as np

import spinstack as ss
from spinstack.analysis import hodograph, ring_forces

HERE = pathlib.Path(__file__).resolve().parent
STACK_FILE = HERE / "seed-fnf.toml"
RTOL = 1e-11


def _direction(value) -> np.ndarray:
    """A stack file's magnetization ([x, y, z] or {theta, phi} in degrees) as a unit vector."""
    if isinstance(value, dict):
        theta, phi = np.radians(value["theta"]), np.radians(value.get("phi", 0.0))
        return np.array([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)])
    vector = np.asarray(value, dtype=float)
    return vector / np.linalg.norm(vector)


def seed_valve(path: pathlib.Path, theta: float | np.ndarray | None = None) -> dict:
    """Seed App. I / II closed forms for an F1 / N / F2 stack file between reservoirs.

    ``theta`` (degrees) overrides the file's angle between m1 and m2.
    """
    data = tomllib.loads(path.read_text())
    layers, materials = data["layers"], data["materials"]
    ends = [data.get(side, {"kind": "reservoir"})["kind"] for side in ("left", "right")]
    assert len(layers) == 3 and ends == ["reservoir", "reservoir"], "the seed's F1 / N / F2 between reservoirs"
    (f1, n, f2) = (materials[layer["material"]] for layer in layers)
    d1, dN, d2 = (layer["thickness"] for layer in layers)
    j0 = float(data.get("current", 1.0))

    def g_tilde(material: dict, d: float) -> float:
        return material["D"] / (2 * material["l"]) / np.tanh(d / material["l"])

    A1 = g_tilde(f1, d1) + g_tilde(n, dN)
    A2 = g_tilde(f2, d2) + g_tilde(n, dN)
    B = g_tilde(n, dN) / np.cosh(dN / n["l"])
    m1, m2 = _direction(layers[0]["magnetization"]), _direction(layers[2]["magnetization"])
    if theta is None:
        theta = np.degrees(np.arccos(np.clip(m1 @ m2, -1.0, 1.0)))
    cos = np.cos(np.radians(theta))
    p1, p2 = f1["p"], f2["p"]
    det = A1 * A2 - B**2 * cos**2
    mu1 = j0 * (A2 * p1 - B * cos * p2) / det                       # eq. (14)
    mu2 = j0 * (B * cos * p1 - A1 * p2) / det
    return {"j0": j0, "p1": p1, "p2": p2, "A1": A1, "A2": A2, "B": B, "G_tilde_N": g_tilde(n, dN),
            "G_tilde_1": g_tilde(f1, d1), "G_tilde_2": g_tilde(f2, d2), "cosh_N": np.cosh(dN / n["l"]),
            "half_cosh_N": np.cosh(dN / (2 * n["l"])), "theta": theta, "m1": m1, "m2": m2,
            "mu1": mu1, "mu2": mu2,
            "g1": B * (A1 * p2 - B * cos * p1) / det,                     # Appendix II
            "g2": B * (A2 * p1 - B * cos * p2) / det}


def check_valve(solution: ss.Solution, seed: dict) -> dict:
    """Assert eqs. (12)-(14), Appendix II, the planar hodograph and the ring balance; return the numbers."""
    j0, B = seed["j0"], seed["B"]
    m1 = np.asarray(solution.stack.layers[0].magnetization, dtype=float)
    m2 = np.asarray(solution.stack.layers[2].magnetization, dtype=float)
    np.testing.assert_allclose([m1, m2], [seed["m1"], seed["m2"]], atol=1e-15)

    # eq. (14): the rings
    mu = solution.accumulation
    np.testing.assert_allclose(mu[[0, 3]], 0.0, atol=0)  # reservoirs
    np.testing.assert_allclose(mu[1], seed["mu1"] * m1, rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(mu[2], seed["mu2"] * m2, rtol=RTOL, atol=1e-15)
    mu1, mu2 = float(mu[1] @ m1), float(mu[2] @ m2)

    # eq. (13): the spin currents on both sides of the two interfaces
    js_F1 = (seed["p1"] * j0 - seed["G_tilde_1"] * mu1) * m1
    js_N1 = seed["G_tilde_N"] * (mu1 * m1 - mu2 * m2 / seed["cosh_N"])
    js_N2 = seed["G_tilde_N"] * (mu1 * m1 / seed["cosh_N"] - mu2 * m2)
    js_F2 = (seed["p2"] * j0 + seed["G_tilde_2"] * mu2) * m2
    np.testing.assert_allclose(solution.spin_current_right[0], js_F1, rtol=RTOL, atol=1e-14)
    np.testing.assert_allclose(solution.spin_current_left[1], js_N1, rtol=RTOL, atol=1e-14)
    np.testing.assert_allclose(solution.spin_current_right[1], js_N2, rtol=RTOL, atol=1e-14)
    np.testing.assert_allclose(solution.spin_current_left[2], js_F2, rtol=RTOL, atol=1e-14)

    # eq. (12) = Appendix II: the torques are the jumps
    jump1, jump2 = js_F1 - js_N1, js_N2 - js_F2
    np.testing.assert_allclose(jump1, B * mu2 * np.cross(m1, np.cross(m2, m1)), atol=1e-13)
    np.testing.assert_allclose(jump2, B * mu1 * np.cross(m2, np.cross(m1, m2)), atol=1e-13)
    torque = solution.torque
    np.testing.assert_allclose(torque[0], jump1, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(torque[2], jump2, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(torque[1], 0.0, atol=0)

    # seed eq. (1): g1, g2 from the torques, and Appendix II's closed forms
    g = solution.efficiency()
    g1, g2 = float(g.g1), float(g.g2)
    np.testing.assert_allclose([g1, g2], [seed["g1"], seed["g2"]], rtol=RTOL)
    np.testing.assert_allclose(torque[0], -j0 * g1 * np.cross(m1, np.cross(m2, m1)), atol=1e-13)
    np.testing.assert_allclose(torque[2], +j0 * g2 * np.cross(m2, np.cross(m1, m2)), atol=1e-13)
    # the sign of g2 is the side of m1 the ring mu1 sits on, that of g1 the side of m2 of mu2
    np.testing.assert_allclose([g1, g2], [-B * mu2 / j0, B * mu1 / j0], rtol=RTOL)

    # the hodograph: planar, N cord sagging towards the origin
    normal = np.cross(m1, m2)
    normal = normal / np.linalg.norm(normal)
    x0, x1 = solution.node_positions[1], solution.node_positions[2]
    x = np.linspace(x0, x1, 65)
    cord = solution.spin_accumulation(x)
    scale = np.abs(cord).max()
    assert np.abs(cord @ normal).max() < 1e-13 * scale
    planarity = hodograph(solution).planarity
    assert planarity < 1e-13, planarity
    middle = solution.spin_accumulation(0.5 * (x0 + x1))
    np.testing.assert_allclose(middle, (mu[1] + mu[2]) / (2 * seed["half_cosh_N"]), rtol=1e-10)
    assert np.linalg.norm(middle) < np.linalg.norm(0.5 * (mu[1] + mu[2]))  # the sag

    # the mechanical analogy: forces along each rail balance, the rail load is the torque
    forces = ring_forces(solution)
    assert forces.nodes == (1, 2)
    np.testing.assert_allclose(forces.along_rail(), 0.0, atol=1e-13)
    np.testing.assert_allclose(forces.total, 0.0, atol=1e-13)
    np.testing.assert_allclose(forces.driving_left[0], seed["p1"] * j0 * m1, rtol=RTOL)
    np.testing.assert_allclose(forces.driving_right[1], -seed["p2"] * j0 * m2, rtol=RTOL)
    np.testing.assert_allclose(forces.rail_load, torque[[0, 2]], atol=1e-13)
    return {"theta": float(seed["theta"]), "mu1": mu1, "mu2": mu2, "mu1_seed": float(seed["mu1"]),
            "mu2_seed": float(seed["mu2"]), "g1": g1, "g2": g2, "g1_seed": float(seed["g1"]),
            "g2_seed": float(seed["g2"]), "A1": float(seed["A1"]), "A2": float(seed["A2"]), "B": float(B),
            "torque1": float(np.linalg.norm(torque[0])), "torque2": float(np.linalg.norm(torque[2])),
            "planarity": planarity}


def main(out_dir: pathlib.Path) -> dict:
    """Solve seed-fnf.toml, assert the seed's closed forms (g1, g2 > 0), draw Fig. 4."""
    import matplotlib.pyplot as plt

    from spinstack.plot import hodograph_figure, plot_analogy, plot_efficiency

    stack = ss.load_stack(STACK_FILE)
    solution = ss.solve(stack)
    seed = seed_valve(STACK_FILE)
    numbers = check_valve(solution, seed)
    # Fig. 4: both efficiencies positive; both rings on the side their driving force pulls them to
    assert numbers["g1"] > 0 and numbers["g2"] > 0
    assert numbers["mu1"] > 0 > numbers["mu2"]
    # ... at every angle, since this structure is symmetric (p2/p1 = 1 is outside both regions of eq. 15)
    theta = np.linspace(0.0, 180.0, 181)
    curve = ss.analysis.efficiency(stack, theta)
    closed = seed_valve(STACK_FILE, theta)
    np.testing.assert_allclose(curve.g1, closed["g1"], rtol=1e-10)
    np.testing.assert_allclose(curve.g2, closed["g2"], rtol=1e-10)
    assert (curve.g1 > 0).all() and (curve.g2 > 0).all()

    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = [_save(hodograph_figure(solution), out_dir / "fig4_hodographs.png"),
               _save(plot_analogy(solution).figure, out_dir / "fig4_analogy.png"),
               _save(plot_efficiency(stack, mark_theta=numbers["theta"]).figure, out_dir / "fig4_efficiency.png")]
    plt.close("all")
    return {**numbers, "min_g1": float(curve.g1.min()), "min_g2": float(curve.g2.min()), "figures": figures}


def _save(fig, path: pathlib.Path) -> pathlib.Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    results = main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path("figures"))
    for key, value in results.items():
        if key != "figures":
            print(f"{key:>10} = {value:.12g}")
    print("figures:", *map(str, results["figures"]), sep="\n  ")
