"""Reading one instance: its values and settings, and its arguments as resolution terms.

An attribute is known when the instance records it (not marked unknown until apply);
otherwise the configuration's expression for it is resolved into terms (``refs.Term``:
literals, references to other resources, unknowns), the .tf sources filling in what plan
JSON drops (dynamic blocks, splat and for expressions). Nested blocks (``ingress``,
``network_interface``...) are walked by concrete paths (``_expand``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Optional

from ...netsets import AddressSet
from ..instances import Instance
from ..refs import (
    ORDER_UNKNOWN,
    SET_ORDER_UNKNOWN,
    ConfigIndex,
    Context,
    Lit,
    Res,
    Term,
    Unk,
    maximal_refs,
    passed_path,
)
from ..refs import flatten_strings as _flatten
from ..refs import path_text as _path_text
from .base import BuilderBase

# Data sources that look up one resource by an argument naming it (the provider's data sources
# of the same name): type -> (lookup argument, the resource's attribute it holds).
LOOKUPS = {"aws_subnet": ("id", "id"), "aws_vpc": ("id", "id"), "aws_security_group": ("id", "id"),
           "aws_network_interface": ("id", "id"), "aws_ec2_managed_prefix_list": ("id", "id"),
           "aws_instance": ("instance_id", "id"), "aws_lb": ("arn", "arn")}


class TermsMixin(BuilderBase):
    """Values and terms of the builder's instances (``self.config``, ``self.resolver``, ``self.sources``)."""

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
        mask = inst.unknown
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

    def _unknown_element(self, inst: Instance, path: tuple) -> bool:
        mask: Any = inst.unknown
        for step in path:
            mask = mask.get(step) if isinstance(mask, dict) else mask[step] \
                if isinstance(mask, list) and isinstance(step, int) and step < len(mask) else None
        return isinstance(mask, list) and True in mask

    def known_strings(self, inst: Instance, attr: str) -> Optional[list[str]]:
        """``strings(terms(inst, (attr,)))`` for a value the plan records (None when it does
        not): the common case of a large plan, without building terms."""
        known, val = self.value(inst, (attr,))
        if not known or (val.__class__ is list and None in val):
            return None  # unknown, or an element is (terms decides)
        out: list[str] = []
        _flatten(val, out)
        return out

    def referenced(self, inst: Instance, path: tuple, types: tuple[str, ...],
                   attrs: tuple[str, ...] = ("id", "primary_network_interface_id")) -> list[Instance]:
        """The plan's resources of ``types`` an attribute names: by reference, or by the known id
        an existing resource has (an update plan records ``instance_id = "i-0abc..."``, not the
        reference). An instance's primary network interface id names the instance itself;
        ``attrs``: the known values that name a resource (``("arn", "id")`` for ARNs)."""
        out: list[Instance] = []
        for t in self.terms(inst, path, optional=True):
            if isinstance(t, Res) and t.instance.type in types:
                out.append(t.instance)
            elif isinstance(t, Lit):
                texts: list[str] = []
                _flatten(t.value, texts)
                ids = self.indexed(None, attrs)
                # the first of the asked types: an interface made on its own and launched as an
                # instance's eth0 has the id the instance's primary_network_interface_id holds
                for v in texts:
                    out += [found for found in ids.get(v, ()) if found.type in types][:1]
        return out

    def indexed(self, types: Optional[tuple[str, ...]], attrs: tuple[str, ...]) -> dict[str, list[Instance]]:
        """The plan's managed resources (of ``types``; None: all) by the known values of
        ``attrs``, in plan order: a template by its id or name, a cluster by its identifier, any
        resource by its id. Built once per (types, attrs)."""
        key = (types, attrs)
        hit = self._indexes.get(key)
        if hit is None:
            hit = self._indexes[key] = {}
            for other in self.instances:
                if other.address.mode != "managed" or (types is not None and other.type not in types):
                    continue
                for attr in attrs:
                    known, value = self.value(other, (attr,))
                    if known and isinstance(value, str) and value and other not in hit.get(value, ()):
                        hit.setdefault(value, []).append(other)
        return hit

    def context(self, inst: Instance) -> Context:
        ctx = self._contexts.get(inst.addr)  # asked for per attribute: once per address
        if ctx is None:
            res = self.config.resource(inst.address) or {}
            for_each = res.get("for_each_expression")
            ctx = self._contexts[inst.addr] = Context(inst.address.module, inst.address.key,
                                                     for_each if isinstance(for_each, dict) else None)
        return ctx

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
        if not known and inst.address.mode == "data" and inst.type in LOOKUPS and path[:1] != (LOOKUPS[inst.type][0],):
            mirrored = self._looked_up(inst, depth)
            if mirrored is not None:  # data.aws_subnet.x (id = aws_subnet.a.id) reads aws_subnet.a
                return self.terms(mirrored, path, optional, depth + 1)
        if known and not (val.__class__ is list and None in val and self._unknown_element(inst, path)):
            return [Lit(val)]
        # unknown, or a list with an element known only after apply (plugin-framework resources
        # write it as null inside a known list, marked true in after_unknown): the expression says
        expr = self.config.expression(inst.address, tuple(path))
        if expr is None:
            if isinstance(self.config, ConfigIndex) and self.config.present and self._block_missing(inst, path):
                # a dynamic block: plan JSON drops it from the configuration, the sources have it
                better = self.sources.terms(inst.address, tuple(path)) if self.sources is not None else None
                if better is not None:
                    return better
                if self.sources is not None and self.sources.written(inst.address, tuple(path)) is False:
                    return [] if optional else [Unk(f"{_path_text(path)} is known only after apply")]
                said = None if self.sources is None else self.sources.terms(inst.address, tuple(path), unknowns=True)
                if said:
                    return said  # the sources' own reason (a dynamic for_each only apply knows)
                return [Unk(f"{_path_text(path)} is written in a dynamic block, which plan JSON drops from its "
                            "configuration; give the .tf sources with --source")]
            if optional and self.config.present and self.config.resource(inst.address) is not None:
                return []  # the resource's block does not write it: not set
            # (a configuration that lacks the resource's block altogether says nothing of it)
            return [Unk(f"{_path_text(path)} is known only after apply")]
        if isinstance(expr, dict) and "constant_value" in expr and expr["constant_value"] is None:
            # written null, yet unknown in the plan: an Optional+Computed argument the provider
            # computes (``ipv6_cidr_block = null`` with ``assign_generated_ipv6_cidr_block``)
            return [Unk(f"{_path_text(path)} is computed by the provider (written null): known only after apply")]
        terms = self.resolver.expression(expr, self.context(inst), depth)
        if not known and terms and "constant_value" not in expr and all(isinstance(t, Lit) for t in terms):
            # Terraform left it unknown, so it is not the plain value of what it references (all
            # known when planning): an expression of them plan JSON does not record, such as
            # ``var.public ? true : null`` (null: the provider's default, or its subnet's)
            if self.sources is not None:
                better = self.sources.terms(inst.address, tuple(path))
                if better is not None:
                    return better
                if self.sources.null(inst.address, tuple(path)):
                    return [Lit(None)]
            refs = ", ".join(maximal_refs([r for r in expr.get("references") or () if isinstance(r, str)]))
            return [Unk(f"{_path_text(path)} is computed from {refs or 'known values'} by an expression plan JSON "
                        "does not record (a conditional or a function): known only after apply")]
        # A whole-resource reference (``aws_vpc.x[*].ipv6_cidr_block`` is recorded as just
        # ``aws_vpc.x``) does not say which attribute is read: the sources do. Several terms are
        # every reference of the expression (both branches of ``var.public ? [a.id] : [b.id]``,
        # every value of ``{x = a.id, y = b.id}[each.key]``): the sources say which it takes.
        if self.sources is not None and (len(terms) > 1 or any(isinstance(t, Unk) or (isinstance(t, Res) and not t.attr)
                                                               for t in terms)):
            better = self.sources.terms(inst.address, tuple(path))
            if better is not None:
                return better
            if self.sources.null(inst.address, tuple(path)):
                return [Lit(None)]  # the sources say: written, and null (a lookup's default)
            said = self.sources.terms(inst.address, tuple(path), unknowns=True) if len(terms) > 1 else None
            if said and any(isinstance(t, Unk) and t.reason.startswith((ORDER_UNKNOWN, SET_ORDER_UNKNOWN))
                            for t in said):
                # ``sort([a.id, b.id])[0]``: one of the references, which only apply tells (not all)
                picked: list[Term] = [t for t in said if isinstance(t, Unk)]
                return picked[:1]
        if self.sources is not None and not known and len(path) == 1 and all(isinstance(t, Res) for t in terms) \
                and _is_collection(inst.type, path[0]):
            # plan JSON records a list's references, not its literal elements: the sources say
            # which elements are known (``["${aws_eip.nat.public_ip}/32", "0.0.0.0/0"]``)
            partial = self.sources.terms(inst.address, tuple(path), partial=True)
            if partial is not None and any(isinstance(t, Lit) for t in partial):
                return partial
        return self._followed(terms, depth)

    def _followed(self, terms: list[Term], depth: int) -> list[Term]:
        """A data source that looks up a resource of the plan by its id stands for it:
        ``data.aws_subnet.a.vpc_id`` (``id = aws_subnet.a.id``) is ``aws_subnet.a.vpc_id``."""
        if depth > 8 or not any(isinstance(t, Res) and t.instance.address.mode == "data" for t in terms):
            return terms
        out: list[Term] = []
        for t in terms:
            if isinstance(t, Res) and t.instance.address.mode == "data" and t.instance.type in LOOKUPS:
                looked = self._looked_up(t.instance, depth)
                if looked is not None:
                    t = Res(looked, t.attr)
            out.append(t)
        return out

    def _looked_up(self, inst: Instance, depth: int) -> Optional[Instance]:
        """The plan's resource a data source looks up by its id (``data "aws_subnet" "x" { id =
        aws_subnet.a.id }``): the data source reads that resource, whose planned values (or
        configuration) say what it will read when it is read at apply."""
        if depth > 8:
            return None
        argument, attribute = LOOKUPS[inst.type]
        found = [t for t in self.terms(inst, (argument,), optional=True, depth=depth + 1)
                 if isinstance(t, Res) and t.instance.type == inst.type and t.instance.address.mode == "managed"
                 and t.attr in ((), (attribute,))]
        return found[0].instance if len(found) == 1 else None

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
                                   "not record (a splat or a for expression); give the .tf sources with --source"
                                   if self.sources is None else
                                   f"{term.instance.addr}: the expression (a splat or a for expression) reads a "
                                   "value known only after apply")
                    continue
                path = passed_path(term.instance.type, term.attr or (attr,))
                if depth > 8:
                    unknown.append("reference chain too deep")
                    continue
                sub, unk = self.strings(self.terms(term.instance, tuple(path), depth=depth + 1), attr, depth + 1)
                out.extend(sub)
                unknown.extend(unk)
        return out, unknown

    def _expand(self, inst: Instance, steps: tuple) -> list[tuple]:
        """Concrete paths for a path with ``[]`` block steps, over the blocks that exist."""
        paths: list[tuple] = [()]
        for step in steps:
            if step != "[]":
                paths = [p + (step,) for p in paths]
                continue
            nxt: list[tuple] = []
            for p in paths:
                known, val = self.value(inst, p)
                count = len(val) if known and isinstance(val, list) else 0
                if not known:  # unknown block list: count the literal blocks in the configuration
                    count = len(self._config_blocks(inst, p))
                    made = self.sources.blocks(inst.address, p[0]) \
                        if self.sources is not None and len(p) == 1 and isinstance(p[0], str) else None
                    if made is not None and made > count:
                        # dynamic blocks plan JSON drops from its configuration: the sources make
                        # them all (a listener's authenticate action and its forward action)
                        count = made
                    if not count and self.sources is not None and self.sources.written(inst.address, p):
                        # a dynamic block whose for_each only apply knows (the plan marks the
                        # whole list unknown): one block stands for what apply makes, its values
                        # unknown, so what it would set is an unknown, not "not set"
                        count = 1
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


def _is_collection(resource_type: str, attribute: str) -> bool:
    from ..hcl.argtypes import is_collection  # only with the sources at hand

    return is_collection(resource_type, attribute)


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _cidr_set(text: Any) -> AddressSet:
    """A CIDR value as an address set; anything that is not one counts as no addresses."""
    try:
        return AddressSet.parse(text) if isinstance(text, str) else AddressSet()
    except ValueError:
        return AddressSet()
