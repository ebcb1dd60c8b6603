"""A number index into for_each instances (fixtures/plan_module_number_index, create plan;
main.tf says why): module.m[1] is module.m["1"], aws_security_group.local[0] is
aws_security_group.local["0"], in plan mode (with and without the sources) as in HCL mode."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg

CASE = "plan_module_number_index"


@pytest.mark.parametrize("args", [[plan(CASE)], [plan(CASE), "--no-sources"], [str(FIXTURES / CASE)]])
def test_number_index_names_the_string_key(args):
    proc = run_tfsg("check", *args, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    assert {(f["address"], f["key"]) for f in r["findings"] if f["policy"] == "TFSG001"} == {
        ('module.m["1"].aws_security_group.list[0]', "internet tcp 3389"),
        ('aws_security_group.local["0"]', "internet tcp 22")}
    assert r["unknown"] == []
