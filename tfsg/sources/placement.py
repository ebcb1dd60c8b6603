"""Where a resource's network interfaces live, and whether the internet can address them.

Per address family, as AWS decides it (issue 10, "exposure per family"):

* IPv4: a public address (the provider-documented signals of ``attachments.public_signal``: a
  public IP, ``associate_public_ip_address``, the subnet's ``map_public_ip_on_launch``, an
  internet-facing load balancer, ``publicly_accessible``, an Elastic IP).
* IPv6: IPv6 addresses are public; an interface has one when it asks for it
  (``ipv6_address_count``, ``ipv6_addresses``) or its subnet assigns one on creation
  (``assign_ipv6_address_on_creation``); a dual-stack internet-facing load balancer has them.
* Either family is reachable only when the subnet routes it to an internet gateway
  (``routes.RouteIndex``); when the plan does not hold the route tables the route is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..attachments import (
    LAUNCHED_ON_INTERFACES,
    SUBNET_GROUP_NAME,
    SUBNET_GROUP_TYPES,
    SUBNET_PATHS,
    launched_on_interfaces,
    public_signal,
)
from ..netsets import AddressSet
from .beanstalk import ENVIRONMENT, VPC, settings
from .instances import Instance
from .refs import Lit, Res, Term
from .refs import flatten_strings as _flatten
from .routes import ASSUMED, RouteIndex, Routing

Signal = tuple[Optional[bool], str]


ANY_IPV6 = AddressSet.parse("::/0")


@dataclass(frozen=True)
class Placement:
    """The subnets a resource's interfaces are in, as far as the plan says."""

    addresses: Optional[AddressSet] = None  # the subnets' CIDRs (None: unknown)
    map_public: Optional[bool] = None  # map_public_ip_on_launch of the subnets
    assign_ipv6: Optional[bool] = None  # assign_ipv6_address_on_creation of the subnets
    vpc: Optional[str] = None
    subnets: tuple[Instance, ...] = ()


class Placements:
    """Placement and public addresses of the resources of one side; subnets read once."""

    def __init__(self, builder: Any) -> None:
        self.b = builder
        self.routes: Optional[RouteIndex] = None
        self._beyond: Optional[Any] = None  # vpc_routes.BeyondRoutes, made when several VPCs are planned
        self._groups_by_name: Optional[dict[str, list[Instance]]] = None
        self._default_subnets: dict[Optional[str], Placement] = {}  # per Region
        # resource -> (its IPv4 and IPv6 address signals before routing, its subnets' routing):
        # what it was launched with is the address, never the route (hcl/relaunch.py)
        self.unrouted: dict[str, tuple[Signal, Signal, Routing]] = {}

    # ------------------------------------------------------------------ subnets

    def of(self, inst: Instance) -> Placement:
        subnets: list[Instance] = []
        unresolved = found_any = False
        if inst.type == ENVIRONMENT:  # an Elastic Beanstalk environment: its Subnets option
            written = [settings(self.b, inst).items(VPC, "Subnets")]
        else:
            # (a path whose first step the object lacks is not set: a plan's object holds every
            # attribute of its type, null when unset, and marks the unknown ones)
            values, unknown = inst.values, inst.unknown
            written = [self.b.terms(inst, path, optional=True)
                       for steps in SUBNET_PATHS
                       if inst.partial or unknown is True or steps[0] in values
                       or (unknown.__class__ is dict and steps[0] in unknown)
                       for path in self.b._expand(inst, steps)]
        for found in written:
            terms = [t for t in found if not (isinstance(t, Lit) and t.value in (None, [], ""))]  # not set
            if not terms:
                continue
            found_any = True
            for term in terms:
                resolved = self._subnets(term, inst)
                if resolved is None:
                    unresolved = True
                else:
                    subnets += resolved
        if not found_any and self._in_default_subnet(inst):
            return self._default_subnet(inst)
        if not found_any or unresolved or not subnets:
            return Placement()
        addresses: Optional[AddressSet] = AddressSet()
        v4_flags: set[Optional[bool]] = set()
        v6_flags: set[Optional[bool]] = set()
        vpc = None
        for subnet in subnets:
            for attr in ("cidr_block", "ipv6_cidr_block"):
                known, val = self.b.value(subnet, (attr,))
                if addresses is None:
                    break
                if known and isinstance(val, str) and val:
                    try:
                        addresses = addresses | AddressSet.parse(val)
                    except ValueError:
                        addresses = None
                elif attr == "cidr_block" and known and val is None and self._ipv6_native(subnet):
                    continue  # an IPv6-only subnet (ipv6_native): its members have no IPv4 address
                elif attr == "cidr_block":
                    # a block known only after apply (an IPAM pool's, a default subnet's): where
                    # the members are is unknown, not whether the subnet maps public IPs or
                    # routes to the internet, which the plan may still say
                    addresses = None
                elif not known:
                    # an IPv6 block known only after apply (a /64 of the VPC's Amazon-provided
                    # /56): any IPv6 block may hold the members' IPv6 addresses
                    addresses = addresses | ANY_IPV6
            for attr, flags in (("map_public_ip_on_launch", v4_flags), ("assign_ipv6_address_on_creation", v6_flags)):
                known, flag = self.b.value(subnet, (attr,))
                if (not known or flag is None) and attr == "map_public_ip_on_launch" \
                        and subnet.type == "aws_default_subnet" and not self.b.config.written(subnet.address, attr):
                    # a default subnet the .tf files adopt without setting it: AWS made it
                    # mapping public IPv4 addresses (VPC user guide, "Default subnets")
                    known, flag = True, True
                if attr == "assign_ipv6_address_on_creation" and self._ipv6_native(subnet):
                    # an interface in an IPv6-only subnet has an IPv6 address or none at all
                    known, flag = True, True
                flags.add(flag if known and isinstance(flag, bool) else None)
            vpc = vpc or self.b._vpc_key(subnet)
        return Placement(addresses, _any(v4_flags), _any(v6_flags), vpc, tuple(subnets))

    def _ipv6_native(self, subnet: Instance) -> bool:
        """An IPv6-only subnet (``ipv6_native = true``: VPC user guide, "IPv6-only subnets"), which
        has no IPv4 block: its interfaces have IPv6 addresses only."""
        known, native = self.b.value(subnet, ("ipv6_native",))
        return known and native is True

    def _in_default_subnet(self, inst: Instance) -> bool:
        """An instance launched with no subnet, network interface or launch template: AWS picks
        a default subnet of the default VPC ("If you don't specify a subnet, we choose a default
        subnet from your default VPC", EC2 user guide, "Launch an instance")."""
        if inst.type not in ("aws_instance", "aws_spot_instance_request"):
            return False
        for attr in ("network_interface", "launch_template", "primary_network_interface"):
            if self.b.config.written(inst.address, attr) or self.b.value(inst, (attr,))[1]:
                return False
        return True

    def _default_subnet(self, inst: Instance) -> Placement:
        """Default subnets assign public IPv4 addresses on launch (VPC user guide, "Default
        subnets"), unless the plan's ``aws_default_subnet`` resources of the Region say otherwise."""
        region = self.b.region_of(inst)
        hit = self._default_subnets.get(region)
        if hit is None:
            flags: set[Optional[bool]] = set()
            vpc = None
            for other in self.b.instances:
                if other.type == "aws_default_subnet" and self.b.same_region(other, inst):
                    known, flag = self.b.value(other, ("map_public_ip_on_launch",))
                    flags.add(flag if known and isinstance(flag, bool) else None)
                elif other.type == "aws_default_vpc" and self.b.same_region(other, inst):
                    vpc = vpc or other.addr
            map_public = True if not flags or flags == {None} else _any(flags)
            hit = self._default_subnets[region] = Placement(None, map_public, None, vpc, ())
        return hit

    def _subnets(self, term: Term, inst: Instance) -> Optional[list[Instance]]:
        if isinstance(term, Res):
            if term.instance.type in ("aws_subnet", "aws_default_subnet"):
                return [term.instance]
            if term.instance.type in SUBNET_GROUP_TYPES:
                out: list[Instance] = []
                for sub in self.b.terms(term.instance, ("subnet_ids",)):
                    got = self._subnets(sub, inst)
                    if got is None:
                        return None
                    out += got
                return out
            return None
        if isinstance(term, Lit):
            values: list[str] = []
            _flatten(term.value, values)
            out = []
            for v in values:
                if v in self.b.subnets:
                    out.append(self.b.subnets[v])
                    continue
                group = self._subnet_group_named(v, inst)  # db_subnet_group_name = "orders-db"
                got = self._subnets(Res(group, ()), inst) if group is not None else None
                if got is None:
                    return None
                out += got
            return out
        return None

    def _subnet_group_named(self, name: str, inst: Instance) -> Optional[Instance]:
        """The subnet group of that name in ``inst``'s Region (names are unique per Region:
        build/regions.py); None when the plan has none there."""
        if self._groups_by_name is None:
            self._groups_by_name = {}
            for group in self.b.instances:
                if group.type in SUBNET_GROUP_TYPES:
                    known, value = self.b.value(group, (SUBNET_GROUP_NAME.get(group.type, "name"),))
                    if known and isinstance(value, str):
                        self._groups_by_name.setdefault(value, []).append(group)
        return next((g for g in self._groups_by_name.get(name, ()) if self.b.same_region(g, inst)), None)

    # ------------------------------------------------------------------ public addresses

    def public(self, inst: Instance, place: Placement, eip: Optional[str],
               template: Optional[Instance] = None, cluster: Optional[Instance] = None) -> tuple[Signal, Signal]:
        """(IPv4, IPv6): is the resource addressable from the internet, and why. ``template``: the
        launch template an Auto Scaling group launches from, whose network interface settings
        (``associate_public_ip_address``) its instances get; ``cluster``: the Aurora cluster of
        an instance, whose ``network_type`` it has."""
        own = template is not None and inst.type in ("aws_instance", "aws_spot_instance_request")
        source = inst if own else template or inst
        hidden: tuple[str, ...] = ()
        prior = self.b.prior
        if eip is None and prior is not None and prior.eip_links and inst.type == "aws_instance" \
                and self.b.value(inst, ("public_ip",))[1] in prior.eip_links.values():
            # its read-back public IP (and associate_public_ip_address) are an Elastic IP's that
            # this apply disassociates: it keeps a public IP only if it was launched with one
            # (EC2 user guide, "Elastic IP addresses": disassociating gives an instance launched
            # with a public IPv4 a new one), as its configuration or its subnet says
            written = self.b.config.written(inst.address, "associate_public_ip_address")
            hidden = ("public_ip",) if written else ("public_ip", "associate_public_ip_address")

        def get(path: tuple) -> tuple[bool, Any]:
            return (True, None) if len(path) == 1 and path[0] in hidden else self.b.setting(source, path)

        if inst.type == ENVIRONMENT:
            return settings(self.b, inst).public(place.map_public)

        # an Auto Scaling group's instances: read as its template (or launch configuration) says
        kind = template.type if template is not None and not own else inst.type
        v4 = public_signal(kind, get, place.map_public)
        cluster_get = (lambda p: self.b.setting(cluster, p)) if cluster is not None else None
        v6 = ipv6_signal(kind, get, place.assign_ipv6, cluster_get)
        if v6[0] is not False and inst.action in ("no-op", "update") and inst.type in _HAS_OWN_ADDRESSES:
            # an existing instance or interface has the IPv6 addresses it reads back: the
            # subnet's assign_ipv6_address_on_creation applies to interfaces created later (EC2
            # API, ModifySubnetAttribute AssignIpv6AddressOnCreation)
            known, addrs = self.b.value(inst, ("ipv6_addresses",))
            if known and isinstance(addrs, list) and not addrs:
                v6 = (False, "it has no IPv6 address (the subnet's setting applies to new interfaces only)")
        if own and template is not None:
            # an instance launched from a template: what the instance sets itself wins, else the
            # template's first network interface (EC2 API RunInstances, "LaunchTemplate")
            from_template = lambda p: self.b.setting(template, p)
            if not _instance_sets(get, ("associate_public_ip_address", "public_ip")):
                v4 = public_signal("aws_launch_template", from_template, place.map_public)
            if v6[0] is not True and not _instance_sets(get, ("ipv6_address_count", "ipv6_addresses")):
                t6 = ipv6_signal("aws_launch_template", from_template, place.assign_ipv6)
                v6 = t6 if t6[0] is not False or v6[0] is False else v6
        if eip:
            v4 = (True, f"Elastic IP {eip} is associated with it")
        if inst.type in ("aws_lb", "aws_alb") and v4[0] is True:
            known, kind = get(("ip_address_type",))
            if known and kind == "dualstack-without-public-ipv4":
                v4 = (False, "ip_address_type = dualstack-without-public-ipv4: no public IPv4 address")
        if not place.subnets or (v4[0] is False and v6[0] is False):
            return v4, v6
        if self.routes is None:
            self.routes = RouteIndex(self.b)
        routing = _combine([self.routes.subnet(s) for s in place.subnets])
        self.unrouted[inst.addr] = (v4, v6, routing)
        return routed(v4, v6, routing)


    def beyond_routes(self) -> Any:
        """The routes out of each VPC (vpc_routes.BeyondRoutes), read once; asked only when the
        plan holds several VPCs."""
        if self._beyond is None:
            from .vpc_routes import BeyondRoutes

            if self.routes is None:
                self.routes = RouteIndex(self.b)
            self._beyond = BeyondRoutes(self.routes)
        return self._beyond


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


# Resources that are (or own) the interface itself: what they read back is what they have.
_HAS_OWN_ADDRESSES = ("aws_instance", "aws_spot_instance_request", "aws_network_interface")


def ipv6_signal(resource_type: str, get: Any, assign_ipv6: Optional[bool], cluster_get: Any = None) -> Signal:
    """Does the resource get an IPv6 address (IPv6 addresses are public)? The subnet's
    ``assign_ipv6_address_on_creation`` decides for what EC2 launches in it (instances, their
    templates and groups, network interfaces, tasks); a managed service's own argument for it."""
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
    # an Auto Scaling group's settings are read from its launch template (Placements.public)
    paths = {"aws_instance": ("",), "aws_spot_instance_request": ("",), "aws_network_interface": ("",),
             "aws_launch_template": ("network_interfaces", 0), "aws_autoscaling_group": ("network_interfaces", 0)}
    steps = paths.get(resource_type)
    if steps is not None:
        prefix = tuple(p for p in steps if p != "")
        known, count = get(prefix + ("ipv6_address_count",))
        known_list, addrs = get(prefix + ("ipv6_addresses",))
        if known and isinstance(count, int) and count > 0:
            return True, f"ipv6_address_count = {count}"
        if known_list and isinstance(addrs, list) and addrs:
            return True, "it has IPv6 addresses"
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


def _instance_sets(get: Any, attrs: tuple[str, ...]) -> bool:
    """Does the instance give one of ``attrs`` itself (known and set)?"""
    for attr in attrs:
        known, value = get((attr,))
        if known and (value not in (None, "", []) or (attr == "public_ip" and isinstance(value, str))):
            return True  # an existing instance's public_ip ("" too) says what it has
    return False


def routed(v4: Signal, v6: Signal, routing: Routing) -> tuple[Signal, Signal]:
    """The address signals of each family as the internet sees them through ``routing``: an
    address counts only where the subnet routes its family to an internet gateway."""
    return _routed(v4, routing.ipv4, routing, "IPv4"), _routed(v6, routing.ipv6, routing, "IPv6")


def _routed(signal: Signal, routed: Optional[bool], routing: Routing, family: str) -> Signal:
    public, reason = signal
    if public is False:
        return signal
    if routed is False:
        return False, f"{reason}, but {routing.why(family)}"
    if routed is None:
        return public, f"{reason} ({routing.why(family)})"
    return signal


def _combine(routings: list[Routing]) -> Routing:
    """Several subnets: routed if any is, not routed if all are known not to be."""
    if any(r is ASSUMED for r in routings):
        return ASSUMED

    def family(flags: list[Optional[bool]]) -> Optional[bool]:
        return True if True in flags else (None if None in flags else False)

    v4, v6 = family([r.ipv4 for r in routings]), family([r.ipv6 for r in routings])
    return Routing(v4, v6, "; ".join(sorted({r.reason for r in routings})),
                   "; ".join(sorted({r.why("IPv4") for r in routings})),
                   "; ".join(sorted({r.why("IPv6") for r in routings})))


def _any(flags: set) -> Optional[bool]:
    return flags.pop() if len(flags) == 1 else (None if None in flags else True)

