"""Where a finding points, as reviewers read it: a root module in envs/dev whose modules live
in ../../modules (the usual layout) is shown relative to the working directory inside the git
work tree the Action checks out, never as the runner's absolute path; outside it, absolutely."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tfsg.sources.document import display, work_tree


def test_paths_in_the_same_work_tree_are_relative(tmp_path: Path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "envs" / "dev").mkdir(parents=True)
    (repo / "modules" / "sg").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    work_tree.cache_clear()
    monkeypatch.chdir(repo / "envs" / "dev")
    assert display(str(repo / "modules" / "sg" / "main.tf")) == os.path.join("..", "..", "modules", "sg", "main.tf")
    assert display(str(repo / "envs" / "dev" / "main.tf")) == "main.tf"
    outside = tmp_path / "elsewhere.tf"
    assert display(str(outside)) == str(outside)
