"""A prepared system: a stack's numeric content built once, then solved for the inputs that change.

>>> prepared = finalize(stack)
>>> prepared.efficiency(theta)              # g1, g2 over any angles (degrees), as analysis.efficiency
>>> prepared.torques(m)                     # (..., L, 3) torque on every layer for F magnetizations m
>>> prepared.solve(m, current=j0)           # torque, accumulation and resistance-area

The stack is validated and turned into arrays once (:func:`stack_arrays`); a call takes only the
magnetizations of the F layers, a rotation angle or the drive, checks them in one vectorised pass
(shape, finite, unit length) and hands them to the solver.  No :class:`~spinstack.model.Stack` is
rebuilt and nothing else is validated again, so a dynamics step or a sweep of angles pays the solve
and little more.  A single configuration of a plain CPP stack (resistive interfaces included) is solved
by the compiled chain kernel on the calling thread (a few microseconds), and so is a batch of
magnetizations for it (large batches in parallel).  Stacks the kernel does not take (open or insulator
ends, an in-plane field, coherent F, a batched stack, and what :func:`spinstack.solver.kernels.refusal`
names) are solved through :func:`spinstack.solver.solve_nodes` with the new magnetizations
put into the arrays.

Units: as :class:`~spinstack.solution.Solution`.  A reduced stack takes and returns the seed's
reduced units (the current j0, torques in hbar/2 units per area, mu in energy units, r in reduced
units).  An SI stack takes the charge current density J in A/m^2 and returns torques in J/m^2,
accumulations in eV and resistance-areas in Ohm m^2 (MODEL.md 7); magnetizations are unit vectors
and angles are in degrees (``degrees=False``: radians) for both.
"""

from __future__ import annotations

import dataclasses
import weakref
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from . import units
from .errors import SpinstackError
from .model import Ferromagnet, Insulator, Lead, Open, Stack, direction
from .model.layers import End
from .model.materials import Material
from .solver import Boundary, Element, InterfaceElement, StackArrays, resistance_area, solve_nodes
from .solver import kernels
from .solver.efficiency import DEGENERATE_SINE, Efficiency, degenerate_limits
from .solver.efficiency import efficiency as efficiency_of_arrays
from .solver.profile import responds_to_field
from .solver.vectors import dot

#: |m| may differ from 1 by this much (a direction normalised in double precision differs by ~1e-16)
UNIT_TOLERANCE = 1e-10
# |m1 x m2| below which two touching F layers count as collinear (as the model's check of a stack)
_COLLINEAR_TOLERANCE = 1e-9


# ------------------------------------------------------------------ the stack as arrays
def stack_arrays(stack: Stack) -> StackArrays:
    """The numeric content of ``stack`` for the solver (no copies of the parameter arrays).

    Built once per stack and kept while the stack lives: a validated stack is immutable (its
    arrays are read-only), and a stack of 10^4 layers costs a Python object per layer here.
    """
    known = _ARRAYS.get(stack)
    if known is None:
        known = _ARRAYS[stack] = _stack_arrays(stack)
    return known


_ARRAYS: "weakref.WeakKeyDictionary[Stack, StackArrays]" = weakref.WeakKeyDictionary()


def _stack_arrays(stack: Stack) -> StackArrays:
    def element(material: Material, magnetization: np.ndarray | None, thickness: np.ndarray | None) -> Element:
        p = material.p if isinstance(material, Ferromagnet) else np.zeros(())
        coherence = {}
        if isinstance(material, Ferromagnet) and material.coherent:  # MODEL.md 8e; a missing length is inf
            coherence = dict(l_J=np.inf if material.l_J is None else material.l_J,
                             l_phi=np.inf if material.l_phi is None else material.l_phi,
                             D_perp=material.transverse_conductance)
        return Element(D=material.D, l=material.l, p=p, m=magnetization, thickness=thickness, theta_SH=material.theta_SH,
                       **coherence)

    def end(side: End) -> Element | None:
        return element(side.material, side.magnetization, None) if isinstance(side, Lead) else None

    boundaries = {}
    for name, side in (("left", stack.left), ("right", stack.right)):
        if isinstance(side, Open):
            boundaries[name] = Boundary("open")
        elif isinstance(side, Insulator):
            boundaries[name] = Boundary("insulator", side.magnetization, side.g_mix[..., 0], side.g_mix[..., 1], side.g_s)
    layers = tuple(element(layer.material, layer.magnetization, layer.thickness) for layer in stack.layers)
    interfaces = {i.node: InterfaceElement(i.g, i.gamma, i.g_mix, i.delta) for i in stack.interfaces}
    return StackArrays(layers, end(stack.left), end(stack.right), stack.batch_shape, interfaces, boundaries, stack.field)


def efficiency_problem(stack: Stack) -> str | None:
    """Why the efficiencies g1, g2 are not defined for ``stack``, or ``None`` when they are.

    g1, g2 need exactly two F layers (leads not counted) with something between them (two touching F
    layers must stay collinear, so no angle can be varied), and a CPP current (no open or insulator end).
    """
    indices = stack.ferromagnet_indices
    if stack.has_boundary_ends:
        return "efficiency functions are per unit CPP current, and no current crosses an open or insulator end"
    if len(indices) != 2:
        return f"efficiency functions need exactly two F layers, this stack has {len(indices)}"
    if indices[1] == indices[0] + 1:
        return "efficiency functions need a spacer between the two F layers (touching F layers stay collinear)"
    return None


def rotation_basis(m1: np.ndarray, m2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(m1, e): m1 and the unit vector normal to it towards m2, the plane m2 turns in, (..., 3) each.

    When m2 is collinear with m1 the plane is that of m1 and the coordinate axis least aligned with it.
    """
    m1, m2 = np.broadcast_arrays(m1, m2)
    normal = m2 - dot(m1, m2)[..., None] * m1
    length = np.linalg.norm(normal, axis=-1, keepdims=True)
    collinear = length < 1e-12
    if not collinear.any():  # the fallback plane costs five passes over a batch: only where it is used
        return m1, _orthogonal(m1, normal / length, length)
    helper = np.eye(3)[np.argmin(np.abs(m1), axis=-1)]
    fallback = helper - dot(m1, helper)[..., None] * m1
    fallback = fallback / np.linalg.norm(fallback, axis=-1, keepdims=True)
    return m1, _orthogonal(m1, np.where(collinear, fallback, normal / np.where(collinear, 1.0, length)),
                           np.where(collinear, 1.0, length))


# |m2 - (m1.m2) m1| below which e is made normal to m1 a second time
_SHORT_NORMAL = 1e-4


def _orthogonal(m1: np.ndarray, e: np.ndarray, length: np.ndarray) -> np.ndarray:
    """e made normal to m1 once more where the first pass's normal was short: for m2 within ~1e-7 of m1 it
    leaves e off by ~eps/length (5e-10 at 4e-7), and cos m1 + sin e would not be a unit vector to that amount
    (Gram-Schmidt, twice).  Elsewhere e is kept as it is: a second pass would only add its own rounding."""
    short = length < _SHORT_NORMAL
    if not short.any():
        return e
    again = e - dot(m1, e)[..., None] * m1
    again = again / np.linalg.norm(again, axis=-1, keepdims=True)
    return np.where(short, again, e)


def turned(m1: np.ndarray, e: np.ndarray, theta: ArrayLike, degrees: bool = True) -> np.ndarray:
    """m1 turned by ``theta`` towards e: cos theta m1 + sin theta e, shape ``broadcast(theta, m1[..., 0],
    e[..., 0]) + (3,)``, read-only.  Exact zeros of cos at +-90 degrees and of sin at 0 and +-180 degrees keep
    collinear configurations exactly collinear."""
    # fmod by 360 is exact: a huge angle in degrees keeps its meaning (deg2rad first would not)
    angle = np.deg2rad(np.fmod(np.asarray(theta, dtype=float), 360.0)) if degrees else np.asarray(theta, dtype=float)
    cosine, sine = np.cos(angle), np.sin(angle)
    if angle.ndim == 0:
        cosine = 0.0 if abs(angle) == np.pi / 2 else cosine
        sine = 0.0 if angle in (0.0, np.pi, -np.pi) else sine
    else:  # one comparison per angle for the exact zeros, not np.isin's sort
        magnitude = np.abs(angle)
        np.copyto(cosine, 0.0, where=magnitude == np.pi / 2)
        np.copyto(sine, 0.0, where=(magnitude == 0.0) | (magnitude == np.pi))
    shape = np.broadcast_shapes(angle.shape, m1.shape[:-1], e.shape[:-1])
    # component by component: numpy broadcasts (N, 1) x (3,) three numbers at a time, 3x slower
    out = np.empty(shape + (3,))
    for component in range(3):
        column = out[..., component]
        np.multiply(cosine, m1[..., component], out=column)
        column += sine * e[..., component]
    out.flags.writeable = False  # fresh and read-only: a Layer keeps it without a copy
    return out


# |theta| in degrees below which the kernel's reduction by multiples of 90 is exact (n = theta / 90 an
# integer well inside 2^53); larger angles are first reduced by fmod(theta, 360), which is exact
_EXACT_TURNS = 1e12


# ------------------------------------------------------------------ results
@dataclass(frozen=True, eq=False)  # arrays: compare fields with numpy, not ==
class Outputs:
    """What :meth:`PreparedStack.solve` returns, all with the shape of the configurations in front.

    Attributes
    ----------
    torque : (..., L, 3)  spin-transfer torque on every layer (zero for N); hbar/2 units (J/m^2 for SI)
    accumulation : (..., L + 1, 3)  mu_s at the nodes (energy units; eV for SI)
    resistance_area : (...)  r = [mu_0(left) - mu_0(right)] / j0 (Ohm m^2 for SI); None when not
        defined (an open or insulator end: no charge current crosses it)
    spin_resistance_area : (...)  its spin-accumulation part, or None likewise
    current : (...)  the drive the values belong to: j0 (reduced) or J in A/m^2 (SI)
    """

    torque: np.ndarray
    accumulation: np.ndarray
    resistance_area: np.ndarray | None
    spin_resistance_area: np.ndarray | None
    current: np.ndarray


# ------------------------------------------------------------------ the prepared stack
class PreparedStack:
    """A stack's numeric content, built once (:func:`finalize`), solved for new magnetizations, angles or drive.

    Attributes
    ----------
    arrays
        The stack as the solver's arrays (model units).
    batch_shape
        The stack's own batch shape (``()`` for a single configuration); every result broadcasts it with
        the shape of the inputs.
    ferromagnets
        Indices of the F layers whose magnetizations the methods take, in order (leads not counted: an F
        lead touching an F layer turns with it, keeping its sign; any other F lead keeps its direction).
    units
        ``"reduced"`` or ``"SI"``.  A reduced stack takes j0 and returns the seed's reduced units (torques
        in hbar/2 units per unit area of the model, mu_s in its energy unit); an SI stack takes J in A/m^2
        and returns torques in J/m^2, mu_s in eV, r in Ohm m^2 (MODEL.md 7).
    current
        The stack's own drive: j0 (reduced) or J in A/m^2 (SI), batch shape; the default of every method.
    compiled
        Whether the calls go to the compiled chain kernel (a plain CPP stack of one configuration, resistive
        interfaces included, that :func:`spinstack.solver.kernels.refusal` takes; numba installed).
    """

    def __init__(self, stack: Stack) -> None:
        arrays = stack_arrays(stack)
        self.arrays = arrays
        self.batch_shape: tuple[int, ...] = stack.batch_shape
        self.units = stack.units
        self.ferromagnets: tuple[int, ...] = tuple(stack.ferromagnet_indices)
        self._si = stack.units == "SI"
        self._j0 = np.broadcast_to(stack.current, self.batch_shape)
        self.current = units.report(self._j0, "current") if self._si else self._j0
        self._n_layers = len(arrays.layers)
        self._field = responds_to_field(arrays)
        self._resistance_problem = ("no charge current crosses an open or insulator end: the CPP resistance-area "
                                    "is not defined") if stack.has_boundary_ends else None
        self._efficiency_problem = efficiency_problem(stack)
        # an F lead touching an F layer turns with it: (F-layer position, "left"/"right", sign of lead m . layer m)
        self._followers: list[tuple[int, str, np.ndarray]] = []
        for side, end, layer in (("left", arrays.left, 0), ("right", arrays.right, self._n_layers - 1)):
            if end is not None and end.m is not None and layer in self.ferromagnets:
                sign = np.sign(dot(np.asarray(end.m, dtype=float), np.asarray(arrays.layers[layer].m, dtype=float)))
                self._followers.append((self.ferromagnets.index(layer), side, sign))
        # touching F layers must stay collinear: their positions in ``ferromagnets``
        self._touching = [(q, q + 1) for q in range(len(self.ferromagnets) - 1)
                          if self.ferromagnets[q + 1] == self.ferromagnets[q] + 1]
        self.compiled = kernels.applies(arrays) and self.batch_shape == () and not self._field
        self._torque_unit = float(units.report(1.0, "torque")) if self._si else 1.0

    # the kernel's tables, built when first needed (a stack prepared for angles never builds the other)
    @cached_property
    def _table(self) -> kernels.Table:
        return kernels.Table(self.arrays)

    @cached_property
    def _by_magnetizations(self) -> kernels.Table:
        """The table whose F layers (and the F leads that follow them) read their m from the call's array."""
        elements = [q + 1 for q in self.ferromagnets]
        rows = list(range(len(self.ferromagnets)))
        signs = [1.0] * len(elements)
        for position, side, sign in self._followers:
            elements.append(0 if side == "left" else self._n_layers + 1)
            rows.append(position)
            signs.append(float(sign))
        return self._table.with_magnetizations(np.array(elements, dtype=np.int64), np.array(rows, dtype=np.int64),
                                               np.array(signs))

    @cached_property
    def _ohmic(self) -> float:
        """The ohmic part of r per unit current: sum of d (1 - p^2) / D over the layers and of 1/g over the
        resistive interfaces (MODEL.md 4, 3b)."""
        layers = sum(float(e.thickness) * (1.0 - float(e.p) ** 2) / float(e.D) for e in self.arrays.layers)
        return float(layers + sum(1.0 / float(i.g) for i in self.arrays.interfaces.values()))

    @cached_property
    def _by_angles(self) -> tuple[kernels.Table, np.ndarray]:
        """The table whose m2 (and an F lead touching it) turns by the call's angles, and the plane (m1, e)."""
        first, second = self.ferromagnets
        m1, e = rotation_basis(self.arrays.layers[first].m, self.arrays.layers[second].m)
        turning = [second + 1] + [self._n_layers + 1 for position, side, _ in self._followers
                                  if side == "right" and position == 1]
        signs = [1.0] + [float(sign) for position, side, sign in self._followers if side == "right" and position == 1]
        table = self._table.with_rotation(np.array(turning, dtype=np.int64), np.array(signs))
        return table, np.ascontiguousarray(np.stack([m1, e]), dtype=float)

    # ------------------------------------------------------------- inputs
    @property
    def magnetizations(self) -> np.ndarray:
        """The stack's own F-layer magnetizations, ``batch_shape + (n_F, 3)``."""
        if not self.ferromagnets:
            return np.zeros(self.batch_shape + (0, 3))
        return np.stack([np.broadcast_to(self.arrays.layers[i].m, self.batch_shape + (3,)) for i in self.ferromagnets],
                        axis=-2)

    def _directions(self, magnetizations: ArrayLike) -> np.ndarray:
        """``magnetizations`` as a float array (..., n_F, 3), checked: shape, finite, unit length, touching F
        layers collinear (SpinstackError naming what is wrong).  A list or tuple of n_F arrays (..., 3), one per
        F layer, is stacked on the second-last axis (broadcasting their leading shapes)."""
        count = len(self.ferromagnets)
        if type(magnetizations) is np.ndarray and magnetizations.dtype == np.float64 and magnetizations.ndim >= 2 \
                and magnetizations.shape[-2:] == (count, 3):  # the common input, checked without conversions
            return self._checked(magnetizations)
        if isinstance(magnetizations, (list, tuple)) and any(isinstance(item, str) for item in magnetizations):
            # named directions ("+z", "normal", ...), as in stack files and Stack
            magnetizations = [direction(item, f"magnetizations[{index}]") if isinstance(item, str) else item
                              for index, item in enumerate(magnetizations)]
        if isinstance(magnetizations, (list, tuple)) and len(magnetizations) == count and count and \
                any(np.ndim(item) >= 2 for item in magnetizations):
            magnetizations = np.stack(np.broadcast_arrays(*(self._real(item, f"magnetizations[{index}]")
                                                             for index, item in enumerate(magnetizations))),
                                      axis=-2)
        m = self._real(magnetizations, "magnetizations")
        if m.ndim < 2 or m.shape[-2:] != (count, 3):
            raise SpinstackError(f"magnetizations must have shape (..., {count}, 3) (one unit vector per F layer, "
                                 f"layers {list(self.ferromagnets)}), got shape {m.shape}")
        return self._checked(m)

    def _checked(self, m: np.ndarray) -> np.ndarray:
        """``m`` (..., n_F, 3) floats, checked: its configurations fit the stack's, finite unit vectors, touching F
        layers collinear."""
        if self.batch_shape != ():  # (any leading shape broadcasts with a single configuration)
            self._configurations(m.shape[:-2], "magnetizations (leading axes)")
        bad = kernels.first_bad_direction(m.reshape(-1, 3), UNIT_TOLERANCE)  # one compiled pass (NaN and inf too)
        if bad >= 0:
            index = np.unravel_index(bad, m.shape[:-1])
            where = f"magnetizations[{', '.join(map(str, index))}] (layer {self.ferromagnets[index[-1]]})"
            value = m[index]
            if not np.isfinite(value).all():
                raise SpinstackError(f"{where} must be finite, got {value.tolist()}")
            raise SpinstackError(f"{where} must be a unit vector (|m| = 1 within {UNIT_TOLERANCE:g}), got |m| = "
                                 f"{float(np.linalg.norm(value)):.17g}: normalise it")
        for a, b in self._touching:
            turn = np.cross(m[..., a, :], m[..., b, :])
            if np.any(np.linalg.norm(turn, axis=-1) > _COLLINEAR_TOLERANCE):
                raise SpinstackError(f"ferromagnets layers[{self.ferromagnets[a]}] and layers[{self.ferromagnets[b]}] "
                                     "touch but their magnetizations are not collinear (m2 must be +-m1)")
        return m

    def _configurations(self, shape: tuple[int, ...], what: str) -> tuple[int, ...]:
        """The configurations' shape: ``shape`` (of the new inputs) broadcast with the stack's batch shape, or a
        SpinstackError naming ``what`` (a batched stack's own parameters fix the shape the inputs must fit)."""
        try:
            return np.broadcast_shapes(shape, self.batch_shape)
        except ValueError:
            raise SpinstackError(f"{what} of shape {shape} does not broadcast with the stack's batch shape "
                                 f"{self.batch_shape} (its parameters are arrays of that shape)") from None

    @staticmethod
    def _real(value: ArrayLike, what: str) -> np.ndarray:
        """``value`` as a float array, or a SpinstackError naming ``what`` (complex, text, ragged input)."""
        try:
            array = np.asarray(value)
            if array.dtype.kind not in "biuf":  # complex, text, objects: refused, not truncated or parsed
                raise TypeError(f"got {value!r}"[:200])
            return array.astype(float, copy=False)
        except (TypeError, ValueError) as error:
            raise SpinstackError(f"{what} must be real numbers of one shape ({error})"[:300]) from None

    def _together(self, m: np.ndarray, j0: np.ndarray) -> None:
        """Refuse magnetizations and a drive whose configurations do not broadcast together."""
        try:
            np.broadcast_shapes(m.shape[:-2], j0.shape, self.batch_shape)
        except ValueError:
            raise SpinstackError(f"magnetizations (leading axes {m.shape[:-2]}) and current (shape {j0.shape}) do not "
                                 f"broadcast together with the stack's batch shape {self.batch_shape}") from None

    def _drive(self, current: ArrayLike | None) -> np.ndarray:
        """j0 in model units: the stack's own, or ``current`` (j0, or J in A/m^2 for an SI stack)."""
        if current is None:
            return self._j0
        value = self._real(current, "current")
        if not np.isfinite(value).all():
            raise SpinstackError(f"current must be finite, got {current!r}")
        self._configurations(value.shape, "current")
        return value / units.report(1.0, "current") if self._si else value

    def _with_magnetizations(self, m: np.ndarray) -> StackArrays:
        """The arrays with the F layers' magnetizations ``m`` (..., n_F, 3) (and the F leads that touch them)."""
        arrays = self.arrays
        shape = np.broadcast_shapes(m.shape[:-2], self.batch_shape)
        layers = list(arrays.layers)
        for position, index in enumerate(self.ferromagnets):
            layers[index] = layers[index]._replace(m=m[..., position, :])
        ends = {"left": arrays.left, "right": arrays.right}
        for position, side, sign in self._followers:
            ends[side] = ends[side]._replace(m=sign[..., None] * m[..., position, :])
        return dataclasses.replace(arrays, layers=tuple(layers), left=ends["left"], right=ends["right"], batch_shape=shape)

    # ------------------------------------------------------------- solves
    def torques(self, magnetizations: ArrayLike, current: ArrayLike | None = None) -> np.ndarray:
        """The spin-transfer torque on every layer for F magnetizations ``magnetizations`` (..., n_F, 3).

        Parameters
        ----------
        magnetizations
            Unit vectors, one per F layer (:attr:`ferromagnets` order), (..., n_F, 3) with any leading shape, or
            a list of n_F arrays (..., 3) or direction names ("+z", "normal", ...: :func:`spinstack.direction`), one per layer.
        current
            The drive: j0 (reduced) or J in A/m^2 (SI); default the stack's own.  Any shape broadcasting
            with the configurations.

        Returns
        -------
        numpy.ndarray
            (..., L, 3), zero for N layers; reduced units of hbar/2 (J/m^2 for an SI stack), as
            ``solve(stack with those magnetizations).torque``.
        """
        m = self._directions(magnetizations)
        j0 = self._drive(current)
        if current is not None or self.batch_shape != ():  # (the stack's own drive fits any magnetizations then)
            self._together(m, j0)
        if self.compiled:
            configurations = m.shape[:-2]
            count = len(self.ferromagnets)
            size = m.size // (3 * count) if count else int(np.prod(configurations))  # (np.prod costs ~1 us)
            per_unit = kernels.run(self._by_magnetizations, mvary=np.ascontiguousarray(m.reshape(size, count, 3)),
                                   torque=True)["torque"]
            torque = _driven(j0, per_unit.reshape(configurations + (self._n_layers, 3)))
            if self._si:  # (a fresh array: scaled in place, as units.report would, value times the unit's factor)
                torque *= self._torque_unit
            return torque
        torque = self._fallback(m, j0).torque
        return units.report(torque, "torque") if self._si else torque

    def solve(self, magnetizations: ArrayLike | None = None, current: ArrayLike | None = None) -> Outputs:
        """Torques, node accumulations and resistance-area for F magnetizations ``magnetizations``.

        Parameters
        ----------
        magnetizations
            (..., n_F, 3) unit vectors, one per F layer; default the stack's own.
        current
            j0 (reduced) or J in A/m^2 (SI); default the stack's own.

        Returns
        -------
        Outputs
            In the units of the stack (see the module docstring), equal to those of
            ``solve(stack with those magnetizations)``.
        """
        m = self.magnetizations if magnetizations is None else self._directions(magnetizations)
        j0 = self._drive(current)
        self._together(m, j0)
        if self.compiled:
            flat = np.ascontiguousarray(m.reshape(int(np.prod(m.shape[:-2])), len(self.ferromagnets), 3))
            found = kernels.run(self._by_magnetizations, mvary=flat, torque=True, accumulation=True, resistance=True)
            shape = m.shape[:-2]
            spin = found["spin_resistance"].reshape(shape)
            every = np.broadcast_shapes(j0.shape, shape)  # the configurations: magnetizations x drives
            outputs = Outputs(_driven(j0, found["torque"].reshape(shape + (self._n_layers, 3))),
                              _driven(j0, found["accumulation"].reshape(shape + (self._n_layers + 1, 3))),
                              _fresh(self._ohmic + spin, every), _fresh(spin, every), _fresh(j0, every))
        else:
            outputs = self._fallback(m, j0)
        if not self._si:
            return outputs
        report = lambda value, kind: None if value is None else units.report(value, kind)  # noqa: E731
        return Outputs(report(outputs.torque, "torque"), report(outputs.accumulation, "accumulation"),
                       report(outputs.resistance_area, "resistance_area"),
                       report(outputs.spin_resistance_area, "resistance_area"), report(outputs.current, "current"))

    def _fallback(self, m: np.ndarray, j0: np.ndarray) -> Outputs:
        """:meth:`solve` through :func:`spinstack.solver.solve_nodes` (any stack), model units."""
        arrays = self._with_magnetizations(m)
        shape = np.broadcast_shapes(arrays.batch_shape, j0.shape)
        unit = solve_nodes(arrays)
        field = solve_nodes(arrays, "field") if self._field else None
        scale = j0[..., None, None]
        torque = scale * unit.torque
        accumulation = scale * unit.accumulation
        if field is not None:
            torque, accumulation = torque + field.torque, accumulation + field.accumulation
        r = spin = None
        if self._resistance_problem is None:
            r, spin = (_fresh(value, shape) for value in resistance_area(arrays, unit))
        return Outputs(_fresh(torque, shape + (self._n_layers, 3)), _fresh(accumulation, shape + (self._n_layers + 1, 3)),
                       r, spin, _fresh(j0, shape))

    def efficiency(self, theta: ArrayLike, *, degrees: bool = True) -> Efficiency:
        """g1, g2 (and the field-like parts) with m2 turned to ``theta`` from m1, in the plane of m1 and the
        stack's own m2 (:func:`rotation_basis`), as ``analysis.efficiency(stack, theta)``.

        Parameters
        ----------
        theta
            Angles between m1 and m2, degrees (``degrees=False``: radians), any shape broadcasting with
            the stack's batch shape.

        Returns
        -------
        Efficiency
            Dimensionless arrays of shape ``broadcast(theta, batch_shape)``; at 0 and 180 degrees the limits.

        Raises
        ------
        SpinstackError
            If the stack has no two F layers with a spacer between them, or an angle is not finite.
        """
        if self._efficiency_problem is not None:
            raise SpinstackError(self._efficiency_problem)
        angles = self._real(theta, "theta")
        if not np.isfinite(angles).all():
            raise SpinstackError(f"theta must be finite (angles between m1 and m2 in {'degrees' if degrees else 'radians'})")
        self._configurations(angles.shape, "theta")
        first, second = self.ferromagnets
        if not self.compiled:
            return efficiency_of_arrays(self._with_angles(angles, degrees), first, second)
        flat = np.ascontiguousarray(angles.reshape(-1))
        if degrees and flat.size and np.abs(flat).max() > _EXACT_TURNS:  # the kernel's reduction by 90 is exact below
            flat = np.fmod(flat, 360.0)  # (exact)
        table, plane = self._by_angles
        found = kernels.run(table, angles=flat, plane=plane, degrees=degrees, pair=(first, second),
                            degenerate_sine=DEGENERATE_SINE)
        values = [value.reshape(angles.shape) for value in found["efficiency"]]
        degenerate = found["degenerate"]
        if degenerate.any():  # the limits (0/0 there): a complex-step rotation, through the numpy backend
            selection = np.flatnonzero(degenerate)
            exact = degenerate_limits(self._with_angles(flat[selection], degrees), first, second)
            for value, limit in zip(values, exact):
                value.reshape(-1)[selection] = limit
        return Efficiency(*values[:4], sine=values[4], cosine=values[5])

    def _with_angles(self, angles: np.ndarray, degrees: bool) -> StackArrays:
        """The arrays with m2 turned to ``angles`` (and a touching F lead with it)."""
        first, second = self.ferromagnets
        arrays = self.arrays
        m1, e = rotation_basis(arrays.layers[first].m, arrays.layers[second].m)
        m2 = turned(m1, e, angles, degrees)
        m = np.stack(np.broadcast_arrays(np.broadcast_to(m1, m2.shape), m2), axis=-2)
        return self._with_magnetizations(m)


def _fresh(value: ArrayLike, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` broadcast to ``shape`` as a new writable array (every path returns arrays of one kind)."""
    return np.array(np.broadcast_to(value, shape))


def _driven(j0: np.ndarray, per_unit: np.ndarray) -> np.ndarray:
    """j0 times a fresh per-unit-current array (..., k, 3): in place for one drive (no second pass over a large
    result, none at all for j0 = 1), broadcast otherwise."""
    if j0.ndim == 0:
        if j0 != 1.0:
            per_unit *= j0
        return per_unit
    return j0[..., None, None] * per_unit


def finalize(stack: Stack) -> PreparedStack:
    """The :class:`PreparedStack` of ``stack`` (built once per stack and kept while the stack lives).

    Parameters
    ----------
    stack
        A validated :class:`~spinstack.model.Stack` (reduced or SI).

    Returns
    -------
    PreparedStack
        Its methods take only what changes: :meth:`~PreparedStack.efficiency` (angles),
        :meth:`~PreparedStack.torques` and :meth:`~PreparedStack.solve` (F magnetizations, drive).
    """
    if not isinstance(stack, Stack):
        raise TypeError(f"finalize takes a spinstack Stack, got {type(stack).__name__}")
    known = _PREPARED.get(stack)
    if known is None:
        known = _PREPARED[stack] = PreparedStack(stack)
    return known


_PREPARED: "weakref.WeakKeyDictionary[Stack, PreparedStack]" = weakref.WeakKeyDictionary()


__all__ = ["Outputs", "PreparedStack", "UNIT_TOLERANCE", "efficiency_problem", "finalize", "rotation_basis",
           "stack_arrays", "turned"]
