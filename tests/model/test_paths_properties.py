"""Properties of parameter paths over stacks with every feature (issue 13, item 1).

* ``with_parameter(stack, path, v)`` sets that parameter (``parameter_value`` reads v back) and
  nothing else: every other entry of the full structure (kinds of the ends, every layer, lead,
  material, interface value, units, current, field) is identical to the bit, for every settable
  path of stacks with an in-plane field, interfaces, N and F leads, open and insulator ends,
  coherent F, theta_SH, a shared material, a Layer object at two places, batches, SI units.
* The rebuilt, turned stack of a theta sweep and of ``analysis.efficiency`` is the stack with m2
  set through ``with_parameter``: same structure but for m2, same torques (1e-12), same
  efficiencies, same sweep datasets.  The old positional rebuild dropped the in-plane field.
* The dynamics keys of SI stacks (MODEL.md 9: Ms, alpha, K_u, easy_axis, gamma, free, demag, [dynamics]) are
  part of that structure: every rebuild keeps them, and their own paths set them and nothing else.
* A component path (``field.y``, ``right.g_mix.imag``) sets that number of the vector and nothing else.
* A sweep of any sweepable path (every scalar path, vectors by their components, theta) gives at each
  point the direct solve of the stack with that value set; the vector paths are refused (their numbers
  were read as one vector: the same answer at every point, exit 0).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import spinstack as ss
from spinstack import analysis, si
from spinstack._sweep.plan import set_angle
from spinstack.solver.in_plane import PARALLEL_NORM
from spinstack.model.paths import parameter_value, with_parameter
from tests.strategies import as_array, directions, full_stacks, numbers, structure

EPS = np.finfo(float).eps
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- the settable paths of a stack
def settable_paths(stack: ss.Stack) -> list[str]:
    """Every path ``with_parameter`` takes on ``stack``, found from the stack's own fields (not from paths.py):
    current, field (when set), each material's keys, each layer's thickness, each magnetization (vector,
    .theta, .phi) of layers and ends, an insulator end's g_mix and g_s; the dynamics keys given (a ferromagnet's
    Ms, alpha, K_u, gamma, easy_axis (vector, .theta, .phi), a layer's demag, the [dynamics] field, temperature,
    area and couplings' J)."""
    paths = ["current"] + (["field"] if stack.field is not None else [])
    angles = ("", ".theta", ".phi")
    for name, material in stack.materials.items():
        keys = ("D", "p", "l", "l_J", "l_phi", "D_perp", "Ms", "alpha", "K_u", "gamma") \
            if isinstance(material, ss.Ferromagnet) else ("D", "l", "theta_SH")
        paths += [f"materials.{name}.{key}" for key in keys if getattr(material, key) is not None]
        if getattr(material, "easy_axis", None) is not None:
            paths += [f"materials.{name}.easy_axis{angle}" for angle in angles]
    for index, layer in enumerate(stack.layers):
        paths.append(f"layers[{index}].thickness")
        if layer.magnetization is not None:
            paths += [f"layers[{index}].magnetization{angle}" for angle in angles]
        if layer.demag is not None:
            paths.append(f"layers[{index}].demag")
    for side in ("left", "right"):
        end = getattr(stack, side)
        if getattr(end, "magnetization", None) is not None:
            paths += [f"{side}.magnetization{angle}" for angle in angles]
        if isinstance(end, ss.Insulator):
            paths += [f"{side}.g_mix", f"{side}.g_s"]
    dynamics = stack.dynamics
    if dynamics is not None:
        paths += ["dynamics.field", "dynamics.temperature"] + (["dynamics.area"] if dynamics.area is not None else [])
        paths += [f"dynamics.coupling[{k}].J" for k in range(len(dynamics.couplings))]
    return paths


def owned(items: dict[str, Any], stack: ss.Stack, path: str) -> set[str]:
    """The entries of :func:`structure` that setting ``path`` may change."""
    if path in ("current", "field"):
        return {path}
    if path.startswith("dynamics."):  # the file's [[dynamics.coupling]] is the field `couplings`
        return {re.sub(r"^dynamics\.coupling\[", "dynamics.couplings[", path)}
    material = re.fullmatch(r"materials\.([^.]+)\.(\w+)(?:\.theta|\.phi)?", path)
    if material:
        name, key = material.groups()
        return {item for item in items if re.fullmatch(rf"(layers\[\d+\]|left|right)\.material\.{key}", item)
                and items[item.rsplit(".", 1)[0] + ".name"] == name}
    layer = re.fullmatch(r"layers\[(-?\d+)\]\.(thickness|magnetization|demag)(\.theta|\.phi)?", path)
    if layer:
        return {f"layers[{int(layer.group(1)) % len(stack.layers)}].{layer.group(2)}"}
    end = re.fullmatch(r"(left|right)\.(magnetization|g_mix|g_s)(\.theta|\.phi)?", path)
    assert end, path
    return {f"{end.group(1)}.{end.group(2)}"}


def _reduced(value: float, kind: str, stack: ss.Stack) -> float:
    """A typical SI magnitude as the number an SI stack holds (reduced stacks: 1)."""
    return abs(float(si.to_reduced(value, kind))) if stack.units == "SI" else 1.0


def new_values(stack: ss.Stack, path: str) -> st.SearchStrategy[Any]:
    """Valid values for ``path``, of the stack's own magnitudes."""
    factor = numbers(0.2, 5.0)
    key = path.rsplit(".", 1)[-1]
    if path == "current":
        return st.just(0.0) if stack.has_boundary_ends else numbers(-2, 2).map(
            lambda u: u * _reduced(1e11, "current", stack))
    if path == "field":
        scale = _reduced(1e4, "field", stack)
        return st.tuples(numbers(-1, 1), numbers(-1, 1)).map(lambda v: [0.0, v[0] * scale, v[1] * scale])
    if key == "p":
        return numbers(-0.9, 0.9)
    if key == "theta_SH":
        return numbers(-0.5, 0.5)
    if key == "theta":
        return st.one_of(st.sampled_from([0.0, 90.0, 180.0]), numbers(0.0, 180.0))
    if key == "phi":
        return st.one_of(st.sampled_from([0.0, 180.0, -90.0]), numbers(-180.0, 180.0))
    if key in ("magnetization", "easy_axis"):
        return st.builds(lambda d, r: r * ss.polar(d["theta"], d["phi"]), directions(), numbers(0.5, 2.0))
    if key == "demag":  # three factors >= 0 summing to 1
        return st.tuples(*[numbers(0.0, 1.0)] * 3).filter(lambda n: sum(n) > 0.1).map(lambda n: np.array(n) / sum(n))
    if path == "dynamics.field":  # tesla, any direction
        return st.tuples(*[numbers(-0.1, 0.1)] * 3).map(list)
    if key == "J":  # exchange energy per area, either sign
        return numbers(-1.0, 1.0).map(lambda j: j * 1e-3)
    if path == "dynamics.temperature" and stack.dynamics.area is None:
        return st.just(0.0)  # T > 0 needs the area
    if key in ("alpha", "K_u", "temperature") and not np.any(parameter_value(stack, path)):
        return numbers(0.2, 5.0).map(lambda f: f * {"alpha": 0.01, "K_u": 1e4, "temperature": 100.0}[key])
    if key in ("g_mix", "g_s"):
        scale = _reduced(1e15, "interface_conductance", stack)
        if key == "g_s":
            return numbers(0.0, 5.0).map(lambda g: g * scale)
        return st.tuples(numbers(0.0, 5.0), numbers(-3.0, 3.0)).map(lambda g: [g[0] * scale, g[1] * scale])
    # positive numbers: D, l, l_J, l_phi, D_perp, thickness, times the largest finite old value
    old = np.asarray(parameter_value(stack, path), dtype=float)
    reference = float(np.max(np.abs(old[np.isfinite(old)]), initial=0.0)) or _reduced(1e-9, "length", stack)
    return factor.map(lambda f: f * reference)


def _angles(m: np.ndarray) -> tuple[float, float]:
    """(theta, phi) in degrees of one unit vector, computed here (not by paths.py)."""
    return (float(np.degrees(np.arctan2(np.hypot(m[0], m[1]), m[2]))), float(np.degrees(np.arctan2(m[1], m[0]))))


def check_set(stack: ss.Stack, path: str, value: Any) -> None:
    """``with_parameter(stack, path, value)`` changes what ``path`` names to ``value`` and nothing else."""
    before = structure(stack)
    changed = with_parameter(stack, path, value)
    after = structure(changed)
    mine = owned(before, stack, path)
    assert mine, f"{path} names nothing in the structure"
    assert before.keys() == after.keys(), f"{path}: entries {sorted(before.keys() ^ after.keys())} came or went"
    others = [key for key in before if key not in mine and before[key] != after[key]]
    assert not others, f"setting {path} changed {others}"
    assert structure(stack) == before, f"setting {path} changed the original stack"
    key = path.rsplit(".", 1)[-1]
    for item in mine:
        old, new = as_array(before[item]), as_array(after[item])
        if key in ("magnetization", "easy_axis"):
            np.testing.assert_allclose(new, np.asarray(value) / np.linalg.norm(value), rtol=0, atol=2 * EPS)
        elif key in ("theta", "phi"):
            theta, phi = _angles(old)
            expected = ss.polar(value, phi) if key == "theta" else ss.polar(theta, value)
            np.testing.assert_allclose(new, expected, rtol=0, atol=2 * EPS)
        else:  # stored as given, to the bit
            np.testing.assert_array_equal(new, np.asarray(value, dtype=float), strict=True)
    read = np.asarray(parameter_value(changed, path), dtype=float)
    if key == "theta":
        assert abs(float(read) - value) <= 1e-12, (path, value, read)
    elif key == "phi":
        at_pole = np.hypot(*as_array(after[next(iter(mine))])[:2]) == 0  # no azimuth on the axis
        if not at_pole:
            assert abs((float(read) - value + 180.0) % 360.0 - 180.0) <= 1e-12, (path, value, read)
    elif key in ("magnetization", "easy_axis"):
        np.testing.assert_allclose(read, np.asarray(value) / np.linalg.norm(value), rtol=0, atol=2 * EPS)
    else:
        np.testing.assert_array_equal(read, np.asarray(value, dtype=float))


# ---------------------------------------------------------------- the properties
@PROPERTY
@given(stack=full_stacks(), data=st.data())
def test_setting_a_path_changes_that_parameter_and_nothing_else(stack: ss.Stack, data: st.DataObject) -> None:
    paths = settable_paths(stack)
    # the list is complete: every parameter the model itself checks (interfaces are not paths)
    model = {path for path, _ in stack._parameters() if not path.startswith("interfaces") and path != "dynamics.waveform"}
    assert model == {path for path in paths if not path.endswith((".theta", ".phi"))}
    for path in paths:
        if path.startswith("layers[") and data.draw(st.booleans(), label="negative index"):
            index = int(path[len("layers["):path.index("]")])
            path = f"layers[{index - len(stack.layers)}]{path[path.index(']') + 1:]}"
        check_set(stack, path, data.draw(new_values(stack, path), label=path))


def _turned_m2(m1: np.ndarray, m2: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """m2 turned to ``theta`` degrees from m1 in their plane (computed here, not by analysis)."""
    normal = m2 - np.dot(m1, m2) * m1
    e = normal / np.linalg.norm(normal)
    angle = np.radians(theta)[..., None]
    return np.cos(angle) * m1 + np.sin(angle) * e


def _spin_current_scale(solution: ss.Solution) -> float:
    """The largest spin current into or out of any layer, in the solution's torque unit (J/m^2 for an SI stack,
    where spin currents are reported in A/m^2)."""
    reduced = solution.reduced
    largest = max(float(np.max(np.abs(getattr(reduced, name)), initial=0.0))
                  for name in ("spin_current_in", "spin_current_out"))
    return float(si.report(largest, "torque")) if solution.stack.units == "SI" else largest


@PROPERTY
@given(stack=full_stacks(ferromagnets=2, batched=False),
       pole=st.sampled_from([None, 1.0, -1.0]),
       thetas=st.lists(st.one_of(st.sampled_from([0.0, 90.0, 180.0]), st.floats(0.0, 180.0)), min_size=1, max_size=3))
def test_theta_routes_equal_a_direct_solve(stack: ss.Stack, pole: float | None, thetas: list[float]) -> None:
    first, second = stack.ferromagnet_indices
    theta = np.array(thetas)
    if pole is not None:  # m1 = +-z: the angle from m1 is a polar angle, set through the .theta path
        stack = with_parameter(stack, f"layers[{first}].magnetization", [0.0, 0.0, pole])
    m1, m2 = stack.layers[first].magnetization, stack.layers[second].magnetization
    assume(np.linalg.norm(np.cross(m1, m2)) > 1e-3)  # m1, m2 span the plane m2 turns in
    if pole is not None:
        direct = with_parameter(stack, f"layers[{second}].magnetization.theta", theta if pole > 0 else 180.0 - theta)
    else:  # any m1: m2 set as a vector
        direct = with_parameter(stack, f"layers[{second}].magnetization", _turned_m2(m1, m2, theta))
    expected = structure(direct)
    for turned in (analysis.with_angle(stack, theta), set_angle(stack, theta)):
        # the same stack but for m2, which agrees to round-off: field, interfaces, ends, units all kept
        got = structure(turned)
        m2 = f"layers[{second}].magnetization"
        assert {key for key in expected if expected[key] != got[key]} <= {m2}
        np.testing.assert_allclose(as_array(got[m2]), as_array(expected[m2]), rtol=0, atol=4 * EPS)
        reference = ss.solve(direct)
        solution = ss.solve(turned)
        # relative to the spin currents the torques are differences of (a torque that is 0 in exact arithmetic,
        # e.g. on a fully coherent F, is round-off of those)
        scale = max(float(np.max(np.abs(reference.torque), initial=0.0)), _spin_current_scale(reference))
        np.testing.assert_allclose(solution.torque, reference.torque, rtol=1e-12, atol=1e-12 * scale)
    if reference.efficiency_problem is None and np.all(stack.current != 0):
        got, want = analysis.efficiency(stack, theta), reference.efficiency()
        # away from 0 and 180 degrees, where the vector route's m2 is collinear only to round-off
        inside = (theta > 0.5) & (theta < 179.5)
        for name in ("g1", "g2", "g1_field", "g2_field"):
            np.testing.assert_allclose(getattr(got, name)[inside], getattr(want, name)[inside], rtol=1e-10, atol=1e-12)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack=full_stacks(ferromagnets=2, batched=False), pole=st.sampled_from([1.0, -1.0]),
       thetas=st.lists(st.floats(1.0, 179.0), min_size=1, max_size=3, unique=True))
def test_theta_sweep_equals_a_sweep_of_the_polar_angle(stack: ss.Stack, pole: float, thetas: list[float]) -> None:
    """``sweep(stack, {"theta": ...})`` gives the dataset of sweeping m2's polar angle from m1 = +-z."""
    pytest.importorskip("xarray")
    first, second = stack.ferromagnet_indices
    stack = with_parameter(stack, f"layers[{first}].magnetization", [0.0, 0.0, pole])
    assume(np.linalg.norm(np.cross(stack.layers[first].magnetization, stack.layers[second].magnetization)) > 1e-3)
    theta = np.array(thetas)
    by_theta = ss.sweep(stack, {"theta": theta})
    polar_path, polar_angle = f"layers[{second}].magnetization.theta", theta if pole > 0 else 180.0 - theta
    by_path = ss.sweep(stack, {polar_path: polar_angle})
    assert set(by_theta.data_vars) == set(by_path.data_vars)
    # the two m2 differ by round-off: compare to 1e-12 of the size of each unit's variables, at least 1 for
    # dimensionless ones (g's) and, for torques (which may be 0 but for round-off), the spin current that
    # drives them: |j0| + the spin Hall current theta_SH D eps of the N layers
    units = {name: by_path[name].attrs["units"] for name in by_path.data_vars}
    size = {unit: max(float(np.nanmax(np.abs(by_path[name].values), initial=0.0)) for name in units if units[name] == unit)
            for unit in set(units.values())}
    size["1"] = max(size.get("1", 0.0), 1.0)
    drive = float(np.abs(stack.current)) + max(
        (float(np.abs(layer.material.theta_SH * layer.material.D)) * float(np.linalg.norm(stack.field))
         for layer in stack.layers if stack.field is not None and not layer.is_ferromagnet), default=0.0)
    torque = units["torque"]
    size[torque] = max(size[torque], float(si.report(drive, "torque")) if stack.units == "SI" else drive)
    # a torque that is 0 in exact arithmetic is round-off of the spin currents flowing through its layer, which
    # huge interface conductances can make far larger than the drive (CI found 4e9 against a torque of 6e-8)
    turned = with_parameter(stack, polar_path, polar_angle)
    solution = ss.solve(turned)
    size[torque] = max(size[torque], _spin_current_scale(solution))
    # tau_DL, tau_FL are a torque projected on m x sigma_hat over |m x sigma_hat|^2: round-off of the torque
    # grows by 1 / |m x sigma_hat| (CI found m x sigma_hat = 2.5e-8 turn a torque's 4e-24 into tau_FL = 1.7e-16)
    lever = 1.0
    if "tau_DL" in by_path.data_vars:  # over the layers where the parts are defined (NaN equals NaN below)
        norms = np.concatenate([np.linalg.norm(np.cross(layer.magnetization, solution.sigma_hat), axis=-1).ravel()
                                for layer in turned.layers if layer.is_ferromagnet])
        lever = min(1.0, float(np.min(norms[norms**2 > PARALLEL_NORM], initial=1.0)))
    for name in by_theta.data_vars:
        atol = 1e-12 * size[units[name]] / (lever if name in ("tau_DL", "tau_FL") else 1.0)
        np.testing.assert_allclose(by_theta[name].values, by_path[name].values, rtol=1e-12, atol=atol, err_msg=name)


@PROPERTY
@given(stack=full_stacks(), data=st.data())
def test_a_component_path_sets_that_component_and_nothing_else(stack: ss.Stack, data: st.DataObject) -> None:
    vectors = [("field", "field", ("y", "z"), 1)] if stack.field is not None else []
    vectors += [(f"{side}.g_mix", f"{side}.g_mix", ("real", "imag"), 0) for side in ("left", "right")
                if isinstance(getattr(stack, side), ss.Insulator)]
    if stack.dynamics is not None:  # the applied field: all three components (it may point anywhere)
        vectors.append(("dynamics.field", "dynamics.field", ("x", "y", "z"), 0))
    assume(vectors)
    before = structure(stack)
    for path, item, names, first in vectors:
        for index, name in enumerate(names, start=first):
            value = data.draw(numbers(0.0, 3.0), label=f"{path}.{name}")
            changed = with_parameter(stack, f"{path}.{name}", value)
            after = structure(changed)
            assert before.keys() == after.keys() and {key for key in before if before[key] != after[key]} <= {item}
            old, new = as_array(before[item]), as_array(after[item])
            expected = np.array(np.broadcast_to(old, new.shape))
            expected[..., index] = value
            np.testing.assert_array_equal(new, expected, strict=True)
            np.testing.assert_array_equal(parameter_value(changed, f"{path}.{name}"), new[..., index])
    if stack.field is not None:
        with pytest.raises(ss.StackError, match=r"^field\.x: x is the film normal"):
            with_parameter(stack, "field.x", 1.0)


# ---------------------------------------------------------------- sweeps of every sweepable path
def sweepable_paths(stack: ss.Stack) -> list[str]:
    """Every path a sweep takes on ``stack``, from :func:`settable_paths` (not from the sweep's code): the
    scalar paths, a vector by its components (field.y, field.z; g_mix.real, g_mix.imag; a magnetization by
    .theta and .phi, already listed), and theta for two F layers."""
    paths = ["theta"] if len(stack.ferromagnet_indices) == 2 else []
    for path in settable_paths(stack):
        if _dynamics_path(path):  # magnet, not transport: a sweep's variables do not depend on them
            continue
        if path == "field":
            paths += ["field.y", "field.z"]
        elif path.endswith(".g_mix"):
            paths += [f"{path}.real", f"{path}.imag"]
        elif not path.endswith("magnetization"):
            paths.append(path)
    return paths


def _dynamics_path(path: str) -> bool:
    """A path of the dynamics keys (MODEL.md 9)."""
    return path.startswith("dynamics.") or bool(re.search(r"\.(Ms|alpha|K_u|gamma|easy_axis(\.theta|\.phi)?|demag)$", path))


def vector_paths(stack: ss.Stack) -> list[str]:
    """The paths of settable_paths that hold a vector (3 or 2 numbers)."""
    return [path for path in settable_paths(stack) if path == "field" or path.endswith(("magnetization", ".g_mix"))]


def sweep_values(stack: ss.Stack, path: str) -> st.SearchStrategy[Any]:
    """Values a sweep of ``path`` takes, in the units it takes them (an SI current as J in A/m^2, an SI field
    component as E in V/m), that keep the stack's variables defined (a nonzero field and current)."""
    signed = st.tuples(numbers(0.2, 1.0), st.sampled_from([-1.0, 1.0])).map(lambda v: v[0] * v[1])
    if path in ("field.y", "field.z"):
        return signed.map(lambda v: v * (1e4 if stack.units == "SI" else 1.0))
    if path == "current" and not stack.has_boundary_ends:
        return signed.map(lambda v: v * (1e11 if stack.units == "SI" else 1.0))
    if path.endswith((".g_mix.real", ".g_mix.imag")):
        scale = _reduced(1e15, "interface_conductance", stack)
        return (numbers(0.0, 5.0) if path.endswith("real") else numbers(-3.0, 3.0)).map(lambda g: g * scale)
    if path == "theta":
        return st.one_of(st.sampled_from([0.0, 90.0, 180.0]), numbers(0.0, 180.0))
    return new_values(stack, path)


def directly(stack: ss.Stack, path: str, value: float) -> ss.Stack:
    """The stack with one swept value set as documented, without the sweep's code (theta: with_angle)."""
    if path == "theta":
        return analysis.with_angle(stack, value)
    if stack.units == "SI" and path == "current":
        return with_parameter(stack, path, value / si.ELECTRON_CHARGE)  # J = e j0
    if stack.units == "SI" and path in ("field.y", "field.z"):
        return with_parameter(stack, path, value * si.ELECTRON_CHARGE)  # eps = e E
    return with_parameter(stack, path, value)


def _solved(solution: ss.Solution, name: str) -> np.ndarray:
    """A sweep variable of one configuration, from the public Solution (its report units)."""
    if name in ("g1", "g2", "g1_field", "g2_field"):
        return np.asarray(getattr(solution.efficiency(), name))
    if name in ("tau_DL", "tau_FL"):
        return np.asarray(solution.spin_orbit_torque[0 if name == "tau_DL" else 1])
    if name in ("smr_long", "smr_trans"):
        return np.asarray(solution.smr.longitudinal if name == "smr_long" else solution.smr.transverse)
    return np.asarray(getattr(solution, name))


def _sizes(dataset: Any, stack: ss.Stack) -> dict[str, float]:
    """The size of each unit's variables (at least 1 for pure numbers) and, for torques (which may be 0 but for
    round-off), the spin current that drives them: |j0| + the spin Hall current theta_SH D |eps| of N layers."""
    units = {name: dataset[name].attrs["units"] for name in dataset.data_vars}
    size = {unit: max(float(np.nanmax(np.abs(dataset[name].values), initial=0.0)) for name in units
                      if units[name] == unit) for unit in set(units.values())}
    size["1"] = max(size.get("1", 0.0), 1.0)
    field = 0.0 if stack.field is None else float(np.max(np.linalg.norm(stack.field, axis=-1)))
    drive = float(np.max(np.abs(stack.current))) + max(
        (float(np.abs(layer.material.theta_SH * layer.material.D)) * field
         for layer in stack.layers if not layer.is_ferromagnet), default=0.0)
    if "torque" in units:
        torque = units["torque"]
        size[torque] = max(size[torque], float(si.report(drive, "torque")) if stack.units == "SI" else drive)
    return {name: size[unit] for name, unit in units.items()}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack=full_stacks(batched=False), data=st.data())
def test_a_sweep_of_any_path_gives_the_direct_solve_at_each_point(stack: ss.Stack, data: st.DataObject) -> None:
    """Each sweepable path swept over 2 or 3 values gives, at each point, the solve of the stack with that value
    set.  ``field`` with 3 values and ``right.g_mix`` with 2 were taken as the vector itself: every point had
    the answer of field = [0, 0.5, 1], exit 0.  Vector paths are refused, their components are swept."""
    pytest.importorskip("xarray")
    for path in vector_paths(stack):
        with pytest.raises(ss.StackError, match=r"cannot be swept as numbers: sweep .*(\.y|\.real|\.theta)"):
            ss.sweep(stack, {path: [0.0, 0.5, 1.0]})
    for path in sweepable_paths(stack):
        values = data.draw(st.lists(sweep_values(stack, path), min_size=2, max_size=3), label=path)
        swept = ss.sweep(stack, {path: np.array(values)})
        sizes = _sizes(swept, stack)
        for index, value in enumerate(values):
            solution = ss.solve(directly(stack, path, value))
            for name in swept.data_vars:
                np.testing.assert_allclose(swept[name].values[index], _solved(solution, name), rtol=1e-10,
                                           atol=1e-12 * sizes[name], err_msg=f"{path} = {value}: {name}")


# ---------------------------------------------------------------- the reported case
def _field_driven_valve() -> ss.Stack:
    F1, F2 = ss.Ferromagnet("F1", D=1.0, p=0.5, l=2.0), ss.Ferromagnet("F2", D=1.0, p=0.5, l=2.0)
    spacer = ss.Normal("Pt", D=3.0, l=10.0, theta_SH=0.1)
    return ss.Stack([ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(spacer, 2.0), ss.Layer(F2, 1.5, ss.polar(60, 0))],
                     current=1.0, field=[0.0, 1.0, 0.0])


def test_theta_sweep_keeps_the_in_plane_field():
    """The positional rebuild dropped the field: F2's torque was that of the current alone, and the
    sweep's tau_DL raised "no in-plane field"."""
    stack = _field_driven_valve()
    theta = np.array([30.0, 60.0, 120.0])
    direct = ss.solve(with_parameter(stack, "layers[2].magnetization.theta", theta))
    turned = analysis.with_angle(stack, theta)
    np.testing.assert_array_equal(turned.field, stack.field)
    np.testing.assert_allclose(ss.solve(turned).torque, direct.torque, rtol=1e-12, atol=1e-15)
    without_field = ss.solve(with_parameter(_field_driven_valve(), "field", [0.0, 0.0, 0.0]))
    assert np.max(np.abs(without_field.torque - direct.torque)) > 0.1  # the field matters here
    pytest.importorskip("xarray")
    swept = ss.sweep(stack, {"theta": theta})
    np.testing.assert_allclose(swept.torque.values, direct.torque, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(swept.tau_DL.values, direct.spin_orbit_torque[0], rtol=1e-12, atol=1e-15)


def test_stack_fields_after_layers_are_keyword_only():
    """So a rebuild cannot pass them by position and forget one."""
    N = ss.Normal("N", D=1.0, l=1.0)
    with pytest.raises(TypeError):
        ss.Stack([ss.Layer(N, 1.0)], ss.Reservoir())  # type: ignore[misc]
    assert ss.Stack([ss.Layer(N, 1.0)], left=ss.Reservoir()).units == "reduced"


def test_a_path_changes_one_place_of_a_shared_object():
    """One Layer object at two places, one Lead object at both ends: a path names one place."""
    F, N = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0), ss.Normal("N", D=3.0, l=10.0)
    spacer, lead = ss.Layer(N, 2.0), ss.Lead(F, [0, 0, 1])
    stack = ss.Stack([spacer, ss.Layer(F, 1.0, [1, 0, 0]), spacer], left=lead, right=lead)
    thicker = with_parameter(stack, "layers[0].thickness", 5.0)
    assert [float(layer.thickness) for layer in thicker.layers] == [5.0, 1.0, 2.0]
    turned = with_parameter(stack, "right.magnetization.theta", 180.0)
    np.testing.assert_array_equal(turned.left.magnetization, [0, 0, 1])
    np.testing.assert_array_equal(turned.right.magnetization, [0, 0, -1])


def test_polar_angle_reads_back_exactly_near_the_poles():
    F = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0)
    stack = ss.Stack([ss.Layer(F, 1.0, [0, 0, 1])])
    for theta in (1e-7, 1e-3, 179.9999999):
        read = parameter_value(with_parameter(stack, "layers[0].magnetization.theta", theta), "layers[0].magnetization.theta")
        assert float(read) == pytest.approx(theta, rel=4 * EPS)


def test_si_stack_takes_an_in_plane_field():
    Pt = si.normal("Pt", rho="200 nOhm*m", l_sf="1.5 nm", theta_SH=0.1)
    stack = si.stack([si.layer(Pt, "4 nm")], ss.Open(), ss.Open(), current_density="0 A/m^2",
                     field=[0, "2e4 V/m", 0])
    np.testing.assert_allclose(stack.field, [0.0, si.ELECTRON_CHARGE * 2e4, 0.0], rtol=EPS)
    with pytest.raises(ss.StackError, match=r"^field\[0\]: must be 0"):
        si.stack([si.layer(Pt, "4 nm")], current_density=0, field=["1 V/m", 0, 0])
    with pytest.raises(ss.StackError, match=r"^field\[1\]: expected an electric field"):
        si.stack([si.layer(Pt, "4 nm")], current_density=0, field=[0, "1 m", 0])


@settings(max_examples=200, deadline=None)
@given(vector=st.tuples(*[numbers(-1.0, 1.0)] * 3).filter(lambda v: any(v)), exponent=st.integers(-300, 300))
def test_a_direction_validated_twice_does_not_move(vector: tuple[float, float, float], exponent: int) -> None:
    """A rebuilt layer revalidates its m: that must keep it to the bit (normalising again moved 1 in 4)."""
    from spinstack.model.checks import direction

    once = direction(np.array(vector) * 10.0**exponent, "m")
    assert abs(np.linalg.norm(once) - 1.0) <= 2 * EPS
    np.testing.assert_array_equal(direction(once, "m"), once)
