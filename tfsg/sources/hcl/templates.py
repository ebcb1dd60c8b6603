"""Bare templates (heredoc bodies, ``templatefile``) as quoted-string source, and the grammar.

A heredoc's or a template file's literal text has no escapes, but each ``${...}`` / ``%{...}``
in it is ordinary native syntax whose quoted strings decode escapes as anywhere else (HCL native
syntax spec, "Template Expressions"; ``terraform console``: a heredoc ``${join("\\n", x)}``
joins with a newline). tfsg parses such a body as the quoted string that holds the same text, so
only the literal parts are escaped here; the expressions are copied as written (escaping those
too left one level of escaping in their strings, and made ``"\\\\s"`` a syntax error).
"""

from __future__ import annotations

import functools
import os

from ...errors import InputError


def quoted(body: str) -> str:
    """``body``, a bare template's text, as a quoted template literal with the same value."""
    out = ['"']
    i, n = 0, len(body)
    start = 0  # where the pending literal text begins
    while i < n:
        two = body[i:i + 2]
        if body.startswith(("$${", "%%{"), i):
            # an escaped opener: the grammar's ESCAPED_INTERPOLATION token runs to the next "}"
            # and is taken as written (not unescaped), so it is copied raw
            out.append(_literal(body[start:i]))
            close = body.find("}", i)
            end = n if close < 0 else close + 1
            out.append(body[i:end])
            i = start = end
            continue
        if two in ("${", "%{"):
            out.append(_literal(body[start:i]))
            end = _expression_end(body, i + 2)
            out.append(body[i:end])
            i = start = end
            continue
        i += 1
    out.append(_literal(body[start:]))
    out.append('"')
    return "".join(out)


def _literal(text: str) -> str:
    # the only characters a quoted string cannot hold as they are (a raw newline ends the line)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _expression_end(text: str, i: int) -> int:
    """The index after the ``}`` that closes the interpolation or directive whose expression
    starts at ``i``: braces counted, quoted strings (and the templates inside them) skipped.
    An explicit stack, one pass: linear on any input. Unclosed: the end of the text (the parser
    then reports it)."""
    stack = [0]  # open braces of each expression level; a string sits between two levels
    in_string = False
    n = len(text)
    while i < n:
        c = text[i]
        if in_string:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_string = False
            elif text.startswith(("$${", "%%{"), i):
                i += 3
                continue
            elif text.startswith(("${", "%{"), i):
                stack.append(0)
                in_string = False
                i += 2
                continue
        elif c == '"':
            in_string = True
        elif c == "{":
            stack[-1] += 1
        elif c == "}":
            if stack[-1]:
                stack[-1] -= 1
            else:
                stack.pop()
                if not stack:
                    return i + 1
                in_string = True  # back in the string that holds this template
        i += 1
    return n


# python-hcl2's grammar, as the HCL spec has it in two places where it is narrower: a strip
# marker on an interpolation (``${~ x ~}``, "Template Strip Markers"), and a unary operator on
# a unary expression (``!!x``, ``- -1``, "Operations")
_PATCHES = (
    ("interpolation: INTERP_START expression RBRACE",
     "interpolation: INTERP_START STRIP_MARKER? expression STRIP_MARKER? RBRACE"),
    ("!unary_op : (MINUS | NOT) expr_term", "!unary_op : (MINUS | NOT) unary_expr"),
)


@functools.cache
def grammar() -> str:
    """The text of python-hcl2's ``hcl2.lark`` with tfsg's patches."""
    import importlib.util

    spec = importlib.util.find_spec("hcl2")  # the grammar file, without importing hcl2's API (~10 ms)
    if spec is None or not spec.submodule_search_locations:
        raise InputError("python-hcl2 is not installed; HCL directories cannot be read", "tfsg")
    path = os.path.join(list(spec.submodule_search_locations)[0], "hcl2.lark")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    for old, new in _PATCHES:
        # another python-hcl2 grammar without the anchor: that patch is left out, and what it
        # adds (``${~ x ~}``, ``!!x``) stays a syntax error there (exit 2), never read otherwise
        if text.count(old) == 1:
            text = text.replace(old, new)
    return text
