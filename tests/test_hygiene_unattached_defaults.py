"""TFSG012 beside resources that name no group (fixtures/hygiene_unattached_defaults, create
plan; main.tf says why): AWS puts them in a default group, never in one the plan makes, so the
unused group is still reported, and the unknown membership is listed."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg

CASE = "hygiene_unattached_defaults"


@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_unused_group_reported_beside_a_groupless_cluster(mode: str):
    proc = run_tfsg("check", plan(CASE) if mode == "plan" else str(FIXTURES / CASE), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    r = json.loads(proc.stdout)
    assert {f["address"] for f in r["findings"] if f["policy"] == "TFSG012"} == {"aws_security_group.orphan"}
    assert {(u["address"], u["attribute"]) for u in r["unknown"]} == {("aws_rds_cluster.db", "vpc_security_group_ids")}
