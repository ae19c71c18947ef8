"""Seed Fig. 3 (end of section 3.1): collinear F / N / F and N / F / N.

Each interface of a collinear structure is an F/N or an N/F contact of seed
Fig. 2: at an F/N interface (electrons leave the ferromagnet) the driving force
+p j0 pulls the joint of the cords up (eq. 8), at an N/F interface it pulls it
down (eq. 9).  So in both structures the two rings are dragged in opposite
directions, and the order of the layers decides which one goes up:

* F / N / F (``fnf-collinear.toml``: semi-infinite parallel F leads around an N
  spacer): mu_s > 0 at the first interface, mu_s < 0 at the second;
* N / F / N (``nfn-collinear.toml``: one F layer between semi-infinite N leads):
  mu_s < 0 at the first interface, mu_s > 0 at the second.

The values are checked against the node balance written by hand from the seed's
eq. (13)-type two-port formulas (G = D / (2 l) for a lead, G~ = G coth(d/l) and
G / sinh(d/l) for a layer of thickness d), and the profile inside the middle
layer against Appendix I's sinh formula.

Run:  python examples/fig3_collinear.py [OUT_DIR]   (figures go to figures/ by default)
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import tomllib

import numpy as np

import spinstack as ss
from spinstack.analysis import ring_forces

HERE = pathlib.Path(__file__).resolve().parent
FNF_FILE = HERE / "fnf-collinear.toml"
NFN_FILE = HERE / "nfn-collinear.toml"
RTOL = 1e-12


def _two_port(D: float, l: float, d: float) -> tuple[float, float]:
    """G~ = G coth(d/l) and B = G / sinh(d/l) of a layer (seed App. I, G = D / (2 l))."""
    G = D / (2 * l)
    return G / np.tanh(d / l), G / np.sinh(d / l)


def seed_fnf(path: pathlib.Path = FNF_FILE) -> dict[str, float]:
    """F lead | N (d) | F lead, parallel: the 2x2 balance of the two rings, by hand.

    Node 0 (F/N):  p j0 - G_F mu0 - [G~_N mu0 - B mu1] = 0
    Node 1 (N/F):  [B mu0 - G~_N mu1] - [p j0 + G_F mu1] = 0
    """
    data = tomllib.loads(path.read_text())
    F, N = data["materials"]["F"], data["materials"]["N"]
    j0, d = float(data.get("current", 1.0)), data["layers"][0]["thickness"]
    G_F = F["D"] / (2 * F["l"])
    Gt, B = _two_port(N["D"], N["l"], d)
    matrix = np.array([[G_F + Gt, -B], [-B, G_F + Gt]])
    mu0, mu1 = np.linalg.solve(matrix, [F["p"] * j0, -F["p"] * j0])
    return {"j0": j0, "p": F["p"], "mu0": mu0, "mu1": mu1, "d": d, "l_N": N["l"]}


def seed_nfn(path: pathlib.Path = NFN_FILE) -> dict[str, float]:
    """N lead | F (d) | N lead: the 2x2 balance of the two rings, by hand.

    Node 0 (N/F):  -G_N mu0 - [p j0 + G~_F mu0 - B_F mu1] = 0
    Node 1 (F/N):  [p j0 + B_F mu0 - G~_F mu1] - G_N mu1 = 0
    """
    data = tomllib.loads(path.read_text())
    F, N = data["materials"]["F"], data["materials"]["N"]
    j0, d = float(data.get("current", 1.0)), data["layers"][0]["thickness"]
    G_N = N["D"] / (2 * N["l"])
    Gt, B = _two_port(F["D"], F["l"], d)
    matrix = np.array([[G_N + Gt, -B], [-B, G_N + Gt]])
    mu0, mu1 = np.linalg.solve(matrix, [-F["p"] * j0, F["p"] * j0])
    return {"j0": j0, "p": F["p"], "mu0": mu0, "mu1": mu1, "d": d, "l_F": F["l"]}


def _check(solution: ss.Solution, m: np.ndarray, seed: dict[str, float], l_middle: float) -> dict[str, float]:
    """Node values, the middle layer's profile, no torque, and the forces on the two rings."""
    mu = solution.accumulation @ m
    np.testing.assert_allclose(solution.accumulation, mu[:, None] * m, rtol=0, atol=1e-15)  # collinear
    np.testing.assert_allclose(mu, [seed["mu0"], seed["mu1"]], rtol=RTOL)
    d = seed["d"]
    x = np.linspace(0.0, d, 33)[1:-1]
    inside = (mu[0] * np.sinh((d - x) / l_middle) + mu[1] * np.sinh(x / l_middle)) / np.sinh(d / l_middle)
    np.testing.assert_allclose(solution.spin_accumulation(x) @ m, inside, rtol=1e-10, atol=1e-14 * np.abs(mu).max())
    np.testing.assert_allclose(solution.torque, 0.0, atol=1e-14)  # collinear: nothing transverse
    forces = ring_forces(solution)
    assert forces.nodes == (0, 1)
    driving = (forces.driving_left + forces.driving_right) @ m
    np.testing.assert_allclose(np.abs(driving), seed["p"] * abs(seed["j0"]), rtol=RTOL)
    np.testing.assert_allclose(forces.along_rail(), 0.0, atol=1e-13)  # eq. (7) on each ring
    # the driving forces drag the rings in opposite directions, and each ring goes the way it is pulled
    assert driving[0] * driving[1] < 0
    assert np.all(np.sign(mu) == np.sign(driving))
    return {"mu0": float(mu[0]), "mu1": float(mu[1]), "drive0": float(driving[0]), "drive1": float(driving[1])}


def main(out_dir: pathlib.Path) -> dict:
    """Solve F / N / F and N / F / N, assert the hand closed forms and the directions, draw the figures."""
    import matplotlib.pyplot as plt

    from spinstack.plot import profiles_figure

    cord_forces_panel = _sibling("fig2_fn_contact").cord_forces_panel

    fnf_stack, nfn_stack = ss.load_stack(FNF_FILE), ss.load_stack(NFN_FILE)
    fnf, nfn = ss.solve(fnf_stack), ss.solve(nfn_stack)
    m_fnf = np.asarray(fnf_stack.left.magnetization, dtype=float)
    m_nfn = np.asarray(nfn_stack.layers[0].magnetization, dtype=float)
    np.testing.assert_allclose(fnf_stack.right.magnetization, m_fnf, atol=0)  # parallel leads

    seed_a, seed_b = seed_fnf(), seed_nfn()
    a = _check(fnf, m_fnf, seed_a, seed_a["l_N"])
    b = _check(nfn, m_nfn, seed_b, seed_b["l_F"])
    # F / N / F: up then down; N / F / N: down then up (seed Fig. 3)
    assert a["mu0"] > 0 > a["mu1"] and a["drive0"] > 0 > a["drive1"]
    assert b["mu0"] < 0 < b["mu1"] and b["drive0"] < 0 < b["drive1"]
    # both structures are mirror-symmetric: the two rings sit symmetrically about zero
    np.testing.assert_allclose(a["mu0"], -a["mu1"], rtol=RTOL)
    np.testing.assert_allclose(b["mu0"], -b["mu1"], rtol=RTOL)

    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = []
    for name, solution in (("fnf", fnf), ("nfn", nfn)):
        fig = profiles_figure(solution)
        figures.append(_save(fig, out_dir / f"fig3_{name}_profiles.png"))
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.8), layout="constrained")
    for ax, solution, m, title in ((axes[0], fnf, m_fnf, "F / N / F"), (axes[1], nfn, m_nfn, "N / F / N")):
        cord_forces_panel(solution, m, ax)
        ax.set_title(title)
    figures.append(_save(fig, out_dir / "fig3_cord_forces.png"))
    plt.close("all")

    return {"fnf_mu0": a["mu0"], "fnf_mu1": a["mu1"], "fnf_mu0_seed": float(seed_a["mu0"]),
            "fnf_mu1_seed": float(seed_a["mu1"]), "nfn_mu0": b["mu0"], "nfn_mu1": b["mu1"],
            "nfn_mu0_seed": float(seed_b["mu0"]), "nfn_mu1_seed": float(seed_b["mu1"]), "figures": figures}


def _sibling(name: str):
    """Another example script of this folder, as a module (its main() is not run)."""
    spec = importlib.util.spec_from_file_location(f"spinstack_example_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
            print(f"{key:>14} = {value:.12g}")
    print("figures:", *map(str, results["figures"]), sep="\n  ")
