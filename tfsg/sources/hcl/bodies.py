"""Bodies of HCL blocks: attributes and nested blocks, evaluated as plan JSON shows a resource.

``safe`` is where an expression's error (what Terraform would reject) becomes an unknown naming
its file:line, and where what is nested past the stack or over a limit stops the input.
"""

from __future__ import annotations

from typing import Any

from . import budget
from .syntax import Env, GetAttrN, Node, VarN, _items, plain
from .values import Blocks, EvalError, Failure, Lazy, OverLimit, Ref, Unknown, first_unknown, is_marked, mark, strip


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
    """Evaluate; what Terraform would reject becomes an Unknown naming file:line and the problem,
    except a function that fails on known arguments, which is refused (exit 2 at file:line), as
    Terraform refuses it ("Call to function ... failed"; an unknown would only warn).

    Values nested or references chained deeper than Python's stack are an input error (exit 2
    naming the file:line), as a plan nested too deeply is: fail closed, never a partial read."""
    budget.trim()
    try:
        value = node.ev(env)
        budget.account(node, value)  # the syntax it visited, the walks over the value to come
        if isinstance(value, Failure) and not value.reason.startswith(f"{file}:"):
            value = Failure(f"{file}:{node.line}: {value.reason}")  # where it failed
        return value
    except OverLimit as exc:
        from ...errors import InputError

        raise InputError(str(exc), f"{file}:{node.line}") from None
    except OverflowError:  # float arithmetic past 1e308 on numbers number-digits allows
        from ...errors import InputError

        raise InputError("a number too large to compute (past 1e308)", f"{file}:{node.line}") from None
    except EvalError as exc:
        if exc.refused:  # a function failing on known arguments: Terraform reports the error, no plan
            from ...errors import InputError

            raise InputError(f"{exc}; Terraform refuses the configuration", f"{file}:{node.line}") from None
        return Failure(f"{file}:{node.line}: {exc}")
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
    marked = is_marked(coll)  # every block made from a sensitive collection is sensitive
    coll = strip(coll)
    if coll is None:
        return
    if isinstance(coll, (Unknown, Ref)) or not isinstance(coll, (list, dict)):
        found = first_unknown(coll)
        reason = found.reason if found is not None else f"for_each is a {type(coll).__name__}"
        blocks.append(Unknown(f"{file}:{block.line}: dynamic {label!r} for_each: {reason}"))
        return
    for k, v in _items(coll):
        made = eval_body(content.body, env.bind(**{iterator: {"key": mark(k) if marked else k, "value": v}}), file)
        blocks.append(mark(made) if marked else made)


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
