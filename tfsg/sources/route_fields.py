"""What one route names: the terms of an inline route's field, the addresses of a prefix-list
destination per family, and the kind of gateway its target is (routes.py and route_targets.py
read tables of them).

- Plan JSON records a table's ``route`` blocks as a set (go-cty orders it by a hash, not as
  written) and merges the references of all of them into one list: the .tf sources tell which
  block is which only by the fields the plan knows, never by position.
- A prefix list holds one address family (EC2 API CreateManagedPrefixList, ``AddressFamily``:
  "IPv4 | IPv6"); a route to it matches the list's entries only (VPC user guide, "Route
  tables" > "Routes": "You can specify a prefix list as the destination", and "Route
  priority"). A list whose entries the plan does not hold may hold anything: every address of
  its family (of both, when its family is unknown too).
- A target may be written through another resource's argument that holds its id
  (``aws_internet_gateway_attachment.a.internet_gateway_id``, provider docs: "The ID of the
  internet gateway"): that argument's own value is the target. A reference tfsg cannot follow
  to a known kind of target is unknown, never "not an internet gateway".
"""

from __future__ import annotations

from typing import Any, Optional, Union

from ..netsets import AddressSet
from .instances import Instance
from .refs import ConfigIndex, Lit, Res, Term, Unk, passed_path

# Resources whose id (or ARN) names a route target other than an internet gateway (provider docs,
# aws_route "Route Target Arguments"): egress-only and carrier gateways, NAT gateways, virtual
# private gateways, peering connections, transit gateways, network interfaces and instances,
# VPC endpoints (Gateway Load Balancer), local gateways, Cloud WAN core networks.
NON_IGW_TARGETS = ("aws_egress_only_internet_gateway", "aws_ec2_carrier_gateway", "aws_nat_gateway",
                   "aws_vpn_gateway", "aws_vpc_peering_connection", "aws_vpc_peering_connection_accepter",
                   "aws_ec2_transit_gateway", "aws_network_interface", "aws_instance", "aws_vpc_endpoint",
                   "aws_ec2_local_gateway", "aws_networkmanager_core_network")
ROUTE_FIELDS = ("cidr_block", "ipv6_cidr_block", "destination_prefix_list_id", "carrier_gateway_id",
                "core_network_arn", "egress_only_gateway_id", "gateway_id", "local_gateway_id", "nat_gateway_id",
                "network_interface_id", "transit_gateway_id", "vpc_endpoint_id", "vpc_peering_connection_id")
_LIST_TYPES = ("aws_ec2_managed_prefix_list", "aws_prefix_list")

Dest = Union[None, str, list]  # no destination in a family, "?" (unknown: any address), the CIDR blocks


def follow(builder: Any, terms: list[Term], depth: int = 0) -> list[Term]:
    """Terms with each reference to another resource's argument replaced by what that argument
    is written as (``aws_internet_gateway_attachment.a.internet_gateway_id`` is
    ``aws_internet_gateway.igw.id``; terraform_data's ``output`` is its ``input``). A reference
    that cannot be followed (a computed attribute, a whole resource) stays as it is."""
    out: list[Term] = []
    for term in terms:
        if isinstance(term, Res) and term.attr and depth < 6 and term.instance.type != "aws_internet_gateway" \
                and term.instance.type not in NON_IGW_TARGETS:
            passed = builder.terms(term.instance, passed_path(term.instance.type, term.attr), optional=True)
            if passed and not all(isinstance(t, Res) and t.instance is term.instance for t in passed):
                out += follow(builder, passed, depth + 1)
                continue
        out.append(term)
    return out


def gateway_kind(builder: Any, terms: list[Term], gateways: dict[str, str]) -> Optional[str]:
    """The kind of gateway a route targets: "aws_internet_gateway", another resource type or
    "other" (known not to be one), or None (unknown). Several terms (both branches of a
    conditional, a collapsed list of references) stand for any of them: one internet gateway
    makes it one (fail closed)."""
    if not terms:
        return None  # not known and not recorded
    kinds = []
    for term in follow(builder, terms):
        if isinstance(term, Res):
            kind = term.instance.type if term.instance.type == "aws_internet_gateway" or \
                term.instance.type in NON_IGW_TARGETS else None
        elif isinstance(term, Lit):
            text = term.value if isinstance(term.value, str) else ""
            kind = gateways.get(text) or ("aws_internet_gateway" if text.startswith("igw-") else "other")
        else:
            kind = None
        kinds.append(kind)
    if "aws_internet_gateway" in kinds:
        return "aws_internet_gateway"
    if None in kinds:
        return None
    return kinds[0]


def inline_terms(builder: Any, inst: Instance, i: int, field: str) -> Optional[list[Term]]:
    """The terms of field ``field`` of a table's ``route`` block ``i``; None when tfsg cannot
    tell them. A known value is itself; else, in a plan, the .tf sources' blocks that agree with
    every field the plan knows of this one (all of them, when several do: any may be it); in
    the .tf files alone, the block at its place (their order is the files')."""
    known, val = builder.value(inst, ("route", i, field))
    if known:
        return [Lit(val)]
    if not isinstance(builder.config, ConfigIndex):
        return builder.terms(inst, ("route", i, field), optional=True) or None
    sources = builder.sources
    count = sources.blocks(inst.address, "route") if sources is not None else None
    if not count:
        return None
    out: list[Term] = []
    matched = False
    for j in range(count):
        if not all(_agrees(builder, inst, i, j, other) for other in ROUTE_FIELDS if other != field):
            continue
        matched = True
        said = sources.terms(inst.address, ("route", j, field), unknowns=True)
        if not said:
            return None  # the block that may be this one does not write it, yet the plan says unknown
        out += [t for t in said if t not in out]
    return out if matched else None


def _agrees(builder: Any, inst: Instance, i: int, j: int, field: str) -> bool:
    """May source block ``j`` be plan block ``i``, as far as ``field`` tells?"""
    known, val = builder.value(inst, ("route", i, field))
    if not known:
        return True
    said = builder.sources.terms(inst.address, ("route", j, field), unknowns=True)
    if not said:
        return val in (None, "")  # not written: the provider's empty string
    if all(isinstance(t, Lit) for t in said):
        return [t.value for t in said] == [val] or (val in (None, "") and all(t.value in (None, "") for t in said))
    return True  # written through what the sources do not know: may be anything


def cidr_destination(terms: Optional[list]) -> Any:
    """An inline route's CIDR destination: the block, "" for none, "?" when only apply knows."""
    if terms is None:
        return "?"
    texts = [t.value for t in terms if isinstance(t, Lit) and t.value not in (None, "")]
    if any(not isinstance(t, Lit) for t in terms) or not all(isinstance(v, str) for v in texts) or len(texts) > 1:
        return "?"
    return texts[0] if texts else ""


def join_destinations(cidr: Any, listed: Any) -> Any:
    """A route's destinations in one family (a CIDR block, a prefix list's blocks): None for
    none, "?" for unknown, else a list of blocks."""
    if "?" in (cidr, listed):
        return "?"
    out = ([cidr] if cidr else []) + (listed or [])
    return out or None


def prefix_destination(builder: Any, terms: Optional[list[Term]]) -> tuple[Dest, Dest]:
    """(IPv4, IPv6) destinations of a route to the prefix lists ``terms`` name: None where the
    lists hold no address of the family, "?" where what they hold is unknown, else the blocks."""
    if not terms:
        return "?", "?"
    lists = {i.addr: i for i in builder.instances if i.type in _LIST_TYPES}
    v4: Dest = None
    v6: Dest = None
    for term in terms:
        if isinstance(term, Lit) and term.value in (None, ""):
            continue
        if isinstance(term, Unk) or (isinstance(term, Res) and (term.instance.type not in _LIST_TYPES
                                                                or term.attr not in ((), ("id",)))):
            return "?", "?"  # (an endpoint's prefix_list_id: a service's list, not read here)
        keys = builder._prefix_keys([term])
        if not keys:
            return "?", "?"
        for key in keys:
            f4, f6 = _list_families(builder, lists.get(key), key)
            for family, wanted in (("IPv4", f4), ("IPv6", f6)):
                if wanted == "?":
                    got: Dest = "?"
                elif isinstance(wanted, list) and wanted:
                    got = wanted
                else:
                    continue
                now = v4 if family == "IPv4" else v6
                merged: Dest = "?" if now == "?" or got == "?" else list(now or []) + list(got or [])
                if family == "IPv4":
                    v4 = merged
                else:
                    v6 = merged
    return v4, v6


def _list_families(builder: Any, inst: Optional[Instance], key: str) -> tuple[Dest, Dest]:
    family: Optional[str] = None
    if inst is not None:
        known, val = builder.value(inst, ("address_family",))
        family = val if known and val in ("IPv4", "IPv6") else None
    snap = builder.snap
    held: Optional[AddressSet] = snap.prefix_lists.get(key)
    if held is None or key in snap.partial_prefix_lists or (inst is not None and _entry_unknown(builder, inst)):
        return ("?" if family != "IPv6" else None), ("?" if family != "IPv4" else None)
    v4 = AddressSet(v4=held.v4).cidrs() if family != "IPv6" else []
    v6 = AddressSet(v6=held.v6).cidrs() if family != "IPv4" else []
    return v4 or None, v6 or None


def _entry_unknown(builder: Any, inst: Instance) -> bool:
    """Does a list written with ``entry`` blocks have one whose block only apply knows
    (``cidr = "${aws_eip.x.public_ip}/32"``)? Such an entry may be any block of the family."""
    if inst.address.mode != "managed" or inst.type != "aws_ec2_managed_prefix_list":
        return False
    known, entries = builder.value(inst, ("entry",))
    if not known or not isinstance(entries, list):
        return False  # (recorded as unknown where the list is read)
    return any(not builder.value(inst, ("entry", k, "cidr"))[0] for k in range(len(entries)))
