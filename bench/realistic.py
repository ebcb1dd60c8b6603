"""Plans that look like real ones: a VPC, subnets, attached resources, CIDR allowlists, references.

    python3 bench/realistic.py generate --groups 5000 --kind create -o /tmp/real-5000-create.json
    python3 bench/realistic.py generate --groups 5000 --kind update -o /tmp/real-5000-update.json
    python3 bench/realistic.py shape FILE...            # the counts of a plan (generated or real)
    python3 bench/realistic.py changes --groups 5000    # what the update plan changes
    python3 bench/realistic.py tf --groups 100 --side after --state DIR   # the model as .tf files
    python3 bench/realistic.py verify [--groups 250]    # against Terraform itself (needs terraform)
    python3 bench/realistic.py templates                # remake realistic_templates.json (Terraform)

Everything comes from ``PARAMS`` and ``SEED`` below, scaled linearly with the number of groups
(``PARAMS`` holds the figures for 5,000 groups, the size of the plan Terraform made for issue 10);
the network (one VPC, nine subnets, gateway, route table, subnet group, ECS cluster, task
definition, Lambda role) is fixed. The same groups, rules and resources come out for the same
``--groups``, in any process, on any machine.

This module holds the model (groups, rules, attached resources, the update's changes) and its
resources as written in ``.tf`` files; ``tfplan.py`` turns the resources into the JSON that
``terraform show -json`` writes with Terraform 1.11.4 and hashicorp/aws 5.100.0
(``resource_changes``, ``planned_values``, ``prior_state``, ``configuration``,
``relevant_attributes``). ``verify`` checks that by running Terraform on the same model (``tf``)
and comparing the two JSON documents value by value: create plans offline, update plans with
``-refresh=false`` against the prior state ``tfplan.state_file`` writes.

Kinds:

* ``create``: everything is new; ids are unknown until apply, so group references come from
  the configuration's references, as in a first ``terraform apply``.
* ``update``: everything exists (``prior_state`` holds every object, with the rules of
  standalone rule resources also in their group's refreshed ``ingress``/``egress``, as AWS
  returns them), and ``CHANGE_FRACTION`` of the groups change: a rule added, removed or widened
  (inline, ``aws_security_group_rule`` or ``aws_vpc_security_group_*_rule``, as the group
  manages it), or the group attached to one more instance. Everything else is ``no-op``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import sys
from dataclasses import dataclass, field
from typing import Any, Optional

import planshape
import tfplan
from tfplan import Block, Ref, Res

SEED = 20261130
BASE_GROUPS = 5000
CHANGE_FRACTION = 0.01

# Figures for BASE_GROUPS groups; every one is scaled by groups / BASE_GROUPS and rounded (at least 1).
PARAMS: dict[str, Any] = {
    # attached resources, one group of their own each (1,050 in all)
    "instances": 640,            # private app subnets, targets of the load balancers
    "bastions": 10,              # public subnet, associate_public_ip_address = true
    "albs": 150,                 # aws_lb application, with security_groups; a third internet-facing
    "databases": 150,            # aws_db_instance in the data subnet group
    "functions": 50,             # aws_lambda_function with vpc_config
    "ecs_services": 50,          # aws_ecs_service (Fargate, awsvpc)
    "nlbs": 50,                  # aws_lb network, no security groups (targets' groups decide)
    "shared_groups": 610,        # second groups (monitoring, mesh, ...) attached with a primary one
    "extra_shared": 0.25,        # share of attached resources that get one more shared group
    "targets_per_lb": 2,         # aws_lb_target_group_attachment per target group
    # rules
    "private_cidr_groups": 0.2,  # share of the groups admitting private CIDRs
    "private_cidrs_mean": 9.7,   # CIDRs per such group (from PRIVATE_CIDRS, weighted)
    "port_choices": [1, 2, 2, 3, 3],  # service ports of a group (each admitted from its callers)
    "callers_mean": 4.45,         # groups referenced by each group's ingress (mean)
    "db_callers_mean": 6.0,      # for databases
    "self_groups": 0.1,          # share of groups admitting themselves (all traffic)
    "restricted_egress": 0.2,    # share of app/function/service groups with egress to named groups
    "ipv6_egress": 0.25,         # share of open-egress groups that also open ::/0
    "partner_groups": 0.03,      # share of groups admitting a few public /28s on 443
    # how a group manages a direction's rules: inline blocks, aws_security_group_rule, or
    # aws_vpc_security_group_ingress_rule / _egress_rule
    "style_inline": 0.72,
    "style_classic": 0.17,       # the rest: aws_vpc_security_group_*_rule
    "cidr_groups_inline": 0.25,  # CIDR-allowlist groups' ingress: inline share (rest classic / vpc)
    "cidr_groups_classic": 0.65,
}

AZS = ["us-east-1a", "us-east-1b", "us-east-1c"]
VPC_CIDR = "10.0.0.0/16"
SUBNETS = {  # name -> (cidr, az index, public)
    "public_a": ("10.0.0.0/22", 0, True), "public_b": ("10.0.4.0/22", 1, True),
    "public_c": ("10.0.8.0/22", 2, True),
    "app_a": ("10.0.32.0/19", 0, False), "app_b": ("10.0.64.0/19", 1, False),
    "app_c": ("10.0.96.0/19", 2, False),
    "data_a": ("10.0.128.0/22", 0, False), "data_b": ("10.0.132.0/22", 1, False),
    "data_c": ("10.0.136.0/22", 2, False),
}
PUBLIC_SUBNETS = ["public_a", "public_b", "public_c"]
APP_SUBNETS = ["app_a", "app_b", "app_c"]
DATA_SUBNETS = ["data_a", "data_b", "data_c"]

# 21 distinct non-public blocks (weight: how often an allowlist picks it). The first six hold
# the VPC's members; the others are peered VPCs, data centres, VPN and partner networks.
PRIVATE_CIDRS = [
    ("10.0.0.0/8", 0.35), ("10.0.0.0/16", 0.35), ("10.0.32.0/19", 0.3), ("10.0.64.0/19", 0.3),
    ("10.0.96.0/19", 0.3), ("10.0.128.0/20", 0.3),
    ("10.1.0.0/16", 1.0), ("10.2.0.0/16", 1.0), ("10.3.0.0/16", 1.0), ("10.16.0.0/12", 1.0),
    ("10.100.0.0/16", 1.0), ("10.101.0.0/16", 1.0), ("10.250.0.0/20", 1.0), ("10.200.0.0/16", 1.0),
    ("172.16.0.0/12", 1.0), ("172.20.0.0/16", 1.0), ("172.31.0.0/16", 1.0), ("172.24.8.0/22", 1.0),
    ("192.168.0.0/16", 1.0), ("192.168.100.0/24", 1.0), ("100.64.0.0/10", 1.0),
]
OFFICE_CIDRS = ["81.2.69.0/28", "91.198.174.192/28"]
PARTNER_CIDRS = ["34.120.10.0/28", "52.94.76.0/28", "18.204.33.16/28", "3.5.140.0/28", "44.192.14.0/28"]
SERVICE_PORTS = [8080, 8443, 9090, 9000, 7000, 6379, 11211, 5672, 8000, 3000, 50051, 9200]
DB_ENGINES = [("postgres", "16", 5432), ("mysql", "8.0", 3306)]


# --------------------------------------------------------------------------- model

@dataclass
class Stmt:
    """One rule as written in an inline block: a port range and its peers."""

    direction: str
    protocol: str
    from_port: int
    to_port: int
    description: str
    cidrs4: list[str] = field(default_factory=list)
    cidrs6: list[str] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)  # group indices
    self_: bool = False
    key: str = ""  # stable within the group: names its rule resources

    def peers(self) -> int:
        return len(self.cidrs4) + len(self.cidrs6) + len(self.refs) + int(self.self_)


@dataclass
class Group:
    idx: int
    name: str
    role: str
    style: dict[str, str]  # direction -> inline | classic | vpc
    stmts: list[Stmt] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)

    @property
    def addr(self) -> str:
        return f"aws_security_group.{self.name}"


@dataclass
class Member:
    """A resource with network interfaces: its type, name, groups (indices), subnets."""

    type: str
    name: str
    role: str
    groups: list[int]
    subnets: list[str]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def addr(self) -> str:
        return f"{self.type}.{self.name}"


@dataclass
class Model:
    groups: list[Group]
    members: list[Member]
    lbs: list[dict]  # {"lb": Member, "targets": [instance Member], "port": int}
    scale: float


# An inline rule references only groups of a lower tier: Terraform refuses cycles, and real
# configurations keep reference chains short (edge -> service -> database); references the
# other way are rule resources.
TIERS = {"alb": 0, "bastion": 0, "shared": 0, "app": 1, "fn": 1, "ecs": 1, "svc": 1, "db": 2}


def scaled(name: str, groups: int) -> int:
    return max(1, round(PARAMS[name] * groups / BASE_GROUPS))


def build(groups: int, seed: int = SEED) -> Model:
    """The infrastructure of ``groups`` security groups (deterministic for a seed)."""
    rnd = random.Random(seed)
    counts = {k: scaled(k, groups) for k in ("instances", "bastions", "albs", "databases", "functions",
                                               "ecs_services", "nlbs", "shared_groups")}
    primaries = [("alb", counts["albs"]), ("bastion", counts["bastions"]), ("app", counts["instances"]),
                 ("fn", counts["functions"]), ("ecs", counts["ecs_services"]), ("db", counts["databases"])]
    n_primary = sum(n for _, n in primaries)
    n_shared = min(counts["shared_groups"], max(0, groups - n_primary))
    n_svc = groups - n_primary - n_shared
    if n_svc < 0:
        raise SystemExit(f"{groups} groups are too few for the fixed share of attached resources")
    out: list[Group] = []

    def style() -> str:
        x = rnd.random()
        return "inline" if x < PARAMS["style_inline"] else \
            "classic" if x < PARAMS["style_inline"] + PARAMS["style_classic"] else "vpc"

    def add_group(role: str, n: int) -> Group:
        g = Group(len(out), f"{role}_{n:04d}", role, {"ingress": style(), "egress": style()})
        out.append(g)
        return g

    members: list[Member] = []
    by_role: dict[str, list[Group]] = {}
    for role, n in primaries[:2]:
        for i in range(n):
            by_role.setdefault(role, []).append(add_group(role, i))
    for i in range(n_shared):
        by_role.setdefault("shared", []).append(add_group("shared", i))
    for role, n in primaries[2:]:
        for i in range(n):
            by_role.setdefault(role, []).append(add_group(role, i))
    for i in range(n_svc):
        by_role.setdefault("svc", []).append(add_group("svc", i))
    by_role.setdefault("shared", [])

    # ---- attached resources: one primary group each, shared groups as second (third) groups
    for i, g in enumerate(by_role["app"]):
        members.append(Member("aws_instance", g.name, "app", [g.idx], [APP_SUBNETS[i % 3]]))
    for i, g in enumerate(by_role["bastion"]):
        members.append(Member("aws_instance", g.name, "bastion", [g.idx], [PUBLIC_SUBNETS[i % 3]]))
    for i, g in enumerate(by_role["alb"]):
        public = i % 3 == 0
        members.append(Member("aws_lb", g.name, "alb", [g.idx], PUBLIC_SUBNETS if public else APP_SUBNETS,
                              {"internal": not public}))
    for i, g in enumerate(by_role["db"]):
        members.append(Member("aws_db_instance", g.name, "db", [g.idx], DATA_SUBNETS,
                              {"engine": DB_ENGINES[i % 2]}))
    for g in by_role["fn"]:
        members.append(Member("aws_lambda_function", g.name, "fn", [g.idx], APP_SUBNETS))
    for g in by_role["ecs"]:
        members.append(Member("aws_ecs_service", g.name, "ecs", [g.idx], APP_SUBNETS))
    order = list(range(len(members)))
    rnd.shuffle(order)
    shared = by_role["shared"]
    for k, s in enumerate(shared):
        members[order[k % len(order)]].groups.append(s.idx)
    if shared:
        for m in rnd.sample(members, round(PARAMS["extra_shared"] * len(members))):
            s = rnd.choice(shared)
            if s.idx not in m.groups:
                m.groups.append(s.idx)
    nlbs = []
    for i in range(counts["nlbs"]):
        public = i % 2 == 0
        nlbs.append(Member("aws_lb", f"nlb_{i:04d}", "nlb", [], PUBLIC_SUBNETS if public else APP_SUBNETS,
                           {"internal": not public}))
    instances = [m for m in members if m.role == "app"]
    lbs = []
    n_targets = int(PARAMS["targets_per_lb"])
    for k, lb in enumerate([m for m in members if m.role == "alb"] + nlbs):
        start = (k * n_targets) % len(instances)
        targets = [instances[(start + j) % len(instances)] for j in range(n_targets)]
        lbs.append({"lb": lb, "targets": targets, "port": 8080})
    members.extend(nlbs)

    # ---- rules
    callers_pool = [g for g in out if g.role in ("app", "fn", "ecs", "shared", "svc", "bastion")]
    app_like = by_role["app"] + by_role["fn"] + by_role["ecs"]
    for g in out:
        n_ports = rnd.choice(PARAMS["port_choices"])
        if g.role == "db":
            g.ports = [members[_member_index(members, g.name)].extra["engine"][2]]
        elif g.role == "alb":
            g.ports = [443]
        elif g.role == "bastion":
            g.ports = [22]
        else:
            g.ports = sorted(rnd.sample(SERVICE_PORTS, n_ports))
    # the load balancers' groups reach their targets on the target port
    alb_of_instance: dict[int, list[int]] = {}
    for lb in lbs:
        if lb["lb"].groups:
            for t in lb["targets"]:
                alb_of_instance.setdefault(t.groups[0], []).append(lb["lb"].groups[0])
    bastion_groups = [g.idx for g in by_role["bastion"]]
    cidr_names = [c for c, _ in PRIVATE_CIDRS]
    cidr_weights = [w for _, w in PRIVATE_CIDRS]
    cidr_groups = set(g.idx for g in rnd.sample(out, round(PARAMS["private_cidr_groups"] * len(out))))
    # CIDR-allowlist groups manage their ingress with their own mix of styles
    for idx in sorted(cidr_groups):
        g = out[idx]
        x = rnd.random()
        g.style["ingress"] = "inline" if x < PARAMS["cidr_groups_inline"] else \
            "classic" if x < PARAMS["cidr_groups_inline"] + PARAMS["cidr_groups_classic"] else "vpc"

    def draw_callers(g: Group, mean: float, pool: list[Group]) -> list[int]:
        if g.style["ingress"] == "inline":
            pool = [c for c in pool if TIERS[c.role] < TIERS[g.role]]
        if len(pool) < 2:
            return []
        k = min(len(pool) - 1, _poisson(rnd, mean))
        chosen: set[int] = set()
        while len(chosen) < k:
            c = rnd.choice(pool)
            if c.idx != g.idx:
                chosen.add(c.idx)
        return sorted(chosen)

    for g in out:
        desc = g.name.replace("_", "-")
        # ingress
        if g.role == "alb" and not members[_member_index(members, g.name)].extra["internal"]:
            for port in (443, 80):
                g.stmts.append(Stmt("ingress", "tcp", port, port, f"{'HTTPS' if port == 443 else 'HTTP'} from the internet",
                                    ["0.0.0.0/0"], ["::/0"]))
        elif g.role == "bastion":
            g.stmts.append(Stmt("ingress", "tcp", 22, 22, "SSH from the offices", list(OFFICE_CIDRS)))
        else:
            mean = PARAMS["db_callers_mean"] if g.role == "db" else PARAMS["callers_mean"]
            callers = draw_callers(g, mean, app_like if g.role == "db" and app_like else callers_pool)
            callers = sorted(set(callers) | set(alb_of_instance.get(g.idx, [])))  # load balancers: earlier
            if g.role in ("app", "svc") and bastion_groups and rnd.random() < 0.3:  # bastions: earlier
                g.stmts.append(Stmt("ingress", "tcp", 22, 22, "SSH from the bastions", refs=[rnd.choice(bastion_groups)]))
            for port in g.ports:
                if callers:
                    g.stmts.append(Stmt("ingress", "tcp", port, port, f"{desc} clients on {port}", refs=list(callers)))
            if g.idx in cidr_groups:
                m = max(1, min(len(cidr_names), _poisson(rnd, PARAMS["private_cidrs_mean"])))
                blocks = _weighted_sample(rnd, cidr_names, cidr_weights, m)
                for port in g.ports:
                    g.stmts.append(Stmt("ingress", "tcp", port, port, f"{desc} from internal networks on {port}",
                                        cidrs4=list(blocks)))
            if rnd.random() < PARAMS["partner_groups"]:
                g.stmts.append(Stmt("ingress", "tcp", 443, 443, "HTTPS from partners",
                                    rnd.sample(PARTNER_CIDRS, rnd.randint(1, 3))))
            if rnd.random() < PARAMS["self_groups"]:
                g.stmts.append(Stmt("ingress", "-1", 0, 0, "Members talk to each other", self_=True))
        # egress
        if g.role == "db":
            continue
        if g.role in ("app", "fn", "ecs") and rnd.random() < PARAMS["restricted_egress"]:
            dbs = rnd.sample(by_role["db"], min(len(by_role["db"]), rnd.randint(1, 3))) if by_role["db"] else []
            for d in dbs:
                g.stmts.append(Stmt("egress", "tcp", d.ports[0], d.ports[0], f"to {d.name.replace('_', '-')}",
                                    refs=[d.idx]))
            g.stmts.append(Stmt("egress", "tcp", 443, 443, "HTTPS out", ["0.0.0.0/0"]))
            if dbs and g.style["egress"] == "inline":  # db -> app is inline: rule resources break the cycle
                g.style["egress"] = "classic" if rnd.random() < 0.5 else "vpc"
        else:
            six = ["::/0"] if rnd.random() < PARAMS["ipv6_egress"] else []
            g.stmts.append(Stmt("egress", "-1", 0, 0, "All outbound", ["0.0.0.0/0"], six))
    for g in out:
        n = {"ingress": 0, "egress": 0}
        for st in g.stmts:
            st.key = f"{st.direction[0]}{n[st.direction]}"
            n[st.direction] += 1
    return Model(out, members, lbs, groups / BASE_GROUPS)


def _member_index(members: list[Member], name: str) -> int:
    for i, m in enumerate(members):
        if m.name == name:
            return i
    raise KeyError(name)


def _poisson(rnd: random.Random, mean: float) -> int:
    # Knuth; small means only
    import math
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rnd.random()
        if p <= limit:
            return k
        k += 1


def _weighted_sample(rnd: random.Random, items: list[str], weights: list[float], k: int) -> list[str]:
    pool = list(zip(items, weights))
    out = []
    for _ in range(min(k, len(pool))):
        total = sum(w for _, w in pool)
        x = rnd.random() * total
        for i, (item, w) in enumerate(pool):
            x -= w
            if x <= 0 or i == len(pool) - 1:
                out.append(item)
                pool.pop(i)
                break
    return sorted(out, key=items.index)


def apply_changes(model: Model, seed: int = SEED) -> tuple[Model, list[str]]:
    """The model after an update that touches ``CHANGE_FRACTION`` of the groups, one change each
    in turn: a rule added, a peer removed, a rule's port range widened, the group attached to one
    more instance. Returns the new model and one line per change."""
    rnd = random.Random(seed + 1)
    after = copy.deepcopy(model)
    n = max(1, round(CHANGE_FRACTION * len(after.groups)))
    chosen = rnd.sample(range(len(after.groups)), n)
    instances = [m for m in after.members if m.type == "aws_instance"]
    notes = []
    for k, gi in enumerate(chosen):
        g = after.groups[gi]
        kind = ("add", "remove", "widen", "attach")[k % 4]
        ingress = [st for st in g.stmts if st.direction == "ingress" and st.protocol == "tcp"
                   and st.to_port == st.from_port]
        if kind in ("remove", "widen") and not ingress:
            kind = "add"
        if kind == "add":
            others = [x for x in after.groups if x.idx != g.idx and
                      (TIERS[x.role] < TIERS[g.role] or g.style["ingress"] != "inline")]
            used = sorted(int(st.key[1:]) for st in g.stmts if st.direction == "ingress")
            port = rnd.choice([p for p in SERVICE_PORTS if p not in g.ports] or SERVICE_PORTS)
            key = f"i{(used[-1] + 1) if used else 0}"
            if others:  # a new client group
                other = rnd.choice(others)
                st = Stmt("ingress", "tcp", port, port, f"{other.name.replace('_', '-')} on {port}",
                          refs=[other.idx], key=key)
                peer = other.addr
            else:  # nothing it may reference inline: a network
                peer = rnd.choice(PRIVATE_CIDRS)[0]
                st = Stmt("ingress", "tcp", port, port, f"internal network on {port}", cidrs4=[peer], key=key)
            g.stmts.append(st)
            notes.append(f"{g.addr}: ingress tcp {port} from {peer} added ({g.style['ingress']})")
        elif kind == "remove":
            st = rnd.choice(ingress)
            if st.refs:
                gone = after.groups[st.refs.pop()].addr
            elif st.cidrs6:
                gone = st.cidrs6.pop()
            elif st.cidrs4:
                gone = st.cidrs4.pop()
            else:
                st.self_, gone = False, "self"
            if not st.peers():
                g.stmts.remove(st)
            notes.append(f"{g.addr}: ingress tcp {st.from_port} from {gone} removed ({g.style['ingress']})")
        elif kind == "widen":
            st = rnd.choice(ingress)
            st.to_port = st.from_port + 99
            notes.append(f"{g.addr}: ingress tcp {st.from_port} widened to {st.from_port}-{st.to_port} "
                         f"({g.style['ingress']}, {st.peers()} peers)")
        else:
            candidates = [m for m in instances if gi not in m.groups]
            m = rnd.choice(candidates)
            m.groups.append(gi)
            notes.append(f"{g.addr}: attached to {m.addr} too")
    return after, notes


LAMBDA_POLICY = ('{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":'
                 '{"Service":"lambda.amazonaws.com"}}],"Version":"2012-10-17"}')
CONTAINERS = ('[{"essential":true,"image":"registry.example.com/app:1.0.0","name":"app",'
              '"portMappings":[{"containerPort":8080,"hostPort":8080,"protocol":"tcp"}]}]')


def resources(model: Model) -> list[Res]:
    """The model as Terraform resources (bodies as written in the configuration)."""
    out: list[Res] = []
    vpc = Ref("aws_vpc.main", "id")
    out.append(Res("aws_vpc", "main", {"cidr_block": VPC_CIDR, "enable_dns_hostnames": True,
                                       "tags": {"Name": "main"}}))
    for name, (cidr, az, public) in SUBNETS.items():
        body: dict[str, Any] = {"vpc_id": vpc, "cidr_block": cidr, "availability_zone": AZS[az]}
        if public:
            body["map_public_ip_on_launch"] = True
        body["tags"] = {"Name": name.replace("_", "-")}
        out.append(Res("aws_subnet", name, body))
    out.append(Res("aws_internet_gateway", "main", {"vpc_id": vpc, "tags": {"Name": "main"}}))
    out.append(Res("aws_route_table", "public", {"vpc_id": vpc, "route": Block([
        {"cidr_block": "0.0.0.0/0", "gateway_id": Ref("aws_internet_gateway.main", "id")}])}))
    for name in PUBLIC_SUBNETS:
        out.append(Res("aws_route_table_association", name, {"subnet_id": Ref(f"aws_subnet.{name}", "id"),
                                                             "route_table_id": Ref("aws_route_table.public", "id")}))
    out.append(Res("aws_db_subnet_group", "data", {"name": "data", "subnet_ids": [
        Ref(f"aws_subnet.{n}", "id") for n in DATA_SUBNETS]}))
    out.append(Res("aws_iam_role", "lambda", {"name": "lambda-vpc", "assume_role_policy": LAMBDA_POLICY}))
    out.append(Res("aws_ecs_cluster", "main", {"name": "main"}))
    out.append(Res("aws_ecs_task_definition", "app", {
        "family": "app", "network_mode": "awsvpc", "requires_compatibilities": ["FARGATE"], "cpu": "256",
        "memory": "512", "container_definitions": CONTAINERS}))

    groups = model.groups

    def gref(i: int) -> Ref:
        return Ref(groups[i].addr, "id")

    for g in groups:
        body = {"name": g.name.replace("_", "-"), "description": f"{g.role} {g.name.replace('_', '-')}",
                "vpc_id": vpc}
        for direction in ("ingress", "egress"):
            if g.style[direction] != "inline":
                continue
            blocks = Block()
            for st in g.stmts:
                if st.direction != direction:
                    continue
                b: dict[str, Any] = {"description": st.description, "from_port": st.from_port,
                                     "to_port": st.to_port, "protocol": st.protocol}
                if st.cidrs4:
                    b["cidr_blocks"] = list(st.cidrs4)
                if st.cidrs6:
                    b["ipv6_cidr_blocks"] = list(st.cidrs6)
                if st.refs:
                    b["security_groups"] = [gref(r) for r in st.refs]
                if st.self_:
                    b["self"] = True
                blocks.append(b)
            if blocks:
                body[direction] = blocks
        body["tags"] = {"Name": g.name.replace("_", "-"), "Role": g.role}
        out.append(Res("aws_security_group", g.name, body))
        for st in g.stmts:
            style = g.style[st.direction]
            if style == "inline":
                continue
            base = f"{g.name}_{st.key}"
            if style == "classic":
                common = {"type": st.direction, "description": st.description, "security_group_id": gref(g.idx),
                          "protocol": st.protocol, "from_port": st.from_port, "to_port": st.to_port}
                if st.cidrs4 or st.cidrs6:
                    body = dict(common)
                    if st.cidrs4:
                        body["cidr_blocks"] = list(st.cidrs4)
                    if st.cidrs6:
                        body["ipv6_cidr_blocks"] = list(st.cidrs6)
                    out.append(Res("aws_security_group_rule", f"{base}_cidr", body))
                for r in st.refs:
                    out.append(Res("aws_security_group_rule", f"{base}_{groups[r].name}",
                                   dict(common, source_security_group_id=gref(r))))
                if st.self_:
                    out.append(Res("aws_security_group_rule", f"{base}_self", dict(common, self=True)))
            else:
                typ = f"aws_vpc_security_group_{st.direction}_rule"
                common = {"security_group_id": gref(g.idx), "description": st.description,
                          "ip_protocol": st.protocol}
                if st.protocol != "-1":
                    common.update(from_port=st.from_port, to_port=st.to_port)
                for k, c in enumerate(st.cidrs4):
                    out.append(Res(typ, f"{base}_c{k}", dict(common, cidr_ipv4=c)))
                for k, c in enumerate(st.cidrs6):
                    out.append(Res(typ, f"{base}_v{k}", dict(common, cidr_ipv6=c)))
                for r in st.refs:
                    out.append(Res(typ, f"{base}_{groups[r].name}", dict(common, referenced_security_group_id=gref(r))))
                if st.self_:
                    out.append(Res(typ, f"{base}_self", dict(common, referenced_security_group_id=gref(g.idx))))

    def subnet_refs(names: list[str]) -> list[Ref]:
        return [Ref(f"aws_subnet.{n}", "id") for n in names]

    for m in model.members:
        sgs = [gref(i) for i in m.groups]
        label = m.name.replace("_", "-")
        if m.type == "aws_instance":
            body = {"ami": "ami-0123456789abcdef0", "instance_type": "t3.micro" if m.role == "bastion" else "t3.small",
                    "subnet_id": Ref(f"aws_subnet.{m.subnets[0]}", "id"), "vpc_security_group_ids": sgs}
            if m.role == "bastion":
                body["associate_public_ip_address"] = True
            body["tags"] = {"Name": label}
        elif m.type == "aws_lb":
            body = {"name": label, "load_balancer_type": "network" if m.role == "nlb" else "application",
                    "internal": m.extra["internal"]}
            if sgs:
                body["security_groups"] = sgs
            body["subnets"] = subnet_refs(m.subnets)
        elif m.type == "aws_db_instance":
            engine, version, _ = m.extra["engine"]
            body = {"identifier": label, "engine": engine, "engine_version": version, "instance_class": "db.t3.micro",
                    "allocated_storage": 20, "username": "app", "password": "bench-only-password",
                    "db_subnet_group_name": Ref("aws_db_subnet_group.data", "name"),
                    "vpc_security_group_ids": sgs, "publicly_accessible": False, "skip_final_snapshot": True}
        elif m.type == "aws_lambda_function":
            body = {"function_name": label, "role": Ref("aws_iam_role.lambda", "arn"), "runtime": "python3.12",
                    "handler": "handler.handler", "s3_bucket": "bench-artifacts", "s3_key": f"{label}.zip",
                    "vpc_config": Block([{"subnet_ids": subnet_refs(m.subnets), "security_group_ids": sgs}])}
        elif m.type == "aws_ecs_service":
            body = {"name": label, "cluster": Ref("aws_ecs_cluster.main", "id"),
                    "task_definition": Ref("aws_ecs_task_definition.app", "arn"), "desired_count": 2,
                    "launch_type": "FARGATE", "network_configuration": Block([
                        {"subnets": subnet_refs(m.subnets), "security_groups": sgs, "assign_public_ip": False}])}
        else:
            raise AssertionError(m.type)
        out.append(Res(m.type, m.name, body))
    for lb in model.lbs:
        m = lb["lb"]
        label = m.name.replace("_", "-")
        nlb = m.role == "nlb"
        tg = Res("aws_lb_target_group", m.name, {"name": f"tg-{label}", "port": lb["port"],
                                                  "protocol": "TCP" if nlb else "HTTP", "vpc_id": vpc})
        out.append(tg)
        out.append(Res("aws_lb_listener", m.name, {
            "load_balancer_arn": Ref(m.addr, "arn"), "port": 443 if nlb else 80, "protocol": "TCP" if nlb else "HTTP",
            "default_action": Block([{"type": "forward", "target_group_arn": Ref(tg.addr, "arn")}])}))
        for k, t in enumerate(lb["targets"]):
            out.append(Res("aws_lb_target_group_attachment", f"{m.name}_{k}", {
                "target_group_arn": Ref(tg.addr, "arn"), "target_id": Ref(t.addr, "id"), "port": lb["port"]}))
    return out


# --------------------------------------------------------------------------- .tf files

PROVIDERS_TF = """terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "bench-access-key"
  secret_key                  = "bench-secret-key"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true
}
"""


def hcl_value(v: Any) -> str:
    if isinstance(v, Ref):
        return f"{v.addr}.{v.attr}"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v).replace("${", "$${").replace("%{", "%%{")
    if isinstance(v, list):
        return "[" + ", ".join(hcl_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {hcl_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def hcl_body(body: dict[str, Any], indent: str) -> list[str]:
    lines = []
    for k, v in body.items():
        if isinstance(v, Block):
            for b in v:
                lines.append(f"{indent}{k} {{")
                lines += hcl_body(b, indent + "  ")
                lines.append(f"{indent}}}")
        else:
            lines.append(f"{indent}{k} = {hcl_value(v)}")
    return lines


def write_tf(model: Model, folder: str) -> None:
    """The model as a root module (main.tf, providers.tf)."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "providers.tf"), "w", encoding="utf-8") as fh:
        fh.write(PROVIDERS_TF)
    lines = []
    for r in resources(model):
        lines.append(f'resource "{r.type}" "{r.name}" {{')
        lines += hcl_body(r.body, "  ")
        lines.append("}")
        lines.append("")
    with open(os.path.join(folder, "main.tf"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


# --------------------------------------------------------------------------- plans of the model

def create_plan(model: Model) -> dict:
    return tfplan.create_plan(resources(model))


def update_plan(before: Model, after: Model) -> dict:
    return tfplan.update_plan(resources(before), resources(after))


def state_file(model: Model) -> dict:
    return tfplan.state_file(resources(model))


# --------------------------------------------------------------------------- Terraform itself

def _terraform() -> list[str]:
    if os.environ.get("TERRAFORM"):
        return [os.environ["TERRAFORM"]]
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    offline = os.path.join(os.path.dirname(here), "shared", "tools", "tf-offline")
    return [offline] if os.path.exists(offline) else ["terraform"]


def terraform_plan(folder: str, refresh: bool = True) -> dict:
    """``terraform init``, ``plan`` and ``show -json`` in ``folder`` (offline: dummy credentials)."""
    import subprocess
    tf = _terraform()

    def run(*args: str, out: Optional[str] = None) -> None:
        with open(out or os.devnull, "w") as fh:
            proc = subprocess.run(tf + list(args), cwd=folder, stdout=fh, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"terraform {' '.join(args)} failed in {folder}:\n{proc.stderr[-3000:]}")

    run("init", "-input=false", "-no-color")
    run("plan", "-input=false", "-no-color", "-lock=false", "-out", "p.bin", *([] if refresh else ["-refresh=false"]))
    run("show", "-json", "p.bin", out=os.path.join(folder, "plan.json"))
    with open(os.path.join(folder, "plan.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _normalise(plan: dict) -> dict:
    plan = copy.deepcopy(plan)
    plan.pop("timestamp", None)
    if "relevant_attributes" in plan:
        plan["relevant_attributes"] = sorted(plan["relevant_attributes"], key=json.dumps)
    conf = plan.get("configuration", {}).get("root_module", {})
    if "resources" in conf:
        conf["resources"].sort(key=lambda r: r["address"])
    return plan


def differences(mine: Any, real: Any, path: str = "", out: Optional[list] = None, limit: int = 40) -> list[str]:
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(mine, dict) and isinstance(real, dict):
        for k in sorted(set(mine) | set(real)):
            if k not in real:
                out.append(f"{path}.{k}: only in the generated plan: {json.dumps(mine[k])[:200]}")
            elif k not in mine:
                out.append(f"{path}.{k}: only in Terraform's plan: {json.dumps(real[k])[:200]}")
            else:
                differences(mine[k], real[k], f"{path}.{k}", out, limit)
    elif isinstance(mine, list) and isinstance(real, list):
        if len(mine) != len(real):
            out.append(f"{path}: {len(mine)} elements generated, {len(real)} in Terraform's plan")
        if path.endswith(".resource_changes") or path.endswith(".resources"):
            ma = {x.get("address"): x for x in mine}
            ra = {x.get("address"): x for x in real}
            for a in sorted(set(ma) | set(ra)):
                if a not in ra or a not in ma:
                    out.append(f"{path}[{a}]: only in {'the generated plan' if a in ma else 'Terraform'}")
                else:
                    differences(ma[a], ra[a], f"{path}[{a}]", out, limit)
            if list(ma) != list(ra) and set(ma) == set(ra):
                out.append(f"{path}: same addresses in another order")
        else:
            for i, (x, y) in enumerate(zip(mine, real)):
                differences(x, y, f"{path}[{i}]", out, limit)
    elif mine != real or type(mine) is not type(real):
        out.append(f"{path}: generated {json.dumps(mine)[:200]}, Terraform {json.dumps(real)[:200]}")
    return out


def verify(groups: int, kinds: list[str], keep: Optional[str] = None) -> bool:
    """Terraform's plan of the same model against the generated one, value by value."""
    import shutil
    import tempfile
    ok = True
    for kind in kinds:
        folder = keep or tempfile.mkdtemp(prefix=f"tfsg-realistic-{kind}-")
        if keep:
            folder = os.path.join(keep, kind)
        model = build(groups)
        if kind == "update":
            after, _ = apply_changes(model)
            write_tf(after, folder)
            with open(os.path.join(folder, "terraform.tfstate"), "w", encoding="utf-8") as fh:
                json.dump(state_file(model), fh, indent=1)
            mine = update_plan(model, after)
        else:
            write_tf(model, folder)
            mine = create_plan(model)
        real = terraform_plan(folder, refresh=(kind == "create"))
        diffs = differences(_normalise(mine), _normalise(real))
        kept = f" ({folder})" if keep or diffs else ""
        print(f"{kind}, {groups} groups, {len(real['resource_changes'])} resources: "
              f"{'identical to Terraform' if not diffs else f'{len(diffs)}+ differences'}{kept}")
        for d in diffs:
            print("  ", d)
        ok = ok and not diffs
        if not keep and not diffs:
            shutil.rmtree(folder, ignore_errors=True)
    return ok


def model_stats(m: Model) -> dict:
    """Counts straight from the model (what the plan's counts come to; ``shape`` measures plans)."""
    inline = standalone = priv = 0
    pairs = set()
    for g in m.groups:
        for st in g.stmts:
            if g.style[st.direction] == "inline":
                inline += st.peers()
            else:
                standalone += st.peers()
            if st.direction == "ingress":
                priv += sum(1 for c in st.cidrs4 if c in dict(PRIVATE_CIDRS))
            for r in st.refs:
                pairs.add((g.idx, st.direction, r))
            if st.self_:
                pairs.add((g.idx, st.direction, g.idx))
    res = resources(m)
    rule_types = ("aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule")
    return {"resources": len(res), "groups": len(m.groups), "rules": inline + standalone, "inline": inline,
            "standalone": standalone, "standalone_resources": sum(1 for r in res if r.type in rule_types),
            "attached": sum(1 for x in m.members if x.groups),
            "covered_groups": len({g for x in m.members for g in x.groups}), "private_cidr_ingress": priv,
            "ref_pairs": len(pairs)}


# --------------------------------------------------------------------------- command line

def generate(groups: int, kind: str, out: str, seed: int = SEED) -> dict:
    model = build(groups, seed)
    if kind == "create":
        plan = create_plan(model)
    else:
        after, _ = apply_changes(model, seed)
        plan = update_plan(model, after)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(plan, fh, separators=(",", ":"), ensure_ascii=False)  # as `terraform show -json` writes
    return plan


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write a plan")
    g.add_argument("--groups", type=int, default=BASE_GROUPS)
    g.add_argument("--kind", choices=["create", "update"], default="create")
    g.add_argument("--seed", type=int, default=SEED)
    g.add_argument("-o", "--output", required=True)
    s = sub.add_parser("shape", help="count what a plan holds (any plan JSON)")
    s.add_argument("plans", nargs="+")
    c = sub.add_parser("changes", help="list the changes of the update plan")
    c.add_argument("--groups", type=int, default=BASE_GROUPS)
    t = sub.add_parser("tf", help="write the model as .tf files (and terraform.tfstate with --state)")
    t.add_argument("--groups", type=int, default=60)
    t.add_argument("--side", choices=["before", "after"], default="before")
    t.add_argument("--state", action="store_true", help="also the before side as terraform.tfstate")
    t.add_argument("folder")
    v = sub.add_parser("verify", help="compare with Terraform's own plans of the same model")
    v.add_argument("--groups", type=int, default=250)
    v.add_argument("--change-fraction", type=float, default=0.2,
                   help="more changes than the benchmark's 1%%, to meet every kind of change")
    v.add_argument("--kind", choices=["create", "update", "both"], default="both")
    v.add_argument("--keep", help="work in this folder and keep it")
    m = sub.add_parser("templates", help="remake realistic_templates.json with Terraform")
    m.add_argument("--groups", type=int, default=60)
    a = ap.parse_args(argv)
    if a.cmd == "generate":
        import time
        t0 = time.perf_counter()
        plan = generate(a.groups, a.kind, a.output, a.seed)
        print(f"{a.output}: {a.kind}, {a.groups:,} groups, {len(plan['resource_changes']):,} resources, "
              f"{os.path.getsize(a.output) / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")
    elif a.cmd == "shape":
        for path in a.plans:
            with open(path, encoding="utf-8") as fh:
                planshape.print_shape(path, planshape.shape(json.load(fh)))
    elif a.cmd == "changes":
        for line in apply_changes(build(a.groups))[1]:
            print(line)
    elif a.cmd == "tf":
        model = build(a.groups)
        write_tf(model if a.side == "before" else apply_changes(model)[0], a.folder)
        if a.state:
            with open(os.path.join(a.folder, "terraform.tfstate"), "w", encoding="utf-8") as fh:
                json.dump(state_file(model), fh, indent=1)
    elif a.cmd == "verify":
        global CHANGE_FRACTION
        CHANGE_FRACTION = a.change_fraction
        return 0 if verify(a.groups, ["create", "update"] if a.kind == "both" else [a.kind], a.keep) else 1
    elif a.cmd == "templates":
        import shutil
        import subprocess
        import tempfile
        folder = tempfile.mkdtemp(prefix="tfsg-realistic-templates-")
        write_tf(build(a.groups), folder)
        terraform_plan(folder)
        with open(os.path.join(folder, "schema.json"), "w") as fh:
            subprocess.run(_terraform() + ["providers", "schema", "-json"], cwd=folder, stdout=fh, check=True)
        data = tfplan.make_templates(os.path.join(folder, "plan.json"), os.path.join(folder, "schema.json"),
                                      resources(build(a.groups)))
        with open(tfplan.TEMPLATES_FILE, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
            fh.write("\n")
        shutil.rmtree(folder, ignore_errors=True)
        print(f"{tfplan.TEMPLATES_FILE}: {len(data['planned'])} variants")
    return 0


if __name__ == "__main__":
    sys.exit(main())
