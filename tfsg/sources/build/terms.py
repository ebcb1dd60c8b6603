"""Reading one instance: its values and settings, and its arguments as resolution terms.

An attribute is known when the instance records it (not marked unknown until apply);
otherwise the configuration's expression for it is resolved into terms (``refs.Term``:
literals, references to other resources, unknowns), the .tf sources filling in what plan
JSON drops (dynamic blocks, splat and for expressions). Nested blocks (``ingress``,
``network_interface``...) are walked by concrete paths (``_expand``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...netsets import AddressSet
from ..instances import Instance
from ..refs import ConfigIndex, Context, Lit, Res, Term, Unk, passed_path
from ..refs import flatten_strings as _flatten
from ..refs import path_text as _path_text
from .base import BuilderBase


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
        if known:
            return [Lit(val)]
        expr = self.config.expression(inst.address, tuple(path))
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
        if isinstance(expr, dict) and "constant_value" in expr and expr["constant_value"] is None:
            # written null, yet unknown in the plan: an Optional+Computed argument the provider
            # computes (``ipv6_cidr_block = null`` with ``assign_generated_ipv6_cidr_block``)
            return [Unk(f"{_path_text(path)} is computed by the provider (written null): known only after apply")]
        terms = self.resolver.expression(expr, self.context(inst), depth)
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


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _cidr_set(text: Any) -> AddressSet:
    """A CIDR value as an address set; anything that is not one counts as no addresses."""
    try:
        return AddressSet.parse(text) if isinstance(text, str) else AddressSet()
    except ValueError:
        return AddressSet()
