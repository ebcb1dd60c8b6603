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


GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]


def base_repo(tmp_path: Path, base: Path, head: Path) -> Path:
    """A git repository whose HEAD holds ``base``'s .tf files and whose work tree ``head``'s
    (an update fixture's before/ and its own files, for HCL mode at ``--base HEAD``)."""
    import shutil

    repo = tmp_path / "repo"
    repo.mkdir()
    for f in base.glob("*.tf"):
        shutil.copy(f, repo / f.name)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(GIT + ["-C", str(repo), *args], check=True, capture_output=True)
    for f in repo.glob("*.tf"):
        f.unlink()
    for f in head.glob("*.tf"):
        shutil.copy(f, repo / f.name)
    return repo


def warned_by(r: dict) -> dict[str, set[tuple[str, str]]]:
    """policy -> {(address, attribute)} of the values that leave it not fully evaluated (a check
    report's warnings)."""
    out: dict[str, set[tuple[str, str]]] = {}
    for f in r["findings"]:
        if f["status"] == "warning" and f["key"] == "unknown":
            out.setdefault(f["policy"], set()).update(
                (u["address"], u.get("attribute") or "") for u in f["evidence"].get("unknown") or [])
    return out
