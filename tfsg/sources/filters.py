"""Filters AWS applies besides the security groups, which tfsg does not evaluate.

Network ACLs (VPC user guide, "Control subnet traffic with network access control lists":
stateless, ordered, with deny rules), VPC Block Public Access ("Block public access to VPCs and
subnets"; mode ``off`` blocks nothing) and AWS Network Firewall only ever remove reachability: the
report names them (``input.filters_note``), so that what it reports reachable is read knowing
they may drop it.
"""

from __future__ import annotations

from typing import Any, Optional

_FILTER_TYPES = ("aws_network_acl", "aws_network_acl_rule", "aws_default_network_acl",
                 "aws_networkfirewall_firewall", "aws_vpc_block_public_access_options")


def filters(builder: Any) -> list[str]:
    """Addresses of the plan's filters in front of the groups (sorted)."""
    out = []
    for inst in builder.instances:
        if inst.address.mode != "managed" or inst.type not in _FILTER_TYPES or inst.action == "delete":
            continue
        if inst.type == "aws_vpc_block_public_access_options":
            known, mode = builder.setting(inst, ("internet_gateway_block_mode",))
            if known and mode == "off":
                continue
        out.append(inst.addr)
    return sorted(set(out))


def filters_note(addresses: list[str]) -> Optional[str]:
    if not addresses:
        return None
    shown = ", ".join(addresses[:4]) + (f" and {len(addresses) - 4} more" if len(addresses) > 4 else "")
    return (f"Filters: this input holds filters that tfsg does not evaluate (network ACLs, VPC Block Public "
            f"Access, Network Firewall): {shown}. What is reported reachable may be dropped by them; they "
            "make nothing else reachable.")
