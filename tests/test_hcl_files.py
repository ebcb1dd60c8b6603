"""file(), fileexists() and templatefile() in HCL mode (issue 11, item 5): read inside the
repository only, from the base revision at --base, rendered as Terraform renders them (the
template's value below is what ``terraform console`` gives for the same files)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import flows, tfsg_json

GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]

RULES = "ingress:\n  - port: 22\n    cidr: 10.0.0.0/8\n  - port: 443\n    cidr: 0.0.0.0/0\n"
TEMPLATE = "%{ for r in rules ~}\n${r.port}/${r.cidr};\n%{ endfor ~}\nowner=${owner}\n"
MAIN = '''
locals {
  rules = yamldecode(file("${path.module}/rules.yaml")).ingress
}
resource "aws_security_group" "g" {
  name        = "g"
  vpc_id      = "vpc-1"
  description = templatefile("${path.module}/desc.tftpl", { rules = local.rules, owner = "team" })
  dynamic "ingress" {
    for_each = local.rules
    content {
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = [ingress.value.cidr]
    }
  }
}
resource "aws_security_group_rule" "outside" {
  type              = "ingress"
  security_group_id = aws_security_group.g.id
  protocol          = "tcp"
  from_port         = 1
  to_port           = 1
  cidr_blocks       = [trimspace(file(var.path))]
}
variable "path" {
  type = string
}
'''
G = "aws_security_group.g"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(GIT + ["-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    infra = tmp_path / "repo" / "infra"
    infra.mkdir(parents=True)
    (infra / "rules.yaml").write_text(RULES)
    (infra / "desc.tftpl").write_text(TEMPLATE)
    (infra / "main.tf").write_text(MAIN)
    (tmp_path / "secret.txt").write_text("203.0.113.7/32\n")  # outside the repository
    _git(infra.parent, "init", "-q")
    _git(infra.parent, "add", "-A")
    _git(infra.parent, "commit", "-qm", "base")
    return infra


def test_files_inside_the_repository_are_read(repo: Path):
    r = tfsg_json("show", str(repo), "--var", "path=rules.yaml")
    assert {(f["from"], f["to"], f["ports"]) for f in r["flows"]} >= {("10.0.0.0/8", G, "22"), ("0.0.0.0/0", G, "443")}
    # terraform console: "22/10.0.0.0/8;\n443/0.0.0.0/0;\nowner=team\n"
    assert r["groups"][0]["description"] == "22/10.0.0.0/8;\n443/0.0.0.0/0;\nowner=team\n"


@pytest.mark.parametrize("path", ["../../secret.txt", "/etc/hostname", "{tmp}/secret.txt"])
def test_a_file_outside_the_repository_is_not_read(repo: Path, path: str):
    path = path.format(tmp=repo.parent.parent)
    r = tfsg_json("show", str(repo), "--var", f"path={path}")
    unknown = [u for u in r["unknown"] if u["address"] == "aws_security_group_rule.outside"]
    assert unknown and "outside the repository" in unknown[0]["reason"]
    assert "203.0.113.7" not in str(r)


def test_a_link_out_of_the_repository_is_not_followed(repo: Path):
    (repo / "link.txt").symlink_to(repo.parent.parent / "secret.txt")
    r = tfsg_json("show", str(repo), "--var", "path=link.txt")
    assert any("outside the repository" in u["reason"] for u in r["unknown"])
    assert "203.0.113.7" not in str(r)


def test_at_base_files_come_from_the_base_revision(repo: Path):
    """The change widens the rules file only: the diff shows it, read from git at the base."""
    (repo / "rules.yaml").write_text(RULES.replace("10.0.0.0/8", "0.0.0.0/0"))
    r = tfsg_json("diff", str(repo), "--base", "HEAD", "--var", "path=rules.yaml")
    assert flows(r["added"]) == {("0.0.0.0/0", G, "tcp", "22")}
    assert flows(r["removed"]) == set()  # 10.0.0.0/8 is inside 0.0.0.0/0: still admitted
    assert r["input"]["base"] == "HEAD"
