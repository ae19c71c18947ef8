"""The seed's conclusions (section 4 and Appendix II), checked over a random sample of valves.

The seed predicts from the mechanical analogy, for F1 / N / F2 between reservoirs
(the Appendix I structure) with j0 > 0 and p1, p2 > 0:

1. g2 can change sign only when theta < 90 deg: for theta > 90 deg the driving
   force -p2 j0 m2 has a positive component along m1 and cannot drag the ring mu1
   through zero (g2 = B mu1 / j0, Appendix II);  the same holds for g1;
2. for theta < 90 deg a large enough p1 flips g1 without flipping g2, at the
   threshold p1 = p2 A1 / (B cos theta) of eq. (15);
3. g1 and g2 are never negative together (eq. 15: the two conditions exclude each
   other, since B < A1, A2).

Here a few thousand random valves (all parameters drawn at once, one batched solve)
are compared with the seed's closed forms recomputed with plain numpy, and one
concrete case (``seed-fnf.toml`` with p1 raised) shows claim 2, with the threshold
from :func:`spinstack.analysis.threshold` against eq. (15).

Run:  python examples/conclusions.py [OUT_DIR] [SAMPLES]   (figures go to figures/ by default)
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

import spinstack as ss
from spinstack.analysis import efficiency, threshold
from spinstack.model.paths import with_parameter

HERE = pathlib.Path(__file__).resolve().parent
SEED_FILE = HERE / "seed-fnf.toml"


def random_valves(samples: int, seed: int = 20240601) -> dict[str, np.ndarray]:
    """Random F1 / N / F2 parameters: log-uniform D, l, d; uniform p in (0, 1) and theta in [0, 180]."""
    rng = np.random.default_rng(seed)
    log = lambda low, high: np.exp(rng.uniform(np.log(low), np.log(high), samples))  # noqa: E731
    return {"D1": log(0.3, 3.0), "p1": rng.uniform(0.02, 0.98, samples), "l1": log(0.2, 5.0), "d1": log(0.2, 5.0),
            "DN": log(1.0, 10.0), "lN": log(1.0, 50.0), "dN": log(0.05, 3.0),
            "D2": log(0.3, 3.0), "p2": rng.uniform(0.02, 0.98, samples), "l2": log(0.2, 5.0), "d2": log(0.2, 5.0),
            "theta": rng.uniform(0.0, 180.0, samples)}


def seed_closed_form(v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Seed App. I / II: A1, A2, B, mu1, mu2 (eq. 14), g1, g2, and eq. (15)'s predictions (j0 = 1)."""
    g_tilde = lambda D, l, d: D / (2 * l) / np.tanh(d / l)  # noqa: E731
    GN = g_tilde(v["DN"], v["lN"], v["dN"])
    A1, A2 = g_tilde(v["D1"], v["l1"], v["d1"]) + GN, g_tilde(v["D2"], v["l2"], v["d2"]) + GN
    B = GN / np.cosh(v["dN"] / v["lN"])
    cos = np.cos(np.radians(v["theta"]))
    p1, p2 = v["p1"], v["p2"]
    det = A1 * A2 - B**2 * cos**2
    ratio = p2 / p1
    return {"A1": A1, "A2": A2, "B": B, "cos": cos,
            "mu1": (A2 * p1 - B * cos * p2) / det, "mu2": (B * cos * p1 - A1 * p2) / det,
            "g1": B * (A1 * p2 - B * cos * p1) / det, "g2": B * (A2 * p1 - B * cos * p2) / det,
            # eq. (15), written without dividing by cos theta
            "eq15_g2": (cos > 0) & (ratio * B * cos > A2), "eq15_g1": (cos > 0) & (ratio * A1 < B * cos),
            "margin": np.minimum(np.abs(ratio * B * cos - A2) / A2, np.abs(ratio * A1 - B * cos) / A1)}


def solve_sample(v: dict[str, np.ndarray]) -> ss.Solution:
    """All the random valves in one batched solve (every parameter an array)."""
    F1 = ss.Ferromagnet("F1", D=v["D1"], p=v["p1"], l=v["l1"])
    N = ss.Normal("N", D=v["DN"], l=v["lN"])
    F2 = ss.Ferromagnet("F2", D=v["D2"], p=v["p2"], l=v["l2"])
    stack = ss.Stack([ss.Layer(F1, v["d1"], [0.0, 0.0, 1.0]), ss.Layer(N, v["dN"]),
                      ss.Layer(F2, v["d2"], ss.polar(v["theta"]))])
    return ss.solve(stack)


def main(out_dir: pathlib.Path, samples: int = 4000) -> dict:
    """Check the three conclusions over ``samples`` random valves and on one concrete case; draw them."""
    import matplotlib.pyplot as plt

    from spinstack.plot import plot_efficiency, plot_sign_map

    # ---------------------------------------------------------- the random sample
    v = random_valves(samples)
    solution = solve_sample(v)
    assert solution.batch_shape == (samples,)
    g = solution.efficiency()
    seed = seed_closed_form(v)
    np.testing.assert_allclose(g.g1, seed["g1"], rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(g.g2, seed["g2"], rtol=1e-9, atol=1e-13)
    m1 = np.array([0.0, 0.0, 1.0])
    m2 = ss.polar(v["theta"])
    mu1 = solution.accumulation[:, 1] @ m1
    mu2 = np.einsum("si,si->s", solution.accumulation[:, 2], m2)
    np.testing.assert_allclose(mu1, seed["mu1"], rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(mu2, seed["mu2"], rtol=1e-9, atol=1e-13)
    assert (seed["B"] < seed["A1"]).all() and (seed["B"] < seed["A2"]).all()  # App. II: 0 < B < A1, A2

    g1_negative, g2_negative = g.g1 < 0, g.g2 < 0
    theta = v["theta"]
    # the analogy: g2 follows the ring mu1 across the axes' intersection, g1 the ring mu2 (App. II)
    clear = seed["margin"] > 1e-9
    assert (np.sign(g.g2) == np.sign(mu1))[clear].all()
    assert (np.sign(g.g1) == -np.sign(mu2))[clear].all()
    # eq. (15) predicts every sign
    np.testing.assert_array_equal(g2_negative[clear], seed["eq15_g2"][clear])
    np.testing.assert_array_equal(g1_negative[clear], seed["eq15_g1"][clear])
    # claim 1: negative efficiencies only below 90 deg; beyond, the rings stay on their driven sides
    assert g2_negative.any() and g1_negative.any(), "the sample should contain both sign changes"
    assert (theta[g2_negative] < 90.0).all() and (theta[g1_negative] < 90.0).all()
    obtuse = theta > 90.0
    assert (mu1[obtuse] > 0).all() and (mu2[obtuse] < 0).all()
    # claim 3: never both negative
    both = int((g1_negative & g2_negative).sum())
    assert both == 0

    # ---------------------------------------------- claim 2: a large p1 flips g1 only
    base = ss.load_stack(SEED_FILE)  # symmetric, p1 = p2 = 0.5: g1, g2 > 0 at every angle
    layers = base.layers
    p2 = float(layers[2].material.p)
    case_theta, case_p1 = 20.0, 0.95
    case = with_parameter(base, "materials.F1.p", case_p1)
    case_g = efficiency(case, case_theta)
    case_solution = ss.solve(with_parameter(case, "layers[2].magnetization.theta", case_theta))
    case_mu2 = float(case_solution.accumulation[2] @ np.asarray(case_solution.stack.layers[2].magnetization))
    assert float(case_g.g1) < 0 < float(case_g.g2), (case_g.g1, case_g.g2)
    assert case_mu2 > 0, "the large drive p1 j0 m1 drags the ring mu2 to the positive side of m2"
    base_g = efficiency(base, case_theta)
    assert float(base_g.g1) > 0 and float(base_g.g2) > 0

    # eq. (15)'s threshold p1 = p2 A1 / (B cos theta), from the file's numbers (plain numpy)
    def g_tilde(layer) -> float:
        material = layer.material
        return float(material.D / (2 * material.l) / np.tanh(layer.thickness / material.l))

    A1 = g_tilde(layers[0]) + g_tilde(layers[1])
    B = g_tilde(layers[1]) / float(np.cosh(layers[1].thickness / layers[1].material.l))
    angles = np.array([0.0, 10.0, 20.0, 30.0, 45.0, 60.0, 120.0])
    cos = np.cos(np.radians(angles))
    with np.errstate(divide="ignore"):
        eq15 = np.where(cos > 0, p2 * A1 / (B * np.where(cos > 0, cos, 1.0)), np.inf)
    found = threshold(base, "materials.F1.p", "g1", theta=angles)
    reachable = eq15 < 0.999  # p1 < 1: beyond that no polarisation flips g1
    np.testing.assert_array_equal(found.found, reachable)
    np.testing.assert_allclose(found.value[reachable], eq15[reachable], rtol=1e-9)
    # ... and g2 stays positive for every p1 above the threshold (up to 0.999)
    for angle, start in zip(angles[reachable], found.value[reachable]):
        above = np.linspace(start, 0.999, 60)[1:]
        varied = efficiency(with_parameter(base, "materials.F1.p", above), angle)
        assert (varied.g1 < 0).all() and (varied.g2 > 0).all()

    # ------------------------------------------------------------------- figures
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = [_save(_sample_figure(v, seed, g1_negative, g2_negative), out_dir / "conclusions_sample.png")]
    ax = plot_efficiency(with_parameter(case, "layers[2].magnetization.theta", case_theta), mark_theta=case_theta)
    ax.set_title(rf"seed-fnf.toml with $p_1 = {case_p1}$, $p_2 = {p2:g}$: $g_1$ flips, $g_2$ does not")
    figures.append(_save(ax.figure, out_dir / "conclusions_large_p1_efficiency.png"))
    ax = plot_sign_map(base, x=("theta", np.linspace(0.0, 180.0, 91)), y=("materials.F1.p", np.linspace(0.01, 0.99, 99)))
    ax.set_title(r"seed-fnf.toml, $p_2 = %g$: $g_1 < 0$ above eq. (15)'s threshold in $p_1$" % p2)
    figures.append(_save(ax.figure, out_dir / "conclusions_p1_sign_map.png"))
    plt.close("all")

    return {"samples": samples, "g1_negative": int(g1_negative.sum()), "g2_negative": int(g2_negative.sum()),
            "both_negative": both, "max_theta_g2_negative": float(theta[g2_negative].max()),
            "max_theta_g1_negative": float(theta[g1_negative].max()),
            "case_p1": case_p1, "case_theta": case_theta, "case_g1": float(case_g.g1), "case_g2": float(case_g.g2),
            **{f"p1_threshold_{a:g}deg": float(t) for a, t in zip(angles[reachable], found.value[reachable])},
            **{f"eq15_p1_threshold_{a:g}deg": float(t) for a, t in zip(angles[reachable], eq15[reachable])},
            "figures": figures}


def _sample_figure(v, seed, g1_negative, g2_negative):
    """The sample in the seed's coordinates: theta and p2/p1, and eq. (15)'s reduced variables."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11.0, 4.4), layout="constrained")
    ratio = v["p2"] / v["p1"]
    positive = ~(g1_negative | g2_negative)
    classes = ((positive, "#8a8a8a", r"$g_1, g_2 > 0$"), (g1_negative, "#0072B2", r"$g_1 < 0$"),
               (g2_negative, "#D55E00", r"$g_2 < 0$"))
    for mask, colour, label in classes:
        left.scatter(v["theta"][mask], ratio[mask], s=4, color=colour, label=f"{label} ({mask.sum()})", alpha=0.7,
                     lw=0)
    left.axvline(90.0, color="#222222", lw=1.0, ls="--")
    left.set_yscale("log")
    left.set_xlim(0, 180)
    left.set_xticks(np.arange(0, 181, 30))
    left.set_xlabel(r"angle $\theta$ between $\mathbf{m}_1$ and $\mathbf{m}_2$ (deg)")
    left.set_ylabel(r"$p_2 / p_1$")
    left.set_title(f"{v['theta'].size} random F1 / N / F2 valves: no sign change beyond 90°", fontsize=10)
    left.legend(loc="lower right", fontsize=8, markerscale=3, framealpha=0.9)

    # eq. (15) in reduced variables: g2 < 0 iff u > 1, g1 < 0 iff w > 1, and u w = B^2 cos^2 / (A1 A2) < 1
    acute = seed["cos"] > 0
    u = ratio * seed["B"] * seed["cos"] / seed["A2"]
    w = seed["B"] * seed["cos"] / (ratio * seed["A1"])
    for mask, colour, label in classes:
        keep = mask & acute
        right.scatter(u[keep], w[keep], s=4, color=colour, label=label, alpha=0.7, lw=0)
    right.set_xscale("log")
    right.set_yscale("log")
    right.axvline(1.0, color="#D55E00", lw=1.0)
    right.axhline(1.0, color="#0072B2", lw=1.0)
    span = np.array([1e-4, 1e4])
    right.plot(span, 1.0 / span, color="#222222", lw=1.0, ls="--", label=r"$u\,w = 1$ (never reached)")
    right.set_xlim(1e-3, 1e2)
    right.set_ylim(1e-3, 1e2)
    right.set_xlabel(r"$u = (p_2/p_1)\,B\cos\theta / A_2$   ($g_2 < 0 \Leftrightarrow u > 1$)")
    right.set_ylabel(r"$w = (p_1/p_2)\,B\cos\theta / A_1$   ($g_1 < 0 \Leftrightarrow w > 1$)")
    right.set_title(r"eq. (15), $\theta < 90°$: the two regions cannot meet", fontsize=10)
    right.legend(loc="lower left", fontsize=8, markerscale=3, framealpha=0.9)
    return fig


def _save(fig, path: pathlib.Path) -> pathlib.Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path("figures")
    results = main(out, int(sys.argv[2]) if len(sys.argv) > 2 else 4000)
    for key, value in results.items():
        if key != "figures":
            print(f"{key:>26} = {value:.12g}")
    print("figures:", *map(str, results["figures"]), sep="\n  ")
