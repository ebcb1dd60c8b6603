"""Tiering policies (issue 12, "tiering that matches how people build").

``tier-exposure``: a resource of the selected tier (the data tier) is reached from the internet
only *through* a tier that is not internet-facing itself. It fails when the resource is directly
reachable from the internet, or when a resource the internet reaches directly (an
internet-facing load balancer, an instance with a public address whose groups admit the
internet) can open a connection to it: internet -> public LB -> app -> db passes (app is private),
internet -> app -> db with a public app fails, internet -> LB -> db fails. The number of hops
does not matter, nor does ``--max-hops``.

``newly-reachable``: a resource of the tier that existed before the change and becomes reachable
from the internet through it, by any number of hops (one new reference from web to db; a new
internet-facing load balancer in front of an app that already talks to the database). Judged
per side here; the gate keeps only what the change introduces on resources that existed.

Both judge resources (what actually connects, rules aggregated per network interface,
graph/paths.py); a tier group with no known member is judged on the group graph the same way.
A finding is located at the rule that grants the last hop (what the change must undo).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Protocol

from ..graph import INTERNET
from ..netsets import NO_SERVICES, ServiceSet

if TYPE_CHECKING:
    from ..graph import FlowGraph
    from .evaluate import Context, Finding, Policy


class _WithGraph(Protocol):
    """What the rule helpers below read of a policy context: its graph (``Context``, ``_GraphOnly``)."""

    graph: FlowGraph


def _graphs(ctx: "Context") -> tuple[Any, Any]:
    """The resource graph as searches from the internet walk it (a load balancer per listener:
    listener_view.py), and the group graph."""
    return ctx.graph.path_view(), ctx.graph.digraph()


def _facing(g: Any, subject: str, is_resource: bool, lbs: frozenset = frozenset(),
            passed: Optional[dict[str, str]] = None, arrives: Any = None) -> dict[str, ServiceSet]:
    """What reaches ``subject`` in one hop from each node the internet reaches directly, by the
    resource each stands for (a load balancer reaches its listeners' targets only). A load
    balancer the internet does not reach (``lbs``: an internal one) is looked through: it
    carries the facing resource's connections to its targets (a Network Load Balancer passes
    them on as they are), so the resource before it is one exploited host away from the data;
    ``passed`` records which load balancer, by the facing resource; ``arrives(sender, lb,
    services)``: what of it the subject admits when the load balancer keeps the sender's address."""
    out: dict[str, ServiceSet] = {}
    ends = g.nodes_of(subject) if is_resource else [subject]
    starts = g.successors(INTERNET) if is_resource or INTERNET in g else []
    reached = {g.real(p) for p in starts} if is_resource else set()
    for p in starts:
        name = g.real(p) if is_resource else p
        if name == subject:
            continue
        for end in ends:
            if g.has_edge(p, end):
                out[name] = out.get(name, NO_SERVICES) | g.services(p, end)
        if not is_resource or name in out or name in lbs:
            continue
        for q in g.successors(p):
            lb = g.real(q)
            if lb not in lbs or lb in reached or lb == subject:
                continue
            for end in ends:
                if g.has_edge(q, end):
                    got = g.services(q, end) if arrives is None else arrives(name, lb, g.services(q, end))
                    if not got:
                        continue
                    out[name] = out.get(name, NO_SERVICES) | got
                    if passed is not None:
                        passed.setdefault(name, lb)
    return out


def _arrives(ctx: "Context", subject: str, atts: dict) -> Any:
    """What ``subject`` admits of a sender's connection a load balancer passes on: all it
    forwards, unless the load balancer keeps the client's address (an instance target of a
    Network Load Balancer, by default): then the subject's own rules must admit the sender, or
    name a group of the load balancer (ELB guide, Network Load Balancers, "Client IP
    preservation"; "Update the security groups for your Network Load Balancer")."""
    from ..graph.resources import aggregate, allowed

    kept = {link.lb for link in ctx.graph.snap.lb_links if link.target == subject and link.client_ip is True}

    def arrives(sender: str, lb: str, services: ServiceSet) -> ServiceSet:
        own, other, front = atts.get(subject), atts.get(sender), atts.get(lb)
        if lb not in kept or own is None or other is None or front is None:
            return services
        named = aggregate(ctx.graph, "ingress", own)[0]
        by_lb = NO_SERVICES
        for g in front.groups:
            by_lb = by_lb | named.get(g, NO_SERVICES)
        return services & (allowed(ctx.graph, "ingress", own, other) | by_lb)

    return arrives


def subjects(ctx: "Context", spec: dict) -> list[tuple[str, str, bool]]:
    """(subject, group, is_resource): each member resource of the selected groups, or the group
    itself when it has no known member."""
    out: list[tuple[str, str, bool]] = []
    wanted = spec.get("to")
    for group in ctx.sel.groups(wanted):
        members = ctx.graph.members.get(group)
        if members:
            # the members the selector holds: a group selected by what is attached to it (the
            # data stores) has other members (an app put in the database's group) that are not
            out.extend((a.resource, group, True) for a in members if ctx.sel.match(group, wanted, member=a.type))
        else:
            out.append((group, group, False))
    # a data store with a public endpoint and no group (an OpenSearch domain outside a VPC, a
    # public RabbitMQ broker): selected by its type, as ``attached_to`` selects groups
    out.extend((e.resource, e.resource, True) for e in ctx.graph.snap.endpoints
               if ctx.sel.match_resource(e.type, spec.get("to")))
    return sorted(set(out))


def _endpoint_services(ctx: "Context") -> dict[str, ServiceSet]:
    """Resource -> what the internet reaches on its public endpoints (no group guards them)."""
    out: dict[str, ServiceSet] = {}
    for e in ctx.graph.exposures:
        if e.endpoint:
            out[e.address] = out.get(e.address, NO_SERVICES) | e.services
    return out


def _granting(ctx: "Context", source: str, target: str, group: str, resource: bool,
              services: Optional[ServiceSet] = None) -> list[str]:
    """The rules that let ``source`` open ``target`` (the last hop) on ``services`` (the hop's;
    a rule between the two groups on another port grants nothing of it): target's ingress and
    the source's egress, per group."""
    return sorted(set(_admitting(ctx, source, target, group, resource, services))
                  | set(_sending(ctx, source, target, group, resource, services)))


def _admitting(ctx: _WithGraph, source: str, target: str, group: str, resource: bool,
               services: Optional[ServiceSet] = None) -> list[str]:
    """The target's ingress rules that admit ``source``: where a path finding points (the hop a
    change adds is most often a new rule admitting the source)."""
    return _rules(ctx, source, target, group, resource, "ingress", services)


def _sending(ctx: "Context", source: str, target: str, group: str, resource: bool,
             services: Optional[ServiceSet] = None) -> list[str]:
    return _rules(ctx, source, target, group, resource, "egress", services)


def _rules(ctx: _WithGraph, source: str, target: str, group: str, resource: bool, direction: str,
           services: Optional[ServiceSet] = None) -> list[str]:
    from .evaluate import merge_by

    graph = ctx.graph
    atts = {a.resource: a for a in graph.snap.attachments}
    src_groups = atts[source].groups if source in atts else ((source,) if graph.is_group(source) else ())
    dst_groups = atts[target].groups if resource and target in atts else (group,)
    by: dict = {}
    if not src_groups and source in atts and direction == "ingress":
        # a load balancer without groups: the target admits the clients it passes on (client IP
        # preserved) or the load balancer's own addresses
        for d in dst_groups:
            if d in graph.snap.groups:
                by = merge_by(by, graph.coverage.covered("ingress", d, atts[source].addresses)[1])
        return sorted(set(by) | _internet_rules(ctx, *dst_groups))
    for d in dst_groups:
        for s in src_groups:
            if d in graph.snap.groups and s != d:
                by = merge_by(by, graph._side(direction, d, s)[1] if direction == "ingress" else
                              graph._side("egress", s, d)[1])
    return sorted(r for r, granted in by.items() if granted and (services is None or granted & services))


def tier_exposure(policy: "Policy", ctx: "Context") -> list["Finding"]:
    from .evaluate import service_rows

    res, grp = _graphs(ctx)
    direct_res: dict[str, ServiceSet] = {}  # by resource: a load balancer's listener nodes joined
    for p in res.successors(INTERNET):
        direct_res[res.real(p)] = direct_res.get(res.real(p), NO_SERVICES) | res.services(INTERNET, p)
    direct_grp = {p: grp.services(INTERNET, p) for p in grp.successors(INTERNET)} if INTERNET in grp else {}
    out = []
    endpoints = _endpoint_services(ctx)
    from ..graph.records import LOAD_BALANCERS

    lbs = frozenset(a.resource for a in ctx.graph.snap.attachments if a.type in LOAD_BALANCERS)
    atts = {a.resource: a for a in ctx.graph.snap.attachments}  # once, not per subject
    for subject, group, is_resource in subjects(ctx, policy.spec):
        g, direct = (res, direct_res) if is_resource else (grp, direct_grp)
        if subject in direct or (is_resource and subject in endpoints):
            services = direct.get(subject, NO_SERVICES) | endpoints.get(subject, NO_SERVICES)
            groups = _groups_of(ctx, subject, group)
            grants = _internet_grants(ctx, *groups, reached=_reached_by_family(ctx, subject) if is_resource else None)
            reached = ctx.finding(policy, subject, "internet",
                                  f"{subject} is reachable from the internet directly on {services.describe()}",
                                  path=[INTERNET, subject], services=service_rows(services),
                                  defined_by=sorted({owner for owner, _ in grants}),
                                  # the public blocks that admit it: where the finding points
                                  sources=sorted({label for _, label in grants}))
            if policy.spec.get("remediation_direct"):  # no hop to remove: its own exposure is the fix
                reached.remediation = policy.spec["remediation_direct"]
            out.append(reached)
            continue
        passed: dict[str, str] = {}
        via = _facing(g, subject, is_resource, lbs, passed, _arrives(ctx, subject, atts) if is_resource else None)
        through = sorted(via)
        if not through:
            continue
        first = through[0]
        hop = via[first]
        inner = passed.get(first)  # an internal load balancer between them, looked through
        by = _granting(ctx, first, subject, group, is_resource, hop)
        more = f" (and {len(through) - 1} more)" if len(through) > 1 else ""
        admitting = _admitting(ctx, first, subject, group, is_resource, hop)
        open_lb = _open_lb(ctx, first)
        finding = ctx.finding(policy, subject, "internet",
                              f"{subject} is reachable from the internet through {first}, which is itself "
                              f"internet-facing{more}: internet -> {first} -> "
                              + (f"{inner} (a load balancer, which passes its connections on) -> " if inner else "")
                              + f"{subject} on {hop.describe()}" + (f" ({open_lb})" if open_lb else ""),
                              at=admitting[0] if len(admitting) == 1 else None,
                              path=[INTERNET, first] + ([inner] if inner else []) + [subject], through=through,
                              services=service_rows(hop), defined_by=by)
        routes = _crossing_routes(ctx.graph, first, subject)
        if routes:  # the hop leaves first's VPC: the routes that carry it are the other way to close it
            finding.evidence["routes"] = list(routes)
            where = [str(ctx.graph.snap.locations[r]) for r in routes if r in ctx.graph.snap.locations]
            finding.related = tuple(finding.related) + tuple(w for w in where if w != finding.location
                                                             and w not in finding.related)
        # what makes the first hop internet-facing (a rule admitting the internet, often what
        # the change adds) is related: removing it is the other way to fix the finding
        facing_groups = _groups_of(ctx, first, first)
        facing_by = sorted(_internet_rules(ctx, *facing_groups))
        if facing_by:
            finding.evidence["internet_facing_by"] = facing_by
            where = ctx.locate(first, facing_by, sorted(_internet_labels(ctx, *facing_groups)))
            finding.related = tuple(finding.related) + tuple(w for w in where if w != finding.location
                                                             and w not in finding.related)
        out.append(finding)
    return _one_store(ctx, out)


def _one_store(ctx: "Context", found: list["Finding"]) -> list["Finding"]:
    """An Aurora/DocumentDB/Neptune cluster and its instances are one data store (the cluster's
    endpoints resolve to its instances): a member reached the way its cluster is, on the same
    services, is not a finding of its own; the cluster's names it (``evidence.members``)."""
    links = ctx.graph.snap.cluster_links
    if not links:
        return found
    by = {f.address: f for f in found}
    drop: set[int] = set()
    for member, cluster in sorted(links):
        f, c = by.get(member), by.get(cluster)
        if f is None or c is None or f.status != c.status or f.evidence.get("services") != c.evidence.get("services"):
            continue
        path, cpath = f.evidence.get("path") or [], c.evidence.get("path") or []
        if path[:-1] == cpath[:-1]:
            drop.add(id(f))
            c.evidence["members"] = sorted(set(c.evidence.get("members", [])) | {member})
    for f in found:
        members = f.evidence.get("members")
        if members and id(f) not in drop:
            f.message += f" (and so its instance{'s' if len(members) > 1 else ''} {', '.join(members)})"
    return [f for f in found if id(f) not in drop]


def _open_lb(ctx: _WithGraph, node: str) -> str:
    """Why a load balancer is taken to reach more than its targets, when it is: the plan does
    not hold all its listeners and registered targets (fail closed; a load balancer connects
    only to its targets, ELB guide, "How Elastic Load Balancing works")."""
    from ..graph.records import LOAD_BALANCERS

    att = next((a for a in ctx.graph.snap.attachments if a.resource == node), None)
    if att is None or att.type not in LOAD_BALANCERS or node in ctx.graph.snap.lb_closed:
        return ""
    return (f"{node}'s listeners or registered targets are not all in this plan, so what its groups allow is "
            "taken as what it may reach")


def _internet_grants(ctx: _WithGraph, *groups: str,
                     reached: Optional[dict[str, ServiceSet]] = None) -> list[tuple[str, str]]:
    """(rule owner, block label) of the groups' ingress rules that admit public addresses;
    ``reached`` ({family: services} of a resource's exposures): only the rules that admit what
    reaches it (an IPv4-only store is not reached through its ``::/0`` rule, which a waiver
    then need not name)."""
    from ..netsets import PUBLIC, PUBLIC_V4, PUBLIC_V6

    rows = ctx.graph.cidrs["ingress"]
    if not reached:
        return [(rule.defined_by, label) for group in groups for rule, block, label in rows.get(group, ())
                if block.overlaps(PUBLIC)]
    spaces = {"ipv4": PUBLIC_V4, "ipv6": PUBLIC_V6}
    return [(rule.defined_by, label) for group in groups for rule, block, label in rows.get(group, ())
            if any(block.overlaps(spaces[family]) and rule.services & services
                   for family, services in reached.items() if family in spaces)]


def _reached_by_family(ctx: _WithGraph, subject: str) -> dict[str, ServiceSet]:
    """{family: services} of a resource's own exposures (none for a public endpoint)."""
    out: dict[str, ServiceSet] = {}
    for e in ctx.graph.exposures_of(subject):
        if e.kind == "resource" and e.family:
            out[e.family] = out.get(e.family, NO_SERVICES) | e.services
    return out


def _internet_rules(ctx: _WithGraph, *groups: str) -> set[str]:
    return {owner for owner, _ in _internet_grants(ctx, *groups)}


def _internet_labels(ctx: _WithGraph, *groups: str) -> set[str]:
    return {label for _, label in _internet_grants(ctx, *groups)}


def _groups_of(ctx: "Context", subject: str, group: str) -> tuple[str, ...]:
    return tuple(ctx.graph.attachment_groups().get(subject) or (group,))


def newly_reachable(policy: "Policy", ctx: "Context") -> list["Finding"]:
    """Every tier resource the internet reaches, by any number of hops (the gate keeps the ones
    a change makes reachable, among the resources that existed)."""
    from ..digraph import predecessor
    from .evaluate import service_rows

    res, grp = _graphs(ctx)
    out = []
    reach: dict[bool, Optional[tuple[dict, dict]]] = {True: None, False: None}
    for subject, group, is_resource in subjects(ctx, policy.spec):
        if ctx.existed is not None and subject not in ctx.existed:
            continue  # the gate keeps only resources that existed (a create plan has none to search for)
        g = res if is_resource else grp
        if reach[is_resource] is None:
            reach[is_resource] = predecessor(g, INTERNET)  # the resource graph stores no node: no "in" test
        preds, dist = reach[is_resource]  # type: ignore[misc]
        ends = sorted((dist[n], n) for n in (g.nodes_of(subject) if is_resource else [subject]) if n in dist)
        if not ends or subject == INTERNET:
            continue
        path = [ends[0][1]]
        while path[-1] != INTERNET:
            path.append(sorted(preds[path[-1]])[0])
        path.reverse()
        services = g.services(path[-2], path[-1]) if g.has_edge(path[-2], path[-1]) else NO_SERVICES
        if is_resource:
            path = [g.real(n) for n in path]
        last = path[-2]
        admitting = _admitting(ctx, last, subject, group, is_resource, services) if last != INTERNET else []
        out.append(ctx.finding(policy, subject, "reachable from the internet",
                               f"{subject} is reachable from the internet in {len(path) - 1} "
                               f"hop{'s' if len(path) > 2 else ''}: {' -> '.join(path)}",
                               at=admitting[0] if len(admitting) == 1 else None,
                               path=path, services=service_rows(services),
                               defined_by=_granting(ctx, last, subject, group, is_resource, services)
                               if last != INTERNET
                               else sorted(_internet_rules(ctx, *_groups_of(ctx, subject, group)))))
    return _one_store(ctx, out)


def locate_new_hop(finding: "Finding", before: Any, after: Any) -> None:
    """Point a newly-reachable finding at the rule admitting the first hop of its path that the
    base did not have (a new load balancer in front of the app: the ALB -> app hop, not the app
    -> database hop that was already there)."""
    path = finding.evidence.get("path") or []
    old = before.resource_graph()
    for a, b in zip(path, path[1:]):
        if a == INTERNET or old.has_edge(a, b):
            continue
        added = [r for r in _crossing_routes(after, a, b) if r not in _crossing_routes(before, a, b)
                 and r in after.snap.locations]
        if added:  # a hop between VPCs that routes the change adds (peering, transit gateway) open
            finding.location = str(after.snap.locations[added[0]])
            finding.location_exact = True
            finding.evidence["new_hop"] = [a, b]
            finding.evidence["routes"] = added
            return
        groups = after.attachment_groups().get(b)
        admitting = _admitting(_GraphOnly(after), a, b, groups[0] if groups else b, groups is not None)
        if len(admitting) == 1 and admitting[0] in after.snap.locations:
            finding.location = str(after.snap.locations[admitting[0]])
            finding.location_exact = True
            finding.evidence["new_hop"] = [a, b]
        return


def _crossing_routes(graph: Any, a: str, b: str) -> tuple[str, ...]:
    """The routes that carry ``a``'s packets to ``b`` when the two are in different VPCs."""
    atts = graph.attachments_by_resource()
    x, y = atts.get(a), atts.get(b)
    if x is None or y is None or x.vpc_id is None or y.vpc_id is None or x.vpc_id == y.vpc_id:
        return ()
    return tuple(route for route, where in x.beyond_by if y.addresses is None or where.overlaps(y.addresses))


class _GraphOnly:
    """What the rule helpers above read of a policy context: the graph."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
