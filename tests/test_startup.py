"""What starting spinstack imports (issue 14): behaviour, not timing (benchmarks/startup.py times it).

``import spinstack`` and ``spinstack --help`` used to import numpy, scipy.linalg and numba (0.5-1 s);
the packages now re-export their names lazily (:mod:`spinstack._lazy`), the command line imports what a
command runs when it runs, and :func:`spinstack.solver.compiled.njit` imports numba at a kernel's first
call.  Each check runs a fresh interpreter and looks at its ``sys.modules``.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from spinstack import _lazy

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "seed-fnf.toml"

# heavy optional or rarely needed libraries, by the top-level name of their packages
HEAVY = ("numba", "llvmlite", "scipy", "matplotlib", "xarray", "pandas", "panel", "bokeh", "dask", "h5py", "zarr",
         "pint")

LAZY_PACKAGES = ("spinstack", "spinstack.io", "spinstack.plot", "spinstack.analysis", "spinstack.app")
# every package of spinstack (lazy or not), by the __init__ files under src/
PACKAGES = tuple(sorted(".".join(path.parent.relative_to(ROOT / "src").parts)
                        for path in (ROOT / "src" / "spinstack").rglob("__init__.py")))

_REPORT = """
import json, sys
def _report(result=None):
    sys.__stderr__.write("\\nREPORT " + json.dumps({"modules": sorted(sys.modules), "result": result}) + "\\n")
"""


def fresh(body: str, cwd: Path = ROOT) -> tuple[set[str], object]:
    """A fresh interpreter runs ``body``, which ends with ``_report(result)``: its modules then, and ``result``."""
    code = _REPORT + textwrap.dedent(body)
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120,
                            check=False)
    lines = [line for line in result.stderr.splitlines() if line.startswith("REPORT ")]
    assert lines, f"exit {result.returncode}: {result.stderr}"
    report = json.loads(lines[-1].removeprefix("REPORT "))
    return set(report["modules"]), report["result"]


def modules_after(body: str, cwd: Path = ROOT) -> set[str]:
    """The modules loaded by a fresh interpreter that runs ``body`` (which calls ``_report()`` at its end)."""
    return fresh(body, cwd)[0]


def command_modules(*arguments: str) -> set[str]:
    """The modules the ``spinstack`` command (its installed entry point) loads for ``arguments``."""
    return modules_after(f"""
        sys.argv = ["spinstack", *{list(arguments)!r}]
        import contextlib, io
        from _spinstack_cli import main
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                main()
        except SystemExit as stop:
            assert not stop.code, stop.code
        _report()
    """)


def heavy(modules: set[str]) -> list[str]:
    """The packages of :data:`HEAVY` that ``modules`` hold (by their top-level names)."""
    return sorted({name.partition(".")[0] for name in modules} & set(HEAVY))


def spinstack_modules(modules: set[str]) -> set[str]:
    return {name for name in modules if name == "spinstack" or name.startswith("spinstack.")}


def test_import_spinstack_imports_only_the_facade():
    modules = modules_after("import spinstack\n_report()")
    assert heavy(modules) == []
    assert "numpy" not in modules
    assert spinstack_modules(modules) == {"spinstack", "spinstack._lazy"}


def test_subpackages_are_attributes_after_import_spinstack():
    """`import spinstack as ss; ss.analysis.efficiency` works in a fresh interpreter (the README's spelling),
    importing the subpackage at that first use."""
    modules = modules_after("""
        import spinstack as ss
        for name in ("analysis", "io", "model", "plot", "si", "solver", "units"):
            assert getattr(ss, name).__name__ == "spinstack." + name
        assert callable(ss.analysis.efficiency)
        _report()
    """)
    assert "spinstack.analysis.efficiencies" in modules


def test_help_imports_click_and_the_command_line_only():
    for arguments in (["--help"], ["--version"], ["solve", "--help"]):
        modules = command_modules(*arguments)
        assert heavy(modules) == [] and "numpy" not in modules, arguments
        assert spinstack_modules(modules) == {"spinstack", "spinstack._lazy", "spinstack.cli", "spinstack.errors"}


def test_help_that_lists_figure_kinds_or_sweep_variables_still_lists_them():
    """plot --help and sweep --help read their lists when shown (the command definitions do not import them)."""
    from click.testing import CliRunner

    from spinstack._sweep.variables import CATALOGUE
    from spinstack.cli import main
    from spinstack.plot.dynamics import KINDS as DYNAMICS_KINDS
    from spinstack.plot.figureset import ALL_KINDS

    runner = CliRunner()
    plot_help = " ".join(runner.invoke(main, ["plot", "--help"]).stdout.split())
    assert f"[{'|'.join(ALL_KINDS + DYNAMICS_KINDS)}]" in plot_help
    sweep_help = " ".join(runner.invoke(main, ["sweep", "--help"]).stdout.split())
    assert f"Store only these ({', '.join(CATALOGUE)};" in sweep_help
    result = runner.invoke(main, ["plot", str(SEED), "--kind", "no-such-kind"])
    assert result.exit_code == 2 and "'no-such-kind' is not one of 'profiles'" in result.stderr


def test_solve_of_the_seed_needs_neither_figures_nor_sweeps_nor_numba():
    """One configuration: the numpy routes; nothing of plot, sweeps, the app, scipy or numba."""
    modules = command_modules("solve", str(SEED))
    assert heavy(modules) == []
    assert not {name for name in spinstack_modules(modules)
                if name.startswith(("spinstack.plot", "spinstack.sweeps", "spinstack._sweep", "spinstack.app"))}


def test_reading_a_stack_file_does_not_import_the_writers():
    modules = modules_after(f"import spinstack\nspinstack.load_stack({str(SEED)!r})\n_report()")
    assert heavy(modules) == []
    assert not {"spinstack.io.jsonout", "spinstack.io.summary", "spinstack.io.signreport",
                "spinstack.solution"} & modules


def test_the_packages_are_found():
    assert set(LAZY_PACKAGES) < set(PACKAGES) and {"spinstack.model", "spinstack.solver"} < set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_resolves_and_is_listed(package):
    module = importlib.import_module(package)
    table = _lazy.exported_names(module.__file__)  # empty for a package that imports its names eagerly
    exported = getattr(module, "__all__", ())
    # every exported object is in __all__; subpackages are attributes (spinstack.analysis) but not in __all__,
    # so that `from spinstack import *` does not import figures and sweeps
    assert {name for name, (_, attribute) in table.items() if attribute} <= set(exported), "an export missing from __all__"
    for name, (submodule, attribute) in table.items():
        if not attribute:
            assert getattr(module, name) is importlib.import_module(f"{package}.{submodule}")
    listed = dir(module)
    for name in exported:
        assert name in listed, name
        value = getattr(module, name)
        if name in table:  # the object of the module that defines it, not a copy
            submodule, attribute = table[name]
            assert value is getattr(importlib.import_module(f"{package}.{submodule}"), attribute)
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        module.no_such_name  # noqa: B018


def test_every_exported_name_resolves_in_a_fresh_interpreter():
    """All names, in one interpreter that imported nothing else first: no export depends on an earlier import."""
    names = [(package, name) for package in PACKAGES for name in getattr(importlib.import_module(package), "__all__", ())]
    _, failed = fresh(f"""
        import importlib
        failed = []
        for package, name in {names!r}:
            try:
                getattr(importlib.import_module(package), name)
            except Exception as error:
                failed.append(f"{{package}}.{{name}}: {{error!r}}")
        _report(failed)
    """)
    assert failed == []


@pytest.mark.parametrize("package", PACKAGES)
def test_dir_lists_the_interface_not_the_plumbing(package):
    listed = set(dir(importlib.import_module(package)))
    assert not {"TYPE_CHECKING", "annotations", "exports"} & listed


@pytest.mark.parametrize("package", PACKAGES)
def test_no_exported_name_is_also_a_submodule(package):
    """``spinstack.sweep`` is a function and ``spinstack.sweeps`` its module: were an exported name also a
    submodule's, importing the submodule would replace the exported object by the module (issue 14)."""
    module = importlib.import_module(package)
    submodules = {info.name for info in pkgutil.iter_modules(module.__path__)}
    assert submodules & set(getattr(module, "__all__", ())) == set()


@pytest.mark.parametrize(("package", "name", "submodule"), [("spinstack", "sweep", "sweeps"),
                                                            ("spinstack.analysis", "efficiency", "efficiencies"),
                                                            ("spinstack.analysis", "hodograph", "hodographs")])
def test_a_function_stays_the_function_after_its_module_is_imported(package, name, submodule):
    """Importing the module first (as the command line does) leaves the package's name the function."""
    modules = modules_after(f"""
        import importlib, types
        module = importlib.import_module("{package}.{submodule}")
        assert isinstance(module, types.ModuleType)
        value = getattr(importlib.import_module("{package}"), "{name}")
        assert callable(value) and not isinstance(value, types.ModuleType), value
        assert value is getattr(module, "{name}")
        _report()
    """)
    assert f"{package}.{submodule}" in modules


KERNELS = '''
from spinstack.solver.compiled import AVAILABLE, njit, prange

@njit(cache=False)
def twice(x):
    return 2.0 * x

@njit(cache=False, parallel=True)
def doubled(values, out):
    for i in prange(values.shape[0]):
        out[i] = twice(values[i])


def scaled_by(factor):
    inner = twice  # a kernel in a closure's variable: numba asks it for its type

    @njit(cache=False)
    def scaled(x):
        return factor * inner(x)

    return scaled
'''


@pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba not installed")
def test_a_kernel_module_imports_numba_at_the_first_call_only(tmp_path):
    (tmp_path / "lazy_kernels.py").write_text(KERNELS, encoding="utf-8")
    modules, parallel_loops = fresh("""
        import numpy as np
        import lazy_kernels as k
        assert "numba" not in sys.modules and k.AVAILABLE
        assert k.twice.py_func(1.5) == 3.0  # the Python function, without compiling
        assert "numba" not in sys.modules
        assert k.scaled_by(3.0)(2.0) == 12.0 and "numba" in sys.modules
        values = np.arange(1000.0)
        out = np.empty_like(values)
        k.doubled(values, out)  # compiles doubled, its prange swapped for numba.prange first
        assert np.array_equal(out, 2.0 * values)
        import numba
        assert k.prange is numba.prange
        # the module names the dispatchers now; the loop was parallelised (numba saw its prange)
        assert isinstance(k.twice, numba.core.registry.CPUDispatcher)
        assert isinstance(k.doubled, numba.core.registry.CPUDispatcher)
        overload = k.doubled.overloads[k.doubled.signatures[0]]
        _report(len(overload.metadata["parfor_diagnostics"].initial_parfors))
    """, cwd=tmp_path)
    assert "numba" in modules and parallel_loops == 1
