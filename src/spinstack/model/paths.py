"""Name a stack parameter by a path and replace it: the one way sweeps, thresholds, figures and the app do it.

Paths read like the stack file:

* ``current``
* ``field``                                           (the in-plane drive eps, shape (..., 3); MODEL.md 8a)
* ``field.y`` / ``field.z``                           (its in-plane components; x is the film normal, always 0)
* ``materials.NAME.D`` / ``.p`` / ``.l``            (every layer and lead made of NAME; also ``.l_J``, ``.l_phi``,
  ``.D_perp`` of a ferromagnet, ``.theta_SH`` of a normal metal)
* ``layers[i].thickness``
* ``layers[i].magnetization``                         (vectors, shape (..., 3))
* ``layers[i].magnetization.theta`` / ``.phi``        (degrees; the other angle is kept)
* ``left.magnetization...``, ``right.magnetization...`` (F leads and magnetic-insulator ends)
* ``left.g_mix`` / ``right.g_mix`` ([g_r, g_i], shape (..., 2)), ``left.g_s`` / ``right.g_s`` (insulator ends)
* ``left.g_mix.real`` / ``.imag`` (and ``right.``): g_r and g_i alone
* dynamics (MODEL.md 9, SI stacks): ``materials.NAME.Ms`` / ``.alpha`` / ``.K_u`` / ``.gamma`` (a ferromagnet's
  macrospin constants), ``materials.NAME.easy_axis`` (a unit vector) and its ``.theta`` / ``.phi``,
  ``layers[i].demag`` ([N_x, N_y, N_z]), ``dynamics.field`` (the applied field B_app = mu0 H in tesla, a vector)
  and its components ``dynamics.field.x`` / ``.y`` / ``.z`` (any direction: x is allowed here),
  ``dynamics.temperature``, ``dynamics.area``, ``dynamics.duration``, ``dynamics.save_every``,
  ``dynamics.waveform_scale`` (a pure number multiplying the waveform's currents; 1 when a waveform has none),
  ``dynamics.coupling[k].J``.  Setting one on a stack without a [dynamics] table starts one with the defaults.
* ``theta``: the angle between m1 and m2 (degrees) that sweeps and sign maps vary; it turns m2 about m1
  (:func:`spinstack.analysis.with_angle`), so :func:`with_parameter` does not set it

Negative layer indices count from the right as in Python.  A component path sets one number of a vector
and keeps the others (broadcast against each other): the number a sweep varies (a sweep refuses the
vector paths ``field``, ``...g_mix`` and ``...magnetization``, whose numbers would each be read as the whole
vector; and transport sweeps and thresholds refuse the dynamics-only paths, :func:`require_transport_parameter`).

:class:`ParameterPath` is the one grammar: a path is parsed once (:func:`parse`) into what it names (owner,
parameter, component), its kind, the reported quantity of its numbers (a key of
:data:`spinstack.units.QUANTITIES`: units, reduced and SI) and its labels.  Reading and setting
(:func:`parameter_value`, :func:`with_parameter`), sweeps, thresholds, figures and the app all use it.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import StackError
from ..units import QUANTITIES, Quantity
from . import checks
from .dynamics import Dynamics, ExchangeCoupling
from .layers import Insulator, Layer, Lead
from .materials import Ferromagnet, Material
from .stack import Stack

__all__ = ["COMPONENTS", "DYNAMICS_PARAMETERS", "MATERIAL_PARAMETERS", "ParameterPath", "THETA", "material_keys", "parameter_value", "parse",
           "require_transport_parameter", "with_parameter"]

#: the special path of sweeps and sign maps: the angle (degrees) between m1 and m2, m2 turned about m1
THETA = "theta"

#: the vectors with component paths: their names and the names of their components, in order
COMPONENTS = {"field": ("x", "y", "z"), "g_mix": ("real", "imag"), "magnetization": ("theta", "phi"),
              "easy_axis": ("theta", "phi")}

#: the numeric parameters of a material a path may name, by type: (kind, quantity, words) of each
MATERIAL_PARAMETERS: dict[str, tuple[str, str, str]] = {
    "D": ("conductance", "conductivity", "conductance D"),
    "p": ("polarisation", "dimensionless", "polarization p"),
    "l": ("length", "length", "spin diffusion length l"),
    "l_J": ("length", "length", "coherence length l_J"),
    "l_phi": ("length", "length", "coherence length l_phi"),
    "D_perp": ("conductance", "conductivity", "transverse conductance D_perp"),
    "theta_SH": ("spin_hall_angle", "dimensionless", "spin Hall angle theta_SH"),
    # a ferromagnet's macrospin constants (MODEL.md 9; SI numbers, no reduced form)
    "Ms": ("magnetization", "magnetization", "saturation magnetization Ms"),
    "alpha": ("damping", "dimensionless", "Gilbert damping alpha"),
    "K_u": ("anisotropy", "anisotropy", "uniaxial anisotropy K_u"),
    "gamma": ("gyromagnetic_ratio", "gyromagnetic_ratio", "gyromagnetic ratio gamma"),
}
_FERROMAGNET_KEYS = ("D", "p", "l", "l_J", "l_phi", "D_perp")
_NORMAL_KEYS = ("D", "l", "theta_SH")
#: a ferromagnet's macrospin constants a path may name (``easy_axis`` a vector, with .theta and .phi)
_DYNAMICS_MATERIAL_KEYS = ("Ms", "alpha", "K_u", "gamma", "easy_axis")

#: the [dynamics] numbers a path may name: (kind, quantity, words) of each (``dynamics.field`` a vector)
DYNAMICS_PARAMETERS: dict[str, tuple[str, str, str]] = {
    "field": ("applied_field", "magnetic_field", "applied field B_app = mu0 H"),
    "temperature": ("temperature", "temperature", "temperature T"),
    "area": ("area", "area", "pillar area A"),
    "duration": ("time", "time", "duration of the run"),
    "save_every": ("time", "time", "sampling interval of the saved trajectory"),
    "waveform_scale": ("waveform_scale", "dimensionless", "scale of the waveform's currents (pulse amplitude)"),
}
#: figure labels of the scalar dynamics paths, by kind (mathtext)
_DYNAMICS_LABELS = {"temperature": "temperature $T$", "area": "pillar area $A$",
                    "waveform_scale": "waveform scale (pulse amplitude / as written)",
                    "exchange": r"interlayer exchange $J_\mathrm{ex}$"}
_COUPLING = re.compile(r"^coupling\[(\d+)\]\.J$")

#: mathtext of a material parameter's symbol: (base, subscript) in ``$base_{subscript,NAME}$``
_TEX = {"D": ("D", ""), "p": ("p", ""), "l": ("l", ""), "l_J": ("l", "J"), "l_phi": ("l", r"\phi"),
        "D_perp": ("D", r"\perp"), "theta_SH": (r"\theta", r"\mathrm{SH}"), "Ms": ("M", "s"), "alpha": (r"\alpha", ""),
        "K_u": ("K", "u"), "gamma": (r"\gamma", "")}

_LAYER = re.compile(r"^layers\[(-?\d+)\]\.(.+)$")
_UNKNOWN = "unknown parameter path (see spinstack.model.paths for the forms)"
#: the parameters of a layer or an end: their own errors carry paths relative to it
_ELEMENT_KEYS = ("thickness", "magnetization", "g_mix", "g_s", "demag", "free")

#: the kinds whose sweeps take the numbers as a stack file gives them (an SI current as J, a field as E)
_GIVEN_AS_REPORTED = ("current", "field_component")


def material_keys(material: Material, *, dynamics: bool = False) -> tuple[str, ...]:
    """The numeric parameters of ``material`` that a path may name: its transport parameters, and with
    ``dynamics`` a ferromagnet's macrospin constants too (Ms, alpha, K_u, gamma, easy_axis)."""
    if isinstance(material, Ferromagnet):
        return _FERROMAGNET_KEYS + _DYNAMICS_MATERIAL_KEYS if dynamics else _FERROMAGNET_KEYS
    return _NORMAL_KEYS


@dataclasses.dataclass(frozen=True)
class ParameterPath:
    """One parsed parameter path (:func:`parse`): what it names, the kind and units of its numbers, its labels.

    Attributes
    ----------
    text : the path as written (``"layers[-1].magnetization.theta"``)
    owner : ``"stack"`` (current, field, theta), ``"material"``, ``"layer"``, ``"left"``, ``"right"`` or
        ``"dynamics"`` (the [dynamics] settings)
    parameter : ``"current"``, ``"field"``, ``"theta"``, ``"thickness"``, ``"magnetization"``, ``"g_mix"``,
        ``"g_s"`` or a material key (``"D"``, ``"p"``, ...)
    material : the material's name (``owner == "material"``), else None
    index : the layer index as written, negative from the right (``owner == "layer"``), the coupling's
        position (``dynamics.coupling[k].J``), else None
    component : ``"y"``, ``"z"`` (field), ``"real"``, ``"imag"`` (g_mix), ``"theta"``, ``"phi"`` (a
        magnetization's angles, degrees), or None for the whole parameter
    kind : what the numbers are: ``"current"``, ``"field"`` (a vector), ``"field_component"``, ``"angle_between"``
        (theta), ``"length"``, ``"conductance"`` (D, D_perp), ``"polarisation"``, ``"spin_hall_angle"``,
        ``"direction"`` (a magnetization vector), ``"direction_angle"``, ``"mixing_conductance"`` (a vector),
        ``"mixing_component"``, ``"spin_sink"`` (g_s); dynamics: ``"magnetization"`` (Ms), ``"damping"``,
        ``"anisotropy"`` (K_u), ``"gyromagnetic_ratio"``, ``"demag_factors"`` (a vector), ``"applied_field"``
        (a vector), ``"applied_field_component"``, ``"temperature"``, ``"area"``, ``"time"``, ``"exchange"``
        (a coupling's J); or ``"unknown"`` (``parse(..., strict=False)`` of a path that is none of these)
    quantity : the key of :data:`spinstack.units.QUANTITIES` giving the units of the numbers (None: a unit
        vector, or unknown)
    """

    text: str
    owner: str
    parameter: str
    material: str | None = None
    index: int | None = None
    component: str | None = None
    kind: str = "unknown"
    quantity: str | None = None

    # ---------------------------------------------------------------- what it is
    @property
    def vector(self) -> bool:
        """Whether the path names a whole vector (``field``, ``...g_mix``, ``...magnetization``, ``...easy_axis``,
        ``...demag``, ``dynamics.field``)."""
        return self.kind in ("field", "mixing_conductance", "direction", "demag_factors", "applied_field")

    @property
    def units_entry(self) -> Quantity | None:
        """The registry entry of the numbers' quantity (:data:`spinstack.units.QUANTITIES`), or None."""
        return None if self.quantity is None else QUANTITIES[self.quantity]

    @property
    def given_as_reported(self) -> bool:
        """Whether sweeps take an SI stack's numbers of this path in the report unit, as its file gives them (the
        current as J, the field as E), not as the number the stack holds (j0 = J/e, eps = eE)."""
        return self.kind in _GIVEN_AS_REPORTED

    def units(self, system: str, *, as_swept: bool = True) -> str:
        """UDUNITS of the path's numbers in a stack of ``system`` (``"SI"`` or ``"reduced"``).

        ``"degree"`` for angles and ``"1"`` for pure numbers either way, ``"reduced"`` in reduced stacks; in SI
        stacks the unit of the number the stack holds (a length in ``"m"``, D in ``"J-1 s-1 m-1"``), except
        that the current and the field are taken by sweeps as the file gives them (``as_swept``: ``"A m-2"``,
        ``"V m-1"``).  ``"SI base units"`` for a path without a quantity.
        """
        entry = self.units_entry
        if entry is None:
            return "reduced" if system != "SI" else "SI base units"
        if system != "SI" or not entry.dimensional or (as_swept and self.given_as_reported):
            return entry.units(system, "udunits")
        return entry.model_udunits

    # ---------------------------------------------------------------- labels
    def label(self, unit: str = "", *, si: bool = False, stack: Stack | None = None) -> str:
        """A figure's axis label (mathtext): ``"$p_{\\mathrm{F2}}$"``, ``"thickness $d$ of layer 1 (Cu) (nm)"``.

        ``unit`` is the mathtext unit the values are shown in, named for an SI stack (``si``); a layer's
        material is named when ``stack`` is given.
        """
        def with_unit(text: str) -> str:
            return f"{text} ({unit})" if si and unit else text

        if self.kind == "angle_between":
            return r"angle $\theta$ between $\mathbf{m}_1$ and $\mathbf{m}_2$ (deg)"
        if self.kind == "current":
            return with_unit(r"current density $J$") if si else r"current $j_0$"
        if self.owner == "material":
            base, subscript = _TEX.get(self.parameter, (_tex_escape(self.parameter), ""))
            name = rf"\mathrm{{{_tex_escape(self.material or '')}}}"
            symbol = rf"{base}_{{{subscript + ',' if subscript else ''}{name}}}"
            return with_unit(f"$e^2 {symbol}$" if si and self.kind == "conductance" else f"${symbol}$")
        if self.parameter == "thickness" and self.owner == "layer":
            shown = unit if si else "reduced units"
            return rf"thickness $d$ of layer {self.index}{_material_note(stack, self.index)} ({shown})"
        if self.kind == "applied_field_component":
            return with_unit(rf"applied field $B_{{{self.component}}}$")
        if self.kind in _DYNAMICS_LABELS:
            return with_unit(_DYNAMICS_LABELS[self.kind])
        return with_unit(self.text)

    def long_name(self, system: str, stack: Stack | None = None) -> str:
        """A readable plain-text name (a sweep's ``long_name``): ``"polarization p of F2"``."""
        si = system == "SI"
        if self.kind == "angle_between":
            return "angle theta between m1 and m2"
        if self.kind == "current":
            return ("charge current density J (conventional current along +x)" if si
                    else "current j0 (particle flux along +x)")
        if self.kind == "field_component":
            c = self.component
            return f"in-plane electric field E_{c}" if si else f"in-plane field eps_{c} = e E_{c}"
        if self.owner == "material" and self.parameter == "easy_axis":
            if self.component is None:
                return f"anisotropy axis of {self.material}"
            return f"{'polar angle' if self.component == 'theta' else 'azimuth'} of the anisotropy axis of {self.material}"
        if self.owner == "material":
            what = MATERIAL_PARAMETERS[self.parameter][2] if self.parameter in MATERIAL_PARAMETERS else self.parameter
            return f"{what} of {self.material}"
        if self.owner == "dynamics":
            if self.kind == "applied_field_component":
                return f"applied field B_{self.component} = mu0 H_{self.component}"
            if self.kind == "exchange":
                return f"interlayer exchange J of dynamics.coupling[{self.index}]"
            return DYNAMICS_PARAMETERS[self.parameter][2]
        if self.kind == "demag_factors":
            return f"demagnetizing factors of layers[{self.index}]{_material_note(stack, self.index)}"
        owner = self.owner if self.owner != "layer" else f"layers[{self.index}]{_material_note(stack, self.index)}"
        if self.kind == "length":
            return f"thickness of {owner}"
        if self.kind == "direction_angle":
            return f"{'polar angle' if self.component == 'theta' else 'azimuth'} of the magnetization of {owner}"
        if self.kind == "mixing_component":
            part = "real" if self.component == "real" else "imaginary"
            return f"{part} part of the mixing conductance of the {owner} end"
        if self.kind == "spin_sink":
            return f"spin-sink conductance g_s of the {owner} end"
        return self.text


def _material_note(stack: Stack | None, index: int | None) -> str:
    """``" (Cu)"``: the material of layer ``index`` of ``stack``; empty without a stack or such a layer."""
    if stack is None or index is None:
        return ""
    try:
        return f" ({stack.layers[index].material.name})"
    except IndexError:
        return ""


def _tex_escape(text: str) -> str:
    return "".join("\\" + c if c in "_%$&#{}" else c for c in text)


def _component(vector: str, name: str, path: str) -> str:
    """``name``, checked to be a component of ``vector`` that a path sets."""
    names = COMPONENTS[vector]
    if vector in ("magnetization", "easy_axis"):
        if name not in names:
            raise StackError(path, f"unknown parameter (expected {vector}, {vector}.theta or {vector}.phi)")
        return name
    if name not in names:
        offered = names[1:] if vector == "field" else names  # x is no component a path sets
        raise StackError(path, f"unknown component {name!r} of {vector} (expected {' or '.join(offered)})")
    if vector == "field" and name == "x":
        raise StackError(path, "x is the film normal: the in-plane field has no x component (field.y or field.z)")
    return name


def parse(text: str, *, strict: bool = True) -> ParameterPath:
    """``text`` parsed as a parameter path (module docstring; the same path object every time).

    Only the form is checked here; what a stack has (a material of that name, a layer of that index, an end
    with parameters, a ferromagnet's keys) is checked where the path meets a stack (:func:`parameter_value`,
    :func:`with_parameter`).

    Raises
    ------
    StackError
        For a path of no known form (``strict``; otherwise a path of kind ``"unknown"``), an unknown component
        (``field.w``, ``left.g_mix.x``, ``layers[0].magnetization.psi``) or ``field.x`` (the film normal).
    """
    if not isinstance(text, str):
        raise StackError(str(text), _UNKNOWN)
    try:
        return _parse(text)
    except StackError:
        if strict:
            raise
        return ParameterPath(text, "unknown", text)


@lru_cache(maxsize=1024)
def _parse(text: str) -> ParameterPath:
    if text == "current":
        return ParameterPath(text, "stack", "current", kind="current", quantity="current")
    if text == THETA:
        return ParameterPath(text, "stack", "theta", kind="angle_between", quantity="angle")
    head, _, rest = text.partition(".")
    if head == "field":
        if not rest:
            return ParameterPath(text, "stack", "field", kind="field", quantity="field")
        return ParameterPath(text, "stack", "field", component=_component("field", rest, text),
                             kind="field_component", quantity="field")
    if head == "materials":
        name, _, key = rest.partition(".")
        if not name or not key:
            raise StackError(text, _UNKNOWN)
        if key == "easy_axis":
            return ParameterPath(text, "material", key, material=name, kind="direction")
        if key.startswith("easy_axis."):
            component = _component("easy_axis", key.partition(".")[2], text)
            return ParameterPath(text, "material", "easy_axis", material=name, component=component,
                                 kind="direction_angle", quantity="angle")
        kind, quantity, _ = MATERIAL_PARAMETERS.get(key, ("unknown", None, ""))  # keys by material type: see _read
        return ParameterPath(text, "material", key, material=name, kind=kind, quantity=quantity)
    if head == "dynamics":
        return _parse_dynamics(text, rest)
    match = _LAYER.match(text)
    if match:
        owner, index, key = "layer", int(match.group(1)), match.group(2)
    elif head in ("left", "right") and rest:
        owner, index, key = head, None, rest
    else:
        raise StackError(text, _UNKNOWN)
    parameter, _, component = key.partition(".")
    if parameter == "thickness" and owner == "layer" and not component:
        return ParameterPath(text, owner, parameter, index=index, kind="length", quantity="length")
    if parameter == "demag" and owner == "layer" and not component:
        return ParameterPath(text, owner, parameter, index=index, kind="demag_factors", quantity="dimensionless")
    if parameter == "magnetization":
        if not component:
            return ParameterPath(text, owner, parameter, index=index, kind="direction")
        return ParameterPath(text, owner, parameter, index=index, kind="direction_angle", quantity="angle",
                             component=_component("magnetization", component, text))
    if owner != "layer" and parameter == "g_s" and not component:
        return ParameterPath(text, owner, parameter, kind="spin_sink", quantity="interface_conductance")
    if owner != "layer" and parameter == "g_mix":
        if not component:
            return ParameterPath(text, owner, parameter, kind="mixing_conductance", quantity="interface_conductance")
        return ParameterPath(text, owner, parameter, component=_component("g_mix", component, text),
                             kind="mixing_component", quantity="interface_conductance")
    raise StackError(text, _UNKNOWN)


def _parse_dynamics(text: str, rest: str) -> ParameterPath:
    """``dynamics.field[.x|.y|.z]``, ``dynamics.temperature`` (area, duration, save_every), ``dynamics.coupling[k].J``."""
    match = _COUPLING.match(rest)
    if match:
        return ParameterPath(text, "dynamics", "J", index=int(match.group(1)), kind="exchange", quantity="exchange")
    parameter, _, component = rest.partition(".")
    if parameter == "field" and component:
        if component not in COMPONENTS["field"]:
            raise StackError(text, f"unknown component {component!r} of the applied field (expected x, y or z)")
        return ParameterPath(text, "dynamics", "field", component=component, kind="applied_field_component",
                             quantity="magnetic_field")
    if parameter in DYNAMICS_PARAMETERS and not component:
        kind, quantity, _ = DYNAMICS_PARAMETERS[parameter]
        return ParameterPath(text, "dynamics", parameter, kind=kind, quantity=quantity)
    raise StackError(text, f"{_UNKNOWN}; the dynamics paths are dynamics.field (.x, .y, .z), "
                           f"dynamics.{', dynamics.'.join(list(DYNAMICS_PARAMETERS)[1:])} and dynamics.coupling[k].J")


# ------------------------------------------------------------------ a path on a stack
def _angles(vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polar angle from +z and azimuth from +x, degrees."""
    # atan2 of the in-plane length and z, not arccos(z): exact to round-off at every angle (arccos loses
    # half the digits near the poles, where dz/dtheta -> 0)
    theta = np.rad2deg(np.arctan2(np.hypot(vector[..., 0], vector[..., 1]), vector[..., 2]))
    phi = np.rad2deg(np.arctan2(vector[..., 1], vector[..., 0]))
    return theta, phi


def _with_component(old: np.ndarray, index: int, value: ArrayLike, path: str) -> np.ndarray:
    """``old`` (shape (..., n)) with component ``index`` set to ``value``, broadcast against each other."""
    value = checks.finite(value, path)
    shape = np.broadcast_shapes(old.shape[:-1], value.shape)
    new = np.array(np.broadcast_to(old, shape + old.shape[-1:]), dtype=float)
    new[..., index] = value
    return new


def _material(stack: Stack, path: ParameterPath) -> Material:
    """The material a material path names, with the key checked against its type."""
    material = stack.materials.get(path.material)
    if material is None:
        raise StackError(path.text, f"no material named {path.material!r} in this stack")
    keys = material_keys(material, dynamics=True)
    if path.parameter not in keys:
        raise StackError(path.text, f"unknown parameter (expected one of: {', '.join(keys)})")
    return material


def _element(stack: Stack, path: ParameterPath) -> tuple[Layer | Lead | Insulator, int | str]:
    """The layer or end a path names, and where it sits: a layer index (from 0) or ``"left"``/``"right"``.

    Where, not only the object: one Layer or Lead object may sit in several places, and a path changes one.
    """
    if path.owner == "layer":
        count = len(stack.layers)
        if not -count <= path.index < count:
            raise StackError(path.text, f"no such layer: the stack has {count} layers")
        element: Any = stack.layers[path.index]
        where: int | str = path.index % count
    else:
        element, where = getattr(stack, path.owner), path.owner
        if not isinstance(element, (Lead, Insulator)):
            raise StackError(path.text, f"the {path.owner} end is "
                                        f"{'an open face' if element.kind == 'open' else 'a reservoir'}: "
                                        "it has no parameters")
    if path.parameter in ("magnetization", "demag") and element.magnetization is None:
        raise StackError(path.text, f"not a ferromagnet: it has no {path.parameter}")
    if path.parameter in ("g_mix", "g_s") and not isinstance(element, Insulator):
        raise StackError(path.text, _UNKNOWN)
    return element, where


def _field(stack: Stack, path: ParameterPath) -> np.ndarray:
    if stack.field is None:
        raise StackError(path.text, "this stack has no in-plane field")
    return stack.field


#: a layer's keys that only the macrospin dynamics reads (the per-layer constants are spinstack.dynamics paths)
_DYNAMICS_LAYER_KEYS = ("demag", "free") + _DYNAMICS_MATERIAL_KEYS


def require_transport_parameter(path: str) -> None:
    """Refuse a path that does not enter the transport solution: the macrospin dynamics' own parameters.

    ``materials.NAME.Ms`` / ``.alpha`` / ``.K_u`` / ``.gamma`` / ``.easy_axis`` (and its angles),
    ``layers[i].demag`` / ``.free`` (and the per-layer constants of :func:`spinstack.dynamics`) and every
    ``dynamics.*`` path leave the spin accumulations, currents and torques of a static solve unchanged: a
    transport sweep or threshold search of one would give the same answer at every point.  Any other path
    (including unknown ones, which the callers refuse in their own words) passes.

    Raises
    ------
    StackError
        Naming the path, and the way to vary it (``spinstack dynamics --vary``).
    """
    if not isinstance(path, str):
        return
    head, _, rest = path.partition(".")
    layer = _LAYER.match(path)
    if head == "dynamics" or path.startswith("dynamics[") \
            or (head == "materials" and rest.partition(".")[2].partition(".")[0] in _DYNAMICS_MATERIAL_KEYS) \
            or (layer is not None and layer.group(2).partition(".")[0] in _DYNAMICS_LAYER_KEYS):
        raise StackError(path, "a macrospin dynamics parameter: it does not enter the transport solution (every "
                               "point would be the same); vary it with `spinstack dynamics --vary` or "
                               "spinstack.dynamics(vary=...)")


def _stack_level(path: ParameterPath) -> None:
    if path.kind == "angle_between":  # turned by analysis.with_angle (outside the model)
        raise StackError(path.text, f"{_UNKNOWN}; the angle between m1 and m2 is set by "
                                    "spinstack.analysis.with_angle")


def parameter_value(stack: Stack, path: str) -> np.ndarray:
    """The current value of the parameter at ``path`` (angles in degrees).

    Raises
    ------
    StackError
        For an unknown path, or one the stack does not have (the path names the parameter).
    """
    parsed = parse(path)
    _stack_level(parsed)
    if parsed.parameter == "current":
        return stack.current
    if parsed.owner == "stack" and parsed.parameter == "field":
        field = _field(stack, parsed)
        return field if parsed.component is None else field[..., COMPONENTS["field"].index(parsed.component)]
    if parsed.owner == "material":
        material = _material(stack, parsed)
        value = getattr(material, parsed.parameter)
        if value is None:
            why = ("full absorption: no l_J, l_phi" if parsed.parameter in _FERROMAGNET_KEYS
                   else "the file gives no such key")
            raise StackError(path, f"not set for {parsed.material!r} ({why})")
        if parsed.component is not None:  # easy_axis.theta / .phi
            return _angles(value)[COMPONENTS["easy_axis"].index(parsed.component)]
        return np.asarray(value)
    if parsed.owner == "dynamics":
        return _dynamics_value(stack, parsed)
    element, _ = _element(stack, parsed)
    value = getattr(element, parsed.parameter)
    if value is None:  # demag of a layer that keeps the default
        raise StackError(path, "not set (the default thin film [1, 0, 0] applies)")
    if parsed.component is None:
        return value if parsed.parameter != "g_s" else np.asarray(value)
    if parsed.parameter == "magnetization":
        return _angles(element.magnetization)[COMPONENTS["magnetization"].index(parsed.component)]
    return value[..., COMPONENTS[parsed.parameter].index(parsed.component)]


def with_parameter(stack: Stack, path: str, value: ArrayLike) -> Stack:
    """A new, validated stack with the parameter at ``path`` set to ``value`` (scalar or array).

    Raises
    ------
    StackError
        For an unknown path or an invalid value (the path names the parameter).
    """
    parsed = parse(path)
    try:
        return _with_parameter(stack, parsed, value)
    except StackError as error:
        if parsed.owner not in ("layer", "left", "right") or not error.path.startswith(_ELEMENT_KEYS):
            raise
        # errors of a single layer, lead or insulator end carry paths relative to it: layers[i], left or right
        raise error.within(f"layers[{parsed.index}]" if parsed.owner == "layer" else parsed.owner) from None


def _with_parameter(stack: Stack, path: ParameterPath, value: ArrayLike) -> Stack:
    _stack_level(path)
    if path.owner == "stack" and path.component is None:
        return dataclasses.replace(stack, **{path.parameter: value})
    if path.owner == "stack" and path.parameter == "field":
        index = COMPONENTS["field"].index(path.component)
        return dataclasses.replace(stack, field=_with_component(_field(stack, path), index, value, path.text))
    if path.owner == "dynamics":
        return dataclasses.replace(stack, dynamics=_with_dynamics(stack, path, value))
    if path.owner == "material":
        material = _material(stack, path)
        if path.component is not None:  # easy_axis.theta / .phi: the other angle kept
            if material.easy_axis is None:
                raise StackError(path.text, f"not set for {path.material!r}: set {path.material}.easy_axis first")
            theta, phi = _angles(material.easy_axis)
            value = {"theta": value, "phi": phi} if path.component == "theta" else {"theta": theta, "phi": value}
        replacement = dataclasses.replace(material, **{path.parameter: value})
        swap = lambda m: replacement if m is material else m  # noqa: E731
        layers = [dataclasses.replace(layer, material=swap(layer.material)) for layer in stack.layers]
        ends = {side: dataclasses.replace(end, material=swap(end.material)) if isinstance(end, Lead) else end
                for side, end in (("left", stack.left), ("right", stack.right))}
        return dataclasses.replace(stack, layers=layers, **ends)
    element, where = _element(stack, path)
    if path.component is None:
        new = value
    elif path.parameter == "magnetization":
        theta, phi = _angles(element.magnetization)
        new = {"theta": value, "phi": phi} if path.component == "theta" else {"theta": theta, "phi": value}
    else:
        index = COMPONENTS[path.parameter].index(path.component)
        new = _with_component(getattr(element, path.parameter), index, value, path.text)
    changed = dataclasses.replace(element, **{path.parameter: new})
    if isinstance(where, str):
        return dataclasses.replace(stack, **{where: changed})
    layers = list(stack.layers)
    layers[where] = changed
    return dataclasses.replace(stack, layers=layers)


def _dynamics(stack: Stack) -> Dynamics:
    """The stack's [dynamics] settings, or the defaults when it has none."""
    return stack.dynamics if stack.dynamics is not None else Dynamics()


def _coupling(dynamics: Dynamics, path: ParameterPath) -> ExchangeCoupling:
    if not path.index < len(dynamics.couplings):
        raise StackError(path.text, f"no such coupling: the stack has {len(dynamics.couplings)} "
                                    "[[dynamics.coupling]] tables (counted from 0)")
    return dynamics.couplings[path.index]


def _dynamics_value(stack: Stack, path: ParameterPath) -> np.ndarray:
    dynamics = _dynamics(stack)
    if path.kind == "exchange":
        return _coupling(dynamics, path).J
    value = getattr(dynamics, path.parameter)
    if value is None and path.parameter == "waveform_scale" and dynamics.waveform is not None:
        return np.asarray(1.0)  # the waveform as written
    if value is None:
        raise StackError(path.text, "not set (the stack's [dynamics] table does not give it)")
    if path.component is not None:
        return value[..., COMPONENTS["field"].index(path.component)]
    return np.asarray(value)


def _with_dynamics(stack: Stack, path: ParameterPath, value: ArrayLike) -> Dynamics:
    """The stack's dynamics settings with the number at ``path`` set (the defaults when it has none)."""
    dynamics = _dynamics(stack)
    if path.kind == "exchange":
        couplings = list(dynamics.couplings)
        try:
            couplings[path.index] = dataclasses.replace(_coupling(dynamics, path), J=value)
        except StackError as error:  # the coupling's own error says "J"
            raise StackError(path.text, error.reason) from None
        return dataclasses.replace(dynamics, couplings=couplings)
    if path.component is not None:
        value = _with_component(dynamics.field, COMPONENTS["field"].index(path.component), value, path.text)
    return dataclasses.replace(dynamics, **{path.parameter: value})
