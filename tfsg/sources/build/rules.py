"""What every rule source shares, and the passes over all rules once they are built.

``_add_rule`` turns one permission (protocol, ports, peers) into ``Rule`` values, one per peer;
``peer`` and the helpers below it make CIDR, prefix-list and sensitive peers. Once every source
has been read, ``_revocations`` sets aside the rules an apply revokes and ``_dedupe_rules`` keeps
one rule per AWS permission.
"""

from __future__ import annotations

from typing import Any, Optional

from ...model import Peer, Rule, is_sensitive, shown
from ...netsets import ProtocolError, ServiceSet, normalise_cidr, services_for_rule
from ..instances import Instance
from ..refs import Term, Unk
from .base import BuilderBase


class RulesMixin(BuilderBase):
    """Rules and peers for the inline and standalone rule sources (``inline``, ``rule_resources``)."""

    def _add_rule(self, inst: Instance, group: str, direction: str, protocol: Any, from_port: Any, to_port: Any,
                  peers: list[Peer], description: Any, inline: bool, attribute: str) -> None:
        try:
            services = services_for_rule(protocol, from_port, to_port)
        except ProtocolError as exc:
            self.unknown(inst.addr, attribute, f"rule not understood: {exc}")
            return
        desc = shown(description) if isinstance(description, str) else ""
        # ICMP is IPv4's and ICMPv6 IPv6's: AWS accepts `icmp` from ::/0 (and `icmpv6` from an
        # IPv4 block) but such a rule matches no packet (provider PR #9569)
        protocols = {p for p, _ in services.entries()}
        wrong = ":" if protocols == {"icmp"} else "." if protocols == {"icmpv6"} else None
        for peer in peers:
            if wrong is not None and peer.kind == "cidr" and wrong in str.__str__(peer.value):
                continue
            if peer.kind == "group" and peer.value == group:
                peer = _SELF
            granted = services
            if peer.kind == "prefix_list" and peer.value in self.snap.cloudfront_lists and direction == "ingress":
                # CloudFront connects to an origin on HTTP 80, HTTPS 443 or a custom port in
                # 1024-65535 only (CloudFront developer guide, origin settings "HTTP port",
                # "HTTPS port"): nothing else arrives from its origin-facing servers
                granted = services & CLOUDFRONT_PORTS
                if not granted:
                    continue
            self.snap.rules.append(Rule(group, direction, granted, peer, inst.addr, desc, inline))
        self._check_rule_cap()

    def _check_rule_cap(self) -> None:
        if len(self.snap.rules) > self.rule_cap:
            from ...errors import InputError
            from ...limits import how

            raise InputError(f"more than {self.rule_cap:,} security group rules ({how('rules')})")

    def peer(self, kind: str, value: str, sensitive: bool = False) -> Peer:
        """A peer; a sensitive one is labelled ``(sensitive N)``, never by its value."""
        if not (sensitive or is_sensitive(value)):
            # one object per peer: a large plan names the same blocks and groups from
            # thousands of rules (and rule identities then hash and compare cheaply)
            hit = self._peers.get((kind, value))
            if hit is None:
                hit = self._peers[(kind, value)] = Peer(kind, value)
            return hit
        label = self.labels.get((kind, value))
        if label is None:
            label = self.labels[(kind, value)] = f"(sensitive {len(self.labels) + 1})"
        return Peer(kind, str.__str__(value), label)

    def _cidr_peers(self, inst: Instance, values: list[str], attribute: str,
                    version: Optional[int] = None) -> list[Peer]:
        """``version``: the family the attribute takes (``cidr_blocks`` 4, ``ipv6_cidr_blocks`` 6)."""
        peers = []
        for text in values:
            try:
                peers.append(self.peer("cidr", normalise_cidr(text, version), is_sensitive(text)))
            except ValueError:
                family = f" (an IPv{version} block)" if version else ""
                self.unknown(inst.addr, attribute, f"{shown(text)!r} is not a CIDR block{family}")
        return peers

    def _prefix_peers_of(self, inst: Instance, attr: str, terms: list[Term]) -> list[Peer]:
        """Prefix-list peers from resolved terms; what is unknown is reported on ``attr``."""
        for term in terms:
            if isinstance(term, Unk):
                self.unknown(inst.addr, attr, term.reason)
        unread: list[str] = []
        keys = self._prefix_keys([t for t in terms if not isinstance(t, Unk)], unread)
        for reason in unread:
            self.unknown(inst.addr, attr, reason)
        return [self.peer("prefix_list", k) for k in keys]

    def _revocations(self) -> None:
        """Rules of unchanged rule resources that this apply revokes.

        A group that manages a direction inline is set to exactly its planned list when it is
        updated; a rule that an ``aws_security_group_rule`` (or v5 rule resource) created and
        that the list lacks is revoked, while the rule resource itself is no-op and re-creates it
        only on the next apply (provider docs on mixing inline and rule resources;
        hashicorp/terraform#27674). Such rules move to ``Snapshot.revoked``.
        """
        actions = {i.addr: i.action for i in self.instances}
        updated = {k for k, sg in self.snap.groups.items() if actions.get(k) == "update" and sg.inline}
        if not updated:
            return
        planned = {r.identity() for r in self.snap.rules if r.inline and r.group in updated}
        # the provider revokes what the prior list holds and the planned one lacks (ec2
        # updateSecurityGroupRules: old.Difference(new)); a plan made with -refresh=false has a
        # prior list that may not hold the rule resource's permission: then it stays
        recorded = self.prior.inline_copies if self.prior is not None else set()
        kept = []
        for rule in self.snap.rules:
            if not rule.inline and rule.group in updated and rule.direction in self.snap.groups[rule.group].inline \
                    and actions.get(rule.defined_by) in ("no-op", "update", "forget") \
                    and rule.identity() not in planned \
                    and rule.identity() in recorded:
                self.snap.revoked.append(rule)
                if actions.get(rule.defined_by) == "forget":
                    self.snap.forgotten_rules.add(rule.defined_by)  # gone for good: nothing re-creates it
            else:
                kept.append(rule)
        self.snap.rules = kept

    def _dedupe_rules(self) -> None:
        """One rule per AWS permission; a standalone resource owns it over the group's copy.

        On update plans the group's refreshed ``ingress`` already holds the rules of
        ``aws_security_group_rule`` resources (REFERENCE F, regula#401).
        """
        best: dict[tuple, Rule] = {}
        both: list[Rule] = []  # the configuration's inline block, beside a rule resource granting the same
        for rule in self.snap.rules:
            ident = rule.identity()
            cur = best.get(ident)
            if cur is not None and cur.inline != rule.inline:
                self.snap.inline_copies.add(ident)
                inline = cur if cur.inline else rule
                if self._writes_inline(inline.defined_by, inline.direction):
                    # not AWS's read-back of the rule resource: the configuration writes it too, so
                    # each is a way the permission exists (removing or waiving one leaves the other)
                    both.append(inline)
            if cur is None or (cur.inline and not rule.inline) or \
                    (cur.inline == rule.inline and rule.defined_by < cur.defined_by):
                best[ident] = rule
        spans: dict[ServiceSet, list] = {}  # a few dozen distinct sets among thousands of rules

        def order(r: Rule) -> tuple:
            key = spans.get(r.services)
            if key is None:
                key = spans[r.services] = [p.spans for p in r.services.parts()]
            return (r.group, r.direction, r.peer.kind, r.peer.value, r.defined_by, key)

        kept = {id(r) for r in best.values()}
        extra = list({id(r): r for r in both if id(r) not in kept}.values())  # (each once)
        self.snap.rules = sorted(list(best.values()) + extra, key=order)

    def _writes_inline(self, group: str, direction: str) -> bool:
        """Does the configuration write ``direction`` inline on the group at ``group``?"""
        if self._by_addr is None:
            self._by_addr = {i.addr: i for i in self.instances}
        inst = self._by_addr.get(group)
        return inst is not None and inst.address.mode == "managed" and self._manages_inline(inst, direction)


_SELF = Peer("self")
CLOUDFRONT_PORTS = services_for_rule("tcp", 80, 80) | services_for_rule("tcp", 443, 443) | \
    services_for_rule("tcp", 1024, 65535)
# A description written with a value known only after apply (``"app ${aws_vpc.main.id}"``): there
# will be one, so the rule is not "without a description"
UNKNOWN_DESCRIPTION = "(known after apply)"


def _services_or_none(protocol: Any, from_port: Any, to_port: Any) -> Optional[ServiceSet]:
    """A rule's services when its protocol and ports are readable (scopes its unknowns)."""
    try:
        return services_for_rule(protocol, from_port, to_port)
    except (ProtocolError, TypeError, ValueError):
        return None
