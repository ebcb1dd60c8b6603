"""Listener rules with a source_ip condition (fixtures/engine_listener_source_ip, create plan;
main.tf's header derives every value).

[SRC]  ELB guide, "Listener rules for your Application Load Balancer", condition "Source IP
       address": a rule matches only requests from the blocks it lists. admin's rule lists
       203.0.113.0/24 (an office): the internet is not forwarded there; api's lists 0.0.0.0/0 and
       ::/0: every client is.
[LB]   The load balancer itself still connects to every registered target (its health checks,
       and any client its rules match): the resource flows keep alb -> admin.
[EXT]  ELB guide, target groups, "Target type": an ip target outside the VPC (172.16.5.5, no VPC
       of the plan holds it) is an on-premises server, none of the plan's resources: the load
       balancer still connects to its registered targets only, so batch (unregistered, though
       its group admits the VPC's block on 8080) is not reached through it.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json

CASE = "engine_listener_source_ip"


@pytest.mark.parametrize("target", ["plan", "hcl"])
def test_only_the_clients_a_rule_names_are_forwarded(target):
    r = tfsg_json("show", plan(CASE) if target == "plan" else str(FIXTURES / CASE))
    assert {tuple(p["nodes"]) for p in r["paths"]} == {("internet", "aws_lb.alb", "aws_instance.web"),
                                                       ("internet", "aws_lb.alb", "aws_instance.api")}  # [SRC]
    through = {(e["address"], e["ports"]) for e in r["exposed"] if e["kind"] == "resource" and e.get("listener")}
    assert through == {("aws_instance.web", "8080"), ("aws_instance.api", "7000")}
    flows = {(f["from"], f["to"], f["ports"]) for f in r["resource_flows"]}
    assert ("aws_lb.alb", "aws_instance.admin", "9000") in flows  # [LB]
    assert ("aws_instance.admin", "aws_instance.db", "5432") in flows
    assert not [f for f in flows if f[1] == "aws_instance.batch"]  # [EXT]
    assert [(u["address"], u["attribute"]) for u in r["unknown"]] == [("aws_lb_target_group_attachment.onprem",
                                                                        "target_id")]


def test_no_tiering_finding_for_the_office_only_admin():
    proc = run_tfsg("check", plan(CASE), "--format", "json")
    r = json.loads(proc.stdout)
    assert not [f for f in r["findings"] if f["policy"] in ("TFSG007", "TFSG020") and f["status"] == "violation"]
