"""Round fourteen: outputs that would replace the input or each other, waivers written as
patterns, dates that are no dates, and the advice for a waiver on one of a finding's rules
(README "The gate": a finding made by rules is waived only when every rule is)."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES, run_tfsg

PLAN = FIXTURES / "ssh_open" / "plan.json"


def _one_line_error(proc, *needles: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b"", err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


def test_the_report_never_replaces_the_input(tmp_path):
    plan = tmp_path / "plan.json"
    shutil.copy(PLAN, plan)
    before = plan.read_bytes()
    _one_line_error(run_tfsg("check", str(plan), "--format", "json", "-o", str(plan)), "--output names the input")
    assert plan.read_bytes() == before


def test_two_formats_never_share_a_file(tmp_path):
    out = tmp_path / "report"
    _one_line_error(run_tfsg("check", str(PLAN), "-o", str(out), "--sarif", str(out)),
                    "--sarif and --output name the same file")
    assert not out.exists()
    ok = run_tfsg("check", str(PLAN), "-o", str(tmp_path / "a"), "--sarif", str(tmp_path / "b"))
    assert ok.returncode in (0, 1), ok.stderr.decode()


def _config(tmp_path, waiver: str) -> str:
    path = tmp_path / ".tfsg.yml"
    path.write_text("waivers:\n" + waiver)
    return str(path)


def test_a_policy_pattern_in_a_waiver_is_refused_at_its_line(tmp_path):
    config = _config(tmp_path, '  - policy: "*"\n    address: "*"\n    reason: all\n')
    _one_line_error(run_tfsg("check", str(PLAN), "--config", config), f"{config}:2", "waivers[0].policy",
                    "is a pattern")


def test_an_expiry_that_is_no_date_is_refused_at_its_line(tmp_path):
    config = _config(tmp_path, "  - policy: TFSG001\n    address: x\n    reason: r\n    expires: 2026-13-01\n")
    _one_line_error(run_tfsg("check", str(PLAN), "--config", config), f"{config}:5", "waivers[0].expires",
                    "is not a date")


def test_an_inline_pattern_waiver_is_invalid_not_applied(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(FIXTURES / "ssh_open", case, ignore=shutil.ignore_patterns("before"))
    main = case / "main.tf"
    text = main.read_text()
    main.write_text(text.replace('resource "aws_security_group"', '# tfsg:ignore[*] reason="all"\n'
                                 'resource "aws_security_group"', 1))
    proc = run_tfsg("check", str(case / "plan.json"), "--format", "json")
    result = json.loads(proc.stdout)
    assert [w["status"] for w in result["waivers"]] == ["invalid"]
    assert "not patterns" in result["waivers"][0]["message"]
    assert not any(f.get("waived") for f in result["findings"])


def test_a_prefix_list_entry_known_only_after_apply_leaves_its_rules_undecided(tmp_path):
    """A managed prefix list's inline entry whose cidr only apply knows may be any block (VPC user
    guide, "Managed prefix lists": a rule that names a list admits each of its entries): the SSH
    rule that names the list is not "no SSH from the internet" (was: the entry was dropped)."""
    (tmp_path / "main.tf").write_text('''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_eip" "partner" {
  domain = "vpc"
}

resource "aws_ec2_managed_prefix_list" "admins" {
  name           = "admins"
  address_family = "IPv4"
  max_entries    = 5
  entry {
    cidr        = "203.0.113.0/24"
    description = "office"
  }
  entry {
    cidr        = aws_eip.partner.public_ip
    description = "partner"
  }
}

resource "aws_security_group" "ssh" {
  name        = "ssh"
  description = "ssh from admins"
  vpc_id      = aws_vpc.main.id
  ingress {
    description     = "ssh"
    from_port       = 22
    to_port         = 22
    protocol        = "tcp"
    prefix_list_ids = [aws_ec2_managed_prefix_list.admins.id]
  }
}
''')
    proc = run_tfsg("check", str(tmp_path), "--format", "json")
    result = json.loads(proc.stdout)
    assert [(f["policy"], f["status"]) for f in result["findings"] if f["policy"] == "TFSG001"] == [
        ("TFSG001", "warning")]
    assert [(u["address"], u["attribute"]) for u in result["unknown"]] == [("aws_security_group.ssh", "prefix_list")]
    assert "1 entry of prefix list aws_ec2_managed_prefix_list.admins is known only after apply" in \
        result["unknown"][0]["reason"]


def test_a_hard_link_of_the_input_is_the_input(tmp_path):
    plan = tmp_path / "plan.json"
    shutil.copy(PLAN, plan)
    link = tmp_path / "link.json"
    link.hardlink_to(plan)
    _one_line_error(run_tfsg("check", str(plan), "-o", str(link)), "--output names the input")
    assert plan.read_bytes() == PLAN.read_bytes()


def test_a_report_never_replaces_a_file_of_the_directory_checked(tmp_path):
    case = tmp_path / "infra"
    case.mkdir()
    shutil.copy(FIXTURES / "ssh_open" / "main.tf", case / "main.tf")
    before = (case / "main.tf").read_bytes()
    _one_line_error(run_tfsg("check", str(case), "-o", str(case / "main.tf")), "a file of the configuration checked")
    assert (case / "main.tf").read_bytes() == before
    ok = run_tfsg("check", str(case), "-o", str(case / "report.txt"))  # a report beside it is fine
    assert ok.returncode in (0, 1), ok.stderr.decode()


def test_dash_is_standard_output_and_only_one_report_takes_it(tmp_path):
    same = run_tfsg("check", str(PLAN), "--format", "json", "-o", "-")
    plain = run_tfsg("check", str(PLAN), "--format", "json")
    assert same.stdout == plain.stdout and same.returncode == plain.returncode == 1
    assert not (tmp_path / "-").exists()
    _one_line_error(run_tfsg("check", str(PLAN), "-o", "-", "--sarif", "-"), "both go to standard output")
    _one_line_error(run_tfsg("check", str(PLAN), "--sarif", "-"), "both go to standard output")


def test_a_waiver_of_a_policy_that_is_not_loaded_is_refused_at_its_line(tmp_path):
    """As `disable: [TFSG999]` is: a misspelt policy id would waive nothing and say only "unused"."""
    config = _config(tmp_path, "  - policy: TFSG01\n    address: x\n    reason: r\n")
    _one_line_error(run_tfsg("check", str(PLAN), "--config", config), f"{config}:2", "waivers[0].policy",
                    "no policy 'TFSG01' is loaded")
