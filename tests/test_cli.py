"""The command line as users meet it: output files, stdin, determinism, version, help."""

from __future__ import annotations

import json

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
    assert {tuple(p["nodes"]) for p in one["paths"]} == {
        ("internet", "aws_security_group.alb", "aws_security_group.web")}
