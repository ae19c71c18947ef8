"""File formats: TOML stack files in, JSON and plain text out (``STACK_FORMAT.md``).

This is the only package that knows about files; the model and the solver never import it.
"""

from .jsonout import format_json, solution_to_dict
from .stackfile import StackFileError, load_stack, stack_from_dict
from .summary import format_summary

__all__ = ["StackFileError", "format_json", "format_summary", "load_stack", "solution_to_dict", "stack_from_dict"]
