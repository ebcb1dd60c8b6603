"""ignore_changes on arguments that name groups (fixtures/gate_ignore_group_refs, an update
plan against moto; main.tf says what changes): Terraform plans no change to them (the plan is
all no-op), so AWS keeps the base's groups. HCL mode at --base reads the base's references for
those arguments, not the new revision's: the same network on both sides, as the plan says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, base_repo, exposures, flows, plan, run_tfsg, tfsg_json

CASE = "gate_ignore_group_refs"



@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_ignored_references_change_nothing(tmp_path: Path, mode: str):
    args = [plan(CASE)] if mode == "plan" else [str(base_repo(tmp_path, FIXTURES / CASE / "before", FIXTURES / CASE)), "--base", "HEAD"]
    r = tfsg_json("diff", *args)
    assert flows(r["added"]) == set() and flows(r["removed"]) == set()
    assert r["newly_exposed"] == [] and r["no_longer_exposed"] == []
    proc = run_tfsg("check", *args, "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    assert not [f for f in json.loads(proc.stdout)["findings"] if f["introduced"]]


def test_the_kept_groups_are_the_bases():
    r = tfsg_json("show", plan(CASE))
    # two stays in open (SSH from the world), one in closed; db keeps 5432 from app
    assert {e[0] for e in exposures(r["exposed"]) if e[0].startswith("aws_instance.")} == {"aws_instance.two"}
    assert ("aws_security_group.app", "aws_security_group.db", "tcp", "5432") in flows(r["flows"])
