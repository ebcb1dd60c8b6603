"""A conditional's result type: both results unified, as HCL does (hclsyntax ``ConditionalExpr.Value``
evaluates both results and converts the chosen one to ``convert.UnifyUnsafe`` of their types; go-cty
``cty/convert/unify.go``). Checked in ``terraform console`` 1.11.4:

- primitives: a number or bool with a string gives a string (``v ? 22 : var.s`` is ``"22"``);
- tuples of different lengths, or a tuple with a list, give a list of the unified element type
  (``v ? [22, 3389] : ["none"]`` is ``list(string)``, ``v ? [22] : []`` is ``list(number)``, which is
  not equal to the tuple ``[22]``); tuples of one length give a tuple, element by element;
- objects of one attribute set give an object, attribute by attribute; objects of different
  sets, or with a map, give a map (``v ? {a = 22} : {a = "x", b = 1}`` is ``map(string)``);
- a tuple with a set gives a set of the set's element type (``c ? [1, 2] : toset(["a"])`` is
  ``set(string)``: duplicates go); a list with a set gives the list's type (``tolist([1])`` with
  ``toset(["a"])`` is ``list(number)``);
- an empty collection converted keeps the element type it gets (``c ? [] : ["a"]`` is an empty
  ``list(string)``, not equal to ``tolist([])``, a ``list(dynamic)``); inside collections a
  ``dynamic`` element (``tolist([])``'s, a null's) takes the other side's type (go-cty sortTypes:
  dynamic is the least preferred);
- a null of a known type still has that type (``var.l == null ? [22] : var.l`` with ``var.l`` a
  null ``list(string)`` is ``["22"]``, so is ``c ? 22 : tostring(null)`` "22"): ``static_type``
  reads it from the variable's ``type``, a conversion function, a local's expression;
- a null literal, a value tfsg does not know, or a result that fails (HCL drops the other
  result's errors) leaves the chosen value as it is; so does a pair no type unifies (Terraform
  refuses it: "Inconsistent conditional result types").

Types here are ``"string"``, ``"number"``, ``"bool"``, ``DYNAMIC`` (unknown, null) or tuples
``("list"|"set"|"map", element)``, ``("tuple", (elements...))``, ``("object", ((name, type)...))``.
"""

from __future__ import annotations

from typing import Any, Optional

from .functypes import empty_typed
from .marks import _BASE_OF, SensitiveCollection, SensitiveScalar, is_null, mark, sensitive_type, unmark
from .values import EvalError, Failure, SetList, TypedList, TypedMap, Unknown, is_known, to_string

DYNAMIC = "dynamic"
_PRIMITIVE = ("string", "number", "bool")


def type_of(value: Any) -> Any:
    value = unmark(value) if isinstance(value, SensitiveCollection) else value
    if isinstance(value, SensitiveScalar):
        value = value.value
    if is_null(value) or not is_known(value):
        return DYNAMIC
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        elements = [type_of(v) for v in value]
        if isinstance(value, (TypedList, SetList)):
            kind = "set" if isinstance(value, SetList) else "list"
            return (kind, (unify(elements) or DYNAMIC) if elements else _from_text(getattr(value, "elem", None)))
        return ("tuple", tuple(elements))
    if isinstance(value, dict):
        if isinstance(value, TypedMap):
            return ("map", (unify([type_of(v) for v in value.values()]) or DYNAMIC) if value else
                    _from_text(getattr(value, "elem", None)))
        return ("object", tuple(sorted((k, type_of(v)) for k, v in value.items())))
    return DYNAMIC  # a sensitive scalar is known by its value; anything else tfsg cannot type


def _elements(t: Any) -> list:
    """The element types of a collection or structural type."""
    if t[0] in ("list", "set", "map"):
        return [t[1]]
    if t[0] == "tuple":
        return list(t[1])
    return [a for _, a in t[1]]


def _from_text(text: Any) -> Any:
    """``"list(string)"`` (an empty collection's ``elem``, functypes.empty_typed) as a type here."""
    if not isinstance(text, str):
        return DYNAMIC
    if text.endswith(")") and "(" in text:
        kind, inner = text.split("(", 1)
        return (kind, _from_text(inner[:-1]))
    return text


def _to_text(t: Any) -> Optional[str]:
    """The inverse of ``_from_text``; None for a structural type (no ``elem`` is told for it)."""
    if isinstance(t, str):
        return t
    if t[0] in ("list", "set", "map"):
        inner = _to_text(t[1])
        return f"{t[0]}({inner})" if inner else None
    return None


def _inner(types: list) -> Optional[Any]:
    """Element types unified: a ``dynamic`` one takes the others' type (go-cty: least preferred)."""
    known = [t for t in types if t != DYNAMIC]
    return unify(known) if known else DYNAMIC


def unify(types: list) -> Optional[Any]:
    """The type all of ``types`` convert to, DYNAMIC when one is unknown, None when there is none."""
    if any(t == DYNAMIC for t in types):
        return DYNAMIC
    if all(t == types[0] for t in types):
        return types[0]
    kinds = {t if isinstance(t, str) else t[0] for t in types}
    if kinds <= set(_PRIMITIVE):
        return "string" if "string" in kinds else None  # number with bool: none
    if "set" in kinds and kinds <= {"set", "list", "tuple"} and kinds != {"set"}:
        # go-cty sortTypes/unify: a list is preferred to a set, a set to a tuple; the other side
        # converts to the preferred type, element type included, a dynamic one too (terraform
        # console 1.11.4: ``(c ? toset([]) : ["a"]) == toset([])`` is true)
        picked = [t[1] for t in types if t[0] == ("list" if "list" in kinds else "set")]
        pick, element = "list" if "list" in kinds else "set", picked[0] if len(set(picked)) == 1 else _inner(picked)
        if pick == "set" and any(_inner([e, element]) != element for t in types if t[0] == "tuple" for e in t[1]):
            return None  # ["a"] with toset([1]): "Inconsistent conditional result types"
        return None if element is None else (pick, element)
    if kinds <= {"map", "object"} and "map" in kinds or kinds == {"set"} or \
            kinds <= {"list", "tuple"} and "list" in kinds:
        element = _inner([e for t in types for e in _elements(t)]) if any(_elements(t) for t in types) else DYNAMIC
        kind = "map" if "map" in kinds or "object" in kinds else "set" if "set" in kinds else "list"
        return None if element is None else (kind, element)
    if kinds == {"object"}:
        names = {tuple(n for n, _ in t[1]) for t in types}
        if len(names) == 1:
            columns = [_inner([dict(t[1])[n] for t in types]) for n in next(iter(names))]
            if any(c is None for c in columns):
                return None
            return ("object", tuple(zip(next(iter(names)), columns)))
        element = _inner([e for t in types for e in _elements(t)])
        return None if element is None else ("map", element)
    if kinds == {"tuple"}:
        if len({len(t[1]) for t in types}) == 1:
            columns = [_inner([t[1][i] for t in types]) for i in range(len(types[0][1]))]
            return None if any(c is None for c in columns) else ("tuple", tuple(columns))
        element = _inner([e for t in types for e in t[1]]) if any(t[1] for t in types) else DYNAMIC
        return None if element is None else ("list", element)
    return None


_PLAIN = (list, dict, TypedList, TypedMap, SetList)


def convert(value: Any, t: Any) -> Any:
    """``value`` converted to the unified type ``t`` (marks kept)."""
    if t == DYNAMIC or is_null(value) or not isinstance(t, (str, tuple)):
        return value
    if isinstance(t, str):
        if t == "string" and not isinstance(value, (str, list, dict)) and is_known(value):
            return to_string(value)
        return value
    base = _BASE_OF.get(value.__class__, value.__class__)
    if base not in _PLAIN:  # an unordered list, a lazy object...: left as it is
        return value
    marked = base is not value.__class__
    kind = t[0]
    if isinstance(value, list) and kind in ("list", "set", "tuple"):
        if kind == "tuple" and len(t[1]) == len(value):
            items = [convert(v, e) for v, e in zip(value, t[1])]
        else:
            items = [convert(v, t[1]) if kind != "tuple" else v for v in value]
        if kind == "set" and base is not SetList:  # unique, in go-cty's order (as toset makes it)
            from .functions import as_set

            made = as_set(items)
            return mark(made) if marked else empty_typed(made, _to_text(t[1]))
        cls = TypedList if kind == "list" else base
        return empty_typed((sensitive_type(cls) if marked else cls)(items), _to_text(t[1]) if kind != "tuple" else None)
    if isinstance(value, dict) and kind in ("map", "object"):
        attrs = dict(t[1]) if kind == "object" else {}
        items_ = [(k, convert(v, attrs.get(k, DYNAMIC) if kind == "object" else t[1])) for k, v in value.items()]
        cls = TypedMap if kind == "map" else base
        return empty_typed((sensitive_type(cls) if marked else cls)(items_), _to_text(t[1]) if kind == "map" else None)
    return value


def _untyped(value: Any) -> bool:
    """A null, or a value only apply knows (not one tfsg failed to compute: a ``Failure``, which may
    be an error Terraform drops from the other result): its type is read from the expression."""
    return is_null(value) or isinstance(value, Unknown) and not isinstance(value, Failure)


def _open(t: Any) -> bool:
    """A collection type whose element type tfsg could not tell (it holds a reference)."""
    return isinstance(t, tuple) and t[0] in ("list", "set", "map") and (t[1] == DYNAMIC or _open(t[1]))


def unified(value: Any, other: Any, static: Any = None) -> Any:
    """The chosen result ``value`` converted to the type it shares with the ``other`` result;
    ``static()``: the type of ``other`` when it is null or unknown (``static_type``)."""
    if is_null(value):
        return value
    other_type = DYNAMIC if _untyped(other) else type_of(other)
    if static is not None and (other_type == DYNAMIC or _open(other_type)):
        # split(",", aws_vpc.v.id) is [<id>]: a list(string) whose element tfsg cannot type
        told = static()
        other_type = told if told != DYNAMIC else other_type
    if other_type == DYNAMIC:  # hclsyntax: a null literal or a dynamic result converts to the other
        return value
    t = unify([type_of(value), other_type])
    return value if t is None else convert(value, t)


# Result types that do not depend on the arguments (Terraform docs, "Built-in Functions": go-cty
# stdlib StaticReturnType): ``tostring(null)`` is a null string, ``tolist(null)`` a null
# list(dynamic), ``split(",", aws_vpc.v.id)`` an unknown list(string)
_STRING = ("string", "tostring join format lower upper title replace substr trimspace trim trimprefix trimsuffix "
           "cidrhost cidrsubnet cidrnetmask jsonencode base64encode base64decode md5 sha1 sha256 uuid")
_NUMBER = ("number", "tonumber length parseint floor ceil abs signum log pow")
_BOOL = ("bool", "tobool contains can startswith endswith strcontains alltrue anytrue")
_CONVERSIONS: dict = {name: kind for kind, names in (_STRING, _NUMBER, _BOOL) for name in names.split()}
_CONVERSIONS.update({"tolist": ("list", DYNAMIC), "toset": ("set", DYNAMIC), "tomap": ("map", DYNAMIC),
                     "split": ("list", "string"), "formatlist": ("list", "string"), "compact": ("list", "string"),
                     "cidrsubnets": ("list", "string"), "range": ("list", "number"), "fileset": ("set", "string")})


def static_type(node: Any, env: Any, depth: int = 0) -> Any:
    """The type of an expression whose value is null or unknown: a variable's ``type`` (Terraform
    docs, "Input Variables" > type constraints: a null default is a null of that type), a
    function's static result type, a local's expression, an attribute of one of these, a
    conditional's unified type; DYNAMIC when none is known (a ``null`` literal)."""
    from .syntax import CallN, CondN, GetAttrN, VarN

    if depth > 32:
        return DYNAMIC
    if isinstance(node, CallN):
        return _CONVERSIONS.get(node.name, DYNAMIC)
    if isinstance(node, CondN):
        # hclsyntax: a null literal result takes the other result's type
        return _inner([_value_type(node.yes, env, depth), _value_type(node.no, env, depth)]) or DYNAMIC
    if not isinstance(node, GetAttrN):
        return DYNAMIC
    if isinstance(node.obj, VarN) and node.obj.name in ("var", "local") and node.obj.name not in env.names:
        config = getattr(env.scope, "config", None)
        if node.obj.name == "var":
            block = getattr(config, "variables", {}).get(node.name)
            type_attr = block.body.attrs.get("type") if block is not None else None
            return constraint_type(type_attr.expr) if type_attr is not None else DYNAMIC
        entry = getattr(config, "locals", {}).get(node.name)
        scope_env = getattr(env.scope, "env", None)
        return _value_type(entry[0].expr, scope_env, depth) if entry and scope_env is not None else DYNAMIC
    outer = static_type(node.obj, env, depth + 1)
    if isinstance(outer, tuple) and outer[0] == "object":
        return dict(outer[1]).get(node.name, DYNAMIC)
    return outer[1] if isinstance(outer, tuple) and outer[0] == "map" else DYNAMIC


def _value_type(node: Any, env: Any, depth: int) -> Any:
    try:
        value = node.ev(env)
    except EvalError:
        return DYNAMIC
    return static_type(node, env, depth + 1) if _untyped(value) else type_of(value)


def constraint_type(expr: Any) -> Any:
    """A ``type = ...`` constraint as a type here (``any``: DYNAMIC)."""
    from .syntax import CallN, ObjectN, TupleN, VarN

    if isinstance(expr, VarN):
        return expr.name if expr.name in _PRIMITIVE else DYNAMIC
    if not isinstance(expr, CallN) or not expr.args:
        return DYNAMIC
    arg = expr.args[0]
    if expr.name in ("list", "set", "map"):
        return (expr.name, constraint_type(arg))
    if expr.name == "optional":
        return constraint_type(arg)
    if expr.name == "object" and isinstance(arg, ObjectN):
        return ("object", tuple(sorted((k, constraint_type(v)) for k, v in arg.items if isinstance(k, str))))
    if expr.name == "tuple" and isinstance(arg, TupleN):
        return ("tuple", tuple(constraint_type(v) for v in arg.items))
    return DYNAMIC
