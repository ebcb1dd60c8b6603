"""The groups Elastic Beanstalk puts an environment's instances in, and the ones it makes
(``services.py`` row ``beanstalk_environment``; options in ``beanstalk.py``).

* The groups of the ``SecurityGroups`` option: the instances' own.
* Unless ``DisableDefaultEC2SecurityGroup``: the instance group Elastic Beanstalk makes: all
  traffic out (a new EC2 group's rule); SSH (tcp 22) from ``SSHSourceRestriction``'s source,
  else from 0.0.0.0/0, when ``EC2KeyName`` is set; the instance port (``Port``, 80) from
  0.0.0.0/0 in a single-instance environment, else from the load balancer's group.
* A load-balanced environment with a classic or application load balancer and no
  ``ManagedSecurityGroup``: the load balancer's group: its listener ports from 0.0.0.0/0, all out.
"""

from __future__ import annotations

from typing import Any

from ..model import Peer, SecurityGroup
from ..netsets import normalise_cidr
from .beanstalk import LAUNCH, UNKNOWN, VPC, lb_group_key, settings
from .instances import Instance
from .refs import Lit

ALL = ("-1", 0, 0)


def beanstalk_environment(run: Any, inst: Instance, fact: Any) -> None:
    st = settings(run.b, inst)
    members = ("members", inst.addr)
    keys, reasons = run.group_keys(st.items(LAUNCH, "SecurityGroups"), "ids", inst)
    for reason in reasons:
        run.unknown(inst.addr, "setting SecurityGroups", reason, members)
    if keys:
        run.member(inst.addr, *keys)
    vpc = run.vpc_key_of(st.terms(VPC, "VPCId"))
    single, lb_type = st.single_instance(), st.load_balancer_type()
    lb_keys: list[str] = []
    if single is False and lb_type in ("classic", "application"):
        given, managed = st.load_balancer_groups()
        lb_keys, lb_unread = run.group_keys(managed, "ids", inst)
        if not lb_keys and not lb_unread:
            lb_keys = [_lb_group(run, inst, st, vpc)]
        extra, more = run.group_keys(given, "ids", inst)
        lb_keys += extra
        run.effects.load_balancer_groups[inst.addr] = sorted(set(lb_keys))
        for reason in lb_unread + more:
            run.unknown(inst.addr, "setting SecurityGroups (load balancer)", reason, members)
    disabled = st.text(LAUNCH, "DisableDefaultEC2SecurityGroup")
    if disabled == "true":
        return
    key = run.group(inst, fact, None, vpc, f"created by Elastic Beanstalk for the instances of {inst.addr}")
    run.member(inst.addr, key)
    if disabled is UNKNOWN:
        run.unknown(inst.addr, "setting DisableDefaultEC2SecurityGroup", "known only after apply: whether Elastic "
                    "Beanstalk's instance group exists", members)
    run.rule(inst, key, "egress", *ALL, Peer("cidr", "0.0.0.0/0"), "outbound rule of a new EC2 security group")
    _ssh(run, inst, st, key)
    port = st.instance_port()
    if single is UNKNOWN or lb_type is UNKNOWN:
        run.unknown(inst.addr, "setting EnvironmentType", "the environment type is known only after apply: Elastic "
                    f"Beanstalk admits tcp {port} from 0.0.0.0/0 (single instance) or from its load balancer",
                    ("ingress", key))
    elif single:
        run.rule(inst, key, "ingress", "tcp", port, port, Peer("cidr", "0.0.0.0/0"),
                 "Elastic Beanstalk single-instance environment: the instance port from anywhere")
    elif lb_keys:
        for lb_key in lb_keys:
            run.rule(inst, key, "ingress", "tcp", port, port, Peer("group", lb_key),
                     "Elastic Beanstalk: the instance port from the load balancer")
    else:
        run.unknown(inst.addr, "setting LoadBalancerType", f"a {lb_type} load balancer has no security group: what "
                    f"Elastic Beanstalk's instance group admits on tcp {port} is not documented", ("ingress", key))


def _ssh(run: Any, inst: Instance, st: Any, key: str) -> None:
    key_name = st.text(LAUNCH, "EC2KeyName")
    if not key_name:
        return
    restriction = st.text(LAUNCH, "SSHSourceRestriction")
    if restriction is UNKNOWN or (key_name is UNKNOWN and restriction is None):
        run.unknown(inst.addr, "setting EC2KeyName", "known only after apply: with a key pair and no "
                    "SSHSourceRestriction Elastic Beanstalk opens tcp 22 to 0.0.0.0/0", ("ingress", key))
        return
    if restriction is None:
        run.rule(inst, key, "ingress", "tcp", 22, 22, Peer("cidr", "0.0.0.0/0"),
                 "Elastic Beanstalk: SSH with EC2KeyName set and no SSHSourceRestriction")
        return
    parts = [p.strip() for p in restriction.split(",")]
    if len(parts) != 4 or not parts[1].isdigit() or not parts[2].isdigit():
        run.unknown(inst.addr, "setting SSHSourceRestriction", f"{restriction!r} is not 'protocol, fromPort, toPort, "
                    "source'", ("ingress", key))
        return
    proto, low, high, source = parts[0].lower(), int(parts[1]), int(parts[2]), parts[3]
    try:
        peer = Peer("cidr", normalise_cidr(source))
    except ValueError:
        groups, reasons = run.group_keys([Lit(source)], "ids", inst)
        if not groups:
            groups, reasons = run.group_keys([Lit(source)], "names", inst)
        for reason in reasons:
            run.unknown(inst.addr, "setting SSHSourceRestriction", reason, ("ingress", key))
        if not groups:
            return
        peer = Peer("group", groups[0])
    run.rule(inst, key, "ingress", proto, low, high, peer, "Elastic Beanstalk: SSHSourceRestriction")


def _lb_group(run: Any, inst: Instance, st: Any, vpc: Any) -> str:
    key = lb_group_key(inst.addr)
    run.effects.groups.append(SecurityGroup(key=key, address=key, id=None, name=None, vpc_id=vpc,
                                            description=f"created by Elastic Beanstalk for the load balancer of "
                                                        f"{inst.addr}", change=inst.action))
    for port in st.listener_ports():
        run.rule(inst, key, "ingress", "tcp", port, port, Peer("cidr", "0.0.0.0/0"),
                 "Elastic Beanstalk load balancer: the listener port from anywhere")
    run.rule(inst, key, "egress", *ALL, Peer("cidr", "0.0.0.0/0"), "outbound rule of a new EC2 security group")
    return key
