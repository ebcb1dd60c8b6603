"""Where a finding points (issue 12, "precise evidence"): at what a reviewer changes.

* A rule resource that grants the access: its ``resource`` line.
* An inline rule: its own ``ingress``/``egress`` block (``Snapshot.rule_locations``), chosen
  among the group's rules by the finding's direction, services and source; when the block cannot
  be told, the group's line, and the location is not exact.
* A rule or group made inside a module: the argument of the outermost module call in the root
  module whose literal values hold the finding's CIDR or port, with the rule inside the module
  as a related location; else, for a local module (its files are the repository's), the rule
  itself, with the call related; else the call's line, not exact.
* Anything else: the resource the finding is about.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ..model import Location, Rule, Snapshot

_OUTER_CALL = re.compile(r'^(module\.[^.\[]+)')
_MODULES = re.compile(r'^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)+')


def _peers(evidence: dict[str, Any]) -> set[str]:
    """The sources a finding names (blocks, groups, prefix lists): the rules that grant them are
    where it points. A listener forwarding the internet names none: the blocks that grant it
    admit the load balancer's addresses (or groups)."""
    peers = {str(evidence[k]) for k in ("source", "cidr", "peer") if isinstance(evidence.get(k), str)}
    peers |= {s for s in evidence.get("sources") or () if isinstance(s, str)}
    # an exposure budget's blocks (the groups it also counts are admitted as before)
    peers |= {s for s in evidence.get("cidrs") or () if isinstance(s, str)}
    return set() if any(_forwarder(p) for p in peers) else peers


class Locator:
    """Per snapshot: the inline rules of each group address, indexed once."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self._literal: Optional[set] = None
        self.inline: dict[str, list[Rule]] = {}
        self.written: dict[str, list[Rule]] = {}  # owner (rule resource or group) -> its rules
        for rule in snap.rules:
            self.written.setdefault(rule.defined_by, []).append(rule)
            if rule.inline and rule in snap.rule_locations:
                self.inline.setdefault(rule.defined_by, []).append(rule)

    def locate(self, address: str, defined: list[str], at: Optional[str], evidence: dict[str, Any],
               rule: Optional[Rule] = None) -> tuple[Optional[Location], bool, tuple[str, ...]]:
        """(primary location, exact, related locations as ``file:line`` texts). ``rule``: the one
        rule the finding is about; ``at``: the resource to point at."""
        locations = self.snap.locations
        loc: Optional[Location] = None
        exact = False
        others: tuple[str, ...] = ()  # other blocks that grant the same access
        if rule is not None:
            if rule.inline and rule in self.snap.rule_locations:
                loc, exact = self.snap.rule_locations[rule], True
            elif not rule.inline:
                at = rule.defined_by
        if loc is None and at and at in locations and not (at in self.snap.groups and at in self.inline
                                                           and at in defined):
            loc, exact = locations[at], True  # a group with inline blocks that grant it: the block
        granting = [d for d in sorted(defined) if d != address or d in self.inline]
        if loc is None and len(defined) >= 1:
            # the inline blocks and the rule resources that grant it (for_each instances of one
            # rule resource share its lines), first in file order, the others related
            resources = {locations[d] for d in granting if d in locations and d not in self.snap.groups}
            sites = sorted(set(self._inline_sites(defined, evidence)) | resources, key=lambda s: (s.file, s.line))
            named = _peers(evidence)
            if named:  # the rule resources that grant the sources the finding names, first
                first = {locations[d] for d in granting if d in locations and d not in self.snap.groups
                         and any(r.peer.label in named or r.peer.value in named for r in self.written.get(d, ()))}
                sites = [s for s in sites if s in first] + [s for s in sites if s not in first]
            if at and at in defined and at in self.inline:
                # the blocks of the group asked for (the one that admits it) first
                own = set(self._inline_sites([at], evidence))
                sites = [s for s in sites if s in own] + [s for s in sites if s not in own]
            if sites:
                loc, exact, others = sites[0], True, tuple(str(s) for s in sites[1:])
        if loc is None and at and at in locations:
            loc, exact = locations[at], True
        if loc is None and address in locations:
            # the subject itself: exact when nothing more precise was asked for (a group's name,
            # tags), not when rules grant the access from blocks or resources that cannot be told
            loc, exact = locations[address], not defined
        owner = at or (granting[0] if len(granting) == 1 else address)
        if loc is not None and exact and loc in self._literal_sites() and _in_repository(loc) \
                and _OUTER_CALL.match(owner or ""):
            # a rule a local module writes itself (its CIDR as text in its block): the block,
            # whatever argument of the call happens to hold the same text (one that feeds a tag)
            call = self.snap.call_sites.get(_OUTER_CALL.match(owner).group(1))  # type: ignore[union-attr]
            return loc, True, ((str(call.location),) if call is not None else ()) + others
        loc, exact, related = self._through_call(owner, loc, exact, evidence, tuple(granting),
                                                 rule.direction if rule is not None else None)
        return loc, exact, related + tuple(o for o in others if o not in related)

    def _literal_sites(self) -> set:
        """The blocks that write their rule's peer as text (Snapshot.literal_rules)."""
        if self._literal is None:
            self._literal = {self.snap.rule_locations[r] for r in self.snap.literal_rules
                             if r in self.snap.rule_locations}
        return self._literal

    def _inline_sites(self, defined: list[str], evidence: dict[str, Any]) -> list[Location]:
        from ..graph.records import evidence_services

        wanted = evidence_services(evidence.get("services"))
        peers = _peers(evidence)
        direction = _direction(evidence)
        out: set[Location] = set()
        for d in defined:
            for rule in self.inline.get(d, ()):
                if direction in ("ingress", "egress") and rule.direction != direction:
                    continue
                if wanted is not None and not (rule.services & wanted):
                    continue
                if peers and rule.peer.label not in peers and rule.peer.value not in peers:
                    continue
                out.add(self.snap.rule_locations[rule])
        return sorted(out, key=lambda s: (s.file, s.line))

    def _rule_tokens(self, granting: list[str], evidence: dict[str, Any]) -> tuple[set[str], set[str]]:
        """Literal texts of the granting rules themselves (their CIDRs, their ports): every policy
        that cites one rule made in a module points at the same argument line, whatever its
        evidence holds."""
        from ..graph.records import evidence_services

        wanted = evidence_services(evidence.get("services"))
        strong: set[str] = set()
        weak: set[str] = set()
        for owner in granting:
            for rule in self.written.get(owner, ()):
                if wanted is not None and not (rule.services & wanted):
                    continue
                if rule.peer.kind == "cidr" and not rule.peer.sensitive:
                    strong.add(rule.peer.label)
                for _proto, ports in rule.services.entries():
                    lo, _, hi = ports.partition("-")
                    weak |= {p for p in (lo, hi) if p.isdigit()}
        return strong, weak

    def _through_call(self, owner: str, loc: Optional[Location], exact: bool, evidence: dict[str, Any],
                      granting: tuple[str, ...] = (),
                      direction: Optional[str] = None) -> tuple[Optional[Location], bool, tuple[str, ...]]:
        m = _OUTER_CALL.match(owner or "")
        call = self.snap.call_sites.get(m.group(1)) if m else None
        if call is None:
            return loc, exact, ()
        related = (str(loc),) if loc is not None else ()
        strong, weak = _tokens(evidence)
        extra = self._rule_tokens(list(granting), evidence)  # (only for what a module call made)
        strong, weak = strong | extra[0], weak | extra[1]
        arguments = call.arguments
        fed = self.snap.inputs.get(owner) if owner.count("module.") == 1 else None
        if fed:
            # the arguments that feed the owner (its variables), when the call writes them: the
            # same CIDR written for https_cidrs is not where the SSH rule comes from
            feeding = tuple((name, lines) for name, lines in arguments if name in fed
                            and any((strong | weak) & literals for _, literals in lines))
            # (plan JSON drops dynamic blocks, and with them the variables they read: only an
            # argument that holds the rule's values is taken for its input)
            if feeding:
                arguments = feeding
                if len(feeding) == 1:
                    # within it, the line that holds most of the rule's CIDRs and ports (a map of
                    # rules writes each rule's on its own lines): exact when one line does
                    scored = sorted(((-(2 * len(strong & literals) + len(weak & literals)), i, where)
                                     for i, (where, literals) in enumerate(feeding[0][1])))
                    top = scored[0]
                    unique = top[0] < 0 and (len(scored) == 1 or scored[1][0] > top[0])
                    return top[2], unique or len(scored) == 1, related
        from ..graph.records import evidence_services

        wanted = evidence_services(evidence.get("services"))
        directions = {direction or _direction(evidence)} - {None} or \
            {r.direction for o in granting for r in self.written.get(o, ()) if wanted is None or r.services & wanted}
        if len(directions) == 1:
            # the other direction's argument (``egress_cidr_blocks`` for an ingress finding) may
            # hold the same block: it is not where the finding comes from
            other = "egress" if directions == {"ingress"} else "ingress"
            arguments = tuple((n, lines) for n, lines in arguments if other not in n.lower()) or arguments
        best, score = None, 0
        for _name, lines in arguments:
            # an argument that writes ports, none of them the finding's, is another rule's
            # (`{ port = 5432, cidrs = ["0.0.0.0/0"] }` is not where an SSH rule's 0.0.0.0/0 is)
            written = frozenset().union(*(literals for _, literals in lines))
            if bool(weak) and not (weak & written) and any(t.isdigit() and int(t) < 65536 for t in written):
                continue  # another rule's argument: not even a guess (the call itself is better)
            for where, literals in lines:
                got = 2 * bool(strong & literals) + bool(weak & literals)
                if got > score:
                    best, score = where, got
        if best is not None and (score >= 2 or not strong):
            return best, True, related
        if loc is not None and exact and _in_repository(loc):
            # a local module (its files are the repository's, in the pull request's diff) and no
            # argument of the call holds the finding's values: the rule itself, the call related
            return loc, True, (str(best or call.location),)
        return best or call.location, False, related


def _in_repository(loc: Location) -> bool:
    """A file of the repository, not one Terraform downloaded (``.terraform/modules/...``)."""
    return ".terraform" not in loc.file.replace("\\", "/").split("/")


def _direction(evidence: dict[str, Any]) -> Optional[str]:
    """The direction of the rules a finding is about, when its evidence says (what a group
    admits from sources: its ingress)."""
    direction = evidence.get("direction")
    if direction is None and any(k in evidence for k in ("source", "sources", "cidr", "cidrs", "exposed_resources")):
        return "ingress"
    return direction if direction in ("ingress", "egress") else None


def _forwarder(source: str) -> bool:
    """A finding's source that is a resource forwarding traffic (a load balancer's listener),
    not a block, prefix list or group a rule names."""
    local = _MODULES.sub("", source).split(".", 1)[0] if "." in source else ""
    return local.startswith(("aws_lb", "aws_alb")) or local == "aws_elb"


def _tokens(evidence: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Literal texts of the finding a module argument may hold: CIDRs (strong), ports (weak)."""
    strong = {str(evidence[k]) for k in ("source", "cidr") if isinstance(evidence.get(k), str)}
    strong |= {s for s in evidence.get("sources") or () if isinstance(s, str) and "/" in s}
    weak: set[str] = set()
    for row in evidence.get("services") or []:
        if isinstance(row, dict):
            lo, _, hi = str(row.get("ports", "")).partition("-")
            weak |= {p for p in (lo, hi) if p.isdigit()}
    return strong, weak
