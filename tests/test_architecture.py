"""Dependencies point inward: the import graph of ``src/spinstack`` has no cycles and no outward arrows.

Every module under ``src/spinstack`` is read with :mod:`ast` (nothing is imported), and every
``import`` statement is collected, those at module level and those inside functions alike: an
import moved into a function to dodge a cycle still makes the cycle, it only hides it until run
time.  Imports under ``if TYPE_CHECKING:`` are left out (they never run), except in a package
``__init__`` that re-exports lazily (``exports(__name__, __file__)``, :mod:`spinstack._lazy`): there
they are the table of what the package imports when a name is first used.  Importing a module runs
the ``__init__.py`` of every package above it first (``from ..io.stackfile import x`` runs
``spinstack/io/__init__.py`` and all it imports), so that is an arrow too, except from a module
inside the package: a package importing its own submodules, which then reach for a sibling, is
no cycle, the package is already being imported.

Three rules are checked (issue 14, STYLE.md "Our layering"):

(a) no cycle between modules (the test names the modules on the cycle);
(b) no arrow from an inner layer to an outer one, per :data:`LAYERS` below, nor between the parts
    of the outer ring that must stay apart (:data:`OUTER_FORBIDDEN`, :data:`APP_MAY_USE_FROM_PLOT`);
(c) ``solver/`` imports nothing of spinstack outside ``solver/`` and ``errors``: it is the pure
    numerics of MODEL.md 2-5 on arrays, which a reader must be able to open alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "spinstack"

# The layers, innermost first.  A module may import from its own layer and from any layer
# listed before it, never from one listed after it.  The first prefix that matches a module
# name decides its layer (the top package ``spinstack`` matches only its own __init__).
#
#   0 foundations  errors, and units: the pint registry and the table of reported quantities
#                  (MODEL.md 7): no physics, used by everything; _lazy: the packages' lazy re-exports
#   1 model        materials, layers, stacks, parameter paths: validated values, no numerics;
#                  library.py is the model of the materials library (its entries, what a
#                  material needs), not the reading of its file (that is io's)
#   2 solver       pure numerics on arrays (rule (c) is stricter still)
#   3 prepared     a stack turned into solver arrays once, solved many times
#   4 solution     the result object over the solver
#   5 analysis     numbers derived from solutions: sign changes, hodographs, analogy forces
#   6 outer ring   io (files), si (stacks from measured quantities: it parses "4 nm" and reads
#                  the library file, an input format like io), plot (figures), sweep/_sweep
#                  (labelled sweeps).  Peers, but see OUTER_FORBIDDEN.
#   7 the facade   spinstack/__init__.py: the public names, re-exported from the layers above
#   8 entry points cli, app, __main__: parse, call the public API, show
LAYERS: list[tuple[int, tuple[str, ...]]] = [
    (0, ("spinstack.errors", "spinstack.units", "spinstack._lazy")),
    (1, ("spinstack.model", "spinstack.library")),
    (2, ("spinstack.solver",)),
    (3, ("spinstack.prepared",)),
    (4, ("spinstack.solution",)),
    (5, ("spinstack.analysis", "spinstack.macrospin")),  # dynamics: the prepared system's torque, nothing outer
    (6, ("spinstack.io", "spinstack.si", "spinstack.plot", "spinstack.sweeps", "spinstack._sweep",
         "spinstack.trajectories")),  # trajectories: spinstack.dynamics and critical_currents, beside the sweeps
    (7, ("spinstack",)),
    (8, ("spinstack.cli", "spinstack.app", "spinstack.__main__")),
]

# Within the outer ring (layer 6) the parts are peers, but some arrows are still wrong: a file
# format must not need matplotlib's figures, figures must not read or write files, and the
# numbers of a sweep must not wait for its figures.
OUTER_FORBIDDEN: list[tuple[str, str, str]] = [
    ("spinstack.io", "spinstack.plot", "io writes files from solutions and analysis, never from figures"),
    ("spinstack.si", "spinstack.plot", "building stacks from SI quantities needs no figure"),
    ("spinstack.plot", "spinstack.io", "plot draws solutions and analysis; reading and writing files is io's"),
    ("spinstack._sweep", "spinstack.plot", "a sweep's numbers do not depend on its figures"),
    ("spinstack.sweeps", "spinstack.plot", "a sweep's numbers do not depend on its figures"),
]

# The explorer (app/, Bokeh) draws the views the matplotlib figures draw.  Both take their numbers
# from analysis/ (the fold, the hodograph pieces, the analogy's forces); from plot/ the app takes only
# the look they share: colours (style), what is in view (frames) and the display units (units).
APP_MAY_USE_FROM_PLOT = ("spinstack.plot.style", "spinstack.plot.frames", "spinstack.plot.units")

# Arrows allowed against the rules above, each with its reason.  Keep this empty or nearly so.
EXEMPT: dict[tuple[str, str], str] = {}


def _module_name(path: Path, source: Path) -> str:
    parts = list(path.relative_to(source).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(source: Path = SOURCE) -> dict[str, Path]:
    return {_module_name(path, source): path for path in sorted((source / PACKAGE).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST, *, module_level: bool, lazy: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements in ``tree``, except under ``if TYPE_CHECKING:`` (unless ``lazy``: a lazy
    package's table, imported at first use); with ``module_level`` only those that run when the
    module is imported (not inside a function's body, not a lazy table)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            if lazy and not module_level:
                stack.extend(node.body)
            stack.extend(node.orelse)
            continue
        if module_level and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(node.decorator_list if not isinstance(node, ast.Lambda) else ())
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _imports(name: str, path: Path, modules: dict[str, Path], *, module_level: bool) -> set[str]:
    """The spinstack modules that module ``name`` (file ``path``) names in its imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, str(path))
    lazy = path.name == "__init__.py" and "exports(__name__, __file__)" in text
    targets: set[str] = set()
    for node in _import_nodes(tree, module_level=module_level, lazy=lazy):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        if node.level:
            base_parts = package.split(".")
            base_parts = base_parts[:len(base_parts) - (node.level - 1)]
            base = ".".join(base_parts + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        for alias in node.names:
            # `from pkg import sub` imports the submodule when there is one, else a name of pkg
            submodule = f"{base}.{alias.name}"
            targets.add(submodule if submodule in modules else base)
    resolved = set()
    for target in targets:
        # `import spinstack.plot.units as u` -> the longest known module name that is a prefix
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != name:
            resolved.add(target)
    return resolved


def direct_imports(source: Path = SOURCE) -> dict[str, set[str]]:
    """Module name -> the spinstack modules its import statements name (module level and inside functions)."""
    modules = _modules(source)
    return {name: _imports(name, path, modules, module_level=False) for name, path in modules.items()}


def import_graph(source: Path = SOURCE) -> dict[str, set[str]]:
    """Module name -> the spinstack modules that importing it, or calling its functions, imports.

    Beyond :func:`direct_imports`: importing ``spinstack.io.x`` from outside ``spinstack.io`` first
    runs ``spinstack/io/__init__.py``, so what that file imports at module level is imported too
    (what it imports lazily, inside ``__getattr__``, runs only when its names are used).
    """
    modules = _modules(source)
    on_import = {name: _imports(name, path, modules, module_level=True) for name, path in modules.items()
                 if path.name == "__init__.py"}
    while True:  # an __init__ that imports from another package runs that package's __init__ too
        grown = {name: _with_parent_inits(name, targets, on_import) for name, targets in on_import.items()}
        if grown == on_import:
            break
        on_import = grown
    return {name: _with_parent_inits(name, targets, on_import) for name, targets in direct_imports(source).items()}


def _with_parent_inits(name: str, targets: set[str], on_import: dict[str, set[str]]) -> set[str]:
    """``targets`` and what the ``__init__`` of every package above a target, but not above ``name``,
    imports at module level."""
    found = set(targets)
    for target in targets:
        while "." in target:
            target = target.rpartition(".")[0]
            if not _within(name, target):
                found |= on_import.get(target, set())
    found.discard(name)
    return found


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> int:
    """The layer of ``module`` per :data:`LAYERS`: the first prefix that matches decides."""
    for layer, prefixes in LAYERS:
        for prefix in prefixes:
            if prefix == PACKAGE:
                if module == PACKAGE:
                    return layer
            elif _within(module, prefix):
                return layer
    raise AssertionError(f"{module} is in no layer of LAYERS: add it to the table with the reason")


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted.

    Every module of such a component reaches every other one and back: each lies on a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0

    def visit(root: str) -> None:
        nonlocal counter
        # iterative depth-first search so that a deep graph cannot hit the recursion limit
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def one_cycle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A shortest cycle through the first module of a strongly connected component (breadth first)."""
    start = min(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & component):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle through {start} in {sorted(component)}")


def test_the_graph_is_read() -> None:
    graph = import_graph()
    # a few arrows that must be seen, or the walker is broken and the rules below pass vacuously
    assert "spinstack.solver" in graph["spinstack.solution"] or any(
        _within(target, "spinstack.solver") for target in graph["spinstack.solution"])
    assert "spinstack.model" in graph["spinstack"]
    assert len(graph) > 60


def test_cycle_finder_reports_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c", "e"}, "c": {"a"}, "d": {"a"}, "e": {"b"}}
    assert find_cycles(graph) == [["a", "b", "c", "e"]]
    assert one_cycle(graph, {"a", "b", "c", "e"}) == ["a", "b", "c", "a"]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def _write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_an_import_inside_a_function_or_through_an_init_is_an_arrow(tmp_path: Path) -> None:
    """solution imports io.stackfile only inside a function; io/__init__ imports io.jsonout, which imports
    solution: a cycle, seen although no module-level line closes it."""
    root = _write_package(tmp_path, {
        "__init__.py": "",
        "solution.py": "def f():\n    from .io.stackfile import read\n",
        "io/__init__.py": "from .jsonout import write\n",
        "io/jsonout.py": "from ..solution import f\n",
        "io/stackfile.py": "",
    })
    assert direct_imports(root)["spinstack.solution"] == {"spinstack.io.stackfile"}
    graph = import_graph(root)
    assert graph["spinstack.solution"] == {"spinstack.io.stackfile", "spinstack.io.jsonout"}
    assert find_cycles(graph) == [["spinstack.io.jsonout", "spinstack.solution"]]


def test_a_lazy_package_table_runs_only_when_used(tmp_path: Path) -> None:
    """The same package with a lazy io/__init__ (spinstack._lazy): importing io.stackfile runs nothing more."""
    lazy_init = ("from typing import TYPE_CHECKING\nfrom .._lazy import exports\n"
                 "if TYPE_CHECKING:\n    from .jsonout import write\n"
                 "__getattr__, __dir__ = exports(__name__, __file__)\n")
    root = _write_package(tmp_path, {
        "__init__.py": "", "_lazy.py": "",
        "solution.py": "def f():\n    from .io.stackfile import read\n",
        "io/__init__.py": lazy_init,
        "io/jsonout.py": "from ..solution import f\n",
        "io/stackfile.py": "",
    })
    graph = import_graph(root)
    assert graph["spinstack.solution"] == {"spinstack.io.stackfile", "spinstack._lazy"}  # io/__init__ runs its line
    assert "spinstack.io.jsonout" in graph["spinstack.io"]  # the table: imported when a name is used
    assert find_cycles(graph) == []


def test_no_import_cycles() -> None:
    graph = {source: {target for target in targets if (source, target) not in EXEMPT}
             for source, targets in import_graph().items()}
    found = [f"{' -> '.join(one_cycle(graph, set(component)))}   (all of: {', '.join(component)})"
             for component in find_cycles(graph)]
    assert not found, "import cycles (module level, inside functions or through a package's __init__):\n" + \
        "\n".join(found)


def _arrows() -> Iterator[tuple[str, str]]:
    for source, targets in sorted(direct_imports().items()):
        for target in sorted(targets):
            if _within(target, PACKAGE) or target == PACKAGE:
                yield source, target


def test_arrows_point_inward() -> None:
    wrong = []
    for source, target in _arrows():
        if (source, target) in EXEMPT:
            continue
        if layer_of(target) > layer_of(source):
            wrong.append(f"{source} (layer {layer_of(source)}) -> {target} (layer {layer_of(target)})")
            continue
        for outer, inner, why in OUTER_FORBIDDEN:
            if _within(source, outer) and _within(target, inner):
                wrong.append(f"{source} -> {target}: {why}")
        app_to_plot = _within(source, "spinstack.app") and _within(target, "spinstack.plot")
        if app_to_plot and target not in APP_MAY_USE_FROM_PLOT:
            wrong.append(f"{source} -> {target}: the explorer's geometry comes from analysis/, not from the figures")
    assert not wrong, "imports from an inner layer to an outer one:\n" + "\n".join(wrong)


def test_solver_is_pure_numerics() -> None:
    wrong = [f"{source} -> {target}" for source, target in _arrows()
             if _within(source, "spinstack.solver") and (source, target) not in EXEMPT
             and not (_within(target, "spinstack.solver") or target == "spinstack.errors")]
    assert not wrong, "solver/ imports spinstack outside solver/ and errors:\n" + "\n".join(wrong)


@pytest.mark.parametrize("module", sorted(_modules()))
def test_every_module_has_a_layer(module: str) -> None:
    layer_of(module)
