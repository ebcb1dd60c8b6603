"""JSON configuration syntax as HCL's JSON parser reads it (fixtures/hcl_json_repeats; its
README says what each file is, derived by hand and planned by Terraform): repeated property
names are all kept (more blocks), and an object's property names are templates."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, flows, plan, run_tfsg, tfsg_json

CASE = "hcl_json_repeats"
SG = "aws_security_group."
EXPECTED = {
    ("0.0.0.0/0", SG + "d", "tcp", "22"), (SG + "d", "10.0.0.0/8", "tcp", "443"),  # two "dynamic"
    ("0.0.0.0/0", SG + "ja", "tcp", "22"),  # the first of two "resource" properties
    ("0.0.0.0/0", SG + "jb", "tcp", "3389"), ("0.0.0.0/0", SG + "jc", "tcp", "5432"),
    ("0.0.0.0/0", SG + "g", "tcp", "22"),  # {"${local.env}": ...} is keyed "prod"
}


@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_flows_as_terraform_planned(mode: str):
    r = tfsg_json("show", plan(CASE) if mode == "plan" else str(FIXTURES / CASE))
    assert flows(r["flows"]) == EXPECTED
    assert r["unknown"] == []


def test_an_argument_written_twice_is_refused(tmp_path):
    (tmp_path / "main.tf.json").write_text(
        '{"resource": {"aws_security_group": {"g": {"name": "g", "name": "h", "vpc_id": "vpc-1"}}}}\n')
    proc = run_tfsg("check", str(tmp_path))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1, err
    assert "main.tf.json:1" in err and "'name' is written more than once" in err and "Traceback" not in err
