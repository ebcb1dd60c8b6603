"""Resolve values that are unknown until apply through the plan's ``configuration``.

A rule whose ``security_group_id`` is ``(known after apply)`` still names its group in the
configuration: ``{"references": ["aws_security_group.web.id", "aws_security_group.web"]}``.
This module follows such references through resources, module inputs (``var.*`` ->
the parent's ``module_calls``), module outputs, ``count.index`` and ``each.key``, and
returns what they lead to: literal values, resource instances, or a reason it cannot tell.
Reference strings are compared as Terraform renders them (REFERENCE A.6).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Protocol, Union

from ..model import Address, InstanceKey, ModuleStep
from ..model import render_key as render_index
from .instances import Instance


@dataclass(frozen=True)
class Context:
    """Where an expression is evaluated: the module instance, the owner's instance key, and
    the owner's ``for_each`` expression (to resolve ``each.value``)."""

    module: tuple[ModuleStep, ...]
    key: InstanceKey = None
    for_each: Optional[dict] = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Lit:
    value: Any


@dataclass(frozen=True)
class Res:
    """A resource instance and the attribute path read from it (``()`` for the object)."""

    instance: Instance
    attr: tuple


@dataclass(frozen=True)
class Unk:
    reason: str
    prefix: Optional[int] = None  # a CIDR block of this prefix length (hcl/values.UnknownBlock)


Term = Union[Lit, Res, Unk]

@dataclass(frozen=True)
class Idx:
    """A bracketed step of a reference: an instance key, a list index, or ``*``."""

    key: Any


SPLAT = Idx("*")

_SPECIAL = {"var", "local", "module", "data", "each", "count", "path", "terraform", "self"}
_MODIFIERS = frozenset({"count.index", "each.key", "each.value"})
# An instance index computed from count.index / each.key and other values
# (``x[local.rules[count.index].tier]``): plan JSON records the references, not the expression
_COMPUTED_INDEX = "(computed index)"
# how an instance-set reference ends its note: the rule builder takes such a set as candidates
ANY_OF = "assumed any of them"

# Why a position in a list is not known (HCL mode's hcl/values.py UnorderedList; the builder asks
# for these reasons before taking the plan's several references instead: build/terms.py)
ORDER_UNKNOWN = "sort() orders values known only after apply: which element is at a position is not known"
SET_ORDER_UNKNOWN = ("a set of objects, tuples or values known only after apply is ordered by a hash of its "
                     "elements' encoding (go-cty): which element is at a position is not known")
_TOKEN = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\[\*\]|\.\*')


def parse_ref(ref: str) -> Optional[list]:
    """``module.a[0].out`` -> ``["module", "a", Idx(0), "out"]``; None when it is not a plain traversal."""
    parsed = _parse_ref(ref)
    return list(parsed) if parsed is not None else None


@functools.lru_cache(maxsize=65536)
def _parse_ref(ref: str) -> Optional[tuple]:
    """Parsed once per distinct text: a large plan repeats the same references thousands of times."""
    out: list = []
    pos = 0
    while pos < len(ref):
        m = _TOKEN.match(ref, pos)
        if not m or m.end() == pos:
            return None
        if m.group(1) is not None:
            out.append(m.group(1))
        elif m.group(2) is not None:
            out.append(Idx(int(m.group(2))))
        elif m.group(3) is not None:
            out.append(Idx(json.loads(m.group(3))))
        else:
            out.append(SPLAT)
        pos = m.end()
    return tuple(out)


def _bare(ref: str) -> bool:
    """Is a reference recorded cut where a dynamic index would follow (``aws_x.y`` of
    ``aws_x.y[each.value].id``, ``var.m`` of ``var.m[each.key]``)? Plan JSON then lists the
    index's own reference (each.value, each.key, count.index) beside it."""
    parts = parse_ref(ref)
    if not parts:
        return False
    return len(parts) == (3 if parts[0] == "data" else 2)


def passed_path(resource_type: str, path: tuple) -> tuple:
    """Where a value read from a resource was written: terraform_data's ``output`` is its
    ``input`` once applied (Terraform docs, "The terraform_data Managed Resource Type")."""
    if resource_type == "terraform_data" and path[:1] == ("output",):
        return ("input",) + path[1:]
    return path


_INTERPOLATION = re.compile(r'\$\{\s*[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[(?:\d+|"[^"$]*"|\*)\])+\s*\}')


def _interpolations_only(value: Any) -> bool:
    """A JSON-syntax string that is one reference and nothing else (``"${aws_vpc.main.id}"``),
    or a non-empty list of them: the template's value is the referenced value (Terraform's
    JSON configuration syntax, "Expression Mapping")."""
    if isinstance(value, str):
        return _INTERPOLATION.fullmatch(value) is not None
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and _interpolations_only(v)
                                                           for v in value)


def _template_text(value: Any) -> bool:
    if isinstance(value, str):
        return "${" in value or "%{" in value
    if isinstance(value, list):
        return any(_template_text(v) for v in value)
    if isinstance(value, dict):
        return any(_template_text(v) for v in value.values())
    return False


def maximal_refs(refs: list[str]) -> list[str]:
    """Drop the prefixes Terraform lists after each reference (``x.id`` then ``x``)."""
    return list(_maximal(tuple(r for r in refs if isinstance(r, str))))


@functools.lru_cache(maxsize=65536)
def _maximal(refs: tuple) -> tuple:
    # In sorted order the references that extend ``r`` follow it in one run (every string with
    # the prefix ``r`` sorts between ``r`` and the first one without it): near-linear.
    uniq = sorted(set(refs))
    keep = []
    for i, r in enumerate(uniq):
        longer = (r + ".", r + "[")
        j = i + 1
        while j < len(uniq) and uniq[j].startswith(r):
            if uniq[j].startswith(longer):
                break
            j += 1
        else:
            keep.append(r)
    return tuple(keep)


class ConfigIndex:
    """The ``configuration`` block, indexed by module call path."""

    def __init__(self, configuration: Optional[dict]) -> None:
        self.root = _dict(_dict(configuration).get("root_module"))
        # provider configuration key -> its Region, when written as a constant (build/regions.py)
        self.provider_regions: dict[str, str] = {}
        for key, provider in _dict(_dict(configuration).get("provider_config")).items():
            region = _dict(_dict(_dict(provider).get("expressions")).get("region")).get("constant_value")
            if isinstance(key, str) and isinstance(region, str) and region:
                self.provider_regions[key] = region
        self._modules: dict[tuple[str, ...], dict] = {}
        self._resources: dict[tuple[tuple[str, ...], str], dict] = {}
        self._walk((), self.root)

    def _walk(self, path: tuple[str, ...], module: dict) -> None:
        self._modules[path] = module
        resources = module.get("resources")
        for res in resources if isinstance(resources, list) else []:
            if isinstance(res, dict) and isinstance(res.get("address"), str):
                self._resources[(path, res["address"])] = res
        for name, call in _dict(module.get("module_calls")).items():
            if isinstance(name, str) and isinstance(call, dict) and isinstance(call.get("module"), dict):
                self._walk(path + (name,), call["module"])

    @property
    def present(self) -> bool:
        return bool(self.root)

    def module(self, path: tuple[str, ...]) -> Optional[dict]:
        return self._modules.get(path)

    def resource(self, address: Address) -> Optional[dict]:
        key = address.__dict__.get("_config_key")  # kept on the address: asked for per attribute
        if key is None:
            local = ("data." if address.mode == "data" else "") + f"{address.type}.{address.name}"
            key = address.__dict__["_config_key"] = (address.config_path(), local)
        return self._resources.get(key)

    def call(self, path: tuple[str, ...]) -> Optional[dict]:
        if not path:
            return None
        parent = self._modules.get(path[:-1]) or {}
        call = _dict(parent.get("module_calls")).get(path[-1])
        return call if isinstance(call, dict) else None

    def expression(self, address: Address, attr_path: tuple) -> Optional[dict]:
        """The expression object written for ``attr_path`` of a resource (None: not written).

        Nested blocks are lists of expression maps, one per literal block; the list index in
        ``attr_path`` picks the block (REFERENCE A.6).
        """
        res = self.resource(address)
        if res is None:
            return None
        node: Any = _dict(res.get("expressions"))
        for step in attr_path:
            if isinstance(step, int):
                if isinstance(node, list) and step < len(node):
                    node = node[step]
                else:
                    return None
            elif isinstance(node, dict):
                node = node.get(step)
                if isinstance(node, list) and node and isinstance(node[0], dict) and "references" not in node[0] \
                        and "constant_value" not in node[0] and step is attr_path[-1]:
                    return None  # a block, not an expression
            else:
                return None
            if node is None:
                return None
        return node if isinstance(node, dict) else None

    def written(self, address: Address, attr: str) -> bool:
        res = self.resource(address)
        return bool(res and attr in _dict(res.get("expressions")))

    def inputs(self, address: Address) -> frozenset:
        """The module variables a resource's configuration reads (``var.ssh_cidrs``): which
        arguments of its module call feed it."""
        out: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "references" and isinstance(value, list):
                        out.update(r.split(".")[1] for r in value if isinstance(r, str) and r.startswith("var."))
                    else:
                        walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.resource(address))
        return frozenset(out)


class Configuration(Protocol):
    """What the builder and the resolver read of a configuration: ``ConfigIndex`` (plan JSON's)
    or ``hcl.load.HclConfig`` (evaluated .tf files)."""

    @property
    def present(self) -> bool: ...

    def module(self, path: tuple, /) -> Optional[dict]: ...

    def resource(self, address: Address, /) -> Optional[dict]: ...

    def call(self, path: tuple, /) -> Optional[dict]: ...

    def expression(self, address: Address, path: tuple, /) -> Optional[dict]: ...

    def written(self, address: Address, attr: str, /) -> bool: ...

    def inputs(self, address: Address, /) -> frozenset: ...


class Resolver:
    """Follows references within one side of a plan."""

    def __init__(self, instances: list[Instance], config: Configuration, root_variables: dict[str, Any]) -> None:
        self.config = config
        self.root_variables = root_variables
        self.by_resource: dict[tuple[tuple[ModuleStep, ...], str, str, str], list[Instance]] = {}
        self.module_instances: dict[tuple[tuple[ModuleStep, ...], str], set[InstanceKey]] = {}
        self._resolved: dict[tuple, list[Term]] = {}  # references()
        for inst in instances:
            a = inst.address
            if a.deposed:
                continue  # references name the current object, never a deposed one
            self.by_resource.setdefault((a.module, a.mode, a.type, a.name), []).append(inst)
            for i, step in enumerate(a.module):
                self.module_instances.setdefault((a.module[:i], step.name), set()).add(step.key)
        for found in self.by_resource.values():
            found.sort(key=lambda i: i.address.sort_key())

    # ---------------------------------------------------------------- expressions

    def expression(self, expr: Optional[dict], ctx: Context, depth: int = 0) -> list[Term]:
        if not isinstance(expr, dict):
            return [Unk("not written in the configuration")]
        if "constant_value" in expr:
            refs = expr.get("references")
            if isinstance(refs, list) and refs and _interpolations_only(expr["constant_value"]):
                # "${aws_security_group.g.id}" (or a list of such strings: what CDK for
                # Terraform writes) is exactly the value of the reference Terraform records
                return self.references(refs, ctx, depth)
            if _template_text(expr["constant_value"]):
                # a .tf.json file's strings are templates that plan JSON records unevaluated
                # ("${aws_security_group.g.id}"): the sources say what they are
                return [Unk("written in JSON syntax as a template (\"${...}\"), which plan JSON does not "
                            "evaluate; give the .tf sources with --source")]
            return [Lit(expr["constant_value"])]
        if "terms" in expr:  # already resolved (HCL mode evaluates the expression itself)
            return list(expr["terms"])
        refs = expr.get("references")
        if isinstance(refs, list) and refs:
            return self.references(refs, ctx, depth)
        return [Unk("computed by an expression the plan does not record (a function call or a local)")]

    def references(self, refs: list[str], ctx: Context, depth: int = 0) -> list[Term]:
        """The terms a list of references stands for, resolved once per (references, context):
        a large plan names the same group from thousands of rules."""
        key = (tuple(refs), ctx.module, ctx.key, id(ctx.for_each) if ctx.for_each is not None else None, depth)
        hit = self._resolved.get(key)
        if hit is None:
            hit = self._resolved[key] = self._references(refs, ctx, depth)
        return list(hit)  # callers extend what they get

    def _references(self, refs: list[str], ctx: Context, depth: int = 0) -> list[Term]:
        if depth > 24:
            return [Unk("reference chain too deep")]
        raw = tuple(r for r in refs if isinstance(r, str))
        modifiers = {r for r in raw if r in _MODIFIERS}
        out: list[Term] = []
        maximal = list(_maximal(raw))
        if maximal and all(ref in modifiers for ref in maximal):
            return [Unk(f"{', '.join(maximal)}: the for_each/count value is not recorded in plan JSON")]
        unread_each: list[Term] = []  # each.value parts plan JSON does not record
        if "each.value" in maximal and not any(_bare(r) for r in maximal if r not in modifiers):
            # each.value indexes nothing here (every other reference is complete, as in
            # ``lookup(each.value, "id", null) == "self" ? aws_security_group.this[0].id :
            # lookup(...)``): it is a value of its own, which the result may be
            value = self._each_value([], "each.value", ctx, depth) if ctx.for_each is not None \
                else [Unk("each.value: the for_each value is not recorded in plan JSON")]
            out.extend(value)
            unread_each += [t for t in value if isinstance(t, Unk)]
        skipped = set(modifiers)
        picks = modifiers & {"count.index", "each.key"}
        if picks and sum(1 for r in maximal if r not in modifiers) > 1:
            # x[count.index] records [x, count.index]; with another value beside them the index
            # may be computed from it (x[local.rules[count.index].tier], x[length(x) - 1 - ...])
            modifiers = (modifiers - picks) | {_COMPUTED_INDEX}
        for ref in maximal:
            if ref in skipped:
                continue
            parts = parse_ref(ref)
            if not parts:
                out.append(Unk(f"cannot follow reference {ref}"))
                continue
            got = self._follow(parts, ref, modifiers, ctx, depth)
            if parts[0] == "each":
                unread_each += [t for t in got if isinstance(t, Unk)]
            out.extend(got)
        if unread_each and not any(_bare(r) for r in maximal if not r.startswith("each.")):
            # which of the expression's references it takes depends on that each.value (the
            # other branch of ``each.value.source == "self" ? aws_security_group.this[0].id :
            # each.value.source`` is not its value): none of them is known to be it
            return unread_each
        return out

    def _follow(self, parts: list, ref: str, modifiers: set[str], ctx: Context, depth: int) -> list[Term]:
        head = parts[0]
        if head == "each" and len(parts) >= 2 and parts[1] == "value" and ctx.for_each is not None:
            return self._each_value(parts[2:], ref, ctx, depth)
        if head == "var" and len(parts) >= 2:
            return self._variable(parts[1], [p.key if isinstance(p, Idx) else p for p in parts[2:]], ctx, depth)
        if head == "module" and len(parts) >= 2:
            return self._module_output(parts, ref, modifiers, ctx, depth)
        if head == "data" and len(parts) >= 3:
            return self._resource("data", parts[1], parts[2], parts[3:], ref, modifiers, ctx)
        if head == "local":
            return [Unk(f"{ref}: locals are not recorded in plan JSON")]
        if head in ("each", "count"):
            return [Unk(f"{ref}: depends on a for_each value that plan JSON does not record")]
        if head in _SPECIAL:
            return [Unk(f"cannot follow {ref}")]
        if len(parts) >= 2 and isinstance(parts[1], str):
            return self._resource("managed", head, parts[1], parts[2:], ref, modifiers, ctx)
        return [Unk(f"cannot follow {ref}")]

    def _each_value(self, rest: list, ref: str, ctx: Context, depth: int) -> list[Term]:
        """``each.value...`` when for_each is a literal map, a root variable, or a whole
        resource or module (``for_each = module.svc``: each.value is that key's instance)."""
        expr = _dict(ctx.for_each)
        plain = [p.key if isinstance(p, Idx) else p for p in rest]
        if "constant_value" in expr:
            value = expr["constant_value"]
            item = value.get(ctx.key) if isinstance(value, dict) and isinstance(ctx.key, str) else \
                (ctx.key if isinstance(value, list) else None)
            return [Lit(_index(item, plain))]
        refs = expr.get("references")
        roots = maximal_refs(refs if isinstance(refs, list) else [])
        if len(roots) == 1:
            parts = parse_ref(roots[0])
            if parts and parts[0] == "var" and len(parts) == 2 and not ctx.module:
                value = self.root_variables.get(parts[1])
                if isinstance(value, dict) and ctx.key in value:
                    return [Lit(_index(value[ctx.key], plain))]
            if parts and ((parts[0] == "module" and len(parts) == 2) or
                          (parts[0] not in _SPECIAL and len(parts) == 2)):
                target = ".".join(parts) + render_index(ctx.key) + "".join(
                    f"[{json.dumps(p.key)}]" if isinstance(p, Idx) else f".{p}" for p in rest)
                return self.references([target], Context(ctx.module, None), depth + 1)
        return [Unk(f"{ref}: depends on a for_each value that plan JSON does not record")]

    def _pick_key(self, keys: set[InstanceKey], explicit: Any, modifiers: set[str], ctx_key: InstanceKey,
                  ref: str) -> tuple[list[InstanceKey], Optional[str]]:
        if explicit is not None and explicit != "*":
            return [explicit], None
        if keys == {None}:
            return [None], None
        if explicit is None and _COMPUTED_INDEX in modifiers:
            ordered = sorted(keys, key=lambda k: (isinstance(k, str), k if k is not None else -1))
            if len(ordered) == 1:
                return ordered, None
            return ordered, f"{ref}: which instance its index picks is computed by an expression plan JSON does " \
                            f"not record; {ANY_OF}"
        if explicit is None:
            if "count.index" in modifiers and isinstance(ctx_key, int):
                return [ctx_key], None
            if "each.key" in modifiers and isinstance(ctx_key, str):
                return [ctx_key], None
        ordered = sorted(keys, key=lambda k: (isinstance(k, str), k if k is not None else -1))
        if explicit == "*" or explicit is None and not modifiers:
            return ordered, None  # a splat or a for expression over all instances
        return ordered, f"{ref}: cannot tell which instance; {ANY_OF}"

    def _resource(self, mode: str, typ: str, name: str, rest: list, ref: str, modifiers: set[str],
                  ctx: Context) -> list[Term]:
        module, key = ctx.module, ctx.key
        found = self.by_resource.get((module, mode, typ, name))
        if not found:
            if mode == "managed" and self.config.resource(Address(module, typ, name, None, mode)) is not None:
                # declared, with no instances (count = 0, an empty for_each): Terraform accepted
                # the reference, so it sits where it is not taken (try(), the other branch of a
                # conditional, a splat over nothing) and names nothing
                return []
            return [Unk(f"{ref}: no such resource in the plan")]
        explicit = rest[0].key if rest and isinstance(rest[0], Idx) else None
        attr = tuple(s.key if isinstance(s, Idx) else s for s in (rest[1:] if explicit is not None else rest))
        keys = {i.address.key for i in found}
        explicit = _as_key(explicit, keys)
        if explicit is not None and explicit != "*" and explicit not in keys:
            return [Unk(f"{ref}: no such instance in the plan")]
        chosen, note = self._pick_key(keys, explicit, modifiers, key, ref)
        out: list[Term] = [Res(i, attr) for i in found if i.address.key in chosen]  # sorted once, at indexing
        if not out:
            # count.index picks this instance's own key, which the referenced resource lacks: the
            # expression picks another (element(x[*].id, var.single ? 0 : count.index)), which
            # plan JSON does not record; the sources can say which
            return [Unk(f"{ref}: which instance it picks is not recorded in plan JSON")]
        if note:
            out.append(Unk(note))
        return out

    def _variable(self, name: str, rest: list, ctx: Context, depth: int) -> list[Term]:
        module = ctx.module
        if not module:
            if name in self.root_variables:
                return [Lit(_index(self.root_variables[name], rest))]
            return [Unk(f"var.{name}: no value in the plan")]
        path = tuple(s.name for s in module)
        call = self.config.call(path) or {}
        expr = _dict(call.get("expressions")).get(name)
        parent_ctx = Context(module[:-1], module[-1].key, _dict(call.get("for_each_expression")) or None)
        if expr is None:
            child = self.config.module(path) or {}
            var = _dict(_dict(child.get("variables")).get(name))
            if "default" in var:
                return [Lit(_index(var["default"], rest))]
            return [Unk(f"var.{name} of {module[-1]}: not set in the module call")]
        terms = self.expression(expr, parent_ctx, depth + 1)
        return [Lit(_index(t.value, rest)) if isinstance(t, Lit) and rest else t for t in terms]

    def _module_output(self, parts: list, ref: str, modifiers: set[str], ctx: Context, depth: int) -> list[Term]:
        module, key = ctx.module, ctx.key
        name = parts[1]
        rest = parts[2:]
        explicit = rest[0].key if rest and isinstance(rest[0], Idx) else None
        if explicit is not None:
            rest = rest[1:]
        keys = self.module_instances.get((module, name))
        if not keys:
            return [Unk(f"{ref}: the module has no resources in the plan")]
        explicit = _as_key(explicit, keys)
        if not rest:
            return [Unk(f"{ref}: a whole module object; cannot tell which output")]
        output = rest[0]
        child_cfg = self.config.module(tuple(s.name for s in module) + (name,)) or {}
        out_expr = _dict(_dict(child_cfg.get("outputs")).get(output)).get("expression")
        chosen, note = self._pick_key(keys, explicit, modifiers, key, ref)
        terms: list[Term] = []
        for k in chosen:
            terms.extend(self.expression(out_expr, Context(module + (ModuleStep(name, k),)), depth + 1))
        if note:
            terms.append(Unk(note))
        return terms


def _as_key(explicit: Any, keys: Any) -> Any:
    """``x[1]`` on instances keyed by for_each: Terraform converts the number to the string key
    "1" (an object or map is indexed by string; cty converts a number to its decimal text)."""
    if isinstance(explicit, int) and not isinstance(explicit, bool) and explicit not in keys \
            and str(explicit) in keys:
        return str(explicit)
    return explicit


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _index(value: Any, rest: list) -> Any:
    for step in rest:
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            return None
    return value


def flatten_strings(value: Any, out: list[str]) -> None:
    """The non-empty strings (and numbers, as text) of a value, depth first."""
    if isinstance(value, list):
        for v in value:
            flatten_strings(v, out)
    elif isinstance(value, str):
        if value:
            out.append(value)
    elif value is not None and not isinstance(value, (dict, bool)):
        out.append(str(value))


def path_text(path: tuple) -> str:
    """An attribute path as Terraform writes it: ``network_interface[0].security_groups``."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
