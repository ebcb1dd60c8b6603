"""Standalone rule resources: ``aws_security_group_rule`` and ``aws_vpc_security_group_{ingress,egress}_rule``.

Each belongs to the one group its ``security_group_id`` names, and gives one rule per CIDR
block, prefix list, ``self`` and source group it names.
"""

from __future__ import annotations

from typing import Any, Optional

from ...model import Peer, shown
from ..instances import Instance
from ..refs import ANY_OF, Lit, Unk
from .base import BuilderBase
from .rules import _SELF, UNKNOWN_DESCRIPTION, _services_or_none

RULE_TYPES = ("aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule")


class RuleResourcesMixin(BuilderBase):
    """Rules of the standalone rule resources."""

    def _rule_groups(self, inst: Instance) -> list[str]:
        """The group a rule resource is on; several when the plan names a known set of them
        without saying which (``g[each.value.group]``: one of this plan's groups, each of which
        takes the rule, fail closed, beside an unknown that says so); none when it cannot tell."""
        keys, unk = self.group_keys(self.terms(inst, ("security_group_id",)))
        if len(keys) == 1 and not unk:
            return keys
        if len(keys) > 1 and any(u.endswith(ANY_OF) for u in unk):
            self.unknown(inst.addr, "security_group_id", f"one of {', '.join(keys)} (taken to be on each): "
                         + "; ".join(unk))
            return keys
        if len(keys) == 1:
            return keys
        reason = "; ".join(unk) if unk else ("refers to several groups" if keys else "no group found")
        self.unknown(inst.addr, "security_group_id", f"cannot tell which group the rule belongs to: {reason}")
        return []

    def _classic_rule(self, inst: Instance) -> None:
        for group in self._rule_groups(inst):
            self._classic_rule_on(inst, group)

    def _classic_rule_on(self, inst: Instance, group: str) -> None:
        known, direction = self.value(inst, ("type",))
        self._scope = (direction if direction in ("ingress", "egress") else "group", group)
        if not known or direction not in ("ingress", "egress"):
            self.unknown(inst.addr, "type", "rule type is known only after apply" if not known
                         else f"rule type {shown(direction)!r} is neither ingress nor egress")
            return
        proto = self._scalar(inst, "protocol")
        if proto is None:
            return
        from_port, to_port = self._port(inst, "from_port"), self._port(inst, "to_port")
        self._services = _services_or_none(proto, from_port, to_port)
        peers = self._address_peers(inst, ("cidr_blocks", "ipv6_cidr_blocks"), "prefix_list_ids")
        known, self_flag = self.value(inst, ("self",))
        if known and self_flag is True:
            peers.append(_SELF)
        # source_security_group_id is Optional+Computed: unknown at create even when unused.
        if not peers or self.config.written(inst.address, "source_security_group_id") or \
                self.value(inst, ("source_security_group_id",))[1]:
            peers += self._group_peers(inst, "source_security_group_id")
        if not peers and not any(u.address == inst.addr for u in self.snap.unknowns[-6:]):
            self.unknown(inst.addr, "source_security_group_id", "the rule names no source or destination tfsg can read")
        self._add_rule(inst, group, direction, proto, from_port, to_port,
                       peers, self._description(inst), False, "protocol")

    def _vpc_rule(self, inst: Instance) -> None:
        for group in self._rule_groups(inst):
            self._vpc_rule_on(inst, group)

    def _vpc_rule_on(self, inst: Instance, group: str) -> None:
        direction = "ingress" if inst.type.endswith("ingress_rule") else "egress"
        self._scope = (direction, group)
        proto = self._scalar(inst, "ip_protocol")
        if proto is None:
            return
        from_port, to_port = self._port(inst, "from_port"), self._port(inst, "to_port")
        self._services = _services_or_none(proto, from_port, to_port)
        peers = self._address_peers(inst, ("cidr_ipv4", "cidr_ipv6"), "prefix_list_id")
        peers += self._group_peers(inst, "referenced_security_group_id")
        if not peers and not any(u.address == inst.addr for u in self.snap.unknowns[-4:]):
            self.unknown(inst.addr, "cidr_ipv4", "the rule's source or destination is known only after apply")
        self._add_rule(inst, group, direction, proto, from_port, to_port,
                       peers, self._description(inst), False, "ip_protocol")

    def _address_peers(self, inst: Instance, cidr_attrs: tuple[str, str], prefix_attr: str) -> list[Peer]:
        """CIDR and prefix-list peers of a standalone rule resource."""
        peers: list[Peer] = []
        for attr, version in zip(cidr_attrs, (4, 6)):
            texts = self.known_strings(inst, attr)
            unk: list[tuple[str, Optional[int]]] = []
            if texts is None:
                texts, unk = self._cidr_terms(inst, attr)
            peers += self._cidr_peers(inst, texts, attr, version)
            for reason, prefix in unk:
                self.unknown(inst.addr, attr, reason, block=None if prefix is None else (version, prefix))
        return peers + self._prefix_peers(inst, prefix_attr)

    def _cidr_terms(self, inst: Instance, attr: str) -> tuple[list[str], list[tuple[str, Optional[int]]]]:
        """The known CIDR texts of an attribute the plan leaves unknown, and its unknowns with
        the prefix length the configuration writes, if any. Plan JSON records only the
        references of ``"${aws_eip.nat.public_ip}/32"``; the sources (when beside it) say the
        block is a /32, which is never the internet."""
        terms = self.terms(inst, (attr,), optional=True)
        bounded = [t for t in terms if isinstance(t, Unk) and t.prefix is not None]
        texts, unk = self.strings([t for t in terms if t not in bounded], "cidr_block")
        out: list[tuple[str, Optional[int]]] = [(r, None) for r in unk] + [(t.reason, t.prefix) for t in bounded]
        if unk and self.sources is not None:
            said = self.sources.terms(inst.address, (attr,), unknowns=True)
            if said and all(isinstance(t, Lit) or (isinstance(t, Unk) and t.prefix is not None) for t in said):
                texts, _ = self.strings([t for t in said if isinstance(t, Lit)], "cidr_block")
                out = [(t.reason, t.prefix) for t in said if isinstance(t, Unk)]
        return texts, out

    def _group_peers(self, inst: Instance, attr: str) -> list[Peer]:
        keys, unk = self.group_keys(self.terms(inst, (attr,), optional=True))
        for reason in unk:
            self.unknown(inst.addr, attr, reason)
        return [self.peer("group", k) for k in keys]

    def _prefix_peers(self, inst: Instance, attr: str) -> list[Peer]:
        known, val = self.value(inst, (attr,))
        if known and not val:
            return []  # none (most rules)
        return self._prefix_peers_of(inst, attr, self.terms(inst, (attr,), optional=True))

    def _description(self, inst: Instance) -> Any:
        known, text = self.value(inst, ("description",))
        return text if known else UNKNOWN_DESCRIPTION  # written, known at apply: not missing

    def _scalar(self, inst: Instance, attr: str) -> Any:
        texts = self.known_strings(inst, attr)
        unk: list[str] = []
        if texts is None:
            texts, unk = self.strings(self.terms(inst, (attr,)))
        if unk or len(texts) != 1:
            self.unknown(inst.addr, attr, "; ".join(unk) or f"{attr} is known only after apply")
            return None
        return texts[0]

    def _port(self, inst: Instance, attr: str) -> Any:
        known, val = self.value(inst, (attr,))
        if known:
            return val
        texts, _ = self.strings(self.terms(inst, (attr,), optional=True))
        return texts[0] if len(texts) == 1 else None
