"""HCL mode at --base: a route applies to running instances at once (VPC user guide, "Route
tables": traffic follows the subnet's route table as it is; "Internet gateways": a subnet is
public while its table routes to the gateway), unlike a subnet's public-address setting, which
applies to instances launched later. The files of fixtures/gate_route_removed (before/: web
with a public IPv4 from its subnet, group ssh admits tcp 22 from 0.0.0.0/0, an aws_route
0.0.0.0/0 -> the internet gateway; main.tf: the route deleted), in both directions, judged as
the real update plan of that fixture is (tests/test_gate_stale_readback.py)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FIXTURES, base_repo, run_tfsg

CASE = FIXTURES / "gate_route_removed"
SSH = "aws_security_group.ssh"



def _check(repo: Path, code: int) -> dict:
    proc = run_tfsg("check", str(repo), "--base", "HEAD", "--format", "json")
    assert proc.returncode == code, proc.stderr.decode()
    return json.loads(proc.stdout)


def _exposed(rows: list[dict]) -> set[tuple[str, str, str]]:
    return {(e["address"], e["protocol"], e["ports"]) for e in rows if e["kind"] == "resource"}


def test_a_route_added_makes_the_running_host_reachable(tmp_path: Path):
    r = _check(base_repo(tmp_path, CASE, CASE / "before"), 1)
    assert _exposed(r["newly_exposed"]) == {("aws_instance.web", "tcp", "22")}
    found = [f for f in r["findings"] if f["policy"] == "TFSG001"]
    assert [(f["address"], f["introduced"], f["evidence"]["exposed_resources"]) for f in found] == \
        [(SSH, True, ["aws_instance.web"])]


def test_a_route_removed_leaves_it_unreachable(tmp_path: Path):
    r = _check(base_repo(tmp_path, CASE / "before", CASE), 0)
    assert _exposed(r["no_longer_exposed"]) == {("aws_instance.web", "tcp", "22")}
    found = [f for f in r["findings"] if f["policy"] == "TFSG001"]
    assert [(f["address"], f["introduced"], f["evidence"]["exposed_resources"]) for f in found] == [(SSH, False, [])]
