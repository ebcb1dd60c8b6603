"""YAML policy files and the repository configuration -> validated, merged policies.

Errors name the file, the line and the path, the way a person reads them:
``team.yml:14: policies[3].services[0]: 'ssh' is not a port or range``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Optional

from ..errors import InputError

PACKS = ("baseline", "cis-aws")
SEVERITIES = ("info", "low", "medium", "high", "critical")
CONFIG_NAMES = (".tfsg.yml", ".tfsg.yaml")


@dataclass
class Policy:
    """One validated policy and where it came from."""

    id: str
    title: str
    severity: str
    kind: str
    spec: dict[str, Any]
    origin: str  # "pack baseline" | a file path
    rationale: str = ""
    remediation: str = ""
    unknown: str = "warning"


@dataclass
class Waiver:
    policy: str
    address: str
    reason: str
    expires: Optional[str]
    origin: str
    used: bool = False
    # "glob": a .tfsg.yml address, `*` any text and every other character itself (`[0]` is an
    # instance key, not a character class); "resource": an inline comment's resource block, its
    # address and its instances (`aws_security_group.app[0]`, not `aws_security_group.app_admin`);
    # "module": an inline comment's module block, every address inside it
    scope: str = "glob"
    problem: Optional[str] = None  # an inline comment written another way: reported invalid, not applied

    def matches(self, policy: str, address: str) -> bool:
        return glob_match(self.policy, policy) and self.covers(address)

    def covers(self, address: str) -> bool:
        if self.scope == "resource":
            return address == self.address or address.startswith(self.address + "[")
        if self.scope == "module":
            return address.startswith((self.address + ".", self.address + "["))
        return glob_match(self.address, address)

    def expired(self, today: _dt.date) -> bool:
        return self.expires is not None and _dt.date.fromisoformat(self.expires) < today


def glob_match(pattern: str, text: str) -> bool:
    """``*`` matches any text; everything else is literal (addresses hold ``[``, ``]``, ``"``).

    Greedy, without backtracking: the first part is a prefix, the last a suffix, the ones
    between are found left to right (the leftmost match of each is never worse), so a pattern
    from a pull request's ``.tfsg.yml`` costs linear time per part, never exponential."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return pattern == text
    first, last = parts[0], parts[-1]
    if len(first) + len(last) > len(text) or not text.startswith(first) or not text.endswith(last):
        return False
    at, end = len(first), len(text) - len(last)
    for part in parts[1:-1]:
        found = text.find(part, at, end)
        if found < 0:
            return False
        at = found + len(part)
    return True


@dataclass
class Config:
    """Everything ``tfsg check`` runs with."""

    policies: list[Policy] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    fail_on: str = "high"
    tiers: dict[str, dict] = field(default_factory=dict)
    path: Optional[str] = None  # the configuration file, if any
    # Reads a file's text instead of the work tree: policy/trust.py reads the base revision's
    # configuration from git, so a pull request cannot weaken the gate that reviews it.
    read: Optional[Callable[[str], str]] = field(default=None, repr=False, compare=False)


# ------------------------------------------------------------------------------- YAML


def _loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """Safe YAML that keeps dates as text (``expires: 2027-01-31`` stays a string)."""

    Loader.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]|\\U0000[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _scalars(node: Any) -> Any:
    """Every scalar node of a composed YAML tree (aliases visited once)."""
    seen: set[int] = set()
    todo = [node] if node is not None else []
    while todo:
        n = todo.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n.value, str):
            yield n
        elif isinstance(n.value, list):
            for item in n.value:
                todo.extend(item if isinstance(item, tuple) else (item,))


def read_yaml(text: str, where: str) -> tuple[Any, Any]:
    """(data, node tree for line lookups); InputError with line and column on bad YAML.

    Parsed once: the node tree is composed, its size after alias expansion counted, and only
    then built into data. Aliases are allowed (a shared list of office CIDRs is a fair use of
    an anchor) but a tree that expands to more than limits.py ``config-nodes`` values is
    refused: a 521-byte "billion laughs" of nested aliases is 10^9 values, which PyYAML builds
    in microseconds (shared objects) and schema validation and the policies would then walk
    for hours. Counting is linear in the document: each node's expanded size is computed once."""
    import yaml

    loader = None
    try:
        # (the reader checks the characters when it is made: a control character raises here)
        loader = _loader()(text)
        node = loader.get_single_node()
        _expanded_size(node, where)
        data = loader.construct_document(node) if node is not None else None
        if _SURROGATE_ESCAPE.search(text):
            bad = next((n for n in _scalars(node) if _LONE_SURROGATE.search(str(n.value))), None)
            if bad is not None:  # "\uD800": not text, and nothing could print it
                raise InputError("not valid YAML: a string holds a lone UTF-16 surrogate (\\ud800-\\udfff)",
                                 f"{where}:{bad.start_mark.line + 1}:{bad.start_mark.column + 1}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        place = f"{where}:{mark.line + 1}:{mark.column + 1}" if mark else where
        raise InputError(f"not valid YAML: {problem}", place) from None
    except RecursionError:
        raise InputError("not valid YAML: nested too deeply", where) from None
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as exc:
        # an explicit tag PyYAML cannot build (``!!float abc``, ``!!bool x``, ``!!timestamp x``)
        raise InputError(f"not valid YAML: a tagged value cannot be read ({type(exc).__name__})", where) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def _expanded_size(root: Any, where: str) -> None:
    """InputError when the node tree, aliases expanded, holds more than ``config-nodes`` values
    (or an alias refers to a node that contains it: a recursive structure)."""
    import yaml

    from .. import limits

    cap = limits.get("config-nodes")
    sizes: dict[int, int] = {}
    entered: set[int] = set()
    stack = [(root, False)] if root is not None else []
    while stack:  # post-order without recursion: a node's size once its children's are known
        node, ready = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.MappingNode):
            children = [c for pair in node.value for c in pair]
        else:
            children = node.value if isinstance(node, yaml.SequenceNode) else []
        if not ready:
            if id(node) in entered:
                raise InputError("an alias refers to a node that contains it (a recursive structure)",
                                 f"{where}:{node.start_mark.line + 1}")
            entered.add(id(node))
            if isinstance(node, yaml.MappingNode):
                _no_duplicate_keys(node, where)
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
        if sizes[id(node)] > cap:
            raise InputError(f"the YAML expands (aliases counted each time they are used) to more than {cap:,} "
                             f"values ({limits.how('config-nodes')})", f"{where}:{node.start_mark.line + 1}")


def _no_duplicate_keys(node: Any, where: str) -> None:
    """YAML 1.2 requires a mapping's keys to be unique; PyYAML keeps the last silently, so a
    second ``policies:`` would drop the first list without a word."""
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if getattr(key, "tag", "").endswith(":merge") or not isinstance(getattr(key, "value", None), str):
            continue  # ``<<`` merge keys, complex keys
        if not key.tag.endswith(":str"):  # ``1:``, ``true:``, ``null:``: names are text
            raise InputError(f"key {key.value[:40]!r} is not text (quote it)", f"{where}:{key.start_mark.line + 1}")
        if key.value in seen:
            raise InputError(f"duplicate key {key.value[:40]!r} (first on line {seen[key.value]}): YAML keeps only "
                             "one", f"{where}:{key.start_mark.line + 1}")
        seen[key.value] = key.start_mark.line + 1


def line_of(node: Any, path: list) -> Optional[int]:
    """The 1-based line of the value at ``path`` in a composed YAML node tree."""
    import yaml

    best = node.start_mark.line + 1 if node is not None else None
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            for key, value in node.value:
                if key.value == step:
                    node = value
                    break
            else:
                return best
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return best
        best = node.start_mark.line + 1
    return best


def schema() -> dict:
    return json.loads(resources.files("tfsg.policy").joinpath("schema.json").read_text(encoding="utf-8"))


def _path_text(path: list) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(top level)"


def validate(data: Any, node: Any, where: str) -> None:
    """jsonschema validation with messages a person understands; raises the first error."""
    import jsonschema

    if data is None:
        data = {}
    validator = jsonschema.Draft202012Validator(schema())
    # unevaluatedProperties last: a key a failing subschema takes also counts as "unevaluated"
    errors = sorted(validator.iter_errors(data), key=lambda e: (e.validator == "unevaluatedProperties",
                                                                list(map(str, e.absolute_path)), e.message))
    if not errors:
        return
    top = errors[0]
    error = _deepest(top)
    path = list(error.absolute_path)
    custom = error.schema.get("x-error") if isinstance(error.schema, dict) else None
    if custom is None and isinstance(top.schema, dict) and top.validator in ("anyOf", "oneOf"):
        custom, error, path = top.schema.get("x-error"), top, list(top.absolute_path)
    if custom and error.validator in ("pattern", "enum", "type", "const", "format", "anyOf", "oneOf"):
        shown = error.instance if not isinstance(error.instance, str) or len(error.instance) <= 40 \
            else error.instance[:40] + "..."
        message = custom.format(instance=shown)
    elif error.validator == "additionalProperties":
        message = error.message.replace("Additional properties are not allowed", "unknown key")
    elif error.validator == "unevaluatedProperties":
        # a key no part of the policy's schema takes (its kind decides which): a typo such as
        # ``limt`` would otherwise leave the default in force without a word
        names = re.findall(r"'([^']*)'", error.message.split("(", 1)[-1])
        kind = error.instance.get("kind") if isinstance(error.instance, dict) else None
        message = f"unknown key {', '.join(repr(n) for n in names)}" + (f" for a {kind} policy" if kind else "")
        if names and isinstance(error.instance, dict) and names[0] in error.instance:
            path = path + [names[0]]
    elif error.validator == "required":
        message = error.message.replace("is a required property", "is required")
    elif error.validator == "type":
        # the value is not quoted: a file named by extends/policy_files may be no policy file at
        # all (a secrets .env CI wrote into the checkout), and the error reaches a PR comment
        expected = error.validator_value if isinstance(error.validator_value, str) else \
            " or ".join(map(str, error.validator_value))
        message = f"expected {expected}, found {_json_type(error.instance)}"
    else:
        message = error.message if len(error.message) <= 200 else error.message[:200] + "..."
    line = line_of(node, path)
    raise InputError(f"{_path_text(path)}: {message}", f"{where}:{line}" if line else where)


def _json_type(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _deepest(error):
    """For oneOf/anyOf/allOf failures, the most specific underlying error."""
    while error.context:
        error = max(error.context, key=lambda e: (len(e.absolute_path), -len(e.message)))
    return error


# ------------------------------------------------------------------------------- files


def _read_file(path: str) -> tuple[Any, Any]:
    from ..limits import read_bounded

    try:
        with open(path, "rb") as fh:
            text = read_bounded(fh, "config-bytes", path).decode("utf-8")
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a policy file", path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})", path) from None
    except (OSError, UnicodeError, ValueError) as exc:
        raise InputError(f"cannot read: {getattr(exc, 'strerror', None) or type(exc).__name__}", path) from None
    data, node = read_yaml(text, path)
    validate(data, node, path)
    return data or {}, node


def pack_text(name: str) -> str:
    """A built-in pack: from the installed package ``tfsg.packs``, or from the checkout's
    top-level ``policies/`` when tfsg runs from a source tree without being installed."""
    try:
        return resources.files("tfsg.packs").joinpath(f"{name}.yml").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    checkout = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                            "policies", f"{name}.yml")
    try:
        with open(checkout, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        raise InputError(f"no built-in pack {name!r} (packs: {', '.join(PACKS)})") from None


def _read_pack(name: str) -> tuple[Any, Any]:
    if name not in PACKS:
        raise InputError(f"no built-in pack {name!r} (packs: {', '.join(PACKS)})")
    text = pack_text(name)
    data, node = read_yaml(text, f"pack {name}")
    validate(data, node, f"pack {name}")
    return data or {}, node


def _repository_of(directory: str) -> Optional[str]:
    """The nearest ancestor holding ``.git`` (the work tree), or None outside a repository."""
    current = os.path.realpath(directory)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def find_config(start: str) -> Optional[str]:
    """``.tfsg.yml`` in ``start`` or a parent, stopping at the repository root; outside a
    repository, in ``start`` only (never a configuration of some parent up to ``/``)."""
    current = os.path.abspath(start)
    if _repository_of(current) is None:
        for name in CONFIG_NAMES:
            candidate = os.path.join(current, name)
            if os.path.isfile(candidate):
                return candidate
        return None
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(current, name)
            if os.path.isfile(candidate):
                return candidate
        if os.path.exists(os.path.join(current, ".git")):
            return None
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def load_config(config_path: Optional[str] = None, discover_from: Optional[str] = ".",
                read: Optional[Callable[[str], str]] = None) -> Config:
    """The configuration in effect: the given file, a discovered one, or the baseline pack.
    ``read``: where files are read from (see ``Config.read``), the work tree by default."""
    path = config_path or (find_config(discover_from) if discover_from else None)
    config = Config(path=path, read=read)
    if path is None:
        _include_pack("baseline", config, set())
        return config
    # A configuration given on the command line is the operator's: it and what it names are
    # trusted (a central policy repository checked out beside). One found in the repository
    # under review comes from the pull request: it names files inside that repository only
    # (outside a repository, inside its own directory), or /etc/passwd would end up in an error
    # message, and from there in a pull-request comment.
    jail = None if config_path else (_repository_of(os.path.dirname(os.path.abspath(path))) or
                                     os.path.dirname(os.path.realpath(path)))
    if config_path and config.read is None:
        # a file named on the command line that lies in the repository under review holds what
        # the branch wrote there (the Action's `config: .tfsg.yml`, read from the work tree):
        # its name is trusted, not what it names, which stays inside the repository
        repo = _repository_of(os.path.abspath(discover_from or "."))
        if repo is not None and os.path.commonpath([os.path.realpath(path), repo]) == repo:
            jail = repo
    if jail is not None and os.path.commonpath([os.path.realpath(path), jail]) != jail:
        # the discovered file itself may be a symlink out of the repository
        raise InputError("is a link to a file outside the repository under review; a configuration found in "
                         "the repository must be inside it (give --config to trust one)", path)
    data, node = _read_config_file(path, config)
    _apply(data, path, config, set(), top=True, jail=jail, node=node)
    _check_tiers(config)
    return config


def _include_pack(name: str, config: Config, seen: set[str]) -> None:
    if f"pack:{name}" in seen:
        return
    seen.add(f"pack:{name}")
    data, _ = _read_pack(name)
    _apply(data, f"pack {name}", config, seen, top=False)


def _apply(data: dict, origin: str, config: Config, seen: set[str], top: bool, jail: Optional[str] = None,
           node: Any = None) -> None:
    base = os.path.dirname(os.path.abspath(origin)) if not origin.startswith("pack ") else "."
    extends = data.get("extends", ["baseline"] if top else [])
    for i, item in enumerate(extends):
        if item in PACKS:
            _include_pack(item, config, seen)
        else:
            path = os.path.join(base, item)
            pack_like = "/" not in item and not item.endswith((".yml", ".yaml"))
            if pack_like and config.read is None and not os.path.exists(path):
                raise InputError(f"extends: {_excerpt(item)} is neither a file nor a built-in pack "
                                 f"(packs: {', '.join(sorted(PACKS))})", origin)
            _include_file(path, config, seen, jail, _at(origin, node, ["extends", i]))
    for i, item in enumerate(data.get("policy_files", [])):
        _include_file(os.path.join(base, item), config, seen, jail, _at(origin, node, ["policy_files", i]))
    ids = [raw["id"] for raw in data.get("policies", [])]
    for i, pid in enumerate(ids):
        if pid in ids[:i]:  # two policies of one file with one id: both would run, or one silently
            raise InputError(f"policies[{i}]: a second policy with id {pid!r} in this file", _at(origin, node,
                                                                                                ["policies", i]))
    for raw in data.get("policies", []):
        policy = Policy(id=raw["id"], title=raw["title"], severity=raw["severity"], kind=raw["kind"], spec=raw,
                        origin=origin, rationale=raw.get("rationale", ""), remediation=raw.get("remediation", ""),
                        unknown=raw.get("unknown", "warning"))
        config.policies = [p for p in config.policies if p.id != policy.id] + [policy]  # later wins
    config.tiers.update(data.get("tiers", {}))
    for i, raw in enumerate(data.get("waivers", [])):
        if any(c in str(raw["policy"]) for c in "*?["):  # one token would waive every policy, critical ones too
            raise InputError(f"waivers[{i}].policy: {_excerpt(str(raw['policy']))} is a pattern; a waiver names one "
                             "policy id (only its address may use *)", _at(origin, node, ["waivers", i, "policy"]))
        if raw.get("expires") is not None:
            try:  # the schema checks the YYYY-MM-DD shape; 2026-13-01 has it and is no date
                _dt.date.fromisoformat(str(raw["expires"]))
            except ValueError as exc:
                raise InputError(f"waivers[{i}].expires: {_excerpt(str(raw['expires']))} is not a date ({exc})",
                                 _at(origin, node, ["waivers", i, "expires"])) from None
        config.waivers.append(Waiver(raw["policy"], raw["address"], raw["reason"], raw.get("expires"), origin))
    known = {p.id for p in config.policies}
    for i, raw in enumerate(data.get("waivers", []) if top else ()):
        if raw["policy"] not in known:  # a typo would waive nothing and say only "unused"
            raise InputError(f"waivers[{i}].policy: no policy {_excerpt(str(raw['policy']))} is loaded "
                             f"({_known(known)})", _at(origin, node, ["waivers", i, "policy"]))
    for i, pid in enumerate(data.get("disable", [])):
        if pid not in known:  # a typo would leave the policy on, silently
            raise InputError(f"disable[{i}]: no policy {pid!r} is loaded ({_known(known)})",
                             _at(origin, node, ["disable", i]))
    disabled = set(data.get("disable", []))
    config.policies = [p for p in config.policies if p.id not in disabled]
    for pid, severity in data.get("severity", {}).items():
        if pid not in known:
            raise InputError(f"severity: no policy {pid!r} is loaded ({_known(known)})",
                             _at(origin, node, ["severity", pid]))
        for p in config.policies:
            if p.id == pid:
                p.severity = severity
    if "fail_on" in data:
        config.fail_on = data["fail_on"]


def _at(origin: str, node: Any, path: list) -> str:
    line = line_of(node, path) if node is not None else None
    return f"{origin}:{line}" if line else origin


def _known(ids: set[str]) -> str:
    shown = sorted(ids)
    return "loaded: " + ", ".join(shown[:12]) + (", ..." if len(shown) > 12 else "") if shown else "none is loaded"


def _check_tiers(config: Config) -> None:
    """Every ``tier: NAME`` a policy or a tier names is defined, and no tier is defined through
    itself: an unknown tier selects nothing, so a typo would make its policies pass silently."""
    def names(value: Any, found: list[str]) -> list[str]:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "tier" and isinstance(item, str):
                    found.append(item)
                elif key != "tag":  # a tag's keys are the resource's (a `tier` tag is common)
                    names(item, found)
        elif isinstance(value, list):
            for item in value:
                names(item, found)
        return found

    for policy in config.policies:
        for name in names({k: v for k, v in policy.spec.items() if k in ("to", "from", "allow")}, []):
            if name not in config.tiers:
                raise InputError(f"policy {policy.id}: tier {name!r} is not defined (tiers: "
                                 f"{', '.join(sorted(config.tiers)) or 'none'})", policy.origin)

    def reaches(tier: str, seen: tuple[str, ...]) -> None:
        for name in names(config.tiers.get(tier), []):
            if name in seen:
                raise InputError(f"tiers: {' -> '.join(seen + (name,))}: a tier defined through itself",
                                 config.path or "configuration")
            if name not in config.tiers:
                raise InputError(f"tiers: {tier}: tier {name!r} is not defined", config.path or "configuration")
            reaches(name, seen + (name,))

    for tier in sorted(config.tiers):
        reaches(tier, (tier,))


def _include_file(path: str, config: Config, seen: set[str], jail: Optional[str] = None,
                  origin: str = "") -> None:
    if "\0" in path or any("\ud800" <= c <= "\udfff" for c in path):
        # no file can have that name (the OS refuses NUL; a lone surrogate is not text)
        raise InputError(f"names {_excerpt(path)}, which is not a file name", origin or "configuration")
    key = os.path.abspath(path)
    if key in seen:
        return
    seen.add(key)
    if jail is not None and os.path.commonpath([os.path.realpath(path), jail]) != jail:
        raise InputError(f"names {_excerpt(path)}, which is outside the repository under review; a configuration "
                         "in the repository may only name files inside it (one outside it, given with --config, "
                         "is trusted)", origin or "configuration")
    if jail is not None and ".git" in os.path.relpath(os.path.realpath(path), jail).split(os.sep):
        # git's own files (.git/config holds the checkout's credentials) are no configuration
        raise InputError(f"names {_excerpt(path)}, which is inside .git; a configuration found in the repository "
                         "may only name its files", origin or "configuration")
    if config.read is None and not os.path.lexists(path):
        # named where: the configuration's line, not only the missing file's own name
        raise InputError(f"names {_excerpt(os.path.relpath(path))}: no such file", origin or "configuration")
    data, node = _read_config_file(path, config)
    _apply(data, os.path.relpath(path), config, seen, top=False, jail=jail, node=node)


def _read_config_file(path: str, config: Config) -> tuple[Any, Any]:
    """A configuration or policy file from the work tree, or through ``config.read``."""
    if config.read is None:
        return _read_file(path)
    text = config.read(path)
    from ..limits import check_bytes

    check_bytes("config-bytes", len(text), path, "the configuration")  # git's read is bounded by tf-file-bytes only
    data, node = read_yaml(text, path)
    validate(data, node, path)
    return data or {}, node


def _excerpt(text: str, limit: int = 80) -> str:
    """A short, escaped rendering of a value for a one-line error (no newlines, no backticks)."""
    shown = repr(text if len(text) <= limit else text[:limit] + "...")
    return shown.replace("`", "\\x60")
