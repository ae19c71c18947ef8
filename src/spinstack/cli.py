"""The command line: ``spinstack solve | analyze | plot | figures FILE``, ``spinstack materials``, ``--version``.

Thin on purpose: parse the arguments, call the public API, print.  Bad input
(any :class:`~spinstack.SpinstackError`) prints nothing on stdout, one line on
stderr and exits with status 2; never a traceback (STACK_FORMAT.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click
import numpy as np

from . import __version__, solve
from .errors import SpinstackError
from .analysis import sign_report
from .io import format_json, format_sign_report, format_summary, load_stack, sign_report_to_dict, solution_to_dict
from .plot.figureset import KINDS

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
    with _reported(file):
        solution = solve(load_stack(file))
        text = format_json(solution_to_dict(solution)) if as_json else format_summary(solution, file)
    click.echo(text, nl=False)


@main.command("analyze")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--theta", "angles", type=float, multiple=True, default=(0.0, 30.0, 60.0), show_default=True,
              help="Angle between m1 and m2 (degrees) at which thresholds are searched; repeat for several.")
@click.option("--parameter", "parameters", multiple=True, metavar="PATH",
              help="Parameter to find sign-change thresholds in (e.g. materials.F2.p, layers[1].thickness); "
                   "repeat for several.  Default: the polarisations of F1 and F2.")
@click.option("--bounds", metavar="LOW:HIGH", help="Search range for every parameter.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def analyze_command(file: str, angles: tuple[float, ...], parameters: tuple[str, ...], bounds: str | None,
                    as_json: bool) -> None:
    """Sign changes of g1 and g2 (seed eq. 15): the angles where they change sign and the
    parameter thresholds at which they turn negative, for a two-F stack in FILE."""
    with _reported(file):
        stack = load_stack(file)
        span = _bounds(bounds)
        report = sign_report(stack, angles, list(parameters) or None, span)
        text = format_json(sign_report_to_dict(report)) if as_json else format_sign_report(report, file)
    click.echo(text, nl=False)


@main.command("plot")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--kind", type=click.Choice(KINDS), default="profiles", show_default=True, help="Which figure.")
@click.option("--out", "out", type=click.Path(path_type=str),
              help="Output file; .png, .svg or .pdf by extension.  Default: FILE's name with -KIND.png, here.")
def plot_command(file: str, kind: str, out: str | None) -> None:
    """Draw one figure of the stack in FILE (profiles, hodographs, the mechanical analogy,
    g(theta), or the sign map of g1, g2 over p2/p1 and theta)."""
    with _reported(file):
        _headless()
        from .plot import write_figure

        solution = solve(load_stack(file))
        target = write_figure(solution, kind, out or f"{Path(file).stem}-{kind}.png")
    click.echo(str(target))


@main.command("figures")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--out", "folder", type=click.Path(path_type=str), default="figures", show_default=True,
              help="Folder to write into (created if needed).")
@click.option("--format", "extension", type=click.Choice(["png", "svg", "pdf"]), default="png", show_default=True)
def figures_command(file: str, folder: str, extension: str) -> None:
    """Write every figure of the stack in FILE into a folder, and print their paths."""
    with _reported(file):
        _headless()
        from .plot import write_figure_set

        solution = solve(load_stack(file))
        paths = write_figure_set(solution, folder, Path(file).stem, "." + extension)
    click.echo("\n".join(str(path) for path in paths))


@main.command("materials")
@click.option("--json", "as_json", is_flag=True, help="Print the library as one JSON object.")
@click.option("--library", "file", type=click.Path(path_type=str),
              help="Read this library file instead of the built-in one (same schema).")
def materials_command(as_json: bool, file: str | None) -> None:
    """List the built-in materials and interfaces library: every value with its unit, the
    temperature it was measured at and its source.  SI stack files name these materials
    (material = "Co") and interfaces (pair = "Co/Cu")."""
    with _reported(file or "the materials library"):
        from .io.librarytable import format_library
        from .library import load

        library = load(file)
        text = format_json(library.to_dict()) if as_json else format_library(library)
    click.echo(text, nl=False)


def _headless() -> None:
    """Draw off-screen: the CLI only writes files."""
    import matplotlib

    matplotlib.use("Agg")


def _bounds(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        low, high = (float(part) for part in text.split(":"))
    except ValueError:
        raise SpinstackError(f"--bounds: expected LOW:HIGH (two numbers), got {text!r}") from None
    return low, high


@contextmanager
def _reported(file: str) -> Iterator[None]:
    """Turn every failure into one stderr line and an exit status; never a traceback."""
    try:
        # valid but extreme parameters (say d = 1e-300) overflow double precision: report that
        # as one line instead of numpy's warnings followed by NaN
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            yield
    except SpinstackError as error:
        _fail(str(error), INPUT_ERROR)
    except FloatingPointError as error:
        _fail(f"{file}: numerical failure while solving ({error}): the parameters span too many "
              "orders of magnitude for double precision", INPUT_ERROR)
    except ImportError as error:
        _fail(f"{error}: install the optional extras with pip install 'spinstack[all]'", INTERNAL_ERROR)
    except Exception as error:  # a bug: still one line, never a traceback
        _fail(f"internal error, please report it with {file}: {type(error).__name__}: {error}", INTERNAL_ERROR)


def _fail(message: str, status: int) -> NoReturn:
    click.echo("spinstack: error: " + " ".join(message.splitlines()), err=True)
    raise SystemExit(status)


if __name__ == "__main__":
    main()
