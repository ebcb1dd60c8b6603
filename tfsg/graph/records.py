"""The records the flow graph answers with: flows, exposures, paths and reach numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..netsets import ServiceSet

INTERNET = "internet"
DEFAULT_MAX_HOPS = 4
MAX_PATHS_PER_TARGET = 8


@dataclass
class Flow:
    """What one endpoint may open to another: services, and the rules that say so (addresses)."""

    services: ServiceSet
    defined_by: set[str] = field(default_factory=set)


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
