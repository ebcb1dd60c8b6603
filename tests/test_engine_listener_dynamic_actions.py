"""A listener whose default actions are dynamic blocks, one known only after apply
(fixtures/engine_listener_dynamic_actions, create plan; main.tf's header derives the values).

[ACT]  Plan JSON: after.default_action null, after_unknown.default_action true (try() over the
       user pool's ARN, made in the same apply, is known only after apply); the configuration
       section drops dynamic blocks. ELB guide, "Authenticate users using an Application Load
       Balancer": after authentication the next action (forward) sends the request on.
[PATH] The ALB's group admits tcp 443 from 0.0.0.0/0; admin admits 8080 from the ALB's group;
       db (Tier = data) admits 5432 from admin's group; egress all.
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES, plan, tfsg_json

CASE = "engine_listener_dynamic_actions"
PATHS = {("internet", "aws_lb.web", "aws_instance.admin"),
         ("internet", "aws_lb.web", "aws_instance.admin", "aws_instance.db")}


@pytest.mark.parametrize("target", ["plan", "hcl"])
def test_the_forward_action_is_read_from_the_sources(target):
    r = tfsg_json("show", plan(CASE) if target == "plan" else str(FIXTURES / CASE))
    assert {tuple(p["nodes"]) for p in r["paths"]} == PATHS  # [ACT][PATH]
    assert r["unknown"] == []
    assert {(f["from"], f["to"], f["ports"]) for f in r["resource_flows"] if f["from"] == "aws_lb.web"} == {
        ("aws_lb.web", "aws_instance.admin", "8080")}


def test_without_the_sources_the_listener_says_it_cannot_tell():
    r = tfsg_json("show", plan(CASE), "--no-sources")
    got = [(u["address"], u["attribute"]) for u in r["unknown"]]
    assert got == [("aws_lb_listener.https", "default_action.target_group_arn")]
    assert "default_action is known only after apply" in r["unknown"][0]["reason"]
