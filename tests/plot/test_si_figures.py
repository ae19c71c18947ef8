"""Figures of an SI stack are in readable SI units (nm, eV/meV/ueV, A/m^2, J/m^2); reduced ones are unchanged.

The plotted numbers are the solution's numbers times the factor the axis label
states (MODEL.md 7: mu / |e| in eV, |e| j_s in A/m^2, x in nm), and tick labels are
plain numbers (no offset such as 1e-24 above the axis).
"""

from __future__ import annotations

import re
import struct

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import spinstack as ss  # noqa: E402
from spinstack import plot, si  # noqa: E402
from spinstack.analysis import efficiency, hodograph, ring_forces  # noqa: E402
from spinstack.plot import KINDS, write_figure  # noqa: E402
from spinstack.analysis.hodographs import one_sided_spin_current, to_fold  # noqa: E402
from spinstack.plot.units import figure_units, parameter_kind, parameter_scale  # noqa: E402

E = 1.602176634e-19  # |e| in C
ENERGY = {"eV": 1.0, "meV": 1e-3, r"$\mu$eV": 1e-6, "neV": 1e-9}


def si_valve(theta: float = 60.0) -> ss.Stack:
    """F1 | interface | N | F2 between reservoirs, in SI units (MODEL.md 7)."""
    F1 = si.ferromagnet("F1", rho="100 nOhm*m", beta=0.5, l_sf="10 nm")
    F2 = si.ferromagnet("F2", rho="100 nOhm*m", beta=0.5, l_sf="10 nm")
    N = si.normal("N", rho="20 nOhm*m", l_sf="300 nm")
    interface = si.interface(1, AR="0.5 fOhm*m^2", gamma=0.7, G_mix=["5e14 Ohm^-1*m^-2", "1e13 Ohm^-1*m^-2"])
    return si.stack([si.layer(F1, "3 nm", [0, 0, 1]), si.layer(N, "6 nm"), si.layer(F2, "3 nm", ss.polar(theta))],
                    current_density="1e11 A/m^2", interfaces=[interface])


def si_lead_valve() -> ss.Stack:
    """The same with a Cu-like lead on the right: lead extents in nm too."""
    stack = si_valve()
    return ss.Stack(stack.layers, right=ss.Lead(stack.layers[1].material), current=stack.current,
                    interfaces=stack.interfaces, units="SI")


def reduced_valve() -> ss.Stack:
    F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Ferromagnet("F2", 1.0, 0.5, 2.0), ss.Normal("N", 3.0, 10.0)
    return ss.Stack([ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F2, 1.5, ss.polar(60))])


@pytest.fixture(scope="module")
def solution() -> ss.Solution:
    return ss.solve(si_valve())


def energy_factor(label: str) -> float:
    """Shown / stack number for an energy axis, read off its label."""
    unit = re.search(r"\((meV|eV|\$\\mu\$eV|neV)\)", label)
    assert unit, label
    return 1.0 / E / ENERGY[unit.group(1)]


def spin_current_factor(label: str) -> float:
    """Shown / stack number for a spin-current axis, |e| j_s in 10^p A/m^2, read off its label."""
    assert "A/m" in label, label
    power = re.search(r"10\^\{(-?\d+)\}", label)
    return E / 10.0 ** (int(power.group(1)) if power else 0)


def curves(ax, color: str, samples: int = 181) -> list:
    return [line for line in ax.get_lines() if line.get_color() == color and len(line.get_xdata()) == samples]


def no_offsets(figure) -> None:
    """Every tick label is a plain number: no '1e-24' offset text above or beside an axis."""
    figure.canvas.draw()
    for ax in figure.axes:
        axes = (ax.xaxis, ax.yaxis) + ((ax.zaxis,) if hasattr(ax, "zaxis") else ())
        for axis in axes:
            assert axis.get_offset_text().get_text() == "", (ax.get_xlabel(), axis.get_offset_text().get_text())


# ------------------------------------------------------------------ rendering
@pytest.fixture(scope="module")
def lead_solution() -> ss.Solution:
    return ss.solve(si_lead_valve())


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_written_whole_and_readable(tmp_path, lead_solution, kind):
    # the numbers of every kind are checked below; here the file: a PNG at 150 dpi (a figure at least 4.4 inches
    # wide), and nothing else left in the folder (it is written under another name, then renamed)
    path = write_figure(lead_solution, kind, tmp_path / f"si-{kind}.png")
    data = path.read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and width >= 4.4 * 150 and height >= 2.5 * 150
    assert list(tmp_path.iterdir()) == [path]


def test_lead_stack_is_drawn_in_nm(lead_solution):
    ax = plot.plot_profiles(lead_solution, "accumulation")
    left, right = ax.get_xlim()
    # the lead reaches clipped 3 l_sf: 0.6 x the 12 nm of layers, in nm
    assert right == pytest.approx(12.0 + 0.6 * 12.0, rel=1e-12)
    assert left == pytest.approx(-0.07 * 12.0, rel=1e-12)  # reservoir band
    lead = [line for line in ax.get_lines() if len(line.get_xdata()) > 2 and line.get_xdata()[0] >= 12.0]
    assert len(lead) == 3 and all(line.get_xdata()[-1] == pytest.approx(right, rel=1e-12) for line in lead)


# ------------------------------------------------------------------ profiles
def test_profiles_labels_and_numbers(solution):
    fig = plot.profiles_figure(solution)
    top, bottom = fig.axes[:2]
    assert "nm" in bottom.get_xlabel()
    assert "eV" in top.get_ylabel() and "A/m" in bottom.get_ylabel()
    assert "A/m" in fig.get_suptitle() and "10^{11}" in fig.get_suptitle()
    no_offsets(fig)


@pytest.mark.parametrize("quantity", ["accumulation", "spin_current", "potential"])
def test_profile_lines_are_the_solution_times_the_labelled_factor(solution, quantity):
    ax = plot.plot_profiles(solution, quantity, "xyz")
    label = ax.get_ylabel()
    assert ax.get_xlabel() == "position $x$ (nm)"
    factor = spin_current_factor(label) if quantity == "spin_current" else energy_factor(label)
    model = solution.reduced  # the stack's numbers, which the figure converts
    evaluate = {"accumulation": model.spin_accumulation, "spin_current": model.spin_current,
                "potential": model.electrochemical_potential}[quantity]
    color = style_ink() if quantity == "potential" else plot.style.COMPONENT["x"]
    lines = curves(ax, color)
    assert len(lines) == 3  # one per layer
    nodes = solution.node_positions
    for i, line in enumerate(lines):
        x_nm, y = line.get_xdata(), line.get_ydata()
        np.testing.assert_allclose(x_nm, np.linspace(nodes[i], nodes[i + 1], 181) * 1e9, rtol=1e-13)
        inside = slice(1, -1)  # the end points are one-sided face values
        values = evaluate(x_nm[inside] / 1e9)
        expected = values if quantity == "potential" else values[..., 0]
        np.testing.assert_allclose(y[inside], expected * factor, rtol=1e-12, atol=1e-12 * np.abs(y).max())
    # the unit is chosen so that the largest value is a plain number between 1 and 1000
    largest = max(np.abs(line.get_ydata()).max() for line in ax.get_lines() if len(line.get_xdata()) == 181)
    assert 1.0 <= largest < 1000.0


def style_ink() -> str:
    return plot.style.INK


def test_accumulation_is_in_micro_electronvolts_and_spin_current_signed(solution):
    # |mu_s| ~ 1e-24 J ~ 1e-5 eV: ueV, as the summary; |e| j_s keeps the particle-flux sign
    ax = plot.plot_profiles(solution, "accumulation", "longitudinal")
    assert ax.get_ylabel() == r"spin accumulation $\mu_s$ ($\mu$eV)"
    ax = plot.plot_profiles(solution, "spin_current", "xyz")
    z = curves(ax, plot.style.COMPONENT["z"])[0].get_ydata()
    expected = solution.spin_current(np.linspace(0, 3e-9, 181)[1:-1])[..., 2] * E
    assert np.sign(z[1:-1]).tolist() == np.sign(expected).tolist()  # j0 < 0 for J > 0: j_s^z < 0 in F1
    units = figure_units(solution)
    scale = units.scale("spin_current", z)
    assert scale.factor > 0


def test_torque_labels_give_the_jump_in_a_per_m2_and_the_torque_in_j_per_m2(solution):
    ax = plot.plot_profiles(solution, "spin_current", "xyz")
    labels = [t.get_text() for t in ax.texts if "Delta j_s" in t.get_text()]
    assert len(labels) == 2
    for label in labels:
        assert "A/m$^2$" in label and "J/m$^2$" in label
    sizes = sorted(np.linalg.norm(solution.reduced.deposit[k]) for k in (1, 2))  # particle fluxes
    torques = [float(re.search(r"torque \$([\d.]+)\\times10\^\{(-?\d+)\}\$", label).group(1)) *
               10.0 ** int(re.search(r"torque \$([\d.]+)\\times10\^\{(-?\d+)\}\$", label).group(2)) for label in labels]
    hbar = 6.62607015e-34 / (2 * np.pi)
    np.testing.assert_allclose(sorted(torques), np.array(sizes) * hbar / 2, rtol=5e-3)  # 3 significant digits


# ------------------------------------------------------------------ hodographs
def test_hodograph_axes_and_numbers(solution):
    fig = plot.hodograph_figure(solution)
    left, middle, right = fig.axes[:3]
    for ax in (left,):
        assert "eV" in ax.get_xlabel() and "eV" in ax.get_ylabel()
    assert "A/m" in middle.get_xlabel() and "A/m" in middle.get_ylabel()
    assert all("eV" in label for label in (right.get_xlabel(), right.get_ylabel(), right.get_zlabel()))
    no_offsets(fig)
    # nodes: folding is a rotation, so |plotted node| = |mu_s| x the labelled factor
    factor = energy_factor(left.get_xlabel())
    nodes = sorted(np.hypot(*line.get_xydata()[0]) for line in left.get_lines()
                   if line.get_marker() == "o" and line.get_markersize() == 5)
    np.testing.assert_allclose(nodes, sorted(np.linalg.norm(solution.reduced.accumulation, axis=-1) * factor),
                               rtol=1e-12, atol=1e-12 * max(nodes))
    # jump arrows: from j_s(x_k+) to j_s(x_k-), folded, scaled
    factor = spin_current_factor(middle.get_xlabel())
    fold = hodograph(solution.reduced, 129)
    arrows = [a for a in middle.texts if (a.get_gid() or "").startswith("jump:")]
    assert len(arrows) == 2
    for arrow in arrows:
        k = int(arrow.get_gid().split(":")[1])
        before, after = one_sided_spin_current(solution, k)
        np.testing.assert_allclose(arrow.xy, to_fold(fold, k, before) * factor, rtol=1e-12)
        np.testing.assert_allclose(arrow.xyann, to_fold(fold, k + 1, after) * factor, rtol=1e-12)
    # 3D: the node markers are mu_s itself, scaled
    points = np.column_stack(right.collections[0]._offsets3d)
    np.testing.assert_allclose(points, solution.reduced.accumulation * energy_factor(right.get_xlabel()), rtol=1e-12)
    # the same points are the SI solution's own mu_s in eV, in the labelled unit
    np.testing.assert_allclose(points, solution.accumulation / ENERGY[right.get_xlabel().split("(")[-1].rstrip(")")],
                               rtol=1e-12)


# ------------------------------------------------------------------ analogy
def test_analogy_positions_in_ev_and_forces_in_a_per_m2(solution):
    ax = plot.plot_analogy(solution)
    assert "eV" in ax.get_xlabel() and "eV" in ax.get_ylabel()
    assert "A/m" in ax.get_title()
    key = [c for c in ax.get_children() if type(c).__name__ == "QuiverKey"]
    assert key and "A/m" in key[0].text.get_text()
    table = [t.get_text() for t in ax.figure.axes[1].texts if "ring" in t.get_text()]
    assert table and "A/m^2" in table[0]
    no_offsets(ax.figure)
    # every arrow is a spin current at the ring: |e| x the force, in the key's 10^p A/m^2
    power = int(re.search(r"\(1e(-?\d+) A/m\^2\)", table[0]).group(1))
    # the key's arrow: its length in the plotted unit is the value its label gives in A/m^2
    mantissa, exponent = re.search(r"force \$([\d.]+)\\times10\^\{(\d+)\}\$ A/m", key[0].text.get_text()).groups()
    assert key[0].U * 10.0**power == pytest.approx(float(mantissa) * 10.0 ** int(exponent), rel=1e-12)
    drawn = sorted(np.hypot(c.U[0], c.V[0]) for c in ax.collections if (c.get_gid() or "").startswith("force:"))
    forces = ring_forces(solution.reduced)
    assert max(drawn) == pytest.approx(max(np.linalg.norm(f.vector) for ring in plot.folded_ring_forces(solution)
                                           for f in ring.forces) * E / 10.0**power, rel=1e-12)
    scale = np.abs(forces.driving_left).max() * E / 10.0**power
    totals: dict[str, np.ndarray] = {}
    for c in ax.collections:
        if (c.get_gid() or "").startswith("force:"):
            ring = c.get_gid().split(":")[1]
            totals[ring] = totals.get(ring, 0.0) + np.array([c.U[0], c.V[0]])
    for total in totals.values():
        np.testing.assert_allclose(total, 0.0, atol=1e-12 * scale)


# ------------------------------------------------------------------ efficiency, sign map
def test_efficiency_is_dimensionless_and_says_the_units():
    stack = si_valve()
    ax = plot.plot_efficiency(stack, samples=37)
    assert "A/m" in ax.get_title() and "dimensionless" in ax.get_title()
    g1 = [line for line in ax.get_lines() if line.get_color() == plot.style.EFFICIENCY["g1"] and line.get_lw() == 3.0]
    np.testing.assert_allclose(g1[0].get_ydata(), efficiency(stack, np.linspace(0, 180, 37)).g1, rtol=1e-13)


def test_sign_map_axes_of_si_parameters():
    stack = si_valve()
    thickness = np.linspace(1e-9, 20e-9, 12)
    ax = plot.plot_sign_map(stack, x=("layers[1].thickness", thickness), y=("materials.F2.p", np.linspace(0.1, 0.9, 9)))
    assert ax.get_xlabel() == "thickness $d$ of layer 1 (N) (nm)"
    assert ax.get_xlim() == pytest.approx((1.0, 20.0), rel=1e-12)
    assert ax.get_ylabel() == r"$p_{\mathrm{F2}}$"  # p stays dimensionless
    assert ax.get_ylim() == pytest.approx((0.1, 0.9))
    no_offsets(ax.figure)
    j0 = np.linspace(-1e30, -1e29, 5)  # the stack's number: j0 = J/e
    ax = plot.plot_sign_map(stack, x=("current", j0), y=("materials.F2.p", np.linspace(0.1, 0.9, 5)))
    assert "A/m" in ax.get_xlabel()
    assert ax.get_xlim() == pytest.approx(sorted(j0[[0, -1]] * -E), rel=1e-12)
    plt.close("all")
    ax = plot.plot_sign_map(stack, x=("theta", np.linspace(0, 180, 19)),
                            y=("materials.F2.p", np.linspace(0.05, 0.95, 10)), ratio_to="materials.F1.p")
    assert ax.get_ylabel() == r"$p_{\mathrm{F2}}/p_{\mathrm{F1}}$"
    # eq. (15) ignores interfaces: not overlaid on this stack
    assert "eq. (15), closed form" not in [t.get_text() for t in ax.get_legend().get_texts()]


def test_parameter_scales():
    assert parameter_kind("layers[1].thickness") == "length" == parameter_kind("materials.N.l")
    assert parameter_kind("materials.F2.p") == "dimensionless"
    assert parameter_kind("current") == "current" and parameter_kind("theta") == "angle"
    assert parameter_scale("layers[1].thickness", "SI").factor == pytest.approx(1e9)
    assert parameter_scale("current", "SI").factor == pytest.approx(-E)
    assert parameter_scale("layers[1].thickness", "reduced").factor == 1.0
    assert parameter_scale("layers[1].thickness", "reduced").unit == "reduced units"


# ------------------------------------------------------------------ reduced stays as it was
def test_reduced_figures_keep_their_labels():
    solution = ss.solve(reduced_valve())
    fig = plot.profiles_figure(solution)
    top, bottom = fig.axes[:2]
    assert bottom.get_xlabel() == "position $x$ (reduced units)"
    assert top.get_ylabel() == r"spin accumulation $\mu_s$"
    assert bottom.get_ylabel() == r"spin current $j_s$"
    assert fig.get_suptitle().startswith("particle current $j_0 = 1$")
    assert {t.get_text() for t in bottom.texts if "Delta" in t.get_text()} <= {
        rf"$|\Delta j_s|={plot.style.number(np.linalg.norm(solution.deposit[k]))}$" for k in range(4)}
    x = curves(top, plot.style.COMPONENT["x"])[0].get_xdata()
    np.testing.assert_array_equal(x, np.linspace(0, 1.5, 181))  # the numbers themselves, factor 1
    fig = plot.hodograph_figure(solution)
    assert fig.axes[0].get_xlabel() == r"$\mu_s$ normal to $\mathbf{m}_1$ (fold plane)"
    assert fig.axes[1].get_ylabel() == r"$j_s$ along $\mathbf{m}_1$"
    assert fig.axes[2].get_zlabel() == r"$\mu_s^z$"
    ax = plot.plot_analogy(solution)
    key = [c for c in ax.get_children() if type(c).__name__ == "QuiverKey"][0]
    assert re.fullmatch(r"force [\d.]+", key.text.get_text())
    assert ax.get_title().startswith("mechanical analogy, $j_0 = 1$")
    assert plot.plot_efficiency(solution.stack, samples=19).get_title() == ""
    ax = plot.plot_sign_map(solution.stack, x=("layers[1].thickness", np.linspace(0.5, 3, 6)),
                            y=("materials.F2.p", np.linspace(0.1, 0.9, 5)))
    assert ax.get_xlabel() == "thickness $d$ of layer 1 (N) (reduced units)"
    assert ax.get_xlim() == (0.5, 3.0)
    units = figure_units(solution)
    assert not units.si and units.length.factor == 1.0 and units.length.unit == "reduced units"
    assert units.scale("accumulation", solution.accumulation).factor == 1.0
