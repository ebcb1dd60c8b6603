"""go-cty's numbers between operations: ``big.Float`` values of 512 bits of mantissa.

A result that is not a whole number is an ``Exact``: the float64 nearest it, for all code that
reads a float, carrying its 512-bit value (a ``Fraction``) for the next operator, comparisons,
``floor``/``ceil`` and its text. Rounding to float64 between operations made ``1 / 3 * 3``
0.9999999999999999 where Terraform has exactly 1 (``terraform console``: ``1/3*3 == 1`` is
true, ``floor(1/3*3)`` is 1). Numbers are taken at 512 bits, as HCL parses literals and
variables (``cty.ParseNumberVal``); cty keeps a function's whole-number result at 64 bits
(``length(a) / length(b)``), which is not modelled.
"""

from __future__ import annotations

import decimal
import math
from fractions import Fraction
from typing import Any, Union

PRECISION = 512  # bits: cty.ParseNumberVal's big.ParseFloat(s, 10, 512, ToNearestEven)


def rounded(value: Fraction) -> Fraction:
    """``value`` rounded to 512 significant bits, half to even (big.Float's ToNearestEven)."""
    p, q = abs(value.numerator), value.denominator
    if p == 0:
        return value
    top = p.bit_length() - q.bit_length()  # 2**top <= p/q < 2**(top+2)
    if p < q << top if top >= 0 else p << -top < q:
        top -= 1
    shift = top - (PRECISION - 1)  # the weight of the last kept bit
    num, den = (p << -shift, q) if shift < 0 else (p, q << shift)
    mant, rest = divmod(num, den)
    if 2 * rest > den or (2 * rest == den and mant & 1):
        mant += 1
    out = Fraction(mant) * (Fraction(2) ** shift)
    return out if value > 0 else -out


class Exact(float):
    """A number that is not whole, with its 512-bit value in ``exact``."""

    __slots__ = ("exact",)
    exact: Fraction

    def __new__(cls, value: Fraction) -> Exact:
        out = super().__new__(cls, float(value))
        out.exact = value
        return out

    def __reduce__(self) -> Any:
        return (Exact, (self.exact,))

    # what reads the value as a number compares and rounds the 512-bit value
    def __eq__(self, other: object) -> bool:
        return isinstance(other, (int, float)) and self.exact == value_of(other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.exact)

    def __lt__(self, other: Any) -> bool:
        return self.exact < value_of(other)

    def __le__(self, other: Any) -> bool:
        return self.exact <= value_of(other)

    def __gt__(self, other: Any) -> bool:
        return self.exact > value_of(other)

    def __ge__(self, other: Any) -> bool:
        return self.exact >= value_of(other)

    def __floor__(self) -> int:
        return math.floor(self.exact)

    def __ceil__(self) -> int:
        return math.ceil(self.exact)

    def __trunc__(self) -> int:
        return math.trunc(self.exact)

    def __int__(self) -> int:
        return math.trunc(self.exact)

    def __neg__(self) -> Exact:
        return Exact(-self.exact)

    def __abs__(self) -> Exact:
        return Exact(abs(self.exact))

    def is_integer(self) -> bool:
        return False  # made only for a value that is not whole (make())


def value_of(value: Union[int, float]) -> Fraction:
    """A number's 512-bit value: an int as it is, an ``Exact`` its own, another float the
    literal it reads as (its shortest text, as the parser had it)."""
    if isinstance(value, Exact):
        return value.exact
    if isinstance(value, int):
        return Fraction(value)
    return rounded(Fraction(decimal.Decimal(repr(float(value)))))


def make(value: Fraction) -> Union[int, Exact]:
    """A 512-bit value as tfsg holds a number: an int when whole."""
    return value.numerator if value.denominator == 1 else Exact(value)


def parse_decimal(text: str) -> Union[int, float]:
    """A decimal number's text as HCL reads a literal and cty converts a string
    (``cty.ParseNumberVal``: 512 bits, to nearest even), not at float64: ``21.9999999999999999999``
    is not 22 (``floor`` of it is 21) and ``5431.0000000000000000001 > 5431`` is true. A text a
    float64 holds exactly as written stays that float (or int)."""
    near = float(text)
    written = decimal.Decimal(text)
    if near - near != 0 or abs(written.adjusted()) > 400 or len(text) > 1000:
        return int(near) if near.is_integer() else near  # (inf: the caller refuses it; 1e-999999: 0)
    exact = Fraction(written)
    if exact == Fraction(decimal.Decimal(repr(near))):
        return int(near) if near.is_integer() else near
    return make(rounded(exact))


_SEARCH = decimal.Context(prec=200, Emax=10**9, Emin=-10**9)


def shortest(value: Exact) -> decimal.Decimal:
    """The fewest decimal digits that read back as the same 512-bit value (big.Float's
    ``Text('f', -1)``: ``1/3`` is 0.333...335, 155 digits)."""
    exact = value.exact
    ctx = _SEARCH.copy()

    def digits(n: int) -> decimal.Decimal:
        ctx.prec = n
        return ctx.divide(decimal.Decimal(exact.numerator), decimal.Decimal(exact.denominator))

    low, high = 1, 160  # 512 bits need at most 156 digits
    while low < high:  # reading back is monotonic in the number of digits: a binary search
        mid = (low + high) // 2
        if rounded(Fraction(digits(mid))) == exact:
            high = mid
        else:
            low = mid + 1
    return digits(low).normalize(ctx)
