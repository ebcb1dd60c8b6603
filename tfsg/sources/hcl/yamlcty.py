"""``yamldecode`` as Terraform evaluates it: PyYAML parses, go-cty-yaml's rules resolve scalars.

Terraform's ``yamldecode`` is go-cty-yaml (zclconf/go-cty-yaml, ``resolve.go``), which is
neither YAML 1.1 (PyYAML's resolver) nor plain YAML 1.2. A plain (unquoted, untagged) scalar is:

* null: empty, ``~``, ``null``, ``Null``, ``NULL``;
* a bool: ``y Y yes Yes YES true True TRUE on On ON`` and ``n N no No NO false False FALSE off
  Off OFF`` (YAML 1.1's words, and the single letters too);
* ``.inf`` and ``-.inf`` are infinities (no Terraform number: refused), ``.nan`` an error;
* when it starts with a digit or a sign: a timestamp (``2001-12-14``, ``2001-12-14T21:59:43Z``,
  ``2001-12-14 21:59:43``) as an RFC 3339 string; else an integer by YAML 1.2's pattern
  (``[-+]?[0-9]+``, ``0o17``, ``0x1F``: ``0123`` is 123, ``022`` is 22, no base 60, no ``_``);
  else a float by YAML 1.2's pattern (``1e3`` is 1000);
* starting with ``.``: a decimal number (``.5``) when it is one;
* anything else a string (``22:25``, ``1_000``, ``0b101``).

Quoted scalars are strings; explicit tags (``!!str``, ``!!int``, ``!!float``, ``!!bool``,
``!!null``, ``!!timestamp``, ``!!binary``) are honoured; mapping keys are scalars made strings
(``n:`` is the key ``"false"``); ``<<`` merges one mapping (not a list of them), and the last
write of a key wins.
Aliases are followed with every value counted against a budget (a "billion laughs" document is
refused, never expanded).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from collections.abc import Callable
from typing import Any

_TAG = "tag:yaml.org,2002:"
_PLAIN = "tfsg:plain"  # a plain scalar, resolved here rather than by PyYAML's YAML 1.1 rules

_WORDS: dict[str, Any] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
}
_INFINITE = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"}
_NAN = {".nan", ".NaN", ".NAN"}
_INTEGER = re.compile(r"\A(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
_DECIMAL = re.compile(r"\A[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
# go-cty-yaml's timestamp layouts: date only; date T/t time with a zone; date, space, time
_TIMESTAMP = re.compile(r"\A(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d{1,9})?"
                        r"(Z|[+-]\d{2}:\d{2})?)?\Z")


class YamlError(ValueError):
    """A document go-cty-yaml refuses (an unsupported tag, a value of the wrong form, NaN)."""


def decode(text: str, budget: int, number: Callable[[Any], Any]) -> Any:
    """One YAML document as Terraform values. ``budget``: the most values it may expand to
    (OverflowError past it); ``number``: the evaluator's number normaliser. Raises
    ``yaml.YAMLError`` for what PyYAML cannot parse, YamlError for what go-cty-yaml refuses."""
    import yaml

    class _Loader(yaml.SafeLoader):
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is yaml.ScalarNode:
                return _PLAIN if implicit[0] else _TAG + "str"
            return super().resolve(kind, value, implicit)

    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    left = [budget]
    return _value(node, left, number) if node is not None else None


def _value(node: Any, left: list[int], number: Callable[[Any], Any]) -> Any:
    import yaml

    left[0] -= 1
    if left[0] < 0:
        raise OverflowError("the document expands to too many values")
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node.tag, node.value, number)
    if isinstance(node, yaml.SequenceNode):
        return [_value(item, left, number) for item in node.value]
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:  # in order, the last write of a key wins (go-cty-yaml)
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag in (_PLAIN, _TAG + "merge") \
                and key_node.value == "<<":
            # go-cty-yaml merges one mapping only: a list of them (YAML 1.1's "<<: [*a, *b]") is
            # "cannot merge tuple into mapping" (decode.go unmarshalMapping; terraform console)
            part = _value(value_node, left, number)
            if not isinstance(part, dict):
                # cty's FriendlyName of what it decoded: a null is of the dynamic pseudo-type
                kind = "tuple" if isinstance(part, list) else "dynamic" if part is None else \
                    "bool" if isinstance(part, bool) else "string" if isinstance(part, str) else "number"
                # go-cty-yaml's place: the line counted from 0, the column from 1 (terraform console)
                raise YamlError(f"on line {key_node.start_mark.line}, column {key_node.start_mark.column + 1}: "
                                f"cannot merge {kind} into mapping")
            out.update(part)
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlError("only strings are allowed as mapping keys")
        key = _value(key_node, left, number)
        if key is None:
            raise YamlError("mapping key cannot be null")
        out[key if isinstance(key, str) else _text(key)] = _value(value_node, left, number)
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _scalar(tag: str, src: str, number: Callable[[Any], Any]) -> Any:
    if tag == _PLAIN:
        return _plain(src, number)
    if tag in (_TAG + "str",):
        return src
    if tag == _TAG + "binary":
        try:
            base64.b64decode("".join(src.split()), validate=True)
        except (binascii.Error, ValueError):
            raise YamlError(f"cannot parse {src[:40]!r} as !!binary: not valid base64") from None
        return src
    if tag == _TAG + "bool":
        if src in _WORDS and isinstance(_WORDS[src], bool):
            return _WORDS[src]
        raise YamlError(f"cannot parse {src[:40]!r} as !!bool")
    if tag == _TAG + "null":
        return None
    if tag in (_TAG + "int", _TAG + "float"):
        got = _number(src, number)
        if got is None:
            raise YamlError(f"cannot parse {src[:40]!r} as !!{tag[len(_TAG):]}")
        return got
    if tag == _TAG + "timestamp":
        stamp = _timestamp(src)
        if stamp is None:
            raise YamlError(f"cannot parse {src[:40]!r} as !!timestamp")
        return stamp
    raise YamlError(f"unsupported tag {tag!r}")


def _plain(src: str, number: Callable[[Any], Any]) -> Any:
    if src in _WORDS:
        return _WORDS[src]
    if src in _INFINITE:
        return float("-inf") if src.startswith("-") else float("inf")
    if src in _NAN:
        raise YamlError("floating point NaN is not supported")
    head = src[:1]
    if head.isascii() and (head.isdigit() or head in "+-"):
        stamp = _timestamp(src)
        if stamp is not None:
            return stamp
        if _INTEGER.match(src) or _DECIMAL.match(src):
            got = _number(src, number)
            if got is not None:
                return got
    elif head == "." and _DECIMAL.match(src):
        return number(float(src))
    return src


def _number(src: str, number: Callable[[Any], Any]) -> Any:
    plain = src.replace("_", "")
    if re.fullmatch(r"[-+]?[0-9]+", plain):
        return number(int(plain))  # leading zeros are decimal (YAML 1.2): 0123 is 123
    if _DECIMAL.match(plain):
        return number(float(plain))
    try:
        return number(int(plain, 0))  # 0x1F, 0o17
    except ValueError:
        return None


def _timestamp(src: str) -> Any:
    m = _TIMESTAMP.match(src)
    if m is None:
        return None
    year, month, day, t_sep, space, hour, minute, second, fraction, zone = m.groups()
    if t_sep and zone is None or space and zone is not None:
        return None  # the T form needs a zone, the space form takes none (go-cty-yaml's layouts)
    try:
        when = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    return text + ("Z" if zone in (None, "Z", "+00:00") else zone)
