"""HCL mode, round twelve: values the .tf files fix that HCL mode read as unknown.

[REGION] Provider docs, data source aws_region: with no arguments it is "the name of the Region
         configured within the provider"; aws_partition is that Region's partition (AWS General
         Reference, "AWS partitions"). The provider computes both without calling AWS
         (fixtures/hcl_provider_data: the offline plan has them).
[CWD]    Terraform docs, "References to Named Values": "path.cwd is the filesystem path of the
         original working directory from where you ran Terraform ... This path is an absolute
         path"; `tfsg check DIR` reads DIR as `cd DIR && terraform plan` would.
"""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, plan, tfsg_json

PROVIDER = '''provider "aws" {
  region                      = "us-east-1"
  access_key                  = "x"
  secret_key                  = "x"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
'''


def _groups(r: dict) -> set[tuple]:
    return {(g["address"], g["name"]) for g in r["groups"]}


def test_provider_region_and_partition_both_ways():
    want_groups = {("aws_security_group.home", "home-aws-us-east-1"),
                   ("module.edge.aws_security_group.this", "edge-aws-eu-west-1")}  # aws.eu passed
    want_flows = {("0.0.0.0/0", "aws_security_group.home", "22"), ("10.0.0.0/8", "module.edge.aws_security_group.this", "22")}
    for target in (plan("hcl_provider_data"), str(FIXTURES / "hcl_provider_data")):
        r = tfsg_json("show", target)
        assert _groups(r) == want_groups, target  # [REGION]
        assert {(f["from"], f["to"], f["ports"]) for f in r["flows"]} == want_flows
        assert r["unknown"] == []


def test_path_cwd_is_the_directory_terraform_runs_in(tmp_path: Path):
    prod = tmp_path / "envs" / "prod"
    prod.mkdir(parents=True)
    (prod / "main.tf").write_text(PROVIDER + '''
variable "ssh_by_env" {
  default = { prod = ["0.0.0.0/0"] }
}
locals {
  env = basename(path.cwd)
}
resource "aws_security_group" "b" {
  name = "bastion-${local.env}"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = lookup(var.ssh_by_env, local.env, ["10.0.0.0/8"])
  }
}
''')
    r = tfsg_json("show", str(prod))
    assert _groups(r) == {("aws_security_group.b", "bastion-prod")}  # [CWD]
    assert {(f["from"], f["ports"]) for f in r["flows"]} == {("0.0.0.0/0", "22")}


def test_json_syntax_strings_are_templates_both_ways():
    """[JSON] Terraform docs, JSON Configuration Syntax, "Expression Mapping": a JSON string is
    decoded, then parsed as a template whose ${...} are native syntax: a quoted string inside
    one is a native string (its own ${...} and escapes). fixtures/hcl_json_templates."""
    want = {("0.0.0.0/0", "aws_security_group.bastion", "22"), ("0.0.0.0/0", "aws_security_group.bastion", "2222"),
            ("0.0.0.0/0", "aws_security_group.bastion", "3389"), ("10.0.0.0/8", "aws_security_group.bastion", "3389"),
            # "dynamic" given as an array of objects (JSON syntax: a block type's value may be one)
            ("0.0.0.0/0", "aws_security_group.dyn", "8443"), ("10.0.0.0/8", "aws_security_group.dyn", "8443")}
    for target in (plan("hcl_json_templates"), str(FIXTURES / "hcl_json_templates")):
        r = tfsg_json("show", target)
        assert {(f["from"], f["to"], f["ports"]) for f in r["flows"]} == want, target
        assert _groups(r) == {("aws_security_group.bastion", "dev-bastion"), ("aws_security_group.dyn", "dyn")}
        assert r["unknown"] == []
