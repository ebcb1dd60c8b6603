"""Every rule source (a group's inline rules, a rule resource) read in plan order.

A large plan's second half is read in a forked child meanwhile (tfsg/forked.py): the same code
on a copy-on-write copy of this builder, whose additions to the snapshot come back pickled and
are appended in order, so the snapshot is the one reading them all here would give. Anything
else the child changes (a sensitive value's label, numbered across the plan) makes the parent
read that half itself.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from ...model import Rule, Unknown, is_outside_group
from ..instances import Instance
from .base import BuilderBase
from .groups import GROUP_TYPES

# From this many groups and rule resources, a second process reads half of them (forked.py).
RULES_ASIDE_SIZE = 4000
# What reading rules may add to in the child without changing what the parent goes on to do:
# memos of pure lookups, the shared per-instance scratch, and produced (sent back).
_BUILDER_CACHES = frozenset({"_peers", "_contexts", "_indexes", "_merged_refs", "_by_addr", "_owned", "_regions",
                             "produced", "_scope", "_services", "snap"})


def _size(value: Any) -> Any:
    return len(value) if isinstance(value, (list, set, dict)) else id(value)



class SourcesSplitMixin(BuilderBase):
    """The rule sources of one side, in order."""

    def _rule_sources_split(self, sources: list[Instance]) -> None:
        """The rules of every group and rule resource, in plan order; a large plan's second half
        read by a forked child meanwhile (forked.py), the same code on a copy of this builder."""
        from ...forked import Forked, forced, wanted

        half = len(sources) // 2 if len(sources) >= (2 if forced() else RULES_ASIDE_SIZE) else 0
        if self.hints is not None or self.sources is not None:
            half = 0  # the .tf sources load and record problems (and secrets) as they are read: in line
        handle = None
        if half and wanted():
            parent = os.getpid()
            handle = Forked(lambda: self._rule_sources_aside(sources[half:]) if os.getpid() != parent else None)
        if handle is None:
            self._rule_sources(sources)
            return
        self._rule_sources(sources[:half])
        got = handle.result()
        if got is None:  # the child could not (or must not: see _rule_sources_aside)
            self._rule_sources(sources[half:])
            return
        added, produced = got
        for name, value in added.items():
            field = getattr(self.snap, name)
            if isinstance(field, list):
                field += value
            else:
                field.update(value)
        self.produced.update(produced)
        self._check_rule_cap()

    def _rule_sources_aside(self, sources: list[Instance]) -> Optional[tuple]:
        """In the child: read ``sources`` and return what they added to the snapshot (list tails,
        new set members, new or replaced dict entries, by field) and ``produced``. None when
        reading them changed anything else of the builder's but its caches (a sensitive value's
        label counts up across the whole plan, say): the parent then reads them itself, in order."""
        snap = self.snap
        fields = dict(vars(snap))
        kept: dict[str, Any] = {name: (len(v) if isinstance(v, list) else set(v) if isinstance(v, set)
                       else {k: (x, _size(x)) for k, x in v.items()} if isinstance(v, dict) else v)
                for name, v in fields.items()}
        own = {name: _size(v) for name, v in vars(self).items() if name not in _BUILDER_CACHES}
        self._rule_sources(sources)
        if {name: _size(v) for name, v in vars(self).items() if name not in _BUILDER_CACHES} != own:
            return None
        added: dict[str, Any] = {}
        for name, value in vars(snap).items():
            if name not in kept or value is not fields[name]:
                return None  # a field set or replaced, not added to
            old = kept[name]
            if isinstance(value, list):
                if len(value) != old:
                    added[name] = value[old:]
            elif isinstance(value, set):
                if len(value) != len(old):
                    added[name] = value - old
            elif isinstance(value, dict):
                if any(k not in value or value[k] is not x or _size(x) != n for k, (x, n) in old.items()):
                    return None  # an entry replaced or grown in place: the parent's may have grown too
                if len(value) != len(old):
                    added[name] = {k: v for k, v in value.items() if k not in old}
            elif value is not old:
                return None
        return added, {inst.addr: self.produced[inst.addr] for inst in sources if inst.addr in self.produced}

    def _rule_sources(self, sources: list[Instance]) -> None:
        for inst in sources:
            if inst.address.module:
                self.snap.inputs[inst.addr] = self.config.inputs(inst.address)
            reused = self._reusable(inst)
            if reused is not None:
                self.snap.rules += reused[0]
                self.snap.unknowns += reused[1]
                self.produced[inst.addr] = reused
                continue
            first_rule, first_unknown = len(self.snap.rules), len(self.snap.unknowns)
            if inst.type in GROUP_TYPES:
                for direction in ("ingress", "egress"):
                    self._scope = (direction, inst.addr)
                    self._inline_rules(inst, direction)
            else:
                self._scope = ("all", "")  # until the rule's group is known
                if inst.type == "aws_security_group_rule":
                    self._classic_rule(inst)
                else:
                    self._vpc_rule(inst)
            self._scope, self._services = ("all", ""), None
            self.produced[inst.addr] = (self.snap.rules[first_rule:], self.snap.unknowns[first_unknown:])

    def _reusable(self, inst: Instance) -> Optional[tuple[list[Rule], list[Unknown]]]:
        """The other side's rules for an unchanged instance, when they must be the same.

        A no-op instance has identical values on both sides; its rules are the same unless a
        group it names is resolved differently (one that is deleted or replaced), and a
        group's inline rules are the same only when the configuration manages them.
        """
        if inst.action != "no-op" or inst.addr not in self.reuse:
            return None
        if inst.type in GROUP_TYPES and not (self.config.written(inst.address, "ingress")
                                              and self.config.written(inst.address, "egress")):
            return None
        rules, unknowns = self.reuse[inst.addr]
        groups = self.snap.groups
        for rule in rules:
            if rule.group not in groups or (rule.peer.kind == "group" and "." in rule.peer.value
                                            and rule.peer.value not in groups):
                return None
            if rule.peer.kind == "group" and is_outside_group(rule.peer.value) and \
                    rule.peer.value.rsplit("/", 1)[-1] in self.id_to_group:
                return None
        return rules, unknowns

