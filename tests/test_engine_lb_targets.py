"""A load balancer connects to its registered targets only (fixtures/engine_lb_targets).

[ELB]  ELB guide, "How Elastic Load Balancing works": a load balancer's nodes open connections
       to the registered targets of the target groups its listeners (and rules) forward to, and
       to nothing else; clients cannot make it connect anywhere, whatever its security group's
       egress allows. aws_lb.web: listener 443 -> target group web (8080) -> aws_instance.web,
       all in the plan; its group alb sends to the whole VPC, and aws_db_instance.db (Tier=data)
       admits 10.0.0.0/16 on 5432: the load balancer still never connects to the database.
[EXT]  aws_lb.ext has the same group and no listener in the plan: its listeners and targets are
       made elsewhere (another state, the AWS Load Balancer Controller), so what its group
       allows is what it may reach (fail closed): the hop to the database stays.
"""

from __future__ import annotations

import json

from conftest import FIXTURES, plan, run_tfsg, tfsg_json

WEB_LB, EXT_LB, WEB, DB = "aws_lb.web", "aws_lb.ext", "aws_instance.web", "aws_db_instance.db"


def _paths(r: dict) -> set[tuple[str, ...]]:
    return {tuple(p["nodes"]) for p in r["paths"]}


def test_a_load_balancer_whose_targets_are_known_reaches_them_only():
    for source in (plan("engine_lb_targets"), str(FIXTURES / "engine_lb_targets")):
        paths = _paths(tfsg_json("show", source))
        assert ("internet", WEB_LB, WEB) in paths  # [ELB] the listener's target
        assert ("internet", WEB_LB, DB) not in paths  # [ELB] not the database its group could reach
        assert ("internet", EXT_LB, DB) in paths  # [EXT] fail closed


def test_the_database_finding_names_only_the_load_balancer_tfsg_cannot_close(tmp_path):
    proc = run_tfsg("check", plan("engine_lb_targets"), "--format", "json", cwd=tmp_path)
    r = json.loads(proc.stdout)
    tiering = [f for f in r["findings"] if f["policy"] == "TFSG007"]
    assert [(f["address"], f["evidence"]["path"]) for f in tiering] == [(DB, ["internet", EXT_LB, DB])]
    # the evidence says why the load balancer is taken to reach more than its targets
    assert "not all in this plan" in tiering[0]["message"]
