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
  there (the builder makes its omitted inline rules an unknown). With ``for_each`` (1.7+), one
  object per element; a ``to`` that cannot be resolved is an unknown, never dropped.
* ``ignore_changes`` ("lifecycle"): no change is planned for those arguments of an existing
  object; the base's values stay.
* Implied moves ("Refactoring", enabling ``count``): ``x`` <-> ``x[0]`` when a resource gains
  or loses ``count`` and no ``moved`` block names it, as Terraform infers them.

In JSON syntax the addresses are strings holding the traversal (jsonsyntax.py parses them), so
the same nodes reach this module from ``.tf`` and ``.tf.json`` files.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Optional

from ...model import Address
from ..instances import Instance
from .syntax import GetAttrN, IndexN, Literal, Node, Template, TupleN, VarN
from .values import Lazy, Unknown


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


def repetition(root: Any) -> dict[tuple[tuple[str, ...], str, str], str]:
    """(module call path, type, name) -> "count", "for_each" or "" (neither) for every managed
    resource block of the evaluated configuration: what Terraform's implied moves look at."""
    out: dict[tuple[tuple[str, ...], str, str], str] = {}
    for module in root.walk():
        path = tuple(step.name for step in module.path)
        for (mode, typ, name), block in module.config.resources.items():
            if mode == "managed":
                attrs = block.body.attrs
                out[(path, typ, name)] = "count" if "count" in attrs else "for_each" if "for_each" in attrs else ""
    return out


def implied_moves(existing: dict[str, Any], repeat: dict[tuple[tuple[str, ...], str, str], str],
                  explicit: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Terraform's implied moves (language docs, "Refactoring": enabling ``count`` on a resource
    moves its object to instance zero; terraform ``internal/refactoring`` ImpliedMoveStatements):
    an object the base holds at ``x`` (no key) whose block now has ``count`` moves to ``x[0]``,
    and one at ``x[0]`` whose block now has neither ``count`` nor ``for_each`` moves to ``x`` -
    resources only (a module call that gains ``count`` needs a ``moved`` block), and not for a
    resource that an explicit ``moved`` block names at either end. ``existing``: the base's
    managed instances, address text -> Address."""
    named = [end for pair in explicit if pair[0] and pair[1] for end in pair]
    out: list[tuple[str, str]] = []
    for text, address in sorted(existing.items()):
        now = repeat.get((address.config_path(), address.type, address.name))
        if now == "count" and address.key is None:
            target = Address(address.module, address.type, address.name, 0, address.mode)
        elif now == "" and address.key == 0 and not isinstance(address.key, bool):
            target = Address(address.module, address.type, address.name, None, address.mode)
        else:
            continue
        resource = str(address.without_key())
        if any(end == resource or end.startswith(resource + "[") for end in named) or str(target) in existing:
            continue
        out.append((text, str(target)))
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


def imported(root: Any) -> tuple[set[str], list[tuple[str, str, str, Any]]]:
    """The addresses the root module's ``import`` blocks bring under management (Terraform 1.5+,
    "Import"): objects that exist in AWS with what they have there, not created; and the problems
    (address, attribute, reason, block) of those whose ``to`` cannot be told.

    An import block with ``for_each`` (1.7+: a map, a set, or a tuple, whose index is the key)
    imports one object per element, ``to`` evaluated with ``each.key``/``each.value`` (known at plan,
    as Terraform requires). When the keys or ``to``'s index cannot be told, every instance of the
    resource it names is read as imported (what it does not write: an unknown), and an unknown
    says so: never silently a created, empty group."""
    out: set[str] = set()
    problems: list[tuple[str, str, str, Any]] = []
    for block in getattr(root.config, "moved", ()):
        to = block.body.attrs.get("to") if block.type == "import" else None
        if to is None:
            continue
        where = f"{block.file}:{block.line}"
        envs = _import_envs(root, block)
        if isinstance(envs, Unknown):
            resource = _resource_of(to.expr)
            out.add(resource or "")
            problems.append((resource or f"import ({where})", "", f"import block ({where}): {envs.reason}; every "
                             f"instance of {resource or 'its target'} is read as imported", block))
            continue
        for env in envs:
            address, why = _evaluated_address(to.expr, env, block.file)
            if address:
                out.add(address)
                continue
            resource = _resource_of(to.expr)
            out.add(resource or "")
            problems.append((resource or f"import ({where})", "", f"import block ({where}): `to` cannot be resolved: "
                             f"{why}; every instance of {resource or 'its target'} is read as imported", block))
    out.discard("")
    return out, problems


def _import_envs(root: Any, block: Any) -> Any:
    """The scopes ``to`` is evaluated in: one per element of ``for_each`` (or the module's own),
    or an Unknown when the elements cannot be told."""
    for_each = block.body.attrs.get("for_each")
    if for_each is None:
        return [root.env]
    from .bodies import safe
    from .values import SetList, first_unknown, is_known

    value = safe(for_each.expr, root.env, block.file)
    if isinstance(value, Lazy):
        value = value.as_value()
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return [root.env.bind(each={"key": k, "value": value[k]}) for k in sorted(value)]
    if isinstance(value, SetList):  # a set's elements are its keys: all must be known
        if is_known(value):
            return [root.env.bind(each={"key": v, "value": v}) for v in value]
    elif isinstance(value, list):  # a tuple or a list: each.key is the index
        return [root.env.bind(each={"key": i, "value": v}) for i, v in enumerate(value)]
    found = first_unknown(value)
    reason = found.reason if found is not None else f"for_each is {type(value).__name__}, not a map, set or tuple"
    return Unknown(f"for_each is not known: {reason}")


def _evaluated_address(node: Node, env: Any, file: str) -> tuple[Optional[str], str]:
    """``to`` as an address, its index expressions evaluated (``aws_x.y[each.key]``), or (None, why)."""
    if isinstance(node, IndexN):
        base, why = _evaluated_address(node.obj, env, file)
        if base is None:
            return None, why
        from .bodies import safe
        from .syntax import plain
        from .values import first_unknown, is_known

        key = plain(safe(node.key, env, file))
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        if not is_known(key):
            found = first_unknown(key)
            return None, found.reason if found is not None else "an instance key is not known"
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            return None, f"an instance key is {type(key).__name__}, not a string or a whole number"
        return f"{base}[{json.dumps(key) if isinstance(key, str) else key}]", ""
    if isinstance(node, GetAttrN):
        base, why = _evaluated_address(node.obj, env, file)
        return (f"{base}.{node.name}", "") if base is not None else (None, why)
    if isinstance(node, VarN):
        return node.name, ""
    return None, "it is not a resource address"


def _resource_of(node: Node) -> Optional[str]:
    """The address ``to`` names without its instance keys (``module.m.aws_x.y``), or None."""
    while isinstance(node, IndexN):
        node = node.obj
    if isinstance(node, GetAttrN):
        base = _resource_of(node.obj)
        return f"{base}.{node.name}" if base else None
    return node.name if isinstance(node, VarN) else None


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

    def step(text: str, old: str, new: str) -> Optional[str]:
        if text == old:
            return new
        if text.startswith(old) and text[len(old):len(old) + 1] in (".", "[") and \
                not (text[len(old)] == "[" and old.endswith("]")):  # x[0] does not move x[0][1]... nor x[01]
            return new + text[len(old):]
        return None

    def rename(text: str) -> str:
        # Terraform chains the moves (internal/refactoring/move_execute.go): a root module's
        # move of module.net[0] to module.net, then module.net's own move of tier["web"] to
        # tier; each statement once, so a cycle ends
        left = list(ordered)
        while True:
            for i, (old, new) in enumerate(left):
                moved = step(text, old, new)
                if moved is not None:
                    text = moved
                    del left[i]
                    break
            else:
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


def keep_ignored(inst: Instance, block: Any, base: tuple, raw: Optional[dict] = None,
                 base_raw: Optional[dict] = None) -> None:
    """Terraform language docs, "lifecycle": ignore_changes makes Terraform plan no change to
    those arguments of an existing object: AWS keeps the base's values. ``raw``/``base_raw``:
    the evaluated arguments of each revision, whose references say which groups the kept values
    name (an instance's vpc_security_group_ids): the base's replace the new revision's too."""
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
        if isinstance(raw, dict) and isinstance(base_raw, dict):
            if name in base_raw:
                raw[name] = base_raw[name]
            else:
                raw.pop(name, None)
