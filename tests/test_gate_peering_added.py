"""A change that only adds a peering connection and its routes opens a path to the database
(fixtures/gate_peering_added, an update plan made against moto: before/ applied, main.tf planned).

Before: VPC A 10.1.0.0/16 (public subnet with map_public_ip_on_launch, its table 0.0.0.0/0 ->
internet gateway; web: tcp 443 from 0.0.0.0/0, all egress) and VPC B 10.2.0.0/16 (private subnet,
its own table with the local route only; db: tcp 5432 from 10.1.0.0/16, group tagged Tier = data).
After: the same groups and instances (no-op), plus aws_vpc_peering_connection.ab (auto_accept),
aws_route.a_to_b (10.2.0.0/16 on A's table) and aws_route.b_to_a (10.1.0.0/16 on B's table).

Expected values are read from the two configurations by hand, with AWS's rules:

[RT]    VPC user guide, "Route tables": a packet to another VPC's private address leaves the VPC
        only by a route of the subnet's table that covers it and whose target carries private
        traffic; before the change web's table has 0.0.0.0/0 -> internet gateway only, and an
        internet gateway does not carry private addresses ("Internet gateways"): web's packets
        to 10.2.x.x never reach B. No flow, no path, no finding about db.
[PEER]  VPC peering guide, "Update your route tables for a VPC peering connection": with the
        peering active and A's table routing 10.2.0.0/16 to it, web's packets reach db from
        10.1.1.x, which db's rule admits on tcp 5432. Nothing else changes: no rule, no group
        member, no public address.
[PUB]   EC2 user guide, "Public IPv4 addresses": web has a public IPv4 address (its subnet maps
        one on launch) and a route to the internet gateway: the internet reaches it on tcp 443.
[CIDR]  README, "The JSON contract": a group pair only CIDR rules connect is a ``cidr_added``
        row (the admitted block, the set of groups that gained the flow).
[TIER]  policies/baseline.yml: the data tier is the groups tagged Tier = data (db's) and the
        resources in them. TFSG007 (critical, tier-exposure): the data tier is reached from the
        internet only through a tier that is not internet-facing; web is internet-facing, so
        internet -> web -> db violates it, and the change creates that (introduced). TFSG020
        (high, newly-reachable): "a resource of the tier that existed before the change becomes
        reachable from the internet, by any number of hops": db existed before (no-op) and
        was reachable from nowhere; it is introduced too. Findings are about the resource for
        the tiering policies (README, "The gate"). Every other baseline policy judges rules,
        groups and members, which the change leaves as they were: at most existing findings.
"""

from __future__ import annotations

import json

from conftest import FIXTURES, flows, paths, plan, run_tfsg, tfsg_json, validate_report

CASE = "gate_peering_added"
WEB, DB = "aws_instance.web", "aws_instance.db"
G_WEB, G_DB = "aws_security_group.web", "aws_security_group.db"


def _diff() -> dict:
    return tfsg_json("diff", plan(CASE), compact=True)


def _check() -> tuple[int, dict]:
    proc = run_tfsg("check", plan(CASE), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def test_no_rule_changes():
    """The change touches no group: no explicit or address flow added or removed, no exposure."""
    r = _diff()
    assert r["added"] == [] and r["removed"] == []
    assert r["newly_exposed"] == [] and r["no_longer_exposed"] == []


def test_the_cidr_group_flow_web_to_db_is_added():
    """[PEER][CIDR] db admits 10.1.0.0/16, which holds web's subnet; web's egress allows it; the
    route now carries it."""
    r = _diff()
    rows = [(f["from"], f["to"], f["protocol"], f["ports"], tuple(r["group_sets"][f["groups"]]))
            for f in r["cidr_added"]]
    assert [(fr, to, p, ports, tuple(g for g in gs if g != to)) for fr, to, p, ports, gs in rows] == \
        [("10.1.0.0/16", G_DB, "tcp", "5432", (G_WEB,))]
    assert r["cidr_removed"] == []


def test_the_resource_flow_web_to_db_is_added():
    r = _diff()
    assert flows(r["resource_flows_added"]) == {(WEB, DB, "tcp", "5432")}
    assert r["resource_flows_removed"] == []


def test_the_internet_path_to_db_is_added():
    """[PUB][PEER] internet -[tcp 443]-> web -[tcp 5432]-> db; none before [RT]."""
    r = _diff()
    assert paths(r["paths_added"]) == {("internet", WEB, DB)}
    path = r["paths_added"][0]
    assert [(h["from"], h["to"], h["services"]) for h in path["hops"]] == [
        ("internet", WEB, [{"protocol": "tcp", "ports": "443"}]),
        (WEB, DB, [{"protocol": "tcp", "ports": "5432"}])]
    assert r["paths_removed"] == []


def test_check_fails_with_tfsg007_introduced_on_the_database():
    """[TIER] the blocking finding: TFSG007, critical, introduced, on aws_instance.db."""
    code, r = _check()
    assert code == 1
    tfsg007 = [(f["address"], f["severity"], f["introduced"], f["blocking"])
               for f in r["findings"] if f["policy"] == "TFSG007"]
    assert tfsg007 == [(DB, "critical", True, True)]


def test_the_introduced_findings_are_the_two_tiering_ones():
    """[TIER] TFSG007 and TFSG020, both on aws_instance.db; nothing resolved."""
    _, r = _check()
    assert {(f["policy"], f["address"], f["severity"]) for f in r["findings"] if f["introduced"]} == {
        ("TFSG007", DB, "critical"), ("TFSG020", DB, "high")}
    assert r["resolved"] == []


def _line_of(text: str) -> int:
    lines = (FIXTURES / CASE / "main.tf").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(text))


def test_the_findings_point_at_the_route_the_change_adds():
    """The rules are the base's; what opens the hop web -> db is the route from web's subnet to
    B (aws_route.a_to_b): TFSG020 (an existing store newly reachable) points at it, as at the
    new hop of its path; TFSG007 names it among its related locations (README, "The gate")."""
    _, r = _check()
    start = 'resource "aws_route" "a_to_b"'
    route = f"fixtures/{CASE}/main.tf:{_line_of(start)}"
    found = {f["policy"]: f for f in r["findings"] if f["address"] == "aws_instance.db"}
    assert found["TFSG020"]["location"] == route and found["TFSG020"]["location_exact"] is True
    assert found["TFSG020"]["evidence"]["routes"] == ["aws_route.a_to_b"]
    assert found["TFSG007"]["evidence"]["routes"] == ["aws_route.a_to_b"]
    assert route in found["TFSG007"]["related_locations"]
