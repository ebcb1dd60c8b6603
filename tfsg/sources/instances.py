"""Flatten a plan or state into resource instances for each side (before, after).

This is where Terraform's JSON shapes end: ``resource_changes`` (with ``after_unknown`` and
``*_sensitive``), ``planned_values``, ``prior_state`` and a state's ``values`` all become
``Instance`` records with marked values and an unknown mask.

Sensitive values are kept, not redacted: Terraform only *marks* them (``*_sensitive``), and a
rule opened through a sensitive variable opens the network like any other. Their string leaves
become ``SensitiveStr`` so that whatever shows them shows ``(sensitive)`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from ..errors import InputError
from ..model import FORGOTTEN, SENSITIVE, Address, mark_sensitive, parse_module_path, split_module_prefix

__all__ = ["SENSITIVE", "Instance", "SecretTexts", "Sides", "action_of", "apply_marks", "collect_secrets",
           "split_sides"]


@dataclass
class Instance:
    """One resource instance on one side of the change."""

    address: Address
    values: dict[str, Any]
    unknown: Any = field(default_factory=dict)  # after_unknown mask: True at unknown paths
    action: str = "no-op"  # create | update | delete | replace | no-op | read | forget
    previous: Optional[str] = None
    partial: bool = False  # from planned_values: absent attributes are unknown, not null
    addr: str = ""  # the rendered address, computed once
    type: str = ""

    def __post_init__(self) -> None:
        self.addr = str(self.address)
        self.type = self.address.type
        if not isinstance(self.values, dict):  # a whole object marked sensitive: nothing is known
            self.values, self.partial = {}, True


class SecretTexts(set):
    """The texts the output scrubber hides; ``wide``: the string leaves of collections marked
    sensitive whole (a set of blocks is, when one value in one of its blocks is: Terraform cannot
    mark an element of a set), which are secrets only if not written in plain (``plan.py``)."""

    def __init__(self) -> None:
        super().__init__()
        self.wide: set[str] = set()


@dataclass
class Sides:
    before: Optional[list[Instance]]  # None: nothing to compare (a state, or a plan with no prior)
    after: list[Instance]
    secrets: set[str]
    actions: dict[str, str]  # address -> action, for every managed instance in the plan


_ACTIONS = {
    ("no-op",): "no-op", ("create",): "create", ("read",): "read", ("update",): "update",
    ("delete", "create"): "replace", ("create", "delete"): "replace", ("delete",): "delete",
    ("forget",): "forget", ("create", "forget"): "replace", ("forget", "create"): "replace",
}
# replacements that forget the old object instead of destroying it (Terraform's CreateThenForget,
# OpenTofu's ForgetThenCreate: `lifecycle { destroy = false }`): it stays in AWS, unmanaged
_FORGETTING = {("create", "forget"), ("forget", "create")}


# Resources whose destroy only removes them from the state: AWS keeps the object as it is
# (provider docs, aws_default_security_group: "the group is not destroyed ... All ingress or
# egress rules will be left as they are"; the same for the other aws_default_* resources).
FORGOTTEN_ON_DESTROY = ("aws_default_security_group", "aws_default_vpc", "aws_default_subnet",
                        "aws_default_route_table", "aws_default_network_acl")


def action_of(actions: Any) -> str:
    if isinstance(actions, list) and all(isinstance(a, str) for a in actions):
        return _ACTIONS.get(tuple(actions), "update")
    return "no-op"


def apply_marks(value: Any, mask: Any, secrets: set[str]) -> Any:
    """Mark every string leaf the mask marks sensitive (``SensitiveStr``), remembering its text
    for the output scrubber; the value itself is kept for the analysis (REFERENCE A.5)."""
    if mask is not True and not _marks(mask):
        return value
    return _mark(value, mask, secrets)


def _marks(mask: Any) -> bool:
    """Does the mask mark anything sensitive? (Most masks are all ``false``/empty.)"""
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(_marks(v) for v in mask.values() if v)
    if isinstance(mask, list):
        return any(_marks(v) for v in mask if v)
    return False


def _mark(value: Any, mask: Any, secrets: set[str]) -> Any:
    if mask is True:
        wide = isinstance(value, (list, dict)) and isinstance(secrets, SecretTexts)
        collect_secrets(value, secrets.wide if wide else secrets, addresses=False)  # type: ignore[attr-defined]
        return mark_sensitive(value)
    if not mask:
        return value
    if isinstance(value, dict) and isinstance(mask, dict):
        return {k: _mark(v, mask.get(k), secrets) for k, v in value.items()}
    if isinstance(value, list) and isinstance(mask, list):
        return [_mark(v, mask[i] if i < len(mask) else None, secrets) for i, v in enumerate(value)]
    return value


def collect_secrets(value: Any, secrets: set[str], addresses: bool = True) -> None:
    """The text of every string leaf long enough to be recognised (4+ characters), for the scrubber.

    ``addresses=False`` (plan mode) leaves out CIDRs and IP addresses: the analysis marks those
    structurally (a sensitive peer is shown by a placeholder) and scrubbing their text would
    also hide the same, non-sensitive block elsewhere (``0.0.0.0/0`` of every other rule).
    """
    if isinstance(value, dict):
        for v in value.values():
            collect_secrets(v, secrets, addresses)
    elif isinstance(value, list):
        for v in value:
            collect_secrets(v, secrets, addresses)
    elif isinstance(value, str) and len(value) >= 4 and (addresses or not _is_address(value)):
        secrets.add(str.__str__(value))
    # Numbers are not collected: the scrubber replaces text, and a port number replaced in JSON
    # output would break it; rule ports are shown by design (README "What it reads").


def _is_address(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_network(str.__str__(text).strip(), strict=False)
        return True
    except ValueError:
        return False


def _address(where: str, entry: dict) -> Address:
    text = entry.get("module_address")
    try:
        module = parse_module_path(text if isinstance(text, str) else None)
    except ValueError:
        module = ()
    if not module and "address" in entry:
        module, _ = split_module_prefix(str(entry["address"]))
    typ, name = entry.get("type"), entry.get("name")
    if not isinstance(typ, str) or not isinstance(name, str):
        raise InputError(f"resource entry without type/name: {str(entry.get('address', '?'))!r}", where)
    key = entry.get("index")
    if not isinstance(key, (int, str)) or isinstance(key, bool):
        key = None
    return Address(module, typ, name, key, "data" if entry.get("mode") == "data" else "managed")


def iter_module_resources(module: Any, within: str = "") -> Iterator[dict]:
    """Every resource of a values-representation module tree (``root_module`` + ``child_modules``).

    Terraform 0.12 wrote a child module's resources with addresses relative to the module
    (``aws_security_group.this`` inside ``module.alb``; fixed in 0.13): such an entry is given
    its module's address, or two modules' ``this`` would be one root resource."""
    if not isinstance(module, dict):
        return
    for res in module.get("resources") or []:
        if isinstance(res, dict):
            text = res.get("address")
            if within and isinstance(text, str) and not text.startswith("module.") \
                    and not isinstance(res.get("module_address"), str):
                res = dict(res, address=f"{within}.{text}")
            yield res
    for child in module.get("child_modules") or []:
        own = child.get("address") if isinstance(child, dict) else None
        yield from iter_module_resources(child, own if isinstance(own, str) and own.startswith("module.") else within)


def _from_values(where: str, module: Any, secrets: set[str], action: str = "no-op",
                 skip: Optional[set[str]] = None) -> list[Instance]:
    out = []
    for res in iter_module_resources(module):
        if skip is not None and isinstance(res.get("address"), str) and res["address"] in skip:
            continue
        values = res.get("values")
        if not isinstance(values, dict):
            values = {}
        address = _address(where, res)
        if isinstance(res.get("deposed_key"), str) and res["deposed_key"]:
            # a deposed object beside the current one (JSON output format, "deposed_key"): another
            # AWS object, kept apart from the one at its address
            address = replace(address, deposed=res["deposed_key"])
        out.append(Instance(address, apply_marks(values, res.get("sensitive_values"), secrets), {}, action))
    return out


def split_sides(where: str, data: dict, kind: str) -> Sides:
    """Both sides of a plan, or the one side of a state."""
    secrets = SecretTexts()
    if kind == "state":
        after = _from_values(where, (data.get("values") or {}).get("root_module"), secrets)
        return Sides(None, after, secrets, {})

    prior_state = data["prior_state"] if isinstance(data.get("prior_state"), dict) else {}
    prior = prior_state["values"] if isinstance(prior_state.get("values"), dict) else {}
    changes = data.get("resource_changes")
    actions: dict[str, str] = {}
    if changes is None:
        prior_instances = _from_values(where, prior.get("root_module"), secrets)
        # A refresh-only plan (or an old one): no per-resource change records. planned_values
        # omits unknown values, so an absent attribute there means "known after apply".
        after = _from_values(where, (data.get("planned_values") or {}).get("root_module"), secrets)
        for inst in after:
            inst.partial = True
        if not after and prior_instances:
            # -refresh-only: planned_values holds nothing, and applying it changes nothing in
            # AWS: the network after is the refreshed prior state (REFERENCE A.2), not nothing
            after = [Instance(i.address, i.values, {}, "no-op") for i in prior_instances]
        # a plan of a configuration and state without resources has neither resource_changes nor
        # prior_state (both omitted when empty): both sides are empty, it is no state
        return Sides(prior_instances, after, secrets, actions)

    before: list[Instance] = []
    after = []
    seen: set[str] = set()
    for rc in changes:
        if not isinstance(rc, dict) or not isinstance(rc.get("change"), dict) or rc.get("mode") == "ephemeral":
            continue  # (OpenTofu 1.11 lists ephemeral resources, action "open": nothing is made)
        address = _address(where, rc)
        change = rc["change"]
        action = action_of(change.get("actions"))
        if action == "delete" and address.type in FORGOTTEN_ON_DESTROY and address.mode == "managed":
            action = "forget"
        key = str(address)
        if rc.get("deposed"):
            # A deposed object is on its way out: it exists before, not after. It is another AWS
            # object than the one at its address (its own id, rules, members), so it is kept
            # apart: merged with the live object, what it allowed would hide what the live one
            # newly allows.
            if isinstance(change.get("before"), dict):
                address = replace(address, deposed=str(rc["deposed"]))
                before.append(Instance(address, apply_marks(change["before"], change.get("before_sensitive"), secrets),
                                       {}, "delete"))
            continue
        seen.add(key)
        if address.mode == "managed":
            actions[key] = action
        if isinstance(change.get("before"), dict):
            before.append(Instance(address, apply_marks(change["before"], change.get("before_sensitive"), secrets),
                                   {}, action, rc.get("previous_address")))
        if isinstance(change.get("after"), dict) or change.get("after_unknown") is True:
            after_values = change.get("after") if isinstance(change.get("after"), dict) else {}
            after.append(Instance(address, apply_marks(after_values, change.get("after_sensitive"), secrets),
                                  change.get("after_unknown") or {}, action, rc.get("previous_address")))
            acts = change.get("actions")
            if isinstance(acts, list) and tuple(acts) in _FORGETTING and isinstance(change.get("before"), dict):
                after.append(Instance(replace(address, deposed=FORGOTTEN),
                                      apply_marks(change["before"], change.get("before_sensitive"), secrets),
                                      {}, "forget"))
        elif action == "forget" and isinstance(change.get("before"), dict):
            # a `removed` block with `destroy = false` (Terraform 1.7+): Terraform forgets the
            # object, AWS keeps it; the network after still has it, unmanaged
            after.append(Instance(address, apply_marks(change["before"], change.get("before_sensitive"), secrets),
                                  {}, action, rc.get("previous_address")))
    # A VPC's default group, route table, network ACL go with the VPC (VPC user guide, "Default
    # security groups for your VPCs": "You can't delete a default security group" except by
    # deleting its VPC): forgotten while this apply deletes their VPC, they are gone.
    deleted_vpcs = {i.values.get("id") for i in before if i.address.type == "aws_vpc"
                    and i.action in ("delete", "replace") and isinstance(i.values.get("id"), str)}
    if deleted_vpcs:
        after = [i for i in after if not (i.action == "forget" and i.address.type in FORGOTTEN_ON_DESTROY
                                          and i.values.get("vpc_id") in deleted_vpcs)]
    # Data sources read during planning (and anything else not listed) live only in prior_state.
    for inst in _from_values(where, prior.get("root_module"), secrets, skip=seen):
        if inst.addr not in seen:
            before.append(inst)
            after.append(Instance(inst.address, inst.values, {}, "no-op"))
    has_prior = "prior_state" in data or any(i.action != "create" for i in after) or bool(before)
    return Sides(before if has_prior else [], after, secrets, actions)
