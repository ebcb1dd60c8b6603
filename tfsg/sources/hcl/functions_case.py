"""Terraform's string functions that follow Go's libraries rune by rune: ``upper``, ``lower``,
``title`` (Go's ``strings``), ``indent``, ``urlencode`` (``url.QueryEscape``), ``log``, ``uuidv5``
(google/uuid); each as documented at developer.hashicorp.com/terraform/language/functions/NAME
and checked against Terraform 1.11.4.
"""

from __future__ import annotations

import math
import re
import unicodedata
import urllib.parse
import uuid
from typing import Any

from . import budget
from .functions import fn
from .values import EvalError, number, to_number, to_string

# ---------------------------------------------------------------- strings (Go's strings)

def _one(mapped: str, original: str) -> str:
    return mapped if len(mapped) == 1 else original


def _upper_rune(c: str) -> str:
    # unicode.ToUpper: one rune for one rune ("ß" stays, "ᾀ" is its titlecase "ᾈ")
    up = c.upper()
    return up if len(up) == 1 else _one(c.title(), c)


def _lower_rune(c: str) -> str:
    low = c.lower()
    return low if len(low) == 1 else low[0]  # "İ" is "i" (Go's simple mapping)


def _separator(c: str) -> bool:
    """Go's strings.Title: ASCII letters, digits and "_" are not separators, other ASCII is;
    beyond ASCII, letters and digits are not, spaces are, anything else is not."""
    if c < "\x80":
        return not (c.isalnum() or c == "_")
    category = unicodedata.category(c)
    if category.startswith("L") or category == "Nd":
        return False
    return c.isspace()


@fn("upper")
def _upper(text: Any) -> Any:
    return "".join(_upper_rune(c) for c in to_string(text))


@fn("lower")
def _lower(text: Any) -> Any:
    return "".join(_lower_rune(c) for c in to_string(text))


@fn("title")
def _title(text: Any) -> Any:
    out, previous = [], " "
    for c in to_string(text):
        out.append(_one(c.title(), c) if _separator(previous) else c)  # the rest is never lowered
        previous = c
    return "".join(out)


@fn("indent")
def _indent(spaces: Any, text: Any) -> Any:
    count, text = to_number(spaces), to_string(text)
    if not isinstance(count, int) or count < 0:
        raise EvalError("indent: the number of spaces must be a whole number, not negative")
    budget.chars(len(text) + text.count("\n") * count, "indent")
    return text.replace("\n", "\n" + " " * count)  # every line but the first, even an empty last one


@fn("urlencode")
def _urlencode(text: Any) -> Any:
    return urllib.parse.quote_plus(to_string(text), safe="")  # url.QueryEscape: " " is "+", "~" kept


@fn("log")
def _log(value: Any, base: Any) -> Any:
    x, b = to_number(value), to_number(base)
    return number(math.log(x) / math.log(b))  # float64, as Terraform's log (log(1000, 10) is 2.9999999999999996)


_NAMESPACES = {"dns": uuid.NAMESPACE_DNS, "url": uuid.NAMESPACE_URL, "oid": uuid.NAMESPACE_OID,
               "x500": uuid.NAMESPACE_X500}
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@fn("uuidv5")
def _uuidv5(namespace: Any, name: Any) -> Any:
    text = to_string(namespace)
    space = _NAMESPACES.get(text)
    if space is None:
        # google/uuid's Parse: the 36-character form, in braces, after "urn:uuid:", or 32 hex digits
        core = text[1:-1] if len(text) == 38 and text[0] == "{" and text[-1] == "}" else \
            text[9:] if len(text) == 45 and text[:9].lower() == "urn:uuid:" else text
        if not (_UUID.fullmatch(core) or re.fullmatch(r"[0-9a-fA-F]{32}", core)):
            raise EvalError(f"uuidv5: namespace {text[:40]!r} is not dns, url, oid, x500 or a UUID")
        space = uuid.UUID(core.replace("-", ""))
    return str(uuid.uuid5(space, to_string(name)))
