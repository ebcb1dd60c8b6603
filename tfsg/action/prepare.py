"""The action's inputs -> the ``tfsg check`` command line, within the action's time limit.

Paths in inputs (plan, path, config, sarif-file) are relative to working-directory. tfsg runs
from the job's working directory (the workspace, the repository root), so the file names in
annotations and SARIF are relative to the repository as GitHub expects.

Policy trust: on a pull request the branch under review brings its own ``.tfsg.yml`` and
``tfsg:ignore`` comments. ``config-from: base`` (the default on pull request events) judges the
change by the configuration of the pull request's base commit, read from git; that commit is
fetched when the checkout lacks it, and an error (exit 2) when it cannot be had.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .log import say

COMMENT_MODES = ("update", "new", "off")
SEVERITIES = ("info", "low", "medium", "high", "critical")
TRUST = ("base", "head")
SECRET_INPUTS = ("INPUT_GITHUB_TOKEN", "INPUT_GITHUB-TOKEN")  # not passed on to tfsg or terraform
DEFAULT_TIMEOUT_MINUTES = "10"


class ActionError(Exception):
    """An input or environment the action cannot work with (exit 2, no comment)."""


class TimedOut(ActionError):
    """The action's wall-clock limit (input timeout-minutes) passed."""


@dataclass(frozen=True)
class Inputs:
    plan: str
    path: str
    base: str
    config: str
    fail_on: str
    comment: str
    sarif_file: str
    github_token: str
    working_directory: str
    timeout_minutes: str = DEFAULT_TIMEOUT_MINUTES
    config_from: str = ""  # "": base on pull request events, head otherwise
    waivers_from: str = "head"

    @staticmethod
    def from_env(env: dict) -> Inputs:
        def get(name: str, default: str = "") -> str:
            # action.yml maps "fail-on" to INPUT_FAIL_ON; the runner's own convention for
            # JavaScript actions would be INPUT_FAIL-ON: both are read.
            for var in (f"INPUT_{name.upper().replace('-', '_')}", f"INPUT_{name.upper()}"):
                value = env.get(var)
                if value is not None and value.strip():
                    return value.strip()
            return default

        return Inputs(plan=get("plan"), path=get("path"), base=get("base"), config=get("config"),
                      fail_on=get("fail-on").lower(), comment=get("comment", "update").lower(),
                      sarif_file=get("sarif-file"), github_token=get("github-token"),
                      working_directory=get("working-directory", "."),
                      timeout_minutes=get("timeout-minutes", DEFAULT_TIMEOUT_MINUTES),
                      config_from=get("config-from").lower(), waivers_from=get("waivers-from", "head").lower())


@dataclass
class Deadline:
    """The wall-clock limit of the whole step: terraform show, git fetch and tfsg check."""

    minutes: float
    start: float = field(default_factory=time.monotonic)

    @staticmethod
    def parse(text: str) -> Deadline:
        try:
            minutes = float(text)
        except ValueError:
            minutes = float("nan")
        if not minutes > 0 or minutes == float("inf"):
            raise ActionError(f"input timeout-minutes must be a positive number of minutes, not {text!r}")
        return Deadline(minutes)

    def left(self) -> float:
        return max(0.0, self.start + self.minutes * 60 - time.monotonic())

    def expired(self, what: str) -> TimedOut:
        shown = f"{self.minutes:g} minute{'' if self.minutes == 1 else 's'}"
        return TimedOut(f"{what} did not finish within {shown} (input timeout-minutes) and was stopped, so this "
                        "change is neither passed nor blocked; raise timeout-minutes if the plan is this large")


def run_bounded(args: list[str], deadline: Deadline, what: str, **kwargs) -> subprocess.CompletedProcess:
    """``subprocess.run`` that kills the process when the deadline passes (TimedOut)."""
    proc = subprocess.Popen(args, **kwargs)
    try:
        out, err = proc.communicate(timeout=deadline.left())
    except subprocess.TimeoutExpired:
        proc.kill()
        try:  # reap it; a grandchild holding the pipes open is not waited for long
            proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        raise deadline.expired(what) from None
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


@dataclass
class Plan:
    """What to run and where the reports go."""

    key: str  # names the sticky comment: working directory and plan or path
    target: str  # as passed to tfsg, relative to the workspace when inside it
    args: list[str]
    json_file: Path
    markdown_file: Path
    sarif_file: Path


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)


def key_of(inputs: Inputs) -> str:
    joined = os.path.join(inputs.working_directory, inputs.plan or inputs.path)
    return Path(os.path.normpath(joined)).as_posix()


def _files_dir(env: dict, key: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-.")[:60] or "root"
    slug += "-" + hashlib.sha256(key.encode()).hexdigest()[:8]
    base = env.get("RUNNER_TEMP") or tempfile.gettempdir()
    path = Path(base) / f"tfsg-{slug}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _check_inputs(inputs: Inputs) -> None:
    for name, value, allowed in (("comment", inputs.comment, COMMENT_MODES), ("config-from", inputs.config_from, TRUST),
                                 ("waivers-from", inputs.waivers_from, TRUST), ("fail-on", inputs.fail_on, SEVERITIES)):
        if value and value not in allowed:
            raise ActionError(f"input {name} must be one of {', '.join(allowed)}, not {value!r}")
    if inputs.base.startswith("-"):
        raise ActionError(f"input base must be a git revision, not {inputs.base!r}")
    if inputs.plan and inputs.path:
        raise ActionError("give either plan (a Terraform plan) or path (a directory of .tf files), not both")
    if not inputs.plan and not inputs.path:
        raise ActionError("give plan (a Terraform plan, JSON or binary) or path (a directory of .tf files)")


def prepare(inputs: Inputs, env: dict, event: dict, workspace: Path, deadline: Deadline) -> Plan:
    _check_inputs(inputs)
    wd = (workspace / inputs.working_directory).resolve()
    if not wd.is_dir():
        raise ActionError(f"working-directory {inputs.working_directory!r} is not a directory")
    # on a pull request, the base's configuration judges the change: the branch cannot weaken it
    config_from = inputs.config_from or ("base" if isinstance(event.get("pull_request"), dict) else "head")
    trusting_base = "base" in (config_from, inputs.waivers_from)
    base = inputs.base or _event_base(env, event)
    if trusting_base and not base:
        raise ActionError("config-from or waivers-from is base, but there is no base revision (the event names "
                          "none): give input base, or config-from: head")

    key = key_of(inputs)
    files = _files_dir(env, key)
    json_file, markdown_file = files / "report.json", files / "report.md"
    sarif = Path(inputs.sarif_file) if inputs.sarif_file else files / "tfsg.sarif"
    sarif = (wd / sarif).resolve() if not sarif.is_absolute() else sarif
    sarif.parent.mkdir(parents=True, exist_ok=True)
    for stale in (json_file, markdown_file, sarif):  # a report from an earlier run is not this one's
        stale.unlink(missing_ok=True)

    extra: list[str] = []
    if inputs.plan:
        plan = (wd / inputs.plan).resolve()
        if not plan.is_file():
            raise ActionError(f"plan {_rel(plan, workspace)} does not exist (is it relative to working-directory?)")
        if not _is_json(plan):
            plan = _show_json(plan, wd, files / "plan.json", child_env(env), deadline)
        if not any(plan.parent.glob("*.tf")) and any(wd.glob("*.tf")):
            # a converted plan, or one written elsewhere: tfsg finds the sources beside a plan only
            extra += ["--source", _rel(wd, workspace)]
        target = _rel(plan, workspace)
        if base:  # a plan holds both sides; the base revision is for the configuration and waivers
            try:
                _ensure_commit(base, wd, deadline)
                extra += ["--base", base]
            except TimedOut:
                raise
            except ActionError as exc:
                if trusting_base:
                    raise
                say(f"{exc}: the configuration and waivers are not compared with the base")
    else:
        directory = (wd / inputs.path).resolve()
        if not directory.is_dir():
            raise ActionError(f"path {_rel(directory, workspace)} is not a directory")
        target = _rel(directory, workspace)
        if base:
            _ensure_commit(base, directory, deadline)
            extra += ["--base", base]
        else:
            say("no base revision (no base input, and the event names none): nothing to compare with")

    extra += _config_args(inputs, wd, workspace, config_from)
    if inputs.fail_on:
        extra += ["--fail-on", inputs.fail_on]
    args = [sys.executable, "-m", "tfsg", "check", target, "--format", "github",
            "--json", str(json_file), "--markdown", str(markdown_file), "--sarif", str(sarif), *extra]
    return Plan(key, target, args, json_file, markdown_file, sarif)


def _config_args(inputs: Inputs, wd: Path, workspace: Path, config_from: str) -> list[str]:
    """The configuration options. The config input is the workflow's (trusted, may name files
    anywhere); without it tfsg looks from working-directory up to the repository root itself,
    so a configuration found in the branch under review names files inside the repository only."""
    out = ["--config-from", config_from, "--waivers-from", inputs.waivers_from]
    if inputs.config:
        path = (wd / inputs.config).resolve()
        if not path.is_file() and config_from == "head":
            raise ActionError(f"config {_rel(path, workspace)} does not exist (is it relative to working-directory?)")
        return out + ["--config", _rel(path, workspace)]
    return out + ["--config-search", _rel(wd, workspace)]


def _is_json(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def child_env(env: dict) -> dict:
    return {k: v for k, v in env.items() if k not in SECRET_INPUTS}


def _show_json(plan: Path, wd: Path, out: Path, env: dict, deadline: Deadline) -> Path:
    """A binary plan through ``terraform show -json`` (or OpenTofu's ``tofu``) in working-directory."""
    exe = shutil.which("terraform") or shutil.which("tofu")
    if not exe:
        raise ActionError(f"{plan.name} is not JSON (a binary plan?) and neither terraform nor tofu is on PATH; "
                          "set up Terraform before this step or pass the output of `terraform show -json`")
    name = Path(exe).name
    say(f"{name} show -json {plan.name} (in {wd})")
    proc = run_bounded([exe, "show", "-no-color", "-json", str(plan)], deadline, f"{name} show -json",
                       cwd=wd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip() or proc.stdout.decode("utf-8", "replace").strip()
        raise ActionError(f"{name} show -json {plan.name} failed (exit {proc.returncode}): {detail[-2000:]}")
    text = proc.stdout.decode("utf-8", "replace")
    # hashicorp/setup-terraform's wrapper adds "[command]..." and other lines around the JSON
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("{")), None)
    end = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].rstrip().endswith("}")), None)
    if start is None or end is None or end < start:
        raise ActionError(f"{name} show -json {plan.name} printed no JSON")
    out.write_text("\n".join(lines[start:end + 1]) + "\n", encoding="utf-8")
    return out


def _event_base(env: dict, event: dict) -> str:
    pr = event.get("pull_request")
    if isinstance(pr, dict):
        return str(((pr.get("base") or {}).get("sha")) or "")
    before = event.get("before")
    if env.get("GITHUB_EVENT_NAME") == "push" and isinstance(before, str) and before.strip("0"):
        return before
    return ""


def _git(args: list[str], cwd: Path, deadline: Deadline) -> subprocess.CompletedProcess:
    proc = run_bounded(["git", *args], deadline, "git " + args[0], cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def _ensure_commit(rev: str, cwd: Path, deadline: Deadline) -> None:
    """The base commit must be in the clone; a shallow checkout (fetch-depth 1) lacks it."""
    if shutil.which("git") is None:
        raise ActionError("git is not on PATH; comparing with a base revision needs it")
    if _git(["cat-file", "-e", f"{rev}^{{commit}}"], cwd, deadline).returncode == 0:
        return
    if not re.fullmatch(r"[0-9a-fA-F]{7,40}", rev):
        return  # a ref name: tfsg says what is wrong with it
    shallow = _git(["rev-parse", "--is-shallow-repository"], cwd, deadline).stdout.strip() == "true"
    say(f"fetching base commit {rev[:12]}")
    fetch = _git(["fetch", "--no-tags", "--quiet", *(["--depth=1"] if shallow else []), "origin", rev], cwd, deadline)
    if fetch.returncode != 0 or _git(["cat-file", "-e", f"{rev}^{{commit}}"], cwd, deadline).returncode != 0:
        raise ActionError(f"base commit {rev} is not in the clone and could not be fetched "
                          f"({fetch.stderr.strip() or 'no detail'}); use actions/checkout with fetch-depth: 0")
