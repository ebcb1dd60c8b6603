"""Group flows: what the rules of two groups together allow, evaluated as AWS does.

A flow A -> B exists on the services that B's ingress admits from A *and* A's egress allows to
B (security groups are stateful: replies need no rule). Each side counts group references (and
``self``) and CIDR rules whose block holds the other group's members (coverage.py). Explicit
flows are the pairs where one side names the other (or a load balancer and its target); the
pairs that only CIDR rules connect are ``CidrRelation`` rows, and ``pair`` answers for any two
groups either way. A group outside the plan (``sg-...``) has unknown rules: its egress is taken
as open (the AWS default) and its ingress as admitting what the sender allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import is_outside_group
from ..netsets import ALL_SERVICES, NO_SERVICES, ServiceSet
from .base import GraphBase
from .records import Flow, merge_by

if TYPE_CHECKING:
    from . import FlowGraph


class FlowQueries(GraphBase):
    """Mixed into ``FlowGraph``: the explicit flows, the address flows, ``pair``."""

    def _side(self, direction: str, group: str, other: str) -> tuple[ServiceSet, dict[str, ServiceSet]]:
        """What ``group``'s rules in ``direction`` allow with ``other`` (references and CIDRs).

        Egress is aggregated per interface (EC2 user guide, "Security groups": the rules of all
        groups associated with an instance are aggregated): a member of ``group`` sends through
        the egress rules of every group on its interface. Ingress stays the admitting group's own
        (a co-group that admits the sender makes a flow of its own).
        """
        services, by = self._own_side(direction, group, other)
        if direction == "egress" and group in self.cosets:
            receivers = {a.resource for a in self.members.get(other, ())}
            for co, senders in self.cosets[group]:
                if len(receivers) == 1 and receivers == senders:
                    continue  # the only receiver is the sender's own interface: not a flow
                for c in co:
                    if c in self.snap.groups:
                        more, more_by = self._own_side(direction, c, other)
                        if more:
                            services, by = services | more, merge_by(by, more_by)
        return services, by

    def _own_side(self, direction: str, group: str, other: str) -> tuple[ServiceSet, dict[str, ServiceSet]]:
        named = self.refs["ingress"].get(group, {})
        if group not in self.snap.groups and (direction == "egress" or other not in named):
            # outside the plan: its rules are unknown, taken as open (egress: AWS's default is
            # all), so the plan's side of the flow decides; but what the plan's own rule
            # resources on it admit from ``other`` is what they admit (a rule the plan adds)
            return ALL_SERVICES, {}
        services = NO_SERVICES
        by: dict[str, ServiceSet] = {}
        for rule in self.refs[direction].get(group, {}).get(other, ()):
            services = services | rule.services
            d = rule.defined_by
            by[d] = by[d] | rule.services if d in by else rule.services
        # CIDR rules count for groups of the plan only: of a group outside it (sg-...) nothing is
        # known, so its flow is what the explicit reference allows.
        if self.cidrs[direction].get(group) and other in self.snap.groups:
            covered, covered_by = self.coverage.covered(direction, group, self.where.bound(other))
            services = services | covered
            by = merge_by(by, covered_by)
        return services, by

    def _explicit_pairs(self) -> set[tuple[str, str]]:
        """Pairs where one side names the other, directly or through a co-group of the sender's
        interfaces, and load balancers with their targets (CIDR rules count there too: a target
        group admitting 0.0.0.0/0 admits the load balancer's private addresses)."""
        pairs: set[tuple[str, str]] = set()
        for target, sources in self.refs["ingress"].items():
            pairs.update((src, target) for src in sources)
        for source, targets in self.refs["egress"].items():
            pairs.update((source, dst) for dst in targets)
            for co in self.cogroups.get(source, ()):
                pairs.update((co, dst) for dst in targets if dst != co)
        atts = {a.resource: a for a in self.snap.attachments}
        for link in self.snap.lb_links:
            lb, target_att = atts.get(link.lb), atts.get(link.target)
            if lb is not None and target_att is not None:
                pairs.update((lg, tg) for lg in lb.groups for tg in target_att.groups if lg != tg)
        return pairs

    def _group_flows(self) -> None:
        from ..errors import InputError
        from ..limits import get, how

        dirty, base = self.dirty, self.base
        pairs = self._explicit_pairs()
        if len(pairs) > get("group-pairs"):
            # each pair is evaluated and kept (a reference fan-out of a thousand groups each
            # way is a million): refused on one line, as any input past a limit
            raise InputError(f"{len(pairs):,} pairs of security groups name each other, more than "
                             f"{get('group-pairs'):,} ({how('group-pairs')})")
        for source, target in sorted(pairs):
            if dirty is not None and base is not None and source not in dirty and target not in dirty:
                flow = base.flows.get((source, target))
                if flow is not None:
                    self._add(source, target, flow.services, flow.defined_by)
                continue
            if self.where.apart(source, target):
                continue  # overlapping or unconnected VPCs: no packet between them (interfaces.py)
            inbound, by_in = self._side("ingress", target, source)
            if not inbound:
                continue
            outbound, by_out = self._side("egress", source, target)
            services = inbound & outbound
            if services:
                self._add(source, target, services, merge_by(by_in, by_out))

    def _signature(self, group: str) -> tuple:
        """Everything a group's flows depend on: its rules, its members, where they live."""
        co = self.cogroups.get(group, set())
        rules_of = self.rules.rules_of
        sg = self.snap.groups.get(group)
        return (sg is not None, sg.vpc_id if sg is not None else None, frozenset(rules_of.get(group, ())),
                frozenset(self.members.get(group, ())), self.where.bound(group), self.where.beyond(group),
                frozenset(r for c in co for r in rules_of.get(c, ()) if r.direction == "egress"))

    def _dirty_groups(self, base: "FlowGraph") -> set[str]:
        if self.snap.prefix_lists != base.snap.prefix_lists or self.snap.vpcs != base.snap.vpcs:
            return set(self.snap.groups) | set(base.snap.groups)  # rare: recompute everything
        # groups outside the plan count too when the plan's rules are on them
        candidates = set(self.snap.groups) | set(base.snap.groups) | set(self.rules.rules_of) | set(base.rules.rules_of)
        return {g for g in candidates if self._signature(g) != base._signature(g)}

    def pair(self, source: str, target: str) -> ServiceSet:
        """What ``source`` may open to ``target`` in this snapshot, evaluated for any two groups
        (explicit, CIDR-derived, or neither: the diff compares like with like)."""
        flow = self.flows.get((source, target))
        if flow is not None:
            return flow.services
        groups = self.snap.groups
        if (source not in groups and target not in groups) or source == target:
            return NO_SERVICES  # (the side of a diff that lacks both groups, asked per flow of the other)
        if not (self.is_group(source) and self.is_group(target)) or self.where.apart(source, target):
            return NO_SERVICES
        inbound, _ = self._side("ingress", target, source)
        return inbound & self._side("egress", source, target)[0] if inbound else NO_SERVICES

    def is_group(self, node: str) -> bool:
        return node in self.snap.groups or is_outside_group(node)

    def _address_flows(self) -> None:
        for direction in ("ingress", "egress"):
            for group, entries in self.cidrs[direction].items():
                for rule, _, label in entries:
                    key = (label, group) if direction == "ingress" else (group, label)
                    self._add(*key, rule.services, {rule.defined_by: rule.services})

    def _add(self, source: str, target: str, services: ServiceSet, by: dict[str, ServiceSet]) -> None:
        # each rule is credited with the part of the flow it grants
        by = {rule: granted & services for rule, granted in by.items() if granted & services}
        flow = self.flows.get((source, target))
        if flow is None:
            self.flows[(source, target)] = Flow(services, by)
        else:
            flow.services = flow.services | services
            flow.defined_by = merge_by(flow.defined_by, by)

    def flows_into(self) -> dict[str, list]:
        """target -> [((source, target), Flow)] of the explicit and address flows, sorted."""
        if self._incoming is None:
            self._incoming = {}
            for key, flow in sorted(self.flows.items()):
                if key[0] != key[1]:
                    self._incoming.setdefault(key[1], []).append((key, flow))
        return self._incoming
