"""File formats: TOML stack files in, JSON and plain text out (``STACK_FORMAT.md``).

This is the only package that knows about files; the model and the solver never import it.
The names below are imported when first used (:mod:`spinstack._lazy`): reading a stack file
(:mod:`.stackfile`) does not import the JSON, summary or sign-report writers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:  # the table of re-exports (read by spinstack._lazy.exports; imported when a name is first used)
    from .jsonout import dynamics_to_dict, format_json, solution_to_dict
    from .libraryfile import LibraryError, load_library
    from .signreport import format_sign_report, sign_report_to_dict
    from .stackfile import StackFileError, load_stack, stack_from_dict
    from .stackwriter import dumps_stack, write_stack
    from .summary import format_summary

__all__ = ["LibraryError", "StackFileError", "dumps_stack", "dynamics_to_dict", "format_json", "format_sign_report",
           "format_summary", "sign_report_to_dict", "load_library", "load_stack", "solution_to_dict", "stack_from_dict",
           "write_stack"]

__getattr__, __dir__ = exports(__name__, __file__)
