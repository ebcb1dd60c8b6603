"""Terraform's arithmetic: ``+ - * / %`` and ``sum()`` on go-cty numbers.

go-cty computes on ``big.Float`` with 512 bits of mantissa, parsed from the decimal text, so
``0.1 + 0.2`` is 0.3 and ``floor(0.29 * 100)`` is 29 where float64 gives 0.30000000000000004 and
28. Here the operands are taken at their 512-bit value (bignum.py: a float as its shortest
text, the literal it was written as; an int exactly; an ``Exact`` as it is), the result is
computed exactly and rounded to 512 bits as big.Float rounds it, and kept so (an int when
whole, else an ``Exact``) for the next operation. Comparisons read the same values.
"""

from __future__ import annotations

import decimal
from fractions import Fraction
from typing import Any, Union

from ... import limits
from .bignum import Exact, make, rounded, shortest, value_of
from .values import EvalError, OverLimit, number


def exact(value: Union[int, float]) -> decimal.Decimal:
    """The decimal a number stands for: an int as it is, a float as its shortest text."""
    if isinstance(value, bool):
        raise EvalError("a bool cannot be used as a number")
    if isinstance(value, Exact):
        return shortest(value)
    return decimal.Decimal(int(value)) if isinstance(value, int) else decimal.Decimal(repr(float(value)))


def back(value: Union[decimal.Decimal, Fraction]) -> Any:
    """A result as a tfsg number, rounded to 512 bits (``number()``: an int when integral)."""
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise EvalError("the result is not a finite number")
        if abs(value.adjusted()) > limits.get("number-digits"):
            raise OverLimit(f"a number of more than {limits.get('number-digits'):,} digits "
                            f"({limits.how('number-digits')})")
        value = Fraction(value)
    bits = max(abs(value.numerator).bit_length(), value.denominator.bit_length())
    if bits > 3.33 * limits.get("number-digits") + 64:  # far past a number Terraform's output needs
        raise OverLimit(f"a number of more than {limits.get('number-digits'):,} digits ({limits.how('number-digits')})")
    return number(make(rounded(value)))


def binary(op: str, x: Any, y: Any) -> Any:
    """``x op y`` for numbers (``to_number``'s results), as go-cty computes it."""
    if isinstance(x, int) and isinstance(y, int) and op in "+-*":
        return number(x + y if op == "+" else x - y if op == "-" else x * y)  # exact, as big.Float is here
    if op == "%":
        if y == 0:
            return number(x)  # go-cty: n % 0 is n (Terraform 1.11.4: 5 % 0 is 5)
        if isinstance(x, int) and isinstance(y, int):
            # cty's Modulo: x - y*trunc(x/y), the sign of the dividend (-7 % 3 is -1)
            rest = abs(x) % abs(y)
            return number(-rest if x < 0 else rest)
    elif op == "/" and y == 0:
        raise EvalError("division by zero")  # Terraform makes an infinity, which nothing can use
    a, b = value_of(x), value_of(y)
    if op == "+":
        out = a + b
    elif op == "-":
        out = a - b
    elif op == "*":
        out = a * b
    elif op == "/":
        out = a / b
    else:
        # cty's Modulo, step by step as big.Float rounds each: a - b*trunc(a/b) (the dividend's sign)
        out = a - rounded(b * int(rounded(a / b)))
    return back(out)


def total(values: list) -> Any:
    """``sum()``: added in order, as go-cty adds them."""
    if not values:
        raise EvalError("sum: cannot sum an empty list")
    out = values[0]
    for v in values[1:]:
        out = binary("+", out, v)
    return number(out)
