"""Where a resource's network interfaces live, and whether the internet can address them.

Per address family, as AWS decides it (issue 10, "exposure per family"):

* IPv4: a public address (the provider-documented signals of ``attachments.public_signal``: a
  public IP, ``associate_public_ip_address``, the subnet's ``map_public_ip_on_launch``, an
  internet-facing load balancer, ``publicly_accessible``, an Elastic IP).
* IPv6: IPv6 addresses are public; an interface has them when one of its arguments gives
  them (addresses, delegated prefixes, an enabled address list: ``ipv6_addresses.py``) or its
  subnet assigns one on creation (``assign_ipv6_address_on_creation``); a dual-stack
  internet-facing load balancer has them.
* Either family is reachable only when the subnet routes it to an internet gateway
  (``routes.RouteIndex``); when the plan does not hold the route tables the route is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..attachments import SUBNET_GROUP_NAME, SUBNET_GROUP_TYPES, SUBNET_PATHS, public_signal
from ..netsets import AddressSet
from .beanstalk import ENVIRONMENT, VPC, settings
from .instances import Instance
from .ipv6_addresses import Signal, ipv6_signal
from .refs import Lit, Res, Term
from .refs import flatten_strings as _flatten
from .routes import ASSUMED, RouteIndex, Routing

__all__ = ["Placement", "Placements", "ipv6_signal", "routed"]

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
        self._default_subnets: dict[tuple, Placement] = {}  # per Region and zones
        self._default_templates: set[str] = set()  # templates an instance launches into a default subnet
        self._by_addr: Optional[dict[str, Instance]] = None
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
        """A launch that names no subnet anywhere lands in a default subnet of the default VPC:
        an instance with no subnet, network interface, or launch template naming one ("If you
        don't specify a subnet, we choose a default subnet from your default VPC", EC2 user
        guide, "Launch an instance"); an Auto Scaling group given ``availability_zones`` and no
        ``vpc_zone_identifier`` ("used for launching into the default VPC subnet in each
        Availability Zone when not using the VPCZoneIdentifier property", EC2 Auto Scaling API
        CreateAutoScalingGroup AvailabilityZones) whose templates name none. A template the
        plan does not hold leaves it unknown. (``of`` asks only when ``inst`` names no subnet.)"""
        if inst.type == "aws_launch_template":  # standing for an instance launched from it
            return inst.addr in self._default_templates
        if inst.type == "aws_autoscaling_group":
            known, zones = self.b.value(inst, ("availability_zones",))
            if not (known and zones) and not self.b.config.written(inst.address, "availability_zones"):
                return False
        elif inst.type in ("aws_instance", "aws_spot_instance_request"):
            for attr in ("network_interface", "primary_network_interface"):
                if self.b.config.written(inst.address, attr) or self.b.value(inst, (attr,))[1]:
                    return False
            if not self.b.config.written(inst.address, "launch_template") \
                    and not self.b.value(inst, ("launch_template",))[1]:
                return True
        else:
            return False
        names = self.b.launch_templates(inst)
        if not names or inst.addr in self.b._outside_templates:
            return False
        if self._by_addr is None:
            self._by_addr = {i.addr: i for i in self.b.instances}
        templates = [self._by_addr.get(name) for name in names]
        if any(t is None or self._names_subnet(t) for t in templates):
            return False
        if inst.type != "aws_autoscaling_group":
            self._default_templates.update(names)
        return True

    def _names_subnet(self, template: Instance) -> bool:
        """Does a launch template's network interface name a subnet or an existing interface
        (set, or known only after apply)? A launch configuration has neither."""
        for steps in (("network_interfaces", "[]", "subnet_id"), ("network_interfaces", "[]", "network_interface_id")):
            for path in self.b._expand(template, steps):
                if any(not (isinstance(t, Lit) and t.value in (None, [], ""))
                       for t in self.b.terms(template, path, optional=True)):
                    return True
        return False

    def _default_subnet(self, inst: Instance) -> Placement:
        """Default subnets assign public IPv4 addresses on launch and no IPv6 address (VPC user
        guide, "Default subnets"), unless the plan's ``aws_default_subnet`` resources of the
        Region say otherwise: those of the launch's Availability Zones when it names them (EC2
        API RunInstances Placement.AvailabilityZone; CreateAutoScalingGroup AvailabilityZones:
        "the default VPC subnet in each Availability Zone"), else all of them. Both families
        read the same subnets; with none in the plan the IPv6 setting stays unknown."""
        region = self.b.region_of(inst)
        zones = self._zones(inst)
        hit = self._default_subnets.get((region, zones))
        if hit is None:
            subnets = [o for o in self.b.instances if o.type == "aws_default_subnet" and self.b.same_region(o, inst)]
            v4: set[Optional[bool]] = set()
            v6: set[Optional[bool]] = set()
            if zones:
                by_zone = {z: [o for o in subnets if self.b.value(o, ("availability_zone",)) == (True, z)]
                           for z in zones}
                subnets = [o for z in zones for o in by_zone[z]]
                if any(not found for found in by_zone.values()):
                    # a zone whose default subnet the plan does not hold: AWS's, as made
                    v4.add(True)
                    v6.add(None)
            for other in subnets:
                for attr, flags in (("map_public_ip_on_launch", v4), ("assign_ipv6_address_on_creation", v6)):
                    known, flag = self.b.value(other, (attr,))
                    if (not known or flag is None) and attr.startswith("assign_ipv6") \
                            and not self.b.config.written(other.address, attr):
                        # not written: the provider's default, false, which it sets on adoption
                        # (aws_default_subnet docs; a plan shows it as false)
                        known, flag = True, False
                    flags.add(flag if known and isinstance(flag, bool) else None)
            vpc = next((o.addr for o in self.b.instances if o.type == "aws_default_vpc"
                        and self.b.same_region(o, inst)), None)
            map_public = True if not v4 or v4 == {None} else _any(v4)
            assign6 = None if not v6 else _any(v6)
            hit = self._default_subnets[(region, zones)] = Placement(None, map_public, assign6, vpc, ())
        return hit

    def _zones(self, inst: Instance) -> tuple[str, ...]:
        """The Availability Zones a launch names (an instance's ``availability_zone``, an Auto
        Scaling group's ``availability_zones``), when known; () when it names none."""
        attr = "availability_zones" if inst.type == "aws_autoscaling_group" else "availability_zone"
        known, value = self.b.value(inst, (attr,))
        values = value if isinstance(value, list) else [value]
        if not known or not all(isinstance(v, str) and v for v in values):
            return ()
        return tuple(sorted(set(values)))

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
            # (nor an IPv6 prefix: an interface's ipv6_prefixes read back too)
            read = [self.b.value(inst, (attr,)) for attr in ("ipv6_addresses", "ipv6_prefixes")]
            if all(known and (items is None or (isinstance(items, list) and not items)) for known, items in read) \
                    and isinstance(read[0][1], list):
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


# Resources that are (or own) the interface itself: what they read back is what they have.
_HAS_OWN_ADDRESSES = ("aws_instance", "aws_spot_instance_request", "aws_network_interface")


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

