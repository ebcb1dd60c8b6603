"""A registration that puts an app behind an existing internet-facing load balancer
(fixtures/gate_tg_attach, an update plan against moto; lb.tf says what changes). Expected by hand:

[ALB]   An ALB sends requests only to the registered targets of its listeners' target groups
        (ELB guide, "Target groups for your Application Load Balancers"). Before the change the
        target group had no registration in the configuration; judged by the same knowledge on
        both sides (the after side holds every registration), the base's load balancer reached
        nothing, so internet -> aws_lb.web -> aws_instance.app -> aws_instance.db is new.
[NEW]   TFSG020 (high): an existing data store (db, Tier = data) becomes reachable: introduced,
        its new hop the load balancer's to app.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, base_repo, paths, plan, run_tfsg, tfsg_json

CASE = "gate_tg_attach"
PATH = ["internet", "aws_lb.web", "aws_instance.app", "aws_instance.db"]



@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_the_new_registration_makes_the_path(tmp_path: Path, mode: str):
    args = [plan(CASE)] if mode == "plan" else [str(base_repo(tmp_path, FIXTURES / CASE / "before", FIXTURES / CASE)), "--base", "HEAD"]
    proc = run_tfsg("check", *args, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    found = [(f["policy"], f["address"], f["introduced"], f["evidence"]["path"], f["evidence"].get("new_hop"))
             for f in r["findings"] if f["severity"] in ("critical", "high")]
    assert found == [("TFSG020", "aws_instance.db", True, PATH, ["aws_lb.web", "aws_instance.app"])]  # [ALB][NEW]


def test_the_diff_lists_the_new_paths():
    r = tfsg_json("diff", plan(CASE))
    assert paths(r["paths_added"]) >= {tuple(PATH), tuple(PATH[:3])}


def test_a_registration_removed_leaves_the_target_group_empty(tmp_path: Path):
    """The change the other way (the fixture's files swapped): the registration the base holds
    is removed, the target group is empty and the load balancer forwards to nothing (not
    "registered elsewhere", which would put db on a path: a false TFSG007/TFSG020 before)."""
    repo = base_repo(tmp_path, FIXTURES / CASE, FIXTURES / CASE / "before")
    proc = run_tfsg("check", str(repo), "--base", "HEAD", "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    r = json.loads(proc.stdout)
    assert not [f for f in r["findings"] if f["introduced"] and f["severity"] in ("critical", "high")]
    d = tfsg_json("diff", str(repo), "--base", "HEAD")
    assert paths(d["paths_removed"]) >= {tuple(PATH), tuple(PATH[:3])} and d["paths_added"] == []
