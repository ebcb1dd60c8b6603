"""Route tables, round fourteen (fixtures/engine_route_tables_r14, create plan, offline; main.tf
says what each part is). Expected values derived by hand from main.tf, before running tfsg:

[RT]    VPC user guide, "Route tables": a subnet uses the table explicitly associated with it,
        else its VPC's main table; the most specific matching route wins; "Internet gateways": a
        host answers the internet only through routes to the gateway for every address.
[ORIG]  Provider docs, aws_vpc: default_route_table_id is "The ID of the route table created by
        default on VPC creation", main_route_table_id the main table's when the VPC is made;
        aws_main_route_table_association makes another table main and keeps the first as
        original_route_table_id. So (a_orig, b_orig) use the original table, which routes
        0.0.0.0/0 to the IGW, and (a_main, b_main) use the new main table, which does not.
[PL]    EC2 API CreateManagedPrefixList AddressFamily ("IPv4 | IPv6": one family per list); VPC
        user guide, "Routes": a prefix list as a destination matches its entries. c_inline4: the
        IPv4 halves (all IPv4); c_partner: one /24 (not the internet), ::/0 to an egress-only
        gateway ("Egress-only internet gateways": nothing from the internet); c_v6list: the IPv6
        halves (all IPv6; IPv4 goes to NAT); c_unknown: a list the plan does not hold may hold
        any address: counted for both families (fail closed), and the host has IPv6 only.
[ATT]   Provider docs, aws_internet_gateway_attachment internet_gateway_id ("The ID of the
        internet gateway"); aws_vpn_gateway_attachment vpn_gateway_id (a virtual private
        gateway: VPN, no internet).
[TIER]  Baseline TFSG007: a Tier=data group reached through an internet-facing resource.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json

CASE = "engine_route_tables_r14"
PUBLIC = {  # site -> the families its web host answers the internet on (port 443)
    "a_orig": ("ipv4", "0.0.0.0/0"),  # [ORIG] default_route_table_id: the original table
    "b_orig": ("ipv4", "0.0.0.0/0"),  # [ORIG] aws_route on main_route_table_id: the original table
    "c_inline4": ("ipv4", "0.0.0.0/0"),  # [PL] inline route, list id known only after apply
    "c_v6list": ("ipv6", "::/0"),  # [PL] an IPv6 list holding every IPv6 address
    "c_unknown": ("ipv6", "::/0"),  # [PL] a list the plan lacks: fail closed
    "e_att": ("ipv4", "0.0.0.0/0"),  # [ATT] the IGW through its attachment
}  # not public: a_main, b_main (the new main table), c_partner (a /24; ::/0 egress-only), e_vgw [RT]


@pytest.fixture(scope="module", params=["plan", "hcl"])
def mode(request) -> str:
    return plan(CASE) if request.param == "plan" else str(FIXTURES / CASE)


def test_exposure_per_site_and_family(mode):
    r = tfsg_json("show", mode)
    got = {(e["address"], e["family"], tuple(e["sources"]), e["ports"]) for e in r["exposed"]
           if e["kind"] == "resource"}
    assert got == {(f'aws_instance.web["{site}"]', family, (source,), "443")
                   for site, (family, source) in PUBLIC.items()}


def test_paths_to_the_data_tier(mode):
    proc = run_tfsg("check", mode, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    check = json.loads(proc.stdout)
    got = {(f["address"], f["severity"], f["message"].rsplit(": ", 1)[-1]) for f in check["findings"]
           if f["policy"] == "TFSG007" and f["status"] == "violation"}
    assert got == {(f'aws_instance.db["{s}"]', "critical",
                    f'internet -> aws_instance.web["{s}"] -> aws_instance.db["{s}"] on tcp 5432') for s in PUBLIC}


ROUTED = {  # site -> (IPv4 routed to an IGW, IPv6 routed to an IGW, the table its subnet uses)
    "a_orig": (True, False, "aws_default_route_table.a_orig"),  # [ORIG] explicit, the original table
    "a_main": (False, False, "aws_route_table.a_private"),  # [RT] no association: the new main table
    "b_orig": (True, False, "aws_vpc.b#main"),  # [ORIG] the table made with the VPC, aws_route.b_orig[0]
    "b_main": (False, False, "aws_route_table.b_private"),  # [RT]
    "c_inline4": (True, False, "aws_route_table.c_inline4"),  # [PL] IPv4 list: IPv4 only
    "c_partner": (False, False, "aws_route_table.c_partner"),  # [PL] a /24; ::/0 egress-only
    "c_v6list": (False, True, "aws_route_table.c_v6list"),  # [PL] IPv6 list: IPv6 only
    "c_unknown": (True, True, "aws_route_table.c_unknown"),  # [PL] unknown list: both (fail closed)
    "e_att": (True, False, "aws_route_table.e_att"),  # [ATT]
    "e_vgw": (False, False, "aws_route_table.e_vgw"),  # [ATT] a virtual private gateway
}


@pytest.mark.parametrize("source", ["plan", "hcl"])
def test_which_table_and_family_each_subnet_routes(source):
    from tfsg.sources.hcl.load import load_directory
    from tfsg.sources.plan import load_plan

    loaded = load_plan(plan(CASE)) if source == "plan" else load_directory(str(FIXTURES / CASE))
    got = {}
    for site in ROUTED:
        routing = loaded.after.unrouted[f'aws_instance.web["{site}"]'][2]
        table = routing.reason.split("(", 1)[1].split(")", 1)[0]
        got[site] = (routing.ipv4, routing.ipv6, table)
    assert got == ROUTED
    partner = loaded.after.unrouted['aws_instance.web["c_partner"]'][2]
    assert partner.why("IPv4") == ("its route table (aws_route_table.c_partner) routes only 203.0.113.0/24 to an "
                                   "internet gateway: the rest of the internet gets no reply")


HCL_UNKNOWN_TARGET = '''
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_cloudformation_stack" "net" {
  name          = "net"
  template_body = "{}"
}
resource "aws_route_table" "t" {
  vpc_id = aws_vpc.v.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_cloudformation_stack.net.outputs["GatewayId"]
  }
}
resource "aws_route_table_association" "s" {
  subnet_id      = aws_subnet.s.id
  route_table_id = aws_route_table.t.id
}
resource "aws_security_group" "web" {
  name        = "web"
  description = "web"
  vpc_id      = aws_vpc.v.id
  ingress {
    description = "https"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.s.id
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.web.id]
}
'''


def test_a_target_tfsg_cannot_tell_is_unknown_not_private(tmp_path):
    # a stack output may be an internet gateway's id: the route is assumed to reach one, never
    # "a known target that is not an internet gateway" [ATT][RT]
    (tmp_path / "main.tf").write_text(HCL_UNKNOWN_TARGET)
    proc = run_tfsg("show", str(tmp_path), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    rows = [e for e in json.loads(proc.stdout)["exposed"] if e["address"] == "aws_instance.web"]
    assert [(r["family"], r["ports"]) for r in rows] == [("ipv4", "443")]
    assert "assumed" in rows[0]["reason"]


HCL_ENTRY_AFTER_APPLY = '''
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.v.id
}
resource "aws_eip" "x" {
  domain = "vpc"
}
resource "aws_ec2_managed_prefix_list" "l" {
  name           = "l"
  address_family = "IPv4"
  max_entries    = 2
  entry {
    cidr = "${aws_eip.x.public_ip}/1"
  }
}
resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_route_table" "t" {
  vpc_id = aws_vpc.v.id
}
resource "aws_route" "r" {
  route_table_id             = aws_route_table.t.id
  destination_prefix_list_id = aws_ec2_managed_prefix_list.l.id
  gateway_id                 = aws_internet_gateway.igw.id
}
resource "aws_route_table_association" "s" {
  subnet_id      = aws_subnet.s.id
  route_table_id = aws_route_table.t.id
}
resource "aws_security_group" "web" {
  name        = "web"
  description = "web"
  vpc_id      = aws_vpc.v.id
  ingress {
    description = "https"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.s.id
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.web.id]
}
'''


def test_a_list_entry_known_only_after_apply_may_be_any_block_of_its_family(tmp_path):
    # the IPv4 list's one entry is "<an Elastic IP>/1", known only after apply: the route to the
    # gateway may cover every IPv4 address (fail closed), and no IPv6 one [PL]
    (tmp_path / "main.tf").write_text(HCL_ENTRY_AFTER_APPLY)
    proc = run_tfsg("show", str(tmp_path), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    rows = [e for e in json.loads(proc.stdout)["exposed"] if e["address"] == "aws_instance.web"]
    assert [(r["family"], r["sources"], r["ports"]) for r in rows] == [("ipv4", ["0.0.0.0/0"], "443")]
