"""Terraform's built-in functions, as far as security-group code uses them.

Each function takes evaluated arguments. Unknown inputs give an Unknown result, except where the
shape is still known: ``concat``, ``flatten``, ``merge``, ``tolist``/``toset``, ``length``,
``element``/``lookup`` with a known index, ``keys``, ``coalesce`` and ``try`` keep the known parts
(``[aws_security_group.a.id]`` stays a list with one group reference in it).
A function tfsg does not implement is an explicit unknown naming it, never a guess.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

from ... import limits
from . import addresses, budget, callmarks, functypes
from .values import (
    NEVER_EMPTY,
    ORDER_UNKNOWN,
    SET_ORDER_UNKNOWN,
    EvalError,
    Failure,
    Lazy,
    OverLimit,
    Ref,
    SetList,
    TypedList,
    TypedMap,
    Unknown,
    UnorderedList,
    UnorderedSet,
    bounded,
    equal,
    equality_key,
    graphemes,
    is_known,
    is_marked,
    mark_sensitive,
    number,
    ref_equals,
    strip,
    to_bool,
    to_number,
    to_string,
    type_name,
    unify,
    unknown_from,
    unmark,
    unordered,
)

_IMPL: dict[str, Callable[..., Any]] = {}
_SHAPE: set[str] = set()  # functions that accept unknown parts and keep the known shape


def fn(name: str, shape: bool = False) -> Callable:
    def register(func: Callable) -> Callable:
        _IMPL[name] = func
        if shape:
            _SHAPE.add(name)
        return func
    return register


def call(node: Any, env: Any) -> Any:
    name = node.name
    if name in ("try", "can"):
        return callmarks.try_(node, env) if name == "try" else callmarks.can(node, env)
    if name.startswith("provider::"):  # by the provider's local name (functions_plan.resolve)
        resolved = functions_plan.resolve(name, env)
        if resolved is None:
            return Failure(f"function {name}(): its provider is not one tfsg evaluates, or not declared in "
                           "required_providers")
        name = resolved
    impl = _IMPL.get(name.rsplit("::", 1)[-1] if name.startswith("core::") else name)
    args = [a.ev(env) for a in node.args]
    args = [a.as_value() if isinstance(a, Lazy) else a for a in args]
    spread_marked = False
    if node.expand and args:
        last = args.pop()
        spread_marked = is_marked(last)  # how many arguments there are is sensitive
        last = strip(last)
        if not isinstance(last, list):
            return unknown_from(last, what=f"{name}(...)") if not is_known(last) else _bad(f"{name}: ... needs a list")
        args.extend(last)
    if impl is None:
        return Failure(f"function {name}() is not evaluated by tfsg")
    # what the function may read: refused over value-size; charged when the is_known or has_mark
    # walk below reads it all (a function that only picks is charged for what it returns)
    size = budget.sized(args, f"{name}()'s arguments")
    if name not in _SHAPE or name not in callmarks.STRUCTURAL:
        budget.charge(size)
    if name in ("format", "formatlist") and len(args) == 2 and isinstance(args[0], str) and args[0] in ("%s", "%v"):
        # format("%s", x) is x as a string: a resource id stays the reference it is (cloudposse's
        # formatlist("%s", join("", aws_security_group.x[*].id)) names that group)
        if isinstance(args[1], Ref):
            return args[1] if name == "format" else [args[1]]  # formatlist over a string: one element
        if name == "formatlist" and isinstance(args[1], list) and any(isinstance(v, Ref) for v in args[1]) \
                and all(isinstance(v, Ref) or is_known(v) for v in args[1]):
            return [v if isinstance(v, Ref) else to_string(v) for v in args[1]]
    if name not in _SHAPE and not all(is_known(a) for a in args):
        if name == "format" and args and isinstance(args[0], str) and "%" not in args[0].rsplit("/", 1)[-1]:
            # format("%s/32", aws_eip.nat.public_ip): a block of that prefix, its address unknown
            literal = addresses.literal_chars([args[0].replace("%s", "")] + args[1:]) \
                if args[0].count("%") == args[0].count("%s") else None
            return bounded(unknown_from(*args, what=f"{name}()"), args[0].replace("%%", "%"), literal)
        trimmed = addresses.trimmed_block(name, args)  # trimspace("${eip}/32") is that /32 block
        return trimmed if trimmed is not None else unknown_from(*args, what=f"{name}()")
    if name == "sensitive":
        secrets = getattr(getattr(env.scope, "loader", None), "secrets", None)
        return mark_sensitive(args[0], secrets) if len(args) == 1 else _bad("sensitive() takes one argument")
    if name == "nonsensitive" and len(args) == 1:
        return unmark(args[0])
    if name == "issensitive" and len(args) == 1:  # the value's own mark, not its elements'
        return True if is_marked(args[0]) else unknown_from(args[0]) if not is_known(args[0]) else False

    def compute(*given: Any) -> Any:
        try:
            return impl(env, *given) if name in _WITH_ENV else impl(*given)
        except (ValueError, TypeError, OverflowError, ZeroDivisionError, KeyError, IndexError, AttributeError) as exc:
            # Terraform refuses such a call with an error ("Call to function ... failed")
            failed = EvalError(f"{name}(): {exc}")
            failed.refused = all(is_known(a) for a in given)
            raise failed from None
        except EvalError as exc:
            if isinstance(exc, (OverLimit, functions_plan.NotEvaluated)) or not all(is_known(a) for a in given):
                raise
            # on known arguments: the configuration's error (bodies.safe refuses it)
            failed = EvalError(str(exc) if str(exc).startswith(name) else f"{name}(): {exc}")
            failed.sensitive, failed.refused = exc.sensitive, True
            raise failed from None

    # A value computed from a sensitive one is sensitive (cty marks): callmarks runs the
    # function on unmarked values and marks its result, or keeps the marks of what it picks.
    try:
        result = functypes.typed(name, args, callmarks.run(name, compute, args, spread_marked))
    except functions_plan.NotEvaluated as exc:  # a value Terraform computes and tfsg does not
        return Failure(str(exc))
    budget.charge(budget.sized(result, f"{name}()"))  # each function refuses first what it cannot make
    return result


def _bad(message: str) -> Any:
    raise EvalError(message)


def _list(value: Any, what: str) -> list:
    if isinstance(value, list):
        return value
    raise EvalError(f"{what}: expected a list, got a {type_name(value)}")


# ---------------------------------------------------------------- collections

@fn("concat", shape=True)
def _concat(*lists: Any) -> Any:
    out: list = []
    for item in lists:
        if isinstance(item, (Unknown, Ref)):
            return unknown_from(item, what="concat()")
        if isinstance(item, SetList):  # Terraform: "all arguments must be lists or tuples; got set"
            raise EvalError("concat: all arguments must be lists or tuples; got a set")
        out.extend(_list(item, "concat"))
    return _unordered_if(lists, out)


def _unordered_if(inputs: Any, out: list) -> list:
    """``out`` as an UnorderedList when an input is one (positions in it are not known either)."""
    for i in inputs:
        if isinstance(i, UnorderedList):
            return unordered(out, i.why)
    return out


@fn("flatten", shape=True)
def _flatten(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)):
        return unknown_from(value, what="flatten()")
    out: list = []

    def walk(v: Any) -> bool:
        if isinstance(v, list):
            return all(walk(x) for x in v)
        if isinstance(v, Unknown):
            return False
        out.append(v)
        return True

    if not walk(_list(value, "flatten")):
        return unknown_from(value, what="flatten()")
    return out


@fn("merge", shape=True)
def _merge(*maps: Any) -> Any:
    out: dict = {}
    for m in maps:
        if m is None:
            continue
        if isinstance(m, (Unknown, Ref)):
            return unknown_from(m, what="merge()")
        if not isinstance(m, dict):
            raise EvalError(f"merge: expected maps, got a {type_name(m)}")
        out.update(m)
    return out


def as_set(values: list) -> list:
    """A value made a set by a ``set(...)`` type constraint: as ``toset()`` makes it."""
    return _set(values)


def _set(values: list) -> list:
    """A set: unique, and (as Terraform orders sets of strings) sorted when all are known strings."""
    out = _unique(values)
    if all(isinstance(v, str) for v in out) or \
            all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in out):
        out.sort()
    elif all(isinstance(v, bool) for v in out):
        out.sort()  # false before true (go-cty's set order for bools)
    elif len(out) > 1:
        return UnorderedSet(out)
    return SetList(out)


@fn("toset", shape=True)
def _toset(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)):
        return unknown_from(value, what="toset()")
    if value is None:
        return None
    if isinstance(value, dict):
        raise EvalError("toset: a map cannot become a set")
    return _set(unify(_list(value, "toset")))  # one element type: toset([22, "22"]) is one "22"


@fn("tolist", shape=True)
def _tolist(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)):
        return unknown_from(value, what="tolist()")
    if value is None:
        return None  # a null stays null (a typed null)
    if isinstance(value, UnorderedSet):
        return unordered(unify(value), SET_ORDER_UNKNOWN)  # its members, in an order tfsg does not know
    return TypedList(unify(_list(value, "tolist")))


@fn("tomap", shape=True)
def _tomap(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)):
        return unknown_from(value, what="tomap()")
    if not isinstance(value, dict):
        raise EvalError("tomap: expected an object or map")
    return TypedMap(zip(value, unify(list(value.values()))))


class _CountUnknown(list):
    """``distinct()`` of values only apply knows: its members, not how many of them there are."""


@fn("distinct", shape=True)
def _distinct(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)):
        return unknown_from(value, what="distinct()")
    # list(any): the elements converted to one type first (distinct([1, "1"]) is ["1"])
    out = _unordered_if([value], _unique(unify(_list(value, "distinct"))))
    if len(out) > 1 and any(isinstance(v, (Unknown, Ref)) for v in out):
        # values only apply knows may be equal: how many distinct ones there are is unknown
        # (Terraform: "Invalid count argument" for a count from it), their members are known
        if isinstance(out, UnorderedList):
            out.count_unknown = True  # (and which is where, as before)
            return out
        return _CountUnknown(out)
    return out


def _unique(values: list) -> list:
    """The first of each equal value, in order (hashed: n log n for 10,000 CIDRs, not n²)."""
    seen: set = set()
    out: list = []
    for v in values:
        key = equality_key(v)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


@fn("compact", shape=True)
def _compact(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)):
        return unknown_from(value, what="compact()")
    return _unordered_if([value], [v for v in _list(value, "compact") if v is not None and v != ""])


@fn("length", shape=True)
def _length(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)):
        return unknown_from(value, what="length()")
    if (isinstance(value, (_CountUnknown, SetList)) or getattr(value, "count_unknown", False)) and \
            len(value) > 1 and any(isinstance(v, (Unknown, Ref)) for v in value):
        return Unknown("the number of distinct values known only after apply (equal ones merge) is known "
                       "only after apply")
    if isinstance(value, (list, dict)):
        return len(value)
    if isinstance(value, str):
        return len(graphemes(value))  # go-cty Strlen: grapheme clusters
    raise EvalError(f"length: a {type_name(value)} has no length")


@fn("element", shape=True)
def _element(value: Any, index: Any) -> Any:
    if isinstance(value, (Unknown, Ref)) or not is_known(index):
        return unknown_from(value, index, what="element()")
    items = _list(value, "element")
    if not items:
        raise EvalError("element: the list is empty")
    at = int(to_number(index))
    if at < 0:
        raise EvalError("element: cannot use element function with a negative index")
    if isinstance(items, UnorderedList) and len(items) > 1:
        return Unknown(items.why)
    return items[at % len(items)]


@fn("lookup", shape=True)
def _lookup(value: Any, key: Any, *default: Any) -> Any:
    if isinstance(value, (Unknown, Ref)) or not is_known(key):
        return unknown_from(value, key, what="lookup()")
    if not isinstance(value, dict):
        raise EvalError("lookup: expected a map")
    k = to_string(key)
    if k in value:
        return value[k]
    if default:
        return default[0]
    raise EvalError(f"lookup: no key {k!r} and no default")


@fn("keys", shape=True)
def _keys(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)) or not isinstance(value, dict):
        return unknown_from(value, what="keys()") if not is_known(value) else _bad("keys: expected a map")
    return sorted(value)


@fn("values", shape=True)
def _values(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)) or not isinstance(value, dict):
        return unknown_from(value, what="values()") if not is_known(value) else _bad("values: expected a map")
    return [value[k] for k in sorted(value)]


@fn("zipmap", shape=True)
def _zipmap(keys: Any, values: Any) -> Any:
    if not is_known(keys) or isinstance(values, (Unknown, Ref)):
        return unknown_from(keys, values, what="zipmap()")
    keys, values = _list(keys, "zipmap"), _list(values, "zipmap")
    if len(keys) != len(values):
        raise EvalError("zipmap: the lists differ in length")
    return {to_string(k): v for k, v in zip(keys, values)}


@fn("contains")
def _contains(value: Any, item: Any) -> Any:
    return any(equal(v, item) for v in _list(value, "contains"))


@fn("index")
def _index(value: Any, item: Any) -> Any:
    for i, v in enumerate(_list(value, "index")):
        if equal(v, item):
            return i
    raise EvalError("index: the item is not in the list")




@fn("coalesce", shape=True)
def _coalesce(*values: Any) -> Any:
    for v in values:
        if isinstance(v, Ref) and v.attr in NEVER_EMPTY and v.address.mode == "managed":
            # never null, never "": coalesce(aws_security_group.x.id, "...") is the reference
            return v
        if isinstance(v, (Unknown, Ref)):
            return unknown_from(v, what="coalesce()")
        if v is not None and v != "":
            # the arguments share one type: coalesce(22, "x") is "22" (mixed primitives: strings)
            known = [a for a in values if a is not None and is_known(a)]
            return unify(known)[known.index(v)] if all(not isinstance(a, (list, dict)) for a in known) else v
    raise EvalError("coalesce: no non-null, non-empty argument")


@fn("coalescelist", shape=True)
def _coalescelist(*values: Any) -> Any:
    for v in values:
        if isinstance(v, (Unknown, Ref)):
            return unknown_from(v, what="coalescelist()")
        if isinstance(v, list) and v:
            return v
    return []


@fn("one", shape=True)
def _one(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)):
        return unknown_from(value, what="one()")
    items = _list(value, "one")
    if len(items) > 1:
        raise EvalError("one: the list has more than one element")
    return items[0] if items else None


@fn("slice", shape=True)
def _slice(value: Any, start: Any, end: Any) -> Any:
    if isinstance(value, (Unknown, Ref)) and is_known(start) and is_known(end):
        # An inference beyond Terraform's plan (documented in the README): the configuration
        # fixes the length. slice(data.aws_availability_zones.x.names, 0, 3) has 3 elements,
        # or Terraform fails; so [for i, az in ... : cidrsubnet(var.cidr, 4, i)] is known (the
        # terraform-aws-modules/vpc idiom). The elements themselves stay unknown.
        lo, hi = int(to_number(start)), int(to_number(end))
        if 0 <= lo <= hi and hi - lo <= 4096:
            reason = unknown_from(value, what="slice()")
            return [Unknown(f"element {i} of {getattr(reason, 'reason', 'slice()')}") for i in range(hi - lo)]
    if isinstance(value, (Unknown, Ref)) or not (is_known(start) and is_known(end)):
        return unknown_from(value, start, end, what="slice()")
    items = _list(value, "slice")
    lo, hi = int(to_number(start)), int(to_number(end))
    if lo < 0 or hi > len(items) or lo > hi:  # Terraform refuses what Python would clamp
        raise EvalError(f"slice: indexes {lo}, {hi} are out of range for a list of {len(items)}")
    if isinstance(items, UnorderedList) and hi - lo < len(items):
        return [Unknown(items.why) for _ in items[lo:hi]]  # which ones are in it is not known
    return _unordered_if([items], items[lo:hi])


@fn("reverse", shape=True)
def _reverse(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)):
        return unknown_from(value, what="reverse()")
    return _unordered_if([value], list(reversed(_list(value, "reverse"))))


@fn("sort", shape=True)
def _sort(value: Any) -> Any:
    if isinstance(value, (Unknown, Ref)):
        return unknown_from(value, what="sort()")
    items = _list(value, "sort")
    if all(is_known(v) for v in items):
        return sorted(to_string(v) for v in items)
    if any(isinstance(v, (list, dict)) for v in items):
        return unknown_from(*items, what="sort()")  # (Terraform sorts strings only)
    # the members are known (group ids the plan creates), their order only after apply
    return unordered(sorted((v for v in items if is_known(v)), key=to_string) +
                     [v for v in items if not is_known(v)], ORDER_UNKNOWN)


@fn("setunion", shape=True)
def _setunion(*sets: Any) -> Any:
    out: list = []
    for s in sets:
        if isinstance(s, (Unknown, Ref)):
            return unknown_from(s, what="setunion()")
        out.extend(_list(s, "setunion"))
    return _set(out)


@fn("setintersection")
def _setintersection(first: Any, *rest: Any) -> Any:
    others = [{equality_key(o) for o in _list(r, "setintersection")} for r in rest]
    return _set([v for v in _list(first, "setintersection") if all(equality_key(v) in r for r in others)])


@fn("setsubtract")
def _setsubtract(a: Any, b: Any) -> Any:
    drop = {equality_key(o) for o in _list(b, "setsubtract")}
    return _set([v for v in _list(a, "setsubtract") if equality_key(v) not in drop])


@fn("range")
def _range(*args: Any) -> Any:
    nums = [to_number(a) for a in args]
    if len(nums) == 1:
        nums = [0, nums[0], 1]
    elif len(nums) == 2:
        nums.append(1 if nums[1] >= nums[0] else -1)
    start, stop, step = nums
    if step == 0:
        raise EvalError("range: step must not be zero")
    out = []
    value = start
    while (value < stop) if step > 0 else (value > stop):
        out.append(number(value))
        value += step
        if len(out) > 1024:
            raise EvalError("range: more than 1024 elements")
    return out


@fn("setproduct")
def _setproduct(*sets: Any) -> Any:
    count = 1
    for s in sets:
        count *= len(_list(s, "setproduct"))
        budget.elements(count * (len(sets) + 1), "setproduct")  # refused before it is made
    out: list = [[]]
    for s in sets:
        out = [prefix + [item] for prefix in out for item in _list(s, "setproduct")]
    return out if sets else []


@fn("chunklist")
def _chunklist(value: Any, size: Any) -> Any:
    items, n = unify(_list(value, "chunklist")), int(to_number(size))  # list(any): one element type
    return [items[i:i + n] for i in range(0, len(items), n)] if n > 0 else [items]


@fn("matchkeys", shape=True)
def _matchkeys(values: Any, keys: Any, search: Any) -> Any:
    # only the keys decide which values are taken: the values may be known only after apply
    if isinstance(values, (Unknown, Ref)) or not is_known(keys) or not is_known(search):
        return unknown_from(values, keys, search, what="matchkeys()")
    wanted = {equality_key(s) for s in _list(search, "matchkeys")}
    return [v for v, k in zip(values, keys) if equality_key(k) in wanted]


@fn("transpose")
def _transpose(value: Any) -> Any:
    out: dict = {}
    for k in sorted(value):
        for v in value[k]:
            out.setdefault(v, []).append(k)
    return out


@fn("alltrue")
def _alltrue(value: Any) -> Any:
    return all(to_bool(v) for v in _list(value, "alltrue"))


@fn("anytrue")
def _anytrue(value: Any) -> Any:
    return any(to_bool(v) for v in _list(value, "anytrue"))


@fn("sum")
def _sum(value: Any) -> Any:
    from .arith import total

    return total([to_number(v) for v in _list(value, "sum")])  # decimal, as go-cty adds


# ---------------------------------------------------------------- strings and numbers

@fn("join", shape=True)
def _join(sep: Any, *lists: Any) -> Any:
    if not is_known(sep) or any(isinstance(lst, (Unknown, Ref)) for lst in lists):
        return unknown_from(sep, *lists, what="join()")
    items = [v for lst in lists for v in _list(lst, "join")]
    if len(items) == 1 and isinstance(items[0], Ref):
        # join("", aws_security_group.x[*].id) over one instance is that id (cloudposse's idiom
        # for an optional resource): the reference, not an unknown string
        return items[0]
    if not all(is_known(v) for v in items):
        return unknown_from(*items, what="join()")
    sep = to_string(sep)
    parts = [to_string(v) for v in items]
    budget.chars(sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0), "join")
    return sep.join(parts)


@fn("split", shape=True)
def _split(sep: Any, text: Any) -> Any:
    whole = addresses.split_block(sep, text)  # split(",", "${aws_eip.x.public_ip}/32"): one /32
    if whole is not None:
        return whole
    if isinstance(text, Ref) and is_known(sep) and ref_equals(text, ",") is False \
            and to_string(sep) in (",", " ", ";", ":"):
        # an EC2 id (sg-..., pl-...) holds none of these: split(",", join(",", [x.id])) is [x.id]
        return [text]
    if not (is_known(sep) and is_known(text)):
        return unknown_from(sep, text, what="split()")
    text, sep = to_string(text), to_string(sep)
    if sep and text:
        budget.elements(text.count(sep) + 1, "split")
    if not sep:  # Go's strings.Split: one element per character, none for ""
        return list(text)
    return text.split(sep) if text else [""]


@fn("replace")
def _replace(text: Any, old: Any, new: Any) -> Any:
    old = to_string(old)
    text, new = to_string(text), to_string(new)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        from .functions_text import replace_regex

        out = replace_regex(text, old[1:-1], new)
        budget.chars(len(out), "replace")
        return out
    budget.chars(len(text) + text.count(old) * (len(new) - len(old)), "replace")
    return text.replace(old, new)


_CASES: dict[str, Callable[[str], str]] = {"trimspace": str.strip, "chomp": lambda s: s.rstrip("\r\n")}
for _name, _func in _CASES.items():
    _IMPL[_name] = (lambda f: (lambda s: f(to_string(s))))(_func)


@fn("trim")
def _trim(text: Any, chars: Any) -> Any:
    return to_string(text).strip(to_string(chars))


@fn("trimprefix")
def _trimprefix(text: Any, prefix: Any) -> Any:
    text, prefix = to_string(text), to_string(prefix)
    return text[len(prefix):] if prefix and text.startswith(prefix) else text


@fn("trimsuffix")
def _trimsuffix(text: Any, suffix: Any) -> Any:
    text, suffix = to_string(text), to_string(suffix)
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


@fn("startswith")
def _startswith(text: Any, prefix: Any) -> Any:
    return to_string(text).startswith(to_string(prefix))


@fn("endswith")
def _endswith(text: Any, suffix: Any) -> Any:
    return to_string(text).endswith(to_string(suffix))


@fn("substr")
def _substr(text: Any, offset: Any, length: Any) -> Any:
    chars = graphemes(to_string(text))  # go-cty: offsets and lengths in grapheme clusters
    offset, length = int(to_number(offset)), int(to_number(length))
    if offset < 0:
        offset += len(chars)
    return "".join(chars[offset:] if length < 0 else chars[offset:offset + length])


@fn("strrev")
def _strrev(text: Any) -> Any:
    return "".join(reversed(graphemes(to_string(text))))  # each cluster kept whole


@fn("tostring")
def _tostring(value: Any) -> Any:
    return None if value is None else to_string(value)


@fn("tonumber")
def _tonumber(value: Any) -> Any:
    return None if value is None else to_number(value)


@fn("tobool")
def _tobool(value: Any) -> Any:
    return None if value is None else to_bool(value)


@fn("min")
def _min(*values: Any) -> Any:
    return min(to_number(v) for v in values)


@fn("max")
def _max(*values: Any) -> Any:
    return max(to_number(v) for v in values)


@fn("abs")
def _abs(value: Any) -> Any:
    return abs(to_number(value))


@fn("ceil")
def _ceil(value: Any) -> Any:
    return math.ceil(to_number(value))


@fn("floor")
def _floor(value: Any) -> Any:
    return math.floor(to_number(value))


@fn("pow")
def _pow(a: Any, b: Any) -> Any:
    # past limits.py number-digits: no security-group argument needs it, and
    # pow(10, 1000000000) would compute for hours (issue 13, "number magnitude")
    base, exp = to_number(a), to_number(b)
    digits = limits.get("number-digits")
    if abs(base) > 1 and abs(exp) * math.log10(abs(base)) > digits:
        raise OverLimit(f"pow: the result would have more than {digits:,} digits ({limits.how('number-digits')})")
    return number(base ** exp)


@fn("signum")
def _signum(value: Any) -> Any:
    v = to_number(value)
    return (v > 0) - (v < 0)


@fn("parseint")
def _parseint(text: Any, base: Any) -> Any:
    text = to_string(text)
    if len(text) > 4 * limits.get("number-digits"):  # base 2 needs 3.3 characters per decimal digit
        raise OverLimit(f"parseint: a number of more than {limits.get('number-digits'):,} digits "
                        f"({limits.how('number-digits')})")
    return number(int(text, int(to_number(base))))


@fn("jsonencode")
def _jsonencode(value: Any) -> Any:
    if _unordered_inside(value):
        return Unknown(SET_ORDER_UNKNOWN + " (jsonencode writes it in that order)")
    from .functions_go import go_json

    return go_json(value)


def _unordered_inside(value: Any) -> bool:
    """Does a value hold a set or list whose order tfsg does not reproduce?"""
    if isinstance(value, (UnorderedSet, UnorderedList)) and len(value) > 1:
        return True
    if isinstance(value, dict):
        return any(_unordered_inside(v) for v in value.values())
    if isinstance(value, list):
        return any(_unordered_inside(v) for v in value)
    return False


@fn("jsondecode")
def _jsondecode(text: Any) -> Any:
    try:
        from .functions_go import json_number

        # a number is a number: "1.0" is 1, as Terraform has no int/float distinction
        return _scalar_text(json.loads(to_string(text), parse_float=json_number, parse_int=json_number,
                                       parse_constant=_not_json))
    except ValueError as exc:
        raise EvalError(f"jsondecode: {exc}") from None
    except RecursionError:
        # fail closed, as for nesting anywhere else: an unknown here would let the gate pass a
        # value Terraform computes (Go decodes 10,000 levels)
        raise OverLimit("jsondecode: the document is nested too deeply to evaluate (hundreds of levels)") from None


def _not_json(word: str) -> Any:
    raise ValueError(f"{word} is not JSON")  # Python reads NaN and Infinity; Go does not


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _scalar_text(value: Any) -> Any:
    """Go's decoder (Terraform's) turns an escaped lone surrogate (``"\\ud800"``) into U+FFFD;
    Python's keeps it, and it is not text (no output could print it)."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_scalar_text(v) for v in value]
    if isinstance(value, dict):
        return {_scalar_text(k): _scalar_text(v) for k, v in value.items()}
    return value


@fn("issensitive", shape=True)
def _issensitive(value: Any) -> Any:
    return False  # call() reads the mark first


@fn("sensitive", shape=True)
def _sensitive(value: Any) -> Any:
    return value  # call() hands the value's text to the loader's secrets


@fn("nonsensitive", shape=True)
def _nonsensitive(value: Any) -> Any:
    return value


# ---------------------------------------------------------------- networks

# ---------------------------------------------------------------- files (path.module relative)

# file, fileexists, templatefile: read through the module's reader, inside the repository only
_WITH_ENV = {"file", "fileexists", "fileset", "templatefile", "templatestring", "filebase64", "filemd5",
             "filesha1", "filesha256", "filesha512", "filebase64sha256", "filebase64sha512"}


# registered by importing: regex, hashes, paths, time, YAML; format, jsonencode; upper, title, uuidv5...
from . import functions_case, functions_cidr, functions_go, functions_plan, functions_text  # noqa: E402,F401
from .functions_files import file as _file  # noqa: E402
from .functions_files import file_bytes as _file_bytes  # noqa: E402
from .functions_files import fileexists as _fileexists  # noqa: E402
from .functions_files import fileset as _fileset  # noqa: E402
from .functions_files import templatefile as _templatefile  # noqa: E402
from .functions_files import templatestring as _templatestring  # noqa: E402

for _name, _impl in (("file", _file), ("fileexists", _fileexists), ("fileset", _fileset),
                     ("templatefile", _templatefile),
                     ("templatestring", _templatestring)):
    fn(_name)(_impl)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


for _name, _encode in (("filebase64", _b64),
                       ("filemd5", lambda raw: hashlib.md5(raw).hexdigest()),
                       ("filesha1", lambda raw: hashlib.sha1(raw).hexdigest()),
                       ("filesha256", lambda raw: hashlib.sha256(raw).hexdigest()),
                       ("filesha512", lambda raw: hashlib.sha512(raw).hexdigest()),
                       ("filebase64sha256", lambda raw: _b64(hashlib.sha256(raw).digest())),
                       ("filebase64sha512", lambda raw: _b64(hashlib.sha512(raw).digest()))):
    fn(_name)(_file_bytes(_name, _encode))
