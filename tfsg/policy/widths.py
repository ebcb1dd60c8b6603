"""Source widths (``cidr_wider_than``, ``public_wider_than``) judged on what a group admits,
and the scope of rules that open every port (``blanket_rules_to``).

AWS evaluates the rules of a group together and admits a packet any rule matches (EC2 user
guide, "Security group rules"): eight rules of adjacent /25s on tcp 5432 admit the /22 they
make, as one rule of the /22 would. So a width limit is judged on the union of the blocks that
admit one service into the group (per service: 5432 from one /24 and 3306 from the adjacent /24
admit no port from the /23), merged, as a prefix list is judged by its merged entries: a source
is wider than /N when the merged set holds a CIDR block wider than /N. The finding names that
block and every block that makes it up; a block that is that wide alone keeps its own name (the
finding of a single wide rule reads as before).

A rule that opens every port of its protocols (protocol -1, tcp/udp 0-65535) names no port; for
a policy about services (database ports) it says nothing about what listens there. A NAT or VPN
instance admits all traffic from the VPC it serves (VPC user guide, "NAT instances"). With
``blanket_rules_to: selector`` such a rule counts only on the groups the selector matches (the
baseline's TFSG005: the data tier); a rule that names a port counts everywhere.
"""

from __future__ import annotations

import bisect
import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from ..netsets import (
    ICMP_ALL,
    NO_SERVICES,
    OTHERS_ALL,
    PUBLIC,
    PUBLIC_V4,
    PUBLIC_V6,
    AddressSet,
    IntervalSet,
    ServiceSet,
    union_all,
)
from .selectors import _customer_list, _prefix_len, _whole_internet

if TYPE_CHECKING:
    from ..model import Rule

WIDTH_KEYS = ("cidr_wider_than", "public_wider_than")

# Port 0 is reserved (RFC 6335, section 6): tcp 1-65535 opens every port as 0-65535 does.
_EVERY_PORT = IntervalSet([(1, 65535)])
_FULL = (_EVERY_PORT, _EVERY_PORT, ICMP_ALL, ICMP_ALL, OTHERS_ALL)  # netsets.DIMENSIONS order


def is_blanket(services: ServiceSet) -> bool:
    """Does a rule open every port (type, protocol number) of each protocol it names?"""
    parts = services.parts()
    return any(parts) and all(not p or p.issuperset(full) for p, full in zip(parts, _FULL))


def blanket_counts(ctx: Any, spec: dict, group: str) -> bool:
    """Do the group's rules that open every port count for this policy?"""
    scope = spec.get("blanket_rules_to")
    return scope is None or ctx.sel.match(group, scope)


def named_services(ctx: Any, group: str, src: str, block: Optional[AddressSet]) -> ServiceSet:
    """What the rules of ``group`` that name ports grant ``src`` (a block's label, a group; a
    group whose members lie in CIDRs the group admits: what its CIDR rules that name ports grant)."""
    graph = ctx.graph
    entries = graph.cidrs["ingress"].get(group, ())
    if block is not None:
        rules: list[Rule] = [r for r, _, label in entries if label == src]
    elif src in graph.refs["ingress"].get(group, {}):
        rules = list(graph.refs["ingress"][group][src])
    else:
        rules = [r for r, _, _ in entries]
    out = NO_SERVICES
    for rule in rules:
        if not is_blanket(rule.services):
            out = out | rule.services
    return out


@dataclass
class Wide:
    """A source wider than the policy's limit: one block, or adjacent blocks merged."""

    source: str
    merged: bool
    services: ServiceSet = NO_SERVICES
    blocks: dict[str, AddressSet] = field(default_factory=dict)  # label -> addresses
    rules: dict[str, ServiceSet] = field(default_factory=dict)  # writer -> services it grants here
    wide: list[AddressSet] = field(default_factory=list)


def wide_sources(ctx: Any, group: str, source: dict, wanted: ServiceSet, blanket: bool) -> list[Wide]:
    """The sources of ``group`` on ``wanted`` that the width keys of ``source`` select, merged
    per service atom (a piece of ``wanted`` every block admits wholly or not at all)."""
    graph = ctx.graph
    entries = [(rule, block, label) for rule, block, label in graph.cidrs["ingress"].get(group, ())
               if rule.services & wanted and (blanket or not is_blanket(rule.services))]
    if not entries:
        return []
    atoms: list[ServiceSet] = []
    for services in {rule.services & wanted for rule, _, _ in entries}:
        rest = services
        cut: list[ServiceSet] = []
        for a in atoms:
            cut += [p for p in (a & services, a - services) if p]
            rest = rest - a
        atoms = cut + ([rest] if rest else [])
    family = graph.internet_family.get(group, {}) if source.get("except_internet") else {}
    found: dict[str, Wide] = {}
    for atom in atoms:
        members = []
        for rule, block, label in entries:
            if not rule.services.issuperset(atom):
                continue
            if family:
                block = _without_internet(block, family, atom)
                if not block:
                    continue
            members.append((rule, block, label))
        if "cidr_wider_than" in source:
            _collect(found, atom, members, lambda c, n=source["cidr_wider_than"]: (_prefix_len(c) or 0) < n, ctx)
        if "public_wider_than" in source:
            # CIDR rules and the lists the configuration writes (an AWS-managed list names AWS's
            # own ranges, which no one rents): selectors.source_matches
            mine = [m for m in members if "/" in m[2] or _customer_list(m[2])]
            _collect(found, atom, mine, lambda c, n=source["public_wider_than"]: int(c.rsplit("/", 1)[1]) < n
                     and AddressSet.parse(c).overlaps(PUBLIC), ctx)
    return [found[k] for k in sorted(found)]


def _without_internet(block: AddressSet, family: dict, atom: ServiceSet) -> AddressSet:
    """``except_internet``: leave out a block that is a whole internet family, and the public
    blocks of a family whose whole internet the group admits on ``atom`` (the two halves
    ``0.0.0.0/1`` + ``128.0.0.0/1``: the internet policies report them)."""
    if _whole_internet(block):
        return AddressSet()
    for name, space in (("ipv4", PUBLIC_V4), ("ipv6", PUBLIC_V6)):
        whole = family.get(name) or NO_SERVICES
        part = AddressSet(v4=block.v4) if name == "ipv4" else AddressSet(v6=block.v6)
        if part and whole.issuperset(atom) and part.overlaps(space):
            block = block - part
    return block


def _collect(found: dict[str, Wide], atom: ServiceSet, members: list[tuple[Rule, AddressSet, str]],
             wider: Any, ctx: Any) -> None:
    """Add the wide blocks of the members' union on ``atom`` to ``found`` (by source)."""
    if not members:
        return
    union = union_all(block for _, block, _ in members)
    wides = [c for c in union.cidrs() if wider(c)]
    if not wides:
        return
    # each member to the wide blocks it overlaps, by bisection over their (disjoint) starts:
    # n log w, not n * w, for a group of a thousand partner /16s
    spans = {fam: sorted((getattr(AddressSet.parse(c), fam).spans[0], c) for c in wides
                         if getattr(AddressSet.parse(c), fam)) for fam in ("v4", "v6")}
    starts = {fam: [span[0] for span, _ in spans[fam]] for fam in spans}
    of: dict[str, list[tuple[Rule, AddressSet, str]]] = {c: [] for c in wides}
    for member in members:
        seen: set[str] = set()
        for fam in ("v4", "v6"):
            for lo, hi in getattr(member[1], fam):
                i = max(bisect.bisect_right(starts[fam], lo) - 1, 0)
                while i < len(spans[fam]) and spans[fam][i][0][0] <= hi:
                    (wlo, whi), c = spans[fam][i]
                    if whi >= lo and c not in seen:
                        seen.add(c)
                        of[c].append(member)
                    i += 1
    for cidr in wides:
        wide = AddressSet.parse(cidr)
        parts = of[cidr]
        alone = [(r, b, label) for r, b, label in parts if b.issuperset(wide)]
        if alone:  # wide as written: named by its own label, as one rule of it always was
            for label in sorted({label for _, _, label in alone}):
                _add(found, label, False, atom, [m for m in parts if m[2] == label], wide)
        else:
            sensitive = sorted(label for _, _, label in parts if label in ctx.graph.sensitive_labels)
            # a merged range of sensitive blocks is not shown (only a placeholder label is)
            _add(found, sensitive[0] if sensitive else cidr, True, atom, parts, wide)


def _add(found: dict[str, Wide], source: str, merged: bool, atom: ServiceSet,
         parts: list[tuple[Rule, AddressSet, str]], wide: AddressSet) -> None:
    w = found.setdefault(source, Wide(source, merged))
    w.merged = w.merged or merged
    w.services = w.services | atom
    for rule, block, label in parts:
        w.blocks[label] = w.blocks[label] | block if label in w.blocks else block
        w.rules[rule.defined_by] = w.rules.get(rule.defined_by, NO_SERVICES) | (rule.services & atom)
    if wide not in w.wide:
        w.wide.append(wide)


def block_order(labels: list[str]) -> list[str]:
    """CIDR labels in address order (IPv4 first), then the others (prefix lists) by name."""
    def key(label: str) -> tuple:
        try:
            net = ipaddress.ip_network(label, strict=False)
        except ValueError:
            return (2, 0, 0, label)
        return (0 if net.version == 4 else 1, int(net.network_address), net.prefixlen, label)
    return sorted(labels, key=key)
