"""Figures of the in-plane drive (spinstack.plot.spin_orbit and the SOT branches of profiles and hodograph):
each is drawn without warnings (pytest turns warnings into errors) or overlapping texts, and its curves are the
analysis's numbers in the units the axes state."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import spinstack as ss  # noqa: E402
from spinstack import plot  # noqa: E402
from spinstack.analysis import PLANES, smr_angle, smr_thickness, spin_hall_layer, torque_thickness  # noqa: E402
from spinstack.errors import SpinstackError  # noqa: E402
from spinstack.plot.figureset import SOT_KINDS, available_kinds, skipped_kinds, write_figure  # noqa: E402
from spinstack.plot.spin_orbit import (drive_text, plot_smr_thickness, plot_torque_thickness,  # noqa: E402
                                       smr_angle_figure, vector_text)
from tests.plot.drawing import assert_drawn, draw, label_factor  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ("pt-co-sot", "w-cofeb-sot", "yig-pt-smr")


def load(name: str) -> ss.Stack:
    return ss.load_stack(ROOT / "examples" / f"{name}.toml")


@pytest.mark.parametrize("name", EXAMPLES)
def test_spin_orbit_figures_show_the_analysis(name):
    # every curve is the analysis's numbers in the units its axis states (SI: nm, 10^p J/m^2; SMR in 10^p)
    stack = load(name)
    layer = spin_hall_layer(stack)
    d = float(np.asarray(stack.layers[layer].thickness)) * np.linspace(0.2, 3.0, 15)  # stack units (m for SI)
    x_factor = 1e9 if stack.units == "SI" else 1.0

    ax = plot_torque_thickness(stack, d)
    assert ("(nm)" if stack.units == "SI" else "(reduced units)") in ax.get_xlabel()
    torque = torque_thickness(stack, d)
    for part, values in (("damping-like", torque.damping_like), ("field-like", torque.field_like)):
        line = next(line for line in ax.lines if line.get_label().startswith(part))
        assert_drawn(line, d, values, x_factor, label_factor(ax.get_ylabel()))
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert r"damping-like $\tau_{DL}$" in legend and r"field-like $\tau_{FL}$" in legend
    draw(ax.figure)

    ax = plot_smr_thickness(stack, d)
    smr = smr_thickness(stack, d)
    for part, values in (("longitudinal", smr.longitudinal), ("transverse", smr.transverse)):
        line = next(line for line in ax.lines if line.get_label().startswith(part))
        assert_drawn(line, d, values, x_factor, label_factor(ax.get_ylabel()))
    draw(ax.figure)

    angles = np.linspace(0.0, 360.0, 25)
    figure = smr_angle_figure(stack, angles)
    for panel, part in zip(figure.axes, ("longitudinal", "transverse")):
        factor = label_factor(panel.get_ylabel())
        drawn = [line for line in panel.lines if line.get_linestyle() != "None" and len(line.get_xdata()) == 25]
        assert len(drawn) == len(PLANES)
        for line, plane in zip(drawn, PLANES):
            assert_drawn(line, angles, getattr(smr_angle(stack, angles, plane), part), 1.0, factor)
    assert [t.get_text().split(":")[0] for t in figure.legends[0].get_texts()][:3] == \
        [r"$\alpha$", r"$\beta$", r"$\gamma$"]
    draw(figure)


@pytest.mark.parametrize("name", EXAMPLES)
def test_profiles_and_hodograph_of_in_plane_stacks(name):
    solution = ss.solve(load(name))
    figure = plot.profiles_figure(solution)
    draw(figure)
    top = figure.axes[0]
    names = {text.get_text() for text in top.texts}
    assert "open" in names and "res." not in names
    assert any("insulator" == n for n in names) == (name == "yig-pt-smr")
    legend = [t.get_text() for t in top.get_legend().get_texts()]
    assert legend == [r"$\mu_s^{x}$", r"$\mu_s^{y}$", r"$\mu_s^{z}$"]  # every component, not mu_s . m1
    title = figure._suptitle.get_text()
    assert r"\hat{\sigma}" in title and "J = 0" not in title
    hodograph = plot.hodograph_figure(solution)
    assert [ax.name for ax in hodograph.axes] == ["3d", "3d"]
    draw(hodograph)


def test_analogy_is_refused_for_an_in_plane_drive():
    solution = ss.solve(load("pt-co-sot"))
    with pytest.raises(SpinstackError, match="no analogy figure: the rings on rails"):
        plot.plot_analogy(solution)
    kinds = available_kinds(solution)
    assert "analogy" not in kinds and set(SOT_KINDS) <= set(kinds)
    assert "analogy" in skipped_kinds(solution)


def test_torque_figure_overlays_limit4_and_marks_the_stack():
    ax = plot_torque_thickness(load("pt-co-sot"))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("sech" in label for label in labels)
    assert "(nm)" in ax.get_xlabel() and "J/m$^2$" in ax.get_ylabel()
    dl = next(line for line in ax.lines if line.get_label().startswith("damping-like"))
    closed = next(line for line in ax.lines if "sech" in line.get_label())
    np.testing.assert_allclose(dl.get_ydata(), closed.get_ydata(), rtol=1e-9, atol=1e-12)
    assert any(label.startswith("this stack (d = 5 nm)") for label in labels)


def test_smr_figures_overlay_the_chen_form_only_on_an_insulator():
    with_chen = smr_angle_figure(load("yig-pt-smr"))
    without = smr_angle_figure(load("pt-co-sot"))
    texts = lambda fig: [t.get_text() for legend in fig.legends for t in legend.get_texts()]  # noqa: E731
    assert any("Chen" in t for t in texts(with_chen)) and not any("Chen" in t for t in texts(without))
    assert len(texts(with_chen)) == 4 and "Co's" in without._suptitle.get_text()


def test_drive_text():
    assert vector_text([0, 0, -2]) == "$-z$" and vector_text([0, 0.6, 0.8]) == "$(0, 0.6, 0.8)$"
    si = drive_text(load("pt-co-sot"))
    assert r"1.00\times10^{11}" in si and "along $+y$ in Pt" in si
    # eps is defined where it is shown: eps = eE with e < 0 points against E and J (MODEL.md 8a), and sigma_hat
    # is given with its rule, so J along +y and sigma_hat = -z do not read as a contradiction
    rule = r"$\hat{\sigma} = \hat{x}\times\hat{\varepsilon}$"
    assert r"$\varepsilon = eE$ along $-y$ ($e < 0$: against $E$)" in si and rule + " = $-z$" in si
    reduced = drive_text(load("yig-pt-smr"))
    assert r"$\varepsilon = eE$" in reduced and "along $+y$" in reduced and rule + " = $+z$" in reduced


def test_spin_orbit_kinds_need_a_field(tmp_path):
    seed = ss.solve(ss.load_stack(ROOT / "examples" / "seed-fnf.toml"))
    assert not set(SOT_KINDS) & set(available_kinds(seed))
    with pytest.raises(SpinstackError, match="^no smr-angle figure: this stack has no in-plane field"):
        write_figure(seed, "smr-angle", tmp_path / "smr.png")
    with pytest.raises(SpinstackError, match="theta_SH"):
        plot_torque_thickness(ss.Stack([ss.Layer(ss.Normal("Cu", 2.0, 5.0), 3.0),
                                        ss.Layer(ss.Ferromagnet("F", 1.0, 0.4, 5.0), 1.0, [1, 0, 0])],
                                       left=ss.Open(), right=ss.Open(), current=0.0, field=[0, 1, 0]))
