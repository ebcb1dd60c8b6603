"""The command line as users meet it: output files, stdin, determinism, version, help."""

from __future__ import annotations

import json

import pytest

from conftest import plan, run_tfsg, validate_report


def test_output_file_and_stdin_give_the_same_report(tmp_path):
    out = tmp_path / "report.json"
    proc = run_tfsg("diff", plan("ssh_open"), "--format", "json", "--output", str(out), "--no-sources")
    assert proc.returncode == 0 and proc.stdout == b""
    from_file = json.loads(out.read_text())
    validate_report(from_file)
    piped = run_tfsg("diff", "-", "--format", "json", "--no-sources",
                     stdin=open(plan("ssh_open"), "rb").read())
    from_stdin = json.loads(piped.stdout)
    from_file["input"]["path"] = from_stdin["input"]["path"] = "x"
    assert from_file == from_stdin


def test_byte_identical_output():
    for command in ("show", "diff"):
        runs = {run_tfsg(command, plan("microservices_mesh"), "-f", "json").stdout for _ in range(2)}
        runs |= {run_tfsg(command, plan("microservices_mesh"), "-f", "json").stdout}
        assert len(runs) == 1
        text = {run_tfsg(command, plan("module_dynamic")).stdout for _ in range(2)}
        assert len(text) == 1


def test_version_and_help():
    proc = run_tfsg("--version")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("tfsg ")
    assert "python-hcl2" in proc.stdout.decode()
    helptext = run_tfsg("diff", "--help").stdout.decode()
    for option in ("--format", "--output", "--source", "--no-sources", "--max-hops"):
        assert option in helptext


def test_unwritable_output_is_a_clean_error(tmp_path):
    proc = run_tfsg("show", plan("ssh_open"), "--output", str(tmp_path / "missing" / "r.txt"))
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith("tfsg: error: ") and "Traceback" not in proc.stderr.decode()


def test_source_must_be_a_directory(tmp_path):
    proc = run_tfsg("show", plan("ssh_open"), "--source", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "--source must be a directory" in proc.stderr.decode()


def test_max_hops_limits_paths():
    one = json.loads(run_tfsg("show", plan("three_tier"), "-f", "json", "--max-hops", "2").stdout)
    # paths of resources (schema v2): the ALB's listener forwards to both web instances; the
    # database is a third hop, past --max-hops 2
    assert {tuple(p["nodes"]) for p in one["paths"]} == {
        ("internet", "aws_lb.alb", "aws_instance.web[0]"), ("internet", "aws_lb.alb", "aws_instance.web[1]")}


# ---------------------------------------------------------------------- formats and terminals

def test_quiet_prints_only_the_verdict():
    proc = run_tfsg("check", plan("ssh_open"), "--quiet")
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("FAIL: 1 blocking finding at or above high")
    diff = run_tfsg("diff", plan("tighten_cidr"), "-q").stdout.decode().splitlines()
    assert len(diff) == 1 and diff[0].startswith("Reachability changes:")


def test_extra_report_files_match_their_formats(tmp_path):
    files = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "markdown", "sarif")}
    proc = run_tfsg("check", plan("ssh_open"), "--format", "github", "--json", str(files["json"]),
                    "--markdown", str(files["markdown"]), "--sarif", str(files["sarif"]))
    assert proc.returncode == 1
    assert proc.stdout.decode().startswith("::error file=fixtures/ssh_open/main.tf,line=68,")
    for fmt, path in files.items():
        alone = run_tfsg("check", plan("ssh_open"), "--format", fmt).stdout.decode()
        assert path.read_text() == alone, fmt
    sarif = json.loads(files["sarif"].read_text())
    assert sarif["version"] == "2.1.0"
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]][0] == "TFSG001"


def _in_a_terminal(*args: str, no_color: bool) -> str:
    """Run tfsg with stdout on a pseudo-terminal, as a user at a shell would."""
    import os
    import pty
    import subprocess
    import sys

    from conftest import ROOT

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"
    if no_color:
        env["NO_COLOR"] = "1"
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tfsg", *args], stdout=slave, stderr=subprocess.DEVNULL,
                            cwd=ROOT, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode()


def test_colour_only_in_a_terminal_and_never_with_no_color():
    coloured = _in_a_terminal("check", plan("ssh_open"), no_color=False)
    assert "\x1b[31m" in coloured and "FAIL" in coloured
    plain = _in_a_terminal("check", plan("ssh_open"), no_color=True)
    assert "\x1b[" not in plain and "FAIL" in plain
    assert "\x1b[" not in run_tfsg("check", plan("ssh_open")).stdout.decode()  # a pipe: no colour


def test_graph_pictures():
    mermaid = run_tfsg("graph", plan("new_path_to_db")).stdout.decode()
    assert mermaid.startswith("flowchart LR")
    # the change adds tcp 5432 from the app group to the db group: a thick (added) edge
    assert any("==>" in line and '"+ tcp 5432"' in line for line in mermaid.splitlines())
    dot = run_tfsg("graph", plan("three_tier"), "--format", "dot").stdout.decode()
    assert dot.startswith("digraph") and 'label="aws_security_group.db (create)"' in dot
    assert "->" in dot and dot.rstrip().endswith("}")


def test_scrubber_catches_a_secret_as_json_spells_it():
    """A sensitive value holding a quote, a backslash or non-ASCII text is spelled escaped in the
    JSON and SARIF reports: the scrubber looks for those spellings too."""
    import json

    from tfsg.report.scrub import scrub

    secret = 'pa"ss\\wörd'
    for spelled in (json.dumps({"d": secret}, ensure_ascii=False), json.dumps({"d": secret}), secret):
        assert scrub(spelled, {secret}) in ('{"d": "(sensitive)"}', "(sensitive)")
    assert scrub("nothing here", {secret}) == "nothing here"


@pytest.mark.parametrize("args,needle", [
    (["check", "--format", "xml", "fixtures/ssh_open/plan.json"], "Invalid value for '--format'"),
    (["check"], "Missing argument 'PLAN|DIR'"),
    (["show", "fixtures/ssh_open/plan.json", "--max-hops", "99"], "99 is not in the range 1<=x<=16"),
    (["check", "--bogus", "fixtures/ssh_open/plan.json"], "No such option: --bogus"),
    (["bogus"], "No such command 'bogus'"),
])
def test_usage_errors_are_one_line(args, needle):
    """A usage error is bad input: one line naming the problem and where help is, exit 2 (click
    would print a usage block and a framed box)."""
    proc = run_tfsg(*args)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and len(err.strip().splitlines()) == 1 and needle in err, err
    assert err.startswith("tfsg: error: ") and "--help`)" in err


def test_no_command_prints_the_help():
    proc = run_tfsg()
    assert proc.returncode == 2 and proc.stdout.decode().startswith("Usage: ") and "Commands:" in proc.stdout.decode()
