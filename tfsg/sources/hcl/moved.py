"""What the new revision says about the objects that exist: ``moved``, ``removed``, ``import``
and ``lifecycle { ignore_changes }``, so that HCL mode at ``--base`` reads a change as its plan
would.

* ``moved { from = A  to = B }``: the object the state holds at A is the one written at B
  (Terraform language docs, "Refactoring": a resource, an instance such as ``x[0]`` to
  ``x["k"]``, a module call; a child module's blocks speak of its own addresses). HCL mode
  compares two evaluated revisions by address, so the base's addresses are renamed first.
* ``removed { from = A  lifecycle { destroy = false } }`` (1.7+, "Removing Resources"): the state
  forgets A, AWS keeps it; the network after keeps its rules.
* ``import { to = A }`` (1.5+, "Import"): A exists in AWS; what it does not write is what it has
  there (the builder makes its omitted inline rules an unknown).
* ``ignore_changes`` ("lifecycle"): no change is planned for those arguments of an existing
  object; the base's values stay.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Optional

from ..instances import Instance
from .syntax import GetAttrN, IndexN, Literal, Node, Template, TupleN, VarN


def moved_pairs(root: Any) -> list[tuple[str, str]]:
    """(from, to) absolute addresses of every ``moved`` block of the evaluated configuration, and
    (from, "") for every ``removed`` block whose ``lifecycle { destroy = false }`` forgets the
    object: ``root`` is the root ModuleInstance; a child module's blocks are prefixed with each
    of its instances' addresses."""
    out: list[tuple[str, str]] = []
    for module in root.walk():
        prefix = "".join(f"{step}." for step in module.path)
        for block in getattr(module.config, "moved", ()):
            if block.type == "import":
                continue  # imported(): the root module's import blocks
            old = _address(block.body.attrs.get("from"))
            if block.type == "removed":
                if old and any(b.type == "lifecycle" and getattr(getattr(b.body.attrs.get("destroy"), "expr", None),
                                                                 "value", True) is False for b in block.body.blocks):
                    out.append((prefix + old, ""))
                continue
            new = _address(block.body.attrs.get("to"))
            if old and new and old != new:
                out.append((prefix + old, prefix + new))
    return out


def forget(before: Any, after: Any, addresses: list[str]) -> None:
    """A ``removed`` block with ``destroy = false`` (Terraform 1.7+, "Removing Resources"): the
    state forgets the object and AWS keeps it, so the network after keeps the base's groups,
    rules and members written at those addresses (unmanaged from now on)."""
    def gone(address: Any) -> bool:
        return isinstance(address, str) and any(
            address == a or (address.startswith(a) and address[len(a):len(a) + 1] in (".", "["))
            for a in addresses)

    for key, group in before.groups.items():
        if gone(key) and key not in after.groups:
            after.groups[key] = group
    after.rules += [r for r in before.rules if gone(r.defined_by) and r not in after.rules]
    known = {a.resource for a in after.attachments}
    after.attachments += [a for a in before.attachments if gone(a.resource) and a.resource not in known]
    for address, where in before.locations.items():
        if gone(address):
            after.locations.setdefault(address, where)


def imported(config: Any) -> set[str]:
    """The addresses the root module's ``import`` blocks bring under management (Terraform 1.5+,
    "Import"): objects that exist in AWS with what they have there, not created."""
    out = set()
    for block in getattr(config, "moved", ()):
        if block.type == "import":
            to = _address(block.body.attrs.get("to"))
            if to:
                out.add(to)
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


# in _side's moves: some resource writes lifecycle ignore_changes
IGNORING = ("", "ignore_changes")


def ignored_changes(block: Any) -> Optional[frozenset]:
    """The arguments a resource's ``lifecycle { ignore_changes = [...] }`` names (``all``: every
    one, as ``{"*"}``); None when there is none."""
    names: set[str] = set()
    for inner in block.body.blocks:
        attr = inner.body.attrs.get("ignore_changes") if inner.type == "lifecycle" else None
        if attr is None:
            continue
        node = attr.expr
        if isinstance(node, VarN) and node.name == "all":
            return frozenset({"*"})
        for item in node.items if isinstance(node, TupleN) else []:
            while isinstance(item, (GetAttrN, IndexN)):
                item = item.obj
            if isinstance(item, VarN):
                names.add(item.name)
    return frozenset(names) if names else None


def keep_ignored(inst: Instance, block: Any, base: tuple) -> None:
    """Terraform language docs, "lifecycle": ignore_changes makes Terraform plan no change to
    those arguments of an existing object: AWS keeps the base's values."""
    names = ignored_changes(block)
    values, unknown = base
    if not names or not isinstance(values, dict):
        return
    for name in (set(values) | set(inst.values) if "*" in names else names):
        if name in ("id", "arn"):
            continue
        if name in values:
            inst.values[name] = values[name]
        else:
            inst.values.pop(name, None)
        if isinstance(inst.unknown, dict):
            inst.unknown.pop(name, None)
            if isinstance(unknown, dict) and name in unknown:
                inst.unknown[name] = unknown[name]
