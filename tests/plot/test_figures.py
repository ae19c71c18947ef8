"""Every figure of spinstack.plot is drawn (Agg; SVG for one stack) without warnings or texts on top of each other,
and shows the solution's numbers: its curves, marks and legends are checked against the solution and analysis."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import spinstack as ss  # noqa: E402
from spinstack import plot  # noqa: E402
from spinstack.analysis import efficiency, ring_forces, sign_change_angles, sign_map  # noqa: E402
from tests.plot.drawing import draw  # noqa: E402


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


def first_magnetization(stack: ss.Stack) -> np.ndarray:
    """The first magnetization met along x (left lead, layers, right lead): the profiles' "longitudinal" axis."""
    ends = [end for end in (stack.left, stack.right) if isinstance(end, ss.Lead)]
    elements = [stack.left, *stack.layers, stack.right]
    for element in elements:
        if element in ends or isinstance(element, ss.Layer):
            m = getattr(element, "magnetization", None)
            if m is not None:
                return np.asarray(m, dtype=float)
    raise AssertionError("no magnetization")


def is_collinear(stack: ss.Stack) -> bool:
    axis = first_magnetization(stack)
    magnets = [e.magnetization for e in (stack.left, *stack.layers, stack.right) if getattr(e, "magnetization", None)
               is not None]
    return all(np.linalg.norm(np.cross(axis, np.asarray(m, float))) < 1e-12 for m in magnets)


def regions(solution: ss.Solution) -> list[tuple[float, float]]:
    """(start, end) of every drawn region, left to right: the leads (open towards infinity) and the layers."""
    nodes = solution.node_positions
    spans = [(-np.inf, 0.0)] if isinstance(solution.stack.left, ss.Lead) else []
    spans += [(float(nodes[i]), float(nodes[i + 1])) for i in range(len(solution.stack.layers))]
    return spans + ([(float(nodes[-1]), np.inf)] if isinstance(solution.stack.right, ss.Lead) else [])


def check_profiles(figure, solution: ss.Solution) -> None:
    """mu_s above j_s: labels, legend, and every curve equal to the solution's profile at its own x (in every
    region, component by component, or projected on the first magnetization for a collinear stack); a layer's
    curve ends at the node values on that layer's side of its faces (they differ across a resistive interface)."""
    top, bottom = figure.axes
    assert "mu_s" in top.get_ylabel() and "j_s" in bottom.get_ylabel()
    assert top.get_xlabel() == "" and "position" in bottom.get_xlabel()
    stack = solution.stack
    longitudinal = is_collinear(stack) and not stack.has_field
    in_a_lead = ["in a lead"] if stack.layers and isinstance(stack.left, ss.Lead) | isinstance(stack.right, ss.Lead) \
        else []
    colours = {matplotlib.colors.to_hex(colour): key for key, colour in plot.style.COMPONENT.items()}
    spans = regions(solution)
    for ax, symbol, profile, left_face, right_face in (
            (top, r"\mu_s", solution.spin_accumulation, solution.accumulation_right[:-1], solution.accumulation[1:]),
            (bottom, "j_s", solution.spin_current, solution.spin_current_left, solution.spin_current_right)):
        legend = [text.get_text() for text in ax.get_legend().get_texts()]
        if longitudinal:
            assert len(legend) == 1 + len(in_a_lead) and legend[0].startswith(rf"${symbol}\cdot$"), legend
        else:
            assert legend == [rf"${symbol}^{{{c}}}$" for c in "xyz"] + in_a_lead
        curves = [line for line in ax.get_lines() if len(line.get_xdata()) > 2 and line.get_gid() is None]
        assert len(curves) == len(spans) * (1 if longitudinal else 3)
        scale = max(float(np.abs(profile(np.concatenate([line.get_xdata() for line in curves]))).max()), 1e-300)
        for line in curves:
            x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
            span = next(k for k, (a, b) in enumerate(spans) if a <= x[len(x) // 2] <= b)
            key = "longitudinal" if longitudinal else colours[matplotlib.colors.to_hex(line.get_color())]
            axis = first_magnetization(stack) if longitudinal else np.eye(3)["xyz".index(key)]
            project = lambda v: v @ axis  # noqa: E731
            np.testing.assert_allclose(y[1:-1], project(profile(x[1:-1])), rtol=0, atol=1e-13 * scale)
            layer = span - isinstance(stack.left, ss.Lead)
            if 0 <= layer < len(stack.layers):
                np.testing.assert_allclose(y[[0, -1]], project(np.array([left_face[layer], right_face[layer]])),
                                           rtol=0, atol=1e-13 * scale)


def check_hodographs(figure, solution: ss.Solution) -> None:
    """Folded mu_s, folded j_s and mu_s in 3D: titles; the 3D curve of every layer is mu_s(x) across that layer;
    the folded node points lie at |mu_s| of every node (folding turns each layer rigidly: lengths stay)."""
    assert [ax.name for ax in figure.axes] == ["rectilinear", "rectilinear", "3d"]
    folded, currents, space = figure.axes
    assert "mu_s" in folded.get_title() and "j_s" in currents.get_title() and "3D" in space.get_title()
    assert "fold plane" in folded.get_xlabel() and "fold plane" in currents.get_xlabel()
    scale = float(np.abs(solution.accumulation).max())
    layers = [line for line in space.get_lines() if len(line.get_xdata()) > 2]
    nodes = solution.node_positions
    assert len(layers) == len(solution.stack.layers)
    for i, line in enumerate(layers):
        points = np.column_stack(line.get_data_3d())
        x = nodes[i] + np.linspace(0.0, 1.0, len(points)) * (nodes[i + 1] - nodes[i])
        np.testing.assert_allclose(points[1:-1], solution.spin_accumulation(x[1:-1]), rtol=0, atol=1e-13 * scale)
        faces = [solution.accumulation_right[i], solution.accumulation[i + 1]]  # each from the layer's own side
        np.testing.assert_allclose(points[[0, -1]], faces, rtol=0, atol=1e-13 * scale)
    # node k's point, drawn in node order: mu_s on one side of the node or the other (they differ across an
    # interface), either way at its own length
    markers = [np.hypot(*line.get_xydata()[0]) for line in folded.get_lines() if line.get_marker() == "o"]
    sides = np.linalg.norm([solution.accumulation, solution.accumulation_right], axis=-1)
    assert len(markers) == len(nodes)
    for k, length in enumerate(markers):
        assert np.abs(sides[:, k] - length).min() <= 1e-13 * scale, (k, length, sides[:, k])


# --------------------------------------------------------------- rendering
@pytest.mark.parametrize("name", STACKS)
def test_solution_figures_show_the_solution(name):
    solution = ss.solve(STACKS[name]())
    profiles, hodographs = plot.profiles_figure(solution), plot.hodograph_figure(solution)
    check_profiles(profiles, solution)
    check_hodographs(hodographs, solution)
    analogy = plot.plot_analogy(solution)
    assert analogy.get_title().startswith("mechanical analogy")
    key = [text.get_text() for ax in analogy.figure.axes if ax.get_legend() for text in ax.get_legend().get_texts()]
    assert "rail = magnetization axis" in key and "ring (slides on its rail)" in key
    # SVG draws the same artists as Agg: the richest stack (leads, reservoir, folds) is enough for it
    formats = ("svg",) if name == "three-magnets" else ()
    for figure in (profiles, hodographs, analogy.figure):
        draw(figure, formats)


def test_profiles_every_quantity_and_projection():
    solution = ss.solve(three_magnets())
    fig = plt.figure(figsize=(12, 9), layout="constrained")  # room for the names above each frame
    panels = fig.subplots(3, 3)
    m1 = first_magnetization(solution.stack)
    for row, quantity in zip(panels, ["accumulation", "spin_current", "potential"]):
        profile = {"accumulation": solution.spin_accumulation, "spin_current": solution.spin_current,
                   "potential": solution.electrochemical_potential}[quantity]
        for ax, components in zip(row, ["xyz", "magnitude", "longitudinal"]):
            assert plot.plot_profiles(solution, quantity, components, ax=ax) is ax
            curves = [line for line in ax.get_lines() if len(line.get_xdata()) > 2 and line.get_gid() is None]
            assert len(curves) == len(regions(solution)) * (3 if components == "xyz" and quantity != "potential" else 1)
            if quantity == "potential" or components == "xyz":
                continue  # the scalar potential and the components: checked against the solution above
            project = {"magnitude": lambda v: np.linalg.norm(v, axis=-1), "longitudinal": lambda v: v @ m1}[components]
            for line in curves:
                x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
                expected = project(profile(x[1:-1]))
                np.testing.assert_allclose(y[1:-1], expected, rtol=0, atol=1e-13 * np.abs(expected).max())
    # not checked for overlapping texts: the torque labels of a panel are placed in the layout of the moment it is
    # drawn, and the eight panels drawn after it shrink it (|Delta j_s| = 0.575 then covers 0.153; reported)
    draw(fig, separate_texts=False)


def test_functions_draw_into_given_axes():
    solution = ss.solve(seed_asymmetric())
    fig = plt.figure()
    flat, space = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2, projection="3d")
    assert plot.plot_hodograph(solution, "spin_current", ax=flat) is flat
    assert plot.plot_hodograph_3d(solution, "spin_current", ax=space) is space
    assert fig.axes == [flat, space]
    fig = plt.figure()
    ax = fig.add_subplot()
    assert plot.plot_analogy(solution, ax=ax) is ax  # the key and the numbers beside the frame, inside the figure
    draw(fig)
    page, frame = fig.bbox, ax.get_window_extent()
    for artist in [text for text in ax.texts if text.get_gid() == "force-table"] + [ax.get_legend()]:
        box = artist.get_window_extent()
        assert frame.x1 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1
    given = plt.figure()
    assert plot.profiles_figure(solution, fig=given) is given and len(given.axes) == 2


@pytest.mark.parametrize("name", TWO_F)
def test_efficiency_curve_and_sign_map_show_the_numbers(name):
    stack = STACKS[name]()
    formats = ("svg",) if name == "asymmetric" else ()
    ax = plot.plot_efficiency(stack, samples=91, mark_theta=30.0)
    theta = np.linspace(0.0, 180.0, 91)
    expected, marked = efficiency(stack, theta), efficiency(stack, 30.0)
    for which in ("g1", "g2"):
        curve = next(line for line in ax.get_lines() if line.get_label() == rf"$g_{which[1]}$")
        np.testing.assert_array_equal(curve.get_xdata(), theta)
        np.testing.assert_allclose(curve.get_ydata(), getattr(expected, which), rtol=1e-13, atol=1e-15)
    dots = [line.get_xydata()[0] for line in ax.get_lines() if line.get_marker() == "o"]
    np.testing.assert_allclose(dots, [[30.0, float(marked.g1)], [30.0, float(marked.g2)]], rtol=1e-13, atol=1e-15)
    assert [text.get_text() for text in ax.get_legend().get_texts()][:2] == ["$g_1$", "$g_2$"]
    assert "theta" in ax.get_xlabel() and "efficiency" in ax.get_ylabel()
    draw(ax.figure, formats)

    y_path = "materials.Co.D" if name == "fnf" else "materials.F2.p"
    x, y = ("theta", np.linspace(0, 180, 37)), (y_path, np.linspace(0.1, 0.95, 18))
    ax = plot.plot_sign_map(stack, x=x, y=y, ratio_to=None if name == "fnf" else "materials.F1.p")
    regions_drawn = [text.get_text() for text in ax.get_legend().get_texts()]
    signs = sign_map(stack, x, y)
    negative = [rf"$g_{k[1]} < 0$" for k in ("g1", "g2") if (getattr(signs, k) < 0).any()]
    assert [t for t in regions_drawn if t.endswith("< 0$") or "everywhere" in t] == \
        (negative or [r"$g_1, g_2 > 0$ everywhere"])
    # the stack's own point is marked when it lies inside the map: (60 deg, p2/p1 = 1), (40 deg, 3); Co's D = 1 is not
    assert ("this stack" in regions_drawn) == (name != "fnf")
    draw(ax.figure, formats)


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
