"""Arguments and blocks a resource's schema does not have: Terraform refuses the configuration
("Unsupported argument", "Unsupported block type"), so tfsg does not read a model from it (a
misspelt ``ingres { }`` admitting the world would otherwise pass unread).

The schema is the provider's as ``argtypes.json`` records it (hashicorp/aws 5.x, the types
tfsg reads); a type it does not list is not checked.
"""

from __future__ import annotations

from typing import Any, Optional

from .argtypes import schema

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
