"""The records the flow graph answers with: flows, exposures, paths and reach numbers."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Optional

from ..netsets import ALL_SERVICES, ServiceSet, services_for_rule

INTERNET = "internet"
DEFAULT_MAX_HOPS = 4
MAX_PATHS_PER_TARGET = 8
# load balancer resources (hops.py, resource_edges.py, the tiering policies)
LOAD_BALANCERS = ("aws_lb", "aws_alb", "aws_elb")


@dataclass
class Flow:
    """What one endpoint may open to another: services, and the rules that say so, each with the
    part of the services it grants (so a report lists, per port range, only the rules that
    grant it: a tcp 443 egress rule is not credited for tcp 3306)."""

    services: ServiceSet
    defined_by: dict[str, ServiceSet] = field(default_factory=dict)

    def granting(self, services: ServiceSet) -> list[str]:
        """The rules that grant some of ``services``, sorted."""
        return granting(self.defined_by, services)


def granting(by: dict[str, ServiceSet], services: ServiceSet) -> list[str]:
    return sorted(rule for rule, granted in by.items() if granted & services)


def merge_by(a: dict[str, ServiceSet], b: dict[str, ServiceSet]) -> dict[str, ServiceSet]:
    if not b:
        return a
    out = dict(a)
    for rule, services in b.items():
        out[rule] = out[rule] | services if rule in out else services
    return out


@dataclass(frozen=True)
class CidrFlow:
    """CIDR-derived flows, stated once for a set of groups (issue 10, "output a person can read").

    ``target`` admits ``block`` (a non-public CIDR or prefix list, by ``defined_by``) on
    ``services``; every group of ``groups`` but ``target`` itself has members inside ``block``
    and an egress that allows those services to ``target``'s members, so each of them has a flow
    to ``target`` on at least ``services``. ``groups`` is shared (interned) between rows and
    between the two sides of a diff: the reports define each set once.
    """

    block: str  # the label of the admitted block (a CIDR, a prefix list)
    target: str
    services: ServiceSet
    groups: frozenset
    defined_by: str


@dataclass(frozen=True)
class Exposure:
    """Reachable from the internet: a group by its rules, or a resource by its groups and address."""

    address: str
    kind: str  # "group" | "resource"
    resource_type: str
    services: ServiceSet
    via: tuple[str, ...]  # groups that admit the internet
    sources: tuple[str, ...]  # public blocks admitted
    reason: str = ""
    family: str = ""  # resources: "ipv4" | "ipv6", the family of the public address reached
    listener: Optional[str] = None  # reached through this listener of an internet-facing LB
    # ``services`` split where the sources differ, each part with its own public blocks and,
    # for resources, the groups that admit it (groups: IPv4 only, both, IPv6 only; resources:
    # per the rules that admit each part); empty: ``sources`` and ``via`` hold for all
    parts: tuple[tuple, ...] = ()
    # a public endpoint no group guards (Snapshot.endpoints): listed, but starts no path
    endpoint: bool = False


@dataclass(frozen=True)
class Path:
    """A path from the internet: its nodes ("internet", groups or load balancers) and, for each
    hop, the services it carries. ``resources`` names the resources a reviewer knows along it
    (issue 10, "paths of resources"): one per node, the resource reached at that hop, or None
    where the node is a group with no known member."""

    nodes: tuple[str, ...]
    hops: tuple[ServiceSet, ...]
    resources: tuple[Optional[str], ...] = ()


@dataclass
class Reach:
    """How much a group admits (ingress) or may send to (egress), in numbers."""

    addresses: Optional[int] = 0  # addresses in CIDR and known prefix-list rules; None: sensitive
    groups: int = 0  # groups referenced
    members: int = 0  # resources attached to those groups in the plan
    unknown_members: bool = False


@functools.lru_cache(maxsize=4096)
def entry_services(proto: str, ports: str) -> ServiceSet:
    """The services one ``(protocol, ports)`` row of a report stands for (to tell which rules
    grant it, and where a finding's evidence points)."""
    try:
        if proto == "all" or proto == "other":
            return ALL_SERVICES
        if proto in ("tcp", "udp"):
            lo, _, hi = ports.partition("-")
            return services_for_rule(proto, 0, 65535) if ports == "all" else \
                services_for_rule(proto, int(lo), int(hi or lo))
        if proto in ("icmp", "icmpv6"):
            if ports == "all":
                return services_for_rule(proto, -1, -1)
            kind, _, code = ports.partition("/")
            return services_for_rule(proto, int(kind), int(code) if code else -1)
        return services_for_rule(proto, 0, 0)
    except ValueError:
        return ALL_SERVICES


def evidence_services(rows: object) -> Optional[ServiceSet]:
    """The services of a finding's ``evidence["services"]`` rows (``[{"protocol", "ports"}]``);
    None when there are none."""
    if not isinstance(rows, list) or not rows:
        return None
    out: Optional[ServiceSet] = None
    for row in rows:
        if isinstance(row, dict) and "protocol" in row and "ports" in row:
            got = entry_services(str(row["protocol"]), str(row["ports"]))
            out = got if out is None else out | got
    return out
