"""Build a ``Snapshot`` (groups, rules, attachments, prefix lists) from one side's instances.

All rule sources end up as ``Rule`` values: inline ``ingress``/``egress`` of
``aws_security_group`` and ``aws_default_security_group``, ``aws_security_group_rule`` (one
rule per CIDR / prefix list / source), and ``aws_vpc_security_group_{ingress,egress}_rule``.
Values unknown until apply are resolved through the configuration where they can be and
recorded as ``Unknown`` where they cannot.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional, Protocol

from ..attachments import ASSOCIATIONS, attachment_table
from ..model import (Attachment, Peer, Rule, SecurityGroup, SensitiveStr, Snapshot, Unknown, group_id, is_outside_group,
                     is_sensitive, shown)
from ..netsets import AddressSet, ProtocolError, ServiceSet, normalise_cidr, services_for_rule
from .instances import Instance
from .lbs import LB_TYPES, LoadBalancers
from .placement import Placement, Placements
from .services import ServiceEffects, service_effects
from .refs import ConfigIndex, Context, Lit, Res, Resolver, Term, Unk
from .refs import flatten_strings as _flatten
from .refs import path_text as _path_text

GROUP_TYPES = ("aws_security_group", "aws_default_security_group")
# Resources that AWS puts in the VPC's default group when the configuration names none.
DEFAULT_GROUP_TYPES = ("aws_instance", "aws_network_interface", "aws_spot_instance_request")
# Cluster members that take their cluster's groups (and its address, through the instance's own
# subnet group).
CLUSTER_MEMBERS = {"aws_rds_cluster_instance": "aws_rds_cluster", "aws_docdb_cluster_instance": "aws_docdb_cluster",
                   "aws_neptune_cluster_instance": "aws_neptune_cluster"}
RULE_TYPES = ("aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule")
_INLINE_KEYS = ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups", "self",
                "protocol", "from_port", "to_port")
_SG_ID = re.compile(r"\b(sg-[0-9a-zA-Z]+)\b")
_SOURCE_KEYS = ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups")


class InlineHints(Protocol):
    """What the .tf sources tell about inline rule blocks that plan JSON collapses (see tfsource)."""

    def inline_blocks(self, instance: Instance, direction: str) -> Optional[list[dict]]: ...

    def has_dynamic(self, instance: Instance, direction: str) -> bool: ...


class SnapshotBuilder:
    """Turns one side's instances into a Snapshot; one builder per side."""

    def __init__(self, instances: list[Instance], config: ConfigIndex, root_variables: dict[str, Any],
                 hints: Optional[InlineHints] = None, prior: Optional[Snapshot] = None,
                 reuse: Optional[dict[str, tuple[list[Rule], list[Unknown]]]] = None,
                 sources: Any = None, labels: Optional[dict[tuple[str, str], str]] = None) -> None:
        self.instances = sorted(instances, key=lambda i: i.address.sort_key())
        # The .tf sources evaluated (hcl.load.SourceValues), for what plan JSON does not record.
        self.sources = sources
        self.config = config
        self.resolver = Resolver(self.instances, config, root_variables)
        self.hints = hints
        self.prior = prior
        self.snap = Snapshot()
        self.id_to_group: dict[str, str] = {}
        self.name_to_group: dict[str, list[str]] = {}
        self.subnets: dict[str, Instance] = {}  # id -> subnet instance
        self.vpc_ids: dict[str, str] = {}  # vpc id -> vpc key
        self.prefix_ids: dict[str, str] = {}
        # Rules each instance produced, so the other side can reuse them for unchanged
        # instances (most of a large plan is no-op); see _reusable.
        self.produced: dict[str, tuple[list[Rule], list[Unknown]]] = {}
        self.reuse = reuse or {}
        self.services: Optional[ServiceEffects] = None  # what AWS does on its own (tfsg/services.py)
        self._owned: Optional[set[tuple[str, str, Peer]]] = None
        # Placeholders of sensitive peers, shared by both sides of a plan so that they agree.
        self.labels = labels if labels is not None else {}
        self._entries_unread: set[str] = set()
        self._defaults: Optional[dict[str, str]] = None  # see _default_groups
        self._placements: Optional[Placements] = None
        self._scope: tuple[str, str] = ("all", "")  # what an unknown raised now can affect
        self._services: Optional[ServiceSet] = None  # and on which services, when known

    # ------------------------------------------------------------------ values

    def value(self, inst: Instance, path: tuple) -> tuple[bool, Any]:
        """(known, value) of an attribute; unknown when after_unknown marks it or a parent."""
        if inst.partial and path and path[0] not in inst.values:
            return False, None
        if len(path) == 1:  # the common case, kept fast
            mask = inst.unknown
            if mask is True or (mask and mask.__class__ is dict and mask.get(path[0]) is True):
                return False, None
            return True, inst.values.get(path[0])
        val: Any = inst.values
        mask: Any = inst.unknown
        for step in path:
            if mask is True:
                return False, None
            if isinstance(step, int):
                mask = mask[step] if isinstance(mask, list) and step < len(mask) else None
                val = val[step] if isinstance(val, list) and step < len(val) else None
            else:
                mask = mask.get(step) if isinstance(mask, dict) else None
                val = val.get(step) if isinstance(val, dict) else None
        if mask is True:
            return False, None
        return True, val

    def context(self, inst: Instance) -> Context:
        res = self.config.resource(inst.address) or {}
        for_each = res.get("for_each_expression")
        return Context(inst.address.module, inst.address.key, for_each if isinstance(for_each, dict) else None)

    def setting(self, inst: Instance, path: tuple) -> tuple[bool, Any]:
        """(known, value) of a setting; unknown-but-not-written means unset (the provider default)."""
        known, val = self.value(inst, path)
        if known or not self.config.present:
            return known, val
        terms = self.terms(inst, path, optional=True)
        if not terms:
            return True, None
        if len(terms) == 1 and isinstance(terms[0], Lit):
            return True, terms[0].value
        return False, None

    def terms(self, inst: Instance, path: tuple, optional: bool = False, depth: int = 0) -> list[Term]:
        """An attribute as resolution terms. ``optional``: unknown and not written means "not set"."""
        known, val = self.value(inst, path)
        if known:
            return [Lit(val)]
        expr = self.config.expression(inst.address, tuple(p for p in path))
        if expr is None:
            if isinstance(self.config, ConfigIndex) and self.config.present and self._block_missing(inst, path):
                # a dynamic block: plan JSON drops it from the configuration, the sources have it
                better = self.sources.terms(inst.address, tuple(path)) if self.sources is not None else None
                if better is not None:
                    return better
                if self.sources is not None and self.sources.written(inst.address, tuple(path)) is False:
                    return [] if optional else [Unk(f"{_path_text(path)} is known only after apply")]
                return [Unk(f"{_path_text(path)} is written in a dynamic block, which plan JSON drops from its "
                            "configuration; give the .tf sources with --source")]
            if optional and self.config.present:
                return []
            return [Unk(f"{_path_text(path)} is known only after apply")]
        terms = self.resolver.expression(expr, self.context(inst), depth)
        # A whole-resource reference (``aws_vpc.x[*].ipv6_cidr_block`` is recorded as just
        # ``aws_vpc.x``) does not say which attribute is read: the sources do.
        if self.sources is not None and any(isinstance(t, Unk) or (isinstance(t, Res) and not t.attr)
                                            for t in terms):
            better = self.sources.terms(inst.address, tuple(path))
            if better is not None:
                return better
        return terms

    def strings(self, terms: Iterable[Term], attr: str = "id", depth: int = 0) -> tuple[list[str], list[str]]:
        """Flatten terms into literal strings, reading ``attr`` of referenced resources."""
        out: list[str] = []
        unknown: list[str] = []
        for term in terms:
            if isinstance(term, Unk):
                unknown.append(term.reason)
            elif isinstance(term, Lit):
                _flatten(term.value, out)
            elif isinstance(term, Res):
                if not term.attr and attr != "id":
                    # plan JSON records a splat or for expression as the bare resource: which
                    # attribute it reads (cidr_block? ipv6_cidr_block?) is not known; never guess
                    unknown.append(f"{term.instance.addr}: the expression reads an attribute that plan JSON does "
                                   "not record (a splat or a for expression); give the .tf sources with --source")
                    continue
                path = term.attr or (attr,)
                if depth > 8:
                    unknown.append("reference chain too deep")
                    continue
                sub, unk = self.strings(self.terms(term.instance, tuple(path), depth=depth + 1), attr, depth + 1)
                out.extend(sub)
                unknown.extend(unk)
        return out, unknown

    def group_keys(self, terms: Iterable[Term], kind: str = "ids") -> tuple[list[str], list[str]]:
        """Terms -> group keys: the address of a group in the plan, else the ``sg-`` id."""
        keys: list[str] = []
        unknown: list[str] = []
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
            texts, unk = self.strings([term])
            unknown.extend(unk)
            for text in texts:
                key = self._group_from_text(text, kind)
                if key:
                    keys.append(key)
                else:
                    unknown.append(f"{text!r} is not a security group this plan can identify")
        return list(dict.fromkeys(k for k in keys if isinstance(k, str))), unknown

    def _default_groups(self) -> dict[str, str]:
        """VPC key -> the aws_default_security_group the plan manages for it (built once groups are)."""
        if self._defaults is None:
            self._defaults = {}
            for key, sg in sorted(self.snap.groups.items()):
                if sg.default and sg.vpc_id is not None:
                    self._defaults.setdefault(sg.vpc_id, key)
        return self._defaults

    def _default_group_of(self, vpc: Instance) -> Optional[str]:
        """The VPC's default group: the aws_default_security_group of that VPC when the plan
        manages it (``aws_vpc.x.default_security_group_id`` names it), else its id if known."""
        key = self._default_groups().get(vpc.addr)
        if key is not None:
            return key
        known, val = self.value(vpc, ("default_security_group_id",))
        if known and isinstance(val, str) and val:
            return self._group_from_text(val, "ids")
        return None

    def _group_from_text(self, text: str, kind: str) -> Optional[str]:
        if kind == "names":
            found = self.name_to_group.get(text)
            return found[0] if found else None
        if kind == "csv":
            return None
        match = _SG_ID.search(text) if kind == "arns" else None
        ident = group_id(match.group(1) if match else text)
        if ident is None:
            return None
        # a group of this plan by its id, even account-qualified; else a group outside it
        found = self.id_to_group.get(ident.rsplit("/", 1)[-1])
        if found is not None:
            return found
        return SensitiveStr(ident) if is_sensitive(text) else ident

    # ------------------------------------------------------------------ build

    def build(self) -> Snapshot:
        for inst in self.instances:
            if inst.type in ("aws_vpc", "aws_default_vpc"):
                self._vpc(inst)
            elif inst.type in ("aws_subnet", "aws_default_subnet"):
                known, ident = self.value(inst, ("id",))
                if known and isinstance(ident, str) and ident:
                    self.subnets[ident] = inst
        for inst in self.instances:
            if inst.type in GROUP_TYPES:
                self._group(inst)
            elif inst.type == "aws_ec2_managed_prefix_list":
                self._scope = ("none", "")  # the graph reports an unknown list where a rule uses it
                self._prefix_list(inst)
        for inst in self.instances:
            if inst.type == "aws_ec2_managed_prefix_list_entry":
                self._scope = ("none", "")
                self._prefix_entry(inst)
        self._unread_prefix_lists()
        self._scope = ("all", "")
        # Groups and rules AWS creates, before the rules that may name them (tfsg/services.py).
        self.services = service_effects(self)
        for group in self.services.groups:
            self.snap.groups.setdefault(group.key, group)
        for ident, key in self.services.ids.items():
            self.id_to_group.setdefault(ident, key)
        self.snap.rules += self.services.rules
        self.snap.unknowns += self.services.unknowns
        if self.prior is not None:
            # A replaced group's new id is unknown until apply; what refresh left in other
            # resources (a no-op group's inline copy of a rule) still names the old one.
            for key, sg in self.prior.groups.items():
                if sg.id and key in self.snap.groups:
                    self.id_to_group.setdefault(sg.id, key)
        for inst in self.instances:
            if inst.address.mode != "managed" or (inst.type not in GROUP_TYPES and inst.type not in RULE_TYPES):
                continue
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
        self._attachments()
        self.snap.lb_links = LoadBalancers(self).links()
        self._dedupe_rules()
        if self.prior is not None:
            self._revocations()
        return self.snap

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

    def unknown(self, address: str, attribute: str, reason: str) -> None:
        self.snap.unknowns.append(Unknown(address, attribute, reason, self._scope, self._services))

    def _vpc(self, inst: Instance) -> None:
        cidrs = AddressSet()
        for attr in ("cidr_block", "ipv6_cidr_block"):
            known, val = self.value(inst, (attr,))
            if known and isinstance(val, str) and val:
                cidrs = cidrs | _cidr_set(val)
        if cidrs:
            self.snap.vpcs[inst.addr] = cidrs
        known, ident = self.value(inst, ("id",))
        if known and isinstance(ident, str) and ident:
            self.vpc_ids[ident] = inst.addr

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
        vpc = self._vpc_key(inst)
        known, desc = self.value(inst, ("description",))
        known_tags, tags = self.value(inst, ("tags",))
        tag_items = tuple(sorted((str(shown(k)), str(shown(v))) for k, v in (tags or {}).items())) \
            if known_tags and isinstance(tags, dict) else ()
        self.snap.groups[addr] = SecurityGroup(
            key=addr, address=addr, id=ident, name=shown(name), vpc_id=vpc,
            description=shown(desc) if known and isinstance(desc, str) else None,
            change=inst.action, default=inst.type == "aws_default_security_group", tags=tag_items,
            inline=tuple(d for d in ("ingress", "egress") if self._manages_inline(inst, d)))

    def _manages_inline(self, inst: Instance, direction: str) -> bool:
        """Does the configuration manage the direction inline (blocks, ``= []``, a dynamic block,
        which plan JSON drops but the sources show)? Omitted, the argument is Optional+Computed:
        "not managed" (REFERENCE B.1)."""
        if not self.config.present:
            return False
        if self.config.written(inst.address, direction):
            return True
        return self.hints is not None and self.hints.has_dynamic(inst, direction)

    def _vpc_key(self, inst: Instance) -> Optional[str]:
        terms = self.terms(inst, ("vpc_id",), optional=True)
        for term in terms:
            if isinstance(term, Res) and term.instance.type in ("aws_vpc", "aws_default_vpc"):
                return term.instance.addr
        texts, _ = self.strings(terms)
        for text in texts:
            return self.vpc_ids.get(text, text)
        return None

    def _prefix_list(self, inst: Instance) -> None:
        addr = inst.addr
        known, ident = self.value(inst, ("id",))
        if known and isinstance(ident, str) and ident:
            self.prefix_ids[ident] = addr
        known, size = self.value(inst, ("max_entries",))
        if known and isinstance(size, int):
            self.snap.prefix_list_sizes[addr] = size
        known, entries = self.value(inst, ("entry",))
        if not known:
            # ``entry`` is Optional+Computed: omitted, the list holds what its
            # aws_ec2_managed_prefix_list_entry resources add (provider docs: never both).
            if self.config.present and not self.config.written(inst.address, "entry"):
                self.snap.prefix_lists[addr] = AddressSet()
                if self.hints is None or self.hints.has_dynamic(inst, "entry"):
                    self._entries_unread.add(addr)  # a dynamic block may write them, unless entry resources do
                return
            self.snap.prefix_lists[addr] = None
            self.unknown(addr, "entry", "prefix-list entries are known only after apply")
            return
        cidrs = AddressSet()
        for entry in _as_list(entries):
            cidr = entry.get("cidr") if isinstance(entry, dict) else None
            if isinstance(cidr, str):
                cidrs = cidrs | _cidr_set(cidr)
                if is_sensitive(cidr):
                    self.snap.sensitive_prefix_lists.add(addr)
        self.snap.prefix_lists[addr] = cidrs

    def _prefix_entry(self, inst: Instance) -> None:
        lists = self._prefix_keys(self.terms(inst, ("prefix_list_id",)))
        known, cidr = self.value(inst, ("cidr",))
        if not lists:
            self.unknown(inst.addr, "prefix_list_id", "cannot tell which prefix list the entry belongs to")
        for key in lists:
            self._entries_unread.discard(key)
            current = self.snap.prefix_lists.get(key)
            if known and isinstance(cidr, str) and current is not None:
                self.snap.prefix_lists[key] = current | _cidr_set(cidr)
                if is_sensitive(cidr):
                    self.snap.sensitive_prefix_lists.add(key)
            elif not known:
                self.snap.prefix_lists[key] = None
                self.unknown(inst.addr, "cidr", "prefix-list entry known only after apply")

    def _unread_prefix_lists(self) -> None:
        """Lists whose ``entry`` is omitted in plan JSON's configuration and that no entry
        resource fills: a ``dynamic "entry"`` block (dropped from plan JSON) may write them."""
        for addr in sorted(self._entries_unread):
            self.snap.prefix_lists[addr] = None
            self.unknown(addr, "entry", "the entries are not in the plan's configuration (a dynamic block is "
                         "dropped from plan JSON); give the .tf sources with --source to read them")

    def _prefix_keys(self, terms: list[Term]) -> list[str]:
        keys = []
        for term in terms:
            if isinstance(term, Res) and term.instance.type == "aws_ec2_managed_prefix_list" and term.attr in ((), ("id",)):
                keys.append(term.instance.addr)
            elif isinstance(term, Res) and term.instance.type == "aws_ec2_managed_prefix_list" or isinstance(term, Lit):
                texts, _ = self.strings([term])
                keys.extend(self.prefix_ids.get(t, t) for t in texts)
        return keys

    # ------------------------------------------------------------------ rules

    def _add_rule(self, inst: Instance, group: str, direction: str, protocol: Any, from_port: Any, to_port: Any,
                  peers: list[Peer], description: Any, inline: bool, attribute: str) -> None:
        try:
            services = services_for_rule(protocol, from_port, to_port)
        except ProtocolError as exc:
            self.unknown(inst.addr, attribute, f"rule not understood: {exc}")
            return
        desc = shown(description) if isinstance(description, str) else ""
        for peer in peers:
            if peer.kind == "group" and peer.value == group:
                peer = Peer("self")
            self.snap.rules.append(Rule(group, direction, services, peer, inst.addr, desc, inline))

    def peer(self, kind: str, value: str, sensitive: bool = False) -> Peer:
        """A peer; a sensitive one is labelled ``(sensitive N)``, never by its value."""
        if not (sensitive or is_sensitive(value)):
            return Peer(kind, value)
        label = self.labels.get((kind, value))
        if label is None:
            label = self.labels[(kind, value)] = f"(sensitive {len(self.labels) + 1})"
        return Peer(kind, str.__str__(value), label)

    def _cidr_peers(self, inst: Instance, values: list[str], attribute: str, version: Optional[int] = None) -> list[Peer]:
        """``version``: the family the attribute takes (``cidr_blocks`` 4, ``ipv6_cidr_blocks`` 6)."""
        peers = []
        for text in values:
            try:
                peers.append(self.peer("cidr", normalise_cidr(text, version), is_sensitive(text)))
            except ValueError:
                family = f" (an IPv{version} block)" if version else ""
                self.unknown(inst.addr, attribute, f"{shown(text)!r} is not a CIDR block{family}")
        return peers

    def _inline_rules(self, inst: Instance, direction: str) -> None:
        group = inst.addr
        known, elements = self.value(inst, (direction,))
        written = self._manages_inline(inst, direction) or not self.config.present
        hinted: Optional[list[dict]] = None
        if self.hints is not None and (not known or _has_unknown_groups(inst.unknown, direction)):
            hinted = self.hints.inline_blocks(inst, direction)  # parses HCL only when needed
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
            else:
                self.unknown(group, direction, f"the {direction} rules are known only after apply")
                return
        if not isinstance(elements, list):
            return
        mask = inst.unknown.get(direction) if isinstance(inst.unknown, dict) else None
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
            peers += [self.peer("prefix_list", self.prefix_ids.get(p, p)) for p in _as_list(element.get("prefix_list_ids"))
                      if isinstance(p, str)]
        if mask.get("self") is not True and element.get("self") is True:
            peers.append(Peer("self"))
        if block is not None:  # from the .tf sources
            peers += self._block_group_peers(inst, direction, block)
        elif mask.get("security_groups") is True:
            peers += self._collapsed_group_peers(inst, direction, element, hinted)
        else:
            for sg in _as_list(element.get("security_groups")):
                key = self._group_from_text(sg, "ids") if isinstance(sg, str) else None
                if key:
                    peers.append(self.peer("group", key))
                else:
                    self.unknown(inst.addr, attr, f"{shown(sg)!r} is not a security group id")
        if not managed and self.prior is not None:
            owned = self._prior_standalone()
            peers = [p for p in peers if (inst.addr, direction, p) not in owned]
        self._add_rule(inst, inst.addr, direction, element.get("protocol"), element.get("from_port"),
                       element.get("to_port"), peers, element.get("description"), True, attr)
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
        keys, unk = self.group_keys(self.resolver.expression(expr, self.context(inst)))
        keys = [k for k in keys]
        if len(keys) > 1:
            ports = _element_ports(element)
            self.unknown(inst.addr, direction,
                         f"plan JSON merges the group references of all {direction} blocks; the block on {ports} "
                         f"is assumed to allow each of {', '.join(keys)} (give the .tf sources with --source to be exact)")
        for reason in unk:
            self.unknown(inst.addr, direction, reason)
        return [self.peer("group", k) for k in keys]

    def _prefix_peers_of(self, inst: Instance, attr: str, terms: list[Term]) -> list[Peer]:
        """Prefix-list peers from resolved terms; what is unknown is reported on ``attr``."""
        for term in terms:
            if isinstance(term, Unk):
                self.unknown(inst.addr, attr, term.reason)
        return [self.peer("prefix_list", k) for k in self._prefix_keys([t for t in terms if not isinstance(t, Unk)])]

    def _block_group_peers(self, inst: Instance, direction: str, block: dict) -> list[Peer]:
        refs = block.get("group_refs") or []
        terms: list[Term] = self.resolver.references(refs, self.context(inst)) if refs else []
        terms += block.get("group_terms") or []
        terms += [Lit(text) for text in block.get("group_literals") or []]
        keys, unk = self.group_keys(terms)
        for reason in unk:
            self.unknown(inst.addr, direction, reason)
        return [self.peer("group", k) for k in keys]

    def _prior_standalone(self) -> set[tuple[str, str, Peer]]:
        """Rules the before side's rule resources own (a group's refreshed copy must not outlive them)."""
        if self._owned is None:
            self._owned = {(r.group, r.direction, r.peer) for r in (self.prior.rules if self.prior else [])
                           if not r.inline}
        return self._owned

    def _single_group(self, inst: Instance) -> Optional[str]:
        keys, unk = self.group_keys(self.terms(inst, ("security_group_id",)))
        if len(keys) == 1:
            return keys[0]
        reason = "; ".join(unk) if unk else ("refers to several groups" if keys else "no group found")
        self.unknown(inst.addr, "security_group_id", f"cannot tell which group the rule belongs to: {reason}")
        return None

    def _classic_rule(self, inst: Instance) -> None:
        group = self._single_group(inst)
        if group is None:
            return
        known, direction = self.value(inst, ("type",))
        self._scope = (direction if direction in ("ingress", "egress") else "group", group)
        if not known or direction not in ("ingress", "egress"):
            self.unknown(inst.addr, "type", "rule type is known only after apply" if not known
                         else f"rule type {shown(direction)!r} is neither ingress nor egress")
            return
        proto = self._scalar(inst, "protocol")
        if proto is None:
            return
        self._services = _services_or_none(proto, self._port(inst, "from_port"), self._port(inst, "to_port"))
        peers = self._address_peers(inst, ("cidr_blocks", "ipv6_cidr_blocks"), "prefix_list_ids")
        known, self_flag = self.value(inst, ("self",))
        if known and self_flag is True:
            peers.append(Peer("self"))
        # source_security_group_id is Optional+Computed: unknown at create even when unused.
        if not peers or self.config.written(inst.address, "source_security_group_id") or \
                self.value(inst, ("source_security_group_id",))[1]:
            peers += self._group_peers(inst, "source_security_group_id")
        if not peers and not any(u.address == inst.addr for u in self.snap.unknowns[-6:]):
            self.unknown(inst.addr, "source_security_group_id", "the rule names no source or destination tfsg can read")
        self._add_rule(inst, group, direction, proto, self._port(inst, "from_port"), self._port(inst, "to_port"),
                       peers, self.value(inst, ("description",))[1], False, "protocol")

    def _vpc_rule(self, inst: Instance) -> None:
        group = self._single_group(inst)
        if group is None:
            return
        direction = "ingress" if inst.type.endswith("ingress_rule") else "egress"
        self._scope = (direction, group)
        proto = self._scalar(inst, "ip_protocol")
        if proto is None:
            return
        self._services = _services_or_none(proto, self._port(inst, "from_port"), self._port(inst, "to_port"))
        peers = self._address_peers(inst, ("cidr_ipv4", "cidr_ipv6"), "prefix_list_id")
        peers += self._group_peers(inst, "referenced_security_group_id")
        if not peers and not any(u.address == inst.addr for u in self.snap.unknowns[-4:]):
            self.unknown(inst.addr, "cidr_ipv4", "the rule's source or destination is known only after apply")
        self._add_rule(inst, group, direction, proto, self._port(inst, "from_port"), self._port(inst, "to_port"),
                       peers, self.value(inst, ("description",))[1], False, "ip_protocol")

    def _address_peers(self, inst: Instance, cidr_attrs: tuple[str, str], prefix_attr: str) -> list[Peer]:
        """CIDR and prefix-list peers of a standalone rule resource."""
        peers: list[Peer] = []
        for attr, version in zip(cidr_attrs, (4, 6)):
            texts, unk = self.strings(self.terms(inst, (attr,), optional=True), "cidr_block")
            peers += self._cidr_peers(inst, texts, attr, version)
            for reason in unk:
                self.unknown(inst.addr, attr, reason)
        return peers + self._prefix_peers(inst, prefix_attr)

    def _group_peers(self, inst: Instance, attr: str) -> list[Peer]:
        keys, unk = self.group_keys(self.terms(inst, (attr,), optional=True))
        for reason in unk:
            self.unknown(inst.addr, attr, reason)
        return [self.peer("group", k) for k in keys]

    def _prefix_peers(self, inst: Instance, attr: str) -> list[Peer]:
        return self._prefix_peers_of(inst, attr, self.terms(inst, (attr,), optional=True))

    def _scalar(self, inst: Instance, attr: str) -> Any:
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
        kept = []
        for rule in self.snap.rules:
            if not rule.inline and rule.group in updated and rule.direction in self.snap.groups[rule.group].inline \
                    and actions.get(rule.defined_by) in ("no-op", "update") and rule.identity() not in planned:
                self.snap.revoked.append(rule)
            else:
                kept.append(rule)
        self.snap.rules = kept

    def _dedupe_rules(self) -> None:
        """One rule per AWS permission; a standalone resource owns it over the group's copy.

        On update plans the group's refreshed ``ingress`` already holds the rules of
        ``aws_security_group_rule`` resources (REFERENCE F, regula#401).
        """
        best: dict[tuple, Rule] = {}
        for rule in self.snap.rules:
            ident = rule.identity()
            cur = best.get(ident)
            if cur is None or (cur.inline and not rule.inline) or \
                    (cur.inline == rule.inline and rule.defined_by < cur.defined_by):
                best[ident] = rule
        self.snap.rules = sorted(best.values(), key=lambda r: (r.group, r.direction, r.peer.kind, r.peer.value,
                                                               r.defined_by, [p.spans for p in r.services.parts()]))

    # ------------------------------------------------------------------ attachments

    def _attachments(self) -> None:
        self._scope = ("members", "")
        table = attachment_table()
        merged: dict[str, dict] = {}
        for inst in self.instances:
            if inst.address.mode != "managed" or inst.type not in table:
                continue
            if inst.type in ASSOCIATIONS:
                self._association(inst, merged)
                continue
            keys: list[str] = []
            unread = False
            for spec in table[inst.type]:
                for path in self._expand(inst, spec.steps):
                    found, unk = self.group_keys(self.terms(inst, path, optional=True), spec.kind)
                    keys += found
                    unread = unread or bool(unk)
                    for reason in unk:
                        self.unknown(inst.addr, _path_text(path), reason)
            if keys:
                entry = merged.setdefault(inst.addr, {"inst": inst, "groups": []})
                entry["groups"] += keys
            elif inst.type in DEFAULT_GROUP_TYPES and not unread and not self._borrowed(inst):
                # groups set but unknown, or taken from its interfaces: not the default group
                default = self._vpc_default_group(inst)
                if default:
                    merged.setdefault(inst.addr, {"inst": inst, "groups": []})["groups"].append(default)
        for inst in self.instances:  # groups taken from another resource (see _borrowed)
            if inst.address.mode == "managed":
                for lender in self._borrowed(inst):
                    if lender in merged:
                        entry = merged.setdefault(inst.addr, {"inst": inst, "groups": []})
                        entry["groups"] += merged[lender]["groups"]
        if self.services is not None:  # groups AWS puts resources in (tfsg/services.py)
            by_addr = {i.addr: i for i in self.instances}
            for addr, keys in self.services.memberships.items():
                merged.setdefault(addr, {"inst": by_addr[addr], "groups": []})["groups"] += keys
        for inst in self.instances:  # a load balancer without groups (an NLB) is still a hop
            if inst.type in LB_TYPES and inst.address.mode == "managed":
                merged.setdefault(inst.addr, {"inst": inst, "groups": []})
        eips = self._elastic_ip_targets()
        for addr in sorted(merged):
            entry = merged[addr]
            inst = entry["inst"]
            groups = tuple(sorted(set(entry["groups"])))
            if isinstance(inst, Instance):
                place = self._placement(inst)
                (public, reason), (public6, reason6) = self._placements.public(inst, place, eips.get(addr))
                self.snap.attachments.append(Attachment(addr, inst.type, groups, public, reason, place.addresses,
                                                        place.vpc, public6, reason6))
            else:
                self.snap.attachments.append(Attachment(addr, "aws_network_interface", groups, None,
                                                        "a network interface outside this plan", None, None, None,
                                                        "a network interface outside this plan"))

    def _borrowed(self, inst: Instance) -> list[str]:
        """Resources whose groups ``inst`` takes: an auto scaling group its launch template's;
        an Aurora/DocumentDB/Neptune instance its cluster's (RDS API CreateDBInstance: for
        Aurora the groups "are managed by the DB cluster"); an instance launched with existing
        network interfaces (``network_interface`` blocks) those interfaces' groups."""
        if inst.type == "aws_autoscaling_group":
            return self._launch_templates(inst)
        cluster = CLUSTER_MEMBERS.get(inst.type)
        if cluster is not None:
            return [t.instance.addr for t in self.terms(inst, ("cluster_identifier",), optional=True)
                    if isinstance(t, Res) and t.instance.type == cluster]
        if inst.type in ("aws_instance", "aws_spot_instance_request"):
            out = []
            for path in self._expand(inst, ("network_interface", "[]", "network_interface_id")):
                out += [t.instance.addr for t in self.terms(inst, path, optional=True)
                        if isinstance(t, Res) and t.instance.type == "aws_network_interface"]
            return out
        return []

    def _vpc_default_group(self, inst: Instance) -> Optional[str]:
        """An instance or interface launched without groups gets its VPC's default group."""
        vpc = self._placement(inst).vpc
        if vpc is not None and vpc in self._default_groups():
            return self._default_groups()[vpc]
        scope, self._scope = self._scope, ("none", "")  # a group outside the plan: changes none of its groups
        self.unknown(inst.addr, "vpc_security_group_ids",
                     "no group is set, so AWS puts it in its VPC's default group, which this plan does not manage")
        self._scope = scope
        return None

    def _elastic_ip_targets(self) -> dict[str, str]:
        """Instances and interfaces that get an Elastic IP (aws_eip, aws_eip_association)."""
        out: dict[str, str] = {}
        for inst in self.instances:
            if inst.type not in ("aws_eip", "aws_eip_association") or inst.address.mode != "managed":
                continue
            for attr in ("instance", "instance_id", "network_interface", "network_interface_id"):
                for term in self.terms(inst, (attr,), optional=True):
                    if isinstance(term, Res):
                        out.setdefault(term.instance.addr, inst.addr)
        return out

    def _association(self, inst: Instance, merged: dict) -> None:
        keys, unk = self.group_keys(self.terms(inst, ("security_group_id",)))
        for reason in unk:
            self.unknown(inst.addr, "security_group_id", reason)
        member_attr = ASSOCIATIONS[inst.type]
        member: Any = inst.addr
        for term in self.terms(inst, (member_attr,)):
            if isinstance(term, Res):
                member = term.instance
            elif isinstance(term, Lit) and isinstance(term.value, str):
                member = term.value
        addr = member.addr if isinstance(member, Instance) else member
        entry = merged.setdefault(addr, {"inst": member, "groups": []})
        entry["groups"] += keys

    def _launch_templates(self, inst: Instance) -> list[str]:
        out = []
        for path in ((("launch_template", "[]", "id")), ("launch_template", "[]", "name"),
                     ("mixed_instances_policy", "[]", "launch_template", "[]", "launch_template_specification", "[]",
                      "launch_template_id")):
            for concrete in self._expand(inst, path):
                for term in self.terms(inst, concrete, optional=True):
                    if isinstance(term, Res) and term.instance.type == "aws_launch_template":
                        out.append(term.instance.addr)
                    elif isinstance(term, Unk) and "dynamic block" in term.reason:
                        self.unknown(inst.addr, _path_text(concrete), term.reason)
        return out

    def _expand(self, inst: Instance, steps: tuple) -> list[tuple]:
        """Concrete paths for a path with ``[]`` block steps, over the blocks that exist."""
        paths: list[tuple] = [()]
        for step in steps:
            if step != "[]":
                paths = [p + (step,) for p in paths]
                continue
            nxt = []
            for p in paths:
                known, val = self.value(inst, p)
                count = len(val) if known and isinstance(val, list) else 0
                if not known:  # unknown block list: count the literal blocks in the configuration
                    count = len(self._config_blocks(inst, p))
                nxt.extend(p + (i,) for i in range(count))
            paths = nxt
        return paths

    def _block_missing(self, inst: Instance, path: tuple) -> bool:
        """Does ``path`` go through a nested block that plan JSON's configuration does not
        hold (a ``dynamic`` block, REFERENCE A.6)?"""
        for i, step in enumerate(path):
            if isinstance(step, int) and len(self._config_blocks(inst, path[:i])) <= step:
                return True
        return False

    def _config_blocks(self, inst: Instance, path: tuple) -> list:
        node: Any = (self.config.resource(inst.address) or {}).get("expressions") or {}
        for step in path:
            if isinstance(node, dict):
                node = node.get(step)
            elif isinstance(node, list) and isinstance(step, int) and step < len(node):
                node = node[step]
            else:
                return []
        return node if isinstance(node, list) else []

    def _placement(self, inst: Instance) -> Placement:
        if self._placements is None:
            self._placements = Placements(self)
        return self._placements.of(inst)


def _services_or_none(protocol: Any, from_port: Any, to_port: Any) -> Optional[ServiceSet]:
    """A rule's services when its protocol and ports are readable (scopes its unknowns)."""
    try:
        return services_for_rule(protocol, from_port, to_port)
    except (ProtocolError, TypeError, ValueError):
        return None


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _cidr_set(text: Any) -> AddressSet:
    """A CIDR value as an address set; anything that is not one counts as no addresses."""
    try:
        return AddressSet.parse(text) if isinstance(text, str) else AddressSet()
    except ValueError:
        return AddressSet()


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
    from ..netsets import normalise_protocol
    try:
        return normalise_protocol(value)
    except ProtocolError:
        return str(value)

