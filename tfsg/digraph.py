"""The flow graph for path queries: a small directed graph and the breadth-first searches tfsg
needs (issue 10: ``diff`` and ``check`` compute paths without importing networkx, whose import
alone costs ~0.1 s of a 0.2 s run).

The searches visit nodes in the same order as networkx's ``predecessor`` and
``single_source_shortest_path`` (adjacency in edge insertion order, level by level), so a path
tfsg picks among equally short ones is the one it picked before.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional


class DiGraph:
    """Nodes and edges with attributes: ``g.edges[a, b]["services"]``, ``a in g``, ``g[a]``."""

    def __init__(self) -> None:
        self.adj: dict[str, dict[str, dict[str, Any]]] = {}
        self.pred: dict[str, dict[str, None]] = {}
        self.edges = _Edges(self.adj)

    def add_node(self, node: str) -> None:
        self.adj.setdefault(node, {})
        self.pred.setdefault(node, {})

    def add_edge(self, a: str, b: str, **attrs: Any) -> None:
        self.add_node(a)
        self.add_node(b)
        self.adj[a].setdefault(b, {}).update(attrs)
        self.pred[b][a] = None

    def has_edge(self, a: str, b: str) -> bool:
        return b in self.adj.get(a, {})

    def __contains__(self, node: object) -> bool:
        return node in self.adj

    def __getitem__(self, node: str) -> dict[str, dict[str, Any]]:
        return self.adj[node]

    def __iter__(self) -> Iterator[str]:
        return iter(self.adj)


class _Edges:
    def __init__(self, adj: dict) -> None:
        self.adj = adj

    def __getitem__(self, key: tuple[str, str]) -> dict[str, Any]:
        return self.adj[key[0]][key[1]]


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
            for w in g.adj[v]:
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
            for w in g.adj[v]:
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    nextlevel[w] = 1
        level += 1
    return paths


def descendants(g: DiGraph, source: str) -> set[str]:
    return _reach(g.adj, source)


def ancestors(g: DiGraph, target: str) -> set[str]:
    return _reach(g.pred, target)


def _reach(adj: dict, start: str) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for w in adj.get(todo.pop(), ()):
            if w not in seen:
                seen.add(w)
                todo.append(w)
    seen.discard(start)
    return seen
