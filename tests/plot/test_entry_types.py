"""Every public function of spinstack.analysis and spinstack.plot takes what a user naturally passes.

Functions that vary a stack take a Stack and also a Solution (its stack); functions that draw or
analyse one solution take a Solution and also a Stack (solved).  Both give the same result.  Anything
else is a TypeError naming the function and what it takes, not an AttributeError from deep inside
(issue 13, item 6: ``analysis.efficiency(solution)`` and ``plot.profiles_figure(stack)`` failed so).
"""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from typing import Any, Callable

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import spinstack as ss  # noqa: E402
from spinstack import analysis, plot  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# the public functions whose first argument is not a stack: they are outside this contract
NOT_ON_A_STACK = {
    "analysis.bisect": "roots of any function of arrays",
    "plot.plot_sweep": "draws a sweep's xarray Dataset",
    "plot.write_sweep_figure": "draws a sweep's xarray Dataset",
    **{f"plot.{name}": "reads or draws a dynamics run's xarray Dataset (tests/plot/test_dynamics.py)"
       for name in ("dynamics_figure", "plot_final_states", "plot_magnetization", "plot_orbit",
                    "plot_resistance", "plot_state_diagram", "write_dynamics_figure")},
}


def spin_valve() -> ss.Stack:
    """The seed's F1/N/F2 between reservoirs (examples/seed-fnf.toml): every CPP function applies."""
    return ss.load_stack(EXAMPLES / "seed-fnf.toml")


def smr_stack() -> ss.Stack:
    """Pt on a magnetic insulator in SI units (examples/yig-pt-smr-si.toml): every in-plane function applies."""
    return ss.load_stack(EXAMPLES / "yig-pt-smr-si.toml")


def smr_stack_without_sink() -> ss.Stack:
    """The same with G_s = 0, where the Chen form (analysis.chen_smr) applies."""
    from spinstack.model.paths import with_parameter

    return with_parameter(smr_stack(), "right.g_s", 0.0)


NM = 1e-9
# name -> (the stack it needs, the call with that stack or solution as first argument)
CALLS: dict[str, tuple[Callable[[], ss.Stack], Callable[[Any, Path], Any]]] = {
    "analysis.magnetoresistance": (spin_valve, lambda s, _: analysis.magnetoresistance(s)),
    "analysis.resistance_curve": (spin_valve, lambda s, _: analysis.resistance_curve(s, [0.0, 60.0, 180.0])),
    "analysis.default_threshold_parameters": (spin_valve, lambda s, _: analysis.default_threshold_parameters(s)),
    "analysis.sign_report": (spin_valve, lambda s, _: analysis.sign_report(s, [30.0], ["materials.F2.p"])),
    "analysis.efficiency": (spin_valve, lambda s, _: analysis.efficiency(s, [0.0, 60.0, 120.0])),
    "analysis.hodograph": (spin_valve, lambda s, _: analysis.hodograph(s, 9)),
    "analysis.seed_eq15_boundaries": (spin_valve, lambda s, _: analysis.seed_eq15_boundaries(s, [0.0, 30.0])),
    "analysis.sign_map": (spin_valve, lambda s, _: analysis.sign_map(s, ("theta", [0.0, 90.0]),
                                                                      ("materials.F2.p", [0.2, 0.8]))),
    "analysis.ring_forces": (spin_valve, lambda s, _: analysis.ring_forces(s)),
    "analysis.sign_change_angles": (spin_valve, lambda s, _: analysis.sign_change_angles(s, "g2", 37)),
    "analysis.threshold": (spin_valve, lambda s, _: analysis.threshold(s, "materials.F2.p", "g2", 30.0,
                                                                        (0.01, 0.99), 33)),
    "analysis.with_angle": (spin_valve, lambda s, _: analysis.with_angle(s, 45.0)),
    "analysis.chen_smr": (smr_stack_without_sink, lambda s, _: analysis.chen_smr(s)),
    "analysis.smr_scan_plane": (smr_stack, lambda s, _: analysis.smr_scan_plane(s, "beta")),
    "analysis.smr_angle": (smr_stack, lambda s, _: analysis.smr_angle(s, [0.0, 45.0, 90.0])),
    "analysis.smr_thickness": (smr_stack, lambda s, _: analysis.smr_thickness(s, [2 * NM, 4 * NM])),
    "analysis.spin_hall_layer": (smr_stack, lambda s, _: analysis.spin_hall_layer(s)),
    "analysis.torque_thickness": (smr_stack, lambda s, _: analysis.torque_thickness(s, [2 * NM, 4 * NM],
                                                                                    target="right")),
    "plot.available_kinds": (spin_valve, lambda s, _: plot.available_kinds(s)),
    "plot.folded_ring_forces": (spin_valve, lambda s, _: plot.folded_ring_forces(s, 9)),
    "plot.write_figure": (spin_valve, lambda s, out: plot.write_figure(s, "efficiency", out / "g.svg")),
    "plot.write_figure_set": (smr_stack, lambda s, out: plot.write_figure_set(s, out, "smr", ".svg")),
    "plot.hodograph_figure": (spin_valve, lambda s, _: plot.hodograph_figure(s)),
    "plot.plot_analogy": (spin_valve, lambda s, _: plot.plot_analogy(s, samples=9)),
    "plot.plot_efficiency": (spin_valve, lambda s, _: plot.plot_efficiency(s, samples=19)),
    "plot.plot_hodograph": (spin_valve, lambda s, _: plot.plot_hodograph(s, samples=9)),
    "plot.plot_hodograph_3d": (spin_valve, lambda s, _: plot.plot_hodograph_3d(s, samples=9)),
    "plot.plot_profiles": (spin_valve, lambda s, _: plot.plot_profiles(s)),
    "plot.plot_sign_map": (spin_valve, lambda s, _: plot.plot_sign_map(s, ("theta", np.linspace(0, 180, 7)),
                                                                       ("materials.F2.p", np.linspace(0.1, 0.9, 5)))),
    "plot.plot_smr_thickness": (smr_stack, lambda s, _: plot.plot_smr_thickness(s, [2 * NM, 4 * NM])),
    "plot.plot_torque_thickness": (smr_stack, lambda s, _: plot.plot_torque_thickness(s, [2 * NM, 4 * NM],
                                                                                     target="right")),
    "plot.profiles_figure": (spin_valve, lambda s, _: plot.profiles_figure(s)),
    "plot.smr_angle_figure": (smr_stack, lambda s, _: plot.smr_angle_figure(s, [0.0, 90.0, 180.0])),
}


def public_functions() -> list[str]:
    names = []
    for module in (analysis, plot):
        short = module.__name__.rsplit(".", 1)[-1]
        names += [f"{short}.{name}" for name in module.__all__ if inspect.isfunction(getattr(module, name))]
    return sorted(names)


def function(name: str) -> Callable[..., Any]:
    module, attribute = name.split(".")
    return getattr({"analysis": analysis, "plot": plot}[module], attribute)


def test_every_public_function_is_covered():
    """A new public function must say here how it is called (or why it takes no stack)."""
    assert sorted(set(CALLS) | set(NOT_ON_A_STACK)) == public_functions()
    assert not set(CALLS) & set(NOT_ON_A_STACK)


def drawn(result: Any) -> Any:
    """What a figure shows, comparable: every line's data and every text of every Axes."""
    figure = result if isinstance(result, matplotlib.figure.Figure) else result.figure
    shown = []
    for ax in figure.axes:
        shown.append([np.asarray(line.get_xydata()) for line in ax.lines])
        shown.append(sorted(text.get_text() for text in ax.texts))
        shown.append((ax.get_xlabel(), ax.get_ylabel(), ax.get_title()))
    return shown


def assert_same(a: Any, b: Any, where: str = "result") -> None:
    """Equal results: arrays exactly (the same stack is solved the same way), NaN equal to NaN."""
    if isinstance(a, (matplotlib.axes.Axes, matplotlib.figure.Figure)):
        assert_same(drawn(a), drawn(b), where)
    elif isinstance(a, Path):
        assert isinstance(b, Path) and a.stat().st_size > 0 and b.stat().st_size > 0, where
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for field in dataclasses.fields(a):
            assert_same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)) and not (a and isinstance(a[0], (int, float, np.floating))):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, (str, type(None), bool)) or (isinstance(a, (int, float)) and not isinstance(a, bool)) \
            or isinstance(a, (np.ndarray, np.generic, list, tuple)):
        if isinstance(a, (str, type(None), bool)):
            assert a == b, where
        else:
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=where)
    else:
        assert a == b, where


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_stack_and_its_solution_give_the_same_result(name, tmp_path):
    make, call = CALLS[name]
    stack = make()
    (tmp_path / "from_stack").mkdir()
    (tmp_path / "from_solution").mkdir()
    from_stack = call(stack, tmp_path / "from_stack")
    from_solution = call(ss.solve(stack), tmp_path / "from_solution")
    assert_same(from_stack, from_solution, name)
    if isinstance(from_stack, list) and from_stack and isinstance(from_stack[0], Path):  # write_figure_set
        assert [p.name for p in from_stack] == [p.name for p in from_solution]


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("wrong", ["examples/seed-fnf.toml", 3.0, None], ids=["path", "number", "None"])
def test_anything_else_is_a_type_error_naming_the_function(name, wrong, tmp_path):
    _, call = CALLS[name]
    short = name.split(".")[1]
    with pytest.raises(TypeError) as caught:
        call(wrong, tmp_path)
    assert str(caught.value) == f"{short} takes a spinstack Stack or Solution, got {type(wrong).__name__}"
