"""Inputs a hostile or sloppy pull request writes (a prober's findings, each fixed as a kind):
values nested past the stack decide like any other limit, numbers and configurations that are no
input tfsg reads fail with one line, and what the branch writes reaches no report unescaped, and
no sensitive value reaches any output."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import plan, run_tfsg

PROVIDER = '''terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
'''


def _one_line_error(proc) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2 and len(err.strip().splitlines()) == 1, err
    assert "internal error" not in err
    return err


def test_jsondecode_nested_past_the_stack_fails_closed(tmp_path: Path):
    """Terraform decodes 10,000 levels (Go), so the rule is 0.0.0.0/0 on 22; an unknown would
    only warn and the gate would pass it: exit 2 at the file:line instead."""
    doc = "[" * 600 + '"0.0.0.0/0"' + "]" * 600
    (tmp_path / "main.tf").write_text(PROVIDER + f'''
locals {{
  doc = {json.dumps(doc)}
}}
resource "aws_security_group" "g" {{
  name = "g"
  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = flatten(jsondecode(local.doc))
  }}
}}
''')
    err = _one_line_error(run_tfsg("check", str(tmp_path)))
    assert "main.tf:" in err and "jsondecode" in err and "nested too deeply" in err


def test_a_number_too_long_to_read_is_an_input_error(tmp_path: Path):
    doc = json.loads(Path(plan("ssh_open")).read_text())
    text = json.dumps(doc).replace('"format_version": "1.2"', '"format_version": "1.2", "x": ' + "9" * 5001, 1)
    (tmp_path / "plan.json").write_text(text)
    assert "a number too long to read" in _one_line_error(run_tfsg("show", str(tmp_path / "plan.json")))


def test_a_policy_cidr_that_is_no_cidr_names_the_policy(tmp_path: Path):
    (tmp_path / ".tfsg.yml").write_text("policies:\n  - id: TEAM-1\n    title: t\n    severity: high\n"
                                        "    kind: forbidden-flow\n    from: {cidrs: ['10.0.0.0/33']}\n")
    err = _one_line_error(run_tfsg("check", plan("ssh_open"), cwd=tmp_path))
    assert "policy TEAM-1: from.cidrs[0]: '10.0.0.0/33' is not a CIDR block" in err


def test_sarif_help_is_plain_text_whatever_the_configuration_writes(tmp_path: Path):
    """Code scanning renders help.markdown; a title or remediation from the branch's .tfsg.yml
    must not become a link, an image or HTML there."""
    (tmp_path / ".tfsg.yml").write_text(
        "policies:\n  - id: X-1\n    title: 't <img src=x onerror=alert(1)>'\n    severity: high\n"
        "    kind: forbidden-flow\n    from: {internet: true}\n    services: [22]\n"
        "    remediation: '[click](https://evil.example) <b>now</b>'\n")
    proc = run_tfsg("check", plan("ssh_open"), "--format", "sarif", cwd=tmp_path)
    rules = json.loads(proc.stdout)["runs"][0]["tool"]["driver"]["rules"]
    help_md = next(r["help"]["markdown"] for r in rules if r["id"] == "X-1")
    assert "<img" not in help_md and "<b>" not in help_md and "[click](" not in help_md and "https://evil" not in help_md


def test_a_sensitive_variable_is_not_echoed_when_it_does_not_convert(tmp_path: Path):
    """Terraform: "... var.db_port, which is sensitive: a number is required" (no value)."""
    (tmp_path / "main.tf").write_text(PROVIDER + '''
variable "db_port" {
  type      = number
  sensitive = true
}
variable "partner_port" {
  type      = number
  sensitive = true
  default   = "s3cr3t-partner-port"
}
resource "aws_security_group" "db" {
  name = "db"
}
resource "aws_security_group_rule" "db" {
  type              = "ingress"
  security_group_id = aws_security_group.db.id
  protocol          = "tcp"
  from_port         = var.partner_port
  to_port           = var.partner_port
  cidr_blocks       = ["10.0.0.0/8"]
}
''')
    shown = run_tfsg("show", str(tmp_path), "--var", "db_port=1")
    assert shown.returncode == 0 and b"s3cr3t" not in shown.stdout + shown.stderr
    refused = run_tfsg("check", str(tmp_path), "--var", "db_port=hunter2-db-password")
    assert "hunter2" not in _one_line_error(refused) and b"hunter2" not in refused.stdout


def test_a_sensitive_group_id_is_not_spelled_in_a_picture(tmp_path: Path):
    """Node ids are derived from addresses only: a sensitive group id (an outside group named by
    a sensitive variable) shown as (sensitive) must not reappear as sg_0badc0ffee... in an id."""
    (tmp_path / "main.tf").write_text(PROVIDER + '''
variable "partner_sg" {
  type      = string
  sensitive = true
  default   = "sg-0badc0ffee5ec2e7"
}
resource "aws_security_group" "db" {
  name = "db"
}
resource "aws_security_group_rule" "partner" {
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = var.partner_sg
}
''')
    for args in (("show", "--format", "markdown"), ("graph",), ("graph", "--format", "dot")):
        proc = run_tfsg(args[0], str(tmp_path), *args[1:])
        assert proc.returncode == 0, proc.stderr
        assert b"0badc0ffee" not in proc.stdout + proc.stderr, args


def test_invisible_characters_are_escaped():
    """A group's name, a tag or a key from the pull request is shown escaped when it holds a
    character a reviewer cannot see or that breaks a line in some viewers (probe pF of round
    twelve): a zero-width space makes "pro\\u200bd" look like "prod"; U+2028 and U+2029 are line
    and paragraph separators; U+200E/U+200F reorder text; U+FEFF, U+2060 and U+00AD are
    invisible. Printable text, non-ASCII letters included, stays as it is."""
    from tfsg.errors import one_line

    assert one_line("pro\u200bd\u2028x\u2029\u200e\u200f\ufeff\u2060\xad") == \
        "pro\\u200bd\\u2028x\\u2029\\u200e\\u200f\\ufeff\\u2060\\xad"
    assert one_line("café-Ωmega 東京") == "café-Ωmega 東京"
