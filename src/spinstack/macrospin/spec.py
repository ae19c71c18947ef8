"""What moves and how: the macrospin parameters of a stack's free F layers (MODEL.md 9).

>>> stack = spinstack.load_stack("examples/co-cu-py.toml")
>>> spins = Macrospins(stack, free=(2,), Ms=8e5, alpha=0.01, field=(0, 0, 0.05))

A :class:`Macrospins` names the F layers that move (stack indices; every other F layer keeps the
stack's own magnetization), gives each its magnetic constants, the interlayer couplings, the applied
field and the drive, and is validated when built: every bad value raises a
:class:`~spinstack.StackError` whose message starts with the field's name (``"demag: ..."``).

Units (SI throughout; dynamics has no reduced form): Ms in A/m, gamma in rad/(s T), K_u in J/m^3,
J_ex in J/m^2 (energy per area -J_ex m_a . m_b, > 0 ferromagnetic), the applied field B_app in tesla
(= mu0 H), the current density J in A/m^2 (positive along +x, the conventional current), times in s.

Batches: a per-layer parameter (Ms, alpha, gamma, K_u) is anything broadcasting to ``(..., n_free)``
(a scalar is the same for every free layer); per-layer vectors (easy_axis, demag) broadcast to
``(..., n_free, 3)``; the field to ``(..., 3)``; a constant current to ``(...)``.  The leading axes of all
of them and the stack's own batch shape broadcast together to :attr:`Macrospins.batch_shape`, the
ensemble integrated as one batch.  (With one free layer, five values of Ms are ``Ms=[[a], [b], ...]``,
shape (5, 1): the last axis is always the layer.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from dataclasses import field as dataclass_field  # `field` is the applied field below
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import StackError
from ..model import Stack
from ..model.dynamics import MAX_FIELD, checked_seed
from .. import units

__all__ = ["GAMMA_ELECTRON", "MU0", "DEMAG_TOLERANCE", "Coupling", "Macrospins"]

#: |gamma_e| of the free electron, rad/(s T) (CODATA 2018), the default gyromagnetic ratio
GAMMA_ELECTRON = 1.76085963023e11
#: vacuum permeability, T m/A (CODATA 2018)
MU0 = 1.25663706212e-6
#: the demagnetizing factors must sum to 1 within this
DEMAG_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Coupling:
    """Interlayer exchange between the F layers ``a`` and ``b`` (stack indices), energy per area -J_ex m_a . m_b.

    Parameters
    ----------
    a, b
        Stack indices of two different F layers (free or fixed).
    J_ex
        J/m^2; > 0 ferromagnetic.  May be an array (an ensemble).
    """

    a: int
    b: int
    J_ex: ArrayLike


def _real(value: Any, name: str) -> np.ndarray:
    """``value`` as a finite float array, or a StackError naming ``name``."""
    try:
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"got {value!r}"[:200])
        array = array.astype(float)
    except (TypeError, ValueError) as error:
        raise StackError(name, f"must be real numbers of one shape ({error})"[:300]) from None
    if not np.isfinite(array).all():
        raise StackError(name, f"must be finite, got {value!r}"[:300])
    return array


def _per_layer(value: Any, name: str, count: int) -> np.ndarray:
    """A per-free-layer parameter as an array (..., count)."""
    array = _real(value, name)
    try:
        return np.broadcast_to(array, array.shape[:-1] + (count,) if array.ndim else (count,)).copy()
    except ValueError:
        raise StackError(name, f"must broadcast to (..., {count}) (one value per free layer, the last axis), "
                               f"got shape {array.shape}") from None


def _per_layer_vector(value: Any, name: str, count: int) -> np.ndarray:
    """A per-free-layer 3-vector as an array (..., count, 3)."""
    array = _real(value, name)
    if array.ndim == 0 or array.shape[-1] != 3:
        raise StackError(name, f"must be a 3-vector (or one per free layer, (..., {count}, 3)), got shape {array.shape}")
    if array.ndim == 1:
        array = array[None, :]
    try:
        return np.broadcast_to(array, array.shape[:-2] + (count, 3)).copy()
    except ValueError:
        raise StackError(name, f"must broadcast to (..., {count}, 3) (one vector per free layer), "
                               f"got shape {array.shape}") from None


@dataclass(frozen=True, eq=False)
class Macrospins:
    """The free F layers of an SI stack as macrospins, with their fields and drive (MODEL.md 9a-9c).

    Parameters
    ----------
    stack
        An SI :class:`~spinstack.Stack` (a reduced one is refused: Ms and gamma have no reduced form).
    free
        Stack indices of the F layers that move (at least one; an int for one).
    Ms
        Saturation magnetization, A/m, > 0; per free layer (..., n_free).
    alpha
        Gilbert damping, >= 0; per free layer.
    gamma
        Gyromagnetic ratio, rad/(s T), > 0; default |gamma_e| = 1.76085963023e11.
    K_u
        Uniaxial anisotropy, J/m^3 (energy density -K_u (m . u)^2); default 0.
    easy_axis
        The anisotropy axis u (normalised here), (..., n_free, 3) or one 3-vector for all; needed where
        K_u != 0 (default ``None``: no axis, and then every K_u must be 0).
    demag
        Diagonal demagnetizing factors (N_x, N_y, N_z), non-negative, summing to 1 within 1e-9; default
        (1, 0, 0): a thin film whose normal is the stack axis x.
    couplings
        Interlayer exchange (:class:`Coupling`, or ``(a, b, J_ex)`` tuples) between F layers.
    field
        Applied field B_app = mu0 H, tesla, a constant 3-vector (..., 3); default 0.
    current
        The drive J, A/m^2: ``None`` (default) for the stack's own current; a number (or an array: an
        ensemble); or a piecewise-linear waveform ``[(t0, J0), (t1, J1), ...]`` (s, A/m^2) with t strictly
        increasing (J held at J0 before t0 and at the last value after the last time; each J may be an array
        of one shape).
    temperature
        K, >= 0, the thermal field's temperature (MODEL.md 9b), the same for every free layer; default 0 (no
        thermal field).  An array (...) is an ensemble dimension.  Any member > 0 makes the dynamics stochastic
        (:mod:`spinstack.macrospin.thermal`).
    area
        m^2, > 0, the pillar's cross-section A (the free layers' volumes are V_i = A d_i); needed when any
        temperature > 0, else optional (default ``None``).  May be an array (...) (an ensemble).
    seed
        int from 0 to 2^63 - 1 (:data:`spinstack.model.dynamics.MAX_SEED`: a run's file holds it), the thermal
        noise's seed (:class:`numpy.random.SeedSequence` entropy): the same seed gives the same trajectories;
        default 0.

    Attributes
    ----------
    free : tuple[int, ...]
    Ms, alpha, gamma, K_u : numpy.ndarray
        (..., n_free).
    easy_axis, demag : numpy.ndarray
        (..., n_free, 3); easy_axis is a unit vector (zero where no axis was given).
    couplings : tuple[Coupling, ...]
        With J_ex as float arrays.
    field : numpy.ndarray
        (..., 3), tesla.
    current : numpy.ndarray or None
        A constant drive, A/m^2 (the stack's own when none was given); ``None`` for a waveform.
    waveform : tuple[numpy.ndarray, numpy.ndarray] or None
        (times (n,), currents (n, ...)) of a piecewise-linear drive.
    temperature : numpy.ndarray
        (...), K.
    area : numpy.ndarray or None
        (...), m^2.
    seed : int
    """

    stack: Stack
    _: KW_ONLY
    free: Sequence[int] | int
    Ms: ArrayLike
    alpha: ArrayLike
    gamma: ArrayLike = GAMMA_ELECTRON
    K_u: ArrayLike = 0.0
    easy_axis: ArrayLike | None = None
    demag: ArrayLike = (1.0, 0.0, 0.0)
    couplings: Sequence[Coupling | tuple] = ()
    field: ArrayLike = (0.0, 0.0, 0.0)
    current: Any = None
    temperature: ArrayLike = 0.0
    area: ArrayLike | None = None
    seed: int = 0
    waveform: Any = dataclass_field(default=None, init=False)

    def __post_init__(self) -> None:
        stack = self.stack
        if not isinstance(stack, Stack):
            raise StackError("stack", f"must be a spinstack.Stack, got {stack!r}"[:300])
        if stack.units != "SI":
            raise StackError("units", "dynamics needs an SI stack (Ms and gamma have no reduced form)")
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        # free layers: distinct F layers of the stack
        free = (self.free,) if np.ndim(self.free) == 0 else tuple(self.free)
        if not free:
            raise StackError("free", "names no layer: at least one F layer must be free")
        ferromagnets = stack.ferromagnet_indices
        for index in free:
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
                raise StackError("free", f"must be stack layer indices (integers), got {index!r}")
            if not 0 <= index < len(stack.layers):
                raise StackError("free", f"layer {index} does not exist (the stack has {len(stack.layers)} layers)")
            if index not in ferromagnets:
                raise StackError("free", f"layer {index} is not an F layer (the F layers are {list(ferromagnets)})")
        if len(set(free)) != len(free):
            raise StackError("free", f"names a layer twice: {list(free)}")
        free = tuple(int(index) for index in free)
        set_("free", free)
        count = len(free)
        # per-layer constants
        Ms = _per_layer(self.Ms, "Ms", count)
        if np.any(Ms <= 0):
            raise StackError("Ms", f"must be > 0 (A/m), got {self.Ms!r}"[:300])
        alpha = _per_layer(self.alpha, "alpha", count)
        if np.any(alpha < 0):
            raise StackError("alpha", f"must be >= 0 (Gilbert damping), got {self.alpha!r}"[:300])
        gamma = _per_layer(self.gamma, "gamma", count)
        if np.any(gamma <= 0):
            raise StackError("gamma", f"must be > 0 (rad/(s T)), got {self.gamma!r}"[:300])
        K_u = _per_layer(self.K_u, "K_u", count)
        if self.easy_axis is None:
            if np.any(K_u != 0):
                raise StackError("easy_axis", "is needed where K_u != 0 (the anisotropy's axis u)")
            axis = np.zeros((count, 3))
        else:
            axis = _per_layer_vector(self.easy_axis, "easy_axis", count)
            length = np.linalg.norm(axis, axis=-1)
            if np.any((length == 0) & (np.broadcast_to(K_u, np.broadcast_shapes(K_u.shape, length.shape)) != 0)):
                raise StackError("easy_axis", "must be a non-zero vector where K_u != 0")
            axis = np.divide(axis, length[..., None], out=np.zeros_like(axis), where=length[..., None] > 0)
        demag = _per_layer_vector(self.demag, "demag", count)
        if np.any(demag < 0):
            raise StackError("demag", f"must be non-negative (diagonal factors N_x, N_y, N_z), got {self.demag!r}"[:300])
        total = demag.sum(axis=-1)
        if np.any(np.abs(total - 1) > DEMAG_TOLERANCE):
            worst = float(total.flat[np.argmax(np.abs(total - 1))])
            raise StackError("demag", f"must sum to 1 (within {DEMAG_TOLERANCE:g}), got a sum of {worst!r}")
        for name, value in (("Ms", Ms), ("alpha", alpha), ("gamma", gamma), ("K_u", K_u), ("easy_axis", axis),
                            ("demag", demag)):
            set_(name, value)
        # couplings between two different F layers
        couplings = []
        for position, coupling in enumerate(self.couplings):
            path = f"couplings[{position}]"
            if not isinstance(coupling, Coupling):
                try:
                    coupling = Coupling(*coupling)
                except TypeError:
                    raise StackError(path, f"must be a Coupling or (a, b, J_ex), got {coupling!r}"[:300]) from None
            for side in ("a", "b"):
                index = getattr(coupling, side)
                if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or index not in ferromagnets:
                    raise StackError(f"{path}.{side}", f"must name an F layer (one of {list(ferromagnets)}), "
                                                      f"got {index!r}")
            if coupling.a == coupling.b:
                raise StackError(path, f"couples layer {coupling.a} to itself")
            couplings.append(Coupling(int(coupling.a), int(coupling.b), _real(coupling.J_ex, f"{path}.J_ex")))
        set_("couplings", tuple(couplings))
        applied = _real(self.field, "field")
        if applied.ndim == 0 or applied.shape[-1] != 3:
            raise StackError("field", f"must be a 3-vector B_app (tesla), got shape {applied.shape}")
        # components first: the norm of a 1e300 T field would overflow
        huge = np.any(np.abs(applied) > MAX_FIELD)
        strength = np.max(np.abs(applied)) if huge else np.max(np.linalg.norm(applied, axis=-1))
        if strength > MAX_FIELD:
            raise StackError("field", f"|B_app| must be at most {MAX_FIELD:g} T, got {float(strength):g} T")
        set_("field", applied)
        # the drive: the stack's own, a constant, or a piecewise-linear waveform
        current = self.current
        if current is None:
            set_("current", np.asarray(units.report(np.asarray(stack.current, dtype=float), "current")))
        elif _is_waveform(current):
            set_("waveform", _waveform(current))
            set_("current", None)
        else:
            set_("current", _real(current, "current"))
        # the thermal field (MODEL.md 9b): temperature, the pillar's area (V_i = A d_i) and the noise's seed
        temperature = _real(self.temperature, "temperature")
        if np.any(temperature < 0):
            raise StackError("temperature", f"must be >= 0 (K), got {self.temperature!r}"[:300])
        set_("temperature", temperature)
        if self.area is None:
            if np.any(temperature > 0):
                raise StackError("area", "needed when temperature > 0 (the pillar's cross-section A, m^2: the "
                                         "thermal field's strength depends on the volume A d)")
        else:
            area = _real(self.area, "area")
            if np.any(area <= 0):
                raise StackError("area", f"must be > 0 (m^2), got {self.area!r}"[:300])
            set_("area", area)
        set_("seed", checked_seed(self.seed, "seed"))
        self.batch_shape  # noqa: B018 -- refuse parameters that do not broadcast together, now

    # ------------------------------------------------------------------ from a stack's own keys
    @classmethod
    def from_stack(cls, stack: Stack, **overrides: Any) -> "Macrospins":
        """The macrospins a stack file describes (STACK_FORMAT.md "Dynamics"): its free layers, their materials'
        constants, their demagnetizing factors and the stack's [dynamics] settings.

        Parameters
        ----------
        stack
            An SI :class:`~spinstack.Stack` with at least one layer marked ``free`` (its material giving Ms
            and alpha, which the stack checks); may be batched (``with_parameter`` arrays of
            ``materials.NAME.Ms``, ``dynamics.field.z``, ``dynamics.temperature``, ...): the batch becomes
            the ensemble.
        **overrides
            Any :class:`Macrospins` keyword (``free``, ``Ms``, ``alpha``, ``gamma``, ``K_u``, ``easy_axis``,
            ``demag``, ``couplings``, ``field``, ``current``, and the thermal ``temperature``, ``area``,
            ``seed``), replacing what the stack gives.

        What the stack gives: ``free`` = the free layers' indices; per free layer its material's Ms, alpha,
        gamma (|gamma_e| where absent), K_u (0 where absent) and easy_axis (none where no free layer's
        material has one), and the layer's demag ((1, 0, 0) where absent); from ``stack.dynamics`` (when
        the stack has one) the couplings, the applied field, the waveform (``current``, its currents times
        ``waveform_scale``; else the stack's own current) and temperature, area, seed.  The run's
        ``duration`` and ``save_every`` are not macrospin parameters: they stay on ``stack.dynamics``.

        Raises
        ------
        StackError
            ``units: dynamics needs an SI stack ...`` for a reduced stack, ``free: the stack has no free
            layer ...`` when no layer is free (and none is named in ``overrides``), and every refusal of
            :class:`Macrospins` itself.
        """
        if not isinstance(stack, Stack):
            raise StackError("stack", f"must be a spinstack.Stack, got {stack!r}"[:300])
        if stack.units != "SI":
            raise StackError("units", "dynamics needs an SI stack (Ms and gamma have no reduced form): "
                                      'load a file with units = "SI"')
        free = overrides.get("free", stack.free_indices)
        free = (free,) if np.ndim(free) == 0 else tuple(free)
        if not free:
            raise StackError("free", "the stack has no free layer: mark an F layer free = true (its material "
                                     "giving Ms and alpha)")
        layers = [stack.layers[index] for index in free if isinstance(index, (int, np.integer))
                  and -len(stack.layers) <= index < len(stack.layers)]
        given: dict[str, Any] = {"free": free}
        if len(layers) == len(free):  # else Macrospins names the bad index
            materials = [layer.material for layer in layers]

            def per_layer(key: str, default: Any) -> Any:
                values = [getattr(material, key, None) for material in materials]
                missing = [value is None for value in values]
                if all(missing) or (default is None and any(missing)):
                    return default
                return _stacked([default if value is None else value for value in values], vector=False)

            given.update(Ms=per_layer("Ms", None), alpha=per_layer("alpha", None),
                         gamma=per_layer("gamma", GAMMA_ELECTRON), K_u=per_layer("K_u", 0.0))
            axes = [getattr(material, "easy_axis", None) for material in materials]
            if any(axis is not None for axis in axes):
                given["easy_axis"] = _stacked([np.zeros(3) if axis is None else axis for axis in axes], vector=True)
            given["demag"] = _stacked([np.array([1.0, 0.0, 0.0]) if layer.demag is None else layer.demag
                                       for layer in layers], vector=True)
        dynamics = stack.dynamics
        if dynamics is not None:
            given["couplings"] = tuple(Coupling(c.layers[0], c.layers[1], c.J) for c in dynamics.couplings)
            given["field"] = dynamics.field
            if dynamics.waveform is not None:  # its currents times waveform_scale (one per member when varied)
                given["current"] = list(zip(*dynamics.scaled_waveform()))
            own = {entry.name for entry in dataclasses.fields(cls)}
            thermal = {"temperature": dynamics.temperature, "area": dynamics.area, "seed": dynamics.seed}
            given.update({key: value for key, value in thermal.items() if key in own and value is not None})
        given.update(overrides)
        for key in ("Ms", "alpha"):
            if given.get(key) is None:  # only when overrides named other free layers than the stack's
                raise StackError(key, f"missing: give {key} (the free layers' materials do not)")
        return cls(stack, **given)

    # ------------------------------------------------------------------ derived
    @property
    def batch_shape(self) -> tuple[int, ...]:
        """The ensemble's shape: every parameter's leading axes and the stack's batch shape, broadcast."""
        shapes = [self.stack.batch_shape, self.Ms.shape[:-1], self.alpha.shape[:-1], self.gamma.shape[:-1],
                  self.K_u.shape[:-1], self.easy_axis.shape[:-2], self.demag.shape[:-2], self.field.shape[:-1],
                  self.thickness.shape[:-1]]
        shapes += [np.shape(coupling.J_ex) for coupling in self.couplings]
        shapes.append(self.current.shape if self.waveform is None else self.waveform[1].shape[1:])
        shapes += [self.temperature.shape] + ([] if self.area is None else [self.area.shape])
        try:
            return np.broadcast_shapes(*shapes)
        except ValueError:
            raise StackError("", f"the parameters' leading shapes {shapes} do not broadcast together "
                                 "(stack batch, Ms, alpha, gamma, K_u, easy_axis, demag, field, thickness, "
                                 "couplings, current, temperature, area)") from None

    @property
    def thickness(self) -> np.ndarray:
        """d of every free layer, m, (..., n_free) (the stack's thicknesses, batched as the stack)."""
        return np.stack([np.broadcast_to(np.asarray(self.stack.layers[i].thickness, dtype=float),
                                         self.stack.batch_shape) for i in self.free], axis=-1)

    @property
    def ferromagnets(self) -> tuple[int, ...]:
        """Stack indices of all F layers (the order :meth:`all_magnetizations` returns them in)."""
        return self.stack.ferromagnet_indices

    @property
    def initial(self) -> np.ndarray:
        """The free layers' starting magnetizations: the stack's own, unit vectors (..., n_free, 3)."""
        return np.stack([_unit(self.stack.layers[i].magnetization, self.stack.batch_shape) for i in self.free], axis=-2)

    def all_magnetizations(self, m: np.ndarray) -> np.ndarray:
        """All F layers' magnetizations (..., n_F, 3), ``ferromagnets`` order: ``m`` (..., n_free, 3) for the free
        layers, the stack's own for the fixed ones (broadcast to ``m``'s leading shape)."""
        m = np.asarray(m, dtype=float)
        free_positions, fixed_positions, fixed = self._layout
        leading = np.broadcast_shapes(m.shape[:-2], self.stack.batch_shape)
        every = np.empty(leading + (len(self.ferromagnets), 3))
        every[..., free_positions, :] = m
        if len(fixed_positions):
            every[..., fixed_positions, :] = fixed
        return every

    @cached_property
    def _layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions (in ``ferromagnets``) of the free and the fixed layers, and the fixed ones' unit m
        (stack batch..., n_fixed, 3): built once, since a dynamics step asks for all magnetizations 6 times."""
        ferromagnets = self.ferromagnets
        free_positions = np.array([ferromagnets.index(i) for i in self.free], dtype=int)
        fixed_layers = [i for i in ferromagnets if i not in self.free]
        fixed_positions = np.array([ferromagnets.index(i) for i in fixed_layers], dtype=int)
        batch = self.stack.batch_shape
        fixed = (np.stack([_unit(self.stack.layers[i].magnetization, batch) for i in fixed_layers], axis=-2)
                 if fixed_layers else np.zeros(batch + (0, 3)))
        return free_positions, fixed_positions, fixed

    def current_at(self, t: ArrayLike) -> np.ndarray:
        """The drive J(t), A/m^2, element by element: ``t`` broadcasts with the current's own shape (one time per
        ensemble member, or one time for all).  The constant current, or the waveform interpolated linearly
        (held at its first value before its first time and at its last after its last).  The waveform's own
        values come out exactly: on a flat segment, at its corners and beyond its ends (J_k + w (J_k+1 - J_k),
        not (1 - w) J_k + w J_k+1, whose two products round: -5e11 came out -500000000000.00006)."""
        t = np.asarray(t, dtype=float)
        if self.waveform is None:
            return np.broadcast_to(self.current, np.broadcast_shapes(t.shape, self.current.shape)).copy()
        times, values = self.waveform
        shape = np.broadcast_shapes(t.shape, values.shape[1:])
        if len(times) == 1:
            return np.broadcast_to(values[0], shape).copy()
        clipped = np.broadcast_to(np.clip(t, times[0], times[-1]), shape)
        segment = np.clip(np.searchsorted(times, clipped, side="right") - 1, 0, len(times) - 2)
        padded = values.reshape((len(times),) + (1,) * (len(shape) - values.ndim + 1) + values.shape[1:])
        every = np.broadcast_to(padded, (len(times),) + shape)
        low = np.take_along_axis(every, segment[None], axis=0)[0]
        high = np.take_along_axis(every, segment[None] + 1, axis=0)[0]
        weight = (clipped - times[segment]) / (times[segment + 1] - times[segment])
        return np.where(weight >= 1, high, low + weight * (high - low))

    def __repr__(self) -> str:
        """The constants as plain numbers (lists, no ``array(...)``, no negative zero), the stack by its layers;
        arrays of more than 12 numbers by their shape and range."""
        stack = self.stack
        layers = " / ".join(f"{layer.material.name} {units.format_number(float(np.max(layer.thickness)) * 1e9)} nm"
                            for layer in stack.layers)
        fields = [f"stack=<Stack {stack.units}: {layers}>"]
        for item in dataclasses.fields(self):
            if item.name == "stack":
                continue
            value = getattr(self, item.name)
            if item.name == "waveform" and value is not None:
                value = [(_plain(t), _plain(j)) for t, j in zip(*value)]
                text = "[" + ", ".join(f"({t}, {j})" for t, j in value) + "]"
            elif item.name == "couplings":
                text = "(" + ", ".join(f"Coupling({c.a}, {c.b}, {_plain(c.J_ex)})" for c in value) + \
                       ("," if len(value) == 1 else "") + ")"
            else:
                text = _plain(value)
            fields.append(f"{item.name}={text}")
        return f"Macrospins({', '.join(fields)})"

    def with_stack(self, stack: Stack) -> "Macrospins":
        """The same macrospins on another stack (validated again against it)."""
        return dataclasses.replace(self, stack=stack, current=self.current if self.waveform is None else
                                   list(zip(self.waveform[0], self.waveform[1])))


def _plain(value: Any) -> str:
    """A value for :meth:`Macrospins.__repr__`: None, a tuple of ints as is, numbers as plain floats (a negative
    zero shown as 0.0), small arrays as nested lists, larger ones as ``<array (shape): min to max>``."""
    if value is None or isinstance(value, (tuple, int, str)) and not isinstance(value, bool):
        return repr(value)
    array = np.asarray(value, dtype=float) + 0.0  # + 0.0: -0.0 becomes 0.0
    if array.size > 12:
        return f"<array {array.shape}: {float(array.min())!r} to {float(array.max())!r}>"
    return repr(array.tolist())


def _stacked(values: Sequence[Any], *, vector: bool) -> np.ndarray:
    """One value per free layer (each maybe batched) as an array (..., n_free) or, for vectors, (..., n_free, 3)."""
    arrays = [np.asarray(value, dtype=float) for value in values]
    if vector:
        leading = np.broadcast_shapes(*(array.shape[:-1] for array in arrays))
        return np.stack([np.broadcast_to(array, leading + (3,)) for array in arrays], axis=-2)
    return np.stack(np.broadcast_arrays(*arrays), axis=-1)


def _unit(magnetization: Any, leading: tuple[int, ...]) -> np.ndarray:
    """A stack layer's magnetization as a unit vector broadcast to ``leading + (3,)``."""
    m = np.asarray(magnetization, dtype=float)
    m = m / np.linalg.norm(m, axis=-1, keepdims=True)
    return np.broadcast_to(m, np.broadcast_shapes(m.shape[:-1], leading) + (3,))


def _is_waveform(value: Any) -> bool:
    """A sequence of (t, J) pairs (not a plain number or a numeric array)."""
    # the structure alone, never np.ndim: pairs whose currents are arrays (one per member) are no rectangular array
    if not isinstance(value, (list, tuple)):
        return False
    return len(value) > 0 and all(isinstance(point, (list, tuple)) and len(point) == 2 for point in value)


def _waveform(points: Sequence[tuple[Any, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """(times, currents) of a piecewise-linear drive, checked."""
    times = _real([point[0] for point in points], "current (waveform times)")
    try:
        values = np.stack(np.broadcast_arrays(*(_real(point[1], f"current[{k}]") for k, point in enumerate(points))))
    except ValueError:
        raise StackError("current", "the waveform's currents must broadcast to one shape") from None
    steps = np.diff(times)
    if np.any(steps <= 0):
        k = int(np.argmax(steps <= 0))
        raise StackError("current", f"the waveform's times must increase strictly: t[{k + 1}] = {float(times[k + 1])!r} s "
                                    f"follows t[{k}] = {float(times[k])!r} s")
    return times, values
