"""HCL mode, round fourteen: go-cty/HCL type and function semantics that decide a rule.

Expectations derived by hand from the sources below, then checked against Terraform 1.11.4
(``terraform console`` for the expression table, ``terraform plan`` for the fixture):

[LISTTYPE] go-cty cty/function/stdlib (KeysFunc, ValuesFunc, CompactFunc, SortFunc, SplitFunc,
           RangeFunc, FormatListFunc, ChunklistFunc, DistinctFunc, ConcatFunc, ReverseListFunc,
           SliceFunc) and Terraform internal/lang/funcs (cidrsubnets, matchkeys, fileset,
           transpose): their result is a list/set/map type, and HCL's ``==`` compares types, so
           ``keys(var.m) == []`` (list(string) vs empty tuple) is false; ``keys({})`` of an object
           is a tuple and equals ``[]``; ``concat`` of tuples is a tuple.
[UNIFY]    hclsyntax ConditionalExpr.Value evaluates both results and converts the chosen one to
           convert.UnifyUnsafe of their types (go-cty cty/convert/unify.go): number+string is
           string; tuples of different lengths are a list; objects of different attributes a map.
[BOOL]     go-cty v1.16 (Terraform 1.11) cty/convert/conversion_primitive.go: the strings "1"/"0"
           convert to true/false (tobool, conditions, -var, TF_VAR_).
[V4MAPPED] Go's net.IPNet.String / IP.String write an IPv4-mapped address as IPv4 (the mask's last
           32 bits); go-cidr numbers a v4-mapped prefix's hosts from bit 32.
[PLANFN]   Terraform functions docs: plantimestamp ("known during the plan"), timecmp, formatdate,
           base64sha256/512, textencodebase64/textdecodebase64 are pure, computed at plan.
[PFUNC]    Terraform docs, "Provider-defined functions": provider::<LOCAL NAME>::<function>, the
           local name of required_providers; the builtin provider terraform.io/builtin/terraform.
[DATA]     AWS provider docs: data "aws_arn" parses its argument; data "aws_region" is "the Region
           configured within the provider" (a region from a variable is known at plan too).
[NUM]      cty.ParseNumberVal: literals and tonumber() at 512 bits (floor(21.9999999999999999999)
           is 21).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT, plan, run_tfsg, tfsg_json

CASE = "hcl_round_fourteen"
T, F = "aws_security_group.types", "aws_security_group.funcs"

PROVIDER = '''provider "aws" {
  region                      = "us-east-1"
  access_key                  = "x"
  secret_key                  = "x"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
'''

WANT_FLOWS = {
    ("0.0.0.0/0", T, "3389"),  # [LISTTYPE] keys(var.rdp_allow) == [] is false
    ("::/0", T, "3389"),  # [LISTTYPE] regexall() == [] is false: count = 1
    ("10.2.0.0/16", T, "8080"),  # [LISTTYPE] split() == tolist([...]) is true (control)
    ("0.0.0.0/0", T, "22"),  # [UNIFY] local.port is "22", not 22
    ("0.0.0.0/0", T, "5432"),  # [UNIFY] list(string) does not contain 5432
    ("10.3.0.0/16", T, "2222"),  # [UNIFY] list(number) != tuple (control)
    ("0.0.0.0/0", T, "1433"),  # [BOOL] "1" is true
    ("0.0.0.0/1", F, "9200"), ("128.0.0.0/1", F, "9200"),  # [V4MAPPED]
    ("10.1.0.0/16", F, "6379"),  # [V4MAPPED]
    ("0.0.0.0/0", F, "27017"),  # [PLANFN] formatdate
    ("0.0.0.0/0", F, "11211"),  # [PLANFN] textencodebase64/textdecodebase64
    ("0.0.0.0/0", F, "3306"),  # [PLANFN] timecmp(plantimestamp(), ...)
    ("0.0.0.0/0", F, "5439"),  # [DATA] data.aws_arn.db.region
    ("0.0.0.0/0", F, "21"),  # [NUM] floor(21.9999999999999999999) = 21, not SSH
    ("10.4.0.0/16", F, "8443"),  # [LISTTYPE] keys({}) == [] is true (control)
}
WANT_FINDINGS = [
    ("TFSG001", "critical", T),  # 22 and 3389 (IPv4 and IPv6) from the internet
    ("TFSG002", "critical", F),  # 27017, 11211, 3306, 5439, 9200 from the internet
    ("TFSG002", "critical", T),  # 5432, 1433 from the internet
    ("TFSG005", "high", F),  # 6379 from 10.1.0.0/16
    ("TFSG011", "medium", "aws_vpc.main"),
    ("TFSG013", "medium", T),
    ("TFSG009", "low", T),  # v6[0] has no description: one finding per group, on the group it is on
    ("TFSG012", "low", F),
    ("TFSG012", "low", T),
    ("TFSG019", "info", F),
    ("TFSG019", "info", T),
]


def _check(target: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "tfsg", "check", target, "--format", "json"],
                          capture_output=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1, proc.stderr.decode()  # FAIL: criticals
    return json.loads(proc.stdout)


def test_plan_and_hcl_agree_on_the_fixture():
    for target in (plan(CASE), str(FIXTURES / CASE)):
        r = tfsg_json("show", target)
        assert {(f["from"], f["to"], f["ports"]) for f in r["flows"]} == WANT_FLOWS, target
        assert {f["protocol"] for f in r["flows"]} == {"tcp"}
        assert r["unknown"] == [], target
        findings = _check(target)["findings"]
        assert [(f["policy"], f["severity"], f["address"]) for f in findings] == WANT_FINDINGS, target


CONSOLE_VARS = '''variable "m" {
  type    = map(string)
  default = {}
}
variable "l" {
  type    = list(string)
  default = []
}
variable "s" {
  type    = string
  default = "x"
}
'''

# (expression, jsonencode(expression) as terraform console 1.11.4 prints it)
CONSOLE = [
    ('keys(var.m) == []', 'false'),
    ('values(var.m) == []', 'false'),
    ('compact(var.l) == []', 'false'),
    ('distinct(["a", "a"]) == ["a"]', 'false'),
    ('sort(var.l) == []', 'false'),
    ('split(",", "a") == ["a"]', 'false'),
    ('split(",", "a,b") == tolist(["a", "b"])', 'true'),
    ('range(0) == []', 'false'),
    ('regexall("x", "y") == []', 'false'),
    ('reverse(var.l) == []', 'false'),
    ('slice(var.l, 0, 0) == []', 'false'),
    ('formatlist("%s", var.l) == []', 'false'),
    ('cidrsubnets("10.0.0.0/8", 8) == ["10.0.0.0/16"]', 'false'),
    ('chunklist(var.l, 1) == []', 'false'),
    ('concat(var.l) == []', 'false'),
    ('concat(["a"], ["b"]) == ["a", "b"]', 'true'),
    ('keys({}) == []', 'true'),
    ('values({ a = 1 }) == [1]', 'true'),
    ('transpose({}) == {}', 'false'),
    ('csvdecode("a\\n") == []', 'false'),
    ('csvdecode("a\\n\\n1")', '[{"a":"1"}]'),
    ('(true ? 22 : var.s) == 22', 'false'),
    ('true ? 22 : var.s', '"22"'),
    ('true ? [22, 3389] : ["none"]', '["22","3389"]'),
    ('contains(true ? [22, 3389] : ["none"], 22)', 'false'),
    ('(true ? [22] : []) == [22]', 'false'),
    ('true ? [1] : ["a"]', '["1"]'),
    ('(true ? { a = 22 } : { a = "x" }).a == 22', 'false'),
    ('true ? { a = 22 } : { a = "x", b = 1 }', '{"a":"22"}'),
    ('true ? null : 22', 'null'),
    ('tobool("1")', 'true'),
    ('tobool("0")', 'false'),
    ('"0" ? "a" : "b"', '"b"'),
    ('cidrsubnet("::ffff:0.0.0.0/96", 1, 1)', '"128.0.0.0/1"'),
    ('cidrsubnet("::ffff:10.0.0.0/104", 8, 1)', '"10.1.0.0/16"'),
    ('cidrsubnet("::/64", 32, 65535)', '"0.0.0.0/0"'),
    ('cidrhost("::ffff:10.0.0.0/104", 1)', '"0:1::ffff:a00:0"'),
    ('cidrhost("::ffff:10.0.0.0/104", 0)', '"10.0.0.0"'),
    ('cidrnetmask("::ffff:10.0.0.0/104")', '"ffff:ffff:ffff:ffff:ffff:ffff:ff00:0"'),
    ('formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")', '"02 Jan 2018 23:12 UTC"'),
    ('formatdate("EEEE, DD-MMM-YY hh:mm:ss ZZZZZ", "2018-01-02T23:12:01-08:00")',
     '"Tuesday, 02-Jan-18 23:12:01 -08:00"'),
    ('formatdate("h:mmaa \'o\'\'clock\' Z", "2018-01-02T03:04:05+05:30")', '"3:04am o\'clock +05:30"'),
    ('timecmp("2024-01-01T00:00:00Z", "2023-12-31T23:00:00-02:00")', '-1'),
    ('timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z")', '0'),
    ('base64sha256("hello world")', '"uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="'),
    ('base64sha512("hello world")',
     '"MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw=="'),
    ('textencodebase64("Hello World", "UTF-16LE")', '"SABlAGwAbABvACAAVwBvAHIAbABkAA=="'),
    ('textdecodebase64("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")', '"Hello World"'),
    ('floor(21.9999999999999999999)', '21'),
    ('5431.0000000000000000001 > 5431', 'true'),
    ('tonumber("3388.00000000000000000001") > 3388', 'true'),
    ('ceil(5431.0000000000000000001)', '5432'),
]


def test_expressions_evaluate_as_terraform_console_does(tmp_path: Path):
    groups = "".join(f'''resource "aws_security_group" "e{i}" {{
  name = "e{i}"
  tags = {{ v = jsonencode({expr}) }}
}}
''' for i, (expr, _) in enumerate(CONSOLE))
    (tmp_path / "main.tf").write_text(PROVIDER + CONSOLE_VARS + groups, encoding="utf-8")
    r = tfsg_json("show", str(tmp_path))
    got = {g["address"]: g["tags"].get("v") for g in r["groups"]}
    wrong = [(expr, want, got.get(f"aws_security_group.e{i}"))
             for i, (expr, want) in enumerate(CONSOLE) if got.get(f"aws_security_group.e{i}") != want]
    assert wrong == []
    assert r["unknown"] == []


BOOL_VAR = PROVIDER + '''variable "public_ssh" {
  type    = bool
  default = false
}
resource "aws_security_group" "b" {
  name = "b"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = var.public_ssh ? ["0.0.0.0/0"] : ["10.0.0.0/8"]
  }
}
'''


def _flows(target: str, *extra: str, env: dict | None = None) -> set:
    proc = subprocess.run([sys.executable, "-m", "tfsg", "show", target, *extra, "--format", "json"],
                          capture_output=True, cwd=ROOT, timeout=120, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr.decode()
    return {(f["from"], f["to"], f["ports"]) for f in json.loads(proc.stdout)["flows"]}


def test_one_and_zero_as_bool_from_var_and_env(tmp_path: Path):
    (tmp_path / "main.tf").write_text(BOOL_VAR, encoding="utf-8")
    world, narrow = {("0.0.0.0/0", "aws_security_group.b", "22")}, {("10.0.0.0/8", "aws_security_group.b", "22")}
    assert _flows(str(tmp_path), "--var", "public_ssh=1") == world  # [BOOL]
    assert _flows(str(tmp_path), "--var", "public_ssh=0") == narrow
    assert _flows(str(tmp_path), env={"TF_VAR_public_ssh": "1"}) == world


def test_provider_functions_by_local_name(tmp_path: Path):
    (tmp_path / "main.tf").write_text('''terraform {
  required_providers {
    amazon    = { source = "hashicorp/aws" }
    terraform = { source = "terraform.io/builtin/terraform" }
  }
}
provider "amazon" {
  region                      = "us-east-1"
  access_key                  = "x"
  secret_key                  = "x"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
locals {
  p   = provider::amazon::arn_parse("arn:aws:s3:::")
  tfv = provider::terraform::decode_tfvars("cidr = \\"0.0.0.0/0\\"\\nport = 3389")
}
resource "aws_security_group" "a" {
  provider = amazon
  name     = "a"
  ingress {
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = [local.p.resource == "" ? "0.0.0.0/0" : "10.0.0.0/8"]
  }
  ingress {
    protocol    = "tcp"
    from_port   = local.tfv.port
    to_port     = local.tfv.port
    cidr_blocks = [local.tfv.cidr]
  }
}
''', encoding="utf-8")
    r = tfsg_json("show", str(tmp_path))  # [PFUNC]; arn.Parse allows an empty resource (pD c13b plan)
    assert {(f["from"], f["ports"]) for f in r["flows"]} == {("0.0.0.0/0", "5432"), ("0.0.0.0/0", "3389")}
    assert r["unknown"] == []


def test_region_from_a_variable_is_known_at_plan(tmp_path: Path):
    (tmp_path / "main.tf").write_text(PROVIDER.replace('"us-east-1"', "var.region") + '''variable "region" {
  default = "eu-west-1"
}
data "aws_region" "cur" {}
resource "aws_security_group" "r" {
  name = "r"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = data.aws_region.cur.name == "eu-west-1" ? ["0.0.0.0/0"] : ["10.0.0.0/8"]
  }
}
''', encoding="utf-8")
    r = tfsg_json("show", str(tmp_path))  # [DATA] (pD c16_region's plan: 22 from 0.0.0.0/0)
    assert {(f["from"], f["ports"]) for f in r["flows"]} == {("0.0.0.0/0", "22")}
    assert r["unknown"] == []


def test_an_ambiguous_object_key_is_refused(tmp_path: Path):
    """hclsyntax parseObjectCons: a key written as a reference of more than one step, not in
    parentheses, is "Ambiguous attribute key" (pD c05b: terraform plan fails); in parentheses it
    is the reference's value."""
    body = PROVIDER + '''locals {
  k   = "ssh"
  obj = { KEY = "0.0.0.0/0" }
}
resource "aws_security_group" "a" {
  name = "a"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [lookup(local.obj, "ssh", "10.1.0.0/16")]
  }
}
'''
    (tmp_path / "main.tf").write_text(body.replace("KEY", "local.k"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "tfsg", "check", str(tmp_path)], capture_output=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 2 and b"main.tf:11: Ambiguous attribute key" in proc.stderr, proc.stderr
    (tmp_path / "main.tf").write_text(body.replace("KEY", "(local.k)"), encoding="utf-8")
    assert {(f["from"], f["ports"]) for f in tfsg_json("show", str(tmp_path))["flows"]} == {("0.0.0.0/0", "22")}


EMPTY_VARS = '''variable "m" {
  type    = map(string)
  default = {}
}
variable "l" {
  type    = list(string)
  default = []
}
variable "n" {
  type    = list(number)
  default = []
}
variable "s" {
  type    = set(string)
  default = []
}
'''
# [LISTTYPE] empty collections compare their element types too (terraform console 1.11.4)
EMPTY_CONSOLE = [
    ('var.l == tolist([])', 'false'),
    ('var.s == toset([])', 'false'),
    ('tolist([]) == tolist([])', 'true'),
    ('var.l == var.n', 'false'),
    ('var.l == compact([])', 'true'),
    ('tolist(var.l) == var.l', 'true'),
    ('var.m == tomap({})', 'false'),
    ('compact([]) == tolist([])', 'false'),
    ('range(0) == tolist([])', 'false'),
    ('keys(var.m) == compact([])', 'true'),
    ('tolist(var.l) == tolist([])', 'false'),
]


def test_empty_typed_collections_compare_element_types(tmp_path: Path):
    groups = "".join(f'''resource "aws_security_group" "e{i}" {{
  name = "e{i}"
  tags = {{ v = jsonencode({expr}) }}
}}
''' for i, (expr, _) in enumerate(EMPTY_CONSOLE))
    (tmp_path / "main.tf").write_text(PROVIDER + EMPTY_VARS + groups, encoding="utf-8")
    got = {g["address"]: g["tags"].get("v") for g in tfsg_json("show", str(tmp_path))["groups"]}
    assert [(e, w, got.get(f"aws_security_group.e{i}")) for i, (e, w) in enumerate(EMPTY_CONSOLE)
            if got.get(f"aws_security_group.e{i}") != w] == []


UNIFY_VARS = '''
variable "nl" {
  type    = list(string)
  default = null
}
variable "ns" {
  type    = string
  default = null
}
variable "obj" {
  type    = object({ a = number, b = list(string) })
  default = null
}
variable "obj2" {
  type    = object({ a = number, b = optional(list(string)) })
  default = { a = 1 }
}
locals {
  o  = { k = "ssh" }
  ln = var.nl
}
'''
# [UNIFY] a conditional's result type, as `terraform console` 1.11.4 prints each (jsonencode of it)
UNIFY_CONSOLE = [
    # F1: a null of a known type still takes part in the unification
    ('var.nl == null ? [22, 3389] : var.nl', '["22","3389"]'),  # console: "[\"22\",\"3389\"]"
    ('(true ? 22 : var.ns) == "22"', 'true'),  # console: true
    ('(true ? 22 : tostring(null)) == "22"', 'true'),  # console: true
    ('(true ? 22 : tonumber(null)) == 22', 'true'),  # console: true
    ('true ? [22] : local.ln', '["22"]'),  # console: "[\"22\"]"
    ('true ? { a = 1, b = [2] } : var.obj', '{"a":1,"b":["2"]}'),  # console: "{\"a\":1,\"b\":[\"2\"]}"
    ('true ? [2] : var.obj2.b', '["2"]'),  # console: "[\"2\"]"
    ('true ? 22 : (false ? null : var.ns)', '"22"'),  # console: "\"22\""
    ('(true ? 22 : null) == 22', 'true'),  # console: true (a null literal: no conversion)
    # F3: a tuple with a set is a set; a list with a set is a list
    ('length(true ? ["a", "a"] : toset(["b"]))', '1'),  # console: 1
    ('(true ? [1, 2] : toset(["a"])) == toset(["1", "2"])', 'true'),  # console: true
    ('length(true ? tolist(["a", "a"]) : toset(["b"]))', '2'),  # console: 2
    ('true ? toset([1]) : ["a", "a"]', '[1]'),  # console: "[1]"
    # F4: an empty collection converted keeps its element type
    ('(true ? tolist([]) : [1]) == tolist([])', 'false'),  # console: false
    ('(true ? [] : ["a"]) == tolist([])', 'false'),  # console: false
    ('(true ? [] : ["a"]) == compact([])', 'true'),  # console: true
    ('(true ? {} : { a = "x" }) == tomap({})', 'false'),  # console: false
    ('(true ? [] : var.nl) == tolist([])', 'false'),  # console: false
    ('(true ? toset([]) : ["a"]) == toset([])', 'true'),  # console: true
    ('(true ? toset([]) : toset(["a"])) == toset([])', 'false'),  # console: false
    ('(true ? tolist([]) : toset(["a"])) == tolist([])', 'true'),  # console: true
    # F6: a key that starts with "(" is an expression (the later duplicate wins)
    ('{ (local.o).k = 22, (local.o.k) = 3389 }', '{"ssh":3389}'),  # console: "{\"ssh\":3389}"
]


def test_conditional_types_unify_as_terraform_console_does(tmp_path: Path):
    groups = "".join(f'''resource "aws_security_group" "u{i}" {{
  name = "u{i}"
  tags = {{ v = jsonencode({expr}) }}
}}
''' for i, (expr, _) in enumerate(UNIFY_CONSOLE))
    (tmp_path / "main.tf").write_text(PROVIDER + UNIFY_VARS + groups, encoding="utf-8")
    got = {g["address"]: g["tags"].get("v") for g in tfsg_json("show", str(tmp_path))["groups"]}
    assert [(e, w, got.get(f"aws_security_group.u{i}")) for i, (e, w) in enumerate(UNIFY_CONSOLE)
            if got.get(f"aws_security_group.u{i}") != w] == []


def test_null_default_idiom_admits_what_the_plan_admits(tmp_path: Path):
    # [UNIFY] `var.p == null ? [22, 3389] : var.p` with p a null list(string) is ["22", "3389"]:
    # contains(..., "22") is true, so the rule exists (terraform plan: aws_security_group_rule.ssh[0])
    (tmp_path / "main.tf").write_text(PROVIDER + '''
variable "admin_ports" {
  type    = list(string)
  default = null
}
locals {
  admin_ports = var.admin_ports == null ? [22, 3389] : var.admin_ports
}
resource "aws_security_group" "sg" {
  name        = "bastion"
  description = "bastion"
}
resource "aws_security_group_rule" "ssh" {
  count             = contains(local.admin_ports, "22") ? 1 : 0
  description       = "ssh"
  type              = "ingress"
  security_group_id = aws_security_group.sg.id
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
resource "aws_security_group_rule" "count_control" {
  count             = length([for p in local.admin_ports : p if p == 3389])
  description       = "never: the ports are strings"
  type              = "ingress"
  security_group_id = aws_security_group.sg.id
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
''', encoding="utf-8")
    assert _flows(str(tmp_path)) == {("0.0.0.0/0", "aws_security_group.sg", "22")}


# [UNIFY] a result only apply knows still has its static type (split: list(string), join: string);
# terraform console 1.11.4 in a directory with an unapplied aws_vpc.v
UNKNOWN_CONSOLE = [
    ('contains(true ? [22] : split(",", aws_vpc.v.id), "22")', 'true'),  # console: true
    ('true ? [22] : split(",", aws_vpc.v.id)', '["22"]'),  # console: "[\"22\"]"
    ('(true ? 22 : join("", split(",", aws_vpc.v.id))) == "22"', 'true'),  # console: true
    ('true ? [22] : var.unset', '["22"]'),  # console with -var unset=...: a list(string) either way
]


def test_unknown_results_of_a_known_type_unify(tmp_path: Path):
    groups = "".join(f'''resource "aws_security_group" "k{i}" {{
  name = "k{i}"
  tags = {{ v = jsonencode({expr}) }}
}}
''' for i, (expr, _) in enumerate(UNKNOWN_CONSOLE))
    (tmp_path / "main.tf").write_text(PROVIDER + '''
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
variable "unset" {
  type = list(string)
}
''' + groups, encoding="utf-8")
    got = {g["address"]: g["tags"].get("v") for g in tfsg_json("show", str(tmp_path))["groups"]}
    assert [(e, w, got.get(f"aws_security_group.k{i}")) for i, (e, w) in enumerate(UNKNOWN_CONSOLE)
            if got.get(f"aws_security_group.k{i}") != w] == []


def test_a_refusal_in_the_other_result_of_a_conditional_is_refused(tmp_path):
    """HCL evaluates both results of a conditional; Terraform reads a file outside the
    repository (tfsg refuses to: values.Refused) and converts the chosen 22 to its string type,
    so the refusal is not an error HCL drops: the input is refused (exit 2), as try() and can()
    never hide it, not judged with 22 left a number."""
    (tmp_path / "main.tf").write_text('''
variable "on" {
  type    = bool
  default = true
}

locals {
  port = var.on ? 22 : file("/etc/hostname")
}

resource "aws_security_group" "s" {
  name        = "s"
  description = "s"
  ingress {
    description = "by the conditional"
    from_port   = local.port == "22" ? 22 : 443
    to_port     = local.port == "22" ? 22 : 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
''')
    proc = run_tfsg("check", str(tmp_path))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b"", err
    assert "main.tf:8: file: '/etc/hostname' is outside the repository under review" in err
