"""What changed outside Terraform since the last run, as the plan records it (``resource_drift``).

Terraform refreshes before planning: a plan's ``prior_state`` is AWS as it is now, and
``resource_drift`` lists each object whose refreshed value differs from the last state written
(Terraform's JSON output format, "Plan Representation": "resource_drift"). tfsg's before side is
the refreshed one, so what a drift opened (SSH added in the console) shows as existing, not
introduced; a refresh-only plan, which only records the drift in the state, changes nothing in
AWS. Reviewers are told which security-relevant objects drifted (``input.drift_note``).
"""

from __future__ import annotations

from typing import Optional

from ..attachments import attachment_table

_SHOWN = 10


def drift_note(data: dict) -> Optional[str]:
    """One line naming the security-relevant objects changed outside Terraform, or None."""
    entries = data.get("resource_drift")
    if not isinstance(entries, list):
        return None
    watched = _watched()
    made: Optional[dict[str, set]] = None
    routes: Optional[set] = None
    found: dict[str, str] = {}
    for rc in entries:
        kind = rc.get("type") if isinstance(rc, dict) else None
        if not isinstance(rc, dict) or rc.get("mode", "managed") != "managed" or kind not in watched:
            continue
        address = rc.get("address")
        change: dict = rc["change"] if isinstance(rc.get("change"), dict) else {}
        actions = change.get("actions")
        if not isinstance(address, str) or not isinstance(actions, list) or not actions or actions == ["no-op"]:
            continue
        before, after = change.get("before"), change.get("after")
        if "delete" in actions:
            found[address] = "deleted"
            continue
        if not isinstance(before, dict) or not isinstance(after, dict):
            continue
        if kind in _GROUPS:
            # a group reads back the rules its rule resources made (the refresh after each apply
            # lists them as drift): only permissions no rule resource accounts for count
            if made is None:
                made = _rule_resource_atoms(data)
            own = made.get(str(after.get("id") or before.get("id")), set())
            delta = (_atoms(before) ^ _atoms(after)) - own
            rest = ("ingress", "egress")
            if delta or _changed({k: v for k, v in before.items() if k not in rest},
                                 {k: v for k, v in after.items() if k not in rest}):
                found[address] = "changed"
        elif kind in _TABLES:
            # a table reads back the routes its aws_route resources made: only others count
            if routes is None:
                routes = _route_resource_keys(data)
            table = str(after.get("id") or before.get("id"))
            if (_routes(before, table) ^ _routes(after, table)) - routes:
                found[address] = "changed"
        elif kind in _RULES:
            # a rule by what it admits, not its raw attributes: ports read back 0 for -1 on a
            # protocol -1 rule mean the same (the provider suppresses that diff)
            if _rule_atoms(kind, before) != _rule_atoms(kind, after):
                found[address] = "changed"
        elif kind == "aws_route":
            if _changed(before, after):  # a route of its own: any of it
                found[address] = "changed"
        elif _changed({k: before.get(k) for k in watched[kind]}, {k: after.get(k) for k in watched[kind]}):
            found[address] = "changed"
    if not found:
        return None
    names = [f"{a} ({found[a]})" for a in sorted(found)]
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return (f"Drift: changed outside Terraform since the last run (resource_drift): {', '.join(names[:_SHOWN])}{more}. "
            "The before side is AWS as refreshed: what the drift opened reads as existing, not introduced.")


_GROUPS = ("aws_security_group", "aws_default_security_group")
_TABLES = ("aws_route_table", "aws_default_route_table")
_RULES = ("aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule")
# what decides who sits where and who is addressable, per type (besides the groups each type's
# attachment paths name); an Elastic IP's association and an instance's public_ip move with
# aws_eip_association resources, which refresh reads back as drift: not watched
_ATTRIBUTES = {"aws_subnet": ("map_public_ip_on_launch", "assign_ipv6_address_on_creation", "cidr_block"),
               "aws_default_subnet": ("map_public_ip_on_launch", "assign_ipv6_address_on_creation"),
               "aws_lb": ("internal", "security_groups", "subnets"),
               "aws_alb": ("internal", "security_groups", "subnets"),
               "aws_lb_listener": ("port", "protocol", "default_action"),
               "aws_alb_listener": ("port", "protocol", "default_action"),
               "aws_ec2_managed_prefix_list": ("entry",), "aws_network_interface_sg_attachment": ("security_group_id",)}


def _watched() -> dict[str, tuple[str, ...]]:
    """type -> the attributes whose drift changes the network (groups and rules: all of them)."""
    out: dict[str, tuple[str, ...]] = dict.fromkeys(_GROUPS + _TABLES + _RULES + ("aws_route",), ())
    for kind, paths in attachment_table().items():
        out[kind] = tuple(sorted({p.steps[0] for p in paths}))
    for kind, attrs in _ATTRIBUTES.items():
        out[kind] = tuple(sorted(set(out.get(kind, ())) | set(attrs)))
    return out


def _routes(table: dict, table_id: str) -> set:
    """(table, destination, target) of a table's routes: a target replaced outside Terraform
    (ReplaceRoute: an appliance's route sent to the internet gateway) is drift too."""
    return {(table_id, str(r.get("cidr_block") or r.get("ipv6_cidr_block") or r.get("destination_prefix_list_id")),
             _target(r)) for r in _seq(table.get("route")) if isinstance(r, dict)}


def _target(route: dict) -> str:
    return ",".join(f"{k}={route[k]}" for k in sorted(route) if k.endswith(("_id", "_arn"))
                    and k not in ("destination_prefix_list_id", "route_table_id", "id") and route[k])


def _route_resource_keys(data: dict) -> set:
    """(table id, destination) of the state's aws_route resources."""
    out = set()
    for res in _state_resources(data):
        values = res.get("values")
        if res.get("type") == "aws_route" and isinstance(values, dict):
            out.add((str(values.get("route_table_id")), str(values.get("destination_cidr_block")
                     or values.get("destination_ipv6_cidr_block") or values.get("destination_prefix_list_id")),
                     _target(values)))
    return out


def _state_resources(data: dict) -> list[dict]:
    out: list[dict] = []
    prior = (data.get("prior_state") or {}).get("values") or {}
    stack = [prior.get("root_module") or {}]
    while stack:
        module = stack.pop()
        if isinstance(module, dict):
            stack.extend(module.get("child_modules") or ())
            out.extend(r for r in module.get("resources") or () if isinstance(r, dict))
    return out
# what drifts without changing the network: tags read back as {} for null, timeouts, clocks
_QUIET = ("tags", "tags_all", "timeouts", "latest_restorable_time")


def _changed(before: object, after: object) -> bool:
    if not isinstance(before, dict) or not isinstance(after, dict):
        return before != after
    return any(before.get(k) != after.get(k) and not (_empty(before.get(k)) and _empty(after.get(k)))
               for k in set(before) | set(after) if k not in _QUIET)


def _empty(value: object) -> bool:
    return value is None or value == {} or value == [] or value == ""


_PROTOCOLS = {"-1": "all", "all": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def _proto(value: object) -> str:
    text = str(value).lower()
    return _PROTOCOLS.get(text, text)


def _ports(proto: str, rule: dict) -> tuple[str, str]:
    """A rule's port range as it matters: only tcp, udp, icmp and icmpv6 have ports (types and
    codes); for -1 and any other protocol "traffic on all ports is allowed, regardless of any
    ports you specify" (EC2 API AuthorizeSecurityGroupIngress, IpPermission IpProtocol)."""
    if proto not in ("tcp", "udp", "icmp", "icmpv6"):
        return ("0", "0")
    return (_port(rule.get("from_port")), _port(rule.get("to_port")))


def _port(value: object) -> str:
    try:
        return str(int(str(value)))
    except ValueError:
        return str(value)


def _atoms(group: dict) -> set:
    """A group's inline permissions, one per (direction, protocol, ports, peer)."""
    out = set()
    for direction in ("ingress", "egress"):
        for rule in _seq(group.get(direction)):
            if not isinstance(rule, dict):
                continue
            proto = _proto(rule.get("protocol"))
            head = (direction, proto) + _ports(proto, rule)
            for kind, key in (("cidr", "cidr_blocks"), ("cidr", "ipv6_cidr_blocks"), ("pl", "prefix_list_ids"),
                              ("sg", "security_groups")):
                for value in _seq(rule.get(key)):
                    out.add(head + (kind, _bare(value)))
            if rule.get("self"):
                out.add(head + ("sg", _bare(group.get("id"))))
    return out


def _seq(value: object) -> list:
    """A list attribute, or nothing when a damaged plan holds something else there."""
    return value if isinstance(value, list) else []


def _bare(value: object) -> str:
    """A group id without its account (``123456789012/sg-1``: how a group reads back another's)."""
    return str(value).rsplit("/", 1)[-1]


def _rule_resource_atoms(data: dict) -> dict[str, set]:
    """group id -> the permissions the state's rule resources hold (aws_security_group_rule and
    the aws_vpc_security_group_*_rule resources)."""
    out: dict[str, set] = {}
    for res in _state_resources(data):
        values = res.get("values")
        if isinstance(values, dict) and res.get("type") in _RULES:
            atoms = _rule_atoms(res["type"], values)
            out.setdefault(str(values.get("security_group_id")), set()).update(a[1:] for a in atoms)
    return out


def _rule_atoms(kind: str, values: dict) -> set:
    """The permissions one rule resource grants: (direction, protocol, ports, peer kind, peer)."""
    if not isinstance(values, dict):
        return set()
    group = str(values.get("security_group_id"))
    peers: list[tuple[str, object]] = []
    if kind == "aws_security_group_rule":
        proto = _proto(values.get("protocol"))
        head = (str(values.get("type")), proto) + _ports(proto, values)
        peers = [("cidr", c) for k in ("cidr_blocks", "ipv6_cidr_blocks") for c in _seq(values.get(k))]
        peers += [("pl", p) for p in _seq(values.get("prefix_list_ids"))]
        if values.get("source_security_group_id"):
            peers.append(("sg", values["source_security_group_id"]))
        if values.get("self"):
            peers.append(("sg", group))
    else:
        direction = "ingress" if kind.endswith("ingress_rule") else "egress"
        proto = _proto(values.get("ip_protocol"))
        head = (direction, proto) + _ports(proto, values)
        peers = [(k, values[key]) for k, key in (("cidr", "cidr_ipv4"), ("cidr", "cidr_ipv6"),
                                                 ("pl", "prefix_list_id"), ("sg", "referenced_security_group_id"))
                 if values.get(key)]
    return {(group,) + head + (k, _bare(value)) for k, value in peers}


__all__ = ["drift_note"]
