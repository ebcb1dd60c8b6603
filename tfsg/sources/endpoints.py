"""Public endpoints that no security group guards.

An EKS cluster's Kubernetes API server has a public endpoint unless ``endpoint_public_access``
is false (provider default true): it answers on tcp 443 from ``public_access_cidrs`` (EKS
defaults it to 0.0.0.0/0), whatever the cluster's groups admit (EKS user guide, "Cluster API
server endpoint"). Such an endpoint is an exposure of its own, with no group beside it; it starts
no path (a client of the API cannot make the control plane open connections of its choosing).
"""

from __future__ import annotations

from typing import Any

from ..model import PublicEndpoint, Unknown
from ..netsets import PUBLIC_V4, AddressSet, services_for_rule

_API = services_for_rule("tcp", 443, 443)


def public_endpoints(builder: Any) -> tuple[list[PublicEndpoint], list[Unknown]]:
    """(endpoints, unknowns) of the builder's instances; ``builder.setting`` reads a value or
    the provider default when it is not written."""
    out: list[PublicEndpoint] = []
    unknowns: list[Unknown] = []
    for inst in builder.instances:
        if inst.type != "aws_eks_cluster" or inst.address.mode != "managed":
            continue
        known, public = builder.setting(inst, ("vpc_config", 0, "endpoint_public_access"))
        if known and public is False:
            continue
        if not known:
            unknowns.append(Unknown(inst.addr, "vpc_config.endpoint_public_access",
                                    "known only after apply: when true the Kubernetes API answers on tcp 443 from "
                                    "public_access_cidrs (default 0.0.0.0/0)", ("public", inst.addr), _API))
            continue
        known, cidrs = builder.setting(inst, ("vpc_config", 0, "public_access_cidrs"))
        if not known:
            unknowns.append(Unknown(inst.addr, "vpc_config.public_access_cidrs",
                                    "known only after apply: the public Kubernetes API endpoint (tcp 443) admits these "
                                    "blocks", ("public", inst.addr), _API))
            continue
        written = [c for c in cidrs if isinstance(c, str)] if isinstance(cidrs, list) else []
        blocks = written or ["0.0.0.0/0"]
        admitted = AddressSet()
        listed: list[str] = []
        for block in blocks:
            try:
                parsed = AddressSet.parse(block)
            except ValueError:
                unknowns.append(Unknown(inst.addr, "vpc_config.public_access_cidrs", f"{block!r} is not a CIDR block",
                                        ("public", inst.addr), _API))
                continue
            admitted = admitted | parsed
            if parsed.overlaps(PUBLIC_V4):
                listed.append(block)
        if not admitted.issuperset(PUBLIC_V4):
            continue  # some public addresses only: not the internet
        why = "public_access_cidrs" if written else "public_access_cidrs not set: EKS admits 0.0.0.0/0"
        out.append(PublicEndpoint(inst.addr, inst.type, _API, tuple(sorted(listed)), "ipv4",
                                  f"IPv4: public Kubernetes API endpoint ({why}); security groups do not apply to it"))
    return out, unknowns
