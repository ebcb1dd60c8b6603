"""More of Terraform's built-in functions: regular expressions, encodings, hashes, paths, time.

Semantics from the Terraform language documentation ("Functions") and go-cty's stdlib, which
Terraform uses. Regular expressions run on RE2 (google-re2), the engine and syntax Terraform's
Go ``regexp`` implements: linear time on untrusted .tf files, and a pattern Terraform refuses
(backreferences, lookaround) is refused here too. ``timestamp()`` is known only at apply.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import posixpath
import re
from typing import Any

from ... import limits
from . import budget
from .functions import fn
from .values import EvalError, OverLimit, Unknown, number, to_string

# ---------------------------------------------------------------- regular expressions (RE2)

def _compile(pattern: str) -> Any:
    from ...regex import compile_re2

    try:
        return compile_re2(pattern)
    except ValueError as exc:
        raise EvalError(f"invalid regular expression: {exc}") from None


def _result(compiled: Any, match: Any) -> Any:
    """What Terraform returns for one match: the matched text (no capture groups), a map of the
    named groups, or a list of the groups (an unmatched group is null)."""
    names = compiled.groupindex
    if compiled.groups == 0:
        return match.group(0)
    if names:
        if len(names) != compiled.groups:
            raise EvalError("invalid regular expression: cannot mix both named and unnamed capture groups")
        return {name: match.group(i) for name, i in names.items()}
    return [match.group(i) for i in range(1, compiled.groups + 1)]


_TEMPLATE = re.compile(r"\$(\$|\{(\w+)\}|(\w+))")


def replace_regex(text: str, pattern: str, new: str) -> str:
    """``replace(text, "/re/", new)``: every match of the RE2 pattern replaced by ``new``, whose
    ``$1``, ``${1}``, ``$name``, ``${name}`` are the match's groups and ``$$`` a dollar (Go's
    ``Regexp.ReplaceAllString``, which Terraform's replace uses; a group that does not exist is
    empty, and ``$1x`` names a group "1x")."""
    compiled = _compile(pattern)
    names = compiled.groupindex

    def group(match: Any, ref: str) -> str:
        index = int(ref) if ref.isdigit() else names.get(ref)
        if index is None or index > compiled.groups:
            return ""
        return match.group(index) or ""

    def expand(match: Any) -> str:
        return _TEMPLATE.sub(lambda t: "$" if t.group(1) == "$" else group(match, t.group(2) or t.group(3)), new)

    # bounded before it is built: every match may add the template, each group reference the text
    matches = sum(1 for _ in compiled.finditer(text))
    budget.chars(len(text) + matches * (len(new) + len(_TEMPLATE.findall(new)) * len(text)), "replace")
    return compiled.sub(expand, text)


@fn("regex")
def _regex(pattern: Any, string: Any) -> Any:
    compiled = _compile(to_string(pattern))
    match = compiled.search(to_string(string))
    if match is None:
        raise EvalError("regex: pattern did not match any part of the given string")
    return _result(compiled, match)


@fn("regexall")
def _regexall(pattern: Any, string: Any) -> Any:
    compiled = _compile(to_string(pattern))
    return [_result(compiled, m) for m in compiled.finditer(to_string(string))]


# ---------------------------------------------------------------- encodings and hashes

@fn("base64encode")
def _base64encode(value: Any) -> Any:
    return base64.b64encode(to_string(value).encode("utf-8")).decode("ascii")


@fn("base64decode")
def _base64decode(value: Any) -> Any:
    try:
        raw = base64.b64decode(to_string(value), validate=True)
        return raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise EvalError("base64decode: the string is not valid base64 of UTF-8 text") from None


def _digest(name: str) -> Any:
    def digest(value: Any) -> Any:
        return hashlib.new(name, to_string(value).encode("utf-8")).hexdigest()
    return digest


for _name in ("md5", "sha1", "sha256", "sha512"):
    fn(_name)(_digest(_name))


# ---------------------------------------------------------------- strings

@fn("csvdecode")
def _csvdecode(text: Any) -> Any:
    """RFC 4180 CSV: the first row names the columns, each other row is a map of strings; a row
    with another number of fields is an error (Terraform language docs, "csvdecode Function")."""
    import csv
    import io

    # Go's encoding/csv skips empty lines (csvdecode("a\n\n1") is [{a = "1"}])
    rows = [row for row in csv.reader(io.StringIO(to_string(text), newline="")) if row]
    if not rows:
        return []
    header, out = rows[0], []
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(header):
            raise EvalError(f"csvdecode: line {n} has {len(row)} fields, the header {len(header)}")
        out.append(dict(zip(header, row)))
    budget.chars(sum(len(v) for r in out for v in r.values()), "csvdecode")
    return out


@fn("strcontains")
def _strcontains(string: Any, substr: Any) -> Any:
    return to_string(substr) in to_string(string)


# ---------------------------------------------------------------- paths (Go's filepath on Linux)

@fn("basename")
def _basename(path: Any) -> Any:
    text = to_string(path)
    if text == "":
        return "."
    stripped = text.rstrip("/")
    return posixpath.basename(stripped) if stripped else "/"


@fn("dirname")
def _dirname(path: Any) -> Any:
    text = to_string(path)  # Go's filepath.Dir: all but the last element, cleaned
    cut = text.rfind("/")
    if cut < 0:
        return "."
    head = posixpath.normpath(text[:cut + 1])
    return "/" + head.lstrip("/") if head.startswith("//") else head


@fn("abspath")
def _abspath(path: Any) -> Any:
    return os.path.abspath(to_string(path))


@fn("pathexpand")
def _pathexpand(path: Any) -> Any:
    return os.path.expanduser(to_string(path))


# ---------------------------------------------------------------- time

@fn("timestamp")
def _timestamp() -> Any:
    return Unknown("timestamp() is known only at apply")


_DURATION = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _duration(text: str) -> datetime.timedelta:
    """Go's ``time.ParseDuration``: ``"1h30m"``, ``"-10m"``, ``"2.5s"``."""
    sign, body = (-1, text[1:]) if text.startswith("-") else (1, text.lstrip("+"))
    if body == "0":
        return datetime.timedelta(0)
    seconds, pos = 0.0, 0
    while pos < len(body):
        m = _DURATION.match(body, pos)
        if not m or m.group(1) in ("", "."):
            raise EvalError(f"timeadd: invalid duration {text!r}")
        seconds += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if not body:
        raise EvalError(f"timeadd: invalid duration {text!r}")
    return datetime.timedelta(seconds=sign * seconds)


@fn("timeadd")
def _timeadd(timestamp: Any, duration: Any) -> Any:
    text = to_string(timestamp)
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EvalError(f"timeadd: {text!r} is not an RFC 3339 timestamp") from None
    out = when + _duration(to_string(duration))
    if out.utcoffset() == datetime.timedelta(0):
        return out.strftime("%Y-%m-%dT%H:%M:%S") + \
            (f".{out.microsecond:06d}".rstrip("0") if out.microsecond else "") + "Z"
    return out.isoformat()


# ---------------------------------------------------------------- YAML

@fn("yamldecode")
def _yamldecode(text: Any) -> Any:
    """Terraform's yamldecode (go-cty-yaml's scalar rules: yamlcty.py)."""
    import yaml

    from . import budget
    from .yamlcty import YamlError, decode

    text = to_string(text)
    budget.charge(len(text))  # PyYAML reads ~1 µs a character (limits.py eval-size)
    try:
        return decode(text, limits.get("value-size"), number)
    except yaml.YAMLError as exc:
        raise EvalError(f"yamldecode: {str(exc).splitlines()[0]}") from None
    except YamlError as exc:
        raise EvalError(f"yamldecode: {exc}") from None
    except OverflowError:
        raise OverLimit(f"yamldecode: the document expands to more than {limits.get('value-size'):,} values "
                        f"({limits.how('value-size')})") from None


@fn("yamlencode")
def _yamlencode(value: Any) -> Any:
    """Terraform's layout (go-cty's yaml encoder, go-yaml v3): keys sorted and double-quoted,
    strings double-quoted, a multi-line string as a literal block, a list under a key not
    indented, a map under a key indented by two."""
    lines: list[str] = []
    _yaml(value, 0, lines, top=True)
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _scalar(value: Any, indent: int) -> list[str]:
    """A scalar as YAML text; a multi-line string is a literal block (its lines follow)."""
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (int, float)):
        return [to_string(value)]
    text = to_string(value)
    if "\n" in text:
        body = text.rstrip("\n")
        trailing = len(text) - len(body)
        head = "|-" if trailing == 0 else ("|" if trailing == 1 else "|+")
        pad = " " * (indent + 2)
        rest = [pad + line if line else "" for line in body.split("\n")]
        rest += [""] * (trailing - 1 if trailing > 1 else 0)
        return [head] + rest
    return [_quoted(text)]


def _yaml(value: Any, indent: int, lines: list[str], top: bool = False, item: bool = False) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            lines.append(pad + "{}")
            return
        for key in sorted(value):
            item = value[key]
            head = f"{pad}{_quoted(str(key))}:"
            if isinstance(item, dict) and item:
                lines.append(head)
                _yaml(item, indent + 2, lines)
            elif isinstance(item, list) and item:
                lines.append(head)
                _yaml(item, indent, lines)
            else:
                first, *rest = _scalar(item, indent) if not isinstance(item, (dict, list)) else \
                    (["{}"] if isinstance(item, dict) else ["[]"])
                lines.append(f"{head} {first}")
                lines.extend(rest)
        return
    if isinstance(value, list):
        if not value:
            lines.append(pad + "[]")
            return
        for item in value:
            sub: list[str] = []
            _yaml(item, 0, sub, item=True)
            lines.append(f"{pad}- {sub[0]}")
            lines.extend(f"{pad}  {line}" if line else "" for line in sub[1:])
        return
    first, *rest = _scalar(value, indent - 2 if item else indent)  # a block's lines: 2 past its owner
    lines.append(pad + first)
    lines.extend(rest)





# ---------------------------------------------------------------- provider-defined functions

# AWS provider functions (Terraform 1.8+, provider 5.40+: "Provider-defined functions" in the
# provider documentation): an ARN's parts, as ``arn:partition:service:region:account-id:resource``
# (the resource keeps its own colons and slashes).
# aws-sdk-go-v2 arn.Parse: the "arn:" prefix and six sections split on ":" (the resource keeps
# its colons); an empty section is allowed ("arn:aws:s3:::" parses, resource "": Terraform's plan)
_ARN = re.compile(r"arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)", re.S)


@fn("provider::aws::arn_parse")
def _arn_parse(arn: Any) -> Any:
    m = _ARN.fullmatch(to_string(arn))
    if m is None:
        raise EvalError(f"provider::aws::arn_parse: {to_string(arn)!r} is not an ARN")
    return dict(zip(("partition", "service", "region", "account_id", "resource"), m.groups()))


@fn("provider::aws::arn_build")
def _arn_build(partition: Any, service: Any, region: Any, account_id: Any, resource: Any) -> Any:
    return ":".join(["arn"] + [to_string(v) for v in (partition, service, region, account_id, resource)])
