"""SI input and output: build stacks from measured quantities, convert results back (MODEL.md 7).

The solver works in the reduced model of the seed paper (MODEL.md 1-5).  An SI
stack holds SI-base numbers in that model (``Stack.units == "SI"``): lengths in
m, D in 1/(J s m), j0 in 1/(m^2 s), mu in J.  Every builder here takes the same
quantities as an SI stack file: strings with units (``"4 nm"``,
``"60 nOhm*m"``), plain numbers in SI base units, pint Quantities, or numpy
arrays of them (batches).

>>> from spinstack import si, solve
>>> Co = si.ferromagnet("Co", rho="60 nOhm*m", beta=0.46, l_sf="60 nm")
>>> Cu = si.normal("Cu", rho="5 nOhm*m", l_sf="450 nm")
>>> stack = si.stack([si.layer(Co, "4 nm", [0, 0, 1]), si.layer(Cu, "10 nm"),
...                   si.layer(Co, "4 nm", [1, 0, 0])], current_density="1e11 A/m^2")
>>> solution = solve(stack)
>>> solution.accumulation                    # eV: an SI stack's solution reports MODEL.md 7's units
>>> solution.reduced.accumulation            # the solver's numbers (J) of the same solution
>>> si.from_reduced(solution.reduced.accumulation, "accumulation")   # those as a pint Quantity in eV

Macrospin dynamics (MODEL.md 9) takes the same keys as an SI stack file's: a ferromagnet's ``Ms``,
``alpha``, ``K_u``, ``easy_axis``, ``gamma``; a layer's ``free`` and ``demag``; the stack's ``dynamics``
settings (:func:`dynamics`, the file's ``[dynamics]`` table):

>>> Py = si.ferromagnet("Py", rho="150 nOhm*m", beta=0.65, l_sf="5.5 nm", Ms="800 kA/m", alpha=0.01,
...                     K_u="10 kJ/m^3", easy_axis="+z")
>>> valve = si.stack([si.layer(Co, "8 nm", "+z"), si.layer(Cu, "10 nm"), si.layer(Py, "3 nm", "+z", free=True)],
...                  current_density="1e12 A/m^2", dynamics=si.dynamics(duration="10 ns", save_every="5 ps"))

The conversions, each with its sentence of MODEL.md 7:

* "charge current density J in A/m^2 (conventional current along +x; electrons
  then flow along -x, so j0 = J/e with e = -1.602176634e-19 C)":
  ``j0 = J / ELECTRON_CHARGE`` (J > 0 gives j0 < 0).
* "D_N = 1/(e^2 rho_N)": ``D = 1 / (e**2 * rho)``.
* "for F, D = 1/(e^2 rho*) with rho* = rho_F/(1 - beta^2) (Valet-Fert rho*)":
  ``D = (1 - beta**2) / (e**2 * rho_F)``.  Check against MODEL.md 1: the total
  conductance sigma_F = D/(1 - p^2) = 1/(e^2 rho_F), the measured resistivity.
* "bulk spin asymmetry beta (= p)": ``p = beta``.
* "l_sf in length units, thickness in length units": metres.
* "interface conductances likewise divided by e^2": an interface of resistance
  AR* and asymmetry gamma is ``Interface.from_valet_fert(node, AR * e**2, gamma)``
  (g_up = 1/(2 AR* (1 - gamma)) / e^2, MODEL.md 3b), and the mixing conductance
  per area G_mix = [Re, Im] in Ohm^-1 m^-2 gives ``g_mix = G_mix / e**2``
  (MODEL.md 8d: Chen's G_up-down is e^2 g).
* "Report mu_s in eV, spin current as |e| j_s in A/m^2, torque per area as
  (hbar/2) x deposited spin current in J/m^2, g dimensionless, resistance-area
  in Ohm m^2": :func:`from_reduced` with the kinds of :data:`REPORTS`
  (resistance-area r/e^2: V = mu_0/e, so (V_L - V_R)/J = r/e^2).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import StackError
from .library import MATERIAL_QUANTITIES, MISSING_REASON, REQUIRED, Library
from .model import Ferromagnet, Interface, Layer, Lead, Normal, Reservoir, Stack
from .model.dynamics import Dynamics, ExchangeCoupling
from .model.checks import LARGEST, SMALLEST
from .model.layers import End
from .model.materials import Material
from .units import (ELECTRON_CHARGE, ELEMENTARY_CHARGE, HBAR, REPORTS, check_magnitude, from_reduced, is_quantity,
                    report, to_reduced, to_si)

__all__ = ["ELECTRON_CHARGE", "ELEMENTARY_CHARGE", "HBAR", "REPORTS", "coupling", "dynamics", "ferromagnet",
           "from_reduced", "interface", "layer", "lead", "material", "normal", "report", "stack", "to_reduced"]

_E2 = ELECTRON_CHARGE**2


def model_span(scale: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The sizes of an SI value whose model number ``scale`` x value the solve can hold (MODEL.md 7).

    An SI stack holds converted numbers (g = G/e^2 ~ 1e52 for a real interface); the solver's range
    check (:data:`spinstack.model.checks.SMALLEST` .. ``LARGEST``) would quote those.  Checked on
    the value as given instead (:func:`spinstack.units.check_magnitude`), a refusal quotes what the
    user wrote."""
    size = np.abs(np.asarray(scale, dtype=float))
    return SMALLEST / size, LARGEST / size


def model_span_inverse(scale: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`model_span` for a model number ``scale`` / value (D = 1/(e^2 rho))."""
    size = np.abs(np.asarray(scale, dtype=float))
    return size / LARGEST, size / SMALLEST


# ------------------------------------------------------------------ materials
def normal(name: str, rho: Any = None, l_sf: Any = math.inf, *, conductivity: Any = None, theta_SH: Any = 0.0) -> Normal:
    """A normal metal from its resistivity (or conductivity) and spin diffusion length.

    Parameters
    ----------
    name
        Label of the material.
    rho
        Resistivity rho_N (> 0), e.g. ``"5 nOhm*m"`` or ``5e-9`` (Ohm m).
    l_sf
        Spin diffusion length (> 0; ``"inf"`` or ``math.inf`` for no spin flip), e.g. ``"450 nm"``.
    conductivity
        1/rho_N instead of ``rho`` (e.g. ``"2e8 S/m"``).
    theta_SH
        Spin Hall angle (dimensionless; MODEL.md 8b), default 0.

    Returns
    -------
    Normal
        With D = 1/(e^2 rho_N) (MODEL.md 7) and l = l_sf in metres.
    """
    path = f"materials.{name}"
    resistivity = _resistivity(rho, conductivity, path, 1.0 / _E2)
    length = to_si(l_sf, "length", f"{path}.l_sf", sign="positive", allow_inf=True, magnitude=model_span(1.0))
    angle = to_si(theta_SH, "dimensionless", f"{path}.theta_SH")
    return Normal(name, D=1.0 / (_E2 * resistivity), l=length, theta_SH=angle)


def ferromagnet(name: str, rho: Any = None, beta: Any = None, l_sf: Any = math.inf, *,
                conductivity: Any = None, l_J: Any = None, l_phi: Any = None,
                D_perp: Any = None, Ms: Any = None, alpha: Any = None, K_u: Any = None,  # noqa: N803
                easy_axis: Any = None, gamma: Any = None) -> Ferromagnet:
    """A ferromagnet from its resistivity rho_F, bulk spin asymmetry beta and spin diffusion length.

    Parameters
    ----------
    name
        Label of the material.
    rho
        Resistivity rho_F (> 0) as measured, e.g. ``"60 nOhm*m"``.
    beta
        Bulk spin asymmetry, strictly between -1 and 1 (p = beta).
    l_sf
        Spin diffusion length (> 0; ``"inf"`` for no spin flip), e.g. ``"60 nm"``.
    conductivity
        1/rho_F instead of ``rho``.
    l_J, l_phi
        Transverse coherence lengths (MODEL.md 8e), e.g. ``"1 nm"``; absent: full absorption.
    D_perp
        Transverse conductivity sigma_perp of a coherent ferromagnet (only with ``l_J`` or
        ``l_phi``), e.g. ``"1.7e7 S/m"``; D_perp = sigma_perp / e^2 (MODEL.md 7, 8f).  Default
        1/rho_F, i.e. the reduced default D / (1 - p^2).
    Ms, alpha, K_u, easy_axis, gamma
        Macrospin constants (MODEL.md 9; all optional, as the file's keys): saturation magnetization
        (> 0, e.g. ``"800 kA/m"``), Gilbert damping (>= 0, dimensionless), uniaxial anisotropy energy
        density (e.g. ``"10 kJ/m^3"``) along ``easy_axis`` (a direction name such as ``"+z"``, a vector
        or ``{"theta": deg, "phi": deg}``; needed with K_u), gyromagnetic ratio (> 0, in rad/(s T), e.g.
        ``"1.76e11 rad/(s*T)"``; absent: |gamma_e|).  Numbers are in SI base units (A/m, J/m^3, rad/(s T)).

    Returns
    -------
    Ferromagnet
        D = 1/(e^2 rho*) with rho* = rho_F/(1 - beta^2) (MODEL.md 7), p = beta,
        l = l_sf; its total conductance D/(1 - p^2) is 1/(e^2 rho_F); the macrospin constants in SI base
        units.
    """
    path = f"materials.{name}"
    resistivity = _resistivity(rho, conductivity, path)
    if beta is None:
        raise StackError(f"{path}.beta", "missing (bulk spin asymmetry, strictly between -1 and 1)")
    asymmetry = to_si(beta, "dimensionless", f"{path}.beta", bounds=(-1.0, 1.0))
    _resistivity_held(resistivity, rho, conductivity, path, (1.0 - asymmetry**2) / _E2)  # D = (1 - beta^2)/(e^2 rho)
    length = to_si(l_sf, "length", f"{path}.l_sf", sign="positive", allow_inf=True, magnitude=model_span(1.0))
    coherence = {key: to_si(value, "length", f"{path}.{key}", sign="positive", allow_inf=True,
                            magnitude=model_span(1.0))
                 for key, value in (("l_J", l_J), ("l_phi", l_phi)) if value is not None}
    if D_perp is not None:
        coherence["D_perp"] = to_si(D_perp, "conductivity", f"{path}.D_perp", sign="positive",
                                    magnitude=model_span(1.0 / _E2)) / _E2
    constants = _macrospin_constants(path, {"Ms": Ms, "alpha": alpha, "K_u": K_u, "easy_axis": easy_axis,
                                            "gamma": gamma})
    return Ferromagnet(name, D=(1.0 - asymmetry**2) / (_E2 * resistivity), p=asymmetry, l=length, **coherence,
                       **constants)


def _macrospin_constants(path: str, given: dict[str, Any]) -> dict[str, Any]:
    """A ferromagnet's macrospin constants (MODEL.md 9) in SI base units, the ones given; the model checks the
    axis (a direction name, vector or angles, kept as a unit vector)."""
    constants: dict[str, Any] = {}
    for key, value in given.items():
        if value is None:
            continue
        where = f"{path}.{key}"
        if key == "easy_axis":
            constants[key] = value
        elif key == "alpha":
            constants[key] = to_si(value, "dimensionless", where, sign="nonnegative")
        else:
            if key == "gamma" and ("hz" in value.lower() if isinstance(value, str)
                                   else is_quantity(value) and "hertz" in str(value.units)):
                # pint reads Hz as 1/s, dropping the 2 pi between gamma (rad/(s T)) and gamma / 2 pi (Hz/T)
                raise StackError(where, f'write the gyromagnetic ratio in rad/(s*T) (e.g. "1.76e11 rad/(s*T)"), '
                                        f"got {_shown(value)}: gamma / 2 pi in Hz/T differs from gamma by 2 pi")
            kind, sign = {"Ms": ("magnetization", "positive"), "K_u": ("energy_density", "finite"),
                          "gamma": ("gyromagnetic_ratio", "positive")}[key]
            constants[key] = to_si(value, kind, where, sign=sign)
    return constants


#: every key of an SI material table: its type, the quantities a library may cite, the coherence keys (MODEL.md 8e)
MATERIAL_KEYS = ("type",) + MATERIAL_QUANTITIES + ("l_J", "l_phi", "D_perp")
#: a ferromagnet's macrospin constants (MODEL.md 9), the keys :func:`material` takes beside :data:`MATERIAL_KEYS`
DYNAMICS_MATERIAL_KEYS = ("Ms", "alpha", "K_u", "easy_axis", "gamma")


def material(name: str, *, library: Any = None, **overrides: Any) -> Material:
    """A material of the built-in library, with single values overridden.

    Parameters
    ----------
    name
        A library name (``spinstack materials`` lists them), e.g. ``"Py"``.
    library
        A :class:`~spinstack.library.Library` or a library file; default the built-in one.
    **overrides
        Any of ``type``, ``rho`` (or ``conductivity``), ``beta``, ``l_sf``, as for
        :func:`normal` and :func:`ferromagnet` (a ferromagnet also its macrospin constants
        ``Ms``, ``alpha``, ``K_u``, ``easy_axis``, ``gamma``); the rest comes from the library.  A
        partial library entry (only sourced values; ``spinstack materials`` shows the
        others as "-") needs its missing quantities here, e.g.
        ``material("Py", rho="150 nOhm*m")``.

    Raises
    ------
    StackError
        An unknown name (the message lists the library's names) or key, a bad value,
        or a quantity neither given nor in the library:
        ``materials.Py.rho: not in the built-in library (no sourced value): give it as
        si.material("Py", rho=...)``.
    """
    return material_from_table(name, overrides, _library(library).material(name))


def material_from_table(name: str, table: dict[str, Any], entry: Any = None, *, give: str | None = None) -> Material:
    """A material from SI keys (``type``, ``rho`` or ``conductivity``, ``beta``, ``l_sf``; a ferromagnet's
    macrospin constants ``Ms``, ``alpha``, ``K_u``, ``easy_axis``, ``gamma``).

    Keys missing from ``table`` come from ``entry`` (a library material) when one is given;
    ``rho``/``conductivity`` given in ``table`` replace both of the library's.  A required
    key in neither (a partial library entry) is an error on ``materials.NAME.KEY``:
    "not in the built-in library (no sourced value): " followed by ``give`` ("give it in
    [materials.NAME]" for files; by default how to pass it to :func:`material`).
    """
    path = f"materials.{name}"
    for key in table:
        if key not in MATERIAL_KEYS + DYNAMICS_MATERIAL_KEYS:
            raise StackError(f"{path}.{key}", "unknown key (expected one of: "
                                              f"{', '.join(MATERIAL_KEYS + DYNAMICS_MATERIAL_KEYS)})")
    merged: dict[str, Any] = {}
    if entry is not None:
        merged = {key: value.si for key, value in entry.values.items()}
        merged["type"] = entry.type
        if "rho" in table or "conductivity" in table:
            merged.pop("rho", None)
            merged.pop("conductivity", None)
    merged.update(table)
    kind = merged.get("type")
    if kind is None:
        raise StackError(f"{path}.type", 'missing ("normal" or "ferromagnet")')
    if kind not in ("normal", "ferromagnet"):
        raise StackError(f"{path}.type", f'must be "normal" or "ferromagnet", got {_shown(kind)}')
    if entry is not None:
        _sourced_or_given(name, kind, merged, give)
    if "l_sf" not in merged:
        raise StackError(f"{path}.l_sf", 'missing (spin diffusion length, e.g. "60 nm"; "inf" for no spin flip)')
    if kind == "normal":
        if "beta" in table:
            raise StackError(f"{path}.beta", "not allowed: a normal metal has no bulk spin asymmetry")
        for key in ("l_J", "l_phi", "D_perp"):
            if key in table:
                raise StackError(f"{path}.{key}", "not allowed: a normal metal has no magnetization to precess about")
        for key in DYNAMICS_MATERIAL_KEYS:
            if key in table:  # the file's words (io.sifile)
                raise StackError(f"{path}.{key}", "only a ferromagnet has macrospin constants (Ms, alpha, ...): "
                                                  f"{json.dumps(name)} is a normal metal")
        return normal(name, merged.get("rho"), merged["l_sf"], conductivity=merged.get("conductivity"),
                      theta_SH=merged.get("theta_SH", 0.0))
    if "theta_SH" in table:
        raise StackError(f"{path}.theta_SH", "not modelled in a ferromagnet: the spin Hall source lives in normal "
                                             "metals (MODEL.md 8b)")
    return ferromagnet(name, merged.get("rho"), merged.get("beta"), merged["l_sf"],
                       conductivity=merged.get("conductivity"), l_J=merged.get("l_J"), l_phi=merged.get("l_phi"),
                       D_perp=merged.get("D_perp"),
                       **{key: merged[key] for key in DYNAMICS_MATERIAL_KEYS if key in merged})


def _sourced_or_given(name: str, kind: str, merged: dict[str, Any], give: str | None) -> None:
    """A partial library entry: the first required quantity neither in the library nor given is an error."""
    for key in REQUIRED[kind]:
        present = key in merged or (key == "rho" and "conductivity" in merged)
        if not present:
            how = give if give is not None else f"give it as si.material({json.dumps(name)}, {key}=...)"
            raise StackError(f"materials.{name}.{key}", f"{MISSING_REASON}: {how}")


def _resistivity(rho: Any, conductivity: Any, path: str, scale: ArrayLike | None = None) -> np.ndarray:
    """rho (or 1/conductivity) in Ohm m; with ``scale``, checked that the model's D = scale / rho is one the
    solve can hold (:func:`_resistivity_held`)."""
    if rho is not None and conductivity is not None:
        raise StackError(f"{path}.conductivity", "give rho or conductivity, not both")
    if conductivity is not None:
        resistivity = 1.0 / to_si(conductivity, "conductivity", f"{path}.conductivity", sign="positive")
    elif rho is None:
        raise StackError(f"{path}.rho", 'missing (resistivity, e.g. "60 nOhm*m"; or conductivity)')
    else:
        resistivity = to_si(rho, "resistivity", f"{path}.rho", sign="positive")
    if scale is not None:
        _resistivity_held(resistivity, rho, conductivity, path, scale)
    return resistivity


def _resistivity_held(resistivity: np.ndarray, rho: Any, conductivity: Any, path: str, scale: ArrayLike) -> None:
    """Refuse, quoting rho (or conductivity) as given, a resistivity whose D = scale / rho the solve cannot hold."""
    if conductivity is not None:
        check_magnitude(1.0 / resistivity, conductivity, "conductivity", f"{path}.conductivity", model_span(scale))
    else:
        check_magnitude(resistivity, rho, "resistivity", f"{path}.rho", model_span_inverse(scale))


# ------------------------------------------------------------------ layers, ends, interfaces
def layer(material: Material | str, thickness: Any, magnetization: ArrayLike | dict | None = None, *,
          library: Any = None, free: bool = False, demag: ArrayLike | None = None) -> Layer:
    """A layer: its material (a model material or a library name), thickness (e.g. ``"4 nm"``), m for F.

    ``magnetization`` is as for :class:`~spinstack.Layer` (a vector, a direction name, or
    ``{"theta": deg, "phi": deg}``).  ``free`` (F layers) marks the layer whose magnetization moves in a
    dynamics run, ``demag`` its diagonal demagnetizing factors [N_x, N_y, N_z] (dimensionless, >= 0,
    summing to 1; default the thin film [1, 0, 0]) (MODEL.md 9).  Errors name ``thickness``,
    ``magnetization``, ``free`` and ``demag``.
    """
    chosen = _material_argument(material, library)
    factors = None if demag is None else to_si(demag, "dimensionless", "demag")
    return Layer(chosen, to_si(thickness, "length", "thickness", sign="positive", magnitude=model_span(1.0)),
                 magnetization, free, factors)


def lead(material: Material | str, magnetization: ArrayLike | dict | None = None, *, library: Any = None) -> Lead:
    """A semi-infinite lead of ``material`` (a model material or a library name)."""
    return Lead(_material_argument(material, library), magnetization)


def interface(node: int, AR: Any = None, gamma: Any = None, G_mix: Any = None, delta: Any = None, *,  # noqa: N803
              pair: str | None = None, library: Any = None) -> Interface:
    """A resistive interface (MODEL.md 3b) from Valet-Fert parameters in SI units.

    Parameters
    ----------
    node
        Node index (0 = left end face, L = right end face).
    AR
        Interface resistance-area AR* (>= 0), e.g. ``"0.51 fOhm*m^2"``; 0 is the transparent limit.
    gamma
        Interface spin asymmetry, strictly between -1 and 1 (default 0).
    G_mix
        Mixing conductance per area [Re, Im] (Re >= 0), e.g.
        ``["0.55e15 Ohm^-1*m^-2", "0.01e15 Ohm^-1*m^-2"]``; needed at an N/F interface.
        ``["inf", 0]``: full absorption of the transverse spin (with AR = 0, the transparent contact).
    delta
        Spin memory loss (>= 0, default 0).
    pair
        A library pair (``"Co/Cu"``): AR, gamma, G_mix and delta default to its values.
    library
        The library to look ``pair`` up in (default: the built-in one).

    Returns
    -------
    Interface
        ``Interface.from_valet_fert(node, AR e^2, gamma, G_mix / e^2, delta)``: reduced
        conductances are SI conductances per area divided by e^2 (MODEL.md 7, 8d).
    """
    given = {"AR": AR, "gamma": gamma, "G_mix": G_mix, "delta": delta}
    if pair is not None:
        entry = _library(library).interface(pair)
        for key, value in entry.values.items():
            if given[key] is None:
                given[key] = value.si
    if given["AR"] is None:
        raise StackError("AR", 'missing (interface resistance-area AR*, e.g. "0.5 fOhm*m^2")')
    # AR* = 0 is the transparent limit (g_up = g_dn = inf, solved exactly)
    resistance = to_si(given["AR"], "area_resistance", "AR", sign="nonnegative")
    asymmetry = to_si(0.0 if given["gamma"] is None else given["gamma"], "dimensionless", "gamma",
                      bounds=(-1.0, 1.0))
    # the model holds AR* e^2 and g_up, g_dn = 1/(2 AR* e^2 (1 -+ gamma)): all of them within the solve's range
    side = np.abs(asymmetry)
    check_magnitude(resistance, given["AR"], "area_resistance", "AR",
                    (np.maximum(SMALLEST, 1.0 / (2.0 * LARGEST * (1.0 - side))) / _E2,
                     np.minimum(LARGEST, 1.0 / (2.0 * SMALLEST * (1.0 + side))) / _E2))
    loss = to_si(0.0 if given["delta"] is None else given["delta"], "dimensionless", "delta", sign="nonnegative")
    mixing = mixing_conductance(given["G_mix"], "G_mix")
    return Interface.from_valet_fert(node, resistance * _E2, asymmetry, None if mixing is None else mixing / _E2,
                                     loss)


def mixing_conductance(value: Any, path: str) -> np.ndarray | None:
    """G_mix = [Re, Im] per area as an SI array of shape (..., 2); Re >= 0."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise StackError(path, f"must be a pair [Re, Im] of conductances per area, got {_shown(value)}")
        # the model holds g = G/e^2 (MODEL.md 7); inf: full absorption
        real = to_si(value[0], "area_conductance", f"{path}[0]", sign="nonnegative", allow_inf=True,
                     magnitude=model_span(1.0 / _E2))
        imaginary = to_si(value[1], "area_conductance", f"{path}[1]", magnitude=model_span(1.0 / _E2))
        return np.stack(np.broadcast_arrays(real, imaginary), axis=-1)
    if isinstance(value, str):
        raise StackError(path, f"must be a pair [Re, Im] of conductances per area, got {_shown(value)}")
    array = to_si(value, "area_conductance", path, allow_inf=True, magnitude=model_span(1.0 / _E2))
    if array.ndim == 0 or array.shape[-1] != 2:
        raise StackError(path, f"must be a pair [Re, Im] of conductances per area, got {_shown(value)}")
    if (array[..., 0] < 0).any():
        raise StackError(f"{path}[0]", f"must be >= 0, got {float(array[..., 0][array[..., 0] < 0][0])!r}")
    return array


def stack(layers: Sequence[Layer], left: End | None = None, right: End | None = None, *, current_density: Any,
          interfaces: Sequence[Interface] = (), field: Any = None,
          dynamics: Dynamics | Mapping[str, Any] | None = None) -> Stack:
    """An SI stack (``units == "SI"``) driven by the charge current density J (and an in-plane field).

    Parameters
    ----------
    layers, left, right, interfaces
        As for :class:`~spinstack.Stack`, built with :func:`layer`, :func:`lead`, :func:`interface`
        (ends default to reservoirs).
    current_density
        J (e.g. ``"1e11 A/m^2"``): conventional current along +x, so electrons flow along
        -x and j0 = J/e < 0 for J > 0 (MODEL.md 7).  ``0`` with an open or insulator end.
    field
        The in-plane electric field [0, E_y, E_z] (e.g. ``[0, "2e4 V/m", 0]``; numbers in V/m),
        stored as eps = e E (MODEL.md 7, 8a); ``None`` (default) for none.
    dynamics
        The magnetization-dynamics settings (the file's ``[dynamics]`` table, MODEL.md 9): a
        :class:`~spinstack.model.dynamics.Dynamics` (from :func:`dynamics`), or the keywords of
        :func:`dynamics` as a mapping (``{"duration": "10 ns", "save_every": "5 ps"}``); ``None`` (default)
        for none.
    """
    J = to_si(current_density, "current_density", "current", magnitude=model_span(1.0 / ELEMENTARY_CHARGE))  # j0 = J/e
    eps = None if field is None else ELECTRON_CHARGE * _electric_field(field) + 0.0  # + 0.0: no -0 components
    if isinstance(dynamics, Mapping):
        dynamics = _dynamics_settings(**dynamics)  # the builder :func:`dynamics` (this argument shadows its name)
    return Stack(layers, left=Reservoir() if left is None else left, right=Reservoir() if right is None else right,
                 current=J / ELECTRON_CHARGE, interfaces=interfaces, units="SI", field=eps, dynamics=dynamics)


def dynamics(*, field: Any = None, duration: Any = None, save_every: Any = None, temperature: Any = None,
             area: Any = None, seed: int | None = None, waveform: Sequence[tuple[Any, Any]] | None = None,
             couplings: Sequence[ExchangeCoupling | tuple[Sequence[int], Any]] = ()) -> Dynamics:
    """A stack's magnetization-dynamics settings (MODEL.md 9) from SI quantities: the file's ``[dynamics]`` table.

    Every argument is optional and is read as the file's key of the same name (strings with units, pint
    Quantities, or numbers in SI base units).

    Parameters
    ----------
    field
        The applied field B_app = mu0 H, a 3-vector in any direction (x is the film normal), e.g.
        ``["0 mT", "0 mT", "5 mT"]`` (numbers in tesla); default 0.
    duration, save_every
        The run's length and the spacing of its saved trajectory (> 0), e.g. ``"10 ns"``, ``"5 ps"``.
    temperature
        >= 0, e.g. ``"300 K"``; default 0 (no thermal field).  > 0 needs ``area``.
    area
        The pillar's cross-section (> 0), e.g. ``"5000 nm^2"``.
    seed
        The thermal field's random seed (an integer >= 0).
    waveform
        A piecewise-linear current replacing the stack's constant one: ``[(t, J), ...]`` with t strictly
        increasing, e.g. ``[("0.5 ns", "0 A/m^2"), ("0.6 ns", "2e12 A/m^2")]`` (J: conventional current
        along +x, as ``current_density``).
    couplings
        Interlayer exchange: :func:`coupling` results or ``(layers, J)`` pairs, ``J`` an energy per area
        (> 0 ferromagnetic), e.g. ``((0, 2), "0.05 mJ/m^2")``.

    Returns
    -------
    Dynamics
        In SI base units (T, s, K, m^2, A/m^2, J/m^2).  Errors name the file's keys (``dynamics.field[2]``,
        ``dynamics.waveform[1][0]``, ``dynamics.coupling[0].J``).
    """
    settings: dict[str, Any] = {"couplings": tuple(
        entry if isinstance(entry, ExchangeCoupling) else _coupling_entry(entry, f"dynamics.coupling[{index}]")
        for index, entry in enumerate(couplings))}
    if field is not None:
        settings["field"] = _vector(field, "magnetic_field", "dynamics.field",
                                    "the applied field mu0 H [B_x, B_y, B_z]")
    for key, value, kind, sign in (("duration", duration, "time", "positive"),
                                   ("save_every", save_every, "time", "positive"),
                                   ("temperature", temperature, "temperature", "nonnegative"),
                                   ("area", area, "area", "positive")):
        if value is not None:
            settings[key] = to_si(value, kind, f"dynamics.{key}", sign=sign)
    if seed is not None:
        settings["seed"] = seed
    if waveform is not None:
        if not isinstance(waveform, (list, tuple)) or not waveform or not all(
                isinstance(point, (list, tuple)) and len(point) == 2 for point in waveform):
            raise StackError("dynamics.waveform", "must be a list of (time, current density) pairs, e.g. "
                                                  '[("0 ns", "0 A/m^2"), ("1 ns", "-3e11 A/m^2")], got '
                                                  f"{_shown(waveform)}")
        settings["waveform"] = [
            (to_si(t, "time", f"dynamics.waveform[{index}][0]"),
             to_si(J, "current_density", f"dynamics.waveform[{index}][1]"))
            for index, (t, J) in enumerate(waveform)]
    return Dynamics(**settings)


_dynamics_settings = dynamics


def coupling(layers: Sequence[int], J: Any) -> ExchangeCoupling:  # noqa: N803
    """Interlayer exchange between F layers ``layers = (a, b)`` (stack indices), energy per area -J m_a . m_b.

    ``J`` is an energy per area (> 0 ferromagnetic), e.g. ``"0.05 mJ/m^2"`` (numbers in J/m^2) (MODEL.md 9b).
    """
    return _coupling_entry((layers, J), "coupling")


def _coupling_entry(entry: Any, path: str) -> ExchangeCoupling:
    if isinstance(entry, ExchangeCoupling):
        return entry
    if not isinstance(entry, (list, tuple)) or len(entry) != 2:
        raise StackError(path, f"must be a coupling (layers, J), e.g. ((0, 2), \"0.05 mJ/m^2\"), got {_shown(entry)}")
    layers, J = entry  # noqa: N806
    energy = to_si(J, "energy_per_area", f"{path}.J")
    try:
        return ExchangeCoupling(layers, energy)
    except StackError as error:
        raise error.within(path) from None


def _vector(value: Any, kind: str, path: str, what: str) -> np.ndarray:
    """A 3-vector quantity of ``kind``, shape (..., 3), from three quantities or one array of them."""
    if isinstance(value, (list, tuple)):
        if len(value) != 3:
            raise StackError(path, f"must be {what}, got {_shown(value)}")
        parts = [to_si(part, kind, f"{path}[{i}]") for i, part in enumerate(value)]
        return np.stack(np.broadcast_arrays(*parts), axis=-1)
    array = to_si(value, kind, path)
    if array.ndim == 0 or array.shape[-1] != 3:
        raise StackError(path, f"must be {what}, got {_shown(value)}")
    return array


def _electric_field(value: Any) -> np.ndarray:
    """E = [0, E_y, E_z] in V/m, shape (..., 3), from three quantities or one array of them."""
    if isinstance(value, (list, tuple)):
        if len(value) != 3:
            raise StackError("field", f"must be [0, E_y, E_z] (an in-plane electric field), got {_shown(value)}")
        parts = [to_si(part, "electric_field", f"field[{i}]", magnitude=model_span(ELEMENTARY_CHARGE))  # eps = eE
                 for i, part in enumerate(value)]
        E = np.stack(np.broadcast_arrays(*parts), axis=-1)
    else:
        E = to_si(value, "electric_field", "field", magnitude=model_span(ELEMENTARY_CHARGE))
        if E.ndim == 0 or E.shape[-1] != 3:
            raise StackError("field", f"must be [0, E_y, E_z] (an in-plane electric field), got {_shown(value)}")
    if np.any(E[..., 0] != 0):
        raise StackError("field[0]", "must be 0: the in-plane field is tangential to the layers (x is the "
                                     "stack normal, E_x would drive a current across them)")
    return E


def _material_argument(value: Material | str, library: Any) -> Material:
    if isinstance(value, str):
        return material(value, library=library)
    return value


def _library(library: Any) -> Library:
    if isinstance(library, Library):
        return library
    from .io.libraryfile import load_library  # reading the file is io's; imported when a name needs it

    return load_library(library)


def _shown(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------ outputs
