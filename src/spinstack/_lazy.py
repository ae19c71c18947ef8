"""Lazy re-exports for the package ``__init__`` files: a name's module is imported when the name is first used.

``import spinstack`` used to import the whole package (numpy, scipy.linalg, numba, the solver, the
sweeps): 0.5-1 s before ``spinstack --help`` could print a line.  A package ``__init__`` now lists what
it re-exports as ordinary imports under ``if TYPE_CHECKING:`` (what type checkers and readers see) and
ends with::

    __getattr__, __dir__ = exports(__name__, __file__)

:func:`exports` reads those import lines from the ``__init__`` file (with :mod:`ast`, nothing is run)
and returns a module ``__getattr__`` (PEP 562) that imports the one module a name needs at its first
use, and a ``__dir__`` that lists every exported name.  The import lines are the only table, as in
scientific-python's SPEC 1 (lazy_loader), which keeps it in a ``.pyi`` file instead.

No exported name is also a submodule's name (``spinstack.sweep`` is the function of
:mod:`spinstack.sweeps`): importing a submodule sets the package attribute of its name, which would
otherwise replace the exported object.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def exported_names(file: str) -> dict[str, tuple[str, str]]:
    """The names a package ``__init__`` re-exports: name -> (submodule, attribute; "" for the submodule itself).

    Read from the imports of the package's own modules (``from .name import ...``) under the file's
    top-level ``if TYPE_CHECKING:`` blocks: ``from .model import Stack`` gives ``{"Stack": ("model",
    "Stack")}``, ``from . import io`` gives ``{"io": ("io", "")}``.  Other imports there (``from ..model
    import Stack`` in a subpackage) serve the annotations only.
    """
    with open(file, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), file)
    table: dict[str, tuple[str, str]] = {}
    for block in tree.body:
        if not (isinstance(block, ast.If) and _is_type_checking(block.test)):
            continue
        for statement in block.body:
            if not (isinstance(statement, ast.ImportFrom) and statement.level == 1):
                continue  # an import for the annotations only (from ..model import Stack), no export
            for alias in statement.names:
                if statement.module is None:  # from . import submodule
                    table[alias.asname or alias.name] = (alias.name, "")
                else:
                    table[alias.asname or alias.name] = (statement.module, alias.name)
    return table


def exports(package: str, file: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of the package ``package`` whose ``__init__`` is ``file``."""
    module = sys.modules[package]
    table = exported_names(file)
    namespace = module.__dict__

    def __getattr__(name: str) -> Any:
        try:
            submodule, attribute = table[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = import_module(f"{package}.{submodule}")
        if attribute:
            value = getattr(value, attribute)
        namespace[name] = value  # found directly from now on
        return value

    # what the __init__ itself imports to set up the table, not part of the package's interface
    plumbing = {"TYPE_CHECKING", "annotations", "exports"}

    def __dir__() -> list[str]:
        return sorted((set(namespace) - plumbing) | set(table))

    return __getattr__, __dir__


__all__ = ["exported_names", "exports"]
