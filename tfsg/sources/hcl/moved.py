"""``moved`` blocks against a ``--base`` revision: the base's objects under their new addresses.

Terraform reads the new configuration's ``moved { from = A  to = B }`` blocks before it plans: an
object the state holds at ``A`` is the one the configuration now writes at ``B`` (Terraform
language docs, "Refactoring": a resource, a resource instance such as ``x[0]`` to ``x["k"]``, a
module call or a module instance; a block in a child module speaks of that module's addresses).
A plan shows such an object as moved, not destroyed and created. HCL mode compares two
evaluated revisions by address, so the base side's addresses are renamed the same way first:
renaming a group with a ``moved`` block is no change, as in the plan.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Optional

from .syntax import GetAttrN, IndexN, Literal, Node, Template, VarN


def moved_pairs(root: Any) -> list[tuple[str, str]]:
    """(from, to) absolute addresses of every ``moved`` block of the evaluated configuration:
    ``root`` is the root ModuleInstance; a child module's blocks are prefixed with each of its
    instances' addresses."""
    out: list[tuple[str, str]] = []
    for module in root.walk():
        prefix = "".join(f"{step}." for step in module.path)
        for block in getattr(module.config, "moved", ()):
            old = _address(block.body.attrs.get("from"))
            new = _address(block.body.attrs.get("to"))
            if old and new and old != new:
                out.append((prefix + old, prefix + new))
    return out


def _address(attr: Any) -> Optional[str]:
    node = getattr(attr, "expr", None)
    return _text(node) if isinstance(node, Node) else None


def _text(node: Node) -> Optional[str]:
    """A static reference (``aws_x.y``, ``aws_x.y[0]``, ``module.a["k"]``) as an address."""
    if isinstance(node, VarN):
        return node.name
    if isinstance(node, GetAttrN):
        base = _text(node.obj)
        return f"{base}.{node.name}" if base else None
    if isinstance(node, IndexN):
        base = _text(node.obj)
        key = node.key
        if isinstance(key, Template) and all(isinstance(p, str) for p in key.parts):
            value: Any = "".join(key.parts)
        elif isinstance(key, Literal):
            value = key.value
        else:
            return None
        if not base or isinstance(value, bool) or not isinstance(value, (str, int)):
            return None
        return f"{base}[{json.dumps(value) if isinstance(value, str) else value}]"
    return None


def renamer(pairs: list[tuple[str, str]]) -> Any:
    """A function mapping an address (or a text holding addresses) to its new name: an exact
    match, an instance of a moved resource (``x.old[0]``), or what lies in a moved module
    (``module.old.aws_x.y``)."""
    ordered = sorted(pairs, key=lambda p: -len(p[0]))  # the most specific move first

    def rename(text: str) -> str:
        for old, new in ordered:
            if text == old:
                return new
            if text.startswith(old) and text[len(old):len(old) + 1] in (".", "["):
                if text[len(old)] == "[" and old.endswith("]"):
                    continue  # x[0] does not move x[0][1]... nor x[01]
                return new + text[len(old):]
        return text

    return rename


def rename_snapshot(value: Any, rename: Any) -> Any:
    """``value`` (a Snapshot and everything in it) with every address renamed; strings that are
    no address (CIDRs, descriptions) are left as they are by ``rename``."""
    if isinstance(value, str):
        out = rename(value)
        return value if out == value else value.__class__(out) if type(value) is not str else out
    if isinstance(value, list):
        return value.__class__(rename_snapshot(v, rename) for v in value)
    if isinstance(value, tuple):
        return tuple(rename_snapshot(v, rename) for v in value)
    if isinstance(value, (set, frozenset)):
        return value.__class__(rename_snapshot(v, rename) for v in value)
    if isinstance(value, dict):
        return value.__class__((rename_snapshot(k, rename), rename_snapshot(v, rename)) for k, v in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = rename_snapshot(old, rename)
            if new is not old:
                changes[f.name] = new
        if not changes:
            return value
        if type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return dataclasses.replace(value, **changes)
        for name, new in changes.items():
            setattr(value, name, new)
        return value
    return value
