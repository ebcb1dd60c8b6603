"""Classic Load Balancers (``aws_elb``): their listener blocks and every way instances are
registered with them, as ``LbLink`` hops (``lbs.LoadBalancers`` calls ``classic_links``).

Registrations: ``instances``, ``aws_elb_attachment``, an Auto Scaling group's ``load_balancers``,
``aws_autoscaling_attachment.elb``, ``traffic_source`` blocks and
``aws_autoscaling_traffic_source_attachment`` of type ``elb`` (a Classic Load Balancer named by
``identifier``: provider docs), and an ECS service's ``load_balancer.elb_name``.
"""

from __future__ import annotations

from typing import Any

from ..model import LbLink
from ..netsets import ServiceSet
from .ecs_hosts import container_instances, host_mode
from .instances import Instance

ASG_TYPES = ("aws_autoscaling_group",)


def classic_links(lbs: Any, by_type: dict[str, list[Instance]]) -> set[LbLink]:
    """Classic load balancers (``aws_elb``): each ``listener`` block forwards from
    ``lb_port`` to ``instance_port`` of the registered instances (``instances``,
    ``aws_elb_attachment``, an Auto Scaling group's ``load_balancers``,
    ``aws_autoscaling_attachment.elb``). A Classic Load Balancer connects to its instances
    from its own addresses (Classic ELB guide, "Configure security groups for instances"):
    the client address is never what they see."""
    from .lbs import port_services  # the listener's protocol and port, as lbs.py reads them (lbs imports this module)

    targets: dict[str, list[str]] = {}
    for lb in by_type.get("aws_elb", []):
        targets[lb.addr] = lbs._targets(lb, ("instances",))
    for att in by_type.get("aws_elb_attachment", []):
        for name in lbs._refs(att, (("elb",),), ("aws_elb",)):
            targets.setdefault(name, []).extend(lbs._targets(att, ("instance",)))
    for asg in by_type.get("aws_autoscaling_group", []):
        for name in lbs._refs(asg, (("load_balancers",),), ("aws_elb",)):
            targets.setdefault(name, []).append(asg.addr)
    for att in by_type.get("aws_autoscaling_attachment", []):
        for name in lbs._refs(att, (("elb",),), ("aws_elb",)):
            targets.setdefault(name, []).extend(lbs._refs(att, (("autoscaling_group_name",),), ASG_TYPES))
    # newer registrations: a traffic source of type "elb" names a Classic Load Balancer by its
    # name (provider docs, aws_autoscaling_traffic_source_attachment); an ECS service's
    # load_balancer.elb_name registers its tasks' container instances (bridge/host mode)
    for asg in by_type.get("aws_autoscaling_group", []):
        for path in _elb_sources(lbs, asg):
            for name in lbs._refs(asg, (path + ("identifier",),), ("aws_elb",)):
                targets.setdefault(name, []).append(asg.addr)
    for att in by_type.get("aws_autoscaling_traffic_source_attachment", []):
        for path in _elb_sources(lbs, att):
            for name in lbs._refs(att, (path + ("identifier",),), ("aws_elb",)):
                targets.setdefault(name, []).extend(lbs._refs(att, (("autoscaling_group_name",),), ASG_TYPES))
    for svc in by_type.get("aws_ecs_service", []):
        for path in lbs.b._expand(svc, ("load_balancer", "[]")):
            for name in lbs._refs(svc, (path + ("elb_name",),), ("aws_elb",)):
                mode = host_mode(lbs.b, svc)
                hosts = container_instances(lbs.b, svc, by_type, lbs._refs) if mode else []
                targets.setdefault(name, []).extend(hosts or [svc.addr])
    if not any(i.addr in lbs._partial for i in by_type.get("aws_elb_attachment", [])):
        lbs.closed |= {lb.addr for lb in by_type.get("aws_elb", []) if targets.get(lb.addr)}
    out: set[LbLink] = set()
    for elb in by_type.get("aws_elb", []):
        for path in lbs.b._expand(elb, ("listener", "[]")):
            front = port_services(*(lbs.b.value(elb, path + (k,))[1] for k in ("lb_protocol", "lb_port")))
            back = port_services(*(lbs.b.value(elb, path + (k,))[1] for k in ("instance_protocol", "instance_port")))
            if front is None or back is None:
                continue
            for target in sorted(set(targets.get(elb.addr, ()))):
                out.add(LbLink(elb.addr, elb.addr, front, target, back, False, False))
    return out


def classic_ports(lbs: Any, by_type: dict[str, list[Instance]]) -> dict[str, ServiceSet]:
    """What each Classic Load Balancer listens on, when its ``listener`` blocks are known and all
    read: it accepts client connections on their ``lb_port`` only (Classic ELB guide, "Listeners
    for your Classic Load Balancer"), whatever its groups admit."""
    from .lbs import port_services

    out: dict[str, ServiceSet] = {}
    for elb in by_type.get("aws_elb", []):
        known, blocks = lbs.b.value(elb, ("listener",))
        if not known or not isinstance(blocks, list) or not blocks:
            continue
        ports: Any = None
        for path in lbs.b._expand(elb, ("listener", "[]")):
            front = port_services(*(lbs.b.value(elb, path + (k,))[1] for k in ("lb_protocol", "lb_port")))
            if front is None:
                ports = None
                break
            ports = front if ports is None else ports | front
        if ports is not None:
            out[elb.addr] = ports
    return out


def _elb_sources(lbs: Any, inst: Instance) -> list[tuple]:
    """The ``traffic_source`` blocks of type ``elb`` (a Classic Load Balancer by name)."""
    return [path for path in lbs.b._expand(inst, ("traffic_source", "[]"))
            if lbs.b.value(inst, path + ("type",)) == (True, "elb")]
