"""Hypothesis strategies shared by the property tests: stacks with every feature of the model.

* :func:`full_stacks` draws a valid :class:`spinstack.Stack` that may have any feature at once:
  an in-plane field (always, with ``in_plane_field=True``), resistive interfaces (with g_mix at N/F
  nodes), N and F leads (one Lead object may serve both ends), open and magnetic-insulator ends
  (then ``current = 0``), coherent F (l_J, l_phi, D_perp), theta_SH in N, materials shared by
  several layers, one Layer object at several places, a batched parameter, and reduced or SI
  units (SI stacks are built with :mod:`spinstack.si`); SI stacks may carry the dynamics keys
  (MODEL.md 9: the F materials' Ms, alpha, K_u, easy_axis, gamma, free layers, demag factors and a
  :class:`~spinstack.model.dynamics.Dynamics` with field, times, temperature, area, seed, waveform,
  couplings), so that every rebuild is checked to keep them.
* :func:`structure` lists every (path, value) of a stack, found by walking its dataclass
  fields (so a field added later is listed too): the full structural comparison.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

import spinstack as ss
from spinstack import si

#: reduced units, and the SI scales of spinstack.si inputs (SI base units: m, Ohm m, A/m^2, V/m, S/m^2)
_SCALES = {
    "reduced": {"length": 1.0, "rho": 1.0, "current": 1.0, "field": 1.0, "AR": 1.0, "G": 1.0, "sigma": 1.0},
    "SI": {"length": 1e-9, "rho": 1e-7, "current": 1e11, "field": 1e4, "AR": 1e-15, "G": 1e15, "sigma": 1e7},
}

END_KINDS = ("reservoir", "lead_N", "lead_F", "open", "insulator")


def numbers(low: float, high: float) -> st.SearchStrategy[float]:
    """Finite floats in [low, high]."""
    # tiny magnitudes snap to 0: the model refuses |x| < 1e-150 (spinstack.model.checks.SMALLEST)
    return st.floats(low, high, allow_nan=False, allow_infinity=False).map(lambda x: x if abs(x) > 1e-9 else 0.0)


def directions() -> st.SearchStrategy[dict[str, float]]:
    """``{theta, phi}`` in degrees: the poles and the axes often, any direction otherwise."""
    theta = st.one_of(st.sampled_from([0.0, 90.0, 180.0]), numbers(0.0, 180.0))
    phi = st.one_of(st.sampled_from([0.0, 90.0, -90.0, 180.0]), numbers(-180.0, 180.0))
    return st.builds(lambda t, p: {"theta": t, "phi": p}, theta, phi)


@st.composite
def _normal(draw: Any, name: str, units: str) -> ss.Normal:
    scale = _SCALES[units]
    rho, l_sf = draw(numbers(0.2, 5.0)), draw(numbers(0.3, 20.0))
    theta_SH = draw(st.one_of(st.just(0.0), numbers(-0.3, 0.3)))
    if units == "SI":
        return si.normal(name, rho=rho * scale["rho"], l_sf=l_sf * scale["length"], theta_SH=theta_SH)
    return ss.Normal(name, D=1.0 / rho, l=l_sf, theta_SH=theta_SH)


@st.composite
def _ferromagnet(draw: Any, name: str, units: str) -> ss.Ferromagnet:
    scale = _SCALES[units]
    rho, p, l_sf = draw(numbers(0.2, 5.0)), draw(numbers(-0.9, 0.9)), draw(numbers(0.3, 20.0))
    coherence: dict[str, Any] = {}
    if draw(st.booleans()):  # coherent F (MODEL.md 8e): l_J and/or l_phi, maybe D_perp
        for key in draw(st.sampled_from([("l_J",), ("l_phi",), ("l_J", "l_phi")])):
            coherence[key] = draw(st.one_of(st.just(math.inf), numbers(0.2, 10.0))) * scale["length"]
        if draw(st.booleans()):
            coherence["D_perp"] = draw(numbers(0.2, 5.0)) * scale["sigma"]
    if units == "SI":
        return si.ferromagnet(name, rho=rho * scale["rho"], beta=p, l_sf=l_sf * scale["length"], **coherence)
    return ss.Ferromagnet(name, D=(1.0 - p**2) / rho, p=p, l=l_sf, **coherence)


@st.composite
def _macrospin_constants(draw: Any) -> dict[str, Any]:
    """A ferromagnet's dynamics constants (SI): Ms and alpha always, K_u with its axis and gamma sometimes."""
    constants: dict[str, Any] = {"Ms": draw(numbers(1e5, 2e6)), "alpha": draw(numbers(0.0, 0.1))}
    if draw(st.booleans()):
        constants.update(K_u=draw(numbers(-1e5, 1e5)), easy_axis=draw(st.one_of(st.just("+z"), directions())))
    if draw(st.booleans()):
        constants["gamma"] = draw(numbers(1e11, 2e11))
    return constants


@st.composite
def _dynamics(draw: Any, ferromagnets: list[int]) -> Any:
    """A [dynamics] table: any subset of its keys, couplings between the given F layers."""
    from spinstack.model.dynamics import Dynamics

    settings: dict[str, Any] = {"field": [draw(numbers(-0.1, 0.1)) for _ in range(3)]}
    if draw(st.booleans()):
        settings["duration"] = draw(numbers(1.0, 100.0)) * 1e-9  # numbers() snaps |x| < 1e-9 to 0
        settings["save_every"] = settings["duration"] / draw(st.integers(1, 1000))
    if draw(st.booleans()):
        settings.update(temperature=draw(numbers(0.0, 400.0)), area=draw(numbers(1.0, 10.0)) * 1e-15)
    if draw(st.booleans()):
        settings["seed"] = draw(st.integers(0, 2**32))
    if draw(st.booleans()):
        times = np.cumsum([draw(numbers(0.1, 1.0)) * 1e-9 for _ in range(draw(st.integers(1, 4)))])
        settings["waveform"] = [(t, draw(numbers(-1e12, 1e12))) for t in times]
    if len(ferromagnets) >= 2 and draw(st.booleans()):
        pair = draw(st.permutations(ferromagnets))[:2]
        settings["couplings"] = [(pair, draw(numbers(-1.0, 1.0)) * 1e-3)]
    return Dynamics(**settings)


@st.composite
def full_stacks(draw: Any, *, units: str | None = None, ferromagnets: int | None = None,
                batched: bool | None = None, in_plane_field: bool = False, dynamics: bool | None = None) -> ss.Stack:
    """A valid stack with any combination of the model's features.

    Parameters
    ----------
    units
        ``"reduced"`` or ``"SI"``; drawn when None.
    ferromagnets
        The number of F layers (every two separated by an N spacer; an F lead is kept from
        touching an F layer by an N layer); 0 to 3 drawn when None.
    batched
        Whether one thickness is an array of shape (2,) (batch shape (2,)); drawn when None.
    in_plane_field
        True: the stack always has a nonzero in-plane field.  False: whether it has one is drawn
        (a stack with an open or insulator end, which carries no CPP current, always has one).
    dynamics
        Whether an SI stack carries the dynamics keys (every F material Ms and alpha, maybe K_u and
        its axis and gamma; F layers maybe free, maybe with demag factors; a Dynamics); drawn when
        None.  Reduced stacks never do (dynamics needs SI).
    """
    units = draw(st.sampled_from(["reduced", "SI"])) if units is None else units
    scale = _SCALES[units]
    count = draw(st.integers(0, 3)) if ferromagnets is None else ferromagnets
    f_pool = [draw(_ferromagnet(f"F{k}", units)) for k in range(draw(st.integers(1, 2)))]
    with_dynamics = units == "SI" and (draw(st.booleans()) if dynamics is None else dynamics)
    if with_dynamics:
        f_pool = [dataclasses.replace(material, **draw(_macrospin_constants())) for material in f_pool]
    n_pool = [draw(_normal(f"N{k}", units)) for k in range(draw(st.integers(1, 2)))]

    # ends first: an F lead needs an N layer between it and the layers
    kinds = [draw(st.sampled_from(END_KINDS)) for _ in range(2)]
    ends: list[Any] = []
    for kind in kinds:
        if kind == "reservoir":
            ends.append(ss.Reservoir())
        elif kind == "open":
            ends.append(ss.Open())
        elif kind == "insulator":
            g_r = draw(st.one_of(st.just(0.0), numbers(0.0, 10.0))) * scale["G"]
            g_i = draw(numbers(-3.0, 3.0)) * scale["G"]
            g_s = draw(st.one_of(st.just(0.0), numbers(0.0, 5.0))) * scale["G"]
            to_model = (lambda g: si.to_reduced(g, "interface_conductance")) if units == "SI" else np.asarray
            ends.append(ss.Insulator(draw(directions()), g_mix=[float(to_model(g_r)), float(to_model(g_i))],
                                     g_s=float(to_model(g_s))))
        else:
            material = draw(st.sampled_from(n_pool if kind == "lead_N" else f_pool))
            m = draw(directions()) if kind == "lead_F" else None
            ends.append(si.lead(material, m) if units == "SI" else ss.Lead(material, m))
    if kinds[0] == kinds[1] and kinds[0].startswith("lead") and draw(st.booleans()):
        ends[1] = ends[0]  # one Lead object at both ends: a path changes one end only

    # layers: [N] F N F ... [N], N forced next to an F lead
    pattern: list[str] = []
    if draw(st.booleans()) or kinds[0] == "lead_F" or count == 0:
        pattern.append("N")
    for k in range(count):
        pattern.append("F")
        if k < count - 1:
            pattern += ["N"] * draw(st.integers(1, 2))
    if (draw(st.booleans()) or kinds[1] == "lead_F") and count > 0:
        pattern.append("N")
    layers: list[ss.Layer] = []
    n_layers: list[ss.Layer] = []
    for kind in pattern:
        if kind == "N" and n_layers and draw(st.booleans()):
            layers.append(draw(st.sampled_from(n_layers)))  # the same Layer object again
            continue
        thickness = draw(numbers(0.1, 5.0)) * scale["length"]
        material = draw(st.sampled_from(n_pool if kind == "N" else f_pool))
        m = draw(directions()) if kind == "F" else None
        layer = si.layer(material, thickness, m) if units == "SI" else ss.Layer(material, thickness, m)
        if with_dynamics and kind == "F":
            demag = draw(st.one_of(st.none(), st.tuples(*[numbers(0.0, 1.0)] * 3).filter(lambda n: sum(n) > 0.1)))
            layer = dataclasses.replace(layer, free=draw(st.booleans()),
                                        demag=None if demag is None else np.array(demag) / sum(demag))
        layers.append(layer)
        if kind == "N":
            n_layers.append(layer)
    if batched if batched is not None else draw(st.booleans()):
        index = draw(st.integers(0, len(layers) - 1))
        layers[index] = dataclasses.replace(layers[index], thickness=layers[index].thickness * np.array([1.0, 1.5]))

    # interfaces at some nodes (not at the face of an open or insulator end)
    interfaces: list[Any] = []
    for node in range(len(layers) + 1):
        end_face = (node == 0 and kinds[0] in ("open", "insulator")) or \
                   (node == len(layers) and kinds[1] in ("open", "insulator"))
        if end_face or not draw(st.integers(0, 2)) == 0:
            continue
        before = layers[node - 1] if node > 0 else ends[0]
        after = layers[node] if node < len(layers) else ends[1]
        magnetic = sum(getattr(e, "magnetization", None) is not None for e in (before, after))
        reservoir = any(isinstance(e, ss.Reservoir) for e in (before, after))
        needs_mix = magnetic == 1 and (not reservoir or draw(st.booleans()))
        AR = draw(numbers(0.05, 5.0))
        gamma = draw(numbers(-0.8, 0.8)) if magnetic else 0.0
        delta = draw(st.one_of(st.just(0.0), numbers(0.0, 1.0)))
        mix = [draw(numbers(0.0, 10.0)), draw(numbers(-3.0, 3.0))] if needs_mix else None
        if units == "SI":
            interfaces.append(si.interface(node, AR=AR * scale["AR"], gamma=gamma, delta=delta,
                                           G_mix=None if mix is None else [g * scale["G"] for g in mix]))
        else:
            interfaces.append(ss.Interface.from_valet_fert(node, AR, gamma, mix, delta))

    boundary = any(kind in ("open", "insulator") for kind in kinds)
    J = 0.0 if boundary else draw(numbers(-2.0, 2.0)) * scale["current"]
    field = None
    if in_plane_field or boundary or draw(st.booleans()):
        field = [0.0, draw(numbers(-1.0, 1.0)) * scale["field"], draw(numbers(-1.0, 1.0)) * scale["field"]]
        if in_plane_field and field[1] == field[2] == 0.0:
            field[1] = scale["field"]
    if units == "SI":
        stack = si.stack(layers, ends[0], ends[1], current_density=J, interfaces=interfaces, field=field)
        if with_dynamics:  # si.stack takes no dynamics settings: added as a rebuild would keep them
            ferromagnet_layers = [i for i, layer in enumerate(layers) if layer.is_ferromagnet]
            stack = dataclasses.replace(stack, dynamics=draw(_dynamics(ferromagnet_layers)))
        return stack
    return ss.Stack(layers, left=ends[0], right=ends[1], current=J, interfaces=interfaces, field=field)


def structure(stack: ss.Stack) -> dict[str, Any]:
    """Every (path, value) of ``stack``: the kind of every element (``"left.kind": "Open"``), every field of
    every dataclass in it (layers, ends, materials, interfaces, units, current, field), numbers as
    (dtype, shape, bytes) so that equal means identical to the bit (also -0.0 against 0.0)."""
    items: dict[str, Any] = {}

    def walk(path: str, value: Any) -> None:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            items[f"{path}.kind" if path else "kind"] = type(value).__name__
            for entry in dataclasses.fields(value):
                walk(f"{path}.{entry.name}" if path else entry.name, getattr(value, entry.name))
        elif isinstance(value, (tuple, list)):
            items[f"{path}.count"] = len(value)
            for index, element in enumerate(value):
                walk(f"{path}[{index}]", element)
        elif value is None or isinstance(value, str):
            items[path] = value
        elif isinstance(value, (np.ndarray, float, int, np.number)):
            array = np.asarray(value)
            items[path] = (array.dtype.str, array.shape, array.tobytes())
        else:
            raise TypeError(f"{path}: no structural comparison for {type(value).__name__}")

    walk("", stack)
    return items


def assert_same_stack(a: ss.Stack, b: ss.Stack) -> None:
    """``a`` and ``b`` equal to the bit, structure and every number (:func:`structure`); the first ten paths
    that differ otherwise."""
    left, right = structure(a), structure(b)
    differing = sorted(key for key in set(left) | set(right) if left.get(key) != right.get(key))
    assert differing == [], differing[:10]


def as_array(item: Any) -> np.ndarray:
    """The array behind a numeric :func:`structure` entry."""
    dtype, shape, data = item
    return np.frombuffer(data, dtype=dtype).reshape(shape)
