"""The README's Python snippets run as written (a new user found one using undefined names)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# lines that need what a test cannot have: an active dask Client, a remote scheduler
NEEDS_A_CLUSTER = ("dask=True", "scheduler=")


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), flags=re.S | re.M)


def test_the_readme_has_its_snippets():
    assert len(python_blocks()) >= 4


def test_every_python_snippet_runs_in_order(tmp_path, monkeypatch):
    """One namespace, in the README's order, from a folder holding the examples (as in a clone)."""
    pytest.importorskip("xarray")
    os.symlink(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for number, block in enumerate(python_blocks(), start=1):
        lines = [line for line in block.splitlines() if not any(key in line for key in NEEDS_A_CLUSTER)]
        exec(compile("\n".join(lines), f"README.md python block {number}", "exec"), namespace)  # noqa: S102
    assert (tmp_path / "big.nc").exists()


def test_the_docs_name_every_sweep_variable():
    """The README's Sweeps section, spinstack.sweep's docstring and ``spinstack sweep --help`` name every
    variable a sweep stores (the docstring once listed 8 of the 12)."""
    import importlib

    from click.testing import CliRunner

    from spinstack._sweep.variables import CATALOGUE
    from spinstack.cli import main

    readme = (ROOT / "README.md").read_text()
    sweeps = readme[readme.index("\n## Sweeps"):]
    sweeps = sweeps[:sweeps.index("\n## ", 1)]
    docstring = importlib.import_module("spinstack.sweeps").__doc__
    help_text = " ".join(CliRunner().invoke(main, ["sweep", "--help"]).stdout.split())
    for where, text in (("README.md ## Sweeps", sweeps), ("spinstack.sweeps docstring", docstring),
                        ("spinstack sweep --help", help_text)):
        missing = [name for name in CATALOGUE if not re.search(rf"(?<![\w]){name}(?![\w])", text)]
        assert not missing, f"{where} does not name {missing}"
