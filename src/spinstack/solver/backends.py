"""Which backend solves a node system: one registry, one dispatch (:func:`solve_nodes`).

Every backend solves the same description (:mod:`.system`, the two-ports of :mod:`.twoports`) and
returns a :class:`.readout.UnitSolution` (node values, faces, deposits, torques per unit current):

========================  =========================================================================
``"numpy"``               exact block elimination vectorised over a batch (:mod:`.elimination`); any
                          stack: batches, open and insulator ends, in-plane fields, coherent F
                          (MODEL.md 8e), complex magnetizations.  The reference of the others.
``"banded-numba"``        one configuration, transparent nodes: the padded block-tridiagonal system
                          of all layers at once, compiled block elimination (:mod:`.banded`)
``"banded"``              the same system as a (5, 5)-banded matrix, LAPACK gbsv through scipy
``"linked"``              one configuration with resistive interfaces: the numpy backend's steps in
                          one compiled loop over the chain (:mod:`.linked`)
``"compiled"``            a batch (resistive interfaces of finite conductance too), one configuration
                          or a block of them at a time in the compiled chain kernel (:mod:`.chain`, :mod:`.kernels`; its refusal says what
                          else it leaves to the others)
========================  =========================================================================

``solve_nodes(arrays)`` takes the first registered backend that applies and is preferred for the
stack (the layerwise ones for a single long stack: :data:`LONG_STACK`), "numpy" last; a backend
that gives up at run time (``linked`` before a direction nothing fixes) passes the stack on.
``solve_nodes(arrays, backend=name)`` forces one, and raises ValueError naming it and why when it
does not apply.  :func:`applicable_backends` lists the backends that take a stack; another module
adds one with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import banded, chain, compiled, kernels, linked
from .arrays import StackArrays
from .elimination import eliminate
from .readout import UnitSolution
from .system import node_system

#: A single stack of more than this many layers is solved layerwise (all layers at once, one compiled or
#: LAPACK call) when a layerwise backend takes it.  The numpy elimination costs a Python loop of ~100 numpy
#: calls per node (2.3 ms at 9 layers, 4.1 ms at 21, against 0.16-0.2 ms banded and 0.5-0.8 ms linked with
#: interfaces, measured with warm kernels); a short stack stays on the numpy backend, which needs neither
#: numba's kernels loaded (a cold compile takes seconds) nor scipy imported, and whose thin-layer steps are
#: exact where the banded system's face currents carry eps D / (2d) |mu| (see :mod:`.banded`).
LONG_STACK = 8


@dataclass(frozen=True)
class Backend:
    """A way to solve the node system.

    Attributes
    ----------
    name
        What ``backend=`` calls it.
    refusal
        ``refusal(arrays, drive)``: why the backend does not take the stack (a phrase), or None when it does.
    solve
        ``solve(arrays, drive)``: the :class:`.readout.UnitSolution` per unit current (or per the in-plane
        field for ``drive="field"``), or None when the backend gives up on this stack at run time.
    preferred
        ``preferred(arrays, drive)``: whether the automatic choice takes it for the stack, if it applies (asked
        first: a cheap test of size or shape that spares the refusal's checks).
    gives_up
        When ``solve`` may return None: why (the message when the backend was forced).
    """

    name: str
    refusal: Callable[[StackArrays, str], str | None]
    solve: Callable[[StackArrays, str], UnitSolution | None]
    preferred: Callable[[StackArrays, str], bool]
    gives_up: str = ""


_REGISTRY: dict[str, Backend] = {}


def register(backend: Backend) -> None:
    """Add ``backend`` to the automatic choice, before the general "numpy" backend (which stays last), or
    replace the backend of the same name in place."""
    if backend.name in _REGISTRY or "numpy" not in _REGISTRY:
        _REGISTRY[backend.name] = backend
        return
    general = _REGISTRY.pop("numpy")
    _REGISTRY[backend.name] = backend
    _REGISTRY["numpy"] = general


def backend_names() -> list[str]:
    """Every registered backend, in the order the automatic choice tries them."""
    return list(_REGISTRY)


def applicable_backends(arrays: StackArrays, drive: str = "current") -> list[str]:
    """The backends that take ``arrays`` driven by ``drive`` (``"current"`` or ``"field"``), in the order of
    the automatic choice; "numpy" is always among them."""
    return [name for name, backend in _REGISTRY.items() if backend.refusal(arrays, drive) is None]


def solve_nodes(arrays: StackArrays, drive: str = "current", backend: str | None = None) -> UnitSolution:
    """Solve the node system of MODEL.md 3a/3b (and 8b, 8d, 8e) for every configuration of the batch.

    Parameters
    ----------
    arrays
        The stack as arrays.
    drive
        ``"current"``: per unit current (j0 = 1); ``"field"``: driven by the stack's in-plane field alone
        (j0 = 0; MODEL.md 8b).
    backend
        A registered backend's name (:func:`backend_names`) to force it; None chooses (see the module).

    Raises
    ------
    ValueError
        ``backend`` is unknown, does not apply to the stack, or gave up on it; the message says which
        and why.
    """
    if drive not in ("current", "field"):
        raise ValueError(f"drive must be 'current' or 'field', got {drive!r}")
    if backend is not None:
        if backend not in _REGISTRY:
            raise ValueError(f"unknown solver backend {backend!r}; the backends are {', '.join(map(repr, _REGISTRY))}")
        chosen = _REGISTRY[backend]
        reason = chosen.refusal(arrays, drive)
        if reason is not None:
            raise ValueError(f"solver backend {backend!r} does not apply to this stack: {reason}")
        solution = chosen.solve(arrays, drive)
        if solution is None:
            raise ValueError(f"solver backend {backend!r} gave up on this stack: {chosen.gives_up}")
        return solution
    for chosen in _REGISTRY.values():
        if chosen.preferred(arrays, drive) and chosen.refusal(arrays, drive) is None:
            solution = chosen.solve(arrays, drive)
            if solution is not None:
                return solution
    raise AssertionError("the numpy backend takes every stack")  # (it is registered last and never gives up)


# ------------------------------------------------------------------ the built-in backends
def _solve_numpy(arrays: StackArrays, drive: str) -> UnitSolution:
    system = node_system(arrays, drive)
    return UnitSolution(system, eliminate(system))


def _layerwise_refusal(arrays: StackArrays, drive: str) -> str | None:
    """What the layerwise backends (one flat chain, :class:`.system.FlatChain`) do not take."""
    if drive != "current":
        return "it solves the current drive only (the in-plane field's spin Hall sources are not in its chain)"
    if arrays.batch_shape != ():
        return f"it solves one configuration, not a batch of shape {arrays.batch_shape}"
    if arrays.boundaries:
        return "it takes no open or insulator end, and this stack has one (MODEL.md 8d)"
    if arrays.eps is not None:
        return "it takes no in-plane field, and this stack has one (MODEL.md 8b)"
    if arrays.coherent:
        return "it assumes full absorption of transverse spin at F faces, and this stack has l_J or l_phi (MODEL.md 8e)"
    if arrays.columns["complex"]:
        return "it takes real magnetizations only (not the complex step of the efficiency limits)"
    return None


def _banded_refusal(arrays: StackArrays, drive: str) -> str | None:
    if arrays.interfaces:
        return (f"it needs transparent nodes and this stack has resistive interfaces at nodes {sorted(arrays.interfaces)} "
                "(the 'linked' or 'numpy' backend takes them)")
    refusal = _layerwise_refusal(arrays, drive)
    if refusal is None and (thin := kernels.stiff_layer(arrays)) is not None:
        # its blocks hold Gc and Gs ~ D / 2d side by side: ~eps x the contrast is lost (linked's steps keep it)
        return (f"it loses ~eps x the stiffness contrast of a thin layer and its neighbours, above "
                f"{kernels.STIFFNESS_CONTRAST:g} at layers[{thin}] (the 'linked' backend keeps it exact)")
    return refusal


def _compiled_refusal(refusal: Callable[[StackArrays, str], str | None]) -> Callable[[StackArrays, str], str | None]:
    def refuse(arrays: StackArrays, drive: str) -> str | None:
        return "numba is not installed" if not compiled.AVAILABLE else refusal(arrays, drive)
    return refuse


def _long_transparent(arrays: StackArrays, drive: str) -> bool:
    return len(arrays.layers) > LONG_STACK and not arrays.interfaces


def _long_resistive(arrays: StackArrays, drive: str) -> bool:
    """A long stack with resistive interfaces, or with a layer too thin for the banded solve."""
    if len(arrays.layers) <= LONG_STACK:
        return False
    return bool(arrays.interfaces) or (arrays.batch_shape == () and kernels.stiff_layer(arrays) is not None)


register(Backend("numpy", lambda arrays, drive: None, _solve_numpy, lambda arrays, drive: True))
register(Backend("banded-numba", _compiled_refusal(_banded_refusal), lambda arrays, drive: banded.solve_compiled(arrays),
                 _long_transparent))
register(Backend("banded", _banded_refusal, lambda arrays, drive: banded.solve_lapack(arrays), _long_transparent))
register(Backend("linked", _compiled_refusal(_layerwise_refusal), lambda arrays, drive: linked.solve(arrays),
                 _long_resistive,
                 gives_up="a direction that nothing fixes (l = inf beside g_mix = 0) or values beyond double "
                          "precision; the 'numpy' backend resolves the one and refuses the other with its reason"))
register(Backend("compiled", chain.refusal, chain.solve, chain.preferred))  # batches (with finite-g interfaces too)
