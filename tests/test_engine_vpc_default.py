"""The default security group AWS creates with a VPC the plan makes, which nothing adopts
(fixtures/engine_vpc_default, create plan, offline; main.tf says what each part is).

Every expected value is derived by hand from main.tf with these rules:

[DEFSG] VPC user guide, "Default security groups for your VPCs": every VPC comes with a
        default group (name ``default``, description "default VPC security group") whose
        rules are: inbound all traffic from the group itself; outbound all traffic to
        0.0.0.0/0, and to ::/0 "if you create a VPC with an IPv6 CIDR block". "If you don't
        specify a security group when you launch an instance, the instance is automatically
        associated with the default security group for the VPC."
[ATTR]  Provider docs, aws_vpc: ``default_security_group_id`` is "the ID of the security group
        created by default on VPC creation": one group, known only after apply when the plan
        makes the VPC. A rule resource whose ``security_group_id`` is it adds its rule to that
        group; a resource naming it is in it.
[RDS]   RDS API CreateDBInstance, VpcSecurityGroupIds: "Default: The default EC2 VPC security
        group for the DB subnet group's VPC." b_db is in VPC b's default group; it is not
        publicly accessible (the provider sends false).
[IGW]   VPC user guide, internet gateways: a public IPv4 address (a_public and net's public
        subnet map one on launch and route 0.0.0.0/0 to an IGW) or an IPv6 address (b_public
        assigns one and routes ::/0 to an IGW) makes an interface reachable from the internet
        in that family. b_public maps no public IPv4 address.
[SGR]   VPC user guide, "Security group rules": a_app's only egress is tcp 5432 to 10.10.0.0/16;
        VPC a's default group admits tcp 22 from anywhere and all traffic from its own members
        only: a_app (not a member) opens nothing to a_nogroup. b_win and b_db share VPC b's
        default group: all traffic between them [DEFSG].
[POL]   Baseline: TFSG001 (critical) SSH/RDP from the whole internet of a family; TFSG007
        (critical) the data tier reached through an internet-facing resource; TFSG011 (medium)
        one finding per VPC whose new default group keeps AWS's rules, naming what the change
        adds to it. VPC d's default group is named by nothing: no group is shown for it, and
        TFSG011 still speaks of it at the VPC.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json, validate_report

CASE = "engine_vpc_default"
DA, DB, DC = ("aws_vpc.a (default security group)", "aws_vpc.b (default security group)",
              "module.net.aws_vpc.this (default security group)")


def _inputs() -> dict[str, str]:
    return {"plan": plan(CASE), "hcl": str(FIXTURES / CASE)}


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


def test_the_default_groups_named_or_used_are_groups_with_their_members(show):
    groups = {g["address"]: g for g in show["groups"]}
    # [DEFSG] VPC d's default group is named by nothing and nothing is launched into it
    assert sorted(groups) == ["aws_security_group.a_app", "aws_security_group.d_web", DA, DB, DC]
    assert {k: (groups[k]["name"], groups[k]["vpc_id"], groups[k]["default"], groups[k]["attached"],
                groups[k]["description"]) for k in (DA, DB, DC)} == {
        DA: ("default", "aws_vpc.a", True, ["aws_instance.a_nogroup"], "default VPC security group"),  # no group
        DB: ("default", "aws_vpc.b", True, ["aws_db_instance.b_db", "aws_instance.b_win"],  # [RDS], [ATTR]
             "default VPC security group"),
        DC: ("default", "module.net.aws_vpc.this", True, ["module.net.aws_instance.web"],
             "default VPC security group")}
    assert show["unknown"] == []  # every reference to default_security_group_id names its group


def test_aws_rules_and_the_added_ones(show):
    rows = {(f["from"], f["to"], f["protocol"], f["ports"], tuple(f["defined_by"])) for f in show["flows"]}
    assert {r for r in rows if DA in r[:2] or DB in r[:2] or DC in r[:2]} == {
        ("0.0.0.0/0", DA, "tcp", "22", ("aws_security_group_rule.a_ssh",)),  # [ATTR]
        (DA, "0.0.0.0/0", "all", "all", ("aws_vpc.a",)),  # [DEFSG] outbound
        # inbound from itself [DEFSG]; 0.0.0.0/0 on 22 covers its members' addresses too
        (DA, DA, "all", "all", ("aws_security_group_rule.a_ssh", "aws_vpc.a")),
        ("::/0", DB, "tcp", "3389", ("aws_vpc_security_group_ingress_rule.b_rdp",)),
        (DB, "0.0.0.0/0", "all", "all", ("aws_vpc.b",)),
        (DB, "::/0", "all", "all", ("aws_vpc.b",)),  # [DEFSG] the VPC has an IPv6 block
        (DB, DB, "all", "all", ("aws_vpc.b", "aws_vpc_security_group_ingress_rule.b_rdp")),
        ("0.0.0.0/0", DC, "tcp", "443", ("aws_vpc_security_group_ingress_rule.c_https",)),  # through an output
        (DC, "0.0.0.0/0", "all", "all", ("module.net.aws_vpc.this",)),
        (DC, DC, "all", "all", ("aws_vpc_security_group_ingress_rule.c_https", "module.net.aws_vpc.this")),
    }


def test_exposure_per_family(show):
    got = {(e["address"], e["kind"], e.get("family"), e["protocol"], e["ports"], tuple(e["sources"]))
           for e in show["exposed"]}
    assert got == {("aws_instance.a_nogroup", "resource", "ipv4", "tcp", "22", ("0.0.0.0/0",)),
                   ("aws_instance.b_win", "resource", "ipv6", "tcp", "3389", ("::/0",)),  # [IGW] IPv6 only
                   ("module.net.aws_instance.web", "resource", "ipv4", "tcp", "443", ("0.0.0.0/0",)),
                   (DA, "group", None, "tcp", "22", ("0.0.0.0/0",)),
                   (DB, "group", None, "tcp", "3389", ("::/0",)),
                   (DC, "group", None, "tcp", "443", ("0.0.0.0/0",))}


def test_the_database_in_the_default_group_is_one_hop_behind(show):
    got = {tuple(p["nodes"]): [(h["from"], h["to"], [(s["protocol"], s["ports"]) for s in h["services"]])
                               for h in p["hops"]] for p in show["paths"]}
    assert got == {("internet", "aws_instance.b_win", "aws_db_instance.b_db"): [
        ("internet", "aws_instance.b_win", [("tcp", "3389")]),
        # the default group admits all traffic from its members, and the PostgreSQL instance,
        # with no port and no option group written, serves 5432 only (RDS API CreateDBInstance
        # "Port" default; the engine's default option group adds no listener): round fourteen
        ("aws_instance.b_win", "aws_db_instance.b_db", [("tcp", "5432")])]}  # [SGR]
    pairs = {(f["from"], f["to"]) for f in show["resource_flows"]}
    assert ("aws_instance.a_app", "aws_instance.a_nogroup") not in pairs  # [SGR] 5432 is not admitted


def test_verdict(check):
    code, r = check
    assert code == 1
    got = sorted((f["policy"], f["address"], f["severity"]) for f in r["findings"]
                 if f["policy"] in ("TFSG001", "TFSG007", "TFSG011"))
    assert got == [("TFSG001", DA, "critical"), ("TFSG001", DB, "critical"),  # [POL]
                   ("TFSG007", "aws_db_instance.b_db", "critical"),
                   ("TFSG011", "aws_vpc.a", "medium"), ("TFSG011", "aws_vpc.b", "medium"),
                   ("TFSG011", "aws_vpc.d", "medium"), ("TFSG011", "module.net.aws_vpc.this", "medium")]
    by = {(f["policy"], f["address"]): f for f in r["findings"]}
    assert by[("TFSG001", DA)]["evidence"]["exposed_resources"] == ["aws_instance.a_nogroup"]
    assert by[("TFSG001", DB)]["evidence"]["exposed_resources"] == ["aws_instance.b_win"]
    assert "the rules this change adds to it: ingress tcp 22 0.0.0.0/0" in by[("TFSG011", "aws_vpc.a")]["message"]
    assert "adds" not in by[("TFSG011", "aws_vpc.d")]["message"]
    assert r["unknown"] == []
