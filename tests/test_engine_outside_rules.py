"""Rules the plan adds to groups it does not manage (fixtures/engine_outside_rules).

[RULE] VPC user guide, "Security group rules": a rule admits its source on its ports, whatever
       else the group holds. A rule resource on an existing group (``security_group_id =
       "sg-..."``: an EKS, shared or default group) is the plan's change: it is gated like one on
       a group of the plan.
[OUT]  The group's other rules are not in the plan: the sender's egress is taken as open (AWS's
       default), the receiver's side is what the plan's rule admits.
"""

from __future__ import annotations

import json

from conftest import flows, plan, run_tfsg, tfsg_json

SSH, DB, APP = "sg-0123456789abcdef0", "sg-0aaaaaaaaaaaaaaa1", "sg-0bbbbbbbbbbbbbbb2"


def test_flows_are_the_rules():
    r = tfsg_json("show", plan("engine_outside_rules"))
    assert flows(r["flows"]) == {("0.0.0.0/0", SSH, "tcp", "22"), (APP, DB, "tcp", "5432")}  # [RULE][OUT]
    assert [(e["address"], e["kind"], e["ports"]) for e in r["exposed"]] == [(SSH, "group", "22")]


def test_check_blocks_ssh_from_the_internet_on_a_group_outside_the_plan():
    proc = run_tfsg("check", plan("engine_outside_rules"), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    findings = json.loads(proc.stdout)["findings"]
    blocking = [(f["policy"], f["address"], f["severity"]) for f in findings if f["blocking"]]
    assert blocking == [("TFSG001", SSH, "critical")]
    # what is checked of a group resource itself (description, tags, name) is not asked of one
    # the plan does not manage
    assert not any(f["policy"] in ("TFSG010", "TFSG018", "TFSG019", "TFSG012") for f in findings)


def test_diff_adds_both_flows():
    r = tfsg_json("diff", plan("engine_outside_rules"))
    assert flows(r["added"]) == {("0.0.0.0/0", SSH, "tcp", "22"), (APP, DB, "tcp", "5432")}
    assert r["removed"] == []
