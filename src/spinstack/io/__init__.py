"""File formats: TOML stack files in, JSON and plain text out (``STACK_FORMAT.md``).

This is the only package that knows about files; the model and the solver never import it.
"""

from .jsonout import format_json, solution_to_dict
from .stackfile import StackFileError, load_stack, stack_from_dict
from .signreport import format_sign_report, sign_report_to_dict
from .summary import format_summary

__all__ = ["StackFileError", "format_json", "format_sign_report", "format_summary", "sign_report_to_dict", "load_stack", "solution_to_dict", "stack_from_dict"]
