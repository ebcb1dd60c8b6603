"""Policy kinds: one small function each, in an explicit registry (``KINDS``).

Each takes a policy and a ``FlowGraph`` (one side of the change) and returns ``Finding``s whose
identity (policy, address, key) is stable across sides, so the gate can tell a finding the
change introduces from one that was already there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from ..errors import InputError
from ..graph import INTERNET, FlowGraph
from ..graph.records import granting, merge_by
from ..model import Rule
from ..netsets import (
    NO_SERVICES,
    PUBLIC,
    PUBLIC_V4,
    PUBLIC_V6,
    AddressSet,
    ServiceSet,
    count_text,
    covering_services,
    services_for_rule,
    union_all,
)
from .load import Policy
from .selectors import Selectors, _whole_internet, source_matches
from .whole_sources import all_sources
from .widths import WIDTH_KEYS, Wide, blanket_counts, block_order, named_services, wide_sources

RULE_QUOTA = 60  # rules per group, per direction, per address family (AWS default)
GROUPS_PER_INTERFACE = 5
DEFAULT_DESCRIPTION = "Managed by Terraform"


@dataclass
class Finding:
    """One policy result. ``key`` tells findings of one policy on one address apart."""

    policy: str
    severity: str
    title: str
    address: str
    message: str
    key: str
    evidence: dict[str, Any] = field(default_factory=dict)
    status: str = "violation"  # violation | warning
    remediation: str = ""
    introduced: bool = True
    waived: Optional[str] = None  # the waiver's reason
    location: Optional[str] = None
    location_exact: bool = False  # at the granting block or resource (SARIF's location-exact)
    related: tuple[str, ...] = ()  # file:line of the rule inside a module, when located at its call

    def identity(self) -> tuple[str, str, str]:
        return (self.policy, self.address, self.key)


# --------------------------------------------------------------------------- services


def parse_services(items: Optional[Iterable[Any]]) -> ServiceSet:
    """``[22, "8000-8080", "udp/53", "icmp/8", "all"]`` -> ServiceSet; a bare number is TCP."""
    if not items:
        return ServiceSet.all()
    out = NO_SERVICES
    for item in items:
        text = str(item).strip().lower()
        if text == "all":
            return ServiceSet.all()
        proto, _, rest = text.partition("/") if not text[:1].isdigit() else ("tcp", "", text)
        if proto in ("tcp", "udp"):
            lo, _, hi = (rest or "0-65535").partition("-")
            out = out | services_for_rule(proto, int(lo), int(hi or lo))
        else:  # icmp / icmpv6 [/type[/code]]
            icmp_type, _, code = rest.partition("/")
            out = out | services_for_rule(proto, int(icmp_type) if icmp_type else -1, int(code) if code else -1)
    return out


def check_services(policy: Policy) -> None:
    """The schema checks a service's shape only: ``icmp/300``, ``99999`` and ``80-79`` pass it,
    and parse_services would raise ProtocolError deep inside a policy (an internal error). Such a
    value is the configuration's error: exit 2 naming its file and policy."""
    spec = policy.spec
    lists = [("services", spec.get("services"))] + [(f"allow[{i}].services", a.get("services"))
                                                     for i, a in enumerate(spec.get("allow") or [])
                                                     if isinstance(a, dict)]
    for key, items in lists:
        for item in items or ():
            try:
                parse_services([item])
            except ValueError as exc:  # netsets.ProtocolError, int() of a digit string
                raise InputError(f"policy {policy.id}: {key}: {item!r}: {exc}", policy.origin) from None
    source = spec.get("from")
    for i, text in enumerate((source.get("cidrs") if isinstance(source, dict) else None) or ()):
        try:
            AddressSet.parse(text)
        except (ValueError, TypeError):  # the schema checks a string only: 10.0.0.0/33 passes it
            raise InputError(f"policy {policy.id}: from.cidrs[{i}]: {str(text)[:60]!r} is not a CIDR block",
                             policy.origin) from None


def service_rows(services: ServiceSet) -> list[dict[str, str]]:
    return [{"protocol": p, "ports": ports} for p, ports in services.entries()]


# --------------------------------------------------------------------------- context


@dataclass
class Context:
    graph: FlowGraph
    sel: Selectors
    prefix_sizes: dict[str, int]
    _memo: dict = field(default_factory=dict)
    _locator: Any = None
    existed: Optional[set[str]] = None  # the change's before side: what newly-reachable judges

    def finding(self, policy: Policy, address: str, key: str, message: str, at: Optional[str] = None,
                rule: Optional[Rule] = None, **evidence: Any) -> Finding:
        # Point at what a reviewer changes: the granting block or rule resource, the module
        # call's argument for a rule made in a module, else the subject (policy/locate.py).
        defined = evidence.get("defined_by")
        defined = [defined] if isinstance(defined, str) else list(defined or ())
        loc, exact, related = self._located().locate(address, defined, at, evidence, rule)
        return Finding(policy.id, policy.severity, policy.title, address, message, key, evidence,
                       remediation=policy.remediation, location=str(loc) if loc else None,
                       location_exact=exact and loc is not None, related=related)

    def locate(self, address: str, defined: list[str], sources: list[str]) -> list[str]:
        """``file:line`` of the ingress rules in ``defined`` that admit ``sources`` (primary first)."""
        loc, _, related = self._located().locate(address, defined, None, {"sources": sources, "direction": "ingress"})
        return ([str(loc)] if loc is not None else []) + list(related)

    def _located(self) -> Any:
        """The snapshot's ``locate.Locator``, made once (it indexes the inline rules)."""
        if self._locator is None:
            from .locate import Locator

            self._locator = Locator(self.graph.snap)
        return self._locator

    def memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per key for this side's evaluation."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def _cached(self, key: tuple, compute: Callable[[], set[str]]) -> set[str]:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def uses_attachments(self, spec: dict) -> bool:
        """Does the policy select groups by what is attached to them (directly or via a tier)?"""
        def compute() -> bool:
            text = json.dumps(spec)
            if '"tier"' in text:
                text += json.dumps(self.sel.tiers)
            return "attached_to" in text

        return bool(self.memo(("attachments", id(spec)), compute))

    def uses_tags(self, spec: dict) -> bool:
        """Does the policy select groups by a tag (directly or via a tier)?"""
        def compute() -> bool:
            text = json.dumps(spec)
            if '"tier"' in text:
                text += json.dumps(self.sel.tiers)
            return '"tag"' in text

        return bool(self.memo(("tags", id(spec)), compute))

    def _selector_key(self, selector: Optional[dict]) -> str:
        """A selector's text, computed once per selector object (asked per policy and unknown)."""
        return self.memo(("selector", id(selector)), lambda: json.dumps(selector, sort_keys=True))

    def targets(self, selector: Optional[dict]) -> set[str]:
        return self._cached(("to", self._selector_key(selector)), lambda: set(self.sel.groups(selector)))

    def upstream(self, selector: Optional[dict]) -> set[str]:
        """The targets and every group from which one of them can be reached."""
        def compute() -> set[str]:
            from ..digraph import ancestors

            g = self.graph.digraph()
            targets = set(self.targets(selector))
            return targets | ancestors(g, *[t for t in sorted(targets) if t in g])  # one search for all
        return self._cached(("up", self._selector_key(selector)), compute)

    def internet_reached(self) -> set[str]:
        def compute() -> set[str]:
            from ..digraph import descendants

            g = self.graph.digraph()
            return descendants(g, INTERNET) if INTERNET in g else set()
        return self._cached(("internet",), compute)

    def incoming(self, group: str, groups: bool = True) -> list[tuple[str, ServiceSet, Optional[AddressSet], dict]]:
        """Flows into a group: (source endpoint, services, address block or None, rule -> services granted);
        CIDR-derived group sources only with ``groups`` (they are many on a large plan)."""
        blocks = {label: block for _, block, label in self.graph.cidrs["ingress"].get(group, ())}
        out = []
        explicit = {src: flow for (src, _), flow in self.graph.flows_into().get(group, ())}
        for src, flow in explicit.items():
            out.append((src, flow.services, blocks.get(src), flow.defined_by))
        if groups:
            for src, services in sorted(self.graph.cidr_flows.into(group).items()):
                if src in explicit:
                    continue
                by = merge_by(self.graph._side("ingress", group, src)[1], self.graph._side("egress", src, group)[1])
                out.append((src, services, None, by))
        return out


def _granting_internet(ctx: Context, group: str, sources: list[str], common: ServiceSet) -> set[str]:
    """The rules (by the resource that writes them) that admit the whole internet on
    ``common``: per port range, each rule that does so alone (``0.0.0.0/0``, or two halves in one
    rule; a tcp 443 rule is no part of "all traffic"), else every rule that admits part of it
    from a public block (the internet covered only by several rules together)."""
    from ..graph.records import entry_services

    per: dict[str, list[tuple[ServiceSet, AddressSet]]] = {}
    for rule, block, label in ctx.graph.cidrs["ingress"].get(group, ()):
        if label in sources and rule.services & common:
            per.setdefault(rule.defined_by, []).append((rule.services, block))
    out: set[str] = set()
    for proto, ports in common.entries():
        part = entry_services(proto, ports)
        alone = {owner for owner, pairs in per.items()
                 if (covering_services(pairs, PUBLIC_V4) | covering_services(pairs, PUBLIC_V6)).issuperset(part)}
        out |= alone or {owner for owner, pairs in per.items() if any(services & part for services, _ in pairs)}
    return out


def _opened(ctx: Context, group: str, common: ServiceSet) -> ServiceSet:
    """The ranges the group opens to the internet that hold the policy's services: "tcp 8086,
    in tcp 8080-8090" says which rule to look for (the policy's port is nowhere in the code)."""
    from ..graph.records import entry_services

    reached = ctx.graph.internet_services.get(group, NO_SERVICES) | ctx.graph.hops.via_lb.get(group, NO_SERVICES)
    out = NO_SERVICES
    for proto, ports in reached.entries():
        part = entry_services(proto, ports)
        if part & common:
            out = out | part
    return out or common


def _internet_services(ctx: Context, group: str, family: Any) -> ServiceSet:
    """What the internet reaches on a group: by its own CIDR rules, or through a listener of an
    internet-facing load balancer (hops.py)."""
    via_lb = ctx.graph.hops.via_lb.get(group, NO_SERVICES)
    if family is True:
        return ctx.graph.internet_services.get(group, NO_SERVICES) | via_lb
    pairs = [(rule.services, block) for rule, block, _ in ctx.graph.cidrs["ingress"].get(group, ())
             if block.overlaps(PUBLIC)]
    return covering_services(pairs, PUBLIC_V4 if family == "ipv4" else PUBLIC_V6) | via_lb


# --------------------------------------------------------------------------- kinds


def store_ports(ctx: Context, group: str) -> ServiceSet:
    """The TCP ports the data stores in ``group`` serve, as their configuration sets them or
    their service fixes them (sources/store_ports.py; an Aurora instance serves its cluster's)."""
    snap = ctx.graph.snap
    if not snap.store_ports:
        return NO_SERVICES
    cluster = dict(snap.cluster_links)
    out = NO_SERVICES
    for att in ctx.graph.members.get(group, ()):
        for port in snap.store_ports.get(att.resource) or snap.store_ports.get(cluster.get(att.resource, "")) or ():
            out = out | services_for_rule("tcp", port, port)
    return out


def forbidden_flow(policy: Policy, ctx: Context) -> list[Finding]:
    spec = policy.spec
    base = wanted = parse_services(spec.get("services"))
    match_all = spec.get("match", "any") == "all"
    source = spec["from"]
    out: list[Finding] = []

    def hit(services: ServiceSet) -> ServiceSet:
        common = services & wanted
        if match_all and not services.issuperset(wanted):
            return NO_SERVICES
        return common

    for group in ctx.sel.groups(spec.get("to")):
        # a data store on a port of its own (a database on 15432) is a data-store port too
        wanted = base | store_ports(ctx, group) if spec.get("store_ports") else base
        if "internet" in source:
            common = hit(_internet_services(ctx, group, source["internet"]))
            if common:
                exposed = sorted({e.address for e in ctx.graph.exposures
                                  if e.kind == "resource" and group in e.via and e.services & common})
                sources = list(ctx.graph.internet_sources(group, services=common))
                if match_all:  # the sources that admit all of it, not a tcp-only 0.0.0.0/0 beside ::/0
                    sources = all_sources(ctx.graph, [group], common) or sources
                by = sorted(_granting_internet(ctx, group, sources, common)
                            | set(granting(ctx.graph.hops.lb_rules.get(group, {}), common)))
                opened = _opened(ctx, group, common)
                own = common & ctx.graph.internet_services.get(group, NO_SERVICES)
                # reached only through a load balancer's listeners: the group admits the load
                # balancer, which forwards the internet's connections (hops.py)
                what = f"{group} admits the whole internet on {common.describe()}" if own else \
                    f"{group} is reached from the whole internet on {common.describe()} through a load balancer"
                out.append(ctx.finding(policy, group, f"internet {common.describe()}",
                                       f"{what} (from {', '.join(sources)}"
                                       + (f"; open: {opened.describe()})" if opened != common else ")"),
                                       sources=sources, services=service_rows(common), exposed_resources=exposed,
                                       defined_by=by))
        other = {k: v for k, v in source.items() if k != "internet"}
        if not other:
            continue
        blanket = blanket_counts(ctx, spec, group)
        covered: dict[str, ServiceSet] = {}  # the width findings' blocks, on what they name
        if any(k in other for k in WIDTH_KEYS):
            for w in wide_sources(ctx, group, other, wanted, blanket):
                common = hit(w.services)
                if common:
                    out.append(_wide_finding(policy, ctx, group, w, common))
                    for label in w.blocks:
                        covered[label] = covered.get(label, NO_SERVICES) | common
        other = {k: v for k, v in other.items() if k not in WIDTH_KEYS}
        if not any(k in other for k in ("any_address", "cidrs", "groups")):
            continue
        internet = ctx.graph.internet_services.get(group, NO_SERVICES) if other.get("except_internet") else NO_SERVICES
        for src, services, block, granted_by in ctx.incoming(group, groups="groups" in other):
            if not source_matches(ctx.graph, ctx.sel, other, src, block):
                continue
            if not blanket:  # a rule that opens every port names none of them (widths.py)
                services = services & named_services(ctx, group, src, block)
            if covered.get(src, NO_SERVICES).issuperset(services & wanted):
                continue  # already in a width finding
            if internet and block is not None and block.overlaps(PUBLIC) and internet.issuperset(services & wanted):
                continue  # part of what admits the whole internet (0.0.0.0/1 + 128.0.0.0/1): another policy's
            common = hit(services)
            if common:
                extra: dict[str, Any] = {"addresses": block.count()} \
                    if block is not None and src not in ctx.graph.sensitive_labels else {}
                out.append(ctx.finding(policy, group, f"{src} {common.describe()}",
                                       f"{group} admits {src} on {common.describe()}",
                                       source=src, services=service_rows(common),
                                       defined_by=granting(granted_by, common),
                                       **extra))
    wanted = base
    if "internet" in source:
        out += _aggregated_internet(policy, ctx, hit, source["internet"])
    return out


def _wide_finding(policy: Policy, ctx: Context, group: str, w: Wide, common: ServiceSet) -> Finding:
    """A source wider than the policy's limit: one block as written, or blocks merged (widths.py)."""
    sensitive = any(label in ctx.graph.sensitive_labels for label in w.blocks)
    evidence: dict[str, Any] = {} if sensitive else {"addresses": union_all(w.wide).count() if w.merged
                                                     else union_all(w.blocks.values()).count()}
    text = f"{group} admits {w.source} on {common.describe()}"
    if w.merged:
        blocks = block_order(list(w.blocks))
        evidence["cidrs"] = blocks  # the blocks (and lists) that make it up: locate.py points at their rules
        shown = ", ".join(blocks[:8]) + (f" and {len(blocks) - 8} more" if len(blocks) > 8 else "")
        text += f" ({len(blocks)} blocks together: {shown})"
    return ctx.finding(policy, group, f"{w.source} {common.describe()}", text, source=w.source,
                       services=service_rows(common), defined_by=granting(w.rules, common), **evidence)


def _aggregated_internet(policy: Policy, ctx: Context, hit: Callable[[ServiceSet], ServiceSet],
                         family: Any) -> list[Finding]:
    """Resources the whole internet reaches only through the rules of several of their groups
    together (AWS aggregates the rules of every group on an interface: EC2 user guide,
    "Security groups"): ``0.0.0.0/1`` in one group and ``128.0.0.0/1`` in another. What one group
    admits alone is that group's finding."""
    chosen = set(ctx.sel.groups(policy.spec.get("to")))
    per: dict[str, tuple[ServiceSet, set[str], list[str]]] = {}
    for e in ctx.graph.exposures:
        if e.kind != "resource" or e.listener is not None or len(e.via) < 2 or not chosen.intersection(e.via) \
                or (family in ("ipv4", "ipv6") and e.family != family):
            continue
        common = hit(e.services)
        for g in e.via:  # what a group admits alone is reported on it
            common = common - hit(_internet_services(ctx, g, family))
        if common:
            services, via, sources = per.get(e.address, (NO_SERVICES, set(), []))
            per[e.address] = (services | common, via | set(e.via), sources + [s for s in e.sources if s not in sources])
    out = []
    for address, (common, via, sources) in sorted(per.items()):
        if policy.spec.get("match") == "all":  # as forbidden_flow: the sources that admit all of it
            sources = all_sources(ctx.graph, sorted(via), common) or sources
        by = sorted({rule for g in via for rule in _granting_internet(ctx, g, sources, common)})
        out.append(ctx.finding(policy, address, f"internet {common.describe()}",
                               f"{address} admits the whole internet on {common.describe()} through its groups "
                               f"together ({', '.join(sorted(via))}: from {', '.join(sources)})",
                               sources=sources, services=service_rows(common), exposed_resources=[address],
                               groups=sorted(via), defined_by=by))
    return out


def allowed_flows_only(policy: Policy, ctx: Context) -> list[Finding]:
    spec = policy.spec
    allows = [(a["from"], parse_services(a.get("services"))) for a in spec["allow"]]
    out: list[Finding] = []
    for group in ctx.sel.groups(spec.get("to")):
        for src, services, block, by in ctx.incoming(group):
            allowed = NO_SERVICES
            for source, svc in allows:
                if source_matches(ctx.graph, ctx.sel, source, src, block, allowing=True):
                    allowed = allowed | svc
            rest = services - allowed
            if rest:
                out.append(ctx.finding(policy, group, f"{src} {rest.describe()}",
                                       f"{group} admits {src} on {rest.describe()}, which no allow entry lists",
                                       source=src, services=service_rows(rest), defined_by=granting(by, rest)))
    return out


def exposure_budget(policy: Policy, ctx: Context) -> list[Finding]:
    spec = policy.spec
    base = parse_services(spec.get("services"))
    limit = spec["max_addresses"]
    out: list[Finding] = []
    for group in ctx.sel.groups(spec.get("to")):
        wanted = base | store_ports(ctx, group) if spec.get("store_ports") else base
        grants: list[tuple[ServiceSet, AddressSet, bool, str]] = []  # (services, block, sensitive, writer)
        for rule, block, label in ctx.graph.cidrs["ingress"].get(group, ()):
            if rule.services & wanted and not (spec.get("except_internet") and _whole_internet(block)):
                grants.append((rule.services & wanted, block, label in ctx.graph.sensitive_labels, rule.defined_by))
        named: list[tuple[ServiceSet, str, str]] = []  # (services, group referenced, writer)
        for other, rules in sorted(ctx.graph.refs["ingress"].get(group, {}).items()):
            named += [(r.services & wanted, other, r.defined_by) for r in rules if r.services & wanted]
        if not grants and not named:
            continue
        # the budget holds per service: the services some of whose sources together exceed it
        # (a /8 on 5439 beside a /32 on 3306 is over on 5439 only)
        over, blocks, referenced, by, sensitive = _over_budget(grants, named, limit, ctx.graph.members)
        if not over:
            continue
        members = sum(len(ctx.graph.members.get(g, ())) for g in referenced)
        total = blocks.count() + members
        if sensitive:  # the size of a sensitive block is not shown
            out.append(ctx.finding(policy, group, f"budget {limit}",
                                   f"{group} admits more than {limit:,} addresses on {over.describe()} "
                                   f"(budget {limit:,}), some of them through sensitive values",
                                   groups=referenced, members=members, budget=limit,
                                   services=service_rows(over), defined_by=sorted(by)))
        else:
            out.append(ctx.finding(policy, group, f"budget {limit}",
                                   f"{group} admits {count_text(total)} addresses on {over.describe()} "
                                   f"(budget {limit:,}): {count_text(blocks.count())} by CIDR, {members} group members",
                                   addresses=blocks.count(), cidrs=blocks.cidrs()[:20], groups=referenced,
                                   members=members, budget=limit, services=service_rows(over),
                                   defined_by=sorted(by)))
    return out


def _over_budget(grants: list[tuple[ServiceSet, AddressSet, bool, str]], named: list[tuple[ServiceSet, str, str]],
                 limit: int, members: dict) -> tuple[ServiceSet, AddressSet, list[str], set[str], bool]:
    """(the services over the budget, the blocks, groups and rules that admit them, whether a
    sensitive block is among them). The services are cut into pieces every source either
    admits wholly or not at all (a group's few distinct rule service sets); each piece is over
    when its blocks and the members of its groups exceed ``limit``."""
    atoms: list[ServiceSet] = []
    for services in {s for s, *_ in grants} | {s for s, *_ in named}:
        fresh = services - _union_services(atoms)
        atoms = [p for a in atoms for p in (a & services, a - services) if p] + ([fresh] if fresh else [])
    over = NO_SERVICES
    blocks: list[AddressSet] = []
    referenced: set[str] = set()
    by: set[str] = set()
    sensitive = False
    for atom in atoms:
        mine = [(b, sens, w) for s, b, sens, w in grants if s & atom]
        theirs = [(g, w) for s, g, w in named if s & atom]
        count = union_all(b for b, _, _ in mine).count() + sum(len(members.get(g, ())) for g in {g for g, _ in theirs})
        if count > limit:
            over = over | atom
            blocks += [b for b, _, _ in mine]
            referenced |= {g for g, _ in theirs}
            by |= {w for _, _, w in mine} | {w for _, w in theirs}
            sensitive = sensitive or any(sens for _, sens, _ in mine)
    return over, union_all(blocks), sorted(referenced), by, sensitive


def _union_services(parts: list[ServiceSet]) -> ServiceSet:
    out = NO_SERVICES
    for p in parts:
        out = out | p
    return out


from .forbidden_path import forbidden_path  # noqa: E402
from .hygiene import hygiene  # noqa: E402  (they use the names above)
from .tiering import newly_reachable, tier_exposure  # noqa: E402

KINDS: dict[str, Callable[[Policy, Context], list[Finding]]] = {
    "forbidden-flow": forbidden_flow,
    "allowed-flows-only": allowed_flows_only,
    "forbidden-path": forbidden_path,
    "exposure-budget": exposure_budget,
    "hygiene": hygiene,
    "tier-exposure": tier_exposure,
    "newly-reachable": newly_reachable,
}

# Kinds whose answer depends on reachability, and so on values unknown until apply.
REACHABILITY_KINDS = {"forbidden-flow", "allowed-flows-only", "forbidden-path", "exposure-budget", "tier-exposure",
                      "newly-reachable"}
PATH_KINDS = {"forbidden-path", "tier-exposure", "newly-reachable"}


def _ingress_services(ctx: Context, group: str, public: bool) -> ServiceSet:
    """What the group admits (``public``: from public addresses, some of them): all that an
    unknown rule could complete into "every service" (from the internet)."""
    have = NO_SERVICES
    if public:
        for rule, block, _ in ctx.graph.cidrs["ingress"].get(group, ()):
            if block.overlaps(PUBLIC):
                have = have | rule.services
        return have
    for rule in ctx.graph.rules.rules_of.get(group, ()):
        if rule.direction == "ingress":
            have = have | rule.services
    return have


def evaluate(policies: list[Policy], graph: FlowGraph, tiers: dict[str, dict],
             prefix_sizes: Optional[dict[str, int]] = None, existed: Optional[set[str]] = None) -> list[Finding]:
    """Every policy on one side; findings sorted and unique by identity. ``existed``: on the
    after side of a change, the groups and resources of the before side (newly-reachable judges
    only those)."""
    from .affects import can_affect  # (affects.py reads this module's Context: imported here)

    for policy in policies:
        check_services(policy)
    ctx = Context(graph, Selectors(graph, tiers), prefix_sizes or {}, existed=existed)
    found: dict[tuple, Finding] = {}
    all_unknowns = sorted(set(graph.unknowns), key=lambda u: u.sort_key())
    for policy in policies:
        for f in KINDS[policy.kind](policy, ctx):
            found.setdefault(f.identity(), f)
        if policy.kind not in REACHABILITY_KINDS or policy.unknown == "ignore" or not all_unknowns:
            continue
        unknowns = [u for u in all_unknowns if can_affect(u, policy, ctx)]
        if unknowns:
            listed = "; ".join(f"{u.address}: {u.reason}" for u in unknowns[:3])
            more = f" (and {len(unknowns) - 3} more)" if len(unknowns) > 3 else ""
            f = ctx.finding(policy, unknowns[0].address, "unknown",
                            f"{len(unknowns)} value{'s' if len(unknowns) > 1 else ''} unknown until apply may hide "
                            f"findings of this policy: {listed}{more}",
                            unknown=[{"address": u.address, "attribute": u.attribute, "reason": u.reason}
                                     for u in unknowns])
            f.status = "violation" if policy.unknown == "violation" else "warning"
            found.setdefault(f.identity(), f)
    return sorted(found.values(), key=lambda f: (f.policy, f.address, f.key))
