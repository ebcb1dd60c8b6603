"""Routes between VPCs, in shapes the real fixtures (engine_vpc_routes, gate_peering_added) do not
vary: a route wider than the peer it targets, a secondary CIDR block, a route whose target only
apply knows, groups with no members. HCL mode (the evaluator the equivalence tests hold to
Terraform's plans); expected flows derived by hand:

[ROUTE] VPC user guide, "Route tables": a packet to another VPC's private address leaves its VPC
        only by a route of the sender's subnet table that covers it and targets a peering
        connection, transit gateway, ...; the local route covers every CIDR block of the VPC,
        secondary ones included ("Add or remove a CIDR block from your VPC").
[PEER]  VPC peering guide, "VPC peering limitations": no transitive peering, no edge to edge
        routing: a peering connection carries traffic to its two VPCs only, whatever the
        route's destination.
[FAIL]  README, "How flows are computed": a route tfsg cannot read is a route (fail closed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_tfsg

HEAD = '''terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

resource "aws_vpc" "a" { cidr_block = "10.1.0.0/16" }
resource "aws_vpc" "b" { cidr_block = "10.2.0.0/16" }
resource "aws_vpc" "c" { cidr_block = "10.3.0.0/16" }
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.a.id
  cidr_block = "10.1.1.0/24"
}
resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.b.id
  cidr_block = "10.2.1.0/24"
}
resource "aws_subnet" "c" {
  vpc_id     = aws_vpc.c.id
  cidr_block = "10.3.1.0/24"
}
resource "aws_route_table" "b" { vpc_id = aws_vpc.b.id }
resource "aws_route_table" "c" { vpc_id = aws_vpc.c.id }
resource "aws_route_table_association" "b" {
  subnet_id      = aws_subnet.b.id
  route_table_id = aws_route_table.b.id
}
resource "aws_route_table_association" "c" {
  subnet_id      = aws_subnet.c.id
  route_table_id = aws_route_table.c.id
}
resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = aws_vpc.a.id
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "app" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.app.id]
}
'''

# a data store in VPC v admitting the corporate range
DB = '''
resource "aws_security_group" "db_{v}" {{
  name   = "db_{v}"
  vpc_id = aws_vpc.{v}.id
  ingress {{
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = ["10.0.0.0/8"]
  }}
}}
resource "aws_instance" "db_{v}" {{
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.{v}.id
  vpc_security_group_ids = [aws_security_group.db_{v}.id]
}}
'''

A_TABLE = '''
resource "aws_route_table" "a" {{
  vpc_id = aws_vpc.a.id
{routes}
}}
resource "aws_route_table_association" "a" {{
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.a.id
}}
'''


def _show(tmp_path: Path, tf: str) -> dict:
    (tmp_path / "main.tf").write_text(tf)
    proc = run_tfsg("show", str(tmp_path), "--expand", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def _into_dbs(r: dict) -> set[tuple[str, str]]:
    return {(f["from"], f["to"]) for f in r["resource_flows"] if f["to"].startswith("aws_instance.db_")}


PEERING = '''
resource "aws_vpc_peering_connection" "ab" {
  vpc_id      = aws_vpc.a.id
  peer_vpc_id = aws_vpc.b.id
  auto_accept = true
}
'''


def test_a_peering_route_wider_than_the_peer_reaches_the_peer_only(tmp_path):
    """A routes all of 10.0.0.0/8 to its peering with B [ROUTE]; C (10.3.0.0/16) is not B: the
    peering carries nothing to it [PEER]. app -> db_b on 5432, not app -> db_c."""
    r = _show(tmp_path, HEAD + DB.format(v="b") + DB.format(v="c") + PEERING + A_TABLE.format(routes='''
  route {
    cidr_block                = "10.0.0.0/8"
    vpc_peering_connection_id = aws_vpc_peering_connection.ab.id
  }'''))
    assert _into_dbs(r) == {("aws_instance.app", "aws_instance.db_b")}


def test_a_transit_gateway_route_carries_to_every_vpc_it_covers(tmp_path):
    """The same route to a transit gateway: tfsg does not read which VPCs are attached to it, so
    it carries to every VPC the destination covers [ROUTE][FAIL]: db_b and db_c."""
    r = _show(tmp_path, HEAD + DB.format(v="b") + DB.format(v="c") + '''
resource "aws_ec2_transit_gateway" "hub" {}
''' + A_TABLE.format(routes='''
  route {
    cidr_block         = "10.0.0.0/8"
    transit_gateway_id = aws_ec2_transit_gateway.hub.id
  }'''))
    assert _into_dbs(r) == {("aws_instance.app", "aws_instance.db_b"), ("aws_instance.app", "aws_instance.db_c")}


def test_a_route_to_an_unknown_target_is_a_route(tmp_path):
    """A target given by a variable with no value (known only at apply, or to the caller): read
    as carrying [FAIL]: app -> db_b."""
    r = _show(tmp_path, HEAD + DB.format(v="b") + '''
variable "next_hop" {
  type = string
}
''' + A_TABLE.format(routes='''
  route {
    cidr_block           = "10.2.0.0/16"
    network_interface_id = var.next_hop
  }'''))
    assert _into_dbs(r) == {("aws_instance.app", "aws_instance.db_b")}


def test_a_secondary_cidr_block_is_local(tmp_path):
    """A's secondary block 10.2.0.0/16 (an aws_vpc_ipv4_cidr_block_association) is A's own: the
    local route covers it [ROUTE], so a route of A's table to 10.2.0.0/16 through a transit
    gateway never takes app's packets to B's 10.2.1.0/24 (B overlaps A, and nothing joins VPCs
    that overlap: test_engine_overlapping_vpcs). No flow into db_b."""
    r = _show(tmp_path, HEAD + DB.format(v="b") + '''
resource "aws_vpc_ipv4_cidr_block_association" "a_more" {
  vpc_id     = aws_vpc.a.id
  cidr_block = "10.2.0.0/16"
}
resource "aws_ec2_transit_gateway" "hub" {}
''' + A_TABLE.format(routes='''
  route {
    cidr_block         = "10.2.0.0/16"
    transit_gateway_id = aws_ec2_transit_gateway.hub.id
  }'''))
    assert _into_dbs(r) == set()


MEMBERLESS = '''
resource "aws_security_group" "idle" {
  name   = "idle"
  vpc_id = aws_vpc.a.id
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}
# B's data store admits A's group by reference (VPC peering guide, "Update your security groups to
# reference peer security groups")
resource "aws_security_group" "db_b" {
  name   = "db_b"
  vpc_id = aws_vpc.b.id
  ingress {
    protocol        = "tcp"
    from_port       = 5432
    to_port         = 5432
    security_groups = [aws_security_group.idle.id]
  }
}
'''


def _group_pairs_into(r: dict, group: str) -> set[str]:
    return {f["from"] for f in r["flows"] if f["to"] == group and f["from"].startswith("aws_security_group.")}


def test_groups_without_members_use_every_table_of_their_vpc(tmp_path):
    """A group with no members may be used anywhere in its VPC: its flows follow every table of
    the VPC. B's group admits idle (A, no members) by reference. With the peering made but A's
    only table holding the local route, idle pairs with nothing in B [ROUTE] (the peering guide:
    the owners "must manually add a route"); once that table routes 10.2.0.0/16 to the peering,
    idle -> db_b on 5432."""
    closed = _show(tmp_path, HEAD + MEMBERLESS + PEERING + A_TABLE.format(routes=""))
    assert _group_pairs_into(closed, "aws_security_group.db_b") == set()
    (tmp_path / "open").mkdir()
    opened = _show(tmp_path / "open", HEAD + MEMBERLESS + PEERING + A_TABLE.format(routes='''
  route {
    cidr_block                = "10.2.0.0/16"
    vpc_peering_connection_id = aws_vpc_peering_connection.ab.id
  }'''))
    assert _group_pairs_into(opened, "aws_security_group.db_b") == {"aws_security_group.idle"}


@pytest.mark.parametrize("how", ["propagating_vgws", "route_propagation"])
def test_routes_a_virtual_private_gateway_propagates_are_not_known(tmp_path, how):
    """VPC user guide, "Route propagation": a virtual private gateway adds the routes it learns
    (BGP) to the tables it propagates into, at run time. A's table holds only its local route in
    the configuration, yet may route B's block to the gateway (B reached back through the same
    network): unknown, so a route [FAIL]. app -> db_b."""
    vgw = '''
resource "aws_vpn_gateway" "corp" {
  vpc_id = aws_vpc.a.id
}
'''
    if how == "propagating_vgws":
        table = A_TABLE.format(routes="  propagating_vgws = [aws_vpn_gateway.corp.id]")
    else:
        table = A_TABLE.format(routes="") + '''
resource "aws_vpn_gateway_route_propagation" "corp" {
  vpn_gateway_id = aws_vpn_gateway.corp.id
  route_table_id = aws_route_table.a.id
}
'''
    r = _show(tmp_path, HEAD + DB.format(v="b") + vgw + table)
    assert _into_dbs(r) == {("aws_instance.app", "aws_instance.db_b")}


TGW_ROUTE = '''
resource "aws_ec2_transit_gateway" "hub" {}
resource "aws_route" "a_to_b" {
  route_table_id         = {table}
  destination_cidr_block = "10.2.0.0/16"
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id
}
'''


def test_a_route_on_a_table_named_through_a_data_source_is_a_route(tmp_path):
    """The route's table is looked up (data.aws_route_table by subnet): at apply it is A's own
    table; tfsg does not follow the lookup, so the route may be on any table [FAIL]."""
    r = _show(tmp_path, HEAD + DB.format(v="b") + A_TABLE.format(routes="") + '''
data "aws_route_table" "a" {
  subnet_id  = aws_subnet.a.id
  depends_on = [aws_route_table_association.a]
}
''' + TGW_ROUTE.replace("{table}", "data.aws_route_table.a.id"))
    assert _into_dbs(r) == {("aws_instance.app", "aws_instance.db_b")}


def test_an_association_through_another_resources_subnet_is_followed(tmp_path):
    """``subnet_id = aws_instance.app.subnet_id``: the instance's subnet, a, takes table a,
    whose route carries 10.2.0.0/16 to the transit gateway [ROUTE]."""
    r = _show(tmp_path, HEAD + DB.format(v="b") + '''
resource "aws_route_table" "a" {
  vpc_id = aws_vpc.a.id
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_instance.app.subnet_id
  route_table_id = aws_route_table.a.id
}
''' + TGW_ROUTE.replace("{table}", "aws_route_table.a.id"))
    assert _into_dbs(r) == {("aws_instance.app", "aws_instance.db_b")}


def test_a_one_way_datagram_needs_no_way_back(tmp_path):
    """B also holds 10.1.0.0/16 (a secondary block, A's range): db_b's replies to app would stay
    in B, yet app's datagrams reach db_b through the transit gateway, and db_b admits udp 514
    from app's subnet [ROUTE]. The flow is there, on udp 514."""
    r = _show(tmp_path, HEAD + A_TABLE.format(routes="") + TGW_ROUTE.replace("{table}", "aws_route_table.a.id") + '''
resource "aws_vpc_ipv4_cidr_block_association" "b_more" {
  vpc_id     = aws_vpc.b.id
  cidr_block = "10.1.0.0/16"
}
resource "aws_security_group" "db_b" {
  name   = "db_b"
  vpc_id = aws_vpc.b.id
  ingress {
    protocol    = "udp"
    from_port   = 514
    to_port     = 514
    cidr_blocks = ["10.1.1.0/24"]
  }
}
resource "aws_instance" "db_b" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.b.id
  vpc_security_group_ids = [aws_security_group.db_b.id]
}
''')
    assert {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"]
            if f["to"] == "aws_instance.db_b"} == {("aws_instance.app", "aws_instance.db_b", "udp", "514")}


def test_a_peer_block_only_apply_knows_may_be_what_the_route_names(tmp_path):
    """B's secondary block comes from an IPAM pool (known at apply); db_b sits in 100.64.1.0/24,
    and A routes 100.64.0.0/16 to the peering. A peering reaches its VPCs' blocks, all of them
    (VPC peering guide, "Multiple IPv4 VPC CIDRs"): one tfsg does not know may be the route's
    [FAIL]. app -> db_b on 5432."""
    r = _show(tmp_path, HEAD.replace('''resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.b.id
  cidr_block = "10.2.1.0/24"
}''', '''resource "aws_vpc_ipam" "main" {
  operating_regions {
    region_name = "us-east-1"
  }
}
resource "aws_vpc_ipam_pool" "shared" {
  address_family = "ipv4"
  ipam_scope_id  = aws_vpc_ipam.main.private_default_scope_id
  locale         = "us-east-1"
}
resource "aws_vpc_ipv4_cidr_block_association" "b_more" {
  vpc_id              = aws_vpc.b.id
  ipv4_ipam_pool_id   = aws_vpc_ipam_pool.shared.id
  ipv4_netmask_length = 16
}
resource "aws_subnet" "b" {
  vpc_id     = aws_vpc_ipv4_cidr_block_association.b_more.vpc_id
  cidr_block = "100.64.1.0/24"
}''').replace('cidr_blocks = ["10.0.0.0/8"]', 'cidr_blocks = ["10.1.0.0/16"]') + DB.format(v="b").replace(
        '["10.0.0.0/8"]', '["10.1.0.0/16"]') + PEERING + A_TABLE.format(routes='''
  route {
    cidr_block                = "100.64.0.0/16"
    vpc_peering_connection_id = aws_vpc_peering_connection.ab.id
  }'''))
    assert _into_dbs(r) == {("aws_instance.app", "aws_instance.db_b")}


def test_through_a_nat_gateway_whose_own_routes_are_unknown(tmp_path):
    """A's table sends 10.2.0.0/16 to a NAT gateway whose subnet's table is not in the plan (an
    rtb- id): where the gateway sends on is unknown, so it may reach B [FAIL], and what it sends
    arrives from its own address (VPC user guide, "NAT gateway basics"): db_b admits only the
    NAT gateway's subnet, 10.1.9.0/24, and still app -> db_b."""
    r = _show(tmp_path, HEAD + DB.format(v="b").replace('["10.0.0.0/8"]', '["10.1.9.0/24"]') + '''
resource "aws_subnet" "a_nat" {
  vpc_id     = aws_vpc.a.id
  cidr_block = "10.1.9.0/24"
}
resource "aws_route_table_association" "a_nat" {
  subnet_id      = aws_subnet.a_nat.id
  route_table_id = "rtb-0123456789abcdef0"
}
resource "aws_nat_gateway" "private" {
  connectivity_type = "private"
  subnet_id         = aws_subnet.a_nat.id
}
''' + A_TABLE.format(routes='''
  route {
    cidr_block     = "10.2.0.0/16"
    nat_gateway_id = aws_nat_gateway.private.id
  }'''))
    assert _into_dbs(r) == {("aws_instance.app", "aws_instance.db_b")}


def test_a_transit_gateway_carries_to_the_vpcs_attached_to_it(tmp_path):
    """The same 10.0.0.0/8 route, to a transit gateway the plan attaches A and B to (Transit
    Gateway guide, "How transit gateways work": it routes between its attachments): db_b is
    reached, db_c (C is not attached) is not. With a VPN also attached, where it carries is not
    known: both [FAIL]."""
    attach = '''
resource "aws_ec2_transit_gateway" "hub" {}
resource "aws_ec2_transit_gateway_vpc_attachment" "a" {
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  vpc_id             = aws_vpc.a.id
  subnet_ids         = [aws_subnet.a.id]
}
resource "aws_ec2_transit_gateway_vpc_attachment" "b" {
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  vpc_id             = aws_vpc.b.id
  subnet_ids         = [aws_subnet.b.id]
}
''' + A_TABLE.format(routes='''
  route {
    cidr_block         = "10.0.0.0/8"
    transit_gateway_id = aws_ec2_transit_gateway.hub.id
  }''')
    r = _show(tmp_path, HEAD + DB.format(v="b") + DB.format(v="c") + attach)
    assert _into_dbs(r) == {("aws_instance.app", "aws_instance.db_b")}
    (tmp_path / "vpn").mkdir()
    vpn = '''
resource "aws_customer_gateway" "office" {
  bgp_asn    = 65000
  ip_address = "198.51.100.7"
  type       = "ipsec.1"
}
resource "aws_vpn_connection" "office" {
  customer_gateway_id = aws_customer_gateway.office.id
  transit_gateway_id  = aws_ec2_transit_gateway.hub.id
  type                = "ipsec.1"
}
'''
    r = _show(tmp_path / "vpn", HEAD + DB.format(v="b") + DB.format(v="c") + attach + vpn)
    assert _into_dbs(r) == {("aws_instance.app", "aws_instance.db_b"), ("aws_instance.app", "aws_instance.db_c")}
