"""Typed access to parsed TOML values for the stack-file readers: one-line errors naming the key path.

Shared by :mod:`spinstack.io.stackfile` (both unit systems) and :mod:`spinstack.io.sifile`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ..errors import StackError

T = TypeVar("T")

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SHOWN_LENGTH = 60  # longest rendering of a bad value inside a message


def as_table(value: Any, path: str, what: str) -> dict[str, Any]:
    """``value`` if it is a TOML table, else an error saying what was expected."""
    if not isinstance(value, dict):
        raise StackError(path, f"must be a table ({what}), got {show(value)}")
    return value


def known_keys(table: Mapping[str, Any], allowed: tuple[str, ...], path: str, hint: str = "") -> None:
    """Refuse any key of ``table`` not in ``allowed`` (a typo must never be ignored)."""
    for name in table:
        if name not in allowed:
            where = f"{path}.{quoted_key(name)}" if path else quoted_key(name)
            raise StackError(where, f"unknown key (expected one of: {', '.join(allowed)}{hint})")


def required(table: Mapping[str, Any], key: str, path: str, hint: str) -> Any:
    """``table[key]``, or an error ``PATH.key: missing (hint)``."""
    if key not in table:
        raise StackError(f"{path}.{key}", f"missing ({hint})")
    return table[key]


def as_number(value: Any, path: str) -> float:
    """A TOML integer or float as a Python float; booleans, strings, nan refused.

    Infinities pass: the model decides where they are allowed (only ``l``).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StackError(path, f"must be a number, got {show(value)}")
    try:
        result = float(value)
    except OverflowError:
        raise StackError(path, f"must be finite, got {show(value)}") from None
    if math.isnan(result):
        raise StackError(path, "must be a number, got nan")
    return result


def within(path: str, build: Callable[..., T], *arguments: Any) -> T:
    """Call a model constructor and put its errors (paths like ``thickness``) under ``path``."""
    try:
        return build(*arguments)
    except StackError as error:
        raise error.within(path) from None


def quoted_key(key: str) -> str:
    """A key as it appears in a TOML path: bare when it can be, else quoted ("a b", ""); a very long key
    shortened (a message names a key, it does not copy a file)."""
    text = key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 3] + "..."


def listing(names: Any, most: int = 12) -> str:
    """Names from a file as "a, b, c" ("none" if empty), at most ``most`` of them and each shortened."""
    names = list(names)
    if not names:
        return "none"
    shown = ", ".join(quoted_key(name) if isinstance(name, str) else show(name) for name in names[:most])
    return shown if len(names) <= most else f"{shown}, ... ({len(names)} in all)"


def choices(options: tuple[str, ...]) -> str:
    """'"a" or "b"', '"a", "b" or "c"'."""
    quoted = [f'"{option}"' for option in options]
    return " or ".join(quoted) if len(quoted) <= 2 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


def show(value: Any) -> str:
    """A value as it is written in TOML (true, "text", [1, 2], {theta = 1}), shortened."""
    text = toml_text(value)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 3] + "..."


def toml_text(value: Any) -> str:
    """``value`` written as TOML would write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {toml_text(item)}" for key, item in value.items()) + "}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return repr(value)


def one_line(text: str) -> str:
    """Line breaks turned into spaces: every message is one line."""
    return " ".join(text.splitlines())
