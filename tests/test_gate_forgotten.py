"""Resources Terraform forgets: what AWS keeps and what an inline update still revokes (fixtures/gate_forgotten).

Update plan made against moto (with refresh). Expected values are read from before/main.tf and
main.tf by hand:

[DEFSG]  Terraform aws_default_security_group, "Removing aws_default_security_group From Your
         Configuration": "Removing this resource from your configuration will remove it from
         your statefile and management, but will not destroy the Security Group. All ingress
         or egress rules will be left as they are at the time of removal." The plan's action
         is "delete" (delete_because_no_resource_config); AWS keeps tcp 22 from anywhere on the
         default group, and legacy stays in it.
[FORGET] Terraform "Removing Resources" (1.7+): a `removed` block with
         `lifecycle { destroy = false }` forgets the object: the plan's action is "forget",
         nothing is called on AWS for it.
[READ]   terraform-provider-aws, aws_security_group Read: every permission of the group is read
         into `ingress` (which is why the docs warn against mixing inline rules and rule
         resources); the plan's refreshed before.ingress of web is [80, 2222].
[UPD]    updateSecurityGroupRules (internal/service/ec2/vpc_security_group.go) revokes old minus
         new: [80, 2222] -> [80, 443] revokes tcp 2222 and authorizes tcp 443. Nothing re-creates
         2222: its rule resource is gone from both configuration and state.
[MAPIP]  Both instances are in a subnet that maps public IPv4 addresses on launch and routes
         0.0.0.0/0 to the internet gateway.

By hand: (i) nothing changes for the default group or legacy: still reachable on tcp 22, TFSG001
on the default group existing, not resolved. (ii) - 0.0.0.0/0 -> web tcp 2222, + 0.0.0.0/0 -> web
tcp 443: web and its instance no longer reachable on 2222, newly on 443; after: 80 and 443.
"""

from __future__ import annotations

import json

from conftest import exposures, flows, plan, run_tfsg, tfsg_json, validate_report

CASE = "gate_forgotten"
DEFAULT, LEGACY = "aws_default_security_group.default", "aws_instance.legacy"
WEB, HOST = "aws_security_group.web", "aws_instance.web"


def _diff() -> dict:
    return tfsg_json("diff", plan(CASE))


def _check() -> tuple[int, dict]:
    proc = run_tfsg("check", plan(CASE), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _about(rows: set[tuple[str, ...]], *names: str) -> set[tuple[str, ...]]:
    return {x for x in rows if set(x[:2]) & set(names)}


# ---------------------------------------------------------------- (i) the default group

def test_default_group_removed_from_the_configuration_keeps_its_rules():
    """[DEFSG] no flow, exposure or path of the default group or legacy changes."""
    r = _diff()
    for key in ("added", "removed"):
        assert _about(flows(r[key]), DEFAULT, LEGACY) == set(), key
    for key in ("newly_exposed", "no_longer_exposed"):
        assert _about(exposures(r[key]), DEFAULT, LEGACY) == set(), key
    assert not [x for x in r["revoked"] if x["group"] == DEFAULT]


def test_legacy_stays_reachable_on_ssh():
    """[DEFSG][MAPIP] the network after: legacy in the default group, tcp 22 from anywhere."""
    r = tfsg_json("show", plan(CASE))
    rows = [e for e in r["exposed"] if e["address"] == LEGACY]
    assert [(e["kind"], e["protocol"], e["ports"], e["sources"]) for e in rows] == \
        [("resource", "tcp", "22", ["0.0.0.0/0"])]


def test_check_does_not_resolve_the_default_groups_ssh():
    code, r = _check()
    assert code == 0  # nothing at high is introduced: tcp 443 is in no baseline policy
    tfsg001 = [(f["address"], f["introduced"]) for f in r["findings"] if f["policy"] == "TFSG001"]
    assert tfsg001 == [(DEFAULT, False)]
    f = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert f["evidence"]["exposed_resources"] == [LEGACY]
    assert not [x for x in r["resolved"] if x["policy"] == "TFSG001"]


# ---------------------------------------------------------------- (ii) the forgotten rule resource

def test_forgotten_rule_is_revoked_by_the_inline_update():
    """[FORGET][READ][UPD] tcp 2222 leaves with web's update; tcp 443 comes."""
    r = _diff()
    assert _about(flows(r["removed"]), WEB) == {("0.0.0.0/0", WEB, "tcp", "2222")}
    assert _about(flows(r["added"]), WEB) == {("0.0.0.0/0", WEB, "tcp", "443")}
    assert _about(exposures(r["no_longer_exposed"]), WEB, HOST) == \
        {(HOST, "resource", "tcp", "2222"), (WEB, "group", "tcp", "2222")}
    assert _about(exposures(r["newly_exposed"]), WEB, HOST) == \
        {(HOST, "resource", "tcp", "443"), (WEB, "group", "tcp", "443")}


def test_web_after_apply():
    r = tfsg_json("show", plan(CASE))
    assert {(e["protocol"], e["ports"]) for e in r["exposed"] if e["address"] == HOST} == \
        {("tcp", "80"), ("tcp", "443")}


def test_whole_diff():
    """Everything the change does, (i) and (ii) together."""
    r = _diff()
    assert flows(r["added"]) == {("0.0.0.0/0", WEB, "tcp", "443")}
    assert flows(r["removed"]) == {("0.0.0.0/0", WEB, "tcp", "2222")}
    assert exposures(r["no_longer_exposed"]) == {(HOST, "resource", "tcp", "2222"), (WEB, "group", "tcp", "2222")}
    assert exposures(r["newly_exposed"]) == {(HOST, "resource", "tcp", "443"), (WEB, "group", "tcp", "443")}


def test_web_no_longer_mixes_inline_rules_and_rule_resources():
    """[FORGET][UPD] before: web's inline list and aws_security_group_rule.alt_ssh (TFSG013). After:
    the rule resource is out of the configuration and the state, and its permission is revoked by
    web's update; no rule resource names web any more, so the mix is resolved."""
    _, r = _check()
    assert not [f for f in r["findings"] if f["policy"] == "TFSG013" and f["address"] == WEB]
    assert [x["address"] for x in r["resolved"] if x["policy"] == "TFSG013"] == [WEB]
