"""Elastic Beanstalk environments: their instances' groups, subnets and public addresses, the
groups Elastic Beanstalk makes, and the load balancer it puts in front of them, all read from
the environment's option settings (``setting`` blocks: namespace, name, value).

Options (Elastic Beanstalk developer guide, "General options for all environments"):

* ``aws:autoscaling:launchconfiguration``: ``SecurityGroups`` (ids or names, comma-separated)
  "to assign to the EC2 instances"; ``EC2KeyName``; ``SSHSourceRestriction`` ("protocol,
  fromPort, toPort, source"); ``DisableDefaultEC2SecurityGroup`` (else Elastic Beanstalk makes
  the instances' own group; it opens SSH to the world when a key is set, eb_deployer#93).
* ``aws:ec2:vpc``: ``VPCId``, ``Subnets`` and ``ELBSubnets`` (comma-separated ids),
  ``AssociatePublicIpAddress``, ``ELBScheme`` (``public``, the default, or ``internal``).
* ``aws:elasticbeanstalk:environment``: ``EnvironmentType`` (``LoadBalanced``, the default, or
  ``SingleInstance``), ``LoadBalancerType`` (``classic``, ``application``, ``network``).
* ``aws:elasticbeanstalk:environment:process:default``: ``Port`` (the instance port, 80).
* ``aws:elbv2:listener:<port>`` / ``aws:elb:listener:<port>``: listeners beside the default one
  on 80 (``aws:elbv2:listener:default``, ``ListenerEnabled``); ``aws:elbv2:loadbalancer`` /
  ``aws:elb:loadbalancer``: ``SecurityGroups`` and ``ManagedSecurityGroup`` (given instead of
  the group Elastic Beanstalk makes for the load balancer).

A value the plan knows is taken from the planned ``setting`` set; one known only after apply
from the configuration block with the same namespace and name (sets are not in configuration
order, so never by position).
"""

from __future__ import annotations

from typing import Any, Optional

from .instances import Instance
from .refs import ConfigIndex, Lit, Term, Unk
from .refs import flatten_strings as _flatten

ENVIRONMENT = "aws_elastic_beanstalk_environment"
LAUNCH = "aws:autoscaling:launchconfiguration"
VPC = "aws:ec2:vpc"
ENV = "aws:elasticbeanstalk:environment"
PROCESS = "aws:elasticbeanstalk:environment:process:default"
UNKNOWN = object()  # a setting written with a value known only after apply


def _text(node: Any) -> Optional[str]:
    """A namespace or name as the configuration holds it: plan JSON's ``{"constant_value": x}``,
    or the evaluated string (HCL mode)."""
    if isinstance(node, dict) and isinstance(node.get("constant_value"), str):
        return node["constant_value"]
    return node if isinstance(node, str) else None


class Settings:
    """One environment's option settings: ``terms(namespace, name)`` and ``text(...)``."""

    def __init__(self, builder: Any, inst: Instance) -> None:
        self.b, self.inst = builder, inst
        self.values: dict[tuple[str, str], list[Term]] = {}
        res = builder.config.resource(inst.address) or {}
        blocks = (res.get("expressions") or {}).get("setting")
        written: dict[tuple[str, str], int] = {}
        for i, block in enumerate(blocks if isinstance(blocks, list) else ()):
            if isinstance(block, dict):
                ns, name = _text(block.get("namespace")), _text(block.get("name"))
                if ns and name:
                    written[(ns, name)] = i
        known, planned = builder.value(inst, ("setting",))
        if isinstance(builder.config, ConfigIndex) and known and isinstance(planned, list):
            for element in planned:
                if not isinstance(element, dict):
                    continue
                ns, name = element.get("namespace"), element.get("name")
                if not (isinstance(ns, str) and isinstance(name, str)):
                    continue
                if isinstance(element.get("value"), str):
                    self.values[(ns, name)] = [Lit(element["value"])]
                else:  # known only after apply: what the block of that namespace and name says
                    self.values[(ns, name)] = self._written(written.get((ns, name)), ns, name)
        else:
            for key, i in written.items():
                self.values[key] = self._written(i, *key)

    def _written(self, index: Optional[int], ns: str, name: str) -> list[Term]:
        out: list[Term] = [Unk(f"the {ns} {name} option setting is known only after apply")]
        if index is not None:
            expr = self.b.config.expression(self.inst.address, ("setting", index, "value"))
            if expr is not None:
                out = self.b.resolver.expression(expr, self.b.context(self.inst))
        if self.b.sources is not None and any(isinstance(t, Unk) for t in out):
            # plan JSON drops dynamic blocks and locals: the .tf sources beside it say
            res = self.b.sources.resource(self.inst.address) or {}
            blocks = (res.get("expressions") or {}).get("setting")
            for j, block in enumerate(blocks if isinstance(blocks, list) else ()):
                if isinstance(block, dict) and (_text(block.get("namespace")), _text(block.get("name"))) == (ns, name):
                    better = self.b.sources.terms(self.inst.address, ("setting", j, "value"))
                    return better if better is not None else out
        return out

    def terms(self, namespace: str, name: str) -> list[Term]:
        return self.values.get((namespace, name), [])

    def text(self, namespace: str, name: str) -> Any:
        """The setting's literal text; None when not written; UNKNOWN when not known."""
        terms = self.terms(namespace, name)
        if not terms:
            return None
        if len(terms) == 1 and isinstance(terms[0], Lit) and isinstance(terms[0].value, (str, int, bool)):
            return str(terms[0].value)
        return UNKNOWN

    def items(self, namespace: str, name: str) -> list[Term]:
        """A comma-separated list (group or subnet ids): each element a term of its own."""
        out: list[Term] = []
        for term in self.terms(namespace, name):
            if isinstance(term, Lit):
                texts: list[str] = []
                _flatten(term.value, texts)
                out += [Lit(part.strip()) for text in texts for part in text.split(",") if part.strip()]
            else:
                out.append(term)
        return out

    def single_instance(self) -> Any:
        kind = self.text(ENV, "EnvironmentType")
        return UNKNOWN if kind is UNKNOWN else kind == "SingleInstance"

    def load_balancer_type(self) -> Any:
        kind = self.text(ENV, "LoadBalancerType")
        return UNKNOWN if kind is UNKNOWN else (kind or "classic").lower()

    def instance_port(self) -> int:
        port = self.text(PROCESS, "Port")
        return int(port) if isinstance(port, str) and port.isdigit() else 80

    def listener_ports(self) -> list[int]:
        """The load balancer's listener ports: 80 unless the default listener is disabled, and
        every ``aws:elbv2:listener:<port>`` / ``aws:elb:listener:<port>`` not disabled."""
        ports: set[int] = set()
        if self.text("aws:elbv2:listener:default", "ListenerEnabled") != "false" and \
                self.text("aws:elb:listener", "ListenerEnabled") != "false":
            ports.add(80)
        for ns in sorted({ns for ns, _ in self.values}):
            head, _, port = ns.rpartition(":")
            if head in ("aws:elbv2:listener", "aws:elb:listener") and port.isdigit() and \
                    self.text(ns, "ListenerEnabled") != "false":
                ports.add(int(port))
        return sorted(ports)

    def public(self, subnet_public: Optional[bool]) -> tuple[tuple[Optional[bool], str], tuple[Optional[bool], str]]:
        """(IPv4, IPv6) public-address signals of the environment's instances: a single instance
        has an Elastic IP (``AssociatePublicIpAddress`` "has no effect on a single-instance
        environment"), else that option, else their subnets' mapping; no IPv6 address."""
        v6 = (False, "Elastic Beanstalk assigns its instances no IPv6 address")
        if self.single_instance() is True:
            return (True, "a single-instance environment's instance has an Elastic IP address"), v6
        flag = self.text(VPC, "AssociatePublicIpAddress")
        if flag is UNKNOWN:
            return (None, "the AssociatePublicIpAddress option is known only after apply"), v6
        if flag is not None:
            return (flag.lower() == "true", f"AssociatePublicIpAddress = {flag.lower()}"), v6
        if subnet_public is True:
            return (True, "its subnet maps public IPs on launch"), v6
        if subnet_public is False:
            return (False, "private subnet (map_public_ip_on_launch = false), no public IP"), v6
        return (None, "whether its instances get a public IP depends on their subnets, which the plan does "
                      "not show"), v6

    def load_balancer_groups(self) -> tuple[list[Term], list[Term]]:
        """(the groups given to the load balancer, the managed group given instead of one
        Elastic Beanstalk makes), for its type's namespace."""
        ns = "aws:elb:loadbalancer" if self.load_balancer_type() == "classic" else "aws:elbv2:loadbalancer"
        return self.items(ns, "SecurityGroups"), self.items(ns, "ManagedSecurityGroup")


def settings(builder: Any, inst: Instance) -> Settings:
    """An environment's settings, read once per side (``builder.beanstalk``: address -> Settings)."""
    hit = builder.beanstalk.get(inst.addr)
    if hit is None:
        hit = builder.beanstalk[inst.addr] = Settings(builder, inst)
    return hit


def lb_group_key(env: str) -> str:
    """The group Elastic Beanstalk makes for an environment's load balancer."""
    from ..services import EXTRA_GROUP_KEY

    return f"{env} ({EXTRA_GROUP_KEY})"


def front_of(env: str) -> str:
    """The node that stands for an environment's load balancer."""
    return f"{env} (load balancer)"
