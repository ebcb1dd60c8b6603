"""Verdicts that need the rules of several groups, or of one group read per family (fixtures/verdict_aggregate).

Create plan (offline). Expected values are read from main.tf by hand, with AWS's rules:

[AGG]    EC2 user guide, "Security groups": when several groups are on an instance's interface,
         "the rules from each security group are effectively aggregated to create one set of
         rules". low admits 0.0.0.0/1 and high 128.0.0.0/1 on tcp 22: together every IPv4
         address. split is public (map_public_ip_on_launch, 0.0.0.0/0 -> internet gateway), so
         the whole IPv4 internet reaches it on SSH: TFSG001 (critical, blocks). Neither group
         admits the internet alone, so neither is a TFSG001 subject of its own; the finding is
         the instance's (README, "The gate": what one group admits alone is that group's finding).
[ICMP]   ICMP is protocol 1 (IPv4), ICMPv6 protocol 58 (IPv6); a rule's protocol and source
         family must agree for a packet to match. terraform-provider-aws PR #9569 (which
         documents "icmpv6"): an "icmp" rule with ::/0 "does apply cleanly but doesn't do
         anything since IPv6-ICMP is a different protocol". icmp_mixed (icmp from ::/0, icmpv6
         from 0.0.0.0/0) admits nothing. pinger has a public IPv4 (the subnet) and an IPv6
         address (ipv6_address_count = 1; ::/0 -> internet gateway): it is reached on anchor's
         tcp 8080 (IPv6) and tcp 8081 (IPv4) only.
[QUOTA]  VPC user guide, "Amazon VPC quotas", inbound rules per security group (60): "enforced
         separately for IPv4 rules and IPv6 rules"; "A rule that references a security group or
         AWS-managed prefix list ID counts as one rule for IPv4 and one rule for IPv6"; a
         customer-managed prefix list counts as its maximum number of entries (its entries are of
         its address family). quota_v6: 59 IPv6 CIDRs + 2 references = 61 IPv6 (> 60), 2 IPv4.
         quota_mixed: 55 IPv4 CIDRs, and an IPv6 list of max_entries 10: 55 IPv4, 10 IPv6.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json, validate_report

CASE = "verdict_aggregate"
SPLIT, PINGER = "aws_instance.split", "aws_instance.pinger"
SG = "aws_security_group."

INPUTS = {"plan": lambda: plan(CASE), "sources": lambda: str(FIXTURES / CASE)}


def _check(source: str) -> tuple[int, dict]:
    proc = run_tfsg("check", INPUTS[source](), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_split_internet_is_reached_through_both_groups(source):
    """[AGG] the instance row names both groups and both halves; no group row."""
    r = tfsg_json("show", INPUTS[source]())
    rows = [e for e in r["exposed"] if e["address"] == SPLIT]
    assert [(e["kind"], e["protocol"], e["ports"], e["family"], sorted(e["sources"]), sorted(e["via"]))
            for e in rows] == [("resource", "tcp", "22", "ipv4", ["0.0.0.0/1", "128.0.0.0/1"],
                                [SG + "high", SG + "low"])]
    assert not [e for e in r["exposed"] if e["address"] in (SG + "low", SG + "high")]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_tfsg001_on_the_instance(source):
    """[AGG] TFSG001 on split (critical, blocking), on neither group."""
    code, r = _check(source)
    assert code == 1
    tfsg001 = [f for f in r["findings"] if f["policy"] == "TFSG001"]
    assert [(f["address"], f["introduced"], f["severity"], f["blocking"]) for f in tfsg001] == \
        [(SPLIT, True, "critical", True)]
    assert tfsg001[0]["evidence"]["services"] == [{"protocol": "tcp", "ports": "22"}]
    assert sorted(tfsg001[0]["evidence"]["sources"]) == ["0.0.0.0/1", "128.0.0.0/1"]
    # each group alone admits half of IPv4 on 22: most of the internet (TFSG021, high), which
    # another resource in one of them alone would be reached from
    assert sorted((f["policy"], f["address"]) for f in r["findings"] if f["blocking"]) == \
        [("TFSG001", SPLIT), ("TFSG021", SG + "high"), ("TFSG021", SG + "low")]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_icmp_of_the_other_family_admits_nothing(source):
    """[ICMP] pinger is reached on anchor's ports, one per family, and on no ICMP."""
    r = tfsg_json("show", INPUTS[source]())
    assert {(e["protocol"], e["ports"], e["family"]) for e in r["exposed"]
            if e["address"] == PINGER and e["kind"] == "resource"} == \
        {("tcp", "8080", "ipv6"), ("tcp", "8081", "ipv4")}
    assert not [e for e in r["exposed"] if e["address"] == SG + "icmp_mixed" or SG + "icmp_mixed" in e["via"]]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_icmp_of_the_other_family_makes_no_flow(source):
    """[ICMP] no packet can start anywhere and reach icmp_mixed: no flow into it."""
    r = tfsg_json("show", INPUTS[source]())
    assert not [f for f in r["flows"] if f["to"] == SG + "icmp_mixed"]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_rule_quota_per_family(source):
    """[QUOTA] quota_v6 is over in IPv6 (61); quota_mixed within both (55 IPv4, 10 IPv6)."""
    _, r = _check(source)
    assert [(f["address"], f["evidence"]["direction"], f["evidence"]["family"], f["evidence"]["count"])
            for f in r["findings"] if f["policy"] == "TFSG014"] == [(SG + "quota_v6", "ingress", "ipv6", 61)]
