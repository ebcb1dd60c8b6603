"""What a function call makes of its arguments' sensitivity marks (cty's ``function.Call``).

A function that computes (``length``, ``contains``, ``index``, ``regex``, ``cidrsubnet``,
``setsubtract``, ``jsonencode``...) runs on the unmarked values, and its whole result is
sensitive when any argument holds a mark, however deep. A function that only picks, joins or
reorders the values it was given (``lookup``, ``merge``, ``concat``, ``element``...) keeps each
element's own mark: its result is wholly sensitive only when an argument is itself marked (a
sensitive list, key or index), as Terraform's ``AllowMarked`` functions do. Sets hold no marked
element (cty moves the marks to the set), so ``toset`` and the set functions compute.

An error of a call on a sensitive value would spell it (``regex("[${var.s}", ...)``: "missing ]:
[SECRET"): it becomes "..., which is sensitive", and what ``try``/``can`` make of it is sensitive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .marks import collection_marked, has_mark, is_marked, mark, strip, unmark
from .values import EvalError, hidden

# Their result is made of the arguments' own values (or, for length, keys, one and
# coalescelist, decided by the arguments' shape), which keep their own marks.
STRUCTURAL = frozenset({"lookup", "element", "merge", "concat", "flatten", "keys", "values", "slice", "reverse",
                        "tolist", "tomap", "zipmap", "chunklist", "coalescelist", "one", "length"})


def run(name: str, func: Callable[..., Any], args: list, spread_marked: bool = False) -> Any:
    """``func(*args)`` (``args`` as the call gave them), its result marked as Terraform marks
    it; ``spread_marked``: the list spread into the arguments (``f(xs...)``) is sensitive."""
    if name in STRUCTURAL:  # only what decides the shape is read (no walk over what is picked)
        whole = spread_marked or any(is_marked(a) for a in args) or \
            (name == "flatten" and collection_marked(args)) or (name == "zipmap" and has_mark(args[:1]))
        if not whole:
            return func(*args)
        given = [strip(a) for a in args]
    else:
        if not spread_marked and not has_mark(args):  # charged: call() charges what it reads
            return func(*args)
        given = [unmark(a) for a in args]
    try:
        result = func(*given)
    except EvalError as exc:
        if exc.sensitive:
            raise
        raise hidden(f"{name}()", exc) from None
    except Exception as exc:  # a template's syntax error quotes its text (templatestring)
        from ...errors import InputError

        if type(exc) is InputError:
            raise InputError(f"{name}(): a template, which is sensitive, is not valid", exc.where) from None
        raise
    return mark(result)


def try_(node: Any, env: Any) -> Any:
    """``try(a, b, ...)``: the first argument that evaluates; sensitive when an argument before
    it failed on a sensitive value (which one succeeded tells something of the value)."""
    from .values import Lazy, OverLimit

    sensitive = False
    for arg in node.args:
        try:
            value = arg.ev(env)
        except OverLimit:
            raise  # tfsg's limit, not Terraform's error: try() must not hide it
        except EvalError as exc:
            sensitive = sensitive or exc.sensitive
            continue
        value = value.as_value() if isinstance(value, Lazy) else value
        return mark(value) if sensitive else value
    failed = EvalError("try(): no argument could be evaluated")
    failed.sensitive = sensitive
    raise failed


def can(node: Any, env: Any) -> Any:
    """``can(x)``: whether ``x`` evaluates; sensitive when ``x`` is or failed on a sensitive value."""
    from .values import OverLimit, Unknown

    if len(node.args) != 1:
        raise EvalError("can() takes one argument")
    try:
        value = node.args[0].ev(env)
    except OverLimit:
        raise
    except EvalError as exc:
        return mark(False) if exc.sensitive else False
    if isinstance(value, Unknown):
        return value
    return mark(True) if has_mark(value) else True
