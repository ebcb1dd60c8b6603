"""Data stores on the ports they serve when the configuration does not write them
(fixtures/engine_store_defaults_r14, create plan, offline; main.tf says what each part is).
Expected values derived by hand from main.tf:

[PORT]  RDS API CreateDBInstance / CreateDBCluster, "Port": the default is the engine's (MySQL
        3306, PostgreSQL and Aurora PostgreSQL 5432); provider schema: Redshift 5439. A restore
        keeps its snapshot's port (RestoreDBInstanceFromDBSnapshot), which no plan shows.
[OG]    RDS user guide, "Working with option groups": an instance that names no option group has
        the engine's default one, which holds no option (so no extra listener); "MySQL memcached
        support": the MEMCACHED option listens on 11211. A read replica that names none takes its
        source's (CreateDBInstanceReadReplica "OptionGroupName").
[BF]    Aurora user guide, "DB cluster parameter group settings for Babelfish": with
        rds.babelfish_status on, the cluster also serves TDS on babelfishpg_tds.tds_default_port.
[DMS]   DMS user guide, "Setting up a network for a replication instance" documents no listener,
        but Security Hub control DMS.1 ("replication instances should not be public") holds a
        public one a finding: not narrowed, reachable on what its group admits.
[VPN]   Client VPN admin guide, "Client authorization", Security groups: an endpoint given no
        group has the VPC's default group once a subnet is associated.
[BASE]  Baseline: TFSG001 SSH/RDP, TFSG002 database ports (and the ports a data store serves)
        from the internet, group level; TFSG007 a data-tier resource reached from the internet.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json

CASE = "engine_store_defaults_r14"


@pytest.fixture(scope="module", params=["plan", "directory"])
def findings(request) -> list[dict]:
    proc = run_tfsg("check", plan(CASE) if request.param == "plan" else str(FIXTURES / CASE), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    return json.loads(proc.stdout)["findings"]


def test_data_stores_reached_only_on_what_they_serve(findings):
    got = {(f["address"], f["message"].rsplit(" on ", 1)[-1]) for f in findings
           if f["policy"] == "TFSG007" and f["status"] == "violation"}
    assert got == {
        ("aws_db_instance.mysql_open", "tcp 3306"),  # (c) 3306 and 22 admitted, 3306 served [PORT]
        ("aws_db_instance.own_og", "tcp 11211"),  # (f) its own option group: memcached [OG]
        ("aws_rds_cluster_instance.aurora[0]", "tcp 5432"),  # (d) 443 and 5432 admitted [PORT]
        ("aws_rds_cluster_instance.aurora[1]", "tcp 5432"),
        ('aws_rds_cluster_instance.bf["bf"]', "tcp 11433"),  # (h) Babelfish's TDS port [BF]
        ("aws_dms_replication_instance.dms", "tcp 22"),  # (j) [DMS]
        ("aws_db_instance.restored", "tcp 443"),  # (k) the snapshot's port, unknown: not narrowed [PORT]
        ("aws_db_instance.replica", "tcp 11211"),  # (l) its source's option group [OG]
    }  # not (a) pg on 443, (b) mysql3306 on 80/443, (e) dw on 443, (i) bf_off on 1433


def test_group_findings_name_only_the_stores_reached(findings):
    got = {(f["policy"], f["address"], " ".join(f'{s["protocol"]} {s["ports"]}' for s in f["evidence"]["services"]),
            tuple(f["evidence"].get("exposed_resources") or ()))
           for f in findings if f["policy"] in ("TFSG001", "TFSG002") and f["status"] == "violation"}
    assert got == {
        ("TFSG001", "aws_security_group.dms", "tcp 22", ("aws_dms_replication_instance.dms",)),  # [DMS]
        ("TFSG001", "aws_security_group.mysql_open", "tcp 22", ()),
        ("TFSG002", "aws_security_group.aurora", "tcp 5432",
         ("aws_rds_cluster_instance.aurora[0]", "aws_rds_cluster_instance.aurora[1]")),
        ("TFSG002", 'aws_security_group.bf["bf"]', "tcp 11433", ('aws_rds_cluster_instance.bf["bf"]',)),
        ("TFSG002", 'aws_security_group.bf["bf_off"]', "tcp 1433", ()),  # a database port, nothing serves it
        ("TFSG002", "aws_security_group.mysql_open", "tcp 3306", ("aws_db_instance.mysql_open",)),
        ("TFSG002", "aws_security_group.own_og", "tcp 11211", ("aws_db_instance.own_og", "aws_db_instance.replica")),
    }


def test_exposures_per_resource():
    r = tfsg_json("show", plan(CASE))
    got = {(e["address"], e["family"], e["protocol"], e["ports"]) for e in r["exposed"] if e["kind"] == "resource"}
    assert got == {("aws_db_instance.mysql_open", "ipv4", "tcp", "3306"),
                   ("aws_db_instance.own_og", "ipv4", "tcp", "11211"),
                   ("aws_rds_cluster_instance.aurora[0]", "ipv4", "tcp", "5432"),
                   ("aws_rds_cluster_instance.aurora[1]", "ipv4", "tcp", "5432"),
                   ('aws_rds_cluster_instance.bf["bf"]', "ipv4", "tcp", "11433"),
                   ("aws_dms_replication_instance.dms", "ipv4", "tcp", "22"),
                   ("aws_db_instance.restored", "ipv4", "tcp", "443"),
                   ("aws_db_instance.replica", "ipv4", "tcp", "11211")}


@pytest.mark.parametrize("mode", ["plan", "directory"])
def test_client_vpn_endpoint_without_groups_is_in_the_default_group(mode):
    r = tfsg_json("show", plan(CASE) if mode == "plan" else str(FIXTURES / CASE))
    groups = {g["address"]: g["attached"] for g in r["groups"]}
    assert groups["aws_default_security_group.default"] == ["aws_ec2_client_vpn_endpoint.vpn",
                                                            "aws_ec2_client_vpn_endpoint.vpn_novpc"]  # [VPN]
    flows = {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["flows"]}
    assert ("aws_default_security_group.default", "aws_security_group.internal", "tcp", "5432") in flows
