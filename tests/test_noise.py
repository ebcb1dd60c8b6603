"""Findings a security reviewer would call noise or false, from an audit of the baseline pack on
real module plans (cloudposse, terraform-aws-modules, three-tier repositories). Each test writes
the shape as .tf (HCL mode) or reads a real fixture plan, and states the rule it relies on.
"""

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


def _check(tmp_path: Path, tf: str) -> dict:
    (tmp_path / "main.tf").write_text(PROVIDER + tf)
    proc = run_tfsg("check", str(tmp_path), "--fail-on-existing", "--format", "json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return json.loads(proc.stdout)


def _policies(r: dict, address: str) -> set[str]:
    return {f["policy"] for f in r["findings"] if f["address"] == address and f["status"] == "violation"}


def test_an_ipv6_subnet_is_a_narrow_source(tmp_path):
    """VPC user guide, "IP addressing": an IPv6 subnet is a /64, as an IPv4 /24 is one network;
    a /56 (a whole VPC) is wide. TFSG005 (database ports only from narrow sources) compares an
    IPv6 /N as an IPv4 /(N-40)."""
    r = _check(tmp_path, '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "db" {
  name        = "db"
  description = "database"
  vpc_id      = aws_vpc.main.id
  ingress {
    description      = "app subnet"
    protocol         = "tcp"
    from_port        = 5432
    to_port          = 5432
    ipv6_cidr_blocks = ["2600:1f18:abcd:ef00::/64"]
  }
}
resource "aws_security_group" "wide" {
  name        = "wide"
  description = "database"
  vpc_id      = aws_vpc.main.id
  ingress {
    description      = "the whole VPC"
    protocol         = "tcp"
    from_port        = 5432
    to_port          = 5432
    ipv6_cidr_blocks = ["2600:1f18:abcd:ef00::/56"]
  }
}
''')
    assert "TFSG005" not in _policies(r, "aws_security_group.db")
    assert "TFSG005" in _policies(r, "aws_security_group.wide")


def test_a_prefix_list_of_narrow_entries_is_narrow():
    """vpc_rules: the offices prefix list holds 192.0.2.0/24 and 198.51.100.0/25, each /24 or
    narrower; TFSG005 judges the list by its widest entry, not by its total size."""
    proc = run_tfsg("check", plan("vpc_rules"), "--format", "json")
    r = json.loads(proc.stdout)
    assert not [f for f in r["findings"] if f["policy"] == "TFSG005" and "offices" in f["message"]]


def test_a_dynamic_block_over_nothing_manages_no_inline_rules(tmp_path):
    """Terraform's blocktoattr fixup makes an attribute written as blocks only from blocks that
    exist: a dynamic block over an empty list leaves ``egress`` unset, not managed (the
    cloudposse security-group module with inline_rules_enabled = false), so rule resources on
    the group are no mixed management (TFSG013)."""
    r = _check(tmp_path, '''
locals {
  inline = []
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "this" {
  name        = "this"
  description = "module group"
  vpc_id      = aws_vpc.main.id
  dynamic "egress" {
    for_each = local.inline
    content {
      protocol    = egress.value.protocol
      from_port   = egress.value.from_port
      to_port     = egress.value.to_port
      cidr_blocks = egress.value.cidr_blocks
    }
  }
}
resource "aws_security_group_rule" "egress" {
  type              = "egress"
  security_group_id = aws_security_group.this.id
  description       = "https out"
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["10.0.0.0/16"]
}
''')
    assert "TFSG013" not in _policies(r, "aws_security_group.this")


def test_a_group_aws_creates_is_not_asked_to_narrow_its_egress():
    """The EKS cluster security group (egress all, made by EKS) is no configuration's to change:
    TFSG017 (egress to everything) is for the groups the configuration writes."""
    proc = run_tfsg("check", plan("eks_services"), "--format", "json")
    r = json.loads(proc.stdout)
    assert not [f for f in r["findings"] if f["policy"] == "TFSG017" and f["address"].endswith(")")]


def test_an_unknown_on_one_port_cannot_complete_all_traffic_from_the_internet():
    """vpc_rules: a tcp 443 rule from a prefix list whose entries are not in the plan cannot make
    TFSG003 (all traffic from the internet) true: the group admits nothing else from public
    addresses. No "not fully evaluated" warning for TFSG003."""
    proc = run_tfsg("check", plan("vpc_rules"), "--format", "json")
    r = json.loads(proc.stdout)
    assert not [f for f in r["findings"] if f["key"] == "unknown" and f["policy"] == "TFSG003"]
