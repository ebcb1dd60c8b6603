"""What evaluating an HCL input may cost: the size of each value, and the total work.

Values are Python data that share parts by reference: ``[local.a, local.a]`` holds ``local.a``
twice without copying it, so ten locals of ten references each describe 10^10 elements in a
few kilobytes, and every walk over them (``is_known``, ``equal``, ``jsonencode``, the builder)
would take hours. Two limits (``tfsg/limits.py``) bound that:

- ``value-size``: the *expanded* size of one value (``weight``: one per element, a shared part
  counted each time it is referred to, a string one more per 16 characters). A value or a
  function result over it is ``OverLimit``: the input is refused (exit 2) naming the file:line.
- ``eval-size``: the work of evaluating one input, counted as the syntax nodes each evaluation
  visits (a for iteration or a template ``%{for}`` iteration visits its body again), plus the
  weight of every value stored, compared or passed whole to a function, plus the characters
  ``yamldecode`` and ``templatefile`` parse. Whatever walks a value is charged its weight, so
  the total work is bounded even when each value is small; over it the input is refused (exit
  2, like a plan too large), naming the file:line where it ran out: a budget for the whole
  input is not an error of one expression, and an unknown would let the evaluation go on.

Why exit 2 for ``value-size`` (and ``string-chars``, ``number-digits``, ``yamldecode``'s nodes)
rather than an unknown: Terraform computes such a value, tfsg will not, and the pull request
under review chose it. An unknown only warns by default, so a branch could hide a world-open
rule behind ``substr(format("0.0.0.0/0%04194400d", 0), 0, 9)``: the gate fails closed instead,
and ``try()``/``can()`` do not catch the limit (they catch what Terraform would reject).

Weights are memoised by identity (holding the container, so its id is not reused), so a
shared part is measured once however often it is referred to: charging is O(1) per reference.
Only containers of 16 elements or more are kept (a small one is cheaper to measure again), and
the memo is emptied between top-level evaluations once it holds 100,000 (what it holds stays
alive; measuring again costs one walk of the distinct containers).
"""

from __future__ import annotations

from typing import Any

from ... import limits
from ...errors import InputError
from .values import OverLimit

_memo: dict[int, tuple[Any, int]] = {}
# read from limits.py at reset() (each input), not per call: charging is on the hot path
_left: list = [None]  # eval-size still available
_cap: list = [None]  # value-size
_KEEP = 16  # smallest weight memoised
_MEMO_MAX = 100_000


class Exhausted(InputError):
    """The evaluation budget is spent; ``safe`` adds the file:line where it happened."""


def reset() -> None:
    """A new input: its own budget, with the limits in effect now."""
    _memo.clear()
    _left[0] = limits.get("eval-size")
    _cap[0] = limits.get("value-size")


def weight(value: Any) -> int:
    """Elements of ``value`` as every walk over it sees them (shared parts counted each time); a
    string counts one more per 16 characters, so the total also bounds the text made."""
    if isinstance(value, str):
        return 1 + (len(value) >> 4)
    if not isinstance(value, (list, dict)):
        return 1
    entry = _memo.get(id(value))
    if entry is not None and entry[0] is value:
        return entry[1]
    if isinstance(value, dict):
        total = 1 + sum(weight(k) + weight(v) for k, v in value.items())
    else:
        total = 1 + sum(weight(v) for v in value)
    if total >= _KEEP:
        _memo[id(value)] = (value, total)
    return total


_ast: dict[int, tuple[Any, int]] = {}  # syntax nodes live as long as their configuration


def ast_size(node: Any) -> int:
    """Syntax nodes in an expression (or template parts): what evaluating it once visits,
    references aside (memoised values) and what functions and for iterations do (charged
    apart). Memoised by identity; never reset (the nodes live for the run anyway)."""
    if node is None:
        return 0
    if not hasattr(node, "ev"):
        return sum(ast_size(x) for x in node) if isinstance(node, (list, tuple)) else 0
    entry = _ast.get(id(node))
    if entry is not None and entry[0] is node:
        return entry[1]
    total = 1
    for cls in type(node).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if slot != "line":
                part = getattr(node, slot, None)
                if hasattr(part, "ev") or isinstance(part, (list, tuple)):
                    total += ast_size(part)
    _ast[id(node)] = (node, total)
    return total


def account(node: Any, value: Any) -> None:
    """What ``safe`` charges for one evaluation: the syntax it visited and the value it made
    (refused over value-size). One call on the hot path, scalars measured inline."""
    entry = _ast.get(id(node))
    cost = entry[1] if entry is not None and entry[0] is node else ast_size(node)
    cls = value.__class__
    if cls is str:
        cost += 1 + (len(value) >> 4)
    elif cls is int or cls is bool or value is None or cls is float:
        cost += 1
    else:
        cost += sized(value, "the value")
    if _left[0] is None:
        reset()
    _left[0] -= cost
    if _left[0] < 0:
        charge(0)  # raises, with the message


def trim() -> None:
    """Between top-level evaluations: let the memo go when it has grown large."""
    if len(_memo) > _MEMO_MAX:
        _memo.clear()


def walk(*values: Any) -> None:
    """Charge what walking these values costs (containers only: a scalar costs nothing extra)."""
    total = 0
    for value in values:
        if isinstance(value, (list, dict)):
            total += weight(value)
    if total:
        charge(total)


def sized(value: Any, what: str) -> int:
    """The weight of a value, or OverLimit when it is over ``value-size`` (nothing is charged:
    refusing costs no walk)."""
    w = weight(value)
    if _cap[0] is None:
        reset()
    if w > _cap[0]:
        raise OverLimit(f"{what} would hold more than {limits.get('value-size'):,} elements "
                        f"({limits.how('value-size')})")
    return w


def charge(amount: int) -> None:
    """Add work to the input's total; ``Exhausted`` (exit 2) when it is spent."""
    if _left[0] is None:
        reset()
    _left[0] -= amount
    if _left[0] < 0:
        raise Exhausted(f"evaluating the configuration takes more than {limits.get('eval-size'):,} elements of "
                        f"values and iterations ({limits.how('eval-size')})")


def spent() -> int:
    return limits.get("eval-size") - (_left[0] if _left[0] is not None else limits.get("eval-size"))


def chars(n: int, what: str) -> None:
    """OverLimit before making a string of ``n`` characters over ``string-chars``."""
    if n > limits.get("string-chars"):
        raise OverLimit(f"{what} would make a string of {n:,} characters, over the limit "
                        f"({limits.how('string-chars')})")


def elements(n: int, what: str) -> None:
    """OverLimit before making a collection of ``n`` elements over ``value-size``."""
    if n > limits.get("value-size"):
        raise OverLimit(f"{what} would make {n:,} elements, over the limit ({limits.how('value-size')})")
