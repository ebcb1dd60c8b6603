"""Does a resource's network interface get IPv6 addresses (IPv6 addresses are public)?

EC2 gives an interface global IPv6 addresses in several ways, each an argument of the provider
(aws 5.100.0 schema), read the same way (``_own_ipv6``):

* addresses: ``ipv6_address_count``, ``ipv6_addresses`` (aws_instance, spot requests,
  aws_network_interface, a launch template's ``network_interfaces``); on aws_network_interface
  also ``ipv6_address_list`` when ``ipv6_address_list_enabled`` (provider docs);
* prefixes: ``ipv6_prefix_count``, ``ipv6_prefixes`` (aws_network_interface, a launch
  template's ``network_interfaces``): a delegated /80 of the subnet's IPv6 block, routed to the
  interface (EC2 user guide, "Prefix delegation for Amazon EC2 network interfaces");
* ``enable_primary_ipv6`` / ``primary_ipv6`` marks one of the interface's IPv6 addresses primary
  (EC2 API RunInstances/CreateNetworkInterface EnablePrimaryIpv6: "the first IPv6 GUA associated
  with the ENI"); the provider's docs say it "assigns" one, so alone it is an unknown;
* the subnet's ``assign_ipv6_address_on_creation``.

Known and set is an address; written but known only after apply is an unknown, never "none".
IPv4 prefixes (``ipv4_prefix_count``, ``ipv4_prefixes``) are private addresses: they give no
public IPv4 (only eth0's primary private address gets the automatic public IPv4, or an Elastic
IP: EC2 user guide, "Public IPv4 addresses"), so no reader looks at them.
"""

from __future__ import annotations

from typing import Any, Optional

from ..attachments import LAUNCHED_ON_INTERFACES, launched_on_interfaces

Signal = tuple[Optional[bool], str]

# Managed services whose interfaces get IPv6 addresses only when their own argument asks for it
# (each API defaults to IPv4 only; the subnet's assign_ipv6_address_on_creation does not decide):
# type -> (argument, the values that give IPv6 addresses). RDS CreateDBInstance/CreateDBCluster
# NetworkType, ElastiCache NetworkType, OpenSearch IPAddressType, VPC endpoint IpAddressType,
# DMS NetworkType.
_DUAL_STACK: dict[str, tuple[str, tuple[str, ...]]] = {
    "aws_db_instance": ("network_type", ("DUAL",)),
    "aws_rds_cluster_instance": ("network_type", ("DUAL",)),  # its cluster's
    "aws_rds_shard_group": ("network_type", ("DUAL",)),  # its cluster's
    "aws_dms_replication_instance": ("network_type", ("DUAL",)),
    "aws_elasticache_cluster": ("network_type", ("dual_stack", "ipv6")),
    "aws_elasticache_replication_group": ("network_type", ("dual_stack", "ipv6")),
    "aws_opensearch_domain": ("ip_address_type", ("dualstack",)),
    "aws_vpc_endpoint": ("ip_address_type", ("dualstack", "ipv6")),
}
# Services with no IPv6 setting in the provider (5.100): IPv4 addresses only.
_IPV4_ONLY = {"aws_efs_mount_target", "aws_redshift_cluster", "aws_memorydb_cluster", "aws_dax_cluster",
              "aws_mq_broker", "aws_msk_cluster", "aws_elasticache_serverless_cache", "aws_docdb_cluster",
              "aws_docdb_cluster_instance", "aws_neptune_cluster", "aws_neptune_cluster_instance",
              "aws_elasticsearch_domain", "aws_redshiftserverless_workgroup", "aws_directory_service_directory"}

# Where EC2 resources keep their interface's arguments (an Auto Scaling group's are read from its
# launch template: Placements.public), and which of them give IPv6 addresses:
# (argument, "count" | "list" | "enabled list" | "primary").
_NIC = ("network_interfaces", 0)
_ADDRESSES = (("ipv6_address_count", "count"), ("ipv6_addresses", "list"))
_PREFIXES = (("ipv6_prefix_count", "count"), ("ipv6_prefixes", "list"))
_OWN_IPV6: dict[str, tuple[tuple, tuple[tuple[str, str], ...]]] = {
    "aws_instance": ((), _ADDRESSES + (("enable_primary_ipv6", "primary"),)),
    "aws_spot_instance_request": ((), _ADDRESSES + (("enable_primary_ipv6", "primary"),)),
    "aws_network_interface": ((), _ADDRESSES + _PREFIXES + (("ipv6_address_list", "enabled list"),
                                                           ("enable_primary_ipv6", "primary"))),
    "aws_launch_template": (_NIC, _ADDRESSES + _PREFIXES + (("primary_ipv6", "primary"),)),
    "aws_autoscaling_group": (_NIC, _ADDRESSES + _PREFIXES + (("primary_ipv6", "primary"),)),
}
_WHY = {"ipv6_prefix_count": "{arg} = {value}: a delegated IPv6 prefix, global addresses of its own",
        "ipv6_prefixes": "{arg}: a delegated IPv6 prefix, global addresses of its own",
        "ipv6_address_list": "ipv6_address_list_enabled with {arg}: it has those IPv6 addresses",
        "ipv6_addresses": "it has IPv6 addresses", "ipv6_address_count": "{arg} = {value}"}


def _own_ipv6(resource_type: str, get: Any) -> Optional[Signal]:
    """What the resource's own arguments say: (True, why) when one gives addresses, (None, why)
    when one written is known only after apply (or only marks a primary address), None when none
    gives any. ``get`` reads a setting: an unwritten argument is (True, None)."""
    spec = _OWN_IPV6.get(resource_type)
    if spec is None:
        return None
    prefix, arguments = spec
    pending: Optional[str] = None
    for arg, kind in arguments:
        known, value = get(prefix + (arg,))
        path = arg  # (a template's: of its first network interface)
        if kind == "enabled list":
            known_on, enabled = get(prefix + ("ipv6_address_list_enabled",))
            if known_on and enabled is not True:
                continue  # the list is only read back, and gives nothing (provider docs)
            known = known and known_on
        if not known:
            pending = pending or f"{path} is known only after apply"
        elif _gives(kind, value):
            return True, _WHY[arg].format(arg=path, value=value)
        elif kind == "primary" and (value is True or str(value).lower() == "true"):
            pending = pending or (f"{path} = true: EC2 marks one of its IPv6 addresses primary, and whether "
                                  "it assigns one of its own is not documented")
    return (None, pending) if pending else None


def _gives(kind: str, value: Any) -> bool:
    """A count above zero, or a non-empty list of addresses or prefixes."""
    if kind == "count":
        return isinstance(value, int) and not isinstance(value, bool) and value > 0
    return kind in ("list", "enabled list") and isinstance(value, (list, tuple, set)) and bool(value)


def ipv6_signal(resource_type: str, get: Any, assign_ipv6: Optional[bool], cluster_get: Any = None) -> Signal:
    """Does the resource get an IPv6 address (IPv6 addresses are public)? The subnet's
    ``assign_ipv6_address_on_creation`` decides for what EC2 launches in it (instances, their
    templates and groups, network interfaces, tasks) unless its own arguments give addresses; a
    managed service's own argument for it."""
    if resource_type in ("aws_lb", "aws_alb", "aws_elb"):
        known, internal = get(("internal",))
        known_type, kind = get(("ip_address_type",))
        if known and internal is True:
            return False, "internal load balancer"
        if known_type and isinstance(kind, str) and kind.startswith("dualstack"):
            return (None if not known else True), f"ip_address_type = {kind}"
        return False, "ip_address_type is ipv4"
    if resource_type in ("aws_instance", "aws_spot_instance_request") and launched_on_interfaces(get):
        return False, LAUNCHED_ON_INTERFACES
    own = _own_ipv6(resource_type, get)
    if own is not None and (own[0] is True or assign_ipv6 is not True):
        return own
    if resource_type in _DUAL_STACK:
        argument, dual = _DUAL_STACK[resource_type]
        reader = cluster_get if resource_type in ("aws_rds_cluster_instance", "aws_rds_shard_group") else get
        if reader is None:
            return None, f"its cluster's {argument} is not in the plan"
        known, value = reader((argument,))
        if not known:
            return None, f"{argument} is known only after apply"
        if value not in dual:
            return False, f"{argument} is {value or 'not set'} (IPv4 only)"
        if resource_type in ("aws_db_instance", "aws_rds_cluster_instance", "aws_dms_replication_instance",
                             "aws_rds_shard_group"):
            known_pub, pub = get(("publicly_accessible",))
            if resource_type == "aws_rds_shard_group" and known_pub and pub is None:
                pub = True  # CreateDBShardGroup: public by default in a VPC with an internet gateway
            return (pub is True if known_pub else None), f"{argument} = {value}"
        return True, f"{argument} = {value}: its IPv6 addresses are public"
    if resource_type in _IPV4_ONLY:
        return False, f"{resource_type} has IPv4 addresses only"
    if resource_type == "aws_rds_cluster":
        return False, "cluster members are aws_rds_cluster_instance; their settings decide"
    if resource_type == "aws_lambda_function":
        return False, "Lambda functions accept no inbound connections"
    if assign_ipv6 is True:
        return True, "its subnet assigns IPv6 addresses on creation"
    if assign_ipv6 is None:
        return None, "whether it gets an IPv6 address depends on its subnets, which the plan does not show"
    return False, "no IPv6 address (none requested, and its subnet assigns none)"

