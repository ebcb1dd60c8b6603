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
  (MySQL 3306, PostgreSQL 5432, SQL Server 1433: RDS user guide, "RDS Proxy"). (A DMS
  replication instance documents no listener, yet AWS's own Security Hub control DMS.1 holds a
  public one a finding: its edges are not narrowed.)
- an Aurora PostgreSQL cluster with Babelfish on (its cluster parameter group) also serves TDS
  (``babelfish_port``); a parameter group the plan does not show may turn it on: not narrowed.
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
# The port when none is written (a create plan leaves an Optional+Computed ``port`` unknown; a
# directory read without the provider has no schema default): per engine, RDS API
# CreateDBInstance and CreateDBCluster "Port" ("Default: ..."); per type, the provider's schema
# default or the service's (DocumentDB 27017, Neptune 8182, Redshift and Redshift Serverless
# 5439, MemoryDB and ElastiCache Redis/Valkey 6379, Memcached 11211, Timestream for InfluxDB 8086)
_ENGINE_PORTS = (("aurora-postgresql", 5432), ("aurora-mysql", 3306), ("aurora", 3306), ("postgres", 5432),
                 ("mysql", 3306), ("mariadb", 3306), ("custom-sqlserver", 1433), ("sqlserver", 1433),
                 ("custom-oracle", 1521), ("oracle", 1521), ("db2", 50000))
_TYPE_PORTS = {"aws_docdb_cluster": 27017, "aws_neptune_cluster": 8182, "aws_redshift_cluster": 5439,
               "aws_redshiftserverless_workgroup": 5439, "aws_memorydb_cluster": 6379,
               "aws_elasticache_replication_group": 6379, "aws_timestreaminfluxdb_db_instance": 8086}
# engines whose instances serve more than their port argument (option groups add listeners)
_MORE_PORTS = ("oracle", "custom-oracle", "db2")


def served_ports(inst: Any, value: Any, setting: Any = None,
                 referenced: Any = None) -> tuple[Optional[tuple[int, ...]], bool]:
    """(the TCP ports the data store serves, whether that is all it serves), or (None, False)
    when the plan cannot tell. ``value(inst, path) -> (known, value)`` reads the plan;
    ``setting`` the same, an unknown the configuration does not write being (True, None): unset,
    so the default (the builder's ``setting``; without it, unknown stays unknown); ``referenced``
    the builder's (an instance's option group in the plan; without it, not narrowed)."""
    setting = setting or value
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
        known, engine = value(inst, ("engine",))
        engine = engine.lower() if known and isinstance(engine, str) else None
        copied = any(_set(setting(inst, (arg,))) for arg in _COPIED_FROM)
        known, port = setting(inst, ("port",))
        if known and port is None:  # not written: the engine's or the type's default
            # ... unless it is copied from another database: a restore keeps the snapshot's port
            # and a replica its source's (RDS API RestoreDBInstanceFromDBSnapshot, CreateDBInstanceReadReplica,
            # RestoreDBClusterFromSnapshot "Port": "Default: The same port as the original ...")
            port = None if copied else _default_port(kind, engine)
        if not (known and isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536):
            return None, False
        # an instance whose engine only apply knows (restored from a snapshot) may be Oracle
        more = (engine is None and kind == "aws_db_instance") or (engine or "").startswith(_MORE_PORTS)
        added: tuple[int, ...] = ()
        if kind == "aws_db_instance" and (not more or (engine or "").startswith("oracle")):
            # an option group of its own may add listeners to any engine (SQL Server Reporting
            # Services on 8443, MySQL's memcached option on 11211: RDS user guide, "Options for
            # ..."); the engine's default option group, which an instance that names none gets
            # ("Working with option groups"), adds none
            known, group = setting(inst, ("option_group_name",))
            own = not known or (isinstance(group, str) and bool(group) and not group.startswith("default:"))
            # a replica or a restore that names none takes its source's or snapshot's option group
            # (RDS API CreateDBInstanceReadReplica / RestoreDBInstanceFromDBSnapshot "OptionGroupName")
            if own or (copied and not group):
                # an option group the plan holds with known options adds the listeners of those
                # options only (an Oracle instance's included); another stays not narrowed
                found = option_group_ports(inst, setting, referenced) if own and referenced else None
                more = found is None
                added = found or ()
        return tuple(sorted({port, *added})), not more
    return None, False


# Options that open a listener of their own, with its default port when the option's ``port`` is
# not set (RDS user guide: "Oracle Enterprise Manager Database Express", OEM Port "The default is
# 5500" (1158 for 11g's OEM Database Control); "Oracle Management Agent for Enterprise Manager
# Cloud Control", OEM_AGENT Port 3872; "Oracle Secure Sockets Layer", SSL port 2484; "MySQL
# memcached support", MEMCACHED port 11211; "Support for SQL Server Reporting Services", SSRS
# port 8443).
_OPTION_PORTS: dict[str, tuple[int, ...]] = {"OEM": (5500, 1158), "OEM_AGENT": (3872,), "SSL": (2484,),
                                             "MEMCACHED": (11211,), "SSRS": (8443,)}
# Options documented with no listener of their own (they work over the database's own port, or
# outbound, or inside the engine: RDS user guide, "Options for ..." of each engine). Any other
# option (MSDTC's RPC ports, SSAS, one tfsg does not know) may add one: the store is not narrowed.
_NO_LISTENER = frozenset(("MARIADB_AUDIT_PLUGIN", "SQLSERVER_BACKUP_RESTORE", "TDE", "SQLSERVER_AUDIT", "SSIS",
                          "APEX", "APEX-DEV", "NATIVE_NETWORK_ENCRYPTION", "NATIVE_NETWORK_CHECKSUM",
                          "TIMEZONE", "TIMEZONE_FILE_AUTOUPGRADE", "STATSPACK", "S3_INTEGRATION", "JVM", "SQLT",
                          "UTL_MAIL", "LOCATOR", "SPATIAL", "MULTIMEDIA", "OLS", "XMLDB"))


def option_group_ports(inst: Any, value: Any, referenced: Any) -> Optional[tuple[int, ...]]:
    """The ports the options of an instance's own option group add, when the plan holds that
    group (``aws_db_option_group``) with a known ``option`` list: () for none or options with
    no listener; None when the group is not in the plan, its options are known only after
    apply, or one is an option tfsg does not know. ``value``: the builder's ``setting`` (an
    option block not written is none); ``referenced``: the builder's, which resolves the group's
    name to the plan's aws_db_option_group."""
    groups = referenced(inst, ("option_group_name",), ("aws_db_option_group",), ("name", "id"))
    if len(groups) != 1:
        return None
    known, options = value(groups[0], ("option",))
    options = [] if known and options is None else options  # no option block written
    if not known or not isinstance(options, (list, tuple)):
        return None
    out: set[int] = set()
    for option in options:
        name = str(option.get("option_name") or "").upper() if isinstance(option, dict) else ""
        if name in _NO_LISTENER:
            continue
        if name not in _OPTION_PORTS:
            return None
        port = option.get("port")
        if port is None:
            out.update(_OPTION_PORTS[name])
        elif isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536:
            out.add(port)
        else:
            return None
    return tuple(sorted(out))


def babelfish_port(parameters: Any) -> Optional[int]:
    """The TDS port an Aurora PostgreSQL cluster parameter group opens, None when Babelfish is
    off: ``rds.babelfish_status`` ``on`` listens on ``babelfishpg_tds.tds_default_port``, 1433 by
    default (Aurora user guide, "Creating a Babelfish for Aurora PostgreSQL DB cluster",
    "DB cluster parameter group settings for Babelfish"). ``parameters``: the group's
    ``parameter`` set as the plan records it."""
    values = {str(p.get("name", "")).lower(): p.get("value") for p in parameters or () if isinstance(p, dict)}
    if str(values.get("rds.babelfish_status", "")).lower() != "on":
        return None
    port = values.get("babelfishpg_tds.tds_default_port")
    return int(port) if isinstance(port, str) and port.isdigit() and 0 < int(port) < 65536 else 1433


# Arguments that make a database a copy of another, whose port it keeps when none is written
_COPIED_FROM = ("snapshot_identifier", "replicate_source_db", "restore_to_point_in_time", "s3_import",
                "replication_source_identifier", "global_cluster_identifier", "source_db_cluster_identifier")


def _set(found: tuple[bool, Any]) -> bool:
    """Written (a value, or one only apply knows), not empty."""
    known, value = found
    return not known or value not in (None, "", [], {})


def _default_port(kind: str, engine: Optional[str]) -> Optional[int]:
    if kind in _TYPE_PORTS:
        return _TYPE_PORTS[kind]
    if kind == "aws_elasticache_cluster":
        return 11211 if engine == "memcached" else 6379 if engine in ("redis", "valkey") else None
    if kind in ("aws_db_instance", "aws_rds_cluster") and engine:
        return next((port for prefix, port in _ENGINE_PORTS if engine.startswith(prefix)), None)
    return None
