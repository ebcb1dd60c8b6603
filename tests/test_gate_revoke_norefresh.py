"""An inline update planned without refresh revokes only what the state lists (fixtures/gate_revoke_norefresh).

Update plan made against moto with ``-refresh=false`` (plan.args). Group web manages its ingress
inline (tcp 443 from anywhere); aws_security_group_rule.ssh adds tcp 22 from anywhere to it, after
the group was created, so the state's inline list (the plan's ``before.ingress``) is [443]. The
change adds an inline tcp 80 rule: ``after.ingress`` is [443, 80]. A public instance is in web.

[UPD]    terraform-provider-aws, internal/service/ec2/vpc_security_group.go,
         updateSecurityGroupRules: ``o, n := d.GetChange(ruleType)``; it revokes
         ``os.Difference(ns)`` (old minus new: here nothing) and authorizes ``ns.Difference(os)``
         (tcp 80). The old list is the prior state, which without refresh does not hold the rule
         resource's tcp 22, so tcp 22 is not revoked and stays in AWS (the rule resource is no-op).
[MAPIP]  VPC user guide, map_public_ip_on_launch, and a 0.0.0.0/0 route to the internet gateway:
         the instance is reachable on what web admits from 0.0.0.0/0.

By hand: + 0.0.0.0/0 -> web tcp 80 (newly reachable: web and its instance on 80); nothing
revoked, removed or closed; after: the instance is reachable on 22, 80, 443; TFSG001 on web
(tcp 22) is existing and not resolved; nothing at high is introduced (tcp 80 is in no baseline
policy), so the check passes.
"""

from __future__ import annotations

import json

from conftest import exposures, flows, plan, run_tfsg, tfsg_json, validate_report

CASE = "gate_revoke_norefresh"
WEB, HOST = "aws_security_group.web", "aws_instance.web"


def test_nothing_is_revoked():
    """[UPD] tcp 22 is not in before.ingress: the update does not revoke it."""
    r = tfsg_json("diff", plan(CASE))
    assert r["revoked"] == []
    assert r["removed"] == [] and r["no_longer_exposed"] == []


def test_the_added_rule():
    r = tfsg_json("diff", plan(CASE))
    assert flows(r["added"]) == {("0.0.0.0/0", WEB, "tcp", "80")}
    assert exposures(r["newly_exposed"]) == {(HOST, "resource", "tcp", "80"), (WEB, "group", "tcp", "80")}


def test_ssh_stays_reachable_after_apply():
    """[UPD][MAPIP] the network after: 22 (rule resource), 443 and 80 (inline)."""
    r = tfsg_json("show", plan(CASE))
    assert {(e["protocol"], e["ports"]) for e in r["exposed"] if e["address"] == HOST} == \
        {("tcp", "22"), ("tcp", "80"), ("tcp", "443")}


def test_check_keeps_ssh_existing():
    proc = run_tfsg("check", plan(CASE), "--format", "json")
    assert proc.returncode == 0, proc.stdout.decode()[:2000]
    r = json.loads(proc.stdout)
    validate_report(r)
    assert [(f["address"], f["introduced"]) for f in r["findings"] if f["policy"] == "TFSG001"] == [(WEB, False)]
    tfsg001 = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert tfsg001["evidence"]["exposed_resources"] == [HOST]
    assert not [x for x in r["resolved"] if x["policy"] == "TFSG001"]
