"""``ephemeralasnull(x)`` (Terraform 1.10+): null for what in ``x`` is ephemeral, the rest as is.

Terraform docs, "ephemeralasnull Function": it "takes a value of any type and returns a similar
value of the same type with any ephemeral values replaced with non-ephemeral null values and all
non-ephemeral values preserved". Ephemeral values come only from ``ephemeral = true`` input
variables, ``ephemeral`` resource blocks, ephemeral module outputs and ``terraform.applying``
(docs "Ephemerality in resources", "References to Values"); the mark then travels as the
sensitive mark does (cty marks): the result of an operation or of a function call on a marked
value is marked, a conditional whose condition is marked is, a collection literal keeps each
element's own mark.

tfsg does not carry an ephemeral mark on values; it reads where the argument's value comes from
in the syntax instead (``origin``): NONE (no ephemeral source reaches it: the value as is),
WHOLE (the value itself is certainly marked: null), MAYBE (a part may be: an unknown, never a
guess). A tuple or object literal, a ``"${x}"`` and a local are followed element by element,
so ``ephemeralasnull({ a = var.e, b = "x" })`` is ``{ a = null, b = "x" }``.

The calls are found when a module's files are read (``Loader.module``: each
``ephemeralasnull(...)`` call node becomes an ``EphemeralAsNullN``); a call in a template
rendered by ``templatefile`` is not, and stays "not evaluated" (an unknown).
"""

from __future__ import annotations

import os
from typing import Any, Optional

from .bodies import Attribute, Block, Body
from .modules import Loader, ModuleConfig
from .syntax import (
    BinN,
    CallN,
    CondN,
    Env,
    ForN,
    GetAttrN,
    IndexN,
    Literal,
    Node,
    ObjectN,
    SplatN,
    Template,
    TupleN,
    UnaryN,
    VarN,
    plain,
)
from .values import Unknown, has_mark, is_known, is_marked, mark, to_string, unknown_from

NONE, WHOLE, MAYBE = 0, 1, 2
_NAMES = ("ephemeralasnull", "core::ephemeralasnull")


class EphemeralAsNullN(CallN):
    """An ``ephemeralasnull(x)`` call: evaluated with its argument's syntax at hand."""

    __slots__ = ()

    def ev(self, env: Env) -> Any:
        if len(self.args) != 1 or self.expand:
            return super().ev(env)  # the function's own arity error / "not evaluated"
        return as_null(self.args[0], env)


class EphemeralLoader(Loader):
    """The Loader whose modules have their ``ephemeralasnull`` calls bound (``EphemeralAsNullN``)."""

    def module(self, directory: str) -> ModuleConfig:
        fresh = os.path.normpath(directory) not in self.configs
        config = super().module(directory)
        if fresh:
            bind_calls(config)
        return config


def bind_calls(config: ModuleConfig) -> None:
    """Make each ``ephemeralasnull(...)`` call node of the module an ``EphemeralAsNullN`` (the
    same slots: only its class changes), and note whether the module names
    ``terraform.applying`` or an ``ephemeral`` resource (``sources``)."""
    stack: list[Any] = [list(config.variables.values()), [a for a, _ in config.locals.values()],
                        list(config.resources.values()), list(config.modules.values()),
                        list(config.outputs.values()), config.provider_configs]
    found = False
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, Block):
            stack.append(item.body)
        elif isinstance(item, Body):
            stack.append(list(item.attrs.values()))
            stack.append(item.blocks)
        elif isinstance(item, Attribute):
            stack.append(item.expr)
        elif isinstance(item, Node):
            if type(item) is CallN and item.name in _NAMES:
                item.__class__ = EphemeralAsNullN
            if isinstance(item, VarN) and item.name == "ephemeral" or \
                    isinstance(item, GetAttrN) and item.name == "applying" and \
                    isinstance(item.obj, VarN) and item.obj.name == "terraform":
                found = True
            for cls in type(item).__mro__:
                for slot in getattr(cls, "__slots__", ()):
                    part = getattr(item, slot, None)
                    if isinstance(part, (Node, list, tuple)):
                        stack.append(part)
    _SOURCES[id(config)] = (config, found)


_SOURCES: dict[int, tuple[ModuleConfig, bool]] = {}  # config -> does it name an ephemeral source


def as_null(node: Node, env: Env, locals_: frozenset = frozenset()) -> Any:
    """``ephemeralasnull(node)``; ``locals_``: the locals followed so far (a cycle is evaluated
    as written, where the locals' own evaluation reports it)."""
    if isinstance(node, TupleN):
        return [plain(as_null(item, env, locals_)) for item in node.items]
    if isinstance(node, ObjectN):
        return _object(node, env, locals_)
    if isinstance(node, Template) and len(node.parts) == 1 and isinstance(node.parts[0], Node):
        return as_null(node.parts[0], env, locals_)  # "${x}" is x
    local = _local(node, env)
    if local is not None and id(local) not in locals_:
        # a local's own expression, in its module's scope
        return as_null(local, Env(env.scope), locals_ | {id(local)})
    value = node.ev(env)
    found = origin(node, env, {}, set())
    if found == NONE:
        return value
    if found == WHOLE:  # null, keeping the value's other mark (sensitive)
        return mark(None) if is_marked(value) else None
    return Unknown("ephemeralasnull(): which parts of the value are ephemeral is not tracked by tfsg here")


def _object(node: ObjectN, env: Env, locals_: frozenset) -> Any:
    out = {}
    marked = False
    for key, value in node.items:
        if isinstance(key, Node):
            kind = origin(key, env, {}, set())
            key = key.ev(env)
            if not is_known(key):
                return unknown_from(key, what="an object key")
            if kind == WHOLE:  # an ephemeral key marks the whole object (hcl ObjectConsExpr)
                return mark(None) if has_mark(key) else None
            if kind == MAYBE:
                return Unknown("ephemeralasnull(): whether an object key is ephemeral is not tracked by tfsg here")
            marked = marked or has_mark(key)
            key = to_string(key)
        out[key] = plain(as_null(value, env, locals_))
    return mark(out) if marked else out


def _local(node: Node, env: Env) -> Optional[Node]:
    """The expression of ``local.NAME`` when ``node`` is one (and ``local`` is not a bound name)."""
    config = getattr(env.scope, "config", None)
    if isinstance(node, GetAttrN) and isinstance(node.obj, VarN) and node.obj.name == "local" \
            and "local" not in env.names and config is not None and node.name in config.locals:
        return config.locals[node.name][0].expr
    return None


def _worst(kinds: list[int]) -> int:
    return max(kinds, default=NONE)


def origin(node: Any, env: Env, bound: dict[str, int], seen: set[int]) -> int:
    """How ephemeral ``node``'s value is: NONE, WHOLE (certainly marked itself) or MAYBE.
    ``bound``: names bound inside the argument (a ``for``'s variables)."""
    if node is None or isinstance(node, Literal):
        return NONE
    if isinstance(node, VarN):
        if node.name in bound:
            return bound[node.name]
        if node.name in env.names:  # each, count, an outer for's or dynamic block's variable
            return MAYBE if _has_sources(env) else NONE
        return MAYBE if node.name in ("var", "local", "module", "terraform", "ephemeral") else NONE
    if isinstance(node, GetAttrN) and isinstance(node.obj, VarN) and node.obj.name not in bound \
            and node.obj.name not in env.names:
        return _root_attr(node.obj.name, node.name, env, seen)
    if isinstance(node, GetAttrN):
        return origin(node.obj, env, bound, seen)
    if isinstance(node, IndexN):
        return _combine([origin(node.obj, env, bound, seen), origin(node.key, env, bound, seen)])
    if isinstance(node, SplatN):
        base = origin(node.obj, env, bound, seen)
        keys = [origin(step, env, bound, seen) for kind, step in node.steps if kind != "attr"]
        return WHOLE if base == WHOLE else MAYBE if base == MAYBE or any(keys) else NONE
    if isinstance(node, (BinN, UnaryN)):  # `false && var.e == ""` too: checked, null
        parts = [node.left, node.right] if isinstance(node, BinN) else [node.operand]
        return _combine([origin(p, env, bound, seen) for p in parts])
    if isinstance(node, CondN):
        # the result carries the marks of the condition and of both results (checked with
        # terraform console: ephemeralasnull(true ? "x" : var.e) is null)
        return _combine([origin(n, env, bound, seen) for n in (node.cond, node.yes, node.no)])
    if isinstance(node, CallN):
        return _call(node, env, bound, seen)
    if isinstance(node, Template):
        return _template(node.parts, env, bound, seen, True)
    if isinstance(node, TupleN):
        return NONE if all(origin(i, env, bound, seen) == NONE for i in node.items) else MAYBE
    if isinstance(node, ObjectN):
        keys = [origin(k, env, bound, seen) for k, _ in node.items if isinstance(k, Node)]
        if WHOLE in keys:
            return WHOLE
        values = [origin(v, env, bound, seen) for _, v in node.items]
        return NONE if not any(keys) and not any(values) else MAYBE
    if isinstance(node, ForN):
        coll = origin(node.coll, env, bound, seen)
        if coll == WHOLE:
            return WHOLE
        inner = {**bound, node.vname: coll, **({node.kname: coll} if node.kname else {})}
        body = [origin(n, env, inner, seen) for n in (node.key, node.value, node.cond)]
        return NONE if coll == NONE and not any(body) else MAYBE
    return MAYBE  # syntax this reading does not know: not a guess


def _combine(kinds: list[int]) -> int:
    """An operation's result: marked when an operand is (cty); MAYBE when one may hold a mark."""
    return WHOLE if WHOLE in kinds else _worst(kinds)


def _root_attr(root: str, name: str, env: Env, seen: set[int]) -> int:
    config = getattr(env.scope, "config", None)
    if root == "var":
        block = config.variables.get(name) if config is not None else None
        if block is None:
            return MAYBE if config is None else NONE
        return WHOLE if _flag(block) is True else NONE  # an ephemeral variable's value is marked, whatever it is
    if root == "local":
        if config is None or name not in config.locals:
            return MAYBE
        attr = config.locals[name][0]
        if id(attr) in seen:
            return MAYBE
        return origin(attr.expr, Env(env.scope), {}, seen | {id(attr)})
    if root == "module":
        return MAYBE if _ephemeral_outputs(env) else NONE
    if root == "terraform":
        return WHOLE if name == "applying" else NONE  # terraform.applying is ephemeral
    if root == "ephemeral":
        return WHOLE  # an ephemeral resource's attributes are ephemeral
    return NONE  # a managed resource's or data source's attribute, path.*: never ephemeral


def _call(node: CallN, env: Env, bound: dict[str, int], seen: set[int]) -> int:
    if node.name in _NAMES:
        return NONE
    kinds = [origin(a, env, bound, seen) for a in node.args]
    if node.name == "try" and kinds and all(k == WHOLE for k in kinds):
        return WHOLE
    if node.name in ("can", "issensitive"):
        return NONE  # a bool without the argument's mark (checked: ephemeralasnull(can(var.e)) is true)
    if node.name == "try":
        return NONE if not any(kinds) else MAYBE  # which argument is used
    # a function's result carries the marks of its arguments (cty function.Call: however deep
    # unless the function allows marks, as the STRUCTURAL ones do, which keep the elements' own:
    # then an argument marked deep only may or may not mark the result, MAYBE either way)
    return _combine(kinds)


def _template(parts: list, env: Env, bound: dict[str, int], seen: set[int], direct: bool) -> int:
    kinds = []
    for part in parts:
        if isinstance(part, str):
            continue
        if isinstance(part, Node):
            kind = origin(part, env, bound, seen)
            kinds.append(kind if direct else MAYBE if kind else NONE)
        elif part[0] == "if":  # a conditional: both branches' marks (checked: "a%{if false}${var.e}%{endif}")
            kinds += [origin(part[1], env, bound, seen), _template(part[2], env, bound, seen, direct),
                      _template(part[3], env, bound, seen, direct)]
        else:  # ("for", key, value, collection, body): its body marks only if it runs
            _, kname, vname, coll_node, body = part
            coll = origin(coll_node, env, bound, seen)
            kinds.append(coll if direct or not coll else MAYBE)
            inner = {**bound, vname: coll, **({kname: coll} if kname else {})}
            kinds.append(_template(body, env, inner, seen, False))
    return _combine(kinds)


def _has_sources(env: Env) -> bool:
    """May a name bound in this module (``each``, a ``for``'s variable) hold an ephemeral value:
    the module declares an ephemeral variable, names ``terraform.applying`` or an ephemeral
    resource, or calls modules one of which has an ephemeral output?"""
    config = getattr(env.scope, "config", None)
    if config is None:
        return True
    entry = _SOURCES.get(id(config))
    named = entry[1] if entry is not None and entry[0] is config else True
    ephemeral_vars = any(_flag(b) is True for b in config.variables.values())
    return named or ephemeral_vars or bool(config.modules) and _ephemeral_outputs(env)


def _ephemeral_outputs(env: Env) -> bool:
    """Does a module read so far declare an output that may be ephemeral (``ephemeral`` not
    literally false)?"""
    loader = getattr(env.scope, "loader", None)
    configs = getattr(loader, "configs", None)
    if configs is None:
        return True
    return any("ephemeral" in b.body.attrs and _flag(b) is not False for c in configs.values()
               for b in c.outputs.values())


def _flag(block: Block) -> Any:
    """The literal value of a block's ``ephemeral`` argument (None when not written)."""
    return getattr(getattr(block.body.attrs.get("ephemeral"), "expr", None), "value", None)
