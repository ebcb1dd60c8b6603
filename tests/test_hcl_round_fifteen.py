"""HCL mode's environment: ephemeralasnull(), terraform.workspace, TF_CLI_ARGS, plantimestamp()
(fixtures/hcl_round_fifteen, create plan, offline; main.tf says what each part is; the other
cases are temp dirs, as they depend on the environment a plan is made in).

Expected values, derived by hand before running tfsg:

[EPH]  Terraform docs, "ephemeralasnull Function": ephemeral values (``ephemeral = true``
       variables, ``terraform.applying``, ephemeral resources) become null, everything else is
       kept; the ephemeral mark travels as the sensitive one does. Fixture (a): tcp 22 from
       coalesce(null, "0.0.0.0/0") = 0.0.0.0/0 -> TFSG001; (b) the ephemeral element of an object
       nulled -> ::/0 on tcp 3389 -> TFSG001; (c) a non-ephemeral variable passes through ->
       198.51.100.0/24 on 443, nothing flagged; (f) the plain element kept -> 10.50.0.0/16 on
       tcp 5432 of the db group -> TFSG005 (a database port from a /16). Terraform's plan agrees
       (plan.json: ["0.0.0.0/0"], "::/0", ["198.51.100.0/24"], ["10.50.0.0/16"]).
       Unit cases, observed with ``terraform console`` (Terraform 1.11.4), variable e ephemeral
       (default "10.0.0.0/8"), local.mixed = {a = var.e, b = "keep"}, local.lst = [var.e, "keep"]:
       ephemeralasnull(var.e) -> tostring(null); (local.mixed) -> {a = null, b = "keep"};
       (local.lst) -> [null, "keep"]; (terraform.applying) -> tobool(null);
       (coalesce(var.e, "z")) -> null; (true ? "x" : var.e) -> null (a conditional carries both
       results' marks); (false && var.e == "") -> null; ("a%{if false}${var.e}%{endif}") -> null;
       (can(var.e)) -> true; (issensitive(var.e)) -> false; (terraform.workspace) -> "default";
       ({(var.e) = 1}) -> null; (nonsensitive(sensitive("x"))) -> "x".
[WS]   terraform.workspace (Terraform internal/command/meta.go WorkspaceOverridden; CLI docs
       "Environment Variables"): TF_WORKSPACE, else $TF_DATA_DIR/environment (or
       .terraform/environment), else "default"; a name is valid when url.PathEscape leaves it
       unchanged, so `prod~eu`, `blue+green`, `a=b` are workspaces (the probe's runs:
       `terraform workspace new 'prod~eu'` then plan -> cidr_blocks ["0.0.0.0/0"] for
       `terraform.workspace == "default" ? "10.0.0.0/8" : "0.0.0.0/0"`; the same with
       TF_DATA_DIR=$PWD/tfdata holding workspace prod). A file that holds no valid name is an
       unknown, never "default". A plan JSON does not record the workspace: beside a plan it is
       unknown, whatever the checker's environment says.
[CLI]  CLI docs, "TF_CLI_ARGS and TF_CLI_ARGS_name": flags inserted after the subcommand, before
       the command line's; checked with terraform console (TF_CLI_ARGS_console/TF_CLI_ARGS):
       -var v=fromname in the named one, -var v=fromgeneric in TF_CLI_ARGS -> "fromgeneric"; a
       command-line -var v=cli wins over both; `-var-file ci.tfvars` beats TF_VAR_ and
       terraform.tfvars; a missing file: "Given variables file nope.tfvars does not exist".
[TS]   Terraform docs, "plantimestamp Function": the timestamp at plan time, which plan JSON
       records (top-level "timestamp"); beside a plan it is that value, not the clock; a plan
       that records none leaves it unknown.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, flows, plan, run_tfsg

from tfsg.model import Address
from tfsg.sources.hcl.ephemeral import EphemeralLoader
from tfsg.sources.hcl.files import Tree
from tfsg.sources.hcl.fill import SourceValues, plan_time
from tfsg.sources.hcl.modules import ModuleInstance
from tfsg.sources.hcl.values import Unknown, is_marked
from tfsg.sources.hcl.workspace import valid_name

CASE = "hcl_round_fifteen"
_ENV = ("TF_WORKSPACE", "TF_DATA_DIR", "TF_CLI_ARGS", "TF_CLI_ARGS_plan")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


def _check(target: str, *extra: str) -> tuple[int, dict]:
    proc = run_tfsg("check", target, "--format", "json", *extra)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


def _violations(report: dict) -> set[tuple[str, str, str]]:
    return {(f["policy"], f["address"], f["message"]) for f in report["findings"]
            if f["status"] == "violation" and f["policy"] in ("TFSG001", "TFSG002", "TFSG004", "TFSG005")}


# ------------------------------------------------------------------ the fixture, both modes

@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_fixture_findings(mode):
    code, report = _check(plan(CASE) if mode == "plan" else str(FIXTURES / CASE))
    assert code == 1
    assert _violations(report) == {
        ("TFSG001", "aws_security_group.admin",
         "aws_security_group.admin admits the whole internet on tcp 22 (from 0.0.0.0/0)"),  # (a) [EPH]
        ("TFSG001", "aws_security_group.rdp",
         "aws_security_group.rdp admits the whole internet on tcp 3389 (from ::/0)"),  # (b) [EPH]
        ("TFSG005", "aws_security_group.db", "aws_security_group.db admits 10.50.0.0/16 on tcp 5432"),  # (f)
    }  # (c) 443 from a /24, (d) ssh from a /24 [WS], (e) rdp from a /24 [TS]: nothing
    assert report["unknown"] == []


@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_fixture_flows(mode):
    proc = run_tfsg("show", plan(CASE) if mode == "plan" else str(FIXTURES / CASE), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    got = flows(json.loads(proc.stdout)["flows"])
    ingress = {f for f in got if not f[0].startswith("aws_security_group.")}
    assert ingress == {
        ("0.0.0.0/0", "aws_security_group.admin", "tcp", "22"),
        ("::/0", "aws_security_group.rdp", "tcp", "3389"),
        ("198.51.100.0/24", "aws_security_group.web", "tcp", "443"),
        ("10.30.1.0/24", "aws_security_group.ops", "tcp", "22"),
        ("10.40.1.0/24", "aws_security_group.ops", "tcp", "3389"),
        ("10.50.0.0/16", "aws_security_group.db", "tcp", "5432"),
    }


# ------------------------------------------------------------------ ephemeralasnull, unit [EPH]

_EPH = '''
variable "e" {
  type      = string
  ephemeral = true
  default   = "10.0.0.0/8"
}
variable "f" {
  type    = string
  default = "10.1.0.0/16"
}
locals {
  mixed = { a = var.e, b = "keep" }
  lst   = [var.e, "keep"]
  zz    = %s
}
'''


def _local(tmp_path, expr: str) -> object:
    (tmp_path / "main.tf").write_text(_EPH % expr)
    loader = EphemeralLoader(Tree(), str(tmp_path))
    return ModuleInstance(loader, loader.module(str(tmp_path)), (), None, {}).local("zz")


@pytest.mark.parametrize("expr, want", [
    ("ephemeralasnull(var.e)", None),
    ("ephemeralasnull(local.mixed)", {"a": None, "b": "keep"}),
    ("ephemeralasnull(local.lst)", [None, "keep"]),
    ("ephemeralasnull(terraform.applying)", None),
    ('ephemeralasnull(coalesce(var.e, "z"))', None),
    ('ephemeralasnull(true ? "x" : var.e)', None),
    ('ephemeralasnull(false && var.e == "")', None),
    ('ephemeralasnull("a%{if false}${var.e}%{endif}")', None),
    ("ephemeralasnull(can(var.e))", True),
    ("ephemeralasnull(issensitive(var.e))", False),
    ("ephemeralasnull(terraform.workspace)", "default"),
    ("ephemeralasnull({ (var.e) = 1 })", None),
    ('ephemeralasnull(nonsensitive(sensitive("x")))', "x"),
    ("ephemeralasnull(var.f)", "10.1.0.0/16"),  # no ephemeral origin: unchanged
    ('coalesce(ephemeralasnull(var.f), "0.0.0.0/0")', "10.1.0.0/16"),
])
def test_ephemeralasnull_values(tmp_path, expr, want):
    assert _local(tmp_path, expr) == want


def test_ephemeralasnull_keeps_the_sensitive_mark(tmp_path):
    got = _local(tmp_path, "ephemeralasnull(sensitive(var.e))")
    assert is_marked(got) and got == None  # noqa: E711 (a marked null compares as null)


@pytest.mark.parametrize("expr", [
    'ephemeralasnull(merge(local.mixed, {c = "d"}))',  # Terraform: {a = null, b, c}: which parts, not tracked
    "ephemeralasnull(length(local.lst))",  # Terraform: 2 (only the list's own mark counts)
    'ephemeralasnull(contains(local.lst, "keep"))',  # Terraform: null (the elements' marks count)
])
def test_ephemeralasnull_mixed_values_are_unknown(tmp_path, expr):
    got = _local(tmp_path, expr)
    assert isinstance(got, Unknown) and "ephemeralasnull()" in got.reason


# ------------------------------------------------------------------ terraform.workspace [WS]

_WS = '''
resource "aws_security_group" "ws" {
  name        = "ws"
  description = "by workspace"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [terraform.workspace == "default" ? "10.0.0.0/8" : "0.0.0.0/0"]
  }
}
'''
_WORLD = ("TFSG001", "aws_security_group.ws",
          "aws_security_group.ws admits the whole internet on tcp 22 (from 0.0.0.0/0)")


def _ws_dir(tmp_path, environment: bytes | None, data_dir: str = ".terraform"):
    (tmp_path / "main.tf").write_text(_WS)
    if environment is not None:
        (tmp_path / data_dir).mkdir(parents=True, exist_ok=True)
        (tmp_path / data_dir / "environment").write_bytes(environment)
    return str(tmp_path)


@pytest.mark.parametrize("name", ["prod~eu", "prod@eu", "blue+green", "a=b", "x$y&z:w", "prod"])
def test_selected_workspace_with_characters_terraform_allows(tmp_path, name):
    assert valid_name(name)
    code, report = _check(_ws_dir(tmp_path, name.encode() + b"\n"))
    assert code == 1 and _WORLD in _violations(report)


def test_tf_data_dir_holds_the_workspace(tmp_path, monkeypatch):
    target = _ws_dir(tmp_path, b"prod", "tfdata")
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "environment").write_text("default")  # not read: TF_DATA_DIR is
    monkeypatch.setenv("TF_DATA_DIR", "tfdata")  # relative to where Terraform runs
    code, report = _check(target)
    assert code == 1 and _WORLD in _violations(report)
    monkeypatch.setenv("TF_DATA_DIR", str(tmp_path / "tfdata"))
    assert _WORLD in _violations(_check(target)[1])


def test_tf_workspace_first(tmp_path, monkeypatch):
    target = _ws_dir(tmp_path, b"default")
    monkeypatch.setenv("TF_WORKSPACE", "prod~eu")
    assert _WORLD in _violations(_check(target)[1])


@pytest.mark.parametrize("content", [b"bad/name", b"\xff\xfe", b"caf\xc3\xa9", b"x" * 5000])
def test_unreadable_workspace_is_unknown_not_default(tmp_path, content):
    code, report = _check(_ws_dir(tmp_path, content))
    assert _violations(report) == set()  # neither 0.0.0.0/0 nor the "default" 10.0.0.0/8
    assert any("terraform.workspace" in u["reason"] for u in report["unknown"])


def test_invalid_tf_workspace_is_unknown(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_WORKSPACE", "prod/eu")
    code, report = _check(_ws_dir(tmp_path, None))
    assert _violations(report) == set()
    assert any("TF_WORKSPACE" in u["reason"] for u in report["unknown"])


def test_no_environment_file_is_default(tmp_path):
    code, report = _check(_ws_dir(tmp_path, None))
    assert ("TFSG004", "aws_security_group.ws", "aws_security_group.ws admits 10.0.0.0/8 on tcp 22") \
        in {(f["policy"], f["address"], f["message"]) for f in report["findings"]}


# ------------------------------------------------------------------ beside a plan [WS] [TS]

_FILL = '''
resource "aws_security_group_rule" "ws" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = [terraform.workspace == "default" ? "10.0.0.0/8" : "0.0.0.0/0"]
}
resource "aws_security_group_rule" "ts" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_blocks       = [timecmp(plantimestamp(), "2026-12-01T16:23:51Z") < 0 ? "0.0.0.0/0" : "10.0.0.0/8"]
}
'''


def _filled(tmp_path, name: str, timestamp=None) -> object:
    (tmp_path / "main.tf").write_text(_FILL)
    sources = SourceValues(str(tmp_path), {}, [], timestamp=timestamp)
    found = sources.resource(Address((), "aws_security_group_rule", name))
    assert found is not None
    return found["expressions"]["cidr_blocks"][0]


def test_plan_mode_workspace_is_unknown_whatever_the_environment(tmp_path, monkeypatch):
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "environment").write_text("default")
    assert isinstance(_filled(tmp_path, "ws"), Unknown)
    monkeypatch.setenv("TF_WORKSPACE", "prod")  # the checker's, not necessarily the planner's
    assert isinstance(_filled(tmp_path, "ws"), Unknown)


def test_plan_mode_plantimestamp_is_the_plans(tmp_path):
    assert _filled(tmp_path, "ts", "2026-12-01T16:21:54Z") == "0.0.0.0/0"  # planned before T
    assert _filled(tmp_path, "ts", "2026-12-01T16:24:00Z") == "10.0.0.0/8"  # planned after T
    assert isinstance(_filled(tmp_path, "ts", None), Unknown)  # no recorded time: not the clock
    assert isinstance(plan_time("yesterday"), Unknown)


# ------------------------------------------------------------------ TF_CLI_ARGS [CLI]

_CLI = '''
variable "admin" {
  type    = string
  default = "10.0.0.0/8"
}
resource "aws_security_group" "ws" {
  name        = "ws"
  description = "by variable"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin]
  }
}
'''


def _cli_dir(tmp_path) -> str:
    (tmp_path / "main.tf").write_text(_CLI)
    (tmp_path / "ci.tfvars").write_text('admin = "0.0.0.0/0"\n')
    (tmp_path / "terraform.tfvars").write_text('admin = "10.1.0.0/16"\n')
    return str(tmp_path)


def _admitted(report: dict) -> set[str]:
    return {f["message"].rsplit(" admits ", 1)[-1] for f in report["findings"]
            if f["policy"] in ("TFSG001", "TFSG004") and f["status"] == "violation"}


@pytest.mark.parametrize("named, generic, extra, want", [
    ("-var-file=ci.tfvars", None, (), "the whole internet on tcp 22 (from 0.0.0.0/0)"),
    ("-lock=false -out p.bin -var-file ci.tfvars", None, (), "the whole internet on tcp 22 (from 0.0.0.0/0)"),
    ("-var=admin=10.2.0.0/16", "-var=admin=10.3.0.0/16", (), "10.3.0.0/16 on tcp 22"),  # TF_CLI_ARGS later
    ("-var-file=ci.tfvars", None, ("--var", "admin=10.4.0.0/16"), "10.4.0.0/16 on tcp 22"),  # command line last
    (None, None, (), "10.1.0.0/16 on tcp 22"),  # terraform.tfvars alone
])
def test_tf_cli_args_variables(tmp_path, monkeypatch, named, generic, extra, want):
    monkeypatch.setenv("TF_VAR_admin", "10.9.0.0/16")  # below the tfvars files and -var/-var-file
    if named:
        monkeypatch.setenv("TF_CLI_ARGS_plan", named)
    if generic:
        monkeypatch.setenv("TF_CLI_ARGS", generic)
    _, report = _check(_cli_dir(tmp_path), *extra)
    assert _admitted(report) == {want}


@pytest.mark.parametrize("value", ["-var-file=nope.tfvars", "-var nope=1", "-var-file"])
def test_tf_cli_args_that_cannot_be_read_exit_2(tmp_path, monkeypatch, value):
    monkeypatch.setenv("TF_CLI_ARGS_plan", value)
    proc = run_tfsg("check", _cli_dir(tmp_path))
    assert proc.returncode == 2, proc.stdout.decode()
    assert b"TF_CLI_ARGS" in proc.stderr
