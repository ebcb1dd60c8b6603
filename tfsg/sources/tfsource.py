"""What the .tf sources add to a plan: per-block inline references and file:line locations.

Plan JSON merges the group references of all inline ``ingress`` blocks into one list and drops
``dynamic`` blocks (REFERENCE A.6). When the sources are at hand (beside the plan, or
``--source DIR``), each block is read with python-hcl2 and matched to its planned element, so
a rule is attributed to exactly the groups its own block names.
"""

from __future__ import annotations

import os
import re
from typing import Any, Optional

from ..model import Address, Location, Snapshot, Unknown, split_module_prefix
from .document import display
from .instances import Instance
from .refs import ConfigIndex

_REF = re.compile(
    r"(?<![\w.\"-])((?:module|data|var|local|aws_[a-z0-9_]+)\.[A-Za-z_][\w-]*"
    r"(?:\[[^\]]*\]|\.[A-Za-z_][\w-]*|\.\*)*)")
# [ \t]*, not \s*: under re.M a \s* would swallow blank lines and report the line before the block.
_RESOURCE_LINE = re.compile(r'^[ \t]*resource\s+"([^"]+)"\s+"([^"]+)"', re.M)
_INDEX = re.compile(r"\[([^\]]*)\]")


def expression_refs(value: Any) -> tuple[list[str], list[str]]:
    """References (plan-style strings) and literal strings inside a python-hcl2 value."""
    refs: list[str] = []
    literals: list[str] = []
    if isinstance(value, list):
        for v in value:
            r, l = expression_refs(v)
            refs += r
            literals += l
        return refs, literals
    if not isinstance(value, str):
        return refs, literals
    text = value
    if text.startswith('"') and text.endswith('"') and "${" not in text:
        literals.append(text[1:-1])
        return refs, literals
    for match in _REF.finditer(text):
        ref = match.group(1)
        modifiers = []

        def _index(m: re.Match) -> str:
            inner = m.group(1).strip()
            if inner.isdigit() or (inner.startswith('"') and inner.endswith('"')) or inner == "*":
                return m.group(0)
            modifiers.extend(x for x in ("count.index", "each.key", "each.value") if x in inner)
            return ""

        ref = _INDEX.sub(_index, ref)
        refs.append(ref)
        refs.extend(modifiers)
    for lit in re.findall(r'"(sg-[0-9a-zA-Z]+)"', text):
        literals.append(lit)
    return refs, literals


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == '"' and value[-1] == '"' and "${" not in value:
        return value[1:-1]
    return value


class SourceHints:
    """The .tf files of a root module (and its local modules), read on demand."""

    def __init__(self, root: str, config: ConfigIndex) -> None:
        self.root = root
        self.config = config
        self._modules: dict[tuple[str, ...], Optional[dict]] = {}
        self.problems: list[Unknown] = []

    # ---------------------------------------------------------------- modules

    def module_dir(self, path: tuple[str, ...]) -> Optional[str]:
        directory = self.root
        for i in range(len(path)):
            call = self.config.call(path[: i + 1]) or {}
            source = call.get("source")
            if not isinstance(source, str) or not source.startswith(("./", "../")):
                return None  # a registry or remote module: its sources are not here
            directory = os.path.normpath(os.path.join(directory, source))
        return directory

    def _module(self, path: tuple[str, ...]) -> Optional[dict]:
        if path in self._modules:
            return self._modules[path]
        directory = self.module_dir(path)
        parsed = None
        if directory and os.path.isdir(directory):
            parsed = {"resources": {}, "lines": {}, "bodies": {}, "texts": {}}
            for name in sorted(os.listdir(directory)):
                if not name.endswith(".tf"):
                    continue
                file = os.path.join(directory, name)
                self._parse_file(file, parsed)
        self._modules[path] = parsed
        return parsed

    def _parse_file(self, file: str, into: dict) -> None:
        try:
            with open(file, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(Unknown(display(file), "", f"cannot read source: {exc}"))
            return
        starts = list(_RESOURCE_LINE.finditer(text))
        for i, m in enumerate(starts):
            into["lines"][(m.group(1), m.group(2))] = Location(display(file), text.count("\n", 0, m.start()) + 1)
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            into["bodies"][(m.group(1), m.group(2))] = text[m.start():end]
        if "aws_security_group" in text or "aws_default_security_group" in text:
            into["texts"][file] = text  # parsed with python-hcl2 only if a block is asked for

    def _parse_groups(self, module: dict) -> None:
        """Parse the files holding group blocks (once per module, on first need)."""
        pending = module.pop("texts", {})
        for file, text in sorted(pending.items()):
            self._parse_hcl(file, text, module)

    def _parse_hcl(self, file: str, text: str, into: dict) -> None:
        import hcl2  # lazy: ~40 ms of import, needed only for collapsed or dynamic inline blocks

        try:
            doc = hcl2.loads(text)
        except Exception as exc:  # lark raises many types; all mean "not valid HCL"
            line = getattr(exc, "line", None)
            where = f"{display(file)}:{line}" if line else display(file)
            self.problems.append(Unknown(where, "", f"HCL syntax error, sources ignored for this file: "
                                                    f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"))
            return
        for block in doc.get("resource") or []:
            for typ, named in block.items():
                typ = _unquote(typ)
                if typ not in ("aws_security_group", "aws_default_security_group") or not isinstance(named, dict):
                    continue
                for name, body in named.items():
                    into["resources"][(typ, _unquote(name))] = body

    # ---------------------------------------------------------------- hints

    def inline_blocks(self, inst: Instance, direction: str) -> Optional[list[dict]]:
        module = self._module(inst.address.config_path())
        if module is None:
            return None
        self._parse_groups(module)
        body = module["resources"].get((inst.type, inst.address.name))
        if not isinstance(body, dict):
            return None
        blocks: list[dict] = []
        raw = body.get(direction)
        for element in raw if isinstance(raw, list) else []:
            if isinstance(element, dict):
                blocks.append(self._block(element))
        for dyn in body.get("dynamic") or []:
            if isinstance(dyn, dict):
                for label in dyn:
                    if _unquote(label) == direction:
                        blocks.append({"dynamic": True, "unresolved": True, "literal": {}, "group_refs": []})
        return blocks

    @staticmethod
    def _block(element: dict) -> dict:
        """One static block: its literal fields (to match the planned element), an element
        built from them (when the whole attribute is unknown), and its group references."""
        literal = {}
        unresolved = False
        for key in ("protocol", "from_port", "to_port", "description", "self"):
            if key in element:
                value = _unquote(element[key])
                if isinstance(value, str) and "${" in value:
                    unresolved = unresolved or key != "description"
                    continue
                literal[key] = value
        built = dict(literal)
        for key in ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"):
            value = element.get(key, [])
            items = [_unquote(v) for v in value] if isinstance(value, list) else None
            if items is None or any(not isinstance(v, str) or "${" in v for v in items):
                unresolved = True
                items = []
            built[key] = items
        refs, literals = expression_refs(element.get("security_groups"))
        return {"literal": literal, "element": built, "group_refs": refs, "group_literals": literals,
                "unresolved": unresolved, "dynamic": False}

    def has_dynamic(self, inst: Instance, direction: str) -> bool:
        """Is there a ``dynamic "<direction>"`` block in the resource (text scan, no parse)?"""
        module = self._module(inst.address.config_path())
        if module is None:
            return False
        text = module["bodies"].get((inst.type, inst.address.name), "")
        return re.search(r'\bdynamic\s+"' + direction + r'"', text) is not None

    def locate(self, snapshot: Snapshot) -> None:
        """Map resource addresses (groups, rule resources, attachments) to file:line."""
        addresses = set(snapshot.groups) | {r.defined_by for r in snapshot.rules} | \
            {a.resource for a in snapshot.attachments}
        for text in addresses:
            addr = _parse(text)
            if addr is None:
                continue
            module = self._module(addr.config_path())
            if module is None:
                continue
            loc = module["lines"].get((addr.type, addr.name))
            if loc is not None:
                snapshot.locations[text] = loc


def _parse(text: str) -> Optional[Address]:
    """A resource address string back into fields (module path, mode, type, name)."""
    if text.startswith("sg-") or "." not in text:
        return None
    module, rest = split_module_prefix(text)
    mode = "managed"
    if rest.startswith("data."):
        mode, rest = "data", rest[5:]
    typ, _, name = rest.partition(".")
    if not typ or not name:
        return None
    return Address(module, typ, name.split("[", 1)[0], None, mode)
