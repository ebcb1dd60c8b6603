"""The rules of a snapshot indexed by group, direction and peer, and the reach numbers.

``refs[direction][group][other]``: rules of ``group`` naming ``other`` (a group reference, or
``self``); ``cidrs[direction][group]``: ``(rule, addresses, label)`` for CIDR and prefix-list
rules (a prefix list whose entries the plan does not hold is an explicit unknown and counts as
no address).
"""

from __future__ import annotations

from typing import Optional

from ..model import Rule, Snapshot, Unknown
from ..netsets import AddressSet, union_all
from .records import Reach


class RuleIndex:
    def __init__(self, snap: Snapshot, unknowns: list[Unknown]) -> None:
        self.snap = snap
        self.rules_of: dict[str, list[Rule]] = {}
        for rule in snap.rules:
            self.rules_of.setdefault(rule.group, []).append(rule)
        self.refs: dict[str, dict[str, dict[str, list[Rule]]]] = {"ingress": {}, "egress": {}}
        self.cidrs: dict[str, dict[str, list[tuple[Rule, AddressSet, str]]]] = {"ingress": {}, "egress": {}}
        # Labels of address blocks derived from sensitive values: their addresses, prefix
        # lengths and sizes are never shown (only a placeholder label is).
        self.sensitive_labels: set[str] = set()
        self._list_blocks: Optional[dict[str, AddressSet]] = None  # see list_blocks
        parsed: dict[str, AddressSet] = {}  # a large plan repeats a few blocks thousands of times
        for rule in snap.rules:
            peer = rule.peer
            if peer.kind in ("group", "self"):
                other = rule.group if peer.kind == "self" else peer.value
                self.refs[rule.direction].setdefault(rule.group, {}).setdefault(other, []).append(rule)
            elif peer.kind == "cidr":
                block = parsed.get(peer.value)
                if block is None:
                    block = parsed[peer.value] = AddressSet.parse(peer.value)
                self.cidrs[rule.direction].setdefault(rule.group, []).append((rule, block, peer.label))
                if peer.sensitive:
                    self.sensitive_labels.add(peer.label)
            elif peer.kind == "prefix_list":
                if peer.sensitive or peer.value in snap.sensitive_prefix_lists:
                    self.sensitive_labels.add(peer.label)
                entries = snap.prefix_lists.get(peer.value)
                if entries is None:
                    # per rule (its direction and services): one list named on ingress and on
                    # egress is two unknowns a reader must tell apart
                    unknowns.append(Unknown(rule.defined_by, "prefix_list",
                                            f"the entries of prefix list {peer.label} ({rule.direction} on "
                                            f"{rule.services.describe()}) are not known: its addresses are unknown",
                                            (rule.direction, rule.group), rule.services))
                    entries = AddressSet()
                elif peer.value in snap.partial_prefix_lists:
                    # it holds at least the known entries (used), and more that only AWS knows
                    unknowns.append(Unknown(rule.defined_by, "prefix_list",
                                            f"{snap.partial_prefix_lists[peer.value]} ({rule.direction} on "
                                            f"{rule.services.describe()}): it admits at least the known ones",
                                            (rule.direction, rule.group), rule.services))
                protocols = {p for p, _ in rule.services.entries()}
                if protocols in ({"icmp"}, {"icmpv6"}):
                    # ICMP is IPv4's and ICMPv6 IPv6's: from a list's entries of the other family
                    # no packet matches (as for CIDR rules: sources/build/rules.py)
                    entries = AddressSet(v4=entries.v4) if protocols == {"icmp"} else AddressSet(v6=entries.v6)
                    if not entries:
                        continue
                self.cidrs[rule.direction].setdefault(rule.group, []).append((rule, entries, peer.label))

    def list_blocks(self) -> dict[str, AddressSet]:
        """The addresses of each prefix list the rules name, by its label (computed once)."""
        if self._list_blocks is None:
            self._list_blocks = {label: block for direction in ("ingress", "egress")
                                 for entries in self.cidrs[direction].values()
                                 for rule, block, label in entries if rule.peer.kind == "prefix_list"}
        return self._list_blocks

    def reach(self, group: str, direction: str, members: dict) -> Reach:
        """The size of what a group admits (ingress) or may send to (egress)."""
        entries = self.cidrs[direction].get(group, ())
        blocks = union_all(block for _, block, _ in entries)  # n log n over thousands of blocks
        sensitive = any(label in self.sensitive_labels for _, _, label in entries)
        r = Reach(addresses=None if sensitive else blocks.count())
        for other in self.refs[direction].get(group, {}):
            r.groups += 1
            r.members += len(members.get(other, []))
            if other not in self.snap.groups:
                r.unknown_members = True
        return r
