"""The default security group of each VPC: the one an ``aws_default_security_group`` manages, the
one a known ``default_security_group_id`` names, or the one AWS creates with a VPC this plan makes.

AWS creates a default group with every VPC (group name ``default``, description "default VPC
security group"), with an inbound rule admitting all traffic from the group itself and an
outbound rule allowing all traffic to 0.0.0.0/0, and to ::/0 when the VPC has an IPv6 block;
a network interface, instance or service launched in the VPC without a group is put in it (VPC
user guide, "Default security groups for your VPCs",
https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html). A VPC the plan
makes has no id for that group until apply (``default_security_group_id`` is unknown), yet rule
resources (``security_group_id = aws_vpc.main.default_security_group_id``) and resources without
groups put things in it: it is the synthetic group ``<VPC address> (default security group)``,
with AWS's rules defined by the VPC. It is added only where something names it or is put in it,
so that a plan that never uses it shows no group it does not use (TFSG011 speaks of it at the VPC).
"""

from __future__ import annotations

from typing import Optional

from ...model import Peer, Rule, SecurityGroup
from ...netsets import ALL_SERVICES
from ...services import VPC_DEFAULT_GROUP_KEY
from ..instances import Instance
from .base import BuilderBase


def own_default_key(vpc: str) -> str:
    """The key of the default group AWS creates with the VPC at ``vpc`` (its address)."""
    return f"{vpc} ({VPC_DEFAULT_GROUP_KEY})"


class DefaultGroupsMixin(BuilderBase):
    """Finds (and, for a VPC the plan makes, adds) a VPC's default group."""

    def _default_groups(self) -> dict[str, str]:
        """VPC key -> the aws_default_security_group the plan manages for it (built once groups are)."""
        if self._defaults is None:
            self._defaults = {}
            for key, sg in sorted(self.snap.groups.items()):
                if sg.default and sg.vpc_id is not None:
                    self._defaults.setdefault(sg.vpc_id, key)
        return self._defaults

    def _default_group_of(self, vpc: Instance) -> Optional[str]:
        """The VPC's default group: the aws_default_security_group of that VPC when the plan
        manages it (``aws_vpc.x.default_security_group_id`` names it), else its id if known,
        else the group AWS creates with a VPC the plan makes (None: neither is known)."""
        key = self._default_groups().get(vpc.addr)
        if key is not None:
            return key
        known, val = self.value(vpc, ("default_security_group_id",))
        if known and isinstance(val, str) and val:
            return self._group_from_text(val, "ids")
        return self.own_default_group(vpc)

    def own_default_group(self, vpc: Instance) -> Optional[str]:
        """The default group AWS creates with a VPC this plan makes, added to the snapshot with
        AWS's rules the first time something names it (None for anything else: an existing
        VPC's default group has the rules it has now, which the plan does not show)."""
        if vpc.type != "aws_vpc" or vpc.address.mode != "managed" or vpc.action == "delete":
            return None
        if self.value(vpc, ("default_security_group_id",))[0]:
            return None  # it exists (named by its id), or the VPC records none
        key = own_default_key(vpc.addr)
        if key in self.snap.groups:
            return key
        change = "create" if vpc.action in ("create", "replace") else vpc.action
        self.snap.groups[key] = SecurityGroup(key=key, address=key, id=None, name="default", vpc_id=vpc.addr,
                                              description="default VPC security group", change=change,
                                              default=True, unmanaged=("ingress", "egress"))
        # (AWS's default rules carry no description)
        self.snap.rules += [Rule(key, "ingress", ALL_SERVICES, Peer("self"), vpc.addr),
                            Rule(key, "egress", ALL_SERVICES, Peer("cidr", "0.0.0.0/0"), vpc.addr)]
        if self._has_ipv6(vpc):
            self.snap.rules.append(Rule(key, "egress", ALL_SERVICES, Peer("cidr", "::/0"), vpc.addr))
        return key

    def vpc_default_key(self, vpc: Optional[str]) -> Optional[str]:
        """The default group of the VPC whose key is ``vpc`` (its address when the plan holds it,
        else its id): managed, named by a known id, or made with the VPC by this plan."""
        if vpc is None:
            return None
        if vpc in self._default_groups():
            return self._default_groups()[vpc]
        if self._by_addr is None:
            self._by_addr = {i.addr: i for i in self.instances}
        inst = self._by_addr.get(vpc)
        return self._default_group_of(inst) if inst is not None and inst.type in ("aws_vpc", "aws_default_vpc") \
            else None

    def _has_ipv6(self, vpc: Instance) -> bool:
        """Does the VPC get an IPv6 block (then AWS adds outbound all to ::/0)? Unknown counts as
        yes: an outbound rule too many opens no path into the VPC."""
        for attr in ("assign_generated_ipv6_cidr_block", "ipv6_cidr_block", "ipv6_ipam_pool_id"):
            known, val = self.setting(vpc, (attr,))
            if not known or (val not in (None, False, "")):
                return True
        return False
