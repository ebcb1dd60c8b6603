"""Resource-level reachability: which resources of the plan can open a connection to which.

AWS evaluates a network interface, not a group (EC2 user guide, "Security groups": the rules of
all groups associated with an interface are aggregated). A resource ``m`` reaches a resource
``n`` on the services that the union of ``m``'s groups' egress rules allows towards ``n`` (a
reference to one of ``n``'s groups, or a CIDR holding ``n``'s addresses) *and* the union of
``n``'s groups' ingress rules admits from ``m`` (a reference to one of ``m``'s groups, or a
CIDR holding ``m``'s addresses). A load balancer reaches the targets of its listeners
(``hops.py``). Where a resource's addresses are unknown, a CIDR is taken to hold them when it
overlaps private address space (as for groups).

Group flows stay the summary reviewers read; this relation is spelled out for plans of up to
``MAX_RESOURCES`` attached resources (a larger plan lists it as not computed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..model import Attachment, is_outside_group
from ..netsets import ALL_SERVICES, NO_SERVICES, AddressSet, ServiceSet

if TYPE_CHECKING:
    from . import FlowGraph

MAX_RESOURCES = 500


def resource_flows(graph: "FlowGraph") -> Optional[dict[tuple[str, str], ServiceSet]]:
    """``(from resource, to resource) -> services``; None when the plan is too large.

    The candidates of each sender are the members of the groups its groups flow to (and its
    load balancer targets), not every resource: near-linear in the flows, not all pairs."""
    lbs = graph.hops.lb_targets
    atts = sorted((a for a in graph.snap.attachments if a.groups or a.resource in lbs), key=lambda a: a.resource)
    if len(atts) > MAX_RESOURCES:
        return None
    edges = graph.resource_graph().more
    out: dict[tuple[str, str], ServiceSet] = {}
    for m in atts:
        for n, services in edges.edges_of(m.resource).items():
            if services:
                out[(m.resource, n)] = services
    return out


def allowed(graph: "FlowGraph", direction: str, own: Attachment, other: Attachment) -> ServiceSet:
    """What ``own``'s groups allow with ``other`` in ``direction`` (references, and CIDRs that may
    hold ``other``'s addresses: coverage.py), from the interface's aggregated rules: the
    references per named group, and the CIDR part once per distinct bound of ``other``."""
    named, cached = aggregate(graph, direction, own)
    services = NO_SERVICES
    for h in other.groups:
        got = named.get(h)
        if got is not None:
            services = services | got
    hit = cached.get(other.addresses)
    if hit is None:
        hit = cidr_part(graph, direction, own, other.addresses)
    return services | hit


def cidr_part(graph: "FlowGraph", direction: str, own: Attachment, bound: Optional[AddressSet]) -> ServiceSet:
    """What ``own``'s groups' CIDR rules allow with addresses within ``bound`` (None: unknown,
    assumed private), computed once per (interface, bound) and kept in ``aggregate``'s cache."""
    hit = NO_SERVICES
    for g in own.groups:
        if direction == "egress" and is_outside_group(g):
            # a group outside the plan: its egress rules are not here, taken as AWS's default
            # (all traffic out), as for group flows (flows.py): the receiver's rules decide
            hit = ALL_SERVICES
            break
        if g in graph.cidrs[direction]:
            hit = hit | graph.coverage.covered(direction, g, bound)[0]
    aggregate(graph, direction, own)[1][bound] = hit
    return hit


def aggregate(graph: "FlowGraph", direction: str, own: Attachment) -> tuple[dict[str, ServiceSet], dict]:
    """Per interface (cached on the graph): services its groups' references grant per named
    group, and a cache of the CIDR part per bound."""
    table = graph.interface_rules
    key = (direction, own.resource)
    hit = table.get(key)
    if hit is None:
        named: dict[str, ServiceSet] = {}
        for g in own.groups:
            for other, rules in graph.refs[direction].get(g, {}).items():
                for rule in rules:
                    named[other] = named.get(other, NO_SERVICES) | rule.services
        hit = table[key] = (named, {})
    return hit
