"""The README is tested (issue 12, item 8): every fenced block marked with

    <!-- readme-test: tfsg ARGS... -->

right above it is the output of that command, run from the repository root: each non-empty
line of the block must be a line of the output, in order (an example may leave lines out,
never change one). A block drifts from what tfsg prints and this test fails.

``<!-- readme-test: tfsg ARGS... | repo infra: fixtures/NAME -->`` runs the command in a new git
repository whose ``infra/`` holds the fixture's ``before/`` .tf files committed and its own .tf
files in the work tree (the HCL mode example: a branch edited against HEAD). Lines starting
with ``$ `` show the command and are not output.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest

from conftest import ROOT, run_tfsg

MARK = re.compile(r"<!-- readme-test: (?P<cmd>[^>|]*?)(?: \| repo (?P<dir>\w+): (?P<fixture>[\w/]+))? -->\s*\n\s*```[^\n]*\n(?P<body>.*?)\n\s*```", re.S)


def _examples() -> list[tuple[str, str, tuple]]:
    text = (ROOT / "README.md").read_text()
    return [(m.group("cmd"), m.group("body"), (m.group("dir"), m.group("fixture"))) for m in MARK.finditer(text)]


def test_the_readme_marks_its_examples():
    assert len(_examples()) >= 5


def _repository(tmp_path, name: str, fixture: str):
    """A git repository: ``name/`` at the fixture's ``before/`` committed, then its .tf edited in."""
    infra = tmp_path / name
    infra.mkdir()
    for tf in sorted((ROOT / fixture / "before").glob("*.tf")):
        shutil.copy(tf, infra / tf.name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "commit", "-q", "-m", "base"], check=True)
    for tf in sorted((ROOT / fixture).glob("*.tf")):
        shutil.copy(tf, infra / tf.name)
    return tmp_path


@pytest.mark.parametrize("cmd,body,repo", _examples(), ids=[c for c, _, _ in _examples()])
def test_readme_example_is_what_tfsg_prints(cmd: str, body: str, repo: tuple, tmp_path, monkeypatch):
    args = shlex.split(cmd)
    assert args[0] == "tfsg"
    cwd = ROOT
    if repo[0]:
        cwd = _repository(tmp_path, *repo)
        monkeypatch.setenv("TFSG_CACHE_DIR", "off")
    proc = run_tfsg(*args[1:], cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    out = [line.rstrip() for line in proc.stdout.decode().splitlines()]
    # the README indents blocks inside list items; what counts is each line's text
    want = [line.strip() for line in body.splitlines() if line.strip() and not line.startswith("$ ")]
    have = [line.strip() for line in out]
    pos = 0
    for line in want:
        assert line in have[pos:], f"README line not printed (in this order) by `{cmd}`:\n{line}"
        pos = have.index(line, pos) + 1
