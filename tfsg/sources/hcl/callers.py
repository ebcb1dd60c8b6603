"""Which root modules a change to a local module reaches (pre-commit, issue 12 item 6).

A commit that edits only ``modules/sg/main.tf`` changes every configuration that calls that
module, directly or through other local modules (``source = "../sg"``): the gate must check
those roots, since the module alone opens nothing; its caller's arguments decide. A root module
is a directory of the repository with .tf files that no other directory calls.
"""

from __future__ import annotations

import os
import subprocess
from typing import Optional

from .bodies import safe
from .files import Tree
from .functions_files import work_tree
from .modules import LiteralScope, read_module
from .syntax import Env


def _tf_dirs(top: str) -> list[str]:
    """Directories of the repository holding .tf files (tracked or not), .terraform excluded."""
    try:
        proc = subprocess.run(["git", "-C", top, "ls-files", "-co", "--exclude-standard", "--", "*.tf", "*.tf.json"],
                              capture_output=True, text=True, check=False, timeout=60)
        names = proc.stdout.splitlines() if proc.returncode == 0 else []
    except (OSError, subprocess.SubprocessError):
        names = []
    dirs = {os.path.normpath(os.path.join(top, os.path.dirname(n))) for n in names if "/.terraform/" not in f"/{n}"}
    return sorted(dirs)


def _calls(directory: str) -> set[str]:
    """The local module directories a module calls."""
    try:
        config = read_module(Tree(), directory)
    except Exception:  # a module tfsg cannot read is checked (and reported) as itself
        return set()
    out = set()
    for block in config.modules.values():
        attr = block.body.attrs.get("source")
        source = safe(attr.expr, Env(LiteralScope()), block.file) if attr is not None else None
        if isinstance(source, str) and source.startswith(("./", "../")):
            out.add(os.path.normpath(os.path.join(directory, source)))
    return out


def roots_calling(changed: list[str], top: Optional[str] = None) -> dict[str, list[str]]:
    """For each changed directory, the root modules that reach it (itself when it is a root),
    sorted; a directory no root reaches maps to itself."""
    if not changed:
        return {}
    top = top or work_tree(changed[0])
    dirs = _tf_dirs(top) if top else []
    callers: dict[str, set[str]] = {}
    for d in dirs:
        for callee in _calls(d):
            callers.setdefault(callee, set()).add(d)
    out = {}
    for start in changed:
        start = os.path.realpath(start)
        seen, todo, roots = {start}, [start], set()
        while todo:
            d = todo.pop()
            ups = callers.get(d, set())
            if not ups:
                roots.add(d)
            for u in ups - seen:
                seen.add(u)
                todo.append(u)
        out[start] = sorted(roots)
    return out
