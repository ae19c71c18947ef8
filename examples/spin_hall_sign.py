"""The spin Hall sign convention of spinstack (MODEL.md 8b), as one picture a user can check.

A free Pt film (both faces open, theta_SH > 0) carries a conventional current J along +y.
The spin Hall current flowing towards the top face (outward normal +x) carries spin angular
momentum along n x J_hat = +z, i.e. magnetic moment along J_hat x n = -z; spinstack's spin
vectors are magnetic-moment-like (majority spin along m), so the spin accumulation at the top
face is mu_s = -(2 l |s| / D) tanh(d / 2l) z_hat, and +that at the bottom face.

Run:  python examples/spin_hall_sign.py [OUT.png]      (default docs/images/spin-hall-sign.png)
Check by hand:  spinstack solve examples/yig-pt-smr.toml  (eps along +y there, so J along -y).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import spinstack as ss

D, L, D_FILM, THETA = 2.0, 1.4, 3.0, 0.19


def film(current_along_y: float = 1.0) -> ss.Solution:
    """Pt between open faces; conventional current J along +y means eps = e E along -y (e < 0)."""
    platinum = ss.Normal("Pt", D, L, THETA)
    return ss.solve(ss.Stack([ss.Layer(platinum, D_FILM)], left=ss.Open(), right=ss.Open(), current=0.0,
                             field=[0.0, -current_along_y, 0.0]))


def top_value() -> float:
    """The closed form of MODEL.md 8b for J along +y: mu_z(top) = -(2 l |s| / D) tanh(d / 2l), |s| = theta D |eps|."""
    return -2 * L * THETA * D / D * np.tanh(D_FILM / (2 * L))


def draw(out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, Rectangle

    solution = film()
    x = np.linspace(0.0, D_FILM, 200)
    mu = solution.spin_accumulation(x)
    figure, (sketch, profile) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1.1, 1]})
    # the film seen along z: x (the stack axis) up, y to the right, so z = x cross y points INTO the page
    sketch.add_patch(Rectangle((0, 0), 4, D_FILM, facecolor="#dde6f0", edgecolor="0.3"))
    sketch.add_patch(FancyArrowPatch((0.6, D_FILM / 2), (3.4, D_FILM / 2), arrowstyle="-|>", mutation_scale=18,
                                     color="#333333", lw=2))
    sketch.text(2.0, D_FILM / 2 + 0.18, "conventional current J along +y", ha="center", fontsize=10)
    sketch.text(2.0, D_FILM / 2 - 0.35, "(electrons drift along -y)", ha="center", fontsize=8.5, color="0.35")
    for y in (0.7, 2.0, 3.3):  # moment along -z at the top (out of the page), +z at the bottom (into it)
        sketch.plot(y, D_FILM - 0.3, marker="o", ms=15, mfc="white", mec="#b2182b", mew=2)
        sketch.plot(y, D_FILM - 0.3, marker=".", ms=9, mec="#b2182b", mfc="#b2182b")
        sketch.plot(y, 0.3, marker="o", ms=15, mfc="white", mec="#2166ac", mew=2)
        sketch.plot(y, 0.3, marker="x", ms=9, mec="#2166ac", mew=2)
    sketch.text(4.15, D_FILM - 0.3, "top face (normal +x):\nmoment along -z\n(out of the page)", va="center",
                fontsize=9, color="#b2182b")
    sketch.text(4.15, 0.3, "bottom face:\nmoment along +z\n(into the page)", va="center", fontsize=9, color="#2166ac")
    # axes: x up, y right, z into the page
    sketch.annotate("", xy=(-0.5, 1.2), xytext=(-0.5, -0.2), arrowprops={"arrowstyle": "-|>"})
    sketch.annotate("", xy=(0.9, -0.2), xytext=(-0.5, -0.2), arrowprops={"arrowstyle": "-|>"})
    sketch.text(-0.62, 1.2, "x", ha="right", va="top")
    sketch.text(0.95, -0.2, "y", va="center")
    sketch.plot(-0.5, -0.2, marker="o", ms=9, mfc="white", mec="k")
    sketch.plot(-0.5, -0.2, marker="x", ms=5, mec="k")
    sketch.text(-0.45, -0.48, "z (into the page)", fontsize=8, va="top")
    sketch.set_xlim(-0.9, 6.4)
    sketch.set_ylim(-0.9, D_FILM + 0.5)
    sketch.set_aspect("equal")
    sketch.axis("off")
    sketch.set_title(f"Pt film, theta_SH = +{THETA} (MODEL.md 8b)", fontsize=11)
    profile.plot(x, mu[:, 2], color="#b2182b", lw=2, label=r"$\mu_{s,z}$")
    profile.plot(x, mu[:, 1], color="0.5", lw=1, ls="--", label=r"$\mu_{s,y}$ (zero)")
    profile.axhline(0, color="0.6", lw=0.8)
    profile.plot([D_FILM], [top_value()], "ko", ms=6, label=r"closed form $-(2l|s|/D)\tanh(d/2l)$")
    profile.set_xlabel("position x across the film (reduced units; top face at x = d)")
    profile.set_ylabel(r"spin accumulation $\mu_s$ (reduced units)")
    profile.set_title("spinstack's solution: magnetic-moment convention", fontsize=11)
    profile.legend(fontsize=9, loc="upper right")
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=130)
    plt.close(figure)


if __name__ == "__main__":
    solution = film()
    assert np.isclose(solution.accumulation[-1, 2], top_value(), rtol=1e-12)
    assert np.isclose(solution.accumulation[0, 2], -top_value(), rtol=1e-12)
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "docs/images/spin-hall-sign.png"
    draw(target)
    print(f"mu_z(top) = {solution.accumulation[-1, 2]:.6f} (closed form {top_value():.6f}); wrote {target}")
