"""JSON syntax (``.tf.json``) of the same blocks, read as Terraform reads it.

In JSON syntax an argument is a JSON value whose strings are templates (``"${var.x}"``), with
three exceptions, each of which this module follows:

* Where native syntax takes a bare traversal, a keyword or a type expression, the JSON string
  holds that syntax and Terraform parses it (hashicorp/hcl ``json`` expressions implement
  ``AsTraversal``, ``ExprList`` and ``ExprCall`` by parsing the string, which is what
  ``hcl.AbsTraversalForExpr``, ``hcl.RelTraversalForExpr``, ``hcl.ExprAsKeyword`` and
  ``typeexpr`` use; an ``import`` block's ``to`` goes through Terraform's ``unwrapJSONRefExpr``,
  a native expression): a dynamic block's ``iterator`` (CDKTF writes ``"iterator": "each"``),
  ``moved``/``removed``/``import`` ``from``/``to``, ``lifecycle { ignore_changes }`` (a list of
  traversals, or ``"all"``), a resource's or an import's ``provider`` (``"aws.west"``), a module
  call's ``providers`` values, and a variable's ``type``
  (``"list(object({ port = number, cidrs = optional(list(string), [...]) }))"``).
* Where Terraform decodes an argument without an evaluation context, a JSON string is its
  literal text, never a template (hcl ``json`` ``Value(nil)``): a variable's ``default`` (so
  ``"${1+1}"`` is those six characters), ``description``, ``sensitive``, ``nullable`` and
  ``ephemeral``; a module call's ``source`` and ``version``; a provider block's ``alias``.
* ``"//"`` properties are comments (kept as attributes; the schema check skips them).

Blocks are read from ``resource``, ``data``, ``module``, ``variable``, ``output``, ``locals``,
``provider``, ``terraform`` (its ``required_providers``), ``moved``, ``removed`` and ``import``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ... import limits
from ...errors import InputError
from .bodies import Attribute, Block, Body
from .syntax import Literal, Node, ObjectN, TupleN

# Arguments whose JSON string holds native syntax (a traversal, a keyword, a type), per block.
_NATIVE: dict[str, frozenset] = {
    "resource": frozenset({"provider"}),
    "data": frozenset({"provider"}),
    "dynamic": frozenset({"iterator"}),
    "lifecycle": frozenset({"ignore_changes"}),
    "moved": frozenset({"from", "to"}),
    "removed": frozenset({"from"}),
    "import": frozenset({"to", "provider"}),
    "variable": frozenset({"type"}),
}

# Arguments Terraform decodes with no evaluation context: a JSON value as it is written.
_LITERAL: dict[str, frozenset] = {
    "variable": frozenset({"default", "description", "sensitive", "nullable", "ephemeral"}),
    "module": frozenset({"source", "version"}),
    "provider": frozenset({"alias"}),
}

# Block types whose JSON bodies hold nested blocks (the rest are attributes), per enclosing block.
_RESOURCE_BLOCKS = frozenset({"ingress", "egress", "content", "network_interface", "vpc_config",
                              "network_configuration", "launch_template", "lifecycle", "timeouts"})
_NESTED: dict[str, frozenset] = {
    "resource": _RESOURCE_BLOCKS,
    "data": _RESOURCE_BLOCKS,
    "variable": frozenset({"validation"}),
    "removed": frozenset({"lifecycle"}),
    "terraform": frozenset({"required_providers"}),
}

# Top-level block types without labels, each an object or a list of objects.
_UNLABELLED = ("locals", "terraform", "moved", "removed", "import")


def parse_json_config(text: str, file: str) -> list[Block]:
    """A ``.tf.json`` file: JSON syntax of the same blocks (expressions in ``${}`` strings)."""
    from ..validate.parsing import loads

    try:
        loads(text, file)  # as plan JSON: no NaN, Infinity, 1e400 or lone surrogate (else one line)
        data = lined_json(text)  # again, keeping each object's line (the file is small)
        blocks = _json_config(data, file)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", f"{file}:{exc.lineno}:{exc.colno}") from None
    except RecursionError:
        raise InputError(f"nested too deeply to read ({limits.how('nesting')})", file) from None
    return blocks


class _Lined(dict):
    """A JSON object that knows the line its ``{`` is on."""

    line = 1


class _Repeated(list):
    """The values of a property name an object repeats. HCL's JSON parser keeps every property
    in order (a repeated block type is more blocks: two ``"resource"`` or ``"dynamic"``
    properties both count), where a Python dict would keep the last one only."""


def _pairs(pairs: list[tuple[str, Any]]) -> _Lined:
    out = _Lined()
    for key, value in pairs:
        if key in out:
            before = out[key]
            out[key] = _Repeated((list(before) if isinstance(before, _Repeated) else [before]) + [value])
        else:
            out[key] = value
    return out


def lined_json(text: str) -> Any:
    """``json.loads`` whose objects carry their line (``_Lined.line``): Terraform places a
    block of a ``.tf.json`` file at the line of its object. The standard library's pure-Python
    scanner tells where each object starts (``JSONObject``'s position), which the C one does not."""
    import bisect
    from json import decoder, scanner

    newlines = [i for i, c in enumerate(text) if c == "\n"]

    def parse_object(s_and_end: tuple, *args: Any) -> tuple[Any, int]:
        obj, end = decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]  # (not in typeshed)
        if isinstance(obj, _Lined):
            obj.line = bisect.bisect_left(newlines, s_and_end[1]) + 1
        return obj, end

    dec = json.JSONDecoder(object_pairs_hook=_pairs)
    dec.parse_object = parse_object  # type: ignore[attr-defined]
    dec.scan_once = scanner.py_make_scanner(dec)  # type: ignore[attr-defined]
    return dec.decode(text)


def _line(value: Any) -> int:
    return value.line if isinstance(value, _Lined) else 1


def json_resource_lines(text: str) -> dict[tuple[str, str], int]:
    """(type, name) -> line of each managed resource of a ``.tf.json`` text (empty if unreadable)."""
    try:
        data = lined_json(text)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {(keys[0], keys[1]): _line(body) for keys, body in _json_nested(data.get("resource"), 2)}


def _json_config(data: Any, file: str) -> list[Block]:
    if not isinstance(data, dict):
        raise InputError("a .tf.json file must hold a JSON object", file)
    blocks: list[Block] = []
    for kind, labels in (("resource", 2), ("data", 2), ("module", 1), ("variable", 1), ("output", 1),
                         ("provider", 1)):
        for keys, body in _json_nested(data.get(kind), labels):
            blocks.append(Block(kind, keys, _json_body(body, file, kind), _line(body), file))
    for kind in _UNLABELLED:
        for entry in _as_list(data.get(kind)):
            if isinstance(entry, dict):
                blocks.append(Block(kind, [], _json_body(entry, file, kind), _line(entry), file))
    return blocks


def _as_list(value: Any) -> list:
    if isinstance(value, _Repeated):  # each repetition adds its own blocks
        return [item for one in value for item in _as_list(one)]
    return value if isinstance(value, list) else [value] if value is not None else []


def _json_nested(value: Any, depth: int, prefix: tuple = ()) -> Iterator[tuple[list[str], dict]]:
    for item in _as_list(value):
        if not isinstance(item, dict):
            continue
        for key, inner in sorted(item.items()):
            if depth == 1:
                for body in _as_list(inner):
                    if isinstance(body, dict):
                        yield list(prefix + (key,)), body
            else:
                yield from _json_nested(inner, depth - 1, prefix + (key,))


def _json_body(body: dict, file: str, kind: str) -> Body:
    """The body of a ``kind`` block (``content`` bodies are read as their resource's)."""
    attrs: dict[str, Attribute] = {}
    blocks: list[Block] = []
    nested, native, literal = _NESTED.get(kind, frozenset()), _NATIVE.get(kind, frozenset()), \
        _LITERAL.get(kind, frozenset())
    for key, value in body.items():
        if isinstance(value, _Repeated):
            if not all(isinstance(v, (dict, list)) for v in value):
                # HCL: "Duplicate argument"; Terraform refuses the configuration
                raise InputError(f"the argument {key!r} is written more than once", f"{file}:{_line(body)}")
            value = _as_list(value)  # a block type written twice: all its blocks
        if key == "dynamic" and isinstance(value, (dict, list)):
            # an object of labels, or an array of such objects (JSON syntax: a block type's
            # value may be an array of objects, each adding its blocks)
            specs = [(label, spec) for item in _as_list(value) if isinstance(item, dict)
                     for label, spec in sorted(item.items())]
            for label, spec in specs:
                for item in _as_list(spec):
                    if isinstance(item, dict):
                        inner = _json_body({k: v for k, v in item.items() if k != "content"}, file, "dynamic")
                        for content in _as_list(item.get("content")):
                            if isinstance(content, dict):
                                inner.blocks.append(Block("content", [], _json_body(content, file, kind), 1, file))
                        blocks.append(Block("dynamic", [label], inner, 1, file))
            continue
        if key in nested and isinstance(value, (dict, list)):
            for item in _as_list(value):
                if isinstance(item, dict):
                    blocks.append(Block(key, [], _json_body(item, file, key), _line(item), file))
            continue
        if key in native:
            expr = _native(value, file, key)
        elif key in literal:
            expr = _literal(value, file)
        elif kind == "module" and key == "providers" and isinstance(value, dict):
            # providers = { aws = aws.west }: each value a traversal in a string
            expr = ObjectN([(k, _native(v, file, "providers")) for k, v in value.items()], 1)
        else:
            expr = _json_expr(value, file)
        attrs[key] = Attribute(key, expr, 1)
    return Body(attrs, blocks)


def _native(value: Any, file: str, what: str) -> Node:
    """A JSON string holding native syntax (a traversal, ``all``, a type expression) as that
    expression; a list of them as a tuple of them (``ignore_changes``). Text Terraform could
    not parse is refused, as Terraform refuses the configuration."""
    if isinstance(value, list):
        return TupleN([_native(v, file, what) for v in value], 1)
    if not isinstance(value, str):
        return _json_expr(value, file)  # not a string: Terraform refuses it, the readers ignore it
    from .parse import parse_body

    shown = repr(value[:40]) + (" (cut)" if len(value) > 40 else "")
    try:
        body = parse_body(f"x = {value}\n", file) if "\n" not in value and "\r" not in value else None
    except InputError:
        body = None
    if body is None or set(body.attrs) != {"x"} or body.blocks:
        raise InputError(f"{what} {shown}: in JSON syntax this string must hold a reference or an expression, as "
                         "native syntax writes it; Terraform refuses the configuration", file)
    return body.attrs["x"].expr


def _literal(value: Any, file: str, depth: int = 0) -> Node:
    """A JSON value as written: strings are text, not templates."""
    if depth > limits.get("nesting"):
        raise InputError(f"a value nested more than {limits.get('nesting')} levels deep ({limits.how('nesting')})",
                         file)
    if isinstance(value, list):
        return TupleN([_literal(v, file, depth + 1) for v in value], 1)
    if isinstance(value, dict):
        return ObjectN([(k, _literal(v, file, depth + 1)) for k, v in value.items()], 1)
    return Literal(value, 1)


def _json_expr(value: Any, file: str, depth: int = 0) -> Node:
    if depth > limits.get("nesting"):
        raise InputError(f"a value nested more than {limits.get('nesting')} levels deep ({limits.how('nesting')})",
                         file)
    if isinstance(value, str):
        if "${" not in value and "%{" not in value:
            return Literal(value, 1)
        from .parse import parse_body
        from .templates import quoted

        # the JSON string, once decoded, is a template (Terraform docs, JSON configuration
        # syntax, "Expression Mapping"): its ${...} hold native syntax written as is, whose own
        # quoted strings decode their escapes and templates (json.dumps escaped them twice)
        attr = parse_body(f"x = {quoted(value)}\n", file).attrs.get("x")
        return attr.expr if attr is not None else Literal(value, 1)
    if isinstance(value, list):
        return TupleN([_json_expr(v, file, depth + 1) for v in value], 1)
    if isinstance(value, dict):
        # an object's property names are templates too (JSON syntax spec, "Expression
        # Evaluation": {"${local.env}": ...} is keyed by the environment's name)
        return ObjectN([(_json_expr(k, file, depth + 1) if "${" in k or "%{" in k else k,
                         _json_expr(v, file, depth + 1)) for k, v in value.items()], 1)
    return Literal(value, 1)
