"""A large plan's structural check in a second process (sources/validate/aside.py): the verdict,
the message and the exit code are those of the check made in line, and nothing is written first."""

from __future__ import annotations

import json
import os
import signal

import pytest
from conftest import FIXTURES, run_tfsg

from tfsg.errors import InputError
from tfsg.sources.document import load_document
from tfsg.sources.validate import aside

PLAN = FIXTURES / "three_tier" / "plan.json"


def _broken(tmp_path, index_of_group: int = -1):
    """three_tier's plan with a group's ingress written as a string (a schema error the builder
    would trip over too), in the last group unless told."""
    data = json.loads(PLAN.read_text())
    groups = [rc for rc in data["resource_changes"] if rc["type"] == "aws_security_group"]
    groups[index_of_group]["change"]["after"]["ingress"] = "oops"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    return path, data["resource_changes"].index(groups[index_of_group])


@pytest.mark.parametrize("command", ["show", "diff", "check"])
def test_a_schema_error_found_aside_is_the_same_one_line_and_nothing_is_written(command, tmp_path, monkeypatch):
    path, index = _broken(tmp_path)
    monkeypatch.setenv("TFSG_CHECK_ASIDE", "always")
    aside_run = run_tfsg(command, str(path), "--format", "json")
    monkeypatch.setenv("TFSG_CHECK_ASIDE", "off")
    inline_run = run_tfsg(command, str(path), "--format", "json")
    assert aside_run.returncode == inline_run.returncode == 2
    assert aside_run.stdout == inline_run.stdout == b""
    assert aside_run.stderr == inline_run.stderr
    assert f"resource_changes[{index}].change.after.ingress" in aside_run.stderr.decode()
    assert aside_run.stderr.decode().count("\n") == 1 and "Traceback" not in aside_run.stderr.decode()


@pytest.mark.parametrize("command", ["show", "diff", "check"])
def test_a_valid_plan_checked_aside_gives_the_same_report(command, monkeypatch):
    monkeypatch.setenv("TFSG_CHECK_ASIDE", "always")
    aside_run = run_tfsg(command, str(PLAN), "--format", "json")
    monkeypatch.setenv("TFSG_CHECK_ASIDE", "off")
    inline_run = run_tfsg(command, str(PLAN), "--format", "json")
    assert aside_run.returncode == inline_run.returncode
    assert aside_run.stdout == inline_run.stdout and aside_run.stdout


def test_settle_raises_what_the_child_found(tmp_path, monkeypatch):
    path, index = _broken(tmp_path, 0)
    monkeypatch.setenv("TFSG_CHECK_ASIDE", "always")
    aside.enable()
    try:
        load_document(str(path))  # returns: the check runs aside
        with pytest.raises(InputError, match=rf"resource_changes\[{index}\]\.change\.after\.ingress"):
            aside.settle()
        aside.settle()  # settled once: nothing left
    finally:
        aside.enable(False)


def test_a_child_that_cannot_say_is_not_trusted(tmp_path, monkeypatch):
    """Killed before it answers (out of memory, say): the parent checks again itself."""
    path, index = _broken(tmp_path, 0)
    monkeypatch.setenv("TFSG_CHECK_ASIDE", "always")
    aside.enable()
    try:
        load_document(str(path))
        pid = aside._pending[0].pid
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(InputError, match=rf"resource_changes\[{index}\]"):
            aside.settle()
    finally:
        aside.enable(False)


def test_off_by_default_for_library_callers(tmp_path, monkeypatch):
    """Not enabled (a library caller): load_document checks before it returns."""
    path, _ = _broken(tmp_path)
    monkeypatch.setenv("TFSG_CHECK_ASIDE", "always")
    with pytest.raises(InputError):
        load_document(str(path))
    assert not aside._pending


@pytest.mark.parametrize("case", ["three_tier", "engine_longer_paths", "microservices_mesh", "new_path_to_db",
                                  "sensitive_rules", "sensitive_set_words", "verdict_module_args", "module_dynamic",
                                  "refactor_inline_to_rules", "gate_narrow_and_grow", "engine_unknown_blocks"])
@pytest.mark.parametrize("command", ["show", "diff", "check"])
def test_paths_computed_in_a_child_are_the_same_report(case, command, monkeypatch):
    """forked.py: the group paths of a large graph, and the second half of its rule sources
    (sources/build), read in forked children (forced here on small plans) give the
    byte-identical report of the same work done in line: sensitive labels numbered in plan
    order, an update plan's reused rules, module inputs."""
    plan = str(FIXTURES / case / "plan.json")
    monkeypatch.setenv("TFSG_FORK", "always")
    forked = run_tfsg(command, plan, "--format", "json")
    monkeypatch.setenv("TFSG_FORK", "off")
    inline = run_tfsg(command, plan, "--format", "json")
    assert forked.returncode == inline.returncode and forked.returncode in (0, 1)
    assert forked.stdout == inline.stdout and b'"paths' in forked.stdout


def test_a_child_that_fails_leaves_the_parent_to_compute():
    from tfsg.forked import Forked

    calls = []

    def fn():
        calls.append(os.getpid())
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return [1, 2]

    parent = os.getpid()
    handle = Forked(fn)
    assert handle.result() == [1, 2] and handle.result() is handle.result()
    assert calls == [parent]  # (the child's call was in its own memory)
