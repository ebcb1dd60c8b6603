"""Prefix lists, round twelve (fixtures/engine_prefix_lists_r12, create plan, offline; main.tf
says what each part is). Expected values derived by hand from main.tf with these rules:

[PL]    VPC user guide, "Managed prefix lists": a rule that names a prefix list admits every CIDR
        of its entries. EC2 API ModifyManagedPrefixList, AddEntries: entries are added to what
        the list holds, so a list this plan adds to holds at least the added entries.
[ICMP]  ICMP (protocol 1) is IPv4's, ICMPv6 (58) IPv6's: a rule of one from addresses of the
        other family matches no packet (AWS accepts it; provider PR #9569), whether the
        addresses are written as CIDRs or held in a list whose address_family is the other.
[PUB]   Every host is in a subnet that maps public IPv4 addresses and assigns IPv6 ones, routed
        0.0.0.0/0 and ::/0 to the internet gateway (VPC user guide, internet gateways).
[POL]   Baseline: TFSG001 (critical) SSH/RDP from the whole internet of a family (2000::/3 is
        the whole public IPv6 space); TFSG021 (high) SSH/RDP from a public block wider than /16
        that is not the whole internet, in a list the configuration writes as in a CIDR rule (an
        AWS-managed list holds AWS's own ranges); TFSG004 (medium) SSH/RDP from a wide range.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json

CASE = "engine_prefix_lists_r12"
SG = "aws_security_group."


@pytest.fixture(scope="module", params=["plan", "hcl"])
def check(request) -> dict:
    target = plan(CASE) if request.param == "plan" else str(FIXTURES / CASE)
    proc = run_tfsg("check", target, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_findings(check):
    got = {(f["policy"], f["address"], f["key"]) for f in check["findings"]
           if f["severity"] in ("critical", "high") and f["status"] == "violation"}
    assert got == {
        ("TFSG021", SG + "most", "aws_ec2_managed_prefix_list.most tcp 22"),  # (a) [PL][POL]
        ("TFSG001", SG + "v6", "internet tcp 22"),  # (b) 2000::/3
        ("TFSG001", SG + "shared", "internet tcp 3389"),  # (c) at least 0.0.0.0/0 [PL]
        ("TFSG001", SG + "ops", "internet tcp 22"),  # (d) 0.0.0.0/0 whatever the EIP is
    }


def test_what_only_apply_or_aws_knows_is_said(check):
    got = {(u["address"], u["attribute"]) for u in check["unknown"]}
    assert got == {("aws_ec2_managed_prefix_list_entry.ops_nat", "cidr"),
                   (SG + "ops", "prefix_list"),  # the EIP's /32: an entry only apply knows
                   ("aws_vpc_security_group_ingress_rule.shared_rdp", "prefix_list")}  # the rest of the list
    reasons = {u["address"]: u["reason"] for u in check["unknown"]}
    assert "other than those this plan adds" in reasons["aws_vpc_security_group_ingress_rule.shared_rdp"]


def test_flows_and_exposure():
    r = tfsg_json("show", plan(CASE))
    assert {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["flows"] if f["to"].startswith(SG)} == {
        ("aws_ec2_managed_prefix_list.most", SG + "most", "tcp", "22"),
        ("aws_ec2_managed_prefix_list.world6", SG + "v6", "tcp", "22"),  # no icmp, no icmpv6 [ICMP]
        ("pl-0abc1234567890def", SG + "shared", "tcp", "3389"),
        ("aws_ec2_managed_prefix_list.ops", SG + "ops", "tcp", "22")}
    exposed = {(e["address"], e["family"], e["protocol"], e["ports"]) for e in r["exposed"] if e["kind"] == "resource"}
    # (a) is not "the internet" (every public address: README), which TFSG021 covers
    assert exposed == {("aws_instance.v6", "ipv6", "tcp", "22"),
                       ("aws_instance.shared", "ipv4", "tcp", "3389"),
                       ("aws_instance.ops", "ipv4", "tcp", "22")}
