"""Command-line messages a new user meets (round fifteen, probe pE F6, F7).

[OUT] README "Reports": `--json FILE`, `--markdown FILE`, `--sarif FILE` write more formats; `-`
      is standard output, which one report may take: the report in --format goes there unless
      --output sends it to a file.
[CFG] README "Configuration": an error in .tfsg.yml names the file and the line; a file that
      `extends` or `policy_files` names and that does not exist is such an error (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import plan, run_tfsg

PLAN = plan("ssh_open")


def _one_line_error(proc, *parts: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    for part in parts:
        assert part in err, err
    return err


def test_a_second_report_on_standard_output_names_the_main_report():
    _one_line_error(run_tfsg("check", PLAN, "--json", "-"),
                    "--json and the text report (--format) both go to standard output", "--output FILE")
    _one_line_error(run_tfsg("check", PLAN, "--format", "markdown", "--sarif", "-"),
                    "--sarif and the markdown report (--format) both go to standard output")


def test_the_main_report_in_a_file_frees_standard_output(tmp_path: Path):
    text = tmp_path / "report.txt"
    proc = run_tfsg("check", PLAN, "--json", "-", "--output", str(text))
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["verdict"]["passed"] is False
    assert "TFSG001" in text.read_text()


def test_a_missing_extends_file_is_named_at_its_line(tmp_path: Path):
    (tmp_path / ".tfsg.yml").write_text("disable: [TFSG018]\nextends: [baseline, cis-aws, team-policies.yml]\n")
    err = _one_line_error(run_tfsg("check", PLAN, cwd=tmp_path), ".tfsg.yml:2:", "team-policies.yml", "no such file")
    assert err.startswith("tfsg: error: ")
    (tmp_path / ".tfsg.yml").write_text("policy_files:\n  - rules/team.yml\n")
    _one_line_error(run_tfsg("check", PLAN, cwd=tmp_path), ".tfsg.yml:2:", "team.yml", "no such file")
