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
        the two groups are in different known VPCs and one side's members live inside the other
        VPC's CIDR blocks: the packet, or its reply, follows that VPC's local route and never
        leaves it (VPC user guide, "Route tables": the local route covers the VPC's CIDRs;
        peering VPCs with overlapping CIDRs is not supported). Between VPCs that do not overlap,
        routes (peering, transit gateways) are not read yet: traffic is assumed."""
        if len(self.snap.vpcs) < 2:  # (every pair of a plan asks)
            return False
        return self._apart(self._vpc(sender), self._vpc(receiver), self.bound(sender), self.bound(receiver))

    def resources_apart(self, sender: Attachment, receiver: Attachment) -> bool:
        """``apart`` for two resources, by their own VPCs and subnets."""
        return self._apart(sender.vpc_id, receiver.vpc_id, sender.addresses, receiver.addresses)

    def _apart(self, a: Optional[str], b: Optional[str], back: Optional[AddressSet],
               to: Optional[AddressSet]) -> bool:
        vpcs = self.snap.vpcs
        if a is None or b is None or a == b or a not in vpcs or b not in vpcs:
            return False
        return (to is not None and vpcs[a].issuperset(to)) or (back is not None and vpcs[b].issuperset(back))

    def _vpc(self, group: str) -> Optional[str]:
        sg = self.snap.groups.get(group)
        return sg.vpc_id if sg is not None and sg.vpc_id in self.snap.vpcs else None

    def known_bound(self, group: str) -> bool:
        """Are all of the group's members in known subnets (so a CIDR can be said to hold them)?"""
        atts = self.members.get(group)
        return bool(atts and all(a.addresses for a in atts))
