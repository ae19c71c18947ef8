"""Profiles between and beyond the nodes: mu_s(x), j_s(x) and mu_0(x) from the node values (MODEL.md 2, 3b, 8b, 8e).

Once the node system is solved, every layer is known in closed form from its two end values
mu_a = mu_s(x_a+) and mu_b = mu_s(x_b-) (MODEL.md 2):

    mu_s(x) = [mu_a sinh((x_b - x)/l) + mu_b sinh((x - x_a)/l)] / sinh(d/l)
    j_s(x)  = p j0 m + s - (D/2) dmu_s/dx        (s the spin Hall source of an N layer, MODEL.md 8b)
    mu_0(x) = mu_0(x_a+) - j0 (x - x_a) / sigma - (p/2) m.(mu_s(x) - mu_a)     (seed eq. 2, sigma = D/(1-p^2))

a lead carries the tail mu_s(x) = mu_node exp(-|x - x_node|/l), a reservoir mu_s = 0 and a
constant mu_0.  In a coherent F (MODEL.md 8e) the part normal to m follows the complex sinh
forms of :mod:`.coherent`.  Everything here takes and returns plain arrays with the batch shape
B in front; x is a flat array of N positions, in the units of the thicknesses.
"""

from __future__ import annotations

import numpy as np

from . import coherent, kernels
from .arrays import Element, StackArrays
from .hyperbolic import sinh_ratio, x_cosh_ratio
from .integrals import interface_drops
from .readout import UnitSolution
from .twoports import spin_hall_source
from .vectors import dot

__all__ = ["COMPILED_FROM", "node_potentials", "profile", "responds_to_field"]

#: points from which :func:`profile` takes the compiled pass by default.  Below, the numpy pass is cheaper
#: (measured 2026-12-04, one configuration, 2 busy cores: numpy 0.4-1 ms at 100-1000 points, the parallel
#: kernel 0.6-1.4 ms there and 0.08-0.3 ms at 1e4 where numpy takes 7-8 ms), and a fresh process that draws a
#: few profiles does not import numba (0.15-0.3 s).  Plots and hodographs ask 65-200 points per layer.
COMPILED_FROM = 2_000


def responds_to_field(arrays: StackArrays) -> bool:
    """Whether the in-plane field drives anything (MODEL.md 8b): the stack has a field and an N element
    (layer or lead) with theta_SH != 0.  Otherwise the field-driven solution is zero everywhere."""
    if arrays.eps is None:
        return False
    return any(np.any(e.theta_SH) for e in arrays.elements() if e is not None and e.m is None)


def node_potentials(arrays: StackArrays, current: np.ndarray, accumulation: np.ndarray, accumulation_right: np.ndarray,
                    per_unit_current: UnitSolution, field_driven: UnitSolution | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """mu_0 just left and just right of every node, with mu_0 = 0 just left of node 0.

    Each layer drops j0 d / sigma + (p/2) m.(mu_b - mu_a); a resistive interface drops
    j0 / g - gamma m.(mu^- - mu^+) / 2 (MODEL.md 3b).  The in-plane drive adds only the spin
    parts (it carries no CPP current).

    Parameters
    ----------
    arrays
        The stack's numbers.
    current
        j0, shape B (particle flux per area).
    accumulation, accumulation_right
        mu_s just left and just right of every node, (B..., L + 1, 3), both drives summed (energy).
    per_unit_current, field_driven
        The node system solved per unit j0, and driven by the in-plane field alone (None: no response).

    Returns
    -------
    left, right : (B..., L + 1) each, energy units (those of mu_s).
    """
    shape, n_layers, j0 = arrays.batch_shape, len(arrays.layers), current
    drops = {node: j0 * ohmic + j0 * spin for node, (ohmic, spin) in interface_drops(arrays, per_unit_current).items()}
    if field_driven is not None:  # the spin parts of the field-driven accumulation (no ohmic drop: j0 = 0)
        for node, (_, spin) in interface_drops(arrays, field_driven).items():
            drops[node] = drops[node] + spin
    mu_a, mu_b = accumulation_right[..., :-1, :], accumulation[..., 1:, :]
    left = np.zeros(shape + (n_layers + 1,))
    right = np.zeros(shape + (n_layers + 1,))
    for k in range(n_layers + 1):
        if k > 0:
            layer = arrays.layers[k - 1]
            drop = j0 * layer.thickness * (1.0 - layer.p**2) / layer.D
            if layer.is_ferromagnet:
                drop = drop + 0.5 * layer.p * dot(layer.m, mu_b[..., k - 1, :] - mu_a[..., k - 1, :])
            left[..., k] = right[..., k - 1] - drop
        right[..., k] = left[..., k] - drops.get(k, 0.0)
    return left, right


def profile(arrays: StackArrays, x: np.ndarray, current: np.ndarray, accumulation: np.ndarray,
            accumulation_right: np.ndarray, potential_left: np.ndarray, potential_right: np.ndarray,
            spin_hall: bool = False, backend: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """mu_s(x), j_s(x) and mu_0(x) at the flat positions ``x`` (MODEL.md 2, 8b, 8e).

    Parameters
    ----------
    arrays
        The stack's numbers; node 0 is at x = 0.
    x
        (N,) finite positions (units of the thicknesses).  Left of node 0 is the left end, right of
        node L the right end; at an interior node the layer to the right is used (mu_s is continuous
        there), at node L the last layer.
    current
        j0, shape B.
    accumulation, accumulation_right
        mu_s just left and just right of every node, (B..., L + 1, 3) (:func:`node_potentials`'s inputs).
    potential_left, potential_right
        mu_0 just left and just right of every node, (B..., L + 1) (:func:`node_potentials`).
    spin_hall
        Whether the spin Hall sources s of N elements enter j_s (the field drives the stack:
        :func:`responds_to_field`).
    backend
        ``"compiled"`` (one configuration at a time in :func:`.kernels.profile_kernel`: numba, no batch,
        real values, CPP drive between reservoirs and leads, full absorption in F), ``"numpy"`` (any
        stack), or None: the compiled one where it applies and N >= :data:`COMPILED_FROM`.

    Returns
    -------
    mu_s : (B..., N, 3), j_s : (B..., N, 3), mu_0 : (B..., N)
        In the units of the inputs (energy, particle flux per area, energy).
    """
    shape = arrays.batch_shape
    n_layers = len(arrays.layers)
    if backend not in (None, "numpy", "compiled"):
        raise ValueError(f"profile backend must be 'numpy', 'compiled' or None, got {backend!r}")
    wanted = backend == "compiled" or (backend is None and x.shape[0] >= COMPILED_FROM)
    compiled = wanted and kernels.profile_applies(arrays, accumulation, current)
    if backend == "compiled" and not compiled:
        raise ValueError("the compiled profile does not apply: it takes one real configuration of a CPP-driven "
                         "stack with full absorption in F (and numba)")
    if compiled:  # one configuration: every point in one compiled pass
        return kernels.profile_kernel(arrays, x, accumulation, accumulation_right, potential_left, potential_right,
                                      float(current))
    # positions broadcast only over the thicknesses' own shape: a scalar geometry uses searchsorted
    thicknesses = [np.asarray(e.thickness) for e in arrays.layers]
    geometry = np.broadcast_shapes(*(t.shape for t in thicknesses)) if thicknesses else ()
    positions = np.cumsum(np.stack([np.zeros(geometry)] + [np.broadcast_to(t, geometry) for t in thicknesses], axis=-1), axis=-1)
    if positions.ndim == 1:
        region = np.searchsorted(positions, x, side="right") - 1
    else:
        region = (x[:, None] >= positions[..., None, :]).sum(axis=-1) - 1
    region = np.where(x == positions[..., -1:], n_layers - 1, region) if n_layers else region
    region = np.broadcast_to(region, shape + x.shape)
    positions = np.broadcast_to(positions, shape + (n_layers + 1,))
    mu_left, mu_right = accumulation, accumulation_right  # (B..., L + 1, 3)
    current = current[..., None]  # (B..., 1)
    N = x.shape[0]
    mu = np.zeros(shape + (N, 3))
    js = np.zeros(shape + (N, 3))
    mu0 = np.zeros(shape + (N,))

    def gather(values: np.ndarray, inside: np.ndarray) -> np.ndarray:
        """values (B..., L[, 3]) picked at each point's layer -> (B..., N[, 3])."""
        index = np.where(inside, region, 0)
        if values.ndim == len(shape) + 2:
            return np.take_along_axis(values, np.broadcast_to(index[..., None], index.shape + (3,)), axis=-2)
        return np.take_along_axis(values, index, axis=-1)

    if n_layers:
        inside = (region >= 0) & (region < n_layers)
        stacked = lambda name: np.stack([np.broadcast_to(getattr(e, name), shape) for e in arrays.layers], axis=-1)
        D, l, d, p = stacked("D"), stacked("l"), stacked("thickness"), stacked("p")
        m = np.stack([np.broadcast_to(e.m if e.m is not None else np.zeros(3), shape + (3,)) for e in arrays.layers], axis=-2)
        D, l, d, p, m = (gather(v, inside) for v in (D, l, d, p, m))
        x_a = gather(positions[..., :-1], inside)
        a, b = gather(mu_right[..., :-1, :], inside), gather(mu_left[..., 1:, :], inside)
        potential_a = gather(potential_right[..., :-1], inside)
        X = d / l
        t = np.clip((x - x_a) / d, 0.0, 1.0)
        mu_in = a * sinh_ratio(1.0 - t, X)[..., None] + b * sinh_ratio(t, X)[..., None]
        slope = (b * x_cosh_ratio(t, X)[..., None] - a * x_cosh_ratio(1.0 - t, X)[..., None]) / d[..., None]
        js_in = (p * current)[..., None] * m - 0.5 * D[..., None] * slope
        if spin_hall:  # the spin Hall source of N layers (MODEL.md 8b)
            sources = np.stack([np.broadcast_to(_spin_hall_source(e, arrays), shape + (3,)) for e in arrays.layers], axis=-2)
            js_in = js_in + gather(sources, inside)
        for i, layer in enumerate(arrays.layers):
            if layer.is_coherent:  # MODEL.md 8e: longitudinal part as above, transverse from the complex sinh forms
                here = inside & (region == i)
                if not here.any():
                    continue
                parameters = layer._replace(**{name: np.broadcast_to(getattr(layer, name), shape)[..., None] for name in
                                               ("D", "l", "thickness", "l_J", "l_phi", "D_perp")})
                mu_perp, js_perp = coherent.profile(parameters, t, a, b, m)
                mu_coherent = dot(m, mu_in)[..., None] * m + mu_perp
                js_coherent = dot(m, js_in)[..., None] * m + js_perp
                mu_in = np.where(here[..., None], mu_coherent, mu_in)
                js_in = np.where(here[..., None], js_coherent, js_in)
        along_in = dot(m, mu_in) - dot(m, a)
        mu0_in = potential_a - current * (x - x_a) * (1.0 - p**2) / D - 0.5 * p * along_in
        mu = np.where(inside[..., None], mu_in, mu)
        js = np.where(inside[..., None], js_in, js)
        mu0 = np.where(inside, mu0_in, mu0)

    for end, side in ((arrays.left, "left"), (arrays.right, "right")):
        node = 0 if side == "left" else n_layers
        here = region < 0 if side == "left" else region >= n_layers
        x_node = positions[..., node : node + 1]
        node_potential = potential_left if side == "left" else potential_right
        mu_nodes = mu_left if side == "left" else mu_right
        if end is None:  # reservoir: mu_s = 0, no spin current, mu_0 constant
            mu0 = np.where(here, node_potential[..., node : node + 1], mu0)
            continue
        D, l, p = (np.broadcast_to(v, shape)[..., None] for v in (end.D, end.l, end.p))
        m = np.zeros(shape + (1, 3)) if end.m is None else np.broadcast_to(end.m, shape + (3,))[..., None, :]
        mu_node = mu_nodes[..., node, :][..., None, :]
        mu_end = mu_node * np.exp(-np.abs(x - x_node) / l)[..., None]
        sign = -1.0 if side == "left" else 1.0
        js_end = (p * current)[..., None] * m + sign * (D / (2.0 * l))[..., None] * mu_end
        if end.is_coherent:  # MODEL.md 8e: the transverse part decays as exp(-k |x - x_node|), j_perp = -+Gt mu_perp
            k = np.broadcast_to(coherent.wavenumber(end), shape)[..., None]
            gt = np.broadcast_to(coherent.lead_stiffness(end), shape)[..., None]
            mu_perp = coherent.act(np.exp(-k * np.abs(x - x_node)), m, mu_node)
            mu_end = dot(m, mu_end)[..., None] * m + mu_perp
            js_end = dot(m, js_end)[..., None] * m + sign * coherent.act(gt, m, mu_perp)
        if spin_hall:
            js_end = js_end + np.broadcast_to(_spin_hall_source(end, arrays), shape + (3,))[..., None, :]
        along = dot(m, mu_end - mu_node)
        mu0_end = node_potential[..., node : node + 1] - current * (x - x_node) * (1.0 - p**2) / D - 0.5 * p * along
        mu = np.where(here[..., None], mu_end, mu)
        js = np.where(here[..., None], js_end, js)
        mu0 = np.where(here, mu0_end, mu0)
    return mu, js, mu0


def _spin_hall_source(element: Element, arrays: StackArrays) -> np.ndarray:
    """s of an N element under the stack's field (zero in F and without a field)."""
    if element.m is not None or arrays.eps is None:
        return np.zeros(3)
    return spin_hall_source(element, arrays.eps)
