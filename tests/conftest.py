"""Shared helpers: run the CLI as a user would, and locate fixtures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def run_tfsg(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "tfsg", *args], input=stdin, capture_output=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


def tfsg_json(*args: str) -> dict:
    proc = run_tfsg(*args, "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


@pytest.fixture
def fixture_plan():
    def get(case: str) -> Path:
        path = FIXTURES / case / "plan.json"
        if not path.exists():
            pytest.fail(f"fixture {case} is missing; run fixtures/regen.sh")
        return path
    return get
