"""Managed data services: cluster members, subnet groups, IPv6 per service, MSK public access
(fixtures/engine_data_tier).

Expected values are read from main.tf by hand, with AWS's rules:

[AURORA] RDS user guide, "Aurora DB clusters": a DB instance of a cluster is placed in the
         cluster's DB subnet group and carries the cluster's VPC security groups
         (CreateDBInstance: DBSubnetGroupName and VpcSecurityGroupIds "managed by the DB
         cluster"). A cluster instance names its cluster by identifier, which may be written as
         a literal (``local.name``, ``"aurora-pub"``) as well as a reference.
[PUBLIC] RDS/DMS: PubliclyAccessible gives a public IPv4 address that is reachable only when
         the subnet routes 0.0.0.0/0 to an internet gateway; the private subnets' table has
         the local route only (``route = []``).
[DMS]    CreateReplicationInstance: the instance is placed in its ReplicationSubnetGroupIdentifier,
         here by reference (private) or by the literal identifier (public).
[MEMDB]  MemoryDB endpoints have private addresses only: never reachable from the internet.
[V6]     Each service's own argument decides IPv6, not the subnet's
         assign_ipv6_address_on_creation: ElastiCache NetworkType (default ipv4), VPC endpoint
         IpAddressType (ipv4 unless asked), OpenSearch IPAddressType (default ipv4); EFS mount
         targets and Redshift clusters have IPv4 addresses here (no IPv6 argument). EC2 gives an
         instance an IPv6 address when its subnet assigns one on creation.
[MSK]    MSK developer guide, "Public access": public_access.type = SERVICE_PROVIDED_EIPS gives
         each broker an Elastic IP (IAM over TLS listens on 9198); unset, public access is
         DISABLED.
No group has an egress rule (Terraform removes AWS's default egress), so no resource sends to
another: no resource flows, no paths.
"""

from __future__ import annotations

from conftest import FIXTURES, exposures, flows, plan, tfsg_json

AURORA, DMS, MEMDB, MSK = ("aws_security_group.aurora", "aws_security_group.dms", "aws_security_group.memorydb",
                           "aws_security_group.msk")
V6, V6_RULE = "aws_security_group.v6", "aws_security_group.v6_rule"
AURORA_PUB, AURORA_LIT, AURORA_PRIV = ("aws_rds_cluster_instance.aurora_pub", "aws_rds_cluster_instance.aurora_pub_lit",
                                       "aws_rds_cluster_instance.aurora_priv")
DMS_PUB, DMS_PRIV = "aws_dms_replication_instance.dms_pub", "aws_dms_replication_instance.dms_priv"
MSK_PUB, MSK_PRIV = "aws_msk_cluster.msk_public", "aws_msk_cluster.msk_private"
V6_HOST = "aws_instance.v6_host"
IPV4_ONLY = ["aws_elasticache_replication_group.cache", "aws_efs_mount_target.fs[0]", "aws_efs_mount_target.fs[1]",
             "aws_redshift_cluster.dw", "aws_vpc_endpoint.ssm", "aws_opensearch_domain.search"]


def _resources(r: dict) -> dict[str, dict]:
    return {e["address"]: e for e in r["exposed"] if e["kind"] == "resource"}


def _check(r: dict) -> None:
    # every group admits the internet on what its ingress says, and nothing else
    assert flows(r["flows"]) == {
        ("0.0.0.0/0", AURORA, "tcp", "5432"), ("0.0.0.0/0", DMS, "tcp", "443"),
        ("0.0.0.0/0", MEMDB, "tcp", "6379"), ("0.0.0.0/0", MSK, "tcp", "9198"),
        ("::/0", V6, "all", "all"), ("::/0", V6_RULE, "all", "all")}
    attached = {g["address"]: set(g["attached"]) for g in r["groups"]}
    # [AURORA] the members carry their cluster's group, whichever way they name the cluster
    assert {AURORA_PUB, AURORA_LIT, AURORA_PRIV} <= attached[AURORA]
    assert {DMS_PUB, DMS_PRIV} <= attached[DMS]
    assert set(IPV4_ONLY) - {"aws_vpc_endpoint.ssm", "aws_opensearch_domain.search"} | {V6_HOST} <= attached[V6]
    assert {"aws_vpc_endpoint.ssm", "aws_opensearch_domain.search"} <= attached[V6_RULE]
    assert exposures(r["exposed"]) == {
        # [AURORA][PUBLIC] the public cluster's members, named by the literal identifier
        (AURORA_PUB, "resource", "tcp", "5432"), (AURORA_LIT, "resource", "tcp", "5432"),
        # [DMS][PUBLIC] the instance in the public subnet group, named by its literal id
        (DMS_PUB, "resource", "tcp", "443"),
        # [MSK] brokers with Elastic IPs
        (MSK_PUB, "resource", "tcp", "9198"),
        # [V6] the control: the only IPv6 exposure
        (V6_HOST, "resource", "all", "all"),
        (AURORA, "group", "tcp", "5432"), (DMS, "group", "tcp", "443"), (MEMDB, "group", "tcp", "6379"),
        (MSK, "group", "tcp", "9198"), (V6, "group", "all", "all"), (V6_RULE, "group", "all", "all")}
    res = _resources(r)
    assert {a: (e["family"], e["sources"], e["via"]) for a, e in res.items()} == {
        AURORA_PUB: ("ipv4", ["0.0.0.0/0"], [AURORA]), AURORA_LIT: ("ipv4", ["0.0.0.0/0"], [AURORA]),
        DMS_PUB: ("ipv4", ["0.0.0.0/0"], [DMS]), MSK_PUB: ("ipv4", ["0.0.0.0/0"], [MSK]),
        V6_HOST: ("ipv6", ["::/0"], [V6])}
    assert "SERVICE_PROVIDED_EIPS" in res[MSK_PUB]["reason"]
    # [PUBLIC] publicly_accessible members of private subnets, [MEMDB], [V6], [MSK] unset
    for address in [AURORA_PRIV, DMS_PRIV, "aws_memorydb_cluster.mem", MSK_PRIV, *IPV4_ONLY]:
        assert address not in res
    assert r["resource_flows"] == [] and r["paths"] == []
    # nothing about these is left unknown: no public address, no IPv6 question
    assert r["unknown"] == []


def test_plan_with_its_sources():
    _check(tfsg_json("show", plan("engine_data_tier")))


def test_sources_alone():
    _check(tfsg_json("show", str(FIXTURES / "engine_data_tier")))


def test_plan_alone():
    """Without the .tf files: plan JSON still names each member's cluster and subnet group (as a
    literal or in the configuration's references) and records ``route = []``, so the same
    resources are exposed. It marks ``broker_node_group_info.connectivity_info`` of msk_private
    unknown (Optional+Computed, not written): whether its brokers get Elastic IPs may be an
    explicit unknown, never an exposure."""
    r = tfsg_json("show", plan("engine_data_tier"), "--no-sources")
    assert {(e["address"], e["protocol"], e["ports"]) for e in r["exposed"] if e["kind"] == "resource"} == {
        (AURORA_PUB, "tcp", "5432"), (AURORA_LIT, "tcp", "5432"), (DMS_PUB, "tcp", "443"),
        (MSK_PUB, "tcp", "9198"), (V6_HOST, "all", "all")}
    assert {(u["address"], u["attribute"]) for u in r["unknown"]} <= {(MSK_PRIV, "public address")}
