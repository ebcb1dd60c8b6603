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
