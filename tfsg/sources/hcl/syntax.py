"""The expression AST of HCL files, and how each expression evaluates (blocks: ``bodies``).

Nodes are small slotted objects with a ``line``; ``ev(env)`` computes a value (see ``values``).
``env`` resolves names: for-expression and iterator variables first, then the module scope
(``var``, ``local``, ``module``, ``data``, resource types, ``each``, ``count``, ``path``, ...).
"""

from __future__ import annotations

from typing import Any, Optional

from . import budget
from .arith import binary
from .condtypes import static_type, unified
from .values import (
    SET_ORDER_UNKNOWN,
    EvalError,
    Lazy,
    OverLimit,
    Ref,
    SetList,
    Unknown,
    UnorderedList,
    UnorderedSet,
    bounded,
    equal,
    equal_partial,
    has_mark,
    hidden,
    is_known,
    is_marked,
    mark,
    number,
    strip,
    to_bool,
    to_number,
    to_string,
    type_name,
    unknown_from,
    unmark,
    unordered,
)


class Env:
    """Names visible to an expression: local bindings over a module scope."""

    __slots__ = ("scope", "names")

    def __init__(self, scope: Any, names: Optional[dict] = None) -> None:
        self.scope = scope
        self.names = names or {}

    def bind(self, **names: Any) -> "Env":
        merged = dict(self.names)
        merged.update(names)
        return Env(self.scope, merged)

    def lookup(self, name: str, line: int) -> Any:
        if name in self.names:
            return self.names[name]
        return self.scope.root(name, line)


class Node:
    __slots__ = ("line",)
    line: int  # set by every subclass's __init__

    def ev(self, env: Env) -> Any:  # pragma: no cover - interface
        raise NotImplementedError


class Literal(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any, line: int) -> None:
        self.value, self.line = value, line

    def ev(self, env: Env) -> Any:
        return self.value


class Template(Node):
    """A quoted string or heredoc: literal text, interpolations and ``%{if}``/``%{for}`` directives."""

    __slots__ = ("parts",)

    def __init__(self, parts: list, line: int) -> None:
        self.parts, self.line = parts, line

    def ev(self, env: Env) -> Any:
        parts = self.parts
        if len(parts) == 1 and isinstance(parts[0], Node):
            return parts[0].ev(env)  # "${x}" is x itself, not converted to a string
        if len(parts) == 3 and parts[1] == "/" and isinstance(parts[0], Node) and isinstance(parts[2], Node):
            owner, ident = parts[0].ev(env), parts[2].ev(env)
            account = (isinstance(owner, Ref) and isinstance(ident, Ref) and owner.address == ident.address
                       and owner.attr == ("owner_id",)) or \
                (isinstance(owner, str) and len(owner) == 12 and owner.isdigit())
            if account and isinstance(ident, Ref) and ident.attr == ("id",) and \
                    ident.address.type in ("aws_security_group", "aws_default_security_group"):
                # "${g.owner_id}/${g.id}" (or an account id, then the id): the account-qualified
                # id AWS documents for a group referenced across accounts (UserId/GroupId)
                # names that group
                return ident
        out: list[str] = []
        marked: list[bool] = []  # set by a %{if} or %{for} over a sensitive value
        bad = _render(parts, env, out, marked)
        if bad is not None:
            # "${aws_eip.nat.public_ip}/32": whatever apply makes of the address, the block's
            # prefix length is the literal text after the last interpolation
            if not isinstance(parts[-1], str):
                return bad
            literal = None  # an address template: split(",", ...) keeps it whole (addresses.py)
            if all(isinstance(p, (str, Node)) for p in parts):
                from .addresses import literal_chars

                literal = literal_chars([p if isinstance(p, str) else p.ev(env) for p in parts])
            return bounded(bad, parts[-1], literal)
        # a template holding a sensitive value is sensitive (its text is the secret, respelled)
        sensitive = bool(marked) or any(has_mark(p) for p in out)
        _guarded([True] if sensitive else [], "a string template", budget.chars, sum(map(len, out)),
                 "a string template")
        text = "".join(out)
        return mark(text) if sensitive else text


def _render(parts: list, env: Env, out: list[str], marked: list[bool]) -> Optional[Unknown]:
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Node):
            value = part.ev(env)
            budget.walk(value)
            if not is_known(value):
                return unknown_from(value, what="a string template")
            out.append(to_string(value))
        elif part[0] == "if":
            cond = part[1].ev(env)
            if not is_known(cond):
                return unknown_from(cond, what="a template %{if}")
            if not marked and has_mark(cond):
                marked.append(True)
            bad = _guarded(marked, "a template %{if}", _render, part[2] if to_bool(cond) else part[3],
                           env, out, marked)
            if bad is not None:
                return bad
        else:  # ("for", key, value, collection, body)
            _, kname, vname, coll_node, body = part
            coll = coll_node.ev(env)
            budget.walk(coll)
            if not is_known(coll):
                return unknown_from(coll, what="a template %{for}")
            if not marked and is_marked(coll):
                marked.append(True)
            budget.charge((len(coll) if isinstance(coll, (list, dict)) else 1) * (1 + budget.ast_size(body)))
            for k, v in _items(coll):
                bad = _guarded(marked, "a template %{for}", _render, body,
                               env.bind(**({kname: k, vname: v} if kname else {vname: v})), out, marked)
                if bad is not None:
                    return bad
    return None


def _guarded(marked: list, what: str, func: Any, *args: Any) -> Any:
    """``func(*args)``; once ``marked`` (what led there is sensitive), its error does not show
    it: which branch or element failed would tell the value."""
    try:
        return func(*args)
    except EvalError as exc:
        if not marked or exc.sensitive:
            raise
        raise hidden(what, exc) from None


class TupleN(Node):
    __slots__ = ("items",)

    def __init__(self, items: list, line: int) -> None:
        self.items, self.line = items, line

    def ev(self, env: Env) -> Any:
        return [plain(item.ev(env)) for item in self.items]


class ObjectN(Node):
    __slots__ = ("items",)

    def __init__(self, items: list, line: int) -> None:
        self.items, self.line = items, line  # [(str | Node, Node)]

    def ev(self, env: Env) -> Any:
        out = {}
        marked = False  # a sensitive key makes the object sensitive (a key cannot carry a mark)
        for key, value in self.items:
            if isinstance(key, Node):
                key = key.ev(env)
                if not is_known(key):
                    return unknown_from(key, what="an object key")
                marked = marked or has_mark(key)
                key = to_string(key)
            out[key] = plain(value.ev(env))
        return mark(out) if marked else out


class VarN(Node):
    __slots__ = ("name",)

    def __init__(self, name: str, line: int) -> None:
        self.name, self.line = name, line

    def ev(self, env: Env) -> Any:
        return env.lookup(self.name, self.line)


class GetAttrN(Node):
    __slots__ = ("obj", "name")

    def __init__(self, obj: Node, name: str, line: int) -> None:
        self.obj, self.name, self.line = obj, name, line

    def ev(self, env: Env) -> Any:
        return get_attr(self.obj.ev(env), self.name)


class IndexN(Node):
    __slots__ = ("obj", "key")

    def __init__(self, obj: Node, key: Node, line: int) -> None:
        self.obj, self.key, self.line = obj, key, line

    def ev(self, env: Env) -> Any:
        return index(self.obj.ev(env), self.key.ev(env))


class SplatN(Node):
    """``x[*].a`` and ``x.*.a``: apply the steps to each element (a non-list is one element)."""

    __slots__ = ("obj", "steps")

    def __init__(self, obj: Node, steps: list, line: int) -> None:
        self.obj, self.steps, self.line = obj, steps, line

    def ev(self, env: Env) -> Any:
        value = self.obj.ev(env)
        if isinstance(value, Unknown):
            return value
        marked = is_marked(value)
        value = strip(value)
        if value is None:
            return mark([]) if marked else []
        if isinstance(value, Lazy):
            value = value.as_list()
        items = value if isinstance(value, list) else [value]
        budget.charge(len(items))
        out = []
        for item in items:
            for kind, step in self.steps:
                item = get_attr(item, step) if kind == "attr" else index(item, step.ev(env))
            out.append(plain(item))
        return mark(out) if marked else out


class CallN(Node):
    __slots__ = ("name", "args", "expand")

    def __init__(self, name: str, args: list, expand: bool, line: int) -> None:
        self.name, self.args, self.expand, self.line = name, args, expand, line

    def ev(self, env: Env) -> Any:
        from .functions import call

        return call(self, env)


class CondN(Node):
    __slots__ = ("cond", "yes", "no")

    def __init__(self, cond: Node, yes: Node, no: Node, line: int) -> None:
        self.cond, self.yes, self.no, self.line = cond, yes, no, line

    def ev(self, env: Env) -> Any:
        cond = self.cond.ev(env)
        budget.walk(cond)
        if not is_known(cond):
            return unknown_from(cond, what="a condition")
        chosen, other = (self.yes, self.no) if to_bool(cond) else (self.no, self.yes)
        if has_mark(cond):  # a sensitive condition: the result is sensitive, whichever it is
            value = _guarded([True], "a conditional whose condition is sensitive", chosen.ev, env)
            return mark(self._unified(value, other, env))
        return self._unified(chosen.ev(env), other, env)

    def _unified(self, value: Any, other: Node, env: Env) -> Any:
        # both results share one type (HCL evaluates both and converts the chosen one; an error
        # of the other is dropped): ``c ? 22 : var.s`` is "22", ``c ? [22] : []`` a list(number)
        if isinstance(value, (Unknown, Ref, Lazy)) or value is None:
            return value
        try:
            other_value = other.ev(env)
        except OverLimit:
            # tfsg's own refusal (a file outside the repository, a limit): Terraform would
            # compute that result and convert this one to its type, so it is refused here too,
            # as try() and can() never hide it (values.OverLimit)
            raise
        except EvalError:
            return value
        return unified(value, other_value, lambda: static_type(other, env))


class BinN(Node):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Node, right: Node, line: int) -> None:
        self.op, self.left, self.right, self.line = op, left, right, line

    def ev(self, env: Env) -> Any:
        a, b = self.left.ev(env), self.right.ev(env)
        budget.walk(a, b)
        if has_mark(a) or has_mark(b):  # computed on the values, the result marked (cty)
            try:
                return mark(self._apply(unmark(a), unmark(b)))
            except EvalError as exc:
                raise hidden(f"the {self.op} operator", exc) from None
        return self._apply(a, b)

    def _apply(self, a: Any, b: Any) -> Any:
        op = self.op
        if op in ("==", "!=") and not (is_known(a) and is_known(b)):
            # Terraform compares what is known: a map whose values are known only after apply
            # is still not null, and two lists of different lengths still differ (cty equality)
            same = equal_partial(a, b)
            if same is not None:
                return same if op == "==" else not same
        if not (is_known(a) and is_known(b)):
            return unknown_from(a, b, what=f"the {op} operator")
        if op == "==":
            return equal(a, b)
        if op == "!=":
            return not equal(a, b)
        if op in ("&&", "||"):
            return (to_bool(a) and to_bool(b)) if op == "&&" else (to_bool(a) or to_bool(b))
        x, y = to_number(a), to_number(b)
        if op in ("+", "-", "*", "/", "%"):
            return binary(op, x, y)  # go-cty's decimal arithmetic, not float64 (arith.py)
        if op == "<":
            return x < y
        if op == ">":
            return x > y
        if op == "<=":
            return x <= y
        if op == ">=":
            return x >= y
        raise EvalError(f"unsupported operator {op}")


class UnaryN(Node):
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Node, line: int) -> None:
        self.op, self.operand, self.line = op, operand, line

    def ev(self, env: Env) -> Any:
        value = self.operand.ev(env)
        budget.walk(value)
        if not is_known(value):
            return unknown_from(value, what=f"the {self.op} operator")
        if has_mark(value):
            try:
                return mark(self._apply(unmark(value)))
            except EvalError as exc:
                raise hidden(f"the {self.op} operator", exc) from None
        return self._apply(value)

    def _apply(self, value: Any) -> Any:
        return (not to_bool(value)) if self.op == "!" else number(-to_number(value))


class ForN(Node):
    """``[for k, v in coll : value if cond]`` and ``{for k, v in coll : key => value... if cond}``."""

    __slots__ = ("kname", "vname", "coll", "key", "value", "cond", "group")

    def __init__(self, kname: Optional[str], vname: str, coll: Node, key: Optional[Node], value: Node,
                 cond: Optional[Node], group: bool, line: int) -> None:
        self.kname, self.vname, self.coll, self.key, self.value = kname, vname, coll, key, value
        self.cond, self.group, self.line = cond, group, line

    def ev(self, env: Env) -> Any:
        coll = self.coll.ev(env)
        if isinstance(coll, Lazy):
            coll = coll.as_value()
        if isinstance(coll, (Unknown, Ref)):
            return unknown_from(coll, what="a for expression's collection")
        # a sensitive collection, if or key makes the result sensitive (hcl's ForExpr)
        marked = [True] if is_marked(coll) else []
        coll = strip(coll)
        if coll is None:
            raise EvalError("a for expression over null")
        if not isinstance(coll, (list, dict)):
            raise EvalError(f"a for expression over a {type_name(coll)}")
        body = 1 + budget.ast_size(self.value) + budget.ast_size(self.key) + budget.ast_size(self.cond)
        budget.charge(len(coll) * body)  # each iteration evaluates the body once
        out = _guarded(marked, "a for expression whose collection, if or key is sensitive", self._loop, coll, env,
                       marked)
        if isinstance(coll, (UnorderedSet, UnorderedList)) and len(coll) > 1 and not isinstance(out, Unknown):
            # a set of objects (or a list only apply orders) iterates in an order tfsg does not
            # know: a list made from it has its members, not their positions; a map keyed by
            # the position does not know which element each key holds
            why = getattr(coll, "why", "") or SET_ORDER_UNKNOWN
            if self.key is None:
                out = unordered(out, why)
            elif self.kname is not None and isinstance(coll, UnorderedList):
                out = Unknown(why)
        return mark(out) if marked and not isinstance(out, Unknown) else out

    def _loop(self, coll: Any, env: Env, marked: list[bool]) -> Any:
        as_object = self.key is not None
        out_list: list = []
        out_map: dict = {}
        for k, v in _items(coll):
            inner = env.bind(**({self.kname: k, self.vname: v} if self.kname else {self.vname: v}))
            if self.cond is not None:
                keep = self.cond.ev(inner)
                if not is_known(keep):
                    return unknown_from(keep, what="a for expression's if clause")
                if not marked and has_mark(keep):
                    marked.append(True)  # what is kept tells the value, and so does a later error
                if not to_bool(keep):
                    continue
            value = plain(self.value.ev(inner))
            budget.charge(budget.weight(value))  # each iteration's work: what it made
            if not as_object:
                out_list.append(value)
                continue
            key = self.key.ev(inner)  # type: ignore[union-attr]  # as_object: self.key is set
            if not is_known(key):
                return unknown_from(key, what="a for expression's key")
            if not marked and has_mark(key):
                marked.append(True)
            key = to_string(key)
            if self.group:
                out_map.setdefault(key, []).append(value)
            elif key in out_map:
                raise EvalError(f"duplicate key {key!r} in a for expression (use ... to group)")
            else:
                out_map[key] = value
        return out_map if as_object else out_list


def _items(coll: Any) -> list[tuple[Any, Any]]:
    """Iteration order Terraform uses: lists by index, maps by key in lexical order, sets by
    element with the element as its key."""
    if isinstance(coll, dict):
        return sorted(coll.items())
    if isinstance(coll, SetList):
        return [(v, v) for v in coll]
    return list(enumerate(coll))


def plain(value: Any) -> Any:
    """A lazy object stored inside a collection becomes a value (a resource: its Ref)."""
    return value.as_value() if isinstance(value, Lazy) else value


def get_attr(value: Any, name: str) -> Any:
    if is_marked(value):  # what is read from a sensitive object is sensitive
        try:
            return mark(get_attr(strip(value), name))
        except EvalError as exc:
            raise hidden(f"reading {name!r}", exc) from None
    if isinstance(value, dict):
        if name in value:
            return value[name]
        raise EvalError(f"this object has no attribute {name!r}")
    if isinstance(value, Lazy):
        return value.attr(name)
    if isinstance(value, Ref):
        return Ref(value.address, value.attr + (name,))
    if isinstance(value, Unknown):
        return value
    if value is None:
        raise EvalError(f"cannot read attribute {name!r} of a null value")
    if isinstance(value, list):
        raise EvalError(f"cannot read attribute {name!r} of a list (use [*].{name} or an index)")
    raise EvalError(f"cannot read attribute {name!r} of a {type_name(value)}")


def index(value: Any, key: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(key, Lazy):
        key = key.as_value()
    budget.walk(key)
    if not is_known(key):
        return unknown_from(key, what="an index")
    if is_marked(value) or has_mark(key):  # a sensitive collection or key: a sensitive element
        try:
            return mark(index(strip(value), unmark(key)))
        except EvalError as exc:
            raise hidden("an index", exc) from None
    if isinstance(value, Lazy):
        return value.index(key)
    if isinstance(value, Ref):
        return Ref(value.address, value.attr + (key,))
    if isinstance(value, list):
        i = to_number(key)
        if not isinstance(i, int) or not 0 <= i < len(value):
            raise EvalError(f"index {key} is out of range for a list of {len(value)}")
        if isinstance(value, UnorderedList) and len(value) > 1:
            return Unknown(value.why)
        return value[i]
    if isinstance(value, dict):
        k = to_string(key)
        if k not in value:
            raise EvalError(f"no element {k!r} in this map")
        return value[k]
    if value is None:
        raise EvalError("cannot index a null value")
    raise EvalError(f"cannot index a {type_name(value)}")
