"""The GitHub Action's step: ``python -m tfsg.action.run``.

Reads the action's inputs from the environment (action.yml maps each input to one variable,
never through ``${{ }}`` in a script), runs ``tfsg check`` as a subprocess of this same Python
with ``--format github`` on stdout (annotations) and the JSON, Markdown and SARIF reports in
files, appends the Markdown to the job summary, writes the step outputs, and keeps the sticky
pull-request comment up to date. Exits with the gate's code: 0 pass, 1 blocking finding,
2 tfsg (or the action) could not run.

Environment:
  INPUT_PLAN, INPUT_PATH, INPUT_BASE, INPUT_CONFIG, INPUT_FAIL_ON, INPUT_COMMENT,
  INPUT_SARIF_FILE, INPUT_GITHUB_TOKEN, INPUT_WORKING_DIRECTORY, INPUT_TIMEOUT_MINUTES,
  INPUT_CONFIG_FROM, INPUT_WAIVERS_FROM                              the action's inputs
  GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_SERVER_URL,
  GITHUB_RUN_ID, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP     set by the runner

The inputs become a command line in prepare.py. Everything written to Markdown (the comment,
the job summary) that the action did not write itself (a key, an error message that may quote
the branch under review) goes through mdsafe.py; log lines through log.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

from . import comment as gh_comment
from .log import command, passthrough, say
from .mdsafe import code_block, inline
from .prepare import ActionError, Deadline, Inputs, TimedOut, child_env, key_of, prepare, run_bounded

SUMMARY_LIMIT = 1_000_000  # bytes; GitHub refuses a step summary over 1 MiB


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
    """The comment and summary when tfsg could not run: the message verbatim in a code block
    (it may quote the branch under review: paths, YAML, terraform's output)."""
    return (f"## tfsg could not check {inline(key)}\n\nThe gate did not run to the end (exit 2), so this change "
            f"is neither passed nor blocked by it:\n\n{code_block(message.strip())}\n")


def footer(env: dict, event: dict, key: str) -> str:
    parts = [inline(key)]  # the report's own header names the tfsg version
    sha = (((event.get("pull_request") or {}).get("head") or {}).get("sha")) or env.get("GITHUB_SHA", "")
    if isinstance(sha, str) and re.fullmatch(r"[0-9a-fA-F]{7,64}", sha):
        parts.append(f"commit {sha[:7]}")
    server, repo = env.get("GITHUB_SERVER_URL", ""), env.get("GITHUB_REPOSITORY", "")
    run_id = env.get("GITHUB_RUN_ID", "")
    # the runner sets these; checked anyway, since they become a link
    if (re.fullmatch(r"https?://[A-Za-z0-9.:-]+/?", server) and re.fullmatch(r"[\w.-]+/[\w.-]+", repo)
            and run_id.isdigit()):
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
    key = key_of(inputs) if (inputs.plan or inputs.path) else "."
    try:
        deadline = Deadline.parse(inputs.timeout_minutes)
        plan = prepare(inputs, env, event, workspace, deadline)
    except ActionError as exc:
        command("error", str(exc), title="tfsg: cannot run")
        markdown = error_markdown(key, str(exc))
        write_summary(env, markdown)
        write_outputs(env, {"findings": "", "blocking": "", "exit-code": "2", "sarif-file": ""})
        if isinstance(exc, TimedOut):  # not a mistake in the inputs: the pull request hears of it
            post_comment(inputs, env, event, key, markdown)
        return 2

    say("running " + " ".join(_quote(a) for a in ["tfsg", *plan.args[3:]]))
    try:
        proc = run_bounded(plan.args, deadline, "tfsg check", cwd=workspace, env=child_env(env), stdout=None,
                           stderr=subprocess.PIPE)
        stderr = proc.stderr.decode("utf-8", "replace")
        code = proc.returncode if proc.returncode in (0, 1, 2) else 2
    except TimedOut as exc:
        proc, stderr, code = None, str(exc), 2

    result, problem, markdown = None, "", ""
    if code in (0, 1):
        try:
            result = json.loads(plan.json_file.read_text(encoding="utf-8"))
            markdown = plan.markdown_file.read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:
            problem = f"tfsg exited {code} but its reports could not be read: {exc}"
            code = 2
    else:
        problem = stderr.strip() or f"tfsg exited {proc.returncode if proc else '?'} without a message"
    if stderr.strip() and code != 2:
        passthrough(stderr)
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
