"""Each built-in policy against real plans: where it fails (exact findings) and where it passes.
Expectations come from the fixtures' .tf files: fixtures/hygiene/main.tf says, group by group,
which single problem each group is built to have (group `clean` has none)."""

from __future__ import annotations

import json

import pytest

from conftest import plan, run_tfsg, validate_report

SG = "aws_security_group."


def findings(case: str, tmp_path) -> dict[str, set[str]]:
    proc = run_tfsg("check", plan(case), "--format", "json", "--fail-on", "info", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    result = json.loads(proc.stdout)
    validate_report(result)
    out: dict[str, set[str]] = {}
    for f in result["findings"] + [dict(r, status="violation") for r in result.get("resolved", [])]:
        if f["status"] == "violation":
            out.setdefault(f["policy"], set()).add(f["address"])
    return out


@pytest.fixture(scope="module")
def hygiene(tmp_path_factory):
    return findings("hygiene", tmp_path_factory.mktemp("h"))


EXPECTED_HYGIENE = {
    "TFSG001": {SG + "all_open"},  # protocol -1 from 0.0.0.0/0 covers 22 and 3389
    "TFSG002": {SG + "all_open", SG + "db_world"},  # 5432/6379 from 0.0.0.0/0, 3306 from ::/0
    "TFSG003": {SG + "all_open"},
    # (TFSG006 leaves out the whole internet, TFSG002's: db_world admits nothing else)
    # Tier=db and open to the internet: its instance (public subnet) is reached directly; the
    # tiering policy judges resources (issue 12)
    "TFSG007": {"aws_instance.db_world"},
    "TFSG008": {SG + "mixed", SG + "no_descriptions", SG + "vpc_cidr_instead_of_group", SG + "wide_ports"},
    "TFSG009": {SG + "no_descriptions"},  # its inline rule has no description
    "TFSG010": {SG + "no_descriptions"},  # "Managed by Terraform"
    "TFSG011": {"aws_default_security_group.default"},
    "TFSG012": {SG + "unused"},
    "TFSG013": {SG + "mixed"},  # inline ingress + aws_security_group_rule.mixed_admin
    "TFSG014": {SG + "too_many_rules", SG + "prefix_quota"},  # 61 /32s; prefix list 60 + 1 CIDR
    "TFSG015": {"aws_network_interface.appliance"},  # 6 groups
    "TFSG016": {SG + "wide_ports"},  # tcp 1024-65535
    "TFSG017": {SG + "egress_everything", "aws_default_security_group.default"},
    "TFSG018": {SG + "no_descriptions"},  # NoDescriptions_SG
    "TFSG019": {SG + "no_descriptions"},  # no tags at all
}


def test_hygiene_fixture_findings_exactly(hygiene):
    assert hygiene == EXPECTED_HYGIENE
    assert not any(SG + "clean" in addresses for addresses in hygiene.values())


@pytest.mark.parametrize("policy,case,addresses", [
    # policies the hygiene fixture passes, with the real plans where they fail
    ("TFSG004", "tighten_cidr", {SG + "db"}),  # before: all traffic from 10.0.0.0/16 (resolved)
    ("TFSG005", "tighten_cidr", {SG + "db"}),
    ("TFSG020", "new_path_to_db", {"aws_db_instance.db"}),  # the existing database newly reachable
    ("TFSG007", "engine_nlb", {"aws_instance.pg"}),  # data tier right behind an internet-facing NLB
    ("TFSG001", "ssh_open", {SG + "bastion"}),
    ("TFSG001", "existing_rdp", {SG + "legacy", SG + "app"}),
])
def test_policy_fails_where_it_should(policy, case, addresses, tmp_path):
    assert findings(case, tmp_path).get(policy) == addresses


@pytest.mark.parametrize("policy", ["TFSG004", "TFSG005"])
def test_policy_passes_on_hygiene(policy, hygiene):
    assert policy not in hygiene


def test_existing_finding_does_not_block_but_new_one_does(tmp_path):
    proc = run_tfsg("check", plan("existing_rdp"), "--format", "json", cwd=tmp_path)
    r = json.loads(proc.stdout)
    rows = {(f["policy"], f["address"]): (f["introduced"], f["blocking"]) for f in r["findings"]}
    assert rows[("TFSG001", SG + "legacy")] == (False, False)  # RDP was open before: existing
    assert rows[("TFSG001", SG + "app")] == (True, True)  # SSH opened by this change
    assert proc.returncode == 1
    (tmp_path / ".tfsg.yml").write_text(
        "waivers:\n  - {policy: TFSG001, address: aws_security_group.app, reason: accepted for the test}\n")
    assert run_tfsg("check", plan("existing_rdp"), cwd=tmp_path).returncode == 0
    assert run_tfsg("check", plan("existing_rdp"), "--fail-on-existing", cwd=tmp_path).returncode == 1


def test_cis_pack(tmp_path):
    (tmp_path / ".tfsg.yml").write_text("extends: [cis-aws]\n")
    proc = run_tfsg("check", plan("hygiene"), "--format", "json", cwd=tmp_path)
    r = json.loads(proc.stdout)
    got = {(f["policy"], f["address"]) for f in r["findings"] if f["status"] == "violation"}
    assert got == {("CIS-5.2", SG + "all_open"), ("CIS-5.2-all", SG + "all_open"),
                   ("CIS-5.4", "aws_default_security_group.default")}
    assert proc.returncode == 1
    proc = run_tfsg("check", plan("ssh_open"), "--format", "json", cwd=tmp_path)
    got = {(f["policy"], f["address"]) for f in json.loads(proc.stdout)["findings"] if f["status"] == "violation"}
    assert got == {("CIS-5.2", SG + "bastion"), ("CIS-5.3", SG + "bastion")}  # 0.0.0.0/0 and ::/0 on 22
