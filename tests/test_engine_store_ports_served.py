"""Managed data stores answer on their service ports only (fixtures/engine_store_ports_served,
create plan, offline; main.tf says what each part is). Expected values derived by hand from
main.tf with these rules:

[PORT]  A managed data store serves its ``port`` argument (ElastiCache: provider docs) or the
        ports its service fixes: EFS NFS 2049, OpenSearch 443/80, DAX 8111/9111, ActiveMQ
        61617 among others (sources/store_ports.py cites each guide). A connection on another
        port reaches nothing, whatever the groups admit.
[OPT]   An RDS instance with an option group of its own serves what its options add (SQL Server
        Reporting Services on 8443: RDS user guide): not narrowed to its port.
[POL]   Baseline TFSG002 (critical): data-store ports, these included, from the whole internet;
        TFSG005 (high): from a block wider than /24; TFSG006 (medium): more than 256 addresses;
        TFSG007 (critical): a Tier=data store reached through an internet-facing resource.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json

CASE = "engine_store_ports_served"
SG = "aws_security_group."
CACHE = "aws_elasticache_replication_group.cache"


@pytest.fixture(scope="module", params=["plan", "hcl"])
def check(request) -> dict:
    proc = run_tfsg("check", plan(CASE) if request.param == "plan" else str(FIXTURES / CASE), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_findings(check):
    got = {(f["policy"], f["address"], f["key"]) for f in check["findings"]
           if f["policy"] in ("TFSG002", "TFSG005", "TFSG006", "TFSG007") and f["status"] == "violation"}
    assert got == {
        ("TFSG002", SG + "search", "internet tcp 443"),  # (c) [PORT][POL]
        ("TFSG002", SG + "dax", "internet tcp 9111"),  # (d)
        ("TFSG002", SG + "mq", "internet tcp 61617"),  # (e) ::/0
        ("TFSG005", SG + "dax", "10.0.0.0/8 tcp 8111"),  # (d)
        ("TFSG006", SG + "dax", "budget 256"),  # (d)
        ("TFSG007", CACHE + '["6379"]', "internet"),  # (a) the control
        ("TFSG007", "aws_opensearch_domain.search", "internet"),  # (c)
        ("TFSG007", "aws_dax_cluster.dax", "internet"),  # (d)
        ("TFSG007", "aws_db_instance.ssrs", "internet"),  # (f) an option group of its own: 8443
    }  # not the cache on 6380 (a), nor the mount target (b): nothing they serve is admitted


def test_paths_carry_the_served_ports_only():
    r = tfsg_json("show", plan(CASE))
    got = {tuple(p["nodes"]): tuple((h["from"], h["to"], tuple((x["protocol"], x["ports"]) for x in h["services"]))
                                    for h in p["hops"]) for p in r["paths"]}
    app = ("internet", "aws_instance.app", (("tcp", "443"),))
    assert got == {
        ("internet", "aws_instance.app", "aws_dax_cluster.dax"):
            (app, ("aws_instance.app", "aws_dax_cluster.dax", (("tcp", "8111"), ("tcp", "9111")))),
        ("internet", "aws_instance.app", CACHE + '["6379"]'):
            (app, ("aws_instance.app", CACHE + '["6379"]', (("tcp", "6379"),))),
        ("internet", "aws_instance.app", "aws_opensearch_domain.search"):
            (app, ("aws_instance.app", "aws_opensearch_domain.search", (("tcp", "443"),))),
        ("internet", "aws_instance.app", "aws_db_instance.ssrs"):
            (app, ("aws_instance.app", "aws_db_instance.ssrs", (("tcp", "8443"),))),
    }  # the mount target admits the app on 443 (common), which it does not serve [PORT]
