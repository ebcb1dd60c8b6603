"""`tfsg diff` on update plans with real `before` values. Expected changes are derived by hand
from each fixture's `before/` and after configurations (comments name the rules)."""

from __future__ import annotations

from conftest import exposures, flows, paths, plan, run_tfsg, tfsg_json


def test_ssh_opened_to_the_world():
    r = tfsg_json("diff", plan("ssh_open"))
    g = "aws_security_group.bastion"
    # new aws_security_group_rule.ssh_anywhere: cidr_blocks 0.0.0.0/0 + ipv6_cidr_blocks ::/0 = two rules
    assert flows(r["added"]) == {("0.0.0.0/0", g, "tcp", "22"), ("::/0", g, "tcp", "22")}
    assert r["removed"] == []
    assert {f["defined_by"][0] for f in r["added"]} == {"aws_security_group_rule.ssh_anywhere"}
    # the bastion sits in a subnet that maps public IPs on launch
    assert exposures(r["newly_exposed"]) == {("aws_instance.bastion", "resource", "tcp", "22"),
                                              (g, "group", "tcp", "22")}
    assert r["no_longer_exposed"] == [] and r["paths_added"] == []
    assert r["summary"]["reachability_changed"] is True
    before = {c["direction"]: c for c in r["exposure_changes"] if c["group"] == g}
    assert before["ingress"]["before"]["addresses"] == 256  # 203.0.113.0/24
    assert before["ingress"]["after"]["addresses"] == 2**32 + 2**128  # everything, v4 and v6


def test_cidr_replaced_by_group_reference_shrinks_exposure():
    r = tfsg_json("diff", plan("tighten_cidr"))
    db = "aws_security_group.db"
    # db's inline egress and db_clients ingress both allowed all traffic with 10.0.0.0/16;
    # after, both name the web group. web (8 instances in 10.0.1.0/24) could already reach
    # db through the /16, and db could reach web's 8080 (web admits 10.0.0.0/16): those stay.
    assert flows(r["removed"]) == {("10.0.0.0/16", db, "all", "all"), (db, "10.0.0.0/16", "all", "all")}
    assert r["added"] == []
    assert r["newly_exposed"] == [] and r["paths_added"] == []
    changes = {(c["group"], c["direction"]): (c["before"], c["after"]) for c in r["exposure_changes"]}
    for direction in ("ingress", "egress"):
        b, a = changes[(db, direction)]
        assert b == {"addresses": 65536, "groups": 0, "members": 0, "unknown_members": False}
        assert a == {"addresses": 0, "groups": 1, "members": 8, "unknown_members": False}
    text = run_tfsg("diff", plan("tighten_cidr")).stdout.decode()
    assert "65,536 addresses -> 8 members of 1 group" in text


def test_new_reference_opens_a_path_from_the_internet_to_the_database():
    r = tfsg_json("diff", plan("new_path_to_db"))
    alb, app, db = (f"aws_security_group.{n}" for n in ("alb", "app", "db"))
    # aws_security_group_rule.db_from_app (new) ∩ app's egress all to 0.0.0.0/0
    assert flows(r["added"]) == {(app, db, "tcp", "5432")}
    assert r["removed"] == []
    # paths of resources (schema v2): through the ALB's listener to each app server, then 5432
    lb, rds = "aws_lb.alb", "aws_db_instance.db"
    assert paths(r["paths_added"]) == {("internet", lb, f"aws_instance.app[{i}]", rds) for i in (0, 1)}
    assert r["paths_removed"] == []
    hops = r["paths_added"][0]["hops"]
    assert [(h["from"], h["to"], h["services"]) for h in hops] == [
        ("internet", lb, [{"protocol": "tcp", "ports": "443"}]),
        (lb, "aws_instance.app[0]", [{"protocol": "tcp", "ports": "8080"}]),
        ("aws_instance.app[0]", rds, [{"protocol": "tcp", "ports": "5432"}])]
    assert r["paths_added"][0]["groups"] == [[], [alb], [app], [db]]
    assert r["newly_exposed"] == []  # the database itself is not open to the internet
    for fmt in ("text", "json"):  # the db password is sensitive in the plan
        assert "fixture-only-password" not in run_tfsg("diff", plan("new_path_to_db"), "-f", fmt).stdout.decode()


def test_refactor_to_rule_resources_keeps_reachability():
    r = tfsg_json("diff", plan("refactor_inline_to_rules"))
    assert r["summary"]["reachability_changed"] is False
    assert r["added"] == r["removed"] == []
    assert r["newly_exposed"] == r["no_longer_exposed"] == []
    assert r["summary"]["rule_resources_changed"] == 6
    text = run_tfsg("diff", plan("refactor_inline_to_rules")).stdout.decode()
    assert "Reachability is unchanged" in text
    show = tfsg_json("show", plan("refactor_inline_to_rules"))
    app = "aws_security_group.app"
    f = flows(show["flows"])
    assert ("::/0", app, "tcp", "443") in f and ("192.168.10.0/24", app, "tcp", "22") in f
    assert (app, "0.0.0.0/0", "tcp", "443") in f
    # each rule now stands once, owned by its new resource (the group's copy is deduplicated)
    owners = {(x["from"], x["to"]): x["defined_by"] for x in show["flows"]}
    assert owners[("::/0", app)] == ["aws_vpc_security_group_ingress_rule.https_ipv6"]


def test_a_path_is_not_removed_when_its_target_becomes_directly_exposed():
    """existing_rdp: app gains SSH from the internet; internet -> legacy -> app (8080) still
    exists, it is just no longer the shortest way in."""
    r = tfsg_json("diff", plan("existing_rdp"))
    assert r["paths_removed"] == [] and r["paths_added"] == []
    app, legacy = "aws_security_group.app", "aws_security_group.legacy"
    # app already admitted legacy's subnet (10.0.0.0/16 on 8080), so the pair was a flow; the new
    # 0.0.0.0/0 rule holds legacy's 10.0.1.0/24 too, and legacy's egress allows all
    assert flows(r["added"]) == {("0.0.0.0/0", app, "tcp", "22"), (legacy, app, "tcp", "22")}
    assert exposures(r["newly_exposed"]) == {("aws_instance.app", "resource", "tcp", "22"),
                                              (app, "group", "tcp", "22")}
