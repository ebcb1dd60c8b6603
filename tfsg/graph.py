"""Snapshot -> flow graph: who can reach whom, on what, and which paths start at the internet.

Semantics (documented in the README, "How flows are computed"):

* A flow between two groups A -> B exists on the services that B's ingress admits from A
  *and* A's egress allows to B. Each side counts group references (and ``self``), and CIDR
  rules whose block covers the other group's members. A pair is considered when at least
  one side names the other group, or when B admits a non-public CIDR holding A's known
  subnets; two CIDR rules alone (A egress 0.0.0.0/0, B ingress 0.0.0.0/0) show as address
  flows, not as a group pair, since every group would pair with every open group.
* "Covers": the members' subnets when the plan knows them (``subnet_id`` -> ``aws_subnet``),
  else the group's VPC CIDR, else the conservative reading: any block overlapping private
  IPv4 space (or any IPv6 block) may hold the members.
* A group outside the plan (``sg-...``) has unknown rules: its egress is taken as open (the
  AWS default) and its ingress as admitting what the sender allows.
* The internet is every public address (``netsets.PUBLIC``). A group is reachable from the
  internet on the services for which its CIDR and prefix-list rules together admit all
  public IPv4 or all public IPv6 addresses. A resource is reachable when one of its groups
  is and the resource itself has a public address (load balancer scheme, public IP, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .model import Attachment, Rule, Snapshot, Unknown, is_outside_group
from .netsets import (NO_SERVICES, PRIVATE, PUBLIC, PUBLIC_V4, PUBLIC_V6, AddressSet, ServiceSet, ALL_SERVICES,
                      covering_services)

INTERNET = "internet"
DEFAULT_MAX_HOPS = 4
MAX_PATHS_PER_TARGET = 8


@dataclass
class Flow:
    services: ServiceSet
    defined_by: set[str] = field(default_factory=set)


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
    nodes: tuple[str, ...]  # "internet", group, group, ...
    hops: tuple[ServiceSet, ...]


@dataclass
class Reach:
    """How much a group admits (ingress) or may send to (egress), in numbers."""

    addresses: Optional[int] = 0  # addresses in CIDR and known prefix-list rules; None: sensitive
    groups: int = 0  # groups referenced
    members: int = 0  # resources attached to those groups in the plan
    unknown_members: bool = False


class FlowGraph:
    """All flows of one snapshot and the queries the reports and policies need."""

    def __init__(self, snap: Snapshot, max_hops: int = DEFAULT_MAX_HOPS, base: Optional["FlowGraph"] = None) -> None:
        """``base``: the other side's graph; flows between groups the change does not touch
        are taken from it instead of being computed again (a large plan is mostly no-op)."""
        self.snap = snap
        self.max_hops = max_hops
        self.flows: dict[tuple[str, str], Flow] = {}
        self.unknowns: list[Unknown] = list(snap.unknowns)
        self.members: dict[str, list[Attachment]] = {}
        # AWS aggregates the rules of every group on a network interface: what a member of A
        # may send is the union of the egress rules of all groups on its interface.
        self.cogroups: dict[str, set[str]] = {}
        self._cosets: dict[str, dict[frozenset, set[str]]] = {}  # group -> co-groups -> members
        for att in snap.attachments:
            for g in att.groups:
                self.members.setdefault(g, []).append(att)
                co = frozenset(o for o in att.groups if o != g)
                if co:
                    self.cogroups.setdefault(g, set()).update(co)
                    self._cosets.setdefault(g, {}).setdefault(co, set()).add(att.resource)
        self._index_rules()
        self._bounds: dict[str, Optional[AddressSet]] = {}
        self._cover_cache: dict[tuple, tuple[ServiceSet, set[str]]] = {}
        self._reach: dict[tuple[str, str], Reach] = {}
        self.base = base if base is not None and base.max_hops == max_hops else None
        self.dirty = self._dirty_groups(self.base) if self.base is not None else None
        self._group_flows()
        self._address_flows()
        self.internet_services = self._internet()
        from .hops import lb_hops

        self.hops = lb_hops(self)
        self.exposures = self._exposures() + self.hops.exposures
        self._paths: Optional[list[Path]] = None
        self._digraph = None

    # ------------------------------------------------------------------ indexing

    def _index_rules(self) -> None:
        self._rules_of: dict[str, list[Rule]] = {}
        for rule in self.snap.rules:
            self._rules_of.setdefault(rule.group, []).append(rule)
        self.refs: dict[str, dict[str, dict[str, list[Rule]]]] = {"ingress": {}, "egress": {}}
        self.cidrs: dict[str, dict[str, list[tuple[Rule, AddressSet, str]]]] = {"ingress": {}, "egress": {}}
        # Labels of address blocks derived from sensitive values: their addresses, prefix
        # lengths and sizes are never shown (only a placeholder label is).
        self.sensitive_labels: set[str] = set()
        for rule in self.snap.rules:
            peer = rule.peer
            if peer.kind in ("group", "self"):
                other = rule.group if peer.kind == "self" else peer.value
                self.refs[rule.direction].setdefault(rule.group, {}).setdefault(other, []).append(rule)
            elif peer.kind == "cidr":
                self.cidrs[rule.direction].setdefault(rule.group, []).append(
                    (rule, AddressSet.parse(peer.value), peer.label))
                if peer.sensitive:
                    self.sensitive_labels.add(peer.label)
            elif peer.kind == "prefix_list":
                if peer.sensitive or peer.value in self.snap.sensitive_prefix_lists:
                    self.sensitive_labels.add(peer.label)
                entries = self.snap.prefix_lists.get(peer.value)
                if entries is None:
                    self.unknowns.append(Unknown(rule.defined_by, "prefix_list",
                                                 f"the entries of prefix list {peer.label} are not in the plan; "
                                                 "its addresses are unknown", (rule.direction, rule.group),
                                                 rule.services))
                    entries = AddressSet()
                self.cidrs[rule.direction].setdefault(rule.group, []).append((rule, entries, peer.label))

    def bound(self, group: str) -> Optional[AddressSet]:
        """Where the group's members live, as precisely as the plan says; None if unknown."""
        if group in self._bounds:
            return self._bounds[group]
        result: Optional[AddressSet] = None
        atts = self.members.get(group, [])
        if atts and all(a.addresses for a in atts):
            result = AddressSet()
            for a in atts:
                result = result | a.addresses  # type: ignore[operator]
        else:
            sg = self.snap.groups.get(group)
            if sg is not None and sg.vpc_id in self.snap.vpcs:
                result = self.snap.vpcs[sg.vpc_id]
        self._bounds[group] = result
        return result

    def covers(self, block: AddressSet, group: str) -> bool:
        bound = self.bound(group)
        if bound is not None:
            return block.overlaps(bound)
        return block.overlaps(PRIVATE) or bool(block.v6)

    def _side(self, direction: str, group: str, other: str) -> tuple[ServiceSet, set[str]]:
        """What ``group``'s rules in ``direction`` allow with ``other`` (references and CIDRs).

        Egress is aggregated per interface (EC2 user guide, "Security groups": the rules of all
        groups associated with an instance are aggregated): a member of ``group`` sends through
        the egress rules of every group on its interface. Ingress stays the admitting group's own
        (a co-group that admits the sender makes a flow of its own).
        """
        services, by = self._own_side(direction, group, other)
        if direction == "egress" and group in self._cosets:
            receivers = {a.resource for a in self.members.get(other, ())}
            for co, senders in sorted(self._cosets[group].items(), key=lambda kv: sorted(kv[0])):
                if len(receivers) == 1 and receivers == senders:
                    continue  # the only receiver is the sender's own interface: not a flow
                for c in sorted(co):
                    if c in self.snap.groups:
                        more, more_by = self._own_side(direction, c, other)
                        if more:
                            services, by = services | more, by | more_by
        return services, by

    def _own_side(self, direction: str, group: str, other: str) -> tuple[ServiceSet, set[str]]:
        if group not in self.snap.groups:
            return ALL_SERVICES, set()  # outside the plan: rules unknown, taken as open
        services = NO_SERVICES
        by: set[str] = set()
        for rule in self.refs[direction].get(group, {}).get(other, ()):
            services = services | rule.services
            by.add(rule.defined_by)
        # CIDR rules count for groups of the plan only: of a group outside it (sg-...) nothing is
        # known, so its flow is what the explicit reference allows.
        if self.cidrs[direction].get(group) and other in self.snap.groups:
            covered, covered_by = self._covered(direction, group, self.bound(other))
            services = services | covered
            by |= covered_by
        return services, by

    def _covered(self, direction: str, group: str, bound: Optional[AddressSet]) -> tuple[ServiceSet, set[str]]:
        """Services of ``group``'s CIDR rules that reach members within ``bound`` (cached per bound)."""
        key = (direction, group, bound)
        hit = self._cover_cache.get(key)
        if hit is None:
            services = NO_SERVICES
            by: set[str] = set()
            for rule, block, _ in self.cidrs[direction][group]:
                if block.overlaps(bound) if bound is not None else (block.overlaps(PRIVATE) or bool(block.v6)):
                    services = services | rule.services
                    by.add(rule.defined_by)
            hit = self._cover_cache[key] = (services, by)
        return hit

    def _group_flows(self) -> None:
        pairs: set[tuple[str, str]] = set()
        for target, sources in self.refs["ingress"].items():
            pairs.update((src, target) for src in sources)
        for source, targets in self.refs["egress"].items():
            pairs.update((source, dst) for dst in targets)
        known_bounds = [g for g in self.snap.groups
                        if self.members.get(g) and all(a.addresses for a in self.members[g])]
        if known_bounds:
            # Coverage is decided once per distinct (block, member bound): a large plan has a few
            # dozen private blocks and a handful of bounds, but thousands of groups.
            by_bound: dict[AddressSet, list[str]] = {}
            for g in known_bounds:
                by_bound.setdefault(self.bound(g), []).append(g)  # type: ignore[arg-type]
            covered: dict[AddressSet, list[str]] = {}
            for target, entries in self.cidrs["ingress"].items():
                for _, block, _ in entries:
                    if not block or block.overlaps(PUBLIC):
                        continue
                    senders = covered.get(block)
                    if senders is None:
                        senders = covered[block] = [g for bound, gs in by_bound.items() if block.overlaps(bound)
                                                    for g in gs]
                    pairs.update((g, target) for g in senders if g != target)
        atts = {a.resource: a for a in self.snap.attachments}
        for link in self.snap.lb_links:  # a load balancer and its targets: CIDR rules count too
            lb, target = atts.get(link.lb), atts.get(link.target)
            if lb is not None and target is not None:
                pairs.update((lg, tg) for lg in lb.groups for tg in target.groups if lg != tg)
        dirty, base = self.dirty, self.base
        for source, target in sorted(pairs):
            if dirty is not None and base is not None and source not in dirty and target not in dirty:
                flow = base.flows.get((source, target))
                if flow is not None:
                    self._add(source, target, flow.services, flow.defined_by)
                continue
            inbound, by_in = self._side("ingress", target, source)
            if not inbound:
                continue
            outbound, by_out = self._side("egress", source, target)
            services = inbound & outbound
            if services:
                self._add(source, target, services, by_in | by_out)

    def _signature(self, group: str) -> tuple:
        """Everything a group's flows depend on: its rules, its members, where they live."""
        co = self.cogroups.get(group, set())
        return (group in self.snap.groups, frozenset(self._rules_of.get(group, ())),
                frozenset(self.members.get(group, ())), self.bound(group),
                frozenset(r for c in co for r in self._rules_of.get(c, ()) if r.direction == "egress"))

    def _dirty_groups(self, base: "FlowGraph") -> set[str]:
        if self.snap.prefix_lists != base.snap.prefix_lists or self.snap.vpcs != base.snap.vpcs:
            return set(self.snap.groups) | set(base.snap.groups)  # rare: recompute everything
        dirty = set()
        for group in set(self.snap.groups) | set(base.snap.groups):
            if self._signature(group) != base._signature(group):
                dirty.add(group)
        return dirty

    def pair(self, source: str, target: str) -> ServiceSet:
        """What ``source`` may open to ``target`` in this snapshot, evaluated for any two groups
        (also pairs that are not flow candidates here, so the diff compares like with like)."""
        flow = self.flows.get((source, target))
        if flow is not None:
            return flow.services
        if not (self.is_group(source) and self.is_group(target)) or source == target:
            return NO_SERVICES
        if source not in self.snap.groups and target not in self.snap.groups:
            return NO_SERVICES
        inbound, _ = self._side("ingress", target, source)
        return inbound & self._side("egress", source, target)[0] if inbound else NO_SERVICES

    def is_group(self, node: str) -> bool:
        return node in self.snap.groups or is_outside_group(node)

    def _address_flows(self) -> None:
        for direction in ("ingress", "egress"):
            for group, entries in self.cidrs[direction].items():
                for rule, _, label in entries:
                    key = (label, group) if direction == "ingress" else (group, label)
                    self._add(*key, rule.services, {rule.defined_by})

    def _add(self, source: str, target: str, services: ServiceSet, by: set[str]) -> None:
        flow = self.flows.get((source, target))
        if flow is None:
            self.flows[(source, target)] = Flow(services, set(by))
        else:
            flow.services = flow.services | services
            flow.defined_by |= by

    # ------------------------------------------------------------------ internet

    def _internet(self) -> dict[str, ServiceSet]:
        out: dict[str, ServiceSet] = {}
        self.internet_family: dict[str, dict[str, ServiceSet]] = {}
        for group, entries in self.cidrs["ingress"].items():
            pairs = [(rule.services, block) for rule, block, _ in entries if block.overlaps(PUBLIC)]
            if not pairs:
                continue
            v4, v6 = covering_services(pairs, PUBLIC_V4), covering_services(pairs, PUBLIC_V6)
            if v4 or v6:
                out[group] = v4 | v6
                self.internet_family[group] = {"ipv4": v4, "ipv6": v6}
        return out

    def internet_sources(self, group: str, family: str = "") -> tuple[str, ...]:
        services = self.internet_family.get(group, {}).get(family) if family else self.internet_services.get(group)
        space = PUBLIC_V4 if family == "ipv4" else PUBLIC_V6 if family == "ipv6" else PUBLIC
        labels = {label for rule, block, label in self.cidrs["ingress"].get(group, ())
                  if block.overlaps(space) and (rule.services & (services or NO_SERVICES))}
        if not family and hasattr(self, "hops"):
            labels |= self.hops.lb_sources.get(group, set())  # reached through a listener
        return tuple(sorted(labels))

    def _resource_internet(self, att: Attachment) -> dict[str, tuple[ServiceSet, tuple[str, ...], tuple[str, ...]]]:
        """Per family, what the internet reaches on an interface: its groups' ingress rules are
        aggregated (two groups admitting half the internet each admit all of it together)."""
        out = {}
        entries = [(g, rule, block, label) for g in att.groups for rule, block, label in self.cidrs["ingress"].get(g, ())
                   if block.overlaps(PUBLIC)]
        for family, space in (("ipv4", PUBLIC_V4), ("ipv6", PUBLIC_V6)):
            services = covering_services([(rule.services, block) for _, rule, block, _ in entries], space)
            if services:
                used = [(g, label) for g, rule, block, label in entries if block.overlaps(space) and rule.services & services]
                out[family] = (services, tuple(sorted({g for g, _ in used})), tuple(sorted({lb for _, lb in used})))
        return out

    def _exposures(self) -> list[Exposure]:
        out: list[Exposure] = []
        for group in sorted(self.internet_services):
            sg = self.snap.groups.get(group)
            out.append(Exposure(group, "group", "aws_default_security_group" if sg and sg.default
                                else "aws_security_group", self.internet_services[group], (group,),
                                self.internet_sources(group)))
        for att in sorted(self.snap.attachments, key=lambda a: a.resource):
            if not any(g in self.cidrs["ingress"] for g in att.groups):
                continue
            for family, (services, via, sources) in sorted(self._resource_internet(att).items()):
                public, reason = (att.public, att.public_reason) if family == "ipv4" else \
                    (att.public_v6, att.public_v6_reason)
                if public is True:
                    out.append(Exposure(att.resource, "resource", att.type, services, via, sources,
                                        f"{'IPv4' if family == 'ipv4' else 'IPv6'}: {reason}", family))
                elif public is None:
                    self.unknowns.append(Unknown(att.resource, "public address",
                                                 f"reachable from the internet over {family} on {services.describe()} "
                                                 f"through {', '.join(via)} if it has a public {family} address: "
                                                 f"{reason}", ("public", att.resource)))
        return out

    # ------------------------------------------------------------------ paths

    def digraph(self):
        """The flow graph: groups, load balancers without groups and the internet as nodes, flows
        as edges (digraph.DiGraph)."""
        if self._digraph is None:
            from .digraph import DiGraph

            g = DiGraph()
            g.add_node(INTERNET)
            for group, services in self.internet_services.items():
                atts = self.members.get(group, [])
                if atts and all(a.public is False for a in atts):
                    continue  # every member is private: the internet cannot address them
                g.add_edge(INTERNET, group, services=services)
            for (source, target), flow in self.flows.items():
                if source == target:
                    continue
                if self.is_group(source) and self.is_group(target):
                    g.add_edge(source, target, services=flow.services)
            for (source, target), services in self.hops.edges.items():  # load balancers as hops
                if g.has_edge(source, target):
                    services = services | g.edges[source, target]["services"]
                g.add_edge(source, target, services=services)
            self._digraph = g
        return self._digraph

    def paths(self) -> list[Path]:
        """Shortest paths from the internet that cross at least two groups, up to max_hops."""
        if self._paths is not None:
            return self._paths
        from .digraph import predecessor

        g = self.digraph()
        preds, dist = predecessor(g, INTERNET, cutoff=self.max_hops)
        out: list[Path] = []
        for target in sorted(n for n, d in dist.items() if d >= 2):
            for nodes in _enumerate(preds, target, MAX_PATHS_PER_TARGET):
                hops = tuple(g.edges[a, b]["services"] for a, b in zip(nodes, nodes[1:]))
                out.append(Path(tuple(nodes), hops))
        self._paths = sorted(out, key=lambda p: p.nodes)
        return self._paths

    def has_path(self, nodes: tuple[str, ...]) -> bool:
        """Does every hop of a path exist in this graph (whether or not it is a shortest path)?"""
        g = self.digraph()
        return all(g.has_edge(a, b) for a, b in zip(nodes, nodes[1:]))

    # ------------------------------------------------------------------ numbers

    def reach(self, group: str, direction: str) -> Reach:
        """The size of what a group admits (ingress) or may send to (egress)."""
        hit = self._reach.get((group, direction))
        if hit is None:
            hit = self._reach[(group, direction)] = self._compute_reach(group, direction)
        return hit

    def _compute_reach(self, group: str, direction: str) -> Reach:
        blocks = AddressSet()
        sensitive = False
        for _, block, label in self.cidrs[direction].get(group, ()):
            blocks = blocks | block
            sensitive = sensitive or label in self.sensitive_labels
        r = Reach(addresses=None if sensitive else blocks.count())
        for other in self.refs[direction].get(group, {}):
            r.groups += 1
            atts = self.members.get(other, [])
            r.members += len(atts)
            if other not in self.snap.groups:
                r.unknown_members = True
        return r


def _enumerate(preds: dict, target: str, limit: int) -> list[list[str]]:
    """Up to ``limit`` shortest paths to target, in sorted order, from a predecessor map."""
    out: list[list[str]] = []

    def walk(node: str, suffix: list[str]) -> None:
        if len(out) >= limit:
            return
        if node == INTERNET:
            out.append([INTERNET] + suffix)
            return
        for p in sorted(preds.get(node, ())):
            walk(p, [node] + suffix)

    walk(target, [])
    return sorted(out)
