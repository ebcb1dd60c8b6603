"""What a route says: its destination and where its target sends (vpc_routes.py reads tables of
them). VPC user guide, "Route tables" ("Route targets"); VPC peering guide, "VPC peering
limitations" (no transitive peering); Transit Gateway guide, "How transit gateways work" (it
routes between its attachments).
"""

from __future__ import annotations

from typing import Any, Optional

from ..netsets import AddressSet
from .instances import Instance
from .refs import Lit, Res
from .route_fields import follow, inline_terms, prefix_destination
from .routes import route_references

EVERYWHERE = AddressSet.parse("0.0.0.0/0") | AddressSet.parse("::/0")
NOWHERE = AddressSet()

# route targets, as the provider names them in aws_route and a table's route blocks
TARGETS = ("gateway_id", "nat_gateway_id", "transit_gateway_id", "vpc_peering_connection_id",
           "network_interface_id", "vpc_endpoint_id", "egress_only_gateway_id", "carrier_gateway_id",
           "local_gateway_id", "core_network_arn", "instance_id")
# what attaches something to a transit gateway (by transit_gateway_id)
_TGW_ATTACHING = ("aws_ec2_transit_gateway_vpc_attachment", "aws_ec2_transit_gateway_peering_attachment",
                  "aws_ec2_transit_gateway_connect", "aws_vpn_connection", "aws_dx_gateway_association",
                  "aws_ec2_transit_gateway_multicast", "aws_networkmanager_transit_gateway")
_TO_INTERNET = ("aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_ec2_carrier_gateway")
_INTERNET_IDS = ("igw-", "eigw-", "cagw-")
LOCAL, INTERNET = "local", "internet"  # kinds of target (else NAT gateways, a peering's or transit gateway's VPCs)


class RouteTargets:
    """Reads routes (a table's ``route`` blocks, ``aws_route``) for one side of a plan."""

    def __init__(self, builder: Any) -> None:
        self.b = builder
        self._nats: dict[str, Instance] = {}  # nat-... id -> NAT gateway
        for inst in self.b.instances:
            if inst.type == "aws_nat_gateway" and inst.address.mode == "managed":
                known, ident = self.b.value(inst, ("id",))
                if known and isinstance(ident, str) and ident:
                    self._nats[ident] = inst
        # the VPCs attached to each transit gateway the plan makes; one that reaches anything else
        # (a VPN, a peering, Connect, Direct Connect) or an attachment tfsg cannot read: open
        self._attached: dict[str, set[Optional[str]]] = {}
        for inst in self.b.instances:
            if inst.address.mode != "managed" or not inst.type.startswith(_TGW_ATTACHING):
                continue
            gateways = [t.instance.addr for attr in ("transit_gateway_id", "associated_gateway_id")
                        for t in self.b.terms(inst, (attr,), optional=True)
                        if isinstance(t, Res) and t.instance.type == "aws_ec2_transit_gateway"]
            for gateway in gateways:
                vpc = self.b._vpc_key(inst) if inst.type == "aws_ec2_transit_gateway_vpc_attachment" else None
                self._attached.setdefault(gateway, set()).add(vpc)

    def destination(self, inst: Instance, at: tuple, attrs: tuple[str, str]) -> Optional[AddressSet]:
        """A route's destination blocks; None when unknown (a value after apply, a prefix list
        whose entries the plan does not hold)."""
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
        if known and not listed:
            return out
        # a prefix list: its entries, in its family (route_fields.py); unknown: anywhere
        terms = inline_terms(self.b, inst, at[1], "destination_prefix_list_id") if at else \
            self.b.terms(inst, ("destination_prefix_list_id",), optional=True)
        for dest in prefix_destination(self.b, terms):
            if dest == "?":
                return None
            for block in dest or ():
                out = out | AddressSet.parse(block)
        return out

    def target(self, inst: Instance, at: tuple) -> Any:
        """LOCAL, INTERNET, a list of NAT gateways, ("peering", its VPCs' CIDRs), or None
        (onwards, or unknown: both carry)."""
        for attr in TARGETS:
            known, val = self.b.value(inst, at + (attr,))
            if known and val in (None, ""):
                continue
            # (an inline block's field: matched by what the plan knows of it, not by position)
            terms = (inline_terms(self.b, inst, at[1], attr) or []) if at else \
                self.b.terms(inst, (attr,), optional=True)
            if not terms and not known and at:
                terms = self._collapsed(inst)
            if not terms:
                continue
            return self._kind(terms)
        return None  # no target read (unknown, or none written): onwards, fail closed

    def _kind(self, terms: list) -> Any:
        nats: list[Instance] = []
        internet = False
        terms = follow(self.b, terms)  # an attachment's internet_gateway_id is its gateway's id
        for term in terms:
            if isinstance(term, Res):
                if term.instance.type in _TO_INTERNET:
                    internet = True
                elif term.instance.type == "aws_nat_gateway":
                    nats.append(term.instance)
                elif term.instance.type == "aws_vpc_peering_connection" and len(terms) == 1:
                    return self._peering(term.instance)
                elif term.instance.type == "aws_ec2_transit_gateway" and len(terms) == 1:
                    return self._transit(term.instance)
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

    def _transit(self, gateway: Instance) -> Any:
        """("transit", the attached VPCs' blocks) for a transit gateway whose attachments are all
        VPC attachments of this plan (it carries to those only, Transit Gateway guide, "How transit
        gateways work"); None (onwards, anywhere) when it has none here, or another kind, or one
        tfsg cannot place. Its own route tables are not read: each attached VPC is reachable."""
        attached = self._attached.get(gateway.addr)
        vpcs = self.b.snap.vpcs
        if not attached or None in attached:
            return None
        out = NOWHERE
        for vpc in attached:
            if vpc not in vpcs or vpc in self.b.snap.partial_vpcs:
                return None
            out = out | vpcs[vpc]
        return ("transit", out)

    def _collapsed(self, inst: Instance) -> list:
        """A table's route target known only after apply: plan JSON merges the references of
        all its ``route`` blocks into one list; what they name, together, stands for each."""
        return [t for t in route_references(self.b, inst) or ()
                if not (isinstance(t, Res) and t.instance.type in ("aws_route_table", "aws_vpc", "aws_subnet"))]
