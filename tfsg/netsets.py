"""The algebra everything else trusts: integer interval sets, services and address sets.

* ``IntervalSet``: a finite union of closed integer intervals, kept sorted and merged, so
  equal sets are equal values (hashable, comparable) and operations are linear merges.
* ``ServiceSet``: what a rule allows, as five interval sets: TCP ports, UDP ports, ICMP and
  ICMPv6 (type, code) pairs encoded as ``type * 256 + code``, and every other IP protocol
  number. "All traffic" (protocol -1) is all five full.
* ``AddressSet``: IPv4 and IPv6 addresses as two interval sets over the integer value of the
  address, so union, subtraction and counting are exact and a set prints back as CIDRs.
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
import math
import operator
import re
from collections.abc import Iterable, Iterator
from typing import Optional

Interval = tuple[int, int]


class IntervalSet:
    """An immutable union of closed integer intervals ``[lo, hi]``."""

    __slots__ = ("spans", "_hash")

    def __init__(self, spans: Iterable[Interval] = ()) -> None:
        self.spans: tuple[Interval, ...] = _normalise(spans)
        self._hash: Optional[int] = None

    @classmethod
    def _raw(cls, spans: tuple[Interval, ...]) -> "IntervalSet":
        obj = cls.__new__(cls)
        obj.spans = spans
        obj._hash = None  # on first use: the sets a union loop makes on the way are never hashed
        return obj

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, IntervalSet) and hash(self) == hash(other)
                                 and self.spans == other.spans)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self.spans)
        return self._hash

    def __repr__(self) -> str:
        return f"IntervalSet({list(self.spans)!r})"

    def __iter__(self) -> Iterator[Interval]:
        return iter(self.spans)

    def __contains__(self, value: int) -> bool:
        for lo, hi in self.spans:
            if value < lo:
                return False
            if value <= hi:
                return True
        return False

    def size(self) -> int:
        return sum(hi - lo + 1 for lo, hi in self.spans)

    def __or__(self, other: "IntervalSet") -> "IntervalSet":
        if not other.spans:
            return self
        if not self.spans:
            return other
        a, b = (self.spans, other.spans) if len(self.spans) >= len(other.spans) else (other.spans, self.spans)
        if len(b) <= 4:
            # a few intervals into many (a loop adding one rule's block at a time): a binary
            # search and one C-level copy each, not a Python pass over all of them (10,000
            # CIDRs of one rule: 0.1 s instead of minutes)
            for lo, hi in b:
                a = _insert(a, lo, hi)
            return IntervalSet._raw(a)
        return IntervalSet._raw(_merge(sorted(a + b)))  # two sorted runs: Timsort merges them in C

    def __and__(self, other: "IntervalSet") -> "IntervalSet":
        out: list[Interval] = []
        a, b = self.spans, other.spans
        i = j = 0
        while i < len(a) and j < len(b):
            alo, ahi = a[i]
            blo, bhi = b[j]
            lo = alo if alo > blo else blo
            hi = ahi if ahi < bhi else bhi
            if lo <= hi:
                out.append((lo, hi))
            if ahi < bhi:
                i += 1
            else:
                j += 1
        return IntervalSet._raw(tuple(out))

    def __sub__(self, other: "IntervalSet") -> "IntervalSet":
        if not other.spans or not self.spans:
            return self
        out: list[Interval] = []
        b = other.spans
        j = 0
        for lo, hi in self.spans:
            cur = lo
            while j < len(b) and b[j][1] < cur:
                j += 1
            k = j
            while k < len(b) and b[k][0] <= hi:
                if b[k][0] > cur:
                    out.append((cur, b[k][0] - 1))
                cur = max(cur, b[k][1] + 1)
                if cur > hi:
                    break
                k += 1
            if cur <= hi:
                out.append((cur, hi))
        return IntervalSet._raw(tuple(out))

    def issuperset(self, other: "IntervalSet") -> bool:
        return not (other - self)

    def overlaps(self, other: "IntervalSet") -> bool:
        a, b = self.spans, other.spans
        i = j = 0
        while i < len(a) and j < len(b):
            if a[i][1] < b[j][0]:
                i += 1
            elif b[j][1] < a[i][0]:
                j += 1
            else:
                return True
        return False


def _normalise(spans: Iterable[Interval]) -> tuple[Interval, ...]:
    return _merge(sorted((int(lo), int(hi)) for lo, hi in spans if lo <= hi))


def _merge(items: list[Interval]) -> tuple[Interval, ...]:
    """Sorted intervals -> disjoint, non-adjacent ones: one pass (the sort before is n log n)."""
    out: list[Interval] = []
    for lo, hi in items:
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


_LO, _HI = operator.itemgetter(0), operator.itemgetter(1)


def _insert(spans: tuple[Interval, ...], lo: int, hi: int) -> tuple[Interval, ...]:
    """``spans`` (normalised) with ``[lo, hi]`` added: the spans it touches are found by binary
    search (disjoint spans are sorted by both ends) and replaced by one."""
    i = bisect.bisect_left(spans, lo - 1, key=_HI)  # first span ending at or after lo - 1
    j = bisect.bisect_right(spans, hi + 1, key=_LO)  # first span starting after hi + 1
    if i < j:
        lo, hi = min(lo, spans[i][0]), max(hi, spans[j - 1][1])
    return spans[:i] + ((lo, hi),) + spans[j:]


EMPTY = IntervalSet()

# --------------------------------------------------------------------------- services

PORTS_ALL = IntervalSet([(0, 65535)])
ICMP_ALL = IntervalSet([(0, 256 * 256 - 1)])
# IANA protocol numbers that have their own dimension; "others" is every number but these.
NAMED_NUMBERS = {"icmp": 1, "tcp": 6, "udp": 17, "icmpv6": 58}
OTHERS_ALL = IntervalSet([(0, 255)]) - IntervalSet((n, n) for n in NAMED_NUMBERS.values())
DIMENSIONS = ("tcp", "udp", "icmp", "icmpv6", "other")
_FULL = {"tcp": PORTS_ALL, "udp": PORTS_ALL, "icmp": ICMP_ALL, "icmpv6": ICMP_ALL, "other": OTHERS_ALL}


# A plan has thousands of rules but a few dozen distinct service sets: unions, intersections and
# differences are computed once per distinct pair, and every set they return is the one object
# kept for its value (hash-consing), so the caches and dicts keyed by sets match by identity
# instead of comparing the interval sets of two equal objects (700,000 comparisons on a
# 5,000-group plan before).
_CANONICAL: dict["ServiceSet", "ServiceSet"] = {}
_MAX_CANONICAL = 1 << 20  # past this many distinct sets, new ones are used as they come


def canonical(services: "ServiceSet") -> "ServiceSet":
    """The one object kept for this value (``services`` itself the first time)."""
    hit = _CANONICAL.get(services)
    if hit is None:
        if len(_CANONICAL) >= _MAX_CANONICAL:
            return services
        hit = _CANONICAL[services] = services
    return hit


@functools.lru_cache(maxsize=65536)
def _service_union(a: "ServiceSet", b: "ServiceSet") -> "ServiceSet":
    return canonical(ServiceSet(*(x | y for x, y in zip(a._parts, b._parts))))


@functools.lru_cache(maxsize=65536)
def _service_intersection(a: "ServiceSet", b: "ServiceSet") -> "ServiceSet":
    return canonical(ServiceSet(*(x & y for x, y in zip(a._parts, b._parts))))


@functools.lru_cache(maxsize=65536)
def _service_difference(a: "ServiceSet", b: "ServiceSet") -> "ServiceSet":
    return canonical(ServiceSet(*(x - y for x, y in zip(a._parts, b._parts))))


@functools.lru_cache(maxsize=65536)
def _entries(services: "ServiceSet") -> tuple[tuple[str, str], ...]:
    """``ServiceSet.entries``, once per distinct set (a large plan renders the same few thousand times)."""
    return services._entries()


class ServiceSet:
    """Traffic a rule (or a union of rules) allows: ports per protocol.

    ``other`` holds IP protocol numbers other than 1/6/17/58; for those AWS ignores ports.
    Immutable; a plain slotted class because flow computation builds many of these.
    """

    __slots__ = ("tcp", "udp", "icmp", "icmpv6", "other", "_parts", "_hash", "_any")

    def __init__(self, tcp: IntervalSet = EMPTY, udp: IntervalSet = EMPTY, icmp: IntervalSet = EMPTY,
                 icmpv6: IntervalSet = EMPTY, other: IntervalSet = EMPTY) -> None:
        self.tcp, self.udp, self.icmp, self.icmpv6, self.other = tcp, udp, icmp, icmpv6, other
        self._parts = (tcp, udp, icmp, icmpv6, other)
        self._hash = hash(self._parts)
        self._any = any(self._parts)

    @staticmethod
    def all() -> "ServiceSet":
        return ALL_SERVICES

    def parts(self) -> tuple[IntervalSet, ...]:
        return self._parts

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, ServiceSet) and self._hash == other._hash
                                 and self._parts == other._parts)

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple:
        # sent back by a forked child (forked.py): the parent's one object for the value, so
        # the identity fast paths (ALL_SERVICES) hold for it
        return _restored, self._parts

    def __repr__(self) -> str:
        return f"ServiceSet({self.describe() or 'nothing'})"

    def __bool__(self) -> bool:
        return self._any

    def __or__(self, other: "ServiceSet") -> "ServiceSet":
        if self is other or not other._any:
            return self
        if not self._any:
            return other
        return _service_union(self, other)

    def __and__(self, other: "ServiceSet") -> "ServiceSet":
        if self is other or other is ALL_SERVICES:
            return self
        if self is ALL_SERVICES:
            return other
        if not (self._any and other._any):
            return NO_SERVICES
        return _service_intersection(self, other)

    def __sub__(self, other: "ServiceSet") -> "ServiceSet":
        if self is other or not self._any:
            return NO_SERVICES
        if not other._any:
            return self
        return _service_difference(self, other)

    def is_all(self) -> bool:
        return self == ALL_SERVICES

    def issuperset(self, other: "ServiceSet") -> bool:
        return self is other or self is ALL_SERVICES or not (other - self)

    def entries(self) -> list[tuple[str, str]]:
        """Render as sorted ``(protocol, ports)`` pairs, one per contiguous range.

        Everything -> ``[("all", "all")]``. A set that lacks only part of the named protocols
        (e.g. "all traffic except tcp 22", which a narrowed flow produces) renders each part on
        its own, with ``other`` protocols as ``("other", "all")`` when all of them are present.
        """
        return list(_entries(self))

    def _entries(self) -> tuple[tuple[str, str], ...]:
        if self.is_all():
            return (("all", "all"),)
        out: list[tuple[str, str]] = []
        for proto in ("tcp", "udp"):
            ports: IntervalSet = getattr(self, proto)
            if ports == PORTS_ALL:
                out.append((proto, "all"))
            else:
                out.extend((proto, f"{lo}" if lo == hi else f"{lo}-{hi}") for lo, hi in ports)
        for proto in ("icmp", "icmpv6"):
            out.extend((proto, text) for text in _icmp_entries(getattr(self, proto)))
        if self.other == OTHERS_ALL:
            out.append(("other", "all"))
        else:
            for lo, hi in self.other:
                out.extend((str(n), "all") for n in range(lo, hi + 1))
        return tuple(out)

    def describe(self) -> str:
        """Short human text: ``tcp 22, tcp 443`` or ``all traffic``."""
        return ", ".join("all traffic" if p == "all" else f"{p} {ports}" for p, ports in self.entries())


def _restored(*parts: IntervalSet) -> ServiceSet:
    return canonical(ServiceSet(*parts))


ALL_SERVICES = canonical(ServiceSet(**_FULL))
NO_SERVICES = canonical(ServiceSet())


def _icmp_entries(codes: IntervalSet) -> list[str]:
    if not codes:
        return []
    if codes == ICMP_ALL:
        return ["all"]
    out: list[str] = []
    for lo, hi in codes:
        while lo <= hi:
            t, c = divmod(lo, 256)
            block_end = t * 256 + 255
            end = min(hi, block_end)
            if c == 0 and end == block_end:
                out.append(str(t))
            else:
                out.extend(f"{t}/{code}" for code in range(c, end - t * 256 + 1))
            lo = end + 1
    return out


class ProtocolError(ValueError):
    """A protocol or port value AWS would reject (the builder reports it as an unknown)."""


def _shown(value: object) -> str:
    """A value in an error message: short, one line (messages end up in reports)."""
    text = repr(value)
    return text if len(text) <= 24 else text[:23] + "…"


def normalise_protocol(value: object) -> str:
    """Map any spelling Terraform accepts to ``all``, a name, or a number string.

    The classic resources normalise in the plan (``ProtocolForValue``) but the
    ``aws_vpc_security_group_*_rule`` resources keep what the user wrote ("ALL", "TCP", "6").
    A number is an IANA protocol number 0-255, or -1 for all; anything else raises ProtocolError.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ProtocolError(f"protocol {_shown(value)} is not a protocol name or number")
    text = str(value).strip().lower()
    if text in ("-1", "all"):
        return "all"
    if _INTEGER.fullmatch(text):
        number = int(text)
        if not 0 <= number <= 255:
            raise ProtocolError(f"protocol number {number} is out of range (0-255, or -1 for all)")
        for name, num in NAMED_NUMBERS.items():
            if num == number:
                return name
        return str(number)
    if text in NAMED_NUMBERS:
        return text
    if text in _PROTOCOL_NAMES:
        return str(_PROTOCOL_NAMES[text])
    raise ProtocolError(f"unknown protocol {_shown(value)}")


_INTEGER = re.compile(r"-?[0-9]+")  # ASCII digits only: str.isdigit() also accepts "²" and "١"


# Names AWS accepts besides the four with their own dimension (IANA keywords).
_PROTOCOL_NAMES = {"esp": 50, "ah": 51, "gre": 47, "sctp": 132, "igmp": 2, "ipv6": 41, "ospf": 89, "pim": 103,
                   "vrrp": 112, "l2tp": 115, "ipip": 4}


def services_for_rule(protocol: object, from_port: object, to_port: object) -> ServiceSet:
    """What one rule allows (cached: plans repeat the same few port ranges).

    Raises ProtocolError for anything AWS would reject: an unknown protocol, a protocol number
    outside 0-255, a port that is not an integer, a TCP/UDP port outside 0-65535 or a range
    that runs backwards, an ICMP type or code outside 0-255 (-1 = all).
    """
    try:
        return _services_cached(protocol, from_port, to_port)
    except TypeError:  # unhashable odd values
        return canonical(_services_for_rule(protocol, from_port, to_port))


# typed: True == 1 and 22.5 != 22, but the cache must not answer for one what it computed for the other
@functools.lru_cache(maxsize=4096, typed=True)
def _services_cached(protocol: object, from_port: object, to_port: object) -> ServiceSet:
    return canonical(_services_for_rule(protocol, from_port, to_port))


def _services_for_rule(protocol: object, from_port: object, to_port: object) -> ServiceSet:
    """What one rule allows, with AWS's port semantics (REFERENCE D).

    ``all`` and protocols other than tcp/udp/icmp/icmpv6 ignore ports. For ICMP the ports
    are type and code, ``-1`` meaning all. Only icmpv6 may omit the range (all types and codes);
    tcp, udp and icmp need both ports (an unknown port is not "every port").
    """
    proto = normalise_protocol(protocol)
    if proto == "all":
        return ALL_SERVICES
    if proto in ("tcp", "udp", "icmp") and (_unset(from_port) or _unset(to_port)):
        # required for these protocols (AWS and the provider); only -1 and icmpv6 may omit them
        raise ProtocolError(f"{proto} needs from_port and to_port (got {_shown(from_port)}, {_shown(to_port)})")
    if proto in ("tcp", "udp"):
        lo = _port(from_port, 0)
        hi = _port(to_port, 65535)
        if lo == -1 and hi == -1:  # both -1: every port (what AWS reads back for "all")
            lo, hi = 0, 65535
        for port in (lo, hi):
            if not 0 <= port <= 65535:
                raise ProtocolError(f"port {port} is out of range for {proto} (0-65535)")
        if lo > hi:
            raise ProtocolError(f"port range {lo}-{hi} runs backwards (from_port is above to_port)")
        return ServiceSet(**{proto: IntervalSet([(lo, hi)])})
    if proto in ("icmp", "icmpv6"):
        icmp_type = _port(from_port, -1)
        code = _port(to_port, -1)
        if icmp_type == -1:
            if code != -1:  # AWS: "if you specify all ICMP types, you must specify all codes"
                raise ProtocolError(f"{proto} type -1 (all types) with code {code}: all types need code -1")
            span = ICMP_ALL
        elif not 0 <= icmp_type <= 255:
            raise ProtocolError(f"{proto} type {icmp_type} is out of range (0-255, or -1 for all)")
        elif code == -1:
            span = IntervalSet([(icmp_type * 256, icmp_type * 256 + 255)])
        elif not 0 <= code <= 255:
            raise ProtocolError(f"{proto} code {code} is out of range (0-255, or -1 for all)")
        else:
            span = IntervalSet([(icmp_type * 256 + code, icmp_type * 256 + code)])
        return ServiceSet(**{proto: span})
    number = int(proto)
    return ServiceSet(other=IntervalSet([(number, number)]))


def _unset(value: object) -> bool:
    return value is None or value == ""


def _port(value: object, default: int) -> int:
    """A port (or ICMP type/code) as an integer: None or "" is ``default``; a whole number, or
    a string of ASCII digits (resolved through the configuration), is the number; anything
    else (a fraction, a boolean, NaN, a list) raises ProtocolError."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise ProtocolError(f"port {_shown(value)} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise ProtocolError(f"port {_shown(value)} is not a whole number")
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    raise ProtocolError(f"port {_shown(value)} is not a number")


# --------------------------------------------------------------------------- addresses

V4_BITS, V6_BITS = 32, 128


class AddressSet:
    """A set of IPv4 and IPv6 addresses. Immutable; hashed once (sets of member addresses key
    the coverage caches of every resource pair)."""

    __slots__ = ("v4", "v6", "_hash")

    def __init__(self, v4: IntervalSet = EMPTY, v6: IntervalSet = EMPTY) -> None:
        self.v4, self.v6 = v4, v6
        self._hash: Optional[int] = None  # once, on first use (a union loop's steps never are)

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, AddressSet) and hash(self) == hash(other)
                                 and self.v4 == other.v4 and self.v6 == other.v6)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash((self.v4, self.v6))
        return self._hash

    def __repr__(self) -> str:
        return f"AddressSet(v4={self.v4!r}, v6={self.v6!r})"

    @staticmethod
    def parse(cidr: str) -> "AddressSet":
        """Parse one CIDR (host bits set are tolerated, as AWS does not accept them but a plan may hold them)."""
        return _parse_cidr(cidr)

    def __bool__(self) -> bool:
        return bool(self.v4) or bool(self.v6)

    def __or__(self, other: "AddressSet") -> "AddressSet":
        return AddressSet(self.v4 | other.v4, self.v6 | other.v6)

    def __and__(self, other: "AddressSet") -> "AddressSet":
        return AddressSet(self.v4 & other.v4, self.v6 & other.v6)

    def __sub__(self, other: "AddressSet") -> "AddressSet":
        return AddressSet(self.v4 - other.v4, self.v6 - other.v6)

    def issuperset(self, other: "AddressSet") -> bool:
        return not (other - self)

    def overlaps(self, other: "AddressSet") -> bool:
        return self.v4.overlaps(other.v4) or self.v6.overlaps(other.v6)

    def count(self) -> int:
        return self.v4.size() + self.v6.size()

    def cidrs(self) -> list[str]:
        """The set as the shortest sorted list of CIDR blocks (IPv4 first)."""
        out: list[str] = []
        for span, cls in ((self.v4, ipaddress.IPv4Address), (self.v6, ipaddress.IPv6Address)):
            for lo, hi in span:
                out.extend(str(n) for n in ipaddress.summarize_address_range(cls(lo), cls(hi)))
        return out


def _fast_v4(cidr: str) -> Optional[tuple[int, int]]:
    """(network, prefix) of a plain IPv4 CIDR, or None to let ipaddress decide (and explain)."""
    addr, _, plen = cidr.partition("/")
    parts = addr.split(".")
    if len(parts) != 4 or not _DIGITS.fullmatch(plen) or not all(_DIGITS.fullmatch(p) and len(p) <= 3 for p in parts):
        return None
    octets = [int(p) for p in parts]
    prefix = int(plen)
    if prefix > 32 or any(o > 255 for o in octets) or any(len(p) > 1 and p[0] == "0" for p in parts):
        return None
    value = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
    mask = ((1 << 32) - 1) ^ ((1 << (32 - prefix)) - 1)
    return value & mask, prefix


_DIGITS = re.compile(r"[0-9]+")  # ASCII only


@functools.lru_cache(maxsize=65536)
def _parse_cidr(cidr: str) -> AddressSet:
    fast = _fast_v4(cidr.strip())
    if fast is not None:
        start, prefix = fast
        return AddressSet(v4=IntervalSet([(start, start + (1 << (32 - prefix)) - 1)]))
    net = ipaddress.ip_network(cidr.strip(), strict=False)
    span = IntervalSet([(int(net.network_address), int(net.broadcast_address))])
    return AddressSet(v4=span) if net.version == 4 else AddressSet(v6=span)


def normalise_cidr(cidr: object, version: Optional[int] = None) -> str:
    """The canonical text of a CIDR block of a rule: ``10.0.0.5/16`` -> ``10.0.0.0/16``, IPv6
    compressed. Raises ValueError for what AWS would not take as one: not a string, no
    ``/prefix`` (a bare address), a netmask instead of a prefix length, an IPv6 zone
    (``%eth0``), anything ``ipaddress`` cannot parse, or with ``version`` (4 for
    ``cidr_blocks``/``cidr_ipv4``, 6 for ``ipv6_cidr_blocks``/``cidr_ipv6``) a block of the
    other family. Host bits set are tolerated."""
    if not isinstance(cidr, str):
        raise ValueError(f"{_shown(cidr)} is not a CIDR block (not a string)")
    text = _normalise_cidr(cidr)
    if version is not None and (6 if ":" in text else 4) != version:
        raise ValueError(f"{_shown(cidr)} is an IPv{6 if version == 4 else 4} block where an IPv{version} "
                         "one is expected")
    return text


@functools.lru_cache(maxsize=65536)
def _normalise_cidr(cidr: str) -> str:
    text = cidr.strip()
    fast = _fast_v4(text)
    if fast is not None:
        net, prefix = fast
        return f"{net >> 24}.{(net >> 16) & 255}.{(net >> 8) & 255}.{net & 255}/{prefix}"
    addr, slash, prefix_text = text.partition("/")
    if not slash or not _DIGITS.fullmatch(prefix_text) or "%" in addr:
        raise ValueError(f"{_shown(cidr)} is not a CIDR block (address/prefix-length)")
    return str(ipaddress.ip_network(text, strict=False))


def _union(cidrs: Iterable[str]) -> AddressSet:
    return union_all(AddressSet.parse(cidr) for cidr in cidrs)


def union_all(sets: Iterable[AddressSet]) -> AddressSet:
    """The union of many address sets in one sort and one pass (n log n; folding ``|`` over
    them would be quadratic in the number of blocks)."""
    sets = list(sets)
    v4 = sorted(span for s in sets for span in s.v4.spans)
    v6 = sorted(span for s in sets for span in s.v6.spans)
    return AddressSet(IntervalSet._raw(_merge(v4)), IntervalSet._raw(_merge(v6)))


ALL_ADDRESSES = _union(["0.0.0.0/0", "::/0"])
# Not reachable from the public internet (RFC 6890 special-purpose blocks that are not
# globally routable). What remains is "the internet" for exposure checks.
NON_PUBLIC = _union([
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/3",
    "::/3", "4000::/2", "8000::/1",  # IPv6: only 2000::/3 is global unicast
])
PUBLIC = ALL_ADDRESSES - NON_PUBLIC
PUBLIC_V4 = AddressSet(v4=PUBLIC.v4)
PUBLIC_V6 = AddressSet(v6=PUBLIC.v6)
PRIVATE = _union(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"])


def admits_internet(addresses: AddressSet) -> bool:
    """True when the set holds every public address of IPv4 or of IPv6."""
    return addresses.issuperset(PUBLIC_V4) or addresses.issuperset(PUBLIC_V6)


def covering_services(pairs: list[tuple[ServiceSet, AddressSet]], target: AddressSet) -> ServiceSet:
    """The services for which the union of the pairs' address sets covers ``target``.

    Rules split across CIDRs count together (``0.0.0.0/1`` on 22 plus ``128.0.0.0/1`` on
    20-30 admits the whole IPv4 internet on 22): each dimension is cut into elementary
    segments at every rule boundary and each segment is tested on its own.
    """
    relevant = [(s, a & target) for s, a in pairs if a.overlaps(target)]
    if not relevant:
        return NO_SERVICES
    whole = [s for s, a in relevant if a.issuperset(target)]
    result = NO_SERVICES
    for s in whole:
        result = result | s
    partial = [(s, a) for s, a in relevant if not a.issuperset(target)]
    if len(partial) < 2:
        return result
    dims: list[IntervalSet] = []
    for d in range(len(DIMENSIONS)):
        cuts: set[int] = set()
        for s, _ in partial:
            for lo, hi in s.parts()[d]:
                cuts.add(lo)
                cuts.add(hi + 1)
        points = sorted(cuts)
        covered: list[Interval] = []
        for lo, nxt in zip(points, points[1:]):
            acc = union_all(a for s, a in partial if lo in s.parts()[d])
            if acc.issuperset(target):
                covered.append((lo, nxt - 1))
        dims.append(IntervalSet(covered))
    return result | canonical(ServiceSet(*dims))


def count_text(n: int) -> str:
    """An address count as reports write it: exact up to IPv4's size, then as a power of two
    (``2^64`` reads better than a 20-digit number)."""
    return f"{n:,}" if n < 2**33 else f"about 2^{n.bit_length() - 1}"
