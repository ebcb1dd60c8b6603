"""Public fronts AWS runs in front of private resources: hops from the internet that no load
balancer of the plan makes.

* Global Accelerator (``aws_globalaccelerator_*``): an accelerator's static anycast addresses
  take clients on its listeners' port ranges to the endpoints of its endpoint groups, internal
  load balancers and instances in private subnets included (Global Accelerator developer guide,
  "Endpoints"). ALB and EC2 instance endpoints see the client's address unless
  ``client_ip_preservation_enabled`` is false; a Network Load Balancer endpoint sees the
  accelerator's ("Preserve client IP addresses").
* CloudFront VPC origins (``aws_cloudfront_vpc_origin`` named by a distribution's
  ``origin.vpc_origin_config``): the distribution serves any client on tcp 80/443 and connects
  to the internal ALB, NLB or instance from CloudFront's own interfaces in the VPC, which the
  origin admits by the CloudFront prefix list or CloudFront's service group, both outside the
  plan (CloudFront developer guide, "Restrict access with VPC origins").
* API Gateway HTTP APIs with a VPC link (``aws_apigatewayv2_integration``, ``connection_type =
  "VPC_LINK"``, ``integration_uri`` a listener): the API's public endpoint forwards to the
  listener from the VPC link's interfaces, whose groups say what they may send (API Gateway
  developer guide, "Private integrations for HTTP APIs").

Each front is a hop of its own: an ``LbLink`` from the front to the resource it forwards to,
the front an attachment that is public and whose groups (a VPC link's) govern only what it
sends: ``Fronts.open`` (clients reach it whatever its groups admit).
"""

from __future__ import annotations

from typing import Any, Optional

from ..model import LbLink
from ..netsets import ServiceSet
from .beanstalk import ENVIRONMENT, UNKNOWN, VPC, front_of, settings
from .instances import Instance
from .lbs import port_services
from .refs import Unk

_ENDPOINT_TYPES = ("aws_lb", "aws_alb", "aws_instance")
_WEB = (("tcp", 80), ("tcp", 443))


def _ranges(proto: str, ranges: list[tuple[int, int]]) -> Optional[ServiceSet]:
    """Port ranges of one protocol as services (None for none readable)."""
    out: Optional[ServiceSet] = None
    for found in (port_services(proto, r) for r in ranges):
        if found is not None:
            out = found if out is None else out | found
    return out


class Fronts:
    """The fronts of one side (``links``, ``open``, ``public``: front -> (IPv4, IPv6, reason))."""

    def __init__(self, builder: Any) -> None:
        self.b = builder
        self.links: list[LbLink] = []
        self.open: set[str] = set()
        self.public: dict[str, tuple[bool, Optional[bool], str]] = {}
        self.senders: dict[str, set[str]] = {}  # front -> the attachments it sends from (a VPC link)
        self.outside: set[str] = set()  # fronts that send from addresses of their own (AWS-managed)
        self.groups: dict[str, tuple[str, ...]] = {}  # front -> its own groups (a load balancer AWS makes)
        self.closed: set[str] = set()  # fronts with groups that forward to their targets only
        self.types: dict[str, str] = {}  # fronts that are no resource of the plan: their kind
        by_type: dict[str, list[Instance]] = {}
        for inst in builder.instances:
            if inst.address.mode == "managed":
                by_type.setdefault(inst.type, []).append(inst)
        self._accelerators(by_type)
        self._cloudfront(by_type)
        self._http_apis(by_type)
        self._beanstalk(by_type)
        self.links.sort(key=lambda link: (link.lb, link.listener, link.target))

    # ------------------------------------------------------------------ resolution

    def _named(self, inst: Instance, path: tuple, types: tuple[str, ...]) -> list[Instance]:
        """Resources of ``types`` an attribute names, by reference or by a known ARN or id."""
        return self.b.referenced(inst, path, types, ("arn", "id"))

    def _unread(self, inst: Instance, path: tuple, what: str) -> None:
        """An endpoint a front forwards to that is not a resource of the plan tfsg can read."""
        said = self.b.terms(inst, path, optional=True)
        if not said:
            return
        shown_path = ".".join(str(p) for p in path)
        self.b.unknown(inst.addr, shown_path, f"{what}, and it is not a load balancer or instance of this plan: "
                       "whether its groups admit the internet is not known", ("all", ""))

    def _value(self, inst: Instance, path: tuple) -> Any:
        return self.b.setting(inst, path)[1]

    # ------------------------------------------------------------------ Global Accelerator

    def _accelerators(self, by_type: dict[str, list[Instance]]) -> None:
        listeners: dict[str, tuple[Instance, Instance, Optional[ServiceSet], str]] = {}
        for listener in by_type.get("aws_globalaccelerator_listener", []):
            for acc in self._named(listener, ("accelerator_arn",), ("aws_globalaccelerator_accelerator",)):
                proto = str(self._value(listener, ("protocol",)) or "TCP").lower()
                ranges = []
                for path in self.b._expand(listener, ("port_range", "[]")):
                    low = self._value(listener, path + ("from_port",))
                    high = self._value(listener, path + ("to_port",))
                    if isinstance(low, int) and isinstance(high, int):
                        ranges.append((low, high))
                proto = proto if proto in ("tcp", "udp") else "tcp"
                listeners[listener.addr] = (listener, acc, _ranges(proto, ranges), proto)
        for group in by_type.get("aws_globalaccelerator_endpoint_group", []):
            for lst in self._named(group, ("listener_arn",), ("aws_globalaccelerator_listener",)):
                if lst.addr not in listeners:
                    continue
                listener, acc, front, proto = listeners[lst.addr]
                if front is None or self._value(acc, ("enabled",)) is False:
                    continue
                overrides = {}
                for path in self.b._expand(group, ("port_override", "[]")):
                    lp = self._value(group, path + ("listener_port",))
                    ep = self._value(group, path + ("endpoint_port",))
                    if isinstance(lp, int) and isinstance(ep, int):
                        overrides[lp] = ep
                back = front
                for lp, ep in overrides.items():  # the ports the endpoint sees
                    moved = _ranges(proto, [(lp, lp)])
                    if moved is not None and moved & front:
                        back = (back - moved) | (_ranges(proto, [(ep, ep)]) or moved)
                for path in self.b._expand(group, ("endpoint_configuration", "[]")):
                    preserve = self.b.setting(group, path + ("client_ip_preservation_enabled",))
                    targets = self._named(group, path + ("endpoint_id",), _ENDPOINT_TYPES)
                    if not targets:  # an endpoint tfsg cannot tell: what the internet reaches is not known
                        self._unread(group, path + ("endpoint_id",), f"{acc.addr} forwards the internet to it")
                    for target in targets:
                        kind = self._value(target, ("load_balancer_type",)) if target.type != "aws_instance" else None
                        if kind == "network":
                            client: Optional[bool] = False  # NLB endpoints: the accelerator's address
                        elif preserve[0] and preserve[1] is not None:
                            client = bool(preserve[1])
                        else:
                            client = True if target.type == "aws_instance" else None
                        dual = str(self._value(acc, ("ip_address_type",)) or "").upper() == "DUAL_STACK"
                        self.links.append(LbLink(acc.addr, listener.addr, front, target.addr, back, client,
                                                 client if dual else False))
                        self.outside.add(acc.addr)  # its edge addresses: the globalaccelerator prefix list
                        self.public[acc.addr] = (True, dual,
                                                 "a Global Accelerator's static anycast addresses are public")
                        self.open.add(acc.addr)

    # ------------------------------------------------------------------ CloudFront VPC origins

    def _cloudfront(self, by_type: dict[str, list[Instance]]) -> None:
        origins: dict[str, tuple[Instance, ServiceSet]] = {}
        for origin in by_type.get("aws_cloudfront_vpc_origin", []):
            base = ("vpc_origin_endpoint_config", 0)
            policy = str(self._value(origin, base + ("origin_protocol_policy",)) or "match-viewer")
            ports = [p for k, p in (("http-only", "http_port"), ("https-only", "https_port"))
                     if policy in (k, "match-viewer")] or ["http_port", "https_port"]
            values = [self._value(origin, base + (p,)) for p in ports]
            back = _ranges("tcp", [(v, v) for v in values if isinstance(v, int)])
            if back is not None:
                origins[origin.addr] = (origin, back)
        front = _ranges("tcp", [(p, p) for _, p in _WEB])
        for dist in by_type.get("aws_cloudfront_distribution", []):
            if self._value(dist, ("enabled",)) is False or front is None:
                continue
            for path in self.b._expand(dist, ("origin", "[]", "vpc_origin_config", "[]")):
                for origin in self._named(dist, path + ("vpc_origin_id",), ("aws_cloudfront_vpc_origin",)):
                    if origin.addr not in origins:
                        continue
                    _, back = origins[origin.addr]
                    for target in self._named(origin, ("vpc_origin_endpoint_config", 0, "arn"), _ENDPOINT_TYPES):
                        # CloudFront connects from its own interfaces: None, either address may
                        # be what an origin admits it by (hops.py reads outside groups and lists too)
                        self.links.append(LbLink(dist.addr, dist.addr, front, target.addr, back, None, False))
                        # IPv6 only with is_ipv6_enabled (DistributionConfig.IsIPV6Enabled, default false)
                        self.outside.add(dist.addr)  # its VPC-origin interfaces: prefix list or service group
                        self.public[dist.addr] = (True, self._value(dist, ("is_ipv6_enabled",)) is True,
                                                  "a CloudFront distribution serves any client")
                        self.open.add(dist.addr)

    # ------------------------------------------------------------------ API Gateway HTTP APIs

    def _http_apis(self, by_type: dict[str, list[Instance]]) -> None:
        """An HTTP API's routed integrations of type VPC_LINK: the API's public endpoint (tcp 443)
        forwards to the listener through the VPC link, whose groups say what it may send. Only an
        integration a route targets receives requests ("Routes direct incoming API requests to
        backend resources"); an API whose routes the plan does not hold may route any."""
        listener_types = ("aws_lb_listener", "aws_alb_listener")
        front = _ranges("tcp", [(443, 443)])
        routed: dict[str, set[str]] = {}  # api -> integrations its routes target
        unread: set[str] = set()  # apis with a route whose target tfsg cannot tell
        for route in by_type.get("aws_apigatewayv2_route", []):
            apis = self._named(route, ("api_id",), ("aws_apigatewayv2_api",))
            targets = self._named(route, ("target",), ("aws_apigatewayv2_integration",))
            if not targets:  # "integrations/${aws_apigatewayv2_integration.x.id}" known at apply only
                said = " ".join(t.reason for t in self.b.terms(route, ("target",), optional=True) if isinstance(t, Unk))
                targets = [i for i in by_type.get("aws_apigatewayv2_integration", []) if f"{i.addr}.id" in said]
            for api in apis:
                routed.setdefault(api.addr, set()).update(t.addr for t in targets)
                if not targets:
                    unread.add(api.addr)
        for integration in by_type.get("aws_apigatewayv2_integration", []):
            if self._value(integration, ("connection_type",)) != "VPC_LINK" or front is None:
                continue
            apis = [a for a in self._named(integration, ("api_id",), ("aws_apigatewayv2_api",))
                    if a.addr not in routed or a.addr in unread or integration.addr in routed[a.addr]]
            links = self._named(integration, ("connection_id",), ("aws_apigatewayv2_vpc_link",))
            for listener in self._named(integration, ("integration_uri",), listener_types):
                port = self._value(listener, ("port",))
                back = _ranges("tcp", [(port, port)]) if isinstance(port, int) else None
                if back is None:
                    continue
                for lb in self._named(listener, ("load_balancer_arn",), ("aws_lb", "aws_alb")):
                    for api in apis:
                        self.links.append(LbLink(api.addr, integration.addr, front, lb.addr, back, False, False))
                        self.public[api.addr] = (True, False, "an HTTP API's endpoint is public")
                        self.open.add(api.addr)
                        for link in links:  # the API sends from its VPC link's interfaces
                            self.senders.setdefault(api.addr, set()).add(link.addr)

    def _beanstalk(self, by_type: dict[str, list[Instance]]) -> None:
        """A load-balanced Elastic Beanstalk environment: the load balancer Elastic Beanstalk
        makes (internet-facing unless ``ELBScheme`` is ``internal``) forwards its listener
        ports to the instance port of the environment's instances (beanstalk.py)."""
        for env in by_type.get(ENVIRONMENT, []):
            st = settings(self.b, env)
            single, kind = st.single_instance(), st.load_balancer_type()
            scheme = st.text(VPC, "ELBScheme")
            if single is not False or kind is UNKNOWN or scheme is UNKNOWN:
                continue
            front = front_of(env.addr)
            listen = _ranges("tcp", [(p, p) for p in st.listener_ports()])
            back = _ranges("tcp", [(st.instance_port(), st.instance_port())])
            if listen is None or back is None:
                continue
            self.types[front] = "aws_elb" if kind == "classic" else "aws_lb"
            if (scheme or "public") == "internal":  # a node with private addresses only
                self.public[front] = (False, False, "an internal load balancer (ELBScheme internal)")
            else:
                self.public[front] = (True, False, "the internet-facing load balancer Elastic Beanstalk makes for "
                                                   "the environment (ELBScheme public)")
            if kind == "network":  # no security group: clients reach its listeners, and the instances see them
                self.links.append(LbLink(front, front, listen, env.addr, back, True, False))
                self.open.add(front)
                continue
            self.links.append(LbLink(front, front, listen, env.addr, back, False, False))
            made = self.b.services.load_balancer_groups if self.b.services is not None else {}
            self.groups[front] = tuple(made.get(env.addr, ()))  # beanstalk_groups.py read them
            self.closed.add(front)
