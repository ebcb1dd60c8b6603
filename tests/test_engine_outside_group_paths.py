"""A group outside the plan that the plan opens (fixtures/engine_outside_group_paths, create plan;
main.tf's header says what AWS does).

[LOWER] EC2 API AuthorizeSecurityGroupIngress: a rule resource adds its permission to the
        group, whatever else the group holds: after apply sg-0123456789abcdef0 admits at least
        tcp 443 from 0.0.0.0/0; the rest of its rules are not in the plan (an unknown).
[EGRESS] README, "How flows are computed": a group outside the plan has its egress taken as
        AWS's default (all traffic out): group flows and resource flows alike.
[SGR]   db's group admits the outside group on tcp 5432 (a reference admits its members).
[POL]   Baseline TFSG007 (critical): the data tier (Tier = data) reached through an
        internet-facing resource.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg

CASE = "engine_outside_group_paths"


@pytest.mark.parametrize("target", ["plan", "hcl"])
def test_the_member_of_the_opened_group_reaches_the_data_tier(target):
    where = plan(CASE) if target == "plan" else str(FIXTURES / CASE)
    proc = run_tfsg("check", where, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    tiering = [f for f in r["findings"] if f["policy"] == "TFSG007" and f["status"] == "violation"]
    assert [(f["address"], f["evidence"]["path"]) for f in tiering] == [
        ("aws_instance.db", ["internet", "aws_instance.web", "aws_instance.db"])]  # [LOWER][EGRESS][SGR]
    assert tiering[0]["evidence"]["services"] == [{"protocol": "tcp", "ports": "5432"}]
    # what the rest of the outside group admits stays an unknown the policies see
    assert [(u["address"], u["attribute"]) for u in r["unknown"]] == [("aws_instance.web", "security groups")]
