"""The JSON Schema subset the compiler accepts, and what it can tell of a schema before emitting code.

The keywords compiled (any other is refused), the Python classes of the JSON types, which
definitions are called rather than inlined, the definitions that reach themselves, and the
questions ``_Compiler`` asks of a schema (``_Facts``, a mixin of it).
"""

from __future__ import annotations

from typing import Any, Optional

_CLASSES = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,), "null": (type(None),),
            "integer": (int,), "number": (int, float)}
_ANNOTATIONS = {"description", "$comment", "title", "$schema", "$id", "$defs", "examples", "default", "x-present"}
_KEYWORDS = {"type", "properties", "additionalProperties", "items", "required", "enum", "minItems", "allOf",
             "$ref", "x-index-in-address", "x-null-only-for", "x-unknown-not-in-after", "x-call"} | _ANNOTATIONS
# How many levels of a recursive definition are inlined before a call (masks are many and shallow).
_UNROLL = {"mask": 3}
# Definitions compiled as functions (called) rather than inlined: recursive ones, and the
# per-type values, which several dispatch branches share.
_FUNCTION_PREFIXES = ("values.",)


class _Facts:
    """What a schema allows, asked by ``_Compiler`` (reads its ``defs``, ``recursive`` and ``_calls``)."""

    defs: dict[str, Any]  # declared for the type checker: _Compiler.__init__ sets them
    recursive: set[str]
    _calls: dict[str, bool]

    def scalar(self, schema: Any, cut: frozenset, depth: int = 0) -> Optional[list[str]]:
        """The JSON types of a schema that only constrains the type to scalars (else None)."""
        if not isinstance(schema, dict) or depth > 20:
            return None
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            if name in cut or name in self.recursive or name.startswith(_FUNCTION_PREFIXES):
                return None
            return self.scalar(self.defs[name], cut, depth + 1)
        if set(schema) - _ANNOTATIONS != {"type"}:
            return None
        types = [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
        return None if "object" in types or "array" in types else types

    def empty_passes(self, schema: Any) -> bool:
        """Does every empty object and empty list that the schema's type allows pass it?"""
        if not isinstance(schema, dict) or set(schema) & {"enum", "allOf", "$ref", "required", "minItems"}:
            return False
        types = schema.get("type")
        types = [types] if isinstance(types, str) else types or []
        return "object" in types and "array" in types

    def leaf_classes(self, schema: Any, nonnull: bool) -> set[type]:
        """Scalar classes a schema accepts with nothing more to check (no enum, no allOf)."""
        if not isinstance(schema, dict) or "type" not in schema or set(schema) & {"enum", "allOf", "$ref"}:
            return set()
        types = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
        out = {c for t in types if t not in ("object", "array", "integer") for c in _CLASSES[t]}
        return out - {type(None)} if nonnull else out

    def allows_null(self, schema: Any, cut: frozenset, depth: int = 0) -> bool:
        if schema is True or not isinstance(schema, dict) or depth > 20:
            return True
        if "x-call" in schema:
            return self._calls[schema["x-call"]]
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            return name not in cut and self.allows_null(self.defs[name], cut, depth + 1)
        types = schema.get("type")
        if types is not None and "null" not in ([types] if isinstance(types, str) else types):
            return False
        if "enum" in schema and None not in schema["enum"]:
            return False
        return all(self.allows_null(s, cut, depth + 1) for s in schema.get("allOf", ()) if "if" not in s)


def _trivial(schema: Any) -> bool:
    return isinstance(schema, dict) and not (set(schema) - _ANNOTATIONS)


def _refs(node: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            out.add(node["$ref"].split("/")[-1])
        for value in node.values():
            out |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            out |= _refs(value)
    return out


def _recursive(defs: dict) -> set[str]:
    """Definitions that reach themselves through ``$ref``s."""
    graph = {name: _refs(body) for name, body in defs.items()}
    out = set()
    for start in graph:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            cur = todo.pop()
            if cur == start:
                out.add(start)
                break
            if cur not in seen and cur in graph:
                seen.add(cur)
                todo.extend(graph[cur])
    return out
