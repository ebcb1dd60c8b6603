"""file(), fileexists() and templatefile() in HCL mode (issue 11, item 5): read inside the
repository only, from the base revision at --base, rendered as Terraform renders them (the
template's value below is what ``terraform console`` gives for the same files)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import flows, run_tfsg, tfsg_json

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
    # a CIDR block for the rule that reads var.path (rules.yaml there would be no CIDR block:
    # the provider refuses it at plan)
    (infra / "office.txt").write_text("203.0.113.0/24\n")
    (tmp_path / "secret.txt").write_text("203.0.113.7/32\n")  # outside the repository
    _git(infra.parent, "init", "-q")
    _git(infra.parent, "add", "-A")
    _git(infra.parent, "commit", "-qm", "base")
    return infra


def test_files_inside_the_repository_are_read(repo: Path):
    r = tfsg_json("show", str(repo), "--var", "path=office.txt")
    assert {(f["from"], f["to"], f["ports"]) for f in r["flows"]} >= {("10.0.0.0/8", G, "22"), ("0.0.0.0/0", G, "443")}
    # terraform console: "22/10.0.0.0/8;\n443/0.0.0.0/0;\nowner=team\n"
    assert r["groups"][0]["description"] == "22/10.0.0.0/8;\n443/0.0.0.0/0;\nowner=team\n"


def _refused(repo: Path, path: str, words: str) -> None:
    """Terraform reads the file when it plans; tfsg does not read it and cannot tell what it
    holds: an unknown would only warn (``fileexists("/etc/passwd") ? "0.0.0.0/0" : ...`` would
    hide a world-open rule), so the input is refused, one line at the call's file:line, nothing
    of the file quoted (README, untrusted input)."""
    proc = run_tfsg("show", str(repo), "--var", f"path={path}")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and err.startswith("tfsg: error: ") and words in err, err
    assert "main.tf:" in err
    assert "203.0.113.7" not in err + proc.stdout.decode() and "c2VjcmV0" not in err + proc.stdout.decode()


@pytest.mark.parametrize("path", ["../../secret.txt", "/etc/hostname", "{tmp}/secret.txt"])
def test_a_file_outside_the_repository_is_refused(repo: Path, path: str):
    _refused(repo, path.format(tmp=repo.parent.parent), "outside the repository under review")


def test_a_link_out_of_the_repository_is_refused(repo: Path):
    (repo / "link.txt").symlink_to(repo.parent.parent / "secret.txt")
    _refused(repo, "link.txt", "outside the repository under review")


def test_at_base_files_come_from_the_base_revision(repo: Path):
    """The change widens the rules file only: the diff shows it, read from git at the base."""
    (repo / "rules.yaml").write_text(RULES.replace("10.0.0.0/8", "0.0.0.0/0"))
    r = tfsg_json("diff", str(repo), "--base", "HEAD", "--var", "path=office.txt")
    assert flows(r["added"]) == {("0.0.0.0/0", G, "tcp", "22")}
    assert flows(r["removed"]) == set()  # 10.0.0.0/8 is inside 0.0.0.0/0: still admitted
    assert r["input"]["base"] == "HEAD"


def test_git_files_are_not_read(repo: Path):
    """.git/config holds the checkout's token (actions/checkout persists it by default): a
    configuration that reads it could print it in a finding (a group's name, a tag)."""
    (repo.parent / ".git" / "config").write_text("[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n")
    _refused(repo, "../.git/config", "inside .git")


@pytest.mark.parametrize("layout", ["tf_link", "tfvars_link", "module_up", "module_link"])
def test_sources_that_lead_out_of_the_repository_are_refused(tmp_path: Path, layout: str):
    """A branch may commit a symbolic link (git stores them) or a module source that leaves the
    work tree: the loader refuses it (exit 2, one line) instead of reading, and quoting in a
    syntax error, what lies outside (/proc/self/environ holds the job's secrets)."""
    from conftest import run_tfsg

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.tf").write_text('OUTSIDE_SECRET = "s3cr3t" = 1\n')
    infra = tmp_path / "repo" / "infra"
    infra.mkdir(parents=True)
    (infra / "main.tf").write_text('resource "aws_security_group" "g" {\n  name = "g"\n}\n')
    if layout == "tf_link":
        (infra / "env.tf").symlink_to(outside / "x.tf")
    elif layout == "tfvars_link":
        (infra / "terraform.tfvars").symlink_to(outside / "x.tf")
    elif layout == "module_up":
        (infra / "mod.tf").write_text('module "m" {\n  source = "../../outside"\n}\n')
    else:
        (infra / "m").symlink_to(outside)
        (infra / "mod.tf").write_text('module "m" {\n  source = "./m"\n}\n')
    _git(infra.parent, "init", "-q")
    proc = run_tfsg("check", str(infra))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and len(err.strip().splitlines()) == 1, err
    assert "is outside the repository under review" in err and "s3cr3t" not in err + proc.stdout.decode()


def test_a_syntax_error_quotes_a_short_excerpt(tmp_path: Path):
    from conftest import run_tfsg

    (tmp_path / "main.tf").write_text("PATH=/usr/bin:/bin\x00AWS_SECRET_ACCESS_KEY=" + "Z" * 200 + "\x00")
    err = run_tfsg("check", str(tmp_path)).stderr.decode()
    assert "(cut)" in err and "Z" not in err


def test_file_hashes_and_base64_read_any_bytes(tmp_path: Path):
    """filebase64/filemd5/filesha*/filebase64sha*: the values `terraform plan` gave for the same
    files (a text file "hello\\n" and the three bytes 00 01 ff, which are no UTF-8)."""
    (tmp_path / "a.txt").write_text("hello\n")
    (tmp_path / "b.bin").write_bytes(b"\x00\x01\xff")
    names = {"filebase64": ("a.txt", "aGVsbG8K"), "filemd5": ("a.txt", "b1946ac92492d2347c6235b4d2611184"),
             "filesha1": ("a.txt", "f572d396fae9206628714fb2ce00f72e94f2258f"),
             "filesha256": ("a.txt", "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"),
             "filebase64sha256": ("a.txt", "WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM="),
             "filebase64sha512": ("a.txt", "58IrmUxZ2c8rSOVJseJGZmNgRZMNPafBrLKZ0cO3+TH5Sq5B7dosKyB6NuEPi8uNRSI+VIePWzFufOO2"
                                           "vAGWKQ=="),
             "filebase64 ": ("b.bin", "AAH/"), "filemd5 ": ("b.bin", "ffbb8cd5a232b7d906904533e9609f48")}
    blocks = "".join(f'resource "aws_security_group" "g{i}" {{\n  name = "g{i}"\n  vpc_id = "vpc-1"\n'
                     f'  description = {name.strip()}("{path}")\n}}\n' for i, (name, (path, _)) in enumerate(names.items()))
    (tmp_path / "main.tf").write_text(blocks)
    r = tfsg_json("show", str(tmp_path))
    got = {g["address"]: g["description"] for g in r["groups"]}
    assert got == {f"aws_security_group.g{i}": want for i, (_, (_, want)) in enumerate(names.items())}
    assert r["unknown"] == []
