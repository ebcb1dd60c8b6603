"""The VPC default group an ``aws_default_security_group`` adopts, as it was before the change.

AWS creates every VPC's default group with an inbound rule admitting all traffic from the group
itself and an outbound rule allowing all traffic to 0.0.0.0/0 (VPC user guide, "Default security
groups for your VPCs"). A change that starts managing it (the resource is created: the provider
"adopts" the group, removes its rules and writes the configured ones) finds those rules in AWS,
not nothing: the prior side holds the group with them, so that writing AWS's own rules changes
nothing and what the configuration keeps of them is existing, not introduced (the group's own
findings: CIS 5.4, TFSG011). Rules changed outside Terraform before the adoption are not known;
AWS's defaults are what a VPC starts with. Resources in it by the id its VPC reads back
(``default_security_group_id``), named or launched without a group, are members of the
adopted group.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Peer, Rule, Snapshot
from ..netsets import ALL_SERVICES
from .build.default_groups import own_default_key


def add_adopted(before: Snapshot, after: Snapshot) -> None:
    """Give ``before`` the default groups ``after`` adopts, with AWS's default rules, and as its
    members the resources that name it by the id its VPC reads back; whether its rules were
    changed outside Terraform is not known: only the group's own rules assume."""
    for key, sg in sorted(after.groups.items()):
        if not sg.default or sg.change != "create" or key in before.groups or key == own_default_key(sg.vpc_id or ""):
            continue
        vpc = sg.vpc_id or ""
        if vpc and not vpc.startswith(("vpc-", "data.")) and vpc not in before.vpcs:
            continue  # the VPC is made by this change too: nothing was there before
        made = own_default_key(vpc)
        if made in before.groups:
            # the side before names the group AWS made with the VPC (HCL mode: its id is never
            # known there): the very group the change adopts, with what it held then
            _rename(before, made, key)
            before.groups[key] = replace(sg, change="no-op", inline=(), unmanaged=("ingress", "egress"))
            if key in after.locations:
                before.locations.setdefault(key, after.locations[key])
            continue
        before.groups[key] = replace(sg, change="no-op", inline=(), unmanaged=("ingress", "egress"))
        # (AWS's default rules carry no description)
        before.rules += [Rule(key, "ingress", ALL_SERVICES, Peer("self"), key),
                         Rule(key, "egress", ALL_SERVICES, Peer("cidr", "0.0.0.0/0"), key)]
        if key in after.locations:
            before.locations.setdefault(key, after.locations[key])
        ident = before.vpc_default_groups.get(vpc)
        if ident:
            # the resources already in it read back its id (sg-...): members of this group
            before.attachments = [replace(a, groups=tuple(sorted({key if g == ident else g for g in a.groups})))
                                  if ident in a.groups else a for a in before.attachments]


def _rename(snap: Snapshot, old: str, new: str) -> None:
    """The group ``old`` is ``new`` in ``snap``: its rules, the rules naming it, its members."""
    del snap.groups[old]
    snap.rules = [replace(r, group=new if r.group == old else r.group,
                          peer=Peer("group", new) if r.peer.kind == "group" and r.peer.value == old else r.peer)
                  for r in snap.rules]
    snap.attachments = [replace(a, groups=tuple(sorted({new if g == old else g for g in a.groups})))
                        if old in a.groups else a for a in snap.attachments]
