"""Update plans (moto) where what the plan read back from AWS decides the answer: an Elastic IP
added to the interface an existing instance was launched on (every link is a known id), and a
rule resource's rule and an aws_route's target changed outside Terraform (drift). Expected values
are read from each fixture's before/main.tf, main.tf and drift.py by hand, with AWS's rules:

[EIP]    EC2 API AssociateAddress: an Elastic IP is associated "with an instance or a network
         interface"; EC2 user guide, "Elastic IP addresses": it is the public IPv4 address of
         what it is associated with. Provider docs, aws_instance: ``network_interface`` with
         ``device_index = 0`` launches the instance on that interface as eth0 (its groups and
         addresses are the interface's), and ``primary_network_interface_id`` is that id.
[ENI]    README, "How flows are computed": a resource is reachable in a family in which it has a
         public address, "an Elastic IP; never a network interface made on its own, which AWS
         gives no automatic public IPv4": an interface with an Elastic IP is a resource with a
         public address. README, "What it reads": "An instance is also reached at the addresses
         of the network interfaces attached to it" (so both the interface and its instance are
         reached, as fixtures/engine_host_links lists both as nodes).
[IGW]    VPC user guide, "Subnets for your VPC": a public subnet "has a direct route to an
         internet gateway"; a subnet whose 0.0.0.0/0 goes to a network interface (an appliance)
         does not, and the internet cannot reach its instances.
[DRIFT]  Terraform's JSON output format, "Plan Representation": ``resource_drift`` lists each
         object whose refreshed value differs from the last state written; ``prior_state`` is
         the refreshed one. README, "What it reads": objects changed outside Terraform since the
         last run are named in ``input.drift_note``.
[REVERT] Terraform, "Manage resource drift": the plan brings the object back to the
         configuration. aws_vpc_security_group_ingress_rule's ``cidr_ipv4`` and aws_route's
         target are updated in place (ModifySecurityGroupRules, ReplaceRoute); the plans show
         action "update" for both.
[GATE]   README, "The gate": a finding present before and after the change is existing (blocks
         only with ``--fail-on-existing``); one that reaches a resource it did not reach before
         is introduced again (``evidence.grown``); a narrowed exposure stays existing. TFSG001
         (SSH from the internet) is critical, at or above the default ``--fail-on high``; tcp
         443 from the internet is in no baseline policy. Exit codes: 0 pass, 1 a blocking
         finding.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, flows, plan, run_tfsg, tfsg_json, validate_report

NOTE = "Drift: changed outside Terraform since the last run (resource_drift): "
# the policies about who can connect (the rest of the baseline is hygiene)
REACH = {"TFSG001", "TFSG002", "TFSG003", "TFSG004", "TFSG005", "TFSG006", "TFSG007", "TFSG020"}


def _check(case: str, *args: str) -> tuple[int, dict]:
    proc = run_tfsg("check", plan(case), "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _rows(rows: list[dict], kind: str) -> set[tuple]:
    return {(e["address"], e["protocol"], e["ports"], tuple(e["sources"]), e.get("family"))
            for e in rows if e["kind"] == kind}


def _reach(r: dict) -> set[tuple[str, str, bool, str]]:
    return {(f["policy"], f["address"], f["introduced"], f["status"])
            for f in r["findings"] if f["policy"] in REACH}


def _changes(case: str) -> dict[str, dict]:
    doc = json.loads((FIXTURES / case / "plan.json").read_text())
    return {c["address"]: c["change"] for c in doc["resource_changes"]}


# ----------------------------------------------------------------------------------------------
# 1. gate_eip_on_eni: an Elastic IP on the interface an existing instance was launched on

SSH, ETH0, HOST = "aws_security_group.ssh", "aws_network_interface.eth0", "aws_instance.host"
OPENED = {(HOST, "tcp", "22", ("0.0.0.0/0",), "ipv4"), (ETH0, "tcp", "22", ("0.0.0.0/0",), "ipv4")}


def test_eip_on_eni_plan_links_by_known_ids():
    """The fixture is what it claims: an update plan whose links are the interface's eni- id."""
    rc = _changes("gate_eip_on_eni")
    eni = rc[ETH0]["before"]["id"]
    assert eni.startswith("eni-")
    assert rc[HOST]["actions"] == ["no-op"] and rc[ETH0]["actions"] == ["no-op"]
    assert rc[HOST]["before"]["primary_network_interface_id"] == eni  # [EIP]
    assert rc[HOST]["before"]["public_ip"] == ""  # the subnet maps no public IPv4
    assert rc["aws_eip.host"]["actions"] == ["create"]
    assert rc["aws_eip.host"]["after"]["network_interface"] == eni


@pytest.mark.parametrize("bare", [False, True], ids=["with-sources", "no-sources"])
def test_eip_on_eni_diff(bare: bool):
    r = tfsg_json("diff", plan("gate_eip_on_eni"), *(["--no-sources"] if bare else []))
    assert r["added"] == [] and r["removed"] == []  # no rule changes
    # [EIP][ENI] the instance is reached at its eth0's new Elastic IP; the subnet routes 0.0.0.0/0
    # to the internet gateway [IGW]; ssh admits tcp 22 from 0.0.0.0/0
    assert (HOST, "tcp", "22", ("0.0.0.0/0",), "ipv4") in _rows(r["newly_exposed"], "resource")
    assert _rows(r["newly_exposed"], "resource") <= OPENED
    # the group admitted the internet before and after: no group row
    assert _rows(r["newly_exposed"], "group") == set()
    assert r["no_longer_exposed"] == []
    host = next(e for e in r["newly_exposed"] if e["address"] == HOST)
    assert host["via"] == [SSH]
    assert "aws_eip.host" in host["reason"]  # the public address is the Elastic IP's
    # every link is a known id: nothing about these resources is unknown
    assert not [u for u in r["unknown"] if u["address"] in (HOST, ETH0, "aws_eip.host")]
    assert r["summary"]["reachability_changed"] is True


@pytest.mark.parametrize("bare", [False, True], ids=["with-sources", "no-sources"])
def test_eip_on_eni_diff_lists_the_interface(bare: bool):
    r = tfsg_json("diff", plan("gate_eip_on_eni"), *(["--no-sources"] if bare else []))
    # [ENI] the interface has the Elastic IP: it is reached itself, and the instance through it
    assert _rows(r["newly_exposed"], "resource") == OPENED
    host = next(e for e in r["newly_exposed"] if e["address"] == HOST)
    assert ETH0 in host["reason"]  # README, contract changelog: "the reason naming the interface"


@pytest.mark.parametrize("source", ["plan", "sources"])
def test_eip_on_eni_network_after(source: str):
    target = plan("gate_eip_on_eni") if source == "plan" else str(FIXTURES / "gate_eip_on_eni")
    r = tfsg_json("show", target)
    assert {g["address"]: set(g["attached"]) for g in r["groups"]} == {SSH: {HOST, ETH0}}
    assert {x[:4] for x in _rows(r["exposed"], "group")} == {(SSH, "tcp", "22", ("0.0.0.0/0",))}
    assert _rows(r["exposed"], "resource") == OPENED
    host = next(e for e in r["exposed"] if e["address"] == HOST)
    assert ETH0 in host["reason"] and "aws_eip.host" in host["reason"]


def test_eip_on_eni_check():
    # [GATE] ssh was open to SSH reaching nothing (existing); it now reaches the instance
    code, r = _check("gate_eip_on_eni")
    assert code == 1
    assert _reach(r) == {("TFSG001", SSH, True, "violation")}
    f = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert f["blocking"] is True and f["severity"] == "critical"
    assert HOST in f["evidence"]["exposed_resources"]
    assert set(f["evidence"]["exposed_resources"]) <= {HOST, ETH0}
    assert f["evidence"]["grown"].startswith("now reachable: ") and HOST in f["evidence"]["grown"]
    assert not [x for x in r["resolved"] if x["policy"] in REACH]


# ----------------------------------------------------------------------------------------------
# 2. gate_drift_rule_modified: a rule resource's tcp 443 widened to 0.0.0.0/0 in the console

G, WEB, HTTPS = "aws_security_group.g", "aws_instance.web", "aws_vpc_security_group_ingress_rule.https"


def test_rule_modified_plan_reverts_the_rule():
    rc = _changes("gate_drift_rule_modified")
    assert rc[HTTPS]["actions"] == ["update"]  # [REVERT] in place, the same rule id
    assert (rc[HTTPS]["before"]["cidr_ipv4"], rc[HTTPS]["after"]["cidr_ipv4"]) == ("0.0.0.0/0", "10.0.0.0/8")
    assert rc[HTTPS]["before"]["id"] == rc[HTTPS]["after"]["id"]
    assert rc[WEB]["before"]["public_ip"] != ""  # public IPv4 from its subnet


def test_rule_modified_is_named_in_the_drift_note():
    r = tfsg_json("diff", plan("gate_drift_rule_modified"))
    note = r["input"].get("drift_note") or ""
    assert note.startswith(NOTE), note  # [DRIFT]
    assert f"{HTTPS} (changed)" in note
    assert WEB not in note  # the instance was not touched


@pytest.mark.parametrize("bare", [False, True], ids=["with-sources", "no-sources"])
def test_rule_modified_diff(bare: bool):
    r = tfsg_json("diff", plan("gate_drift_rule_modified"), *(["--no-sources"] if bare else []))
    # before = AWS as refreshed (0.0.0.0/0); after the apply the same rule is 10.0.0.0/8 again
    # [REVERT]: g's stale read-back copy of the rule is not a rule of its own. README, the JSON
    # contract: "a narrowed one [is] a removed flow"; 10.0.0.0/8 was admitted before (inside
    # 0.0.0.0/0), so nothing is added
    assert flows(r["removed"]) == {("0.0.0.0/0", G, "tcp", "443")}
    assert r["added"] == []
    changes = {(c["group"], c["direction"]): (c["before"]["addresses"], c["after"]["addresses"])
               for c in r["exposure_changes"]}
    assert changes == {(G, "ingress"): (2**32, 2**24)}
    assert r["cidr_added"] == [] and r["cidr_removed"] == []  # one group, no egress: no pair
    assert r["newly_exposed"] == []
    assert _rows(r["no_longer_exposed"], "resource") == {(WEB, "tcp", "443", ("0.0.0.0/0",), "ipv4")}
    assert {x[:4] for x in _rows(r["no_longer_exposed"], "group")} == {(G, "tcp", "443", ("0.0.0.0/0",))}


def test_rule_modified_show_after():
    r = tfsg_json("show", plan("gate_drift_rule_modified"))
    assert flows(r["flows"]) == {("10.0.0.0/8", G, "tcp", "443")}
    assert r["exposed"] == []


def test_rule_modified_check():
    code, r = _check("gate_drift_rule_modified")
    assert code == 0  # [GATE] tcp 443 is in no reachability policy; nothing introduced
    assert _reach(r) == set()
    assert r["verdict"]["passed"] is True


# ----------------------------------------------------------------------------------------------
# 3. gate_drift_route_target: an aws_route pointed at the internet gateway in the console

SSH3, APP, ROUTE = "aws_security_group.ssh", "aws_instance.app", "aws_route.app_default"


def test_route_target_plan_reverts_the_route():
    rc = _changes("gate_drift_route_target")
    assert rc[ROUTE]["actions"] == ["update"]  # [REVERT]
    before, after = rc[ROUTE]["before"], rc[ROUTE]["after"]
    assert before["gateway_id"].startswith("igw-") and not before["network_interface_id"]
    assert after["network_interface_id"] == rc["aws_network_interface.appliance"]["before"]["id"]
    assert rc[APP]["before"]["public_ip"] != ""  # public IPv4 from its subnet


def test_route_target_is_named_in_the_drift_note():
    r = tfsg_json("diff", plan("gate_drift_route_target"))
    note = r["input"].get("drift_note") or ""
    assert note.startswith(NOTE), note  # [DRIFT]
    assert f"{ROUTE} (changed)" in note


@pytest.mark.parametrize("bare", [False, True], ids=["with-sources", "no-sources"])
def test_route_target_diff(bare: bool):
    r = tfsg_json("diff", plan("gate_drift_route_target"), *(["--no-sources"] if bare else []))
    assert r["added"] == [] and r["removed"] == []  # no rule changes
    # [IGW] before: app's subnet routes the internet to the gateway (AWS as refreshed); after the
    # apply, to the appliance's interface [REVERT]
    assert _rows(r["no_longer_exposed"], "resource") == {(APP, "tcp", "22", ("0.0.0.0/0",), "ipv4")}
    assert _rows(r["no_longer_exposed"], "group") == set()  # ssh admits the internet either way
    assert r["newly_exposed"] == []


def test_route_target_check():
    # [GATE] SSH from the internet on ssh before and after, now reaching nothing: existing
    code, r = _check("gate_drift_route_target")
    assert code == 0
    assert _reach(r) == {("TFSG001", SSH3, False, "violation")}
    f = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert f["evidence"]["exposed_resources"] == []
    assert not [x for x in r["resolved"] if x["policy"] == "TFSG001"]
    code, r = _check("gate_drift_route_target", "--fail-on-existing")
    assert code == 1
