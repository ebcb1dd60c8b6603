"""Input limits: every input tfsg reads has a bounded cost in time and memory.

tfsg runs in CI on untrusted pull requests: a .tf file, a plan or a ``.tfsg.yml`` written to
make it run for hours or allocate gigabytes must fail fast, on one line, with exit 2 (for what
an expression computes, naming its file and line; never an unknown, which only warns and would
let a branch hide a rule behind a limit). Each limit below has a name, a default and a unit; ``--limit NAME=VALUE`` (any
command, repeatable) or the environment variable ``TFSG_MAX_<NAME>`` raise or lower it, the
option winning. ``VALUE`` is a whole number, optionally with a binary suffix (``K``/``KiB``,
``M``/``MiB``, ``G``/``GiB``), or ``none`` for no limit.

The defaults accept every fixture and benchmark with a wide margin (the 5,000-group update plan
of ``bench/realistic.py`` is 141 MB; users report plans of a few hundred MB) while keeping the
worst case of each input in seconds and well under 1.5 GiB of memory.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import Optional

from .errors import InputError, UsageError

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30


@dataclass(frozen=True)
class Limit:
    name: str  # for --limit NAME=VALUE; the environment variable is TFSG_MAX_<NAME>
    default: int
    unit: str  # "bytes" or what is counted
    why: str

    @property
    def env(self) -> str:
        return "TFSG_MAX_" + self.name.upper().replace("-", "_")


LIMITS: dict[str, Limit] = {limit.name: limit for limit in (
    Limit("plan-bytes", 1 * GiB, "bytes",
          "Size of a plan or state JSON file (or stdin). json.load needs ~5-8x the file in memory; "
          "the largest benchmark plan is 141 MB and users report a few hundred MB."),
    Limit("plan-values", 8_000_000, "values",
          "Values of a plan or state JSON file (counted by their separators before parsing): "
          "memory follows the number of values more than the bytes (120 MB of {} makes 40 "
          "million objects, 3 GB). At the limit, 8 million distinct strings take 1.9 GB (json.load "
          "alone 1.6 GB); the 141 MB benchmark update plan has 5 million values and takes 0.6 GB."),
    Limit("tf-file-bytes", 8 * MiB, "bytes",
          "Size of one .tf, .tf.json or .tfvars file (working tree or --base). Parsing runs at "
          "~0.6 MB/s: 8 MiB is ~15 s; the 1,000-group benchmark module is 1 MiB."),
    Limit("module-bytes", 32 * MiB, "bytes",
          "Size of the .tf and .tf.json files of one module directory together."),
    Limit("config-bytes", 1 * MiB, "bytes",
          "Size of .tfsg.yml and of each file it names (extends, policy_files). Real ones are "
          "a few KiB; PyYAML reads ~1 MB/s."),
    Limit("config-nodes", 100_000, "YAML nodes",
          "Values of one configuration file counted after alias expansion: a 521-byte "
          "'billion laughs' of nested aliases expands to 10^9 values that schema validation "
          "and the policies would walk. Anchors themselves stay usable."),
    Limit("instances", 10_000, "instances",
          "Instances one count or for_each may make (HCL mode): count = 100000000 fails at "
          "once instead of allocating."),
    Limit("total-instances", 100_000, "instances",
          "Resource and module instances of one side of an HCL input, all modules together."),
    Limit("nesting", 100, "levels",
          "Nesting of expressions and blocks in one HCL file (brackets, calls, operators, "
          "attribute steps); beyond it the parser and evaluator would run out of stack."),
    Limit("value-size", 1_000_000, "elements",
          "Elements one HCL value may hold, a part shared by reference counted each time it is "
          "referred to, a string one more per 16 characters: setproduct(range(1000), range(1000)) "
          "or a list of lists of the same list refers to too many. Over it, exit 2 at the "
          "file:line (not an unknown: Terraform computes it, and an unknown only warns)."),
    Limit("string-chars", 4 * MiB, "characters",
          "Characters of one string a function or template makes (format widths, join, "
          "replace, formatlist); over it, exit 2 at the file:line."),
    Limit("eval-size", 5_000_000, "elements",
          "The evaluator's total work on one HCL input (both sides): syntax nodes evaluated "
          "(a for body once per iteration), plus the size (as value-size counts it) of every "
          "value stored, compared or read whole by a function, plus the characters yamldecode "
          "and templatefile parse; tens of seconds at worst. The 1,000-group benchmark module "
          "uses 108,513 (2%)."),
    Limit("rules", 1_000_000, "rules",
          "Security group rules of one side (each CIDR, prefix list and group a rule names is one, "
          "as AWS counts them): about 500 bytes each. The 5,000-group benchmark plans have 73,681; "
          "AWS allows 60 per group and direction."),
    Limit("group-pairs", 200_000, "pairs",
          "Pairs of groups whose rules name each other (references, a load balancer and its "
          "targets): each is evaluated and kept as a flow (about 5 KB each). 60 lines of HCL "
          "can write a million (`security_groups = aws_security_group.a[*].id` on a thousand "
          "groups): 5 GB. The 5,000-group benchmark plans have 22,554."),
    Limit("number-digits", 1000, "decimal digits",
          "Digits of a number an expression makes (pow, *, parseint, tonumber); no security "
          "group argument needs more, and arithmetic on million-digit numbers takes minutes."),
)}

_overrides: dict[str, Optional[int]] = {}
_cache: dict[str, Optional[int]] = {}

_VALUE = re.compile(r"(?i)^\s*([0-9][0-9_]*)\s*(k|kib|m|mib|g|gib)?\s*$")
_SUFFIX = {None: 1, "k": KiB, "kib": KiB, "m": MiB, "mib": MiB, "g": GiB, "gib": GiB}


def parse_value(text: str, where: str) -> Optional[int]:
    """A limit's value: a whole number with an optional binary suffix; ``none`` means no limit."""
    if text.strip().lower() in ("none", "off", "unlimited"):
        return None
    match = _VALUE.match(text)
    if not match:
        raise UsageError(f"{text!r} is not a limit: give a whole number (suffixes K, M, G) or none", where)
    value = int(match.group(1).replace("_", "")) * _SUFFIX[(match.group(2) or "").lower() or None]
    if value > 2**62:  # past what file and memory calls take (OverflowError): say none
        raise UsageError(f"{text[:40]!r} is larger than any limit can be: give none for no limit", where)
    return value


def set_overrides(assignments: list[str]) -> None:
    """``--limit NAME=VALUE`` options (the command line wins over the environment)."""
    for item in assignments:
        name, sep, text = item.partition("=")
        name = name.strip().lower().replace("_", "-")
        if not sep or name not in LIMITS:
            raise UsageError(f"expects NAME=VALUE with NAME one of {', '.join(LIMITS)}; got {item!r}",
                             "--limit")
        _overrides[name] = parse_value(text, f"--limit {name}")
        _cache.pop(name, None)


def value(name: str) -> Optional[int]:
    """The limit in effect (None: no limit)."""
    if name in _cache:
        return _cache[name]
    limit = LIMITS[name]
    if name in _overrides:
        result = _overrides[name]
    elif os.environ.get(limit.env, "").strip():
        result = parse_value(os.environ[limit.env], limit.env)
    else:
        result = limit.default
    _cache[name] = result
    return result


def get(name: str) -> int:
    """The limit in effect as a number (no limit: the largest machine integer)."""
    found = value(name)
    return sys.maxsize if found is None else found


def reset() -> None:
    """Forget overrides and cached environment values (tests, embedding)."""
    _overrides.clear()
    _cache.clear()


def how(name: str) -> str:
    """The limit and how to change it, for the end of a message."""
    limit = LIMITS[name]
    number = get(name)
    text = shown(number, "bytes") if limit.unit == "bytes" else f"{number:,}"
    return f"limit {name} = {text}; raise it with --limit {name}=N or {limit.env}"


def shown(number: int, unit: str = "bytes") -> str:
    """``1 GiB`` for a round number of bytes, else ``1,234 bytes``; other units as counts."""
    if unit == "bytes":
        for size, suffix in ((GiB, "GiB"), (MiB, "MiB"), (KiB, "KiB")):
            if number >= size and number % size == 0:
                return f"{number // size} {suffix}"
        return f"{number:,} bytes"
    return f"{number:,} {unit}"


def check_bytes(name: str, size: int, where: str, what: str = "the file") -> None:
    """InputError when ``size`` bytes are over limit ``name``."""
    if size > get(name):
        raise InputError(f"{what} is {size:,} bytes, over the limit ({how(name)})", where)


def read_bounded(fh, name: str, where: str, what: str = "the file") -> bytes:
    """Read a binary stream, refusing (before reading it all) more than limit ``name`` bytes."""
    cap = get(name)
    try:
        size = os.fstat(fh.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        size = 0
    if size:
        check_bytes(name, size, where, what)
    raw = fh.read() if cap == sys.maxsize else fh.read(cap + 1)
    if len(raw) > cap:  # a pipe, or a file that grew: its size is unknown, only "more than" is
        raise InputError(f"{what} is more than {shown(cap, 'bytes')} ({how(name)})", where)
    return raw
