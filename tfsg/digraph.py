"""The flow graph for path queries: a small directed graph and the breadth-first searches tfsg
needs (issue 10: ``diff`` and ``check`` compute paths without importing networkx, whose import
alone costs ~0.1 s of a 0.2 s run).

The searches visit nodes in the same order as networkx's ``predecessor`` and
``single_source_shortest_path`` (adjacency in edge insertion order, level by level), so a path
tfsg picks among equally short ones is the one it picked before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional


class DiGraph:
    """Nodes and edges with attributes: ``g.edges[a, b]["services"]``, ``a in g``, ``g[a]``.

    ``more``: edges not stored here but answered on demand (an object with ``successors(node)``,
    ``predecessors(node)`` and ``services(a, b)``): the CIDR-derived flows of a large plan are
    hundreds of thousands of pairs that a search visits only in part. They come after the stored
    edges of a node, in sorted order.
    """

    def __init__(self, more: Any = None) -> None:
        self.adj: dict[str, dict[str, dict[str, Any]]] = {}
        self.pred: dict[str, dict[str, None]] = {}
        self.more = more
        self.edges = _Edges(self)

    def successors(self, node: str) -> list[str]:
        own = self.adj.get(node, {})
        if self.more is None:
            return list(own)
        return list(own) + [w for w in self.more.successors(node) if w not in own]

    def predecessors(self, node: str) -> list[str]:
        own = self.pred.get(node, {})
        if self.more is None:
            return list(own)
        return list(own) + [w for w in self.more.predecessors(node) if w not in own]

    def add_node(self, node: str) -> None:
        self.adj.setdefault(node, {})
        self.pred.setdefault(node, {})

    def add_edge(self, a: str, b: str, **attrs: Any) -> None:
        self.add_node(a)
        self.add_node(b)
        self.adj[a].setdefault(b, {}).update(attrs)
        self.pred[b][a] = None

    def services(self, a: str, b: str) -> Any:
        """The ``services`` of edge a -> b (``edges[a, b]["services"]`` without the dict);
        KeyError when there is no such edge."""
        own = self.adj.get(a, {}).get(b)
        if own is not None:
            return own["services"]
        services = self.more.services(a, b) if self.more is not None else None
        if not services:
            raise KeyError((a, b))
        return services

    def has_edge(self, a: str, b: str) -> bool:
        if b in self.adj.get(a, {}):
            return True
        return self.more is not None and bool(self.more.services(a, b))

    def __contains__(self, node: object) -> bool:
        return node in self.adj

    def __getitem__(self, node: str) -> dict[str, dict[str, Any]]:
        return self.adj[node]

    def __iter__(self) -> Iterator[str]:
        return iter(self.adj)


class _Edges:
    def __init__(self, g: DiGraph) -> None:
        self.g = g

    def __getitem__(self, key: tuple[str, str]) -> dict[str, Any]:
        a, b = key
        own = self.g.adj.get(a, {}).get(b)
        if own is not None:
            return own
        services = self.g.more.services(a, b) if self.g.more is not None else None
        if not services:
            raise KeyError(key)
        return {"services": services}


def predecessor(g: DiGraph, source: str, cutoff: Optional[int] = None) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Every node within ``cutoff`` hops: its predecessors on shortest paths, and its distance."""
    level = 0
    nextlevel = [source]
    seen = {source: 0}
    pred: dict[str, list[str]] = {source: []}
    while nextlevel:
        level += 1
        thislevel, nextlevel = nextlevel, []
        for v in thislevel:
            for w in g.successors(v):
                if w not in seen:
                    pred[w] = [v]
                    seen[w] = level
                    nextlevel.append(w)
                elif seen[w] == level:
                    pred[w].append(v)
        if cutoff and cutoff <= level:
            break
    return pred, seen


def shortest_paths(g: DiGraph, source: str, cutoff: Optional[int] = None) -> dict[str, list[str]]:
    """One shortest path from ``source`` to every node within ``cutoff`` hops."""
    paths = {source: [source]}
    nextlevel = {source: 1}
    level = 0
    while nextlevel and (cutoff is None or cutoff > level):
        thislevel, nextlevel = nextlevel, {}
        for v in thislevel:
            for w in g.successors(v):
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    nextlevel[w] = 1
        level += 1
    return paths


def descendants(g: DiGraph, source: str) -> set[str]:
    return _reach(g.successors, source)


def ancestors(g: DiGraph, *targets: str) -> set[str]:
    """Every node from which one of ``targets`` can be reached (one search for all of them);
    a target is included only when another target (or itself, through a cycle) reaches it."""
    return _reach(g.predecessors, *targets)


def _reach(step: Any, *starts: str) -> set[str]:
    seen = set(starts)
    todo = list(starts)
    found: set[str] = set()
    while todo:
        for w in step(todo.pop()):
            found.add(w)
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return found if len(starts) > 1 else found - set(starts)
