"""The command line: ``spinstack solve FILE [--json]`` and ``spinstack --version``.

Thin on purpose: parse the arguments, call the public API, print.  Bad input
(any :class:`~spinstack.SpinstackError`) prints nothing on stdout, one line on
stderr and exits with status 2; never a traceback (STACK_FORMAT.md).
"""

from __future__ import annotations

from typing import NoReturn

import click
import numpy as np

from . import __version__, solve
from .errors import SpinstackError
from .io import format_json, format_summary, load_stack, solution_to_dict

INPUT_ERROR = 2  # exit status for invalid input, as for click's own usage errors
INTERNAL_ERROR = 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="spinstack")
def main() -> None:
    """Exact diffusive spin transport in magnetic multilayers (Valet-Fert drift-diffusion)."""


@main.command("solve")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object (STACK_FORMAT.md).")
def solve_command(file: str, as_json: bool) -> None:
    """Solve the stack described in FILE (TOML, STACK_FORMAT.md) and print the result."""
    try:
        # valid but extreme parameters (say d = 1e-300) overflow double precision: report that
        # as one line instead of numpy's warnings followed by NaN
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            solution = solve(load_stack(file))
            text = format_json(solution_to_dict(solution)) if as_json else format_summary(solution, file)
    except SpinstackError as error:
        _fail(str(error), INPUT_ERROR)
    except FloatingPointError as error:
        _fail(f"{file}: numerical failure while solving ({error}): the parameters span too many "
              "orders of magnitude for double precision", INPUT_ERROR)
    except Exception as error:  # a bug: still one line, never a traceback
        _fail(f"internal error, please report it with {file}: {type(error).__name__}: {error}", INTERNAL_ERROR)
    click.echo(text, nl=False)


def _fail(message: str, status: int) -> NoReturn:
    click.echo("spinstack: error: " + " ".join(message.splitlines()), err=True)
    raise SystemExit(status)


if __name__ == "__main__":
    main()
