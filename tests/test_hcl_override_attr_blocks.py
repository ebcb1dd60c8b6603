"""Override files over attributes-as-blocks arguments (fixtures/hcl_override_attr_blocks; main.tf
says what each group ends with, derived by hand and planned by Terraform): where the merged body
holds `ingress` as an attribute and as blocks, Terraform plans the attribute."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, flows, plan, tfsg_json

CASE = "hcl_override_attr_blocks"
SG = "aws_security_group."


@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_the_attribute_wins(mode: str):
    r = tfsg_json("show", plan(CASE) if mode == "plan" else str(FIXTURES / CASE))
    assert {f for f in flows(r["flows"]) if f[1].startswith(SG)} == {
        ("10.0.0.0/8", SG + "b", "tcp", "3389"),  # a: none (`ingress = []` in the override)
        ("0.0.0.0/0", SG + "c", "tcp", "22"),
        ("0.0.0.0/0", SG + "d", "tcp", "5432"),
    }
