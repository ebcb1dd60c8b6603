"""Where each inline rule and each module call argument is written (issue 12, "precise evidence").

A finding should point at what a reviewer changes: the exact ``ingress``/``egress`` block of a
group, not the group's first line, and for a rule made inside a module, the argument of the
outermost module call (in the root's .tf) that the pull request can change.

Sites are read two ways with one result: from the text of the files beside a plan (a brace
scan, no HCL parse) and from the parsed blocks of HCL mode. A rule is matched to the block it
came from by what the block writes literally (protocol and ports, CIDRs); a rule that more
than one block could have written gets no site (the finding stays at the group, and says its
location is not exact).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Optional

from ..model import Location, Rule, without_keys
from ..netsets import ProtocolError, ServiceSet, services_for_rule

DIRECTIONS = ("ingress", "egress")
_NESTED = re.compile(r'^[ \t]*(?:(ingress|egress)\s*(?:\{|$)|dynamic\s+"(ingress|egress)"\s*\{|'
                     r'(ingress|egress)\s*=(?!=))')
_ARGUMENT = re.compile(r"^[ \t]*([A-Za-z_][A-Za-z0-9_-]*)\s*=(?!=)")
_MODULE = re.compile(r'^[ \t]*module\s+"([^"]+)"\s*\{', re.M)
_REFERENCE = re.compile(r"\b(aws_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*)")
_NUMBER = re.compile(r"(?<![\w.])(-?\d+)(?![\w.])")
_QUOTED = re.compile(r'"((?:[^"\\$]|\\.)*)"')
_SCALAR = {k: re.compile(r'^[ \t]*' + k + r'\s*=\s*"?(-?[A-Za-z0-9]+)"?\s*(?:#.*|//.*)?$', re.M)
           for k in ("protocol", "from_port", "to_port")}


@dataclass(frozen=True)
class Site:
    """One inline block: its direction and line, the services it writes literally (None when
    they are computed, as in a ``dynamic`` block), and the CIDRs written in it, normalised."""

    direction: str
    location: Location
    services: Optional[ServiceSet]
    cidrs: frozenset
    dynamic: bool = False
    refs: frozenset = frozenset()  # resources it references, ``type.name`` (the groups it names)
    # the kinds of peer a literal block can write (by the arguments written in it): a block with
    # no ``cidr_blocks`` writes no CIDR rule; None: anything (a dynamic block)
    kinds: Optional[frozenset] = None
    description: Optional[str] = None  # written literally


_PEER_ARGS = {"cidr_blocks": "cidr", "ipv6_cidr_blocks": "cidr", "security_groups": "group",
              "prefix_list_ids": "prefix_list", "self": "self"}


def _kinds(written: Iterable[str]) -> Optional[frozenset]:
    kinds = {_PEER_ARGS[a] for a in written if a in _PEER_ARGS}
    if "group" in kinds:
        kinds.add("self")  # a block naming its own group writes a self rule
    return frozenset(kinds) if kinds else None  # none written: nothing to tell blocks apart by


@dataclass(frozen=True)
class CallSite:
    """A module call in the root module: its line, and per argument the literal values written
    on each of its lines (CIDRs and ports as written), to point at the line a finding comes from."""

    location: Location
    arguments: tuple  # ((name, ((Location, frozenset of literals), ...)), ...) in source order


# --------------------------------------------------------------------------- from text


def text_sites(body: str, file: str, first_line: int) -> list[Site]:
    """The inline blocks of one resource whose text (from its ``resource`` line) is ``body``."""
    out: list[Site] = []
    for line_no, depth, line, block in _spans(body):
        if depth != 1:
            continue
        m = _NESTED.match(line)
        if m:
            direction = m.group(1) or m.group(2) or m.group(3)
            computed = m.group(1) is None  # a dynamic block, or ``ingress = var.rules``: anything
            text = "\n".join(block) or line
            services = None if computed else _services(*(_scalar(text, k) for k in ("protocol", "from_port",
                                                                                       "to_port")))
            out.append(Site(direction, Location(file, first_line + line_no), services,
                            _cidrs(_QUOTED.findall(text)), computed,
                            frozenset(_REFERENCE.findall(_QUOTED.sub('""', text))),
                            None if computed else _kinds(a for a in _PEER_ARGS
                                                         if re.search(rf"(?m)^\s*{a}\s*=", text)),
                            None if computed else _description(text)))
    return out


_DESCRIPTION = re.compile(r'(?m)^[ \t]*description\s*=\s*"((?:[^"\\$%]|\\.)*)"\s*(?:#.*|//.*)?$')


def _description(text: str) -> Optional[str]:
    m = _DESCRIPTION.search(text)
    return m.group(1).replace('\\"', '"').replace("\\\\", "\\") if m else None


def text_calls(text: str, file: str) -> dict[str, CallSite]:
    """The ``module "name" { ... }`` blocks of one file and their arguments."""
    out: dict[str, CallSite] = {}
    for m in _MODULE.finditer(text):
        start = text.count("\n", 0, m.start())
        args: list[tuple[str, list]] = []
        for line_no, depth, line, _ in _spans(text[m.start():], nested=False):
            if line_no and depth == 0:
                break
            if depth == 1:
                a = _ARGUMENT.match(line)
                if a:
                    args.append((a.group(1), []))
            if args and line_no and not (depth == 1 and line.strip() == "}"):  # the call's closing brace
                args[-1][1].append((Location(file, start + line_no + 1), _literals(line)))
        out[m.group(1)] = CallSite(Location(file, start + 1), tuple((n, tuple(lines)) for n, lines in args))
    return out


def _literals(line: str) -> frozenset:
    """Quoted strings and bare numbers of one line of HCL (comments aside)."""
    strings = _QUOTED.findall(line)
    code = re.split(r"#|//", _QUOTED.sub('""', line), maxsplit=1)[0]
    # a comma-joined list in one string ("10.0.0.0/8,0.0.0.0/0": terraform-aws-modules'
    # security-group and vpc modules split it with split(",", ...)) holds each of its CIDRs
    parts = [p for s in strings if "," in s for p in s.split(",")]
    return frozenset(strings + _NUMBER.findall(code)) | _cidrs(strings + parts)  # CIDRs as the plan has them


def _spans(body: str, nested: bool = True) -> Iterator[tuple[int, int, str, list[str]]]:
    """(line number from 0, brace depth at the line's start, line, the lines of the block that
    opens on it) for the first top-level block of ``body``; braces inside strings and comments
    do not count."""
    lines = body.split("\n")
    depth = 0
    opened = False
    for i, line in enumerate(lines):
        at = depth
        depth += _braces(line)
        block: list[str] = []
        if nested and at == 1 and depth > 1:
            inner = depth
            for j in range(i + 1, len(lines)):
                block.append(lines[j])
                inner += _braces(lines[j])
                if inner <= 1:
                    break
            block.insert(0, line)
        yield i, at, line, block
        opened = opened or depth > 0
        if opened and depth <= 0:
            return


def _braces(line: str) -> int:
    code = _QUOTED.sub('""', line)
    code = re.split(r"#|//", code, maxsplit=1)[0]
    return code.count("{") - code.count("}")


def _scalar(text: str, key: str) -> Optional[str]:
    found = _SCALAR[key].findall(text)
    return found[0] if len(found) == 1 else None


# --------------------------------------------------------------------------- from HCL blocks


def ast_sites(block: Any) -> list[Site]:
    """The inline blocks of a parsed ``resource`` block (hcl.syntax.Block)."""
    from .hcl.syntax import Literal, Template

    def scalar(body: Any, key: str) -> Optional[str]:
        attr = body.attrs.get(key)
        expr = attr.expr if attr is not None else None
        if isinstance(expr, Literal) and isinstance(expr.value, (int, float, str)):
            return str(expr.value)
        if isinstance(expr, Template) and len(expr.parts) == 1 and isinstance(expr.parts[0], str):
            return expr.parts[0]
        return None

    out: list[Site] = []
    for name in DIRECTIONS:  # ``ingress = [...]``: attributes as blocks, computed
        attr = block.body.attrs.get(name)
        if attr is not None:
            out.append(Site(name, Location(block.file, attr.line), None, _cidrs(t for _, t in node_strings(attr.expr)),
                            True, frozenset(node_refs(attr.expr))))
    for nested in block.body.blocks:
        if nested.type in DIRECTIONS:
            body = nested.body
            services = _services(scalar(body, "protocol"), scalar(body, "from_port"), scalar(body, "to_port"))
            out.append(Site(nested.type, Location(nested.file, nested.line), services,
                            _cidrs(t for _, t in node_strings(body)), False, frozenset(node_refs(body)),
                            _kinds(body.attrs), scalar(body, "description")))
        elif nested.type == "dynamic" and nested.labels and nested.labels[0] in DIRECTIONS:
            out.append(Site(nested.labels[0], Location(nested.file, nested.line), None,
                            _cidrs(t for _, t in node_strings(nested.body)), True, frozenset(node_refs(nested.body))))
    return out


def ast_calls(modules: dict) -> dict[str, CallSite]:
    """The module calls of a parsed root module (``ModuleConfig.modules``: name -> Block)."""
    out: dict[str, CallSite] = {}
    for name, block in sorted(modules.items()):
        args = []
        for attr_name, attr in sorted(block.body.attrs.items(), key=lambda kv: kv[1].line):
            lines: dict[int, set[str]] = {}
            for line, text in node_strings(attr.expr, attr.line):
                lines.setdefault(line, set()).add(text)
                normal = _normal(text)  # a CIDR with host bits as the plan has it (10.1.0.0/16)
                if normal:
                    lines[line].add(normal)
            args.append((attr_name, tuple((Location(block.file, n), frozenset(v)) for n, v in sorted(lines.items()))
                         or ((Location(block.file, attr.line), frozenset()),)))
        out[name] = CallSite(Location(block.file, block.line), tuple(args))
    return out


def _nodes(node: Any, line: int = 0, depth: int = 0) -> Iterator[tuple[int, Any]]:
    """(line, node) for a parsed expression or body and everything inside it (the line of the
    nearest node that has one); syntax nodes are walked through their slots."""
    if depth > 64 or node is None or isinstance(node, (str, int, float, bool)):
        return
    line = getattr(node, "line", None) or line
    yield line, node
    if isinstance(node, (list, tuple)):
        items: Any = node
    elif isinstance(node, dict):
        items = node.values()
    else:
        items = [getattr(node, slot, None) for slot in getattr(type(node), "__slots__", ()) if slot != "line"]
    for item in items:
        yield from _nodes(item, line, depth + 1)
    if hasattr(node, "attrs") and hasattr(node, "blocks"):  # a Body
        for attr in node.attrs.values():
            yield from _nodes(attr.expr, attr.line, depth + 1)
        for nested in node.blocks:
            yield from _nodes(nested.body, nested.line, depth + 1)


def node_strings(node: Any, line: int = 0) -> Iterator[tuple[int, str]]:
    """(line, text) of every literal string and number in a parsed expression or body."""
    from .hcl.syntax import Literal, Template

    for at, n in _nodes(node, line):
        if isinstance(n, Literal) and isinstance(n.value, (str, int, float)) and not isinstance(n.value, bool):
            yield at, str(n.value)
        elif isinstance(n, Template):
            yield from ((at, part) for part in n.parts if isinstance(part, str))


def node_refs(node: Any) -> Iterator[str]:
    """``type.name`` of every ``aws_*`` resource a parsed expression or body references."""
    from .hcl.syntax import GetAttrN, VarN

    for _, n in _nodes(node):
        if isinstance(n, GetAttrN) and isinstance(n.obj, VarN) and n.obj.name.startswith("aws_"):
            yield f"{n.obj.name}.{n.name}"


# --------------------------------------------------------------------------- matching


def assign(rules: Iterable[Rule], sites: dict[str, list[Site]], literal: Optional[set] = None) -> dict[Rule, Location]:
    """The block each inline rule was written in, where exactly one block can have written it.

    ``sites``: group address (any instance of the block) -> its inline blocks. ``literal``: filled
    with the rules whose block writes their peer as text (a CIDR, a group it names): written in
    that block, not passed in from a module call's argument."""
    out: dict[Rule, Location] = {}
    for rule in rules:
        if not rule.inline:
            continue
        own = [s for s in sites.get(without_keys(rule.defined_by), ()) if s.direction == rule.direction]
        site = _pick(rule, own)
        if site is not None:
            out[rule] = site.location
            if literal is not None and not site.dynamic and (
                    (rule.peer.kind == "cidr" and _normal(rule.peer.value) in site.cidrs)
                    or (rule.peer.kind == "group" and _local(rule.peer.value) in site.refs)):
                literal.add(rule)
    return out


def _pick(rule: Rule, own: list[Site]) -> Optional[Site]:
    if len(own) <= 1:
        return own[0] if own else None
    cidr = _normal(rule.peer.value) if rule.peer.kind == "cidr" else None
    ref = _local(rule.peer.value) if rule.peer.kind == "group" else None
    # a block may mix literal CIDRs with computed ones (``concat([var.x], ["10.0.0.0/8"])``): a
    # CIDR it does not write literally does not rule it out, one it writes picks it
    fits = [s for s in own if (s.services is None or s.services == rule.services)
            and (s.kinds is None or rule.peer.kind in s.kinds)]
    # a block whose literal protocol and ports are the rule's (and that names its CIDR or its
    # group) wins over a dynamic block, which could write anything
    literal = [s for s in fits if not s.dynamic and s.services is not None]
    named = [s for s in literal if (cidr is not None and cidr in s.cidrs) or (ref is not None and ref in s.refs)]
    # a peer computed in the block (``cidrhost(...)``) is told apart by the description it writes
    described = [s for s in literal if rule.description and s.description == rule.description]
    # ports computed in the block (``tolist(var.ports)[0]``): its literal CIDR or description
    # still tells it apart from the other written blocks
    plain = [s for s in fits if not s.dynamic]
    named_any = [s for s in plain if (cidr is not None and cidr in s.cidrs) or (ref is not None and ref in s.refs)]
    described_any = [s for s in plain if rule.description and s.description == rule.description]
    for found in (named, described, literal, named_any, described_any, fits):
        if found:
            return found[0] if len(found) == 1 else None
    return None


def _local(address: str) -> str:
    """``module.a.aws_security_group.web["x"]`` -> ``aws_security_group.web``, as a block in the
    same module references it."""
    return without_keys(address).rsplit("module.", 1)[-1].split(".", 1)[-1] if address.startswith("module.") \
        else without_keys(address)


def _services(protocol: Optional[str], low: Optional[str], high: Optional[str]) -> Optional[ServiceSet]:
    if protocol is None or low is None or high is None:
        return None
    try:
        return services_for_rule(protocol, int(low), int(high))
    except (ProtocolError, ValueError):
        return None


def _cidrs(texts: Iterable[str]) -> frozenset:
    return frozenset(n for n in (_normal(t) for t in texts) if n)


def _normal(text: str) -> Optional[str]:
    if "/" not in text:
        return None
    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError:
        return None
