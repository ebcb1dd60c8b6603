"""Terraform's ``format``/``formatlist`` (go-cty's formatter, which hands numbers to Go's fmt) and
``jsonencode`` (Go's ``encoding/json``), as documented at
developer.hashicorp.com/terraform/language/functions/NAME and checked against Terraform 1.11.4.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from . import budget
from .arith import exact
from .functions import fn
from .values import EvalError, graphemes, number, to_bool, to_number, to_string, type_name

# ---------------------------------------------------------------- format (go-cty stdlib/format.go)

# %, flags, [argument index], width, .precision, verb: go-cty's scanner (format_fsm.rl)
_VERB = re.compile(r"%([-+# 0]*)(?:\[([1-9][0-9]*)\])?([1-9][0-9]*)?(?:\.([0-9]*))?([A-Za-z])?")


def go_format(spec: str, args: list) -> str:
    out: list[str] = []
    pos, next_arg, made = 0, 1, len(spec)
    while pos < len(spec):
        cut = spec.find("%", pos)
        if cut < 0:
            out.append(spec[pos:])
            break
        out.append(spec[pos:cut])
        if spec.startswith("%%", cut):
            out.append("%")
            pos = cut + 2
            continue
        m = _VERB.match(spec, cut)
        if m is None or m.group(5) is None:
            raise EvalError(f"format: invalid format string starting at offset {cut}")
        flags, index, width, prec, verb = m.groups()
        for digits in (width, prec):  # a width or precision: %0100000000d
            if digits:
                budget.chars(int(digits) if len(digits) < 12 else 10 ** 12, "format")
        argnum = int(index) if index else next_arg
        if argnum > len(args):
            raise EvalError(f"format: not enough arguments for {m.group(0)!r}: need index {argnum} "
                            f"but have {len(args)}")
        next_arg = argnum + 1  # "%[2]s %s" goes on with the third
        text = _verb(verb, flags, int(width) if width else None,
                     (int(prec) if prec else 0) if prec is not None else None, args[argnum - 1], m.group(0))
        out.append(text)
        made += len(text)
        budget.chars(made, "format")
        pos = m.end()
    return "".join(out)


def _verb(verb: str, flags: str, width: Optional[int], prec: Optional[int], arg: Any, raw: str) -> str:
    if arg is None and verb != "v":
        raise EvalError(f"format: unsupported value for {raw!r}: null value cannot be formatted")
    if verb == "v":
        if "#" not in flags and isinstance(arg, str):
            return _pad(arg, flags, width)
        if "#" not in flags and isinstance(arg, (int, float)) and not isinstance(arg, bool):
            return _pad(_float_text("g", None, arg), flags, width)  # big.Float's Text('g', -1)
        return _pad(go_json(arg), flags, width)
    if verb == "t":
        return "true" if to_bool(arg) else "false"  # no padding (go-cty)
    if verb in "bdoxX":
        value = to_number(arg)
        if not isinstance(value, int):
            raise EvalError(f"format: unsupported value for {raw!r}: an integer is required")
        return _go_int(verb, flags, width, prec, value)
    if verb in "eEfgG":
        return _go_float(verb, flags, width, prec, to_number(arg))
    if verb in "sq":
        if isinstance(arg, (list, dict)):
            raise EvalError(f"format: unsupported value for {raw!r}: string required")
        text = to_string(arg)
        if prec:  # the first prec characters (go-cty: grapheme clusters)
            text = _first_chars(text, prec)
        return _pad(text if verb == "s" else go_json(text), flags, width)
    raise EvalError(f"format: unsupported format verb {verb!r} in {raw!r}")


def _chars(text: str) -> int:
    return len(graphemes(text))


def _first_chars(text: str, count: int) -> str:
    return "".join(graphemes(text)[:count])


def _pad(text: str, flags: str, width: Optional[int]) -> str:
    """go-cty's formatPadWidth: "0" pads with zeros (on either side), "-" on the right."""
    if width is None or _chars(text) >= width:
        return text
    pad = ("0" if "0" in flags else " ") * (width - _chars(text))
    return text + pad if "-" in flags else pad + text


def _go_int(verb: str, flags: str, width: Optional[int], prec: Optional[int], value: int) -> str:
    """Go's ``big.Int.Format``: [left pad][sign][prefix][zeros][digits][right pad]."""
    base = {"b": 2, "o": 8, "d": 10, "x": 16, "X": 16}[verb]
    digits = _to_base(abs(value), base)
    if verb == "X":
        digits = digits.upper()
    sign = "-" if value < 0 else "+" if "+" in flags else " " if " " in flags else ""
    prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb, "") if "#" in flags else ""
    zeros = 0
    if prec is not None:
        if len(digits) < prec:
            zeros = prec - len(digits)
        elif digits == "0" and prec == 0:
            return ""  # Go prints nothing for zero at precision 0
    body_len = len(sign) + len(prefix) + zeros + len(digits)
    left = right = 0
    if width is not None and body_len < width:
        if "-" in flags:
            right = width - body_len  # Go's fmt: "-" turns "0" off
        elif "0" in flags and prec is None:
            zeros = width - body_len
        else:
            left = width - body_len
    return " " * left + sign + prefix + "0" * zeros + digits + " " * right


def _to_base(value: int, base: int) -> str:
    return {2: format(value, "b"), 8: format(value, "o"), 10: str(value), 16: format(value, "x")}[base]


def _go_float(verb: str, flags: str, width: Optional[int], prec: Optional[int], value: Any) -> str:
    """Go's ``big.Float.Format`` (default precision 6 for e and f, shortest for g)."""
    text = _float_text(verb, prec, value)
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    elif "+" in flags:
        sign = "+"
    elif " " in flags:
        sign = " "
    pad = max((width or 0) - len(sign) - len(text), 0)
    if "-" in flags:
        return sign + text + " " * pad
    if "0" in flags:
        return sign + "0" * pad + text
    return " " * pad + sign + text


def _float_text(verb: str, prec: Optional[int], value: Any) -> str:
    """``big.Float.Append``: the decimal digits rounded half to even, in %e, %f or %g layout."""
    d = exact(value)
    negative = d < 0
    _, digits, exponent = d.copy_abs().as_tuple()  # abs() would round to the context's 28 digits
    mant = "".join(map(str, digits)).rstrip("0") if d else ""
    exp = len(digits) + int(exponent) if mant else 0  # value = 0.mant x 10**exp
    fmt = verb
    shortest = prec is None and fmt in "gG"
    if prec is None and fmt in "eEf":
        prec = 6  # big.Float.Format's default for %e and %f
    if prec is None:
        prec = len(mant)
    elif fmt in "eE":
        mant, exp = _round(mant, exp, 1 + prec)
    elif fmt == "f":
        mant, exp = _round(mant, exp, exp + prec)
    else:
        prec = prec or 1
        mant, exp = _round(mant, exp, prec)
    if fmt in "eE":
        out = _fmt_e(fmt, prec, mant, exp)
    elif fmt == "f":
        out = _fmt_f(prec, mant, exp)
    else:
        eprec = prec
        if eprec > len(mant) and len(mant) >= exp:
            eprec = len(mant)
        if shortest:
            eprec = 6
        if exp - 1 < -4 or exp - 1 >= eprec:
            out = _fmt_e("e" if fmt == "g" else "E", min(prec, len(mant)) - 1, mant, exp)
        else:
            out = _fmt_f(max((len(mant) if prec > exp else prec) - exp, 0), mant, exp)
    return "-" + out if negative else out


def _round(mant: str, exp: int, n: int) -> tuple[str, int]:
    """Go's ``decimal.round``: to n digits, half to even on the exact digits."""
    if n < 0 or n >= len(mant):
        return mant, exp
    up = mant[n] > "5" or (mant[n] == "5" and (n + 1 < len(mant) or (n > 0 and int(mant[n - 1]) % 2 == 1)))
    if not up:
        return mant[:n].rstrip("0"), exp if mant[:n].rstrip("0") else 0
    head = mant[:n].rstrip("9")
    if not head:
        return "1", exp + 1
    return head[:-1] + str(int(head[-1]) + 1), exp


def _fmt_e(fmt: str, prec: int, mant: str, exp: int) -> str:
    out = mant[:1] or "0"
    if prec > 0:
        out += "." + mant[1:prec + 1].ljust(prec, "0")
    e = exp - 1 if mant else 0
    return f"{out}{fmt}{'-' if e < 0 else '+'}{abs(e):02d}"


def _fmt_f(prec: int, mant: str, exp: int) -> str:
    out = (mant[:exp].ljust(exp, "0")) if exp > 0 else "0"
    if prec > 0:
        out += "." + "".join(mant[i] if 0 <= i < len(mant) else "0" for i in range(exp, exp + prec))
    return out


@fn("format")
def _format(spec: Any, *args: Any) -> Any:
    return go_format(to_string(spec), list(args))


@fn("formatlist")
def _formatlist(spec: Any, *args: Any) -> Any:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvalError("formatlist: the lists differ in length")
    n = lengths.pop() if lengths else 1
    out, made = [], 0
    for i in range(n):
        out.append(go_format(to_string(spec), [a[i] if isinstance(a, list) else a for a in args]))
        made += len(out[-1])
        budget.chars(made, "formatlist")
    return out


# ---------------------------------------------------------------- JSON (Go's encoding/json)

# Go escapes <, > and & (HTML-safe) and the JavaScript line terminators; other non-ASCII is
# written as UTF-8
_HTML_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def go_json(value: Any) -> str:
    """``jsonencode``: keys sorted, numbers as cty writes them (``1e+21`` is
    1000000000000000000000), strings escaped as Go escapes them."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return to_string(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).translate(_HTML_SAFE)
    if isinstance(value, list):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(go_json(str(k)) + ":" + go_json(value[k]) for k in sorted(value)) + "}"
    raise EvalError(f"jsonencode: a {type_name(value)} cannot be encoded")


def json_number(text: str) -> Any:
    """A JSON number as Terraform reads it: a number, integral or not (``1.0`` is 1)."""
    from .arith import back

    if re.fullmatch(r"-?[0-9]+", text):
        return number(int(text))
    import decimal

    return back(decimal.Decimal(text))
