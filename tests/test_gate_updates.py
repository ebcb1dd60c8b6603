"""What a change introduces, on real update plans (moto): the gate's verdict and exit code.

[NEW]  A finding is introduced when the change creates it, or makes it reach more: a host now
       reachable on its services (a public instance joins a group already open to SSH), a new
       address family among its sources (::/0 beside 0.0.0.0/0). Before the change nothing
       answered on 22 / nobody on the IPv6 internet could connect: the change opens it.
[REN]  A group resource renamed without a ``moved`` block is destroyed and created with the
       same rules for the same host: the network after apply is the same, so its finding is
       existing (and not resolved).
"""

from __future__ import annotations

import json

from conftest import plan, run_tfsg


def _check(case: str) -> tuple[int, dict]:
    proc = run_tfsg("check", plan(case), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


def _tfsg001(r: dict) -> list[tuple[str, bool]]:
    return [(f["address"], f["introduced"]) for f in r["findings"] if f["policy"] == "TFSG001"]


def test_a_public_instance_joining_an_open_group_is_introduced():
    code, r = _check("gate_new_member")
    assert code == 1  # [NEW]
    assert _tfsg001(r) == [("aws_security_group.ops", True)]
    f = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert f["evidence"]["grown"] == "now reachable: aws_instance.tools"
    assert not [x for x in r["resolved"] if x["policy"] == "TFSG001"]


def test_a_finding_narrowed_while_it_reaches_new_hosts_is_introduced():
    """fixtures/gate_narrow_and_grow: RDP dropped from both groups (an inline block removed, a
    rule resource destroyed) while a new public host joins each: what is left (SSH from the
    internet) reaches hosts it did not [NEW]; the narrowing does not make it existing."""
    code, r = _check("gate_narrow_and_grow")
    assert code == 1
    assert _tfsg001(r) == [("aws_security_group.admin", True), ("aws_security_group.ops", True)]
    by = {f["address"]: f for f in r["findings"] if f["policy"] == "TFSG001"}
    assert by["aws_security_group.admin"]["evidence"]["grown"] == "now reachable: aws_instance.admin_b"
    assert by["aws_security_group.ops"]["evidence"]["grown"] == "now reachable: aws_instance.ops_b"
    assert by["aws_security_group.ops"]["key"] == "internet tcp 22"  # narrowed: 3389 is gone
    assert not [x for x in r["resolved"] if x["policy"] == "TFSG001"]  # it continues, narrowed


def test_a_renamed_group_carries_its_finding_over():
    code, r = _check("gate_rename_group")
    assert code == 0  # [REN]
    assert _tfsg001(r) == [("aws_security_group.jump", False)]
    assert not [x for x in r["resolved"] if x["policy"] == "TFSG001"]


def test_the_ipv6_internet_added_to_an_open_rule_is_introduced():
    code, r = _check("gate_ipv6_added")
    assert code == 1  # [NEW]
    assert _tfsg001(r) == [("aws_security_group.web", True)]
    f = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert f["evidence"]["grown"] == "now also from the IPv6 internet"


def test_a_partial_plan_says_what_it_leaves_out():
    """fixtures/gate_target: planned with -target=aws_security_group_rule.https, so the plan holds
    that rule only ("complete": false, no deferred changes); the SSH rule from the world written
    beside it is in no part of the plan. tfsg gates what the plan holds (tcp 443 on web: nothing
    at high) and says under the verdict that the rest was not planned, in every format."""
    code, r = _check("gate_target")
    assert code == 0
    assert r["input"]["plan_note"].startswith('Plan: partial ("complete": false, as -target makes it)')
    assert [(f["from"], f["to"], f["ports"]) for f in r["added"]] == [("0.0.0.0/0", "aws_security_group.web", "443")]
    assert not any("ssh_world" in json.dumps(f) for f in r["findings"])
    text = run_tfsg("check", plan("gate_target")).stdout.decode()
    assert text.splitlines()[2].startswith("Plan: partial")
    markdown = run_tfsg("check", plan("gate_target"), "--format", "markdown").stdout.decode()
    assert "Plan: partial" in markdown


def test_a_forgotten_rule_stays_in_aws():
    """fixtures/gate_removed_forget: a `removed` block with `lifecycle { destroy = false }`
    (Terraform 1.7+, "Removing Resources") forgets the SSH rule: the plan's action is "forget",
    the rule stays in AWS. The change also launches a public instance into the group, so SSH from
    anywhere reaches it: TFSG001 is introduced (grown), and nothing is removed."""
    code, r = _check("gate_removed_forget")
    assert code == 1
    assert r["removed"] == [] and r["no_longer_exposed"] == []
    assert [(e["address"], e["ports"]) for e in r["newly_exposed"] if e["kind"] == "resource"] == \
        [("aws_instance.bastion", "22")]
    tfsg001 = [f for f in r["findings"] if f["policy"] == "TFSG001"]
    assert [(f["address"], f["introduced"], f["blocking"], f["evidence"]["grown"]) for f in tfsg001] == \
        [("aws_security_group.g", True, True, "now reachable: aws_instance.bastion")]
