"""Load balancers as hops: which listener forwards to which target, on which port.

ELB documentation: a listener (``aws_lb_listener``, ``aws_lb_listener_rule``) forwards from its
port to the target groups its actions name; a target group (``aws_lb_target_group``) sends to
its registered targets (``aws_lb_target_group_attachment``, ``aws_autoscaling_group``
``target_group_arns``, ``aws_autoscaling_attachment``, ``aws_ecs_service`` ``load_balancer``)
on the target port (the attachment's ``port``, else the group's). A reference is followed, and a
known value matched to the plan's resource by its ARN (an Auto Scaling group also by its
name); one that names nothing tfsg can tell is an unknown on the attachment, never a silently
missing hop. What the target sees as the
source (NLB target group attributes, "client IP preservation"): the client's address when the
client IP is preserved (default on for instance targets, and for ip targets over UDP/TCP_UDP;
off for ip targets over TCP/TLS), otherwise the load balancer's private address; an ALB always
connects from its own addresses.
"""

from __future__ import annotations

import ipaddress  # (netsets imports it already: no start-up cost)
from collections.abc import Iterable
from typing import Any, Optional

from ..model import LbLink, shown
from ..netsets import AddressSet, ProtocolError, ServiceSet, services_for_rule
from .classic_elb import classic_links, classic_ports
from .ecs_hosts import container_instances, host_mode, host_port
from .instances import Instance
from .refs import Lit, Res, Unk, flatten_strings

LB_TYPES = ("aws_lb", "aws_alb")
LISTENER_TYPES = ("aws_lb_listener", "aws_alb_listener")
TG_TYPES = ("aws_lb_target_group", "aws_alb_target_group")
ASG_TYPES = ("aws_autoscaling_group",)
_NAMED_BY: dict[tuple[str, ...], tuple[str, ...]] = {ASG_TYPES: ("arn", "name"), ("aws_elb",): ("arn", "name")}
_FORWARD_PATHS = (("default_action", "[]", "target_group_arn"),
                  ("default_action", "[]", "forward", "[]", "target_group", "[]", "arn"))
_RULE_PATHS = (("action", "[]", "target_group_arn"), ("action", "[]", "forward", "[]", "target_group", "[]", "arn"))


_HOSTS = ("aws_instance", "aws_network_interface", "aws_spot_instance_request")
_HOST_ADDRESSES = ("private_ip", "ipv6_addresses", "private_ips", "secondary_private_ips", "private_ip_list",
                   "ipv6_address_list")


def _canonical(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def _protocols(text: Any) -> tuple[str, ...]:
    text = str(text or "TCP").upper()
    if text in ("UDP",):
        return ("udp",)
    if text == "TCP_UDP":
        return ("tcp", "udp")
    return ("tcp",)  # TCP, TLS, HTTP, HTTPS, GENEVE...


def port_services(protocol: Any, port: Any) -> Optional[ServiceSet]:
    """A port (or a (low, high) range: an ECS container instance's ephemeral host ports)."""
    if isinstance(port, tuple):
        low, high = port
    elif isinstance(port, int) and not isinstance(port, bool):
        low = high = port
    else:
        return None
    out: Optional[ServiceSet] = None
    for proto in _protocols(protocol):
        try:
            s = services_for_rule(proto, low, high)
        except ProtocolError:
            return None
        out = s if out is None else out | s
    return out


class LoadBalancers:
    """Listener -> target links of one side, built from the builder's instances."""

    def __init__(self, builder: Any) -> None:
        self.b = builder
        self._seen: dict[tuple, list[str]] = {}
        self._partial: set[str] = set()  # resources with a reference tfsg could not follow
        self._external: set[str] = set()  # target groups with a registration outside every VPC of the plan
        self.closed: set[str] = set()  # see _close
        self.ports: dict[str, ServiceSet] = {}  # see _listener_ports
        self._addresses: Optional[dict[str, list[Instance]]] = None  # see _host_addresses
        self.instance_targets: set[str] = set()  # see _close
        self.unregistered: set[str] = set()  # see _close

    def _refs(self, inst: Instance, paths: tuple, types: tuple[str, ...]) -> list[str]:
        """The resources of ``types`` the attribute at ``paths`` names, by reference or by a
        known ARN (or, for Auto Scaling groups, name); when it names none and a value is unknown,
        an unknown on ``inst`` (which hop it makes cannot be told)."""
        key = (inst.addr, paths, types)
        if key in self._seen:  # a listener is asked once per target group it forwards to
            return self._seen[key]
        out: list[str] = []
        unread: list[str] = []
        outside: list[str] = []  # known ARNs (names) of no resource of this plan
        for steps in paths:
            for path in self.b._expand(inst, steps):
                for t in self.b.terms(inst, path, optional=True):
                    if isinstance(t, Res) and t.instance.type in types:
                        out.append(t.instance.addr)
                    elif isinstance(t, Lit):
                        for v in _strings(t.value):
                            found = self._named(types, v, inst)
                            out += [found] if found else []
                            outside += [v] if not found and v else []
                    elif isinstance(t, Unk):
                        unread.append(t.reason)
        attr = ".".join(str(p) for p in paths[0] if p != "[]")
        if not out and not unread and not self.b.value(inst, (paths[0][0],))[0] \
                and not any(self.b._expand(inst, steps) for steps in paths):
            # the whole action list is known only after apply and nothing says what it holds (its
            # dynamic blocks are dropped from plan JSON; no .tf sources): it may forward anywhere
            unread.append(f"{paths[0][0]} is known only after apply (dynamic blocks, which plan JSON drops; give "
                          "the .tf sources with --source)")
        if unread:  # (a known ARN of no resource here names no load balancer of the plan either)
            self._partial.add(inst.addr)
        if not out and unread:
            self.b.unknown(inst.addr, attr, f"which {types[0]} it names is not known: {'; '.join(sorted(set(unread)))}",
                           ("front", inst.addr))
        for v in sorted(set(outside)):
            # another configuration's (a shared load balancer, its listener or target group):
            # what the internet reaches through it is in no part of this plan
            self.b.unknown(inst.addr, attr, f"names {shown(v)!r}, which is no {types[0]} of this plan (another "
                           "configuration's): what reaches its targets through it is not known", ("front", inst.addr))
        self._seen[key] = out
        return out

    def _targets(self, inst: Instance, path: tuple, group: Optional[Instance] = None) -> list[str]:
        """The resources a target attribute registers: by reference, or by the known id of a
        resource of the plan (an instance that exists already is registered by its ``i-...``),
        or, for an ``ip`` target, by the private address of an instance or network interface
        of the plan. A literal naming nothing of the plan is an unknown: its target's groups
        decide what it admits, and they are not in the plan."""
        ids = self.b.indexed(None, ("id",))
        addresses = self._host_addresses()
        out = []
        for t in self.b.terms(inst, path, optional=True):
            if isinstance(t, Res):
                out.append(t.instance.addr)
            elif isinstance(t, Lit):
                for v in _strings(t.value):
                    found = ids.get(v) or self._in_vpc_of(group, addresses.get(_canonical(v), ()))
                    if found:
                        out.append(found[0].addr)
                    elif v and v != "unknown" and group is not None and self._outside_every_vpc(v):
                        # an address no VPC of the plan holds (an on-premises server: an ip target
                        # outside the group's VPC, ELB guide "Target type"): none of the plan's
                        # resources, so the load balancer still forwards to its targets alone
                        self._external.add(group.addr)
                        self.b.unknown(inst.addr, ".".join(path), f"registers {shown(v)!r}, an address outside every "
                                       "VPC of this plan: what answers there is not known", ("front", inst.addr))
                    elif v and v != "unknown":
                        self._partial.add(inst.addr)
                        self.b.unknown(inst.addr, ".".join(path), f"registers {shown(v)!r}, which is not a resource of "
                                       "this plan: what it admits through the load balancer is not known",
                                       ("front", inst.addr))
        return out

    def _outside_every_vpc(self, text: str) -> bool:
        """Is ``text`` an IP address that no VPC of the plan holds (all their blocks known)?"""
        snap = self.b.snap
        if not snap.vpcs or snap.partial_vpcs:
            return False
        try:
            where = AddressSet.parse(text)
        except ValueError:
            return False
        return not any(block.overlaps(where) for block in snap.vpcs.values())

    def _host_addresses(self) -> dict[str, list[Instance]]:
        """Instances and network interfaces of the plan by each private address they hold, IPv4
        and IPv6 alike (an ``ip`` target of an IPv6 target group is registered by an IPv6
        address: ``ipv6_addresses``; secondary addresses: ``private_ips``, ``secondary_private_ips``).
        Addresses are compared in their canonical text (``2600:...:0010`` is ``2600:...:10``)."""
        if self._addresses is None:
            self._addresses = {}
            for inst in self.b.instances:
                if inst.address.mode != "managed" or inst.type not in _HOSTS:
                    continue
                for attr in _HOST_ADDRESSES:
                    known, value = self.b.value(inst, (attr,))
                    if not known:
                        continue
                    for text in _strings(value):
                        try:
                            key = str(ipaddress.ip_address(text))
                        except ValueError:
                            continue
                        if inst not in self._addresses.get(key, ()):
                            self._addresses.setdefault(key, []).append(inst)
        return self._addresses

    def _in_vpc_of(self, group: Optional[Instance], hosts: Iterable[Instance]) -> list[Instance]:
        """The hosts of a private address an ``ip`` target registers that may be it: in the target
        group's VPC ("IP addresses from the subnets of the target group's VPC", ELB guide) and
        Region; a host or group whose VPC is not known may be."""
        if group is None:
            return list(hosts)
        vpc = self.b._vpc_key(group)
        out = []
        for host in hosts:
            if not self.b.same_region(host, group):
                continue
            subnets = [t.instance for t in self.b.terms(host, ("subnet_id",), optional=True)
                       if isinstance(t, Res) and t.instance.type in ("aws_subnet", "aws_default_subnet")]
            subnets += [self.b.subnets[v] for t in self.b.terms(host, ("subnet_id",), optional=True)
                        if isinstance(t, Lit) for v in _strings(t.value) if v in self.b.subnets]
            theirs = {self.b._vpc_key(s) for s in subnets}
            if vpc is None or not theirs or None in theirs or vpc in theirs:
                out.append(host)
        return out

    def _named(self, types: tuple[str, ...], value: str, writer: Instance) -> str:
        """The plan's resource of ``types`` a known ARN (or Auto Scaling group name) names, in
        the Region of the resource that writes it (names are per Region: build/regions.py); ""
        for none."""
        found = self.b.indexed(types, _NAMED_BY.get(types, ("arn",))).get(value, ())
        return next((i.addr for i in found if self.b.same_region(i, writer)), "")

    def links(self) -> list[LbLink]:
        by_type: dict[str, list[Instance]] = {}
        for inst in self.b.instances:
            if inst.address.mode == "managed":
                by_type.setdefault(inst.type, []).append(inst)
        groups: dict[str, Instance] = {i.addr: i for t in TG_TYPES for i in by_type.get(t, ())}
        targets: dict[str, list[tuple[str, Any]]] = {}  # target group -> (target address, port)
        for att in by_type.get("aws_lb_target_group_attachment", []) + \
                by_type.get("aws_alb_target_group_attachment", []):
            for tg in self._refs(att, (("target_group_arn",),), TG_TYPES):
                known, port = self.b.value(att, ("port",))
                for target in self._targets(att, ("target_id",), groups.get(tg)):
                    targets.setdefault(tg, []).append((target, port if known else None))
        for asg in by_type.get("aws_autoscaling_group", []):
            for tg in self._refs(asg, (("target_group_arns",),), TG_TYPES):
                targets.setdefault(tg, []).append((asg.addr, None))
            for path in self._elbv2_sources(asg, ("traffic_source", "[]")):
                for tg in self._refs(asg, (path + ("identifier",),), TG_TYPES):
                    targets.setdefault(tg, []).append((asg.addr, None))
        attached = [(att, (("lb_target_group_arn",),)) for att in by_type.get("aws_autoscaling_attachment", [])]
        attached += [(att, (path + ("identifier",),))
                     for att in by_type.get("aws_autoscaling_traffic_source_attachment", [])
                     for path in self._elbv2_sources(att, ("traffic_source", "[]"))]
        for att, tg_paths in attached:  # an attachment naming the group by autoscaling_group_name
            tgs = self._refs(att, tg_paths, TG_TYPES)
            if tgs:
                asgs = self._refs(att, (("autoscaling_group_name",),), ASG_TYPES)
                for tg in tgs:
                    targets.setdefault(tg, []).extend((a, None) for a in asgs)
        for svc in by_type.get("aws_ecs_service", []):
            self._ecs_targets(svc, by_type, targets)
        forwards: list[tuple[Instance, str]] = []  # (listener, target group)
        for listener in by_type.get("aws_lb_listener", []) + by_type.get("aws_alb_listener", []):
            idle = self._weightless(listener, "default_action")
            forwards += [(listener, tg) for tg in self._refs(listener, _FORWARD_PATHS, TG_TYPES) if tg not in idle]
        clients: dict[tuple[str, str], Optional[AddressSet]] = {(lsn.addr, tg): None for lsn, tg in forwards}
        listeners = {i.addr: i for t in LISTENER_TYPES for i in by_type.get(t, ())}
        for rule in by_type.get("aws_lb_listener_rule", []) + by_type.get("aws_alb_listener_rule", []):
            idle = self._weightless(rule, "action")
            only = self._source_ip(rule)
            for listener_addr in self._refs(rule, (("listener_arn",),), LISTENER_TYPES):
                for tg in self._refs(rule, _RULE_PATHS, TG_TYPES):
                    if tg in idle:
                        continue
                    forwards.append((listeners[listener_addr], tg))
                    key = (listener_addr, tg)
                    had = clients.get(key, only) if key in clients else only
                    # any rule (or the default action) forwarding there without a condition: any client
                    clients[key] = None if had is None or only is None else had | only
        self._close(by_type, forwards, targets)
        self._listener_ports(by_type)
        self.ports.update(classic_ports(self, by_type))
        out: set[LbLink] = set()
        functions = {i.addr for i in by_type.get("aws_lambda_function", [])}
        for listener, tg in forwards:
            lbs = self._refs(listener, (("load_balancer_arn",),), LB_TYPES)
            front = port_services(self.b.value(listener, ("protocol",))[1], self.b.value(listener, ("port",))[1])
            group = groups.get(tg)
            if not lbs or front is None or group is None:
                continue
            known, tg_port = self.b.value(group, ("port",))
            tg_proto = self.b.value(group, ("protocol",))[1]
            preserved = self._client_ip(lbs[0], group)
            # IPv6 clients of IPv4 targets arrive from the load balancer's IPv4 address; a target
            # group of IPv6 targets sees them as IPv4 clients are seen
            family_known, family = self.b.setting(group, ("ip_address_type",))
            preserved_v6 = False if preserved is False or (family_known and family != "ipv6") \
                else preserved if family_known else None
            if family_known and family == "ipv6":
                preserved = False  # IPv4 clients of IPv6 targets arrive from its IPv6 address
            seen_from = ("ipv6" if family == "ipv6" else "ipv4") if family_known else None
            for target, port in targets.get(tg, ()):
                back = port_services(tg_proto, port if isinstance(port, (int, tuple)) else tg_port if known else None)
                if target in functions:
                    back = INVOKED  # (a target group of type lambda has no port or protocol)
                if back is not None:
                    out.add(LbLink(lbs[0], listener.addr, front, target, back, preserved, preserved_v6, seen_from,
                                   clients.get((listener.addr, tg))))
        out |= classic_links(self, by_type)
        return sorted(out, key=lambda link: (link.lb, link.listener, link.target))

    def _source_ip(self, rule: Instance) -> Optional[AddressSet]:
        """The clients a listener rule's ``source_ip`` conditions let through (their CIDRs; all
        conditions of a rule must match: ELB guide, "Listener rules"); None when it has none, or
        when one is known only after apply (any client, fail closed)."""
        from ..netsets import union_all

        found: list[AddressSet] = []
        for path in self.b._expand(rule, ("condition", "[]", "source_ip", "[]")):
            known, values = self.b.value(rule, path + ("values",))
            if not known or not isinstance(values, list) or not values:
                return None
            try:
                found.append(union_all(AddressSet.parse(str(v)) for v in values))
            except ValueError:
                return None
        if not found:
            return None
        out = found[0]
        for block in found[1:]:
            out = out & block
        return out

    def _ecs_targets(self, svc: Instance, by_type: dict[str, list[Instance]], targets: dict[str, list]) -> None:
        """An ECS service's registrations: its tasks (awsvpc), or the container instances that
        run them (bridge and host modes, on their host ports: ecs_hosts.py)."""
        mode = host_mode(self.b, svc)
        hosts = container_instances(self.b, svc, by_type, self._refs) if mode else []
        for path in self.b._expand(svc, ("load_balancer", "[]")):
            known, port = self.b.value(svc, path + ("container_port",))
            port = port if known else None
            for tg in self._refs(svc, ((*path, "target_group_arn"),), TG_TYPES):
                if mode is None:
                    targets.setdefault(tg, []).append((svc.addr, port))
                    continue
                container = self.b.value(svc, path + ("container_name",))[1]
                on = host_port(self.b, svc, mode, container, port)
                targets.setdefault(tg, []).extend((h, on) for h in hosts)
                if not hosts:
                    self._partial.add(svc.addr)  # its load balancer's targets are not all known
                    self.b.unknown(svc.addr, "load_balancer",
                                   f"{mode} network mode: the load balancer registers the container instances that "
                                   "run its tasks, which no capacity provider of the plan names", ("members", svc.addr))

    def _close(self, by_type: dict[str, list[Instance]], forwards: list[tuple[Instance, str]],
               targets: dict[str, list[tuple[str, Any]]]) -> None:
        """``closed``: the load balancers whose every listener, rule and registration the plan
        holds and tfsg read. Only those are known to connect to their targets alone; of another
        (listeners or targets registered outside Terraform: another state, the AWS Load Balancer
        Controller) what its groups allow is what it may reach."""
        registrations = ("aws_lb_target_group_attachment", "aws_alb_target_group_attachment", "aws_autoscaling_group",
                         "aws_autoscaling_attachment", "aws_autoscaling_traffic_source_attachment", "aws_ecs_service",
                         "aws_lb_listener_rule", "aws_alb_listener_rule")
        if any(i.addr in self._partial for t in registrations for i in by_type.get(t, ())):
            return  # a registration or rule that names something tfsg cannot tell may be any LB's
        listened: dict[str, set[str]] = {}
        for listener in by_type.get("aws_lb_listener", []) + by_type.get("aws_alb_listener", []):
            for lb in self._refs(listener, (("load_balancer_arn",),), LB_TYPES):
                listened.setdefault(lb, set()).add(listener.addr)
        groups = {i.addr: i for t in TG_TYPES for i in by_type.get(t, ())}
        for lb, listeners in listened.items():
            tgs = [tg for listener, tg in forwards if listener.addr in listeners]
            if listeners & self._partial:
                continue
            if all(targets.get(tg) or tg in self._external for tg in tgs):
                self.closed.add(lb)
                continue
            if all(tg in groups for tg in tgs):
                # open only because a target group of the plan has no registration in it
                self.unregistered.add(lb)
            if all(tg in groups and self._instance_type(groups[tg]) for tg in tgs):
                # targets registered elsewhere (an ECS service of another stack, the console):
                # a target group of type instance takes EC2 instances only (ELB API
                # CreateTargetGroup, TargetType: instance is the default)
                self.instance_targets.add(lb)

    def _instance_type(self, group: Instance) -> bool:
        known, kind = self.b.setting(group, ("target_type",))
        return known and kind in (None, "instance")

    def _listener_ports(self, by_type: dict[str, list[Instance]]) -> None:
        """``ports``: what each load balancer listens on, when the plan holds its listeners and
        tfsg read them all. A load balancer accepts connections on its listeners' ports only
        (ELB guide, "Listeners": a listener "checks for connection requests, using the protocol
        and port that you configure"), whatever its groups admit."""
        ports: dict[str, ServiceSet] = {}
        unread: set[str] = set()
        for listener in by_type.get("aws_lb_listener", []) + by_type.get("aws_alb_listener", []):
            lbs = self._refs(listener, (("load_balancer_arn",),), LB_TYPES)
            if not lbs:
                return  # a listener of some load balancer tfsg cannot tell: none is complete
            known_port, port = self.b.value(listener, ("port",))
            front = port_services(self.b.value(listener, ("protocol",))[1], port) if known_port else None
            for lb in lbs:
                if front is None:
                    unread.add(lb)
                else:
                    ports[lb] = ports[lb] | front if lb in ports else front
        self.ports = {lb: p for lb, p in ports.items() if lb not in unread}

    def _elbv2_sources(self, inst: Instance, steps: tuple) -> list[tuple]:
        """The ``traffic_source`` blocks that name an ELB target group (``type = "elbv2"``; a
        classic ELB or VPC Lattice source is not a target group), or whose type is unknown."""
        out = []
        for path in self.b._expand(inst, steps):
            known, kind = self.b.value(inst, path + ("type",))
            if not known or kind in (None, "elbv2"):
                out.append(path)
        return out

    def _weightless(self, inst: Instance, action: str) -> set[str]:
        """Target groups a weighted ``forward`` names only with weight 0: they get no request
        (ELB guide, "Listener rules": "weight ... 0 ... no traffic"), unless named elsewhere."""
        zero: set[str] = set()
        used: set[str] = set()
        for path in self.b._expand(inst, (action, "[]", "forward", "[]", "target_group", "[]")):
            known, weight = self.b.value(inst, path + ("weight",))
            if not self.b.value(inst, path + ("arn",))[0]:
                # the arn comes from the configuration's block at this index (a set's planned
                # elements are ordered otherwise): its weight must too
                expr = self.b.config.expression(inst.address, path + ("weight",))
                said = [expr["constant_value"]] if isinstance(expr, dict) and "constant_value" in expr else \
                    [t.value for t in expr.get("terms", ()) if isinstance(t, Lit)] if isinstance(expr, dict) else []
                known, weight = (True, said[0]) if len(said) == 1 else (False, None)
            found = set(self._refs(inst, (path + ("arn",),), TG_TYPES))
            (zero if known and weight == 0 else used).update(found)
        for path in self.b._expand(inst, (action, "[]", "target_group_arn")):
            used.update(self._refs(inst, (path,), TG_TYPES))
        return zero - used

    def _client_ip(self, lb: str, group: Instance) -> Optional[bool]:
        lb_inst = next((i for i in self.b.instances if i.addr == lb), None)
        kind = self.b.setting(lb_inst, ("load_balancer_type",))[1] if lb_inst is not None else None
        if lb_inst is not None and lb_inst.type == "aws_alb" or kind in (None, "application"):
            return False  # an ALB connects to its targets from its own addresses
        known, value = self.b.setting(group, ("preserve_client_ip",))
        if known and value is not None:
            return str(value).lower() == "true"
        target_type = self.b.setting(group, ("target_type",))[1] or "instance"
        if target_type == "alb":
            return None  # an ALB behind an NLB: either address may be what it sees (fail closed)
        protocol = str(self.b.setting(group, ("protocol",))[1] or "TCP").upper()
        return target_type == "instance" or protocol in ("UDP", "TCP_UDP")  # True: AWS's default


# What the hop load balancer -> Lambda function carries: ELB invokes the function (ELB guide, "Use
# Lambda functions as targets of an Application Load Balancer"), no connection to its interfaces;
# shown as HTTPS, as a function URL's requests are.
INVOKED = services_for_rule("tcp", 443, 443)


def _strings(value: Any) -> list[str]:
    out: list[str] = []
    flatten_strings(value, out)
    return out


def close_like(before: Any, after: Any) -> None:
    """Judge a load balancer's targets on both sides of a change by the same knowledge. A
    target group the base registers nothing in leaves its load balancer open there ("registered
    elsewhere": it may reach what its groups allow); once the change registers targets the plan
    holds in full, the load balancer is closed. Read open before and closed after, the path the
    new registration makes would already be there before, and the gate would call it existing:
    the base side is closed too, with the registrations it holds (none, for a new attachment)."""
    lbs = {a.resource for a in before.attachments}
    before.lb_closed |= {lb for lb in after.lb_closed if lb in lbs}
    # and the other way: registrations the base holds that the change removes leave the target
    # group empty, not "registered elsewhere" (the load balancer then forwards to nothing)
    after.lb_closed |= before.lb_closed & after.lb_unregistered
