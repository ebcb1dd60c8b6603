"""A conditional's result type: both results unified, as HCL does (hclsyntax ``ConditionalExpr.Value``
evaluates both results and converts the chosen one to ``convert.UnifyUnsafe`` of their types; go-cty
``cty/convert/unify.go``). Checked in ``terraform console`` 1.11.4:

- primitives: a number or bool with a string gives a string (``v ? 22 : var.s`` is ``"22"``);
- tuples of different lengths, or a tuple with a list, give a list of the unified element type
  (``v ? [22, 3389] : ["none"]`` is ``list(string)``, ``v ? [22] : []`` is ``list(number)``, which is
  not equal to the tuple ``[22]``); tuples of one length give a tuple, element by element;
- objects of one attribute set give an object, attribute by attribute; objects of different
  sets, or with a map, give a map (``v ? {a = 22} : {a = "x", b = 1}`` is ``map(string)``);
- a null literal, a value tfsg does not know, or a result that fails (HCL drops the other
  result's errors) leaves the chosen value as it is; so does a pair no type unifies (Terraform
  refuses it: "Inconsistent conditional result types").

Types here are ``"string"``, ``"number"``, ``"bool"``, ``DYNAMIC`` (unknown, null) or tuples
``("list"|"set"|"map", element)``, ``("tuple", (elements...))``, ``("object", ((name, type)...))``.
"""

from __future__ import annotations

from typing import Any, Optional

from .marks import _BASE_OF, SensitiveCollection, SensitiveScalar, is_null, sensitive_type, unmark
from .values import SetList, TypedList, TypedMap, is_known, to_string

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
            return (kind, (unify(elements) or DYNAMIC) if elements else DYNAMIC)
        return ("tuple", tuple(elements))
    if isinstance(value, dict):
        if isinstance(value, TypedMap):
            return ("map", (unify([type_of(v) for v in value.values()]) or DYNAMIC) if value else DYNAMIC)
        return ("object", tuple(sorted((k, type_of(v)) for k, v in value.items())))
    return DYNAMIC  # a sensitive scalar is known by its value; anything else tfsg cannot type


def _elements(t: Any) -> list:
    """The element types of a collection or structural type."""
    if t[0] in ("list", "set", "map"):
        return [t[1]]
    if t[0] == "tuple":
        return list(t[1])
    return [a for _, a in t[1]]


def unify(types: list) -> Optional[Any]:
    """The type all of ``types`` convert to, DYNAMIC when one is unknown, None when there is none."""
    if any(t == DYNAMIC for t in types):
        return DYNAMIC
    if all(t == types[0] for t in types):
        return types[0]
    kinds = {t if isinstance(t, str) else t[0] for t in types}
    if kinds <= set(_PRIMITIVE):
        return "string" if "string" in kinds else None  # number with bool: none
    if kinds <= {"map", "object"} and "map" in kinds or kinds == {"set"} or \
            kinds <= {"list", "tuple"} and "list" in kinds:
        element = unify([e for t in types for e in _elements(t)]) if any(_elements(t) for t in types) else DYNAMIC
        kind = "map" if "map" in kinds or "object" in kinds else "set" if "set" in kinds else "list"
        return None if element is None else (kind, element)
    if kinds == {"object"}:
        names = {tuple(n for n, _ in t[1]) for t in types}
        if len(names) == 1:
            columns = [unify([dict(t[1])[n] for t in types]) for n in next(iter(names))]
            if any(c is None for c in columns):
                return None
            return ("object", tuple(zip(next(iter(names)), columns)))
        element = unify([e for t in types for e in _elements(t)])
        return None if element is None else ("map", element)
    if kinds == {"tuple"}:
        if len({len(t[1]) for t in types}) == 1:
            columns = [unify([t[1][i] for t in types]) for i in range(len(types[0][1]))]
            return None if any(c is None for c in columns) else ("tuple", tuple(columns))
        element = unify([e for t in types for e in t[1]]) if any(t[1] for t in types) else DYNAMIC
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
        cls = TypedList if kind == "list" else base
        return (sensitive_type(cls) if marked else cls)(items)
    if isinstance(value, dict) and kind in ("map", "object"):
        attrs = dict(t[1]) if kind == "object" else {}
        items_ = [(k, convert(v, attrs.get(k, DYNAMIC) if kind == "object" else t[1])) for k, v in value.items()]
        cls = TypedMap if kind == "map" else base
        return (sensitive_type(cls) if marked else cls)(items_)
    return value


def unified(value: Any, other: Any) -> Any:
    """The chosen result ``value`` converted to the type it shares with the ``other`` result."""
    if is_null(value) or is_null(other):
        return value
    t = unify([type_of(value), type_of(other)])
    return value if t is None else convert(value, t)
