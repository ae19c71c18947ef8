"""Threshold searches and sign maps refuse the macrospin dynamics' own parameters (MODEL.md 9).

g1 and g2 do not depend on Ms, alpha, K_u, gamma, the easy axis, a layer's demag factors or free flag, or any
``dynamics.*`` key: a threshold search in one of them used to sample the same g at every point and report
"no sign change".  ``threshold``, ``sign_map``, ``sign_report`` and ``spinstack analyze --parameter`` now refuse
them with one line naming ``spinstack dynamics --vary`` (exit 2), before any --bounds is read.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import spinstack as ss
from spinstack.analysis import sign_map, sign_report, threshold
from spinstack.cli import main

SWITCHING = Path(__file__).resolve().parents[2] / "examples" / "dynamics-switching.toml"
MESSAGE = ("a macrospin dynamics parameter: it does not enter the transport solution (every point would be the "
           "same); vary it with `spinstack dynamics --vary` or spinstack.dynamics(vary=...)")
PATHS = ["materials.Py.Ms", "materials.Py.alpha", "materials.Py.K_u", "materials.Py.gamma", "materials.Py.easy_axis",
         "materials.Py.easy_axis.theta", "layers[2].demag", "layers[-1].free", "dynamics.temperature",
         "dynamics.field.z", "dynamics.coupling[0].J"]


@pytest.fixture(scope="module")
def stack() -> ss.Stack:
    return ss.load_stack(SWITCHING)


@pytest.mark.parametrize("path", PATHS)
def test_threshold_sign_map_and_sign_report_refuse_a_dynamics_path(stack, path):
    pattern = rf"^{re.escape(path)}: {re.escape(MESSAGE)}$"
    with pytest.raises(ss.StackError, match=pattern):
        threshold(stack, path, "g2", theta=30.0, bounds=(1.0, 2.0))
    with pytest.raises(ss.StackError, match=pattern):
        sign_map(stack, ("theta", [0.0, 90.0]), (path, [1.0, 2.0]))
    with pytest.raises(ss.StackError, match=pattern):
        sign_map(stack, (path, [1.0, 2.0]), ("materials.Py.p", [0.3, 0.6]))
    with pytest.raises(ss.StackError, match=pattern):  # after a transport path: all are checked before a search
        sign_report(stack, theta=(30.0,), parameters=["materials.Py.p", path])


def test_the_transport_threshold_of_the_same_stack_is_found(stack):
    """The refusal is of the path, not of the stack: the polarisation threshold of g2 is still searched, and
    g2 changes sign there."""
    found = threshold(stack, "materials.Co.p", "g2", theta=30.0, bounds=(-0.999, 0.999))
    assert found.found[0]
    g2 = [float(ss.analysis.efficiency(ss.model.paths.with_parameter(stack, "materials.Co.p", p), 30.0).g2)
          for p in (found.value[0] - 1e-6, found.value[0] + 1e-6)]
    assert np.sign(g2[0]) != np.sign(g2[1])


@pytest.mark.parametrize("arguments", [
    ["--parameter", "materials.Py.Ms"],
    ["--parameter", "materials.Py.Ms", "--bounds", "6e5:9e5"],  # bare numbers: refused as dynamics, not as units
    ["--parameter", "materials.Py.p", "--parameter", "layers[2].demag"],
    ["--parameter", "dynamics.field.z", "--bounds", "0 mT:50 mT", "--json"],
])
def test_cli_analyze_refuses_a_dynamics_parameter_with_one_line_and_exit_2(arguments):
    result = CliRunner().invoke(main, ["analyze", str(SWITCHING), *arguments])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    path = [a for a in arguments if a.startswith(("materials.Py.Ms", "layers", "dynamics"))][0]
    assert result.stderr.splitlines() == [f"spinstack: error: {SWITCHING}: {path}: {MESSAGE}"]
