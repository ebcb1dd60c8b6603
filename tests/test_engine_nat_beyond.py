"""A NAT gateway forwards to another VPC with its own private address (fixtures/engine_nat_beyond).

[NAT]   VPC user guide, "NAT gateway basics": the gateway replaces the source address with its own
        private address; CreateNatGateway: a private NAT gateway routes across VPCs through a
        transit gateway, for workloads "behind a small pool of allowlisted IPv4 addresses".
[ROUTE] VPC user guide, "Route tables": app's subnet sends 10.1.0.0/16 to the NAT gateway, whose
        subnet's table sends it to the transit gateway both VPCs are attached to.
[TIER]  policies/baseline.yml TFSG007: the data tier (groups attached to aws_db_instance) is
        reached from the internet only through a tier that is not internet-facing itself.

db admits tcp 5432 from 10.0.200.0/24, the NAT gateway's subnet, and nothing of app's own
10.0.101.0/24: app's packets arrive from the NAT gateway's address [NAT][ROUTE], so app reaches
db on 5432, and app is public on 443 from the world: internet -443-> app -5432-> db.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, paths, plan, run_tfsg

CASE = "engine_nat_beyond"
INPUTS = {"plan": lambda: plan(CASE), "sources": lambda: str(FIXTURES / CASE)}
APP, DB = "aws_instance.app", "aws_db_instance.db"


def _run(command: str, source: str) -> tuple[int, dict]:
    proc = run_tfsg(command, INPUTS[source](), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_app_reaches_the_database_through_the_nat_gateway(source):
    _, r = _run("show", source)
    into_db = {(f["from"], f["protocol"], f["ports"]) for f in r["resource_flows"] if f["to"] == DB}
    assert into_db == {(APP, "tcp", "5432")}
    assert ("internet", APP, DB) in set(paths(r["paths"]))


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_the_gate_fails_on_the_path_to_the_data_tier(source):
    code, r = _run("check", source)
    assert code == 1
    tier = [f for f in r["findings"] if f["policy"] == "TFSG007" and f["address"] == DB]
    assert [(f["severity"], f["evidence"]["path"]) for f in tier] == [("critical", ["internet", APP, DB])]
