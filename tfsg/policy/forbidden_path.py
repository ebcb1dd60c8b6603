"""``forbidden-path``: no path of at most ``max_hops`` hops from the internet (or from the
selected groups) to the selected targets.

A path is what actually connects: resources, each with the rules of all its groups aggregated
(VPC user guide, "Security groups": the rules of every group associated with a network
interface are aggregated into one set), and load balancers as hops to the targets of the
listener reached (graph/paths.py). An instance in ``[web_in, web_out]`` that the internet
reaches through ``web_in`` and that connects to the database through ``web_out`` is one hop
from it, although no group path joins the two. A selected group with no known member is judged
on the group graph (what its rules would allow once something joins it).

Findings are on the target (a resource, or a group without members), keyed by the path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..graph import INTERNET

if TYPE_CHECKING:
    from .evaluate import Context, Finding, Policy


def forbidden_path(policy: "Policy", ctx: "Context") -> list["Finding"]:
    from ..digraph import shortest_paths
    from .evaluate import service_rows
    from .tiering import subjects

    spec = policy.spec
    max_hops = spec.get("max_hops", 3)
    view, groups = ctx.graph.path_view(), ctx.graph.digraph()
    out: list[Finding] = []
    source = spec.get("from") or {"internet": True}
    searched: dict[bool, dict[str, list[str]]] = {}
    idle: Optional[dict[str, list[str]]] = None  # from the source groups with no known member
    for subject, group, is_resource in subjects(ctx, spec):
        g = view if is_resource else groups
        if is_resource not in searched:
            searched[is_resource] = _best(g, _heads(ctx, g, source, is_resource), max_hops, shortest_paths)
        best = searched[is_resource]
        found = [best[end] for end in (g.nodes_of(subject) if is_resource else [subject]) if end in best]
        if not found and is_resource and "groups" in source:
            # a source group with no known member sends nothing yet; what its rules allow is
            # judged on the groups, as for a target group with no member
            if idle is None:
                heads = [[h] for h in ctx.sel.groups(source.get("groups"))
                         if h in groups and not ctx.graph.members.get(h)]
                idle = _best(groups, heads, max_hops, shortest_paths)
            if group in idle:
                g, is_resource, subject, found = groups, False, group, [idle[group]]
        if not found:
            continue
        nodes = min(found, key=lambda p: (len(p), p))
        names = [g.real(n) if is_resource else n for n in nodes]
        hops = [{"from": x, "to": y, "services": service_rows(g.services(a, b))}
                for (a, b), (x, y) in zip(zip(nodes, nodes[1:]), zip(names, names[1:]))]
        origin = "the internet" if names[0] == INTERNET else names[0]
        where = f" (in {group})" if is_resource else ""
        out.append(ctx.finding(policy, subject, "path " + " -> ".join(names),
                               f"{subject}{where} is reachable from {origin} in {len(names) - 1} "
                               f"hop{'s' if len(names) > 2 else ''}: {' -> '.join(names)}",
                               path=names, hops=hops))
    return out


def _heads(ctx: "Context", g: Any, source: dict, is_resource: bool) -> list[list[str]]:
    """Where paths start: ``[node]``, or ``[internet, the node it reaches first]`` for one family."""
    heads: list[list[str]] = []
    family = source.get("internet")
    rooted = is_resource or INTERNET in g  # (the resource graph always holds the internet)
    if family is True and rooted:
        heads.append([INTERNET])
    elif family in ("ipv4", "ipv6") and rooted:
        # the first hop is reached in that family; a node whose family is not recorded (a load
        # balancer without groups) is kept: fail closed
        if is_resource:
            known: dict[str, set[str]] = {}
            for e in ctx.graph.exposures:
                if e.kind == "resource" and not e.endpoint:
                    known.setdefault(e.address, set()).add(e.family)
            heads += [[INTERNET, n] for n in sorted(g.successors(INTERNET))
                      if g.real(n) not in known or family in known[g.real(n)]]
        else:
            fam = ctx.graph.internet_family
            heads += [[INTERNET, n] for n in sorted(g.successors(INTERNET)) if n not in fam or fam[n].get(family)]
    if "groups" in source:
        for group in ctx.sel.groups(source.get("groups")):
            if not is_resource:
                heads += [[group]] if group in g else []
                continue
            for a in ctx.graph.members.get(group, ()):
                heads += [[n] for n in g.nodes_of(a.resource)]
    return heads


def _best(g: Any, heads: list[list[str]], max_hops: int, shortest_paths: Any) -> dict[str, list[str]]:
    """The shortest path (then the first in order) to every node reached from the heads."""
    best: dict[str, list[str]] = {}
    for head in heads:
        for target, tail in shortest_paths(g, head[-1], cutoff=max_hops - len(head) + 1).items():
            found = head[:-1] + tail
            if len(found) >= 2 and (target not in best or (len(found), found) < (len(best[target]), best[target])):
                best[target] = found
    return best
