"""Paths from the internet, over groups and over resources (issue 10, "paths of resources").

The group graph has the internet, the groups and load balancers without groups as nodes; its
edges are the explicit flows, the load balancers' hops and, answered on demand, the CIDR-derived
flows (a search visits only what it reaches). The internet reaches a group on what its rules
admit from every public address, unless every member is known to be private.

The resource graph is what a reviewer reads: the internet, the attached resources, and groups
with no known member (their group-level paths remain). The internet reaches a resource it can
address (an exposure, direct or through an internet-facing load balancer); a resource ``m``
reaches ``n`` on what ``m``'s aggregated egress allows to ``n`` and ``n``'s aggregated ingress
admits from ``m`` (resources.py), and a load balancer reaches its targets (hops.py). Paths are
shortest paths that cross at least two nodes after the internet, up to ``max_hops``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Optional, cast

from ..netsets import NO_SERVICES, ServiceSet
from .base import GraphBase
from .records import INTERNET, MAX_PATHS_PER_TARGET, Path

LOAD_BALANCERS = ("aws_lb", "aws_alb", "aws_elb")
# Resources nothing can open a connection to, whatever their groups admit: a Lambda function's
# interfaces carry its outbound traffic only (Lambda developer guide, "Connecting Lambda
# functions to your VPC": connectivity from the function to the VPC, not the other way).
NO_INBOUND = ("aws_lambda_function",)

if TYPE_CHECKING:
    from . import FlowGraph


class _Derived:
    """The CIDR-derived edges, for ``DiGraph(more=...)``: exact services from ``pair``."""

    def __init__(self, graph: "FlowGraph") -> None:
        self.graph = graph
        self._services: dict[tuple[str, str], ServiceSet] = {}

    def successors(self, node: str) -> list[str]:
        return self.graph.cidr_flows.successors(node)

    def predecessors(self, node: str) -> list[str]:
        return self.graph.cidr_flows.predecessors(node)

    def services(self, a: str, b: str) -> ServiceSet:
        hit = self._services.get((a, b))
        if hit is None:
            hit = self._services[(a, b)] = self.graph.pair(a, b) if self.graph.cidr_flows.services(a, b) \
                else NO_SERVICES
        return hit


class PathQueries(GraphBase):
    """Mixed into ``FlowGraph``: the group graph, group paths and resource paths."""

    def digraph(self):
        """The flow graph: groups, load balancers without groups and the internet as nodes, flows
        as edges (digraph.DiGraph, CIDR-derived edges on demand)."""
        if self._digraph is None:
            from ..digraph import DiGraph

            g = DiGraph(more=_Derived(cast("FlowGraph", self)))
            g.add_node(INTERNET)
            for group in sorted(self.snap.groups):
                g.add_node(group)
            for group, services in self.internet_services.items():
                atts = self.members.get(group, [])
                if atts and all(a.public is False for a in atts):
                    continue  # every member is private: the internet cannot address them
                g.add_edge(INTERNET, group, services=services)
            for (source, target), flow in self.flows.items():
                if source != target and self.is_group(source) and self.is_group(target):
                    g.add_edge(source, target, services=flow.services)
            for (source, target), services in self.hops.edges.items():  # load balancers as hops
                if target in g.adj.get(source, {}):
                    services = services | g.edges[source, target]["services"]
                g.add_edge(source, target, services=services)
            self._digraph = g
        return self._digraph

    def group_paths(self) -> list[Path]:
        """Shortest group paths from the internet that cross at least two groups, up to max_hops,
        through at least one group with no known member (where members are known, the resource
        paths say more)."""
        if self._group_paths is None:
            self._group_paths = _shortest(self.digraph(), self.max_hops,
                                          keep=lambda n: n != INTERNET and self.is_group(n) and not self.members.get(n))
        return self._group_paths

    def paths(self) -> list[Path]:
        """Resource paths, and the group paths through groups with no known member."""
        if self._paths is None:
            self._paths = sorted(list(self.resource_paths()) + self.group_paths(), key=lambda p: p.nodes)
        return self._paths

    def resource_graph(self):
        """The resource graph (digraph.DiGraph whose edges are all answered on demand by
        ``_Resources``), built once: paths, has_path, resource flows and the tiering policies
        share its edges."""
        if self._resource_graph is None:
            from ..digraph import DiGraph

            self._resource_graph = DiGraph(more=_Resources(cast("FlowGraph", self)))
        return self._resource_graph

    def resource_paths(self) -> list[Path]:
        if self._resource_paths is None:
            self._resource_paths = _shortest(self.resource_graph(), self.max_hops, longer=True)
        return self._resource_paths

    def has_path(self, nodes: tuple[str, ...]) -> bool:
        """Does every hop of a path exist in this graph (whether or not it is a shortest path)?
        A hop is an edge of the group graph or of the resource graph (paths list both)."""
        groups, resources = self.digraph(), self.resource_graph()
        return all(groups.has_edge(a, b) or resources.has_edge(a, b) for a, b in zip(nodes, nodes[1:]))


class _Resources:
    """Resource-level edges on demand (``DiGraph(more=...)``)."""

    def __init__(self, graph: "FlowGraph") -> None:
        self.graph = graph
        self.atts = {a.resource: a for a in graph.snap.attachments}
        # one object per distinct address bound: the per-bound caches below are then hit by
        # identity, not by comparing equal interval sets (members of one subnet share a bound)
        canonical: dict = {}
        self.bound = {a.resource: canonical.setdefault(a.addresses, a.addresses) for a in graph.snap.attachments}
        self._succ: dict[str, dict[str, ServiceSet]] = {}
        self._internet: Optional[dict[str, ServiceSet]] = None
        self._by_block: Optional[dict] = None
        self._sorted: dict[str, list[str]] = {}
        self._info: dict[str, tuple] = {}
        # interfaces made on their own and attached to an instance: the same host (EC2 user
        # guide, "Elastic network interfaces"), reached at either address, sending from either
        self.host_of: dict[str, str] = {}
        self.interfaces_of: dict[str, list[str]] = {}
        for eni, host in sorted(graph.snap.host_links):
            if eni != host:
                self.host_of[eni] = host
                self.interfaces_of.setdefault(host, []).append(eni)

    def _from_internet(self) -> dict[str, ServiceSet]:
        if self._internet is None:
            out: dict[str, ServiceSet] = {}
            for e in self.graph.exposures:
                if e.kind == "resource" and e.listener is None and not e.endpoint:
                    out[e.address] = out.get(e.address, NO_SERVICES) | e.services
            self._internet = out
        return self._internet

    def successors(self, node: str) -> list[str]:
        hit = self._sorted.get(node)
        if hit is None:
            hit = self._sorted[node] = sorted(self.edges_of(node))
        return hit

    def _candidates(self, m) -> set[str]:
        """Resources whose ingress may admit ``m``: members of the groups that name one of its
        groups, or that admit a block that may hold its addresses (per distinct bound: the
        members of a subnet share it)."""
        from .coverage import overlaps

        graph = self.graph
        if self._by_block is None:
            self._named_by: dict[str, set[str]] = {}
            for g, others in graph.refs["ingress"].items():
                for other in others:
                    self._named_by.setdefault(other, set()).add(g)
            self._by_block = {}
            for g, entries in graph.cidrs["ingress"].items():
                for _, block, _ in entries:
                    self._by_block.setdefault(block, set()).add(g)
            self._by_bound: dict = {}
        bound = self.bound[m.resource]
        held = self._by_bound.get(bound)
        if held is None:
            groups: set[str] = set()
            for block, admitting in self._by_block.items():
                if block and overlaps(block, bound):
                    groups |= admitting
            held = self._by_bound[bound] = {a.resource for g in groups for a in graph.members.get(g, ())}
        out = set(held)
        for group in m.groups:
            for g in self._named_by.get(group, ()):
                out.update(a.resource for a in graph.members.get(g, ()))
        return out

    def _receiving(self, name: str) -> tuple:
        """A receiver's bound, groups and aggregated ingress (references per named group, the
        CIDR part per sender bound), in one lookup."""
        hit = self._info.get(name)
        if hit is None:
            from .resources import aggregate

            n = self.atts[name]
            hit = self._info[name] = (self.bound[name], n.groups) + aggregate(self.graph, "ingress", n)
        return hit

    def predecessors(self, node: str) -> list[str]:  # not needed for searches from the internet
        return []

    def services(self, a: str, b: str) -> ServiceSet:
        return self.edges_of(a).get(b, NO_SERVICES)

    def edges_of(self, node: str) -> dict[str, ServiceSet]:
        hit = self._succ.get(node)
        if hit is not None:
            return hit
        graph, atts = self.graph, self.atts
        out: dict[str, ServiceSet] = {}
        if node == INTERNET:
            out = dict(self._from_internet())
        elif node in self.atts:
            from .resources import aggregate, cidr_part

            m = atts[node]
            for (lb, target), services in graph.hops.lb_reach.items():
                if lb == node:
                    out[target] = out.get(target, NO_SERVICES) | services
            if m.type in LOAD_BALANCERS and node in graph.snap.lb_closed:
                # a load balancer opens connections only to the registered targets of its
                # listeners (and their health checks): clients cannot make it connect anywhere
                # else, whatever its groups' egress allows (ELB guide, "How Elastic Load
                # Balancing works"). Known only when the plan holds all its listeners and targets.
                self._succ[node] = out = self._same_host(node, out)
                return out
            candidates = {c for c in self._candidates(m) if atts[c].type not in NO_INBOUND}
            candidates.discard(node)
            # resources.allowed() in both directions, inlined: this loop runs once per
            # (sender, candidate receiver) pair of the search, hundreds of thousands on a large
            # plan (each CIDR part is cached per bound; a side with no references skips their loop).
            e_named, e_cidr = aggregate(graph, "egress", m)
            m_groups, m_bound = m.groups, self.bound[node]
            receiving = self._receiving
            for name in candidates:
                n_bound, n_groups, i_named, i_cidr = receiving(name)
                inbound = i_cidr.get(m_bound)
                if inbound is None:
                    inbound = cidr_part(graph, "ingress", atts[name], m_bound)
                if i_named:
                    for h in m_groups:
                        got = i_named.get(h)
                        if got is not None:
                            inbound = inbound | got
                if not inbound._any:
                    continue
                outbound = e_cidr.get(n_bound)
                if outbound is None:
                    outbound = cidr_part(graph, "egress", m, n_bound)
                if e_named:
                    for h in n_groups:
                        got = e_named.get(h)
                        if got is not None:
                            outbound = outbound | got
                services = inbound & outbound
                if services._any:
                    out[name] = out[name] | services if name in out else services
            out = self._same_host(node, out)
        self._succ[node] = out
        return out

    def _same_host(self, node: str, out: dict[str, ServiceSet]) -> dict[str, ServiceSet]:
        """A sender that reaches an attached interface reaches its instance on the same services
        (a hop ``-> instance`` then continues as the instance); an instance also sends from each
        interface attached to it (that interface's groups and address)."""
        if not self.host_of:
            return out
        own = self.interfaces_of.get(node, [])
        for same in own + ([self.host_of[node]] if node in self.host_of else []):
            out.pop(same, None)  # one machine: not a connection over the network
        for eni in [n for n in out if n in self.host_of]:
            host = self.host_of[eni]
            if host != node:
                out[host] = out[host] | out[eni] if host in out else out[eni]
        for eni in own:
            for other, services in self.edges_of(eni).items():
                if other != node and other not in own:
                    out[other] = out[other] | services if other in out else services
        return out


def _shortest(g, max_hops: int, keep: Optional[Callable[[str], bool]] = None, longer: bool = False) -> list[Path]:
    """Shortest paths from the internet, up to ``MAX_PATHS_PER_TARGET`` per target; with ``keep``,
    only those through a node it accepts (targets none of whose shortest paths can be are not
    enumerated: a pass over the search's levels tells which); with ``longer``, also the longer
    ways into a node on services its shortest ways do not carry (resource paths: _longer_ways)."""
    from ..digraph import predecessor

    preds, dist = predecessor(g, INTERNET, cutoff=max_hops)
    targets = sorted(n for n, d in dist.items() if d >= 2)
    if keep is not None:
        through: dict[str, bool] = {}
        for node in sorted(dist, key=lambda n: dist[n]):  # predecessors come a level earlier
            through[node] = keep(node) or any(through.get(p, False) for p in preds.get(node, ()))
        targets = [t for t in targets if through[t]]
    out: list[Path] = []
    order: dict[str, list[str]] = {}
    for target in targets:
        for nodes in _enumerate(preds, target, MAX_PATHS_PER_TARGET, order):
            if keep is not None and not any(keep(n) for n in nodes):
                continue
            hops = tuple(g.edges[a, b]["services"] for a, b in zip(nodes, nodes[1:]))
            out.append(Path(tuple(nodes), hops))
    for target, via in sorted(_longer_ways(g, preds, dist, max_hops).items() if longer else ()):
        found = 0
        for u in via:
            for nodes in _enumerate(preds, u, MAX_PATHS_PER_TARGET, order):
                if target in nodes or found >= MAX_PATHS_PER_TARGET:
                    continue
                nodes = nodes + [target]
                if keep is not None and not any(keep(n) for n in nodes):
                    continue
                found += 1
                out.append(Path(tuple(nodes), tuple(g.edges[a, b]["services"] for a, b in zip(nodes, nodes[1:]))))
    return sorted(out, key=lambda p: p.nodes)


def _longer_ways(g, preds: dict, dist: dict, max_hops: int) -> dict[str, list[str]]:
    """Nodes reached over a longer way on services that no shortest way into them carries: a
    database the internet reaches directly on tcp 22 and through the app on tcp 3306 has a
    path on 3306 too (a shortest-paths search alone lists only the first). ``{node: [the
    nodes before it on such ways]}``, sorted; within ``max_hops``."""
    covered: dict[str, ServiceSet] = {}
    out: dict[str, list[str]] = {}
    for u in sorted(dist, key=lambda n: (dist[n], n)):
        if dist[u] >= max_hops:
            continue
        for v in g.successors(u):
            if v in (INTERNET, u) or v not in dist or dist[v] > dist[u]:
                continue  # a shortest way (dist[v] = dist[u] + 1) is enumerated already
            have = covered.get(v)
            if have is None:
                have = NO_SERVICES
                for p in preds.get(v, ()):
                    have = have | g.edges[p, v]["services"]
                covered[v] = have
            if g.edges[u, v]["services"] - have:
                out.setdefault(v, []).append(u)
    return out


def _enumerate(preds: dict, target: str, limit: int, order: Optional[dict] = None) -> list[list[str]]:
    """Up to ``limit`` shortest paths to target, in sorted order, from a predecessor map: the
    first ``limit`` met walking back from the target over predecessors in sorted order.
    ``order``: the sorted predecessors per node, shared between targets."""
    out: list[list[str]] = []
    order = {} if order is None else order

    def walk(node: str, suffix: list[str]) -> None:
        if node == INTERNET:
            out.append([INTERNET] + suffix)
            return
        ranked = order.get(node)
        if ranked is None:
            ranked = order[node] = sorted(preds.get(node, ()))
        for p in ranked:
            walk(p, [node] + suffix)
            if len(out) >= limit:
                return

    walk(target, [])
    return sorted(out)
