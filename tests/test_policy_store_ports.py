"""Data stores on ports of their own (fixtures/policy_store_ports, create plan; main.tf's header
derives the values). [PORT] Provider docs (aws_db_instance, aws_rds_cluster: ``port``), RDS API
CreateDBInstance/CreateDBCluster Port: the database listens on the port configured; an Aurora
instance on its cluster's. Baseline TFSG002/TFSG005 with ``store_ports: true`` name those ports on
the groups of the data stores, not on other groups."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg

CASE = "policy_store_ports"


@pytest.mark.parametrize("target", ["plan", "hcl"])
def test_a_data_store_port_of_its_own_is_a_data_store_port(target):
    proc = run_tfsg("check", plan(CASE) if target == "plan" else str(FIXTURES / CASE), "--format", "json")
    assert proc.returncode == 1
    r = json.loads(proc.stdout)
    got = {(f["policy"], f["address"], f["key"], f["severity"]) for f in r["findings"]
           if f["policy"] in ("TFSG002", "TFSG005")}
    assert got == {("TFSG002", "aws_security_group.pg", "internet tcp 15432", "critical"),
                   ("TFSG005", "aws_security_group.pg", "10.0.0.0/8 tcp 15432", "high"),
                   ("TFSG005", "aws_security_group.aurora", "10.0.0.0/8 tcp 3307", "high")}  # [PORT]


def test_without_store_ports_the_listed_ports_only(tmp_path):
    """A policy that does not ask for them keeps its own list (tcp 15432 is in none)."""
    cfg = tmp_path / "p.yml"
    cfg.write_text("extends: []\npolicies:\n  - id: ORG-DB\n    title: db ports\n    severity: high\n"
                   "    kind: forbidden-flow\n    from: {internet: true}\n    services: [5432]\n")
    proc = run_tfsg("check", plan(CASE), "--config", str(cfg), "--format", "json")
    assert proc.returncode == 0, proc.stdout.decode()[:500]
