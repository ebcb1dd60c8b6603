"""Exposure: what the internet reaches, per group (by its rules) and per resource (by the
aggregated ingress of its interface, in each address family where it has a public, routed
address).

The internet is every public address (``netsets.PUBLIC``). A group is reachable on the services
for which its CIDR and prefix-list rules together admit all public IPv4 or all public IPv6
addresses. A resource is reachable in a family when its groups' rules together admit every
public address of that family and it has a public address of that family (sources/placement.py
gives the reason: EIP, public IP on eth0, LB scheme, IPv6 address, ...); when that is not
known, the exposure is an explicit unknown. Load balancers add exposures through their
listeners (hops.py).
"""

from __future__ import annotations

from typing import Optional

from ..model import Attachment, Unknown, is_outside_group
from ..netsets import NO_SERVICES, PUBLIC, PUBLIC_V4, PUBLIC_V6, ServiceSet, covering_services
from .base import GraphBase
from .records import Exposure


class ExposureQueries(GraphBase):
    """Mixed into ``FlowGraph``: internet services per group, exposures, their sources."""

    def _internet(self) -> dict[str, ServiceSet]:
        out: dict[str, ServiceSet] = {}
        self.internet_family: dict[str, dict[str, ServiceSet]] = {}
        for group, entries in self.cidrs["ingress"].items():
            pairs = [(rule.services, block) for rule, block, _ in entries if block.overlaps(PUBLIC)]
            if not pairs:
                continue
            v4, v6 = covering_services(pairs, PUBLIC_V4), covering_services(pairs, PUBLIC_V6)
            if v4 or v6:
                out[group] = v4 | v6
                self.internet_family[group] = {"ipv4": v4, "ipv6": v6}
        return out

    def internet_sources(self, group: str, family: str = "", services: Optional[ServiceSet] = None) -> tuple[str, ...]:
        """The public blocks (and listeners) through which the internet reaches ``group``: in
        ``family`` (default: either), on ``services`` (default: all it is reached on). A block
        counts in a family only for the services the group admits from that whole family (a
        ``::/0`` rule on tcp 80 is not a source of the group's IPv4 exposure on tcp 22)."""
        covered = self.internet_family.get(group, {})
        labels = set()
        for name, space in (("ipv4", PUBLIC_V4), ("ipv6", PUBLIC_V6)):
            if family and name != family:
                continue
            reached = covered.get(name) or NO_SERVICES
            if services is not None:
                reached = reached & services
            if not reached:
                continue
            found = [(label, block, block.issuperset(space), rule.services & reached)
                     for rule, block, label in self.cidrs["ingress"].get(group, ())
                     if block.overlaps(space) and rule.services & reached]
            # a block that is the whole family (0.0.0.0/0) is a source; a narrower one beside it
            # (2.2.2.2/32) adds nothing on the services the whole one admits, and is a source only
            # where the narrower blocks together cover the family too (0.0.0.0/1 + 128.0.0.0/1:
            # another way in, which a reviewer must close as well)
            whole = NO_SERVICES
            for _, _, full, got in found:
                if full:
                    whole = whole | got
            narrow = covering_services([(got, block) for _, block, full, got in found if not full], space)
            labels |= {label for label, _, full, got in found if full or got - whole or got & narrow}
        if not family and hasattr(self, "hops"):  # reached through a listener, on what it forwards
            labels |= {listener for listener, forwarded in self.hops.lb_sources.get(group, {}).items()
                       if services is None or forwarded & services}
        return tuple(sorted(labels))

    def internet_parts(self, group: str) -> tuple[tuple[ServiceSet, tuple[str, ...]], ...]:
        """What the internet reaches on ``group``, split where the sources differ: from IPv4
        only, from both families, from IPv6 only, each with its public blocks."""
        covered = self.internet_family.get(group, {})
        v4, v6 = covered.get("ipv4") or NO_SERVICES, covered.get("ipv6") or NO_SERVICES
        parts = []
        for services in (v4 - v6, v4 & v6, v6 - v4):
            if services:
                parts.append((services, self.internet_sources(group, services=services)))
        return tuple(parts)

    def _resource_internet(self, att: Attachment) -> dict[str, tuple[ServiceSet, tuple[str, ...],
                                                                                  tuple[str, ...]]]:
        """Per family, what the internet reaches on an interface: its groups' ingress rules are
        aggregated (two groups admitting half the internet each admit all of it together)."""
        out = {}
        groups = att.groups if att.public_groups is None else att.public_groups  # the public interface's
        entries = [(g, rule, block, label) for g in groups
                   for rule, block, label in self.cidrs["ingress"].get(g, ()) if block.overlaps(PUBLIC)]
        for family, space in (("ipv4", PUBLIC_V4), ("ipv6", PUBLIC_V6)):
            services = covering_services([(rule.services, block) for _, rule, block, _ in entries], space)
            if services:
                used = [(g, label) for g, rule, block, label in entries
                        if block.overlaps(space) and rule.services & services]
                out[family] = (services, tuple(sorted({g for g, _ in used})), tuple(sorted({lb for _, lb in used})))
        return out

    def _resource_parts(self, att: Attachment, family: str, services: ServiceSet) -> tuple:
        """``services`` split by the rules that admit each part, with their public blocks and
        groups: the rules of an interface's groups are aggregated, yet each admits its own ports
        (the 8443 of one group is not admitted from the 3389 rule's block of another)."""
        space = PUBLIC_V4 if family == "ipv4" else PUBLIC_V6
        groups = att.groups if att.public_groups is None else att.public_groups
        split: list[tuple[ServiceSet, frozenset]] = [(services, frozenset())]
        for g in groups:
            for rule, block, label in self.cidrs["ingress"].get(g, ()):
                granted = rule.services & services
                if not granted or not block.overlaps(space):
                    continue
                refined = []
                for part, by in split:
                    inside, rest = part & granted, part - granted
                    if inside:
                        refined.append((inside, by | {(g, label)}))
                    if rest:
                        refined.append((rest, by))
                split = refined
        merged: dict[frozenset, ServiceSet] = {}  # parts granted alike are one part
        for part, by in split:
            merged[by] = merged[by] | part if by in merged else part
        return tuple(sorted(((part, tuple(sorted({lb for _, lb in by})), tuple(sorted({g for g, _ in by})))
                             for by, part in merged.items() if by), key=lambda p: (p[0].describe(), p[1], p[2])))

    def served_ports(self) -> dict[str, ServiceSet]:
        """``resource_edges.served_services`` of this graph's snapshot, computed once (exposures
        and the resource edges both narrow what reaches a data store to it)."""
        hit = self.__dict__.get("_served")
        if hit is None:
            from .resource_edges import served_services

            hit = self.__dict__["_served"] = served_services(self.snap)
        return hit

    def _exposures(self) -> list[Exposure]:
        out: list[Exposure] = []
        for group in sorted(self.internet_services):
            sg = self.snap.groups.get(group)
            out.append(Exposure(group, "group", "aws_default_security_group" if sg and sg.default
                                else "aws_security_group", self.internet_services[group], (group,),
                                self.internet_sources(group), parts=self.internet_parts(group)))
        served = self.served_ports()  # a data store answers on its own ports only
        for att in sorted(self.snap.attachments, key=lambda a: a.resource):
            self._outside_groups(att)
            if not any(g in self.cidrs["ingress"] for g in att.groups):
                continue
            for family, (services, via, sources) in sorted(self._resource_internet(att).items()):
                if att.resource in self.snap.lb_ports:  # a load balancer answers on its listeners only
                    services = services & self.snap.lb_ports[att.resource]
                if att.resource in served:
                    services = services & served[att.resource]
                if not services:
                    continue
                public, reason = (att.public, att.public_reason) if family == "ipv4" else \
                    (att.public_v6, att.public_v6_reason)
                if public is True:
                    parts = self._resource_parts(att, family, services)
                    if len(parts) == 1:  # one part: the exposure's own blocks and groups, for what it serves
                        (_, sources, via), parts = parts[0], ()
                    out.append(Exposure(att.resource, "resource", att.type, services, via, sources,
                                        f"{_FAMILY[family]}: {reason}", family, parts=parts))
                elif public is None:
                    self.unknowns.append(Unknown(att.resource, "public address",
                                                 f"reachable from the internet over {family} on {services.describe()} "
                                                 f"through {', '.join(via)} if it has a public {family} address: "
                                                 f"{reason}", ("public", att.resource), services))
        out += [Exposure(e.resource, "resource", e.type, e.services, (), e.sources, e.reason, e.family,
                         endpoint=not e.runs_code) for e in self.snap.endpoints]
        return _merged(out + self._through_interfaces(out))

    def _outside_groups(self, att: Attachment) -> None:
        """A resource with a public address in a group this plan does not hold (``sg-...``):
        whether the internet reaches it is that group's rules, which are not here (fail closed:
        an unknown the reachability policies see, never "not reachable")."""
        outside = sorted(g for g in att.groups if is_outside_group(g))
        if not outside:
            return
        for family, public, reason in (("IPv4", att.public, att.public_reason),
                                       ("IPv6", att.public_v6, att.public_v6_reason)):
            if public is False:
                continue
            held = "has" if public else "may have"
            self.unknowns.append(Unknown(att.resource, "security groups",
                                         f"{held} a public {family} address ({reason}) and is in "
                                         f"{', '.join(outside)}, whose rules are not in this plan: reachable from the "
                                         "internet if they admit it",
                                         ("reach", att.resource)))  # resource-level policies: paths, tiers

    def _through_interfaces(self, exposures: list[Exposure]) -> list[Exposure]:
        """An instance is reached at the addresses of the interfaces attached to it: what the
        internet reaches on such an interface (its own groups and public address) reaches the
        instance, which then connects onwards as itself."""
        by_resource: dict[str, list[Exposure]] = {}
        for e in exposures:
            if e.kind == "resource" and e.listener is None and not e.endpoint:
                by_resource.setdefault(e.address, []).append(e)
        atts = {a.resource: a for a in self.snap.attachments}
        out = []
        for eni, host in self.snap.host_links:
            for e in by_resource.get(eni, ()):
                why = atts[eni].public_reason if e.family == "ipv4" else atts[eni].public_v6_reason
                host_type = atts[host].type if host in atts else "aws_instance"
                out.append(Exposure(host, "resource", host_type, e.services, e.via, e.sources,
                                    f"{_FAMILY[e.family]}: through its network interface {eni} ({why})", e.family,
                                    parts=e.parts))
        return out


_FAMILY = {"ipv4": "IPv4", "ipv6": "IPv6"}


def _merged(exposures: list[Exposure]) -> list[Exposure]:
    """One exposure per (resource, family, listener): an instance reached at its own address
    and at an attached interface's is one row set, the services, groups and blocks together."""
    seen: dict[tuple, Exposure] = {}
    for e in exposures:
        key = (e.address, e.kind, e.family, e.listener, e.endpoint)
        old = seen.get(key)
        seen[key] = e if old is None else Exposure(
            e.address, e.kind, e.resource_type, old.services | e.services, tuple(sorted(set(old.via) | set(e.via))),
            tuple(sorted(set(old.sources) | set(e.sources))), f"{old.reason}; {e.reason}", e.family, e.listener,
            _parts(old) + _parts(e), e.endpoint)
    return list(seen.values())


def _parts(e: Exposure) -> tuple:
    """An exposure's parts, itself as one part when it has none (two merged exposures keep each
    part's own blocks and groups)."""
    return e.parts or ((e.services, e.sources, e.via),)
