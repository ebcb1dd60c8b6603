"""Sensitivity marks on every kind of HCL value, as cty marks values in Terraform.

Terraform's rule ("Sensitive values" in the language docs; cty marks): the result of any
operation or function call with a sensitive operand is sensitive, a conditional whose condition
is sensitive is sensitive, and so is a ``for`` expression whose collection, ``if`` or key is.
A list or object literal keeps each element's own mark, so a sensitive password beside a CIDR
does not hide the CIDR; a set holds no marked element, its marks are the set's own.

The mark travels with the value, in its type:

- a string is ``model.SensitiveStr``, a number ``SensitiveInt``/``SensitiveFloat`` (subclasses:
  the value is still used, as a port, a count, a CIDR's prefix);
- a bool or null is ``SensitiveScalar`` (Python's bool cannot be subclassed, None is one object);
- a collection is its own class made sensitive (``sensitive_type``), and everything in it is
  marked too, so whatever is read out of it is marked without asking where it came from.

``repr`` of each is ``(sensitive)``: a message written with ``{x!r}`` cannot spell the value.
"""

from __future__ import annotations

from typing import Any

from ...model import SENSITIVE, SensitiveMap, SensitiveStr, WholeMark


class SensitiveInt(int):
    __slots__ = ()

    def __repr__(self) -> str:
        return repr(SENSITIVE)


class SensitiveFloat(float):
    __slots__ = ()

    def __repr__(self) -> str:
        return repr(SENSITIVE)


class SensitiveScalar:
    """A bool or null marked sensitive: compares and hashes as its value."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(SENSITIVE)

    def __eq__(self, other: object) -> bool:
        return (other.value if isinstance(other, SensitiveScalar) else other) == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)


class SensitiveCollection(WholeMark):
    """Mixin of the sensitive variants of list, dict and their typed subclasses."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(SENSITIVE)


_SENSITIVE_OF: dict[type, type] = {}
_BASE_OF: dict[type, type] = {}
MARKED = (SensitiveStr, SensitiveInt, SensitiveFloat, SensitiveScalar, SensitiveCollection)


def sensitive_type(cls: type) -> type:
    """``TypedList`` -> its sensitive variant (made once; ``isinstance`` still holds)."""
    if issubclass(cls, SensitiveCollection):
        return cls
    made = _SENSITIVE_OF.get(cls)
    if made is None:
        made = type("Sensitive" + cls.__name__, (SensitiveCollection, cls), {"__slots__": ()})
        _SENSITIVE_OF[cls], _BASE_OF[made] = made, cls
    return made


class CarriedStr(SensitiveStr):
    """A string marked only because the collection holding it is (a set of blocks one of which
    holds a sensitive value): shown as sensitive, but its own text is no secret (a literal, or
    made of unmarked values), so the output scrubber leaves it alone (``for_builder``)."""

    __slots__ = ()


def mark(value: Any, carried: bool = False) -> Any:
    """The value and everything in it marked sensitive (unknowns and references stay: they hold
    no value to show). Dict keys stay as they are, but a map marked whole hides them where output
    shows them (tags), as Terraform does. ``carried``: the collection is marked for what one of
    its elements holds, not for its own text (``CarriedStr``)."""
    if isinstance(value, (list, dict)) and not isinstance(value, SensitiveCollection):
        from . import budget

        budget.charge(budget.weight(value))  # a copy is made
    return _mark(value, carried)


def _mark(value: Any, carried: bool = False) -> Any:
    cls = value.__class__
    if cls is str:
        return CarriedStr(value) if carried else SensitiveStr(value)
    if isinstance(value, MARKED):
        return value
    if cls is bool or value is None:
        return SensitiveScalar(value)
    if isinstance(value, str):
        return SensitiveStr(value)
    if isinstance(value, int):
        return SensitiveInt(value)
    if isinstance(value, float):
        return SensitiveFloat(value)
    if isinstance(value, list):
        return sensitive_type(cls)([_mark(v, carried) for v in value])
    if isinstance(value, dict):
        return sensitive_type(cls)([(k, _mark(v, carried)) for k, v in value.items()])
    return value


def is_marked(value: Any) -> bool:
    """Is the value itself marked (not only something inside it)?"""
    return isinstance(value, MARKED)


def has_mark(value: Any) -> bool:
    """Is the value, or anything in it, marked?"""
    if isinstance(value, MARKED):
        return True
    if isinstance(value, list):
        return any(has_mark(v) for v in value)
    if isinstance(value, dict):
        return any(has_mark(v) for v in value.values()) or any(isinstance(k, SensitiveStr) for k in value)
    return False


def collection_marked(value: Any) -> bool:
    """Is a collection anywhere in the value marked (its length or keys are sensitive)?"""
    if isinstance(value, SensitiveCollection):
        return True
    if isinstance(value, list):
        return any(collection_marked(v) for v in value)
    if isinstance(value, dict):
        return any(collection_marked(v) for v in value.values())
    return False


def strip(value: Any) -> Any:
    """The value without its own mark; what is inside it keeps its marks."""
    if not isinstance(value, MARKED):
        return value
    if isinstance(value, SensitiveStr):
        return str.__str__(value)
    if isinstance(value, SensitiveInt):
        return int(value)
    if isinstance(value, SensitiveFloat):
        return float(value)
    if isinstance(value, SensitiveScalar):
        return value.value
    base = _BASE_OF[value.__class__]
    return base(value.items()) if isinstance(value, dict) else base(value)


def unmark(value: Any) -> Any:
    """``nonsensitive()``, and what a function computes on: the value with no mark anywhere."""
    if isinstance(value, (list, dict)):
        if not has_mark(value):
            return value
        base = _BASE_OF.get(value.__class__, value.__class__)
        if isinstance(value, dict):
            return base([(str.__str__(k) if isinstance(k, SensitiveStr) else k, unmark(v)) for k, v in value.items()])
        return base([unmark(v) for v in value])
    return strip(value)


def for_builder(value: Any, found: list[str], inside: bool = False) -> Any:
    """A resource's values as the builder reads them (``model`` knows marked strings only):
    strings keep their mark (and a string inside a marked collection gets one), numbers and
    bools lose theirs. Ports and protocols are shown by design, as plan mode shows a sensitive
    port (README "What it reads"); a bool is a flag the analysis reads, never printed. The text
    of each marked string goes to ``found``: the scrubber's, as plan mode collects every marked
    leaf (what the builder prints without ``model.shown``, a ``vpc_id``, is still hidden); a string
    marked only by its set of blocks (``CarriedStr``) is not one."""
    if isinstance(value, str):
        if inside and value.__class__ is str:
            value = SensitiveStr(value)
        if isinstance(value, SensitiveStr) and not isinstance(value, CarriedStr):
            found.append(str.__str__(value))
        return value
    if isinstance(value, (list, dict)):
        inner = inside or isinstance(value, SensitiveCollection)
        if not inner and not has_mark(value):
            return value
        base = _BASE_OF.get(value.__class__, value.__class__)
        if isinstance(value, dict):
            # a map marked whole keeps that mark: its keys are sensitive too (model.WholeMark)
            return (SensitiveMap if inner else base)([(k, for_builder(v, found, inner)) for k, v in value.items()])
        return base([for_builder(v, found, inner) for v in value])
    return strip(value)


def is_null(value: Any) -> bool:
    """Is the value null, marked or not?"""
    return value is None or (isinstance(value, SensitiveScalar) and value.value is None)


__all__ = ["MARKED", "SensitiveCollection", "SensitiveFloat", "SensitiveInt", "SensitiveScalar", "for_builder",
           "has_mark", "is_marked", "mark", "sensitive_type", "strip", "unmark", "collection_marked",
           "is_null"]
