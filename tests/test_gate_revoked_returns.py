"""A rule this apply revokes that the next apply makes again (fixtures/gate_revoked_returns, an
update plan against moto; main.tf says why): updating a group that manages its ingress inline
revokes what its rule resources added, and those resources, still declared, re-create it on the
next apply. By hand: b's SSH from the internet is "revoked by this apply", not resolved."""

from __future__ import annotations

import json

from conftest import plan, run_tfsg

CASE = "gate_revoked_returns"


def test_a_returning_rule_is_not_resolved():
    proc = run_tfsg("check", plan(CASE), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    assert r["resolved"] == []
    assert [(x["defined_by"], x["ports"]) for x in r["revoked"]] == [("aws_security_group_rule.b_ssh", "22")]
    assert {(f["policy"], f["address"], f["introduced"]) for f in r["findings"] if f["policy"] in ("TFSG001", "TFSG013")} \
        == {("TFSG001", "aws_security_group.a", True), ("TFSG013", "aws_security_group.a", True),
            ("TFSG013", "aws_security_group.b", False)}
