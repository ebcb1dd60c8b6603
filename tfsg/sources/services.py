"""Apply the service facts (``tfsg/services.py``) to one side's instances.

``service_effects(builder)`` returns the groups AWS creates for resources of the plan, their
rules, the groups AWS puts resources in, and what the plan cannot tell, as unknowns. It reads
the builder (values, settings, resolved terms, group keys, the groups already built) and
changes nothing but the default group of a VPC the plan makes, which the builder adds where it
is named (build/default_groups.py): the snapshot builder merges the result (see ``ServiceEffects``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from ..attachments import SUBNET_GROUP_TYPES
from ..model import Peer, Rule, SecurityGroup, Unknown
from ..netsets import ProtocolError, normalise_cidr, services_for_rule
from ..services import REMOTE_ACCESS_DEFAULT_OS, REMOTE_ACCESS_OS, ServiceFact, facts_for, service_group_key
from .beanstalk_groups import beanstalk_environment
from .instances import Instance
from .refs import ConfigIndex, Lit, Res, Term, Unk, passed_path
from .refs import path_text as _path_text

VPC_TYPES = ("aws_vpc", "aws_default_vpc")
# (VPC key as groups' vpc_id holds it, the VPC instance when in the plan, whether it is the default VPC)
VpcFound = tuple[Optional[str], Optional[Instance], Optional[bool]]
SUBNET_TYPES = ("aws_subnet", "aws_default_subnet")


# Resources whose attributes repeat what they were given (time provider, built-ins, null).
_PASS_THROUGH = ("time_sleep", "terraform_data", "null_resource")


@dataclass
class ServiceEffects:
    """What AWS does on its own for one side of the change.

    * ``groups``: synthetic groups (``aws_eks_cluster.main (cluster security group)``, ...),
      ``id`` set when the plan knows the real one.
    * ``rules``: their rules, ``defined_by`` the owning resource, never ``inline``.
    * ``memberships``: resource address -> group keys AWS puts it in (to be merged into the
      resource's attachment, created if the attachment table gave it none).
    * ``unknowns``: what the documentation or the plan leaves open.
    * ``ids``: real ``sg-`` id -> synthetic key (for ``id_to_group``).
    * ``references``: (owner address, attribute path without indexes) -> synthetic key, so a
      reference such as ``aws_eks_cluster.main.vpc_config[0].cluster_security_group_id`` in a
      rule or an attachment names the synthetic group (see ``key_for``).
    * ``launches_from``: EKS node group -> the launch template its nodes are made from (the
      node group stands for them; the template launches nothing itself).
    """

    groups: list[SecurityGroup] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    memberships: dict[str, list[str]] = field(default_factory=dict)
    unknowns: list[Unknown] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    references: dict[tuple[str, str], str] = field(default_factory=dict)
    launches_from: dict[str, str] = field(default_factory=dict)  # node group -> its launch template
    # Elastic Beanstalk environment -> the groups of the load balancer it makes (fronts.py)
    load_balancer_groups: dict[str, list[str]] = field(default_factory=dict)

    def key_for(self, address: str, attr: Iterable[Any]) -> Optional[str]:
        """The synthetic group a reference to ``address``'s ``attr`` names, if any."""
        return self.references.get((address, _attr_text(attr)))


def service_effects(builder: Any) -> ServiceEffects:
    """The service facts that apply to ``builder``'s instances (its groups must be built)."""
    run = _Run(builder)
    managed = [i for i in builder.instances if i.address.mode == "managed" and facts_for(i.type)]
    # the groups other rows refer to come first (a node group needs its cluster's group)
    for first in (True, False):
        for inst in managed:
            for fact in facts_for(inst.type):
                if (fact.handler in FIRST) == first:
                    HANDLERS[fact.handler](run, inst, fact)
    for addr, keys in run.effects.memberships.items():
        run.effects.memberships[addr] = list(dict.fromkeys(keys))
    return run.effects


# --------------------------------------------------------------------------- helpers


def _attr_text(attr: Iterable[Any]) -> str:
    return ".".join(str(s) for s in attr if isinstance(s, str) and s != "*")


def _steps(argument: str) -> tuple[str, ...]:
    steps: list[str] = []
    for part in argument.split("."):
        if part.endswith("[]"):
            steps += [part[:-2], "[]"]
        else:
            steps.append(part)
    return tuple(steps)




def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class _Run:
    def __init__(self, builder: Any) -> None:
        self.b = builder
        self.effects = ServiceEffects()
        self.cluster_keys: dict[str, str] = {}  # aws_eks_cluster address -> its group key
        self._types: Optional[dict[str, list[Instance]]] = None

    @property
    def _by_type(self) -> dict[str, list[Instance]]:
        """Instances by type, built on first use (most plans have no service facts)."""
        if self._types is None:
            self._types = {}
            for inst in self.b.instances:
                self._types.setdefault(inst.type, []).append(inst)
        return self._types

    # ---------------------------------------------------------------- recording

    def unknown(self, address: str, attribute: str, reason: str, scope: tuple[str, str] = ("all", ""),
                services: Optional[Any] = None) -> None:
        """``scope``: what the unknown can change (see ``model.Unknown``): a resource's
        memberships, a group's rules in one direction, or everything; ``services``: on what."""
        self.effects.unknowns.append(Unknown(address, attribute, reason, scope, services))

    def member(self, address: str, *keys: str) -> None:
        self.effects.memberships.setdefault(address, []).extend(keys)

    def group(self, inst: Instance, fact: ServiceFact, ident: Optional[str], vpc: Optional[str],
              description: str, tags: tuple[tuple[str, str], ...] = ()) -> str:
        key = service_group_key(inst.addr, fact)
        self.effects.groups.append(SecurityGroup(key=key, address=key, id=ident, name=None, vpc_id=vpc,
                                                 description=description, change=inst.action, tags=tags))
        if ident:
            self.effects.ids[ident] = key
        return key

    def rule(self, inst: Instance, group: str, direction: str, protocol: str, from_port: int, to_port: int,
             peer: Peer, description: str) -> None:
        try:
            services = services_for_rule(protocol, from_port, to_port)
        except ProtocolError as exc:  # the table is wrong: say so rather than drop the rule
            self.unknown(inst.addr, "service rule", f"rule not understood: {exc}", (direction, group))
            return
        if peer.kind == "group" and peer.value == group:
            peer = Peer("self")
        self.effects.rules.append(Rule(group, direction, services, peer, inst.addr, description, False))

    def table_rules(self, inst: Instance, fact: ServiceFact, group: str, cases: set[str],
                    sources: Optional[list[Peer]] = None) -> None:
        for spec in fact.rules:
            if spec.when and spec.when not in cases:
                continue
            if spec.peer == "self":
                peers = [Peer("self")]
            elif spec.peer == "sources":
                peers = sources or []
            else:
                peers = [Peer("cidr", normalise_cidr(spec.peer))]
            for peer in peers:
                self.rule(inst, group, spec.direction, spec.protocol, spec.from_port, spec.to_port, peer,
                          spec.description)

    # ---------------------------------------------------------------- values

    def value(self, inst: Instance, path: tuple) -> tuple[bool, Any]:
        return self.b.value(inst, path)

    def setting(self, inst: Instance, path: tuple) -> tuple[bool, Any]:
        return self.b.setting(inst, path)

    def known_str(self, inst: Instance, path: tuple) -> Optional[str]:
        known, val = self.value(inst, path)
        return val if known and isinstance(val, str) and val else None

    def expand(self, inst: Instance, steps: tuple[str, ...]) -> list[tuple]:
        """Concrete paths over the blocks that exist (unknown block lists give none). A block
        not written is no block, also where the .tf files are read without a plan."""
        paths: list[tuple] = [()]
        for step in steps:
            if step != "[]":
                paths = [p + (step,) for p in paths]
                continue
            nxt: list[tuple] = []
            for p in paths:
                known, val = self.setting(inst, p)
                if known and isinstance(val, list):
                    nxt += [p + (i,) for i in range(len(val))]
            paths = nxt
        return paths

    def group_keys(self, terms: list[Term], kind: str = "ids",
                   like: Optional[Instance] = None) -> tuple[list[str], list[str]]:
        """Terms -> group keys, naming the synthetic groups found so far (names in ``like``'s Region)."""
        keys: list[str] = []
        reasons: list[str] = []
        for term in terms:
            if isinstance(term, Res):
                key = self.effects.key_for(term.instance.addr, term.attr)
                if key:
                    keys.append(key)
                    continue
            found, unk = self.b.group_keys([term], kind, like)
            keys += found
            reasons += unk
        return list(dict.fromkeys(keys)), reasons

    def instance_named(self, types: Iterable[str], value: str, attrs: tuple[str, ...] = ("name",),
                       mode: str = "managed") -> Optional[Instance]:
        for typ in types:
            for inst in self._by_type.get(typ, []):
                if inst.address.mode != mode:
                    continue
                for attr in attrs:
                    if self.known_str(inst, (attr,)) == value:
                        return inst
        return None

    # ---------------------------------------------------------------- VPCs and default groups

    def vpc_of(self, inst: Instance, arguments: Iterable[str]) -> VpcFound:
        """(VPC key as groups' ``vpc_id`` holds it, the VPC instance if in the plan, whether it
        is the default VPC) from the first of ``arguments`` that resolves."""
        for argument in arguments:
            for path in self.expand(inst, _steps(argument)):
                for term in self.b.terms(inst, path, optional=True):
                    found = self._vpc_of_term(term, 0)
                    if found is not None:
                        return found
        return None, None, None

    def vpc_key_of(self, terms: list[Term]) -> Optional[str]:
        """The VPC key (as groups' ``vpc_id`` holds it) the first resolvable term names."""
        for term in terms:
            found = self._vpc_of_term(term, 0)
            if found is not None:
                return found[0]
        return None

    def _vpc_of_term(self, term: Term, depth: int) -> Optional[VpcFound]:
        if depth > 4:
            return None
        if isinstance(term, Res):
            inst = term.instance
            if inst.type in VPC_TYPES:
                return inst.addr, inst, inst.type == "aws_default_vpc"
            if inst.type in SUBNET_TYPES:
                return self._subnet_vpc(inst)
            if inst.type in SUBNET_GROUP_TYPES:
                for sub in self.b.terms(inst, ("subnet_ids",), optional=True):
                    found = self._vpc_of_term(sub, depth + 1)
                    if found is not None:
                        return found
            return None
        if isinstance(term, Lit):
            values = term.value if isinstance(term.value, list) else [term.value]
            for value in values:
                if not isinstance(value, str) or not value:
                    continue
                if value.startswith("vpc-"):
                    key = self.b.vpc_ids.get(value, value)
                    vpc = next((i for t in VPC_TYPES for i in self._by_type.get(t, []) if i.addr == key), None)
                    return key, vpc, (vpc.type == "aws_default_vpc") if vpc is not None else None
                if value in self.b.subnets:
                    return self._subnet_vpc(self.b.subnets[value])
                group = self.instance_named(SUBNET_GROUP_TYPES, value, ("name", "replication_subnet_group_id"))
                if group is not None:
                    return self._vpc_of_term(Res(group, ()), depth + 1)
        return None

    def _subnet_vpc(self, subnet: Instance) -> Optional[VpcFound]:
        default = True if subnet.type == "aws_default_subnet" else None
        for term in self.b.terms(subnet, ("vpc_id",), optional=True):
            if isinstance(term, Res) and term.instance.type in VPC_TYPES:
                return term.instance.addr, term.instance, default or term.instance.type == "aws_default_vpc"
            texts, _ = self.b.strings([term])
            for text in texts:
                key = self.b.vpc_ids.get(text, text)
                vpc = next((i for t in VPC_TYPES for i in self._by_type.get(t, []) if i.addr == key), None)
                return key, vpc, default if vpc is None else (default or vpc.type == "aws_default_vpc")
        return None

    def default_group(self, vpc: Optional[str], vpc_inst: Optional[Instance]) -> Optional[str]:
        """The key of the VPC's default group: the managed one, else its known id."""
        if vpc is None:
            return None
        for key, sg in self.b.snap.groups.items():
            if sg.default and sg.vpc_id == vpc:
                return key
        if vpc_inst is not None:
            ident = self.known_str(vpc_inst, ("default_security_group_id",))
            if ident:
                return self.b.id_to_group.get(ident, ident)
            # a VPC this plan makes: the group AWS makes with it (the builder adds it once named)
            return self.b.own_default_group(vpc_inst)
        return None

    # ---------------------------------------------------------------- EKS

    def cluster_group(self, inst: Instance) -> tuple[Optional[str], str]:
        """The cluster security group of a node group's or Fargate profile's cluster."""
        name = "?"
        for term in self.b.terms(inst, ("cluster_name",)):
            cluster: Optional[Instance] = None
            if isinstance(term, Res) and term.instance.type == "aws_eks_cluster":
                cluster = term.instance
            elif isinstance(term, Lit) and isinstance(term.value, str):
                name = term.value
                cluster = self.instance_named(("aws_eks_cluster",), term.value) or \
                    self.instance_named(("aws_eks_cluster",), term.value, mode="data")
            elif isinstance(term, Unk):
                return None, f"cluster_name: {term.reason}"
            elif isinstance(term, Res) and term.instance.type in _PASS_THROUGH:
                # the eks module's time_sleep.this[0].triggers["cluster_name"] (terraform_data's
                # output, in other versions) passes the cluster's name on
                found: dict[str, Instance] = {}
                for passed in self._passed(term):
                    if isinstance(passed, Res) and passed.instance.type == "aws_eks_cluster":
                        found[passed.instance.addr] = passed.instance
                    elif isinstance(passed, Lit) and isinstance(passed.value, str):
                        name = passed.value
                        named = self.instance_named(("aws_eks_cluster",), passed.value)
                        if named is not None:
                            found[named.addr] = named
                    elif isinstance(passed, Unk):
                        return None, f"cluster_name: {passed.reason}"
                if len(found) > 1:  # the map is one expression in plan JSON: which key is which is lost
                    return None, (f"cluster_name comes from {term.instance.addr}, which several clusters feed "
                                  f"({', '.join(sorted(found))}); give the .tf sources with --source")
                cluster = next(iter(found.values()), None)
            if cluster is None:
                continue
            if cluster.address.mode == "managed" and cluster.addr in self.cluster_keys:
                return self.cluster_keys[cluster.addr], ""
            ident = self.known_str(cluster, ("vpc_config", 0, "cluster_security_group_id"))
            if ident:  # a data source: the existing cluster's group, outside the plan
                return self.b.id_to_group.get(ident, ident), ""
            return None, f"the security group of {cluster.addr} is known only after apply"
        return None, f"the cluster {name!s} is not in this plan, so tfsg cannot name its cluster security group"

    def _passed(self, term: Res, depth: int = 0) -> list[Term]:
        """What a value read from a pass-through resource (time_sleep ``triggers``,
        terraform_data ``output`` = ``input``, null_resource ``triggers``) was written as. Plan
        JSON records a map argument as one expression: a key of it is read from all of it."""
        if depth > 4:
            return []
        path = passed_path(term.instance.type, term.attr)
        terms = self.b.terms(term.instance, path, optional=True) if path else []
        if not terms and self.b.sources is not None:  # the .tf files say which key holds what
            terms = self.b.sources.terms(term.instance.address, path) or []
        if not terms and len(path) > 1:
            expr = self.b.config.expression(term.instance.address, path[:1])
            terms = self.b.resolver.expression(expr, self.b.context(term.instance)) if expr else []
        out: list[Term] = []
        for t in terms:
            out += self._passed(t, depth + 1) if isinstance(t, Res) and t.instance.type in _PASS_THROUGH else [t]
        return out

    def launch_template(self, inst: Instance) -> tuple[Optional[Instance], str]:
        for attr in ("id", "name"):
            for term in self.b.terms(inst, ("launch_template", 0, attr), optional=True):
                if isinstance(term, Res) and term.instance.type == "aws_launch_template":
                    return term.instance, ""
                if isinstance(term, Lit) and isinstance(term.value, str) and term.value:
                    found = self.instance_named(("aws_launch_template",), term.value, ("id", "name"))
                    if found is not None:
                        return found, ""
                    return None, f"launch template {term.value!r} is not in this plan"
                if isinstance(term, Unk):
                    return None, term.reason
        return None, "the launch template is not in this plan"

    def template_groups(self, template: Instance) -> tuple[list[str], list[str]]:
        keys: list[str] = []
        reasons: list[str] = []
        paths: list[tuple[tuple, str]] = [(("vpc_security_group_ids",), "ids"), (("security_group_names",), "names")]
        known, nics = self.setting(template, ("network_interfaces",))
        if not known:
            reasons.append("network_interfaces of the launch template are known only after apply")
        for i in range(len(nics) if known and isinstance(nics, list) else 0):
            paths.append((("network_interfaces", i, "security_groups"), "ids"))
        for path, kind in paths:
            found, unk = self.group_keys(self.b.terms(template, path, optional=True), kind, template)
            keys += found
            reasons += unk
        return list(dict.fromkeys(keys)), reasons


# --------------------------------------------------------------------------- handlers


def _eks_cluster_group(run: _Run, inst: Instance, fact: ServiceFact) -> None:
    ident = run.known_str(inst, ("vpc_config", 0, "cluster_security_group_id"))
    vpc_text = run.known_str(inst, ("vpc_config", 0, "vpc_id"))
    vpc = run.b.vpc_ids.get(vpc_text, vpc_text) if vpc_text else run.vpc_of(inst, ("vpc_config[].subnet_ids",))[0]
    name = run.known_str(inst, ("name",))
    tags = tuple(sorted({("aws:eks:cluster-name", name), (f"kubernetes.io/cluster/{name}", "owned")})) if name else ()
    key = run.group(inst, fact, ident, vpc, f"created by Amazon EKS for {inst.addr} "
                                            f"(eks-cluster-sg-{name or '<cluster>'}-<id>)", tags)
    known, block = run.setting(inst, ("kubernetes_network_config",))
    if known and _empty(block):  # not written: ipv4 (provider docs, kubernetes_network_config)
        known, family = True, None
    else:
        known, family = run.setting(inst, ("kubernetes_network_config", 0, "ip_family"))
    if not known:
        cases = {"ipv4", "ipv6"}
        run.unknown(inst.addr, "kubernetes_network_config[0].ip_family",
                    "the cluster's IP family is known only after apply: its security group's default outbound "
                    "rule is to 0.0.0.0/0 (ipv4) or ::/0 (ipv6); both are assumed", ("egress", key))
    else:
        cases = {"ipv6"} if family == "ipv6" else {"ipv4"}
    run.table_rules(inst, fact, key, cases)
    run.member(inst.addr, key)
    run.effects.references[(inst.addr, "vpc_config.cluster_security_group_id")] = key
    run.cluster_keys[inst.addr] = key


def _eks_node_group_membership(run: _Run, inst: Instance, fact: ServiceFact) -> None:
    members = ("members", inst.addr)
    known, blocks = run.setting(inst, ("launch_template",))
    if not known:
        run.unknown(inst.addr, "launch_template", "the launch_template block is known only after apply; EKS adds "
                    "the cluster security group only when the launch template sets no groups", members)
        return
    if blocks:
        template, why = run.launch_template(inst)
        if template is None:
            run.unknown(inst.addr, "launch_template[0]", f"{why}; EKS adds the cluster security group only when "
                        "the launch template sets no security groups", members)
            return
        run.effects.launches_from[inst.addr] = template.addr
        keys, reasons = run.template_groups(template)
        for reason in reasons:
            run.unknown(inst.addr, "launch_template[0]", f"the groups of {template.addr}: {reason}", members)
        if keys:  # EKS does not add the cluster group (launch-templates, custom security groups)
            run.member(inst.addr, *keys)
            return
        if reasons:
            return
    key, why = run.cluster_group(inst)
    if key:
        run.member(inst.addr, key)
    else:
        run.unknown(inst.addr, "cluster_name", f"{why}; EKS puts the nodes in that group", members)


def _eks_fargate_membership(run: _Run, inst: Instance, fact: ServiceFact) -> None:
    key, why = run.cluster_group(inst)
    if key:
        run.member(inst.addr, key)
    else:
        run.unknown(inst.addr, "cluster_name", f"{why}; pods on Fargate use that group", ("members", inst.addr))


# What an unread remote_access may open to the internet: a group admitting SSH (RDP on Windows)
# from 0.0.0.0/0 (RemoteAccessConfig: a key and no source security groups)
_REMOTE_PORTS = services_for_rule("tcp", 22, 22) | services_for_rule("tcp", 3389, 3389)


def _eks_remote_access(run: _Run, inst: Instance, fact: ServiceFact) -> None:
    members = ("members", inst.addr)
    internet = ("internet", inst.addr)  # a group of its own that may admit the internet
    known, blocks = run.setting(inst, ("remote_access",))
    if known and not blocks and not run.value(inst, ("remote_access",))[0] and isinstance(run.b.config, ConfigIndex):
        # unknown as a whole, yet not written where plan JSON shows blocks: remote_access is not
        # Computed (provider: Optional, ForceNew), so it is a dynamic block over a value only
        # apply knows (terraform-aws-modules/eks wraps it in try())
        known = False
    count = run.b.sources.blocks(inst.address, "remote_access") if not known and run.b.sources is not None else None
    if count is not None:  # the .tf files expand the dynamic block the plan leaves unknown
        known, blocks = True, [{}] * count
    if not known:
        run.unknown(inst.addr, "remote_access", "the remote_access block is known only after apply: with an SSH key "
                    "and no source groups EKS opens the remote-access port to 0.0.0.0/0", internet, _REMOTE_PORTS)
        return
    if not blocks:
        return
    known, ssh_key = run.setting(inst, ("remote_access", 0, "ec2_ssh_key"))
    if not known and _new_key(run, inst):
        known, ssh_key = True, "(a key pair this change creates)"
    source_terms = run.b.terms(inst, ("remote_access", 0, "source_security_group_ids"), optional=True)
    sources, reasons = run.group_keys(source_terms)
    if not known:
        run.unknown(inst.addr, "remote_access[0].ec2_ssh_key", "ec2_ssh_key is known only after apply: with a key "
                    "and no source groups EKS opens tcp 22 (3389 on Windows) to 0.0.0.0/0", internet, _REMOTE_PORTS)
        return
    if _empty(ssh_key):
        if sources or reasons:
            run.unknown(inst.addr, "remote_access[0].source_security_group_ids",
                        "source groups without ec2_ssh_key: EKS documents remote access only with a key", members)
        return
    known_lt, templates = run.setting(inst, ("launch_template",))
    if not known_lt or templates:
        run.unknown(inst.addr, "remote_access", "remote_access with a launch template: EKS rejects the node group "
                    "(CreateNodegroup), so nothing is modelled", members)
        return
    key = service_group_key(inst.addr, fact)
    cases = _remote_os(run, inst, key)
    if sources:
        peers = [Peer("group", k) for k in sources]
    elif reasons:
        peers = []
    else:
        peers = [Peer("cidr", "0.0.0.0/0")]  # RemoteAccessConfig: key and no source group
    for reason in reasons:
        run.unknown(inst.addr, "remote_access[0].source_security_group_ids",
                    f"{reason}; EKS allows the remote-access port from these groups only", ("ingress", key))
    ident = run.known_str(inst, ("resources", 0, "remote_access_security_group_id"))
    vpc = run.vpc_of(inst, ("subnet_ids",))[0]
    run.group(inst, fact, ident, vpc, f"created by Amazon EKS for remote access to {inst.addr}")
    run.table_rules(inst, fact, key, cases, peers)
    run.member(inst.addr, key)
    run.effects.references[(inst.addr, "resources.remote_access_security_group_id")] = key


def _new_key(run: _Run, inst: Instance) -> bool:
    """Does ``ec2_ssh_key`` name a key pair of the plan (``aws_key_pair.x.key_name``, known only
    after apply with ``key_name_prefix``)? Its name is never null: a key is set, whatever it is."""
    terms = run.b.terms(inst, ("remote_access", 0, "ec2_ssh_key"), optional=True)
    return bool(terms) and all(isinstance(t, Res) and t.instance.type == "aws_key_pair"
                               and t.attr in (("key_name",), ("id",)) for t in terms)


def _remote_os(run: _Run, inst: Instance, key: str) -> set[str]:
    known, ami = run.setting(inst, ("ami_type",))
    if known and _empty(ami):
        return {REMOTE_ACCESS_DEFAULT_OS}
    if known and isinstance(ami, str):
        for prefix, system in REMOTE_ACCESS_OS.items():
            if ami.upper().startswith(prefix):
                return {system}
        why = f"ami_type {ami!r} does not say whether the nodes run Linux or Windows"
    else:
        why = "ami_type is known only after apply"
    run.unknown(inst.addr, "ami_type", f"{why}: EKS opens tcp 22 (Linux) or tcp 3389 (Windows); both are assumed",
                ("ingress", key))
    return {"linux", "windows"}


def _directory_group(run: _Run, inst: Instance, fact: ServiceFact) -> None:
    ident = run.known_str(inst, ("security_group_id",))
    vpc = None
    for block in ("vpc_settings", "connect_settings"):
        vpc = vpc or run.vpc_of(inst, (f"{block}[].vpc_id",))[0]
    key = run.group(inst, fact, ident, vpc, f"created by AWS Directory Service for {inst.addr} (domain controllers)")
    run.member(inst.addr, key)
    run.effects.references[(inst.addr, "security_group_id")] = key
    run.unknown(inst.addr, "security_group_id", "AWS Directory Service creates this group with inbound rules for the "
                "Active Directory ports and an outbound rule; their documented sources differ (0.0.0.0/0 in the "
                "admin guide, the VPC CIDR in the AddIpRoutes reference), so tfsg does not model them", ("group", key))


def _emr_managed_groups(run: _Run, inst: Instance, fact: ServiceFact) -> None:
    attrs = ("emr_managed_master_security_group", "emr_managed_slave_security_group")
    values = [run.setting(inst, ("ec2_attributes", 0, attr)) for attr in attrs]
    attribute = "ec2_attributes[0].emr_managed_master_security_group"
    if all(known and _empty(v) for known, v in values):
        run.unknown(inst.addr, attribute, "no EMR-managed group is set: EMR puts the instances in its default "
                    "ElasticMapReduce-master/-slave groups of the VPC (creating them if missing), which the plan "
                    "does not show", ("members", inst.addr))
        return
    keys, reasons = [], []
    for attr in attrs:
        found, unk = run.group_keys(run.b.terms(inst, ("ec2_attributes", 0, attr), optional=True))
        keys += found
        reasons += unk
    reason = ("EMR adds the inbound rules the cluster needs to its managed groups (emr-man-sec-groups); tfsg does "
              "not model them")
    for key in dict.fromkeys(keys):
        run.unknown(inst.addr, attribute, reason, ("ingress", key))
    if reasons or not keys:
        run.unknown(inst.addr, attribute, reason)


def _unset_paths(run: _Run, inst: Instance, fact: ServiceFact) -> list[tuple]:
    out = []
    for path in run.expand(inst, _steps(fact.argument)):
        known, value = run.setting(inst, path)
        if known and _empty(value):
            out.append(path)
    return out


# Conditions of default-group and unknown rows beyond "the argument is not set".
def _applies(run: _Run, inst: Instance) -> bool:
    if inst.type == "aws_db_instance":
        known, engine = run.setting(inst, ("engine",))
        return not (known and isinstance(engine, str) and engine.startswith("aurora"))
    if inst.type == "aws_vpc_endpoint":
        known, kind = run.setting(inst, ("vpc_endpoint_type",))
        return known and kind == "Interface"
    if inst.type in ("aws_lb", "aws_alb"):
        known, kind = run.setting(inst, ("load_balancer_type",))
        return known and kind in (None, "application")
    if inst.type == "aws_mq_broker":
        # a public RabbitMQ broker is outside any VPC: no security group applies (Amazon MQ
        # developer guide, "Accessing the RabbitMQ web console ... publicly accessible brokers")
        engine_known, engine = run.setting(inst, ("engine_type",))
        public_known, public = run.setting(inst, ("publicly_accessible",))
        return not (engine_known and isinstance(engine, str) and engine.lower() == "rabbitmq"
                    and public_known and public is True)
    if inst.type == "aws_transfer_server":
        known, kind = run.setting(inst, ("endpoint_type",))
        return known and kind == "VPC"
    if inst.type == "aws_elasticache_replication_group":
        known, names = run.setting(inst, ("security_group_names",))
        return known and _empty(names)
    if inst.type == "aws_elasticache_cluster":  # a member takes its replication group's groups
        known, group = run.setting(inst, ("replication_group_id",))
        return known and _empty(group)
    return True


def _vpc_default_group(run: _Run, inst: Instance, fact: ServiceFact) -> None:
    if not _applies(run, inst):
        return
    for path in _unset_paths(run, inst, fact):
        vpc, vpc_inst, _ = run.vpc_of(inst, fact.vpc_from)
        if vpc is None and inst.type == "aws_ec2_client_vpn_endpoint":
            vpc, vpc_inst = _client_vpn_vpc(run, inst)
        key = run.default_group(vpc, vpc_inst)
        if key:
            run.member(inst.addr, key)
        elif vpc is None:
            run.unknown(inst.addr, _path_text(path), "no group is set, so AWS puts it in its VPC's default group; "
                        "tfsg cannot tell the VPC", ("default-members", inst.addr))
        else:
            run.unknown(inst.addr, _path_text(path), "no group is set, so AWS puts it in its VPC's default group, "
                        "which this plan does not manage", ("default-members", inst.addr))


def _client_vpn_vpc(run: _Run, inst: Instance) -> tuple[Optional[str], Any]:
    """A Client VPN endpoint with no ``vpc_id`` is in the VPC of the subnets associated with it
    (EC2 API AssociateClientVpnTargetNetwork: the first association sets the endpoint's VPC)."""
    for assoc in run._by_type.get("aws_ec2_client_vpn_network_association", ()):
        if inst in run.b.referenced(assoc, ("client_vpn_endpoint_id",), (inst.type,)):
            vpc, vpc_inst, _ = run.vpc_of(assoc, ("subnet_id",))
            if vpc is not None:
                return vpc, vpc_inst
    return None, None


def _elb_default_group(run: _Run, inst: Instance, fact: ServiceFact) -> None:
    for path in _unset_paths(run, inst, fact):
        vpc, vpc_inst, default_vpc = run.vpc_of(inst, fact.vpc_from)
        known, subnets = run.setting(inst, ("subnets",))
        if default_vpc or (known and _empty(subnets)):
            run.unknown(inst.addr, _path_text(path), "no group is set and the load balancer is in the default VPC: "
                        "ELB gives it its default_elb_<id> group, which allows all traffic on the listener ports",
                        ("default-members", inst.addr))
            continue
        key = run.default_group(vpc, vpc_inst) if default_vpc is False else None
        if key:
            run.member(inst.addr, key)
        else:
            run.unknown(inst.addr, _path_text(path), "no group is set: in a nondefault VPC ELB puts it in the VPC's "
                        "default group (in the default VPC, in a default_elb_<id> group), which this plan does not "
                        "show", ("default-members", inst.addr))


def _no_documented_default(run: _Run, inst: Instance, fact: ServiceFact) -> None:
    if not _applies(run, inst):
        return
    for path in _unset_paths(run, inst, fact):
        run.unknown(inst.addr, _path_text(path), fact.detail, ("default-members", inst.addr))


FIRST = {"eks_cluster_group", "directory_group"}
HANDLERS = {
    "beanstalk_environment": beanstalk_environment,
    "directory_group": _directory_group,
    "eks_cluster_group": _eks_cluster_group,
    "eks_fargate_membership": _eks_fargate_membership,
    "eks_node_group_membership": _eks_node_group_membership,
    "eks_remote_access": _eks_remote_access,
    "elb_default_group": _elb_default_group,
    "emr_managed_groups": _emr_managed_groups,
    "no_documented_default": _no_documented_default,
    "vpc_default_group": _vpc_default_group,
}
