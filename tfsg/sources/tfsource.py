"""What the .tf sources add to a plan: per-block inline references and file:line locations.

Plan JSON merges the group references of all inline ``ingress`` blocks into one list and drops
``dynamic`` blocks (REFERENCE A.6). When the sources are at hand (beside the plan, or
``--source DIR``), the blocks are evaluated by HCL mode (``hcl.fill.SourceValues``, parsed only
when a block is asked for) and matched to their planned elements, so a rule is attributed to
exactly the groups its own block names. Locations come from a cheap scan of the files.
"""

from __future__ import annotations

import os
import re
from typing import Any, Optional

from ..errors import InputError
from ..model import Address, Location, Snapshot, Unknown, split_module_prefix, without_keys
from .config_files import is_config_file
from .document import display
from .instances import Instance
from .refs import ConfigIndex

# [ \t]*, not \s*: under re.M a \s* would swallow blank lines and report the line before the block.
_RESOURCE_LINE = re.compile(r'^[ \t]*resource\s+"([^"]+)"\s+"([^"]+)"', re.M)
class SourceHints:
    """The .tf files of a root module (and its local modules), read on demand."""

    def __init__(self, root: str, config: ConfigIndex, values: Any) -> None:
        from .hcl.files import Tree, repository_of

        self.root = root
        self.config = config
        self.values = values  # hcl.fill.SourceValues: the evaluated blocks
        self._modules: dict[tuple[str, ...], Optional[dict]] = {}
        self.problems: list[Unknown] = []
        # files inside the repository under review only (as HCL mode: hcl/files.py Tree): a
        # committed link or a module source the plan records may lead anywhere
        self.tree = Tree(inside=repository_of(root))

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
        parsed: Optional[dict] = None
        if directory and os.path.isdir(directory):
            parsed = {"lines": {}, "bodies": {}}
            try:
                names = self.tree.listdir(directory)
            except InputError:
                names = []  # outside the repository: not read (hcl.fill.SourceValues says so)
            for name in names:
                if not is_config_file(name):
                    continue
                file = os.path.join(directory, name)
                self._parse_file(file, parsed)
        self._modules[path] = parsed
        return parsed

    def _parse_file(self, file: str, into: dict) -> None:
        from ..limits import read_bounded

        try:
            self.tree.check(file)  # a link out of the repository: not read
            with open(file, "rb") as fh:  # limits.py tf-file-bytes (an InputError: exit 2, as in HCL mode)
                text = read_bounded(fh, "tf-file-bytes", display(file)).decode("utf-8").replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(Unknown(display(file), "", f"cannot read source: {exc}"))
            return
        except InputError as exc:
            if "outside the repository" not in exc.message:
                raise
            self.problems.append(Unknown(display(file), "", f"not read: {exc.message}"))
            return
        if file.endswith(".json"):  # JSON syntax: each resource (and inline block) at its object's line
            from .hcl.parse import parse_json_config

            try:
                blocks = parse_json_config(text, display(file))
            except InputError as exc:
                self.problems.append(Unknown(display(file), "", f"cannot read source: {exc.message}"))
                return
            for block in blocks:
                if block.type == "resource" and len(block.labels) == 2:
                    key = (block.labels[0], block.labels[1])
                    into["lines"][key] = Location(display(file), block.line)
                    into.setdefault("blocks", {})[key] = block
            return
        starts = list(_RESOURCE_LINE.finditer(text))
        for i, m in enumerate(starts):
            into["lines"][(m.group(1), m.group(2))] = Location(display(file), text.count("\n", 0, m.start()) + 1)
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            into["bodies"][(m.group(1), m.group(2))] = text[m.start():end]
        if "module" in text:
            from .blocksites import text_calls

            into.setdefault("calls", {}).update(text_calls(text, display(file)))

    # ---------------------------------------------------------------- hints

    def inline_blocks(self, inst: Instance, direction: str) -> Optional[list[dict]]:
        return self.values.inline_blocks(inst, direction)

    def has_dynamic(self, inst: Instance, direction: str) -> bool:
        """Is there a ``dynamic "<direction>"`` block in the resource that makes blocks? A text
        scan, then the evaluated sources: a dynamic block over an empty collection makes none,
        and zero blocks of an attribute written as blocks is "not set" (Terraform's blocktoattr
        fixup makes the attribute only from blocks that exist), so the direction is not managed."""
        module = self._module(inst.address.config_path())
        if module is None:
            return False
        text = module["bodies"].get((inst.type, inst.address.name), "")
        if re.search(r'\bdynamic\s+"' + direction + r'"', text) is None:
            return False
        return self.values is None or self.values.written(inst.address, (direction,)) is not False

    def locate(self, snapshot: Snapshot) -> None:
        """Map resource addresses (groups, rule resources, attachments) to file:line."""
        addresses = set(snapshot.groups) | {r.defined_by for r in snapshot.rules} | \
            {a.resource for a in snapshot.attachments} | {r for a in snapshot.attachments for r, _ in a.beyond_by} | \
            snapshot.new_vpcs
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
        self._locate_blocks(snapshot)

    def _locate_blocks(self, snapshot: Snapshot) -> None:
        """Inline rules at their own ``ingress``/``egress`` block; the root's module calls."""
        from .blocksites import assign, ast_sites, text_sites

        sites: dict[str, list] = {}
        for group in {r.defined_by for r in snapshot.rules if r.inline}:
            addr = _parse(group)
            if addr is None:
                continue
            module = self._module(addr.config_path())
            body = module["bodies"].get((addr.type, addr.name)) if module else None
            loc = module["lines"].get((addr.type, addr.name)) if module else None
            parsed = module.get("blocks", {}).get((addr.type, addr.name)) if module else None
            if body is not None and loc is not None:
                sites.setdefault(without_keys(group), text_sites(body, loc.file, loc.line))
            elif parsed is not None:  # a .tf.json file's block, parsed
                sites.setdefault(without_keys(group), ast_sites(parsed))
        snapshot.rule_locations.update(assign(snapshot.rules, sites, snapshot.literal_rules))
        root = self._module(())
        for name, site in sorted((root or {}).get("calls", {}).items()):
            snapshot.call_sites["module." + name] = site


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
