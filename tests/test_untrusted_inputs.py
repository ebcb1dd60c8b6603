"""What a pull request controls cannot make tfsg read outside the repository, run without bound,
or write to a terminal or CI log what the reader does not see.

- Plan mode reads the .tf files beside the plan (locations, inline waivers): only inside the
  git work tree, as HCL mode does; a committed link leading out of it is not followed.
- A waiver's address glob from `.tfsg.yml` is matched in linear time (no backtracking regex).
- `.tfsg.yml` may not name git's own files (`.git/config` holds the checkout's token).
- Names, descriptions and addresses are escaped in the plain-text formats (text, github): a
  newline or a terminal escape in a value cannot forge a line or clear the screen.
- Rules and pairs of groups naming each other are bounded (limits `rules`, `group-pairs`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time

from conftest import FIXTURES, run_tfsg

SSH = '''
resource "aws_security_group" "a" {
  name        = "a"
  description = "a"
  vpc_id      = "vpc-0123456789abcdef0"
  ingress {
    description = "ssh"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''


def _git(repo, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _repo(path):
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q")
    return path


def test_a_waiver_linked_from_outside_the_repository_is_not_read(tmp_path):
    """ssh_open's plan with its sources in a git work tree and a committed link `w.tf` to a file
    outside it holding `# tfsg:ignore[TFSG001]`: the link is not followed, so TFSG001 stays."""
    repo = _repo(tmp_path / "repo")
    for name in ("main.tf", "providers.tf", "plan.json"):
        shutil.copy(FIXTURES / "ssh_open" / name, repo / name)
    outside = tmp_path / "outside.tf"
    outside.write_text('# tfsg:ignore[TFSG001] reason="OUTSIDE-CONTENT"\nresource "aws_security_group" "bastion" {}\n')
    (repo / "w.tf").symlink_to(outside)
    proc = run_tfsg("check", str(repo / "plan.json"), "--format", "json")
    report = json.loads(proc.stdout)
    assert proc.returncode == 1, proc.stderr.decode()
    assert b"OUTSIDE-CONTENT" not in proc.stdout
    tfsg001 = [f["waived"] for f in report["findings"] if f["policy"] == "TFSG001"]
    assert tfsg001 and set(tfsg001) == {None}


def test_a_waiver_glob_is_linear(tmp_path):
    """A waiver address of many stars against a long address that it does not match: a
    backtracking regex takes exponential time; the glob is decided at once."""
    repo = _repo(tmp_path / "repo")
    (repo / "main.tf").write_text(SSH)
    (repo / ".tfsg.yml").write_text("waivers:\n  - policy: TFSG001\n    address: '" + "*a" * 40 + "b'\n"
                                    "    reason: never matches\n")
    start = time.monotonic()
    proc = run_tfsg("check", str(repo), "--format", "json")
    assert time.monotonic() - start < 20
    assert proc.returncode == 1, proc.stderr.decode()


def test_the_configuration_cannot_name_git_files(tmp_path):
    repo = _repo(tmp_path / "repo")
    (repo / "main.tf").write_text(SSH)
    (repo / ".tfsg.yml").write_text('policy_files: [".git/config"]\n')
    proc = run_tfsg("check", str(repo), cwd=repo)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "inside .git" in err


def test_control_characters_are_escaped_in_plain_text(tmp_path):
    """A group name with a newline, a forged verdict line and terminal escapes (HCL accepts any
    string in a name): shown escaped in text and github output, never raw."""
    name = "n\\nPASS: no introduced finding \\u001b[2J\\u001b]0;pwned\\u0007"
    (tmp_path / "main.tf").write_text(SSH.replace('name        = "a"', f'name        = "{name}"'))
    for fmt in ("text", "github"):
        proc = run_tfsg("check", str(tmp_path), "--format", fmt)
        out = proc.stdout.decode()
        assert "\x1b" not in out and "\x07" not in out, fmt
        assert not any(line.startswith("PASS") for line in out.splitlines()), fmt
    text = run_tfsg("show", str(tmp_path)).stdout.decode()
    assert "\\x0aPASS" in text and "\\x1b[2J" in text


DENSE = '''
variable "n" {
  type = number
}
resource "aws_security_group" "a" {
  count  = var.n
  name   = "a${count.index}"
  vpc_id = "vpc-1"
  egress {
    description = "all"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group" "b" {
  count  = var.n
  name   = "b${count.index}"
  vpc_id = "vpc-1"
  ingress {
    description     = "from every a"
    protocol        = "tcp"
    from_port       = 5432
    to_port         = 5432
    security_groups = aws_security_group.a[*].id
  }
}
'''


def test_pairs_of_groups_are_bounded(tmp_path):
    """n groups each admitting n others: n*n pairs (and rules). Past the limits, exit 2 on one
    line naming the limit; under them, analysed."""
    (tmp_path / "main.tf").write_text(DENSE)
    over = run_tfsg("show", str(tmp_path), "--var", "n=100", "--limit", "group-pairs=5000", "-q")
    err = over.stderr.decode()
    assert over.returncode == 2 and err.count("\n") == 1 and "10,000 pairs" in err and "group-pairs" in err
    rules = run_tfsg("show", str(tmp_path), "--var", "n=100", "--limit", "rules=5000", "-q")
    assert rules.returncode == 2 and b"limit rules = 5,000" in rules.stderr
    ok = run_tfsg("show", str(tmp_path), "--var", "n=20", "--format", "json")
    flows = json.loads(ok.stdout)["flows"] if ok.returncode == 0 else []
    assert len([f for f in flows if f["from"].startswith("aws_security_group.a[")
                and f["to"].startswith("aws_security_group.b[")]) == 400


def test_fileset_is_bounded(tmp_path):
    """fileset() patterns come from the pull request: `**` repeated would make a backtracking
    regex exponential (RE2 is linear), and every call's matching counts against eval-size (a
    repository of many files listed by many instances ends on the limit, not after hours)."""
    deep = tmp_path / "/".join("d" * 1 for _ in range(12))
    deep.mkdir(parents=True)
    (deep / ("a" * 40)).write_text("x")
    (tmp_path / "main.tf").write_text(
        'locals {\n  found = fileset(path.module, "' + "**/" * 14 + 'b")\n}\n'
        'resource "aws_security_group" "a" {\n  count = 200\n  name = "a${count.index}"\n'
        '  description = join(",", fileset(path.module, "**"))\n}\n')
    start = time.monotonic()
    proc = run_tfsg("show", str(tmp_path), "-q")
    assert time.monotonic() - start < 20
    assert proc.returncode == 0, proc.stderr.decode()
    over = run_tfsg("show", str(tmp_path), "-q", "--limit", "eval-size=300")
    assert over.returncode == 2 and b"eval-size" in over.stderr
