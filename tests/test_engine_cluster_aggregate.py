"""One thing on the network: an Aurora cluster with its instances, and an instance with all its
groups (fixtures/engine_cluster_aggregate).

Create plan (offline). Expected values are read from main.tf and aggregate.tf by hand, with AWS's
rules:

[ENDPT]  RDS user guide, "Amazon Aurora endpoint connections": "Each connection is handled by a
         specific DB instance"; "Cluster endpoints for Amazon Aurora": the cluster endpoint
         "connects to the current primary DB instance". The cluster's endpoints are names for its
         instances' addresses: the cluster and its instances are one data store, and neither
         opens connections to the other.
[AURSG]  CreateDBInstance, VpcSecurityGroupIds: "This setting doesn't apply to Amazon Aurora DB
         instances. The associated list of EC2 VPC security groups is managed by the DB cluster."
         The instances of pub are in db, those of inner in inner_db.
[RDSPUB] CreateDBInstance, PubliclyAccessible: a publicly accessible instance has a public IPv4
         address, reachable when its subnet routes 0.0.0.0/0 to an internet gateway (pub's DB
         subnet group: the public subnets). inner's instances: publicly_accessible = false, and
         their subnets route only locally.
[PUBIP]  EC2: associate_public_ip_address = true gives app a public IPv4; public[0] routes
         0.0.0.0/0 to the internet gateway.
[REF]    VPC user guide, "Security group rules": a rule naming a group admits the interfaces in
         that group: inner_db admits app's interface on tcp 5432; app's egress (all) allows it.
[CIDR]   db admits 0.0.0.0/0 on tcp 5432, which holds every private address of the VPC: app and
         the inner instances (egress all) reach pub on 5432. app admits 0.0.0.0/0 on tcp 443: pub's
         and inner's instances (egress all) reach it.
[AGG]    EC2 user guide, "Security groups": the rules of all groups on an interface "are
         effectively aggregated to create one set of rules". ssh_low (0.0.0.0/1) + ssh_high
         (128.0.0.0/1) admit every IPv4 address on tcp 22; neither alone is the internet, so
         TFSG001 is a finding on the instance, not on a group (README, "Built-in packs").
[DEFSUB] RunInstances: "If you don't specify a subnet ID, we choose a default subnet from your
         default VPC for you." VPC user guide, "Default subnets": a default subnet is public (the
         main route table sends 0.0.0.0/0 to the default VPC's internet gateway) and its instances
         get a public IPv4 address (EC2 Auto Scaling, AssociatePublicIpAddress: "If the instance is
         launched into a default subnet, the default is to assign a public IPv4 address"); the plan's
         aws_default_subnet.a shows map_public_ip_on_launch = true. The default VPC has no IPv6
         block: IPv4 only.
[UNK]    split_outside's subnet is outside the plan: whether it maps a public IPv4 is unknown.
         Its two groups admit the whole IPv4 internet on tcp 22 [AGG], so its public address
         decides a TFSG001 finding: an unknown, and TFSG001 warns about it (README, "The gate": a
         value unknown until apply makes each reachability policy that it can hide emit a warning).
         It sends nothing (no egress), so it can hide no tiering finding.
[PATHS]  README, "How flows are computed": paths are shortest paths of at least two hops, plus the
         longer ways that reach a resource on a service no shortest way carries. pub's instance is
         reached directly on 5432, so app -> pub's instance on 5432 is no path; inner is reached
         only through app.
[XVPC]   Everything in the main VPC has all egress, and the split groups admit all of IPv4 on 22:
         app and pub's instance (public IPv4s) reach the split instances over the internet, and
         inner's instances are taken to reach them by CIDR (README, "Not modelled": VPC peering
         and routes, "a CIDR that holds another VPC's addresses is taken to reach them"). Those
         flows and paths into the default VPC are not what this fixture checks: they are left out
         of the exact sets below.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, flows, plan, run_tfsg, tfsg_json, validate_report

CASE = "engine_cluster_aggregate"
SG = "aws_security_group."
APP = "aws_instance.app"
PUB_C, PUB_I = "aws_rds_cluster.pub", "aws_rds_cluster_instance.pub"
IN_C, IN_0, IN_1 = "aws_rds_cluster.inner", "aws_rds_cluster_instance.inner[0]", "aws_rds_cluster_instance.inner[1]"
SPLIT_DEFAULT, SPLIT_OUTSIDE = "aws_instance.split_default", "aws_instance.split_outside"

# [ENDPT][AURSG] one data store each: the cluster and its own instances
STORE = {PUB_C: "pub", PUB_I: "pub", IN_C: "inner", IN_0: "inner", IN_1: "inner", APP: "app"}
KIND_A = set(STORE)
DATA_STORES = {PUB_C, PUB_I, IN_C, IN_0, IN_1}

INPUTS = {"plan": lambda: plan(CASE), "sources": lambda: str(FIXTURES / CASE)}


def _show(source: str, compact: bool = False) -> dict:
    return tfsg_json("show", INPUTS[source](), compact=compact)


def _check(source: str) -> tuple[int, dict]:
    proc = run_tfsg("check", INPUTS[source](), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _same_store(a: str, b: str) -> bool:
    return a in STORE and b in STORE and STORE[a] == STORE[b]


# --------------------------------------------------------------------------- groups


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_group_flows(source):
    """Explicit and address flows, one per rule ([REF], [CIDR], [AGG]); the split groups send nothing."""
    r = _show(source, compact=True)
    assert flows(r["flows"]) == {
        ("0.0.0.0/0", SG + "db", "tcp", "5432"), (SG + "db", "0.0.0.0/0", "all", "all"),
        ("0.0.0.0/0", SG + "app", "tcp", "443"), (SG + "app", "0.0.0.0/0", "all", "all"),
        (SG + "app", SG + "inner_db", "tcp", "5432"), (SG + "inner_db", "0.0.0.0/0", "all", "all"),
        ("0.0.0.0/1", SG + "ssh_low", "tcp", "22"), ("128.0.0.0/1", SG + "ssh_high", "tcp", "22"),
        ("0.0.0.0/1", SG + "out_low", "tcp", "22"), ("128.0.0.0/1", SG + "out_high", "tcp", "22")}
    attached = {g["address"]: set(g["attached"]) for g in r["groups"]}
    # [AURSG] the instances carry their cluster's group
    assert {PUB_I} <= attached[SG + "db"] and {IN_0, IN_1} <= attached[SG + "inner_db"]
    assert attached[SG + "app"] == {APP}
    assert attached[SG + "ssh_low"] == attached[SG + "ssh_high"] == {SPLIT_DEFAULT}
    assert attached[SG + "out_low"] == attached[SG + "out_high"] == {SPLIT_OUTSIDE}


# --------------------------------------------------------------------------- exposures


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_exposures(source):
    """[RDSPUB] pub's instance on 5432, [PUBIP] app on 443, [AGG][DEFSUB] split_default on 22 from
    both halves; [UNK] split_outside is not listed as reached, neither half group is."""
    r = _show(source)
    rows = {(e["address"], e["kind"], e["protocol"], e["ports"], e.get("family"), tuple(sorted(e["sources"])),
             tuple(sorted(e["via"]))) for e in r["exposed"]}
    resources = {row for row in rows if row[1] == "resource"}
    assert resources == {
        (PUB_I, "resource", "tcp", "5432", "ipv4", ("0.0.0.0/0",), (SG + "db",)),
        (APP, "resource", "tcp", "443", "ipv4", ("0.0.0.0/0",), (SG + "app",)),
        (SPLIT_DEFAULT, "resource", "tcp", "22", "ipv4", ("0.0.0.0/1", "128.0.0.0/1"),
         (SG + "ssh_high", SG + "ssh_low"))}
    assert {(a, k, p, ports) for a, k, p, ports, *_ in rows if k == "group"} == {
        (SG + "db", "group", "tcp", "5432"), (SG + "app", "group", "tcp", "443")}


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_unknown_is_only_the_outside_subnet(source):
    """[UNK] the one value the plan cannot tell: split_outside's public address. [DEFSUB] the
    default-VPC launch is not an unknown: AWS documents its public IPv4."""
    r = _show(source)
    assert {u["address"] for u in r["unknown"]} == {SPLIT_OUTSIDE}
    assert "public address" in {u["attribute"] for u in r["unknown"]}


# --------------------------------------------------------------------------- kind A: one data store


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_no_resource_flow_inside_a_cluster(source):
    """[ENDPT] no connection between a cluster and its own instances, either way."""
    r = _show(source)
    inside = [(f["from"], f["to"]) for f in r["resource_flows"] if _same_store(f["from"], f["to"])]
    assert inside == []


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_resource_flows_between_stores(source):
    """Exact, per data store ([ENDPT]: a cluster node, if tfsg keeps one, stands for its store):
    app -> pub and inner on 5432 ([CIDR], [REF]); pub and inner -> app on 443 [CIDR];
    inner -> pub on 5432 [CIDR]; pub -> inner no (inner_db admits app only)."""
    r = _show(source)
    kind_a = {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"]
              if f["from"] in KIND_A and f["to"] in KIND_A}
    # the instances are nodes of their own: these hold whatever tfsg does with the cluster nodes
    assert {(APP, PUB_I, "tcp", "5432"), (APP, IN_0, "tcp", "5432"), (APP, IN_1, "tcp", "5432"),
            (PUB_I, APP, "tcp", "443"), (IN_0, APP, "tcp", "443"), (IN_1, APP, "tcp", "443"),
            (IN_0, PUB_I, "tcp", "5432"), (IN_1, PUB_I, "tcp", "5432")} <= kind_a
    assert {(STORE[a], STORE[b], p, ports) for a, b, p, ports in kind_a} == {
        ("app", "pub", "tcp", "5432"), ("app", "inner", "tcp", "5432"),
        ("pub", "app", "tcp", "443"), ("inner", "app", "tcp", "443"),
        ("inner", "pub", "tcp", "5432")}
    # [AGG] the split groups have no egress: the split instances open no connection
    assert [f for f in r["resource_flows"] if f["from"] in (SPLIT_DEFAULT, SPLIT_OUTSIDE)] == []


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_paths(source):
    """[PATHS] internet -443-> app -5432-> inner's instances; no hop joins a cluster and its own
    instance; pub's instance is reached directly, so no path ends at it."""
    r = _show(source)
    for p in r["paths"]:
        nodes = p["nodes"]
        assert not any(_same_store(a, b) for a, b in zip(nodes, nodes[1:])), nodes
    into_a = {tuple(p["nodes"]) for p in r["paths"] if p["nodes"][-1] in KIND_A}
    assert {("internet", APP, IN_0), ("internet", APP, IN_1)} <= into_a
    # the cluster nodes may be path ends of their own (reached through app), nothing else
    assert into_a <= {("internet", APP, IN_0), ("internet", APP, IN_1), ("internet", APP, IN_C),
                      ("internet", APP, PUB_C)}
    for p in r["paths"]:
        if tuple(p["nodes"]) in into_a:
            assert [(h["from"], h["to"], h["services"]) for h in p["hops"]] == [
                ("internet", APP, [{"protocol": "tcp", "ports": "443"}]),
                (APP, p["nodes"][-1], [{"protocol": "tcp", "ports": "5432"}])]
    # [AGG] the split instances send nothing: no path goes through them
    assert not [p for p in r["paths"] if {SPLIT_DEFAULT, SPLIT_OUTSIDE} & set(p["nodes"][:-1])]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_tiering(source):
    """TFSG007 (critical): pub is reached directly on 5432 [RDSPUB]; inner through app, which is
    itself internet-facing [PUBIP][REF]; never a cluster "through" its own instance [ENDPT]. No
    unknown can hide a tiering finding [UNK]."""
    code, r = _check(source)
    assert code == 1
    tier = [f for f in r["findings"] if f["policy"] == "TFSG007"]
    assert all(f["status"] == "violation" and f["severity"] == "critical" and f["blocking"] for f in tier)
    assert {f["address"] for f in tier} <= DATA_STORES
    direct = [f for f in tier if STORE[f["address"]] == "pub" and "directly" in f["message"]]
    assert direct and all("tcp 5432" in f["message"] for f in direct)
    assert any(f["address"] == PUB_I for f in direct)
    through_app = [f for f in tier if STORE[f["address"]] == "inner" and f"through {APP}" in f["message"]]
    # one store, one finding (README, "The gate"): on the cluster, naming the instances reached
    # the same way
    assert [f["address"] for f in through_app] == [IN_C]
    assert through_app[0]["evidence"]["members"] == [IN_0, IN_1]
    for f in through_app:
        assert f["evidence"]["path"] == ["internet", APP, f["address"]]
        assert f["evidence"]["services"] == [{"protocol": "tcp", "ports": "5432"}]
    for f in tier:
        # no finding says a store is reached through its own member
        assert not any(f"through {m}" in f["message"] for m in DATA_STORES if _same_store(m, f["address"])), \
            f["message"]
        path = f["evidence"].get("path") or []
        assert not any(_same_store(a, b) for a, b in zip(path, path[1:])), path


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_tfsg002_on_the_public_cluster_group(source):
    """[RDSPUB] db admits the whole internet on 5432 and pub's instance is reached through it."""
    _, r = _check(source)
    db = [f for f in r["findings"] if f["policy"] == "TFSG002"]
    assert [(f["address"], f["status"], f["severity"], f["blocking"]) for f in db] == \
        [(SG + "db", "violation", "critical", True)]
    assert db[0]["evidence"]["services"] == [{"protocol": "tcp", "ports": "5432"}]
    assert db[0]["evidence"]["sources"] == ["0.0.0.0/0"]
    assert db[0]["evidence"]["exposed_resources"] == [PUB_I]


# --------------------------------------------------------------------------- kind B: aggregated groups


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_tfsg001_default_vpc_launch_blocks(source):
    """[AGG][DEFSUB] split_default: TFSG001 critical, blocking, from both halves, on the instance;
    no group is a TFSG001 subject."""
    code, r = _check(source)
    assert code == 1 and not r["verdict"]["passed"]
    violations = [f for f in r["findings"] if f["policy"] == "TFSG001" and f["status"] == "violation"]
    assert [(f["address"], f["severity"], f["blocking"], f["introduced"]) for f in violations] == \
        [(SPLIT_DEFAULT, "critical", True, True)]
    assert violations[0]["evidence"]["services"] == [{"protocol": "tcp", "ports": "22"}]
    assert sorted(violations[0]["evidence"]["sources"]) == ["0.0.0.0/1", "128.0.0.0/1"]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_tfsg001_not_fully_evaluated_for_the_outside_subnet(source):
    """[UNK] split_outside: no violation (its public address is unknown), but TFSG001 warns,
    naming it; the warning does not block."""
    _, r = _check(source)
    tfsg001 = [f for f in r["findings"] if f["policy"] == "TFSG001"]
    assert SPLIT_OUTSIDE not in {f["address"] for f in tfsg001 if f["status"] == "violation"}
    warned = [f for f in tfsg001 if f["status"] == "warning"]
    assert warned and all(not f["blocking"] for f in warned)
    assert {u["address"] for f in warned for u in f["evidence"].get("unknown") or []} == {SPLIT_OUTSIDE}
    # it can hide no tiering finding: it sends nothing
    assert not [f for f in r["findings"] if f["policy"] == "TFSG007" and f["status"] == "warning"]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_blocking_findings(source):
    """Everything that blocks: TFSG001 on split_default, TFSG002 on db, TFSG007 on the data stores,
    and TFSG021 on each half-of-IPv4 SSH group (each alone admits most of the internet on 22)."""
    _, r = _check(source)
    blocking = {(f["policy"], f["address"]) for f in r["findings"] if f["blocking"]}
    assert {b for b in blocking if b[0] != "TFSG007"} == {
        ("TFSG001", SPLIT_DEFAULT), ("TFSG002", SG + "db"),
        *(("TFSG021", SG + half) for half in ("ssh_low", "ssh_high", "out_low", "out_high"))}
    assert {a for p, a in blocking if p == "TFSG007"} <= DATA_STORES
    assert r["verdict"]["blocking"] == len([f for f in r["findings"] if f["blocking"]])


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_outside_subnet_warns_only_the_policies_it_can_hide(source):
    """[UNK] whatever split_outside's address, the internet reaches it on tcp 22 at most: of the
    baseline only TFSG001 (22 from the internet) can be hidden. TFSG002 (database ports) and
    TFSG003 (all traffic, match: all) cannot; TFSG004/005 judge the groups' blocks, which are
    known; TFSG006/007/020 the data tier, which it cannot reach (no egress). README, "What it
    reads": "a policy warns only about unknowns that can hide its findings"."""
    _, r = _check(source)
    warned = {f["policy"] for f in r["findings"] if f["status"] == "warning"
              and SPLIT_OUTSIDE in {u["address"] for u in f["evidence"].get("unknown") or []}}
    assert warned == {"TFSG001"}
