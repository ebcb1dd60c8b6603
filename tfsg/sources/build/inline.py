"""Inline ``ingress``/``egress`` blocks of ``aws_security_group`` and ``aws_default_security_group``.

Plan JSON records each block as an element of a list with its own unknown marks, but its
configuration merges the group references of all blocks into one list (REFERENCE A.6) and drops
``dynamic`` blocks. The .tf sources (``InlineHints``) give each block exactly; without them an
element is read from what plan JSON tells, and what is assumed is reported.
"""

from __future__ import annotations

from typing import Any, Optional, Protocol

from ...model import Peer, shown
from ...netsets import ProtocolError, services_for_rule
from ..instances import Instance
from ..refs import Lit, Term
from .base import BuilderBase
from .rules import _SELF, UNKNOWN_DESCRIPTION, _services_or_none
from .terms import _as_list

_INLINE_KEYS = ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups", "self",
                "protocol", "from_port", "to_port")
_SOURCE_KEYS = ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups")


class InlineHints(Protocol):
    """What the .tf sources tell about inline rule blocks that plan JSON collapses (see tfsource)."""

    def inline_blocks(self, instance: Instance, direction: str) -> Optional[list[dict]]: ...

    def has_dynamic(self, instance: Instance, direction: str) -> bool: ...


class InlineRulesMixin(BuilderBase):
    """Rules of a group's inline blocks (``self.hints``: the blocks as the .tf sources give them)."""

    def _manages_inline(self, inst: Instance, direction: str) -> bool:
        """Does the configuration manage the direction inline (blocks, ``= []``, a dynamic block,
        which plan JSON drops but the sources show)? Omitted, the argument is Optional+Computed:
        "not managed" (REFERENCE B.1)."""
        if not self.config.present:
            return False
        if self.config.written(inst.address, direction):
            return True
        return self.hints is not None and self.hints.has_dynamic(inst, direction)

    def _inline_rules(self, inst: Instance, direction: str) -> None:
        group = inst.addr
        known, elements = self.value(inst, (direction,))
        written = self._manages_inline(inst, direction) or not self.config.present
        hinted: Optional[list[dict]] = None
        mask = inst.unknown.get(direction) if isinstance(inst.unknown, dict) else None
        # a rule whose protocol the plan does not know stands for the blocks of a dynamic block
        # over a value only apply knows (a ``try()`` around it): the plan cannot even count them
        placeholder = known and isinstance(mask, list) and any(isinstance(m, dict) and m.get("protocol") is True
                                                                 for m in mask)
        if self.hints is not None and (not known or placeholder or _has_unknown_groups(inst.unknown, direction)):
            hinted = self.hints.inline_blocks(inst, direction)  # parses HCL only when needed
        if placeholder and hinted is not None and not any(b.get("unresolved") for b in hinted):
            for block in hinted:  # the .tf files evaluate them: the blocks as they will be
                self._inline_element(inst, direction, block["element"], block.get("mask"), block, hinted)
            return
        if not known:
            expr = self.config.expression(inst.address, (direction,))
            if expr is not None and isinstance(expr.get("constant_value"), list):
                elements, known = expr["constant_value"], True
            elif hinted is not None and not any(b.get("unresolved") for b in hinted):
                for block in hinted:
                    self._inline_element(inst, direction, block["element"], block.get("mask"), block, hinted)
                return
            elif not written and inst.action in ("create", "replace"):
                # Omitted: AWS creates no inbound rules, and Terraform revokes the default
                # allow-all egress on creation (REFERENCE B.1), so the group starts empty.
                return
            elif inst.action == "import":  # an import block: it has in AWS what it does not write
                self.unknown(group, direction, f"imported (an import block) without {direction} written: the rules "
                             "it has in AWS are not in the .tf files (a plan shows them)")
                return
            else:
                self.unknown(group, direction, f"the {direction} rules are known only after apply")
                return
        if not isinstance(elements, list):
            return
        for i, element in enumerate(elements):
            if not isinstance(element, dict):
                continue
            element_mask = mask[i] if isinstance(mask, list) and i < len(mask) else {}
            if inst.partial:  # planned_values: an absent key is an unknown one
                element_mask = {k: True for k in _INLINE_KEYS if k not in element}
            self._inline_element(inst, direction, element, element_mask, None, hinted,
                                 managed=written)

    def _inline_element(self, inst: Instance, direction: str, element: dict, mask: Any,
                        block: Optional[dict], hinted: Optional[list[dict]], managed: bool = True) -> None:
        attr = direction
        mask = mask if isinstance(mask, dict) else {}
        if block is None and hinted and any(mask.get(k) is True for k in _SOURCE_KEYS):
            # Part of the element is unknown in plan JSON (a reference in a multi-source block):
            # the source block it came from says what it is.
            match = _match_block(element, hinted)
            if match is not None and not match.get("unresolved"):
                element, mask = dict(element), dict(mask)
                for key in ("cidr_blocks", "ipv6_cidr_blocks"):
                    if mask.get(key) is True and not match["mask"].get(key) and key in match["element"]:
                        element[key], mask[key] = match["element"][key], False
                block = match
        for key in ("protocol", "from_port", "to_port"):
            if mask.get(key) is True:
                self.unknown(inst.addr, attr, f"an {direction} rule's {key} is known only after apply")
                return
        self._services = _services_or_none(element.get("protocol"), element.get("from_port"), element.get("to_port"))
        peers: list[Peer] = []
        for key in ("cidr_blocks", "ipv6_cidr_blocks"):
            if mask.get(key) is True:
                self.unknown(inst.addr, attr, f"an {direction} rule's {key} is known only after apply")
            else:
                peers += self._cidr_peers(inst, [v for v in _as_list(element.get(key)) if isinstance(v, str)], attr,
                                          6 if key.startswith("ipv6") else 4)
        if block is not None and (block.get("prefix_terms") or mask.get("prefix_list_ids") is True):
            peers += self._prefix_peers_of(inst, attr, block.get("prefix_terms") or [])
        elif mask.get("prefix_list_ids") is True:
            self.unknown(inst.addr, attr, f"an {direction} rule's prefix_list_ids are known only after apply")
        else:
            peers += [self.peer("prefix_list", self._list_key(p))
                      for p in _as_list(element.get("prefix_list_ids")) if isinstance(p, str)]
        if mask.get("self") is not True and element.get("self") is True:
            peers.append(_SELF)
        if block is not None:  # from the .tf sources
            peers += self._block_group_peers(inst, direction, block)
        elif mask.get("security_groups") is True:
            peers += self._collapsed_group_peers(inst, direction, element, hinted)
        else:
            for sg in _as_list(element.get("security_groups")):
                group_key = self._group_from_text(sg, "ids") if isinstance(sg, str) else None
                if group_key:
                    peers.append(self.peer("group", group_key))
                else:
                    self.unknown(inst.addr, attr, f"{shown(sg)!r} is not a security group id")
        if not managed and self.prior is not None:
            # the group's refreshed copy of a rule a rule resource owned: that resource decides
            # (same permission: protocol and ports too; a console rule from the same source stays)
            owned = self._prior_standalone()
            peers = [p for p in peers if (inst.addr, direction, self._services, p) not in owned]
        description = UNKNOWN_DESCRIPTION if mask.get("description") is True else element.get("description")
        self._add_rule(inst, inst.addr, direction, element.get("protocol"), element.get("from_port"),
                       element.get("to_port"), peers, description, True, attr)
        self._services = None

    def _collapsed_group_peers(self, inst: Instance, direction: str, element: dict,
                               hinted: Optional[list[dict]]) -> list[Peer]:
        """Group references of one inline block whose ids are unknown until apply.

        Plan JSON merges the references of every ``ingress`` block into one list (REFERENCE
        A.6). With the .tf sources the block is matched by its literal fields; without them
        every group the attribute references is assumed, and that is reported.
        """
        match = _match_block(element, hinted) if hinted else None
        if match is not None:
            return self._block_group_peers(inst, direction, match)
        expr = self.config.expression(inst.address, (direction,))
        if expr is None:
            self.unknown(inst.addr, direction, f"an {direction} rule references groups known only after apply")
            return []
        merged = (inst.addr, direction)  # the same merged list for every block of the group
        if merged not in self._merged_refs:
            self._merged_refs[merged] = self.group_keys(self.resolver.expression(expr, self.context(inst)))
        keys, unk = self._merged_refs[merged]
        if len(keys) > 1:
            ports = _element_ports(element)
            self.unknown(inst.addr, direction,
                         f"plan JSON merges the group references of all {direction} blocks; the block on {ports} "
                         f"is assumed to allow each of {', '.join(keys)} "
                         "(give the .tf sources with --source to be exact)")
        for reason in unk:
            self.unknown(inst.addr, direction, reason)
        return [self.peer("group", k) for k in keys]

    def _block_group_peers(self, inst: Instance, direction: str, block: dict) -> list[Peer]:
        refs = block.get("group_refs") or []
        terms: list[Term] = self.resolver.references(refs, self.context(inst)) if refs else []
        terms += block.get("group_terms") or []
        terms += [Lit(text) for text in block.get("group_literals") or []]
        keys, unk = self.group_keys(terms)
        for reason in unk:
            self.unknown(inst.addr, direction, reason)
        return [self.peer("group", k) for k in keys]

    def _prior_standalone(self) -> set[tuple]:
        """Rules the before side's rule resources own (a group's refreshed copy must not outlive
        them), by identity: group, direction, services, peer."""
        if self._owned is None:
            self._owned = set()
            for r in (self.prior.rules if self.prior else []):
                if r.inline:
                    continue
                self._owned.add(r.identity())
                known = self.prior.groups.get(r.peer.value) if r.peer.kind == "group" and self.prior else None
                if known is not None and known.id:  # the copy names a group deleted here by its id
                    self._owned.add((r.group, r.direction, r.services, Peer("group", known.id)))
        return self._owned


def _has_unknown_groups(mask: Any, direction: str) -> bool:
    """Does after_unknown mark a source (group, prefix list, CIDR) inside an inline block unknown?"""
    if not isinstance(mask, dict):
        return mask is True
    inner = mask.get(direction)
    if inner is True:
        return True
    return isinstance(inner, list) and any(isinstance(m, dict) and any(m.get(k) for k in _SOURCE_KEYS)
                                           for m in inner)


def _element_ports(element: dict) -> str:
    try:
        return services_for_rule(element.get("protocol"), element.get("from_port"), element.get("to_port")).describe()
    except ProtocolError:
        return "an unparsed port range"


def _match_block(element: dict, blocks: Optional[list[dict]]) -> Optional[dict]:
    """The source block an inline element came from, by its literal fields; None if not unique."""
    if not blocks:
        return None
    candidates = []
    for block in blocks:
        lit = block.get("literal") or {}
        ok = True
        for key in ("protocol", "from_port", "to_port", "description", "self"):
            if key not in lit:
                continue
            a, b = lit[key], element.get(key)
            if key == "protocol":
                a, b = _proto(a), _proto(b)
            elif key == "description":
                a, b = a or "", b or ""
            elif key in ("from_port", "to_port"):
                a, b = str(a), str(b)
            elif key == "self":
                a, b = bool(a), bool(b)
            if a != b:
                ok = False
                break
        if ok:
            candidates.append(block)
    return candidates[0] if len(candidates) == 1 else None


def _proto(value: Any) -> str:
    from ...netsets import normalise_protocol
    try:
        return normalise_protocol(value)
    except ProtocolError:
        return str(value)
