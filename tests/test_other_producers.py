"""Inputs that tools other than Terraform 1.11 write, or that Terraform writes in other ways.

- OpenTofu records registry modules in ``.terraform/modules/modules.json`` under its own
  registry host (``registry.opentofu.org/NS/NAME/PROVIDER``: opentofu internal/addrs
  module_source_test.go), and OpenTofu 1.11 lists ephemeral resources in ``resource_changes``
  (``"mode": "ephemeral"``, actions ``["open"]``, both sides null: opentofu v1.11.0
  internal/command/jsonplan/plan.go; 1.12 no longer does). The Terraform on this machine writes
  neither, so a real fixture is changed in that one place, the rest as Terraform made it.
- Windows PowerShell 5 writes redirected output (``terraform show -json p > plan.json``) as
  UTF-16 with a byte order mark.
- A plan with ``deferred_changes`` lacks those resources whatever ``complete`` says (Terraform's
  JSON output format: ``deferred_changes``, 1.9+).
- HCL mode fills in the provider's schema defaults: the ones v6 changed follow the provider
  version ``terraform init`` would install (provider v6 upgrade guide, "aws_redshift_cluster":
  ``publicly_accessible`` now defaults to false; Terraform docs, "Dependency Lock File" and
  "Version Constraints").
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, run_tfsg, tfsg_json

from tfsg.sources.hcl.provider import _allows_major

SSH_MODULE = '''
resource "aws_security_group" "this" {
  name = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''


@pytest.mark.parametrize("host", ["registry.terraform.io", "registry.opentofu.org"])
def test_a_registry_module_installed_by_either_tool_is_read(tmp_path, host):
    """``source = "acme/sg/aws"`` installed by `terraform init` or by `tofu init`: the installed
    code is the module written, so its group (tcp 22 from the world) is read, not an unknown."""
    (tmp_path / "main.tf").write_text('module "sg" {\n  source  = "acme/sg/aws"\n  version = "1.0.0"\n}\n')
    installed = tmp_path / ".terraform" / "modules" / "sg"
    installed.mkdir(parents=True)
    (installed / "main.tf").write_text(SSH_MODULE)
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "sg", "Source": f"{host}/acme/sg/aws", "Version": "1.0.0", "Dir": ".terraform/modules/sg"}]}))
    result = tfsg_json("show", str(tmp_path))
    assert [g["address"] for g in result["groups"]] == ["module.sg.aws_security_group.this"]
    assert [(e["address"], e["ports"]) for e in result["exposed"]] == [("module.sg.aws_security_group.this", "22")]
    assert not [u for u in result["unknown"] if u["address"] == "module.sg"]


def test_an_ephemeral_resource_of_opentofu_is_skipped(tmp_path):
    """An ephemeral resource is opened during the run and never made: the rest of the plan is
    gated (ssh_open: the bastion's tcp 22 from the world), not refused."""
    doc = json.loads((FIXTURES / "ssh_open" / "plan.json").read_text())
    doc["resource_changes"].insert(0, {
        "address": "ephemeral.aws_secretsmanager_secret_version.db", "mode": "ephemeral",
        "type": "aws_secretsmanager_secret_version", "name": "db",
        "provider_name": "registry.opentofu.org/hashicorp/aws",
        "change": {"actions": ["open"], "before": None, "after": None, "after_unknown": {},
                   "before_sensitive": False, "after_sensitive": False}})
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(doc))
    proc = run_tfsg("check", str(f), "--no-sources", "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    report = json.loads(proc.stdout)
    assert "TFSG001" in {x["policy"] for x in report["findings"]}
    assert not [g for g in report["groups"] if "ephemeral" in g["address"]]


def test_utf16_is_named(tmp_path):
    """PowerShell 5's redirection: refused in one line that says what the file is."""
    text = (FIXTURES / "ssh_open" / "plan.json").read_text()
    f = tmp_path / "plan.json"
    f.write_bytes(text.encode("utf-16"))  # with its byte order mark, as PowerShell writes it
    proc = run_tfsg("show", str(f), "--no-sources")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b""
    assert err.count("\n") == 1 and "UTF-16" in err and str(f) in err


def test_deferred_changes_without_complete_are_refused(tmp_path):
    doc = json.loads((FIXTURES / "ssh_open" / "plan.json").read_text())
    doc.pop("complete", None)
    doc["deferred_changes"] = [{"reason": "resource_config_unknown",
                                "resource_change": {"address": "aws_instance.later", "mode": "managed",
                                                    "type": "aws_instance", "name": "later",
                                                    "change": {"actions": ["create"]}}}]
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(doc))
    proc = run_tfsg("check", str(f), "--no-sources")
    assert proc.returncode == 2 and b"incomplete" in proc.stderr and b"deferred" in proc.stderr


REDSHIFT = '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}
resource "aws_redshift_subnet_group" "rs" {
  name       = "rs"
  subnet_ids = [aws_subnet.a.id]
}
resource "aws_security_group" "rs" {
  name   = "rs"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 5439
    to_port     = 5439
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_redshift_cluster" "rs" {
  cluster_identifier        = "rs"
  node_type                 = "ra3.xlplus"
  master_username           = "admin"
  manage_master_password    = true
  cluster_subnet_group_name = aws_redshift_subnet_group.rs.name
  vpc_security_group_ids    = [aws_security_group.rs.id]
}
'''

LOCK = '''# This file is maintained automatically by "terraform init".
provider "registry.terraform.io/hashicorp/aws" {
  version     = "{version}"
  constraints = ">= 5.0"
  hashes = [
    "h1:AAAA=",
  ]
}
'''


@pytest.mark.parametrize("constraint, lock, public", [
    (None, None, True),            # nothing says: 5.x, the version the project's plans are made with
    ("~> 5.0", None, True),        # 5.x only
    ("~> 6.0", None, False),       # 6.x: publicly_accessible defaults to false
    (">= 5.0", None, False),       # init installs the newest: 6.x
    (">= 5.0", "5.100.0", True),   # the lock file decides
    (None, "6.2.0", False),
])
def test_redshift_default_follows_the_provider_version(tmp_path, constraint, lock, public):
    """An unset ``publicly_accessible``: true in provider 5 (the cluster in a routed subnet is
    reachable on 5439), false in 6 (only the group is open)."""
    head = "" if constraint is None else (
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        f'      version = "{constraint}"\n    }}\n  }}\n}}\n')
    (tmp_path / "main.tf").write_text(head + REDSHIFT)
    if lock is not None:
        (tmp_path / ".terraform.lock.hcl").write_text(LOCK.replace("{version}", lock))
    exposed = {e["address"] for e in tfsg_json("show", str(tmp_path))["exposed"]}
    assert ("aws_redshift_cluster.rs" in exposed) is public
    assert "aws_security_group.rs" in exposed


@pytest.mark.parametrize("constraint, major, allowed", [
    ("~> 5.0", 5, True), ("~> 5.0", 6, False), ("~> 5.31.0", 5, True), (">= 5.0", 6, True),
    (">= 6.0", 5, False), ("< 6.0", 6, False), ("< 6.1", 6, True), ("= 5.100.0", 6, False),
    ("5.100.0", 5, True), (">= 4.0, < 6.0", 6, False), ("<= 5.9", 6, False), ("!= 6.0.0", 6, True),
])
def test_version_constraints(constraint, major, allowed):
    """Terraform docs, "Version Constraints": ``~>`` allows the rightmost version part to grow."""
    assert _allows_major(constraint, major) is allowed
