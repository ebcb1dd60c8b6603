"""The gate's defaults and formats (issue 12, items 1 and 5): a scan with no baseline blocks,
a revision that does not exist is an error, a repository with no commits is an empty base, and
formats that carry findings are refused where there are none."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, run_tfsg

GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]


def _infra(tmp_path: Path, case: str = "ssh_open") -> Path:
    """The .tf files of a fixture (ssh_open: SSH open to the world on the bastion) in a repo."""
    infra = tmp_path / "repo" / "infra"
    infra.mkdir(parents=True)
    for f in (FIXTURES / case).glob("*.tf"):
        shutil.copy(f, infra / f.name)
    subprocess.run(GIT + ["-C", str(infra.parent), "init", "-q"], check=True, capture_output=True)
    return infra


def _commit(infra: Path) -> None:
    for args in (["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(GIT + ["-C", str(infra.parent), *args], check=True, capture_output=True)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_a_directory_without_base_is_a_scan_that_blocks(tmp_path: Path, fmt: str):
    """ssh_open's sources: the bastion's SSH from 0.0.0.0/0 and ::/0 (TFSG001, critical) blocks,
    and the line right after the verdict says why it counts as introduced."""
    infra = _infra(tmp_path)
    proc = run_tfsg("check", str(infra), "--format", fmt)
    assert proc.returncode == 1, proc.stderr.decode()
    out = proc.stdout.decode()
    if fmt == "json":
        r = json.loads(out)
        assert r["verdict"]["passed"] is False and "no baseline" in r["note"]
        tfsg001 = [f for f in r["findings"] if f["policy"] == "TFSG001"]
        assert tfsg001 and all(f["introduced"] and f["blocking"] for f in tfsg001)
    else:
        lines = out.splitlines()
        assert lines[0].startswith(("FAIL: 1 blocking finding", "### ❌ tfsg check failed: 1 blocking finding"))
        after = [line for line in lines[1:] if line.strip()][0]
        assert "No --base revision: a scan with no baseline" in after


def test_pre_commit_in_a_repository_without_commits_sees_everything_as_new(tmp_path: Path):
    infra = _infra(tmp_path)
    proc = run_tfsg("pre-commit", str(infra / "main.tf"), cwd=infra.parent)
    assert proc.returncode == 1, proc.stdout.decode() + proc.stderr.decode()
    assert "TFSG001" in proc.stdout.decode()


@pytest.mark.parametrize("cmd", [["pre-commit", "--base", "no-such-rev", "infra/main.tf"],
                                 ["check", "infra", "--base", "no-such-rev"]])
def test_a_base_revision_that_does_not_exist_is_an_error(tmp_path: Path, cmd: list[str]):
    infra = _infra(tmp_path)
    _commit(infra)
    proc = run_tfsg(*cmd, cwd=infra.parent)
    assert proc.returncode == 2
    err = proc.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "unknown git revision 'no-such-rev'" in err[0]


@pytest.mark.parametrize("cmd", ["show", "diff"])
@pytest.mark.parametrize("fmt", ["sarif", "github"])
def test_show_and_diff_refuse_formats_that_carry_findings(cmd: str, fmt: str):
    proc = run_tfsg(cmd, str(FIXTURES / "ssh_open" / "plan.json"), "--format", fmt)
    assert proc.returncode == 2 and proc.stdout == b""
    err = proc.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "tfsg check" in err[0]


SG_MODULE = '''variable "admin_cidrs" {
  type = list(string)
}
resource "aws_security_group" "this" {
  name        = "admin"
  description = "admin access"
  vpc_id      = "vpc-0123456789abcdef0"
}
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  description       = "ssh from admins"
  security_group_id = aws_security_group.this.id
  from_port         = PORT
  to_port           = PORT
  protocol          = "tcp"
  cidr_blocks       = var.admin_cidrs
}
'''


def test_pre_commit_checks_the_roots_that_call_a_changed_module(tmp_path: Path):
    """A commit that changes only modules/sg (port 2222 -> 22): live/prod calls it with
    0.0.0.0/0 (SSH from the world: blocks), live/dev through a wrapper module with 10.0.0.0/8
    (passes); both roots are checked and named."""
    repo = tmp_path / "repo"
    for d in ("modules/sg", "modules/wrapper", "live/prod", "live/dev"):
        (repo / d).mkdir(parents=True)
    (repo / "modules/sg/main.tf").write_text(SG_MODULE.replace("PORT", "2222"))
    (repo / "modules/wrapper/main.tf").write_text(
        'variable "cidrs" {\n  type = list(string)\n}\nmodule "sg" {\n  source      = "../sg"\n'
        '  admin_cidrs = var.cidrs\n}\n')
    (repo / "live/prod/main.tf").write_text('module "admin" {\n  source      = "../../modules/sg"\n'
                                            '  admin_cidrs = ["0.0.0.0/0"]\n}\n')
    (repo / "live/dev/main.tf").write_text('module "admin" {\n  source = "../../modules/wrapper"\n'
                                           '  cidrs  = ["10.0.0.0/8"]\n}\n')
    subprocess.run(GIT + ["-C", str(repo), "init", "-q"], check=True, capture_output=True)
    _commit(repo / "live")
    (repo / "modules/sg/main.tf").write_text(SG_MODULE.replace("PORT", "22"))
    proc = run_tfsg("pre-commit", "modules/sg/main.tf", cwd=repo)
    out = proc.stdout.decode()
    assert proc.returncode == 1, out + proc.stderr.decode()
    assert "tfsg check live/prod" in out and "TFSG001" in out and "module.admin.aws_security_group.this" in out
    assert "live/dev: PASS" in out
    assert "modules/sg:" not in out and "tfsg check modules/sg" not in out  # the module itself is not a root


DYNAMIC_70 = '''
locals {
  partners = [for i in range(70) : "10.${i}.0.0/16"]
}
resource "aws_security_group" "db" {
  name        = "db"
  description = "partner database"
  vpc_id      = "vpc-0123456789abcdef0"
  dynamic "ingress" {
    for_each = local.partners
    content {
      description = "postgres from partner ${ingress.key}"
      from_port   = 5432
      to_port     = 5432
      protocol    = "tcp"
      cidr_blocks = [ingress.value]
    }
  }
}
'''


def test_one_finding_per_policy_subject_and_status(tmp_path: Path):
    """One dynamic block of 70 rules, each admitting a /16 on 5432: TFSG005 (database ports only
    from narrow sources) is one finding on the group, naming all 70 sources; SARIF has one
    result for it, and the summary counts what is listed. The rules of a group admit together
    (EC2 user guide, "Security group rules"): 10.0.0.0-10.69.255.255 is the CIDRs 10.0.0.0/10,
    10.64.0.0/14 and 10.68.0.0/15 (policy/widths.py), the finding's three parts."""
    (tmp_path / "main.tf").write_text(DYNAMIC_70)
    proc = run_tfsg("check", str(tmp_path), "--format", "json")
    r = json.loads(proc.stdout)
    tfsg005 = [f for f in r["findings"] if f["policy"] == "TFSG005"]
    assert len(tfsg005) == 1 and tfsg005[0]["address"] == "aws_security_group.db"
    assert [p["key"] for p in tfsg005[0]["evidence"]["parts"]] == [
        "10.0.0.0/10 tcp 5432", "10.64.0.0/14 tcp 5432", "10.68.0.0/15 tcp 5432"]
    assert tfsg005[0]["evidence"]["cidrs"] == [f"10.{i}.0.0/16" for i in range(70)]
    assert "(64 blocks together: 10.0.0.0/16, " in tfsg005[0]["message"] and "and 56 more" in tfsg005[0]["message"]
    identities = [(f["policy"], f["address"], f["introduced"], f["status"]) for f in r["findings"]]
    assert len(identities) == len(set(identities))
    sarif = json.loads(run_tfsg("check", str(tmp_path), "--format", "sarif").stdout)
    results = [x for x in sarif["runs"][0]["results"] if x["ruleId"] == "TFSG005"]
    assert len(results) == 1
    text = run_tfsg("check", str(tmp_path)).stdout.decode()
    assert text.count("TFSG005") == 1


def test_unknown_values_are_said_once_for_every_policy_they_touch():
    """splat_sources: two rules whose IPv6 block is the VPC's (known after apply) may hide
    findings of TFSG002 and TFSG005: one section names both policies and both values, and no
    finding repeats them."""
    out = run_tfsg("check", str(FIXTURES / "splat_sources" / "plan.json")).stdout.decode()
    assert "Not fully evaluated: 2 policies (TFSG002, TFSG005) because of 2 values unknown until apply" in out
    section = out.split("Not fully evaluated:", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines()[1:] == [
        "  ? aws_security_group_rule.db_from_vpc_v6 ipv6_cidr_blocks: ipv6_cidr_block is known only after apply",
        "  ? aws_vpc_security_group_ingress_rule.cache_from_vpc_v6 cidr_ipv6: ipv6_cidr_block is known only after apply"]
    assert "[warning]" not in out


def test_existing_info_findings_are_folded_unless_verbose():
    """ssh_open: two existing info findings (TFSG017 egress to everything, TFSG019 tags) are
    counted in one line; --verbose lists them."""
    plan_file = str(FIXTURES / "ssh_open" / "plan.json")
    short = run_tfsg("check", plan_file).stdout.decode()
    assert "Already there: 2 info findings (--verbose lists them)" in short and "[info]" not in short
    full = run_tfsg("check", plan_file, "--verbose").stdout.decode()
    assert full.count("[info]") == 2 and "--verbose lists them" not in full


TURN2 = Path(__file__).resolve().parents[2] / "shared" / "cases" / "turn2"


@pytest.mark.parametrize("source", ["plan.json", ""], ids=["plan", "hcl"])
def test_turn2_definedby_lists_only_the_rules_granting_each_port(tmp_path: Path, source: str):
    """../shared/cases/turn2/definedby: 22 is granted by aws_security_group_rule.ssh only, 443
    by ...https only (both from 10.10.0.0/16)."""
    case = TURN2 / "definedby"
    if not case.is_dir():
        pytest.skip(f"{case} is not here")
    d = tmp_path / "definedby"
    shutil.copytree(case, d)
    if not source:
        (d / "plan.json").unlink()
    r = json.loads(run_tfsg("show", str(d / source), "--format", "json").stdout)
    rows = {(f["from"], f["to"], f["protocol"], f["ports"]): f["defined_by"] for f in r["flows"]}
    a = "aws_security_group.a"
    assert rows[("10.10.0.0/16", a, "tcp", "22")] == ["aws_security_group_rule.ssh"]
    assert rows[("10.10.0.0/16", a, "tcp", "443")] == ["aws_security_group_rule.https"]
    assert r["exposed"] == []


@pytest.mark.parametrize("pattern, code", [("([", 2), ("^(a+)+$", 1)])
def test_naming_patterns_run_on_re2(tmp_path: Path, pattern: str, code: int):
    """A naming pattern from .tfsg.yml (issue 13): one that RE2 refuses is one line, exit 2,
    naming the file and the policy; a catastrophic one for a backtracking engine runs at once."""
    (tmp_path / ".tfsg.yml").write_text(
        "extends: [baseline]\npolicies:\n  - id: NAME-1\n    title: names\n    severity: low\n"
        f"    kind: hygiene\n    check: naming\n    pattern: {json.dumps(pattern)}\n")
    proc = run_tfsg("check", str(FIXTURES / "ssh_open" / "plan.json"), cwd=tmp_path)
    assert proc.returncode == code, proc.stderr.decode()
    if code == 2:
        err = proc.stderr.decode().strip().splitlines()
        assert len(err) == 1 and ".tfsg.yml" in err[0] and "NAME-1" in err[0] and "RE2" in err[0]


def test_a_configuration_from_the_repository_names_files_inside_it_only(tmp_path: Path):
    """Issue 13: a .tfsg.yml discovered in the repository under review comes from the pull
    request: extends/policy_files outside the repository are refused in one line, and the
    file's content never shows; the same file given with --config (the operator's) is trusted."""
    outside = tmp_path / "central.yml"
    outside.write_text("extends: [baseline]\ndisable: [TFSG001]\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(GIT + ["-C", str(repo), "init", "-q"], check=True, capture_output=True)
    plan_file = str(FIXTURES / "ssh_open" / "plan.json")
    for bad in ("/etc/passwd", "../central.yml", "nested/../../central.yml"):
        (repo / ".tfsg.yml").write_text(f"extends: [{json.dumps(bad)}]\n")
        proc = run_tfsg("check", plan_file, cwd=repo)
        err = proc.stderr.decode().strip().splitlines()
        assert proc.returncode == 2 and len(err) == 1, (bad, err)
        assert "outside the repository" in err[0] and "root:" not in err[0]
    (repo / ".tfsg.yml").write_text("policy_files: [../central.yml]\n")
    assert run_tfsg("check", plan_file, cwd=repo).returncode == 2
    # the operator's configuration may name what it wants: TFSG001 disabled, so ssh_open passes
    (tmp_path / "ops.yml").write_text("extends: [central.yml]\n")
    assert run_tfsg("check", plan_file, "--config", str(tmp_path / "ops.yml"), cwd=repo).returncode == 0


def test_outside_a_repository_discovery_does_not_walk_up(tmp_path: Path):
    (tmp_path / ".tfsg.yml").write_text("extends: [baseline]\ndisable: [TFSG001]\n")
    work = tmp_path / "work"
    work.mkdir()
    plan_file = str(FIXTURES / "ssh_open" / "plan.json")
    assert run_tfsg("check", plan_file, cwd=work).returncode == 1  # the parent's config is not used
    assert run_tfsg("check", plan_file, cwd=tmp_path).returncode == 0  # its own directory's is


def test_every_error_is_one_line(tmp_path: Path):
    """A path with a newline and backticks (issue 13's comment injection) stays on one line."""
    proc = run_tfsg("check", str(FIXTURES / "ssh_open" / "plan.json"), "--config", str(tmp_path / "x\n```\n# hi"))
    err = proc.stderr.decode().strip().splitlines()
    assert proc.returncode == 2 and len(err) == 1 and "\\x0a" in err[0]


def test_a_finding_whose_services_change_keeps_its_subject():
    """The same exposure, widened: introduced (the new port blocks), and the old one is not
    listed as resolved; narrowed: existing (what is left was there before), not introduced."""
    from tfsg.policy.evaluate import Finding
    from tfsg.policy.continuity import _services_changed as _continued

    def finding(ports: list[str]) -> Finding:
        return Finding("TFSG001", "critical", "t", "aws_security_group.a", "m",
                       "internet " + ", ".join(f"tcp {p}" for p in ports),
                       evidence={"services": [{"protocol": "tcp", "ports": p} for p in ports]})

    old = finding(["3389"])
    wider = finding(["22", "3389"])
    assert _continued({old.identity(): old}, [wider]) == {old.identity()}
    assert wider.introduced is True
    narrower = finding(["3389"])
    narrower.key = "internet tcp 3389 "  # another identity, the same subject
    before = finding(["22", "3389"])
    assert _continued({before.identity(): before}, [narrower]) == {before.identity()}
    assert narrower.introduced is False
    other = finding(["80"])
    assert _continued({old.identity(): old}, [other]) == set() and other.introduced is True
