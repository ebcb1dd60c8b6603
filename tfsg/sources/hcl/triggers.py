"""``lifecycle { replace_triggered_by }`` at ``--base``: which instances an update replaces.

Terraform language docs, "The lifecycle meta-argument" (replace_triggered_by, Terraform 1.2+):
a resource is replaced when one of the referenced items changes:

- a reference to a resource (every instance of it): a plan to update or replace any instance;
- a reference to one instance: a plan to update or replace that instance;
- a reference to an attribute of an instance: any change of that attribute's value.

``count.index`` and ``each.key`` in an index name the referencing instance's own key. HCL mode
compares the two revisions' evaluated arguments (relaunch.py ``Revisions``): an argument written
at either revision is compared as written; an attribute the provider computes (``id``, ``arn``)
changes only when its resource is replaced, which for the types below follows their ForceNew
arguments, and for any other type is taken to be any change of its arguments (tfsg does not hold
every schema: an in-place update read as a replacement relaunches, never hides, the instance).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Optional

from ...model import Address, InstanceKey, render_key, render_module_path
from .syntax import GetAttrN, IndexN, Literal, TupleN, VarN

# Arguments whose change replaces a resource (terraform-provider-aws ForceNew), for the types a
# trigger names most (the subnet an instance launches into, its group, its template).
_FORCE_NEW = {
    "aws_subnet": ("vpc_id", "cidr_block", "availability_zone", "availability_zone_id", "outpost_arn"),
    "aws_security_group": ("name", "name_prefix", "description", "vpc_id"),
    "aws_launch_template": ("name", "name_prefix"),
    "aws_vpc": ("cidr_block", "ipv4_ipam_pool_id", "ipv4_netmask_length"),
    "terraform_data": ("triggers_replace",),
}
# terraform_data: output is input (Terraform docs, "The terraform_data managed resource type")
_ALIASES = {("terraform_data", "output"): "input"}


class Trigger(NamedTuple):
    """One item of replace_triggered_by: a resource (``key`` ALL: every instance), an instance,
    or an attribute path of one."""

    resource: str  # "aws_subnet.s", "module.m.aws_subnet.s" (in the referencing module)
    key: Any  # an InstanceKey, ALL, or NO_KEY
    attr: tuple[str, ...]


ALL = ("all",)  # every instance of the resource
NO_KEY = ("none",)  # written without an index: the single instance (or all, when it has keys)


def module_prefix(address: Address) -> str:
    """The module path a reference in this instance's block is written in ("" in the root)."""
    path = render_module_path(address.module)
    return f"{path}." if path else ""


def replace_triggers(block: Any, module: str, own_key: InstanceKey) -> tuple[Trigger, ...]:
    """The references of a resource block's ``lifecycle { replace_triggered_by = [...] }``;
    ``module``: the referencing instance's module path ("" or "module.m."), ``own_key`` its key
    (what count.index / each.key name)."""
    out: list[Trigger] = []
    for inner in block.body.blocks:
        attr = inner.body.attrs.get("replace_triggered_by") if inner.type == "lifecycle" else None
        if attr is None:
            continue
        for item in attr.expr.items if isinstance(attr.expr, TupleN) else []:
            trigger = _trigger(item, module, own_key)
            if trigger is not None:
                out.append(trigger)
    return tuple(out)


def _trigger(node: Any, module: str, own_key: InstanceKey) -> Optional[Trigger]:
    steps: list[tuple[str, Any]] = []
    while isinstance(node, (GetAttrN, IndexN)):
        steps.append(("attr", node.name) if isinstance(node, GetAttrN) else ("index", node.key))
        node = node.obj
    steps.reverse()
    if not isinstance(node, VarN) or not steps or steps[0][0] != "attr":
        return None  # not a managed resource (Terraform accepts nothing else here)
    resource = f"{module}{node.name}.{steps[0][1]}"
    rest = steps[1:]
    key: Any = NO_KEY
    if rest and rest[0][0] == "index":
        key = _key(rest[0][1], own_key)
        rest = rest[1:]
    attr = tuple(str(v) for kind, v in rest if kind == "attr")
    return Trigger(resource, key, attr)


def _key(node: Any, own_key: InstanceKey) -> Any:
    if isinstance(node, Literal) and isinstance(node.value, (int, str)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, GetAttrN) and isinstance(node.obj, VarN) and \
            (node.obj.name, node.name) in (("count", "index"), ("each", "key")):
        return own_key
    return ALL  # an index tfsg does not evaluate here: any instance may be the one


def fired(trigger: Trigger, before: dict[str, Any], after: dict[str, Any],
          relaunched: Callable[[str], bool]) -> bool:
    """Does the update change what ``trigger`` names? ``before``/``after``: each revision's
    evaluated arguments by instance address (references normalised, relaunch._norm)."""
    typ = trigger.resource.rsplit(".", 2)[-2]
    for addr in _instances(trigger, set(before) | set(after)):
        a, b = before.get(addr), after.get(addr)
        if not isinstance(a, dict) or not isinstance(b, dict):
            continue  # created or destroyed: neither an update nor a replacement of it
        if not trigger.attr:
            if a != b:
                return True
            continue
        name = _ALIASES.get((typ, trigger.attr[0]), trigger.attr[0])
        if name in a or name in b:
            if _path(a.get(name), trigger.attr[1:]) != _path(b.get(name), trigger.attr[1:]):
                return True
        elif _replaced(typ, addr, a, b, relaunched):
            return True  # a computed attribute (id, arn): new when the object is
    return False


def _instances(trigger: Trigger, known: set[str]) -> list[str]:
    base = trigger.resource
    if trigger.key is ALL or trigger.key is NO_KEY:
        return sorted(a for a in known if a == base or (a.startswith(base + "[") and a.endswith("]")))
    return [f"{base}[{render_key(trigger.key)}]"]


def _replaced(typ: str, addr: str, a: dict, b: dict, relaunched: Callable[[str], bool]) -> bool:
    if typ in ("aws_instance", "aws_spot_instance_request"):
        return relaunched(addr)
    names = _FORCE_NEW.get(typ)
    if names is None:
        return a != b
    return any(a.get(n) != b.get(n) for n in names)


def _path(value: Any, path: tuple[str, ...]) -> Any:
    for step in path:
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            value = value[0]  # a nested block written once
        value = value.get(step) if isinstance(value, dict) else None
    return value
