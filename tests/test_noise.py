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


def test_documented_ephemeral_ranges_between_groups_are_not_wide(tmp_path):
    """ECS developer guide ("port mappings", dynamic port mapping: the agent binds a host port in
    the ephemeral range) and the EKS user guide (control plane to nodes, 1025-65535): the ranges
    AWS documents between a load balancer's or control plane's group and the instances' group.
    TFSG016 leaves them alone when the peer is a group; the same range from a CIDR is wide."""
    r = _check(tmp_path, '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "alb" {
  name   = "alb"
  vpc_id = aws_vpc.main.id
}
resource "aws_security_group" "ci" {
  name   = "ci"
  vpc_id = aws_vpc.main.id
  ingress {
    description     = "dynamic host ports from the load balancer"
    protocol        = "tcp"
    from_port       = 32768
    to_port         = 65535
    security_groups = [aws_security_group.alb.id]
  }
  ingress {
    description = "the same range from the VPC"
    protocol    = "tcp"
    from_port   = 49153
    to_port     = 65535
    cidr_blocks = ["10.0.0.0/16"]
  }
}
resource "aws_vpc_security_group_ingress_rule" "nodes_from_cluster" {
  security_group_id            = aws_security_group.ci.id
  description                  = "control plane to nodes"
  ip_protocol                  = "tcp"
  from_port                    = 1025
  to_port                      = 65535
  referenced_security_group_id = aws_security_group.alb.id
}
''')
    wide = sorted(f["evidence"]["ports"] for f in r["findings"] if f["policy"] == "TFSG016")
    assert wide == ["49153-65535"]


def test_a_range_within_a_documented_one_is_not_wide(tmp_path):
    """ECS developer guide, "Use an Application Load Balancer for Amazon ECS": the ECS-optimized
    AMI's dynamic host ports are 32768-61000, inside the documented 32768-65535: accepted from a
    group (opening more ports must not be what silences the finding). 1-2000 reaches below every
    documented range (the lowest, EKS's, starts at 1025) and stays wide."""
    r = _check(tmp_path, '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "alb" {
  name   = "alb"
  vpc_id = aws_vpc.main.id
}
resource "aws_security_group" "hosts" {
  name   = "hosts"
  vpc_id = aws_vpc.main.id
  ingress {
    description     = "dynamic host ports from the load balancer"
    protocol        = "tcp"
    from_port       = 32768
    to_port         = 61000
    security_groups = [aws_security_group.alb.id]
  }
  ingress {
    description     = "outside every documented range"
    protocol        = "tcp"
    from_port       = 1
    to_port         = 2000
    security_groups = [aws_security_group.alb.id]
  }
}
''')
    wide = sorted(f["evidence"]["ports"] for f in r["findings"] if f["policy"] == "TFSG016")
    assert wide == ["1-2000"]


def test_engine_service_edges_dynamic_host_ports_are_not_wide():
    """The real plan: aws_security_group.ci admits the ALB's group on 32768-65535 (main.tf:95)."""
    proc = run_tfsg("check", plan("engine_service_edges"), "--format", "json")
    assert not [f for f in json.loads(proc.stdout)["findings"] if f["policy"] == "TFSG016"]


def test_a_description_known_only_after_apply_is_a_description(tmp_path):
    """TFSG009 asks for a description; one written with an apply-time value
    (``"app ${aws_vpc.main.id}"``) will exist: no finding, in a rule resource or an inline block."""
    r = _check(tmp_path, '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "g" {
  name        = "g"
  description = "g"
  vpc_id      = aws_vpc.main.id
  ingress {
    description = "from ${aws_vpc.main.id}"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
}
resource "aws_security_group_rule" "r" {
  type              = "ingress"
  security_group_id = aws_security_group.g.id
  description       = "for ${aws_vpc.main.id}"
  protocol          = "tcp"
  from_port         = 8443
  to_port           = 8443
  cidr_blocks       = ["10.0.0.0/16"]
}
''')
    assert not [f for f in r["findings"] if f["policy"] == "TFSG009"]


def test_the_internet_finding_names_the_range_and_the_blocks_that_grant_it(tmp_path):
    """A rule opens tcp 5400-5500 to 0.0.0.0/0 and 2.2.2.2/32, another the same range to an IPv6
    /64: TFSG002 (database ports 5432 and 5439 inside it) names the opened range, to find the
    rule by, and only the block that is the whole internet and its rule (2.2.2.2/32 adds
    nothing to 0.0.0.0/0; the /64 is no internet exposure)."""
    r = _check(tmp_path, '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "svc" {
  name   = "svc"
  vpc_id = aws_vpc.main.id
}
resource "aws_security_group_rule" "v4" {
  type              = "ingress"
  security_group_id = aws_security_group.svc.id
  protocol          = "tcp"
  from_port         = 5400
  to_port           = 5500
  cidr_blocks       = ["0.0.0.0/0", "2.2.2.2/32"]
}
resource "aws_security_group_rule" "v6" {
  type              = "ingress"
  security_group_id = aws_security_group.svc.id
  protocol          = "tcp"
  from_port         = 5400
  to_port           = 5500
  ipv6_cidr_blocks  = ["2001:db8::/64"]
}
''')
    found = [f for f in r["findings"] if f["policy"] == "TFSG002"]
    assert [(f["evidence"]["sources"], f["evidence"]["defined_by"]) for f in found] == \
        [(["0.0.0.0/0"], ["aws_security_group_rule.v4"])]
    assert found[0]["message"] == ("aws_security_group.svc admits the whole internet on tcp 5432, tcp 5439 "
                                   "(from 0.0.0.0/0; open: tcp 5400-5500)")


def test_an_unknown_public_address_on_the_way_to_the_data_tier_warns_the_tier_policy(tmp_path):
    """An instance in a subnet outside the plan (``subnet_id = "subnet-..."``): whether it has a
    public address is unknown, and its group reaches the database. TFSG007 cannot pass silently:
    it warns, naming the unknown (a gate must not fail open)."""
    r = _check(tmp_path, '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group" "db" {
  name   = "db"
  vpc_id = aws_vpc.main.id
  tags   = { Tier = "data" }
  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }
}
resource "aws_instance" "app" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = "subnet-0123456789abcdef0"
  vpc_security_group_ids = [aws_security_group.app.id]
}
resource "aws_instance" "db" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = "subnet-0123456789abcdef0"
  vpc_security_group_ids = [aws_security_group.db.id]
}
''')
    tier = [f for f in r["findings"] if f["policy"] == "TFSG007"]
    assert [(f["status"], [u["address"] for u in f["evidence"]["unknown"]]) for f in tier] == \
        [("warning", ["aws_instance.app"])]
