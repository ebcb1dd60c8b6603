"""HCL mode against Terraform, round 5 (fixtures/hcl_round_five): the plan.json beside main.tf is
Terraform's own answer (Terraform 1.11.4, hashicorp/aws 5.100.0); the values below are read off
it and derived by hand from Terraform's documentation:

[SETS]    Terraform language, "Type Constraints" (collection types: a set has no order of its
          own) and go-cty's set order: strings lexically, numbers by value, other elements by a
          hash of their encoding. tolist() of set(number) [8443, 22] is [22, 8443].
[STRICT]  Terraform's functions: element() "cannot use element function with a negative index",
          slice() refuses an end past the list, concat() takes lists or tuples only; try()
          evaluates the fallback when the first expression errors.
[FILE]    file() reads the bytes as UTF-8 as they are: a byte-order mark stays (U+FEFF) at the
          start, so a CSV header's first column is "\\ufeffport".
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, flows, plan, run_tfsg

CASE = "hcl_round_five"
G = "aws_security_group."

EXPECTED = {("0.0.0.0/0", G + "ordered", "tcp", "22"), ("10.0.0.0/8", G + "ordered", "tcp", "8443"),
            ("0.0.0.0/0", G + "strict", "tcp", "22"), ("0.0.0.0/0", G + "strict", "tcp", "3389"),
            ("0.0.0.0/0", G + "strict", "tcp", "5432"), ("0.0.0.0/0", G + "csv", "tcp", "443")}


def _show(target: str) -> dict:
    proc = run_tfsg("show", target, "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_terraform_plans_what_the_docs_say():
    """The plan itself: the values [SETS], [STRICT] and [FILE] derive, and the hashed order of the
    set of objects put the tcp 22 rule first (which only Terraform's hash tells)."""
    data = json.loads((FIXTURES / CASE / "plan.json").read_text())
    rules = {rc["address"]: sorted((r["from_port"], tuple(r["cidr_blocks"])) for r in rc["change"]["after"]["ingress"])
             for rc in data["resource_changes"]}
    assert rules == {G + "ordered": [(22, ("0.0.0.0/0",)), (8443, ("10.0.0.0/8",))],
                     G + "strict": [(22, ("0.0.0.0/0",)), (3389, ("0.0.0.0/0",)), (5432, ("0.0.0.0/0",))],
                     G + "csv": [(443, ("0.0.0.0/0",))],
                     G + "hashed_var": [(22, ("0.0.0.0/0",))], G + "hashed_for": [(22, ("0.0.0.0/0",))]}


@pytest.mark.parametrize("source", ["hcl", "plan"])
def test_flows_as_terraform_makes_them(source: str):
    """[SETS][STRICT][FILE]: the same flows from the sources as from Terraform's plan."""
    r = _show(str(FIXTURES / CASE) if source == "hcl" else plan(CASE))
    found = {f for f in flows(r["flows"]) if not f[1].startswith(G + "hashed_") and f[1].startswith(G)}
    assert found == EXPECTED


def test_a_position_in_a_hashed_set_is_an_unknown_not_the_written_order():
    """[SETS]: which object is first in a set of objects only Terraform's hash tells. From the
    sources, hashed_var and hashed_for are unknowns saying why; never the written order's tcp 443
    from 10.0.0.0/8 (the plan holds tcp 22 from the world)."""
    r = _show(str(FIXTURES / CASE))
    assert not [f for f in flows(r["flows"]) if f[1] in (G + "hashed_var", G + "hashed_for")]
    reasons = {(u["address"], u["reason"]) for u in r["unknown"]}
    for group in ("hashed_var", "hashed_for"):
        assert any(a == G + group and "ordered by a hash" in why for a, why in reasons), reasons


def test_the_gate_sees_the_world_on_tcp_22_from_the_sources():
    """The set(number) rule admits the world on tcp 22 (TFSG001, critical), as in the plan."""
    for target in (str(FIXTURES / CASE), plan(CASE)):
        proc = run_tfsg("check", target, "--format", "json")
        r = json.loads(proc.stdout)
        assert proc.returncode == 1
        assert {f["address"] for f in r["findings"] if f["policy"] == "TFSG001" and f["status"] == "violation"} >= \
            {G + "ordered", G + "strict"}


HEREDOCS = '''locals {
  o = {
    a = <<EOT
%{ for c in ["x", "y"] ~}
${c}
%{~ endfor }
EOT
    d = <<EOT
%{ for c in ["x", "y"] ~}
${c}
%{~ if c == "x" },%{ endif ~}
%{ endfor ~}
EOT
    f = <<EOT
%{ for c in ["x", "y"] ~}
${c}
  %{~ endfor }
EOT
    g = <<EOT
A
%{~ if true }B%{ endif }
EOT
  }
}
resource "aws_security_group" "a" {
  name = "strip"
  tags = { for k, v in local.o : k => jsonencode(v) }
}
'''


def test_a_strip_marker_opening_a_line_trims_the_previous_newline(tmp_path):
    """HCL's template scanner: ``%{~`` trims the whitespace at the end of the literal just before
    it. At the start of a line that literal is the previous line's end, newline included; an
    indented marker trims only its own line's indentation (shape f). Terraform 1.11.4 plans these
    tags as a = "xy\\n", d = "x,y", f = "x\\ny\\n\\n", g = "AB\\n"."""
    (tmp_path / "main.tf").write_text(HEREDOCS)
    r = _show(str(tmp_path))
    tags = r["groups"][0]["tags"]
    assert {k: json.loads(v) for k, v in tags.items()} == {"a": "xy\n", "d": "x,y", "f": "x\ny\n\n", "g": "AB\n"}


def test_the_aws_providers_arn_functions(tmp_path):
    """Provider-defined functions (AWS provider docs, "arn_parse", "arn_build"; Terraform 1.8+):
    the group named in an ARN is the rule's source, as Terraform 1.11.4 plans it (the probe's plan
    held tcp 22 from sg-0123456789abcdef0)."""
    (tmp_path / "main.tf").write_text('''terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
locals {
  parts = provider::aws::arn_parse("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0")
  again = provider::aws::arn_build("aws", "ec2", "us-east-1", local.parts.account_id, local.parts.resource)
}
resource "aws_security_group" "a" {
  name = "arns"
  tags = { arn = local.again }
  ingress {
    from_port       = 22
    to_port         = 22
    protocol        = "tcp"
    security_groups = [trimprefix(local.parts.resource, "security-group/")]
  }
}
''')
    r = _show(str(tmp_path))
    assert {f for f in flows(r["flows"]) if f[1] == G + "a"} == {("sg-0123456789abcdef0", G + "a", "tcp", "22")}
    assert r["groups"][0]["tags"] == {"arn": "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0"}
    assert not r["unknown"]
