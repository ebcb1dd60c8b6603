"""Aurora Limitless shard groups and a Classic Load Balancer's listeners (create plans, offline):
fixtures/engine_shard_group and fixtures/engine_clb_listeners, each read as a plan and as .tf
sources alone (HCL mode gives the same network).

Expected values are read from each main.tf by hand, with AWS's rules:

[SHARD]  RDS API CreateDBShardGroup: a DB shard group is reached under its cluster's security
         groups, in its cluster's DB subnet group; PubliclyAccessible: when it is not specified
         and the subnets are in a VPC with an internet gateway, the shard group is public.
         explicit (true) and implicit (unset) are public, in subnets routed to the internet
         gateway; network_type is unset (IPv4 only).
[ROUTE]  VPC user guide, "Enable internet access for a VPC using an internet gateway": a public
         address is reachable only from a subnet whose route table sends the internet to an
         internet gateway. unrouted's subnets route locally: not reachable, publicly_accessible
         or not.
[TIER]   policies/baseline.yml: the data tier is the groups attached to aws_rds_cluster (and its
         members); TFSG007 (critical) when the internet reaches it other than through a tier that
         is not internet-facing. README, "The gate": "A cluster and its instances reached the same
         way are one tiering finding, on the cluster (evidence.members)".
[LSN]    Classic ELB guide, "Listeners for your Classic Load Balancer": a listener checks for
         client connections on its lb_port and forwards them to instance_port on the registered
         instances; the load balancer accepts nothing else, whatever its group admits. web:
         80 -> 8080, 2222 -> 22.
[PRV]    The instances are in a private subnet with no public IPv4: the internet reaches them
         only through web's listeners.
[SSH]    TFSG001 (SSH/RDP from the internet): group elb admits 0.0.0.0/0 on tcp 0-65535, so 22
         and 3389: a finding on the group. web listens on neither: it is no reachable resource
         of that finding. The instances' tcp 22 is reached from the internet through listener
         2222 (a TCP listener passes the client's connection to sshd): it counts.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json, validate_report

INPUTS = {"plan": plan, "sources": lambda case: str(FIXTURES / case)}


def _show(source: str, case: str) -> dict:
    return tfsg_json("show", INPUTS[source](case))


def _check(source: str, case: str) -> tuple[int, dict]:
    proc = run_tfsg("check", INPUTS[source](case), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _ranges(rows: list[dict], kind: str) -> set[tuple[str, str, str]]:
    """(address, protocol, port range) per exposure row of this kind, one per range."""
    return {(e["address"], e["protocol"], part.strip()) for e in rows if e["kind"] == kind
            for part in e["ports"].split(",")}


# --------------------------------------------------------------------------- Aurora Limitless

SHARD = "engine_shard_group"
SG_DB = 'aws_security_group.db["%s"]'
CLUSTER = 'aws_rds_cluster.limitless["%s"]'
SHARDS = {k: f"aws_rds_shard_group.{k}" for k in ("explicit", "implicit", "unrouted")}


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_shard_group_exposures(source):
    """[SHARD][ROUTE] explicit and implicit on tcp 5432 from 0.0.0.0/0, IPv4; unrouted not; the
    clusters are reached as their shard groups. Each group admits the world on 5432."""
    r = _show(source, SHARD)
    rows = {(e["address"], e["protocol"], e["ports"], e.get("family"), tuple(e["sources"]))
            for e in r["exposed"] if e["kind"] == "resource"}
    assert rows == {(SHARDS["explicit"], "tcp", "5432", "ipv4", ("0.0.0.0/0",)),
                    (SHARDS["implicit"], "tcp", "5432", "ipv4", ("0.0.0.0/0",))}
    assert _ranges(r["exposed"], "group") == {(SG_DB % k, "tcp", "5432") for k in ("explicit", "implicit", "unrouted")}
    # [SHARD] the unset publicly_accessible is decided by the documented default: not an unknown
    assert SHARDS["implicit"] not in {u["address"] for u in r["unknown"]}


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_shard_group_members(source):
    """[SHARD] each shard group carries its cluster's group."""
    r = _show(source, SHARD)
    attached = {g["address"]: set(g["attached"]) for g in r["groups"]}
    for k in ("explicit", "implicit", "unrouted"):
        assert SHARDS[k] in attached[SG_DB % k]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_shard_group_tiering(source):
    """[TIER] one TFSG007 per reached store (explicit, implicit), reached directly on tcp 5432;
    none on unrouted [ROUTE]. The subject is the store: its cluster (then naming the shard group
    in evidence.members) or, where the cluster is no node of its own (an Aurora cluster's
    endpoints are its members', as for the single-instance cluster of
    tests/test_engine_cluster_aggregate.py), the shard group; never both."""
    code, r = _check(source, SHARD)
    assert code == 1
    tier = [f for f in r["findings"] if f["policy"] == "TFSG007" and f["status"] == "violation"]
    store = {CLUSTER % k: k for k in SHARDS} | {v: k for k, v in SHARDS.items()}
    assert sorted(store[f["address"]] for f in tier) == ["explicit", "implicit"]
    for f in tier:
        key = store[f["address"]]
        if f["address"] == CLUSTER % key:
            assert SHARDS[key] in f["evidence"].get("members", []), f["evidence"]
        assert f["severity"] == "critical" and f["blocking"]
        assert f["evidence"]["services"] == [{"protocol": "tcp", "ports": "5432"}]
        assert f["evidence"]["sources"] == ["0.0.0.0/0"]
        assert "directly" in f["message"]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_shard_group_database_port_findings(source):
    """TFSG002 (database ports from the internet) on each group; the reachable resource behind it
    is its public, routed shard group [SHARD][ROUTE]."""
    _, r = _check(source, SHARD)
    found = {f["address"]: f["evidence"]["exposed_resources"] for f in r["findings"]
             if f["policy"] == "TFSG002" and f["status"] == "violation"}
    assert found == {SG_DB % "explicit": [SHARDS["explicit"]], SG_DB % "implicit": [SHARDS["implicit"]],
                     SG_DB % "unrouted": []}


# --------------------------------------------------------------------------- Classic Load Balancer

CLB = "engine_clb_listeners"
ELB, ELB_SG, APP_SG = "aws_elb.web", "aws_security_group.elb", "aws_security_group.app"
APPS = ("aws_instance.app[0]", "aws_instance.app[1]")


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_clb_exposures_follow_the_listeners(source):
    """[LSN] web on tcp 80 and 2222 only (not the group's 0-65535); [LSN][PRV] each instance on
    8080 and 22 through web (the rows' listener is the load balancer), nothing else; the group elb
    admits every tcp port from the world, the group app nothing from it."""
    r = _show(source, CLB)
    assert _ranges(r["exposed"], "resource") == {
        (ELB, "tcp", "80"), (ELB, "tcp", "2222"),
        *((a, "tcp", p) for a in APPS for p in ("22", "8080"))}
    for e in r["exposed"]:
        if e["kind"] == "resource" and e["address"] == ELB:
            assert e["sources"] == ["0.0.0.0/0"] and e.get("family") == "ipv4"
        if e["kind"] == "resource" and e["address"] in APPS:
            assert e.get("listener") == ELB, e
            assert "0.0.0.0/0" not in e["sources"]  # [PRV] not reached directly
    assert _ranges(r["exposed"], "group") == {(ELB_SG, "tcp", "all")}


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_clb_paths(source):
    """internet -> web -> each instance; the first hop on web's listener ports only, the second on
    the instance ports only [LSN]."""
    r = _show(source, CLB)
    assert {tuple(p["nodes"]) for p in r["paths"]} == {("internet", ELB, a) for a in APPS}
    for p in r["paths"]:
        first, second = p["hops"]
        assert {(s["protocol"], s["ports"]) for s in first["services"]} <= {("tcp", "80"), ("tcp", "2222")}
        assert {(s["protocol"], s["ports"]) for s in second["services"]} <= {("tcp", "22"), ("tcp", "8080")}
    for a in APPS:
        hops = [p["hops"] for p in r["paths"] if p["nodes"][-1] == a]
        assert {(s["protocol"], s["ports"]) for h in hops for s in h[0]["services"]} == {("tcp", "80"), ("tcp", "2222")}
        assert {(s["protocol"], s["ports"]) for h in hops for s in h[1]["services"]} == {("tcp", "22"), ("tcp", "8080")}


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_clb_ssh_finding_on_the_group_does_not_name_the_load_balancer(source):
    """[SSH] TFSG001 on group elb (it admits the internet on 22 and 3389) with no reachable
    resource behind it: web, which listens on neither, is reachable through no TFSG001 finding."""
    code, r = _check(source, CLB)
    assert code == 1
    found = {f["address"]: f for f in r["findings"] if f["policy"] == "TFSG001" and f["status"] == "violation"}
    assert found[ELB_SG]["evidence"]["sources"] == ["0.0.0.0/0"]
    assert found[ELB_SG]["evidence"]["exposed_resources"] == []
    assert not any(ELB in f["evidence"].get("exposed_resources", []) for f in found.values())


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_clb_ssh_through_a_listener_counts(source):
    """[SSH][LSN] the instances' tcp 22 is reached from the internet through listener 2222: a
    TFSG001 finding names both as reachable resources (README does not say which subject holds
    it: the group app, whose members they are, or elb), and no finding names anything else."""
    _, r = _check(source, CLB)
    named = {a for f in r["findings"] if f["policy"] == "TFSG001" and f["status"] == "violation"
             for a in f["evidence"].get("exposed_resources", [])}
    assert named == set(APPS)


@pytest.mark.parametrize("case", [SHARD, CLB])
def test_sources_alone_give_the_plans_exposures_and_paths(case):
    """README, "Without a plan": the .tf files alone give the network the plan gives."""
    def rows(r: dict) -> set:
        return {(e["address"], e["kind"], e["protocol"], e["ports"], e.get("family"), tuple(e["sources"]),
                 e.get("listener")) for e in r["exposed"]}
    from_plan, from_sources = _show("plan", case), _show("sources", case)
    assert rows(from_sources) == rows(from_plan)
    assert {tuple(p["nodes"]) for p in from_sources["paths"]} == {tuple(p["nodes"]) for p in from_plan["paths"]}
