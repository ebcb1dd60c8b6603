"""Arguments and blocks a resource's schema does not have, and values of the wrong type:
Terraform refuses the configuration ("Unsupported argument", "Unsupported block type",
"Inappropriate value for attribute"), so tfsg does not read a model from it (a misspelt
``ingres { }`` admitting the world, or ``cidr_blocks = "0.0.0.0/0"`` in a block, would otherwise
pass unread).

The schema is the provider's as ``argtypes.json`` records it (hashicorp/aws 5.x, the types
tfsg reads); a type it does not list is not checked.
"""

from __future__ import annotations

from typing import Any, Optional

from .argtypes import schema
from .values import Blocks, Ref, Unknown, is_marked, strip

_META_BLOCKS = ("lifecycle", "provisioner", "connection")
# "//" is a comment in JSON syntax (Terraform's JSON configuration syntax, "Comment Properties")
_META_ARGS = frozenset({"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection",
                        "//"})


def unexpected(block: Any, resource_type: str) -> Optional[tuple[str, int]]:
    """(problem, line) of the first argument or block ``block`` writes that the schema of
    ``resource_type`` lacks, or None."""
    spec = schema(resource_type)
    if not spec:
        return None
    for name, attr in sorted(block.body.attrs.items(), key=lambda kv: kv[1].line):
        if name in _META_ARGS:
            continue
        entry = spec.get(name)
        if entry is None:
            return f'{resource_type} has no argument named "{name}"', attr.line
        if entry[1] == "c":
            return f'{resource_type}.{name} is computed by the provider: it cannot be set', attr.line
    for inner in sorted(block.body.blocks, key=lambda b: b.line):
        if inner.type in _META_BLOCKS:
            continue
        name = inner.labels[0] if inner.type == "dynamic" and inner.labels else inner.type
        entry = spec.get(name)
        if entry is None:
            return f'{resource_type} has no block type "{name}"', inner.line
        fields = _object_fields(entry[0])
        body = next((b.body for b in inner.body.blocks if b.type == "content"), None) \
            if inner.type == "dynamic" else inner.body
        if fields is not None and body is not None:
            for key, attr in sorted(body.attrs.items(), key=lambda kv: kv[1].line):
                if key not in fields and key != "//":
                    return f'{resource_type}.{name} has no argument named "{key}"', attr.line
    return None


def _object_fields(ty: Any) -> Optional[set[str]]:
    """The fields of a list or set of objects (an attribute written as blocks: ``ingress``), or of
    a nested block type; None when the schema says no more."""
    if isinstance(ty, list) and len(ty) == 2 and ty[0] in ("list", "set") and isinstance(ty[1], list) \
            and ty[1] and ty[1][0] == "object" and isinstance(ty[1][1], dict):
        return set(ty[1][1])
    if isinstance(ty, list) and len(ty) == 3 and ty[0] == "block" and isinstance(ty[2], dict):
        return set(ty[2])
    return None


def mistyped(block: Any, resource_type: str, values: Any) -> Optional[tuple[str, int]]:
    """(problem, line) of the first known value of an evaluated resource (``values``, after the
    conversions Terraform makes: ``"22"`` to a number, ``22`` to a string) that is not of its
    schema type, or None. Terraform: "Inappropriate value for attribute ...: list of string
    required" (a string for a list, a list for a string, "abc" for a number).

    Values of the right type that the provider's own checks refuse (a CIDR block that is not its
    network's address, ``self`` with ``cidr_blocks`` in an ``aws_security_group_rule``) raise
    InputError here (validators.py): those checks are the same in provider 5 and 6."""
    spec = schema(resource_type)
    if not isinstance(values, dict):
        return None
    for name in sorted(values) if spec else ():
        entry = spec.get(name)
        if entry is None:
            continue
        wrong = _wrong(values[name], entry[0])
        if wrong is not None:
            where = f"{name}{wrong[0]}"
            return f'Inappropriate value for attribute "{where}" of {resource_type}: {wrong[1]} required', \
                _line(block, name, wrong[0])
    from .validators import check

    check(block, resource_type, values)
    return None


def _line(block: Any, name: str, path: str) -> int:
    """The line of the argument (``cidr_blocks``), or of the nested block's argument when the
    blocks are written plainly (the i-th ``ingress`` block's ``cidr_blocks``), else the block's."""
    attr = block.body.attrs.get(name)
    if attr is not None:
        return int(attr.line)
    written = [b for b in block.body.blocks if b.type == name]
    dynamic = [b for b in block.body.blocks if b.type == "dynamic" and b.labels and b.labels[0] == name]
    first = min(written + dynamic, key=lambda b: b.line, default=None)
    if first is None:
        return int(block.line)
    if path.startswith("[") and not dynamic:
        index, _, rest = path[1:].partition("]")
        key = rest[1:].split("[", 1)[0].split(".", 1)[0] if rest.startswith(".") else ""
        if index.isdigit() and int(index) < len(written):
            inner = sorted(written, key=lambda b: b.line)[int(index)]
            found = inner.body.attrs.get(key)
            return int(found.line if found is not None else inner.line)
    return int(first.line)


def _wrong(value: Any, ty: Any, at: str = "") -> Optional[tuple[str, str]]:
    """(path, the type required) where ``value`` is not of ``ty``; None when it is, or unknown."""
    if is_marked(value):
        value = strip(value)
    if value is None or isinstance(value, (Unknown, Ref)):
        return None
    if ty == "string":
        return None if isinstance(value, str) else (at, "string")
    if ty == "number":
        return None if isinstance(value, (int, float)) and not isinstance(value, bool) else (at, "number")
    if ty == "bool":
        return None if isinstance(value, bool) else (at, "bool")
    if not isinstance(ty, list) or not ty:
        return None
    if ty[0] == "block" and len(ty) == 3 and isinstance(ty[2], dict):
        items = value if isinstance(value, (list, Blocks)) else [value]
        for i, item in enumerate(items):
            if isinstance(item, dict):
                for key, inner in sorted(item.items()):
                    if key in ty[2]:
                        found = _wrong(inner, ty[2][key][0], f"{at}[{i}].{key}")
                        if found is not None:
                            return found
        return None
    if len(ty) != 2:
        return None
    kind, inner = ty
    if kind in ("list", "set"):
        if not isinstance(value, list):
            return at, f"{kind} of {_name(inner)}"
        for i, item in enumerate(value):
            found = _wrong(item, inner, f"{at}[{i}]")
            if found is not None:
                return found
        return None
    if kind == "map":
        if not isinstance(value, dict):
            return at, f"map of {_name(inner)}"
        for key, item in sorted(value.items()):
            found = _wrong(item, inner, f"{at}[{key!r}]")
            if found is not None:
                return found
        return None
    if kind == "object" and isinstance(inner, dict):
        if not isinstance(value, dict):
            return at, "object"
        for key, item in sorted(value.items()):
            if key in inner:
                found = _wrong(item, inner[key], f"{at}.{key}")
                if found is not None:
                    return found
    return None


def _name(ty: Any) -> str:
    if isinstance(ty, str):
        return ty
    if isinstance(ty, list) and len(ty) == 2 and isinstance(ty[0], str):
        return f"{ty[0]} of {_name(ty[1])}" if ty[0] != "object" else "object"
    return "value"
