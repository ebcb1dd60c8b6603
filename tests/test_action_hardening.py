"""The action on untrusted pull requests (issue 13): Markdown that input cannot escape, a
wall-clock limit, pinned actions that zizmor finds nothing in, and policy trust (the base
revision's configuration, waivers the change adds).

Comments are parsed back with markdown-it-py (tables, strikethrough and linkify, as GitHub
autolinks bare URLs): whatever the branch under review chose (paths, YAML, policy titles, waiver
reasons) carries the marker PWNED or points at evil.example, and must come out as text or code,
never as a heading, link, image, @mention or HTML.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT, run_tfsg, validate_report
from markdown_it import MarkdownIt
from test_action import ACTION, env, gh, git, pr_event, run_action, workspace  # noqa: F401 (fixtures)

from tfsg.action import comment as ghc
from tfsg.action import log as action_log
from tfsg.action import mdsafe
from tfsg.action import run as action_run
from tfsg.action.prepare import Plan

PAYLOAD = ("x\n```\n# PWNED heading\n@admin ![PWNED](https://evil.example/i.png) <img src=x onerror=alert(1)> "
           "[PWNED](https://evil.example) https://evil.example/PWNED www.evil.example\n````\n"
           "<details><summary>PWNED</summary>\n")
MD = MarkdownIt("gfm-like")  # linkify on: a bare URL becomes a link, as on GitHub
MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9][A-Za-z0-9-]*")


def offences(body: str) -> list[str]:
    """Markdown in ``body`` that came from the input: headings, links, HTML carrying the marker
    or pointing at evil.example, any image (tfsg writes none), any @mention outside code."""
    found: list[str] = []

    def inline(children, heading: bool) -> None:
        for t in children or []:
            if t.type == "image":
                found.append(f"image {t.attrs}")
            elif t.type == "link_open" and ("evil" in str(t.attrs.get("href")) or "PWNED" in str(t.attrs)):
                found.append(f"link {t.attrs}")
            elif t.type == "html_inline" and re.search(r"PWNED|evil|<img|<script|<a\b|<details", t.content, re.I):
                found.append(f"html {t.content!r}")
            elif t.type == "text":
                if heading and "PWNED" in t.content:
                    found.append(f"heading {t.content!r}")
                if MENTION.search(t.content):
                    found.append(f"mention {t.content!r}")

    heading = False
    for t in MD.parse(body):
        if t.type == "heading_open":
            heading = True
        elif t.type == "heading_close":
            heading = False
        elif t.type == "html_block" and re.search(r"PWNED|evil|<img|<script", t.content, re.I):
            found.append(f"html block {t.content!r}")
        elif t.type == "inline":
            inline(t.children, heading)
    return found


def fences(body: str) -> list[str]:
    return [t.content for t in MD.parse(body) if t.type == "fence"]


def test_the_checker_sees_what_it_must():
    """The checker itself: each construct of the payload, unescaped, is an offence."""
    raw = ("# PWNED\n\n@admin ![i](https://evil.example/i.png) [a](https://evil.example) https://evil.example\n\n"
           "<img src=x>\n")
    kinds = {o.split()[0] for o in offences(raw)}
    assert kinds == {"heading", "mention", "image", "link", "html"}, offences(raw)


# -- Markdown: the error comment -------------------------------------------------------------

def test_error_comment_keeps_an_extends_path_in_its_fence(gh, workspace, env):
    """The known bug: a path with a newline and backticks in `extends:` closed the fence."""
    (workspace / "ssh_open" / ".tfsg.yml").write_text(yaml.safe_dump({"extends": [PAYLOAD]}))
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json", config_from="head")
    assert r.code == 2, r.stdout
    (c,) = gh.comments[7]
    assert "could not check" in c["body"] and "no such file" in c["body"]
    assert offences(c["body"]) == [] and offences(r.summary) == []
    assert any("no such file" in f and "PWNED" in f for f in fences(c["body"]))  # shown, as code
    assert not any(line.lstrip().startswith(("::", "#")) and "PWNED" in line for line in r.stdout.splitlines()
                   if not line.startswith("::error"))


def test_broken_branch_configuration_is_reported_as_text_when_the_base_judges(gh, workspace, env):
    (workspace / "ssh_open" / ".tfsg.yml").write_text(yaml.safe_dump({"extends": [PAYLOAD]}))
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json")  # config-from base
    assert r.code == 1, r.stdout + r.stderr  # the base's configuration (none: the baseline) judged it
    (c,) = gh.comments[7]
    assert "configuration could not be loaded" in c["body"] and "PWNED" in c["body"]
    assert offences(c["body"]) == []


@pytest.mark.parametrize("message", [
    PAYLOAD,
    "one ``` two\n```\n# PWNED\n```````````\n@admin",
    "~~~\n# PWNED\n~~~~\n````\n[PWNED](https://evil.example)",
    "````",
    "\x1b[31mred\x00 # PWNED\r\n```\r\n@admin",
])
def test_error_markdown_fences_any_message(message):
    body = action_run.error_markdown("infra` # PWNED [x](https://evil.example)", message)
    assert offences(body) == []
    (content,) = fences(body)  # one block, holding the whole message
    assert content == mdsafe.clean(message).strip("\n") + "\n"
    assert "\x1b" not in body and "\x00" not in body


def test_footer_escapes_the_key_and_checks_what_becomes_a_link():
    hostile_env = {"GITHUB_SERVER_URL": "javascript:alert(1)//", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "1",
                   "GITHUB_SHA": "<img src=x>"}
    footer = action_run.footer(hostile_env, {}, "k` [PWNED](https://evil.example) @admin")
    assert offences(footer) == [] and "javascript" not in footer and "<img" not in footer
    good = action_run.footer({"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r",
                              "GITHUB_RUN_ID": "9001"}, {"pull_request": {"head": {"sha": "a" * 40}}}, "infra")
    assert good == "<sub>`infra` · commit aaaaaaa · [workflow run](https://github.com/o/r/actions/runs/9001)</sub>"


def test_cutting_a_long_comment_closes_the_fence_that_opened():
    report = "intro\n\n`````text\n" + "```\n# not a heading\n" * 6000 + "`````\n"
    body = ghc.compose(report, "infra", "<sub>footer</sub>")
    assert len(body) <= ghc.MAX_BODY and "was cut here" in body
    tokens = MD.parse(body)
    assert [t.type for t in tokens].count("fence") == 1 and not any(t.type == "heading_open" for t in tokens)
    assert "was cut here" not in fences(body)[0]  # the notice is outside the block
    assert mdsafe.open_fence("a\n```py\nx\n````\n") is None and mdsafe.open_fence("````\n```\n") == "````"


def test_inline_code_and_fence_lengths():
    assert mdsafe.fence_for("no ticks") == "```" and mdsafe.fence_for("a ```` b") == "`````"
    assert mdsafe.inline("a`b") == "``a`b``" and mdsafe.inline("`x`") == "`` `x` ``"
    assert mdsafe.inline("line\nbreak") == "`line break`" and mdsafe.inline("") == "—"


# -- Markdown: the report --------------------------------------------------------------------

HOSTILE_CONFIG = {
    "policies": [{"id": "TEAM-1", "title": "No SSH # PWNED @admin [PWNED](https://evil.example) <img src=x>",
                  "severity": "critical", "kind": "forbidden-flow", "from": {"internet": True}, "services": [22],
                  "remediation": PAYLOAD}],
    "waivers": [{"policy": "TFSG018", "address": "aws_security_group.*", "reason": PAYLOAD}],
}


def test_report_with_hostile_configuration_and_waivers_posts_no_markdown_of_theirs(gh, workspace, env):
    (workspace / "ssh_open" / ".tfsg.yml").write_text(yaml.safe_dump(HOSTILE_CONFIG))
    main = workspace / "ssh_open" / "main.tf"
    main.write_text(main.read_text().replace(
        'resource "aws_security_group_rule" "ssh_anywhere"',
        '# tfsg:ignore[TFSG001] reason="@admin ![PWNED](https://evil.example/x.png) https://evil.example/PWNED '
        '<img src=x> www.evil.example" expires=2099-01-01\nresource "aws_security_group_rule" "ssh_anywhere"'))
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json", config_from="head")
    assert r.code == 1, r.stdout + r.stderr  # TEAM-1 blocks
    (c,) = gh.comments[7]
    body = c["body"]
    assert "Waivers added by this change (2)" in body and "This change edits the tfsg configuration" in body
    assert "PWNED" in body and offences(body) == [] and offences(r.summary) == []


# -- the log ---------------------------------------------------------------------------------

def test_log_lines_never_start_a_workflow_command(capsys):
    action_log.say("fine\n::error::PWNED\n##[error]PWNED")
    action_log.passthrough("::error::PWNED\n   ::add-mask::secret\nok ##[warning]PWNED\nplain\n")
    out = capsys.readouterr()
    for line in (out.out + out.err).splitlines():
        assert not line.lstrip().startswith("::") and "##[" not in line, line
    assert "plain" in out.err and out.out.startswith("tfsg: fine\\n")


# -- the time limit --------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["0", "-1", "abc", "inf", "nan"])
def test_timeout_input_is_checked(gh, workspace, env, bad):
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json", timeout_minutes=bad)
    assert r.code == 2 and r.outputs["exit-code"] == "2"
    (error,) = [line for line in r.stdout.splitlines() if line.startswith("::error")]
    assert "timeout-minutes must be a positive number" in error


def test_slow_terraform_show_is_stopped_at_the_limit(gh, workspace, env, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text("#!/usr/bin/env bash\nexec sleep 60\n")
    fake.chmod(0o755)
    (workspace / "ssh_open" / "tfplan").write_bytes(b"PK\x03\x04 a zip archive")
    started = time.monotonic()
    r = run_action(workspace, {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"}, working_directory="ssh_open",
                   plan="tfplan", timeout_minutes="0.02")
    assert time.monotonic() - started < 30
    assert r.code == 2 and r.outputs["exit-code"] == "2", r.stdout
    assert "terraform show -json did not finish within 0.02 minutes (input timeout-minutes)" in r.stdout
    (c,) = gh.comments[7]  # a time-out is not a wrong input: the pull request hears of it
    assert "did not finish within 0.02 minutes" in c["body"]


def test_slow_check_is_stopped_at_the_limit(gh, workspace, env, monkeypatch, tmp_path):
    real = action_run.prepare

    def slow(*args, **kwargs) -> Plan:
        plan = real(*args, **kwargs)
        plan.args = [sys.executable, "-c", "import time; time.sleep(60)"]
        return plan

    monkeypatch.setattr(action_run, "prepare", slow)
    out, summary = tmp_path / "out", tmp_path / "summary"
    step_env = {**env, "INPUT_WORKING_DIRECTORY": "ssh_open", "INPUT_PLAN": "plan.json",
                "INPUT_GITHUB_TOKEN": "test-token",
                "INPUT_TIMEOUT_MINUTES": "0.01", "INPUT_CONFIG_FROM": "head", "GITHUB_OUTPUT": str(out),
                "GITHUB_STEP_SUMMARY": str(summary)}
    started = time.monotonic()
    assert action_run.run(step_env, workspace) == 2
    assert time.monotonic() - started < 30
    assert "exit-code<<" in out.read_text() and "tfsg check did not finish within 0.01 minutes" in summary.read_text()
    (c,) = gh.comments[7]
    assert "could not check" in c["body"] and "raise timeout-minutes" in c["body"]


# -- pinned actions, zizmor ------------------------------------------------------------------

def _zizmor(path: Path) -> list:
    exe = Path(sys.executable).parent / "zizmor"
    found = str(exe) if exe.exists() else shutil.which("zizmor")
    if not found:
        pytest.fail("zizmor is not installed: pip install -e '.[dev]'")
    # offline: the online audits (known-vulnerable actions, impostor commits) ask GitHub
    proc = subprocess.run([found, "--offline", "--no-config", "--format", "json", str(path)], check=False,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def readme_workflow() -> str:
    blocks = re.findall(r"^```yaml\n(.*?)^```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S | re.M)
    (workflow,) = [b for b in blocks if "jobs:" in b]
    return workflow


def test_zizmor_finds_nothing_in_action_yml(tmp_path):
    shutil.copy(ROOT / "action.yml", tmp_path / "action.yml")
    assert _zizmor(tmp_path / "action.yml") == []


def test_zizmor_finds_nothing_in_the_readme_workflow(tmp_path):
    path = tmp_path / ".github" / "workflows" / "x.yml"
    path.parent.mkdir(parents=True)
    path.write_text(readme_workflow(), encoding="utf-8")
    assert _zizmor(path) == []


def test_every_action_is_pinned_to_a_commit():
    steps = list(ACTION["runs"]["steps"])
    for job in yaml.safe_load(readme_workflow())["jobs"].values():
        steps += job["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert len(uses) >= 4
    assert all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses
    text = (ROOT / "action.yml").read_text() + readme_workflow()
    assert all(re.search(re.escape(u) + r" # v\d", text) for u in uses)  # the version beside


# -- policy trust: tfsg check ----------------------------------------------------------------

def _repo(tmp_path: Path, base_files: dict[str, str] | None = None) -> Path:
    """A repository whose commit (main) has the ssh_open module before the change and
    ``base_files``; the work tree has the change (SSH opened to the world)."""
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    for name in ("main.tf", "providers.tf"):
        shutil.copy(FIXTURES / "ssh_open" / "before" / name, repo / "infra" / name)
    for name, text in (base_files or {}).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "base", cwd=repo)
    for name in ("main.tf", "providers.tf"):
        shutil.copy(FIXTURES / "ssh_open" / name, repo / "infra" / name)
    return repo


def check(repo: Path, *args: str) -> tuple[int, dict, str]:
    proc = run_tfsg("check", *args, "--format", "json", cwd=repo)
    if proc.returncode == 2:
        return 2, {}, proc.stderr.decode()
    result = json.loads(proc.stdout)
    validate_report(result)
    return proc.returncode, result, proc.stderr.decode()


DISABLE = "disable: [TFSG001]\nseverity: {TFSG003: low}\nfail_on: critical\n"


def test_branch_configuration_judges_by_default_and_its_changes_are_reported(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".tfsg.yml").write_text(DISABLE)
    code, result, _ = check(repo, "infra", "--base", "main")
    assert code == 0  # the branch's own configuration: TFSG001 is off
    c = result["policy_trust"]["config"]
    assert c["applied"] == "head" and c["differs"] and (c["head"], c["base"]) == (".tfsg.yml", None)
    assert c["disabled"] == ["TFSG001"] and c["fail_on"] == {"base": "high", "head": "critical"}
    assert c["lowered"] == [{"policy": "TFSG003", "base": "critical", "head": "low"}]
    text = run_tfsg("check", "infra", "--base", "main", cwd=repo).stdout.decode()
    assert "this change edits the tfsg configuration" in text and "disables TFSG001" in text


def test_config_from_base_judges_by_the_base_revision(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".tfsg.yml").write_text(DISABLE)
    code, result, _ = check(repo, "infra", "--base", "main", "--config-from", "base")
    assert code == 1 and result["verdict"]["blocking"] == 1
    assert [f["policy"] for f in result["findings"] if f["blocking"]] == ["TFSG001"]
    c = result["policy_trust"]["config"]
    assert c["applied"] == "base" and c["disabled"] == ["TFSG001"]
    md = run_tfsg("check", "infra", "--base", "main", "--config-from", "base", "--format", "markdown",
                  cwd=repo).stdout.decode()
    assert "**This change edits the tfsg configuration**" in md and "the base revision's configuration" in md


def test_files_the_base_configuration_extends_are_read_at_the_base(tmp_path):
    repo = _repo(tmp_path, {".tfsg.yml": "extends: [baseline, policy/team.yml]\n", "policy/team.yml": "disable: []\n"})
    (repo / "policy" / "team.yml").write_text("disable: [TFSG001]\n")  # .tfsg.yml itself unchanged
    assert check(repo, "infra", "--base", "main", "--config-from", "base")[0] == 1
    code, result, _ = check(repo, "infra", "--base", "main")
    assert code == 0 and result["policy_trust"]["config"]["disabled"] == ["TFSG001"]
    assert result["policy_trust"]["config"]["differs"]


def test_base_options_need_a_base_revision_that_exists(tmp_path):
    repo = _repo(tmp_path)
    for option in ("--config-from", "--waivers-from"):
        code, _, err = check(repo, "infra", option, "base")
        assert code == 2 and f"{option} base needs --base REV" in err
    code, _, err = check(repo, "infra", "--base", "no-such-branch", "--config-from", "base")
    assert code == 2 and "unknown git revision 'no-such-branch'" in err


WAIVER = '# tfsg:ignore[TFSG001] reason="vendor window" expires=2099-01-31\n'


def _waive(path: Path, blank_lines: int = 0) -> None:
    text = path.read_text()
    anchor = 'resource "aws_security_group" "bastion"'
    path.write_text(text.replace(anchor, "\n" * blank_lines + WAIVER + anchor))


def test_waivers_the_change_adds_are_listed_and_can_wait_for_the_merge(tmp_path):
    repo = _repo(tmp_path)
    _waive(repo / "infra" / "main.tf")
    code, result, _ = check(repo, "infra", "--base", "main")
    assert code == 0
    (w,) = result["policy_trust"]["waivers_added"]
    assert (w["policy"], w["address"], w["source"], w["applied"], w["used"]) == (
        "TFSG001", "aws_security_group.bastion", "inline", True, True)
    assert w["origin"].startswith("infra/main.tf:") and w["expires"] == "2099-01-31"
    text = run_tfsg("check", "infra", "--base", "main", cwd=repo).stdout.decode()
    assert "Waivers added by this change (1)" in text and "applied, waives a finding" in text
    code, result, _ = check(repo, "infra", "--base", "main", "--waivers-from", "base")
    assert code == 1 and result["policy_trust"]["waivers_added"][0]["applied"] is False
    md = run_tfsg("check", "infra", "--base", "main", "--waivers-from", "base", "--format", "markdown",
                  cwd=repo).stdout.decode()
    assert "#### Waivers added by this change (1)" in md and "not applied until merged" in md


def test_a_waiver_the_base_has_is_not_added_even_when_it_moves(tmp_path):
    repo = _repo(tmp_path)
    _waive(repo / "infra" / "main.tf")
    git("commit", "-q", "-am", "change with its waiver", cwd=repo)
    moved = (repo / "infra" / "main.tf").read_text().replace(WAIVER, "\n\n" + WAIVER)
    (repo / "infra" / "main.tf").write_text(moved)
    code, result, _ = check(repo, "infra", "--base", "main", "--waivers-from", "base")
    assert result["policy_trust"]["waivers_added"] == [] and code == 0


def test_a_plan_is_compared_with_the_configuration_at_base(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "ssh_open", repo / "ssh_open")
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "base", cwd=repo)
    (repo / ".tfsg.yml").write_text(DISABLE)
    code, result, _ = check(repo, "ssh_open/plan.json", "--base", "main", "--config-from", "base")
    assert code == 1 and result["policy_trust"]["config"]["disabled"] == ["TFSG001"]
    code, result, _ = check(repo, "ssh_open/plan.json", "--base", "main")
    assert code == 0 and result["policy_trust"]["config"]["applied"] == "head"
    assert check(repo, "ssh_open/plan.json")[0] == 0 and "policy_trust" not in check(repo, "ssh_open/plan.json")[1]


def test_broken_branch_configuration_stops_only_the_gate_that_uses_it(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".tfsg.yml").write_text("extends: [no-such-file.yml]\n")
    code, result, _ = check(repo, "infra", "--base", "main", "--config-from", "base")
    assert code == 1
    assert result["policy_trust"]["config"]["error"].startswith("the change's configuration could not be loaded: ")
    code, _, err = check(repo, "infra", "--base", "main")
    assert code == 2 and "no-such-file.yml" in err


def test_discovery_stops_at_the_repository_root_or_the_directory_outside_one(tmp_path):
    outer = tmp_path / "outer"
    (outer / "repo" / "sub").mkdir(parents=True)
    (outer / ".tfsg.yml").write_text("fail_on: critical\n")
    git("init", "-q", cwd=outer / "repo")

    def configuration(cwd: Path) -> str:
        return run_tfsg("policies", cwd=cwd).stdout.decode().splitlines()[0]

    assert configuration(outer / "repo" / "sub") == "configuration: none (baseline pack); fail on: high and above"
    (outer / "repo" / ".tfsg.yml").write_text("fail_on: medium\n")
    assert "fail on: medium" in configuration(outer / "repo" / "sub")  # up to the root, not past it
    (outer / "plain").mkdir()
    assert "none (baseline pack)" in configuration(outer / "plain")  # outside a repository: here only
    assert "fail on: critical" in configuration(outer)


# -- policy trust: the action ----------------------------------------------------------------

def test_action_judges_a_pull_request_by_its_base_configuration(gh, workspace, env):
    (workspace / "ssh_open" / ".tfsg.yml").write_text("disable: [TFSG001]\n")
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json")
    assert r.code == 1, r.stdout + r.stderr
    assert "--config-from base" in r.stdout and "--base " in r.stdout
    (c,) = gh.comments[7]
    assert "This change edits the tfsg configuration" in c["body"] and "disables TFSG001" in c["body"]
    head = run_action(workspace, env, working_directory="ssh_open", plan="plan.json", config_from="head")
    assert head.code == 0 and "disables TFSG001" in gh.comments[7][0]["body"]  # passed, and said why


def test_action_without_the_base_commit_is_exit_2(gh, workspace, env):
    pr_event(Path(env["GITHUB_EVENT_PATH"]), base_sha="f" * 40)
    r = run_action(workspace, env, working_directory="ssh_open", plan="plan.json")
    assert r.code == 2 and "could not be fetched" in r.stdout
    # with the branch's own configuration the comparison is skipped, the gate runs
    assert run_action(workspace, env, working_directory="ssh_open", plan="plan.json", config_from="head").code == 1


def test_action_config_from_base_needs_a_base(gh, workspace, env, tmp_path):
    dispatch = tmp_path / "dispatch.json"
    dispatch.write_text(json.dumps({"inputs": {}}))
    run_env = {**env, "GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_EVENT_PATH": str(dispatch)}
    r = run_action(workspace, run_env, working_directory="ssh_open", plan="plan.json", config_from="base")
    assert r.code == 2 and "there is no base revision" in r.stdout
    assert run_action(workspace, run_env, working_directory="ssh_open", plan="plan.json").code == 1  # head
    assert "--config-from head" in run_action(workspace, run_env, working_directory="ssh_open",
                                              plan="plan.json").stdout


def test_a_configuration_outside_the_repository_judges_both_sides(tmp_path):
    """--config naming a file outside the repository (a policy repository checked out beside)
    is the operator's: the branch cannot change it, and --config-from base does not drop it."""
    repo = _repo(tmp_path)
    central = tmp_path / "central.yml"
    central.write_text("disable: [TFSG001]\n")
    code, result, _ = check(repo, "infra", "--base", "main", "--config", str(central), "--config-from", "base")
    assert code == 0 and not result["policy_trust"]["config"]["differs"]


def test_a_change_to_the_configuration_alone_is_not_a_quiet_comment(tmp_path):
    from tfsg.report import markdown

    repo = _repo(tmp_path)
    for name in ("main.tf", "providers.tf"):  # the .tf files as at the base: no reachability change
        shutil.copy(FIXTURES / "ssh_open" / "before" / name, repo / "infra" / name)
    # the info findings there go too, and TFSG011 (the VPC's default group keeps AWS's rules)
    (repo / ".tfsg.yml").write_text("disable: [TFSG019, TFSG017, TFSG011]\n")
    code, result, _ = check(repo, "infra", "--base", "main")
    assert code == 0 and not result["findings"] and result["policy_trust"]["config"]["differs"]
    md = markdown.render(result)
    assert not md.startswith("### ✅ No change to reachability")
    assert "**This change edits the tfsg configuration**" in md and "disables TFSG011, TFSG017, TFSG019" in md
    result.pop("policy_trust")
    assert markdown.render(result).startswith("### ✅ No change to reachability")


def test_a_base_waiver_the_branch_only_re_dates_applies_as_the_base_has_it(tmp_path):
    """--waivers-from base applies the base's waiver (its expiry), not the branch's re-dated copy."""
    anchor = 'resource "aws_security_group" "bastion"'
    expired = WAIVER.replace("2099-01-31", "2000-01-31")
    before = (FIXTURES / "ssh_open" / "before" / "main.tf").read_text().replace(anchor, expired + anchor)
    repo = _repo(tmp_path, {"infra/main.tf": before})  # the base waives the bastion, expired
    after = (repo / "infra" / "main.tf").read_text()
    (repo / "infra" / "main.tf").write_text(after.replace(anchor, expired + anchor))
    code, result, _ = check(repo, "infra", "--base", "main", "--waivers-from", "base")
    assert code == 1  # expired: the finding the change introduces blocks
    (repo / "infra" / "main.tf").write_text(after.replace(anchor, WAIVER + anchor))  # re-dated to 2099
    code, result, _ = check(repo, "infra", "--base", "main", "--waivers-from", "base")
    assert code == 1, "the branch re-dated the waiver: with --waivers-from base the base's expiry holds"
    (w,) = result["policy_trust"]["waivers_added"]
    assert w["expires"] == "2099-01-31" and w["applied"] is False
    code, result, _ = check(repo, "infra", "--base", "main")
    assert code == 0  # the branch's own waivers (the default): re-dated, it applies


def test_a_base_waiver_still_applies_when_the_branch_re_dates_it(tmp_path):
    """The base waives the bastion until 2098; the branch moves the comment to 2099: with
    --waivers-from base the base's waiver (until 2098) still waives it (it was dropped before)."""
    anchor = 'resource "aws_security_group" "bastion"'
    base_waiver = WAIVER.replace("2099-01-31", "2098-01-31")
    before = (FIXTURES / "ssh_open" / "before" / "main.tf").read_text().replace(anchor, base_waiver + anchor)
    repo = _repo(tmp_path, {"infra/main.tf": before})
    after = (repo / "infra" / "main.tf").read_text()
    (repo / "infra" / "main.tf").write_text(after.replace(anchor, "\n" + WAIVER + anchor))
    code, result, _ = check(repo, "infra", "--base", "main", "--waivers-from", "base")
    waived = [f for f in result["findings"] if f["policy"] == "TFSG001"]
    assert code == 0 and waived and all(f["waived"] == "vendor window" for f in waived)


def test_a_discovered_configuration_linked_out_of_the_repository_is_refused(tmp_path):
    """A .tfsg.yml in the branch that is a symlink to a file outside the repository would be read
    (and its content quoted in an error); it is refused, naming it, in one line."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "cfg.yml").write_text("fail_on: nope\n")
    repo = _repo(tmp_path)
    (repo / ".tfsg.yml").symlink_to(outside / "cfg.yml")
    proc = run_tfsg("check", "infra", cwd=repo)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "outside the repository" in err, err
    assert "nope" not in err


def test_a_marker_names_a_comment_only_as_its_first_line():
    """Job A's report quotes job B's marker in a code span (a for_each key): job B must create
    its own comment, not overwrite A's failing one."""
    class Store:
        def __init__(self) -> None:
            self.bodies: dict[int, str] = {}

        def login(self) -> str:
            return "github-actions[bot]"

        def comments(self, number: int) -> list[dict]:
            return [{"id": i, "body": b, "user": {"login": "github-actions[bot]"}} for i, b in self.bodies.items()]

        def create_comment(self, number: int, body: str) -> dict:
            i = len(self.bodies) + 1
            self.bodies[i] = body
            return {"id": i, "html_url": f"c/{i}"}

        def update_comment(self, cid: int, body: str) -> dict:
            self.bodies[cid] = body
            return {"html_url": f"c/{cid}"}

    gh = Store()
    a = ghc.post(gh, 1, f"### failed\n`{ghc.marker('infra/b')}`\n", "infra/a")  # type: ignore[arg-type]
    b = ghc.post(gh, 1, "### passed\n", "infra/b")  # type: ignore[arg-type]
    assert (a.action, b.action) == ("created", "created") and a.id != b.id
    assert gh.bodies[a.id].startswith(ghc.marker("infra/a")) and "failed" in gh.bodies[a.id]
    again = ghc.post(gh, 1, "### passed again\n", "infra/b")  # type: ignore[arg-type]
    assert (again.action, again.id) == ("updated", b.id)
