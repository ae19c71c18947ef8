"""numba, imported when a compiled kernel first runs; without numba ``AVAILABLE`` is False and callers take their numpy paths.

``import numba`` costs 0.15-0.5 s, more than the rest of the package, and most commands never run a
compiled kernel (``spinstack --help``, a stack file read and checked, a small solve on the numpy path).
So :func:`njit` here does not compile, nor import numba: it wraps the function in a :class:`Kernel`, which
imports numba and compiles at its first call (``cache=True`` keeps the machine code on disk, so a warm
run loads it instead of compiling).  Modules of kernels are therefore cheap to import, and a test or a
caller may ask :data:`AVAILABLE` without paying for numba.

A kernel may call another kernel however it names it (a global, ``compiled.invert3``, a closure's
variable): numba asks the :class:`Kernel` for its type (``_numba_type_``), which compiles it and answers
for its dispatcher.  :data:`prange` must be a global of the kernel's module (``from .compiled import
prange``): numba recognises only ``numba.prange`` itself, so just before numba compiles a function, the
globals it names are swapped: ``prange`` for ``numba.prange``, kernels for their dispatchers.

Threads.  A parallel kernel's OpenMP workers spin on the cores for a while after each parallel region
(an active wait), which a caller of many small solves pays on every call.  So the kernels of small
batches run on the calling thread (``kernels.SERIAL_BELOW``), and before numba is imported
``OMP_WAIT_POLICY`` defaults to ``PASSIVE`` (workers sleep between regions; a value the user set is
kept): the wake-up costs microseconds per region, negligible beside a batch worth running in parallel.

First compilations.  A kernel neither this process nor numba's on-disk cache has is compiled for minutes (a
fresh install, an updated source), silently.  :func:`on_compile` lets an outer layer say so: its hooks are
called with numba's dispatcher just before numba compiles a kernel made here (numba's ``"numba:compile"``
event, which numba triggers on a cache miss only, never on a load from its cache).  The solver prints nothing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from importlib.util import find_spec
from typing import Any

#: numba is installed (checked without importing it)
AVAILABLE = find_spec("numba") is not None

# the hooks on_compile registered, called before numba compiles a kernel of :func:`njit` (not on a cache load)
_compile_hooks: list[Callable[[Any], None]] = []
# the functions :func:`njit` wrapped: numba's compile events of other functions (a user's, a library's) are theirs
_kernel_functions: set[Any] = set()
_listening = False


def on_compile(hook: Callable[[Any], None]) -> None:
    """Call ``hook(dispatcher)`` just before numba compiles a kernel of :func:`njit` for argument types that
    neither this process nor numba's on-disk cache has (numba's ``"numba:compile"`` event: a cache miss, not a
    load from the cache; a kernel compiled inside another's compilation too).  ``dispatcher.py_func`` is the
    kernel's Python function.  A hook registered twice is called once; an exception of a hook is dropped (a
    notice must not fail a solve)."""
    if hook not in _compile_hooks:
        _compile_hooks.append(hook)


def cache_is_cold(kernel: Any) -> bool | None:
    """Whether calling ``kernel`` (a :class:`Kernel` or a numba dispatcher) will compile: True when neither this
    process nor numba's on-disk cache has its machine code (for any argument types), False when one has, None when
    numba's internals do not tell (no numba, a cache-less dispatcher, another numba version)."""
    try:
        dispatcher = kernel.dispatcher() if isinstance(kernel, Kernel) else kernel
        if dispatcher.signatures:  # compiled, or loaded from the cache, in this process
            return False
        # numba's FunctionCache: the index (signature -> file) of the function's cache files; an empty dict when the
        # index file is missing or was written for another version of the source (its time stamp and size)
        index = dispatcher._cache._cache_file._load_index()
        return not index
    except Exception:  # any numba without these internals: unknown
        return None


def _listen(numba: Any) -> None:
    """Register, once, the listener of numba's compile events that calls the hooks of :func:`on_compile`."""
    global _listening
    if _listening:
        return
    _listening = True
    try:
        from numba.core import event

        class _CompileListener(event.Listener):
            def on_start(self, compiling: Any) -> None:
                dispatcher = (compiling.data or {}).get("dispatcher")
                if getattr(dispatcher, "py_func", None) not in _kernel_functions:
                    return
                for hook in list(_compile_hooks):
                    try:
                        hook(dispatcher)
                    except Exception:  # a notice's failure (a closed stderr...) is not the solve's
                        pass

            def on_end(self, compiling: Any) -> None:
                pass

        event.register("numba:compile", _CompileListener())
    except Exception:  # a numba without this event API: no notice, the kernels run as before
        pass


class _DeferredPrange:
    """Stands for ``numba.prange`` in a kernel module until numba is imported (then it is replaced)."""

    def __call__(self, *args: int) -> range:
        return range(*args)

    def __repr__(self) -> str:
        return "prange (numba.prange once numba is imported)"


#: ``numba.prange`` in kernels; called from Python (before numba is imported, or without numba) it is ``range``
prange: Any = _DeferredPrange() if AVAILABLE else range


class Kernel:
    """A function that numba compiles (``numba.njit(**options)``) at its first call.

    Parameters
    ----------
    function
        The Python function; kept as :attr:`py_func`, as numba's dispatchers do.
    options
        numba.njit's keyword arguments (``cache``, ``parallel``, ``error_model``...).

    The first call, or the first public attribute asked for (``signatures``, ``inspect_types``...), or
    numba asking for its type (``_numba_type_``) imports numba and makes the dispatcher
    (:meth:`dispatcher`); calls and those attributes are then the dispatcher's, and the module global
    that named the function names the dispatcher itself, so that later calls skip this wrapper.  (The
    dispatcher compiles, or loads from numba's cache, per argument types at its first call with them.)
    """

    def __init__(self, function: Callable[..., Any], options: dict[str, Any]) -> None:
        self.py_func = function
        self.options = options
        self._dispatcher: Any = None
        functools.update_wrapper(self, function)
        _kernel_functions.add(function)

    def dispatcher(self) -> Any:
        """numba's dispatcher of the function (numba imported; the globals it names swapped, see the module)."""
        if self._dispatcher is None:
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when numba's OpenMP layer first starts
            import numba

            _listen(numba)
            namespace = self.py_func.__globals__
            for name in self.py_func.__code__.co_names:  # the globals numba will look up while compiling
                value = namespace.get(name)
                if isinstance(value, Kernel):
                    namespace[name] = value.dispatcher()
                elif isinstance(value, _DeferredPrange):
                    namespace[name] = numba.prange
            self._dispatcher = numba.njit(**self.options)(self.py_func)
            if namespace.get(self.py_func.__name__) is self:
                namespace[self.py_func.__name__] = self._dispatcher
        return self._dispatcher

    def __call__(self, *args: Any) -> Any:
        return self.dispatcher()(*args)

    def __getattr__(self, name: str) -> Any:
        # private names are probed by many tools (copy, pickle, inspect, asyncio): those do not import numba
        if name.startswith("_") and name != "_numba_type_":
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(self.dispatcher(), name)

    def __reduce__(self) -> Any:  # pickled as numba pickles its dispatchers (by value)
        return self.dispatcher().__reduce__()

    def __repr__(self) -> str:
        state = "compiled" if self._dispatcher is not None else "compiled at first call"
        return f"<Kernel {self.py_func.__module__}.{self.py_func.__qualname__} ({state})>"


def njit(function: Callable[..., Any] | None = None, **options: Any) -> Any:
    """``numba.njit`` deferred to the first call (a :class:`Kernel`); the function itself without numba.

    Used as ``@njit(cache=True, error_model="numpy")`` or bare ``@njit``.
    """
    def wrap(function: Callable[..., Any]) -> Any:
        return Kernel(function, options) if AVAILABLE else function

    return wrap if function is None else wrap(function)


@njit(cache=True, error_model="numpy")
def invert3(block, inverse):  # pragma: no cover - compiled
    """inverse[:, :] = block^-1 for a 3x3 block, by the adjugate (no pivoting: the node blocks have a
    positive definite symmetric part)."""
    c00 = block[1, 1] * block[2, 2] - block[1, 2] * block[2, 1]
    c01 = block[1, 2] * block[2, 0] - block[1, 0] * block[2, 2]
    c02 = block[1, 0] * block[2, 1] - block[1, 1] * block[2, 0]
    c10 = block[2, 1] * block[0, 2] - block[2, 2] * block[0, 1]
    c11 = block[2, 2] * block[0, 0] - block[2, 0] * block[0, 2]
    c12 = block[2, 0] * block[0, 1] - block[2, 1] * block[0, 0]
    c20 = block[0, 1] * block[1, 2] - block[0, 2] * block[1, 1]
    c21 = block[0, 2] * block[1, 0] - block[0, 0] * block[1, 2]
    c22 = block[0, 0] * block[1, 1] - block[0, 1] * block[1, 0]
    det = block[0, 0] * c00 + block[0, 1] * c01 + block[0, 2] * c02
    inverse[0, 0], inverse[0, 1], inverse[0, 2] = c00 / det, c10 / det, c20 / det
    inverse[1, 0], inverse[1, 1], inverse[1, 2] = c01 / det, c11 / det, c21 / det
    inverse[2, 0], inverse[2, 1], inverse[2, 2] = c02 / det, c12 / det, c22 / det


__all__ = ["AVAILABLE", "Kernel", "cache_is_cold", "invert3", "njit", "on_compile", "prange"]
