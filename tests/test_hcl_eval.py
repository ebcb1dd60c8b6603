"""The HCL expression evaluator and module expansion, against values worked out by hand
(Terraform's documented results for its functions; Terraform's instance address syntax)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import ROOT, flows, run_tfsg, tfsg_json
from tfsg.errors import InputError
from tfsg.sources.hcl.files import Tree
from tfsg.sources.hcl.modules import Loader, ModuleInstance
from tfsg.sources.hcl.values import Ref, Unknown


def root(tmp_path, files: dict[str, str], **values) -> ModuleInstance:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    loader = Loader(Tree(), str(tmp_path))
    return ModuleInstance(loader, loader.module(str(tmp_path)), (), None, values)


def local(tmp_path, expr: str, extra: str = "") -> object:
    return root(tmp_path, {"main.tf": f"locals {{\n  empty = {{}}\n  x = {expr}\n}}\n{extra}"}).local("x")


CASES = [
    # Terraform's documentation examples for the network functions
    ('cidrsubnet("172.16.0.0/12", 4, 2)', "172.18.0.0/16"),
    ('cidrsubnet("10.1.2.0/24", 4, 15)', "10.1.2.240/28"),
    ('cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)', "fd00:fd12:3456:7800:a200::/72"),
    ('cidrhost("10.12.112.0/20", 16)', "10.12.112.16"),
    ('cidrhost("10.12.112.0/20", 268)', "10.12.113.12"),
    ('cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)', ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]),
    # collections
    ('[for s in ["a", "b"] : upper(s)]', ["A", "B"]),
    ('{for k, v in {a = 1, b = 2} : v => k}', {"1": "a", "2": "b"}),
    ('{for s in ["x", "y", "x"] : s => 1...}', {"x": [1, 1], "y": [1]}),
    ('[for i, v in ["p", "q"] : "${i}${v}" if i > 0]', ["1q"]),
    ("flatten([[1, [2]], [3]])", [1, 2, 3]),
    ("concat([1], [2, 3])", [1, 2, 3]),
    ("merge({a = 1}, {b = 2}, {a = 3})", {"a": 3, "b": 2}),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('lookup({a = 1}, "b", 5)', 5),
    ('element(["a", "b", "c"], 4)', "b"),
    ("distinct([1, 2, 1])", [1, 2]),
    ('compact(["a", "", null, "b"])', ["a", "b"]),
    ('contains(["22", "80"], "22")', True),
    ('coalesce("", null, "x")', "x"),
    ('toset(["b", "a", "b"])', ["a", "b"]),
    ('tolist(toset(["22"]))[0]', "22"),
    ('tomap({a = "1"})', {"a": "1"}),
    ("length({a = 1, b = 2})", 2),
    ("keys({b = 1, a = 2})", ["a", "b"]),
    ("values({b = 1, a = 2})", [2, 1]),
    ('setproduct(["a"], [1, 2])', [["a", 1], ["a", 2]]),
    ("[{a = 1}, {a = 2}][*].a", [1, 2]),
    ("range(3)", [0, 1, 2]),
    # strings
    ('format("%s-%03d", "web", 7)', "web-007"),
    ('join(",", ["a", "b"])', "a,b"),
    ('split(",", "a,b")', ["a", "b"]),
    ('"${1 + 2}/32"', "3/32"),
    ('"a%{if true}b%{else}c%{endif}"', "ab"),
    ('"%{for p in [22, 80]}${p};%{endfor}"', "22;80;"),
    ('"$${literal}"', "${literal}"),
    ('jsonencode({b = 1, a = [true, null]})', '{"a":[true,null],"b":1}'),
    # errors caught by try/can
    ('try(local.empty.k, "fallback")', "fallback"),
    ('can(local.empty.k)', False),
    ('can(tonumber("22"))', True),
    # a set's key is its element (Terraform: iterating a set gives key == value)
    ('[for k, v in toset(["b", "a"]) : k]', ["a", "b"]),
    ('{for k, v in toset(["22"]) : k => v}', {"22": "22"}),
    # == compares types: a list is not a tuple, a map not an object (cty)
    ('tolist(["a"]) == ["a"]', False),
    ('tomap({a = "1"}) == {a = "1"}', False),
    ('[for c in ["x"] : c] == ["x"]', True),
    # replace with a /regex/ (RE2, Go's $1 / ${name} expansion)
    ('replace("My App_1", "/[^a-zA-Z0-9]+/", "-")', "My-App-1"),
    # HCL spells the regex's \w as "\\w" ("\w" is "Invalid escape sequence": terraform console)
    ('replace("hello world", "/(\\\\w+) (\\\\w+)/", "$2 $1")', "world hello"),
    ('replace("abc", "/b/", "$1x")', "ac"),
    # arithmetic and logic
    ("10 / 4", 2.5),
    ("7 % 4", 3),
    ('true && !false ? "y" : "n"', "y"),
    ('1 == "1"', False),
]


@pytest.mark.parametrize("expr,want", CASES)
def test_expression(tmp_path, expr, want):
    assert local(tmp_path, expr) == want


def test_heredoc_with_interpolation(tmp_path):
    src = 'locals {\n  port = 22\n  x = <<-EOT\n    allow ${local.port}\n      indented\n    EOT\n}\n'
    assert root(tmp_path, {"main.tf": src}).local("x") == "allow 22\n  indented\n"


def test_resource_ids_stay_references(tmp_path):
    """An id is known only after apply: a reference, kept through lists, concat and modules."""
    src = ('resource "aws_security_group" "a" {\n  name = "a"\n}\n'
           'locals {\n  ids = concat([aws_security_group.a.id], ["sg-0123456789abcdef0"])\n'
           '  name = aws_security_group.a.name\n  text = "${aws_security_group.a.id}/x"\n}\n')
    r = root(tmp_path, {"main.tf": src})
    ids = r.local("ids")
    assert isinstance(ids[0], Ref) and ids[0].text() == "aws_security_group.a.id"
    assert ids[1] == "sg-0123456789abcdef0"
    assert r.local("name") == "a"  # a configured attribute is known
    text = r.local("text")
    assert isinstance(text, Unknown) and "aws_security_group.a.id is known only after apply" in text.reason


def test_what_an_id_can_never_be(tmp_path):
    """An id or ARN known only after apply still has a shape: never null or "", an EC2 id starts
    with its type's prefix (EC2 API reference, "Resource IDs"). So the module idiom
    ``x == "self" ? own.id : x`` takes its other branch for another group's id, ``join("", [id])``
    (cloudposse's optional-resource idiom) and ``split(",", id)`` are the id itself; cidrnetmask
    refuses IPv6 as Terraform does ("only IPv4 addresses have netmasks")."""
    src = ('resource "aws_security_group" "a" {\n  name = "a"\n}\n'
           'resource "aws_security_group" "own" {\n  name = "own"\n}\n'
           'locals {\n'
           '  picked = aws_security_group.a.id == "self" ? aws_security_group.own.id : aws_security_group.a.id\n'
           '  is_null = aws_security_group.a.id == null\n'
           '  arn_self = aws_security_group.a.arn == "self"\n'
           '  sg_like = aws_security_group.a.id == "sg-0123456789abcdef0"\n'
           '  name_self = aws_security_group.a.description == "self"\n'
           '  joined = join("", aws_security_group.a[*].id)\n'
           '  joined2 = join(",", [aws_security_group.a.id, aws_security_group.own.id])\n'
           '  split = split(",", join(",", [aws_security_group.a.id]))\n'
           '  v4 = [for c in ["10.0.0.0/8", "::/0"] : c if can(cidrnetmask(c))]\n'
           '  v6 = [for c in ["10.0.0.0/8", "::/0"] : c if !can(cidrnetmask(c))]\n'
           '}\n')
    r = root(tmp_path, {"main.tf": src})
    assert r.local("picked").text() == "aws_security_group.a.id"
    assert r.local("is_null") is False and r.local("arn_self") is False
    assert isinstance(r.local("sg_like"), Unknown)  # it might be that id
    assert isinstance(r.local("name_self"), Unknown)  # a description can be anything
    assert r.local("joined").text() == "aws_security_group.a.id"
    assert isinstance(r.local("joined2"), Unknown)
    assert [x.text() for x in r.local("split")] == ["aws_security_group.a.id"]
    assert r.local("v4") == ["10.0.0.0/8"] and r.local("v6") == ["::/0"]


def test_count_and_for_each_addresses(tmp_path):
    src = ('variable "names" {\n  default = ["b", "a"]\n}\n'
           'resource "aws_security_group" "c" {\n  count = 2\n  name = "c-${count.index}"\n}\n'
           'resource "aws_security_group" "f" {\n  for_each = toset(var.names)\n  name = each.key\n}\n'
           'module "m" {\n  source = "./mod"\n  for_each = {x = 1}\n  n = each.value\n}\n'
           'locals {\n  out = module.m["x"].doubled\n}\n')
    mod = 'variable "n" {}\noutput "doubled" {\n  value = var.n * 2\n}\n' \
          'resource "aws_security_group" "inner" {\n  name = "inner-${var.n}"\n}\n'
    r = root(tmp_path, {"main.tf": src, "mod/main.tf": mod})
    addresses = sorted(str(i.address) for m in r.walk() for i in m.all_resource_instances())
    assert addresses == ['aws_security_group.c[0]', 'aws_security_group.c[1]', 'aws_security_group.f["a"]',
                         'aws_security_group.f["b"]', 'module.m["x"].aws_security_group.inner']
    assert r.local("out") == 2


def test_dynamic_blocks_with_iterator_and_nested_content(tmp_path):
    src = ('locals {\n  rules = [{port = 22, cidrs = ["10.0.0.0/8"]}, {port = 443, cidrs = ["0.0.0.0/0"]}]\n}\n'
           'resource "aws_security_group" "d" {\n'
           '  dynamic "ingress" {\n    for_each = local.rules\n    iterator = r\n'
           '    content {\n      from_port = r.value.port\n      to_port = r.value.port\n'
           '      protocol = "tcp"\n      cidr_blocks = r.value.cidrs\n      description = "rule ${r.key}"\n    }\n  }\n}\n')
    r = root(tmp_path, {"main.tf": src})
    inst = next(r.all_resource_instances())
    assert [(b["from_port"], b["cidr_blocks"], b["description"]) for b in inst.values()["ingress"]] == \
        [(22, ["10.0.0.0/8"], "rule 0"), (443, ["0.0.0.0/0"], "rule 1")]


def test_variable_types_and_optional_defaults(tmp_path):
    src = ('variable "rules" {\n  type = list(object({port = number, cidr = optional(string, "10.0.0.0/8")}))\n'
           '  default = [{port = "22"}]\n}\nlocals {\n  x = var.rules\n}\n')
    assert root(tmp_path, {"main.tf": src}).local("x") == [{"port": 22, "cidr": "10.0.0.0/8"}]


def test_cycle_between_locals_is_an_input_error(tmp_path):
    src = "locals {\n  a = local.b\n  b = local.a\n}\n"
    with pytest.raises(InputError) as err:
        root(tmp_path, {"main.tf": src}).local("a")
    assert "local.a -> local.b -> local.a" in str(err.value)
    assert "main.tf:2" in str(err.value) or "main.tf:3" in str(err.value)


def test_missing_root_variable_is_an_explicit_unknown(tmp_path):
    src = 'variable "cidr" {\n  type = string\n}\nlocals {\n  x = var.cidr\n}\n'
    value = root(tmp_path, {"main.tf": src}).local("x")
    assert isinstance(value, Unknown)
    assert "var.cidr has no value" in value.reason and "main.tf:1" in value.reason


def test_unimplemented_function_is_unknown_not_a_guess(tmp_path):
    # regex() is implemented now (tests/test_hcl_functions_text.py); a function tfsg does not
    # know (a provider-defined one it does not implement) stays an unknown naming it
    value = local(tmp_path, 'provider::aws::trim_iam_role_path("arn:aws:iam::123456789012:role/x")')
    assert isinstance(value, Unknown) and "trim_iam_role_path" in value.reason


# ---------------------------------------------------------------------- through the CLI

SSH_FROM_VAR = '''variable "admin_cidr" {
  type    = string
  default = "10.0.0.0/8"
}

resource "aws_security_group" "admin" {
  name = "admin"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
'''


def test_variable_precedence(tmp_path):
    """default < terraform.tfvars < *.auto.tfvars < --var-file < --var (Terraform's order)."""
    (tmp_path / "main.tf").write_text(SSH_FROM_VAR)

    def source() -> str:
        return {f[0] for f in flows(tfsg_json("show", str(tmp_path), *extra)["flows"])}.pop()

    extra: tuple = ()
    assert source() == "10.0.0.0/8"
    (tmp_path / "terraform.tfvars").write_text('admin_cidr = "10.1.0.0/16"\n')
    assert source() == "10.1.0.0/16"
    (tmp_path / "b.auto.tfvars").write_text('admin_cidr = "10.2.0.0/16"\n')
    assert source() == "10.2.0.0/16"
    (tmp_path / "ci.tfvars").write_text('admin_cidr = "10.3.0.0/16"\n')
    extra = ("--var-file", str(tmp_path / "ci.tfvars"))
    assert source() == "10.3.0.0/16"
    extra = ("--var-file", str(tmp_path / "ci.tfvars"), "--var", "admin_cidr=0.0.0.0/0")
    assert source() == "0.0.0.0/0"


def test_check_directory_without_base_is_a_scan_with_no_baseline(tmp_path):
    """Issue 12: without --base there is nothing to compare, so what is there is judged: SSH from
    the world is introduced and blocks (it used to count as existing and pass)."""
    (tmp_path / "main.tf").write_text(SSH_FROM_VAR)
    proc = run_tfsg("check", str(tmp_path), "--var", "admin_cidr=0.0.0.0/0", "--format", "json")
    result = json.loads(proc.stdout)
    ssh = [f for f in result["findings"] if f["policy"] == "TFSG001"]
    assert ssh and all(f["introduced"] and f["blocking"] for f in ssh)
    assert proc.returncode == 1
    proc = run_tfsg("check", str(tmp_path), "--var", "admin_cidr=10.0.0.0/16")
    assert proc.returncode == 0


def test_base_revision_blocks_what_the_commit_introduces(tmp_path):
    (tmp_path / "main.tf").write_text(SSH_FROM_VAR)
    git = ["git", "-C", str(tmp_path), "-c", "user.email=ci@example.com", "-c", "user.name=ci"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "base"], check=True)
    (tmp_path / "main.tf").write_text(SSH_FROM_VAR.replace('"10.0.0.0/8"', '"0.0.0.0/0"'))
    proc = run_tfsg("check", str(tmp_path), "--base", "HEAD", "--format", "json")
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert flows(result["added"]) == {("0.0.0.0/0", "aws_security_group.admin", "tcp", "22")}
    # 10.0.0.0/8 is still admitted (inside 0.0.0.0/0): no flow is removed
    assert flows(result["removed"]) == set()
    finding = next(f for f in result["findings"] if f["policy"] == "TFSG001")
    # at the ingress block that grants it (line 9), not the group's first line (6)
    assert finding["introduced"] and finding["location"].endswith("main.tf:9")


def test_installed_and_remote_modules(tmp_path):
    """Registry modules are read where `terraform init` put them; others are an explicit unknown."""
    (tmp_path / "main.tf").write_text(
        'module "sg" {\n  source = "terraform-aws-modules/security-group/aws"\n  port = 5432\n}\n'
        'module "far" {\n  source = "git::https://example.com/x.git"\n}\n')
    installed = tmp_path / ".terraform" / "modules" / "sg"
    installed.mkdir(parents=True)
    (installed / "main.tf").write_text(
        'variable "port" {}\nresource "aws_security_group" "this" {\n  name = "db"\n'
        '  ingress {\n    from_port = var.port\n    to_port = var.port\n    protocol = "tcp"\n'
        '    cidr_blocks = ["10.0.0.0/16"]\n  }\n}\n')
    # modules.json exactly as `terraform init` (1.11.4) writes it; checked against a real init of a
    # git::file:// module source (a registry module needs the network this test must not use).
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "sg", "Source": "registry.terraform.io/terraform-aws-modules/security-group/aws",
         "Dir": ".terraform/modules/sg"}]}))
    result = tfsg_json("show", str(tmp_path))
    assert flows(result["flows"]) == {("10.0.0.0/16", "module.sg.aws_security_group.this", "tcp", "5432")}
    far = [u for u in result["unknown"] if u["address"] == "module.far"]
    assert far and "not local and not installed" in far[0]["reason"]


def test_parse_cache_gives_identical_output(tmp_path):
    (tmp_path / "main.tf").write_text(SSH_FROM_VAR)
    env = dict(os.environ, TFSG_CACHE_DIR=str(tmp_path / "cache"))
    import sys

    def run() -> bytes:
        return subprocess.run([sys.executable, "-m", "tfsg", "show", str(tmp_path), "--format", "json"],
                              capture_output=True, env=env, cwd=ROOT, check=True).stdout
    first = run()
    assert list((tmp_path / "cache").rglob("*.pickle"))
    assert run() == first


def test_tf_json_files_are_read(tmp_path):
    (tmp_path / "main.tf.json").write_text(json.dumps({
        "resource": {"aws_security_group": {
            "lb": {"name": "lb", "egress": [{"from_port": 0, "to_port": 0, "protocol": "-1",
                                             "cidr_blocks": ["0.0.0.0/0"]}]},
            "app": {"name": "app", "ingress": [{"from_port": 8080, "to_port": 8080, "protocol": "tcp",
                                                "security_groups": ["${aws_security_group.lb.id}"]}]}}}}))
    result = tfsg_json("show", str(tmp_path))
    # A new group has no egress until written (REFERENCE B.1): lb's allow-all egress makes the flow.
    assert flows(result["flows"]) == {("aws_security_group.lb", "aws_security_group.app", "tcp", "8080"),
                                      ("aws_security_group.lb", "0.0.0.0/0", "all", "all")}


def test_sensitive_values_never_printed(tmp_path):
    """A sensitive variable (root or module) and sensitive() keep their text out of every format."""
    (tmp_path / "main.tf").write_text(
        'variable "office" {\n  type = string\n  default = "203.0.113.77/32"\n  sensitive = true\n}\n'
        'locals {\n  partner = sensitive("198.51.100.99/32")\n}\n'
        'module "m" {\n  source = "./m"\n  label = "TopSecretLabel"\n}\n'
        'resource "aws_security_group" "s" {\n  name = "s"\n  ingress {\n    from_port = 22\n    to_port = 22\n'
        '    protocol = "tcp"\n    cidr_blocks = [var.office, local.partner]\n  }\n}\n')
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        'variable "label" {\n  sensitive = true\n}\nresource "aws_security_group" "t" {\n'
        '  name = "t"\n  description = var.label\n}\n')
    for fmt in ("text", "json", "markdown", "sarif", "github"):
        out = run_tfsg("check", str(tmp_path), "--format", fmt, "--fail-on-existing").stdout.decode()
        for secret in ("203.0.113.77", "198.51.100.99", "TopSecretLabel"):
            assert secret not in out, (fmt, secret)
    shown = run_tfsg("show", str(tmp_path)).stdout.decode()
    # the values are marked (issue 11): each sensitive block is a numbered placeholder
    assert "in  <- (sensitive 1): tcp 22" in shown and "in  <- (sensitive 2): tcp 22" in shown
    assert "203.0.113.77" not in shown and "198.51.100.99" not in shown


def test_base_revision_follows_symbolic_links(tmp_path):
    """Monorepos share providers.tf or variables by symlink: at --base the link is followed too."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "infra").mkdir()
    (tmp_path / "shared" / "vars.tf").write_text('variable "admin_cidr" {\n  default = "10.0.0.0/8"\n}\n')
    os.symlink("../shared/vars.tf", tmp_path / "infra" / "vars.tf")
    (tmp_path / "infra" / "main.tf").write_text(SSH_FROM_VAR.split("\n\n", 1)[1])
    git = ["git", "-C", str(tmp_path), "-c", "user.email=ci@example.com", "-c", "user.name=ci"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "base"], check=True)
    (tmp_path / "shared" / "vars.tf").write_text('variable "admin_cidr" {\n  default = "10.1.0.0/16"\n}\n')
    result = tfsg_json("diff", str(tmp_path / "infra"), "--base", "HEAD")
    assert flows(result["removed"]) == {("10.0.0.0/8", "aws_security_group.admin", "tcp", "22")}
    # 10.1.0.0/16 was admitted before (inside 10.0.0.0/8): nothing new can connect
    assert flows(result["added"]) == set()


def test_a_typed_empty_list_is_not_the_tuple_literal(tmp_path):
    """``var.cidrs == []`` is false for a ``list(string)`` variable, whatever it holds (cty
    compares types; the documented way is ``length(var.cidrs) == 0``): the condition below
    takes its false branch, 0.0.0.0/0."""
    src = ('variable "admin_cidrs" {\n  type    = list(string)\n  default = []\n}\n'
           'locals {\n  cidrs = var.admin_cidrs == [] ? ["10.0.0.0/16"] : ["0.0.0.0/0"]\n'
           '  by_length = length(var.admin_cidrs) == 0 ? ["10.0.0.0/16"] : ["0.0.0.0/0"]\n}\n')
    r = root(tmp_path, {"main.tf": src})
    assert r.local("cidrs") == ["0.0.0.0/0"] and r.local("by_length") == ["10.0.0.0/16"]


def test_a_dynamic_block_over_a_set_keys_by_element(tmp_path):
    """``dynamic "ingress" { for_each = toset(["3389", "22"]) ... from_port = ingress.key }``
    makes rules on 22 and 3389 (the key of a set element is the element), not on 0 and 1."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n'
        'resource "aws_security_group" "g" {\n  vpc_id = aws_vpc.v.id\n'
        '  dynamic "ingress" {\n    for_each = toset(["3389", "22"])\n    content {\n'
        '      protocol    = "tcp"\n      from_port   = ingress.key\n      to_port     = ingress.key\n'
        '      cidr_blocks = ["0.0.0.0/0"]\n    }\n  }\n}\n')
    r = tfsg_json("show", str(tmp_path))
    assert flows(r["flows"]) == {("0.0.0.0/0", "aws_security_group.g", "tcp", "22"),
                                 ("0.0.0.0/0", "aws_security_group.g", "tcp", "3389")}


def test_the_selected_workspace(tmp_path, monkeypatch):
    """``terraform.workspace`` is the one ``terraform workspace select`` wrote to
    .terraform/environment (or TF_WORKSPACE), not always "default"."""
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "environment").write_text("prod")
    src = 'locals {\n  cidr = terraform.workspace == "prod" ? "0.0.0.0/0" : "10.0.0.0/8"\n}\n'
    monkeypatch.delenv("TF_WORKSPACE", raising=False)
    assert root(tmp_path, {"main.tf": src}).local("cidr") == "0.0.0.0/0"
    monkeypatch.setenv("TF_WORKSPACE", "staging")
    assert root(tmp_path, {"main.tf": src}).local("cidr") == "10.0.0.0/8"


@pytest.mark.parametrize("expr,want", [
    # HCL native syntax spec, "Splat Operators": the legacy `.*` takes attribute steps only, so an
    # index after it indexes the result (terraform console: local.objs.*.name[1] is "b")
    ('[{name = "a"}, {name = "b"}].*.name[1]', "b"),
    ('[{cidrs = ["10.0.0.0/8"]}, {cidrs = ["0.0.0.0/0"]}].*.cidrs[1]', ["0.0.0.0/0"]),
    # the full splat [*] takes every step
    ('[{cidrs = ["10.0.0.0/8", "x"]}, {cidrs = ["0.0.0.0/0", "y"]}][*].cidrs[0]', ["10.0.0.0/8", "0.0.0.0/0"]),
])
def test_legacy_and_full_splats(tmp_path, expr, want):
    assert local(tmp_path, expr) == want


def test_heredoc_strip_markers_stay_on_their_line(tmp_path):
    """terraform console: in a heredoc a strip marker trims its own line only, and <<- leaves the
    indentation of a line that follows a stripped newline (HCL reads heredocs line by line)."""
    body = "<<-EOT\n    %{~ for c in [\"10.1.0.0/16\", \"0.0.0.0/0\"] ~}\n    ${c}\n    %{~ endfor ~}\n  EOT\n"
    assert local(tmp_path, body) == "    10.1.0.0/16\n    0.0.0.0/0\n"
    plain = "<<-EOT\n    %{ for c in [\"a\", \"b\"] }\n    ${c}\n    %{ endfor }\n  EOT\n"
    assert local(tmp_path, plain) == "\na\n\nb\n\n"


def test_templatestring(tmp_path):
    """Terraform 1.9 templatestring(ref, vars), as terraform console renders it."""
    files = {"main.tf": 'locals {\n  tpl = "$${net}/$${bits}"\n  x = templatestring(local.tpl, { net = "0.0.0.0", bits = 0 })\n}\n'}
    assert root(tmp_path, files).local("x") == "0.0.0.0/0"


def test_a_module_installed_from_another_source_is_unknown(tmp_path):
    """Terraform refuses to plan a call whose source is not the one `terraform init` installed
    ("Module source has changed"): the installed code is another version's, so its resources are
    unknown, not read as if they were the new ones (a pre-commit run after a `ref` bump)."""
    (tmp_path / "main.tf").write_text('module "db" {\n  source = "git::https://example.com/m.git?ref=v2"\n}\n')
    installed = tmp_path / ".terraform" / "modules" / "db"
    installed.mkdir(parents=True)
    (installed / "main.tf").write_text(
        'resource "aws_security_group" "this" {\n  name = "db"\n  ingress {\n    from_port = 5432\n'
        '    to_port = 5432\n    protocol = "tcp"\n    cidr_blocks = ["10.0.0.0/16"]\n  }\n}\n')
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "db", "Source": "git::https://example.com/m.git?ref=v1", "Dir": ".terraform/modules/db"}]}))
    result = tfsg_json("show", str(tmp_path))
    assert result["flows"] == [] and result["groups"] == []
    [stale] = [u for u in result["unknown"] if u["address"] == "module.db"]
    assert "?ref=v1" in stale["reason"] and "terraform init" in stale["reason"]


def test_rules_read_from_files_by_fileset_and_csvdecode(tmp_path):
    """fileset() lists the files under a path matching a pattern, relative to it and sorted;
    csvdecode() reads a header and maps of strings (Terraform language docs, "fileset Function",
    "csvdecode Function"): the groups they make are read, not unknown."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "team.yaml").write_text("port: 27017\ncidr: 0.0.0.0/0\n")
    (tmp_path / "rules" / "notes.txt").write_text("not a rule\n")
    (tmp_path / "rules.csv").write_text("port,cidr\n3389,0.0.0.0/0\n443,10.0.0.0/8\n")
    (tmp_path / "main.tf").write_text('''
locals {
  files = fileset(path.module, "rules/*.yaml")
  rows  = csvdecode(file("${path.module}/rules.csv"))
}
resource "aws_security_group" "team" {
  for_each = toset(local.files)
  name     = each.key
  ingress {
    from_port   = yamldecode(file("${path.module}/${each.key}")).port
    to_port     = yamldecode(file("${path.module}/${each.key}")).port
    protocol    = "tcp"
    cidr_blocks = [yamldecode(file("${path.module}/${each.key}")).cidr]
  }
}
resource "aws_security_group" "csv" {
  name = "csv"
  dynamic "ingress" {
    for_each = local.rows
    content {
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = [ingress.value.cidr]
    }
  }
}
''')
    result = tfsg_json("show", str(tmp_path))
    assert flows(result["flows"]) == {
        ("0.0.0.0/0", 'aws_security_group.team["rules/team.yaml"]', "tcp", "27017"),
        ("0.0.0.0/0", "aws_security_group.csv", "tcp", "3389"),
        ("10.0.0.0/8", "aws_security_group.csv", "tcp", "443")}


def test_positions_in_a_sort_of_ids_only_apply_knows(tmp_path):
    """sort() over ids made by the same apply keeps its members (membership is what groups and
    subnets need) but no position: an index, element() or a part slice() is an unknown, and so
    is a position after concat() or distinct() of such a list (Terraform's plan makes the whole
    sort() unknown)."""
    groups = ('resource "aws_security_group" "a" {}\nresource "aws_security_group" "b" {}\n')
    ids = "sort([aws_security_group.a.id, aws_security_group.b.id])"
    whole = local(tmp_path, ids, groups)
    assert sorted(r.text() for r in whole) == ["aws_security_group.a.id", "aws_security_group.b.id"]
    for expr in (f"{ids}[0]", f"element({ids}, 1)", f"concat({ids}, [\"sg-1\"])[0]",
                 f"distinct({ids})[1]"):
        assert isinstance(local(tmp_path, expr, groups), Unknown), expr
    assert all(isinstance(v, Unknown) for v in local(tmp_path, f"slice({ids}, 0, 1)", groups))
    assert len(local(tmp_path, f"slice({ids}, 0, 2)", groups)) == 2  # the whole list: its members
    assert local(tmp_path, 'sort(["b", "a"])[0]', groups) == "a"  # known values: Terraform's order
