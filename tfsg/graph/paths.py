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
from typing import TYPE_CHECKING, Any, Optional, cast

from ..netsets import NO_SERVICES, ServiceSet
from .base import GraphBase
from .records import INTERNET, MAX_PATHS_PER_TARGET, Path

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
                    services = services | g.services(source, target)
                g.add_edge(source, target, services=services)
            self._digraph = g
        return self._digraph

    def group_paths(self) -> list[Path]:
        """Shortest group paths from the internet that cross at least two groups, up to max_hops,
        through at least one group with no known member (where members are known, the resource
        paths say more)."""
        if self._group_paths is None:
            deferred = self.__dict__.pop("_deferred_paths", None)
            if deferred is not None:  # computed in a forked child meanwhile (forked.py)
                handle, index = deferred
                self._group_paths = handle.result()[index]
                return self._group_paths
            self._group_paths = _shortest(self.digraph(), self.max_hops,
                                          keep=lambda n: n != INTERNET and self.is_group(n) and not self.members.get(n))
        return self._group_paths

    def paths(self) -> list[Path]:
        """Resource paths, and the group paths through groups with no known member."""
        if self._paths is None:
            # resource paths first: a forked child may be computing the group paths meanwhile
            resource_paths = list(self.resource_paths())
            self._paths = sorted(resource_paths + self.group_paths(), key=lambda p: p.nodes)
        return self._paths

    def defer_group_paths(self, handle: Any, index: int) -> None:
        """``group_paths()`` is item ``index`` of what ``handle`` (a ``forked.Forked``) computes:
        the group graph's searches run in a child while this process walks the resource graph,
        which the policies and reports read too."""
        if self._group_paths is None:
            self.__dict__["_deferred_paths"] = (handle, index)

    def resource_graph(self):
        """The resource graph (digraph.DiGraph whose edges are all answered on demand by
        ``resource_edges.ResourceEdges``), built once: paths, has_path, resource flows and the tiering policies
        share its edges."""
        if self._resource_graph is None:
            from ..digraph import DiGraph
            from .resource_edges import ResourceEdges

            self._resource_graph = DiGraph(more=ResourceEdges(cast("FlowGraph", self)))
        return self._resource_graph

    def path_view(self):
        """The resource graph as searches from the internet walk it, a load balancer split per
        listener (listener_view.py): a request goes on to the targets of the listener it reached."""
        if self._path_view is None:
            from .listener_view import ListenerView

            self._path_view = ListenerView(self.resource_graph(), self.hops.listeners, self.snap.lb_closed,
                                            self.hops.restricted)
        return self._path_view

    def resource_paths(self) -> list[Path]:
        if self._resource_paths is None:
            view = self.path_view()
            self._resource_paths = _merged(_shortest(view, self.max_hops, longer=True), view.real)
        return self._resource_paths

    def has_path(self, nodes: tuple[str, ...]) -> bool:
        """Does every hop of a path exist in this graph (whether or not it is a shortest path)?
        A hop is an edge of the group graph or of the resource graph (paths list both)."""
        groups, resources = self.digraph(), self.resource_graph()
        return all(groups.has_edge(a, b) or resources.has_edge(a, b) for a, b in zip(nodes, nodes[1:]))


def _shortest(g, max_hops: int, keep: Optional[Callable[[str], bool]] = None, longer: bool = False) -> list[Path]:
    """Shortest paths from the internet, up to ``MAX_PATHS_PER_TARGET`` per target; with ``keep``,
    only those through a node it accepts (targets none of whose shortest paths can be are not
    enumerated: a pass over the search's levels tells which); with ``longer``, also the longer
    ways into a node on services its shortest ways do not carry (resource paths: _longer_ways)."""
    from ..digraph import predecessor

    preds, dist = predecessor(g, INTERNET, cutoff=max_hops)
    targets = sorted(n for n, d in dist.items() if d >= 2)
    kept: set[str] = set()
    if keep is not None:
        kept = {n for n in dist if keep(n)}
        through: dict[str, bool] = {}
        for node in sorted(dist, key=lambda n: dist[n]):  # predecessors come a level earlier
            through[node] = node in kept or any(through.get(p, False) for p in preds.get(node, ()))
        targets = [t for t in targets if through[t]]
    out: list[Path] = []
    order: dict[str, list[tuple[tuple[str, ...], tuple]]] = {}
    for target in targets:
        for nodes, hops in _enumerate(g, preds, target, MAX_PATHS_PER_TARGET, order):
            if keep is None or not kept.isdisjoint(nodes):
                out.append(Path(nodes, hops))
    for target, via in sorted(_longer_ways(g, preds, dist, max_hops).items() if longer else ()):
        found = 0
        for u in via:
            last = g.services(u, target)
            for nodes, hops in _enumerate(g, preds, u, MAX_PATHS_PER_TARGET, order):
                if target in nodes or found >= MAX_PATHS_PER_TARGET:
                    continue
                nodes = nodes + (target,)
                if keep is not None and kept.isdisjoint(nodes):
                    continue
                found += 1
                out.append(Path(nodes, hops + (last,)))
    return sorted(out, key=lambda p: p.nodes)


def _merged(paths: list[Path], real: Callable[[str], str]) -> list[Path]:
    """Paths with each node named by the resource it stands for; the paths through different
    listeners of one load balancer, the same resources, are one path (each hop what either carries)."""
    out: dict[tuple[str, ...], Path] = {}
    for p in paths:
        nodes = tuple(real(n) for n in p.nodes)
        have = out.get(nodes)
        out[nodes] = Path(nodes, p.hops) if have is None else \
            Path(nodes, tuple(x | y for x, y in zip(have.hops, p.hops)))
    return [out[k] for k in sorted(out)]


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
                    have = have | g.services(p, v)
                covered[v] = have
            if g.services(u, v) - have:
                out.setdefault(v, []).append(u)
    return out


def _enumerate(g, preds: dict, target: str, limit: int,
               order: Optional[dict] = None) -> list[tuple[tuple[str, ...], tuple]]:
    """Up to ``limit`` shortest paths to target, in sorted order, from a predecessor map, each as
    (nodes, the services of each hop in ``g``): the first ``limit`` met walking back from the
    target over predecessors in sorted order. ``order``: shared between targets, the first
    ``limit`` ways into each node in that walk's order (a node's ways are its sorted
    predecessors' ways, each extended by the node), so each node is walked, and each hop's
    services looked up, once however many targets and paths lie behind it."""
    memo: dict = {} if order is None else order

    def ways(node: str) -> list[tuple[tuple[str, ...], tuple]]:
        hit = memo.get(node)
        if hit is None:
            if node == INTERNET:
                hit = [((INTERNET,), ())]
            else:
                hit = []
                for p in sorted(preds.get(node, ())):
                    hop = g.services(p, node)
                    for nodes, hops in ways(p):
                        hit.append((nodes + (node,), hops + (hop,)))
                        if len(hit) >= limit:
                            break
                    if len(hit) >= limit:
                        break
            memo[node] = hit
        return hit

    return sorted(ways(target)[:limit])
