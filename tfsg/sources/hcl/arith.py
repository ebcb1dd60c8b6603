"""Terraform's arithmetic: ``+ - * / %`` and ``sum()`` on go-cty numbers.

go-cty computes on ``big.Float`` with 512 bits of mantissa, parsed from the decimal text, so
``0.1 + 0.2`` is 0.3 and ``floor(0.29 * 100)`` is 29 where float64 gives 0.30000000000000004 and
28. Here the operands become ``Decimal`` (a float from its shortest text, ``repr``: the literal
it was written as; an int exactly) and the result is computed with 160 significant digits
(512 bits is about 154), then returned as ``number()`` makes it: an int when integral, else a
float. Comparisons stay on the values themselves.
"""

from __future__ import annotations

import decimal
from typing import Any, Union

from ... import limits
from .values import EvalError, OverLimit, number

_CONTEXT = decimal.Context(prec=160, rounding=decimal.ROUND_HALF_EVEN, Emax=10**6, Emin=-10**6,
                           traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])


def exact(value: Union[int, float]) -> decimal.Decimal:
    """The decimal a number stands for: an int as it is, a float as its shortest text."""
    if isinstance(value, bool):
        raise EvalError("a bool cannot be used as a number")
    return decimal.Decimal(int(value)) if isinstance(value, int) else decimal.Decimal(repr(float(value)))


def back(value: decimal.Decimal) -> Any:
    """A decimal result as a tfsg number (``number()``: an int when integral)."""
    if not value.is_finite():
        raise EvalError("the result is not a finite number")
    if value.adjusted() > limits.get("number-digits"):
        raise OverLimit(f"a number of more than {limits.get('number-digits'):,} digits ({limits.how('number-digits')})")
    if value == value.to_integral_value(rounding=decimal.ROUND_FLOOR):
        return number(int(value))
    return number(float(value))


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
    a, b = exact(x), exact(y)
    try:
        if op == "+":
            out = _CONTEXT.add(a, b)
        elif op == "-":
            out = _CONTEXT.subtract(a, b)
        elif op == "*":
            out = _CONTEXT.multiply(a, b)
        elif op == "/":
            out = _CONTEXT.divide(a, b)
        else:
            out = _CONTEXT.remainder(a, b)  # Decimal's remainder truncates, as cty's Modulo does
    except (decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero) as exc:
        raise EvalError(f"the {op} operator: the result cannot be computed ({type(exc).__name__})") from None
    return back(out)


def total(values: list) -> Any:
    """``sum()``: added in order, as go-cty adds them."""
    if not values:
        raise EvalError("sum: cannot sum an empty list")
    out = values[0]
    for v in values[1:]:
        out = binary("+", out, v)
    return number(out)
