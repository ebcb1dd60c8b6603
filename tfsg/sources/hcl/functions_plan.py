"""Functions Terraform evaluates when it plans, with no provider call: time (``plantimestamp``,
``timecmp``, ``formatdate``: go-cty ``stdlib/datetime.go``, Terraform ``internal/lang/funcs``),
hashes and text encodings (``base64sha256``, ``base64sha512``, ``textencodebase64``,
``textdecodebase64``), and the built-in provider's ``provider::terraform::decode_tfvars``.
Documented at developer.hashicorp.com/terraform/language/functions/NAME.

A provider function is called by the provider's local name in ``required_providers``
("Provider-defined functions": ``provider::<local name>::<function>``): ``provider::amazon::arn_parse``
is hashicorp/aws's ``arn_parse`` when ``amazon = { source = "hashicorp/aws" }``, and the built-in
``terraform.io/builtin/terraform`` provider's functions need it declared there too (``resolve``).

Not evaluated (an explicit unknown): ``base64gzip`` (Go's own deflate output, which zlib does not
reproduce byte for byte), ``provider::terraform::encode_tfvars``/``encode_expr`` (hclwrite's
layout). ``ephemeralasnull`` is evaluated from its argument's syntax (ephemeral.py); a call tfsg
does not bind (in a ``templatefile`` template) stays "not evaluated".
"""

from __future__ import annotations

import base64
import contextvars
import datetime
import hashlib
import re
from typing import Any, Optional

from .functions import fn
from .values import EvalError, to_string

# ---------------------------------------------------------------- time

_RFC3339 = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
                      r"(Z|[+-][0-9]{2}:[0-9]{2})")


def _parse(text: Any, what: str) -> datetime.datetime:
    """go-cty's ``parseTimestamp``: strict RFC 3339 (``T`` and a zone required)."""
    value = to_string(text)
    m = _RFC3339.fullmatch(value)
    try:
        if m is None:
            raise ValueError(value)
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EvalError(f"{what}: {value[:40]!r} is not a valid RFC3339 timestamp") from None


# What plantimestamp() is while the sources beside a plan are evaluated (fill.py sets it): the
# plan's recorded "timestamp" (plan JSON's top level), or an Unknown when the plan records none.
# None: HCL mode, where tfsg stands for a plan made now.
PLAN_TIME: contextvars.ContextVar[Any] = contextvars.ContextVar("plan_time", default=None)


@fn("plantimestamp")
def _plantimestamp() -> Any:
    # the time Terraform plans, known during the plan ("plantimestamp Function": "the timestamp
    # at plan time"), in time.RFC3339 (UTC, whole seconds). Beside a plan it is that plan's
    # (a plan is immutable: its verdict cannot depend on when it is checked); in HCL mode the
    # time tfsg reads the configuration
    recorded = PLAN_TIME.get()
    if recorded is not None:
        return recorded
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@fn("timecmp")
def _timecmp(a: Any, b: Any) -> Any:
    first, second = _parse(a, "timecmp"), _parse(b, "timecmp")
    return -1 if first < second else 1 if first > second else 0


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TOKEN = re.compile(r"'(?:[^']|'')*'?|([A-Za-z])\1*|[^'A-Za-z]+")


def _zone(t: datetime.datetime, colon: bool) -> str:
    offset = int(t.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    sign, offset = ("-", -offset) if offset < 0 else ("+", offset)
    return f"{sign}{offset // 60:02d}{':' if colon else ''}{offset % 60:02d}"


@fn("formatdate")
def _formatdate(spec: Any, timestamp: Any) -> Any:
    t, out = _parse(timestamp, "formatdate"), []
    for m in _TOKEN.finditer(to_string(spec)):
        tok = m.group(0)
        if tok[0] == "'":
            if len(tok) == 1 or tok[-1] != "'":
                raise EvalError("formatdate: unterminated literal '")
            out.append("'" if tok == "''" else tok[1:-1].replace("''", "'"))
            continue
        if not tok[0].isalpha():
            out.append(tok)
            continue
        out.append(_verb(tok, t))
    return "".join(out)


def _verb(tok: str, t: datetime.datetime) -> str:
    c, n = tok[0], len(tok)
    hour12 = t.hour % 12 or 12
    table: dict[tuple[str, int], str] = {
        ("Y", 2): f"{t.year % 100:02d}", ("Y", 4): f"{t.year:04d}",
        ("M", 1): str(t.month), ("M", 2): f"{t.month:02d}", ("M", 3): _MONTHS[t.month - 1][:3],
        ("M", 4): _MONTHS[t.month - 1], ("D", 1): str(t.day), ("D", 2): f"{t.day:02d}",
        ("E", 3): _DAYS[t.weekday()][:3], ("E", 4): _DAYS[t.weekday()],
        ("h", 1): str(t.hour), ("h", 2): f"{t.hour:02d}", ("H", 1): str(hour12), ("H", 2): f"{hour12:02d}",
        ("A", 2): "AM" if t.hour < 12 else "PM", ("a", 2): "am" if t.hour < 12 else "pm",
        ("m", 1): str(t.minute), ("m", 2): f"{t.minute:02d}", ("s", 1): str(t.second), ("s", 2): f"{t.second:02d}",
        ("Z", 1): "Z" if t.utcoffset() == datetime.timedelta(0) else _zone(t, True),
        ("Z", 3): "UTC" if t.utcoffset() == datetime.timedelta(0) else _zone(t, False),
        ("Z", 4): _zone(t, False), ("Z", 5): _zone(t, True),
    }
    if (c, n) not in table:
        raise EvalError(f"formatdate: invalid date format verb {tok!r}")
    return table[(c, n)]


# ---------------------------------------------------------------- hashes and encodings

def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


fn("base64sha256")(lambda value: _b64(hashlib.sha256(to_string(value).encode("utf-8")).digest()))
fn("base64sha512")(lambda value: _b64(hashlib.sha512(to_string(value).encode("utf-8")).digest()))

# IANA names whose Go (golang.org/x/text ianaindex) encoding Python's codec matches byte for byte;
# any other name is left unknown, not guessed
_CODECS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be",
           "iso-8859-1": "latin-1", "latin1": "latin-1", "windows-1252": "cp1252", "us-ascii": "ascii"}


def _codec(name: Any, what: str) -> str:
    codec = _CODECS.get(to_string(name).lower())
    if codec is None:
        raise NotEvaluated(f"{what}(): the encoding {to_string(name)[:40]!r} is not evaluated by tfsg")
    return codec


class NotEvaluated(EvalError):
    """A known value tfsg does not compute (``functions.call`` makes it a Failure unknown)."""


@fn("textencodebase64")
def _textencodebase64(text: Any, encoding: Any) -> Any:
    try:
        return _b64(to_string(text).encode(_codec(encoding, "textencodebase64")))
    except UnicodeEncodeError:
        raise EvalError("textencodebase64: the string holds characters the encoding cannot represent") from None


@fn("textdecodebase64")
def _textdecodebase64(source: Any, encoding: Any) -> Any:
    codec = _codec(encoding, "textdecodebase64")
    try:
        return base64.b64decode(to_string(source), validate=True).decode(codec)
    except (ValueError, UnicodeDecodeError):
        raise EvalError("textdecodebase64: not valid base64 text in that encoding") from None


# ---------------------------------------------------------------- provider functions

@fn("provider::terraform::decode_tfvars")
def _decode_tfvars(text: Any) -> Any:
    """The attributes of a .tfvars text, literal values only (Terraform's builtin provider)."""
    from ...errors import InputError
    from .bodies import safe
    from .modules import LiteralScope
    from .parse import parse_body
    from .syntax import Env
    from .values import Unknown

    try:
        body = parse_body(to_string(text), "<decode_tfvars>")
    except InputError as exc:
        raise EvalError(f"provider::terraform::decode_tfvars: invalid tfvars syntax ({exc})") from None
    if body.blocks:
        raise EvalError("provider::terraform::decode_tfvars: blocks are not allowed in a tfvars text")
    out = {}
    for name, attr in body.attrs.items():
        value = safe(attr.expr, Env(LiteralScope()), "<decode_tfvars>")
        if isinstance(value, Unknown):
            raise EvalError(f"provider::terraform::decode_tfvars: {name} is not a literal value")
        out[name] = value
    return out


_SOURCES = {"hashicorp/aws": "aws", "terraform.io/builtin/terraform": "terraform"}


def resolve(name: str, env: Any) -> Optional[str]:
    """``provider::<local>::<fn>`` as registered (``provider::aws::...``), by the local name's
    source in the module's ``required_providers``; None when the local name is not declared
    (``aws`` without a declaration stays aws: Terraform's implied hashicorp/aws)."""
    parts = name.split("::")
    if len(parts) != 3:
        return None
    local = parts[1]
    source = _declared(env, local)
    if source is None:
        return name if local == "aws" else None
    short = re.sub(r"^registry\.(?:terraform|opentofu)\.io/", "", source.lower())
    provider = _SOURCES.get(short)
    return f"provider::{provider}::{parts[2]}" if provider else None


def _declared(env: Any, local: str) -> Optional[str]:
    from .bodies import safe
    from .modules import LiteralScope
    from .syntax import Env

    config = getattr(getattr(env, "scope", None), "config", None)
    for block in getattr(config, "providers", ()):
        attr = block.body.attrs.get(local)
        if attr is None:
            continue
        value = safe(attr.expr, Env(LiteralScope()), block.file)
        source = value.get("source") if isinstance(value, dict) else None
        return source if isinstance(source, str) else f"hashicorp/{local}"
    return None
