"""HCL mode against a --base revision: what an update leaves running (tfsg/sources/hcl/relaunch.py).

Every expectation is derived from the configuration and what Terraform plans for it (real plans
of the same revisions against moto, hashicorp/aws 5.100.0, probe s11/pE):

[EIP]     EC2 user guide, "Elastic IP addresses": an Elastic IP associated with an instance (or its
          primary network interface) is its public IPv4 address; disassociated, the instance has
          only what it was launched with. Real plan eip_assoc: the association is created, the
          instance is not replaced.
[REPLACE] Provider schema (terraform-provider-aws internal/service/ec2/ec2_instance.go):
          ``subnet_id`` and ``key_name`` are ForceNew. Real plans subnet_move and flip_key: "must be
          replaced ... # forces replacement"; the new instance launches with its subnet's
          MapPublicIpOnLaunch of the day. ``instance_type`` is not ForceNew (updated in place).
[LAUNCH]  EC2 API ModifySubnetAttribute: a subnet's MapPublicIpOnLaunch applies to instances
          launched later; a running instance keeps the addresses it has.
[VERSION] Provider docs, aws_launch_template ``update_default_version``: the default version moves
          only with it; aws_autoscaling_group ``launch_template.version`` defaults to $Default. Real
          plan lt_ref: the template updated, the group on ``default_version`` is a no-op with
          version "1"; groups on ``latest_version`` and on $Default with update_default_version
          take the new version. Real plan lt_inst: an instance on "$Latest" is updated in place
          with its groups unchanged; one on ``latest_version`` is replaced (ec2_instance.go
          CustomizeDiff: a changed launch_template.version forces a new instance).
[VPC]     TFSG011 speaks of the default group of a VPC the change creates; a VPC that exists at
          the base is not created (cidr_block unchanged: not replaced).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import run_tfsg, validate_report

PROVIDER = '''terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
'''

NET = '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = MAP
}
resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "us-east-1a"
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}
'''

SSH = '''
resource "aws_security_group" "ssh" {
  name   = "ssh"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
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
}
'''


def _instance(name: str, subnet: str = "public", extra: str = "") -> str:
    return f'''
resource "aws_instance" "{name}" {{
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.{subnet}.id
  vpc_security_group_ids = [aws_security_group.ssh.id]
{extra}}}
'''


def _run(tmp_path: Path, base: str, head: str, base_map: str = "false",
         head_map: str = "false") -> tuple[dict, int, dict]:
    """(diff report, check exit code, check report) of ``tfsg ... infra --base HEAD`` after
    committing ``base`` and writing ``head`` (main.tf; net.tf with the public subnet's map)."""
    repo = tmp_path / "repo"
    infra = repo / "infra"
    infra.mkdir(parents=True)

    def write(main: str, mapping: str) -> None:
        (infra / "main.tf").write_text(PROVIDER + SSH + main)
        (infra / "net.tf").write_text(NET.replace("MAP", mapping))

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                       check=True, capture_output=True)

    write(base, base_map)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    write(head, head_map)
    docs = []
    codes = []
    for command in ("diff", "check"):
        proc = run_tfsg(command, str(infra), "--base", "HEAD", "--format", "json", cwd=repo)
        assert proc.returncode in (0, 1), proc.stderr.decode()
        doc = json.loads(proc.stdout)
        validate_report(doc)
        docs.append(doc)
        codes.append(proc.returncode)
    return docs[0], codes[1], docs[1]


def _rows(rows: list[dict]) -> set[tuple[str, str, str, tuple]]:
    return {(r["address"], r["protocol"], r["ports"], tuple(r["sources"])) for r in rows if r["kind"] == "resource"}


def _introduced(check: dict) -> set[tuple[str, str]]:
    return {(f["policy"], f["address"]) for f in check["findings"] if f["introduced"]}


SSH_B = {("aws_instance.b", "tcp", "22", ("0.0.0.0/0",))}
TFSG001 = {("TFSG001", "aws_security_group.ssh")}


# ---------------------------------------------------------------------- F2: Elastic IPs [EIP]

POOL = '''
resource "aws_eip" "pool" {
  domain = "vpc"
}
'''


def test_eip_association_added_to_running_instance(tmp_path: Path) -> None:
    base = _instance("a") + _instance("b") + POOL
    head = base + '''
resource "aws_eip_association" "b" {
  allocation_id = aws_eip.pool.id
  instance_id   = aws_instance.b.id
}
'''
    diff, code, check = _run(tmp_path, base, head)
    assert _rows(diff["newly_exposed"]) == SSH_B
    assert _rows(diff["no_longer_exposed"]) == set()
    assert code == 1 and _introduced(check) == TFSG001
    tfsg001 = [f for f in check["findings"] if f["policy"] == "TFSG001"]
    assert tfsg001[0]["evidence"]["exposed_resources"] == ["aws_instance.b"]


def test_eip_instance_argument_added(tmp_path: Path) -> None:
    base = _instance("a") + _instance("b") + POOL
    head = _instance("a") + _instance("b") + '''
resource "aws_eip" "pool" {
  domain   = "vpc"
  instance = aws_instance.b.id
}
'''
    diff, code, check = _run(tmp_path, base, head)
    assert _rows(diff["newly_exposed"]) == SSH_B
    assert code == 1 and _introduced(check) == TFSG001


def test_eip_association_to_primary_interface(tmp_path: Path) -> None:
    base = _instance("a") + _instance("b") + POOL
    head = base + '''
resource "aws_eip_association" "b" {
  allocation_id        = aws_eip.pool.id
  network_interface_id = aws_instance.b.primary_network_interface_id
}
'''
    diff, code, check = _run(tmp_path, base, head)
    assert _rows(diff["newly_exposed"]) == SSH_B
    assert code == 1 and _introduced(check) == TFSG001


def test_eip_moved_from_a_to_b(tmp_path: Path) -> None:
    # neither instance was launched with a public IPv4 (map_public_ip_on_launch = false): after
    # the move only b has a public address
    assoc = '''
resource "aws_eip_association" "b" {
  allocation_id = aws_eip.pool.id
  instance_id   = aws_instance.TARGET.id
}
'''
    base = _instance("a") + _instance("b") + POOL + assoc.replace("TARGET", "a")
    head = _instance("a") + _instance("b") + POOL + assoc.replace("TARGET", "b")
    diff, code, check = _run(tmp_path, base, head)
    assert _rows(diff["newly_exposed"]) == SSH_B
    assert _rows(diff["no_longer_exposed"]) == {("aws_instance.a", "tcp", "22", ("0.0.0.0/0",))}
    assert code == 1 and _introduced(check) == TFSG001


def test_eip_removed_from_instance_launched_with_public_ip_keeps_it_exposed(tmp_path: Path) -> None:
    # the subnet maps public IPs at both revisions: b was launched with one and, its Elastic IP
    # gone, has a public IPv4 again; nothing changes in what reaches it
    assoc = '''
resource "aws_eip_association" "b" {
  allocation_id = aws_eip.pool.id
  instance_id   = aws_instance.b.id
}
'''
    base = _instance("b") + POOL + assoc
    head = _instance("b") + POOL
    diff, code, check = _run(tmp_path, base, head, "true", "true")
    assert _rows(diff["newly_exposed"]) == set()
    assert _rows(diff["no_longer_exposed"]) == set()
    assert code == 0 and _introduced(check) == set()


# ---------------------------------------------------------------------- F3: replacement [REPLACE]

def test_subnet_moved_to_public_subnet_replaces(tmp_path: Path) -> None:
    base = _instance("b", "private")
    head = _instance("b", "public")
    diff, code, check = _run(tmp_path, base, head, "true", "true")
    assert _rows(diff["newly_exposed"]) == SSH_B
    assert code == 1 and _introduced(check) == TFSG001


def test_key_name_added_replaces_in_flipped_subnet(tmp_path: Path) -> None:
    base = _instance("b")
    head = _instance("b", extra='  key_name               = "deployer"\n')
    diff, code, check = _run(tmp_path, base, head, "false", "true")
    assert _rows(diff["newly_exposed"]) == SSH_B
    assert code == 1 and _introduced(check) == TFSG001


def test_instance_type_change_is_in_place_in_flipped_subnet(tmp_path: Path) -> None:
    # [LAUNCH] instance_type is updated in place: b keeps the no-public-IP it was launched with
    base = _instance("b")
    head = _instance("b").replace('"t3.micro"', '"t3.small"')
    diff, code, check = _run(tmp_path, base, head, "false", "true")
    assert _rows(diff["newly_exposed"]) == set()
    assert code == 0 and _introduced(check) == set()


# ---------------------------------------------------------------------- F5: template versions [VERSION]

def _template(groups: str, extra: str = "") -> str:
    return f'''
resource "aws_launch_template" "f" {{
  name                   = "lt-f"
  image_id               = "ami-12345678"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [{groups}]
{extra}}}
'''


OLD_GROUPS = "aws_security_group.app.id"
NEW_GROUPS = "aws_security_group.app.id, aws_security_group.ssh.id"


def _asg(version: str) -> str:
    line = f"    version = {version}\n" if version else ""
    return f'''
resource "aws_autoscaling_group" "f" {{
  name                = "asg-f"
  min_size            = 1
  max_size            = 1
  vpc_zone_identifier = [aws_subnet.public.id]
  launch_template {{
    id = aws_launch_template.f.id
{line}  }}
}}
'''


def _lt_case(tmp_path: Path, launcher: str, extra: str = "") -> tuple[dict, int, dict]:
    return _run(tmp_path, _template(OLD_GROUPS, extra) + launcher, _template(NEW_GROUPS, extra) + launcher,
                "true", "true")


ASG_SSH = {("aws_autoscaling_group.f", "tcp", "22", ("0.0.0.0/0",))}


def test_asg_on_default_version_reference_does_not_move(tmp_path: Path) -> None:
    diff, code, check = _lt_case(tmp_path, _asg("aws_launch_template.f.default_version"))
    assert _rows(diff["newly_exposed"]) == set()
    assert code == 0 and _introduced(check) == set()


def test_asg_on_dollar_default_does_not_move(tmp_path: Path) -> None:
    diff, code, check = _lt_case(tmp_path, _asg('"$Default"'))
    assert _rows(diff["newly_exposed"]) == set()
    assert code == 0 and _introduced(check) == set()


def test_asg_naming_no_version_does_not_move(tmp_path: Path) -> None:
    diff, code, check = _lt_case(tmp_path, _asg(""))
    assert _rows(diff["newly_exposed"]) == set()
    assert code == 0 and _introduced(check) == set()


def test_asg_with_update_default_version_moves(tmp_path: Path) -> None:
    diff, code, check = _lt_case(tmp_path, _asg(""), "  update_default_version = true\n")
    assert _rows(diff["newly_exposed"]) == ASG_SSH
    assert code == 1 and _introduced(check) == TFSG001


def test_asg_on_latest_version_reference_moves(tmp_path: Path) -> None:
    diff, code, check = _lt_case(tmp_path, _asg("aws_launch_template.f.latest_version"))
    assert _rows(diff["newly_exposed"]) == ASG_SSH
    assert code == 1 and _introduced(check) == TFSG001


def _lt_instance(version: str) -> str:
    return f'''
resource "aws_instance" "latest" {{
  subnet_id = aws_subnet.public.id
  launch_template {{
    id      = aws_launch_template.f.id
    version = {version}
  }}
}}
'''


def test_running_instance_on_dollar_latest_keeps_its_groups(tmp_path: Path) -> None:
    diff, code, check = _lt_case(tmp_path, _lt_instance('"$Latest"'))
    assert _rows(diff["newly_exposed"]) == set()
    assert code == 0 and _introduced(check) == set()


def test_instance_on_latest_version_reference_is_replaced(tmp_path: Path) -> None:
    diff, code, check = _lt_case(tmp_path, _lt_instance("aws_launch_template.f.latest_version"))
    assert _rows(diff["newly_exposed"]) == {("aws_instance.latest", "tcp", "22", ("0.0.0.0/0",))}
    assert code == 1 and _introduced(check) == TFSG001


# ---------------------------------------------------------------------- F7: TFSG011 [VPC]

def test_unchanged_vpc_is_not_one_this_change_creates(tmp_path: Path) -> None:
    diff, code, check = _run(tmp_path, _instance("b"), _instance("b", extra='  monitoring             = true\n'))
    assert [f for f in check["findings"] if f["policy"] == "TFSG011"] == []
    assert code == 0


def test_new_vpc_is_one_this_change_creates(tmp_path: Path) -> None:
    head = _instance("b") + '''
resource "aws_vpc" "extra" {
  cidr_block = "10.1.0.0/16"
}
'''
    diff, code, check = _run(tmp_path, _instance("b"), head)
    found = [(f["address"], f["introduced"]) for f in check["findings"] if f["policy"] == "TFSG011"]
    assert found == [("aws_vpc.extra", True)]
    assert code == 0  # medium: below the default blocking level
