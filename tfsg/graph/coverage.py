"""CIDR coverage: which groups' members an address block holds, decided once per distinct
(block, member bound), and the CIDR-derived flows stated compactly.

A CIDR rule admits a group's members when its block overlaps where they live (``Interfaces.bound``:
their subnets, else the group's VPC). A plan with thousands of groups has a few dozen distinct
private blocks and a handful of distinct bounds (issue 10: 21 blocks and 3 bounds for 5,000
groups), so coverage is computed per distinct block and per distinct bound, never per (rule,
group) pair, and the flows it implies are kept as ``CidrFlow`` rows that name a shared set of
groups instead of one flow per group pair.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Optional

from ..netsets import NO_SERVICES, PRIVATE, PUBLIC, AddressSet, ServiceSet
from .interfaces import Interfaces
from .records import CidrFlow
from .rules import RuleIndex


class Coverage:
    """What a group's CIDR rules allow towards members within a bound (cached per bound)."""

    def __init__(self, rules: RuleIndex, where: Interfaces) -> None:
        self.rules = rules
        self.where = where
        self._cache: dict[tuple, tuple[ServiceSet, dict[str, ServiceSet]]] = {}

    def covered(self, direction: str, group: str,
                bound: Optional[AddressSet]) -> tuple[ServiceSet, dict[str, ServiceSet]]:
        """Services of ``group``'s CIDR rules in ``direction`` that reach members within ``bound``,
        and the rules that grant them."""
        key = (direction, group, bound)
        hit = self._cache.get(key)
        if hit is None:
            services = NO_SERVICES
            by: dict[str, ServiceSet] = {}
            for rule, block, _ in self.rules.cidrs[direction].get(group, ()):
                if overlaps(block, bound):
                    services = services | rule.services
                    by[rule.defined_by] = by[rule.defined_by] | rule.services if rule.defined_by in by \
                        else rule.services
            hit = self._cache[key] = (services, by)
        return hit


def overlaps(block: AddressSet, bound: Optional[AddressSet]) -> bool:
    """Does ``block`` hold members that live within ``bound``? With no known bound: any block
    overlapping private IPv4 space (or any IPv6 block) may hold them."""
    if bound is not None:
        return block.overlaps(bound)
    return block.overlaps(PRIVATE) or bool(block.v6)


class CidrRelation:
    """The flows that exist because a group admits a non-public block holding another group's
    members (and that group's egress allows it), as ``CidrFlow`` rows per target group.

    Senders are the groups whose members are all in known subnets (a CIDR can be said to hold
    them); a group's egress is aggregated over the groups on its members' interfaces. Only
    CIDR rules count on either side here: a pair that names each other by a group reference
    is an explicit flow (flows.py), whose services include these. Blocks overlapping public
    space are address flows, not group pairs (every group would pair with every open group).

    ``intern`` maps a set of groups to the one object used for it, shared with the other side
    of a diff, so an unchanged row is the same object on both sides.
    """

    def __init__(self, rules: RuleIndex, where: Interfaces, coverage: Coverage, intern: dict,
                 egress: Callable[[str, str], ServiceSet]) -> None:
        """``egress(a, b)``: what ``a``'s members may send to ``b``'s, exactly (flows.py)."""
        self.rules, self.where, self.coverage = rules, where, coverage
        self.intern = intern
        self.rows: dict[str, list[CidrFlow]] = {}
        self._in_sets: Optional[dict[str, tuple[int, ...]]] = None  # successors(): see _index
        self._succ: dict[str, list[str]] = {}
        self._pred: dict[str, list[str]] = {}
        snap = rules.snap
        senders = sorted(g for g in snap.groups if where.known_bound(g))
        if not senders:
            return
        by_bound: dict[AddressSet, list[str]] = {}
        for g in senders:
            by_bound.setdefault(where.bound(g), []).append(g)  # type: ignore[arg-type]
        held: dict[AddressSet, frozenset] = {}
        several_vpcs = len(snap.vpcs) > 1
        classes: dict[Optional[AddressSet], list[tuple[ServiceSet, frozenset]]] = {}
        parts: dict[tuple, list[tuple[ServiceSet, frozenset]]] = {}
        for target in sorted(rules.cidrs["ingress"]):
            tbound = where.bound(target)
            for rule, block, label in rules.cidrs["ingress"][target]:
                if not block or block.overlaps(PUBLIC):
                    continue
                key = (block, rule.services, tbound)
                found = parts.get(key)
                if found is None:
                    cov = held.get(block)
                    if cov is None:
                        cov = held[block] = frozenset(g for bound, gs in by_bound.items() if block.overlaps(bound)
                                                      for g in gs)
                    if tbound not in classes:
                        classes[tbound] = self._classes(senders, tbound)
                    found = parts[key] = []
                    for profile, members in classes[tbound]:
                        services = rule.services & profile
                        groups = cov & members
                        if services and groups:
                            found.append((services, self._intern(groups)))
                for services, groups in self._alone(target, rule.services, found, egress):
                    if several_vpcs:
                        apart = frozenset(g for g in groups if where.apart(g, target))
                        if apart:  # overlapping or unconnected VPCs: no packet between them (interfaces.py)
                            groups = self._intern(groups - apart)
                    if groups and (len(groups) > 1 or target not in groups):
                        self.rows.setdefault(target, []).append(
                            CidrFlow(label, target, services, groups, rule.defined_by))

    def _alone(self, target: str, admitted: ServiceSet, found: list[tuple[ServiceSet, frozenset]],
               egress: Callable[[str, str], ServiceSet]) -> list[tuple[ServiceSet, frozenset]]:
        """A target whose one member is also a member of a sender: what the sender's other groups
        on that interface allow is not a flow (the interface would be talking to itself), so
        those senders are evaluated exactly and stated on rows of their own."""
        members = self.where.members.get(target, ())
        if len(members) != 1:
            return found
        own = set(members[0].groups) - {target}
        if not own or not any(own & groups for _, groups in found):
            return found
        out = []
        for services, groups in found:
            for g in sorted(own & groups):
                groups = groups - {g}
                exact = admitted & egress(g, target)
                if exact:
                    out.append((exact, self._intern(frozenset({g}))))
            if groups:
                out.append((services, self._intern(groups)))
        return out

    def _intern(self, groups: frozenset) -> frozenset:
        return self.intern.setdefault(groups, groups)

    def _classes(self, senders: list[str], bound: Optional[AddressSet]) -> list[tuple[ServiceSet, frozenset]]:
        """Senders grouped by what their aggregated CIDR egress allows towards ``bound``."""
        snap = self.rules.snap
        egress = self.rules.cidrs["egress"]
        out: dict[ServiceSet, set[str]] = {}
        for g in senders:
            services = self.coverage.covered("egress", g, bound)[0] if g in egress else NO_SERVICES
            for c in self.where.cogroups.get(g, ()):
                if c in egress and c in snap.groups:
                    services = services | self.coverage.covered("egress", c, bound)[0]
            if services:
                out.setdefault(services, set()).add(g)
        return [(s, frozenset(gs)) for s, gs in sorted(out.items(), key=lambda kv: kv[0].entries())]

    # ------------------------------------------------------------------ queries

    def into(self, target: str) -> dict[str, ServiceSet]:
        """Every source group of a CIDR-derived flow into ``target``, with its services."""
        out: dict[str, ServiceSet] = {}
        for row in self.rows.get(target, ()):
            for g in row.groups:
                if g != target:
                    out[g] = out.get(g, NO_SERVICES) | row.services
        return out

    def services(self, source: str, target: str) -> ServiceSet:
        got = NO_SERVICES
        if source != target:
            for row in self.rows.get(target, ()):
                if source in row.groups:
                    got = got | row.services
        return got

    def predecessors(self, target: str) -> list[str]:
        hit = self._pred.get(target)
        if hit is None:
            hit = self._pred[target] = sorted(self._sources(target))
        return hit

    def _sources(self, target: str) -> set[str]:
        sets = {id(row.groups): row.groups for row in self.rows.get(target, ())}
        seen: set[str] = set().union(*sets.values()) if sets else set()
        seen.discard(target)
        return seen

    def successors(self, source: str) -> list[str]:
        hit = self._succ.get(source)
        if hit is None:
            in_sets = self._in_sets if self._in_sets is not None else self._index()
            # groups in the same sets (most senders of one subnet and egress) share the answer
            pattern = in_sets.get(source, ())
            found = self._by_pattern.get(pattern)
            if found is None:
                found = self._by_pattern[pattern] = {t for i in pattern for t in self._targets[i]}
            hit = self._succ[source] = sorted(found - {source})
        return hit

    def _index(self) -> dict[str, tuple[int, ...]]:
        """The rows' distinct sets, each with its targets, and per group the sets it is in."""
        by_set: dict[frozenset, list[str]] = {}
        for target, rows in self.rows.items():
            for row in rows:
                by_set.setdefault(row.groups, []).append(target)
        self._targets: list[list[str]] = list(by_set.values())
        members: dict[str, list[int]] = {}
        for i, groups in enumerate(by_set):
            for g in groups:
                members.setdefault(g, []).append(i)
        self._by_pattern: dict[tuple[int, ...], set[str]] = {}
        self._in_sets = {g: tuple(ids) for g, ids in members.items()}
        return self._in_sets
