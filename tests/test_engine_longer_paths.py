"""A resource reached directly on one service and through other resources on others
(fixtures/engine_longer_paths).

By hand, with AWS's rules (VPC user guide, "Security group rules": a rule naming a group
admits that group's network interfaces; 0.0.0.0/0 admits every IPv4 address, private ones too):
db (public IP, routed) admits tcp 22 from anywhere: the internet reaches it directly on 22.
It also admits tcp 5432 from group app (public, 443 from anywhere, all egress) and tcp 9000
from group worker (private, 8080 from app, all egress). A shortest path to db is the direct
one; the ways through app and app -> worker reach it on 5432 and 9000, which the direct way
does not carry, so they are paths of their own. bastion-like ways that add nothing (worker or
app reaching db on 22 only) are not listed.
"""

from __future__ import annotations

from conftest import FIXTURES, plan, tfsg_json

APP, WORKER, DB = "aws_instance.app", "aws_instance.worker", "aws_instance.db"


def _paths(r: dict) -> dict[tuple[str, ...], list[list[tuple[str, str]]]]:
    return {tuple(p["nodes"]): [[(s["protocol"], s["ports"]) for s in h["services"]] for h in p["hops"]]
            for p in r["paths"]}


def _check(r: dict) -> None:
    assert _paths(r) == {
        ("internet", APP, DB): [[("tcp", "443")], [("tcp", "22"), ("tcp", "5432")]],
        ("internet", APP, WORKER): [[("tcp", "443")], [("tcp", "8080")]],
        ("internet", APP, WORKER, DB): [[("tcp", "443")], [("tcp", "8080")], [("tcp", "22"), ("tcp", "9000")]]}
    direct = {(e["address"], e["protocol"], e["ports"]) for e in r["exposed"] if e["kind"] == "resource"}
    assert direct == {(APP, "tcp", "443"), (DB, "tcp", "22")}


def test_plan():
    _check(tfsg_json("show", plan("engine_longer_paths")))


def test_sources_alone():
    _check(tfsg_json("show", str(FIXTURES / "engine_longer_paths")))


def test_diff_lists_them_as_added():
    r = tfsg_json("diff", plan("engine_longer_paths"))
    assert {tuple(p["nodes"]) for p in r["paths_added"]} == {
        ("internet", APP, DB), ("internet", APP, WORKER), ("internet", APP, WORKER, DB)}
