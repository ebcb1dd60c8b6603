"""Modules ``terraform init`` installed (``.terraform/modules/modules.json``), for either side.

``terraform init`` downloads each non-local module call into ``.terraform/modules/`` and records
its key (``web``, ``web.inner``), the source it came from and, for a registry module, the exact
version. ``terraform plan`` reads that code for a call whose ``source`` is the recorded one and
whose ``version`` constraint admits the recorded version; otherwise it refuses ("Module source
has changed", "Module version requirements have changed": run ``terraform init``).

At ``--base`` the revision's files come from git, where ``.terraform/`` never is (it is
git-ignored): a base call that the installed code satisfies by the same rule is read from the
work tree's ``.terraform/modules`` (the same code the head side reads), and one it does not
(another source or version) stays an explicit unknown.
"""

from __future__ import annotations

import json
import os
import re
from typing import NamedTuple, Optional

from ... import limits
from .files import display


class InstalledModule(NamedTuple):
    directory: str  # where init put it (absolute or relative like the root module's path)
    source: str  # as modules.json records it ("" when not recorded)
    version: str  # the exact version of a registry module, else ""
    package: str  # the directory of the whole download (a ``//subdir`` source's parent)


def installed_modules(root: str) -> dict[str, InstalledModule]:
    """Key -> the module installed for it, from ``modules.json`` (empty when there is none)."""
    path = os.path.join(root, ".terraform", "modules", "modules.json")
    try:
        with open(path, "rb") as fh:
            data = json.loads(limits.read_bounded(fh, "tf-file-bytes", display(path)))
    except (OSError, ValueError, RecursionError):
        return {}
    out = {}
    top = os.path.normpath(os.path.join(root, ".terraform", "modules"))
    for entry in data.get("Modules") or [] if isinstance(data, dict) else []:
        if isinstance(entry, dict) and entry.get("Key") and isinstance(entry.get("Dir"), str):
            recorded, version = entry.get("Source"), entry.get("Version")
            directory = os.path.normpath(os.path.join(root, entry["Dir"]))
            rel = os.path.relpath(directory, top)
            package = os.path.join(top, rel.split(os.sep)[0]) if not rel.startswith("..") and rel != "." \
                else directory
            out[entry["Key"]] = InstalledModule(directory, recorded if isinstance(recorded, str) else "",
                                                version if isinstance(version, str) else "", package)
    return out


def same_source(written: str, recorded: str) -> bool:
    """Is the installed source the written one? The registry host is implied when not written:
    Terraform's (``registry.terraform.io``) or OpenTofu's (``registry.opentofu.org``), as the
    tool that ran ``init`` records it in ``modules.json``."""
    return written == recorded or recorded in ("registry.terraform.io/" + written, "registry.opentofu.org/" + written)


_CLAUSE = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?\s*$")


def version_allows(constraint: str, version: str) -> Optional[bool]:
    """Does a module ``version`` constraint (``"5.1.0"``, ``"~> 5.0"``, ``">= 5, != 5.2.0"``)
    admit the exact ``version``? None when either cannot be read. Terraform's rules
    (apparentlymart/go-versions): a bare version is ``=``; ``~> X.Y`` is ``>= X.Y, < (X+1)``,
    ``~> X.Y.Z`` is ``>= X.Y.Z, < X.(Y+1)``; a pre-release is admitted only when named exactly."""
    m = _CLAUSE.match(version)
    if m is None or m.group(1):
        return None
    have = (int(m.group(2)), int(m.group(3) or 0), int(m.group(4) or 0))
    pre = m.group(5) or ""
    for clause in constraint.split(","):
        c = _CLAUSE.match(clause)
        if c is None:
            return None
        op = c.group(1) or "="
        want = (int(c.group(2)), int(c.group(3) or 0), int(c.group(4) or 0))
        if pre and not (op == "=" and (c.group(5) or "") == pre and want == have):
            return False
        if op == "=" and (want != have or (c.group(5) or "") != pre) or op == "!=" and want == have \
                or op == ">" and not have > want or op == ">=" and not have >= want \
                or op == "<" and not have < want or op == "<=" and not have <= want:
            return False
        if op == "~>":
            parts = sum(1 for g in (c.group(2), c.group(3), c.group(4)) if g is not None)
            upper = (want[0] + 1, 0, 0) if parts <= 2 else (want[0], want[1] + 1, 0)
            if not want <= have < upper:
                return False
    return True


def base_reason(call: str, version: Optional[str], found: InstalledModule) -> str:
    """Why the base's call is not the installed code, or "" when it is (read from the work tree)."""
    if not version or not found.version:
        return ""
    admitted = version_allows(version, found.version)
    if admitted:
        return ""
    how = "does not admit" if admitted is False else "cannot be compared with"
    return (f"module {call}: its version constraint {version!r} {how} the version `terraform init` installed "
            f"({found.version}), so the code this revision ran is not the installed code: its resources are unknown")
