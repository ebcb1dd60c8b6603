"""The JSON contract (schema v2): what ``show`` and ``diff`` report, as plain sorted data.

Every report format renders these dicts, so text and JSON never disagree. The contract is
published as ``schemas/report-v2.json`` and documented in the README (changes from v1 in its
changelog: CIDR-derived flows are stated compactly in ``cidr_flows`` with ``group_sets``
unless ``--expand``; paths list resources).
"""

from __future__ import annotations

import functools
from typing import Any, Optional

from . import __version__
from .graph import CidrFlow, Exposure, Flow, FlowGraph, Path, Reach
from .graph.records import entry_services, merge_by
from .graph.resources import resource_flows
from .model import Snapshot, Unknown, assumed_routes
from .netsets import ALL_SERVICES, NO_SERVICES, AddressSet, ServiceSet, covering_services, union_all

SCHEMA_VERSION = 2
_RULE_TYPES = ("aws_security_group_rule.", "aws_vpc_security_group_ingress_rule.",
               "aws_vpc_security_group_egress_rule.")


def _is_rule(address: str) -> bool:
    local = address.rsplit("module.", 1)[-1]
    return any(t in local for t in _RULE_TYPES)


@functools.lru_cache(maxsize=4096)
def service_entries(services: ServiceSet) -> list[dict[str, str]]:
    """``[{"protocol", "ports"}]`` rows of a service set. One list per distinct set (the 28,000
    paths of a large plan share a few dozen): read-only."""
    return [{"protocol": p, "ports": ports} for p, ports in services.entries()]


def _flow_rows(flows: dict[tuple[str, str], tuple[ServiceSet, dict[str, ServiceSet]]],
               locations: Optional[dict[str, Any]] = None) -> list[dict]:
    """One row per contiguous range; ``defined_by`` lists the rules that grant that range."""
    rows = []
    # which rules grant each range depends on the services and what each rule grants, not on
    # the rules' names: a 5,000-group plan has 23,000 such flows and 1,100 distinct shapes
    shapes: dict[tuple, list[tuple[int, ...]]] = {}
    placed: dict[tuple[str, ...], list[str]] = {}  # the locations of a list of rules, once per list
    for (source, target) in sorted(flows):
        services, by = flows[(source, target)]
        entries = services.entries()
        if len(by) > 1 and len(entries) == 1:  # most flows: one range, every rule granting part of it
            by = {rule: granted for rule, granted in by.items() if granted & services}
        per_entry: Optional[list[list[str]]] = None
        if len(by) > 1 and len(entries) > 1:
            rules = sorted(by)
            shape = (services, tuple(by[r] for r in rules))
            picked = shapes.get(shape)
            if picked is None:
                picked = shapes[shape] = [tuple(i for i, r in enumerate(rules) if by[r] & entry_services(p, q))
                                          for p, q in entries]
            per_entry = [[rules[i] for i in idx] for idx in picked]
        for n, (proto, ports) in enumerate(entries):
            defined = per_entry[n] if per_entry is not None else sorted(by)
            row = {"from": source, "to": target, "protocol": proto, "ports": ports, "defined_by": defined}
            if locations:
                names = tuple(defined)
                where = placed.get(names)
                if where is None:
                    where = placed[names] = [str(locations[d]) for d in defined if d in locations]
                if where:
                    row["locations"] = list(where)
            rows.append(row)
    return rows


def _exposure_rows(exposures: list[tuple[Exposure, ServiceSet]]) -> list[dict]:
    """One row per contiguous range, with the public blocks that admit that range (a group's
    IPv4-only, both-family and IPv6-only parts are rows of their own)."""
    rows = []
    # a total order (two rows of one resource and family differ by listener, or by the listener
    # block of a Classic Load Balancer: its reason): byte-identical output whatever the path
    for exp, services in sorted(exposures, key=lambda e: (e[0].kind != "resource", e[0].address, e[0].family or "",
                                                          e[0].listener or "", e[0].reason, e[1].describe())):
        # a part: (services, its blocks[, the groups that admit it: a resource's])
        parts = [(services & part[0], part[1], part[2] if len(part) > 2 else exp.via) for part in exp.parts] \
            if exp.parts else [(services, exp.sources, exp.via)]
        entries = sorted(((proto, ports, sources, via) for part, sources, via in parts
                          for proto, ports in part.entries()),
                         key=lambda e: (_PROTOCOL_ORDER.get(e[0], 9), _low(e[0]), _low(e[1]), e[1], e[2]))
        for proto, ports, sources, via in entries:
            row: dict[str, Any] = {"address": exp.address, "kind": exp.kind, "type": exp.resource_type,
                   "protocol": proto, "ports": ports, "via": list(via), "sources": list(sources),
                   "reason": exp.reason}
            if exp.kind == "resource":
                row["family"] = exp.family
                row["listener"] = exp.listener
            rows.append(row)
    return rows


_PROTOCOL_ORDER = {"all": 0, "tcp": 1, "udp": 2, "icmp": 3, "icmpv6": 4}


def _low(ports: str) -> int:
    """The first port (or ICMP type, or protocol number) of a row's text, for ordering rows."""
    head = ports.split("-", 1)[0].split("/", 1)[0]
    return int(head) if head.isdigit() else -1


def _unique(paths: list[Path]) -> list[Path]:
    """Paths sorted by nodes, one per node sequence (the last of equals, as a dict keyed by nodes
    keeps): no re-sorting of the 28,000 paths of a large plan."""
    out: list[Path] = []
    for p in paths:
        if out and out[-1].nodes == p.nodes:
            out[-1] = p
        else:
            out.append(p)
    return out


def _path_rows(paths: list[Path], graph: FlowGraph) -> list[dict]:
    """Each path with, beside each resource, its groups (the groups of a group node: itself).
    A hop's row is made once and shared (read-only) by the paths that take it: the 28,000
    paths of a large plan share their first hops."""
    atts = graph.attachment_groups()
    groups: dict[str, list[str]] = {}
    hops: dict[tuple, dict] = {}
    out = []
    for path in paths:
        nodes = path.nodes
        row_groups = []
        for n in nodes:
            got = groups.get(n)
            if got is None:
                got = groups[n] = atts.get(n) or ([n] if graph.is_group(n) else [])
            row_groups.append(got)
        row_hops = []
        for a, b, s in zip(nodes, nodes[1:], path.hops):
            key = (a, b, s)
            hop = hops.get(key)
            if hop is None:
                hop = hops[key] = {"from": a, "to": b, "services": service_entries(s)}
            row_hops.append(hop)
        out.append({"nodes": list(nodes), "groups": row_groups, "hops": row_hops})
    return out


class GroupSets:
    """Sets of groups named by CIDR flow rows, defined once in the report (``group_sets``)."""

    def __init__(self) -> None:
        self.sets: dict[frozenset, str] = {}

    def rows(self, rows: list[CidrFlow], locations: Optional[dict[str, Any]] = None) -> list[dict]:
        out = []
        for row in rows:
            where = str(locations[row.defined_by]) if locations and row.defined_by in locations else None
            for proto, ports in row.services.entries():
                item = {"from": row.block, "to": row.target, "protocol": proto, "ports": ports,
                        "defined_by": [row.defined_by], "groups": row.groups}
                if where:
                    item["locations"] = [where]
                out.append(item)
        out.sort(key=lambda r: (r["from"], r["to"], r["protocol"], r["ports"], r["defined_by"]))
        return out

    def finish(self, *row_lists: list[dict]) -> dict[str, list[str]]:
        """Number the sets (in sorted order of their members) and put the ids in the rows."""
        used = {id(r["groups"]): r["groups"] for rows in row_lists for r in rows}
        ordered = sorted((sorted(s), s) for s in used.values())
        ids = {id(s): f"S{i}" for i, (_, s) in enumerate(ordered, 1)}
        for rows in row_lists:
            for r in rows:
                r["groups"] = ids[id(r["groups"])]
        return {f"S{i}": members for i, (members, _) in enumerate(ordered, 1)}


def _pair_count(rows: list[dict], sets: dict[str, list[str]]) -> int:
    """Distinct (source group, target) pairs the CIDR rows state (a target never flows to itself)."""
    by_target: dict[str, set[str]] = {}
    for r in rows:
        by_target.setdefault(r["to"], set()).add(r["groups"])
    total = 0
    for target, ids in by_target.items():
        if len(ids) == 1:
            members = sets[next(iter(ids))]
            total += len(members) - (target in members)
        else:
            union = set().union(*(sets[i] for i in ids))
            total += len(union) - (target in union)
    return total


def _expanded(graph: FlowGraph) -> dict[tuple[str, str], Flow]:
    """Every flow, the CIDR-derived group pairs spelled out (``--expand``)."""
    flows = dict(graph.flows)
    for target in graph.cidr_flows.rows:
        for source in graph.cidr_flows.predecessors(target):
            if (source, target) not in flows:
                services = graph.pair(source, target)
                if services:
                    by = merge_by(graph._side("ingress", target, source)[1], graph._side("egress", source, target)[1])
                    flows[(source, target)] = Flow(services, {r: s & services for r, s in by.items() if s & services})
    return flows


def _cidr_delta(x: FlowGraph, y: FlowGraph) -> list[CidrFlow]:
    """CIDR-derived flows of ``y`` that ``x`` does not have, as rows of (new) group sets.

    A target whose rows are the same objects on both sides adds nothing; a target ``x`` does not
    have at all adds all its rows; otherwise each group a row names that the matching row of
    ``x`` does not is checked against ``x.pair`` and the services it really gains are kept. Pairs
    that are explicit flows of ``y`` are left to the explicit rows."""
    out: list[CidrFlow] = []
    for target, rows in sorted(y.cidr_flows.rows.items()):
        prior = x.cidr_flows.rows.get(target, [])
        if len(prior) == len(rows) and all(a is b or (a.groups is b.groups and a == b) for a, b in zip(prior, rows)):
            continue
        if not prior and target not in x.snap.groups:
            out.extend(rows)
            continue
        # one rule's block is split into rows by the senders' egress, several with the same
        # services: a group is new to the key only if no prior row of that key names it
        matching: dict[tuple[str, ServiceSet, str], list[frozenset]] = {}
        for r in prior:
            matching.setdefault((r.block, r.services, r.defined_by), []).append(r.groups)
        gained: dict[tuple[str, ServiceSet, str], set[str]] = {}
        for row in rows:
            candidates = row.groups
            for before in matching.get((row.block, row.services, row.defined_by), ()):
                candidates = candidates - before
            for g in sorted(candidates):
                if g == target or (g, target) in y.flows:
                    continue
                extra = row.services - x.pair(g, target)
                if extra:
                    gained.setdefault((row.block, extra, row.defined_by), set()).add(g)
        for (block, services, by), groups in gained.items():
            out.append(CidrFlow(block, target, services, y.intern.setdefault(frozenset(groups), frozenset(groups)), by))
    return out


def _unknown_rows(unknowns: list[Unknown]) -> list[dict]:
    """One row per (address, attribute, reason): the same unknown raised for several scopes (a
    service's group for each direction, say) is one thing for a reader."""
    rows = {(u.address, u.attribute, u.reason): u for u in sorted(set(unknowns), key=Unknown.sort_key)}
    return [{"address": a, "attribute": b, "reason": c} for (a, b, c) in rows]


def _group_rows(graph: FlowGraph, extra: Optional[Snapshot] = None, changes: Optional[dict] = None) -> list[dict]:
    snap = graph.snap
    groups = dict(snap.groups)
    if extra is not None:
        for key, sg in extra.groups.items():
            groups.setdefault(key, sg)
    rows = []
    for key in sorted(groups):
        sg = groups[key]
        attached = sorted(a.resource for a in graph.members.get(key, []))
        loc = snap.locations.get(key) or (extra.locations.get(key) if extra else None)
        change = (changes or {}).get(key, sg.change if key in snap.groups else "delete")
        rows.append({"address": sg.address, "id": sg.id, "name": sg.name, "vpc_id": sg.vpc_id,
                     "description": sg.description, "default": sg.default, "attached": attached,
                     "change": change, "location": str(loc) if loc else None,
                     "tags": dict(sg.tags)})
    return rows


def _input(loaded: Any) -> dict:
    return dict(loaded.meta)


def _resource_rows(flows: Optional[dict]) -> Optional[list[dict]]:
    """Resource-level reachability (resources.py); None when the plan is too large to list it."""
    if flows is None:
        return None
    return [{"from": a, "to": b, "protocol": p, "ports": ports}
            for (a, b) in sorted(flows) for p, ports in flows[(a, b)].entries()]


def _revoked_rows(snap: Snapshot) -> list[dict]:
    """Rules of unchanged rule resources that this apply revokes (a group managing the
    direction inline is reset to its planned list; hashicorp/terraform#27674)."""
    rows = []
    for rule in snap.revoked:
        for proto, ports in rule.services.entries():
            rows.append({"group": rule.group, "direction": rule.direction, "peer": rule.peer.label,
                         "protocol": proto, "ports": ports, "defined_by": rule.defined_by})
    return sorted(rows, key=lambda r: (r["group"], r["direction"], r["defined_by"], r["peer"], r["protocol"],
                                       r["ports"]))


def _before_only(before: list[Unknown], after: list[Unknown]) -> list[Unknown]:
    """What could not be read in the prior values: a flow may look added because of it."""
    seen = {(u.address, u.attribute) for u in after}
    return [Unknown(u.address, u.attribute, f"before the change: {u.reason}", u.scope, u.services)
            for u in before if (u.address, u.attribute) not in seen]


def _reach_row(r: Reach) -> dict:
    return {"addresses": r.addresses, "groups": r.groups, "members": r.members,
            "unknown_members": r.unknown_members}


def show(loaded: Any, graph: FlowGraph, expand: bool = False) -> dict:
    """Everything after the change (or in the state): groups, flows, exposure, paths, unknowns.

    ``expand``: list every CIDR-derived group pair in ``flows`` (``cidr_flows`` is then empty)."""
    flows = _expanded(graph) if expand else graph.flows
    flow_rows = _flow_rows({k: (f.services, f.defined_by) for k, f in flows.items()}, graph.snap.locations)
    sets = GroupSets()
    cidr_rows = [] if expand else sets.rows([r for rows in graph.cidr_flows.rows.values() for r in rows],
                                            graph.snap.locations)
    group_sets = sets.finish(cidr_rows)
    paths = graph.paths()
    exposures = [(e, e.services) for e in graph.exposures]
    return {
        "schema_version": SCHEMA_VERSION, "tool": {"name": "tfsg", "version": __version__}, "command": "show",
        "input": _input(loaded),
        "summary": {"groups": len(graph.snap.groups), "flows": len(flow_rows), "cidr_flows": len(cidr_rows),
                    "cidr_group_pairs": _pair_count(cidr_rows, group_sets), "expanded": expand,
                    "exposed_resources": len({e.address for e in graph.exposures if e.kind == "resource"}),
                    "exposed_groups": len({e.address for e in graph.exposures if e.kind == "group"}),
                    "paths": len(paths), "unknown": len(set(graph.unknowns))},
        "groups": _group_rows(graph),
        "reach": {g: {"ingress": _reach_row(graph.reach(g, "ingress")), "egress": _reach_row(graph.reach(g, "egress"))}
                  for g in sorted(graph.snap.groups)},
        "flows": flow_rows,
        "cidr_flows": cidr_rows,
        "group_sets": group_sets,
        "resource_flows": _resource_rows(resource_flows(graph)),
        "exposed": _exposure_rows(exposures),
        "paths": _path_rows(paths, graph),
        "unknown": _unknown_rows(graph.unknowns),
        "locations": {k: str(v) for k, v in sorted(graph.snap.locations.items())},
    }


def _changed_lists(before: FlowGraph, after: FlowGraph) -> set[str]:
    """Labels of the prefix lists both sides' rules name, with other entries after the change."""
    if before is after:
        return set()
    b, a = before.rules.list_blocks(), after.rules.list_blocks()
    return {label for label in b.keys() & a.keys() if b[label] != a[label]}


def _drop_relabelled(rows: dict, graph: FlowGraph, other: FlowGraph) -> None:
    """An address flow of ``graph`` whose block the other side's blocks of that group still
    cover on those services is no change: 0.0.0.0/0 rewritten as 0.0.0.0/1 + 128.0.0.0/1, a /24
    inside a new 0.0.0.0/0 (netsets' set algebra, not the labels)."""
    # per (direction, group), once: this side's block of each label, and the other side's
    # blocks merged per distinct services (a group with 60,000 blocks has a few service sets:
    # linear, not one pass over every block per flow)
    labels: dict[tuple[str, str], dict[str, AddressSet]] = {}
    merged: dict[tuple[str, str], list[tuple[ServiceSet, AddressSet]]] = {}
    for key in list(rows):  # (each key is decided on its own: no order needed)
        source, target = key
        target_group = graph.is_group(target)
        if target_group and graph.is_group(source):
            continue
        direction, group, label = ("ingress", target, source) if target_group else ("egress", source, target)
        theirs = other.cidrs[direction].get(group)
        if not theirs:
            continue  # the other side has no block of that group: nothing is relabelled
        where = (direction, group)
        if where not in labels:
            labels[where] = {}
            for _, b, lb in graph.cidrs[direction].get(group, ()):
                labels[where].setdefault(lb, b)
            by_services: dict[ServiceSet, list[AddressSet]] = {}
            for rule, b, _ in theirs:
                by_services.setdefault(rule.services, []).append(b)
            merged[where] = [(svc, union_all(blocks)) for svc, blocks in by_services.items()]
        block = labels[where].get(label)
        if block is None:
            continue
        pairs = merged[where]
        services, by = rows[key]
        left = services - covering_services(pairs, block)
        if not left:
            del rows[key]
        elif left != services:
            rows[key] = (left, by)



def _still_reached(graph: FlowGraph) -> dict[str, ServiceSet]:
    """Per group or resource, what ``graph`` may still let the internet reach although no row
    of its exposures says so: a group's services forwarded by listeners (hops.lb_sources), and
    every service for a resource whose groups or public address are unknown there."""
    out: dict[str, ServiceSet] = {}
    for group, listeners in graph.hops.lb_sources.items():
        for services in listeners.values():
            out[group] = out.get(group, NO_SERVICES) | services
    for u in list(graph.snap.unknowns) + list(graph.unknowns):
        if u.attribute in ("security groups", "public address", "vpc_security_group_ids", "security_groups"):
            out[u.address] = ALL_SERVICES
    return out

def diff(loaded: Any, before: FlowGraph, after: FlowGraph, expand: bool = False) -> dict:
    """What the change does to reachability: flows, exposure and paths added and removed.

    ``added``/``removed``: explicit and address flows (every group pair with ``expand``);
    ``cidr_added``/``cidr_removed``: CIDR-derived flows gained or lost, per set of groups."""
    added, removed = {}, {}
    bflows, aflows = (_expanded(before), _expanded(after)) if expand else (before.flows, after.flows)
    for key in set(bflows) | set(aflows):
        b = bflows.get(key)
        a = aflows.get(key)
        # A group pair that is a flow on one side only is evaluated on the other side too: a
        # CIDR rule may already have allowed what a new group reference now names.
        bs = b.services if b else before.pair(*key)
        as_ = a.services if a else after.pair(*key)
        if as_ - bs:
            added[key] = (as_ - bs, a.defined_by if a else {})
        if bs - as_:
            removed[key] = (bs - as_, b.defined_by if b else {})
    # a prefix list whose entries change changes every rule that names it, though no rule does
    # (VPC user guide, "Managed prefix lists"): its flows carry other addresses than before
    changed_lists = _changed_lists(before, after)
    for key in sorted(set(bflows) & set(aflows)) if changed_lists else ():
        label = key[0] if key[0] in changed_lists else key[1] if key[1] in changed_lists else None
        if label is None or key in added or key in removed:
            continue
        b, a = bflows[key], aflows[key]
        was, now = before.rules.list_blocks()[label], after.rules.list_blocks()[label]
        if not was.issuperset(now):  # the list's entries (and so its rules) grant it
            added[key] = (a.services, merge_by(a.defined_by, {label: a.services}))
        if not now.issuperset(was):
            removed[key] = (b.services, merge_by(b.defined_by, {label: b.services}))
    _drop_relabelled(added, after, before)
    _drop_relabelled(removed, before, after)

    # a resource public before only by a route assumed for a table the plan did not hold, and
    # by a known one after: the change decided its route; its exposure before is not counted
    routed = assumed_routes(before.snap) - assumed_routes(after.snap) if before is not after else set()

    def exposure_delta(x: FlowGraph, y: FlowGraph) -> list[tuple[Exposure, ServiceSet]]:
        prior = {(e.address, e.kind, e.family, e.listener): e.services for e in x.exposures
                 if not (x is before and e.address in routed)}
        # what "no longer reachable" (x: the after side) may not claim: a group the internet
        # still reaches through a listener, on what it forwards (its row lists listeners only
        # beside a public block), and a resource whose groups or address x cannot tell
        still = _still_reached(x) if x is after and x is not before else {}
        out = []
        for e in y.exposures:
            extra = e.services - prior.get((e.address, e.kind, e.family, e.listener), NO_SERVICES) \
                - still.get(e.address, NO_SERVICES)
            if extra:
                out.append((e, extra))
        return out

    newly = exposure_delta(before, after)
    no_longer = exposure_delta(after, before)
    before_paths, after_paths = _unique(before.paths()), _unique(after.paths())
    before_nodes, after_nodes = {p.nodes for p in before_paths}, {p.nodes for p in after_paths}
    # A path stops being listed when a shorter one appears (its target became directly
    # exposed, say); it is added or removed only when its hops appear or disappear.
    empty_before = not before.snap.groups and not before.snap.attachments  # (a create plan: no hop existed)
    paths_added = [p for p in after_paths if p.nodes not in before_nodes
                   and (empty_before or not before.has_path(p.nodes))]
    paths_removed = [p for p in before_paths if p.nodes not in after_nodes and not after.has_path(p.nodes)]
    # the same resources, a hop carrying more (or less) than before: the path as it is now is
    # added (SSH joining 8080 into the admin host), as it was is removed; a path that only
    # narrows is listed as it is now too, beside the wider one removed (it is still a way in)
    # (a last hop gaining only what the internet now reaches directly on its target is that
    # exposure's, reported as newly exposed: not a new way in)
    by_nodes = {p.nodes: p for p in before_paths}
    direct: dict[str, ServiceSet] = {}
    for e in after.exposures:
        if e.kind == "resource" and e.listener is None:
            direct[e.address] = direct.get(e.address, NO_SERVICES) | e.services
    for p in after_paths:
        old = by_nodes.get(p.nodes)
        if old is None or len(old.hops) != len(p.hops) or old.hops == p.hops:
            continue
        gained = [now - was for was, now in zip(old.hops, p.hops)]
        gained[-1] = gained[-1] - direct.get(p.nodes[-1], NO_SERVICES)
        narrowed = any(not now.issuperset(was) for was, now in zip(old.hops, p.hops))
        if narrowed or any(g for g in gained):
            paths_added.append(p)
        if narrowed:
            paths_removed.append(old)
    paths_added.sort(key=lambda p: p.nodes)
    paths_removed.sort(key=lambda p: p.nodes)

    exposure_changes = []
    delta_added = [] if expand else _cidr_delta(before, after)
    delta_removed = [] if expand else _cidr_delta(after, before)
    touched = {end for key in list(added) + list(removed) for end in key}
    touched |= {r.target for r in delta_added + delta_removed}
    touched |= {g for r in delta_added + delta_removed for g in r.groups} \
        if len(delta_added) + len(delta_removed) < 64 else set()
    for group in sorted((set(before.snap.groups) | set(after.snap.groups)) & touched):
        for direction in ("ingress", "egress"):
            rb, ra = before.reach(group, direction), after.reach(group, direction)
            if rb != ra:
                exposure_changes.append({"group": group, "direction": direction,
                                         "before": _reach_row(rb), "after": _reach_row(ra)})
    added_rows, removed_rows = _flow_rows(added, after.snap.locations), _flow_rows(removed, before.snap.locations)
    sets = GroupSets()
    cidr_added = sets.rows(delta_added, after.snap.locations)
    cidr_removed = sets.rows(delta_removed, before.snap.locations)
    group_sets = sets.finish(cidr_added, cidr_removed)
    fb, fa = resource_flows(before), resource_flows(after)
    resources_added = resources_removed = None
    if fb is not None and fa is not None:
        resources_added = {k: fa[k] - fb.get(k, NO_SERVICES) for k in fa if fa[k] - fb.get(k, NO_SERVICES)}
        resources_removed = {k: fb[k] - fa.get(k, NO_SERVICES) for k in fb if fb[k] - fa.get(k, NO_SERVICES)}
    # a new member of a group that already had flows changes who can connect to whom, not the
    # groups' flows: resource-level connections count as a change of reachability too
    changed = bool(added_rows or removed_rows or cidr_added or cidr_removed or newly or no_longer
                   or paths_added or paths_removed or resources_added or resources_removed)
    changes = getattr(loaded, "actions", None)
    group_rows = _group_rows(after, before.snap, changes)
    unknown_rows = _unknown_rows(after.unknowns + _before_only(before.unknowns, after.unknowns))
    return {
        "schema_version": SCHEMA_VERSION, "tool": {"name": "tfsg", "version": __version__}, "command": "diff",
        "input": _input(loaded),
        "summary": {"reachability_changed": changed, "added": len(added_rows), "removed": len(removed_rows),
                    "cidr_added": len(cidr_added), "cidr_removed": len(cidr_removed),
                    "cidr_group_pairs_added": _pair_count(cidr_added, group_sets),
                    "cidr_group_pairs_removed": _pair_count(cidr_removed, group_sets), "expanded": expand,
                    "newly_exposed": len(_exposure_rows(newly)), "no_longer_exposed": len(_exposure_rows(no_longer)),
                    "paths_added": len(paths_added), "paths_removed": len(paths_removed),
                    "resource_flows_added": len(_resource_rows(resources_added) or []),
                    "resource_flows_removed": len(_resource_rows(resources_removed) or []),
                    "groups_changed": sum(1 for g in group_rows if g["change"] not in ("no-op", "read")),
                    "rule_resources_changed": sum(1 for addr, action in (changes or {}).items()
                                                  if action not in ("no-op", "read") and _is_rule(addr)),
                    "unknown": len(unknown_rows)},
        "groups": group_rows,
        "added": added_rows,
        "removed": removed_rows,
        "cidr_added": cidr_added,
        "cidr_removed": cidr_removed,
        "group_sets": group_sets,
        "newly_exposed": _exposure_rows(newly),
        "no_longer_exposed": _exposure_rows(no_longer),
        "resource_flows_added": _resource_rows(resources_added),
        "resource_flows_removed": _resource_rows(resources_removed),
        "paths_added": _path_rows(paths_added, after),
        "paths_removed": _path_rows(paths_removed, before),
        "exposure_changes": exposure_changes,
        "revoked": _revoked_rows(after.snap),
        "unknown": unknown_rows,
        "locations": {k: str(v) for k, v in sorted({**before.snap.locations, **after.snap.locations}.items())},
    }



def check(diff_result: dict, verdict: Any, config_path: Optional[str],
          rationales: Optional[dict[str, str]] = None) -> dict:
    """The diff contract plus the gate: findings (introduced and existing), verdict, waivers."""
    blocking = {id(f) for f in verdict.blocking()}
    rows = []
    for f in verdict.findings:
        row = {"policy": f.policy, "severity": f.severity, "title": f.title, "message": f.message,
               "address": f.address, "key": f.key, "introduced": f.introduced, "status": f.status,
               "evidence": f.evidence, "waived": f.waived, "remediation": f.remediation,
               "location": f.location, "location_exact": f.location_exact, "blocking": id(f) in blocking}
        if f.related:
            row["related_locations"] = list(f.related)
        if rationales and rationales.get(f.policy):
            row["rationale"] = rationales[f.policy]
        rows.append(row)
    order = {s: i for i, s in enumerate(("critical", "high", "medium", "low", "info"))}
    rows.sort(key=lambda r: (not r["blocking"], not r["introduced"], order[r["severity"]], r["policy"], r["address"],
                             r["message"]))
    result = dict(diff_result)
    result["command"] = "check"
    result["findings"] = rows
    result["waivers"] = verdict.waiver_notes
    result["resolved"] = [{"policy": f.policy, "severity": f.severity, "title": f.title, "address": f.address,
                           "message": f.message} for f in verdict.resolved]
    result["verdict"] = {"passed": verdict.passed, "fail_on": verdict.fail_on,
                         "fail_on_existing": verdict.fail_on_existing, "blocking": len(blocking),
                         "config": config_path}
    return result
