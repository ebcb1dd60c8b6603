"""Inputs the fuzz targets (tests/test_fuzz.py) found, minimised: each once crashed tfsg with an
internal error. Every one must now end as the contract says: exit 0, 1 or 2, and exit 2 is one
line on stderr naming the file and the problem.

Each was an internal error (or a crash when printing) before its fix.
"""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES
from test_fuzz import assert_contract, run_cli


def _one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 2, err
    assert err.startswith("tfsg: error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err, err


def _plan_with(tmp_path, change) -> str:
    doc = json.loads((FIXTURES / "ssh_open" / "plan.json").read_text())
    change(doc)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))  # ensure_ascii: a lone surrogate is written as \ud800
    return str(path)


def _group(doc: dict) -> dict:
    return next(rc for rc in doc["resource_changes"] if rc["type"] == "aws_security_group")


# ------------------------------------------------------------------------------ plan JSON


def test_plan_lone_surrogate_in_a_string_is_bad_input(tmp_path):
    """``"description": "\\ud800"`` parsed into a code point that no UTF-8 stream can hold: every
    report crashed when printed (UnicodeEncodeError, an internal error)."""
    plan = _plan_with(tmp_path, lambda doc: _group(doc)["change"]["after"].update(description="web\ud800"))
    for command in (["check"], ["show", "--format", "json"], ["diff", "--format", "markdown"], ["graph"]):
        code, _, err = run_cli([*command, plan, "--no-sources"], cwd=str(tmp_path))
        _one_line_error(code, err, "plan.json", "resource_changes[", ".change.after.description", "surrogate")


def test_plan_lone_surrogate_in_a_key_is_bad_input(tmp_path):
    plan = _plan_with(tmp_path, lambda doc: _group(doc)["change"]["after"]["tags"].update({"\udfff": "x"}))
    code, _, err = run_cli(["show", plan, "--no-sources"], cwd=str(tmp_path))
    _one_line_error(code, err, "plan.json", ".change.after.tags", "surrogate")


def test_plan_surrogate_pair_is_text(tmp_path):
    """A well-formed pair (``\\ud83d\\udd25``, one emoji) is text, as Terraform writes it."""
    plan = _plan_with(tmp_path, lambda doc: _group(doc)["change"]["after"].update(description="web \U0001f525"))
    assert "\\ud83d\\udd25" in open(plan).read()
    code, out, err = run_cli(["check", plan, "--no-sources"], cwd=str(tmp_path))
    assert_contract(code, err, ["check", plan])
    assert code == 1


# ------------------------------------------------------------------------------ waivers


@pytest.mark.parametrize("expires", ["2026-02-30", "0000-01-01", "2026-13-01"])
def test_config_waiver_expiry_that_is_no_date(tmp_path, expires):
    """The schema checks YYYY-MM-DD only; date.fromisoformat raised ValueError in the gate."""
    cfg = tmp_path / "cfg.yml"
    cfg.write_text(f"waivers:\n  - policy: TFSG001\n    address: '*'\n    reason: r\n    expires: {expires}\n")
    code, _, err = run_cli(["check", str(FIXTURES / "ssh_open" / "plan.json"), "--config", str(cfg)],
                           cwd=str(tmp_path))
    _one_line_error(code, err, "cfg.yml", expires, "not a date")


def test_inline_waiver_expiry_that_is_no_date(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('# tfsg:ignore[TFSG001] reason="x" expires=2027-02-29\n'
                                  + (FIXTURES / "ssh_open" / "main.tf").read_text())
    code, _, err = run_cli(["check", str(root)], cwd=str(tmp_path))
    _one_line_error(code, err, "main.tf:1", "2027-02-29", "not a date")


# ------------------------------------------------------------------------------ reports


SSH_FROM_TWO_NETWORKS = """
resource "aws_security_group" "app" {
  name        = "app"
  description = "app"
  ingress {
    description = "a"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    description = "b"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["192.168.0.0/16"]
  }
}
"""


def test_text_report_of_an_aggregated_finding_with_two_address_counts(tmp_path):
    """TFSG004 on one group from two sources of different sizes is one finding whose
    ``evidence.addresses`` lists both counts; the text report formatted it with ``:,`` (TypeError)."""
    (tmp_path / "main.tf").write_text(SSH_FROM_TWO_NETWORKS)
    code, out, err = run_cli(["check", str(tmp_path), "--verbose"], cwd=str(tmp_path))
    assert_contract(code, err, ["check"])
    assert code == 0 and "addresses admitted: 16,777,216; 65,536" in out, out  # medium: below high


# ------------------------------------------------------------------------------ policies


@pytest.mark.parametrize("service,problem", [("icmp/300/300", "icmp type 300 is out of range"),
                                             ("99999", "port 99999 is out of range"),
                                             ("udp/1-65536", "port 65536 is out of range"),
                                             ("80-79", "runs backwards"),
                                             ("icmpv6/1/300", "code 300 is out of range")])
def test_policy_service_that_fits_the_schema_but_not_the_protocol(tmp_path, service, problem):
    """The schema's pattern allows 1-5 digit ports and 1-3 digit ICMP types; the value reached
    netsets deep in a policy and raised ProtocolError (an internal error)."""
    cfg = tmp_path / "cfg.yml"
    cfg.write_text("policies:\n  - id: X\n    title: t\n    severity: high\n    kind: allowed-flows-only\n"
                   f"    to: {{}}\n    allow:\n      - from: {{internet: true}}\n        services: ['{service}']\n")
    code, _, err = run_cli(["check", str(FIXTURES / "ssh_open" / "plan.json"), "--config", str(cfg)],
                           cwd=str(tmp_path))
    _one_line_error(code, err, "cfg.yml", "policy X", "allow[0].services", problem)


# ------------------------------------------------------------------------------ found by the long campaign


def test_hcl_escape_past_unicode_is_bad_input(tmp_path):
    (tmp_path / "main.tf").write_text('locals {\n  x = "\\U00110000"\n}\n')
    code, _, err = run_cli(["show", str(tmp_path)], cwd=str(tmp_path))
    _one_line_error(code, err, "main.tf:2")


def test_hcl_lone_surrogate_escape_is_bad_input(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_security_group" "x" {\n  description = "\\ud800"\n}\n')
    code, _, err = run_cli(["show", str(tmp_path)], cwd=str(tmp_path))
    _one_line_error(code, err, "main.tf:2")


def test_hcl_nonsensitive_without_an_argument(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_security_group" "x" {\n  description = nonsensitive()\n}\n')
    code, _, err = run_cli(["show", str(tmp_path)], cwd=str(tmp_path))
    assert_contract(code, err, ["show"])


@pytest.mark.parametrize("command", [["policies"], ["check", str(FIXTURES / "ssh_open" / "plan.json")]])
def test_yaml_lone_surrogate_escape_is_bad_input(tmp_path, command):
    cfg = tmp_path / "cfg.yml"
    cfg.write_text('policies:\n  - id: X\n    title: "\\uD800"\n    severity: high\n    kind: hygiene\n'
                   '    check: naming\n')
    code, _, err = run_cli([*command, "--config", str(cfg)], cwd=str(tmp_path))
    _one_line_error(code, err, "cfg.yml")


@pytest.mark.parametrize("value", ["!!float abc", "!!int abc", "!!int 0x", '!!float ""', "!!bool abc",
                                   "!!timestamp abc"])
def test_yaml_explicit_tag_on_a_wrong_scalar_is_bad_input(tmp_path, value):
    cfg = tmp_path / "cfg.yml"
    cfg.write_text(f"name: {value}\n")
    code, _, err = run_cli(["policies", "--config", str(cfg)], cwd=str(tmp_path))
    _one_line_error(code, err, "cfg.yml")


@pytest.mark.parametrize("name", ["a\\0b.yml", "\\uD800.yml"])
@pytest.mark.parametrize("key", ["extends", "policy_files"])
@pytest.mark.parametrize("how", ["--config", "discovered"])
def test_config_naming_a_file_whose_name_cannot_be_opened(tmp_path, key, name, how):
    """Discovered (the pull request's own .tfsg.yml), the name fails earlier: os.path.realpath in the
    check that it stays inside the repository."""
    cfg = tmp_path / ("cfg.yml" if how == "--config" else ".tfsg.yml")
    cfg.write_text(f'{key}: ["{name}"]\n')
    code, _, err = run_cli(["policies"] + (["--config", str(cfg)] if how == "--config" else []), cwd=str(tmp_path))
    _one_line_error(code, err, cfg.name)
