"""Load balancers as hops of the flow graph (issue 10, "load balancers and services as hops").

For each listener -> target link (``Snapshot.lb_links``), per address family:

* the internet reaches the listener when the load balancer is internet-facing with a public
  address of that family and its groups admit the internet on the listener port; a load
  balancer without groups (an NLB) admits all client traffic (ELB: "if you don't associate a
  security group with your Network Load Balancer, all client traffic can reach its listeners");
* the load balancer may send to the target when its groups' egress allows the target on the
  target port (always, without groups);
* the target admits what it sees: the internet when the client IP is preserved, else the load
  balancer's private addresses (a reference to its groups, or a CIDR holding its subnets).

The target is then reachable from the internet *through* that listener, and its admitting
groups are reachable in one more hop; a load balancer without groups is a node of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from ..model import Attachment, LbLink, is_outside_group
from ..netsets import EMPTY, NO_SERVICES, PRIVATE, PUBLIC_V4, PUBLIC_V6, AddressSet, ServiceSet, covering_services
from .records import LOAD_BALANCERS

if TYPE_CHECKING:
    from . import FlowGraph


@dataclass
class Hops:
    """What load balancers add: exposures through listeners, per-group services reached that
    way (for the policies), and graph edges (for the paths)."""

    exposures: list = field(default_factory=list)  # graph.Exposure
    via_lb: dict[str, ServiceSet] = field(default_factory=dict)  # group -> services via a listener
    lb_sources: dict[str, dict[str, ServiceSet]] = field(default_factory=dict)  # group -> listener -> services
    edges: dict[tuple[str, str], ServiceSet] = field(default_factory=dict)  # (from, to) -> services
    pairs: set[tuple[str, str]] = field(default_factory=set)  # LB group -> target group pairs
    lb_targets: dict[str, dict[str, ServiceSet]] = field(default_factory=dict)  # LB -> target -> services
    # LB -> listener -> (its ports, target -> services): a request reaches the targets of the
    # listener that received it only (ELB guide, "Listener rules": the rules of that listener)
    listeners: dict[str, dict[str, tuple[ServiceSet, dict[str, ServiceSet]]]] = field(default_factory=dict)
    # group -> rule -> services: the rules that admit what a listener forwards (the load
    # balancer's addresses or groups, or the preserved client's), for a finding's defined_by
    lb_rules: dict[str, dict[str, ServiceSet]] = field(default_factory=dict)
    # load balancers with a listener rule that forwards only some clients (source_ip)
    restricted: set[str] = field(default_factory=set)


def lb_hops(graph: "FlowGraph") -> Hops:
    from .records import INTERNET, Exposure

    out = Hops()
    atts = {a.resource: a for a in graph.snap.attachments}
    open_lbs: dict[tuple[str, str], ServiceSet] = {}
    fronted = _fronted(graph, atts)
    multi_vpc = len(graph.snap.vpcs) > 1
    for link in graph.snap.lb_links:
        lb, target = atts.get(link.lb), atts.get(link.target)
        if lb is None or target is None or not (target.groups or target.type in LOAD_BALANCERS):
            continue
        if multi_vpc and graph.where.resources_apart(lb, target):
            continue  # an ip target in another VPC that no route of the load balancer's subnets reaches
        out.pairs.update((lg, tg) for lg in lb.groups for tg in target.groups)
        if target.type in INVOKED_TARGETS:
            # invoked, not connected to: its groups admit nothing of it (ELB guide, "Use Lambda
            # functions as targets"); what the function then opens is its own egress
            _forward(out, link, link.back)
            continue
        admitted = _Admitted.of(graph, lb, target, link)
        if admitted is None:
            continue
        reach = _reach(graph, lb, target, link, admitted)
        if reach:  # seen from the client's address when it is preserved
            _forward(out, link, reach)
        for lg in lb.groups:  # the hop between the load balancer's groups and the target's
            for tg in admitted.lb_by:
                _add(out.edges, (lg, tg), admitted.from_lb)
        if not lb.groups and admitted.from_lb:
            for tg in admitted.lb_by:
                _add(out.edges, (lb.resource, tg), admitted.from_lb)
        for family in ("ipv4", "ipv6"):
            public = lb.public if family == "ipv4" else lb.public_v6
            chain = fronted.get((lb.resource, family))
            if public is not True and chain is None:
                continue
            if not _for_internet(link, family):
                continue  # a listener rule forwards only the clients its source_ip condition names
            front = _front(graph, lb, link, family) if public is True else NO_SERVICES
            if chain is not None:  # an internal load balancer that an internet-facing one forwards to
                front = front | (link.front & chain[0])
            if not front:
                continue
            if (not lb.groups or lb.resource in graph.snap.open_fronts) and public is True:
                open_lbs[(lb.resource, family)] = open_lbs.get((lb.resource, family), NO_SERVICES) | front
                _add(out.edges, (INTERNET, lb.resource), front)
            preserved = link.client_ip if family == "ipv4" else link.client_ip_v6
            seen, by = admitted.seen(graph, target, family, preserved)
            if not seen:
                continue
            via = tuple(sorted(by))
            what = f"internet-facing {link.lb}" if public is True else \
                f"internal {link.lb}, which {chain[1]} forwards the internet to"  # type: ignore[index]
            out.exposures.append(Exposure(target.resource, "resource", target.type, seen, via, (link.listener,),
                                          f"{'IPv4' if family == 'ipv4' else 'IPv6'}: through "
                                          f"{_listener_text(link)} of {what}", family, link.listener))
            for g in via:
                _add(out.via_lb, g, by[g])
                _add(out.lb_sources.setdefault(g, {}), link.listener, by[g])
                granted = out.lb_rules.setdefault(g, {})
                for rule, services in _granting_rules(graph, g, lb, by[g], preserved, link.family).items():
                    _add(granted, rule, services)
    for (resource, family), services in sorted(open_lbs.items()):
        att = atts[resource]
        reason = att.public_reason if family == "ipv4" else att.public_v6_reason
        out.exposures.append(Exposure(resource, "resource", att.type, services, (),
                                      ("0.0.0.0/0" if family == "ipv4" else "::/0",),
                                      f"{'IPv4' if family == 'ipv4' else 'IPv6'}: {reason}"
                                      + (": an AWS-run front, no security group admits its clients"
                                         if resource in graph.snap.open_fronts else
                                         " without security groups: all client traffic reaches its listeners"), family))
    return out


# Targets a load balancer invokes through their service's API rather than connects to.
INVOKED_TARGETS = ("aws_lambda_function",)


def _listener_text(link: LbLink) -> str:
    """A listener resource by its address; a Classic Load Balancer's listener blocks by port."""
    if link.listener != link.lb:
        return link.listener
    return f"its listener on {link.front.describe()}"


def _for_internet(link: LbLink, family: str) -> bool:
    """Does the link forward the whole internet of ``family`` (no source_ip condition, or one
    that holds every public address)?"""
    return link.clients is None or link.clients.issuperset(PUBLIC_V4 if family == "ipv4" else PUBLIC_V6)


def _forward(out: Hops, link: LbLink, services: ServiceSet) -> None:
    """The resource graph's hop load balancer -> target, and the listener's part of it (what
    a search from the internet walks: not a rule that forwards only some clients)."""
    _add(out.lb_targets.setdefault(link.lb, {}), link.target, services)
    front, by_target = out.listeners.setdefault(link.lb, {}).get(link.listener, (NO_SERVICES, {}))
    if _for_internet(link, "ipv4") or _for_internet(link, "ipv6"):
        _add(by_target, link.target, services)
    else:
        out.restricted.add(link.lb)  # searches from the internet walk it per listener (listener_view.py)
    out.listeners[link.lb][link.listener] = (front | link.front, by_target)


def _add(table: dict, key, services: ServiceSet) -> None:
    table[key] = table.get(key, NO_SERVICES) | services


def _front(graph: "FlowGraph", lb: Attachment, link: LbLink, family: str) -> ServiceSet:
    if not lb.groups or lb.resource in graph.snap.open_fronts:
        return link.front
    reached = graph._resource_internet(lb).get(family)
    return link.front & reached[0] if reached else NO_SERVICES


def _sendable(graph: "FlowGraph", lb: Attachment, target: Attachment, link: LbLink) -> ServiceSet:
    """The target port, if the load balancer's aggregated egress allows it to the target: a
    reference to one of the target's groups, or a block holding the target's own addresses (not
    those of every member of its groups: an NLB may send to one subnet of a group's members)."""
    if not lb.groups:
        return link.back
    from .resources import allowed

    return link.back & allowed(graph, "egress", lb, target)


@dataclass
class _Admitted:
    """What a target admits of what a load balancer forwards to it, on the target port."""

    sendable: ServiceSet  # the target port, if the load balancer's egress allows it
    from_lb: ServiceSet  # from the load balancer's addresses (a reference to its groups, a CIDR)
    lb_by: dict[str, ServiceSet]
    by_ref: ServiceSet  # by a reference to its groups alone
    ref_by: dict[str, ServiceSet]

    @classmethod
    def of(cls, graph: "FlowGraph", lb: Attachment, target: Attachment, link: LbLink) -> "Optional[_Admitted]":
        sendable = _sendable(graph, lb, target, link)
        if not sendable:
            return None
        if not target.groups:  # a load balancer without groups (an NLB): all traffic reaches its listeners
            return cls(sendable, sendable, {}, sendable, {})
        from_lb, lb_by = _admitted_from_lb(graph, lb, target, sendable, family=link.family)
        # a reference to the load balancer's groups admits what it forwards even when the
        # client's address is preserved (ELB guide, Network Load Balancers, "security groups":
        # "targets accept traffic from your Network Load Balancer even if you enable client IP
        # preservation"); a CIDR holding its addresses then admits nothing of the client's
        by_ref, ref_by = _admitted_from_lb(graph, lb, target, sendable, refs_only=True, family=link.family)
        if lb.resource in graph.snap.outside_senders:
            # a front that connects from addresses of its own (CloudFront's VPC-origin interfaces,
            # Global Accelerator's edge), admitted by an AWS-managed prefix list or service group:
            # both outside the plan, so any such rule may be it
            for tg in target.groups:
                got = NO_SERVICES
                for peer, rules in graph.refs["ingress"].get(tg, {}).items():
                    if is_outside_group(peer):
                        for rule in rules:
                            got = got | rule.services
                for rule, _, _ in graph.cidrs["ingress"].get(tg, ()):
                    if rule.peer.kind == "prefix_list":
                        got = got | rule.services
                got = got & sendable
                if got:
                    lb_by[tg] = lb_by.get(tg, NO_SERVICES) | got
                    from_lb = from_lb | got
        return cls(sendable, from_lb, lb_by, by_ref, ref_by)

    def seen(self, graph: "FlowGraph", target: Attachment, family: str,
             preserved: Optional[bool]) -> tuple[ServiceSet, dict[str, ServiceSet]]:
        """What the target admits of the internet's clients of ``family`` and which of its groups
        admit it: the load balancer's addresses when the client's is not preserved; else every
        public address of the family, or the load balancer's groups by reference."""
        if preserved is False:
            return self.from_lb, self.lb_by
        seen, by = _admitted_from_internet(graph, target, self.sendable, PUBLIC_V4 if family == "ipv4" else PUBLIC_V6)
        seen, by = seen | self.by_ref, {**by, **{g: by.get(g, NO_SERVICES) | v for g, v in self.ref_by.items()}}
        if preserved is None:  # not known: either source may be what the target sees
            seen, by = seen | self.from_lb, {**by, **self.lb_by}
        return seen, by


def _fronted(graph: "FlowGraph", atts: dict[str, Attachment]) -> dict[tuple[str, str], tuple[ServiceSet, str]]:
    """Load balancers an internet-facing load balancer forwards to (a Network Load Balancer's
    target group of type ``alb``: ELB guide, "Use an Application Load Balancer as a target of a
    Network Load Balancer", internal or internet-facing): ``(lb, family) -> (the services of
    its listeners the internet reaches that way, the load balancer in front)``; chains of two."""
    out: dict[tuple[str, str], tuple[ServiceSet, str]] = {}
    for _ in range(2):
        for link in graph.snap.lb_links:
            lb, target = atts.get(link.lb), atts.get(link.target)
            if lb is None or target is None or target.type not in LOAD_BALANCERS:
                continue
            admitted = _Admitted.of(graph, lb, target, link)
            if admitted is None:
                continue
            for family in ("ipv4", "ipv6"):
                public = (lb.public if family == "ipv4" else lb.public_v6) is True
                chain = out.get((lb.resource, family))
                front = _front(graph, lb, link, family) if public else NO_SERVICES
                if chain is not None:
                    front = front | (link.front & chain[0])
                if not front:
                    continue
                preserved = link.client_ip if family == "ipv4" else link.client_ip_v6
                seen, _ = admitted.seen(graph, target, family, preserved)
                if seen:
                    have = out.get((target.resource, family))
                    out[(target.resource, family)] = (have[0] | seen, have[1]) if have else (seen, lb.resource)
    return out


def _reach(graph: "FlowGraph", lb: Attachment, target: Attachment, link: LbLink, admitted: _Admitted) -> ServiceSet:
    """What the load balancer's hop to the target carries in the resource graph (paths from the
    internet, the tiering policies): what the target admits from the load balancer; with the
    client's address preserved, of an internet-facing load balancer what it admits from every
    public address of a family the load balancer serves (a target admitting a private block
    admits no internet client); of an internal one, from some address (its clients are the
    VPC's, whose addresses tfsg does not follow through the hop)."""
    from_lb = admitted.from_lb
    if link.client_ip is False and link.client_ip_v6 is False:
        return from_lb
    if link.client_ip is None or (lb.public is not True and lb.public_v6 is not True):
        return from_lb | _admitted_any(graph, target, admitted.sendable)
    reach = admitted.by_ref
    for public, preserved, family in ((lb.public, link.client_ip, "ipv4"), (lb.public_v6, link.client_ip_v6, "ipv6")):
        if public is True:
            reach = reach | admitted.seen(graph, target, family, preserved)[0]
    return reach


_ANY_V6 = AddressSet.parse("::/0")


def _lb_addresses(lb: Attachment, family: Optional[str]) -> AddressSet:
    """Where the load balancer's private addresses of ``family`` may be (its subnets' blocks of
    that family; with subnets unknown, private IPv4 space or any IPv6 block); None: either."""
    bound = lb.addresses if lb.addresses is not None else PRIVATE | _ANY_V6
    if family == "ipv4":
        return AddressSet(bound.v4, EMPTY)
    if family == "ipv6":
        return AddressSet(EMPTY, bound.v6)
    return bound


def _admitted_from_lb(graph: "FlowGraph", lb: Attachment, target: Attachment, services: ServiceSet,
                      refs_only: bool = False,
                      family: Optional[str] = "ipv4") -> tuple[ServiceSet, dict[str, ServiceSet]]:
    """What the target's groups admit from the load balancer's private addresses of the target
    group's ``family`` (``refs_only``: by a reference to its groups only)."""
    total, by = NO_SERVICES, {}
    bound = _lb_addresses(lb, family)
    for tg in target.groups:
        got = NO_SERVICES
        for lg in lb.groups:
            for rule in graph.refs["ingress"].get(tg, {}).get(lg, ()):
                got = got | rule.services
        for rule, block, _ in () if refs_only else graph.cidrs["ingress"].get(tg, ()):
            if block.overlaps(bound):
                got = got | rule.services
        got = got & services
        if got:
            by[tg] = got
            total = total | got
    return total, by


def _granting_rules(graph: "FlowGraph", group: str, lb: Attachment, services: ServiceSet,
                    client_ip, family: Optional[str] = "ipv4") -> dict[str, ServiceSet]:
    """The ingress rules of ``group`` that admit ``services`` from what a listener forwards:
    the load balancer's groups or private addresses, and (client IP preserved or not known)
    public addresses."""
    out: dict[str, ServiceSet] = {}
    for lg in lb.groups:
        for rule in graph.refs["ingress"].get(group, {}).get(lg, ()):
            if rule.services & services:
                _add(out, rule.defined_by, rule.services & services)
    bound = _lb_addresses(lb, family)
    for rule, block, _ in graph.cidrs["ingress"].get(group, ()):
        if not rule.services & services:
            continue
        private = block.overlaps(bound)
        if private or (client_ip is not False and (block.overlaps(PUBLIC_V4) or block.overlaps(PUBLIC_V6))):
            _add(out, rule.defined_by, rule.services & services)
    return out


def _admitted_any(graph: "FlowGraph", target: Attachment, services: ServiceSet) -> ServiceSet:
    """What the target admits from some address (a client the load balancer passes on)."""
    got = NO_SERVICES
    for g in target.groups:
        for rule, _, _ in graph.cidrs["ingress"].get(g, ()):
            got = got | rule.services
    return got & services


def _admitted_from_internet(graph: "FlowGraph", target: Attachment, services: ServiceSet,
                            space) -> tuple[ServiceSet, dict[str, ServiceSet]]:
    """What the target admits from every public address of the family (client IP preserved)."""
    pairs = [(rule.services, block) for g in target.groups for rule, block, _ in graph.cidrs["ingress"].get(g, ())
             if block.overlaps(space)]
    total = covering_services(pairs, space) & services if pairs else NO_SERVICES
    by: dict[str, ServiceSet] = {}
    if total:
        for g in target.groups:
            mine = [(rule.services, block) for rule, block, _ in graph.cidrs["ingress"].get(g, ())
                    if block.overlaps(space)]
            if mine and any(s & total for s, _ in mine):
                by[g] = total
    return total, by
