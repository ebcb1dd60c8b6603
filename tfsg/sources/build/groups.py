"""VPCs and security groups, and group references resolved to group keys.

A group's key is its address when the plan manages it (``aws_security_group.web``), the key
``services`` gives a group AWS creates, else its ``sg-`` id (a group outside the plan, or one
read through a data source). ``group_keys`` turns the terms of any argument that names groups
(rule sources, attachments) into keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Optional

from ...model import SENSITIVE, SecurityGroup, SensitiveStr, WholeMark, group_id, is_sensitive, shown
from ...netsets import AddressSet
from ..instances import Instance
from ..refs import ConfigIndex, Lit, Res, Term
from .base import BuilderBase
from .terms import _cidr_set

GROUP_TYPES = ("aws_security_group", "aws_default_security_group")
_SG_ID = re.compile(r"\b(sg-[0-9a-zA-Z]+)\b")


class GroupsMixin(BuilderBase):
    """Fills ``snap.vpcs``, ``snap.groups`` and the id/name indexes, and reads group references."""

    def _vpc(self, inst: Instance) -> None:
        cidrs = AddressSet()
        for attr in ("cidr_block", "ipv6_cidr_block"):
            known, val = self.value(inst, (attr,))
            if known and isinstance(val, str) and val:
                cidrs = cidrs | _cidr_set(val)
        if cidrs:
            self.snap.vpcs[inst.addr] = cidrs
        if inst.type == "aws_vpc" and inst.address.mode == "managed" and inst.action in ("create", "replace"):
            self.snap.new_vpcs.add(inst.addr)
        known, default = self.value(inst, ("default_security_group_id",))
        if known and isinstance(default, str) and default.startswith("sg-"):
            self.snap.vpc_default_groups[inst.addr] = default
        known, ident = self.value(inst, ("id",))
        if known and isinstance(ident, str) and ident:
            self.vpc_ids[ident] = inst.addr

    def _secondary_cidr(self, inst: Instance) -> None:
        """A block associated with a VPC after it was made (VPC user guide, "Add or remove a CIDR
        block from your VPC"): the local route covers it too."""
        vpc = self._vpc_key(inst)
        if vpc is None or vpc not in self.snap.vpcs:
            return
        for attr in ("cidr_block", "ipv6_cidr_block"):
            known, val = self.value(inst, (attr,))
            if known and isinstance(val, str) and val:
                self.snap.vpcs[vpc] = self.snap.vpcs[vpc] | _cidr_set(val)
            elif not known and (attr == "cidr_block") == (inst.type == "aws_vpc_ipv4_cidr_block_association"):
                self.snap.partial_vpcs.add(vpc)  # an IPAM pool's block: where it is, only apply knows

    def _vpc_key(self, inst: Instance) -> Optional[str]:
        terms = self.terms(inst, ("vpc_id",), optional=True)
        for _ in range(4):  # vpc_id = aws_subnet.a.vpc_id (or a data source looking it up): its VPC's
            for term in terms:
                if isinstance(term, Res) and term.instance.type in ("aws_vpc", "aws_default_vpc"):
                    return term.instance.addr
            via = [t for t in terms if isinstance(t, Res) and t.attr == ("vpc_id",)]
            if len(via) != 1 or len(terms) != 1:
                break
            terms = self.terms(via[0].instance, ("vpc_id",), optional=True)
        texts, _ = self.strings(terms)
        for text in texts:
            return self.vpc_ids.get(text, text)
        return None

    def _group(self, inst: Instance) -> None:
        addr = inst.addr
        if inst.address.mode == "data":
            known, ident = self.value(inst, ("id",))
            if known and isinstance(ident, str):
                self.id_to_group.setdefault(ident, ident)
                known, name = self.value(inst, ("name",))
                if known and isinstance(name, str):
                    self.name_to_group.setdefault(name, []).append(ident)
            return
        known, ident = self.value(inst, ("id",))
        ident = ident if known and isinstance(ident, str) else None
        if ident:
            self.id_to_group[ident] = addr
        known, name = self.value(inst, ("name",))
        name = name if known and isinstance(name, str) else None
        if name:
            self.name_to_group.setdefault(name, []).append(addr)
            self._group_instances[addr] = inst
        prefix = None
        if name is None and not known and inst.type == "aws_security_group":
            # name_prefix, or no name: the provider makes one when applying, the prefix (its own
            # "terraform-" when none is written) followed by a 26-character unique id
            unset = self.setting(inst, ("name",)) == (True, None)  # (a name only apply knows: no prefix)
            known_prefix, prefix = self.setting(inst, ("name_prefix",)) if unset else (False, None)
            prefix = "terraform-" if known_prefix and prefix is None else prefix
            if not isinstance(prefix, str):
                prefix = None  # (a name only apply knows is no unknown: the plan has no value either)
        vpc = self._vpc_key(inst)
        if ident is None and inst.type == "aws_default_security_group":
            ident = self._adopted_id(inst)
            if ident:
                self.id_to_group[ident] = addr
        known, desc = self.value(inst, ("description",))
        tag_items = self._tags(inst)
        inline = tuple(d for d in ("ingress", "egress") if self._manages_inline(inst, d))
        self.snap.groups[addr] = SecurityGroup(
            key=addr, address=addr, id=ident, name=shown(name), vpc_id=vpc,
            description=shown(desc) if known and isinstance(desc, str) else None,
            change=inst.action, default=inst.type == "aws_default_security_group", tags=tag_items,
            inline=inline, name_prefix=shown(prefix) if prefix is not None else None,
            unmanaged=tuple(d for d in ("ingress", "egress") if d not in inline and self._can_tell_inline()))

    def _tags(self, inst: Instance) -> tuple[tuple[str, str], ...]:
        """The group's ``tags``. A tag whose value, or the whole map, is known only after apply
        is an unknown that the tag selectors (tiers) see: never read as "no such tag"."""
        attr = "tags"
        known_all, tags_all = self.value(inst, ("tags_all",))
        if known_all and isinstance(tags_all, dict):
            # tags and the provider's default_tags (AWS holds both on the group); the provider
            # plans tags_all unknown on a create without tags: the group's own tags then
            attr = "tags_all"
        known, tags = self.value(inst, (attr,))
        mask = inst.unknown.get(attr) if known and isinstance(inst.unknown, dict) else None
        pending = sorted(str(shown(k)) for k, v in mask.items() if v is True) if isinstance(mask, dict) else []
        if not known or pending:
            what = f"the tag{'s' if len(pending) > 1 else ''} {', '.join(pending)} of the group" if pending \
                else "the group's tags"
            self.unknown(inst.addr, "tags", f"{what} known only after apply: which tag selectors (tiers) match "
                         "it cannot be told", ("tags", inst.addr))
        if known and isinstance(tags, dict):
            # a map marked sensitive whole hides its keys too (Terraform shows `tags = (sensitive
            # value)`), in tags_all as well: the provider's copy, which carries no mark at all
            own = self.value(inst, ("tags",))[1] if attr == "tags_all" else tags
            hidden: set = set(own) if isinstance(own, WholeMark) and isinstance(own, dict) else set()
            return tuple(sorted((SENSITIVE, SENSITIVE) if k in hidden else (str(shown(k)), str(shown(v)))
                                for k, v in tags.items()))
        return ()

    def _can_tell_inline(self) -> bool:
        """Can tfsg tell that a direction is not written inline? Plan JSON drops dynamic blocks
        from its configuration: only with the .tf sources (or in HCL mode) is "not written"
        known."""
        return self.config.present and (self.inline_known or not isinstance(self.config, ConfigIndex))

    def _adopted_id(self, inst: Instance) -> Optional[str]:
        """The id of the group an ``aws_default_security_group`` adopts, when the plan creates
        the resource for an existing VPC: that VPC's ``default_security_group_id`` (provider
        docs: the resource "adopts" the VPC's default group). Other resources that already name
        that id are then its members."""
        vpc = self._vpc_key(inst)  # the VPC's address when the plan holds it
        for other in self.instances:
            if other.addr == vpc and other.type in ("aws_vpc", "aws_default_vpc"):
                known, ident = self.value(other, ("default_security_group_id",))
                if known and isinstance(ident, str) and ident:
                    return ident
        return None

    def group_keys(self, terms: Iterable[Term], kind: str = "ids",
                   like: Optional[Instance] = None) -> tuple[list[str], list[str]]:
        """Terms -> group keys: the address of a group in the plan, else the ``sg-`` id.
        ``like``: the resource that names them (names resolve in its Region: regions.py)."""
        keys: list[str] = []
        unknown: list[str] = []
        terms = terms if isinstance(terms, list) else list(terms)
        for term in terms:
            if isinstance(term, Res) and self.services is not None:
                key = self.services.key_for(term.instance.addr, term.attr)
                if key:  # aws_eks_cluster.x.vpc_config[0].cluster_security_group_id and the like
                    keys.append(key)
                    continue
            if isinstance(term, Res) and term.instance.type in GROUP_TYPES and term.instance.address.mode == "managed" \
                    and term.attr in ((), ("id",), ("arn",), ("name",)):
                keys.append(term.instance.addr)
                continue
            if isinstance(term, Res) and term.instance.type in ("aws_vpc", "aws_default_vpc") \
                    and term.attr == ("default_security_group_id",):
                key = self._default_group_of(term.instance)
                if key is not None:
                    keys.append(key)
                else:
                    unknown.append(f"{term.instance.addr}.default_security_group_id: the VPC's default group, whose "
                                   "id is known only after apply and which this plan does not manage "
                                   "(aws_default_security_group)")
                continue
            if isinstance(term, Res) and term.attr == ("owner_id",) and _names_group(terms):
                continue  # the account of "${g.owner_id}/${g.id}" (AWS's UserId/GroupId form)
            texts, unk = self.strings([term])
            unknown.extend(unk)
            if isinstance(term, Lit) and texts and all(isinstance(t, str) and len(t) == 12 and t.isdigit()
                                                       for t in texts) and _names_group(terms):
                continue  # the account of "${var.account}/${aws_security_group.g.id}" (UserId/GroupId)
            for text in texts:
                key = self._group_from_text(text, kind, like)
                if key:
                    keys.append(key)
                else:
                    unknown.append(f"{text!r} is not a security group this plan can identify")
        return list(dict.fromkeys(k for k in keys if isinstance(k, str))), unknown

    def _group_from_text(self, text: str, kind: str, like: Optional[Instance] = None) -> Optional[str]:
        if kind == "names":
            return self._group_named(text, like)
        if kind == "csv":
            return None
        match = _SG_ID.search(text) if kind == "arns" else None
        ident = group_id(match.group(1) if match else text)
        if ident is None:
            return None
        # a group of this plan by its id, even account-qualified; else a group outside it
        key = self.id_to_group.get(ident.rsplit("/", 1)[-1])
        if key is not None:
            return key
        return SensitiveStr(ident) if is_sensitive(text) else ident

    def _group_named(self, name: str, like: Optional[Instance]) -> Optional[str]:
        """The group a name means for ``like``: of its Region, and of the default VPC when several
        VPCs there have a group of that name (``security_groups`` names resolve in the default
        VPC: provider docs, aws_instance; a group written without ``vpc_id`` is made there)."""
        found = self.name_to_group.get(name)
        if not found:
            return None
        if like is None:
            return found[0]
        here = [key for key in found if (key not in self._group_instances or
                                         self.same_region(self._group_instances[key], like))]
        if len(here) > 1:
            default = [key for key in here if key in self._group_instances and
                       self._in_default_vpc(self._group_instances[key])]
            here = default or here
        return here[0] if here else None

    def _in_default_vpc(self, group: Instance) -> bool:
        terms = self.terms(group, ("vpc_id",), optional=True)
        if not terms or terms == [Lit(None)]:
            return True  # no vpc_id: AWS makes the group in the default VPC
        if any(isinstance(t, Res) and t.instance.type == "aws_vpc" and t.instance.address.mode == "data"
               and self.value(t.instance, ("default",)) == (True, True) for t in terms):
            return True  # data "aws_vpc" { default = true }
        key = self._vpc_key(group)  # a reference, or a known id of the plan's VPC
        # the key is the VPC's address when the plan holds it (module.x.aws_default_vpc.this)
        return key is not None and f".{key}".rsplit(".", 2)[-2] == "aws_default_vpc"


def _names_group(terms: list[Term]) -> bool:
    return any(isinstance(t, Res) and t.instance.type in GROUP_TYPES for t in terms)
