"""Seed Fig. 5 (section 3.3): an asymmetric F1 / N / F2 valve where g2 < 0.

``asymmetric-fnf.toml``: F2 polarises strongly (p2 = 0.9 against p1 = 0.3) and
relaxes strongly (l2 = 0.5 against l1 = 2), the spacer is thin.  In the analogy
the driving force -p2 j0 m2 on the ring mu2, passed on by the short stiff N cord,
drags the ring mu1 to the negative side of the m1 axis; g2 = B mu1 / j0
(Appendix II) follows it below zero: m2 is pushed away from m1.  F1 keeps
g1 > 0.  Checked here with plain numpy against the seed's closed forms:

* everything of Fig. 4 (eqs. 12-14, Appendix II, planar hodograph, ring balance:
  ``fig4_noncollinear.check_valve``), now with mu1 < 0, g2 < 0 < g1;
* eq. (15): g2 < 0 exactly for theta below arccos(A2 p1 / (B p2)), which is where
  :func:`spinstack.analysis.sign_change_angles` finds the single zero of g2 (g1
  never changes sign); at that angle mu1 = 0 (the ring sits on the intersection of
  the axes);
* eq. (15) as a threshold: at this angle g2 turns negative when p2 exceeds
  A2 p1 / (B cos theta) (:func:`spinstack.analysis.threshold`);
* the sign map over (theta, p2/p1): the computed regions g2 < 0 and g1 < 0 are
  eq. (15)'s, and they never overlap.

Run:  python examples/fig5_negative_g2.py [OUT_DIR]   (figures go to figures/ by default)
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys

import numpy as np

import spinstack as ss
from spinstack.analysis import efficiency, sign_change_angles, sign_map, threshold, with_angle

HERE = pathlib.Path(__file__).resolve().parent
STACK_FILE = HERE / "asymmetric-fnf.toml"


def _sibling(name: str):
    """Another example script of this folder, as a module (its main() is not run)."""
    spec = importlib.util.spec_from_file_location(f"spinstack_example_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(out_dir: pathlib.Path) -> dict:
    """Solve asymmetric-fnf.toml, assert g2 < 0 and eq. (15), draw Fig. 5 and the sign map."""
    import matplotlib.pyplot as plt

    from spinstack.plot import hodograph_figure, plot_analogy, plot_efficiency, plot_sign_map

    fig4 = _sibling("fig4_noncollinear")
    stack = ss.load_stack(STACK_FILE)
    solution = ss.solve(stack)
    seed = fig4.seed_valve(STACK_FILE)
    numbers = fig4.check_valve(solution, seed)
    A1, A2, B, p1, p2 = seed["A1"], seed["A2"], seed["B"], seed["p1"], seed["p2"]
    theta = numbers["theta"]

    # seed section 3.3: mu1 dragged to the negative side of m1, g2 < 0, g1 > 0
    assert numbers["mu1"] < 0 and numbers["mu2"] < 0, "the strong F2 drags the ring mu1 through zero"
    assert numbers["g2"] < 0 < numbers["g1"]
    # eq. (15), the g2 condition, holds at this angle
    cos = np.cos(np.radians(theta))
    assert cos > 0 and p2 / p1 > A2 / (B * cos) > 1

    # the sign change of g2: eq. (15)'s boundary angle, where mu1 passes through zero
    boundary = float(np.degrees(np.arccos(A2 * p1 / (B * p2))))
    roots_g2, roots_g1 = sign_change_angles(stack, "g2"), sign_change_angles(stack, "g1")
    assert roots_g2.shape == (1,) and roots_g1.shape == (0,), (roots_g2, roots_g1)
    np.testing.assert_allclose(roots_g2[0], boundary, rtol=0, atol=1e-9)
    assert theta < boundary < 90.0
    at_root = ss.solve(with_angle(stack, roots_g2[0]))
    assert np.linalg.norm(at_root.accumulation[1]) < 1e-10 * np.linalg.norm(at_root.accumulation[2])
    curve_theta = np.linspace(0.0, 180.0, 361)
    curve = efficiency(stack, curve_theta)
    closed = fig4.seed_valve(STACK_FILE, curve_theta)
    np.testing.assert_allclose(curve.g1, closed["g1"], rtol=1e-10)
    np.testing.assert_allclose(curve.g2, closed["g2"], rtol=1e-10, atol=1e-13)
    away = np.abs(curve_theta - boundary) > 1e-6
    np.testing.assert_array_equal((curve.g2 < 0)[away], (curve_theta < boundary)[away])
    assert (curve.g1 > 0).all()

    # eq. (15) as a threshold on p2 at this angle
    found = threshold(stack, "materials.F2.p", "g2", theta=theta)
    p2_threshold = float(found.value[0])
    assert bool(found.found[0])
    np.testing.assert_allclose(p2_threshold, A2 * p1 / (B * cos), rtol=1e-9)

    # the sign map over (theta, p2/p1): eq. (15)'s regions, never overlapping
    map_theta = np.linspace(0.0, 180.0, 91)
    map_p2 = np.linspace(0.01, 0.99, 99)
    signs = sign_map(stack, ("theta", map_theta), ("materials.F2.p", map_p2))
    ratio = (map_p2 / p1)[:, None]
    cos_grid = np.cos(np.radians(map_theta))[None, :]
    with np.errstate(divide="ignore"):
        g2_negative = (cos_grid > 1e-12) & (ratio * B * cos_grid > A2)
        g1_negative = (cos_grid > 1e-12) & (ratio * A1 < B * cos_grid)
    margin = np.minimum(np.abs(ratio * B * cos_grid - A2), np.abs(ratio * A1 - B * cos_grid)) > 1e-9
    np.testing.assert_array_equal((signs.g2 < 0)[margin], np.broadcast_to(g2_negative, margin.shape)[margin])
    np.testing.assert_array_equal((signs.g1 < 0)[margin], np.broadcast_to(g1_negative, margin.shape)[margin])
    assert not ((signs.g1 < 0) & (signs.g2 < 0)).any()
    assert (signs.g1 < 0).any() and (signs.g2 < 0).any()
    assert not (signs.g2 < 0)[:, map_theta >= 90].any() and not (signs.g1 < 0)[:, map_theta >= 90].any()

    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ax = plot_sign_map(stack, x=("theta", map_theta), y=("materials.F2.p", map_p2), ratio_to="materials.F1.p")
    ax.set_title(r"seed eq. (15): where $g_1 < 0$ and $g_2 < 0$ (F1 / N / F2, $p_1 = %g$)" % p1)
    figures = [_save(hodograph_figure(solution), out_dir / "fig5_hodographs.png"),
               _save(plot_analogy(solution).figure, out_dir / "fig5_analogy.png"),
               _save(plot_efficiency(stack, mark_theta=theta).figure, out_dir / "fig5_efficiency.png"),
               _save(ax.figure, out_dir / "fig5_sign_map.png")]
    plt.close("all")
    return {**numbers, "sign_change_g2": float(roots_g2[0]), "eq15_angle": boundary,
            "p2_threshold": p2_threshold, "eq15_p2_threshold": float(A2 * p1 / (B * cos)),
            "map_points": int(signs.g2.size), "map_g2_negative": int((signs.g2 < 0).sum()),
            "map_g1_negative": int((signs.g1 < 0).sum()), "figures": figures}


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
            print(f"{key:>18} = {value:.12g}")
    print("figures:", *map(str, results["figures"]), sep="\n  ")
