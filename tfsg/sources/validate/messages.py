"""The one-line human error messages: ``FILE: JSON.PATH: problem``.

``render_path`` writes the JSON path and ``problem`` says in words what an ``Invalid`` found;
a value is shown by its type, or for numbers, booleans and Terraform's own fields by a short
JSON-escaped excerpt (``_describe``, ``_excerpt``), never at length.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any

from ...errors import InputError

if TYPE_CHECKING:
    from .checks import Invalid

_TYPE_NAMES = {"array": "a list", "object": "an object", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "a boolean", "null": "null"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _input_error(where: str, exc: Invalid, prefix: tuple) -> InputError:
    path = prefix + tuple(exc.path)
    # a resource's own values (before, after, values) may be sensitive: their type only
    values = any(step in ("before", "after", "values") for step in path if isinstance(step, str))
    return InputError(f"{render_path(path) or '(top level)'}: {problem(exc, echo=not values)}", where)


def render_path(path: tuple, limit: int = 200) -> str:
    """``("resource_changes", 3, "change")`` -> ``resource_changes[3].change``; odd keys quoted."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _NAME.fullmatch(step):
            out += f".{step}" if out else step
        else:
            out += f"[{_excerpt(step, 40)}]"
    return out if len(out) <= limit else out[:limit // 2] + "…" + out[-limit // 2:]


def problem(exc: Invalid, echo: bool = True) -> str:
    """What is wrong, in words, with at most a short escaped excerpt of the value (of a number or
    a boolean, and only with ``echo``: never of a resource's values)."""
    rule, detail, value = exc.rule, exc.detail, exc.value
    if rule == "type":
        shown = [w for w in detail if w != "null"] or list(detail)  # null is "unset": implied
        names = [_TYPE_NAMES.get(w, w) for w in shown]
        expected = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return f"expected {expected}, got {_describe(value, 'integer' in detail, echo=echo)}"
    if rule == "required":
        return f"missing key {_excerpt(detail)}"
    if rule == "enum":
        return f"expected one of {', '.join(_excerpt(o) for o in detail)}, got {_describe(value, quote=True)}"
    if rule == "x-index-in-address":
        if isinstance(value, dict) and "index" in value:
            return "index is set but the address has no instance key"
        return "the address ends in an instance key but there is no index"
    if rule == "x-null-only-for" and isinstance(value, dict):
        key, allowed = detail
        actions = value.get("actions")
        state = "null" if key in value else "missing"
        return (f"{key} is {state}, but the actions {_excerpt(actions, 40)} need an object "
                f"(null only for {' or '.join(sorted(allowed))})")
    if rule == "x-unknown-absent":
        return f"missing key {_excerpt(detail)} (absent, and after_unknown has it without marking it unknown)"
    if rule == "x-unknown-shape":
        return f"after_unknown has {'an object' if detail == 'dict' else 'a list'} here, but the value is " \
               f"{_describe(value)}"
    if rule == "x-unknown-not-in-after":
        return "has a value, but after_unknown marks it unknown (Terraform omits unknown values)"
    if rule == "minItems":
        return f"expected at least {detail} item{'s' if detail != 1 else ''}, got {_describe(value)}"
    return f"does not match the plan schema ({rule})"


def _describe(value: Any, integer_wanted: bool = False, quote: bool = False, echo: bool = True) -> str:
    """A value's type, and for numbers and booleans the value when ``echo`` (strings are never
    echoed: they may be sensitive, and plan JSON holds sensitive values in clear; nor is any
    value of a resource, which may be a port from a sensitive variable)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})" if echo else "a boolean"
    if isinstance(value, int):
        return f"an integer ({_excerpt(value)})" if echo else "an integer"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "a non-finite number"
        kind = "a number with a fraction" if integer_wanted else "a number"
        return f"{kind} ({_excerpt(value)})" if echo else kind
    if isinstance(value, str):
        if quote:  # fields Terraform writes itself (mode), never resource values
            return _excerpt(value)
        return "a string" if value else "an empty string"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _excerpt(value: Any, limit: int = 24, quote: bool = True) -> str:
    """At most ``limit`` characters of a value, JSON-escaped (one line, no control characters)."""
    text = json.dumps(value, ensure_ascii=True)
    if not quote and isinstance(value, str):
        text = text[1:-1]
    return text if len(text) <= limit else text[:limit - 1] + "…"
