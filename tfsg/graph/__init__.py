"""Snapshot -> flow graph: who can reach whom, on what, and which paths start at the internet.

Read top-down (issue 10, "engine v2"):

* ``interfaces.py``: who sits where: the groups of each interface, where members live;
* ``rules.py``: rules indexed by group, direction and peer;
* ``coverage.py``: which groups' members a CIDR holds, and the CIDR-derived flows, compactly;
* ``flows.py``: explicit group flows and address flows, ``pair`` for any two groups;
* ``exposure.py``: what the internet reaches, per group and per resource and family;
* ``hops.py``: load balancers as hops (listeners, target groups, client IP preservation);
* ``paths.py``: the group graph and paths of groups and of resources;
* ``resources.py``: resource-level reachability.

``FlowGraph`` is the one public surface the policies and reports use. The semantics are
documented in the README, "How flows are computed".
"""

from __future__ import annotations

from typing import Optional

from ..model import Attachment, Snapshot, Unknown
from .coverage import CidrRelation, Coverage
from .exposure import ExposureQueries
from .flows import FlowQueries
from .interfaces import Interfaces
from .paths import PathQueries
from .records import DEFAULT_MAX_HOPS, INTERNET, MAX_PATHS_PER_TARGET, CidrFlow, Exposure, Flow, Path, Reach
from .rules import RuleIndex

__all__ = ["DEFAULT_MAX_HOPS", "INTERNET", "MAX_PATHS_PER_TARGET", "CidrFlow", "Exposure", "Flow", "FlowGraph",
           "Path", "Reach"]


class FlowGraph(FlowQueries, ExposureQueries, PathQueries):
    """All flows of one snapshot and the queries the reports and policies need.

    ``flows``: explicit flows ((source, target) -> Flow; a source or target is a group, or an
    address label for address flows); ``cidr_flows``: the CIDR-derived group flows
    (``CidrRelation``); ``exposures``; ``paths()``; ``pair(a, b)`` for any two groups;
    ``incoming(group)``; ``reach(group, direction)``; ``unknowns`` (the snapshot's and the
    graph's own: prefix lists without entries, public addresses not known).
    """

    def __init__(self, snap: Snapshot, max_hops: int = DEFAULT_MAX_HOPS, base: Optional["FlowGraph"] = None) -> None:
        """``base``: the other side's graph; flows between groups the change does not touch are
        taken from it instead of being computed again (a large plan is mostly no-op), and sets
        of groups are shared with it."""
        self.snap = snap
        self.max_hops = max_hops
        self.flows: dict[tuple[str, str], Flow] = {}
        self.unknowns: list[Unknown] = list(snap.unknowns)
        self.where = Interfaces(snap)
        self.members, self.cogroups, self.cosets = self.where.members, self.where.cogroups, self.where.cosets
        self.rules = RuleIndex(snap, self.unknowns)
        self.refs, self.cidrs, self.sensitive_labels = self.rules.refs, self.rules.cidrs, self.rules.sensitive_labels
        self.coverage = Coverage(self.rules, self.where)
        self.base = base if base is not None and base.max_hops == max_hops else None
        self.dirty = self._dirty_groups(self.base) if self.base is not None else None
        self.intern: dict[frozenset, frozenset] = base.intern if base is not None else {}
        self._incoming: Optional[dict] = None
        self._reach: dict[tuple[str, str], Reach] = {}
        self.interface_rules: dict[tuple[str, str], tuple[dict, dict]] = {}  # resources.py's cache (hops.py too)
        self._group_flows()
        self.cidr_flows = CidrRelation(self.rules, self.where, self.coverage, self.intern,
                                       lambda a, b: self._side("egress", a, b)[0])
        self._address_flows()
        self.internet_services = self._internet()
        from .hops import lb_hops

        self.hops = lb_hops(self)
        self.exposures = self._exposures() + self.hops.exposures
        self._paths: Optional[list[Path]] = None
        self._group_paths: Optional[list[Path]] = None
        self._resource_paths: Optional[list[Path]] = None
        self._resource_graph = None
        self._path_view = None
        self._digraph = None
        self._atts: Optional[dict[str, list[str]]] = None
        self._by_resource: Optional[dict[str, Attachment]] = None

    def attachment_groups(self) -> dict[str, list[str]]:
        """Resource address -> its groups, sorted; an instance's include those of the network
        interfaces attached to it (Snapshot.host_links: one host, in every group of each)."""
        if self._atts is None:
            groups = {a.resource: set(a.groups) for a in self.snap.attachments}
            for eni, host in self.snap.host_links:
                if host in groups:
                    groups[host] |= groups.get(eni, set())
            self._atts = {resource: sorted(gs) for resource, gs in groups.items()}
        return self._atts

    def attachments_by_resource(self) -> dict[str, Attachment]:
        """Resource address -> its attachment."""
        if self._by_resource is None:
            self._by_resource = {a.resource: a for a in self.snap.attachments}
        return self._by_resource

    def reach(self, group: str, direction: str) -> Reach:
        """The size of what a group admits (ingress) or may send to (egress)."""
        hit = self._reach.get((group, direction))
        if hit is None:
            hit = self._reach[(group, direction)] = self.rules.reach(group, direction, self.members)
        return hit

    def exposures_of(self, address: str) -> list[Exposure]:
        """The exposures of one address (a resource per family and listener, or a group)."""
        index = self.__dict__.get("_exposures_by")
        if index is None:
            index = self.__dict__["_exposures_by"] = {}
            for e in self.exposures:
                index.setdefault(e.address, []).append(e)
        return index.get(address, [])
