"""Lateral movement through a network interface attached to an instance (fixtures/engine_host_links).

Expected values are read from main.tf by hand, with AWS's rules:

[ENI]  EC2 user guide, "Elastic network interfaces": an instance with a secondary interface is
       reached at that interface's addresses, under that interface's groups; it sends from
       either interface, each with its own groups' rules.
[REF]  VPC user guide, "Security group rules": a rule naming a group admits the network
       interfaces in that group (mgmt admits web's interface; db admits jump's eth0 only).

jump (group jump, all egress) carries interface mgmt (group mgmt: tcp 22 from web, egress tcp
6379 to the VPC) attached by ``aws_network_interface_attachment``; ops (group ops) carries
interface ops (group mgmt) attached by the interface's own ``attachment`` block.
"""

from __future__ import annotations

from conftest import FIXTURES, plan, tfsg_json

WEB, JUMP, OPS = "aws_instance.web", "aws_instance.jump", "aws_instance.ops"
DB, CACHE = "aws_db_instance.db", "aws_instance.cache"
MGMT_ENI, OPS_ENI = "aws_network_interface.mgmt", "aws_network_interface.ops"


def _resource_flows(r: dict) -> set[tuple[str, str, str, str]]:
    return {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"]}


def _paths(r: dict) -> set[tuple[str, ...]]:
    return {tuple(p["nodes"]) for p in r["paths"]}


def _check(r: dict) -> None:
    assert _resource_flows(r) == {
        # [ENI][REF] web reaches each interface on tcp 22, and so the instance behind it
        (WEB, MGMT_ENI, "tcp", "22"), (WEB, JUMP, "tcp", "22"),
        (WEB, OPS_ENI, "tcp", "22"), (WEB, OPS, "tcp", "22"),
        # [REF] db admits group jump: jump's own interface; ops is not in it
        (JUMP, DB, "tcp", "5432"),
        # [ENI] cache admits group mgmt: the hosts send from their mgmt interfaces
        (MGMT_ENI, CACHE, "tcp", "6379"), (OPS_ENI, CACHE, "tcp", "6379"),
        (JUMP, CACHE, "tcp", "6379"), (OPS, CACHE, "tcp", "6379"),
        # web admits tcp 443 from 0.0.0.0/0: the private instances with all egress reach it
        (JUMP, WEB, "tcp", "443"), (OPS, WEB, "tcp", "443")}
    paths = _paths(r)
    assert ("internet", WEB, JUMP, DB) in paths
    assert ("internet", WEB, OPS, CACHE) in paths
    assert not any(p[-1] == DB and OPS in p for p in paths)
    path = next(p for p in r["paths"] if p["nodes"] == ["internet", WEB, JUMP, DB])
    # beside the instance: its own group and its interface's
    assert path["groups"] == [[], ["aws_security_group.web"], ["aws_security_group.jump", "aws_security_group.mgmt"],
                              ["aws_security_group.db"]]
    assert [(h["from"], h["to"], h["services"]) for h in path["hops"]] == [
        ("internet", WEB, [{"protocol": "tcp", "ports": "443"}]),
        (WEB, JUMP, [{"protocol": "tcp", "ports": "22"}]),
        (JUMP, DB, [{"protocol": "tcp", "ports": "5432"}])]
    assert r["unknown"] == []


def test_plan():
    _check(tfsg_json("show", plan("engine_host_links")))


def test_sources_alone():
    _check(tfsg_json("show", str(FIXTURES / "engine_host_links")))
