"""The JSON contract (schema v1): what ``show`` and ``diff`` report, as plain sorted data.

Every report format renders these dicts, so text and JSON never disagree. The contract is
published as ``schemas/report-v1.json`` and documented in the README.
"""

from __future__ import annotations

from typing import Any, Optional

from . import __version__
from .graph import Exposure, FlowGraph, Path, Reach
from .resources import resource_flows
from .model import Snapshot, Unknown
from .netsets import NO_SERVICES, ServiceSet

SCHEMA_VERSION = 1
_RULE_TYPES = ("aws_security_group_rule.", "aws_vpc_security_group_ingress_rule.", "aws_vpc_security_group_egress_rule.")


def _is_rule(address: str) -> bool:
    local = address.rsplit("module.", 1)[-1]
    return any(t in local for t in _RULE_TYPES)


def service_entries(services: ServiceSet) -> list[dict[str, str]]:
    return [{"protocol": p, "ports": ports} for p, ports in services.entries()]


def _flow_rows(flows: dict[tuple[str, str], tuple[ServiceSet, set[str]]],
               locations: Optional[dict[str, Any]] = None) -> list[dict]:
    rows = []
    for (source, target) in sorted(flows):
        services, by = flows[(source, target)]
        defined = sorted(by)
        where = [str(locations[d]) for d in defined if locations and d in locations]
        for proto, ports in services.entries():
            row = {"from": source, "to": target, "protocol": proto, "ports": ports, "defined_by": defined}
            if where:
                row["locations"] = where
            rows.append(row)
    return rows


def _exposure_rows(exposures: list[tuple[Exposure, ServiceSet]]) -> list[dict]:
    rows = []
    for exp, services in sorted(exposures, key=lambda e: (e[0].kind != "resource", e[0].address, e[0].family)):
        for proto, ports in services.entries():
            row = {"address": exp.address, "kind": exp.kind, "type": exp.resource_type,
                   "protocol": proto, "ports": ports, "via": list(exp.via), "sources": list(exp.sources),
                   "reason": exp.reason}
            if exp.kind == "resource":
                row["family"] = exp.family
                row["listener"] = exp.listener
            rows.append(row)
    return rows


def _path_row(path: Path) -> dict:
    return {"nodes": list(path.nodes),
            "hops": [{"from": a, "to": b, "services": service_entries(s)}
                     for a, b, s in zip(path.nodes, path.nodes[1:], path.hops)]}


def _unknown_rows(unknowns: list[Unknown]) -> list[dict]:
    seen = sorted(set(unknowns), key=Unknown.sort_key)
    return [{"address": u.address, "attribute": u.attribute, "reason": u.reason} for u in seen]


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
                     "tags": {k: v for k, v in sg.tags}})
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


def show(loaded: Any, graph: FlowGraph) -> dict:
    """Everything after the change (or in the state): groups, flows, exposure, paths, unknowns."""
    flow_rows = _flow_rows({k: (f.services, f.defined_by) for k, f in graph.flows.items()}, graph.snap.locations)
    paths = graph.paths()
    exposures = [(e, e.services) for e in graph.exposures]
    return {
        "schema_version": SCHEMA_VERSION, "tool": {"name": "tfsg", "version": __version__}, "command": "show",
        "input": _input(loaded),
        "summary": {"groups": len(graph.snap.groups), "flows": len(flow_rows),
                    "exposed_resources": len({e.address for e in graph.exposures if e.kind == "resource"}),
                    "exposed_groups": len({e.address for e in graph.exposures if e.kind == "group"}),
                    "paths": len(paths), "unknown": len(set(graph.unknowns))},
        "groups": _group_rows(graph),
        "reach": {g: {"ingress": _reach_row(graph.reach(g, "ingress")), "egress": _reach_row(graph.reach(g, "egress"))}
                  for g in sorted(graph.snap.groups)},
        "flows": flow_rows,
        "resource_flows": _resource_rows(resource_flows(graph)),
        "exposed": _exposure_rows(exposures),
        "paths": [_path_row(p) for p in paths],
        "unknown": _unknown_rows(graph.unknowns),
        "locations": {k: str(v) for k, v in sorted(graph.snap.locations.items())},
    }


def diff(loaded: Any, before: FlowGraph, after: FlowGraph) -> dict:
    """What the change does to reachability: flows, exposure and paths added and removed."""
    added, removed = {}, {}
    for key in set(before.flows) | set(after.flows):
        b = before.flows.get(key)
        a = after.flows.get(key)
        # A group pair that is a flow on one side only is evaluated on the other side too: a
        # CIDR rule may already have allowed what a new group reference now names.
        bs = b.services if b else before.pair(*key)
        as_ = a.services if a else after.pair(*key)
        if as_ - bs:
            added[key] = (as_ - bs, a.defined_by if a else set())
        if bs - as_:
            removed[key] = (bs - as_, b.defined_by if b else set())

    def exposure_delta(x: FlowGraph, y: FlowGraph) -> list[tuple[Exposure, ServiceSet]]:
        prior = {(e.address, e.kind, e.family, e.listener): e.services for e in x.exposures}
        out = []
        for e in y.exposures:
            extra = e.services - prior.get((e.address, e.kind, e.family, e.listener), NO_SERVICES)
            if extra:
                out.append((e, extra))
        return out

    newly = exposure_delta(before, after)
    no_longer = exposure_delta(after, before)
    before_paths = {p.nodes: p for p in before.paths()}
    after_paths = {p.nodes: p for p in after.paths()}
    # A path stops being listed when a shorter one appears (its target became directly
    # exposed, say); it is added or removed only when its hops appear or disappear.
    paths_added = [after_paths[n] for n in sorted(set(after_paths) - set(before_paths)) if not before.has_path(n)]
    paths_removed = [before_paths[n] for n in sorted(set(before_paths) - set(after_paths)) if not after.has_path(n)]

    exposure_changes = []
    touched = {end for key in list(added) + list(removed) for end in key}
    for group in sorted((set(before.snap.groups) | set(after.snap.groups)) & touched):
        for direction in ("ingress", "egress"):
            rb, ra = before.reach(group, direction), after.reach(group, direction)
            if rb != ra:
                exposure_changes.append({"group": group, "direction": direction,
                                         "before": _reach_row(rb), "after": _reach_row(ra)})
    added_rows, removed_rows = _flow_rows(added, after.snap.locations), _flow_rows(removed, before.snap.locations)
    rb, ra = resource_flows(before), resource_flows(after)
    resources_added = resources_removed = None
    if rb is not None and ra is not None:
        resources_added = {k: ra[k] - rb.get(k, NO_SERVICES) for k in ra if ra[k] - rb.get(k, NO_SERVICES)}
        resources_removed = {k: rb[k] - ra.get(k, NO_SERVICES) for k in rb if rb[k] - ra.get(k, NO_SERVICES)}
    changed = bool(added_rows or removed_rows or newly or no_longer or paths_added or paths_removed)
    changes = getattr(loaded, "actions", None)
    group_rows = _group_rows(after, before.snap, changes)
    unknown_rows = _unknown_rows(after.unknowns + _before_only(before.unknowns, after.unknowns))
    return {
        "schema_version": SCHEMA_VERSION, "tool": {"name": "tfsg", "version": __version__}, "command": "diff",
        "input": _input(loaded),
        "summary": {"reachability_changed": changed, "added": len(added_rows), "removed": len(removed_rows),
                    "newly_exposed": len(_exposure_rows(newly)), "no_longer_exposed": len(_exposure_rows(no_longer)),
                    "paths_added": len(paths_added), "paths_removed": len(paths_removed),
                    "groups_changed": sum(1 for g in group_rows if g["change"] not in ("no-op", "read")),
                    "rule_resources_changed": sum(1 for addr, action in (changes or {}).items()
                                                  if action not in ("no-op", "read") and _is_rule(addr)),
                    "unknown": len(unknown_rows)},
        "groups": group_rows,
        "added": added_rows,
        "removed": removed_rows,
        "newly_exposed": _exposure_rows(newly),
        "no_longer_exposed": _exposure_rows(no_longer),
        "resource_flows_added": _resource_rows(resources_added),
        "resource_flows_removed": _resource_rows(resources_removed),
        "paths_added": [_path_row(p) for p in paths_added],
        "paths_removed": [_path_row(p) for p in paths_removed],
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
               "location": f.location, "blocking": id(f) in blocking}
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
