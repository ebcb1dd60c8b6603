"""Shared helpers: run the CLI as a user would, and locate fixtures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# HCL mode caches parsed files (tfsg/sources/hcl/cache.py): keep the tests' cache to themselves.
os.environ.setdefault("TFSG_CACHE_DIR", tempfile.mkdtemp(prefix="tfsg-test-cache-"))
FIXTURES = Path(os.environ.get("TFSG_FIXTURES", ROOT / "fixtures"))


def run_tfsg(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "tfsg", *args], input=stdin, capture_output=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


def tfsg_json(*args: str, compact: bool = False) -> dict:
    """The JSON report. The tests written against group pairs read every pair (``--expand``);
    ``compact=True`` gives the default output, where CIDR-derived pairs are ``cidr_flows`` rows
    naming sets of groups (tests/test_compact.py holds the two forms equal on every fixture)."""
    expand = ("--expand",) if args and args[0] in ("show", "diff", "check") and not compact else ()
    proc = run_tfsg(*args, *expand, "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    result = json.loads(proc.stdout)
    validate_report(result)
    return result


_SCHEMA = None


def validate_report(result: dict) -> None:
    """Every JSON output the tests see is checked against the published contract."""
    global _SCHEMA
    import jsonschema

    if _SCHEMA is None:
        _SCHEMA = json.loads((ROOT / "tfsg" / "schemas" / "report-v2.json").read_text())
    jsonschema.Draft202012Validator(_SCHEMA).validate(result)


def flows(rows: list[dict]) -> set[tuple[str, str, str, str]]:
    return {(r["from"], r["to"], r["protocol"], r["ports"]) for r in rows}


def exposures(rows: list[dict]) -> set[tuple[str, str, str, str]]:
    return {(r["address"], r["kind"], r["protocol"], r["ports"]) for r in rows}


def paths(rows: list[dict]) -> set[tuple[str, ...]]:
    return {tuple(p["nodes"]) for p in rows}


def plan(case: str) -> str:
    path = FIXTURES / case / "plan.json"
    if not path.exists():
        pytest.fail(f"fixture {case} is missing; run fixtures/regen.sh")
    return str(path)


def warned_by(r: dict) -> dict[str, set[tuple[str, str]]]:
    """policy -> {(address, attribute)} of the values that leave it not fully evaluated (a check
    report's warnings)."""
    out: dict[str, set[tuple[str, str]]] = {}
    for f in r["findings"]:
        if f["status"] == "warning" and f["key"] == "unknown":
            out.setdefault(f["policy"], set()).update(
                (u["address"], u.get("attribute") or "") for u in f["evidence"].get("unknown") or [])
    return out
