"""The resource graph as a search from the internet walks it: a load balancer per listener.

A load balancer routes a request by the listener that received it: the listener's rules (or
default action) pick its target group (ELB guide, "Listener rules for your Application Load
Balancer"; a Network Load Balancer's listener forwards to its one target group). A path that
reaches a load balancer on one listener's port goes on only to that listener's targets, on the
target port. The resource graph keeps one node per load balancer (who can connect to whom does
not depend on the listener); this view splits a load balancer with several listeners into one
node per listener for the searches: the hop into it carries what its sender reaches of that
listener's ports, the hop out the services of that listener's targets. Paths are mapped back
to the load balancer's address (``real``), so a reviewer reads the resources, not the split.
"""

from __future__ import annotations

from typing import Any

from ..netsets import NO_SERVICES, ServiceSet


class ListenerView:
    """``successors``, ``services`` and ``has_edge`` of the resource graph (``digraph.DiGraph``),
    with each load balancer that has several listeners split into one node per listener.

    ``hops.listeners``: load balancer -> listener -> (listener ports, target -> services);
    ``closed``: the load balancers whose every listener and target the plan holds (only those
    are split: of another, what its groups allow is what it may reach); ``restricted``: those
    with a rule that forwards only some clients (split even with one listener, whose node then
    leaves out what the internet is not forwarded to)."""

    def __init__(self, base: Any, listeners: dict[str, dict[str, tuple[ServiceSet, dict[str, ServiceSet]]]],
                 closed: set[str], restricted: frozenset | set = frozenset()) -> None:
        self.base = base
        self._split: dict[str, list[str]] = {}  # load balancer -> its listener nodes
        self._node: dict[str, tuple[str, ServiceSet, dict[str, ServiceSet]]] = {}  # node -> (lb, ports, targets)
        for lb, by_listener in sorted(listeners.items()):
            if (len(by_listener) < 2 and lb not in restricted) or lb not in closed:
                # one listener: the load balancer's node says it all; listeners or targets the
                # plan does not hold: it may forward anything anywhere its groups allow (fail closed)
                continue
            nodes = []
            for i, (_, (ports, targets)) in enumerate(sorted(by_listener.items())):
                # a name no address has (NUL), kept in a table: never parsed back
                node = f"{lb}\x00{i}"
                nodes.append(node)
                self._node[node] = (lb, ports, targets)
            self._split[lb] = nodes
        self._succ: dict[str, list[str]] = {}
        if not self._split:  # nothing to split (most plans): the resource graph's own answers
            self.successors = base.successors  # type: ignore[method-assign]
            self.services = base.services  # type: ignore[method-assign]
            self.has_edge = base.has_edge  # type: ignore[method-assign]

    def real(self, node: str) -> str:
        """The resource a node of this view stands for."""
        hit = self._node.get(node)
        return hit[0] if hit is not None else node

    def nodes_of(self, resource: str) -> list[str]:
        """The nodes of this view that stand for ``resource`` (its listeners, or itself)."""
        return self._split.get(resource, [resource])

    def successors(self, node: str) -> list[str]:
        hit = self._succ.get(node)
        if hit is not None:
            return hit
        virtual = self._node.get(node)
        reals = sorted(virtual[2]) if virtual is not None else self.base.successors(node)
        out = []
        for w in reals:
            if w in self._split:  # (a load balancer behind another: an NLB's target group of type alb)
                reached = self._to_real(node, w)
                out += [v for v in self._split[w] if self._node[v][1] & reached]
            else:
                out.append(w)
        self._succ[node] = out
        return out

    def services(self, a: str, b: str) -> ServiceSet:
        """What hop ``a -> b`` carries; KeyError when there is no such hop."""
        into = self._node.get(b)
        got = self._to_real(a, into[0]) & into[1] if into is not None else self._to_real(a, b)
        if not got:
            raise KeyError((a, b))
        return got

    def _to_real(self, a: str, b: str) -> ServiceSet:
        """What node ``a`` sends to the resource ``b`` (nothing when no hop)."""
        out_of = self._node.get(a)
        if out_of is None:
            return self.base.services(a, b) if self.base.has_edge(a, b) else NO_SERVICES
        return out_of[2].get(b, NO_SERVICES)

    def has_edge(self, a: str, b: str) -> bool:
        try:
            return bool(self.services(a, b))
        except KeyError:
            return False
