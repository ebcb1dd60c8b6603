"""Groups whose rules are not in the plan, and rules without descriptions written every way
(fixtures/policy_unknown_groups_r15, create plan, offline; main.tf says what each part is).
Expected values derived by hand from main.tf:

[AGG]   EC2 user guide, "Security groups": the rules of all groups on a network interface are
        aggregated; a group the plan names by a literal id (sg-...) has rules the plan does not
        hold, so a member may be admitted on anything from anywhere.
[IGW]   VPC user guide, "Internet gateways": a host answers the internet only with a public
        address (of that family) in a subnet routed to the gateway. pub["a"]/pub["b"] route
        0.0.0.0/0 and ::/0 there and give IPv4 on launch and IPv6 on creation; priv routes
        nothing. [ASSOC] EC2 API RunInstances: AssociatePublicIpAddress = false overrides the
        subnet's map_public_ip_on_launch: v6_only has an IPv6 address only.
[LSN]   ELB user guide, "Listeners": a load balancer answers on its listeners' ports only:
        front (443) cannot be reached on 22/3389 (TFSG001), database ports (TFSG002) or "all
        traffic" (TFSG003, match: all), whatever sg-0ccc... admits.
[TAG]   The plan holds no tags of a group outside it: the data tier (Tier tag) may hold it, so the
        tier policy (TFSG007) may see any member of one reached from the internet.
[DATA]  data.aws_security_group.shared is read at apply (its vpc_id is a VPC this plan makes):
        which group pub_data joins is unknown (README, eleventh session: the internet policies
        are not fully evaluated for a resource that may be public).
[DESC]  TFSG009 (README "one finding per policy, subject and status"): the subject of a rule
        without a description is its group, whatever writes the rule; each rule resource or
        inline block is a location; a tfsg:ignore comment on one rule resource waives its part.

So, unknowns "in sg-..., whose rules are not in this plan" (attribute "security groups"):
pub_lit[0] (IPv4 and IPv6), v6_only (IPv6), front (IPv4); none for priv_lit [IGW].
TFSG001/TFSG002/TFSG003 warn for pub_lit[0], v6_only, pub_data; not front [LSN], not priv_lit.
TFSG007 warns for those and front [TAG]. The width policies TFSG004/TFSG005/TFSG021 (sources
that are not the internet) for none of the outside groups. A policy on the internet over IPv4
only warns for pub_lit[0], not v6_only [ASSOC]; one whose `to` names inl only, for none.
TFSG009: aws_security_group.web, one finding naming aws_security_group_rule.admin,
aws_vpc_security_group_ingress_rule.metrics["a"], ["b"] and aws_vpc_security_group_egress_rule.out
at main.tf:94 (first in the file), related 103 and 112; http has a description; waived is one
waived finding at 121. aws_security_group.inl: one finding, two inline blocks (134, related 140).
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, base_repo, plan, run_tfsg, warned_by

CASE = "policy_unknown_groups_r15"
TF = f"fixtures/{CASE}/main.tf"
OUT = "security groups"
LIT, V6, FRONT, DATA = "aws_instance.pub_lit[0]", "aws_instance.v6_only", "aws_lb.front", "aws_instance.pub_data"
WEB_RULES = ["aws_security_group_rule.admin", 'aws_vpc_security_group_ingress_rule.metrics["a"]',
             'aws_vpc_security_group_ingress_rule.metrics["b"]', "aws_vpc_security_group_egress_rule.out"]


def _target(mode: str) -> str:
    return plan(CASE) if mode == "plan" else str(FIXTURES / CASE)


@pytest.fixture(scope="module", params=["plan", "hcl"])
def check(request) -> dict:
    proc = run_tfsg("check", _target(request.param), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()  # nothing blocking: warnings and low/medium only
    return json.loads(proc.stdout)


def _outside(r: dict) -> dict[str, set[str]]:
    """policy -> the resources whose outside groups leave it not fully evaluated."""
    return {p: {a for a, attr in pairs if attr == OUT} for p, pairs in warned_by(r).items()}


def test_outside_unknowns_per_family(check):
    got = sorted((u["address"], "IPv4" in u["reason"], "IPv6" in u["reason"]) for u in check["unknown"]
                 if u["attribute"] == OUT)
    assert got == sorted([(LIT, True, False), (LIT, False, True), (V6, False, True), (FRONT, True, False)])


def test_internet_policies_see_the_outside_groups(check):
    """[AGG][IGW][LSN] TFSG001-003 see pub_lit[0] and v6_only, never front or priv_lit."""
    outside = _outside(check)
    for policy in ("TFSG001", "TFSG002", "TFSG003"):
        assert outside.get(policy) == {LIT, V6}, policy
        assert DATA in {a for a, _ in warned_by(check)[policy]}, policy  # [DATA]
    assert outside.get("TFSG007") == {LIT, V6, FRONT}  # [TAG]
    for policy in ("TFSG004", "TFSG005", "TFSG021", "TFSG006"):
        assert not outside.get(policy), policy
    assert not any("priv_lit" in a for pairs in warned_by(check).values() for a, _ in pairs)


def test_no_violation_from_the_unknowns(check):
    bad = [f for f in check["findings"] if f["status"] == "violation"
           and f["policy"] in ("TFSG001", "TFSG002", "TFSG003", "TFSG007")]
    assert bad == []


@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_family_and_target_scoping(tmp_path, mode):
    """[ASSOC] internet over IPv4 only: pub_lit[0] only; a `to` naming inl only: no outside group."""
    (tmp_path / ".tfsg.yml").write_text(
        "extends: []\npolicies:\n"
        "  - {id: T-V4, title: v4 ssh, severity: high, kind: forbidden-flow, from: {internet: ipv4}, services: [22]}\n"
        "  - {id: T-INL, title: inl ssh, severity: high, kind: forbidden-flow, from: {internet: true},"
        " services: [22], to: {address: aws_security_group.inl}}\n")
    proc = run_tfsg("check", _target(mode), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    r = json.loads(proc.stdout)
    outside = _outside(r)
    assert outside.get("T-V4") == {LIT}
    assert not outside.get("T-INL")
    v4 = next(f for f in r["findings"] if f["policy"] == "T-V4" and f["key"] == "unknown")
    assert [("IPv4" in u["reason"], "IPv6" in u["reason"]) for u in v4["evidence"]["unknown"]
            if u["attribute"] == OUT] == [(True, False)]  # pub_lit[0]'s IPv6 unknown is not T-V4's


def _tfsg009(check: dict) -> dict[tuple[str, bool], dict]:
    out: dict[tuple[str, bool], dict] = {}
    for f in check["findings"]:
        if f["policy"] == "TFSG009":
            key = (f["address"], f["waived"] is not None)
            assert key not in out, key  # one finding per group and status
            out[key] = f
    return out


def test_one_description_finding_per_group(check):
    found = _tfsg009(check)
    assert set(found) == {("aws_security_group.web", False), ("aws_security_group.web", True),
                          ("aws_security_group.inl", False)}
    web = found[("aws_security_group.web", False)]
    assert sorted(web["evidence"]["rule_resources"]) == sorted(WEB_RULES)
    assert sorted(p["key"].split(" ")[0] for p in web["evidence"]["parts"]) == sorted(WEB_RULES)
    assert all(r in web["message"] for r in ("aws_security_group_rule.admin", "metrics", "out"))
    assert web["location"].endswith(f"{TF}:94") and web["location_exact"]
    assert sorted(x.rsplit(":", 1)[-1] for x in web["related_locations"]) == ["103", "112"]
    waived = found[("aws_security_group.web", True)]
    assert waived["evidence"]["rule_resources"] == ["aws_security_group_rule.waived"]
    assert waived["location"].endswith(f"{TF}:121")
    inl = found[("aws_security_group.inl", False)]
    assert sorted(p["key"] for p in inl["evidence"]["parts"]) == [
        "aws_security_group.inl ingress tcp 5000 from 192.168.10.0/24",
        "aws_security_group.inl ingress udp 53 from 192.168.10.0/24"]
    assert inl["location"].endswith(f"{TF}:134")
    assert [x.rsplit(":", 1)[-1] for x in inl["related_locations"]] == ["140"]


def test_descriptions_across_a_change(tmp_path):
    """[DESC] README "A rule without a description (TFSG009) ... that the change edits in place
    stays existing": at --base, admin narrowed to 192.168.10.0/25 keeps its part existing (the
    part is keyed by its rule resource); a new rule resource without a description, extra, is the
    introduced part (on tcp 1022, whose key would sort before admin's were parts keyed by the
    group: it must not take admin's place); one finding on web per status."""
    head = tmp_path / "head"
    head.mkdir()
    src = (FIXTURES / CASE / "main.tf").read_text()
    ssh = '  to_port           = 22\n  cidr_blocks       = ["192.168.10.0/2'
    edited = src.replace(ssh + '4"]', ssh + '5"]')
    assert edited != src
    edited += ('\nresource "aws_security_group_rule" "extra" {\n  type              = "ingress"\n'
               '  security_group_id = aws_security_group.web.id\n  protocol          = "tcp"\n'
               '  from_port         = 1022\n  to_port           = 1022\n  cidr_blocks       = ["192.168.10.0/24"]\n}\n')
    (head / "main.tf").write_text(edited)
    base = tmp_path / "base"
    base.mkdir()
    for name in ("main.tf", "providers.tf"):
        (base / name).write_text((FIXTURES / CASE / name).read_text())
    (head / "providers.tf").write_text((FIXTURES / CASE / "providers.tf").read_text())
    repo = base_repo(tmp_path, base, head)
    proc = run_tfsg("check", str(repo), "--base", "HEAD", "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    got = {(f["introduced"], f["waived"] is not None): sorted(f["evidence"]["rule_resources"])
           for f in json.loads(proc.stdout)["findings"]
           if f["policy"] == "TFSG009" and f["address"] == "aws_security_group.web"}
    assert got == {(False, False): sorted(WEB_RULES), (True, False): ["aws_security_group_rule.extra"],
                   (False, True): ["aws_security_group_rule.waived"]}
