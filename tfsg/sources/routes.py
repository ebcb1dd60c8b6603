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

from .instances import Instance
from .refs import Lit, Res

TABLE_TYPES = ("aws_route_table", "aws_default_route_table")


@dataclass(frozen=True)
class Routing:
    """Whether a subnet routes IPv4 / IPv6 from the internet: True, False, or None (not in the
    plan, or unknown until apply: assumed routed), with the reason."""

    ipv4: Optional[bool]
    ipv6: Optional[bool]
    reason: str


ASSUMED = Routing(None, None, "its route table is not in the plan: an internet gateway route is assumed")


class RouteIndex:
    """The plan's route tables, routes and associations, on one side of a change."""

    def __init__(self, builder: Any) -> None:
        self.b = builder
        self.tables: dict[str, Instance] = {}  # address -> table
        self.ids: dict[str, str] = {}  # rtb-... -> address
        self.extra: dict[str, list[Instance]] = {}  # table address -> aws_route resources
        self.explicit: dict[str, str] = {}  # subnet address -> table address
        self.main: dict[str, str] = {}  # vpc key -> main table address
        self.gateways: dict[str, str] = {}  # igw-... / eigw-... id -> type
        self._cache: dict[str, Routing] = {}
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
                        self.main[vpc] = inst.addr
            elif inst.type in ("aws_internet_gateway", "aws_egress_only_internet_gateway"):
                known, ident = builder.value(inst, ("id",))
                if known and isinstance(ident, str) and ident:
                    self.gateways[ident] = inst.type
        for inst in insts:
            if inst.type == "aws_route":
                table = self._table(inst, "route_table_id")
                if table:
                    self.extra.setdefault(table, []).append(inst)
            elif inst.type == "aws_route_table_association":
                table = self._table(inst, "route_table_id")
                for subnet in self._resources(inst, "subnet_id", ("aws_subnet", "aws_default_subnet")):
                    if table:
                        self.explicit[subnet] = table
            elif inst.type == "aws_main_route_table_association":
                table = self._table(inst, "route_table_id")
                vpcs = self._resources(inst, "vpc_id", ("aws_vpc", "aws_default_vpc"))
                for vpc in vpcs:
                    if table:
                        self.main[vpc] = table

    # ------------------------------------------------------------------ lookups

    def _resources(self, inst: Instance, attr: str, types: tuple[str, ...]) -> list[str]:
        out = []
        for term in self.b.terms(inst, (attr,), optional=True):
            if isinstance(term, Res) and term.instance.type in types:
                out.append(term.instance.addr)
            elif isinstance(term, Lit) and isinstance(term.value, str):
                if types[0] == "aws_subnet" and term.value in self.b.subnets:
                    out.append(self.b.subnets[term.value].addr)
                elif types[0] == "aws_vpc":
                    out.append(self.b.vpc_ids.get(term.value, term.value))
        return out

    def _table(self, inst: Instance, attr: str) -> Optional[str]:
        for term in self.b.terms(inst, (attr,), optional=True):
            if isinstance(term, Res) and term.instance.type in TABLE_TYPES:
                return term.instance.addr
            if isinstance(term, Res) and term.instance.type in ("aws_vpc", "aws_default_vpc") \
                    and term.attr == ("main_route_table_id",):
                return self.main.get(term.instance.addr)
            if isinstance(term, Lit) and isinstance(term.value, str):
                return self.ids.get(term.value)
        return None

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
        if table is None:
            vpc = self.b._vpc_key(subnet)
            table = self.main.get(vpc) if vpc else None
            how = "its VPC's main route table"
        if table is None:
            return ASSUMED
        v4, v6 = self._table_routes(table)
        parts = []
        for family, flag in (("IPv4", v4), ("IPv6", v6)):
            if flag is False:
                parts.append(f"{how} ({table}) has no {family} route to an internet gateway")
        return Routing(v4, v6, "; ".join(parts) or f"{how} ({table}) routes to an internet gateway")

    def _table_routes(self, table: str) -> tuple[Optional[bool], Optional[bool]]:
        """(IPv4 to an IGW, IPv6 to an IGW): True, False, or None when a route is unknown."""
        inst = self.tables[table]
        routes: list[tuple[Any, Any, Any]] = []  # (ipv4 destination, ipv6 destination, gateway terms)
        known, inline = self.b.value(inst, ("route",))
        unknown = not known
        if not known and isinstance(inst.values.get("route"), list) and isinstance(inst.unknown.get("route"), list):
            # the routes are written, only parts of them (the gateway's id) are known after apply
            inline, unknown = inst.values["route"], False
        for i, route in enumerate(inline if isinstance(inline, list) else []):
            if isinstance(route, dict):
                gw_known, gw = self.b.value(inst, ("route", i, "gateway_id"))
                routes.append((route.get("cidr_block"), route.get("ipv6_cidr_block"),
                               [Lit(gw)] if gw_known else
                               self.b.terms(inst, ("route", i, "gateway_id"), optional=True) or
                               self._collapsed_gateway(inst)))
        for r in self.extra.get(table, ()):
            d4 = self.b.value(r, ("destination_cidr_block",))
            d6 = self.b.value(r, ("destination_ipv6_cidr_block",))
            gw_known, gw = self.b.value(r, ("gateway_id",))
            routes.append((d4[1] if d4[0] else "?", d6[1] if d6[0] else "?",
                           [Lit(gw or "")] if gw_known else self.b.terms(r, ("gateway_id",), optional=True)
                           or [Lit("")]))
        v4 = v6 = False
        for d4, d6, gateway in routes:
            kind = self._gateway(gateway)
            if kind is None:
                unknown = True
            elif kind == "aws_internet_gateway":
                v4 = v4 or bool(d4)
                v6 = v6 or bool(d6)
        if unknown:
            return (True if v4 else None), (True if v6 else None)
        return v4, v6

    def _collapsed_gateway(self, inst: Instance) -> list:
        """An inline route's gateway known only after apply: plan JSON merges the references of
        all ``route`` blocks into one list, so a table naming an internet gateway anywhere is
        taken to route this block to it (fail closed)."""
        expr = self.b.config.expression(inst.address, ("route",)) or {}
        refs = expr.get("references") if isinstance(expr, dict) else None
        if not isinstance(refs, list):
            return []  # not recorded: unknown
        for term in self.b.resolver.references(refs, self.b.context(inst)):
            if isinstance(term, Res) and term.instance.type == "aws_internet_gateway":
                return [term]
        return [Lit("")]

    def _gateway(self, terms: list) -> Optional[str]:
        """The kind of gateway a route targets: an internet gateway, "other", or None (unknown)."""
        if not terms:
            return None  # not known and not recorded
        for term in terms:
            if isinstance(term, Res):
                return "aws_internet_gateway" if term.instance.type == "aws_internet_gateway" else "other"
            if isinstance(term, Lit):
                text = term.value if isinstance(term.value, str) else ""
                if text in self.gateways:
                    return self.gateways[text]
                return "aws_internet_gateway" if text.startswith("igw-") else "other"
            return None
        return None
