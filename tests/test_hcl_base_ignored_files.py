"""HCL mode at --base with files Terraform reads from the directory that git ignores (GitHub's
Terraform .gitignore ignores *.tfvars and *_override.tf): no revision holds them, and both
sides of the change are planned with them (a plan of the change against the deployed state,
made with the same files, is the oracle: probe cases c20/c13 of round thirteen, where
`terraform plan -refresh=false` showed the change that these expectations state)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import flows, run_tfsg, tfsg_json

GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]
MAIN = '''
variable "ssh_cidr" {
  type    = string
  default = "0.0.0.0/0"
}
resource "aws_security_group" "g" {
  name        = "g"
  description = "admin"
  vpc_id      = "vpc-1"
  tags        = { Name = "g"%s }
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.ssh_cidr]
  }
%s}
'''
WORLD = '''  ingress {
    description = "rdp"
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
'''


def _repo(tmp_path: Path, ignored: dict[str, str], base: str, head: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".gitignore").write_text("*.tfvars\n*_override.tf\n")
    for name, text in ignored.items():
        (repo / name).write_text(text)
    (repo / "main.tf").write_text(base)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(GIT + ["-C", str(repo), *args], check=True, capture_output=True)
    (repo / "main.tf").write_text(head)
    return repo


def _introduced(repo: Path, code: int) -> set[tuple[str, str]]:
    proc = run_tfsg("check", str(repo), "--base", "HEAD", "--format", "json")
    assert proc.returncode == code, proc.stderr.decode()
    r = json.loads(proc.stdout)
    return {(f["policy"], f["key"]) for f in r["findings"] if f["introduced"] and f["policy"] == "TFSG001"}


@pytest.mark.parametrize("ignored", [{"terraform.tfvars": 'ssh_cidr = "10.0.0.0/8"\n'},
                                     {"ssh_override.tf": 'variable "ssh_cidr" {\n  default = "10.0.0.0/8"\n}\n'}])
def test_a_change_that_opens_rdp_is_judged_with_the_ignored_values(tmp_path: Path, ignored):
    repo = _repo(tmp_path, ignored, MAIN % ("", ""), MAIN % ("", WORLD))
    assert _introduced(repo, 1) == {("TFSG001", "internet tcp 3389")}
    r = tfsg_json("diff", str(repo), "--base", "HEAD")
    assert flows(r["added"]) == {("0.0.0.0/0", "aws_security_group.g", "tcp", "3389")}
    assert flows(r["removed"]) == set()  # SSH from 10.0.0.0/8 on both sides


def test_a_tag_only_change_introduces_nothing(tmp_path: Path):
    repo = _repo(tmp_path, {"terraform.tfvars": 'ssh_cidr = "0.0.0.0/0"\n'}, MAIN % ("", ""),
                 MAIN % (', Team = "ops"', ""))
    assert _introduced(repo, 0) == set()  # SSH from the world before and after: existing
