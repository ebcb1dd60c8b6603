"""Which policies an unknown can affect (``can_affect``): a policy warns "not fully evaluated"
only about the values unknown until apply that could change its findings (README "Unknowns
carry what they can change"). ``Unknown.scope`` says what the value is; this module says, per
scope, which policy kinds judge it.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from ..model import Attachment, Unknown, is_outside_group
from ..netsets import ServiceSet
from .evaluate import PATH_KINDS, Context, _ingress_services, parse_services
from .load import Policy

# The unknown on a resource in a group outside the plan (graph/exposure.py _outside_groups):
# scope ("reach", resource), attribute "security groups". An endpoint service's load balancer
# that does not filter PrivateLink traffic is ("reach", nlb) too, reached by the service's
# consumers, not by the internet: the path policies only.
_OUTSIDE_GROUPS = "security groups"
# selector keys an outside group (sg-...) cannot be tested against: the plan does not hold its
# name, tags or kind (Selectors.match says "no" to them; an unknown must say "may")
_UNREADABLE = ('"name"', '"tag"', '"type"', '"default"')


def _block_may_match(block: tuple[int, int], source: dict) -> bool:
    """May an unknown CIDR block of a known prefix length (``"${aws_eip.nat.public_ip}/32"``)
    match a forbidden flow's ``from``? Only a /0 is the internet; a width bound compares the
    prefix as selectors._prefix_len does (an IPv6 /N as IPv4 /(N-40)); any other source kind
    (``cidrs``, ``any_address``, groups) may hold any address, so it may."""
    if set(source) - {"internet", "public_wider_than", "cidr_wider_than", "except_internet"}:
        return True
    version, prefix = block
    plen = prefix - 40 if version == 6 else prefix
    if "internet" in source and prefix == 0:
        return True
    return any(key in source and plen < source[key] for key in ("public_wider_than", "cidr_wider_than"))


def _attachment(ctx: Context, resource: str) -> Optional[Attachment]:
    atts = ctx.memo(("attachments by resource",), lambda: {a.resource: a for a in ctx.graph.snap.attachments})
    return atts.get(resource)


def _families(att: Optional[Attachment], unsure: bool = False) -> set[str]:
    """The address families in which the resource has or may have a public address
    (``unsure``: only those in which it may, the plan cannot tell)."""
    if att is None:
        return {"ipv4", "ipv6"}
    return {f for f, public in (("ipv4", att.public), ("ipv6", att.public_v6))
            if (public is None if unsure else public is not False)}


def _said_families(u: Unknown, att: Optional[Attachment], unsure: bool = False) -> set[str]:
    """The family an unknown about a public address is about: graph/exposure.py writes one per
    family and names it in the reason ("a public IPv6 address", "over ipv4"); else the
    resource's families."""
    text = u.reason.lower()
    said = {f for f in ("ipv4", "ipv6") if f"public {f} address" in text or f"over {f} " in text}
    return said or _families(att, unsure)


def _family_judged(source: dict, families: set[str]) -> bool:
    """Does a ``from: {internet: ...}`` spec judge one of these families (``true``: both)?"""
    family = source.get("internet")
    return bool(family) and (family is True or family in families)


def _may_select(ctx: Context, group: str, selector: Optional[dict]) -> bool:
    """May the policy's ``to`` hold the group? A group outside the plan may be named by what
    the plan does not say of it (its name, its tags)."""
    if ctx.sel.match(group, selector):
        return True
    if not is_outside_group(group) or (selector and "address" in selector
                                       and not ctx.sel.match(group, {"address": selector["address"]})):
        return False
    text = json.dumps(selector) + (json.dumps(ctx.sel.tiers) if '"tier"' in json.dumps(selector) else "")
    return any(key in text for key in _UNREADABLE)


def _reached_services(ctx: Context, resource: str) -> Optional[ServiceSet]:
    """What the internet can reach on the resource whatever its groups admit: a load balancer
    answers on its listeners only, a managed data store on the port it serves only (the same
    narrowing as the exposures, graph/exposure.py); None: any service."""
    out: Optional[ServiceSet] = None
    for known in (ctx.graph.snap.lb_ports.get(resource), ctx.graph.served_ports().get(resource)):
        if known is not None:
            out = known if out is None else out & known
    return out


def _services_may_hit(ctx: Context, policy: Policy, services: Optional[ServiceSet], extra: Any = None) -> bool:
    """May what the internet reaches (``services``, None: any) be a finding of the policy's
    services (``match: all``: every one of them)? ``extra``: the data store's own ports, which a
    ``store_ports`` policy names too."""
    spec = policy.spec
    if services is None or "services" not in spec:
        return True
    wanted = ctx.memo(("services", policy.id), lambda: parse_services(spec.get("services")))
    if extra is not None and spec.get("store_ports"):
        wanted = wanted | extra
    return services.issuperset(wanted) if spec.get("match") == "all" else bool(services & wanted)


def _outside_reach(u: Unknown, policy: Policy, ctx: Context) -> bool:
    """A resource with (maybe) a public address in a group outside the plan, whose rules the
    plan does not hold: AWS admits what any group on the interface admits (EC2 user guide,
    "Security groups": the rules of all groups are aggregated), so the internet may reach it on
    anything that group admits, in each family where it has a public address; a load balancer
    only on its listeners, a data store only on its port. The internet policies that judge a
    resource's groups together see it when their ``to`` may hold one of its groups, and in that
    family; the path policies when one of its groups reaches their targets (or is one)."""
    where = u.scope[1]
    spec = policy.spec
    groups = ctx.graph.attachment_groups().get(where) or ()
    outside = [g for g in groups if is_outside_group(g)]
    selected = any(_may_select(ctx, g, spec.get("to")) for g in outside)
    if policy.kind in PATH_KINDS:
        upstream = ctx.upstream(spec.get("to"))
        return selected or any(g in upstream for g in groups)
    if policy.kind != "forbidden-flow":
        # exposure budgets and allow lists judge what a group admits, by its rules; the rules of
        # a group outside the plan are not judged (only those the plan adds to it, which it holds)
        return False
    source = spec.get("from") or {}
    if not _family_judged(source, _said_families(u, _attachment(ctx, where))):
        return False
    if not (selected or any(g in ctx.targets(spec.get("to")) for g in groups)):
        return False
    return _services_may_hit(ctx, policy, _reached_services(ctx, where), ctx.graph.served_ports().get(where))


def can_affect(u: Unknown, policy: Policy, ctx: Context) -> bool:
    """Could the unknown value change this policy's findings? (Unknown.scope says what it is.)

    Flow policies judge a target's ingress (and, for flows from groups, the senders' egress);
    an unknown egress of a group cannot make anything reachable from the internet. A path
    policy is affected by an unknown ingress of a group from which a target can be reached, and
    by an unknown egress of a group the internet can already reach. Whether a resource has a
    public address never hides a group-level finding (the analysis assumes it may), but it may
    hide a path, and a finding on a resource's groups together (in that address family).
    """
    kind, where = u.scope
    if kind == "all":
        return True
    spec = policy.spec
    if u.block is not None and policy.kind == "forbidden-flow" and \
            not _block_may_match(u.block, spec.get("from") or {}):
        return False
    if kind == "public":
        groups = ctx.graph.attachment_groups().get(where) or ()
        if policy.kind not in PATH_KINDS:
            # a flow policy from the internet also judges a resource's groups together (AWS
            # aggregates the rules of all groups on an interface): with several groups, what they
            # admit together is a finding no single group makes, and it needs a public address
            # (of the family the policy judges), on a resource one of whose groups it selects
            source = spec.get("from") or {}
            families = _said_families(u, _attachment(ctx, where), unsure=True)
            if not (len(groups) > 1 and _family_judged(source, families)):
                return False
            if not any(g in ctx.targets(spec.get("to")) for g in groups):
                return False
            return _services_may_hit(ctx, policy, u.services)
        upstream = ctx.upstream(spec.get("to"))
        return any(g in upstream for g in groups)
    if kind == "none":
        return False
    if kind in ("members", "default-members"):
        if policy.kind in ("exposure-budget",) or policy.kind in PATH_KINDS or ctx.uses_attachments(spec):
            return True
        # a resource that may have a public address and may join a group open to the internet:
        # the finding on that group would reach it (grown, so introduced)
        public = ctx.memo(("may be public",), lambda: {a.resource for a in ctx.graph.snap.attachments
                                                       if a.public is not False or a.public_v6 is not False})
        return bool((spec.get("from") or {}).get("internet")) and (where or u.address) in public
    if kind == "internet":  # a group the plan cannot read that may admit the internet on u.services
        if policy.kind in ("exposure-budget", "allowed-flows-only") or policy.kind in PATH_KINDS \
                or ctx.uses_attachments(spec):
            return True  # (an allow list: the internet may be a source it does not list)
        if not (spec.get("from") or {}).get("internet"):
            return False
        return _services_may_hit(ctx, policy, u.services)
    if kind == "tags":  # which tag selectors (and the tiers built on them) match the group
        return ctx.uses_tags(spec)
    if kind == "front":  # what a load balancer forwards to: the internet reaches it through one
        return policy.kind in PATH_KINDS or policy.kind == "exposure-budget" or \
            bool((spec.get("from") or {}).get("internet")) or ctx.uses_attachments(spec)
    if kind == "reach":  # whether the internet reaches a resource (its group's rules are elsewhere)
        return _outside_reach(u, policy, ctx) if u.attribute == _OUTSIDE_GROUPS else policy.kind in PATH_KINDS
    if u.services is not None and "services" in spec and policy.kind not in PATH_KINDS:
        # asked per (policy, unknown): a large plan without sources has thousands of unknowns
        wanted = ctx.memo(("services", policy.id), lambda: parse_services(spec.get("services")))
        if spec.get("match") == "all":
            # only if the unknown rule could complete "every service" with what the group has
            public = "internet" in (spec.get("from") or {})
            have = ctx.memo(("ingress services", where, public), lambda: _ingress_services(ctx, where, public))
            if not (have | u.services).issuperset(wanted):
                return False
        elif not (u.services & wanted):
            return False
    ingress, egress = kind in ("ingress", "group"), kind in ("egress", "group")
    targets = ctx.targets(spec.get("to"))
    if policy.kind in PATH_KINDS:
        upstream = ctx.upstream(spec.get("to"))
        return (ingress and where in upstream) or (egress and where in ctx.internet_reached())
    if ingress and where in targets:
        return True
    if not egress:
        return False
    if policy.kind == "allowed-flows-only":
        return True  # any group may be a sender the allow list does not name
    if policy.kind == "forbidden-flow":
        source = spec.get("from") or {}
        return "groups" in source and ctx.sel.match(where, source["groups"])
    return False
