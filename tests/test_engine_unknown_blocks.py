"""Nested blocks only apply can count, a module idiom, a rule without a description, managed
services' public signals (fixtures/engine_unknown_blocks).

Every expected value is read from main.tf by hand, with these rules:

[DYN]    Terraform language docs, "dynamic Blocks": the blocks are generated from for_each; when
         for_each is not known at plan (here `length(aws_subnet.a.id) > 0 ? [1] : []`, the id is
         known only after apply), Terraform cannot tell how many blocks there are, and the plan
         has the whole nested block unknown (`after_unknown.network_interfaces = true`). The
         content names group app, so after apply the instances may well be in it: unknown, not
         "no group" (EC2's default group applies only when no group is given at all) and not
         "attached to nothing".
[FMT]    Terraform functions: formatlist("%s", x) with a string x is [x]; join("", [id]) is id;
         compact() drops only empty strings and a created group's id is never empty: the list is
         [aws_security_group.ssh.id].
[PUBIP]  EC2: an instance launched with associate_public_ip_address = true (or in a subnet with
         map_public_ip_on_launch) in a subnet routing 0.0.0.0/0 to an internet gateway is
         reachable at its public IPv4 address on what its groups admit.
[DESC]   Provider schema, aws_vpc_security_group_ingress_rule: `description` is Optional (not
         Computed); unset it is null (the plan says "description": null): TFSG009 (every rule
         has a description) applies in plan and in HCL mode alike.
[BATCH]  AWS Batch User Guide, "Compute environments" (managed): it launches EC2 instances "into
         the VPC and subnets that you specify"; instances there get a public IP address when the
         subnet provides one ("If your container instances do not have public IP addresses
         (because the subnets you've chosen do not provide them by default), then they must use
         NAT"). Subnet a maps public IPv4 addresses and routes to the internet gateway.
[PROXY]  RDS User Guide, "Quotas and limitations for RDS Proxy": "The proxy can't be publicly
         accessible, although the database can be."
[FSX]    FSx for Lustre User Guide, "File system access control with Amazon VPC": the file
         system is reached through network interfaces with private addresses in the VPC; only
         resources in the VPC, peered VPCs or connected networks (Direct Connect, VPN) reach them.
"""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, plan, run_tfsg, tfsg_json, validate_report

CASE = "engine_unknown_blocks"
LT, ASG, DB = "aws_launch_template.app", "aws_autoscaling_group.app", "aws_db_instance.db"
CP = "aws_instance.cp"
BATCH = "aws_batch_compute_environment.ec2"
PROXY, FSX = "aws_db_proxy.proxy", "aws_fsx_lustre_file_system.scratch"
NODESC_RULE = "aws_vpc_security_group_ingress_rule.nodesc_https"

SOURCES = pytest.mark.parametrize("source", ["plan", "hcl"])


def sg(name: str) -> str:
    return f"aws_security_group.{name}"


def _source(kind: str) -> str:
    return plan(CASE) if kind == "plan" else str(FIXTURES / CASE)


def _show(kind: str) -> dict:
    return tfsg_json("show", _source(kind))


def _check(kind: str) -> tuple[int, dict]:
    proc = run_tfsg("check", _source(kind), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def test_plan_holds_the_scenario():
    data = json.loads(open(plan(CASE)).read())
    rc = {c["address"]: c["change"] for c in data["resource_changes"]}
    assert rc[LT]["after_unknown"]["network_interfaces"] is True  # [DYN]
    assert "network_interfaces" not in rc[LT]["after"] or rc[LT]["after"]["network_interfaces"] is None
    assert rc[CP]["after_unknown"]["vpc_security_group_ids"] is True  # the plan does not resolve [FMT]
    assert rc[NODESC_RULE]["after"]["description"] is None  # [DESC]


# ---------------------------------------------------------------- (a) the unknown block


@SOURCES
def test_the_dynamic_block_is_an_unknown_not_the_default_group(source):
    r = _show(source)
    block = [u for u in r["unknown"] if u["address"] == LT]
    assert [u["attribute"] for u in block] == ["network_interfaces[0].security_groups"]
    assert "dynamic" in block[0]["reason"] or "for_each" in block[0]["reason"]
    # [DYN] not "no group is set, so AWS puts it in its VPC's default group"
    assert not [u for u in r["unknown"] if u["address"] in (LT, ASG) and "default" in u["reason"]]
    for g in r["groups"]:
        if g["default"]:
            assert ASG not in g["attached"] and LT not in g["attached"]
    # what its instances are in is not known: they are not said reachable, nor is the database
    reached = {e["address"] for e in r["exposed"] if e["kind"] == "resource"}
    assert ASG not in reached and DB not in reached


@SOURCES
def test_check_says_the_tiering_policy_is_not_fully_evaluated(source):
    """After apply: internet -443-> the ASG's public instances (group app) -5432-> db (a data
    store) [DYN][PUBIP]; tfsg cannot know the block, so the tiering policy must either warn
    that it is not fully evaluated because of the launch template, or find the path."""
    _code, r = _check(source)
    tiering = [f for f in r["findings"] if f["policy"] == "TFSG007"]
    assert any((f["key"] == "unknown" and f["status"] == "warning" and f["address"] in (LT, ASG))
               or (f["status"] == "violation" and f["address"] in (DB, sg("db"))) for f in tiering), tiering
    # [DYN] the content names group app: it is not shown to be unused
    assert not [f for f in r["findings"]
                if f["policy"] == "TFSG012" and f["address"] == sg("app") and f["status"] == "violation"]


# ---------------------------------------------------------------- (b), (d): who is reachable


@SOURCES
def test_exposures(source):
    r = _show(source)
    rows = {(e["address"], e["family"], e["protocol"], e["ports"], e.get("listener"), tuple(e["via"]))
            for e in r["exposed"] if e["kind"] == "resource"}
    assert rows == {
        (CP, "ipv4", "tcp", "22", None, (sg("ssh"),)),  # [FMT][PUBIP]
        (BATCH, "ipv4", "tcp", "22", None, (sg("batch"),)),  # [BATCH]
        # not the RDS Proxy [PROXY], not the file system [FSX], not the ASG [DYN]
    }
    batch = next(e for e in r["exposed"] if e["address"] == BATCH)
    # the public address comes from the subnets the compute environment names [BATCH]
    assert "subnet" in batch["reason"] and "map_public_ip_on_launch" in batch["reason"]
    groups = {(e["address"], e["protocol"], e["ports"]) for e in r["exposed"] if e["kind"] == "group"}
    assert groups == {(sg("app"), "tcp", "443"), (sg("ssh"), "tcp", "22"), (sg("batch"), "tcp", "22")}
    attached = {g["address"]: set(g["attached"]) for g in r["groups"]}
    assert attached[sg("ssh")] == {CP}  # [FMT]
    assert attached[sg("batch")] == {BATCH, PROXY, FSX}
    # the proxy and the file system have no public address: nothing to leave open [PROXY][FSX]
    assert not [u for u in r["unknown"] if u["address"] in (PROXY, FSX)]
    assert not [u for u in r["unknown"] if u["address"] == CP]


@SOURCES
def test_findings(source):
    code, r = _check(source)
    assert code == 1
    ssh = {f["address"]: f for f in r["findings"] if f["policy"] == "TFSG001" and f["status"] == "violation"}
    assert {a: f["evidence"]["exposed_resources"] for a, f in ssh.items()} == {
        sg("ssh"): [CP], sg("batch"): [BATCH]}  # not the proxy, not the file system
    # (c) the one rule without a description [DESC]; every other rule has one
    nodesc = [f for f in r["findings"] if f["policy"] == "TFSG009" and f["status"] == "violation"]
    assert len(nodesc) == 1 and nodesc[0]["address"] in (sg("nodesc"), NODESC_RULE)
    assert NODESC_RULE in json.dumps(nodesc[0])
