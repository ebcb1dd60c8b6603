"""The shape of any plan JSON (generated or Terraform's): what a benchmark plan holds.

    python3 bench/planshape.py PLAN.json [...]      (also: python3 bench/realistic.py shape ...)

Counts, on the planned side, read from the JSON alone (no tfsg): resources and their actions,
security groups, rules one per peer (CIDR, prefix list, group, self) as tfsg counts them, inline
or in rule resources, ingress rules from non-public CIDRs, group-reference pairs (group,
direction, referenced group), resources attached to groups and whether their subnets are in the
plan, the groups they cover, load balancers without groups. A group's inline list counts only
when the configuration writes it (otherwise it is what AWS returned: the rule resources' rules).
In a create plan, group ids of inline blocks are unknown and the configuration collapses their
references per direction, so those pairs are an estimate.
"""

from __future__ import annotations

import collections
import ipaddress
import json
import os
import re
import sys
from typing import Any, Optional

_NON_PUBLIC = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
               "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
               "203.0.113.0/24", "224.0.0.0/3", "::/3", "4000::/2", "8000::/1"]
# where a resource's groups and subnets are (the common attached types; tfsg's table has more)
_MEMBER_PATHS = {
    "aws_instance": (("vpc_security_group_ids",), ("subnet_id",)),
    "aws_lb": (("security_groups",), ("subnets",)),
    "aws_db_instance": (("vpc_security_group_ids",), ("db_subnet_group_name",)),
    "aws_lambda_function": (("vpc_config", 0, "security_group_ids"), ("vpc_config", 0, "subnet_ids")),
    "aws_ecs_service": (("network_configuration", 0, "security_groups"), ("network_configuration", 0, "subnets")),
    "aws_network_interface": (("security_groups",), ("subnet_id",)),
    "aws_launch_template": (("vpc_security_group_ids",), ()),
    "aws_elasticache_cluster": (("security_group_ids",), ("subnet_group_name",)),
    "aws_efs_mount_target": (("security_groups",), ("subnet_id",)),
    "aws_vpc_endpoint": (("security_group_ids",), ("subnet_ids",)),
    "aws_eks_cluster": (("vpc_config", 0, "security_group_ids"), ("vpc_config", 0, "subnet_ids")),
    "aws_rds_cluster": (("vpc_security_group_ids",), ("db_subnet_group_name",)),
}


def _non_public(cidr: str) -> bool:
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return any(net.version == b.version and net.subnet_of(b) for b in map(ipaddress.ip_network, _NON_PUBLIC))


def shape(plan: dict) -> dict:
    """Counts of a plan (generated or real), read from its JSON alone, on the planned side:
    resources, groups, rules (one per peer: CIDR, prefix list, group, self, as tfsg counts them),
    inline or standalone, attached resources and the groups they cover, private CIDR rules, group
    references. Unknown group ids of a create plan come from the configuration's references."""
    changes = plan.get("resource_changes", [])
    config = {r["address"]: r for r in _config_resources(plan.get("configuration", {}).get("root_module", {}))}
    id_to_addr = {}
    for rc in changes:
        for side in ("before", "after"):
            v = rc["change"].get(side)
            if isinstance(v, dict) and rc["type"] == "aws_security_group" and isinstance(v.get("id"), str):
                id_to_addr[v["id"]] = rc["address"]
    actions = collections.Counter(",".join(rc["change"]["actions"]) for rc in changes)
    types = collections.Counter(rc["type"] for rc in changes)
    out = {"resources": len(changes), "actions": dict(actions), "groups": 0, "rules": 0, "inline rules": 0,
           "standalone rules": 0, "rule resources": collections.Counter(), "private CIDR ingress rules": 0,
           "distinct private CIDRs": set(), "group-reference pairs": set(), "attached resources": 0,
           "attached in known subnets": 0, "groups covered": set(), "load balancers without groups": 0}
    subnet_ids = {}  # id (or subnet group name) -> address
    for rc in changes:
        if rc["type"] in ("aws_subnet", "aws_default_subnet", "aws_db_subnet_group"):
            for side in ("before", "after"):
                v = rc["change"].get(side) or {}
                for k in ("id", "name"):
                    if isinstance(v.get(k), str):
                        subnet_ids[v[k]] = rc["address"]

    def group_key(text: Any) -> Optional[str]:
        return id_to_addr.get(text, text) if isinstance(text, str) else None

    def refs(addr: str, *path: Any) -> list[str]:
        node: Any = (config.get(_config_addr(addr)) or {}).get("expressions", {})
        for step in path:
            if isinstance(node, list):
                node = node[step] if isinstance(step, int) and step < len(node) else {}
            elif isinstance(node, dict):
                node = node.get(step, {})
        return [r for r in (node.get("references", []) if isinstance(node, dict) else [])
                if r.count(".") == 1 or r.endswith(".id") or r.endswith(".name")][::2]

    def count(group: str, direction: str, cidrs: list, six: list, prefixes: list, self_: bool, peers: list,
              inline: bool) -> None:
        n = len(cidrs) + len(six) + len(prefixes) + int(bool(self_)) + len(peers)
        out["rules"] += n
        out["inline rules" if inline else "standalone rules"] += n
        if direction == "ingress":
            for c in cidrs + six:
                if isinstance(c, str) and _non_public(c):
                    out["private CIDR ingress rules"] += 1
                    out["distinct private CIDRs"].add(c)
        for p in peers:
            out["group-reference pairs"].add((group, direction, p))
        if self_:
            out["group-reference pairs"].add((group, direction, group))

    for rc in changes:
        ch = rc["change"]
        if ch["after"] is None:
            continue
        v, unknown, addr, typ = ch["after"], ch.get("after_unknown") or {}, rc["address"], rc["type"]
        if typ in ("aws_security_group", "aws_default_security_group"):
            out["groups"] += 1
            exprs = (config.get(_config_addr(addr)) or {}).get("expressions", {})
            for direction in ("ingress", "egress"):
                if direction not in exprs and typ == "aws_security_group":
                    continue  # not managed inline: the list is what AWS returned (rule resources)
                elements = v.get(direction) if isinstance(v.get(direction), list) else []
                masks_ = unknown.get(direction) if isinstance(unknown.get(direction), list) else []
                config_refs = [r[:-3] if r.endswith(".id") else r for r in refs(addr, direction)]
                for i, e in enumerate(elements):
                    m = masks_[i] if i < len(masks_) else {}
                    peers = [group_key(x) for x in e.get("security_groups") or []]
                    if m.get("security_groups") is True:
                        peers = config_refs  # collapsed over the blocks: an estimate
                        config_refs = []
                    count(addr, direction, e.get("cidr_blocks") or [], e.get("ipv6_cidr_blocks") or [],
                          e.get("prefix_list_ids") or [], e.get("self"), peers, True)
        elif typ == "aws_security_group_rule":
            out["rule resources"][typ] += 1
            group = group_key(v.get("security_group_id")) or (refs(addr, "security_group_id") or ["?"])[0][:-3]
            src = v.get("source_security_group_id")
            peers = [group_key(src)] if src else ([r[:-3] for r in refs(addr, "source_security_group_id")]
                                                  if unknown.get("source_security_group_id") else [])
            count(group, v.get("type"), v.get("cidr_blocks") or [], v.get("ipv6_cidr_blocks") or [],
                  v.get("prefix_list_ids") or [], v.get("self"), peers, False)
        elif typ in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
            out["rule resources"][typ] += 1
            group = group_key(v.get("security_group_id")) or (refs(addr, "security_group_id") or ["?"])[0][:-3]
            ref = v.get("referenced_security_group_id")
            peers = [group_key(ref)] if ref else ([r[:-3] for r in refs(addr, "referenced_security_group_id")]
                                                  if unknown.get("referenced_security_group_id") else [])
            self_ = peers == [group]
            count(group, "ingress" if typ.endswith("ingress_rule") else "egress",
                  [v["cidr_ipv4"]] if v.get("cidr_ipv4") else [], [v["cidr_ipv6"]] if v.get("cidr_ipv6") else [],
                  [v["prefix_list_id"]] if v.get("prefix_list_id") else [], self_, [] if self_ else peers, False)
        if typ in _MEMBER_PATHS:
            gpath, spath = _MEMBER_PATHS[typ]
            groups = _get(v, gpath)
            groups = [group_key(g) for g in groups] if isinstance(groups, list) else \
                [r[:-3] for r in refs(addr, *gpath) if r.endswith(".id")]
            if typ == "aws_lb" and not groups:
                out["load balancers without groups"] += 1
                continue
            if not groups:
                continue
            out["attached resources"] += 1
            out["groups covered"].update(groups)
            sub = _get(v, spath) if spath else None
            sub_list = sub if isinstance(sub, list) else [sub] if isinstance(sub, str) else None
            known = bool(sub_list) and all(s in subnet_ids for s in sub_list) if sub_list is not None else \
                any(r.split(".")[0] in ("aws_subnet", "aws_db_subnet_group") for r in refs(addr, *spath))
            out["attached in known subnets"] += int(known)
    out["distinct private CIDRs"] = len(out["distinct private CIDRs"])
    out["group-reference pairs"] = len(out["group-reference pairs"])
    out["groups covered"] = len(out["groups covered"])
    out["rule resources"] = dict(out["rule resources"])
    out["types"] = dict(sorted(types.items(), key=lambda kv: -kv[1]))
    return out


def _config_resources(module: dict, prefix: str = "") -> list[dict]:
    out = list(module.get("resources", []))
    for name, call in (module.get("module_calls") or {}).items():
        out += _config_resources(call.get("module", {}), f"{prefix}module.{name}.")
    return out


def _config_addr(addr: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", addr)


def _get(v: Any, path: tuple) -> Any:
    for step in path:
        if isinstance(v, dict):
            v = v.get(step)
        elif isinstance(v, list) and isinstance(step, int) and step < len(v):
            v = v[step]
        else:
            return None
    return v


TARGETS_5000 = {"resources": 31053, "groups": 5000, "rules": 73681, "attached resources": 1050,
                "groups covered": 1660, "private CIDR ingress rules": 20700, "distinct private CIDRs": 21,
                "group-reference pairs": 22554}


def print_shape(path: str, s: dict) -> None:
    """The counts, each beside issue 10's plan scaled to this plan's number of groups."""
    size = os.path.getsize(path)
    groups = max(1, s["groups"])
    print(f"{path}: {size / 1e6:.1f} MB")
    for k, v in s.items():
        target = TARGETS_5000.get(k)
        if target is not None and k not in ("distinct private CIDRs",):
            target = target * groups / 5000
        note = f"   (issue 10's plan scaled to {groups:,} groups: {target:,.0f})" if target is not None else ""
        print(f"  {k}: {v:,}{note}" if isinstance(v, int) else f"  {k}: {v}{note}")


def main(argv: list[str]) -> int:
    for path in argv:
        with open(path, encoding="utf-8") as fh:
            print_shape(path, shape(json.load(fh)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
