"""Which findings a change introduces, and which it only carries over.

A finding is introduced when the change creates it (absent before, by identity: policy, subject,
key) or makes it reach more: more resources reachable on its services than before (a public
instance attached to a group already open to SSH; one host replacing another is no more), a new
address family among its sources (``::/0`` beside ``0.0.0.0/0``), new services (``internet tcp
3389`` becoming ``internet tcp 22, tcp 3389``: the old one is then not "resolved"). A narrowed
finding is existing. A group
renamed without a ``moved`` block (destroyed and created with the same rules and members) carries
its findings over: the network after apply is the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..model import assumed_routes
from ..netsets import count_text
from .changed_sites import RuleSites

if TYPE_CHECKING:
    from ..graph import FlowGraph
    from ..netsets import ServiceSet
    from .evaluate import Finding


def carry_over(prior: dict[tuple, "Finding"], after: list["Finding"], before: Optional["FlowGraph"],
               now: "FlowGraph", checks: Optional[dict[str, str]] = None) -> set[tuple]:
    """Set ``introduced`` on ``after``; return the identities of ``prior`` findings that continue
    in one of ``after`` under another identity (not to be listed as resolved). ``checks``: the
    hygiene check of each policy id (``rule-descriptions``...), for rules edited in place."""
    existed = {a.resource for a in before.snap.attachments} if before is not None else set()
    # resources whose route to the internet the side before only assumed (its table not in the
    # plan) and the side after knows: the change decides it, so their exposure is new
    routed: set[str] = set()
    if before is not None:
        public = {a.resource for a in now.snap.attachments if a.public is True or a.public_v6 is True}
        routed = (assumed_routes(before.snap) - assumed_routes(now.snap)) & public
    sites = RuleSites(now, before)
    # what the internet reached of each resource before, by any of its groups or listeners: a
    # resource newly listed by a finding that it already reached on those services is no new reach
    reached: dict[str, "ServiceSet"] = {}
    for e in before.exposures if before is not None else ():
        if e.kind == "resource":
            reached[e.address] = reached[e.address] | e.services if e.address in reached else e.services
    for f in after:
        old = prior.get(f.identity())
        f.introduced = old is None
        if old is not None:
            grown = _grown(old, f, existed, routed, reached)
            if grown:
                f.introduced = True
                f.evidence["grown"] = grown
                # the pull request changed what is reachable, not the rule: point at the
                # resources newly reached too (their lines are the ones it changes)
                new = set(_strings(f.evidence.get("exposed_resources"))) - \
                    set(_strings(old.evidence.get("exposed_resources")))
                where = [str(now.snap.locations[r]) for r in sorted(new) if r in now.snap.locations]
                f.related = tuple(f.related) + tuple(w for w in where if w not in f.related and w != f.location)
        if f.introduced:
            now_services, was = _services(f), _services(old) if old is not None else None
            sites.point_at_change(f, now_services - was if now_services is not None and was is not None else None)
    continued = _services_changed(prior, after, lambda old, f: _grown(old, f, existed, routed, reached)) | \
        _edited_rules(prior, after, checks or {}) | _superseded(prior, after)
    if before is not None:
        continued |= _renamed(prior, after, before, now)
    return continued


def _grown(old: "Finding", f: "Finding", existed: Optional[set] = None, routed: Optional[set] = None,
           reached: Optional[dict] = None) -> str:
    """What the same finding reaches now that it did not before ("" when nothing). ``existed``:
    the resources of the prior side: one of them newly reached is new reach even when another
    stops being reached (a route change that makes a private instance public). ``reached``: what
    the internet reached of each resource before (a bastion open to SSH by its own group, put in
    a second SSH-open group, is not newly reachable)."""
    parts = []
    was = set(_strings(old.evidence.get("exposed_resources")))
    now_exposed = set(_strings(f.evidence.get("exposed_resources")))
    services = _services(f)
    before_reach = reached or {}
    new = sorted(r for r in now_exposed - was
                 if services is None or r not in before_reach or not before_reach[r].issuperset(services))
    # more hosts reachable, or one that was there and private; one renamed or replaced is no more
    if len(new) > len(was - now_exposed) or any(r in (existed or ()) for r in new):
        parts.append(f"now reachable: {', '.join(new)}")
    newly_routed = sorted((routed or set()) & was & now_exposed)
    if newly_routed:
        parts.append(f"now routed to the internet: {', '.join(newly_routed)} (its route, assumed before, is now "
                     "known)")
    # a data store reached through one more internet-facing resource: a new way in (tiering's
    # ``through``), unless one replaced another (a rename, a host launched again)
    was_through = set(_strings(old.evidence.get("through")))
    now_through = set(_strings(f.evidence.get("through")))
    entries = sorted(now_through - was_through)
    if entries and (len(entries) > len(was_through - now_through) or any(r in (existed or ()) for r in entries)):
        parts.append(f"now also through {', '.join(entries)}")
    families = _families(f.evidence.get("sources")) - _families(old.evidence.get("sources"))
    if families:
        parts.append(f"now also from {', '.join(sorted(families))}")
    now, was_services = _services(f), _services(old)
    if now is not None and was_services is not None and not was_services.issuperset(now):
        parts.append(f"now also on {(now - was_services).describe()}")
    size, was_size = f.evidence.get("addresses"), old.evidence.get("addresses")
    if isinstance(size, int) and isinstance(was_size, int) and size > was_size:
        # an exposure budget's finding: more addresses admitted than before (README: a widened
        # exposure is introduced)
        parts.append(f"now admits {count_text(size)} addresses (was {count_text(was_size)})")
    return "; ".join(parts)


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _families(sources: Any) -> set[str]:
    """The kinds of sources: IPv4 blocks, IPv6 blocks, each listener (a rewrite of 0.0.0.0/0 as
    its two halves is the same family)."""
    out = set()
    for s in _strings(sources):
        out.add("the IPv6 internet" if ":" in s else "the IPv4 internet" if "/" in s else s)
    return out


def _services(f: "Finding") -> Optional["ServiceSet"]:
    from ..graph.records import entry_services, evidence_services
    from ..netsets import NO_SERVICES

    found = evidence_services(f.evidence.get("services"))
    if found is not None:
        return found
    # no services in the evidence: the key's text after its subject ("10.0.0.0/8 tcp 0-6379",
    # ServiceSet.describe()), when it reads as services
    text = f.key.split(" ", 1)[1] if " " in f.key else ""
    if text == "all traffic":
        return entry_services("all", "all")
    out = NO_SERVICES
    for part in text.split(", ") if text else ():
        proto, _, ports = part.partition(" ")
        if proto not in ("tcp", "udp", "icmp", "icmpv6") or not ports:
            return None
        out = out | entry_services(proto, ports)
    return out if text else None


def _services_changed(prior: dict[tuple, "Finding"], after: list["Finding"],
                      grown: Any = lambda old, f: "") -> set[tuple]:
    """A finding whose services or source block changed keeps its subject: narrowed (no more
    services, a source block inside the old one: ``10.0.0.0/8`` -> ``10.20.0.0/16``), it is
    existing, unless it reaches what it did not (``grown``: a public instance added to the
    group in the change that drops one of its ports); widened, it is introduced and the old
    one continues in it."""
    by_subject: dict[tuple, list["Finding"]] = {}
    for f in prior.values():
        by_subject.setdefault((f.policy, f.address, f.status), []).append(f)
    continued: set[tuple] = set()
    for f in after:
        if f.identity() in prior:
            continue
        now = _services(f)
        source = f.key.split(" ", 1)[0]
        for old in by_subject.get((f.policy, f.address, f.status), ()):
            was = _services(old)
            if now is None or was is None:
                continue
            within, around = _source_relation(source, old.key.split(" ", 1)[0])
            if within and was.issuperset(now):
                more = grown(old, f)
                f.introduced = bool(more)  # narrowed: what is left was there before, unless it reaches more
                if more:
                    f.evidence["grown"] = more
                continued.add(old.identity())
            elif around and now.issuperset(was):
                continued.add(old.identity())  # widened: introduced, the old one not resolved
    return continued


def _superseded(prior: dict[tuple, "Finding"], after: list["Finding"]) -> set[tuple]:
    """A source widened past one policy's scope into another's (``10.0.0.0/16`` on 5432 becoming
    ``0.0.0.0/0``: TFSG005 ends, TFSG002 begins) is not resolved: an introduced finding of
    another policy on the same subject admits its source and services, and more."""
    now_ids = {f.identity() for f in after}
    wider = [f for f in after if f.introduced and f.status == "violation"]
    if not wider:
        return set()
    continued: set[tuple] = set()
    for ident, old in prior.items():
        if ident in now_ids or old.status != "violation":
            continue
        was = _services(old)
        block = _block(old.key.split(" ", 1)[0])
        if was is None or block is None:
            continue
        for f in wider:
            if f.address != old.address or f.policy == old.policy:
                continue
            now = _services(f)
            sources = [b for b in (_block(s) for s in _strings(f.evidence.get("sources")) or
                                   [f.key.split(" ", 1)[0]]) if b is not None]
            if now is not None and now.issuperset(was) and any(b.issuperset(block) for b in sources) \
                    and not any(b == block for b in sources):
                continued.add(ident)
                break
    return continued


def _block(text: str) -> Any:
    from ..netsets import AddressSet

    try:
        return AddressSet.parse(text)
    except ValueError:
        return None


# Hygiene findings about a property of one rule, keyed by the rule's text: editing the rule in
# place (a narrower source, other ports) changes the key, not whether the finding was there.
_EDITED = ("rule-descriptions", "port-range-width")


def _edited_rules(prior: dict[tuple, "Finding"], after: list["Finding"], checks: dict[str, str]) -> set[tuple]:
    """A rule without a description that the change edits (its source narrowed) still had none:
    existing, paired one for one with a finding of the same policy, subject, group and direction
    that the change ends. A wide port range is existing only when the new one lies inside the
    old (``port-range-width`` keys: ``group direction proto low-high peer``)."""
    if not any(checks.get(f.policy) in _EDITED for f in after):
        return set()
    now_ids = {f.identity() for f in after}
    ended: dict[tuple, list["Finding"]] = {}
    for ident, old in sorted(prior.items()):
        if ident not in now_ids and checks.get(old.policy) in _EDITED:
            ended.setdefault(_bucket(old), []).append(old)
    continued: set[tuple] = set()
    for f in sorted(after, key=lambda f: f.identity()):
        if f.identity() in prior or not f.introduced or checks.get(f.policy) not in _EDITED:
            continue
        olds = ended.get(_bucket(f), [])
        match = next((o for o in olds if checks[f.policy] != "port-range-width" or _inside(f.key, o.key)), None)
        if match is not None:
            olds.remove(match)
            f.introduced = False
            continued.add(match.identity())
    return continued


def _bucket(f: "Finding") -> tuple:
    return (f.policy, f.address, f.status) + tuple(f.key.split(" ")[:2])  # group, direction


def _inside(key: str, was: str) -> bool:
    """``group direction proto low-high peer``: the same protocol and peer, a range inside."""
    a, b = key.split(" "), was.split(" ")
    if len(a) < 5 or len(b) < 5 or a[2] != b[2] or a[4:] != b[4:]:
        return False
    try:
        lo, hi = (int(x) for x in a[3].split("-"))
        was_lo, was_hi = (int(x) for x in b[3].split("-"))
    except ValueError:
        return False
    return was_lo <= lo and hi <= was_hi


def _source_relation(now: str, was: str) -> tuple[bool, bool]:
    """(``now`` within ``was``, ``now`` around ``was``): the same source, or address blocks one
    inside the other; other sources (groups, listeners, the internet) only when equal."""
    if now == was:
        return True, True
    from ..netsets import AddressSet

    try:
        a, b = AddressSet.parse(now), AddressSet.parse(was)
    except ValueError:
        return False, False
    return b.issuperset(a), a.issuperset(b)


def _renamed(prior: dict[tuple, "Finding"], after: list["Finding"], before: "FlowGraph",
             now: "FlowGraph") -> set[tuple]:
    """A group destroyed and one created with the same rules (peers and services) and the same
    members: a rename without ``moved``. Its findings are the old group's, carried over."""
    gone = {g for g in before.snap.groups if g not in now.snap.groups}
    made = {g for g, sg in now.snap.groups.items() if sg.change == "create" and g not in before.snap.groups}
    if not gone or not made:
        return set()
    prints = {g: _print(before, g) for g in gone}
    twins: dict[str, str] = {}
    for g in sorted(made):
        fp = _print(now, g)
        match = [o for o in sorted(gone) if prints[o] == fp]
        if len(match) == 1:
            twins[g] = match[0]
    continued: set[tuple] = set()
    for f in after:
        old_group = twins.get(f.address)
        if old_group is None or not f.introduced:
            continue
        old = prior.get((f.policy, old_group, f.key))
        if old is not None and not _grown(old, f):
            f.introduced = False
            continued.add(old.identity())
    return continued


def _print(graph: "FlowGraph", group: str) -> tuple:
    """A group's rules and members, without its own name (a self reference stays ``self``)."""
    rules = sorted((r.direction, r.services.describe(), r.peer.kind, r.peer.label if r.peer.kind != "self" else "")
                   for r in graph.rules.rules_of.get(group, ()))
    members = sorted(a.resource for a in graph.members.get(group, ()))
    return tuple(rules), tuple(members)
