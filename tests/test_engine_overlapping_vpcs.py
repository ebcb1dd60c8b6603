"""Two VPCs with the same CIDR in one state exchange no traffic (fixtures/engine_overlapping_vpcs).

dev and prod are both 10.0.0.0/16, each with a public web (tcp 443 from 0.0.0.0/0, all egress)
in 10.0.1.0/24 and a private db (tcp 5432 from 10.0.0.0/16, the "whole VPC" idiom; group tagged
Tier = data) in 10.0.2.0/24. shared (10.1.0.0/16) holds a private tools instance admitting tcp 22
from 10.0.0.0/8. No peering, transit gateway or route joins any two VPCs.

Expected values are read from main.tf by hand, with AWS's rules:

[LOCAL] VPC user guide, "Route tables" (route table concepts): every route table holds the
        local route for the VPC's CIDR, for communication within the VPC; a route more specific
        than it may only target a NAT gateway, an interface or a Gateway Load Balancer endpoint
        of the same VPC. A packet from prod to any 10.0.0.0/16 address stays in prod.
[PEER]  VPC peering guide, "Create a VPC peering connection", prerequisites: VPCs with
        overlapping IPv4 CIDR blocks cannot be peered (the connection goes to failed at once);
        a transit gateway does not route between VPCs with identical CIDRs either. So the
        10.0.0.0/16 of db_dev's rule admits dev's addresses and can never admit prod's: no flow,
        resource flow or path runs between dev and prod by a private CIDR rule.
[PUB]   VPC user guide, "Subnets" / EC2 user guide, "Public IPv4 addresses": a subnet with
        map_public_ip_on_launch gives the instances launched in it a public IPv4 address, and
        with a route 0.0.0.0/0 to an internet gateway they are reachable from the internet; the
        private subnets (and tools) have none, and no NAT: they reach nothing outside their VPC.
[REF]   VPC user guide, "Security group rules": a CIDR rule admits the addresses in the block;
        egress and ingress must both allow a connection (README, "How flows are computed").
[TIER]  policies/baseline.yml TFSG007: the data tier (groups tagged Tier = data) is reached
        from the internet only through a tier that is not internet-facing itself.
[XVPC]  VPC user guide, "Route tables"; VPC peering guide, "Update your route tables for a VPC
        peering connection": a packet leaves its VPC for another VPC's private address only by a
        route of its subnet's table (peering, transit gateway, VPN). Every table here holds only
        its local route (and the public ones 0.0.0.0/0 to an internet gateway, which carries no
        private address), so dev and prod reach nothing in shared either: nobody reaches tools.

One connection between dev and prod does exist, through the internet: web_dev and web_prod
both have a public address and a route to their internet gateways [PUB], and each admits tcp
443 from 0.0.0.0/0, so each can open 443 to the other's public address, as any internet host
can. Whether tfsg lists that pair as a resource flow is left open (at most that pair, on 443).
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, exposures, flows, paths, plan, run_tfsg, tfsg_json, validate_report

CASE = "engine_overlapping_vpcs"
INPUTS = {"plan": lambda: plan(CASE), "sources": lambda: str(FIXTURES / CASE)}

INST, SG = "aws_instance.", "aws_security_group."
WEB_DEV, DB_DEV, WEB_PROD, DB_PROD, TOOLS = (INST + n for n in ("web_dev", "db_dev", "web_prod", "db_prod", "tools"))
G_WEB_DEV, G_DB_DEV, G_WEB_PROD, G_DB_PROD, G_TOOLS = (SG + n for n in ("web_dev", "db_dev", "web_prod", "db_prod",
                                                                         "tools"))
DEV, PROD = {WEB_DEV, DB_DEV, G_WEB_DEV, G_DB_DEV}, {WEB_PROD, DB_PROD, G_WEB_PROD, G_DB_PROD}
T443, T5432, T22 = ("tcp", "443"), ("tcp", "5432"), ("tcp", "22")
# [PUB] the only connection between the two VPCs: web to web's public address, through the internet
VIA_INTERNET = {(WEB_DEV, WEB_PROD, *T443), (WEB_PROD, WEB_DEV, *T443)}


def _show(source: str, compact: bool = False) -> dict:
    return tfsg_json("show", INPUTS[source](), compact=compact)


def _check(source: str) -> tuple[int, dict]:
    proc = run_tfsg("check", INPUTS[source](), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _crosses(a: str, b: str) -> bool:
    return (a in DEV and b in PROD) or (a in PROD and b in DEV)


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_address_flows(source):
    """Each group's CIDR rules as address flows, exactly as written (no IPv6 rule anywhere)."""
    r = _show(source)
    groups = {g["address"] for g in r["groups"]}
    assert groups == {G_WEB_DEV, G_DB_DEV, G_WEB_PROD, G_DB_PROD, G_TOOLS}
    address_flows = {f for f in flows(r["flows"]) if not (f[0] in groups and f[1] in groups)}
    assert address_flows == {
        ("0.0.0.0/0", G_WEB_DEV, *T443), (G_WEB_DEV, "0.0.0.0/0", "all", "all"),
        ("10.0.0.0/16", G_DB_DEV, *T5432), (G_DB_DEV, "0.0.0.0/0", "all", "all"),
        ("0.0.0.0/0", G_WEB_PROD, *T443), (G_WEB_PROD, "0.0.0.0/0", "all", "all"),
        ("10.0.0.0/16", G_DB_PROD, *T5432), (G_DB_PROD, "0.0.0.0/0", "all", "all"),
        ("10.0.0.0/8", G_TOOLS, *T22), (G_TOOLS, "0.0.0.0/0", "all", "all")}


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_group_pairs_stay_inside_each_vpc(source):
    """--expand, every group pair: [REF] db_<env> admits 10.0.0.0/16, which holds web_<env>'s
    subnet 10.0.1.0/24, and web's egress is open: web_<env> -> db_<env> on 5432. [LOCAL][PEER]
    web_prod -> db_dev and web_dev -> db_prod (and db to db across) do not exist: the block
    means the rule owner's own VPC. (A group's pair with itself, db_dev's members to each other,
    is left aside.) tools (10.1.1.0/24) is outside 10.0.0.0/16: it pairs with no db; no route
    leads from dev or prod to shared, so no pair into tools either [XVPC]."""
    r = _show(source)
    groups = {g["address"] for g in r["groups"]}
    pairs = {f for f in flows(r["flows"]) if f[0] in groups and f[1] in groups and f[0] != f[1]}
    assert {p for p in pairs if G_TOOLS not in p[:2]} == {(G_WEB_DEV, G_DB_DEV, *T5432),
                                                         (G_WEB_PROD, G_DB_PROD, *T5432)}
    assert not [p for p in pairs if G_TOOLS in p[:2]]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_cidr_rows_name_only_the_own_vpc(source):
    """The compact form: the row 10.0.0.0/16 -> db_<env> on 5432 names web_<env> only (besides
    db_<env> itself, which the row never counts) [LOCAL][PEER]."""
    r = _show(source, compact=True)
    rows = {(row["from"], row["to"], row["protocol"], row["ports"]): set(r["group_sets"][row["groups"]]) - {row["to"]}
            for row in r["cidr_flows"]}
    assert {k: v for k, v in rows.items() if k[1] != G_TOOLS} == {
        ("10.0.0.0/16", G_DB_DEV, *T5432): {G_WEB_DEV},
        ("10.0.0.0/16", G_DB_PROD, *T5432): {G_WEB_PROD}}


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_resource_flows(source):
    """Inside each VPC [REF]: web -> db on 5432 (10.0.0.0/16 holds web's address, egress open)
    and db -> web on 443 (0.0.0.0/0 holds db's private address, in the same VPC). Across dev and
    prod nothing but, possibly, web to web through the internet [PUB]: no db reaches the other
    VPC (private, no NAT), no web reaches the other db [LOCAL][PEER]. tools reaches no db
    (10.1.1.0/24 is outside 10.0.0.0/16) and nothing reaches it: no route leads to shared [XVPC]."""
    r = _show(source)
    rf = flows(r["resource_flows"])
    assert {f for f in rf if TOOLS not in f[:2] and not _crosses(f[0], f[1])} == {
        (WEB_DEV, DB_DEV, *T5432), (DB_DEV, WEB_DEV, *T443),
        (WEB_PROD, DB_PROD, *T5432), (DB_PROD, WEB_PROD, *T443)}
    assert {f for f in rf if _crosses(f[0], f[1])} <= VIA_INTERNET
    assert not [f for f in rf if TOOLS in f[:2]]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_exposures(source):
    """[PUB] each web: public IPv4 in a subnet routed to its IGW, tcp 443 from 0.0.0.0/0; the dbs
    and tools have no public address and their groups admit private blocks only (10.0.0.0/16,
    10.0.0.0/8 are no public addresses): nothing else is reachable from the internet directly."""
    r = _show(source)
    assert exposures(r["exposed"]) == {
        (WEB_DEV, "resource", *T443), (G_WEB_DEV, "group", *T443),
        (WEB_PROD, "resource", *T443), (G_WEB_PROD, "group", *T443)}
    assert {e["family"] for e in r["exposed"] if e["kind"] == "resource"} == {"ipv4"}
    assert r["unknown"] == []


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_paths(source):
    """Exactly one path to each db, through its own VPC's web [PUB][REF]: internet -443-> web_<env>
    -5432-> db_<env>. No path crosses from one VPC to the other [LOCAL][PEER] (a web reached
    through the other web would be a longer way on the same service, never listed). No path runs
    through tools or ends there: no route leads to shared [XVPC]."""
    r = _show(source)
    ps = paths(r["paths"])
    assert set(ps) == {("internet", WEB_DEV, DB_DEV), ("internet", WEB_PROD, DB_PROD)}
    for p in ps:
        assert not any(_crosses(a, b) for a, b in zip(p[1:], p[2:])), p
    for web, db, g_web, g_db in ((WEB_DEV, DB_DEV, G_WEB_DEV, G_DB_DEV), (WEB_PROD, DB_PROD, G_WEB_PROD, G_DB_PROD)):
        path = next(p for p in r["paths"] if p["nodes"] == ["internet", web, db])
        assert path["groups"] == [[], [g_web], [g_db]]
        assert [(h["from"], h["to"], h["services"]) for h in path["hops"]] == [
            ("internet", web, [{"protocol": "tcp", "ports": "443"}]),
            (web, db, [{"protocol": "tcp", "ports": "5432"}])]


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_tiering(source):
    """[TIER] one TFSG007 per db (critical, introduced: a create plan, and HCL mode without
    --base is a scan), each through its own VPC's web only; never through the other VPC's web
    [LOCAL][PEER]. Nothing sensitive is open to the internet (443 only): no TFSG001/002/003, and
    nothing existed before: no TFSG020."""
    code, r = _check(source)
    assert code == 1
    tier = sorted((f for f in r["findings"] if f["policy"] == "TFSG007"), key=lambda f: f["address"])
    assert [(f["address"], f["severity"], f["status"], f["introduced"], f["blocking"]) for f in tier] == [
        (DB_DEV, "critical", "violation", True, True), (DB_PROD, "critical", "violation", True, True)]
    for f, web, other in ((tier[0], WEB_DEV, WEB_PROD), (tier[1], WEB_PROD, WEB_DEV)):
        assert f["evidence"]["path"] == ["internet", web, f["address"]]
        assert f["evidence"]["through"] == [web]
        assert f["evidence"]["services"] == [{"protocol": "tcp", "ports": "5432"}]
        assert other not in json.dumps(f)
    assert not [f for f in r["findings"] if f["policy"] in ("TFSG001", "TFSG002", "TFSG003", "TFSG020")]
