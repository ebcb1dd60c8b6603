"""CIDR blocks whose address only apply knows, with a literal prefix length
(fixtures/engine_unknown_prefix, create plan, offline; main.tf says what each part is).
Expected values derived by hand from main.tf with these rules:

[CIDR]  A rule's source is one CIDR block (EC2 API IpRange.CidrIp, Ipv6Range.CidrIpv6): a /N
        holds 2^(32-N) IPv4 or 2^(128-N) IPv6 addresses whatever its address part, so only a /0
        can be every public address of a family ("the internet").
[POL]   Baseline: TFSG001 SSH/RDP from the internet; TFSG021 from a public block wider than /16;
        TFSG004 from a block wider than /24 (an IPv6 /N compared as IPv4 /(N-40)); TFSG002/005 the
        same for data-store ports. A policy is "not fully evaluated" (a warning naming the
        unknowns) only when an unknown value could change its findings.
[PLAN]  Plan JSON records only the references of "${aws_eip.nat.public_ip}/32": without the
        sources the prefix is not known, so every such unknown may be the internet.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg

CASE = "engine_unknown_prefix"
SG = "aws_security_group."
SSH_POLICIES = ("TFSG001", "TFSG004", "TFSG021")


def _check(*args: str, code: int = 1) -> dict:
    proc = run_tfsg("check", *args, "--format", "json")
    assert proc.returncode == code, proc.stderr.decode()
    return json.loads(proc.stdout)


@pytest.fixture(scope="module", params=["plan", "hcl"])
def check(request) -> dict:
    return _check(plan(CASE) if request.param == "plan" else str(FIXTURES / CASE))


def _undecided(report: dict) -> dict[str, set[str]]:
    return {f["policy"]: {u["address"] for u in f["evidence"]["unknown"]}
            for f in report["findings"] if f["status"] == "warning" and f["key"] == "unknown"}


def test_violations(check):
    got = {(f["policy"], f["address"], f["key"]) for f in check["findings"]
           if f["severity"] in ("critical", "high") and f["status"] == "violation"}
    assert got == {("TFSG001", SG + "mixed", "internet tcp 22")}  # (b) 0.0.0.0/0 beside the /32


def test_only_blocks_that_may_match_leave_a_policy_undecided(check):
    # (a) /32 and /128 blocks change no policy; (c) a /0 may be the internet (and is wider than
    # /16 and /24); (d) a /16 is neither the internet nor wider than /16, but wider than /24;
    # (e) a function of an unknown block, no prefix written: anything [CIDR][POL]
    assert _undecided(check) == {
        "TFSG001": {SG + "net", SG + "zero"},
        "TFSG021": {SG + "net", SG + "zero"},
        "TFSG004": {SG + "net", SG + "zero", "aws_security_group_rule.wide_ssh"},
    }


def test_every_unknown_is_listed_with_its_prefix(check):
    got = {(u["address"], u["attribute"]): u["reason"] for u in check["unknown"]}
    assert set(got) == {
        (SG + "nat", "ingress"), ("aws_security_group_rule.nat_rdp", "cidr_blocks"),
        ("aws_vpc_security_group_ingress_rule.nat_pg", "cidr_ipv4"),
        ("aws_vpc_security_group_ingress_rule.nat_v6", "cidr_ipv6"),
        (SG + "mixed", "ingress"), (SG + "zero", "ingress"),
        ("aws_security_group_rule.wide_ssh", "cidr_blocks"), (SG + "net", "ingress"),
    }  # one each: the inline rule's unknown block is not said twice
    assert got[(SG + "nat", "ingress")].endswith("aws_eip.nat.public_ip is known only after apply (a /32 block)")
    assert got[("aws_vpc_security_group_ingress_rule.nat_pg", "cidr_ipv4")].endswith("(a /32 block)")
    assert got[("aws_vpc_security_group_ingress_rule.nat_v6", "cidr_ipv6")].endswith("(a /128 block)")
    assert got[("aws_security_group_rule.wide_ssh", "cidr_blocks")].endswith("(a /16 block)")
    assert "block)" not in got[(SG + "net", "ingress")]


def test_plan_without_sources_cannot_tell_the_prefix():
    # [PLAN]: the planned list of (b) is unknown as a whole, its 0.0.0.0/0 with it: a warning
    report = _check(plan(CASE), "--no-sources", code=0)
    undecided = _undecided(report)
    assert SG + "mixed" in undecided["TFSG001"]
    for policy in SSH_POLICIES:
        assert {SG + "nat", "aws_security_group_rule.nat_rdp", SG + "zero"} <= undecided[policy]
    assert "aws_vpc_security_group_ingress_rule.nat_pg" in undecided["TFSG002"]
