"""Which route table a subnet uses, and what its routes say (VPC user guide, "Route tables":
"Main route table", "Routes" (a prefix list as a destination), "Gateway route tables"). Each case
is a small configuration read in HCL mode (the same builder as plan mode), expectations derived
from the guide: a public instance (associate_public_ip_address) whose group admits tcp 22 from
0.0.0.0/0 is reachable from the internet exactly when its subnet routes IPv4 to an internet
gateway, or when tfsg cannot tell (assumed, fail closed)."""

from __future__ import annotations

import json

from conftest import run_tfsg

BASE = '''
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
resource "aws_security_group" "ssh" {
  name        = "ssh"
  description = "ssh"
  vpc_id      = aws_vpc.main.id
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.a.id
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.ssh.id]
}
'''


def _exposed(tmp_path, extra: str) -> list[dict]:
    (tmp_path / "main.tf").write_text(BASE + extra)
    proc = run_tfsg("show", str(tmp_path), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    return [e for e in json.loads(proc.stdout)["exposed"] if e["address"] == "aws_instance.web"]


def test_a_new_vpc_without_route_resources_is_assumed_routed(tmp_path):
    # its main table is no resource of the plan (another configuration may route it): the route is
    # assumed and said so, as for any table the plan does not hold (issue 10: only a known absence
    # removes an exposure)
    rows = _exposed(tmp_path, "")
    assert [r["ports"] for r in rows] == ["22"] and "assumed" in rows[0]["reason"]


def test_a_route_added_to_a_new_vpcs_main_table(tmp_path):
    rows = _exposed(tmp_path, '''
resource "aws_route" "main_igw" {
  route_table_id         = aws_vpc.main.main_route_table_id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.igw.id
}
''')
    assert [(r["ports"], r["family"]) for r in rows] == [("22", "ipv4")]


def test_an_association_with_a_table_outside_the_plan_is_assumed_routed(tmp_path):
    # the subnet uses rtb-0aaa..., not the (private) main table this plan sets
    rows = _exposed(tmp_path, '''
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}
resource "aws_main_route_table_association" "main" {
  vpc_id         = aws_vpc.main.id
  route_table_id = aws_route_table.private.id
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = "rtb-0aaaaaaaaaaaaaaaa"
}
''')
    assert [r["ports"] for r in rows] == ["22"] and "not in the plan" in rows[0]["reason"]


def test_a_prefix_list_destination_to_the_internet_gateway_routes(tmp_path):
    rows = _exposed(tmp_path, '''
resource "aws_ec2_managed_prefix_list" "world" {
  name           = "world"
  address_family = "IPv4"
  max_entries    = 2
  entry {
    cidr = "0.0.0.0/1"
  }
  entry {
    cidr = "128.0.0.0/1"
  }
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route" "world" {
  route_table_id             = aws_route_table.public.id
  destination_prefix_list_id = aws_ec2_managed_prefix_list.world.id
  gateway_id                 = aws_internet_gateway.igw.id
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}
''')
    assert [r["ports"] for r in rows] == ["22"]


def test_ingress_routing_through_an_appliance_is_assumed_routed(tmp_path):
    # the internet gateway's edge table sends the subnet's traffic to an inspection endpoint,
    # and the subnet's default route goes back through it: transparent to the instance
    rows = _exposed(tmp_path, '''
resource "aws_vpc_endpoint" "inspect" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
  vpc_endpoint_type = "GatewayLoadBalancer"
  subnet_ids        = [aws_subnet.a.id]
}
resource "aws_route_table" "app" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block      = "0.0.0.0/0"
    vpc_endpoint_id = aws_vpc_endpoint.inspect.id
  }
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.app.id
}
resource "aws_route_table" "edge" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block      = "10.0.1.0/24"
    vpc_endpoint_id = aws_vpc_endpoint.inspect.id
  }
}
resource "aws_route_table_association" "edge" {
  gateway_id     = aws_internet_gateway.igw.id
  route_table_id = aws_route_table.edge.id
}
''')
    assert [r["ports"] for r in rows] == ["22"]


def test_a_nat_route_stays_private(tmp_path):
    rows = _exposed(tmp_path, '''
resource "aws_eip" "nat" {
  domain = "vpc"
}
resource "aws_nat_gateway" "nat" {
  subnet_id     = aws_subnet.a.id
  allocation_id = aws_eip.nat.id
}
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.nat.id
  }
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.private.id
}
''')
    assert rows == []
