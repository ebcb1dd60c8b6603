"""JSON report: the v1 contract, keys sorted, two-space indent, one trailing newline."""

from __future__ import annotations

import json


def render(result: dict) -> str:
    return json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
