"""Build a ``Snapshot`` (groups, rules, attachments, prefix lists) from one side's instances.

All rule sources end up as ``Rule`` values: inline ``ingress``/``egress`` of
``aws_security_group`` and ``aws_default_security_group``, ``aws_security_group_rule`` (one
rule per CIDR / prefix list / source), and ``aws_vpc_security_group_{ingress,egress}_rule``.
Values unknown until apply are resolved through the configuration where they can be and
recorded as ``Unknown`` where they cannot.

``SnapshotBuilder`` (here) holds one side's state and runs the passes in order (``build``).
Each pass is a mixin in a module of its own; read them in this order:

- ``terms``: an instance's values and settings, its arguments as resolution terms, the paths
  of its nested blocks.
- ``groups``: VPCs and security groups; group references resolved to group keys.
- ``prefix_lists``: managed prefix lists and their entries.
- ``rules``: what every rule source shares (rules, peers) and the passes over all rules.
- ``inline``: the inline ``ingress``/``egress`` blocks of a group.
- ``rule_resources``: ``aws_security_group_rule`` and ``aws_vpc_security_group_*_rule``.
- ``sources_split``: every rule source in plan order, a large plan's second half in a child.
- ``attachments``: who sits in which group (instances, interfaces, borrowed groups).
"""

from __future__ import annotations

from typing import Any, Optional

from ...model import Attachment, Peer, Rule, Snapshot, Unknown
from ...netsets import ServiceSet
from ..endpoints import public_endpoints
from ..filters import filters
from ..instances import Instance
from ..lbs import LoadBalancers
from ..placement import Placements
from ..refs import Configuration, Context, Resolver
from ..services import ServiceEffects, service_effects
from .attachments import CLUSTER_MEMBERS, DEFAULT_GROUP_TYPES, AttachmentsMixin
from .default_groups import DefaultGroupsMixin
from .groups import GROUP_TYPES, GroupsMixin
from .inline import InlineHints, InlineRulesMixin
from .prefix_lists import PREFIX_LIST_TYPES, PrefixListsMixin
from .regions import RegionsMixin
from .rule_resources import RULE_TYPES, RuleResourcesMixin
from .rules import RulesMixin
from .sources_split import SourcesSplitMixin
from .terms import TermsMixin

__all__ = ["CLUSTER_MEMBERS", "DEFAULT_GROUP_TYPES", "GROUP_TYPES", "RULE_TYPES", "InlineHints", "SnapshotBuilder"]


# EC2-Classic groups of the old RDS, Redshift and ElastiCache APIs (aws provider <= 4): listed as
# not analysed, never silently dropped
CLASSIC_GROUP_TYPES = ("aws_db_security_group", "aws_redshift_security_group", "aws_elasticache_security_group")


class SnapshotBuilder(TermsMixin, RegionsMixin, GroupsMixin, DefaultGroupsMixin, PrefixListsMixin, RulesMixin,
                      InlineRulesMixin, RuleResourcesMixin, SourcesSplitMixin, AttachmentsMixin):
    """Turns one side's instances into a Snapshot; one builder per side."""

    def __init__(self, instances: list[Instance], config: Configuration, root_variables: dict[str, Any],
                 hints: Optional[InlineHints] = None, prior: Optional[Snapshot] = None,
                 reuse: Optional[dict[str, tuple[list[Rule], list[Unknown]]]] = None,
                 sources: Any = None, labels: Optional[dict[tuple[str, str], str]] = None,
                 inline_known: bool = False, before_side: bool = False) -> None:
        self.instances = sorted(instances, key=lambda i: i.address.sort_key())
        # the .tf sources are at hand (for the before side too, which is built without them):
        # an inline direction plan JSON does not show is then known not to be written
        self.inline_known = inline_known or hints is not None
        self.before_side = before_side  # the prior values of an update plan
        # The .tf sources evaluated (hcl.load.SourceValues), for what plan JSON does not record.
        self.sources = sources
        self.config = config
        self.resolver = Resolver(self.instances, config, root_variables)
        self.hints = hints
        self.prior = prior
        self.snap = Snapshot()
        self.id_to_group: dict[str, str] = {}
        self.name_to_group: dict[str, list[str]] = {}
        self.subnets: dict[str, Instance] = {}  # id -> subnet instance
        self.vpc_ids: dict[str, str] = {}  # vpc id -> vpc key
        self.prefix_ids: dict[str, str] = {}
        # Rules each instance produced, so the other side can reuse them for unchanged
        # instances (most of a large plan is no-op); see _reusable.
        self.produced: dict[str, tuple[list[Rule], list[Unknown]]] = {}
        from ...limits import get

        self.rule_cap = get("rules")
        self.reuse = reuse or {}
        self.services: Optional[ServiceEffects] = None  # what AWS does on its own (tfsg/services.py)
        self._owned: Optional[set[tuple]] = None
        self._merged_refs: dict[tuple[str, str], tuple[list, list]] = {}  # inline.py, per group and direction
        # Placeholders of sensitive peers, shared by both sides of a plan so that they agree.
        self.labels = labels if labels is not None else {}
        self._peers: dict[tuple[str, str], Peer] = {}  # rules.py: one Peer per (kind, value)
        self._entries_unread: set[str] = set()
        self._defaults: Optional[dict[str, str]] = None  # see _default_groups
        self._placements: Optional[Placements] = None
        self._launched: dict[str, list[str]] = {}  # launcher -> its templates (launch_templates)
        self._prior_atts: Optional[dict[str, Attachment]] = None  # launches.py: the prior side's, by resource
        self._indexes: dict[tuple, dict[str, list[Instance]]] = {}  # terms.py: indexed()
        self._by_addr: Optional[dict[str, Instance]] = None  # rules.py: instances by address, when needed
        self._outside_templates: set[str] = set()  # launchers of templates the plan lacks
        self._scope: tuple[str, str] = ("all", "")  # what an unknown raised now can affect
        self._services: Optional[ServiceSet] = None  # and on which services, when known
        self._contexts: dict[str, Context] = {}  # terms.py: the context of an address (its module, key, for_each)
        self._regions: dict[str, Optional[str]] = {}  # regions.py: region_of
        self._group_instances: dict[str, Instance] = {}  # groups.py: the plan's named groups, by key
        self.beanstalk: dict[str, Any] = {}  # beanstalk.py: an environment's option settings, read once

    def build(self) -> Snapshot:
        for inst in self.instances:
            if inst.type in ("aws_vpc", "aws_default_vpc"):
                self._vpc(inst)
            elif inst.type in ("aws_subnet", "aws_default_subnet"):
                known, ident = self.value(inst, ("id",))
                if known and isinstance(ident, str) and ident:
                    self.subnets[ident] = inst
        for inst in self.instances:
            if inst.type in ("aws_vpc_ipv4_cidr_block_association", "aws_vpc_ipv6_cidr_block_association"):
                self._secondary_cidr(inst)
        for inst in self.instances:
            if inst.type in CLASSIC_GROUP_TYPES and inst.address.mode == "managed":
                self._scope = ("none", "")
                self.unknown(inst.addr, "", "an EC2-Classic security group (AWS retired EC2-Classic in 2023; provider "
                                            "v5 removed the type): its rules are not analysed")
                self._scope = ("all", "")
            if inst.type in GROUP_TYPES:
                self._group(inst)
            elif inst.type in PREFIX_LIST_TYPES:
                self._scope = ("none", "")  # the graph reports an unknown list where a rule uses it
                if inst.address.mode == "data":
                    self._data_prefix_list(inst)
                else:
                    self._prefix_list(inst)
        for inst in self.instances:
            if inst.type == "aws_ec2_managed_prefix_list_entry":
                self._scope = ("none", "")
                self._prefix_entry(inst)
        self._unread_prefix_lists()
        self._scope = ("all", "")
        # Groups and rules AWS creates, before the rules that may name them (tfsg/services.py).
        self.services = service_effects(self)
        for group in self.services.groups:
            self.snap.groups.setdefault(group.key, group)
        for ident, key in self.services.ids.items():
            self.id_to_group.setdefault(ident, key)
        self.snap.rules += self.services.rules
        self.snap.unknowns += self.services.unknowns
        if self.prior is not None:
            # A replaced group's new id is unknown until apply; what refresh left in other
            # resources (a no-op group's inline copy of a rule) still names the old one.
            for key, sg in self.prior.groups.items():
                if sg.id and key in self.snap.groups:
                    self.id_to_group.setdefault(sg.id, key)
        sources = [inst for inst in self.instances if inst.address.mode == "managed"
                   and (inst.type in GROUP_TYPES or inst.type in RULE_TYPES)]
        self._rule_sources_split(sources)
        self._attachments()
        if self._placements is not None:
            self.snap.unrouted = self._placements.unrouted
        if len(self.snap.vpcs) > 1 and self._placements is not None:
            self.snap.vpc_routes = self._placements.beyond_routes().known_vpcs(sorted(self.snap.vpcs))
        if any(i.type == "aws_route" for i in self.instances):
            from ..routes import RouteIndex

            routes = self._placements.routes if self._placements is not None else None
            self.snap.route_destinations = (routes or RouteIndex(self)).destinations()
        balancers = LoadBalancers(self)
        self.snap.lb_links = balancers.links()
        self.snap.lb_closed = balancers.closed
        self.snap.lb_instance_targets = balancers.instance_targets
        self.snap.lb_unregistered = balancers.unregistered
        self.snap.lb_ports = balancers.ports
        self._fronts()
        self.snap.endpoints, unknowns = public_endpoints(self)
        self.snap.filters = filters(self)
        self.snap.unknowns += unknowns
        self._store_ports()
        self._dedupe_rules()
        if self.prior is not None:
            self._revocations()
        return self.snap

    def _store_ports(self) -> None:
        """The TCP ports each data store serves, where the plan tells (sources/store_ports.py)."""
        from ..store_ports import served_ports

        for inst in self.instances:
            if inst.address.mode == "managed":
                ports, only = served_ports(inst, self.value, self.setting, self.referenced)
                if ports and only and inst.type == "aws_rds_cluster" and \
                        self._engine(inst).startswith("aurora-postgresql"):
                    ports, only = self._babelfish(inst, ports)
                if ports:
                    self.snap.store_ports[inst.addr] = ports
                    if only:
                        self.snap.store_only.add(inst.addr)

    def _engine(self, inst: Instance) -> str:
        known, engine = self.value(inst, ("engine",))
        return engine.lower() if known and isinstance(engine, str) else ""

    def _babelfish(self, inst: Instance, ports: tuple[int, ...]) -> tuple[tuple[int, ...], bool]:
        """An Aurora PostgreSQL cluster's ports with Babelfish's TDS listener if its parameter
        group turns it on; not all it serves when the plan does not show that group."""
        from ..store_ports import babelfish_port

        known, name = self.setting(inst, ("db_cluster_parameter_group_name",))
        if known and (not name or (isinstance(name, str) and name.startswith("default."))):
            return ports, True  # the engine's default parameter group: Babelfish off
        groups = self.referenced(inst, ("db_cluster_parameter_group_name",), ("aws_rds_cluster_parameter_group",),
                                 ("name", "id"))
        if len(groups) != 1:
            return ports, False
        known, parameters = self.value(groups[0], ("parameter",))
        if not known:
            return ports, False
        tds = babelfish_port(parameters)
        return (tuple(sorted(set(ports) | {tds})) if tds else ports), True

    def _fronts(self) -> None:
        """Public fronts AWS runs before private resources (sources/fronts.py): their hops, and
        the front as a public node (a VPC link's groups govern what it sends, not who reaches it)."""
        from dataclasses import replace

        from ..fronts import Fronts

        fronts = Fronts(self)
        if not fronts.links:
            return
        self.snap.lb_links = sorted(self.snap.lb_links + fronts.links,
                                    key=lambda link: (link.lb, link.listener, link.target))
        self.snap.open_fronts = set(fronts.open)
        self.snap.outside_senders = set(fronts.outside)
        self.snap.lb_closed = set(self.snap.lb_closed) | fronts.open | fronts.closed  # forwards to its targets only
        types = {i.addr: i.type for i in self.instances}
        have = {a.resource: a for a in self.snap.attachments}
        for front, (v4, v6, reason) in sorted(fronts.public.items()):
            # an API sends from its VPC link's interfaces: their groups and subnets are its own
            senders = [have[s] for s in sorted(fronts.senders.get(front, ())) if s in have]
            groups = fronts.groups.get(front) or tuple(sorted({g for s in senders for g in s.groups}))
            where = senders[0].addresses if len(senders) == 1 else None
            att = Attachment(front, types.get(front) or fronts.types.get(front, ""), groups, v4, reason, where,
                             public_v6=v6, public_v6_reason=reason if v6 else "")
            have[front] = replace(have[front], public=v4, public_reason=reason, public_v6=v6,
                                  public_v6_reason=reason if v6 else "") if front in have else att
        self.snap.attachments = sorted(have.values(), key=lambda a: a.resource)

    def unknown(self, address: str, attribute: str, reason: str, scope: Optional[tuple[str, str]] = None,
                block: Optional[tuple[int, int]] = None) -> None:
        """Record an unknown; ``scope`` (model.Unknown): what it can change, else the current stage's;
        ``block``: an unknown CIDR block's (IP version, prefix length), when the configuration writes it."""
        self.snap.unknowns.append(Unknown(address, attribute, reason, scope or self._scope, self._services, block))
