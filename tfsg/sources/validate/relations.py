"""Keywords that look at one field to check another (a mixin of ``_Compiler``).

``allOf`` of ``if {type: const}`` / ``then`` becomes one dict look-up on ``type``
(``dispatch``); tfsg's own ``x-`` keywords relate two fields of one object (``extensions``).
What the generated code calls for them at run time (``_settle``, ``_unknown_but_present``)
is in ``checks.py``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .literals import _path_code


class _Relations:
    """The ``allOf`` if/then dispatch and the ``x-`` keywords of ``_Compiler``."""

    defs: dict[str, Any]  # declared for the type checker: _Compiler.__init__ sets them
    tables: dict[str, dict[str, str]]
    _calls: dict[str, bool]

    if TYPE_CHECKING:  # _Compiler's and _Facts' methods, as they are defined there
        def fresh(self, prefix: str) -> str: ...

        def constant(self, value: Any) -> str: ...

        def function(self, key: str, schema: Any, cut: frozenset = frozenset()) -> str: ...

        def node(self, schema: Any, var: str, path: tuple, out: list[str], depth: int, stack: tuple,
                 cut: frozenset, nonnull: bool = False) -> None: ...

        def call(self, function: str, var: str, where: str, out: list[str], pad: str) -> None: ...

        def allows_null(self, schema: Any, cut: frozenset, depth: int = 0) -> bool: ...

    def extensions(self, schema: dict, var: str, path: tuple, pad: str) -> list[str]:
        """tfsg's own keywords (relations between fields; other validators ignore them):

        * ``x-index-in-address: true``: ``index`` is set exactly when ``address`` ends in an
          instance key (``aws_x.y[0]``); the address is rebuilt from the fields, and one that
          lost its key would merge instances.
        * ``x-null-only-for: {"after": [actions...], ...}``: that key may be null only when
          ``actions`` holds one of those (``after`` also when ``after_unknown`` is true), or
          when the other side is null too (no object on either side).
        * ``x-unknown-not-in-after: true``: a path ``after_unknown`` marks true is absent from
          ``after`` (Terraform omits unknown values; a value and a mark contradict each other).
        """
        out: list[str] = []
        where = _path_code(path)
        if schema.get("x-index-in-address"):
            out.append(f"{pad}if ('index' in {var}) is not {var}['address'].endswith(']'): "
                       f"raise Invalid('x-index-in-address', None, {var}, {where})")
        if schema.get("x-unknown-not-in-after"):  # after_unknown is mostly empty: one test
            mask = self.fresh("u")
            error = self.fresh("e")
            out += [f"{pad}{mask} = {var}.get('after_unknown')",
                    f"{pad}if {mask} and {mask}.__class__ is not bool:",
                    f"{pad}    try:",
                    f"{pad}        _unknown_but_present({mask}, {var}.get('after'), ('after',))",
                    f"{pad}    except Invalid as {error}:",  # the path is built only on failure
                    f"{pad}        {error}.path = {where} + {error}.path",
                    f"{pad}        raise"]
        for key, actions in sorted(schema.get("x-null-only-for", {}).items()):
            allowed = self.constant(frozenset(actions))
            unknown = f" and {var}.get('after_unknown') is not True" if key == "after" else ""
            # both sides null: no object on either side (Terraform 1.0 wrote a no-op so for an
            # object refresh found deleted); nothing to read, nothing contradicts
            other = "before" if key == "after" else "after"
            # (an absent key is never that: Terraform writes both sides, null or not)
            out.append(f"{pad}if ({key!r} not in {var} or {var}[{key!r}] is None and {var}.get({other!r}) is not None)"
                       f"{unknown} and {allowed}.isdisjoint({var}['actions']): "
                       f"raise Invalid('x-null-only-for', ({key!r}, {allowed}), {var}, {where})")
        return out

    def dispatch(self, branches: list[dict], var: str, path: tuple, out: list[str], depth: int, stack: tuple,
                 cut: frozenset) -> None:
        """``allOf: [{if: {properties: {type: {const: T}}, required: [type]}, then: S}, ...]`` as one
        dict look-up: S applies exactly when ``var`` is an object whose ``type`` is T.

        When every S is the same but for the ``$ref`` it names (``change.after: values.T``),
        the table maps T to that definition's function and S is compiled once, inline."""
        pad = "    " * depth
        thens: dict[str, Any] = {}
        for branch in branches:
            cond = branch["if"]
            if set(branch) - {"if", "then"} or set(cond) - {"properties", "required"} or \
                    list(cond.get("properties", {})) != ["type"] or cond.get("required") != ["type"] or \
                    set(cond["properties"]["type"]) != {"const"}:
                raise ValueError("plan schema: only `if: {properties: {type: {const}}, required: [type]}` is compiled")
            thens[cond["properties"]["type"]["const"]] = branch.get("then", True)
        shapes = {json.dumps(_template(then)[0], sort_keys=True) for then in thens.values()}
        targets = {typ: _template(then)[1] for typ, then in thens.items()}
        shared = len(shapes) == 1 and all(len(t) == 1 for t in targets.values())
        table: dict[str, str] = {}
        for typ, then in thens.items():
            if shared:
                (target,) = targets[typ]
                table[typ] = self.function(target, self.defs[target], cut)
            else:
                table[typ] = self.function(f"then.{typ}.{self.fresh('t')}", then, cut)
        name = self.fresh("D")
        self.tables[name] = table  # the functions themselves are linked in once compiled
        kind, check = self.fresh("t"), self.fresh("f")
        out += [f"{pad}if {var}.__class__ is dict:",
                f"{pad}    {kind} = {var}.get('type')",
                f"{pad}    {check} = {name}.get({kind}) if {kind}.__class__ is str else None",
                f"{pad}    if {check} is not None:"]
        if shared:
            template = _template(next(iter(thens.values())))[0]
            nullable = all(self.allows_null(self.defs[t], cut) for (t,) in targets.values())
            self._calls[check] = nullable
            self.node(_with_call(template, check), var, path, out, depth + 2, stack, cut)
        else:
            self.call(check, var, _path_code(path), out, pad + "        ")
        # x-present keys found absent: kept with the object they belong to, for validate()
        out.append(f"{pad}        if ABSENT: _settle({var}, ABSENT, ABSENT_AT)")


def _template(schema: Any) -> tuple[Any, list[str]]:
    """A schema with each ``$ref`` replaced by a slot, and the definitions the refs named."""
    names: list[str] = []

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                names.append(node["$ref"].split("/")[-1])
                return {"x-call": None}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node
    shape = walk(schema)
    return shape, sorted(set(names))


def _with_call(node: Any, function: str) -> Any:
    if isinstance(node, dict):
        if "x-call" in node:
            return {"x-call": function}
        return {k: _with_call(v, function) for k, v in node.items()}
    if isinstance(node, list):
        return [_with_call(v, function) for v in node]
    return node
