"""Sensitive values in HCL mode are marks on every kind of value (probe pM, faults 1-3).

Terraform's rule (language docs, "Sensitive values"; cty marks): whatever is computed from a
sensitive value is sensitive, a bool or a number included, so a conditional, a ``for ... if``
filter, ``length()`` or ``cidrsubnet(..., length(var.s))`` cannot spell the value; attributes the
provider schema marks sensitive (``aws_db_instance.password``) are marked wherever they are read;
and an error about a sensitive value does not quote it. Each case runs ``tfsg show`` and
``tfsg check`` in every format and looks for the secret and its respellings; the analysis still
uses the values (a world-open CIDR behind a sensitive variable is an exposure, labelled).

The marks were checked against Terraform 1.11.4 with the aws provider 5.100.0 (tf-offline): the
recorded ``after_sensitive`` of each plan is below, and ``test_terraform_marks_the_same_live``
makes the plan again when tf-offline is on this machine.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT

SECRET = "Zq7SecretTok"  # 12 characters: cidrsubnet(..., length()) would say 10.12.0.0/16
PROVIDERS = '''terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "fixture-access-key"
  secret_key                  = "fixture-secret-key"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true
}
'''
# show refuses sarif and github (they carry findings): check gives all five
OUTPUTS = [("show", f) for f in ("text", "json", "markdown")] + \
    [("check", f) for f in ("text", "json", "markdown", "sarif", "github")]


def spellings(secret: str) -> list[str]:
    """The secret and what a pull request could respell it as."""
    chars = list(secret)
    return [secret, secret.upper(), secret.lower(), secret[::-1], "-".join(chars), ",".join(chars),
            " ".join(chars), "".join(f"{ord(c):x}" for c in chars), base64.b64encode(secret.encode()).decode()[:12]]


def _run(directory: Path, cmd: str, fmt: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tfsg", cmd, str(directory), "--format", fmt], capture_output=True,
                          cwd=directory, env=env, timeout=120)


def outputs(directory: Path, **env: str) -> dict[tuple[str, str], str]:
    """stdout and stderr of every command and format (run side by side)."""
    full = {**os.environ, **env}
    full.pop("NO_COLOR", None)
    with ThreadPoolExecutor(len(OUTPUTS)) as pool:
        procs = dict(zip(OUTPUTS, pool.map(lambda o: _run(directory, o[0], o[1], full), OUTPUTS)))
    for key, proc in procs.items():
        assert proc.returncode in (0, 1), (key, proc.stderr.decode())
    return {key: proc.stdout.decode() + proc.stderr.decode() for key, proc in procs.items()}


def leaks(texts: dict[tuple[str, str], str], forbidden: list[str]) -> list[tuple]:
    return [(key, word) for key, text in texts.items() for word in forbidden if word in text]


def show_json(directory: Path, **env: str) -> dict:
    proc = _run(directory, "show", "json", {**os.environ, **env})
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    return directory


# ---------------------------------------------------------------- computed from a sensitive value

COMPUTED = f'''variable "s" {{
  type      = string
  sensitive = true
  default   = "{SECRET}"
}}
variable "n" {{
  type      = number
  sensitive = true
  default   = 4242
}}
variable "flag" {{
  type      = bool
  sensitive = true
  default   = true
}}
variable "lst" {{
  type      = list(string)
  sensitive = true
  default   = ["alpha-xq", "beta-xq"]
}}
variable "maybe" {{
  type      = string
  sensitive = true
  default   = null
}}
variable "world" {{
  type      = string
  sensitive = true
  default   = "0.0.0.0/0"
}}
variable "port" {{
  type      = number
  sensitive = true
  default   = 22
}}
locals {{
  alphabet = [for i in range(62) : substr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", i, 1)]
}}
resource "aws_security_group" "g" {{
  name        = "g"
  description = "g"
  vpc_id      = "vpc-1"
  tags = {{
    Oracle    = substr(var.s, 0, 1) == "Z" ? "first-is-Zxq" : "first-not-Zxq"
    Chars     = join("-", [for i in range(12) : join("", [for c in local.alphabet : c if substr(var.s, i, 1) == c])])
    Subnet    = cidrsubnet("10.0.0.0/8", 8, length(var.s))
    Len       = tostring(length(var.s))
    Setsub    = join(",", setsubtract(["{SECRET}", "other-xq"], [var.s]))
    Contains  = contains(["{SECRET}"], var.s) ? "contains-yes-xq" : "contains-no-xq"
    Index     = tostring(index(["a", "{SECRET}"], var.s))
    Can       = can(regex("^Zq", var.s)) ? "can-yes-xq" : "can-no-xq"
    Try       = try(tonumber(var.s), "fallback-xq")
    NumPlus   = "n=${{var.n + 1}}"
    NumCmp    = var.n > 4000 ? "big-xq" : "small-xq"
    Flag      = var.flag ? "on-xq" : "off-xq"
    FlagStr   = tostring(var.flag)
    ListLen   = length(var.lst) == 2 ? "two-xq" : "not-two-xq"
    ListEmpty = length([for x in var.lst : x if x == "alpha-xq"]) > 0 ? "has-alpha-xq" : "no-alpha-xq"
    Maybe     = var.maybe == null ? "unset-xq" : "set-xq"
    Lookup    = lookup({{ {SECRET} = "k" }}, var.s, null) != null ? "key-yes-xq" : "key-no-xq"
    Tmpl      = "%{{if var.s == "{SECRET}"}}tmpl-yes-xq%{{else}}tmpl-no-xq%{{endif}}"
    Keys      = keys({{ (var.s) = 1 }})[0]
    Splat     = join(",", [for o in [{{ n = var.s }}] : o.n])
    Ele       = element(["e0-xq", "e1-xq", "e2-xq"], length(var.s))
    Fmt       = format("%d", var.n)
    Bools     = jsonencode([var.flag, !var.flag])
    Sum       = tostring(sum([var.n, 1]))
    Minx      = tostring(min(var.n, 5000))
    Alltrue   = alltrue([var.flag]) ? "all-xq" : "notall-xq"
    Coal      = coalesce(var.maybe, "coal-default-xq")
    One       = one(var.maybe == null ? [] : ["one-xq"]) == null ? "one-null-xq" : "one-set-xq"
    Strict    = var.s != "nope" ? "ne-xq" : "eq-xq"
  }}
  ingress {{
    description = "world through a sensitive variable"
    protocol    = "tcp"
    from_port   = var.port
    to_port     = var.port
    cidr_blocks = [var.world, "10.1.0.0/16"]
  }}
}}
resource "aws_instance" "i" {{
  ami                         = "ami-1"
  instance_type               = "t3.micro"
  vpc_security_group_ids      = [aws_security_group.g.id]
  associate_public_ip_address = true
}}
'''
# terraform plan of COMPUTED + PROVIDERS: after_sensitive of aws_security_group.g. Terraform
# leaves can() and try() unmarked; tfsg marks them too (what succeeded or failed tells the value).
TERRAFORM_MARKED_TAGS = {"Alltrue", "Bools", "Chars", "Coal", "Contains", "Ele", "Flag", "FlagStr", "Fmt", "Index",
                         "Keys", "Len", "ListEmpty", "ListLen", "Lookup", "Maybe", "Minx", "NumCmp", "NumPlus", "One",
                         "Oracle", "Setsub", "Splat", "Strict", "Subnet", "Sum", "Tmpl"}
ALSO_MARKED_BY_TFSG = {"Can", "Try"}
COMPUTED_LEAKS = spellings(SECRET) + ["xq", "10.12.", "4243", "4242", "Z-q-7"]


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("computed"), {"main.tf": COMPUTED})


def test_nothing_computed_from_a_sensitive_value_is_printed(computed: Path):
    """Comparisons, conditionals, for-if filters, length, index, contains, setsubtract, numbers,
    bools, lists, null: no branch text, no length, no character of the secret in any format."""
    assert leaks(outputs(computed), COMPUTED_LEAKS) == []


def test_marks_are_the_ones_terraform_gives(computed: Path):
    tags = show_json(computed)["groups"][0]["tags"]
    assert set(tags) == TERRAFORM_MARKED_TAGS | ALSO_MARKED_BY_TFSG
    assert {k for k, v in tags.items() if v == "(sensitive)"} == TERRAFORM_MARKED_TAGS | ALSO_MARKED_BY_TFSG


def test_sensitive_values_are_still_analysed(computed: Path):
    """The world-open block and port 22 come from sensitive variables: still an exposure and a
    blocking finding, the block shown as a placeholder. One sensitive rule makes the group's
    ingress set sensitive, as Terraform marks it (``ingress: true``): 10.1.0.0/16 is one too."""
    r = show_json(computed)
    assert {(f["from"], f["ports"]) for f in r["flows"]} == {("(sensitive 1)", "22"), ("(sensitive 2)", "22")}
    assert {(e["address"], tuple(e["sources"])) for e in r["exposed"]} == {
        ("aws_instance.i", ("(sensitive 1)",)), ("aws_security_group.g", ("(sensitive 1)",))}
    proc = _run(computed, "check", "json", dict(os.environ))
    assert proc.returncode == 1
    found = {(f["policy"], f["address"]) for f in json.loads(proc.stdout)["findings"]}
    assert ("TFSG001", "aws_security_group.g") in found


def test_a_secret_from_the_environment_is_not_spelled_one_character_at_a_time(tmp_path: Path):
    """The CI passes TF_VAR_s; a for-if over an alphabet would spell it into the comment."""
    write(tmp_path, {"main.tf": '''variable "s" {
  type      = string
  sensitive = true
}
locals {
  alphabet = [for i in range(62) : substr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", i, 1)]
}
resource "aws_security_group" "a" {
  description = "a"
  name        = join("-", [for i in range(17) : join("", [for c in local.alphabet : c if substr(var.s, i, 1) == c])])
  vpc_id      = "vpc-0123456789abcdef0"
}
resource "aws_security_group" "b" {
  name        = "b"
  description = substr(var.s, 0, 1) == "C" ? "first-is-C" : "no-it-is-not"
  vpc_id      = "vpc-0123456789abcdef0"
}
'''})
    secret = "CiSecretFromEnv42"
    assert leaks(outputs(tmp_path, TF_VAR_s=secret), spellings(secret) + ["first-is-C", "no-it-is-not"]) == []
    groups = {g["address"]: g for g in show_json(tmp_path, TF_VAR_s=secret)["groups"]}
    assert groups["aws_security_group.a"]["name"] == "(sensitive)"
    assert groups["aws_security_group.b"]["description"] == "(sensitive)"


# ---------------------------------------------------------------- what the provider marks sensitive

PROVIDER_SENSITIVE = '''variable "db_password" {
  type    = string
  default = "DbPassw0rdXyz"
}
resource "aws_db_instance" "db" {
  identifier             = "db"
  engine                 = "postgres"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  username               = "admin"
  password               = var.db_password
  vpc_security_group_ids = [aws_security_group.office.id]
}
resource "aws_mq_broker" "mq" {
  broker_name        = "mq"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.t3.micro"
  user {
    username = "mquser"
    password = "MqUserPassw0rd1"
  }
}
resource "aws_secretsmanager_secret_version" "office" {
  secret_id     = "arn:aws:secretsmanager:us-east-1:123456789012:secret:office"
  secret_string = "203.0.113.0/24"
}
resource "aws_security_group" "data" {
  name        = "data"
  description = "db ${aws_db_instance.db.password}"
  vpc_id      = "vpc-0123456789abcdef0"
  tags = {
    Pw    = "pw-${aws_db_instance.db.password}"
    Len   = length(aws_db_instance.db.password) > 5 ? "long-xq" : "short-xq"
    Mq    = one([for u in aws_mq_broker.mq.user : u.password])
    Plain = aws_db_instance.db.username
  }
}
resource "aws_security_group" "office" {
  name        = "office"
  description = "office"
  vpc_id      = "vpc-0123456789abcdef0"
  ingress {
    description = "ssh from the office, kept in a secret"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [aws_secretsmanager_secret_version.office.secret_string]
  }
}
resource "aws_security_group_rule" "pg" {
  type              = "ingress"
  security_group_id = aws_security_group.data.id
  protocol          = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_blocks       = [aws_secretsmanager_secret_version.office.secret_string, "10.7.0.0/16"]
}
'''
# terraform plan of PROVIDER_SENSITIVE: data's description and tags Pw, Len, Mq; office's
# ingress (a set: wholly); the rule's first CIDR only (a list: element by element)


@pytest.fixture(scope="module")
def provider_sensitive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("provider"), {"main.tf": PROVIDER_SENSITIVE})


def test_provider_sensitive_attributes_are_never_printed(provider_sensitive: Path):
    forbidden = spellings("DbPassw0rdXyz") + spellings("MqUserPassw0rd1") + ["203.0.113", "xq"]
    assert leaks(outputs(provider_sensitive), forbidden) == []


def test_provider_sensitive_attributes_are_marked_as_terraform_marks_them(provider_sensitive: Path):
    r = show_json(provider_sensitive)
    groups = {g["address"]: g for g in r["groups"]}
    data = groups["aws_security_group.data"]
    assert data["description"] == "(sensitive)"
    assert data["tags"] == {"Pw": "(sensitive)", "Len": "(sensitive)", "Mq": "(sensitive)", "Plain": "admin"}
    assert groups["aws_security_group.office"]["description"] == "office"
    # the secret is still the rule's block (a placeholder); the rule's other block is in clear
    assert {(f["from"], f["to"], f["ports"]) for f in r["flows"]} == {
        ("(sensitive 1)", "aws_security_group.office", "22"), ("(sensitive 1)", "aws_security_group.data", "5432"),
        ("10.7.0.0/16", "aws_security_group.data", "5432")}


def test_the_schema_data_lists_sensitive_attributes():
    """tfsg/data/argtypes.json (make_argtypes.py) records the schema's sensitive attributes of
    every resource and data source type, through nested blocks."""
    data = json.loads((ROOT / "tfsg" / "data" / "argtypes.json").read_text())["sensitive"]
    assert "password" in data["managed"]["aws_db_instance"]
    assert "master_password" in data["managed"]["aws_rds_cluster"]
    assert "user.password" in data["managed"]["aws_mq_broker"]
    assert {"secret", "ses_smtp_password_v4"} <= set(data["managed"]["aws_iam_access_key"])
    assert "secret_string" in data["managed"]["aws_secretsmanager_secret_version"]
    assert "secret_string" in data["data"]["aws_secretsmanager_secret_version"]


# ---------------------------------------------------------------- error messages

ERRORS = {
    "regex_upper": 'regex("[${upper(var.s)}", "x")',
    "regex_raw": "regex(var.pattern, \"x\")",
    "template": "templatestring(var.template, {})",
    "tonumber": "tonumber(var.s)",
    "cidrhost": "cidrhost(upper(var.s), 1)",
    "index": '["a", "b"][var.n]',
    "cidrsubnet": 'cidrsubnet("10.0.0.0/8", 8, var.n)',
    "file": "file(var.s)",
    "yaml": 'yamldecode("k: [${var.s}")',
    "format": 'format("%d", var.s)',
    "branch": 'var.s == "x" ? tonumber("notnum-qa") : tonumber("notnum-qb")',
    "filter": '[for c in ["qq-one", "qq-two"] : tonumber(c) if startswith(var.s, "Zq")][0]',
    "directive": '"%{if var.s == "x"}${tonumber("tmpl-qa")}%{else}${tonumber("tmpl-qb")}%{endif}"',
}


def _errors_config(names: tuple[str, ...] = tuple(ERRORS)) -> str:
    rules = "".join(f'''resource "aws_security_group_rule" "{name}" {{
  type              = "ingress"
  security_group_id = aws_security_group.g.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = [{expr}]
}}
''' for name, expr in ERRORS.items() if name in names)
    return f'''variable "s" {{
  type      = string
  sensitive = true
  default   = "{SECRET}"
}}
variable "n" {{
  type      = number
  sensitive = true
  default   = 4242
}}
variable "pattern" {{
  type      = string
  sensitive = true
  default   = "Zq7Sec["
}}
variable "template" {{
  type      = string
  sensitive = true
  default   = "Abc$${{ZqTmplRef}}"
}}
resource "aws_security_group" "g" {{
  name        = "g"
  description = "g"
  vpc_id      = "vpc-1"
}}
{rules}'''


@pytest.fixture(scope="module")
def errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One configuration per expression: a function that fails on known arguments is
    Terraform's error, which refuses the whole input (exit 2, round fifteen), so each is alone."""
    return {name: write(tmp_path_factory.mktemp(f"errors_{name}"), {"main.tf": _errors_config((name,))})
            for name in ERRORS}


# Terraform refuses these at plan ("Call to function ... failed", the error of a function on
# known arguments); an index out of range stays an unknown naming its file:line
REFUSED = set(ERRORS) - {"index"}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_about_a_sensitive_value_do_not_quote_it(errors: dict[str, Path], name: str):
    forbidden = spellings(SECRET) + ["Zq7Sec", "ZqTmplRef", "4242", "notnum-q", "qq-one", "qq-two", "tmpl-q"]
    full = {**os.environ}
    full.pop("NO_COLOR", None)
    with ThreadPoolExecutor(len(OUTPUTS)) as pool:
        procs = dict(zip(OUTPUTS, pool.map(lambda o: _run(errors[name], o[0], o[1], full), OUTPUTS)))
    for key, proc in procs.items():
        assert proc.returncode in ((2,) if name in REFUSED else (0, 1)), (key, proc.stderr.decode())
    texts = {key: proc.stdout.decode() + proc.stderr.decode() for key, proc in procs.items()}
    assert leaks(texts, forbidden) == []


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_about_a_sensitive_value_say_so(errors: dict[str, Path], name: str):
    proc = _run(errors[name], "show", "json", dict(os.environ))
    if name in REFUSED:
        assert proc.returncode == 2
        reason = proc.stderr.decode()
    else:
        reason = {u["address"]: u["reason"] for u in show_json(errors[name])["unknown"]}[
            f"aws_security_group_rule.{name}"]
    assert "which is sensitive" in reason, (name, reason)


def test_a_sensitive_template_that_does_not_parse_is_not_quoted(tmp_path: Path):
    """templatestring() parses its text as a template: a syntax error is exit 2, without it."""
    write(tmp_path, {"main.tf": '''variable "t" {
  type      = string
  sensitive = true
  default   = "Abc$${ \\"ZqBadTmpl\\" + }"
}
resource "aws_security_group" "g" {
  name = templatestring(var.t, {})
}
'''})
    proc = _run(tmp_path, "show", "text", dict(os.environ))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "which is sensitive" in err and "ZqBadTmpl" not in err, err


def test_a_limit_a_sensitive_value_reaches_does_not_count_it(tmp_path: Path):
    """Past string-chars the input stops (exit 2), but the count it gives would tell the secret's
    length (4,194,293 + 12 characters): the message leaves the numbers out."""
    write(tmp_path, {"main.tf": f'''variable "s" {{
  type      = string
  sensitive = true
  default   = "{SECRET}"
}}
resource "aws_security_group" "g" {{
  name = "${{var.s}}${{format("%04194293d", 0)}}"
}}
'''})
    proc = _run(tmp_path, "show", "text", dict(os.environ))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "sensitive" in err and "4,194,305" not in err, err


# ---------------------------------------------------------------- modules, for_each, count, dynamic

MODULES = {
    "main.tf": f'''variable "s" {{
  type      = string
  sensitive = true
  default   = "{SECRET}"
}}
variable "three" {{
  type      = number
  sensitive = true
  default   = 3
}}
variable "rules" {{
  type      = list(object({{ cidr = string, port = number }}))
  sensitive = true
  default   = [{{ cidr = "198.51.100.0/24", port = 22 }}, {{ cidr = "192.0.2.0/24", port = 443 }}]
}}
module "m" {{
  source = "./m"
  secret = var.s
  plain  = "plainval-xq"
}}
resource "aws_security_group" "from_module" {{
  name        = module.m.derived
  description = "d"
}}
resource "aws_security_group" "vpc" {{
  name   = "vpc"
  vpc_id = lower(var.s)  # shown by the builder as it is: the scrubber knows the marked text
}}
resource "aws_security_group" "fe" {{
  for_each    = toset([var.s])
  name        = "fe"
  description = "d"
}}
resource "aws_security_group" "cnt" {{
  count       = var.three
  name        = "cnt-${{count.index}}"
  description = "d"
}}
resource "aws_security_group" "dyn" {{
  name        = "dyn"
  description = "d"
  dynamic "ingress" {{
    for_each = var.rules
    content {{
      description = "rule ${{ingress.key}}"
      protocol    = "tcp"
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      cidr_blocks = [ingress.value.cidr]
    }}
  }}
}}
''',
    "m/main.tf": '''variable "secret" {
  type = string
}
variable "plain" {
  type = string
}
resource "aws_security_group" "c" {
  name        = "c"
  description = length(var.secret) == 12 ? "twelve-xq" : "other-xq"
}
output "derived" {
  value     = "${var.plain}-suffix"
  sensitive = true
}
''',
}


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("modules"), MODULES)


def test_marks_cross_modules_and_instance_keys_never_spell_a_secret(modules: Path):
    assert leaks(outputs(modules), spellings(SECRET) + ["xq", "198.51.100", "192.0.2."]) == []


def test_modules_count_for_each_and_dynamic_blocks_with_sensitive_values(modules: Path):
    r = show_json(modules)
    groups = {g["address"]: g for g in r["groups"]}
    assert groups["module.m.aws_security_group.c"]["description"] == "(sensitive)"  # marked through the call
    assert groups["aws_security_group.from_module"]["name"] == "(sensitive)"  # a sensitive output
    # a sensitive count is used (Terraform allows it); a sensitive for_each is refused, as Terraform does
    assert {a for a in groups if a.startswith("aws_security_group.cnt")} == {
        f"aws_security_group.cnt[{i}]" for i in range(3)}
    assert not [a for a in groups if a.startswith("aws_security_group.fe")]
    assert [u for u in r["unknown"] if u["address"] == "aws_security_group.fe" and "for_each is sensitive" in u["reason"]]
    # a dynamic block over a sensitive list: every rule analysed, each block a placeholder
    dyn = {(f["from"], f["ports"]) for f in r["flows"] if f["to"] == "aws_security_group.dyn"}
    assert {p for _, p in dyn} == {"22", "443"} and all(src.startswith("(sensitive ") for src, _ in dyn)


# ---------------------------------------------------------------- the marks, value by value

def _value(tmp_path: Path, expr: str) -> object:
    from tfsg.sources.hcl import budget
    from tfsg.sources.hcl.files import Tree
    from tfsg.sources.hcl.modules import Loader, ModuleInstance

    write(tmp_path, {"main.tf": f'''variable "s" {{
  sensitive = true
  default   = "{SECRET}"
}}
variable "n" {{
  type      = number
  sensitive = true
  default   = 4242
}}
variable "maybe" {{
  sensitive = true
  default   = null
}}
locals {{
  x = {expr}
}}
'''})
    budget.reset()
    loader = Loader(Tree(), str(tmp_path))
    return ModuleInstance(loader, loader.module(str(tmp_path)), (), None, {}).local("x")


MARKS = [
    # a list or object literal keeps each element's own mark (cty), and its shape is not sensitive
    ("length([var.s])", 1, False),
    ('[var.s, "x"][1]', "x", False),
    ('merge({a = var.s}, {b = "x"}).b', "x", False),
    # anything computed from a sensitive operand is sensitive
    ("length(var.s)", 12, True),
    ('var.s == "x"', False, True),
    ("var.n + 1", 4243, True),
    ("var.n > 4000", True, True),
    ('!(var.s == "x")', True, True),
    ('lookup({a = 1}, var.s, 2)', 2, True),
    ('var.maybe == null', True, True),
    ('coalesce(var.maybe, "d")', "d", True),
    ('{for k, v in {a = 1} : k => v if var.s != ""}', {"a": 1}, True),
    ('[for c in ["a"] : c if var.s == "x"]', [], True),
    ('toset([var.s, "x"])', [SECRET, "x"], True),  # a set holds no marked element: the set is marked
    ('{(var.s) = 1}', {SECRET: 1}, True),
    # what succeeded or failed tells the value (Terraform leaves these two unmarked)
    ("try(tonumber(var.s), 0)", 0, True),
    ("can(tonumber(var.s))", False, True),
    # nonsensitive() is the one way out, as in Terraform
    ("nonsensitive(var.s)", SECRET, False),
]


@pytest.mark.parametrize("expr,value,marked", MARKS, ids=[m[0] for m in MARKS])
def test_each_value_carries_its_mark(tmp_path: Path, expr: str, value: object, marked: bool):
    from tfsg.sources.hcl.marks import is_marked, unmark

    got = _value(tmp_path, expr)
    assert unmark(got) == value and is_marked(got) is marked
    assert repr(got) == "'(sensitive)'" if marked else True


# ---------------------------------------------------------------- Terraform itself, when at hand

TF_OFFLINE = Path("/work/shared/tools/tf-offline")


@pytest.mark.skipif(not (TF_OFFLINE.exists() and shutil.which("terraform")), reason="tf-offline is not here")
def test_terraform_marks_the_same_live(tmp_path: Path):
    """A real plan of COMPUTED: every tag Terraform marks is (sensitive) in HCL mode too."""
    write(tmp_path, {"main.tf": COMPUTED, "providers.tf": PROVIDERS})
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    for args in (["init", "-input=false"], ["plan", "-input=false", "-out", "p.bin"]):
        proc = subprocess.run([str(TF_OFFLINE), *args], cwd=tmp_path, env=env, capture_output=True, timeout=600)
        if proc.returncode != 0:
            pytest.skip(f"terraform {args[0]} failed here: {proc.stderr.decode()[-300:]}")
    shown = subprocess.run([str(TF_OFFLINE), "show", "-json", "p.bin"], cwd=tmp_path, env=env, capture_output=True,
                           timeout=600, check=True)
    plan = json.loads(shown.stdout)
    change = next(c["change"] for c in plan["resource_changes"] if c["address"] == "aws_security_group.g")
    assert set(change["after_sensitive"]["tags"]) == TERRAFORM_MARKED_TAGS
    assert change["after_sensitive"]["ingress"] is True
    tags = show_json(tmp_path)["groups"][0]["tags"]
    assert {k for k, v in tags.items() if v == "(sensitive)"} == TERRAFORM_MARKED_TAGS | ALSO_MARKED_BY_TFSG
