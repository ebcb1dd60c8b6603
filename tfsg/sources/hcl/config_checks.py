"""Configurations Terraform refuses at plan that tfsg would otherwise read as a network, and
attributes that failed to evaluate.

- A variable's ``validation`` block whose condition is false: "Invalid value for variable"
  (Terraform language, "Custom Conditions": input variable validation; since Terraform 1.9 a
  condition may refer to other variables). Refused only when the condition evaluates cleanly to
  false: unknown, an error or a function tfsg lacks is not a refusal.
- An ``ephemeral = true`` variable (Terraform 1.10+) reaching a resource argument that is not
  write-only: "Invalid use of ephemeral value" (such values are never persisted to state).
- An attribute whose expression failed (``values.Failure``): an unknown with the reason, not a
  silent null (a plan would hold its value).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Optional

from ...errors import InputError
from ...model import Unknown as UnknownRecord
from .bodies import Attribute, Block, Body
from .syntax import CallN, CondN, ForN, GetAttrN, Node, VarN
from .values import EvalError, Failure, Ref, has_mark, is_known, to_bool, unmark

_REFUSED = "Terraform refuses the plan"


def check_validations(modules: Iterable[Any]) -> None:
    """Every variable's validation rules, in every module instance (Terraform checks them all)."""
    for module in modules:
        for name, block in sorted(module.config.variables.items()):
            for rule in (b for b in block.body.blocks if b.type == "validation"):
                condition = rule.body.attrs.get("condition")
                if condition is None or _evaluated(condition.expr, module.env) is not False:
                    continue
                shown = ""
                message = rule.body.attrs.get("error_message")
                text = _value(message.expr, module.env) if message is not None else None
                if isinstance(text, str) and not has_mark(text):  # a sensitive message is not shown
                    shown = f": {json.dumps(text[:300], ensure_ascii=False)}"
                raise InputError(f'Invalid value for variable "{name}" (the validation rule at '
                                 f"{rule.file}:{rule.line} is false){shown}; {_REFUSED}", f"{block.file}:{block.line}")


def _value(expr: Node, env: Any) -> Any:
    try:
        value = expr.ev(env)
    except (EvalError, RecursionError):
        return None
    return value if is_known(value) else None


def _evaluated(expr: Node, env: Any) -> Optional[bool]:
    """The condition's bool, or None when it is not known or does not evaluate."""
    value = _value(expr, env)
    if value is None:
        return None
    try:
        return to_bool(unmark(value))
    except EvalError:
        return None


# ---------------------------------------------------------------- ephemeral values

_META = frozenset({"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"})


def check_ephemeral(resources: Iterable[Any]) -> None:
    """``resources``: the managed resource instances; each block is checked once."""
    seen: set[int] = set()
    for ri in resources:
        if id(ri.block) in seen:
            continue
        seen.add(id(ri.block))
        config = ri.module.config
        ephemeral = {name for name, b in config.variables.items()
                     if getattr(getattr(b.body.attrs.get("ephemeral"), "expr", None), "value", None) is True}
        if not ephemeral:
            continue
        found = _argument_use(ri.block.body, ephemeral, config.locals)
        if found is not None:
            argument, variable, line = found
            raise InputError(f"Invalid use of ephemeral value: var.{variable} (ephemeral = true) reaches "
                             f'{ri.address}\'s "{argument}", which is not a '
                             f"write-only argument and must be persisted to state; {_REFUSED}",
                             f"{ri.block.file}:{line}")


def _argument_use(body: Body, ephemeral: set[str], locals_: dict) -> Optional[tuple[str, str, int]]:
    """(argument, variable, line) of the first argument that an ephemeral variable reaches."""
    for name, attr in sorted(body.attrs.items(), key=lambda kv: kv[1].line):
        if name in _META or name.endswith("_wo"):  # write-only arguments take ephemeral values
            continue
        variable = _reaches(attr.expr, ephemeral, locals_, set())
        if variable is not None:
            return name, variable, attr.line
    for block in sorted(body.blocks, key=lambda b: b.line):
        if block.type in _META:
            continue
        inner = _argument_use(block.body, ephemeral, locals_)
        if inner is not None:
            label = block.labels[0] if block.type == "dynamic" and block.labels else block.type
            return label, inner[1], inner[2]
    return None


def _reaches(node: Any, ephemeral: set[str], locals_: dict, seen: set) -> Optional[str]:
    """The ephemeral variable whose value certainly flows into ``node``'s value, or None. Only
    sure paths count: a conditional's branches and a for expression's body may not be taken,
    and ``ephemeralasnull()`` removes the mark."""
    if isinstance(node, GetAttrN) and isinstance(node.obj, VarN):
        if node.obj.name == "var" and node.name in ephemeral:
            return node.name
        if node.obj.name == "local" and node.name in locals_ and node.name not in seen:
            seen.add(node.name)
            return _reaches(locals_[node.name][0].expr, ephemeral, locals_, seen)
        return None
    if isinstance(node, CondN):
        return _reaches(node.cond, ephemeral, locals_, seen)
    if isinstance(node, ForN):
        return _reaches(node.coll, ephemeral, locals_, seen)
    if isinstance(node, CallN) and node.name in ("ephemeralasnull", "can"):
        return None
    if isinstance(node, tuple) and node and node[0] in ("if", "for"):  # template directives
        return _reaches(node[1] if node[0] == "if" else node[3], ephemeral, locals_, seen)
    children: list = []
    if isinstance(node, (list, tuple)):
        children = list(node)
    elif isinstance(node, (Node, Attribute, Block, Body)):
        children = [getattr(node, slot) for cls in type(node).__mro__ for slot in getattr(cls, "__slots__", ())
                    if slot != "line" and hasattr(node, slot)]
    for child in children:
        if isinstance(child, (Node, list, tuple)):
            found = _reaches(child, ephemeral, locals_, seen)
            if found is not None:
                return found
    return None


# ---------------------------------------------------------------- failed attributes

def failed_attributes(pairs: Iterable[tuple[str, dict]], have: list[UnknownRecord]) -> list[UnknownRecord]:
    """An unknown for each attribute holding a ``Failure`` that nothing reported yet. Scope
    "none": the value is re-reported where the analysis uses it (a rule naming the group)."""
    reported = {(u.address, u.attribute.split(".")[0].split("[")[0]) for u in have}
    out = []
    for address, values in pairs:
        for name in sorted(values):
            failure = _failure(values[name])
            if failure is not None and (address, name) not in reported:
                out.append(UnknownRecord(address, name, failure.reason, ("none", "")))
    return out


def _failure(value: Any) -> Optional[Failure]:
    if isinstance(value, Failure):
        return value
    if isinstance(value, Ref):
        return None
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        found = _failure(item)
        if found is not None:
            return found
    return None
