"""Where a subnet's routes lead out of its VPC to private addresses (peering, transit gateways, VPN).

VPC user guide, "Route tables" and "Route priority"; VPC peering guide, "Update your route tables
for a VPC peering connection" (the owners "must manually add a route"); Transit Gateway guide: a
packet to another VPC's private address leaves its VPC only by a route of its subnet's table
whose destination covers the address and whose target carries private traffic onwards: a peering
connection, a transit gateway, a virtual private gateway, a network interface or instance (an
appliance), a Gateway Load Balancer endpoint, a local gateway, a Cloud WAN core network. An
internet gateway, an egress-only internet gateway and a carrier gateway do not carry private
addresses. A NAT gateway forwards by its own subnet's table (VPC user guide, "NAT gateways": a NAT
gateway can send to other VPCs through a transit gateway or a virtual private gateway), with its
own private address as the source ("NAT gateway basics"). A peering connection carries to its two
VPCs only (no transit); a transit gateway to the VPCs attached to it.

What tfsg cannot read counts as a route to everywhere (fail closed): only a known absence
separates two VPCs (routes propagated at run time, tables named through what tfsg does not
follow, blocks only apply knows are unknown). A VPC this plan creates has, in its main table, the
local route and the routes the plan adds to it.
"""

from __future__ import annotations

from typing import Any, Optional

from ..netsets import AddressSet
from .instances import Instance
from .refs import Lit, Res
from .route_targets import EVERYWHERE, INTERNET, LOCAL, NOWHERE, RouteTargets
from .routes import MAIN, OUTSIDE, UNREAD, RouteIndex


class BeyondRoutes:
    """The private destinations beyond its VPC a subnet, or any subnet of a VPC, routes to:
    an ``AddressSet``, or None when the plan cannot tell (treat as ``EVERYWHERE``)."""

    def __init__(self, routes: RouteIndex) -> None:
        self.r = routes
        self.b = routes.b
        self._tables: dict[str, Optional[AddressSet]] = {}
        self._subnets: dict[str, Optional[AddressSet]] = {}  # subnet -> what it routes beyond
        self._tables_of: Optional[dict[Optional[str], set[str]]] = None
        self._vpcs = {i.addr: i for i in self.b.instances
                      if i.type in ("aws_vpc", "aws_default_vpc") and i.address.mode == "managed"}
        self.carriers: dict[str, dict[str, AddressSet]] = {}  # table -> route -> where it sends beyond
        self.natted: dict[str, list[tuple[AddressSet, AddressSet]]] = {}  # table -> (to, from) through NAT
        self.targets = RouteTargets(self.b)
        # tables a virtual private gateway propagates its routes into (VPC user guide, "Route
        # propagation"; aws_vpn_gateway_route_propagation, a table's propagating_vgws): what they
        # hold is learned at run time; one whose table cannot be told may be any table
        self._loose = False
        self._propagated: set[str] = set()
        for inst in self.b.instances:
            if inst.type == "aws_vpn_gateway_route_propagation" and inst.address.mode == "managed":
                table = routes._table(inst, "route_table_id")
                if table is None or (table == OUTSIDE and routes._literal(inst, "route_table_id")):
                    continue  # a table of AWS the plan does not hold (an rtb- id)
                if table in (UNREAD, OUTSIDE):
                    self._loose = True  # named through what tfsg does not follow: any table
                else:
                    self._propagated.add(table)
        # a route whose table cannot be told may be any table's
        self._loose = self._loose or any(self.targets.target(r, ()) not in (LOCAL, INTERNET) for r in routes.loose)

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
        beyond the VPC; None when unknown. Once per subnet (every member in it asks)."""
        if subnet.addr not in self._subnets:
            self._subnets[subnet.addr] = self._subnet(subnet)
        return self._subnets[subnet.addr]

    def _subnet(self, subnet: Instance) -> Optional[AddressSet]:
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
        inst = self._vpcs.get(vpc)
        if inst is None or self._loose:
            return None
        main = self.r.main.get(vpc) or (vpc + MAIN if inst.action == "create" else None)
        if main is None:
            return None  # an existing VPC whose main table the plan does not hold
        if self._tables_of is None:  # vpc -> its tables, read once
            self._tables_of = {}
            for t, ti in self.r.tables.items():
                self._tables_of.setdefault(self.b._vpc_key(ti), set()).add(t)
        tables = {main} | self._tables_of.get(vpc, set())
        original = self.r.original_of(vpc)  # the table made with the VPC, main or not any more
        if original is not None:
            tables.add(original)
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
            if table is None and vpc is not None and vpc in self._vpcs and self._vpcs[vpc].action == "create":
                table = vpc + MAIN  # a VPC this plan creates: its own main table
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
                    routes.append((self.targets.destination(inst, ("route", i), ("cidr_block", "ipv6_cidr_block")),
                                   self.targets.target(inst, ("route", i)), inst.addr))
        for r in self.r.extra.get(table, ()):
            routes.append((self.targets.destination(r, (), ("destination_cidr_block", "destination_ipv6_cidr_block")),
                           self.targets.target(r, ()), r.addr))
        carriers: dict[str, AddressSet] = {}
        natted: list[tuple[AddressSet, AddressSet]] = []
        unknown = False
        for destination, target, by in routes:
            where = EVERYWHERE if destination is None else destination
            if target in (LOCAL, INTERNET):
                continue
            if isinstance(target, tuple):  # a peering connection, its two VPCs only; a transit gateway, its VPCs
                where = where & target[1]
            elif isinstance(target, list) and through_nat:  # NAT gateways: onwards by their subnets' tables
                onward = NOWHERE
                for nat in target:
                    found = self._nat_onwards(nat)
                    if found is None:  # where it sends on is unknown: anywhere, with its address
                        unknown, found = True, EVERYWHERE
                    onward = onward | found
                    if where & found:
                        # what it forwards leaves with the NAT gateway's own private address
                        # (VPC user guide, "NAT gateway basics")
                        natted.append((where & found, self._nat_source(nat)))
                where = where & onward
            if where:
                out = out | where
                carriers[by] = carriers[by] | where if by in carriers else where
        self.carriers[table] = carriers
        if through_nat:
            self.natted[table] = natted
        return None if unknown else out

    def translated(self, subnets: tuple[Instance, ...]) -> tuple[tuple[AddressSet, AddressSet], ...]:
        """(destinations, the source address they arrive from): what these subnets send beyond
        their VPC through a NAT gateway, which puts its own address on it."""
        out: list[tuple[AddressSet, AddressSet]] = []
        for subnet in subnets:
            table = self._table_of(subnet)
            if table is not None:
                self.table(table)  # (reads its NAT routes even when where they lead is unknown)
                out += [pair for pair in self.natted.get(table, ()) if pair not in out]
        return tuple(out)

    def _nat_source(self, nat: Instance) -> AddressSet:
        """The NAT gateway's private address as the receiver sees it: its own when known, else
        its subnet's blocks, else anywhere (fail closed)."""
        known, ip = self.b.value(nat, ("private_ip",))
        if known and isinstance(ip, str) and ip:
            try:
                return AddressSet.parse(ip + "/32")
            except ValueError:
                pass
        for term in self.b.terms(nat, ("subnet_id",), optional=True):
            subnet = term.instance if isinstance(term, Res) else \
                self.b.subnets.get(term.value) if isinstance(term, Lit) and isinstance(term.value, str) else None
            if subnet is not None:
                cidr = self.b.value(subnet, ("cidr_block",))
                if cidr[0] and isinstance(cidr[1], str) and cidr[1]:
                    try:
                        return AddressSet.parse(cidr[1])
                    except ValueError:
                        break
        return EVERYWHERE

    def carried_by(self, subnets: tuple[Instance, ...]) -> tuple[tuple[str, AddressSet], ...]:
        """The routes (aws_route resources, tables with route blocks) that send what these subnets
        route beyond their VPC, with where each sends: where a finding that crosses VPCs points."""
        out: dict[str, AddressSet] = {}
        for subnet in subnets:
            table = self._table_of(subnet)
            if table is not None and self.table(table) is not None:
                for route, where in self.carriers.get(table, {}).items():
                    out[route] = out[route] | where if route in out else where
        return tuple(sorted(out.items(), key=lambda kv: kv[0]))

    def _nat_onwards(self, nat: Instance) -> Optional[AddressSet]:
        subnets = self.b.terms(nat, ("subnet_id",), optional=True)
        for term in subnets:
            subnet = term.instance if isinstance(term, Res) and term.instance.type in (
                "aws_subnet", "aws_default_subnet") else \
                self.b.subnets.get(term.value) if isinstance(term, Lit) and isinstance(term.value, str) else None
            table = self._table_of(subnet) if subnet is not None else None
            return self.table(table, through_nat=False) if table is not None else None
        return None
