"""Hygiene checks (policy kind ``hygiene``): how groups and rules are written, one function per
``check`` in an explicit registry (``HYGIENE``), as yamllint registers its rules.

Descriptions, names, tags, the default group, unused groups, inline and standalone rules mixed,
AWS quotas (VPC user guide, "Amazon VPC quotas"), port-range width, egress to everything and VPC
CIDRs where a group reference would do. Each takes the policy and the evaluation ``Context`` and
returns its findings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Optional

from ..netsets import AddressSet, count_text
from .evaluate import DEFAULT_DESCRIPTION, GROUPS_PER_INTERFACE, RULE_QUOTA, Context, Finding, Policy

# Checks of how a group is written: they do not apply to groups a service creates (the EKS
# cluster group, ...), which nobody writes (tfsg/services.py) and whose rules (its all-traffic
# egress, say) no configuration can change.
_AUTHORED = {"rule-descriptions", "group-description", "naming", "required-tags", "unattached-group",
             "egress-to-everything"}


def hygiene(policy: Policy, ctx: Context) -> list[Finding]:
    found = HYGIENE[policy.spec["check"]](policy, ctx)
    if policy.spec["check"] in _AUTHORED:
        from ..services import is_service_group

        found = [f for f in found if not is_service_group(f.address) and
                 not is_service_group(str(f.evidence.get("group", "")))]
    return found


# --------------------------------------------------------------------------- hygiene checks


def _rules(ctx: Context, selector: Optional[dict]):
    chosen = set(ctx.sel.groups(selector))
    return [r for r in ctx.graph.snap.rules if r.group in chosen]


def rule_descriptions(policy: Policy, ctx: Context) -> list[Finding]:
    """A finding per rule without a description, on its group whatever writes it (inline, an
    ``aws_security_group_rule``, an ``aws_vpc_security_group_ingress_rule``/``egress_rule``), so
    that one group is one finding (policy/aggregate.py) with each rule's block or resource as a
    location. A rule resource's part is keyed by the resource (its address leads the key, where
    an inline rule's is its group's): a waiver on it covers its part (``defined_by``), and a rule
    edited in place pairs with its own old part (continuity._bucket: the key's first two words)."""
    out = []
    for rule in _rules(ctx, policy.spec.get("to")):
        if not (rule.description or "").strip():
            what = f"{rule.direction} {rule.services.describe()} " \
                   f"{'from' if rule.direction == 'ingress' else 'to'} {rule.peer}"
            if rule.inline or rule.defined_by == rule.group:
                out.append(ctx.finding(policy, rule.group, f"{rule.group} {what}",
                                       f"rule without a description: {rule.group} {what}", group=rule.group,
                                       rule=rule))
            else:
                out.append(ctx.finding(policy, rule.group, f"{rule.defined_by} {what}",
                                       f"rule without a description: {rule.group} {what} ({rule.defined_by})",
                                       group=rule.group, rule=rule, defined_by=[rule.defined_by],
                                       rule_resources=[rule.defined_by]))
    return out


def group_description(policy: Policy, ctx: Context) -> list[Finding]:
    out = []
    for group in ctx.sel.groups(policy.spec.get("to"), managed=True):
        sg = ctx.graph.snap.groups[group]
        if sg.default:
            continue  # AWS sets it and it cannot be changed
        if not (sg.description or "").strip() or sg.description == DEFAULT_DESCRIPTION:
            out.append(ctx.finding(policy, group, "description",
                                   f"{group} has {'the provider default' if sg.description else 'no'} description"
                                   f"{' (' + DEFAULT_DESCRIPTION + ')' if sg.description else ''}"))
    return out


def naming(policy: Policy, ctx: Context) -> list[Finding]:
    from ..errors import InputError
    from ..regex import compile_re2

    text = policy.spec.get("pattern", r"^[a-z][a-z0-9-]*$")
    try:
        pattern = compile_re2(text)  # from the configuration under review: linear time (RE2)
    except ValueError as exc:
        raise InputError(f"policy {policy.id}: pattern {text[:60]!r} is not a regular expression RE2 accepts: "
                         f"{exc}", policy.origin) from None
    out = []
    for group in ctx.sel.groups(policy.spec.get("to"), managed=True):
        sg = ctx.graph.snap.groups[group]
        if sg.default or sg.name is None:
            continue  # unknown until apply (name_prefix) or fixed by AWS
        if not pattern.search(sg.name):
            out.append(ctx.finding(policy, group, "name", f"{group}: name {sg.name!r} does not match {pattern.pattern}",
                                   name=sg.name, pattern=pattern.pattern))
    return out


def required_tags(policy: Policy, ctx: Context) -> list[Finding]:
    wanted = policy.spec.get("tags", ["Name"])
    out = []
    # a group whose tags (or some of them) only apply knows is not said to lack any: its tags
    # are an unknown of their own (sources/build/groups.py)
    pending = {u.address for u in ctx.graph.unknowns if u.scope[0] == "tags"}
    for group in ctx.sel.groups(policy.spec.get("to"), managed=True):
        if group in pending:
            continue
        tags = dict(ctx.graph.snap.groups[group].tags)
        missing = [t for t in wanted if t not in tags]
        if missing:
            out.append(ctx.finding(policy, group, "tags " + ",".join(missing),
                                   f"{group} lacks tag{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                                   missing=missing))
    return out


def default_group(policy: Policy, ctx: Context) -> list[Finding]:
    from ..services import is_service_group

    out = []
    made: dict[str, list] = {}  # VPC -> the rules added to the default group AWS makes with it
    for group, sg in sorted(ctx.graph.snap.groups.items()):
        if not sg.default:
            continue
        # AWS's own rules of a group it makes with the VPC are spoken of at the VPC (below)
        rules = [r for r in ctx.graph.snap.rules if r.group == group
                 and not (is_service_group(group) and r.defined_by == sg.vpc_id)]
        if is_service_group(group) and sg.vpc_id in ctx.graph.snap.new_vpcs:
            made[sg.vpc_id] = rules  # one finding for the VPC's new default group: below
        elif rules:
            listed = "; ".join(f"{r.direction} {r.services.describe()} {r.peer}" for r in rules)
            out.append(ctx.finding(policy, group, "rules", f"the default group {group} has rules: {listed}",
                                   rules=len(rules)))
    # A VPC this change creates gets a default group with AWS's rules (all traffic from itself,
    # all out) unless the configuration adopts it with aws_default_security_group
    adopted = {sg.vpc_id for sg in ctx.graph.snap.groups.values() if sg.default} - set(made)
    for vpc in sorted(ctx.graph.snap.new_vpcs - adopted):
        added = made.get(vpc) or []
        also = "; and the rules this change adds to it: " + "; ".join(
            f"{r.direction} {r.services.describe()} {r.peer}" for r in added) if added else ""
        out.append(ctx.finding(policy, vpc, "rules",
                               f"the default group of {vpc}, which this change creates, will have AWS's default rules "
                               "(ingress: all traffic from itself; egress: all traffic to 0.0.0.0/0, and to ::/0 with "
                               f"an IPv6 block){also}: adopt it with aws_default_security_group and no rules",
                               rules=2 + len(added)))
    return out


def unattached(policy: Policy, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    # A membership the plan could not read (a for_each value plan JSON drops, a dynamic block)
    # may attach any group: "attached to nothing" cannot be said then (the unknown is listed).
    # A resource that names no group ("default-members") is in a default group, which this
    # policy never reports.
    if any(u.scope[0] == "members" for u in ctx.graph.unknowns):
        return out
    for group in ctx.sel.groups(policy.spec.get("to"), managed=True):
        sg = ctx.graph.snap.groups[group]
        if not sg.default and not ctx.graph.members.get(group):
            out.append(ctx.finding(policy, group, "unattached",
                                   f"{group} is attached to nothing in this configuration"))
    return out


def mixed(policy: Policy, ctx: Context) -> list[Finding]:
    """Inline rules (or an explicitly managed inline list, even ``[]``) and rule resources in the
    same direction of one group: each apply of the group resets the direction to its inline
    set, revoking the resources' rules (hashicorp/terraform#27674)."""
    out = []
    snap = ctx.graph.snap
    chosen = set(ctx.sel.groups(policy.spec.get("to")))
    inline: set[tuple[str, str]] = {(k, d) for k, sg in snap.groups.items() if k in chosen for d in sg.inline}
    owners: dict[tuple[str, str], set[str]] = {}
    revoked: dict[tuple[str, str], set[str]] = {}
    for rule in snap.rules:
        if rule.group in chosen:
            sg = snap.groups.get(rule.group)
            if rule.inline and not (sg is not None and rule.direction in sg.unmanaged):
                inline.add((rule.group, rule.direction))
            else:
                owners.setdefault((rule.group, rule.direction), set()).add(rule.defined_by)
    for rule in snap.revoked:
        if rule.group in chosen and rule.defined_by not in snap.forgotten_rules:  # forgotten: no longer managed
            owners.setdefault((rule.group, rule.direction), set()).add(rule.defined_by)
            revoked.setdefault((rule.group, rule.direction), set()).add(rule.defined_by)
    for (group, direction) in sorted(inline & set(owners)):
        names = sorted(owners[(group, direction)])
        gone = sorted(revoked.get((group, direction), ()))
        note = f"; this apply revokes the rules of {', '.join(gone)} and the next one re-creates them" \
            if gone else ""
        out.append(ctx.finding(policy, group, f"mixed {direction}",
                               f"{group} manages its {direction} rules inline and has {direction} rules from "
                               f"{', '.join(names)}; Terraform will fight over them{note}", rule_resources=names,
                               revoked=gone))
    return out


def rule_quota(policy: Policy, ctx: Context) -> list[Finding]:
    limit = policy.spec.get("limit", RULE_QUOTA)
    counts: dict[tuple[str, str, str], int] = {}
    for rule in _rules(ctx, policy.spec.get("to")):
        peer = rule.peer
        # each CIDR counts against its family's quota; a group reference against both (VPC user
        # guide, "Amazon VPC quotas": "a rule that references a security group counts as one rule
        # for IPv4 and one rule for IPv6"); a prefix list as its max_entries, against its own
        # family (both when its entries are not known)
        if peer.kind == "cidr":
            families: tuple[str, ...] = ("ipv6",) if ":" in peer.value else ("ipv4",)
        elif peer.kind == "prefix_list":
            entries = ctx.graph.snap.prefix_lists.get(peer.value)
            families = ("ipv4", "ipv6") if not entries else \
                tuple(f for f, part in (("ipv4", entries.v4), ("ipv6", entries.v6)) if part) or ("ipv4",)
        else:
            families = ("ipv4", "ipv6")
        weight = ctx.prefix_sizes.get(peer.value, 1) if peer.kind == "prefix_list" else 1
        for family in families:
            key = (rule.group, rule.direction, family)
            counts[key] = counts.get(key, 0) + weight
    out = []
    for (group, direction, family), count in sorted(counts.items()):
        if count > limit:
            out.append(ctx.finding(policy, group, f"{direction} {family}",
                                   f"{group} has {count} {family} {direction} rules by AWS's count (quota {limit})",
                                   count=count, limit=limit, direction=direction, family=family))
    return out


def groups_per_interface(policy: Policy, ctx: Context) -> list[Finding]:
    limit = policy.spec.get("limit", GROUPS_PER_INTERFACE)
    out = []
    for att in sorted(ctx.graph.snap.attachments, key=lambda a: a.resource):
        if len(att.groups) > limit:
            out.append(ctx.finding(policy, att.resource, "groups",
                                   f"{att.resource} is in {len(att.groups)} groups (limit {limit} per interface)",
                                   groups=list(att.groups), limit=limit))
    return out


def port_range_width(policy: Policy, ctx: Context) -> list[Finding]:
    limit = policy.spec.get("limit", 1000)
    documented = [tuple(int(p) for p in r.split("-", 1)) for r in policy.spec.get("allow_from_groups") or ()]
    out = []
    for rule in _rules(ctx, policy.spec.get("to")):
        if rule.services.is_all():
            continue  # all traffic: the all-traffic policies speak to it
        for proto in ("tcp", "udp"):
            for lo, hi in getattr(rule.services, proto):
                if rule.peer.kind in ("group", "self") and any(a <= lo and hi <= b for a, b in documented):
                    continue  # within a range AWS documents between groups (ECS dynamic host ports, EKS nodes)
                if hi - lo + 1 > limit:
                    out.append(ctx.finding(policy, rule.defined_by,
                                           f"{rule.group} {rule.direction} {proto} {lo}-{hi} {rule.peer}",
                                           f"{rule.group} {rule.direction} rule opens {hi - lo + 1:,} {proto} ports "
                                           f"({lo}-{hi}) {'from' if rule.direction == 'ingress' else 'to'} {rule.peer}",
                                           group=rule.group, ports=f"{lo}-{hi}", limit=limit, rule=rule))
    return out


def egress_everything(policy: Policy, ctx: Context) -> list[Finding]:
    out = []
    for rule in _rules(ctx, policy.spec.get("to")):
        if rule.direction == "egress" and rule.peer.kind == "cidr" and rule.peer.value in ("0.0.0.0/0", "::/0") \
                and rule.services.is_all():
            out.append(ctx.finding(policy, rule.group, f"egress {rule.peer}",
                                   f"{rule.group} may send anything to {rule.peer}", defined_by=rule.defined_by,
                                   rule=rule))
    return out


def vpc_cidr_instead_of_group(policy: Policy, ctx: Context) -> list[Finding]:
    out = []
    inside: dict[tuple, bool] = {}  # (VPC, block) -> the block is inside the VPC (rules repeat blocks)
    for rule in _rules(ctx, policy.spec.get("to")):
        if rule.direction != "ingress" or rule.peer.kind != "cidr":
            continue
        sg = ctx.graph.snap.groups.get(rule.group)
        if sg is None or not sg.vpc_id or sg.vpc_id not in ctx.graph.snap.vpcs:
            continue
        vpc = ctx.graph.snap.vpcs[sg.vpc_id]
        key = (sg.vpc_id, rule.peer.value)
        if key not in inside:
            inside[key] = vpc.issuperset(AddressSet.parse(rule.peer.value))
        if not inside[key]:
            continue
        block = AddressSet.parse(rule.peer.value)
        if rule.peer.sensitive:
            out.append(ctx.finding(policy, rule.group, f"{rule.peer} {rule.services.describe()}",
                                   f"{rule.group} admits {rule.peer}, addresses inside its VPC, on "
                                   f"{rule.services.describe()}; a group reference would admit only the members",
                                   cidr=rule.peer.label, defined_by=rule.defined_by, rule=rule))
        else:
            out.append(ctx.finding(policy, rule.group, f"{rule.peer.value} {rule.services.describe()}",
                                   f"{rule.group} admits {rule.peer.value} "
                                   f"({count_text(block.count())} addresses inside its VPC) "
                                   f"on {rule.services.describe()}; a group reference would admit only the members",
                                   cidr=rule.peer.value, addresses=block.count(), defined_by=rule.defined_by,
                                   rule=rule))
    return out


HYGIENE: dict[str, Callable[[Policy, Context], list[Finding]]] = {
    "rule-descriptions": rule_descriptions,
    "group-description": group_description,
    "naming": naming,
    "required-tags": required_tags,
    "default-group-restricts-all": default_group,
    "unattached-group": unattached,
    "mixed-inline-standalone": mixed,
    "rule-quota": rule_quota,
    "groups-per-interface": groups_per_interface,
    "port-range-width": port_range_width,
    "egress-to-everything": egress_everything,
    "vpc-cidr-instead-of-group": vpc_cidr_instead_of_group,
}
