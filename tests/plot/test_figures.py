"""Every figure of spinstack.plot renders (PNG and SVG, no warnings), and the numbers behind it are right."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import spinstack as ss  # noqa: E402
from spinstack import plot  # noqa: E402
from spinstack.analysis import ring_forces, sign_change_angles  # noqa: E402


# ------------------------------------------------------------------ stacks
def fn_contact() -> ss.Stack:
    """Seed section 3.1 / Fig. 2: two semi-infinite leads, no layers."""
    F, N = ss.Ferromagnet("Co", 1.2, 0.6, 2.0), ss.Normal("Cu", 3.0, 5.0)
    return ss.Stack([], left=ss.Lead(F, [0, 0, 1]), right=ss.Lead(N))


def fnf_collinear() -> ss.Stack:
    """Seed Fig. 3, left: F/N/F, parallel."""
    F, N = ss.Ferromagnet("Co", 1.0, 0.5, 2.0), ss.Normal("Cu", 3.0, 10.0)
    return ss.Stack([ss.Layer(F, 1.5, [0, 0, 1]), ss.Layer(N, 1.0), ss.Layer(F, 1.5, [0, 0, 1])],
                    left=ss.Lead(N), right=ss.Lead(N))


def nfn_collinear() -> ss.Stack:
    """Seed Fig. 3, right: N/F/N."""
    F, N = ss.Ferromagnet("Co", 1.0, 0.5, 2.0), ss.Normal("Cu", 3.0, 10.0)
    return ss.Stack([ss.Layer(N, 1.0), ss.Layer(F, 1.5, [0, 0, 1]), ss.Layer(N, 1.0)],
                    left=ss.Lead(N), right=ss.Lead(N))


def seed_symmetric(theta: float = 60.0) -> ss.Stack:
    """Seed App. I, Fig. 4: F1/N/F2 between reservoirs, g1, g2 > 0."""
    F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Ferromagnet("F2", 1.0, 0.5, 2.0), ss.Normal("N", 3.0, 10.0)
    return ss.Stack([ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F2, 1.5, ss.polar(theta))])


def seed_asymmetric(theta: float = 40.0) -> ss.Stack:
    """Seed Fig. 5: strong F2 drags mu_1 through zero, g2 < 0 below 63.5 degrees."""
    F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.3, 2.0), ss.Ferromagnet("F2", 1.0, 0.9, 0.5), ss.Normal("N", 3.0, 10.0)
    return ss.Stack([ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 0.5), ss.Layer(F2, 1.5, ss.polar(theta))])


def three_magnets() -> ss.Stack:
    """Seed section 4: three non-coplanar F layers, folded into one plane."""
    A, B, N = ss.Ferromagnet("Py", 1.0, 0.7, 1.5), ss.Ferromagnet("Co", 1.5, 0.5, 3.0), ss.Normal("Cu", 3.0, 8.0)
    return ss.Stack([ss.Layer(A, 1.0, [0, 0, 1]), ss.Layer(N, 1.0), ss.Layer(B, 1.2, ss.polar(70, 0)),
                     ss.Layer(N, 0.8), ss.Layer(A, 1.0, ss.polar(120, 90))], left=ss.Lead(N), right=ss.Reservoir())


STACKS = {"fn-contact": fn_contact, "fnf": fnf_collinear, "nfn": nfn_collinear, "seed": seed_symmetric,
          "asymmetric": seed_asymmetric, "three-magnets": three_magnets}
TWO_F = ("fnf", "seed", "asymmetric")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def render(figure, formats: tuple[str, ...] = ("png",)) -> None:
    """The figure comes out as a non-empty file of every format (PNG first: it runs the layout engine).

    Later formats reuse that layout (the engine is switched off after the first
    pass): the artists are what they test, and it halves the time.
    """
    magic = {"png": b"\x89PNG", "svg": b"<?xml"}
    for fmt in formats:
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, dpi=40)
        figure.set_layout_engine("none")
        data = buffer.getvalue()
        assert data.startswith(magic[fmt]) and len(data) > 2000


def solution_figures(solution: ss.Solution) -> list:
    return [plot.profiles_figure(solution), plot.hodograph_figure(solution), plot.plot_analogy(solution).figure]


# --------------------------------------------------------------- rendering
@pytest.mark.parametrize("name", STACKS)
def test_solution_figures_render(name):
    # SVG draws the same artists as Agg: the richest stack (leads, reservoir, folds) is enough for it
    formats = ("png", "svg") if name == "three-magnets" else ("png",)
    for figure in solution_figures(ss.solve(STACKS[name]())):
        render(figure, formats)


def test_profiles_every_quantity_and_projection():
    solution = ss.solve(three_magnets())
    fig = plt.figure(figsize=(12, 9))
    panels = fig.subplots(3, 3)
    for row, quantity in zip(panels, ["accumulation", "spin_current", "potential"]):
        for ax, components in zip(row, ["xyz", "magnitude", "longitudinal"]):
            assert plot.plot_profiles(solution, quantity, components, ax=ax) is ax
            assert ax.get_lines()
    render(fig)


def test_functions_draw_into_given_axes():
    solution = ss.solve(seed_asymmetric())
    fig = plt.figure()
    flat, space = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2, projection="3d")
    assert plot.plot_hodograph(solution, "spin_current", ax=flat) is flat
    assert plot.plot_hodograph_3d(solution, "spin_current", ax=space) is space
    fig = plt.figure()
    ax = fig.add_subplot()
    assert plot.plot_analogy(solution, ax=ax) is ax  # legend and numbers inside the frame
    render(fig)
    assert plot.profiles_figure(solution, fig=plt.figure()) is not None


@pytest.mark.parametrize("name", TWO_F)
def test_efficiency_and_sign_map_render(name):
    stack = STACKS[name]()
    formats = ("png", "svg") if name == "asymmetric" else ("png",)
    render(plot.plot_efficiency(stack, samples=91, mark_theta=30.0).figure, formats)
    ax = plot.plot_sign_map(stack, x=("theta", np.linspace(0, 180, 37)),
                            y=("materials.Co.D" if name == "fnf" else "materials.F2.p", np.linspace(0.1, 0.95, 18)),
                            ratio_to=None if name == "fnf" else "materials.F1.p")
    render(ax.figure, formats)


def test_bad_arguments_are_refused():
    solution = ss.solve(seed_symmetric())
    with pytest.raises(ValueError, match="quantity"):
        plot.plot_profiles(solution, "torque")
    with pytest.raises(ValueError, match="components"):
        plot.plot_profiles(solution, components="xy")
    with pytest.raises(ValueError, match="3D"):
        plot.plot_hodograph_3d(solution, ax=plt.figure().add_subplot())


# ------------------------------------------------------- numbers behind them
@pytest.mark.parametrize("name", STACKS)
def test_analogy_arrows_balance_on_every_ring(name):
    # seed eq. (10): the forces on each ring cancel; folding keeps every force in the plane
    solution = ss.solve(STACKS[name]())
    ax = plot.plot_analogy(solution)
    drawn: dict[str, np.ndarray] = {}
    for artist in ax.collections:
        gid = artist.get_gid() or ""
        if gid.startswith("force:"):
            node = gid.split(":")[1]
            drawn[node] = drawn.get(node, 0.0) + np.array([artist.U[0], artist.V[0]])
    forces = ring_forces(solution)
    assert sorted(drawn, key=int) == [str(k) for k in forces.nodes]
    scale = np.abs(forces.driving_left).max() + np.abs(forces.driving_right).max()
    for total in drawn.values():
        np.testing.assert_allclose(total, 0.0, atol=1e-13 * scale)
    for ring in plot.folded_ring_forces(solution):
        assert max(f.out_of_plane for f in ring.forces) < 1e-13 * scale
        # the rail reaction drawn is the rail load (torque share) reversed, same length
        rail = [f.vector for f in ring.forces if f.kind == "rail"]
        r = forces.nodes.index(ring.node)
        np.testing.assert_allclose(np.linalg.norm(rail[0]) if rail else 0.0, np.linalg.norm(forces.rail_load[r]),
                                   atol=1e-13 * scale)


def test_efficiency_marks_the_sign_change_angles():
    stack = seed_asymmetric()
    ax = plot.plot_efficiency(stack, samples=91)
    for which in ("g1", "g2"):
        marked = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == f"sign-change:{which}")
        np.testing.assert_allclose(marked, sign_change_angles(stack, which), rtol=0, atol=1e-12)
    assert len([line for line in ax.get_lines() if line.get_gid() == "sign-change:g2"]) == 1  # 63.5 degrees


def test_hodograph_jump_arrows_are_the_torques():
    # seed eq. (12): Delta j_s at the two F faces, drawn from j_s(x+) to j_s(x-), has the torque's length
    solution = ss.solve(seed_asymmetric())
    ax = plot.plot_hodograph(solution, "spin_current")
    arrows = [a for a in ax.texts if (a.get_gid() or "").startswith("jump:")]
    lengths = sorted(np.hypot(*(np.array(a.xy) - np.array(a.xyann))) for a in arrows)
    torques = sorted(np.linalg.norm(solution.torque[[0, 2]], axis=-1))
    np.testing.assert_allclose(lengths, torques, rtol=1e-12)


def test_sign_map_overlays_eq15_only_where_it_applies():
    theta = ("theta", np.linspace(0, 180, 19))
    ax = plot.plot_sign_map(seed_asymmetric(), x=theta, y=("materials.F2.p", np.linspace(0.05, 0.95, 10)),
                            ratio_to="materials.F1.p")
    assert "eq. (15), closed form" in [t.get_text() for t in ax.get_legend().get_texts()]
    leads = ss.Stack(seed_asymmetric().layers, left=ss.Lead(ss.Normal("Cu", 3.0, 1.0)))
    ax = plot.plot_sign_map(leads, x=theta, y=("materials.F2.p", np.linspace(0.05, 0.95, 10)))
    assert "eq. (15), closed form" not in [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_is_never_imported_by_the_numerics():
    import subprocess
    import sys

    code = ("import sys, spinstack, spinstack.analysis, spinstack.solution; "
            "assert 'spinstack.plot' not in sys.modules and 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
