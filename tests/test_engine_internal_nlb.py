"""An internal Network Load Balancer without security groups in front of the data tier
(fixtures/engine_internal_nlb, create plan; main.tf's header derives every value).

[OPEN]  ELB guide, "Update the security groups for your Network Load Balancer": without groups,
        "all client traffic can reach the Network Load Balancer listeners": pub (egress all)
        reaches aws_lb.inlb on its listeners, tcp 5432 and tcp 6432.
[CIP]   ELB guide, "Edit target group attributes", client IP preservation: on for instance
        targets (data1 sees pub's address, which its group does not admit), off for ip targets
        over TCP (data2 sees the NLB's address, which its group admits).
[POL]   Baseline TFSG007 (critical): a data store reached through an internet-facing resource;
        a load balancer between them passes that resource's connections on (looked through).
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json

CASE = "engine_internal_nlb"


@pytest.mark.parametrize("target", ["plan", "hcl"])
def test_tiering_looks_through_the_load_balancer(target):
    where = plan(CASE) if target == "plan" else str(FIXTURES / CASE)
    proc = run_tfsg("check", where, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    got = [(f["address"], f["evidence"]["path"], f["evidence"]["services"]) for f in r["findings"]
           if f["policy"] == "TFSG007"]
    assert got == [("aws_instance.data2", ["internet", "aws_instance.pub", "aws_lb.inlb", "aws_instance.data2"],
                    [{"protocol": "tcp", "ports": "5432"}])]  # [OPEN][CIP][POL]; not data1 [CIP]


def test_senders_of_the_vpc_reach_its_listeners():
    r = tfsg_json("show", plan(CASE))
    into = {(f["from"], f["protocol"], f["ports"]) for f in r["resource_flows"] if f["to"] == "aws_lb.inlb"}
    assert into == {("aws_instance.pub", "tcp", "5432"), ("aws_instance.pub", "tcp", "6432")}  # [OPEN]
    assert ("internet", "aws_instance.pub", "aws_lb.inlb", "aws_instance.data2") in {tuple(p["nodes"]) for p in r["paths"]}


@pytest.mark.xfail(strict=True, reason="paths compose hops without the sender's address: a preserved client IP "
                                       "the target does not admit still continues the path (probe pC F8)")
def test_a_preserved_client_address_the_target_does_not_admit_ends_the_path():
    r = tfsg_json("show", plan(CASE))
    assert ("internet", "aws_instance.pub", "aws_lb.inlb", "aws_instance.data1") not in \
        {tuple(p["nodes"]) for p in r["paths"]}  # [CIP]
