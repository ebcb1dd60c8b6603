"""The collection kind of a function's result: list, set or map, not the tuple or object literal.

Terraform's ``==`` compares types, and a function's result type is the one its spec declares
(go-cty ``cty/function/stdlib``, Terraform ``internal/lang/funcs``): ``keys(var.m)`` of a map is
a ``list(string)``, so ``keys(var.m) == []`` is false (a list is never equal to the empty tuple
``[]``), and ``split(",", "a,b") == tolist(["a", "b"])`` is true. ``functions.call`` passes each result
through ``typed``; functions whose result is a tuple or object (``flatten``, ``jsondecode``,
``merge``, a ``for`` expression) are left as they are.
"""

from __future__ import annotations

from typing import Any

from .marks import _BASE_OF, sensitive_type
from .values import SetList, TypedList, TypedMap

# Result type list(...) whatever the arguments (go-cty: StaticReturnType(cty.List(...)), or a
# parameter of type list(any) that converts a tuple: compact, distinct, chunklist, sort, split,
# formatlist, range, regexall, csvdecode; Terraform: cidrsubnets, matchkeys, tolist).
_LIST = frozenset({"compact", "distinct", "chunklist", "formatlist", "sort", "split", "range", "regexall",
                   "csvdecode", "cidrsubnets", "matchkeys", "tolist"})
# set(...) always: toset, the set functions, fileset (set(string)).
_SET = frozenset({"toset", "setunion", "setintersection", "setsubtract", "setsymmetricdifference", "fileset"})


def _as(value: Any, cls: type) -> Any:
    """``value`` (a plain Python list or dict, maybe marked) as ``cls``; any other class (a set,
    an unordered list, a typed value already) stays what it is."""
    base = _BASE_OF.get(value.__class__, value.__class__)
    if base is not list and base is not dict:
        return value
    made = sensitive_type(cls) if base is not value.__class__ else cls
    return made(value.items() if isinstance(value, dict) else value)


def _kind(value: Any) -> str:
    base = _BASE_OF.get(value.__class__, value.__class__)
    if isinstance(value, SetList):
        return "set"
    if isinstance(value, TypedList):
        return "list"
    if isinstance(value, TypedMap):
        return "map"
    return "tuple" if issubclass(base, list) else "object" if issubclass(base, dict) else "other"


# The element type of an empty result, where it does not depend on the arguments: ``==`` tells
# an empty list(string) from an empty list(dynamic) (``tolist([])``).
_ELEMENT = {"keys": "string", "compact": "string", "sort": "string", "split": "string", "formatlist": "string",
            "cidrsubnets": "string", "fileset": "string", "range": "number",
            "tolist": "dynamic", "toset": "dynamic", "tomap": "dynamic"}


def empty_typed(value: Any, element: Any) -> Any:
    """``value``, when an empty typed collection, told its element type (values.equal reads it)."""
    if isinstance(value, (TypedList, SetList, TypedMap)) and not value and element is not None:
        try:
            value.elem = element  # type: ignore[union-attr]
        except AttributeError:  # a class with slots: the element type stays untold
            pass
    return value


def typed(name: str, args: list, result: Any) -> Any:
    """``result`` of ``name(*args)`` with the collection kind Terraform gives it."""
    if not isinstance(result, (list, dict)):
        return result
    if name in _ELEMENT and not result:
        kept = getattr(args[0], "elem", None) if args and name in ("tolist", "toset", "tomap") else None
        return empty_typed(_typed(name, args, result), kept or _ELEMENT[name])  # tolist(var.l): var.l's
    return _typed(name, args, result)


def _typed(name: str, args: list, result: Any) -> Any:
    if name in _LIST:
        if name == "chunklist":  # list(list(...)); regexall's groups stay tuples
            result = result.__class__(_as(v, TypedList) for v in result)
        return _as(result, TypedList)
    if name in _SET:
        return _as(result, SetList)
    kinds = [_kind(a) for a in args]
    if name in ("keys", "values") and kinds[:1] == ["map"]:  # an object gives a tuple
        return _as(result, TypedList)
    if name in ("reverse", "slice") and kinds[:1] in (["list"], ["set"]):  # a tuple gives a tuple
        return _as(result, TypedList)
    if name == "concat" and kinds and all(k == "list" for k in kinds):  # any tuple: a tuple
        return _as(result, TypedList)
    if name == "setproduct":  # a list of tuples when every argument is a sequence, else a set
        return _as(result, TypedList if all(k in ("list", "tuple") for k in kinds) else SetList)
    if name == "transpose" and isinstance(result, dict):  # map(list(string))
        return _as(result.__class__((k, _as(v, TypedList)) for k, v in result.items()), TypedMap)
    if name == "zipmap" and len(kinds) == 2 and kinds[1] in ("list", "set"):  # a tuple gives an object
        return _as(result, TypedMap)
    return result
