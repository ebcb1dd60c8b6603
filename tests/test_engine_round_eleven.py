"""Round eleven: data stores whose public address the configuration does not write (an Aurora
instance and a DMS replication instance without publicly_accessible, which the provider sends
as false; a Multi-AZ DB cluster, which has no such argument: AWS's default), and fleets that launch instances into a public subnet (an EC2 Fleet from a
launch template, a Spot Fleet launch_specification) (fixtures/engine_round_eleven, create plan,
offline; main.tf's header says what AWS does with each resource).

Every expected value is derived by hand from main.tf with these rules:

[IGW]    VPC user guide, "Enable internet access for a VPC using an internet gateway": an
         interface is reachable from the internet when it has a public IPv4 address and its
         subnet's route table sends 0.0.0.0/0 to an internet gateway. pub_a/pub_b do; priv_a/priv_b
         (route table with no IGW route) do not. No IPv6 block anywhere: IPv4 rows only.
[RDSPUB] RDS API CreateDBInstance, PubliclyAccessible: "If DBSubnetGroupName is specified, and
         PubliclyAccessible isn't specified ... If the subnets are part of a VPC that has an
         internet gateway attached to it, the DB instance is public." But the provider always
         sends it: resourceClusterInstanceCreate (rds/cluster_instance.go) and
         resourceReplicationInstanceCreate (dms/replication_instance.go) set PubliclyAccessible
         to aws.Bool(d.Get("publicly_accessible")), false when not written (the plan shows it
         after_unknown: Optional+Computed). So (a), (b) and (c) are private.
[MAZ]    RDS API CreateDBCluster, PubliclyAccessible ("Valid for Cluster Type: Multi-AZ DB
         clusters only"): the same default as [RDSPUB]; aws_rds_cluster has no publicly_accessible
         argument in provider 5.100.0 (hashicorp/terraform-provider-aws#39618, #43107), so it is
         never sent: (d) is public in the public subnets.
[AURSG]  CreateDBInstance, VpcSecurityGroupIds: "This setting doesn't apply to Amazon Aurora DB
         instances. The associated list of EC2 VPC security groups is managed by the DB cluster."
         RDS user guide, "Amazon Aurora endpoint connections": the cluster's endpoints are names
         for its instances' addresses; a cluster and its own instances are one data store.
[FLEET]  EC2 API CreateFleet, FleetLaunchTemplateOverridesRequest.SubnetId: the fleet launches
         its instances in the override's subnet, with the launch template's groups (the template
         sets vpc_security_group_ids and no network interface). The template launches nothing
         by itself: the fleet is the node.
[SPOT]   terraform-provider-aws ec2_spot_fleet_request.go: without associate_public_ip_address
         the launch_specification's subnet_id and groups go at the top level of the
         SpotFleetLaunchSpecification (a network interface only when the flag is true).
[PUBIP]  EC2 user guide, "Public IPv4 addressing"; EC2 API ModifySubnetAttribute,
         MapPublicIpOnLaunch: instances launched into a subnet that maps public IPv4 addresses,
         with no network interface specification, get one. So (e) and (f) are public in pub_a.
[SGR]    VPC user guide, "Security group rules": a rule naming a group admits the interfaces in
         that group (db admits web and web2 on tcp 15432); a CIDR rule from 0.0.0.0/0 admits
         every IPv4 address, the VPC's private addresses too. Terraform's aws_security_group
         revokes AWS's default allow-all egress on create: aurora, aurora_priv, dms, maz and db
         open no connection; web and web2 allow all egress.
[DEFSG]  Terraform aws_default_security_group: "When Terraform first begins managing the default
         security group, it immediately removes all ingress and egress rules"; adopted with none,
         and nothing here is in it: it adds nothing (and TFSG011 has nothing to report).
[PATHS]  README, "How flows are computed": paths are shortest paths of at least two hops, plus the
         longer ways that reach a resource on a service no shortest way carries. The fleets reach
         db, both Aurora instances on tcp 15432 and dms on tcp 8443 [SGR] (their groups admit
         0.0.0.0/0, their private addresses too); (d) and the fleets themselves are reached
         directly on the services the fleets would use, so no path ends at them.
[NODES]  tfsg's model (README "Reports"; fixtures/engine_cluster_aggregate): an Aurora cluster
         is a node of its own for its endpoints, never an exposure row (the public address is the
         instance's). The fleets reach both clusters' endpoints on tcp 15432 [SGR][AURSG], so
         paths end at both cluster nodes as at their instances.
[POL]    Baseline pack: TFSG007 (critical) the data tier (groups attached to aws_db_instance,
         aws_rds_cluster and its instances, aws_dms_replication_instance) reached from the
         internet directly or through an internet-facing tier; "A cluster and its instances
         reached the same way are one tiering finding, on the cluster (evidence.members)".
         TFSG002's listed ports hold none of 443, 8080, 8443, 15432, 15433, but it names the port
         a data store of the group is configured on (store_ports, twelfth session): the clusters'
         15432 (aurora, aurora_priv: their groups admit it from 0.0.0.0/0) and maz's 15433; db's
         group admits 15432 from web's group only, and DMS takes no port. Nothing admits tcp
         22/3389 or all traffic from the internet: the blocking policies are TFSG007 and TFSG002.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json, validate_report

CASE = "engine_round_eleven"
V4 = "0.0.0.0/0"
INTERNET = "internet"

AURORA_C, AURORA_I = "aws_rds_cluster.aurora", "aws_rds_cluster_instance.aurora"
PRIV_C, PRIV_I = "aws_rds_cluster.aurora_priv", "aws_rds_cluster_instance.aurora_priv"
DMS, MAZ = "aws_dms_replication_instance.dms", "aws_rds_cluster.maz"
FLEET, SPOT, DB = "aws_ec2_fleet.web", "aws_spot_fleet_request.web2", "aws_db_instance.db"
TEMPLATE = "aws_launch_template.web"

JUDGED = {"TFSG001", "TFSG002", "TFSG003", "TFSG004", "TFSG005", "TFSG006", "TFSG007", "TFSG011", "TFSG013",
          "TFSG020", "TFSG021"}


def sg(name: str) -> str:
    return f"aws_security_group.{name}"


def _inputs() -> dict[str, str]:
    return {"plan": plan(CASE), "hcl": str(FIXTURES / CASE)}


def _changes() -> dict[str, dict]:
    with open(plan(CASE)) as f:
        return {c["address"]: c["change"] for c in json.load(f)["resource_changes"]}


@pytest.fixture(scope="module", params=["plan", "hcl"])
def show(request) -> dict:
    return tfsg_json("show", _inputs()[request.param])


@pytest.fixture(scope="module", params=["plan", "hcl"])
def check(request) -> tuple[int, dict]:
    proc = run_tfsg("check", _inputs()[request.param], "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _exposed(r: dict) -> set[tuple]:
    return {(e["address"], e["family"], e["protocol"], e["ports"], e.get("listener"), tuple(e["sources"]))
            for e in r["exposed"] if e["kind"] == "resource"}


def _paths(r: dict) -> dict[tuple[str, ...], list[tuple[str, str, list[tuple[str, str]]]]]:
    return {tuple(p["nodes"]): [(h["from"], h["to"], [(s["protocol"], s["ports"]) for s in h["services"]])
                                for h in p["hops"]] for p in r["paths"]}


def _violations(r: dict) -> set[tuple[str, str]]:
    return {(f["policy"], f["address"]) for f in r["findings"] if f["status"] == "violation" and f["policy"] in JUDGED}


# ------------------------------------------------------------------------------ the plan


def test_plan_holds_the_scenario():
    """The plan says what main.tf says: the public flags are not written [RDSPUB][MAZ], the
    launches name the public subnet with no interface of their own [FLEET][SPOT]."""
    rc = _changes()
    for address in (AURORA_I, PRIV_I, DMS):
        assert "publicly_accessible" not in rc[address]["after"], address
        assert rc[address]["after_unknown"]["publicly_accessible"] is True, address
    # [MAZ] the resource has no such argument at all
    for address in (AURORA_C, PRIV_C, MAZ):
        assert "publicly_accessible" not in rc[address]["after"], address
        assert "publicly_accessible" not in rc[address]["after_unknown"], address
    assert rc[MAZ]["after"]["db_cluster_instance_class"] == "db.m5d.large"
    assert rc[MAZ]["after"]["engine"] == "postgres" and rc[MAZ]["after"]["port"] == 15433
    # [FLEET] the override's subnet is pub_a's id (known after apply); the template has no interface
    fleet = rc[FLEET]
    assert fleet["after"]["type"] == "maintain"
    assert fleet["after_unknown"]["launch_template_config"][0]["override"][0]["subnet_id"] is True
    assert rc[TEMPLATE]["after"]["network_interfaces"] == []
    # [SPOT] no public-address flag: the subnet decides
    (spec,) = rc[SPOT]["after"]["launch_specification"]
    assert spec["associate_public_ip_address"] is False
    # [IGW][PUBIP] the public subnets map public IPv4s, the private ones do not
    subnets = {a.split(".")[1]: c["after"]["map_public_ip_on_launch"] for a, c in rc.items()
               if a.startswith("aws_subnet.")}
    assert subnets == {"pub_a": True, "pub_b": True, "priv_a": False, "priv_b": False}
    assert [r["cidr_block"] for r in rc["aws_route_table.public"]["after"]["route"]] == ["0.0.0.0/0"]
    # the private table writes no route: computed, and a new table holds only the local route
    private = rc["aws_route_table.private"]
    assert "route" not in private["after"] and private["after_unknown"]["route"] is True
    # [DEFSG] adopted with no rule written (the plan leaves the computed rule lists unknown)
    default = rc["aws_default_security_group.default"]
    assert "ingress" not in default["after"] and "egress" not in default["after"]


# ------------------------------------------------------------------------------ exposure


def test_resource_exposures(show):
    """(a), (b), (c) nothing: sent false [RDSPUB] ((b) has no IGW route either [IGW]); (d) the
    Multi-AZ cluster on tcp 15433 [MAZ]; (e) the EC2 Fleet on tcp 443 [FLEET][PUBIP]; (f) the Spot
    Fleet on tcp 8080 [SPOT][PUBIP]. All IPv4 from 0.0.0.0/0; not the template [FLEET], not db
    (private subnets)."""
    assert _exposed(show) == {
        (MAZ, "ipv4", "tcp", "15433", None, (V4,)),
        (FLEET, "ipv4", "tcp", "443", None, (V4,)),
        (SPOT, "ipv4", "tcp", "8080", None, (V4,)),
    }


def test_b_private_subnets_not_reached_directly(show):
    """(b) [IGW] the control: the same cluster in the private DB subnet group has no exposure row
    (its group does: 0.0.0.0/0 on tcp 15432)."""
    rows = {(e["address"], e["kind"]) for e in show["exposed"]}
    assert (PRIV_I, "resource") not in rows and (PRIV_C, "resource") not in rows
    assert (sg("aurora_priv"), "group") in rows


def test_default_group_adds_nothing(show):
    """[DEFSG] the adopted default group has no rule and no member: no flow names it."""
    (default,) = [g for g in show["groups"] if g["address"] == "aws_default_security_group.default"]
    assert default["attached"] == []
    assert [f for f in show["flows"] if "aws_default_security_group.default" in (f["from"], f["to"])] == []


def test_nothing_left_unknown(show):
    """Every public address is decided by what the provider sends, a documented AWS default or the
    subnet [RDSPUB][MAZ][PUBIP]: no unknown."""
    assert show["unknown"] == []


# ------------------------------------------------------------------------------ paths


def test_paths_through_the_fleets(show):
    """(e)/(f) [PATHS][SGR] internet -[443]-> EC2 Fleet and -[8080]-> Spot Fleet, each -[15432]->
    db (db admits web and web2), -[15432]-> both Aurora instances and their cluster nodes, and
    -[8443]-> dms (0.0.0.0/0 admits their private addresses; no direct way in) [NODES]. No path
    ends at the directly reached maz or the other fleet."""
    hop_fleet = (INTERNET, FLEET, [("tcp", "443")])
    hop_spot = (INTERNET, SPOT, [("tcp", "8080")])
    expected = {}
    for first, node in ((hop_fleet, FLEET), (hop_spot, SPOT)):
        for end in (DB, PRIV_I, PRIV_C, AURORA_I, AURORA_C):
            expected[(INTERNET, node, end)] = [first, (node, end, [("tcp", "15432")])]
        expected[(INTERNET, node, DMS)] = [first, (node, DMS, [("tcp", "8443")])]
    assert _paths(show) == expected


def test_the_fleets_reach_db(show):
    """The two paths the fixture is for: internet -> aws_ec2_fleet.web -> aws_db_instance.db on
    tcp 443 then 15432, and the same through the Spot Fleet on tcp 8080 [FLEET][SPOT][SGR]."""
    paths = _paths(show)
    assert paths[(INTERNET, FLEET, DB)] == [(INTERNET, FLEET, [("tcp", "443")]), (FLEET, DB, [("tcp", "15432")])]
    assert paths[(INTERNET, SPOT, DB)] == [(INTERNET, SPOT, [("tcp", "8080")]), (SPOT, DB, [("tcp", "15432")])]


# ------------------------------------------------------------------------------ the gate


def test_tfsg007_violations(check):
    """[POL] TFSG007 on every data store the internet reaches: directly (d); through the
    internet-facing fleets db, dms and (a), (b) (one finding on each cluster, naming its
    instance) [NODES]. Exit code 1."""
    code, r = check
    assert code == 1
    assert not r["verdict"]["passed"]
    assert {v for v in _violations(r) if v[0] == "TFSG007"} == {
        ("TFSG007", DMS), ("TFSG007", MAZ), ("TFSG007", DB), ("TFSG007", PRIV_C), ("TFSG007", AURORA_C),
    }
    tier = {f["address"]: f for f in r["findings"] if f["policy"] == "TFSG007"}
    assert all(f["severity"] == "critical" and f["blocking"] and f["introduced"] for f in tier.values())
    assert tier[PRIV_C]["evidence"]["members"] == [PRIV_I]
    assert tier[AURORA_C]["evidence"]["members"] == [AURORA_I]
    assert "directly" in tier[MAZ]["message"]
    assert tier[DB]["evidence"]["path"] in ([INTERNET, FLEET, DB], [INTERNET, SPOT, DB])
    assert tier[DB]["evidence"]["services"] == [{"protocol": "tcp", "ports": "15432"}]


def test_only_tfsg007_and_the_store_ports_block(check):
    """[POL][DEFSG] no other group policy fires (no SSH/RDP or all-traffic ingress, the default
    group emptied): the blocking findings are TFSG007 and TFSG002 on the data stores' own ports."""
    _, r = check
    assert {f["policy"] for f in r["findings"] if f["blocking"]} == {"TFSG007", "TFSG002"}
    assert {(f["address"], f["key"]) for f in r["findings"] if f["policy"] == "TFSG002"} == {
        ("aws_security_group.aurora", "internet tcp 15432"), ("aws_security_group.aurora_priv", "internet tcp 15432"),
        ("aws_security_group.maz", "internet tcp 15433")}
