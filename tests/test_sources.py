"""The .tf sources beside a plan: exact inline references, line numbers, broken files."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import flows, plan, tfsg_json

ALB, WEB, BASTION = "aws_security_group.alb", "aws_security_group.web", "aws_security_group.bastion"


def copy_case(tmp_path: Path, case: str) -> Path:
    dst = tmp_path / case
    shutil.copytree(Path(plan(case)).parent, dst)
    return dst


def test_explicit_source_dir_for_a_plan_elsewhere(tmp_path):
    src = Path(plan("three_tier")).parent
    lone = tmp_path / "plan.json"
    shutil.copy(plan("three_tier"), lone)
    r = tfsg_json("show", str(lone), "--source", str(src))
    assert (BASTION, WEB, "tcp", "8080") not in flows(r["flows"])  # exact: 8080 is the ALB's block
    assert r["unknown"] == []
    r = tfsg_json("show", str(lone))  # no .tf beside it: conservative, and says so
    assert (BASTION, WEB, "tcp", "8080") in flows(r["flows"])
    assert any("merges the group references" in u["reason"] for u in r["unknown"])


def test_hcl_syntax_error_in_sources_is_reported_not_fatal(tmp_path):
    case = copy_case(tmp_path, "three_tier")
    broken = case / "security_groups.tf"
    broken.write_text(broken.read_text() + "\nresource \"aws_security_group\" \"oops\" {\n  name = \n")
    r = tfsg_json("show", str(case / "plan.json"))
    problems = [u for u in r["unknown"] if "HCL syntax error" in u["reason"]]
    assert problems and problems[0]["address"].endswith("security_groups.tf") or \
        problems[0]["address"].split(":")[0].endswith("security_groups.tf")
    # the plan is still analysed; without the file's blocks, web's references are conservative
    assert (ALB, WEB, "tcp", "8080") in flows(r["flows"])
