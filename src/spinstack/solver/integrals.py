"""Integrals of a solved node system (MODEL.md 4, 5): spin-flip loss per layer, the functional S, the
interface drops and the resistance-area product; closed forms over the exact profiles between nodes.
"""

from __future__ import annotations

import numpy as np

from ..errors import SpinstackError
from . import coherent
from .arrays import StackArrays
from .readout import UnitSolution
from .twoports import layer_sink, layer_stiffness, lead_stiffness
from .vectors import dot

def layer_ends(unit: UnitSolution) -> tuple[np.ndarray, np.ndarray]:
    """(mu_a, mu_b): each layer's values at its left and right faces, (B..., L, 3) each."""
    return unit.accumulation_right[..., :-1, :], unit.accumulation[..., 1:, :]


def spin_flip_loss(arrays: StackArrays, mu_a: np.ndarray, mu_b: np.ndarray) -> np.ndarray:
    """Spin lost to the lattice in each layer, integral of D mu_s / (2 l^2) dx: (B..., L, 3).

    Closed form: (Gc - Gs) (mu_a + mu_b) = (D / (2 d)) X tanh(X / 2) (mu_a + mu_b), zero for l = inf.
    """
    factors = [np.broadcast_to(layer_sink(layer), arrays.batch_shape) for layer in arrays.layers]
    if not factors:
        return np.zeros(mu_a.shape[:-2] + (0, 3))
    factor = np.stack(factors, axis=-1)[..., None]
    loss = factor * (mu_a + mu_b)
    for i, layer in enumerate(arrays.layers):
        if not layer.is_coherent:
            continue
        # MODEL.md 8e: the longitudinal part as above; the transverse part relaxes with kappa_sf on its own profile
        m = np.broadcast_to(layer.m, loss.shape[:-2] + (3,))
        total = mu_a[..., i, :] + mu_b[..., i, :]
        along = dot(m, total)[..., None] * m
        transverse = coherent.act(np.broadcast_to(coherent.loss_factor(layer), arrays.batch_shape), m, total)
        loss[..., i, :] = factor[..., i, :] * along + transverse
    return loss


def functional(arrays: StackArrays, mu_a: np.ndarray, mu_b: np.ndarray, lead_left: np.ndarray,
               lead_right: np.ndarray, current: np.ndarray) -> np.ndarray:
    """The functional S of MODEL.md 5 at the given node values (profiles between nodes exact).

    Per layer, with a, b its end values: (1/2)[Gc (|a|^2 + |b|^2) - 2 Gs a.b] - p j0 m.(b - a)
    + p^2 j0^2 d / D (the quadratic part integrates by parts using mu'' = mu / l^2); leads add
    -p j0 m.mu_0 + (G/2)|mu_0|^2 (left, ``lead_left`` = mu_0) and +p j0 m.mu_L + (G/2)|mu_L|^2
    (right).  Transparent interfaces only: MODEL.md 5 states no interface term.
    """
    if arrays.coherent:
        raise SpinstackError("the functional S (MODEL.md 5) is not stated for finite transverse coherence "
                             "(l_J, l_phi; MODEL.md 8e): the precession term is not variational")
    shape = mu_a.shape[:-2]
    current = np.broadcast_to(current, shape)
    total = np.zeros(shape)

    for i, layer in enumerate(arrays.layers):
        a, b = mu_a[..., i, :], mu_b[..., i, :]
        gc, gs = layer_stiffness(layer)
        total = total + 0.5 * (gc * (dot(a, a) + dot(b, b)) - 2.0 * gs * dot(a, b))
        if layer.is_ferromagnet:
            total = total - layer.p * current * dot(layer.m, b - a) + layer.p**2 * current**2 * layer.thickness / layer.D
    for end, mu, sign in ((arrays.left, lead_left, -1.0), (arrays.right, lead_right, 1.0)):
        if end is None:
            continue
        total = total + 0.5 * lead_stiffness(end) * dot(mu, mu)
        if end.is_ferromagnet:
            total = total + sign * end.p * current * dot(end.m, mu)
    return total


def interface_drops(arrays: StackArrays, unit: UnitSolution) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per interface: (1/g, -gamma m.(mu^- - mu^+)/2), the jump of mu_0 per unit current (MODEL.md 3b)."""
    nodes, ohmic, spin = _interface_drop_arrays(arrays, unit)
    return {node: (ohmic[..., j], spin[..., j]) for j, node in enumerate(nodes)}


def _interface_drop_arrays(arrays: StackArrays, unit: UnitSolution) -> tuple[list[int], np.ndarray, np.ndarray]:
    """:func:`interface_drops` as (nodes, 1/g (B..., K), spin part (B..., K)), over all interfaces at once
    (a Python loop of array operations cost ~1 s per solve at 1e5 interfaces)."""
    nodes = list(arrays.interfaces)
    shape = unit.accumulation.shape[:-2]
    if not nodes:
        return nodes, np.zeros(shape + (0,)), np.zeros(shape + (0,))
    elements = [arrays.interfaces[node] for node in nodes]
    with np.errstate(divide="ignore"):  # g = inf: the transparent channel, no ohmic drop
        ohmic = 1.0 / _per_layer([element.g for element in elements], shape)
    gamma = _per_layer([element.gamma for element in elements], shape)
    axes = [unit.interface_axes[node] for node in nodes]
    magnetic = np.array([m is not None for m in axes])
    if not magnetic.any():
        return nodes, ohmic, np.zeros(ohmic.shape)
    m = _per_layer([np.zeros(3) if axis is None else axis for axis in axes], shape, vector=True)
    jump = unit.accumulation[..., nodes, :] - unit.accumulation_right[..., nodes, :]
    spin = np.where(magnetic, -0.5 * gamma * np.einsum("...ki,...ki->...k", m, jump), 0.0)
    return nodes, ohmic, spin


def _per_layer(values: list, shape: tuple[int, ...], vector: bool = False) -> np.ndarray:
    """Per-layer values stacked along a new axis: (B..., L), or (B..., L, 3) for vectors."""
    tail = (3,) if vector else ()
    try:  # the common unbatched case: one array call (a shape test per value cost ~1 s at 1e5 layers)
        stacked = np.array(values)
    except ValueError:  # values of different shapes
        stacked = None
    if stacked is not None and stacked.dtype != object and stacked.shape == (len(values),) + tail:
        return np.broadcast_to(np.moveaxis(stacked, 0, -1 - len(tail)), shape + stacked.shape[:1] + tail) if shape else stacked
    return np.stack([np.broadcast_to(value, shape + tail) for value in values], axis=-1 - len(tail))


def resistance_area(arrays: StackArrays, unit: UnitSolution) -> tuple[np.ndarray, np.ndarray]:
    """(total, spin part) of the resistance-area product r = [mu_0(left) - mu_0(right)] / j0 (MODEL.md 4).

    Per unit current.  Ohmic part: sum of d / sigma and of 1/g over interfaces; spin part:
    sum over F layers of (p/2)(mu_b - mu_a) (scalars along m), (p/2) mu_0 for an F lead on
    the left, -(p/2) mu_L for one on the right, and -gamma m.(mu^- - mu^+)/2 per interface.
    """
    known = getattr(unit, "spin_resistance", None)
    if known is not None:  # the compiled chain formed the spin part with its node values (no interfaces there)
        ohmic = sum((layer.thickness * (1.0 - layer.p**2) / layer.D for layer in arrays.layers), np.zeros(()))
        return ohmic + known, known
    mu_a, mu_b = layer_ends(unit)
    shape = mu_a.shape[:-2]
    ohmic = np.zeros(shape)
    spin = np.zeros(shape)
    layers = arrays.layers
    if layers:
        # per-layer parameters gathered once: a Python loop of array operations cost ~0.6 s at 1e5 layers
        D, p, d = (_per_layer([getattr(layer, key) for layer in layers], shape) for key in ("D", "p", "thickness"))
        ohmic = ohmic + np.sum(d * (1.0 - p**2) / D, axis=-1)
        magnetic = [i for i, layer in enumerate(layers) if layer.is_ferromagnet]
        if magnetic:
            m = _per_layer([layers[i].m for i in magnetic], shape, vector=True)
            jump = mu_b[..., magnetic, :] - mu_a[..., magnetic, :]
            spin = spin + np.sum(0.5 * p[..., magnetic] * np.einsum("...ki,...ki->...k", m, jump), axis=-1)
    ends = ((arrays.left, unit.accumulation[..., 0, :], 1.0), (arrays.right, unit.accumulation_right[..., -1, :], -1.0))
    for end, mu, sign in ends:
        if end is not None and end.is_ferromagnet:
            spin = spin + sign * 0.5 * end.p * np.einsum("...i,...i->...", end.m, mu)
    _, interface_ohmic, interface_spin = _interface_drop_arrays(arrays, unit)
    ohmic = ohmic + np.sum(interface_ohmic, axis=-1)
    spin = spin + np.sum(interface_spin, axis=-1)
    return ohmic + spin, spin
