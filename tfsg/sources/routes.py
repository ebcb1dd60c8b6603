"""Which subnets route an address family to an internet gateway (who the internet can reach).

VPC user guide, "Route tables" and "Internet gateways": traffic from the internet reaches an
address only when the subnet's route table (the one explicitly associated with it, else its
VPC's main route table) has a route for that family to an internet gateway; IPv4 and IPv6
routes are separate, and an egress-only internet gateway admits no inbound IPv6. A NAT gateway
routes nothing in.

The plan may not hold the route tables (an existing VPC, another state): then the route is
*assumed*, and the evidence says so; only a known absence removes an exposure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..model import ASSUMED_ROUTE
from .instances import Instance
from .refs import ConfigIndex, Lit, Res, Unk
from .route_fields import cidr_destination, gateway_kind, inline_terms, join_destinations, prefix_destination

TABLE_TYPES = ("aws_route_table", "aws_default_route_table")


@dataclass(frozen=True)
class Routing:
    """Whether a subnet routes IPv4 / IPv6 from the internet: True, False, or None (not in the
    plan, or unknown until apply: assumed routed), with the reason (``why``: the part about one
    family, when it has one of its own)."""

    ipv4: Optional[bool]
    ipv6: Optional[bool]
    reason: str
    why4: str = ""
    why6: str = ""

    def why(self, family: str) -> str:
        return (self.why4 if family == "IPv4" else self.why6) or self.reason


ASSUMED = Routing(None, None, f"its route table is not in the plan: {ASSUMED_ROUTE}")
UNREAD = "?"  # a table a route or an association names that tfsg cannot tell
OUTSIDE = "outside"  # a table the plan does not hold (an rtb-... id, a variable, a data source)
_APPLIANCE = ("vpc_endpoint_id", "network_interface_id")  # route targets that may be an inspection appliance
MAIN = "#main"  # suffix of a new VPC's own main table: only the local route, and the aws_route resources on it


class RouteIndex:
    """The plan's route tables, routes and associations, on one side of a change."""

    def __init__(self, builder: Any) -> None:
        self.b = builder
        self.tables: dict[str, Instance] = {}  # address -> table
        self.ids: dict[str, str] = {}  # rtb-... -> address
        self.extra: dict[str, list[Instance]] = {}  # table address -> aws_route resources
        self.explicit: dict[str, str] = {}  # subnet address -> table address
        self.main: dict[str, str] = {}  # vpc key -> main table address
        # vpc key -> the table AWS made with the VPC (its aws_default_route_table): what the VPC's
        # main_route_table_id / default_route_table_id name, whichever table is main now
        self.original: dict[str, str] = {}
        self.gateways: dict[str, str] = {}  # igw-... / eigw-... id -> type
        # what could not be read, so that it never reads as "no route" (fail closed): routes
        # whose table is unknown, tables associated with a subnet that is unknown
        self.loose: list[Instance] = []
        self.unplaced: set[str] = set()
        self.via: dict[str, str] = {}  # subnet address -> its association, when the table is UNREAD
        self._cache: dict[str, Routing] = {}
        # table -> family -> the only destinations it routes to an internet gateway, when they
        # are known and do not hold every public address of the family (a partner's /24)
        self.partial: dict[str, dict[str, list[str]]] = {}
        insts = [i for i in builder.instances if i.address.mode == "managed"]
        for inst in insts:
            if inst.type in TABLE_TYPES:
                self.tables[inst.addr] = inst
                known, ident = builder.value(inst, ("id",))
                if known and isinstance(ident, str) and ident:
                    self.ids[ident] = inst.addr
                if inst.type == "aws_default_route_table":  # it *is* its VPC's main table
                    vpc = self._vpc_of_default(inst)
                    if vpc:
                        self.main[vpc] = self.original[vpc] = inst.addr
            elif inst.type in ("aws_internet_gateway", "aws_egress_only_internet_gateway"):
                known, ident = builder.value(inst, ("id",))
                if known and isinstance(ident, str) and ident:
                    self.gateways[ident] = inst.type
        self.edge = any(inst.type == "aws_route_table_association" and self._names(inst, ("gateway_id",))
                        for inst in insts)
        for inst in insts:
            if inst.type == "aws_route":
                table = self._table(inst, "route_table_id")
                if table == OUTSIDE and not self._literal(inst, "route_table_id"):
                    # named through something tfsg does not follow to a table (a data source
                    # looking up, a terraform_data passing on, an association's attribute): it
                    # may be one of the plan's tables (fail closed), unlike an rtb- id it lacks
                    table = UNREAD
                if table == UNREAD:
                    self.loose.append(inst)
                elif table and table != OUTSIDE:
                    self.extra.setdefault(table, []).append(inst)
            elif inst.type == "aws_route_table_association":
                table = self._table(inst, "route_table_id")
                subnets = self._resources(inst, "subnet_id", ("aws_subnet", "aws_default_subnet"))
                for subnet in subnets:
                    if table:
                        self.explicit[subnet] = table
                        self.via[subnet] = inst.addr
                if table and table != UNREAD and subnets == [UNREAD]:
                    self.unplaced.add(table)
            elif inst.type == "aws_main_route_table_association":
                table = self._table(inst, "route_table_id")
                vpcs = self._resources(inst, "vpc_id", ("aws_vpc", "aws_default_vpc"))
                for vpc in vpcs:
                    if table:
                        self.main[vpc] = table

    # ------------------------------------------------------------------ lookups

    def _resources(self, inst: Instance, attr: str, types: tuple[str, ...]) -> list[str]:
        """The subnets (or VPCs) an association names; ``[UNREAD]`` when none can be told and
        the value is unknown."""
        out = []
        unread = False
        terms = self.b.terms(inst, (attr,), optional=True)
        for _ in range(4):  # subnet_id = aws_instance.x.subnet_id: that resource's subnet
            via = [t for t in terms if isinstance(t, Res) and t.instance.type not in types and t.attr == (attr,)]
            if not via:
                break
            terms = [t for t in terms if t not in via] + [x for t in via
                                                          for x in self.b.terms(t.instance, (attr,), optional=True)]
        for term in terms:
            if isinstance(term, Res) and term.instance.type in types:
                out.append(term.instance.addr)
            elif isinstance(term, Lit) and isinstance(term.value, str):
                if types[0] == "aws_subnet" and term.value in self.b.subnets:
                    out.append(self.b.subnets[term.value].addr)
                elif types[0] == "aws_vpc":
                    out.append(self.b.vpc_ids.get(term.value, term.value))
            elif isinstance(term, Res):
                unread = True  # another resource's value tfsg does not follow: which one is unknown
        if not out and (unread or any(isinstance(t, Unk) for t in terms)):
            return [UNREAD]
        return out

    def _literal(self, inst: Instance, attr: str) -> bool:
        """Is the attribute written as known text (an id), not through another resource?"""
        terms = self.b.terms(inst, (attr,), optional=True)
        return bool(terms) and all(isinstance(t, Lit) for t in terms)

    def _table(self, inst: Instance, attr: str) -> Optional[str]:
        """The table a route or association names: its address, ``UNREAD`` when the value is
        unknown and names no table tfsg can tell, None when it names none of the plan's."""
        terms = self.b.terms(inst, (attr,), optional=True)
        for term in terms:
            if isinstance(term, Res) and term.instance.type in TABLE_TYPES:
                return term.instance.addr if term.instance.addr in self.tables else OUTSIDE  # a data source's
            if isinstance(term, Res) and term.instance.type in ("aws_vpc", "aws_default_vpc") \
                    and term.attr in (("main_route_table_id",), ("default_route_table_id",)):
                # known only after apply: the VPC is made by this apply, and both attributes then
                # name the table AWS made with it ("The ID of the route table created by default
                # on VPC creation", provider docs aws_vpc), not the one an
                # aws_main_route_table_association makes main (its original_route_table_id)
                return self.original_of(term.instance.addr) or OUTSIDE
            if isinstance(term, Lit) and isinstance(term.value, str):
                return self.ids.get(term.value) or (OUTSIDE if term.value else None)
        if any(isinstance(t, Unk) for t in terms):
            return UNREAD
        return OUTSIDE if terms else None

    def original_of(self, vpc: str) -> Optional[str]:
        """The table AWS made with a VPC this plan creates (its aws_default_route_table, else its
        own MAIN table: the local route and the routes the plan adds to it); None otherwise."""
        found = self.original.get(vpc)
        if found:
            return found
        made = any(i.addr == vpc and i.action in ("create", "replace") for i in self.b.instances)
        return vpc + MAIN if made else None

    def _vpc_of_default(self, inst: Instance) -> Optional[str]:
        for term in self.b.terms(inst, ("default_route_table_id",), optional=True):
            if isinstance(term, Res) and term.instance.type in ("aws_vpc", "aws_default_vpc"):
                return term.instance.addr
        known, vpc = self.b.value(inst, ("vpc_id",))
        return self.b.vpc_ids.get(vpc, vpc) if known and isinstance(vpc, str) else None

    # ------------------------------------------------------------------ routing

    def subnet(self, subnet: Instance) -> Routing:
        hit = self._cache.get(subnet.addr)
        if hit is None:
            hit = self._cache[subnet.addr] = self._subnet(subnet)
        return hit

    def _subnet(self, subnet: Instance) -> Routing:
        table = self.explicit.get(subnet.addr)
        how = "its route table"
        if table == UNREAD:
            return Routing(None, None, f"which route table its association ({self.via[subnet.addr]}) names is known "
                                       "only after apply: an internet gateway route is assumed")
        if table == OUTSIDE:
            return Routing(None, None, f"its route table (named by {self.via.get(subnet.addr, 'its association')}) "
                                       "is not in the plan: an internet gateway route is assumed")
        if table is None:
            vpc = self.b._vpc_key(subnet)
            table = self.main.get(vpc) if vpc else None
            how = "its VPC's main route table"
            if table is None and vpc and self.extra.get(vpc + MAIN):
                # a VPC this plan creates, whose main table this plan adds routes to: they are
                # known to be there (with no route resource its main table is not in the plan:
                # assumed, as for any table the plan does not hold)
                v4, v6 = self._table_routes(vpc + MAIN)
                if v4 or v6:
                    table = vpc + MAIN
        if table is None or table in (UNREAD, OUTSIDE):
            return ASSUMED
        v4, v6 = self._table_routes(table)
        why: dict[str, str] = {}
        if how != "its route table":
            # a table associated with a subnet tfsg cannot tell may be this subnet's own
            for other in sorted(self.unplaced):
                o4, o6 = self._table_routes(other)
                for family, flag, theirs in (("IPv4", v4, o4), ("IPv6", v6, o6)):
                    if flag is not True and theirs is not False:
                        why.setdefault(family, f"{other} is associated with a subnet known only after apply, which "
                                               "may be this one: an internet gateway route is assumed")
                v4 = v4 if v4 is True or o4 is False else None
                v6 = v6 if v6 is True or o6 is False else None
        for family, flag in (("IPv4", v4), ("IPv6", v6)):
            only = self.partial.get(table, {}).get(family)
            if flag is False and only:
                why[family] = (f"{how} ({table}) routes only {', '.join(only)} to an internet gateway: the rest "
                               "of the internet gets no reply")
            elif flag is False:
                why[family] = f"{how} ({table}) has no {family} route to an internet gateway"
            elif flag is None:
                why.setdefault(family, f"the {family} routes of {how} ({table}) are known only after apply: "
                                       "an internet gateway route is assumed")
        reason = "; ".join(why.values()) or f"{how} ({table}) routes to an internet gateway"
        return Routing(v4, v6, reason, why.get("IPv4", ""), why.get("IPv6", ""))

    def _table_routes(self, table: str) -> tuple[Optional[bool], Optional[bool]]:
        """(IPv4 to an IGW, IPv6 to an IGW): True, False, or None when a route is unknown."""
        routes: list[tuple[Any, Any, Any]] = []  # (ipv4 destination, ipv6 destination, gateway terms)
        inst = self.tables.get(table)
        inline, unknown = self._inline_routes(inst) if inst is not None else ([], False)
        for i, route in enumerate(inline):
            if isinstance(route, dict):
                assert inst is not None
                # a destination only apply knows (a prefix list made now, a CIDR block computed)
                # is the terms the configuration writes, else any address (fail closed)
                l4, l6 = prefix_destination(self.b, inline_terms(self.b, inst, i, "destination_prefix_list_id"))
                d4 = cidr_destination(inline_terms(self.b, inst, i, "cidr_block"))
                d6 = cidr_destination(inline_terms(self.b, inst, i, "ipv6_cidr_block"))
                routes.append((join_destinations(d4, l4), join_destinations(d6, l6),
                               inline_terms(self.b, inst, i, "gateway_id") or self._collapsed_gateway(inst)))
                if self.edge and any(self._names(inst, ("route", i, a)) for a in _APPLIANCE):
                    unknown = True  # ingress routing through an appliance (see below)
        for r in self.extra.get(table, ()):
            d4 = self.b.value(r, ("destination_cidr_block",))
            d6 = self.b.value(r, ("destination_ipv6_cidr_block",))
            pl = self.b.value(r, ("destination_prefix_list_id",))
            l4, l6 = (None, None) if pl[0] and not pl[1] else \
                prefix_destination(self.b, self.b.terms(r, ("destination_prefix_list_id",), optional=True))
            gw_known, gw = self.b.value(r, ("gateway_id",))
            routes.append((join_destinations(d4[1] if d4[0] else "?", l4),
                           join_destinations(d6[1] if d6[0] else "?", l6),
                           [Lit(gw or "")] if gw_known else self.b.terms(r, ("gateway_id",), optional=True)
                           or [Lit("")]))
            if self.edge and any(self._names(r, (a,)) for a in _APPLIANCE):
                # the plan routes the internet gateway's traffic through an appliance (an edge
                # association: VPC user guide, "Gateway route tables"), and this table sends to
                # one: the internet may reach the subnet through it, transparently
                unknown = True
        for r in self.loose:  # a route whose table is unknown may be this table's: unknown, not routed
            gw_known, gw = self.b.value(r, ("gateway_id",))
            if self._gateway([Lit(gw or "")] if gw_known else
                             self.b.terms(r, ("gateway_id",), optional=True) or [Lit("")]) != "other":
                unknown = True
        v4 = v6 = False
        some: dict[str, list[str]] = {"IPv4": [], "IPv6": []}
        for d4, d6, gateway in routes:
            kind = self._gateway(gateway)
            if kind is None:
                unknown = True
            elif kind == "aws_internet_gateway":
                for family, dest in (("IPv4", d4), ("IPv6", d6)):
                    if dest and dest != "?":
                        some[family] += dest
                v4 = v4 or d4 == "?"
                v6 = v6 or d6 == "?"
        # Replies leave by the subnet's route table: a host answers only the sources its routes
        # send to the internet gateway (VPC user guide, "Route tables", longest prefix match;
        # "Internet gateways": the subnet needs a route to the gateway for the addresses it
        # talks to). Routes for a few blocks make it public to those blocks, not the internet.
        for family in ("IPv4", "IPv6"):
            routed = _whole(some[family], family)
            if routed is False:
                self.partial.setdefault(table, {})[family] = sorted(some[family])
            if family == "IPv4":
                v4 = v4 or bool(routed)
            else:
                v6 = v6 or bool(routed)
        if unknown:
            return (True if v4 else None), (True if v6 else None)
        return v4, v6

    def _names(self, inst: Instance, path: tuple) -> bool:
        """Does an attribute name something: a resource, or a known non-empty id (a computed
        attribute the configuration does not write names nothing)?"""
        return any(isinstance(t, Res) or (isinstance(t, Lit) and isinstance(t.value, str) and t.value)
                   for t in self.b.terms(inst, path, optional=True))

    def destinations(self) -> dict[str, frozenset[str]]:
        """Table address -> the destinations this side's aws_route resources make."""
        out: dict[str, set[str]] = {}
        for table, routes in self.extra.items():
            for r in routes:
                out.setdefault(table, set()).update(_route_keys(self.b, r, ()))
        return {t: frozenset(d) for t, d in out.items()}

    def _inline_routes(self, inst: Instance) -> tuple[list, bool]:
        """A table's ``route`` blocks, and whether what they are is known only after apply."""
        known, inline = self.b.value(inst, ("route",))
        if known:
            inline = inline if isinstance(inline, list) else []
            prior = self.b.prior
            if inline and prior is not None and not self.b.config.written(inst.address, "route"):
                # a table whose configuration writes no routes reads back those aws_route
                # resources made: the ones this apply deletes or changes are not its own word
                # (each aws_route resource of this side stands for itself in ``extra``)
                made = prior.route_destinations.get(inst.addr, frozenset()) | \
                    {k for r in self.extra.get(inst.addr, ()) for k in _route_keys(self.b, r, ())}
                inline = [r for i, r in enumerate(inline)
                          if not (isinstance(r, dict) and set(_route_keys(self.b, inst, ("route", i))) & made)]
            return inline, False
        if isinstance(inst.values.get("route"), list) and isinstance(inst.unknown, dict) \
                and isinstance(inst.unknown.get("route"), list):
            return inst.values["route"], False  # written; only parts (a gateway's id) known after apply
        if self._routes_unwritten(inst):
            return [], False
        return [], True

    def _routes_unwritten(self, inst: Instance) -> bool:
        """Does the configuration write no ``route`` for this table (no block, no attribute, or
        dynamic blocks over an empty collection)? The provider then computes the attribute, so
        the plan marks it unknown, yet a table created now holds only the local route and the
        ``aws_route`` resources that name it (the vpc module's private tables). Plan JSON drops
        dynamic blocks from its configuration, so there the .tf sources must say so; without
        them it stays unknown. ``aws_default_route_table`` then leaves the VPC's main table as it
        is (provider docs: omitting ``route`` ignores existing routes): known only for a VPC
        this plan creates."""
        config = self.b.config
        if config.resource(inst.address) is None or config.written(inst.address, "route"):
            return False
        if inst.type == "aws_default_route_table" and not self._new_vpc(inst):
            return False
        if isinstance(config, ConfigIndex):
            if config.expression(inst.address, ("route",)) is not None:
                return False
            sources = self.b.sources
            if sources is None:
                return False
            written = sources.written(inst.address, ("route",))
            return written is False or (written is True and _no_blocks(sources.terms(inst.address, ("route",))))
        expr = config.expression(inst.address, ("route",))  # the evaluated .tf files
        return expr is None or _no_blocks(expr.get("terms") if isinstance(expr, dict) else None)

    def _new_vpc(self, table: Instance) -> bool:
        vpc = self._vpc_of_default(table)
        return any(i.addr == vpc and i.action == "create" for i in self.b.instances)

    def _collapsed_gateway(self, inst: Instance) -> list:
        """An inline route's gateway known only after apply: what the table's routes reference,
        together, stands for it (an internet gateway among them: routed, fail closed; one tfsg
        cannot tell: unknown). Destinations and the table's own VPC are not targets."""
        terms = route_references(self.b, inst)
        if terms is None:
            return []  # not recorded: unknown
        return [t for t in terms if not (isinstance(t, Res) and (
            t.instance.type in ("aws_vpc", "aws_default_vpc", "aws_subnet", "aws_route_table",
                                "aws_ec2_managed_prefix_list", "aws_prefix_list")
            or t.attr[-1:] in (("cidr_block",), ("ipv6_cidr_block",), ("prefix_list_id",))))] or [Lit("")]

    def _gateway(self, terms: list) -> Optional[str]:
        """The kind of gateway a route targets: an internet gateway, another, or None (unknown)."""
        return gateway_kind(self.b, terms, self.gateways)


def _whole(destinations: list[str], family: str) -> Optional[bool]:
    """Do known route destinations hold every public address of the family? None when there
    are none; a destination that is not a CIDR block counts as all (fail closed)."""
    if not destinations:
        return None
    from ..netsets import PUBLIC_V4, PUBLIC_V6, AddressSet, union_all

    try:
        routed = union_all(AddressSet.parse(d) for d in destinations)
    except ValueError:
        return True
    return routed.issuperset(PUBLIC_V4 if family == "IPv4" else PUBLIC_V6)


def _no_blocks(terms: Optional[list]) -> bool:
    """Dynamic blocks over an empty collection: the terms of an empty list."""
    return terms is not None and len(terms) == 1 and isinstance(terms[0], Lit) and terms[0].value == []


def _route_keys(builder: Any, inst: Instance, at: tuple) -> list[str]:
    """A route's destination, as text (a block, an IPv6 block, a prefix list id); an inline route
    (``at`` = ("route", i)) names them without the ``destination_`` prefix of aws_route."""
    names = ("cidr_block", "ipv6_cidr_block", "destination_prefix_list_id") if at else \
        ("destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id")
    out = []
    for name in names:
        known, val = builder.value(inst, at + (name,))
        if known and isinstance(val, str) and val:
            out.append(val)
    return out


def route_references(builder: Any, inst: Instance) -> Optional[list]:
    """What a table's ``route`` blocks reference, together: plan JSON merges the references of
    all of them into one list (None when it records none)."""
    expr = builder.config.expression(inst.address, ("route",)) or {}
    refs = expr.get("references") if isinstance(expr, dict) else None
    if not isinstance(refs, list):
        return None
    return builder.resolver.references(refs, builder.context(inst))
