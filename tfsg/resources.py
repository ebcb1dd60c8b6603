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

from .model import Attachment
from .netsets import NO_SERVICES, PRIVATE, AddressSet, ServiceSet

if TYPE_CHECKING:
    from .graph import FlowGraph

MAX_RESOURCES = 500


def resource_flows(graph: "FlowGraph") -> Optional[dict[tuple[str, str], ServiceSet]]:
    """``(from resource, to resource) -> services``; None when the plan is too large."""
    atts = [a for a in graph.snap.attachments if a.groups]
    if len(atts) > MAX_RESOURCES:
        return None
    out: dict[tuple[str, str], ServiceSet] = {}
    senders = [a for a in atts if any(graph.refs["egress"].get(g) or graph.cidrs["egress"].get(g) for g in a.groups)]
    receivers = [a for a in atts if any(graph.refs["ingress"].get(g) or graph.cidrs["ingress"].get(g)
                                        for g in a.groups)]
    for n in receivers:
        for m in senders:
            if m.resource == n.resource:
                continue
            inbound = _allowed(graph, "ingress", n, m)
            if not inbound:
                continue
            services = inbound & _allowed(graph, "egress", m, n)
            if services:
                out[(m.resource, n.resource)] = services
    for key, services in graph.hops.lb_reach.items():  # a load balancer -> its targets
        out[key] = out.get(key, NO_SERVICES) | services
    return {k: v for k, v in out.items() if v}


def _allowed(graph: "FlowGraph", direction: str, own: Attachment, other: Attachment) -> ServiceSet:
    """What ``own``'s groups allow with ``other`` in ``direction`` (references and CIDRs)."""
    services = NO_SERVICES
    bound = other.addresses
    for g in own.groups:
        refs = graph.refs[direction].get(g, {})
        for h in other.groups:
            for rule in refs.get(h, ()):
                services = services | rule.services
        for rule, block, _ in graph.cidrs[direction].get(g, ()):
            if _covers(block, bound):
                services = services | rule.services
    return services


def _covers(block: AddressSet, bound: Optional[AddressSet]) -> bool:
    if bound is not None:
        return block.overlaps(bound)
    return block.overlaps(PRIVATE) or bool(block.v6)
