"""The GitHub Action's step: ``python -m tfsg.action.run``.

Reads the action's inputs from the environment (action.yml maps each input to one variable,
never through ``${{ }}`` in a script), runs ``tfsg check`` as a subprocess of this same Python
with ``--format github`` on stdout (annotations) and the JSON, Markdown and SARIF reports in
files, appends the Markdown to the job summary, writes the step outputs, and keeps the sticky
pull-request comment up to date. Exits with the gate's code: 0 pass, 1 blocking finding,
2 tfsg (or the action) could not run.

Environment:
  INPUT_PLAN, INPUT_PATH, INPUT_BASE, INPUT_CONFIG, INPUT_FAIL_ON, INPUT_COMMENT,
  INPUT_SARIF_FILE, INPUT_GITHUB_TOKEN, INPUT_WORKING_DIRECTORY      the action's inputs
  GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_SERVER_URL,
  GITHUB_RUN_ID, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP     set by the runner

Paths in inputs (plan, path, config, sarif-file) are relative to working-directory. tfsg runs
from the job's working directory (the workspace, the repository root), so the file names in
annotations and SARIF are relative to the repository as GitHub expects.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from . import comment as gh_comment

COMMENT_MODES = ("update", "new", "off")
SEVERITIES = ("info", "low", "medium", "high", "critical")
SECRET_INPUTS = ("INPUT_GITHUB_TOKEN", "INPUT_GITHUB-TOKEN")  # not passed on to tfsg or terraform
SUMMARY_LIMIT = 1_000_000  # bytes; GitHub refuses a step summary over 1 MiB


class ActionError(Exception):
    """An input or environment the action cannot work with (exit 2, no comment)."""


# -- workflow commands -----------------------------------------------------------------------

def command(kind: str, message: str, **props: str) -> None:
    """``::warning title=..::message`` on stdout; the message may span lines."""
    from ..report.github import command as workflow_command  # escaped as @actions/core does

    sys.stdout.write(workflow_command(kind, message.rstrip(), **props) + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    sys.stdout.write(f"tfsg: {message}\n")
    sys.stdout.flush()


# -- inputs ----------------------------------------------------------------------------------

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
                      working_directory=get("working-directory", "."))


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


def _key(inputs: Inputs) -> str:
    joined = os.path.join(inputs.working_directory, inputs.plan or inputs.path)
    return Path(os.path.normpath(joined)).as_posix()


def _files_dir(env: dict, key: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-.")[:60] or "root"
    slug += "-" + hashlib.sha256(key.encode()).hexdigest()[:8]
    base = env.get("RUNNER_TEMP") or tempfile.gettempdir()
    path = Path(base) / f"tfsg-{slug}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def prepare(inputs: Inputs, env: dict, event: dict, workspace: Path) -> Plan:
    if inputs.comment not in COMMENT_MODES:
        raise ActionError(f"input comment must be one of {', '.join(COMMENT_MODES)}, not {inputs.comment!r}")
    if inputs.fail_on and inputs.fail_on not in SEVERITIES:
        raise ActionError(f"input fail-on must be one of {', '.join(SEVERITIES)}, not {inputs.fail_on!r}")
    if inputs.plan and inputs.path:
        raise ActionError("give either plan (a Terraform plan) or path (a directory of .tf files), not both")
    if not inputs.plan and not inputs.path:
        raise ActionError("give plan (a Terraform plan, JSON or binary) or path (a directory of .tf files)")
    wd = (workspace / inputs.working_directory).resolve()
    if not wd.is_dir():
        raise ActionError(f"working-directory {inputs.working_directory!r} is not a directory")

    key = _key(inputs)
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
        if inputs.base:
            say("input base applies to HCL mode (path) only; ignored for a plan")
        if not _is_json(plan):
            plan = _show_json(plan, wd, files / "plan.json", child_env(env))
        if not any(plan.parent.glob("*.tf")) and any(wd.glob("*.tf")):
            # a converted plan, or one written elsewhere: tfsg finds the sources beside a plan only
            extra += ["--source", _rel(wd, workspace)]
        target = _rel(plan, workspace)
    else:
        directory = (wd / inputs.path).resolve()
        if not directory.is_dir():
            raise ActionError(f"path {_rel(directory, workspace)} is not a directory")
        target = _rel(directory, workspace)
        base = inputs.base or _event_base(env, event)
        if base:
            _ensure_commit(base, directory)
            extra += ["--base", base]
        else:
            say("no base revision (no base input, and the event names none): nothing to compare with")

    config = _config(inputs, wd, workspace)
    if config:
        extra += ["--config", config]
    if inputs.fail_on:
        extra += ["--fail-on", inputs.fail_on]
    args = [sys.executable, "-m", "tfsg", "check", target, "--format", "github",
            "--json", str(json_file), "--markdown", str(markdown_file), "--sarif", str(sarif), *extra]
    return Plan(key, target, args, json_file, markdown_file, sarif)


def _is_json(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def child_env(env: dict) -> dict:
    return {k: v for k, v in env.items() if k not in SECRET_INPUTS}


def _show_json(plan: Path, wd: Path, out: Path, env: dict) -> Path:
    """A binary plan through ``terraform show -json`` (or OpenTofu's ``tofu``) in working-directory."""
    exe = shutil.which("terraform") or shutil.which("tofu")
    if not exe:
        raise ActionError(f"{plan.name} is not JSON (a binary plan?) and neither terraform nor tofu is on PATH; "
                          "set up Terraform before this step or pass the output of `terraform show -json`")
    say(f"{Path(exe).name} show -json {plan.name} (in {wd})")
    proc = subprocess.run([exe, "show", "-no-color", "-json", str(plan)], check=False, cwd=wd, env=env,
                          capture_output=True)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip() or proc.stdout.decode("utf-8", "replace").strip()
        raise ActionError(f"{Path(exe).name} show -json {plan.name} failed (exit {proc.returncode}): {detail[-2000:]}")
    text = proc.stdout.decode("utf-8", "replace")
    # hashicorp/setup-terraform's wrapper adds "[command]..." and other lines around the JSON
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("{")), None)
    end = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].rstrip().endswith("}")), None)
    if start is None or end is None or end < start:
        raise ActionError(f"{Path(exe).name} show -json {plan.name} printed no JSON")
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


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], check=False, cwd=cwd, capture_output=True, text=True)


def _ensure_commit(rev: str, cwd: Path) -> None:
    """The base commit must be in the clone; a shallow checkout (fetch-depth 1) lacks it."""
    if shutil.which("git") is None:
        raise ActionError("git is not on PATH; HCL mode with a base revision needs it")
    if _git(["cat-file", "-e", f"{rev}^{{commit}}"], cwd).returncode == 0:
        return
    if not re.fullmatch(r"[0-9a-fA-F]{7,40}", rev):
        return  # a ref name: tfsg says what is wrong with it
    shallow = _git(["rev-parse", "--is-shallow-repository"], cwd).stdout.strip() == "true"
    say(f"fetching base commit {rev[:12]}")
    fetch = _git(["fetch", "--no-tags", "--quiet", *(["--depth=1"] if shallow else []), "origin", rev], cwd)
    if fetch.returncode != 0 or _git(["cat-file", "-e", f"{rev}^{{commit}}"], cwd).returncode != 0:
        raise ActionError(f"base commit {rev} is not in the clone and could not be fetched "
                          f"({fetch.stderr.strip() or 'no detail'}); use actions/checkout with fetch-depth: 0")


def _config(inputs: Inputs, wd: Path, workspace: Path) -> str:
    """The configuration file to pass: the input, else the nearest .tfsg.yml from the working
    directory up to the repository root (tfsg runs from the workspace, so it is found here)."""
    if inputs.config:
        path = (wd / inputs.config).resolve()
        if not path.is_file():
            raise ActionError(f"config {_rel(path, workspace)} does not exist (is it relative to working-directory?)")
        return _rel(path, workspace)
    from ..policy.load import find_config  # the CLI's own discovery, started where the user works

    found = find_config(str(wd))
    if found is None or workspace not in Path(found).resolve().parents:
        return ""
    return _rel(Path(found).resolve(), workspace)


# -- reporting -------------------------------------------------------------------------------

def load_event(env: dict) -> dict:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        command("warning", f"cannot read the event payload {path}: {exc}", title="tfsg")
        return {}
    return data if isinstance(data, dict) else {}


def write_outputs(env: dict, values: dict[str, str]) -> None:
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            while delimiter in value:
                delimiter = f"ghadelimiter_{uuid.uuid4()}"
            fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def write_summary(env: dict, markdown: str) -> None:
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    if len(markdown.encode("utf-8")) > SUMMARY_LIMIT:
        markdown = gh_comment.fit(markdown, SUMMARY_LIMIT // 3)  # <= 3 UTF-8 bytes per UTF-16 unit
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(markdown.rstrip("\n") + "\n\n")
    except OSError as exc:
        command("warning", f"cannot write the job summary {path}: {exc}", title="tfsg")


def error_markdown(key: str, message: str) -> str:
    fence = "````" if "```" in message else "```"
    return (f"## tfsg could not check `{key}`\n\nThe gate did not run to the end (exit 2), so this change "
            f"is neither passed nor blocked by it:\n\n{fence}\n{message.strip()}\n{fence}\n")


def footer(env: dict, event: dict, key: str) -> str:
    parts = [f"`{key}`"]  # the report's own header names the tfsg version
    sha = (((event.get("pull_request") or {}).get("head") or {}).get("sha")) or env.get("GITHUB_SHA", "")
    if sha:
        parts.append(f"commit {sha[:7]}")
    server, repo, run_id = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    if server and repo and run_id:
        parts.append(f"[workflow run]({server.rstrip('/')}/{repo}/actions/runs/{run_id})")
    return "<sub>" + " · ".join(parts) + "</sub>"


def pr_number(event: dict) -> int | None:
    pr = event.get("pull_request")
    if not isinstance(pr, dict):
        return None
    number = pr.get("number", event.get("number"))
    return number if isinstance(number, int) else None


def from_fork(env: dict, event: dict) -> bool:
    """A pull_request event from another repository runs with a read-only token
    (pull_request_target runs in the base repository's context and may write)."""
    if env.get("GITHUB_EVENT_NAME", "pull_request") == "pull_request_target":
        return False
    pr = event.get("pull_request") or {}
    head = ((pr.get("head") or {}).get("repo") or {}).get("full_name")
    base = ((pr.get("base") or {}).get("repo") or {}).get("full_name") or env.get("GITHUB_REPOSITORY")
    return head != base


def post_comment(inputs: Inputs, env: dict, event: dict, key: str, markdown: str) -> None:
    """Never fails the step: every problem is one warning line."""
    if inputs.comment == "off":
        return
    number = pr_number(event)
    if number is None:
        say("not a pull request event: no comment")
        return
    if from_fork(env, event):
        command("warning", f"pull request #{number} comes from a fork, whose token is read-only: no comment; "
                "the report is in the job summary and the annotations", title="tfsg")
        return
    if not inputs.github_token:
        command("warning", "no github-token: no pull request comment; the report is in the job summary",
                title="tfsg")
        return
    body = gh_comment.compose(markdown, key, footer(env, event, key))
    try:
        gh = gh_comment.GitHub(inputs.github_token, env.get("GITHUB_REPOSITORY", ""), env.get("GITHUB_API_URL"))
        done = gh_comment.post(gh, number, body, key, inputs.comment)
    except gh_comment.GitHubError as exc:
        why = (" (the token cannot write here: pull requests from forks get a read-only token; the job "
               "needs permissions: pull-requests: write)") if exc.read_only else ""
        command("warning", f"could not comment on pull request #{number}: {exc.message}{why}; "
                "the report is in the job summary and the annotations", title="tfsg")
        return
    except ValueError as exc:
        command("warning", f"could not comment on pull request #{number}: {exc}", title="tfsg")
        return
    left = f" ({done.others} comment(s) by others with the same marker left alone)" if done.others else ""
    say(f"pull request comment {done.action}: {done.url or done.id}{left}")


# -- the step --------------------------------------------------------------------------------

def run(env: dict, workspace: Path) -> int:
    inputs = Inputs.from_env(env)
    event = load_event(env)
    try:
        plan = prepare(inputs, env, event, workspace)
    except ActionError as exc:
        command("error", str(exc), title="tfsg: cannot run")
        write_summary(env, error_markdown(_key(inputs) if (inputs.plan or inputs.path) else ".", str(exc)))
        write_outputs(env, {"findings": "", "blocking": "", "exit-code": "2", "sarif-file": ""})
        return 2

    say("running " + " ".join(_quote(a) for a in ["tfsg", *plan.args[3:]]))
    proc = subprocess.run(plan.args, check=False, cwd=workspace, env=child_env(env), stdout=None,
                          stderr=subprocess.PIPE)
    stderr = proc.stderr.decode("utf-8", "replace")
    code = proc.returncode if proc.returncode in (0, 1, 2) else 2

    result, problem, markdown = None, "", ""
    if code in (0, 1):
        try:
            result = json.loads(plan.json_file.read_text(encoding="utf-8"))
            markdown = plan.markdown_file.read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:
            problem = f"tfsg exited {code} but its reports could not be read: {exc}"
            code = 2
    else:
        problem = stderr.strip() or f"tfsg exited {proc.returncode} without a message"
    if stderr.strip() and code != 2:
        sys.stderr.write(stderr)
    if code == 2:
        command("error", problem, title="tfsg could not run")
        markdown = error_markdown(plan.key, problem)

    write_summary(env, markdown)
    sarif = str(plan.sarif_file) if code in (0, 1) and plan.sarif_file.is_file() else ""
    findings = result.get("findings") if isinstance(result, dict) else None
    verdict = result.get("verdict") if isinstance(result, dict) else None
    write_outputs(env, {
        "findings": str(len(findings)) if isinstance(findings, list) else "",
        "blocking": str(verdict.get("blocking", "")) if isinstance(verdict, dict) else "",
        "exit-code": str(code),
        "sarif-file": sarif,
    })
    post_comment(inputs, env, event, plan.key, markdown)
    say({0: "pass", 1: "blocking findings (exit 1)", 2: "tfsg could not run (exit 2)"}[code])
    return code


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


def main() -> int:
    try:
        return run(dict(os.environ), Path.cwd().resolve())
    except Exception as exc:  # the action's own bug: say so, exit 2, never a traceback-only failure
        command("error", f"internal error in the tfsg action: {type(exc).__name__}: {exc}", title="tfsg")
        try:
            write_outputs(dict(os.environ), {"findings": "", "blocking": "", "exit-code": "2", "sarif-file": ""})
        except OSError:
            pass
        if os.environ.get("RUNNER_DEBUG") == "1":
            raise
        return 2


if __name__ == "__main__":
    sys.exit(main())
