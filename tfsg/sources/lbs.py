"""Load balancers as hops: which listener forwards to which target, on which port.

ELB documentation: a listener (``aws_lb_listener``, ``aws_lb_listener_rule``) forwards from its
port to the target groups its actions name; a target group (``aws_lb_target_group``) sends to
its registered targets (``aws_lb_target_group_attachment``, ``aws_autoscaling_group``
``target_group_arns``, ``aws_autoscaling_attachment``, ``aws_ecs_service`` ``load_balancer``)
on the target port (the attachment's ``port``, else the group's). What the target sees as the
source (NLB target group attributes, "client IP preservation"): the client's address when the
client IP is preserved (default on for instance targets, and for ip targets over UDP/TCP_UDP;
off for ip targets over TCP/TLS), otherwise the load balancer's private address; an ALB always
connects from its own addresses.
"""

from __future__ import annotations

from typing import Any, Optional

from ..model import LbLink
from ..netsets import ProtocolError, ServiceSet, services_for_rule
from .instances import Instance
from .refs import Res

LB_TYPES = ("aws_lb", "aws_alb")
LISTENER_TYPES = ("aws_lb_listener", "aws_alb_listener")
TG_TYPES = ("aws_lb_target_group", "aws_alb_target_group")
_FORWARD_PATHS = (("default_action", "[]", "target_group_arn"),
                  ("default_action", "[]", "forward", "[]", "target_group", "[]", "arn"))
_RULE_PATHS = (("action", "[]", "target_group_arn"), ("action", "[]", "forward", "[]", "target_group", "[]", "arn"))


def _protocols(text: Any) -> tuple[str, ...]:
    text = str(text or "TCP").upper()
    if text in ("UDP",):
        return ("udp",)
    if text == "TCP_UDP":
        return ("tcp", "udp")
    return ("tcp",)  # TCP, TLS, HTTP, HTTPS, GENEVE...


def _services(protocol: Any, port: Any) -> Optional[ServiceSet]:
    if not isinstance(port, int) or isinstance(port, bool):
        return None
    out: Optional[ServiceSet] = None
    for proto in _protocols(protocol):
        try:
            s = services_for_rule(proto, port, port)
        except ProtocolError:
            return None
        out = s if out is None else out | s
    return out


class LoadBalancers:
    """Listener -> target links of one side, built from the builder's instances."""

    def __init__(self, builder: Any) -> None:
        self.b = builder

    def _refs(self, inst: Instance, paths: tuple, types: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for steps in paths:
            for path in self.b._expand(inst, steps):
                out += [t.instance.addr for t in self.b.terms(inst, path, optional=True)
                        if isinstance(t, Res) and t.instance.type in types]
        return out

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
                for target in [t.instance.addr for t in self.b.terms(att, ("target_id",), optional=True)
                               if isinstance(t, Res)]:
                    targets.setdefault(tg, []).append((target, port if known else None))
        for asg in by_type.get("aws_autoscaling_group", []):
            for tg in self._refs(asg, (("target_group_arns",),), TG_TYPES):
                targets.setdefault(tg, []).append((asg.addr, None))
        for att in by_type.get("aws_autoscaling_attachment", []):
            asgs = [t.instance.addr for t in self.b.terms(att, ("autoscaling_group_name",), optional=True)
                    if isinstance(t, Res)]
            for tg in self._refs(att, (("lb_target_group_arn",),), TG_TYPES):
                targets.setdefault(tg, []).extend((a, None) for a in asgs)
        for svc in by_type.get("aws_ecs_service", []):
            for path in self.b._expand(svc, ("load_balancer", "[]")):
                known, port = self.b.value(svc, path + ("container_port",))
                for tg in self._refs(svc, ((*path, "target_group_arn"),), TG_TYPES):
                    targets.setdefault(tg, []).append((svc.addr, port if known else None))
        forwards: list[tuple[Instance, str]] = []  # (listener, target group)
        for listener in by_type.get("aws_lb_listener", []) + by_type.get("aws_alb_listener", []):
            forwards += [(listener, tg) for tg in self._refs(listener, _FORWARD_PATHS, TG_TYPES)]
        listeners = {i.addr: i for t in LISTENER_TYPES for i in by_type.get(t, ())}
        for rule in by_type.get("aws_lb_listener_rule", []) + by_type.get("aws_alb_listener_rule", []):
            for listener_addr in self._refs(rule, (("listener_arn",),), LISTENER_TYPES):
                forwards += [(listeners[listener_addr], tg) for tg in self._refs(rule, _RULE_PATHS, TG_TYPES)]
        out: set[LbLink] = set()
        for listener, tg in forwards:
            lbs = self._refs(listener, (("load_balancer_arn",),), LB_TYPES)
            front = _services(self.b.value(listener, ("protocol",))[1], self.b.value(listener, ("port",))[1])
            group = groups.get(tg)
            if not lbs or front is None or group is None:
                continue
            known, tg_port = self.b.value(group, ("port",))
            tg_proto = self.b.value(group, ("protocol",))[1]
            preserved = self._client_ip(lbs[0], group)
            for target, port in targets.get(tg, ()):
                back = _services(tg_proto, port if isinstance(port, int) else tg_port if known else None)
                if back is not None:
                    out.add(LbLink(lbs[0], listener.addr, front, target, back, preserved))
        return sorted(out, key=lambda link: (link.lb, link.listener, link.target))

    def _client_ip(self, lb: str, group: Instance) -> Optional[bool]:
        lb_inst = next((i for i in self.b.instances if i.addr == lb), None)
        kind = self.b.setting(lb_inst, ("load_balancer_type",))[1] if lb_inst is not None else None
        if lb_inst is not None and lb_inst.type == "aws_alb" or kind in (None, "application"):
            return False  # an ALB connects to its targets from its own addresses
        known, value = self.b.setting(group, ("preserve_client_ip",))
        if known and value is not None:
            return str(value).lower() == "true"
        target_type = self.b.setting(group, ("target_type",))[1] or "instance"
        protocol = str(self.b.setting(group, ("protocol",))[1] or "TCP").upper()
        return target_type == "instance" or protocol in ("UDP", "TCP_UDP")  # True: AWS's default
