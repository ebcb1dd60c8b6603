"""What a finding names and where it points (fixtures/verdict_evidence; its header says why).

Expected values are read from main.tf by hand:

[FEED]   A rule made in a module reads its module variables (the module's ssh rule reads
         var.ssh_cidrs): the argument of the call that feeds it is where a reviewer changes it,
         even when another argument holds the same literal (Terraform language docs, "Modules":
         input variables).
[WHOLE]  A rule admits the whole internet alone with 0.0.0.0/0, or with 0.0.0.0/1 +
         128.0.0.0/1 (README, "How flows are computed": set algebra): each such rule is a way in,
         and removing one leaves the other; a tcp 443 rule is no part of "all traffic".
[HOP]    A path's hop is granted by the target's ingress and the source's egress on the hop's
         services; a rule between the same groups on a port the target does not admit grants
         nothing of it (AWS: a flow needs both).
"""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, plan, run_tfsg

CASE = "verdict_evidence"


def _findings(src: str) -> dict[tuple[str, str], dict]:
    target = plan(CASE) if src == "plan" else str(FIXTURES / CASE)
    proc = run_tfsg("check", target, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    return {(f["policy"], f["address"]): f for f in json.loads(proc.stdout)["findings"]}


def _where(f: dict) -> tuple[str, bool]:
    return f["location"].rsplit("/", 1)[-1], f["location_exact"]


@pytest.mark.parametrize("src", ["plan", "sources"])
def test_a_module_finding_points_at_the_argument_that_feeds_the_rule(src: str):
    """[FEED] two_args: https_cidrs (main.tf:16) and ssh_cidrs (main.tf:17) both write
    0.0.0.0/0; the SSH finding is ssh_cidrs'. rule_map: the ssh entry's cidrs (main.tf:29), not
    the https entry's (main.tf:25)."""
    found = _findings(src)
    assert _where(found[("TFSG001", "module.two_args.aws_security_group.this")]) == ("main.tf:17", True)
    for policy in ("TFSG001", "TFSG004"):
        assert _where(found[(policy, "module.rule_map.aws_security_group.this")]) == ("main.tf:29", True)


@pytest.mark.parametrize("src", ["plan", "sources"])
def test_every_rule_that_admits_the_whole_internet_alone_is_named(src: str):
    """[WHOLE] halves: world (0.0.0.0/0) and split (the two halves) each admit it."""
    f = _findings(src)[("TFSG001", "aws_security_group.halves")]
    assert f["evidence"]["defined_by"] == ["aws_security_group_rule.split", "aws_security_group_rule.world"]
    assert f["evidence"]["sources"] == ["0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1"]
    assert _where(f) == ("main.tf:40", True) and [r.rsplit("/", 1)[-1] for r in f["related_locations"]] == \
        ["main.tf:50"]


@pytest.mark.parametrize("src", ["plan", "sources"])
def test_all_traffic_is_the_all_traffic_rules(src: str):
    """[WHOLE] everything: all_world grants all traffic; https_world (tcp 443) is no part of it."""
    found = _findings(src)
    for policy in ("TFSG001", "TFSG003"):
        f = found[(policy, "aws_security_group.everything")]
        assert f["evidence"]["defined_by"] == ["aws_vpc_security_group_ingress_rule.all_world"]
        assert _where(f) == ("main.tf:66", True) and not f.get("related_locations")


@pytest.mark.parametrize("src", ["plan", "sources"])
def test_a_tier_finding_names_the_rules_of_its_hop(src: str):
    """[HOP] internet -> app -> db on tcp 5432: app_to_db and db_from_app; app_to_6379 grants
    nothing db admits. The finding points at the rule admitting app (main.tf:122)."""
    f = _findings(src)[("TFSG007", "aws_instance.db")]
    assert f["evidence"]["defined_by"] == ["aws_vpc_security_group_egress_rule.app_to_db",
                                           "aws_vpc_security_group_ingress_rule.db_from_app"]
    assert _where(f) == ("main.tf:122", True)
