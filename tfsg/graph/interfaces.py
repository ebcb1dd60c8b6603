"""Who sits where: the groups of each network interface, and where a group's members live.

AWS evaluates a network interface, not a group (EC2 user guide, "Security groups": the rules of
all groups associated with an interface are aggregated), so every query that asks what a
member of a group may send also looks at the other groups on that member's interfaces.
"""

from __future__ import annotations

from typing import Optional

from ..model import Attachment, Snapshot
from ..netsets import AddressSet, union_all


class Interfaces:
    """Members of each group, the groups they share an interface with, and the members' bounds."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.members: dict[str, list[Attachment]] = {}
        self.cogroups: dict[str, set[str]] = {}
        cosets: dict[str, dict[frozenset, set[str]]] = {}  # group -> co-groups -> members
        for att in snap.attachments:
            for g in att.groups:
                self.members.setdefault(g, []).append(att)
                co = frozenset(o for o in att.groups if o != g)
                if co:
                    self.cogroups.setdefault(g, set()).update(co)
                    cosets.setdefault(g, {}).setdefault(co, set()).add(att.resource)
        # group -> [(co-groups sorted, the members with exactly those)], sorted: read per flow
        self.cosets: dict[str, list[tuple[tuple[str, ...], set[str]]]] = {
            g: sorted((tuple(sorted(co)), senders) for co, senders in table.items()) for g, table in cosets.items()}
        self._bounds: dict[str, Optional[AddressSet]] = {}
        self._canonical: dict[AddressSet, AddressSet] = {}
        self._beyond: dict[str, Optional[AddressSet]] = {}

    def bound(self, group: str) -> Optional[AddressSet]:
        """Where the group's members live, as precisely as the plan says; None if unknown: the
        members' subnets when all are known, else the group's VPC CIDR."""
        if group in self._bounds:
            return self._bounds[group]
        result: Optional[AddressSet] = None
        atts = self.members.get(group, [])
        if atts and all(a.addresses for a in atts):
            result = union_all(a.addresses for a in atts if a.addresses is not None)
        else:
            sg = self.snap.groups.get(group)
            if sg is not None and sg.vpc_id in self.snap.vpcs:
                result = self.snap.vpcs[sg.vpc_id]
        if result is not None:  # one object per distinct bound: the coverage caches hit by identity
            result = self._canonical.setdefault(result, result)
        self._bounds[group] = result
        return result

    def apart(self, sender: str, receiver: str) -> bool:
        """Can no member of ``sender`` reach one of ``receiver`` by its private address? True when
        the two groups are in different known VPCs and either the receiver's members live inside
        the sender's VPC CIDR blocks (the packet follows the sender VPC's local route and never
        leaves it: VPC user guide, "Route tables"; peering VPCs with overlapping CIDRs is not
        supported), or the sender's route tables, all known, send none of the receiver's
        addresses out of its VPC (no peering, transit gateway or VPN route: sources/vpc_routes.py).
        What the plan cannot tell is a route (fail closed); the reply's way back is not asked."""
        if len(self.snap.vpcs) < 2:  # (every pair of a plan asks)
            return False
        return self._apart(self._vpc(sender), self._vpc(receiver), self.bound(receiver), self.beyond(sender))

    def resources_apart(self, sender: Attachment, receiver: Attachment) -> bool:
        """``apart`` for two resources, by their own VPCs, subnets and route tables."""
        routes = sender.beyond
        if routes is None and sender.vpc_id is not None:
            routes = self.snap.vpc_routes.get(sender.vpc_id)
        return self._apart(sender.vpc_id, receiver.vpc_id, receiver.addresses, routes)

    def _apart(self, a: Optional[str], b: Optional[str], to: Optional[AddressSet],
               routes: Optional[AddressSet]) -> bool:
        vpcs = self.snap.vpcs
        if a is None or b is None or a == b or a not in vpcs or b not in vpcs or to is None:
            return False
        if vpcs[a].issuperset(to):
            return True  # to an address of its own VPC: the local route keeps the packet there
        # (the reply's way back is not asked: a one-way UDP datagram needs none)
        partial = self.snap.partial_vpcs
        return routes is not None and a not in partial and b not in partial and not routes.overlaps(to)

    def beyond(self, group: str) -> Optional[AddressSet]:
        """The private destinations beyond their VPC that the group's members' route tables send
        to: their subnets' when all are known, else any of the VPC's tables' when the plan holds
        them all; None when unknown."""
        if group in self._beyond:
            return self._beyond[group]
        atts = self.members.get(group, [])
        result: Optional[AddressSet] = None
        if atts and all(a.beyond is not None for a in atts):
            result = union_all(a.beyond for a in atts if a.beyond is not None)
        else:
            vpc = self._vpc(group)
            result = self.snap.vpc_routes.get(vpc) if vpc is not None else None
        self._beyond[group] = result
        return result

    def _vpc(self, group: str) -> Optional[str]:
        sg = self.snap.groups.get(group)
        return sg.vpc_id if sg is not None and sg.vpc_id in self.snap.vpcs else None

    def known_bound(self, group: str) -> bool:
        """Are all of the group's members in known subnets (so a CIDR can be said to hold them)?"""
        atts = self.members.get(group)
        return bool(atts and all(a.addresses for a in atts))
