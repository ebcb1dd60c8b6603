"""Launch templates on existing interfaces, default-subnet placement for both families, option
groups the plan holds, data stores that end paths, and rule drift by meaning
(fixtures/engine_stores_r15, create plan, offline; main.tf says what each part is). Expected
values derived by hand from main.tf, before running tfsg:

[ENI]   EC2 API RequestLaunchTemplateData / RunInstances NetworkInterfaces.NetworkInterfaceId: an
        instance launched from a template naming an existing interface is attached to it, with
        its groups and subnet; AssociatePublicIpAddress "can only be assigned to a new network
        interface, not an existing one": the public address is the interface's Elastic IP.
        -> ASG nat in group nat (not a default group), reachable on tcp 22 over IPv4 through
        aws_network_interface.nat; aws_instance.svc[0] in group svc, not exposed; ASG outside
        (template names eni-0123456789abcdef0, not in the plan): its groups unknown, one unknown.
[DEF]   EC2 user guide, "Launch an instance" (no subnet: a default subnet of the zone); VPC user
        guide, "Default subnets" (public IPv4 on launch); the plan's aws_default_subnet for
        us-east-1a says assign_ipv6_address_on_creation = false -> aws_instance.web reachable on
        tcp 443 over IPv4 only, and no unknown about its IPv6 address.
[OPT]   RDS user guide, "Working with option groups" and "Options for ...": listeners come from
        options (MEMCACHED 11211); an empty option group adds none; MSDTC is not an option tfsg
        knows -> pg serves tcp 5432 only, my tcp 3306 + 11211, ms not narrowed.
        db_ops admits tcp 22, 3389, 11211 from 0.0.0.0/0; db admits tcp 5432 from 0.0.0.0/0 ->
        pg reached on tcp 5432; my on tcp 11211; ms on tcp 22, 3389, 11211.
[STORE] A managed database relays nothing (it ends a path): pg -> priv tcp 5432 stays a resource
        flow, but no path internet -> pg -> priv; internet -> app -> priv (tcp 22, tcp 5432) stays,
        and TFSG007 on priv names app, not pg.
[DRIFT] EC2 API IpPermission: for protocol -1 (or any protocol but tcp/udp/icmp/icmpv6) "traffic
        on all ports is allowed, regardless of any ports you specify"; the provider suppresses
        -1 -> 0 port diffs on such rules (terraform-provider-aws#6423): not drift.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg

from tfsg.sources.drift import drift_note

CASE = "engine_stores_r15"


@pytest.fixture(scope="module", params=["plan", "hcl"])
def show(request) -> dict:
    proc = run_tfsg("show", plan(CASE) if request.param == "plan" else str(FIXTURES / CASE), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


@pytest.fixture(scope="module", params=["plan", "hcl"])
def check(request) -> dict:
    proc = run_tfsg("check", plan(CASE) if request.param == "plan" else str(FIXTURES / CASE), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_members_of_groups(show):
    got = {g["address"]: g["attached"] for g in show["groups"]}
    assert got == {  # [ENI] the launchers sit in their interface's group; no default group
        "aws_security_group.app": ["aws_instance.app"],
        "aws_security_group.db": ["aws_db_instance.pg", "aws_db_instance.priv"],
        "aws_security_group.db_ops": ["aws_db_instance.ms", "aws_db_instance.my", "aws_db_instance.pg"],
        "aws_security_group.nat": ["aws_autoscaling_group.nat", "aws_network_interface.nat"],
        "aws_security_group.svc": ["aws_instance.svc[0]", "aws_network_interface.svc"],
        "aws_security_group.web": ["aws_instance.web"],
    }


def test_resource_exposure_per_family(show):
    got = {(e["address"], e["family"], e["protocol"], e["ports"], tuple(e["sources"]))
           for e in show["exposed"] if e["kind"] == "resource"}
    assert got == {
        ("aws_autoscaling_group.nat", "ipv4", "tcp", "22", ("0.0.0.0/0",)),  # [ENI] through the interface
        ("aws_network_interface.nat", "ipv4", "tcp", "22", ("0.0.0.0/0",)),  # its Elastic IP
        ("aws_instance.web", "ipv4", "tcp", "443", ("0.0.0.0/0",)),  # [DEF] IPv4 only
        ("aws_db_instance.pg", "ipv4", "tcp", "5432", ("0.0.0.0/0",)),  # [OPT] not 22/3389/11211
        ("aws_db_instance.my", "ipv4", "tcp", "11211", ("0.0.0.0/0",)),  # [OPT] memcached option
        ("aws_db_instance.ms", "ipv4", "tcp", "22", ("0.0.0.0/0",)),  # [OPT] MSDTC: not narrowed
        ("aws_db_instance.ms", "ipv4", "tcp", "3389", ("0.0.0.0/0",)),
        ("aws_db_instance.ms", "ipv4", "tcp", "11211", ("0.0.0.0/0",)),
        ("aws_instance.app", "ipv4", "tcp", "22", ("0.0.0.0/0",)),
    }
    nat = next(e for e in show["exposed"] if e["address"] == "aws_autoscaling_group.nat")
    assert "through its network interface aws_network_interface.nat" in nat["reason"]


def test_unknowns(show):
    assert [(u["address"], u["attribute"]) for u in show["unknown"]] == [
        ("aws_launch_template.outside", "network_interfaces.network_interface_id")]  # [ENI]; [DEF] none for web
    assert "eni-0123456789abcdef0" in show["unknown"][0]["reason"]
    assert not any("default group" in u["reason"] for u in show["unknown"])


def test_stores_end_paths(show):
    assert [tuple(p["nodes"]) for p in show["paths"]] == [
        ("internet", "aws_instance.app", "aws_db_instance.priv")]  # [STORE] not via pg
    hops = [(h["from"], h["to"], [(s["protocol"], s["ports"]) for s in h["services"]])
            for h in show["paths"][0]["hops"]]
    assert hops == [("internet", "aws_instance.app", [("tcp", "22")]),
                    ("aws_instance.app", "aws_db_instance.priv", [("tcp", "5432")])]
    flows = {(f["from"], f["to"], f["protocol"], f["ports"]) for f in show["resource_flows"]}
    assert ("aws_db_instance.pg", "aws_db_instance.priv", "tcp", "5432") in flows  # the flow stays
    assert ("aws_instance.app", "aws_db_instance.priv", "tcp", "5432") in flows


def test_findings(check):
    got = {(f["policy"], f["address"], tuple(sorted(f["evidence"].get("exposed_resources") or ())))
           for f in check["findings"] if f["status"] == "violation" and f["policy"] in ("TFSG001", "TFSG002")}
    assert got == {
        ("TFSG001", "aws_security_group.app", ("aws_instance.app",)),
        ("TFSG001", "aws_security_group.db_ops", ("aws_db_instance.ms",)),  # [OPT] pg, my serve no 22/3389
        ("TFSG001", "aws_security_group.nat", ("aws_autoscaling_group.nat", "aws_network_interface.nat")),
        ("TFSG002", "aws_security_group.db", ("aws_db_instance.pg",)),
        ("TFSG002", "aws_security_group.db_ops", ("aws_db_instance.ms", "aws_db_instance.my")),
    }
    tier = {(f["address"], f["message"].split(" is reachable from the internet ", 1)[1])
            for f in check["findings"] if f["status"] == "violation" and f["policy"] == "TFSG007"}
    assert tier == {
        ("aws_db_instance.ms", "directly on tcp 22, tcp 3389, tcp 11211"),
        ("aws_db_instance.my", "directly on tcp 11211"),
        ("aws_db_instance.pg", "directly on tcp 5432"),
        ("aws_db_instance.priv", "through aws_instance.app, which is itself internet-facing: "
                                 "internet -> aws_instance.app -> aws_db_instance.priv on tcp 5432"),  # [STORE]
    }


def _drift(kind: str, before: dict, after: dict) -> dict:
    return {"resource_drift": [{"address": f"{kind}.r", "mode": "managed", "type": kind,
                                "change": {"actions": ["update"], "before": before, "after": after}}]}


_RULE = {"type": "egress", "security_group_id": "sg-1", "protocol": "-1", "from_port": -1, "to_port": -1,
         "cidr_blocks": ["0.0.0.0/0"], "description": "all-all"}


@pytest.mark.parametrize("kind,before,after", [
    ("aws_security_group_rule", _RULE, dict(_RULE, from_port=0, to_port=0)),  # [DRIFT] pA F4
    ("aws_security_group_rule", dict(_RULE, protocol="50", from_port=1, to_port=2), dict(_RULE, protocol="50")),
    ("aws_security_group_rule", dict(_RULE, protocol="tcp", from_port=22, to_port=22),
     dict(_RULE, protocol="6", from_port="22", to_port="22")),  # tcp is 6, "22" is 22
    ("aws_vpc_security_group_egress_rule",
     {"security_group_id": "sg-1", "ip_protocol": "-1", "from_port": None, "to_port": None, "cidr_ipv4": "0.0.0.0/0"},
     {"security_group_id": "sg-1", "ip_protocol": "-1", "from_port": -1, "to_port": -1, "cidr_ipv4": "0.0.0.0/0"}),
    ("aws_security_group",
     {"id": "sg-1", "ingress": [], "egress": [{"protocol": "-1", "from_port": -1, "to_port": -1,
                                              "cidr_blocks": ["0.0.0.0/0"]}]},
     {"id": "sg-1", "ingress": [], "egress": [{"protocol": "-1", "from_port": 0, "to_port": 0,
                                              "cidr_blocks": ["0.0.0.0/0"]}]}),  # inline rules too
])
def test_drift_by_meaning_quiet(kind, before, after):
    assert drift_note(_drift(kind, before, after)) is None


@pytest.mark.parametrize("kind,before,after", [
    ("aws_security_group_rule", dict(_RULE, protocol="tcp", from_port=22, to_port=22),
     dict(_RULE, protocol="tcp", from_port=0, to_port=0)),  # ports of tcp do matter
    ("aws_security_group_rule", _RULE, dict(_RULE, cidr_blocks=["10.0.0.0/8"])),  # a peer changed
    ("aws_vpc_security_group_egress_rule",
     {"security_group_id": "sg-1", "ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0"},
     {"security_group_id": "sg-1", "ip_protocol": "-1", "from_port": -1, "to_port": -1, "cidr_ipv4": "0.0.0.0/0"}),
])
def test_drift_that_changes_meaning(kind, before, after):
    note = drift_note(_drift(kind, before, after))
    assert note is not None and f"{kind}.r (changed)" in note


def test_a_row_names_the_groups_that_admit_what_the_store_serves(show):
    """[OPT] pg is in db (5432 from 0.0.0.0/0) and db_ops (22, 3389, 11211 from 0.0.0.0/0) and
    serves 5432 only: its one row is via db alone, in JSON and in the text report (probe s15/pA
    F2: the text named the first row's group for every port)."""
    rows = [(e["ports"], e["via"]) for e in show["exposed"] if e["address"] == "aws_db_instance.pg"]
    assert rows == [("5432", ["aws_security_group.db"])]
    text = run_tfsg("show", plan(CASE)).stdout.decode()
    assert "  aws_db_instance.pg: tcp 5432 via aws_security_group.db from 0.0.0.0/0 (" in text
    ms = [line for line in text.splitlines() if line.startswith("  aws_db_instance.ms:")]
    assert ms == ["  aws_db_instance.ms: tcp 22, tcp 3389, tcp 11211 via aws_security_group.db_ops from 0.0.0.0/0 "
                  "(IPv4: publicly_accessible = true)"]
