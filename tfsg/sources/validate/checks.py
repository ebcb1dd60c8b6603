"""Run the compiled checks over a plan or state; the names the generated code is linked against.

Only the parts that are read are checked: ``resource_changes`` entries; of ``prior_state`` the
resources that have no ``resource_changes`` entry (data sources); ``planned_values`` resources
only when ``resource_changes`` is absent; a state's ``values``.

A key Terraform always writes (``x-present``) found absent is not raised where it is found: the
generated code notes it in ``ABSENT`` (grouped per resource entry by ``_settle``) and
``_check_absent``/``_check_module`` decide with ``after_unknown`` and the resource's mode.
``Invalid``, ``_MISSING``, ``_index_of``, ``_settle`` and ``_unknown_but_present`` are put in the
generated code's namespace by ``_validators`` (``__init__.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Optional

from ...errors import InputError
from .messages import _excerpt, _input_error, render_path

if TYPE_CHECKING:
    from . import _Validators


def _validate(where: str, data: dict, checks: "_Validators") -> None:
    try:
        checks.document(data)
    except Invalid as exc:
        raise _input_error(where, exc, ()) from None
    changes = data.get("resource_changes")
    if changes:
        # an unchanged object's before equals its after (most of an update plan): checked once,
        # as after (the comparison runs in C; equal values need no second walk in Python)
        same = _equal_sides(changes)
        try:
            for rc, change in same:  # checked as a create of the same object (after)
                rc["change"] = {**change, "actions": ["create"], "before": None}
            checks.resource_changes(changes)
        except Invalid as exc:
            raise _input_error(where, exc, ("resource_changes",)) from None
        finally:
            for rc, change in same:
                rc["change"] = change
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


def _equal_sides(changes: list) -> list[tuple[dict, dict]]:
    """(entry, its change) of the no-op changes whose ``before`` equals their ``after``. Python's
    ``==`` also equates ``true`` with ``1`` and ``1`` with ``1.0``: such a side reads the same
    either way (a port ``true`` is 1), so it is not checked twice either."""
    out = []
    for rc in changes:
        change = rc.get("change") if rc.__class__ is dict else None
        if change.__class__ is not dict or change.get("actions") != ["no-op"]:
            continue
        before, after = change.get("before"), change.get("after")
        if before.__class__ is dict and after.__class__ is dict and before == after:
            out.append((rc, change))
    return out


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
    where_in: Optional[dict[int, tuple[str, tuple]]] = None  # nested object -> (side, path), built once
    for obj, key in items:
        if obj is after:  # the common case: a top-level attribute (an id known after apply)
            side, inner = "after", ()
        elif obj is before:
            side, inner = "before", ()
        else:
            if where_in is None:  # (an inline rule's unknown field: ``after.ingress[i]``, per rule)
                where_in = {}
                for name, root in (("before", before), ("after", after)):  # after's paths win
                    where_in.update((ident, (name, path)) for ident, path in _paths(root))
            found = where_in.get(id(obj))
            if found is None:
                continue
            side, inner = found
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


def _paths(root: Any) -> Iterator[tuple[int, tuple]]:
    """(id, path) of every object and list inside ``root`` (``root`` itself too), breadth first:
    all of a resource's nested objects in one walk, not one search per absent key."""
    level: list[tuple[tuple, Any]] = [((), root)]
    while level:
        deeper: list[tuple[tuple, Any]] = []
        for path, node in level:
            yield id(node), path
            if node.__class__ is dict:
                deeper.extend((path + (k,), v) for k, v in node.items() if v.__class__ in (dict, list))
            elif node.__class__ is list:
                deeper.extend((path + (i,), v) for i, v in enumerate(node) if v.__class__ in (dict, list))
        level = deeper


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


# --------------------------------------------------------------------------- called by the generated code


class Invalid(Exception):
    """A structural error found by the compiled checks: the rule, what it wanted, the value, where."""

    def __init__(self, rule: str, detail: Any, value: Any, path: tuple) -> None:
        super().__init__(rule)
        self.rule, self.detail, self.value, self.path = rule, detail, value, path


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
