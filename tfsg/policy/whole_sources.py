"""The sources of a ``match: all`` internet finding: the blocks that admit all of the policy's
services (TFSG003: all traffic), alone or together, not every internet source of the group.

A group that admits all traffic from ``::/0``, tcp from ``0.0.0.0/0`` and icmpv6 from
``2000::/3`` admits all traffic from the IPv6 internet through ``::/0`` only; the IPv4
internet gets TCP alone. Rules are evaluated together (EC2 user guide, "Security group
rules"): the halves ``0.0.0.0/1`` + ``128.0.0.0/1`` admitting all traffic are the sources
together.
"""

from __future__ import annotations

from typing import Any

from ..netsets import NO_SERVICES, PUBLIC_V4, PUBLIC_V6, AddressSet, ServiceSet, covering_services


def all_sources(graph: Any, groups: list[str], common: ServiceSet) -> list[str]:
    """Per address family: the labels whose rules alone admit the whole family on ``common``;
    else the labels that each admit all of ``common`` from part of it, when together they
    cover it. Empty when neither holds (the caller keeps its own list)."""
    out: set[str] = set()
    for space in (PUBLIC_V4, PUBLIC_V6):
        by_label: dict[str, list[tuple[ServiceSet, AddressSet]]] = {}
        for group in groups:
            for rule, block, label in graph.cidrs["ingress"].get(group, ()):
                if block.overlaps(space) and rule.services & common:
                    by_label.setdefault(label, []).append((rule.services, block))
        alone = {label for label, pairs in by_label.items()
                 if covering_services(pairs, space).issuperset(common)}
        if alone:
            out |= alone
            continue
        whole = {label: pairs for label, pairs in by_label.items() if _services(pairs).issuperset(common)}
        if whole and covering_services([p for pairs in whole.values() for p in pairs], space).issuperset(common):
            out |= set(whole)
    return sorted(out)


def _services(pairs: list[tuple[ServiceSet, AddressSet]]) -> ServiceSet:
    out = NO_SERVICES
    for services, _ in pairs:
        out = out | services
    return out
