"""The expression and body AST of HCL files, and how each expression evaluates.

Nodes are small slotted objects with a ``line``; ``ev(env)`` computes a value (see ``values``).
``env`` resolves names: for-expression and iterator variables first, then the module scope
(``var``, ``local``, ``module``, ``data``, resource types, ``each``, ``count``, ``path``, ...).
"""

from __future__ import annotations

from typing import Any, Optional

from . import budget
from .values import (
    Blocks,
    EvalError,
    Lazy,
    OverLimit,
    Ref,
    SetList,
    Unknown,
    equal,
    equal_partial,
    first_unknown,
    has_mark,
    is_known,
    mark_sensitive,
    number,
    to_bool,
    to_number,
    to_string,
    unify,
    unknown_from,
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
        out: list[str] = []
        bad = _render(parts, env, out)
        if bad is not None:
            return bad
        budget.chars(sum(map(len, out)), "a string template")
        text = "".join(out)
        # a template holding a sensitive value is sensitive (its text is the secret, respelled)
        return mark_sensitive(text) if any(has_mark(p) for p in out) else text


def _render(parts: list, env: Env, out: list[str]) -> Optional[Unknown]:
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
            bad = _render(part[2] if to_bool(cond) else part[3], env, out)
            if bad is not None:
                return bad
        else:  # ("for", key, value, collection, body)
            _, kname, vname, coll_node, body = part
            coll = coll_node.ev(env)
            budget.walk(coll)
            if not is_known(coll):
                return unknown_from(coll, what="a template %{for}")
            budget.charge((len(coll) if isinstance(coll, (list, dict)) else 1) * (1 + budget.ast_size(body)))
            for k, v in _items(coll):
                bad = _render(body, env.bind(**({kname: k, vname: v} if kname else {vname: v})), out)
                if bad is not None:
                    return bad
    return None


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
        for key, value in self.items:
            if isinstance(key, Node):
                key = key.ev(env)
                if not is_known(key):
                    return unknown_from(key, what="an object key")
                key = to_string(key)
            out[key] = plain(value.ev(env))
        return out


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
        if value is None:
            return []
        if isinstance(value, Lazy):
            value = value.as_list()
        items = value if isinstance(value, list) else [value]
        budget.charge(len(items))
        out = []
        for item in items:
            for kind, step in self.steps:
                item = get_attr(item, step) if kind == "attr" else index(item, step.ev(env))
            out.append(plain(item))
        return out


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
        value = chosen.ev(env)
        # both results share one type: ``c ? 22 : "any"`` is "22" (mixed primitives as strings);
        # known without evaluating it only when the other result is a constant
        constant = _constant(other)
        if constant is not _NOT_CONSTANT and constant is not None and is_known(value) \
                and isinstance(value, (str, int, float)) and not isinstance(constant, (list, dict)):
            value = unify([value, constant])[0]
        return value


_NOT_CONSTANT = object()


def _constant(node: Node) -> Any:
    """A literal's value, or a template's text when it has no interpolation."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Template) and all(isinstance(p, str) for p in node.parts):
        return "".join(node.parts)
    return _NOT_CONSTANT


class BinN(Node):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Node, right: Node, line: int) -> None:
        self.op, self.left, self.right, self.line = op, left, right, line

    def ev(self, env: Env) -> Any:
        a, b = self.left.ev(env), self.right.ev(env)
        budget.walk(a, b)
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
        if op == "+":
            return number(x + y)
        if op == "-":
            return number(x - y)
        if op == "*":
            return number(x * y)
        if op == "/":
            if y == 0:
                raise EvalError("division by zero")
            return number(x / y)
        if op == "%":
            if y == 0:
                raise EvalError("division by zero")
            return number(x % y)
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
        if coll is None:
            raise EvalError("a for expression over null")
        if not isinstance(coll, (list, dict)):
            raise EvalError(f"a for expression over a {type(coll).__name__}")
        as_object = self.key is not None
        out_list: list = []
        out_map: dict = {}
        body = 1 + budget.ast_size(self.value) + budget.ast_size(self.key) + budget.ast_size(self.cond)
        budget.charge(len(coll) * body)  # each iteration evaluates the body once
        for k, v in _items(coll):
            inner = env.bind(**({self.kname: k, self.vname: v} if self.kname else {self.vname: v}))
            if self.cond is not None:
                keep = self.cond.ev(inner)
                if not is_known(keep):
                    return unknown_from(keep, what="a for expression's if clause")
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
    raise EvalError(f"cannot read attribute {name!r} of a {type(value).__name__}")


def index(value: Any, key: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(key, Lazy):
        key = key.as_value()
    budget.walk(key)
    if not is_known(key):
        return unknown_from(key, what="an index")
    if isinstance(value, Lazy):
        return value.index(key)
    if isinstance(value, Ref):
        return Ref(value.address, value.attr + (key,))
    if isinstance(value, list):
        i = to_number(key)
        if not isinstance(i, int) or not 0 <= i < len(value):
            raise EvalError(f"index {key} is out of range for a list of {len(value)}")
        return value[i]
    if isinstance(value, dict):
        k = to_string(key)
        if k not in value:
            raise EvalError(f"no element {k!r} in this map")
        return value[k]
    if value is None:
        raise EvalError("cannot index a null value")
    raise EvalError(f"cannot index a {type(value).__name__}")


# ---------------------------------------------------------------------- bodies

class Attribute:
    __slots__ = ("name", "expr", "line")

    def __init__(self, name: str, expr: Node, line: int) -> None:
        self.name, self.expr, self.line = name, expr, line


class Block:
    __slots__ = ("type", "labels", "body", "line", "file")

    def __init__(self, type: str, labels: list[str], body: "Body", line: int, file: str) -> None:
        self.type, self.labels, self.body, self.line, self.file = type, labels, body, line, file


class Body:
    __slots__ = ("attrs", "blocks")

    def __init__(self, attrs: dict[str, Attribute], blocks: list[Block]) -> None:
        self.attrs, self.blocks = attrs, blocks

    def written(self) -> set[str]:
        """Attribute and block names written here (a ``dynamic "x"`` block writes ``x``)."""
        names = set(self.attrs)
        for b in self.blocks:
            names.add(b.labels[0] if b.type == "dynamic" and b.labels else b.type)
        return names


def safe(node: Node, env: Env, file: str) -> Any:
    """Evaluate; what Terraform would reject becomes an Unknown naming file:line and the problem.

    Values nested or references chained deeper than Python's stack are an input error (exit 2
    naming the file:line), as a plan nested too deeply is: fail closed, never a partial read."""
    budget.trim()
    try:
        value = node.ev(env)
        budget.account(node, value)  # the syntax it visited, the walks over the value to come
        return value
    except OverLimit as exc:
        from ...errors import InputError

        raise InputError(str(exc), f"{file}:{node.line}") from None
    except OverflowError:  # float arithmetic past 1e308 on numbers number-digits allows
        from ...errors import InputError

        raise InputError("a number too large to compute (past 1e308)", f"{file}:{node.line}") from None
    except EvalError as exc:
        return Unknown(f"{file}:{node.line}: {exc}")
    except budget.Exhausted as exc:
        exc.where = exc.where or f"{file}:{node.line}"  # the innermost place it ran out
        raise
    except RecursionError:
        from ...errors import InputError

        raise InputError("expressions, values or references nested too deeply to evaluate (hundreds of "
                         "levels)", f"{file}:{node.line}") from None


def eval_body(body: Body, env: Env, file: str, skip: frozenset = frozenset()) -> dict:
    """A block body as plan JSON shows it: attributes, and nested blocks as lists (``Blocks``)."""
    out: dict[str, Any] = {}
    for name, attr in body.attrs.items():
        if name not in skip:
            out[name] = plain(safe(attr.expr, env, file))
    for block in body.blocks:
        if block.type in skip:
            continue
        if block.type == "dynamic":
            _dynamic(block, env, file, out)
        else:
            out.setdefault(block.type, Blocks()).append(eval_body(block.body, env, file))
    return out


def _dynamic(block: Block, env: Env, file: str, out: dict) -> None:
    """``dynamic "label" { for_each, iterator, content { } }``: one block per element."""
    label = block.labels[0] if block.labels else "dynamic"
    blocks = out.setdefault(label, Blocks())
    for_each = block.body.attrs.get("for_each")
    content = next((b for b in block.body.blocks if b.type == "content"), None)
    if for_each is None or content is None:
        blocks.append(Unknown(f"{file}:{block.line}: dynamic {label!r} without for_each or content"))
        return
    iterator = label
    it_attr = block.body.attrs.get("iterator")
    if it_attr is not None and isinstance(it_attr.expr, VarN):
        iterator = it_attr.expr.name
    coll = safe(for_each.expr, env, file)
    if isinstance(coll, Lazy):
        coll = coll.as_value()
    if coll is None:
        return
    if isinstance(coll, (Unknown, Ref)) or not isinstance(coll, (list, dict)):
        found = first_unknown(coll)
        reason = found.reason if found is not None else f"for_each is a {type(coll).__name__}"
        blocks.append(Unknown(f"{file}:{block.line}: dynamic {label!r} for_each: {reason}"))
        return
    for k, v in _items(coll):
        blocks.append(eval_body(content.body, env.bind(**{iterator: {"key": k, "value": v}}), file))


def variables_read(block: Block) -> frozenset:
    """The ``var.NAME`` a block reads anywhere in its body (its arguments, nested and dynamic
    blocks, count and for_each): which module call arguments feed a resource."""
    out: set[str] = set()
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, GetAttrN) and isinstance(node.obj, VarN) and node.obj.name == "var":
            out.add(node.name)
            return
        if isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)
        elif isinstance(node, (Node, Attribute, Block, Body)):
            for cls in type(node).__mro__:
                for slot in getattr(cls, "__slots__", ()):
                    if slot != "line" and hasattr(node, slot):
                        walk(getattr(node, slot))

    walk(block.body)
    return frozenset(out)
