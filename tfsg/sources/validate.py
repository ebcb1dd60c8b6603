"""Refuse structurally invalid plans: check what tfsg reads against ``schemas/plan-subset.json``.

The schema describes the plan subset tfsg reads (REFERENCE A): the top-level keys,
``resource_changes`` entries and their ``change``, the values representation, the parts of
``configuration`` that are followed, and per resource type (``$defs/values.TYPE``, chosen by
``allOf`` if/then on ``type``) the attributes read from ``before``/``after``/``values``. A wrong
type there is an input error, exit 2, one line: ``plan.json: resource_changes[3].change.after.ingress:
expected a list, got a string``. Values that are well typed but that AWS would reject are not
structural: the builder reports them as unknowns naming the resource (``netsets`` raises
``ProtocolError``/``ValueError`` for them).

Speed (at most a quarter of ``json.load``, ``bench/validate.py``): the schema is compiled to
Python once per process, by the small compiler below, for the subset of JSON Schema it uses
(type, properties, additionalProperties, items, required, enum, minItems, $ref, and allOf of
``if {type: const}`` / ``then``) plus tfsg's own ``x-`` keywords for what relates two fields
(``x-present``, ``x-index-in-address``, ``x-null-only-for``, ``x-unknown-not-in-after``; see
``_Compiler.extensions`` and ``_check_absent``). The generated code checks each value with one class test,
builds a JSON path only when it raises, inlines non-recursive ``$ref``s and turns the per-type
if/then list into one dict look-up (a ``then`` is applied exactly when its ``if`` holds).
fastjsonschema was measured first and is 3-4 times slower on large plans than the budget allows
(its code copies every object's key set and formats paths eagerly for ``$ref`` calls).
The tests check the compiled code against the ``jsonschema`` reference implementation.

Only the parts that are read are checked: ``resource_changes`` entries; of ``prior_state`` the
resources that have no ``resource_changes`` entry (data sources); ``planned_values`` resources
only when ``resource_changes`` is absent; a state's ``values``.

Non-finite numbers (``NaN``, ``Infinity``, ``1e400``, which ``json.loads`` accepts) are refused
while parsing (see ``loads``), naming the place.
"""

from __future__ import annotations

import json
import math
import re
from importlib import resources
from itertools import repeat
from operator import itemgetter
from typing import Any, Iterable, Optional

from ..errors import InputError

SCHEMA_FILE = "plan-subset.json"


# --------------------------------------------------------------------------- parsing


def loads(text: str, where: str) -> Any:
    """``json.loads`` that refuses NaN, Infinity and numbers too large for a float (1e400).

    Python's decoder accepts them; the hooks only note that one was seen (they run for
    non-finite constants and for numbers with a fraction or exponent, rare in plans), and the
    tree is searched for its place only then.
    """
    seen: list[str] = []

    def constant(name: str) -> float:
        seen.append(name)
        return float(name)

    def number(text: str) -> float:
        value = float(text)
        if value in (math.inf, -math.inf):
            seen.append(text)
        return value

    data = json.loads(text, parse_constant=constant, parse_float=number)
    if seen:
        try:
            path = render_path(_non_finite_path(data) or ())
        except RecursionError:
            path = ""
        token = _excerpt(seen[0], 24, quote=False)
        raise InputError(f"{path or '(top level)'}: not a finite number ({token}); "
                         "JSON numbers must be finite", where)
    return data


def _non_finite_path(node: Any, path: tuple = ()) -> Optional[tuple]:
    if isinstance(node, float):
        return path if not math.isfinite(node) else None
    items: Iterable = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(value, (dict, list, float)):
            found = _non_finite_path(value, path + (key,))
            if found is not None:
                return found
    return None


# --------------------------------------------------------------------------- validation


def validate(where: str, data: dict) -> None:
    """Raise InputError naming ``where``, the JSON path and the problem for the first
    structural error in the parts of ``data`` (a plan or state) that tfsg reads."""
    checks = _validators()
    del checks.absent[:], checks.pending[:]
    try:
        _validate(where, data, checks)
    except RecursionError:
        raise InputError("nested too deeply to check (JSON nested hundreds of levels deep)", where) from None
    finally:
        del checks.absent[:], checks.pending[:]


def _validate(where: str, data: dict, checks: "_Validators") -> None:
    try:
        checks.document(data)
    except Invalid as exc:
        raise _input_error(where, exc, ()) from None
    changes = data.get("resource_changes")
    if changes:
        try:
            checks.resource_changes(changes)
        except Invalid as exc:
            raise _input_error(where, exc, ("resource_changes",)) from None
        for rc, items in checks.absent:
            _check_absent(where, changes, rc, items)
        del checks.absent[:]
    seen = None if changes is None else set(map(itemgetter("address"), changes))
    prior = (data.get("prior_state") or {}).get("values")
    # (path, module, resources to skip, whether objects are complete: not planned_values)
    modules = [(("prior_state", "values", "root_module"), prior, seen, True),
               (("values", "root_module"), data.get("values"), None, True)]
    if changes is None:  # planned_values is read only when resource_changes is absent
        modules.append((("planned_values", "root_module"), data.get("planned_values"), None, False))
    for path, values, skip, complete in modules:
        if values:
            _check_module(where, values.get("root_module"), path, checks, skip, complete)


def _check_absent(where: str, changes: list, rc: dict, items: list[tuple[dict, str]]) -> None:
    """Keys Terraform always writes (``x-present``) that a before/after object lacks.

    A managed resource's object holds every attribute of its type, null when unset (and an
    inline rule every field); a value known only after apply is omitted from ``after`` and
    marked in ``after_unknown`` (REFERENCE A.5). An absent key without the mark is a damaged
    plan, not an unset value. Data sources of the same type name have other attributes.
    """
    if rc["mode"] != "managed":
        return
    change = rc["change"]
    after, before, unknown = change.get("after"), change.get("before"), change.get("after_unknown")
    for obj, key in items:
        if obj is after:  # the common case: a top-level attribute (an id known after apply)
            side, inner = "after", ()
        elif obj is before:
            side, inner = "before", ()
        else:
            for side, root in (("after", after), ("before", before)):
                inner = _locate(root, obj)
                if inner is not None:
                    break
            else:
                continue
        if side == "after" and (unknown is True or _marked(unknown, inner + (key,))):
            continue
        path = ("resource_changes", _index_of(changes, rc), "change", side) + inner
        raise InputError(f"{render_path(path)}: missing key {_excerpt(key)} (absent, and not marked unknown "
                         f"in after_unknown)", where)


def _settle(entry: dict, pending: list, left: list) -> None:
    """Drop the absent keys of ``after`` that after_unknown marks unknown (the common case: ids
    of new resources); keep the rest, with their entry, for ``_check_absent``."""
    change = entry.get("change")
    if change.__class__ is dict:
        after, unknown = change.get("after"), change.get("after_unknown")
        if unknown is True:
            rest = [(obj, key) for obj, key in pending if obj is not after]
        elif unknown.__class__ is dict:
            rest = [(obj, key) for obj, key in pending if obj is not after or unknown.get(key) is not True]
        else:
            rest = pending[:]
    else:
        rest = pending[:]
    del pending[:]
    if rest:
        left.append((entry, rest))


def _locate(root: Any, target: Any) -> Optional[tuple]:
    """The path of ``target`` (by identity) inside ``root``, breadth first (absent keys are
    mostly in shallow objects: an inline rule is ``after.ingress[i]``), or None."""
    level: list[tuple[tuple, Any]] = [((), root)]
    while level:
        deeper: list[tuple[tuple, Any]] = []
        for path, node in level:
            if node is target:
                return path
            if node.__class__ is dict:
                deeper.extend((path + (k,), v) for k, v in node.items() if v.__class__ in (dict, list))
            elif node.__class__ is list:
                deeper.extend((path + (i,), v) for i, v in enumerate(node) if v.__class__ in (dict, list))
        level = deeper
    return None


def _marked(mask: Any, path: tuple) -> bool:
    """Does an after_unknown mask mark ``path`` (or a value above it) unknown?"""
    for step in path:
        if mask is True:
            return True
        if isinstance(mask, dict):
            mask = mask.get(step)
        elif isinstance(mask, list) and isinstance(step, int) and step < len(mask):
            mask = mask[step]
        else:
            return False
    return mask is True


def _check_module(where: str, module: Any, path: tuple, checks: "_Validators", skip: Optional[set],
                  complete: bool) -> None:
    """The resources of a values-representation module that are read (those not in ``skip``)."""
    if not module:
        return
    entries = module.get("resources") or []
    indices: Iterable[int] = range(len(entries))
    if skip is not None:  # those with a resource_changes entry are read from there (found in C)
        addresses = list(map(dict.get, entries, repeat("address")))
        try:
            unseen = bool(set(addresses) - skip)
        except TypeError:  # an address that is not a string: checked (and refused) below
            unseen = True
        indices = [i for i, a in enumerate(addresses) if a.__class__ is not str or a not in skip] if unseen else ()
    for i in indices:
        res = entries[i]
        try:
            checks.resource(res)
        except Invalid as exc:
            raise _input_error(where, exc, path + ("resources", i)) from None
        if checks.absent:
            obj, key = checks.absent[0][1][0]
            del checks.absent[:]
            # planned_values omits unknown values; a state's objects are complete (managed ones)
            if complete and res["mode"] == "managed":
                inner = _locate(res.get("values"), obj) or ()
                raise InputError(f"{render_path(path + ('resources', i, 'values') + inner)}: missing key "
                                 f"{_excerpt(key)} (a state holds every attribute of a resource)", where)
    for i, child in enumerate(module.get("child_modules") or ()):
        _check_module(where, child, path + ("child_modules", i), checks, skip, complete)


class Invalid(Exception):
    """A structural error found by the compiled checks: the rule, what it wanted, the value, where."""

    def __init__(self, rule: str, detail: Any, value: Any, path: tuple) -> None:
        super().__init__(rule)
        self.rule, self.detail, self.value, self.path = rule, detail, value, path


# --------------------------------------------------------------------------- messages

_TYPE_NAMES = {"array": "a list", "object": "an object", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "a boolean", "null": "null"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _input_error(where: str, exc: Invalid, prefix: tuple) -> InputError:
    return InputError(f"{render_path(prefix + tuple(exc.path)) or '(top level)'}: {problem(exc)}", where)


def render_path(path: tuple, limit: int = 200) -> str:
    """``("resource_changes", 3, "change")`` -> ``resource_changes[3].change``; odd keys quoted."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _NAME.fullmatch(step):
            out += f".{step}" if out else step
        else:
            out += f"[{_excerpt(step, 40)}]"
    return out if len(out) <= limit else out[:limit // 2] + "…" + out[-limit // 2:]


def problem(exc: Invalid) -> str:
    """What is wrong, in words, with at most a short escaped excerpt of the value."""
    rule, detail, value = exc.rule, exc.detail, exc.value
    if rule == "type":
        shown = [w for w in detail if w != "null"] or list(detail)  # null is "unset": implied
        names = [_TYPE_NAMES.get(w, w) for w in shown]
        expected = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return f"expected {expected}, got {_describe(value, 'integer' in detail)}"
    if rule == "required":
        return f"missing key {_excerpt(detail)}"
    if rule == "enum":
        return f"expected one of {', '.join(_excerpt(o) for o in detail)}, got {_describe(value, quote=True)}"
    if rule == "x-index-in-address":
        if isinstance(value, dict) and "index" in value:
            return "index is set but the address has no instance key"
        return "the address ends in an instance key but there is no index"
    if rule == "x-null-only-for" and isinstance(value, dict):
        key, allowed = detail
        actions = value.get("actions")
        return (f"{key} is null, but the actions {_excerpt(actions, 40)} need an object "
                f"(null only for {' or '.join(sorted(allowed))})")
    if rule == "x-unknown-absent":
        return f"missing key {_excerpt(detail)} (absent, and after_unknown has it without marking it unknown)"
    if rule == "x-unknown-shape":
        return f"after_unknown has {'an object' if detail == 'dict' else 'a list'} here, but the value is " \
               f"{_describe(value)}"
    if rule == "x-unknown-not-in-after":
        return "has a value, but after_unknown marks it unknown (Terraform omits unknown values)"
    if rule == "minItems":
        return f"expected at least {detail} item{'s' if detail != 1 else ''}, got {_describe(value)}"
    return f"does not match the plan schema ({rule})"


def _describe(value: Any, integer_wanted: bool = False, quote: bool = False) -> str:
    """A value's type, and for numbers and booleans the value (strings are never echoed:
    they may be sensitive, and plan JSON holds sensitive values in clear)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int):
        return f"an integer ({_excerpt(value)})"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "a non-finite number"
        return f"{'a number with a fraction' if integer_wanted else 'a number'} ({_excerpt(value)})"
    if isinstance(value, str):
        if quote:  # fields Terraform writes itself (mode), never resource values
            return _excerpt(value)
        return "a string" if value else "an empty string"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _excerpt(value: Any, limit: int = 24, quote: bool = True) -> str:
    """At most ``limit`` characters of a value, JSON-escaped (one line, no control characters)."""
    text = json.dumps(value, ensure_ascii=True)
    if not quote and isinstance(value, str):
        text = text[1:-1]
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --------------------------------------------------------------------------- compiling


class _Validators:
    def __init__(self, namespace: dict[str, Any]) -> None:
        self.document = namespace["ENTRY_document"]
        self.resource_changes = namespace["ENTRY_resource_changes"]
        self.resource = namespace["ENTRY_resource"]
        # x-present keys found absent: (object, key) as the checks go, then grouped per
        # resource entry (entry, its pairs); validate() decides with after_unknown and the mode
        self.absent: list[tuple[dict, list[tuple[dict, str]]]] = namespace["ABSENT_AT"]
        self.pending: list[tuple[dict, str]] = namespace["ABSENT"]


_compiled: Optional[_Validators] = None
CODE_FORMAT = 1  # part of the cache key, with the schema, this file and the interpreter


def schema_text() -> str:
    return resources.files("tfsg").joinpath("schemas", SCHEMA_FILE).read_text(encoding="utf-8")


def _validators() -> _Validators:
    """The compiled checks: generated once per schema and compiler, then read from the cache
    (``TFSG_CACHE_DIR``, as parsed .tf files; ``off`` disables it) as marshalled bytecode."""
    global _compiled
    if _compiled is None:
        text = schema_text()
        key = _cache_key(text)
        code = _read_cache(key)
        if code is None:
            code = compile(generate(json.loads(text)), "<tfsg plan schema>", "exec")
            _write_cache(key, code)
        namespace = {"Invalid": Invalid, "_M": _MISSING, "_ix": _index_of, "NoneType": type(None),
                     "_unknown_but_present": _unknown_but_present, "_settle": _settle}
        exec(code, namespace)
        _compiled = _Validators(namespace)
    return _compiled


def generate(schema: dict) -> str:
    """The shipped schema -> Python source defining ``ENTRY_document`` (everything but the
    resource entries, which ``validate`` checks where they are read), ``ENTRY_resource_changes``
    (the list, per-type values included) and ``ENTRY_resource`` (one values-representation
    resource, per-type values included)."""
    defs = schema["$defs"]
    compiler = _Compiler(defs)
    document = {k: v for k, v in schema.items() if k not in ("$defs", "$schema", "$id")}
    names = {
        "document": compiler.function("document", document, cut={"typed_resource_change", "typed_values_resource"}),
        "resource_changes": compiler.function("resource_changes", {"type": "array",
                                              "items": {"$ref": "#/$defs/typed_resource_change"}}),
        "resource": compiler.function("resource", {"$ref": "#/$defs/typed_values_resource"}),
    }
    head = [f"{name} = {_literal(value)}" for name, value in compiler.constants.items()]
    tail = [f"{name} = {{{', '.join(f'{typ!r}: {function}' for typ, function in table.items())}}}"
            for name, table in compiler.tables.items()]
    tail += [f"ENTRY_{entry} = {function}" for entry, function in names.items()]
    tail.append("ABSENT = []  # (object, key) of x-present keys found absent, see validate()")
    tail.append("ABSENT_AT = []  # (resource entry, its ABSENT items)")
    return "\n".join(["# generated by tfsg/sources/validate.py from tfsg/schemas/plan-subset.json", ""]
                     + head + [""] + compiler.lines + tail) + "\n"


def _literal(value: Any) -> str:
    """Source text of a constant: tuples of JSON scalars, frozensets of strings or classes."""
    if isinstance(value, frozenset):
        items = sorted((_class_name(v) if isinstance(v, type) else repr(v)) for v in value)
        return f"frozenset(({''.join(i + ', ' for i in items)}))"
    return repr(value)


class _MissingType:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _MissingType()


def _index_of(items: list, item: Any) -> int:
    """The index of ``item`` (by identity) in a list: paths are built only when a check fails."""
    for i, x in enumerate(items):
        if x is item:
            return i
    return -1


_CLASSES = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,), "null": (type(None),),
            "integer": (int,), "number": (int, float)}
_ANNOTATIONS = {"description", "$comment", "title", "$schema", "$id", "$defs", "examples", "default", "x-present"}
_KEYWORDS = {"type", "properties", "additionalProperties", "items", "required", "enum", "minItems", "allOf",
             "$ref", "x-index-in-address", "x-null-only-for", "x-unknown-not-in-after", "x-call"} | _ANNOTATIONS
# How many levels of a recursive definition are inlined before a call (masks are many and shallow).
_UNROLL = {"mask": 3}
# Definitions compiled as functions (called) rather than inlined: recursive ones, and the
# per-type values, which several dispatch branches share.
_FUNCTION_PREFIXES = ("values.",)


class _Compiler:
    """Compiles the JSON Schema subset the plan schema uses to plain Python functions."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.recursive = _recursive(defs)
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}  # name -> value, emitted at the top of the source
        self._constant_names: dict[Any, str] = {}
        self._functions: dict[tuple, str] = {}
        self.tables: dict[str, dict[str, str]] = {}  # dispatch tables: type -> function name
        self._calls: dict[str, bool] = {}  # template call slots -> may the value be null
        self._n = 0

    def fresh(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def constant(self, value: Any) -> str:
        key = (type(value), value)
        if key not in self._constant_names:
            self._constant_names[key] = name = self.fresh("K")
            self.constants[name] = value
        return self._constant_names[key]

    def function(self, key: str, schema: Any, cut: frozenset = frozenset()) -> str:
        """Compile ``schema`` as a function of one argument (once per key and cut set)."""
        ident = (key, frozenset(cut))
        if ident in self._functions:
            return self._functions[ident]
        name = "check_" + re.sub(r"\W", "_", key) + f"_{len(self._functions)}"
        self._functions[ident] = name
        body: list[str] = []
        self.node(schema, "v", (), body, 1, (key,), frozenset(cut))
        self.lines += [f"def {name}(v):"] + (body or ["    pass"]) + [""]
        return name

    def node(self, schema: Any, var: str, path: tuple, out: list[str], depth: int, stack: tuple,
             cut: frozenset, nonnull: bool = False) -> None:
        """Append the statements that check ``var`` (at JSON ``path``) against ``schema``
        (``nonnull``: the code around has already tested that ``var`` is not None)."""
        pad = "    " * depth
        if schema is True or _trivial(schema):
            return
        if not isinstance(schema, dict):
            raise ValueError(f"plan schema: unsupported schema {schema!r}")
        unknown = set(schema) - _KEYWORDS
        if unknown:
            raise ValueError(f"plan schema: keywords {sorted(unknown)} are not compiled")
        where = _path_code(path)
        if "x-call" in schema:  # a dispatch template's slot: call the function chosen by type
            if self._calls[schema["x-call"]] and not nonnull:
                out.append(f"{pad}if {var} is not None:")
                self.call(schema["x-call"], var, where, out, pad + "    ")
            else:
                self.call(schema["x-call"], var, where, out, pad)
            return
        if "$ref" in schema:  # draft-07: the other keywords beside $ref are ignored
            name = schema["$ref"].split("/")[-1]
            if name in cut:
                schema = {"type": "object"}
            elif name in self.recursive and stack.count(name) >= _UNROLL.get(name, 1) or \
                    name.startswith(_FUNCTION_PREFIXES):
                function = self.function(name, self.defs[name], cut)
                leaves = self.leaf_classes(self.defs[name], nonnull)
                if leaves:  # a leaf or an empty container needs no call (masks: `false`, `[]`, `{}`)
                    test = " and ".join(f"{var}.__class__ is not {_class_name(c)}" for c in sorted(leaves, key=str))
                    if self.empty_passes(self.defs[name]):
                        test += f" and ({var} or {var}.__class__ is not dict and {var}.__class__ is not list)"
                    out.append(f"{pad}if {test}:")
                    self.call(function, var, where, out, pad + "    ")
                else:
                    self.call(function, var, where, out, pad)
                return
            else:
                self.node(self.defs[name], var, path, out, depth, stack + (name,), cut, nonnull)
                return
        if "enum" in schema:
            options = self.constant(tuple(schema["enum"]))
            out.append(f"{pad}if {var} not in {options}: raise Invalid('enum', {options}, {var}, {where})")
        for sub in schema.get("allOf", ()):
            if "if" not in sub:
                self.node(sub, var, path, out, depth, stack, cut)
        branches = [sub for sub in schema.get("allOf", ()) if "if" in sub]
        if branches:
            self.dispatch(branches, var, path, out, depth, stack, cut)
        types = schema.get("type")
        if types is None and not any(k in schema for k in ("properties", "additionalProperties", "required",
                                                           "items", "minItems")):
            return
        allowed = None if types is None else [types] if isinstance(types, str) else list(types)
        classes = None if allowed is None else {c for t in allowed for c in _CLASSES[t]}
        object_body = self.object_body(schema, var, path, depth + 1, stack, cut) \
            if classes is None or dict in classes else []
        array_body = self.array_body(schema, var, path, depth + 1, stack, cut) \
            if classes is None or list in classes else []
        cls = self.fresh("c") if object_body or array_body else f"{var}.__class__"
        if object_body or array_body:
            out.append(f"{pad}{cls} = {var}.__class__")
        keyword = "if"
        scalars = set() if classes is None else classes - {dict, list} - ({type(None)} if nonnull else set())
        if (object_body or array_body) and scalars and not ("integer" in allowed and float not in scalars):
            # scalars first: they need nothing more (masks are mostly `true`/`false` leaves)
            test = f"{cls} is {_class_name(next(iter(scalars)))}" if len(scalars) == 1 else \
                f"{cls} in {self.constant(frozenset(scalars))}"
            out.append(f"{pad}if {test}: pass")
            keyword = "elif"
            classes = classes - scalars
        if object_body:
            out.append(f"{pad}{keyword} {cls} is dict:")
            out.extend(object_body)
            keyword = "elif"
            classes = None if classes is None else classes - {dict}
        if array_body:
            out.append(f"{pad}{keyword} {cls} is list:")
            out.extend(array_body)
            keyword = "elif"
            classes = None if classes is None else classes - {list}
        if classes is not None and nonnull:
            classes.discard(type(None))
        if classes is not None and not classes:  # nothing else is allowed
            expected = self.constant(tuple(allowed))
            if keyword == "if":
                out.append(f"{pad}raise Invalid('type', {expected}, {var}, {where})")
            else:
                out.append(f"{pad}else: raise Invalid('type', {expected}, {var}, {where})")
        elif classes is not None:
            test = self.class_test(allowed, classes, var, cls)
            expected = self.constant(tuple(allowed))
            out.append(f"{pad}{keyword} {test}: raise Invalid('type', {expected}, {var}, {where})")

    def class_test(self, allowed: list[str], classes: set, var: str, cls: str) -> str:
        """A Python test that is true when ``var``'s class is not one of ``classes``."""
        if len(classes) == 1:
            test = f"{cls} is not {_class_name(next(iter(classes)))}"
        else:
            test = f"{cls} not in {self.constant(frozenset(classes))}"
        if "integer" in allowed and float not in classes:  # 22.0 is an integer in JSON Schema
            test = f"{test} and not ({cls} is float and {var}.is_integer())"
        return test

    def scalar(self, schema: Any, cut: frozenset, depth: int = 0) -> Optional[list[str]]:
        """The JSON types of a schema that only constrains the type to scalars (else None)."""
        if not isinstance(schema, dict) or depth > 20:
            return None
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            if name in cut or name in self.recursive or name.startswith(_FUNCTION_PREFIXES):
                return None
            return self.scalar(self.defs[name], cut, depth + 1)
        if set(schema) - _ANNOTATIONS != {"type"}:
            return None
        types = [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
        return None if "object" in types or "array" in types else types

    def object_body(self, schema: dict, var: str, path: tuple, depth: int, stack: tuple,
                    cut: frozenset) -> list[str]:
        pad = "    " * depth
        out: list[str] = []
        where = _path_code(path)
        properties = schema.get("properties", {})
        required = schema.get("required", ())
        # x-present: an absent key is noted in ABSENT (no exception: whether it is allowed
        # depends on after_unknown and the resource's mode, which validate() looks at)
        present = schema.get("x-present", ())
        for key in required:
            if key not in properties:
                out.append(f"{pad}if {key!r} not in {var}: raise Invalid('required', {key!r}, {var}, {where})")
        for key in present:
            if key not in properties:
                out.append(f"{pad}if {key!r} not in {var}: ABSENT.append(({var}, {key!r}))")
        for key, sub in properties.items():
            body: list[str] = []
            item = self.fresh("x")
            types = self.scalar(sub, cut)
            if types is not None:  # the common case: one look-up, one class test
                out += self.scalar_property(key, types, var, item, path, pad, key in required, key in present)
                continue
            if key in required:  # one look-up for both checks
                out += [f"{pad}{item} = {var}.get({key!r}, _M)",
                        f"{pad}if {item} is _M: raise Invalid('required', {key!r}, {var}, {where})"]
                self.node(sub, item, path + (repr(key),), out, depth, stack, cut)
                continue
            nullable = self.allows_null(sub, cut)
            self.node(sub, item, path + (repr(key),), body, depth + 1, stack, cut, nonnull=nullable)
            if key in present:
                out += [f"{pad}{item} = {var}.get({key!r}, _M)",
                        f"{pad}if {item} is _M: ABSENT.append(({var}, {key!r}))"]
                if body:
                    out += [f"{pad}elif {item} is not None:" if nullable else f"{pad}else:"] + body
                continue
            if not body:
                continue
            if nullable:  # absent and null both pass: one look-up
                out += [f"{pad}{item} = {var}.get({key!r})", f"{pad}if {item} is not None:"] + body
            else:
                out += [f"{pad}{item} = {var}.get({key!r}, _M)", f"{pad}if {item} is not _M:"] + body
        out += self.extensions(schema, var, path, pad)
        extra = schema.get("additionalProperties", True)
        if extra is not True:
            key, item = self.fresh("k"), self.fresh("x")
            body = []
            self.node(extra, item, path + (key,), body, depth + 2 if properties else depth + 1, stack, cut)
            if body:
                out.append(f"{pad}for {key}, {item} in {var}.items():")
                if properties:
                    out.append(f"{pad}    if {key} not in {self.constant(frozenset(properties))}:")
                out += body
        return out

    def extensions(self, schema: dict, var: str, path: tuple, pad: str) -> list[str]:
        """tfsg's own keywords (relations between fields; other validators ignore them):

        * ``x-index-in-address: true``: ``index`` is set exactly when ``address`` ends in an
          instance key (``aws_x.y[0]``); the address is rebuilt from the fields, and one that
          lost its key would merge instances.
        * ``x-null-only-for: {"after": [actions...], ...}``: that key may be null only when
          ``actions`` holds one of those (``after`` also when ``after_unknown`` is true).
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
            out.append(f"{pad}if {var}.get({key!r}) is None{unknown} and {allowed}.isdisjoint({var}['actions']): "
                       f"raise Invalid('x-null-only-for', ({key!r}, {allowed}), {var}, {where})")
        return out

    def scalar_property(self, key: str, types: list[str], var: str, item: str, path: tuple, pad: str,
                        required: bool, present: bool) -> list[str]:
        """``var[key]`` of a scalar type: the class test first, the rarer cases behind it."""
        nullable = "null" in types
        classes = {c for t in types for c in _CLASSES[t]} - {type(None)}
        test = self.class_test(types, classes, item, f"{item}.__class__")
        where = _path_code(path + (repr(key),))
        invalid = f"raise Invalid('type', {self.constant(tuple(types))}, {item}, {where})"
        if required:
            absent = f"raise Invalid('required', {key!r}, {var}, {_path_code(path)})"
        elif present:
            absent = f"ABSENT.append(({var}, {key!r}))"
        else:
            absent = None
        out = [f"{pad}{item} = {var}.get({key!r}{'' if absent is None and nullable else ', _M'})",
               f"{pad}if {test}{f' and {item} is not None' if nullable else ''}:"]
        if absent is None and not nullable:
            out.append(f"{pad}    if {item} is not _M: {invalid}")
        elif absent is None:
            out.append(f"{pad}    {invalid}")
        else:
            out += [f"{pad}    if {item} is _M: {absent}", f"{pad}    else: {invalid}"]
        return out

    def array_body(self, schema: dict, var: str, path: tuple, depth: int, stack: tuple,
                   cut: frozenset) -> list[str]:
        pad = "    " * depth
        out: list[str] = []
        if "minItems" in schema:
            count = int(schema["minItems"])
            out.append(f"{pad}if len({var}) < {count}: raise Invalid('minItems', {count}, {var}, "
                       f"{_path_code(path)})")
        if "items" in schema:
            item = self.fresh("x")
            body: list[str] = []
            self.node(schema["items"], item, path + (f"_ix({var}, {item})",), body, depth + 1, stack, cut)
            if body:
                out += [f"{pad}for {item} in {var}:"] + body
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

    def call(self, function: str, var: str, where: str, out: list[str], pad: str) -> None:
        error = self.fresh("e")
        out += [f"{pad}try:", f"{pad}    {function}({var})", f"{pad}except Invalid as {error}:",
                f"{pad}    {error}.path = {where} + {error}.path", f"{pad}    raise"]

    def empty_passes(self, schema: Any) -> bool:
        """Does every empty object and empty list that the schema's type allows pass it?"""
        if not isinstance(schema, dict) or set(schema) & {"enum", "allOf", "$ref", "required", "minItems"}:
            return False
        types = schema.get("type")
        types = [types] if isinstance(types, str) else types or []
        return "object" in types and "array" in types

    def leaf_classes(self, schema: Any, nonnull: bool) -> set[type]:
        """Scalar classes a schema accepts with nothing more to check (no enum, no allOf)."""
        if not isinstance(schema, dict) or "type" not in schema or set(schema) & {"enum", "allOf", "$ref"}:
            return set()
        types = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
        out = {c for t in types if t not in ("object", "array", "integer") for c in _CLASSES[t]}
        return out - {type(None)} if nonnull else out

    def allows_null(self, schema: Any, cut: frozenset, depth: int = 0) -> bool:
        if schema is True or not isinstance(schema, dict) or depth > 20:
            return True
        if "x-call" in schema:
            return self._calls[schema["x-call"]]
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            return name not in cut and self.allows_null(self.defs[name], cut, depth + 1)
        types = schema.get("type")
        if types is not None and "null" not in ([types] if isinstance(types, str) else types):
            return False
        if "enum" in schema and None not in schema["enum"]:
            return False
        return all(self.allows_null(s, cut, depth + 1) for s in schema.get("allOf", ()) if "if" not in s)


def _unknown_but_present(mask: Any, value: Any, path: tuple) -> None:
    """Raise when ``mask`` (after_unknown) marks true a path that ``value`` (after) holds, marks a
    path that ``value`` lacks as known, or has another shape than the value."""
    if mask.__class__ is dict and value.__class__ is dict:
        for key, sub in mask.items():
            if sub is True:
                if value.get(key) is not None:
                    raise Invalid("x-unknown-not-in-after", key, value[key], path + (key,))
            elif key not in value:
                # absent from after means unknown: a mask entry that does not say so contradicts it
                raise Invalid("x-unknown-absent", key, value, path)
            elif sub:
                _unknown_but_present(sub, value[key], path + (key,))
    elif mask.__class__ is list and value.__class__ is list:
        for i, sub in enumerate(mask):
            item = value[i] if i < len(value) else None
            if sub is True:
                if item is not None:
                    raise Invalid("x-unknown-not-in-after", i, item, path + (i,))
            elif sub:
                _unknown_but_present(sub, item, path + (i,))
    elif value is not None and mask.__class__ in (dict, list) and mask:
        raise Invalid("x-unknown-shape", type(mask).__name__, value, path)


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


def _trivial(schema: Any) -> bool:
    return isinstance(schema, dict) and not (set(schema) - _ANNOTATIONS)


def _class_name(cls: type) -> str:
    return "NoneType" if cls is type(None) else cls.__name__


def _path_code(path: tuple) -> str:
    return "(" + "".join(f"{step}, " for step in path) + ")"


def _refs(node: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            out.add(node["$ref"].split("/")[-1])
        for value in node.values():
            out |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            out |= _refs(value)
    return out


def _recursive(defs: dict) -> set[str]:
    """Definitions that reach themselves through ``$ref``s."""
    graph = {name: _refs(body) for name, body in defs.items()}
    out = set()
    for start in graph:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            cur = todo.pop()
            if cur == start:
                out.add(start)
                break
            if cur not in seen and cur in graph:
                seen.add(cur)
                todo.extend(graph[cur])
    return out


# --------------------------------------------------------------------------- cache


def _cache_key(text: str) -> str:
    import hashlib
    import sys

    try:
        with open(__file__, "rb") as fh:
            compiler = fh.read()
    except OSError:
        compiler = b""
    return hashlib.sha256(f"{CODE_FORMAT}\0{sys.implementation.cache_tag}\0".encode() + compiler + b"\0"
                          + text.encode()).hexdigest()


def _cache_path(key: str) -> Optional[str]:
    import os

    from .hcl.cache import _directory

    directory = _directory()
    return os.path.join(directory, "schema", f"plan-{key[:32]}.marshal") if directory else None


def _read_cache(key: str) -> Any:
    import marshal

    path = _cache_path(key)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            return marshal.load(fh)
    except Exception:  # missing, unreadable or truncated: generate again
        return None


def _write_cache(key: str, code: Any) -> None:
    import marshal
    import os

    path = _cache_path(key)
    if path is None:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            marshal.dump(code, fh)
        os.replace(tmp, path)
    except OSError:
        pass
