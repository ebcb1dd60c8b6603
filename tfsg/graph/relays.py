"""Which resources end a path from the internet and never continue one: managed data stores.

A managed data store (an RDS or Aurora instance, an ElastiCache or MemoryDB cluster, Redshift,
OpenSearch, DocumentDB, Neptune, DAX, Amazon MQ, MSK, an EFS mount target...) answers on its
service ports and runs no code a client can make open a connection elsewhere: it is an AWS-run
endpoint, not a host one exploits to reach the next one (AWS shared responsibility model: the
service's operating system and software are AWS's; RDS user guide, "Amazon RDS DB instances":
no shell access). A path that reaches one ends there. The flows its groups allow out of it stay
in the resource flows (what the groups say); only the path search does not continue through it
(resource_edges.ResourceEdges.successors/services). An RDS Proxy is not one: it opens
connections to its registered databases (resource_edges.TO_DATABASES); nor is a DMS replication
instance (reference-notes DS14.4).
"""

from __future__ import annotations

# (the stores of sources/store_ports.py, PORT_ARGUMENT and FIXED, with cluster members and the
# stores whose port it does not read; listed here: graph does not import sources)
STORE_TYPES: frozenset[str] = frozenset((
    "aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance", "aws_rds_shard_group",
    "aws_docdb_cluster", "aws_docdb_cluster_instance", "aws_docdb_elastic_cluster",
    "aws_neptune_cluster", "aws_neptune_cluster_instance", "aws_redshift_cluster",
    "aws_redshiftserverless_workgroup", "aws_elasticache_cluster", "aws_elasticache_replication_group",
    "aws_elasticache_serverless_cache", "aws_memorydb_cluster", "aws_timestreaminfluxdb_db_instance",
    "aws_efs_mount_target", "aws_opensearch_domain", "aws_elasticsearch_domain", "aws_dax_cluster",
    "aws_msk_cluster", "aws_msk_serverless_cluster", "aws_mq_broker"))

__all__ = ["STORE_TYPES"]
