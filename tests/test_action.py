"""The GitHub Action, run as a runner would run it, against a local stand-in of GitHub's REST API.

``run_action`` reads action.yml and executes its composite steps: it evaluates the ``${{ }}``
expressions of each step's ``env:`` (inputs, step outputs, github.token), gives each step its own
GITHUB_OUTPUT and GITHUB_STEP_SUMMARY file, runs each ``run:`` block with ``bash --noprofile
--norc -eo pipefail`` as GitHub does, skips the steps after a failing one, and evaluates the
action's outputs. Only two steps are stood in for: actions/setup-python and the pip install of
the action's checkout (their outputs are this interpreter, where tfsg is installed). Everything
else is the real thing: ``python -m tfsg.action.run`` running ``tfsg check`` on real fixtures
and talking HTTP to tests/github_standin.py. No network beyond 127.0.0.1.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT
from github_standin import BOT, GitHubStandIn

from tfsg.action import comment as ghc
from tfsg.action import run as action_run

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
REPO = "octo-org/infra"
TOKEN = "test-token"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
NEEDED_FLAGS = ("--format", "--json", "--markdown", "--sarif")


@functools.cache
def _check_help() -> str:
    proc = subprocess.run([sys.executable, "-m", "tfsg", "check", "--help"], check=False, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})
    return proc.stdout


def needs_cli(*flags: str):
    """End-to-end cases need `tfsg check` with the report-file flags (and --base for HCL mode)."""
    text = _check_help()
    missing = [f for f in (*NEEDED_FLAGS, *flags) if f not in text]
    if "github" not in text:
        missing.append("--format github")
    return pytest.mark.skipif(bool(missing), reason="`tfsg check --help` lacks " + ", ".join(missing)
                              + ": the action runs tfsg check with them")


# -- a runner for action.yml -----------------------------------------------------------------

def parse_file_commands(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: NAME=VALUE lines and NAME<<DELIMITER blocks."""
    out: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)  # ValueError = the runner's "Matching delimiter not found"
            out[name] = "\n".join(lines[i + 1:end])
            i = end + 1
        else:
            name, value = line.split("=", 1)
            out[name] = value
            i += 1
    return out


@dataclass
class ActionRun:
    code: int
    outputs: dict[str, str]
    steps: dict[str, dict[str, str]]
    stdout: str
    stderr: str
    summary: str


def run_action(workspace: Path, env: dict[str, str], **with_: str) -> ActionRun:
    """Run action.yml's steps with the given inputs (``fail_on=`` for ``fail-on``)."""
    given = {k.replace("_", "-"): v for k, v in with_.items()}
    unknown = set(given) - set(ACTION["inputs"])
    assert not unknown, f"not inputs of action.yml: {unknown}"
    runner = Path(env["RUNNER_TEMP"])
    ctx = {"github.token": TOKEN}

    def evaluate(value: str) -> str:
        def one(m: re.Match) -> str:
            expr = m.group(1)
            if expr in ctx:
                return ctx[expr]
            if expr.startswith("inputs."):
                return inputs[expr[len("inputs."):]]
            found = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
            if found:
                return steps.get(found.group(1), {}).get(found.group(2), "")
            raise AssertionError(f"the test runner does not evaluate ${{{{ {expr} }}}}")
        return EXPR.sub(one, str(value))

    inputs: dict[str, str] = {}
    steps: dict[str, dict[str, str]] = {}
    for name, spec in ACTION["inputs"].items():
        inputs[name] = evaluate(given[name]) if name in given else evaluate(spec.get("default", ""))
    stdout, stderr, summary, code = [], [], [], 0
    for n, step in enumerate(ACTION["runs"]["steps"]):
        if code != 0 and "always()" not in str(step.get("if", "")):
            continue
        sid = step.get("id", f"__{n}")
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@"), step["uses"]
            assert step["with"]["update-environment"] is False  # leaves the job's PATH alone
            steps[sid] = {"python-path": sys.executable, "python-version": "3"}
            continue
        if sid == "install":  # pip install "$GITHUB_ACTION_PATH" into a venv: this interpreter has tfsg
            steps[sid] = {"python": sys.executable}
            continue
        assert step.get("shell") == "bash"
        script = runner / f"step-{n}.sh"
        script.write_text(step["run"], encoding="utf-8")
        out_file, sum_file = runner / f"output-{n}", runner / f"summary-{n}"
        out_file.write_text("")
        sum_file.write_text("")
        step_env = {**env, "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_OUTPUT": str(out_file),
                    "GITHUB_STEP_SUMMARY": str(sum_file)}
        step_env.update({k: evaluate(v) for k, v in (step.get("env") or {}).items()})
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], check=False, cwd=workspace,
                              env=step_env, capture_output=True, text=True, timeout=60)
        stdout.append(proc.stdout)
        stderr.append(proc.stderr)
        summary.append(sum_file.read_text(encoding="utf-8"))
        steps[sid] = parse_file_commands(out_file.read_text(encoding="utf-8"))
        code = proc.returncode
    outputs = {name: evaluate(spec["value"]) for name, spec in ACTION["outputs"].items()}
    return ActionRun(code, outputs, steps, "".join(stdout), "".join(stderr), "".join(summary))


# -- fixtures --------------------------------------------------------------------------------

@pytest.fixture
def gh():
    with GitHubStandIn(repository=REPO, token=TOKEN) as standin:
        yield standin


GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout.strip()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout with two of the real fixtures (plan and .tf sources) in it, committed: the
    commit is the pull request's base (config-from: base reads the configuration there)."""
    ws = tmp_path / "ws"
    for case in ("ssh_open", "tighten_cidr"):
        shutil.copytree(FIXTURES / case, ws / case)
    git("init", "-q", "-b", "main", cwd=ws)
    git("add", ".", cwd=ws)
    git("commit", "-q", "-m", "base", cwd=ws)
    return ws


def pr_event(path: Path, number: int = 7, head_sha: str = "a" * 40, base_sha: str | None = None,
             head_repo: str = REPO) -> Path:
    if base_sha is None:  # the base of the event written before (the same pull request), else a made-up one
        old = json.loads(path.read_text()) if path.exists() else {}
        base_sha = ((old.get("pull_request") or {}).get("base") or {}).get("sha") or "b" * 40
    path.write_text(json.dumps({
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "head": {"sha": head_sha, "ref": "feature", "repo": {"full_name": head_repo}},
            "base": {"sha": base_sha, "ref": "main", "repo": {"full_name": REPO}},
        },
        "repository": {"full_name": REPO},
    }), encoding="utf-8")
    return path


@pytest.fixture
def env(tmp_path: Path, gh: GitHubStandIn, workspace: Path) -> dict[str, str]:
    """The runner's environment for a pull_request event, the API at the stand-in."""
    runner = tmp_path / "runner"
    runner.mkdir()
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_", "ACTIONS_"))}
    return {**base, "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(pr_event(tmp_path / "event.json", base_sha=git("rev-parse", "HEAD", cwd=workspace))),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": gh.url, "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "9001",
            "GITHUB_SHA": "c" * 40, "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(runner)}


def our_comments(gh: GitHubStandIn, number: int = 7) -> list[dict]:
    return [c for c in gh.comments.get(number, []) if "tfsg:sticky" in c["body"] and c["user"]["login"] == gh.author]


def writes(gh: GitHubStandIn) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in gh.writes()]


def warnings(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("::warning")]


# -- end to end: the comment -----------------------------------------------------------------

@needs_cli()
def test_first_run_fails_on_ssh_and_creates_the_comment(gh, workspace, env):
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json")
    assert r.code == 1, r.stdout + r.stderr
    assert r.outputs["exit-code"] == "1" and r.outputs["blocking"] == "1"
    assert int(r.outputs["findings"]) >= 1
    sarif = Path(r.outputs["sarif-file"])
    assert sarif.is_absolute() and sarif.is_file() and str(sarif).startswith(env["RUNNER_TEMP"])
    json.loads(sarif.read_text(encoding="utf-8"))
    # annotations from --format github, passed through to the log
    assert any(line.startswith("::error") for line in r.stdout.splitlines()), r.stdout
    assert "file=ssh_open/main.tf" in r.stdout  # relative to the repository: tfsg runs from the workspace
    assert "TFSG001" in r.summary
    # one comment, by the workflow token's identity, with the marker and the finding
    assert writes(gh) == [("POST", f"/repos/{REPO}/issues/7/comments")]
    (c,) = gh.comments[7]
    assert c["user"]["login"] == BOT
    assert c["body"].startswith(ghc.marker("ssh_open/plan.json") + "\n")
    assert "TFSG001" in c["body"] and "commit aaaaaaa" in c["body"]
    # the identity was asked (403 for GITHUB_TOKEN) before the comments were listed
    assert gh.calls()[:2] == [("GET", "/user"), ("GET", f"/repos/{REPO}/issues/7/comments")]
    assert gh.requests[0].status == 403
    for req in gh.requests:
        assert req.headers["accept"] == "application/vnd.github+json"
        assert req.headers["x-github-api-version"] == "2022-11-28"
        assert req.headers["authorization"] == f"Bearer {TOKEN}"
        assert req.headers["user-agent"].startswith("tfsg-action/")
    assert gh.requests[1].query == {"per_page": "100"}
    assert not warnings(r.stdout)

    # the second run (a new push to the pull request) edits that comment: PATCH, no second POST
    pr_event(Path(env["GITHUB_EVENT_PATH"]), head_sha="d" * 40)
    second = run_action(workspace, env, working_directory="ssh_open", plan="plan.json")
    assert second.code == 1
    assert writes(gh) == [("POST", f"/repos/{REPO}/issues/7/comments"),
                          ("PATCH", f"/repos/{REPO}/issues/comments/{c['id']}")]
    (again,) = gh.comments[7]
    assert again["id"] == c["id"] and "commit ddddddd" in again["body"] and "TFSG001" in again["body"]


@needs_cli()
def test_passing_plan_exits_0_with_its_own_comment(gh, workspace, env):
    """Another directory in the same pull request gets a comment of its own."""
    theirs = gh.seed(7, ghc.marker("ssh_open/plan.json") + "\nthe other job's report", login=BOT)[0]
    r = run_action(workspace, env, working_directory="tighten_cidr", plan="plan.json")
    assert r.code == 0, r.stdout + r.stderr
    assert r.outputs["exit-code"] == "0" and r.outputs["blocking"] == "0"
    assert Path(r.outputs["sarif-file"]).is_file()
    assert writes(gh) == [("POST", f"/repos/{REPO}/issues/7/comments")]
    assert gh.comments[7][1]["body"].startswith(ghc.marker("tighten_cidr/plan.json"))
    assert theirs["body"].endswith("the other job's report")


@needs_cli()
def test_marker_comment_on_page_two_is_found(gh, workspace, env):
    gh.seed(7, "LGTM", login="octocat", count=130)
    mine = gh.seed(7, ghc.marker("ssh_open/plan.json") + "\nold report", login=BOT)[0]
    gh.seed(7, "one more", login="hubot", count=5)
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json")
    assert r.code == 1
    lists = [req for req in gh.requests if req.method == "GET" and req.path.endswith("/comments")]
    assert [req.path for req in lists] == [f"/repos/{REPO}/issues/7/comments",
                                           f"/repositories/{gh.repo_id}/issues/7/comments"]  # the Link's URL
    assert lists[1].query == {"per_page": "100", "page": "2"}
    assert writes(gh) == [("PATCH", f"/repos/{REPO}/issues/comments/{mine['id']}")]
    assert "TFSG001" in mine["body"] and len(gh.comments[7]) == 136


@needs_cli()
def test_someone_elses_comment_with_the_marker_is_left_alone(gh, workspace, env):
    theirs = gh.seed(7, ghc.marker("ssh_open/plan.json") + "\nquoted by a reviewer", login="octocat")[0]
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json")
    assert r.code == 1
    assert writes(gh) == [("POST", f"/repos/{REPO}/issues/7/comments")]
    assert theirs["body"].endswith("quoted by a reviewer")
    assert "left alone" in r.stdout


@needs_cli()
def test_token_of_a_user_is_told_apart_from_the_bot(gh, workspace, env):
    gh.login = "infra-bot"  # a personal access token: GET /user answers
    mark = ghc.marker("ssh_open/plan.json")
    bots = gh.seed(7, mark + "\nby the workflow token", login=BOT)[0]
    mine = gh.seed(7, mark + "\nby infra-bot", login="infra-bot")[0]
    assert run_action(workspace, env, working_directory="ssh_open", plan="plan.json").code == 1
    assert writes(gh) == [("PATCH", f"/repos/{REPO}/issues/comments/{mine['id']}")]
    assert "TFSG001" in mine["body"] and bots["body"].endswith("by the workflow token")
    assert gh.requests[0].path == "/user" and gh.requests[0].status == 200


@needs_cli()
def test_comment_new_posts_again(gh, workspace, env):
    gh.seed(7, ghc.marker("ssh_open/plan.json") + "\nthe last run's report", login=BOT)
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json", comment="new")
    assert r.code == 1
    assert writes(gh) == [("POST", f"/repos/{REPO}/issues/7/comments")] and len(our_comments(gh)) == 2
    assert ("GET", "/user") not in gh.calls()


@needs_cli()
def test_comment_off_makes_no_request(gh, workspace, env):
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json", comment="off")
    assert r.code == 1 and gh.requests == [] and "TFSG001" in r.summary


@needs_cli()
def test_read_only_token_warns_and_keeps_the_gate(gh, workspace, env):
    gh.forbid_writes = True
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json")
    assert r.code == 1  # the gate's code, not the comment's
    assert r.outputs["exit-code"] == "1" and r.outputs["blocking"] == "1"
    (warning,) = warnings(r.stdout)
    assert "could not comment on pull request #7" in warning and "403" in warning
    assert "TFSG001" in r.summary
    assert [req.status for req in gh.writes()] == [403]


@needs_cli()
def test_fork_pull_request_makes_no_request(gh, workspace, env, tmp_path):
    pr_event(Path(env["GITHUB_EVENT_PATH"]), head_repo="someone/infra-fork")
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json")
    assert r.code == 1 and gh.requests == []
    (warning,) = warnings(r.stdout)
    assert "fork" in warning and "TFSG001" in r.summary


@needs_cli()
def test_unreachable_api_is_one_warning(gh, workspace, env):
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = run_action(workspace, {**env, "GITHUB_API_URL": f"http://127.0.0.1:{port}"},
                   working_directory="ssh_open", plan="plan.json")
    assert r.code == 1
    (warning,) = warnings(r.stdout)
    assert "could not comment" in warning


@needs_cli()
def test_push_event_makes_no_comment(gh, workspace, env, tmp_path):
    push = tmp_path / "push.json"
    push.write_text(json.dumps({"ref": "refs/heads/main", "before": "0" * 40, "after": "c" * 40}))
    r = run_action(workspace, {**env, "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(push)},
                   working_directory="ssh_open", plan="plan.json")
    assert r.code == 1 and gh.requests == [] and not warnings(r.stdout)


# -- end to end: errors and inputs -----------------------------------------------------------

@needs_cli()
def test_tool_error_is_exit_2_with_a_clear_error_and_comment(gh, workspace, env):
    (workspace / "broken").mkdir()
    (workspace / "broken" / "plan.json").write_text('{"format_version": "1.2", "resource_changes": [')
    r = run_action(workspace, env, working_directory="broken", plan="plan.json")
    assert r.code == 2
    assert r.outputs == {"findings": "", "blocking": "", "exit-code": "2", "sarif-file": ""}
    errors = [line for line in r.stdout.splitlines() if line.startswith("::error")]
    assert errors and "tfsg could not run" in errors[0] and "plan.json" in errors[0]
    assert "could not check `broken/plan.json`" in r.summary
    (c,) = gh.comments[7]
    assert "could not check" in c["body"] and "plan.json" in c["body"]


def test_input_errors_are_exit_2_without_a_comment(gh, workspace, env):
    cases = [
        ({"plan": "plan.json", "path": "."}, "not both"),
        ({}, "give plan"),
        ({"plan": "missing.json"}, "does not exist"),
        ({"plan": "plan.json", "comment": "sometimes"}, "comment must be one of"),
        ({"plan": "plan.json", "fail_on": "catastrophic"}, "fail-on must be one of"),
        ({"plan": "plan.json", "working_directory": "nowhere"}, "not a directory"),
    ]
    for inputs, message in cases:
        r = run_action(workspace, env, **{"working_directory": "ssh_open", **inputs})
        assert r.code == 2, inputs
        assert r.outputs["exit-code"] == "2"
        (error,) = [line for line in r.stdout.splitlines() if line.startswith("::error")]
        assert message in error, (inputs, error)
    assert gh.requests == []


@needs_cli()
def test_binary_plan_goes_through_terraform_show(gh, workspace, env, tmp_path):
    """A binary plan is turned into JSON by `terraform show -json` in working-directory; the
    setup-terraform wrapper's extra lines around the JSON are dropped."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shown = shutil.copy(workspace / "ssh_open" / "plan.json", bin_dir / "shown.json")
    fake = bin_dir / "terraform"
    fake.write_text("#!/usr/bin/env bash\n"
                    "[ \"$1\" = show ] && [ \"$3\" = -json ] || { echo \"unexpected: $*\" >&2; exit 3; }\n"
                    "[ -f main.tf ] || { echo 'not run in working-directory' >&2; exit 4; }\n"
                    "echo \"[command]/usr/bin/terraform $*\"\n"
                    f"cat {json.dumps(str(shown))}\n"
                    "echo '::debug::stdout: ...'\n")
    fake.chmod(0o755)
    (workspace / "ssh_open" / "tfplan").write_bytes(b"PK\x03\x04 a zip archive")
    (workspace / "ssh_open" / "plan.json").unlink()
    r = run_action(workspace, {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"},
                   working_directory="ssh_open", plan="tfplan")
    assert r.code == 1, r.stdout + r.stderr
    (c,) = gh.comments[7]
    assert "TFSG001" in c["body"] and c["body"].startswith(ghc.marker("ssh_open/tfplan"))
    assert "ssh_open/main.tf" in c["body"]  # --source: the sources are found for the converted plan


@needs_cli()
def test_config_is_found_from_the_working_directory(gh, workspace, env):
    (workspace / "ssh_open" / ".tfsg.yml").write_text(
        "waivers:\n  - policy: TFSG001\n    address: aws_security_group.bastion\n    reason: break-glass\n")
    waived = run_action(workspace, env, working_directory="ssh_open", plan="plan.json", comment="off",
                        fail_on="critical", config_from="head")  # the branch's own (the base has none)
    assert waived.code == 0, waived.stdout  # found from working-directory, though tfsg runs at the root
    # tfsg looks from working-directory itself: a configuration found there stays one found in the
    # repository under review (it may name files inside it only), unlike the config input
    assert "--config-search ssh_open" in waived.stdout and "--fail-on critical" in waived.stdout


@needs_cli("--base")
def test_hcl_mode_compares_with_the_pull_request_base(gh, tmp_path, env):
    """HCL mode: the base commit comes from the event and is fetched into a shallow clone."""
    origin = tmp_path / "origin"
    (origin / "infra").mkdir(parents=True)

    def git(*args: str, cwd: Path = origin) -> str:
        return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                              env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                                   "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}).stdout.strip()

    git("init", "-q", "-b", "main")
    for name in ("main.tf", "providers.tf"):
        shutil.copy(FIXTURES / "ssh_open" / "before" / name, origin / "infra" / name)
    git("add", ".")
    git("commit", "-q", "-m", "before")
    base = git("rev-parse", "HEAD")
    for name in ("main.tf", "providers.tf"):
        shutil.copy(FIXTURES / "ssh_open" / name, origin / "infra" / name)
    git("commit", "-q", "-am", "open ssh")
    head = git("rev-parse", "HEAD")
    clone = tmp_path / "clone"
    git("clone", "-q", "--depth=1", f"file://{origin}", str(clone), cwd=tmp_path)
    assert subprocess.run(["git", "cat-file", "-e", f"{base}^{{commit}}"], check=False, cwd=clone).returncode != 0
    pr_event(Path(env["GITHUB_EVENT_PATH"]), head_sha=head, base_sha=base)

    r = run_action(clone, {**env, "GITHUB_WORKSPACE": str(clone)}, path="infra")
    assert r.code == 1, r.stdout + r.stderr
    assert "fetching base commit" in r.stdout
    (c,) = gh.comments[7]
    assert "TFSG001" in c["body"] and c["body"].startswith(ghc.marker("infra"))


# -- pieces ----------------------------------------------------------------------------------

def test_retry_once_on_a_server_error(gh):
    client = ghc.GitHub(TOKEN, REPO, gh.url, retry_delay=0)
    gh.fail_next = [502]
    done = ghc.post(client, 7, "report", "infra", "new")
    assert done.action == "created" and [r.status for r in gh.requests] == [502, 201]
    gh.requests.clear()
    gh.fail_next = [500, 503]
    with pytest.raises(ghc.GitHubError) as err:
        ghc.post(client, 7, "report", "infra", "new")
    assert err.value.status == 503 and not err.value.read_only and len(gh.requests) == 2
    gh.requests.clear()
    gh.fail_next = [404]  # not retried
    with pytest.raises(ghc.GitHubError) as err:
        client.create_comment(7, "x")
    assert err.value.read_only and len(gh.requests) == 1


def test_standin_paginates_like_github(gh):
    gh.seed(3, "x", count=5)
    client = ghc.GitHub(TOKEN, REPO, gh.url)
    first = client.request("GET", f"/repos/{REPO}/issues/3/comments?per_page=2")
    assert len(first.data) == 2
    rels = ghc.links(first.headers["link"])
    assert set(rels) == {"next", "last"} and rels["last"].endswith("per_page=2&page=3")
    middle = client.request("GET", rels["next"])
    assert set(ghc.links(middle.headers["link"])) == {"prev", "next", "last", "first"}
    last = client.request("GET", rels["last"])
    assert len(last.data) == 1 and "next" not in ghc.links(last.headers["link"])
    assert [c["id"] for c in client.comments(3)] == [c["id"] for c in gh.comments[3]]
    with pytest.raises(ghc.GitHubError) as err:  # a bad token is an error, not "the workflow's token"
        ghc.GitHub("wrong", REPO, gh.url).login()
    assert err.value.status == 401 and "Bad credentials" in err.value.message


def test_token_is_never_sent_to_another_host(gh):
    client = ghc.GitHub(TOKEN, REPO, gh.url)
    with pytest.raises(ghc.GitHubError, match="not followed"):
        client.request("GET", "https://evil.example/repos/x")
    assert gh.requests == []


def test_long_body_is_cut_safely_and_accepted(gh):
    report = "## Findings\n\n```text\n" + "x" * 90 + "\n" + ("a line of a long report ✓\n" * 4000) + "```\n"
    body = ghc.compose(report, "infra", "<sub>footer</sub>")
    assert len(body) <= ghc.MAX_BODY
    assert body.startswith(ghc.marker("infra") + "\n") and body.rstrip().endswith("<sub>footer</sub>")
    assert sum(1 for line in body.splitlines() if line.startswith("```")) % 2 == 0
    assert "was cut here" in body
    emoji = ghc.fit("<details><summary>s</summary>\n" + "🔥" * 70000)
    assert len(emoji.encode("utf-16-le")) // 2 <= ghc.MAX_BODY and emoji.count("</details>") == 1
    assert ghc.fit("short") == "short"
    client = ghc.GitHub(TOKEN, REPO, gh.url)
    assert ghc.post(client, 7, body, "infra").action == "created"  # the stand-in's 422 did not fire


def test_markers_are_per_key_and_harmless():
    assert ghc.marker("infra/prod") != ghc.marker("infra/prod/plan.json")
    assert ghc.marker("infra") not in ghc.marker("infra/prod")
    odd = ghc.marker("a--> <script> b")
    assert odd.count("-->") == 1 and odd.endswith("-->")


def test_outputs_use_heredoc_delimiters(tmp_path):
    out = tmp_path / "out"
    action_run.write_outputs({"GITHUB_OUTPUT": str(out)}, {"one": "1", "many": "a\nb=c\nEOF", "empty": ""})
    text = out.read_text()
    assert re.match(r"one<<ghadelimiter_[0-9a-f-]+\n1\n", text)
    assert parse_file_commands(text) == {"one": "1", "many": "a\nb=c\nEOF", "empty": ""}


def test_workflow_commands_are_escaped(capsys):
    action_run.command("warning", "50% done\nsecond line", title="a: b, c")
    assert capsys.readouterr().out == "::warning title=a%3A b%2C c::50%25 done%0Asecond line\n"


# -- action.yml itself -----------------------------------------------------------------------

def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


def test_action_metadata_validates_against_the_published_schema():
    proc = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions",
                           str(ROOT / "action.yml")], check=False, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def run_blocks() -> list[tuple[str, str]]:
    return [(step.get("name", step.get("id", "?")), step["run"]) for step in ACTION["runs"]["steps"] if "run" in step]


def test_run_blocks_pass_shellcheck(tmp_path):
    shellcheck = _tool("shellcheck")
    blocks = run_blocks()
    assert len(blocks) >= 3
    for n, (name, script) in enumerate(blocks):
        path = tmp_path / f"step{n}.sh"
        path.write_text("#!/usr/bin/env bash\n" + script, encoding="utf-8")
        proc = subprocess.run([shellcheck, "--severity=style", str(path)], check=False, capture_output=True, text=True)
        assert proc.returncode == 0, f"{name}:\n{proc.stdout}{proc.stderr}"


def test_inputs_reach_scripts_through_env_only():
    for name, script in run_blocks():
        assert "${{" not in script, f"expression inside run: of step {name!r}"
    (run_step,) = [s for s in ACTION["runs"]["steps"] if s.get("id") == "run"]
    assert "-m tfsg.action.run" in run_step["run"]
    mapped = {k: v for k, v in run_step["env"].items() if k.startswith("INPUT_")}
    for name in ACTION["inputs"]:
        if name == "python-version":
            continue  # used by actions/setup-python's with:, not by a script
        assert mapped.get(f"INPUT_{name.upper().replace('-', '_')}") == f"${{{{ inputs.{name} }}}}", name
    assert set(ACTION["outputs"]) == {"findings", "blocking", "exit-code", "sarif-file"}
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert ACTION["inputs"]["comment"]["default"] == "update"
    uses = [s["uses"] for s in ACTION["runs"]["steps"] if "uses" in s]
    # pinned to a full commit SHA (issue 13: a tag can be moved under the action)
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses
    text = (ROOT / "action.yml").read_text()
    assert all(f"{u} # v" in text for u in uses)  # the version it stands for, beside it


def test_the_token_is_not_passed_on_to_tfsg():
    env = {"INPUT_GITHUB_TOKEN": "secret", "INPUT_PLAN": "plan.json", "PATH": "/bin"}
    assert action_run.child_env(env) == {"INPUT_PLAN": "plan.json", "PATH": "/bin"}
