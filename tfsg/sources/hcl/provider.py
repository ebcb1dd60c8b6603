"""Which major version of the AWS provider a configuration would run with.

HCL mode fills in schema defaults a plan would show (``argtypes.SCHEMA_DEFAULTED``), and a few changed
between major versions (provider v6 upgrade guide: ``aws_redshift_cluster.publicly_accessible``
now defaults to false). ``terraform init`` installs the version the dependency lock file
(``.terraform.lock.hcl``) records, else the newest that every ``required_providers`` constraint
of the root and its modules allows (Terraform docs, "Version Constraints"). Without either, tfsg
assumes 5.x, the version the project's plans are made with (tf-offline: hashicorp/aws 5.100.0).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any, Optional

from .bodies import safe
from .syntax import Env

_LOCKED = re.compile(r'provider\s+"registry\.(?:terraform|opentofu)\.io/hashicorp/aws"\s*\{[^}]*?'
                     r'\bversion\s*=\s*"(\d+)\.', re.S)
_PART = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")
DEFAULT_MAJOR = 5
NEWEST_MAJOR = 6  # the newest major version released (hashicorp/aws 6.0.0, June 2025)


def locked_major(reader: Any, directory: str) -> Optional[int]:
    path = os.path.join(directory, ".terraform.lock.hcl")
    try:
        if ".terraform.lock.hcl" not in reader.listdir(directory):
            return None
        found = _LOCKED.search(reader.read(path))
    except Exception:  # unreadable: fall back to the constraints
        return None
    return int(found.group(1)) if found else None


def constraints(configs: Iterable[Any]) -> list[str]:
    """The ``version`` constraints written for hashicorp/aws in ``required_providers`` blocks."""
    from .modules import LiteralScope

    out: list[str] = []
    for config in configs:
        for block in config.providers:
            attr = block.body.attrs.get("aws")
            if attr is None:
                continue
            value = safe(attr.expr, Env(LiteralScope()), block.file)
            version = value.get("version") if isinstance(value, dict) else value if isinstance(value, str) else None
            if isinstance(version, str):
                out.append(version)
    return out


def _allows_major(constraint: str, major: int) -> bool:
    """Does a constraint (``"~> 5.0, != 5.3.0"``) allow some version of ``major``? Unreadable
    parts allow it (the lock file or the plan settles what this cannot)."""
    for part in constraint.split(","):
        m = _PART.match(part)
        if not m or not part.strip():
            continue
        op, ver = m.group(1) or "=", (int(m.group(2)), int(m.group(3) or 0), int(m.group(4) or 0))
        if op == "=" and ver[0] != major:
            return False
        if op in (">", ">=") and ver[0] > major:
            return False
        if op == "<" and (ver[0] < major or (ver[0] == major and ver[1:] == (0, 0))):
            return False
        if op == "<=" and ver[0] < major:
            return False
        if op == "~>" and ver[0] != major:
            return False  # ~> 5.1 allows 5.1 up to 6.0 exclusive; ~> 5.1.2 stays within 5.1
    return True


def provider_major(reader: Any, directory: str, configs: Iterable[Any]) -> int:
    """The major version of hashicorp/aws that ``terraform init`` would install here."""
    locked = locked_major(reader, directory)
    if locked is not None:
        return locked
    written = constraints(configs)
    if not written:
        return DEFAULT_MAJOR
    for major in range(NEWEST_MAJOR, 0, -1):
        if all(_allows_major(c, major) for c in written):
            return major
    return DEFAULT_MAJOR
