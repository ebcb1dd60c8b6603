"""Parse plan JSON: ``json.loads`` that refuses what is not a finite number or not text.

Non-finite numbers (``NaN``, ``Infinity``, ``1e400``, which ``json.loads`` accepts) are refused
while parsing (see ``loads``), naming the place; so are lone UTF-16 surrogates (``"\\ud800"``):
``json.loads`` turns the escape into a code point no UTF-8 output can hold, and the report would
crash when printed (Terraform writes valid UTF-8 only, so no real plan has one).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any, Optional

from ...errors import InputError
from .messages import _excerpt, render_path

# a \uD800-\uDFFF escape in the text: rare, so the tree is searched only when one is there
# (a well-formed pair is one character after parsing and is not reported)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(text: str, where: str) -> Any:
    """``json.loads`` that refuses NaN, Infinity, numbers too large for a float (1e400) and
    strings with a lone surrogate.

    Python's decoder accepts them; the hooks only note that one was seen (they run for
    non-finite constants and for numbers with a fraction or exponent, rare in plans), and the
    tree is searched for its place only then.
    """
    seen: list[str] = []

    def constant(name: str) -> float:
        seen.append(name)
        return float(name)

    def number(text: str) -> float:
        value = float(text)
        if value in (math.inf, -math.inf):
            seen.append(text)
        return value

    data = json.loads(text, parse_constant=constant, parse_float=number)
    if seen:
        try:
            path = render_path(_non_finite_path(data) or ())
        except RecursionError:
            path = ""
        token = _excerpt(seen[0], 24, quote=False)
        raise InputError(f"{path or '(top level)'}: not a finite number ({token}); "
                         "JSON numbers must be finite", where)
    if _SURROGATE_ESCAPE.search(text):
        try:
            found = _surrogate_path(data)
        except RecursionError:
            found = ()
        if found is not None:
            raise InputError(f"{render_path(found) or '(top level)'}: a string holds a lone UTF-16 surrogate "
                             "(\\ud800-\\udfff), which is not text; JSON strings must be valid Unicode", where)
    return data


def _surrogate_path(node: Any, path: tuple = ()) -> Optional[tuple]:
    """The path of the first string (value or key) holding a lone surrogate, or None."""
    if isinstance(node, str):
        return path if _SURROGATE.search(node) else None
    items: Iterable = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(key, str) and _SURROGATE.search(key):
            return path  # the key itself cannot be shown: its parent names the place
        found = _surrogate_path(value, path + (key,)) if isinstance(value, (dict, list, str)) else None
        if found is not None:
            return found
    return None


def _non_finite_path(node: Any, path: tuple = ()) -> Optional[tuple]:
    if isinstance(node, float):
        return path if not math.isfinite(node) else None
    items: Iterable = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(value, (dict, list, float)):
            found = _non_finite_path(value, path + (key,))
            if found is not None:
                return found
    return None
