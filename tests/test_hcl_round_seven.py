"""HCL mode against Terraform, round 7 (probe pB): JSON syntax, import for_each, and --base.

Every expectation below is derived from the configuration and Terraform's semantics, with the
probe's plans (Terraform 1.11.4, hashicorp/aws 5.100.0, /tmp/s10/pB/cases) as the oracle, never
from tfsg's output. The documents behind them:

[JSONTRAV] Terraform "JSON Configuration Syntax" and hashicorp/hcl's json package: where native
           syntax takes a bare reference, keyword or type, the JSON string holds that syntax and
           is parsed (``hcl.AbsTraversalForExpr``/``RelTraversalForExpr``/``ExprCall`` on a JSON
           string; ext/dynblock decodes ``iterator`` so): a dynamic block's ``iterator``,
           ``moved``/``removed``/``import`` ``from``/``to``, ``lifecycle.ignore_changes``, the
           ``provider`` meta-argument, a module call's ``providers``, a variable's ``type``.
[JSONLIT]  The same page: a variable's ``default`` is a literal value (decoded without an
           evaluation context): ``"${var.x}"`` is that text. Plans: cases/json_types (192.0.2.0/24
           because can(cidrnetmask("${var.x}")) is false), cases/jsoncfg (3000 + length("${1+1}")).
[IMPORT]   Terraform "Import" (1.7+): ``for_each`` over a map, a set or a tuple imports one object
           per element, ``to = aws_x.y[each.key]``; an imported object keeps, in what it does not
           write, what AWS has (README: an unknown, never "no rules").
[INIT]     ``terraform plan`` reads an installed module for a call whose source is the one
           ``.terraform/modules/modules.json`` records and whose version constraint admits the
           recorded version ("Module version requirements have changed" otherwise).
[VARFILE]  ``terraform plan -var-file FILE`` reads FILE as the checkout has it: the base side of a
           change reads the file at the base revision.
[IGNORED]  Terraform internal/configs/parser_config_dir.go IsIgnoredFile: files named ".*", "*~"
           or "#*#" are not configuration (hidden and editor files).
[IMPLIED]  Terraform "Refactoring" ("Enabling count or for_each for a resource") and
           internal/refactoring ImpliedMoveStatements: x <-> x[0] when count appears or goes on a
           resource, unless a moved block names it (cases/implied_move/tfplan: "has moved to
           aws_security_group.bastion[0] ... 0 to add, 0 to change, 0 to destroy").
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Optional

from conftest import exposures, flows, run_tfsg, tfsg_json, validate_report

G = "aws_security_group."
WORLD_SSH = ("0.0.0.0/0", G + "bastion", "tcp", "22")

PROVIDER = '''provider "aws" {
  region = "us-east-1"
}
'''


def _write(directory: Path, files: dict[str, Optional[str]]) -> None:
    for name, text in files.items():
        path = directory / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _repo(tmp_path: Path, before: dict[str, Optional[str]], after: dict[str, Optional[str]]) -> Path:
    """A git repository whose HEAD holds ``before`` and whose work tree holds ``after`` on top."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _write(repo, {"providers.tf": PROVIDER, **before})

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    _write(repo, after)
    return repo


def _at_base(repo: Path, command: str, *extra: str) -> dict:
    proc = run_tfsg(command, ".", "--base", "HEAD", *extra, "--format", "json", cwd=repo)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    doc = json.loads(proc.stdout)
    validate_report(doc)
    return doc


def _show(tmp_path: Path, files: dict[str, Optional[str]], *extra: str) -> dict:
    _write(tmp_path, {"providers.tf": PROVIDER, **files})
    return tfsg_json("show", str(tmp_path), *extra)


def _unknowns(doc: dict) -> set[tuple[str, str]]:
    return {(u["address"], u["attribute"]) for u in doc["unknown"]}


def _unchanged(diff: dict) -> None:
    assert diff["summary"]["reachability_changed"] is False
    assert (diff["added"], diff["removed"], diff["newly_exposed"], diff["no_longer_exposed"]) == ([], [], [], [])


# ---------------------------------------------------------------------- JSON syntax [JSONTRAV]

def _json_group(dynamic: dict) -> str:
    return json.dumps({"resource": {"aws_security_group": {"bastion": {
        "name": "bastion", "description": "bastion host", "vpc_id": "vpc-123", "dynamic": {"ingress": dynamic}}}}})


def test_json_dynamic_iterator_names_the_variable(tmp_path: Path):
    """cases/json_iterator_min: ``"iterator": "net"`` binds ``net``; the plan's ingress is tcp 22
    from 0.0.0.0/0 (tfsg read ``net.value`` as an undeclared resource and dropped the rule)."""
    r = _show(tmp_path, {"main.tf.json": _json_group({
        "for_each": ["0.0.0.0/0"], "iterator": "net",
        "content": {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["${net.value}"]}})})
    assert flows(r["flows"]) == {WORLD_SSH}
    assert r["unknown"] == []


def test_cdktf_iterator_each(tmp_path: Path):
    """cases/json_cdktf_each, CDKTF's shape: ``"iterator": "each"`` over a ``toset``; the plan
    has two ingress rules, tcp 22 from 0.0.0.0/0 and from 10.0.0.0/8."""
    r = _show(tmp_path, {"main.tf.json": _json_group({
        "content": {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["${each.value}"]},
        "for_each": '${toset(["0.0.0.0/0", "10.0.0.0/8"])}', "iterator": "each"})})
    assert flows(r["flows"]) == {WORLD_SSH, ("10.0.0.0/8", G + "bastion", "tcp", "22")}
    assert r["unknown"] == []


JSON_TYPES = {
    "variable": {
        "rules": {
            "type": 'list(object({ port = number, cidr = optional(string, "10.0.0.0/8"), '
                    'open = optional(bool, false) }))',
            "default": [{"port": "22"}, {"port": 443, "open": "true"}],
        },
        "tpl": {"type": "string", "default": "${var.x}"},
        "lit": {"type": "string", "default": "${1+1}"},
        "x": {"default": "10.77.0.0/16"},
    },
    "resource": {
        "aws_security_group": {"t": {
            "name": "t", "vpc_id": "vpc-123",
            "dynamic": {"ingress": {
                "for_each": "${var.rules}",
                "content": {"from_port": "${ingress.value.port}", "to_port": "${ingress.value.port}", "protocol": "tcp",
                            "cidr_blocks": ['${ingress.value.open ? "0.0.0.0/0" : ingress.value.cidr}']}}}}},
        "aws_security_group_rule": {
            "tpl": {"type": "ingress", "security_group_id": "${aws_security_group.t.id}", "from_port": 8080,
                    "to_port": 8080, "protocol": "tcp",
                    "cidr_blocks": ['${can(cidrnetmask(var.tpl)) ? var.tpl : "192.0.2.0/24"}']},
            "lit": {"type": "ingress", "security_group_id": "${aws_security_group.t.id}", "from_port": 3000,
                    "to_port": "${3000 + length(var.lit)}", "protocol": "tcp", "cidr_blocks": ["10.7.0.0/16"]},
        },
    },
}


def test_json_variable_type_and_literal_defaults(tmp_path: Path):
    """[JSONTRAV]/[JSONLIT], cases/json_types and cases/jsoncfg: the ``type`` string applies its
    ``optional()`` defaults and conversions ("22" is 22, "true" is true), so the plan has tcp 22
    from 10.0.0.0/8 and tcp 443 from 0.0.0.0/0; ``"${var.x}"`` as a default is that text (not a
    CIDR: 192.0.2.0/24), and ``"${1+1}"`` six characters (to_port 3006)."""
    r = _show(tmp_path, {"main.tf.json": json.dumps(JSON_TYPES)})
    t = G + "t"
    assert flows(r["flows"]) == {("10.0.0.0/8", t, "tcp", "22"), ("0.0.0.0/0", t, "tcp", "443"),
                                 ("192.0.2.0/24", t, "tcp", "8080"), ("10.7.0.0/16", t, "tcp", "3000-3006")}
    assert r["unknown"] == []


def test_json_variable_type_applies_to_a_tfvars_value(tmp_path: Path):
    """cases/json_optional_tfvars: the type's optional default (cidrs = ["0.0.0.0/0"]) fills the
    tfvars value ``rules = [{ port = 3389 }]``."""
    main = {"variable": {"rules": {
        "type": 'list(object({ port = number, cidrs = optional(list(string), ["0.0.0.0/0"]) }))',
        "default": [{"port": 443}]}},
        "resource": {"aws_security_group": {"bastion": {"name": "bastion", "vpc_id": "vpc-123", "dynamic": {
            "ingress": {"for_each": "${var.rules}", "content": {
                "from_port": "${ingress.value.port}", "to_port": "${ingress.value.port}", "protocol": "tcp",
                "cidr_blocks": "${ingress.value.cidrs}"}}}}}}}
    r = _show(tmp_path, {"main.tf.json": json.dumps(main), "terraform.tfvars": "rules = [{ port = 3389 }]\n"})
    assert flows(r["flows"]) == {("0.0.0.0/0", G + "bastion", "tcp", "3389")}
    assert r["unknown"] == []


WEST = '''provider "aws" {
  alias  = "west"
  region = "us-west-2"
}
resource "aws_instance" "west" {
  provider        = aws.west
  ami             = "ami-12345678"
  instance_type   = "t3.micro"
  security_groups = ["web"]
}
'''
OPEN_22 = [{"description": "ssh", "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"],
            "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": False}]


def test_json_provider_meta_argument(tmp_path: Path):
    """cases/json_provider: ``"provider": "aws.west"`` puts the group in us-west-2 (the plan's
    provider_config_key is aws.west), where the EC2-Classic-style name "web" attaches it to
    aws_instance.west: exposed on tcp 22, as tfsg shows the plan."""
    groups = {"resource": {"aws_security_group": {"web_west": {
        "provider": "aws.west", "name": "web", "description": "web", "ingress": OPEN_22}}}}
    r = _show(tmp_path, {"groups.tf.json": json.dumps(groups), "main.tf": WEST})
    assert ("aws_instance.west", "resource", "tcp", "22") in exposures(r["exposed"])
    assert {g["address"]: g["attached"] for g in r["groups"]} == {G + "web_west": ["aws_instance.west"]}


def test_json_module_providers_map(tmp_path: Path):
    """A JSON module call's ``"providers": {"aws": "aws.west"}`` (as CDKTF writes it): the child's
    group is in us-west-2, where the name "web" attaches it to aws_instance.west."""
    child = json.dumps({"resource": {"aws_security_group": {"g": {
        "name": "web", "description": "web", "ingress": OPEN_22}}}})
    root = json.dumps({"module": {"sg": {"source": "./sg", "providers": {"aws": "aws.west"}}}})
    r = _show(tmp_path, {"main.tf.json": root, "sg/main.tf.json": child, "west.tf": WEST})
    assert {g["address"]: g["attached"] for g in r["groups"]} == \
        {"module.sg.aws_security_group.g": ["aws_instance.west"]}
    assert ("aws_instance.west", "resource", "tcp", "22") in exposures(r["exposed"])


def test_json_provider_blocks(tmp_path: Path):
    """JSON ``provider`` blocks (CDKTF writes every provider so): ``aws`` and ``aws.alt`` are both
    us-east-1, so the group named "web" (default configuration) is the one aws_instance.alt
    (``provider = aws.alt``) names: the Regions come from the JSON blocks."""
    providers = json.dumps({"provider": {"aws": [{"region": "us-east-1"}, {"alias": "alt", "region": "us-east-1"}]}})
    groups = json.dumps({"resource": {"aws_security_group": {"web": {
        "name": "web", "description": "web", "ingress": OPEN_22}}}})
    instance = WEST.split("resource", 1)[1].replace('"west"', '"alt"').replace("aws.west", "aws.alt")
    _write(tmp_path, {"providers.tf.json": providers, "groups.tf.json": groups, "main.tf": "resource" + instance})
    r = tfsg_json("show", str(tmp_path))
    assert {g["address"]: g["attached"] for g in r["groups"]} == {G + "web": ["aws_instance.alt"]}
    assert ("aws_instance.alt", "resource", "tcp", "22") in exposures(r["exposed"])


def test_json_import_block(tmp_path: Path):
    """cases/json_import: ``"import": [{"to": "aws_security_group.legacy", ...}]`` imports the
    group; it writes no rules, so its rules are what AWS has: unknowns, as for the native block."""
    main = {"import": [{"to": "aws_security_group.legacy", "id": "sg-0aaa"}],
            "resource": {"aws_security_group": {"legacy": {"name": "legacy", "vpc_id": "vpc-123"}}}}
    r = _show(tmp_path, {"main.tf.json": json.dumps(main)})
    assert _unknowns(r) == {(G + "legacy", "ingress"), (G + "legacy", "egress")}
    assert all("imported" in u["reason"] for u in r["unknown"])


def _json_sg(name: str, cidr: str, extra: Optional[dict] = None) -> dict:
    ingress = [{**OPEN_22[0], "cidr_blocks": [cidr]}]
    return {"name": name, "description": name, "vpc_id": "vpc-123", "ingress": ingress, **(extra or {})}


def test_json_moved_block_at_base(tmp_path: Path):
    """cases/json_moved: ``"moved": [{"from": "aws_security_group.old", "to": ...new}]`` renames
    the object: the plan moves it, no flow changes."""
    before = {"resource": {"aws_security_group": {"old": _json_sg("bastion", "0.0.0.0/0")}}}
    after = {"moved": [{"from": "aws_security_group.old", "to": "aws_security_group.new"}],
             "resource": {"aws_security_group": {"new": _json_sg("bastion", "0.0.0.0/0")}}}
    repo = _repo(tmp_path, {"main.tf.json": json.dumps(before)}, {"main.tf.json": json.dumps(after)})
    diff = _at_base(repo, "diff")
    _unchanged(diff)
    assert {g["address"]: g["change"] for g in diff["groups"]} == {G + "new": "no-op"}


def test_json_removed_block_keeps_the_object(tmp_path: Path):
    """cases/json_removed: ``"removed": [{"from": ..., "lifecycle": {"destroy": false}}]`` forgets
    the group and AWS keeps it with its rules (as the native block, cases/native_removed)."""
    before = {"resource": {"aws_security_group": {"gone": _json_sg("bastion", "0.0.0.0/0")}}}
    after = {"removed": [{"from": "aws_security_group.gone", "lifecycle": {"destroy": False}}],
             "resource": {"aws_vpc": {"main": {"cidr_block": "10.0.0.0/16"}}}}
    repo = _repo(tmp_path, {"main.tf.json": json.dumps(before)}, {"main.tf.json": json.dumps(after)})
    diff = _at_base(repo, "diff")
    _unchanged(diff)
    assert {g["address"]: g["change"] for g in diff["groups"]} == {G + "gone": "forget"}


def test_json_ignore_changes(tmp_path: Path):
    """cases/ignore_changes (tfplan: "No changes"): ``"ignore_changes": ["ingress"]`` and
    ``"ignore_changes": "all"`` keep AWS's rules when the configuration widens them."""
    def config(cidr: str, ignore: bool) -> str:
        life = ({"j": {"lifecycle": {"ignore_changes": ["ingress"]}}, "k": {"lifecycle": {"ignore_changes": "all"}}}
                if ignore else {"j": {}, "k": {}})
        return json.dumps({"resource": {"aws_security_group": {
            name: _json_sg(name, cidr, life[name]) for name in ("j", "k")}}})

    repo = _repo(tmp_path, {"a.tf.json": config("10.0.0.0/8", False)}, {"a.tf.json": config("0.0.0.0/0", True)})
    diff = _at_base(repo, "diff")
    _unchanged(diff)
    check = _at_base(repo, "check")
    assert [f["policy"] for f in check["findings"] if f["introduced"]] == []


def test_an_unparsable_json_traversal_is_refused(tmp_path: Path):
    """Terraform refuses ``"provider": "aws west"`` (not a traversal): so does tfsg, naming the file."""
    main = {"resource": {"aws_security_group": {"g": {"provider": "aws west", "name": "g"}}}}
    _write(tmp_path, {"providers.tf": PROVIDER, "main.tf.json": json.dumps(main)})
    proc = run_tfsg("show", str(tmp_path))
    assert proc.returncode == 2
    assert "main.tf.json" in proc.stderr.decode() and "provider 'aws west'" in proc.stderr.decode()


# ---------------------------------------------------------------------- import for_each [IMPORT]

IMPORTED = '''
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_security_group" "imported" {
  for_each    = local.existing
  name        = each.key
  description = each.key
  vpc_id      = aws_vpc.main.id
}
resource "aws_instance" "web" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  subnet_id                   = "subnet-123"
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.imported["web"].id]
}
locals {
  existing = { web = "sg-0aaa", db = "sg-0bbb" }
}
'''
BOTH_IMPORTED = {(G + f'imported["{k}"]', d) for k in ("web", "db") for d in ("ingress", "egress")}


def test_import_for_each_over_a_map(tmp_path: Path):
    """cases/import_foreach: one object per key; each imported group's rules are AWS's (unknown),
    as with two literal import blocks (cases/import_plain)."""
    r = _show(tmp_path, {"main.tf": IMPORTED + '''
import {
  for_each = local.existing
  to       = aws_security_group.imported[each.key]
  id       = each.value
}
'''})
    assert _unknowns(r) == BOTH_IMPORTED
    assert all("imported" in u["reason"] for u in r["unknown"])


def test_import_for_each_over_a_tuple_and_in_json(tmp_path: Path):
    """A tuple's elements (``each.value.k``), and the same block in JSON syntax (``to`` a string)."""
    native = IMPORTED + '''
import {
  for_each = [{ k = "web", id = "sg-0aaa" }]
  to       = aws_security_group.imported[each.value.k]
  id       = each.value.id
}
'''
    json_import = json.dumps({"import": [{"for_each": '${{ db = "sg-0bbb" }}',
                                          "to": "aws_security_group.imported[each.key]", "id": "${each.value}"}]})
    r = _show(tmp_path, {"main.tf": native, "imports.tf.json": json_import})
    assert _unknowns(r) == BOTH_IMPORTED


def test_import_whose_keys_are_unknown_is_an_explicit_unknown(tmp_path: Path):
    """``for_each = var.ids`` with no value: which keys are imported cannot be told, so every
    instance of the target is read as imported, and an unknown names the import block."""
    r = _show(tmp_path, {"main.tf": IMPORTED + '''
variable "ids" { type = map(string) }
import {
  for_each = var.ids
  to       = aws_security_group.imported[each.key]
  id       = each.value
}
'''})
    assert _unknowns(r) == BOTH_IMPORTED | {(G + "imported", "")}
    reason = next(u["reason"] for u in r["unknown"] if u["address"] == G + "imported")
    assert reason.startswith("import block (") and "var.ids" in reason


# ---------------------------------------------------------------------- installed modules [INIT]

INSTALLED_MAIN = '''
variable "vpc_id" { type = string }
resource "aws_security_group" "this" {
  name        = "web"
  description = "web"
  vpc_id      = var.vpc_id
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [trimspace(file("${path.module}/cidr.txt"))]
  }
}
module "inner" {
  source   = "./inner"
  group_id = aws_security_group.this.id
}
'''
INSTALLED_INNER = '''
variable "group_id" { type = string }
resource "aws_security_group_rule" "https" {
  type              = "ingress"
  security_group_id = var.group_id
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
'''


def _installed(version: str) -> dict[str, Optional[str]]:
    modules = {"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "web", "Source": "registry.terraform.io/example/sg/aws", "Version": "1.2.0",
         "Dir": ".terraform/modules/web"},
        {"Key": "web.inner", "Source": "./inner", "Dir": ".terraform/modules/web/inner"}]}
    call = f'''
resource "aws_vpc" "main" {{ cidr_block = "10.0.0.0/16" }}
module "web" {{
  source  = "example/sg/aws"
  version = "{version}"
  vpc_id  = aws_vpc.main.id
}}
'''
    return {".gitignore": ".terraform/\n", "main.tf": call,
            ".terraform/modules/modules.json": json.dumps(modules),
            ".terraform/modules/web/main.tf": INSTALLED_MAIN, ".terraform/modules/web/cidr.txt": "0.0.0.0/0\n",
            ".terraform/modules/web/inner/main.tf": INSTALLED_INNER}


def test_an_installed_module_is_the_same_at_base(tmp_path: Path):
    """cases/registry_mod_version: nothing changes, the base's call has the source and version
    modules.json records, so Terraform plans no change; the module's findings are existing (its
    nested ./inner and its file() read from the installed package for the base too)."""
    repo = _repo(tmp_path, _installed("1.2.0"), {})
    diff = _at_base(repo, "diff")
    _unchanged(diff)
    assert diff["unknown"] == []
    check = _at_base(repo, "check")
    assert [f["policy"] for f in check["findings"] if f["introduced"]] == []
    assert "TFSG001" in {f["policy"] for f in check["findings"] if not f["introduced"]}
    assert check["verdict"]["passed"] is True


def test_an_installed_module_of_another_version_is_unknown_at_base(tmp_path: Path):
    """The base's ``version = "~> 1.0, < 1.2"`` does not admit the installed 1.2.0: the code the
    base ran is not the installed code, an explicit unknown (Terraform: "Module version
    requirements have changed")."""
    repo = _repo(tmp_path, {**_installed("1.2.0"), "main.tf": _installed("~> 1.0, < 1.2")["main.tf"]}, {})
    _write(repo, {"main.tf": _installed("1.2.0")["main.tf"]})
    diff = _at_base(repo, "diff")
    assert _unknowns(diff) == {("module.web", "source")}
    reason = diff["unknown"][0]["reason"]
    assert reason.startswith("before the change: module web: its version constraint '~> 1.0, < 1.2' does not admit")
    assert "(1.2.0)" in reason


# ---------------------------------------------------------------------- --var-file at --base [VARFILE]

SSH_VAR = '''
variable "ssh_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}
resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "bastion"
  vpc_id      = "vpc-123"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.ssh_cidrs
  }
}
'''


def test_a_tracked_var_file_is_read_at_base(tmp_path: Path):
    """cases/varfile_base: HEAD's env/prod.tfvars admits 10.0.0.0/8, the work tree's 0.0.0.0/0:
    the same ``plan -var-file env/prod.tfvars`` opens tcp 22 to the world, an introduced finding."""
    repo = _repo(tmp_path, {"main.tf": SSH_VAR, "env/prod.tfvars": 'ssh_cidrs = ["10.0.0.0/8"]\n'},
                 {"env/prod.tfvars": 'ssh_cidrs = ["0.0.0.0/0"]\n'})
    diff = _at_base(repo, "diff", "--var-file", "env/prod.tfvars")
    assert flows(diff["added"]) == {WORLD_SSH}
    assert diff["input"]["sources_note"] == \
        "--var-file env/prod.tfvars: the before side reads it as it is at git revision HEAD"
    check = _at_base(repo, "check", "--var-file", "env/prod.tfvars")
    assert [(f["policy"], f["address"]) for f in check["findings"] if f["introduced"] and f["policy"] == "TFSG001"] \
        == [("TFSG001", G + "bastion")]
    assert check["verdict"]["passed"] is False


def test_a_var_file_added_by_the_change_gives_the_base_nothing(tmp_path: Path):
    """A var-file git tracks now but HEAD lacks: the base had only the default (10.0.0.0/8)."""
    repo = _repo(tmp_path, {"main.tf": SSH_VAR}, {"env/prod.tfvars": 'ssh_cidrs = ["0.0.0.0/0"]\n'})
    subprocess.run(["git", "add", "env/prod.tfvars"], cwd=repo, check=True, capture_output=True)
    diff = _at_base(repo, "diff", "--var-file", "env/prod.tfvars")
    assert flows(diff["added"]) == {WORLD_SSH}
    assert "not at git revision HEAD (added by this change)" in diff["input"]["sources_note"]


def test_an_untracked_var_file_is_the_same_for_both_sides(tmp_path: Path):
    """A git-ignored var-file (written by CI) is not part of the change: both sides read it."""
    repo = _repo(tmp_path, {"main.tf": SSH_VAR, ".gitignore": "*.secret.tfvars\n"},
                 {"ci.secret.tfvars": 'ssh_cidrs = ["0.0.0.0/0"]\n'})
    diff = _at_base(repo, "diff", "--var-file", "ci.secret.tfvars")
    _unchanged(diff)
    assert diff["input"]["sources_note"] == \
        "--var-file ci.secret.tfvars: not tracked by git, so both sides read the work tree's"


# ---------------------------------------------------------------------- implied moves [IMPLIED]

def _bastion(count: str = "", name: str = "bastion") -> str:
    return f'''
resource "aws_security_group" "{name}" {{
  {count}
  name        = "{name}"
  description = "bastion"
  vpc_id      = "vpc-123"
  ingress {{
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
'''


def test_count_added_moves_the_object_to_instance_zero(tmp_path: Path):
    """cases/implied_move: ``count = var.enabled ? 1 : 0`` (true) added: the plan moves
    aws_security_group.bastion to [0]; nothing is added, removed or exposed."""
    repo = _repo(tmp_path, {"main.tf": _bastion()},
                 {"main.tf": _bastion("count = var.enabled ? 1 : 0") + 'variable "enabled" { default = true }\n'})
    diff = _at_base(repo, "diff")
    _unchanged(diff)
    assert {g["address"]: g["change"] for g in diff["groups"]} == {G + "bastion[0]": "no-op"}


def test_count_removed_moves_instance_zero_back_in_a_module(tmp_path: Path):
    """The other way, inside a local module: ``module.m.aws_security_group.bastion[0]`` (count 1)
    becomes ``module.m.aws_security_group.bastion`` when count goes."""
    call = 'module "m" {\n  source = "./m"\n}\n'
    repo = _repo(tmp_path, {"main.tf": call, "m/main.tf": _bastion("count = 1")}, {"m/main.tf": _bastion()})
    diff = _at_base(repo, "diff")
    _unchanged(diff)
    assert {g["address"]: g["change"] for g in diff["groups"]} == {"module.m." + G + "bastion": "no-op"}


def test_an_explicit_moved_block_replaces_the_implied_move(tmp_path: Path):
    """``moved { from = ...a  to = ...a[1] }`` names a: no implied move for it (a[0] is new, a[1]
    the old object); b, which no moved block names, moves to b[0] by itself."""
    after = _bastion("count = 2", "a") + _bastion("count = 1", "b") + '''
moved {
  from = aws_security_group.a
  to   = aws_security_group.a[1]
}
'''
    repo = _repo(tmp_path, {"main.tf": _bastion(name="a") + _bastion(name="b")}, {"main.tf": after})
    diff = _at_base(repo, "diff")
    assert {g["address"]: g["change"] for g in diff["groups"]} == \
        {G + "a[0]": "create", G + "a[1]": "no-op", G + "b[0]": "no-op"}


# ---------------------------------------------------------------- F9: files Terraform ignores

HIDDEN_BASE = '''resource "aws_security_group" "bastion" {
  name = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''
# would narrow SSH to one office, were Terraform to read it (internal/configs/parser_config_dir.go
# IsIgnoredFile: a name starting with "." or ending with "~" is skipped, override or not)
HIDDEN_OVERRIDE = '''resource "aws_security_group" "bastion" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["198.51.100.0/24"]
  }
}
'''


def test_hidden_and_backup_files_are_not_configuration(tmp_path: Path):
    """[IGNORED] ``.bastion_override.tf`` and ``bastion_override.tf~`` are not read: the group
    admits SSH from the whole internet, as Terraform plans it (probe pB cases/hidden_override)."""
    _write(tmp_path, {"providers.tf": PROVIDER, "main.tf": HIDDEN_BASE, ".bastion_override.tf": HIDDEN_OVERRIDE,
                      "bastion_override.tf~": HIDDEN_OVERRIDE})
    r = tfsg_json("show", str(tmp_path))
    assert flows(r["flows"]) >= {WORLD_SSH}
    assert not [f for f in r["flows"] if f["from"] == "198.51.100.0/24"]
    proc = run_tfsg("check", str(tmp_path))
    assert proc.returncode == 1 and b"TFSG001" in proc.stdout
