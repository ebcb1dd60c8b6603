"""Values of HCL expressions: plain Python data, plus what is not known until apply.

Known values are ``None``, ``bool``, ``int``/``float``, ``str``, ``list`` (tuples, lists and sets)
and ``dict`` (objects and maps). Two more kinds stand for what the .tf files cannot tell:

- ``Ref``: an attribute of a resource instance that only apply (or a plan's data read) knows,
  such as ``aws_security_group.web.id``. It stays symbolic, so a rule still names its group.
- ``Unknown``: anything else that cannot be computed, with the reason in words.

``EvalError`` is what Terraform would report as an error (an unsupported attribute, an index out
of range); ``try`` and ``can`` catch it, everything else turns it into an ``Unknown``.

Any value may carry Terraform's sensitivity mark, in its type (``marks``): what is computed from
a marked value is marked, and an error about one does not show it (``hidden``).
"""

from __future__ import annotations

import decimal
import re
from typing import Any, Optional

from ... import limits
from ...model import Address, SensitiveStr
from ..refs import ORDER_UNKNOWN, SET_ORDER_UNKNOWN  # noqa: F401 (re-exported)
from .bignum import Exact, parse_decimal, shortest, value_of
from .marks import (
    SensitiveCollection,
    SensitiveFloat,
    SensitiveInt,
    SensitiveScalar,
    has_mark,
    is_marked,
    is_null,
    mark,
    strip,
    unmark,
)


def mark_sensitive(value: Any, secrets: Optional[set[str]] = None) -> Any:
    """The value marked sensitive, everything in it too (``marks.mark``: ``sensitive()``, a
    ``sensitive = true`` variable or output, a provider-sensitive attribute); the mark travels
    with the value through expressions and functions, and the builder shows a marked CIDR as a
    placeholder. Its text also goes to ``secrets``, the output scrubber's second line."""
    if secrets is not None:
        remember(unmark(value), secrets)
    return mark(value)


def remember(value: Any, secrets: set[str]) -> None:
    """The text of the value's strings, for the output scrubber. CIDRs are marked structurally
    (0.0.0.0/0 elsewhere stays readable), and the scrubber replaces text anywhere: "true" or
    "5432" would break JSON output (a provider-sensitive map such as glue's
    ``connection_properties`` holds them), and "icmpv6" every flow of that protocol (a rule of a
    sensitive ingress set), so those are left to the marks alone."""
    from ..instances import collect_secrets

    found: set[str] = set()
    collect_secrets(value, found, addresses=False)
    secrets |= {t for t in found if t.lower() not in _OUTPUT_WORDS and not t.isdigit()}


_OUTPUT_WORDS = {"true", "false", "null", "icmp", "icmpv6"}


class EvalError(Exception):
    """An expression Terraform would reject; ``try``/``can`` catch it. ``sensitive``: it came
    from a value marked sensitive (its message does not show it; what ``try``/``can`` make of
    it is sensitive too)."""

    sensitive = False
    # Terraform's own error on known values (a function call that fails: "Call to function
    # \"cidrsubnet\" failed"): try()/can() catch it like any other, but where nothing does it is
    # the configuration's error (bodies.safe: exit 2 at file:line), never an unknown
    refused = False


def hidden(what: str, exc: Optional[EvalError] = None) -> EvalError:
    """The error of an operation on a sensitive value, which its message would spell (Terraform
    says "..., which is sensitive"); a limit stays what it is, without its numbers."""
    if isinstance(exc, OverLimit):
        if exc.sensitive:
            return exc
        limit = OverLimit(f"{what}: a value computed from a sensitive one is over a limit "
                          f"({re.sub(r'[0-9][0-9,]*', 'N', str(exc))})")
        limit.sensitive = True
        return limit
    out = EvalError(f"{what} failed on a value, which is sensitive")
    out.sensitive = True
    out.refused = getattr(exc, "refused", False)
    return out


class OverLimit(EvalError):
    """A value past one of tfsg's own limits (limits.py), which Terraform would compute: the
    input is refused (exit 2 at file:line), never an unknown. An unknown would let a pull
    request turn a rule it opens into a warning; ``try``/``can`` do not catch it either."""


class Refused(OverLimit):
    """A read tfsg refuses (a file outside the repository under review, git's own files), which
    Terraform would do: the input is refused (exit 2 at file:line), never an unknown, which only
    warns (``fileexists("/etc/passwd") ? "0.0.0.0/0" : ...`` would hide a world-open rule)."""


class Unknown:
    """A value the .tf files cannot tell, and why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(("unknown", self.reason))


class Failure(Unknown):
    """An Unknown because evaluating failed (an error Terraform reports, a function tfsg does not
    evaluate), not because only apply knows it: a plan would hold the value, so whatever
    attribute it lands in is reported as an unknown with this reason, never read as null."""

    __slots__ = ()


class UnknownBlock(Unknown):
    """A CIDR block whose address only apply knows, written with a literal prefix length
    (``"${aws_eip.nat.public_ip}/32"``, ``format("%s/32", ...)``): whatever the address, the
    block holds 2**(bits - prefix) addresses, so it is never "the internet" unless ``prefix`` is 0.
    The family is the attribute's (``cidr_blocks`` IPv4, ``ipv6_cidr_blocks`` IPv6)."""

    __slots__ = ("prefix", "plain", "literal")

    def __init__(self, reason: str, prefix: int, literal: Optional[frozenset] = None) -> None:
        super().__init__(f"{reason} (a /{prefix} block)")
        self.prefix = prefix
        self.plain = reason  # what a function of it says: its result is another block
        # when its only unknown parts are IP addresses: the characters of the rest (addresses.py)
        self.literal = literal

    def __repr__(self) -> str:
        return f"UnknownBlock({self.reason!r}, {self.prefix})"


_PREFIX_TAIL = re.compile(r"/(0|[1-9][0-9]?|1[0-2][0-9])$")


def graphemes(text: str) -> list[str]:
    """The text's user-perceived characters, as go-cty counts them for ``length``, ``substr``,
    ``strrev`` and ``format``'s width (Unicode extended grapheme clusters, UAX #29: "👍🏽" and
    "🇺🇸" are one each). ASCII is one per code point, without the regex engine."""
    if text.isascii():
        return list(text)
    import regex  # type: ignore[import-untyped]  # the regex module's \X (python-hcl2 depends on it too)

    return regex.findall(r"\X", text)


def bounded(unknown: Unknown, tail: str, literal: Optional[frozenset] = None) -> Unknown:
    """``unknown`` followed by the literal ``tail``: an UnknownBlock when the tail ends the text
    with ``/N`` and holds no other slash (``.0/24``, ``/32``), else ``unknown`` itself (a failure
    stays one: Terraform would report it). ``literal``: UnknownBlock.literal."""
    if isinstance(unknown, Failure):
        return unknown
    match = _PREFIX_TAIL.search(tail)
    if match is None or "/" in tail[:match.start()]:
        return unknown
    return UnknownBlock(unknown.reason, int(match.group(1)), literal)


class Ref:
    """An attribute of a resource instance known only after apply (or read from AWS at plan)."""

    __slots__ = ("address", "attr")

    def __init__(self, address: Address, attr: tuple) -> None:
        self.address = address
        self.attr = attr

    def __repr__(self) -> str:
        return f"Ref({self.text()})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ref) and other.address == self.address and other.attr == self.attr

    def __hash__(self) -> int:
        return hash((self.address, self.attr))

    def text(self) -> str:
        out = str(self.address)
        for step in self.attr:
            out += f"[{step}]" if isinstance(step, int) else f".{step}"
        return out

    @property
    def reason(self) -> str:
        if self.address.mode == "data" and self.address.type in LOCAL_DATA:
            return (f"{self.text()} is computed by Terraform when it plans, without calling AWS (the provider "
                    "or Terraform makes it from its arguments or local files); tfsg does not compute it")
        if self.address.mode == "data":
            return (f"{self.text()} is read from AWS by Terraform (when it plans, or at apply when an argument "
                    "is known only then); the .tf files alone do not tell it")
        return f"{self.text()} is known only after apply"


# Data sources Terraform computes at plan with no AWS call (provider docs: aws_iam_policy_document
# "generates an IAM policy document in JSON", aws_arn parses its argument, aws_region/aws_partition
# come from the provider's configuration; terraform_remote_state reads a state file, local or remote)
LOCAL_DATA = frozenset({"aws_iam_policy_document", "aws_arn", "aws_region", "aws_partition", "terraform_remote_state",
                        "aws_default_tags"})


class TypedList(list):
    """A ``list(...)`` value (a typed variable, ``tolist()``): Terraform's ``==`` compares types,
    so it never equals a tuple literal (``var.cidrs == []`` is false for a ``list(string)``)."""


class TypedMap(dict):
    """A ``map(...)`` value (a typed variable, ``tomap()``): never equal to an object literal."""


class SetList(list):
    """A set (``toset()``, a ``set(...)`` variable, the set functions): a list whose iteration
    gives each element as its own key (Terraform: iterating a set, ``each.key``, a dynamic
    block's ``.key`` and a for expression's key are the element, not an index)."""


class UnorderedList(list):
    """A list whose elements are known (some as references to values known only after apply)
    but whose order is not: ``sort()`` over group ids a plan creates. What reads it as a whole
    (a resource's groups or subnets: membership) reads its elements; what picks by position (an
    index, ``element``, ``slice``) is unknown. Terraform's own plan makes the whole list unknown."""

    why = ""  # what makes the order unknown (set by unordered())
    count_unknown = False  # distinct() of values only apply knows: how many is unknown too




def unordered(items: list, why: str) -> UnorderedList:
    out = UnorderedList(items)
    out.why = why
    return out


class UnorderedSet(SetList):
    """A set whose order tfsg does not reproduce: objects and tuples (Terraform orders them by a
    hash of their encoding) or elements known only after apply. ``tolist()`` of it is an
    UnorderedList: its members are known, not which is first."""


class Blocks(list):
    """The nested blocks of one type in a body (``ingress { }`` x N), as plan JSON lists them."""


class Lazy:
    """An object whose attributes are computed on demand (resources, modules, namespaces)."""

    def attr(self, name: str) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def index(self, key: Any) -> Any:
        raise EvalError(f"{self.describe()} cannot be indexed")

    def describe(self) -> str:
        return type(self).__name__

    def as_value(self) -> Any:
        """What this object is when used as a plain value."""
        return Unknown(f"{self.describe()} used as a value")

    def as_list(self) -> list:
        """What a splat sees: a single object is a list of one."""
        return [self]


def is_known(value: Any) -> bool:
    """True when the value holds no Unknown, Ref or lazy object anywhere."""
    if value is None or value.__class__ in (str, int, float, bool) or isinstance(value, (str, int, float)):
        return True
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    return isinstance(value, SensitiveScalar)


def first_unknown(value: Any) -> Any:
    """The first Unknown or Ref inside a value (for its reason), or None."""
    if isinstance(value, (Unknown, Ref)):
        return value
    if isinstance(value, Lazy):
        return Unknown(f"{value.describe()} used as a value")
    if isinstance(value, list):
        for v in value:
            found = first_unknown(v)
            if found is not None:
                return found
    elif isinstance(value, dict):
        for v in value.values():
            found = first_unknown(v)
            if found is not None:
                return found
    return None


def unknown_from(*values: Any, what: str = "") -> Unknown:
    """An Unknown explaining which input was not known."""
    for v in values:
        found = first_unknown(v)
        if found is not None:
            reason = found.plain if isinstance(found, UnknownBlock) else found.reason
            kind = Failure if isinstance(found, Failure) else Unknown  # a failure stays one
            return kind(f"{what}: {reason}" if what else reason)
    return Unknown(what or "not known")


def type_name(value: Any) -> str:
    if isinstance(value, SensitiveScalar):
        value = value.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def number(value: Any) -> Any:
    """Terraform numbers: integral values print without a fraction (ports are "22", not "22.0").

    A number past limits.py ``number-digits`` (or beyond a float: ``tonumber("1e999999")``) is
    refused: arithmetic on million-digit numbers takes minutes, and no argument needs one."""
    if isinstance(value, Exact):
        return value  # not whole, by construction (bignum.py)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
        if value - value != 0:  # inf or nan (Terraform's numbers are arbitrary precision)
            raise OverLimit(_too_large())
    elif isinstance(value, int) and value.bit_length() > 64 and \
            value.bit_length() > 3.33 * limits.get("number-digits"):
        raise OverLimit(_too_large())
    return value


def _too_large() -> str:
    return f"a number of more than {limits.get('number-digits'):,} digits ({limits.how('number-digits')})"


def to_string(value: Any) -> str:
    """Terraform's automatic conversion of a primitive to a string (templates, join, ...); a
    marked value gives a marked string."""
    if isinstance(value, str):
        return value
    if isinstance(value, (SensitiveInt, SensitiveFloat, SensitiveScalar)):
        return SensitiveStr(to_string(strip(value)))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        value = number(value)  # refuses more digits than limits.py number-digits
        try:
            # a fraction in positional notation, never an exponent (cty: Text('f', -1); 1e-07 is
            # "0.0000001", 1e+21 "1000000000000000000000")
            if isinstance(value, int):
                return str(value)
            return format(shortest(value) if isinstance(value, Exact) else decimal.Decimal(repr(float(value))), "f")
        except ValueError:  # Python's own int-to-text cap (4,300 digits) with number-digits raised
            raise EvalError("a number too large to write as a string") from None
    if value is None:
        raise EvalError("a null value cannot be used as a string")
    raise EvalError(f"a {type_name(value)} cannot be used as a string")


def unify(values: list) -> list:
    """Values of one collection converted to a single type, as Terraform does for a list, set
    or map whose element type is ``any`` and for ``tolist``/``toset``/``tomap``/``coalesce``
    and a conditional's two results (Terraform language docs, "Type Constraints": mixed
    primitives become strings, ``{a = 1, b = "x"}`` as ``map(any)`` is ``{a = "1", b = "x"}``;
    nested collections unify their elements jointly). Unknowns and nulls are left as they are;
    values that no single type holds are returned unchanged (Terraform refuses them)."""
    present = [v for v in values if not is_null(v) and is_known(v)]
    if not present:
        return values
    kinds = {type_name(v) for v in present}
    if kinds <= {"string", "number", "bool"}:
        if len(kinds) == 1:
            return values
        return [to_string(v) if not is_null(v) and is_known(v) and not isinstance(v, (list, dict)) else v
                for v in values]
    if kinds == {"list"}:
        flat = [item for v in present for item in v]
        done = iter(unify(flat))
        out = []
        for v in values:
            if is_null(v) or not is_known(v):
                out.append(v)
            else:
                converted = [next(done) for _ in v]
                kept = isinstance(v, (TypedList, SetList, SensitiveCollection))  # its type and mark
                out.append(v.__class__(converted) if kept else converted)
        return out
    if kinds == {"object"}:
        keysets = {tuple(sorted(v)) for v in present}
        if len(keysets) == 1:  # objects of one shape: attribute by attribute
            keys = next(iter(keysets))
            columns = {k: iter(unify([v[k] for v in present])) for k in keys}
            rebuilt = [{k: next(columns[k]) for k in v} for v in present]
        else:  # maps: every value of every map to one type
            flat = [item for v in present for item in v.values()]
            done = iter(unify(flat))
            rebuilt = [{k: next(done) for k in v} for v in present]
        it = iter(rebuilt)
        return [v if is_null(v) or not is_known(v) else
                (v.__class__(next(it)) if isinstance(v, (TypedMap, SensitiveCollection)) else next(it))  # type: ignore[call-arg]
                for v in values]
    return values


def to_number(value: Any) -> Any:
    if is_marked(value):  # a marked number, or one read from a marked string
        try:
            number_ = to_number(strip(value))
        except OverLimit:
            raise
        except EvalError:
            raise hidden("a conversion to a number") from None
        return SensitiveInt(number_) if isinstance(number_, int) else SensitiveFloat(number_)
    if isinstance(value, bool):
        raise EvalError("a bool cannot be used as a number")
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, str):
        # Terraform's conversion (cty, Go's decimal syntax): ASCII digits, no spaces, no "_"
        # (Python's int() and float() take " 22", "1_000" and "٢٢", which Terraform refuses)
        if _INTEGER_TEXT.fullmatch(value):
            return int(value)
        if _DECIMAL_TEXT.fullmatch(value):
            return number(parse_decimal(value))  # at 512 bits (cty.ParseNumberVal)
        if _INFINITE_TEXT.fullmatch(value):
            return number(float(value))
        raise EvalError(f"{_shown_text(value)} is not a number")
    raise EvalError(f"a {type_name(value)} cannot be used as a number")


_INTEGER_TEXT = re.compile(r"[-+]?[0-9]+")
_DECIMAL_TEXT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_INFINITE_TEXT = re.compile(r"[-+]?(?i:inf|infinity)")


def _shown_text(value: str) -> str:
    return "a sensitive value" if has_mark(value) else repr(value[:40])


def to_bool(value: Any) -> bool:
    """The bool a value converts to, unmarked: the caller decides what its result carries."""
    if isinstance(value, bool):
        return value
    if isinstance(value, SensitiveScalar):
        return to_bool(value.value)
    if value in ("true", "false", "1", "0"):
        # go-cty's string-to-bool conversion (cty/convert/conversion_primitive.go, v1.16 as
        # Terraform 1.11 vendors it) takes "1" and "0" too: tobool("1") is true
        return value in ("true", "1")
    raise EvalError(f"a {type_name(value)} cannot be used as a bool")


# Attributes a managed resource always has once created: never null, never "" (the provider sets
# them on create). An EC2 id starts with its type's prefix (EC2 API reference, "Resource IDs":
# sg-, subnet-, ...) and an ARN with "arn:", so ``lookup(v, "sg", null) == "self"`` is false for
# a group's id whatever it turns out to be.
NEVER_EMPTY = {("id",), ("arn",)}
_ID_PREFIX = {
    "aws_security_group": "sg-", "aws_default_security_group": "sg-", "aws_vpc": "vpc-", "aws_default_vpc": "vpc-",
    "aws_subnet": "subnet-", "aws_default_subnet": "subnet-", "aws_instance": "i-", "aws_network_interface": "eni-",
    "aws_ec2_managed_prefix_list": "pl-", "aws_internet_gateway": "igw-", "aws_egress_only_internet_gateway": "eigw-",
    "aws_nat_gateway": "nat-", "aws_route_table": "rtb-", "aws_launch_template": "lt-", "aws_vpc_endpoint": "vpce-",
    "aws_vpc_security_group_ingress_rule": "sgr-", "aws_vpc_security_group_egress_rule": "sgr-",
}


def ref_equals(ref: Ref, value: Any) -> Optional[bool]:
    """Can a managed resource's id or ARN, known only after apply, equal a known value? False when
    its shape rules it out (null, "", another type, another prefix); None when it might."""
    if ref.address.mode != "managed" or ref.attr not in NEVER_EMPTY:
        return None
    if not isinstance(value, str) or value == "":
        return False
    prefix = "arn:" if ref.attr == ("arn",) else _ID_PREFIX.get(ref.address.type)
    return False if prefix and not value.startswith(prefix) else None


def equal_partial(a: Any, b: Any) -> Optional[bool]:
    """``equal`` on values with unknown parts: True or False when the known parts decide it (a
    null against a collection, different types, lengths or keys, a known leaf that differs, an id
    against a value no id can be), None when an unknown part could change the answer (cty's
    ``Equals`` on unknowns)."""
    a, b = unmark(a), unmark(b)  # the caller marks the answer
    if isinstance(a, Ref) and not isinstance(b, (Unknown, Ref, Lazy)):
        return ref_equals(a, b)
    if isinstance(b, Ref) and not isinstance(a, (Unknown, Ref, Lazy)):
        return ref_equals(b, a)
    if isinstance(a, (Unknown, Ref, Lazy)) or isinstance(b, (Unknown, Ref, Lazy)):
        return None
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if collection_kind(a) != collection_kind(b) or _empty_types_differ(a, b):
        return False
    if isinstance(a, list):
        if len(a) != len(b):
            return False
        pairs = list(zip(a, b))
    elif isinstance(a, dict):
        if a.keys() != b.keys():
            return False
        pairs = [(a[k], b[k]) for k in a]
    else:
        return a == b
    result: Optional[bool] = True
    for x, y in pairs:
        same = equal_partial(x, y)
        if same is False:
            return False
        if same is None:
            result = None
    return result


def collection_kind(value: Any) -> str:
    """cty's kinds of collections, which ``==`` tells apart: list, set, map (typed values)
    against tuple and object (literals and what functions build from them)."""
    if isinstance(value, SetList):
        return "set"
    if isinstance(value, TypedList):
        return "list"
    if isinstance(value, TypedMap):
        return "map"
    if isinstance(value, list):
        return "tuple"
    return type_name(value)  # object, string, number, ...


def _empty_types_differ(a: Any, b: Any) -> bool:
    """Two empty typed collections of different element types (a ``list(string)`` variable's
    ``[]`` against ``tolist([])``, a ``list(dynamic)``: ``terraform console`` says false); ``elem``
    is set where the type is known (functypes.empty_typed), else the two are taken as equal."""
    if not isinstance(a, (list, dict)) or a or b:
        return False
    first, second = getattr(a, "elem", None), getattr(b, "elem", None)
    return first is not None and second is not None and first != second


def equal(a: Any, b: Any) -> bool:
    """HCL equality: types must agree (``1 == "1"`` is false; a ``list(string)`` variable is not
    the tuple ``[]``), containers compare deeply."""
    if isinstance(a, SensitiveScalar) or isinstance(b, SensitiveScalar):
        return equal(strip(a), strip(b))
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if collection_kind(a) != collection_kind(b) or _empty_types_differ(a, b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return a == b


def equality_key(value: Any) -> Any:
    """A hashable stand-in with ``equal``'s meaning (types must agree, containers deeply; an
    unknown equals the same unknown), so sets and distinct() are one pass, not all pairs."""
    if isinstance(value, SensitiveScalar):
        value = value.value
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value_of(value) if isinstance(value, float) else value)  # 1/3 as its 512 bits
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("z",)
    if isinstance(value, list):
        return ("l",) + tuple(equality_key(v) for v in value)
    if isinstance(value, dict):
        return ("m",) + tuple(sorted((k, equality_key(v)) for k, v in value.items()))
    return ("o", value)  # Unknown, Ref (their own equality), a lazy object (itself)
