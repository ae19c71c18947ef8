"""Seed Fig. 2 (section 3.1): the F | N contact and its mechanical analogy.

Two semi-infinite metals touch at x = 0 (``fn-contact.toml``: two leads, no
layers).  The seed's closed forms, recomputed here with plain numpy from the
file's own numbers (G = D / (2 l) for every metal):

* eq. (8):  p j0 - G_F mu_s(0) - G_N mu_s(0) = 0, so mu_s(0) = p j0 / (G_F + G_N);
* the profile decays as mu_s(0) exp(x / l_F) into F and mu_s(0) exp(-x / l_N) into N,
  with j_s = p j0 - G_F mu_s(x) in F and j_s = G_N mu_s(x) in N (eqs. 3, 4);
* the analogy: the ring at x = 0 is pulled up by the driving force p j0 and held
  back by the two elastic cords, -G_F mu_s(0) and -G_N mu_s(0): they balance;
* eq. (9): the N | F contact (electrons still flowing along +x) has the driving
  force reversed, -p j0 - (G_F + G_N) mu_s(0) = 0, and mu_s(0) changes sign.

Run:  python examples/fig2_fn_contact.py [OUT_DIR]   (figures go to figures/ by default)
"""

from __future__ import annotations

import pathlib
import sys
import tomllib

import numpy as np

import spinstack as ss
from spinstack.analysis import ring_forces

HERE = pathlib.Path(__file__).resolve().parent
STACK_FILE = HERE / "fn-contact.toml"
RTOL = 1e-12


def seed_contact(path: pathlib.Path = STACK_FILE) -> dict[str, float]:
    """The seed's closed forms for the contact, from the raw numbers of the stack file."""
    data = tomllib.loads(path.read_text())
    F, N = data["materials"]["F"], data["materials"]["N"]
    j0 = float(data.get("current", 1.0))
    G_F, G_N = F["D"] / (2 * F["l"]), N["D"] / (2 * N["l"])
    return {"j0": j0, "p": F["p"], "l_F": F["l"], "l_N": N["l"], "G_F": G_F, "G_N": G_N,
            "mu0": F["p"] * j0 / (G_F + G_N),          # eq. (8)
            "mu0_reversed": -F["p"] * j0 / (G_F + G_N)}  # eq. (9)


def main(out_dir: pathlib.Path) -> dict:
    """Solve the F | N and N | F contacts, assert the seed's closed forms, draw the figures."""
    import matplotlib.pyplot as plt

    from spinstack.plot import plot_analogy, profiles_figure

    seed = seed_contact()
    j0, p, G_F, G_N = seed["j0"], seed["p"], seed["G_F"], seed["G_N"]

    stack = ss.load_stack(STACK_FILE)
    assert len(stack.layers) == 0, "the F | N contact is two leads and nothing between them"
    m = np.asarray(stack.left.magnetization, dtype=float)
    solution = ss.solve(stack)

    # eq. (8): the spin accumulation at the interface, along m
    mu0 = float(solution.accumulation[0] @ m)
    np.testing.assert_allclose(solution.accumulation[0], seed["mu0"] * m, rtol=RTOL, atol=1e-15)
    assert mu0 > 0, "F | N with j0 > 0: the driving force p j0 pushes mu_s(0) up"

    # exponential decays on both sides, and the spin currents of eqs. (3), (4)
    x_F = np.linspace(-4 * seed["l_F"], -1e-9, 41)
    x_N = np.linspace(1e-9, 4 * seed["l_N"], 41)
    mu_F = seed["mu0"] * np.exp(x_F / seed["l_F"])
    mu_N = seed["mu0"] * np.exp(-x_N / seed["l_N"])
    np.testing.assert_allclose(solution.spin_accumulation(x_F), mu_F[:, None] * m, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(solution.spin_accumulation(x_N), mu_N[:, None] * m, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(solution.spin_current(x_F), (p * j0 - G_F * mu_F)[:, None] * m, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(solution.spin_current(x_N), (G_N * mu_N)[:, None] * m, rtol=1e-10, atol=1e-15)
    # the parallel spin current is continuous at the interface (eq. 7): no torque on a collinear contact
    js_in, js_out = solution.spin_current_in @ m, solution.spin_current_out @ m
    np.testing.assert_allclose(js_in, js_out, rtol=RTOL)
    np.testing.assert_allclose(js_in, G_N * seed["mu0"], rtol=RTOL)

    # the mechanical analogy: driving force up, two elastic cords down, balanced
    forces = ring_forces(solution)
    assert forces.nodes == (0,)
    driving = float(forces.driving_left[0] @ m)
    elastic_F = float(forces.cord_left[0] @ m)
    elastic_N = float(forces.cord_right[0] @ m)
    np.testing.assert_allclose(driving, p * j0, rtol=RTOL)
    np.testing.assert_allclose(elastic_F, -G_F * seed["mu0"], rtol=RTOL)
    np.testing.assert_allclose(elastic_N, -G_N * seed["mu0"], rtol=RTOL)
    balance = driving + elastic_F + elastic_N
    assert abs(balance) < 1e-13 * p * abs(j0), balance
    np.testing.assert_allclose(forces.total, 0.0, atol=1e-13)

    # eq. (9): the N | F contact; the same metals in the other order, the same current
    reversed_stack = ss.Stack([], left=ss.Lead(stack.right.material),
                              right=ss.Lead(stack.left.material, m), current=stack.current)
    reversed_solution = ss.solve(reversed_stack)
    mu0_reversed = float(reversed_solution.accumulation[0] @ m)
    np.testing.assert_allclose(mu0_reversed, seed["mu0_reversed"], rtol=RTOL)
    assert mu0_reversed < 0, "N | F with j0 > 0: the driving force -p j0 drags mu_s(0) down"
    reversed_forces = ring_forces(reversed_solution)
    np.testing.assert_allclose(reversed_forces.driving_right[0] @ m, -p * j0, rtol=RTOL)
    # ... which is the F | N contact with the current reversed (seed eq. 1's remark on symmetry)
    backwards = ss.solve(ss.Stack([], left=stack.left, right=stack.right, current=-stack.current))
    np.testing.assert_allclose(backwards.accumulation[0] @ m, mu0_reversed, rtol=RTOL)

    # figures: the profiles (seed Fig. 2), the forces on the ring, for F | N and N | F
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = []
    for name, sol in (("fn", solution), ("nf", reversed_solution)):
        fig = profiles_figure(sol)
        figures.append(_save(fig, out_dir / f"fig2_{name}_contact_profiles.png"))
        ax = plot_analogy(sol)
        ax.set_title(("F | N" if name == "fn" else "N | F") + r" contact: forces on the ring $\mu_s(0)$")
        figures.append(_save(ax.figure, out_dir / f"fig2_{name}_contact_analogy.png"))
    # the seed's lower panel: the cords mu_s(x) and the forces on their joint, both orders side by side
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.8), layout="constrained")
    for ax, sol, title in zip(axes, (solution, reversed_solution), ("F | N  (eq. 8)", "N | F  (eq. 9)")):
        cord_forces_panel(sol, m, ax)
        ax.set_title(title)
    figures.append(_save(fig, out_dir / "fig2_cord_forces.png"))
    plt.close("all")

    return {"mu0": mu0, "mu0_seed": seed["mu0"], "mu0_reversed": mu0_reversed,
            "mu0_reversed_seed": seed["mu0_reversed"], "G_F": G_F, "G_N": G_N,
            "driving_force": driving, "elastic_F": elastic_F, "elastic_N": elastic_N, "balance": balance,
            "figures": figures}


def cord_forces_panel(solution: ss.Solution, m: np.ndarray, ax) -> None:
    """mu_s(x) . m as elastic cords, with the forces on every ring drawn at the ring (seed Figs. 2, 3).

    Collinear stacks only: every force is along m, so it is drawn vertically (driving force at
    the ring, the left cord's reaction just left of it, the right cord's just right).
    """
    stack, forces = solution.stack, ring_forces(solution)
    nodes = np.asarray(solution.node_positions, dtype=float)
    width = max(float(nodes[-1] - nodes[0]), 1e-9)

    def reach(end) -> float:
        return 3.0 * float(np.asarray(end.material.l)) if isinstance(end, ss.Lead) else 0.0

    lo, hi = nodes[0] - reach(stack.left), nodes[-1] + reach(stack.right)
    x = np.linspace(lo, hi, 801)
    mu = solution.spin_accumulation(x) @ m
    ax.axhline(0.0, color="#8a8a8a", lw=0.8)
    for node in nodes:
        ax.axvline(node, color="#8a8a8a", lw=0.6, ls=":")
    ax.plot(x, mu, color="#222222", lw=1.8, label=r"cord $\mu_s(x)\cdot\mathbf{m}$")
    along = lambda vectors: vectors @ m  # noqa: E731
    drive = along(forces.driving_left + forces.driving_right)
    left, right = along(forces.cord_left), along(forces.cord_right)
    largest = max(np.abs(np.concatenate([drive, left, right])).max(), 1e-300)
    scale = 0.45 * max(np.abs(mu).max(), 1e-300) / largest
    gap = 0.02 * (hi - lo) if hi > lo else 0.02 * width
    kinds = ((0.0, drive, "#D55E00", r"driving force $\pm p\,j_0$"),
             (-gap, left, "#009E73", "reaction of the left cord"),
             (+gap, right, "#0072B2", "reaction of the right cord"))
    tips = [mu.min(), mu.max()]
    for r, k in enumerate(forces.nodes):
        y = float(forces.position[r] @ m)
        ax.plot([nodes[k]], [y], marker="o", ms=7, mfc="white", mec="#222222", mew=1.4, zorder=4)
        for shift, values, colour, label in kinds:
            if values[r] != 0.0:
                tip = y + scale * values[r]
                ax.annotate("", xy=(nodes[k] + shift, tip), xytext=(nodes[k] + shift, y),
                            arrowprops=dict(arrowstyle="-|>", color=colour, lw=2.2, shrinkA=0, shrinkB=0), zorder=6)
                tips.append(tip)
    for _, _, colour, label in kinds:
        ax.plot([], [], color=colour, lw=2.2, label=label)
    # name the metals, as in the seed's figures
    edges = [lo, *nodes, hi]
    ends = [stack.left, *stack.layers, stack.right]
    for a, b, part in zip(edges[:-1], edges[1:], ends):
        if b > a and hasattr(part, "material"):
            kind = "F" if isinstance(part.material, ss.Ferromagnet) else "N"
            ax.text(0.5 * (a + b), 0.97, kind, transform=ax.get_xaxis_transform(), ha="center", va="top",
                    fontsize=11, color="#D55E00" if kind == "F" else "#0072B2")
    span = max(tips) - min(tips)
    ax.set_ylim(min(tips) - 0.08 * span, max(tips) + 0.08 * span)
    ax.set_xlim(lo, hi)
    ax.set_xlabel("position $x$ (reduced units)")
    ax.set_ylabel(r"spin accumulation $\mu_s$")
    ax.legend(loc="best", fontsize=8, framealpha=0.9)


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
            print(f"{key:>20} = {value:.12g}")
    print("figures:", *map(str, results["figures"]), sep="\n  ")
