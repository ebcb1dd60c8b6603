"""Values read back from AWS that the apply makes stale, on real update plans (moto).

Terraform refreshes every resource before it plans, so a no-op resource keeps in its ``after``
what AWS reported before the apply: the address of an Elastic IP the apply releases, the route a
deleted ``aws_route`` wrote into its table's computed ``route`` list. Expected values are read
from each fixture's before/main.tf and main.tf by hand, with AWS's rules:

[EIP]    EC2 user guide, "Elastic IP addresses": releasing an Elastic IP disassociates it first;
         when an Elastic IP is disassociated, only an instance that had a public IPv4 address at
         launch is given a new one; and an Elastic IP is associated with one instance or network
         interface at a time. The instances here were launched in a subnet that maps no public
         IPv4 (map_public_ip_on_launch = false): without their Elastic IP, the internet cannot
         address them.
[ROUTE]  VPC user guide, "Enable internet access for a VPC using an internet gateway": a subnet's
         instances are reachable from the internet only when its route table sends the internet
         to an internet gateway. Deleting the aws_route that did so (DeleteRoute) cuts them off,
         whatever the table's read-back ``route`` still lists.
[DEFVPC] VPC user guide, "Delete a security group": a group to delete "can't be the default
         security group for a VPC"; EC2 API reference, DeleteVpc: every group of the VPC "except
         the default one" must be deleted first. The default group is deleted with its VPC, so a
         -destroy plan that deletes the VPC removes the group an aws_default_security_group
         adopted (its own delete only forgets it).
[GATE]   README, "The gate": the subject of TFSG001 is the group; a finding is existing when the
         change does not create it, introduced again when the change makes it reach more
         ("a resource newly reachable on its services": evidence.grown), and resolved when the
         change removes it. A narrowed exposure (fewer reachable resources) stays existing.
"""

from __future__ import annotations

import json

import pytest
from conftest import plan, run_tfsg, tfsg_json, validate_report

SSH = "aws_security_group.ssh"


def _diff(case: str) -> dict:
    return tfsg_json("diff", plan(case))


def _check(case: str) -> tuple[int, dict]:
    proc = run_tfsg("check", plan(case), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _rows(rows: list[dict], kind: str) -> set[tuple[str, str, str]]:
    return {(e["address"], e["protocol"], e["ports"]) for e in rows if e["kind"] == kind}


def _tfsg001(r: dict) -> list[dict]:
    return [f for f in r["findings"] if f["policy"] == "TFSG001" and f["status"] == "violation"]


# --------------------------------------------------------------------------- an Elastic IP deleted


def test_eip_removed_diff():
    """[EIP] aws_eip.web (instance = web) is deleted: web, launched without a public IPv4, has no
    address the internet can reach afterwards. Its tcp 22 is no longer exposed; the group still
    admits 0.0.0.0/0 (no group row changes); nothing is newly exposed."""
    r = _diff("gate_eip_removed")
    assert _rows(r["no_longer_exposed"], "resource") == {("aws_instance.web", "tcp", "22")}
    assert _rows(r["no_longer_exposed"], "group") == set()
    assert r["newly_exposed"] == []
    assert r["removed"] == [] and r["added"] == []  # no rule changes


def test_eip_removed_check():
    """[GATE] TFSG001 on ssh stays (the group still admits the world on 22): existing, not
    introduced, not resolved; its evidence no longer names web as reachable [EIP]."""
    code, r = _check("gate_eip_removed")
    assert code == 0
    found = _tfsg001(r)
    assert [(f["address"], f["introduced"]) for f in found] == [(SSH, False)]
    assert found[0]["evidence"]["sources"] == ["0.0.0.0/0"]
    assert found[0]["evidence"]["exposed_resources"] == []
    assert not [x for x in r["resolved"] if x["policy"] == "TFSG001"]


# --------------------------------------------------------------------------- an association moved


def test_eip_moved_diff():
    """[EIP] the association moves the Elastic IP from a to b: b is newly reachable on tcp 22, a
    is no longer (one interface at a time; a was launched without a public IPv4)."""
    r = _diff("gate_eip_moved")
    assert _rows(r["newly_exposed"], "resource") == {("aws_instance.b", "tcp", "22")}
    assert _rows(r["no_longer_exposed"], "resource") == {("aws_instance.a", "tcp", "22")}
    assert _rows(r["newly_exposed"], "group") == _rows(r["no_longer_exposed"], "group") == set()


def test_eip_moved_check():
    """[GATE] b newly reachable on SSH: TFSG001 on ssh is introduced (grown), blocking, and its
    evidence names b only [EIP]."""
    code, r = _check("gate_eip_moved")
    assert code == 1
    found = _tfsg001(r)
    assert [(f["address"], f["introduced"], f["blocking"]) for f in found] == [(SSH, True, True)]
    assert found[0]["evidence"]["exposed_resources"] == ["aws_instance.b"]
    assert found[0]["evidence"]["grown"] == "now reachable: aws_instance.b"


# --------------------------------------------------------------------------- a route resource deleted


def test_route_removed_diff():
    """[ROUTE] aws_route.igw is deleted; the table's read-back route list still holds it in the
    plan, but after the apply the subnet has no route to the internet gateway: web (public IPv4)
    is no longer reachable on tcp 22."""
    r = _diff("gate_route_removed")
    assert _rows(r["no_longer_exposed"], "resource") == {("aws_instance.web", "tcp", "22")}
    assert _rows(r["no_longer_exposed"], "group") == set()
    assert r["newly_exposed"] == []


def test_route_removed_check():
    """[GATE] the group's finding stays existing, reaching nothing [ROUTE]."""
    code, r = _check("gate_route_removed")
    assert code == 0
    found = _tfsg001(r)
    assert [(f["address"], f["introduced"]) for f in found] == [(SSH, False)]
    assert found[0]["evidence"]["exposed_resources"] == []
    assert not [x for x in r["resolved"] if x["policy"] == "TFSG001"]


# --------------------------------------------------------------------------- -destroy with the VPC


DEFAULT = "aws_default_security_group.default"


def test_destroy_vpc_diff():
    """[DEFVPC] everything goes: web and the default group's own exposure on tcp 22."""
    r = _diff("gate_destroy_vpc")
    assert _rows(r["no_longer_exposed"], "resource") == {("aws_instance.web", "tcp", "22")}
    assert _rows(r["no_longer_exposed"], "group") == {(DEFAULT, "tcp", "22")}
    assert r["newly_exposed"] == []


def test_destroy_vpc_resolves_the_default_group_finding():
    """[DEFVPC][GATE] the default group is deleted with its VPC: TFSG001 on it is resolved, not
    existing; nothing is left to hold a violation."""
    code, r = _check("gate_destroy_vpc")
    assert code == 0
    assert [f for f in r["findings"] if f["address"] == DEFAULT] == []
    assert [f for f in r["findings"] if f["status"] == "violation"] == []
    assert ("TFSG001", DEFAULT) in {(x["policy"], x["address"]) for x in r["resolved"]}


@pytest.mark.parametrize("case", ["gate_eip_removed", "gate_route_removed", "gate_destroy_vpc"])
def test_fail_on_existing_blocks_only_what_remains(case):
    """With --fail-on-existing, a finding that really remains blocks and a resolved one does not:
    eip_removed and route_removed keep TFSG001 on ssh (the group still admits the world on 22);
    destroy_vpc keeps nothing [DEFVPC], so a teardown is not blocked."""
    proc = run_tfsg("check", plan(case), "--fail-on-existing", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert proc.returncode == (0 if case == "gate_destroy_vpc" else 1)
