"""Inputs the gate must not let through unread, and untrusted configuration (ninth session).

[STATE]   Terraform CLI, "show": `terraform show -json` with no plan file prints the current
          state (exit 0); a state holds no change, and an empty workspace's state is only
          `{"format_version": "1.0"}`: gating it would pass a change never read.
[PRIOR]   Terraform JSON output format: a plan's `prior_state` is a state representation with
          its own `format_version` (plan 1.2 carries a 1.0 state).
[JAIL]    README "The gate": a configuration in the repository under review comes from the pull
          request; what it names stays inside the repository, even when --config names it.
[YAML]    YAML 1.1, "Character set": C0 control characters other than tab and line breaks are
          not allowed in a stream.
[NFS]     EFS user guide, "Using VPC security groups": mount targets accept NFS on tcp 2049; MSK
          developer guide, "Port information": brokers listen on 9092-9098.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import FIXTURES, plan, run_tfsg

PROVIDER = '''terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
'''


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True,
                   capture_output=True)


def test_check_refuses_a_state(tmp_path: Path):
    """[STATE] The empty state of a fresh workspace and a real applied state: check refuses
    both on one line (exit 2); `--audit-state` judges a state as a snapshot; show reads it."""
    empty = tmp_path / "state.json"
    empty.write_text('{"format_version":"1.0"}')
    for state in (str(empty), str(FIXTURES / "state_three_tier" / "state.json")):
        proc = run_tfsg("check", state)
        err = proc.stderr.decode()
        assert proc.returncode == 2 and proc.stdout == b""
        assert err.count("\n") == 1 and "this is a state, not a plan" in err and state in err
    audited = run_tfsg("check", str(FIXTURES / "state_three_tier" / "state.json"), "--audit-state")
    assert audited.returncode in (0, 1) and audited.stdout.decode().startswith(("PASS", "FAIL"))
    assert run_tfsg("show", str(empty)).returncode == 0


def test_an_unknown_prior_state_version_is_refused(tmp_path: Path):
    """[PRIOR] The embedded state's major version is checked as the plan's is."""
    doc = json.loads(Path(plan("ssh_open")).read_text())
    doc["prior_state"]["format_version"] = "2.0"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    proc = run_tfsg("check", str(path), "--no-sources")
    assert proc.returncode == 2
    assert 'prior_state.format_version: unsupported "2.0"' in proc.stderr.decode()


def test_a_configuration_in_the_repository_names_nothing_outside_it(tmp_path: Path):
    """[JAIL] --config names the repository's .tfsg.yml: its `extends` may not read a file of
    the runner, and nothing of that file is quoted, with either side trusted."""
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    (repo / "infra" / "main.tf").write_text(PROVIDER)
    outside = tmp_path / "secret.yml"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (repo / ".tfsg.yml").write_text("extends: [baseline]\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    (repo / ".tfsg.yml").write_text(f"extends: [{outside}]\n")
    head = run_tfsg("check", "infra", "--config", ".tfsg.yml", cwd=repo)
    assert head.returncode == 2 and "outside the repository under review" in head.stderr.decode()
    base = run_tfsg("check", "infra", "--base", "HEAD", "--config", ".tfsg.yml", "--config-from", "base",
                    "--format", "markdown", cwd=repo)
    out = base.stdout.decode() + base.stderr.decode()
    assert base.returncode == 0 and "root:x" not in out and "outside the repository under review" in out


def test_a_control_character_in_the_configuration_is_bad_input(tmp_path: Path):
    """[YAML] One line naming the file, exit 2: not an internal error."""
    (tmp_path / "main.tf").write_text(PROVIDER)
    (tmp_path / ".tfsg.yml").write_text("fail_on: high\x01\n")
    proc = run_tfsg("check", str(tmp_path), cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and ".tfsg.yml" in err and "not valid YAML" in err and "internal" not in err


def test_a_pass_with_no_policy_says_so(tmp_path: Path):
    (tmp_path / "main.tf").write_text(PROVIDER)
    (tmp_path / ".tfsg.yml").write_text("extends: []\n")
    proc = run_tfsg("check", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0
    assert "No policy is in effect (the configuration disables every policy): nothing was judged." in \
        proc.stdout.decode()


NFS = PROVIDER + '''
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "files" {
  name        = "files"
  description = "file systems and brokers"
  vpc_id      = aws_vpc.v.id
  ingress {
    description = "nfs"
    from_port   = 2049
    to_port     = 2049
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    description = "kafka"
    from_port   = 9094
    to_port     = 9094
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''


def test_nfs_and_kafka_from_the_internet_are_data_ports(tmp_path: Path):
    """[NFS] TFSG002 names NFS (2049) and Kafka (9092-9098) with the database ports."""
    (tmp_path / "main.tf").write_text(NFS)
    proc = run_tfsg("check", str(tmp_path), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1
    found = [f for f in json.loads(proc.stdout)["findings"] if f["policy"] == "TFSG002"]
    assert [(f["address"], f["evidence"]["services"]) for f in found] == [
        ("aws_security_group.files", [{"protocol": "tcp", "ports": "2049"}, {"protocol": "tcp", "ports": "9094"}])]


NOTEBOOK = PROVIDER + '''
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  subnet_id     = aws_subnet.a.id
}
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}
'''


def test_a_resource_in_a_vpc_with_no_group_is_an_unknown(tmp_path: Path):
    """A notebook instance placed in a subnet with no security group: SageMaker gives its
    interface a group the configuration does not name (CreateNotebookInstance, SecurityGroupIds;
    tfsg.services has no row for it): an unknown on its members, never "in no group". A function
    without vpc_config is in no VPC: nothing to say."""
    (tmp_path / "main.tf").write_text(NOTEBOOK)
    proc = run_tfsg("show", str(tmp_path), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert [(u["address"], u["attribute"]) for u in json.loads(proc.stdout)["unknown"]] == \
        [("aws_sagemaker_notebook_instance.nb", "security_groups")]


EFS = '''
resource "aws_security_group" "files" {
  name   = "files"
  vpc_id = aws_vpc.main.id
  ingress {
    description     = "NFS from web"
    from_port       = 2049
    to_port         = 2049
    protocol        = "tcp"
    security_groups = [aws_security_group.web.id]
  }
}
resource "aws_efs_file_system" "fs" {}
resource "aws_efs_mount_target" "a" {
  file_system_id  = aws_efs_file_system.fs.id
  subnet_id       = aws_subnet.public.id
  security_groups = [aws_security_group.files.id]
}
'''


def test_a_file_system_is_in_the_data_tier(tmp_path: Path):
    """[NFS] An EFS mount target that an internet-facing host reaches on 2049 is a data store
    reached through an internet-facing tier: TFSG007, as the database beside it."""
    from test_hcl_base import TIERS

    (tmp_path / "main.tf").write_text(PROVIDER + TIERS.replace("ADDED", "") + EFS)
    proc = run_tfsg("check", str(tmp_path), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr.decode()
    found = {f["address"]: f["evidence"] for f in json.loads(proc.stdout)["findings"] if f["policy"] == "TFSG007"}
    assert sorted(found) == ["aws_db_instance.db", "aws_efs_mount_target.a"]
    assert found["aws_efs_mount_target.a"]["path"] == ["internet", "aws_instance.web", "aws_efs_mount_target.a"]
    assert found["aws_efs_mount_target.a"]["services"] == [{"protocol": "tcp", "ports": "2049"}]


SECONDARY = PROVIDER + '''
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.v.id
}
resource "aws_route_table" "pub" {
  vpc_id = aws_vpc.v.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_subnet" "pub" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_route_table_association" "pub" {
  subnet_id      = aws_subnet.pub.id
  route_table_id = aws_route_table.pub.id
}
resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_lb" "nlb" {
  name               = "nlb"
  load_balancer_type = "network"
  subnets            = [aws_subnet.pub.id]
}
resource "aws_lb_target_group" "rdp" {
  name        = "rdp"
  port        = 3389
  protocol    = "TCP"
  vpc_id      = aws_vpc.v.id
  target_type = "ip"
}
resource "aws_lb_listener" "rdp" {
  load_balancer_arn = aws_lb.nlb.arn
  port              = 3389
  protocol          = "TCP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.rdp.arn
  }
}
resource "aws_security_group" "rdp" {
  name   = "rdp"
  vpc_id = aws_vpc.v.id
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
}
resource "aws_instance" "rdp" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  private_ip             = "10.0.2.10"
  secondary_private_ips  = ["10.0.2.20"]
  vpc_security_group_ids = [aws_security_group.rdp.id]
}
resource "aws_lb_target_group_attachment" "rdp" {
  target_group_arn = aws_lb_target_group.rdp.arn
  target_id        = "10.0.2.20"
}
'''


def test_an_ip_target_registered_by_a_secondary_address_is_its_instance(tmp_path: Path):
    """ELB guide, "Register targets": an `ip` target is any private address in the target group's
    VPC, a secondary one included; over TCP the client address is not preserved, so the instance
    sees the NLB's private address, inside 10.0.0.0/16, which its group admits on 3389: RDP is
    reachable from the internet through the listener (TFSG001), not an unknown target."""
    (tmp_path / "main.tf").write_text(SECONDARY)
    proc = run_tfsg("check", str(tmp_path), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    assert not [u for u in r["unknown"] if u["address"] == "aws_lb_target_group_attachment.rdp"]
    found = [f for f in r["findings"] if f["policy"] == "TFSG001"]
    assert [(f["address"], f["evidence"].get("exposed_resources")) for f in found] == \
        [("aws_security_group.rdp", ["aws_instance.rdp"])]
