"""Parse plan JSON: ``json.loads`` that refuses what is not a finite number.

Non-finite numbers (``NaN``, ``Infinity``, ``1e400``, which ``json.loads`` accepts) are refused
while parsing (see ``loads``), naming the place.
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterable, Optional

from ...errors import InputError
from .messages import _excerpt, render_path


def loads(text: str, where: str) -> Any:
    """``json.loads`` that refuses NaN, Infinity and numbers too large for a float (1e400).

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
    return data


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
