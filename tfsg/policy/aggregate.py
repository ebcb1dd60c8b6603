"""One finding per problem (issue 12, item 4): the findings of one policy on one subject with the
same status (introduced, existing or waived; violation or warning) are one finding, with all
their ports, sources and granting rules. A dynamic block of 70 rules that each admit a /16 is
one finding on its group, not 70.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from .evaluate import Finding

MESSAGE_PARTS = 5  # parts named in the merged message; all of them are in evidence.parts


def aggregate(findings: list[Finding]) -> list[Finding]:
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.policy, f.address, f.introduced, f.waived, f.status), []).append(f)
    out = []
    for parts in groups.values():
        if len(parts) == 1:
            out.append(parts[0])
            continue
        parts = sorted(parts, key=lambda f: f.key)
        first = parts[0]
        evidence = _merged([f.evidence for f in parts])
        evidence["parts"] = [{"key": f.key, "message": f.message} for f in parts]
        named = "; ".join(f.key for f in parts[1:1 + MESSAGE_PARTS])
        more = f" and {len(parts) - 1 - MESSAGE_PARTS} more" if len(parts) - 1 > MESSAGE_PARTS else ""
        message = f"{first.message}; also {named}{more}"
        # the first granting block in the files; exact when every part is at its own block
        located = sorted((f for f in parts if f.location),
                         key=lambda f: _line_key(f.location))  # type: ignore[arg-type]  # only those with one
        at = located[0] if located else first
        related = _unique([r for f in parts for r in f.related]
                          + [f.location for f in located[1:] if f.location != at.location])
        out.append(replace(first, key=" | ".join(f.key for f in parts), message=message, evidence=evidence,
                           location=at.location, location_exact=all(f.location_exact for f in parts),
                           related=tuple(related)))
    return out


def _line_key(location: str) -> tuple[str, int]:
    """``file:line`` in file order, then line order (``a.tf:9`` before ``a.tf:10``)."""
    file, _, line = location.rpartition(":")
    return (file, int(line)) if line.isdigit() else (location, 0)


def _merged(evidences: list[dict[str, Any]]) -> dict[str, Any]:
    """Lists are joined (each item once, in order), equal values kept, differing scalars listed."""
    out: dict[str, Any] = {}
    keys: list[str] = []
    for ev in evidences:
        keys.extend(k for k in ev if k not in keys)
    for key in keys:
        values = [ev[key] for ev in evidences if key in ev]
        if all(isinstance(v, list) for v in values):
            out[key] = _unique([item for v in values for item in v])
        elif all(_same(v, values[0]) for v in values):
            out[key] = values[0]
        else:
            out[key] = _unique([item for v in values for item in (v if isinstance(v, list) else [v])])
    return out


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _unique(items: list) -> list:
    seen: set[str] = set()
    out = []
    for item in items:
        mark = json.dumps(item, sort_keys=True, default=str)
        if mark not in seen:
            seen.add(mark)
            out.append(item)
    return out
