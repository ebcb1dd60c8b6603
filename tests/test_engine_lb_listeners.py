"""A load balancer answers on its listeners' ports only (fixtures/engine_lb_listeners).

[LSN] ELB guide, "Listeners": a listener "checks for connection requests, using the protocol
      and port that you configure"; an ALB accepts nothing else, whatever its group admits,
      and forwards to its targets on the target port.
[PRV] app sits in a private subnet with no public IP: its group's SSH rule from 0.0.0.0/0 is
      a group-level finding with no reachable resource behind it, and the listener (which
      forwards tcp 80) is no source of SSH.
"""

from __future__ import annotations

import json

from conftest import plan, run_tfsg, tfsg_json

ALB, APP = "aws_lb.alb", "aws_instance.app"
ALB_SG, APP_SG = "aws_security_group.alb", "aws_security_group.app"


def test_exposures_follow_the_listeners():
    r = tfsg_json("show", plan("engine_lb_listeners"))
    rows = {(e["address"], e["kind"], e["protocol"], e["ports"], tuple(e["sources"])) for e in r["exposed"]}
    assert rows == {
        (ALB, "resource", "tcp", "80", ("0.0.0.0/0",)),  # [LSN] not tcp 0-65535
        (APP, "resource", "tcp", "80", ("aws_lb_listener.http",)),
        (ALB_SG, "group", "tcp", "all", ("0.0.0.0/0",)),  # what the group's rules admit
        (APP_SG, "group", "tcp", "22", ("0.0.0.0/0",))}  # [PRV] no listener among its sources
    assert [tuple(p["nodes"]) for p in r["paths"]] == [("internet", ALB, APP)]


def test_findings_name_only_what_is_reached_on_their_services():
    proc = run_tfsg("check", plan("engine_lb_listeners"), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    found = {f["address"]: f for f in json.loads(proc.stdout)["findings"] if f["policy"] == "TFSG001"}
    assert found[APP_SG]["evidence"]["sources"] == ["0.0.0.0/0"]  # [PRV]
    assert found[APP_SG]["evidence"]["exposed_resources"] == []
    # the load balancer is not reachable on 22 or 3389 (it listens on 80): not listed
    assert found[ALB_SG]["evidence"]["exposed_resources"] == []
