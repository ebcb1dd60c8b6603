"""HCL mode against a --base revision, as a plan of the same change would read it.

[MOVED]  Terraform language docs, "Refactoring": a ``moved { from = A  to = B }`` block of the new
         configuration makes the object the state holds at A the one written at B; the plan
         shows it moved, not destroyed and created (checked with tf-offline: "0 to add, 0 to
         change, 0 to destroy").
[LAUNCH] EC2 API ModifySubnetAttribute / MapPublicIpOnLaunch: a subnet's setting applies to the
         interfaces launched in it later; a running instance keeps the addresses it has.
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


def _diff_and_check(tmp_path: Path, before: str, after: str) -> tuple[dict, dict]:
    repo = tmp_path / "repo"
    infra = repo / "infra"
    infra.mkdir(parents=True)
    (infra / "main.tf").write_text(PROVIDER + before)

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    (infra / "main.tf").write_text(PROVIDER + after)
    out = []
    for command in ("diff", "check"):
        extra = ("--fail-on", "low") if command == "check" else ()
        proc = run_tfsg(command, str(infra), "--base", "HEAD", *extra, "--format", "json", cwd=repo)
        assert proc.returncode in (0, 1), proc.stderr.decode()
        doc = json.loads(proc.stdout)
        validate_report(doc)
        out.append(doc)
    return out[0], out[1]


OLD = '''
resource "aws_security_group" "old" {
  name        = "app"
  description = "app servers"
}
resource "aws_security_group_rule" "ssh" {
  count             = 1
  type              = "ingress"
  description       = "ssh from the office"
  security_group_id = aws_security_group.old.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["198.51.100.0/24"]
}
'''
NEW = '''
resource "aws_security_group" "app" {
  name        = "app"
  description = "app servers"
}
resource "aws_security_group_rule" "ssh" {
  for_each          = toset(["198.51.100.0/24"])
  type              = "ingress"
  description       = "ssh from the office"
  security_group_id = aws_security_group.app.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = [each.key]
}
moved {
  from = aws_security_group.old
  to   = aws_security_group.app
}
moved {
  from = aws_security_group_rule.ssh[0]
  to   = aws_security_group_rule.ssh["198.51.100.0/24"]
}
'''


def test_moved_blocks_rename_the_base_objects(tmp_path: Path):
    """[MOVED] the group and the rule instance are renamed, not replaced: no flow changes, no
    finding is introduced (TFSG009 does not fire: the rule has a description)."""
    diff, check = _diff_and_check(tmp_path, OLD, NEW)
    assert diff["summary"]["reachability_changed"] is False
    assert (diff["added"], diff["removed"], diff["newly_exposed"], diff["no_longer_exposed"]) == ([], [], [], [])
    assert [f["policy"] for f in check["findings"] if f["introduced"]] == []
    assert check["verdict"]["passed"] is True
    assert {g["address"]: g["change"] for g in diff["groups"]} == {"aws_security_group.app": "no-op"}


def test_without_moved_blocks_the_rename_is_a_change(tmp_path: Path):
    """The control: the same rename without moved blocks is a destroy and a create (the flows
    are the same, so reachability is unchanged, but the groups are replaced)."""
    diff, _ = _diff_and_check(tmp_path, OLD, NEW.split("moved {")[0])
    changes = {g["address"]: g["change"] for g in diff["groups"]}
    assert changes == {"aws_security_group.app": "create", "aws_security_group.old": "delete"}


SUBNET = '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}
resource "aws_subnet" "a" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = MAP
}
resource "aws_security_group" "ssh" {
  name   = "ssh"
  vpc_id = aws_vpc.main.id
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "host" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.ssh.id]
}
'''


def test_a_subnet_setting_does_not_change_a_running_instance(tmp_path: Path):
    """[LAUNCH] map_public_ip_on_launch turned on: the existing host keeps no public address;
    nothing becomes reachable (the plan of the same change updates the subnet only)."""
    diff, check = _diff_and_check(tmp_path, SUBNET.replace("MAP", "false"), SUBNET.replace("MAP", "true"))
    assert diff["newly_exposed"] == []
    assert not [f for f in check["findings"] if f["introduced"] and f["policy"] == "TFSG001"]


def test_an_instance_launched_again_takes_the_subnet_setting(tmp_path: Path):
    """[LAUNCH] the same change with a new AMI replaces the host (ami forces a new instance): the
    new one is launched with a public address, and SSH from the world reaches it."""
    after = SUBNET.replace("MAP", "true").replace("ami-12345678", "ami-87654321")
    diff, check = _diff_and_check(tmp_path, SUBNET.replace("MAP", "false"), after)
    assert {(e["address"], e["ports"]) for e in diff["newly_exposed"] if e["kind"] == "resource"} == \
        {("aws_instance.host", "22")}


def test_a_removed_block_that_keeps_the_object_keeps_its_rules(tmp_path: Path):
    """A `removed { lifecycle { destroy = false } }` forgets the rule, AWS keeps it: at --base the
    rule's flows stay (nothing removed), as the plan's "forget" action says (fixtures/
    gate_removed_forget is the plan of the same kind of change)."""
    before = OLD.replace("  count             = 1\n", "")
    after = OLD.split('resource "aws_security_group_rule"')[0] + '''
removed {
  from = aws_security_group_rule.ssh
  lifecycle {
    destroy = false
  }
}
'''
    diff, check = _diff_and_check(tmp_path, before, after)
    assert diff["removed"] == [] and diff["summary"]["reachability_changed"] is False
    assert [f["policy"] for f in check["findings"] if f["introduced"]] == []
    assert [(f["policy"], f["introduced"]) for f in check["findings"] if f["policy"] == "TFSG009"] == []


def test_override_files_are_merged(tmp_path: Path):
    """Terraform language docs, "Override Files": `ssh_override.tf` replaces the group's
    `ingress` blocks (nested blocks of a type the override writes replace the original's all)
    and its description argument: SSH from anywhere, not from the office."""
    from conftest import tfsg_json

    (tmp_path / "main.tf").write_text(PROVIDER + '''
resource "aws_security_group" "g" {
  name        = "g"
  description = "office ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["198.51.100.0/24"]
  }
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["198.51.100.0/24"]
  }
}
''')
    (tmp_path / "ssh_override.tf").write_text('''
resource "aws_security_group" "g" {
  description = "overridden"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
''')
    r = tfsg_json("show", str(tmp_path))
    assert {(f["from"], f["ports"]) for f in r["flows"]} == {("0.0.0.0/0", "22")}
    assert r["groups"][0]["description"] == "overridden"


IGNORED = '''
resource "aws_security_group" "g" {
  name        = "g"
  description = "ingress managed elsewhere"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["CIDR"]
  }
  lifecycle {
    ignore_changes = [ingress]
  }
}
resource "aws_security_group_rule" "pg" {
  type              = "ingress"
  description       = "postgres"
  security_group_id = aws_security_group.g.id
  protocol          = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_blocks       = ["CIDR"]
  lifecycle {
    ignore_changes = all
  }
}
'''


def test_ignore_changes_keeps_the_base_values(tmp_path: Path):
    """Terraform language docs, "lifecycle": ignore_changes makes Terraform plan no change to
    those arguments of an existing object (the plan of the same change says "No changes"): the
    rules widened in the configuration stay as they are in AWS."""
    diff, check = _diff_and_check(tmp_path, IGNORED.replace("CIDR", "10.0.0.0/8"),
                                  IGNORED.replace("CIDR", "0.0.0.0/0"))
    assert diff["summary"]["reachability_changed"] is False
    assert (diff["added"], diff["removed"], diff["newly_exposed"]) == ([], [], [])
    assert [f["policy"] for f in check["findings"] if f["introduced"]] == []


def test_an_imported_group_has_what_it_does_not_write(tmp_path: Path):
    """Terraform 1.5+ "Import": an import block brings an existing group under management; its
    ingress, not written, is what AWS has, which the files cannot tell: an unknown the
    internet policies see (never "no rules", which a created group would have)."""
    from conftest import tfsg_json

    (tmp_path / "main.tf").write_text(PROVIDER + '''
import {
  to = aws_security_group.legacy
  id = "sg-0123456789abcdef0"
}
resource "aws_security_group" "legacy" {
  name        = "legacy"
  description = "imported"
}
''')
    r = tfsg_json("show", str(tmp_path))
    assert {(u["address"], u["attribute"]) for u in r["unknown"]} == \
        {("aws_security_group.legacy", "ingress"), ("aws_security_group.legacy", "egress")}
    assert all("imported" in u["reason"] for u in r["unknown"])


TIERS = '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_security_group" "web" {
  name   = "web"
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
  ingress {
    description     = "MySQL from web"
    from_port       = 3306
    to_port         = 3306
    protocol        = "tcp"
    security_groups = [aws_security_group.web.id]
  }
ADDED}
resource "aws_instance" "web" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.public.id
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.web.id]
}
resource "aws_db_subnet_group" "db" {
  name       = "db"
  subnet_ids = [aws_subnet.public.id]
}
resource "aws_db_instance" "db" {
  engine                 = "mysql"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  username               = "admin"
  password               = "example-only"
  db_subnet_group_name   = aws_db_subnet_group.db.name
  vpc_security_group_ids = [aws_security_group.db.id]
  option_group_name      = "mysql-memcached"
}
'''
# (an option group of its own: the MEMCACHED option listens on 11211, RDS user guide "MySQL
# memcached support"; the engine's default option group would serve 3306 only)
SSH_BLOCK = '''  ingress {
    description     = "Memcached from web"
    from_port       = 11211
    to_port         = 11211
    protocol        = "tcp"
    security_groups = [aws_security_group.web.id]
  }
'''


def test_a_grown_finding_points_at_the_block_that_adds_the_service(tmp_path: Path):
    """internet -> aws_instance.web (public, 443) -> aws_db_instance.db on 3306 was there before
    (TFSG007, existing); the change adds an ingress block on the db group admitting the web group
    on tcp 11211 (its option group's memcached listener): the same finding reaches a new service,
    so it is introduced, and it points at the added block (what the reviewer is asked to accept),
    the unchanged 3306 block related."""
    after = PROVIDER + TIERS.replace("ADDED", SSH_BLOCK)
    lines = after.splitlines()
    added_line = lines.index('    description     = "Memcached from web"')  # 1-based line of the block above it
    kept_line = lines.index('    description     = "MySQL from web"')
    _, check = _diff_and_check(tmp_path, TIERS.replace("ADDED", ""), TIERS.replace("ADDED", SSH_BLOCK))
    tfsg007 = [f for f in check["findings"] if f["policy"] == "TFSG007"]
    assert [(f["address"], f["introduced"], f["evidence"]["grown"]) for f in tfsg007] == \
        [("aws_db_instance.db", True, "now also on tcp 11211")]
    assert tfsg007[0]["location"] == f"infra/main.tf:{added_line}"
    assert f"infra/main.tf:{kept_line}" in tfsg007[0]["related_locations"]


REPORTS_BLOCK = '''  ingress {
    description     = "MySQL from reports"
    from_port       = 3306
    to_port         = 3306
    protocol        = "tcp"
    security_groups = [aws_security_group.reports.id]
  }
'''
REPORTS = '''
resource "aws_security_group" "reports" {
  name   = "reports"
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
resource "aws_instance" "reports" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.public.id
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.reports.id]
}
'''


def test_a_second_way_in_to_a_data_store_is_introduced(tmp_path: Path):
    """README, TFSG007: internet -> aws_instance.web -> aws_db_instance.db on tcp 3306 is there
    before (existing); the change adds a public reports host whose group the db group admits on
    3306: the same finding now also goes through aws_instance.reports, a new way in: introduced
    and blocking (critical), located at the block the change adds."""
    after = TIERS.replace("ADDED", REPORTS_BLOCK) + REPORTS
    _, check = _diff_and_check(tmp_path, TIERS.replace("ADDED", ""), after)
    found = [f for f in check["findings"] if f["policy"] == "TFSG007"]
    assert [(f["address"], f["introduced"], f["blocking"], f["evidence"]["grown"]) for f in found] == \
        [("aws_db_instance.db", True, True, "now also through aws_instance.reports")]
    added = (PROVIDER + after).splitlines().index('    description     = "MySQL from reports"')
    assert found[0]["location"] == f"infra/main.tf:{added}"
