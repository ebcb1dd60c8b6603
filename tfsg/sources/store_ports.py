"""The TCP ports a managed data store serves: its ``port`` argument, or the ports the service fixes.

A managed data store answers only on its service ports, whatever its groups admit: an ElastiCache
node configured on 6380 behind a rule for 6379 cannot be reached at all, an EFS mount target
behind a group that admits 443 cannot be reached on 443 (the edges of the resource graph are
narrowed to these ports: graph/resource_edges.py). The policies that name data-store ports take
them too (``store_ports``: a database on 15432, an OpenSearch domain on 443).

Sources, per type:
- ``port`` argument (provider docs of each resource): RDS instances and clusters, DocumentDB,
  Neptune, Redshift (and Serverless), ElastiCache, MemoryDB, Timestream for InfluxDB. An RDS
  instance with an option group of its own also serves what its options add (Oracle SSL 2484,
  OEM 3872, SQL Server Reporting Services 8443, MySQL memcached 11211: RDS user guide, "Options
  for ..."), as does any Oracle or Db2 instance, so its edges are not narrowed.
- fixed by the service: EFS mount targets NFS 2049 (EFS user guide, "Using VPC security groups");
  OpenSearch Service domains 443 and 80 (OpenSearch developer guide, "Launching your domains
  within a VPC"); DAX 8111 and 9111 (DAX developer guide, "Step 3: Configure security group");
  Amazon MQ ActiveMQ 8162, 61617, 5671, 61614, 8883, 61619 and RabbitMQ 5671, 443, 15671 (Amazon
  MQ developer guide, "Security groups" per engine); MSK brokers 9092-9098, their public
  listeners 9194-9198, ZooKeeper 2181, 2182 and open monitoring 11001, 11002 (MSK developer
  guide, "Port information"); MSK Serverless 9098; RDS Proxy its engine family's port
  (MySQL 3306, PostgreSQL 5432, SQL Server 1433: RDS user guide, "RDS Proxy").
"""

from __future__ import annotations

from typing import Any, Optional

# Types whose ``port`` argument is the port they serve (provider 5 docs)
PORT_ARGUMENT = ("aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster",
                 "aws_redshift_cluster", "aws_elasticache_cluster", "aws_elasticache_replication_group",
                 "aws_memorydb_cluster", "aws_redshiftserverless_workgroup", "aws_timestreaminfluxdb_db_instance")

_ACTIVEMQ = (8162, 61617, 5671, 61614, 8883, 61619)
_RABBITMQ = (5671, 443, 15671)
FIXED: dict[str, tuple[int, ...]] = {
    "aws_efs_mount_target": (2049,),
    "aws_opensearch_domain": (443, 80),
    "aws_elasticsearch_domain": (443, 80),
    "aws_dax_cluster": (8111, 9111),
    # (the whole 9092-9098 and 9194-9198 ranges: one listener per client authentication)
    "aws_msk_cluster": tuple(range(9092, 9099)) + tuple(range(9194, 9199)) + (2181, 2182, 11001, 11002),
    "aws_msk_serverless_cluster": (9098,),
}
_PROXY = {"MYSQL": 3306, "POSTGRESQL": 5432, "SQLSERVER": 1433}
# engines whose instances serve more than their port argument (option groups add listeners)
_MORE_PORTS = ("oracle", "custom-oracle", "db2")


def served_ports(inst: Any, value: Any) -> tuple[Optional[tuple[int, ...]], bool]:
    """(the TCP ports the data store serves, whether that is all it serves), or (None, False)
    when the plan cannot tell. ``value(inst, path) -> (known, value)`` reads the plan."""
    kind = inst.type
    if kind in FIXED:
        return FIXED[kind], True
    if kind == "aws_mq_broker":
        known, engine = value(inst, ("engine_type",))
        name = str(engine).lower() if known and engine else ""
        ports = _ACTIVEMQ if name == "activemq" else _RABBITMQ if name == "rabbitmq" else \
            tuple(sorted(set(_ACTIVEMQ + _RABBITMQ)))
        return ports, True
    if kind in ("aws_db_proxy",):
        known, family = value(inst, ("engine_family",))
        port = _PROXY.get(str(family).upper()) if known else None
        return ((port,), True) if port else (None, False)
    if kind in PORT_ARGUMENT:
        known, port = value(inst, ("port",))
        if not (known and isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536):
            return None, False
        known, engine = value(inst, ("engine",))
        # an instance whose engine only apply knows (restored from a snapshot) may be Oracle
        more = (not known and kind == "aws_db_instance") or \
            (known and isinstance(engine, str) and engine.lower().startswith(_MORE_PORTS))
        if kind == "aws_db_instance" and not more:
            # an option group of its own may add listeners to any engine (SQL Server Reporting
            # Services on 8443, MySQL's memcached option on 11211: RDS user guide, "Options for
            # ..."); the engine's default option group adds none
            known, group = value(inst, ("option_group_name",))
            more = not known or (isinstance(group, str) and bool(group) and not group.startswith("default:"))
        return (port,), not more
    return None, False
