"""Where a subnet's routes lead out of its VPC to private addresses (peering, transit gateways, VPN).

VPC user guide, "Route tables" and "Route priority"; VPC peering guide, "Update your route tables
for a VPC peering connection" (the owners "must manually add a route"); Transit Gateway guide: a
packet to another VPC's private address leaves its VPC only by a route of its subnet's table
whose destination covers the address and whose target carries private traffic onwards: a peering
connection, a transit gateway, a virtual private gateway, a network interface or instance (an
appliance), a Gateway Load Balancer endpoint, a local gateway, a Cloud WAN core network. An
internet gateway, an egress-only internet gateway and a carrier gateway do not carry private
addresses. A NAT gateway forwards by its own subnet's table (VPC user guide, "NAT gateways": a NAT
gateway can send to other VPCs through a transit gateway or a virtual private gateway).

What tfsg cannot read counts as a route to everywhere (fail closed): only a known absence
separates two VPCs. A VPC this plan creates has, in its main table, the local route and the
routes the plan adds to it.
"""

from __future__ import annotations

from typing import Any, Optional

from ..netsets import AddressSet
from .instances import Instance
from .refs import Lit, Res
from .routes import MAIN, OUTSIDE, UNREAD, RouteIndex

EVERYWHERE = AddressSet.parse("0.0.0.0/0") | AddressSet.parse("::/0")
NOWHERE = AddressSet()

# route targets, as the provider names them in aws_route and a table's route blocks
TARGETS = ("gateway_id", "nat_gateway_id", "transit_gateway_id", "vpc_peering_connection_id",
           "network_interface_id", "vpc_endpoint_id", "egress_only_gateway_id", "carrier_gateway_id",
           "local_gateway_id", "core_network_arn", "instance_id")
_TO_INTERNET = ("aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_ec2_carrier_gateway")
_INTERNET_IDS = ("igw-", "eigw-", "cagw-")
LOCAL, INTERNET, ONWARDS = "local", "internet", "onwards"  # kinds of target (or a NAT gateway instance)


class BeyondRoutes:
    """The private destinations beyond its VPC a subnet, or any subnet of a VPC, routes to:
    an ``AddressSet``, or None when the plan cannot tell (treat as ``EVERYWHERE``)."""

    def __init__(self, routes: RouteIndex) -> None:
        self.r = routes
        self.b = routes.b
        self._tables: dict[str, Optional[AddressSet]] = {}
        self.carriers: dict[str, set[str]] = {}  # table -> the routes that send beyond the VPC
        self._nats: dict[str, Instance] = {}  # nat-... id -> NAT gateway
        for inst in self.b.instances:
            if inst.type == "aws_nat_gateway" and inst.address.mode == "managed":
                known, ident = self.b.value(inst, ("id",))
                if known and isinstance(ident, str) and ident:
                    self._nats[ident] = inst
        # a route whose table cannot be told may be any table's
        self._loose = any(self._route_target(r, ()) not in (LOCAL, INTERNET) for r in routes.loose)
        # tables a virtual private gateway propagates its routes into (VPC user guide, "Route
        # propagation"; aws_vpn_gateway_route_propagation, a table's propagating_vgws): what they
        # hold is learned at run time; one whose table cannot be told may be any table
        self._propagated: set[str] = set()
        for inst in self.b.instances:
            if inst.type == "aws_vpn_gateway_route_propagation" and inst.address.mode == "managed":
                table = routes._table(inst, "route_table_id")
                if table in (None, UNREAD, OUTSIDE):
                    self._loose = self._loose or table == UNREAD
                else:
                    self._propagated.add(table)

    # ------------------------------------------------------------------ queries

    def of_subnets(self, subnets: tuple[Instance, ...]) -> Optional[AddressSet]:
        """What a resource in these subnets routes beyond its VPC; None when unknown."""
        if not subnets:
            return None
        out = NOWHERE
        for subnet in subnets:
            found = self.subnet(subnet)
            if found is None:
                return None
            out = out | found
        return out

    def known_vpcs(self, vpcs: list[str]) -> dict[str, AddressSet]:
        """vpc key -> what any of its tables routes beyond it, for the VPCs known in full."""
        found = {vpc: self.vpc(vpc) for vpc in vpcs}
        return {vpc: dests for vpc, dests in found.items() if dests is not None}

    def subnet(self, subnet: Instance) -> Optional[AddressSet]:
        """What the subnet's table (its explicit association, else its VPC's main table) routes
        beyond the VPC; None when unknown."""
        if self._loose:
            return None
        table = self._table_of(subnet)
        if table is None:
            return None
        out = self.table(table)
        if out is not None and subnet.addr not in self.r.explicit:
            for other in sorted(self.r.unplaced):  # associated with a subnet known only after apply
                theirs = self.table(other)
                out = None if theirs is None else out | theirs
                if out is None:
                    break
        return out

    def vpc(self, vpc: str) -> Optional[AddressSet]:
        """What any table of a VPC the plan manages routes beyond it (for groups whose members
        the plan does not place); None when unknown: the VPC is not managed here, or a table is."""
        inst = next((i for i in self.b.instances if i.addr == vpc and i.address.mode == "managed"), None)
        if inst is None or self._loose:
            return None
        main = self.r.main.get(vpc) or (vpc + MAIN if inst.action == "create" else None)
        if main is None:
            return None  # an existing VPC whose main table the plan does not hold
        tables = {main} | {t for t, ti in self.r.tables.items() if self.b._vpc_key(ti) == vpc}
        tables |= self.r.unplaced
        out = NOWHERE
        for table in sorted(tables):
            found = self.table(table)
            if found is None:
                return None
            out = out | found
        return out

    def _table_of(self, subnet: Instance) -> Optional[str]:
        table = self.r.explicit.get(subnet.addr)
        if table is None:
            vpc = self.b._vpc_key(subnet)
            table = self.r.main.get(vpc) if vpc else None
            if table is None and vpc is not None and any(i.addr == vpc and i.action == "create"
                                                         and i.address.mode == "managed" for i in self.b.instances):
                table = vpc + MAIN
        return None if table in (None, UNREAD, OUTSIDE) else table

    # ------------------------------------------------------------------ tables

    def table(self, table: str, through_nat: bool = True) -> Optional[AddressSet]:
        key = table if through_nat else table + "#nat"
        if key not in self._tables:
            self._tables[key] = None  # (a cycle through NAT gateways reads as unknown)
            self._tables[key] = self._table(table, through_nat)
        return self._tables[key]

    def _table(self, table: str, through_nat: bool) -> Optional[AddressSet]:
        out = NOWHERE
        inst = self.r.tables.get(table)
        routes: list[tuple[Optional[AddressSet], Any, str]] = []  # (destination, target, written by)
        if table in self._propagated:
            return None  # routes a virtual private gateway propagates (BGP) are not in the plan
        if inst is not None:
            known, vgws = self.b.setting(inst, ("propagating_vgws",))  # unwritten: none
            if not known or vgws:
                return None
            inline, unknown = self.r._inline_routes(inst)
            if unknown:
                return None
            for i, route in enumerate(inline):
                if isinstance(route, dict):
                    routes.append((self._destination(inst, ("route", i), ("cidr_block", "ipv6_cidr_block")),
                                   self._route_target(inst, ("route", i)), inst.addr))
        for r in self.r.extra.get(table, ()):
            routes.append((self._destination(r, (), ("destination_cidr_block", "destination_ipv6_cidr_block")),
                           self._route_target(r, ()), r.addr))
        carriers: set[str] = set()
        for destination, target, by in routes:
            where = EVERYWHERE if destination is None else destination
            if target in (LOCAL, INTERNET):
                continue
            if isinstance(target, tuple):  # a peering connection reaches its two VPCs only (no transit)
                where = where & target[1]
            elif isinstance(target, list) and through_nat:  # NAT gateways: onwards by their subnets' tables
                onward = NOWHERE
                for nat in target:
                    found = self._nat_onwards(nat)
                    if found is None:
                        return None
                    onward = onward | found
                where = where & onward
            if where:
                out = out | where
                carriers.add(by)
        self.carriers[table] = carriers
        return out

    def carried_by(self, subnets: tuple[Instance, ...]) -> tuple[str, ...]:
        """The routes (aws_route resources, tables with route blocks) that send what these subnets
        route beyond their VPC: where a finding that crosses VPCs points a reviewer."""
        out: set[str] = set()
        for subnet in subnets:
            table = self._table_of(subnet)
            if table is not None and self.table(table) is not None:
                out |= self.carriers.get(table, set())
        return tuple(sorted(out))

    def _nat_onwards(self, nat: Instance) -> Optional[AddressSet]:
        subnets = self.b.terms(nat, ("subnet_id",), optional=True)
        for term in subnets:
            subnet = term.instance if isinstance(term, Res) and term.instance.type in (
                "aws_subnet", "aws_default_subnet") else \
                self.b.subnets.get(term.value) if isinstance(term, Lit) and isinstance(term.value, str) else None
            table = self._table_of(subnet) if subnet is not None else None
            return self.table(table, through_nat=False) if table is not None else None
        return None

    # ------------------------------------------------------------------ routes

    def _destination(self, inst: Instance, at: tuple, attrs: tuple[str, str]) -> Optional[AddressSet]:
        """A route's destination block; None when unknown (a prefix list, a value after apply)."""
        out = NOWHERE
        for attr in attrs:
            known, val = self.b.value(inst, at + (attr,))
            if not known:
                return None
            if isinstance(val, str) and val:
                try:
                    out = out | AddressSet.parse(val)
                except ValueError:
                    return None
        known, listed = self.b.value(inst, at + ("destination_prefix_list_id",))
        if not known or listed:
            return None
        return out

    def _route_target(self, inst: Instance, at: tuple) -> Any:
        """LOCAL, INTERNET, a list of NAT gateways, ("peering", its VPCs' CIDRs), or None
        (onwards, or unknown: both carry)."""
        for attr in TARGETS:
            known, val = self.b.value(inst, at + (attr,))
            if known and val in (None, ""):
                continue
            terms = self.b.terms(inst, at + (attr,), optional=True)
            if not terms and not known and at:
                terms = self._collapsed(inst)
            if not terms:
                continue
            return self._kind(terms)
        return None  # no target read (unknown, or none written): onwards, fail closed

    def _kind(self, terms: list) -> Any:
        nats: list[Instance] = []
        internet = False
        for term in terms:
            if isinstance(term, Res):
                if term.instance.type in _TO_INTERNET:
                    internet = True
                elif term.instance.type == "aws_nat_gateway":
                    nats.append(term.instance)
                elif term.instance.type == "aws_vpc_peering_connection" and len(terms) == 1:
                    return self._peering(term.instance)
                else:
                    return None
            elif isinstance(term, Lit) and isinstance(term.value, str):
                if term.value == "local":
                    return LOCAL
                if term.value.startswith(_INTERNET_IDS):
                    internet = True
                elif term.value in self._nats:
                    nats.append(self._nats[term.value])
                else:
                    return None
            else:
                return None
        return nats if nats else INTERNET if internet else None

    def _peering(self, pcx: Instance) -> Any:
        """("peering", the two VPCs' CIDRs) when both are known; None (onwards) otherwise. VPC
        peering guide, "VPC peering limitations": no transitive peering, no edge to edge routing."""
        vpcs = self.b.snap.vpcs
        out = NOWHERE
        for attr in ("vpc_id", "peer_vpc_id"):
            found = [t.instance.addr for t in self.b.terms(pcx, (attr,), optional=True)
                     if isinstance(t, Res) and t.instance.type in ("aws_vpc", "aws_default_vpc")]
            known, ident = self.b.value(pcx, (attr,))
            key = found[0] if found else self.b.vpc_ids.get(ident) if known and isinstance(ident, str) else None
            if key is None or key not in vpcs or key in self.b.snap.partial_vpcs:
                return None  # (a block only apply knows, an IPAM pool's, may be what the route names)
            out = out | vpcs[key]
        return ("peering", out)

    def _collapsed(self, inst: Instance) -> list:
        """A table's route target known only after apply: plan JSON merges the references of
        all its ``route`` blocks into one list; what they name, together, stands for each."""
        expr = self.b.config.expression(inst.address, ("route",)) or {}
        refs = expr.get("references") if isinstance(expr, dict) else None
        if not isinstance(refs, list):
            return []
        out = [t for t in self.b.resolver.references(refs, self.b.context(inst))
               if not (isinstance(t, Res) and t.instance.type in ("aws_route_table", "aws_vpc", "aws_subnet"))]
        return out
