"""Routes between VPCs decide what a private CIDR rule admits (fixtures/engine_vpc_routes).

Five VPCs, no two overlapping: A 10.1/16, B 10.2/16, C 10.3/16, D 10.4/16, E 10.5/16. db_b (in B)
admits tcp 5432 from 10.0.0.0/8; every other instance allows all egress. Expected values are read
from main.tf by hand, with AWS's rules:

[RT]    VPC user guide, "Route tables" / "Route priority": a subnet uses the table explicitly
        associated with it, else its VPC's main table; a packet goes by the most specific route
        whose destination covers it. A packet to another VPC's private address leaves the
        sender's VPC only by a route whose target carries private traffic onwards.
[PEER]  VPC peering guide, "Update your route tables for a VPC peering connection": the owners
        must add a route to the peer VPC's CIDR with the peering connection as target.
        A's private table (aws_route.a_to_b) and public table (inline) route 10.2.0.0/16 to it.
[TGW]   Transit Gateway guide ("Transit gateway attachments to a VPC", "Example: centralized
        router"): a VPC sends to other attached VPCs by routes with the transit gateway as
        target. C's table routes 10.0.0.0/8 there (inline). B is attached, so the transit gateway
        can deliver. B routes nothing back to C or E: what is judged is the sender's forward
        route (a packet that arrives; a one-way UDP datagram needs no return route).
[IGW]   VPC user guide, "Internet gateways": an internet gateway carries traffic to and from
        public addresses only (it translates a private address to the instance's public IP);
        a packet to 10.2.x.x sent to it does not reach B. So web_d (0.0.0.0/0 -> IGW only) and
        D's main table (no route block, no aws_route: the local route only) reach nothing in B.
[NAT]   VPC user guide, "NAT gateways" ("Use cases": "Access your network using allow-listed IP
        addresses", "Enable communication between overlapping networks"): a NAT gateway sends
        onwards by the route table of the subnet it is in; it can reach other VPCs through a
        transit gateway. app_e -> nat_e1, whose subnet routes only 0.0.0.0/0 -> IGW: no way to B.
        app_e2 -> nat_e2, whose subnet routes 10.2.0.0/16 -> the transit gateway: db_b gets the
        packet from nat_e2's private address (10.5.3.x, inside 10.0.0.0/8): admitted.
[PUB]   EC2 user guide, "Public IPv4 addresses": web_a and web_d have a public IPv4 address
        (associate_public_ip_address) and an IGW route; each admits tcp 443 from 0.0.0.0/0.
[CIDR]  README, "How flows are computed" / "The JSON contract": a group pair that only CIDR rules
        connect is a ``cidr_flows`` row (the admitted block, a set of sender groups); idle_d has
        no member, so what it may reach is what D's tables route (nothing private beyond D).
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES, exposures, flows, paths, plan, tfsg_json

CASE = "engine_vpc_routes"
INPUTS = {"plan": lambda: plan(CASE), "sources": lambda: str(FIXTURES / CASE)}

INST, G = "aws_instance.", "aws_security_group."
DB = INST + "db_b"
G_DB = G + "db_b"
T5432 = ("tcp", "5432")

# [PEER][TGW][NAT] who reaches db_b on tcp 5432
REACH = {INST + "app_a", INST + "web_a", INST + "app_c", INST + "app_e2"}
# [RT][IGW][NAT] who does not
NO_REACH = {INST + "app_d", INST + "web_d", INST + "app_e"}
G_REACH = {G + "app_a", G + "web_a", G + "app_c", G + "app_e2"}
G_NO_REACH = {G + "app_d", G + "web_d", G + "app_e", G + "idle_d"}


def _show(source: str, compact: bool = True) -> dict:
    return tfsg_json("show", INPUTS[source](), compact=compact)


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_resource_flows_into_the_database(source):
    r = _show(source)
    into_db = {f for f in flows(r["resource_flows"]) if f[1] == DB}
    assert into_db == {(src, DB, *T5432) for src in REACH}
    assert not NO_REACH & {f[0] for f in into_db}


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_paths_from_the_internet_to_the_database(source):
    """[PUB][PEER] internet -443-> web_a -5432-> db_b; web_d has no route to B [IGW]; db_b has no
    public address, and db_b admits tcp 5432 only: one path."""
    r = _show(source)
    assert {p for p in paths(r["paths"]) if p[-1] == DB} == {("internet", INST + "web_a", DB)}
    path = next(p for p in r["paths"] if p["nodes"] == ["internet", INST + "web_a", DB])
    assert [(h["from"], h["to"], h["services"]) for h in path["hops"]] == [
        ("internet", INST + "web_a", [{"protocol": "tcp", "ports": "443"}]),
        (INST + "web_a", DB, [{"protocol": "tcp", "ports": "5432"}])]
    assert not any(INST + "web_d" in p for p in paths(r["paths"]) if p[-1] == DB)


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_exposed_resources(source):
    """[PUB] the two web servers, tcp 443; everything else is private."""
    r = _show(source)
    assert {e for e in exposures(r["exposed"]) if e[1] == "resource"} == {
        (INST + "web_a", "resource", "tcp", "443"), (INST + "web_d", "resource", "tcp", "443")}


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_cidr_group_flows_into_the_database_group(source):
    """[CIDR] the rows into db_b's group: the block 10.0.0.0/8 on tcp 5432, sent by the groups
    whose members (or, for idle_d, whose VPC) route to B."""
    r = _show(source)
    rows = [f for f in r["cidr_flows"] if f["to"] == G_DB]
    assert {(f["from"], f["protocol"], f["ports"]) for f in rows} == {("10.0.0.0/8", *T5432)}
    senders = set().union(*(r["group_sets"][f["groups"]] for f in rows)) - {G_DB}
    assert senders == G_REACH
    assert not senders & G_NO_REACH


def test_expanded_group_pairs_into_the_database_group():
    """The same, every pair listed (``--expand``): group -> db_b's group on tcp 5432."""
    r = _show("plan", compact=False)
    into = {f for f in flows(r["flows"]) if f[1] == G_DB and f[0].startswith(G)}
    assert into == {(g, G_DB, *T5432) for g in G_REACH}


def test_sources_alone_give_the_plans_resource_flows():
    """HCL mode reads the same routes from main.tf: the same resource flows, all of them."""
    assert flows(_show("sources")["resource_flows"]) == flows(_show("plan")["resource_flows"])


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_the_transit_gateway_reaches_its_attached_vpcs_only(source):
    """[TGW] C sends all of 10.0.0.0/8 to the transit gateway, which B, C and E are attached to
    (Transit Gateway guide, "How transit gateways work": it routes between its attachments). D
    is not: app_c reaches nothing in D (web_d admits tcp 443 from the world, which would
    otherwise hold app_c's private address)."""
    r = _show(source)
    assert not [f for f in flows(r["resource_flows"]) if f[0] == INST + "app_c" and f[1].endswith("_d")]
