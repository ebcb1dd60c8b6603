"""The pre-commit hook, run by the real `pre-commit` (try-repo) on a temporary repository.

The hook repository is a snapshot of this checkout (committed in a temporary repository, so
pre-commit builds its environment once for both runs). The user repository holds a fixture
module at its base revision; one change is harmless, the other opens SSH to the world.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
pytestmark = pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit is a dev dependency")

GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(GIT + ["-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in ("tfsg", "policies"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "tfsg snapshot")
    return repo


def _user_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "user"
    (repo / "infra").mkdir(parents=True)
    for f in (FIXTURES / "ssh_open" / "before").glob("*.tf"):
        shutil.copy(f, repo / "infra")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    return repo


def _try(hook_repo: Path, repo: Path, home: Path, hook: str = "tfsg", files: str = "infra/main.tf",
         *extra: str) -> subprocess.CompletedProcess:
    _git(repo, "add", ".")
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), NO_COLOR="1")
    return subprocess.run([str(PRE_COMMIT), "try-repo", str(hook_repo), hook, "--files", files, "--color", "never",
                           *extra], cwd=repo, capture_output=True, text=True, env=env, timeout=600)


def test_pre_commit_blocks_ssh_to_the_world_and_passes_a_harmless_change(hook_repo, tmp_path_factory, tmp_path):
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    repo = _user_repo(tmp_path)
    main = repo / "infra" / "main.tf"

    # Harmless: a description changes, reachability does not.
    main.write_text(main.read_text().replace('"SSH from the office"', '"SSH from the head office"', 1))
    ok = _try(hook_repo, repo, home)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Passed" in ok.stdout

    # The ssh_open change: a rule resource opening tcp 22 to 0.0.0.0/0 and ::/0.
    shutil.copy(FIXTURES / "ssh_open" / "main.tf", main)
    blocked = _try(hook_repo, repo, home)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    out = blocked.stdout
    assert "Failed" in out
    assert "TFSG001" in out and "admits the whole internet on tcp 22" in out
    assert "infra/main.tf:68" in out  # the rule resource the commit adds
    assert "Traceback" not in out + blocked.stderr


def test_manual_stage_hook_checks_plan_files(hook_repo, tmp_path_factory, tmp_path):
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    repo = _user_repo(tmp_path)
    shutil.copy(FIXTURES / "ssh_open" / "plan.json", repo / "plan.json")
    skipped = _try(hook_repo, repo, home, "tfsg-plan", "plan.json")  # a manual hook: not run on commit
    assert "No hook with id `tfsg-plan` in stage `pre-commit`" in skipped.stdout
    run = _try(hook_repo, repo, home, "tfsg-plan", "plan.json", "--hook-stage", "manual")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "TFSG001" in run.stdout and "tfsg check plan.json (plan" in run.stdout
