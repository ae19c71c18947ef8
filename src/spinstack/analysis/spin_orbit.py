"""Spin-orbit torques and spin Hall magnetoresistance as curves (MODEL.md 8): numbers behind the SOT figures.

Every function solves one batched stack (the swept parameter as an array): no Python loop
per point.  Swept values are in the stack's own units (thicknesses in m for an SI stack);
torques are those of :attr:`spinstack.Solution.spin_orbit_torque` (reduced, or J/m^2 for an SI
stack; ``reduced=True`` gives the solver's model numbers, as :attr:`spinstack.Solution.reduced`);
the SMR is a ratio.

* :func:`torque_thickness`: tau_DL, tau_FL of an F layer (or of an insulator end) against a
  layer's thickness, with MODEL.md 8g limit 4 (theta |j_in| (1 - sech(d/l))) where it applies;
* :func:`smr_thickness`: SMR (longitudinal, transverse) against a layer's thickness, with the
  Chen form of MODEL.md 8g limit 6 where it applies (an HM film between an open face and an insulator);
* :func:`smr_angle`: SMR against the direction of a magnet (insulator end or F layer) turned in one
  of the planes of SMR experiments (alpha, beta, gamma), with the Chen form where it applies.

The rotation planes, in the frame of the drive: eps_hat (the in-plane field, along the electron
drift), sigma_hat = xhat x eps_hat (in the film plane) and the film normal n = xhat:

===========  =====================  ===============================================
plane        m(angle)               with eps = +y (sigma_hat = +z)
===========  =====================  ===============================================
``alpha``    cos a eps + sin a sig  film plane (y-z), from the current direction
``beta``     cos b n + sin b sig    plane normal to the current (x-z), from the normal
``gamma``    cos g n + sin g eps    plane of current and normal (x-y), from the normal
===========  =====================  ===============================================

(the names of Nakayama et al., PRL 110, 206601 (2013) and Althammer et al., PRB 87, 224401 (2013)).
The SMR varies as m_sigma^2: cos^2 a in alpha, cos^2 b in beta, not at all in gamma.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..errors import SpinstackError
from ..model import Ferromagnet, Insulator, Open, Stack
from ..model.paths import parameter_value, with_parameter
from ..solution import Solution, solve, stack_of
from ..solver.in_plane import sigma_hat as spin_hall_polarisation
from ..units import report

#: the rotation planes of :func:`smr_angle`, in the order of the figures
PLANES = ("alpha", "beta", "gamma")

__all__ = ["PLANES", "SmrCurve", "TorqueCurve", "chen_smr", "smr_angle", "smr_scan_plane", "smr_thickness",
           "spin_hall_layer", "torque_thickness"]


@dataclass(frozen=True)
class TorqueCurve:
    """tau_DL, tau_FL of one magnet against a parameter (MODEL.md 8f).

    Attributes
    ----------
    parameter : the swept path (``layers[0].thickness``)
    values : (n,) its values, in the stack's units
    target : the magnet: an F layer index or "left"/"right" (an insulator end)
    damping_like, field_like : (n,) torque = tau_DL m x (sigma_hat x m) + tau_FL m x sigma_hat
    closed_form : (n,) theta |j_in| (1 - sech(d/l)) of MODEL.md 8g limit 4 when it applies, else None
    """

    parameter: str
    values: np.ndarray
    target: int | str
    damping_like: np.ndarray
    field_like: np.ndarray
    closed_form: np.ndarray | None = None


@dataclass(frozen=True)
class SmrCurve:
    """The spin Hall magnetoresistance against a parameter or an angle (MODEL.md 8c).

    Attributes
    ----------
    parameter : the swept path, or the rotation plane name for :func:`smr_angle`
    values : (n,) its values (angles in degrees)
    longitudinal, transverse : (n,) smr.long (Delta R / R) and smr.trans
    closed_form : (longitudinal, transverse) of the Chen form (MODEL.md 8g limit 6) when it applies, else None
    magnetization : (n, 3) the magnet's direction at each point (:func:`smr_angle`), else None
    """

    parameter: str
    values: np.ndarray
    longitudinal: np.ndarray
    transverse: np.ndarray
    closed_form: tuple[np.ndarray, np.ndarray] | None = None
    magnetization: np.ndarray | None = None


# ------------------------------------------------------------------ checks
def _check_drive(stack: Stack) -> None:
    """A single configuration with a non-zero in-plane field and a spin Hall layer, else a one-line error."""
    if stack.batch_shape != ():
        raise SpinstackError("spin-orbit curves take a single configuration (no array parameters in the stack)")
    if not stack.has_field:
        raise SpinstackError("this stack has no in-plane field: spin-orbit torques and the SMR need 'field' "
                             "(MODEL.md 8a)")
    if not np.any(stack.field):
        raise SpinstackError("the in-plane field is zero: no spin Hall drive")
    spin_hall_layer(stack)


def spin_hall_layer(stack: Stack | Solution) -> int:
    """Index of the first normal-metal layer with theta_SH != 0 (the heavy metal) of a stack or a solution's
    stack; a one-line error if none."""
    stack = stack_of(stack, "spin_hall_layer")
    for index, layer in enumerate(stack.layers):
        if not layer.is_ferromagnet and np.any(np.asarray(layer.material.theta_SH) != 0):
            return index
    raise SpinstackError("this stack has no normal-metal layer with theta_SH != 0: nothing converts the "
                         "in-plane current into spin current (MODEL.md 8b)")


def _values(values: ArrayLike) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise SpinstackError(f"expected a non-empty one-dimensional array of values, got shape {array.shape}")
    return array


def _target(stack: Stack, target: int | str | None) -> int | str:
    """The magnet whose torque is wanted: an F layer index, or "left"/"right" for an insulator end."""
    if target is None:
        if stack.ferromagnet_indices:
            return stack.ferromagnet_indices[0]
        for side in ("right", "left"):
            if isinstance(getattr(stack, side), Insulator):
                return side
        raise SpinstackError("this stack has no magnet (no F layer, no insulator end): no spin-orbit torque")
    if isinstance(target, str):
        if target not in ("left", "right") or not isinstance(getattr(stack, target), Insulator):
            raise SpinstackError(f"{target!r}: not a magnetic-insulator end of this stack")
        return target
    index = int(target)
    if not -len(stack.layers) <= index < len(stack.layers) or not stack.layers[index].is_ferromagnet:
        raise SpinstackError(f"layers[{index}]: not a ferromagnetic layer of this stack")
    return index % len(stack.layers)


def _thickness_path(stack: Stack, parameter: str | None) -> str:
    if parameter is None:
        return f"layers[{spin_hall_layer(stack)}].thickness"
    parameter_value(stack, parameter)  # a one-line StackError for an unknown path
    return parameter


def _swept(stack: Stack, parameter: str, values: np.ndarray) -> Stack:
    """The stack with ``parameter`` set to the array ``values`` (its errors name the path)."""
    return with_parameter(stack, parameter, values)


# ------------------------------------------------------------------ torques
def _parts(solution: Solution, target: int | str) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(target, str):
        end = getattr(solution.stack, target)
        return solution.torque_parts(solution.torque_ends[target], end.magnetization)
    damping, field_like = solution.spin_orbit_torque
    return damping[..., target], field_like[..., target]


def torque_thickness(stack: Stack | Solution, values: ArrayLike, parameter: str | None = None,
                     target: int | str | None = None, *, reduced: bool = False) -> TorqueCurve:
    """tau_DL and tau_FL of a magnet against the thickness of a layer, in one batched solve.

    Parameters
    ----------
    stack
        A single configuration with an in-plane ``field`` and a normal-metal layer with theta_SH != 0
        (or its solution).
    values
        Thicknesses (stack units: reduced, or m for an SI stack), 1-D.
    parameter
        The swept path; default the thickness of the first spin Hall layer (``layers[i].thickness``).
        Any path of :mod:`spinstack.model.paths` works (e.g. ``materials.Pt.l``).
    target
        An F layer index (default: the first F layer) or ``"left"``/``"right"`` for an insulator end.
    reduced
        Torques (and ``closed_form``) in the solver's model numbers instead of the solution's units
        (J/m^2 for an SI stack; the same for a reduced stack).

    Returns
    -------
    TorqueCurve
        NaN where m is parallel to sigma_hat (:attr:`spinstack.Solution.spin_orbit_torque_problem`).
        ``closed_form`` holds MODEL.md 8g limit 4 when it
        applies: the swept thickness is that of the only spin Hall layer, which has an open outer face
        and touches the F layer transparently, and the F absorbs fully (no l_J, l_phi).
    """
    stack = stack_of(stack, "torque_thickness")
    _check_drive(stack)
    values = _values(values)
    parameter = _thickness_path(stack, parameter)
    target = _target(stack, target)
    swept = _swept(stack, parameter, values)
    solution = solve(swept)
    damping, field_like = _parts(solution.reduced if reduced else solution, target)
    closed = _limit4(solution, parameter, target)  # model numbers (a spin current)
    if closed is not None and not reduced and solution.reduced is not solution:
        closed = report(closed, "torque")
    return TorqueCurve(parameter, values, target, np.asarray(damping, dtype=float),
                       np.asarray(field_like, dtype=float), closed)


def _limit4(solution: Solution, parameter: str, target: int | str) -> np.ndarray | None:
    """theta |j_in| (1 - sech(d/l)), signed by the side of the HM, when MODEL.md 8g limit 4 applies; else None."""
    stack = solution.stack
    if isinstance(target, str):
        return None
    hm = spin_hall_layer(stack)
    if parameter != f"layers[{hm}].thickness":
        return None
    others = [i for i, layer in enumerate(stack.layers) if i != hm and not layer.is_ferromagnet
              and np.any(np.asarray(layer.material.theta_SH) != 0)]
    if others or abs(hm - target) != 1:
        return None
    outer = stack.left if hm < target else stack.right
    outer_is_open = (hm == 0 and hm < target and isinstance(outer, Open)) or \
                    (hm == len(stack.layers) - 1 and hm > target and isinstance(outer, Open))
    magnet = stack.layers[target].material
    shared = max(hm, target)
    if not outer_is_open or (isinstance(magnet, Ferromagnet) and magnet.coherent) or \
            any(i.node == shared for i in stack.interfaces):
        return None
    material = stack.layers[hm].material
    theta = float(np.asarray(material.theta_SH))
    flux = float(np.asarray(material.D)) * float(np.linalg.norm(stack.field))  # |j_in| = sigma |eps|
    d = np.asarray(stack.layers[hm].thickness, dtype=float)
    l = float(np.asarray(material.l))
    ratio = d / l if np.isfinite(l) else np.zeros_like(d)
    sign = 1.0 if hm < target else -1.0  # the spin Hall current flows towards the F: +x, or -x when the HM is right
    return sign * theta * flux * (1.0 - 1.0 / np.cosh(ratio))


# ------------------------------------------------------------------ SMR
def chen_smr(stack: Stack | Solution, magnetization: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """(smr.long, smr.trans) of the Chen form (MODEL.md 8g limit 6) for a one-layer HM film between an
    open face and a magnetic insulator without spin sink (g_s = 0); ``None`` for any other stack.

    smr.long = drho0 + drho1 (1 - m_sigma^2), smr.trans = drho1 m_eps m_sigma + drho2 m_x with
    X = 2 l G tanh^2(d/2l) / (D + 2 l G coth(d/l)), G = g_r + i g_i, drho0 = -theta^2 (2l/d) tanh(d/2l),
    drho1 = theta^2 (l/d) Re X, drho2 = -theta^2 (l/d) Im X.  Batched over the stack and ``magnetization``
    (default the insulator's).  ``stack`` may be a solution.
    """
    stack = stack_of(stack, "chen_smr")
    if len(stack.layers) != 1 or stack.layers[0].is_ferromagnet or not stack.has_field:
        return None
    ends = {type(stack.left), type(stack.right)}
    if ends != {Open, Insulator}:
        return None
    insulator = stack.left if isinstance(stack.left, Insulator) else stack.right
    if np.any(insulator.g_s != 0):
        return None
    material, d = stack.layers[0].material, np.asarray(stack.layers[0].thickness, dtype=float)
    theta, D, l = (np.asarray(v, dtype=float) for v in (material.theta_SH, material.D, material.l))
    G = insulator.g_mix[..., 0] + 1j * insulator.g_mix[..., 1]
    X = 2 * l * G * np.tanh(d / (2 * l)) ** 2 / (D + 2 * l * G / np.tanh(d / l))
    drho0 = -theta**2 * (2 * l / d) * np.tanh(d / (2 * l))
    drho1 = theta**2 * (l / d) * X.real
    drho2 = -theta**2 * (l / d) * X.imag
    m = np.asarray(insulator.magnetization if magnetization is None else magnetization, dtype=float)
    m = m / np.linalg.norm(m, axis=-1, keepdims=True)
    eps = np.asarray(stack.field, dtype=float)
    eps_hat = eps / np.linalg.norm(eps, axis=-1, keepdims=True)
    sigma_hat = spin_hall_polarisation(eps_hat)
    m_eps, m_sigma, m_x = (m * eps_hat).sum(-1), (m * sigma_hat).sum(-1), m[..., 0]
    return drho0 + drho1 * (1.0 - m_sigma**2), drho1 * m_eps * m_sigma + drho2 * m_x


def smr_thickness(stack: Stack | Solution, values: ArrayLike, parameter: str | None = None) -> SmrCurve:
    """smr.long and smr.trans against the thickness of a layer (default the first spin Hall layer), batched.

    ``closed_form`` holds the Chen form (:func:`chen_smr`) when the stack is an HM film between an open
    face and an insulator (g_s = 0) and the HM's thickness is swept.  ``stack`` may be a solution.
    """
    stack = stack_of(stack, "smr_thickness")
    _check_drive(stack)
    values = _values(values)
    parameter = _thickness_path(stack, parameter)
    swept = _swept(stack, parameter, values)
    smr = solve(swept).smr
    closed = chen_smr(swept) if parameter == "layers[0].thickness" else None
    return SmrCurve(parameter, values, np.asarray(smr.longitudinal), np.asarray(smr.transverse), closed)


def smr_scan_plane(stack: Stack | Solution, plane: str) -> tuple[np.ndarray, np.ndarray]:
    """The plane an SMR angular scan turns the magnet in: unit vectors (u, v) with m(angle) = cos(angle) u +
    sin(angle) v for ``plane`` in :data:`PLANES` (alpha, beta, gamma: the module docstring's table), in the
    drive's frame of a stack or a solution's stack.

    Not :func:`spinstack.analysis.efficiencies.rotation_plane`, the plane in which m2 turns from m1 by the
    angle theta of the efficiencies."""
    stack = stack_of(stack, "smr_scan_plane")
    if plane not in PLANES:
        raise SpinstackError(f"unknown rotation plane {plane!r} (expected one of: {', '.join(PLANES)})")
    eps = np.asarray(stack.field, dtype=float)
    eps_hat = eps / np.linalg.norm(eps)
    sigma_hat = spin_hall_polarisation(eps_hat)
    normal = np.array([1.0, 0.0, 0.0])
    return {"alpha": (eps_hat, sigma_hat), "beta": (normal, sigma_hat), "gamma": (normal, eps_hat)}[plane]


def _magnet_path(stack: Stack, magnet: int | str | None) -> str:
    """The magnetization path of the magnet turned by :func:`smr_angle` (default: an insulator end, else the first F)."""
    if magnet is None:
        for side in ("right", "left"):
            if isinstance(getattr(stack, side), Insulator):
                return f"{side}.magnetization"
    target = _target(stack, magnet)
    return f"{target}.magnetization" if isinstance(target, str) else f"layers[{target}].magnetization"


def smr_angle(stack: Stack | Solution, angles: ArrayLike, plane: str = "alpha", magnet: int | str | None = None) -> SmrCurve:
    """smr.long and smr.trans with a magnet's m turned through ``angles`` (degrees) in ``plane``, batched.

    Parameters
    ----------
    stack
        A single configuration with an in-plane field and a spin Hall layer, or its solution.
    angles
        Degrees, 1-D.
    plane
        ``"alpha"``, ``"beta"`` or ``"gamma"`` (module docstring; :func:`smr_scan_plane`).
    magnet
        ``"left"``/``"right"`` (an insulator end) or an F layer index; default the insulator end, else
        the first F layer.

    Returns
    -------
    SmrCurve
        ``closed_form``: the Chen form (MODEL.md 8g limit 6) for an HM film on an insulator (g_s = 0)
        when the insulator is turned.
    """
    stack = stack_of(stack, "smr_angle")
    _check_drive(stack)
    angles = _values(angles)
    path = _magnet_path(stack, magnet)
    u, v = smr_scan_plane(stack, plane)
    radians = np.deg2rad(angles)[:, None]
    m = np.cos(radians) * u + np.sin(radians) * v
    swept = _swept(stack, path, m)
    smr = solve(swept).smr
    closed = chen_smr(swept, m) if path.split(".")[0] in ("left", "right") else None
    return SmrCurve(plane, angles, np.asarray(smr.longitudinal), np.asarray(smr.transverse), closed, m)
