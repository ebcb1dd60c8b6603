"""The README is tested (issue 12, item 8): every fenced block marked with

    <!-- readme-test: tfsg ARGS... -->

right above it is the output of that command, run from the repository root: each non-empty
line of the block must be a line of the output, in order (an example may leave lines out,
never change one). A block drifts from what tfsg prints and this test fails.
"""

from __future__ import annotations

import re
import shlex

import pytest

from conftest import ROOT, run_tfsg

MARK = re.compile(r"<!-- readme-test: (?P<cmd>[^>]*?) -->\s*\n\s*```[^\n]*\n(?P<body>.*?)\n\s*```", re.S)


def _examples() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text()
    return [(m.group("cmd"), m.group("body")) for m in MARK.finditer(text)]


def test_the_readme_marks_its_examples():
    assert len(_examples()) >= 4


@pytest.mark.parametrize("cmd,body", _examples(), ids=[c for c, _ in _examples()])
def test_readme_example_is_what_tfsg_prints(cmd: str, body: str, tmp_path):
    args = shlex.split(cmd)
    assert args[0] == "tfsg"
    proc = run_tfsg(*args[1:], cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    out = [line.rstrip() for line in proc.stdout.decode().splitlines()]
    # the README indents blocks inside list items; what counts is each line's text
    want = [line.strip() for line in body.splitlines() if line.strip()]
    have = [line.strip() for line in out]
    pos = 0
    for line in want:
        assert line in have[pos:], f"README line not printed (in this order) by `{cmd}`:\n{line}"
        pos = have.index(line, pos) + 1
