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
from typing import TYPE_CHECKING

from ..model import Attachment, LbLink
from ..netsets import NO_SERVICES, PRIVATE, PUBLIC_V4, PUBLIC_V6, ServiceSet, covering_services

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
    lb_reach: dict[tuple[str, str], ServiceSet] = field(default_factory=dict)  # (LB, target) -> services
    # group -> rule -> services: the rules that admit what a listener forwards (the load
    # balancer's addresses or groups, or the preserved client's), for a finding's defined_by
    lb_rules: dict[str, dict[str, ServiceSet]] = field(default_factory=dict)


def lb_hops(graph: "FlowGraph") -> Hops:
    from .records import INTERNET, Exposure

    out = Hops()
    atts = {a.resource: a for a in graph.snap.attachments}
    open_lbs: dict[tuple[str, str], ServiceSet] = {}
    for link in graph.snap.lb_links:
        lb, target = atts.get(link.lb), atts.get(link.target)
        if lb is None or target is None or not target.groups:
            continue
        out.pairs.update((lg, tg) for lg in lb.groups for tg in target.groups)
        sendable = _sendable(graph, lb, target, link)
        if not sendable:
            continue
        from_lb, lb_by = _admitted_from_lb(graph, lb, target, sendable)
        reach = from_lb if link.client_ip is False else from_lb | _admitted_any(graph, target, sendable)
        if reach:  # seen from the client's address when it is preserved
            _add(out.lb_reach, (link.lb, link.target), reach)
        for lg in lb.groups:  # the hop between the load balancer's groups and the target's
            for tg in lb_by:
                _add(out.edges, (lg, tg), from_lb)
        if not lb.groups and from_lb:
            for tg in lb_by:
                _add(out.edges, (lb.resource, tg), from_lb)
        for family, space in (("ipv4", PUBLIC_V4), ("ipv6", PUBLIC_V6)):
            public = lb.public if family == "ipv4" else lb.public_v6
            if public is not True:
                continue
            front = _front(graph, lb, link, family)
            if not front:
                continue
            if not lb.groups:
                open_lbs[(lb.resource, family)] = open_lbs.get((lb.resource, family), NO_SERVICES) | front
                _add(out.edges, (INTERNET, lb.resource), front)
            seen, by = (from_lb, lb_by) if link.client_ip is False else \
                _admitted_from_internet(graph, target, sendable, space)
            if link.client_ip is None:  # not known: either source may be what the target sees
                seen, by = seen | from_lb, {**by, **lb_by}
            if not seen:
                continue
            via = tuple(sorted(by))
            out.exposures.append(Exposure(target.resource, "resource", target.type, seen, via, (link.listener,),
                                          f"{'IPv4' if family == 'ipv4' else 'IPv6'}: through "
                                          f"{_listener_text(link)} of internet-facing {link.lb}", family,
                                          link.listener))
            for g in via:
                _add(out.via_lb, g, by[g])
                _add(out.lb_sources.setdefault(g, {}), link.listener, by[g])
                granted = out.lb_rules.setdefault(g, {})
                for rule, services in _granting_rules(graph, g, lb, by[g], link.client_ip).items():
                    _add(granted, rule, services)
    for (resource, family), services in sorted(open_lbs.items()):
        att = atts[resource]
        reason = att.public_reason if family == "ipv4" else att.public_v6_reason
        out.exposures.append(Exposure(resource, "resource", att.type, services, (),
                                      ("0.0.0.0/0" if family == "ipv4" else "::/0",),
                                      f"{'IPv4' if family == 'ipv4' else 'IPv6'}: {reason} without security groups: "
                                      "all client traffic reaches its listeners", family))
    return out


def _listener_text(link: LbLink) -> str:
    """A listener resource by its address; a Classic Load Balancer's listener blocks by port."""
    if link.listener != link.lb:
        return link.listener
    return f"its listener on {link.front.describe()}"


def _add(table: dict, key, services: ServiceSet) -> None:
    table[key] = table.get(key, NO_SERVICES) | services


def _front(graph: "FlowGraph", lb: Attachment, link: LbLink, family: str) -> ServiceSet:
    if not lb.groups:
        return link.front
    reached = graph._resource_internet(lb).get(family)
    return link.front & reached[0] if reached else NO_SERVICES


def _sendable(graph: "FlowGraph", lb: Attachment, target: Attachment, link: LbLink) -> ServiceSet:
    """The target port, if the load balancer's aggregated egress allows it to the target."""
    if not lb.groups:
        return link.back
    allowed = NO_SERVICES
    for lg in lb.groups:
        for tg in target.groups:
            allowed = allowed | graph._side("egress", lg, tg)[0]
    return link.back & allowed


def _admitted_from_lb(graph: "FlowGraph", lb: Attachment, target: Attachment,
                      services: ServiceSet) -> tuple[ServiceSet, dict[str, ServiceSet]]:
    """What the target's groups admit from the load balancer's private addresses."""
    total, by = NO_SERVICES, {}
    bound = lb.addresses
    for tg in target.groups:
        got = NO_SERVICES
        for lg in lb.groups:
            for rule in graph.refs["ingress"].get(tg, {}).get(lg, ()):
                got = got | rule.services
        for rule, block, _ in graph.cidrs["ingress"].get(tg, ()):
            if block.overlaps(bound) if bound is not None else block.overlaps(PRIVATE):
                got = got | rule.services
        got = got & services
        if got:
            by[tg] = got
            total = total | got
    return total, by


def _granting_rules(graph: "FlowGraph", group: str, lb: Attachment, services: ServiceSet,
                    client_ip) -> dict[str, ServiceSet]:
    """The ingress rules of ``group`` that admit ``services`` from what a listener forwards:
    the load balancer's groups or private addresses, and (client IP preserved or not known)
    public addresses."""
    out: dict[str, ServiceSet] = {}
    for lg in lb.groups:
        for rule in graph.refs["ingress"].get(group, {}).get(lg, ()):
            if rule.services & services:
                _add(out, rule.defined_by, rule.services & services)
    bound = lb.addresses
    for rule, block, _ in graph.cidrs["ingress"].get(group, ()):
        if not rule.services & services:
            continue
        private = block.overlaps(bound) if bound is not None else block.overlaps(PRIVATE)
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
